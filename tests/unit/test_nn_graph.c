/* Unit tests (float build): the graph layers' vector kernels (AVX-512 or
 * AVX2 where the CPU has them, with libmvec's expf) against the formulas
 * of nn_graph.h computed here.  Each stage is checked on the layer's own
 * float inputs to it, read from the cache, so that a tolerance can be
 * tight: the scores against the scalar kernel's float sums, the attention
 * against the scalar kernel's float arithmetic with libm's expf (the one
 * place the paths may differ), the output and every gradient against
 * double precision.  The shapes cover what the vector kernels split on: N
 * below, at and above 16 (one, two and three vectors of nodes, with
 * tails), C below and above a vector, non-edges, edges in one direction
 * only, a node whose only in-edge is its self loop, an isolated node, a
 * nonzero input diagonal, and N = 1.  The double build's tests
 * (dbl_nn_graph.c) check the formulas against finite differences.
 *
 * Dimension letters: B snapshots, N nodes, F features, O GCN channels,
 * H heads, C channels per head. */
#include "cli.h"
#include "nn_graph.h"
#include "rng.h"
#include "tn_test.h"

#include <float.h>

enum { B = 2, F = 7 };

#define SLOPE NN_GAT_NEGATIVE_SLOPE

/* |got - want| <= tol * max(1, |want|) for the float results against
 * double.  Float rounding, amplified by the cancellation in the softmax's
 * backward, reaches 1e-5 at N = 40, in the scalar kernels as in the
 * vector ones; a lost or doubled term, a wrong mask or slope is 1e-3 or
 * more. */
#define FLOAT_TOL 3e-5

struct gat_case {
	int N, H, C, concat, width;
	real *x, *adj, *weight, *att_src, *att_dst, *bias, *r, *out;
	real *dx, *dweight, *datt_src, *datt_dst, *dbias, *mem;
	struct nn_gat_cache cache;
};

static void fill_normal(real *v, size_t n, double scale, struct tn_rng *rng)
{
	size_t k;

	for (k = 0; k < n; k++)
		v[k] = (real)(scale * tn_rng_normal(rng));
}

/* Edges with probability 0.4 and random signs, drawn independently for
 * i -> j and j -> i; a random diagonal, which the layer ignores.  Node 0
 * of every snapshot aggregates only itself (its row is empty) but is a
 * source for others; in snapshot 1 the last node is isolated. */
static void fill_adjacency(real *adj /* (B, N, N) */, int N, struct tn_rng *rng)
{
	int b, i, j;

	for (b = 0; b < B; b++)
		for (i = 0; i < N; i++)
			for (j = 0; j < N; j++) {
				real *a = adj + ((size_t)b * N + i) * N + j;

				*a = tn_rng_uniform(rng) < 0.4 ?
				     (real)(tn_rng_uniform(rng) - 0.5) : 0;
				if (i == 0 && j != 0)
					*a = 0;
				if (b == 1 && N > 1 && (i == N - 1 || j == N - 1))
					*a = 0;
			}
}

static void gat_setup(struct gat_case *g, int N, int H, int C, int concat,
		      uint64_t seed)
{
	int HC = H * C;
	size_t bn = (size_t)B * N;
	struct tn_rng rng;

	g->N = N;
	g->H = H;
	g->C = C;
	g->concat = concat;
	g->width = concat ? HC : C;
	g->x = xcalloc(bn * F, sizeof(real));
	g->adj = xcalloc(bn * N, sizeof(real));
	g->weight = xcalloc((size_t)HC * F, sizeof(real));
	g->att_src = xcalloc((size_t)HC, sizeof(real));
	g->att_dst = xcalloc((size_t)HC, sizeof(real));
	g->bias = xcalloc((size_t)g->width, sizeof(real));
	g->r = xcalloc(bn * g->width, sizeof(real));
	g->out = xcalloc(bn * g->width, sizeof(real));
	g->dx = xcalloc(bn * F, sizeof(real));
	g->dweight = xcalloc((size_t)HC * F, sizeof(real));
	g->datt_src = xcalloc((size_t)HC, sizeof(real));
	g->datt_dst = xcalloc((size_t)HC, sizeof(real));
	g->dbias = xcalloc((size_t)g->width, sizeof(real));
	g->mem = xcalloc(nn_gat_cache_size(B, N, H, C), sizeof(real));
	nn_gat_cache_bind(&g->cache, g->mem, B, N, H, C);

	tn_rng_seed(&rng, seed);
	fill_normal(g->x, bn * F, 1.0, &rng);
	fill_adjacency(g->adj, N, &rng);
	fill_normal(g->weight, (size_t)HC * F, 0.5, &rng);
	fill_normal(g->att_src, (size_t)HC, 0.5, &rng);
	fill_normal(g->att_dst, (size_t)HC, 0.5, &rng);
	fill_normal(g->bias, (size_t)g->width, 0.5, &rng);
	fill_normal(g->r, bn * g->width, 1.0, &rng);
	nn_gat_forward(g->out, &g->cache, g->x, g->adj, g->weight, g->att_src,
		       g->att_dst, g->bias, B, N, F, H, C, concat);
	nn_gat_backward(g->dx, g->dweight, g->datt_src, g->datt_dst, g->dbias,
			&g->cache, g->r, g->x, g->weight, g->att_src, g->att_dst,
			B, N, F, H, C, concat);
}

static void gat_free(struct gat_case *g)
{
	free(g->x);
	free(g->adj);
	free(g->weight);
	free(g->att_src);
	free(g->att_dst);
	free(g->bias);
	free(g->r);
	free(g->out);
	free(g->dx);
	free(g->dweight);
	free(g->datt_src);
	free(g->datt_dst);
	free(g->dbias);
	free(g->mem);
}

static int is_edge(const struct gat_case *g, int b, int i, int j)
{
	return i == j || g->adj[((size_t)b * g->N + i) * g->N + j] != 0;
}

/* α_ij of the cache, stored [b][h][j][i]. */
static real cached_alpha(const struct gat_case *g, int b, int h, int i, int j)
{
	return g->cache.alpha[(((size_t)b * g->H + h) * g->N + j) * g->N + i];
}

/* The worst error in CHECK_NEAR's terms, printed as a TAP comment when it
 * fails. */
static void check_close(const char *tag, const char *what, const real *got,
			const double *want, size_t n, double tol)
{
	double worst = 0.0;
	size_t k, at = 0;

	for (k = 0; k < n; k++) {
		double err = fabs((double)got[k] - want[k]) / fmax(1.0, fabs(want[k]));

		if (!(err <= worst)) {
			worst = err;
			at = k;
		}
	}
	if (!(worst <= tol))
		FAILF("%s %s: worst err %.3g at [%zu] (got %.9g, want %.9g), tol %g",
		      tag, what, worst, at, (double)got[at], want[at], tol);
}

/* The scores are the scalar kernel's float sums over the channels, in
 * channel order: the vector kernels add the same products in the same
 * order, so they are equal (bound: a float sum's rounding, C ulp of the
 * sum of the terms' magnitudes, should a compiler fuse the reference). */
static void check_scores(const char *tag, const struct gat_case *g)
{
	int N = g->N, H = g->H, C = g->C, HC = H * C, b, h, j, c;

	for (b = 0; b < B; b++)
		for (h = 0; h < H; h++)
			for (j = 0; j < N; j++) {
				const real *xj = g->cache.xp + ((size_t)b * N + j) * HC + h * C;
				size_t at = ((size_t)b * H + h) * N + j;
				float ss = 0, sd = 0, mag = 0;

				for (c = 0; c < C; c++) {
					float ps = g->att_src[h * C + c] * xj[c];
					float pd = g->att_dst[h * C + c] * xj[c];

					ss += ps;
					sd += pd;
					mag += fabsf(ps) + fabsf(pd);
				}
				if (!(fabsf(g->cache.s_src[at] - ss) <= C * FLT_EPSILON * mag &&
				      fabsf(g->cache.s_dst[at] - sd) <= C * FLT_EPSILON * mag))
					FAILF("%s: scores of b %d h %d node %d: %.9g %.9g, want %.9g %.9g",
					      tag, b, h, j, (double)g->cache.s_src[at],
					      (double)g->cache.s_dst[at], (double)ss, (double)sd);
			}
}

/* The attention against the scalar kernel's arithmetic with libm's expf,
 * on the cache's scores.  The paths differ only in the exps, by 4 ulp at
 * most (glibc's bound for libmvec; test_nn_act.c sees 2), so a target's
 * sum by 4 ulp plus the rounding of its N adds, and α, relative, by at
 * most (N + 8) FLT_EPSILON.  The worst seen is printed.  Off the edges α
 * must be exactly 0; a lone self loop gets exactly 1. */
static void check_attention(const char *tag, const struct gat_case *g,
			    double *worst /* in FLT_EPSILON, relative */)
{
	int N = g->N, H = g->H, b, h, i, j, bad = 0;
	float *e = xcalloc((size_t)N, sizeof *e);

	for (b = 0; b < B; b++)
		for (h = 0; h < H; h++)
			for (i = 0; i < N; i++) {
				const real *ss = g->cache.s_src + ((size_t)b * H + h) * N;
				float sd = g->cache.s_dst[((size_t)b * H + h) * N + i];
				float zmax = -INFINITY, sum = 0;
				int only_self = 1;

				for (j = 0; j < N; j++) {
					float z = sd + ss[j];

					e[j] = z > (float)SLOPE * z ? z : (float)SLOPE * z;
					if (is_edge(g, b, i, j))
						zmax = fmaxf(zmax, e[j]);
					if (j != i && is_edge(g, b, i, j))
						only_self = 0;
				}
				for (j = 0; j < N; j++) {
					e[j] = is_edge(g, b, i, j) ? expf(e[j] - zmax) : 0;
					sum += e[j];
				}
				for (j = 0; j < N && bad < 5; j++) {
					float want = e[j] / sum;
					real got = cached_alpha(g, b, h, i, j);
					double rel = fabs((double)got - want) / (want * FLT_EPSILON);
					int ok = is_edge(g, b, i, j) ? rel <= N + 8 :
						 got == 0 && !signbit(got);

					if (only_self && j == i)
						ok = got == 1;
					if (is_edge(g, b, i, j) && rel > *worst)
						*worst = rel;
					if (!ok) {
						FAILF("%s: alpha b %d h %d [%d][%d] = %.9g, want %.9g%s",
						      tag, b, h, i, j, (double)got, (double)want,
						      is_edge(g, b, i, j) ? "" : " (no edge)");
						bad++;
					}
				}
			}
	free(e);
}

/* out, then the backward, in double from the cache's X' and α; the
 * LeakyReLU's slope from the sign of the cache's float logit, which the
 * double sum of the same two scores shares. */
static void check_output_and_gradients(const char *tag, const struct gat_case *g)
{
	int N = g->N, H = g->H, C = g->C, HC = H * C, W = g->width;
	size_t bn = (size_t)B * N;
	double *out = xcalloc(bn * W, sizeof *out);
	double *dxp = xcalloc(bn * HC, sizeof *dxp);
	double *dx = xcalloc(bn * F, sizeof *dx);
	double *dweight = xcalloc((size_t)HC * F, sizeof *dweight);
	double *datt_src = xcalloc((size_t)HC, sizeof *datt_src);
	double *datt_dst = xcalloc((size_t)HC, sizeof *datt_dst);
	double *dbias = xcalloc((size_t)W, sizeof *dbias);
	double *dalpha = xcalloc((size_t)N * N, sizeof *dalpha);
	double *ds_src = xcalloc((size_t)N, sizeof *ds_src);
	double *ds_dst = xcalloc((size_t)N, sizeof *ds_dst);
	const real *xp = g->cache.xp;
	int b, h, i, j, c, f;
	size_t n;

	for (n = 0; n < bn; n++)
		for (c = 0; c < W; c++) {
			out[n * W + c] += g->bias[c];
			dbias[c] += g->r[n * W + c];
		}
	for (b = 0; b < B; b++)
		for (h = 0; h < H; h++) {
			const real *as = g->att_src + h * C, *ad = g->att_dst + h * C;
			const real *ss = g->cache.s_src + ((size_t)b * H + h) * N;
			const real *sd = g->cache.s_dst + ((size_t)b * H + h) * N;
			double scale = g->concat ? 1.0 : 1.0 / H;

			memset(ds_src, 0, (size_t)N * sizeof *ds_src);
			for (i = 0; i < N; i++) {
				const real *gi = g->r + ((size_t)b * N + i) * W +
						 (g->concat ? h * C : 0);
				double dot = 0.0;

				for (j = 0; j < N; j++) {
					double a = cached_alpha(g, b, h, i, j), da = 0.0;
					const real *xj = xp + ((size_t)b * N + j) * HC + h * C;

					for (c = 0; c < C; c++) {
						double gc = scale * gi[c];

						out[((size_t)b * N + i) * W + (g->concat ? h * C : 0) + c] +=
							scale * a * xj[c];
						da += gc * xj[c];
						dxp[((size_t)b * N + j) * HC + h * C + c] += a * gc;
					}
					dalpha[(size_t)i * N + j] = da;
					dot += a * da;
				}
				ds_dst[i] = 0.0;
				for (j = 0; j < N; j++) {
					double z = (double)sd[i] + ss[j];
					double dz = cached_alpha(g, b, h, i, j) *
						    (dalpha[(size_t)i * N + j] - dot) *
						    (z > 0 ? 1.0 : SLOPE);

					ds_dst[i] += dz;
					ds_src[j] += dz;
				}
			}
			for (j = 0; j < N; j++) {
				const real *xj = xp + ((size_t)b * N + j) * HC + h * C;

				for (c = 0; c < C; c++) {
					datt_src[h * C + c] += ds_src[j] * xj[c];
					datt_dst[h * C + c] += ds_dst[j] * xj[c];
					dxp[((size_t)b * N + j) * HC + h * C + c] +=
						ds_src[j] * as[c] + ds_dst[j] * ad[c];
				}
			}
		}
	for (n = 0; n < bn; n++)
		for (c = 0; c < HC; c++)
			for (f = 0; f < F; f++) {
				dweight[(size_t)c * F + f] += dxp[n * HC + c] * g->x[n * F + f];
				dx[n * F + f] += dxp[n * HC + c] * g->weight[(size_t)c * F + f];
			}
	check_close(tag, "out", g->out, out, bn * W, FLOAT_TOL);
	check_close(tag, "dX'", g->cache.dxp, dxp, bn * HC, FLOAT_TOL);
	check_close(tag, "datt_src", g->datt_src, datt_src, (size_t)HC, FLOAT_TOL);
	check_close(tag, "datt_dst", g->datt_dst, datt_dst, (size_t)HC, FLOAT_TOL);
	check_close(tag, "dbias", g->dbias, dbias, (size_t)W, FLOAT_TOL);
	check_close(tag, "dweight", g->dweight, dweight, (size_t)HC * F, FLOAT_TOL);
	check_close(tag, "dX", g->dx, dx, bn * F, FLOAT_TOL);
	free(out);
	free(dxp);
	free(dx);
	free(dweight);
	free(datt_src);
	free(datt_dst);
	free(dbias);
	free(dalpha);
	free(ds_src);
	free(ds_dst);
}

static void gat_check(int N, int H, int C, int concat, uint64_t seed,
		      double *worst_alpha)
{
	struct gat_case g;
	char tag[64];

	snprintf(tag, sizeof tag, "N %d H %d C %d %s", N, H, C,
		 concat ? "concat" : "mean");
	gat_setup(&g, N, H, C, concat, seed);
	check_scores(tag, &g);
	check_attention(tag, &g, worst_alpha);
	check_output_and_gradients(tag, &g);
	gat_free(&g);
}

TEST(gat_vector_kernels_match_the_formulas)
{
	static const int nodes[] = { 1, 2, 7, 8, 9, 11, 15, 16, 17, 33, 40 };
	double worst = 0.0;
	size_t k;

#ifdef __x86_64__
	printf("# kernels: %s\n", __builtin_cpu_supports("avx512f") ? "AVX-512" :
	       __builtin_cpu_supports("avx2") ? "AVX2" : "scalar");
#endif
	for (k = 0; k < sizeof nodes / sizeof nodes[0]; k++) {
		gat_check(nodes[k], 3, 5, 1, 100 + k, &worst);
		gat_check(nodes[k], 2, 20, 0, 200 + k, &worst);
	}
	/* gnn-train's shape */
	gat_check(11, 4, 16, 1, 300, &worst);
	gat_check(11, 4, 16, 0, 301, &worst);
	printf("# attention: worst difference from libm's %.2g FLT_EPSILON\n", worst);
}

/* The bias rows, on widths with tails after vectors of 16 and of 8, are
 * the scalar loops' exact sums. */
/* A NaN logit on an edge makes its target's whole attention row NaN, as
 * the scalar softmax does (exp(NaN) in the sum), on whatever path the
 * CPU takes; rows without that edge stay finite. */
TEST(gat_nan_on_an_edge_poisons_its_row_only)
{
	struct gat_case g;
	int N = 11, H = 2, C = 5, i, j, h, f, poisoned = 0, clean = 0;

	gat_setup(&g, N, H, C, 1, 23);
	for (f = 0; f < F; f++)
		g.x[2 * F + f] = NAN; /* node 2 of snapshot 0 */
	nn_gat_forward(g.out, &g.cache, g.x, g.adj, g.weight, g.att_src,
		       g.att_dst, g.bias, B, N, F, H, C, 1);
	for (h = 0; h < H; h++)
		for (i = 0; i < N; i++) {
			int nan_row = i == 2 || is_edge(&g, 0, i, 2), bad = 0;

			for (j = 0; j < N; j++) {
				real a = cached_alpha(&g, 0, h, i, j);

				bad += nan_row ? !isnan(a) : !isfinite(a);
			}
			if (bad)
				FAILF("head %d row %d: %d of %d weights %s", h, i, bad,
				      N, nan_row ? "not NaN" : "not finite");
			poisoned += nan_row;
			clean += !nan_row;
		}
	/* the case has both kinds of row */
	CHECK(poisoned > H && clean > 0);
	gat_free(&g);
}

TEST(gcn_bias_rows_are_exact)
{
	enum { N = 5, O = 27 };
	static real x[B * N * F], adj[B * N * N], norm[B * N * N];
	static real weight[O * F], bias[O], dout[B * N * O], work[B * N * O];
	static real out[B * N * O], out_nobias[B * N * O];
	static real dweight[O * F], dbias[O];
	float want[O];
	struct tn_rng rng;
	int n, o;

	tn_rng_seed(&rng, 7);
	fill_normal(x, B * N * F, 1.0, &rng);
	fill_adjacency(adj, N, &rng);
	fill_normal(weight, O * F, 0.5, &rng);
	fill_normal(bias, O, 0.5, &rng);
	fill_normal(dout, B * N * O, 1.0, &rng);
	fill_normal(dbias, O, 1.0, &rng);
	nn_gcn_norm(norm, adj, B, N);
	nn_gcn_forward(out, work, x, norm, weight, bias, B, N, F, O);
	nn_gcn_forward(out_nobias, work, x, norm, weight, NULL, B, N, F, O);
	for (n = 0; n < B * N; n++)
		for (o = 0; o < O; o++)
			CHECK(out[n * O + o] == out_nobias[n * O + o] + bias[o]);
	for (o = 0; o < O; o++)
		want[o] = dbias[o];
	for (n = 0; n < B * N; n++)
		for (o = 0; o < O; o++)
			want[o] += dout[n * O + o];
	nn_gcn_backward(NULL, dweight, dbias, work, dout, x, norm, weight, B, N, F, O);
	for (o = 0; o < O; o++)
		CHECK(dbias[o] == want[o]);
}

int main(void)
{
	RUN(gat_vector_kernels_match_the_formulas);
	RUN(gat_nan_on_an_edge_poisons_its_row_only);
	RUN(gcn_bias_rows_are_exact);
	return tn_t_done();
}
