/* nn_act.c - see nn_act.h.
 *
 * Dimensions: n elements. */
#include "nn_act.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* In float, ELU's exp runs 16 or 8 at a time through glibc's libmvec,
 * the vector expf GCC itself calls when it vectorises expf (x86-64
 * vector-function ABI names; libmvec ships with libc6 and is linked with
 * -lmvec).  Scalar expf was a quarter of gnn-train's time.  The dropout
 * masks and training's fused activation-dropout passes use the same
 * instruction sets (nn_act_isa_cap). */
#if !defined(TN_REAL_DOUBLE) && defined(__x86_64__)
#define ACT_VECTOR 1
#include <immintrin.h>
__attribute__((target("avx512f"))) __m512 _ZGVeN16v_expf(__m512 x);
__attribute__((target("avx2"))) __m256 _ZGVdN8v_expf(__m256 x);
#endif

#ifdef TN_REAL_DOUBLE
#define EXP exp
#define FABS fabs
#define TANH tanh
#else
#define EXP expf
#define FABS fabsf
#define TANH tanhf
#endif

void nn_relu_forward(real *y, const real *x, int n)
{
	int k;

	for (k = 0; k < n; k++)
		y[k] = x[k] > 0 ? x[k] : 0;
}

void nn_relu_backward(real *dx, const real *dy, const real *x, int n)
{
	int k;

	for (k = 0; k < n; k++)
		if (x[k] > 0)
			dx[k] += dy[k];
}

void nn_leaky_relu_forward(real *y, const real *x, real slope, int n)
{
	int k;

	for (k = 0; k < n; k++)
		y[k] = x[k] > 0 ? x[k] : slope * x[k];
}

void nn_leaky_relu_backward(real *dx, const real *dy, const real *x,
			    real slope, int n)
{
	int k;

	for (k = 0; k < n; k++)
		dx[k] += x[k] > 0 ? dy[k] : slope * dy[k];
}

#ifdef ACT_VECTOR
/* Lowered only by tests (nn_act_isa_cap); the kernels only read it. */
static enum nn_isa isa_cap = NN_ISA_AVX512;

void nn_act_isa_cap(enum nn_isa cap)
{
	isa_cap = cap;
}

/* The widest path this CPU runs, within the cap.  AVX-512 means F, BW and
 * VL together: the masks compare 16-bit lanes of 256-bit registers. */
static enum nn_isa act_isa(void)
{
	enum nn_isa have = NN_ISA_PLAIN;

	if (__builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl"))
		have = NN_ISA_AVX512;
	else if (__builtin_cpu_supports("avx2"))
		have = NN_ISA_AVX2;
	return have < isa_cap ? have : isa_cap;
}

/* The same formula as the scalar loop of nn_elu_forward, operation for
 * operation (no fused multiply-add); only the exp differs, by libmvec's
 * error (within 4 ulp, glibc's manual; tests/unit/test_nn_act.c checks
 * 2).  max_ps returns its second operand, 0, for NaN, but (x - |x|) / 2
 * carries the NaN through the exp. */
__attribute__((target("avx512f")))
static inline __m512 elu16(__m512 v, __m512 alpha)
{
	const __m512 zero = _mm512_setzero_ps(), half = _mm512_set1_ps(0.5f);
	const __m512 one = _mm512_set1_ps(1.0f);
	__m512 pos = _mm512_max_ps(v, zero);
	__m512 neg = _mm512_mul_ps(_mm512_sub_ps(v, _mm512_abs_ps(v)), half);
	__m512 e = _ZGVeN16v_expf(neg);

	return _mm512_add_ps(pos, _mm512_mul_ps(alpha, _mm512_sub_ps(e, one)));
}

__attribute__((target("avx2")))
static inline __m256 elu8(__m256 v, __m256 alpha)
{
	const __m256 zero = _mm256_setzero_ps(), half = _mm256_set1_ps(0.5f);
	const __m256 one = _mm256_set1_ps(1.0f), sign = _mm256_set1_ps(-0.0f);
	__m256 pos = _mm256_max_ps(v, zero);
	__m256 neg = _mm256_mul_ps(_mm256_sub_ps(v, _mm256_andnot_ps(sign, v)),
				   half);
	__m256 e = _ZGVdN8v_expf(neg);

	return _mm256_add_ps(pos, _mm256_mul_ps(alpha, _mm256_sub_ps(e, one)));
}

/* Returns the elements done, a multiple of the width. */
__attribute__((target("avx512f")))
static int elu_forward_avx512(float *y, const float *x, float alpha, int n)
{
	const __m512 a = _mm512_set1_ps(alpha);
	int k;

	for (k = 0; k + 16 <= n; k += 16)
		_mm512_storeu_ps(y + k, elu16(_mm512_loadu_ps(x + k), a));
	return k;
}

__attribute__((target("avx2")))
static int elu_forward_avx2(float *y, const float *x, float alpha, int n)
{
	const __m256 a = _mm256_set1_ps(alpha);
	int k;

	for (k = 0; k + 8 <= n; k += 8)
		_mm256_storeu_ps(y + k, elu8(_mm256_loadu_ps(x + k), a));
	return k;
}
#else
void nn_act_isa_cap(enum nn_isa cap)
{
	(void)cap;
}
#endif

/* y = max(x, 0) + alpha (exp(min(x, 0)) - 1), without a branch: the sign
 * of x is a coin flip on standardised data, and one exp per element costs
 * less than a mispredicted branch on every other one.  For a finite x the
 * result is exactly that of the two-branch form (exp(0) - 1 is 0; in the
 * vector paths above the exp is libmvec's, not libm's); NaN
 * stays NaN (+inf becomes NaN too).  min(x, 0) is written (x - |x|) / 2,
 * which compilers do not turn back into a branch. */
void nn_elu_forward(real *y, const real *x, real alpha, int n)
{
	int k = 0;

#ifdef ACT_VECTOR
	switch (act_isa()) {
	case NN_ISA_AVX512:
		k = elu_forward_avx512(y, x, alpha, n);
		break;
	case NN_ISA_AVX2:
		k = elu_forward_avx2(y, x, alpha, n);
		break;
	case NN_ISA_PLAIN:
		break;
	}
#endif
	for (; k < n; k++) {
		real pos = x[k] <= 0 ? 0 : x[k];
		real neg = (x[k] - FABS(x[k])) / 2;

		y[k] = pos + alpha * (EXP(neg) - 1);
	}
}

void nn_elu_backward(real *dx, const real *dy, const real *x, real alpha,
		     int n)
{
	int k;

	for (k = 0; k < n; k++)
		dx[k] += x[k] > 0 ? dy[k] : dy[k] * alpha * EXP(x[k]);
}

/* The slope is computed from a 0/1 flag, not branched on: y > 0 is a coin
 * flip on standardised data, and a mispredicted branch per element cost
 * more than the arithmetic.  For a finite y, pos + (1 - pos) (y + alpha)
 * is exactly 1 or y + alpha. */
void nn_elu_backward_y(real *dx, const real *dy, const real *y, real alpha,
		       int n)
{
	int k;

	for (k = 0; k < n; k++) {
		real pos = y[k] > 0;

		dx[k] += dy[k] * (pos + (1 - pos) * (y[k] + alpha));
	}
}

void nn_tanh_forward(real *y, const real *x, int n)
{
	int k;

	for (k = 0; k < n; k++)
		y[k] = TANH(x[k]);
}

void nn_tanh_backward(real *dx, const real *dy, const real *y, int n)
{
	int k;

	for (k = 0; k < n; k++)
		dx[k] += dy[k] * (1 - y[k] * y[k]);
}

real nn_sigmoid(real x)
{
	/* exp of a non-positive argument only, so a large |x| cannot
	 * overflow */
	if (x >= 0)
		return 1 / (1 + EXP(-x));
	else {
		real e = EXP(x);

		return e / (1 + e);
	}
}

void nn_sigmoid_forward(real *y, const real *x, int n)
{
	int k;

	for (k = 0; k < n; k++)
		y[k] = nn_sigmoid(x[k]);
}

void nn_sigmoid_backward(real *dx, const real *dy, const real *y, int n)
{
	int k;

	for (k = 0; k < n; k++)
		dx[k] += dy[k] * y[k] * (1 - y[k]);
}

void nn_dropout_mask(real *mask, real p, int n, struct tn_rng *rng)
{
	real scale = p < 1 ? 1 / (1 - p) : 0;
	uint64_t keep_from;
	int k;

	if (p <= 0 || p >= 1) {
		real all = p <= 0 ? 1 : 0;

		for (k = 0; k < n; k++)
			mask[k] = all;
		return;
	}
	/* An element is kept when its draw's top 53 bits, as a fraction in
	 * [0, 1) (tn_rng_uniform), are >= p, i.e. when u >> 11 >= ceil(p 2^53),
	 * i.e. when u >= ceil(p 2^53) 2^11: the same mask from the same draws
	 * without a double per element.  p 2^53 < 2^53 is exact, so the keep
	 * probability is 1 - ceil(p 2^53) / 2^53, which is 1 - p within 2^-53
	 * (exactly for a double p >= 0.5 or a float p >= 2^-30).  A NaN p
	 * draws n numbers and keeps nothing, as tn_rng_uniform() >= NaN
	 * would. */
	keep_from = p == p ? (uint64_t)ceil((double)p * 0x1p53) << 11 : UINT64_MAX;
	for (k = 0; k < n; k++)
		mask[k] = tn_rng_u64(rng) >= keep_from ? scale : 0;
}

/* The bits of V below the 16 of a chunk. */
#define DROPOUT_LOW_BITS 37

/* nn_dropout_mask16's threshold for a p in (0, 1), split at its chunk. */
struct mask16 {
	real multiplier[2];  /* dropped, kept */
	uint32_t chunk_from; /* the top 16 bits of keep_from */
	uint64_t low_from;   /* its low DROPOUT_LOW_BITS */
};

static void mask16_init(struct mask16 *m, real p)
{
	/* < 2^53 for p < 1, as in nn_dropout_mask */
	uint64_t keep_from = (uint64_t)ceil((double)p * 0x1p53);

	m->multiplier[0] = 0;
	m->multiplier[1] = 1 / (1 - p);
	m->chunk_from = (uint32_t)(keep_from >> DROPOUT_LOW_BITS);
	m->low_from = keep_from & ((UINT64_C(1) << DROPOUT_LOW_BITS) - 1);
}

/* One group of four elements from one draw u (and, rarely, more). */
static inline void dropout_group(real *mask, int m, uint64_t u,
				 const struct mask16 *t, struct tn_rng *rng)
{
	int j;

	for (j = 0; j < m; j++) {
		uint32_t chunk = (uint32_t)(u >> (48 - 16 * j)) & 0xffff;
		int keep = chunk > t->chunk_from;

		if (chunk == t->chunk_from)
			keep = tn_rng_u64(rng) >> (64 - DROPOUT_LOW_BITS) >=
			       t->low_from;
		/* indexed, not branched on: keep is a coin flip */
		mask[j] = t->multiplier[keep];
	}
}

/* The mask of n elements, the first starting a group. */
static void mask16_plain(real *mask, const struct mask16 *t, int n,
			 struct tn_rng *rng)
{
	uint32_t from = t->chunk_from;
	int k;

	for (k = 0; k + 4 <= n; k += 4) {
		uint64_t u = tn_rng_u64(rng);
		uint32_t c0 = (uint32_t)(u >> 48), c1 = (uint32_t)(u >> 32) & 0xffff;
		uint32_t c2 = (uint32_t)(u >> 16) & 0xffff, c3 = (uint32_t)u & 0xffff;

		/* the common case, no tie, unrolled; a tie takes the loop
		 * above, which draws its further numbers in element order */
		if (c0 == from || c1 == from || c2 == from || c3 == from) {
			dropout_group(mask + k, 4, u, t, rng);
			continue;
		}
		mask[k] = t->multiplier[c0 > from];
		mask[k + 1] = t->multiplier[c1 > from];
		mask[k + 2] = t->multiplier[c2 > from];
		mask[k + 3] = t->multiplier[c3 > from];
	}
	if (k < n)
		dropout_group(mask + k, n - k, tn_rng_u64(rng), t, rng);
}

#ifdef ACT_VECTOR
/* The vector masks take a block's draws at once and compare their 16-bit
 * chunks lane by lane.  A draw holds its elements most significant chunk
 * first, so the chunks of each 64-bit lane are reversed into element
 * order first.  A tie needs a further draw in the middle of the block's
 * stream, so the block is drawn again from the saved state by the plain
 * code: one block in 4096, and the masks and the stream stay exactly
 * those of mask16_plain. */
#define WORD_ORDER 6, 7, 4, 5, 2, 3, 0, 1, 14, 15, 12, 13, 10, 11, 8, 9

/* The mask of 16 elements (four draws), stored and returned. */
__attribute__((target("avx512f,avx512bw,avx512vl")))
static inline __m512 mask16_block16(float *mask, const struct mask16 *t,
				    struct tn_rng *rng)
{
	const __m256i order = _mm256_setr_epi8(WORD_ORDER, WORD_ORDER);
	const __m256i from = _mm256_set1_epi16((short)t->chunk_from);
	struct tn_rng before = *rng;
	uint64_t u0 = tn_rng_u64(rng), u1 = tn_rng_u64(rng);
	uint64_t u2 = tn_rng_u64(rng), u3 = tn_rng_u64(rng);
	__m256i chunks = _mm256_shuffle_epi8(_mm256_setr_epi64x((long long)u0,
				(long long)u1, (long long)u2, (long long)u3),
					     order);
	__m512 v;

	if (_mm256_cmpeq_epu16_mask(chunks, from)) {
		*rng = before;
		mask16_plain(mask, t, 16, rng);
		return _mm512_loadu_ps(mask);
	}
	v = _mm512_maskz_mov_ps(_mm256_cmpgt_epu16_mask(chunks, from),
				_mm512_set1_ps(t->multiplier[1]));
	_mm512_storeu_ps(mask, v);
	return v;
}

/* The mask of 8 elements (two draws).  AVX2 compares 16-bit lanes only as
 * signed numbers: flipping the top bit of both sides orders unsigned ones
 * the same way. */
__attribute__((target("avx2")))
static inline __m256 mask16_block8(float *mask, const struct mask16 *t,
				   struct tn_rng *rng)
{
	const __m128i order = _mm_setr_epi8(WORD_ORDER);
	const __m128i top = _mm_set1_epi16((short)0x8000);
	const __m128i from = _mm_set1_epi16((short)t->chunk_from);
	struct tn_rng before = *rng;
	uint64_t u0 = tn_rng_u64(rng), u1 = tn_rng_u64(rng);
	__m128i chunks = _mm_shuffle_epi8(_mm_set_epi64x((long long)u1,
							 (long long)u0), order);
	__m128i keep;
	__m256 v;

	if (_mm_movemask_epi8(_mm_cmpeq_epi16(chunks, from))) {
		*rng = before;
		mask16_plain(mask, t, 8, rng);
		return _mm256_loadu_ps(mask);
	}
	keep = _mm_cmpgt_epi16(_mm_xor_si128(chunks, top),
			       _mm_xor_si128(from, top));
	/* each all-ones lane widened to 32 bits selects the multiplier */
	v = _mm256_and_ps(_mm256_castsi256_ps(_mm256_cvtepi16_epi32(keep)),
			  _mm256_set1_ps(t->multiplier[1]));
	_mm256_storeu_ps(mask, v);
	return v;
}

/* Each returns the elements done, a multiple of the width. */
__attribute__((target("avx512f,avx512bw,avx512vl")))
static int mask16_avx512(float *mask, const struct mask16 *t, int n,
			 struct tn_rng *rng)
{
	int k;

	for (k = 0; k + 16 <= n; k += 16)
		mask16_block16(mask + k, t, rng);
	return k;
}

__attribute__((target("avx2")))
static int mask16_avx2(float *mask, const struct mask16 *t, int n,
		       struct tn_rng *rng)
{
	int k;

	for (k = 0; k + 8 <= n; k += 8)
		mask16_block8(mask + k, t, rng);
	return k;
}
#endif

void nn_dropout_mask16(real *mask, real p, int n, struct tn_rng *rng)
{
	struct mask16 t;
	int k = 0;

	if (!(p > 0 && p < 1)) {
		real all = p <= 0 ? 1 : 0;

		for (k = 0; k < n; k++)
			mask[k] = all;
		return;
	}
	mask16_init(&t, p);
#ifdef ACT_VECTOR
	switch (act_isa()) {
	case NN_ISA_AVX512:
		k = mask16_avx512(mask, &t, n, rng);
		break;
	case NN_ISA_AVX2:
		k = mask16_avx2(mask, &t, n, rng);
		break;
	case NN_ISA_PLAIN:
		break;
	}
#endif
	mask16_plain(mask + k, &t, n - k, rng);
}

/* The NULL test sits outside the loops, so each is a plain elementwise
 * product or copy. */
void nn_dropout_forward(real *y, const real *x, const real *mask, int n)
{
	int k;

	if (!mask) {
		if (y != x)
			memcpy(y, x, sizeof *y * (size_t)(n > 0 ? n : 0));
		return;
	}
	for (k = 0; k < n; k++)
		y[k] = x[k] * mask[k];
}

void nn_dropout_backward(real *dx, const real *dy, const real *mask, int n)
{
	int k;

	if (!mask) {
		for (k = 0; k < n; k++)
			dx[k] += dy[k];
		return;
	}
	for (k = 0; k < n; k++)
		dx[k] += dy[k] * mask[k];
}

/* ---- activation and dropout fused -------------------------------------
 *
 * One pass where the unfused calls make three: each block's activation,
 * mask and product while the block is in registers.  The vector paths
 * cover whole blocks from element 0, exactly the blocks nn_elu_forward's
 * and nn_dropout_mask16's own vector paths take, and leave the rest to
 * the unfused functions, so the numbers and the stream are theirs. */

#ifdef ACT_VECTOR
__attribute__((target("avx512f,avx512bw,avx512vl")))
static int act_dropout_avx512(float *y, float *a, float *mask, const float *x,
			      int elu, float alpha, const struct mask16 *t,
			      int n, struct tn_rng *rng)
{
	const __m512 alphav = _mm512_set1_ps(alpha), zero = _mm512_setzero_ps();
	int k;

	for (k = 0; k + 16 <= n; k += 16) {
		__m512 v = _mm512_loadu_ps(x + k);
		__m512 act = elu ? elu16(v, alphav) : _mm512_max_ps(v, zero);

		_mm512_storeu_ps(a + k, act);
		_mm512_storeu_ps(y + k, _mm512_mul_ps(act,
					mask16_block16(mask + k, t, rng)));
	}
	return k;
}

__attribute__((target("avx2")))
static int act_dropout_avx2(float *y, float *a, float *mask, const float *x,
			    int elu, float alpha, const struct mask16 *t,
			    int n, struct tn_rng *rng)
{
	const __m256 alphav = _mm256_set1_ps(alpha), zero = _mm256_setzero_ps();
	int k;

	for (k = 0; k + 8 <= n; k += 8) {
		__m256 v = _mm256_loadu_ps(x + k);
		__m256 act = elu ? elu8(v, alphav) : _mm256_max_ps(v, zero);

		_mm256_storeu_ps(a + k, act);
		_mm256_storeu_ps(y + k, _mm256_mul_ps(act,
					mask16_block8(mask + k, t, rng)));
	}
	return k;
}
#endif

/* The vector part of both forwards; returns the elements done. */
static int act_dropout_vector(real *y, real *a, real *mask, const real *x,
			      int elu, real alpha, real p, int n,
			      struct tn_rng *rng)
{
#ifdef ACT_VECTOR
	struct mask16 t;

	/* the ends draw nothing: the unfused calls handle them */
	if (!(p > 0 && p < 1))
		return 0;
	mask16_init(&t, p);
	switch (act_isa()) {
	case NN_ISA_AVX512:
		return act_dropout_avx512(y, a, mask, x, elu, alpha, &t, n,
					  rng);
	case NN_ISA_AVX2:
		return act_dropout_avx2(y, a, mask, x, elu, alpha, &t, n, rng);
	case NN_ISA_PLAIN:
		break;
	}
#endif
	return 0;
}

void nn_elu_dropout_forward(real *y, real *a, real *mask, const real *x,
			    real alpha, real p, int n, struct tn_rng *rng)
{
	int k = act_dropout_vector(y, a, mask, x, 1, alpha, p, n, rng);

	nn_elu_forward(a + k, x + k, alpha, n - k);
	nn_dropout_mask16(mask + k, p, n - k, rng);
	nn_dropout_forward(y + k, a + k, mask + k, n - k);
}

void nn_relu_dropout_forward(real *y, real *a, real *mask, const real *x,
			     real p, int n, struct tn_rng *rng)
{
	int k = act_dropout_vector(y, a, mask, x, 0, 0, p, n, rng);

	nn_relu_forward(a + k, x + k, n - k);
	nn_dropout_mask16(mask + k, p, n - k, rng);
	nn_dropout_forward(y + k, a + k, mask + k, n - k);
}

/* The backward is written, dx = 0 + (dy * mask) * act'(a), the numbers
 * the unfused calls leave in a cleared dx, -0 turned into +0 by the same
 * addition.  ELU's slope is nn_elu_backward_y's flag formula in every
 * path, not a select, so an infinite a gives the same NaN there too. */

#ifdef ACT_VECTOR
__attribute__((target("avx512f")))
static int act_dropout_backward_avx512(float *dx, const float *dy,
				       const float *mask, const float *a,
				       int elu, float alpha, int n)
{
	const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
	const __m512 alphav = _mm512_set1_ps(alpha);
	int k;

	for (k = 0; k + 16 <= n; k += 16) {
		__m512 g = _mm512_loadu_ps(dy + k);
		__m512 act = _mm512_loadu_ps(a + k);
		__mmask16 pos = _mm512_cmp_ps_mask(act, zero, _CMP_GT_OQ);

		if (mask)
			g = _mm512_mul_ps(g, _mm512_loadu_ps(mask + k));
		if (elu) {
			__m512 flag = _mm512_maskz_mov_ps(pos, one);
			__m512 neg = _mm512_mul_ps(_mm512_sub_ps(one, flag),
						   _mm512_add_ps(act, alphav));
			__m512 slope = _mm512_add_ps(flag, neg);

			g = _mm512_add_ps(zero, _mm512_mul_ps(g, slope));
		} else {
			g = _mm512_maskz_mov_ps(pos, _mm512_add_ps(zero, g));
		}
		_mm512_storeu_ps(dx + k, g);
	}
	return k;
}

__attribute__((target("avx2")))
static int act_dropout_backward_avx2(float *dx, const float *dy,
				     const float *mask, const float *a,
				     int elu, float alpha, int n)
{
	const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
	const __m256 alphav = _mm256_set1_ps(alpha);
	int k;

	for (k = 0; k + 8 <= n; k += 8) {
		__m256 g = _mm256_loadu_ps(dy + k);
		__m256 act = _mm256_loadu_ps(a + k);
		__m256 pos = _mm256_cmp_ps(act, zero, _CMP_GT_OQ);

		if (mask)
			g = _mm256_mul_ps(g, _mm256_loadu_ps(mask + k));
		if (elu) {
			__m256 flag = _mm256_and_ps(pos, one);
			__m256 neg = _mm256_mul_ps(_mm256_sub_ps(one, flag),
						   _mm256_add_ps(act, alphav));
			__m256 slope = _mm256_add_ps(flag, neg);

			g = _mm256_add_ps(zero, _mm256_mul_ps(g, slope));
		} else {
			g = _mm256_and_ps(pos, _mm256_add_ps(zero, g));
		}
		_mm256_storeu_ps(dx + k, g);
	}
	return k;
}
#endif

static void act_dropout_backward(real *dx, const real *dy, const real *mask,
				 const real *a, int elu, real alpha, int n)
{
	int k = 0;

#ifdef ACT_VECTOR
	switch (act_isa()) {
	case NN_ISA_AVX512:
		k = act_dropout_backward_avx512(dx, dy, mask, a, elu, alpha, n);
		break;
	case NN_ISA_AVX2:
		k = act_dropout_backward_avx2(dx, dy, mask, a, elu, alpha, n);
		break;
	case NN_ISA_PLAIN:
		break;
	}
#endif
	/* the unfused order: dy * mask rounded, times the slope, plus 0 */
	for (; k < n; k++) {
		real g = mask ? dy[k] * mask[k] : dy[k];
		real pos = a[k] > 0;

		if (elu) {
			real slope = pos + (1 - pos) * (a[k] + alpha);
			real grad = g * slope;

			dx[k] = 0 + grad;
		} else {
			dx[k] = pos ? 0 + g : 0;
		}
	}
}

void nn_elu_dropout_backward_y(real *dx, const real *dy, const real *mask,
			       const real *a, real alpha, int n)
{
	act_dropout_backward(dx, dy, mask, a, 1, alpha, n);
}

void nn_relu_dropout_backward(real *dx, const real *dy, const real *mask,
			      const real *a, int n)
{
	act_dropout_backward(dx, dy, mask, a, 0, 0, n);
}
