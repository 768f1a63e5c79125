/* bench/gemm.c - GFLOP/s of the GEMM seam at the shapes the models use.
 * Prints one line per shape; `make bench` runs it.  Timings belong here,
 * never in the tests. */
#include "cli.h"
#include "gemm.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Repeat each shape until at least this long has passed. */
#define BENCH_MIN_SECONDS 0.5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void bench(const char *what, int M, int N, int K)
{
	real *A = xmalloc(sizeof(real) * (size_t)M * K);
	real *B = xmalloc(sizeof(real) * (size_t)K * N);
	real *C = xcalloc((size_t)M * N, sizeof(real));
	struct tn_rng r;
	double t0, elapsed;
	long reps = 0;
	size_t i;

	tn_rng_seed(&r, 1);
	for (i = 0; i < (size_t)M * K; i++)
		A[i] = (real)tn_rng_uniform(&r);
	for (i = 0; i < (size_t)K * N; i++)
		B[i] = (real)tn_rng_uniform(&r);
	t0 = now();
	do {
		tn_gemm(0, 0, M, N, K, 1, A, K, B, N, 0, C, N);
		reps++;
		elapsed = now() - t0;
	} while (elapsed < BENCH_MIN_SECONDS);
	printf("gemm %-28s M=%-5d N=%-5d K=%-5d %8.2f GFLOP/s\n", what, M, N, K,
	       2.0 * M * N * K * reps / elapsed * 1e-9);
	free(A);
	free(B);
	free(C);
}

int main(int argc, char **argv)
{
	const char *why;

	tn_init_progname(argv);
	(void)argc;
	if (tn_blas_init(&why) < 0)
		die(TN_EX_SOFTWARE, "%s", why);
	printf("# %s, one thread, %s\n", tn_blas_config(), TN_REAL_NAME);
	bench("square", 1024, 1024, 1024);
	bench("lstm input projection", 32 * 60, 512, 7);
	bench("lstm recurrent step", 32, 512, 128);
	bench("lstm dW over all steps", 512, 128, 32 * 60);
	return tn_finish(0);
}
