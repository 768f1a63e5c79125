/* trainjobs.h - the command-line side that the per-symbol trainers
 * (gnn-train, lstm-train) share around the training of one symbol: the
 * list of symbols to train, the -j worker pool that trains each symbol in
 * a process of its own and copies its one-line JSON summary to stdout,
 * the SIGINT/SIGTERM stop flag, and --rollback.
 *
 *	struct tn_tj_symbols list = { 0 };
 *	tn_tj_symbols_add(&list, "aapl");             --symbol
 *	tn_tj_symbols_add_arg(&list, "MSFT,IBM");     --symbols LIST|@FILE
 *	tn_tj_symbols_read_file(&list, "syms.txt");   --symbols-file
 *	job.stop = tn_tj_catch_signals();
 *	struct tn_tj_pool pool = { list.names, list.n, jobs, train_one,
 *				   NULL, &ctx, stdout };
 *	status = tn_tj_pool_run(&pool);
 *	tn_tj_symbols_free(&list);
 *
 * A bad symbol or option value is a usage error (exit 2), a symbols file
 * that cannot be read exits 66 or 74, with the messages the trainers'
 * bats suites pin. */
#ifndef TN_TRAINJOBS_H
#define TN_TRAINJOBS_H

#include <cJSON.h>
#include <signal.h>
#include <stdio.h>

/* Normalised symbols in the order first given, each once. */
struct tn_tj_symbols {
	char **names;         /* (n) */
	int n;
};

/* Adds raw, normalised (symbol.h); a symbol already listed is skipped.  A
 * bad one is a usage error: "prog: 'raw': why". */
void tn_tj_symbols_add(struct tn_tj_symbols *list, const char *raw);
/* Adds each symbol of the comma-separated text; empty items are skipped. */
void tn_tj_symbols_add_list(struct tn_tj_symbols *list, const char *text);
/* Adds the symbols of the file at path: separated by blanks, commas or
 * line ends, '#' to the end of the line a comment.  Exits 66 when it
 * cannot be opened, 74 on a read error. */
void tn_tj_symbols_read_file(struct tn_tj_symbols *list, const char *path);
/* --symbols' argument: "@path" reads the file, else the list. */
void tn_tj_symbols_add_arg(struct tn_tj_symbols *list, const char *arg);
void tn_tj_symbols_free(struct tn_tj_symbols *list);

/* Installs handlers for SIGINT and SIGTERM that record the signal, and
 * returns that record (0 until a signal came) for the training loops to
 * poll: they stop after the current step.  No SA_RESTART, so a blocked
 * waitpid in the pool sees the signal. */
volatile sig_atomic_t *tn_tj_catch_signals(void);
/* The exit status of a run stopped by sig: 130 for SIGINT, else 143. */
int tn_tj_signal_status(int sig);

/* Trains symbol and writes its one-line JSON summary to summary_out, or
 * nothing when stopped by a signal.  Returns its exit status. */
typedef int tn_tj_train_fn(const char *symbol, FILE *summary_out, void *ctx);
/* Sees each summary the pool copies to out, parsed (a line that does not
 * parse is copied but not shown to it). */
typedef void tn_tj_summary_fn(const cJSON *summary, void *ctx);

struct tn_tj_pool {
	char *const *symbols;         /* (nsym) */
	int nsym;
	int jobs;                     /* workers at a time, >= 1 */
	tn_tj_train_fn *train_one;    /* run in the worker process */
	tn_tj_summary_fn *on_summary; /* run in the parent; may be NULL */
	void *ctx;                    /* passed to both */
	FILE *out;                    /* where the summaries go: stdout */
};

/* Trains every symbol, each in a forked worker with a pipe for its
 * summary, at most pool->jobs at a time; a progress line counts the
 * symbols done.  A worker's summary is copied to out as it ends; one that
 * ends without a summary (a crash, an exit before writing) gets a "failed"
 * summary and a warning "SYMBOL: worker exited with status N" (128 + the
 * signal when killed), unless it was stopped by SIGINT or SIGTERM.  On
 * SIGTERM the pool forwards it to the workers (SIGINT reaches the whole
 * process group from the terminal), starts no more and waits for those
 * running.  Returns 0 when every worker exited 0, 1 when any did not, or
 * the signal's status (130, 143) when stopped. */
int tn_tj_pool_run(const struct tn_tj_pool *pool);

/* --rollback SYMBOL: points the symbol's current <kind> model at the
 * previous version under its lock (waiting up to lock_wait seconds) and
 * prints {"symbol", "status": "rolled-back", "model_version",
 * "previous_version"} as one line.  A bad symbol is a usage error
 * ("prog: --rollback: 'raw': why"), a store error exits with its status.
 * Returns 0. */
int tn_tj_rollback(const char *root, const char *kind, const char *raw_symbol,
		   int lock_wait);

#endif
