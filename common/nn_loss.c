/* nn_loss.c - see nn_loss.h.
 *
 * Dimension letters: n elements, B snapshots, N nodes per snapshot.
 * Sums are kept in double so the float build loses nothing to them. */
#include "nn_loss.h"

#include <math.h>
#include <stddef.h>

static int present(const real *mask, size_t k)
{
	return !mask || mask[k] != 0;
}

/* L = (1/m) Σ r_k^2,  dL/dp_k = 2 r_k / m. */
double nn_mse_loss(real *dpred /* (n) */, const real *pred /* (n) */,
		   const real *target /* (n) */, const real *mask /* (n) */,
		   real weight, int n)
{
	double sum = 0.0;
	int k, m = 0;

	for (k = 0; k < n; k++)
		if (present(mask, (size_t)k)) {
			double r = (double)pred[k] - target[k];

			sum += r * r;
			m++;
		}
	if (m == 0)
		return 0.0;
	if (dpred)
		for (k = 0; k < n; k++)
			if (present(mask, (size_t)k))
				dpred[k] += (real)(weight * 2.0 *
						   ((double)pred[k] - target[k]) / m);
	return sum / m;
}

/* dl/dr = r inside the band, delta sign(r) outside (PyTorch clamps r to
 * [-delta, delta], which agrees at the boundary). */
double nn_huber_loss(real *dpred /* (n) */, const real *pred /* (n) */,
		     const real *target /* (n) */, const real *mask /* (n) */,
		     real delta, real weight, int n)
{
	double sum = 0.0, d = delta;
	int k, m = 0;

	for (k = 0; k < n; k++)
		if (present(mask, (size_t)k)) {
			double r = (double)pred[k] - target[k];

			sum += fabs(r) < d ? 0.5 * r * r : d * (fabs(r) - 0.5 * d);
			m++;
		}
	if (m == 0)
		return 0.0;
	if (dpred)
		for (k = 0; k < n; k++)
			if (present(mask, (size_t)k)) {
				double r = (double)pred[k] - target[k];
				double g = r < -d ? -d : r > d ? d : r;

				dpred[k] += (real)(weight * g / m);
			}
	return sum / m;
}

static int present_count(const real *mask /* (N) */, int N)
{
	int i, m = 0;

	for (i = 0; i < N; i++)
		m += present(mask, (size_t)i);
	return m;
}

/* With centred pc, yc over the m present nodes, vp = Σ pc^2 / m + eps,
 * vy = Σ yc^2 / m + eps, cov = Σ pc yc / m and S = sqrt(vp vy):
 *   d corr / d p_i = (yc_i - cov pc_i / vp) / (m S)
 * (the mean subtraction drops out because Σ yc = Σ pc = 0). */
double nn_ic_loss(real *dpred /* (B, N) */, const real *pred /* (B, N) */,
		  const real *target /* (B, N) */, const real *mask /* (B, N) */,
		  real eps, real weight, int B, int N)
{
	double total = 0.0;
	int b, i, used = 0;

	for (b = 0; b < B; b++)
		if (present_count(mask ? mask + (size_t)b * N : NULL, N) >= 2)
			used++;
	if (used == 0)
		return 0.0;
	for (b = 0; b < B; b++) {
		const real *p = pred + (size_t)b * N, *y = target + (size_t)b * N;
		const real *mk = mask ? mask + (size_t)b * N : NULL;
		double pm = 0, ym = 0, cov = 0, vp = 0, vy = 0, s, corr;
		int m = present_count(mk, N);

		if (m < 2)
			continue;
		for (i = 0; i < N; i++)
			if (present(mk, (size_t)i)) {
				pm += p[i];
				ym += y[i];
			}
		pm /= m;
		ym /= m;
		for (i = 0; i < N; i++)
			if (present(mk, (size_t)i)) {
				double pc = p[i] - pm, yc = y[i] - ym;

				cov += pc * yc;
				vp += pc * pc;
				vy += yc * yc;
			}
		cov /= m;
		vp = vp / m + eps;
		vy = vy / m + eps;
		s = sqrt(vp * vy);
		corr = cov / s;
		total += 1.0 - corr;
		if (!dpred)
			continue;
		for (i = 0; i < N; i++)
			if (present(mk, (size_t)i)) {
				double pc = p[i] - pm, yc = y[i] - ym;
				double dcorr = (yc - cov * pc / vp) / (m * s);

				dpred[(size_t)b * N + i] += (real)(-weight * dcorr / used);
			}
	}
	return total / used;
}

/* A pair with h = -(p_i - p_j)(y_i - y_j) > 0 adds h / P (P pairs) and
 * pushes p_i by -(y_i - y_j) / P, p_j by the opposite. */
double nn_rank_loss(real *dpred /* (B, N) */, const real *pred /* (B, N) */,
		    const real *target /* (B, N) */, const real *mask /* (B, N) */,
		    real weight, int B, int N)
{
	double total = 0.0;
	int b, i, j, used = 0;

	for (b = 0; b < B; b++)
		if (present_count(mask ? mask + (size_t)b * N : NULL, N) >= 2)
			used++;
	if (used == 0)
		return 0.0;
	for (b = 0; b < B; b++) {
		const real *p = pred + (size_t)b * N, *y = target + (size_t)b * N;
		const real *mk = mask ? mask + (size_t)b * N : NULL;
		int m = present_count(mk, N);
		double pairs, sum = 0.0;

		if (m < 2)
			continue;
		pairs = 0.5 * m * (m - 1);
		for (i = 0; i < N; i++) {
			if (!present(mk, (size_t)i))
				continue;
			for (j = i + 1; j < N; j++) {
				double dy, h;

				if (!present(mk, (size_t)j))
					continue;
				dy = (double)y[i] - y[j];
				h = -((double)p[i] - p[j]) * dy;
				if (h <= 0)
					continue;
				sum += h;
				if (dpred) {
					double g = weight * dy / (pairs * used);

					dpred[(size_t)b * N + i] -= (real)g;
					dpred[(size_t)b * N + j] += (real)g;
				}
			}
		}
		total += sum / pairs;
	}
	return total / used;
}
