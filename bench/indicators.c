/* bench/indicators.c - nanoseconds per bar of the streaming indicators on
 * 1M synthetic bars, one line each: bar by bar through the kernel's push
 * (a call per bar, state through memory) and through tn_ind_run (a whole
 * series in one loop), to set beside TA-Lib's C code on the
 * same kind of machine (its README: RSI 7.2, MACD 15.6, EMA 2.5, STDDEV
 * 5.0, ATR 6.4 ns/bar).  Timings belong here, never in the tests. */
#include "cli.h"
#include "indicators.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_BARS 1000000
/* Best of this many passes: the least disturbed one. */
#define BENCH_REPEATS 7

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A geometric random walk with a plausible daily range around each close,
 * like the TA-Lib fixture. */
static void synthetic_bars(struct tn_bar *bars, int n)
{
	struct tn_rng rng;
	double close = 100, range;
	int i;

	tn_rng_seed(&rng, 42);
	for (i = 0; i < n; i++) {
		bars[i].open = close;
		close *= exp(0.01 * tn_rng_normal(&rng));
		range = close * 0.01 * tn_rng_uniform(&rng);
		bars[i].high = fmax(bars[i].open, close) + range;
		bars[i].low = fmin(bars[i].open, close) - range;
		bars[i].close = close;
		bars[i].volume = (double)(1000000 + tn_rng_below(&rng, 1000000));
	}
}

/* Runs the indicator through its own push (not the tn_ind switch), so
 * the figure is the kernel's, writing an output array as TA-Lib does; the
 * checksum afterwards keeps the work from being optimised away without
 * putting a serial sum inside the timed loop. */
static void bench(const char *what, const struct tn_ind_spec *spec,
		  const struct tn_bar *bars, int n)
{
	struct tn_ind ind;
	const char *why;
	double best = INFINITY, t0, elapsed, checksum = 0;
	double *out = xmalloc(sizeof(double) * (size_t)n);
	double *rows = xmalloc(sizeof(double) * TN_IND_MAX_OUT * (size_t)n);
	double best_run = INFINITY;
	int rep, i;

	if (tn_ind_init(&ind, spec, &why) < 0)
		die(TN_EX_SOFTWARE, "%s: %s", what, why);
	for (rep = 0; rep < BENCH_REPEATS; rep++) {
		tn_ind_reset(&ind);
		t0 = now();
		switch (spec->kind) {
		case TN_IND_RSI:
			for (i = 0; i < n; i++)
				out[i] = tn_rsi_push(&ind.u.rsi, bars[i].close);
			break;
		case TN_IND_EMA:
			for (i = 0; i < n; i++)
				out[i] = tn_ema_push(&ind.u.ema, bars[i].close);
			break;
		case TN_IND_STDDEV:
			for (i = 0; i < n; i++)
				out[i] = tn_stddev_push(&ind.u.stddev, bars[i].close);
			break;
		case TN_IND_ATR:
			for (i = 0; i < n; i++)
				out[i] = tn_atr_push(&ind.u.atr, bars[i].high,
							bars[i].low, bars[i].close);
			break;
		case TN_IND_MACD:
			for (i = 0; i < n; i++)
				out[i] = tn_macd_push(&ind.u.macd, bars[i].close).hist;
			break;
		default:
			die(TN_EX_SOFTWARE, "%s: not benchmarked", what);
		}
		elapsed = now() - t0;
		if (elapsed < best)
			best = elapsed;
	}
	/* the same through tn_ind_run, the whole-series loop */
	for (rep = 0; rep < BENCH_REPEATS; rep++) {
		tn_ind_reset(&ind);
		t0 = now();
		tn_ind_run(&ind, bars, n, rows);
		elapsed = now() - t0;
		if (elapsed < best_run)
			best_run = elapsed;
	}
	for (i = 0; i < n; i++)
		if (!isnan(out[i]))
			checksum += out[i];
	printf("indicators %-14s push %6.2f ns/bar  run %6.2f ns/bar"
	       "  (%d bars, best of %d; checksum %.6g)\n", what,
	       best / n * 1e9, best_run / n * 1e9, n, BENCH_REPEATS, checksum);
	tn_ind_free(&ind);
	free(out);
	free(rows);
}

int main(int argc, char **argv)
{
	static const struct tn_ind_spec rsi = { .kind = TN_IND_RSI, .window = 14 };
	static const struct tn_ind_spec macd = { .kind = TN_IND_MACD, .fast = 12,
						 .slow = 26, .signal = 9 };
	static const struct tn_ind_spec ema = { .kind = TN_IND_EMA, .window = 12 };
	static const struct tn_ind_spec stddev = { .kind = TN_IND_STDDEV,
						   .window = 20 };
	static const struct tn_ind_spec atr = { .kind = TN_IND_ATR, .window = 14 };
	struct tn_bar *bars;

	tn_init_progname(argv);
	(void)argc;
	bars = xmalloc(sizeof *bars * BENCH_BARS);
	synthetic_bars(bars, BENCH_BARS);
	bench("RSI(14)", &rsi, bars, BENCH_BARS);
	bench("MACD(12,26,9)", &macd, bars, BENCH_BARS);
	bench("EMA(12)", &ema, bars, BENCH_BARS);
	bench("STDDEV(20)", &stddev, bars, BENCH_BARS);
	bench("ATR(14)", &atr, bars, BENCH_BARS);
	free(bars);
	return tn_finish(0);
}
