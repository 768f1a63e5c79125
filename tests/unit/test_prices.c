/* Unit tests: common/prices.c - the prices CSV contract. */
#include "cli.h"
#include "prices.h"
#include "tn_test.h"

#define HEADER "symbol,date,open,high,low,close,adj_close,volume\n"

/* Reads all of text; returns rows read, or -1 - rows on error. */
static int read_all(const char *text, int flags, char *err, size_t errsize,
		    long *skipped)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct tn_prices_reader *pr = tn_prices_open(fp, "in.csv", flags);
	struct tn_price_row row;
	int n = 0, rc = -1;

	err[0] = '\0';
	if (!tn_prices_status(pr))
		while ((rc = tn_prices_next(pr, &row)) > 0)
			n++;
	if (rc < 0)
		snprintf(err, errsize, "%s", tn_prices_error(pr));
	if (skipped)
		*skipped = tn_prices_skipped(pr);
	tn_prices_close(pr);
	fclose(fp);
	return rc < 0 ? -1 - n : n;
}

TEST(reads_good_rows_and_defaults_adj_close)
{
	const char *text = "date,symbol,close,open,high,low,volume\n"
			   "2024-01-02,aapl,185.5,184,186,183,1000\n"
			   "2024-01-03,aapl,184.25,185,185.5,183.5,\n";
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct tn_prices_reader *pr = tn_prices_open(fp, "in.csv", 0);
	struct tn_price_row row;

	CHECK_INT(tn_prices_status(pr), 0);
	CHECK_INT(tn_prices_next(pr, &row), 1);
	CHECK_STR(row.symbol, "AAPL");
	CHECK_INT(row.first, 1);
	CHECK_NEAR(row.bar.adj_close, 185.5, 0);
	CHECK_NEAR(row.bar.volume, 1000, 0);
	CHECK_INT(tn_prices_next(pr, &row), 1);
	CHECK_INT(row.first, 0);
	CHECK(isnan(row.bar.volume));
	CHECK_INT(tn_prices_next(pr, &row), 0);
	tn_prices_close(pr);
	fclose(fp);
}

TEST(skips_a_repeated_header)
{
	char err[256];

	CHECK_INT(read_all(HEADER "A,2024-01-02,1,1,1,1,1,1\n" HEADER
			   "B,2024-01-02,1,1,1,1,1,1\n", 0, err, sizeof err, NULL), 2);
}

TEST(rejects_duplicate_and_unsorted_dates_with_line_and_column)
{
	char err[256];

	CHECK_INT(read_all(HEADER "A,2024-01-03,1,1,1,1,1,1\nA,2024-01-03,1,1,1,1,1,1\n",
			   0, err, sizeof err, NULL), -2);
	CHECK_STR(err, "in.csv:3:2: column 'date': duplicate date 2024-01-03");
	CHECK_INT(read_all(HEADER "A,2024-01-03,1,1,1,1,1,1\nA,2024-01-02,1,1,1,1,1,1\n",
			   0, err, sizeof err, NULL), -2);
	CHECK_STR(err, "in.csv:3:2: column 'date': date 2024-01-02 is out of order (after 2024-01-03)");
}

TEST(rejects_interleaved_symbols)
{
	char err[256];

	CHECK_INT(read_all(HEADER "A,2024-01-02,1,1,1,1,1,1\nB,2024-01-02,1,1,1,1,1,1\n"
			   "A,2024-01-03,1,1,1,1,1,1\n", 0, err, sizeof err, NULL), -3);
	CHECK_STR(err, "in.csv:4:1: column 'symbol': rows of A are interleaved with another symbol's");
}

TEST(rejects_bad_cells)
{
	char err[256];

	CHECK_INT(read_all(HEADER "A,2024-01-02,1,1,1,x,1,1\n", 0, err, sizeof err, NULL), -1);
	CHECK_STR(err, "in.csv:2:6: column 'close': not a number: 'x'");
	CHECK_INT(read_all(HEADER "A,2024-01-02,1,1,1,0,1,1\n", 0, err, sizeof err, NULL), -1);
	CHECK_STR(err, "in.csv:2:6: column 'close': price must be positive: 0");
	CHECK_INT(read_all(HEADER "A,2024-01-02,1,1,1,,1,1\n", 0, err, sizeof err, NULL), -1);
	CHECK_STR(err, "in.csv:2:6: column 'close': missing price");
	CHECK_INT(read_all(HEADER "A,2024-1-2,1,1,1,1,1,1\n", 0, err, sizeof err, NULL), -1);
	CHECK_STR(err, "in.csv:2:2: column 'date': expected a date YYYY-MM-DD");
	CHECK_INT(read_all(HEADER "../x,2024-01-02,1,1,1,1,1,1\n", 0, err, sizeof err, NULL), -1);
	CHECK(strstr(err, "in.csv:2:1: column 'symbol': bad character '.'") == err);
	CHECK_INT(read_all(HEADER "A,2024-01-02,1,1,2,1,1,1\n", 0, err, sizeof err, NULL), -1);
	CHECK_STR(err, "in.csv:2:4: column 'high': high is below low");
	CHECK_INT(read_all(HEADER "A,2024-01-02,1,1,1,1,1,-5\n", 0, err, sizeof err, NULL), -1);
	CHECK_STR(err, "in.csv:2:8: column 'volume': volume is negative");
	CHECK_INT(read_all(HEADER "A,2024-01-02,1,1,1,1\n", 0, err, sizeof err, NULL), -1);
	CHECK_STR(err, "in.csv:2: expected 8 fields, found 6");
}

TEST(missing_column_is_named)
{
	char err[256];

	CHECK_INT(read_all("symbol,date,open,high,low,adj_close,volume\n", 0, err,
			   sizeof err, NULL), -1);
	CHECK_STR(err, "in.csv:1: missing column 'close'");
}

TEST(skip_bad_drops_and_counts)
{
	char err[256];
	long skipped = 0;
	int saved = tn_verbosity;

	tn_verbosity = TN_QUIET;
	CHECK_INT(read_all(HEADER "A,2024-01-02,1,1,1,1,1,1\nA,2024-01-02,1,1,1,1,1,1\n"
			   "A,2024-01-03,1,1,1,x,1,1\nA,2024-01-04,1,1,1,1,1,1\n"
			   "A,2024-01-05,1,1\n",
			   TN_PRICES_SKIP_BAD, err, sizeof err, &skipped), 2);
	tn_verbosity = saved;
	CHECK_INT(skipped, 3);
}

TEST(writer_round_trips)
{
	char buf[512];
	FILE *fp = fmemopen(buf, sizeof buf, "w");
	struct tn_csv_writer *w = tn_prices_writer(fp);
	struct tn_bar bar = { 0, 1.1, 2.2, 0.3, 1.7, 1.65, NAN };

	tn_date_parse("2024-05-31", &bar.date);
	CHECK_INT(tn_prices_write(w, "BRK-B", &bar), 0);
	CHECK_INT(tn_csv_writer_close(w), 0);
	fclose(fp);
	CHECK_STR(buf, HEADER "BRK-B,2024-05-31,1.1,2.2,0.3,1.7,1.65,\n");
}

int main(void)
{
	RUN(reads_good_rows_and_defaults_adj_close);
	RUN(skips_a_repeated_header);
	RUN(rejects_duplicate_and_unsorted_dates_with_line_and_column);
	RUN(rejects_interleaved_symbols);
	RUN(rejects_bad_cells);
	RUN(missing_column_is_named);
	RUN(skip_bad_drops_and_counts);
	RUN(writer_round_trips);
	return tn_t_done();
}
