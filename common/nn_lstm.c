/* nn_lstm.c - see nn_lstm.h.
 *
 * Dimensions: B batch, T timesteps, I first layer's inputs, H hidden,
 * L layers, I_l layer l's inputs (I, then H), G = 4H gate rows.  The
 * caller's x, out and dout are batch-first, as PyTorch's; everything in
 * the cache is time-major, so timestep t of a sequence tensor is the
 * contiguous (B, .) block at t * B * width.  x and dout are transposed in
 * on entry and out out on exit, O(BT(I + H)) against the O(BTGH) GEMMs.
 *
 * A train step's time outside the GEMMs is the gate loops: each timestep's
 * activations, cell update and their backward are one pass over the
 * timestep's rows (cell_forward, cell_backward); the biases join in the
 * forward's pass, and their gradient is summed a timestep at a time while
 * its rows are still in cache. */
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
	/* gates (4 BTH); tanh_c (BTH); c, h (BTH + BH each); W_hh^T (4 H^2) */
	size_t per_layer = 4 * bth + bth + 2 * (bth + bh) + 4 * (size_t)H * H;
	/* mask, x_in below every layer but the top */
	size_t between = 2 * bth;

	assert(L >= 1 && L <= NN_LSTM_MAX_LAYERS);
	return L * per_layer + (L - 1) * between +
	       (size_t)B * T * I +               /* x */
	       4 * (size_t)H +                   /* bias */
	       4 * bth + bth + 2 * bh +          /* dgates, dh_seq, dh, dc */
	       4 * (size_t)H;                    /* dbias */
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
		lc->c = buf, buf += bth + bh;
		lc->tanh_c = buf, buf += bth;
		lc->h = buf, buf += bth + bh;
		lc->w_hh_t = buf, buf += 4 * (size_t)H * H;
		if (l < L - 1) {
			lc->mask = buf, buf += bth;
			lc->x_in = buf, buf += bth;
		}
	}
	cache->x = buf, buf += (size_t)B * T * I;
	cache->bias = buf, buf += 4 * (size_t)H;
	cache->dgates = buf, buf += 4 * bth;
	cache->dh_seq = buf, buf += bth;
	cache->dh = buf, buf += bh;
	cache->dc = buf, buf += bh;
	cache->dbias = buf;
}

void nn_lstm_draw_masks(struct nn_lstm_cache *cache, real p,
			struct tn_rng *rng)
{
	int n = cache->B * cache->T * cache->H, l;

	for (l = 0; l < cache->L - 1; l++)
		nn_dropout_mask(cache->layer[l].mask, p, n, rng);
}

/* dst (T, B, W) = src (B, T, W) with its first two axes swapped. */
static void batch_to_time(real *restrict dst, const real *restrict src, int B,
			  int T, int W)
{
	int b, t;

	for (t = 0; t < T; t++)
		for (b = 0; b < B; b++)
			memcpy(dst + ((size_t)t * B + b) * W,
			       src + ((size_t)b * T + t) * W, W * sizeof *dst);
}

/* One timestep of one layer, all B rows, one pass: gates (B, 4H) holds
 * the GEMMs' x W_ih^T + h_{t-1} W_hh^T and leaves activated (i, f, o
 * sigmoid, g tanh, after adding bias (4H) = b_ih + b_hh); then
 * c = f c_prev + i g, tanh_c = tanh(c), h = o tanh(c), each (B, H).
 * restrict lets the compiler vectorise without alias checks. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void cell_forward(real *restrict c, real *restrict tc, real *restrict h,
			 real *restrict gates, const real *restrict cp,
			 const real *restrict bias, int B, int H)
{
	const real *bi = bias, *bf = bias + H, *bg = bias + 2 * H,
		   *bo = bias + 3 * H;
	int b, j;

	for (b = 0; b < B; b++) {
		real *gi = gates + (size_t)b * 4 * H, *gf = gi + H,
		     *gg = gi + 2 * H, *go = gi + 3 * H;
		real *cb = c + (size_t)b * H, *tcb = tc + (size_t)b * H,
		     *hb = h + (size_t)b * H;
		const real *cpb = cp + (size_t)b * H;

		for (j = 0; j < H; j++) {
			real i = act_sigmoid(gi[j] + bi[j]);
			real f = act_sigmoid(gf[j] + bf[j]);
			real g = act_tanh(gg[j] + bg[j]);
			real o = act_sigmoid(go[j] + bo[j]);
			real cj = f * cpb[j] + i * g, tcj = act_tanh(cj);

			gi[j] = i;
			gf[j] = f;
			gg[j] = g;
			go[j] = o;
			cb[j] = cj;
			tcb[j] = tcj;
			hb[j] = o * tcj;
		}
	}
}

/* The per-timestep products, (B, H) by (H, 4H) forward and (B, 4H) by
 * (4H, H) backward, are too small for OpenBLAS's packing of both operands
 * to pay: copying W_hh into its panel layout, 240 times a train step of
 * the original model, cost about as much as the arithmetic.  OpenBLAS
 * (0.3.17 on, AVX-512 kernels) runs products of at most 100^3
 * multiply-adds through small-matrix kernels that read the operands where
 * they lie, so each product goes to tn_gemm in column blocks under that
 * size: 26 against 39 us forward, 28 against 45 us backward (B = 32,
 * H = 128, one core).  Where OpenBLAS has no such kernels the blocks are
 * packed as before, W_hh once in all, the small operand once a block. */
#define NN_LSTM_SMALL_GEMM 1000000.0

/* The widest power-of-two block of the N columns of an (M, K) by (K, N)
 * product that stays within NN_LSTM_SMALL_GEMM, or N when the whole
 * product does or no block of 16 columns would. */
static int small_gemm_columns(int M, int N, int K)
{
	double mk = (double)M * K;
	int n = 16;

	if ((double)N * mk <= NN_LSTM_SMALL_GEMM || 16 * mk > NN_LSTM_SMALL_GEMM)
		return N;
	while (2.0 * n * mk <= NN_LSTM_SMALL_GEMM)
		n *= 2;
	return n;
}

/* wt (cols, rows) = w (rows, cols)^T, in 16 x 16 tiles so that neither
 * side strides through memory a float at a time.  The forward's
 * h_{t-1} W_hh^T then runs as a plain product, which the small-matrix
 * kernels do faster than the transposed one. */
#define TRANSPOSE_TILE 16
static void transpose(real *restrict wt, const real *restrict w, int rows,
		      int cols)
{
	int r0, k0, r, k;

	for (r0 = 0; r0 < rows; r0 += TRANSPOSE_TILE)
		for (k0 = 0; k0 < cols; k0 += TRANSPOSE_TILE) {
			int r1 = r0 + TRANSPOSE_TILE < rows ? r0 + TRANSPOSE_TILE : rows;
			int k1 = k0 + TRANSPOSE_TILE < cols ? k0 + TRANSPOSE_TILE : cols;

			for (r = r0; r < r1; r++)
				for (k = k0; k < k1; k++)
					wt[(size_t)k * rows + r] = w[(size_t)r * cols + k];
		}
}

/* One layer over the whole sequence.  xin (T, B, In) is its input,
 * time-major; h0 and c0 (B, H) its initial state or NULL. */
static void layer_forward(struct nn_lstm_layer_cache *lc, real *bias,
			  const real *xin, const real *h0, const real *c0,
			  const struct nn_lstm_layer *w, int B, int T, int In,
			  int H)
{
	size_t bh = (size_t)B * H, bg = (size_t)B * 4 * H;
	int G = 4 * H, nb = small_gemm_columns(B, G, H), j, t, n0;

	for (j = 0; j < G; j++)
		bias[j] = (w->b_ih ? w->b_ih[j] : 0) + (w->b_hh ? w->b_hh[j] : 0);
	/* gates (T*B, 4H) = x (T*B, In) W_ih^T, one GEMM for every
	 * timestep; the biases join in cell_forward */
	tn_gemm(0, 1, T * B, G, In, 1, xin, In, w->w_ih, In, 0, lc->gates, G);
	transpose(lc->w_hh_t, w->w_hh, G, H);
	if (h0)
		memcpy(lc->h, h0, bh * sizeof *lc->h);
	else
		memset(lc->h, 0, bh * sizeof *lc->h);
	if (c0)
		memcpy(lc->c, c0, bh * sizeof *lc->c);
	else
		memset(lc->c, 0, bh * sizeof *lc->c);

	for (t = 0; t < T; t++) {
		real *gates = lc->gates + t * bg;

		/* gates[t] (B, 4H) += h_{t-1} (B, H) W_hh^T (H, 4H), in
		 * blocks of nb gate columns; a zero h0 adds nothing */
		for (n0 = 0; n0 < G && (t || h0); n0 += nb)
			tn_gemm(0, 0, B, G - n0 < nb ? G - n0 : nb, H, 1,
				lc->h + t * bh, H, lc->w_hh_t + n0, G, 1,
				gates + n0, G);
		cell_forward(lc->c + (t + 1) * bh, lc->tanh_c + t * bh,
			     lc->h + (t + 1) * bh, gates, lc->c + t * bh, bias,
			     B, H);
	}
}

/* x_in[t, b] (H) = h[t, b] * mask[b, t]: h (T, B, H) time-major, the mask
 * (B, T, H) batch-first as drawn.  x_in may be h (the backward's dh). */
static void apply_mask(real *x_in, const real *h, const real *restrict mask,
		       int B, int T, int H)
{
	int b, t, j;

	for (t = 0; t < T; t++)
		for (b = 0; b < B; b++) {
			real *xr = x_in + ((size_t)t * B + b) * H;
			const real *hr = h + ((size_t)t * B + b) * H;
			const real *mr = mask + ((size_t)b * T + t) * H;

			for (j = 0; j < H; j++)
				xr[j] = hr[j] * mr[j];
		}
}

void nn_lstm_forward(real *out, real *h_n, real *c_n,
		     struct nn_lstm_cache *cache, const real *x,
		     const real *h0, const real *c0,
		     const struct nn_lstm_layer *w, int train, int B, int T,
		     int I, int H, int L)
{
	size_t bh = (size_t)B * H;
	const struct nn_lstm_layer_cache *top = &cache->layer[L - 1];
	const real *xin = cache->x;
	int l, b, t;

	assert(cache->B == B && cache->T == T && cache->I == I &&
	       cache->H == H && cache->L == L);
	cache->dropout = train;
	batch_to_time(cache->x, x, B, T, I);
	for (l = 0; l < L; l++) {
		struct nn_lstm_layer_cache *lc = &cache->layer[l];

		layer_forward(lc, cache->bias, xin, h0 ? h0 + l * bh : NULL,
			      c0 ? c0 + l * bh : NULL, &w[l], B, T,
			      l ? H : I, H);
		/* the final state is the last timestep's block */
		if (h_n)
			memcpy(h_n + l * bh, lc->h + T * bh, bh * sizeof *h_n);
		if (c_n)
			memcpy(c_n + l * bh, lc->c + T * bh, bh * sizeof *c_n);
		if (l < L - 1 && train) {
			apply_mask(lc->x_in, lc->h + bh, lc->mask, B, T, H);
			xin = lc->x_in;
		} else if (l < L - 1) {
			/* no dropout: the next layer reads h itself, and x_in
			 * is left unwritten (the backward reads h too) */
			xin = lc->h + bh;
		}
	}
	if (out)
		for (b = 0; b < B; b++)
			for (t = 0; t < T; t++)
				memcpy(out + ((size_t)b * T + t) * H,
				       top->h + (t + 1) * bh + (size_t)b * H,
				       H * sizeof *out);
}

/* One timestep backwards, all B rows, one pass: from dh (B, H), the
 * gradient w.r.t. h_t carried from t + 1, plus dseq (B, H), the gradient
 * of this layer's output at t, and dc (B, H), updated in place to the
 * gradient w.r.t. c_{t-1}, computes dgates (B, 4H) w.r.t. the
 * pre-activation gates.  gates (B, 4H) activated, cp c_{t-1} and tc
 * tanh(c_t) (B, H). */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void cell_backward(real *restrict dgates, const real *restrict dh,
			  real *restrict dc, const real *restrict dseq,
			  const real *restrict gates, const real *restrict cp,
			  const real *restrict tc, int B, int H)
{
	int b, j;

	for (b = 0; b < B; b++) {
		const real *gi = gates + (size_t)b * 4 * H, *gf = gi + H,
			   *gg = gi + 2 * H, *go = gi + 3 * H;
		real *di = dgates + (size_t)b * 4 * H, *df = di + H,
		     *dg = di + 2 * H, *dgo = di + 3 * H;
		const real *dhb = dh + (size_t)b * H, *dsb = dseq + (size_t)b * H,
			   *cpb = cp + (size_t)b * H, *tcb = tc + (size_t)b * H;
		real *dcb = dc + (size_t)b * H;

		for (j = 0; j < H; j++) {
			real dhj = dhb[j] + dsb[j], tcj = tcb[j];
			real dcj = dcb[j] + dhj * go[j] * (1 - tcj * tcj);

			di[j] = dcj * gg[j] * gi[j] * (1 - gi[j]);
			df[j] = dcj * cpb[j] * gf[j] * (1 - gf[j]);
			dg[j] = dcj * gi[j] * (1 - gg[j] * gg[j]);
			dgo[j] = dhj * tcj * go[j] * (1 - go[j]);
			dcb[j] = dcj * gf[j];
		}
	}
}

/* sums (n) += the sums over the rows of rows (m, n): one timestep's
 * dgates, still in cache from cell_backward. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void add_column_sums(real *restrict sums, const real *restrict rows,
			    int m, int n)
{
	int i, j;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			sums[j] += rows[(size_t)i * n + j];
}

/* Backpropagation through one layer.  cache->dh_seq (T, B, H) holds
 * dL/dh of this layer's outputs; dh_n, dc_n
 * (B, H) or NULL the gradients w.r.t. its final state.  Leaves
 * dL/d(pre-activation gates) in cache->dgates and, when want_dh0, the
 * gradients w.r.t. h0, c0 in cache->dh, cache->dc; accumulates into dw.
 * xin (T, B, In) is the layer's input, time-major. */
static void layer_backward(struct nn_lstm_cache *cache,
			   const struct nn_lstm_layer_cache *lc,
			   const struct nn_lstm_layer *dw,
			   const real *dh_n, const real *dc_n,
			   const real *xin, const struct nn_lstm_layer *w,
			   int want_dh0, int B, int T, int In, int H)
{
	size_t bh = (size_t)B * H, bg = (size_t)B * 4 * H;
	int G = 4 * H, nb = small_gemm_columns(B, H, G), t, j, n0;
	real *dgates = cache->dgates, *dh = cache->dh, *dc = cache->dc;

	if (dh_n)
		memcpy(dh, dh_n, bh * sizeof *dh);
	else
		memset(dh, 0, bh * sizeof *dh);
	if (dc_n)
		memcpy(dc, dc_n, bh * sizeof *dc);
	else
		memset(dc, 0, bh * sizeof *dc);
	memset(cache->dbias, 0, G * sizeof *cache->dbias);
	for (t = T - 1; t >= 0; t--) {
		cell_backward(dgates + t * bg, dh, dc, cache->dh_seq + t * bh,
			      lc->gates + t * bg, lc->c + t * bh,
			      lc->tanh_c + t * bh, B, H);
		add_column_sums(cache->dbias, dgates + t * bg, B, G);
		/* dh_{t-1} (B, H) = dgates[t] (B, 4H) W_hh (4H, H), in
		 * blocks of nb columns; at t = 0 that is dL/dh0, wanted
		 * only by the caller */
		for (n0 = 0; n0 < H && (t || want_dh0); n0 += nb)
			tn_gemm(0, 0, B, H - n0 < nb ? H - n0 : nb, G, 1,
				dgates + t * bg, G, w->w_hh + n0, H, 0, dh + n0,
				H);
	}

	/* weight gradients: one GEMM each over all T*B rows */
	if (dw->w_ih) /* dW_ih (4H, In) += dgates^T (4H, T*B) x (T*B, In) */
		tn_gemm(1, 0, G, In, T * B, 1, dgates, G, xin, In, 1, dw->w_ih,
			In);
	if (dw->w_hh) /* dW_hh (4H, H) += dgates^T (4H, T*B) h_{t-1} (T*B, H) */
		tn_gemm(1, 0, G, H, T * B, 1, dgates, G, lc->h, H, 1,
			dw->w_hh, H);
	/* d b_ih = d b_hh = the column sums of dgates */
	for (j = 0; j < G; j++) {
		if (dw->b_ih)
			dw->b_ih[j] += cache->dbias[j];
		if (dw->b_hh)
			dw->b_hh[j] += cache->dbias[j];
	}
}

void nn_lstm_backward(real *dx, real *dh0, real *dc0,
		      const struct nn_lstm_layer *dw, const real *dout,
		      const real *dh_n, const real *dc_n,
		      struct nn_lstm_cache *cache, const real *x,
		      const struct nn_lstm_layer *w, int B, int T, int I, int H,
		      int L)
{
	size_t bh = (size_t)B * H, bg = (size_t)B * 4 * H;
	int l, t;
	size_t k;

	assert(cache->B == B && cache->T == T && cache->I == I &&
	       cache->H == H && cache->L == L);
	(void)x; /* the forward kept it, time-major, in cache->x */
	/* the top layer's outputs get dout, or nothing: a zero dh_seq keeps
	 * cell_backward to one loop without a test */
	if (dout)
		batch_to_time(cache->dh_seq, dout, B, T, H);
	else
		memset(cache->dh_seq, 0, (size_t)B * T * H * sizeof *cache->dh_seq);
	for (l = L - 1; l >= 0; l--) {
		const struct nn_lstm_layer_cache *lc = &cache->layer[l];
		/* the layer's input: x, or the layer below's h after dropout
		 * (x_in), or h itself when the forward had no dropout */
		const real *xin = !l ? cache->x : cache->dropout ?
				  cache->layer[l - 1].x_in :
				  cache->layer[l - 1].h + bh;
		int In = l ? H : I;

		layer_backward(cache, lc, &dw[l],
			       dh_n ? dh_n + l * bh : NULL,
			       dc_n ? dc_n + l * bh : NULL, xin, &w[l],
			       dh0 != NULL, B, T, In, H);
		if (dh0)
			for (k = 0; k < bh; k++)
				dh0[l * bh + k] += cache->dh[k];
		if (dc0)
			for (k = 0; k < bh; k++)
				dc0[l * bh + k] += cache->dc[k];
		if (l > 0) {
			/* dL/dh of the layer below: dgates W_ih, then back
			 * through its dropout (x_in = h * mask) */
			tn_gemm(0, 0, T * B, H, 4 * H, 1, cache->dgates, 4 * H,
				w[l].w_ih, H, 0, cache->dh_seq, H);
			if (cache->dropout)
				apply_mask(cache->dh_seq, cache->dh_seq,
					   cache->layer[l - 1].mask, B, T, H);
		} else if (dx) {
			/* dx[:, t] (B, I) += dgates[t] (B, 4H) W_ih (4H, I),
			 * written into the caller's batch-first rows */
			for (t = 0; t < T; t++)
				tn_gemm(0, 0, B, I, 4 * H, 1,
					cache->dgates + t * bg, 4 * H,
					w[0].w_ih, I, 1, dx + (size_t)t * I,
					T * I);
		}
	}
}
