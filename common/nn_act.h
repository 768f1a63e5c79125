/* nn_act.h - elementwise activations and dropout.
 *
 * Dimensions:
 *   n  elements (any shape, flattened)
 *
 * Forward functions may run in place (y == x).  Backward functions
 * accumulate (+=) into dx and must not alias dy.  The piecewise
 * activations (ReLU, LeakyReLU, ELU) take the forward's input x; tanh and
 * sigmoid take its output y, from which their derivative is cheapest. */
#ifndef TN_NN_ACT_H
#define TN_NN_ACT_H

#include "real.h"
#include "rng.h"

/* y = max(x, 0); dy/dx = 1 for x > 0, else 0 (PyTorch's choice at 0). */
void nn_relu_forward(real *y,       /* (n) */
		     const real *x, /* (n) */
		     int n);
void nn_relu_backward(real *dx,       /* (n) */
		      const real *dy, /* (n) */
		      const real *x,  /* (n) forward input */
		      int n);

/* y = x for x > 0, slope * x otherwise (nn.LeakyReLU(negative_slope)). */
void nn_leaky_relu_forward(real *y,       /* (n) */
			   const real *x, /* (n) */
			   real slope, int n);
void nn_leaky_relu_backward(real *dx,       /* (n) */
			    const real *dy, /* (n) */
			    const real *x,  /* (n) forward input */
			    real slope, int n);

/* y = x for x > 0, alpha (exp(x) - 1) otherwise (nn.ELU(alpha)). */
void nn_elu_forward(real *y,       /* (n) */
		    const real *x, /* (n) */
		    real alpha, int n);
void nn_elu_backward(real *dx,       /* (n) */
		     const real *dy, /* (n) */
		     const real *x,  /* (n) forward input */
		     real alpha, int n);

/* y = tanh(x); dy/dx = 1 - y^2. */
void nn_tanh_forward(real *y,       /* (n) */
		     const real *x, /* (n) */
		     int n);
void nn_tanh_backward(real *dx,       /* (n) */
		      const real *dy, /* (n) */
		      const real *y,  /* (n) forward output */
		      int n);

/* y = 1 / (1 + exp(-x)); dy/dx = y (1 - y). */
void nn_sigmoid_forward(real *y,       /* (n) */
			const real *x, /* (n) */
			int n);
void nn_sigmoid_backward(real *dx,       /* (n) */
			 const real *dy, /* (n) */
			 const real *y,  /* (n) forward output */
			 int n);

/* Numerically safe scalar forms, shared with the recurrent layers. */
real nn_sigmoid(real x);

/* Dropout, inverted as in PyTorch: in training each element is kept with
 * probability 1 - p and scaled by 1 / (1 - p), so evaluation is the
 * identity.  The mask holds the multiplier of each element (0 or
 * 1 / (1 - p)), drawn once per forward and reused by the backward; a test
 * writes its own mask instead of drawing one.
 *
 * nn_dropout_mask draws a mask from rng (p == 0 gives all ones, p >= 1
 * all zeros).  nn_dropout_forward applies a mask, or copies x when mask
 * is NULL (evaluation).  nn_dropout_backward accumulates dx += dy * mask
 * (or dy when mask is NULL). */
void nn_dropout_mask(real *mask, /* (n) */
		     real p, int n, struct tn_rng *rng);
void nn_dropout_forward(real *y,          /* (n) */
			const real *x,    /* (n) */
			const real *mask, /* (n) or NULL */
			int n);
void nn_dropout_backward(real *dx,         /* (n) */
			 const real *dy,   /* (n) */
			 const real *mask, /* (n) or NULL */
			 int n);

#endif
