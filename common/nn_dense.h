/* nn_dense.h - the fully connected layer, in PyTorch's nn.Linear layout.
 *
 * Dimensions:
 *   N  rows (batch, or batch x time flattened)
 *   I  input features
 *   O  output features
 *
 *   y (N, O) = x (N, I) W^T + b,   W (O, I), b (O)
 *
 * The parameters are `weight` (O, I) and `bias` (O), named and laid out as
 * nn.Linear's, so a model file reads the same in h5py. */
#ifndef TN_NN_DENSE_H
#define TN_NN_DENSE_H

#include "real.h"

/* y = x W^T + b.  b may be NULL (no bias).  y must not alias x. */
void nn_dense_forward(real *y,       /* (N, O) */
		      const real *x, /* (N, I) */
		      const real *W, /* (O, I) */
		      const real *b, /* (O) or NULL */
		      int N, int I, int O);

/* Accumulates (+=) the gradients of the loss, given dy = dL/dy:
 *   dx += dy W,   dW += dy^T x,   db += sum over rows of dy.
 * Any of dx, dW, db may be NULL when that gradient is not wanted (dx of a
 * first layer, dW of a frozen layer, db of a layer without bias). */
void nn_dense_backward(real *dx,       /* (N, I) or NULL */
		       real *dW,       /* (O, I) or NULL */
		       real *db,       /* (O) or NULL */
		       const real *dy, /* (N, O) */
		       const real *x,  /* (N, I) */
		       const real *W,  /* (O, I) */
		       int N, int I, int O);

#endif
