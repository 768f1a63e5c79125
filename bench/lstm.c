/* bench/lstm.c - training throughput of the original LSTM forecaster:
 * nn.LSTM(7, 128, num_layers=2, batch_first=True) with nn.Linear(128, 1) on
 * the last timestep, MSE loss, Adam, batch 32 of 60-day windows.  One
 * train step is zero-grad, forward, loss, backward, Adam step, exactly the
 * loop of bench/lstm_torch.py, so the two figures compare.  Prints
 * samples/s and the GFLOP/s of the GEMMs; `make bench` runs it.
 *
 * Dimensions: B batch, T timesteps, I input features, H hidden, L layers,
 * G = 4H gate rows. */
#include "cli.h"
#include "gemm.h"
#include "nn_dense.h"
#include "nn_loss.h"
#include "nn_lstm.h"
#include "nn_optim.h"
#include "nn_param.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The original configuration (issue 5). */
#define BENCH_B 32
#define BENCH_T 60
#define BENCH_I 7
#define BENCH_H 128
#define BENCH_L 2
#define BENCH_LR 1e-3
/* Steps run before timing starts (page faults, caches, OpenBLAS's buffers). */
#define BENCH_WARMUP_STEPS 5
/* Timed steps: at least this many, and at least this long. */
#define BENCH_MIN_STEPS 20
#define BENCH_MIN_SECONDS 3.0
#define BENCH_SEED 1

/* Table rows: four per layer, then the head's two. */
#define BENCH_LSTM_TENSORS 4
#define BENCH_NTENSORS (BENCH_LSTM_TENSORS * BENCH_L + 2)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of this process: on a shared machine wall-clock time counts
 * whatever else runs, CPU time only this single-threaded loop. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Floating-point operations of the GEMMs in one train step (2 per
 * multiply-add; the elementwise gate maths, the loss and Adam are not
 * counted).  Per layer l with input width I_l (I, then H):
 *   forward   input projection  2 B T G I_l
 *             recurrent steps   2 B T G H
 *   backward  dh_{t-1}          2 B T G H
 *             dW_ih             2 B T G I_l
 *             dW_hh             2 B T G H
 *             d(input)          2 B T G H, layers above the first only
 *                               (the data needs no gradient, as in torch)
 * Summed over L = 2: 2 B T G (2 I + 9 H); the head adds 3 x 2 B H.
 * For the original shapes that is 2.29 GFLOP a step, 71.6 MFLOP a sample. */
static double step_flops(int B, int T, int I, int H, int L)
{
	double bt = (double)B * T, G = 4.0 * H, flops = 0;
	int l;

	for (l = 0; l < L; l++) {
		double in = l ? H : I;

		flops += 2 * bt * G * (in + H);         /* forward */
		flops += 2 * bt * G * (H + in + H);     /* backward: dh, dW_ih, dW_hh */
		if (l)
			flops += 2 * bt * G * H;        /* gradient of layer below */
	}
	return flops + 3 * 2.0 * B * H; /* head: y, dW, dx */
}

int main(int argc, char **argv)
{
	enum { B = BENCH_B, T = BENCH_T, I = BENCH_I, H = BENCH_H, L = BENCH_L };
	struct nn_param_spec table[BENCH_NTENSORS];
	char names[BENCH_NTENSORS][32], err[128];
	struct nn_lstm_layer w[L], dw[L];
	struct nn_lstm_cache cache;
	struct nn_params p;
	struct nn_optim opt;
	struct tn_rng rng;
	real *x, *target, *h_n, *dh_n, *pred, *dpred, *cache_buf;
	const real *last;
	real *head_w, *head_b, *head_dw, *head_db;
	const char *why;
	double t0, c0 = 0, elapsed, cpu, loss = 0, flops;
	long steps, timed;
	size_t i;
	int l;

	tn_init_progname(argv);
	(void)argc;
	if (tn_blas_init(&why) < 0)
		die(TN_EX_SOFTWARE, "%s", why);

	/* PyTorch's state_dict of the model, in its order */
	for (l = 0; l < L; l++) {
		struct nn_param_spec *s = &table[l * BENCH_LSTM_TENSORS];
		char(*name)[32] = &names[l * BENCH_LSTM_TENSORS];

		snprintf(name[0], sizeof *name, "lstm.weight_ih_l%d", l);
		snprintf(name[1], sizeof *name, "lstm.weight_hh_l%d", l);
		snprintf(name[2], sizeof *name, "lstm.bias_ih_l%d", l);
		snprintf(name[3], sizeof *name, "lstm.bias_hh_l%d", l);
		s[0] = (struct nn_param_spec){ name[0], 2, { 4 * H, l ? H : I } };
		s[1] = (struct nn_param_spec){ name[1], 2, { 4 * H, H } };
		s[2] = (struct nn_param_spec){ name[2], 1, { 4 * H } };
		s[3] = (struct nn_param_spec){ name[3], 1, { 4 * H } };
	}
	table[L * BENCH_LSTM_TENSORS] = (struct nn_param_spec){ "fc.weight", 2, { 1, H } };
	table[L * BENCH_LSTM_TENSORS + 1] = (struct nn_param_spec){ "fc.bias", 1, { 1 } };
	if (nn_params_init(&p, table, BENCH_NTENSORS, err, sizeof err) < 0)
		die(TN_EX_SOFTWARE, "%s", err);

	/* PyTorch's default initialisation: U(-1/sqrt(fan), 1/sqrt(fan)),
	 * fan = H for every tensor here */
	tn_rng_seed(&rng, BENCH_SEED);
	for (i = 0; i < p.n; i++)
		nn_param_init_uniform(&p, i, 1 / sqrt((double)H), &rng);
	for (l = 0; l < L; l++) {
		size_t k = (size_t)l * BENCH_LSTM_TENSORS;

		w[l] = (struct nn_lstm_layer){ nn_param_value(&p, k),
					       nn_param_value(&p, k + 1),
					       nn_param_value(&p, k + 2),
					       nn_param_value(&p, k + 3) };
		dw[l] = (struct nn_lstm_layer){ nn_param_grad(&p, k),
						nn_param_grad(&p, k + 1),
						nn_param_grad(&p, k + 2),
						nn_param_grad(&p, k + 3) };
	}
	head_w = nn_param_value(&p, L * BENCH_LSTM_TENSORS);
	head_b = nn_param_value(&p, L * BENCH_LSTM_TENSORS + 1);
	head_dw = nn_param_grad(&p, L * BENCH_LSTM_TENSORS);
	head_db = nn_param_grad(&p, L * BENCH_LSTM_TENSORS + 1);
	nn_optim_init(&opt, NN_OPTIM_ADAM, BENCH_LR);

	x = xmalloc(sizeof *x * B * T * I);          /* (B, T, I) */
	target = xmalloc(sizeof *target * B);        /* (B) */
	h_n = xmalloc(sizeof *h_n * L * B * H);      /* (L, B, H) */
	dh_n = xmalloc(sizeof *dh_n * L * B * H);    /* (L, B, H) */
	pred = xmalloc(sizeof *pred * B);            /* (B) */
	dpred = xmalloc(sizeof *dpred * B);          /* (B) */
	cache_buf = xmalloc(sizeof *cache_buf * nn_lstm_cache_size(B, T, I, H, L));
	nn_lstm_cache_init(&cache, cache_buf, B, T, I, H, L);
	for (i = 0; i < (size_t)B * T * I; i++)
		x[i] = (real)tn_rng_normal(&rng);
	for (i = 0; i < B; i++)
		target[i] = (real)tn_rng_normal(&rng);
	/* the top layer's h_T is the last timestep the head reads */
	last = h_n + (size_t)(L - 1) * B * H;

	flops = step_flops(B, T, I, H, L);
	timed = 0;
	t0 = 0;
	for (steps = 0;; steps++) {
		if (steps == BENCH_WARMUP_STEPS) {
			t0 = now();
			c0 = cpu_now();
		}
		if (steps >= BENCH_WARMUP_STEPS) {
			timed = steps - BENCH_WARMUP_STEPS;
			elapsed = now() - t0;
			if (timed >= BENCH_MIN_STEPS && elapsed >= BENCH_MIN_SECONDS) {
				cpu = cpu_now() - c0;
				break;
			}
		}
		nn_params_zero_grad(&p);
		/* train = 0: the original model has no inter-layer dropout,
		 * and dropout is all that train changes in the LSTM */
		nn_lstm_forward(NULL, h_n, NULL, &cache, x, NULL, NULL, w, 0, B,
				T, I, H, L);
		nn_dense_forward(pred, last, head_w, head_b, B, H, 1);
		memset(dpred, 0, sizeof *dpred * B);
		loss = nn_mse_loss(dpred, pred, target, NULL, 1, B);
		memset(dh_n, 0, sizeof *dh_n * L * B * H);
		nn_dense_backward(dh_n + (size_t)(L - 1) * B * H, head_dw,
				  head_db, dpred, last, head_w, B, H, 1);
		nn_lstm_backward(NULL, NULL, NULL, dw, NULL, dh_n, NULL, &cache,
				 x, w, B, T, I, H, L);
		nn_optim_step(&opt, &p);
	}
	if (!isfinite(loss))
		die(TN_EX_SOFTWARE, "loss is %g after %ld steps", loss, steps);

	printf("# lstm I=%d H=%d L=%d T=%d B=%d, adam, %s, one thread: "
	       "%.1f MFLOP/sample in GEMMs, final loss %.4g\n",
	       I, H, L, T, B, TN_REAL_NAME, flops / B * 1e-6, loss);
	printf("lstm train step C      %8.1f samples/s %8.2f GFLOP/s "
	       "(%ld steps, %.2f ms/step)\n",
	       (double)timed * B / elapsed, flops * timed / elapsed * 1e-9,
	       timed, elapsed / timed * 1e3);
	printf("lstm train step C cpu  %8.1f samples/s %8.2f GFLOP/s "
	       "(%.2f ms/step of CPU time)\n",
	       (double)timed * B / cpu, flops * timed / cpu * 1e-9,
	       cpu / timed * 1e3);

	free(x);
	free(target);
	free(h_n);
	free(dh_n);
	free(pred);
	free(dpred);
	free(cache_buf);
	nn_params_free(&p);
	return tn_finish(0);
}
