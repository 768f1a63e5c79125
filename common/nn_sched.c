/* nn_sched.c - see nn_sched.h.  The schedules follow torch.optim.lr_scheduler
 * in 1.13 step by step, including StepLR's chained multiplication. */
#include "nn_sched.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void sched_base(struct nn_sched *s, enum nn_sched_kind kind,
		       double base_lr)
{
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->base_lr = base_lr;
	s->lr = base_lr;
	s->factor = NN_PLATEAU_FACTOR;
	s->patience = NN_PLATEAU_PATIENCE;
	s->threshold = NN_PLATEAU_THRESHOLD;
	s->cooldown = NN_PLATEAU_COOLDOWN;
	s->min_lr = NN_PLATEAU_MIN_LR;
	s->best = INFINITY;
}

void nn_sched_constant(struct nn_sched *s, double base_lr)
{
	sched_base(s, NN_SCHED_CONSTANT, base_lr);
}

void nn_sched_steplr(struct nn_sched *s, double base_lr, long step_size,
		     double gamma)
{
	sched_base(s, NN_SCHED_STEP, base_lr);
	s->step_size = step_size > 0 ? step_size : 1;
	s->gamma = gamma;
}

void nn_sched_cosine_wr(struct nn_sched *s, double base_lr, long t_0,
			long t_mult, double eta_min)
{
	sched_base(s, NN_SCHED_COSINE_WR, base_lr);
	s->t_0 = t_0 > 0 ? t_0 : 1;
	s->t_mult = t_mult > 0 ? t_mult : 1;
	s->t_i = s->t_0;
	s->t_cur = 0;
	s->eta_min = eta_min;
}

void nn_sched_plateau(struct nn_sched *s, double base_lr, double factor,
		      long patience, double threshold, long cooldown,
		      double min_lr)
{
	sched_base(s, NN_SCHED_PLATEAU, base_lr);
	s->factor = factor;
	s->patience = patience;
	s->threshold = threshold;
	s->cooldown = cooldown;
	s->min_lr = min_lr;
}

static void plateau_step(struct nn_sched *s, double val_loss)
{
	if (val_loss < s->best * (1.0 - s->threshold)) {
		s->best = val_loss;
		s->bad_epochs = 0;
	} else {
		s->bad_epochs++;
	}
	if (s->cooldown_left > 0) {
		s->cooldown_left--;
		s->bad_epochs = 0;
	}
	if (s->bad_epochs > s->patience) {
		double lr = fmax(s->lr * s->factor, s->min_lr);

		if (s->lr - lr > NN_PLATEAU_EPS)
			s->lr = lr;
		s->cooldown_left = s->cooldown;
		s->bad_epochs = 0;
	}
}

double nn_sched_step(struct nn_sched *s, double val_loss)
{
	s->epoch++;
	switch (s->kind) {
	case NN_SCHED_CONSTANT:
		break;
	case NN_SCHED_STEP:
		if (s->epoch % s->step_size == 0)
			s->lr *= s->gamma;
		break;
	case NN_SCHED_COSINE_WR:
		if (++s->t_cur >= s->t_i) {
			s->t_cur -= s->t_i;
			s->t_i *= s->t_mult;
		}
		s->lr = s->eta_min + (s->base_lr - s->eta_min) *
			(1.0 + cos(M_PI * (double)s->t_cur / (double)s->t_i)) / 2.0;
		break;
	case NN_SCHED_PLATEAU:
		plateau_step(s, val_loss);
		break;
	}
	return s->lr;
}

void nn_early_init(struct nn_early *e, struct nn_params *params,
		   long patience, double min_delta)
{
	memset(e, 0, sizeof *e);
	e->params = params;
	e->best_values = xreallocarray(NULL, params->total ? params->total : 1,
				       sizeof *e->best_values);
	nn_params_copy_values(params, e->best_values);
	e->best_loss = INFINITY;
	e->best_epoch = -1;
	e->patience = patience;
	e->min_delta = min_delta;
}

void nn_early_free(struct nn_early *e)
{
	free(e->best_values);
	e->best_values = NULL;
}

static void stop(struct nn_early *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));


static void stop(struct nn_early *e, const char *fmt, ...)
{
	va_list ap;

	e->stopped = 1;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof e->reason, fmt, ap);
	va_end(ap);
}

int nn_early_update(struct nn_early *e, double val_loss)
{
	long epoch = e->epoch++;

	if (!isfinite(val_loss)) {
		stop(e, "validation loss is %g at epoch %ld", val_loss, epoch);
		return 1;
	}
	if (val_loss < e->best_loss - e->min_delta) {
		e->best_loss = val_loss;
		e->best_epoch = epoch;
		e->bad_epochs = 0;
		nn_params_copy_values(e->params, e->best_values);
		return 0;
	}
	if (++e->bad_epochs >= e->patience) {
		stop(e, "no improvement for %ld epochs (best validation loss %g at epoch %ld)",
		     e->bad_epochs, e->best_loss, e->best_epoch);
		return 1;
	}
	return 0;
}

int nn_early_guard(struct nn_early *e, double train_loss)
{
	long bad;

	if (!isfinite(train_loss)) {
		stop(e, "training loss is %g in epoch %ld", train_loss, e->epoch);
		return 1;
	}
	bad = nn_params_first_nonfinite_grad(e->params);
	if (bad >= 0) {
		stop(e, "gradient of %s is not finite in epoch %ld",
		     e->params->table[bad].name, e->epoch);
		return 1;
	}
	return 0;
}

long nn_early_finish(struct nn_early *e)
{
	nn_params_restore_values(e->params, e->best_values);
	return e->best_epoch;
}
