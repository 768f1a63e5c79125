/* Unit tests (double build): common/nn_dense.c and common/nn_act.c -
 * analytic gradients against central finite differences, and the
 * accumulate-into-gradients contract. */
#include "gradcheck.h"
#include "nn_act.h"
#include "nn_dense.h"
#include "rng.h"
#include "tn_test.h"

/* Shapes of the dense checks: rows, inputs, outputs. */
enum { DN = 4, DI = 5, DO = 3 };
/* Elements of the activation checks. */
enum { AN = 16 };

static void fill_uniform(real *v, int n, double lo, double hi,
			 struct tn_rng *rng)
{
	int k;

	for (k = 0; k < n; k++)
		v[k] = (real)(lo + (hi - lo) * tn_rng_uniform(rng));
}

/* Inputs kept at least `gap` away from zero, so no finite difference
 * straddles a kink. */
static void fill_away_from_zero(real *v, int n, double gap,
				struct tn_rng *rng)
{
	int k;

	for (k = 0; k < n; k++) {
		double u = gap + (2.0 - gap) * tn_rng_uniform(rng);

		v[k] = (real)(tn_rng_uniform(rng) < 0.5 ? -u : u);
	}
}

static double weighted_sum(const real *w, const real *y, int n)
{
	double s = 0;
	int k;

	for (k = 0; k < n; k++)
		s += (double)w[k] * (double)y[k];
	return s;
}

struct dense_ctx {
	real x[DN * DI], W[DO * DI], b[DO], r[DN * DO], y[DN * DO];
};

/* loss = sum(r * (x W^T + b)) */
static double dense_loss(void *arg)
{
	struct dense_ctx *c = arg;

	nn_dense_forward(c->y, c->x, c->W, c->b, DN, DI, DO);
	return weighted_sum(c->r, c->y, DN * DO);
}

TEST(dense_gradients_match_finite_differences)
{
	struct dense_ctx c;
	struct tn_rng rng;
	real dx[DN * DI] = { 0 }, dW[DO * DI] = { 0 }, db[DO] = { 0 };

	tn_rng_seed(&rng, 1);
	fill_uniform(c.x, DN * DI, -1, 1, &rng);
	fill_uniform(c.W, DO * DI, -1, 1, &rng);
	fill_uniform(c.b, DO, -1, 1, &rng);
	fill_uniform(c.r, DN * DO, -1, 1, &rng);
	dense_loss(&c);
	nn_dense_backward(dx, dW, db, c.r, c.x, c.W, DN, DI, DO);
	CHECK(gradcheck("dense dx", c.x, dx, DN * DI, dense_loss, &c) < GRADCHECK_TOL);
	CHECK(gradcheck("dense dW", c.W, dW, DO * DI, dense_loss, &c) < GRADCHECK_TOL);
	CHECK(gradcheck("dense db", c.b, db, DO, dense_loss, &c) < GRADCHECK_TOL);
}

TEST(dense_forward_matches_hand_computed_values)
{
	/* y = x W^T + b with x (1, 2), W (2, 2) */
	const real x[2] = { 1, 2 }, W[4] = { 1, 2, 3, 4 }, b[2] = { 10, 20 };
	real y[2];

	nn_dense_forward(y, x, W, b, 1, 2, 2);
	CHECK_NEAR(y[0], 15, 0);
	CHECK_NEAR(y[1], 31, 0);
	nn_dense_forward(y, x, W, NULL, 1, 2, 2);
	CHECK_NEAR(y[0], 5, 0);
	CHECK_NEAR(y[1], 11, 0);
}

TEST(dense_backward_accumulates_and_skips_null_gradients)
{
	struct dense_ctx c;
	struct tn_rng rng;
	real once[DO * DI] = { 0 }, twice[DO * DI] = { 0 }, db[DO] = { 0 };
	real dx_once[DN * DI] = { 0 }, dx_twice[DN * DI] = { 0 };
	int k;

	tn_rng_seed(&rng, 2);
	fill_uniform(c.x, DN * DI, -1, 1, &rng);
	fill_uniform(c.W, DO * DI, -1, 1, &rng);
	fill_uniform(c.r, DN * DO, -1, 1, &rng);
	nn_dense_backward(dx_once, once, NULL, c.r, c.x, c.W, DN, DI, DO);
	nn_dense_backward(dx_twice, twice, db, c.r, c.x, c.W, DN, DI, DO);
	nn_dense_backward(dx_twice, twice, db, c.r, c.x, c.W, DN, DI, DO);
	for (k = 0; k < DO * DI; k++)
		CHECK_NEAR(twice[k], 2 * once[k], 1e-12);
	for (k = 0; k < DN * DI; k++)
		CHECK_NEAR(dx_twice[k], 2 * dx_once[k], 1e-12);
	for (k = 0; k < DO; k++) {
		double col = 0;
		int n;

		for (n = 0; n < DN; n++)
			col += c.r[n * DO + k];
		CHECK_NEAR(db[k], 2 * col, 1e-12);
	}
}

enum act { ACT_RELU, ACT_LEAKY, ACT_ELU, ACT_TANH, ACT_SIGMOID, ACT_DROPOUT };

/* LeakyReLU slope and ELU alpha of the checks (not PyTorch's defaults, so
 * a mixed-up parameter shows). */
#define TEST_SLOPE 0.07
#define TEST_ALPHA 1.3

struct act_ctx {
	enum act act;
	real x[AN], y[AN], r[AN], mask[AN];
};

static void act_forward(struct act_ctx *c)
{
	switch (c->act) {
	case ACT_RELU: nn_relu_forward(c->y, c->x, AN); break;
	case ACT_LEAKY: nn_leaky_relu_forward(c->y, c->x, TEST_SLOPE, AN); break;
	case ACT_ELU: nn_elu_forward(c->y, c->x, TEST_ALPHA, AN); break;
	case ACT_TANH: nn_tanh_forward(c->y, c->x, AN); break;
	case ACT_SIGMOID: nn_sigmoid_forward(c->y, c->x, AN); break;
	case ACT_DROPOUT: nn_dropout_forward(c->y, c->x, c->mask, AN); break;
	}
}

static void act_backward(real *dx, const struct act_ctx *c)
{
	switch (c->act) {
	case ACT_RELU: nn_relu_backward(dx, c->r, c->x, AN); break;
	case ACT_LEAKY: nn_leaky_relu_backward(dx, c->r, c->x, TEST_SLOPE, AN); break;
	case ACT_ELU: nn_elu_backward(dx, c->r, c->x, TEST_ALPHA, AN); break;
	case ACT_TANH: nn_tanh_backward(dx, c->r, c->y, AN); break;
	case ACT_SIGMOID: nn_sigmoid_backward(dx, c->r, c->y, AN); break;
	case ACT_DROPOUT: nn_dropout_backward(dx, c->r, c->mask, AN); break;
	}
}

/* loss = sum(r * act(x)) */
static double act_loss(void *arg)
{
	struct act_ctx *c = arg;

	act_forward(c);
	return weighted_sum(c->r, c->y, AN);
}

static double check_act(enum act act, const char *name, uint64_t seed)
{
	struct act_ctx c;
	struct tn_rng rng;
	real dx[AN];
	int k;

	c.act = act;
	tn_rng_seed(&rng, seed);
	fill_away_from_zero(c.x, AN, 0.1, &rng);
	fill_uniform(c.r, AN, -1, 1, &rng);
	/* a fixed mask: every third element dropped, p = 0.25 */
	for (k = 0; k < AN; k++)
		c.mask[k] = k % 3 == 0 ? 0 : (real)(1 / 0.75);
	/* start from ones: the backward must add, not overwrite */
	for (k = 0; k < AN; k++)
		dx[k] = 1;
	act_forward(&c);
	act_backward(dx, &c);
	for (k = 0; k < AN; k++)
		dx[k] -= 1;
	return gradcheck(name, c.x, dx, AN, act_loss, &c);
}

TEST(activation_gradients_match_finite_differences)
{
	CHECK(check_act(ACT_RELU, "relu", 3) < GRADCHECK_TOL);
	CHECK(check_act(ACT_LEAKY, "leaky_relu", 4) < GRADCHECK_TOL);
	CHECK(check_act(ACT_ELU, "elu", 5) < GRADCHECK_TOL);
	CHECK(check_act(ACT_TANH, "tanh", 6) < GRADCHECK_TOL);
	CHECK(check_act(ACT_SIGMOID, "sigmoid", 7) < GRADCHECK_TOL);
	CHECK(check_act(ACT_DROPOUT, "dropout (fixed mask)", 8) < GRADCHECK_TOL);
}

TEST(activations_match_hand_computed_values)
{
	const real x[4] = { -2, -0.5, 0, 3 };
	real y[4];

	nn_relu_forward(y, x, 4);
	CHECK_NEAR(y[0], 0, 0);
	CHECK_NEAR(y[2], 0, 0);
	CHECK_NEAR(y[3], 3, 0);
	nn_leaky_relu_forward(y, x, 0.1, 4);
	CHECK_NEAR(y[0], -0.2, 1e-15);
	CHECK_NEAR(y[3], 3, 0);
	nn_elu_forward(y, x, 1.0, 4);
	CHECK_NEAR(y[1], exp(-0.5) - 1, 1e-15);
	CHECK_NEAR(y[3], 3, 0);
	nn_sigmoid_forward(y, x, 4);
	CHECK_NEAR(y[2], 0.5, 0);
	CHECK_NEAR(y[0], 1 / (1 + exp(2.0)), 1e-15);
	/* no overflow far out in either direction */
	CHECK_NEAR(nn_sigmoid(-800), 0, 0);
	CHECK_NEAR(nn_sigmoid(800), 1, 0);
	nn_tanh_forward(y, x, 4);
	CHECK_NEAR(y[3], tanh(3.0), 1e-15);
}

TEST(dropout_mask_keeps_one_minus_p_scaled_and_eval_is_identity)
{
	enum { n = 20000 };
	static real mask[n], x[n], y[n];
	struct tn_rng rng;
	int k, kept = 0, bad = 0;
	const real p = 0.3;

	tn_rng_seed(&rng, 9);
	nn_dropout_mask(mask, p, n, &rng);
	for (k = 0; k < n; k++) {
		if (mask[k] == 0)
			continue;
		kept++;
		if (mask[k] != 1 / (1 - p))
			bad++;
	}
	CHECK_INT(bad, 0);
	/* 1 - p = 0.7 of 20000 kept; the binomial sd is 65, allow 5 */
	CHECK(kept > 14000 - 325 && kept < 14000 + 325);

	for (k = 0; k < n; k++)
		x[k] = (real)k;
	nn_dropout_forward(y, x, NULL, n);
	CHECK(memcmp(x, y, sizeof x) == 0);
	nn_dropout_mask(mask, 0, n, &rng);
	CHECK_NEAR(mask[0], 1, 0);
	CHECK_NEAR(mask[n - 1], 1, 0);
	nn_dropout_mask(mask, 1, n, &rng);
	CHECK_NEAR(mask[0], 0, 0);
}

TEST(dropout_masks_are_reproducible_from_the_seed)
{
	real a[64], b[64];
	struct tn_rng rng;

	tn_rng_seed(&rng, 11);
	nn_dropout_mask(a, 0.5, 64, &rng);
	tn_rng_seed(&rng, 11);
	nn_dropout_mask(b, 0.5, 64, &rng);
	CHECK(memcmp(a, b, sizeof a) == 0);
}

/* The mask is drawn from the raw 64-bit numbers against an integer
 * threshold; it must be the mask of the plain rule, "kept when
 * tn_rng_uniform() >= p", from the same draws, and leave the stream where
 * that rule would. */
TEST(dropout_mask_is_the_uniform_rule_from_the_same_draws)
{
	enum { n = 4096 };
	static const double ps[] = { 1e-300, 1e-9, 0x1p-53, 0.1, 0.3, 0.5,
				     0.5 + 0x1p-53, 0.7, 0.99, 1 - 0x1p-53 };
	static real mask[n];
	struct tn_rng rng, ref;
	size_t i;
	int k, bad = 0;

	for (i = 0; i < sizeof ps / sizeof *ps; i++) {
		real p = (real)ps[i], scale = 1 / (1 - p);

		tn_rng_seed(&rng, 100 + i);
		ref = rng;
		nn_dropout_mask(mask, p, n, &rng);
		for (k = 0; k < n; k++)
			if (mask[k] != (tn_rng_uniform(&ref) >= p ? scale : 0))
				bad++;
		CHECK(tn_rng_u64(&rng) == tn_rng_u64(&ref));
	}
	CHECK_INT(bad, 0);
	/* p = 0 and p = 1 draw nothing */
	tn_rng_seed(&rng, 7);
	ref = rng;
	nn_dropout_mask(mask, 0, n, &rng);
	nn_dropout_mask(mask, 1, n, &rng);
	CHECK(tn_rng_u64(&rng) == tn_rng_u64(&ref));
}

int main(void)
{
	RUN(dense_gradients_match_finite_differences);
	RUN(dense_forward_matches_hand_computed_values);
	RUN(dense_backward_accumulates_and_skips_null_gradients);
	RUN(activation_gradients_match_finite_differences);
	RUN(activations_match_hand_computed_values);
	RUN(dropout_mask_keeps_one_minus_p_scaled_and_eval_is_identity);
	RUN(dropout_masks_are_reproducible_from_the_seed);
	RUN(dropout_mask_is_the_uniform_rule_from_the_same_draws);
	return tn_t_done();
}
