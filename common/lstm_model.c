/* lstm_model.c - the LSTM forecaster: network, dataset, training, transfer
 * and model file.  Dimension letters as in lstm_model.h. */
#include "lstm_model.h"

#include "cli.h"
#include "nn_act.h"
#include "nn_dense.h"
#include "nn_h5.h"
#include "nn_loss.h"
#include "nn_optim.h"
#include "nn_sched.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const lstm_model_columns[LSTM_MODEL_INPUTS] = {
	"open", "high", "low", "close", "volume", "rsi_14", "macd_12_26_9",
};

const char *const lstm_model_input_names[LSTM_MODEL_INPUTS] = {
	"open_rel", "high_rel", "low_rel", "close_rel", "logvolume_rel",
	"rsi_14_scaled", "macd_12_26_9_rel",
};

/* Input positions of the columns the window arithmetic names. */
enum { IN_OPEN, IN_HIGH, IN_LOW, IN_CLOSE, IN_VOLUME, IN_RSI, IN_MACD };

/* A standard deviation below this is taken as 1: a constant input. */
#define LSTM_STD_FLOOR 1e-8
/* Windows per forward in evaluation (prediction, validation loss). */
#define LSTM_EVAL_BATCH 256

void lstm_model_config_default(struct lstm_model_config *c, int horizon)
{
	c->inputs = LSTM_MODEL_INPUTS;
	c->hidden = LSTM_MODEL_HIDDEN;
	c->layers = LSTM_MODEL_LAYERS;
	c->fc = LSTM_MODEL_FC;
	c->horizon = horizon;
	c->context = LSTM_MODEL_CONTEXT;
	c->dropout = LSTM_MODEL_DROPOUT;
}

/* ---- the network ---------------------------------------------------- */

int lstm_model_init(struct lstm_model *m, const struct lstm_model_config *c,
		    char *err, size_t errsz)
{
	struct nn_param_spec table[4 * NN_LSTM_MAX_LAYERS + 4];
	char names[4 * NN_LSTM_MAX_LAYERS][32];
	size_t n = 0;
	int I = c->inputs, H = c->hidden, L = c->layers, l, k;

	memset(m, 0, sizeof *m);
	if (I != LSTM_MODEL_INPUTS || H < 1 || L < 1 ||
	    L > NN_LSTM_MAX_LAYERS || c->fc < 1 || c->horizon < 1 ||
	    c->horizon > LSTM_MODEL_MAX_HORIZON || c->context < 1 ||
	    !(c->dropout >= 0 && c->dropout < 1)) {
		snprintf(err, errsz,
			 "bad LSTM configuration: inputs %d (want %d), hidden %d, layers %d (1..%d), fc %d, horizon %d (1..%d), context %d, dropout %g",
			 I, LSTM_MODEL_INPUTS, H, L, NN_LSTM_MAX_LAYERS, c->fc,
			 c->horizon, LSTM_MODEL_MAX_HORIZON, c->context,
			 c->dropout);
		return -1;
	}
	for (l = 0; l < L; l++) {
		static const char *const kind[4] = { "weight_ih", "weight_hh",
						     "bias_ih", "bias_hh" };
		for (k = 0; k < 4; k++) {
			snprintf(names[4 * l + k], sizeof names[0], "lstm.%s_l%d",
				 kind[k], l);
			table[n].name = names[4 * l + k];
			table[n].ndim = k < 2 ? 2 : 1;
			table[n].shape[0] = (size_t)4 * (size_t)H;
			table[n].shape[1] = k == 0 ? (size_t)(l ? H : I)
					    : (size_t)H;
			n++;
		}
	}
	table[n++] = (struct nn_param_spec){ "fc1.weight", 2,
					     { (size_t)c->fc, (size_t)H } };
	table[n++] = (struct nn_param_spec){ "fc1.bias", 1, { (size_t)c->fc } };
	table[n++] = (struct nn_param_spec){ "fc2.weight", 2,
					     { (size_t)c->horizon,
					       (size_t)c->fc } };
	table[n++] = (struct nn_param_spec){ "fc2.bias", 1,
					     { (size_t)c->horizon } };
	if (nn_params_init(&m->params, table, n, err, errsz) < 0)
		return -1;
	m->cfg = *c;
	for (l = 0; l < L; l++) {
		m->w[l].w_ih = nn_param_value(&m->params, 4 * (size_t)l);
		m->w[l].w_hh = nn_param_value(&m->params, 4 * (size_t)l + 1);
		m->w[l].b_ih = nn_param_value(&m->params, 4 * (size_t)l + 2);
		m->w[l].b_hh = nn_param_value(&m->params, 4 * (size_t)l + 3);
		m->dw[l].w_ih = nn_param_grad(&m->params, 4 * (size_t)l);
		m->dw[l].w_hh = nn_param_grad(&m->params, 4 * (size_t)l + 1);
		m->dw[l].b_ih = nn_param_grad(&m->params, 4 * (size_t)l + 2);
		m->dw[l].b_hh = nn_param_grad(&m->params, 4 * (size_t)l + 3);
	}
	m->head_first = 4 * (size_t)L;
	m->fc1_w = nn_param_value(&m->params, m->head_first);
	m->fc1_b = nn_param_value(&m->params, m->head_first + 1);
	m->fc2_w = nn_param_value(&m->params, m->head_first + 2);
	m->fc2_b = nn_param_value(&m->params, m->head_first + 3);
	m->dfc1_w = nn_param_grad(&m->params, m->head_first);
	m->dfc1_b = nn_param_grad(&m->params, m->head_first + 1);
	m->dfc2_w = nn_param_grad(&m->params, m->head_first + 2);
	m->dfc2_b = nn_param_grad(&m->params, m->head_first + 3);
	for (k = 0; k < LSTM_MODEL_INPUTS; k++) {
		m->in_mean[k] = 0;
		m->in_std[k] = 1;
	}
	m->target_scale = 1;
	return 0;
}

void lstm_model_free(struct lstm_model *m)
{
	nn_params_free(&m->params);
	memset(m, 0, sizeof *m);
}

void lstm_model_init_weights(struct lstm_model *m, struct tn_rng *rng)
{
	size_t i;

	/* nn.LSTM.reset_parameters: every tensor U(-1/sqrt(H), 1/sqrt(H));
	 * nn.Linear: weight and bias U(-1/sqrt(in), 1/sqrt(in)). */
	for (i = 0; i < m->head_first; i++)
		nn_param_init_uniform(&m->params, i, 1.0 / sqrt(m->cfg.hidden),
				      rng);
	nn_param_init_uniform(&m->params, m->head_first,
			      1.0 / sqrt(m->cfg.hidden), rng);
	nn_param_init_uniform(&m->params, m->head_first + 1,
			      1.0 / sqrt(m->cfg.hidden), rng);
	nn_param_init_uniform(&m->params, m->head_first + 2,
			      1.0 / sqrt(m->cfg.fc), rng);
	nn_param_init_uniform(&m->params, m->head_first + 3,
			      1.0 / sqrt(m->cfg.fc), rng);
}

void lstm_work_init(struct lstm_work *w, const struct lstm_model *m, int maxB)
{
	const struct lstm_model_config *c = &m->cfg;
	size_t B = (size_t)maxB, H = (size_t)c->hidden, F = (size_t)c->fc;

	memset(w, 0, sizeof *w);
	w->maxB = maxB;
	w->cache_buf = xcalloc(nn_lstm_cache_size(maxB, c->context, c->inputs,
						  c->hidden, c->layers),
			       sizeof *w->cache_buf);
	w->h_n = xcalloc((size_t)c->layers * B * H, sizeof *w->h_n);
	w->dh_n = xcalloc((size_t)c->layers * B * H, sizeof *w->dh_n);
	w->z1 = xcalloc(B * F, sizeof *w->z1);
	w->a1 = xcalloc(B * F, sizeof *w->a1);
	w->mask1 = xcalloc(B * F, sizeof *w->mask1);
	w->d1 = xcalloc(B * F, sizeof *w->d1);
	w->dd1 = xcalloc(B * F, sizeof *w->dd1);
	w->da1 = xcalloc(B * F, sizeof *w->da1);
	w->dz1 = xcalloc(B * F, sizeof *w->dz1);
	nn_lstm_cache_init(&w->cache, w->cache_buf, maxB, c->context,
			   c->inputs, c->hidden, c->layers);
	w->B = maxB;
}

void lstm_work_free(struct lstm_work *w)
{
	free(w->cache_buf);
	free(w->h_n);
	free(w->dh_n);
	free(w->z1);
	free(w->a1);
	free(w->mask1);
	free(w->d1);
	free(w->dd1);
	free(w->da1);
	free(w->dz1);
	memset(w, 0, sizeof *w);
}

/* The top layer's final hidden state, out[:, -1, :] (B, H). */
static real *last_hidden(const struct lstm_work *w, const struct lstm_model *m)
{
	return w->h_n + (size_t)(m->cfg.layers - 1) * (size_t)w->B *
				(size_t)m->cfg.hidden;
}

void lstm_model_forward(real *y, struct lstm_work *w, const real *x,
			const struct lstm_model *m, int B, int train,
			struct tn_rng *rng)
{
	const struct lstm_model_config *c = &m->cfg;
	int T = c->context, I = c->inputs, H = c->hidden, L = c->layers,
	    F = c->fc, Z = c->horizon;

	if (B < 1 || B > w->maxB)
		die(TN_EX_SOFTWARE, "lstm_model_forward: batch %d outside 1..%d",
		    B, w->maxB);
	if (B != w->B) {
		nn_lstm_cache_init(&w->cache, w->cache_buf, B, T, I, H, L);
		w->B = B;
	}
	w->train = train != 0;
	if (train == 1) {
		nn_lstm_draw_masks(&w->cache, (real)c->dropout, rng);
		nn_dropout_mask(w->mask1, (real)c->dropout, B * F, rng);
	}
	nn_lstm_forward(NULL, w->h_n, NULL, &w->cache, x, NULL, NULL, m->w,
			w->train, B, T, I, H, L);
	/* z1 = out[:, -1, :] fc1.weight^T + fc1.bias; a1 = relu(z1);
	 * d1 = dropout(a1); y = d1 fc2.weight^T + fc2.bias */
	nn_dense_forward(w->z1, last_hidden(w, m), m->fc1_w, m->fc1_b, B, H, F);
	nn_relu_forward(w->a1, w->z1, B * F);
	nn_dropout_forward(w->d1, w->a1, w->train ? w->mask1 : NULL, B * F);
	nn_dense_forward(y, w->d1, m->fc2_w, m->fc2_b, B, F, Z);
}

void lstm_model_backward(struct lstm_model *m, struct lstm_work *w,
			 const real *dy, const real *x, int freeze)
{
	const struct lstm_model_config *c = &m->cfg;
	int B = w->B, T = c->context, I = c->inputs, H = c->hidden,
	    L = c->layers, F = c->fc, Z = c->horizon;
	size_t bf = (size_t)B * (size_t)F;
	real *dlast;

	memset(w->dd1, 0, bf * sizeof *w->dd1);
	memset(w->da1, 0, bf * sizeof *w->da1);
	memset(w->dz1, 0, bf * sizeof *w->dz1);
	nn_dense_backward(w->dd1, m->dfc2_w, m->dfc2_b, dy, w->d1, m->fc2_w, B,
			  F, Z);
	nn_dropout_backward(w->da1, w->dd1, w->train ? w->mask1 : NULL, B * F);
	nn_relu_backward(w->dz1, w->da1, w->z1, B * F);
	if (freeze) {
		nn_dense_backward(NULL, m->dfc1_w, m->dfc1_b, w->dz1,
				  last_hidden(w, m), m->fc1_w, B, H, F);
		return;
	}
	/* Only the top layer's h_T feeds the head: its gradient enters the
	 * BPTT as dh_n, the other layers' final states get none. */
	memset(w->dh_n, 0, (size_t)L * (size_t)B * (size_t)H * sizeof *w->dh_n);
	dlast = w->dh_n + (size_t)(L - 1) * (size_t)B * (size_t)H;
	nn_dense_backward(dlast, m->dfc1_w, m->dfc1_b, w->dz1,
			  last_hidden(w, m), m->fc1_w, B, H, F);
	nn_lstm_backward(NULL, NULL, NULL, m->dw, NULL, w->dh_n, NULL,
			 &w->cache, x, m->w, B, T, I, H, L);
}

/* ---- the dataset ---------------------------------------------------- */

int lstm_panel_columns(const struct tn_panel *p, int col[LSTM_MODEL_INPUTS],
		       char *err, size_t errsz)
{
	int k;

	for (k = 0; k < LSTM_MODEL_INPUTS; k++) {
		col[k] = tn_panel_feature(p, lstm_model_columns[k]);
		if (col[k] < 0) {
			snprintf(err, errsz,
				 "no column '%s': the LSTM reads open, high, low, close, volume, rsi_14, macd_12_26_9 (build-features --preset lstm)",
				 lstm_model_columns[k]);
			return -1;
		}
	}
	return 0;
}

static int positive(double v)
{
	return isfinite(v) && v > 0;
}

int lstm_window_inputs(float *x, const struct tn_panel *p,
		       const int col[LSTM_MODEL_INPUTS], int s, int d, int T)
{
	const double *last;
	double close_t, vol_mean = 0;
	int t;

	if (d < T - 1 || d >= p->ndates)
		return -1;
	last = tn_panel_row(p, s, d);
	close_t = last[col[IN_CLOSE]];
	if (!positive(close_t))
		return -1;
	for (t = 0; t < T; t++) {
		const double *r = tn_panel_row(p, s, d - T + 1 + t);
		float *v = x + (size_t)t * LSTM_MODEL_INPUTS;
		double vol = r[col[IN_VOLUME]];

		if (!positive(r[col[IN_OPEN]]) || !positive(r[col[IN_HIGH]]) ||
		    !positive(r[col[IN_LOW]]) || !positive(r[col[IN_CLOSE]]) ||
		    !(isfinite(vol) && vol >= 0) || !isfinite(r[col[IN_RSI]]) ||
		    !isfinite(r[col[IN_MACD]]))
			return -1;
		v[IN_OPEN] = (float)log(r[col[IN_OPEN]] / close_t);
		v[IN_HIGH] = (float)log(r[col[IN_HIGH]] / close_t);
		v[IN_LOW] = (float)log(r[col[IN_LOW]] / close_t);
		v[IN_CLOSE] = (float)log(r[col[IN_CLOSE]] / close_t);
		v[IN_VOLUME] = (float)log1p(vol);
		v[IN_RSI] = (float)((r[col[IN_RSI]] - 50) / 50);
		v[IN_MACD] = (float)(r[col[IN_MACD]] / close_t);
		vol_mean += v[IN_VOLUME];
	}
	vol_mean /= T;
	for (t = 0; t < T; t++)
		x[(size_t)t * LSTM_MODEL_INPUTS + IN_VOLUME] -= (float)vol_mean;
	return 0;
}

/* The Z daily log returns after day d; 0, or -1 when one is missing or
 * would be dated after last_d. */
static int window_targets(float *y, const struct tn_panel *p, int close_col,
			  int s, int d, int Z, int last_d)
{
	int k;

	if (d + Z > last_d)
		return -1;
	for (k = 1; k <= Z; k++) {
		double prev = tn_panel_row(p, s, d + k - 1)[close_col];
		double next = tn_panel_row(p, s, d + k)[close_col];

		if (!positive(prev) || !positive(next))
			return -1;
		y[k - 1] = (float)log(next / prev);
	}
	return 0;
}

int lstm_dataset_build(struct lstm_dataset *ds, const struct tn_panel *p,
		       int s, int last_d, int T, int Z, char *err,
		       size_t errsz)
{
	int col[LSTM_MODEL_INPUTS], d, cap, n = 0;
	size_t TI = (size_t)T * LSTM_MODEL_INPUTS;

	memset(ds, 0, sizeof *ds);
	if (lstm_panel_columns(p, col, err, errsz) < 0)
		return -1;
	if (last_d >= p->ndates)
		last_d = p->ndates - 1;
	cap = last_d - Z - (T - 1) + 1;
	if (cap < 1) {
		snprintf(err, errsz,
			 "%s: %d trading days, fewer than the %d a window of %d days and %d targets needs",
			 p->symbols[s], last_d + 1, T + Z, T, Z);
		return -1;
	}
	ds->T = T;
	ds->I = LSTM_MODEL_INPUTS;
	ds->Z = Z;
	ds->x = xmalloc((size_t)cap * TI * sizeof *ds->x);
	ds->y = xmalloc((size_t)cap * (size_t)Z * sizeof *ds->y);
	ds->last = xmalloc((size_t)cap * sizeof *ds->last);
	for (d = T - 1; d + Z <= last_d; d++) {
		if (window_targets(ds->y + (size_t)n * (size_t)Z, p,
				   col[IN_CLOSE], s, d, Z, last_d) < 0 ||
		    lstm_window_inputs(ds->x + (size_t)n * TI, p, col, s, d,
				       T) < 0)
			continue;
		ds->last[n++] = d;
	}
	ds->n = n;
	if (n == 0) {
		snprintf(err, errsz,
			 "%s: no complete window of %d days with %d days of targets",
			 p->symbols[s], T, Z);
		lstm_dataset_free(ds);
		return -1;
	}
	return 0;
}

void lstm_dataset_free(struct lstm_dataset *ds)
{
	free(ds->x);
	free(ds->y);
	free(ds->last);
	memset(ds, 0, sizeof *ds);
}

int lstm_dataset_split(const struct lstm_dataset *ds, double val_frac,
		       int *n_train, int *val_first)
{
	int n_val = (int)lround(ds->n * val_frac), v0, k;

	if (n_val < 1)
		n_val = 1;
	if (n_val >= ds->n)
		return -1;
	*val_first = ds->n - n_val;
	v0 = ds->last[*val_first];
	for (k = 0; k < *val_first && ds->last[k] + ds->Z < v0; k++)
		;
	*n_train = k;
	return k > 0 ? 0 : -1;
}

void lstm_model_fit_scalers(struct lstm_model *m,
			    const struct lstm_dataset *ds, int n_train)
{
	double sum[LSTM_MODEL_INPUTS] = { 0 }, sq[LSTM_MODEL_INPUTS] = { 0 };
	double ysq = 0;
	size_t rows = (size_t)n_train * (size_t)ds->T, r, ny;
	int k;

	for (r = 0; r < rows; r++)
		for (k = 0; k < LSTM_MODEL_INPUTS; k++) {
			double v = ds->x[r * LSTM_MODEL_INPUTS + k];

			sum[k] += v;
			sq[k] += v * v;
		}
	for (k = 0; k < LSTM_MODEL_INPUTS; k++) {
		double mean = rows ? sum[k] / (double)rows : 0;
		double var = rows ? sq[k] / (double)rows - mean * mean : 0;
		double sd = var > 0 ? sqrt(var) : 0;

		m->in_mean[k] = (real)mean;
		m->in_std[k] = (real)(sd > LSTM_STD_FLOOR ? sd : 1);
	}
	ny = (size_t)n_train * (size_t)ds->Z;
	for (r = 0; r < ny; r++)
		ysq += (double)ds->y[r] * ds->y[r];
	ysq = ny ? sqrt(ysq / (double)ny) : 0;
	m->target_scale = (real)(ysq > LSTM_STD_FLOOR ? ysq : 1);
}

void lstm_model_standardise(real *x, const float *raw,
			    const struct lstm_model *m)
{
	size_t n = (size_t)m->cfg.context, t;
	int k;

	for (t = 0; t < n; t++)
		for (k = 0; k < LSTM_MODEL_INPUTS; k++)
			x[t * LSTM_MODEL_INPUTS + k] =
				((real)raw[t * LSTM_MODEL_INPUTS + k] -
				 m->in_mean[k]) / m->in_std[k];
}

/* ---- training ------------------------------------------------------- */

static const char *const strategy_names[] = { "scratch", "freeze",
					      "finetune" };

const char *lstm_strategy_name(enum lstm_strategy s)
{
	return strategy_names[s];
}

int lstm_strategy_parse(const char *name, enum lstm_strategy *s)
{
	int k;

	for (k = 0; k < 3; k++)
		if (strcmp(name, strategy_names[k]) == 0) {
			*s = (enum lstm_strategy)k;
			return 0;
		}
	return -1;
}

void lstm_train_config_default(struct lstm_train_config *c,
			       enum lstm_strategy s)
{
	memset(c, 0, sizeof *c);
	c->strategy = s;
	c->epochs = s == LSTM_SCRATCH ? LSTM_TRAIN_EPOCHS
				      : LSTM_TRAIN_CHILD_EPOCHS;
	c->batch = LSTM_TRAIN_BATCH;
	c->lr = s == LSTM_FINETUNE ? LSTM_TRAIN_FINETUNE_LR : LSTM_TRAIN_LR;
	c->clip = LSTM_TRAIN_CLIP;
	c->patience = LSTM_TRAIN_PATIENCE;
	c->seed = 1;
}

void lstm_train_result_free(struct lstm_train_result *res)
{
	free(res->train_loss);
	free(res->val_loss);
	res->train_loss = res->val_loss = NULL;
}

/* Standardised inputs (N, T, I) and scaled targets (N, Z) of windows
 * [first, last). */
static void scale_windows(real *x, real *y, const struct lstm_model *m,
			  const struct lstm_dataset *ds, int first, int last)
{
	size_t TI = (size_t)ds->T * (size_t)ds->I, Z = (size_t)ds->Z, k;
	int i;

	for (i = first; i < last; i++) {
		lstm_model_standardise(x + (size_t)(i - first) * TI,
				       ds->x + (size_t)i * TI, m);
		if (y)
			for (k = 0; k < Z; k++)
				y[(size_t)(i - first) * Z + k] =
					(real)ds->y[(size_t)i * Z + k] /
					m->target_scale;
	}
}

/* Mean squared error over windows [0, n) of pre-scaled x, y in evaluation
 * mode. */
static double eval_loss(const struct lstm_model *m, struct lstm_work *w,
			real *pred, const real *x, const real *y, int n)
{
	size_t TI = (size_t)m->cfg.context * (size_t)m->cfg.inputs;
	int Z = m->cfg.horizon, first, b;
	double sum = 0;

	for (first = 0; first < n; first += b) {
		b = n - first < w->maxB ? n - first : w->maxB;
		lstm_model_forward(pred, w, x + (size_t)first * TI, m, b, 0,
				   NULL);
		sum += nn_mse_loss(NULL, pred, y + (size_t)first * (size_t)Z,
				   NULL, 1, b * Z) * b;
	}
	return sum / n;
}

int lstm_model_train(struct lstm_model *m, const struct lstm_dataset *ds,
		     int n_train, int val_first,
		     const struct lstm_train_config *cfg,
		     struct lstm_train_result *res, char *err, size_t errsz)
{
	const struct lstm_model_config *c = &m->cfg;
	size_t TI = (size_t)c->context * (size_t)c->inputs,
	       Z = (size_t)c->horizon, k, head_off;
	int n_val = ds->n - val_first, freeze = cfg->strategy == LSTM_FREEZE;
	int B = cfg->batch, epoch, rc = 0, maxB;
	long samples = 0;
	double t0 = tn_monotonic_seconds(), busy = 0;
	real *xs, *ys, *xv, *yv, *xb, *yb, *pred, *dy;
	int *order;
	struct lstm_work w;
	struct nn_optim opt;
	struct nn_early early;
	struct nn_params head, *stepped;
	struct tn_rng rng;

	memset(res, 0, sizeof *res);
	res->best_epoch = -1;
	if (ds->T != c->context || ds->Z != c->horizon || n_train < 1 ||
	    n_val < 1 || val_first < n_train || B < 1 || cfg->epochs < 0) {
		snprintf(err, errsz,
			 "LSTM training: dataset (context %d, horizon %d, %d train, %d validation windows) does not fit the model (context %d, horizon %d) or batch %d",
			 ds->T, ds->Z, n_train, n_val, c->context, c->horizon,
			 B);
		return -1;
	}
	res->train_loss = xcalloc((size_t)cfg->epochs + 1, sizeof *res->train_loss);
	res->val_loss = xcalloc((size_t)cfg->epochs + 1, sizeof *res->val_loss);
	xs = xmalloc((size_t)n_train * TI * sizeof *xs);
	ys = xmalloc((size_t)n_train * Z * sizeof *ys);
	xv = xmalloc((size_t)n_val * TI * sizeof *xv);
	yv = xmalloc((size_t)n_val * Z * sizeof *yv);
	xb = xmalloc((size_t)B * TI * sizeof *xb);
	yb = xmalloc((size_t)B * Z * sizeof *yb);
	maxB = B > LSTM_EVAL_BATCH ? B : LSTM_EVAL_BATCH;
	pred = xmalloc((size_t)maxB * Z * sizeof *pred);
	dy = xmalloc((size_t)B * Z * sizeof *dy);
	order = xmalloc((size_t)n_train * sizeof *order);
	scale_windows(xs, ys, m, ds, 0, n_train);
	scale_windows(xv, yv, m, ds, val_first, ds->n);
	lstm_work_init(&w, m, maxB);
	tn_rng_seed(&rng, cfg->seed);

	/* Freeze: the optimiser sees only the head, fc1 and fc2, the last
	 * tensors of the arena, so the LSTM's values are never written. */
	nn_params_zero_grad(&m->params);
	nn_params_zero_state(&m->params);
	stepped = &m->params;
	if (freeze) {
		head_off = m->params.offset[m->head_first];
		head = m->params;
		head.table += m->head_first;
		head.n -= m->head_first;
		head.offset = xmalloc((head.n + 1) * sizeof *head.offset);
		for (k = 0; k <= head.n; k++)
			head.offset[k] = m->params.offset[m->head_first + k] -
					 head_off;
		head.total -= head_off;
		head.value += head_off;
		head.grad += head_off;
		head.m += head_off;
		head.v += head_off;
		stepped = &head;
	}
	nn_optim_init(&opt, NN_OPTIM_ADAM, cfg->lr);
	nn_early_init(&early, &m->params, cfg->patience, 0);
	/* The starting point's validation loss is the bar to beat: a child
	 * starts from its parent, whose weights may already be best. */
	if (cfg->epochs > 0) {
		double start = eval_loss(m, &w, pred, xv, yv, n_val);

		if (isfinite(start))
			early.best_loss = start;
	}

	for (k = 0; k < (size_t)n_train; k++)
		order[k] = (int)k;
	for (epoch = 0; epoch < cfg->epochs; epoch++) {
		double sum = 0, tb;
		int first, b, i;

		for (i = n_train - 1; i > 0; i--) {
			int j = (int)tn_rng_below(&rng, (uint64_t)i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		tb = tn_monotonic_seconds();
		for (first = 0; first < n_train; first += b) {
			double loss;

			if (cfg->stop && *cfg->stop) {
				res->interrupted = 1;
				break;
			}
			b = n_train - first < B ? n_train - first : B;
			for (i = 0; i < b; i++) {
				memcpy(xb + (size_t)i * TI,
				       xs + (size_t)order[first + i] * TI,
				       TI * sizeof *xb);
				memcpy(yb + (size_t)i * Z,
				       ys + (size_t)order[first + i] * Z,
				       Z * sizeof *yb);
			}
			nn_params_zero_grad(&m->params);
			memset(dy, 0, (size_t)b * Z * sizeof *dy);
			lstm_model_forward(pred, &w, xb, m, b, 1, &rng);
			loss = nn_mse_loss(dy, pred, yb, NULL, 1, b * (int)Z);
			lstm_model_backward(m, &w, dy, xb, freeze);
			if (nn_early_guard(&early, loss)) {
				res->nonfinite = 1;
				break;
			}
			if (cfg->clip > 0)
				nn_params_clip_grad_norm(&m->params, cfg->clip);
			nn_optim_step(&opt, stepped);
			sum += loss * b;
			samples += b;
		}
		busy += tn_monotonic_seconds() - tb;
		if (res->interrupted || res->nonfinite)
			break;
		res->train_loss[epoch] = sum / n_train;
		res->val_loss[epoch] = eval_loss(m, &w, pred, xv, yv, n_val);
		res->epochs = epoch + 1;
		if (cfg->on_epoch)
			cfg->on_epoch(cfg->ctx, epoch, res->train_loss[epoch],
				      res->val_loss[epoch]);
		if (nn_early_update(&early, res->val_loss[epoch]))
			break;
	}
	snprintf(res->reason, sizeof res->reason, "%s", early.reason);
	res->best_epoch = nn_early_finish(&early);
	res->best_val_loss = early.best_loss;
	res->seconds = tn_monotonic_seconds() - t0;
	res->samples_per_s = busy > 0 ? samples / busy : 0;
	if (res->interrupted) {
		snprintf(err, errsz, "training interrupted in epoch %d",
			 epoch + 1);
		rc = -1;
	} else if (res->nonfinite && res->best_epoch < 0) {
		snprintf(err, errsz, "%s", early.reason);
		rc = -1;
	}
	nn_early_free(&early);
	if (freeze)
		free(head.offset);
	lstm_work_free(&w);
	free(xs);
	free(ys);
	free(xv);
	free(yv);
	free(xb);
	free(yb);
	free(pred);
	free(dy);
	free(order);
	return rc;
}

void lstm_model_predict(double *pred, const struct lstm_model *m,
			const struct lstm_dataset *ds, int first, int last)
{
	size_t TI = (size_t)ds->T * (size_t)ds->I, Z = (size_t)m->cfg.horizon, k;
	int n = last - first, maxB = n < LSTM_EVAL_BATCH ? n : LSTM_EVAL_BATCH;
	int done, b;
	struct lstm_work w;
	real *x, *y;

	if (n < 1)
		return;
	lstm_work_init(&w, m, maxB);
	x = xmalloc((size_t)maxB * TI * sizeof *x);
	y = xmalloc((size_t)maxB * Z * sizeof *y);
	for (done = 0; done < n; done += b) {
		b = n - done < maxB ? n - done : maxB;
		scale_windows(x, NULL, m, ds, first + done, first + done + b);
		lstm_model_forward(y, &w, x, m, b, 0, NULL);
		for (k = 0; k < (size_t)b * Z; k++)
			pred[(size_t)done * Z + k] =
				(double)y[k] * (double)m->target_scale;
	}
	free(x);
	free(y);
	lstm_work_free(&w);
}

/* ---- transfer and the model file ----------------------------------- */

int lstm_model_transfer(struct lstm_model *child,
			const struct lstm_model *parent, char *err,
			size_t errsz)
{
	const struct lstm_model_config *a = &child->cfg, *b = &parent->cfg;

	if (a->inputs != b->inputs || a->hidden != b->hidden ||
	    a->layers != b->layers || a->fc != b->fc ||
	    a->horizon != b->horizon || a->context != b->context ||
	    child->params.total != parent->params.total) {
		snprintf(err, errsz,
			 "parent model has hidden %d, layers %d, fc %d, horizon %d, context %d; the child asks for %d, %d, %d, %d, %d: train the child with the parent's configuration",
			 b->hidden, b->layers, b->fc, b->horizon, b->context,
			 a->hidden, a->layers, a->fc, a->horizon, a->context);
		return -1;
	}
	nn_params_restore_values(&child->params, parent->params.value);
	memcpy(child->in_mean, parent->in_mean, sizeof child->in_mean);
	memcpy(child->in_std, parent->in_std, sizeof child->in_std);
	child->target_scale = parent->target_scale;
	return 0;
}

int lstm_model_save(hid_t file, const struct lstm_model *m, char *err,
		    size_t errsz)
{
	const struct lstm_model_config *c = &m->cfg;
	size_t shape[1] = { LSTM_MODEL_INPUTS };

	if (nn_h5_write_format(file, LSTM_MODEL_FORMAT,
			       LSTM_MODEL_FORMAT_VERSION, err, errsz) < 0 ||
	    nn_h5_attr_set_int(file, "inputs", c->inputs, err, errsz) < 0 ||
	    nn_h5_attr_set_int(file, "hidden", c->hidden, err, errsz) < 0 ||
	    nn_h5_attr_set_int(file, "layers", c->layers, err, errsz) < 0 ||
	    nn_h5_attr_set_int(file, "fc", c->fc, err, errsz) < 0 ||
	    nn_h5_attr_set_int(file, "horizon", c->horizon, err, errsz) < 0 ||
	    nn_h5_attr_set_int(file, "context", c->context, err, errsz) < 0 ||
	    nn_h5_attr_set_double(file, "dropout", c->dropout, err, errsz) < 0 ||
	    nn_h5_attr_set_double(file, "target_scale", m->target_scale, err,
				  errsz) < 0 ||
	    nn_h5_save_params(file, &m->params, err, errsz) < 0 ||
	    nn_h5_write_real(file, "norm/mean", m->in_mean, 1, shape, err,
			     errsz) < 0 ||
	    nn_h5_write_real(file, "norm/std", m->in_std, 1, shape, err,
			     errsz) < 0 ||
	    nn_h5_write_strings(file, "input_names", lstm_model_input_names,
				LSTM_MODEL_INPUTS, err, errsz) < 0 ||
	    nn_h5_write_strings(file, "columns", lstm_model_columns,
				LSTM_MODEL_INPUTS, err, errsz) < 0)
		return -1;
	return 0;
}

static int get_int_attr(hid_t file, const char *name, int *out, char *err,
			size_t errsz)
{
	int64_t v;

	if (nn_h5_attr_get_int(file, name, &v, err, errsz) < 0)
		return -1;
	if (v < 0 || v > 1 << 20) {
		snprintf(err, errsz, "attribute %s = %lld is out of range",
			 name, (long long)v);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int lstm_model_load(hid_t file, struct lstm_model *m, char *err,
		    size_t errsz)
{
	struct lstm_model_config c;
	size_t shape[1] = { LSTM_MODEL_INPUTS };
	double scale;
	char **names = NULL;
	size_t nnames = 0;
	int k;

	memset(m, 0, sizeof *m);
	if (nn_h5_check_format(file, LSTM_MODEL_FORMAT,
			       LSTM_MODEL_FORMAT_VERSION, err, errsz) < 0 ||
	    get_int_attr(file, "inputs", &c.inputs, err, errsz) < 0 ||
	    get_int_attr(file, "hidden", &c.hidden, err, errsz) < 0 ||
	    get_int_attr(file, "layers", &c.layers, err, errsz) < 0 ||
	    get_int_attr(file, "fc", &c.fc, err, errsz) < 0 ||
	    get_int_attr(file, "horizon", &c.horizon, err, errsz) < 0 ||
	    get_int_attr(file, "context", &c.context, err, errsz) < 0 ||
	    nn_h5_attr_get_double(file, "dropout", &c.dropout, err, errsz) < 0 ||
	    nn_h5_attr_get_double(file, "target_scale", &scale, err, errsz) < 0)
		return -1;
	if (lstm_model_init(m, &c, err, errsz) < 0)
		return -1;
	if (nn_h5_load_params(file, &m->params, err, errsz) < 0 ||
	    nn_h5_read_real(file, "norm/mean", m->in_mean, 1, shape, err,
			    errsz) < 0 ||
	    nn_h5_read_real(file, "norm/std", m->in_std, 1, shape, err,
			    errsz) < 0 ||
	    nn_h5_read_strings(file, "input_names", &names, &nnames, err,
			       errsz) < 0)
		goto fail;
	if (nnames != LSTM_MODEL_INPUTS)
		goto names;
	for (k = 0; k < LSTM_MODEL_INPUTS; k++)
		if (strcmp(names[k], lstm_model_input_names[k]) != 0)
			goto names;
	nn_h5_free_strings(names, nnames);
	if (!(isfinite(scale) && scale > 0)) {
		snprintf(err, errsz, "target_scale %g is not positive", scale);
		goto fail;
	}
	for (k = 0; k < LSTM_MODEL_INPUTS; k++)
		if (!isfinite(m->in_mean[k]) || !(m->in_std[k] > 0)) {
			snprintf(err, errsz,
				 "norm/std[%d] is not positive: retrain the model",
				 k);
			goto fail;
		}
	m->target_scale = (real)scale;
	return 0;
names:
	snprintf(err, errsz,
		 "input_names differ from this version's inputs: retrain the model");
	nn_h5_free_strings(names, nnames);
fail:
	lstm_model_free(m);
	return -1;
}
