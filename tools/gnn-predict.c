/* gnn-predict - predictions from the per-symbol GNN models of gnn-train(1):
 * from a features CSV (pipeline mode), or answering JSON-line requests
 * with data from the store's price cache (serve mode: models in an LRU,
 * predictions cached in memory and in the store).  A symbol without a
 * usable model gets the momentum baseline and the reason (fallback); a
 * model past its age limit is flagged stale.
 *
 * Dimension letters as in gnn_model.h: N nodes, F features, L lookback. */
#include "atomic.h"
#include "cli.h"
#include "dates.h"
#include "evaluate.h"
#include "features.h"
#include "gemm.h"
#include "gnn_data.h"
#include "gnn_model.h"
#include "json.h"
#include "metrics.h"
#include "modelstore.h"
#include "nn_h5.h"
#include "panel.h"
#include "prices.h"
#include "store.h"
#include "symbol.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Models kept loaded in serve mode (--cache-size). */
#define DEFAULT_CACHE_SIZE 10
#define MAX_CACHE_SIZE 100000
/* Seconds a cached prediction lives (--ttl). */
#define DEFAULT_TTL (24 * 3600.0)
/* A model is stale this many hours after the end (24:00 UTC) of the first
 * trading day after its last training date (--max-age). */
#define DEFAULT_MAX_AGE_HOURS 24.0
#define MAX_MAX_AGE_HOURS (24.0 * 366 * 100)
/* Predictions kept in memory; the oldest goes when full. */
#define PREDICTION_CACHE_MAX 4096
/* Serve mode rewrites --metrics-file at most this often (seconds). */
#define METRICS_INTERVAL 1.0
/* The fallback: the mean daily log return of the last FALLBACK_WINDOW
 * days times the horizon (tn_baseline_momentum), or zero with less
 * history; its horizon is the model's when the file says it, else
 * gnn-train's default. */
#define FALLBACK_WINDOW TN_MOMENTUM_WINDOW
#define FALLBACK_HORIZON 1
#define BASELINE_MOMENTUM "momentum_20"
#define BASELINE_ZERO "zero"
#define CLOSE_COLUMN "close"
#define SECONDS_PER_DAY 86400
#define SECONDS_PER_HOUR 3600.0
#define KIND "gnn"
#define MODEL_NAME "gnn"
#define REASON_MAX (PATH_MAX + NN_H5_ERR_MAX + 256)
#define METRIC_PREFIX "tickernet_gnn_predict_"

enum status { STATUS_PRETRAINED, STATUS_FALLBACK, STATUS_ERROR };
static const char *const status_names[] = { "pre-trained", "fallback",
					    "error" };

static const char usage_text[] =
"Usage: gnn-predict [OPTION]... [FEATURES.csv]\n"
"       gnn-predict --serve [OPTION]...\n"
"Predict with the GNN models of the store: from a features CSV (stdin when\n"
"FEATURES.csv is absent or -), one JSON line per symbol; or, with --serve,\n"
"answer JSON-line requests {\"symbol\":\"AAPL\"} on stdin from the store's\n"
"price cache, one line each.\n"
"\n"
"  -s, --symbols LIST     predict the comma-separated symbols (default: every\n"
"                         symbol of the input that has a model)\n"
"      --serve            answer requests on stdin until its end\n"
"      --store DIR        the store (default $TICKERNET_STORE, else ./store)\n"
"      --asof DATE        use data up to DATE only (pipeline mode)\n"
"      --cache-size N     models kept loaded (default 10)\n"
"      --ttl DURATION     cached predictions live N[smhd] (default 1d; 0: off)\n"
"      --max-age HOURS    stale after HOURS past the first trading day after\n"
"                         the model's last training date (default 24)\n"
"      --now TIME         the clock, YYYY-MM-DDTHH:MM:SSZ (tests, backtests)\n"
"      --metrics-file F   write Prometheus metrics to F\n"
"  -q, --quiet            no warnings\n"
"  -v, --verbose          latency of each prediction on stderr\n"
"  -h, --help             this help\n"
"  -V, --version          version\n";

enum { OPT_SERVE = 256, OPT_STORE, OPT_ASOF, OPT_CACHE_SIZE, OPT_TTL,
       OPT_MAX_AGE, OPT_NOW, OPT_METRICS };

static const struct option longopts[] = {
	{ "symbols", required_argument, NULL, 's' },
	{ "serve", no_argument, NULL, OPT_SERVE },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "asof", required_argument, NULL, OPT_ASOF },
	{ "cache-size", required_argument, NULL, OPT_CACHE_SIZE },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "max-age", required_argument, NULL, OPT_MAX_AGE },
	{ "now", required_argument, NULL, OPT_NOW },
	{ "metrics-file", required_argument, NULL, OPT_METRICS },
	TN_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

struct opts {
	const char *root;
	int has_asof;
	tn_day asof;
	int fixed_now;            /* --now given */
	time_t now_arg;
	double max_age_hours;
	double ttl;               /* seconds */
	long cache_size;
	const char *metrics_path;
};

/* ---- the model LRU ------------------------------------------------------ */

/* One model version, loaded or found unusable (files never change once
 * written, so a failure is remembered like a success). */
struct slot {
	int used, ok;
	char symbol[TN_SYMBOL_MAX + 1];
	char version[TN_STAMP_LEN + 1];
	struct gnn_file g;
	struct gnn_work w;
	char reason[REASON_MAX];
	unsigned long last_use;
};

struct lru {
	struct slot *slots;
	long size;
	unsigned long clock;
};

/* Counters and samples of a run, for --metrics-file. */
static struct tn_metrics metrics;
static double metrics_written_at;

static void count(const char *name, const char *help, const char *label,
		  const char *value, double delta)
{
	const char *labels[] = { label, value, NULL };

	tn_metrics_counter_add(&metrics, name, help, label ? labels : NULL, delta);
}

static time_t now_of(const struct opts *o)
{
	return o->fixed_now ? o->now_arg : time(NULL);
}

static void slot_clear(struct slot *s)
{
	if (s->used && s->ok) {
		gnn_work_free(&s->w);
		gnn_file_free(&s->g);
	}
	memset(s, 0, sizeof *s);
}

/* The slot of symbol's version, loading it into the least recently used
 * slot on a miss. */
static struct slot *lru_get(struct lru *c, const char *dir, const char *symbol,
			    const char *version)
{
	char path[PATH_MAX + 32], err[PATH_MAX + NN_H5_ERR_MAX];
	struct slot *victim = NULL, *s;
	long i;

	for (i = 0; i < c->size; i++) {
		s = &c->slots[i];
		if (s->used && strcmp(s->symbol, symbol) == 0 &&
		    strcmp(s->version, version) == 0) {
			s->last_use = ++c->clock;
			return s;
		}
	}
	for (i = 0; i < c->size; i++) {
		s = &c->slots[i];
		/* an older version of the same symbol goes first */
		if (!s->used || strcmp(s->symbol, symbol) == 0) {
			victim = s;
			break;
		}
		if (!victim || s->last_use < victim->last_use)
			victim = s;
	}
	if (victim->used) {
		info("model cache: evicted %s %s", victim->symbol, victim->version);
		count(METRIC_PREFIX "model_evictions_total",
		      "Models evicted from the LRU.", NULL, NULL, 1);
		slot_clear(victim);
	}
	s = victim;
	s->used = 1;
	s->last_use = ++c->clock;
	snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
	snprintf(s->version, sizeof s->version, "%s", version);
	snprintf(path, sizeof path, "%s/%s.h5", dir, version);
	count(METRIC_PREFIX "model_loads_total", "Model files read.", NULL, NULL, 1);
	if (gnn_file_read(path, &s->g, err, sizeof err) < 0) {
		snprintf(s->reason, sizeof s->reason, "unusable model: %s", err);
		info("model cache: %s", s->reason);
		return s;
	}
	if (strcmp(s->g.symbol, symbol) != 0) {
		snprintf(s->reason, sizeof s->reason,
			 "unusable model: %s: trained for %s, not %s", path,
			 s->g.symbol, symbol);
		gnn_file_free(&s->g);
		return s;
	}
	gnn_work_init(&s->w, &s->g.model.cfg, 1);
	s->ok = 1;
	info("model cache: loaded %s %s", symbol, version);
	return s;
}

/* The model of symbol to answer with: the current version, or with an
 * asof date the newest version from current back whose training data
 * end on or before it, so a backtest never sees a model that knew the
 * future.  Its slot, or NULL with reason set. */
static struct slot *current_model(struct lru *c, const struct opts *o,
				  const char *symbol, int has_asof, tn_day asof,
				  char *reason, size_t size)
{
	char dir[PATH_MAX], stamp[TN_STAMP_LEN + 1], again[TN_STAMP_LEN + 1];
	char err[REASON_MAX], day[TN_DATE_LEN + 1];
	char (*versions)[TN_STAMP_LEN + 1] = NULL;
	struct slot *s;
	size_t n = 0, i;

	if (tn_store_model_dir(dir, sizeof dir, o->root, KIND, symbol) < 0) {
		snprintf(reason, size, "%s: %s", o->root, strerror(errno));
		return NULL;
	}
	if (tn_ms_current(dir, stamp, err, sizeof err) != 0) {
		snprintf(reason, size, "%s", err);
		return NULL;
	}
	if (!stamp[0]) {
		snprintf(reason, size, "no model: %s/%s does not exist", dir,
			 TN_STORE_CURRENT);
		return NULL;
	}
	s = lru_get(c, dir, symbol, stamp);
	/* A version pruned between readlink and open: current.h5 has moved
	 * on, so look once more. */
	if (!s->ok && tn_ms_current(dir, again, err, sizeof err) == 0 && again[0] &&
	    strcmp(again, stamp) != 0)
		s = lru_get(c, dir, symbol, again);
	if (!s->ok) {
		snprintf(reason, size, "%s", s->reason);
		return NULL;
	}
	if (!has_asof || s->g.last_train <= asof)
		return s;
	snprintf(stamp, sizeof stamp, "%s", s->version);
	if (tn_ms_versions(dir, &versions, &n, err, sizeof err) != 0) {
		snprintf(reason, size, "%s", err);
		return NULL;
	}
	/* versions sort oldest first: the ones before current, newest first
	 * (an unusable one is skipped: it cannot answer anyway) */
	for (i = n; i > 0; i--) {
		if (strcmp(versions[i - 1], stamp) >= 0)
			continue;
		s = lru_get(c, dir, symbol, versions[i - 1]);
		if (s->ok && s->g.last_train <= asof) {
			free(versions);
			return s;
		}
	}
	free(versions);
	tn_date_format(asof, day);
	snprintf(reason, size, "no model version in %s was trained on data "
		 "ending on or before %s", dir, day);
	return NULL;
}

static int has_store_model(const struct opts *o, const char *symbol)
{
	char path[PATH_MAX];
	struct stat st;

	if (tn_store_current_path(path, sizeof path, o->root, KIND, symbol) < 0)
		return 0;
	return lstat(path, &st) == 0;
}

/* ---- predictions -------------------------------------------------------- */

struct answer {
	char symbol[TN_SYMBOL_MAX + 1];     /* "" when unknown */
	enum status status;
	char asof[TN_DATE_LEN + 1];         /* "" when unknown */
	double ret, price, last_close;
	char version[TN_STAMP_LEN + 1];     /* pre-trained only */
	double age_hours;
	int stale;
	time_t stale_at;                    /* pre-trained: when it turns stale */
	const char *baseline;               /* fallback only */
	char reason[REASON_MAX];            /* fallback: why; error: message */
};

/* The moment after which a model trained to last_train is stale. */
static time_t stale_after(const struct opts *o, tn_day last_train)
{
	return (time_t)(tn_next_trading_day(last_train) + 1) * SECONDS_PER_DAY +
	       (time_t)(o->max_age_hours * SECONDS_PER_HOUR);
}

static double close_at(const struct tn_panel *p, int close_col, int s, int d)
{
	double c = tn_panel_row(p, s, d)[close_col];

	return isfinite(c) && c > 0 ? c : NAN;
}

/* Daily log return of symbol s on day d (NAN on the first day or a gap). */
static double logret_at(const struct tn_panel *p, int close_col, int s, int d)
{
	if (d < 1)
		return NAN;
	return log(close_at(p, close_col, s, d) / close_at(p, close_col, s, d - 1));
}

/* The model's predicted log return for day d of panel p; 0, or -1 with
 * reason set (the caller falls back). */
static int model_predict(double *ret, struct slot *m, const struct tn_panel *p,
			 int close_col, int d, const char *input, char *reason,
			 size_t size)
{
	const struct gnn_file *g = &m->g;
	int N = g->N, F = g->F, L = g->lookback, i, f, t, rc = -1;
	int *cols = xmalloc(sizeof(int) * (size_t)F);
	int *nodes = xmalloc(sizeof(int) * (size_t)N);
	double *window = xmalloc(sizeof(double) * (size_t)N * (size_t)L);
	const double **series = xmalloc(sizeof *series * (size_t)N);
	real *x = xmalloc(sizeof(real) * (size_t)N * (size_t)F);
	real *adj = xmalloc(sizeof(real) * (size_t)N * (size_t)N);
	char day[TN_DATE_LEN + 1];

	tn_date_format(p->dates[d], day);
	for (f = 0; f < F; f++) {
		cols[f] = tn_panel_feature(p, g->features[f]);
		if (cols[f] < 0) {
			snprintf(reason, size, "features missing: no column '%s' in %s",
				 g->features[f], input);
			goto out;
		}
	}
	for (i = 0; i < N; i++) {
		nodes[i] = tn_panel_symbol(p, g->nodes[i]);
		if (nodes[i] < 0) {
			snprintf(reason, size, "features missing: peer %s has no data in %s",
				 g->nodes[i], input);
			goto out;
		}
	}
	for (f = 0; f < F; f++)
		if (!isfinite(tn_panel_row(p, nodes[0], d)[cols[f]])) {
			snprintf(reason, size,
				 "not enough history: %s has no '%s' on %s", g->nodes[0],
				 g->features[f], day);
			goto out;
		}
	if (d < L - 1) {
		snprintf(reason, size,
			 "not enough history: %d days up to %s, the model's lookback needs %d",
			 d + 1, day, L);
		goto out;
	}
	/* The snapshot exactly as gnn-train builds it (gnn_data.h). */
	for (i = 0; i < N; i++) {
		double *w = window + (size_t)i * (size_t)L;

		for (t = 0; t < L; t++)
			w[t] = logret_at(p, close_col, nodes[i], d - L + 1 + t);
		series[i] = w;
		gnn_standardise_node(x + (size_t)i * (size_t)F,
				     tn_panel_row(p, nodes[i], d), cols, g->mean,
				     g->std, F);
	}
	gnn_snapshot_adjacency(adj, series, N, L - 1, 0, L, g->threshold);
	gnn_forward(&g->model, &m->w, x, adj, NULL, 1, NULL);
	*ret = (double)m->w.pred[0] * (double)g->target_std;
	if (!isfinite(*ret)) {
		snprintf(reason, size, "the model's output is not finite");
		goto out;
	}
	rc = 0;
out:
	free(cols);
	free(nodes);
	free(window);
	free(series);
	free(x);
	free(adj);
	return rc;
}

/* Answers symbol from panel p up to day index `last` with model m (NULL:
 * none, why in m_reason). */
static void predict(struct answer *a, const struct opts *o, time_t now,
		    const struct tn_panel *p, int close_col, const char *symbol,
		    int last, struct slot *m, const char *m_reason,
		    const char *input)
{
	int s, d, t, horizon = FALLBACK_HORIZON;
	double *lr;

	memset(a, 0, sizeof *a);
	snprintf(a->symbol, sizeof a->symbol, "%s", symbol);
	s = tn_panel_symbol(p, symbol);
	if (s < 0) {
		a->status = STATUS_ERROR;
		snprintf(a->reason, sizeof a->reason, "%s: no data in %s", symbol,
			 input);
		return;
	}
	for (d = last; d >= 0 && !isfinite(close_at(p, close_col, s, d)); d--)
		;
	if (d < 0) {
		a->status = STATUS_ERROR;
		snprintf(a->reason, sizeof a->reason, "%s: no close%s in %s", symbol,
			 last < p->ndates - 1 ? " on or before the date asked for" : "",
			 input);
		return;
	}
	tn_date_format(p->dates[d], a->asof);
	a->last_close = close_at(p, close_col, s, d);
	if (m) {
		const struct gnn_file *g = &m->g;

		horizon = g->horizon;
		if (model_predict(&a->ret, m, p, close_col, d, input, a->reason,
				  sizeof a->reason) == 0) {
			a->status = STATUS_PRETRAINED;
			snprintf(a->version, sizeof a->version, "%s", g->version);
			a->age_hours = (double)(now - g->created) / SECONDS_PER_HOUR;
			a->stale_at = stale_after(o, g->last_train);
			a->stale = now > a->stale_at;
			a->price = a->last_close * exp(a->ret);
			return;
		}
	} else {
		snprintf(a->reason, sizeof a->reason, "%s", m_reason);
	}
	a->status = STATUS_FALLBACK;
	lr = xmalloc(sizeof(double) * ((size_t)d + 1));
	for (t = 0; t <= d; t++)
		lr[t] = logret_at(p, close_col, s, t);
	a->ret = tn_baseline_momentum(lr, d, FALLBACK_WINDOW, horizon);
	a->baseline = BASELINE_MOMENTUM;
	if (!isfinite(a->ret)) {
		a->ret = 0;
		a->baseline = BASELINE_ZERO;
	}
	free(lr);
	a->price = a->last_close * exp(a->ret);
}

/* The answer as one JSON line (malloc'ed, no newline). */
static char *answer_line(const struct answer *a)
{
	cJSON *o = tn_json_object();
	char *text;

	tn_json_add_string(o, "symbol", a->symbol[0] ? a->symbol : NULL);
	tn_json_add_string(o, "asof", a->asof[0] ? a->asof : NULL);
	tn_json_add_string(o, "model", MODEL_NAME);
	tn_json_add_string(o, "status", status_names[a->status]);
	if (a->status == STATUS_ERROR) {
		tn_json_add_string(o, "message", a->reason);
		goto print;
	}
	tn_json_add_number(o, "predicted_return", a->ret);
	tn_json_add_number(o, "predicted_price", a->price);
	tn_json_add_number(o, "last_close", a->last_close);
	if (a->status == STATUS_PRETRAINED) {
		tn_json_add_string(o, "model_version", a->version);
		tn_json_add_number(o, "model_age_hours", a->age_hours);
	} else {
		tn_json_add_string(o, "model_version", NULL);
		tn_json_add_number(o, "model_age_hours", NAN);
	}
	tn_json_add_bool(o, "stale", a->stale);
	if (a->status == STATUS_FALLBACK) {
		tn_json_add_string(o, "baseline", a->baseline);
		tn_json_add_string(o, "reason", a->reason);
	}
print:
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		die(TN_EX_SOFTWARE, "out of memory");
	return text;
}

static void emit(const char *line)
{
	if (fputs(line, stdout) == EOF || putchar('\n') == EOF ||
	    fflush(stdout) == EOF)
		die(TN_EX_IOERR, "stdout:");
}

/* Metrics and -v for one answer, latency in seconds. */
static void account(const struct answer *a, const char *source, double latency)
{
	count(METRIC_PREFIX "predictions_total", "Predictions answered.", "status",
	      status_names[a->status], 1);
	if (a->status == STATUS_FALLBACK)
		count(METRIC_PREFIX "fallbacks_total",
		      "Predictions answered by the baseline.", NULL, NULL, 1);
	count(METRIC_PREFIX "latency_seconds_sum",
	      "Total time spent answering, seconds.", NULL, NULL, latency);
	count(METRIC_PREFIX "latency_seconds_count", "Answers timed.", NULL, NULL, 1);
	if (a->status == STATUS_PRETRAINED) {
		const char *labels[] = { "symbol", a->symbol, NULL };

		tn_metrics_gauge_set(&metrics, METRIC_PREFIX "model_age_hours",
				     "Age of the model that answered, hours.", labels,
				     a->age_hours);
		tn_metrics_gauge_set(&metrics, METRIC_PREFIX "model_stale",
				     "1 when the model that answered is stale.", labels,
				     a->stale);
	}
	info("%s: %s in %.1f us (%s)", a->symbol[0] ? a->symbol : "-",
	     status_names[a->status], latency * 1e6, source);
}

static void write_metrics(const struct opts *o)
{
	/* static: gcc cannot see that tn_metrics_write keeps no pointer to it
	 * in the (static) metrics */
	static const char *what;

	if (!o->metrics_path)
		return;
	if (tn_metrics_write(&metrics, o->metrics_path, &what) < 0)
		warn("%s: %s:", o->metrics_path, what);
	metrics_written_at = tn_monotonic_seconds();
}

/* ---- pipeline mode ------------------------------------------------------ */

/* Waits for OpenBLAS (tn_blas_preload), which every model needs. */
static void blas_ready(void)
{
	const char *why;

	if (tn_blas_init(&why) < 0)
		die(TN_EX_SOFTWARE, "BLAS: %s", why);
}

static int run_pipeline(const struct opts *o, struct lru *c, const char *input,
			char **symbols, int nsym)
{
	const char *name = strcmp(input, "-") == 0 ? "<stdin>" : input;
	char err[1024], reason[REASON_MAX];
	struct tn_panel panel;
	struct answer a;
	int rc, i, close_col, last, failed = 0;
	FILE *in = strcmp(input, "-") == 0 ? stdin : fopen(input, "r");

	if (!in)
		die(TN_EX_NOINPUT, "%s:", input);
	rc = tn_panel_read(&panel, in, input, err, sizeof err);
	if (in != stdin)
		fclose(in);
	if (rc)
		die(rc, "%s", err);
	close_col = tn_panel_feature(&panel, CLOSE_COLUMN);
	if (close_col < 0)
		die(TN_EX_DATAERR, "%s: no column '%s' (build-features --preset gnn)",
		    name, CLOSE_COLUMN);
	if (!symbols) {
		for (i = 0; i < panel.nsym; i++) {
			if (!has_store_model(o, panel.symbols[i]))
				continue;
			symbols = xreallocarray(symbols, (size_t)nsym + 1, sizeof *symbols);
			symbols[nsym++] = xstrdup(panel.symbols[i]);
		}
		if (nsym == 0)
			die(TN_EX_NOINPUT,
			    "%s: no symbol of the input has a model in %s/models/%s: name symbols with --symbols for baseline predictions",
			    name, o->root, KIND);
	}
	last = o->has_asof ? tn_panel_date_at_or_before(&panel, o->asof)
			   : panel.ndates - 1;
	for (i = 0; i < nsym; i++) {
		double t0 = tn_monotonic_seconds();
		time_t now = now_of(o);
		struct slot *m = NULL;
		char *line;

		if (tn_panel_symbol(&panel, symbols[i]) >= 0)
			m = current_model(c, o, symbols[i], o->has_asof,
					  o->asof, reason, sizeof reason);
		/* after the input and the first model are read, before any
		 * output (a no-op once loaded) */
		blas_ready();
		if (last < 0) {
			memset(&a, 0, sizeof a);
			snprintf(a.symbol, sizeof a.symbol, "%s", symbols[i]);
			a.status = STATUS_ERROR;
			snprintf(a.reason, sizeof a.reason,
				 "%s: no data on or before the --asof date in %s",
				 symbols[i], name);
		} else {
			predict(&a, o, now, &panel, close_col, symbols[i], last, m,
				reason, name);
		}
		if (a.status == STATUS_ERROR) {
			warn("%s", a.reason);
			failed = 1;
		}
		line = answer_line(&a);
		emit(line);
		cJSON_free(line);
		account(&a, "computed", tn_monotonic_seconds() - t0);
	}
	tn_symbol_list_free(symbols, nsym);
	tn_panel_free(&panel);
	return failed ? TN_EX_FAIL : TN_EX_OK;
}

/* ---- serve mode: data from the price cache ------------------------------ */

/* Parsed price files and the features computed from them, kept while
 * the file is unchanged: parsing and the features were nearly all of a
 * computed prediction, and the models of a universe share their peers.
 * "Unchanged" is the same device, inode, size and modification time (to
 * the nanosecond), taken from the opened file, so a file replaced by
 * rename (fetch-prices' way) or rewritten is read again.  The features
 * are kept for one list of names (a model's; the gnn preset's for all of
 * them, usually).  At most BARS_CACHE_MAX symbols, the least recently
 * used going first, but never one the panel being built uses: a model
 * with more nodes than that grows the cache. */
#define BARS_CACHE_MAX 64

struct bars_entry {
	char symbol[TN_SYMBOL_MAX + 1];
	dev_t dev;
	ino_t ino;
	off_t size;
	long long mtime_ns;
	struct tn_bar *bars;   /* (n), NULL when not read */
	long n;
	char *feat_names;      /* the feature list feat is for, or NULL */
	double *feat;          /* (n, nf) tn_featset_run's rows */
	unsigned long used;
};

struct bcache {
	struct bars_entry *e;
	int n, cap;
	unsigned long tick;
	unsigned long pinned; /* entries used since this tick are in use */
};

static void entry_clear(struct bars_entry *e)
{
	free(e->bars);
	free(e->feat_names);
	free(e->feat);
	e->bars = NULL;
	e->feat_names = NULL;
	e->feat = NULL;
	e->n = 0;
}

static void bcache_free(struct bcache *bc)
{
	for (int i = 0; i < bc->n; i++)
		entry_clear(&bc->e[i]);
	free(bc->e);
	memset(bc, 0, sizeof *bc);
}

/* The entry for symbol, or an empty one: a new one, or the least
 * recently used one not pinned.  Entries may move; their arrays do not. */
static struct bars_entry *bcache_slot(struct bcache *bc, const char *symbol)
{
	struct bars_entry *e = NULL;
	int i;

	for (i = 0; i < bc->n; i++)
		if (strcmp(bc->e[i].symbol, symbol) == 0)
			return &bc->e[i];
	if (bc->n >= BARS_CACHE_MAX)
		for (i = 0; i < bc->n; i++)
			if (bc->e[i].used < bc->pinned && (!e || bc->e[i].used < e->used))
				e = &bc->e[i];
	if (e) {
		entry_clear(e);
	} else {
		if (bc->n == bc->cap) {
			bc->cap = bc->cap ? 2 * bc->cap : 16;
			bc->e = xreallocarray(bc->e, (size_t)bc->cap, sizeof *bc->e);
		}
		e = &bc->e[bc->n++];
	}
	memset(e, 0, sizeof *e);
	snprintf(e->symbol, sizeof e->symbol, "%s", symbol);
	return e;
}

static long long mtime_ns(const struct stat *st)
{
	return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

/* Whether e holds the file st describes. */
static int unchanged(const struct bars_entry *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino &&
	       e->size == st->st_size && e->mtime_ns == mtime_ns(st);
}

/* ROOT/prices/SYMBOL.csv's entry, read again unless unchanged: NULL with
 * reason when it cannot be read or holds no prices of the symbol. */
static struct bars_entry *read_bars(const char *root, const char *symbol,
				    struct bcache *bc, char *reason, size_t size)
{
	char path[PATH_MAX];
	struct tn_prices_reader *pr;
	struct tn_price_row row;
	struct bars_entry *e;
	struct stat st;
	long cap = 0;
	int rc;
	FILE *fp;

	/* a stat, not an open, while the file is unchanged */
	if (tn_store_prices_path(path, sizeof path, root, symbol) < 0 ||
	    stat(path, &st) < 0) {
		snprintf(reason, size, "%s: no prices: %s: %s", symbol, path,
			 strerror(errno));
		return NULL;
	}
	e = bcache_slot(bc, symbol);
	/* read for this panel already (a symbol named twice): as it was, even
	 * if the file changed since, since the panel holds its arrays */
	if (e->bars && e->used >= bc->pinned)
		return e;
	e->used = ++bc->tick;
	if (e->bars && unchanged(e, &st))
		return e;
	entry_clear(e);
	/* the identity kept is the opened file's: it may have been replaced
	 * since the stat */
	if (!(fp = fopen(path, "r")) || fstat(fileno(fp), &st) < 0) {
		snprintf(reason, size, "%s: no prices: %s: %s", symbol, path,
			 strerror(errno));
		if (fp)
			fclose(fp);
		return NULL;
	}
	pr = tn_prices_open(fp, path, 0);
	while (tn_prices_status(pr) == 0 && (rc = tn_prices_next(pr, &row)) > 0) {
		if (strcmp(row.symbol, symbol) != 0)
			continue;
		if (e->n == cap) {
			cap = cap ? 2 * cap : 1024;
			e->bars = xreallocarray(e->bars, (size_t)cap, sizeof *e->bars);
		}
		e->bars[e->n++] = row.bar;
	}
	rc = tn_prices_status(pr);
	if (rc)
		snprintf(reason, size, "%s", tn_prices_error(pr));
	else if (!e->bars)
		snprintf(reason, size, "%s: no prices in the store's price cache",
			 symbol);
	tn_prices_close(pr);
	fclose(fp);
	if (rc || !e->bars) {
		/* nothing kept: the next request reads the file again */
		entry_clear(e);
		return NULL;
	}
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->size = st.st_size;
	e->mtime_ns = mtime_ns(&st);
	return e;
}

/* The union of the sorted, distinct dates a (na) and b's (nb) into out
 * (room for na + nb); returns its length. */
static long merge_days(tn_day *out, const tn_day *a, long na,
		       const struct tn_bar *b, long nb)
{
	long i = 0, j = 0, k = 0;

	while (i < na || j < nb) {
		if (j == nb || (i < na && a[i] < b[j].date)) {
			out[k++] = a[i++];
		} else if (i == na || b[j].date < a[i]) {
			out[k++] = b[j++].date;
		} else {
			out[k++] = a[i++];
			j++;
		}
	}
	return k;
}

/* A panel of symbols[0..nsym) from the price cache, with the features
 * named (those the registry knows; a model then finds the others missing)
 * and close, computed by build-features' own code (features.h).  The
 * first symbol must have prices; a peer without them is left out.
 * Returns 0, or -1 with reason. */
static int build_panel(struct tn_panel *p, const char *root, struct bcache *bc,
		       char *const *symbols, int nsym, char *const *names,
		       int nnames, char *reason, size_t size)
{
	struct tn_feature *feat = xmalloc(sizeof *feat * (size_t)(nnames + 1));
	/* the entries' arrays: the entries themselves may move */
	const struct tn_bar **bars = xcalloc((size_t)nsym, sizeof *bars);
	const double **rows = xcalloc((size_t)nsym, sizeof *rows);
	long *nbars = xcalloc((size_t)nsym, sizeof *nbars), total = 0, k;
	struct tn_featset *fs = NULL;
	char why[128], peer_reason[REASON_MAX], *sig;
	int nf = 0, have_close = 0, i, j, s, rc = -1;
	size_t siglen = 1;
	tn_day *tmp;

	memset(p, 0, sizeof *p);
	for (i = 0; i < nnames; i++)
		if (tn_feature_parse(names[i], &feat[nf], why, sizeof why) == 0) {
			have_close |= strcmp(feat[nf].name, CLOSE_COLUMN) == 0;
			nf++;
		}
	if (!have_close && tn_feature_parse(CLOSE_COLUMN, &feat[nf], why, sizeof why) == 0)
		nf++;
	/* the list the features are kept for: the names, comma-ended */
	for (i = 0; i < nf; i++)
		siglen += strlen(feat[i].name) + 1;
	sig = xcalloc(siglen, 1);
	for (i = 0; i < nf; i++) {
		strcat(sig, feat[i].name);
		strcat(sig, ",");
	}
	bc->pinned = bc->tick + 1;
	for (i = 0; i < nsym; i++) {
		struct bars_entry *e = read_bars(root, symbols[i], bc,
						 i == 0 ? reason : peer_reason,
						 i == 0 ? size : sizeof peer_reason);

		if (!e) {
			if (i == 0)
				goto out;
			continue;
		}
		if (!e->feat_names || strcmp(e->feat_names, sig) != 0) {
			if (!fs)
				fs = tn_featset_new(feat, nf, 0);
			free(e->feat_names);
			e->feat = xreallocarray(e->feat, (size_t)e->n * (size_t)nf,
						sizeof *e->feat);
			tn_featset_run(fs, e->bars, e->n, e->feat);
			e->feat_names = xstrdup(sig);
		}
		bars[i] = e->bars;
		rows[i] = e->feat;
		nbars[i] = e->n;
		total += e->n;
	}
	/* The date axis: every day any of them has. */
	p->dates = xmalloc(sizeof(tn_day) * (size_t)total);
	tmp = xmalloc(sizeof(tn_day) * (size_t)total);
	for (i = 0, k = 0; i < nsym; i++) {
		k = merge_days(tmp, p->dates, k, bars[i], nbars[i]);
		memcpy(p->dates, tmp, sizeof(tn_day) * (size_t)k);
	}
	free(tmp);
	p->ndates = k;
	p->nfeat = nf;
	p->features = xmalloc(sizeof(char *) * (size_t)nf);
	for (i = 0; i < nf; i++)
		p->features[i] = xstrdup(feat[i].name);
	p->symbols = xmalloc(sizeof *p->symbols * (size_t)nsym);
	for (i = 0; i < nsym; i++)
		if (nbars[i] > 0)
			snprintf(p->symbols[p->nsym++], TN_SYMBOL_MAX + 1, "%s",
				 symbols[i]);
	p->values = xmalloc(sizeof(double) * (size_t)p->nsym * (size_t)p->ndates *
			    (size_t)nf);
	for (k = 0; k < (long)p->nsym * p->ndates * nf; k++)
		p->values[k] = NAN;
	for (i = 0, s = 0; i < nsym; i++) {
		if (nbars[i] == 0)
			continue;
		for (k = 0, j = 0; k < nbars[i]; k++) {
			while (p->dates[j] < bars[i][k].date)
				j++;
			memcpy(tn_panel_row(p, s, j), rows[i] + (size_t)k * (size_t)nf,
			       sizeof(double) * (size_t)nf);
		}
		s++;
	}
	rc = 0;
out:
	if (rc)
		tn_panel_free(p);
	tn_featset_free(fs);
	free(bars);
	free(rows);
	free(nbars);
	free(feat);
	free(sig);
	return rc;
}

/* ---- serve mode: the prediction caches ---------------------------------- */

/* What a cached prediction depends on: the symbol, the date asked for
 * (-1: the latest), the model version and the target's price file (its
 * size and modification time stand for its last data date). */
struct pkey {
	char symbol[TN_SYMBOL_MAX + 1];
	tn_day asof;
	char version[TN_STAMP_LEN + 1];
	long long size, mtime_ns;
};

struct pentry {
	struct pkey key;
	time_t expires;
	char *line;
};

struct pcache {
	struct pentry *e;
	int n;
};

static int key_equal(const struct pkey *a, const struct pkey *b)
{
	return a->asof == b->asof && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && strcmp(a->symbol, b->symbol) == 0 &&
	       strcmp(a->version, b->version) == 0;
}

static struct pentry *pcache_find(struct pcache *pc, const struct pkey *k,
				  time_t now)
{
	int i;

	for (i = 0; i < pc->n; i++)
		if (key_equal(&pc->e[i].key, k)) {
			if (now < pc->e[i].expires)
				return &pc->e[i];
			return NULL;
		}
	return NULL;
}

static void pcache_put(struct pcache *pc, const struct pkey *k, time_t expires,
		       const char *line)
{
	struct pentry *slot = NULL;
	int i;

	for (i = 0; i < pc->n && !slot; i++)
		if (strcmp(pc->e[i].key.symbol, k->symbol) == 0 &&
		    pc->e[i].key.asof == k->asof)
			slot = &pc->e[i];
	if (!slot && pc->n < PREDICTION_CACHE_MAX) {
		if (!pc->e)
			pc->e = xcalloc(PREDICTION_CACHE_MAX, sizeof *pc->e);
		slot = &pc->e[pc->n++];
	}
	if (!slot)
		for (i = 0; i < pc->n; i++)
			if (!slot || pc->e[i].expires < slot->expires)
				slot = &pc->e[i];
	free(slot->line);
	slot->key = *k;
	slot->expires = expires;
	slot->line = xstrdup(line);
}

static void pcache_free(struct pcache *pc)
{
	int i;

	for (i = 0; i < pc->n; i++)
		free(pc->e[i].line);
	free(pc->e);
}

/* The store's cache file predictions/gnn/SYMBOL.json, for the latest data
 * only: two JSON lines, what the prediction depends on,
 *   {"symbol":..,"model_version":..|null,"prices_size":..,
 *    "prices_mtime_ns":"..","created_at":..,"expires_at":..}
 * then the prediction line exactly as it was answered.  Returns that line
 * (malloc'ed) when the file matches k and has not expired, else NULL. */
static char *store_cache_get(const struct opts *o, const struct pkey *k,
			     time_t now, time_t *expires)
{
	char path[PATH_MAX], mt[32], *text = NULL, *nl;
	const char *s, *why;
	cJSON *head = NULL, *pred = NULL;
	double v, size, exp_at;
	size_t cap = 0;
	ssize_t len;
	FILE *fp;

	if (tn_store_prediction_path(path, sizeof path, o->root, KIND, k->symbol) < 0 ||
	    !(fp = fopen(path, "r")))
		return NULL;
	len = getdelim(&text, &cap, '\0', fp);
	fclose(fp);
	if (len <= 0 || !(nl = strchr(text, '\n')))
		goto miss;
	*nl++ = '\0';
	nl[strcspn(nl, "\n")] = '\0';
	head = cJSON_Parse(text);
	pred = cJSON_Parse(nl);
	snprintf(mt, sizeof mt, "%lld", k->mtime_ns);
	s = NULL;
	if (!cJSON_IsObject(head) || !cJSON_IsObject(pred) ||
	    tn_json_string(head, "symbol", &s, &why) < 0 || strcmp(s, k->symbol))
		goto miss;
	s = NULL;
	if (tn_json_opt_string(head, "model_version", &s, &why) < 0 ||
	    strcmp(s ? s : "", k->version))
		goto miss;
	if (tn_json_number(head, "prices_size", &size, &why) < 0 ||
	    size != (double)k->size ||
	    tn_json_string(head, "prices_mtime_ns", &s, &why) < 0 || strcmp(s, mt) ||
	    tn_json_number(head, "expires_at", &exp_at, &why) < 0 ||
	    !((double)now < exp_at) ||
	    tn_json_number(head, "created_at", &v, &why) < 0 ||
	    (double)now - v > o->ttl)
		goto miss;
	*expires = (time_t)exp_at;
	memmove(text, nl, strlen(nl) + 1);
	cJSON_Delete(head);
	cJSON_Delete(pred);
	return text;
miss:
	cJSON_Delete(head);
	cJSON_Delete(pred);
	free(text);
	return NULL;
}

static void store_cache_put(const struct opts *o, const struct pkey *k,
			    time_t now, time_t expires, const char *line)
{
	char path[PATH_MAX], mt[32], *text, *slash;
	struct tn_atomic at;
	cJSON *head;

	if (tn_store_prediction_path(path, sizeof path, o->root, KIND, k->symbol) < 0)
		return;
	head = tn_json_object();
	snprintf(mt, sizeof mt, "%lld", k->mtime_ns);
	tn_json_add_string(head, "symbol", k->symbol);
	tn_json_add_string(head, "model_version", k->version[0] ? k->version : NULL);
	tn_json_add_number(head, "prices_size", (double)k->size);
	tn_json_add_string(head, "prices_mtime_ns", mt);
	tn_json_add_number(head, "created_at", (double)now);
	tn_json_add_number(head, "expires_at", (double)expires);
	text = cJSON_PrintUnformatted(head);
	cJSON_Delete(head);
	if (!text)
		die(TN_EX_SOFTWARE, "out of memory");
	slash = strrchr(path, '/');
	*slash = '\0';
	if (tn_mkdirs(path, 0755) < 0) {
		info("%s: cannot cache predictions: %s", path, strerror(errno));
		goto out;
	}
	*slash = '/';
	if (tn_atomic_open(&at, path, 0644) < 0) {
		info("%s: %s: %s", path, at.what, strerror(errno));
		goto out;
	}
	fprintf(at.fp, "%s\n%s\n", text, line);
	if (tn_atomic_commit(&at) < 0)
		info("%s: %s: %s", path, at.what, strerror(errno));
out:
	cJSON_free(text);
}

/* ---- serve mode: requests ----------------------------------------------- */

static void answer_error(const char *symbol, const char *message, double t0)
{
	struct answer a;
	char *line;

	memset(&a, 0, sizeof a);
	snprintf(a.symbol, sizeof a.symbol, "%s", symbol ? symbol : "");
	a.status = STATUS_ERROR;
	snprintf(a.reason, sizeof a.reason, "%s", message);
	warn("%s", message);
	line = answer_line(&a);
	emit(line);
	cJSON_free(line);
	account(&a, "request", tn_monotonic_seconds() - t0);
}

static void serve_one(const struct opts *o, struct lru *c, struct pcache *pc,
		      struct bcache *bc, const char *symbol, int has_asof,
		      tn_day asof, double t0)
{
	char dir[PATH_MAX], prices[PATH_MAX], err[REASON_MAX], reason[REASON_MAX];
	struct pkey k;
	struct pentry *hit;
	struct stat st;
	struct answer a;
	struct tn_panel panel;
	struct slot *m;
	time_t now = now_of(o), expires;
	char *line;
	int last;

	memset(&k, 0, sizeof k);
	snprintf(k.symbol, sizeof k.symbol, "%s", symbol);
	k.asof = has_asof ? asof : -1;
	if (tn_store_model_dir(dir, sizeof dir, o->root, KIND, symbol) < 0 ||
	    tn_store_prices_path(prices, sizeof prices, o->root, symbol) < 0) {
		snprintf(err, sizeof err, "%s: %s", o->root, strerror(errno));
		answer_error(symbol, err, t0);
		return;
	}
	if (stat(prices, &st) < 0) {
		snprintf(err, sizeof err, "%s: no prices: %s: %s", symbol, prices,
			 strerror(errno));
		answer_error(symbol, err, t0);
		return;
	}
	k.size = (long long)st.st_size;
	k.mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	if (tn_ms_current(dir, k.version, err, sizeof err) != 0)
		k.version[0] = '\0';
	if (o->ttl > 0) {
		hit = pcache_find(pc, &k, now);
		if (hit) {
			emit(hit->line);
			count(METRIC_PREFIX "cache_hits_total", "Predictions served from a cache.",
			      "cache", "memory", 1);
			count(METRIC_PREFIX "predictions_total", "Predictions answered.",
			      "status", "cached", 1);
			info("%s: cached in %.1f us (memory cache)", symbol,
			     (tn_monotonic_seconds() - t0) * 1e6);
			return;
		}
		if (!has_asof && (line = store_cache_get(o, &k, now, &expires))) {
			emit(line);
			pcache_put(pc, &k, expires, line);
			free(line);
			count(METRIC_PREFIX "cache_hits_total", "Predictions served from a cache.",
			      "cache", "store", 1);
			count(METRIC_PREFIX "predictions_total", "Predictions answered.",
			      "status", "cached", 1);
			info("%s: cached in %.1f us (store cache)", symbol,
			     (tn_monotonic_seconds() - t0) * 1e6);
			return;
		}
		count(METRIC_PREFIX "cache_misses_total",
		      "Predictions computed because no cache had them.", NULL, NULL, 1);
	}
	m = current_model(c, o, symbol, has_asof, asof, reason, sizeof reason);
	if (build_panel(&panel, o->root, bc, m ? m->g.nodes : (char *const[]){ (char *)symbol },
			m ? m->g.N : 1, m ? m->g.features : NULL, m ? m->g.F : 0,
			err, sizeof err) < 0) {
		answer_error(symbol, err, t0);
		return;
	}
	last = has_asof ? tn_panel_date_at_or_before(&panel, asof) : panel.ndates - 1;
	predict(&a, o, now, &panel, tn_panel_feature(&panel, CLOSE_COLUMN), symbol,
		last, m, reason, "the store's price cache");
	tn_panel_free(&panel);
	line = answer_line(&a);
	emit(line);
	if (a.status == STATUS_ERROR) {
		warn("%s", a.reason);
	} else if (o->ttl > 0) {
		expires = now + (time_t)o->ttl;
		/* the stale flag must never be out of date */
		if (a.status == STATUS_PRETRAINED && !a.stale && a.stale_at < expires)
			expires = a.stale_at + 1;
		pcache_put(pc, &k, expires, line);
		if (!has_asof)
			store_cache_put(o, &k, now, expires, line);
	}
	cJSON_free(line);
	account(&a, "computed", tn_monotonic_seconds() - t0);
}

static int run_serve(const struct opts *o, struct lru *c)
{
	struct tn_json_reader *r = tn_json_open(stdin, "-");
	struct pcache pc = { 0 };
	struct bcache *bc = xcalloc(1, sizeof *bc);
	cJSON *req;
	int rc, status;

	blas_ready();
	while ((rc = tn_json_next(r, &req)) != 0) {
		double t0 = tn_monotonic_seconds();
		const char *sym = NULL, *asof_text = NULL, *why;
		char symbol[TN_SYMBOL_MAX + 1];
		tn_day asof = 0;

		count(METRIC_PREFIX "requests_total", "Requests read.", NULL, NULL, 1);
		if (rc < 0) {
			if (tn_json_status(r))
				break;
			answer_error(NULL, tn_json_error(r), t0);
			continue;
		}
		if (tn_json_string(req, "symbol", &sym, &why) < 0) {
			answer_error(NULL, tn_json_line_error(r, "field 'symbol': %s", why),
				     t0);
		} else if (tn_symbol_normalise(sym, symbol, &why) < 0) {
			answer_error(NULL, tn_json_line_error(r, "field 'symbol': '%s': %s",
							      sym, why), t0);
		} else if (tn_json_opt_string(req, "asof", &asof_text, &why) < 0) {
			answer_error(symbol, tn_json_line_error(r, "field 'asof': %s", why),
				     t0);
		} else if (asof_text && tn_date_parse(asof_text, &asof) < 0) {
			answer_error(symbol, tn_json_line_error(r,
				     "field 'asof': not a date (YYYY-MM-DD): '%s'",
				     asof_text), t0);
		} else {
			serve_one(o, c, &pc, bc, symbol, asof_text != NULL, asof, t0);
		}
		cJSON_Delete(req);
		if (o->metrics_path && tn_monotonic_seconds() - metrics_written_at >= METRICS_INTERVAL)
			write_metrics(o);
	}
	status = tn_json_status(r);
	if (status)
		warn("%s", tn_json_error(r));
	tn_json_close(r);
	pcache_free(&pc);
	bcache_free(bc);
	free(bc);
	return status;
}

/* ---- options ------------------------------------------------------------ */

/* N[smhd] as seconds. */
static double parse_duration(const char *opt, const char *arg)
{
	static const struct { char suffix; double seconds; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	char num[64];
	double scale = 1, v;
	const char *why;
	size_t len = strlen(arg), i;

	if (len == 0 || len >= sizeof num)
		tn_usage_error("%s: not a duration (N[smhd]): '%s'", opt, arg);
	memcpy(num, arg, len + 1);
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (num[len - 1] == units[i].suffix) {
			scale = units[i].seconds;
			num[len - 1] = '\0';
			break;
		}
	if (tn_parse_double(num, 0, 1e10, &v, &why) < 0)
		tn_usage_error("%s: not a duration (N[smhd]): '%s'", opt, arg);
	return v * scale;
}

int main(int argc, char **argv)
{
	struct opts o = { .max_age_hours = DEFAULT_MAX_AGE_HOURS,
			  .ttl = DEFAULT_TTL, .cache_size = DEFAULT_CACHE_SIZE };
	const char *store = NULL, *input = "-";
	char **symbols = NULL, err[256];
	struct lru c = { 0 };
	int serve = 0, nsym = 0, ch, status;
	long i;

	tn_init_progname(argv);
	while ((ch = getopt_long(argc, argv, "s:" TN_COMMON_SHORTOPTS, longopts,
				 NULL)) != -1) {
		if (tn_common_option(ch, usage_text))
			continue;
		switch (ch) {
		case 's':
			if (symbols)
				tn_usage_error("--symbols: given twice");
			symbols = tn_symbol_list_parse(optarg, &nsym, err,
							sizeof err);
			if (!symbols)
				tn_usage_error("--symbols: %s", err);
			break;
		case OPT_SERVE: serve = 1; break;
		case OPT_STORE: store = optarg; break;
		case OPT_ASOF:
			if (tn_date_parse(optarg, &o.asof) < 0)
				tn_usage_error("--asof: not a date (YYYY-MM-DD): '%s'", optarg);
			o.has_asof = 1;
			break;
		case OPT_CACHE_SIZE:
			o.cache_size = tn_optlong("--cache-size", optarg, 1, MAX_CACHE_SIZE);
			break;
		case OPT_TTL: o.ttl = parse_duration("--ttl", optarg); break;
		case OPT_MAX_AGE:
			o.max_age_hours = tn_optdouble("--max-age", optarg, 0,
						       MAX_MAX_AGE_HOURS);
			break;
		case OPT_NOW:
			if (gnn_parse_iso_time(optarg, &o.now_arg) < 0 &&
			    tn_stamp_parse(optarg, &o.now_arg) < 0)
				tn_usage_error("--now: not YYYY-MM-DDTHH:MM:SSZ: '%s'", optarg);
			o.fixed_now = 1;
			break;
		case OPT_METRICS:
			if (!optarg[0])
				tn_usage_error("--metrics-file: empty path");
			o.metrics_path = optarg;
			break;
		default: tn_usage_error("unknown option");
		}
	}
	if (!(o.root = tn_store_root(store)))
		tn_usage_error("--store: empty directory name");
	if (serve) {
		if (optind < argc)
			tn_usage_error("--serve reads requests on stdin: no file arguments");
		if (symbols)
			tn_usage_error("--serve takes symbols from the requests, not --symbols");
		if (o.has_asof)
			tn_usage_error("--serve takes the date from each request's \"asof\"");
	} else {
		if (argc - optind > 1)
			tn_usage_error("too many arguments: one features file at most");
		if (optind < argc)
			input = argv[optind];
	}
	/* read the input while OpenBLAS loads: a tenth of a cold prediction */
	tn_blas_preload();
	c.size = o.cache_size;
	c.slots = xcalloc((size_t)c.size, sizeof *c.slots);

	status = serve ? run_serve(&o, &c) : run_pipeline(&o, &c, input, symbols, nsym);

	write_metrics(&o);
	for (i = 0; i < c.size; i++)
		slot_clear(&c.slots[i]);
	free(c.slots);
	tn_metrics_free(&metrics);
	return tn_finish(status);
}
