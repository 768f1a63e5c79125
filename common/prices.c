/* prices.c - see prices.h. */
#include "prices.h"

#include "cli.h"
#include "dates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { COL_SYMBOL, COL_DATE, COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE,
       COL_VOLUME, NREQUIRED };

static const char *const required[] = { "symbol", "date", "open", "high",
					"low", "close", "volume", NULL };
static const char *const header[] = { "symbol", "date", "open", "high", "low",
				      "close", "adj_close", "volume", NULL };

struct tn_prices_reader {
	struct tn_csv_reader *csv;
	int flags;
	int idx[NREQUIRED];
	int adj_idx;          /* -1 when absent */
	char error[512];      /* our own errors; else the CSV reader's */
	int status;
	long skipped;
	char current[TN_SYMBOL_MAX + 1]; /* symbol of the previous row */
	tn_day last_date;
	char (*seen)[TN_SYMBOL_MAX + 1]; /* symbols finished, to catch interleaving */
	int nseen, capseen;
	/* the last symbol cell normalised, as read and as normalised: a
	 * symbol's rows come together, so most rows repeat it */
	char raw[TN_SYMBOL_MAX + 1], normalised[TN_SYMBOL_MAX + 1];
	int has_raw;
};

struct tn_prices_reader *tn_prices_open(FILE *fp, const char *name, int flags)
{
	struct tn_prices_reader *pr = xcalloc(1, sizeof *pr);

	pr->csv = tn_csv_open(fp, name);
	pr->flags = flags;
	pr->adj_idx = -1;
	if (tn_csv_status(pr->csv)) {
		pr->status = tn_csv_status(pr->csv);
		return pr;
	}
	if (tn_csv_require(pr->csv, required, pr->idx) < 0) {
		pr->status = TN_EX_DATAERR;
		return pr;
	}
	pr->adj_idx = tn_csv_column(pr->csv, "adj_close");
	return pr;
}

int tn_prices_status(const struct tn_prices_reader *pr)
{
	return pr->status;
}

const char *tn_prices_error(const struct tn_prices_reader *pr)
{
	return pr->error[0] ? pr->error : tn_csv_error(pr->csv);
}

long tn_prices_skipped(const struct tn_prices_reader *pr)
{
	return pr->skipped;
}

void tn_prices_close(struct tn_prices_reader *pr)
{
	if (!pr)
		return;
	tn_csv_close(pr->csv);
	free(pr->seen);
	free(pr);
}

static int was_seen(const struct tn_prices_reader *pr, const char *symbol)
{
	int i;

	for (i = 0; i < pr->nseen; i++)
		if (strcmp(pr->seen[i], symbol) == 0)
			return 1;
	return 0;
}

static void mark_seen(struct tn_prices_reader *pr, const char *symbol)
{
	if (pr->nseen == pr->capseen) {
		pr->capseen = pr->capseen ? 2 * pr->capseen : 64;
		pr->seen = xreallocarray(pr->seen, (size_t)pr->capseen,
					 sizeof *pr->seen);
	}
	memcpy(pr->seen[pr->nseen++], symbol, TN_SYMBOL_MAX + 1);
}

/* A bad field: records "where: what" and returns -1. */
static int bad_field(struct tn_prices_reader *pr, int col, const char *what)
{
	snprintf(pr->error, sizeof pr->error, "%s",
		 tn_csv_field_error(pr->csv, col, "%s", what));
	return -1;
}

/* A price cell: present, finite, positive. */
static int get_price(struct tn_prices_reader *pr, int col, double *v)
{
	int rc = tn_csv_double(pr->csv, col, v);

	if (rc == TN_CSV_BAD) {
		snprintf(pr->error, sizeof pr->error, "%s", tn_csv_error(pr->csv));
		return -1;
	}
	if (rc == TN_CSV_MISSING)
		return bad_field(pr, col, "missing price");
	if (*v <= 0) {
		char what[64];

		snprintf(what, sizeof what, "price must be positive: %.17g", *v);
		return bad_field(pr, col, what);
	}
	return 0;
}

/* tn_symbol_normalise, remembering the last answer. */
static int symbol_of(struct tn_prices_reader *pr, const char *s, char *out,
		     const char **why)
{
	size_t len;

	if (pr->has_raw && strcmp(s, pr->raw) == 0) {
		memcpy(out, pr->normalised, sizeof pr->normalised);
		return 0;
	}
	if (tn_symbol_normalise(s, out, why) < 0)
		return -1;
	len = strlen(s);
	pr->has_raw = len < sizeof pr->raw;
	if (pr->has_raw) {
		memcpy(pr->raw, s, len + 1);
		memcpy(pr->normalised, out, sizeof pr->normalised);
	}
	return 0;
}

/* Parses and checks the current row into *row; -1 with pr->error set. */
static int parse_row(struct tn_prices_reader *pr, struct tn_price_row *row)
{
	struct tn_bar *b = &row->bar;
	const char *why, *s = tn_csv_field(pr->csv, pr->idx[COL_SYMBOL]);
	char what[96], d1[TN_DATE_LEN + 1], d2[TN_DATE_LEN + 1];
	int rc;

	if (symbol_of(pr, s, row->symbol, &why) < 0)
		return bad_field(pr, pr->idx[COL_SYMBOL], why);
	if (tn_date_parse(tn_csv_field(pr->csv, pr->idx[COL_DATE]), &b->date) < 0)
		return bad_field(pr, pr->idx[COL_DATE], "expected a date YYYY-MM-DD");
	if (get_price(pr, pr->idx[COL_OPEN], &b->open) < 0 ||
	    get_price(pr, pr->idx[COL_HIGH], &b->high) < 0 ||
	    get_price(pr, pr->idx[COL_LOW], &b->low) < 0 ||
	    get_price(pr, pr->idx[COL_CLOSE], &b->close) < 0)
		return -1;
	if (b->high < b->low)
		return bad_field(pr, pr->idx[COL_HIGH], "high is below low");
	rc = tn_csv_double(pr->csv, pr->adj_idx, &b->adj_close);
	if (rc == TN_CSV_MISSING)
		b->adj_close = b->close;
	else if (rc == TN_CSV_BAD || (rc == TN_CSV_OK && b->adj_close <= 0)) {
		if (rc == TN_CSV_OK)
			return bad_field(pr, pr->adj_idx, "price must be positive");
		snprintf(pr->error, sizeof pr->error, "%s", tn_csv_error(pr->csv));
		return -1;
	}
	rc = tn_csv_double(pr->csv, pr->idx[COL_VOLUME], &b->volume);
	if (rc == TN_CSV_BAD) {
		snprintf(pr->error, sizeof pr->error, "%s", tn_csv_error(pr->csv));
		return -1;
	}
	if (rc == TN_CSV_OK && b->volume < 0)
		return bad_field(pr, pr->idx[COL_VOLUME], "volume is negative");

	row->first = strcmp(row->symbol, pr->current) != 0;
	if (row->first) {
		if (was_seen(pr, row->symbol)) {
			snprintf(what, sizeof what,
				 "rows of %s are interleaved with another symbol's",
				 row->symbol);
			return bad_field(pr, pr->idx[COL_SYMBOL], what);
		}
	} else if (b->date <= pr->last_date) {
		tn_date_format(b->date, d1);
		tn_date_format(pr->last_date, d2);
		if (b->date == pr->last_date)
			snprintf(what, sizeof what, "duplicate date %s", d1);
		else
			snprintf(what, sizeof what, "date %s is out of order (after %s)",
				 d1, d2);
		return bad_field(pr, pr->idx[COL_DATE], what);
	}
	return 0;
}

int tn_prices_next(struct tn_prices_reader *pr, struct tn_price_row *row)
{
	int rc;

	if (pr->status)
		return -1;
	for (;;) {
		pr->error[0] = '\0';
		rc = tn_csv_next(pr->csv);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			if (tn_csv_status(pr->csv)) {
				pr->status = tn_csv_status(pr->csv);
				return -1;
			}
			/* a row of the wrong width */
			if (pr->flags & TN_PRICES_SKIP_BAD) {
				warn("%s: skipped", tn_csv_error(pr->csv));
				pr->skipped++;
				continue;
			}
			pr->status = TN_EX_DATAERR;
			return -1;
		}
		if (tn_csv_is_header_row(pr->csv))
			continue;
		if (parse_row(pr, row) == 0)
			break;
		if (!(pr->flags & TN_PRICES_SKIP_BAD)) {
			pr->status = TN_EX_DATAERR;
			return -1;
		}
		warn("%s: skipped", pr->error);
		pr->skipped++;
	}
	if (row->first) {
		if (pr->current[0])
			mark_seen(pr, pr->current);
		memcpy(pr->current, row->symbol, sizeof pr->current);
	}
	pr->last_date = row->bar.date;
	return 1;
}

struct tn_csv_writer *tn_prices_writer(FILE *fp)
{
	struct tn_csv_writer *w = tn_csv_writer_open(fp, 8);

	if (tn_csv_write_header(w, header) < 0) {
		tn_csv_writer_close(w);
		return NULL;
	}
	return w;
}

int tn_prices_write(struct tn_csv_writer *w, const char *symbol,
		    const struct tn_bar *bar)
{
	char date[TN_DATE_LEN + 1];

	tn_date_format(bar->date, date);
	if (tn_csv_put_string(w, symbol) < 0 || tn_csv_put_string(w, date) < 0 ||
	    tn_csv_put_double(w, bar->open) < 0 ||
	    tn_csv_put_double(w, bar->high) < 0 ||
	    tn_csv_put_double(w, bar->low) < 0 ||
	    tn_csv_put_double(w, bar->close) < 0 ||
	    tn_csv_put_double(w, bar->adj_close) < 0 ||
	    tn_csv_put_double(w, bar->volume) < 0)
		return -1;
	return tn_csv_end_row(w);
}
