/* gnn_data.h - what gnn-train and gnn-predict must compute the same way,
 * so a model sees at serving time exactly the inputs it was trained on:
 * a snapshot's standardised node features and its correlation graph, and
 * the model file that carries the statistics, the nodes and the feature
 * names (gnn-train(1), MODEL FILE).
 *
 * Dimension letters as in gnn_model.h: N nodes, F features, L lookback. */
#ifndef TN_GNN_DATA_H
#define TN_GNN_DATA_H

#include "dates.h"
#include "gnn_model.h"
#include "real.h"
#include "store.h"
#include "symbol.h"

#include <stddef.h>
#include <time.h>

/* x (F) = (row[cols[f]] - mean[f]) / std[f], 0 where the value is
 * missing: a peer without a value that day enters as the mean. */
void gnn_standardise_node(real *x /* (F) */, const double *row,
			  const int *cols /* (F) */, const real *mean /* (F) */,
			  const real *std /* (F) */, int F);

/* The graph of the snapshot on day `day`: adj (N, N) = |r| where the
 * Pearson correlation r of nodes i != j over the daily log returns of
 * days max(day - lookback + 1, first) .. day is defined (at least
 * (lookback + 1) / 2 days in common) and |r| >= threshold, else 0.
 * logret[i] is node i's daily log return series, indexed by day. */
void gnn_snapshot_adjacency(real *adj /* (N, N) */,
			    const double *const *logret /* (N) series */,
			    int N, int day, int first, int lookback,
			    double threshold);

/* A model file of gnn-train read whole. */
struct gnn_file {
	struct gnn_model model;
	int N, F;
	char **nodes;                       /* (N) symbols, the target first */
	char **features;                    /* (F) column names, input order */
	real *mean, *std;                   /* (F) training statistics */
	real target_std;                    /* prediction * this = log return */
	int horizon, lookback;
	double threshold;
	char symbol[TN_SYMBOL_MAX + 1];
	char version[TN_STAMP_LEN + 1];     /* model_version */
	time_t created;                     /* created_at */
	tn_day last_train;                  /* last_train_date */
};

/* Reads path: format and version checked, parameters loaded (Fletcher32
 * verified), every attribute and dataset above present and consistent
 * with the architecture.  Returns 0, or -1 with a one-line reason in err
 * (g then holds nothing to free). */
int gnn_file_read(const char *path, struct gnn_file *g, char *err,
		  size_t errsz);
void gnn_file_free(struct gnn_file *g);

/* "2024-06-01T06:30:00Z" (tn_ms_iso_time's form) as a time_t; 0 or -1. */
int gnn_parse_iso_time(const char *s, time_t *t);

#endif
