/* fetch_validate.c - see fetch_validate.h. */
#include "fetch_validate.h"

#include "cli.h"
#include "csvio.h"
#include "dates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ordered_bar {
	struct tn_bar bar;
	size_t pos; /* where the source had it, so equal dates keep order */
};

static int by_date_then_pos(const void *pa, const void *pb)
{
	const struct ordered_bar *a = pa, *b = pb;

	if (a->bar.date != b->bar.date)
		return a->bar.date < b->bar.date ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* A stable sort by date: of two rows for one date the first stays first,
 * and that is the one the duplicate check keeps. */
static void sort_by_date(struct tn_fetch_series *s)
{
	struct ordered_bar *tmp = xcalloc(s->n, sizeof *tmp);
	size_t i;

	for (i = 0; i < s->n; i++) {
		tmp[i].bar = s->bars[i];
		tmp[i].pos = i;
	}
	qsort(tmp, s->n, sizeof *tmp, by_date_then_pos);
	for (i = 0; i < s->n; i++)
		s->bars[i] = tmp[i].bar;
	free(tmp);
}

static const char *fmt_num(char buf[TN_CSV_DOUBLE_MAX], double v)
{
	if (isfinite(v))
		tn_csv_format_double(buf, v);
	else
		snprintf(buf, TN_CSV_DOUBLE_MAX, "%s", isnan(v) ? "null" : "inf");
	return buf;
}

/* Why a bar cannot be kept even with repair, or NULL. */
static const char *unusable(const struct tn_bar *b, int has_adj, char *why,
			    size_t size)
{
	static const char *const names[] = { "open", "high", "low", "close",
					     "adj_close" };
	const double v[] = { b->open, b->high, b->low, b->close, b->adj_close };
	char n1[TN_CSV_DOUBLE_MAX], n2[TN_CSV_DOUBLE_MAX];
	int i;

	for (i = 0; i < 5; i++) {
		if (isnan(v[i])) {
			if (i == 4 && !has_adj)
				continue;
			snprintf(why, size, "missing %s", names[i]);
			return why;
		}
		if (!isfinite(v[i]) || v[i] <= 0) {
			snprintf(why, size, "non-positive or non-finite %s %s",
				 names[i], fmt_num(n1, v[i]));
			return why;
		}
	}
	if (!isnan(b->volume) && !(b->volume >= 0 && isfinite(b->volume))) {
		snprintf(why, size, "bad volume %s", fmt_num(n1, b->volume));
		return why;
	}
	if (b->high < b->low) {
		snprintf(why, size, "high %s < low %s", fmt_num(n1, b->high),
			 fmt_num(n2, b->low));
		return why;
	}
	return NULL;
}

/* Checks open or close against [low, high]: 0 fine, 1 repaired, -1 bad. */
static int check_range(double *v, const struct tn_bar *b, int repair,
		       const char *name, const char *symbol,
		       struct tn_fetch_report *r)
{
	char n1[TN_CSV_DOUBLE_MAX], n2[TN_CSV_DOUBLE_MAX], n3[TN_CSV_DOUBLE_MAX];
	double to;

	if (*v >= b->low && *v <= b->high)
		return 0;
	to = *v < b->low ? b->low : b->high;
	if (!repair) {
		tn_fetch_decision(r, symbol, b->date, TN_ACT_REJECT,
				  "%s %s outside [low %s, high %s] (--repair clamps it)",
				  name, fmt_num(n1, *v), fmt_num(n2, b->low),
				  fmt_num(n3, b->high));
		return -1;
	}
	tn_fetch_decision(r, symbol, b->date, TN_ACT_REPAIR,
			  "%s %s clamped to %s", name, fmt_num(n1, *v),
			  fmt_num(n2, to));
	*v = to;
	return 1;
}

int tn_missing_trading_days(tn_day a, tn_day b, tn_day *first, tn_day *last)
{
	int n = tn_trading_days_between(a, b) - tn_is_trading_day(b);

	if (n <= 0)
		return 0;
	*first = tn_next_trading_day(a);
	*last = tn_prev_trading_day(b);
	return n;
}

static void note_missing(const struct tn_fetch_series *s, const char *symbol,
			 struct tn_fetch_report *r)
{
	char d1[TN_DATE_LEN + 1], d2[TN_DATE_LEN + 1];
	tn_day first, last;
	size_t i;
	int n;

	for (i = 1; i < s->n; i++) {
		n = tn_missing_trading_days(s->bars[i - 1].date, s->bars[i].date,
					    &first, &last);
		if (n == 0)
			continue;
		tn_date_format(first, d1);
		tn_date_format(last, d2);
		if (n == 1)
			tn_fetch_decision(r, symbol, first, TN_ACT_NOTE,
					  "NYSE trading day missing");
		else
			tn_fetch_decision(r, symbol, first, TN_ACT_NOTE,
					  "%d NYSE trading days missing, %s to %s",
					  n, d1, d2);
	}
}

size_t tn_fetch_validate(struct tn_fetch_series *s, const char *symbol,
			 int repair, struct tn_fetch_report *r)
{
	char why[160];
	size_t i, kept = 0, rejected = 0, rounded = 0;

	for (i = 1; i < s->n; i++) {
		if (s->bars[i].date < s->bars[i - 1].date) {
			sort_by_date(s);
			tn_fetch_decision(r, symbol, TN_FETCH_NODATE, TN_ACT_SORT,
					  "rows were not in date order: sorted");
			break;
		}
	}
	for (i = 0; i < s->n; i++) {
		struct tn_bar b = s->bars[i];

		if (isnan(b.open) && isnan(b.high) && isnan(b.low) &&
		    isnan(b.close)) {
			tn_fetch_decision(r, symbol, b.date, TN_ACT_DROP,
					  "all prices null");
			continue;
		}
		if (kept > 0 && s->bars[kept - 1].date == b.date) {
			tn_fetch_decision(r, symbol, b.date, TN_ACT_DROP,
					  "duplicate date: the first row kept");
			continue;
		}
		if (isnan(b.adj_close) && !s->has_adj)
			b.adj_close = b.close;
		if (unusable(&b, s->has_adj, why, sizeof why)) {
			tn_fetch_decision(r, symbol, b.date, TN_ACT_REJECT, "%s", why);
			rejected++;
			continue;
		}
		if (check_range(&b.open, &b, repair, "open", symbol, r) < 0 ||
		    check_range(&b.close, &b, repair, "close", symbol, r) < 0) {
			rejected++;
			continue;
		}
		if (!isnan(b.volume) && b.volume != floor(b.volume)) {
			b.volume = floor(b.volume + 0.5);
			rounded++;
		}
		s->bars[kept++] = b;
	}
	s->n = kept;
	if (rounded)
		tn_fetch_decision(r, symbol, TN_FETCH_NODATE, TN_ACT_NOTE,
				  "%zu fractional volumes rounded to whole units",
				  rounded);
	note_missing(s, symbol, r);
	return rejected;
}
