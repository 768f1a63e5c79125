/* bench/features.c - build-features' work without the CSV: nanoseconds per
 * bar of each preset's feature set over synthetic bars; and, with
 * --generate ROWS, a synthetic prices CSV of about ROWS rows on stdout for
 * bench/features.sh to time the tool on end to end.  Timings belong here,
 * never in the tests. */
#include "cli.h"
#include "features.h"
#include "prices.h"
#include "synth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The synthetic market's years each symbol covers: about 5,000 bars. */
#define BENCH_FROM_YEAR 2000
#define BENCH_TO_YEAR 2019
/* Best of this many passes. */
#define BENCH_REPEATS 5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long bars_of(const char *symbol, struct tn_bar **bars)
{
	struct tn_synth market = { TN_SYNTH_DEFAULT_SEED, TN_SYNTH_DEFAULT_SIGNAL };

	return tn_synth_bars(&market, symbol,
			     tn_date_from_civil(BENCH_FROM_YEAR, 1, 1),
			     tn_date_from_civil(BENCH_TO_YEAR, 12, 31), bars);
}

/* Prices CSV of symbols S00000, S00001, ... until rows are written. */
static int generate(long rows)
{
	struct tn_csv_writer *w = tn_prices_writer(stdout);
	char symbol[16];
	long written = 0, n, t;
	int s;

	for (s = 0; w && written < rows; s++) {
		struct tn_bar *bars;

		snprintf(symbol, sizeof symbol, "S%05d", s);
		n = bars_of(symbol, &bars);
		for (t = 0; t < n && written < rows; t++, written++) {
			/* a dividend-like adjustment, so the tool adjusts */
			bars[t].adj_close = bars[t].close * (t < n / 2 ? 0.98 : 1.0);
			if (tn_prices_write(w, symbol, &bars[t]) < 0)
				die(TN_EX_IOERR, "stdout: write error:");
		}
		free(bars);
	}
	if (tn_csv_writer_close(w) < 0)
		die(TN_EX_IOERR, "stdout: write error:");
	return tn_finish(TN_EX_OK);
}

int main(int argc, char **argv)
{
	struct tn_feature f[TN_FEAT_MAX];
	struct tn_bar *bars;
	char why[256];
	double *out, best, t0;
	long n;
	int i, r, nf;

	tn_init_progname(argv);
	if (argc == 3 && strcmp(argv[1], "--generate") == 0)
		return generate(tn_optlong("--generate", argv[2], 1, 1000000000L));
	n = bars_of("AAPL", &bars);
	for (i = 0; tn_feature_presets[i]; i++) {
		struct tn_featset *fs;

		nf = tn_feature_list_parse(tn_feature_preset(tn_feature_presets[i]),
					   f, TN_FEAT_MAX, why, sizeof why);
		if (nf < 0)
			die(TN_EX_SOFTWARE, "%s", why);
		fs = tn_featset_new(f, nf, 0);
		out = xcalloc((size_t)(n * nf), sizeof *out);
		best = 1e30;
		for (r = 0; r < BENCH_REPEATS; r++) {
			t0 = now();
			tn_featset_run(fs, bars, n, out);
			if (now() - t0 < best)
				best = now() - t0;
		}
		printf("features %-8s %2d columns %7.1f ns/bar\n",
		       tn_feature_presets[i], nf, 1e9 * best / (double)n);
		free(out);
		tn_featset_free(fs);
	}
	free(bars);
	return tn_finish(TN_EX_OK);
}
