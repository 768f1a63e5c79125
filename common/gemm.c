/* gemm.c - see gemm.h.
 *
 * OpenBLAS is loaded with dlopen, not linked: it picks its kernels from
 * the CPU's family and model number in its library constructor, and
 * OpenBLAS 0.3.21 (Debian 12) does not know recent Xeons (family 6 model
 * 207, say): it falls back to its Prescott (SSE3) kernels, about 4x
 * slower for sgemm.  Loading it ourselves lets us name the kernel family
 * first, from the instruction sets the CPU has, through OpenBLAS's own
 * OPENBLAS_CORETYPE variable, unless the user has set it.  The library is
 * found as a linked one would be: the executable's run path names the
 * serial OpenBLAS (see the Makefile). */
#include "gemm.h"

#include "cli.h"

#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Declared by OpenBLAS's cblas.h; named again here so a build against
 * another BLAS's header fails to compile instead of running slowly. */
extern char *openblas_get_config(void);
extern void openblas_set_num_threads(int num_threads);

#define OPENBLAS_SONAME "libopenblas.so.0"

static struct {
	int state; /* 0 not tried, 1 loaded, -1 failed */
	const char *why;
	__typeof__(cblas_sgemm) *sgemm;
	__typeof__(cblas_dgemm) *dgemm;
	__typeof__(openblas_get_config) *get_config;
	__typeof__(openblas_set_num_threads) *set_num_threads;
} blas;

/* The OpenBLAS kernel family for this CPU's instruction sets, or NULL to
 * leave the choice to OpenBLAS. */
static const char *coretype(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512dq") &&
	    __builtin_cpu_supports("avx512vl"))
		return "SkylakeX";
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return "Haswell";
	return NULL;
}

/* tn_blas_preload's thread; only the main thread reads or writes these. */
static pthread_t loader;
static int loader_running;

/* Names the kernel family; in the calling thread, since setenv must not
 * race with the getenv of OpenBLAS's constructor. */
static void name_coretype(void)
{
	const char *core = coretype();

	if (core && !getenv("OPENBLAS_CORETYPE"))
		setenv("OPENBLAS_CORETYPE", core, 0);
}

/* dlopen and dlsym; sets blas.state.  Runs in the main thread or, alone,
 * in the loader thread. */
static void load_library(void)
{
	static char why[256];
	void *h;

	blas.state = -1;
	h = dlopen(OPENBLAS_SONAME, RTLD_LAZY | RTLD_LOCAL);
	if (!h) {
		snprintf(why, sizeof why, "cannot load OpenBLAS (install "
			 "libopenblas0-serial): %s", dlerror());
		blas.why = why;
		return;
	}
	blas.sgemm = (__typeof__(blas.sgemm))dlsym(h, "cblas_sgemm");
	blas.dgemm = (__typeof__(blas.dgemm))dlsym(h, "cblas_dgemm");
	blas.get_config = (__typeof__(blas.get_config))dlsym(h, "openblas_get_config");
	blas.set_num_threads =
		(__typeof__(blas.set_num_threads))dlsym(h, "openblas_set_num_threads");
	if (!blas.sgemm || !blas.dgemm || !blas.get_config || !blas.set_num_threads) {
		blas.why = "the library loaded as " OPENBLAS_SONAME " is not OpenBLAS";
		return;
	}
	/* One thread: results are deterministic, and -j workers share cores. */
	blas.set_num_threads(1);
	blas.state = 1;
}

static void join_loader(void)
{
	if (loader_running) {
		pthread_join(loader, NULL);
		loader_running = 0;
	}
}

static int load(void)
{
	join_loader();
	if (!blas.state) {
		name_coretype();
		load_library();
	}
	return blas.state;
}

static void *loader_main(void *arg)
{
	(void)arg;
	load_library();
	return NULL;
}

void tn_blas_preload(void)
{
	static int registered;

	/* loader_running first: blas is the loader thread's while it runs */
	if (loader_running || blas.state)
		return;
	name_coretype();
	/* joined before exit too: OpenBLAS's destructor must not run while
	 * the thread is still inside its library */
	if (!registered && atexit(join_loader) == 0)
		registered = 1;
	if (registered && pthread_create(&loader, NULL, loader_main, NULL) == 0)
		loader_running = 1;
}

void tn_gemm(int trans_a, int trans_b, int M, int N, int K, real alpha,
	     const real *A, int lda, const real *B, int ldb, real beta, real *C,
	     int ldc)
{
	enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
	enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;

	if (M <= 0 || N <= 0)
		return;
	/* loader_running first: blas is the loader thread's while it runs */
	if ((loader_running || blas.state != 1) && load() != 1)
		die(TN_EX_SOFTWARE, "%s", blas.why);
#ifdef TN_REAL_DOUBLE
	blas.dgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta,
		    C, ldc);
#else
	blas.sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta,
		    C, ldc);
#endif
}

void tn_gemm_ref(int trans_a, int trans_b, int M, int N, int K, real alpha,
		 const real *A, int lda, const real *B, int ldb, real beta,
		 real *C, int ldc)
{
	int i, j, k;

	for (i = 0; i < M; i++)
		for (j = 0; j < N; j++) {
			double acc = 0.0;

			for (k = 0; k < K; k++) {
				real a = trans_a ? A[k * lda + i] : A[i * lda + k];
				real b = trans_b ? B[j * ldb + k] : B[k * ldb + j];

				acc += (double)a * (double)b;
			}
			/* BLAS semantics: beta == 0 ignores C (even NaN) */
			C[i * ldc + j] = (real)(alpha * acc +
						(beta == 0 ? 0 : beta * C[i * ldc + j]));
		}
}

const char *tn_blas_config(void)
{
	return load() == 1 ? blas.get_config() : blas.why;
}

int tn_blas_init(const char **why)
{
	const char *config;

	if (load() != 1) {
		*why = blas.why;
		return -1;
	}
	config = blas.get_config();
	if (!config || strncmp(config, "OpenBLAS", 8) != 0) {
		*why = "the library loaded as " OPENBLAS_SONAME " is not OpenBLAS";
		return -1;
	}
	return 0;
}
