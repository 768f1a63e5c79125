/* corr.h - correlation matrices of return series, through the GEMM seam.
 *
 * Dimension letters:  T days in the window (rows), n symbols (columns).
 * A window is row-major (T, n): window[t * n + j] is symbol j's return on
 * day t, NAN where it has none.
 *
 * Pearson, no value missing: each column is standardised in double,
 *   z_tj = (x_tj - mean_j) / (sd_j * sqrt(T - 1)),
 * and one product C (n, n) = Z^T Z gives every correlation at once.
 *
 * Pearson, some values missing: pairwise-complete, i.e. the correlation of
 * a pair uses the days on which both symbols have a value (pandas'
 * DataFrame.corr).  With the mask M (T, n) (1 present, 0 missing), Z
 * standardised over each column's own days and zero where missing, and
 * Z2 = Z * Z elementwise, four products give per pair (i, j):
 *   n_ij  = (M^T M)_ij      days in common
 *   sx_ij = (Z^T M)_ij      sum of z_i over them (sy_ij = sx_ji)
 *   sxx_ij = (Z2^T M)_ij    sum of z_i^2 over them
 *   sxy_ij = (Z^T Z)_ij
 *   r = (sxy - sx sy / n) / sqrt((sxx - sx^2 / n)(syy - sy^2 / n)).
 * Where the subtraction would cancel most digits (a pair whose common days
 * barely vary), that pair is recomputed exactly in double.
 *
 * Spearman is Pearson on average ranks (ties share the mean of their
 * ranks, 1-based).  With no value missing the ranks go through the single
 * product; a pair that involves a symbol with missing values is ranked
 * afresh over the pair's common days (scipy's spearmanr on the complete
 * pairs), computed pair by pair.
 *
 * A pair gets NAN when it has fewer than min_periods days in common (or
 * fewer than 2), or when either series is constant over them.  The
 * diagonal is 1 for a symbol that can be measured, NAN otherwise.
 *
 * The product runs in `real` (float in the tools): a correlation is
 * accurate to about 1e-6 (absolute, since every column has unit norm), so
 * the tools write it rounded to TN_CORR_DECIMALS decimals (tn_corr_round);
 * more digits would be noise. */
#ifndef TN_CORR_H
#define TN_CORR_H

#include "real.h"

#include <stddef.h>

enum tn_corr_method { TN_CORR_PEARSON, TN_CORR_SPEARMAN };

/* Scratch space for one window size; reused across calls (rolling). */
struct tn_corr_work {
	int T, n;
	double *scratch; /* (4, T) one pair's values and their ranks */
	int *order;      /* (T) sort permutation */
	int *usable;     /* (n) column went through the product and varies */
	double *mean;    /* (n) over the column's present days */
	double *ss;      /* (n) sum of squared deviations from it */
	double *first;   /* (n) first present value, to see constant columns */
	int *present;    /* (n) days with a value */
	int *varies;     /* (n) not constant */
	real *z;         /* (T, n) standardised values */
	real *z2;        /* (T, n) their squares, missing path */
	real *mask;      /* (T, n) 1 present, 0 missing */
	real *prod;      /* (4, n, n) the products */
};

void tn_corr_work_init(struct tn_corr_work *w, int T, int n);
void tn_corr_work_free(struct tn_corr_work *w);

/* corr (n, n) from window (T, n); w was initialised for (T, n). */
void tn_corr_matrix(double *corr, const double *window, int T, int n,
		    enum tn_corr_method method, int min_periods,
		    struct tn_corr_work *w);

/* Rolling Pearson: the windows ending at consecutive rows e, e + 1, ...
 * of a panel returns (D, n), each of L rows, updated incrementally: a
 * step adds the new row's terms to running pairwise sums (days in common,
 * sum x, sum y, sum x^2, sum y^2, sum xy, in double, upper triangle) and
 * takes the dropped row's away, O(n^2) a day instead of O(L n^2).  While
 * no value is missing in the window, the column sums and the products
 * alone are kept (one pass over n^2 / 2 sums a day).  The
 * sums are rebuilt from the window every L steps, and at any call that
 * is not the next row, so rounding cannot build up.  A pair whose
 * variance term is below a millionth of the column's largest sum of
 * squares since the rebuild (a constant or nearly constant series, whose
 * sums hold mostly rounding left by the values that went through them)
 * is computed exactly from the window instead.  Same definitions as tn_corr_matrix (pairwise-complete,
 * min_periods, NAN for constant series); values agree with
 * tn_corr_matrix_ref to about 1e-10 (1e-11 seen on a pair with two days
 * in common after hundreds of steps). */
struct tn_corr_roll {
	int L, n;
	int last;    /* row of the window the sums hold, -1 none */
	int steps;   /* steps since they were rebuilt */
	int *idx;    /* (n) present columns of one row */
	double *val; /* (n) their values */
	int missing; /* values missing in the window */
	double *sum; /* (6, n, n) the running pairwise sums, upper triangle;
		      * with nothing missing only the products, and: */
	double *col; /* (2, n) each column's sum and sum of squares */
	double *peak; /* (n) largest sum of squares of each column since the
		       * rebuild: the scale of the rounding left in its sums */
};

void tn_corr_roll_init(struct tn_corr_roll *r, int L, int n);
void tn_corr_roll_free(struct tn_corr_roll *r);

/* corr (n, n) of the window of rows e - L + 1 .. e of returns (D, n);
 * e >= L - 1. */
void tn_corr_roll_matrix(double *corr, const double *returns, int e,
			 int min_periods, struct tn_corr_roll *r);

/* The reference: the same definitions as two nested loops over pairs, all
 * in double, no BLAS.  For the tests and the benchmark. */
void tn_corr_matrix_ref(double *corr, const double *window, int T, int n,
			enum tn_corr_method method, int min_periods);

/* One pair, pairwise-complete, in double: x and y (T) with stride. */
double tn_corr_pair(const double *x, const double *y, int T, size_t stride,
		    enum tn_corr_method method, int min_periods);

/* Average ranks (1-based) of values (count) into ranks; order (count) is
 * scratch. */
void tn_corr_rank(double *ranks, const double *values, int count, int *order);

/* Decimals a written correlation keeps, and 10 to that power. */
#define TN_CORR_DECIMALS 6
#define TN_CORR_SCALE 1e6

/* v rounded to TN_CORR_DECIMALS decimals: the double nearest to that
 * decimal, so a shortest round-trip printer writes it with at most that
 * many decimals ("0.2", not "0.19999996").  NAN stays NAN. */
double tn_corr_round(double v);

/* "pearson" / "spearman"; parse returns 0 or -1. */
const char *tn_corr_method_name(enum tn_corr_method m);
int tn_corr_method_parse(const char *s, enum tn_corr_method *m);

#endif
