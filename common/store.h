/* store.h - where things live in the store, and its version stamps.
 *
 *	prices/<SYMBOL>.csv			cached daily bars
 *	models/<kind>/<SYMBOL>/<STAMP>.h5	one file per trained version
 *	models/<kind>/<SYMBOL>/current.h5	symlink to the version in service
 *	predictions/<kind>/<SYMBOL>.json	prediction cache
 *	runs/<kind>/<SYMBOL>.jsonl		run records, one JSON object a line
 *	locks/<key>.lock			writer locks (lock.h)
 *
 * <kind> is "gnn" or "lstm"; <STAMP> is the UTC creation time as
 * YYYYMMDDTHHMMSSZ, so versions sort by name.  Every builder checks the
 * symbol with tn_symbol_valid, the kind and the stamp before it writes a
 * path, so "../x" or "a/b" can never reach the filesystem.  Builders write
 * into out[size] and return 0, or -1 with errno EINVAL (bad symbol, kind,
 * stamp or root) or ENAMETOOLONG (out too small); out is then "". */
#ifndef TN_STORE_H
#define TN_STORE_H

#include <stddef.h>
#include <time.h>

/* The store when neither --store nor $TICKERNET_STORE names one. */
#define TN_STORE_ENV "TICKERNET_STORE"
#define TN_STORE_DEFAULT "store"

/* The name current.h5 links to a version by. */
#define TN_STORE_CURRENT "current.h5"

/* "YYYYMMDDTHHMMSSZ" */
#define TN_STAMP_LEN 16

enum tn_store_area {
	TN_STORE_PRICES,
	TN_STORE_MODELS,
	TN_STORE_PREDICTIONS,
	TN_STORE_RUNS,
	TN_STORE_LOCKS,
	TN_STORE_NAREAS
};

/* The store directory: `option` (the --store argument) when given, else
 * $TICKERNET_STORE when set and not empty, else "store".  NULL for an
 * empty --store, which the caller reports as a usage error. */
const char *tn_store_root(const char *option);

/* 1 for "gnn" and "lstm". */
int tn_store_kind_valid(const char *kind);

/* ROOT/prices, ROOT/models, ... */
int tn_store_area_path(char *out, size_t size, const char *root,
		       enum tn_store_area area);
/* ROOT/prices/<SYMBOL>.csv */
int tn_store_prices_path(char *out, size_t size, const char *root,
			 const char *symbol);
/* ROOT/models/<kind>/<SYMBOL> */
int tn_store_model_dir(char *out, size_t size, const char *root,
		       const char *kind, const char *symbol);
/* ROOT/models/<kind>/<SYMBOL>/<STAMP>.h5 */
int tn_store_model_path(char *out, size_t size, const char *root,
			const char *kind, const char *symbol, const char *stamp);
/* ROOT/models/<kind>/<SYMBOL>/current.h5 */
int tn_store_current_path(char *out, size_t size, const char *root,
			  const char *kind, const char *symbol);
/* ROOT/predictions/<kind>/<SYMBOL>.json */
int tn_store_prediction_path(char *out, size_t size, const char *root,
			     const char *kind, const char *symbol);
/* ROOT/runs/<kind>/<SYMBOL>.jsonl */
int tn_store_run_path(char *out, size_t size, const char *root,
		      const char *kind, const char *symbol);

/* The writer-lock key for one symbol's data: "<scope>-<SYMBOL>", where
 * scope is "prices" or a kind ("gnn-AAPL"). */
int tn_store_lock_key(char *out, size_t size, const char *scope,
		      const char *symbol);

/* Creates ROOT and its areas where missing.  Returns 0, or -1 with errno
 * set and *where naming the directory that could not be made. */
int tn_store_init(const char *root, char *where, size_t size);

/* The stamp of time t: out[TN_STAMP_LEN + 1] = "20240601T063000Z".
 * Returns 0, or -1 with errno EOVERFLOW for a year outside 0..9999. */
int tn_stamp_format(char out[TN_STAMP_LEN + 1], time_t t);

/* Parses a stamp back into a time_t.  Returns 0, or -1 with errno EINVAL
 * when s is not exactly a valid stamp (bad length, characters or date). */
int tn_stamp_parse(const char *s, time_t *t);

#endif
