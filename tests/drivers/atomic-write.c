/* atomic-write - copies stdin to PATH through tn_atomic, for the bats
 * tests of whole-or-nothing replacement.
 *
 *	atomic-write [-p] PATH
 *
 * -p writes by name (tn_atomic_open_path and write(2) on tmp_path), the
 * way HDF5 writers do; otherwise through the a.fp stream.  Exits 0; 73 when
 * the temporary file cannot be created; 74 when reading, writing, syncing
 * or renaming fails, with one line "atomic-write: PATH: step: reason". */
#include "atomic.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define CHUNK 65536

static const char usage[] = "usage: atomic-write [-p] PATH < DATA";

/* Writes all of buf to fd, or fails with errno set. */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[CHUNK];
	struct tn_atomic a;
	const char *path;
	int by_name = 0, fd = -1, c;
	ssize_t n;

	tn_init_progname(argv);
	while ((c = getopt(argc, argv, "p")) != -1) {
		if (c != 'p')
			tn_usage_error("unknown option");
		by_name = 1;
	}
	if (argc - optind != 1)
		tn_usage_error("%s", usage);
	path = argv[optind];

	if ((by_name ? tn_atomic_open_path(&a, path, 0644) :
		       tn_atomic_open(&a, path, 0644)) < 0)
		die(TN_EX_CANTCREAT, "%s: %s:", path, a.what);
	if (by_name) {
		fd = open(a.tmp_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0) {
			tn_atomic_abort(&a);
			die(TN_EX_CANTCREAT, "%s: open:", path);
		}
	}
	while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tn_atomic_abort(&a);
			die(TN_EX_IOERR, "stdin: read error:");
		}
		if (by_name && write_all(fd, buf, (size_t)n) < 0) {
			int saved = errno;

			close(fd);
			tn_atomic_abort(&a);
			errno = saved;
			die(TN_EX_IOERR, "%s: write:", path);
		}
		/* a short fwrite means a failed write(2); commit reports it */
		if (!by_name && fwrite(buf, 1, (size_t)n, a.fp) != (size_t)n)
			break;
	}
	if (by_name && close(fd) < 0) {
		tn_atomic_abort(&a);
		die(TN_EX_IOERR, "%s: close:", path);
	}
	if (tn_atomic_commit(&a) < 0)
		die(TN_EX_IOERR, "%s: %s:", path, a.what);
	return tn_finish(TN_EX_OK);
}
