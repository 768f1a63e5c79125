/* nn_param.h - the parameter arena: one table of named tensor sizes lays
 * out four contiguous blocks (values, gradients, and the optimiser's first
 * and second moments), each tensor at the same offset in all four.  The
 * optimisers, clipping, zeroing and HDF5 save/load are loops over the table.
 *
 * Names are PyTorch state_dict keys ("lstm.weight_ih_l0", "gcn1.lin.weight",
 * "gat.att_src") and shapes are PyTorch's, so a saved model reads back in
 * Python as a state_dict.
 *
 * Dimension letters: N tensors in the table, P = total scalars in the arena. */
#ifndef TN_NN_PARAM_H
#define TN_NN_PARAM_H

#include <stddef.h>

#include "real.h"
#include "rng.h"

#define NN_PARAM_MAXDIM 4

/* One row of the table: a tensor's state_dict key and PyTorch shape.
 * ndim is 1..NN_PARAM_MAXDIM; every extent is at least 1. */
struct nn_param_spec {
	const char *name;
	int ndim;
	size_t shape[NN_PARAM_MAXDIM];
};

struct nn_params {
	struct nn_param_spec *table; /* (N) own copy, names duplicated */
	size_t n;                    /* N */
	size_t *offset;              /* (N + 1) start of tensor i; offset[N] = P */
	size_t total;                /* P */
	real *value;                 /* (P) the parameters */
	real *grad;                  /* (P) dLoss/dvalue, accumulated by backward */
	real *m;                     /* (P) optimiser state: momentum / first moment */
	real *v;                     /* (P) optimiser state: second moment */
};

/* Scalars in one tensor of the given spec. */
size_t nn_param_spec_numel(const struct nn_param_spec *spec);

/* Lays out and allocates the arena from table (copied).  Values, grads and
 * optimiser state start at zero.  Returns 0, or -1 with a one-line reason in
 * err (bad ndim, zero extent, empty or duplicate name). */
int nn_params_init(struct nn_params *p, const struct nn_param_spec *table,
		   size_t n, char *err, size_t errsz);
void nn_params_free(struct nn_params *p);

/* Index of the tensor named name, or -1. */
long nn_params_find(const struct nn_params *p, const char *name);
/* Tensor i's slice of each block, and its number of scalars. */
real *nn_param_value(const struct nn_params *p, size_t i);
real *nn_param_grad(const struct nn_params *p, size_t i);
size_t nn_param_numel(const struct nn_params *p, size_t i);
/* By name: NULL when the table has no such tensor. */
real *nn_param_value_by_name(const struct nn_params *p, const char *name);
real *nn_param_grad_by_name(const struct nn_params *p, const char *name);

/* One zero-grad per step; backward passes accumulate. */
void nn_params_zero_grad(struct nn_params *p);
/* Clears the optimiser state (m, v), e.g. when restarting training. */
void nn_params_zero_state(struct nn_params *p);

/* The L2 norm of all gradients taken together (accumulated in double). */
double nn_params_grad_norm(const struct nn_params *p);
/* torch.nn.utils.clip_grad_norm_: with norm the global gradient norm,
 * every gradient is scaled by max_norm / (norm + 1e-6) when that is below
 * 1.  Returns the norm before clipping. */
double nn_params_clip_grad_norm(struct nn_params *p, double max_norm);
#define NN_CLIP_EPS 1e-6

/* Snapshots of the values, e.g. early stopping's best weights.
 * snapshot is (P). */
void nn_params_copy_values(const struct nn_params *p, real *snapshot);
void nn_params_restore_values(struct nn_params *p, const real *snapshot);

/* Index of the first tensor holding a NaN or infinity, or -1 when all are
 * finite. */
long nn_params_first_nonfinite_value(const struct nn_params *p);
long nn_params_first_nonfinite_grad(const struct nn_params *p);
/* Whether every gradient is finite: one vector pass, cheap enough for
 * every step; the two above name the tensor once something is not. */
int nn_params_grads_finite(const struct nn_params *p);

/* Initialisers for tensor i, drawing from rng in storage order.
 * uniform: U(-k, k); PyTorch's default for Linear (weight and bias) and
 * LSTM (every tensor) is k = 1 / sqrt(fan_in) (for LSTM fan_in = H). */
void nn_param_init_uniform(struct nn_params *p, size_t i, double k,
			   struct tn_rng *rng);
/* Xavier/Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)),
 * with PyTorch's fans: for shape (out, in, r...) fan_in = in * r..., fan_out
 * = out * r...; a 1-D tensor counts as (1, n). */
void nn_param_init_xavier_uniform(struct nn_params *p, size_t i, double gain,
				  struct tn_rng *rng);
/* PyTorch Geometric's glorot (GATConv's lin.weight, att_src, att_dst):
 * a = sqrt(6 / (shape[-2] + shape[-1])), the last two dimensions only. */
void nn_param_init_glorot(struct nn_params *p, size_t i, struct tn_rng *rng);
void nn_param_fill(struct nn_params *p, size_t i, real value);
/* PyTorch's fans of tensor i (see xavier above). */
void nn_param_fans(const struct nn_params *p, size_t i, size_t *fan_in,
		   size_t *fan_out);

#endif
