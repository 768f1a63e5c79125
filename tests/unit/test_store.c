/* Unit tests: common/store.c - store paths, their validation, stamps. */
#include "store.h"
#include "tn_test.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>

/* Symbols no builder may turn into a path. */
static const char *const bad_symbols[] = {
	"../x", "..", ".", "a/b", "AAPL/../../etc", "", "aapl",
	"AAPL\n", "A\tB", "AB\x01", "/AAPL", "ABCDEFGHIJKLMNOPQ", "^", "^^A",
	"-AAPL", "AAPL ", "caf\xc3\xa9",
};
#define NBAD (sizeof bad_symbols / sizeof bad_symbols[0])

TEST(root_prefers_the_option_then_the_environment_then_store)
{
	CHECK_INT(setenv(TN_STORE_ENV, "/srv/env-store", 1), 0);
	CHECK_STR(tn_store_root("/srv/opt-store"), "/srv/opt-store");
	CHECK_STR(tn_store_root(NULL), "/srv/env-store");
	CHECK_INT(setenv(TN_STORE_ENV, "", 1), 0);
	CHECK_STR(tn_store_root(NULL), "store");
	CHECK_INT(unsetenv(TN_STORE_ENV), 0);
	CHECK_STR(tn_store_root(NULL), "store");
	CHECK_STR(tn_store_root("rel/dir"), "rel/dir");
	CHECK(tn_store_root("") == NULL);
}

TEST(builders_make_the_documented_layout)
{
	char p[256];

	CHECK_INT(tn_store_prices_path(p, sizeof p, "st", "AAPL"), 0);
	CHECK_STR(p, "st/prices/AAPL.csv");
	CHECK_INT(tn_store_prices_path(p, sizeof p, "st", "^GSPC"), 0);
	CHECK_STR(p, "st/prices/^GSPC.csv");
	CHECK_INT(tn_store_model_dir(p, sizeof p, "st", "gnn", "BRK-B"), 0);
	CHECK_STR(p, "st/models/gnn/BRK-B");
	CHECK_INT(tn_store_model_path(p, sizeof p, "/var/st/", "lstm", "MSFT",
				      "20240601T063000Z"), 0);
	CHECK_STR(p, "/var/st/models/lstm/MSFT/20240601T063000Z.h5");
	CHECK_INT(tn_store_current_path(p, sizeof p, "st", "gnn", "EURUSD=X"), 0);
	CHECK_STR(p, "st/models/gnn/EURUSD=X/current.h5");
	CHECK_INT(tn_store_prediction_path(p, sizeof p, "st", "gnn", "AAPL"), 0);
	CHECK_STR(p, "st/predictions/gnn/AAPL.json");
	CHECK_INT(tn_store_run_path(p, sizeof p, "st", "lstm", "AAPL"), 0);
	CHECK_STR(p, "st/runs/lstm/AAPL.jsonl");
	CHECK_INT(tn_store_area_path(p, sizeof p, "st//", TN_STORE_LOCKS), 0);
	CHECK_STR(p, "st/locks");
	CHECK_INT(tn_store_area_path(p, sizeof p, "/", TN_STORE_RUNS), 0);
	CHECK_STR(p, "/runs");
	CHECK_INT(tn_store_lock_key(p, sizeof p, "gnn", "AAPL"), 0);
	CHECK_STR(p, "gnn-AAPL");
	CHECK_INT(tn_store_lock_key(p, sizeof p, "prices", "^GSPC"), 0);
	CHECK_STR(p, "prices-^GSPC");
}

TEST(every_builder_rejects_symbols_that_could_escape_the_store)
{
	char p[256];
	size_t i;

	for (i = 0; i < NBAD; i++) {
		const char *s = bad_symbols[i];
		int rc[7];
		int k;

		strcpy(p, "unchanged");
		rc[0] = tn_store_prices_path(p, sizeof p, "st", s);
		rc[1] = tn_store_model_dir(p, sizeof p, "st", "gnn", s);
		rc[2] = tn_store_model_path(p, sizeof p, "st", "gnn", s,
					    "20240601T063000Z");
		rc[3] = tn_store_current_path(p, sizeof p, "st", "lstm", s);
		rc[4] = tn_store_prediction_path(p, sizeof p, "st", "gnn", s);
		rc[5] = tn_store_run_path(p, sizeof p, "st", "gnn", s);
		rc[6] = tn_store_lock_key(p, sizeof p, "gnn", s);
		for (k = 0; k < 7; k++)
			if (rc[k] != -1)
				FAILF("builder %d accepted symbol \"%s\"", k, s);
		CHECK_INT(errno, EINVAL);
		CHECK_STR(p, "");
	}
}

TEST(only_gnn_and_lstm_are_model_kinds)
{
	char p[256];
	static const char *const kinds[] = { "", "GNN", "rnn", "../gnn",
					     "gnn/x", "lstm " };
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		errno = 0;
		CHECK_INT(tn_store_model_dir(p, sizeof p, "st", kinds[i], "AAPL"), -1);
		CHECK_INT(errno, EINVAL);
		CHECK_INT(tn_store_lock_key(p, sizeof p, kinds[i], "AAPL"), -1);
	}
	CHECK_INT(tn_store_model_dir(p, sizeof p, "st", NULL, "AAPL"), -1);
	CHECK_INT(tn_store_kind_valid("gnn"), 1);
	CHECK_INT(tn_store_kind_valid("lstm"), 1);
	CHECK_INT(tn_store_lock_key(p, sizeof p, "prices", "AAPL"), 0);
}

TEST(model_paths_need_a_real_stamp)
{
	char p[256];
	static const char *const stamps[] = {
		"", "latest", "../../x", "20240601T063000", "20240601T063000ZZ",
		"20240601 063000Z", "2024060XT063000Z", "20240231T000000Z",
		"20241301T000000Z", "20240601T246000Z", "20240601T063060Z",
	};
	size_t i;

	for (i = 0; i < sizeof stamps / sizeof stamps[0]; i++) {
		errno = 0;
		if (tn_store_model_path(p, sizeof p, "st", "gnn", "AAPL",
					stamps[i]) != -1)
			FAILF("stamp \"%s\" was accepted", stamps[i]);
		CHECK_INT(errno, EINVAL);
	}
	CHECK_INT(tn_store_model_path(p, sizeof p, "st", "gnn", "AAPL", NULL), -1);
	CHECK_INT(tn_store_model_path(p, sizeof p, "st", "gnn", "AAPL",
				      "20240229T235959Z"), 0);
}

TEST(a_missing_root_or_a_small_buffer_is_an_error)
{
	/* "s/prices/AAPL.csv" is 17 characters */
	char p[32];

	errno = 0;
	CHECK_INT(tn_store_prices_path(p, sizeof p, "", "AAPL"), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_INT(tn_store_prices_path(p, sizeof p, NULL, "AAPL"), -1);
	errno = 0;
	CHECK_INT(tn_store_prices_path(p, 17, "s", "AAPL"), -1);
	CHECK_INT(errno, ENAMETOOLONG);
	CHECK_STR(p, "");
	CHECK_INT(tn_store_prices_path(p, 18, "s", "AAPL"), 0);
	CHECK_STR(p, "s/prices/AAPL.csv");
	errno = 0;
	CHECK_INT(tn_store_area_path(p, sizeof p, "s", TN_STORE_NAREAS), -1);
	CHECK_INT(errno, EINVAL);
}

TEST(stamps_format_in_utc_and_parse_back)
{
	char s[TN_STAMP_LEN + 1];
	time_t t = 0;

	CHECK_INT(tn_stamp_format(s, 0), 0);
	CHECK_STR(s, "19700101T000000Z");
	/* 2024-06-01 06:30:00 UTC */
	CHECK_INT(tn_stamp_format(s, (time_t)1717223400), 0);
	CHECK_STR(s, "20240601T063000Z");
	CHECK_INT(tn_stamp_parse("20240601T063000Z", &t), 0);
	CHECK_INT(t, 1717223400);
	CHECK_INT(tn_stamp_parse("20240229T120000Z", &t), 0);
	CHECK_INT(tn_stamp_format(s, t), 0);
	CHECK_STR(s, "20240229T120000Z");
	errno = 0;
	CHECK_INT(tn_stamp_parse("20230229T120000Z", &t), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(tn_stamp_format(s, (time_t)400000000000LL), -1);
	CHECK_INT(errno, EOVERFLOW);
}

TEST(stamps_do_not_depend_on_the_local_time_zone)
{
	char s[TN_STAMP_LEN + 1];
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;

	struct tm local;
	time_t t = 1717223400;

	/* a POSIX TZ string needs no zone database: UTC+5 */
	setenv("TZ", "XYZ-5", 1);
	tzset();
	CHECK(localtime_r(&t, &local) && local.tm_hour == 11);
	CHECK_INT(tn_stamp_format(s, t), 0);
	CHECK_STR(s, "20240601T063000Z");
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

TEST(init_creates_every_area)
{
	char *dir = tn_t_tmpdir("store");
	char root[512], p[600], where[600];
	struct stat st;
	int area;

	snprintf(root, sizeof root, "%s/new/store", dir);
	CHECK_INT(tn_store_init(root, where, sizeof where), 0);
	for (area = 0; area < TN_STORE_NAREAS; area++) {
		CHECK_INT(tn_store_area_path(p, sizeof p, root,
					     (enum tn_store_area)area), 0);
		CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	}
	/* again: everything exists already */
	CHECK_INT(tn_store_init(root, where, sizeof where), 0);
	tn_t_rmtree(dir);
}

TEST(init_names_the_directory_it_could_not_make)
{
	char *dir = tn_t_tmpdir("store");
	char root[512], p[600], where[600] = "";
	FILE *fp;

	snprintf(root, sizeof root, "%s/store", dir);
	CHECK_INT(tn_store_init(root, where, sizeof where), 0);
	/* a file where the runs directory belongs */
	snprintf(p, sizeof p, "%s/runs", root);
	CHECK_INT(rmdir(p), 0);
	fp = fopen(p, "w");
	CHECK(fp && fclose(fp) == 0);
	errno = 0;
	CHECK_INT(tn_store_init(root, where, sizeof where), -1);
	CHECK_INT(errno, ENOTDIR);
	CHECK_STR(where, p);
	tn_t_rmtree(dir);
}

int main(void)
{
	RUN(root_prefers_the_option_then_the_environment_then_store);
	RUN(builders_make_the_documented_layout);
	RUN(every_builder_rejects_symbols_that_could_escape_the_store);
	RUN(only_gnn_and_lstm_are_model_kinds);
	RUN(model_paths_need_a_real_stamp);
	RUN(a_missing_root_or_a_small_buffer_is_an_error);
	RUN(stamps_format_in_utc_and_parse_back);
	RUN(stamps_do_not_depend_on_the_local_time_zone);
	RUN(init_creates_every_area);
	RUN(init_names_the_directory_it_could_not_make);
	return tn_t_done();
}
