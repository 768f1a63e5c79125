/* lstm-train - train per-symbol LSTM forecasters into the store: a parent
 * model from scratch (an index, ^GSPC), or children from a parent by
 * transfer, freezing its LSTM layers or fine-tuning everything; the
 * validation gate, a run record and a one-line JSON summary per symbol.
 * The run of one symbol is lstm_train.h's, which lstm-predict --auto-train
 * shares; this file is the command line, trainjobs.h the workers and the
 * signals. */
#include "cli.h"
#include "gemm.h"
#include "json.h"
#include "lstm_model.h"
#include "lstm_train.h"
#include "metrics.h"
#include "modelstore.h"
#include "nn_h5.h"
#include "panel.h"
#include "progress.h"
#include "store.h"
#include "trainjobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defaults; the man page states them.  The model's and the training
 * loop's own are lstm_model.h's. */
#define DEFAULT_JOBS 1
#define MAX_JOBS 256
#define MAX_EPOCHS 100000
#define MAX_BATCH 4096
#define MAX_CONTEXT 1000
#define MAX_HIDDEN 1024
#define TOOL "lstm-train"

static const char usage_text[] =
"Usage: lstm-train [OPTION]... --symbol SYM [FEATURES.csv]\n"
"       lstm-train [OPTION]... --symbols LIST|@FILE [-j N] [FEATURES.csv]\n"
"       lstm-train [OPTION]... --parent SYM|PATH [--strategy S] --symbol SYM [FEATURES.csv]\n"
"       lstm-train [--store DIR] --rollback SYM\n"
"Train per-symbol LSTM forecasters from a features CSV (build-features\n"
"--preset lstm; stdin when FILE is absent or -) into the store; print one\n"
"JSON summary line per symbol.\n"
"\n"
"  -s, --symbol SYM         train SYM (repeatable)\n"
"      --symbols LIST       train the comma-separated symbols, or those in\n"
"                           the file named by @FILE\n"
"      --symbols-file FILE  train the symbols listed in FILE\n"
"  -j, --jobs N             worker processes (default 1)\n"
"      --store DIR          the store (default $TICKERNET_STORE, else ./store)\n"
"      --force              promote even when validation is worse\n"
"      --rollback SYM       point SYM's current model at the previous version\n"
"      --lock-wait SECONDS  wait for the symbol's lock (default 60)\n"
"      --parent SYM|PATH    start from this parent model (a symbol's current\n"
"                           LSTM model, or a model file)\n"
"      --strategy S         freeze (train the head only) or finetune (all);\n"
"                           default freeze\n"
"      --horizon DAYS       trading days forecast (default 5)\n"
"      --context DAYS       days in a window (default 60)\n"
"      --hidden H           LSTM hidden size (default 128)\n"
"      --epochs N           epochs (default 20; 10 for a child)\n"
"      --batch-size B       windows per step (default 32)\n"
"      --lr RATE            Adam's learning rate (default 0.001; 0.0001\n"
"                           with finetune)\n"
"      --clip NORM          clip the gradient norm (default 1; 0: off)\n"
"      --patience N         early-stopping patience in epochs (default 5)\n"
"      --val-fraction F     share of windows for validation (default 0.2)\n"
"      --seed N             random seed (default 1)\n"
"      --metrics-file FILE  Prometheus metrics\n"
"  -q, --quiet              no warnings\n"
"  -v, --verbose            say more on stderr\n"
"  -h, --help               this help\n"
"  -V, --version            version\n";

enum { OPT_SYMBOLS = 256, OPT_SYMBOLS_FILE, OPT_STORE, OPT_FORCE, OPT_ROLLBACK,
       OPT_LOCK_WAIT, OPT_PARENT, OPT_STRATEGY, OPT_HORIZON, OPT_CONTEXT,
       OPT_HIDDEN, OPT_EPOCHS, OPT_BATCH, OPT_LR, OPT_CLIP, OPT_PATIENCE,
       OPT_VAL_FRACTION, OPT_SEED, OPT_METRICS };

static const struct option longopts[] = {
	{ "symbol", required_argument, NULL, 's' },
	{ "symbols", required_argument, NULL, OPT_SYMBOLS },
	{ "symbols-file", required_argument, NULL, OPT_SYMBOLS_FILE },
	{ "jobs", required_argument, NULL, 'j' },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "rollback", required_argument, NULL, OPT_ROLLBACK },
	{ "lock-wait", required_argument, NULL, OPT_LOCK_WAIT },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "horizon", required_argument, NULL, OPT_HORIZON },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "hidden", required_argument, NULL, OPT_HIDDEN },
	{ "epochs", required_argument, NULL, OPT_EPOCHS },
	{ "batch-size", required_argument, NULL, OPT_BATCH },
	{ "lr", required_argument, NULL, OPT_LR },
	{ "clip", required_argument, NULL, OPT_CLIP },
	{ "patience", required_argument, NULL, OPT_PATIENCE },
	{ "val-fraction", required_argument, NULL, OPT_VAL_FRACTION },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "metrics-file", required_argument, NULL, OPT_METRICS },
	TN_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* ---- metrics ------------------------------------------------------------ */

/* Counts a summary line into the Prometheus metrics. */
static void count_summary(struct tn_metrics *m, const cJSON *summary)
{
	const char *sym = "", *status = TN_MS_FAILED, *why;
	double v;

	if (!m || !summary)
		return;
	tn_json_string(summary, "symbol", &sym, &why);
	tn_json_string(summary, "status", &status, &why);
	tn_metrics_counter_add(m, "tickernet_train_symbols_total",
			       "Symbols trained, by outcome.",
			       (const char *[]){ "tool", TOOL, "status", status,
						 NULL }, 1);
	if (tn_json_number(summary, "seconds", &v, &why) == 0)
		tn_metrics_gauge_set(m, "tickernet_train_seconds",
				     "Seconds the symbol's training took.",
				     (const char *[]){ "tool", TOOL, "symbol", sym,
						       NULL }, v);
	if (tn_json_number(summary, "mse", &v, &why) == 0)
		tn_metrics_gauge_set(m, "tickernet_train_val_mse",
				     "Validation MSE of the version just trained.",
				     (const char *[]){ "tool", TOOL, "symbol", sym,
						       NULL }, v);
	if (tn_json_number(summary, "skill", &v, &why) == 0)
		tn_metrics_gauge_set(m, "tickernet_train_skill",
				     "Validation skill over the zero-return baseline.",
				     (const char *[]){ "tool", TOOL, "symbol", sym,
						       NULL }, v);
}

/* ---- one symbol ----------------------------------------------------------- */

/* Trains one symbol and prints its summary to out.  Returns its exit
 * status (lstm_train_symbol's); stopped by a signal, it prints nothing. */
static int train_one(const struct tn_panel *p, const struct lstm_job *job,
		     const char *symbol, FILE *out, struct tn_metrics *m)
{
	struct lstm_train_report rep;
	cJSON *summary;
	int status;

	status = lstm_train_symbol(p, symbol, job, &rep);
	if (status == TN_EX_SIGINT || status == TN_EX_SIGTERM) {
		lstm_train_report_free(&rep);
		return status;
	}
	if (*rep.error)
		warn("%s", rep.error);
	else
		info("%s: %s (%s)", symbol, rep.status, rep.gate);
	summary = lstm_train_summary_json(&rep, job);
	if (tn_json_write_line(out, summary) < 0 && status == 0)
		status = TN_EX_IOERR;
	count_summary(m, summary);
	cJSON_Delete(summary);
	lstm_train_report_free(&rep);
	return status;
}

/* ---- many symbols --------------------------------------------------------- */

struct pool_ctx {
	const struct tn_panel *panel;
	const struct lstm_job *job;   /* without a progress line */
	struct tn_metrics *metrics;   /* the parent's, or NULL */
};

/* tn_tj_train_fn: one symbol in a worker; the parent counts its summary. */
static int train_worker(const char *symbol, FILE *out, void *ctx)
{
	const struct pool_ctx *c = ctx;

	return train_one(c->panel, c->job, symbol, out, NULL);
}

/* tn_tj_summary_fn */
static void count_worker_summary(const cJSON *summary, void *ctx)
{
	const struct pool_ctx *c = ctx;

	count_summary(c->metrics, summary);
}

/* ---- main ----------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct lstm_job job;
	struct lstm_parent parent;
	struct tn_panel panel;
	struct tn_metrics metrics = { 0 };
	struct tn_tj_symbols symbols = { 0 };
	char perr[NN_H5_ERR_MAX + 512];
	const char *rollback = NULL, *root, *path = "-", *name, *why;
	const char *parent_spec = NULL, *strategy = NULL, *metrics_file = NULL;
	const char *store = NULL;
	int c, status, jobs = DEFAULT_JOBS, col[LSTM_MODEL_INPUTS];
	FILE *fp;

	tn_init_progname(argv);
	lstm_job_default(&job, TOOL, NULL);
	while ((c = getopt_long(argc, argv, "s:j:" TN_COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (tn_common_option(c, usage_text))
			continue;
		switch (c) {
		case 's': tn_tj_symbols_add(&symbols, optarg); break;
		case OPT_SYMBOLS: tn_tj_symbols_add_arg(&symbols, optarg); break;
		case OPT_SYMBOLS_FILE: tn_tj_symbols_read_file(&symbols, optarg); break;
		case 'j': jobs = (int)tn_optlong("--jobs", optarg, 1, MAX_JOBS); break;
		case OPT_STORE: store = optarg; break;
		case OPT_FORCE: job.force = 1; break;
		case OPT_ROLLBACK: rollback = optarg; break;
		case OPT_LOCK_WAIT:
			job.lock_wait = (int)tn_optlong("--lock-wait", optarg, 0, 86400);
			break;
		case OPT_PARENT: parent_spec = optarg; break;
		case OPT_STRATEGY:
			if (lstm_strategy_parse(optarg, &job.strategy) < 0 ||
			    job.strategy == LSTM_SCRATCH)
				tn_usage_error("--strategy: not freeze or finetune: '%s'",
					       optarg);
			strategy = optarg;
			break;
		case OPT_HORIZON:
			job.horizon = (int)tn_optlong("--horizon", optarg, 1,
						      LSTM_MODEL_MAX_HORIZON);
			break;
		case OPT_CONTEXT:
			job.context = (int)tn_optlong("--context", optarg, 2, MAX_CONTEXT);
			break;
		case OPT_HIDDEN:
			job.hidden = (int)tn_optlong("--hidden", optarg, 1, MAX_HIDDEN);
			break;
		case OPT_EPOCHS:
			job.epochs = (int)tn_optlong("--epochs", optarg, 1, MAX_EPOCHS);
			break;
		case OPT_BATCH:
			job.batch = (int)tn_optlong("--batch-size", optarg, 1, MAX_BATCH);
			break;
		/* No upper bound a user would meet: a huge rate is how the
		 * tests make training diverge. */
		case OPT_LR: job.lr = tn_optdouble("--lr", optarg, 1e-12, 1e30); break;
		case OPT_CLIP: job.clip = tn_optdouble("--clip", optarg, 0, 1e9); break;
		case OPT_PATIENCE:
			job.patience = tn_optlong("--patience", optarg, 1, MAX_EPOCHS);
			break;
		case OPT_VAL_FRACTION:
			job.val_fraction = tn_optdouble("--val-fraction", optarg, 0.01, 0.9);
			break;
		case OPT_SEED:
			job.seed = (uint64_t)tn_optlong("--seed", optarg, 0, INT64_MAX);
			break;
		case OPT_METRICS: metrics_file = optarg; break;
		default:
			tn_usage_error("unexpected option");
		}
	}
	root = tn_store_root(store);
	if (!root)
		tn_usage_error("--store: empty directory name");
	job.root = root;
	if (rollback) {
		if (symbols.n > 0 || optind < argc)
			tn_usage_error("--rollback takes no symbols to train and no input");
		return tn_finish(tn_tj_rollback(root, LSTM_TRAIN_KIND, rollback,
						job.lock_wait));
	}
	if (symbols.n == 0)
		tn_usage_error("no symbol to train: give --symbol, --symbols or --symbols-file");
	if (strategy && !parent_spec)
		tn_usage_error("--strategy needs --parent");
	if (optind + 1 < argc)
		tn_usage_error("one features file at most");
	if (optind < argc)
		path = argv[optind];
	name = strcmp(path, "-") ? path : "<stdin>";
	if (parent_spec) {
		if (!strategy)
			job.strategy = LSTM_FREEZE;
		status = lstm_parent_load(&parent, root, parent_spec, perr, sizeof perr);
		if (status == TN_EX_USAGE)
			tn_usage_error("%s", perr);
		if (status)
			die(status, "%s", perr);
		job.parent = &parent;
	}
	if (tn_blas_init(&why) < 0)
		die(TN_EX_SOFTWARE, "BLAS: %s", why);

	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!fp)
		die(TN_EX_NOINPUT, "%s:", path);
	status = tn_panel_read(&panel, fp, path, perr, sizeof perr);
	if (status)
		die(status, "%s", perr);
	if (fp != stdin)
		fclose(fp);
	if (lstm_panel_columns(&panel, col, perr, sizeof perr) < 0)
		die(TN_EX_DATAERR, "%s: %s", name, perr);

	job.stop = tn_tj_catch_signals();
	if (symbols.n == 1 && jobs == 1) {
		job.progress = 1;
		status = train_one(&panel, &job, symbols.names[0], stdout,
				   metrics_file ? &metrics : NULL);
	} else {
		/* a worker's epochs would fight over the one progress line */
		struct lstm_job child = job;
		struct pool_ctx ctx = { &panel, &child,
					metrics_file ? &metrics : NULL };
		struct tn_tj_pool pool = { symbols.names, symbols.n, jobs,
					   train_worker, count_worker_summary,
					   &ctx, stdout };

		child.progress = 0;
		status = tn_tj_pool_run(&pool);
	}
	if (metrics_file && tn_metrics_write(&metrics, metrics_file, &why) < 0)
		warn("%s: %s:", metrics_file, why);

	tn_tj_symbols_free(&symbols);
	if (job.parent)
		lstm_parent_free(&parent);
	tn_metrics_free(&metrics);
	tn_panel_free(&panel);
	return tn_finish(status);
}
