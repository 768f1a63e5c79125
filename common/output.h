/* output.h - where a tool's -o FILE goes.
 *
 * tickernet-formats(5), ATOMIC WRITES: an -o file is replaced whole or not
 * at all (atomic.h), and keeps the permission bits (and, for root, the
 * owner) of the file it replaces.  An -o that names something other than a
 * regular file, such as /dev/null or a FIFO, cannot be replaced by rename:
 * it is opened and written directly, and a failed write is an error like
 * any other.  No -o, or "-", is standard output.
 *
 *	struct tn_output out;
 *	if (tn_output_open(&out, path, 0644) < 0)
 *		die(TN_EX_CANTCREAT, "%s: %s:", out.name, out.what);
 *	fprintf(out.fp, ...);
 *	if (tn_output_commit(&out) < 0)
 *		die(TN_EX_IOERR, "%s: %s:", out.name, out.what);
 *
 * tn_output_abort instead of commit leaves an atomic target untouched.
 * Like struct tn_atomic, `o` must stay where it is until commit or abort. */
#ifndef TN_OUTPUT_H
#define TN_OUTPUT_H

#include "atomic.h"

#include <stdio.h>
#include <sys/types.h>

struct tn_output {
	FILE *fp;             /* write here: stdout, the file, or a temporary */
	const char *name;     /* for messages: the path, or "stdout" */
	const char *what;     /* after a failure: the step that failed */
	const char *tmp_path; /* tn_output_open_path: the file to write */
	struct tn_atomic atomic;
	int kind;             /* private: stdout, direct or atomic */
};

/* Opens `path` for writing: NULL or "-" is stdout, a non-regular file is
 * opened directly, anything else atomically with permissions `mode` (less
 * the umask) for a new file, the replaced file's own for an existing one.
 * Returns 0, or -1 with errno and o->what set; nothing is left on disk. */
int tn_output_open(struct tn_output *o, const char *path, mode_t mode);

/* The same for a writer that needs a seekable file by name (HDF5): only a
 * regular or missing file will do; it writes o->tmp_path (which exists,
 * empty) and closes it before commit.  o->fp is NULL.  A non-regular path
 * fails with errno ESPIPE. */
int tn_output_open_path(struct tn_output *o, const char *path, mode_t mode);

/* Finishes the output: flushes and closes a direct file (checking for
 * write errors), commits an atomic one, flushes stdout.  Returns 0, or -1
 * with errno and o->what set; either way `o` is finished. */
int tn_output_commit(struct tn_output *o);

/* Drops the output: an atomic target is left untouched, a direct file is
 * closed.  Safe after a failed open or commit, and on a zeroed struct. */
void tn_output_abort(struct tn_output *o);

#endif
