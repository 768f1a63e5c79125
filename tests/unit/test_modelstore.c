/* Unit tests: common/modelstore.c - the lock, version stamps, atomic
 * version writes, the validation gate, promotion, rollback, run records
 * and the summary object. */
#include "cli.h"
#include "json.h"
#include "modelstore.h"
#include "nn_h5.h"
#include "tn_test.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <sys/stat.h>

#define FORMAT "tickernet-test"
#define T0 1717223400 /* 2024-06-01T06:30:00Z */

/* Writes val_mse, or fails when ctx says so. */
struct writer_ctx {
	double mse;
	int fail;
};

static int write_mse(hid_t file, void *ctx, char *err, size_t errsz)
{
	struct writer_ctx *w = ctx;

	if (w->fail) {
		snprintf(err, errsz, "injected failure");
		return -1;
	}
	return nn_h5_attr_set_double(file, TN_MS_ATTR_VAL_MSE, w->mse, err, errsz);
}

/* Entries of dir whose names start with '.' (temporary files). */
static int hidden_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Writes a version with mse at time t and returns its stamp. */
static void add_version(struct tn_ms *ms, time_t t, double mse,
			char stamp[TN_STAMP_LEN + 1])
{
	struct writer_ctx w = { mse, 0 };
	char err[512];

	CHECK_INT(tn_ms_new_stamp(ms, t, stamp, err, sizeof err), 0);
	CHECK_INT(tn_ms_write_version(ms, stamp, FORMAT, 1, write_mse, &w, err,
				      sizeof err), 0);
}

TEST(a_second_writer_of_the_same_symbol_gets_busy)
{
	char *root = tn_t_tmpdir("modelstore"), err[512];
	struct tn_ms a, b, c;

	CHECK_INT(tn_ms_open(&a, root, "gnn", "AAPL", 0, err, sizeof err), 0);
	CHECK_INT(tn_ms_open(&b, root, "gnn", "AAPL", 0, err, sizeof err),
		  TN_EX_TEMPFAIL);
	CHECK(strstr(err, "locked by another writer") != NULL);
	/* another symbol, and another kind of the same symbol, are free */
	CHECK_INT(tn_ms_open(&c, root, "lstm", "AAPL", 0, err, sizeof err), 0);
	tn_ms_close(&c);
	tn_ms_close(&a);
	CHECK_INT(tn_ms_open(&b, root, "gnn", "AAPL", 0, err, sizeof err), 0);
	tn_ms_close(&b);
	tn_ms_close(&b);
	tn_t_rmtree(root);
}

TEST(bad_symbols_and_kinds_never_reach_a_path)
{
	char *root = tn_t_tmpdir("modelstore"), err[512];
	struct tn_ms ms;

	CHECK_INT(tn_ms_open(&ms, root, "gnn", "../x", 0, err, sizeof err),
		  TN_EX_USAGE);
	CHECK_INT(tn_ms_open(&ms, root, "cnn", "AAPL", 0, err, sizeof err),
		  TN_EX_USAGE);
	tn_t_rmtree(root);
}

TEST(stamps_are_unique_and_ordered_within_one_second)
{
	char *root = tn_t_tmpdir("modelstore"), err[512], s1[TN_STAMP_LEN + 1],
	     s2[TN_STAMP_LEN + 1], s3[TN_STAMP_LEN + 1];
	char (*list)[TN_STAMP_LEN + 1];
	struct tn_ms ms;
	size_t n;

	CHECK_INT(tn_ms_open(&ms, root, "gnn", "AAPL", 0, err, sizeof err), 0);
	add_version(&ms, T0, 1.0, s1);
	add_version(&ms, T0, 1.0, s2);
	add_version(&ms, T0 - 100, 1.0, s3); /* a clock that went back */
	CHECK_STR(s1, "20240601T063000Z");
	CHECK_STR(s2, "20240601T063001Z");
	CHECK_STR(s3, "20240601T063002Z");
	CHECK_INT(tn_ms_versions(ms.dir, &list, &n, err, sizeof err), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(list[0], s1);
		CHECK_STR(list[2], s3);
	}
	free(list);
	CHECK_INT(hidden_entries(ms.dir), 0);
	tn_ms_close(&ms);
	tn_t_rmtree(root);
}

TEST(a_failed_write_leaves_nothing)
{
	char *root = tn_t_tmpdir("modelstore"), err[512], stamp[TN_STAMP_LEN + 1];
	char (*list)[TN_STAMP_LEN + 1];
	struct writer_ctx w = { 1.0, 1 };
	struct tn_ms ms;
	size_t n;

	CHECK_INT(tn_ms_open(&ms, root, "gnn", "AAPL", 0, err, sizeof err), 0);
	CHECK_INT(tn_ms_new_stamp(&ms, T0, stamp, err, sizeof err), 0);
	CHECK_INT(tn_ms_write_version(&ms, stamp, FORMAT, 1, write_mse, &w, err,
				      sizeof err), TN_EX_IOERR);
	CHECK(strstr(err, "injected failure") != NULL);
	CHECK_INT(tn_ms_versions(ms.dir, &list, &n, err, sizeof err), 0);
	CHECK_INT(n, 0);
	free(list);
	CHECK_INT(hidden_entries(ms.dir), 0);
	tn_ms_close(&ms);
	tn_t_rmtree(root);
}

TEST(the_gate_promotes_the_first_and_better_models_and_keeps_worse_ones)
{
	char *root = tn_t_tmpdir("modelstore"), err[512], s[TN_STAMP_LEN + 1],
	     cur[TN_STAMP_LEN + 1], first[TN_STAMP_LEN + 1];
	struct tn_ms_gate g;
	struct tn_ms ms;

	CHECK_INT(tn_ms_open(&ms, root, "gnn", "AAPL", 0, err, sizeof err), 0);
	tn_ms_gate(&ms, 2.0, 0, &g);
	CHECK(g.promote);
	CHECK_STR(g.current, "");
	CHECK(isnan(g.current_mse));

	add_version(&ms, T0, 2.0, first);
	CHECK_INT(tn_ms_promote(&ms, first, err, sizeof err), 0);
	CHECK_INT(tn_ms_current(ms.dir, cur, err, sizeof err), 0);
	CHECK_STR(cur, first);

	tn_ms_gate(&ms, 3.0, 0, &g);
	CHECK(!g.promote);
	CHECK_STR(g.current, first);
	CHECK_NEAR(g.current_mse, 2.0, 0);
	tn_ms_gate(&ms, 3.0, 1, &g);
	CHECK(g.promote);
	CHECK_STR(g.reason, "forced");
	tn_ms_gate(&ms, 2.0, 0, &g); /* equal is not worse */
	CHECK(g.promote);
	tn_ms_gate(&ms, 1.0, 0, &g);
	CHECK(g.promote);

	add_version(&ms, T0 + 5, 1.0, s);
	CHECK_INT(tn_ms_promote(&ms, s, err, sizeof err), 0);
	CHECK_INT(tn_ms_current(ms.dir, cur, err, sizeof err), 0);
	CHECK_STR(cur, s);
	CHECK_INT(hidden_entries(ms.dir), 0);
	tn_ms_close(&ms);
	tn_t_rmtree(root);
}

TEST(an_unreadable_current_model_is_replaced)
{
	char *root = tn_t_tmpdir("modelstore"), err[512], s[TN_STAMP_LEN + 1], path[4200];
	struct tn_ms_gate g;
	struct tn_ms ms;
	FILE *fp;

	CHECK_INT(tn_ms_open(&ms, root, "gnn", "AAPL", 0, err, sizeof err), 0);
	add_version(&ms, T0, 2.0, s);
	CHECK_INT(tn_ms_promote(&ms, s, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/%s.h5", ms.dir, s);
	fp = fopen(path, "w"); /* truncated */
	CHECK(fp != NULL);
	if (fp)
		fclose(fp);
	tn_ms_gate(&ms, 5.0, 0, &g);
	CHECK(g.promote);
	CHECK_STR(g.reason, "the current model is unreadable");
	tn_ms_close(&ms);
	tn_t_rmtree(root);
}

TEST(rollback_points_current_at_the_previous_version)
{
	char *root = tn_t_tmpdir("modelstore"), err[512], a[TN_STAMP_LEN + 1],
	     b[TN_STAMP_LEN + 1], c[TN_STAMP_LEN + 1], from[TN_STAMP_LEN + 1],
	     to[TN_STAMP_LEN + 1], cur[TN_STAMP_LEN + 1];
	struct tn_ms ms;

	CHECK_INT(tn_ms_open(&ms, root, "gnn", "AAPL", 0, err, sizeof err), 0);
	CHECK_INT(tn_ms_rollback(&ms, from, to, err, sizeof err), TN_EX_NOINPUT);
	CHECK(strstr(err, "no current gnn model") != NULL);
	add_version(&ms, T0, 1.0, a);
	add_version(&ms, T0 + 10, 1.0, b);
	add_version(&ms, T0 + 20, 1.0, c); /* written but never promoted */
	CHECK_INT(tn_ms_promote(&ms, b, err, sizeof err), 0);
	CHECK_INT(tn_ms_rollback(&ms, from, to, err, sizeof err), 0);
	CHECK_STR(from, b);
	CHECK_STR(to, a);
	CHECK_INT(tn_ms_current(ms.dir, cur, err, sizeof err), 0);
	CHECK_STR(cur, a);
	CHECK_INT(tn_ms_rollback(&ms, from, to, err, sizeof err), TN_EX_NOINPUT);
	CHECK(strstr(err, "no gnn version before") != NULL);
	CHECK_INT(tn_ms_current(ms.dir, cur, err, sizeof err), 0);
	CHECK_STR(cur, a);
	CHECK_INT(hidden_entries(ms.dir), 0);
	tn_ms_close(&ms);
	tn_t_rmtree(root);
}

TEST(run_records_are_appended_one_line_each)
{
	char *root = tn_t_tmpdir("modelstore"), err[512], path[4200], line[256];
	struct tn_ms ms;
	cJSON *rec;
	FILE *fp;
	int lines = 0;

	CHECK_INT(tn_ms_open(&ms, root, "lstm", "MSFT", 0, err, sizeof err), 0);
	rec = tn_json_object();
	tn_json_add_string(rec, "symbol", "MSFT");
	tn_json_add_number(rec, "run", 1);
	CHECK_INT(tn_ms_append_run(&ms, rec, err, sizeof err), 0);
	cJSON_ReplaceItemInObject(rec, "run", tn_json_number_item(2));
	CHECK_INT(tn_ms_append_run(&ms, rec, err, sizeof err), 0);
	cJSON_Delete(rec);
	snprintf(path, sizeof path, "%s/runs/lstm/MSFT.jsonl", root);
	fp = fopen(path, "r");
	CHECK(fp != NULL);
	while (fp && fgets(line, sizeof line, fp)) {
		lines++;
		CHECK(strstr(line, lines == 1 ? "\"run\":1" : "\"run\":2") != NULL);
	}
	if (fp)
		fclose(fp);
	CHECK_INT(lines, 2);
	snprintf(path, sizeof path, "%s/runs/lstm", root);
	CHECK_INT(hidden_entries(path), 0);
	tn_ms_close(&ms);
	tn_t_rmtree(root);
}

TEST(meta_attributes_round_trip)
{
	char *root = tn_t_tmpdir("modelstore"), path[4200], err[NN_H5_ERR_MAX], *s;
	struct tn_eval m = { 10, 0.5, 0.25, 0.6, 0.1, 0.2 };
	struct tn_eval z = { 10, 0.625, 0.3, 0.5, NAN, 0 };
	cJSON *config = tn_json_object();
	struct tn_ms_meta meta = { "gnn-train", "AAPL", "20240601T063000Z", T0,
				   "2024-05-31", config, &m, &z, &z, 42 };
	double mse;
	int64_t seed;
	hid_t f;

	tn_json_add_number(config, "epochs", 20);
	snprintf(path, sizeof path, "%s/m.h5", root);
	f = nn_h5_create(path, err, sizeof err);
	CHECK(f >= 0);
	CHECK_INT(tn_ms_write_meta(f, &meta, err, sizeof err), 0);
	CHECK_INT(nn_h5_close(f, err, sizeof err), 0);
	f = nn_h5_open(path, err, sizeof err);
	CHECK(f >= 0);
	CHECK_INT(nn_h5_attr_get_double(f, TN_MS_ATTR_VAL_MSE, &mse, err, sizeof err), 0);
	CHECK_NEAR(mse, 0.5, 0);
	CHECK_INT(nn_h5_attr_get_int(f, "seed", &seed, err, sizeof err), 0);
	CHECK_INT(seed, 42);
	s = nn_h5_attr_get_str(f, "created_at", err, sizeof err);
	CHECK_STR(s, "2024-06-01T06:30:00Z");
	free(s);
	s = nn_h5_attr_get_str(f, TN_MS_ATTR_CONFIG, err, sizeof err);
	CHECK_STR(s, "{\"epochs\":20}");
	free(s);
	s = nn_h5_attr_get_str(f, TN_MS_ATTR_BASELINES, err, sizeof err);
	CHECK(s && strstr(s, "\"ic\":null") != NULL);
	free(s);
	nn_h5_close(f, err, sizeof err);
	cJSON_Delete(config);
	tn_t_rmtree(root);
}

TEST(summary_has_the_documented_members)
{
	struct tn_eval m = { 10, 0.5, 0.25, 0.6, 0.1, 0.2 };
	struct tn_ms_summary s = { "AAPL", TN_MS_KEPT, "20240601T063001Z",
				   "20240601T063000Z", &m, &m, &m, 20, 17,
				   1.5, "worse", NULL };
	cJSON *o = tn_ms_summary_json(&s);
	char *text = cJSON_PrintUnformatted(o);

	CHECK(strstr(text, "\"symbol\":\"AAPL\",\"status\":\"kept\","
			   "\"model_version\":\"20240601T063001Z\","
			   "\"current_version\":\"20240601T063000Z\","
			   "\"mse\":0.5") != NULL);
	CHECK(strstr(text, "\"baselines\":{\"zero\":{\"n\":10,") != NULL);
	CHECK(strstr(text, "\"epochs\":20,\"best_epoch\":17,\"seconds\":1.5") != NULL);
	CHECK(strstr(text, "\"error\"") == NULL);
	cJSON_free(text);
	cJSON_Delete(o);
}

int main(void)
{
	RUN(a_second_writer_of_the_same_symbol_gets_busy);
	RUN(bad_symbols_and_kinds_never_reach_a_path);
	RUN(stamps_are_unique_and_ordered_within_one_second);
	RUN(a_failed_write_leaves_nothing);
	RUN(the_gate_promotes_the_first_and_better_models_and_keeps_worse_ones);
	RUN(an_unreadable_current_model_is_replaced);
	RUN(rollback_points_current_at_the_previous_version);
	RUN(run_records_are_appended_one_line_each);
	RUN(meta_attributes_round_trip);
	RUN(summary_has_the_documented_members);
	return tn_t_done();
}
