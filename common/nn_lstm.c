/* nn_lstm.c - see nn_lstm.h.
 *
 * Dimensions: B batch, T timesteps, I first layer's inputs, H hidden,
 * L layers, I_l layer l's inputs (I, then H).  Every sequence tensor is
 * batch-first, so the rows of timestep t are a (B, .) slice with row
 * stride T * width, which tn_gemm takes as its leading dimension. */
#include "nn_lstm.h"

/* The gate loops are most of a step outside the GEMMs.  GCC's -O2 cost
 * model does not vectorise loops of run-time length, and -ftrapping-math
 * stops it if-converting the clamps in exp_poly on plain x86-64; neither
 * matters for these loops.  Clang vectorises them at -O2 as they are. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math", "vect-cost-model=dynamic")
#endif

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gemm.h"
#include "nn_act.h"

#ifdef TN_REAL_DOUBLE
static inline real act_sigmoid(real x) { return nn_sigmoid(x); }
static inline real act_tanh(real x) { return tanh(x); }
#else
/* expf, Cephes's polynomial (about 1 ulp on the clamped range), written
 * without calls or branches so the gate loops vectorise.  A NaN takes part
 * as 0 (converting NaN to int is undefined) and comes back out as NaN, so
 * a diverging network still shows the training guard its NaN. */
static inline float exp_poly(float x)
{
	int is_nan = x != x;
	float xs = is_nan ? 0.0f : x, kf, r, p, two_n;
	uint32_t bits;
	int n;

	xs = xs > 88.0f ? 88.0f : xs;
	xs = xs < -87.0f ? -87.0f : xs;
	/* round x log2(e) to nearest with 1.5 * 2^23, not floor: no branch */
	kf = xs * 1.44269504088896341f + 12582912.0f;
	kf -= 12582912.0f;
	n = (int)kf; /* in [-126, 127] after the clamps */
	r = xs - kf * 0.693359375f + kf * 2.12194440e-4f;
	p = 1.9875691500e-4f;
	p = p * r + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	p = p * r * r + r + 1.0f;
	bits = (uint32_t)(n + 127) << 23;
	memcpy(&two_n, &bits, sizeof bits);
	return is_nan ? x : p * two_n;
}
static inline float act_sigmoid(float x) { return 1.0f / (1.0f + exp_poly(-x)); }
/* tanh x = 1 - 2 / (e^{2x} + 1): absolute error ~1e-7 */
static inline float act_tanh(float x) { return 1.0f - 2.0f / (exp_poly(2.0f * x) + 1.0f); }
#endif

size_t nn_lstm_cache_size(int B, int T, int I, int H, int L)
{
	size_t bth = (size_t)B * T * H, bh = (size_t)B * H;
	/* gates (4 BTH); c, tanh_c, h_prev, h (BTH each); c0 (BH) */
	size_t per_layer = 4 * bth + 4 * bth + bh;
	/* mask, x_in below every layer but the top */
	size_t between = 2 * bth;

	assert(L >= 1 && L <= NN_LSTM_MAX_LAYERS);
	return L * per_layer + (L - 1) * between +
	       4 * bth + bth + 2 * bh; /* dgates, dh_seq, dh, dc */
}

void nn_lstm_cache_init(struct nn_lstm_cache *cache, real *buf, int B, int T,
			int I, int H, int L)
{
	size_t bth = (size_t)B * T * H, bh = (size_t)B * H;
	int l;

	assert(L >= 1 && L <= NN_LSTM_MAX_LAYERS);
	memset(cache, 0, sizeof *cache);
	cache->B = B;
	cache->T = T;
	cache->I = I;
	cache->H = H;
	cache->L = L;
	for (l = 0; l < L; l++) {
		struct nn_lstm_layer_cache *lc = &cache->layer[l];

		lc->gates = buf, buf += 4 * bth;
		lc->c = buf, buf += bth;
		lc->tanh_c = buf, buf += bth;
		lc->h_prev = buf, buf += bth;
		lc->h = buf, buf += bth;
		lc->c0 = buf, buf += bh;
		if (l < L - 1) {
			lc->mask = buf, buf += bth;
			lc->x_in = buf, buf += bth;
		}
	}
	cache->dgates = buf, buf += 4 * bth;
	cache->dh_seq = buf, buf += bth;
	cache->dh = buf, buf += bh;
	cache->dc = buf;
}

void nn_lstm_draw_masks(struct nn_lstm_cache *cache, real p,
			struct tn_rng *rng)
{
	int n = cache->B * cache->T * cache->H, l;

	for (l = 0; l < cache->L - 1; l++)
		nn_dropout_mask(cache->layer[l].mask, p, n, rng);
}

/* One row of one step: activates the gates in place (i, f, o sigmoid, g
 * tanh, over the 4H row), then c = f c_prev + i g, h = o tanh(c).  restrict
 * lets the compiler vectorise without alias checks. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void cell_forward(real *restrict c, real *restrict tc, real *restrict h,
			 real *restrict gates, const real *restrict cp, int H)
{
	real *gi = gates, *gf = gates + H, *gg = gates + 2 * H, *go = gates + 3 * H;
	int j;

	for (j = 0; j < 2 * H; j++)
		gates[j] = act_sigmoid(gates[j]);
	for (j = 0; j < H; j++)
		gg[j] = act_tanh(gg[j]);
	for (j = 0; j < H; j++)
		go[j] = act_sigmoid(go[j]);
	for (j = 0; j < H; j++) {
		c[j] = gf[j] * cp[j] + gi[j] * gg[j];
		tc[j] = act_tanh(c[j]);
		h[j] = go[j] * tc[j];
	}
}

/* One layer over the whole sequence.  xin (B, T, In) is its input, h0 and
 * c0 (B, H) its initial state or NULL. */
static void layer_forward(struct nn_lstm_layer_cache *lc, const real *xin,
			  const real *h0, const real *c0,
			  const struct nn_lstm_layer *w, int B, int T, int In,
			  int H)
{
	int G = 4 * H, b, t, j;

	/* gates (B*T, 4H) = b_ih + b_hh + x (B*T, In) W_ih^T, one GEMM for
	 * every timestep */
	for (j = 0; j < G; j++)
		lc->gates[j] = (w->b_ih ? w->b_ih[j] : 0) + (w->b_hh ? w->b_hh[j] : 0);
	for (b = 1; b < B * T; b++)
		memcpy(lc->gates + (size_t)b * G, lc->gates, G * sizeof *lc->gates);
	tn_gemm(0, 1, B * T, G, In, 1, xin, In, w->w_ih, In, 1, lc->gates, G);

	for (b = 0; b < B; b++)
		for (j = 0; j < H; j++) {
			lc->h_prev[(size_t)b * T * H + j] = h0 ? h0[b * H + j] : 0;
			lc->c0[b * H + j] = c0 ? c0[b * H + j] : 0;
		}

	for (t = 0; t < T; t++) {
		/* gates[:, t] (B, 4H) += h_{t-1} (B, H) W_hh^T (H, 4H), h_{t-1}
		 * read where the previous step wrote it (row stride T H); a
		 * zero h0 adds nothing */
		if (t)
			tn_gemm(0, 1, B, G, H, 1, lc->h + (size_t)(t - 1) * H,
				T * H, w->w_hh, H, 1, lc->gates + (size_t)t * G,
				T * G);
		else if (h0)
			tn_gemm(0, 1, B, G, H, 1, lc->h_prev, T * H, w->w_hh,
				H, 1, lc->gates, T * G);
		for (b = 0; b < B; b++) {
			size_t bt = (size_t)b * T + t;
			real *gi = lc->gates + bt * G;
			const real *cp = t ? lc->c + (bt - 1) * H : lc->c0 + (size_t)b * H;
			real *c = lc->c + bt * H, *tc = lc->tanh_c + bt * H,
			     *h = lc->h + bt * H;

			cell_forward(c, tc, h, gi, cp, H);
		}
	}
	/* h_prev for the backward's dW_hh: each sequence's h shifted one
	 * step, one copy per sequence */
	for (b = 0; b < B; b++)
		memcpy(lc->h_prev + ((size_t)b * T + 1) * H,
		       lc->h + (size_t)b * T * H, (size_t)(T - 1) * H * sizeof *lc->h);
}

void nn_lstm_forward(real *out, real *h_n, real *c_n,
		     struct nn_lstm_cache *cache, const real *x,
		     const real *h0, const real *c0,
		     const struct nn_lstm_layer *w, int train, int B, int T,
		     int I, int H, int L)
{
	size_t bh = (size_t)B * H, bth = (size_t)B * T * H;
	const real *xin = x;
	int l, b;

	assert(cache->B == B && cache->T == T && cache->I == I &&
	       cache->H == H && cache->L == L);
	cache->dropout = train;
	for (l = 0; l < L; l++) {
		struct nn_lstm_layer_cache *lc = &cache->layer[l];

		layer_forward(lc, xin, h0 ? h0 + l * bh : NULL,
			      c0 ? c0 + l * bh : NULL, &w[l], B, T,
			      l ? H : I, H);
		for (b = 0; b < B; b++) {
			size_t last = ((size_t)b * T + T - 1) * H;

			if (h_n)
				memcpy(h_n + l * bh + (size_t)b * H, lc->h + last,
				       H * sizeof *h_n);
			if (c_n)
				memcpy(c_n + l * bh + (size_t)b * H, lc->c + last,
				       H * sizeof *c_n);
		}
		if (l < L - 1 && train) {
			nn_dropout_forward(lc->x_in, lc->h, lc->mask, (int)bth);
			xin = lc->x_in;
		} else if (l < L - 1) {
			/* no dropout: the next layer reads h itself, and x_in
			 * is left unwritten (the backward reads h too) */
			xin = lc->h;
		}
	}
	memcpy(out, cache->layer[L - 1].h, bth * sizeof *out);
}

/* One row of one step backwards: dgates (4H) from dh, dc (H, updated to
 * the gradient w.r.t. c_{t-1}), dseq (H, or NULL), gates (4H activated),
 * c_{t-1} and tanh(c_t) (H). */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void cell_backward(real *restrict dgates, real *restrict dh,
			  real *restrict dc, const real *restrict dseq,
			  const real *restrict gates, const real *restrict cp,
			  const real *restrict tc, int H)
{
	const real *gi = gates, *gf = gates + H, *gg = gates + 2 * H,
		   *go = gates + 3 * H;
	real *di = dgates, *df = dgates + H, *dg = dgates + 2 * H,
	     *dgo = dgates + 3 * H;
	int j;

	if (dseq)
		for (j = 0; j < H; j++)
			dh[j] += dseq[j];
	for (j = 0; j < H; j++) {
		real dcj = dc[j] + dh[j] * go[j] * (1 - tc[j] * tc[j]);

		di[j] = dcj * gg[j] * gi[j] * (1 - gi[j]);
		df[j] = dcj * cp[j] * gf[j] * (1 - gf[j]);
		dg[j] = dcj * gi[j] * (1 - gg[j] * gg[j]);
		dgo[j] = dh[j] * tc[j] * go[j] * (1 - go[j]);
		dc[j] = dcj * gf[j];
	}
}

/* sums (n) += the sums over the rows of rows (m, n). */
static void add_column_sums(real *restrict sums, const real *restrict rows,
			    int m, int n)
{
	int i, j;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			sums[j] += rows[(size_t)i * n + j];
}

/* add_column_sums into two vectors at once (the two biases' gradients),
 * reading rows once; each sum in the same order as add_column_sums. */
static void add_column_sums2(real *restrict s1, real *restrict s2,
			     const real *restrict rows, int m, int n)
{
	int i, j;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			real r = rows[(size_t)i * n + j];

			s1[j] += r;
			s2[j] += r;
		}
}

/* Backpropagation through one layer.  cache->dh_seq (B, T, H) holds
 * dL/dh of this layer's outputs (ignored when has_dseq is 0); dh_n, dc_n
 * (B, H) or NULL the gradients w.r.t. its final state.  Leaves
 * dL/d(pre-activation gates) in cache->dgates and the gradients w.r.t.
 * h0, c0 in cache->dh, cache->dc, and accumulates into dw. */
static void layer_backward(struct nn_lstm_cache *cache,
			   const struct nn_lstm_layer_cache *lc,
			   const struct nn_lstm_layer *dw, int has_dseq,
			   const real *dh_n, const real *dc_n,
			   const real *xin, const struct nn_lstm_layer *w,
			   int B, int T, int In, int H)
{
	int G = 4 * H, b, t, j;
	real *dgates = cache->dgates, *dh = cache->dh, *dc = cache->dc;

	for (j = 0; j < B * H; j++) {
		dh[j] = dh_n ? dh_n[j] : 0;
		dc[j] = dc_n ? dc_n[j] : 0;
	}
	for (t = T - 1; t >= 0; t--) {
		for (b = 0; b < B; b++) {
			size_t bt = (size_t)b * T + t;
			const real *gi = lc->gates + bt * G;
			const real *cp = t ? lc->c + (bt - 1) * H : lc->c0 + (size_t)b * H;
			const real *tc = lc->tanh_c + bt * H;
			const real *dseq = cache->dh_seq + bt * H;
			real *di = dgates + bt * G;
			real *dhb = dh + (size_t)b * H, *dcb = dc + (size_t)b * H;

			cell_backward(di, dhb, dcb, has_dseq ? dseq : NULL, gi, cp, tc, H);
		}
		/* dh_{t-1} (B, H) = dgates[:, t] (B, 4H) W_hh (4H, H) */
		tn_gemm(0, 0, B, H, G, 1, dgates + (size_t)t * G, T * G, w->w_hh,
			H, 0, dh, H);
	}

	/* weight gradients: one GEMM each over all B*T rows */
	if (dw->w_ih) /* dW_ih (4H, In) += dgates^T (4H, B*T) x (B*T, In) */
		tn_gemm(1, 0, G, In, B * T, 1, dgates, G, xin, In, 1, dw->w_ih,
			In);
	if (dw->w_hh) /* dW_hh (4H, H) += dgates^T (4H, B*T) h_prev (B*T, H) */
		tn_gemm(1, 0, G, H, B * T, 1, dgates, G, lc->h_prev, H, 1,
			dw->w_hh, H);
	/* db (4H) += column sums of dgates (B*T, 4H), one pass for both */
	if (dw->b_ih && dw->b_hh)
		add_column_sums2(dw->b_ih, dw->b_hh, dgates, B * T, G);
	else if (dw->b_ih)
		add_column_sums(dw->b_ih, dgates, B * T, G);
	else if (dw->b_hh)
		add_column_sums(dw->b_hh, dgates, B * T, G);
}

void nn_lstm_backward(real *dx, real *dh0, real *dc0,
		      const struct nn_lstm_layer *dw, const real *dout,
		      const real *dh_n, const real *dc_n,
		      struct nn_lstm_cache *cache, const real *x,
		      const struct nn_lstm_layer *w, int B, int T, int I, int H,
		      int L)
{
	size_t bh = (size_t)B * H, bth = (size_t)B * T * H;
	int l, has_dseq = dout != NULL;
	size_t k;

	assert(cache->B == B && cache->T == T && cache->I == I &&
	       cache->H == H && cache->L == L);
	if (dout)
		memcpy(cache->dh_seq, dout, bth * sizeof *dout);
	for (l = L - 1; l >= 0; l--) {
		const struct nn_lstm_layer_cache *lc = &cache->layer[l];
		/* the layer's input: x, or the layer below's h after dropout
		 * (x_in), or h itself when the forward had no dropout */
		const real *xin = !l ? x : cache->dropout ?
				  cache->layer[l - 1].x_in : cache->layer[l - 1].h;
		int In = l ? H : I;

		layer_backward(cache, lc, &dw[l], has_dseq,
			       dh_n ? dh_n + l * bh : NULL,
			       dc_n ? dc_n + l * bh : NULL, xin, &w[l], B, T,
			       In, H);
		if (dh0)
			for (k = 0; k < bh; k++)
				dh0[l * bh + k] += cache->dh[k];
		if (dc0)
			for (k = 0; k < bh; k++)
				dc0[l * bh + k] += cache->dc[k];
		if (l > 0) {
			/* dL/dh of the layer below: dgates W_ih, then back
			 * through its dropout */
			tn_gemm(0, 0, B * T, H, 4 * H, 1, cache->dgates, 4 * H,
				w[l].w_ih, H, 0, cache->dh_seq, H);
			if (cache->dropout)
				for (k = 0; k < bth; k++)
					cache->dh_seq[k] *= cache->layer[l - 1].mask[k];
			has_dseq = 1;
		} else if (dx) {
			/* dx (B*T, I) += dgates (B*T, 4H) W_ih (4H, I) */
			tn_gemm(0, 0, B * T, I, 4 * H, 1, cache->dgates, 4 * H,
				w[0].w_ih, I, 1, dx, I);
		}
	}
}
