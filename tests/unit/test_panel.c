/* Unit tests: common/panel.c - features CSV onto a shared date axis. */
#include "panel.h"
#include "tn_test.h"

static int read_text(struct tn_panel *p, const char *text, char *err, size_t n)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc = tn_panel_read(p, fp, "f.csv", err, n);

	fclose(fp);
	return rc;
}

TEST(aligns_symbols_on_the_union_of_dates)
{
	struct tn_panel p;
	char err[256];
	tn_day d;

	CHECK_INT(read_text(&p, "symbol,date,a,b\n"
			    "X,2024-01-02,1,2\nX,2024-01-04,3,\n"
			    "Y,2024-01-03,5,6\nY,2024-01-04,7,8\n", err, sizeof err), 0);
	CHECK_INT(p.nsym, 2);
	CHECK_INT(p.ndates, 3);
	CHECK_INT(p.nfeat, 2);
	CHECK_STR(p.features[1], "b");
	CHECK_INT(tn_panel_symbol(&p, "Y"), 1);
	CHECK_INT(tn_panel_feature(&p, "b"), 1);
	CHECK_INT(tn_panel_feature(&p, "c"), -1);
	CHECK_NEAR(tn_panel_row(&p, 0, 0)[1], 2, 0);
	CHECK(isnan(tn_panel_row(&p, 0, 1)[0]));   /* X has no 01-03 */
	CHECK(isnan(tn_panel_row(&p, 0, 2)[1]));   /* an empty cell */
	CHECK_NEAR(tn_panel_row(&p, 1, 2)[0], 7, 0);
	tn_date_parse("2024-01-03", &d);
	CHECK_INT(tn_panel_date_at_or_before(&p, d), 1);
	CHECK_INT(tn_panel_date_at_or_before(&p, d - 10), -1);
	tn_panel_free(&p);
}

TEST(reports_bad_input_with_line_and_column)
{
	struct tn_panel p;
	char err[256];

	CHECK_INT(read_text(&p, "symbol,date,a\nX,2024-01-02,z\n", err, sizeof err), 65);
	CHECK_STR(err, "f.csv:2:3: column 'a': not a number: 'z'");
	CHECK_INT(read_text(&p, "symbol,date,a\nX,2024-01-02,1\nX,2024-01-02,1\n", err,
			    sizeof err), 65);
	CHECK_STR(err, "f.csv:3:2: column 'date': duplicate date");
	CHECK_INT(read_text(&p, "symbol,date,a\nX,2024-01-02,1\nY,2024-01-02,1\n"
			    "X,2024-01-03,1\n", err, sizeof err), 65);
	CHECK_STR(err, "f.csv:4:1: column 'symbol': rows of X are interleaved with another symbol's");
	CHECK_INT(read_text(&p, "sym,date,a\n", err, sizeof err), 65);
	CHECK_STR(err, "f.csv:1: missing column 'symbol'");
	CHECK_INT(read_text(&p, "symbol,date,a\na/b,2024-01-02,1\n", err, sizeof err), 65);
	CHECK(strncmp(err, "f.csv:2:1: column 'symbol': bad character '/'", 45) == 0);
}

TEST(header_only_is_an_empty_panel)
{
	struct tn_panel p;
	char err[256];

	CHECK_INT(read_text(&p, "symbol,date,a\n", err, sizeof err), 0);
	CHECK_INT(p.nsym, 0);
	CHECK_INT(p.ndates, 0);
	tn_panel_free(&p);
}

TEST(skips_a_repeated_header_from_joined_files)
{
	struct tn_panel p;
	char err[256];
	int rc = read_text(&p, "symbol,date,a\nX,2024-01-02,1\n"
			   "symbol,date,a\nY,2024-01-02,2\n", err, sizeof err);

	CHECK_INT(rc, 0);
	if (rc != 0)
		return;
	CHECK_INT(p.nsym, 2);
	CHECK_INT(p.ndates, 1);
	CHECK_NEAR(tn_panel_row(&p, 1, 0)[0], 2, 0);
	tn_panel_free(&p);
}

int main(void)
{
	RUN(aligns_symbols_on_the_union_of_dates);
	RUN(reports_bad_input_with_line_and_column);
	RUN(header_only_is_an_empty_panel);
	RUN(skips_a_repeated_header_from_joined_files);
	return tn_t_done();
}
