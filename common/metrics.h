/* metrics.h - Prometheus text exposition for node_exporter's textfile
 * collector (--metrics-file on every tool).
 *
 * Samples are collected in memory while a tool runs and written once at
 * the end, atomically, so the collector never scrapes half a file:
 *
 *	struct tn_metrics m = { 0 };
 *	tn_metrics_counter_add(&m, "tickernet_fetch_requests_total",
 *			       "HTTP requests made.", NULL, 1);
 *	tn_metrics_gauge_set(&m, "tickernet_model_age_hours",
 *			     "Age of the model in service.",
 *			     (const char *[]){ "symbol", "AAPL", NULL }, 12.5);
 *	if (tn_metrics_write(&m, path, &what) < 0) ...
 *	tn_metrics_free(&m);
 *
 * The file lists each metric family once, in the order of first use:
 * "# HELP", "# TYPE", then its samples in the order of first use.  Label
 * sets are compared as given, so pass a family's labels in one order. */
#ifndef TN_METRICS_H
#define TN_METRICS_H

#include <stddef.h>
#include <stdio.h>

enum tn_metric_type { TN_METRIC_COUNTER, TN_METRIC_GAUGE };

struct tn_metric_family;

/* Zero-initialise; the fields are metrics.c's own. */
struct tn_metrics {
	struct tn_metric_family *families;
	size_t nfamilies, cap;
};

/* 1 if name matches [a-zA-Z_:][a-zA-Z0-9_:]*. */
int tn_metrics_name_valid(const char *name);

/* 1 if name can name a label: [a-zA-Z_][a-zA-Z0-9_]*, not "__..."
 * (reserved for Prometheus itself). */
int tn_metrics_label_name_valid(const char *name);

/* Adds delta (>= 0) to a counter sample, creating it at 0 first.  labels
 * is NULL or name/value pairs ending in NULL; values may hold any text.
 * Returns 0, or -1 with errno EINVAL for a bad metric or label name, a
 * repeated label, a negative or NaN delta, or a name already used with the
 * other type. */
int tn_metrics_counter_add(struct tn_metrics *m, const char *name,
			   const char *help, const char *const *labels,
			   double delta);

/* Sets a gauge sample; the same rules, any value. */
int tn_metrics_gauge_set(struct tn_metrics *m, const char *name,
			 const char *help, const char *const *labels,
			 double value);

/* Writes the exposition text to fp.  Returns 0, or -1 when a write
 * failed. */
int tn_metrics_print(const struct tn_metrics *m, FILE *fp);

/* Replaces path with the exposition text through tn_atomic.  Returns 0,
 * or -1 with errno and *what (the failed step) set; path then keeps its
 * old content (see tn_atomic_commit for the one exception). */
int tn_metrics_write(const struct tn_metrics *m, const char *path,
		     const char **what);

void tn_metrics_free(struct tn_metrics *m);

#endif
