/* nn_act.h - elementwise activations and dropout.
 *
 * Dimensions:
 *   n  elements (any shape, flattened)
 *
 * Forward functions may run in place (y == x).  Backward functions
 * accumulate (+=) into dx and must not alias dy.  The piecewise
 * activations (ReLU, LeakyReLU, ELU) take the forward's input x; tanh and
 * sigmoid take its output y, from which their derivative is cheapest, and
 * so does nn_elu_backward_y, the ELU's cheap form. */
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
/* The same from the forward's output y, for alpha > 0: dy/dx is 1 where
 * y > 0 (exactly where x > 0) and alpha exp(x) = y + alpha elsewhere, so
 * no exp is evaluated again.  Training uses this form; the x form stays
 * for callers that keep only the input. */
void nn_elu_backward_y(real *dx,       /* (n) */
		       const real *dy, /* (n) */
		       const real *y,  /* (n) forward output */
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
 * all zeros), one 64-bit number per element: element k is kept when the
 * k-th tn_rng_uniform() >= p.  nn_dropout_forward applies a mask, or copies
 * x when mask is NULL (evaluation).  nn_dropout_backward accumulates
 * dx += dy * mask (or dy when mask is NULL). */
void nn_dropout_mask(real *mask, /* (n) */
		     real p, int n, struct tn_rng *rng);
/* The same distribution from a quarter of the draws: each 64-bit number
 * gives four elements 16 bits each, most significant first (a last group
 * of fewer than four uses the top chunks and drops the rest).  Element k
 * is kept when V >= ceil(p 2^53), V the 53-bit integer whose top 16 bits
 * are its chunk and whose low 37 bits are the top 37 of a further draw;
 * that draw is made, in stream order, only when the chunk equals the top
 * 16 bits of the threshold (probability 2^-16), since otherwise the chunk
 * alone decides.  So p is not quantised: the keep probability is
 * 1 - ceil(p 2^53) / 2^53, exactly nn_dropout_mask's, but the mask differs
 * from nn_dropout_mask's for the same stream.  p <= 0 gives all ones and
 * p >= 1 or NaN all zeros, drawing nothing. */
void nn_dropout_mask16(real *mask, /* (n) */
		       real p, int n, struct tn_rng *rng);
void nn_dropout_forward(real *y,          /* (n) */
			const real *x,    /* (n) */
			const real *mask, /* (n) or NULL */
			int n);
void nn_dropout_backward(real *dx,         /* (n) */
			 const real *dy,   /* (n) */
			 const real *mask, /* (n) or NULL */
			 int n);

/* Training's activation and dropout fused, one pass where the calls above
 * make three or four:
 *
 *   forward:  a = act(x), mask drawn as nn_dropout_mask16 draws it,
 *             y = a * mask
 *   backward: dx = dy * mask * act'(a), mask NULL for none
 *
 * The numbers, the masks and the stream left in rng are exactly those of
 * the unfused calls (act forward, nn_dropout_mask16, nn_dropout_forward;
 * act backward from a into a cleared dx after nn_dropout_forward of dy),
 * so a seed trains the same model either way.  The backward WRITES dx,
 * the one kernel that does not accumulate: its caller's dx is scratch
 * that would otherwise need clearing first.  No arrays alias, but x may
 * be a and dx may be dy.  ReLU's backward takes its output a, not x:
 * a > 0 exactly where x > 0. */
void nn_elu_dropout_forward(real *y,       /* (n) dropout(a) */
			    real *a,       /* (n) elu(x) */
			    real *mask,    /* (n) */
			    const real *x, /* (n) */
			    real alpha, real p, int n, struct tn_rng *rng);
void nn_relu_dropout_forward(real *y,       /* (n) dropout(a) */
			     real *a,       /* (n) relu(x) */
			     real *mask,    /* (n) */
			     const real *x, /* (n) */
			     real p, int n, struct tn_rng *rng);
void nn_elu_dropout_backward_y(real *dx,         /* (n) written */
			       const real *dy,   /* (n) */
			       const real *mask, /* (n) or NULL */
			       const real *a,    /* (n) elu(x) */
			       real alpha, int n);
void nn_relu_dropout_backward(real *dx,         /* (n) written */
			      const real *dy,   /* (n) */
			      const real *mask, /* (n) or NULL */
			      const real *a,    /* (n) relu(x) */
			      int n);

/* The widest instruction set the float kernels may use on x86-64: each
 * takes the best path the CPU has within this cap (default
 * NN_ISA_AVX512, i.e. none).  Results are the same on every path but for
 * the ELU's vector exp; tests lower the cap to run, on one machine, the
 * paths other CPUs take.  A no-op in the double build. */
enum nn_isa { NN_ISA_PLAIN, NN_ISA_AVX2, NN_ISA_AVX512 };
void nn_act_isa_cap(enum nn_isa cap);

#endif
