/* prices.h - the prices CSV contract (tickernet-formats(5)):
 *     symbol,date,open,high,low,close,adj_close,volume
 * one row per trading day, a symbol's rows together and in date order.
 *
 * The reader streams rows one at a time and checks what every consumer
 * relies on: a valid symbol (upper-cased), an ISO date, positive finite
 * prices, high >= low, a non-negative volume, each symbol's rows together
 * (not interleaved with another's) and strictly increasing dates.  Columns
 * are found by name, so extra columns and any order are fine; adj_close may
 * be absent or empty and then equals close; an empty volume is NAN.  A row
 * that repeats the header (files joined with cat) is skipped.
 *
 * A bad row is an error ("NAME:LINE:COL: column 'date': ..."), or, with
 * TN_PRICES_SKIP_BAD, dropped and counted. */
#ifndef TN_PRICES_H
#define TN_PRICES_H

#include "csvio.h"
#include "symbol.h"
#include "dates.h"

#include <stdio.h>

enum { TN_PRICES_SKIP_BAD = 1 };

/* One daily bar; volume is NAN when the source gives none. */
struct tn_bar {
	tn_day date;
	double open, high, low, close, adj_close, volume;
};

struct tn_price_row {
	char symbol[TN_SYMBOL_MAX + 1];
	struct tn_bar bar;
	int first; /* 1 on the first row of a symbol */
};

struct tn_prices_reader;

/* Reads the header; check tn_prices_status before use (as tn_csv_open). */
struct tn_prices_reader *tn_prices_open(FILE *fp, const char *name, int flags);
/* 1 a row, 0 the end, -1 an error (tn_prices_error says which; with
 * TN_PRICES_SKIP_BAD only broken CSV or I/O ends the stream). */
int tn_prices_next(struct tn_prices_reader *pr, struct tn_price_row *row);
/* 0, or the exit code for the last error (65 bad data, 74 I/O). */
int tn_prices_status(const struct tn_prices_reader *pr);
const char *tn_prices_error(const struct tn_prices_reader *pr);
/* Rows dropped under TN_PRICES_SKIP_BAD. */
long tn_prices_skipped(const struct tn_prices_reader *pr);
void tn_prices_close(struct tn_prices_reader *pr);

/* Writing the contract's columns. */
struct tn_csv_writer *tn_prices_writer(FILE *fp);
int tn_prices_write(struct tn_csv_writer *w, const char *symbol,
		    const struct tn_bar *bar);

#endif
