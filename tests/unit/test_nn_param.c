/* Unit tests: common/nn_param.c - arena layout, accessors, zeroing, norm
 * and clipping against hand-computed values, snapshots, finiteness checks
 * and initialisers. */
#include "nn_param.h"
#include <float.h>
#include "tn_test.h"

/* A table shaped like a small LSTM head: offsets 0, 32, 40, 48, 50. */
static const struct nn_param_spec lstm_table[] = {
	{ "lstm.weight_ih_l0", 2, { 8, 4 } },
	{ "lstm.bias_ih_l0", 1, { 8 } },
	{ "fc.weight", 2, { 1, 8 } },
	{ "gat.att_src", 3, { 1, 1, 2 } },
};
#define NTAB (sizeof lstm_table / sizeof *lstm_table)

static void setup(struct nn_params *p)
{
	char err[256] = "";

	if (nn_params_init(p, lstm_table, NTAB, err, sizeof err) < 0) {
		printf("# setup: %s\n", err);
		exit(1);
	}
}

TEST(layout_is_one_table_with_identical_offsets)
{
	struct nn_params p;

	setup(&p);
	CHECK_INT(p.n, 4);
	CHECK_INT(p.total, 50);
	CHECK_INT(p.offset[0], 0);
	CHECK_INT(p.offset[1], 32);
	CHECK_INT(p.offset[2], 40);
	CHECK_INT(p.offset[3], 48);
	CHECK_INT(p.offset[4], 50);
	CHECK(nn_param_value(&p, 2) == p.value + 40);
	CHECK(nn_param_grad(&p, 2) == p.grad + 40);
	CHECK_INT(nn_param_numel(&p, 3), 2);
	CHECK_INT(nn_param_spec_numel(&lstm_table[0]), 32);
	for (size_t k = 0; k < p.total; k++)
		if (p.value[k] != 0 || p.grad[k] != 0 || p.m[k] != 0 || p.v[k] != 0)
			FAILF("arena not zeroed at %zu", k);
	nn_params_free(&p);
}

TEST(accessors_by_name)
{
	struct nn_params p;

	setup(&p);
	CHECK_INT(nn_params_find(&p, "fc.weight"), 2);
	CHECK_INT(nn_params_find(&p, "fc.bias"), -1);
	CHECK(nn_param_value_by_name(&p, "lstm.bias_ih_l0") == p.value + 32);
	CHECK(nn_param_grad_by_name(&p, "gat.att_src") == p.grad + 48);
	CHECK(nn_param_value_by_name(&p, "nope") == NULL);
	CHECK_STR(p.table[0].name, "lstm.weight_ih_l0");
	CHECK(p.table[0].name != lstm_table[0].name); /* own copy */
	nn_params_free(&p);
}

TEST(bad_tables_are_refused)
{
	struct nn_params p;
	char err[256] = "";
	struct nn_param_spec dup[] = { { "a", 1, { 2 } }, { "a", 1, { 3 } } };
	struct nn_param_spec zero[] = { { "a", 2, { 2, 0 } } };
	struct nn_param_spec rank[] = { { "a", 5, { 1, 1, 1, 1 } } };

	CHECK_INT(nn_params_init(&p, dup, 2, err, sizeof err), -1);
	CHECK_STR(err, "a: duplicate parameter name");
	CHECK_INT(nn_params_init(&p, zero, 1, err, sizeof err), -1);
	CHECK_STR(err, "a: dimension 1 is 0");
	CHECK_INT(nn_params_init(&p, rank, 1, err, sizeof err), -1);
	CHECK_STR(err, "a: 5 dimensions, expected 1..4");
}

TEST(zero_grad_and_norm)
{
	struct nn_params p;

	setup(&p);
	/* grads 3 and 4 in different tensors: norm 5. */
	p.grad[5] = 3;
	p.grad[49] = -4;
	CHECK_NEAR(nn_params_grad_norm(&p), 5.0, 1e-12);
	nn_params_zero_grad(&p);
	CHECK_NEAR(nn_params_grad_norm(&p), 0.0, 0);
	p.m[3] = 1;
	p.v[3] = 1;
	nn_params_zero_state(&p);
	CHECK(p.m[3] == 0 && p.v[3] == 0);
	nn_params_free(&p);
}

TEST(clip_scales_by_max_norm_over_norm_plus_eps)
{
	struct nn_params p;
	double norm;

	setup(&p);
	p.grad[0] = 3;
	p.grad[40] = 4;
	norm = nn_params_clip_grad_norm(&p, 1.0);
	CHECK_NEAR(norm, 5.0, 1e-12);
	/* scale = 1 / (5 + 1e-6) */
	CHECK_NEAR(p.grad[0], 3.0 / (5.0 + 1e-6), 1e-7);
	CHECK_NEAR(p.grad[40], 4.0 / (5.0 + 1e-6), 1e-7);
	CHECK_NEAR(nn_params_grad_norm(&p), 5.0 / (5.0 + 1e-6), 1e-6);
	/* Below the limit: untouched. */
	norm = nn_params_clip_grad_norm(&p, 10.0);
	CHECK_NEAR(p.grad[0], 3.0 / (5.0 + 1e-6), 1e-7);
	CHECK_NEAR(norm, 1.0, 1e-6);
	nn_params_free(&p);
}

TEST(snapshot_copies_and_restores_values)
{
	struct nn_params p;
	real *snap;

	setup(&p);
	snap = malloc(p.total * sizeof *snap);
	for (size_t k = 0; k < p.total; k++)
		p.value[k] = (real)k;
	nn_params_copy_values(&p, snap);
	for (size_t k = 0; k < p.total; k++)
		p.value[k] = -1;
	nn_params_restore_values(&p, snap);
	for (size_t k = 0; k < p.total; k++)
		if (p.value[k] != (real)k)
			FAILF("value %zu not restored", k);
	free(snap);
	nn_params_free(&p);
}

TEST(nonfinite_checks_name_the_tensor)
{
	struct nn_params p;

	setup(&p);
	CHECK_INT(nn_params_first_nonfinite_value(&p), -1);
	CHECK_INT(nn_params_first_nonfinite_grad(&p), -1);
	p.value[45] = NAN;
	p.grad[33] = INFINITY;
	CHECK_INT(nn_params_first_nonfinite_value(&p), 2);
	CHECK_INT(nn_params_first_nonfinite_grad(&p), 1);
	nn_params_free(&p);
}

/* The per-step check, on the vector path where the CPU has one: every
 * position of arenas of many lengths (blocks of 64, 16, and tails), NaN
 * and both infinities; the largest finite floats, subnormals and -0 are
 * finite. */
TEST(grads_finite_finds_any_nonfinite_element)
{
	const size_t lengths[] = { 1, 7, 15, 16, 17, 63, 64, 65, 130, 201 };
	const real bad[] = { NAN, INFINITY, -INFINITY };
	size_t misses = 0, false_alarms = 0;

	for (size_t li = 0; li < sizeof lengths / sizeof *lengths; li++) {
		struct nn_param_spec spec[] = { { "g", 1, { lengths[li] } } };
		struct nn_params p;
		char err[128];
		size_t n = lengths[li];

		if (nn_params_init(&p, spec, 1, err, sizeof err) < 0) {
			FAILF("%s", err);
			return;
		}
		for (size_t k = 0; k < n; k++)
			p.grad[k] = k % 4 == 0 ? (real)-0.0 : k % 4 == 1 ? FLT_MAX :
				    k % 4 == 2 ? -FLT_MAX : FLT_MIN / 4;
		false_alarms += !nn_params_grads_finite(&p);
		for (size_t k = 0; k < n; k++)
			for (size_t b = 0; b < 3; b++) {
				real keep = p.grad[k];

				p.grad[k] = bad[b];
				misses += nn_params_grads_finite(&p) != 0;
				p.grad[k] = keep;
			}
		nn_params_free(&p);
	}
	CHECK_INT(false_alarms, 0);
	CHECK_INT(misses, 0);
}

TEST(initialisers_respect_bounds_and_fans)
{
	struct nn_params p;
	struct tn_rng rng;
	size_t fan_in, fan_out;
	double k = 0.5, a;
	real *w;
	int spread = 0;

	setup(&p);
	tn_rng_seed(&rng, 42);
	nn_param_init_uniform(&p, 0, k, &rng);
	w = nn_param_value(&p, 0);
	for (size_t j = 0; j < 32; j++) {
		if (!(w[j] >= -k && w[j] <= k))
			FAILF("uniform value %g outside (-%g, %g)", (double)w[j], k, k);
		spread |= w[j] > 0.25 ? 1 : w[j] < -0.25 ? 2 : 0;
	}
	CHECK_INT(spread, 3);
	/* Nothing outside the tensor is touched. */
	CHECK(p.value[32] == 0);

	nn_param_fans(&p, 0, &fan_in, &fan_out);
	CHECK_INT(fan_in, 4);
	CHECK_INT(fan_out, 8);
	nn_param_fans(&p, 3, &fan_in, &fan_out); /* (1, 1, 2): receptive 2 */
	CHECK_INT(fan_in, 2);
	CHECK_INT(fan_out, 2);

	nn_param_init_xavier_uniform(&p, 2, 1.0, &rng);
	a = sqrt(6.0 / (8 + 1));
	w = nn_param_value(&p, 2);
	for (size_t j = 0; j < 8; j++)
		if (!(fabs(w[j]) <= a))
			FAILF("xavier value %g outside +-%g", (double)w[j], a);

	nn_param_init_glorot(&p, 3, &rng); /* PyG: last two dims, 1 + 2 */
	a = sqrt(6.0 / 3);
	w = nn_param_value(&p, 3);
	for (size_t j = 0; j < 2; j++)
		if (!(fabs(w[j]) <= a) || w[j] == 0)
			FAILF("glorot value %g outside +-%g", (double)w[j], a);

	nn_param_fill(&p, 1, (real)0.25);
	CHECK(p.value[32] == (real)0.25 && p.value[39] == (real)0.25);
	CHECK(p.value[40] != (real)0.25);
	nn_params_free(&p);
}

int main(void)
{
	RUN(layout_is_one_table_with_identical_offsets);
	RUN(accessors_by_name);
	RUN(bad_tables_are_refused);
	RUN(zero_grad_and_norm);
	RUN(clip_scales_by_max_norm_over_norm_plus_eps);
	RUN(snapshot_copies_and_restores_values);
	RUN(nonfinite_checks_name_the_tensor);
	RUN(grads_finite_finds_any_nonfinite_element);
	RUN(initialisers_respect_bounds_and_fans);
	return tn_t_done();
}
