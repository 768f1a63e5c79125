/* lstm_train.c - one symbol's LSTM training run into the store (see
 * lstm_train.h).  Dimension letters as in lstm_model.h; V is the number
 * of validation windows. */
#include "lstm_train.h"

#include "cli.h"
#include "dates.h"
#include "gemm.h"
#include "json.h"
#include "nn_h5.h"
#include "progress.h"
#include "rng.h"
#include "symbol.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- the parent --------------------------------------------------------- */

static int is_path(const char *spec)
{
	size_t n = strlen(spec);

	return strchr(spec, '/') || (n > 3 && strcmp(spec + n - 3, ".h5") == 0);
}

/* A string attribute into out, "" when absent. */
static void copy_attr(hid_t file, const char *name, char *out, size_t size)
{
	char err[NN_H5_ERR_MAX], *s = NULL;

	*out = '\0';
	if (nn_h5_attr_exists(file, name, err, sizeof err) == 1)
		s = nn_h5_attr_get_str(file, name, err, sizeof err);
	if (s)
		snprintf(out, size, "%s", s);
	free(s);
}

int lstm_parent_load(struct lstm_parent *pa, const char *root,
		     const char *spec, char *err, size_t errsz)
{
	char h5err[NN_H5_ERR_MAX];
	struct stat st;
	hid_t file;

	memset(pa, 0, sizeof *pa);
	snprintf(pa->spec, sizeof pa->spec, "%s", spec);
	if (is_path(spec)) {
		snprintf(pa->path, sizeof pa->path, "%s", spec);
	} else {
		char sym[TN_SYMBOL_MAX + 1];
		const char *why;

		if (tn_symbol_normalise(spec, sym, &why) < 0) {
			snprintf(err, errsz, "--parent: '%s': %s", spec, why);
			return TN_EX_USAGE;
		}
		if (tn_store_current_path(pa->path, sizeof pa->path, root,
					  LSTM_TRAIN_KIND, sym) < 0) {
			snprintf(err, errsz, "--parent: %s: store path: %s", sym,
				 strerror(errno));
			return TN_EX_NOINPUT;
		}
		if (stat(pa->path, &st) < 0) {
			snprintf(err, errsz,
				 "--parent: %s: no LSTM model in the store (train it first: lstm-train --symbol %s)",
				 sym, sym);
			return TN_EX_NOINPUT;
		}
	}
	if (stat(pa->path, &st) < 0) {
		snprintf(err, errsz, "--parent: %s: %s", pa->path, strerror(errno));
		return TN_EX_NOINPUT;
	}
	file = nn_h5_open(pa->path, h5err, sizeof h5err);
	if (file < 0) {
		snprintf(err, errsz, "--parent: %s: %s", pa->path, h5err);
		return TN_EX_DATAERR;
	}
	if (lstm_model_load(file, &pa->model, h5err, sizeof h5err) < 0) {
		snprintf(err, errsz, "--parent: %s: %s", pa->path, h5err);
		nn_h5_close(file, h5err, sizeof h5err);
		return TN_EX_DATAERR;
	}
	copy_attr(file, "symbol", pa->symbol, sizeof pa->symbol);
	copy_attr(file, "model_version", pa->version, sizeof pa->version);
	nn_h5_close(file, h5err, sizeof h5err);
	return 0;
}

void lstm_parent_free(struct lstm_parent *pa)
{
	lstm_model_free(&pa->model);
}

/* ---- metrics ------------------------------------------------------------ */

void lstm_eval_compute(struct lstm_eval *e, const double *pred,
		       const double *momentum, const double *actual, long n)
{
	double *zeros = xcalloc((size_t)n, sizeof *zeros);
	double mean = 0, sse = 0, sst = 0;
	long i;

	tn_eval_compute(&e->model, pred, actual, n);
	tn_eval_compute(&e->zero, zeros, actual, n);
	tn_eval_compute(&e->momentum, momentum, actual, n);
	for (i = 0; i < n; i++)
		mean += actual[i];
	mean /= (double)n;
	for (i = 0; i < n; i++) {
		sse += (pred[i] - actual[i]) * (pred[i] - actual[i]);
		sst += (actual[i] - mean) * (actual[i] - mean);
	}
	e->rmse = sqrt(e->model.mse);
	e->r2 = sst > 0 ? 1 - sse / sst : NAN;
	free(zeros);
}

cJSON *lstm_eval_json(const struct lstm_eval *e)
{
	cJSON *o = tn_json_object();

	tn_json_add_number(o, "n", (double)e->model.n);
	tn_json_add_number(o, "mse", e->model.mse);
	tn_json_add_number(o, "rmse", e->rmse);
	tn_json_add_number(o, "mae", e->model.mae);
	tn_json_add_number(o, "r2", e->r2);
	tn_json_add_number(o, "dir_acc", e->model.dir_acc);
	tn_json_add_number(o, "ic", e->model.ic);
	tn_json_add_number(o, "skill", e->model.skill);
	return o;
}

/* [{"horizon":1,<lstm_eval_json>,"baselines":{..}},...] */
static cJSON *per_horizon_json(const struct lstm_eval *per, int Z)
{
	cJSON *a = cJSON_CreateArray();
	int k;

	if (!a)
		die(TN_EX_SOFTWARE, "out of memory");
	for (k = 0; k < Z; k++) {
		cJSON *o = lstm_eval_json(&per[k]);

		tn_json_add_number(o, "horizon", k + 1);
		tn_json_add_item(o, "baselines",
				 tn_ms_baselines_json(&per[k].zero, &per[k].momentum));
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* Forecasts of validation windows [vf, n) against what followed, overall
 * and per day ahead. */
static void evaluate(struct lstm_train_report *rep, const struct lstm_model *m,
		     const struct lstm_dataset *ds, int vf,
		     const struct tn_panel *p, int s, int close)
{
	int V = ds->n - vf, Z = ds->Z, i, k, D = p->ndates, d;
	size_t VZ = (size_t)V * (size_t)Z;
	double *pred = xmalloc(VZ * sizeof *pred);
	double *mom = xmalloc(VZ * sizeof *mom);
	double *act = xmalloc(VZ * sizeof *act);
	double *logret = xmalloc((size_t)D * sizeof *logret);
	double *pk = xmalloc((size_t)V * 3 * sizeof *pk), *mk = pk + V, *ak = mk + V;

	for (d = 0; d < D; d++)
		logret[d] = d > 0 ? log(tn_panel_row(p, s, d)[close] /
					tn_panel_row(p, s, d - 1)[close])
				  : NAN;
	lstm_model_predict(pred, m, ds, vf, ds->n);
	for (i = 0; i < V; i++) {
		/* every close of a window is present, so this is finite */
		double mo = tn_baseline_momentum(logret, ds->last[vf + i],
						 TN_MOMENTUM_WINDOW, 1);

		for (k = 0; k < Z; k++) {
			mom[(size_t)i * (size_t)Z + (size_t)k] = isfinite(mo) ? mo : 0;
			act[(size_t)i * (size_t)Z + (size_t)k] =
				ds->y[(size_t)(vf + i) * (size_t)Z + (size_t)k];
		}
	}
	lstm_eval_compute(&rep->overall, pred, mom, act, (long)VZ);
	rep->per_horizon = xcalloc((size_t)Z, sizeof *rep->per_horizon);
	for (k = 0; k < Z; k++) {
		for (i = 0; i < V; i++) {
			pk[i] = pred[(size_t)i * (size_t)Z + (size_t)k];
			mk[i] = mom[(size_t)i * (size_t)Z + (size_t)k];
			ak[i] = act[(size_t)i * (size_t)Z + (size_t)k];
		}
		lstm_eval_compute(&rep->per_horizon[k], pk, mk, ak, V);
	}
	free(pred);
	free(mom);
	free(act);
	free(logret);
	free(pk);
}

/* ---- the job ------------------------------------------------------------ */

void lstm_job_default(struct lstm_job *job, const char *tool,
		      const char *root)
{
	memset(job, 0, sizeof *job);
	job->tool = tool;
	job->root = root;
	job->lock_wait = TN_MS_LOCK_WAIT;
	job->clip = -1;
	job->last_day = -1;
	job->seed = LSTM_TRAIN_SEED;
	job->strategy = LSTM_SCRATCH;
}

struct progress_ctx {
	struct tn_progress prog;
	const char *symbol;
};

static void on_epoch(void *arg, int epoch, double train_loss, double val_loss)
{
	struct progress_ctx *c = arg;

	tn_progress_update(&c->prog, epoch + 1, "train %.4g  val %.4g",
			   train_loss, val_loss);
	info("%s: epoch %d: train loss %.6g, validation loss %.6g", c->symbol,
	     epoch + 1, train_loss, val_loss);
}

static cJSON *config_json(const struct lstm_model_config *c,
			  const struct lstm_train_config *tc,
			  const struct lstm_job *job, double val_fraction)
{
	cJSON *o = tn_json_object();

	tn_json_add_number(o, "inputs", c->inputs);
	tn_json_add_number(o, "hidden", c->hidden);
	tn_json_add_number(o, "layers", c->layers);
	tn_json_add_number(o, "fc", c->fc);
	tn_json_add_number(o, "horizon", c->horizon);
	tn_json_add_number(o, "context", c->context);
	tn_json_add_number(o, "dropout", c->dropout);
	tn_json_add_string(o, "strategy", lstm_strategy_name(tc->strategy));
	if (job->parent) {
		tn_json_add_string(o, "parent", *job->parent->symbol
					       ? job->parent->symbol
					       : job->parent->spec);
		tn_json_add_string(o, "parent_version", job->parent->version);
	}
	tn_json_add_number(o, "epochs", tc->epochs);
	tn_json_add_number(o, "batch_size", tc->batch);
	tn_json_add_string(o, "optimizer", "adam");
	tn_json_add_number(o, "lr", tc->lr);
	tn_json_add_number(o, "clip", tc->clip);
	tn_json_add_number(o, "patience", (double)tc->patience);
	tn_json_add_number(o, "val_fraction", val_fraction);
	tn_json_add_string(o, "loss", "mse");
	tn_json_add_number(o, "seed", (double)job->seed);
	return o;
}

struct file_ctx {
	const struct lstm_model *model;
	const struct tn_ms_meta *meta;
	const struct lstm_job *job;
	const struct lstm_train_report *rep;
};

static int write_model(hid_t file, void *arg, char *err, size_t errsz)
{
	const struct file_ctx *c = arg;
	const struct lstm_parent *pa = c->job->parent;
	cJSON *metrics = lstm_eval_json(&c->rep->overall);
	cJSON *per = per_horizon_json(c->rep->per_horizon, c->rep->horizon);
	char *mtext = cJSON_PrintUnformatted(metrics);
	char *ptext = cJSON_PrintUnformatted(per);
	int rc;

	if (!mtext || !ptext)
		die(TN_EX_SOFTWARE, "out of memory");
	/* metrics: modelstore's members plus rmse and r2 */
	rc = lstm_model_save(file, c->model, err, errsz) < 0 ||
	     tn_ms_write_meta(file, c->meta, err, errsz) < 0 ||
	     nn_h5_attr_set_str(file, TN_MS_ATTR_METRICS, mtext, err, errsz) < 0 ||
	     nn_h5_attr_set_str(file, "metrics_per_horizon", ptext, err, errsz) < 0 ||
	     nn_h5_attr_set_str(file, "strategy",
				lstm_strategy_name(c->rep->strategy), err, errsz) < 0 ||
	     (pa && (nn_h5_attr_set_str(file, "parent",
					*pa->symbol ? pa->symbol : pa->spec, err,
					errsz) < 0 ||
		     nn_h5_attr_set_str(file, "parent_version", pa->version, err,
					errsz) < 0));
	cJSON_free(mtext);
	cJSON_free(ptext);
	cJSON_Delete(metrics);
	cJSON_Delete(per);
	return rc ? -1 : 0;
}

static void add_date(cJSON *obj, const char *key, tn_day d)
{
	char buf[TN_DATE_LEN + 1];

	tn_date_format(d, buf);
	tn_json_add_string(obj, key, buf);
}

static cJSON *losses_json(const struct lstm_train_result *r)
{
	cJSON *a = cJSON_CreateArray();
	int e;

	if (!a)
		die(TN_EX_SOFTWARE, "out of memory");
	for (e = 0; e < r->epochs; e++) {
		cJSON *o = tn_json_object();

		tn_json_add_number(o, "epoch", e + 1);
		tn_json_add_number(o, "train_loss", r->train_loss[e]);
		tn_json_add_number(o, "val_loss", r->val_loss[e]);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static int signal_status(const struct lstm_job *job)
{
	return *job->stop == SIGINT ? TN_EX_SIGINT : TN_EX_SIGTERM;
}

static int stopped(const struct lstm_job *job)
{
	return job->stop && *job->stop;
}

static int fail(struct lstm_train_report *rep, int status)
{
	rep->status = status == TN_EX_SIGINT || status == TN_EX_SIGTERM
			      ? NULL : TN_MS_FAILED;
	return status;
}

/* The model to train: the parent's copy, or fresh weights. */
static int make_model(struct lstm_model *m, const struct lstm_job *job,
		      struct tn_rng *rng, char *err, size_t errsz)
{
	struct lstm_model_config c;

	if (job->parent) {
		const struct lstm_model_config *pc = &job->parent->model.cfg;

		if ((job->hidden && job->hidden != pc->hidden) ||
		    (job->context && job->context != pc->context) ||
		    (job->horizon && job->horizon != pc->horizon)) {
			snprintf(err, errsz,
				 "--parent: %.1024s has hidden %d, context %d, horizon %d: a child keeps its parent's",
				 job->parent->path, pc->hidden, pc->context,
				 pc->horizon);
			return TN_EX_USAGE;
		}
		if (lstm_model_init(m, pc, err, errsz) < 0)
			return TN_EX_SOFTWARE;
		if (lstm_model_transfer(m, &job->parent->model, err, errsz) < 0) {
			lstm_model_free(m);
			return TN_EX_DATAERR;
		}
		return 0;
	}
	lstm_model_config_default(&c, job->horizon ? job->horizon
						   : LSTM_MODEL_HORIZON);
	if (job->hidden)
		c.hidden = job->hidden;
	if (job->context)
		c.context = job->context;
	if (lstm_model_init(m, &c, err, errsz) < 0)
		return TN_EX_USAGE;
	lstm_model_init_weights(m, rng);
	return 0;
}

int lstm_train_symbol(const struct tn_panel *p, const char *symbol,
		      const struct lstm_job *job,
		      struct lstm_train_report *rep)
{
	char *err = rep->error, h5err[NN_H5_ERR_MAX];
	size_t errsz = sizeof rep->error;
	struct lstm_model model;
	struct lstm_dataset ds;
	struct lstm_train_config tc;
	struct lstm_train_result r;
	struct progress_ctx pc;
	struct tn_rng base, rng;
	struct tn_ms own, *ms = job->held;
	struct tn_ms_gate gate;
	struct tn_eval zero, mom;
	double t0 = tn_monotonic_seconds(), prep_seconds, vf_frac;
	int s, col[LSTM_MODEL_INPUTS], n_train, vf, rc, status = 0, T, Z;
	cJSON *config = NULL, *record, *range, *timing, *parent;
	time_t created;

	memset(rep, 0, sizeof *rep);
	memset(&r, 0, sizeof r);
	memset(&gate, 0, sizeof gate);
	rep->symbol = symbol;
	rep->epochs = -1;
	rep->strategy = job->parent ? job->strategy : LSTM_SCRATCH;
	s = tn_panel_symbol(p, symbol);
	if (s < 0) {
		snprintf(err, errsz, "%s: not in the features input", symbol);
		return fail(rep, TN_EX_NOINPUT);
	}
	if (lstm_panel_columns(p, col, err, errsz) < 0)
		return fail(rep, TN_EX_DATAERR);

	/* A stream of its own per symbol: the same bytes whatever else is
	 * trained in the same run, and in whatever order. */
	tn_rng_seed(&base, job->seed);
	tn_rng_fork(&rng, &base, tn_hash_str(symbol));
	rc = make_model(&model, job, &rng, err, errsz);
	if (rc)
		return fail(rep, rc);
	T = model.cfg.context;
	Z = rep->horizon = model.cfg.horizon;
	if (lstm_dataset_build(&ds, p, s, job->last_day < 0 ? p->ndates - 1
							      : job->last_day,
			       T, Z, err, errsz) < 0) {
		lstm_model_free(&model);
		return fail(rep, TN_EX_DATAERR);
	}
	vf_frac = job->val_fraction > 0 ? job->val_fraction : LSTM_TRAIN_VAL_FRAC;
	if (lstm_dataset_split(&ds, vf_frac, &n_train, &vf) < 0 ||
	    n_train < LSTM_TRAIN_MIN_TRAIN || ds.n - vf < LSTM_TRAIN_MIN_VAL) {
		snprintf(err, errsz,
			 "%s: %d windows of %d days, need %d for training after a %d-day gap and %d for validation",
			 symbol, ds.n, T, LSTM_TRAIN_MIN_TRAIN, Z,
			 LSTM_TRAIN_MIN_VAL);
		lstm_dataset_free(&ds);
		lstm_model_free(&model);
		return fail(rep, TN_EX_DATAERR);
	}
	if (!job->parent)
		lstm_model_fit_scalers(&model, &ds, n_train);
	/* A child keeps its parent's scalers: its LSTM layers were trained
	 * on inputs standardised that way. */

	lstm_train_config_default(&tc, rep->strategy);
	if (job->epochs > 0)
		tc.epochs = job->epochs;
	if (job->batch > 0)
		tc.batch = job->batch;
	if (job->lr > 0)
		tc.lr = job->lr;
	if (job->clip >= 0)
		tc.clip = job->clip;
	if (job->patience > 0)
		tc.patience = job->patience;
	tc.seed = tn_rng_u64(&rng);
	tc.stop = job->stop;
	memset(&pc, 0, sizeof pc);
	pc.symbol = symbol;
	pc.prog.force = job->progress ? TN_PROGRESS_AUTO : TN_PROGRESS_NEVER;
	tc.on_epoch = on_epoch;
	tc.ctx = &pc;
	prep_seconds = tn_monotonic_seconds() - t0;
	info("%s: %s, %d training and %d validation windows", symbol,
	     lstm_strategy_name(tc.strategy), n_train, ds.n - vf);

	tn_progress_start(&pc.prog, symbol, tc.epochs);
	rc = lstm_model_train(&model, &ds, n_train, vf, &tc, &r, h5err,
			      sizeof h5err);
	tn_progress_end(&pc.prog);
	rep->epochs = r.epochs;
	rep->best_epoch = r.best_epoch + 1;
	rep->samples_per_s = r.samples_per_s;
	if (r.interrupted || stopped(job)) {
		/* stopped by a signal: nothing is written */
		snprintf(err, errsz, "%s: %s", symbol,
			 r.interrupted ? h5err : "interrupted");
		status = signal_status(job);
		goto out;
	}
	evaluate(rep, &model, &ds, vf, p, s, col[3]);
	zero = rep->overall.zero;
	mom = rep->overall.momentum;
	if (r.nonfinite)
		snprintf(err, errsz, "%s: non-finite loss or gradient: %s", symbol,
			 rc < 0 ? h5err : r.reason);

	config = config_json(&model.cfg, &tc, job, vf_frac);
	created = time(NULL);
	if (!ms) {
		rc = tn_ms_open(&own, job->root, LSTM_TRAIN_KIND, symbol,
				job->lock_wait, err, errsz);
		if (rc) {
			status = rc;
			goto out;
		}
		ms = &own;
	}
	rc = tn_ms_new_stamp(ms, created, rep->version, err, errsz);
	if (rc == 0) {
		char last[TN_DATE_LEN + 1];
		struct tn_ms_meta meta = { job->tool, symbol, rep->version, created,
					   last, config, &rep->overall.model, &zero,
					   &mom, job->seed };
		struct file_ctx fc = { &model, &meta, job, rep };

		tn_date_format(p->dates[ds.last[ds.n - 1] + Z], last);
		rc = tn_ms_write_version(ms, rep->version, LSTM_MODEL_FORMAT,
					 LSTM_MODEL_FORMAT_VERSION, write_model, &fc,
					 err, errsz);
	}
	if (rc) {
		*rep->version = '\0';
		status = rc;
		goto close;
	}
	if (r.nonfinite) {
		/* the best weights are kept as a version, never promoted */
		char ignored[256];

		tn_ms_current(ms->dir, gate.current, ignored, sizeof ignored);
		gate.promote = 0;
		gate.reason = "training failed";
		status = TN_EX_FAIL;
	} else {
		tn_ms_gate(ms, rep->overall.model.mse, job->force, &gate);
		if (gate.promote) {
			rc = tn_ms_promote(ms, rep->version, err, errsz);
			if (rc) {
				status = rc;
				goto close;
			}
		}
	}
	rep->gate = gate.reason;
	rep->status = r.nonfinite ? TN_MS_FAILED
				  : gate.promote ? TN_MS_PROMOTED : TN_MS_KEPT;
	snprintf(rep->current, sizeof rep->current, "%s",
		 gate.promote ? rep->version : gate.current);

	/* The run record. */
	record = tn_json_object();
	tn_json_add_string(record, "tool", job->tool);
	tn_json_add_string(record, "tool_version", TN_VERSION);
	tn_json_add_string(record, "symbol", symbol);
	tn_json_add_string(record, "status", rep->status);
	tn_json_add_string(record, "model_version", rep->version);
	tn_json_add_string(record, "current_version",
			   *rep->current ? rep->current : NULL);
	tn_json_add_string(record, "gate", gate.reason);
	{
		char created_iso[21];

		tn_ms_iso_time(created_iso, created);
		tn_json_add_string(record, "created_at", created_iso);
	}
	tn_json_add_number(record, "seed", (double)job->seed);
	tn_json_add_string(record, "strategy", lstm_strategy_name(tc.strategy));
	parent = job->parent ? tn_json_object() : NULL;
	if (parent) {
		tn_json_add_string(parent, "symbol", *job->parent->symbol
							    ? job->parent->symbol : NULL);
		tn_json_add_string(parent, "version", job->parent->version);
		tn_json_add_string(parent, "path", job->parent->path);
	}
	tn_json_add_item(record, "parent", parent ? parent : cJSON_CreateNull());
	tn_json_add_item(record, "config", config);
	config = NULL;
	range = tn_json_object();
	add_date(range, "from", p->dates[ds.last[0] - T + 1]);
	add_date(range, "train_to", p->dates[ds.last[n_train - 1] + Z]);
	add_date(range, "val_from", p->dates[ds.last[vf] + 1]);
	add_date(range, "to", p->dates[ds.last[ds.n - 1] + Z]);
	tn_json_add_number(range, "train_windows", n_train);
	tn_json_add_number(range, "val_windows", ds.n - vf);
	tn_json_add_item(record, "data", range);
	tn_json_add_item(record, "epochs", losses_json(&r));
	tn_json_add_number(record, "best_epoch", (double)rep->best_epoch);
	tn_json_add_string(record, "stopped", *r.reason ? r.reason : NULL);
	tn_json_add_item(record, "metrics", lstm_eval_json(&rep->overall));
	tn_json_add_item(record, "baselines", tn_ms_baselines_json(&zero, &mom));
	tn_json_add_item(record, "per_horizon",
			 per_horizon_json(rep->per_horizon, Z));
	if (r.nonfinite)
		tn_json_add_string(record, "error", err);
	rep->seconds = tn_monotonic_seconds() - t0;
	timing = tn_json_object();
	tn_json_add_number(timing, "prepare_seconds", prep_seconds);
	tn_json_add_number(timing, "train_seconds", r.seconds);
	tn_json_add_number(timing, "total_seconds", rep->seconds);
	tn_json_add_number(timing, "samples_per_s", r.samples_per_s);
	tn_json_add_item(record, "timings", timing);
	tn_json_add_string(record, "blas", tn_blas_config());
	{
		char rerr[sizeof rep->error];

		rc = tn_ms_append_run(ms, record, rerr, sizeof rerr);
		if (rc) {
			snprintf(err, errsz, "%s", rerr);
			status = rc;
			rep->status = TN_MS_FAILED;
		}
	}
	cJSON_Delete(record);
close:
	if (ms == &own)
		tn_ms_close(&own);
out:
	rep->seconds = tn_monotonic_seconds() - t0;
	if (status && status != TN_EX_FAIL)
		fail(rep, status);
	cJSON_Delete(config);
	lstm_train_result_free(&r);
	lstm_dataset_free(&ds);
	lstm_model_free(&model);
	return status;
}

void lstm_train_report_free(struct lstm_train_report *rep)
{
	free(rep->per_horizon);
	rep->per_horizon = NULL;
}

cJSON *lstm_train_summary_json(const struct lstm_train_report *rep,
			       const struct lstm_job *job)
{
	struct tn_ms_summary s = { 0 };
	int trained = rep->per_horizon != NULL;
	cJSON *o;

	s.symbol = rep->symbol;
	s.status = rep->status ? rep->status : TN_MS_FAILED;
	s.version = *rep->version ? rep->version : NULL;
	s.current_version = *rep->current ? rep->current : NULL;
	if (trained) {
		s.metrics = &rep->overall.model;
		s.zero = &rep->overall.zero;
		s.momentum = &rep->overall.momentum;
	}
	s.epochs = rep->epochs;
	s.best_epoch = rep->best_epoch;
	s.seconds = rep->seconds;
	s.gate = rep->gate;
	s.error = *rep->error ? rep->error : NULL;
	o = tn_ms_summary_json(&s);
	if (trained) {
		tn_json_add_number(o, "rmse", rep->overall.rmse);
		tn_json_add_number(o, "r2", rep->overall.r2);
	}
	tn_json_add_string(o, "strategy", lstm_strategy_name(rep->strategy));
	if (job->parent)
		tn_json_add_string(o, "parent_version", job->parent->version);
	tn_json_add_number(o, "horizon", rep->horizon);
	return o;
}
