/* Unit tests: common/indicators.c - TA-Lib's outputs on the fixture,
 * point-in-time (prefix) outputs, warm-start agreement, the tickernet
 * features by hand, parameter checks.
 *
 * Fixtures: tests/fixtures/talib (TA-Lib 0.6.0-dev outputs; see SOURCE.md),
 * found under $TN_SRCDIR, else the source tree this file was compiled
 * from, else the current directory. */
#include "indicators.h"
#include "tn_test.h"

#include <stdint.h>

#define NBARS 2000
#define LINE_MAX_LEN 1024
/* TA-Lib agreement: relative, absolute below 1 (CHECK_NEAR's scale). */
#define TALIB_TOL 1e-9
/* Mismatches printed per column before the rest are only counted. */
#define MAX_REPORTED 5

/* reference.csv columns after the date */
enum ref_col {
	REF_RSI14, REF_MACD, REF_MACD_SIGNAL, REF_MACD_HIST, REF_EMA12,
	REF_EMA26, REF_SMA20, REF_STDDEV20, REF_ATR14, REF_BB_UPPER,
	REF_BB_MIDDLE, REF_BB_LOWER, REF_OBV, REF_ROC10, REF_NCOLS
};

struct fixture {
	int loaded;
	struct tn_bar bars[NBARS];
	double ref[NBARS][REF_NCOLS];   /* NAN where TA-Lib has no value */
};

static struct fixture *fixture(void);

/* Splits a CSV line (no quoting in these files) into up to max cells;
 * empty cells become NAN.  Returns the cell count, -1 on a bad number. */
static int parse_numbers(char *line, double *cells, int max)
{
	int n = 0;
	char *p = strchr(line, ','), *end;   /* skip the date */

	while (p && n < max) {
		p++;
		if (*p == ',' || *p == '\n' || *p == '\r' || *p == '\0') {
			cells[n++] = NAN;
		} else {
			cells[n++] = strtod(p, &end);
			if (end == p)
				return -1;
			p = end;
		}
		p = strchr(p, ',');
	}
	return n;
}

static FILE *open_fixture(const char *name)
{
	char path[4096];
	const char *dir = getenv("TN_SRCDIR"), *file = __FILE__;
	const char *tail = strstr(file, "tests/unit/");
	FILE *f;

	if (dir && *dir) {
		snprintf(path, sizeof path, "%s/tests/fixtures/talib/%s", dir, name);
		return fopen(path, "r");
	}
	if (tail && tail > file) {
		snprintf(path, sizeof path, "%.*stests/fixtures/talib/%s",
			 (int)(tail - file), file, name);
		if ((f = fopen(path, "r")))
			return f;
	}
	snprintf(path, sizeof path, "./tests/fixtures/talib/%s", name);
	return fopen(path, "r");
}

static int load_fixture(struct fixture *fx)
{
	char line[LINE_MAX_LEN];
	double cells[REF_NCOLS];
	FILE *in = open_fixture("input.csv"), *ref = open_fixture("reference.csv");
	int i, ok = 0;

	if (!in || !ref) {
		FAILF("cannot open tests/fixtures/talib/*.csv: run from the "
		      "repository root or set TN_SRCDIR");
		goto out;
	}
	if (!fgets(line, sizeof line, in) || !fgets(line, sizeof line, ref)) {
		FAILF("fixture: no header");
		goto out;
	}
	for (i = 0; i < NBARS; i++) {
		if (!fgets(line, sizeof line, in) ||
		    parse_numbers(line, cells, 5) != 5) {
			FAILF("input.csv: line %d: expected 5 numbers", i + 2);
			goto out;
		}
		fx->bars[i] = (struct tn_bar){ .open = cells[0], .high = cells[1],
					       .low = cells[2], .close = cells[3],
					       .volume = cells[4] };
		if (!fgets(line, sizeof line, ref) ||
		    parse_numbers(line, fx->ref[i], REF_NCOLS) != REF_NCOLS) {
			FAILF("reference.csv: line %d: expected %d cells", i + 2,
			      REF_NCOLS);
			goto out;
		}
	}
	ok = 1;
out:
	if (in)
		fclose(in);
	if (ref)
		fclose(ref);
	return ok;
}

/* Loaded once; a test that needs it fails loudly when it cannot load. */
static struct fixture *fixture(void)
{
	static struct fixture *fx;

	if (!fx) {
		fx = calloc(1, sizeof *fx);
		if (!fx)
			abort();
		fx->loaded = load_fixture(fx);
	}
	if (!fx->loaded)
		FAILF("TA-Lib fixture not loaded");
	return fx->loaded ? fx : NULL;
}

/* Runs spec over bars[first..first+n-1]; out is (n, TN_IND_MAX_OUT). */
static void run_spec(const struct tn_ind_spec *spec, const struct tn_bar *bars,
		     int n, double *out)
{
	struct tn_ind ind;
	const char *why = NULL;
	int i;

	if (tn_ind_init(&ind, spec, &why) < 0) {
		FAILF("init kind %d: %s", (int)spec->kind, why);
		return;
	}
	for (i = 0; i < n; i++)
		tn_ind_push(&ind, &bars[i], out + (size_t)i * TN_IND_MAX_OUT);
	tn_ind_free(&ind);
}

/* Compares output `which` of spec with a reference column: values to
 * TALIB_TOL, NAN exactly where the column is empty, and the first value
 * at the reported lookback. */
static void check_against_talib(struct tn_ind_spec spec, int which,
				enum ref_col col, const char *name)
{
	struct fixture *fx = fixture();
	double *out;
	int i, bad = 0, first_value = -1, lookback = tn_ind_lookback(&spec);

	if (!fx)
		return;
	out = malloc(sizeof(double) * NBARS * TN_IND_MAX_OUT);
	if (!out)
		abort();
	run_spec(&spec, fx->bars, NBARS, out);
	for (i = 0; i < NBARS; i++) {
		double got = out[i * TN_IND_MAX_OUT + which], want = fx->ref[i][col];
		double scale = fabs(want) > 1 ? fabs(want) : 1;

		if (first_value < 0 && !isnan(want))
			first_value = i;
		if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= TALIB_TOL * scale)) {
			if (bad++ < MAX_REPORTED)
				FAILF("%s bar %d: got %.17g, TA-Lib %.17g", name,
				      i, got, want);
		}
	}
	if (bad > MAX_REPORTED)
		FAILF("%s: %d mismatches in all", name, bad);
	if (lookback != first_value)
		FAILF("%s: lookback %d, TA-Lib's first value at bar %d", name,
		      lookback, first_value);
	free(out);
}

static const struct tn_ind_spec RSI14 = { .kind = TN_IND_RSI, .window = 14 };
static const struct tn_ind_spec EMA12 = { .kind = TN_IND_EMA, .window = 12 };
static const struct tn_ind_spec EMA26 = { .kind = TN_IND_EMA, .window = 26 };
static const struct tn_ind_spec SMA20 = { .kind = TN_IND_SMA, .window = 20 };
static const struct tn_ind_spec STDDEV20 = { .kind = TN_IND_STDDEV,
					     .window = 20 };
static const struct tn_ind_spec ATR14 = { .kind = TN_IND_ATR, .window = 14 };
static const struct tn_ind_spec BBANDS20 = { .kind = TN_IND_BBANDS,
					     .window = 20, .k_up = 2,
					     .k_down = 2 };
static const struct tn_ind_spec OBV = { .kind = TN_IND_OBV };
static const struct tn_ind_spec ROC10 = { .kind = TN_IND_ROC, .window = 10 };
static const struct tn_ind_spec MACD = { .kind = TN_IND_MACD, .fast = 12,
					 .slow = 26, .signal = 9 };

TEST(rsi_matches_talib)
{
	check_against_talib(RSI14, 0, REF_RSI14, "rsi14");
}

TEST(ema_matches_talib)
{
	check_against_talib(EMA12, 0, REF_EMA12, "ema12");
	check_against_talib(EMA26, 0, REF_EMA26, "ema26");
}

TEST(sma_matches_talib)
{
	check_against_talib(SMA20, 0, REF_SMA20, "sma20");
}

TEST(stddev_matches_talib)
{
	check_against_talib(STDDEV20, 0, REF_STDDEV20, "stddev20");
}

TEST(atr_matches_talib)
{
	check_against_talib(ATR14, 0, REF_ATR14, "atr14");
}

TEST(bbands_match_talib)
{
	check_against_talib(BBANDS20, 0, REF_BB_UPPER, "bb_upper");
	check_against_talib(BBANDS20, 1, REF_BB_MIDDLE, "bb_middle");
	check_against_talib(BBANDS20, 2, REF_BB_LOWER, "bb_lower");
}

TEST(obv_matches_talib)
{
	check_against_talib(OBV, 0, REF_OBV, "obv");
}

TEST(roc_matches_talib)
{
	check_against_talib(ROC10, 0, REF_ROC10, "roc10");
}

TEST(macd_matches_talib_including_its_seeding)
{
	check_against_talib(MACD, 0, REF_MACD, "macd");
	check_against_talib(MACD, 1, REF_MACD_SIGNAL, "macd_signal");
	check_against_talib(MACD, 2, REF_MACD_HIST, "macd_hist");
}

/* Every kind with parameters that exercise its warm-up. */
static const struct tn_ind_spec ALL_SPECS[] = {
	{ .kind = TN_IND_RSI, .window = 14 },
	{ .kind = TN_IND_EMA, .window = 12 },
	{ .kind = TN_IND_SMA, .window = 20 },
	{ .kind = TN_IND_STDDEV, .window = 20 },
	{ .kind = TN_IND_ATR, .window = 14 },
	{ .kind = TN_IND_BBANDS, .window = 20, .k_up = 2, .k_down = 1.5 },
	{ .kind = TN_IND_OBV },
	{ .kind = TN_IND_ROC, .window = 10 },
	{ .kind = TN_IND_MACD, .fast = 12, .slow = 26, .signal = 9 },
	{ .kind = TN_IND_LOGRET },
	{ .kind = TN_IND_SIMPLERET },
	{ .kind = TN_IND_VOL, .window = 20 },
	{ .kind = TN_IND_MOM, .window = 20 },
	{ .kind = TN_IND_VOLNORM, .window = 20 },
};
#define NSPECS ((int)(sizeof ALL_SPECS / sizeof ALL_SPECS[0]))

TEST(every_kind_is_covered)
{
	int seen[TN_IND_NKINDS] = { 0 }, i;

	for (i = 0; i < NSPECS; i++)
		seen[ALL_SPECS[i].kind] = 1;
	for (i = 0; i < TN_IND_NKINDS; i++)
		if (!seen[i])
			FAILF("kind %d has no spec in ALL_SPECS", i);
}

static int same_bits(double a, double b)
{
	uint64_t x, y;

	memcpy(&x, &a, sizeof x);
	memcpy(&y, &b, sizeof y);
	return x == y;
}

TEST(prefix_gives_prefix_of_outputs_bit_for_bit)
{
	static const int prefixes[] = { 1, 2, 19, 20, 21, 33, 34, 500, 1999 };
	struct fixture *fx = fixture();
	double *full, out[TN_IND_MAX_OUT];
	struct tn_ind ind;
	int s, p, i, j;

	if (!fx)
		return;
	full = malloc(sizeof(double) * NBARS * TN_IND_MAX_OUT);
	if (!full)
		abort();
	for (s = 0; s < NSPECS; s++) {
		const struct tn_ind_spec *spec = &ALL_SPECS[s];
		int nout = tn_ind_outputs(spec->kind), lookback = tn_ind_lookback(spec);

		run_spec(spec, fx->bars, NBARS, full);
		/* the warm-up is exactly the lookback */
		for (i = 0; i < NBARS; i++)
			for (j = 0; j < nout; j++)
				if (isnan(full[i * TN_IND_MAX_OUT + j]) != (i < lookback))
					FAILF("kind %d bar %d out %d: NAN %d, lookback %d",
					      (int)spec->kind, i, j,
					      isnan(full[i * TN_IND_MAX_OUT + j]) ? 1 : 0,
					      lookback);
		if (tn_ind_init(&ind, spec, NULL) < 0) {
			FAILF("init kind %d", (int)spec->kind);
			continue;
		}
		/* each prefix after a reset, so reset is checked too */
		for (p = 0; p < (int)(sizeof prefixes / sizeof prefixes[0]); p++) {
			tn_ind_reset(&ind);
			for (i = 0; i < prefixes[p]; i++) {
				tn_ind_push(&ind, &fx->bars[i], out);
				for (j = 0; j < nout; j++)
					if (!same_bits(out[j], full[i * TN_IND_MAX_OUT + j]))
						FAILF("kind %d prefix %d bar %d out %d: %.17g != %.17g",
						      (int)spec->kind, prefixes[p], i, j,
						      out[j], full[i * TN_IND_MAX_OUT + j]);
			}
		}
		tn_ind_free(&ind);
	}
	free(full);
}

TEST(run_gives_the_same_bits_as_push)
{
	struct fixture *fx = fixture();
	double *pushed, *ran;
	struct tn_ind ind;
	int s, i, j;

	if (!fx)
		return;
	pushed = malloc(sizeof(double) * NBARS * TN_IND_MAX_OUT);
	ran = malloc(sizeof(double) * NBARS * TN_IND_MAX_OUT);
	if (!pushed || !ran)
		abort();
	for (s = 0; s < NSPECS; s++) {
		int nout = tn_ind_outputs(ALL_SPECS[s].kind);

		run_spec(&ALL_SPECS[s], fx->bars, NBARS, pushed);
		if (tn_ind_init(&ind, &ALL_SPECS[s], NULL) < 0) {
			FAILF("init kind %d", (int)ALL_SPECS[s].kind);
			continue;
		}
		/* in two pieces, so the state handed back between calls counts */
		CHECK_INT(tn_ind_run(&ind, fx->bars, 777, ran), 777 * nout);
		tn_ind_run(&ind, fx->bars + 777, NBARS - 777, ran + 777 * nout);
		for (i = 0; i < NBARS; i++)
			for (j = 0; j < nout; j++)
				if (!same_bits(ran[i * nout + j],
					       pushed[i * TN_IND_MAX_OUT + j]))
					FAILF("kind %d bar %d out %d: run %.17g, push %.17g",
					      (int)ALL_SPECS[s].kind, i, j,
					      ran[i * nout + j],
					      pushed[i * TN_IND_MAX_OUT + j]);
		tn_ind_free(&ind);
	}
	free(pushed);
	free(ran);
}

/* Largest |value from the last `history` bars - full value| over a few end
 * bars, in units of `scale` (0: max(1, |full|)); also checks the claim is
 * not vacuous by returning the same with a short history in *short_err. */
static double warm_start_error(const struct tn_ind_spec *spec, int history,
			       int which, int scale_by_close)
{
	static const int ends[] = { 400, 777, 1234, 1999 };
	struct fixture *fx = fixture();
	double *full, *part, worst = 0;
	int e;

	if (!fx)
		return INFINITY;
	full = malloc(sizeof(double) * NBARS * TN_IND_MAX_OUT);
	part = malloc(sizeof(double) * NBARS * TN_IND_MAX_OUT);
	if (!full || !part)
		abort();
	run_spec(spec, fx->bars, NBARS, full);
	for (e = 0; e < (int)(sizeof ends / sizeof ends[0]); e++) {
		int end = ends[e], first = end - history + 1;
		double want = full[end * TN_IND_MAX_OUT + which], got, scale, err;

		run_spec(spec, fx->bars + first, history, part);
		got = part[(history - 1) * TN_IND_MAX_OUT + which];
		scale = scale_by_close ? fx->bars[end].close
				       : (fabs(want) > 1 ? fabs(want) : 1);
		err = fabs(got - want) / scale;
		if (!(err <= worst))
			worst = err;
	}
	free(full);
	free(part);
	return worst;
}

TEST(min_history_values_agree_with_full_history)
{
	static const double tols[] = { 1e-4, 1e-6, 1e-9 };
	int t;

	for (t = 0; t < 3; t++) {
		double tol = tols[t];
		int n;

		n = tn_ind_min_history(&EMA12, tol);
		if (!(warm_start_error(&EMA12, n, 0, 0) <= tol))
			FAILF("ema12 tol %g history %d", tol, n);
		n = tn_ind_min_history(&EMA26, tol);
		if (!(warm_start_error(&EMA26, n, 0, 0) <= tol))
			FAILF("ema26 tol %g history %d", tol, n);
		n = tn_ind_min_history(&ATR14, tol);
		if (!(warm_start_error(&ATR14, n, 0, 0) <= tol))
			FAILF("atr14 tol %g history %d", tol, n);
		/* RSI's scale is its full range, 100 */
		n = tn_ind_min_history(&RSI14, tol);
		if (!(warm_start_error(&RSI14, n, 0, 0) <= tol * 100 / 50))
			FAILF("rsi14 tol %g history %d: error %g", tol, n,
			      warm_start_error(&RSI14, n, 0, 0));
		/* MACD's outputs are near 0: measure against the price */
		n = tn_ind_min_history(&MACD, tol);
		if (!(warm_start_error(&MACD, n, 0, 1) <= tol) ||
		    !(warm_start_error(&MACD, n, 1, 1) <= tol) ||
		    !(warm_start_error(&MACD, n, 2, 1) <= tol))
			FAILF("macd tol %g history %d", tol, n);
	}
	/* and a short history really is worse, so the check has teeth */
	CHECK(warm_start_error(&EMA12, tn_ind_lookback(&EMA12) + 1, 0, 0) > 1e-4);
	CHECK(warm_start_error(&RSI14, tn_ind_lookback(&RSI14) + 1, 0, 0) > 1e-4);
	CHECK(warm_start_error(&ATR14, tn_ind_lookback(&ATR14) + 1, 0, 0) > 1e-4);
	CHECK(warm_start_error(&MACD, tn_ind_lookback(&MACD) + 1, 0, 1) > 1e-4);
}

TEST(min_history_follows_the_decay)
{
	struct tn_ind_spec sma = SMA20, vol = { .kind = TN_IND_VOL, .window = 5 };

	CHECK_INT(tn_decay_bars(0.5, 0.25), 2);
	CHECK_INT(tn_decay_bars(0.5, 0.2), 3);
	CHECK_INT(tn_decay_bars(0, 1e-6), 1);
	CHECK_INT(tn_decay_bars(1, 1e-6), -1);
	CHECK_INT(tn_decay_bars(0.5, 0), -1);
	/* EMA(12): (11/13)^t <= 1e-6 first at t = 83, after 11 + 1 bars */
	CHECK_INT(tn_ind_min_history(&EMA12, 1e-6), 95);
	/* Wilder 14: (13/14)^t <= 1e-6 first at t = 187 */
	CHECK_INT(tn_ind_min_history(&RSI14, 1e-6), 202);
	CHECK_INT(tn_ind_min_history(&ATR14, 1e-6), 202);
	CHECK(tn_ind_min_history(&MACD, 1e-6) > tn_ind_min_history(&EMA26, 1e-6));
	/* windowed: exact with one full window */
	CHECK_INT(tn_ind_min_history(&sma, 1e-6), 20);
	CHECK_INT(tn_ind_min_history(&vol, 1e-6), 6);
	CHECK_INT(tn_ind_min_history(&OBV, 1e-6), -1);
	CHECK_INT(tn_ind_min_history(&EMA12, 0), -1);
	CHECK_INT(tn_ind_min_history(&EMA12, 1), -1);
}

TEST(lookbacks_are_talibs)
{
	struct tn_ind_spec s = { .kind = TN_IND_VOLNORM, .window = 20 };

	CHECK_INT(tn_ind_lookback(&RSI14), 14);
	CHECK_INT(tn_ind_lookback(&EMA12), 11);
	CHECK_INT(tn_ind_lookback(&SMA20), 19);
	CHECK_INT(tn_ind_lookback(&STDDEV20), 19);
	CHECK_INT(tn_ind_lookback(&ATR14), 14);
	CHECK_INT(tn_ind_lookback(&BBANDS20), 19);
	CHECK_INT(tn_ind_lookback(&OBV), 0);
	CHECK_INT(tn_ind_lookback(&ROC10), 10);
	CHECK_INT(tn_ind_lookback(&MACD), 33);
	CHECK_INT(tn_ind_lookback(&s), 19);
	s.kind = TN_IND_VOL;
	CHECK_INT(tn_ind_lookback(&s), 20);
	s.kind = TN_IND_MOM;
	CHECK_INT(tn_ind_lookback(&s), 20);
	s.kind = TN_IND_LOGRET;
	CHECK_INT(tn_ind_lookback(&s), 1);
	s.window = 0;
	s.kind = TN_IND_SMA;
	CHECK_INT(tn_ind_lookback(&s), -1);
}

/* Closes whose log returns are ln 1.1, ln 0.9, 0, ln 1.05. */
static const double CLOSES[] = { 100, 110, 99, 99, 103.95 };

TEST(returns_by_hand)
{
	struct tn_return lr, sr;
	int i;
	double lwant[] = { NAN, log(1.1), log(0.9), 0, log(1.05) };
	double swant[] = { NAN, 0.1, -0.1, 0, 0.05 };

	tn_return_init(&lr);
	tn_return_init(&sr);
	for (i = 0; i < 5; i++) {
		double l = tn_logret_push(&lr, CLOSES[i]);
		double s = tn_simpleret_push(&sr, CLOSES[i]);

		if (i == 0) {
			CHECK(isnan(l));
			CHECK(isnan(s));
			continue;
		}
		CHECK_NEAR(l, lwant[i], 1e-15);
		CHECK_NEAR(s, swant[i], 1e-15);
	}
	/* a zero close: no log return into or out of it */
	CHECK(isnan(tn_logret_push(&lr, 0)));
	CHECK_NEAR(tn_simpleret_push(&sr, 0), -1, 0);
	CHECK(isnan(tn_logret_push(&lr, 50)));
	CHECK(isnan(tn_simpleret_push(&sr, 50)));
	CHECK_NEAR(tn_logret_push(&lr, 100), log(2), 1e-15);
}

TEST(vol_is_sample_std_of_log_returns)
{
	struct tn_retstat v;
	const char *why;
	double got[5];
	int i;

	CHECK_INT(tn_vol_init(&v, 3, &why), 0);
	for (i = 0; i < 5; i++)
		got[i] = tn_vol_push(&v, CLOSES[i]);
	CHECK(isnan(got[0]) && isnan(got[1]) && isnan(got[2]));
	/* statistics.stdev (divides by n-1) of [ln 1.1, ln 0.9, 0] and of
	 * [ln 0.9, 0, ln 1.05]; the population std would be sqrt(2/3) of it */
	CHECK_NEAR(got[3], 0.10037728548770321, 1e-14);
	CHECK_NEAR(got[4], 0.07878636776178255, 1e-14);
	tn_retstat_free(&v);
}

TEST(mom_is_mean_of_log_returns)
{
	struct tn_retstat m;
	const char *why;
	double got[5];
	int i;

	CHECK_INT(tn_mom_init(&m, 2, &why), 0);
	for (i = 0; i < 5; i++)
		got[i] = tn_mom_push(&m, CLOSES[i]);
	CHECK(isnan(got[0]) && isnan(got[1]));
	CHECK_NEAR(got[2], log(0.99) / 2, 1e-15);
	CHECK_NEAR(got[3], -0.05268025782891314, 1e-15);
	CHECK_NEAR(got[4], 0.024395082084716024, 1e-15);
	/* reset starts a new series: no return across it */
	tn_retstat_reset(&m);
	CHECK(isnan(tn_mom_push(&m, 10)));
	CHECK(isnan(tn_mom_push(&m, 20)));
	CHECK_NEAR(tn_mom_push(&m, 40), log(2), 1e-15);
	tn_retstat_free(&m);
}

TEST(volnorm_by_hand_with_a_zero_volume_window)
{
	static const double volumes[] = { 100, 300, 0, 0, 0, 50, 150 };
	struct tn_volnorm v;
	const char *why;
	double got[7];
	int i;

	CHECK_INT(tn_volnorm_init(&v, 2, &why), 0);
	for (i = 0; i < 7; i++)
		got[i] = tn_volnorm_push(&v, volumes[i]);
	CHECK(isnan(got[0]));
	CHECK_NEAR(got[1], 300.0 / 200, 0);
	CHECK_NEAR(got[2], 0.0, 0);      /* 0 / mean(300, 0) */
	CHECK(isnan(got[3]));            /* mean(0, 0) = 0 */
	CHECK(isnan(got[4]));
	CHECK_NEAR(got[5], 2.0, 0);      /* 50 / 25 */
	CHECK_NEAR(got[6], 1.5, 0);      /* 150 / 100 */
	tn_volnorm_free(&v);
}

TEST(missing_bar_blanks_window_then_recovers)
{
	static const double closes[] = { 1, 2, NAN, 4, 5, 6, 7, 8 };
	struct tn_sma s;
	const char *why;
	double got[8];
	int i;

	CHECK_INT(tn_sma_init(&s, 3, &why), 0);
	for (i = 0; i < 8; i++)
		got[i] = tn_sma_push(&s, closes[i]);
	for (i = 0; i < 5; i++)
		CHECK(isnan(got[i]));
	CHECK_NEAR(got[5], 5, 0);
	CHECK_NEAR(got[6], 6, 0);
	CHECK_NEAR(got[7], 7, 0);
	tn_sma_free(&s);
}

/* TA-Lib's mean(x^2) - mean(x)^2 loses every digit when the level dwarfs
 * the spread; the sliding m2 keeps them over a long series. */
TEST(stddev_keeps_its_digits_on_a_high_level)
{
	struct tn_stddev s;
	const char *why;
	double x[64], got = NAN, mean, m2;
	int i, j;

	CHECK_INT(tn_stddev_init(&s, 20, &why), 0);
	for (i = 0; i < 100000; i++) {
		x[i % 64] = 1e8 + (double)((i * 7919) % 13) * 0.01;
		got = tn_stddev_push(&s, x[i % 64]);
	}
	mean = 0;
	for (j = 0; j < 20; j++)
		mean += x[(i - 1 - j) % 64];
	mean /= 20;
	m2 = 0;
	for (j = 0; j < 20; j++)
		m2 += (x[(i - 1 - j) % 64] - mean) * (x[(i - 1 - j) % 64] - mean);
	CHECK_NEAR(got, sqrt(m2 / 20), 1e-7 * sqrt(m2 / 20));
	tn_stddev_free(&s);
}

TEST(invalid_parameters_are_rejected)
{
	static const enum tn_ind_kind windowed[] = {
		TN_IND_RSI, TN_IND_EMA, TN_IND_SMA, TN_IND_STDDEV, TN_IND_ATR,
		TN_IND_BBANDS, TN_IND_ROC, TN_IND_VOL, TN_IND_MOM, TN_IND_VOLNORM
	};
	struct tn_ind_spec s;
	struct tn_ind ind;
	struct tn_macd m;
	struct tn_ema e;
	const char *why;
	int i;

	for (i = 0; i < (int)(sizeof windowed / sizeof windowed[0]); i++) {
		s = (struct tn_ind_spec){ .kind = windowed[i], .window = 0 };
		why = NULL;
		CHECK_INT(tn_ind_init(&ind, &s, &why), -1);
		CHECK(why != NULL);
		s.window = -3;
		CHECK_INT(tn_ind_check(&s, &why), -1);
		s.window = TN_IND_MAX_WINDOW + 1;
		CHECK_INT(tn_ind_check(&s, &why), -1);
		CHECK_INT(tn_ind_lookback(&s), -1);
	}
	s = (struct tn_ind_spec){ .kind = TN_IND_VOL, .window = 1 };
	CHECK_INT(tn_ind_check(&s, &why), -1);
	s = (struct tn_ind_spec){ .kind = TN_IND_BBANDS, .window = 20,
				  .k_up = NAN, .k_down = 2 };
	CHECK_INT(tn_ind_check(&s, &why), -1);
	s = (struct tn_ind_spec){ .kind = TN_IND_NKINDS, .window = 20 };
	CHECK_INT(tn_ind_check(&s, &why), -1);
	CHECK_STR(why, "unknown indicator");

	CHECK_INT(tn_ema_init(&e, 0, &why), -1);
	CHECK_INT(tn_macd_init(&m, 26, 12, 9, &why), -1);
	CHECK_STR(why, "fast period must be < slow period");
	CHECK_INT(tn_macd_init(&m, 12, 12, 9, &why), -1);
	CHECK_INT(tn_macd_init(&m, 0, 26, 9, &why), -1);
	CHECK_INT(tn_macd_init(&m, 12, 26, 0, &why), -1);
	CHECK_INT(tn_macd_init(&m, 12, 26, 9, &why), 0);
}

int main(void)
{
	RUN(rsi_matches_talib);
	RUN(ema_matches_talib);
	RUN(sma_matches_talib);
	RUN(stddev_matches_talib);
	RUN(atr_matches_talib);
	RUN(bbands_match_talib);
	RUN(obv_matches_talib);
	RUN(roc_matches_talib);
	RUN(macd_matches_talib_including_its_seeding);
	RUN(every_kind_is_covered);
	RUN(prefix_gives_prefix_of_outputs_bit_for_bit);
	RUN(run_gives_the_same_bits_as_push);
	RUN(min_history_values_agree_with_full_history);
	RUN(min_history_follows_the_decay);
	RUN(lookbacks_are_talibs);
	RUN(returns_by_hand);
	RUN(vol_is_sample_std_of_log_returns);
	RUN(mom_is_mean_of_log_returns);
	RUN(volnorm_by_hand_with_a_zero_volume_window);
	RUN(missing_bar_blanks_window_then_recovers);
	RUN(stddev_keeps_its_digits_on_a_high_level);
	RUN(invalid_parameters_are_rejected);
	return tn_t_done();
}
