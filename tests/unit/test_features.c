/* test_features.c - the feature registry and the per-symbol computation:
 * names (good and bad), presets, adjustment, the prefix property for every
 * feature, and agreement of features from the last --min-history bars with
 * full-history ones. */
#include "cli.h"
#include "features.h"
#include "synth.h"
#include "tn_test.h"

/* One name of every base, several parameter shapes each. */
static const char every_feature[] =
	"open,high,low,close,volume,logret_1,ret_1,vol_20,vol_2,mom_20,mom_1,"
	"volnorm_20,rsi_14,rsi_2,ema_12,ema_26,sma_20,stddev_20,atr_14,roc_10,"
	"obv,macd_12_26_9,macdsignal_12_26_9,macdhist_12_26_9,macd_5_35_5,"
	"bbupper_20_2,bbmiddle_20_2,bblower_20_2,bblower_10_1";

/* The tolerance build-features(1) documents --min-history for. */
#define MIN_HISTORY_TOL 1e-6

/* A synthetic history whose adj_close differs from close by a
 * dividend-like factor that steps up every 63 bars, so adjustment is
 * exercised.  Caller frees. */
static long make_bars(const char *symbol, int years, struct tn_bar **bars)
{
	struct tn_synth market = { TN_SYNTH_DEFAULT_SEED, 0 };
	tn_day from = tn_date_from_civil(2000, 1, 3);
	tn_day to = tn_date_from_civil(2000 + years, 1, 1);
	long n = tn_synth_bars(&market, symbol, from, to, bars), t;

	for (t = 0; t < n; t++)
		(*bars)[t].adj_close = (*bars)[t].close *
				       pow(0.995, (double)((n - 1 - t) / 63));
	return n;
}

static int same_value(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static struct tn_featset *parse_set(const char *list, int flags)
{
	struct tn_feature f[TN_FEAT_MAX];
	char why[256];
	int n = tn_feature_list_parse(list, f, TN_FEAT_MAX, why, sizeof why);

	if (n < 0) {
		printf("# %s: %s\n", list, why);
		return NULL;
	}
	return tn_featset_new(f, n, flags);
}

TEST(parses_good_names)
{
	struct tn_feature f;
	char why[128];

	CHECK_INT(tn_feature_parse("rsi_14", &f, why, sizeof why), 0);
	CHECK_STR(f.name, "rsi_14");
	CHECK_INT(f.source, TN_FEAT_INDICATOR);
	CHECK_INT(f.spec.kind, TN_IND_RSI);
	CHECK_INT(f.spec.window, 14);

	CHECK_INT(tn_feature_parse("macdsignal_12_26_9", &f, why, sizeof why), 0);
	CHECK_INT(f.spec.kind, TN_IND_MACD);
	CHECK_INT(f.spec.fast, 12);
	CHECK_INT(f.spec.slow, 26);
	CHECK_INT(f.spec.signal, 9);
	CHECK_INT(f.output, 1);

	CHECK_INT(tn_feature_parse("bblower_20_2", &f, why, sizeof why), 0);
	CHECK_INT(f.spec.kind, TN_IND_BBANDS);
	CHECK_INT(f.spec.window, 20);
	CHECK(f.spec.k_up == 2 && f.spec.k_down == 2);
	CHECK_INT(f.output, 2);

	CHECK_INT(tn_feature_parse("close", &f, why, sizeof why), 0);
	CHECK_INT(f.source, TN_FEAT_CLOSE);
	CHECK_INT(tn_feature_parse("volume", &f, why, sizeof why), 0);
	CHECK_INT(f.source, TN_FEAT_VOLUME);
	CHECK_INT(tn_feature_parse("obv", &f, why, sizeof why), 0);
	CHECK_INT(f.spec.kind, TN_IND_OBV);
	CHECK_INT(tn_feature_parse("logret_1", &f, why, sizeof why), 0);
	CHECK_INT(f.spec.kind, TN_IND_LOGRET);
	CHECK_INT(tn_feature_parse("ret_1", &f, why, sizeof why), 0);
	CHECK_INT(f.spec.kind, TN_IND_SIMPLERET);
	CHECK_INT(tn_feature_parse("vol_2", &f, why, sizeof why), 0);
	CHECK_INT(tn_feature_parse("sma_100000", &f, why, sizeof why), 0);
	CHECK_INT(f.spec.window, 100000);
}

TEST(every_feature_parses_and_names_itself)
{
	struct tn_feature f[TN_FEAT_MAX];
	char why[256], joined[sizeof every_feature];
	int n = tn_feature_list_parse(every_feature, f, TN_FEAT_MAX, why,
				      sizeof why), i;

	CHECK_INT(n, 29);
	joined[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(joined, ",");
		strcat(joined, f[i].name);
	}
	CHECK_STR(joined, every_feature);
}

/* name -> the reason tn_feature_parse gives. */
static const struct {
	const char *name, *why;
} bad_names[] = {
	{ "", "empty feature name" },
	{ "foo", "unknown feature" },
	{ "RSI_14", "unknown feature" },
	{ "rsi", "rsi takes 1 parameter: rsi_N" },
	{ "rsi_", "empty parameter" },
	{ "rsi_14_2", "rsi takes 1 parameter: rsi_N" },
	{ "rsi_14_", "rsi takes 1 parameter: rsi_N" },
	{ "rsi_x", "parameter 'x' is not a decimal integer" },
	{ "rsi_-3", "parameter '-3' is not a decimal integer" },
	{ "rsi_0", "parameter '0' must be positive, without leading zeros" },
	{ "rsi_014", "parameter '014' must be positive, without leading zeros" },
	{ "rsi_100001", "window must be 1..100000" },
	{ "rsi_9999999999", "parameter '9999999999' is too large" },
	{ "vol_1", "window must be 2..100000" },
	{ "close_1", "close takes no parameters" },
	{ "obv_5", "obv takes no parameters" },
	{ "logret", "logret takes 1 parameter: logret_1" },
	{ "logret_5", "only 1-day returns exist: logret_1" },
	{ "macd_12_26", "macd takes 3 parameters: macd_FAST_SLOW_SIGNAL" },
	{ "macd_26_12_9", "fast period must be < slow period" },
	{ "bbupper_20", "bbupper takes 2 parameters: bbupper_N_K" },
	{ "bbupper_20_11", "K must be 1..10" },
	{ "bbupper_12345678901234567890123456789012345", "name longer than 40 characters" },
};

TEST(rejects_bad_names)
{
	struct tn_feature f;
	char why[128];
	size_t i;

	for (i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		why[0] = '\0';
		if (tn_feature_parse(bad_names[i].name, &f, why, sizeof why) != -1)
			FAILF("'%s' parsed", bad_names[i].name);
		else if (strcmp(why, bad_names[i].why) != 0)
			FAILF("'%s': why = '%s', want '%s'", bad_names[i].name, why,
			      bad_names[i].why);
	}
}

TEST(rejects_bad_lists)
{
	struct tn_feature f[4];
	char why[128];

	CHECK_INT(tn_feature_list_parse("rsi_14,,close", f, 4, why, sizeof why), -1);
	CHECK_STR(why, "'rsi_14,,close': empty feature name");
	CHECK_INT(tn_feature_list_parse("close,", f, 4, why, sizeof why), -1);
	CHECK_INT(tn_feature_list_parse("", f, 4, why, sizeof why), -1);
	CHECK_INT(tn_feature_list_parse("close,rsi_14,close", f, 4, why, sizeof why),
		  -1);
	CHECK_STR(why, "'close': listed twice");
	CHECK_INT(tn_feature_list_parse("close,rsi_x", f, 4, why, sizeof why), -1);
	CHECK_STR(why, "'rsi_x': parameter 'x' is not a decimal integer");
	CHECK_INT(tn_feature_list_parse("open,high,low,close,volume", f, 4, why,
					sizeof why), -1);
	CHECK_STR(why, "'volume': more than 4 features");
	CHECK_INT(tn_feature_list_parse("open,high", f, 4, why, sizeof why), 2);
}

TEST(presets_hold_what_the_models_need)
{
	int i;

	CHECK_STR(tn_feature_preset("gnn"), "close,logret_1,vol_20,mom_20,volnorm_20");
	CHECK_STR(tn_feature_preset("lstm"),
		  "open,high,low,close,volume,rsi_14,macd_12_26_9,logret_1");
	CHECK(tn_feature_preset("nope") == NULL);
	CHECK(tn_feature_preset("GNN") == NULL);
	for (i = 0; tn_feature_presets[i]; i++) {
		const char *list = tn_feature_preset(tn_feature_presets[i]);
		struct tn_feature f[TN_FEAT_MAX];
		char why[128];
		int n, j, close = 0, logret = 0;

		CHECK(list != NULL);
		if (!list)
			continue;
		n = tn_feature_list_parse(list, f, TN_FEAT_MAX, why, sizeof why);
		CHECK(n > 0);
		for (j = 0; j < n; j++) {
			close |= strcmp(f[j].name, "close") == 0;
			logret |= strcmp(f[j].name, "logret_1") == 0;
		}
		if (!close || !logret)
			FAILF("preset %s lacks close or logret_1", tn_feature_presets[i]);
	}
	CHECK_INT(i, 3);
}

/* The numbers build-features(1) prints in its --min-history table. */
TEST(min_history_matches_the_manual)
{
	static const struct {
		const char *name;
		int lookback, min_history;
	} table[] = {
		{ "close", 0, 1 },        { "logret_1", 1, 2 },
		{ "vol_20", 20, 21 },     { "mom_20", 20, 21 },
		{ "volnorm_20", 19, 20 }, { "sma_20", 19, 20 },
		{ "stddev_20", 19, 20 },  { "bbupper_20_2", 19, 20 },
		{ "roc_10", 10, 11 },     { "ema_12", 11, 95 },
		{ "ema_26", 25, 206 },    { "rsi_14", 14, 202 },
		{ "atr_14", 14, 202 },    { "macd_12_26_9", 33, 286 },
		{ "obv", 0, -1 },
	};
	struct tn_feature f;
	char why[128];
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (tn_feature_parse(table[i].name, &f, why, sizeof why) < 0) {
			FAILF("%s: %s", table[i].name, why);
			continue;
		}
		if (tn_feature_lookback(&f) != table[i].lookback ||
		    tn_feature_min_history(&f, MIN_HISTORY_TOL) != table[i].min_history)
			FAILF("%s: lookback %d, min-history %d; the manual says %d, %d",
			      table[i].name, tn_feature_lookback(&f),
			      tn_feature_min_history(&f, MIN_HISTORY_TOL),
			      table[i].lookback, table[i].min_history);
	}
}

TEST(preset_lookbacks_and_min_histories)
{
	static const int lookback[] = { 33, 20, 33 }, min_history[] = { 286, 21, 286 };
	int i;

	for (i = 0; tn_feature_presets[i]; i++) {
		struct tn_featset *fs = parse_set(tn_feature_preset(tn_feature_presets[i]), 0);

		CHECK(fs != NULL);
		if (!fs)
			continue;
		CHECK_INT(tn_featset_lookback(fs), lookback[i]);
		CHECK_INT(tn_featset_min_history(fs, MIN_HISTORY_TOL), min_history[i]);
		tn_featset_free(fs);
	}
}

TEST(prices_are_adjusted_by_adj_close_over_close)
{
	struct tn_featset *adj = parse_set("open,high,low,close,volume", 0);
	struct tn_featset *raw = parse_set("open,high,low,close,volume",
					   TN_FEAT_NO_ADJUST);
	struct tn_bar bar = { 0, 10, 12, 8, 11, 5.5, 1000 };
	double out[5];

	CHECK_INT(tn_featset_push(adj, &bar, out), 1);
	CHECK(out[0] == 5 && out[1] == 6 && out[2] == 4 && out[3] == 5.5);
	CHECK(out[4] == 1000);
	CHECK_INT(tn_featset_push(raw, &bar, out), 1);
	CHECK(out[0] == 10 && out[1] == 12 && out[2] == 8 && out[3] == 11);
	CHECK(out[4] == 1000);
	bar.volume = NAN;
	CHECK_INT(tn_featset_push(raw, &bar, out), 0);
	CHECK(isnan(out[4]));
	tn_featset_free(adj);
	tn_featset_free(raw);
}

/* Valid but extreme prices overflow sums and ratios; an infinite value is
 * missing, and its row not complete. */
TEST(an_overflowing_feature_is_missing)
{
	struct tn_featset *fs = parse_set("close,sma_2", TN_FEAT_NO_ADJUST);
	struct tn_bar bar = { 0, 1e308, 1e308, 1e308, 1e308, 1e308, 1000 };
	double out[2];

	CHECK_INT(tn_featset_push(fs, &bar, out), 0); /* warm-up */
	bar.date++;
	CHECK_INT(tn_featset_push(fs, &bar, out), 0);
	CHECK(out[0] == 1e308);
	CHECK(isnan(out[1]));
	tn_featset_free(fs);
}

/* macd, macdsignal and macdhist of one spec share one indicator, so they
 * are one computation's outputs: hist == line - signal exactly. */
TEST(outputs_of_one_indicator_are_consistent)
{
	struct tn_featset *fs =
		parse_set("macdhist_12_26_9,macd_12_26_9,macdsignal_12_26_9,"
			  "bbupper_20_2,bbmiddle_20_2,sma_20", 0);
	struct tn_bar *bars;
	long n = make_bars("AAPL", 1, &bars), t, complete;
	double *out = xcalloc((size_t)n * 6, sizeof *out);

	complete = tn_featset_run(fs, bars, n, out);
	CHECK_INT(complete, n - 33);
	for (t = 33; t < n; t++) {
		double *r = out + t * 6;

		CHECK_NEAR(r[0], r[1] - r[2], 1e-12);
		CHECK_NEAR(r[4], r[5], 1e-9);
		CHECK(r[3] > r[4]);
	}
	free(out);
	free(bars);
	tn_featset_free(fs);
}

/* For every feature: the features of each prefix of a series are exactly
 * (bit for bit) the same prefix of the features of the whole series. */
TEST(every_feature_is_point_in_time_on_every_prefix)
{
	struct tn_featset *fs = parse_set(every_feature, 0);
	struct tn_bar *bars;
	long n = make_bars("MSFT", 2, &bars), len, t;
	int nf = fs ? tn_featset_count(fs) : 0, i, bad = 0;
	double *whole, *part;

	if (!fs)
		return;
	whole = xcalloc((size_t)(n * nf), sizeof *whole);
	part = xcalloc((size_t)(n * nf), sizeof *part);
	tn_featset_run(fs, bars, n, whole);
	for (len = 1; len <= n && !bad; len++) {
		tn_featset_run(fs, bars, len, part);
		for (t = 0; t < len && !bad; t++)
			for (i = 0; i < nf; i++)
				if (!same_value(part[t * nf + i], whole[t * nf + i])) {
					FAILF("%s: prefix %ld differs at bar %ld",
					      tn_featset_feature(fs, i)->name, len, t);
					bad = 1;
					break;
				}
	}
	/* and every feature has values once warmed up */
	for (i = 0; i < nf; i++)
		if (isnan(whole[(n - 1) * nf + i]))
			FAILF("%s: no value on the last bar",
			      tn_featset_feature(fs, i)->name);
	free(whole);
	free(part);
	free(bars);
	tn_featset_free(fs);
}

/* What serving does: features from only the last N bars, N the feature's
 * documented min-history at 1e-6, agree with the full-history features on
 * the last bar to 1e-6 relative (absolute below 1). */
TEST(last_min_history_bars_agree_with_the_full_history)
{
	struct tn_featset *fs = parse_set(every_feature, 0), *one;
	struct tn_bar *bars;
	long n = make_bars("NVDA", 12, &bars);
	int nf = fs ? tn_featset_count(fs) : 0, i, mh;
	double *whole, *recent, full_value, served;

	if (!fs)
		return;
	whole = xcalloc((size_t)(n * nf), sizeof *whole);
	recent = xcalloc((size_t)(n * nf), sizeof *recent);
	tn_featset_run(fs, bars, n, whole);
	for (i = 0; i < nf; i++) {
		const struct tn_feature *f = tn_featset_feature(fs, i);

		mh = tn_feature_min_history(f, MIN_HISTORY_TOL);
		if (mh < 0) {
			CHECK_STR(f->name, "obv");
			continue;
		}
		CHECK(mh < n);
		one = tn_featset_new(f, 1, 0);
		tn_featset_run(one, bars + n - mh, mh, recent);
		full_value = whole[(n - 1) * nf + i];
		served = recent[mh - 1];
		if (!(fabs(served - full_value) <=
		      MIN_HISTORY_TOL * fmax(1, fabs(full_value))))
			FAILF("%s from the last %d bars: %.17g, full history %.17g",
			      f->name, mh, served, full_value);
		/* one bar fewer than a windowed feature needs gives no value */
		if (mh == tn_feature_lookback(f) + 1 && mh > 1) {
			tn_featset_run(one, bars + n - mh + 1, mh - 1, recent);
			CHECK(isnan(recent[mh - 2]));
		}
		tn_featset_free(one);
	}
	free(whole);
	free(recent);
	free(bars);
	tn_featset_free(fs);
}

int main(void)
{
	RUN(parses_good_names);
	RUN(every_feature_parses_and_names_itself);
	RUN(rejects_bad_names);
	RUN(rejects_bad_lists);
	RUN(presets_hold_what_the_models_need);
	RUN(min_history_matches_the_manual);
	RUN(preset_lookbacks_and_min_histories);
	RUN(prices_are_adjusted_by_adj_close_over_close);
	RUN(an_overflowing_feature_is_missing);
	RUN(outputs_of_one_indicator_are_consistent);
	RUN(every_feature_is_point_in_time_on_every_prefix);
	RUN(last_min_history_bars_agree_with_the_full_history);
	return tn_t_done();
}
