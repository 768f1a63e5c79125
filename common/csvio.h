/* csvio.h - streaming CSV in and out, on libcsv (RFC 4180).
 *
 * Reading keeps one row in memory at a time and never seeks, so it works on
 * pipes.  The first row is the header.  Input may start with a UTF-8 byte
 * order mark and may end its lines with \r\n; blank lines are skipped.
 * Unquoted fields lose leading and trailing spaces and tabs (libcsv's
 * rule), quoted fields are kept byte for byte; header names are then
 * matched exactly, case included.  Lines are counted by \n, so a row whose
 * quoted field holds newlines is reported at the line where it starts, and
 * the rows after it keep their true line numbers.
 *
 * Errors are kept as one line of text in the "where: what" form, ready for
 *     die(tn_csv_status(r), "%s", tn_csv_error(r));
 * where is NAME:LINE or NAME:LINE:COL, COL being the 1-based field index.
 * NAME "-" (or NULL) is shown as "<stdin>".
 *
 *     r = tn_csv_open(stdin, "-");
 *     if (tn_csv_status(r) || tn_csv_require(r, names, idx) < 0)
 *             die(..., "%s", tn_csv_error(r));
 *     while ((rc = tn_csv_next(r)) > 0)
 *             if (tn_csv_double(r, idx[CLOSE], &close) == TN_CSV_BAD)
 *                     die(TN_EX_DATAERR, "%s", tn_csv_error(r));
 *     if (rc < 0)
 *             die(tn_csv_status(r), "%s", tn_csv_error(r));
 *     tn_csv_close(r);
 *
 * Writing: shortest round-trip numbers, missing values as empty cells
 * (never "nan"), fields quoted only where they need it.  A row reaches the
 * FILE whole, at tn_csv_end_row. */
#ifndef TN_CSVIO_H
#define TN_CSVIO_H

#include <stdio.h>

/* A row, its quoted newlines included, may be at most this long: a file
 * with no line ends (binary junk, a wrong file) fails instead of filling
 * memory. */
#define TN_CSV_MAX_ROW_BYTES (8u << 20)

/* Enough for any double tn_csv_format_double prints, NUL included (more
 * than TN_DOUBLE_TEXT_MAX + 1, kept for the callers' buffers). */
#define TN_CSV_DOUBLE_MAX 32

/* What a typed getter found. */
enum tn_csv_value {
	TN_CSV_OK = 0,      /* a value, stored */
	TN_CSV_MISSING = 1, /* an empty cell, NaN or null: nothing stored
			     * but NAN for doubles */
	TN_CSV_BAD = -1,    /* not a valid value; tn_csv_error says why */
};

struct tn_csv_reader;

/* Reads the header from fp, which stays the caller's (tn_csv_close does not
 * close it).  Always returns a reader; when the header could not be read
 * (empty input, read error, malformed or duplicate names) tn_csv_status is
 * non-zero, tn_csv_error says why and tn_csv_next returns -1.  Dies only
 * when out of memory, like xmalloc. */
struct tn_csv_reader *tn_csv_open(FILE *fp, const char *name);
void tn_csv_close(struct tn_csv_reader *r);

/* 0 while the stream is fine, else the exit code its failure calls for:
 * TN_EX_DATAERR (65) for bad CSV, TN_EX_IOERR (74) for a read error.
 * Bad values met by the getters do not set it. */
int tn_csv_status(const struct tn_csv_reader *r);
/* The last error, one line without a newline; NULL if there was none. */
const char *tn_csv_error(const struct tn_csv_reader *r);

/* The header. */
int tn_csv_ncols(const struct tn_csv_reader *r);
const char *tn_csv_name(const struct tn_csv_reader *r, int col);
/* The 0-based index of the column named exactly `name`, or -1. */
int tn_csv_column(const struct tn_csv_reader *r, const char *name);
/* Looks up every name of the NULL-terminated list into idx[].  Returns 0,
 * or -1 with the error "NAME:LINE: missing column 'close'" naming the first
 * absent one (LINE is the header's). */
int tn_csv_require(struct tn_csv_reader *r, const char *const names[],
		   int idx[]);

/* Reads the next row: 1 a row, 0 end of input, -1 an error.  A row whose
 * field count differs from the header's is an error ("NAME:LINE: expected
 * 8 fields, found 7") after which reading may go on with the next row;
 * malformed CSV and read errors end the stream (tn_csv_status is set and
 * every later call returns -1). */
int tn_csv_next(struct tn_csv_reader *r);
/* The physical line where the current row (or the header, before the
 * first tn_csv_next) starts, 1-based. */
long tn_csv_line(const struct tn_csv_reader *r);

/* The current row's field `col` as read, "" when empty.  Valid until the
 * next tn_csv_next.  col is an index from tn_csv_column: -1 (an absent
 * optional column) gives "", and the typed getters call it missing; an
 * index past the header is a bug and dies with TN_EX_SOFTWARE. */
const char *tn_csv_field(const struct tn_csv_reader *r, int col);

/* Typed getters, each returning an enum tn_csv_value.  Missing is an empty
 * cell or, in any letter case, "nan" or "null".  Numbers are strict: the
 * whole cell, no blanks, finite, in range.  On TN_CSV_BAD the error reads
 *     NAME:LINE:COL: column 'close': not a number: 'abc'
 * Getters never change tn_csv_status. */
int tn_csv_double(struct tn_csv_reader *r, int col, double *v);
int tn_csv_long(struct tn_csv_reader *r, int col, long *v);
/* *s points into the row (see tn_csv_field); an empty cell is missing, and
 * a non-empty one is a string even if it reads "nan". */
int tn_csv_string(struct tn_csv_reader *r, int col, const char **s);

/* 1 if the current row repeats the header, every cell its column's name,
 * as `cat a.csv b.csv` leaves; readers skip such rows. */
int tn_csv_is_header_row(const struct tn_csv_reader *r);

/* The size of a buffer for tn_csv_show. */
#define TN_CSV_SHOW_SIZE (4 * 40 + 8)

/* Copies the cell s into out[TN_CSV_SHOW_SIZE] for an error message: cut
 * short (not inside a UTF-8 character), control characters escaped, so
 * the message stays one line and cannot drive a terminal. */
void tn_csv_show(char *out, size_t size, const char *s);

/* Sets the error to "NAME:LINE:COL: column 'NAME': " + the message, for
 * checks the caller makes itself (dates, symbols), and returns it. */
const char *tn_csv_field_error(struct tn_csv_reader *r, int col,
			       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prints finite v in buf[TN_CSV_DOUBLE_MAX] as the shortest decimal that
 * reads back as exactly v, laid out as %g does (tn_format_double,
 * numconv.h).  Returns the length. */
int tn_csv_format_double(char *buf, double v);

struct tn_csv_writer;

/* A writer of rows of ncols fields on fp, which stays the caller's.  Writes
 * nothing yet.  Every function below returns 0, or -1 when writing failed
 * (errno set; the caller dies with TN_EX_IOERR); after a failure every
 * call returns -1. */
struct tn_csv_writer *tn_csv_writer_open(FILE *fp, int ncols);
/* The header line: ncols names.  Optional, for output that continues a
 * file which already has one. */
int tn_csv_write_header(struct tn_csv_writer *w, const char *const names[]);
/* One field each.  A NULL or empty string, a non-finite double and
 * tn_csv_put_missing all write an empty cell. */
int tn_csv_put_string(struct tn_csv_writer *w, const char *s);
int tn_csv_put_double(struct tn_csv_writer *w, double v);
int tn_csv_put_long(struct tn_csv_writer *w, long v);
int tn_csv_put_missing(struct tn_csv_writer *w);
/* Ends the row with \n.  A row of the wrong width is a bug: it dies with
 * TN_EX_SOFTWARE, as does a field past ncols. */
int tn_csv_end_row(struct tn_csv_writer *w);
/* Flushes fp and frees the writer; -1 if this or any earlier write
 * failed.  A half-written row is a bug (dies). */
int tn_csv_writer_close(struct tn_csv_writer *w);

#endif
