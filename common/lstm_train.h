/* lstm_train.h - one symbol's LSTM training run, end to end, as lstm-train
 * does it and lstm-predict --auto-train will: the windowed dataset of the
 * symbol from a features panel, the temporal split with the horizon gap,
 * a model from scratch or from a parent (freeze or finetune), training
 * with early stopping, metrics on the holdout beside the zero-return and
 * momentum baselines on the same days, then, under the symbol's lock, a
 * new version in the store, the validation gate, and the run record.
 *
 *	struct lstm_job job;
 *	struct lstm_train_report rep;
 *	lstm_job_default(&job, "lstm-predict", root);
 *	job.parent = &parent;          (lstm_parent_load; NULL: from scratch)
 *	status = lstm_train_symbol(&panel, "AAPL", &job, &rep);
 *	summary = lstm_train_summary_json(&rep);
 *	lstm_train_report_free(&rep);
 *
 * Metrics are on daily log returns: each validation window's Z forecasts
 * against the Z returns that followed it.  The overall metrics (and the
 * gate's val_mse) pool every (window, day ahead) pair; per-horizon metrics
 * take day k alone.  Baselines on the same pairs: zero (no change) and
 * momentum (the mean daily log return of the TN_MOMENTUM_WINDOW days up to
 * the window's last day). */
#ifndef TN_LSTM_TRAIN_H
#define TN_LSTM_TRAIN_H

#include "evaluate.h"
#include "lstm_model.h"
#include "modelstore.h"
#include "nn_h5.h"
#include "panel.h"
#include "store.h"

#include <cJSON.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>

/* The store kind and model file format of LSTM models. */
#define LSTM_TRAIN_KIND "lstm"
/* Fewest windows each side of the split may have. */
#define LSTM_TRAIN_MIN_TRAIN 32
#define LSTM_TRAIN_MIN_VAL 5
#define LSTM_TRAIN_SEED 1

/* A parent model, loaded once and shared by every child trained from it. */
struct lstm_parent {
	struct lstm_model model;
	char spec[PATH_MAX];    /* as given: a symbol or a path */
	char path[PATH_MAX];    /* the file read */
	char symbol[TN_SYMBOL_MAX + 1]; /* its symbol attribute, or "" */
	char version[TN_STAMP_LEN + 1]; /* its model_version, or "" */
};

/* Loads the parent named by spec: a path when it holds a '/' or ends in
 * ".h5", else a symbol whose current LSTM model in the store at root is
 * read.  Returns 0, or an exit status with err set: 66 no such model or
 * file, 65 a file that is not an LSTM model, 2 a bad symbol. */
int lstm_parent_load(struct lstm_parent *pa, const char *root,
		     const char *spec, char *err, size_t errsz);
void lstm_parent_free(struct lstm_parent *pa);

struct lstm_job {
	const char *tool;       /* recorded as the model's and record's tool */
	const char *root;       /* the store */
	int lock_wait;          /* seconds to wait for the symbol's lock */
	int force;              /* promote even when validation is worse */
	/* The model from scratch; a child takes its parent's, and hidden,
	 * context or horizon set here must then match it. */
	int hidden, context, horizon; /* 0: LSTM_MODEL_* (or the parent's) */
	const struct lstm_parent *parent; /* NULL: from scratch */
	enum lstm_strategy strategy;      /* LSTM_FREEZE or _FINETUNE with a parent */
	int epochs;             /* 0: the strategy's default */
	int batch;              /* 0: LSTM_TRAIN_BATCH */
	double lr;              /* 0: the strategy's default */
	double clip;            /* < 0: LSTM_TRAIN_CLIP; 0: off */
	long patience;          /* 0: LSTM_TRAIN_PATIENCE */
	double val_fraction;    /* 0: LSTM_TRAIN_VAL_FRAC */
	int last_day;           /* last panel date index to use; < 0: all */
	uint64_t seed;
	/* Holds a signal number once SIGINT or SIGTERM arrived: training
	 * stops after the current step and nothing is written. */
	volatile sig_atomic_t *stop;
	int progress;           /* a per-epoch progress line on a tty */
	/* The symbol's store already open and locked by the caller (the
	 * auto-train of lstm-predict checks and trains under one lock);
	 * NULL: lstm_train_symbol takes the lock for its store step. */
	struct tn_ms *held;
};

void lstm_job_default(struct lstm_job *job, const char *tool,
		      const char *root);

/* Metrics of one set of (forecast, actual) pairs, with its baselines. */
struct lstm_eval {
	struct tn_eval model, zero, momentum;
	double rmse, r2;        /* the model's; r2 = 1 - SSE / SST */
};

struct lstm_train_report {
	const char *symbol;
	const char *status;     /* TN_MS_PROMOTED, TN_MS_KEPT, TN_MS_FAILED,
				   or NULL when stopped by a signal */
	char version[TN_STAMP_LEN + 1]; /* the version written, or "" */
	char current[TN_STAMP_LEN + 1]; /* in service afterwards, or "" */
	const char *gate;       /* the gate's reason, or NULL */
	enum lstm_strategy strategy;
	int horizon;
	struct lstm_eval overall;
	struct lstm_eval *per_horizon; /* (horizon) */
	int epochs;             /* run; -1 when training never started */
	long best_epoch;        /* 1-based; 0: the starting weights */
	double seconds, samples_per_s;
	char error[NN_H5_ERR_MAX + 512]; /* why it failed, or "" */
};

/* Trains symbol from panel p into the store.  Returns its exit status:
 * 0 promoted or kept; 1 training failed (a non-finite loss: the best
 * weights are kept as a version, never promoted); 65 too little data or
 * missing columns; 66 symbol not in the panel; 73, 74, 75 store errors;
 * 130 or 143 stopped by a signal (nothing written).  rep says what
 * happened either way; free it with lstm_train_report_free. */
int lstm_train_symbol(const struct tn_panel *p, const char *symbol,
		      const struct lstm_job *job,
		      struct lstm_train_report *rep);
void lstm_train_report_free(struct lstm_train_report *rep);

/* The one-line training summary of DESIGN.md (tn_ms_summary_json) with
 * rmse, r2, strategy and parent_version added. */
cJSON *lstm_train_summary_json(const struct lstm_train_report *rep,
			       const struct lstm_job *job);

/* {"n":..,"mse":..,"rmse":..,"mae":..,"r2":..,"dir_acc":..,"ic":..,
 *  "skill":..} of the model. */
cJSON *lstm_eval_json(const struct lstm_eval *e);

/* Metrics of pred against actual over n pairs with the two baselines'
 * forecasts on the same pairs. */
void lstm_eval_compute(struct lstm_eval *e, const double *pred,
		       const double *momentum, const double *actual, long n);

#endif
