/* nn_sched.h - learning-rate schedules stepped once per epoch, PyTorch 1.13
 * semantics, and the training stop rules: early stopping on the validation
 * loss with the best weights kept in a snapshot, and a guard that ends
 * training on a non-finite loss or gradient.
 *
 * Use: lr = s.lr for the epoch; after it, nn_sched_step(&s, val_loss). */
#ifndef TN_NN_SCHED_H
#define TN_NN_SCHED_H

#include "nn_param.h"

enum nn_sched_kind {
	NN_SCHED_CONSTANT,
	NN_SCHED_STEP,       /* StepLR */
	NN_SCHED_COSINE_WR,  /* CosineAnnealingWarmRestarts */
	NN_SCHED_PLATEAU,    /* ReduceLROnPlateau, mode "min", threshold "rel" */
};

/* PyTorch's ReduceLROnPlateau defaults. */
#define NN_PLATEAU_FACTOR 0.1
#define NN_PLATEAU_PATIENCE 10
#define NN_PLATEAU_THRESHOLD 1e-4
#define NN_PLATEAU_COOLDOWN 0
#define NN_PLATEAU_MIN_LR 0.0
/* A reduction smaller than this is ignored (PyTorch's eps). */
#define NN_PLATEAU_EPS 1e-8

struct nn_sched {
	enum nn_sched_kind kind;
	double base_lr;
	double lr;         /* the rate for the coming epoch */
	long epoch;        /* epochs stepped so far */
	/* StepLR: lr *= gamma every step_size epochs. */
	long step_size;
	double gamma;
	/* CosineAnnealingWarmRestarts: lr = eta_min + (base_lr - eta_min) *
	 * (1 + cos(pi * t_cur / t_i)) / 2; a restart when t_cur reaches t_i,
	 * after which t_i *= t_mult. */
	long t_0, t_mult, t_cur, t_i;
	double eta_min;
	/* ReduceLROnPlateau: better means loss < best * (1 - threshold); after
	 * more than patience epochs not better, lr = max(lr * factor, min_lr),
	 * then cooldown epochs in which bad epochs are not counted. */
	double factor, threshold, min_lr, best;
	long patience, cooldown, bad_epochs, cooldown_left;
};

/* Each starts at lr = base_lr with PyTorch's defaults for the rest. */
void nn_sched_constant(struct nn_sched *s, double base_lr);
void nn_sched_steplr(struct nn_sched *s, double base_lr, long step_size,
		     double gamma);
void nn_sched_cosine_wr(struct nn_sched *s, double base_lr, long t_0,
			long t_mult, double eta_min);
void nn_sched_plateau(struct nn_sched *s, double base_lr, double factor,
		      long patience, double threshold, long cooldown,
		      double min_lr);
/* Ends an epoch; val_loss is read by the plateau schedule only.  Returns
 * the rate for the next epoch (also in s->lr). */
double nn_sched_step(struct nn_sched *s, double val_loss);

/* Early stopping: an epoch improves when val_loss < best - min_delta; after
 * patience epochs without one training stops.  The arena's values at the
 * best epoch are kept (at the start: the initial values), and
 * nn_early_finish puts them back. */
#define NN_EARLY_REASON_MAX 160

struct nn_early {
	struct nn_params *params; /* borrowed */
	real *best_values;        /* (P) snapshot */
	double best_loss;         /* INFINITY before the first validation */
	long best_epoch;          /* -1 before the first improvement */
	long epoch;               /* epochs seen */
	long patience, bad_epochs;
	double min_delta;
	int stopped;
	char reason[NN_EARLY_REASON_MAX]; /* why training stopped, or "" */
};

void nn_early_init(struct nn_early *e, struct nn_params *params,
		   long patience, double min_delta);
void nn_early_free(struct nn_early *e);
/* After each epoch's validation.  Returns 1 when training should stop (no
 * improvement for patience epochs, or a non-finite val_loss), with the
 * reason set. */
int nn_early_update(struct nn_early *e, double val_loss);
/* The guard, after each backward pass: returns 1 and sets the reason when
 * the training loss or any gradient is NaN or infinite. */
int nn_early_guard(struct nn_early *e, double train_loss);
/* Restores the best values; returns the best epoch (-1: none was better
 * than the initial weights, which are what is restored). */
long nn_early_finish(struct nn_early *e);

#endif
