/* tn_test.h - the unit-test kit: TAP output, one "ok"/"not ok" line per
 * test function, a plan at the end, exit 1 when anything failed.
 *
 *   TEST(parses_dates) { CHECK(x == 1); CHECK_NEAR(a, b, 1e-9); }
 *   int main(void) { RUN(parses_dates); return tn_t_done(); }
 *
 * tn_t_capture runs a function in a child process (for code that exits,
 * like die) and returns its exit status and what it wrote to stderr. */
#ifndef TN_TEST_H
#define TN_TEST_H

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int tn_t_run, tn_t_failed_tests, tn_t_cur_failed;
static const char *tn_t_skip_reason;

#define TEST(name) static void name(void)

#define FAILF(...)                                                       \
	do {                                                             \
		fprintf(stdout, "# %s:%d: ", __FILE__, __LINE__);        \
		fprintf(stdout, __VA_ARGS__);                            \
		fputc('\n', stdout);                                     \
		tn_t_cur_failed++;                                       \
	} while (0)

#define CHECK(cond)                                                      \
	do {                                                             \
		if (!(cond))                                             \
			FAILF("CHECK(%s) failed", #cond);                \
	} while (0)

#define CHECK_INT(got, want)                                             \
	do {                                                             \
		long long g_ = (long long)(got), w_ = (long long)(want); \
		if (g_ != w_)                                            \
			FAILF("%s == %lld, want %lld", #got, g_, w_);    \
	} while (0)

#define CHECK_STR(got, want)                                             \
	do {                                                             \
		const char *g_ = (got), *w_ = (want);                    \
		if (!g_ || !w_ || strcmp(g_, w_) != 0)                   \
			FAILF("%s == \"%s\", want \"%s\"", #got,         \
			      g_ ? g_ : "(null)", w_ ? w_ : "(null)");   \
	} while (0)

/* |got - want| <= tol * max(1, |want|): relative, absolute near zero. */
#define CHECK_NEAR(got, want, tol)                                       \
	do {                                                             \
		double g_ = (double)(got), w_ = (double)(want);          \
		double s_ = fabs(w_) > 1.0 ? fabs(w_) : 1.0;             \
		if (!(fabs(g_ - w_) <= (tol) * s_))                      \
			FAILF("%s == %.17g, want %.17g (tol %g)", #got,  \
			      g_, w_, (double)(tol));                    \
	} while (0)

/* Marks the current test skipped; call before returning from it. */
#define SKIP(reason) (tn_t_skip_reason = (reason))

#define RUN(name)                                                        \
	do {                                                             \
		tn_t_cur_failed = 0;                                     \
		tn_t_skip_reason = NULL;                                 \
		name();                                                  \
		tn_t_run++;                                              \
		if (tn_t_cur_failed) {                                   \
			tn_t_failed_tests++;                             \
			printf("not ok %d - %s\n", tn_t_run, #name);     \
		} else if (tn_t_skip_reason) {                           \
			printf("ok %d - %s # skip %s\n", tn_t_run, #name, \
			       tn_t_skip_reason);                        \
		} else {                                                 \
			printf("ok %d - %s\n", tn_t_run, #name);         \
		}                                                        \
		fflush(stdout);                                          \
	} while (0)

static inline int tn_t_done(void)
{
	printf("1..%d\n", tn_t_run);
	return tn_t_failed_tests ? 1 : 0;
}

/* Runs fn in a child with stderr captured into buf (NUL-terminated).
 * Returns the child's exit status, or 128 + signal if it was killed. */
static inline int tn_t_capture(void (*fn)(void *), void *arg, char *buf,
			       size_t size)
{
	int fds[2], status;
	pid_t pid;
	size_t got = 0;
	ssize_t n;

	fflush(stdout);
	fflush(stderr);
	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	close(fds[1]);
	while (got + 1 < size &&
	       (n = read(fds[0], buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Temporary directories for tests that touch the filesystem:
 * tn_t_tmpdir("atomic") makes /tmp/tn-test-atomic.XXXXXX (exit 1 when it
 * cannot), tn_t_rmtree removes it with everything in it and frees the
 * name, tn_t_join builds "dir/name" in buf (exit 1 when it does not fit). */
static inline char *tn_t_tmpdir(const char *name)
{
	char *dir = malloc(strlen(name) + sizeof "/tmp/tn-test-.XXXXXX");

	if (!dir) {
		perror("malloc");
		exit(1);
	}
	sprintf(dir, "/tmp/tn-test-%s.XXXXXX", name);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	return dir;
}

static inline int tn_t_remove_entry(const char *path, const struct stat *st,
				    int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void tn_t_rmtree(char *dir)
{
	nftw(dir, tn_t_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static inline const char *tn_t_join(char *buf, size_t size, const char *dir,
				    const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "path too long: %s/%s\n", dir, name);
		exit(1);
	}
	return buf;
}

#endif
