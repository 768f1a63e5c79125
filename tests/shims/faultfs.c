/* faultfs.c - an LD_PRELOAD shim that makes file operations fail on
 * demand, to prove that failed writes leave nothing half-done.
 *
 *	TN_FAULT_PATH=S		faults hit only files whose path contains S
 *				(for write and fsync the path comes from
 *				/proc/self/fd); unset: every file
 *	TN_FAULT_WRITE_AFTER=N	write(2), pwrite(2) to matching regular files
 *				let N bytes through in all, then fail with
 *				ENOSPC, as a disk that fills up mid-write
 *	TN_FAULT_FSYNC=1	fsync/fdatasync on matching files and
 *				directories fail with EIO; "file" or "dir"
 *				limits it to one of the two
 *	TN_FAULT_RENAME=1	rename, renameat and renameat2 fail with EIO
 *				when either path matches
 *
 * Only calls that go through the dynamic linker can be caught: glibc's
 * stdio writes with an internal write that no shim sees, so a stream made
 * by fopen/fdopen is out of reach.  tn_atomic's streams write through
 * write(2) on purpose, and HDF5 calls write/pwrite itself, so both are
 * covered.  The tests that use this shim check that the fault fired (the
 * program fails with the injected errno), so a call that slips past cannot
 * make a test pass by accident.
 *
 * A preloaded library has no caller to hand state to, so the byte count
 * and the next-function pointers live in file-scope statics. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off64_t);
typedef int (*fsync_fn)(int);
typedef int (*rename_fn)(const char *, const char *);
typedef int (*renameat_fn)(int, const char *, int, const char *);
typedef int (*renameat2_fn)(int, const char *, int, const char *, unsigned);

/* Bytes let through to matching files so far in this process. */
static long long written;

static void *next(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	/* without the real function there is nothing sensible to do, and
	 * printing would need the very write being looked up */
	if (!fn)
		abort();
	return fn;
}

static int path_matches(const char *path)
{
	const char *pattern = getenv("TN_FAULT_PATH");

	if (!pattern || !*pattern)
		return 1;
	return path && strstr(path, pattern) != NULL;
}

/* Whether fd is a regular file (or, with dirs, a directory) whose path
 * matches TN_FAULT_PATH.  Pipes and terminals never match, so error
 * messages still get out. */
static int fd_matches(int fd, int files, int dirs)
{
	char link[64], path[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return 0;
	if (!((files && S_ISREG(st.st_mode)) || (dirs && S_ISDIR(st.st_mode))))
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return path_matches(path);
}

/* How many of count bytes a write to fd may pass: count when no fault
 * applies, fewer when the budget runs out inside this write, -1 (ENOSPC)
 * when it is spent.  *counted says whether the result is charged. */
static ssize_t allowance(int fd, size_t count, int *counted)
{
	const char *after = getenv("TN_FAULT_WRITE_AFTER");
	long long budget, left;

	*counted = 0;
	if (!after || !*after || count == 0 || !fd_matches(fd, 1, 0))
		return (ssize_t)count;
	budget = strtoll(after, NULL, 10);
	left = budget - written;
	*counted = 1;
	if (left <= 0) {
		errno = ENOSPC;
		return -1;
	}
	return (ssize_t)((long long)count < left ? (long long)count : left);
}

static ssize_t charge(ssize_t n, int counted)
{
	if (n > 0 && counted)
		written += n;
	return n;
}

ssize_t write(int fd, const void *buf, size_t count)
{
	static write_fn real;
	int counted;
	ssize_t n;

	if (!real)
		real = (write_fn)next("write");
	n = allowance(fd, count, &counted);
	if (n < 0)
		return -1;
	return charge(real(fd, buf, (size_t)n), counted);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	static pwrite_fn real;
	int counted;
	ssize_t n;

	if (!real)
		real = (pwrite_fn)next("pwrite");
	n = allowance(fd, count, &counted);
	if (n < 0)
		return -1;
	return charge(real(fd, buf, (size_t)n, offset), counted);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
	static pwrite64_fn real;
	int counted;
	ssize_t n;

	if (!real)
		real = (pwrite64_fn)next("pwrite64");
	n = allowance(fd, count, &counted);
	if (n < 0)
		return -1;
	return charge(real(fd, buf, (size_t)n, offset), counted);
}

static int fsync_fails(int fd)
{
	const char *mode = getenv("TN_FAULT_FSYNC");

	if (!mode || !*mode || strcmp(mode, "0") == 0)
		return 0;
	if (strcmp(mode, "file") == 0)
		return fd_matches(fd, 1, 0);
	if (strcmp(mode, "dir") == 0)
		return fd_matches(fd, 0, 1);
	return fd_matches(fd, 1, 1);
}

int fsync(int fd)
{
	static fsync_fn real;

	if (!real)
		real = (fsync_fn)next("fsync");
	if (fsync_fails(fd)) {
		errno = EIO;
		return -1;
	}
	return real(fd);
}

int fdatasync(int fd)
{
	static fsync_fn real;

	if (!real)
		real = (fsync_fn)next("fdatasync");
	if (fsync_fails(fd)) {
		errno = EIO;
		return -1;
	}
	return real(fd);
}

static int rename_fails(const char *from, const char *to)
{
	const char *on = getenv("TN_FAULT_RENAME");

	if (!on || !*on || strcmp(on, "0") == 0)
		return 0;
	if (!path_matches(from) && !path_matches(to))
		return 0;
	errno = EIO;
	return 1;
}

int rename(const char *from, const char *to)
{
	static rename_fn real;

	if (!real)
		real = (rename_fn)next("rename");
	return rename_fails(from, to) ? -1 : real(from, to);
}

int renameat(int fromdir, const char *from, int todir, const char *to)
{
	static renameat_fn real;

	if (!real)
		real = (renameat_fn)next("renameat");
	return rename_fails(from, to) ? -1 : real(fromdir, from, todir, to);
}

int renameat2(int fromdir, const char *from, int todir, const char *to,
	      unsigned flags)
{
	static renameat2_fn real;

	if (!real)
		real = (renameat2_fn)next("renameat2");
	return rename_fails(from, to) ? -1 :
	       real(fromdir, from, todir, to, flags);
}
