/* json.c - see json.h. */
#include "json.h"

#include "cli.h"
#include "numconv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* First read of tn_json_read; it doubles from there up to the limit. */
#define READ_CHUNK 65536

struct tn_json_reader {
	FILE *fp;
	char *name;            /* as shown in messages */
	char *line;            /* getline's buffer */
	size_t line_cap;
	long line_no;
	int status;            /* sticky: TN_EX_IOERR */
	int has_error;
	char error[TN_JSON_ERR_MAX];
};

static const char *display_name(const char *name)
{
	return !name || strcmp(name, "-") == 0 ? "<stdin>" : name;
}

static noreturn void out_of_memory(void)
{
	die(TN_EX_SOFTWARE, "out of memory building JSON");
}

int tn_json_write_line(FILE *fp, const cJSON *obj)
{
	char *text = cJSON_PrintUnformatted(obj);
	int rc = 0;

	if (!text)
		out_of_memory();
	if (fputs(text, fp) == EOF || fputc('\n', fp) == EOF || fflush(fp) == EOF)
		rc = -1;
	cJSON_free(text);
	return rc;
}

cJSON *tn_json_object(void)
{
	cJSON *obj = cJSON_CreateObject();

	if (!obj)
		out_of_memory();
	return obj;
}

cJSON *tn_json_number_item(double v)
{
	char text[TN_DOUBLE_TEXT_MAX + 1];
	cJSON *item;

	if (isfinite(v)) {
		tn_format_double(text, v);
		item = cJSON_CreateRaw(text);
	} else {
		item = cJSON_CreateNull();
	}
	if (!item)
		out_of_memory();
	return item;
}

void tn_json_add_item(cJSON *obj, const char *key, cJSON *item)
{
	if (!item || !cJSON_AddItemToObject(obj, key, item))
		out_of_memory();
}

void tn_json_add_number(cJSON *obj, const char *key, double v)
{
	tn_json_add_item(obj, key, tn_json_number_item(v));
}

void tn_json_add_string(cJSON *obj, const char *key, const char *s)
{
	tn_json_add_item(obj, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

void tn_json_add_bool(cJSON *obj, const char *key, int b)
{
	tn_json_add_item(obj, key, cJSON_CreateBool(b));
}

/* Finds key: 0 and *item, 1 absent or null (an error "missing" or "null"
 * when required). */
static int lookup(const cJSON *obj, const char *key, int required,
		  const cJSON **item, const char **why)
{
	*item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (*item && !cJSON_IsNull(*item))
		return 0;
	if (!required)
		return 1;
	*why = *item ? "null" : "missing";
	return -1;
}

static int get_string(const cJSON *obj, const char *key, int required,
		      const char **out, const char **why)
{
	const cJSON *item;
	int rc = lookup(obj, key, required, &item, why);

	if (rc != 0)
		return rc;
	if (!cJSON_IsString(item)) {
		*why = "not a string";
		return -1;
	}
	*out = item->valuestring;
	return 0;
}

/* A number as cJSON parsed it, or as tn_json_number_item stored it. */
static int item_number(const cJSON *item, double *v, const char **why)
{
	char *end;

	if (cJSON_IsNumber(item)) {
		*v = item->valuedouble;
	} else if (cJSON_IsRaw(item) && item->valuestring) {
		*v = strtod(item->valuestring, &end);
		if (end == item->valuestring || *end) {
			*why = "not a number";
			return -1;
		}
	} else {
		*why = "not a number";
		return -1;
	}
	/* cJSON reads 1e999 as infinity */
	if (!isfinite(*v)) {
		*why = "not finite";
		return -1;
	}
	return 0;
}

static int get_number(const cJSON *obj, const char *key, int required,
		      double *out, const char **why)
{
	const cJSON *item;
	int rc = lookup(obj, key, required, &item, why);
	double v;

	if (rc != 0)
		return rc;
	if (item_number(item, &v, why) < 0)
		return -1;
	*out = v;
	return 0;
}

static int get_long(const cJSON *obj, const char *key, int required,
		    long *out, const char **why)
{
	const cJSON *item;
	int rc = lookup(obj, key, required, &item, why);
	double v;

	if (rc != 0)
		return rc;
	if (item_number(item, &v, why) < 0)
		return -1;
	if (v != floor(v)) {
		*why = "not an integer";
		return -1;
	}
	/* -(double)LONG_MIN is 2^63 exactly; LONG_MAX has no double */
	if (v < (double)LONG_MIN || v >= -(double)LONG_MIN) {
		*why = "out of range";
		return -1;
	}
	*out = (long)v;
	return 0;
}

static int get_bool(const cJSON *obj, const char *key, int required,
		    int *out, const char **why)
{
	const cJSON *item;
	int rc = lookup(obj, key, required, &item, why);

	if (rc != 0)
		return rc;
	if (!cJSON_IsBool(item)) {
		*why = "not a boolean";
		return -1;
	}
	*out = cJSON_IsTrue(item) ? 1 : 0;
	return 0;
}

int tn_json_string(const cJSON *obj, const char *key, const char **out,
		   const char **why)
{
	return get_string(obj, key, 1, out, why);
}

int tn_json_number(const cJSON *obj, const char *key, double *out,
		   const char **why)
{
	return get_number(obj, key, 1, out, why);
}

int tn_json_long(const cJSON *obj, const char *key, long *out,
		 const char **why)
{
	return get_long(obj, key, 1, out, why);
}

int tn_json_bool(const cJSON *obj, const char *key, int *out, const char **why)
{
	return get_bool(obj, key, 1, out, why);
}

int tn_json_opt_string(const cJSON *obj, const char *key, const char **out,
		       const char **why)
{
	return get_string(obj, key, 0, out, why);
}

int tn_json_opt_number(const cJSON *obj, const char *key, double *out,
		       const char **why)
{
	return get_number(obj, key, 0, out, why);
}

int tn_json_opt_long(const cJSON *obj, const char *key, long *out,
		     const char **why)
{
	return get_long(obj, key, 0, out, why);
}

int tn_json_opt_bool(const cJSON *obj, const char *key, int *out,
		     const char **why)
{
	return get_bool(obj, key, 0, out, why);
}

struct tn_json_reader *tn_json_open(FILE *fp, const char *name)
{
	struct tn_json_reader *r = xcalloc(1, sizeof *r);

	r->fp = fp;
	r->name = xstrdup(display_name(name));
	return r;
}

void tn_json_close(struct tn_json_reader *r)
{
	if (!r)
		return;
	free(r->line);
	free(r->name);
	free(r);
}

long tn_json_line(const struct tn_json_reader *r)
{
	return r->line_no;
}

const char *tn_json_error(const struct tn_json_reader *r)
{
	return r->has_error ? r->error : NULL;
}

int tn_json_status(const struct tn_json_reader *r)
{
	return r->status;
}

const char *tn_json_line_error(struct tn_json_reader *r, const char *fmt, ...)
{
	int n = snprintf(r->error, sizeof r->error, "%s:%ld: ", r->name,
			 r->line_no);
	va_list ap;

	if (n >= 0 && (size_t)n < sizeof r->error) {
		va_start(ap, fmt);
		vsnprintf(r->error + n, sizeof r->error - (size_t)n, fmt, ap);
		va_end(ap);
	}
	r->has_error = 1;
	return r->error;
}

/* JSON's whitespace; cJSON itself skips every byte up to 32. */
static int is_blank(const char *s, size_t len)
{
	return strspn(s, " \t\r\n") >= len;
}

/* Parses text[0 .. len) (text[len] is NUL) as one JSON value and nothing
 * after it.  NULL with *bad_at the offset cJSON stopped at on failure. */
static cJSON *parse(const char *text, size_t len, size_t *bad_at)
{
	const char *end = NULL;
	cJSON *item;

	/* the length counts the NUL: cJSON must see it to know the value
	 * is all there is */
	item = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	if (!item)
		*bad_at = end && end >= text ? (size_t)(end - text) : 0;
	return item;
}

int tn_json_next(struct tn_json_reader *r, cJSON **obj)
{
	*obj = NULL;
	if (r->status)
		return -1;
	for (;;) {
		ssize_t n = getline(&r->line, &r->line_cap, r->fp);
		size_t len, bad_at;
		cJSON *item;

		if (n < 0) {
			if (!ferror(r->fp))
				return 0;
			snprintf(r->error, sizeof r->error, "%s: read error: %s",
				 r->name, strerror(errno));
			r->has_error = 1;
			r->status = TN_EX_IOERR;
			return -1;
		}
		len = (size_t)n;
		r->line_no++;
		if (len > TN_JSON_MAX_LINE) {
			tn_json_line_error(r, "line longer than %u bytes",
					   TN_JSON_MAX_LINE);
			return -1;
		}
		/* cJSON would stop at a NUL and take the rest for the end */
		if (memchr(r->line, '\0', len)) {
			tn_json_line_error(r, "NUL byte in input");
			return -1;
		}
		if (is_blank(r->line, len))
			continue;
		item = parse(r->line, len, &bad_at);
		if (!item) {
			tn_json_line_error(r, "invalid JSON near column %zu",
					   bad_at + 1);
			return -1;
		}
		if (!cJSON_IsObject(item)) {
			cJSON_Delete(item);
			tn_json_line_error(r, "expected an object");
			return -1;
		}
		*obj = item;
		return 1;
	}
}

/* The 1-based line and column of byte `at` of text. */
static void locate(const char *text, size_t at, long *line, size_t *col)
{
	size_t i, start = 0;

	*line = 1;
	for (i = 0; i < at; i++) {
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	}
	*col = at - start + 1;
}

/* Reads all of fp, up to limit bytes, into *buf (NUL-terminated). */
static int slurp(FILE *fp, const char *name, size_t limit, char **buf,
		 size_t *len, char err[TN_JSON_ERR_MAX])
{
	size_t cap = READ_CHUNK, n;

	/* keeps the doubling below from overflowing */
	if (limit > SIZE_MAX / 4)
		limit = SIZE_MAX / 4;
	*len = 0;
	*buf = xmalloc(cap + 1);
	for (;;) {
		if (*len == cap) {
			if (cap > limit)
				break;
			cap *= 2;
			*buf = xrealloc(*buf, cap + 1);
		}
		n = fread(*buf + *len, 1, cap - *len, fp);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, TN_JSON_ERR_MAX, "%s: read error: %s", name,
			 strerror(errno));
		return TN_EX_IOERR;
	}
	if (*len > limit) {
		snprintf(err, TN_JSON_ERR_MAX, "%s: larger than %zu bytes", name,
			 limit);
		return TN_EX_DATAERR;
	}
	(*buf)[*len] = '\0';
	return 0;
}

int tn_json_read(FILE *fp, const char *name, size_t limit, cJSON **out,
		 char err[TN_JSON_ERR_MAX])
{
	const char *shown = display_name(name);
	char *text;
	const char *nul;
	size_t len, at, col;
	long line;
	cJSON *doc;
	int rc;

	*out = NULL;
	rc = slurp(fp, shown, limit, &text, &len, err);
	if (rc != 0)
		goto out;
	rc = TN_EX_DATAERR;
	nul = memchr(text, '\0', len);
	if (nul) {
		locate(text, (size_t)(nul - text), &line, &col);
		snprintf(err, TN_JSON_ERR_MAX, "%s:%ld: NUL byte in input", shown,
			 line);
		goto out;
	}
	if (is_blank(text, len)) {
		snprintf(err, TN_JSON_ERR_MAX, "%s: empty input: no JSON", shown);
		goto out;
	}
	doc = parse(text, len, &at);
	if (!doc) {
		locate(text, at, &line, &col);
		snprintf(err, TN_JSON_ERR_MAX, "%s:%ld: invalid JSON near column %zu",
			 shown, line, col);
		goto out;
	}
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		locate(text, strspn(text, " \t\r\n"), &line, &col);
		snprintf(err, TN_JSON_ERR_MAX, "%s:%ld: expected an object", shown,
			 line);
		goto out;
	}
	*out = doc;
	rc = 0;
out:
	free(text);
	return rc;
}

int tn_json_load(const char *path, size_t limit, cJSON **out,
		 char err[TN_JSON_ERR_MAX])
{
	FILE *fp;
	int rc;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		return tn_json_read(stdin, path, limit, out, err);
	fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, TN_JSON_ERR_MAX, "%s: %s", path, strerror(errno));
		return TN_EX_NOINPUT;
	}
	rc = tn_json_read(fp, path, limit, out, err);
	/* read-only: a failing fclose loses nothing */
	fclose(fp);
	return rc;
}
