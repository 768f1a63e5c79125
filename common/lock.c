/* lock.c - see lock.h. */
#include "lock.h"

#include "atomic.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* How often a bounded wait retries: often enough that a released lock is
 * picked up quickly, rarely enough to cost nothing. */
#define RETRY_MS 50

/* Lock directories and files are shared by every user of the store; the
 * umask narrows these. */
#define LOCKDIR_MODE 0777
#define LOCKFILE_MODE 0666

int tn_lock_key_valid(const char *key)
{
	size_t i;

	if (!key || !*key || key[0] == '.')
		return 0;
	for (i = 0; key[i]; i++) {
		unsigned char c = (unsigned char)key[i];

		if (i >= TN_LOCK_KEY_MAX || c <= ' ' || c >= 0x7f || c == '/')
			return 0;
	}
	return 1;
}

static void sleep_seconds(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	/* an early wake-up (signal) only means one more try sooner */
	nanosleep(&ts, NULL);
}

/* flock with a bound: tries without blocking until the deadline. */
static int flock_until(int fd, double deadline)
{
	double left;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		left = deadline - tn_monotonic_seconds();
		if (left <= 0) {
			errno = EWOULDBLOCK;
			return -1;
		}
		sleep_seconds(left < RETRY_MS / 1e3 ? left : RETRY_MS / 1e3);
	}
}

int tn_lock_acquire(struct tn_lock *l, const char *lockdir, const char *key,
		    int wait_seconds)
{
	int n, rc;

	l->fd = -1;
	l->path[0] = '\0';
	if (!lockdir || !*lockdir || !tn_lock_key_valid(key)) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(l->path, sizeof l->path, "%s/%s.lock", lockdir, key);
	if (n < 0 || (size_t)n >= sizeof l->path) {
		l->path[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	if (tn_mkdirs(lockdir, LOCKDIR_MODE) < 0)
		return -1;
	l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		     LOCKFILE_MODE);
	if (l->fd < 0)
		return -1;
	if (wait_seconds == 0)
		rc = flock(l->fd, LOCK_EX | LOCK_NB);
	else if (wait_seconds > 0)
		rc = flock_until(l->fd, tn_monotonic_seconds() + wait_seconds);
	else
		rc = flock(l->fd, LOCK_EX);
	if (rc == 0)
		return TN_LOCK_OK;
	rc = errno == EWOULDBLOCK ? TN_LOCK_BUSY : -1;
	tn_lock_release(l);
	return rc;
}

void tn_lock_release(struct tn_lock *l)
{
	int saved = errno;

	/* closing drops the flock; a failed close of a lock file loses no
	 * data, so there is nothing to report */
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	errno = saved;
}
