/* fetch_cache.h - the price cache, prices/SYMBOL.csv in the store: read
 * it, decide what to ask a source for, check the overlap, merge, and
 * replace the file atomically.
 *
 * A refresh asks only for what the cache lacks, starting a few bars
 * (TN_CACHE_OVERLAP) before its last one: those overlapping bars must
 * agree with the cache.  When they do not (a split rescaled the history,
 * a dividend revised the adjusted closes) the whole history is fetched
 * again and replaces the cache. */
#ifndef TN_FETCH_CACHE_H
#define TN_FETCH_CACHE_H

#include "fetch_series.h"

/* Cached bars fetched again to check that the source still agrees. */
#define TN_CACHE_OVERLAP 5
/* Relative difference beyond which two prices of a day disagree: the
 * cache holds exactly what was parsed, so only a real revision differs. */
#define TN_CACHE_TOLERANCE 1e-9

/* What a refresh of [start, end] needs. */
enum tn_cache_plan {
	TN_PLAN_HIT,         /* the cache has it all: no request */
	TN_PLAN_INCREMENTAL, /* the missing tail, with an overlap */
	TN_PLAN_FULL,        /* everything */
};

/* Reads path, which must hold only `symbol`, into s.  Returns 0, 66 when
 * the file does not exist, or 65/74 with err set. */
int tn_cache_read(const char *path, const char *symbol,
		  struct tn_fetch_series *s, char *err, size_t errsize);

/* Replaces path with s (valid bars, date order) through tn_atomic.
 * Returns 0, or 73/74 with err set; path keeps its old content then. */
int tn_cache_write(const char *path, const char *symbol,
		   const struct tn_fetch_series *s, char *err, size_t errsize);

/* Plans a refresh of [start, end] against cached bars (valid, in date
 * order): sets the range to request in *from and *to. */
enum tn_cache_plan tn_cache_plan(const struct tn_fetch_series *cache,
				 tn_day start, tn_day end, tn_day *from,
				 tn_day *to);

/* The first date on which fresh and cache both have a bar that differs
 * (close, adj_close, open, high or low), or TN_FETCH_NODATE. */
tn_day tn_cache_disagreement(const struct tn_fetch_series *cache,
			     const struct tn_fetch_series *fresh);

/* Replaces cache's bars within [first, last] of fresh by fresh's. */
void tn_cache_merge(struct tn_fetch_series *cache,
		    const struct tn_fetch_series *fresh);

/* Keeps only the bars dated from..to. */
void tn_series_clip(struct tn_fetch_series *s, tn_day from, tn_day to);

#endif
