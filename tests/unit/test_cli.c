/* Unit tests: common/cli.c - messages, exit codes, strict numbers. */
#include "cli.h"
#include "tn_test.h"

#include <errno.h>

static void call_die_plain(void *arg)
{
	(void)arg;
	tn_setprogname("/usr/bin/fetch-prices");
	die(TN_EX_DATAERR, "%s:%d:%d: bad number '%s'", "in.csv", 3, 5, "x");
}

static void call_die_errno(void *arg)
{
	(void)arg;
	tn_setprogname("gnn-train");
	errno = ENOENT;
	die(TN_EX_NOINPUT, "models/AAPL/current.h5:");
}

static void call_warn_quiet(void *arg)
{
	(void)arg;
	tn_verbosity = TN_QUIET;
	warn("should not appear");
	tn_verbosity = TN_NORMAL;
	warn("visible");
}

static void call_optlong_bad(void *arg)
{
	(void)arg;
	tn_setprogname("corr-graph");
	tn_optlong("--lookback", "60x", 2, 10000);
}

TEST(die_prefixes_program_name_and_exits_with_status)
{
	char buf[256];
	int st = tn_t_capture(call_die_plain, NULL, buf, sizeof buf);

	CHECK_INT(st, 65);
	CHECK_STR(buf, "fetch-prices: in.csv:3:5: bad number 'x'\n");
}

TEST(die_appends_strerror_after_trailing_colon)
{
	char buf[256];
	int st = tn_t_capture(call_die_errno, NULL, buf, sizeof buf);

	CHECK_INT(st, 66);
	CHECK_STR(buf, "gnn-train: models/AAPL/current.h5: No such file or directory\n");
}

TEST(warn_is_silenced_by_quiet)
{
	char buf[256];
	int st = tn_t_capture(call_warn_quiet, NULL, buf, sizeof buf);

	CHECK_INT(st, 0);
	CHECK_STR(buf, "tickernet: visible\n");
}

TEST(bad_option_argument_is_a_usage_error)
{
	char buf[256];
	int st = tn_t_capture(call_optlong_bad, NULL, buf, sizeof buf);

	CHECK_INT(st, 2);
	CHECK_STR(buf, "corr-graph: --lookback: not an integer (expected 2..10000): '60x'\n"
		       "Try 'corr-graph --help' for more information.\n");
}

TEST(parse_long_is_strict)
{
	long v = 0;
	const char *why = NULL;

	CHECK_INT(tn_parse_long("42", 0, 100, &v, &why), 0);
	CHECK_INT(v, 42);
	CHECK_INT(tn_parse_long("-7", -10, 0, &v, &why), 0);
	CHECK_INT(v, -7);
	CHECK_INT(tn_parse_long("", 0, 100, &v, &why), -1);
	CHECK_INT(tn_parse_long("4 2", 0, 100, &v, &why), -1);
	CHECK_STR(why, "not an integer");
	CHECK_INT(tn_parse_long("101", 0, 100, &v, &why), -1);
	CHECK_STR(why, "out of range");
	CHECK_INT(tn_parse_long("99999999999999999999999", 0, 100, &v, &why), -1);
	CHECK_STR(why, "out of range");
	CHECK_INT(tn_parse_long("0x10", 0, 100, &v, &why), -1);
}

TEST(parse_double_rejects_nonfinite_and_trailing_text)
{
	double v = 0;
	const char *why = NULL;

	CHECK_INT(tn_parse_double("0.25", 0, 1, &v, &why), 0);
	CHECK_NEAR(v, 0.25, 0);
	CHECK_INT(tn_parse_double("1e-3", 0, 1, &v, &why), 0);
	CHECK_NEAR(v, 1e-3, 0);
	CHECK_INT(tn_parse_double("nan", -1e9, 1e9, &v, &why), -1);
	CHECK_INT(tn_parse_double("inf", -1e300, 1e300, &v, &why), -1);
	CHECK_STR(why, "not finite");
	CHECK_INT(tn_parse_double("0.5abc", 0, 1, &v, &why), -1);
	CHECK_STR(why, "not a number");
	CHECK_INT(tn_parse_double("1.5", 0, 1, &v, &why), -1);
	CHECK_STR(why, "out of range");
}

TEST(setprogname_strips_directories)
{
	tn_setprogname("./build/bin/lstm-predict");
	CHECK_STR(tn_progname, "lstm-predict");
	tn_setprogname("cache-prune");
	CHECK_STR(tn_progname, "cache-prune");
}

TEST(init_progname_points_argv0_at_the_bare_name)
{
	char path[] = "/usr/local/bin/gnn-train", bare[] = "corr-graph";
	char *argv[] = { path, NULL }, *argv2[] = { bare, NULL };

	tn_init_progname(argv);
	CHECK_STR(argv[0], "gnn-train");
	CHECK_STR(tn_progname, "gnn-train");
	tn_init_progname(argv2);
	CHECK_STR(argv2[0], "corr-graph");
	CHECK_STR(tn_progname, "corr-graph");
}

TEST(xreallocarray_grows)
{
	int *p = xreallocarray(NULL, 1000, sizeof *p);

	p[999] = 7;
	p = xreallocarray(p, 2000, sizeof *p);
	CHECK_INT(p[999], 7);
	free(p);
}

int main(void)
{
	RUN(die_prefixes_program_name_and_exits_with_status);
	RUN(die_appends_strerror_after_trailing_colon);
	RUN(warn_is_silenced_by_quiet);
	RUN(bad_option_argument_is_a_usage_error);
	RUN(parse_long_is_strict);
	RUN(parse_double_rejects_nonfinite_and_trailing_text);
	RUN(setprogname_strips_directories);
	RUN(init_progname_points_argv0_at_the_bare_name);
	RUN(xreallocarray_grows);
	return tn_t_done();
}
