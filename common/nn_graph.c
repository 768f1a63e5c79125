/* nn_graph.c - see nn_graph.h.
 *
 * Dimension letters: B snapshots, N nodes, F input features, O GCN output
 * channels, H GAT heads, C GAT channels per head. */
#include "nn_graph.h"

#include "gemm.h"

#include <math.h>
#include <string.h>

#ifdef TN_REAL_DOUBLE
#define EXP exp
#else
#define EXP expf
#endif

/* In float on x86-64 the element-wise work between the GEMMs (bias rows,
 * attention scores, each head's masked softmax and its backward) runs 16
 * or 8 lanes at a time, the exps through glibc's libmvec as in nn_act.c:
 * scalar, with a libm call per exp, a divide per element and a max chain
 * per row, it was a fifth of gnn-train's time.  Each vector kernel does
 * its scalar twin's operations in the same order: the lanes are the nodes
 * or channels a sum is not over, so every sum is whole-vector adds in the
 * scalar loop's order, and there is no fused multiply-add.  Results differ
 * only through libmvec's exp, within 4 ulp of libm's (glibc's manual;
 * tests/unit/test_nn_graph.c checks).  The double build, for the gradient
 * checks, keeps the scalar kernels and libm's exp. */
#if !defined(TN_REAL_DOUBLE) && defined(__x86_64__)
#define GRAPH_VECTOR 1
#include <immintrin.h>
__attribute__((target("avx512f"))) __m512 _ZGVeN16v_expf(__m512 x);
__attribute__((target("avx2"))) __m256 _ZGVdN8v_expf(__m256 x);
#endif

/* The element-wise kernels of one instruction set.  What each computes is
 * stated above its scalar version below. */
struct graph_kernels {
	void (*add_rows)(real *out, const real *bias, size_t rows, int width);
	void (*sum_rows)(real *dbias, const real *dout, size_t rows, int width);
	void (*gat_scores)(real *s_src, real *s_dst, const real *xph,
			   const real *att_src, const real *att_dst,
			   int N, int C, int HC);
	void (*gat_attention)(real *alpha, const real *adj, const real *s_src,
			      const real *s_dst, int N);
	void (*gat_attention_backward)(real *ds_src, real *ds_dst,
				       const real *alpha, real *dalpha,
				       const real *s_src, const real *s_dst,
				       int N);
	void (*gat_scores_backward)(real *datt_src, real *datt_dst, real *dxph,
				    const real *xph, const real *att_src,
				    const real *att_dst, const real *ds_src,
				    const real *ds_dst, int N, int C, int HC);
};

/* ---- scalar kernels (every CPU, and the double build) ---- */

/* out[r] += bias for every row r. */
static void add_rows(real *restrict out /* (rows, width) */,
		     const real *restrict bias /* (width) */,
		     size_t rows, int width)
{
	size_t r;
	int c;

	for (r = 0; r < rows; r++)
		for (c = 0; c < width; c++)
			out[r * width + c] += bias[c];
}

/* dbias += Σ_r dout[r], the rows added in order. */
static void sum_rows(real *restrict dbias /* (width) */,
		     const real *restrict dout /* (rows, width) */,
		     size_t rows, int width)
{
	size_t r;
	int c;

	for (r = 0; r < rows; r++)
		for (c = 0; c < width; c++)
			dbias[c] += dout[r * width + c];
}

/* One snapshot and head: s_src_j = a_src·x'_j and s_dst_j = a_dst·x'_j,
 * the channels added in order. */
static void gat_scores(real *restrict s_src /* (N) */,
		       real *restrict s_dst /* (N) */,
		       const real *restrict xph /* (N, H*C) from head h's C */,
		       const real *restrict att_src /* (C) */,
		       const real *restrict att_dst /* (C) */,
		       int N, int C, int HC)
{
	int j, c;

	for (j = 0; j < N; j++) {
		const real *xj = xph + (size_t)j * HC;
		real ss = 0, sd = 0;

		for (c = 0; c < C; c++) {
			ss += att_src[c] * xj[c];
			sd += att_dst[c] * xj[c];
		}
		s_src[j] = ss;
		s_dst[j] = sd;
	}
}

/* One snapshot and head: target i's attention is the softmax of e_ij
 * over the edges into i (self loops are always edges; the input diagonal
 * is ignored), max-subtracted; 0 elsewhere.  Stored source-major, α_ij at
 * [j][i], so that the vector kernels work on all targets i at once and add
 * along j, each target's order here, with whole-vector adds.  In real
 * precision, as PyG computes it: the logits, exps and sum are N numbers
 * of moderate size, and a double exp per edge cost a tenth of a training
 * step. */
static void gat_attention(real *restrict alpha /* (N, N) [j][i] */,
			  const real *restrict adj /* (N, N) */,
			  const real *restrict s_src /* (N) */,
			  const real *restrict s_dst /* (N) */, int N)
{
	int i, j;

	for (i = 0; i < N; i++) {
		const real *adj_i = adj + (size_t)i * N;
		real zmax = -INFINITY, sum = 0;

		/* LeakyReLU as max(z, slope z) (slope < 1) and the running
		 * maximum as selects, not branches: the signs are coin
		 * flips */
		for (j = 0; j < N; j++) {
			real z = s_dst[i] + s_src[j];
			real e = z > (real)NN_GAT_NEGATIVE_SLOPE * z ? z :
				 (real)NN_GAT_NEGATIVE_SLOPE * z;
			real cand = j == i || adj_i[j] != 0 ? e : -INFINITY;

			alpha[(size_t)j * N + i] = e;
			zmax = zmax > cand ? zmax : cand;
		}
		for (j = 0; j < N; j++) {
			real *a = alpha + (size_t)j * N + i;

			*a = j == i || adj_i[j] != 0 ? EXP(*a - zmax) : 0;
			sum += *a;
		}
		for (j = 0; j < N; j++)
			alpha[(size_t)j * N + i] /= sum;
	}
}

/* One snapshot and head, from α and dα (both [j][i]):
 *   dz_ij = α_ij (dα_ij − Σ_k α_ik dα_ik) · (z_ij > 0 ? 1 : slope)
 *   ds_dst_i = Σ_j dz_ij,  ds_src_j = Σ_i dz_ij
 * every sum in index order.  Off the edges α is 0, and so is dz.  dalpha
 * is the vector kernels' scratch: they leave dz in it. */
static void gat_attention_backward(real *restrict ds_src /* (N) */,
				   real *restrict ds_dst /* (N) */,
				   const real *restrict alpha /* (N, N) [j][i] */,
				   real *restrict dalpha /* (N, N) [j][i] */,
				   const real *restrict s_src /* (N) */,
				   const real *restrict s_dst /* (N) */, int N)
{
	int i, j;

	memset(ds_src, 0, (size_t)N * sizeof *ds_src);
	for (i = 0; i < N; i++) {
		real dot = 0, dsd = 0;

		for (j = 0; j < N; j++)
			dot += alpha[(size_t)j * N + i] * dalpha[(size_t)j * N + i];
		/* the LeakyReLU's slope from a 0/1 flag, as the sign of z is
		 * a coin flip */
		for (j = 0; j < N; j++) {
			real pos = s_dst[i] + s_src[j] > 0;
			real dz = alpha[(size_t)j * N + i] *
				  (dalpha[(size_t)j * N + i] - dot) *
				  (pos + (1 - pos) * (real)NN_GAT_NEGATIVE_SLOPE);

			dsd += dz;
			ds_src[j] += dz;
		}
		ds_dst[i] = dsd;
	}
}

/* One snapshot and head, the nodes added in order:
 *   da_src += Σ_j ds_src_j x'_j,  da_dst += Σ_j ds_dst_j x'_j
 *   dX'_j += ds_src_j a_src + ds_dst_j a_dst */
static void gat_scores_backward(real *restrict datt_src /* (C) */,
				real *restrict datt_dst /* (C) */,
				real *restrict dxph /* (N, H*C) from head h's C */,
				const real *restrict xph /* (N, H*C) likewise */,
				const real *restrict att_src /* (C) */,
				const real *restrict att_dst /* (C) */,
				const real *restrict ds_src /* (N) */,
				const real *restrict ds_dst /* (N) */,
				int N, int C, int HC)
{
	int j, c;

	for (j = 0; j < N; j++) {
		const real *xj = xph + (size_t)j * HC;
		real *dxj = dxph + (size_t)j * HC;

		for (c = 0; c < C; c++) {
			datt_src[c] += ds_src[j] * xj[c];
			datt_dst[c] += ds_dst[j] * xj[c];
			dxj[c] += ds_src[j] * att_src[c] + ds_dst[j] * att_dst[c];
		}
	}
}

static const struct graph_kernels scalar_kernels = {
	add_rows, sum_rows, gat_scores, gat_attention, gat_attention_backward,
	gat_scores_backward,
};

#ifdef GRAPH_VECTOR
/* ---- vector kernels: the scalar kernels above, lane for lane ---- */

/* 0, 1, ..., 15: lane numbers. */
__attribute__((target("avx512f")))
static inline __m512i lane_ids16(void)
{
	return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/* The first n lanes (all 16 if n >= 16). */
__attribute__((target("avx512f")))
static inline __mmask16 lanes16(int n)
{
	return (__mmask16)(n >= 16 ? 0xffff : (1u << n) - 1);
}

__attribute__((target("avx512f")))
static void add_rows_avx512(float *out, const float *bias, size_t rows, int width)
{
	size_t r;
	int c;

	for (c = 0; c < width; c += 16) {
		__mmask16 k = lanes16(width - c);
		__m512 b = _mm512_maskz_loadu_ps(k, bias + c);

		for (r = 0; r < rows; r++) {
			float *o = out + r * width + c;

			_mm512_mask_storeu_ps(o, k, _mm512_add_ps(_mm512_maskz_loadu_ps(k, o), b));
		}
	}
}

__attribute__((target("avx512f")))
static void sum_rows_avx512(float *dbias, const float *dout, size_t rows, int width)
{
	size_t r;
	int c;

	for (c = 0; c < width; c += 16) {
		__mmask16 k = lanes16(width - c);
		__m512 acc = _mm512_maskz_loadu_ps(k, dbias + c);

		for (r = 0; r < rows; r++)
			acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(k, dout + r * width + c));
		_mm512_mask_storeu_ps(dbias + c, k, acc);
	}
}

/* 16 nodes at a time, their x' gathered channel by channel. */
__attribute__((target("avx512f")))
static void gat_scores_avx512(float *s_src, float *s_dst, const float *xph,
			      const float *att_src, const float *att_dst,
			      int N, int C, int HC)
{
	const __m512i rows = _mm512_mullo_epi32(_mm512_set1_epi32(HC), lane_ids16());
	const __m512 zero = _mm512_setzero_ps();
	int j, c;

	for (j = 0; j < N; j += 16) {
		__mmask16 k = lanes16(N - j);
		const float *xj = xph + (size_t)j * HC;
		__m512 ss = zero, sd = zero;

		for (c = 0; c < C; c++) {
			__m512 v = _mm512_mask_i32gather_ps(zero, k, rows, xj + c, 4);

			ss = _mm512_add_ps(ss, _mm512_mul_ps(_mm512_set1_ps(att_src[c]), v));
			sd = _mm512_add_ps(sd, _mm512_mul_ps(_mm512_set1_ps(att_dst[c]), v));
		}
		_mm512_mask_storeu_ps(s_src + j, k, ss);
		_mm512_mask_storeu_ps(s_dst + j, k, sd);
	}
}

/* Where the forward keeps a block of targets' logits and exps between its
 * passes: for up to GAT_SPILL_COLS sources, on the stack in whole vectors;
 * else in α itself, under a mask.  A load of what a masked store wrote
 * waits for the store to reach the cache (the CPU cannot forward it); with
 * every load of the second and third passes waiting so, the attention
 * took three times as long in gnn-train (11 nodes). */
#define GAT_SPILL_COLS 16

/* 16 targets i at a time, their column of adjacency gathered.  A
 * non-edge's logit is kept as -inf, which marks it for the exps without
 * a second gather.  libmvec takes a slow scalar path for any lane out of
 * expf's normal range, so non-edges and lanes past N get exp(0), then 0. */
__attribute__((target("avx512f")))
static void gat_attention_avx512(float *alpha, const float *adj,
				 const float *s_src, const float *s_dst, int N)
{
	const __m512i rows = _mm512_mullo_epi32(_mm512_set1_epi32(N), lane_ids16());
	const __m512 slope = _mm512_set1_ps((float)NN_GAT_NEGATIVE_SLOPE);
	const __m512 ninf = _mm512_set1_ps(-INFINITY), zero = _mm512_setzero_ps();
	const int spill = N <= GAT_SPILL_COLS;
	__m512 stack[GAT_SPILL_COLS];
	int i, j;

	for (i = 0; i < N; i += 16) {
		const __mmask16 k = lanes16(N - i);
		const __m512 sd = _mm512_maskz_loadu_ps(k, s_dst + i);
		__m512 zmax = ninf, sum = zero, e, ex;

		for (j = 0; j < N; j++) {
			__m512 z = _mm512_add_ps(sd, _mm512_set1_ps(s_src[j]));
			__m512 a = _mm512_mask_i32gather_ps(zero, k, rows,
							    adj + (size_t)i * N + j, 4);
			__mmask16 edge = _mm512_mask_cmp_ps_mask(k, a, zero, _CMP_NEQ_UQ);

			if (j - i >= 0 && j - i < 16)
				edge = (__mmask16)(edge | 1u << (j - i));
			e = _mm512_mask_mov_ps(ninf, edge,
					       _mm512_max_ps(z, _mm512_mul_ps(slope, z)));
			zmax = _mm512_max_ps(zmax, e);
			if (spill)
				stack[j] = e;
			else
				_mm512_mask_storeu_ps(alpha + (size_t)j * N + i, k, e);
		}
		for (j = 0; j < N; j++) {
			__mmask16 edge;

			e = spill ? stack[j] :
			    _mm512_maskz_loadu_ps(k, alpha + (size_t)j * N + i);
			edge = _mm512_mask_cmp_ps_mask(k, e, ninf, _CMP_NEQ_UQ);
			ex = _mm512_maskz_mov_ps(edge, _ZGVeN16v_expf(
					_mm512_maskz_sub_ps(edge, e, zmax)));
			sum = _mm512_add_ps(sum, ex);
			if (spill)
				stack[j] = ex;
			else
				_mm512_mask_storeu_ps(alpha + (size_t)j * N + i, k, ex);
		}
		for (j = 0; j < N; j++) {
			float *col = alpha + (size_t)j * N + i;

			ex = spill ? stack[j] : _mm512_maskz_loadu_ps(k, col);
			_mm512_mask_storeu_ps(col, k, _mm512_div_ps(ex, sum));
		}
	}
}

/* 16 targets i at a time; dz goes to dalpha, whose columns are then
 * gathered to add each ds_src_j over i in order. */
__attribute__((target("avx512f")))
static void gat_attention_backward_avx512(float *ds_src, float *ds_dst,
					  const float *alpha, float *dalpha,
					  const float *s_src, const float *s_dst,
					  int N)
{
	const __m512i rows = _mm512_mullo_epi32(_mm512_set1_epi32(N), lane_ids16());
	const __m512 slope = _mm512_set1_ps((float)NN_GAT_NEGATIVE_SLOPE);
	const __m512 one = _mm512_set1_ps(1), zero = _mm512_setzero_ps();
	int i, j;

	for (i = 0; i < N; i += 16) {
		__mmask16 k = lanes16(N - i);
		const __m512 sd = _mm512_maskz_loadu_ps(k, s_dst + i);
		__m512 dot = zero, dsd = zero;

		for (j = 0; j < N; j++)
			dot = _mm512_add_ps(dot, _mm512_mul_ps(
				_mm512_maskz_loadu_ps(k, alpha + (size_t)j * N + i),
				_mm512_maskz_loadu_ps(k, dalpha + (size_t)j * N + i)));
		for (j = 0; j < N; j++) {
			float *dcol = dalpha + (size_t)j * N + i;
			__m512 z = _mm512_add_ps(sd, _mm512_set1_ps(s_src[j]));
			__m512 lr = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z, zero, _CMP_GT_OQ),
							 slope, one);
			__m512 dz = _mm512_mul_ps(_mm512_mul_ps(
				_mm512_maskz_loadu_ps(k, alpha + (size_t)j * N + i),
				_mm512_sub_ps(_mm512_maskz_loadu_ps(k, dcol), dot)), lr);

			dsd = _mm512_add_ps(dsd, dz);
			_mm512_mask_storeu_ps(dcol, k, dz);
		}
		_mm512_mask_storeu_ps(ds_dst + i, k, dsd);
	}
	for (j = 0; j < N; j += 16) {
		__mmask16 k = lanes16(N - j);
		__m512 dss = zero;

		for (i = 0; i < N; i++)
			dss = _mm512_add_ps(dss, _mm512_mask_i32gather_ps(zero, k, rows,
						dalpha + (size_t)j * N + i, 4));
		_mm512_mask_storeu_ps(ds_src + j, k, dss);
	}
}

/* 16 channels at a time; the gradients of the attention vectors stay in
 * registers across the nodes. */
__attribute__((target("avx512f")))
static void gat_scores_backward_avx512(float *datt_src, float *datt_dst,
				       float *dxph, const float *xph,
				       const float *att_src, const float *att_dst,
				       const float *ds_src, const float *ds_dst,
				       int N, int C, int HC)
{
	int j, c;

	for (c = 0; c < C; c += 16) {
		__mmask16 k = lanes16(C - c);
		const __m512 as = _mm512_maskz_loadu_ps(k, att_src + c);
		const __m512 ad = _mm512_maskz_loadu_ps(k, att_dst + c);
		__m512 das = _mm512_maskz_loadu_ps(k, datt_src + c);
		__m512 dad = _mm512_maskz_loadu_ps(k, datt_dst + c);

		for (j = 0; j < N; j++) {
			const __m512 x = _mm512_maskz_loadu_ps(k, xph + (size_t)j * HC + c);
			const __m512 dss = _mm512_set1_ps(ds_src[j]);
			const __m512 dsd = _mm512_set1_ps(ds_dst[j]);
			float *dxj = dxph + (size_t)j * HC + c;

			das = _mm512_add_ps(das, _mm512_mul_ps(dss, x));
			dad = _mm512_add_ps(dad, _mm512_mul_ps(dsd, x));
			_mm512_mask_storeu_ps(dxj, k, _mm512_add_ps(_mm512_maskz_loadu_ps(k, dxj),
				_mm512_add_ps(_mm512_mul_ps(dss, as), _mm512_mul_ps(dsd, ad))));
		}
		_mm512_mask_storeu_ps(datt_src + c, k, das);
		_mm512_mask_storeu_ps(datt_dst + c, k, dad);
	}
}

static const struct graph_kernels avx512_kernels = {
	add_rows_avx512, sum_rows_avx512, gat_scores_avx512,
	gat_attention_avx512, gat_attention_backward_avx512,
	gat_scores_backward_avx512,
};

/* AVX2: the same with 8 lanes; masks are vectors of all-ones lanes. */
__attribute__((target("avx2")))
static inline __m256i lane_ids8(void)
{
	return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
}

__attribute__((target("avx2")))
static inline __m256i lanes8(int n)
{
	return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane_ids8());
}

__attribute__((target("avx2")))
static void add_rows_avx2(float *out, const float *bias, size_t rows, int width)
{
	size_t r;
	int c;

	for (c = 0; c < width; c += 8) {
		__m256i k = lanes8(width - c);
		__m256 b = _mm256_maskload_ps(bias + c, k);

		for (r = 0; r < rows; r++) {
			float *o = out + r * width + c;

			_mm256_maskstore_ps(o, k, _mm256_add_ps(_mm256_maskload_ps(o, k), b));
		}
	}
}

__attribute__((target("avx2")))
static void sum_rows_avx2(float *dbias, const float *dout, size_t rows, int width)
{
	size_t r;
	int c;

	for (c = 0; c < width; c += 8) {
		__m256i k = lanes8(width - c);
		__m256 acc = _mm256_maskload_ps(dbias + c, k);

		for (r = 0; r < rows; r++)
			acc = _mm256_add_ps(acc, _mm256_maskload_ps(dout + r * width + c, k));
		_mm256_maskstore_ps(dbias + c, k, acc);
	}
}

__attribute__((target("avx2")))
static void gat_scores_avx2(float *s_src, float *s_dst, const float *xph,
			    const float *att_src, const float *att_dst,
			    int N, int C, int HC)
{
	const __m256i rows = _mm256_mullo_epi32(_mm256_set1_epi32(HC), lane_ids8());
	const __m256 zero = _mm256_setzero_ps();
	int j, c;

	for (j = 0; j < N; j += 8) {
		__m256i k = lanes8(N - j);
		const float *xj = xph + (size_t)j * HC;
		__m256 ss = zero, sd = zero;

		for (c = 0; c < C; c++) {
			__m256 v = _mm256_mask_i32gather_ps(zero, xj + c, rows,
							    _mm256_castsi256_ps(k), 4);

			ss = _mm256_add_ps(ss, _mm256_mul_ps(_mm256_set1_ps(att_src[c]), v));
			sd = _mm256_add_ps(sd, _mm256_mul_ps(_mm256_set1_ps(att_dst[c]), v));
		}
		_mm256_maskstore_ps(s_src + j, k, ss);
		_mm256_maskstore_ps(s_dst + j, k, sd);
	}
}

__attribute__((target("avx2")))
static void gat_attention_avx2(float *alpha, const float *adj,
			       const float *s_src, const float *s_dst, int N)
{
	const __m256i rows = _mm256_mullo_epi32(_mm256_set1_epi32(N), lane_ids8());
	const __m256 slope = _mm256_set1_ps((float)NN_GAT_NEGATIVE_SLOPE);
	const __m256 ninf = _mm256_set1_ps(-INFINITY), zero = _mm256_setzero_ps();
	const int spill = N <= GAT_SPILL_COLS;
	__m256 stack[GAT_SPILL_COLS];
	int i, j;

	for (i = 0; i < N; i += 8) {
		const __m256i k = lanes8(N - i);
		const __m256 sd = _mm256_maskload_ps(s_dst + i, k);
		__m256 zmax = ninf, sum = zero, e, ex;

		for (j = 0; j < N; j++) {
			__m256 z = _mm256_add_ps(sd, _mm256_set1_ps(s_src[j]));
			__m256 a = _mm256_mask_i32gather_ps(zero, adj + (size_t)i * N + j, rows,
							    _mm256_castsi256_ps(k), 4);
			__m256i self = _mm256_cmpeq_epi32(_mm256_set1_epi32(j - i), lane_ids8());
			__m256 edge = _mm256_or_ps(_mm256_cmp_ps(a, zero, _CMP_NEQ_UQ),
						   _mm256_castsi256_ps(self));

			e = _mm256_blendv_ps(ninf, _mm256_max_ps(z, _mm256_mul_ps(slope, z)),
					     edge);
			zmax = _mm256_max_ps(zmax, e);
			if (spill)
				stack[j] = e;
			else
				_mm256_maskstore_ps(alpha + (size_t)j * N + i, k, e);
		}
		for (j = 0; j < N; j++) {
			__m256 edge;

			e = spill ? stack[j] : _mm256_maskload_ps(alpha + (size_t)j * N + i, k);
			edge = _mm256_and_ps(_mm256_castsi256_ps(k),
					     _mm256_cmp_ps(e, ninf, _CMP_NEQ_UQ));
			ex = _mm256_and_ps(edge, _ZGVdN8v_expf(
					_mm256_and_ps(edge, _mm256_sub_ps(e, zmax))));
			sum = _mm256_add_ps(sum, ex);
			if (spill)
				stack[j] = ex;
			else
				_mm256_maskstore_ps(alpha + (size_t)j * N + i, k, ex);
		}
		for (j = 0; j < N; j++) {
			float *col = alpha + (size_t)j * N + i;

			ex = spill ? stack[j] : _mm256_maskload_ps(col, k);
			_mm256_maskstore_ps(col, k, _mm256_div_ps(ex, sum));
		}
	}
}

__attribute__((target("avx2")))
static void gat_attention_backward_avx2(float *ds_src, float *ds_dst,
					const float *alpha, float *dalpha,
					const float *s_src, const float *s_dst,
					int N)
{
	const __m256i rows = _mm256_mullo_epi32(_mm256_set1_epi32(N), lane_ids8());
	const __m256 slope = _mm256_set1_ps((float)NN_GAT_NEGATIVE_SLOPE);
	const __m256 one = _mm256_set1_ps(1), zero = _mm256_setzero_ps();
	int i, j;

	for (i = 0; i < N; i += 8) {
		const __m256i k = lanes8(N - i);
		const __m256 sd = _mm256_maskload_ps(s_dst + i, k);
		__m256 dot = zero, dsd = zero;

		for (j = 0; j < N; j++)
			dot = _mm256_add_ps(dot, _mm256_mul_ps(
				_mm256_maskload_ps(alpha + (size_t)j * N + i, k),
				_mm256_maskload_ps(dalpha + (size_t)j * N + i, k)));
		for (j = 0; j < N; j++) {
			float *dcol = dalpha + (size_t)j * N + i;
			__m256 z = _mm256_add_ps(sd, _mm256_set1_ps(s_src[j]));
			__m256 lr = _mm256_blendv_ps(slope, one,
						     _mm256_cmp_ps(z, zero, _CMP_GT_OQ));
			__m256 dz = _mm256_mul_ps(_mm256_mul_ps(
				_mm256_maskload_ps(alpha + (size_t)j * N + i, k),
				_mm256_sub_ps(_mm256_maskload_ps(dcol, k), dot)), lr);

			dsd = _mm256_add_ps(dsd, dz);
			_mm256_maskstore_ps(dcol, k, dz);
		}
		_mm256_maskstore_ps(ds_dst + i, k, dsd);
	}
	for (j = 0; j < N; j += 8) {
		const __m256i k = lanes8(N - j);
		__m256 dss = zero;

		for (i = 0; i < N; i++)
			dss = _mm256_add_ps(dss, _mm256_mask_i32gather_ps(zero,
						dalpha + (size_t)j * N + i, rows,
						_mm256_castsi256_ps(k), 4));
		_mm256_maskstore_ps(ds_src + j, k, dss);
	}
}

__attribute__((target("avx2")))
static void gat_scores_backward_avx2(float *datt_src, float *datt_dst,
				     float *dxph, const float *xph,
				     const float *att_src, const float *att_dst,
				     const float *ds_src, const float *ds_dst,
				     int N, int C, int HC)
{
	int j, c;

	for (c = 0; c < C; c += 8) {
		__m256i k = lanes8(C - c);
		const __m256 as = _mm256_maskload_ps(att_src + c, k);
		const __m256 ad = _mm256_maskload_ps(att_dst + c, k);
		__m256 das = _mm256_maskload_ps(datt_src + c, k);
		__m256 dad = _mm256_maskload_ps(datt_dst + c, k);

		for (j = 0; j < N; j++) {
			const __m256 x = _mm256_maskload_ps(xph + (size_t)j * HC + c, k);
			const __m256 dss = _mm256_set1_ps(ds_src[j]);
			const __m256 dsd = _mm256_set1_ps(ds_dst[j]);
			float *dxj = dxph + (size_t)j * HC + c;

			das = _mm256_add_ps(das, _mm256_mul_ps(dss, x));
			dad = _mm256_add_ps(dad, _mm256_mul_ps(dsd, x));
			_mm256_maskstore_ps(dxj, k, _mm256_add_ps(_mm256_maskload_ps(dxj, k),
				_mm256_add_ps(_mm256_mul_ps(dss, as), _mm256_mul_ps(dsd, ad))));
		}
		_mm256_maskstore_ps(datt_src + c, k, das);
		_mm256_maskstore_ps(datt_dst + c, k, dad);
	}
}

static const struct graph_kernels avx2_kernels = {
	add_rows_avx2, sum_rows_avx2, gat_scores_avx2, gat_attention_avx2,
	gat_attention_backward_avx2, gat_scores_backward_avx2,
};
#endif

static const struct graph_kernels *graph_kernels(void)
{
#ifdef GRAPH_VECTOR
	if (__builtin_cpu_supports("avx512f"))
		return &avx512_kernels;
	if (__builtin_cpu_supports("avx2"))
		return &avx2_kernels;
#endif
	return &scalar_kernels;
}

/* ---- GCN ---- */

/* Ã_ij = d_i Â_ij d_j with d_i = (1 + Σ_{j≠i} A_ij)^{-1/2}.  The diagonal
 * of norm holds d_i until every off-diagonal entry has used it. */
void nn_gcn_norm(real *norm /* (B, N, N) */, const real *adj /* (B, N, N) */,
		 int B, int N)
{
	int b, i, j;

	for (b = 0; b < B; b++) {
		const real *a = adj + (size_t)b * N * N;
		real *g = norm + (size_t)b * N * N;

		for (i = 0; i < N; i++) {
			double deg = 1.0;

			for (j = 0; j < N; j++)
				if (j != i)
					deg += a[(size_t)i * N + j];
			g[(size_t)i * N + i] = (real)(deg > 0 ? 1.0 / sqrt(deg) : 0.0);
		}
		for (i = 0; i < N; i++)
			for (j = 0; j < N; j++)
				if (j != i)
					g[(size_t)i * N + j] = g[(size_t)i * N + i] *
							       a[(size_t)i * N + j] *
							       g[(size_t)j * N + j];
		for (i = 0; i < N; i++)
			g[(size_t)i * N + i] *= g[(size_t)i * N + i];
	}
}

/* The forward's X Θ^T, or the backward's Ã^T dout. */
size_t nn_gcn_workspace_size(int B, int N, int O)
{
	return (size_t)B * N * O;
}

/* xw = X Θ^T, then per snapshot out = Ã xw + b. */
void nn_gcn_forward(real *out /* (B, N, O) */, real *work /* (B, N, O) */,
		    const real *x /* (B, N, F) */, const real *norm /* (B, N, N) */,
		    const real *weight /* (O, F) */, const real *bias /* (O) */,
		    int B, int N, int F, int O)
{
	int b;

	tn_gemm(0, 1, B * N, O, F, 1, x, F, weight, F, 0, work, O);
	for (b = 0; b < B; b++)
		tn_gemm(0, 0, N, O, N, 1, norm + (size_t)b * N * N, N,
			work + (size_t)b * N * O, O, 0, out + (size_t)b * N * O, O);
	if (bias)
		graph_kernels()->add_rows(out, bias, (size_t)B * N, O);
}

/* With G = Ã^T dout (per snapshot):
 *   dΘ += G^T X,  dX += G Θ,  db += Σ_{b,n} dout. */
void nn_gcn_backward(real *dx /* (B, N, F) */, real *dweight /* (O, F) */,
		     real *dbias /* (O) */, real *work /* (B, N, O) */,
		     const real *dout /* (B, N, O) */, const real *x /* (B, N, F) */,
		     const real *norm /* (B, N, N) */, const real *weight /* (O, F) */,
		     int B, int N, int F, int O)
{
	int b;

	if (dbias)
		graph_kernels()->sum_rows(dbias, dout, (size_t)B * N, O);
	for (b = 0; b < B; b++)
		tn_gemm(1, 0, N, O, N, 1, norm + (size_t)b * N * N, N,
			dout + (size_t)b * N * O, O, 0, work + (size_t)b * N * O, O);
	tn_gemm(1, 0, O, F, B * N, 1, work, O, x, F, 1, dweight, F);
	if (dx)
		tn_gemm(0, 0, B * N, F, O, 1, work, O, weight, F, 1, dx, F);
}

/* ---- GAT ---- */

size_t nn_gat_cache_size(int B, int N, int H, int C)
{
	size_t bn = (size_t)B * N;

	return 2 * bn * H * C + 2 * bn * H + (size_t)B * H * N * N +
	       (size_t)N * N + 2 * (size_t)N;
}

void nn_gat_cache_bind(struct nn_gat_cache *cache, real *mem, int B, int N,
		       int H, int C)
{
	size_t bn = (size_t)B * N;

	cache->xp = mem;
	mem += bn * H * C;
	cache->s_src = mem;
	mem += bn * H;
	cache->s_dst = mem;
	mem += bn * H;
	cache->alpha = mem;
	mem += (size_t)B * H * N * N;
	cache->dxp = mem;
	mem += bn * H * C;
	cache->dalpha = mem;
	mem += (size_t)N * N;
	cache->ds_src = mem;
	mem += N;
	cache->ds_dst = mem;
}

void nn_gat_forward(real *out /* (B, N, H*C) or (B, N, C) */,
		    struct nn_gat_cache *cache, const real *x /* (B, N, F) */,
		    const real *adj /* (B, N, N) */, const real *weight /* (H*C, F) */,
		    const real *att_src /* (H, C) */, const real *att_dst /* (H, C) */,
		    const real *bias /* (H*C) or (C) */,
		    int B, int N, int F, int H, int C, int concat)
{
	const struct graph_kernels *k = graph_kernels();
	int HC = H * C, ldo = concat ? HC : C;
	size_t n = (size_t)B * N;
	int b, h;

	tn_gemm(0, 1, B * N, HC, F, 1, x, F, weight, F, 0, cache->xp, HC);
	if (!concat)
		memset(out, 0, n * C * sizeof *out);
	for (b = 0; b < B; b++) {
		const real *a = adj + (size_t)b * N * N;
		const real *xpb = cache->xp + (size_t)b * N * HC;

		for (h = 0; h < H; h++) {
			size_t bh = (size_t)b * H + h;
			real *al = cache->alpha + bh * N * N;
			real *ss = cache->s_src + bh * N, *sd = cache->s_dst + bh * N;

			k->gat_scores(ss, sd, xpb + (size_t)h * C, att_src + h * C,
				      att_dst + h * C, N, C, HC);
			k->gat_attention(al, a, ss, sd, N);
			/* out[:, h] = α X'[:, h], or its 1/H share of the mean;
			 * al holds α^T */
			if (concat)
				tn_gemm(1, 0, N, C, N, 1, al, N, xpb + (size_t)h * C, HC,
					0, out + (size_t)b * N * HC + (size_t)h * C, HC);
			else
				tn_gemm(1, 0, N, C, N, (real)(1.0 / H), al, N,
					xpb + (size_t)h * C, HC, 1,
					out + (size_t)b * N * C, C);
		}
	}
	if (bias)
		k->add_rows(out, bias, n, ldo);
}

/* Per snapshot and head, with g = dout[:, h] (times 1/H when averaged):
 *   dα = g X'_h^T,  dX'_h += α^T g
 *   de_ij = α_ij (dα_ij − Σ_k α_ik dα_ik)          (softmax)
 *   dz_ij = de_ij · (z_ij > 0 ? 1 : 0.2)            (LeakyReLU)
 *   ds_dst_i = Σ_j dz_ij,  ds_src_j = Σ_i dz_ij
 *   da_src[h] += Σ_j ds_src_j x'_j[h],  dX'_j[h] += ds_src_j a_src[h]
 *   (and the same for dst); then dW += dX'^T X, dX += dX' W. */
void nn_gat_backward(real *dx /* (B, N, F) */, real *dweight /* (H*C, F) */,
		     real *datt_src /* (H, C) */, real *datt_dst /* (H, C) */,
		     real *dbias /* (H*C) or (C) */, struct nn_gat_cache *cache,
		     const real *dout /* (B, N, H*C) or (B, N, C) */,
		     const real *x /* (B, N, F) */, const real *weight /* (H*C, F) */,
		     const real *att_src /* (H, C) */, const real *att_dst /* (H, C) */,
		     int B, int N, int F, int H, int C, int concat)
{
	const struct graph_kernels *k = graph_kernels();
	int HC = H * C, ldo = concat ? HC : C;
	real scale = concat ? 1 : (real)(1.0 / H);
	size_t n = (size_t)B * N;
	int b, h;

	if (dbias)
		k->sum_rows(dbias, dout, n, ldo);
	memset(cache->dxp, 0, n * HC * sizeof *cache->dxp);
	for (b = 0; b < B; b++) {
		const real *xpb = cache->xp + (size_t)b * N * HC;
		real *dxpb = cache->dxp + (size_t)b * N * HC;

		for (h = 0; h < H; h++) {
			size_t bh = (size_t)b * H + h;
			const real *al = cache->alpha + bh * N * N;
			const real *g = dout + (size_t)b * N * ldo +
					(concat ? (size_t)h * C : 0);
			const real *xph = xpb + (size_t)h * C;
			real *dxph = dxpb + (size_t)h * C;

			/* dα and α source-major, [j][i] */
			tn_gemm(0, 1, N, N, C, scale, xph, HC, g, ldo, 0,
				cache->dalpha, N);
			tn_gemm(0, 0, N, C, N, scale, al, N, g, ldo, 1, dxph, HC);
			k->gat_attention_backward(cache->ds_src, cache->ds_dst, al,
						  cache->dalpha, cache->s_src + bh * N,
						  cache->s_dst + bh * N, N);
			k->gat_scores_backward(datt_src + h * C, datt_dst + h * C,
					       dxph, xph, att_src + h * C,
					       att_dst + h * C, cache->ds_src,
					       cache->ds_dst, N, C, HC);
		}
	}
	tn_gemm(1, 0, HC, F, B * N, 1, cache->dxp, HC, x, F, 1, dweight, F);
	if (dx)
		tn_gemm(0, 0, B * N, F, HC, 1, cache->dxp, HC, weight, F, 1, dx, F);
}
