/* modelstore.h - the training side of the store, shared by gnn-train and
 * lstm-train: new model versions written atomically under the symbol's
 * lock, the validation gate, promotion and rollback of current.h5, run
 * records, the metadata every model file carries and the one-line
 * training summary.
 *
 * One training run of one symbol, all under the lock:
 *
 *	struct tn_ms ms;
 *	rc = tn_ms_open(&ms, root, "gnn", "AAPL", wait, err, sizeof err);
 *	tn_ms_new_stamp(&ms, time(NULL), stamp, ...);
 *	tn_ms_write_version(&ms, stamp, write_fn, ctx, ...);   STAMP.h5
 *	tn_ms_gate(&ms, new_mse, force, &gate);
 *	if (gate.promote) tn_ms_promote(&ms, stamp, ...);      current.h5
 *	tn_ms_append_run(&ms, record, ...);                    runs/
 *	tn_ms_close(&ms);
 *
 * Locking: the writer lock is "<kind>-<SYMBOL>" (store.h), so two
 * trainers of the same symbol (xargs -P, two cron jobs) take turns on the
 * short store step while training itself runs in parallel; readers
 * (gnn-predict) never lock, since every change is one rename.
 *
 * Versions: <STAMP>.h5 with the UTC stamp of the write.  When a version
 * with that stamp (or a later one) exists already - two runs in the same
 * second - the stamp is the second after the newest, so versions stay
 * unique and sort by name in the order they were written.
 *
 * The gate: a new version becomes current when no current model exists,
 * when the current one cannot be read (it is then reported as replaced),
 * when its validation MSE is not larger than the current one's (the
 * current model's root attribute TN_MS_ATTR_VAL_MSE), or when forced.
 *
 * Run records: runs/<kind>/<SYMBOL>.jsonl, one JSON object a line.  A
 * record is appended by rewriting the file through atomic.h under the
 * symbol's lock (the old lines copied, the new one added, renamed into
 * place): a reader never sees a torn line and a crash leaves the old file,
 * which O_APPEND cannot promise for a line of a few kilobytes (per-epoch
 * losses) on a regular file.  The cost is a copy of one symbol's history
 * per run, a few hundred kilobytes after years of nightly runs.
 *
 * Functions that can fail return 0, or an exit status (cli.h: 66 nothing
 * to roll back to, 73 cannot create, 74 I/O error, 75 lock busy) with a
 * one-line message in err, in the tools' "where: what" form. */
#ifndef TN_MODELSTORE_H
#define TN_MODELSTORE_H

#include "evaluate.h"
#include "lock.h"
#include "store.h"
#include "symbol.h"

#include <cJSON.h>
#include <hdf5.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>

/* Seconds a trainer waits for the symbol's lock by default. */
#define TN_MS_LOCK_WAIT 60

/* Root attributes every model file has besides format and
 * format_version. */
#define TN_MS_ATTR_VAL_MSE "val_mse"      /* double: the gate's number */
#define TN_MS_ATTR_METRICS "metrics"      /* JSON: target's validation metrics */
#define TN_MS_ATTR_BASELINES "baselines"  /* JSON: {"zero":{..},"momentum":{..}} */
#define TN_MS_ATTR_CONFIG "config"        /* JSON: the training configuration */

/* Summary statuses. */
#define TN_MS_PROMOTED "promoted"
#define TN_MS_KEPT "kept"
#define TN_MS_FAILED "failed"

struct tn_ms {
	char root[PATH_MAX];
	char kind[8];
	char symbol[TN_SYMBOL_MAX + 1];
	char dir[PATH_MAX];       /* ROOT/models/<kind>/<SYMBOL> */
	char current[PATH_MAX];   /* dir/current.h5 */
	struct tn_lock lock;
};

/* Checks kind and symbol, takes the lock (waiting up to wait_seconds;
 * tn_lock_acquire's rules) and creates the model directory.  On failure
 * nothing is held. */
int tn_ms_open(struct tn_ms *ms, const char *root, const char *kind,
	       const char *symbol, int wait_seconds, char *err, size_t errsz);
/* Releases the lock; safe twice. */
void tn_ms_close(struct tn_ms *ms);

/* The versions in dir (the names <STAMP>.h5, temporary files and
 * current.h5 excluded), sorted oldest first, as a malloc'ed array of
 * *count stamps (NULL when none).  Needs no lock. */
int tn_ms_versions(const char *dir, char (**stamps)[TN_STAMP_LEN + 1],
		   size_t *count, char *err, size_t errsz);

/* The stamp current.h5 points at, "" when there is no current.h5.  A link
 * to anything but a version name in the same directory is an error
 * (74).  Needs no lock. */
int tn_ms_current(const char *dir, char stamp[TN_STAMP_LEN + 1], char *err,
		  size_t errsz);

/* The stamp for a version written at `now` (see above). */
int tn_ms_new_stamp(struct tn_ms *ms, time_t now, char stamp[TN_STAMP_LEN + 1],
		    char *err, size_t errsz);

/* Fills an open HDF5 file; returns 0, or -1 with err set. */
typedef int (*tn_ms_writer)(hid_t file, void *ctx, char *err, size_t errsz);

/* Writes dir/<stamp>.h5: a temporary file, the format attributes, then
 * fill(file, ctx), closed, fsynced and renamed into place.  On failure
 * nothing is left. */
int tn_ms_write_version(struct tn_ms *ms, const char *stamp,
			const char *format, long format_version,
			tn_ms_writer fill, void *ctx, char *err, size_t errsz);

struct tn_ms_gate {
	int promote;                    /* 1: make the new version current */
	char current[TN_STAMP_LEN + 1]; /* the version in service, "" if none */
	double current_mse;             /* its validation MSE, NAN if unknown */
	const char *reason;             /* why, for the summary and -v */
};

/* Decides whether a new version with validation MSE new_mse replaces the
 * current one.  Never fails: an unreadable current model is replaced. */
void tn_ms_gate(const struct tn_ms *ms, double new_mse, int force,
		struct tn_ms_gate *gate);

/* Points current.h5 at <stamp>.h5 atomically (a relative link). */
int tn_ms_promote(struct tn_ms *ms, const char *stamp, char *err,
		  size_t errsz);

/* Points current.h5 at the version before the one it points at now.
 * from and to get the two stamps.  66 when there is no current model or
 * no earlier version. */
int tn_ms_rollback(struct tn_ms *ms, char from[TN_STAMP_LEN + 1],
		   char to[TN_STAMP_LEN + 1], char *err, size_t errsz);

/* Appends record as one line to runs/<kind>/<SYMBOL>.jsonl (see above). */
int tn_ms_append_run(struct tn_ms *ms, const cJSON *record, char *err,
		     size_t errsz);

/* The metadata every version carries as root attributes (besides its
 * architecture, parameters and data, which are the model's own). */
struct tn_ms_meta {
	const char *tool;             /* "gnn-train" */
	const char *symbol;
	const char *stamp;            /* model_version */
	time_t created;               /* created_at, ISO 8601 UTC */
	const char *last_train_date;  /* YYYY-MM-DD, last day of data used */
	const cJSON *config;          /* config, as JSON text */
	const struct tn_eval *metrics;  /* the target's validation metrics */
	const struct tn_eval *zero;     /* zero-return baseline, same days */
	const struct tn_eval *momentum; /* momentum baseline, same days */
	uint64_t seed;
};

/* Writes symbol, model_version, created_at, last_train_date, tool,
 * tool_version, seed, config, metrics, baselines and val_mse. */
int tn_ms_write_meta(hid_t file, const struct tn_ms_meta *meta, char *err,
		     size_t errsz);

/* {"n":..,"mse":..,"mae":..,"dir_acc":..,"ic":..,"skill":..}; non-finite
 * values are null. */
cJSON *tn_ms_metrics_json(const struct tn_eval *m);
/* {"zero":{..},"momentum":{..}} */
cJSON *tn_ms_baselines_json(const struct tn_eval *zero,
			    const struct tn_eval *momentum);

/* The one-line summary a trainer prints per symbol (DESIGN.md, "Training
 * summaries"):
 *   {"symbol":"AAPL","status":"promoted","model_version":"2024...Z",
 *    "current_version":"2024...Z","mse":..,"mae":..,"dir_acc":..,"ic":..,
 *    "skill":..,"n":..,"baselines":{"zero":{..},"momentum":{..}},
 *    "epochs":20,"best_epoch":17,"seconds":0.41,"error":"..."}
 * status is "promoted", "kept" (the gate refused it; current_version is
 * the one still in service) or "failed" (with error).  NULL members and
 * NULL metrics are left out. */
struct tn_ms_summary {
	const char *symbol;
	const char *status;
	const char *version;          /* the version written, or NULL */
	const char *current_version;  /* in service afterwards, or NULL */
	const struct tn_eval *metrics, *zero, *momentum;
	long epochs;                  /* run; < 0 leaves it out */
	long best_epoch;              /* 1-based; 0 = the initial weights */
	double seconds;
	const char *gate;             /* the gate's reason, or NULL */
	const char *error;
};
cJSON *tn_ms_summary_json(const struct tn_ms_summary *s);

/* "2024-06-01T06:30:00Z" into out[21]. */
void tn_ms_iso_time(char out[21], time_t t);

#endif
