/* fetch_yahoo.c - see fetch_yahoo.h. */
#include "fetch_yahoo.h"

#include "cli.h"
#include "dates.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Seconds in a day, for period2: the end of the last requested day. */
#define SECONDS_PER_DAY 86400

/* Percent-encodes the characters of a symbol that are not URL-safe
 * ('^' of indices, '=' of currency pairs). */
static int put_symbol(char *out, size_t size, const char *symbol)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *symbol; symbol++) {
		unsigned char c = (unsigned char)*symbol;

		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		    c == '-') {
			if (n + 1 >= size)
				return -1;
			out[n++] = (char)c;
		} else {
			if (n + 3 >= size)
				return -1;
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return 0;
}

int tn_yahoo_url(char *out, size_t size, const char *base, const char *symbol,
		 tn_day from, tn_day to)
{
	char sym[3 * TN_SYMBOL_MAX + 1];
	int n;

	if (put_symbol(sym, sizeof sym, symbol) < 0)
		return -1;
	n = snprintf(out, size,
		     "%s/v8/finance/chart/%s?period1=%lld&period2=%lld"
		     "&interval=1d&events=div%%2Csplits&includeAdjustedClose=true",
		     base, sym, (long long)from * SECONDS_PER_DAY,
		     ((long long)to + 1) * SECONDS_PER_DAY);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int fail(char *err, size_t size, int code, const char *fmt,
		const char *arg)
{
	snprintf(err, size, fmt, arg);
	return code;
}

/* arr[i] as a number, NAN for null or an array too short. */
static double value_at(const cJSON *arr, int i)
{
	const cJSON *v = cJSON_GetArrayItem(arr, i);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double number_at(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void report_events(const cJSON *events, int32_t gmtoffset,
			  const char *symbol, struct tn_fetch_series *s,
			  struct tn_fetch_report *r)
{
	const cJSON *div = cJSON_GetObjectItemCaseSensitive(events, "dividends");
	const cJSON *spl = cJSON_GetObjectItemCaseSensitive(events, "splits");
	const cJSON *e;

	cJSON_ArrayForEach(e, div) {
		double t = number_at(e, "date"), amount = number_at(e, "amount");

		if (isfinite(t))
			tn_fetch_decision(r, symbol,
					  tn_date_from_unix((int64_t)t, gmtoffset),
					  TN_ACT_NOTE, "dividend %.10g", amount);
	}
	cJSON_ArrayForEach(e, spl) {
		double t = number_at(e, "date");
		double num = number_at(e, "numerator");
		double den = number_at(e, "denominator");

		if (!isfinite(t))
			continue;
		s->splits++;
		tn_fetch_decision(r, symbol, tn_date_from_unix((int64_t)t, gmtoffset),
				  TN_ACT_NOTE, "split %.10g:%.10g", num, den);
	}
}

/* The last bar is partial when it was taken while its session was still
 * open: meta.regularMarketTime inside the regular trading period, and on
 * the same day as the bar. */
static int last_bar_partial(const cJSON *meta, double last_ts, int32_t gmtoffset)
{
	const cJSON *period = cJSON_GetObjectItemCaseSensitive(meta,
							       "currentTradingPeriod");
	const cJSON *regular = cJSON_GetObjectItemCaseSensitive(period, "regular");
	double start = number_at(regular, "start"), end = number_at(regular, "end");
	double now = number_at(meta, "regularMarketTime");

	if (!isfinite(start) || !isfinite(end) || !isfinite(now))
		return 0;
	return now >= start && now < end && last_ts >= start &&
	       tn_date_from_unix((int64_t)last_ts, gmtoffset) ==
		       tn_date_from_unix((int64_t)now, gmtoffset);
}

static int parse_result(const cJSON *result, const char *symbol,
			struct tn_fetch_series *s, struct tn_fetch_report *r,
			char *err, size_t errsize)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(result, "meta");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(result, "timestamp");
	const cJSON *ind = cJSON_GetObjectItemCaseSensitive(result, "indicators");
	const cJSON *quote = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(ind, "quote"), 0);
	const cJSON *adj = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ind, "adjclose"), 0),
		"adjclose");
	const cJSON *gran = cJSON_GetObjectItemCaseSensitive(meta, "dataGranularity");
	const char *q[] = { "open", "high", "low", "close", "volume" };
	const cJSON *col[5];
	double off = number_at(meta, "gmtoffset");
	int32_t gmtoffset = isfinite(off) ? (int32_t)off : 0;
	int i, n, k;

	if (!cJSON_IsObject(meta))
		return fail(err, errsize, TN_EX_DATAERR,
			    "not a chart response: no %s", "meta");
	if (cJSON_IsString(gran) && strcmp(gran->valuestring, "1d") != 0)
		return fail(err, errsize, TN_EX_DATAERR,
			    "not daily bars: dataGranularity '%s'", gran->valuestring);
	report_events(cJSON_GetObjectItemCaseSensitive(result, "events"),
		      gmtoffset, symbol, s, r);
	if (!ts)
		return 0; /* an empty range: no bars, no error */
	if (!cJSON_IsArray(ts) || !cJSON_IsObject(quote))
		return fail(err, errsize, TN_EX_DATAERR,
			    "not a chart response: bad %s", "timestamp or quote");
	n = cJSON_GetArraySize(ts);
	for (k = 0; k < 5; k++) {
		col[k] = cJSON_GetObjectItemCaseSensitive(quote, q[k]);
		if (!cJSON_IsArray(col[k]) || cJSON_GetArraySize(col[k]) != n)
			return fail(err, errsize, TN_EX_DATAERR,
				    "quote '%s' does not match the timestamps", q[k]);
	}
	s->has_adj = cJSON_IsArray(adj);
	if (s->has_adj && cJSON_GetArraySize(adj) != n)
		return fail(err, errsize, TN_EX_DATAERR,
			    "%s does not match the timestamps", "adjclose");
	for (i = 0; i < n; i++) {
		double t = value_at(ts, i);
		struct tn_bar bar;

		if (!isfinite(t))
			return fail(err, errsize, TN_EX_DATAERR,
				    "bad %s", "timestamp");
		if (i == n - 1 && last_bar_partial(meta, t, gmtoffset)) {
			tn_fetch_decision(r, symbol,
					  tn_date_from_unix((int64_t)t, gmtoffset),
					  TN_ACT_DROP,
					  "partial bar: the session was still open");
			break;
		}
		bar.date = tn_date_from_unix((int64_t)t, gmtoffset);
		bar.open = value_at(col[0], i);
		bar.high = value_at(col[1], i);
		bar.low = value_at(col[2], i);
		bar.close = value_at(col[3], i);
		bar.volume = value_at(col[4], i);
		bar.adj_close = s->has_adj ? value_at(adj, i) : NAN;
		tn_series_push(s, &bar);
	}
	return 0;
}

int tn_yahoo_parse(const char *body, size_t len, const char *symbol,
		   struct tn_fetch_series *s, struct tn_fetch_report *r,
		   char *err, size_t errsize)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);
	const cJSON *chart, *error, *result;
	int code;

	if (!doc) {
		size_t i = 0;

		while (i < len && (body[i] == ' ' || body[i] == '\n' ||
				   body[i] == '\r' || body[i] == '\t'))
			i++;
		if (i < len && body[i] == '<')
			return fail(err, errsize, TN_EX_DATAERR,
				    "not JSON: %s", "an HTML or XML page");
		return fail(err, errsize, TN_EX_DATAERR, "%s",
			    len ? "invalid or truncated JSON" : "empty response");
	}
	chart = cJSON_GetObjectItemCaseSensitive(doc, "chart");
	error = cJSON_GetObjectItemCaseSensitive(chart, "error");
	result = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(chart, "result"), 0);
	if (error && !cJSON_IsNull(error)) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(error, "code");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(error, "description");
		const char *desc = cJSON_IsString(d) ? d->valuestring : "no description";

		code = cJSON_IsString(c) && strcmp(c->valuestring, "Not Found") == 0
			       ? TN_EX_NOINPUT
			       : TN_EX_DATAERR;
		snprintf(err, errsize, "%s", desc);
	} else if (!cJSON_IsObject(result)) {
		code = fail(err, errsize, TN_EX_DATAERR,
			    "not a chart response: no %s", "chart.result");
	} else {
		code = parse_result(result, symbol, s, r, err, errsize);
	}
	cJSON_Delete(doc);
	return code;
}
