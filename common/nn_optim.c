/* nn_optim.c - see nn_optim.h.  The arithmetic is in `real`, as PyTorch's
 * is in float32; the bias corrections are computed in double, as PyTorch
 * computes them in Python floats. */
#include "nn_optim.h"

#include <math.h>
#include <string.h>

static const char *const optim_names[] = {
	[NN_OPTIM_SGD] = "sgd",
	[NN_OPTIM_ADAM] = "adam",
	[NN_OPTIM_ADAMW] = "adamw",
	[NN_OPTIM_ADABELIEF] = "adabelief",
};

void nn_optim_init(struct nn_optim *o, enum nn_optim_kind kind, double lr)
{
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->lr = lr;
	o->beta1 = NN_ADAM_BETA1;
	o->beta2 = NN_ADAM_BETA2;
	o->eps = kind == NN_OPTIM_ADABELIEF ? NN_ADABELIEF_EPS : NN_ADAM_EPS;
	if (kind == NN_OPTIM_ADAMW)
		o->weight_decay = NN_ADAMW_WEIGHT_DECAY;
}

const char *nn_optim_name(enum nn_optim_kind kind)
{
	return optim_names[kind];
}

int nn_optim_parse(const char *name, enum nn_optim_kind *kind)
{
	for (size_t k = 0; k < sizeof optim_names / sizeof *optim_names; k++)
		if (strcmp(name, optim_names[k]) == 0) {
			*kind = (enum nn_optim_kind)k;
			return 0;
		}
	return -1;
}

/* torch.optim.SGD with dampening 0: the first step's buffer is the
 * gradient itself, which m = momentum * 0 + g gives from a zeroed arena. */
static void sgd_step(const struct nn_optim *o, struct nn_params *p)
{
	const real lr = (real)o->lr, wd = (real)o->weight_decay;
	const real mu = (real)o->momentum;

	for (size_t k = 0; k < p->total; k++) {
		real g = p->grad[k];

		if (wd != 0)
			g += wd * p->value[k];
		if (mu != 0) {
			p->m[k] = mu * p->m[k] + g;
			g = o->nesterov ? g + mu * p->m[k] : p->m[k];
		}
		p->value[k] -= lr * g;
	}
}

/* Adam, AdamW and AdaBelief share the bias-corrected update
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * and differ in the decay and in what v tracks. */
static void adam_family_step(const struct nn_optim *o, struct nn_params *p)
{
	const double t = (double)o->step + 1;
	const real b1 = (real)o->beta1, b2 = (real)o->beta2;
	/* 1 - beta in double, then rounded, as PyTorch's alpha = 1 - beta1:
	 * 1 - (float)0.999 would be off by 5e-5 relative. */
	const real c1 = (real)(1.0 - o->beta1), c2 = (real)(1.0 - o->beta2);
	const real eps = (real)o->eps, wd = (real)o->weight_decay;
	const real step_size = (real)(o->lr / (1.0 - pow(o->beta1, t)));
	const real bc2_sqrt = (real)sqrt(1.0 - pow(o->beta2, t));
	const real decay = (real)(1.0 - o->lr * o->weight_decay);
	const int l2 = o->kind == NN_OPTIM_ADAM && wd != 0;
	const int decoupled = o->kind != NN_OPTIM_ADAM && wd != 0;

	for (size_t k = 0; k < p->total; k++) {
		real g = p->grad[k], denom;

		if (l2)
			g += wd * p->value[k];
		if (decoupled)
			p->value[k] *= decay;
		p->m[k] = b1 * p->m[k] + c1 * g;
		if (o->kind == NN_OPTIM_ADABELIEF) {
			real belief = g - p->m[k];

			p->v[k] = b2 * p->v[k] + c2 * belief * belief + eps;
		} else {
			p->v[k] = b2 * p->v[k] + c2 * g * g;
		}
		denom = sqrt(p->v[k]) / bc2_sqrt + eps;
		p->value[k] -= step_size * p->m[k] / denom;
	}
}

void nn_optim_step(struct nn_optim *o, struct nn_params *p)
{
	if (o->kind == NN_OPTIM_SGD)
		sgd_step(o, p);
	else
		adam_family_step(o, p);
	o->step++;
}
