/* Unit tests: common/nn_loss.c in double precision - known values, masks,
 * weights, and every loss's gradient against finite differences.
 *
 * Dimension letters: B snapshots, N nodes per snapshot. */
#include "gradcheck.h"
#include "nn_loss.h"
#include "rng.h"
#include "tn_test.h"

enum { B = 3, N = 7 };

/* How far from 0 every pair's product must be: finite differences with a
 * step of 1e-5 then never straddle the rank loss's hinge. */
#define KINK_MARGIN 1e-3

enum loss_kind { LOSS_MSE, LOSS_HUBER, LOSS_IC, LOSS_RANK };

struct loss_case {
	enum loss_kind kind;
	real pred[B * N], target[B * N], mask[B * N], dpred[B * N];
	const real *maskp;
	real weight;
};

static double eval(struct loss_case *t, real *dpred)
{
	switch (t->kind) {
	case LOSS_MSE:
		return nn_mse_loss(dpred, t->pred, t->target, t->maskp, t->weight, B * N);
	case LOSS_HUBER:
		return nn_huber_loss(dpred, t->pred, t->target, t->maskp, 0.5,
				     t->weight, B * N);
	case LOSS_IC:
		return nn_ic_loss(dpred, t->pred, t->target, t->maskp, NN_IC_EPS,
				  t->weight, B, N);
	case LOSS_RANK:
		return nn_rank_loss(dpred, t->pred, t->target, t->maskp, t->weight, B, N);
	}
	return NAN;
}

/* The weighted loss, so the check covers the weight too. */
static double loss_fn(void *ctx)
{
	struct loss_case *t = ctx;

	return t->weight * eval(t, NULL);
}

/* Snapshot 0 complete, snapshot 1 missing two targets, snapshot 2 with a
 * single target (it drops out of the cross-sectional losses). */
static void setup(struct loss_case *t, enum loss_kind kind, int masked, uint64_t seed)
{
	struct tn_rng rng;
	int k;

	tn_rng_seed(&rng, seed);
	t->kind = kind;
	t->weight = 0.7;
	for (k = 0; k < B * N; k++) {
		t->target[k] = (real)tn_rng_normal(&rng);
		t->pred[k] = (real)(0.5 * t->target[k] + tn_rng_normal(&rng));
		t->mask[k] = 1;
	}
	t->mask[1 * N + 2] = t->mask[1 * N + 5] = 0;
	for (k = 1; k < N; k++)
		t->mask[2 * N + k] = 0;
	t->maskp = masked ? t->mask : NULL;
	memset(t->dpred, 0, sizeof t->dpred);
}

/* The smallest |(p_i - p_j)(y_i - y_j)| over present pairs: the rank
 * loss's kink is where it is 0. */
static double rank_min_product(const struct loss_case *t)
{
	double m = INFINITY;
	int b, i, j;

	for (b = 0; b < B; b++)
		for (i = 0; i < N; i++)
			for (j = i + 1; j < N; j++) {
				const real *p = t->pred + b * N, *y = t->target + b * N;

				if (t->maskp && (!t->maskp[b * N + i] || !t->maskp[b * N + j]))
					continue;
				m = fmin(m, fabs(((double)p[i] - p[j]) * (y[i] - y[j])));
			}
	return m;
}

static void check_gradient(const char *what, enum loss_kind kind, int masked,
			   uint64_t seed)
{
	static struct loss_case t;
	double value;
	int k;

	setup(&t, kind, masked, seed);
	if (kind == LOSS_RANK) {
		double m = rank_min_product(&t);

		printf("# %s: smallest |(p_i - p_j)(y_i - y_j)| %.3g\n", what, m);
		CHECK(m > KINK_MARGIN);
	}
	value = eval(&t, t.dpred);
	CHECK(isfinite(value));
	CHECK_NEAR(eval(&t, NULL), value, 0);
	CHECK(gradcheck(what, t.pred, t.dpred, B * N, loss_fn, &t) < GRADCHECK_TOL);
	if (masked)
		for (k = 0; k < B * N; k++)
			if (!t.mask[k])
				CHECK(t.dpred[k] == 0);
}

TEST(mse_value)
{
	real p[4] = { 1, 2, 3, 4 }, y[4] = { 0, 2, 5, 4 }, m[4] = { 1, 1, 1, 0 };

	CHECK_NEAR(nn_mse_loss(NULL, p, y, NULL, 1, 4), (1 + 0 + 4 + 0) / 4.0, 1e-15);
	CHECK_NEAR(nn_mse_loss(NULL, p, y, m, 1, 4), (1 + 0 + 4) / 3.0, 1e-15);
	m[0] = m[1] = m[2] = 0;
	CHECK_NEAR(nn_mse_loss(NULL, p, y, m, 1, 4), 0, 0);
}

TEST(huber_value_matches_both_branches)
{
	/* residuals 0.3 (quadratic), -2 and 1.5 (linear), delta 1 */
	real p[3] = { 0.3, -2, 1.5 }, y[3] = { 0, 0, 0 }, d[3] = { 0, 0, 0 };
	double want = (0.5 * 0.09 + (2 - 0.5) + (1.5 - 0.5)) / 3;

	CHECK_NEAR(nn_huber_loss(d, p, y, NULL, 1, 1, 3), want, 1e-15);
	CHECK_NEAR(d[0], 0.3 / 3, 1e-15);
	CHECK_NEAR(d[1], -1.0 / 3, 1e-15);
	CHECK_NEAR(d[2], 1.0 / 3, 1e-15);
}

TEST(ic_loss_of_perfect_and_inverse_orderings)
{
	real y[5] = { 0.01, -0.02, 0.03, 0.0, -0.01 }, p[5], q[5];
	int k;

	for (k = 0; k < 5; k++) {
		p[k] = (real)(3 * y[k] + 1);
		q[k] = (real)(-2 * y[k]);
	}
	/* variance of y is 2.6e-4: ε = 1e-6 moves the correlation by ~0.4% */
	CHECK_NEAR(nn_ic_loss(NULL, p, y, NULL, 1e-12, 1, 1, 5), 0, 1e-6);
	CHECK_NEAR(nn_ic_loss(NULL, q, y, NULL, 1e-12, 1, 1, 5), 2, 1e-6);
	CHECK_NEAR(nn_ic_loss(NULL, p, y, NULL, NN_IC_EPS, 1, 1, 5), 0, 1e-2);
}

TEST(ic_loss_guards_constant_predictions)
{
	real y[4] = { 0.01, -0.02, 0.03, 0.0 }, p[4] = { 0.5, 0.5, 0.5, 0.5 };
	real d[4] = { 0, 0, 0, 0 };
	int k;

	CHECK_NEAR(nn_ic_loss(d, p, y, NULL, NN_IC_EPS, 1, 1, 4), 1, 1e-12);
	for (k = 0; k < 4; k++)
		CHECK(isfinite(d[k]));
	/* the gradient points towards the target's ordering */
	CHECK(d[2] < 0 && d[1] > 0);
}

TEST(rank_loss_value)
{
	/* pairs (0,1) concordant; (0,2): -(1-3)(0.1-0.2) = -0.2, concordant;
	 * (1,2): -(2-3)(0.3-0.2) = 0.1, discordant: loss = 0.1 / 3 pairs */
	real p[3] = { 1, 2, 3 }, y[3] = { 0.1, 0.3, 0.2 }, z[3] = { 1, 2, 3 };

	CHECK_NEAR(nn_rank_loss(NULL, p, y, NULL, 1, 1, 3), 0.1 / 3, 1e-15);
	CHECK_NEAR(nn_rank_loss(NULL, p, z, NULL, 1, 1, 3), 0, 0);
}

TEST(losses_with_no_present_target_are_zero)
{
	real p[4] = { 1, 2, 3, 4 }, y[4] = { 4, 3, 2, 1 }, m[4] = { 0, 0, 1, 0 };
	real d[4] = { 0, 0, 0, 0 };
	int k;

	CHECK_NEAR(nn_ic_loss(d, p, y, m, NN_IC_EPS, 1, 1, 4), 0, 0);
	CHECK_NEAR(nn_rank_loss(d, p, y, m, 1, 1, 4), 0, 0);
	m[2] = 0;
	CHECK_NEAR(nn_huber_loss(d, p, y, m, 1, 1, 4), 0, 0);
	for (k = 0; k < 4; k++)
		CHECK(d[k] == 0);
}

TEST(weighted_losses_combine_in_one_gradient)
{
	static struct loss_case a, b;
	real both[B * N];
	int k;

	setup(&a, LOSS_MSE, 1, 11);
	setup(&b, LOSS_IC, 1, 11);
	a.weight = 1;
	b.weight = 0.1;
	eval(&a, a.dpred);
	eval(&b, b.dpred);
	memset(both, 0, sizeof both);
	eval(&a, both);
	eval(&b, both);
	for (k = 0; k < B * N; k++)
		CHECK_NEAR(both[k], a.dpred[k] + b.dpred[k], 1e-15);
}

TEST(mse_gradient_matches_finite_differences)
{
	check_gradient("mse", LOSS_MSE, 0, 21);
	check_gradient("mse masked", LOSS_MSE, 1, 22);
}

TEST(huber_gradient_matches_finite_differences)
{
	check_gradient("huber", LOSS_HUBER, 0, 23);
	check_gradient("huber masked", LOSS_HUBER, 1, 24);
}

TEST(ic_gradient_matches_finite_differences)
{
	check_gradient("ic", LOSS_IC, 0, 25);
	check_gradient("ic masked", LOSS_IC, 1, 26);
}

TEST(rank_gradient_matches_finite_differences)
{
	check_gradient("rank", LOSS_RANK, 0, 27);
	check_gradient("rank masked", LOSS_RANK, 1, 28);
}

int main(void)
{
	RUN(mse_value);
	RUN(huber_value_matches_both_branches);
	RUN(ic_loss_of_perfect_and_inverse_orderings);
	RUN(ic_loss_guards_constant_predictions);
	RUN(rank_loss_value);
	RUN(losses_with_no_present_target_are_zero);
	RUN(weighted_losses_combine_in_one_gradient);
	RUN(mse_gradient_matches_finite_differences);
	RUN(huber_gradient_matches_finite_differences);
	RUN(ic_gradient_matches_finite_differences);
	RUN(rank_gradient_matches_finite_differences);
	return tn_t_done();
}
