/* panel.c - see panel.h.  Two passes over memory, one over the input: the
 * rows are kept in a flat list as they stream in, then placed on the
 * union of their dates. */
#include "panel.h"

#include "cli.h"
#include "csvio.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct staged {
	int sym;
	tn_day date;
};

static int cmp_day(const void *a, const void *b)
{
	tn_day x = *(const tn_day *)a, y = *(const tn_day *)b;

	return (x > y) - (x < y);
}

int tn_panel_symbol(const struct tn_panel *p, const char *symbol)
{
	int i;

	for (i = 0; i < p->nsym; i++)
		if (strcmp(p->symbols[i], symbol) == 0)
			return i;
	return -1;
}

int tn_panel_feature(const struct tn_panel *p, const char *name)
{
	int i;

	for (i = 0; i < p->nfeat; i++)
		if (strcmp(p->features[i], name) == 0)
			return i;
	return -1;
}

int tn_panel_date_at_or_before(const struct tn_panel *p, tn_day day)
{
	int lo = 0, hi = p->ndates - 1, found = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (p->dates[mid] <= day) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

void tn_panel_free(struct tn_panel *p)
{
	int i;

	for (i = 0; i < p->nfeat; i++)
		free(p->features[i]);
	free(p->features);
	free(p->symbols);
	free(p->dates);
	free(p->values);
	memset(p, 0, sizeof *p);
}

int tn_panel_read(struct tn_panel *p, FILE *fp, const char *name, char *err,
		  size_t errsize)
{
	static const char *const keys[] = { "symbol", "date", NULL };
	struct tn_csv_reader *r = tn_csv_open(fp, name);
	struct staged *rows = NULL;
	double *cells = NULL;
	size_t nrows = 0, caprows = 0, i;
	int idx[2], *fcol = NULL, status = 0, ncols, f, rc, capsym = 0, nd;
	tn_day last = 0;
	const char *why;

	memset(p, 0, sizeof *p);
	if (tn_csv_status(r) || tn_csv_require(r, keys, idx) < 0) {
		status = tn_csv_status(r) ? tn_csv_status(r) : TN_EX_DATAERR;
		snprintf(err, errsize, "%s", tn_csv_error(r));
		goto out;
	}
	ncols = tn_csv_ncols(r);
	p->nfeat = ncols - 2;
	p->features = xcalloc((size_t)(p->nfeat > 0 ? p->nfeat : 1), sizeof *p->features);
	fcol = xcalloc((size_t)(p->nfeat > 0 ? p->nfeat : 1), sizeof *fcol);
	for (i = 0, f = 0; i < (size_t)ncols; i++)
		if ((int)i != idx[0] && (int)i != idx[1]) {
			fcol[f] = (int)i;
			p->features[f++] = xstrdup(tn_csv_name(r, (int)i));
		}

	while ((rc = tn_csv_next(r)) > 0) {
		char symbol[TN_SYMBOL_MAX + 1];
		struct staged *row;
		tn_day day;
		int s;

		if (tn_csv_is_header_row(r))
			continue; /* files joined with cat */
		if (tn_symbol_normalise(tn_csv_field(r, idx[0]), symbol, &why) < 0) {
			snprintf(err, errsize, "%s", tn_csv_field_error(r, idx[0], "%s", why));
			status = TN_EX_DATAERR;
			goto out;
		}
		if (tn_date_parse(tn_csv_field(r, idx[1]), &day) < 0) {
			snprintf(err, errsize, "%s", tn_csv_field_error(r, idx[1],
				 "expected a date YYYY-MM-DD"));
			status = TN_EX_DATAERR;
			goto out;
		}
		s = p->nsym > 0 && strcmp(p->symbols[p->nsym - 1], symbol) == 0
			    ? p->nsym - 1 : -1;
		if (s < 0) {
			if (tn_panel_symbol(p, symbol) >= 0) {
				snprintf(err, errsize, "%s", tn_csv_field_error(r, idx[0],
					 "rows of %s are interleaved with another symbol's",
					 symbol));
				status = TN_EX_DATAERR;
				goto out;
			}
			if (p->nsym == capsym) {
				capsym = capsym ? 2 * capsym : 64;
				p->symbols = xreallocarray(p->symbols, (size_t)capsym,
							   sizeof *p->symbols);
			}
			s = p->nsym++;
			memcpy(p->symbols[s], symbol, sizeof p->symbols[s]);
		} else if (day <= last) {
			snprintf(err, errsize, "%s", tn_csv_field_error(r, idx[1],
				 day == last ? "duplicate date" : "date out of order"));
			status = TN_EX_DATAERR;
			goto out;
		}
		last = day;
		if (nrows == caprows) {
			caprows = caprows ? 2 * caprows : 4096;
			rows = xreallocarray(rows, caprows, sizeof *rows);
			cells = xreallocarray(cells, caprows * (size_t)(p->nfeat ? p->nfeat : 1),
					      sizeof *cells);
		}
		row = &rows[nrows];
		row->sym = s;
		row->date = day;
		for (f = 0; f < p->nfeat; f++) {
			double v;

			if (tn_csv_double(r, fcol[f], &v) == TN_CSV_BAD) {
				snprintf(err, errsize, "%s", tn_csv_error(r));
				status = TN_EX_DATAERR;
				goto out;
			}
			cells[nrows * (size_t)p->nfeat + (size_t)f] = v;
		}
		nrows++;
	}
	if (rc < 0) {
		status = tn_csv_status(r) ? tn_csv_status(r) : TN_EX_DATAERR;
		snprintf(err, errsize, "%s", tn_csv_error(r));
		goto out;
	}

	/* the date axis: the sorted union of every row's date */
	p->dates = xmalloc((nrows ? nrows : 1) * sizeof *p->dates);
	for (i = 0; i < nrows; i++)
		p->dates[i] = rows[i].date;
	qsort(p->dates, nrows, sizeof *p->dates, cmp_day);
	for (i = 0, nd = 0; i < nrows; i++)
		if (nd == 0 || p->dates[nd - 1] != p->dates[i])
			p->dates[nd++] = p->dates[i];
	p->ndates = nd;
	p->values = xmalloc(((size_t)p->nsym * (size_t)nd * (size_t)p->nfeat + 1) *
			    sizeof *p->values);
	for (i = 0; i < (size_t)p->nsym * (size_t)nd * (size_t)p->nfeat; i++)
		p->values[i] = NAN;
	for (i = 0; i < nrows; i++) {
		int d = tn_panel_date_at_or_before(p, rows[i].date);

		memcpy(tn_panel_row(p, rows[i].sym, d), &cells[i * (size_t)p->nfeat],
		       (size_t)p->nfeat * sizeof *cells);
	}
out:
	if (status)
		tn_panel_free(p);
	free(rows);
	free(cells);
	free(fcol);
	tn_csv_close(r);
	return status;
}
