/* fetch_series.c - see fetch_series.h. */
#include "fetch_series.h"

#include "cli.h"
#include "json.h"

#include <stdarg.h>
#include <stdlib.h>

void tn_series_push(struct tn_fetch_series *s, const struct tn_bar *bar)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->bars = xreallocarray(s->bars, s->cap, sizeof *s->bars);
	}
	s->bars[s->n++] = *bar;
}

void tn_series_free(struct tn_fetch_series *s)
{
	free(s->bars);
	s->bars = NULL;
	s->n = s->cap = 0;
}

void tn_fetch_decision(struct tn_fetch_report *r, const char *symbol,
		       tn_day date, const char *action, const char *fmt, ...)
{
	char reason[512], day[TN_DATE_LEN + 1] = "";
	va_list ap;
	cJSON *obj;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (date != TN_FETCH_NODATE)
		tn_date_format(date, day);
	if (day[0])
		warn("%s: %s: %s: %s", symbol, day, action, reason);
	else
		warn("%s: %s: %s", symbol, action, reason);
	r->count++;
	if (!r->json)
		return;
	obj = tn_json_object();
	tn_json_add_string(obj, "symbol", symbol);
	tn_json_add_string(obj, "date", day[0] ? day : NULL);
	tn_json_add_string(obj, "action", action);
	tn_json_add_string(obj, "reason", reason);
	if (tn_json_write_line(r->json, obj) < 0)
		r->failed = 1;
	cJSON_Delete(obj);
}
