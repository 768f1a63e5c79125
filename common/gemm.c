/* gemm.c - see gemm.h. */
#include "gemm.h"

#include <cblas.h>
#include <string.h>

/* Declared by OpenBLAS's cblas.h; named again here so a build against
 * another BLAS's header fails to link instead of running slowly. */
extern char *openblas_get_config(void);
extern void openblas_set_num_threads(int num_threads);

void tn_gemm(int trans_a, int trans_b, int M, int N, int K, real alpha,
	     const real *A, int lda, const real *B, int ldb, real beta, real *C,
	     int ldc)
{
	enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
	enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;

	if (M <= 0 || N <= 0)
		return;
#ifdef TN_REAL_DOUBLE
	cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta,
		    C, ldc);
#else
	cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta,
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
	return openblas_get_config();
}

int tn_blas_init(const char **why)
{
	const char *config = openblas_get_config();

	if (!config || strncmp(config, "OpenBLAS", 8) != 0) {
		*why = "the BLAS loaded is not OpenBLAS (install libopenblas0)";
		return -1;
	}
	openblas_set_num_threads(1);
	return 0;
}
