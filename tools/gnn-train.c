/* gnn-train - train per-symbol graph neural network forecasters into the
 * store: for each target symbol, its most correlated peers over the
 * training range, one correlation graph per day from the trailing
 * lookback, two GCN layers, a GAT layer and a linear head (gnn_model.h)
 * predicting every node's forward log return; a temporal split with a
 * gap, standardisation fitted on the training split, early stopping, the
 * validation gate, a run record and a one-line JSON summary.
 *
 * Dimension letters: S snapshots (usable days), N nodes, F features. */
#include "cli.h"
#include "corr.h"
#include "dates.h"
#include "evaluate.h"
#include "gemm.h"
#include "gnn_data.h"
#include "gnn_model.h"
#include "json.h"
#include "metrics.h"
#include "modelstore.h"
#include "nn_h5.h"
#include "nn_loss.h"
#include "nn_optim.h"
#include "nn_param.h"
#include "nn_sched.h"
#include "panel.h"
#include "progress.h"
#include "rng.h"
#include "store.h"
#include "trainjobs.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Defaults (the original design's, issue 6); the man page states them. */
#define DEFAULT_NEIGHBOURS 10
#define DEFAULT_LOOKBACK 60
#define DEFAULT_THRESHOLD 0.3
#define DEFAULT_HORIZON 1
#define DEFAULT_EPOCHS 20
#define DEFAULT_BATCH 1
#define DEFAULT_LR 1e-3
#define DEFAULT_PATIENCE 5
#define DEFAULT_VAL_FRACTION 0.2
#define DEFAULT_SEED 1
#define DEFAULT_JOBS 1
/* Node features: the gnn preset without close, whose price level is not
 * stationary; close is what targets are computed from. */
#define DEFAULT_FEATURES "logret_1,vol_20,mom_20,volnorm_20"
#define CLOSE_COLUMN "close"
/* Step schedule: lr *= STEP_GAMMA every STEP_SIZE epochs; cosine restarts
 * every COSINE_T0 epochs. */
#define STEP_SIZE 10
#define STEP_GAMMA 0.1
#define COSINE_T0 10
/* Fewest snapshots a split may have. */
#define MIN_TRAIN_SNAPSHOTS 20
#define MIN_VAL_SNAPSHOTS 5
/* Snapshots per forward when evaluating. */
#define EVAL_BATCH 64
#define MAX_EPOCHS 100000
#define MAX_JOBS 256
#define KIND "gnn"
#define TOOL "gnn-train"

static const char usage_text[] =
"Usage: gnn-train [OPTION]... --symbol SYM [FEATURES.csv]\n"
"       gnn-train [OPTION]... --symbols LIST|@FILE [-j N] [FEATURES.csv]\n"
"       gnn-train [--store DIR] --rollback SYM\n"
"Train per-symbol GNN forecasters from a features CSV (stdin when FILE is\n"
"absent or -) into the store; print one JSON summary line per symbol.\n"
"\n"
"  -s, --symbol SYM         train SYM (repeatable)\n"
"      --symbols LIST|@FILE train the comma-separated symbols, or those\n"
"                           listed in FILE\n"
"      --symbols-file FILE  the same as --symbols @FILE\n"
"  -j, --jobs N             worker processes (default 1)\n"
"      --store DIR          the store (default $TICKERNET_STORE, else ./store)\n"
"      --force              promote even when validation is worse\n"
"      --rollback SYM       point SYM's current model at the previous version\n"
"      --lock-wait SECONDS  wait for the symbol's lock (default 60)\n"
"      --features LIST      node features (default " DEFAULT_FEATURES ")\n"
"  -k, --neighbours K       peers per target (default 10)\n"
"      --lookback DAYS      correlation window of each snapshot (default 60)\n"
"      --threshold R        edge when |correlation| >= R (default 0.3)\n"
"      --horizon DAYS       forecast horizon (default 1)\n"
"      --days N             use only the last N days of the input (default all)\n"
"      --val-fraction F     share of snapshots for validation (default 0.2)\n"
"      --hidden D           hidden width (default 64)\n"
"      --heads H            GAT heads (default 4)\n"
"      --activation A       elu or relu (default elu)\n"
"      --dropout P          dropout (default 0.1)\n"
"      --epochs N           epochs (default 20)\n"
"      --batch-size B       snapshots per step (default 1)\n"
"      --optimizer NAME     sgd, adam, adamw, adabelief (default adam)\n"
"      --lr RATE            learning rate (default 0.001)\n"
"      --weight-decay W     weight decay (default: the optimizer's)\n"
"      --schedule NAME      constant, step, cosine, plateau (default constant)\n"
"      --loss NAME          mse or huber (default mse)\n"
"      --rank-weight W      add W times the pairwise rank loss (default 0)\n"
"      --clip NORM          clip the gradient norm (default 0: off)\n"
"      --patience N         early-stopping patience in epochs (default 5)\n"
"      --seed N             random seed (default 1)\n"
"      --metrics-file FILE  write Prometheus metrics to FILE at the end\n"
"  -q, --quiet              no warnings\n"
"  -v, --verbose            say more on stderr\n"
"  -h, --help               this help\n"
"  -V, --version            version\n";

enum { OPT_SYMBOLS = 256, OPT_SYMBOLS_FILE, OPT_STORE, OPT_FORCE, OPT_ROLLBACK,
       OPT_LOCK_WAIT, OPT_FEATURES, OPT_LOOKBACK, OPT_THRESHOLD, OPT_HORIZON,
       OPT_DAYS, OPT_VAL_FRACTION, OPT_HIDDEN, OPT_HEADS, OPT_ACTIVATION,
       OPT_DROPOUT, OPT_EPOCHS, OPT_BATCH, OPT_OPTIMIZER, OPT_LR, OPT_WD,
       OPT_SCHEDULE, OPT_LOSS, OPT_RANK_WEIGHT, OPT_CLIP, OPT_PATIENCE,
       OPT_SEED, OPT_METRICS };

static const struct option longopts[] = {
	{ "symbol", required_argument, NULL, 's' },
	{ "symbols", required_argument, NULL, OPT_SYMBOLS },
	{ "symbols-file", required_argument, NULL, OPT_SYMBOLS_FILE },
	{ "jobs", required_argument, NULL, 'j' },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "rollback", required_argument, NULL, OPT_ROLLBACK },
	{ "lock-wait", required_argument, NULL, OPT_LOCK_WAIT },
	{ "features", required_argument, NULL, OPT_FEATURES },
	{ "neighbours", required_argument, NULL, 'k' },
	{ "metrics-file", required_argument, NULL, OPT_METRICS },
	{ "lookback", required_argument, NULL, OPT_LOOKBACK },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "horizon", required_argument, NULL, OPT_HORIZON },
	{ "days", required_argument, NULL, OPT_DAYS },
	{ "val-fraction", required_argument, NULL, OPT_VAL_FRACTION },
	{ "hidden", required_argument, NULL, OPT_HIDDEN },
	{ "heads", required_argument, NULL, OPT_HEADS },
	{ "activation", required_argument, NULL, OPT_ACTIVATION },
	{ "dropout", required_argument, NULL, OPT_DROPOUT },
	{ "epochs", required_argument, NULL, OPT_EPOCHS },
	{ "batch-size", required_argument, NULL, OPT_BATCH },
	{ "optimizer", required_argument, NULL, OPT_OPTIMIZER },
	{ "lr", required_argument, NULL, OPT_LR },
	{ "weight-decay", required_argument, NULL, OPT_WD },
	{ "schedule", required_argument, NULL, OPT_SCHEDULE },
	{ "loss", required_argument, NULL, OPT_LOSS },
	{ "rank-weight", required_argument, NULL, OPT_RANK_WEIGHT },
	{ "clip", required_argument, NULL, OPT_CLIP },
	{ "patience", required_argument, NULL, OPT_PATIENCE },
	{ "seed", required_argument, NULL, OPT_SEED },
	TN_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

struct opts {
	const char *store;
	int force, lock_wait, jobs;
	char *features;            /* comma list */
	int neighbours, lookback, horizon, days;
	double threshold, val_fraction;
	struct gnn_config arch;    /* nodes and features filled per symbol */
	long epochs, batch, patience;
	enum nn_optim_kind optimizer;
	double lr, weight_decay;   /* weight_decay < 0: the optimizer's */
	const char *schedule, *loss;
	double rank_weight, clip;
	uint64_t seed;
};

/* What every symbol's training reads: the panel and derived series. */
struct inputs {
	const struct tn_panel *panel;
	int first_day;        /* first date index used (--days) */
	int close;            /* column of close */
	int F;
	int *feat;            /* (F) columns of the node features */
	char **feat_names;    /* (F) */
	double *logret;       /* (nsym, ndates) daily log returns of close */
	/* set by SIGINT/SIGTERM; training stops after the current step */
	const volatile sig_atomic_t *stop;
};

/* ---- one symbol's data -------------------------------------------------- */

struct dataset {
	int N, F, S, ntrain, nval;
	int *nodes;           /* (N) panel symbol indices, target first */
	double *node_corr;    /* (N) correlation with the target over training */
	int *day;             /* (S) panel date index of each snapshot */
	real *x;              /* (S, N, F) standardised features */
	real *adj;            /* (S, N, N) |correlation| >= threshold, else 0 */
	real *norm;           /* (S, N, N) nn_gcn_norm of adj, once, not per
				 step */
	real *y;              /* (S, N) targets / target_std */
	real *mask;           /* (S, N) 1 where the target exists */
	double *actual;       /* (S) the target node's raw forward return */
	double *momentum;     /* (S) the momentum baseline's forecast */
	real *mean, *std;     /* (F) standardisation, training split only */
	real target_std;
};

static void dataset_free(struct dataset *d)
{
	free(d->nodes);
	free(d->node_corr);
	free(d->day);
	free(d->x);
	free(d->adj);
	free(d->norm);
	free(d->y);
	free(d->mask);
	free(d->actual);
	free(d->momentum);
	free(d->mean);
	free(d->std);
	memset(d, 0, sizeof *d);
}

static double close_at(const struct inputs *in, int s, int d)
{
	return tn_panel_row(in->panel, s, d)[in->close];
}

/* Forward log return of symbol s from day d over the horizon. */
static double forward_return(const struct inputs *in, int s, int d, int h)
{
	if (d + h >= in->panel->ndates)
		return NAN;
	return log(close_at(in, s, d + h) / close_at(in, s, d));
}

static int row_finite(const struct inputs *in, int s, int d)
{
	const double *row = tn_panel_row(in->panel, s, d);
	int f;

	for (f = 0; f < in->F; f++)
		if (!isfinite(row[in->feat[f]]))
			return 0;
	return isfinite(row[in->close]);
}

struct peer {
	int sym;
	double corr;
};

static int cmp_peer(const void *a, const void *b)
{
	const struct peer *p = a, *q = b;
	double x = fabs(p->corr), y = fabs(q->corr);

	if (x != y)
		return x > y ? -1 : 1;
	return p->sym - q->sym;
}

/* Builds the snapshots of target t.  Returns 0, or an exit code with err. */
static int dataset_build(struct dataset *ds, const struct inputs *in,
			 const struct opts *o, int t, char *err, size_t errsz)
{
	const struct tn_panel *p = in->panel;
	int D = p->ndates, h = o->horizon, L = o->lookback, F = in->F;
	int first = in->first_day, start, d, k, i, f, s, v0, last_train;
	int warm = L - 1 > TN_MOMENTUM_WINDOW ? L - 1 : TN_MOMENTUM_WINDOW;
	int *cand_days, ncand = 0, npeer = 0;
	struct peer *peers;
	const double *lr_t = in->logret + (size_t)t * (size_t)D;
	double *sum, *sq, *cnt, ysq = 0, ycnt = 0;
	const double **series;

	memset(ds, 0, sizeof *ds);
	cand_days = xmalloc(sizeof(int) * (size_t)(D > 0 ? D : 1));
	start = first + warm;
	for (d = start; d < D; d++)
		if (row_finite(in, t, d) && isfinite(forward_return(in, t, d, h)) &&
		    isfinite(tn_baseline_momentum(lr_t, d, TN_MOMENTUM_WINDOW, h)))
			cand_days[ncand++] = d;
	ds->nval = (int)lround(o->val_fraction * ncand);
	if (ds->nval < MIN_VAL_SNAPSHOTS)
		ds->nval = MIN_VAL_SNAPSHOTS;
	v0 = ncand > ds->nval ? cand_days[ncand - ds->nval] : 0;
	/* the gap: a training target (d, d+h] ends before validation starts */
	for (k = 0; k < ncand - ds->nval && cand_days[k] + h <= v0; k++)
		ds->ntrain++;
	if (ncand <= ds->nval || ds->ntrain < MIN_TRAIN_SNAPSHOTS) {
		snprintf(err, errsz,
			 "%s: %d usable days, need %d for training after a %d-day gap "
			 "and %d for validation",
			 p->symbols[t], ncand, MIN_TRAIN_SNAPSHOTS, h, ds->nval);
		free(cand_days);
		return TN_EX_DATAERR;
	}
	last_train = cand_days[ds->ntrain - 1];

	/* Peers: correlation of daily returns over the training range only. */
	peers = xmalloc(sizeof *peers * (size_t)(p->nsym > 0 ? p->nsym : 1));
	for (s = 0; s < p->nsym; s++) {
		double c;

		if (s == t)
			continue;
		c = tn_corr_pair(lr_t + first, in->logret + (size_t)s * (size_t)D + first,
				 last_train - first + 1, 1, TN_CORR_PEARSON, L);
		if (isfinite(c))
			peers[npeer++] = (struct peer){ s, c };
	}
	qsort(peers, (size_t)npeer, sizeof *peers, cmp_peer);
	if (npeer > o->neighbours)
		npeer = o->neighbours;
	ds->N = 1 + npeer;
	ds->F = F;
	ds->nodes = xmalloc(sizeof(int) * (size_t)ds->N);
	ds->node_corr = xmalloc(sizeof(double) * (size_t)ds->N);
	ds->nodes[0] = t;
	ds->node_corr[0] = 1;
	for (i = 0; i < npeer; i++) {
		ds->nodes[1 + i] = peers[i].sym;
		ds->node_corr[1 + i] = peers[i].corr;
	}
	free(peers);

	/* Snapshots: training days, then validation days. */
	ds->S = ds->ntrain + ds->nval;
	ds->day = xmalloc(sizeof(int) * (size_t)ds->S);
	memcpy(ds->day, cand_days, sizeof(int) * (size_t)ds->ntrain);
	memcpy(ds->day + ds->ntrain, cand_days + ncand - ds->nval,
	       sizeof(int) * (size_t)ds->nval);
	free(cand_days);
	{
		size_t S = (size_t)ds->S, N = (size_t)ds->N;

		ds->x = xcalloc(S * N * (size_t)F, sizeof(real));
		ds->adj = xcalloc(S * N * N, sizeof(real));
		ds->norm = xcalloc(S * N * N, sizeof(real));
		ds->y = xcalloc(S * N, sizeof(real));
		ds->mask = xcalloc(S * N, sizeof(real));
		ds->actual = xmalloc(S * sizeof(double));
		ds->momentum = xmalloc(S * sizeof(double));
	}
	ds->mean = xmalloc(sizeof(real) * (size_t)F);
	ds->std = xmalloc(sizeof(real) * (size_t)F);

	/* Standardisation from the training snapshots only. */
	sum = xcalloc((size_t)F * 3, sizeof(double));
	sq = sum + F;
	cnt = sq + F;
	for (k = 0; k < ds->ntrain; k++)
		for (i = 0; i < ds->N; i++) {
			const double *row = tn_panel_row(p, ds->nodes[i], ds->day[k]);
			double y = forward_return(in, ds->nodes[i], ds->day[k], h);

			for (f = 0; f < F; f++) {
				double v = row[in->feat[f]];

				if (isfinite(v)) {
					sum[f] += v;
					sq[f] += v * v;
					cnt[f] += 1;
				}
			}
			if (isfinite(y)) {
				ysq += y * y;
				ycnt += 1;
			}
		}
	for (f = 0; f < F; f++) {
		double m = cnt[f] > 0 ? sum[f] / cnt[f] : 0;
		double var = cnt[f] > 1 ? sq[f] / cnt[f] - m * m : 0;

		ds->mean[f] = (real)m;
		ds->std[f] = (real)(var > 1e-24 ? sqrt(var) : 1);
	}
	/* Returns are scaled, not centred: a prediction of 0 stays "no
	 * change". */
	ds->target_std = (real)(ycnt > 0 && ysq > 0 ? sqrt(ysq / ycnt) : 1);
	free(sum);

	series = xmalloc(sizeof *series * (size_t)ds->N);
	for (k = 0; k < ds->S; k++) {
		size_t N = (size_t)ds->N;
		real *x = ds->x + (size_t)k * N * (size_t)F;
		real *adj = ds->adj + (size_t)k * N * N;
		int day = ds->day[k];

		for (i = 0; i < ds->N; i++) {
			const double *row = tn_panel_row(p, ds->nodes[i], day);
			double y = forward_return(in, ds->nodes[i], day, h);

			gnn_standardise_node(x + (size_t)i * (size_t)F, row, in->feat,
					     ds->mean, ds->std, F);
			if (isfinite(y)) {
				ds->y[(size_t)k * N + (size_t)i] = (real)(y / ds->target_std);
				ds->mask[(size_t)k * N + (size_t)i] = 1;
			}
		}
		/* The graph of day `day`: returns of the L days up to it. */
		for (i = 0; i < ds->N; i++)
			series[i] = in->logret + (size_t)ds->nodes[i] * (size_t)D;
		gnn_snapshot_adjacency(adj, series, ds->N, day, first, L, o->threshold);
		nn_gcn_norm(ds->norm + (size_t)k * N * N, adj, 1, ds->N);
		ds->actual[k] = forward_return(in, t, day, h);
		ds->momentum[k] = tn_baseline_momentum(lr_t, day, TN_MOMENTUM_WINDOW, h);
	}
	free(series);
	return 0;
}

/* ---- training ----------------------------------------------------------- */

/* A batch's snapshots: x, adj, norm, y and mask point into the dataset
 * when the snapshots are consecutive there (one per step, or a
 * validation run), and into the buffers otherwise. */
struct batch {
	const real *x, *adj, *norm, *y, *mask;
	real *xbuf, *adjbuf, *normbuf, *ybuf, *maskbuf, *dpred;
};

static void batch_init(struct batch *b, int B, int N, int F)
{
	size_t n = (size_t)B * (size_t)N;

	b->xbuf = xmalloc(sizeof(real) * n * (size_t)F);
	b->adjbuf = xmalloc(sizeof(real) * n * (size_t)N);
	b->normbuf = xmalloc(sizeof(real) * n * (size_t)N);
	b->ybuf = xmalloc(sizeof(real) * n);
	b->maskbuf = xmalloc(sizeof(real) * n);
	b->dpred = xmalloc(sizeof(real) * n);
}

static void batch_free(struct batch *b)
{
	free(b->xbuf);
	free(b->adjbuf);
	free(b->normbuf);
	free(b->ybuf);
	free(b->maskbuf);
	free(b->dpred);
}

static void batch_gather(struct batch *b, const struct dataset *ds,
			 const int *idx, int B)
{
	size_t N = (size_t)ds->N, F = (size_t)ds->F, s = (size_t)idx[0];
	int k;

	for (k = 1; k < B && idx[k] == idx[0] + k; k++)
		;
	if (k == B) {
		b->x = ds->x + s * N * F;
		b->adj = ds->adj + s * N * N;
		b->norm = ds->norm + s * N * N;
		b->y = ds->y + s * N;
		b->mask = ds->mask + s * N;
		return;
	}
	for (k = 0; k < B; k++) {
		s = (size_t)idx[k];
		memcpy(b->xbuf + (size_t)k * N * F, ds->x + s * N * F,
		       sizeof(real) * N * F);
		memcpy(b->adjbuf + (size_t)k * N * N, ds->adj + s * N * N,
		       sizeof(real) * N * N);
		memcpy(b->normbuf + (size_t)k * N * N, ds->norm + s * N * N,
		       sizeof(real) * N * N);
		memcpy(b->ybuf + (size_t)k * N, ds->y + s * N, sizeof(real) * N);
		memcpy(b->maskbuf + (size_t)k * N, ds->mask + s * N, sizeof(real) * N);
	}
	b->x = b->xbuf;
	b->adj = b->adjbuf;
	b->norm = b->normbuf;
	b->y = b->ybuf;
	b->mask = b->maskbuf;
}

/* Validation: the MSE over every present node (early stopping's loss, in
 * standardised units), and the target node's raw predictions. */
static double evaluate(const struct gnn_model *m, struct gnn_work *w,
		       struct batch *b, const struct dataset *ds, double *pred)
{
	int idx[EVAL_BATCH], k, done, B, N = ds->N;
	double se = 0, count = 0;

	for (done = 0; done < ds->nval; done += B) {
		B = ds->nval - done < EVAL_BATCH ? ds->nval - done : EVAL_BATCH;
		for (k = 0; k < B; k++)
			idx[k] = ds->ntrain + done + k;
		batch_gather(b, ds, idx, B);
		gnn_forward(m, w, b->x, b->adj, b->norm, B, NULL);
		for (k = 0; k < B * N; k++)
			if (b->mask[k]) {
				double e = (double)w->pred[k] - b->y[k];

				se += e * e;
				count += 1;
			}
		for (k = 0; k < B; k++)
			pred[done + k] = (double)w->pred[(size_t)k * (size_t)N] *
					 ds->target_std;
	}
	return count > 0 ? se / count : NAN;
}

struct result {
	struct tn_eval metrics, zero, momentum;
	long epochs, best_epoch;
	int nonfinite;
	char error[256];
	cJSON *history;       /* [{"epoch":..,"train_loss":..,"val_loss":..,"lr":..}] */
	double train_seconds;
};

/* Whether the loss and every gradient are finite.  nn_early_guard's scan,
 * which names the tensor, runs only when this fails: run on every step it
 * took a twentieth of training. */
static int step_finite(const struct nn_params *p, double loss)
{
	return isfinite(loss) && nn_params_grads_finite(p);
}

static void sched_init(struct nn_sched *s, const struct opts *o)
{
	if (strcmp(o->schedule, "step") == 0)
		nn_sched_steplr(s, o->lr, STEP_SIZE, STEP_GAMMA);
	else if (strcmp(o->schedule, "cosine") == 0)
		nn_sched_cosine_wr(s, o->lr, COSINE_T0, 1, 0);
	else if (strcmp(o->schedule, "plateau") == 0)
		nn_sched_plateau(s, o->lr, NN_PLATEAU_FACTOR, NN_PLATEAU_PATIENCE,
				 NN_PLATEAU_THRESHOLD, NN_PLATEAU_COOLDOWN,
				 NN_PLATEAU_MIN_LR);
	else
		nn_sched_constant(s, o->lr);
}

/* Trains m on ds.  Returns 0, or the signal's exit status when *stop was
 * set (by SIGINT/SIGTERM): training stops after the current step. */
static int train(struct gnn_model *m, const struct dataset *ds,
		 const struct opts *o, struct tn_rng *rng, struct result *r,
		 int show_progress, const char *symbol,
		 const volatile sig_atomic_t *stop)
{
	int B = (int)o->batch, N = ds->N, bmax = B > EVAL_BATCH ? B : EVAL_BATCH;
	int *order = xmalloc(sizeof(int) * (size_t)ds->ntrain), k, done;
	double *pred = xmalloc(sizeof(double) * (size_t)ds->nval);
	double *actual = ds->actual + ds->ntrain, *mom = ds->momentum + ds->ntrain;
	double *zeros = xcalloc((size_t)ds->nval, sizeof(double));
	struct tn_progress prog = { 0 };
	struct gnn_work w;
	struct batch b;
	struct nn_optim opt;
	struct nn_sched sched;
	struct nn_early early;
	double t0 = tn_monotonic_seconds();
	int status = 0;
	long epoch;

	gnn_work_init(&w, &m->cfg, bmax);
	batch_init(&b, bmax, N, ds->F);
	nn_optim_init(&opt, o->optimizer, o->lr);
	if (o->weight_decay >= 0)
		opt.weight_decay = o->weight_decay;
	sched_init(&sched, o);
	nn_early_init(&early, &m->params, o->patience, 0);
	r->history = cJSON_CreateArray();
	if (!r->history)
		die(TN_EX_SOFTWARE, "out of memory");
	prog.force = show_progress ? TN_PROGRESS_AUTO : TN_PROGRESS_NEVER;
	tn_progress_start(&prog, symbol, o->epochs);
	for (k = 0; k < ds->ntrain; k++)
		order[k] = k;

	for (epoch = 1; epoch <= o->epochs; epoch++) {
		double loss_sum = 0, val_loss;
		long steps = 0;
		cJSON *rec;

		opt.lr = sched.lr;
		for (k = ds->ntrain - 1; k > 0; k--) {
			int j = (int)tn_rng_below(rng, (uint64_t)k + 1), tmp = order[k];

			order[k] = order[j];
			order[j] = tmp;
		}
		for (done = 0; done < ds->ntrain && !*stop; done += B) {
			int nb = ds->ntrain - done < B ? ds->ntrain - done : B, n = nb * N;
			double loss;

			batch_gather(&b, ds, order + done, nb);
			nn_params_zero_grad(&m->params);
			gnn_forward(m, &w, b.x, b.adj, b.norm, nb, rng);
			memset(b.dpred, 0, sizeof(real) * (size_t)n);
			if (strcmp(o->loss, "huber") == 0)
				loss = nn_huber_loss(b.dpred, w.pred, b.y, b.mask,
						     (real)NN_HUBER_DELTA, 1, n);
			else
				loss = nn_mse_loss(b.dpred, w.pred, b.y, b.mask, 1, n);
			if (o->rank_weight > 0)
				loss += o->rank_weight *
					nn_rank_loss(b.dpred, w.pred, b.y, b.mask,
						     (real)o->rank_weight, nb, N);
			gnn_backward(m, &w, b.dpred, b.x);
			if (!step_finite(&m->params, loss) &&
			    nn_early_guard(&early, loss)) {
				r->nonfinite = 1;
				snprintf(r->error, sizeof r->error,
					 "non-finite loss or gradient in epoch %ld: %s", epoch,
					 early.reason);
				break;
			}
			if (o->clip > 0)
				nn_params_clip_grad_norm(&m->params, o->clip);
			nn_optim_step(&opt, &m->params);
			loss_sum += loss;
			steps++;
		}
		if (*stop) {
			status = tn_tj_signal_status(*stop);
			break;
		}
		if (r->nonfinite)
			break;
		val_loss = evaluate(m, &w, &b, ds, pred);
		rec = tn_json_object();
		tn_json_add_number(rec, "epoch", (double)epoch);
		tn_json_add_number(rec, "train_loss", steps ? loss_sum / (double)steps : NAN);
		tn_json_add_number(rec, "val_loss", val_loss);
		tn_json_add_number(rec, "lr", opt.lr);
		cJSON_AddItemToArray(r->history, rec);
		r->epochs = epoch;
		tn_progress_update(&prog, epoch, "train %.4g  val %.4g",
				   steps ? loss_sum / (double)steps : NAN, val_loss);
		info("%s: epoch %ld: train loss %.6g, validation loss %.6g", symbol,
		     epoch, steps ? loss_sum / (double)steps : NAN, val_loss);
		nn_sched_step(&sched, val_loss);
		if (nn_early_update(&early, val_loss)) {
			if (!isfinite(val_loss)) {
				r->nonfinite = 1;
				snprintf(r->error, sizeof r->error,
					 "non-finite validation loss in epoch %ld", epoch);
			}
			break;
		}
	}
	tn_progress_end(&prog);
	/* best_epoch is 0-based in nn_early (-1 = the initial weights) */
	r->best_epoch = nn_early_finish(&early) + 1;
	if (status == 0) {
		evaluate(m, &w, &b, ds, pred);
		tn_eval_compute(&r->metrics, pred, actual, ds->nval);
		tn_eval_compute(&r->zero, zeros, actual, ds->nval);
		tn_eval_compute(&r->momentum, mom, actual, ds->nval);
	}
	r->train_seconds = tn_monotonic_seconds() - t0;
	nn_early_free(&early);
	batch_free(&b);
	gnn_work_free(&w);
	free(order);
	free(pred);
	free(zeros);
	return status;
}

/* ---- the model file ----------------------------------------------------- */

struct file_ctx {
	const struct gnn_model *model;
	const struct dataset *ds;
	const struct inputs *in;
	const struct opts *o;
	const struct tn_ms_meta *meta;
};

static int write_model(hid_t file, void *arg, char *err, size_t errsz)
{
	const struct file_ctx *c = arg;
	const struct dataset *ds = c->ds;
	const char **names = xmalloc(sizeof(char *) * (size_t)ds->N);
	size_t nf = (size_t)ds->F, nn = (size_t)ds->N, one = 1;
	real *corr = xmalloc(sizeof(real) * nn);
	int i, rc;

	for (i = 0; i < ds->N; i++) {
		names[i] = c->in->panel->symbols[ds->nodes[i]];
		corr[i] = (real)ds->node_corr[i];
	}
	rc = tn_ms_write_meta(file, c->meta, err, errsz) < 0 ||
	     gnn_model_write(file, c->model, err, errsz) < 0 ||
	     nn_h5_attr_set_int(file, "horizon", c->o->horizon, err, errsz) < 0 ||
	     nn_h5_attr_set_int(file, "lookback", c->o->lookback, err, errsz) < 0 ||
	     nn_h5_attr_set_double(file, "threshold", c->o->threshold, err, errsz) < 0 ||
	     nn_h5_write_strings(file, "nodes", names, nn, err, errsz) < 0 ||
	     nn_h5_write_strings(file, "features",
				 (const char *const *)c->in->feat_names, nf, err,
				 errsz) < 0 ||
	     nn_h5_write_real(file, "neighbour_corr", corr, 1, &nn, err, errsz) < 0 ||
	     nn_h5_write_real(file, "norm/feature_mean", ds->mean, 1, &nf, err,
			      errsz) < 0 ||
	     nn_h5_write_real(file, "norm/feature_std", ds->std, 1, &nf, err,
			      errsz) < 0 ||
	     nn_h5_write_real(file, "norm/target_std", &ds->target_std, 1, &one,
			      err, errsz) < 0;
	free(names);
	free(corr);
	return rc ? -1 : 0;
}

static cJSON *config_json(const struct opts *o, const struct inputs *in)
{
	cJSON *c = tn_json_object(), *feats = cJSON_CreateArray();
	int f;

	for (f = 0; f < in->F; f++)
		cJSON_AddItemToArray(feats, cJSON_CreateString(in->feat_names[f]));
	tn_json_add_item(c, "features", feats);
	tn_json_add_number(c, "neighbours", o->neighbours);
	tn_json_add_number(c, "lookback", o->lookback);
	tn_json_add_number(c, "threshold", o->threshold);
	tn_json_add_number(c, "horizon", o->horizon);
	tn_json_add_number(c, "days", o->days);
	tn_json_add_number(c, "val_fraction", o->val_fraction);
	tn_json_add_number(c, "hidden", o->arch.hidden);
	tn_json_add_number(c, "heads", o->arch.heads);
	tn_json_add_string(c, "activation", gnn_act_name(o->arch.act));
	tn_json_add_number(c, "dropout", o->arch.dropout);
	tn_json_add_number(c, "epochs", (double)o->epochs);
	tn_json_add_number(c, "batch_size", (double)o->batch);
	tn_json_add_string(c, "optimizer", nn_optim_name(o->optimizer));
	tn_json_add_number(c, "lr", o->lr);
	tn_json_add_number(c, "weight_decay", o->weight_decay);
	tn_json_add_string(c, "schedule", o->schedule);
	tn_json_add_string(c, "loss", o->loss);
	tn_json_add_number(c, "rank_weight", o->rank_weight);
	tn_json_add_number(c, "clip", o->clip);
	tn_json_add_number(c, "patience", (double)o->patience);
	tn_json_add_number(c, "seed", (double)o->seed);
	return c;
}

static void add_date(cJSON *obj, const char *key, tn_day d)
{
	char buf[TN_DATE_LEN + 1];

	tn_date_format(d, buf);
	tn_json_add_string(obj, key, buf);
}

/* ---- metrics ------------------------------------------------------------ */

/* Counts one symbol's outcome into m (NULL: not counted). */
static void count_status(struct tn_metrics *m, const char *status)
{
	if (m)
		tn_metrics_counter_add(m, "tickernet_train_symbols_total",
				       "Symbols trained, by outcome.",
				       (const char *[]){ "tool", "gnn-train",
							 "status", status, NULL }, 1);
}

/* Gives every outcome a sample, 0 until a symbol has it, so that a
 * scrape tells "none failed" from "not reported". */
static void init_metrics(struct tn_metrics *m)
{
	static const char *const outcomes[] = { TN_MS_PROMOTED, TN_MS_KEPT,
						TN_MS_FAILED };
	size_t i;

	for (i = 0; i < sizeof outcomes / sizeof *outcomes; i++)
		tn_metrics_counter_add(m, "tickernet_train_symbols_total",
				       "Symbols trained, by outcome.",
				       (const char *[]){ "tool", "gnn-train",
							 "status", outcomes[i],
							 NULL }, 0);
}

/* Writes the run's metrics to path, failed runs too: a failure to write
 * them is a warning, never the run's exit status. */
static void write_metrics(struct tn_metrics *m, const char *path, double t0)
{
	const char *what;

	tn_metrics_gauge_set(m, "tickernet_gnn_train_duration_seconds",
			     "Seconds the run took.", NULL, tn_monotonic_seconds() - t0);
	tn_metrics_gauge_set(m, "tickernet_gnn_train_last_run_timestamp_seconds",
			     "Unix time the run ended.", NULL, (double)time(NULL));
	if (tn_metrics_write(m, path, &what) < 0)
		warn("%s: %s:", path, what);
}

/* ---- one symbol, end to end --------------------------------------------- */

/* Prints s as one JSON line to out and counts it into m (may be NULL). */
static int print_summary(FILE *out, const struct tn_ms_summary *s,
			 struct tn_metrics *m)
{
	cJSON *o = tn_ms_summary_json(s);
	int rc = tn_json_write_line(out, o);

	cJSON_Delete(o);
	count_status(m, s->status);
	return rc;
}

static int fail_symbol(FILE *out, struct tn_metrics *m, const char *symbol,
		       int status, const char *err, double t0)
{
	struct tn_ms_summary s = { 0 };

	warn("%s", err);
	s.symbol = symbol;
	s.status = TN_MS_FAILED;
	s.epochs = -1;
	s.seconds = tn_monotonic_seconds() - t0;
	s.error = err;
	print_summary(out, &s, m);
	return status;
}

/* Trains one symbol, prints its summary to out and counts it into m (may
 * be NULL).  Returns its exit status: 0 promoted or kept, 1 non-finite
 * loss, an error status, or the signal's status (nothing written, no
 * summary). */
static int train_symbol(const struct inputs *in, const struct opts *o,
			const char *root, const char *symbol, int show_progress,
			FILE *out, struct tn_metrics *m)
{
	char err[NN_H5_ERR_MAX + 512], stamp[TN_STAMP_LEN + 1];
	const struct tn_panel *p = in->panel;
	struct dataset ds;
	struct gnn_model model;
	struct gnn_config arch = o->arch;
	struct result r;
	struct tn_rng base, rng;
	struct tn_ms ms;
	struct tn_ms_gate gate;
	struct tn_ms_summary sum = { 0 };
	double t0 = tn_monotonic_seconds(), prep_seconds;
	int t, rc, status = 0;
	cJSON *config, *record, *range, *nodes, *timing;
	time_t created;

	memset(&r, 0, sizeof r);
	t = tn_panel_symbol(p, symbol);
	if (t < 0) {
		snprintf(err, sizeof err, "%s: not in the features input", symbol);
		return fail_symbol(out, m, symbol, TN_EX_NOINPUT, err, t0);
	}
	rc = dataset_build(&ds, in, o, t, err, sizeof err);
	if (rc)
		return fail_symbol(out, m, symbol, rc, err, t0);
	prep_seconds = tn_monotonic_seconds() - t0;
	arch.nodes = ds.N;
	arch.features = ds.F;
	/* A stream of its own per symbol: the same bytes whatever else is
	 * trained in the same run, and in whatever order. */
	tn_rng_seed(&base, o->seed);
	tn_rng_fork(&rng, &base, tn_hash_str(symbol));
	if (gnn_model_init(&model, &arch, &rng, err, sizeof err) < 0) {
		dataset_free(&ds);
		return fail_symbol(out, m, symbol, TN_EX_USAGE, err, t0);
	}
	info("%s: %d nodes, %d training and %d validation snapshots", symbol, ds.N,
	     ds.ntrain, ds.nval);
	rc = train(&model, &ds, o, &rng, &r, show_progress, symbol, in->stop);
	if (rc) {
		/* stopped by a signal: nothing is written */
		cJSON_Delete(r.history);
		gnn_model_free(&model);
		dataset_free(&ds);
		return rc;
	}

	config = config_json(o, in);
	created = time(NULL);
	rc = tn_ms_open(&ms, root, KIND, symbol, o->lock_wait, err, sizeof err);
	if (rc)
		goto fail;
	rc = tn_ms_new_stamp(&ms, created, stamp, err, sizeof err);
	if (rc == 0) {
		char last[TN_DATE_LEN + 1];
		struct tn_ms_meta meta = { TOOL, symbol, stamp, created, last, config,
					   &r.metrics, &r.zero, &r.momentum, o->seed };
		struct file_ctx fc = { &model, &ds, in, o, &meta };

		tn_date_format(p->dates[ds.day[ds.S - 1]], last);
		rc = tn_ms_write_version(&ms, stamp, GNN_FORMAT, GNN_FORMAT_VERSION,
					 write_model, &fc, err, sizeof err);
	}
	if (rc) {
		tn_ms_close(&ms);
		goto fail;
	}
	if (r.nonfinite) {
		/* the best weights are kept as a version, never promoted */
		tn_ms_current(ms.dir, gate.current, err, sizeof err);
		gate.promote = 0;
		gate.reason = "training failed";
		status = TN_EX_FAIL;
	} else {
		tn_ms_gate(&ms, r.metrics.mse, o->force, &gate);
		if (gate.promote) {
			rc = tn_ms_promote(&ms, stamp, err, sizeof err);
			if (rc) {
				tn_ms_close(&ms);
				goto fail;
			}
		}
	}
	sum.symbol = symbol;
	sum.status = r.nonfinite ? TN_MS_FAILED : gate.promote ? TN_MS_PROMOTED
							       : TN_MS_KEPT;
	sum.version = stamp;
	sum.current_version = gate.promote ? stamp : *gate.current ? gate.current : NULL;
	sum.metrics = &r.metrics;
	sum.zero = &r.zero;
	sum.momentum = &r.momentum;
	sum.epochs = r.epochs;
	sum.best_epoch = r.best_epoch;
	sum.gate = gate.reason;
	sum.error = r.nonfinite ? r.error : NULL;

	/* The run record. */
	record = tn_json_object();
	tn_json_add_string(record, "tool", TOOL);
	tn_json_add_string(record, "tool_version", TN_VERSION);
	tn_json_add_string(record, "symbol", symbol);
	tn_json_add_string(record, "status", sum.status);
	tn_json_add_string(record, "model_version", stamp);
	tn_json_add_string(record, "gate", gate.reason);
	{
		char created_iso[21];

		tn_ms_iso_time(created_iso, created);
		tn_json_add_string(record, "created_at", created_iso);
	}
	tn_json_add_number(record, "seed", (double)o->seed);
	tn_json_add_item(record, "config", cJSON_Duplicate(config, 1));
	range = tn_json_object();
	add_date(range, "train_from", p->dates[ds.day[0]]);
	add_date(range, "train_to", p->dates[ds.day[ds.ntrain - 1]]);
	add_date(range, "val_from", p->dates[ds.day[ds.ntrain]]);
	add_date(range, "val_to", p->dates[ds.day[ds.S - 1]]);
	tn_json_add_number(range, "train_snapshots", ds.ntrain);
	tn_json_add_number(range, "val_snapshots", ds.nval);
	tn_json_add_item(record, "data", range);
	nodes = cJSON_CreateArray();
	for (t = 0; t < ds.N; t++) {
		cJSON *node = tn_json_object();

		tn_json_add_string(node, "symbol", p->symbols[ds.nodes[t]]);
		tn_json_add_number(node, "corr", ds.node_corr[t]);
		cJSON_AddItemToArray(nodes, node);
	}
	tn_json_add_item(record, "nodes", nodes);
	tn_json_add_item(record, "epochs", r.history);
	r.history = NULL;
	tn_json_add_number(record, "best_epoch", (double)r.best_epoch);
	tn_json_add_item(record, "metrics", tn_ms_metrics_json(&r.metrics));
	tn_json_add_item(record, "baselines",
			 tn_ms_baselines_json(&r.zero, &r.momentum));
	if (sum.error)
		tn_json_add_string(record, "error", sum.error);
	sum.seconds = tn_monotonic_seconds() - t0;
	timing = tn_json_object();
	tn_json_add_number(timing, "prepare_seconds", prep_seconds);
	tn_json_add_number(timing, "train_seconds", r.train_seconds);
	tn_json_add_number(timing, "total_seconds", sum.seconds);
	tn_json_add_item(record, "timings", timing);
	tn_json_add_string(record, "blas", tn_blas_config());
	rc = tn_ms_append_run(&ms, record, err, sizeof err);
	cJSON_Delete(record);
	tn_ms_close(&ms);
	if (rc)
		goto fail;
	if (sum.error)
		warn("%s: %s", symbol, sum.error);
	info("%s: %s (%s)", symbol, sum.status, gate.reason);
	if (print_summary(out, &sum, m) < 0)
		status = TN_EX_IOERR;
	cJSON_Delete(config);
	gnn_model_free(&model);
	dataset_free(&ds);
	return status;
fail:
	cJSON_Delete(config);
	cJSON_Delete(r.history);
	gnn_model_free(&model);
	dataset_free(&ds);
	return fail_symbol(out, m, symbol, rc, err, t0);
}

/* ---- many symbols ------------------------------------------------------- */

struct pool_ctx {
	const struct inputs *in;
	const struct opts *o;
	const char *root;
	struct tn_metrics *metrics;   /* the parent's, or NULL */
};

/* tn_tj_train_fn: one symbol in a worker, without a progress line; the
 * parent counts its summary. */
static int train_worker(const char *symbol, FILE *out, void *ctx)
{
	const struct pool_ctx *c = ctx;

	return train_symbol(c->in, c->o, c->root, symbol, 0, out, NULL);
}

/* tn_tj_summary_fn: counts a worker's summary, a crashed worker's
 * "failed" one included. */
static void count_worker_summary(const cJSON *summary, void *ctx)
{
	const struct pool_ctx *c = ctx;
	const char *status = TN_MS_FAILED, *why;

	tn_json_string(summary, "status", &status, &why);
	count_status(c->metrics, status);
}

/* ---- main --------------------------------------------------------------- */

static void resolve_features(struct inputs *in, const struct tn_panel *p,
			     char *list, const char *name)
{
	char *save = NULL, *tok;

	in->close = tn_panel_feature(p, CLOSE_COLUMN);
	if (in->close < 0)
		die(TN_EX_DATAERR, "%s: no column '%s' (targets are computed from it)",
		    name, CLOSE_COLUMN);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int c = tn_panel_feature(p, tok);

		if (c < 0)
			die(TN_EX_DATAERR, "%s: no column '%s' (asked for by --features)",
			    name, tok);
		in->feat = xreallocarray(in->feat, (size_t)in->F + 1, sizeof(int));
		in->feat_names = xreallocarray(in->feat_names, (size_t)in->F + 1,
					       sizeof(char *));
		in->feat[in->F] = c;
		in->feat_names[in->F++] = p->features[c];
	}
	if (in->F == 0)
		tn_usage_error("--features: empty list");
}

int main(int argc, char **argv)
{
	struct opts o = {
		.lock_wait = TN_MS_LOCK_WAIT, .jobs = DEFAULT_JOBS,
		.neighbours = DEFAULT_NEIGHBOURS, .lookback = DEFAULT_LOOKBACK,
		.horizon = DEFAULT_HORIZON, .threshold = DEFAULT_THRESHOLD,
		.val_fraction = DEFAULT_VAL_FRACTION,
		.arch = { 0, 0, GNN_DEFAULT_HIDDEN, GNN_DEFAULT_HEADS, GNN_ACT_ELU,
			  GNN_DEFAULT_DROPOUT },
		.epochs = DEFAULT_EPOCHS, .batch = DEFAULT_BATCH,
		.patience = DEFAULT_PATIENCE, .optimizer = NN_OPTIM_ADAM,
		.lr = DEFAULT_LR, .weight_decay = -1, .schedule = "constant",
		.loss = "mse", .seed = DEFAULT_SEED,
	};
	struct tn_tj_symbols symbols = { 0 };
	struct tn_metrics metrics = { 0 };
	char perr[1024];
	const char *rollback = NULL, *root, *path = "-", *why;
	const char *metrics_file = NULL;
	double t0 = tn_monotonic_seconds();
	struct tn_panel panel;
	struct inputs in = { 0 };
	struct gnn_config check;
	int c, status, s, d;
	FILE *fp;

	tn_init_progname(argv);
	o.features = xstrdup(DEFAULT_FEATURES);
	while ((c = getopt_long(argc, argv, "s:j:k:" TN_COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (tn_common_option(c, usage_text))
			continue;
		switch (c) {
		case 's': tn_tj_symbols_add(&symbols, optarg); break;
		case OPT_SYMBOLS: tn_tj_symbols_add_arg(&symbols, optarg); break;
		case OPT_SYMBOLS_FILE: tn_tj_symbols_read_file(&symbols, optarg); break;
		case 'j': o.jobs = (int)tn_optlong("--jobs", optarg, 1, MAX_JOBS); break;
		case OPT_STORE: o.store = optarg; break;
		case OPT_FORCE: o.force = 1; break;
		case OPT_ROLLBACK: rollback = optarg; break;
		case OPT_LOCK_WAIT:
			o.lock_wait = (int)tn_optlong("--lock-wait", optarg, 0, 86400);
			break;
		case OPT_FEATURES: free(o.features); o.features = xstrdup(optarg); break;
		case 'k':
			o.neighbours = (int)tn_optlong("--neighbours", optarg, 0,
						       GNN_MAX_NODES - 1);
			break;
		case OPT_LOOKBACK:
			o.lookback = (int)tn_optlong("--lookback", optarg, 3, 10000);
			break;
		case OPT_THRESHOLD:
			o.threshold = tn_optdouble("--threshold", optarg, 0, 1);
			break;
		case OPT_HORIZON:
			o.horizon = (int)tn_optlong("--horizon", optarg, 1, 260);
			break;
		case OPT_DAYS: o.days = (int)tn_optlong("--days", optarg, 0, 1000000); break;
		case OPT_VAL_FRACTION:
			o.val_fraction = tn_optdouble("--val-fraction", optarg, 0.01, 0.9);
			break;
		case OPT_HIDDEN:
			o.arch.hidden = (int)tn_optlong("--hidden", optarg, 1, GNN_MAX_HIDDEN);
			break;
		case OPT_HEADS:
			o.arch.heads = (int)tn_optlong("--heads", optarg, 1, GNN_MAX_HEADS);
			break;
		case OPT_ACTIVATION:
			if (gnn_act_parse(optarg, &o.arch.act) < 0)
				tn_usage_error("--activation: not elu or relu: '%s'", optarg);
			break;
		case OPT_DROPOUT:
			o.arch.dropout = tn_optdouble("--dropout", optarg, 0, 0.99);
			break;
		case OPT_EPOCHS: o.epochs = tn_optlong("--epochs", optarg, 1, MAX_EPOCHS); break;
		case OPT_BATCH: o.batch = tn_optlong("--batch-size", optarg, 1, 4096); break;
		case OPT_OPTIMIZER:
			if (nn_optim_parse(optarg, &o.optimizer) < 0)
				tn_usage_error("--optimizer: not sgd, adam, adamw or adabelief: '%s'",
					       optarg);
			break;
		/* No upper bound a user would meet: a huge rate is how the
		 * tests make training diverge. */
		case OPT_LR: o.lr = tn_optdouble("--lr", optarg, 1e-12, 1e30); break;
		case OPT_WD: o.weight_decay = tn_optdouble("--weight-decay", optarg, 0, 1); break;
		case OPT_SCHEDULE:
			if (strcmp(optarg, "constant") && strcmp(optarg, "step") &&
			    strcmp(optarg, "cosine") && strcmp(optarg, "plateau"))
				tn_usage_error("--schedule: not constant, step, cosine or plateau: '%s'",
					       optarg);
			o.schedule = optarg;
			break;
		case OPT_LOSS:
			if (strcmp(optarg, "mse") && strcmp(optarg, "huber"))
				tn_usage_error("--loss: not mse or huber: '%s'", optarg);
			o.loss = optarg;
			break;
		case OPT_RANK_WEIGHT:
			o.rank_weight = tn_optdouble("--rank-weight", optarg, 0, 1000);
			break;
		case OPT_METRICS: metrics_file = optarg; break;
		case OPT_CLIP: o.clip = tn_optdouble("--clip", optarg, 0, 1e9); break;
		case OPT_PATIENCE:
			o.patience = tn_optlong("--patience", optarg, 1, MAX_EPOCHS);
			break;
		case OPT_SEED:
			o.seed = (uint64_t)tn_optlong("--seed", optarg, 0, INT64_MAX);
			break;
		default:
			tn_usage_error("unexpected option");
		}
	}
	root = tn_store_root(o.store);
	if (!root)
		tn_usage_error("--store: empty directory name");
	if (rollback) {
		if (symbols.n > 0 || optind < argc)
			tn_usage_error("--rollback takes no symbols to train and no input");
		free(o.features); /* a leak would turn exit 0 into 1 under LSan */
		return tn_finish(tn_tj_rollback(root, KIND, rollback, o.lock_wait));
	}
	if (symbols.n == 0)
		tn_usage_error("no symbol to train: give --symbol, --symbols or --symbols-file");
	if (optind + 1 < argc)
		tn_usage_error("one features file at most");
	if (optind < argc)
		path = argv[optind];
	check = o.arch;
	check.nodes = 1;
	check.features = 1;
	if (gnn_config_check(&check, perr, sizeof perr) < 0)
		tn_usage_error("--hidden/--heads: %s", perr);
	/* OpenBLAS loads while the input is read; it is waited for before
	 * any worker is forked */
	tn_blas_preload();
	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!fp)
		die(TN_EX_NOINPUT, "%s:", path);
	status = tn_panel_read(&panel, fp, path, perr, sizeof perr);
	if (status)
		die(status, "%s", perr);
	if (fp != stdin)
		fclose(fp);
	if (tn_blas_init(&why) < 0)
		die(TN_EX_SOFTWARE, "BLAS: %s", why);
	in.panel = &panel;
	resolve_features(&in, &panel, o.features, strcmp(path, "-") ? path : "<stdin>");
	in.first_day = o.days > 0 && o.days < panel.ndates ? panel.ndates - o.days : 0;
	in.logret = xmalloc(sizeof(double) * (size_t)panel.nsym *
			    (size_t)(panel.ndates > 0 ? panel.ndates : 1));
	for (s = 0; s < panel.nsym; s++)
		for (d = 0; d < panel.ndates; d++)
			in.logret[(size_t)s * (size_t)panel.ndates + (size_t)d] =
				d > 0 ? log(close_at(&in, s, d) / close_at(&in, s, d - 1))
				      : NAN;

	init_metrics(&metrics);
	in.stop = tn_tj_catch_signals();
	if (symbols.n == 1 && o.jobs == 1) {
		status = train_symbol(&in, &o, root, symbols.names[0], 1, stdout,
				      &metrics);
	} else {
		struct pool_ctx ctx = { &in, &o, root, &metrics };
		struct tn_tj_pool pool = { symbols.names, symbols.n, o.jobs,
					   train_worker, count_worker_summary,
					   &ctx, stdout };

		status = tn_tj_pool_run(&pool);
	}
	if (metrics_file)
		write_metrics(&metrics, metrics_file, t0);
	tn_metrics_free(&metrics);

	tn_tj_symbols_free(&symbols);
	free(in.logret);
	free(in.feat);
	free(in.feat_names);
	free(o.features);
	tn_panel_free(&panel);
	return tn_finish(status);
}
