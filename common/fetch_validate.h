/* fetch_validate.h - turns the raw bars a source gave into bars that keep
 * the prices contract, and reports every decision on the way.
 *
 * In this order:
 *   - rows out of date order are sorted (one "sort" decision);
 *   - a row whose open, high, low and close are all missing is dropped
 *     (Yahoo's null rows), as is a second row for a date already seen;
 *   - a row with a missing, non-finite or non-positive price, a missing
 *     adjusted close where the source has that column, a negative volume,
 *     or high < low is rejected;
 *   - an open or close outside [low, high] is rejected, or with repair
 *     clamped into it ("repair");
 *   - a fractional volume (Stooq's split-adjusted volumes) is rounded,
 *     noted once per series;
 *   - NYSE trading days missing between two bars are noted, one note per
 *     run of consecutive missing days.
 * A rejected row never reaches the cache: the report says why. */
#ifndef TN_FETCH_VALIDATE_H
#define TN_FETCH_VALIDATE_H

#include "fetch_series.h"

/* Validates s in place.  Afterwards s holds only valid bars, strictly
 * increasing by date.  Returns the number of rows rejected (not counting
 * the dropped ones, which lose nothing). */
size_t tn_fetch_validate(struct tn_fetch_series *s, const char *symbol,
			 int repair, struct tn_fetch_report *r);

/* The trading days missing strictly between a and b (a < b): how many,
 * and the first and last of them. */
int tn_missing_trading_days(tn_day a, tn_day b, tn_day *first, tn_day *last);

#endif
