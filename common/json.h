/* json.h - JSON in and out, on cJSON: predictions and summaries written as
 * one object per line, requests read the same way, typed fields with
 * clear reasons, and whole small documents (graphs, configs) read with a
 * size limit.
 *
 * Numbers are written so that they read back as the same double, and a
 * non-finite number is written as null: the output never holds NaN.
 *
 * Messages follow the tools' "where: what" form, NAME:LINE where a line is
 * known; NAME "-" (or NULL) is shown as "<stdin>". */
#ifndef TN_JSON_H
#define TN_JSON_H

#include <cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* Longest line tn_json_next accepts: requests are small, and a stream
 * that is not JSON lines should fail on its first line. */
#define TN_JSON_MAX_LINE (1u << 20)
/* A sensible limit for tn_json_load: a correlation graph of 1,000
 * symbols is about 20 MB. */
#define TN_JSON_MAX_FILE (64u << 20)
/* Size of the error buffers tn_json_read and tn_json_load fill. */
#define TN_JSON_ERR_MAX 512

/* Writes obj compactly on one line and flushes it, so a reader at the
 * other end of a pipe sees each object as soon as it is made.  Returns 0,
 * or -1 with errno set when writing failed (the caller dies with
 * TN_EX_IOERR). */
int tn_json_write_line(FILE *fp, const cJSON *obj);

/* Building output.  These die like xmalloc when cJSON runs out of memory,
 * so they return nothing to check.
 *
 * Why numbers are not plain cJSON numbers: cJSON 1.7 prints a double with
 * %.15g whenever that reads back within one DBL_EPSILON of it, which is
 * not exact: about one random double in nine comes back a unit in the last
 * place off.  tn_json_number_item stores the shortest text that reads back
 * exactly (tn_csv_format_double) as a raw item; cJSON prints it verbatim
 * and the getters below read it like a number. */
cJSON *tn_json_object(void);
/* A number item, or null when v is not finite; for arrays. */
cJSON *tn_json_number_item(double v);
void tn_json_add_number(cJSON *obj, const char *key, double v);
/* A NULL s adds null. */
void tn_json_add_string(cJSON *obj, const char *key, const char *s);
void tn_json_add_bool(cJSON *obj, const char *key, int b);
/* Adds item (an array or object built by the caller), which obj then owns. */
void tn_json_add_item(cJSON *obj, const char *key, cJSON *item);

/* Typed fields of an object, looked up by exact (case-sensitive) key.
 *
 * The required forms return 0 with *out set, or -1 with *why set to a
 * short reason: "missing", "null", "not a string", "not a number", "not
 * finite", "not an integer", "out of range", "not a boolean".
 *
 * The optional forms (tn_json_opt_*) return 0 with *out set, 1 when the
 * key is absent or null (*out untouched, so it keeps the caller's default),
 * or -1 with *why set when the value has the wrong type.
 *
 * Strings point into obj.  Integers must be whole numbers that fit a long. */
int tn_json_string(const cJSON *obj, const char *key, const char **out,
		   const char **why);
int tn_json_number(const cJSON *obj, const char *key, double *out,
		   const char **why);
int tn_json_long(const cJSON *obj, const char *key, long *out,
		 const char **why);
int tn_json_bool(const cJSON *obj, const char *key, int *out, const char **why);
int tn_json_opt_string(const cJSON *obj, const char *key, const char **out,
		       const char **why);
int tn_json_opt_number(const cJSON *obj, const char *key, double *out,
		       const char **why);
int tn_json_opt_long(const cJSON *obj, const char *key, long *out,
		     const char **why);
int tn_json_opt_bool(const cJSON *obj, const char *key, int *out,
		     const char **why);

/* JSON lines: one object per line, blank lines skipped. */
struct tn_json_reader;

/* fp stays the caller's.  Dies only when out of memory. */
struct tn_json_reader *tn_json_open(FILE *fp, const char *name);
void tn_json_close(struct tn_json_reader *r);
/* Reads the next object into *obj, which the caller frees with
 * cJSON_Delete: 1 an object, 0 end of input, -1 an error (*obj NULL).
 * A line that is not JSON ("NAME:LINE: invalid JSON near column C", C the
 * 1-based byte in the line), not an object ("NAME:LINE: expected an
 * object"), too long or holding a NUL byte is skipped after its error, so
 * a server can answer it and go on; a read error ends the stream. */
int tn_json_next(struct tn_json_reader *r, cJSON **obj);
/* The line the last object (or error) came from, 1-based. */
long tn_json_line(const struct tn_json_reader *r);
/* The last error, one line without a newline; NULL if there was none. */
const char *tn_json_error(const struct tn_json_reader *r);
/* 0, or TN_EX_IOERR once a read failed. */
int tn_json_status(const struct tn_json_reader *r);
/* Sets the error to "NAME:LINE: " + the message, for checks the caller
 * makes itself ("field 'symbol': not a string"), and returns it. */
const char *tn_json_line_error(struct tn_json_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whole documents, which must be one JSON object of at most `limit` bytes.
 * They return 0 with *out set (the caller frees it with cJSON_Delete), or
 * the exit status the failure calls for, with err set to a one-line
 * message: TN_EX_NOINPUT (cannot open), TN_EX_DATAERR (empty, too large,
 * "NAME:LINE: invalid JSON near column C", "NAME:LINE: expected an
 * object"), TN_EX_IOERR (read error).  Reading works on pipes. */
int tn_json_read(FILE *fp, const char *name, size_t limit, cJSON **out,
		 char err[TN_JSON_ERR_MAX]);
/* The same from a path; "-" is stdin. */
int tn_json_load(const char *path, size_t limit, cJSON **out,
		 char err[TN_JSON_ERR_MAX]);

#endif
