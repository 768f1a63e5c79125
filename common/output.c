/* output.c - see output.h. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OUT_NONE, OUT_STDOUT, OUT_DIRECT, OUT_ATOMIC };

/* Gives the temporary file the replaced file's mode, and for root its
 * owner too, so that rewriting a 0600 file does not publish it.  Owner
 * first: chown clears set-id bits. */
static int keep_attributes(struct tn_output *o, const struct stat *st)
{
	struct tn_atomic *a = &o->atomic;
	mode_t mode = st->st_mode & 07777;
	int rc;

	if (geteuid() == 0) {
		rc = a->fp ? fchown(a->fd, st->st_uid, st->st_gid) :
			     chown(a->tmp_path, st->st_uid, st->st_gid);
		if (rc < 0) {
			o->what = "chown temporary file";
			return -1;
		}
	}
	rc = a->fp ? fchmod(a->fd, mode) : chmod(a->tmp_path, mode);
	if (rc < 0) {
		o->what = "chmod temporary file";
		return -1;
	}
	return 0;
}

/* The part both opens share; `by_path` picks tn_atomic_open_path. */
static int open_output(struct tn_output *o, const char *path, mode_t mode,
		       int by_path)
{
	struct stat st;
	int exists, fd;

	memset(o, 0, sizeof *o);
	if (!path || strcmp(path, "-") == 0) {
		o->name = "stdout";
		if (by_path) {
			o->what = "not a regular file";
			errno = ESPIPE;
			return -1;
		}
		o->fp = stdout;
		o->kind = OUT_STDOUT;
		return 0;
	}
	o->name = path;
	exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		if (by_path) {
			o->what = "not a regular file";
			errno = ESPIPE;
			return -1;
		}
		/* no O_CREAT: the file is there, and a racer's removal
		 * should fail rather than leave a regular file behind */
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
			if (fd >= 0) {
				int saved = errno;

				close(fd);
				errno = saved;
			}
			o->what = "open";
			return -1;
		}
		o->kind = OUT_DIRECT;
		return 0;
	}
	if ((by_path ? tn_atomic_open_path(&o->atomic, path, mode) :
		       tn_atomic_open(&o->atomic, path, mode)) < 0) {
		o->what = o->atomic.what;
		return -1;
	}
	o->kind = OUT_ATOMIC;
	o->fp = o->atomic.fp;
	o->tmp_path = o->atomic.tmp_path;
	if (exists && keep_attributes(o, &st) < 0) {
		tn_atomic_abort(&o->atomic);
		memset(&o->atomic, 0, sizeof o->atomic);
		o->fp = NULL;
		o->tmp_path = NULL;
		o->kind = OUT_NONE;
		return -1;
	}
	return 0;
}

int tn_output_open(struct tn_output *o, const char *path, mode_t mode)
{
	return open_output(o, path, mode, 0);
}

int tn_output_open_path(struct tn_output *o, const char *path, mode_t mode)
{
	return open_output(o, path, mode, 1);
}

int tn_output_commit(struct tn_output *o)
{
	FILE *fp = o->fp;
	int kind = o->kind, rc = 0;

	o->fp = NULL;
	o->tmp_path = NULL;
	o->kind = OUT_NONE;
	switch (kind) {
	case OUT_ATOMIC:
		rc = tn_atomic_commit(&o->atomic);
		o->what = o->atomic.what;
		memset(&o->atomic, 0, sizeof o->atomic);
		return rc;
	case OUT_DIRECT:
	case OUT_STDOUT:
		/* a write that failed earlier, with its errno long gone,
		 * still shows in ferror */
		errno = 0;
		if (fflush(fp) != 0 || ferror(fp)) {
			o->what = "write error";
			if (!errno)
				errno = EIO;
			rc = -1;
		}
		if (kind == OUT_DIRECT && fclose(fp) != 0 && rc == 0) {
			o->what = "close";
			rc = -1;
		}
		return rc;
	default:
		o->what = "commit without open";
		errno = EINVAL;
		return -1;
	}
}

void tn_output_abort(struct tn_output *o)
{
	int saved = errno;

	if (o->kind == OUT_ATOMIC) {
		tn_atomic_abort(&o->atomic);
		memset(&o->atomic, 0, sizeof o->atomic);
	} else if (o->kind == OUT_DIRECT) {
		fclose(o->fp); /* already failing: nothing to add */
	}
	o->fp = NULL;
	o->tmp_path = NULL;
	o->kind = OUT_NONE;
	errno = saved;
}
