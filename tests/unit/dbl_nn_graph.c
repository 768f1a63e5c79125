/* Unit tests: common/nn_graph.c in double precision - hand-computed
 * forward values, the attention mask, and every gradient of GCN and GAT
 * (concatenated and averaged heads) against finite differences of the
 * loss L = Σ out * R.
 *
 * Dimension letters: B snapshots, N nodes, F features, O GCN channels,
 * H heads, C channels per head. */
#include "cli.h"
#include "gradcheck.h"
#include "nn_graph.h"
#include "rng.h"
#include "tn_test.h"

enum { B = 2, N = 6, F = 5, O = 4, H = 4, C = 3, HC = H * C };

/* How far from 0 every attention logit must be: finite differences with a
 * step of 1e-5 then never straddle the LeakyReLU's kink. */
#define KINK_MARGIN 1e-3

/* Node 5 of snapshot 0 is isolated.  Snapshot 1 is weighted (the GCN uses
 * the weights, the GAT only where they are nonzero) with some non-edges
 * and one edge in a single direction, 3 -> 1, so a transposed adjacency
 * anywhere shows. */
static void fill_adjacency(real *adj /* (B, N, N) */)
{
	static const int edges0[][2] = { { 0, 1 }, { 0, 2 }, { 1, 2 }, { 2, 3 },
					 { 3, 4 }, { 0, 4 } };
	static const struct { int i, j; double w; } edges1[] = {
		{ 0, 1, 0.9 }, { 0, 3, 0.35 }, { 1, 2, 0.6 }, { 1, 5, 1.7 },
		{ 2, 4, 0.25 }, { 3, 4, 1.2 }, { 4, 5, 0.5 }, { 0, 5, 0.75 },
	};
	size_t k;

	memset(adj, 0, sizeof(real) * B * N * N);
	for (k = 0; k < sizeof edges0 / sizeof edges0[0]; k++) {
		int i = edges0[k][0], j = edges0[k][1];

		adj[i * N + j] = adj[j * N + i] = 1;
	}
	for (k = 0; k < sizeof edges1 / sizeof edges1[0]; k++) {
		int i = edges1[k].i, j = edges1[k].j;

		adj[N * N + i * N + j] = adj[N * N + j * N + i] = (real)edges1[k].w;
	}
	adj[N * N + 1 * N + 3] = 0.4;
}

static void fill_normal(real *v, int n, double scale, struct tn_rng *rng)
{
	int k;

	for (k = 0; k < n; k++)
		v[k] = (real)(scale * tn_rng_normal(rng));
}

static double dot(const real *a, const real *b, int n)
{
	double s = 0.0;
	int k;

	for (k = 0; k < n; k++)
		s += (double)a[k] * b[k];
	return s;
}

/* ---- GCN ---- */

struct gcn_case {
	real adj[B * N * N], norm[B * N * N];
	real x[B * N * F], weight[O * F], bias[O], r[B * N * O];
	real out[B * N * O], work[B * N * O];
	real dx[B * N * F], dweight[O * F], dbias[O];
};

static void gcn_setup(struct gcn_case *g, uint64_t seed)
{
	struct tn_rng rng;

	tn_rng_seed(&rng, seed);
	fill_adjacency(g->adj);
	nn_gcn_norm(g->norm, g->adj, B, N);
	fill_normal(g->x, B * N * F, 1.0, &rng);
	fill_normal(g->weight, O * F, 0.5, &rng);
	fill_normal(g->bias, O, 0.5, &rng);
	fill_normal(g->r, B * N * O, 1.0, &rng);
}

static double gcn_loss(void *ctx)
{
	struct gcn_case *g = ctx;

	nn_gcn_forward(g->out, g->work, g->x, g->norm, g->weight, g->bias, B, N, F, O);
	return dot(g->out, g->r, B * N * O);
}

static void gcn_grads(struct gcn_case *g)
{
	memset(g->dx, 0, sizeof g->dx);
	memset(g->dweight, 0, sizeof g->dweight);
	memset(g->dbias, 0, sizeof g->dbias);
	gcn_loss(g);
	nn_gcn_backward(g->dx, g->dweight, g->dbias, g->work, g->r, g->x, g->norm,
			g->weight, B, N, F, O);
}

TEST(gcn_norm_matches_hand_computation)
{
	/* path 0 - 1 - 2 (edge 1-2 weighted 0.5) and isolated node 3 */
	real adj[16] = { 0 }, norm[16];

	adj[0 * 4 + 1] = adj[1 * 4 + 0] = 1;
	adj[1 * 4 + 2] = adj[2 * 4 + 1] = 0.5;
	nn_gcn_norm(norm, adj, 1, 4);
	/* degrees with the self loop: 2, 2.5, 1.5, 1 */
	CHECK_NEAR(norm[0 * 4 + 0], 1 / 2.0, 1e-15);
	CHECK_NEAR(norm[0 * 4 + 1], 1 / sqrt(2.0 * 2.5), 1e-15);
	CHECK_NEAR(norm[1 * 4 + 0], 1 / sqrt(2.0 * 2.5), 1e-15);
	CHECK_NEAR(norm[1 * 4 + 1], 1 / 2.5, 1e-15);
	CHECK_NEAR(norm[1 * 4 + 2], 0.5 / sqrt(2.5 * 1.5), 1e-15);
	CHECK_NEAR(norm[2 * 4 + 2], 1 / 1.5, 1e-15);
	CHECK_NEAR(norm[0 * 4 + 2], 0, 0);
	CHECK_NEAR(norm[3 * 4 + 3], 1, 0);
	CHECK_NEAR(norm[3 * 4 + 0], 0, 0);
}

TEST(gcn_ignores_the_input_diagonal)
{
	real adj[9] = { 0, 1, 0, 1, 0, 1, 0, 1, 0 }, a[9], b[9];
	int k;

	nn_gcn_norm(a, adj, 1, 3);
	adj[0] = 5;
	adj[4] = -1;
	nn_gcn_norm(b, adj, 1, 3);
	for (k = 0; k < 9; k++)
		CHECK_NEAR(b[k], a[k], 0);
}

TEST(gcn_isolated_node_keeps_its_own_features)
{
	static struct gcn_case g;
	int o;

	gcn_setup(&g, 1);
	gcn_loss(&g);
	/* node 5 of snapshot 0: out = Θ x_5 + b */
	for (o = 0; o < O; o++)
		CHECK_NEAR(g.out[5 * O + o],
			   dot(g.weight + o * F, g.x + 5 * F, F) + g.bias[o], 1e-14);
}

TEST(gcn_gradients_match_finite_differences)
{
	static struct gcn_case g;

	gcn_setup(&g, 2);
	gcn_grads(&g);
	CHECK(gradcheck("gcn dX", g.x, g.dx, B * N * F, gcn_loss, &g) < GRADCHECK_TOL);
	CHECK(gradcheck("gcn dweight", g.weight, g.dweight, O * F, gcn_loss, &g) <
	      GRADCHECK_TOL);
	CHECK(gradcheck("gcn dbias", g.bias, g.dbias, O, gcn_loss, &g) < GRADCHECK_TOL);
}

TEST(gcn_backward_accumulates)
{
	static struct gcn_case g;
	real dx1[B * N * F], dw1[O * F], db1[O];
	int k;

	gcn_setup(&g, 3);
	gcn_grads(&g);
	memcpy(dx1, g.dx, sizeof dx1);
	memcpy(dw1, g.dweight, sizeof dw1);
	memcpy(db1, g.dbias, sizeof db1);
	nn_gcn_backward(g.dx, g.dweight, g.dbias, g.work, g.r, g.x, g.norm,
			g.weight, B, N, F, O);
	for (k = 0; k < B * N * F; k++)
		CHECK_NEAR(g.dx[k], 2 * dx1[k], 1e-14);
	for (k = 0; k < O * F; k++)
		CHECK_NEAR(g.dweight[k], 2 * dw1[k], 1e-14);
	for (k = 0; k < O; k++)
		CHECK_NEAR(g.dbias[k], 2 * db1[k], 1e-14);
}

/* ---- GAT ---- */

struct gat_case {
	int concat, width; /* width: H*C or C */
	real adj[B * N * N];
	real x[B * N * F], weight[HC * F], att_src[HC], att_dst[HC], bias[HC];
	real r[B * N * HC], out[B * N * HC];
	real dx[B * N * F], dweight[HC * F], datt_src[HC], datt_dst[HC], dbias[HC];
	real *mem;
	struct nn_gat_cache cache;
};

static void gat_setup(struct gat_case *g, int concat, uint64_t seed)
{
	struct tn_rng rng;

	tn_rng_seed(&rng, seed);
	g->concat = concat;
	g->width = concat ? HC : C;
	fill_adjacency(g->adj);
	fill_normal(g->x, B * N * F, 1.0, &rng);
	fill_normal(g->weight, HC * F, 0.5, &rng);
	fill_normal(g->att_src, HC, 0.5, &rng);
	fill_normal(g->att_dst, HC, 0.5, &rng);
	fill_normal(g->bias, g->width, 0.5, &rng);
	fill_normal(g->r, B * N * g->width, 1.0, &rng);
	g->mem = xcalloc(nn_gat_cache_size(B, N, H, C), sizeof(real));
	nn_gat_cache_bind(&g->cache, g->mem, B, N, H, C);
}

static double gat_loss(void *ctx)
{
	struct gat_case *g = ctx;

	nn_gat_forward(g->out, &g->cache, g->x, g->adj, g->weight, g->att_src,
		       g->att_dst, g->bias, B, N, F, H, C, g->concat);
	return dot(g->out, g->r, B * N * g->width);
}

static void gat_grads(struct gat_case *g)
{
	memset(g->dx, 0, sizeof g->dx);
	memset(g->dweight, 0, sizeof g->dweight);
	memset(g->datt_src, 0, sizeof g->datt_src);
	memset(g->datt_dst, 0, sizeof g->datt_dst);
	memset(g->dbias, 0, sizeof g->dbias);
	gat_loss(g);
	nn_gat_backward(g->dx, g->dweight, g->datt_src, g->datt_dst, g->dbias,
			&g->cache, g->r, g->x, g->weight, g->att_src, g->att_dst,
			B, N, F, H, C, g->concat);
}

/* The smallest |logit| before the LeakyReLU: finite differences straddle
 * the kink only if it is within a few steps of 0. */
static double gat_min_logit(const struct gat_case *g)
{
	double m = INFINITY;
	int b, h, i, j;

	for (b = 0; b < B; b++)
		for (h = 0; h < H; h++)
			for (i = 0; i < N; i++)
				for (j = 0; j < N; j++) {
					double z = (double)g->cache.s_dst[(b * H + h) * N + i] +
						   g->cache.s_src[(b * H + h) * N + j];

					if (i == j || g->adj[(b * N + i) * N + j] != 0)
						m = fmin(m, fabs(z));
				}
	return m;
}

static void gat_check_all(const char *tag, int concat, uint64_t seed)
{
	static struct gat_case g;
	char what[64];
	double zmin;

	gat_setup(&g, concat, seed);
	gat_grads(&g);
	zmin = gat_min_logit(&g);
	printf("# %s: smallest |attention logit| %.3g\n", tag, zmin);
	CHECK(zmin > KINK_MARGIN);
	snprintf(what, sizeof what, "%s dX", tag);
	CHECK(gradcheck(what, g.x, g.dx, B * N * F, gat_loss, &g) < GRADCHECK_TOL);
	snprintf(what, sizeof what, "%s dweight", tag);
	CHECK(gradcheck(what, g.weight, g.dweight, HC * F, gat_loss, &g) < GRADCHECK_TOL);
	snprintf(what, sizeof what, "%s datt_src", tag);
	CHECK(gradcheck(what, g.att_src, g.datt_src, HC, gat_loss, &g) < GRADCHECK_TOL);
	snprintf(what, sizeof what, "%s datt_dst", tag);
	CHECK(gradcheck(what, g.att_dst, g.datt_dst, HC, gat_loss, &g) < GRADCHECK_TOL);
	snprintf(what, sizeof what, "%s dbias", tag);
	CHECK(gradcheck(what, g.bias, g.dbias, g.width, gat_loss, &g) < GRADCHECK_TOL);
	free(g.mem);
}

TEST(gat_attention_is_a_softmax_over_edges_only)
{
	static struct gat_case g;
	int b, h, i, j, c;

	gat_setup(&g, 1, 4);
	gat_loss(&g);
	for (b = 0; b < B; b++)
		for (h = 0; h < H; h++)
			for (i = 0; i < N; i++) {
				/* α_ij at [b][h][j][i] */
				const real *col = g.cache.alpha + ((size_t)b * H + h) * N * N + i;
				double sum = 0.0;

				for (j = 0; j < N; j++) {
					sum += col[(size_t)j * N];
					if (i != j && g.adj[(b * N + i) * N + j] == 0)
						CHECK(col[(size_t)j * N] == 0);
					else
						CHECK(col[(size_t)j * N] > 0);
				}
				CHECK_NEAR(sum, 1, 1e-14);
			}
	/* isolated node 5 of snapshot 0 attends only to itself */
	for (h = 0; h < H; h++)
		CHECK_NEAR(g.cache.alpha[((size_t)h * N + 5) * N + 5], 1, 0);
	for (c = 0; c < HC; c++)
		CHECK_NEAR(g.out[5 * HC + c],
			   dot(g.weight + c * F, g.x + 5 * F, F) + g.bias[c], 1e-14);
	free(g.mem);
}

TEST(gat_mean_is_the_mean_of_the_concatenated_heads)
{
	static struct gat_case cat, avg;
	int bn, h, c;

	gat_setup(&cat, 1, 5);
	gat_setup(&avg, 0, 5);
	memset(cat.bias, 0, sizeof cat.bias);
	memset(avg.bias, 0, sizeof avg.bias);
	gat_loss(&cat);
	gat_loss(&avg);
	for (bn = 0; bn < B * N; bn++)
		for (c = 0; c < C; c++) {
			double s = 0.0;

			for (h = 0; h < H; h++)
				s += cat.out[bn * HC + h * C + c];
			CHECK_NEAR(avg.out[bn * C + c], s / H, 1e-14);
		}
	free(cat.mem);
	free(avg.mem);
}

TEST(gat_concat_gradients_match_finite_differences)
{
	gat_check_all("gat concat", 1, 6);
}

TEST(gat_mean_gradients_match_finite_differences)
{
	gat_check_all("gat mean", 0, 7);
}

TEST(gat_backward_accumulates)
{
	static struct gat_case g;
	real dx1[B * N * F], dw1[HC * F], ds1[HC];
	int k;

	gat_setup(&g, 1, 8);
	gat_grads(&g);
	memcpy(dx1, g.dx, sizeof dx1);
	memcpy(dw1, g.dweight, sizeof dw1);
	memcpy(ds1, g.datt_src, sizeof ds1);
	nn_gat_backward(g.dx, g.dweight, g.datt_src, g.datt_dst, g.dbias, &g.cache,
			g.r, g.x, g.weight, g.att_src, g.att_dst, B, N, F, H, C, 1);
	for (k = 0; k < B * N * F; k++)
		CHECK_NEAR(g.dx[k], 2 * dx1[k], 1e-14);
	for (k = 0; k < HC * F; k++)
		CHECK_NEAR(g.dweight[k], 2 * dw1[k], 1e-14);
	for (k = 0; k < HC; k++)
		CHECK_NEAR(g.datt_src[k], 2 * ds1[k], 1e-14);
	free(g.mem);
}

int main(void)
{
	RUN(gcn_norm_matches_hand_computation);
	RUN(gcn_ignores_the_input_diagonal);
	RUN(gcn_isolated_node_keeps_its_own_features);
	RUN(gcn_gradients_match_finite_differences);
	RUN(gcn_backward_accumulates);
	RUN(gat_attention_is_a_softmax_over_edges_only);
	RUN(gat_mean_is_the_mean_of_the_concatenated_heads);
	RUN(gat_concat_gradients_match_finite_differences);
	RUN(gat_mean_gradients_match_finite_differences);
	RUN(gat_backward_accumulates);
	return tn_t_done();
}
