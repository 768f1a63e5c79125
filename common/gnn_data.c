/* gnn_data.c - the inputs of one GNN snapshot and the model file that
 * describes them (gnn_data.h). */
#include "gnn_data.h"

#include "cli.h"
#include "corr.h"
#include "nn_h5.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECONDS_PER_DAY 86400

void gnn_standardise_node(real *x, const double *row, const int *cols,
			  const real *mean, const real *std, int F)
{
	int f;

	for (f = 0; f < F; f++) {
		double v = row[cols[f]];

		x[f] = isfinite(v) ? (real)((v - mean[f]) / std[f]) : 0;
	}
}

void gnn_snapshot_adjacency(real *adj, const double *const *logret, int N,
			    int day, int first, int lookback, double threshold)
{
	int from = day - lookback + 1 > first ? day - lookback + 1 : first;
	size_t n = (size_t)N;
	int i, j;

	memset(adj, 0, sizeof(real) * n * n);
	for (i = 0; i < N; i++)
		for (j = 0; j < i; j++) {
			double c = tn_corr_pair(logret[i] + from, logret[j] + from,
						day - from + 1, 1, TN_CORR_PEARSON,
						(lookback + 1) / 2);

			if (isfinite(c) && fabs(c) >= threshold)
				adj[(size_t)i * n + (size_t)j] =
					adj[(size_t)j * n + (size_t)i] = (real)fabs(c);
		}
}

int gnn_parse_iso_time(const char *s, time_t *t)
{
	int hh, mm, ss, used = 0;
	char date[TN_DATE_LEN + 1];
	tn_day day;

	if (strlen(s) != 20 || s[10] != 'T' ||
	    sscanf(s + 11, "%2d:%2d:%2dZ%n", &hh, &mm, &ss, &used) != 3 ||
	    used != 9 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return -1;
	memcpy(date, s, TN_DATE_LEN);
	date[TN_DATE_LEN] = '\0';
	if (tn_date_parse(date, &day) < 0)
		return -1;
	*t = (time_t)day * SECONDS_PER_DAY + hh * 3600 + mm * 60 + ss;
	return 0;
}

/* A string attribute that must be there, into out[size]. */
static int attr_str(hid_t file, const char *name, char *out, size_t size,
		    char *err, size_t errsz)
{
	char *s = nn_h5_attr_get_str(file, name, err, errsz);

	if (!s)
		return -1;
	if (strlen(s) >= size) {
		snprintf(err, errsz, "attribute %s: too long", name);
		free(s);
		return -1;
	}
	strcpy(out, s);
	free(s);
	return 0;
}

static int read_strings(hid_t file, const char *name, size_t want,
			char ***out, char *err, size_t errsz)
{
	size_t n = 0;

	if (nn_h5_read_strings(file, name, out, &n, err, errsz) < 0)
		return -1;
	if (n != want) {
		snprintf(err, errsz, "/%s: %zu names, the architecture has %zu", name,
			 n, want);
		nn_h5_free_strings(*out, n);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* The metadata and extra datasets after the parameters; -1 with err. */
static int read_extras(hid_t file, struct gnn_file *g, char *err, size_t errsz)
{
	char text[64];
	int64_t v;
	size_t nf = (size_t)g->F, one = 1;
	int i;

	if (attr_str(file, "symbol", g->symbol, sizeof g->symbol, err, errsz) < 0 ||
	    attr_str(file, "model_version", g->version, sizeof g->version, err,
		     errsz) < 0)
		return -1;
	if (!tn_symbol_valid(g->symbol)) {
		snprintf(err, errsz, "attribute symbol: not a symbol");
		return -1;
	}
	if (tn_stamp_parse(g->version, &(time_t){ 0 }) < 0) {
		snprintf(err, errsz, "attribute model_version: not a stamp");
		return -1;
	}
	if (attr_str(file, "created_at", text, sizeof text, err, errsz) < 0)
		return -1;
	if (gnn_parse_iso_time(text, &g->created) < 0) {
		snprintf(err, errsz, "attribute created_at: not YYYY-MM-DDTHH:MM:SSZ");
		return -1;
	}
	if (attr_str(file, "last_train_date", text, sizeof text, err, errsz) < 0)
		return -1;
	if (tn_date_parse(text, &g->last_train) < 0) {
		snprintf(err, errsz, "attribute last_train_date: not a date");
		return -1;
	}
	if (nn_h5_attr_get_int(file, "horizon", &v, err, errsz) < 0)
		return -1;
	if (v < 1 || v > 10000) {
		snprintf(err, errsz, "attribute horizon: out of range");
		return -1;
	}
	g->horizon = (int)v;
	if (nn_h5_attr_get_int(file, "lookback", &v, err, errsz) < 0)
		return -1;
	if (v < 3 || v > 10000) {
		snprintf(err, errsz, "attribute lookback: out of range");
		return -1;
	}
	g->lookback = (int)v;
	if (nn_h5_attr_get_double(file, "threshold", &g->threshold, err, errsz) < 0)
		return -1;
	if (!(g->threshold >= 0 && g->threshold <= 1)) {
		snprintf(err, errsz, "attribute threshold: out of range");
		return -1;
	}
	if (read_strings(file, "nodes", (size_t)g->N, &g->nodes, err, errsz) < 0)
		return -1;
	for (i = 0; i < g->N; i++)
		if (!tn_symbol_valid(g->nodes[i])) {
			snprintf(err, errsz, "/nodes: '%s' is not a symbol", g->nodes[i]);
			return -1;
		}
	if (strcmp(g->nodes[0], g->symbol) != 0) {
		snprintf(err, errsz, "/nodes: the first node %s is not the symbol %s",
			 g->nodes[0], g->symbol);
		return -1;
	}
	if (read_strings(file, "features", nf, &g->features, err, errsz) < 0)
		return -1;
	g->mean = xmalloc(sizeof(real) * nf);
	g->std = xmalloc(sizeof(real) * nf);
	if (nn_h5_read_real(file, "norm/feature_mean", g->mean, 1, &nf, err,
			    errsz) < 0 ||
	    nn_h5_read_real(file, "norm/feature_std", g->std, 1, &nf, err, errsz) < 0 ||
	    nn_h5_read_real(file, "norm/target_std", &g->target_std, 1, &one, err,
			    errsz) < 0)
		return -1;
	for (i = 0; i < g->F; i++)
		if (!isfinite(g->mean[i]) || !(g->std[i] > 0) || !isfinite(g->std[i])) {
			snprintf(err, errsz, "/norm: feature %s has no valid statistics",
				 g->features[i]);
			return -1;
		}
	if (!(g->target_std > 0) || !isfinite(g->target_std)) {
		snprintf(err, errsz, "/norm/target_std: not a positive number");
		return -1;
	}
	return 0;
}

int gnn_file_read(const char *path, struct gnn_file *g, char *err,
		  size_t errsz)
{
	char why[NN_H5_ERR_MAX];
	hid_t file;
	int rc = -1;

	memset(g, 0, sizeof *g);
	file = nn_h5_open(path, err, errsz);
	if (file < 0)
		return -1;
	if (nn_h5_check_format(file, GNN_FORMAT, GNN_FORMAT_VERSION, err, errsz) < 0)
		goto out;
	if (gnn_model_read(file, &g->model, why, sizeof why) < 0) {
		snprintf(err, errsz, "%s: %s", path, why);
		goto out;
	}
	g->N = g->model.cfg.nodes;
	g->F = g->model.cfg.features;
	if (read_extras(file, g, why, sizeof why) < 0) {
		snprintf(err, errsz, "%s: %s", path, why);
		goto out;
	}
	rc = 0;
out:
	if (nn_h5_close(file, why, sizeof why) < 0 && rc == 0) {
		snprintf(err, errsz, "%s", why);
		rc = -1;
	}
	if (rc < 0)
		gnn_file_free(g);
	return rc;
}

void gnn_file_free(struct gnn_file *g)
{
	gnn_model_free(&g->model);
	if (g->nodes)
		nn_h5_free_strings(g->nodes, (size_t)g->N);
	if (g->features)
		nn_h5_free_strings(g->features, (size_t)g->F);
	free(g->mean);
	free(g->std);
	memset(g, 0, sizeof *g);
}
