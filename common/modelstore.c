/* modelstore.c - versions, gate, promotion, rollback and run records of
 * modelstore.h. */
#include "modelstore.h"

#include "atomic.h"
#include "cli.h"
#include "json.h"
#include "nn_h5.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MS_DIR_MODE 0755
#define MS_FILE_MODE 0644
#define MS_VERSION_SUFFIX ".h5"

/* 1 if name is exactly <STAMP>.h5 with a valid stamp. */
static int version_name(const char *name, char stamp[TN_STAMP_LEN + 1])
{
	time_t t;

	if (strlen(name) != TN_STAMP_LEN + strlen(MS_VERSION_SUFFIX) ||
	    strcmp(name + TN_STAMP_LEN, MS_VERSION_SUFFIX) != 0)
		return 0;
	memcpy(stamp, name, TN_STAMP_LEN);
	stamp[TN_STAMP_LEN] = '\0';
	return tn_stamp_parse(stamp, &t) == 0;
}

int tn_ms_open(struct tn_ms *ms, const char *root, const char *kind,
	       const char *symbol, int wait_seconds, char *err, size_t errsz)
{
	char lockdir[PATH_MAX], key[TN_LOCK_KEY_MAX + 1];
	int rc;

	memset(ms, 0, sizeof *ms);
	ms->lock.fd = -1;
	if (!tn_store_kind_valid(kind) || !tn_symbol_valid(symbol)) {
		snprintf(err, errsz, "%s: not a valid %s symbol", symbol, kind);
		return TN_EX_USAGE;
	}
	snprintf(ms->root, sizeof ms->root, "%s", root);
	snprintf(ms->kind, sizeof ms->kind, "%s", kind);
	snprintf(ms->symbol, sizeof ms->symbol, "%s", symbol);
	if (tn_store_model_dir(ms->dir, sizeof ms->dir, root, kind, symbol) < 0 ||
	    tn_store_current_path(ms->current, sizeof ms->current, root, kind,
				  symbol) < 0 ||
	    tn_store_area_path(lockdir, sizeof lockdir, root, TN_STORE_LOCKS) < 0 ||
	    tn_store_lock_key(key, sizeof key, kind, symbol) < 0) {
		snprintf(err, errsz, "%s: store path: %s", root, strerror(errno));
		return TN_EX_CANTCREAT;
	}
	rc = tn_lock_acquire(&ms->lock, lockdir, key, wait_seconds);
	if (rc == TN_LOCK_BUSY) {
		snprintf(err, errsz, "%s: %s: locked by another writer", ms->lock.path,
			 symbol);
		return TN_EX_TEMPFAIL;
	}
	if (rc < 0) {
		snprintf(err, errsz, "%s: lock: %s",
			 *ms->lock.path ? ms->lock.path : lockdir, strerror(errno));
		return errno == EINTR ? TN_EX_TEMPFAIL : TN_EX_CANTCREAT;
	}
	if (tn_mkdirs(ms->dir, MS_DIR_MODE) < 0) {
		snprintf(err, errsz, "%s: %s", ms->dir, strerror(errno));
		tn_lock_release(&ms->lock);
		return TN_EX_CANTCREAT;
	}
	return 0;
}

void tn_ms_close(struct tn_ms *ms)
{
	tn_lock_release(&ms->lock);
}

static int cmp_stamp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int tn_ms_versions(const char *dir, char (**stamps)[TN_STAMP_LEN + 1],
		   size_t *count, char *err, size_t errsz)
{
	char (*list)[TN_STAMP_LEN + 1] = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*stamps = NULL;
	*count = 0;
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return TN_EX_IOERR;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		char stamp[TN_STAMP_LEN + 1];

		if (!version_name(de->d_name, stamp))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			list = xreallocarray(list, cap, sizeof *list);
		}
		memcpy(list[n++], stamp, sizeof stamp);
		errno = 0;
	}
	if (errno) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		closedir(d);
		free(list);
		return TN_EX_IOERR;
	}
	closedir(d);
	if (n)
		qsort(list, n, sizeof *list, cmp_stamp);
	*stamps = list;
	*count = n;
	return 0;
}

int tn_ms_current(const char *dir, char stamp[TN_STAMP_LEN + 1], char *err,
		  size_t errsz)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t len;

	stamp[0] = '\0';
	if ((size_t)snprintf(link, sizeof link, "%s/%s", dir, TN_STORE_CURRENT) >=
	    sizeof link) {
		snprintf(err, errsz, "%s: path too long", dir);
		return TN_EX_IOERR;
	}
	len = readlink(link, target, sizeof target - 1);
	if (len < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", link, strerror(errno));
		return TN_EX_IOERR;
	}
	target[len] = '\0';
	if (!version_name(target, stamp)) {
		stamp[0] = '\0';
		snprintf(err, errsz, "%s: points at '%s', not a version in its directory",
			 link, target);
		return TN_EX_IOERR;
	}
	return 0;
}

int tn_ms_new_stamp(struct tn_ms *ms, time_t now, char stamp[TN_STAMP_LEN + 1],
		    char *err, size_t errsz)
{
	char (*list)[TN_STAMP_LEN + 1];
	size_t n;
	time_t newest;
	int rc;

	rc = tn_ms_versions(ms->dir, &list, &n, err, errsz);
	if (rc)
		return rc;
	if (n > 0 && tn_stamp_parse(list[n - 1], &newest) == 0 && newest >= now)
		now = newest + 1;
	free(list);
	if (tn_stamp_format(stamp, now) < 0) {
		snprintf(err, errsz, "%s: cannot stamp the time: %s", ms->dir,
			 strerror(errno));
		return TN_EX_SOFTWARE;
	}
	return 0;
}

int tn_ms_write_version(struct tn_ms *ms, const char *stamp,
			const char *format, long format_version,
			tn_ms_writer fill, void *ctx, char *err, size_t errsz)
{
	char path[PATH_MAX], h5err[NN_H5_ERR_MAX];
	struct tn_atomic a;
	hid_t file;

	memset(&a, 0, sizeof a);
	a.fd = -1;
	if (tn_store_model_path(path, sizeof path, ms->root, ms->kind, ms->symbol,
				stamp) < 0) {
		snprintf(err, errsz, "%s: bad version path: %s", ms->dir,
			 strerror(errno));
		return TN_EX_SOFTWARE;
	}
	if (tn_atomic_open_path(&a, path, MS_FILE_MODE) < 0) {
		snprintf(err, errsz, "%s: %s: %s", path, a.what, strerror(errno));
		return TN_EX_CANTCREAT;
	}
	file = nn_h5_create(a.tmp_path, h5err, sizeof h5err);
	if (file < 0)
		goto fail;
	if (nn_h5_write_format(file, format, format_version, h5err,
			       sizeof h5err) < 0 ||
	    fill(file, ctx, h5err, sizeof h5err) < 0) {
		char ignored[NN_H5_ERR_MAX];

		nn_h5_close(file, ignored, sizeof ignored);
		goto fail;
	}
	if (nn_h5_close(file, h5err, sizeof h5err) < 0)
		goto fail;
	if (tn_atomic_commit(&a) < 0) {
		snprintf(err, errsz, "%s: %s: %s", path, a.what, strerror(errno));
		return TN_EX_IOERR;
	}
	return 0;
fail:
	snprintf(err, errsz, "%s: %s", path, h5err);
	tn_atomic_abort(&a);
	return TN_EX_IOERR;
}

void tn_ms_gate(const struct tn_ms *ms, double new_mse, int force,
		struct tn_ms_gate *gate)
{
	char err[NN_H5_ERR_MAX], ignored[NN_H5_ERR_MAX];
	hid_t file;

	memset(gate, 0, sizeof *gate);
	gate->current_mse = NAN;
	if (tn_ms_current(ms->dir, gate->current, err, sizeof err) != 0) {
		gate->promote = 1;
		gate->reason = "the current link is broken";
		return;
	}
	if (!*gate->current) {
		gate->promote = 1;
		gate->reason = "no current model";
		return;
	}
	file = nn_h5_open(ms->current, err, sizeof err);
	if (file < 0 || nn_h5_attr_get_double(file, TN_MS_ATTR_VAL_MSE,
					      &gate->current_mse, err,
					      sizeof err) < 0 ||
	    !isfinite(gate->current_mse)) {
		if (file >= 0)
			nn_h5_close(file, ignored, sizeof ignored);
		gate->current_mse = NAN;
		gate->promote = 1;
		gate->reason = "the current model is unreadable";
		return;
	}
	nn_h5_close(file, ignored, sizeof ignored);
	if (force) {
		gate->promote = 1;
		gate->reason = "forced";
	} else if (new_mse <= gate->current_mse) {
		gate->promote = 1;
		gate->reason = "validation mse not worse than the current model's";
	} else {
		gate->promote = 0;
		gate->reason = "validation mse worse than the current model's";
	}
}

int tn_ms_promote(struct tn_ms *ms, const char *stamp, char *err, size_t errsz)
{
	char target[TN_STAMP_LEN + sizeof MS_VERSION_SUFFIX];
	const char *what = "symlink";

	snprintf(target, sizeof target, "%s%s", stamp, MS_VERSION_SUFFIX);
	if (tn_atomic_symlink(target, ms->current, &what) < 0) {
		snprintf(err, errsz, "%s: %s: %s", ms->current, what, strerror(errno));
		return TN_EX_IOERR;
	}
	return 0;
}

int tn_ms_rollback(struct tn_ms *ms, char from[TN_STAMP_LEN + 1],
		   char to[TN_STAMP_LEN + 1], char *err, size_t errsz)
{
	char (*list)[TN_STAMP_LEN + 1];
	size_t n, k;
	int rc;

	from[0] = to[0] = '\0';
	rc = tn_ms_current(ms->dir, from, err, errsz);
	if (rc)
		return rc;
	if (!*from) {
		snprintf(err, errsz, "%s: no current %s model to roll back",
			 ms->symbol, ms->kind);
		return TN_EX_NOINPUT;
	}
	rc = tn_ms_versions(ms->dir, &list, &n, err, errsz);
	if (rc)
		return rc;
	for (k = n; k-- > 0;)
		if (strcmp(list[k], from) < 0) {
			memcpy(to, list[k], TN_STAMP_LEN + 1);
			break;
		}
	free(list);
	if (!*to) {
		snprintf(err, errsz, "%s: no %s version before %s to roll back to",
			 ms->symbol, ms->kind, from);
		return TN_EX_NOINPUT;
	}
	return tn_ms_promote(ms, to, err, errsz);
}

/* Copies the file at path (if any) into out. */
static int copy_old_lines(const char *path, FILE *out, char *err, size_t errsz)
{
	char buf[1 << 16];
	size_t got;
	FILE *in;
	int last = '\n';

	in = fopen(path, "r");
	if (!in) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return TN_EX_IOERR;
	}
	while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
		fwrite(buf, 1, got, out);
		last = (unsigned char)buf[got - 1];
	}
	if (ferror(in)) {
		snprintf(err, errsz, "%s: read error", path);
		fclose(in);
		return TN_EX_IOERR;
	}
	fclose(in);
	/* a record torn by some other writer must not swallow ours */
	if (last != '\n')
		fputc('\n', out);
	return 0;
}

int tn_ms_append_run(struct tn_ms *ms, const cJSON *record, char *err,
		     size_t errsz)
{
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	struct tn_atomic a;
	int rc;

	if (tn_store_run_path(path, sizeof path, ms->root, ms->kind, ms->symbol) < 0) {
		snprintf(err, errsz, "%s: run record path: %s", ms->root,
			 strerror(errno));
		return TN_EX_CANTCREAT;
	}
	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (tn_mkdirs(dir, MS_DIR_MODE) < 0) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return TN_EX_CANTCREAT;
	}
	if (tn_atomic_open(&a, path, MS_FILE_MODE) < 0) {
		snprintf(err, errsz, "%s: %s: %s", path, a.what, strerror(errno));
		return TN_EX_CANTCREAT;
	}
	rc = copy_old_lines(path, a.fp, err, errsz);
	if (rc) {
		tn_atomic_abort(&a);
		return rc;
	}
	if (tn_json_write_line(a.fp, record) < 0 || tn_atomic_commit(&a) < 0) {
		snprintf(err, errsz, "%s: %s: %s", path, a.what ? a.what : "write",
			 strerror(errno));
		tn_atomic_abort(&a);
		return TN_EX_IOERR;
	}
	return 0;
}

void tn_ms_iso_time(char out[21], time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "1970-01-01T00:00:00Z");
}

cJSON *tn_ms_metrics_json(const struct tn_eval *m)
{
	cJSON *o = tn_json_object();

	tn_json_add_number(o, "n", (double)m->n);
	tn_json_add_number(o, "mse", m->mse);
	tn_json_add_number(o, "mae", m->mae);
	tn_json_add_number(o, "dir_acc", m->dir_acc);
	tn_json_add_number(o, "ic", m->ic);
	tn_json_add_number(o, "skill", m->skill);
	return o;
}

cJSON *tn_ms_baselines_json(const struct tn_eval *zero,
			    const struct tn_eval *momentum)
{
	cJSON *o = tn_json_object();

	tn_json_add_item(o, "zero", tn_ms_metrics_json(zero));
	tn_json_add_item(o, "momentum", tn_ms_metrics_json(momentum));
	return o;
}

static int set_json_attr(hid_t file, const char *name, const cJSON *json,
			 char *err, size_t errsz)
{
	char *text = cJSON_PrintUnformatted(json);
	int rc;

	if (!text)
		die(TN_EX_SOFTWARE, "out of memory");
	rc = nn_h5_attr_set_str(file, name, text, err, errsz);
	cJSON_free(text);
	return rc;
}

int tn_ms_write_meta(hid_t file, const struct tn_ms_meta *meta, char *err,
		     size_t errsz)
{
	char created[21];
	cJSON *metrics, *baselines;
	int rc;

	tn_ms_iso_time(created, meta->created);
	if (nn_h5_attr_set_str(file, "tool", meta->tool, err, errsz) < 0 ||
	    nn_h5_attr_set_str(file, "tool_version", TN_VERSION, err, errsz) < 0 ||
	    nn_h5_attr_set_str(file, "symbol", meta->symbol, err, errsz) < 0 ||
	    nn_h5_attr_set_str(file, "model_version", meta->stamp, err, errsz) < 0 ||
	    nn_h5_attr_set_str(file, "created_at", created, err, errsz) < 0 ||
	    nn_h5_attr_set_str(file, "last_train_date", meta->last_train_date, err,
			       errsz) < 0 ||
	    nn_h5_attr_set_int(file, "seed", (int64_t)meta->seed, err, errsz) < 0 ||
	    nn_h5_attr_set_double(file, TN_MS_ATTR_VAL_MSE, meta->metrics->mse, err,
				  errsz) < 0 ||
	    set_json_attr(file, TN_MS_ATTR_CONFIG, meta->config, err, errsz) < 0)
		return -1;
	metrics = tn_ms_metrics_json(meta->metrics);
	baselines = tn_ms_baselines_json(meta->zero, meta->momentum);
	rc = set_json_attr(file, TN_MS_ATTR_METRICS, metrics, err, errsz) < 0 ||
	     set_json_attr(file, TN_MS_ATTR_BASELINES, baselines, err, errsz) < 0;
	cJSON_Delete(metrics);
	cJSON_Delete(baselines);
	return rc ? -1 : 0;
}

cJSON *tn_ms_summary_json(const struct tn_ms_summary *s)
{
	cJSON *o = tn_json_object();

	tn_json_add_string(o, "symbol", s->symbol);
	tn_json_add_string(o, "status", s->status);
	if (s->version)
		tn_json_add_string(o, "model_version", s->version);
	if (s->current_version)
		tn_json_add_string(o, "current_version", s->current_version);
	if (s->metrics) {
		tn_json_add_number(o, "mse", s->metrics->mse);
		tn_json_add_number(o, "mae", s->metrics->mae);
		tn_json_add_number(o, "dir_acc", s->metrics->dir_acc);
		tn_json_add_number(o, "ic", s->metrics->ic);
		tn_json_add_number(o, "skill", s->metrics->skill);
		tn_json_add_number(o, "n", (double)s->metrics->n);
	}
	if (s->zero && s->momentum)
		tn_json_add_item(o, "baselines",
				 tn_ms_baselines_json(s->zero, s->momentum));
	if (s->epochs >= 0) {
		tn_json_add_number(o, "epochs", (double)s->epochs);
		tn_json_add_number(o, "best_epoch", (double)s->best_epoch);
	}
	tn_json_add_number(o, "seconds", s->seconds);
	if (s->gate)
		tn_json_add_string(o, "gate", s->gate);
	if (s->error)
		tn_json_add_string(o, "error", s->error);
	return o;
}
