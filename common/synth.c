/* synth.c - see synth.h for the model. */
#include "synth.h"

#include "cli.h"
#include "rng.h"
#include "symbol.h"

#include <math.h>
#include <stdlib.h>
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
/* Wick length in units of the stock's idiosyncratic volatility (of a
 * fixed 0.6% for indices and funds). */
#define WICK_SCALE 0.5
#define INDEX_WICK 0.006
/* Funds track the market with a little noise of their own. */
#define FUND_SIGMA 0.002
/* Jumps: on 1% of days a stock moves by JUMP_SCALE of its own volatility
 * times a normal draw, so its returns have fat tails (kurtosis ~ 6). */
#define JUMP_PROB 0.01
#define JUMP_SCALE 5.0
#define VOLUME_NOISE 0.35
#define VOLUME_MOVE 10.0

/* Sectors: 0 technology, 1 communication, 2 consumer discretionary,
 * 3 financials, 4 health care, 5 energy, 6 consumer staples,
 * 7 industrials, 8 materials, 9 utilities; SECTOR_FUND marks the
 * exchange-traded funds, which track the market rather than a sector.
 * The list is the original design's TIER_1 universe, in its order. */
#define SECTOR_FUND (-2)
#define SECTOR_INDEX (-1)
static const struct {
	const char *symbol;
	int sector;
} tier1[TN_TIER1_COUNT] = {
	{ "AAPL", 0 }, { "MSFT", 0 }, { "GOOGL", 1 }, { "AMZN", 2 },
	{ "NVDA", 0 }, { "META", 1 }, { "TSLA", 2 }, { "JPM", 3 },
	{ "BAC", 3 }, { "GS", 3 }, { "MS", 3 }, { "BLK", 3 },
	{ "C", 3 }, { "WFC", 3 }, { "UNH", 4 }, { "JNJ", 4 },
	{ "PFE", 4 }, { "ABBV", 4 }, { "MRK", 4 }, { "LLY", 4 },
	{ "WMT", 6 }, { "HD", 2 }, { "DIS", 1 }, { "NKE", 2 },
	{ "MCD", 2 }, { "COST", 6 }, { "XOM", 5 }, { "CVX", 5 },
	{ "COP", 5 }, { "SPY", SECTOR_FUND }, { "QQQ", SECTOR_FUND },
	{ "IWM", SECTOR_FUND }, { "DIA", SECTOR_FUND }, { "NFLX", 1 },
	{ "AMD", 0 }, { "INTC", 0 }, { "CSCO", 0 }, { "ADBE", 0 },
	{ "CRM", 0 }, { "ORCL", 0 }, { "V", 3 }, { "MA", 3 },
	{ "PYPL", 3 }, { "SQ", 3 }, { "UBER", 7 }, { "ABNB", 2 },
};

static const char *const sector_names[TN_SYNTH_SECTORS] = {
	"technology", "communication", "consumer discretionary", "financials",
	"health care", "energy", "consumer staples", "industrials",
	"materials", "utilities",
};

const char *tn_tier1_symbol(int i)
{
	return i >= 0 && i < TN_TIER1_COUNT ? tier1[i].symbol : NULL;
}

const char *tn_synth_sector_name(int sector)
{
	if (sector == SECTOR_INDEX)
		return "index";
	if (sector == SECTOR_FUND)
		return "fund";
	return sector >= 0 && sector < TN_SYNTH_SECTORS ? sector_names[sector] : NULL;
}

int tn_synth_sector(const char *symbol)
{
	int i;

	if (symbol[0] == '^')
		return SECTOR_INDEX;
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

/* What every instrument sees on a day: the market return and each
 * sector's, today's and yesterday's. */
struct factors {
	struct tn_rng mkt, sec[TN_SYNTH_SECTORS];
	double h, m, m_dev;
	double s[TN_SYNTH_SECTORS], s_prev[TN_SYNTH_SECTORS];
};

static void factors_init(struct factors *f, uint64_t seed)
{
	char name[32];
	int k;

	memset(f, 0, sizeof *f);
	stream(&f->mkt, seed, "market");
	for (k = 0; k < TN_SYNTH_SECTORS; k++) {
		snprintf(name, sizeof name, "sector %d", k);
		stream(&f->sec[k], seed, name);
	}
	f->h = GARCH_OMEGA / (1 - GARCH_ALPHA - GARCH_BETA);
}

/* The next trading day's factors.  Every stream draws the same count
 * every day, so day t's values never depend on which days are asked for. */
static void factors_step(struct factors *f)
{
	int k;

	f->h = GARCH_OMEGA + GARCH_ALPHA * f->m_dev * f->m_dev + GARCH_BETA * f->h;
	f->m = MARKET_MU + sqrt(f->h) * tn_rng_normal(&f->mkt);
	f->m_dev = f->m - MARKET_MU;
	for (k = 0; k < TN_SYNTH_SECTORS; k++) {
		f->s_prev[k] = f->s[k];
		f->s[k] = SECTOR_SIGMA * tn_rng_normal(&f->sec[k]);
	}
}

/* One instrument: traits from a hash of its symbol (the same kind of
 * stock in every simulated market), noise from its own stream. */
struct instrument {
	int sector;
	double beta, sigma, wick, price, volume_level;
	struct tn_rng idio;
	/* the day's draws, all taken every day */
	double z, z_gap, z_hi, z_lo, z_vol, u_jump, z_jump;
};

static void instrument_init(struct instrument *in, uint64_t seed,
			    const char *symbol)
{
	struct tn_rng traits;
	char name[32];

	memset(in, 0, sizeof *in);
	in->sector = tn_synth_sector(symbol);
	tn_rng_seed(&traits, tn_hash_str(symbol));
	switch (in->sector) {
	case SECTOR_INDEX:
		in->beta = 1.0;
		in->sigma = 0.0;
		in->wick = WICK_SCALE * INDEX_WICK;
		in->price = 1000.0 * exp(log(5.0) * tn_rng_uniform(&traits));
		in->volume_level = 1e9;
		break;
	case SECTOR_FUND:
		in->beta = 0.95 + 0.25 * tn_rng_uniform(&traits);
		in->sigma = FUND_SIGMA;
		in->wick = WICK_SCALE * INDEX_WICK;
		in->price = 100.0 * exp(log(5.0) * tn_rng_uniform(&traits));
		in->volume_level = 2e7 * exp(log(5.0) * tn_rng_uniform(&traits));
		break;
	default:
		in->beta = 0.6 + 0.9 * tn_rng_uniform(&traits);
		in->sigma = 0.008 + 0.014 * tn_rng_uniform(&traits);
		in->wick = WICK_SCALE * in->sigma;
		in->price = 20.0 * exp(log(25.0) * tn_rng_uniform(&traits));
		in->volume_level = 1e6 * exp(log(50.0) * tn_rng_uniform(&traits));
	}
	snprintf(name, sizeof name, "stock %s", symbol);
	stream(&in->idio, seed, name);
}

static void instrument_draw(struct instrument *in)
{
	in->z = tn_rng_normal(&in->idio);
	in->z_gap = tn_rng_normal(&in->idio);
	in->z_hi = tn_rng_normal(&in->idio);
	in->z_lo = tn_rng_normal(&in->idio);
	in->z_vol = tn_rng_normal(&in->idio);
	in->u_jump = tn_rng_uniform(&in->idio);
	in->z_jump = tn_rng_normal(&in->idio);
}

/* A stock's or a fund's log return on the day (after instrument_draw). */
static double instrument_return(const struct instrument *in,
				const struct factors *f, double signal)
{
	double r = in->beta * f->m + in->sigma * in->z;

	if (in->sector >= 0) {
		r += f->s[in->sector] + signal * f->s_prev[in->sector];
		/* rare jumps give the fat tails real returns have */
		if (in->u_jump < JUMP_PROB)
			r += JUMP_SCALE * in->sigma * in->z_jump;
	}
	return r;
}

/* The day's bar from the return r, moving in->price to the new close. */
static void instrument_bar(struct instrument *in, double r, double m,
			   tn_day day, struct tn_bar *bar)
{
	double gap = GAP_SHARE * r + GAP_NOISE * in->z_gap;
	double open = in->price * exp(gap), close = in->price * exp(r);
	double move = in->sector >= 0 ? r - m : r;

	bar->date = day;
	bar->open = cents(open);
	bar->close = cents(close);
	bar->high = cents(fmax(open, close) * exp(in->wick * fabs(in->z_hi)));
	bar->low = cents(fmin(open, close) * exp(-in->wick * fabs(in->z_lo)));
	bar->adj_close = bar->close;
	bar->volume = round(in->volume_level *
			    exp(VOLUME_NOISE * in->z_vol + VOLUME_MOVE * fabs(move)));
	in->price = close;
}

int tn_synth_bars(const struct tn_synth *market, const char *symbol,
		  tn_day from, tn_day to, struct tn_bar **out)
{
	struct factors f;
	struct instrument self, *members = NULL;
	tn_day day = tn_date_from_civil(TN_SYNTH_EPOCH_YEAR, TN_SYNTH_EPOCH_MONTH,
					TN_SYNTH_EPOCH_DAY);
	struct tn_bar *bars = NULL, bar;
	int n = 0, cap = 0, nmembers = 0, i;

	*out = NULL;
	if (!tn_symbol_valid(symbol))
		return -1;
	factors_init(&f, market->seed);
	instrument_init(&self, market->seed, symbol);
	/* an index is the equal-weighted mean of the TIER_1 stocks' returns */
	if (self.sector == SECTOR_INDEX) {
		members = xcalloc(TN_TIER1_COUNT, sizeof *members);
		for (i = 0; i < TN_TIER1_COUNT; i++)
			if (tier1[i].sector >= 0)
				instrument_init(&members[nmembers++], market->seed,
						tier1[i].symbol);
	}

	for (; day <= to; day = tn_next_trading_day(day)) {
		double r = 0;

		factors_step(&f);
		instrument_draw(&self);
		if (self.sector == SECTOR_INDEX) {
			for (i = 0; i < nmembers; i++) {
				instrument_draw(&members[i]);
				r += instrument_return(&members[i], &f, market->signal);
			}
			r /= nmembers;
		} else {
			r = instrument_return(&self, &f, market->signal);
		}
		instrument_bar(&self, r, f.m, day, &bar);
		if (day < from)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			bars = xreallocarray(bars, (size_t)cap, sizeof *bars);
		}
		bars[n++] = bar;
	}
	free(members);
	*out = bars;
	return n;
}
