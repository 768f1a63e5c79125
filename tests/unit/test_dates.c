/* Unit tests: common/dates.c - day numbers, ISO dates, Unix times and the
 * NYSE trading calendar.  Expected holidays and early closes are NYSE's
 * published calendars; Easter dates are from published Easter tables. */
#include "dates.h"
#include "rng.h"
#include "tn_test.h"

#include <stdint.h>
#include <time.h>

struct named_day {
	const char *date;
	const char *name;
};

/* The day of an ISO date the test itself states; a typo fails the test. */
static tn_day day_of(const char *iso)
{
	tn_day d = 0;

	if (tn_date_parse(iso, &d) < 0)
		FAILF("test date '%s' does not parse", iso);
	return d;
}

static const char *iso_of(tn_day d, char buf[TN_DATE_LEN + 1])
{
	tn_date_format(d, buf);
	return buf;
}

/* Every weekday closure of `year` must be in `want` with its name, and
 * every day of `want` must be one. */
static void check_year_holidays(int year, const struct named_day *want,
				size_t n)
{
	tn_day d, first = tn_date_from_civil(year, 1, 1);
	tn_day last = tn_date_from_civil(year, 12, 31);
	char buf[TN_DATE_LEN + 1];
	size_t i, found = 0;

	for (d = first; d <= last; d++) {
		const char *name = tn_holiday_name(d);

		if (!name)
			continue;
		for (i = 0; i < n; i++)
			if (day_of(want[i].date) == d)
				break;
		if (i == n) {
			FAILF("%s is closed (%s) but not an NYSE holiday",
			      iso_of(d, buf), name);
			continue;
		}
		found++;
		CHECK_STR(name, want[i].name);
		CHECK_INT(tn_is_trading_day(d), 0);
		CHECK_INT(tn_close_minutes(d), 0);
	}
	for (i = 0; i < n; i++)
		if (!tn_holiday_name(day_of(want[i].date)))
			FAILF("NYSE holiday %s (%s) is missing", want[i].date,
			      want[i].name);
	CHECK_INT(found, n);
}

TEST(every_day_1900_to_2199_round_trips_and_matches_gmtime)
{
	tn_day first = tn_date_from_civil(1900, 1, 1);
	tn_day last = tn_date_from_civil(2199, 12, 31);
	char buf[TN_DATE_LEN + 1], want[TN_DATE_LEN + 1];
	int failures = 0;
	tn_day d;

	/* 73 leap days: 1904..2196 every fourth year, less 2100. */
	CHECK_INT(last - first + 1, 300 * 365 + 73);
	for (d = first; d <= last && failures < 5; d++) {
		time_t t = (time_t)d * 86400;
		struct tm tm;
		tn_day back = INT32_MIN;
		int y, m, md;

		if (!gmtime_r(&t, &tm)) {
			FAILF("gmtime_r failed for day %ld", (long)d);
			return;
		}
		strftime(want, sizeof want, "%Y-%m-%d", &tm);
		tn_date_format(d, buf);
		tn_date_to_civil(d, &y, &m, &md);
		if (strcmp(buf, want) != 0 || tn_date_parse(buf, &back) < 0 ||
		    back != d || tn_date_weekday(d) != tm.tm_wday ||
		    y != tm.tm_year + 1900 || m != tm.tm_mon + 1 ||
		    md != tm.tm_mday || tn_date_from_civil(y, m, md) != d) {
			FAILF("day %ld: formatted %s, gmtime %s, parsed back %ld",
			      (long)d, buf, want, (long)back);
			failures++;
		}
	}
}

TEST(known_days_have_known_numbers)
{
	char buf[TN_DATE_LEN + 1];

	CHECK_INT(tn_date_from_civil(1970, 1, 1), 0);
	CHECK_INT(tn_date_from_civil(1969, 12, 31), -1);
	CHECK_INT(tn_date_from_civil(2024, 1, 1), 19723);
	CHECK_INT(tn_date_from_civil(2000, 3, 1), 11017);
	CHECK_INT(tn_date_from_civil(1900, 1, 1), -25567);
	CHECK_INT(tn_date_weekday(0), TN_THURSDAY);
	CHECK_INT(tn_date_weekday(-1), TN_WEDNESDAY);
	CHECK_INT(tn_date_weekday(day_of("2024-05-31")), TN_FRIDAY);
	CHECK_STR(iso_of(0, buf), "1970-01-01");
	CHECK_STR(iso_of(-1, buf), "1969-12-31");
}

TEST(from_civil_counts_on_past_the_ends_of_months)
{
	CHECK_INT(tn_date_from_civil(2024, 3, 0), day_of("2024-02-29"));
	CHECK_INT(tn_date_from_civil(2023, 3, 0), day_of("2023-02-28"));
	CHECK_INT(tn_date_from_civil(2023, 13, 1), day_of("2024-01-01"));
	CHECK_INT(tn_date_from_civil(2024, 0, 1), day_of("2023-12-01"));
	CHECK_INT(tn_date_from_civil(2024, 1, 32), day_of("2024-02-01"));
}

TEST(to_civil_accepts_null_pointers)
{
	int year = 0;

	tn_date_to_civil(day_of("2031-07-15"), &year, NULL, NULL);
	CHECK_INT(year, 2031);
	tn_date_to_civil(day_of("2031-07-15"), NULL, NULL, NULL);
}

TEST(parse_rejects_anything_but_strict_iso_dates)
{
	static const char *const bad[] = {
		"", "2024", "2024-2-3", "2024-02-3", "2024-2-03",
		"2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10",
		"2024-01-00", "2024-01-32", "2023-02-29", "1900-02-29",
		"2100-02-29", "2024-02-29x", "2024-02-29 ", " 2024-02-29",
		"2024/02/29", "2024-02-29T00:00", "20240229", "+024-02-29",
		"2024-+2-29", "2024--2-29", "-024-02-29", "2024-02-2\n",
		"1899-12-31", "2200-01-01", "0000-01-01", "9999-12-31",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tn_day d = 12345;

		if (tn_date_parse(bad[i], &d) != -1)
			FAILF("'%s' parsed", bad[i]);
		if (d != 12345)
			FAILF("'%s' changed the output", bad[i]);
	}
	CHECK_INT(tn_date_parse(NULL, &(tn_day){ 0 }), -1);
}

TEST(parse_accepts_leap_days_and_range_ends)
{
	tn_day d;

	CHECK_INT(tn_date_parse("2000-02-29", &d), 0);
	CHECK_INT(d, tn_date_from_civil(2000, 2, 29));
	CHECK_INT(tn_date_parse("2024-02-29", &d), 0);
	CHECK_INT(d, tn_date_from_civil(2024, 2, 29));
	CHECK_INT(tn_date_parse("1900-01-01", &d), 0);
	CHECK_INT(d, -25567);
	CHECK_INT(tn_date_parse("2199-12-31", &d), 0);
	CHECK_INT(d, tn_date_from_civil(2199, 12, 31));
}

TEST(date_valid_knows_month_lengths)
{
	CHECK_INT(tn_date_valid(2024, 2, 29), 1);
	CHECK_INT(tn_date_valid(2023, 2, 29), 0);
	CHECK_INT(tn_date_valid(2000, 2, 29), 1);
	CHECK_INT(tn_date_valid(2100, 2, 29), 0);
	CHECK_INT(tn_date_valid(2024, 4, 30), 1);
	CHECK_INT(tn_date_valid(2024, 4, 31), 0);
	CHECK_INT(tn_date_valid(2024, 12, 31), 1);
	CHECK_INT(tn_date_valid(2024, 0, 1), 0);
	CHECK_INT(tn_date_valid(2024, 13, 1), 0);
	CHECK_INT(tn_date_valid(2024, 1, 0), 0);
}

TEST(format_writes_a_sentinel_outside_four_digit_years)
{
	char buf[TN_DATE_LEN + 1];
	tn_day d;

	CHECK_STR(iso_of(tn_date_from_civil(9999, 12, 31), buf), "9999-12-31");
	CHECK_STR(iso_of(tn_date_from_civil(0, 1, 1), buf), "0000-01-01");
	CHECK_STR(iso_of(tn_date_from_civil(10000, 1, 1), buf), "0000-00-00");
	CHECK_STR(iso_of(tn_date_from_civil(-1, 12, 31), buf), "0000-00-00");
	CHECK_STR(iso_of(INT32_MAX, buf), "0000-00-00");
	CHECK_STR(iso_of(INT32_MIN, buf), "0000-00-00");
	CHECK_INT(tn_date_parse("0000-00-00", &d), -1);
}

TEST(unix_time_maps_to_the_exchange_local_date)
{
	/* 2024-05-31 13:10 UTC, 09:10 in New York. */
	CHECK_INT(tn_date_from_unix(1717161000, -14400), day_of("2024-05-31"));
	/* 2024-06-01 01:00 UTC is still May 31 in New York. */
	CHECK_INT(tn_date_from_unix(1717203600, -14400), day_of("2024-05-31"));
	CHECK_INT(tn_date_from_unix(1717203600, 0), day_of("2024-06-01"));
	/* 2024-05-31 18:30 UTC is midnight June 1 in India (+05:30). */
	CHECK_INT(tn_date_from_unix(1717180200, 19800), day_of("2024-06-01"));
	CHECK_INT(tn_date_from_unix(1717180199, 19800), day_of("2024-05-31"));
	CHECK_INT(tn_date_from_unix(1717199999, 0), day_of("2024-05-31"));
	CHECK_INT(tn_date_from_unix(1717200000, 0), day_of("2024-06-01"));
}

TEST(unix_time_before_1970_floors_to_the_earlier_day)
{
	CHECK_INT(tn_date_from_unix(0, 0), 0);
	CHECK_INT(tn_date_from_unix(-1, 0), -1);
	CHECK_INT(tn_date_from_unix(-86400, 0), -1);
	CHECK_INT(tn_date_from_unix(-86401, 0), -2);
	CHECK_INT(tn_date_from_unix(0, -1), -1);
	CHECK_INT(tn_date_from_unix(86399, 1), 1);
	CHECK_INT(tn_date_from_unix(-2208988800LL, 0), day_of("1900-01-01"));
	CHECK_INT(tn_date_from_unix(-2208988800LL, -18000), day_of("1900-01-01") - 1);
}

TEST(unix_time_saturates_instead_of_overflowing)
{
	CHECK_INT(tn_date_from_unix(INT64_MAX, INT32_MAX), INT32_MAX);
	CHECK_INT(tn_date_from_unix(INT64_MIN, INT32_MIN), INT32_MIN);
}

TEST(today_uses_the_override_or_else_the_clock)
{
	tn_day before = tn_date_from_unix((int64_t)time(NULL), 0);
	tn_day d = 0, after;

	CHECK_INT(tn_date_today("2024-05-31", &d), 0);
	CHECK_INT(d, day_of("2024-05-31"));
	CHECK_INT(tn_date_today(NULL, &d), 0);
	after = tn_date_from_unix((int64_t)time(NULL), 0);
	CHECK(d >= before && d <= after);
	CHECK_INT(tn_date_today("", &d), 0);
	CHECK(d >= before && d <= tn_date_from_unix((int64_t)time(NULL), 0));
	d = 7;
	CHECK_INT(tn_date_today("2024-5-31", &d), -1);
	CHECK_INT(d, 7);
}

TEST(easter_matches_published_dates)
{
	static const struct {
		int year;
		const char *date;
	} easter[] = {
		{ 1818, "1818-03-22" }, { 1943, "1943-04-25" },
		{ 1990, "1990-04-15" }, { 2000, "2000-04-23" },
		{ 2008, "2008-03-23" }, { 2011, "2011-04-24" },
		{ 2016, "2016-03-27" }, { 2019, "2019-04-21" },
		{ 2021, "2021-04-04" }, { 2022, "2022-04-17" },
		{ 2023, "2023-04-09" }, { 2024, "2024-03-31" },
		{ 2025, "2025-04-20" }, { 2026, "2026-04-05" },
		{ 2038, "2038-04-25" }, { 2285, "2285-03-22" },
	};
	size_t i;

	for (i = 0; i < sizeof easter / sizeof easter[0]; i++) {
		tn_day want = tn_date_from_civil(2000, 1, 1);
		int y, m, d;

		/* 1818 and 2285 are outside tn_date_parse's years. */
		if (sscanf(easter[i].date, "%d-%d-%d", &y, &m, &d) == 3)
			want = tn_date_from_civil(y, m, d);
		if (tn_date_easter(easter[i].year) != want) {
			char buf[TN_DATE_LEN + 1];

			FAILF("Easter %d: got %s, want %s", easter[i].year,
			      iso_of(tn_date_easter(easter[i].year), buf),
			      easter[i].date);
		}
		CHECK_INT(tn_date_weekday(want), TN_SUNDAY);
	}
}

TEST(good_friday_closes_the_market)
{
	static const char *const good_fridays[] = {
		"1990-04-13", "2000-04-21", "2008-03-21", "2011-04-22",
		"2016-03-25", "2019-04-19", "2021-04-02", "2022-04-15",
		"2023-04-07", "2024-03-29", "2025-04-18", "2026-04-03",
		"2038-04-23",
	};
	size_t i;

	for (i = 0; i < sizeof good_fridays / sizeof good_fridays[0]; i++) {
		tn_day d = day_of(good_fridays[i]);

		CHECK_STR(tn_holiday_name(d), "Good Friday");
		CHECK_INT(tn_is_trading_day(d), 0);
		CHECK_INT(tn_is_trading_day(d - 1), 1);
	}
}

TEST(holidays_of_2024_are_exactly_nyses_list)
{
	static const struct named_day want[] = {
		{ "2024-01-01", "New Year's Day" },
		{ "2024-01-15", "Martin Luther King, Jr. Day" },
		{ "2024-02-19", "Washington's Birthday" },
		{ "2024-03-29", "Good Friday" },
		{ "2024-05-27", "Memorial Day" },
		{ "2024-06-19", "Juneteenth National Independence Day" },
		{ "2024-07-04", "Independence Day" },
		{ "2024-09-02", "Labor Day" },
		{ "2024-11-28", "Thanksgiving Day" },
		{ "2024-12-25", "Christmas Day" },
	};

	check_year_holidays(2024, want, sizeof want / sizeof want[0]);
}

TEST(holidays_of_2025_include_the_carter_day_of_mourning)
{
	static const struct named_day want[] = {
		{ "2025-01-01", "New Year's Day" },
		{ "2025-01-09", "National Day of Mourning for President Jimmy Carter" },
		{ "2025-01-20", "Martin Luther King, Jr. Day" },
		{ "2025-02-17", "Washington's Birthday" },
		{ "2025-04-18", "Good Friday" },
		{ "2025-05-26", "Memorial Day" },
		{ "2025-06-19", "Juneteenth National Independence Day" },
		{ "2025-07-04", "Independence Day" },
		{ "2025-09-01", "Labor Day" },
		{ "2025-11-27", "Thanksgiving Day" },
		{ "2025-12-25", "Christmas Day" },
	};

	check_year_holidays(2025, want, sizeof want / sizeof want[0]);
}

TEST(holidays_of_2022_observe_sunday_juneteenth_and_christmas_on_monday)
{
	/* January 1, 2022 was a Saturday: no holiday at all for it. */
	static const struct named_day want[] = {
		{ "2022-01-17", "Martin Luther King, Jr. Day" },
		{ "2022-02-21", "Washington's Birthday" },
		{ "2022-04-15", "Good Friday" },
		{ "2022-05-30", "Memorial Day" },
		{ "2022-06-20", "Juneteenth National Independence Day" },
		{ "2022-07-04", "Independence Day" },
		{ "2022-09-05", "Labor Day" },
		{ "2022-11-24", "Thanksgiving Day" },
		{ "2022-12-26", "Christmas Day" },
	};

	check_year_holidays(2022, want, sizeof want / sizeof want[0]);
}

TEST(holidays_of_2021_have_no_juneteenth_and_keep_december_31_open)
{
	static const struct named_day want[] = {
		{ "2021-01-01", "New Year's Day" },
		{ "2021-01-18", "Martin Luther King, Jr. Day" },
		{ "2021-02-15", "Washington's Birthday" },
		{ "2021-04-02", "Good Friday" },
		{ "2021-05-31", "Memorial Day" },
		{ "2021-07-05", "Independence Day" },
		{ "2021-09-06", "Labor Day" },
		{ "2021-11-25", "Thanksgiving Day" },
		{ "2021-12-24", "Christmas Day" },
	};

	check_year_holidays(2021, want, sizeof want / sizeof want[0]);
	CHECK_INT(tn_is_trading_day(day_of("2021-12-31")), 1);
	CHECK_INT(tn_close_minutes(day_of("2021-12-31")), TN_CLOSE_MINUTES);
	CHECK_INT(tn_is_trading_day(day_of("2021-06-18")), 1);
}

TEST(weekend_holidays_close_the_adjacent_weekday)
{
	/* Saturday July 4 / Dec 25 / June 19 close the Friday before. */
	CHECK_STR(tn_holiday_name(day_of("2020-07-03")), "Independence Day");
	CHECK_STR(tn_holiday_name(day_of("2026-07-03")), "Independence Day");
	CHECK_STR(tn_holiday_name(day_of("2010-12-24")), "Christmas Day");
	CHECK_STR(tn_holiday_name(day_of("2027-06-18")),
		  "Juneteenth National Independence Day");
	/* Sunday ones close the Monday after. */
	CHECK_STR(tn_holiday_name(day_of("2017-01-02")), "New Year's Day");
	CHECK_STR(tn_holiday_name(day_of("2011-12-26")), "Christmas Day");
	CHECK_STR(tn_holiday_name(day_of("2021-07-05")), "Independence Day");
	/* The weekend day itself is no holiday weekday. */
	CHECK(tn_holiday_name(day_of("2020-07-04")) == NULL);
	CHECK_INT(tn_close_minutes(day_of("2020-07-04")), 0);
}

TEST(new_year_on_saturday_closes_nothing)
{
	CHECK_INT(tn_is_trading_day(day_of("2010-12-31")), 1);
	CHECK_INT(tn_is_trading_day(day_of("2011-01-03")), 1);
	CHECK_INT(tn_is_trading_day(day_of("2021-12-31")), 1);
	CHECK_INT(tn_is_trading_day(day_of("2022-01-03")), 1);
	CHECK_INT(tn_is_trading_day(day_of("2032-12-31")), 1);
}

TEST(holiday_history_starts_each_rule_in_its_year)
{
	/* MLK Day from 1998. */
	CHECK_INT(tn_is_trading_day(day_of("1997-01-20")), 1);
	CHECK_STR(tn_holiday_name(day_of("1998-01-19")),
		  "Martin Luther King, Jr. Day");
	/* Juneteenth from 2022 (the 2021 law came too late for that year). */
	CHECK_INT(tn_is_trading_day(day_of("2021-06-18")), 1);
	CHECK(tn_holiday_name(day_of("2022-06-20")) != NULL);
	/* Washington's Birthday and Memorial Day on fixed dates before 1971. */
	CHECK_STR(tn_holiday_name(day_of("1970-02-23")), "Washington's Birthday");
	CHECK_STR(tn_holiday_name(day_of("1970-05-29")), "Memorial Day");
	CHECK_STR(tn_holiday_name(day_of("1971-02-15")), "Washington's Birthday");
	CHECK_STR(tn_holiday_name(day_of("1971-05-31")), "Memorial Day");
}

TEST(special_closures_since_1990_close_the_market)
{
	static const char *const closed[] = {
		"1994-04-27", "2001-09-11", "2001-09-12", "2001-09-13",
		"2001-09-14", "2004-06-11", "2007-01-02", "2012-10-29",
		"2012-10-30", "2018-12-05", "2025-01-09",
	};
	size_t i;

	for (i = 0; i < sizeof closed / sizeof closed[0]; i++) {
		tn_day d = day_of(closed[i]);
		int wd = tn_date_weekday(d);

		if (!tn_holiday_name(d))
			FAILF("%s has no closure name", closed[i]);
		CHECK_INT(tn_is_trading_day(d), 0);
		CHECK(wd != TN_SATURDAY && wd != TN_SUNDAY);
	}
	CHECK_STR(tn_holiday_name(day_of("2025-01-09")),
		  "National Day of Mourning for President Jimmy Carter");
	CHECK_INT(tn_is_trading_day(day_of("2001-09-10")), 1);
	CHECK_INT(tn_is_trading_day(day_of("2001-09-17")), 1);
	CHECK_INT(tn_is_trading_day(day_of("2025-01-08")), 1);
	CHECK_INT(tn_is_trading_day(day_of("2025-01-10")), 1);
}

/* Checks that `year` has exactly the early closes listed. */
static void check_year_early_closes(int year, const char *const *want,
				    size_t n)
{
	tn_day d, last = tn_date_from_civil(year, 12, 31);
	char buf[TN_DATE_LEN + 1];
	size_t i, found = 0;

	for (d = tn_date_from_civil(year, 1, 1); d <= last; d++) {
		int minutes = tn_close_minutes(d);

		if (minutes == 0 || minutes == TN_CLOSE_MINUTES)
			continue;
		for (i = 0; i < n && day_of(want[i]) != d; i++)
			;
		if (i == n)
			FAILF("unexpected early close %s at %d",
			      iso_of(d, buf), minutes);
		else
			found++;
		CHECK_INT(minutes, TN_EARLY_CLOSE_MINUTES);
		CHECK_INT(tn_is_trading_day(d), 1);
	}
	CHECK_INT(found, n);
}

TEST(early_closes_of_2024_and_2025_are_exactly_nyses_list)
{
	static const char *const in_2024[] = { "2024-07-03", "2024-11-29",
					       "2024-12-24" };
	static const char *const in_2025[] = { "2025-07-03", "2025-11-28",
					       "2025-12-24" };

	check_year_early_closes(2024, in_2024, 3);
	check_year_early_closes(2025, in_2025, 3);
}

TEST(independence_day_early_close_follows_the_weekday_of_july_4)
{
	/* July 4 on a Tuesday, Wednesday, Thursday, Friday: July 3 closes
	 * early. */
	CHECK_INT(tn_close_minutes(day_of("2023-07-03")), TN_EARLY_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("2018-07-03")), TN_EARLY_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("2019-07-03")), TN_EARLY_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("2025-07-03")), TN_EARLY_CLOSE_MINUTES);
	/* Saturday: Friday July 3 is the holiday, Thursday trades in full. */
	CHECK_INT(tn_close_minutes(day_of("2020-07-03")), 0);
	CHECK_INT(tn_close_minutes(day_of("2020-07-02")), TN_CLOSE_MINUTES);
	/* Sunday and Monday: no early close. */
	CHECK_INT(tn_close_minutes(day_of("2021-07-02")), TN_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("2022-07-01")), TN_CLOSE_MINUTES);
	/* Before 2013 a Thursday July 4 closed Friday July 5 early instead. */
	CHECK_INT(tn_close_minutes(day_of("2002-07-03")), TN_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("2002-07-05")), TN_EARLY_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("2013-07-03")), TN_EARLY_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("2013-07-05")), TN_CLOSE_MINUTES);
	/* No July early closes before 1995. */
	CHECK_INT(tn_close_minutes(day_of("1990-07-03")), TN_CLOSE_MINUTES);
}

TEST(thanksgiving_and_christmas_eve_early_closes_have_their_history)
{
	CHECK_INT(tn_close_minutes(day_of("1991-11-29")), TN_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("1992-11-27")), 14 * 60);
	CHECK_INT(tn_close_minutes(day_of("1993-11-26")), TN_EARLY_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("1990-12-24")), 14 * 60);
	CHECK_INT(tn_close_minutes(day_of("1996-12-24")), TN_EARLY_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("2020-12-24")), TN_EARLY_CLOSE_MINUTES);
	/* A Friday December 24 is the observed Christmas, closed all day. */
	CHECK_INT(tn_close_minutes(day_of("2004-12-24")), 0);
	CHECK_INT(tn_close_minutes(day_of("2003-12-26")), TN_EARLY_CLOSE_MINUTES);
	CHECK_INT(tn_close_minutes(day_of("2024-12-26")), TN_CLOSE_MINUTES);
}

TEST(close_minutes_is_zero_on_weekends_and_holidays_and_full_otherwise)
{
	CHECK_INT(tn_close_minutes(day_of("2024-06-01")), 0);
	CHECK_INT(tn_close_minutes(day_of("2024-06-02")), 0);
	CHECK_INT(tn_close_minutes(day_of("2024-12-25")), 0);
	CHECK_INT(tn_close_minutes(day_of("2024-06-03")), TN_CLOSE_MINUTES);
	CHECK(tn_holiday_name(day_of("2024-06-03")) == NULL);
	CHECK(tn_holiday_name(day_of("2024-06-01")) == NULL);
}

TEST(trading_days_per_year_match_nyse_counts)
{
	static const struct {
		int year, days;
	} counts[] = {
		{ 2012, 250 }, { 2021, 252 }, { 2022, 251 },
		{ 2023, 250 }, { 2024, 252 }, { 2025, 250 },
	};
	size_t i;

	for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		tn_day start = tn_date_from_civil(counts[i].year, 1, 0);
		tn_day end = tn_date_from_civil(counts[i].year, 12, 31);

		if (tn_trading_days_between(start, end) != counts[i].days)
			FAILF("%d has %d trading days, want %d", counts[i].year,
			      tn_trading_days_between(start, end),
			      counts[i].days);
	}
}

/* The number of trading days in (a, b], one day at a time. */
static int count_slowly(tn_day a, tn_day b)
{
	int n = 0;

	if (b < a)
		return -count_slowly(b, a);
	for (tn_day d = a + 1; d <= b; d++)
		n += tn_is_trading_day(d);
	return n;
}

TEST(trading_days_between_agrees_with_counting_day_by_day)
{
	tn_day base = tn_date_from_civil(1988, 1, 1);
	tn_day span = tn_date_from_civil(2040, 1, 1) - base;
	struct tn_rng rng;
	int i;

	tn_rng_seed(&rng, 20240531);
	for (i = 0; i < 300; i++) {
		tn_day a = base + (tn_day)tn_rng_below(&rng, (uint64_t)span);
		tn_day b = a + (tn_day)tn_rng_below(&rng, i < 200 ? 30 : 4000);
		int fast = tn_trading_days_between(a, b);
		int slow = count_slowly(a, b);

		if (fast != slow) {
			char x[TN_DATE_LEN + 1], y[TN_DATE_LEN + 1];

			FAILF("(%s, %s]: %d, counted %d", iso_of(a, x),
			      iso_of(b, y), fast, slow);
			return;
		}
		CHECK_INT(tn_trading_days_between(b, a), -slow);
	}
	CHECK_INT(tn_trading_days_between(day_of("2024-03-28"),
					  day_of("2024-04-01")), 1);
	CHECK_INT(tn_trading_days_between(day_of("2024-04-01"),
					  day_of("2024-03-28")), -1);
	CHECK_INT(tn_trading_days_between(day_of("2024-03-29"),
					  day_of("2024-03-29")), 0);
	/* Weekend to weekend, across years before 1970. */
	CHECK_INT(tn_trading_days_between(day_of("1969-12-27"),
					  day_of("1970-01-03")), 4);
}

TEST(next_and_prev_trading_day_cross_long_weekends)
{
	char buf[TN_DATE_LEN + 1];

	CHECK_STR(iso_of(tn_next_trading_day(day_of("2024-03-28")), buf),
		  "2024-04-01");
	CHECK_STR(iso_of(tn_prev_trading_day(day_of("2024-04-01")), buf),
		  "2024-03-28");
	CHECK_STR(iso_of(tn_next_trading_day(day_of("2001-09-10")), buf),
		  "2001-09-17");
	CHECK_STR(iso_of(tn_prev_trading_day(day_of("2001-09-17")), buf),
		  "2001-09-10");
	CHECK_STR(iso_of(tn_next_trading_day(day_of("2024-12-24")), buf),
		  "2024-12-26");
	CHECK_STR(iso_of(tn_next_trading_day(day_of("2024-05-31")), buf),
		  "2024-06-03");
	CHECK_STR(iso_of(tn_prev_trading_day(day_of("2025-01-10")), buf),
		  "2025-01-08");
	/* From a closed day, too. */
	CHECK_STR(iso_of(tn_next_trading_day(day_of("2024-06-01")), buf),
		  "2024-06-03");
	CHECK_STR(iso_of(tn_prev_trading_day(day_of("2024-03-29")), buf),
		  "2024-03-28");
}

TEST(add_trading_days_steps_over_closures)
{
	char buf[TN_DATE_LEN + 1];

	CHECK_STR(iso_of(tn_add_trading_days(day_of("2024-03-27"), 2), buf),
		  "2024-04-01");
	CHECK_STR(iso_of(tn_add_trading_days(day_of("2024-04-01"), -2), buf),
		  "2024-03-27");
	CHECK_STR(iso_of(tn_add_trading_days(day_of("2023-12-29"), 252), buf),
		  "2024-12-31");
	CHECK_STR(iso_of(tn_add_trading_days(day_of("2024-06-01"), 0), buf),
		  "2024-06-01");
}

TEST(add_trading_days_inverts_trading_days_between)
{
	tn_day d, last = day_of("2025-12-31");
	int n;

	for (d = day_of("2024-01-01"); d <= last; d++) {
		if (!tn_is_trading_day(d))
			continue;
		for (n = -25; n <= 25; n++) {
			tn_day e = tn_add_trading_days(d, n);

			if (tn_trading_days_between(d, e) != n ||
			    !tn_is_trading_day(e)) {
				char buf[TN_DATE_LEN + 1];

				FAILF("%s + %d trading days", iso_of(d, buf), n);
				return;
			}
		}
	}
}

int main(void)
{
	RUN(every_day_1900_to_2199_round_trips_and_matches_gmtime);
	RUN(known_days_have_known_numbers);
	RUN(from_civil_counts_on_past_the_ends_of_months);
	RUN(to_civil_accepts_null_pointers);
	RUN(parse_rejects_anything_but_strict_iso_dates);
	RUN(parse_accepts_leap_days_and_range_ends);
	RUN(date_valid_knows_month_lengths);
	RUN(format_writes_a_sentinel_outside_four_digit_years);
	RUN(unix_time_maps_to_the_exchange_local_date);
	RUN(unix_time_before_1970_floors_to_the_earlier_day);
	RUN(unix_time_saturates_instead_of_overflowing);
	RUN(today_uses_the_override_or_else_the_clock);
	RUN(easter_matches_published_dates);
	RUN(good_friday_closes_the_market);
	RUN(holidays_of_2024_are_exactly_nyses_list);
	RUN(holidays_of_2025_include_the_carter_day_of_mourning);
	RUN(holidays_of_2022_observe_sunday_juneteenth_and_christmas_on_monday);
	RUN(holidays_of_2021_have_no_juneteenth_and_keep_december_31_open);
	RUN(weekend_holidays_close_the_adjacent_weekday);
	RUN(new_year_on_saturday_closes_nothing);
	RUN(holiday_history_starts_each_rule_in_its_year);
	RUN(special_closures_since_1990_close_the_market);
	RUN(early_closes_of_2024_and_2025_are_exactly_nyses_list);
	RUN(independence_day_early_close_follows_the_weekday_of_july_4);
	RUN(thanksgiving_and_christmas_eve_early_closes_have_their_history);
	RUN(close_minutes_is_zero_on_weekends_and_holidays_and_full_otherwise);
	RUN(trading_days_per_year_match_nyse_counts);
	RUN(trading_days_between_agrees_with_counting_day_by_day);
	RUN(next_and_prev_trading_day_cross_long_weekends);
	RUN(add_trading_days_steps_over_closures);
	RUN(add_trading_days_inverts_trading_days_between);
	return tn_t_done();
}
