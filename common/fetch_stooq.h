/* fetch_stooq.h - Stooq's daily CSV download: the request URL, the symbol
 * in Stooq's spelling, and the response.
 *
 *   BASE/q/d/l/?s=aapl.us&i=d&d1=YYYYMMDD&d2=YYYYMMDD
 *
 * answers Date,Open,High,Low,Close,Volume with CRLF line ends; prices are
 * split- and dividend-adjusted (so adj_close = close) and volumes
 * split-adjusted, hence fractional.  An unknown symbol gets the plain text
 * "No data" with status 200; too many requests a day "Exceeded the daily
 * hits limit". */
#ifndef TN_FETCH_STOOQ_H
#define TN_FETCH_STOOQ_H

#include "fetch_series.h"

#include <stddef.h>

#define TN_STOOQ_URL_DEFAULT "https://stooq.com"
#define TN_STOOQ_URL_ENV "TICKERNET_STOOQ_URL"

/* Stooq's name for a symbol: lower case; a US listing (no '.' suffix) gets
 * ".us"; the main indices their Stooq names (^GSPC -> ^spx); a currency
 * pair loses "=X" (EURUSD=X -> eurusd).  out holds 2 * TN_SYMBOL_MAX. */
void tn_stooq_symbol(char *out, size_t size, const char *symbol);

/* Returns 0, or -1 when out is too small. */
int tn_stooq_url(char *out, size_t size, const char *base, const char *symbol,
		 tn_day from, tn_day to);

/* Parses a response body.  Returns 0; 66 for "No data"; 75 for the daily
 * limit; 65 for anything that is not the CSV. */
int tn_stooq_parse(const char *body, size_t len, const char *symbol,
		   struct tn_fetch_series *s, char *err, size_t errsize);

#endif
