/* Unit tests (double build): the forms of common/nn_act.c that training
 * uses - the branch-free ELU against its definition, the ELU's backward
 * from its output against finite differences and against the input form,
 * the dropout masks drawn four elements per random number against the
 * rule nn_act.h states, and training's fused activation-dropout passes
 * against finite differences and, bit for bit, the unfused calls. */
#include "gradcheck.h"
#include "mask16_ref.h"
#include "nn_act.h"
#include "rng.h"
#include "tn_test.h"

#include <string.h>

/* Elements of the gradient checks. */
enum { AN = 16 };

/* ELU alpha of the checks (not PyTorch's default 1, so a mixed-up
 * parameter shows). */
#define TEST_ALPHA 1.3

struct elu_ctx {
	real x[AN], y[AN], r[AN];
};

/* loss = sum(r * elu(x)) */
static double elu_loss(void *arg)
{
	struct elu_ctx *c = arg;
	double s = 0;
	int k;

	nn_elu_forward(c->y, c->x, TEST_ALPHA, AN);
	for (k = 0; k < AN; k++)
		s += (double)c->r[k] * c->y[k];
	return s;
}

/* Inputs at least 0.1 away from the kink at 0, half of them negative. */
static void fill_inputs(struct elu_ctx *c, struct tn_rng *rng)
{
	int k;

	for (k = 0; k < AN; k++) {
		double u = 0.1 + 1.9 * tn_rng_uniform(rng);

		c->x[k] = (real)(k % 2 ? -u : u);
		c->r[k] = (real)(2 * tn_rng_uniform(rng) - 1);
	}
}

TEST(elu_backward_from_the_output_matches_finite_differences)
{
	struct elu_ctx c;
	struct tn_rng rng;
	real dx[AN];
	int k;

	tn_rng_seed(&rng, 21);
	fill_inputs(&c, &rng);
	/* start from ones: the backward must add, not overwrite */
	for (k = 0; k < AN; k++)
		dx[k] = 1;
	nn_elu_forward(c.y, c.x, TEST_ALPHA, AN);
	nn_elu_backward_y(dx, c.r, c.y, TEST_ALPHA, AN);
	for (k = 0; k < AN; k++)
		dx[k] -= 1;
	CHECK(gradcheck("elu (from y)", c.x, dx, AN, elu_loss, &c) < GRADCHECK_TOL);
}

/* alpha exp(x) and y + alpha are the same number up to rounding, and at
 * x = 0 both forms take the negative branch's slope, alpha. */
TEST(elu_backward_from_the_output_agrees_with_the_input_form)
{
	struct elu_ctx c;
	struct tn_rng rng;
	real from_x[AN] = { 0 }, from_y[AN] = { 0 };
	int k;

	tn_rng_seed(&rng, 22);
	fill_inputs(&c, &rng);
	c.x[0] = 0;
	nn_elu_forward(c.y, c.x, TEST_ALPHA, AN);
	nn_elu_backward(from_x, c.r, c.x, TEST_ALPHA, AN);
	nn_elu_backward_y(from_y, c.r, c.y, TEST_ALPHA, AN);
	for (k = 0; k < AN; k++)
		CHECK_NEAR(from_y[k], from_x[k], 1e-14);
	CHECK_NEAR(from_y[0], c.r[0] * TEST_ALPHA, 1e-15);
}

/* The branch-free forward gives exactly the numbers of the two-branch
 * definition, and a NaN stays NaN. */
TEST(elu_forward_is_the_two_branch_definition_exactly)
{
	static const real x[] = { -800, -30, -2, -0.5, -1e-300, -0.0, 0, 1e-300,
				  0.5, 2, 1e300 };
	enum { n = sizeof x / sizeof *x };
	real y[n], nan_in = (real)NAN, nan_out;
	int k;

	nn_elu_forward(y, x, TEST_ALPHA, n);
	for (k = 0; k < n; k++) {
		real want = x[k] > 0 ? x[k] : (real)TEST_ALPHA * (exp(x[k]) - 1);

		CHECK(y[k] == want);
	}
	nn_elu_forward(&nan_out, &nan_in, TEST_ALPHA, 1);
	CHECK(isnan(nan_out));
}

TEST(dropout_mask16_follows_its_rule_draw_for_draw)
{
	/* n not a multiple of 4, so the last group is partial; large, so
	 * that each p sees ties (expected n / 2^16 = 16 each) */
	enum { n = (1 << 20) + 3 };
	static const double ps[] = { 1e-300, 0x1p-53, 0.1, 0.3, 0.5,
				     0.5 + 0x1p-40, 0.9, 1 - 0x1p-53 };
	static real mask[n], want[n];
	struct tn_rng rng, ref;
	long ties = 0;
	size_t i;
	int bad = 0, k;

	for (i = 0; i < sizeof ps / sizeof *ps; i++) {
		tn_rng_seed(&rng, 200 + i);
		ref = rng;
		nn_dropout_mask16(mask, (real)ps[i], n, &rng);
		ties += reference_mask16(want, (double)(real)ps[i], n, &ref);
		for (k = 0; k < n; k++)
			if (mask[k] != want[k])
				bad++;
		/* and the stream is left where the rule leaves it */
		CHECK(tn_rng_u64(&rng) == tn_rng_u64(&ref));
	}
	CHECK_INT(bad, 0);
	/* the tie path ran (8 p values x about 16 ties each) */
	CHECK(ties > 40);
}

TEST(dropout_mask16_keeps_one_minus_p_scaled)
{
	enum { n = 200000 };
	static real mask[n];
	struct tn_rng rng;
	const real p = 0.1;
	int k, kept = 0, bad = 0;

	tn_rng_seed(&rng, 9);
	nn_dropout_mask16(mask, p, n, &rng);
	for (k = 0; k < n; k++) {
		if (mask[k] == 0)
			continue;
		kept++;
		if (mask[k] != 1 / (1 - p))
			bad++;
	}
	CHECK_INT(bad, 0);
	/* 0.9 of 200000 kept; the binomial sd is 134, allow 5 */
	CHECK(kept > 180000 - 670 && kept < 180000 + 670);
}

TEST(dropout_mask16_is_reproducible_and_draws_nothing_at_the_ends)
{
	real a[67], b[67];
	struct tn_rng rng, ref;
	int k;

	tn_rng_seed(&rng, 11);
	nn_dropout_mask16(a, 0.5, 67, &rng);
	tn_rng_seed(&rng, 11);
	nn_dropout_mask16(b, 0.5, 67, &rng);
	CHECK(memcmp(a, b, sizeof a) == 0);

	tn_rng_seed(&rng, 7);
	ref = rng;
	nn_dropout_mask16(a, 0, 67, &rng);
	nn_dropout_mask16(b, 1, 67, &rng);
	for (k = 0; k < 67; k++) {
		CHECK_NEAR(a[k], 1, 0);
		CHECK_NEAR(b[k], 0, 0);
	}
	nn_dropout_mask16(b, (real)NAN, 67, &rng);
	CHECK_NEAR(b[0], 0, 0);
	CHECK(tn_rng_u64(&rng) == tn_rng_u64(&ref));
}

/* loss = sum(r * dropout(elu(x))), the mask drawn afresh from the same
 * seed at every evaluation, so it is the same function each time. */
struct fused_ctx {
	real x[AN], a[AN], mask[AN], y[AN], r[AN];
	double p;
};

static double fused_loss(void *arg)
{
	struct fused_ctx *c = arg;
	struct tn_rng rng;
	double s = 0;
	int k;

	tn_rng_seed(&rng, 31);
	nn_elu_dropout_forward(c->y, c->a, c->mask, c->x, TEST_ALPHA,
			       (real)c->p, AN, &rng);
	for (k = 0; k < AN; k++)
		s += (double)c->r[k] * c->y[k];
	return s;
}

TEST(fused_elu_dropout_backward_matches_finite_differences)
{
	struct fused_ctx c;
	struct elu_ctx e;
	struct tn_rng rng;
	real dx[AN];
	int k, dropped = 0;

	tn_rng_seed(&rng, 23);
	fill_inputs(&e, &rng);
	memcpy(c.x, e.x, sizeof c.x);
	memcpy(c.r, e.r, sizeof c.r);
	c.p = 0.4;
	fused_loss(&c);
	for (k = 0; k < AN; k++)
		dropped += c.mask[k] == 0;
	/* the mask does something here: some dropped, some kept */
	CHECK(dropped > 0 && dropped < AN);
	/* start from ones: the fused backward must overwrite, not add */
	for (k = 0; k < AN; k++)
		dx[k] = 1;
	nn_elu_dropout_backward_y(dx, c.r, c.mask, c.a, TEST_ALPHA, AN);
	CHECK(gradcheck("elu dropout (fused)", c.x, dx, AN, fused_loss, &c) <
	      GRADCHECK_TOL);
}

/* The fused kernels in double precision (the plain C path) give the bits
 * of the unfused calls, masks and stream included. */
static void check_fused(int elu, real p, int n, uint64_t seed)
{
	enum { NMAX = 1003 };
	static real x[NMAX], a[NMAX], mask[NMAX], y[NMAX];
	static real a_ref[NMAX], mask_ref[NMAX], y_ref[NMAX];
	static real dy[NMAX], g[NMAX], dx[NMAX], dx_ref[NMAX];
	size_t bytes = sizeof(real) * (size_t)n;
	struct tn_rng rng, ref;
	int k;

	tn_rng_seed(&rng, seed);
	for (k = 0; k < n; k++) {
		x[k] = (real)(2 * tn_rng_normal(&rng));
		dy[k] = (real)tn_rng_normal(&rng);
	}
	x[0] = 0;
	x[1] = -0.0;
	ref = rng;
	if (elu) {
		nn_elu_dropout_forward(y, a, mask, x, TEST_ALPHA, p, n, &rng);
		nn_elu_forward(a_ref, x, TEST_ALPHA, n);
	} else {
		nn_relu_dropout_forward(y, a, mask, x, p, n, &rng);
		nn_relu_forward(a_ref, x, n);
	}
	nn_dropout_mask16(mask_ref, p, n, &ref);
	nn_dropout_forward(y_ref, a_ref, mask_ref, n);
	CHECK(memcmp(a, a_ref, bytes) == 0);
	CHECK(memcmp(mask, mask_ref, bytes) == 0);
	CHECK(memcmp(y, y_ref, bytes) == 0);
	CHECK(memcmp(rng.s, ref.s, sizeof rng.s) == 0);

	/* the backward against dropout, then the act's backward into a
	 * cleared dx; a dropped element's -0 must come out +0 */
	nn_dropout_forward(g, dy, mask, n);
	memset(dx_ref, 0, bytes);
	if (elu) {
		nn_elu_backward_y(dx_ref, g, a, TEST_ALPHA, n);
		nn_elu_dropout_backward_y(dx, dy, mask, a, TEST_ALPHA, n);
	} else {
		nn_relu_backward(dx_ref, g, a, n);
		nn_relu_dropout_backward(dx, dy, mask, a, n);
	}
	CHECK(memcmp(dx, dx_ref, bytes) == 0);
}

TEST(fused_passes_are_the_unfused_calls_bit_for_bit)
{
	static const double ps[] = { 0, 0.1, 0.5, 0.999 };
	size_t i;
	int n, elu;

	/* lengths that end groups of four part way */
	for (i = 0; i < sizeof ps / sizeof *ps; i++)
		for (elu = 0; elu <= 1; elu++)
			for (n = 997; n <= 1003; n++)
				check_fused(elu, (real)ps[i], n, 40 + (uint64_t)n);
}

int main(void)
{
	RUN(elu_backward_from_the_output_matches_finite_differences);
	RUN(elu_backward_from_the_output_agrees_with_the_input_form);
	RUN(elu_forward_is_the_two_branch_definition_exactly);
	RUN(dropout_mask16_follows_its_rule_draw_for_draw);
	RUN(dropout_mask16_keeps_one_minus_p_scaled);
	RUN(dropout_mask16_is_reproducible_and_draws_nothing_at_the_ends);
	RUN(fused_elu_dropout_backward_matches_finite_differences);
	RUN(fused_passes_are_the_unfused_calls_bit_for_bit);
	return tn_t_done();
}
