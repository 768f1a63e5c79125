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
 * -lmvec).  Scalar expf was a quarter of gnn-train's time. */
#if !defined(TN_REAL_DOUBLE) && defined(__x86_64__)
#define ELU_VECTOR 1
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

#ifdef ELU_VECTOR
/* The same formula as the scalar loop below, operation for operation (no
 * fused multiply-add); only the exp differs, by libmvec's error (within
 * 4 ulp, glibc's manual; tests/unit/test_nn_act.c checks 2).  max_ps
 * returns its second operand, 0, for NaN, but (x - |x|) / 2 carries the
 * NaN through the exp.  Returns the elements done. */
__attribute__((target("avx512f")))
static int elu_forward_avx512(float *y, const float *x, float alpha, int n)
{
	const __m512 zero = _mm512_setzero_ps(), half = _mm512_set1_ps(0.5f);
	const __m512 one = _mm512_set1_ps(1.0f), a = _mm512_set1_ps(alpha);
	int k;

	for (k = 0; k + 16 <= n; k += 16) {
		__m512 v = _mm512_loadu_ps(x + k);
		__m512 pos = _mm512_max_ps(v, zero);
		__m512 neg = _mm512_mul_ps(_mm512_sub_ps(v, _mm512_abs_ps(v)), half);
		__m512 e = _ZGVeN16v_expf(neg);

		_mm512_storeu_ps(y + k, _mm512_add_ps(pos, _mm512_mul_ps(a,
					_mm512_sub_ps(e, one))));
	}
	return k;
}

__attribute__((target("avx2")))
static int elu_forward_avx2(float *y, const float *x, float alpha, int n)
{
	const __m256 zero = _mm256_setzero_ps(), half = _mm256_set1_ps(0.5f);
	const __m256 one = _mm256_set1_ps(1.0f), a = _mm256_set1_ps(alpha);
	const __m256 sign = _mm256_set1_ps(-0.0f);
	int k;

	for (k = 0; k + 8 <= n; k += 8) {
		__m256 v = _mm256_loadu_ps(x + k);
		__m256 pos = _mm256_max_ps(v, zero);
		__m256 neg = _mm256_mul_ps(_mm256_sub_ps(v, _mm256_andnot_ps(sign, v)),
					   half);
		__m256 e = _ZGVdN8v_expf(neg);

		_mm256_storeu_ps(y + k, _mm256_add_ps(pos, _mm256_mul_ps(a,
					_mm256_sub_ps(e, one))));
	}
	return k;
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

#ifdef ELU_VECTOR
	if (__builtin_cpu_supports("avx512f"))
		k = elu_forward_avx512(y, x, alpha, n);
	else if (__builtin_cpu_supports("avx2"))
		k = elu_forward_avx2(y, x, alpha, n);
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

/* One group of four elements from one draw u (and, rarely, more). */
static inline void dropout_group(real *mask, int m, uint64_t u,
				 uint32_t chunk_from, uint64_t low_from,
				 const real *multiplier, struct tn_rng *rng)
{
	int j;

	for (j = 0; j < m; j++) {
		uint32_t chunk = (uint32_t)(u >> (48 - 16 * j)) & 0xffff;
		int keep = chunk > chunk_from;

		if (chunk == chunk_from)
			keep = tn_rng_u64(rng) >> (64 - DROPOUT_LOW_BITS) >= low_from;
		/* indexed, not branched on: keep is a coin flip */
		mask[j] = multiplier[keep];
	}
}

void nn_dropout_mask16(real *mask, real p, int n, struct tn_rng *rng)
{
	real multiplier[2]; /* dropped, kept */
	uint64_t keep_from, low_from;
	uint32_t chunk_from;
	int k;

	if (!(p > 0 && p < 1)) {
		real all = p <= 0 ? 1 : 0;

		for (k = 0; k < n; k++)
			mask[k] = all;
		return;
	}
	multiplier[0] = 0;
	multiplier[1] = 1 / (1 - p);
	/* < 2^53 for p < 1, as in nn_dropout_mask */
	keep_from = (uint64_t)ceil((double)p * 0x1p53);
	chunk_from = (uint32_t)(keep_from >> DROPOUT_LOW_BITS);
	low_from = keep_from & ((UINT64_C(1) << DROPOUT_LOW_BITS) - 1);
	for (k = 0; k + 4 <= n; k += 4) {
		uint64_t u = tn_rng_u64(rng);
		uint32_t c0 = (uint32_t)(u >> 48), c1 = (uint32_t)(u >> 32) & 0xffff;
		uint32_t c2 = (uint32_t)(u >> 16) & 0xffff, c3 = (uint32_t)u & 0xffff;

		/* the common case, no tie, unrolled; a tie takes the loop
		 * above, which draws its further numbers in element order */
		if (c0 == chunk_from || c1 == chunk_from || c2 == chunk_from ||
		    c3 == chunk_from) {
			dropout_group(mask + k, 4, u, chunk_from, low_from,
				      multiplier, rng);
			continue;
		}
		mask[k] = multiplier[c0 > chunk_from];
		mask[k + 1] = multiplier[c1 > chunk_from];
		mask[k + 2] = multiplier[c2 > chunk_from];
		mask[k + 3] = multiplier[c3 > chunk_from];
	}
	if (k < n)
		dropout_group(mask + k, n - k, tn_rng_u64(rng), chunk_from,
			      low_from, multiplier, rng);
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
