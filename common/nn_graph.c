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
	size_t bn, n = (size_t)B * N;
	int b, o;

	tn_gemm(0, 1, B * N, O, F, 1, x, F, weight, F, 0, work, O);
	for (b = 0; b < B; b++)
		tn_gemm(0, 0, N, O, N, 1, norm + (size_t)b * N * N, N,
			work + (size_t)b * N * O, O, 0, out + (size_t)b * N * O, O);
	if (bias)
		for (bn = 0; bn < n; bn++)
			for (o = 0; o < O; o++)
				out[bn * O + o] += bias[o];
}

/* With G = Ã^T dout (per snapshot):
 *   dΘ += G^T X,  dX += G Θ,  db += Σ_{b,n} dout. */
void nn_gcn_backward(real *dx /* (B, N, F) */, real *dweight /* (O, F) */,
		     real *dbias /* (O) */, real *work /* (B, N, O) */,
		     const real *dout /* (B, N, O) */, const real *x /* (B, N, F) */,
		     const real *norm /* (B, N, N) */, const real *weight /* (O, F) */,
		     int B, int N, int F, int O)
{
	size_t bn, n = (size_t)B * N;
	int b, o;

	if (dbias)
		for (bn = 0; bn < n; bn++)
			for (o = 0; o < O; o++)
				dbias[o] += dout[bn * O + o];
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

/* Row i of one head's attention: the softmax of e_ij over the edges into i
 * (self loops are always edges; the input diagonal is ignored),
 * max-subtracted; 0 elsewhere.  In real precision, as PyG computes it: the
 * logits, exps and sum are N numbers of moderate size, and a double exp
 * per edge cost a tenth of a training step. */
static void gat_attention_row(real *restrict row /* (N) */,
			      const real *restrict adj_i /* (N) row i of adj */,
			      const real *restrict s_src /* (N, H) */,
			      real s_dst_i, int i, int N, int H, int h)
{
	real zmax = -INFINITY, sum = 0;
	int j;

	/* LeakyReLU as max(z, slope z) (slope < 1) and the running maximum
	 * as selects, not branches: the signs are coin flips */
	for (j = 0; j < N; j++) {
		real z = s_dst_i + s_src[(size_t)j * H + h];
		real e = z > (real)NN_GAT_NEGATIVE_SLOPE * z ? z :
			 (real)NN_GAT_NEGATIVE_SLOPE * z;
		real cand = j == i || adj_i[j] != 0 ? e : -INFINITY;

		row[j] = e;
		zmax = zmax > cand ? zmax : cand;
	}
	for (j = 0; j < N; j++) {
		row[j] = j == i || adj_i[j] != 0 ? EXP(row[j] - zmax) : 0;
		sum += row[j];
	}
	for (j = 0; j < N; j++)
		row[j] /= sum;
}

void nn_gat_forward(real *out /* (B, N, H*C) or (B, N, C) */,
		    struct nn_gat_cache *cache, const real *x /* (B, N, F) */,
		    const real *adj /* (B, N, N) */, const real *weight /* (H*C, F) */,
		    const real *att_src /* (H, C) */, const real *att_dst /* (H, C) */,
		    const real *bias /* (H*C) or (C) */,
		    int B, int N, int F, int H, int C, int concat)
{
	int HC = H * C, ldo = concat ? HC : C;
	size_t bn, n = (size_t)B * N;
	int b, h, c, i;

	tn_gemm(0, 1, B * N, HC, F, 1, x, F, weight, F, 0, cache->xp, HC);
	for (bn = 0; bn < n; bn++)
		for (h = 0; h < H; h++) {
			const real *xph = cache->xp + bn * HC + (size_t)h * C;
			real ss = 0, sd = 0;

			for (c = 0; c < C; c++) {
				ss += att_src[h * C + c] * xph[c];
				sd += att_dst[h * C + c] * xph[c];
			}
			cache->s_src[bn * H + h] = ss;
			cache->s_dst[bn * H + h] = sd;
		}
	if (!concat)
		memset(out, 0, n * C * sizeof *out);
	for (b = 0; b < B; b++) {
		const real *a = adj + (size_t)b * N * N;
		const real *xpb = cache->xp + (size_t)b * N * HC;
		const real *ssb = cache->s_src + (size_t)b * N * H;
		const real *sdb = cache->s_dst + (size_t)b * N * H;

		for (h = 0; h < H; h++) {
			real *al = cache->alpha + ((size_t)b * H + h) * N * N;

			for (i = 0; i < N; i++)
				gat_attention_row(al + (size_t)i * N, a + (size_t)i * N,
						  ssb, sdb[(size_t)i * H + h], i, N, H, h);
			/* out[:, h] = α X'[:, h], or its 1/H share of the mean */
			if (concat)
				tn_gemm(0, 0, N, C, N, 1, al, N, xpb + (size_t)h * C, HC,
					0, out + (size_t)b * N * HC + (size_t)h * C, HC);
			else
				tn_gemm(0, 0, N, C, N, (real)(1.0 / H), al, N,
					xpb + (size_t)h * C, HC, 1,
					out + (size_t)b * N * C, C);
		}
	}
	if (bias)
		for (bn = 0; bn < n; bn++)
			for (c = 0; c < ldo; c++)
				out[bn * ldo + c] += bias[c];
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
	int HC = H * C, ldo = concat ? HC : C;
	real scale = concat ? 1 : (real)(1.0 / H);
	size_t bn, n = (size_t)B * N;
	int b, h, c, i, j;

	if (dbias)
		for (bn = 0; bn < n; bn++)
			for (c = 0; c < ldo; c++)
				dbias[c] += dout[bn * ldo + c];
	memset(cache->dxp, 0, n * HC * sizeof *cache->dxp);
	for (b = 0; b < B; b++) {
		const real *xpb = cache->xp + (size_t)b * N * HC;
		const real *ssb = cache->s_src + (size_t)b * N * H;
		const real *sdb = cache->s_dst + (size_t)b * N * H;
		real *dxpb = cache->dxp + (size_t)b * N * HC;

		for (h = 0; h < H; h++) {
			const real *al = cache->alpha + ((size_t)b * H + h) * N * N;
			const real *g = dout + (size_t)b * N * ldo +
					(concat ? (size_t)h * C : 0);
			const real *xph = xpb + (size_t)h * C;
			real *dxph = dxpb + (size_t)h * C;
			real *da = cache->dalpha;

			tn_gemm(0, 1, N, N, C, scale, g, ldo, xph, HC, 0, da, N);
			tn_gemm(1, 0, N, C, N, scale, al, N, g, ldo, 1, dxph, HC);
			real *restrict ds_src = cache->ds_src, *restrict ds_dst = cache->ds_dst;
			real *restrict das = datt_src + h * C, *restrict dad = datt_dst + h * C;
			const real *as = att_src + h * C, *ad = att_dst + h * C;

			memset(ds_src, 0, (size_t)N * sizeof *ds_src);
			for (i = 0; i < N; i++) {
				const real *ali = al + (size_t)i * N;
				const real *dai = da + (size_t)i * N;
				real dot = 0, sd = sdb[(size_t)i * H + h], dsd = 0;

				for (j = 0; j < N; j++)
					dot += ali[j] * dai[j];
				/* off the edges α is 0, and so is dz; the
				 * LeakyReLU's slope from a 0/1 flag, as the sign
				 * of z is a coin flip */
				for (j = 0; j < N; j++) {
					real pos = sd + ssb[(size_t)j * H + h] > 0;
					real dz = ali[j] * (dai[j] - dot) *
						  (pos + (1 - pos) *
							 (real)NN_GAT_NEGATIVE_SLOPE);

					dsd += dz;
					ds_src[j] += dz;
				}
				ds_dst[i] = dsd;
			}
			for (j = 0; j < N; j++) {
				const real *restrict xj = xph + (size_t)j * HC;
				real *restrict dxj = dxph + (size_t)j * HC;
				real dss = ds_src[j], dsd = ds_dst[j];

				for (c = 0; c < C; c++) {
					das[c] += dss * xj[c];
					dad[c] += dsd * xj[c];
					dxj[c] += dss * as[c] + dsd * ad[c];
				}
			}
		}
	}
	tn_gemm(1, 0, HC, F, B * N, 1, cache->dxp, HC, x, F, 1, dweight, F);
	if (dx)
		tn_gemm(0, 0, B * N, F, HC, 1, cache->dxp, HC, weight, F, 1, dx, F);
}
