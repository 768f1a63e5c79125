/* dates.h - calendar dates as day numbers, ISO text, and the NYSE trading
 * calendar.
 *
 * A tn_day counts days since 1970-01-01 in the proleptic Gregorian
 * calendar (1969-12-31 is -1).  Conversions are plain arithmetic: no
 * timegm, mktime or TZ, so results never depend on the machine's zone.
 *
 * Text dates are strictly YYYY-MM-DD with a year in TN_DATE_MIN_YEAR ..
 * TN_DATE_MAX_YEAR; that range is what the tools accept on input.
 *
 * The trading calendar is the NYSE's, accurate for 1990..2099:
 *
 *   - Regular holidays: New Year's Day, Martin Luther King, Jr. Day (third
 *     Monday of January, from 1998), Washington's Birthday (third Monday of
 *     February from 1971, February 22 before), Good Friday, Memorial Day
 *     (last Monday of May from 1971, May 30 before), Juneteenth (June 19,
 *     from 2022), Independence Day, Labor Day (first Monday of September),
 *     Thanksgiving (fourth Thursday of November), Christmas.
 *   - A holiday on a Saturday closes the Friday before, one on a Sunday the
 *     Monday after -- except New Year's Day on a Saturday, which closes
 *     nothing: December 31 is the last day of the accounting year and
 *     trades (NYSE Rule 7.2).
 *   - Unscheduled full-day closures since 1990 (funerals and days of
 *     mourning, September 11, Hurricane Sandy) are listed one by one.  The
 *     list has nothing before 1990, and it cannot know the future.
 *   - Scheduled early closes at 13:00 New York time: the day after
 *     Thanksgiving (from 1993; 14:00 in 1992), December 24 when it is a
 *     Monday to Thursday (from 1993; 14:00 in 1990..1992), July 3 when it
 *     is a Monday, Tuesday or Thursday (from 1995) or a Wednesday (from
 *     2013; in 1996..2012 a Thursday July 4 moved the early close to
 *     Friday July 5 instead), and the one-off December 26 of 1997 and
 *     2003.  When July 4 is a Saturday, July 3 is the observed holiday and
 *     July 2 trades a full day; when July 4 is a Sunday or Monday nothing
 *     closes early.  Unscheduled halts (snow, circuit breakers, outages)
 *     are not modelled.
 *
 * Outside 1990..2099 the same rules are applied (with the history above),
 * which is close to, but not, the historical calendar before 1990: Saturday
 * trading before 1952, retired holidays (Lincoln's Birthday, Election Day,
 * ...) and earlier one-off closures are not modelled.  The calendar
 * functions take days in years 1..9999.
 *
 * Sources for the dates: NYSE holiday and trading-hours notices, and the
 * NYSE history compiled in pandas_market_calendars (holidays/nyse.py). */
#ifndef TN_DATES_H
#define TN_DATES_H

#include <stdint.h>

typedef int32_t tn_day;

/* The range of years tn_date_parse accepts. */
#define TN_DATE_MIN_YEAR 1900
#define TN_DATE_MAX_YEAR 2199

/* Length of "YYYY-MM-DD"; buffers hold TN_DATE_LEN + 1 bytes. */
#define TN_DATE_LEN 10

/* The regular session in minutes after midnight, New York time. */
#define TN_OPEN_MINUTES (9 * 60 + 30)
#define TN_CLOSE_MINUTES (16 * 60)
#define TN_EARLY_CLOSE_MINUTES (13 * 60)

/* Same numbering as struct tm's tm_wday. */
enum tn_weekday {
	TN_SUNDAY,
	TN_MONDAY,
	TN_TUESDAY,
	TN_WEDNESDAY,
	TN_THURSDAY,
	TN_FRIDAY,
	TN_SATURDAY,
};

/* The day of year-month-day.  Month and day need not be valid: they count
 * on arithmetically, so month 13 is January of the next year and day 0 the
 * last day of the month before. */
tn_day tn_date_from_civil(int year, int month, int day);

/* Breaks d into year, month 1..12 and day of month 1..31; any pointer may
 * be NULL. */
void tn_date_to_civil(tn_day d, int *year, int *month, int *day);

/* enum tn_weekday of d. */
int tn_date_weekday(tn_day d);

/* 1 if year-month-day is a real date (any year). */
int tn_date_valid(int year, int month, int day);

/* Parses exactly "YYYY-MM-DD", a real date with the year in
 * TN_DATE_MIN_YEAR..TN_DATE_MAX_YEAR; no spaces, signs or trailing text.
 * Returns 0, or -1 with *out left unchanged. */
int tn_date_parse(const char *s, tn_day *out);

/* Writes d as "YYYY-MM-DD" and a NUL.  A day outside years 0000..9999 is
 * written as "0000-00-00", which tn_date_parse rejects. */
void tn_date_format(tn_day d, char buf[TN_DATE_LEN + 1]);

/* The calendar date, at the place gmtoffset seconds east of UTC, of Unix
 * time t: Yahoo's chart API gives bar times as t and the exchange's offset
 * as gmtoffset (-14400 for New York in summer).  Floors, so times before
 * 1970 and negative offsets land on the right day. */
tn_day tn_date_from_unix(int64_t t, int32_t gmtoffset);

/* Today's date in UTC, for the tools' date defaults.  A non-NULL, non-empty
 * `override` (a test's fixed "today", e.g. from an option or environment
 * variable the tool reads) is parsed instead of reading the clock.  Returns
 * 0, or -1 when the override is not a valid date or the clock fails. */
int tn_date_today(const char *override, tn_day *out);

/* Easter Sunday of a Gregorian year (year >= 1583 for the historical
 * meaning; computed for any year >= 1). */
tn_day tn_date_easter(int year);

/* The name of the NYSE holiday or special closure that closes the market on
 * weekday d ("Good Friday", "Independence Day", ...), also for the observed
 * day of a weekend holiday; NULL when d is a weekend or not a holiday. */
const char *tn_holiday_name(tn_day d);

/* The NYSE close on d in minutes after midnight New York time: 0 when
 * closed, TN_EARLY_CLOSE_MINUTES (or 14:00 in the early 1990s, see above)
 * on an early close, TN_CLOSE_MINUTES otherwise. */
int tn_close_minutes(tn_day d);

/* 1 if the NYSE trades on d (a weekday that is not a closure). */
int tn_is_trading_day(tn_day d);

/* The first trading day strictly after / strictly before d. */
tn_day tn_next_trading_day(tn_day d);
tn_day tn_prev_trading_day(tn_day d);

/* The number of trading days in (a, b]; when b < a, minus the number in
 * (b, a].  So tn_trading_days_between(a, c) = between(a, b) + between(b, c)
 * for any a, b, c. */
int tn_trading_days_between(tn_day a, tn_day b);

/* The n-th trading day after d (n > 0) or before d (n < 0); d itself when
 * n == 0.  For a trading day d, tn_trading_days_between(d, result) == n. */
tn_day tn_add_trading_days(tn_day d, int n);

#endif
