/* nn_dense.c - see nn_dense.h.
 *
 * Dimensions: N rows, I input features, O output features. */
#include "nn_dense.h"

#include <stddef.h>

#include "gemm.h"

void nn_dense_forward(real *y, const real *x, const real *W, const real *b,
		      int N, int I, int O)
{
	int n, o;

	/* start every row at the bias, so the GEMM adds onto it (beta 1) */
	for (n = 0; n < N; n++)
		for (o = 0; o < O; o++)
			y[(size_t)n * O + o] = b ? b[o] : 0;
	/* y (N, O) += x (N, I) W^T (I, O) */
	tn_gemm(0, 1, N, O, I, 1, x, I, W, I, 1, y, O);
}

void nn_dense_backward(real *dx, real *dW, real *db, const real *dy,
		       const real *x, const real *W, int N, int I, int O)
{
	int n, o;

	/* dx (N, I) += dy (N, O) W (O, I) */
	if (dx)
		tn_gemm(0, 0, N, I, O, 1, dy, O, W, I, 1, dx, I);
	/* dW (O, I) += dy^T (O, N) x (N, I) */
	if (dW)
		tn_gemm(1, 0, O, I, N, 1, dy, O, x, I, 1, dW, I);
	if (db)
		for (n = 0; n < N; n++)
			for (o = 0; o < O; o++)
				db[o] += dy[(size_t)n * O + o];
}
