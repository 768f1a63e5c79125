/* atomic.h - files that are either the old version or the new one, never
 * half of either.
 *
 * A new file is written to a temporary name in the target's directory,
 * flushed, fsynced, closed and renamed onto the target; then the directory
 * is fsynced so the rename itself survives a crash.  A reader that opens the
 * target sees the whole old file or the whole new one, and a crash at any
 * moment leaves the old one intact.
 *
 * Temporary names: for a target DIR/NAME the temporary file is
 *
 *	DIR/.NAME.tmp.XXXXXX		(XXXXXX: six characters from mkstemp)
 *
 * A process killed between open and commit leaves such a file behind;
 * cache-prune recognises the pattern with tn_atomic_is_temp_name and
 * removes stale ones.  Nothing else in the store may use this pattern.
 *
 *	struct tn_atomic a;
 *	if (tn_atomic_open(&a, path, 0644) < 0)
 *		die(TN_EX_CANTCREAT, "%s: %s:", path, a.what);
 *	fprintf(a.fp, ...);
 *	if (tn_atomic_commit(&a) < 0)
 *		die(TN_EX_IOERR, "%s: %s:", path, a.what);
 *
 * Writers that need a path rather than a stream (HDF5) use
 * tn_atomic_open_path, create a.tmp_path themselves (it exists, empty, so
 * open it with truncation), close it, and commit the same way. */
#ifndef TN_ATOMIC_H
#define TN_ATOMIC_H

#include <stdio.h>
#include <sys/types.h>

/* The infix that marks a temporary name, and the length of the random
 * suffix after it. */
#define TN_ATOMIC_TMP_INFIX ".tmp."
#define TN_ATOMIC_TMP_SUFFIX_LEN 6

struct tn_atomic {
	FILE *fp;         /* the temporary file; NULL for tn_atomic_open_path */
	char *path;       /* the target */
	char *tmp_path;   /* DIR/.NAME.tmp.XXXXXX */
	const char *what; /* after a failure: the step that failed, e.g. "fsync" */
	int fd;           /* the temporary file's descriptor */
	int write_errno;  /* errno of the first failed write(2), 0 if none */
};

/* Creates the temporary file for `path` with permissions `mode` (less the
 * umask) and opens a->fp on it.  Returns 0, or -1 with errno and a->what
 * set; nothing is left on disk then.  a->fp writes to a->fd with write(2)
 * and remembers why a write failed, so unchecked fprintf calls still end
 * in a commit error with the right errno.  It has no fileno(); `a` must
 * stay where it is until commit or abort. */
int tn_atomic_open(struct tn_atomic *a, const char *path, mode_t mode);

/* The same, but the temporary file is created empty and closed again:
 * a->fp is NULL and the caller writes a->tmp_path by name. */
int tn_atomic_open_path(struct tn_atomic *a, const char *path, mode_t mode);

/* Flushes, fsyncs and closes the temporary file, renames it onto the
 * target and fsyncs the directory.  Returns 0, or -1 with errno and
 * a->what set.  On any failure before the rename the temporary file is
 * removed and the target is untouched.  If only the final directory fsync
 * fails (what = "fsync directory"), the new file is already in place but
 * may not survive a crash.  Either way `a` is finished: no abort needed. */
int tn_atomic_commit(struct tn_atomic *a);

/* Closes and removes the temporary file, leaving the target untouched.
 * Safe after a failed open or commit, and on a zeroed struct. */
void tn_atomic_abort(struct tn_atomic *a);

/* Points the symlink `linkpath` at `target` atomically (a temporary link
 * with the same name pattern, renamed over linkpath, directory fsynced): a
 * reader resolving linkpath finds the old target or the new one.  Returns
 * 0, or -1 with errno and *what set. */
int tn_atomic_symlink(const char *target, const char *linkpath,
		      const char **what);

/* mkdir -p: creates path and its missing parents with `mode` (less the
 * umask).  An existing directory is fine; an existing non-directory is
 * ENOTDIR.  Returns 0 or -1 with errno set. */
int tn_mkdirs(const char *path, mode_t mode);

/* fsync(2) on a directory, to make renames and new entries in it durable.
 * Returns 0 or -1 with errno set. */
int tn_fsync_dir(const char *path);

/* 1 if the file name `name` (no directory) has the temporary-name pattern
 * above, 0 otherwise. */
int tn_atomic_is_temp_name(const char *name);

#endif
