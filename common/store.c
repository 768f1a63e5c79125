/* store.c - see store.h. */
#include "store.h"

#include "atomic.h"
#include "symbol.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Store directories are shared by the users of one store; the umask
 * narrows this. */
#define STORE_DIR_MODE 0777

static const char *const area_names[TN_STORE_NAREAS] = {
	[TN_STORE_PRICES] = "prices",
	[TN_STORE_MODELS] = "models",
	[TN_STORE_PREDICTIONS] = "predictions",
	[TN_STORE_RUNS] = "runs",
	[TN_STORE_LOCKS] = "locks",
};

const char *tn_store_root(const char *option)
{
	const char *env;

	if (option)
		return *option ? option : NULL;
	env = getenv(TN_STORE_ENV);
	if (env && *env)
		return env;
	return TN_STORE_DEFAULT;
}

int tn_store_kind_valid(const char *kind)
{
	return kind && (strcmp(kind, "gnn") == 0 || strcmp(kind, "lstm") == 0);
}

/* Root without its trailing slashes, so "store/" and "store" give the
 * same paths; "/" becomes "" and the '/' that follows it in every format
 * stands for the root. */
static int root_len(const char *root)
{
	size_t len = strlen(root);

	while (len > 0 && root[len - 1] == '/')
		len--;
	return (int)len;
}

/* snprintf into out that fails with ENAMETOOLONG rather than truncating;
 * fmt starts with "%.*s" for the root. */
__attribute__((format(printf, 3, 4)))
static int build(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		if (size)
			out[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* The checks every builder starts with; kind may be NULL when the path has
 * none. */
static int check(char *out, size_t size, const char *root, const char *kind,
		 const char *symbol, int want_kind)
{
	if (size)
		out[0] = '\0';
	if (!root || !*root || (want_kind && !tn_store_kind_valid(kind)) ||
	    !tn_symbol_valid(symbol)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int tn_store_area_path(char *out, size_t size, const char *root,
		       enum tn_store_area area)
{
	if (size)
		out[0] = '\0';
	if (!root || !*root || (int)area < 0 || area >= TN_STORE_NAREAS) {
		errno = EINVAL;
		return -1;
	}
	return build(out, size, "%.*s/%s", root_len(root), root,
		     area_names[area]);
}

int tn_store_prices_path(char *out, size_t size, const char *root,
			 const char *symbol)
{
	if (check(out, size, root, NULL, symbol, 0) < 0)
		return -1;
	return build(out, size, "%.*s/prices/%s.csv", root_len(root), root,
		     symbol);
}

int tn_store_model_dir(char *out, size_t size, const char *root,
		       const char *kind, const char *symbol)
{
	if (check(out, size, root, kind, symbol, 1) < 0)
		return -1;
	return build(out, size, "%.*s/models/%s/%s", root_len(root), root,
		     kind, symbol);
}

int tn_store_model_path(char *out, size_t size, const char *root,
			const char *kind, const char *symbol, const char *stamp)
{
	time_t t;

	if (check(out, size, root, kind, symbol, 1) < 0)
		return -1;
	if (!stamp || tn_stamp_parse(stamp, &t) < 0) {
		errno = EINVAL;
		return -1;
	}
	return build(out, size, "%.*s/models/%s/%s/%s.h5", root_len(root),
		     root, kind, symbol, stamp);
}

int tn_store_current_path(char *out, size_t size, const char *root,
			  const char *kind, const char *symbol)
{
	if (check(out, size, root, kind, symbol, 1) < 0)
		return -1;
	return build(out, size, "%.*s/models/%s/%s/" TN_STORE_CURRENT,
		     root_len(root), root, kind, symbol);
}

int tn_store_prediction_path(char *out, size_t size, const char *root,
			     const char *kind, const char *symbol)
{
	if (check(out, size, root, kind, symbol, 1) < 0)
		return -1;
	return build(out, size, "%.*s/predictions/%s/%s.json", root_len(root),
		     root, kind, symbol);
}

int tn_store_run_path(char *out, size_t size, const char *root,
		      const char *kind, const char *symbol)
{
	if (check(out, size, root, kind, symbol, 1) < 0)
		return -1;
	return build(out, size, "%.*s/runs/%s/%s.jsonl", root_len(root), root,
		     kind, symbol);
}

int tn_store_lock_key(char *out, size_t size, const char *scope,
		      const char *symbol)
{
	if (size)
		out[0] = '\0';
	if (!scope || (strcmp(scope, "prices") != 0 &&
		       !tn_store_kind_valid(scope)) ||
	    !tn_symbol_valid(symbol)) {
		errno = EINVAL;
		return -1;
	}
	return build(out, size, "%s-%s", scope, symbol);
}

int tn_store_init(const char *root, char *where, size_t size)
{
	char dir[PATH_MAX];
	int area;

	if (!root || !*root) {
		errno = EINVAL;
		return -1;
	}
	for (area = 0; area < TN_STORE_NAREAS; area++) {
		if (tn_store_area_path(dir, sizeof dir, root,
				       (enum tn_store_area)area) < 0 ||
		    tn_mkdirs(dir, STORE_DIR_MODE) < 0) {
			int saved = errno;

			snprintf(where, size, "%s", *dir ? dir : root);
			errno = saved;
			return -1;
		}
	}
	return 0;
}

int tn_stamp_format(char out[TN_STAMP_LEN + 1], time_t t)
{
	struct tm tm;

	out[0] = '\0';
	if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		errno = EOVERFLOW;
		return -1;
	}
	if (strftime(out, TN_STAMP_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) != TN_STAMP_LEN) {
		out[0] = '\0';
		errno = EOVERFLOW;
		return -1;
	}
	return 0;
}

/* n decimal digits at s. */
static int digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

int tn_stamp_parse(const char *s, time_t *t)
{
	struct tm tm;
	time_t v;
	char back[TN_STAMP_LEN + 1];

	if (!s || strlen(s) != TN_STAMP_LEN || s[8] != 'T' || s[15] != 'Z')
		goto bad;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 4, 2) - 1;
	tm.tm_mday = digits(s + 6, 2);
	tm.tm_hour = digits(s + 9, 2);
	tm.tm_min = digits(s + 11, 2);
	tm.tm_sec = digits(s + 13, 2);
	if (tm.tm_year < -1900 || tm.tm_mon < 0 || tm.tm_mday < 0 ||
	    tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0)
		goto bad;
	/* timegm normalises 20240231 into March; only a stamp that formats
	 * back to itself names a real moment */
	v = timegm(&tm);
	if (tn_stamp_format(back, v) < 0 || strcmp(back, s) != 0)
		goto bad;
	*t = v;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
