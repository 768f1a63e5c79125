/* fetch_file.h - daily bars from CSV: the file:DIR source, and the body of
 * a Stooq response.
 *
 * Three layouts are recognised by their header, column order free:
 *   Yahoo's download  Date,Open,High,Low,Close,Adj Close,Volume
 *                     ("null" cells, the old CSV null rows)
 *   Stooq's           Date,Open,High,Low,Close,Volume  (CRLF, fractional
 *                     volumes, no adjusted close: prices are adjusted)
 *   our prices CSV    symbol,date,open,high,low,close,adj_close,volume
 *                     (only the rows of the requested symbol are taken)
 * Volume may be absent (indices); missing cells become NAN for
 * fetch_validate.h to judge.  A cell that is not a number or a date is an
 * error naming FILE:LINE:COL: such a file is not what it claims to be. */
#ifndef TN_FETCH_FILE_H
#define TN_FETCH_FILE_H

#include "fetch_series.h"

#include <stdio.h>

/* Longest path the file source builds. */
#define TN_FETCH_PATH_MAX 4096

/* Reads fp (named `name` in messages) into s.  Returns 0, or an exit code
 * (65 bad data, 74 read error) with err set to one line. */
int tn_fetch_read_csv(FILE *fp, const char *name, const char *symbol,
		      struct tn_fetch_series *s, char *err, size_t errsize);

/* The same from memory (an HTTP body). */
int tn_fetch_read_csv_mem(const char *buf, size_t len, const char *name,
			  const char *symbol, struct tn_fetch_series *s,
			  char *err, size_t errsize);

/* The file:DIR source: DIR/SYMBOL.csv, else DIR/symbol.csv (lower case).
 * Returns 0, or 66 when neither exists, or the reader's code; err says
 * which file and why. */
int tn_fetch_file(const char *dir, const char *symbol,
		  struct tn_fetch_series *s, char *err, size_t errsize);

#endif
