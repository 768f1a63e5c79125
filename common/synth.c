/* synth.c - see synth.h for the model. */
#include "synth.h"

#include "cli.h"
#include "rng.h"
#include "symbol.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Market: mean daily log return and GARCH(1,1) parameters; the long-run
 * daily volatility is sqrt(omega / (1 - alpha - beta)) = 1.1%. */
#define MARKET_MU 0.0003
#define GARCH_ALPHA 0.08
#define GARCH_BETA 0.90
#define GARCH_OMEGA (0.011 * 0.011 * (1 - GARCH_ALPHA - GARCH_BETA))
#define SECTOR_SIGMA 0.007
/* Share of the day's return that happens overnight, and its own noise. */
#define GAP_SHARE 0.25
#define GAP_NOISE 0.002
/* Wick length in units of the stock's idiosyncratic volatility. */
#define WICK_SCALE 0.5
#define VOLUME_NOISE 0.35
#define VOLUME_MOVE 10.0

/* Sectors: 0 technology, 1 communication, 2 consumer discretionary,
 * 3 financials, 4 health care, 5 energy, 6 consumer staples,
 * 7 industrials, 8 materials, 9 utilities. */
static const struct {
	const char *symbol;
	int sector;
} tier1[TN_TIER1_COUNT] = {
	{ "AAPL", 0 }, { "MSFT", 0 }, { "NVDA", 0 }, { "AVGO", 0 },
	{ "ORCL", 0 }, { "ADBE", 0 }, { "CRM", 0 }, { "AMD", 0 },
	{ "CSCO", 0 }, { "INTC", 0 }, { "QCOM", 0 }, { "TXN", 0 },
	{ "IBM", 0 }, { "ACN", 0 }, { "GOOGL", 1 }, { "META", 1 },
	{ "NFLX", 1 }, { "DIS", 1 }, { "VZ", 1 }, { "AMZN", 2 },
	{ "TSLA", 2 }, { "HD", 2 }, { "MCD", 2 }, { "NKE", 2 },
	{ "BRK-B", 3 }, { "JPM", 3 }, { "V", 3 }, { "MA", 3 },
	{ "BAC", 3 }, { "WFC", 3 }, { "LLY", 4 }, { "UNH", 4 },
	{ "JNJ", 4 }, { "ABBV", 4 }, { "MRK", 4 }, { "TMO", 4 },
	{ "ABT", 4 }, { "DHR", 4 }, { "AMGN", 4 }, { "XOM", 5 },
	{ "CVX", 5 }, { "PG", 6 }, { "COST", 6 }, { "WMT", 6 },
	{ "KO", 6 }, { "PEP", 6 }, { "PM", 6 }, { "CAT", 7 },
	{ "GE", 7 }, { "LIN", 8 },
};

const char *tn_tier1_symbol(int i)
{
	return i >= 0 && i < TN_TIER1_COUNT ? tier1[i].symbol : NULL;
}

int tn_synth_sector(const char *symbol)
{
	int i;

	if (symbol[0] == '^')
		return -1;
	for (i = 0; i < TN_TIER1_COUNT; i++)
		if (strcmp(tier1[i].symbol, symbol) == 0)
			return tier1[i].sector;
	return (int)(tn_hash_str(symbol) % TN_SYNTH_SECTORS);
}

/* A stream named `name` of the market with this seed. */
static void stream(struct tn_rng *r, uint64_t seed, const char *name)
{
	tn_rng_seed(r, seed ^ tn_hash_str(name));
}

static double cents(double price)
{
	double c = round(price * 100.0) / 100.0;

	return c < 0.01 ? 0.01 : c;
}

int tn_synth_bars(const struct tn_synth *market, const char *symbol,
		  tn_day from, tn_day to, struct tn_bar **out)
{
	struct tn_rng mkt, sec, idio, traits;
	char name[32];
	int sector = tn_synth_sector(symbol), is_index = sector < 0;
	double beta, sigma, price, volume_level, h, m_prev_dev = 0;
	double sector_prev = 0;
	tn_day day = tn_date_from_civil(TN_SYNTH_EPOCH_YEAR, TN_SYNTH_EPOCH_MONTH,
					TN_SYNTH_EPOCH_DAY);
	struct tn_bar *bars = NULL;
	int n = 0, cap = 0;

	*out = NULL;
	if (!tn_symbol_valid(symbol))
		return -1;
	/* Traits depend on the symbol only, not the seed: AAPL is the same
	 * kind of stock in every simulated market. */
	tn_rng_seed(&traits, tn_hash_str(symbol));
	beta = is_index ? 1.0 : 0.6 + 0.9 * tn_rng_uniform(&traits);
	sigma = is_index ? 0.0 : 0.008 + 0.014 * tn_rng_uniform(&traits);
	price = (is_index ? 1000.0 : 20.0) * exp(log(25.0) * tn_rng_uniform(&traits));
	volume_level = 1e6 * exp(log(50.0) * tn_rng_uniform(&traits));
	if (is_index)
		volume_level *= 1000;

	stream(&mkt, market->seed, "market");
	snprintf(name, sizeof name, "sector %d", sector);
	stream(&sec, market->seed, name);
	snprintf(name, sizeof name, "stock %s", symbol);
	stream(&idio, market->seed, name);
	h = GARCH_OMEGA / (1 - GARCH_ALPHA - GARCH_BETA);

	for (; day <= to; day = tn_next_trading_day(day)) {
		double m, s, r, gap, open, close, high, low, volume;
		/* every stream draws the same count every day, so day t's
		 * values never depend on which days are returned */
		double z_m = tn_rng_normal(&mkt), z_s = tn_rng_normal(&sec);
		double z_i = tn_rng_normal(&idio), z_gap = tn_rng_normal(&idio);
		double z_hi = tn_rng_normal(&idio), z_lo = tn_rng_normal(&idio);
		double z_vol = tn_rng_normal(&idio);
		double wick = WICK_SCALE * (is_index ? 0.006 : sigma);

		if (!tn_is_trading_day(day))
			continue; /* only the epoch itself could be; it is not */
		h = GARCH_OMEGA + GARCH_ALPHA * m_prev_dev * m_prev_dev +
		    GARCH_BETA * h;
		m = MARKET_MU + sqrt(h) * z_m;
		m_prev_dev = m - MARKET_MU;
		s = SECTOR_SIGMA * z_s;
		if (is_index)
			r = m;
		else
			r = beta * m + s + sigma * z_i +
			    market->signal * sector_prev;
		sector_prev = s;

		gap = GAP_SHARE * r + GAP_NOISE * z_gap;
		open = price * exp(gap);
		close = price * exp(r);
		high = fmax(open, close) * exp(wick * fabs(z_hi));
		low = fmin(open, close) * exp(-wick * fabs(z_lo));
		volume = round(volume_level *
			       exp(VOLUME_NOISE * z_vol + VOLUME_MOVE * fabs(r - m)));
		price = close;
		if (day < from)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			bars = xreallocarray(bars, (size_t)cap, sizeof *bars);
		}
		bars[n].date = day;
		bars[n].open = cents(open);
		bars[n].high = cents(high);
		bars[n].low = cents(low);
		bars[n].close = cents(close);
		bars[n].adj_close = bars[n].close;
		bars[n].volume = volume;
		n++;
	}
	*out = bars;
	return n;
}
