/* lock-hold - takes a writer lock and holds it, for the bats tests of
 * lock contention.
 *
 *	lock-hold LOCKDIR KEY SECONDS [WAIT]
 *
 * Waits up to WAIT seconds for the lock (0, the default: not at all; -1:
 * forever), prints "locked PATH" once it holds it, holds it SECONDS, and
 * exits 0.  Exits 75 with "lock-hold: PATH: lock busy" when another
 * process holds it, 2 for a bad key or number, 73 when the lock file
 * cannot be created. */
#include "cli.h"
#include "lock.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

/* Bounds of the SECONDS and WAIT arguments: tests need seconds, not days. */
#define MAX_SECONDS 3600

int main(int argc, char **argv)
{
	struct tn_lock l;
	struct timespec left;
	long seconds, wait = 0;
	int rc;

	tn_init_progname(argv);
	if (argc < 4 || argc > 5)
		tn_usage_error("usage: lock-hold LOCKDIR KEY SECONDS [WAIT]");
	seconds = tn_optlong("SECONDS", argv[3], 0, MAX_SECONDS);
	if (argc == 5)
		wait = tn_optlong("WAIT", argv[4], -1, MAX_SECONDS);

	rc = tn_lock_acquire(&l, argv[1], argv[2], (int)wait);
	if (rc == TN_LOCK_BUSY)
		die(TN_EX_TEMPFAIL, "%s: lock busy", l.path);
	if (rc < 0 && errno == EINVAL)
		tn_usage_error("%s: invalid lock key", argv[2]);
	if (rc < 0)
		die(TN_EX_CANTCREAT, "%s:", *l.path ? l.path : argv[1]);
	printf("locked %s\n", l.path);
	if (fflush(stdout) != 0)
		die(TN_EX_IOERR, "stdout:");

	left.tv_sec = seconds;
	left.tv_nsec = 0;
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
	tn_lock_release(&l);
	return tn_finish(TN_EX_OK);
}
