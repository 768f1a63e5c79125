/* corr-graph - the correlation graph of a set of symbols: returns aligned
 * by date, correlated over a trailing window, written as JSON, a CSV edge
 * list or HDF5 (tickernet-formats(5), GRAPH).  See corr-graph(1).
 *
 * Dimension letters: D dates in the input (the union over symbols), n
 * symbols, L the lookback window in days. */
#include "cli.h"
#include "corr.h"
#include "csvio.h"
#include "dates.h"
#include "gemm.h"
#include "json.h"
#include "metrics.h"
#include "nn_h5.h"
#include "output.h"
#include "prices.h"
#include "symbol.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#define DEFAULT_LOOKBACK 60
#define DEFAULT_THRESHOLD 0.3
#define DEFAULT_TOP_K 10
/* The return column of features CSV used unless --column names another. */
#define DEFAULT_RETURN_COLUMN "logret_1"
#define MAX_LOOKBACK 100000
#define MAX_TOP_K 1000000

enum format { FORMAT_JSON, FORMAT_CSV, FORMAT_HDF5 };
enum kind { KIND_UNKNOWN, KIND_PRICES, KIND_FEATURES };

static const char usage_text[] =
	"usage: corr-graph [-hVqv] [--format json|csv|hdf5] [-o FILE]\n"
	"                  [--lookback N] [--asof DATE] [--min-periods N]\n"
	"                  [--method pearson|spearman] [--threshold X]\n"
	"                  [--column NAME] [--target SYMBOL [--top-k K]]\n"
	"                  [--rolling [--from DATE]] [--metrics-file FILE]\n"
	"                  [FILE...]\n"
	"\n"
	"Correlation graph of the symbols in prices or features CSV (FILE, or\n"
	"stdin when none or '-').\n"
	"\n"
	"  -f, --format FMT      json (default), csv (edge list) or hdf5 (needs -o)\n"
	"  -o, --output FILE     write FILE atomically instead of stdout\n"
	"  -n, --lookback N      days of returns in the window (default 60)\n"
	"  -a, --asof DATE       last day of the window (default: the last date)\n"
	"  -m, --min-periods N   common days a pair needs (default: lookback/2)\n"
	"      --min-obs N       the same\n"
	"      --method M        pearson (default) or spearman\n"
	"  -t, --threshold X     least |corr| that makes an edge (default 0.3)\n"
	"  -c, --column NAME     return column of features CSV (default logret_1)\n"
	"      --target SYMBOL   add SYMBOL's top-k neighbours; CSV: its edges only\n"
	"  -k, --top-k K         neighbours with --target (default 10)\n"
	"      --top K           the same\n"
	"      --rolling         one graph per date, as JSON lines\n"
	"      --from DATE       with --rolling: first date to write\n"
	"      --metrics-file FILE  write Prometheus metrics to FILE at exit\n"
	"  -q, --quiet           no warnings\n"
	"  -v, --verbose         say what was read\n"
	"  -h, --help            this help\n"
	"  -V, --version         version\n";

struct options {
	enum format format;
	const char *output;
	int lookback;
	int min_periods; /* 0: default */
	int have_asof, have_from;
	tn_day asof, from;
	enum tn_corr_method method;
	double threshold;
	const char *column;
	char target[TN_SYMBOL_MAX + 1];
	int have_target;
	int top_k;
	int have_top_k;
	int rolling;
	const char *metrics_file;
};

/* What --metrics-file reports, however the run ends (atexit). */
static struct {
	const char *path;
	double start;   /* CLOCK_MONOTONIC seconds */
	int symbols, dates;
	long graphs;    /* graphs written */
} stats;

/* A failure to write the metrics is a warning, never the exit status. */
static void write_metrics(void)
{
	struct tn_metrics m = { 0 };
	const char *what;

	tn_metrics_counter_add(&m, "tickernet_corr_graph_symbols_total",
			       "Symbols read.", NULL, stats.symbols);
	tn_metrics_counter_add(&m, "tickernet_corr_graph_dates_total",
			       "Dates on the input's shared axis.", NULL,
			       stats.dates);
	tn_metrics_counter_add(&m, "tickernet_corr_graph_graphs_written_total",
			       "Graphs written (one a date with --rolling).",
			       NULL, (double)stats.graphs);
	tn_metrics_gauge_set(&m, "tickernet_corr_graph_exit_status",
			     "Exit status of the run (0 success).", NULL,
			     tn_exit_status);
	tn_metrics_gauge_set(&m, "tickernet_corr_graph_duration_seconds",
			     "Seconds the run took.", NULL,
			     tn_monotonic_seconds() - stats.start);
	tn_metrics_gauge_set(&m, "tickernet_corr_graph_last_run_timestamp_seconds",
			     "Unix time the run ended.", NULL, (double)time(NULL));
	if (tn_metrics_write(&m, stats.path, &what) < 0)
		warn("%s: %s:", stats.path, what);
	tn_metrics_free(&m);
}

/* One symbol's rows: log returns (features) or adjusted closes (prices). */
struct series {
	char symbol[TN_SYMBOL_MAX + 1];
	tn_day *dates;  /* (len) strictly increasing */
	double *values; /* (len) NAN where missing */
	int len, cap;
};

struct input {
	enum kind kind;
	struct series *series; /* (n) */
	int n, cap;
};

/* The aligned panel. */
struct panel {
	int D, n;
	tn_day *dates;      /* (D) the union of all dates, increasing */
	double *returns;    /* (D, n) log returns, NAN where missing */
	const char **symbols; /* (n) byte order */
	int first_return;   /* first row that can hold a return */
};

/* A stream that gives back the header line already read, then the rest of
 * the file: the header decides which reader gets the stream. */
struct replay {
	char *head;
	size_t len, pos;
	FILE *rest;
};

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
	struct replay *r = cookie;
	size_t got;

	if (r->pos < r->len) {
		got = r->len - r->pos < size ? r->len - r->pos : size;
		memcpy(buf, r->head + r->pos, got);
		r->pos += got;
		return (ssize_t)got;
	}
	got = fread(buf, 1, size, r->rest);
	if (got == 0 && ferror(r->rest))
		return -1;
	return (ssize_t)got;
}

static int replay_close(void *cookie)
{
	(void)cookie;
	return 0;
}

static struct series *new_series(struct input *in, const char *symbol)
{
	struct series *s;

	if (in->n == in->cap) {
		in->cap = in->cap ? 2 * in->cap : 16;
		in->series = xreallocarray(in->series, (size_t)in->cap,
					   sizeof(*in->series));
	}
	s = &in->series[in->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->symbol, sizeof(s->symbol), "%s", symbol);
	return s;
}

static void append(struct series *s, tn_day date, double value)
{
	if (s->len == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->dates = xreallocarray(s->dates, (size_t)s->cap,
					 sizeof(*s->dates));
		s->values = xreallocarray(s->values, (size_t)s->cap,
					  sizeof(*s->values));
	}
	s->dates[s->len] = date;
	s->values[s->len] = value;
	s->len++;
}

/* 1 if symbol already has a series (read earlier, so not contiguous). */
static int seen_before(const struct input *in, const char *symbol)
{
	int i;

	for (i = 0; i < in->n; i++)
		if (strcmp(in->series[i].symbol, symbol) == 0)
			return 1;
	return 0;
}

static void read_prices(FILE *fp, const char *name, struct input *in)
{
	struct tn_prices_reader *pr = tn_prices_open(fp, name, 0);
	struct tn_price_row row;
	struct series *s = NULL;
	int rc;

	if (tn_prices_status(pr))
		die(tn_prices_status(pr), "%s", tn_prices_error(pr));
	while ((rc = tn_prices_next(pr, &row)) > 0) {
		if (!s || strcmp(s->symbol, row.symbol) != 0) {
			if (seen_before(in, row.symbol))
				die(TN_EX_DATAERR, "%s: %s: rows appear in "
				    "more than one place", name, row.symbol);
			s = new_series(in, row.symbol);
		}
		append(s, row.bar.date, row.bar.adj_close);
	}
	if (rc < 0)
		die(tn_prices_status(pr) ? tn_prices_status(pr) : TN_EX_DATAERR,
		    "%s", tn_prices_error(pr));
	tn_prices_close(pr);
}

static void read_features(FILE *fp, const char *name, int column,
			  struct input *in)
{
	static const char *const names[] = { "symbol", "date", NULL };
	struct tn_csv_reader *r = tn_csv_open(fp, name);
	struct series *s = NULL;
	int idx[2], rc;

	if (tn_csv_status(r))
		die(tn_csv_status(r), "%s", tn_csv_error(r));
	if (tn_csv_require(r, names, idx) < 0)
		die(TN_EX_DATAERR, "%s", tn_csv_error(r));
	while ((rc = tn_csv_next(r)) > 0) {
		char symbol[TN_SYMBOL_MAX + 1];
		const char *field = tn_csv_field(r, idx[0]), *why;
		char shown[TN_CSV_SHOW_SIZE];
		tn_day date;
		double value;

		if (tn_csv_is_header_row(r))
			continue; /* files joined with cat */
		if (tn_symbol_normalise(field, symbol, &why) < 0) {
			tn_csv_show(shown, sizeof shown, field);
			die(TN_EX_DATAERR, "%s", tn_csv_field_error(r, idx[0],
			    "%s: '%s'", why, shown));
		}
		field = tn_csv_field(r, idx[1]);
		if (tn_date_parse(field, &date) < 0) {
			tn_csv_show(shown, sizeof shown, field);
			die(TN_EX_DATAERR, "%s", tn_csv_field_error(r, idx[1],
			    "not a YYYY-MM-DD date: '%s'", shown));
		}
		if (tn_csv_double(r, column, &value) == TN_CSV_BAD)
			die(TN_EX_DATAERR, "%s", tn_csv_error(r));
		if (!s || strcmp(s->symbol, symbol) != 0) {
			if (seen_before(in, symbol))
				die(TN_EX_DATAERR, "%s", tn_csv_field_error(r,
				    idx[0], "%s: rows appear in more than one "
				    "place (not grouped by symbol)", symbol));
			s = new_series(in, symbol);
		} else if (date <= s->dates[s->len - 1]) {
			char prev[TN_DATE_LEN + 1];

			tn_date_format(s->dates[s->len - 1], prev);
			die(TN_EX_DATAERR, "%s", tn_csv_field_error(r, idx[1],
			    "%s: %s is not after %s (dates must increase)",
			    symbol, field, prev));
		}
		append(s, date, value);
	}
	if (rc < 0)
		die(tn_csv_status(r) ? tn_csv_status(r) : TN_EX_DATAERR, "%s",
		    tn_csv_error(r));
	tn_csv_close(r);
}

/* Reads the header line, decides prices or features, and reads the rest
 * with the matching reader. */
static void read_input(FILE *fp, const char *name, const struct options *o,
		       struct input *in)
{
	cookie_io_functions_t io = { .read = replay_read, .close = replay_close };
	struct replay rp = { .rest = fp };
	struct tn_csv_reader *hdr;
	const char *shown = strcmp(name, "-") == 0 ? "<stdin>" : name;
	const char *colname = o->column ? o->column : DEFAULT_RETURN_COLUMN;
	enum kind kind;
	FILE *head, *whole;
	size_t cap = 0;
	int c, column, blank = 1;

	/* The header is the first line that is not blank: the readers skip
	 * blank lines, so the sniffing must too.  They stay in rp.head and
	 * are replayed with the header. */
	while ((c = getc(fp)) != EOF) {
		if (rp.len + 1 >= cap) {
			cap = cap ? 2 * cap : 256;
			rp.head = xrealloc(rp.head, cap);
		}
		rp.head[rp.len++] = (char)c;
		if (c != '\n' && c != ' ' && c != '\t' && c != '\r')
			blank = 0;
		if (rp.len >= TN_CSV_MAX_ROW_BYTES || (c == '\n' && !blank))
			break;
	}
	if (ferror(fp))
		die(TN_EX_IOERR, "%s: read error:", shown);
	if (rp.len == 0)
		die(TN_EX_DATAERR, "%s: empty input (no header)", shown);
	if (!(head = fmemopen(rp.head, rp.len, "r")))
		die(TN_EX_SOFTWARE, "fmemopen:");
	hdr = tn_csv_open(head, name);
	if (tn_csv_status(hdr))
		die(tn_csv_status(hdr), "%s", tn_csv_error(hdr));
	column = tn_csv_column(hdr, colname);
	if (column >= 0)
		kind = KIND_FEATURES;
	else if (o->column)
		die(TN_EX_DATAERR, "%s:1: missing column '%s'", shown, o->column);
	else if (tn_csv_column(hdr, "close") >= 0)
		kind = KIND_PRICES;
	else
		die(TN_EX_DATAERR, "%s:1: no returns: neither a '%s' column "
		    "(features; see --column) nor 'close' (prices)", shown,
		    DEFAULT_RETURN_COLUMN);
	tn_csv_close(hdr);
	fclose(head);
	if (in->kind != KIND_UNKNOWN && in->kind != kind)
		die(TN_EX_DATAERR, "%s: %s CSV, but the input before it was %s",
		    shown, kind == KIND_PRICES ? "prices" : "features",
		    in->kind == KIND_PRICES ? "prices" : "features");
	in->kind = kind;
	if (!(whole = fopencookie(&rp, "r", io)))
		die(TN_EX_SOFTWARE, "fopencookie:");
	if (kind == KIND_PRICES)
		read_prices(whole, name, in);
	else
		read_features(whole, name, column, in);
	fclose(whole);
	free(rp.head);
}

static int by_symbol(const void *a, const void *b)
{
	return strcmp(((const struct series *)a)->symbol,
		      ((const struct series *)b)->symbol);
}

static int by_day(const void *a, const void *b)
{
	tn_day x = *(const tn_day *)a, y = *(const tn_day *)b;

	return (x > y) - (x < y);
}

/* log(now / before), or NAN (missing) where that is not finite: prices
 * far enough apart overflow the ratio, and an infinite return would
 * poison every correlation of its column. */
static double log_return(double now, double before)
{
	double r = log(now / before);

	return isfinite(r) ? r : NAN;
}

/* Aligns every series on the union of dates; prices become log returns
 * between consecutive dates of that calendar, so a day a symbol lacks
 * leaves two missing returns rather than one spanning two days. */
static void build_panel(struct input *in, struct panel *p)
{
	size_t total = 0, k, d;
	int i, j, t, n = in->n;
	tn_day *all;

	if (n > 1) /* in->series is NULL for no symbols, and qsort's nonnull */
		qsort(in->series, (size_t)n, sizeof(*in->series), by_symbol);
	for (j = 0; j < n; j++)
		total += (size_t)in->series[j].len;
	all = xmalloc(sizeof(*all) * (total ? total : 1));
	for (j = 0, k = 0; j < n; j++)
		for (i = 0; i < in->series[j].len; i++)
			all[k++] = in->series[j].dates[i];
	qsort(all, total, sizeof(*all), by_day);
	for (k = 0, d = 0; k < total; k++)
		if (d == 0 || all[k] != all[d - 1])
			all[d++] = all[k];
	p->D = (int)d;
	p->n = n;
	p->dates = all;
	p->returns = xmalloc(sizeof(double) * (d ? d : 1) * (size_t)(n ? n : 1));
	for (k = 0; k < d * (size_t)n; k++)
		p->returns[k] = NAN;
	p->symbols = xmalloc(sizeof(*p->symbols) * (size_t)(n ? n : 1));
	p->first_return = in->kind == KIND_PRICES ? 1 : 0;
	for (j = 0; j < n; j++) {
		const struct series *s = &in->series[j];

		p->symbols[j] = s->symbol;
		for (i = 0, t = 0; i < s->len; i++) {
			while (p->dates[t] != s->dates[i])
				t++;
			if (in->kind == KIND_FEATURES)
				p->returns[(size_t)t * n + j] = s->values[i];
			else if (i > 0 && t > 0 && s->dates[i - 1] == p->dates[t - 1])
				p->returns[(size_t)t * n + j] =
					log_return(s->values[i], s->values[i - 1]);
		}
	}
}

/* The last row dated on or before day, or -1. */
static int row_at(const struct panel *p, tn_day day)
{
	int lo = 0, hi = p->D - 1, found = -1;

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

/* Orders candidate neighbours: larger |corr| first, then byte order of the
 * symbol, which is index order. */
static int by_strength(const void *a, const void *b, void *row)
{
	const double *r = row;
	int i = *(const int *)a, j = *(const int *)b;
	double x = fabs(tn_corr_round(r[i])), y = fabs(tn_corr_round(r[j]));

	if (x != y)
		return x > y ? -1 : 1;
	return (i > j) - (i < j);
}

/* The target's neighbours into out (n): the k strongest with a measured
 * |corr| >= threshold.  Returns how many. */
static int neighbours(const double *corr, int n, int target, int k,
		      double threshold, int *out)
{
	const double *row = corr + (size_t)target * n;
	int count = 0, j;

	for (j = 0; j < n; j++)
		if (j != target && !isnan(row[j]) &&
		    fabs(tn_corr_round(row[j])) >= threshold)
			out[count++] = j;
	qsort_r(out, (size_t)count, sizeof(*out), by_strength, (void *)row);
	return count < k ? count : k;
}

static cJSON *graph_json(const struct options *o, const struct panel *p,
			 tn_day asof, const double *corr, int target,
			 const int *nbr, int nnbr)
{
	cJSON *obj = tn_json_object(), *syms, *matrix, *list;
	char day[TN_DATE_LEN + 1];
	int i, j, n = p->n;

	tn_date_format(asof, day);
	tn_json_add_string(obj, "asof", day);
	tn_json_add_number(obj, "lookback", o->lookback);
	tn_json_add_number(obj, "threshold", o->threshold);
	tn_json_add_string(obj, "method", tn_corr_method_name(o->method));
	syms = cJSON_CreateArray();
	matrix = cJSON_CreateArray();
	if (!syms || !matrix)
		die(TN_EX_SOFTWARE, "out of memory");
	for (i = 0; i < n; i++) {
		cJSON *row = cJSON_CreateArray(), *sym;

		sym = cJSON_CreateString(p->symbols[i]);
		if (!row || !sym)
			die(TN_EX_SOFTWARE, "out of memory");
		cJSON_AddItemToArray(syms, sym);
		for (j = 0; j < n; j++)
			cJSON_AddItemToArray(row, tn_json_number_item(
				tn_corr_round(corr[(size_t)i * n + j])));
		cJSON_AddItemToArray(matrix, row);
	}
	tn_json_add_item(obj, "symbols", syms);
	tn_json_add_item(obj, "matrix", matrix);
	if (target >= 0) {
		tn_json_add_string(obj, "target", p->symbols[target]);
		if (!(list = cJSON_CreateArray()))
			die(TN_EX_SOFTWARE, "out of memory");
		for (i = 0; i < nnbr; i++) {
			cJSON *e = tn_json_object();

			tn_json_add_string(e, "symbol", p->symbols[nbr[i]]);
			tn_json_add_number(e, "corr", tn_corr_round(
				corr[(size_t)target * n + nbr[i]]));
			cJSON_AddItemToArray(list, e);
		}
		tn_json_add_item(obj, "neighbours", list);
	}
	return obj;
}

static int write_edges(FILE *fp, const struct options *o,
		       const struct panel *p, const double *corr, int target,
		       const int *nbr, int nnbr)
{
	static const char *const header[] = { "source", "target", "corr", NULL };
	struct tn_csv_writer *w = tn_csv_writer_open(fp, 3);
	int i, j, k, n = p->n, err = tn_csv_write_header(w, header);
	char *keep = NULL;

	if (target >= 0) {
		keep = xcalloc((size_t)n, 1);
		for (k = 0; k < nnbr; k++)
			keep[nbr[k]] = 1;
	}
	for (i = 0; i < n && !err; i++)
		for (j = i + 1; j < n && !err; j++) {
			double r = tn_corr_round(corr[(size_t)i * n + j]);

			if (isnan(r) || fabs(r) < o->threshold)
				continue;
			if (keep && !(i == target && keep[j]) &&
			    !(j == target && keep[i]))
				continue;
			err = tn_csv_put_string(w, p->symbols[i]) ||
			      tn_csv_put_string(w, p->symbols[j]) ||
			      tn_csv_put_double(w, r) || tn_csv_end_row(w);
		}
	free(keep);
	return tn_csv_writer_close(w) < 0 || err ? -1 : 0;
}

/* The symbols attribute: an array of variable-length UTF-8 strings. */
static int h5_symbols_attr(hid_t obj, const char *const *symbols, int n,
			   char *err, size_t errsz)
{
	hsize_t dims[1] = { (hsize_t)n };
	hid_t type = -1, space = -1, attr = -1;
	int ret = -1;

	if ((type = H5Tcopy(H5T_C_S1)) < 0 ||
	    H5Tset_size(type, H5T_VARIABLE) < 0 ||
	    H5Tset_cset(type, H5T_CSET_UTF8) < 0 ||
	    (space = H5Screate_simple(1, dims, NULL)) < 0 ||
	    (attr = H5Acreate2(obj, "symbols", type, space, H5P_DEFAULT,
			       H5P_DEFAULT)) < 0 ||
	    H5Awrite(attr, type, symbols) < 0)
		snprintf(err, errsz, "corr: symbols: cannot write attribute");
	else
		ret = 0;
	if (attr >= 0)
		H5Aclose(attr);
	if (space >= 0)
		H5Sclose(space);
	if (type >= 0)
		H5Tclose(type);
	return ret;
}

static void write_hdf5(const struct options *o, const struct panel *p,
		       tn_day asof, const double *corr)
{
	struct tn_output out;
	char err[NN_H5_ERR_MAX], day[TN_DATE_LEN + 1];
	size_t shape[2] = { (size_t)p->n, (size_t)p->n }, k;
	size_t cells = shape[0] * shape[1];
	real *m = xmalloc(sizeof(real) * (cells ? cells : 1));
	hid_t file, dset = -1;
	int bad;

	for (k = 0; k < cells; k++)
		m[k] = (real)corr[k];
	tn_date_format(asof, day);
	/* HDF5 seeks, so a device or FIFO will not do */
	if (tn_output_open_path(&out, o->output, 0644) < 0) {
		free(m);
		die(TN_EX_CANTCREAT, "%s: %s:", o->output, out.what);
	}
	if ((file = nn_h5_create(out.tmp_path, err, sizeof(err))) < 0) {
		tn_output_abort(&out);
		free(m);
		die(TN_EX_CANTCREAT, "%s: %s", o->output, err);
	}
	bad = nn_h5_write_real(file, "corr", m, 2, shape, err, sizeof(err)) < 0;
	if (!bad && (dset = H5Dopen2(file, "corr", H5P_DEFAULT)) < 0) {
		snprintf(err, sizeof(err), "corr: cannot open dataset");
		bad = 1;
	}
	bad = bad ||
	      h5_symbols_attr(dset, p->symbols, p->n, err, sizeof(err)) < 0 ||
	      nn_h5_attr_set_str(dset, "asof", day, err, sizeof(err)) < 0 ||
	      nn_h5_attr_set_int(dset, "lookback", o->lookback, err,
				 sizeof(err)) < 0 ||
	      nn_h5_attr_set_int(dset, "min_periods", o->min_periods, err,
				 sizeof(err)) < 0 ||
	      nn_h5_attr_set_double(dset, "threshold", o->threshold, err,
				    sizeof(err)) < 0 ||
	      nn_h5_attr_set_str(dset, "method", tn_corr_method_name(o->method),
				 err, sizeof(err)) < 0;
	if (dset >= 0)
		H5Dclose(dset);
	if (nn_h5_close(file, err, sizeof(err)) < 0)
		bad = 1;
	free(m);
	if (bad) {
		tn_output_abort(&out);
		die(TN_EX_IOERR, "%s: %s", o->output, err);
	}
	if (tn_output_commit(&out) < 0)
		die(TN_EX_IOERR, "%s: %s:", o->output, out.what);
}

/* Writes one graph (JSON, CSV) for the window ending at row e. */
static int emit(FILE *fp, const struct options *o, const struct panel *p,
		int e, const double *corr, int target, int *nbr)
{
	int nnbr = target >= 0 ? neighbours(corr, p->n, target, o->top_k,
					    o->threshold, nbr) : 0;
	cJSON *obj;
	int rc;

	if (o->format == FORMAT_CSV)
		return write_edges(fp, o, p, corr, target, nbr, nnbr);
	obj = graph_json(o, p, p->dates[e], corr, target, nbr, nnbr);
	rc = tn_json_write_line(fp, obj);
	cJSON_Delete(obj);
	return rc;
}

static void warn_unmeasured(const struct panel *p, const double *corr, int e)
{
	char day[TN_DATE_LEN + 1];
	int j;

	tn_date_format(p->dates[e], day);
	for (j = 0; j < p->n; j++)
		if (isnan(corr[(size_t)j * p->n + j]))
			warn("%s: too few usable returns in the window ending "
			     "%s (missing, non-finite or all equal): its row is "
			     "null", p->symbols[j], day);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_METHOD = 256, OPT_TARGET, OPT_ROLLING, OPT_FROM, OPT_METRICS };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "lookback", required_argument, NULL, 'n' },
		{ "asof", required_argument, NULL, 'a' },
		{ "min-periods", required_argument, NULL, 'm' },
		{ "min-obs", required_argument, NULL, 'm' },
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "threshold", required_argument, NULL, 't' },
		{ "column", required_argument, NULL, 'c' },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "top-k", required_argument, NULL, 'k' },
		{ "top", required_argument, NULL, 'k' },
		{ "rolling", no_argument, NULL, OPT_ROLLING },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "metrics-file", required_argument, NULL, OPT_METRICS },
		TN_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *why;
	int c;

	while ((c = getopt_long(argc, argv, "f:o:n:a:m:t:c:k:" TN_COMMON_SHORTOPTS,
				longopts, NULL)) != -1) {
		if (tn_common_option(c, usage_text))
			continue;
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				o->format = FORMAT_JSON;
			else if (strcmp(optarg, "csv") == 0)
				o->format = FORMAT_CSV;
			else if (strcmp(optarg, "hdf5") == 0)
				o->format = FORMAT_HDF5;
			else
				tn_usage_error("--format: expected json, csv or "
					       "hdf5: '%s'", optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'n':
			o->lookback = (int)tn_optlong("--lookback", optarg, 2,
						      MAX_LOOKBACK);
			break;
		case 'a':
		case OPT_FROM:
			if (tn_date_parse(optarg, c == 'a' ? &o->asof : &o->from) < 0)
				tn_usage_error("--%s: not a YYYY-MM-DD date: '%s'",
					       c == 'a' ? "asof" : "from", optarg);
			*(c == 'a' ? &o->have_asof : &o->have_from) = 1;
			break;
		case 'm':
			o->min_periods = (int)tn_optlong("--min-periods", optarg,
							 2, MAX_LOOKBACK);
			break;
		case OPT_METHOD:
			if (tn_corr_method_parse(optarg, &o->method) < 0)
				tn_usage_error("--method: expected pearson or "
					       "spearman: '%s'", optarg);
			break;
		case 't':
			o->threshold = tn_optdouble("--threshold", optarg, 0, 1);
			break;
		case 'c':
			if (!*optarg)
				tn_usage_error("--column: empty name");
			o->column = optarg;
			break;
		case OPT_TARGET:
			if (tn_symbol_normalise(optarg, o->target, &why) < 0)
				tn_usage_error("--target: %s: '%s'", why, optarg);
			o->have_target = 1;
			break;
		case 'k':
			o->top_k = (int)tn_optlong("--top-k", optarg, 1, MAX_TOP_K);
			o->have_top_k = 1;
			break;
		case OPT_ROLLING:
			o->rolling = 1;
			break;
		case OPT_METRICS:
			if (!*optarg)
				tn_usage_error("--metrics-file: empty name");
			o->metrics_file = optarg;
			break;
		default:
			tn_usage_error("unknown option");
		}
	}
	if (o->have_top_k && !o->have_target)
		tn_usage_error("--top-k needs --target");
	if (o->have_from && !o->rolling)
		tn_usage_error("--from needs --rolling");
	if (o->rolling && o->format != FORMAT_JSON)
		tn_usage_error("--rolling writes JSON lines only");
	if (o->format == FORMAT_HDF5 && (!o->output || strcmp(o->output, "-") == 0))
		tn_usage_error("--format hdf5 needs -o FILE");
	if (o->format == FORMAT_HDF5 && o->have_target)
		tn_usage_error("--target applies to json and csv, not hdf5");
	if (o->min_periods > o->lookback)
		tn_usage_error("--min-periods %d is more than --lookback %d",
			       o->min_periods, o->lookback);
	if (!o->min_periods)
		o->min_periods = o->lookback / 2 + o->lookback % 2 < 2 ?
			2 : o->lookback / 2 + o->lookback % 2;
}

static int find_symbol(const struct panel *p, const char *symbol)
{
	int j;

	for (j = 0; j < p->n; j++)
		if (strcmp(p->symbols[j], symbol) == 0)
			return j;
	return -1;
}

int main(int argc, char **argv)
{
	struct options o = {
		.format = FORMAT_JSON,
		.lookback = DEFAULT_LOOKBACK,
		.method = TN_CORR_PEARSON,
		.threshold = DEFAULT_THRESHOLD,
		.top_k = DEFAULT_TOP_K,
	};
	struct input in = { 0 };
	struct panel p;
	struct tn_corr_work w;
	struct tn_corr_roll roll;
	struct tn_output out = { 0 };
	char day[TN_DATE_LEN + 1], day2[TN_DATE_LEN + 1];
	const char *why;
	double *corr;
	int *nbr, i, e, first, last, target = -1, status = TN_EX_OK;

	tn_init_progname(argv);
	stats.start = tn_monotonic_seconds();
	parse_options(argc, argv, &o);
	if ((stats.path = o.metrics_file))
		atexit(write_metrics);
	if (tn_blas_init(&why) < 0)
		die(TN_EX_SOFTWARE, "%s", why);

	if (optind == argc) {
		read_input(stdin, "-", &o, &in);
	} else {
		for (i = optind; i < argc; i++) {
			FILE *fp = strcmp(argv[i], "-") == 0 ? stdin :
				   fopen(argv[i], "r");

			if (!fp)
				die(errno == ENOENT ? TN_EX_NOINPUT : TN_EX_IOERR,
				    "%s:", argv[i]);
			read_input(fp, argv[i], &o, &in);
			if (fp != stdin)
				fclose(fp);
		}
	}
	build_panel(&in, &p);
	stats.symbols = p.n;
	stats.dates = p.D;
	info("%d symbols, %d dates", p.n, p.D);
	if (p.n < 2)
		die(TN_EX_DATAERR, "need at least 2 symbols, found %d", p.n);
	if (o.have_target && (target = find_symbol(&p, o.target)) < 0)
		die(TN_EX_DATAERR, "--target %s: not in the input", o.target);

	/* The window ending at row e is rows e - L + 1 .. e: dates <= e only. */
	last = o.have_asof ? row_at(&p, o.asof) : p.D - 1;
	if (last < 0) {
		tn_date_format(o.asof, day);
		tn_date_format(p.dates[0], day2);
		die(TN_EX_DATAERR, "--asof %s: before the first date in the "
		    "input (%s)", day, day2);
	}
	first = p.first_return + o.lookback - 1;
	if (o.rolling && o.have_from) {
		int from = row_at(&p, o.from - 1) + 1;

		first = from > first ? from : first;
	}
	if (last < p.first_return + o.lookback - 1) {
		tn_date_format(p.dates[last], day);
		die(TN_EX_DATAERR, "%d days of returns up to %s, "
		    "--lookback needs %d", last - p.first_return + 1, day,
		    o.lookback);
	}
	if (!o.rolling)
		first = last;

	corr = xmalloc(sizeof(double) * (size_t)p.n * (size_t)p.n);
	nbr = xmalloc(sizeof(int) * (size_t)p.n);
	tn_corr_work_init(&w, o.lookback, p.n);
	if (o.format == FORMAT_HDF5) {
		tn_corr_matrix(corr, p.returns + (size_t)(last - o.lookback + 1) * p.n,
			       o.lookback, p.n, o.method, o.min_periods, &w);
		warn_unmeasured(&p, corr, last);
		write_hdf5(&o, &p, p.dates[last], corr);
		stats.graphs = 1;
		goto out;
	}
	if (tn_output_open(&out, o.output, 0644) < 0)
		die(TN_EX_CANTCREAT, "%s: %s:", out.name, out.what);
	if (o.rolling && o.method == TN_CORR_PEARSON)
		tn_corr_roll_init(&roll, o.lookback, p.n);
	for (e = first; e <= last; e++) {
		if (o.rolling && o.method == TN_CORR_PEARSON)
			tn_corr_roll_matrix(corr, p.returns, e, o.min_periods,
					    &roll);
		else
			tn_corr_matrix(corr, p.returns +
				       (size_t)(e - o.lookback + 1) * p.n,
				       o.lookback, p.n, o.method,
				       o.min_periods, &w);
		if (!o.rolling)
			warn_unmeasured(&p, corr, e);
		if (emit(out.fp, &o, &p, e, corr, target, nbr) < 0) {
			tn_output_abort(&out);
			die(TN_EX_IOERR, "%s: write error:", out.name);
		}
		stats.graphs++;
	}
	if (tn_output_commit(&out) < 0)
		die(TN_EX_IOERR, "%s: %s:", out.name, out.what);
	if (o.rolling && o.method == TN_CORR_PEARSON)
		tn_corr_roll_free(&roll);
out:
	tn_corr_work_free(&w);
	free(corr);
	free(nbr);
	for (i = 0; i < in.n; i++) {
		free(in.series[i].dates);
		free(in.series[i].values);
	}
	free(in.series);
	free(p.dates);
	free(p.returns);
	free(p.symbols);
	return tn_finish(status);
}
