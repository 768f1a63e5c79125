/* Unit tests: the fetch-prices parsers and validation - Yahoo chart JSON,
 * Stooq and Yahoo CSV, validation decisions, the cache plan and merge. */
#include "cli.h"
#include "fetch_cache.h"
#include "fetch_file.h"
#include "fetch_stooq.h"
#include "fetch_validate.h"
#include "fetch_yahoo.h"
#include "tn_test.h"

static tn_day day(const char *s)
{
	tn_day d = 0;

	tn_date_parse(s, &d);
	return d;
}

static struct tn_fetch_report quiet_report(void)
{
	struct tn_fetch_report r = { 0 };

	tn_verbosity = TN_QUIET;
	return r;
}

TEST(yahoo_url_encodes_index_symbols_and_covers_the_last_day)
{
	char url[512];

	CHECK_INT(tn_yahoo_url(url, sizeof url, "http://h", "^GSPC", day("2024-01-02"),
			       day("2024-01-03")), 0);
	CHECK_STR(url, "http://h/v8/finance/chart/%5EGSPC?period1=1704153600"
		       "&period2=1704326400&interval=1d&events=div%2Csplits"
		       "&includeAdjustedClose=true");
	CHECK_INT(tn_yahoo_url(url, 20, "http://h", "AAPL", 0, 1), -1);
}

TEST(yahoo_parse_maps_times_to_exchange_days_with_nulls)
{
	/* WSU.DE's real shape: bars at 07:00Z, gmtoffset +7200, a null bar. */
	const char *body =
		"{\"chart\":{\"result\":[{\"meta\":{\"gmtoffset\":7200,"
		"\"dataGranularity\":\"1d\"},\"timestamp\":[1691132400,1691391600],"
		"\"indicators\":{\"quote\":[{\"open\":[34.25,null],\"high\":[34.5,null],"
		"\"low\":[34.1,null],\"close\":[34.45,null],\"volume\":[1251,null]}],"
		"\"adjclose\":[{\"adjclose\":[34.4,null]}]}}],\"error\":null}}";
	struct tn_fetch_series s = { 0 };
	struct tn_fetch_report r = quiet_report();
	char err[256] = "";

	CHECK_INT(tn_yahoo_parse(body, strlen(body), "WSU.DE", &s, &r, err, sizeof err), 0);
	CHECK_INT(s.n, 2);
	CHECK_INT(s.bars[0].date, day("2023-08-04"));
	CHECK_INT(s.bars[1].date, day("2023-08-07"));
	CHECK_NEAR(s.bars[0].adj_close, 34.4, 0);
	CHECK(isnan(s.bars[1].close));
	CHECK_INT(tn_fetch_validate(&s, "WSU.DE", 0, &r), 0);
	CHECK_INT(s.n, 1);
	tn_series_free(&s);
}

TEST(yahoo_error_object_not_found_is_66_other_errors_65)
{
	const char *nf = "{\"chart\":{\"result\":null,\"error\":{\"code\":\"Not Found\","
			 "\"description\":\"No data found, symbol may be delisted\"}}}";
	const char *br = "{\"chart\":{\"result\":null,\"error\":{\"code\":\"Bad Request\","
			 "\"description\":\"Data doesn't exist\"}}}";
	struct tn_fetch_series s = { 0 };
	struct tn_fetch_report r = quiet_report();
	char err[256];

	CHECK_INT(tn_yahoo_parse(nf, strlen(nf), "SI", &s, &r, err, sizeof err), 66);
	CHECK_STR(err, "No data found, symbol may be delisted");
	CHECK_INT(tn_yahoo_parse(br, strlen(br), "BEKE", &s, &r, err, sizeof err), 65);
	CHECK_STR(err, "Data doesn't exist");
}

TEST(yahoo_rejects_html_truncation_and_other_granularity)
{
	const char *html = "\n<!DOCTYPE html><html></html>";
	const char *trunc = "{\"chart\":{\"result\":[{\"meta\":{";
	const char *minute = "{\"chart\":{\"result\":[{\"meta\":{\"dataGranularity\":\"1m\"},"
			     "\"indicators\":{\"quote\":[{}]}}],\"error\":null}}";
	struct tn_fetch_series s = { 0 };
	struct tn_fetch_report r = quiet_report();
	char err[256];

	CHECK_INT(tn_yahoo_parse(html, strlen(html), "A", &s, &r, err, sizeof err), 65);
	CHECK_STR(err, "not JSON: an HTML or XML page");
	CHECK_INT(tn_yahoo_parse(trunc, strlen(trunc), "A", &s, &r, err, sizeof err), 65);
	CHECK_STR(err, "invalid or truncated JSON");
	CHECK_INT(tn_yahoo_parse(minute, strlen(minute), "A", &s, &r, err, sizeof err), 65);
	CHECK_STR(err, "not daily bars: dataGranularity '1m'");
	CHECK_INT(s.n, 0);
}

TEST(yahoo_empty_result_is_no_bars_and_no_error)
{
	const char *empty = "{\"chart\":{\"result\":[{\"meta\":{\"dataGranularity\":\"1d\"},"
			    "\"indicators\":{\"quote\":[{}],\"adjclose\":[{}]}}],"
			    "\"error\":null}}";
	struct tn_fetch_series s = { 0 };
	struct tn_fetch_report r = quiet_report();
	char err[256];

	CHECK_INT(tn_yahoo_parse(empty, strlen(empty), "^VXAPL", &s, &r, err, sizeof err), 0);
	CHECK_INT(s.n, 0);
}

TEST(yahoo_mismatched_arrays_are_an_error)
{
	const char *body = "{\"chart\":{\"result\":[{\"meta\":{},\"timestamp\":[1,2],"
			   "\"indicators\":{\"quote\":[{\"open\":[1],\"high\":[1,2],"
			   "\"low\":[1,2],\"close\":[1,2],\"volume\":[1,2]}]}}]}}";
	struct tn_fetch_series s = { 0 };
	struct tn_fetch_report r = quiet_report();
	char err[256];

	CHECK_INT(tn_yahoo_parse(body, strlen(body), "A", &s, &r, err, sizeof err), 65);
	CHECK_STR(err, "quote 'open' does not match the timestamps");
}

TEST(stooq_symbols_and_url)
{
	char sym[64], url[512];

	tn_stooq_symbol(sym, sizeof sym, "AAPL");
	CHECK_STR(sym, "aapl.us");
	tn_stooq_symbol(sym, sizeof sym, "^GSPC");
	CHECK_STR(sym, "^spx");
	tn_stooq_symbol(sym, sizeof sym, "EURUSD=X");
	CHECK_STR(sym, "eurusd");
	tn_stooq_symbol(sym, sizeof sym, "WSU.DE");
	CHECK_STR(sym, "wsu.de");
	CHECK_INT(tn_stooq_url(url, sizeof url, "http://s", "^GSPC", day("2024-01-02"),
			       day("2024-02-29")), 0);
	CHECK_STR(url, "http://s/q/d/l/?s=%5Espx&i=d&d1=20240102&d2=20240229");
}

TEST(stooq_parse_crlf_no_data_and_limit)
{
	const char *csv = "Date,Open,High,Low,Close,Volume\r\n"
			  "2024-01-02,10,11,9,10.5,98594718.564571\r\n";
	struct tn_fetch_series s = { 0 };
	char err[256];

	CHECK_INT(tn_stooq_parse(csv, strlen(csv), "AAPL", &s, err, sizeof err), 0);
	CHECK_INT(s.n, 1);
	CHECK_INT(s.has_adj, 0);
	CHECK_NEAR(s.bars[0].volume, 98594718.564571, 1e-15);
	CHECK(isnan(s.bars[0].adj_close));
	CHECK_INT(tn_stooq_parse("No data", 7, "X", &s, err, sizeof err), 66);
	CHECK_INT(tn_stooq_parse("Exceeded the daily hits limit", 29, "X", &s, err,
				 sizeof err), 75);
	tn_series_free(&s);
}

TEST(csv_reads_yahoo_nulls_and_filters_our_prices_by_symbol)
{
	const char *yahoo = "Date,Open,High,Low,Close,Adj Close,Volume\n"
			    "2016-06-29,null,null,null,null,null,null\n";
	const char *ours = "symbol,date,open,high,low,close,adj_close,volume\n"
			   "AAPL,2024-01-02,1,2,0.5,1.5,1.4,10\n"
			   "MSFT,2024-01-02,3,4,2.5,3.5,3.4,20\n";
	struct tn_fetch_series s = { 0 };
	char err[256];

	CHECK_INT(tn_fetch_read_csv_mem(yahoo, strlen(yahoo), "y.csv", "PTR", &s, err,
					sizeof err), 0);
	CHECK_INT(s.n, 1);
	CHECK(isnan(s.bars[0].open) && isnan(s.bars[0].volume));
	tn_series_free(&s);
	CHECK_INT(tn_fetch_read_csv_mem(ours, strlen(ours), "p.csv", "MSFT", &s, err,
					sizeof err), 0);
	CHECK_INT(s.n, 1);
	CHECK_NEAR(s.bars[0].close, 3.5, 0);
	tn_series_free(&s);
	CHECK_INT(tn_fetch_read_csv_mem("Date,Open\n", 10, "x.csv", "A", &s, err,
					sizeof err), 65);
	CHECK_STR(err, "x.csv:1: missing column 'High'");
}

static struct tn_bar bar(const char *date, double o, double h, double l, double c)
{
	struct tn_bar b = { day(date), o, h, l, c, c, 100 };

	return b;
}

TEST(validate_sorts_dedups_rejects_and_repairs)
{
	struct tn_fetch_series s = { 0 };
	struct tn_fetch_report r = quiet_report();
	struct tn_bar b;

	s.has_adj = 1;
	b = bar("2024-01-03", 10, 11, 9, 10);
	tn_series_push(&s, &b);
	b = bar("2024-01-02", 10, 11, 9, 10);
	tn_series_push(&s, &b);
	b = bar("2024-01-02", 20, 21, 19, 20); /* duplicate: dropped */
	tn_series_push(&s, &b);
	b = bar("2024-01-04", 12, 11, 9, 10); /* open above high */
	tn_series_push(&s, &b);
	b = bar("2024-01-05", 10, 11, 9, 0); /* non-positive */
	tn_series_push(&s, &b);
	b = bar("2024-01-08", 10, 11, 9, 10);
	b.volume = -1;
	tn_series_push(&s, &b);
	CHECK_INT(tn_fetch_validate(&s, "X", 1, &r), 2);
	CHECK_INT(s.n, 3);
	CHECK_INT(s.bars[0].date, day("2024-01-02"));
	CHECK_NEAR(s.bars[0].open, 10, 0);
	CHECK_NEAR(s.bars[2].open, 11, 0); /* clamped */
	/* sort, drop, repair, 2 rejects */
	CHECK_INT(r.count, 5);
	tn_series_free(&s);
}

TEST(missing_trading_days_skip_weekends_and_holidays)
{
	tn_day first, last;

	/* Fri 2024-01-12 .. Tue 2024-01-16: Monday is MLK day. */
	CHECK_INT(tn_missing_trading_days(day("2024-01-12"), day("2024-01-16"),
					  &first, &last), 0);
	CHECK_INT(tn_missing_trading_days(day("2024-01-02"), day("2024-01-08"),
					  &first, &last), 3);
	CHECK_INT(first, day("2024-01-03"));
	CHECK_INT(last, day("2024-01-05"));
}

TEST(cache_plan_hit_incremental_and_full)
{
	struct tn_fetch_series c = { 0 };
	tn_day from, to;
	int i;

	CHECK_INT(tn_cache_plan(&c, day("2024-01-02"), day("2024-01-16"), &from, &to),
		  TN_PLAN_FULL);
	for (i = 0; i < 7; i++) {
		struct tn_bar b = bar("2024-01-02", 1, 1, 1, 1);

		b.date = tn_add_trading_days(day("2024-01-02"), i); /* ..01-10 */
		tn_series_push(&c, &b);
	}
	CHECK_INT(tn_cache_plan(&c, day("2024-01-02"), day("2024-01-10"), &from, &to),
		  TN_PLAN_HIT);
	/* the 13th and 14th are a weekend: nothing new can exist */
	CHECK_INT(tn_cache_plan(&c, day("2024-01-03"), day("2024-01-10"), &from, &to),
		  TN_PLAN_HIT);
	CHECK_INT(tn_cache_plan(&c, day("2024-01-02"), day("2024-01-16"), &from, &to),
		  TN_PLAN_INCREMENTAL);
	CHECK_INT(from, day("2024-01-04"));
	CHECK_INT(to, day("2024-01-16"));
	CHECK_INT(tn_cache_plan(&c, day("2023-12-01"), day("2024-01-05"), &from, &to),
		  TN_PLAN_FULL);
	CHECK_INT(to, day("2024-01-10"));
	tn_series_free(&c);
}

TEST(cache_disagreement_and_merge)
{
	struct tn_fetch_series c = { 0 }, f = { 0 };
	struct tn_bar b;

	b = bar("2024-01-02", 1, 2, 0.5, 1.5);
	tn_series_push(&c, &b);
	b = bar("2024-01-03", 1, 2, 0.5, 1.5);
	tn_series_push(&c, &b);
	tn_series_push(&f, &b);
	b = bar("2024-01-04", 1, 2, 0.5, 1.75);
	tn_series_push(&f, &b);
	CHECK_INT(tn_cache_disagreement(&c, &f), TN_FETCH_NODATE);
	tn_cache_merge(&c, &f);
	CHECK_INT(c.n, 3);
	CHECK_NEAR(c.bars[2].close, 1.75, 0);
	f.bars[0].adj_close = 1.49;
	CHECK_INT(tn_cache_disagreement(&c, &f), day("2024-01-03"));
	tn_series_free(&c);
	tn_series_free(&f);
}

int main(void)
{
	RUN(yahoo_url_encodes_index_symbols_and_covers_the_last_day);
	RUN(yahoo_parse_maps_times_to_exchange_days_with_nulls);
	RUN(yahoo_error_object_not_found_is_66_other_errors_65);
	RUN(yahoo_rejects_html_truncation_and_other_granularity);
	RUN(yahoo_empty_result_is_no_bars_and_no_error);
	RUN(yahoo_mismatched_arrays_are_an_error);
	RUN(stooq_symbols_and_url);
	RUN(stooq_parse_crlf_no_data_and_limit);
	RUN(csv_reads_yahoo_nulls_and_filters_our_prices_by_symbol);
	RUN(validate_sorts_dedups_rejects_and_repairs);
	RUN(missing_trading_days_skip_weekends_and_holidays);
	RUN(cache_plan_hit_incremental_and_full);
	RUN(cache_disagreement_and_merge);
	return tn_t_done();
}
