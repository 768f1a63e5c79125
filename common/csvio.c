/* csvio.c - see csvio.h.
 *
 * libcsv does the parsing; this file decides what it is fed.  Input goes
 * to libcsv one physical line at a time (getline), which is how rows get
 * their line numbers: with CSV_REPALL_NL libcsv reports every \n that is
 * outside quotes, so after each line we know whether the next line starts
 * a new row or continues a quoted field.  libcsv's own character classes
 * are used (custom ones cost an indirect call per byte, a third of the
 * parse): \r and \n both end a row, so \r\n ends a row and then reports
 * an empty one, which is skipped.  Anything but blanks and more \r after
 * a \r outside quotes would start a row in the middle of a line; that is
 * an error, so each fed line still completes at most one row and the
 * reader never has to queue rows. */
#include "csvio.h"

#include "cli.h"
#include "numconv.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Long enough for a location, a column name and a shown value. */
#define ERR_MAX 512
/* Longest part of a cell or name quoted in an error message. */
#define SHOW_MAX 40
_Static_assert(TN_CSV_SHOW_SIZE == 4 * SHOW_MAX + 8, "TN_CSV_SHOW_SIZE");
_Static_assert(TN_CSV_DOUBLE_MAX > TN_DOUBLE_TEXT_MAX, "TN_CSV_DOUBLE_MAX");

static const char utf8_bom[] = "\xEF\xBB\xBF";

struct tn_csv_reader {
	FILE *fp;
	char *name;            /* as shown in messages */
	struct csv_parser parser;

	char *line;            /* getline's buffer */
	size_t line_cap;
	long line_no;          /* lines read so far */

	/* The row being assembled: its fields end to end, each NUL-terminated,
	 * at text + offsets[i]. */
	char *text;
	size_t text_len, text_cap;
	size_t *offsets;       /* (fields_cap) */
	int nfields, fields_cap;
	long row_line;         /* where the row started */
	size_t row_bytes;      /* input bytes since it started */
	int at_row_start;      /* the last line ended outside quotes */
	int saw_newline;       /* libcsv reported an unquoted \n */
	int row_done;          /* libcsv completed a non-empty row */
	int cr_seen;           /* libcsv reported a \r in this line */
	int bare_cr;           /* and a field began after it */

	char **names;          /* (ncols) the header */
	int ncols;
	long header_line;

	int eof;
	int status;            /* sticky: TN_EX_DATAERR or TN_EX_IOERR */
	int has_error;
	char error[ERR_MAX];
};

/* Rows are put together in memory and handed to stdio whole: one fwrite
 * a row instead of a stdio call a field. */
struct tn_csv_writer {
	FILE *fp;
	int ncols;
	int nfields;           /* written in the current row */
	int failed;
	char *row;             /* the current row's text, not NUL-terminated */
	size_t row_len, row_cap;
};

/* At most SHOW_MAX bytes of s are shown. */
void tn_csv_show(char *out, size_t size, const char *s)
{
	size_t len = strlen(s), o = 0, i;
	int cut = len > SHOW_MAX;

	if (cut) {
		len = SHOW_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	for (i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			o += (size_t)snprintf(out + o, size - o, "\\n");
		else if (c == '\r')
			o += (size_t)snprintf(out + o, size - o, "\\r");
		else if (c == '\t')
			o += (size_t)snprintf(out + o, size - o, "\\t");
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (cut && o + 4 < size)
		o += (size_t)snprintf(out + o, size - o, "...");
	out[o] = '\0';
}

static void set_error(struct tn_csv_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct tn_csv_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	r->has_error = 1;
}

/* An error that ends the stream. */
static int fail(struct tn_csv_reader *r, int status)
{
	r->status = status;
	return -1;
}

static void on_field(void *data, size_t len, void *arg)
{
	struct tn_csv_reader *r = arg;

	if (r->cr_seen) {
		r->bare_cr = 1;
		return;
	}
	if (r->nfields == r->fields_cap) {
		r->fields_cap = r->fields_cap ? 2 * r->fields_cap : 16;
		r->offsets = xreallocarray(r->offsets, (size_t)r->fields_cap,
					   sizeof *r->offsets);
	}
	if (r->text_len + len + 1 > r->text_cap) {
		while (r->text_len + len + 1 > r->text_cap)
			r->text_cap = r->text_cap ? 2 * r->text_cap : 256;
		r->text = xrealloc(r->text, r->text_cap);
	}
	/* libcsv passes a NULL buffer for an empty first field */
	if (len)
		memcpy(r->text + r->text_len, data, len);
	r->text[r->text_len + len] = '\0';
	r->offsets[r->nfields++] = r->text_len;
	r->text_len += len + 1;
}

/* c is the terminator: '\n', '\r', or -1 from csv_fini at end of
 * input. */
static void on_row(int c, void *arg)
{
	struct tn_csv_reader *r = arg;

	if (c == '\n')
		r->saw_newline = 1;
	else if (c == '\r')
		r->cr_seen = 1;
	/* CSV_REPALL_NL also reports blank lines, as rows of no fields */
	if (r->nfields > 0)
		r->row_done = 1;
}

/* What libcsv trims from the ends of an unquoted field. */
static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Feeds lines to libcsv until it completes a row: 1 a row, 0 end of
 * input, -1 an error (stream ended). */
static int read_row(struct tn_csv_reader *r)
{
	r->nfields = 0;
	r->text_len = 0;
	r->row_done = 0;
	while (!r->eof) {
		ssize_t n = getline(&r->line, &r->line_cap, r->fp);
		const char *p = r->line;
		size_t len;

		if (n < 0) {
			if (ferror(r->fp)) {
				set_error(r, "%s: read error: %s", r->name,
					  strerror(errno));
				return fail(r, TN_EX_IOERR);
			}
			r->eof = 1;
			if (csv_fini(&r->parser, on_field, on_row, r) != 0) {
				set_error(r, "%s:%ld: unterminated quoted field",
					  r->name, r->row_line);
				return fail(r, TN_EX_DATAERR);
			}
			break;
		}
		len = (size_t)n;
		r->line_no++;
		if (r->at_row_start) {
			r->row_line = r->line_no;
			r->row_bytes = 0;
		}
		r->row_bytes += len;
		if (r->row_bytes > TN_CSV_MAX_ROW_BYTES) {
			set_error(r, "%s:%ld: row longer than %u bytes", r->name,
				  r->row_line, TN_CSV_MAX_ROW_BYTES);
			return fail(r, TN_EX_DATAERR);
		}
		/* the fields are C strings: a NUL would cut one short silently */
		if (memchr(p, '\0', len)) {
			set_error(r, "%s:%ld: NUL byte in input", r->name,
				  r->line_no);
			return fail(r, TN_EX_DATAERR);
		}
		if (r->line_no == 1 && len >= 3 && memcmp(p, utf8_bom, 3) == 0) {
			p += 3;
			len -= 3;
		}
		r->saw_newline = 0;
		r->cr_seen = 0;
		if (csv_parse(&r->parser, p, len, on_field, on_row, r) != len) {
			int e = csv_error(&r->parser);

			if (e == CSV_EPARSE)
				set_error(r, "%s:%ld: malformed CSV: misplaced quote",
					  r->name, r->line_no);
			else
				set_error(r, "%s:%ld: %s", r->name, r->line_no,
					  csv_strerror(e));
			return fail(r, TN_EX_DATAERR);
		}
		/* a field after the \r that the line did not finish (a quoted
		 * one running on): libcsv is not back in its ROW_NOT_BEGUN */
		if (r->cr_seen && r->parser.pstate != 0)
			r->bare_cr = 1;
		if (r->bare_cr) {
			set_error(r, "%s:%ld: carriage return inside a line "
				  "(only \\n or \\r\\n may end a row)",
				  r->name, r->line_no);
			return fail(r, TN_EX_DATAERR);
		}
		r->at_row_start = r->saw_newline;
		if (r->row_done)
			break;
	}
	return r->row_done;
}

static char *display_name(const char *name)
{
	return xstrdup(!name || strcmp(name, "-") == 0 ? "<stdin>" : name);
}

static void read_header(struct tn_csv_reader *r)
{
	char shown[TN_CSV_SHOW_SIZE];
	int rc = read_row(r), i, j;

	if (rc < 0)
		return;
	if (rc == 0) {
		set_error(r, "%s: empty input: no CSV header", r->name);
		fail(r, TN_EX_DATAERR);
		return;
	}
	r->header_line = r->row_line;
	r->ncols = r->nfields;
	r->names = xreallocarray(NULL, (size_t)r->ncols, sizeof *r->names);
	for (i = 0; i < r->ncols; i++)
		r->names[i] = xstrdup(r->text + r->offsets[i]);
	/* a duplicate would make tn_csv_column's answer arbitrary */
	for (i = 1; i < r->ncols; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(r->names[i], r->names[j]) != 0)
				continue;
			tn_csv_show(shown, sizeof shown, r->names[i]);
			set_error(r, "%s:%ld:%d: duplicate column '%s'", r->name,
				  r->header_line, i + 1, shown);
			fail(r, TN_EX_DATAERR);
			return;
		}
	}
}

struct tn_csv_reader *tn_csv_open(FILE *fp, const char *name)
{
	struct tn_csv_reader *r = xcalloc(1, sizeof *r);

	r->fp = fp;
	r->name = display_name(name);
	r->at_row_start = 1;
	if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
		die(TN_EX_SOFTWARE, "%s: cannot initialise the CSV parser",
		    r->name);
	csv_set_realloc_func(&r->parser, xrealloc);
	read_header(r);
	return r;
}

void tn_csv_close(struct tn_csv_reader *r)
{
	int i;

	if (!r)
		return;
	csv_free(&r->parser);
	for (i = 0; i < r->ncols; i++)
		free(r->names[i]);
	free(r->names);
	free(r->offsets);
	free(r->text);
	free(r->line);
	free(r->name);
	free(r);
}

int tn_csv_status(const struct tn_csv_reader *r)
{
	return r->status;
}

const char *tn_csv_error(const struct tn_csv_reader *r)
{
	return r->has_error ? r->error : NULL;
}

int tn_csv_ncols(const struct tn_csv_reader *r)
{
	return r->ncols;
}

static void check_col(const struct tn_csv_reader *r, int col)
{
	if (col >= r->ncols)
		die(TN_EX_SOFTWARE, "%s: bug: column %d of %d", r->name, col + 1,
		    r->ncols);
}

const char *tn_csv_name(const struct tn_csv_reader *r, int col)
{
	if (col < 0)
		return "";
	check_col(r, col);
	return r->names[col];
}

int tn_csv_column(const struct tn_csv_reader *r, const char *name)
{
	int i;

	for (i = 0; i < r->ncols; i++)
		if (strcmp(r->names[i], name) == 0)
			return i;
	return -1;
}

int tn_csv_require(struct tn_csv_reader *r, const char *const names[],
		   int idx[])
{
	char shown[TN_CSV_SHOW_SIZE];
	int i;

	for (i = 0; names[i]; i++) {
		idx[i] = tn_csv_column(r, names[i]);
		if (idx[i] >= 0)
			continue;
		tn_csv_show(shown, sizeof shown, names[i]);
		set_error(r, "%s:%ld: missing column '%s'", r->name,
			  r->header_line, shown);
		return -1;
	}
	return 0;
}

int tn_csv_next(struct tn_csv_reader *r)
{
	int rc;

	if (r->status)
		return -1;
	rc = read_row(r);
	if (rc <= 0)
		return rc;
	if (r->nfields != r->ncols) {
		set_error(r, "%s:%ld: expected %d fields, found %d", r->name,
			  r->row_line, r->ncols, r->nfields);
		/* tn_csv_field must not index past what this row has */
		r->nfields = 0;
		return -1;
	}
	return 1;
}

long tn_csv_line(const struct tn_csv_reader *r)
{
	return r->row_line;
}

const char *tn_csv_field(const struct tn_csv_reader *r, int col)
{
	if (col < 0)
		return "";
	check_col(r, col);
	if (col >= r->nfields)
		return "";
	return r->text + r->offsets[col];
}

int tn_csv_is_header_row(const struct tn_csv_reader *r)
{
	int i, n = tn_csv_ncols(r);

	for (i = 0; i < n; i++)
		if (strcmp(tn_csv_field(r, i), tn_csv_name(r, i)) != 0)
			return 0;
	return 1;
}

const char *tn_csv_field_error(struct tn_csv_reader *r, int col,
			       const char *fmt, ...)
{
	char shown[TN_CSV_SHOW_SIZE];
	size_t n = 0;
	va_list ap;

	if (col >= 0) {
		tn_csv_show(shown, sizeof shown, tn_csv_name(r, col));
		n = (size_t)snprintf(r->error, sizeof r->error,
				     "%s:%ld:%d: column '%s': ", r->name,
				     r->row_line, col + 1, shown);
	} else {
		n = (size_t)snprintf(r->error, sizeof r->error, "%s:%ld: ",
				     r->name, r->row_line);
	}
	if (n < sizeof r->error) {
		va_start(ap, fmt);
		vsnprintf(r->error + n, sizeof r->error - n, fmt, ap);
		va_end(ap);
	}
	r->has_error = 1;
	return r->error;
}

static int is_missing(const char *s)
{
	/* the first byte settles nearly every cell: a number's is a digit,
	 * a sign or the point */
	if (*s != 'n' && *s != 'N')
		return !*s;
	return strcasecmp(s, "nan") == 0 || strcasecmp(s, "null") == 0;
}

static int bad_value(struct tn_csv_reader *r, int col, const char *why)
{
	char shown[TN_CSV_SHOW_SIZE];

	tn_csv_show(shown, sizeof shown, tn_csv_field(r, col));
	tn_csv_field_error(r, col, "%s: '%s'", why, shown);
	return TN_CSV_BAD;
}

/* The length of field col of the current row, which tn_csv_field
 * returns: the fields lie end to end, each with its NUL. */
static size_t field_len(const struct tn_csv_reader *r, int col)
{
	if (col < 0 || col >= r->nfields)
		return 0;
	if (col + 1 < r->nfields)
		return r->offsets[col + 1] - r->offsets[col] - 1;
	return r->text_len - r->offsets[col] - 1;
}

/* Decimal numbers only (numconv.h): strtod would also take blanks, hex,
 * "inf" and "infinity", which no tool writes and which more likely mean a
 * wrong column than a value.  Underflow to zero or a subnormal is the
 * nearest double and accepted; overflow is not. */
int tn_csv_double(struct tn_csv_reader *r, int col, double *v)
{
	const char *s = tn_csv_field(r, col);

	if (is_missing(s)) {
		*v = NAN;
		return TN_CSV_MISSING;
	}
	switch (tn_parse_decimal(s, field_len(r, col), v)) {
	case TN_DECIMAL_OK:
		return TN_CSV_OK;
	case TN_DECIMAL_RANGE:
		return bad_value(r, col, "out of range");
	default:
		return bad_value(r, col, "not a number");
	}
}

int tn_csv_long(struct tn_csv_reader *r, int col, long *v)
{
	const char *s = tn_csv_field(r, col);
	const char *why;

	if (is_missing(s))
		return TN_CSV_MISSING;
	/* strtol skips leading blanks; a quoted " 12" is not an integer */
	if (isspace((unsigned char)s[0]))
		return bad_value(r, col, "not an integer");
	if (tn_parse_long(s, LONG_MIN, LONG_MAX, v, &why) < 0)
		return bad_value(r, col, why);
	return TN_CSV_OK;
}

int tn_csv_string(struct tn_csv_reader *r, int col, const char **s)
{
	const char *f = tn_csv_field(r, col);

	if (!*f)
		return TN_CSV_MISSING;
	*s = f;
	return TN_CSV_OK;
}

int tn_csv_format_double(char *buf, double v)
{
	return tn_format_double(buf, v);
}

struct tn_csv_writer *tn_csv_writer_open(FILE *fp, int ncols)
{
	struct tn_csv_writer *w = xcalloc(1, sizeof *w);

	if (ncols < 1)
		die(TN_EX_SOFTWARE, "csv writer: bug: %d columns", ncols);
	w->fp = fp;
	w->ncols = ncols;
	return w;
}

static int write_failed(struct tn_csv_writer *w)
{
	w->failed = 1;
	return -1;
}

/* Room for n more bytes of the row; returns where they go. */
static char *row_room(struct tn_csv_writer *w, size_t n)
{
	if (w->row_len + n > w->row_cap) {
		while (w->row_len + n > w->row_cap)
			w->row_cap = w->row_cap ? 2 * w->row_cap : 256;
		w->row = xrealloc(w->row, w->row_cap);
	}
	return w->row + w->row_len;
}

static void row_append(struct tn_csv_writer *w, const char *s, size_t len)
{
	memcpy(row_room(w, len), s, len);
	w->row_len += len;
}

/* Starts a field: the separator, unless it is the row's first. */
static int begin_field(struct tn_csv_writer *w)
{
	if (w->failed)
		return -1;
	if (w->nfields >= w->ncols)
		die(TN_EX_SOFTWARE, "csv writer: bug: field %d of a %d-column row",
		    w->nfields + 1, w->ncols);
	if (w->nfields++ > 0)
		row_append(w, ",", 1);
	return 0;
}

/* Quotes are needed for the separator, quotes and line ends, and for
 * outer blanks, which the reader (libcsv) would trim from an unquoted
 * field. */
static int needs_quotes(const char *s, size_t len)
{
	return strpbrk(s, ",\"\r\n") || is_blank((unsigned char)s[0]) ||
	       is_blank((unsigned char)s[len - 1]);
}

int tn_csv_put_string(struct tn_csv_writer *w, const char *s)
{
	size_t len = s ? strlen(s) : 0, n;

	if (begin_field(w) < 0)
		return -1;
	if (len == 0) {
		/* a one-column row with an empty cell would be a blank line,
		 * which readers skip */
		if (w->ncols == 1)
			row_append(w, "\"\"", 2);
		return 0;
	}
	if (!needs_quotes(s, len)) {
		row_append(w, s, len);
		return 0;
	}
	/* libcsv quotes: csv_write says how long the result is first */
	n = csv_write(NULL, 0, s, len);
	w->row_len += csv_write(row_room(w, n), n, s, len);
	return 0;
}

int tn_csv_put_missing(struct tn_csv_writer *w)
{
	return tn_csv_put_string(w, NULL);
}

int tn_csv_put_double(struct tn_csv_writer *w, double v)
{
	if (!isfinite(v))
		return tn_csv_put_missing(w);
	if (begin_field(w) < 0)
		return -1;
	/* digits, sign, point and exponent: never quoted */
	w->row_len += (size_t)tn_format_double(row_room(w, TN_DOUBLE_TEXT_MAX + 1), v);
	return 0;
}

int tn_csv_put_long(struct tn_csv_writer *w, long v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%ld", v);
	return tn_csv_put_string(w, buf);
}

int tn_csv_write_header(struct tn_csv_writer *w, const char *const names[])
{
	int i;

	for (i = 0; i < w->ncols; i++)
		if (tn_csv_put_string(w, names[i]) < 0)
			return -1;
	return tn_csv_end_row(w);
}

int tn_csv_end_row(struct tn_csv_writer *w)
{
	if (w->failed)
		return -1;
	if (w->nfields != w->ncols)
		die(TN_EX_SOFTWARE, "csv writer: bug: row of %d fields, header of %d",
		    w->nfields, w->ncols);
	w->nfields = 0;
	row_append(w, "\n", 1);
	if (fwrite(w->row, 1, w->row_len, w->fp) != w->row_len)
		return write_failed(w);
	w->row_len = 0;
	return 0;
}

int tn_csv_writer_close(struct tn_csv_writer *w)
{
	int failed;

	if (!w)
		return 0;
	if (!w->failed && w->nfields != 0)
		die(TN_EX_SOFTWARE, "csv writer: bug: closed in the middle of a row");
	failed = w->failed || fflush(w->fp) == EOF || ferror(w->fp);
	free(w->row);
	free(w);
	return failed ? -1 : 0;
}
