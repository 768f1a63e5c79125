/* Unit tests: common/gemm.c - the BLAS seam against the naive reference,
 * and the run-time check that OpenBLAS is what is loaded.  Also built in
 * double precision as dbl_gemm.c. */
#include "gemm.h"
#include "rng.h"
#include "tn_test.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef TN_REAL_DOUBLE
#define GEMM_TOL 1e-12
#else
#define GEMM_TOL 1e-5
#endif

static void fill(real *x, int n, struct tn_rng *r)
{
	int i;

	for (i = 0; i < n; i++)
		x[i] = (real)(tn_rng_uniform(r) * 2 - 1);
}

/* In a child forked before anything loaded OpenBLAS: 0 when the
 * preloaded library multiplies correctly.  With exit_early the child
 * exits at once instead, while the loader thread may still be inside
 * dlopen; it must still exit with that status, not crash. */
static int preload_child(int exit_early)
{
	real A[6] = { 1, 2, 3, 4, 5, 6 }, B[6] = { 1, -1, 2, 0, 3, 1 }, C[4], R[4];
	const char *why = NULL;
	int i;

	if (dlopen("libopenblas.so.0", RTLD_NOW | RTLD_NOLOAD) != NULL)
		return 10;
	tn_blas_preload();
	tn_blas_preload(); /* a second call while loading does nothing */
	if (exit_early)
		exit(3);
	/* it loads by itself, without a call that waits for it */
	for (i = 0; i < 500 && !dlopen("libopenblas.so.0", RTLD_NOW | RTLD_NOLOAD); i++)
		usleep(10000);
	if (i == 500)
		return 14;
	tn_gemm(0, 0, 2, 2, 3, 1, A, 3, B, 2, 0, C, 2);
	tn_gemm_ref(0, 0, 2, 2, 3, 1, A, 3, B, 2, 0, R, 2);
	for (i = 0; i < 4; i++)
		if (C[i] != R[i])
			return 11;
	if (tn_blas_init(&why) != 0 || strncmp(tn_blas_config(), "OpenBLAS", 8))
		return 12;
	tn_blas_preload(); /* and after loading */
	return dlopen("libopenblas.so.0", RTLD_NOW | RTLD_NOLOAD) ? 0 : 13;
}

static int run_child(int exit_early)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(preload_child(exit_early));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Must run before anything loads OpenBLAS in this process. */
TEST(preloading_in_a_thread_gives_the_same_library)
{
	int k;

	CHECK_INT(run_child(0), 0);
	for (k = 0; k < 20; k++)
		CHECK_INT(run_child(1), 3);
}

/* Must run first of the rest: OpenBLAS is not loaded until tn_blas_init, so its
 * constructor has not picked kernels before gemm.c could name them. */
TEST(openblas_is_loaded_on_demand_with_kernels_for_this_cpu)
{
	const char *why = NULL, *core;

	CHECK(dlopen("libopenblas.so.0", RTLD_NOW | RTLD_NOLOAD) == NULL);
	CHECK_INT(tn_blas_init(&why), 0);
	CHECK(strncmp(tn_blas_config(), "OpenBLAS", 8) == 0);
	CHECK(dlopen("libopenblas.so.0", RTLD_NOW | RTLD_NOLOAD) != NULL);
	__builtin_cpu_init();
	core = getenv("OPENBLAS_CORETYPE");
	if (__builtin_cpu_supports("avx2"))
		CHECK(core != NULL);
	/* OpenBLAS took the family named (it ignores a name it does not
	 * know and detects the CPU itself) */
	if (core)
		CHECK(strcasestr(tn_blas_config(), core) != NULL);
	printf("# %s\n", tn_blas_config());
}

TEST(gemm_matches_reference_for_every_transpose_and_stride)
{
	struct tn_rng r;
	int ta, tb, t;

	tn_rng_seed(&r, 1);
	for (t = 0; t < 20; t++)
		for (ta = 0; ta < 2; ta++)
			for (tb = 0; tb < 2; tb++) {
				int M = 1 + (int)tn_rng_below(&r, 37);
				int N = 1 + (int)tn_rng_below(&r, 29);
				int K = 1 + (int)tn_rng_below(&r, 41);
				/* padded strides exercise lda/ldb/ldc */
				int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 2;
				int ldc = N + 1;
				int arows = ta ? K : M, brows = tb ? N : K;
				real *A = malloc(sizeof(real) * arows * lda);
				real *B = malloc(sizeof(real) * brows * ldb);
				real *C = malloc(sizeof(real) * M * ldc);
				real *R = malloc(sizeof(real) * M * ldc);
				real alpha = (real)0.7, beta = (real)(t % 2 ? 0.3 : 0.0);
				int i;

				fill(A, arows * lda, &r);
				fill(B, brows * ldb, &r);
				fill(C, M * ldc, &r);
				memcpy(R, C, sizeof(real) * M * ldc);
				tn_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
				tn_gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, R, ldc);
				for (i = 0; i < M * ldc; i++)
					CHECK_NEAR(C[i], R[i], GEMM_TOL * K);
				free(A);
				free(B);
				free(C);
				free(R);
			}
}

TEST(beta_zero_ignores_garbage_in_c)
{
	real A[2] = { 1, 2 }, B[2] = { 3, 4 }, C[1], R[1];

	C[0] = R[0] = (real)NAN;
	tn_gemm(0, 0, 1, 1, 2, 1, A, 2, B, 1, 0, C, 1);
	tn_gemm_ref(0, 0, 1, 1, 2, 1, A, 2, B, 1, 0, R, 1);
	CHECK_NEAR(C[0], 11, 0);
	CHECK_NEAR(R[0], 11, 0);
}

int main(void)
{
	RUN(preloading_in_a_thread_gives_the_same_library);
	RUN(openblas_is_loaded_on_demand_with_kernels_for_this_cpu);
	RUN(gemm_matches_reference_for_every_transpose_and_stride);
	RUN(beta_zero_ignores_garbage_in_c);
	return tn_t_done();
}
