/* Unit tests: common/lock.c - per-key flock(2) writer locks. */
#include "lock.h"
#include "tn_test.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

TEST(acquire_creates_the_lock_directory_and_file)
{
	char *dir = tn_t_tmpdir("lock");
	char lockdir[512], want[600];
	struct tn_lock l;
	struct stat st;

	tn_t_join(lockdir, sizeof lockdir, dir, "store/locks");
	CHECK_INT(tn_lock_acquire(&l, lockdir, "gnn-AAPL", 0), TN_LOCK_OK);
	CHECK(l.fd >= 0);
	tn_t_join(want, sizeof want, lockdir, "gnn-AAPL.lock");
	CHECK_STR(l.path, want);
	CHECK(stat(want, &st) == 0 && S_ISREG(st.st_mode));
	tn_lock_release(&l);
	CHECK_INT(l.fd, -1);
	tn_lock_release(&l); /* twice is harmless */
	tn_t_rmtree(dir);
}

TEST(a_held_lock_makes_a_nonblocking_acquire_busy)
{
	char *dir = tn_t_tmpdir("lock");
	struct tn_lock held, other;

	CHECK_INT(tn_lock_acquire(&held, dir, "prices-AAPL", 0), TN_LOCK_OK);
	/* flock belongs to the open file, so a second open conflicts even
	 * inside one process */
	CHECK_INT(tn_lock_acquire(&other, dir, "prices-AAPL", 0), TN_LOCK_BUSY);
	CHECK_INT(other.fd, -1);
	CHECK(strstr(other.path, "prices-AAPL.lock") != NULL);
	/* other keys are independent */
	CHECK_INT(tn_lock_acquire(&other, dir, "prices-MSFT", 0), TN_LOCK_OK);
	tn_lock_release(&other);
	tn_lock_release(&held);
	CHECK_INT(tn_lock_acquire(&other, dir, "prices-AAPL", 0), TN_LOCK_OK);
	tn_lock_release(&other);
	tn_t_rmtree(dir);
}

TEST(a_bounded_wait_gives_up_at_its_deadline)
{
	char *dir = tn_t_tmpdir("lock");
	struct tn_lock held, other;
	double t0, waited;

	CHECK_INT(tn_lock_acquire(&held, dir, "gnn-MSFT", 0), TN_LOCK_OK);
	t0 = now();
	CHECK_INT(tn_lock_acquire(&other, dir, "gnn-MSFT", 1), TN_LOCK_BUSY);
	waited = now() - t0;
	CHECK(waited >= 0.95);
	CHECK(waited < 3.0);
	tn_lock_release(&held);
	tn_t_rmtree(dir);
}

TEST(a_bounded_wait_gets_the_lock_when_the_holder_exits)
{
	char *dir = tn_t_tmpdir("lock");
	struct tn_lock l;
	int fds[2];
	char byte;
	pid_t pid;
	int status;
	double t0;

	CHECK_INT(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 300 * 1000 * 1000 };

		close(fds[0]);
		if (tn_lock_acquire(&l, dir, "lstm-NVDA", 0) != TN_LOCK_OK)
			_exit(1);
		if (write(fds[1], "L", 1) != 1)
			_exit(1);
		nanosleep(&ts, NULL);
		_exit(0); /* the kernel drops the lock with the process */
	}
	close(fds[1]);
	CHECK_INT(read(fds[0], &byte, 1), 1);
	close(fds[0]);
	CHECK_INT(tn_lock_acquire(&l, dir, "lstm-NVDA", 0), TN_LOCK_BUSY);
	t0 = now();
	CHECK_INT(tn_lock_acquire(&l, dir, "lstm-NVDA", 10), TN_LOCK_OK);
	CHECK(now() - t0 < 5.0);
	tn_lock_release(&l);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tn_t_rmtree(dir);
}

TEST(waiting_forever_on_a_free_lock_returns_at_once)
{
	char *dir = tn_t_tmpdir("lock");
	struct tn_lock l;

	CHECK_INT(tn_lock_acquire(&l, dir, "gnn-AAPL", -1), TN_LOCK_OK);
	tn_lock_release(&l);
	tn_t_rmtree(dir);
}

TEST(keys_that_are_not_one_plain_file_name_are_rejected)
{
	char *dir = tn_t_tmpdir("lock");
	char lockdir[512], longkey[TN_LOCK_KEY_MAX + 2];
	static const char *const bad[] = {
		"", ".", "..", "../x", "a/b", "/abs", ".hidden", "a b",
		"x\n", "tab\tkey", "\x7f", "caf\xc3\xa9",
	};
	struct tn_lock l;
	struct stat st;
	size_t i;

	tn_t_join(lockdir, sizeof lockdir, dir, "locks");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		if (tn_lock_acquire(&l, lockdir, bad[i], 0) != -1 ||
		    errno != EINVAL)
			FAILF("key \"%s\" was accepted", bad[i]);
		CHECK_INT(l.fd, -1);
		tn_lock_release(&l);
	}
	memset(longkey, 'A', sizeof longkey - 1);
	longkey[sizeof longkey - 1] = '\0';
	CHECK_INT(tn_lock_key_valid(longkey), 0);
	longkey[TN_LOCK_KEY_MAX] = '\0';
	CHECK_INT(tn_lock_key_valid(longkey), 1);
	CHECK_INT(tn_lock_key_valid(NULL), 0);
	CHECK_INT(tn_lock_key_valid("gnn-AAPL"), 1);
	CHECK_INT(tn_lock_key_valid("prices-^GSPC"), 1);
	CHECK_INT(tn_lock_key_valid("lstm-BRK.B"), 1);
	CHECK_INT(tn_lock_key_valid("fx-EURUSD=X"), 1);
	/* nothing reached the filesystem */
	CHECK(stat(lockdir, &st) < 0 && errno == ENOENT);
	tn_t_rmtree(dir);
}

TEST(a_lock_directory_that_is_a_file_is_an_error)
{
	char *dir = tn_t_tmpdir("lock");
	char file[512];
	struct tn_lock l;
	FILE *fp;

	tn_t_join(file, sizeof file, dir, "locks");
	fp = fopen(file, "w");
	CHECK(fp && fclose(fp) == 0);
	errno = 0;
	CHECK_INT(tn_lock_acquire(&l, file, "gnn-AAPL", 0), -1);
	CHECK_INT(errno, ENOTDIR);
	CHECK_INT(l.fd, -1);
	errno = 0;
	CHECK_INT(tn_lock_acquire(&l, "", "gnn-AAPL", 0), -1);
	CHECK_INT(errno, EINVAL);
	tn_t_rmtree(dir);
}

int main(void)
{
	RUN(acquire_creates_the_lock_directory_and_file);
	RUN(a_held_lock_makes_a_nonblocking_acquire_busy);
	RUN(a_bounded_wait_gives_up_at_its_deadline);
	RUN(a_bounded_wait_gets_the_lock_when_the_holder_exits);
	RUN(waiting_forever_on_a_free_lock_returns_at_once);
	RUN(keys_that_are_not_one_plain_file_name_are_rejected);
	RUN(a_lock_directory_that_is_a_file_is_an_error);
	return tn_t_done();
}
