/* test_lstm_train.c - lstm_train.h: the metrics beside their baselines,
 * a run under a lock the caller holds (lstm-predict --auto-train), a stop
 * before training writes nothing, and last_day keeps later data out. */
#include "tn_test.h"

#include "cli.h"
#include "gemm.h"
#include "lstm_train.h"
#include "nn_h5.h"
#include "rng.h"

#include <ftw.h>
#include <signal.h>
#include <stdlib.h>

/* A features panel of one symbol, a random walk of `days` days; from day
 * `change` on, the bars are drawn from another stream. */
static void walk_panel(struct tn_panel *p, int days, int change)
{
	char *text;
	size_t size;
	FILE *fp = open_memstream(&text, &size);
	struct tn_rng rng, other;
	double close = 100;
	char err[256], date[TN_DATE_LEN + 1];
	int t;

	tn_rng_seed(&rng, 11);
	tn_rng_seed(&other, 12);
	fprintf(fp, "symbol,date,open,high,low,close,volume,rsi_14,macd_12_26_9\n");
	for (t = 0; t < days; t++) {
		struct tn_rng *r = t >= change ? &other : &rng;
		double open = close * exp(0.003 * tn_rng_normal(r));

		close *= exp(0.01 * tn_rng_normal(r));
		tn_date_format(tn_date_from_civil(2010, 1, 4) + t, date);
		fprintf(fp, "WALK,%s,%.6f,%.6f,%.6f,%.6f,%.0f,%.6f,%.6f\n", date, open,
			fmax(open, close) * 1.002, fmin(open, close) * 0.998, close,
			1e6 * exp(0.3 * tn_rng_normal(r)), 50 + 10 * tn_rng_normal(r),
			tn_rng_normal(r));
	}
	fclose(fp);
	fp = fmemopen(text, size, "r");
	if (tn_panel_read(p, fp, "walk", err, sizeof err) != 0) {
		printf("# %s\n", err);
		exit(1);
	}
	fclose(fp);
	free(text);
}

static char store[] = "/tmp/test_lstm_train.XXXXXX";

static void small_job(struct lstm_job *job)
{
	lstm_job_default(job, "test", store);
	job->hidden = 8;
	job->context = 20;
	job->epochs = 2;
}

/* The parameters of a version, for comparing two runs. */
static real *version_params(const char *stamp, size_t *n)
{
	char path[4096], err[NN_H5_ERR_MAX];
	struct lstm_model m;
	real *v;
	hid_t f;

	tn_store_model_path(path, sizeof path, store, LSTM_TRAIN_KIND, "WALK", stamp);
	f = nn_h5_open(path, err, sizeof err);
	if (f < 0 || lstm_model_load(f, &m, err, sizeof err) < 0) {
		printf("# %s\n", err);
		exit(1);
	}
	nn_h5_close(f, err, sizeof err);
	*n = m.params.total;
	v = malloc(*n * sizeof *v);
	memcpy(v, m.params.value, *n * sizeof *v);
	lstm_model_free(&m);
	return v;
}

TEST(metrics_of_a_perfect_forecast_and_of_zero)
{
	double actual[4] = { 0.01, -0.02, 0.03, 0.0 }, zero[4] = { 0 };
	double mean = 0.005, sst = 0, ss = 0;
	struct lstm_eval e;
	int i;

	lstm_eval_compute(&e, actual, zero, actual, 4);
	CHECK_NEAR(e.model.mse, 0, 1e-15);
	CHECK_NEAR(e.rmse, 0, 1e-15);
	CHECK_NEAR(e.r2, 1, 1e-12);
	CHECK_NEAR(e.model.skill, 1, 1e-12);
	CHECK_INT(e.zero.n, 4);
	for (i = 0; i < 4; i++) {
		sst += (actual[i] - mean) * (actual[i] - mean);
		ss += actual[i] * actual[i];
	}
	lstm_eval_compute(&e, zero, zero, actual, 4);
	CHECK_NEAR(e.r2, 1 - ss / sst, 1e-12);
	CHECK_NEAR(e.rmse, sqrt(ss / 4), 1e-12);
	CHECK_NEAR(e.model.skill, 0, 1e-12);
	CHECK_NEAR(e.momentum.mse, e.zero.mse, 1e-15);
}

TEST(trains_under_a_lock_the_caller_holds)
{
	struct tn_panel p;
	struct lstm_job job;
	struct lstm_train_report rep;
	struct tn_ms ms;
	char err[1024], cur[TN_STAMP_LEN + 1];
	int rc;

	walk_panel(&p, 300, 300);
	small_job(&job);
	rc = tn_ms_open(&ms, store, LSTM_TRAIN_KIND, "WALK", 0, err, sizeof err);
	CHECK_INT(rc, 0);
	job.held = &ms;
	rc = lstm_train_symbol(&p, "WALK", &job, &rep);
	CHECK_INT(rc, 0);
	CHECK_STR(rep.status, TN_MS_PROMOTED);
	CHECK_STR(rep.current, rep.version);
	CHECK_INT(rep.epochs, 2);
	CHECK(rep.overall.model.n == rep.per_horizon[0].model.n * 5);
	CHECK_NEAR(rep.overall.zero.skill, 0, 1e-12);
	/* the caller's lock is still held: nobody else gets it */
	{
		struct tn_ms again;

		CHECK_INT(tn_ms_open(&again, store, LSTM_TRAIN_KIND, "WALK", 0, err,
				     sizeof err), TN_EX_TEMPFAIL);
	}
	CHECK_INT(tn_ms_current(ms.dir, cur, err, sizeof err), 0);
	CHECK_STR(cur, rep.version);
	tn_ms_close(&ms);
	lstm_train_report_free(&rep);
	tn_panel_free(&p);
}

TEST(a_stop_before_training_writes_nothing)
{
	struct tn_panel p;
	struct lstm_job job;
	struct lstm_train_report rep;
	volatile sig_atomic_t stop = SIGTERM;
	char (*stamps)[TN_STAMP_LEN + 1] = NULL, dir[4096], err[256];
	size_t before = 0, after = 0;
	int rc;

	walk_panel(&p, 300, 300);
	small_job(&job);
	job.stop = &stop;
	tn_store_model_dir(dir, sizeof dir, store, LSTM_TRAIN_KIND, "WALK");
	tn_ms_versions(dir, &stamps, &before, err, sizeof err);
	free(stamps);
	rc = lstm_train_symbol(&p, "WALK", &job, &rep);
	CHECK_INT(rc, TN_EX_SIGTERM);
	CHECK(rep.status == NULL);
	CHECK_STR(rep.version, "");
	tn_ms_versions(dir, &stamps, &after, err, sizeof err);
	free(stamps);
	CHECK_INT(after, before);
	lstm_train_report_free(&rep);
	tn_panel_free(&p);
}

TEST(last_day_keeps_later_data_out)
{
	struct tn_panel a, b;
	struct lstm_job job;
	struct lstm_train_report ra, rb;
	real *va, *vb;
	size_t na, nb;

	walk_panel(&a, 320, 320);
	walk_panel(&b, 320, 260); /* differs from day 260 on */
	small_job(&job);
	job.force = 1;
	job.last_day = 259;
	CHECK_INT(lstm_train_symbol(&a, "WALK", &job, &ra), 0);
	CHECK_INT(lstm_train_symbol(&b, "WALK", &job, &rb), 0);
	CHECK(strcmp(ra.version, rb.version) != 0);
	va = version_params(ra.version, &na);
	vb = version_params(rb.version, &nb);
	CHECK_INT(na, nb);
	CHECK(memcmp(va, vb, na * sizeof *va) == 0);
	CHECK_NEAR(ra.overall.model.mse, rb.overall.model.mse, 0);
	/* and without the limit the later days change the model */
	job.last_day = -1;
	lstm_train_report_free(&rb);
	CHECK_INT(lstm_train_symbol(&b, "WALK", &job, &rb), 0);
	free(vb);
	vb = version_params(rb.version, &nb);
	CHECK(memcmp(va, vb, na * sizeof *va) != 0);
	free(va);
	free(vb);
	lstm_train_report_free(&ra);
	lstm_train_report_free(&rb);
	tn_panel_free(&a);
	tn_panel_free(&b);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	int status;
	const char *why;

	if (tn_blas_init(&why) < 0) {
		printf("# BLAS: %s\n", why);
		return 1;
	}
	if (!mkdtemp(store)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(metrics_of_a_perfect_forecast_and_of_zero);
	RUN(trains_under_a_lock_the_caller_holds);
	RUN(a_stop_before_training_writes_nothing);
	RUN(last_day_keeps_later_data_out);
	status = tn_t_done();
	nftw(store, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return status;
}
