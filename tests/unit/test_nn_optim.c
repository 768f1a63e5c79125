/* Unit tests: common/nn_optim.c and common/nn_sched.c - optimiser steps and
 * learning-rate schedules against PyTorch 1.13 (AdaBelief against a NumPy
 * transcription of the paper), recorded by tests/ref/torch_optim.py in
 * fixtures/torch_optim.h; early stopping and the non-finite guard. */
#include "nn_optim.h"
#include "nn_sched.h"
#include "rng.h"
#include "tn_test.h"

#include "fixtures/torch_optim.h"

/* Relative tolerance (absolute below 1) against the recorded values. */
#define TOL 1e-6

static const struct nn_param_spec optim_table[] = {
	{ "w", 2, { 3, 2 } },
	{ "b", 1, { 3 } },
};

/* The reference loss sum(c * (p - t)^2): grad = (2 * c) * (p - t) in
 * float32, in the same order as the script. */
static void quadratic_grads(struct nn_params *p)
{
	const float *c[2] = { torch_optim_cw, torch_optim_cb };
	const float *t[2] = { torch_optim_tw, torch_optim_tb };

	for (size_t i = 0; i < 2; i++) {
		real *value = nn_param_value(p, i), *grad = nn_param_grad(p, i);

		for (size_t j = 0; j < nn_param_numel(p, i); j++)
			grad[j] = ((real)2 * (real)c[i][j]) *
				  (value[j] - (real)t[i][j]);
	}
}

static void check_case(const struct torch_optim_case *tc)
{
	struct nn_params p;
	struct nn_optim o;
	enum nn_optim_kind kind;
	char err[128];

	if (nn_optim_parse(tc->kind, &kind) < 0) {
		FAILF("%s: unknown optimiser %s", tc->name, tc->kind);
		return;
	}
	if (nn_params_init(&p, optim_table, 2, err, sizeof err) < 0) {
		FAILF("%s", err);
		return;
	}
	for (size_t j = 0; j < 6; j++)
		nn_param_value(&p, 0)[j] = (real)torch_optim_w0[j];
	for (size_t j = 0; j < 3; j++)
		nn_param_value(&p, 1)[j] = (real)torch_optim_b0[j];
	nn_optim_init(&o, kind, tc->lr);
	o.momentum = tc->momentum;
	o.nesterov = tc->nesterov;
	o.weight_decay = tc->weight_decay;
	o.eps = tc->eps;
	o.beta1 = TORCH_OPTIM_BETA1;
	o.beta2 = TORCH_OPTIM_BETA2;
	for (int s = 0; s < TORCH_OPTIM_STEPS; s++) {
		nn_params_zero_grad(&p);
		quadratic_grads(&p);
		nn_optim_step(&o, &p);
		for (int k = 0; k < TORCH_OPTIM_NP; k++) {
			double got = p.value[k], want = tc->after[s][k];
			double scale = fabs(want) > 1 ? fabs(want) : 1;

			if (!(fabs(got - want) <= TOL * scale))
				FAILF("%s step %d value %d: %.9g, want %.9g",
				      tc->name, s + 1, k, got, want);
		}
	}
	CHECK_INT(o.step, TORCH_OPTIM_STEPS);
	nn_params_free(&p);
}

TEST(optimisers_match_torch_step_for_step)
{
	size_t n = sizeof torch_optim_cases / sizeof *torch_optim_cases;

	for (size_t c = 0; c < n; c++)
		check_case(&torch_optim_cases[c]);
}

/* Adam and AdamW take an AVX-512 path, 16 floats at a time, where the CPU
 * has it, and the plain C loop elsewhere and for the tail; the reference
 * case above is too small (9 floats) to reach the AVX-512 one.  Both must
 * give the same bytes: the same float operations in the same order.  On
 * a CPU without AVX-512 both runs take the plain loop and agree
 * trivially; CI machines with it check the wide path. */
TEST(adam_avx512_and_portable_paths_agree)
{
	static const struct nn_param_spec big[] = {
		{ "w", 2, { 37, 29 } }, /* 1073 floats: 67 blocks and a tail */
		{ "b", 1, { 7 } },
	};
	const enum nn_optim_kind kinds[] = { NN_OPTIM_ADAM, NN_OPTIM_ADAMW };
	struct nn_params p[2];
	struct nn_optim o[2];
	char err[128];

	for (size_t kk = 0; kk < 2; kk++) {
		struct tn_rng rng;
		size_t mismatches = 0, first = 0;

		for (int i = 0; i < 2; i++) {
			if (nn_params_init(&p[i], big, 2, err, sizeof err) < 0) {
				FAILF("%s", err);
				return;
			}
			nn_optim_init(&o[i], kinds[kk], 1e-2);
		}
		o[1].portable = 1;
		tn_rng_seed(&rng, 7);
		for (size_t j = 0; j < p[0].total; j++)
			p[0].value[j] = p[1].value[j] = (real)tn_rng_normal(&rng);
		for (int s = 0; s < 5; s++) {
			/* gradients over several magnitudes, some exactly 0 */
			for (size_t j = 0; j < p[0].total; j++) {
				real g = (real)(tn_rng_normal(&rng) *
						pow(10, (double)(j % 7) - 4));

				p[0].grad[j] = p[1].grad[j] = j % 11 ? g : 0;
			}
			nn_optim_step(&o[0], &p[0]);
			nn_optim_step(&o[1], &p[1]);
		}
		for (size_t j = 0; j < p[0].total; j++)
			if (p[0].value[j] != p[1].value[j] ||
			    p[0].m[j] != p[1].m[j] || p[0].v[j] != p[1].v[j])
				if (!mismatches++)
					first = j;
		if (mismatches)
			FAILF("%s: value, m or v of %zu of %zu parameters differ "
			      "between the paths, first %zu: m %a against %a",
			      nn_optim_name(kinds[kk]), mismatches, p[0].total,
			      first, (double)p[0].m[first], (double)p[1].m[first]);
		/* and the update did something */
		CHECK(p[0].value[1] != 0);
		nn_params_free(&p[0]);
		nn_params_free(&p[1]);
	}
}

TEST(optimiser_names_and_defaults)
{
	struct nn_optim o;
	enum nn_optim_kind kind;

	CHECK_INT(nn_optim_parse("adamw", &kind), 0);
	CHECK_INT(kind, NN_OPTIM_ADAMW);
	CHECK_INT(nn_optim_parse("Adam", &kind), -1);
	CHECK_STR(nn_optim_name(NN_OPTIM_ADABELIEF), "adabelief");
	nn_optim_init(&o, NN_OPTIM_ADAMW, 1e-3);
	CHECK_NEAR(o.weight_decay, 1e-2, 0);
	CHECK_NEAR(o.beta2, 0.999, 0);
	CHECK_NEAR(o.eps, 1e-8, 0);
	CHECK_INT(o.step, 0);
	nn_optim_init(&o, NN_OPTIM_ADAM, 1e-3);
	CHECK_NEAR(o.weight_decay, 0, 0);
}

static void check_lrs(struct nn_sched *s, const double *want,
		      const double *losses, const char *name)
{
	for (int e = 0; e < TORCH_SCHED_EPOCHS; e++) {
		double scale = fabs(want[e]) > 1 ? fabs(want[e]) : 1;

		if (!(fabs(s->lr - want[e]) <= 1e-12 * scale))
			FAILF("%s epoch %d: lr %.17g, want %.17g", name, e,
			      s->lr, want[e]);
		nn_sched_step(s, losses ? losses[e] : 0.0);
	}
}

TEST(steplr_matches_torch)
{
	struct nn_sched s;

	nn_sched_steplr(&s, TORCH_SCHED_BASE_LR, TORCH_STEP_SIZE,
			TORCH_STEP_GAMMA);
	check_lrs(&s, torch_sched_steplr, NULL, "StepLR");
}

TEST(cosine_warm_restarts_match_torch)
{
	struct nn_sched s;

	nn_sched_cosine_wr(&s, TORCH_SCHED_BASE_LR, TORCH_COS_T0,
			   TORCH_COS_TMULT, TORCH_COS_ETA_MIN);
	check_lrs(&s, torch_sched_cosine_wr, NULL, "CosineAnnealingWarmRestarts");
}

TEST(reduce_on_plateau_matches_torch)
{
	struct nn_sched s;

	nn_sched_plateau(&s, TORCH_SCHED_BASE_LR, TORCH_PL_FACTOR,
			 TORCH_PL_PATIENCE, TORCH_PL_THRESHOLD,
			 TORCH_PL_COOLDOWN, TORCH_PL_MIN_LR);
	check_lrs(&s, torch_sched_plateau, torch_sched_plateau_losses,
		  "ReduceLROnPlateau");
}

TEST(constant_schedule_stays)
{
	struct nn_sched s;

	nn_sched_constant(&s, 0.01);
	for (int e = 0; e < 5; e++)
		nn_sched_step(&s, 1.0);
	CHECK_NEAR(s.lr, 0.01, 0);
	CHECK_INT(s.epoch, 5);
}

static const struct nn_param_spec one_table[] = { { "x", 1, { 2 } } };

TEST(early_stopping_keeps_and_restores_best_weights)
{
	static const double losses[] = { 1.0, 0.5, 0.49995, 0.6, 0.7, 0.8 };
	struct nn_params p;
	struct nn_early e;
	char err[128];
	int stopped = 0, e_at = -1;

	CHECK_INT(nn_params_init(&p, one_table, 1, err, sizeof err), 0);
	nn_early_init(&e, &p, 3, 1e-3);
	for (int epoch = 0; epoch < 6 && !stopped; epoch++) {
		p.value[0] = (real)epoch; /* "training" */
		stopped = nn_early_update(&e, losses[epoch]);
		if (stopped)
			e_at = epoch;
	}
	/* Epoch 2 is within min_delta of epoch 1: not an improvement, so
	 * epochs 2, 3, 4 are the three bad ones. */
	CHECK_INT(e_at, 4);
	CHECK_INT(e.best_epoch, 1);
	CHECK_NEAR(e.best_loss, 0.5, 0);
	CHECK_STR(e.reason, "no improvement for 3 epochs (best validation loss 0.5 at epoch 1)");
	CHECK_INT(nn_early_finish(&e), 1);
	CHECK(p.value[0] == 1);
	nn_early_free(&e);
	nn_params_free(&p);
}

TEST(guard_stops_on_nonfinite_loss_or_gradient)
{
	struct nn_params p;
	struct nn_early e;
	char err[128];

	CHECK_INT(nn_params_init(&p, one_table, 1, err, sizeof err), 0);
	p.value[0] = 3;
	nn_early_init(&e, &p, 5, 0);
	CHECK_INT(nn_early_guard(&e, 0.5), 0);
	CHECK_INT(nn_early_update(&e, 0.5), 0);
	p.value[0] = 4;
	CHECK_INT(nn_early_update(&e, 0.4), 0);
	p.value[0] = 5;
	CHECK_INT(nn_early_guard(&e, NAN), 1);
	CHECK(e.stopped);
	CHECK_STR(e.reason, "training loss is nan in epoch 2");
	CHECK_INT(nn_early_finish(&e), 1);
	CHECK(p.value[0] == 4);
	nn_early_free(&e);

	/* A bad gradient before any validation: the initial weights return. */
	p.value[0] = 7;
	nn_early_init(&e, &p, 5, 0);
	p.value[0] = 8;
	p.grad[1] = INFINITY;
	CHECK_INT(nn_early_guard(&e, 1.0), 1);
	CHECK_STR(e.reason, "gradient of x is not finite in epoch 0");
	CHECK_INT(nn_early_finish(&e), -1);
	CHECK(p.value[0] == 7);
	nn_early_free(&e);

	nn_early_init(&e, &p, 5, 0);
	CHECK_INT(nn_early_update(&e, INFINITY), 1);
	CHECK_STR(e.reason, "validation loss is inf at epoch 0");
	nn_early_free(&e);
	nn_params_free(&p);
}

int main(void)
{
	RUN(optimisers_match_torch_step_for_step);
	RUN(adam_avx512_and_portable_paths_agree);
	RUN(optimiser_names_and_defaults);
	RUN(steplr_matches_torch);
	RUN(cosine_warm_restarts_match_torch);
	RUN(reduce_on_plateau_matches_torch);
	RUN(constant_schedule_stays);
	RUN(early_stopping_keeps_and_restores_best_weights);
	RUN(guard_stops_on_nonfinite_loss_or_gradient);
	return tn_t_done();
}
