/* bench/corr.c - milliseconds per correlation matrix of 500 symbols over
 * 1000 days (corr-graph's kernel, one thread), complete and with 1% of the
 * values missing, Pearson and Spearman.  `make bench` runs it; bench/corr.py
 * times numpy.corrcoef on the same shape for comparison.  Timings belong
 * here, never in the tests. */
#include "cli.h"
#include "corr.h"
#include "gemm.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_SYMBOLS 500
#define BENCH_DAYS 1000
/* Repeat each case until at least this long has passed. */
#define BENCH_MIN_SECONDS 1.0

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void bench(const char *what, const double *window, int T, int n,
		  enum tn_corr_method method)
{
	double *corr = xmalloc(sizeof(double) * (size_t)n * n);
	struct tn_corr_work w;
	double t0, elapsed;
	long reps = 0;

	tn_corr_work_init(&w, T, n);
	t0 = now();
	do {
		tn_corr_matrix(corr, window, T, n, method, 2, &w);
		reps++;
		elapsed = now() - t0;
	} while (elapsed < BENCH_MIN_SECONDS);
	printf("corr %-28s %d symbols x %d days %9.2f ms/matrix\n", what, n, T,
	       1e3 * elapsed / reps);
	tn_corr_work_free(&w);
	free(corr);
}

/* --rolling's work: every window of L days over the panel (D, n), from
 * scratch with the GEMM path and with the incremental sums; ms a date. */
static void bench_rolling(const double *panel, int D, int n, int L)
{
	double *corr = xmalloc(sizeof(double) * (size_t)n * n);
	struct tn_corr_work w;
	struct tn_corr_roll roll;
	double t0, scratch, incremental;
	int e;

	tn_corr_work_init(&w, L, n);
	t0 = now();
	for (e = L - 1; e < D; e++)
		tn_corr_matrix(corr, panel + (size_t)(e - L + 1) * n, L, n,
			       TN_CORR_PEARSON, 2, &w);
	scratch = now() - t0;
	tn_corr_roll_init(&roll, L, n);
	t0 = now();
	for (e = L - 1; e < D; e++)
		tn_corr_roll_matrix(corr, panel, e, 2, &roll);
	incremental = now() - t0;
	printf("corr rolling, lookback %-4d %4d symbols x %d days %6.2f ms/date "
	       "from scratch, %6.2f incremental\n", L, n, D,
	       1e3 * scratch / (D - L + 1), 1e3 * incremental / (D - L + 1));
	tn_corr_roll_free(&roll);
	tn_corr_work_free(&w);
	free(corr);
}

int main(int argc, char **argv)
{
	size_t cells = (size_t)BENCH_DAYS * BENCH_SYMBOLS, k;
	double *window = xmalloc(sizeof(double) * cells);
	struct tn_rng r;
	const char *why;

	tn_init_progname(argv);
	(void)argc;
	if (tn_blas_init(&why) < 0)
		die(TN_EX_SOFTWARE, "%s", why);
	printf("# %s, one thread, %s\n", tn_blas_config(), TN_REAL_NAME);
	tn_rng_seed(&r, 1);
	for (k = 0; k < cells; k++)
		window[k] = 0.01 * tn_rng_normal(&r);
	bench("pearson", window, BENCH_DAYS, BENCH_SYMBOLS, TN_CORR_PEARSON);
	bench("spearman", window, BENCH_DAYS, BENCH_SYMBOLS, TN_CORR_SPEARMAN);
	bench_rolling(window, BENCH_DAYS, BENCH_SYMBOLS, 60);
	bench_rolling(window, BENCH_DAYS, BENCH_SYMBOLS, 250);
	bench_rolling(window, BENCH_DAYS, 46, 60);
	for (k = 0; k < cells; k++)
		if (tn_rng_uniform(&r) < 0.01)
			window[k] = NAN;
	bench("pearson, 1% missing", window, BENCH_DAYS, BENCH_SYMBOLS,
	      TN_CORR_PEARSON);
	free(window);
	return tn_finish(0);
}
