/* Unit tests: common/csvio.c - the streaming CSV reader and writer. */
#include "cli.h"
#include "csvio.h"
#include "rng.h"
#include "tn_test.h"

#include <errno.h>
#include <stdint.h>

/* A stream holding text, read from the start.  tmpfile rather than
 * fmemopen, which cannot hold an empty input. */
static FILE *text_stream(const char *text, size_t len)
{
	FILE *fp = tmpfile();

	if (!fp || fwrite(text, 1, len, fp) != len || fseek(fp, 0, SEEK_SET) != 0) {
		perror("tmpfile");
		exit(99);
	}
	return fp;
}

static struct tn_csv_reader *open_text(const char *text, FILE **fp)
{
	*fp = text_stream(text, strlen(text));
	return tn_csv_open(*fp, "in.csv");
}

static void close_text(struct tn_csv_reader *r, FILE *fp)
{
	tn_csv_close(r);
	fclose(fp);
}

/* What a writer produced, for comparing with the expected bytes. */
struct sink {
	FILE *fp;
	char *buf;
	size_t len;
};

static void sink_open(struct sink *s)
{
	s->buf = NULL;
	s->len = 0;
	s->fp = open_memstream(&s->buf, &s->len);
	if (!s->fp) {
		perror("open_memstream");
		exit(99);
	}
}

static void sink_close(struct sink *s)
{
	fclose(s->fp);
	free(s->buf);
}

TEST(reads_fields_by_header_name)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text(
		"symbol,date,close\nAAPL,2024-05-30,190.5\nAAPL,2024-05-31,191\n",
		&fp);
	int close = tn_csv_column(r, "close");
	double v = 0;

	CHECK_INT(tn_csv_status(r), 0);
	CHECK(tn_csv_error(r) == NULL);
	CHECK_INT(tn_csv_ncols(r), 3);
	CHECK_STR(tn_csv_name(r, 1), "date");
	CHECK_INT(close, 2);
	CHECK_INT(tn_csv_column(r, "volume"), -1);
	CHECK_INT(tn_csv_column(r, "Close"), -1);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_line(r), 2);
	CHECK_STR(tn_csv_field(r, 0), "AAPL");
	CHECK_INT(tn_csv_double(r, close, &v), TN_CSV_OK);
	CHECK_NEAR(v, 190.5, 0);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_line(r), 3);
	CHECK_STR(tn_csv_field(r, 1), "2024-05-31");
	CHECK_INT(tn_csv_double(r, close, &v), TN_CSV_OK);
	CHECK_NEAR(v, 191, 0);
	CHECK_INT(tn_csv_next(r), 0);
	CHECK_INT(tn_csv_next(r), 0);
	close_text(r, fp);
}

TEST(finds_required_columns_in_any_order)
{
	static const char *const want[] = { "symbol", "date", "close", NULL };
	FILE *fp;
	struct tn_csv_reader *r = open_text(
		"close,volume,date,symbol\n12.25,300,2024-01-02,MSFT\n", &fp);
	int idx[3];
	const char *s = NULL;
	long volume = 0;

	CHECK_INT(tn_csv_require(r, want, idx), 0);
	CHECK_INT(idx[0], 3);
	CHECK_INT(idx[1], 2);
	CHECK_INT(idx[2], 0);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_string(r, idx[0], &s), TN_CSV_OK);
	CHECK_STR(s, "MSFT");
	CHECK_INT(tn_csv_long(r, tn_csv_column(r, "volume"), &volume), TN_CSV_OK);
	CHECK_INT(volume, 300);
	close_text(r, fp);
}

TEST(a_missing_required_column_is_named)
{
	static const char *const want[] = { "symbol", "close", "volume", NULL };
	FILE *fp;
	struct tn_csv_reader *r = open_text("symbol,date,open\nA,2024-01-02,1\n",
					    &fp);
	int idx[3];

	CHECK_INT(tn_csv_require(r, want, idx), -1);
	CHECK_STR(tn_csv_error(r), "in.csv:1: missing column 'close'");
	close_text(r, fp);
}

TEST(crlf_line_ends_are_accepted)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text(
		"symbol,close\r\nAAPL,1.5\r\n\"MS,FT\",2\r\n", &fp);
	double v = 0;

	CHECK_STR(tn_csv_name(r, 1), "close");
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 0), "AAPL");
	CHECK_STR(tn_csv_field(r, 1), "1.5");
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_line(r), 3);
	CHECK_STR(tn_csv_field(r, 0), "MS,FT");
	CHECK_INT(tn_csv_double(r, 1, &v), TN_CSV_OK);
	CHECK_NEAR(v, 2, 0);
	CHECK_INT(tn_csv_next(r), 0);
	close_text(r, fp);
}

TEST(a_utf8_byte_order_mark_is_skipped)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("\xEF\xBB\xBFsymbol,close\nA,1\n", &fp);

	CHECK_INT(tn_csv_column(r, "symbol"), 0);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 0), "A");
	close_text(r, fp);
}

TEST(quoted_fields_keep_commas_quotes_and_newlines)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text(
		"name,note\n"
		"a,\"x, y\"\n"
		"b,\"say \"\"hi\"\"\"\n"
		"c,\"two\nlines\"\n"
		"d,\"three\r\n\nlines\"\n"
		"e,  padded  \n"
		"f,\"  kept  \"\n",
		&fp);

	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 1), "x, y");
	CHECK_INT(tn_csv_line(r), 2);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 1), "say \"hi\"");
	CHECK_INT(tn_csv_line(r), 3);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 1), "two\nlines");
	CHECK_INT(tn_csv_line(r), 4);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 1), "three\r\n\nlines");
	CHECK_INT(tn_csv_line(r), 6);
	/* the rows after multi-line fields keep their physical line numbers */
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 0), "e");
	CHECK_STR(tn_csv_field(r, 1), "padded");
	CHECK_INT(tn_csv_line(r), 9);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 1), "  kept  ");
	CHECK_INT(tn_csv_line(r), 10);
	CHECK_INT(tn_csv_next(r), 0);
	close_text(r, fp);
}

TEST(a_bad_number_after_a_multiline_field_reports_its_true_line)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text(
		"symbol,note,close\nA,\"a\nb\nc\",1\nB,ok,abc\n", &fp);
	double v = 0;

	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_double(r, 2, &v), TN_CSV_OK);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_double(r, 2, &v), TN_CSV_BAD);
	CHECK_STR(tn_csv_error(r), "in.csv:5:3: column 'close': not a number: 'abc'");
	/* a bad value is the caller's to judge: the stream goes on */
	CHECK_INT(tn_csv_status(r), 0);
	CHECK_INT(tn_csv_next(r), 0);
	close_text(r, fp);
}

TEST(blank_lines_are_skipped_but_counted)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("\n\nsymbol,close\n\nA,1\n  \n\r\nB,2", &fp);

	CHECK_INT(tn_csv_status(r), 0);
	CHECK_INT(tn_csv_line(r), 3);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_line(r), 5);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 0), "B");
	CHECK_STR(tn_csv_field(r, 1), "2");
	CHECK_INT(tn_csv_line(r), 8);
	CHECK_INT(tn_csv_next(r), 0);
	close_text(r, fp);
}

TEST(every_missing_spelling_reads_as_missing)
{
	static const char *const spellings[] = { "", "NaN", "nan", "NAN", "null",
						  "NULL", "Null", "\"\"" };
	size_t i;

	for (i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		char text[64];
		FILE *fp;
		struct tn_csv_reader *r;
		double v = 0;
		long n = 42;
		const char *s = "unchanged";

		snprintf(text, sizeof text, "a,b\n%s,%s\n", spellings[i],
			 spellings[i]);
		r = open_text(text, &fp);
		CHECK_INT(tn_csv_next(r), 1);
		CHECK_INT(tn_csv_double(r, 0, &v), TN_CSV_MISSING);
		CHECK(isnan(v));
		CHECK_INT(tn_csv_long(r, 1, &n), TN_CSV_MISSING);
		CHECK_INT(n, 42);
		if (strcmp(spellings[i], "") == 0 || strcmp(spellings[i], "\"\"") == 0) {
			CHECK_INT(tn_csv_string(r, 0, &s), TN_CSV_MISSING);
			CHECK_STR(s, "unchanged");
		} else {
			/* to the string getter "nan" is text like any other */
			CHECK_INT(tn_csv_string(r, 0, &s), TN_CSV_OK);
			CHECK_STR(s, spellings[i]);
		}
		close_text(r, fp);
	}
}

TEST(an_absent_optional_column_reads_as_missing)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("close\n1\n", &fp);
	int adj = tn_csv_column(r, "adj_close");
	double v = 0;

	CHECK_INT(adj, -1);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_double(r, adj, &v), TN_CSV_MISSING);
	CHECK_STR(tn_csv_field(r, adj), "");
	close_text(r, fp);
}

/* Reads "x\n<cell>\n" and returns the error the double getter gives, or
 * "ok" / "missing". */
static const char *double_verdict(const char *cell, char *out, size_t size)
{
	char text[128];
	FILE *fp;
	struct tn_csv_reader *r;
	double v;
	int rc;

	snprintf(text, sizeof text, "x\n%s\n", cell);
	r = open_text(text, &fp);
	if (tn_csv_next(r) != 1)
		snprintf(out, size, "row: %s", tn_csv_error(r));
	else if ((rc = tn_csv_double(r, 0, &v)) == TN_CSV_BAD)
		snprintf(out, size, "%s", tn_csv_error(r));
	else
		snprintf(out, size, "%s", rc == TN_CSV_OK ? "ok" : "missing");
	close_text(r, fp);
	return out;
}

TEST(numbers_are_parsed_strictly)
{
	char buf[256];

	CHECK_STR(double_verdict("-1.25e-3", buf, sizeof buf), "ok");
	CHECK_STR(double_verdict("+7", buf, sizeof buf), "ok");
	CHECK_STR(double_verdict("4.9e-324", buf, sizeof buf), "ok");
	CHECK_STR(double_verdict("1.5x", buf, sizeof buf),
		  "in.csv:2:1: column 'x': not a number: '1.5x'");
	CHECK_STR(double_verdict("\" 1.5\"", buf, sizeof buf),
		  "in.csv:2:1: column 'x': not a number: ' 1.5'");
	CHECK_STR(double_verdict("inf", buf, sizeof buf),
		  "in.csv:2:1: column 'x': not a number: 'inf'");
	CHECK_STR(double_verdict("0x10", buf, sizeof buf),
		  "in.csv:2:1: column 'x': not a number: '0x10'");
	CHECK_STR(double_verdict("1e", buf, sizeof buf),
		  "in.csv:2:1: column 'x': not a number: '1e'");
	CHECK_STR(double_verdict("1e999", buf, sizeof buf),
		  "in.csv:2:1: column 'x': out of range: '1e999'");
	CHECK_STR(double_verdict("\"1\n2\"", buf, sizeof buf),
		  "in.csv:2:1: column 'x': not a number: '1\\n2'");
}

TEST(integers_are_parsed_strictly)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text(
		"a,b,c,d\n12,1.0,99999999999999999999,\" 5\"\n", &fp);
	long v = 0;

	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_long(r, 0, &v), TN_CSV_OK);
	CHECK_INT(v, 12);
	CHECK_INT(tn_csv_long(r, 1, &v), TN_CSV_BAD);
	CHECK_STR(tn_csv_error(r), "in.csv:2:2: column 'b': not an integer: '1.0'");
	CHECK_INT(tn_csv_long(r, 2, &v), TN_CSV_BAD);
	CHECK_STR(tn_csv_error(r),
		  "in.csv:2:3: column 'c': out of range: '99999999999999999999'");
	CHECK_INT(tn_csv_long(r, 3, &v), TN_CSV_BAD);
	CHECK_STR(tn_csv_error(r), "in.csv:2:4: column 'd': not an integer: ' 5'");
	CHECK_INT(v, 12);
	close_text(r, fp);
}

TEST(long_bad_values_are_cut_short_in_messages)
{
	char cell[200], want[256], buf[512];

	memset(cell, 'z', 100);
	cell[100] = '\0';
	snprintf(want, sizeof want,
		 "in.csv:2:1: column 'x': not a number: '%.40s...'", cell);
	CHECK_STR(double_verdict(cell, buf, sizeof buf), want);
}

TEST(a_short_row_is_an_error_naming_line_and_count)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n",
					    &fp);

	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_next(r), -1);
	CHECK_STR(tn_csv_error(r), "in.csv:3: expected 3 fields, found 2");
	CHECK_STR(tn_csv_field(r, 2), "");
	CHECK_INT(tn_csv_status(r), 0);
	CHECK_INT(tn_csv_next(r), -1);
	CHECK_STR(tn_csv_error(r), "in.csv:4: expected 3 fields, found 4");
	/* a caller that only warns can go on with the next row */
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 0), "10");
	CHECK_INT(tn_csv_line(r), 5);
	CHECK_INT(tn_csv_next(r), 0);
	close_text(r, fp);
}

TEST(an_empty_input_has_no_header_and_is_an_error)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("", &fp);

	CHECK_INT(tn_csv_status(r), TN_EX_DATAERR);
	CHECK_STR(tn_csv_error(r), "in.csv: empty input: no CSV header");
	CHECK_INT(tn_csv_next(r), -1);
	close_text(r, fp);

	r = open_text("\n \r\n\n", &fp);
	CHECK_INT(tn_csv_status(r), TN_EX_DATAERR);
	CHECK_STR(tn_csv_error(r), "in.csv: empty input: no CSV header");
	close_text(r, fp);
}

TEST(a_header_only_input_has_no_rows)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("symbol,date,close\n", &fp);

	CHECK_INT(tn_csv_status(r), 0);
	CHECK_INT(tn_csv_ncols(r), 3);
	CHECK_INT(tn_csv_next(r), 0);
	CHECK(tn_csv_error(r) == NULL);
	close_text(r, fp);

	/* nor without its final newline */
	r = open_text("symbol,date,close", &fp);
	CHECK_INT(tn_csv_status(r), 0);
	CHECK_STR(tn_csv_name(r, 2), "close");
	CHECK_INT(tn_csv_next(r), 0);
	close_text(r, fp);
}

TEST(a_duplicate_column_name_is_an_error)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("date,close,close\n", &fp);

	CHECK_INT(tn_csv_status(r), TN_EX_DATAERR);
	CHECK_STR(tn_csv_error(r), "in.csv:1:3: duplicate column 'close'");
	close_text(r, fp);
}

TEST(an_unterminated_quote_is_an_error_at_the_row_start)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("a,b\n1,2\n3,\"open\nstill\n", &fp);

	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_next(r), -1);
	CHECK_STR(tn_csv_error(r), "in.csv:3: unterminated quoted field");
	CHECK_INT(tn_csv_status(r), TN_EX_DATAERR);
	CHECK_INT(tn_csv_next(r), -1);
	close_text(r, fp);
}

TEST(a_stray_quote_ends_the_stream)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("a,b\n1,2\n3,4\"5\n6,7\n", &fp);

	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_next(r), -1);
	CHECK_STR(tn_csv_error(r), "in.csv:3: malformed CSV: misplaced quote");
	CHECK_INT(tn_csv_status(r), TN_EX_DATAERR);
	CHECK_INT(tn_csv_next(r), -1);
	close_text(r, fp);

	r = open_text("a,b\n\"1\"x,2\n", &fp);
	CHECK_INT(tn_csv_next(r), -1);
	CHECK_STR(tn_csv_error(r), "in.csv:2: malformed CSV: misplaced quote");
	close_text(r, fp);
}

/* libcsv ends a row at \r as at \n: a \r mid-line must not split a row
 * (or, with fields to spare, merge two into one), while the blanks and
 * extra \r before a line's \n are harmless. */
TEST(a_carriage_return_inside_a_line_is_an_error)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("a,b\n1,2\r\r\n3,4 \r \n5,6\r7,8\n", &fp);

	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 1), "2");
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 1), "4");
	CHECK_INT(tn_csv_next(r), -1);
	CHECK_STR(tn_csv_error(r), "in.csv:4: carriage return inside a line "
				   "(only \\n or \\r\\n may end a row)");
	CHECK_INT(tn_csv_status(r), TN_EX_DATAERR);
	close_text(r, fp);

	/* the header's line too; at a line's start; before a quoted field
	 * that runs on to the next line; quoted, a \r is data */
	r = open_text("a\rb\n1\n", &fp);
	CHECK_INT(tn_csv_status(r), TN_EX_DATAERR);
	close_text(r, fp);
	r = open_text("a,b\n\r1,2\n", &fp);
	CHECK_INT(tn_csv_next(r), -1);
	CHECK_INT(tn_csv_status(r), TN_EX_DATAERR);
	close_text(r, fp);
	r = open_text("a,b\n1,2\r\"abc\nxyz\",3\n", &fp);
	CHECK_INT(tn_csv_next(r), -1);
	CHECK_STR(tn_csv_error(r), "in.csv:2: carriage return inside a line "
				   "(only \\n or \\r\\n may end a row)");
	close_text(r, fp);
	r = open_text("a,b\n\"x\ry\",2\n", &fp);
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 0), "x\ry");
	close_text(r, fp);
}

TEST(a_nul_byte_is_an_error)
{
	static const char text[] = "a,b\n1,2\0junk\n";
	FILE *fp = text_stream(text, sizeof text - 1);
	struct tn_csv_reader *r = tn_csv_open(fp, "in.csv");

	CHECK_INT(tn_csv_next(r), -1);
	CHECK_STR(tn_csv_error(r), "in.csv:2: NUL byte in input");
	close_text(r, fp);
}

TEST(a_row_without_line_ends_is_bounded)
{
	size_t len = TN_CSV_MAX_ROW_BYTES + 10, i;
	char *text = xmalloc(len + 1);
	FILE *fp;
	struct tn_csv_reader *r;

	memcpy(text, "a\n", 2);
	for (i = 2; i < len; i++)
		text[i] = 'x';
	text[len] = '\0';
	r = open_text(text, &fp);
	CHECK_INT(tn_csv_next(r), -1);
	CHECK_INT(tn_csv_status(r), TN_EX_DATAERR);
	CHECK(strstr(tn_csv_error(r) ? tn_csv_error(r) : "", "in.csv:2: row longer than"));
	close_text(r, fp);
	free(text);
}

TEST(a_read_error_is_an_io_error)
{
	/* reading a directory fails with EISDIR after fopen succeeded */
	FILE *fp = fopen("/", "r");
	struct tn_csv_reader *r;

	if (!fp) {
		FAILF("fopen /: %s", strerror(errno));
		return;
	}
	r = tn_csv_open(fp, "/");
	CHECK_INT(tn_csv_status(r), TN_EX_IOERR);
	CHECK_STR(tn_csv_error(r), "/: read error: Is a directory");
	close_text(r, fp);
}

TEST(stdin_is_named_stdin_in_messages)
{
	FILE *fp = text_stream("", 0);
	struct tn_csv_reader *r = tn_csv_open(fp, "-");

	CHECK_STR(tn_csv_error(r), "<stdin>: empty input: no CSV header");
	close_text(r, fp);
}

TEST(reading_works_on_a_pipe)
{
	static const char text[] = "symbol,close\nA,\"1\n\"\nB,2\n";
	int fds[2];
	FILE *fp;
	struct tn_csv_reader *r;

	if (pipe(fds) < 0 || write(fds[1], text, sizeof text - 1) != sizeof text - 1) {
		FAILF("pipe: %s", strerror(errno));
		return;
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	if (!fp) {
		FAILF("fdopen: %s", strerror(errno));
		return;
	}
	r = tn_csv_open(fp, "-");
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field(r, 1), "1\n");
	CHECK_INT(tn_csv_next(r), 1);
	CHECK_INT(tn_csv_line(r), 4);
	CHECK_INT(tn_csv_next(r), 0);
	close_text(r, fp);
}

TEST(field_error_uses_the_same_location_form)
{
	FILE *fp;
	struct tn_csv_reader *r = open_text("symbol,date\nAAPL,2024-13-01\n", &fp);

	CHECK_INT(tn_csv_next(r), 1);
	CHECK_STR(tn_csv_field_error(r, 1, "bad date: '%s'", tn_csv_field(r, 1)),
		  "in.csv:2:2: column 'date': bad date: '2024-13-01'");
	CHECK_STR(tn_csv_error(r), "in.csv:2:2: column 'date': bad date: '2024-13-01'");
	CHECK_STR(tn_csv_field_error(r, -1, "unsorted"), "in.csv:2: unsorted");
	close_text(r, fp);
}

TEST(doubles_print_with_the_fewest_digits_that_round_trip)
{
	char buf[TN_CSV_DOUBLE_MAX];

	tn_csv_format_double(buf, 0.1);
	CHECK_STR(buf, "0.1");
	tn_csv_format_double(buf, 190.0);
	CHECK_STR(buf, "190");
	tn_csv_format_double(buf, -0.0);
	CHECK_STR(buf, "-0");
	tn_csv_format_double(buf, 0.1 + 0.2);
	CHECK_STR(buf, "0.30000000000000004");
	tn_csv_format_double(buf, 1.0 / 3.0);
	CHECK_STR(buf, "0.3333333333333333");
	tn_csv_format_double(buf, -1.7976931348623157e308);
	CHECK_STR(buf, "-1.7976931348623157e+308");
	CHECK_INT(tn_csv_format_double(buf, 4.9406564584124654e-324), strlen(buf));
	CHECK(strtod(buf, NULL) == 4.9406564584124654e-324);
}

/* Random doubles of every kind: raw bit patterns (any exponent, subnormals
 * included), prices, and returns. */
static double random_double(struct tn_rng *rng)
{
	uint64_t bits;
	double v;

	switch (tn_rng_below(rng, 3)) {
	case 0:
		do {
			bits = tn_rng_u64(rng);
			memcpy(&v, &bits, sizeof v);
		} while (!isfinite(v));
		return v;
	case 1:
		return 1000.0 * tn_rng_uniform(rng);
	default:
		return 0.02 * tn_rng_normal(rng);
	}
}

TEST(doubles_round_trip_through_writer_and_reader)
{
	enum { ROWS = 20000, COLS = 3 };
	static const char *const names[COLS] = { "a", "b", "c" };
	struct tn_rng rng;
	double *values = xmalloc(ROWS * COLS * sizeof *values);
	FILE *fp = tmpfile();
	struct tn_csv_writer *w;
	struct tn_csv_reader *r;
	int i, j, mismatches = 0, rc;

	if (!fp) {
		FAILF("tmpfile: %s", strerror(errno));
		free(values);
		return;
	}
	tn_rng_seed(&rng, 20240531);
	w = tn_csv_writer_open(fp, COLS);
	CHECK_INT(tn_csv_write_header(w, names), 0);
	for (i = 0; i < ROWS * COLS; i++) {
		values[i] = random_double(&rng);
		CHECK_INT(tn_csv_put_double(w, values[i]), 0);
		if (i % COLS == COLS - 1)
			CHECK_INT(tn_csv_end_row(w), 0);
	}
	CHECK_INT(tn_csv_writer_close(w), 0);
	rewind(fp);

	r = tn_csv_open(fp, "round-trip");
	for (i = 0; (rc = tn_csv_next(r)) == 1; i++) {
		for (j = 0; j < COLS && i < ROWS; j++) {
			double v;

			if (tn_csv_double(r, j, &v) != TN_CSV_OK ||
			    memcmp(&v, &values[i * COLS + j], sizeof v) != 0) {
				if (mismatches++ < 5)
					FAILF("row %d col %d: wrote %.17g, read '%s'",
					      i, j, values[i * COLS + j],
					      tn_csv_field(r, j));
			}
		}
	}
	CHECK_INT(rc, 0);
	CHECK_INT(i, ROWS);
	CHECK_INT(mismatches, 0);
	close_text(r, fp);
	free(values);
}

TEST(writer_quotes_only_fields_that_need_it)
{
	static const char *const names[] = { "symbol", "note", "close", "volume" };
	struct sink s;
	struct tn_csv_writer *w;

	sink_open(&s);
	w = tn_csv_writer_open(s.fp, 4);
	CHECK_INT(tn_csv_write_header(w, names), 0);
	CHECK_INT(tn_csv_put_string(w, "BRK-B"), 0);
	CHECK_INT(tn_csv_put_string(w, "a, b"), 0);
	CHECK_INT(tn_csv_put_double(w, 0.1), 0);
	CHECK_INT(tn_csv_put_long(w, -12), 0);
	CHECK_INT(tn_csv_end_row(w), 0);
	CHECK_INT(tn_csv_put_string(w, "say \"hi\""), 0);
	CHECK_INT(tn_csv_put_string(w, "two\nlines"), 0);
	CHECK_INT(tn_csv_put_string(w, " padded"), 0);
	CHECK_INT(tn_csv_put_string(w, "cr\r"), 0);
	CHECK_INT(tn_csv_end_row(w), 0);
	CHECK_INT(tn_csv_writer_close(w), 0);
	CHECK_STR(s.buf, "symbol,note,close,volume\n"
			 "BRK-B,\"a, b\",0.1,-12\n"
			 "\"say \"\"hi\"\"\",\"two\nlines\",\" padded\",\"cr\r\"\n");
	sink_close(&s);
}

TEST(writer_writes_missing_values_as_empty_cells)
{
	struct sink s;
	struct tn_csv_writer *w;

	sink_open(&s);
	w = tn_csv_writer_open(s.fp, 5);
	CHECK_INT(tn_csv_put_double(w, NAN), 0);
	CHECK_INT(tn_csv_put_double(w, INFINITY), 0);
	CHECK_INT(tn_csv_put_double(w, -INFINITY), 0);
	CHECK_INT(tn_csv_put_missing(w), 0);
	CHECK_INT(tn_csv_put_string(w, NULL), 0);
	CHECK_INT(tn_csv_end_row(w), 0);
	CHECK_INT(tn_csv_writer_close(w), 0);
	CHECK_STR(s.buf, ",,,,\n");
	sink_close(&s);
}

TEST(writer_round_trips_awkward_strings)
{
	static const char *const cells[] = { "a,b", "\"", "\n", " x ", "\t",
					     "x\r\n", "", "plain" };
	enum { N = sizeof cells / sizeof cells[0] };
	FILE *fp = tmpfile();
	struct tn_csv_writer *w;
	struct tn_csv_reader *r;
	int i;

	if (!fp) {
		FAILF("tmpfile: %s", strerror(errno));
		return;
	}
	/* one column, so an empty cell must not become a skipped blank line */
	w = tn_csv_writer_open(fp, 1);
	CHECK_INT(tn_csv_put_string(w, "cell"), 0);
	CHECK_INT(tn_csv_end_row(w), 0);
	for (i = 0; i < N; i++) {
		CHECK_INT(tn_csv_put_string(w, cells[i]), 0);
		CHECK_INT(tn_csv_end_row(w), 0);
	}
	CHECK_INT(tn_csv_writer_close(w), 0);
	rewind(fp);
	r = tn_csv_open(fp, "strings");
	for (i = 0; i < N; i++) {
		CHECK_INT(tn_csv_next(r), 1);
		CHECK_STR(tn_csv_field(r, 0), cells[i]);
	}
	CHECK_INT(tn_csv_next(r), 0);
	close_text(r, fp);
}

TEST(writing_to_a_full_disk_reports_an_error)
{
	static const char *const names[] = { "symbol", "close" };
	FILE *fp = fopen("/dev/full", "w");
	struct tn_csv_writer *w;
	int i, rc = 0;

	if (!fp) {
		SKIP("no /dev/full");
		return;
	}
	/* buffered: the failure shows when the writer flushes */
	w = tn_csv_writer_open(fp, 2);
	CHECK_INT(tn_csv_write_header(w, names), 0);
	CHECK_INT(tn_csv_put_string(w, "AAPL"), 0);
	CHECK_INT(tn_csv_put_double(w, 1.5), 0);
	CHECK_INT(tn_csv_end_row(w), 0);
	errno = 0;
	CHECK_INT(tn_csv_writer_close(w), -1);
	CHECK_INT(errno, ENOSPC);
	fclose(fp);

	/* past the buffer, the failing call itself says so, and so does every
	 * later one */
	fp = fopen("/dev/full", "w");
	if (!fp) {
		FAILF("/dev/full: %s", strerror(errno));
		return;
	}
	w = tn_csv_writer_open(fp, 2);
	for (i = 0; i < 100000 && rc == 0; i++) {
		rc = tn_csv_put_string(w, "AAPL");
		if (rc == 0)
			rc = tn_csv_put_double(w, 1.5);
		if (rc == 0)
			rc = tn_csv_end_row(w);
	}
	CHECK_INT(rc, -1);
	CHECK_INT(tn_csv_put_long(w, 1), -1);
	CHECK_INT(tn_csv_end_row(w), -1);
	CHECK_INT(tn_csv_writer_close(w), -1);
	fclose(fp);
}

static void write_wide_row(void *arg)
{
	/* not stdout: the child's output would land in the TAP stream */
	FILE *fp = fopen("/dev/null", "w");
	struct tn_csv_writer *w;

	(void)arg;
	if (!fp)
		exit(99);
	w = tn_csv_writer_open(fp, 1);
	tn_setprogname("build-features");
	tn_csv_put_long(w, 1);
	tn_csv_put_long(w, 2);
}

TEST(a_row_wider_than_the_header_is_a_bug)
{
	char buf[256];

	CHECK_INT(tn_t_capture(write_wide_row, NULL, buf, sizeof buf), TN_EX_SOFTWARE);
	CHECK_STR(buf, "build-features: csv writer: bug: field 2 of a 1-column row\n");
}

int main(void)
{
	RUN(reads_fields_by_header_name);
	RUN(finds_required_columns_in_any_order);
	RUN(a_missing_required_column_is_named);
	RUN(crlf_line_ends_are_accepted);
	RUN(a_utf8_byte_order_mark_is_skipped);
	RUN(quoted_fields_keep_commas_quotes_and_newlines);
	RUN(a_bad_number_after_a_multiline_field_reports_its_true_line);
	RUN(blank_lines_are_skipped_but_counted);
	RUN(every_missing_spelling_reads_as_missing);
	RUN(an_absent_optional_column_reads_as_missing);
	RUN(numbers_are_parsed_strictly);
	RUN(integers_are_parsed_strictly);
	RUN(long_bad_values_are_cut_short_in_messages);
	RUN(a_short_row_is_an_error_naming_line_and_count);
	RUN(an_empty_input_has_no_header_and_is_an_error);
	RUN(a_header_only_input_has_no_rows);
	RUN(a_duplicate_column_name_is_an_error);
	RUN(an_unterminated_quote_is_an_error_at_the_row_start);
	RUN(a_stray_quote_ends_the_stream);
	RUN(a_carriage_return_inside_a_line_is_an_error);
	RUN(a_nul_byte_is_an_error);
	RUN(a_row_without_line_ends_is_bounded);
	RUN(a_read_error_is_an_io_error);
	RUN(stdin_is_named_stdin_in_messages);
	RUN(reading_works_on_a_pipe);
	RUN(field_error_uses_the_same_location_form);
	RUN(doubles_print_with_the_fewest_digits_that_round_trip);
	RUN(doubles_round_trip_through_writer_and_reader);
	RUN(writer_quotes_only_fields_that_need_it);
	RUN(writer_writes_missing_values_as_empty_cells);
	RUN(writer_round_trips_awkward_strings);
	RUN(writing_to_a_full_disk_reports_an_error);
	RUN(a_row_wider_than_the_header_is_a_bug);
	return tn_t_done();
}
