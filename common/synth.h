/* synth.h - a deterministic simulated market: daily OHLCV bars for any
 * symbol on the NYSE calendar, from a seed alone, so demos and tests run
 * offline and a placebo check has a market with a known answer.
 *
 * Model, per trading day t counted from TN_SYNTH_EPOCH (2000-01-03):
 *   market    m_t = mu + sqrt(h_t) z_m,t,  h_t = w + a (m_{t-1}-mu)^2 + b h_{t-1}
 *                   (GARCH(1,1), so volatility clusters as in real markets)
 *   sector    s_k,t = sigma_s z_k,t                      (10 sectors)
 *   stock     r_i,t = beta_i m_t + s_k,t + sigma_i z_i,t + J_i,t
 *                     + signal * s_k,t-1
 *             J_i,t = 5 sigma_i z'_i,t on 1% of days, else 0 (jumps: fat
 *                     tails, kurtosis about 6)
 *   fund      SPY QQQ IWM DIA: r_t = beta_i m_t + 0.002 z_i,t
 *   index     a symbol starting with '^': the equal-weighted mean of the
 *             TIER_1 stocks' returns r_i,t, so it moves with its
 *             constituents (signal included)
 * z are independent standard normals, each stream seeded from (seed, its
 * name), so a symbol's bars do not depend on which other symbols are asked
 * for, nor on the date range: day t's bar is a function of (seed, symbol,
 * t) only.  With signal = 0 returns are unpredictable from the past (the
 * placebo market); with signal > 0 every stock's next return loads on its
 * sector's return today, which its sector peers reveal (the injected
 * signal a model must find).  beta_i, sigma_i, the starting price and the
 * volume level come from a hash of the symbol; the TIER_1 symbols have
 * fixed sectors, others one from the hash.  Each bar: the open gaps by a
 * quarter of the day's return plus noise, high and low extend past the
 * open and close by half-normal wicks, volume grows with the size of the
 * stock's own move.  Prices are rounded to cents.  adj_close equals
 * close: the synthetic market pays no dividends and never splits. */
#ifndef TN_SYNTH_H
#define TN_SYNTH_H

#include "dates.h"
#include "prices.h"

#include <stdint.h>

/* The first simulated trading day, 2000-01-03. */
#define TN_SYNTH_EPOCH_YEAR 2000
#define TN_SYNTH_EPOCH_MONTH 1
#define TN_SYNTH_EPOCH_DAY 3
#define TN_SYNTH_SECTORS 10
#define TN_SYNTH_DEFAULT_SEED 1
#define TN_SYNTH_DEFAULT_SIGNAL 0.0

struct tn_synth {
	uint64_t seed;
	double signal; /* loading on yesterday's sector return, 0 = none */
};

/* The TIER_1 universe the demo trains on (plus ^GSPC, the index): the
 * original design's list, 42 stocks and 4 funds (SPY QQQ IWM DIA).
 * tn_tier1_symbol(i) for i in [0, TN_TIER1_COUNT), NULL past the end. */
#define TN_TIER1_COUNT 46
const char *tn_tier1_symbol(int i);
/* "technology", ..., "fund" (-2), "index" (-1); NULL for anything else. */
const char *tn_synth_sector_name(int sector);

/* Fills bars for every trading day in [from, to] (both inclusive, clipped
 * to the epoch) into *out (allocated, caller frees) and returns how many,
 * or -1 when symbol is not valid (see symbol.h). */
int tn_synth_bars(const struct tn_synth *market, const char *symbol,
		  tn_day from, tn_day to, struct tn_bar **out);

/* The sector 0..TN_SYNTH_SECTORS-1 a symbol belongs to, -1 for an index
 * (a symbol starting with '^'), -2 for a fund. */
int tn_synth_sector(const char *symbol);

#endif
