/* atomic.c - see atomic.h. */
#include "atomic.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Attempts at finding a free temporary name for a symlink before giving
 * up; a clash needs another process racing on the same six random
 * characters, so more than one retry is already unlikely. */
#define SYMLINK_TRIES 100

static const char tmp_suffix[] = TN_ATOMIC_TMP_INFIX "XXXXXX";

/* The file name part of path: what follows the last '/'. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The directory part of path, for fsync: "." when there is none, "/" for
 * a file in the root. */
static char *dir_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len;
	char *dir;

	if (!slash)
		return xstrdup(".");
	len = slash == path ? 1 : (size_t)(slash - path);
	dir = xmalloc(len + 1);
	memcpy(dir, path, len);
	dir[len] = '\0';
	return dir;
}

/* DIR/.NAME.tmp.XXXXXX, ready for mkstemp. */
static char *tmp_template(const char *path)
{
	const char *base = base_name(path);
	size_t dirlen = (size_t)(base - path), baselen = strlen(base);
	char *tmp = xmalloc(dirlen + 1 + baselen + sizeof tmp_suffix);
	char *p = tmp;

	memcpy(p, path, dirlen);
	p += dirlen;
	*p++ = '.';
	memcpy(p, base, baselen);
	p += baselen;
	memcpy(p, tmp_suffix, sizeof tmp_suffix);
	return tmp;
}

/* mkstemp always creates 0600; the umask has to be applied by hand.  Tools
 * are single-threaded, so reading it by setting it back is safe. */
static mode_t current_umask(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return mask;
}

/* Undoes everything open/commit did so far, keeping errno and a->what.
 * a->tmp_path is non-NULL exactly while the temporary file exists. */
static void discard(struct tn_atomic *a)
{
	int saved = errno;

	/* already failing: an error from closing adds nothing */
	if (a->fp)
		fclose(a->fp); /* closes a->fd through stream_close */
	else if (a->fd >= 0)
		close(a->fd);
	if (a->tmp_path)
		unlink(a->tmp_path);
	free(a->tmp_path);
	free(a->path);
	a->fp = NULL;
	a->fd = -1;
	a->tmp_path = NULL;
	a->path = NULL;
	errno = saved;
}

/* The common part of both opens: a fresh temporary file, open on a->fd. */
static int create_tmp(struct tn_atomic *a, const char *path, mode_t mode)
{
	memset(a, 0, sizeof *a);
	a->fd = -1;
	if (!path || !*base_name(path)) {
		a->what = "not a file name";
		errno = EINVAL;
		return -1;
	}
	a->path = xstrdup(path);
	a->tmp_path = tmp_template(path);
	a->fd = mkostemp(a->tmp_path, O_CLOEXEC);
	if (a->fd < 0) {
		a->what = "create temporary file";
		free(a->tmp_path);
		a->tmp_path = NULL;
		goto fail;
	}
	if (fchmod(a->fd, mode & ~current_umask()) < 0) {
		a->what = "chmod temporary file";
		goto fail;
	}
	return 0;
fail:
	discard(a);
	return -1;
}

/* The stream writes through these rather than fdopen's, so that the
 * first failed write(2) keeps its errno: stdio itself only keeps an error
 * flag and drops the unwritten bytes, and "No space left on device" is a
 * different thing to tell a user than "Input/output error". */
static ssize_t stream_write(void *cookie, const char *buf, size_t size)
{
	struct tn_atomic *a = cookie;
	size_t done = 0;
	ssize_t n;

	while (done < size) {
		n = write(a->fd, buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!a->write_errno)
				a->write_errno = n < 0 ? errno : EIO;
			break;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int stream_seek(void *cookie, off64_t *offset, int whence)
{
	struct tn_atomic *a = cookie;
	off_t at = lseek(a->fd, (off_t)*offset, whence);

	if (at < 0)
		return -1;
	*offset = at;
	return 0;
}

static int stream_close(void *cookie)
{
	struct tn_atomic *a = cookie;
	int fd = a->fd;

	a->fd = -1;
	return close(fd);
}

int tn_atomic_open(struct tn_atomic *a, const char *path, mode_t mode)
{
	static const cookie_io_functions_t io = {
		.write = stream_write,
		.seek = stream_seek,
		.close = stream_close,
	};

	if (create_tmp(a, path, mode) < 0)
		return -1;
	a->fp = fopencookie(a, "w", io);
	if (!a->fp) {
		a->what = "open temporary file";
		discard(a);
		return -1;
	}
	return 0;
}

int tn_atomic_open_path(struct tn_atomic *a, const char *path, mode_t mode)
{
	int fd;

	if (create_tmp(a, path, mode) < 0)
		return -1;
	fd = a->fd;
	a->fd = -1;
	if (close(fd) < 0) {
		a->what = "close temporary file";
		discard(a);
		return -1;
	}
	return 0;
}

/* Makes the stream's bytes durable and closes it. */
static int sync_stream(struct tn_atomic *a)
{
	FILE *fp = a->fp;

	a->what = "write";
	/* write_errno too: a caller's clearerr must not hide a lost write */
	if (fflush(fp) != 0 || ferror(fp) || a->write_errno) {
		errno = a->write_errno ? a->write_errno : EIO;
		return -1;
	}
	if (fsync(a->fd) < 0) {
		a->what = "fsync";
		return -1;
	}
	a->fp = NULL;
	if (fclose(fp) != 0) {
		a->what = "close";
		return -1;
	}
	return 0;
}

/* The same for a file another library wrote by name and closed. */
static int sync_path(struct tn_atomic *a)
{
	int fd = open(a->tmp_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		a->what = "open temporary file";
		return -1;
	}
	if (fsync(fd) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		a->what = "fsync";
		return -1;
	}
	if (close(fd) < 0) {
		a->what = "close";
		return -1;
	}
	return 0;
}

int tn_atomic_commit(struct tn_atomic *a)
{
	char *dir;
	int rc = 0;

	if (!a->tmp_path) {
		a->what = "commit without open";
		errno = EINVAL;
		return -1;
	}
	if ((a->fp ? sync_stream(a) : sync_path(a)) < 0)
		goto fail;
	if (rename(a->tmp_path, a->path) < 0) {
		a->what = "rename";
		goto fail;
	}
	free(a->tmp_path);
	a->tmp_path = NULL;
	dir = dir_name(a->path);
	if (tn_fsync_dir(dir) < 0) {
		a->what = "fsync directory";
		rc = -1;
	}
	free(dir);
	discard(a);
	return rc;
fail:
	discard(a);
	return -1;
}

void tn_atomic_abort(struct tn_atomic *a)
{
	discard(a);
}

int tn_atomic_symlink(const char *target, const char *linkpath,
		      const char **what)
{
	char *tmp = NULL, *dir = NULL;
	size_t xs;
	int tries, fd, rc = -1, saved;

	if (!target || !*target || !linkpath || !*base_name(linkpath)) {
		*what = "not a file name";
		errno = EINVAL;
		return -1;
	}
	tmp = tmp_template(linkpath);
	xs = strlen(tmp) - TN_ATOMIC_TMP_SUFFIX_LEN;
	/* mkstemp picks a free random name; the file is swapped for the
	 * link, and a racer taking the name in between makes symlink fail
	 * with EEXIST and us try again. */
	for (tries = 0;; tries++) {
		memset(tmp + xs, 'X', TN_ATOMIC_TMP_SUFFIX_LEN);
		fd = mkstemp(tmp);
		if (fd < 0) {
			*what = "create temporary name";
			goto out;
		}
		close(fd); /* empty and unwritten: nothing to lose */
		if (unlink(tmp) < 0) {
			*what = "create temporary name";
			goto out;
		}
		if (symlink(target, tmp) == 0)
			break;
		if (errno != EEXIST || tries + 1 >= SYMLINK_TRIES) {
			*what = "symlink";
			goto out;
		}
	}
	if (rename(tmp, linkpath) < 0) {
		*what = "rename";
		saved = errno;
		unlink(tmp);
		errno = saved;
		goto out;
	}
	dir = dir_name(linkpath);
	if (tn_fsync_dir(dir) < 0) {
		*what = "fsync directory";
		goto out;
	}
	rc = 0;
out:
	saved = errno;
	free(tmp);
	free(dir);
	errno = saved;
	return rc;
}

/* mkdir that accepts an existing directory. */
static int mkdir_one(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int tn_mkdirs(const char *path, mode_t mode)
{
	char *copy, *p, saved;
	int rc = -1, err;

	if (!path || !*path) {
		errno = ENOENT;
		return -1;
	}
	copy = xstrdup(path);
	for (p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		saved = *p;
		*p = '\0';
		/* p[-1] == '/' is an empty component ("a//b", "a/"). */
		if (p[-1] != '/' && mkdir_one(copy, mode) < 0)
			goto out;
		*p = saved;
		if (saved == '\0')
			break;
	}
	rc = 0;
out:
	err = errno;
	free(copy);
	errno = err;
	return rc;
}

int tn_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int saved;

	if (fd < 0)
		return -1;
	/* EINVAL: a filesystem that cannot sync directories at all; there is
	 * nothing more durable to be had there. */
	if (fsync(fd) < 0 && errno != EINVAL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

int tn_atomic_is_temp_name(const char *name)
{
	size_t len = strlen(name), infix = sizeof TN_ATOMIC_TMP_INFIX - 1;
	size_t i;

	/* '.', at least one character of NAME, the infix, the suffix */
	if (name[0] != '.' || len < 2 + infix + TN_ATOMIC_TMP_SUFFIX_LEN)
		return 0;
	for (i = len - TN_ATOMIC_TMP_SUFFIX_LEN; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9')))
			return 0;
	}
	return memcmp(name + len - TN_ATOMIC_TMP_SUFFIX_LEN - infix,
		      TN_ATOMIC_TMP_INFIX, infix) == 0;
}
