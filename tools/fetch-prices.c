/* fetch-prices - daily prices from Yahoo, Stooq, local files or a
 * synthetic market, validated, cached in the store, as a prices CSV.
 * See fetch-prices(1). */
#include "cli.h"
#include "dates.h"
#include "fetch_cache.h"
#include "fetch_file.h"
#include "fetch_http.h"
#include "fetch_series.h"
#include "fetch_stooq.h"
#include "fetch_validate.h"
#include "fetch_yahoo.h"
#include "lock.h"
#include "metrics.h"
#include "output.h"
#include "prices.h"
#include "progress.h"
#include "store.h"
#include "symbol.h"
#include "synth.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Trading days fetched when neither --start nor --days says: five years. */
#define DEFAULT_DAYS 1260
#define MAX_DAYS 100000
#define URL_MAX 2048
#define ERR_MAX 512

enum source { SRC_YAHOO, SRC_STOOQ, SRC_FILE, SRC_SYNTHETIC };
static const char *const source_names[] = { "yahoo", "stooq", "file", "synthetic" };

enum {
	OPT_START = 256, OPT_END, OPT_ASOF, OPT_STORE, OPT_OFFLINE, OPT_REPORT,
	OPT_REPAIR, OPT_SEED, OPT_SIGNAL, OPT_RATE, OPT_RETRIES, OPT_BACKOFF,
	OPT_TIMEOUT, OPT_CONNECT_TIMEOUT, OPT_BREAKER, OPT_MAX_WAIT,
	OPT_YAHOO_URL, OPT_STOOQ_URL, OPT_METRICS,
};

struct config {
	enum source source;
	const char *dir;          /* file:DIR */
	const char *store;
	const char *output;       /* -o, NULL for stdout */
	const char *report;
	const char *metrics;
	const char *yahoo_url, *stooq_url;
	int offline, repair;
	tn_day start, end;
	struct tn_synth market;
	struct tn_http_opts http;
};

/* One requested symbol and what became of it. */
struct job {
	char symbol[TN_SYMBOL_MAX + 1];
	char path[PATH_MAX];          /* its cache file */
	struct tn_lock lock;
	struct tn_fetch_series cache, fresh;
	enum tn_cache_plan plan;
	tn_day from, to;              /* the range requested */
	int code;                     /* 0 ok, else the exit code of its failure */
	char err[ERR_MAX];
	char url[URL_MAX];
	size_t fetched, rejected;
	int refetched;
};

struct run {
	struct config *cfg;
	struct job *jobs;
	size_t njobs;
	struct tn_fetch_report report;
	struct tn_progress progress;
	long done;
	long cache_hits, cache_misses;
	struct tn_http_stats http;
};

static const char usage[] =
	"Usage: fetch-prices [OPTION]... [SYMBOL]...\n"
	"Write daily prices of SYMBOLs (or of the symbols on standard input, one\n"
	"a line, '#' comments) as a prices CSV, refreshing the store's cache.\n"
	"\n"
	"  -s, --source SRC        yahoo (default), stooq, file:DIR, synthetic\n"
	"      --start DATE        first day (YYYY-MM-DD)\n"
	"      --end DATE          last day (default today, UTC)\n"
	"  -d, --days N            the last N trading days (default 1260)\n"
	"      --asof DATE         no bar after DATE\n"
	"  -o, --output FILE       write FILE instead of standard output\n"
	"      --store DIR         the store (default $TICKERNET_STORE or ./store)\n"
	"      --offline           the cache only, no network\n"
	"      --report FILE       validation decisions as JSON lines\n"
	"      --repair            clamp open and close into [low, high]\n"
	"      --seed N            synthetic market seed (default 1)\n"
	"      --signal S          synthetic lead-lag signal (default 0)\n"
	"  -j, --jobs N            transfers at once (default 4)\n"
	"      --rate R            requests per second (default 2)\n"
	"      --retries N         retries of a failed request (default 3)\n"
	"      --backoff SEC       wait before the first retry (default 1)\n"
	"      --max-wait SEC      longest Retry-After honoured (default 120)\n"
	"      --timeout SEC       whole-transfer timeout (default 30)\n"
	"      --connect-timeout SEC  connect timeout (default 10)\n"
	"      --breaker N         failures in a row that stop a source (default 5)\n"
	"      --yahoo-url URL     Yahoo base URL ($TICKERNET_YAHOO_URL)\n"
	"      --stooq-url URL     Stooq base URL ($TICKERNET_STOOQ_URL)\n"
	"      --metrics-file FILE Prometheus metrics\n"
	"  -q, --quiet             errors only\n"
	"  -v, --verbose           more detail\n"
	"  -h, --help              this help\n"
	"  -V, --version           the version\n";

/* A symbol's failure: printed even with -q, since it changes the exit. */
static void job_fail(struct job *j, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void job_fail(struct job *j, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->err, sizeof j->err, fmt, ap);
	va_end(ap);
	j->code = code;
}

static tn_day parse_date_opt(const char *opt, const char *arg)
{
	tn_day d;

	if (tn_date_parse(arg, &d) < 0)
		tn_usage_error("%s: not a YYYY-MM-DD date: '%s'", opt, arg);
	return d;
}

static void parse_source(struct config *cfg, const char *arg)
{
	int i;

	if (strncmp(arg, "file:", 5) == 0) {
		if (!arg[5])
			tn_usage_error("--source: file: needs a directory");
		cfg->source = SRC_FILE;
		cfg->dir = arg + 5;
		return;
	}
	for (i = 0; i < (int)(sizeof source_names / sizeof source_names[0]); i++) {
		if (i != SRC_FILE && strcmp(arg, source_names[i]) == 0) {
			cfg->source = (enum source)i;
			return;
		}
	}
	tn_usage_error("--source: unknown source '%s' (yahoo, stooq, file:DIR, synthetic)",
		       arg);
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

/* Parses the command line; returns the index of the first symbol. */
static int parse_options(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "start", required_argument, NULL, OPT_START },
		{ "end", required_argument, NULL, OPT_END },
		{ "days", required_argument, NULL, 'd' },
		{ "asof", required_argument, NULL, OPT_ASOF },
		{ "output", required_argument, NULL, 'o' },
		{ "store", required_argument, NULL, OPT_STORE },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "repair", no_argument, NULL, OPT_REPAIR },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "signal", required_argument, NULL, OPT_SIGNAL },
		{ "jobs", required_argument, NULL, 'j' },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "backoff", required_argument, NULL, OPT_BACKOFF },
		{ "max-wait", required_argument, NULL, OPT_MAX_WAIT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
		{ "breaker", required_argument, NULL, OPT_BREAKER },
		{ "yahoo-url", required_argument, NULL, OPT_YAHOO_URL },
		{ "stooq-url", required_argument, NULL, OPT_STOOQ_URL },
		{ "metrics-file", required_argument, NULL, OPT_METRICS },
		TN_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *start = NULL, *end = NULL, *asof = NULL, *store = NULL;
	long days = -1;
	tn_day asof_day;
	int c;

	while ((c = getopt_long(argc, argv, "s:d:o:j:" TN_COMMON_SHORTOPTS,
				longopts, NULL)) != -1) {
		switch (c) {
		case 's': parse_source(cfg, optarg); break;
		case OPT_START: start = optarg; break;
		case OPT_END: end = optarg; break;
		case 'd': days = tn_optlong("--days", optarg, 1, MAX_DAYS); break;
		case OPT_ASOF: asof = optarg; break;
		case 'o': cfg->output = optarg; break;
		case OPT_STORE: store = optarg; break;
		case OPT_OFFLINE: cfg->offline = 1; break;
		case OPT_REPORT: cfg->report = optarg; break;
		case OPT_REPAIR: cfg->repair = 1; break;
		case OPT_SEED:
			cfg->market.seed = (uint64_t)tn_optlong("--seed", optarg, 0, LONG_MAX);
			break;
		case OPT_SIGNAL:
			cfg->market.signal = tn_optdouble("--signal", optarg, -5, 5);
			break;
		case 'j': cfg->http.jobs = tn_optlong("--jobs", optarg, 1, 64); break;
		case OPT_RATE: cfg->http.rate = tn_optdouble("--rate", optarg, 0.01, 1000); break;
		case OPT_RETRIES:
			cfg->http.retries = (int)tn_optlong("--retries", optarg, 0, 20);
			break;
		case OPT_BACKOFF:
			cfg->http.backoff = tn_optdouble("--backoff", optarg, 0, 600);
			break;
		case OPT_MAX_WAIT:
			cfg->http.max_retry_after = tn_optdouble("--max-wait", optarg, 0, 86400);
			break;
		case OPT_TIMEOUT:
			cfg->http.timeout = tn_optdouble("--timeout", optarg, 0.01, 3600);
			break;
		case OPT_CONNECT_TIMEOUT:
			cfg->http.connect_timeout =
				tn_optdouble("--connect-timeout", optarg, 0.01, 3600);
			break;
		case OPT_BREAKER:
			cfg->http.breaker = (int)tn_optlong("--breaker", optarg, 1, 10000);
			break;
		case OPT_YAHOO_URL: cfg->yahoo_url = optarg; break;
		case OPT_STOOQ_URL: cfg->stooq_url = optarg; break;
		case OPT_METRICS: cfg->metrics = optarg; break;
		default: tn_common_option(c, usage); break;
		}
	}
	if (start && days > 0)
		tn_usage_error("--start and --days exclude each other");
	if (end)
		cfg->end = parse_date_opt("--end", end);
	else if (tn_date_today(NULL, &cfg->end) < 0)
		die(TN_EX_SOFTWARE, "cannot read the clock:");
	if (asof) {
		asof_day = parse_date_opt("--asof", asof);
		if (asof_day < cfg->end)
			cfg->end = asof_day;
	}
	if (start) {
		cfg->start = parse_date_opt("--start", start);
	} else {
		tn_day last = tn_is_trading_day(cfg->end) ? cfg->end
							  : tn_prev_trading_day(cfg->end);
		cfg->start = tn_add_trading_days(last, -(int)((days > 0 ? days
									: DEFAULT_DAYS) - 1));
	}
	if (cfg->start > cfg->end)
		tn_usage_error("--start is after --end");
	cfg->store = tn_store_root(store);
	if (!cfg->store)
		tn_usage_error("--store: empty directory name");
	if (!cfg->yahoo_url)
		cfg->yahoo_url = env_or(TN_YAHOO_URL_ENV, TN_YAHOO_URL_DEFAULT);
	if (!cfg->stooq_url)
		cfg->stooq_url = env_or(TN_STOOQ_URL_ENV, TN_STOOQ_URL_DEFAULT);
	cfg->http.source = cfg->source == SRC_STOOQ ? "stooq" : "yahoo";
	return optind;
}

/* Adds one symbol, checked, to the job list; dies on an invalid one. */
static void add_symbol(struct run *run, size_t *cap, const char *text,
		       const char *where)
{
	char sym[TN_SYMBOL_MAX + 1];
	const char *why;

	if (tn_symbol_normalise(text, sym, &why) < 0)
		die(TN_EX_DATAERR, "%sinvalid symbol '%s': %s", where, text, why);
	if (run->njobs == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		run->jobs = xreallocarray(run->jobs, *cap, sizeof *run->jobs);
	}
	memset(&run->jobs[run->njobs], 0, sizeof run->jobs[0]);
	memcpy(run->jobs[run->njobs].symbol, sym, sizeof sym);
	run->jobs[run->njobs].lock.fd = -1;
	run->njobs++;
}

static void read_symbols(struct run *run, size_t *cap)
{
	char *line = NULL, *p, *e, where[64];
	size_t size = 0;
	long lineno = 0;

	while (getline(&line, &size, stdin) != -1) {
		lineno++;
		if ((p = strchr(line, '#')))
			*p = '\0';
		p = line + strspn(line, " \t\r\n");
		e = p + strlen(p);
		while (e > p && strchr(" \t\r\n", e[-1]))
			*--e = '\0';
		if (!*p)
			continue;
		snprintf(where, sizeof where, "<stdin>:%ld: ", lineno);
		add_symbol(run, cap, p, where);
	}
	if (ferror(stdin))
		die(TN_EX_IOERR, "<stdin>:");
	free(line);
}

static int by_symbol(const void *a, const void *b)
{
	return strcmp(((const struct job *)a)->symbol, ((const struct job *)b)->symbol);
}

/* The contract's order, each symbol once. */
static void sort_symbols(struct run *run)
{
	size_t i, kept = 0;

	qsort(run->jobs, run->njobs, sizeof *run->jobs, by_symbol);
	for (i = 0; i < run->njobs; i++)
		if (kept == 0 || strcmp(run->jobs[kept - 1].symbol, run->jobs[i].symbol))
			run->jobs[kept++] = run->jobs[i];
	run->njobs = kept;
}

static void step_progress(struct run *run, const char *symbol)
{
	tn_progress_update(&run->progress, ++run->done, "%s", symbol);
}

/* Locks the symbol's cache and reads it; plans the refresh. */
static void prepare(struct run *run, struct job *j)
{
	const struct config *cfg = run->cfg;
	char lockdir[PATH_MAX], key[TN_LOCK_KEY_MAX + 1], err[ERR_MAX];
	int rc;

	if (tn_store_prices_path(j->path, sizeof j->path, cfg->store, j->symbol) < 0 ||
	    tn_store_area_path(lockdir, sizeof lockdir, cfg->store, TN_STORE_LOCKS) < 0 ||
	    tn_store_lock_key(key, sizeof key, "prices", j->symbol) < 0) {
		job_fail(j, TN_EX_CANTCREAT, "%s: path too long", cfg->store);
		return;
	}
	rc = tn_lock_acquire(&j->lock, lockdir, key, 0);
	if (rc == TN_LOCK_BUSY) {
		job_fail(j, TN_EX_TEMPFAIL, "%s: locked by another writer", j->lock.path);
		return;
	}
	if (rc < 0) {
		job_fail(j, TN_EX_CANTCREAT, "%s: %s", j->lock.path, strerror(errno));
		return;
	}
	rc = tn_cache_read(j->path, j->symbol, &j->cache, err, sizeof err);
	if (rc && rc != TN_EX_NOINPUT) {
		tn_fetch_decision(&run->report, j->symbol, TN_FETCH_NODATE,
				  TN_ACT_REFETCH, "cache unreadable, fetched again: %s",
				  err);
		tn_series_free(&j->cache);
	}
	j->plan = tn_cache_plan(&j->cache, cfg->start, cfg->end, &j->from, &j->to);
	if (j->plan == TN_PLAN_HIT) {
		run->cache_hits++;
		step_progress(run, j->symbol);
	} else
		run->cache_misses++;
}

/* The fresh bars of a job are in: validate, check the overlap, merge and
 * write the cache.  Returns 1 when the whole history must be fetched
 * again (the overlap disagreed). */
static int absorb(struct run *run, struct job *j)
{
	char err[ERR_MAX];
	tn_day bad;
	int rc;

	tn_series_clip(&j->fresh, j->from, j->to);
	j->rejected += tn_fetch_validate(&j->fresh, j->symbol, run->cfg->repair,
					 &run->report);
	j->fetched = j->fresh.n;
	if (j->plan == TN_PLAN_INCREMENTAL &&
	    ((bad = tn_cache_disagreement(&j->cache, &j->fresh)) != TN_FETCH_NODATE ||
	     j->fresh.splits > 0)) {
		if (bad == TN_FETCH_NODATE)
			bad = j->fresh.bars[0].date;
		tn_fetch_decision(&run->report, j->symbol, bad, TN_ACT_REFETCH,
				  "%s: the whole history fetched again",
				  j->fresh.splits ? "a split"
						  : "the source revised the cached bars");
		j->from = j->cache.bars[0].date < run->cfg->start ? j->cache.bars[0].date
								   : run->cfg->start;
		j->to = run->cfg->end;
		j->plan = TN_PLAN_FULL;
		j->refetched = 1;
		tn_series_free(&j->fresh);
		return 1;
	}
	if (j->plan == TN_PLAN_FULL && j->refetched)
		tn_series_free(&j->cache);
	tn_cache_merge(&j->cache, &j->fresh);
	if (j->cache.n == 0) {
		char d1[TN_DATE_LEN + 1], d2[TN_DATE_LEN + 1];

		tn_date_format(j->from, d1);
		tn_date_format(j->to, d2);
		job_fail(j, TN_EX_NOINPUT, "no valid bars from %s to %s", d1, d2);
		return 0;
	}
	if (j->fresh.n > 0 &&
	    (rc = tn_cache_write(j->path, j->symbol, &j->cache, err, sizeof err)))
		job_fail(j, rc, "%s", err);
	return 0;
}

static int build_url(struct run *run, struct job *j)
{
	const struct config *cfg = run->cfg;
	int rc = cfg->source == SRC_STOOQ
			 ? tn_stooq_url(j->url, sizeof j->url, cfg->stooq_url, j->symbol,
					j->from, j->to)
			 : tn_yahoo_url(j->url, sizeof j->url, cfg->yahoo_url, j->symbol,
					j->from, j->to);

	if (rc < 0)
		job_fail(j, TN_EX_USAGE, "base URL too long");
	return rc;
}

/* The engine finished one request: parse it into the job's fresh bars. */
static void on_response(struct tn_http_req *req, void *arg)
{
	struct run *run = arg;
	struct job *j = req->user;
	const char *src = run->cfg->http.source;
	char err[ERR_MAX];
	int rc;

	if (req->result) {
		job_fail(j, req->result, "%s: %s", src, req->err);
		return;
	}
	if (run->cfg->source == SRC_STOOQ)
		rc = req->status == 200
			     ? tn_stooq_parse(req->body, req->len, j->symbol, &j->fresh,
					      err, sizeof err)
			     : (snprintf(err, sizeof err, "HTTP %ld", req->status),
				req->status == 404 ? TN_EX_NOINPUT : TN_EX_DATAERR);
	else
		rc = tn_yahoo_parse(req->body, req->len, j->symbol, &j->fresh,
				    &run->report, err, sizeof err);
	if (!rc && req->status != 200) {
		snprintf(err, sizeof err, "HTTP %ld", req->status);
		rc = req->status == 404 ? TN_EX_NOINPUT : TN_EX_DATAERR;
	}
	if (rc)
		job_fail(j, rc, "%s: %s", src, err);
}

/* Fetches every job whose plan needs the network; returns the engine's
 * status (69 when the breaker opened). */
static int fetch_remote(struct run *run)
{
	struct tn_http_req *reqs = xcalloc(run->njobs, sizeof *reqs);
	size_t i, n = 0;
	int status = 0, round;

	for (round = 0; round < 2 && status == 0; round++) {
		n = 0;
		for (i = 0; i < run->njobs; i++) {
			struct job *j = &run->jobs[i];

			if (j->code || j->plan == TN_PLAN_HIT ||
			    (round == 1 && !j->refetched) || build_url(run, j) < 0)
				continue;
			memset(&reqs[n], 0, sizeof reqs[n]);
			reqs[n].url = j->url;
			reqs[n].user = j;
			n++;
		}
		if (n == 0)
			break;
		status = tn_http_run(reqs, n, &run->cfg->http, on_response, run,
				     &run->http);
		for (i = 0; i < n; i++) {
			struct job *j = reqs[i].user;

			tn_http_req_free(&reqs[i]);
			if (!j->code && absorb(run, j) == 0)
				step_progress(run, j->symbol);
		}
	}
	free(reqs);
	return status;
}

static void fetch_files(struct run *run)
{
	size_t i;

	for (i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];
		int rc;

		if (j->code || j->plan == TN_PLAN_HIT)
			continue;
		/* A file is the whole history each time: plan it as such. */
		j->plan = TN_PLAN_FULL;
		j->from = j->cache.n && j->cache.bars[0].date < run->cfg->start
				  ? j->cache.bars[0].date : run->cfg->start;
		rc = tn_fetch_file(run->cfg->dir, j->symbol, &j->fresh, j->err,
				   sizeof j->err);
		if (rc)
			j->code = rc;
		else
			absorb(run, j);
		step_progress(run, j->symbol);
	}
}

/* The bars a job delivers, in j->cache: the synthetic market's, or the
 * cache file's for --offline (after a refresh j->cache is the file). */
static void load(struct run *run, struct job *j)
{
	const struct config *cfg = run->cfg;
	char err[ERR_MAX];
	int rc;

	if (cfg->source == SRC_SYNTHETIC) {
		int n = tn_synth_bars(&cfg->market, j->symbol, cfg->start, cfg->end,
				      &j->cache.bars);

		j->cache.n = j->cache.cap = n > 0 ? (size_t)n : 0;
		j->fetched = j->cache.n;
	} else if (tn_store_prices_path(j->path, sizeof j->path, cfg->store,
					j->symbol) < 0) {
		job_fail(j, TN_EX_NOINPUT, "%s: path too long", cfg->store);
	} else if ((rc = tn_cache_read(j->path, j->symbol, &j->cache, err,
				       sizeof err))) {
		if (rc == TN_EX_NOINPUT)
			job_fail(j, rc, "not in the cache (%s)", j->path);
		else
			job_fail(j, rc, "%s", err);
	}
	step_progress(run, j->symbol);
}

/* Keeps the job's bars within [start, end]; a job left with none fails. */
static void select_range(struct run *run, struct job *j)
{
	char d1[TN_DATE_LEN + 1], d2[TN_DATE_LEN + 1];

	if (j->code)
		return;
	tn_series_clip(&j->cache, run->cfg->start, run->cfg->end);
	tn_date_format(run->cfg->start, d1);
	tn_date_format(run->cfg->end, d2);
	if (j->cache.n == 0) {
		job_fail(j, TN_EX_NOINPUT, "no bars from %s to %s", d1, d2);
		return;
	}
	tn_date_format(j->cache.bars[0].date, d1);
	tn_date_format(j->cache.bars[j->cache.n - 1].date, d2);
	warn("%s: ok: %zu bars %s..%s, %zu fetched, %zu rejected", j->symbol,
	     j->cache.n, d1, d2, j->fetched, j->rejected);
}

/* 0 when every symbol succeeded; 69 when the breaker opened; the common
 * code when all failed alike; 1 otherwise. */
static int exit_status(const struct run *run, int engine)
{
	size_t i, ok = 0, failed = 0;
	int common = 0;

	for (i = 0; i < run->njobs; i++) {
		const struct job *j = &run->jobs[i];

		if (!j->code) {
			ok++;
			continue;
		}
		fprintf(stderr, "%s: %s: %s\n", tn_progname, j->symbol, j->err);
		common = failed++ == 0 || common == j->code ? j->code : -1;
	}
	if (tn_verbosity > TN_QUIET)
		fprintf(stderr, "%s: %zu of %zu symbols ok\n", tn_progname, ok,
			run->njobs);
	if (engine == TN_EX_UNAVAILABLE)
		return TN_EX_UNAVAILABLE;
	if (failed == 0)
		return TN_EX_OK;
	return ok == 0 && common > 0 ? common : TN_EX_FAIL;
}

static void write_metrics(const struct run *run)
{
	struct tn_metrics m = { 0 };
	const char *what;
	size_t i, ok = 0;

	for (i = 0; i < run->njobs; i++)
		ok += run->jobs[i].code == 0;
	tn_metrics_counter_add(&m, "tickernet_fetch_requests_total",
			       "HTTP requests made, retries included.", NULL,
			       (double)run->http.requests);
	tn_metrics_counter_add(&m, "tickernet_fetch_retries_total",
			       "HTTP requests retried.", NULL, (double)run->http.retries);
	tn_metrics_counter_add(&m, "tickernet_fetch_cache_hits_total",
			       "Symbols served from the cache alone.", NULL,
			       (double)run->cache_hits);
	tn_metrics_counter_add(&m, "tickernet_fetch_cache_misses_total",
			       "Symbols that needed the source.", NULL,
			       (double)run->cache_misses);
	tn_metrics_gauge_set(&m, "tickernet_fetch_symbols_ok", "Symbols delivered.",
			     NULL, (double)ok);
	tn_metrics_gauge_set(&m, "tickernet_fetch_symbols_failed", "Symbols failed.",
			     NULL, (double)(run->njobs - ok));
	if (tn_metrics_write(&m, run->cfg->metrics, &what) < 0)
		warn("%s: %s:", run->cfg->metrics, what);
	tn_metrics_free(&m);
}

/* A failed write: nothing half-done is left at -o. */
static noreturn void output_error(struct tn_output *out)
{
	int saved = errno;

	tn_output_abort(out);
	errno = saved;
	die(TN_EX_IOERR, "%s: write error:", out->name);
}

/* Writes the delivered symbols to standard output or -o, atomically. */
static void write_output(struct run *run)
{
	const struct config *cfg = run->cfg;
	struct tn_output out;
	struct tn_csv_writer *w;
	size_t i, j, ok = 0;

	for (i = 0; i < run->njobs; i++)
		ok += run->jobs[i].code == 0;
	if (ok == 0)
		return; /* nothing to say, and no empty file left behind */
	if (tn_output_open(&out, cfg->output, 0644) < 0)
		die(TN_EX_CANTCREAT, "%s: %s:", out.name, out.what);
	w = tn_prices_writer(out.fp);
	if (!w)
		output_error(&out);
	for (i = 0; i < run->njobs; i++) {
		const struct job *job = &run->jobs[i];

		for (j = 0; !job->code && j < job->cache.n; j++)
			if (tn_prices_write(w, job->symbol, &job->cache.bars[j]) < 0) {
				tn_csv_writer_close(w);
				output_error(&out);
			}
	}
	if (tn_csv_writer_close(w) < 0)
		output_error(&out);
	if (tn_output_commit(&out) < 0)
		die(TN_EX_IOERR, "%s: %s:", out.name, out.what);
}

int main(int argc, char **argv)
{
	struct config cfg = { .source = SRC_YAHOO,
			      .market = { TN_SYNTH_DEFAULT_SEED, TN_SYNTH_DEFAULT_SIGNAL } };
	struct run run = { .cfg = &cfg };
	char where[PATH_MAX];
	size_t i, cap = 0;
	int first, engine = 0, status;

	tn_init_progname(argv);
	tn_http_defaults(&cfg.http);
	first = parse_options(argc, argv, &cfg);
	for (i = (size_t)first; i < (size_t)argc; i++)
		add_symbol(&run, &cap, argv[i], "");
	if (first == argc)
		read_symbols(&run, &cap);
	if (run.njobs == 0)
		tn_usage_error("no symbols given");
	sort_symbols(&run);
	if (cfg.report && !(run.report.json = fopen(cfg.report, "w")))
		die(TN_EX_CANTCREAT, "%s:", cfg.report);

	tn_progress_start(&run.progress, "fetching", (long)run.njobs);
	if (cfg.source == SRC_SYNTHETIC || cfg.offline) {
		for (i = 0; i < run.njobs; i++)
			load(&run, &run.jobs[i]);
	} else {
		if (tn_store_init(cfg.store, where, sizeof where) < 0)
			die(TN_EX_CANTCREAT, "%s:", where);
		for (i = 0; i < run.njobs; i++)
			prepare(&run, &run.jobs[i]);
		if (cfg.source == SRC_FILE)
			fetch_files(&run);
		else
			engine = fetch_remote(&run);
	}
	tn_progress_end(&run.progress);
	for (i = 0; i < run.njobs; i++)
		select_range(&run, &run.jobs[i]);
	write_output(&run);
	for (i = 0; i < run.njobs; i++) {
		tn_lock_release(&run.jobs[i].lock);
		tn_series_free(&run.jobs[i].cache);
		tn_series_free(&run.jobs[i].fresh);
	}
	status = exit_status(&run, engine);
	if (run.report.json && (fclose(run.report.json) != 0 || run.report.failed))
		die(TN_EX_IOERR, "%s:", cfg.report);
	if (cfg.metrics)
		write_metrics(&run);
	free(run.jobs);
	return tn_finish(status);
}
