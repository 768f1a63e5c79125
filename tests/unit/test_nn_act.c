/* Unit tests (float build): the ELU forward's vector path (libmvec's expf,
 * 16 or 8 elements at a time where the CPU has AVX-512 or AVX2) against
 * the scalar formula with libm's expf, on every kind of input, at lengths
 * that leave tails for the scalar loop.  The double build's tests
 * (dbl_nn_act.c) check the formula itself and the gradients. */
#include "nn_act.h"
#include "rng.h"
#include "tn_test.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#define TEST_ALPHA 1.3f

/* The scalar formula of nn_act.c, with libm's expf. */
static float elu_ref(float x, float alpha)
{
	float pos = x <= 0 ? 0 : x;
	float neg = (x - fabsf(x)) / 2;

	return pos + alpha * (expf(neg) - 1);
}

/* y = pos + alpha (e - 1) with e in (0, 1]: an exp within 2 ulp moves y
 * by at most alpha * 2 * 2^-24 * 2 (ulp of a value below 1 is 2^-24 or
 * less), plus y's own rounding. */
static int close_enough(float got, float want, float alpha)
{
	if (isnan(want))
		return isnan(got);
	if (isinf(want))
		return got == want;
	return fabsf(got - want) <= alpha * 4 * FLT_EPSILON / 2 +
				     fabsf(want) * FLT_EPSILON;
}

static void check_all(const float *x, int n)
{
	float *y = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
	int k, bad = 0;

	nn_elu_forward(y, x, TEST_ALPHA, n);
	for (k = 0; k < n && bad < 5; k++)
		if (!close_enough(y[k], elu_ref(x[k], TEST_ALPHA), TEST_ALPHA)) {
			FAILF("n %d, x[%d] = %.9g: %.9g, want %.9g", n, k,
			      (double)x[k], (double)y[k],
			      (double)elu_ref(x[k], TEST_ALPHA));
			bad++;
		}
	free(y);
}

TEST(elu_vector_path_matches_the_scalar_formula)
{
	enum { N = 100003 };
	float *x = malloc(sizeof(float) * N);
	struct tn_rng r;
	int k;

	tn_rng_seed(&r, 21);
	for (k = 0; k < N; k++)
		x[k] = (float)(tn_rng_normal(&r) * (k % 3 == 0 ? 30 : 1.5));
	check_all(x, N);
	/* every tail length after whole vectors of 16 and of 8 */
	for (k = 0; k <= 33; k++)
		check_all(x + 7, k);
	free(x);
}

TEST(elu_special_values)
{
	float x[] = { 0.0f, -0.0f, 1e-30f, -1e-30f, FLT_MIN, -FLT_MIN,
		      1e-45f, -1e-45f, -1e-7f, 1e-7f, -87.0f, -104.0f,
		      -200.0f, -FLT_MAX, FLT_MAX, NAN, -NAN, -INFINITY,
		      0.5f, -0.5f, 88.0f, -88.7f, -1.0f, 1.0f,
		      -3.0f, 3.0f, -0.001f, 0.001f, -10.0f, 10.0f,
		      -20.0f, 20.0f };
	int n = (int)(sizeof x / sizeof x[0]);
	float y[sizeof x / sizeof x[0]];

	check_all(x, n);
	nn_elu_forward(y, x, TEST_ALPHA, n);
	/* the exact values the formula promises */
	CHECK(y[0] == 0 && y[1] == 0);
	CHECK(y[14] == FLT_MAX);
	CHECK(isnan(y[15]) && isnan(y[16]));
	CHECK(y[17] == -TEST_ALPHA);
	CHECK(y[12] == -TEST_ALPHA);
}

int main(void)
{
	RUN(elu_vector_path_matches_the_scalar_formula);
	RUN(elu_special_values);
	return tn_t_done();
}
