/* Unit tests: common/trainjobs.c - the trainers' symbol lists and worker
 * pool, with a fake training function standing in for a model. */
#include "cli.h"
#include "json.h"
#include "trainjobs.h"
#include "tn_test.h"

#include <sys/resource.h>

#define NSYM_MAX 8

/* ---- symbol lists ------------------------------------------------------- */

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/tn-test-trainjobs.XXXXXX");
	int fd;

	if (!path || (fd = mkstemp(path)) < 0) {
		perror("mkstemp");
		exit(1);
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror("write");
		exit(1);
	}
	close(fd);
	return path;
}

static void check_list(const struct tn_tj_symbols *list, const char *const *want,
		       int n)
{
	int k;

	CHECK_INT(list->n, n);
	for (k = 0; k < n && k < list->n; k++)
		CHECK_STR(list->names[k], want[k]);
}

TEST(lists_keep_the_first_order_and_drop_duplicates)
{
	static const char *const want[] = { "AAPL", "MSFT", "^GSPC", "BRK.B" };
	struct tn_tj_symbols list = { 0 };

	tn_tj_symbols_add(&list, "aapl");
	tn_tj_symbols_add_list(&list, "MSFT,,aapl,^gspc,");
	tn_tj_symbols_add(&list, "brk.b");
	tn_tj_symbols_add_list(&list, "msft");
	check_list(&list, want, 4);
	tn_tj_symbols_free(&list);
	CHECK_INT(list.n, 0);
	CHECK(list.names == NULL);
}

TEST(files_take_comments_blanks_commas_and_crlf)
{
	static const char *const want[] = { "IBM", "AAPL", "MSFT", "GOOG", "ORCL" };
	char *path = write_tmp("# the watch list\n"
			       "ibm  aapl\t# two on a line\n"
			       "\n"
			       "MSFT,GOOG\r\n"
			       "   # only a comment\n"
			       "aapl\n"
			       "orcl");
	struct tn_tj_symbols list = { 0 };

	tn_tj_symbols_add(&list, "IBM");
	tn_tj_symbols_read_file(&list, path);
	check_list(&list, want, 5);
	tn_tj_symbols_free(&list);
	unlink(path);
	free(path);
}

static void add_bad_symbol(void *arg)
{
	struct tn_tj_symbols list = { 0 };

	(void)arg;
	tn_tj_symbols_add_list(&list, "AAPL,../etc");
}

static void read_bad_file(void *path)
{
	struct tn_tj_symbols list = { 0 };

	tn_tj_symbols_read_file(&list, path);
}

static void read_missing_file(void *arg)
{
	struct tn_tj_symbols list = { 0 };

	(void)arg;
	tn_tj_symbols_read_file(&list, "/nonexistent/tn-symbols");
}

TEST(a_bad_symbol_is_a_usage_error)
{
	char err[1024], *path = write_tmp("AAPL\nmsft # fine\nA/B\n");

	CHECK_INT(tn_t_capture(add_bad_symbol, NULL, err, sizeof err), TN_EX_USAGE);
	CHECK(strstr(err, ": '../etc': ") != NULL);
	CHECK(strstr(err, "--help") != NULL);
	CHECK_INT(tn_t_capture(read_bad_file, path, err, sizeof err), TN_EX_USAGE);
	CHECK(strstr(err, ": 'A/B': ") != NULL);
	unlink(path);
	free(path);
}

TEST(a_missing_symbols_file_exits_66)
{
	char err[1024];

	CHECK_INT(tn_t_capture(read_missing_file, NULL, err, sizeof err),
		  TN_EX_NOINPUT);
	CHECK(strstr(err, "/nonexistent/tn-symbols: ") != NULL);
}

static void rollback_bad_symbol(void *arg)
{
	(void)arg;
	tn_tj_rollback("/nonexistent", "gnn", "a b", 0);
}

TEST(rollback_of_a_bad_symbol_is_a_usage_error)
{
	char err[1024];

	CHECK_INT(tn_t_capture(rollback_bad_symbol, NULL, err, sizeof err),
		  TN_EX_USAGE);
	CHECK(strstr(err, ": --rollback: 'a b': ") != NULL);
}

/* ---- the worker pool ---------------------------------------------------- */

/* What a fake symbol does in its worker. */
enum outcome { PROMOTE, FAIL, CRASH, EXIT_SILENT };

struct fake {
	enum outcome outcome[NSYM_MAX];   /* by the symbol's letter, 'A' first */
	int seen;                         /* summaries the parent saw */
	char seen_status[NSYM_MAX][16];   /* by the symbol's letter */
};

static int fake_train(const char *symbol, FILE *out, void *ctx)
{
	const struct fake *f = ctx;
	struct rlimit none = { 0, 0 };

	switch (f->outcome[symbol[0] - 'A']) {
	case PROMOTE:
		fprintf(out, "{\"symbol\":\"%s\",\"status\":\"promoted\"}\n", symbol);
		return TN_EX_OK;
	case FAIL:
		fprintf(out, "{\"symbol\":\"%s\",\"status\":\"failed\"}\n", symbol);
		return TN_EX_FAIL;
	case CRASH:
		setrlimit(RLIMIT_CORE, &none);   /* no core file from the test */
		abort();
	case EXIT_SILENT:
		return TN_EX_NOINPUT;
	}
	return TN_EX_SOFTWARE;
}

static void fake_seen(const cJSON *summary, void *ctx)
{
	struct fake *f = ctx;
	const char *symbol, *status, *why;

	f->seen++;
	if (tn_json_string(summary, "symbol", &symbol, &why) == 0 &&
	    tn_json_string(summary, "status", &status, &why) == 0)
		snprintf(f->seen_status[symbol[0] - 'A'], sizeof f->seen_status[0],
			 "%s", status);
}

/* Runs the pool over the first nsym of A, B, C, ... with jobs workers;
 * returns its status and leaves what it printed in printed, one summary
 * a line in the order the workers ended. */
static int run_pool(struct fake *f, int nsym, int jobs, char *printed, size_t size)
{
	static char *const symbols[NSYM_MAX] = { "A", "B", "C", "D",
						 "E", "F", "G", "H" };
	struct tn_tj_pool pool = { symbols, nsym, jobs, fake_train, fake_seen,
				   f, tmpfile() };
	size_t got;
	int status, verbosity = tn_verbosity;

	if (!pool.out) {
		perror("tmpfile");
		exit(1);
	}
	tn_verbosity = TN_QUIET;   /* the crash warnings are expected */
	status = tn_tj_pool_run(&pool);
	tn_verbosity = verbosity;
	rewind(pool.out);
	got = fread(printed, 1, size - 1, pool.out);
	printed[got] = '\0';
	fclose(pool.out);
	return status;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TEST(pool_collects_every_summary)
{
	struct fake f = { .outcome = { PROMOTE } };
	char printed[4096];
	int k;

	CHECK_INT(run_pool(&f, 5, 2, printed, sizeof printed), TN_EX_OK);
	CHECK_INT(count_lines(printed), 5);
	CHECK_INT(f.seen, 5);
	for (k = 0; k < 5; k++) {
		char want[64];

		snprintf(want, sizeof want, "{\"symbol\":\"%c\",\"status\":\"promoted\"}\n",
			 'A' + k);
		CHECK(strstr(printed, want) != NULL);
		CHECK_STR(f.seen_status[k], "promoted");
	}
}

TEST(pool_with_one_worker_runs_each_symbol_in_turn)
{
	struct fake f = { .outcome = { PROMOTE } };
	char printed[4096];

	CHECK_INT(run_pool(&f, 3, 1, printed, sizeof printed), TN_EX_OK);
	CHECK_STR(printed, "{\"symbol\":\"A\",\"status\":\"promoted\"}\n"
			   "{\"symbol\":\"B\",\"status\":\"promoted\"}\n"
			   "{\"symbol\":\"C\",\"status\":\"promoted\"}\n");
}

TEST(one_failure_makes_the_pool_exit_1)
{
	struct fake f = { .outcome = { PROMOTE, FAIL, PROMOTE, PROMOTE } };
	char printed[4096];

	CHECK_INT(run_pool(&f, 4, 3, printed, sizeof printed), TN_EX_FAIL);
	CHECK_INT(count_lines(printed), 4);
	CHECK(strstr(printed, "{\"symbol\":\"B\",\"status\":\"failed\"}\n") != NULL);
	CHECK_INT(f.seen, 4);
	CHECK_STR(f.seen_status[1], "failed");
	CHECK_STR(f.seen_status[3], "promoted");
}

TEST(a_crashed_worker_counts_as_failed)
{
	struct fake f = { .outcome = { PROMOTE, PROMOTE, CRASH, EXIT_SILENT } };
	char printed[4096];

	CHECK_INT(run_pool(&f, 4, 2, printed, sizeof printed), TN_EX_FAIL);
	CHECK_INT(count_lines(printed), 4);
	CHECK(strstr(printed, "\"C: worker exited with status 134\"") != NULL);
	CHECK(strstr(printed, "\"D: worker exited with status 66\"") != NULL);
	CHECK_INT(f.seen, 4);
	CHECK_STR(f.seen_status[2], "failed");
	CHECK_STR(f.seen_status[3], "failed");
	CHECK_STR(f.seen_status[0], "promoted");
}

TEST(signal_statuses)
{
	CHECK_INT(tn_tj_signal_status(SIGINT), TN_EX_SIGINT);
	CHECK_INT(tn_tj_signal_status(SIGTERM), TN_EX_SIGTERM);
}

int main(void)
{
	RUN(lists_keep_the_first_order_and_drop_duplicates);
	RUN(files_take_comments_blanks_commas_and_crlf);
	RUN(a_bad_symbol_is_a_usage_error);
	RUN(a_missing_symbols_file_exits_66);
	RUN(rollback_of_a_bad_symbol_is_a_usage_error);
	RUN(pool_collects_every_summary);
	RUN(pool_with_one_worker_runs_each_symbol_in_turn);
	RUN(one_failure_makes_the_pool_exit_1);
	RUN(a_crashed_worker_counts_as_failed);
	RUN(signal_statuses);
	return tn_t_done();
}
