/* fetch_file.c - see fetch_file.h. */
#include "fetch_file.h"

#include "cli.h"
#include "csvio.h"
#include "dates.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <string.h>

enum { COL_SYMBOL, COL_DATE, COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE, COL_ADJ,
       COL_VOLUME, NCOLS };

/* Each column's accepted names, Yahoo's and Stooq's first, then ours and
 * lower-case variants. */
static const char *const column_names[NCOLS][4] = {
	[COL_SYMBOL] = { "symbol", "Symbol", NULL },
	[COL_DATE] = { "Date", "date", NULL },
	[COL_OPEN] = { "Open", "open", NULL },
	[COL_HIGH] = { "High", "high", NULL },
	[COL_LOW] = { "Low", "low", NULL },
	[COL_CLOSE] = { "Close", "close", NULL },
	[COL_ADJ] = { "Adj Close", "adj_close", "adjclose", NULL },
	[COL_VOLUME] = { "Volume", "volume", NULL },
};

static int find_column(struct tn_csv_reader *r, int which)
{
	int i, col;

	for (i = 0; column_names[which][i]; i++)
		if ((col = tn_csv_column(r, column_names[which][i])) >= 0)
			return col;
	return -1;
}

static int fail(char *err, size_t size, int code, const char *msg)
{
	snprintf(err, size, "%s", msg);
	return code;
}

int tn_fetch_read_csv(FILE *fp, const char *name, const char *symbol,
		      struct tn_fetch_series *s, char *err, size_t errsize)
{
	static const int price_cols[] = { COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE,
					  COL_ADJ, COL_VOLUME };
	struct tn_csv_reader *r = tn_csv_open(fp, name);
	int idx[NCOLS], i, rc, code = 0;

	if (tn_csv_status(r)) {
		code = fail(err, errsize, tn_csv_status(r), tn_csv_error(r));
		goto out;
	}
	for (i = 0; i < NCOLS; i++)
		idx[i] = find_column(r, i);
	for (i = COL_DATE; i <= COL_CLOSE; i++) {
		if (idx[i] < 0) {
			snprintf(err, errsize, "%s:%ld: missing column '%s'",
				 strcmp(name, "-") ? name : "<stdin>",
				 tn_csv_line(r), column_names[i][0]);
			code = TN_EX_DATAERR;
			goto out;
		}
	}
	s->has_adj = idx[COL_ADJ] >= 0;
	while ((rc = tn_csv_next(r)) > 0) {
		struct tn_bar bar;
		double *dst[] = { &bar.open, &bar.high, &bar.low, &bar.close,
				  &bar.adj_close, &bar.volume };
		const char *text;

		if (idx[COL_SYMBOL] >= 0) {
			char sym[TN_SYMBOL_MAX + 1];
			const char *why;

			if (tn_symbol_normalise(tn_csv_field(r, idx[COL_SYMBOL]),
						sym, &why) < 0 ||
			    strcmp(sym, symbol) != 0)
				continue;
		}
		text = tn_csv_field(r, idx[COL_DATE]);
		if (tn_date_parse(text, &bar.date) < 0) {
			code = fail(err, errsize, TN_EX_DATAERR,
				    tn_csv_field_error(r, idx[COL_DATE],
						       "not a YYYY-MM-DD date: '%s'",
						       text));
			goto out;
		}
		for (i = 0; i < 6; i++) {
			*dst[i] = NAN;
			if (tn_csv_double(r, idx[price_cols[i]], dst[i]) ==
			    TN_CSV_BAD) {
				code = fail(err, errsize, TN_EX_DATAERR,
					    tn_csv_error(r));
				goto out;
			}
		}
		tn_series_push(s, &bar);
	}
	if (rc < 0)
		code = fail(err, errsize,
			    tn_csv_status(r) ? tn_csv_status(r) : TN_EX_DATAERR,
			    tn_csv_error(r));
out:
	tn_csv_close(r);
	return code;
}

int tn_fetch_read_csv_mem(const char *buf, size_t len, const char *name,
			  const char *symbol, struct tn_fetch_series *s,
			  char *err, size_t errsize)
{
	FILE *fp;
	int code;

	if (len == 0)
		return fail(err, errsize, TN_EX_DATAERR, "empty response");
	fp = fmemopen((void *)buf, len, "r");
	if (!fp) {
		snprintf(err, errsize, "%s: fmemopen: %s", name, strerror(errno));
		return TN_EX_SOFTWARE;
	}
	code = tn_fetch_read_csv(fp, name, symbol, s, err, errsize);
	fclose(fp);
	return code;
}

int tn_fetch_file(const char *dir, const char *symbol,
		  struct tn_fetch_series *s, char *err, size_t errsize)
{
	char path[TN_FETCH_PATH_MAX], lower[TN_SYMBOL_MAX + 1];
	FILE *fp;
	size_t i;
	int code;

	for (i = 0; symbol[i] && i < TN_SYMBOL_MAX; i++)
		lower[i] = (char)tolower((unsigned char)symbol[i]);
	lower[i] = '\0';
	snprintf(path, sizeof path, "%s/%s.csv", dir, symbol);
	fp = fopen(path, "r");
	if (!fp && errno == ENOENT) {
		snprintf(path, sizeof path, "%s/%s.csv", dir, lower);
		fp = fopen(path, "r");
		if (!fp && errno == ENOENT)
			snprintf(path, sizeof path, "%s/%s.csv", dir, symbol);
	}
	if (!fp) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? TN_EX_NOINPUT : TN_EX_IOERR;
	}
	code = tn_fetch_read_csv(fp, path, symbol, s, err, errsize);
	if (fclose(fp) != 0 && !code) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		code = TN_EX_IOERR;
	}
	return code;
}
