/* gradcheck.h - analytic gradients against central finite differences.
 * Used by the double-precision unit tests (dbl_*.c, built with
 * -DTN_REAL_DOUBLE), where h = 1e-5 leaves truncation and rounding errors
 * near 1e-10, far below the 1e-6 the checks demand.
 *
 * The error of one element is |analytic - numeric| / max(|analytic|,
 * |numeric|, GRADCHECK_FLOOR): relative, with a floor so a gradient that
 * is zero in both does not divide by zero. */
#ifndef TN_GRADCHECK_H
#define TN_GRADCHECK_H

#include "real.h"

#include <math.h>
#include <stdio.h>

#define GRADCHECK_STEP 1e-5
#define GRADCHECK_FLOOR 1e-3
#define GRADCHECK_TOL 1e-6

/* Recomputes the forward pass and returns the scalar loss. */
typedef double (*gradcheck_loss_fn)(void *ctx);

/* Perturbs each of x[0..n) in place (and restores it), compares with
 * analytic[0..n), prints the worst element as a TAP comment, and returns
 * the largest error. */
static inline double gradcheck(const char *what, real *x,
			       const real *analytic, int n,
			       gradcheck_loss_fn loss, void *ctx)
{
	double worst = 0.0, worst_a = 0.0, worst_n = 0.0;
	int i, worst_i = -1;

	for (i = 0; i < n; i++) {
		real saved = x[i];
		double plus, minus, numeric, a = (double)analytic[i], denom, err;

		x[i] = (real)(saved + GRADCHECK_STEP);
		plus = loss(ctx);
		x[i] = (real)(saved - GRADCHECK_STEP);
		minus = loss(ctx);
		x[i] = saved;
		numeric = (plus - minus) / (2 * GRADCHECK_STEP);
		denom = fmax(fmax(fabs(a), fabs(numeric)), GRADCHECK_FLOOR);
		err = fabs(a - numeric) / denom;
		if (worst_i < 0 || !(err <= worst)) {
			worst = isnan(err) ? INFINITY : err;
			worst_i = i;
			worst_a = a;
			worst_n = numeric;
		}
	}
	printf("# gradcheck %s: n=%d worst rel err %.3g at [%d] (analytic %.10g, numeric %.10g)\n",
	       what, n, worst, worst_i, worst_a, worst_n);
	return worst;
}

#endif
