/* Unit tests: common/evaluate.c - metrics on hand-computed cases. */
#include "evaluate.h"
#include "tn_test.h"

TEST(metrics_of_a_small_case_by_hand)
{
	const double pred[] = { 0.01, -0.02, 0.00, 0.03 };
	const double actual[] = { 0.02, -0.01, 0.01, -0.01 };
	struct tn_eval m;

	tn_eval_compute(&m, pred, actual, 4);
	CHECK_INT(m.n, 4);
	/* errors -0.01, -0.01, -0.01, 0.04 */
	CHECK_NEAR(m.mse, (1e-4 * 3 + 16e-4) / 4, 1e-15);
	CHECK_NEAR(m.mae, 0.07 / 4, 1e-15);
	/* right, right, no call (1/2), wrong */
	CHECK_NEAR(m.dir_acc, 2.5 / 4, 1e-15);
	/* mse_zero = (4 + 1 + 1 + 1)e-4 / 4 */
	CHECK_NEAR(m.skill, 1 - 19e-4 / 7e-4, 1e-12);
}

TEST(ic_is_pearson_and_nan_for_a_constant)
{
	const double a[] = { 1, 2, 3, 4, 5 };
	const double b[] = { 2, 4, 6, 8, 10 };
	const double c[] = { 5, 4, 3, 2, 1 };
	const double zero[] = { 0, 0, 0, 0, 0 };
	struct tn_eval m;

	tn_eval_compute(&m, a, b, 5);
	CHECK_NEAR(m.ic, 1.0, 1e-15);
	tn_eval_compute(&m, c, b, 5);
	CHECK_NEAR(m.ic, -1.0, 1e-15);
	tn_eval_compute(&m, zero, b, 5);
	CHECK(isnan(m.ic));
	CHECK_NEAR(m.skill, 0.0, 0);
	CHECK_NEAR(m.dir_acc, 0.5, 0);
}

TEST(no_moves_means_no_direction_and_no_skill)
{
	const double pred[] = { 0.1, -0.1 };
	const double actual[] = { 0, 0 };
	struct tn_eval m;

	tn_eval_compute(&m, pred, actual, 2);
	CHECK(isnan(m.dir_acc));
	CHECK(isnan(m.skill));
	CHECK_NEAR(m.mse, 0.01, 1e-15);
}

TEST(momentum_baseline_is_scaled_mean_of_the_window)
{
	const double r[] = { 0.01, 0.02, 0.03, 0.04, NAN, 0.06 };

	CHECK_NEAR(tn_baseline_momentum(r, 3, 3, 1), 0.03, 1e-15);
	CHECK_NEAR(tn_baseline_momentum(r, 3, 3, 5), 0.15, 1e-15);
	CHECK(isnan(tn_baseline_momentum(r, 1, 3, 1)));
	CHECK(isnan(tn_baseline_momentum(r, 5, 3, 1)));
	CHECK(isnan(tn_baseline_momentum(r, 3, 0, 1)));
}

int main(void)
{
	RUN(metrics_of_a_small_case_by_hand);
	RUN(ic_is_pearson_and_nan_for_a_constant);
	RUN(no_moves_means_no_direction_and_no_skill);
	RUN(momentum_baseline_is_scaled_mean_of_the_window);
	return tn_t_done();
}
