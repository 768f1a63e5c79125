/* fetch_yahoo.h - Yahoo Finance's chart API v8: the request URL and the
 * response parser.
 *
 *   BASE/v8/finance/chart/SYMBOL?period1=P1&period2=P2&interval=1d
 *        &events=div%2Csplits&includeAdjustedClose=true
 *
 * The response's chart.result[0] holds timestamp[] (Unix seconds of each
 * session's open), indicators.quote[0].{open,high,low,close,volume}[] and
 * indicators.adjclose[0].adjclose[], where any value may be null, meta
 * (gmtoffset: the exchange's offset from UTC; the trading period) and
 * events.{dividends,splits}.  A failure is chart.error {code, description}
 * with HTTP 404 ("No data found, symbol may be delisted") or 400.  An
 * empty range has a result without timestamp. */
#ifndef TN_FETCH_YAHOO_H
#define TN_FETCH_YAHOO_H

#include "fetch_series.h"

#include <stddef.h>

#define TN_YAHOO_URL_DEFAULT "https://query2.finance.yahoo.com"
#define TN_YAHOO_URL_ENV "TICKERNET_YAHOO_URL"

/* The request for daily bars dated from..to (inclusive).  Returns 0, or -1
 * when out is too small. */
int tn_yahoo_url(char *out, size_t size, const char *base, const char *symbol,
		 tn_day from, tn_day to);

/* Parses a response body into s, reporting dividends, splits and a
 * dropped partial bar of a session still open.  Returns 0; 66 for Yahoo's
 * "Not Found" error (unknown or delisted symbol); 65 for any other error
 * object or a body that is not a daily chart (HTML, truncated JSON, other
 * granularity).  err gets one line. */
int tn_yahoo_parse(const char *body, size_t len, const char *symbol,
		   struct tn_fetch_series *s, struct tn_fetch_report *r,
		   char *err, size_t errsize);

#endif
