/* cache-prune - keeps the store bounded: old model versions, expired
 * predictions, stale temporary files, prices outside the universe, and a
 * size cap.  See cache-prune(1).
 *
 * Safety: every file is reached from a descriptor of the store root by
 * openat(O_NOFOLLOW | O_DIRECTORY) one component at a time and removed
 * with unlinkat on its directory's descriptor, so a symlink anywhere in
 * the store is never followed, whatever changes under the walk.  Only the
 * root itself may be a symlink: that is the user's choice of store.  A
 * symbol's versions are touched only under its writer lock (lock.h). */
#include "atomic.h"
#include "cli.h"
#include "json.h"
#include "lock.h"
#include "metrics.h"
#include "store.h"
#include "symbol.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Defaults, stated in cache-prune(1). */
#define DEFAULT_KEEP 7          /* newest versions kept per symbol and kind */
#define DEFAULT_KEEP_DAYS 0     /* versions younger than this are kept */
#define DEFAULT_TTL (24 * 3600) /* seconds a prediction file lives */
#define DEFAULT_GRACE 3600      /* seconds before a temporary file is stale */
#define DEFAULT_WAIT 60         /* seconds a bare --wait waits for a lock */
#define MAX_KEEP 1000000
#define MAX_DAYS 100000
#define MAX_WAIT 86400
#define SECONDS_PER_DAY 86400
/* Longest line of a --universe file. */
#define UNIVERSE_LINE_MAX 4096

static const char *const kinds[] = { "gnn", "lstm" };
#define NKINDS (sizeof kinds / sizeof kinds[0])

enum {
	OPT_STORE = 256, OPT_KEEP, OPT_KEEP_DAYS, OPT_TTL, OPT_GRACE,
	OPT_UNIVERSE, OPT_MAX_SIZE, OPT_WAIT, OPT_FAIL_ON_BUSY, OPT_METRICS,
};

struct config {
	const char *root;
	const char *metrics;
	long keep, keep_days;
	double ttl, grace;          /* seconds */
	int has_max_size;
	uint64_t max_size;          /* bytes */
	char (*universe)[TN_SYMBOL_MAX + 1];  /* sorted; NULL: no price rule */
	size_t nuniverse;
	int dry_run, fail_on_busy;
	int wait;                   /* tn_lock_acquire's wait_seconds */
	time_t now;
};

/* A file --max-size may evict: a prediction (by last use) or a version
 * that is not current (by age). */
struct candidate {
	char rel[PATH_MAX];         /* path below the root */
	time_t when;                /* last use, or the version's stamp */
	uint64_t bytes;
	int kind;                   /* versions: index into kinds, else -1 */
	char symbol[TN_SYMBOL_MAX + 1];
	char stamp[TN_STAMP_LEN + 1];
};

struct run {
	const struct config *cfg;
	int rootfd;
	char lockdir[PATH_MAX];
	int locks_exist;            /* locks/ is a directory already */
	uint64_t store_bytes;       /* after what was (or would be) removed */
	long files, reports, failed, busy;
	uint64_t bytes;
	struct candidate *cands;
	size_t ncands, capcands;
};

static const char usage[] =
	"usage: cache-prune [options]\n"
	"Removes what the store no longer needs; prints each action as JSON.\n"
	"      --store DIR        the store (default $TICKERNET_STORE, else ./store)\n"
	"      --keep N           newest model versions kept per symbol (default 7)\n"
	"      --keep-days D      also keep versions younger than D days (default 0)\n"
	"      --ttl DURATION     prediction files live this long (default 1d)\n"
	"      --grace DURATION   temporary files older than this are stale (default 1h)\n"
	"      --universe FILE|LIST  remove cached prices of other symbols\n"
	"      --max-size SIZE    evict until the store is under SIZE (K, M, G, T)\n"
	"  -n, --dry-run          change nothing; print would-remove lines\n"
	"      --wait[=SECONDS]   wait for busy locks (default 60 s when given)\n"
	"      --fail-on-busy     exit 75 when a symbol was skipped for its lock\n"
	"      --metrics-file FILE  Prometheus metrics\n"
	"  -q, --quiet            no warnings\n"
	"  -v, --verbose          a summary on stderr\n"
	"  -h, --help             this help\n"
	"  -V, --version          the version\n";

/* ---- options ---- */

/* N, Ns, Nm, Nh, Nd or Nw, as seconds. */
static double opt_duration(const char *opt, const char *arg)
{
	static const struct { char suffix; double seconds; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 },
	};
	char num[64];
	double scale = 1, v;
	const char *why;
	size_t len = strlen(arg), i;

	if (len == 0 || len >= sizeof num)
		tn_usage_error("%s: not a duration (N[smhdw]): '%s'", opt, arg);
	memcpy(num, arg, len + 1);
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (num[len - 1] == units[i].suffix) {
			scale = units[i].seconds;
			num[len - 1] = '\0';
			break;
		}
	if (tn_parse_double(num, 0, 1e12, &v, &why) < 0)
		tn_usage_error("%s: not a duration (N[smhdw]): '%s'", opt, arg);
	return v * scale;
}

/* N, NK, NM, NG or NT (powers of 1024), as bytes. */
static uint64_t opt_size(const char *opt, const char *arg)
{
	static const char suffixes[] = "KMGT";
	char num[64];
	const char *p;
	uint64_t scale = 1;
	size_t len = strlen(arg);
	long v;
	const char *why;

	if (len == 0 || len >= sizeof num)
		tn_usage_error("%s: not a size (N[KMGT]): '%s'", opt, arg);
	memcpy(num, arg, len + 1);
	p = strchr(suffixes, num[len - 1]);
	if (p && *p) {
		scale = (uint64_t)1 << (10 * (p - suffixes + 1));
		num[len - 1] = '\0';
	}
	if (tn_parse_long(num, 0, LONG_MAX, &v, &why) < 0 ||
	    (uint64_t)v > UINT64_MAX / scale)
		tn_usage_error("%s: not a size (N[KMGT]): '%s'", opt, arg);
	return (uint64_t)v * scale;
}

static int cmp_symbol(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void universe_add(struct config *cfg, const char *word, size_t *cap,
			 const char *where)
{
	const char *why;

	if (*cap == cfg->nuniverse) {
		*cap = *cap ? 2 * *cap : 64;
		cfg->universe = xreallocarray(cfg->universe, *cap,
					      sizeof *cfg->universe);
	}
	if (tn_symbol_normalise(word, cfg->universe[cfg->nuniverse], &why) < 0) {
		if (where)
			die(TN_EX_DATAERR, "%s: bad symbol '%s': %s", where, word,
			    why);
		tn_usage_error("--universe: bad symbol '%s': %s", word, why);
	}
	cfg->nuniverse++;
}

/* Symbols split on commas and white space; '#' starts a comment in a
 * file. */
static void universe_words(struct config *cfg, char *text, size_t *cap,
			   const char *where)
{
	char *save = NULL, *word, *hash;

	if (where && (hash = strchr(text, '#')) != NULL)
		*hash = '\0';
	for (word = strtok_r(text, ", \t\r\n", &save); word;
	     word = strtok_r(NULL, ", \t\r\n", &save))
		universe_add(cfg, word, cap, where);
}

/* --universe: a file when the argument is "-", holds a '/' or names an
 * existing file; a comma-separated list of symbols otherwise. */
static void load_universe(struct config *cfg, const char *arg)
{
	struct stat st;
	size_t cap = 0;

	if (strcmp(arg, "-") == 0 || strchr(arg, '/') || stat(arg, &st) == 0) {
		char line[UNIVERSE_LINE_MAX], where[PATH_MAX + 32];
		FILE *fp = strcmp(arg, "-") == 0 ? stdin : fopen(arg, "r");
		long lineno = 0;

		if (!fp)
			die(TN_EX_NOINPUT, "%s:", arg);
		while (fgets(line, sizeof line, fp)) {
			lineno++;
			snprintf(where, sizeof where, "%s:%ld",
				 fp == stdin ? "<stdin>" : arg, lineno);
			universe_words(cfg, line, &cap, where);
		}
		if (ferror(fp))
			die(TN_EX_IOERR, "%s:", arg);
		if (fp != stdin)
			fclose(fp);
	} else {
		char *copy = xstrdup(arg);

		universe_words(cfg, copy, &cap, NULL);
		free(copy);
	}
	if (cfg->nuniverse == 0)
		tn_usage_error("--universe: no symbols in '%s'", arg);
	qsort(cfg->universe, cfg->nuniverse, sizeof *cfg->universe, cmp_symbol);
}

static void parse_options(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, OPT_STORE },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "keep-days", required_argument, NULL, OPT_KEEP_DAYS },
		{ "ttl", required_argument, NULL, OPT_TTL },
		{ "grace", required_argument, NULL, OPT_GRACE },
		{ "universe", required_argument, NULL, OPT_UNIVERSE },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "wait", optional_argument, NULL, OPT_WAIT },
		{ "fail-on-busy", no_argument, NULL, OPT_FAIL_ON_BUSY },
		{ "metrics-file", required_argument, NULL, OPT_METRICS },
		TN_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *store = NULL, *universe = NULL;
	int c;

	cfg->keep = DEFAULT_KEEP;
	cfg->keep_days = DEFAULT_KEEP_DAYS;
	cfg->ttl = DEFAULT_TTL;
	cfg->grace = DEFAULT_GRACE;
	while ((c = getopt_long(argc, argv, "n" TN_COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_STORE: store = optarg; break;
		case OPT_KEEP: cfg->keep = tn_optlong("--keep", optarg, 0, MAX_KEEP); break;
		case OPT_KEEP_DAYS:
			cfg->keep_days = tn_optlong("--keep-days", optarg, 0, MAX_DAYS);
			break;
		case OPT_TTL: cfg->ttl = opt_duration("--ttl", optarg); break;
		case OPT_GRACE: cfg->grace = opt_duration("--grace", optarg); break;
		case OPT_UNIVERSE: universe = optarg; break;
		case OPT_MAX_SIZE:
			cfg->max_size = opt_size("--max-size", optarg);
			cfg->has_max_size = 1;
			break;
		case 'n': cfg->dry_run = 1; break;
		case OPT_WAIT:
			cfg->wait = optarg ? (int)tn_optlong("--wait", optarg, -1, MAX_WAIT)
					   : DEFAULT_WAIT;
			break;
		case OPT_FAIL_ON_BUSY: cfg->fail_on_busy = 1; break;
		case OPT_METRICS: cfg->metrics = optarg; break;
		default: tn_common_option(c, usage); break;
		}
	}
	if (optind < argc)
		tn_usage_error("unexpected argument '%s'", argv[optind]);
	cfg->root = tn_store_root(store);
	if (!cfg->root)
		tn_usage_error("--store: empty directory name");
	if (universe)
		load_universe(cfg, universe);
}

/* ---- reporting ---- */

static void emit(struct run *run, const char *action, const char *rel,
		 const char *reason, uint64_t bytes)
{
	char path[PATH_MAX * 2];
	cJSON *o = tn_json_object();

	snprintf(path, sizeof path, "%s%s%s", run->cfg->root, *rel ? "/" : "",
		 rel);
	tn_json_add_string(o, "action", action);
	tn_json_add_string(o, "path", path);
	tn_json_add_string(o, "reason", reason);
	tn_json_add_number(o, "bytes", (double)bytes);
	if (tn_json_write_line(stdout, o) < 0)
		die(TN_EX_IOERR, "stdout:");
	cJSON_Delete(o);
}

static void report(struct run *run, const char *rel, const char *reason)
{
	run->reports++;
	emit(run, "report", rel, reason, 0);
}

/* rel joined from dir and name, "" dir meaning the root. */
static void join(char out[PATH_MAX], const char *dir, const char *name)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s%s%s", dir, *dir ? "/" : "",
			     name) >= PATH_MAX)
		die(TN_EX_IOERR, "%s/%s: path too long", dir, name);
}

/* ---- the walk ---- */

/* Opens the directory rel below the root one component at a time, never
 * following a symlink.  -1 with errno set (ELOOP or ENOTDIR for a
 * symlink or a file on the way). */
static int open_dir_rel(int rootfd, const char *rel)
{
	char buf[PATH_MAX], *save = NULL, *part;
	int fd = dup(rootfd);

	if (fd < 0)
		return -1;
	snprintf(buf, sizeof buf, "%s", rel);
	for (part = strtok_r(buf, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		int next = openat(fd, part,
				  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int saved = errno;

		close(fd);
		if (next < 0) {
			errno = saved;
			return -1;
		}
		fd = next;
	}
	return fd;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd (not "." or ".."), sorted, as a malloc'ed
 * array of malloc'ed strings.  -1 with errno set. */
static int list_dir(int fd, char ***names, size_t *count)
{
	char **list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int dfd = dup(fd);
	DIR *d;

	*names = NULL;
	*count = 0;
	if (dfd < 0)
		return -1;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			list = xreallocarray(list, cap, sizeof *list);
		}
		list[n++] = xstrdup(de->d_name);
		errno = 0;
	}
	if (errno) {
		int saved = errno;

		closedir(d);
		while (n)
			free(list[--n]);
		free(list);
		errno = saved;
		return -1;
	}
	closedir(d);
	if (n)
		qsort(list, n, sizeof *list, cmp_name);
	*names = list;
	*count = n;
	return 0;
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

/* Bytes in regular files and symlinks below directory fd, symlinks not
 * followed; files vanishing meanwhile are not counted. */
static uint64_t tree_bytes(int fd)
{
	char **names;
	size_t n, i;
	uint64_t total = 0;

	if (list_dir(fd, &names, &n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		struct stat st;

		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(fd, names[i], O_RDONLY | O_DIRECTORY |
					 O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0) {
				total += tree_bytes(sub);
				close(sub);
			}
		} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
			total += (uint64_t)st.st_size;
		}
	}
	free_names(names, n);
	return total;
}

/* Removes name from directory dirfd (rel is its path, for messages), or
 * only says it would.  The file must still be a regular file, or a
 * symlink when links is set (a symlink is removed, never followed). */
static void remove_at(struct run *run, int dirfd, const char *rel,
		      const char *name, const char *reason, int links)
{
	struct stat st;
	char why[256];

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return;  /* gone already: nothing to do */
		snprintf(why, sizeof why, "cannot stat: %s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) && !(links && S_ISLNK(st.st_mode))) {
		report(run, rel, "changed under the walk, left alone");
		return;
	}
	if (run->cfg->dry_run) {
		emit(run, "would-remove", rel, reason, (uint64_t)st.st_size);
	} else if (unlinkat(dirfd, name, 0) < 0) {
		if (errno == ENOENT)
			return;
		snprintf(why, sizeof why, "cannot remove: %s", strerror(errno));
		goto fail;
	} else {
		emit(run, "remove", rel, reason, (uint64_t)st.st_size);
	}
	run->files++;
	run->bytes += (uint64_t)st.st_size;
	run->store_bytes -= run->store_bytes < (uint64_t)st.st_size
				    ? run->store_bytes : (uint64_t)st.st_size;
	return;
fail:
	warn("%s/%s: %s", run->cfg->root, rel, why);
	run->failed++;
	report(run, rel, why);
}

/* A temporary name older than the grace period: remove it.  Returns 1
 * when name was a temporary name (handled either way). */
static int temp_rule(struct run *run, int dirfd, const char *dir,
		     const char *name, const struct stat *st)
{
	char rel[PATH_MAX];

	if (!tn_atomic_is_temp_name(name))
		return 0;
	if ((double)(run->cfg->now - st->st_mtime) > run->cfg->grace &&
	    (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode))) {
		join(rel, dir, name);
		remove_at(run, dirfd, rel, name, "stale temporary file", 1);
	}
	return 1;
}

/* Symbol name of "SYMBOL<suffix>", or 0. */
static int symbol_file(const char *name, const char *suffix,
		       char symbol[TN_SYMBOL_MAX + 1])
{
	size_t len = strlen(name), slen = strlen(suffix);

	if (len <= slen || len - slen > TN_SYMBOL_MAX ||
	    strcmp(name + len - slen, suffix) != 0)
		return 0;
	memcpy(symbol, name, len - slen);
	symbol[len - slen] = '\0';
	return tn_symbol_valid(symbol);
}

/* 1 when name is "<STAMP>.h5", with the stamp copied out. */
static int version_name(const char *name, char stamp[TN_STAMP_LEN + 1])
{
	time_t t;

	if (strlen(name) != TN_STAMP_LEN + 3 ||
	    strcmp(name + TN_STAMP_LEN, ".h5") != 0)
		return 0;
	memcpy(stamp, name, TN_STAMP_LEN);
	stamp[TN_STAMP_LEN] = '\0';
	return tn_stamp_parse(stamp, &t) == 0;
}

/* Takes the writer lock `key`.  Returns 1 when held (or when the dry run
 * need not take it), 0 when the symbol is to be skipped (reported). */
static int take_lock(struct run *run, struct tn_lock *l, const char *key,
		     const char *rel)
{
	char lockfile[NAME_MAX + 1];
	int rc;

	l->fd = -1;
	if (run->cfg->dry_run) {
		struct stat st;
		int lfd;

		/* a dry run creates no lock file: a missing one is held by
		 * nobody */
		if (!run->locks_exist)
			return 1;
		snprintf(lockfile, sizeof lockfile, "%s.lock", key);
		lfd = open_dir_rel(run->rootfd, "locks");
		if (lfd < 0)
			return 1;
		rc = fstatat(lfd, lockfile, &st, AT_SYMLINK_NOFOLLOW);
		close(lfd);
		if (rc < 0)
			return 1;
	}
	rc = tn_lock_acquire(l, run->lockdir, key, run->cfg->wait);
	if (rc == TN_LOCK_OK)
		return 1;
	if (rc == TN_LOCK_BUSY) {
		run->busy++;
		report(run, rel, "lock busy, skipped");
		return 0;
	}
	{
		char why[PATH_MAX + 128];

		snprintf(why, sizeof why, "cannot lock %s: %s", l->path,
			 strerror(errno));
		warn("%s/%s: %s", run->cfg->root, rel, why);
		run->failed++;
		report(run, rel, why);
	}
	return 0;
}

static void add_candidate(struct run *run, const char *rel, time_t when,
			  uint64_t bytes, int kind, const char *symbol,
			  const char *stamp)
{
	struct candidate *c;

	if (run->ncands == run->capcands) {
		run->capcands = run->capcands ? 2 * run->capcands : 64;
		run->cands = xreallocarray(run->cands, run->capcands,
					   sizeof *run->cands);
	}
	c = &run->cands[run->ncands++];
	memset(c, 0, sizeof *c);
	snprintf(c->rel, sizeof c->rel, "%s", rel);
	c->when = when;
	c->bytes = bytes;
	c->kind = kind;
	if (symbol)
		snprintf(c->symbol, sizeof c->symbol, "%s", symbol);
	if (stamp)
		snprintf(c->stamp, sizeof c->stamp, "%s", stamp);
}

/* The stamp current.h5 in dirfd points at: 0 with stamp "" when there is
 * none, 1 with stamp set, or -1 with a reason when it is not a link to a
 * version name (the versions are then left alone). */
static int read_current(int dirfd, char stamp[TN_STAMP_LEN + 1],
			const char **why)
{
	char target[PATH_MAX];
	ssize_t len;

	stamp[0] = '\0';
	len = readlinkat(dirfd, TN_STORE_CURRENT, target, sizeof target - 1);
	if (len < 0) {
		if (errno == ENOENT)
			return 0;
		*why = errno == EINVAL ? "current.h5 is not a symlink"
				       : "current.h5 cannot be read";
		return -1;
	}
	target[len] = '\0';
	if (!version_name(target, stamp)) {
		stamp[0] = '\0';
		*why = "current.h5 points at no version in its directory";
		return -1;
	}
	return 1;
}

/* models/<kind>/<SYMBOL>, under its lock: versions, temporary files,
 * current.h5. */
static void prune_model_dir(struct run *run, int kind, const char *symbol,
			    const char *dir)
{
	const struct config *cfg = run->cfg;
	char key[TN_LOCK_KEY_MAX + 1], cur[TN_STAMP_LEN + 1], rel[PATH_MAX];
	char **names = NULL, **versions;
	size_t n = 0, nver = 0, i;
	struct tn_lock lock = { .fd = -1 };
	const char *why = NULL;
	int fd, has_current;
	time_t young = cfg->now - (time_t)cfg->keep_days * SECONDS_PER_DAY;

	if (tn_store_lock_key(key, sizeof key, kinds[kind], symbol) < 0)
		return;
	if (!take_lock(run, &lock, key, dir))
		return;
	fd = open_dir_rel(run->rootfd, dir);
	if (fd < 0 || list_dir(fd, &names, &n) < 0) {
		if (errno != ENOENT) {
			char msg[256];

			snprintf(msg, sizeof msg, "cannot read: %s", strerror(errno));
			warn("%s/%s: %s", cfg->root, dir, msg);
			run->failed++;
			report(run, dir, msg);
		}
		goto out;
	}
	has_current = read_current(fd, cur, &why);
	versions = xcalloc(n ? n : 1, sizeof *versions);
	for (i = 0; i < n; i++) {
		struct stat st;
		char stamp[TN_STAMP_LEN + 1];

		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (temp_rule(run, fd, dir, names[i], &st))
			continue;
		if (strcmp(names[i], TN_STORE_CURRENT) == 0) {
			join(rel, dir, names[i]);
			if (has_current < 0) {
				report(run, rel, why);
			} else if (has_current > 0) {
				struct stat target;
				char vname[TN_STAMP_LEN + 4];

				snprintf(vname, sizeof vname, "%s.h5", cur);
				if (fstatat(fd, vname, &target, AT_SYMLINK_NOFOLLOW) < 0 ||
				    !S_ISREG(target.st_mode))
					report(run, rel, "dangling current.h5");
			}
			continue;
		}
		if (!version_name(names[i], stamp))
			continue;
		if (S_ISLNK(st.st_mode)) {
			join(rel, dir, names[i]);
			report(run, rel, "symlink, not followed");
			continue;
		}
		if (S_ISREG(st.st_mode))
			versions[nver++] = names[i];
	}
	/* names are sorted, so versions are oldest first */
	for (i = 0; i < nver && has_current >= 0; i++) {
		char stamp[TN_STAMP_LEN + 1];
		struct stat st;
		time_t t;

		memcpy(stamp, versions[i], TN_STAMP_LEN);
		stamp[TN_STAMP_LEN] = '\0';
		tn_stamp_parse(stamp, &t);
		join(rel, dir, versions[i]);
		if (has_current > 0 && strcmp(stamp, cur) == 0)
			continue;
		if (fstatat(fd, versions[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (i + (size_t)cfg->keep >= nver || (cfg->keep_days > 0 && t > young)) {
			/* kept by the rules; --max-size may still evict it */
			add_candidate(run, rel, t, (uint64_t)st.st_size, kind, symbol,
				      stamp);
			continue;
		}
		remove_at(run, fd, rel, versions[i], "old version", 0);
	}
	free(versions);
out:
	if (fd >= 0)
		close(fd);
	free_names(names, n);
	tn_lock_release(&lock);
}

/* models/: every kind's symbol directories. */
static void prune_models(struct run *run)
{
	size_t k;

	for (k = 0; k < NKINDS; k++) {
		char dir[PATH_MAX], rel[PATH_MAX], symbol[TN_SYMBOL_MAX + 1];
		char **names;
		size_t n, i;
		int fd;

		join(dir, "models", kinds[k]);
		fd = open_dir_rel(run->rootfd, dir);
		if (fd < 0)
			continue;  /* reported by check_areas when a symlink */
		if (list_dir(fd, &names, &n) < 0) {
			close(fd);
			continue;
		}
		for (i = 0; i < n; i++) {
			struct stat st;

			if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			join(rel, dir, names[i]);
			if (temp_rule(run, fd, dir, names[i], &st))
				continue;
			if (!tn_symbol_valid(names[i]))
				continue;
			if (S_ISLNK(st.st_mode)) {
				report(run, rel, "symlink, not followed");
				continue;
			}
			if (!S_ISDIR(st.st_mode))
				continue;
			snprintf(symbol, sizeof symbol, "%s", names[i]);
			prune_model_dir(run, (int)k, symbol, rel);
		}
		free_names(names, n);
		close(fd);
	}
}

/* The later of last access and last change: the best "last used" a
 * filesystem mounted relatime or noatime still gives. */
static time_t last_use(const struct stat *st)
{
	return st->st_atime > st->st_mtime ? st->st_atime : st->st_mtime;
}

/* One directory's plain files: `rule` decides for the ones that are not
 * temporary.  Used for predictions/<kind>, runs/<kind> and prices. */
typedef void (*file_rule)(struct run *run, int dirfd, const char *dir,
			  const char *name, const struct stat *st);

static void prune_files(struct run *run, const char *dir, file_rule rule)
{
	char **names;
	size_t n, i;
	int fd = open_dir_rel(run->rootfd, dir);

	if (fd < 0)
		return;
	if (list_dir(fd, &names, &n) < 0) {
		close(fd);
		return;
	}
	for (i = 0; i < n; i++) {
		struct stat st;

		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (temp_rule(run, fd, dir, names[i], &st))
			continue;
		if (rule)
			rule(run, fd, dir, names[i], &st);
	}
	free_names(names, n);
	close(fd);
}

static void prediction_rule(struct run *run, int dirfd, const char *dir,
			    const char *name, const struct stat *st)
{
	char rel[PATH_MAX], symbol[TN_SYMBOL_MAX + 1];

	if (!symbol_file(name, ".json", symbol))
		return;
	join(rel, dir, name);
	if (S_ISLNK(st->st_mode)) {
		report(run, rel, "symlink, not followed");
		return;
	}
	if (!S_ISREG(st->st_mode))
		return;
	if ((double)(run->cfg->now - st->st_mtime) > run->cfg->ttl)
		remove_at(run, dirfd, rel, name, "expired prediction", 0);
	else
		add_candidate(run, rel, last_use(st), (uint64_t)st->st_size, -1,
			      NULL, NULL);
}

static void prices_rule(struct run *run, int dirfd, const char *dir,
			const char *name, const struct stat *st)
{
	char rel[PATH_MAX], symbol[TN_SYMBOL_MAX + 1], key[TN_LOCK_KEY_MAX + 1];
	struct tn_lock lock;

	if (!run->cfg->universe || !symbol_file(name, ".csv", symbol))
		return;
	join(rel, dir, name);
	if (S_ISLNK(st->st_mode)) {
		report(run, rel, "symlink, not followed");
		return;
	}
	if (!S_ISREG(st->st_mode) ||
	    bsearch(symbol, run->cfg->universe, run->cfg->nuniverse,
		    sizeof *run->cfg->universe, cmp_symbol))
		return;
	if (tn_store_lock_key(key, sizeof key, "prices", symbol) < 0 ||
	    !take_lock(run, &lock, key, rel))
		return;
	remove_at(run, dirfd, rel, name, "outside the universe", 0);
	tn_lock_release(&lock);
}

/* ---- --max-size ---- */

static int cmp_candidate(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	/* predictions before versions, then oldest first, then by path */
	if ((x->kind >= 0) != (y->kind >= 0))
		return x->kind >= 0 ? 1 : -1;
	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return strcmp(x->rel, y->rel);
}

/* Splits rel into its directory (opened) and last name. */
static int open_parent(struct run *run, const char *rel, char *dir,
		       const char **name)
{
	char *slash;

	snprintf(dir, PATH_MAX, "%s", rel);
	slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	*name = rel + (slash - dir) + 1;
	return open_dir_rel(run->rootfd, dir);
}

static void evict_one(struct run *run, const struct candidate *c)
{
	char dir[PATH_MAX];
	const char *name;
	struct tn_lock lock = { .fd = -1 };
	int fd;

	if (c->kind >= 0) {
		char key[TN_LOCK_KEY_MAX + 1];

		if (tn_store_lock_key(key, sizeof key, kinds[c->kind], c->symbol) < 0 ||
		    !take_lock(run, &lock, key, c->rel))
			return;
	}
	fd = open_parent(run, c->rel, dir, &name);
	if (fd >= 0) {
		char cur[TN_STAMP_LEN + 1];
		const char *why;

		/* current may have moved since the walk: read it again */
		if (c->kind < 0 ||
		    (read_current(fd, cur, &why) >= 0 && strcmp(cur, c->stamp) != 0))
			remove_at(run, fd, c->rel, name, "over --max-size", 0);
		close(fd);
	}
	tn_lock_release(&lock);
}

static void enforce_max_size(struct run *run)
{
	size_t i;

	if (!run->cfg->has_max_size || run->store_bytes <= run->cfg->max_size)
		return;
	qsort(run->cands, run->ncands, sizeof *run->cands, cmp_candidate);
	for (i = 0; i < run->ncands && run->store_bytes > run->cfg->max_size; i++)
		evict_one(run, &run->cands[i]);
	if (run->store_bytes > run->cfg->max_size) {
		char why[128];

		snprintf(why, sizeof why, "still over --max-size (%llu bytes)",
			 (unsigned long long)run->store_bytes);
		run->failed++;
		report(run, "", why);
		warn("%s: %s", run->cfg->root, why);
	}
}

/* ---- main ---- */

/* Areas that are symlinks are reported and never entered; a symlinked
 * locks/ would put lock files outside the store, so it stops the run. */
static void check_areas(struct run *run)
{
	static const char *const areas[] = { "locks", "models", "models/gnn",
		"models/lstm", "predictions", "predictions/gnn",
		"predictions/lstm", "prices", "runs", "runs/gnn", "runs/lstm" };
	size_t i;

	for (i = 0; i < sizeof areas / sizeof areas[0]; i++) {
		struct stat st;
		int fd;

		/* open the parent safely, then look at the last component */
		if (strchr(areas[i], '/')) {
			char dir[PATH_MAX];
			const char *name;

			fd = open_parent(run, areas[i], dir, &name);
			if (fd < 0)
				continue;
			if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				close(fd);
				continue;
			}
			close(fd);
		} else if (fstatat(run->rootfd, areas[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			if (strcmp(areas[i], "locks") == 0)
				die(TN_EX_IOERR, "%s/locks: a symbolic link; "
				    "refusing to lock through it", run->cfg->root);
			report(run, areas[i], "symlink, not followed");
		} else if (strcmp(areas[i], "locks") == 0 && S_ISDIR(st.st_mode)) {
			run->locks_exist = 1;
		}
	}
}

static void write_metrics(const struct run *run)
{
	struct tn_metrics m = { 0 };
	const char *what;

	tn_metrics_gauge_set(&m, "tickernet_prune_files", run->cfg->dry_run
			     ? "Files the dry run would remove." : "Files removed.",
			     NULL, (double)run->files);
	tn_metrics_gauge_set(&m, "tickernet_prune_bytes", "Bytes of those files.",
			     NULL, (double)run->bytes);
	tn_metrics_gauge_set(&m, "tickernet_prune_failures", "Actions that failed.",
			     NULL, (double)run->failed);
	tn_metrics_gauge_set(&m, "tickernet_prune_locks_busy",
			     "Symbols skipped for a busy lock.", NULL,
			     (double)run->busy);
	tn_metrics_gauge_set(&m, "tickernet_store_bytes",
			     "Bytes in the store after pruning.", NULL,
			     (double)run->store_bytes);
	if (tn_metrics_write(&m, run->cfg->metrics, &what) < 0)
		warn("%s: %s:", run->cfg->metrics, what);
	tn_metrics_free(&m);
}

static void totals(const struct run *run)
{
	cJSON *o = tn_json_object();

	tn_json_add_string(o, "action", "totals");
	tn_json_add_bool(o, "dry_run", run->cfg->dry_run);
	tn_json_add_number(o, "files", (double)run->files);
	tn_json_add_number(o, "bytes", (double)run->bytes);
	tn_json_add_number(o, "reports", (double)run->reports);
	tn_json_add_number(o, "failed", (double)run->failed);
	tn_json_add_number(o, "store_bytes", (double)run->store_bytes);
	if (tn_json_write_line(stdout, o) < 0)
		die(TN_EX_IOERR, "stdout:");
	cJSON_Delete(o);
	info("%s %ld files (%llu bytes); %ld reports, %ld failed; store %llu bytes",
	     run->cfg->dry_run ? "would remove" : "removed", run->files,
	     (unsigned long long)run->bytes, run->reports, run->failed,
	     (unsigned long long)run->store_bytes);
}

int main(int argc, char **argv)
{
	struct config cfg = { 0 };
	struct run run = { 0 };
	struct stat st;
	size_t k;
	int status = TN_EX_OK;

	tn_init_progname(argv);
	parse_options(argc, argv, &cfg);
	cfg.now = time(NULL);
	run.cfg = &cfg;

	run.rootfd = open(cfg.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (run.rootfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			die(TN_EX_NOINPUT, "%s: no store here:", cfg.root);
		die(TN_EX_IOERR, "%s:", cfg.root);
	}
	if (fstat(run.rootfd, &st) < 0)
		die(TN_EX_IOERR, "%s:", cfg.root);
	/* anyone may plant links in a world-writable root without the
	 * sticky bit: not a store to delete in */
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		die(TN_EX_NOINPUT, "%s: world-writable store, refusing", cfg.root);
	join(run.lockdir, cfg.root, "locks");
	check_areas(&run);
	run.store_bytes = tree_bytes(run.rootfd);

	prune_models(&run);
	for (k = 0; k < NKINDS; k++) {
		char dir[PATH_MAX];

		join(dir, "predictions", kinds[k]);
		prune_files(&run, dir, prediction_rule);
	}
	prune_files(&run, "prices", prices_rule);
	for (k = 0; k < NKINDS; k++) {
		char dir[PATH_MAX];

		join(dir, "runs", kinds[k]);
		prune_files(&run, dir, NULL);
	}
	enforce_max_size(&run);
	totals(&run);
	if (cfg.metrics)
		write_metrics(&run);

	if (run.failed)
		status = TN_EX_FAIL;
	else if (run.busy && cfg.fail_on_busy)
		status = TN_EX_TEMPFAIL;
	free(run.cands);
	free(cfg.universe);
	close(run.rootfd);
	return tn_finish(status);
}
