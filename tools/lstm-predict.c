/* lstm-predict - multi-day forecasts from the LSTM models of lstm-train(1):
 * for each symbol, the last context window of its features ending on the
 * forecast date (asof), the model's Z daily log returns, and the next Z
 * NYSE trading days with the closes they lead to; a documented baseline
 * (fallback) wherever no usable model exists, with the reason.
 *
 * Dimension letters as in lstm_model.h: T context, I inputs, Z horizon. */
#include "cli.h"
#include "csvio.h"
#include "dates.h"
#include "evaluate.h"
#include "gemm.h"
#include "json.h"
#include "lstm_model.h"
#include "lstm_train.h"
#include "metrics.h"
#include "modelstore.h"
#include "nn_h5.h"
#include "output.h"
#include "panel.h"
#include "store.h"
#include "symbol.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* A model is stale this many hours after the end (24:00 UTC) of the first
 * trading day after its last training date. */
#define DEFAULT_MAX_AGE_HOURS 24.0
#define MAX_MAX_AGE_HOURS (24.0 * 366 * 100)
/* The fallback: each day's log return is the mean daily log return of the
 * last FALLBACK_WINDOW days (momentum), or zero with less history; its
 * horizon is the original model's. */
#define FALLBACK_WINDOW TN_MOMENTUM_WINDOW
#define FALLBACK_HORIZON LSTM_MODEL_HORIZON
#define BASELINE_MOMENTUM "momentum_20"
#define BASELINE_ZERO "zero"
#define CLOSE_COLUMN "close"
#define MAX_EPOCHS 100000
#define MAX_LOCK_WAIT 86400
#define SECONDS_PER_DAY 86400
#define SECONDS_PER_HOUR 3600.0
#define KIND "lstm"
#define TOOL "lstm-predict"
/* --auto-train's parent when --parent is not given. */
#define DEFAULT_PARENT "^GSPC"
#define MODEL_NAME "lstm"
/* A reason holds a path and an HDF5 message. */
#define REASON_MAX (PATH_MAX + NN_H5_ERR_MAX + 256)

enum status { STATUS_PRETRAINED, STATUS_FALLBACK, STATUS_ERROR };
static const char *const status_names[] = { "pre-trained", "fallback",
					    "error" };

static const char usage_text[] =
"Usage: lstm-predict [OPTION]... [FEATURES.csv]\n"
"Forecast the next trading days of each symbol from a features CSV (stdin\n"
"when FEATURES.csv is absent or -) with its LSTM model from the store; one\n"
"JSON object per symbol and line, or CSV rows.\n"
"\n"
"  -s, --symbols LIST    forecast the comma-separated symbols (default: every\n"
"                        symbol of the input that has a model)\n"
"      --store DIR       the store (default $TICKERNET_STORE, else ./store)\n"
"  -m, --model PATH      use this model file for every symbol\n"
"      --asof DATE       forecast from DATE: use data up to DATE only, and only\n"
"                        a model trained on data ending on or before DATE\n"
"      --max-age HOURS   stale after HOURS past the first trading day after\n"
"                        the model's last training date (default 24)\n"
"      --now TIME        measure staleness at TIME (YYYY-MM-DDTHH:MM:SSZ;\n"
"                        default: now, or the end of --asof's day)\n"
"      --auto-train      train a symbol without a model from the parent first\n"
"      --parent SPEC     the parent: a symbol or a model file (default ^GSPC)\n"
"      --strategy NAME   freeze or finetune (default freeze)\n"
"      --epochs N        epochs of --auto-train (default: the strategy's)\n"
"      --lock-wait SECONDS  wait for the symbol's lock (default 60)\n"
"  -f, --format FMT      json or csv (default json)\n"
"  -o, --output FILE     write FILE (atomically) instead of stdout\n"
"      --metrics-file FILE  write Prometheus metrics to FILE at exit\n"
"  -q, --quiet           no warnings\n"
"  -v, --verbose         say more on stderr\n"
"  -h, --help            this help\n"
"  -V, --version         version\n";

enum { OPT_STORE = 256, OPT_ASOF, OPT_MAX_AGE, OPT_NOW, OPT_AUTO_TRAIN,
       OPT_PARENT, OPT_STRATEGY, OPT_EPOCHS, OPT_LOCK_WAIT, OPT_METRICS };

static const struct option longopts[] = {
	{ "symbols", required_argument, NULL, 's' },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "model", required_argument, NULL, 'm' },
	{ "asof", required_argument, NULL, OPT_ASOF },
	{ "max-age", required_argument, NULL, OPT_MAX_AGE },
	{ "now", required_argument, NULL, OPT_NOW },
	{ "auto-train", no_argument, NULL, OPT_AUTO_TRAIN },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "epochs", required_argument, NULL, OPT_EPOCHS },
	{ "lock-wait", required_argument, NULL, OPT_LOCK_WAIT },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "metrics-file", required_argument, NULL, OPT_METRICS },
	TN_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

struct opts {
	const char *root;       /* the store */
	const char *model_path; /* --model, or NULL: the store's */
	int has_asof;
	tn_day asof;            /* --asof */
	time_t now;             /* the moment staleness is measured at */
	double max_age_hours;
	int csv;
	/* --auto-train */
	int auto_train;
	const char *parent_spec;
	enum lstm_strategy strategy;
	int epochs, lock_wait;
	struct lstm_parent parent;  /* loaded at the first training */
	int parent_state;           /* 0 not yet, 1 loaded, -1 failed */
	char parent_err[NN_H5_ERR_MAX + PATH_MAX];
};

/* A model file read, or why it could not be used. */
struct loaded {
	int ok;
	struct lstm_model m;
	char version[64];                    /* model_version */
	char last_train[TN_DATE_LEN + 1];    /* last_train_date */
	tn_day last_train_day;
	char reason[REASON_MAX];
};

/* One symbol's answer. */
struct forecast {
	const char *symbol;
	enum status status;
	char asof[TN_DATE_LEN + 1];          /* "" when unknown */
	double last_close;
	const struct loaded *model;          /* pre-trained only */
	int stale;
	const char *baseline;                /* fallback only */
	char reason[REASON_MAX];             /* fallback: why; error: message */
	int horizon;                         /* Z */
	tn_day dates[LSTM_MODEL_MAX_HORIZON];
	double ret[LSTM_MODEL_MAX_HORIZON];   /* cumulative simple returns */
	double close[LSTM_MODEL_MAX_HORIZON]; /* last_close * (1 + ret) */
};

/* ---- metrics ---------------------------------------------------------- */

#define METRIC_PREFIX "tickernet_lstm_predict_"

/* What --metrics-file reports; written at exit however the run ends. */
static struct {
	const char *path;
	double start;            /* CLOCK_MONOTONIC seconds */
	struct tn_metrics m;
} metrics;

/* One answer: counted by status, and a model's age and staleness. */
static void account(const struct opts *o, const struct forecast *f)
{
	const char *status[] = { "status", status_names[f->status], NULL };
	const char *symbol[] = { "symbol", f->symbol, NULL };

	tn_metrics_counter_add(&metrics.m, METRIC_PREFIX "forecasts_total",
			       "Forecasts answered.", status, 1);
	if (!f->model)
		return;
	tn_metrics_gauge_set(&metrics.m, METRIC_PREFIX "model_data_age_hours",
			     "Hours from the end of the model's last training "
			     "day to the moment staleness is measured at.",
			     symbol, ((double)o->now - (double)(f->model->last_train_day + 1) *
				      SECONDS_PER_DAY) / 3600.0);
	tn_metrics_gauge_set(&metrics.m, METRIC_PREFIX "model_stale",
			     "1 when the model in service is stale.", symbol,
			     f->stale);
}

/* A failure to write the metrics is a warning, never the exit status. */
static void write_metrics(void)
{
	const char *what;
	size_t k;

	/* every status, at 0 when none was answered so */
	for (k = 0; k < sizeof status_names / sizeof status_names[0]; k++)
		tn_metrics_counter_add(&metrics.m, METRIC_PREFIX "forecasts_total",
				       "Forecasts answered.",
				       (const char *[]){ "status", status_names[k],
							 NULL }, 0);
	tn_metrics_gauge_set(&metrics.m, METRIC_PREFIX "exit_status",
			     "Exit status of the run (0 success).", NULL,
			     tn_exit_status);
	tn_metrics_gauge_set(&metrics.m, METRIC_PREFIX "duration_seconds",
			     "Seconds the run took.", NULL,
			     tn_monotonic_seconds() - metrics.start);
	tn_metrics_gauge_set(&metrics.m, METRIC_PREFIX "last_run_timestamp_seconds",
			     "Unix time the run ended.", NULL, (double)time(NULL));
	if (tn_metrics_write(&metrics.m, metrics.path, &what) < 0)
		warn("%s: %s:", metrics.path, what);
	tn_metrics_free(&metrics.m);
}

/* ---- model files ------------------------------------------------------ */

/* Reads a model file into L; L->ok says whether it can be used, else
 * L->reason says why. */
static void load_model(const char *path, struct loaded *L)
{
	char err[NN_H5_ERR_MAX], *text;
	hid_t file;

	memset(L, 0, sizeof *L);
	file = nn_h5_open(path, err, sizeof err);
	if (file < 0) {
		snprintf(L->reason, sizeof L->reason, "%s", err);
		return;
	}
	if (lstm_model_load(file, &L->m, err, sizeof err) < 0) {
		/* nn_h5's messages name the file already, the model's own not */
		if (strncmp(err, path, strlen(path)) == 0)
			snprintf(L->reason, sizeof L->reason, "%s", err);
		else
			snprintf(L->reason, sizeof L->reason, "%s: %s", path, err);
		goto out;
	}
	if (L->m.cfg.horizon < 1 || L->m.cfg.horizon > LSTM_MODEL_MAX_HORIZON) {
		snprintf(L->reason, sizeof L->reason,
			 "%s: horizon %d is outside 1..%d: retrain the model",
			 path, L->m.cfg.horizon, LSTM_MODEL_MAX_HORIZON);
		goto fail;
	}
	text = nn_h5_attr_get_str(file, "last_train_date", err, sizeof err);
	if (!text || tn_date_parse(text, &L->last_train_day) < 0) {
		snprintf(L->reason, sizeof L->reason,
			 "%s: no valid last_train_date attribute: retrain the model with lstm-train",
			 path);
		free(text);
		goto fail;
	}
	tn_date_format(L->last_train_day, L->last_train);
	free(text);
	text = nn_h5_attr_get_str(file, "model_version", err, sizeof err);
	if (text && tn_stamp_parse(text, &(time_t){ 0 }) == 0) {
		snprintf(L->version, sizeof L->version, "%s", text);
	} else {
		/* A file written without store metadata: its name is the
		 * version when it is one. */
		const char *base = strrchr(path, '/');

		base = base ? base + 1 : path;
		snprintf(L->version, sizeof L->version, "%.*s",
			 (int)strcspn(base, "."), base);
		if (tn_stamp_parse(L->version, &(time_t){ 0 }) < 0)
			L->version[0] = '\0';
	}
	free(text);
	L->ok = 1;
	goto out;
fail:
	lstm_model_free(&L->m);
out:
	if (nn_h5_close(file, err, sizeof err) < 0 && L->ok) {
		L->ok = 0;
		lstm_model_free(&L->m);
		snprintf(L->reason, sizeof L->reason, "%s", err);
	}
}

static void unload_model(struct loaded *L)
{
	if (L->ok)
		lstm_model_free(&L->m);
	L->ok = 0;
}

/* The store's model for symbol: current.h5, or with --asof the newest of
 * current and the versions before it whose last training date is on or
 * before the --asof date. */
static void store_model(const struct opts *o, const char *symbol,
			struct loaded *L)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], err[NN_H5_ERR_MAX];
	char current[TN_STAMP_LEN + 1], asof[TN_DATE_LEN + 1];
	char (*versions)[TN_STAMP_LEN + 1] = NULL;
	size_t n = 0, i;

	memset(L, 0, sizeof *L);
	if (tn_store_model_dir(dir, sizeof dir, o->root, KIND, symbol) < 0) {
		snprintf(L->reason, sizeof L->reason, "%s: %s", o->root,
			 strerror(errno));
		return;
	}
	if (tn_ms_current(dir, current, err, sizeof err) != 0) {
		snprintf(L->reason, sizeof L->reason, "%s", err);
		return;
	}
	if (!current[0]) {
		snprintf(L->reason, sizeof L->reason, "no model: %s/%s does not exist",
			 dir, TN_STORE_CURRENT);
		return;
	}
	if (!o->has_asof) {
		snprintf(path, sizeof path, "%s/%s.h5", dir, current);
		load_model(path, L);
		return;
	}
	if (tn_ms_versions(dir, &versions, &n, err, sizeof err) != 0) {
		snprintf(L->reason, sizeof L->reason, "%s", err);
		return;
	}
	tn_date_format(o->asof, asof);
	/* Versions sort oldest first; start at current (a dangling link
	 * still names it) and walk back. */
	for (i = n; i > 0 && strcmp(versions[i - 1], current) > 0; i--)
		;
	if (i == 0 || strcmp(versions[i - 1], current) != 0) {
		snprintf(path, sizeof path, "%s/%s.h5", dir, current);
		load_model(path, L);
		if (!L->ok || L->last_train_day <= o->asof)
			goto out;
		unload_model(L);
	}
	for (; i > 0; i--) {
		snprintf(path, sizeof path, "%s/%s.h5", dir, versions[i - 1]);
		load_model(path, L);
		if (!L->ok || L->last_train_day <= o->asof)
			goto out;
		unload_model(L);
	}
	snprintf(L->reason, sizeof L->reason,
		 "no model version in %s was trained on data ending on or before %s",
		 dir, asof);
out:
	free(versions);
}

/* 1 when symbol has a model in the store (current.h5 exists, usable or
 * not): the default set of symbols. */
static int has_store_model(const struct opts *o, const char *symbol)
{
	char path[PATH_MAX];
	struct stat st;

	if (tn_store_current_path(path, sizeof path, o->root, KIND, symbol) < 0)
		return 0;
	return lstat(path, &st) == 0;
}

/* --auto-train: when symbol has no current model, takes its lock, looks
 * again (another lstm-predict may have trained it meanwhile), and trains
 * it from the parent on the data up to date index last_day, so two
 * requests never train the same model twice.  Returns 0, or -1 with why
 * set when no model could be trained. */
static int auto_train(struct opts *o, const struct tn_panel *p,
		      const char *symbol, int last_day, char *why,
		      size_t size)
{
	char dir[PATH_MAX], current[TN_STAMP_LEN + 1], err[NN_H5_ERR_MAX];
	struct lstm_train_report rep;
	struct lstm_job job;
	struct tn_ms ms;
	int rc;

	if (tn_store_model_dir(dir, sizeof dir, o->root, KIND, symbol) < 0 ||
	    tn_ms_current(dir, current, err, sizeof err) != 0 || current[0])
		return 0; /* a model, or a broken link: not ours to replace */
	rc = tn_ms_open(&ms, o->root, KIND, symbol, o->lock_wait, err,
			sizeof err);
	if (rc) {
		snprintf(why, size, "auto-train: %s", err);
		return -1;
	}
	if (tn_ms_current(ms.dir, current, err, sizeof err) != 0 || current[0]) {
		info("%s: trained by another process meanwhile", symbol);
		tn_ms_close(&ms);
		return 0;
	}
	if (o->parent_state == 0) {
		o->parent_state = lstm_parent_load(&o->parent, o->root,
						   o->parent_spec, o->parent_err,
						   sizeof o->parent_err) == 0
					  ? 1 : -1;
	}
	if (o->parent_state < 0) {
		snprintf(why, size, "auto-train: %s", o->parent_err);
		tn_ms_close(&ms);
		return -1;
	}
	lstm_job_default(&job, TOOL, o->root);
	job.lock_wait = o->lock_wait;
	job.parent = &o->parent;
	job.strategy = o->strategy;
	job.epochs = o->epochs;
	job.last_day = last_day;
	job.held = &ms;
	rc = lstm_train_symbol(p, symbol, &job, &rep);
	tn_ms_close(&ms);
	tn_metrics_counter_add(&metrics.m, METRIC_PREFIX "auto_trains_total",
			       "Models trained by --auto-train, by outcome.",
			       (const char *[]){ "result", rc == 0 && rep.current[0] ?
						 "promoted" : "failed", NULL }, 1);
	if (rc == 0 && rep.current[0]) {
		info("%s: auto-trained version %s from %s (%s)", symbol,
		     rep.version, o->parent_spec, lstm_strategy_name(o->strategy));
		lstm_train_report_free(&rep);
		return 0;
	}
	snprintf(why, size, "auto-train: %s", rep.error[0] ? rep.error
				: "no version was promoted");
	lstm_train_report_free(&rep);
	return -1;
}

/* ---- forecasts -------------------------------------------------------- */

/* Days d, d-1, ... back from d whose LSTM inputs are all present. */
static int complete_days(const struct tn_panel *p, const int col[], int s,
			 int d)
{
	int n = 0, k;

	for (; d >= 0; d--, n++) {
		const double *r = tn_panel_row(p, s, d);

		for (k = 0; k < LSTM_MODEL_INPUTS; k++)
			if (!isfinite(r[col[k]]))
				return n;
	}
	return n;
}

/* The model's Z daily log returns after day d of symbol s; 0, or -1 with
 * reason set. */
static int model_logret(double *logret, const struct lstm_model *m,
			const struct tn_panel *p, int s, int d, char *reason,
			size_t size)
{
	const int T = m->cfg.context, Z = m->cfg.horizon;
	int col[LSTM_MODEL_INPUTS], k, rc = -1;
	char err[NN_H5_ERR_MAX], day[TN_DATE_LEN + 1];
	struct lstm_work w;
	float *raw;
	real *x, *y;

	if (lstm_panel_columns(p, col, err, sizeof err) < 0) {
		snprintf(reason, size, "features missing: %s", err);
		return -1;
	}
	tn_date_format(p->dates[d], day);
	raw = xmalloc((size_t)T * LSTM_MODEL_INPUTS * sizeof *raw);
	x = xmalloc((size_t)T * LSTM_MODEL_INPUTS * sizeof *x);
	y = xmalloc((size_t)Z * sizeof *y);
	if (lstm_window_inputs(raw, p, col, s, d, T) < 0) {
		int have = complete_days(p, col, s, d);

		if (have < T)
			snprintf(reason, size,
				 "too little history: %d complete days up to %s, the model needs %d",
				 have, day, T);
		else
			snprintf(reason, size,
				 "the %d-day window ending %s has a non-positive price",
				 T, day);
		goto out;
	}
	lstm_model_standardise(x, raw, m);
	lstm_work_init(&w, m, 1);
	lstm_model_forward(y, &w, x, m, 1, 0, NULL);
	lstm_work_free(&w);
	for (k = 0; k < Z; k++) {
		logret[k] = (double)y[k] * (double)m->target_scale;
		if (!isfinite(logret[k])) {
			snprintf(reason, size, "the model's output is not finite");
			goto out;
		}
	}
	rc = 0;
out:
	free(raw);
	free(x);
	free(y);
	return rc;
}

/* The fallback's daily log returns: FALLBACK_WINDOW-day momentum per day,
 * or zero when fewer returns are known.  Returns the baseline's name. */
static const char *baseline_logret(double *logret, int Z,
				   const struct tn_panel *p, int close_col,
				   int s, int d)
{
	double *daily = xcalloc((size_t)d + 1, sizeof *daily), mean;
	const char *name = BASELINE_MOMENTUM;
	int t, k;

	daily[0] = NAN;
	for (t = 1; t <= d; t++) {
		double a = tn_panel_row(p, s, t - 1)[close_col];
		double b = tn_panel_row(p, s, t)[close_col];

		daily[t] = a > 0 && b > 0 ? log(b / a) : NAN;
	}
	mean = tn_baseline_momentum(daily, d, FALLBACK_WINDOW, 1);
	if (!isfinite(mean)) {
		mean = 0;
		name = BASELINE_ZERO;
	}
	for (k = 0; k < Z; k++)
		logret[k] = mean;
	free(daily);
	return name;
}

/* Dates, cumulative returns and closes from daily log returns. */
static void fill_path(struct forecast *f, tn_day asof, const double *logret)
{
	double cum = 0;
	tn_day day = asof;
	int k;

	for (k = 0; k < f->horizon; k++) {
		day = tn_next_trading_day(day);
		cum += logret[k];
		f->dates[k] = day;
		f->ret[k] = expm1(cum);
		f->close[k] = f->last_close * (1 + f->ret[k]);
	}
}

/* The moment after which a model trained to last_train is stale. */
static double stale_after(const struct opts *o, tn_day last_train)
{
	return (double)(tn_next_trading_day(last_train) + 1) * SECONDS_PER_DAY +
	       o->max_age_hours * SECONDS_PER_HOUR;
}

/* Forecasts symbol from panel p with model L (NULL: look it up in the
 * store; the caller frees what lands in *store_slot). */
static void forecast_symbol(struct forecast *f, struct opts *o,
			    const struct tn_panel *p, int close_col,
			    const char *symbol, struct loaded *given,
			    struct loaded *store_slot, const char *input)
{
	double logret[LSTM_MODEL_MAX_HORIZON];
	struct loaded *L = given;
	int s, d, last;

	memset(f, 0, sizeof *f);
	f->symbol = symbol;
	s = tn_panel_symbol(p, symbol);
	last = o->has_asof ? tn_panel_date_at_or_before(p, o->asof)
			   : p->ndates - 1;
	if (s < 0) {
		f->status = STATUS_ERROR;
		snprintf(f->reason, sizeof f->reason, "%s: no rows in %s",
			 symbol, input);
		return;
	}
	for (d = last; d >= 0; d--)
		if (isfinite(tn_panel_row(p, s, d)[close_col]) &&
		    tn_panel_row(p, s, d)[close_col] > 0)
			break;
	if (d < 0) {
		char asof[TN_DATE_LEN + 1];

		f->status = STATUS_ERROR;
		if (o->has_asof) {
			tn_date_format(o->asof, asof);
			snprintf(f->reason, sizeof f->reason,
				 "%s: no close on or before %s in %s", symbol,
				 asof, input);
		} else {
			snprintf(f->reason, sizeof f->reason,
				 "%s: no close in %s", symbol, input);
		}
		return;
	}
	tn_date_format(p->dates[d], f->asof);
	f->last_close = tn_panel_row(p, s, d)[close_col];
	if (!L) {
		char why[REASON_MAX];

		if (o->auto_train &&
		    auto_train(o, p, symbol, d, why, sizeof why) < 0) {
			f->status = STATUS_FALLBACK;
			snprintf(f->reason, sizeof f->reason, "%s", why);
			goto fallback;
		}
		store_model(o, symbol, store_slot);
		L = store_slot;
	}
	if (L->ok && o->has_asof && L->last_train_day > o->asof) {
		char asof[TN_DATE_LEN + 1];

		tn_date_format(o->asof, asof);
		snprintf(f->reason, sizeof f->reason,
			 "model %s was trained on data up to %s, after --asof %s",
			 L->version[0] ? L->version : o->model_path,
			 L->last_train, asof);
	} else if (L->ok) {
		if (model_logret(logret, &L->m, p, s, d, f->reason,
				 sizeof f->reason) == 0) {
			info("%s: model %s, trained to %s", symbol,
			     L->version[0] ? L->version : "(no version)",
			     L->last_train);
			f->status = STATUS_PRETRAINED;
			f->model = L;
			f->horizon = L->m.cfg.horizon;
			f->stale = (double)o->now > stale_after(o, L->last_train_day);
			fill_path(f, p->dates[d], logret);
			return;
		}
	} else {
		snprintf(f->reason, sizeof f->reason, "%s", L->reason);
	}
fallback:
	f->status = STATUS_FALLBACK;
	f->horizon = FALLBACK_HORIZON;
	f->baseline = baseline_logret(logret, f->horizon, p, close_col, s, d);
	fill_path(f, p->dates[d], logret);
}

/* ---- output ----------------------------------------------------------- */

static const char *const csv_header[] = {
	"symbol", "asof", "date", "horizon", "return", "close", NULL,
};

static int write_json(FILE *fp, const struct forecast *f)
{
	cJSON *o = tn_json_object(), *days;
	char date[TN_DATE_LEN + 1];
	int k, rc;

	tn_json_add_string(o, "symbol", f->symbol);
	tn_json_add_string(o, "asof", f->asof[0] ? f->asof : NULL);
	tn_json_add_string(o, "model", MODEL_NAME);
	tn_json_add_string(o, "status", status_names[f->status]);
	if (f->status == STATUS_ERROR) {
		tn_json_add_string(o, "message", f->reason);
		goto write;
	}
	tn_json_add_number(o, "last_close", f->last_close);
	tn_json_add_string(o, "model_version",
			   f->model && f->model->version[0] ? f->model->version
							    : NULL);
	tn_json_add_bool(o, "stale", f->stale);
	if (f->model) {
		tn_json_add_string(o, "last_train_date", f->model->last_train);
	} else {
		tn_json_add_string(o, "baseline", f->baseline);
		tn_json_add_string(o, "reason", f->reason);
	}
	days = cJSON_CreateArray();
	if (!days)
		die(TN_EX_SOFTWARE, "out of memory");
	for (k = 0; k < f->horizon; k++) {
		cJSON *day = tn_json_object();

		tn_date_format(f->dates[k], date);
		tn_json_add_string(day, "date", date);
		tn_json_add_number(day, "return", f->ret[k]);
		tn_json_add_number(day, "close", f->close[k]);
		cJSON_AddItemToArray(days, day);
	}
	tn_json_add_item(o, "forecast", days);
write:
	rc = tn_json_write_line(fp, o);
	cJSON_Delete(o);
	return rc;
}

static int write_csv(struct tn_csv_writer *w, const struct forecast *f)
{
	char date[TN_DATE_LEN + 1];
	int k;

	for (k = 0; k < f->horizon; k++) {
		tn_date_format(f->dates[k], date);
		if (tn_csv_put_string(w, f->symbol) < 0 ||
		    tn_csv_put_string(w, f->asof) < 0 ||
		    tn_csv_put_string(w, date) < 0 ||
		    tn_csv_put_long(w, k + 1) < 0 ||
		    tn_csv_put_double(w, f->ret[k]) < 0 ||
		    tn_csv_put_double(w, f->close[k]) < 0 ||
		    tn_csv_end_row(w) < 0)
			return -1;
	}
	return 0;
}

/* A failed write: nothing half-done is left at FILE. */
static noreturn void write_error(struct tn_output *out)
{
	int saved = errno;

	tn_output_abort(out);
	errno = saved;
	die(TN_EX_IOERR, "%s: write error:", out->name);
}

/* ---- options ---------------------------------------------------------- */

/* YYYY-MM-DDTHH:MM:SSZ (or a model-version stamp) as a time_t. */
static time_t parse_now(const char *arg)
{
	int hh, mm, ss, used = 0;
	char date[TN_DATE_LEN + 1];
	tn_day day;
	time_t t;

	if (tn_stamp_parse(arg, &t) == 0)
		return t;
	if (strlen(arg) == 20 && arg[10] == 'T' &&
	    sscanf(arg + 11, "%2d:%2d:%2dZ%n", &hh, &mm, &ss, &used) == 3 &&
	    used == 9 && hh < 24 && mm < 60 && ss < 60) {
		memcpy(date, arg, TN_DATE_LEN);
		date[TN_DATE_LEN] = '\0';
		if (tn_date_parse(date, &day) == 0)
			return (time_t)day * SECONDS_PER_DAY + hh * 3600 +
			       mm * 60 + ss;
	}
	tn_usage_error("--now: not YYYY-MM-DDTHH:MM:SSZ: '%s'", arg);
}

int main(int argc, char **argv)
{
	struct opts o = { .max_age_hours = DEFAULT_MAX_AGE_HOURS,
			  .parent_spec = DEFAULT_PARENT,
			  .strategy = LSTM_FREEZE,
			  .lock_wait = TN_MS_LOCK_WAIT };
	const char *store = NULL, *output = NULL, *input = "-", *name, *why;
	const char *now_arg = NULL;
	char **symbols = NULL, err[1024];
	struct loaded given, slot;
	struct tn_panel panel;
	struct tn_csv_writer *csv = NULL;
	struct tn_output out = { 0 };
	struct forecast f;
	int nsym = 0, c, i, rc, close_col, failed = 0, written = 0;
	FILE *in;

	tn_init_progname(argv);
	metrics.start = tn_monotonic_seconds();
	while ((c = getopt_long(argc, argv, "s:m:f:o:" TN_COMMON_SHORTOPTS,
				longopts, NULL)) != -1) {
		if (tn_common_option(c, usage_text))
			continue;
		switch (c) {
		case 's':
			tn_symbol_list_free(symbols, nsym);
			symbols = tn_symbol_list_parse(optarg, &nsym, err,
							sizeof err);
			if (!symbols)
				tn_usage_error("--symbols: %s", err);
			break;
		case OPT_STORE: store = optarg; break;
		case 'm': o.model_path = optarg; break;
		case OPT_ASOF:
			if (tn_date_parse(optarg, &o.asof) < 0)
				tn_usage_error("--asof: not a date (YYYY-MM-DD): '%s'",
					       optarg);
			o.has_asof = 1;
			break;
		case OPT_MAX_AGE:
			o.max_age_hours = tn_optdouble("--max-age", optarg, 0,
						       MAX_MAX_AGE_HOURS);
			break;
		case OPT_NOW: now_arg = optarg; break;
		case OPT_AUTO_TRAIN: o.auto_train = 1; break;
		case OPT_PARENT: o.parent_spec = optarg; break;
		case OPT_STRATEGY:
			if (lstm_strategy_parse(optarg, &o.strategy) < 0 ||
			    o.strategy == LSTM_SCRATCH)
				tn_usage_error("--strategy: not freeze or finetune: '%s'",
					       optarg);
			break;
		case OPT_EPOCHS:
			o.epochs = (int)tn_optlong("--epochs", optarg, 1,
						   MAX_EPOCHS);
			break;
		case OPT_LOCK_WAIT:
			o.lock_wait = (int)tn_optlong("--lock-wait", optarg, 0,
						      MAX_LOCK_WAIT);
			break;
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				o.csv = 1;
			else if (strcmp(optarg, "json") != 0)
				tn_usage_error("--format: not json or csv: '%s'",
					       optarg);
			break;
		case 'o': output = optarg; break;
		case OPT_METRICS:
			if (!optarg[0])
				tn_usage_error("--metrics-file: empty path");
			metrics.path = optarg;
			break;
		default: tn_usage_error("unknown option");
		}
	}
	if (argc - optind > 1)
		tn_usage_error("too many arguments: one features file at most");
	if (optind < argc)
		input = argv[optind];
	if (!(o.root = tn_store_root(store)))
		tn_usage_error("--store: empty directory name");
	if (o.model_path && !o.model_path[0])
		tn_usage_error("--model: empty path");
	if (output && !output[0])
		tn_usage_error("--output: empty path");
	if (o.auto_train && o.model_path)
		tn_usage_error("--auto-train and --model exclude each other");
	if (now_arg)
		o.now = parse_now(now_arg);
	else if (o.has_asof)
		o.now = (time_t)(o.asof + 1) * SECONDS_PER_DAY;
	else
		o.now = time(NULL);
	if (metrics.path)
		atexit(write_metrics);
	if (tn_blas_init(&why) < 0)
		die(TN_EX_SOFTWARE, "BLAS: %s", why);

	name = strcmp(input, "-") == 0 ? "<stdin>" : input;
	in = strcmp(input, "-") == 0 ? stdin : fopen(input, "r");
	if (!in)
		die(TN_EX_NOINPUT, "%s:", input);
	rc = tn_panel_read(&panel, in, input, err, sizeof err);
	if (in != stdin)
		fclose(in);
	if (rc)
		die(rc, "%s", err);
	close_col = tn_panel_feature(&panel, CLOSE_COLUMN);
	if (close_col < 0)
		die(TN_EX_DATAERR, "%s: no column '%s' (build-features --preset lstm)",
		    name, CLOSE_COLUMN);

	if (o.model_path) {
		load_model(o.model_path, &given);
		if (!given.ok)
			warn("%s", given.reason);
		else
			info("%s: model %s, trained to %s", o.model_path,
			     given.version, given.last_train);
	}
	if (!symbols) {
		for (i = 0; i < panel.nsym; i++) {
			if (!o.model_path && !has_store_model(&o, panel.symbols[i]))
				continue;
			symbols = xreallocarray(symbols, (size_t)nsym + 1,
						sizeof *symbols);
			symbols[nsym++] = xstrdup(panel.symbols[i]);
		}
		if (nsym == 0)
			die(TN_EX_NOINPUT,
			    "%s: no symbol of the input has a model in %s/models/%s: name symbols with --symbols for baseline forecasts",
			    name, o.root, KIND);
	}

	if (tn_output_open(&out, output, 0644) < 0)
		die(TN_EX_CANTCREAT, "%s: %s:", out.name, out.what);
	if (o.csv) {
		csv = tn_csv_writer_open(out.fp, 6);
		if (tn_csv_write_header(csv, csv_header) < 0)
			write_error(&out);
	}
	for (i = 0; i < nsym; i++) {
		memset(&slot, 0, sizeof slot);
		forecast_symbol(&f, &o, &panel, close_col, symbols[i],
				o.model_path ? &given : NULL, &slot, name);
		if (f.status == STATUS_ERROR) {
			warn("%s", f.reason);
			failed = 1;
		} else if (f.status == STATUS_FALLBACK) {
			info("%s: fallback (%s): %s", f.symbol, f.baseline,
			     f.reason);
		}
		account(&o, &f);
		rc = csv ? write_csv(csv, &f) : write_json(out.fp, &f);
		unload_model(&slot);
		if (rc < 0)
			write_error(&out);
		written++;
	}
	if (csv && tn_csv_writer_close(csv) < 0)
		write_error(&out);
	if (tn_output_commit(&out) < 0)
		die(TN_EX_IOERR, "%s: %s:", out.name, out.what);
	info("%d forecasts", written);

	if (o.model_path)
		unload_model(&given);
	if (o.parent_state > 0)
		lstm_parent_free(&o.parent);
	tn_symbol_list_free(symbols, nsym);
	tn_panel_free(&panel);
	return tn_finish(failed ? TN_EX_FAIL : TN_EX_OK);
}
