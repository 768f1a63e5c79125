/* fetch_cache.c - see fetch_cache.h. */
#include "fetch_cache.h"

#include "atomic.h"
#include "cli.h"
#include "dates.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int tn_cache_read(const char *path, const char *symbol,
		  struct tn_fetch_series *s, char *err, size_t errsize)
{
	struct tn_prices_reader *pr;
	struct tn_price_row row;
	FILE *fp = fopen(path, "r");
	int rc, code = 0;

	if (!fp) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? TN_EX_NOINPUT : TN_EX_IOERR;
	}
	pr = tn_prices_open(fp, path, 0);
	if (tn_prices_status(pr)) {
		code = tn_prices_status(pr);
		snprintf(err, errsize, "%s", tn_prices_error(pr));
		goto out;
	}
	s->has_adj = 1;
	while ((rc = tn_prices_next(pr, &row)) > 0) {
		if (strcmp(row.symbol, symbol) != 0) {
			snprintf(err, errsize, "%s: holds symbol '%s', not '%s'",
				 path, row.symbol, symbol);
			code = TN_EX_DATAERR;
			goto out;
		}
		tn_series_push(s, &row.bar);
	}
	if (rc < 0) {
		code = tn_prices_status(pr) ? tn_prices_status(pr) : TN_EX_DATAERR;
		snprintf(err, errsize, "%s", tn_prices_error(pr));
	}
out:
	tn_prices_close(pr);
	fclose(fp);
	return code;
}

int tn_cache_write(const char *path, const char *symbol,
		   const struct tn_fetch_series *s, char *err, size_t errsize)
{
	struct tn_atomic a;
	struct tn_csv_writer *w;
	size_t i;
	int bad = 0;

	if (tn_atomic_open(&a, path, 0644) < 0) {
		snprintf(err, errsize, "%s: %s: %s", path, a.what, strerror(errno));
		return TN_EX_CANTCREAT;
	}
	w = tn_prices_writer(a.fp);
	if (!w)
		bad = 1;
	for (i = 0; !bad && i < s->n; i++)
		bad = tn_prices_write(w, symbol, &s->bars[i]) < 0;
	if (w && tn_csv_writer_close(w) < 0)
		bad = 1;
	if (bad) {
		snprintf(err, errsize, "%s: write: %s", path, strerror(errno));
		tn_atomic_abort(&a);
		return TN_EX_IOERR;
	}
	if (tn_atomic_commit(&a) < 0) {
		snprintf(err, errsize, "%s: %s: %s", path, a.what, strerror(errno));
		return TN_EX_IOERR;
	}
	return 0;
}

enum tn_cache_plan tn_cache_plan(const struct tn_fetch_series *cache,
				 tn_day start, tn_day end, tn_day *from,
				 tn_day *to)
{
	tn_day first, last;

	*from = start;
	*to = end;
	if (cache->n == 0)
		return TN_PLAN_FULL;
	first = cache->bars[0].date;
	last = cache->bars[cache->n - 1].date;
	if (start < first) {
		/* Older history: fetch it all again, so the whole cache is
		 * adjusted as of one day. */
		if (last > end)
			*to = last;
		return TN_PLAN_FULL;
	}
	if (tn_next_trading_day(last) > end)
		return TN_PLAN_HIT;
	*from = cache->bars[cache->n > TN_CACHE_OVERLAP ? cache->n - TN_CACHE_OVERLAP
							: 0].date;
	return TN_PLAN_INCREMENTAL;
}

static int differ(double a, double b)
{
	double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	if (isnan(a) || isnan(b))
		return isnan(a) != isnan(b);
	return fabs(a - b) > TN_CACHE_TOLERANCE * scale;
}

tn_day tn_cache_disagreement(const struct tn_fetch_series *cache,
			     const struct tn_fetch_series *fresh)
{
	size_t i = 0, j = 0;

	while (i < cache->n && j < fresh->n) {
		const struct tn_bar *a = &cache->bars[i], *b = &fresh->bars[j];

		if (a->date < b->date) {
			i++;
		} else if (a->date > b->date) {
			j++;
		} else {
			if (differ(a->close, b->close) ||
			    differ(a->adj_close, b->adj_close) ||
			    differ(a->open, b->open) || differ(a->high, b->high) ||
			    differ(a->low, b->low))
				return a->date;
			i++;
			j++;
		}
	}
	return TN_FETCH_NODATE;
}

void tn_cache_merge(struct tn_fetch_series *cache,
		    const struct tn_fetch_series *fresh)
{
	struct tn_fetch_series out = { 0 };
	tn_day first, last;
	size_t i;

	if (fresh->n == 0)
		return;
	first = fresh->bars[0].date;
	last = fresh->bars[fresh->n - 1].date;
	for (i = 0; i < cache->n && cache->bars[i].date < first; i++)
		tn_series_push(&out, &cache->bars[i]);
	for (i = 0; i < fresh->n; i++)
		tn_series_push(&out, &fresh->bars[i]);
	for (i = 0; i < cache->n; i++)
		if (cache->bars[i].date > last)
			tn_series_push(&out, &cache->bars[i]);
	out.has_adj = 1;
	tn_series_free(cache);
	*cache = out;
}

void tn_series_clip(struct tn_fetch_series *s, tn_day from, tn_day to)
{
	size_t i, kept = 0;

	for (i = 0; i < s->n; i++)
		if (s->bars[i].date >= from && s->bars[i].date <= to)
			s->bars[kept++] = s->bars[i];
	s->n = kept;
}
