/* nn_act.c - see nn_act.h.
 *
 * Dimensions: n elements. */
#include "nn_act.h"

#include <math.h>

#ifdef TN_REAL_DOUBLE
#define EXP exp
#define TANH tanh
#else
#define EXP expf
#define TANH tanhf
#endif

void nn_relu_forward(real *y, const real *x, int n)
{
	int k;

	for (k = 0; k < n; k++)
		y[k] = x[k] > 0 ? x[k] : 0;
}

void nn_relu_backward(real *dx, const real *dy, const real *x, int n)
{
	int k;

	for (k = 0; k < n; k++)
		if (x[k] > 0)
			dx[k] += dy[k];
}

void nn_leaky_relu_forward(real *y, const real *x, real slope, int n)
{
	int k;

	for (k = 0; k < n; k++)
		y[k] = x[k] > 0 ? x[k] : slope * x[k];
}

void nn_leaky_relu_backward(real *dx, const real *dy, const real *x,
			    real slope, int n)
{
	int k;

	for (k = 0; k < n; k++)
		dx[k] += x[k] > 0 ? dy[k] : slope * dy[k];
}

void nn_elu_forward(real *y, const real *x, real alpha, int n)
{
	int k;

	for (k = 0; k < n; k++)
		y[k] = x[k] > 0 ? x[k] : alpha * (EXP(x[k]) - 1);
}

void nn_elu_backward(real *dx, const real *dy, const real *x, real alpha,
		     int n)
{
	int k;

	for (k = 0; k < n; k++)
		dx[k] += x[k] > 0 ? dy[k] : dy[k] * alpha * EXP(x[k]);
}

void nn_tanh_forward(real *y, const real *x, int n)
{
	int k;

	for (k = 0; k < n; k++)
		y[k] = TANH(x[k]);
}

void nn_tanh_backward(real *dx, const real *dy, const real *y, int n)
{
	int k;

	for (k = 0; k < n; k++)
		dx[k] += dy[k] * (1 - y[k] * y[k]);
}

real nn_sigmoid(real x)
{
	/* exp of a non-positive argument only, so a large |x| cannot
	 * overflow */
	if (x >= 0)
		return 1 / (1 + EXP(-x));
	else {
		real e = EXP(x);

		return e / (1 + e);
	}
}

void nn_sigmoid_forward(real *y, const real *x, int n)
{
	int k;

	for (k = 0; k < n; k++)
		y[k] = nn_sigmoid(x[k]);
}

void nn_sigmoid_backward(real *dx, const real *dy, const real *y, int n)
{
	int k;

	for (k = 0; k < n; k++)
		dx[k] += dy[k] * y[k] * (1 - y[k]);
}

void nn_dropout_mask(real *mask, real p, int n, struct tn_rng *rng)
{
	real scale = p < 1 ? 1 / (1 - p) : 0;
	int k;

	for (k = 0; k < n; k++) {
		if (p <= 0)
			mask[k] = 1;
		else if (p >= 1)
			mask[k] = 0;
		else
			/* kept with probability 1 - p */
			mask[k] = tn_rng_uniform(rng) >= p ? scale : 0;
	}
}

void nn_dropout_forward(real *y, const real *x, const real *mask, int n)
{
	int k;

	for (k = 0; k < n; k++)
		y[k] = mask ? x[k] * mask[k] : x[k];
}

void nn_dropout_backward(real *dx, const real *dy, const real *mask, int n)
{
	int k;

	for (k = 0; k < n; k++)
		dx[k] += mask ? dy[k] * mask[k] : dy[k];
}
