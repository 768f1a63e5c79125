/* corr.c - see corr.h.  T days, n symbols. */
#include "corr.h"

#include "cli.h"
#include "gemm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* In the missing-value path, a variance term sxx - sx^2/n smaller than
 * this fraction of sxx has lost three of float's seven digits to
 * cancellation: that pair is recomputed in double instead. */
#define CORR_CANCEL_FRACTION 1e-3

/* Columns per block of the Gram product: only blocks on or above the
 * diagonal are multiplied, which halves the work as BLAS's SYRK would; a
 * block this wide keeps GEMM near full speed. */
#define CORR_BLOCK 128

/* The four products of the missing-value path, each (n, n), in w->prod. */
enum { PROD_COUNT, PROD_SUM, PROD_SUMSQ, PROD_CROSS, PROD_N };

void tn_corr_work_init(struct tn_corr_work *w, int T, int n)
{
	size_t tn = (size_t)T * (size_t)n, nn = (size_t)n * (size_t)n;

	w->T = T;
	w->n = n;
	w->scratch = xmalloc(sizeof(double) * 4 * (size_t)(T > 0 ? T : 1));
	w->order = xmalloc(sizeof(int) * (size_t)(T > 0 ? T : 1));
	w->usable = xmalloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
	w->mean = xmalloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
	w->ss = xmalloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
	w->first = xmalloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
	w->present = xmalloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
	w->varies = xmalloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
	w->z = xmalloc(sizeof(real) * (tn ? tn : 1));
	w->z2 = xmalloc(sizeof(real) * (tn ? tn : 1));
	w->mask = xmalloc(sizeof(real) * (tn ? tn : 1));
	w->prod = xmalloc(sizeof(real) * PROD_N * (nn ? nn : 1));
}

void tn_corr_work_free(struct tn_corr_work *w)
{
	free(w->scratch);
	free(w->order);
	free(w->usable);
	free(w->mean);
	free(w->ss);
	free(w->first);
	free(w->present);
	free(w->varies);
	free(w->z);
	free(w->z2);
	free(w->mask);
	free(w->prod);
	memset(w, 0, sizeof(*w));
}

static int by_value(const void *a, const void *b, void *values)
{
	const double *v = values;
	int i = *(const int *)a, j = *(const int *)b;

	if (v[i] < v[j])
		return -1;
	if (v[i] > v[j])
		return 1;
	return (i > j) - (i < j);
}

void tn_corr_rank(double *ranks, const double *values, int count, int *order)
{
	int i, j, k;

	for (i = 0; i < count; i++)
		order[i] = i;
	qsort_r(order, (size_t)count, sizeof(*order), by_value, (void *)values);
	for (i = 0; i < count; i = j) {
		for (j = i + 1; j < count && values[order[j]] == values[order[i]]; j++)
			;
		/* positions i+1 .. j share their mean rank */
		for (k = i; k < j; k++)
			ranks[order[k]] = (double)(i + 1 + j) / 2.0;
	}
}

static int constant(const double *x, int count)
{
	int t;

	for (t = 1; t < count; t++)
		if (x[t] != x[0])
			return 0;
	return 1;
}

static double clamp_unit(double r)
{
	return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
}

/* Pearson of two dense series (count) in double, two passes. */
static double pearson_dense(const double *x, const double *y, int count)
{
	double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
	int t;

	if (count < 2 || constant(x, count) || constant(y, count))
		return NAN;
	for (t = 0; t < count; t++) {
		mx += x[t];
		my += y[t];
	}
	mx /= count;
	my /= count;
	for (t = 0; t < count; t++) {
		double dx = x[t] - mx, dy = y[t] - my;

		sxx += dx * dx;
		syy += dy * dy;
		sxy += dx * dy;
	}
	if (sxx <= 0 || syy <= 0)
		return NAN;
	return clamp_unit(sxy / sqrt(sxx * syy));
}

/* One pair over its common days; scratch (4, T), order (T). */
static double pair_corr(const double *x, const double *y, int T, size_t stride,
			enum tn_corr_method method, int min_periods,
			double *scratch, int *order)
{
	double *cx = scratch, *cy = scratch + T;
	double *rx = scratch + 2 * T, *ry = scratch + 3 * T;
	int t, m = 0;

	for (t = 0; t < T; t++) {
		double a = x[(size_t)t * stride], b = y[(size_t)t * stride];

		if (isnan(a) || isnan(b))
			continue;
		cx[m] = a;
		cy[m] = b;
		m++;
	}
	if (m < 2 || m < min_periods)
		return NAN;
	if (method == TN_CORR_SPEARMAN) {
		tn_corr_rank(rx, cx, m, order);
		tn_corr_rank(ry, cy, m, order);
		return pearson_dense(rx, ry, m);
	}
	return pearson_dense(cx, cy, m);
}

double tn_corr_pair(const double *x, const double *y, int T, size_t stride,
		    enum tn_corr_method method, int min_periods)
{
	double *scratch = xmalloc(sizeof(double) * 4 * (size_t)(T > 0 ? T : 1));
	int *order = xmalloc(sizeof(int) * (size_t)(T > 0 ? T : 1));
	double r = pair_corr(x, y, T, stride, method, min_periods, scratch, order);

	free(scratch);
	free(order);
	return r;
}

void tn_corr_matrix_ref(double *corr, const double *window, int T, int n,
			enum tn_corr_method method, int min_periods)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = i; j < n; j++) {
			double r = tn_corr_pair(window + i, window + j, T,
						(size_t)n, method, min_periods);

			if (i == j && !isnan(r))
				r = 1.0;
			corr[i * n + j] = corr[j * n + i] = r;
		}
}

/* The upper triangle (by blocks) of C (n, n) = A^T B, with A and B (T, n)
 * the same matrix or two whose product is symmetric; entries below the
 * diagonal blocks are left as they were. */
static void upper_product(real *C, const real *A, const real *B, int T, int n)
{
	int I, J;

	for (I = 0; I < n; I += CORR_BLOCK)
		for (J = I; J < n; J += CORR_BLOCK) {
			int bi = n - I < CORR_BLOCK ? n - I : CORR_BLOCK;
			int bj = n - J < CORR_BLOCK ? n - J : CORR_BLOCK;

			tn_gemm(1, 0, bi, bj, T, 1, A + I, n, B + J, n, 0,
				C + (size_t)I * n + J, n);
		}
}

/* Copies column j of window (T, n) into col; returns 1 if none missing. */
static int gather_column(double *col, const double *window, int T, int n, int j)
{
	int t, complete = 1;

	for (t = 0; t < T; t++) {
		col[t] = window[(size_t)t * n + j];
		if (isnan(col[t]))
			complete = 0;
	}
	return complete;
}

/* Each column's present days, mean, squared deviations and whether it
 * varies, walking the window row by row: walking a column would stride
 * n doubles at each step. */
static void column_moments(const double *window, int T, int n,
			   struct tn_corr_work *w)
{
	int t, j;

	for (j = 0; j < n; j++) {
		w->mean[j] = w->ss[j] = 0;
		w->present[j] = w->varies[j] = 0;
	}
	for (t = 0; t < T; t++) {
		const double *row = window + (size_t)t * n;

		for (j = 0; j < n; j++) {
			if (isnan(row[j]))
				continue;
			if (!w->present[j]++)
				w->first[j] = row[j];
			else if (row[j] != w->first[j])
				w->varies[j] = 1;
			w->mean[j] += row[j];
		}
	}
	for (j = 0; j < n; j++)
		if (w->present[j])
			w->mean[j] /= w->present[j];
	for (t = 0; t < T; t++) {
		const double *row = window + (size_t)t * n;

		for (j = 0; j < n; j++)
			if (!isnan(row[j]))
				w->ss[j] += (row[j] - w->mean[j]) *
					    (row[j] - w->mean[j]);
	}
}

/* The diagonal and the pairs of usable columns from the upper triangle of
 * cross = Z^T Z; pairs
 * with an incomplete column (usable -1) one by one. */
static void fill_from_cross(double *corr, const double *window, int T, int n,
			    enum tn_corr_method method, int min_periods,
			    struct tn_corr_work *w)
{
	const real *cross = w->prod;
	int i, j;

	for (i = 0; i < n; i++)
		for (j = i; j < n; j++) {
			double r;

			if (w->usable[i] >= 0 && w->usable[j] >= 0) {
				if (!w->usable[i] || !w->usable[j])
					r = NAN;
				else if (i == j)
					r = 1.0;
				else
					r = clamp_unit(cross[(size_t)i * n + j]);
			} else {
				r = pair_corr(window + i, window + j, T,
					      (size_t)n, method, min_periods,
					      w->scratch, w->order);
				if (i == j && !isnan(r))
					r = 1.0;
			}
			corr[i * n + j] = corr[j * n + i] = r;
		}
}

/* Pearson with no value missing: z_j . z_j = 1, so one product Z^T Z is
 * the matrix. */
static void corr_pearson_complete(double *corr, const double *window, int T,
				  int n, int min_periods,
				  struct tn_corr_work *w)
{
	int t, j, any_usable = 0;

	column_moments(window, T, n, w);
	for (j = 0; j < n; j++) {
		w->usable[j] = T >= 2 && T >= min_periods && w->varies[j] &&
			       w->ss[j] > 0;
		any_usable |= w->usable[j];
		/* reuse mean/ss: the scale that gives unit norm, 0 unusable */
		w->ss[j] = w->usable[j] ? 1.0 / sqrt(w->ss[j]) : 0;
	}
	for (t = 0; t < T; t++) {
		const double *row = window + (size_t)t * n;
		real *z = w->z + (size_t)t * n;

		for (j = 0; j < n; j++)
			z[j] = (real)((row[j] - w->mean[j]) * w->ss[j]);
	}
	if (any_usable)
		upper_product(w->prod, w->z, w->z, T, n);
	fill_from_cross(corr, window, T, n, TN_CORR_PEARSON, min_periods, w);
}

/* Spearman: complete columns are ranked and go through one product; pairs
 * with an incomplete column are ranked afresh over their common days. */
static void corr_spearman(double *corr, const double *window, int T, int n,
			  int min_periods, struct tn_corr_work *w)
{
	double *col = w->scratch, *ranks = w->scratch + T;
	real *z = w->z;
	int j, t, any_usable = 0;

	for (j = 0; j < n; j++) {
		double mean = 0, ss = 0, scale;
		int complete = gather_column(col, window, T, n, j);

		/* usable: 1 through the product, 0 constant or too short,
		 * -1 incomplete (pairs done one by one) */
		w->usable[j] = complete ? 0 : -1;
		for (t = 0; t < T; t++)
			z[(size_t)t * n + j] = 0;
		if (!complete || T < 2 || T < min_periods || constant(col, T))
			continue;
		tn_corr_rank(ranks, col, T, w->order);
		for (t = 0; t < T; t++)
			mean += ranks[t];
		mean /= T;
		for (t = 0; t < T; t++)
			ss += (ranks[t] - mean) * (ranks[t] - mean);
		if (ss <= 0)
			continue;
		scale = 1.0 / sqrt(ss);
		for (t = 0; t < T; t++)
			z[(size_t)t * n + j] = (real)((ranks[t] - mean) * scale);
		w->usable[j] = 1;
		any_usable = 1;
	}
	if (any_usable)
		upper_product(w->prod, z, z, T, n);
	fill_from_cross(corr, window, T, n, TN_CORR_SPEARMAN, min_periods, w);
}

/* Pearson, pairwise-complete, with four products (corr.h). */
static void corr_masked(double *corr, const double *window, int T, int n,
			int min_periods, struct tn_corr_work *w)
{
	size_t nn = (size_t)n * n;
	real *count = w->prod + PROD_COUNT * nn, *sum = w->prod + PROD_SUM * nn;
	real *sumsq = w->prod + PROD_SUMSQ * nn;
	real *cross = w->prod + PROD_CROSS * nn;
	int need = min_periods > 2 ? min_periods : 2;
	int i, j, t;

	column_moments(window, T, n, w);
	/* scale to unit variance only to keep the float sums near 1 */
	for (j = 0; j < n; j++)
		w->ss[j] = w->present[j] && w->ss[j] > 0 ?
			1.0 / sqrt(w->ss[j] / w->present[j]) : 1;
	for (t = 0; t < T; t++) {
		const double *row = window + (size_t)t * n;
		size_t k = (size_t)t * n;

		for (j = 0; j < n; j++) {
			int here = !isnan(row[j]);
			double v = here ? (row[j] - w->mean[j]) * w->ss[j] : 0;

			w->mask[k + j] = (real)here;
			w->z[k + j] = (real)v;
			w->z2[k + j] = (real)(v * v);
		}
	}
	upper_product(count, w->mask, w->mask, T, n);
	tn_gemm(1, 0, n, n, T, 1, w->z, n, w->mask, n, 0, sum, n);
	tn_gemm(1, 0, n, n, T, 1, w->z2, n, w->mask, n, 0, sumsq, n);
	upper_product(cross, w->z, w->z, T, n);
	for (i = 0; i < n; i++)
		for (j = i; j < n; j++) {
			size_t ij = (size_t)i * n + j, ji = (size_t)j * n + i;
			double days = count[ij];
			double sx = sum[ij], sy = sum[ji];
			double sxx = sumsq[ij], syy = sumsq[ji];
			double vx, vy, r;

			if (days < need) {
				r = NAN;
				goto store;
			}
			vx = sxx - sx * sx / days;
			vy = syy - sy * sy / days;
			if (i == j) {
				r = w->varies[i] ? 1.0 : NAN;
			} else if (vx <= CORR_CANCEL_FRACTION * sxx ||
				   vy <= CORR_CANCEL_FRACTION * syy) {
				r = pair_corr(window + i, window + j, T,
					      (size_t)n, TN_CORR_PEARSON,
					      min_periods, w->scratch, w->order);
			} else {
				r = clamp_unit((cross[ij] - sx * sy / days) /
					       sqrt(vx * vy));
			}
store:
			corr[ij] = corr[ji] = r;
		}
}

void tn_corr_matrix(double *corr, const double *window, int T, int n,
		    enum tn_corr_method method, int min_periods,
		    struct tn_corr_work *w)
{
	size_t k, cells = (size_t)T * n;

	if (w->T != T || w->n != n)
		die(TN_EX_SOFTWARE, "tn_corr_matrix: workspace for (%d, %d), "
		    "window (%d, %d)", w->T, w->n, T, n);
	if (method == TN_CORR_PEARSON)
		for (k = 0; k < cells; k++)
			if (isnan(window[k])) {
				corr_masked(corr, window, T, n, min_periods, w);
				return;
			}
	if (method == TN_CORR_PEARSON)
		corr_pearson_complete(corr, window, T, n, min_periods, w);
	else
		corr_spearman(corr, window, T, n, min_periods, w);
}

/* Rolling sums: a variance term below this fraction of the column's peak
 * sum of squares (corr.h) may be mostly rounding; that pair is computed
 * from the window instead. */
#define ROLL_CANCEL_FRACTION 1e-6

/* The pairwise sums, each (n, n), upper triangle; with no value missing
 * in the window only ROLL_SXY is kept, beside the column sums. */
enum { ROLL_DAYS, ROLL_SX, ROLL_SY, ROLL_SXX, ROLL_SYY, ROLL_SXY, ROLL_N };

void tn_corr_roll_init(struct tn_corr_roll *r, int L, int n)
{
	size_t nn = (size_t)n * (size_t)n, n1 = (size_t)(n > 0 ? n : 1);

	r->L = L;
	r->n = n;
	r->last = -1;
	r->steps = 0;
	r->idx = xmalloc(sizeof(int) * n1);
	r->val = xmalloc(sizeof(double) * n1);
	r->sum = xcalloc(ROLL_N * (nn ? nn : 1), sizeof(double));
	r->col = xcalloc(2 * n1, sizeof(double));
	r->peak = xcalloc(n1, sizeof(double));
}

void tn_corr_roll_free(struct tn_corr_roll *r)
{
	free(r->idx);
	free(r->val);
	free(r->sum);
	free(r->col);
	free(r->peak);
	memset(r, 0, sizeof(*r));
}

static int count_missing(const double *row, int n)
{
	int j, k = 0;

	for (j = 0; j < n; j++)
		k += isnan(row[j]);
	return k;
}

/* Adds (sign 1) or takes away (sign -1) one row's terms, every pair
 * i <= j of present columns. */
static void roll_row(struct tn_corr_roll *r, const double *row, double sign)
{
	size_t nn = (size_t)r->n * (size_t)r->n;
	double *days = r->sum + ROLL_DAYS * nn, *sx = r->sum + ROLL_SX * nn;
	double *sy = r->sum + ROLL_SY * nn, *sxx = r->sum + ROLL_SXX * nn;
	double *syy = r->sum + ROLL_SYY * nn, *sxy = r->sum + ROLL_SXY * nn;
	int n = r->n, m = 0, a, b, j;

	for (j = 0; j < n; j++)
		if (!isnan(row[j])) {
			r->idx[m] = j;
			r->val[m++] = row[j];
		}
	for (a = 0; a < m; a++) {
		size_t base = (size_t)r->idx[a] * n;
		double x = r->val[a], sgx = sign * x, sgxx = sign * x * x;

		for (b = a; b < m; b++) {
			size_t k = base + (size_t)r->idx[b];
			double y = r->val[b];

			days[k] += sign;
			sx[k] += sgx;
			sy[k] += sign * y;
			sxx[k] += sgxx;
			syy[k] += sign * y * y;
			sxy[k] += sgx * y;
		}
	}
}

/* No value missing in either row or the window: the column sums and the
 * products, the new row x in and the old row y out in one pass. */
__attribute__((target_clones("avx2", "default")))
static void roll_complete(struct tn_corr_roll *r, const double *x,
			  const double *y)
{
	size_t nn = (size_t)r->n * (size_t)r->n;
	double *sxy = r->sum + ROLL_SXY * nn, *s = r->col, *ss = r->col + r->n;
	int n = r->n, i, j;

	for (i = 0; i < n; i++) {
		double *row = sxy + (size_t)i * n;
		double xi = x ? x[i] : 0, yi = y ? y[i] : 0;

		s[i] += xi - yi;
		ss[i] += xi * xi - yi * yi;
		if (x && y)
			for (j = i; j < n; j++)
				row[j] += xi * x[j] - yi * y[j];
		else if (x)
			for (j = i; j < n; j++)
				row[j] += xi * x[j];
	}
}

/* The sums of the window ending at row e, from nothing. */
static void roll_rebuild(struct tn_corr_roll *r, const double *returns, int e)
{
	size_t nn = (size_t)r->n * (size_t)r->n;
	int n = r->n, t, j;

	r->missing = 0;
	for (t = e - r->L + 1; t <= e; t++)
		r->missing += count_missing(returns + (size_t)t * n, n);
	memset(r->sum, 0, sizeof(double) * ROLL_N * nn);
	memset(r->col, 0, sizeof(double) * 2 * (size_t)n);
	for (t = e - r->L + 1; t <= e; t++) {
		if (r->missing)
			roll_row(r, returns + (size_t)t * n, 1);
		else
			roll_complete(r, returns + (size_t)t * n, NULL);
	}
	r->steps = 0;
	for (j = 0; j < n; j++)
		r->peak[j] = 0;
}

/* Moves the sums from the window ending at e - 1 to the one ending at e,
 * or rebuilds them. */
static void roll_step(struct tn_corr_roll *r, const double *returns, int e)
{
	const double *in, *out;
	int missing;

	if (r->last < 0 || e != r->last + 1 || r->steps >= r->L) {
		roll_rebuild(r, returns, e);
		return;
	}
	/* here e - L >= 0: the row leaving the window exists */
	in = returns + (size_t)e * r->n;
	out = returns + (size_t)(e - r->L) * r->n;
	missing = r->missing + count_missing(in, r->n) -
		  count_missing(out, r->n);
	if (!r->missing != !missing) {
		/* values go missing or the last missing one leaves: the
		 * other form of the sums */
		roll_rebuild(r, returns, e);
		return;
	}
	if (missing) {
		roll_row(r, in, 1);
		roll_row(r, out, -1);
	} else {
		roll_complete(r, in, out);
	}
	r->missing = missing;
	r->steps++;
}

/* Column j of the window (L rows ending at row e) is constant over its
 * present days, or has none. */
static int column_constant(const double *returns, int e, int L, int n, int j)
{
	double first = NAN;
	int t;

	for (t = e - L + 1; t <= e; t++) {
		double v = returns[(size_t)t * n + j];

		if (isnan(v))
			continue;
		if (isnan(first))
			first = v;
		else if (v != first)
			return 0;
	}
	return 1;
}

/* The matrix from the pairwise sums (values missing in the window). */
static void roll_fill_missing(double *corr, const double *returns, int e,
			      int min_periods, const struct tn_corr_roll *r)
{
	size_t nn = (size_t)r->n * (size_t)r->n;
	const double *window = returns + (size_t)(e - r->L + 1) * r->n;
	int n = r->n, L = r->L, need = min_periods > 2 ? min_periods : 2;
	int i, j;

	for (i = 0; i < n; i++)
		for (j = i; j < n; j++) {
			size_t ij = (size_t)i * n + j;
			double d = r->sum[ROLL_DAYS * nn + ij];
			double sx = r->sum[ROLL_SX * nn + ij];
			double sy = r->sum[ROLL_SY * nn + ij];
			double sxx = r->sum[ROLL_SXX * nn + ij];
			double syy = r->sum[ROLL_SYY * nn + ij];
			double sxy = r->sum[ROLL_SXY * nn + ij];
			double vx, vy, res;

			if (d < need) {
				res = NAN;
				goto store;
			}
			vx = sxx - sx * sx / d;
			vy = syy - sy * sy / d;
			if (i == j) {
				res = vx > ROLL_CANCEL_FRACTION * r->peak[i] ||
				      !column_constant(returns, e, L, n, i) ?
					1.0 : NAN;
			} else if (vx <= ROLL_CANCEL_FRACTION * r->peak[i] ||
				   vy <= ROLL_CANCEL_FRACTION * r->peak[j]) {
				res = tn_corr_pair(window + i, window + j, L,
						   (size_t)n, TN_CORR_PEARSON,
						   min_periods);
			} else {
				res = clamp_unit((sxy - sx * sy / d) /
						 sqrt(vx * vy));
			}
store:
			corr[ij] = corr[(size_t)j * n + i] = res;
		}
}

/* The matrix from the column sums and the products (nothing missing):
 * each column's scale once, then a multiply per pair.  r->val holds the
 * scales, 0 for a column whose pairs are computed from the window (its
 * variance term is mostly rounding), and r->idx which those are. */
static void roll_fill_complete(double *corr, const double *returns, int e,
			       int min_periods, struct tn_corr_roll *r)
{
	size_t nn = (size_t)r->n * (size_t)r->n;
	const double *window = returns + (size_t)(e - r->L + 1) * r->n;
	const double *s = r->col, *ss = r->col + r->n;
	const double *sxy = r->sum + ROLL_SXY * nn;
	int n = r->n, L = r->L, i, j;
	double *scale = r->val;
	int *exact = r->idx;

	if (L < 2 || L < min_periods) {
		for (i = 0; i < n * n; i++)
			corr[i] = NAN;
		return;
	}
	for (i = 0; i < n; i++) {
		double v = ss[i] - s[i] * s[i] / L;

		exact[i] = !(v > ROLL_CANCEL_FRACTION * r->peak[i]);
		scale[i] = exact[i] ? 0 : 1.0 / sqrt(v);
	}
	for (i = 0; i < n; i++) {
		const double *row = sxy + (size_t)i * n;
		double *out = corr + (size_t)i * n;
		double mi = s[i] / L, si = scale[i];

		for (j = i + 1; j < n; j++)
			out[j] = clamp_unit((row[j] - mi * s[j]) * si * scale[j]);
		out[i] = exact[i] && column_constant(returns, e, L, n, i) ?
			NAN : 1.0;
		for (j = i + 1; j < n; j++)
			if (exact[i] || exact[j])
				out[j] = tn_corr_pair(window + i, window + j, L,
						      (size_t)n, TN_CORR_PEARSON,
						      min_periods);
		for (j = i + 1; j < n; j++)
			corr[(size_t)j * n + i] = out[j];
	}
}

void tn_corr_roll_matrix(double *corr, const double *returns, int e,
			 int min_periods, struct tn_corr_roll *r)
{
	size_t nn = (size_t)r->n * (size_t)r->n;
	const double *ss = r->col + r->n;
	int n = r->n, L = r->L, j;

	if (e < L - 1)
		die(TN_EX_SOFTWARE, "tn_corr_roll_matrix: window ending at "
		    "row %d needs %d rows", e, L);
	roll_step(r, returns, e);
	r->last = e;
	for (j = 0; j < n; j++) {
		double sq = r->missing ? r->sum[ROLL_SXX * nn + (size_t)j * n + j]
				       : ss[j];

		r->peak[j] = sq > r->peak[j] ? sq : r->peak[j];
	}

	if (r->missing)
		roll_fill_missing(corr, returns, e, min_periods, r);
	else
		roll_fill_complete(corr, returns, e, min_periods, r);
}

double tn_corr_round(double v)
{
	if (!isfinite(v))
		return v;
	/* k / 10^d is correctly rounded, so it prints as the decimal k e-d */
	return round(v * TN_CORR_SCALE) / TN_CORR_SCALE;
}

const char *tn_corr_method_name(enum tn_corr_method m)
{
	return m == TN_CORR_SPEARMAN ? "spearman" : "pearson";
}

int tn_corr_method_parse(const char *s, enum tn_corr_method *m)
{
	if (strcmp(s, "pearson") == 0)
		*m = TN_CORR_PEARSON;
	else if (strcmp(s, "spearman") == 0)
		*m = TN_CORR_SPEARMAN;
	else
		return -1;
	return 0;
}
