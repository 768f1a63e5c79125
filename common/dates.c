/* dates.c - see dates.h. */
#include "dates.h"

#include <stddef.h>
#include <time.h>

#define SECONDS_PER_DAY 86400
/* Days from 0000-03-01 to 1970-01-01: the civil arithmetic counts from a
 * March 1 so that the leap day falls at the end of its (shifted) year. */
#define EPOCH_FROM_MARCH_0000 719468
/* Days in 400 Gregorian years: the calendar's full cycle. */
#define DAYS_PER_400_YEARS 146097
/* 1970-01-05, the first Monday of the epoch: anchors weekday counting. */
#define MONDAY_OF_EPOCH 4
/* More than any year needs: 10 regular holidays plus 2001's four days. */
#define MAX_CLOSURES_PER_YEAR 20

/* First years of rules: the Uniform Monday Holiday Act moved Washington's
 * Birthday and Memorial Day to Mondays; the NYSE first closed for MLK Day
 * in 1998 and for Juneteenth in 2022. */
#define MONDAY_HOLIDAYS_FROM 1971
#define MLK_DAY_FROM 1998
#define JUNETEENTH_FROM 2022
/* Early closes were at 14:00 until 1992, 13:00 from 1993. */
#define EARLY_CLOSE_BEFORE_1993 (14 * 60)

struct closure {
	tn_day day;
	const char *name;
};

struct special_day {
	int16_t year;
	int8_t month, day;
	const char *name;
};

/* Full-day closures since 1990 that no rule predicts (NYSE notices). */
static const struct special_day special_closures[] = {
	{ 1994, 4, 27, "National Day of Mourning for President Richard Nixon" },
	{ 2001, 9, 11, "September 11 attacks" },
	{ 2001, 9, 12, "September 11 attacks" },
	{ 2001, 9, 13, "September 11 attacks" },
	{ 2001, 9, 14, "September 11 attacks" },
	{ 2004, 6, 11, "National Day of Mourning for President Ronald Reagan" },
	{ 2007, 1, 2, "National Day of Mourning for President Gerald Ford" },
	{ 2012, 10, 29, "Hurricane Sandy" },
	{ 2012, 10, 30, "Hurricane Sandy" },
	{ 2018, 12, 5, "National Day of Mourning for President George H. W. Bush" },
	{ 2025, 1, 9, "National Day of Mourning for President Jimmy Carter" },
};

/* Early closes announced in advance that no rule predicts. */
static const struct special_day special_early_closes[] = {
	{ 1997, 12, 26, "day after Christmas" },
	{ 2003, 12, 26, "day after Christmas" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	int64_t r = a % b;

	if (r != 0 && ((r < 0) != (b < 0)))
		r += b;
	return r;
}

static int is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
	static const int8_t days[12] = { 31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31 };

	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

/* Days from 0000-03-01 to March 1 of year y. */
static int64_t march_first(int64_t y)
{
	return 365 * y + floor_div(y, 4) - floor_div(y, 100) + floor_div(y, 400);
}

/* Days from March 1 to the first of the month mp months later (0..11);
 * the month lengths from March repeat 31,30,31,30,31 so a line fits them. */
static int64_t march_month_start(int64_t mp)
{
	return (153 * mp + 2) / 5;
}

tn_day tn_date_from_civil(int year, int month, int day)
{
	int64_t y = (int64_t)year + floor_div((int64_t)month - 1, 12);
	int64_t m = floor_mod((int64_t)month - 1, 12) + 1;
	int64_t mp;

	if (m <= 2)
		y--;
	mp = (m + 9) % 12;
	return (tn_day)(march_first(y) + march_month_start(mp) + day - 1 -
			EPOCH_FROM_MARCH_0000);
}

void tn_date_to_civil(tn_day d, int *year, int *month, int *day)
{
	int64_t z = (int64_t)d + EPOCH_FROM_MARCH_0000;
	int64_t y = floor_div(z * 400, DAYS_PER_400_YEARS);
	int64_t doy, mp, m;

	/* The estimate is off by at most one year either way. */
	while (march_first(y + 1) <= z)
		y++;
	while (march_first(y) > z)
		y--;
	doy = z - march_first(y);
	mp = (5 * doy + 2) / 153;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (year)
		*year = (int)(y + (m <= 2));
	if (month)
		*month = (int)m;
	if (day)
		*day = (int)(doy - march_month_start(mp) + 1);
}

int tn_date_weekday(tn_day d)
{
	/* 1970-01-01 was a Thursday. */
	return (int)floor_mod((int64_t)d + TN_THURSDAY, 7);
}

int tn_date_valid(int year, int month, int day)
{
	return month >= 1 && month <= 12 && day >= 1 &&
	       day <= days_in_month(year, month);
}

static int digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int tn_date_parse(const char *s, tn_day *out)
{
	int year, month, day;

	if (!s)
		return -1;
	/* Each character is checked in order, so a short string stops at its
	 * NUL before anything past it is read. */
	if (digits(s, 4, &year) < 0 || s[4] != '-' ||
	    digits(s + 5, 2, &month) < 0 || s[7] != '-' ||
	    digits(s + 8, 2, &day) < 0 || s[10] != '\0')
		return -1;
	if (year < TN_DATE_MIN_YEAR || year > TN_DATE_MAX_YEAR ||
	    !tn_date_valid(year, month, day))
		return -1;
	*out = tn_date_from_civil(year, month, day);
	return 0;
}

static void put_digits(char *buf, int value, int n)
{
	while (n-- > 0) {
		buf[n] = (char)('0' + value % 10);
		value /= 10;
	}
}

void tn_date_format(tn_day d, char buf[TN_DATE_LEN + 1])
{
	int year, month, day;

	tn_date_to_civil(d, &year, &month, &day);
	if (year < 0 || year > 9999)
		year = month = day = 0;
	put_digits(buf, year, 4);
	buf[4] = '-';
	put_digits(buf + 5, month, 2);
	buf[7] = '-';
	put_digits(buf + 8, day, 2);
	buf[TN_DATE_LEN] = '\0';
}

tn_day tn_date_from_unix(int64_t t, int32_t gmtoffset)
{
	/* Split both into whole days and a remainder before adding, so that
	 * t near INT64_MAX cannot overflow. */
	int64_t days = floor_div(t, SECONDS_PER_DAY) +
		       floor_div(gmtoffset, SECONDS_PER_DAY);
	int64_t rest = floor_mod(t, SECONDS_PER_DAY) +
		       floor_mod(gmtoffset, SECONDS_PER_DAY);

	days += rest / SECONDS_PER_DAY;
	if (days > INT32_MAX)
		return INT32_MAX;
	if (days < INT32_MIN)
		return INT32_MIN;
	return (tn_day)days;
}

int tn_date_today(const char *override, tn_day *out)
{
	time_t now;

	if (override && *override)
		return tn_date_parse(override, out);
	now = time(NULL);
	if (now == (time_t)-1)
		return -1;
	*out = tn_date_from_unix((int64_t)now, 0);
	return 0;
}

tn_day tn_date_easter(int year)
{
	/* The anonymous Gregorian computus (Meeus, Astronomical Algorithms,
	 * ch. 8): the Paschal full moon from the Metonic cycle with the
	 * century's solar and lunar corrections, then the Sunday after it. */
	int golden = year % 19;
	int century = year / 100, in_century = year % 100;
	int leap_skips = century / 4, century_rest = century % 4;
	int moon_fix = (century + 8) / 25;
	int moon_shift = (century - moon_fix + 1) / 3;
	int epact = (19 * golden + century - leap_skips - moon_shift + 15) % 30;
	int weekday_fix = (32 + 2 * century_rest + 2 * (in_century / 4) - epact -
			   in_century % 4) % 7;
	int late = (golden + 11 * epact + 22 * weekday_fix) / 451;
	int total = epact + weekday_fix - 7 * late + 114;

	return tn_date_from_civil(year, total / 31, total % 31 + 1);
}

/* The n-th (1-based) given weekday of a month. */
static tn_day nth_weekday(int year, int month, int weekday, int n)
{
	tn_day first = tn_date_from_civil(year, month, 1);

	return first + (tn_day)floor_mod(weekday - tn_date_weekday(first), 7) +
	       7 * (n - 1);
}

static tn_day last_weekday(int year, int month, int weekday)
{
	tn_day last = tn_date_from_civil(year, month, days_in_month(year, month));

	return last - (tn_day)floor_mod(tn_date_weekday(last) - weekday, 7);
}

static int is_weekend(tn_day d)
{
	int wd = tn_date_weekday(d);

	return wd == TN_SATURDAY || wd == TN_SUNDAY;
}

/* A fixed-date holiday on a Saturday closes the Friday before, one on a
 * Sunday the Monday after. */
static tn_day observed(tn_day d)
{
	switch (tn_date_weekday(d)) {
	case TN_SATURDAY:
		return d - 1;
	case TN_SUNDAY:
		return d + 1;
	default:
		return d;
	}
}

static tn_day thanksgiving(int year)
{
	return nth_weekday(year, 11, TN_THURSDAY, 4);
}

static void add_closure(struct closure *out, int *n, tn_day day,
			const char *name)
{
	if (*n < MAX_CLOSURES_PER_YEAR) {
		out[*n].day = day;
		out[*n].name = name;
		(*n)++;
	}
}

/* Every weekday of `year` on which the NYSE is closed all day.  Observed
 * days stay in their holiday's year: New Year's Day on a Saturday is not
 * moved back into December, and December 25 moves at most to the 24th or
 * 26th. */
static int year_closures(int year, struct closure out[MAX_CLOSURES_PER_YEAR])
{
	tn_day new_year = tn_date_from_civil(year, 1, 1);
	int n = 0;
	size_t i;

	if (tn_date_weekday(new_year) != TN_SATURDAY)
		add_closure(out, &n, observed(new_year), "New Year's Day");
	if (year >= MLK_DAY_FROM)
		add_closure(out, &n, nth_weekday(year, 1, TN_MONDAY, 3),
			    "Martin Luther King, Jr. Day");
	if (year >= MONDAY_HOLIDAYS_FROM) {
		add_closure(out, &n, nth_weekday(year, 2, TN_MONDAY, 3),
			    "Washington's Birthday");
	} else {
		add_closure(out, &n, observed(tn_date_from_civil(year, 2, 22)),
			    "Washington's Birthday");
	}
	add_closure(out, &n, tn_date_easter(year) - 2, "Good Friday");
	if (year >= MONDAY_HOLIDAYS_FROM) {
		add_closure(out, &n, last_weekday(year, 5, TN_MONDAY),
			    "Memorial Day");
	} else {
		add_closure(out, &n, observed(tn_date_from_civil(year, 5, 30)),
			    "Memorial Day");
	}
	if (year >= JUNETEENTH_FROM)
		add_closure(out, &n, observed(tn_date_from_civil(year, 6, 19)),
			    "Juneteenth National Independence Day");
	add_closure(out, &n, observed(tn_date_from_civil(year, 7, 4)),
		    "Independence Day");
	add_closure(out, &n, nth_weekday(year, 9, TN_MONDAY, 1), "Labor Day");
	add_closure(out, &n, thanksgiving(year), "Thanksgiving Day");
	add_closure(out, &n, observed(tn_date_from_civil(year, 12, 25)),
		    "Christmas Day");
	for (i = 0; i < COUNT(special_closures); i++) {
		const struct special_day *s = &special_closures[i];

		if (s->year == year)
			add_closure(out, &n,
				    tn_date_from_civil(s->year, s->month, s->day),
				    s->name);
	}
	return n;
}

/* The closure's name if weekday d is one, else NULL. */
static const char *closure_name(tn_day d)
{
	struct closure closures[MAX_CLOSURES_PER_YEAR];
	int year, i, n;

	tn_date_to_civil(d, &year, NULL, NULL);
	n = year_closures(year, closures);
	for (i = 0; i < n; i++)
		if (closures[i].day == d)
			return closures[i].name;
	return NULL;
}

const char *tn_holiday_name(tn_day d)
{
	if (is_weekend(d))
		return NULL;
	return closure_name(d);
}

/* The early close of trading day d in minutes, or 0 for a full session. */
static int early_close(tn_day d)
{
	int year, month, day, wd = tn_date_weekday(d);
	size_t i;

	tn_date_to_civil(d, &year, &month, &day);
	if (month == 7 && day == 3) {
		if (year >= 1995 && (wd == TN_MONDAY || wd == TN_TUESDAY ||
				     wd == TN_THURSDAY))
			return TN_EARLY_CLOSE_MINUTES;
		if (year >= 2013 && wd == TN_WEDNESDAY)
			return TN_EARLY_CLOSE_MINUTES;
	}
	if (month == 7 && day == 5 && wd == TN_FRIDAY && year >= 1996 &&
	    year <= 2012)
		return TN_EARLY_CLOSE_MINUTES;
	if (month == 11 && year >= 1992 && d == thanksgiving(year) + 1)
		return year >= 1993 ? TN_EARLY_CLOSE_MINUTES :
				      EARLY_CLOSE_BEFORE_1993;
	if (month == 12 && day == 24 && year >= 1990)
		return year >= 1993 ? TN_EARLY_CLOSE_MINUTES :
				      EARLY_CLOSE_BEFORE_1993;
	for (i = 0; i < COUNT(special_early_closes); i++) {
		const struct special_day *s = &special_early_closes[i];

		if (s->year == year && s->month == month && s->day == day)
			return TN_EARLY_CLOSE_MINUTES;
	}
	return 0;
}

int tn_close_minutes(tn_day d)
{
	int early;

	if (is_weekend(d) || closure_name(d))
		return 0;
	early = early_close(d);
	return early ? early : TN_CLOSE_MINUTES;
}

int tn_is_trading_day(tn_day d)
{
	return !is_weekend(d) && !closure_name(d);
}

tn_day tn_next_trading_day(tn_day d)
{
	do
		d++;
	while (!tn_is_trading_day(d));
	return d;
}

tn_day tn_prev_trading_day(tn_day d)
{
	do
		d--;
	while (!tn_is_trading_day(d));
	return d;
}

/* Weekdays in [MONDAY_OF_EPOCH, x) for x above it, and minus the weekdays
 * in [x, MONDAY_OF_EPOCH) below it, so differences count any range. */
static int64_t weekdays_before(int64_t x)
{
	int64_t n = x - MONDAY_OF_EPOCH;
	int64_t rest = floor_mod(n, 7);

	return 5 * floor_div(n, 7) + (rest < 5 ? rest : 5);
}

int tn_trading_days_between(tn_day a, tn_day b)
{
	struct closure closures[MAX_CLOSURES_PER_YEAR];
	int64_t count;
	int first_year, last_year, year, i, n;

	if (b < a)
		return -tn_trading_days_between(b, a);
	if (a == b)
		return 0;
	count = weekdays_before((int64_t)b + 1) - weekdays_before((int64_t)a + 1);
	/* Closures are all on weekdays, so each one in range is one fewer. */
	tn_date_to_civil(a + 1, &first_year, NULL, NULL);
	tn_date_to_civil(b, &last_year, NULL, NULL);
	for (year = first_year; year <= last_year; year++) {
		n = year_closures(year, closures);
		for (i = 0; i < n; i++)
			if (closures[i].day > a && closures[i].day <= b)
				count--;
	}
	return (int)count;
}

tn_day tn_add_trading_days(tn_day d, int n)
{
	for (; n > 0; n--)
		d = tn_next_trading_day(d);
	for (; n < 0; n++)
		d = tn_prev_trading_day(d);
	return d;
}
