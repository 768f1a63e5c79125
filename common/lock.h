/* lock.h - per-key writer locks on flock(2).
 *
 * Writers of the same thing (one symbol's model, one symbol's price cache)
 * serialise on LOCKDIR/<key>.lock; readers never lock, because atomic
 * renames already keep what they see whole.  The kernel drops a flock when
 * its holder exits or crashes, so a stale lock cannot outlive a process.
 * The lock files themselves stay; they are empty and cost nothing. */
#ifndef TN_LOCK_H
#define TN_LOCK_H

#include <limits.h>

/* Longest key; with ".lock" it stays well inside NAME_MAX. */
#define TN_LOCK_KEY_MAX 128

/* Results of tn_lock_acquire besides -1 (error, errno set). */
enum { TN_LOCK_OK = 0, TN_LOCK_BUSY = 1 };

struct tn_lock {
	int fd;               /* the locked file, -1 when not held */
	char path[PATH_MAX];  /* LOCKDIR/<key>.lock, for messages */
};

/* 1 if key can name a lock file: 1..TN_LOCK_KEY_MAX printable ASCII
 * characters, no '/' and no leading '.', so it is one plain file name and
 * can never be ".", ".." or a temporary or hidden file. */
int tn_lock_key_valid(const char *key);

/* Takes the exclusive lock on LOCKDIR/<key>.lock, creating the directory
 * and the file if needed.  wait_seconds == 0: do not wait; > 0: keep trying
 * until that many seconds have passed; < 0: wait as long as it takes.
 * Returns TN_LOCK_OK; TN_LOCK_BUSY when another process still holds it
 * (tools exit 75 then); -1 with errno set on error (EINVAL for a bad key,
 * EINTR when a signal interrupted an endless wait).  l->path names the
 * lock file in every case where the key was valid. */
int tn_lock_acquire(struct tn_lock *l, const char *lockdir, const char *key,
		    int wait_seconds);

/* Drops the lock (closing the file releases it).  Safe after any result
 * of tn_lock_acquire, and twice. */
void tn_lock_release(struct tn_lock *l);

#endif
