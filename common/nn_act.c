/* nn_act.c - see nn_act.h.
 *
 * Dimensions: n elements. */
#include "nn_act.h"

#include <math.h>
#include <stdint.h>

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
	uint64_t keep_from;
	int k;

	if (p <= 0 || p >= 1) {
		real all = p <= 0 ? 1 : 0;

		for (k = 0; k < n; k++)
			mask[k] = all;
		return;
	}
	/* An element is kept when its draw's top 53 bits, as a fraction in
	 * [0, 1) (tn_rng_uniform), are >= p, i.e. when u >> 11 >= ceil(p 2^53),
	 * i.e. when u >= ceil(p 2^53) 2^11: the same mask from the same draws
	 * without a double per element.  p 2^53 < 2^53 is exact, so the keep
	 * probability is 1 - ceil(p 2^53) / 2^53, which is 1 - p within 2^-53
	 * (exactly for a double p >= 0.5 or a float p >= 2^-30).  A NaN p
	 * draws n numbers and keeps nothing, as tn_rng_uniform() >= NaN
	 * would. */
	keep_from = p == p ? (uint64_t)ceil((double)p * 0x1p53) << 11 : UINT64_MAX;
	for (k = 0; k < n; k++)
		mask[k] = tn_rng_u64(rng) >= keep_from ? scale : 0;
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
