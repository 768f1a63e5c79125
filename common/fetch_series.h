/* fetch_series.h - the bars one source gave for one symbol, before
 * validation, and the report of every decision fetch-prices takes about
 * them.
 *
 * A raw bar is a struct tn_bar whose numbers may be NAN (the source said
 * null or nothing); fetch_validate.h turns raw bars into bars that keep the
 * prices contract.  Decisions ("dropped a duplicate", "clamped open") go
 * to stderr as "SYMBOL: DATE: ACTION: REASON" and, with --report, to a
 * file as one JSON object a line:
 *     {"symbol":"PTR","date":"2016-06-29","action":"drop","reason":"..."} */
#ifndef TN_FETCH_SERIES_H
#define TN_FETCH_SERIES_H

#include "prices.h"
#include "symbol.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tn_fetch_series {
	struct tn_bar *bars; /* (n) raw bars, any order */
	size_t n, cap;
	int has_adj;         /* the source gave an adjusted close column */
	int splits;          /* split events the source listed in its range */
};

/* Appends one bar (copied). */
void tn_series_push(struct tn_fetch_series *s, const struct tn_bar *bar);
void tn_series_free(struct tn_fetch_series *s);

/* Where decisions go.  json may be NULL (no --report); quiet keeps them
 * off stderr (the JSON lines are still written). */
struct tn_fetch_report {
	FILE *json;
	int failed; /* a JSON write failed: the tool ends with 74 */
	long count; /* decisions reported */
};

/* The actions of a decision. */
#define TN_ACT_SORT "sort"     /* rows reordered by date */
#define TN_ACT_DROP "drop"     /* a row removed that carried nothing new */
#define TN_ACT_REJECT "reject" /* a row removed because it is wrong */
#define TN_ACT_REPAIR "repair" /* a value changed (--repair) */
#define TN_ACT_NOTE "note"     /* nothing changed: worth knowing */
#define TN_ACT_REFETCH "refetch" /* the cache disagreed: whole history */

/* Reports one decision about symbol on date, or about the whole series
 * with TN_FETCH_NODATE. */
#define TN_FETCH_NODATE INT32_MIN
void tn_fetch_decision(struct tn_fetch_report *r, const char *symbol,
		       tn_day date, const char *action, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
