/* gemm.h - the one seam to BLAS.  Every matrix product in tickernet goes
 * through tn_gemm, row-major:
 *   C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C
 * op(X) is X or X^T as trans_a / trans_b say; lda, ldb, ldc are the row
 * strides of A, B, C as stored.  With real == float this is cblas_sgemm,
 * with double cblas_dgemm.  tn_gemm_ref is the naive triple loop the tests
 * compare against. */
#ifndef TN_GEMM_H
#define TN_GEMM_H

#include "real.h"

void tn_gemm(int trans_a, int trans_b, int M, int N, int K, real alpha,
	     const real *A, int lda, const real *B, int ldb, real beta, real *C,
	     int ldc);
void tn_gemm_ref(int trans_a, int trans_b, int M, int N, int K, real alpha,
		 const real *A, int lda, const real *B, int ldb, real beta,
		 real *C, int ldc);

/* Loads OpenBLAS (the serial build the run path names), first naming its
 * kernel family from the CPU's instruction sets in OPENBLAS_CORETYPE
 * unless that is set already (see gemm.c); checks that what was loaded is
 * OpenBLAS and pins it to one thread, so results are deterministic.
 * Returns 0, or -1 with *why set.  tn_gemm loads it too when nobody
 * called this first, and dies if it cannot. */
int tn_blas_init(const char **why);
/* Starts loading OpenBLAS in a thread of its own, so that a short-lived
 * tool can read its input meanwhile (loading takes about 2.4 ms, most of
 * it OpenBLAS's ten thousand symbol relocations).  tn_blas_init, tn_gemm
 * and exit wait for it; call this from the main thread, and call
 * tn_blas_init before any fork. */
void tn_blas_preload(void);
/* OpenBLAS's configuration string, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ...". */
const char *tn_blas_config(void);

#endif
