/* trainjobs.c - symbol lists, the worker pool, the stop flag and rollback
 * of the per-symbol trainers. */
#include "trainjobs.h"

#include "cli.h"
#include "json.h"
#include "modelstore.h"
#include "progress.h"
#include "symbol.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Longest line of a symbols file read at once; a longer one is read in
 * pieces, which may split a symbol. */
#define SYMBOLS_LINE_MAX 256
/* Most of a worker's summary kept; a summary is a few hundred bytes. */
#define SUMMARY_MAX (1 << 16)

/* ---- symbol lists ------------------------------------------------------- */

void tn_tj_symbols_add(struct tn_tj_symbols *list, const char *raw)
{
	char sym[TN_SYMBOL_MAX + 1];
	const char *why;
	int k;

	if (tn_symbol_normalise(raw, sym, &why) < 0)
		tn_usage_error("'%s': %s", raw, why);
	for (k = 0; k < list->n; k++)
		if (strcmp(list->names[k], sym) == 0)
			return;
	list->names = xreallocarray(list->names, (size_t)list->n + 1,
				    sizeof *list->names);
	list->names[list->n++] = xstrdup(sym);
}

static void add_separated(struct tn_tj_symbols *list, char *text, const char *sep)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(text, sep, &save); tok; tok = strtok_r(NULL, sep, &save))
		tn_tj_symbols_add(list, tok);
}

void tn_tj_symbols_add_list(struct tn_tj_symbols *list, const char *text)
{
	char *copy = xstrdup(text);

	add_separated(list, copy, ",");
	free(copy);
}

void tn_tj_symbols_add_arg(struct tn_tj_symbols *list, const char *arg)
{
	if (arg[0] == '@')
		tn_tj_symbols_read_file(list, arg + 1);
	else
		tn_tj_symbols_add_list(list, arg);
}

void tn_tj_symbols_read_file(struct tn_tj_symbols *list, const char *path)
{
	char line[SYMBOLS_LINE_MAX];
	FILE *fp = fopen(path, "r");

	if (!fp)
		die(TN_EX_NOINPUT, "%s:", path);
	while (fgets(line, sizeof line, fp)) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		add_separated(list, line, " \t\r\n,");
	}
	if (ferror(fp))
		die(TN_EX_IOERR, "%s: read error", path);
	fclose(fp);
}

void tn_tj_symbols_free(struct tn_tj_symbols *list)
{
	int k;

	for (k = 0; k < list->n; k++)
		free(list->names[k]);
	free(list->names);
	list->names = NULL;
	list->n = 0;
}

/* ---- signals ------------------------------------------------------------ */

/* The signal that asked the run to stop, 0 until one came.  A handler can
 * reach nothing else. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

volatile sig_atomic_t *tn_tj_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return &stop_signal;
}

int tn_tj_signal_status(int sig)
{
	return sig == SIGINT ? TN_EX_SIGINT : TN_EX_SIGTERM;
}

/* ---- the worker pool ---------------------------------------------------- */

struct worker {
	pid_t pid;            /* 0: a free slot */
	int fd;               /* the read end of its summary pipe */
	const char *symbol;
};

/* Runs in the worker: trains the symbol into the pipe and exits with its
 * status. */
static noreturn void work(const struct tn_tj_pool *pool, const char *symbol,
			  int fds[2])
{
	FILE *out;
	int status;

	close(fds[0]);
	out = fdopen(fds[1], "w");
	if (!out)
		_exit(TN_EX_SOFTWARE);
	/* A summary is far smaller than a pipe's buffer, so the worker never
	 * blocks on it. */
	status = pool->train_one(symbol, out, pool->ctx);
	if (fclose(out) != 0 && status == 0)
		status = TN_EX_IOERR;
	_exit(status);
}

/* Reads the worker's summary line and copies it to out; a worker that
 * died without one gets a failed summary. */
static void finish_worker(const struct tn_tj_pool *pool, struct worker *w,
			  int wstatus, int *any_failed)
{
	char buf[SUMMARY_MAX];
	size_t got = 0;
	ssize_t n;
	int code;

	while (got < sizeof buf - 1 &&
	       (n = read(w->fd, buf + got, sizeof buf - 1 - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(w->fd);
	code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	if (got > 0) {
		fwrite(buf, 1, got, pool->out);
		fflush(pool->out);
		if (pool->on_summary) {
			cJSON *summary = cJSON_Parse(buf);

			if (summary)
				pool->on_summary(summary, pool->ctx);
			cJSON_Delete(summary);
		}
	} else if (code != TN_EX_SIGINT && code != TN_EX_SIGTERM) {
		struct tn_ms_summary s = { 0 };
		char err[128];
		cJSON *o;

		snprintf(err, sizeof err, "%s: worker exited with status %d", w->symbol,
			 code);
		s.symbol = w->symbol;
		s.status = TN_MS_FAILED;
		s.epochs = -1;
		s.error = err;
		warn("%s", err);
		o = tn_ms_summary_json(&s);
		tn_json_write_line(pool->out, o);
		if (pool->on_summary)
			pool->on_summary(o, pool->ctx);
		cJSON_Delete(o);
	}
	if (code != 0)
		*any_failed = 1;
	w->pid = 0;
}

int tn_tj_pool_run(const struct tn_tj_pool *pool)
{
	struct worker *w = xcalloc((size_t)pool->jobs, sizeof *w);
	struct tn_progress prog = { 0 };
	int next = 0, running = 0, any_failed = 0, done = 0, k;

	tn_progress_start(&prog, "symbols", pool->nsym);
	/* what a worker inherits unwritten it would never write, or twice */
	fflush(stdout);
	fflush(pool->out);
	while ((next < pool->nsym && !stop_signal) || running > 0) {
		int wstatus;
		pid_t pid;

		while (running < pool->jobs && next < pool->nsym && !stop_signal) {
			int fds[2];

			for (k = 0; w[k].pid; k++)
				;
			if (pipe(fds) < 0)
				die(TN_EX_SOFTWARE, "pipe:");
			pid = fork();
			if (pid < 0)
				die(TN_EX_SOFTWARE, "fork:");
			if (pid == 0)
				work(pool, pool->symbols[next], fds);
			close(fds[1]);
			w[k] = (struct worker){ pid, fds[0], pool->symbols[next] };
			next++;
			running++;
		}
		pid = waitpid(-1, &wstatus, 0);
		if (pid < 0) {
			if (errno == EINTR) {
				/* forward SIGTERM; SIGINT reached the group */
				for (k = 0; k < pool->jobs; k++)
					if (w[k].pid && stop_signal == SIGTERM)
						kill(w[k].pid, SIGTERM);
				continue;
			}
			die(TN_EX_SOFTWARE, "waitpid:");
		}
		for (k = 0; k < pool->jobs; k++)
			if (w[k].pid == pid) {
				finish_worker(pool, &w[k], wstatus, &any_failed);
				running--;
				tn_progress_update(&prog, ++done, "%s", w[k].symbol);
				break;
			}
	}
	tn_progress_end(&prog);
	free(w);
	if (stop_signal)
		return tn_tj_signal_status(stop_signal);
	return any_failed ? TN_EX_FAIL : TN_EX_OK;
}

/* ---- rollback ----------------------------------------------------------- */

int tn_tj_rollback(const char *root, const char *kind, const char *raw_symbol,
		   int lock_wait)
{
	char err[1024], from[TN_STAMP_LEN + 1], to[TN_STAMP_LEN + 1];
	char symbol[TN_SYMBOL_MAX + 1];
	const char *why;
	struct tn_ms ms;
	cJSON *o;
	int rc;

	if (tn_symbol_normalise(raw_symbol, symbol, &why) < 0)
		tn_usage_error("--rollback: '%s': %s", raw_symbol, why);
	rc = tn_ms_open(&ms, root, kind, symbol, lock_wait, err, sizeof err);
	if (rc == 0) {
		rc = tn_ms_rollback(&ms, from, to, err, sizeof err);
		tn_ms_close(&ms);
	}
	if (rc)
		die(rc, "%s", err);
	o = tn_json_object();
	tn_json_add_string(o, "symbol", symbol);
	tn_json_add_string(o, "status", "rolled-back");
	tn_json_add_string(o, "model_version", to);
	tn_json_add_string(o, "previous_version", from);
	if (tn_json_write_line(stdout, o) < 0)
		die(TN_EX_IOERR, "stdout:");
	cJSON_Delete(o);
	return TN_EX_OK;
}
