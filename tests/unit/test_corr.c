/* Unit tests: common/corr.c - the correlation kernels against hand-computed
 * values and against the naive double loop over pairs (tn_corr_matrix_ref),
 * for Pearson and Spearman, complete and with missing values. */
#include "corr.h"
#include "gemm.h"
#include "rng.h"
#include "tn_test.h"

/* The product runs in float: every correlation within this of the double
 * reference (absolute; columns have unit norm). */
#define CORR_TOL 2e-5

/* Runs the BLAS kernel on window (T, n) into corr (n, n). */
static void kernel(double *corr, const double *window, int T, int n,
		   enum tn_corr_method method, int min_periods)
{
	struct tn_corr_work w;

	tn_corr_work_init(&w, T, n);
	tn_corr_matrix(corr, window, T, n, method, min_periods, &w);
	tn_corr_work_free(&w);
}

/* Two series (T) side by side as a (T, 2) window; r is corr[0][1]. */
static double pair2(const double *x, const double *y, int T,
		    enum tn_corr_method method, int min_periods)
{
	double window[64], corr[4];
	int t;

	for (t = 0; t < T; t++) {
		window[2 * t] = x[t];
		window[2 * t + 1] = y[t];
	}
	kernel(corr, window, T, 2, method, min_periods);
	CHECK(isnan(corr[1]) ? isnan(corr[2]) : corr[1] == corr[2]);
	return corr[1];
}

/* Market-like returns: a common factor with loading by column, some ties
 * (rounded to a coarse grid when `coarse`), some missing (with probability
 * p_missing). */
static void fill_returns(double *window, int T, int n, double p_missing,
			 int coarse, struct tn_rng *r)
{
	int t, j;

	for (t = 0; t < T; t++) {
		double market = tn_rng_normal(r);

		for (j = 0; j < n; j++) {
			double v = 0.01 * (((j % 5) - 2) * 0.4 * market +
					   tn_rng_normal(r));

			if (coarse)
				v = floor(v * 300) / 300;
			if (tn_rng_uniform(r) < p_missing)
				v = NAN;
			window[(size_t)t * n + j] = v;
		}
	}
}

static void check_against_ref(int T, int n, enum tn_corr_method method,
			      double p_missing, int coarse, int min_periods,
			      uint64_t seed)
{
	double *window = malloc(sizeof(double) * T * n);
	double *got = malloc(sizeof(double) * n * n);
	double *want = malloc(sizeof(double) * n * n);
	struct tn_rng r;
	int i, bad = 0, nan_pairs = 0;

	tn_rng_seed(&r, seed);
	fill_returns(window, T, n, p_missing, coarse, &r);
	kernel(got, window, T, n, method, min_periods);
	tn_corr_matrix_ref(want, window, T, n, method, min_periods);
	for (i = 0; i < n * n; i++) {
		if (isnan(want[i]))
			nan_pairs++;
		if (isnan(got[i]) != isnan(want[i]) ||
		    (!isnan(want[i]) && fabs(got[i] - want[i]) > CORR_TOL)) {
			if (bad++ < 3)
				FAILF("(%d, %d): got %.9g, want %.9g", i / n,
				      i % n, got[i], want[i]);
		}
		if (got[i] != got[(i % n) * n + i / n] &&
		    !(isnan(got[i]) && isnan(got[(i % n) * n + i / n])))
			FAILF("not symmetric at (%d, %d)", i / n, i % n);
	}
	if (bad)
		FAILF("%d of %d cells differ (%d null in the reference)", bad,
		      n * n, nan_pairs);
	free(window);
	free(got);
	free(want);
}

TEST(blas_is_openblas)
{
	const char *why;

	CHECK_INT(tn_blas_init(&why), 0);
}

TEST(pearson_of_hand_computed_pairs)
{
	static const double x[] = { 1, 2, 3, 4, 5 };
	static const double up[] = { 2, 4, 6, 8, 10 };
	static const double down[] = { 5, 4, 3, 2, 1 };
	static const double a[] = { 1, 2, 3 }, b[] = { 1, 3, 2 };

	CHECK_NEAR(pair2(x, up, 5, TN_CORR_PEARSON, 2), 1.0, 1e-6);
	CHECK_NEAR(pair2(x, down, 5, TN_CORR_PEARSON, 2), -1.0, 1e-6);
	/* dx = (-1, 0, 1), dy = (-1, 1, 0): 1 / sqrt(2 * 2) */
	CHECK_NEAR(pair2(a, b, 3, TN_CORR_PEARSON, 2), 0.5, 1e-6);
	CHECK_NEAR(tn_corr_pair(a, b, 3, 1, TN_CORR_PEARSON, 2), 0.5, 1e-15);
}

TEST(ranks_share_the_mean_of_tied_positions)
{
	static const double v[] = { 3, 1, 3, 2, 3 };
	double ranks[5];
	int order[5];

	tn_corr_rank(ranks, v, 5, order);
	CHECK_NEAR(ranks[0], 4, 0);
	CHECK_NEAR(ranks[1], 1, 0);
	CHECK_NEAR(ranks[2], 4, 0);
	CHECK_NEAR(ranks[3], 2, 0);
	CHECK_NEAR(ranks[4], 4, 0);
}

TEST(spearman_with_ties_matches_hand_computation)
{
	/* ranks x = (1, 2.5, 2.5, 4), y = (1, 2, 3, 4):
	 * 4.5 / sqrt(4.5 * 5) */
	static const double x[] = { 10, 20, 20, 30 }, y[] = { 1, 2, 3, 4 };
	/* monotone but not linear: Spearman 1, Pearson below */
	static const double m[] = { 1, 2, 3, 4 }, e[] = { 1, 10, 100, 1000 };
	double want = 4.5 / sqrt(22.5);

	CHECK_NEAR(pair2(x, y, 4, TN_CORR_SPEARMAN, 2), want, 1e-6);
	CHECK_NEAR(tn_corr_pair(x, y, 4, 1, TN_CORR_SPEARMAN, 2), want, 1e-15);
	CHECK_NEAR(pair2(m, e, 4, TN_CORR_SPEARMAN, 2), 1.0, 1e-6);
	CHECK(pair2(m, e, 4, TN_CORR_PEARSON, 2) < 0.95);
}

TEST(missing_values_use_the_days_both_have)
{
	/* common days 0, 2, 3, 4: x = (1, 3, 4, 5), y = (2, 6, 8, 11);
	 * 19.25 / sqrt(8.75 * 42.75) */
	static const double x[] = { 1, NAN, 3, 4, 5 };
	static const double y[] = { 2, 7, 6, 8, 11 };
	double want = 19.25 / sqrt(8.75 * 42.75);

	CHECK_NEAR(pair2(x, y, 5, TN_CORR_PEARSON, 2), want, 1e-6);
	CHECK_NEAR(pair2(x, y, 5, TN_CORR_PEARSON, 4), want, 1e-6);
	CHECK(isnan(pair2(x, y, 5, TN_CORR_PEARSON, 5)));
	/* Spearman ranks the common days afresh: (1,2,3,4) both ways */
	CHECK_NEAR(pair2(x, y, 5, TN_CORR_SPEARMAN, 2), 1.0, 1e-6);
}

TEST(constant_or_short_series_give_null)
{
	static const double flat[] = { 2, 2, 2, 2 }, x[] = { 1, 2, 3, 4 };
	/* constant on the common days only: x's 5 is where y is missing */
	static const double p[] = { 1, 1, 1, 1, 5 };
	static const double q[] = { 1, 2, 3, 4, NAN };
	static const double one[] = { 1, NAN, NAN, NAN };
	double window[8], corr[4];
	int t;

	CHECK(isnan(pair2(flat, x, 4, TN_CORR_PEARSON, 2)));
	CHECK(isnan(pair2(flat, x, 4, TN_CORR_SPEARMAN, 2)));
	CHECK(isnan(pair2(p, q, 5, TN_CORR_PEARSON, 2)));
	CHECK(isnan(pair2(one, x, 4, TN_CORR_PEARSON, 2)));
	/* the diagonal: 1 when measurable, null when not */
	for (t = 0; t < 4; t++) {
		window[2 * t] = flat[t];
		window[2 * t + 1] = x[t];
	}
	kernel(corr, window, 4, 2, TN_CORR_PEARSON, 2);
	CHECK(isnan(corr[0]));
	CHECK(corr[3] == 1.0);
	/* too few days for min_periods: everything null */
	kernel(corr, window, 4, 2, TN_CORR_PEARSON, 5);
	CHECK(isnan(corr[3]) && isnan(corr[1]));
}

TEST(pearson_complete_matches_naive_loop)
{
	check_against_ref(60, 37, TN_CORR_PEARSON, 0, 0, 2, 1);
	check_against_ref(250, 120, TN_CORR_PEARSON, 0, 0, 2, 2);
	check_against_ref(2, 3, TN_CORR_PEARSON, 0, 0, 2, 3);
}

TEST(pearson_with_missing_values_matches_naive_loop)
{
	check_against_ref(60, 37, TN_CORR_PEARSON, 0.05, 0, 2, 4);
	check_against_ref(60, 37, TN_CORR_PEARSON, 0.4, 0, 30, 5);
	check_against_ref(30, 50, TN_CORR_PEARSON, 0.6, 1, 3, 6);
}

TEST(spearman_matches_naive_loop_with_ties_and_missing_values)
{
	check_against_ref(60, 37, TN_CORR_SPEARMAN, 0, 1, 2, 7);
	check_against_ref(60, 37, TN_CORR_SPEARMAN, 0.05, 1, 2, 8);
	check_against_ref(100, 20, TN_CORR_SPEARMAN, 0.3, 0, 40, 9);
}

TEST(workspace_is_reusable_across_windows)
{
	enum { T = 40, N = 9, D = 80 };
	double panel[D * N], got[N * N], want[N * N];
	struct tn_corr_work w;
	struct tn_rng r;
	int e, i;

	tn_rng_seed(&r, 10);
	fill_returns(panel, D, N, 0.1, 0, &r);
	tn_corr_work_init(&w, T, N);
	for (e = T; e <= D; e += 7) {
		tn_corr_matrix(got, panel + (e - T) * N, T, N, TN_CORR_PEARSON,
			       20, &w);
		tn_corr_matrix_ref(want, panel + (e - T) * N, T, N,
				   TN_CORR_PEARSON, 20);
		for (i = 0; i < N * N; i++)
			if (isnan(want[i]) ? !isnan(got[i])
					   : !(fabs(got[i] - want[i]) <= CORR_TOL))
				FAILF("window ending %d, cell %d", e, i);
	}
	tn_corr_work_free(&w);
}

/* The rolling sums in double against the reference, window by window:
 * missing days coming and going, a column that is zero for a stretch,
 * one constant but non-zero (its running variance is rounding noise, not
 * zero), one absent for longer than a window, and calls that jump
 * backwards or skip rows (the sums are rebuilt). */
static void check_rolling(int D, int n, int L, int min_periods,
			  double p_missing, const int *ends, int nends,
			  uint64_t seed)
{
	double *panel = malloc(sizeof(double) * D * n);
	double *got = malloc(sizeof(double) * n * n);
	double *want = malloc(sizeof(double) * n * n);
	struct tn_corr_roll roll;
	struct tn_rng r;
	int k, i, t;

	tn_rng_seed(&r, seed);
	fill_returns(panel, D, n, p_missing, 0, &r);
	for (t = D / 4; t < D / 2; t++) {
		panel[t * n + 1] = 0.0;
		panel[t * n + 2] = 0.01;
	}
	for (t = D / 3; t < D / 3 + L + 5; t++)
		panel[t * n + 3] = NAN;
	tn_corr_roll_init(&roll, L, n);
	for (k = 0; k < nends; k++) {
		int e = ends[k];

		tn_corr_roll_matrix(got, panel, e, min_periods, &roll);
		tn_corr_matrix_ref(want, panel + (e - L + 1) * n, L, n,
				   TN_CORR_PEARSON, min_periods);
		for (i = 0; i < n * n; i++)
			if (isnan(want[i]) ? !isnan(got[i])
					   : !(fabs(got[i] - want[i]) <= 1e-10))
				FAILF("window ending %d, cell (%d, %d): %.17g, "
				      "want %.17g", e, i / n, i % n, got[i],
				      want[i]);
	}
	tn_corr_roll_free(&roll);
	free(panel);
	free(got);
	free(want);
}

TEST(rolling_sums_match_the_reference_every_day)
{
	enum { D = 400, L = 30 };
	int ends[D], k, m = 0;

	for (k = L - 1; k < D; k++)
		ends[m++] = k;
	check_rolling(D, 11, L, 2, 0.05, ends, m, 11);
	check_rolling(D, 11, L, 20, 0.05, ends, m, 12);
	check_rolling(D, 3, L, 2, 0.05, ends, m, 13);
	/* nothing missing but for one stretch: the column-sum form, into
	 * the pairwise form and back */
	check_rolling(D, 11, L, 2, 0, ends, m, 15);
	check_rolling(D, 40, L, 31, 0, ends, m, 16);
}

TEST(rolling_sums_are_rebuilt_when_calls_jump)
{
	int ends[] = { 100, 101, 60, 61, 62, 90, 29, 30, 199, 120 };

	check_rolling(200, 8, 30, 5, 0.05, ends, 10, 14);
	check_rolling(200, 8, 30, 5, 0, ends, 10, 17);
}

TEST(rounding_keeps_six_decimals)
{
	CHECK(tn_corr_round(-0.19999996) == -0.2);
	CHECK(tn_corr_round(0.67747915) == 0.677479);
	CHECK(tn_corr_round(1.0) == 1.0);
	CHECK(isnan(tn_corr_round(NAN)));
}

TEST(method_names_round_trip)
{
	enum tn_corr_method m = TN_CORR_PEARSON;

	CHECK_INT(tn_corr_method_parse("spearman", &m), 0);
	CHECK_STR(tn_corr_method_name(m), "spearman");
	CHECK_INT(tn_corr_method_parse("kendall", &m), -1);
}

int main(void)
{
	RUN(blas_is_openblas);
	RUN(pearson_of_hand_computed_pairs);
	RUN(ranks_share_the_mean_of_tied_positions);
	RUN(spearman_with_ties_matches_hand_computation);
	RUN(missing_values_use_the_days_both_have);
	RUN(constant_or_short_series_give_null);
	RUN(pearson_complete_matches_naive_loop);
	RUN(pearson_with_missing_values_matches_naive_loop);
	RUN(spearman_matches_naive_loop_with_ties_and_missing_values);
	RUN(workspace_is_reusable_across_windows);
	RUN(rolling_sums_match_the_reference_every_day);
	RUN(rolling_sums_are_rebuilt_when_calls_jump);
	RUN(rounding_keeps_six_decimals);
	RUN(method_names_round_trip);
	return tn_t_done();
}
