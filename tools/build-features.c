/* build-features - prices CSV in, point-in-time features CSV out.
 *
 * One pass over the input: each symbol's rows are pushed through the
 * feature set as they arrive and written at once, so memory is bounded by
 * the longest window (or by --min-history bars), never by the input. */
#include "cli.h"
#include "csvio.h"
#include "dates.h"
#include "features.h"
#include "metrics.h"
#include "output.h"
#include "prices.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The preset used when neither --features nor --preset is given. */
#define DEFAULT_PRESET "default"
/* The tolerance build-features -v reports a --min-history for. */
#define MIN_HISTORY_TOL 1e-6
/* The largest --min-history. */
#define MAX_MIN_HISTORY 10000000L

static const char usage[] =
	"Usage: build-features [-qv] [-f LIST | -p PRESET] [--no-adjust]\n"
	"                      [--asof DATE] [--keep-warmup] [--min-history N]\n"
	"                      [--skip-bad] [--metrics-file FILE] [-o FILE]\n"
	"                      [FILE]\n"
	"Read prices CSV (FILE, or stdin when FILE is absent or '-') and write\n"
	"point-in-time features CSV: symbol,date,FEATURE...\n"
	"\n"
	"  -f, --features LIST   comma-separated feature names, e.g.\n"
	"                        close,logret_1,rsi_14,macd_12_26_9,bbupper_20_2\n"
	"  -p, --preset NAME     default, gnn or lstm (default: default)\n"
	"      --no-adjust       use raw prices, not prices scaled by\n"
	"                        adj_close/close\n"
	"      --asof DATE       ignore bars dated after DATE (YYYY-MM-DD)\n"
	"      --keep-warmup     also write rows where a feature has no value\n"
	"                        yet (empty cells)\n"
	"      --min-history N   compute from each symbol's last N bars only\n"
	"      --skip-bad        drop bad input rows and count them, instead of\n"
	"                        failing\n"
	"  -o, --output FILE     write FILE (replaced whole, or not at all)\n"
	"      --metrics-file FILE  write Prometheus metrics to FILE at the end\n"
	"  -q, --quiet           no warnings\n"
	"  -v, --verbose         report lookback and rows written\n"
	"  -h, --help            this help\n"
	"  -V, --version         the version\n"
	"\n"
	"Features and presets are listed in build-features(1).\n";

enum {
	OPT_NO_ADJUST = 256,
	OPT_ASOF,
	OPT_KEEP_WARMUP,
	OPT_MIN_HISTORY,
	OPT_SKIP_BAD,
	OPT_METRICS,
};

static const struct option longopts[] = {
	{ "features", required_argument, NULL, 'f' },
	{ "preset", required_argument, NULL, 'p' },
	{ "no-adjust", no_argument, NULL, OPT_NO_ADJUST },
	{ "asof", required_argument, NULL, OPT_ASOF },
	{ "keep-warmup", no_argument, NULL, OPT_KEEP_WARMUP },
	{ "min-history", required_argument, NULL, OPT_MIN_HISTORY },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "output", required_argument, NULL, 'o' },
	{ "metrics-file", required_argument, NULL, OPT_METRICS },
	TN_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* What one run writes, and the per-symbol state of --min-history. */
struct job {
	struct tn_featset *fs;
	struct tn_csv_writer *w;
	int keep_warmup;
	int has_asof;
	tn_day asof;
	long min_history;        /* 0: the whole history */
	double *values;          /* (max(min_history, 1), nfeatures) */
	/* --min-history: the symbol's last bars, a ring */
	char symbol[TN_SYMBOL_MAX + 1];
	struct tn_bar *ring;     /* (min_history) */
	struct tn_bar *history;  /* (min_history) the ring in date order */
	long nbars;              /* bars pushed into the ring */
	long rows;               /* rows written */
	long rows_read;          /* good input rows */
	long symbols;            /* symbols seen in the input */
};

/* What --metrics-file reports of one run. */
struct run_stats {
	const struct job *job;
	int skip_bad;
	long bad_rows;           /* rows dropped by --skip-bad */
	double start;            /* CLOCK_MONOTONIC seconds */
};

/* Writes the run's metrics to path, failed runs too: a failure to write
 * them is a warning, never the run's exit status. */
static void write_metrics(const char *path, const struct run_stats *st)
{
	struct tn_metrics m = { 0 };
	const char *what;

	tn_metrics_counter_add(&m, "tickernet_build_features_rows_read_total",
			       "Input rows read, bad rows included.", NULL,
			       (double)(st->job->rows_read + st->bad_rows));
	tn_metrics_counter_add(&m, "tickernet_build_features_rows_written_total",
			       "Features rows written.", NULL,
			       (double)st->job->rows);
	if (st->skip_bad)
		tn_metrics_counter_add(&m, "tickernet_build_features_bad_rows_total",
				       "Bad input rows skipped (--skip-bad).",
				       NULL, (double)st->bad_rows);
	tn_metrics_counter_add(&m, "tickernet_build_features_symbols_total",
			       "Symbols read.", NULL, (double)st->job->symbols);
	tn_metrics_gauge_set(&m, "tickernet_build_features_duration_seconds",
			     "Seconds the run took.", NULL,
			     tn_monotonic_seconds() - st->start);
	tn_metrics_gauge_set(&m, "tickernet_build_features_last_run_timestamp_seconds",
			     "Unix time the run ended.", NULL, (double)time(NULL));
	if (tn_metrics_write(&m, path, &what) < 0)
		warn("%s: %s:", path, what);
	tn_metrics_free(&m);
}

/* Writes one features row unless it is a warm-up row being dropped.
 * 0, or -1 when writing failed. */
static int write_row(struct job *job, const char *symbol, tn_day date,
		     const double *values, int complete)
{
	char text[TN_DATE_LEN + 1];
	int i, n = tn_featset_count(job->fs);

	if (!complete && !job->keep_warmup)
		return 0;
	tn_date_format(date, text);
	if (tn_csv_put_string(job->w, symbol) < 0 ||
	    tn_csv_put_string(job->w, text) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (tn_csv_put_double(job->w, values[i]) < 0)
			return -1;
	job->rows++;
	return tn_csv_end_row(job->w);
}

/* --min-history: computes and writes the buffered symbol's rows. */
static int flush_history(struct job *job)
{
	long n = job->nbars < job->min_history ? job->nbars : job->min_history;
	long start = job->nbars - n, t;
	int complete;

	tn_featset_reset(job->fs);
	for (t = 0; t < n; t++) {
		job->history[t] = job->ring[(start + t) % job->min_history];
		complete = tn_featset_push(job->fs, &job->history[t], job->values);
		if (write_row(job, job->symbol, job->history[t].date, job->values,
			      complete) < 0)
			return -1;
	}
	job->nbars = 0;
	return 0;
}

/* Pushes one input row.  0, or -1 when writing failed. */
static int push_row(struct job *job, const struct tn_price_row *row)
{
	int complete;

	job->rows_read++;
	job->symbols += row->first;
	if (job->min_history) {
		if (row->first && job->nbars && flush_history(job) < 0)
			return -1;
		if (row->first)
			memcpy(job->symbol, row->symbol, sizeof job->symbol);
		if (job->has_asof && row->bar.date > job->asof)
			return 0;
		job->ring[job->nbars++ % job->min_history] = row->bar;
		return 0;
	}
	if (row->first)
		tn_featset_reset(job->fs);
	if (job->has_asof && row->bar.date > job->asof)
		return 0;
	complete = tn_featset_push(job->fs, &row->bar, job->values);
	return write_row(job, row->symbol, row->bar.date, job->values, complete);
}

int main(int argc, char **argv)
{
	struct tn_feature features[TN_FEAT_MAX];
	struct tn_output out = { 0 };
	struct tn_prices_reader *pr = NULL;
	struct tn_price_row row;
	struct job job = { 0 };
	struct run_stats stats = { &job, 0, 0, tn_monotonic_seconds() };
	const char *list = NULL, *preset = NULL, *output = NULL;
	const char *metrics_file = NULL;
	const char *input = "-", *err = NULL;
	const char **names = NULL;
	char why[1024];
	FILE *in = stdin;
	int c, i, n, rc, flags = 0, prflags = 0;
	int status = TN_EX_OK;

	tn_init_progname(argv);
	while ((c = getopt_long(argc, argv, "f:p:o:" TN_COMMON_SHORTOPTS,
				longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			list = optarg;
			break;
		case 'p':
			preset = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_NO_ADJUST:
			flags |= TN_FEAT_NO_ADJUST;
			break;
		case OPT_ASOF:
			if (tn_date_parse(optarg, &job.asof) < 0)
				tn_usage_error("--asof: expected a date YYYY-MM-DD: '%s'",
					       optarg);
			job.has_asof = 1;
			break;
		case OPT_KEEP_WARMUP:
			job.keep_warmup = 1;
			break;
		case OPT_MIN_HISTORY:
			job.min_history = tn_optlong("--min-history", optarg, 1,
						     MAX_MIN_HISTORY);
			break;
		case OPT_SKIP_BAD:
			prflags |= TN_PRICES_SKIP_BAD;
			stats.skip_bad = 1;
			break;
		case OPT_METRICS:
			metrics_file = optarg;
			break;
		default:
			tn_common_option(c, usage);
			break;
		}
	}
	if (argc - optind > 1)
		tn_usage_error("one input file at most (join files with cat)");
	if (optind < argc)
		input = argv[optind];
	if (list && preset)
		tn_usage_error("--features and --preset exclude each other");
	if (preset && !(list = tn_feature_preset(preset)))
		tn_usage_error("--preset: unknown preset '%s' (default, gnn, lstm)",
			       preset);
	if (!list)
		list = tn_feature_preset(DEFAULT_PRESET);
	n = tn_feature_list_parse(list, features, TN_FEAT_MAX, why, sizeof why);
	if (n < 0)
		tn_usage_error("--features: %s", why);

	job.fs = tn_featset_new(features, n, flags);
	job.values = xcalloc((size_t)n, sizeof *job.values);
	if (job.min_history) {
		job.ring = xcalloc((size_t)job.min_history, sizeof *job.ring);
		job.history = xcalloc((size_t)job.min_history, sizeof *job.history);
	}
	if (tn_featset_min_history(job.fs, MIN_HISTORY_TOL) < 0)
		info("lookback %d bars; obv depends on where the history starts",
		     tn_featset_lookback(job.fs));
	else
		info("lookback %d bars; %d bars agree with the full history to %g",
		     tn_featset_lookback(job.fs),
		     tn_featset_min_history(job.fs, MIN_HISTORY_TOL),
		     MIN_HISTORY_TOL);

	if (strcmp(input, "-") != 0 && !(in = fopen(input, "r"))) {
		status = TN_EX_NOINPUT;
		snprintf(why, sizeof why, "%s: %s", input, strerror(errno));
		err = why;
		in = stdin;
		goto out;
	}
	if (tn_output_open(&out, output, 0644) < 0) {
		status = TN_EX_CANTCREAT;
		snprintf(why, sizeof why, "%s: %s: %s", out.name, out.what,
			 strerror(errno));
		err = why;
		goto out;
	}

	names = xcalloc((size_t)n + 2, sizeof *names);
	names[0] = "symbol";
	names[1] = "date";
	for (i = 0; i < n; i++)
		names[i + 2] = tn_featset_feature(job.fs, i)->name;
	pr = tn_prices_open(in, input, prflags);
	if ((status = tn_prices_status(pr))) {
		err = tn_prices_error(pr);
		goto out;
	}
	job.w = tn_csv_writer_open(out.fp, n + 2);
	if (tn_csv_write_header(job.w, names) < 0)
		goto write_error;
	while ((rc = tn_prices_next(pr, &row)) > 0)
		if (push_row(&job, &row) < 0)
			goto write_error;
	if (rc < 0) {
		status = tn_prices_status(pr);
		err = tn_prices_error(pr);
		goto out;
	}
	if (job.min_history && job.nbars && flush_history(&job) < 0)
		goto write_error;
	if (tn_prices_skipped(pr))
		warn("%s: %ld bad row%s skipped",
		     strcmp(input, "-") ? input : "<stdin>", tn_prices_skipped(pr),
		     tn_prices_skipped(pr) == 1 ? "" : "s");
	info("%ld rows written", job.rows);
	rc = tn_csv_writer_close(job.w);
	job.w = NULL;
	if (rc < 0)
		goto write_error;
	if (tn_output_commit(&out) < 0) {
		status = TN_EX_IOERR;
		snprintf(why, sizeof why, "%s: %s: %s", out.name, out.what,
			 strerror(errno));
		err = why;
	}
	goto out;

write_error:
	status = TN_EX_IOERR;
	snprintf(why, sizeof why, "%s: write error: %s", out.name,
		 strerror(errno));
	err = why;
out:
	if (job.w)
		tn_csv_writer_close(job.w);
	if (status)
		tn_output_abort(&out);
	/* the reader owns its error text: keep a copy past the close */
	if (err && err != why)
		snprintf(why, sizeof why, "%s", err);
	if (pr)
		stats.bad_rows = tn_prices_skipped(pr);
	tn_prices_close(pr);
	if (in != stdin)
		fclose(in);
	free(names);
	free(job.values);
	free(job.ring);
	free(job.history);
	tn_featset_free(job.fs);
	if (metrics_file)
		write_metrics(metrics_file, &stats);
	/* after the frees, so that the leak checker has nothing to turn
	 * this status into 1 for */
	if (status)
		die(status, "%s", why);
	return tn_finish(status);
}
