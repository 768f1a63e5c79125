/* Unit tests: common/synth.c - the simulated market is deterministic,
 * range-independent, valid OHLC, and carries its signal only when asked. */
#include "synth.h"
#include "tn_test.h"

static tn_day d(const char *iso)
{
	tn_day day = 0;

	tn_date_parse(iso, &day);
	return day;
}

TEST(bars_fall_on_trading_days_only)
{
	struct tn_synth mk = { 1, 0 };
	struct tn_bar *bars;
	int n = tn_synth_bars(&mk, "AAPL", d("2024-01-01"), d("2024-12-31"), &bars), i;

	CHECK_INT(n, 252);
	for (i = 0; i < n; i++)
		CHECK(tn_is_trading_day(bars[i].date));
	CHECK(n > 0 && bars[0].date == d("2024-01-02"));
	free(bars);
}

TEST(ohlc_is_consistent_and_positive)
{
	struct tn_synth mk = { 3, 0 };
	struct tn_bar *bars;
	int n = tn_synth_bars(&mk, "TSLA", d("2000-01-01"), d("2026-06-30"), &bars), i;

	CHECK(n > 6000);
	for (i = 0; i < n; i++) {
		const struct tn_bar *b = &bars[i];

		if (!(b->low > 0 && b->low <= b->open && b->low <= b->close &&
		      b->high >= b->open && b->high >= b->close && b->volume > 0 &&
		      b->adj_close == b->close)) {
			FAILF("bad bar %d", i);
			break;
		}
	}
	free(bars);
}

TEST(a_bar_does_not_depend_on_the_range_asked)
{
	struct tn_synth mk = { 7, 0.2 };
	struct tn_bar *all, *part;
	int n_all = tn_synth_bars(&mk, "MSFT", d("2010-01-01"), d("2012-12-31"), &all);
	int n_part = tn_synth_bars(&mk, "MSFT", d("2011-06-01"), d("2011-06-30"), &part);
	int i, off = -1;

	CHECK(n_part > 15);
	for (i = 0; i < n_all; i++)
		if (all[i].date == part[0].date)
			off = i;
	CHECK(off >= 0);
	for (i = 0; off >= 0 && i < n_part; i++) {
		const struct tn_bar *x = &all[off + i], *y = &part[i];

		CHECK(x->date == y->date && x->open == y->open &&
		      x->high == y->high && x->low == y->low &&
		      x->close == y->close && x->volume == y->volume);
	}
	free(all);
	free(part);
}

TEST(seed_and_symbol_change_the_series)
{
	struct tn_synth a = { 1, 0 }, b = { 2, 0 };
	struct tn_bar *x, *y, *z;
	int n = tn_synth_bars(&a, "AAPL", d("2020-01-01"), d("2020-03-01"), &x);

	tn_synth_bars(&b, "AAPL", d("2020-01-01"), d("2020-03-01"), &y);
	tn_synth_bars(&a, "MSFT", d("2020-01-01"), d("2020-03-01"), &z);
	CHECK(n > 10);
	CHECK(x[n - 1].close != y[n - 1].close);
	CHECK(x[n - 1].close != z[n - 1].close);
	free(x);
	free(y);
	free(z);
}

/* Correlation of stock i's return today with a sector peer's return
 * yesterday: ~0 on the placebo market, clearly positive with a signal. */
static double lead_lag(double signal)
{
	struct tn_synth mk = { 5, signal };
	struct tn_bar *a, *b;
	int n = tn_synth_bars(&mk, "AAPL", d("2000-01-01"), d("2020-12-31"), &a), i;
	double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, m;

	tn_synth_bars(&mk, "MSFT", d("2000-01-01"), d("2020-12-31"), &b);
	for (i = 2; i < n; i++) {
		double x = log(b[i - 1].close / b[i - 2].close);
		double y = log(a[i].close / a[i - 1].close);

		sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
	}
	m = n - 2;
	free(a);
	free(b);
	return (sxy / m - sx / m * sy / m) /
	       sqrt((sxx / m - sx / m * sx / m) * (syy / m - sy / m * sy / m));
}

TEST(placebo_market_has_no_lead_lag_and_signal_market_has)
{
	double none = lead_lag(0.0), some = lead_lag(0.5);

	printf("# lead-lag corr: placebo %.4f, signal 0.5 %.4f\n", none, some);
	/* ~5,000 days: the standard error of a correlation is ~0.014 */
	CHECK(fabs(none) < 0.03);
	CHECK(some > 0.05);
}

TEST(invalid_symbol_is_refused)
{
	struct tn_synth mk = { 1, 0 };
	struct tn_bar *bars = (void *)1;

	CHECK_INT(tn_synth_bars(&mk, "../x", 0, 20000, &bars), -1);
	CHECK(bars == NULL);
}

TEST(tier1_symbols_are_distinct)
{
	int i, j;

	CHECK(tn_tier1_symbol(TN_TIER1_COUNT) == NULL);
	for (i = 0; i < TN_TIER1_COUNT; i++) {
		CHECK(tn_tier1_symbol(i) != NULL);
		for (j = 0; j < i; j++)
			CHECK(strcmp(tn_tier1_symbol(i), tn_tier1_symbol(j)) != 0);
	}
	CHECK_INT(tn_synth_sector("^GSPC"), -1);
	CHECK_INT(tn_synth_sector("JPM"), 3);
}

/* data/tier1.txt is the list the demo feeds fetch-prices; it must be
 * the table the synthetic market knows, in the same order.  Run from the
 * repository root (tests/run.sh does). */
TEST(data_tier1_matches_the_table)
{
	FILE *fp = fopen("data/tier1.txt", "r");
	char line[256];
	int i = 0;

	if (!fp) {
		FAILF("cannot open data/tier1.txt (run from the repository root)");
		return;
	}
	while (fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		if (i >= TN_TIER1_COUNT || strcmp(line, tn_tier1_symbol(i)) != 0)
			FAILF("data/tier1.txt: %s at %d, table has %s", line, i,
			      i < TN_TIER1_COUNT ? tn_tier1_symbol(i) : "nothing");
		i++;
	}
	fclose(fp);
	CHECK_INT(i, TN_TIER1_COUNT);
}

/* data/tier1-sectors.csv names each TIER_1 symbol's sector as the table
 * does. */
TEST(data_sectors_match_the_table)
{
	FILE *fp = fopen("data/tier1-sectors.csv", "r");
	char line[256], *comma;
	int i = 0;

	if (!fp) {
		FAILF("cannot open data/tier1-sectors.csv (run from the repository root)");
		return;
	}
	if (!fgets(line, sizeof line, fp) || strcmp(line, "symbol,sector\n") != 0)
		FAILF("data/tier1-sectors.csv: bad header");
	while (fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\n")] = '\0';
		comma = strchr(line, ',');
		if (!comma || i >= TN_TIER1_COUNT) {
			FAILF("data/tier1-sectors.csv: bad line %d: %s", i + 2, line);
			break;
		}
		*comma = '\0';
		CHECK_STR(line, tn_tier1_symbol(i));
		CHECK_STR(comma + 1, tn_synth_sector_name(tn_synth_sector(line)));
		i++;
	}
	fclose(fp);
	CHECK_INT(i, TN_TIER1_COUNT);
}

/* The index is the equal-weighted mean of its constituents' returns
 * (rounding prices to cents blurs it a little). */
TEST(index_moves_with_its_constituents)
{
	struct tn_synth mk = { 9, 0 };
	struct tn_bar *idx, *st[TN_TIER1_COUNT];
	double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, m, corr;
	int n = tn_synth_bars(&mk, "^GSPC", d("2015-01-01"), d("2016-12-31"), &idx);
	int i, t, k = 0, ok = 1;

	for (i = 0; i < TN_TIER1_COUNT; i++)
		if (tn_synth_sector(tn_tier1_symbol(i)) >= 0)
			ok &= tn_synth_bars(&mk, tn_tier1_symbol(i), d("2015-01-01"),
					    d("2016-12-31"), &st[k++]) == n;
	CHECK(ok);
	for (t = 1; ok && t < n; t++) {
		double x = log(idx[t].close / idx[t - 1].close), y = 0;

		for (i = 0; i < k; i++)
			y += log(st[i][t].close / st[i][t - 1].close) / k;
		sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
	}
	m = n - 1;
	corr = (sxy / m - sx / m * sy / m) /
	       sqrt((sxx / m - sx / m * sx / m) * (syy / m - sy / m * sy / m));
	printf("# index vs mean of %d constituents: corr %.5f\n", k, corr);
	CHECK(corr > 0.999);
	for (i = 0; i < k; i++)
		free(st[i]);
	free(idx);
}

/* Jumps give a stock's daily returns fat tails: kurtosis well above a
 * normal's 3. */
TEST(stock_returns_have_fat_tails)
{
	struct tn_synth mk = { 4, 0 };
	struct tn_bar *b;
	int n = tn_synth_bars(&mk, "NVDA", d("2000-01-01"), d("2025-12-31"), &b), t;
	double mean = 0, m2 = 0, m4 = 0, r, kurt;

	for (t = 1; t < n; t++)
		mean += log(b[t].close / b[t - 1].close) / (n - 1);
	for (t = 1; t < n; t++) {
		r = log(b[t].close / b[t - 1].close) - mean;
		m2 += r * r / (n - 1);
		m4 += r * r * r * r / (n - 1);
	}
	kurt = m4 / (m2 * m2);
	printf("# NVDA daily log returns: kurtosis %.2f\n", kurt);
	CHECK(kurt > 4.0);
	free(b);
}

int main(void)
{
	RUN(bars_fall_on_trading_days_only);
	RUN(ohlc_is_consistent_and_positive);
	RUN(a_bar_does_not_depend_on_the_range_asked);
	RUN(seed_and_symbol_change_the_series);
	RUN(placebo_market_has_no_lead_lag_and_signal_market_has);
	RUN(invalid_symbol_is_refused);
	RUN(tier1_symbols_are_distinct);
	RUN(data_tier1_matches_the_table);
	RUN(data_sectors_match_the_table);
	RUN(index_moves_with_its_constituents);
	RUN(stock_returns_have_fat_tails);
	return tn_t_done();
}
