/* Unit tests (float build): the ELU forward's vector path (libmvec's expf,
 * 16 or 8 elements at a time where the CPU has AVX-512 or AVX2) against
 * the scalar formula with libm's expf, on every kind of input, at lengths
 * that leave tails for the scalar loop; the vector dropout masks against
 * nn_dropout_mask16's rule draw for draw; and training's fused
 * activation-dropout passes against the unfused calls bit for bit, on
 * every path this CPU has (nn_act_isa_cap).  The double build's tests
 * (dbl_nn_act.c) check the formulas themselves and the gradients. */
#include "mask16_ref.h"
#include "nn_act.h"
#include "rng.h"
#include "tn_test.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* The paths a test runs, widest first; those this CPU lacks run the
 * next narrower one again, which is harmless. */
static const enum nn_isa isas[] = { NN_ISA_AVX512, NN_ISA_AVX2, NN_ISA_PLAIN };
static const char *const isa_names[] = { "plain", "avx2", "avx512" };
#define NISAS (int)(sizeof isas / sizeof isas[0])

/* Dropout probabilities: tiny, common, near 1, and ones whose threshold
 * ceil(p 2^53) has low bits all zero (a multiple of 2^-16, so a tie keeps
 * always) or all but zero (a tie almost never keeps). */
static const float ps[] = { 1e-30f, 0x1p-20f, 0.1f, 0.3f, 0.5f, 0x1p-16f,
			    1 - 0x1p-16f, 0.75f + 0x1p-24f, 0.9f, 0.999f,
			    1 - 0x1p-24f };
#define NPS (int)(sizeof ps / sizeof ps[0])

static float *floats(int n)
{
	return malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
}

/* The same bits, so -0 differs from +0; any NaN matches any NaN: which
 * operand's NaN a product passes on is the compiler's choice (it may
 * commute them), and clang does. */
static int same_bits(const float *got, const float *want, int n)
{
	int k;

	for (k = 0; k < n; k++)
		if (isnan(got[k]) ? !isnan(want[k]) :
		    memcmp(&got[k], &want[k], sizeof got[k]) != 0)
			return 0;
	return 1;
}

static int same_stream(struct tn_rng *a, struct tn_rng *b)
{
	return memcmp(a->s, b->s, sizeof a->s) == 0;
}

/* The mask and the stream left behind are the rule's. */
static int same_draws(const float *mask, const float *want, int n,
		      struct tn_rng *rng, struct tn_rng *ref)
{
	return same_bits(mask, want, n) && same_stream(rng, ref);
}

TEST(vector_masks_follow_the_rule_draw_for_draw)
{
	/* large enough that every p meets ties (n / 2^16 = 16 expected) */
	enum { BIG = (1 << 20) + 13 };
	float *mask = floats(BIG), *want = floats(BIG);
	long ties = 0;
	int i, j, n;

	for (i = 0; i < NISAS; i++) {
		nn_act_isa_cap(isas[i]);
		for (j = 0; j < NPS; j++) {
			struct tn_rng rng, ref;

			tn_rng_seed(&rng, 300 + (uint64_t)j);
			ref = rng;
			nn_dropout_mask16(mask, ps[j], BIG, &rng);
			ties += reference_mask16(want, ps[j], BIG, &ref);
			if (!same_draws(mask, want, BIG, &rng, &ref))
				FAILF("%s, p %.9g: mask or stream differs",
				      isa_names[isas[i]], (double)ps[j]);
		}
		/* every length around the vector widths, every seed anew */
		for (n = 0; n <= 70; n++)
			for (j = 0; j < NPS; j++) {
				struct tn_rng rng, ref;

				tn_rng_seed(&rng, (uint64_t)(n * NPS + j));
				ref = rng;
				nn_dropout_mask16(mask, ps[j], n, &rng);
				reference_mask16(want, ps[j], n, &ref);
				if (!same_draws(mask, want, n, &rng, &ref))
					FAILF("%s, n %d, p %.9g: draws differ",
					      isa_names[isas[i]], n, (double)ps[j]);
			}
	}
	nn_act_isa_cap(NN_ISA_AVX512);
	/* the tie path ran on every path (3 x 11 p x about 16 each) */
	CHECK(ties > 300);
	free(mask);
	free(want);
}

/* A block of ties: p's top 16 bits of threshold equal to every chunk of
 * the first draws, so the vector blocks must give way to the plain code
 * in the middle of the stream.  A stream whose draws are all-ones chunks
 * is not at hand, so p is chosen from the stream's own first draw. */
TEST(vector_masks_redraw_a_block_with_a_tie_in_stream_order)
{
	enum { n = 64 };
	float mask[n], want[n];
	int i, g;

	for (i = 0; i < NISAS; i++)
		for (g = 0; g < 16; g++) {
			struct tn_rng rng, ref, peek;
			uint64_t u = 0;
			uint32_t chunk;
			float p;
			int d;

			/* the chunk of draw g, element 0: its p ties there */
			tn_rng_seed(&peek, 900 + (uint64_t)g);
			for (d = 0; d <= g; d++)
				u = tn_rng_u64(&peek);
			chunk = (uint32_t)(u >> 48);
			if (chunk == 0)
				continue;
			p = (float)((chunk + 0.5) * 0x1p-16);
			nn_act_isa_cap(isas[i]);
			tn_rng_seed(&rng, 900 + (uint64_t)g);
			ref = rng;
			nn_dropout_mask16(mask, p, n, &rng);
			CHECK(reference_mask16(want, p, n, &ref) >= 1);
			if (!same_draws(mask, want, n, &rng, &ref))
				FAILF("%s, tie in draw %d: draws differ",
				      isa_names[isas[i]], g);
		}
	nn_act_isa_cap(NN_ISA_AVX512);
}

/* Inputs of every kind: normal, large, tiny, signed zeros, infinities,
 * NaN. */
static void fill_special(float *x, int n, struct tn_rng *rng)
{
	enum { NSPECIAL = 11 };
	static const float special[NSPECIAL] = {
		0.0f, -0.0f, INFINITY, -INFINITY, NAN, FLT_MIN, -FLT_MIN,
		1e-45f, -1e-45f, -200.0f, 200.0f
	};
	int k;

	for (k = 0; k < n; k++) {
		uint64_t u = tn_rng_u64(rng);

		if (u % 13 == 0)
			x[k] = special[(u >> 8) % NSPECIAL];
		else
			x[k] = (float)(tn_rng_normal(rng) * 2);
	}
}

static void check_forward(int elu, float p, int n, uint64_t seed,
			  const char *isa)
{
	float *x = floats(n), *y = floats(n), *a = floats(n), *mask = floats(n);
	float *y_ref = floats(n), *a_ref = floats(n), *mask_ref = floats(n);
	struct tn_rng rng, ref;

	tn_rng_seed(&rng, seed);
	fill_special(x, n, &rng);
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
	if (!same_bits(a, a_ref, n) || !same_bits(mask, mask_ref, n) ||
	    !same_bits(y, y_ref, n) || !same_stream(&rng, &ref))
		FAILF("%s %s forward, p %.9g, n %d: differs from the unfused "
		      "calls", isa, elu ? "elu" : "relu", (double)p, n);
	free(x);
	free(y);
	free(a);
	free(mask);
	free(y_ref);
	free(a_ref);
	free(mask_ref);
}

TEST(fused_forward_is_the_unfused_calls_bit_for_bit)
{
	static const float ends[] = { 0.0f, -1.0f, 1.0f, NAN };
	int i, j, n, elu;

	for (i = 0; i < NISAS; i++) {
		nn_act_isa_cap(isas[i]);
		for (elu = 0; elu <= 1; elu++) {
			for (n = 0; n <= 50; n++)
				for (j = 0; j < NPS; j++)
					check_forward(elu, ps[j], n,
						      (uint64_t)(n * 100 + j),
						      isa_names[isas[i]]);
			/* gnn-train's 11 nodes x 64, and a long odd one
			 * that meets ties */
			for (j = 0; j < NPS; j++) {
				check_forward(elu, ps[j], 704, 7 + (uint64_t)j,
					      isa_names[isas[i]]);
				check_forward(elu, ps[j], 300007,
					      8 + (uint64_t)j, isa_names[isas[i]]);
			}
			/* no dropout, all dropped, NaN: no draws */
			for (j = 0; j < 4; j++)
				check_forward(elu, ends[j], 37, 5,
					      isa_names[isas[i]]);
		}
	}
	nn_act_isa_cap(NN_ISA_AVX512);
}

static void check_backward(int elu, int with_mask, int n, uint64_t seed,
			   const char *isa)
{
	float *x = floats(n), *a = floats(n), *mask = floats(n);
	float *dy = floats(n), *dx = floats(n), *dx_ref = floats(n);
	float *g = floats(n);
	const float *m;
	struct tn_rng rng;
	int k;

	tn_rng_seed(&rng, seed);
	fill_special(x, n, &rng);
	fill_special(dy, n, &rng);
	if (elu)
		nn_elu_forward(a, x, TEST_ALPHA, n);
	else
		nn_relu_forward(a, x, n);
	/* an infinite activation, which no forward above gives, still
	 * takes nn_elu_backward_y's slope (a NaN, not 1) */
	for (k = 5; k < n; k += 17)
		a[k] = INFINITY;
	nn_dropout_mask16(mask, 0.3f, n, &rng);
	m = with_mask ? mask : NULL;
	/* what gnn_model.c did before the fused kernel: g = dropout(dy),
	 * dx cleared, act backward accumulated */
	nn_dropout_forward(g, dy, m, n);
	memset(dx_ref, 0, sizeof(float) * (size_t)(n > 0 ? n : 0));
	/* and dx full of garbage, as it must be overwritten */
	memset(dx, 0x7f, sizeof(float) * (size_t)(n > 0 ? n : 0));
	if (elu) {
		nn_elu_backward_y(dx_ref, g, a, TEST_ALPHA, n);
		nn_elu_dropout_backward_y(dx, dy, m, a, TEST_ALPHA, n);
	} else {
		nn_relu_backward(dx_ref, g, a, n);
		nn_relu_dropout_backward(dx, dy, m, a, n);
	}
	if (!same_bits(dx, dx_ref, n))
		FAILF("%s %s backward, %s mask, n %d: differs from the "
		      "unfused calls", isa, elu ? "elu" : "relu",
		      with_mask ? "a" : "no", n);
	/* in place over dy, as the header allows */
	if (elu)
		nn_elu_dropout_backward_y(dy, dy, m, a, TEST_ALPHA, n);
	else
		nn_relu_dropout_backward(dy, dy, m, a, n);
	if (!same_bits(dy, dx_ref, n))
		FAILF("%s %s backward in place, n %d: differs", isa,
		      elu ? "elu" : "relu", n);
	free(x);
	free(a);
	free(mask);
	free(dy);
	free(dx);
	free(dx_ref);
	free(g);
}

TEST(fused_backward_is_the_unfused_calls_bit_for_bit)
{
	int i, n, elu, with_mask;

	for (i = 0; i < NISAS; i++) {
		nn_act_isa_cap(isas[i]);
		for (elu = 0; elu <= 1; elu++)
			for (with_mask = 0; with_mask <= 1; with_mask++) {
				for (n = 0; n <= 50; n++)
					check_backward(elu, with_mask, n,
						       (uint64_t)n + 40,
						       isa_names[isas[i]]);
				check_backward(elu, with_mask, 704, 3,
					       isa_names[isas[i]]);
				check_backward(elu, with_mask, 10007, 4,
					       isa_names[isas[i]]);
			}
	}
	nn_act_isa_cap(NN_ISA_AVX512);
}

int main(void)
{
	RUN(elu_vector_path_matches_the_scalar_formula);
	RUN(elu_special_values);
	RUN(vector_masks_follow_the_rule_draw_for_draw);
	RUN(vector_masks_redraw_a_block_with_a_tie_in_stream_order);
	RUN(fused_forward_is_the_unfused_calls_bit_for_bit);
	RUN(fused_backward_is_the_unfused_calls_bit_for_bit);
	return tn_t_done();
}
