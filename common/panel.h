/* panel.h - a features CSV (symbol,date,<feature>...) read whole into a
 * dense panel: every symbol on one shared, sorted date axis, so the
 * training tools can take a symbol's history or a snapshot across symbols
 * by index.  A day a symbol has no row for is all NAN.
 *
 * The input must follow the features contract: valid symbols, each
 * symbol's rows together and in strictly increasing date order, numeric
 * or missing cells.  Errors come back as one line, "NAME:LINE:COL: ...",
 * with the exit code they call for (65 bad data, 74 read error). */
#ifndef TN_PANEL_H
#define TN_PANEL_H

#include "dates.h"
#include "symbol.h"

#include <stdio.h>

struct tn_panel {
	int nsym, ndates, nfeat;
	char (*symbols)[TN_SYMBOL_MAX + 1]; /* (nsym), in input order */
	tn_day *dates;                      /* (ndates), increasing */
	char **features;                    /* (nfeat) column names */
	double *values;                     /* (nsym, ndates, nfeat) */
};

/* Reads fp to its end.  Returns 0, or an exit code with err set (and p
 * left empty). */
int tn_panel_read(struct tn_panel *p, FILE *fp, const char *name, char *err,
		  size_t errsize);
void tn_panel_free(struct tn_panel *p);

/* Indices by name, -1 when absent. */
int tn_panel_symbol(const struct tn_panel *p, const char *symbol);
int tn_panel_feature(const struct tn_panel *p, const char *name);
/* Index of the last date <= day, -1 when none. */
int tn_panel_date_at_or_before(const struct tn_panel *p, tn_day day);

static inline double *tn_panel_row(const struct tn_panel *p, int s, int d)
{
	return p->values + ((size_t)s * (size_t)p->ndates + (size_t)d) * (size_t)p->nfeat;
}

#endif
