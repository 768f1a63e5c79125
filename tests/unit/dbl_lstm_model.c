/* Unit tests (double build): common/lstm_model.c - the whole forecaster's
 * backward pass (LSTM stack, last timestep, fc1, ReLU, dropout, fc2)
 * against central finite differences, w.r.t. every parameter tensor, in
 * training mode under fixed dropout masks and in evaluation mode; and the
 * freeze backward, which must give the head the same gradients and the
 * LSTM none. */
#include "gradcheck.h"
#include "lstm_model.h"
#include "rng.h"
#include "tn_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Small shapes: the check is O(P^2 T B). */
enum { GB = 3, GT = 5, GH = 4, GL = 2, GF = 6, GZ = 3 };
#define GP 0.3

struct model_ctx {
	struct lstm_model m;
	struct lstm_work w;
	int train;
	real x[GB * GT * LSTM_MODEL_INPUTS];
	real r[GB * GZ]; /* loss = sum(r * y) */
	real y[GB * GZ];
};

static double model_loss(void *arg)
{
	struct model_ctx *c = arg;
	double s = 0;
	int k;

	lstm_model_forward(c->y, &c->w, c->x, &c->m, GB, c->train, NULL);
	for (k = 0; k < GB * GZ; k++)
		s += (double)c->r[k] * (double)c->y[k];
	return s;
}

static void setup(struct model_ctx *c, int train, uint64_t seed)
{
	struct lstm_model_config cfg;
	struct tn_rng rng;
	char err[256];
	int k, n;

	memset(c, 0, sizeof *c);
	cfg.inputs = LSTM_MODEL_INPUTS;
	cfg.hidden = GH;
	cfg.layers = GL;
	cfg.fc = GF;
	cfg.horizon = GZ;
	cfg.context = GT;
	cfg.dropout = GP;
	if (lstm_model_init(&c->m, &cfg, err, sizeof err) < 0) {
		FAILF("lstm_model_init: %s", err);
		exit(1);
	}
	tn_rng_seed(&rng, seed);
	/* Weights 3x PyTorch's range, so the gates leave their linear parts
	 * and the ReLU sees both signs. */
	for (k = 0; k < (int)c->m.params.total; k++)
		c->m.params.value[k] =
			(real)(3.0 / sqrt(GH) * (2 * tn_rng_uniform(&rng) - 1));
	for (k = 0; k < GB * GT * LSTM_MODEL_INPUTS; k++)
		c->x[k] = (real)(2 * tn_rng_uniform(&rng) - 1);
	for (k = 0; k < GB * GZ; k++)
		c->r[k] = (real)(2 * tn_rng_uniform(&rng) - 1);
	lstm_work_init(&c->w, &c->m, GB);
	c->train = train ? 2 : 0;
	/* Fixed masks, as nn_lstm_draw_masks / nn_dropout_mask would draw
	 * them: 0 or 1 / (1 - p). */
	n = GB * GT * GH;
	for (k = 0; k < n; k++)
		c->w.cache.layer[0].mask[k] =
			(real)(tn_rng_uniform(&rng) < GP ? 0 : 1 / (1 - GP));
	for (k = 0; k < GB * GF; k++)
		c->w.mask1[k] =
			(real)(tn_rng_uniform(&rng) < GP ? 0 : 1 / (1 - GP));
}

static void teardown(struct model_ctx *c)
{
	lstm_work_free(&c->w);
	lstm_model_free(&c->m);
}

static void analytic(struct model_ctx *c, int freeze)
{
	nn_params_zero_grad(&c->m.params);
	model_loss(c);
	lstm_model_backward(&c->m, &c->w, c->r, c->x, freeze);
}

static void check_every_tensor(int train, uint64_t seed)
{
	struct model_ctx *c = malloc(sizeof *c);
	real *grad;
	size_t i, P;

	setup(c, train, seed);
	P = c->m.params.total;
	analytic(c, 0);
	grad = malloc(P * sizeof *grad);
	memcpy(grad, c->m.params.grad, P * sizeof *grad);
	for (i = 0; i < c->m.params.n; i++) {
		size_t off = c->m.params.offset[i];
		double err = gradcheck(c->m.params.table[i].name,
				       c->m.params.value + off, grad + off,
				       (int)nn_param_numel(&c->m.params, i),
				       model_loss, c);

		if (!(err < GRADCHECK_TOL))
			FAILF("%s: worst relative error %g", c->m.params.table[i].name,
			      err);
	}
	free(grad);
	teardown(c);
	free(c);
}

TEST(gradients_match_finite_differences_in_training)
{
	check_every_tensor(1, 11);
}

TEST(gradients_match_finite_differences_in_evaluation)
{
	check_every_tensor(0, 12);
}

TEST(freeze_gives_the_head_its_gradients_and_the_lstm_none)
{
	struct model_ctx *c = malloc(sizeof *c);
	real *full;
	size_t P, head, k;

	setup(c, 1, 13);
	P = c->m.params.total;
	head = c->m.params.offset[c->m.head_first];
	analytic(c, 0);
	full = malloc(P * sizeof *full);
	memcpy(full, c->m.params.grad, P * sizeof *full);
	analytic(c, 1);
	for (k = 0; k < head; k++)
		if (c->m.params.grad[k] != 0) {
			FAILF("LSTM gradient [%zu] = %g under freeze", k,
			      (double)c->m.params.grad[k]);
			break;
		}
	for (k = head; k < P; k++)
		if (c->m.params.grad[k] != full[k]) {
			FAILF("head gradient [%zu] = %.17g, want %.17g", k,
			      (double)c->m.params.grad[k], (double)full[k]);
			break;
		}
	free(full);
	teardown(c);
	free(c);
}

int main(void)
{
	RUN(gradients_match_finite_differences_in_training);
	RUN(gradients_match_finite_differences_in_evaluation);
	RUN(freeze_gives_the_head_its_gradients_and_the_lstm_none);
	return tn_t_done();
}
