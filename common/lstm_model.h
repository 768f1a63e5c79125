/* lstm_model.h - the LSTM forecaster of lstm-train(1): the original
 * pipeline's architecture, its windowed dataset, training with early
 * stopping, parent -> child transfer, and its model file.
 *
 * Dimensions:
 *   B  batch (windows)
 *   T  context: trading days in a window (LSTM_MODEL_CONTEXT)
 *   I  input features per day (LSTM_MODEL_INPUTS)
 *   H  hidden size of the LSTM (LSTM_MODEL_HIDDEN)
 *   L  LSTM layers (LSTM_MODEL_LAYERS)
 *   F  width of the dense layer fc1 (LSTM_MODEL_FC)
 *   Z  horizon: trading days forecast (LSTM_MODEL_HORIZON by default)
 *   N  windows in a dataset
 *
 * The network, as PyTorch would write it:
 *   self.lstm = nn.LSTM(I, H, L, batch_first=True, dropout=p)
 *   self.fc1  = nn.Linear(H, F)
 *   self.fc2  = nn.Linear(F, Z)
 *   def forward(self, x):                    # x (B, T, I)
 *       out, _ = self.lstm(x)                # (B, T, H)
 *       z = F.relu(self.fc1(out[:, -1, :]))  # (B, F)
 *       return self.fc2(F.dropout(z, p, self.training))   # (B, Z)
 * and its state_dict keys are the parameter names here:
 *   lstm.weight_ih_l0 (4H, I), lstm.weight_hh_l0 (4H, H), lstm.bias_ih_l0
 *   (4H), lstm.bias_hh_l0 (4H), the same for _l1 with (4H, H) input
 *   weights, fc1.weight (F, H), fc1.bias (F), fc2.weight (Z, F), fc2.bias
 *   (Z).  Outputs are the Z next daily log returns divided by the model's
 *   target scale.
 *
 * The inputs of a window ending on day t (the window's "last day"), for
 * each day u in t-T+1 .. t, all from the lstm preset of build-features
 * (adjusted prices), scale-free so that a model transfers between
 * instruments:
 *   0..3  log(open_u / close_t), log(high_u / close_t), log(low_u /
 *         close_t), log(close_u / close_t): prices relative to the window's
 *         last close (the last day's close is 0)
 *   4     log(1 + volume_u) - mean over the window of log(1 + volume):
 *         log volume relative to the window's own level
 *   5     (rsi_14_u - 50) / 50, in [-1, 1]
 *   6     macd_12_26_9_u / close_t: MACD in units of the last close
 * then standardised per input, (v - mean) / std, with mean and std fitted
 * on the training windows only (every day of every training window) and
 * stored in the model.  Targets are the daily log returns log(close_{t+k}
 * / close_{t+k-1}), k = 1..Z, divided by one target scale (their RMS over
 * the training windows, also stored), not centred: an output of 0 is the
 * zero-return forecast.  A window is used only when every value it reads
 * is present.  Nothing in a window's inputs is dated after its last day. */
#ifndef TN_LSTM_MODEL_H
#define TN_LSTM_MODEL_H

#include <hdf5.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "nn_lstm.h"
#include "nn_param.h"
#include "panel.h"
#include "real.h"

/* The original configuration (issue 7). */
#define LSTM_MODEL_INPUTS 7
#define LSTM_MODEL_HIDDEN 128
#define LSTM_MODEL_LAYERS 2
#define LSTM_MODEL_FC 64
#define LSTM_MODEL_HORIZON 5
#define LSTM_MODEL_CONTEXT 60
#define LSTM_MODEL_DROPOUT 0.2
#define LSTM_MODEL_MAX_HORIZON 64

/* The model file's format name and version (nn_h5_check_format). */
#define LSTM_MODEL_FORMAT "tickernet-lstm"
#define LSTM_MODEL_FORMAT_VERSION 1

/* The panel columns the inputs are computed from, in input order but for
 * close, which 0..3 and the targets share. */
extern const char *const lstm_model_columns[LSTM_MODEL_INPUTS];
/* Names of the I inputs, as stored in the model ("open_rel", ...). */
extern const char *const lstm_model_input_names[LSTM_MODEL_INPUTS];

struct lstm_model_config {
	int inputs;     /* I */
	int hidden;     /* H */
	int layers;     /* L */
	int fc;         /* F */
	int horizon;    /* Z */
	int context;    /* T */
	double dropout; /* p, between LSTM layers and after fc1's ReLU */
};

/* The original configuration with the given horizon. */
void lstm_model_config_default(struct lstm_model_config *c, int horizon);

struct lstm_model {
	struct lstm_model_config cfg;
	struct nn_params params;                  /* the state_dict */
	struct nn_lstm_layer w[NN_LSTM_MAX_LAYERS];  /* views into params.value */
	struct nn_lstm_layer dw[NN_LSTM_MAX_LAYERS]; /* views into params.grad */
	real *fc1_w, *fc1_b, *fc2_w, *fc2_b;         /* (F, H) (F) (Z, F) (Z) */
	real *dfc1_w, *dfc1_b, *dfc2_w, *dfc2_b;
	size_t head_first; /* index of fc1.weight: tensors from here are the head */
	real in_mean[LSTM_MODEL_INPUTS]; /* (I) standardisation, training split */
	real in_std[LSTM_MODEL_INPUTS];  /* (I) */
	real target_scale;               /* RMS of the training targets */
};

/* Builds the arena (zeros, mean 0, std 1, scale 1).  Returns 0, or -1 with
 * err set on a bad configuration. */
int lstm_model_init(struct lstm_model *m, const struct lstm_model_config *c,
		    char *err, size_t errsz);
void lstm_model_free(struct lstm_model *m);
/* PyTorch's default initialisation: every LSTM tensor U(-1/sqrt(H),
 * 1/sqrt(H)); each Linear's weight and bias U(-1/sqrt(in), 1/sqrt(in)). */
void lstm_model_init_weights(struct lstm_model *m, struct tn_rng *rng);

/* Per-batch-size buffers of the forward and backward.  One workspace serves
 * batches of up to maxB windows. */
struct lstm_work {
	int maxB, B;
	int train;            /* the last forward was in training mode */
	real *cache_buf;      /* nn_lstm_cache_size(maxB, T, I, H, L) */
	struct nn_lstm_cache cache;
	real *h_n;            /* (L, B, H) final hidden states */
	real *dh_n;           /* (L, B, H) zero but the top layer */
	real *z1;             /* (B, F) fc1's output, before ReLU */
	real *a1;             /* (B, F) after ReLU */
	real *mask1;          /* (B, F) dropout multipliers after the ReLU */
	real *d1;             /* (B, F) fc2's input: a1 * mask1 */
	real *dd1, *da1;      /* (B, F) their gradients */
	real *dz1;            /* (B, F) */
};

void lstm_work_init(struct lstm_work *w, const struct lstm_model *m, int maxB);
void lstm_work_free(struct lstm_work *w);

/* y = model(x).  train = 1 draws the dropout masks from rng (which may be
 * NULL when the test has written w->cache's and w->mask1's masks itself:
 * then train = 2 uses them as they are); train = 0 is evaluation.  x holds
 * standardised inputs. */
void lstm_model_forward(real *y,             /* (B, Z) */
			struct lstm_work *w,
			const real *x,       /* (B, T, I) */
			const struct lstm_model *m, int B, int train,
			struct tn_rng *rng);
/* Accumulates (+=) the gradients of the loss given dy = dLoss/dy into
 * m->params.grad, after lstm_model_forward.  freeze = 1 stops at fc1: the
 * LSTM's gradients are left as they are and no BPTT runs. */
void lstm_model_backward(struct lstm_model *m, struct lstm_work *w,
			 const real *dy, /* (B, Z) */
			 const real *x,  /* (B, T, I) */
			 int freeze);

/* The windowed dataset of one symbol of a panel. */
struct lstm_dataset {
	int n, T, I, Z;
	float *x;  /* (N, T, I) scale-free inputs, not yet standardised */
	float *y;  /* (N, Z) future daily log returns, unscaled */
	int *last; /* (N) panel date index of each window's last day, increasing */
};

/* Finds the panel's columns the inputs need; 0, or -1 with err naming the
 * first missing one. */
int lstm_panel_columns(const struct tn_panel *p, int col[LSTM_MODEL_INPUTS],
		       char *err, size_t errsz);
/* The raw (unstandardised) inputs of the window of symbol s ending on date
 * index d; 0, or -1 when a value is missing or d < T - 1. */
int lstm_window_inputs(float *x, /* (T, I) */
		       const struct tn_panel *p, const int col[LSTM_MODEL_INPUTS],
		       int s, int d, int T);
/* Every window of symbol s that reads no day after date index last_d
 * (so its last day is at most last_d - Z) and whose inputs and Z targets
 * are all present.  Returns 0, or -1 with err set (missing columns, no
 * usable window). */
int lstm_dataset_build(struct lstm_dataset *ds, const struct tn_panel *p,
		       int s, int last_d, int T, int Z, char *err,
		       size_t errsz);
void lstm_dataset_free(struct lstm_dataset *ds);

/* The temporal split: the last val_frac of the windows (at least one) are
 * validation; training windows end at least Z + 1 trading days (panel date
 * indices) before the first validation window's last day, so their targets
 * are all dated before it.  Windows are [0, *n_train) and [*val_first, n).
 * Returns 0, or -1 when either part would be empty. */
int lstm_dataset_split(const struct lstm_dataset *ds, double val_frac,
		       int *n_train, int *val_first);

/* Fits in_mean, in_std and target_scale on windows [0, n_train). */
void lstm_model_fit_scalers(struct lstm_model *m,
			    const struct lstm_dataset *ds, int n_train);
/* Standardises one window's raw inputs with the model's statistics. */
void lstm_model_standardise(real *x,        /* (T, I) out */
			    const float *raw, /* (T, I) */
			    const struct lstm_model *m);

enum lstm_strategy { LSTM_SCRATCH, LSTM_FREEZE, LSTM_FINETUNE };
const char *lstm_strategy_name(enum lstm_strategy s);
int lstm_strategy_parse(const char *name, enum lstm_strategy *s);

/* Defaults of the training loop (issue 7): 20 epochs from scratch, 10 for
 * a child; batch 32; Adam, lr 1e-3 (freeze) or 1e-4 (finetune); gradient
 * norm clipped at 1; early stopping after 5 epochs without improvement. */
#define LSTM_TRAIN_EPOCHS 20
#define LSTM_TRAIN_CHILD_EPOCHS 10
#define LSTM_TRAIN_BATCH 32
#define LSTM_TRAIN_LR 1e-3
#define LSTM_TRAIN_FINETUNE_LR 1e-4
#define LSTM_TRAIN_CLIP 1.0
#define LSTM_TRAIN_PATIENCE 5
#define LSTM_TRAIN_VAL_FRAC 0.2

struct lstm_train_config {
	int epochs, batch;
	double lr, clip; /* clip <= 0: no clipping */
	long patience;
	enum lstm_strategy strategy;
	uint64_t seed;
	/* Set asynchronously (a signal handler) to stop between batches. */
	volatile sig_atomic_t *stop;
	/* Called after each epoch when non-NULL (progress). */
	void (*on_epoch)(void *ctx, int epoch, double train_loss,
			 double val_loss);
	void *ctx;
};

void lstm_train_config_default(struct lstm_train_config *c,
			       enum lstm_strategy s);

struct lstm_train_result {
	int epochs;         /* epochs run */
	long best_epoch;    /* 0-based; -1: the initial weights were best */
	double *train_loss; /* (epochs) mean training loss (scaled targets) */
	double *val_loss;   /* (epochs) validation loss */
	double best_val_loss;
	int interrupted;    /* *stop was set */
	int nonfinite;      /* the non-finite guard ended training */
	char reason[160];   /* why training stopped early, or "" */
	double seconds;
	double samples_per_s; /* training windows through forward + backward */
};

/* Trains m on windows [0, n_train) and early-stops on [val_first, n),
 * restoring the best weights (the starting weights count: a child whose
 * training never beats its parent's head keeps it).  Deterministic for a
 * given cfg->seed (shuffling and dropout masks) with single-threaded
 * BLAS.  The scalers must have been fitted (or come from a parent).
 * Returns 0; -1 when training was interrupted or a non-finite value ended
 * it before any epoch improved (err says which; the weights are the best
 * seen, never non-finite); free res with lstm_train_result_free either
 * way. */
int lstm_model_train(struct lstm_model *m, const struct lstm_dataset *ds,
		     int n_train, int val_first,
		     const struct lstm_train_config *cfg,
		     struct lstm_train_result *res, char *err, size_t errsz);
void lstm_train_result_free(struct lstm_train_result *res);

/* Predictions (daily log returns, unscaled) for windows [first, last) of
 * ds, in evaluation mode.  pred is ((last - first), Z). */
void lstm_model_predict(double *pred, const struct lstm_model *m,
			const struct lstm_dataset *ds, int first, int last);

/* The model file (see tickernet-formats(5)): the format attributes,
 * config attributes (inputs, hidden, layers, fc, horizon, context,
 * dropout), /state_dict, /norm/mean and /norm/std (I), the target_scale
 * attribute and /input_names, /columns.  Tool metadata is the caller's. */
int lstm_model_save(hid_t file, const struct lstm_model *m, char *err,
		    size_t errsz);
/* Reads a model file's config, then allocates and loads m. */
int lstm_model_load(hid_t file, struct lstm_model *m, char *err,
		    size_t errsz);

/* Copies the parent's parameters and scalers into child (same shapes).
 * Returns 0, or -1 when the configurations differ. */
int lstm_model_transfer(struct lstm_model *child,
			const struct lstm_model *parent, char *err,
			size_t errsz);

#endif
