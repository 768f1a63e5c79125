/* Unit tests: common/nn_graph.c and nn_loss.c in float32 against PyTorch.
 * The fixture holds dense PyTorch formulations of PyG's GCNConv and
 * GATConv on shared weights (tests/ref/torch_graph.py): forward outputs and
 * the gradients of L = (out * R).sum(), and torch's mse_loss and
 * huber_loss with their gradients.
 *
 * Dimension letters: B snapshots, N nodes, F features, O GCN channels,
 * H heads, C channels per head, n loss elements. */
#include "cli.h"
#include "nn_graph.h"
#include "nn_loss.h"
#include "tn_test.h"

#include "fixtures/torch_graph.h"

/* CHECK_NEAR's tolerance: |got - want| <= TOL * max(1, |want|). */
#define TORCH_TOL 1e-5

enum { B = TG_B, N = TG_N, F = TG_F, O = TG_O, H = TG_H, C = TG_C, HC = H * C };

/* The worst error in CHECK_NEAR's terms, printed as a TAP comment. */
static double compare(const char *what, const real *got, const float *want, int n)
{
	double worst = 0.0;
	int k, at = 0;

	for (k = 0; k < n; k++) {
		double w = want[k], err = fabs((double)got[k] - w) / fmax(1.0, fabs(w));

		if (!(err <= worst)) {
			worst = err;
			at = k;
		}
	}
	printf("# %s: n=%d worst err %.3g at [%d] (got %.9g, torch %.9g)\n", what, n,
	       worst, at, (double)got[at], (double)want[at]);
	return worst;
}

TEST(gcn_matches_torch)
{
	real norm[B * N * N], work[B * N * O], out[B * N * O];
	real dx[B * N * F] = { 0 }, dweight[O * F] = { 0 }, dbias[O] = { 0 };

	nn_gcn_norm(norm, tg_adj, B, N);
	nn_gcn_forward(out, work, tg_gcn_x, norm, tg_gcn_weight, tg_gcn_bias, B, N, F, O);
	nn_gcn_backward(dx, dweight, dbias, work, tg_gcn_r, tg_gcn_x, norm,
			tg_gcn_weight, B, N, F, O);
	CHECK(compare("gcn out", out, tg_gcn_out, B * N * O) <= TORCH_TOL);
	CHECK(compare("gcn dX", dx, tg_gcn_dx, B * N * F) <= TORCH_TOL);
	CHECK(compare("gcn dweight", dweight, tg_gcn_dweight, O * F) <= TORCH_TOL);
	CHECK(compare("gcn dbias", dbias, tg_gcn_dbias, O) <= TORCH_TOL);
}

struct gat_fixture {
	const char *tag;
	int concat, width;
	const float *x, *weight, *att_src, *att_dst, *bias, *r, *out;
	const float *dx, *dweight, *datt_src, *datt_dst, *dbias;
};

static void check_gat(const struct gat_fixture *t)
{
	real out[B * N * HC], dx[B * N * F] = { 0 }, dweight[HC * F] = { 0 };
	real datt_src[HC] = { 0 }, datt_dst[HC] = { 0 }, dbias[HC] = { 0 };
	real *mem = xcalloc(nn_gat_cache_size(B, N, H, C), sizeof(real));
	struct nn_gat_cache cache;
	char what[64];

	nn_gat_cache_bind(&cache, mem, B, N, H, C);
	nn_gat_forward(out, &cache, t->x, tg_adj, t->weight, t->att_src, t->att_dst,
		       t->bias, B, N, F, H, C, t->concat);
	nn_gat_backward(dx, dweight, datt_src, datt_dst, dbias, &cache, t->r, t->x,
			t->weight, t->att_src, t->att_dst, B, N, F, H, C, t->concat);
	snprintf(what, sizeof what, "gat %s out", t->tag);
	CHECK(compare(what, out, t->out, B * N * t->width) <= TORCH_TOL);
	snprintf(what, sizeof what, "gat %s dX", t->tag);
	CHECK(compare(what, dx, t->dx, B * N * F) <= TORCH_TOL);
	snprintf(what, sizeof what, "gat %s dweight", t->tag);
	CHECK(compare(what, dweight, t->dweight, HC * F) <= TORCH_TOL);
	snprintf(what, sizeof what, "gat %s datt_src", t->tag);
	CHECK(compare(what, datt_src, t->datt_src, HC) <= TORCH_TOL);
	snprintf(what, sizeof what, "gat %s datt_dst", t->tag);
	CHECK(compare(what, datt_dst, t->datt_dst, HC) <= TORCH_TOL);
	snprintf(what, sizeof what, "gat %s dbias", t->tag);
	CHECK(compare(what, dbias, t->dbias, t->width) <= TORCH_TOL);
	free(mem);
}

TEST(gat_concat_matches_torch)
{
	struct gat_fixture t = {
		"concat", 1, HC, tg_gat_cat_x, tg_gat_cat_weight, tg_gat_cat_att_src,
		tg_gat_cat_att_dst, tg_gat_cat_bias, tg_gat_cat_r, tg_gat_cat_out,
		tg_gat_cat_dx, tg_gat_cat_dweight, tg_gat_cat_datt_src,
		tg_gat_cat_datt_dst, tg_gat_cat_dbias,
	};

	check_gat(&t);
}

TEST(gat_mean_matches_torch)
{
	struct gat_fixture t = {
		"mean", 0, C, tg_gat_mean_x, tg_gat_mean_weight, tg_gat_mean_att_src,
		tg_gat_mean_att_dst, tg_gat_mean_bias, tg_gat_mean_r, tg_gat_mean_out,
		tg_gat_mean_dx, tg_gat_mean_dweight, tg_gat_mean_datt_src,
		tg_gat_mean_datt_dst, tg_gat_mean_dbias,
	};

	check_gat(&t);
}

TEST(mse_matches_torch)
{
	real dpred[TG_N_LOSS] = { 0 };
	double v = nn_mse_loss(dpred, tg_loss_pred, tg_loss_target, NULL, 1, TG_N_LOSS);

	CHECK_NEAR(v, tg_mse_value, TORCH_TOL);
	CHECK(compare("mse dpred", dpred, tg_mse_dpred, TG_N_LOSS) <= TORCH_TOL);
}

TEST(huber_matches_torch)
{
	real dpred[TG_N_LOSS] = { 0 };
	double v = nn_huber_loss(dpred, tg_loss_pred, tg_loss_target, NULL,
				 TG_HUBER_DELTA, 1, TG_N_LOSS);

	CHECK_NEAR(v, tg_huber_value, TORCH_TOL);
	CHECK(compare("huber dpred", dpred, tg_huber_dpred, TG_N_LOSS) <= TORCH_TOL);
}

int main(void)
{
	RUN(gcn_matches_torch);
	RUN(gat_concat_matches_torch);
	RUN(gat_mean_matches_torch);
	RUN(mse_matches_torch);
	RUN(huber_matches_torch);
	return tn_t_done();
}
