/* Unit tests: common/gnn_model.c in double precision - the gradient of the
 * whole composed network (GCN, GCN, GAT, head, with activations and
 * dropout between them) with respect to every parameter tensor, against
 * central finite differences of a training loss, for ELU and ReLU, with
 * and without dropout; plus the workspace's batch-size independence and
 * the file round trip.
 *
 * Dimension letters: B snapshots, N nodes, F features, D hidden, H heads. */
#include "cli.h"
#include "gnn_model.h"
#include "gradcheck.h"
#include "nn_h5.h"
#include "nn_loss.h"
#include "rng.h"
#include "tn_test.h"

enum { B = 3, N = 5, F = 4, D = 8, H = 2 };

/* The seed of the dropout masks: each loss evaluation reseeds with it, so
 * the forward is the same function of the parameters every time. */
#define MASK_SEED 77

struct gcase {
	struct gnn_model model;
	struct gnn_work work;
	struct tn_rng rng;
	int dropout;
	real x[B * N * F], adj[B * N * N], target[B * N], mask[B * N];
	real dpred[B * N];
};

static void fill_normal(real *v, int n, double scale, struct tn_rng *rng)
{
	int k;

	for (k = 0; k < n; k++)
		v[k] = (real)(scale * tn_rng_normal(rng));
}

/* Loss: MSE over the present nodes plus a pairwise rank term, the
 * objective gnn-train minimises (with --rank-weight). */
static double gcase_loss_grad(struct gcase *g, int want_grad)
{
	double loss;

	tn_rng_seed(&g->rng, MASK_SEED);
	gnn_forward(&g->model, &g->work, g->x, g->adj, NULL, B,
		    g->dropout ? &g->rng : NULL);
	if (want_grad)
		memset(g->dpred, 0, sizeof g->dpred);
	loss = nn_mse_loss(want_grad ? g->dpred : NULL, g->work.pred, g->target,
			   g->mask, 1, B * N);
	loss += 0.5 * nn_rank_loss(want_grad ? g->dpred : NULL, g->work.pred,
				   g->target, g->mask, (real)0.5, B, N);
	return loss;
}

static double gcase_loss(void *ctx)
{
	return gcase_loss_grad(ctx, 0);
}

static void gcase_setup(struct gcase *g, enum gnn_act act, int dropout,
			uint64_t seed)
{
	struct gnn_config cfg = { N, F, D, H, act, dropout ? 0.3 : 0.0 };
	struct tn_rng rng;
	char err[256];
	int b, i, j;

	memset(g, 0, sizeof *g);
	tn_rng_seed(&rng, seed);
	g->dropout = dropout;
	if (gnn_model_init(&g->model, &cfg, &rng, err, sizeof err) < 0) {
		FAILF("gnn_model_init: %s", err);
		return;
	}
	/* Nonzero biases everywhere, so a missed bias gradient shows. */
	fill_normal(g->model.params.value, (int)g->model.params.total, 0.4, &rng);
	gnn_work_init(&g->work, &cfg, B);
	fill_normal(g->x, B * N * F, 1.0, &rng);
	fill_normal(g->target, B * N, 1.0, &rng);
	/* Random symmetric weighted graphs with some non-edges; one node of
	 * snapshot 0 isolated. */
	for (b = 0; b < B; b++)
		for (i = 0; i < N; i++)
			for (j = 0; j < i; j++) {
				double u = tn_rng_uniform(&rng);
				real w = u < 0.3 ? 0 : (real)(0.3 + u);

				if (b == 0 && (i == N - 1 || j == N - 1))
					w = 0;
				g->adj[(b * N + i) * N + j] = w;
				g->adj[(b * N + j) * N + i] = w;
			}
	for (i = 0; i < B * N; i++)
		g->mask[i] = i % 7 == 3 ? 0 : 1;
}

static void gcase_free(struct gcase *g)
{
	gnn_work_free(&g->work);
	gnn_model_free(&g->model);
}

static void check_every_tensor(struct gcase *g, const char *label)
{
	struct nn_params *p = &g->model.params;
	size_t t;

	nn_params_zero_grad(p);
	gcase_loss_grad(g, 1);
	gnn_backward(&g->model, &g->work, g->dpred, g->x);
	for (t = 0; t < p->n; t++) {
		char what[128];
		double err;

		snprintf(what, sizeof what, "%s %s", label, p->table[t].name);
		err = gradcheck(what, nn_param_value(p, t), nn_param_grad(p, t),
				(int)nn_param_numel(p, t), gcase_loss, g);
		if (!(err < GRADCHECK_TOL))
			FAILF("%s: worst relative error %g", what, err);
	}
}

TEST(whole_model_gradients_elu)
{
	struct gcase *g = xmalloc(sizeof *g);

	gcase_setup(g, GNN_ACT_ELU, 0, 1);
	check_every_tensor(g, "elu");
	gcase_free(g);
	free(g);
}

TEST(whole_model_gradients_elu_dropout)
{
	struct gcase *g = xmalloc(sizeof *g);

	gcase_setup(g, GNN_ACT_ELU, 1, 2);
	check_every_tensor(g, "elu+dropout");
	gcase_free(g);
	free(g);
}

TEST(whole_model_gradients_relu)
{
	struct gcase *g = xmalloc(sizeof *g);

	gcase_setup(g, GNN_ACT_RELU, 0, 3);
	check_every_tensor(g, "relu");
	gcase_free(g);
	free(g);
}

/* Evaluating snapshots one at a time or all at once gives the same
 * predictions: nothing leaks between the snapshots of a batch. */
TEST(batch_size_does_not_change_predictions)
{
	struct gcase *g = xmalloc(sizeof *g);
	struct gnn_work one;
	real all[B * N];
	int b, i;

	gcase_setup(g, GNN_ACT_ELU, 0, 4);
	gnn_forward(&g->model, &g->work, g->x, g->adj, NULL, B, NULL);
	memcpy(all, g->work.pred, sizeof all);
	gnn_work_init(&one, &g->model.cfg, 1);
	for (b = 0; b < B; b++) {
		gnn_forward(&g->model, &one, g->x + b * N * F, g->adj + b * N * N, NULL,
			    1, NULL);
		for (i = 0; i < N; i++)
			CHECK_NEAR(one.pred[i], all[b * N + i], 1e-12);
	}
	gnn_work_free(&one);
	gcase_free(g);
	free(g);
}

/* A normalised adjacency handed in (as gnn-train precomputes it) gives
 * the same predictions and gradients, to the bit, as one computed in the
 * forward; a wrong one is used, not recomputed. */
TEST(precomputed_norm_is_used_as_given)
{
	struct gcase *g = xmalloc(sizeof *g);
	real norm[B * N * N], pred[B * N], *grad;
	size_t P, k;

	gcase_setup(g, GNN_ACT_ELU, 1, 6);
	P = g->model.params.total;
	grad = xmalloc(P * sizeof *grad);
	nn_params_zero_grad(&g->model.params);
	gcase_loss_grad(g, 1);
	gnn_backward(&g->model, &g->work, g->dpred, g->x);
	memcpy(pred, g->work.pred, sizeof pred);
	memcpy(grad, g->model.params.grad, P * sizeof *grad);
	nn_gcn_norm(norm, g->adj, B, N);
	nn_params_zero_grad(&g->model.params);
	tn_rng_seed(&g->rng, MASK_SEED);
	gnn_forward(&g->model, &g->work, g->x, g->adj, norm, B, &g->rng);
	memset(g->dpred, 0, sizeof g->dpred);
	nn_mse_loss(g->dpred, g->work.pred, g->target, g->mask, 1, B * N);
	nn_rank_loss(g->dpred, g->work.pred, g->target, g->mask, (real)0.5, B, N);
	gnn_backward(&g->model, &g->work, g->dpred, g->x);
	CHECK(memcmp(pred, g->work.pred, sizeof pred) == 0);
	for (k = 0; k < P && g->model.params.grad[k] == grad[k]; k++)
		;
	CHECK_INT(k, P);
	norm[1] += 1;
	gnn_forward(&g->model, &g->work, g->x, g->adj, norm, B, NULL);
	CHECK(memcmp(pred, g->work.pred, sizeof pred) != 0);
	free(grad);
	gcase_free(g);
	free(g);
}

/* A model's future must not depend on a node the target does not see:
 * cutting every edge of node N-1 of snapshot 0 leaves node 0's prediction
 * on snapshot 0 unchanged when it was isolated already. */
TEST(isolated_node_does_not_influence_others)
{
	struct gcase *g = xmalloc(sizeof *g);
	real before;
	int f;

	gcase_setup(g, GNN_ACT_ELU, 0, 5);
	gnn_forward(&g->model, &g->work, g->x, g->adj, NULL, B, NULL);
	before = g->work.pred[0];
	for (f = 0; f < F; f++)
		g->x[(N - 1) * F + f] += 3;
	gnn_forward(&g->model, &g->work, g->x, g->adj, NULL, B, NULL);
	CHECK_NEAR(g->work.pred[0], before, 1e-14);
	gcase_free(g);
	free(g);
}

TEST(config_check_rejects_bad_shapes)
{
	struct gnn_config c = { N, F, 10, 4, GNN_ACT_ELU, 0.1 };
	char err[128];

	CHECK(gnn_config_check(&c, err, sizeof err) < 0);
	c.hidden = 8;
	CHECK(gnn_config_check(&c, err, sizeof err) == 0);
	c.dropout = 1;
	CHECK(gnn_config_check(&c, err, sizeof err) < 0);
	c.dropout = 0;
	c.nodes = 0;
	CHECK(gnn_config_check(&c, err, sizeof err) < 0);
}

TEST(model_file_round_trip)
{
	struct gcase *g = xmalloc(sizeof *g);
	struct gnn_model back;
	char path[] = "/tmp/dbl_gnn_model.XXXXXX", err[NN_H5_ERR_MAX];
	hid_t file;
	size_t k;
	int fd;

	gcase_setup(g, GNN_ACT_RELU, 1, 6);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	file = nn_h5_create(path, err, sizeof err);
	CHECK(file >= 0);
	CHECK(gnn_model_write(file, &g->model, err, sizeof err) == 0);
	CHECK(nn_h5_close(file, err, sizeof err) == 0);
	file = nn_h5_open(path, err, sizeof err);
	CHECK(file >= 0);
	if (gnn_model_read(file, &back, err, sizeof err) < 0) {
		FAILF("gnn_model_read: %s", err);
	} else {
		CHECK_INT(back.cfg.nodes, N);
		CHECK_INT(back.cfg.hidden, D);
		CHECK_INT(back.cfg.heads, H);
		CHECK_INT(back.cfg.act, GNN_ACT_RELU);
		CHECK_NEAR(back.cfg.dropout, 0.3, 0);
		/* float32 on disk */
		for (k = 0; k < back.params.total; k++)
			CHECK_NEAR(back.params.value[k],
				   (float)g->model.params.value[k], 0);
		gnn_model_free(&back);
	}
	nn_h5_close(file, err, sizeof err);
	unlink(path);
	gcase_free(g);
	free(g);
}

int main(void)
{
	RUN(whole_model_gradients_elu);
	RUN(whole_model_gradients_elu_dropout);
	RUN(whole_model_gradients_relu);
	RUN(batch_size_does_not_change_predictions);
	RUN(precomputed_norm_is_used_as_given);
	RUN(isolated_node_does_not_influence_others);
	RUN(config_check_rejects_bad_shapes);
	RUN(model_file_round_trip);
	return tn_t_done();
}
