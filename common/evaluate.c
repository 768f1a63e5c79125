/* evaluate.c - see evaluate.h. */
#include "evaluate.h"

#include <math.h>

void tn_eval_compute(struct tn_eval *m, const double *pred,
			const double *actual, long n)
{
	double se = 0, ae = 0, se_zero = 0, hits = 0, moves = 0;
	double mp = 0, ma = 0, cov = 0, vp = 0, va = 0;
	long i;

	for (i = 0; i < n; i++) {
		double e = pred[i] - actual[i];

		se += e * e;
		ae += fabs(e);
		se_zero += actual[i] * actual[i];
		mp += pred[i];
		ma += actual[i];
		if (actual[i] != 0) {
			moves++;
			if (pred[i] == 0)
				hits += 0.5;
			else if ((pred[i] > 0) == (actual[i] > 0))
				hits += 1;
		}
	}
	mp /= (double)n;
	ma /= (double)n;
	/* second pass for the moments: exact even when the means are large */
	for (i = 0; i < n; i++) {
		cov += (pred[i] - mp) * (actual[i] - ma);
		vp += (pred[i] - mp) * (pred[i] - mp);
		va += (actual[i] - ma) * (actual[i] - ma);
	}
	m->n = n;
	m->mse = se / (double)n;
	m->mae = ae / (double)n;
	m->dir_acc = moves > 0 ? hits / moves : NAN;
	m->ic = vp > 0 && va > 0 ? cov / sqrt(vp * va) : NAN;
	m->skill = se_zero > 0 ? 1.0 - se / se_zero : NAN;
}

double tn_baseline_momentum(const double *logret, long t, int window,
			    int horizon)
{
	double sum = 0;
	long i;

	if (window <= 0 || t - window + 1 < 0)
		return NAN;
	for (i = t - window + 1; i <= t; i++) {
		if (!isfinite(logret[i]))
			return NAN;
		sum += logret[i];
	}
	return horizon * sum / window;
}
