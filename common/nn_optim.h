/* nn_optim.h - optimisers over the parameter arena (nn_param.h), matching
 * PyTorch 1.13's torch.optim step for step.  Per scalar, with g the
 * gradient, p the value, m and v the arena's state blocks, t the step
 * counter after increment:
 *
 *   SGD    (torch.optim.SGD, dampening 0)
 *          g += wd * p;  if momentum: m = momentum * m + g,
 *          g = nesterov ? g + momentum * m : m;   p -= lr * g
 *   Adam   (torch.optim.Adam, L2 decay added to the gradient)
 *          g += wd * p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *          p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *   AdamW  (torch.optim.AdamW, decoupled decay)
 *          p *= 1 - lr * wd, then Adam's update without the L2 term
 *   AdaBelief (Zhuang et al., NeurIPS 2020, Algorithm 2)
 *          p *= 1 - lr * wd (decoupled decay, as AdamW; no rectification)
 *          m = b1 m + (1 - b1) g;  s = b2 s + (1 - b2) (g - m)^2 + eps
 *          p -= lr / (1 - b1^t) * m / (sqrt(s) / sqrt(1 - b2^t) + eps)
 *
 * m holds SGD's momentum buffer or the first moment, v the second moment
 * (Adam's v, AdaBelief's s). */
#ifndef TN_NN_OPTIM_H
#define TN_NN_OPTIM_H

#include "nn_param.h"

enum nn_optim_kind { NN_OPTIM_SGD, NN_OPTIM_ADAM, NN_OPTIM_ADAMW,
		     NN_OPTIM_ADABELIEF };

/* PyTorch's defaults. */
#define NN_ADAM_BETA1 0.9
#define NN_ADAM_BETA2 0.999
#define NN_ADAM_EPS 1e-8
#define NN_ADAMW_WEIGHT_DECAY 1e-2
#define NN_ADABELIEF_EPS 1e-16 /* the paper's reference implementation */

struct nn_optim {
	enum nn_optim_kind kind;
	double lr;
	double weight_decay;
	double momentum;  /* SGD */
	int nesterov;     /* SGD */
	double beta1, beta2, eps; /* Adam, AdamW, AdaBelief */
	long step;        /* steps taken so far */
	int portable;     /* 1: the plain C loops even where the CPU has
			   * AVX-512, so a test compares the two paths */
};

/* kind's PyTorch defaults with learning rate lr: no decay (AdamW 1e-2),
 * no momentum, betas (0.9, 0.999), eps 1e-8 (AdaBelief 1e-16). */
void nn_optim_init(struct nn_optim *o, enum nn_optim_kind kind, double lr);

/* One update of every tensor in p from its gradients, then step += 1. */
void nn_optim_step(struct nn_optim *o, struct nn_params *p);

/* "sgd", "adam", "adamw", "adabelief". */
const char *nn_optim_name(enum nn_optim_kind kind);
/* Parses a name above; returns 0, or -1 when it is none of them. */
int nn_optim_parse(const char *name, enum nn_optim_kind *kind);

#endif
