/* nn_lstm.h - a multi-layer, batch-first LSTM with PyTorch's nn.LSTM
 * semantics and parameter layout.
 *
 * Dimensions:
 *   B  batch
 *   T  timesteps
 *   I  input features of the first layer
 *   H  hidden size (every layer)
 *   L  layers
 *   I_l  input features of layer l: I for l = 0, H above
 *
 * Parameters of layer l, as nn.LSTM names them (gate order i, f, g, o
 * along the 4H rows):
 *   weight_ih_l{l} (4H, I_l), weight_hh_l{l} (4H, H),
 *   bias_ih_l{l} (4H),        bias_hh_l{l} (4H)
 *
 * One step of one layer, x the layer's input at t, h and c its state:
 *   i  = sigmoid(W_ii x + b_ii + W_hi h + b_hi)
 *   f  = sigmoid(W_if x + b_if + W_hf h + b_hf)
 *   g  = tanh   (W_ig x + b_ig + W_hg h + b_hg)
 *   o  = sigmoid(W_io x + b_io + W_ho h + b_ho)
 *   c' = f * c + i * g
 *   h' = o * tanh(c')
 * Layer l + 1 reads layer l's outputs h, through dropout in training
 * (PyTorch's `dropout` argument: every layer but the last).
 *
 * The input projection of all timesteps of a layer is one GEMM, and so are
 * the weight gradients; only h_{t-1} W_hh^T (and its gradient) runs per
 * timestep. */
#ifndef TN_NN_LSTM_H
#define TN_NN_LSTM_H

#include <stddef.h>

#include "real.h"
#include "rng.h"

/* Deepest stack the cache has room for. */
#define NN_LSTM_MAX_LAYERS 8

/* The four tensors of one layer: its weights, or their gradients.  A bias
 * pointer may be NULL (nn.LSTM(bias=False)); a gradient pointer may be
 * NULL when that parameter is frozen. */
struct nn_lstm_layer {
	real *w_ih; /* (4H, I_l) weight_ih_l{l} */
	real *w_hh; /* (4H, H)   weight_hh_l{l} */
	real *b_ih; /* (4H)      bias_ih_l{l} */
	real *b_hh; /* (4H)      bias_hh_l{l} */
};

/* What the forward keeps for the backward, per layer.  Sequences are
 * time-major here, unlike x and out: the rows of one timestep are one
 * contiguous (B, .) block, which the per-timestep GEMMs and gate loops
 * read and write as they lie (batch-first, they were T widths apart), and
 * h_{t-1} is the block before h_t, so dW_hh's GEMM reads the h slots
 * without a shifted copy. */
struct nn_lstm_layer_cache {
	real *gates;  /* (T, B, 4H)    i, f, g, o after their activations */
	real *c;      /* (T + 1, B, H) c0, then c_t at t + 1: c_{t-1} at t */
	real *tanh_c; /* (T, B, H)     tanh(c_t) */
	real *h;      /* (T + 1, B, H) h0, then the outputs h_t (before dropout)
		       * at t + 1: the first T are h_{t-1} for dW_hh */
	real *w_hh_t; /* (H, 4H)       weight_hh_l{l} transposed for the forward */
	real *mask;   /* (B, T, H)     dropout multipliers on h, batch-first as
		       * PyTorch's; NULL in the top layer */
	real *x_in;   /* (T, B, H)     h * mask, the next layer's input; NULL in
		       * the top layer */
};

/* The forward's record and the backward's scratch, all carved from one
 * caller-allocated buffer of nn_lstm_cache_size() reals.  A batch of
 * another size needs nn_lstm_cache_init again (on a buffer big enough). */
struct nn_lstm_cache {
	int B, T, I, H, L;
	int dropout; /* the last forward applied the masks (training) */
	struct nn_lstm_layer_cache layer[NN_LSTM_MAX_LAYERS];
	real *x;      /* (T, B, I)  the forward's input x, time-major */
	real *bias;   /* (4H)       b_ih + b_hh of the layer being run */
	real *dgates; /* (T, B, 4H) gradient w.r.t. pre-activation gates */
	real *dh_seq; /* (T, B, H)  gradient w.r.t. one layer's outputs h */
	real *dh;     /* (B, H)     gradient carried back through h_{t-1} */
	real *dc;     /* (B, H)     gradient carried back through c_{t-1} */
	real *dbias;  /* (4H)       one layer's bias gradient, summed over B, T */
};

/* Number of reals the cache needs for these shapes; 1 <= L <=
 * NN_LSTM_MAX_LAYERS.  Per layer 7 BTH + 2 BH + 4 H^2 (gates, c, tanh c,
 * h, W_hh^T), 2 BTH between layers (mask, dropped h), BTI for the
 * time-major x, 5 BTH + 2 BH + 8 H of the bias sums and backward
 * scratch. */
size_t nn_lstm_cache_size(int B, int T, int I, int H, int L);

/* Points the cache's fields into buf (nn_lstm_cache_size(...) reals). */
void nn_lstm_cache_init(struct nn_lstm_cache *cache, real *buf, int B, int T,
			int I, int H, int L);

/* Training: draws the inter-layer dropout masks into the cache (keep
 * probability 1 - p, kept values scaled by 1 / (1 - p)), before a forward
 * with train = 1.  A test can write cache->layer[l].mask itself instead. */
void nn_lstm_draw_masks(struct nn_lstm_cache *cache, real p,
			struct tn_rng *rng);

/* Runs the stack over the sequence.  train = 1 applies the cache's
 * dropout masks between layers; train = 0 (evaluation) applies none.
 * h0, c0 NULL mean zero initial state; out, h_n, c_n may be NULL when not
 * wanted (a forecaster that reads only h_T passes out NULL).  w holds L
 * layers.  The cache must have been initialised with the same B, T, I, H,
 * L. */
void nn_lstm_forward(real *out,                     /* (B, T, H) last layer's h, or NULL */
		     real *h_n,                     /* (L, B, H) h_T per layer, or NULL */
		     real *c_n,                     /* (L, B, H) c_T per layer, or NULL */
		     struct nn_lstm_cache *cache,   /* filled */
		     const real *x,                 /* (B, T, I) */
		     const real *h0,                /* (L, B, H) or NULL */
		     const real *c0,                /* (L, B, H) or NULL */
		     const struct nn_lstm_layer *w, /* (L) */
		     int train, int B, int T, int I, int H, int L);

/* Backpropagation through time after nn_lstm_forward, accumulating (+=)
 * into dx, dh0, dc0 and every non-NULL gradient in dw.  dout, dh_n, dc_n
 * are the loss's gradients w.r.t. the forward's out, h_n and c_n; any of
 * them may be NULL (no gradient there).  dx, dh0, dc0 may be NULL when
 * not wanted.  w must be what the forward saw; x is not read (the
 * forward kept a time-major copy in the cache) and stays in the signature
 * for the kernels' fixed argument order.  The cache is the forward's, and
 * its scratch fields are overwritten. */
void nn_lstm_backward(real *dx,                      /* (B, T, I) or NULL */
		      real *dh0,                     /* (L, B, H) or NULL */
		      real *dc0,                     /* (L, B, H) or NULL */
		      const struct nn_lstm_layer *dw, /* (L) gradients */
		      const real *dout,              /* (B, T, H) or NULL */
		      const real *dh_n,              /* (L, B, H) or NULL */
		      const real *dc_n,              /* (L, B, H) or NULL */
		      struct nn_lstm_cache *cache,
		      const real *x,                 /* (B, T, I) */
		      const struct nn_lstm_layer *w, /* (L) */
		      int B, int T, int I, int H, int L);

#endif
