/* Unit tests: common/atomic.c - whole-or-nothing file replacement. */
#include "atomic.h"
#include "tn_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

static void put_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(text, fp) == EOF || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

/* The whole file as a string in buf, or "(missing)". */
static const char *slurp(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	if (!fp)
		return "(missing)";
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Entries in dir besides . and ..; *temps counts the temporary names. */
static int count_entries(const char *dir, int *temps)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	*temps = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		*temps += tn_atomic_is_temp_name(e->d_name);
	}
	closedir(d);
	return n;
}

TEST(commit_creates_the_file_with_its_content_and_mode)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512], buf[256];
	struct tn_atomic a;
	struct stat st;
	int temps;

	umask(022);
	tn_t_join(path, sizeof path, dir, "AAPL.csv");
	CHECK_INT(tn_atomic_open(&a, path, 0640), 0);
	CHECK(a.fp != NULL);
	fputs("symbol,date\nAAPL,2024-05-31\n", a.fp);
	CHECK_INT(tn_atomic_commit(&a), 0);
	CHECK_STR(slurp(path, buf, sizeof buf), "symbol,date\nAAPL,2024-05-31\n");
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0640);
	CHECK_INT(count_entries(dir, &temps), 1);
	CHECK_INT(temps, 0);
	tn_t_rmtree(dir);
}

TEST(mode_is_narrowed_by_the_umask)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512];
	struct tn_atomic a;
	struct stat st;

	umask(027);
	tn_t_join(path, sizeof path, dir, "m.prom");
	CHECK_INT(tn_atomic_open(&a, path, 0666), 0);
	CHECK_INT(tn_atomic_commit(&a), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0640);
	umask(022);
	tn_t_rmtree(dir);
}

TEST(target_keeps_old_content_until_commit)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512], buf[256];
	struct tn_atomic a;
	const char *base;
	int temps;

	tn_t_join(path, sizeof path, dir, "model.h5");
	put_file(path, "old");
	CHECK_INT(tn_atomic_open(&a, path, 0644), 0);
	fputs("new content", a.fp);
	fflush(a.fp);
	CHECK_STR(slurp(path, buf, sizeof buf), "old");
	CHECK_INT(count_entries(dir, &temps), 2);
	CHECK_INT(temps, 1);
	base = strrchr(a.tmp_path, '/') + 1;
	CHECK(strncmp(base, ".model.h5.tmp.", 14) == 0);
	CHECK(tn_atomic_is_temp_name(base));
	CHECK_INT(tn_atomic_commit(&a), 0);
	CHECK_STR(slurp(path, buf, sizeof buf), "new content");
	CHECK_INT(count_entries(dir, &temps), 1);
	CHECK_INT(temps, 0);
	tn_t_rmtree(dir);
}

TEST(abort_removes_the_temporary_file_and_keeps_the_old_one)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512], buf[256];
	struct tn_atomic a;
	int temps;

	tn_t_join(path, sizeof path, dir, "x.csv");
	put_file(path, "old");
	CHECK_INT(tn_atomic_open(&a, path, 0644), 0);
	fputs("half", a.fp);
	tn_atomic_abort(&a);
	CHECK(a.fp == NULL && a.tmp_path == NULL);
	CHECK_STR(slurp(path, buf, sizeof buf), "old");
	CHECK_INT(count_entries(dir, &temps), 1);
	tn_atomic_abort(&a); /* a second abort is harmless */
	tn_t_rmtree(dir);
}

TEST(open_in_a_missing_directory_fails_with_enoent)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512];
	struct tn_atomic a;
	int temps;

	tn_t_join(path, sizeof path, dir, "no/such/x.csv");
	errno = 0;
	CHECK_INT(tn_atomic_open(&a, path, 0644), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_STR(a.what, "create temporary file");
	CHECK(a.fp == NULL && a.tmp_path == NULL);
	CHECK_INT(count_entries(dir, &temps), 0);
	tn_atomic_abort(&a);
	tn_t_rmtree(dir);
}

TEST(a_path_without_a_file_name_is_rejected)
{
	struct tn_atomic a;

	errno = 0;
	CHECK_INT(tn_atomic_open(&a, "/tmp/", 0644), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(tn_atomic_open(&a, "", 0644), -1);
	CHECK_INT(errno, EINVAL);
}

TEST(a_full_disk_fails_the_commit_and_keeps_the_old_file)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512], buf[256], block[1000];
	struct tn_atomic a;
	int full, temps, i;

	tn_t_join(path, sizeof path, dir, "prices.csv");
	put_file(path, "old prices");
	CHECK_INT(tn_atomic_open(&a, path, 0644), 0);
	/* /dev/full under the temporary file's descriptor: every write
	 * from here on fails with ENOSPC, as on a full disk */
	full = open("/dev/full", O_WRONLY);
	if (full < 0) {
		tn_atomic_abort(&a);
		tn_t_rmtree(dir);
		SKIP("no /dev/full");
		return;
	}
	CHECK(dup2(full, a.fd) == a.fd);
	close(full);
	memset(block, 'x', sizeof block);
	for (i = 0; i < 20; i++)
		fwrite(block, 1, sizeof block, a.fp);
	errno = 0;
	CHECK_INT(tn_atomic_commit(&a), -1);
	CHECK_INT(errno, ENOSPC);
	CHECK_STR(a.what, "write");
	CHECK_STR(slurp(path, buf, sizeof buf), "old prices");
	CHECK_INT(count_entries(dir, &temps), 1);
	CHECK_INT(temps, 0);
	tn_atomic_abort(&a); /* harmless after a failed commit */
	tn_t_rmtree(dir);
}

TEST(a_lost_write_fails_the_commit_even_after_clearerr)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512], buf[256], block[8192];
	struct tn_atomic a;
	int full, temps;

	tn_t_join(path, sizeof path, dir, "x.csv");
	put_file(path, "old");
	CHECK_INT(tn_atomic_open(&a, path, 0644), 0);
	full = open("/dev/full", O_WRONLY);
	if (full < 0) {
		tn_atomic_abort(&a);
		tn_t_rmtree(dir);
		SKIP("no /dev/full");
		return;
	}
	CHECK(dup2(full, a.fd) == a.fd);
	close(full);
	memset(block, 'x', sizeof block);
	CHECK(fwrite(block, 1, sizeof block, a.fp) < sizeof block);
	clearerr(a.fp);
	errno = 0;
	CHECK_INT(tn_atomic_commit(&a), -1);
	CHECK_INT(errno, ENOSPC);
	CHECK_STR(slurp(path, buf, sizeof buf), "old");
	CHECK_INT(count_entries(dir, &temps), 1);
	tn_t_rmtree(dir);
}

TEST(a_failed_rename_removes_the_temporary_file)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512];
	struct tn_atomic a;
	struct stat st;
	int temps;

	/* a regular file cannot be renamed over a directory */
	tn_t_join(path, sizeof path, dir, "current.h5");
	CHECK_INT(mkdir(path, 0755), 0);
	CHECK_INT(tn_atomic_open(&a, path, 0644), 0);
	fputs("data", a.fp);
	errno = 0;
	CHECK_INT(tn_atomic_commit(&a), -1);
	CHECK_INT(errno, EISDIR);
	CHECK_STR(a.what, "rename");
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_INT(count_entries(dir, &temps), 1);
	CHECK_INT(temps, 0);
	tn_t_rmtree(dir);
}

TEST(commit_without_open_is_an_error)
{
	struct tn_atomic a;

	memset(&a, 0, sizeof a);
	a.fd = -1;
	errno = 0;
	CHECK_INT(tn_atomic_commit(&a), -1);
	CHECK_INT(errno, EINVAL);
	tn_atomic_abort(&a);
}

TEST(open_path_gives_an_empty_file_to_write_by_name)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512], buf[256];
	struct tn_atomic a;
	struct stat st;
	FILE *fp;
	int temps;

	tn_t_join(path, sizeof path, dir, "20240601T063000Z.h5");
	put_file(path, "old");
	CHECK_INT(tn_atomic_open_path(&a, path, 0644), 0);
	CHECK(a.fp == NULL);
	CHECK(stat(a.tmp_path, &st) == 0 && st.st_size == 0);
	CHECK_INT(st.st_mode & 0777, 0644);
	fp = fopen(a.tmp_path, "w");
	CHECK(fp != NULL);
	if (fp) {
		fputs("hdf5 bytes", fp);
		CHECK_INT(fclose(fp), 0);
	}
	CHECK_STR(slurp(path, buf, sizeof buf), "old");
	CHECK_INT(tn_atomic_commit(&a), 0);
	CHECK_STR(slurp(path, buf, sizeof buf), "hdf5 bytes");
	CHECK_INT(count_entries(dir, &temps), 1);
	CHECK_INT(temps, 0);
	tn_t_rmtree(dir);
}

TEST(open_path_commit_fails_when_the_writer_removed_the_file)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512], buf[256];
	struct tn_atomic a;

	tn_t_join(path, sizeof path, dir, "x.h5");
	put_file(path, "old");
	CHECK_INT(tn_atomic_open_path(&a, path, 0644), 0);
	CHECK_INT(unlink(a.tmp_path), 0);
	errno = 0;
	CHECK_INT(tn_atomic_commit(&a), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_STR(slurp(path, buf, sizeof buf), "old");
	tn_t_rmtree(dir);
}

TEST(symlink_replace_points_current_at_the_new_version)
{
	char *dir = tn_t_tmpdir("atomic");
	char link[512], target[64];
	const char *what = NULL;
	ssize_t n;
	int temps;

	tn_t_join(link, sizeof link, dir, "current.h5");
	CHECK_INT(tn_atomic_symlink("20240101T000000Z.h5", link, &what), 0);
	n = readlink(link, target, sizeof target - 1);
	target[n > 0 ? n : 0] = '\0';
	CHECK_STR(target, "20240101T000000Z.h5");
	CHECK_INT(tn_atomic_symlink("20240601T063000Z.h5", link, &what), 0);
	n = readlink(link, target, sizeof target - 1);
	target[n > 0 ? n : 0] = '\0';
	CHECK_STR(target, "20240601T063000Z.h5");
	CHECK_INT(count_entries(dir, &temps), 1);
	CHECK_INT(temps, 0);
	tn_t_rmtree(dir);
}

TEST(symlink_replace_fails_cleanly_over_a_directory)
{
	char *dir = tn_t_tmpdir("atomic");
	char link[512];
	const char *what = NULL;
	int temps;

	tn_t_join(link, sizeof link, dir, "current.h5");
	CHECK_INT(mkdir(link, 0755), 0);
	errno = 0;
	CHECK_INT(tn_atomic_symlink("v1.h5", link, &what), -1);
	CHECK_INT(errno, EISDIR);
	CHECK_STR(what, "rename");
	CHECK_INT(count_entries(dir, &temps), 1);
	CHECK_INT(temps, 0);
	tn_t_rmtree(dir);
}

TEST(symlink_replace_in_a_missing_directory_fails)
{
	const char *what = NULL;

	errno = 0;
	CHECK_INT(tn_atomic_symlink("v1.h5", "/nonexistent-tn/current.h5",
				    &what), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_STR(what, "create temporary name");
}

TEST(mkdirs_creates_parents_and_accepts_existing_directories)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512];
	struct stat st;

	tn_t_join(path, sizeof path, dir, "models/gnn//AAPL/");
	CHECK_INT(tn_mkdirs(path, 0755), 0);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_INT(tn_mkdirs(path, 0755), 0);
	CHECK_INT(tn_mkdirs(dir, 0755), 0);
	CHECK_INT(tn_mkdirs("/", 0755), 0);
	tn_t_rmtree(dir);
}

TEST(mkdirs_fails_with_enotdir_across_a_file)
{
	char *dir = tn_t_tmpdir("atomic");
	char file[512], path[512];

	tn_t_join(file, sizeof file, dir, "plain");
	put_file(file, "x");
	errno = 0;
	CHECK_INT(tn_mkdirs(file, 0755), -1);
	CHECK_INT(errno, ENOTDIR);
	tn_t_join(path, sizeof path, file, "sub");
	errno = 0;
	CHECK_INT(tn_mkdirs(path, 0755), -1);
	CHECK_INT(errno, ENOTDIR);
	errno = 0;
	CHECK_INT(tn_mkdirs("", 0755), -1);
	CHECK_INT(errno, ENOENT);
	tn_t_rmtree(dir);
}

TEST(fsync_dir_syncs_a_directory_and_fails_for_a_missing_one)
{
	char *dir = tn_t_tmpdir("atomic");
	char path[512];

	CHECK_INT(tn_fsync_dir(dir), 0);
	tn_t_join(path, sizeof path, dir, "gone");
	errno = 0;
	CHECK_INT(tn_fsync_dir(path), -1);
	CHECK_INT(errno, ENOENT);
	tn_t_rmtree(dir);
}

TEST(temporary_names_are_recognised_exactly)
{
	CHECK_INT(tn_atomic_is_temp_name(".AAPL.csv.tmp.aB3xYz"), 1);
	CHECK_INT(tn_atomic_is_temp_name(".current.h5.tmp.000000"), 1);
	CHECK_INT(tn_atomic_is_temp_name("AAPL.csv"), 0);
	CHECK_INT(tn_atomic_is_temp_name("AAPL.csv.tmp.aB3xYz"), 0);
	CHECK_INT(tn_atomic_is_temp_name(".tmp.aB3xYz"), 0);
	CHECK_INT(tn_atomic_is_temp_name(".x.tmp.aB3xY"), 0);
	CHECK_INT(tn_atomic_is_temp_name(".x.tmp.aB3x-z"), 0);
	CHECK_INT(tn_atomic_is_temp_name(".x.tmpXaB3xYz"), 0);
	CHECK_INT(tn_atomic_is_temp_name(""), 0);
}

int main(void)
{
	RUN(commit_creates_the_file_with_its_content_and_mode);
	RUN(mode_is_narrowed_by_the_umask);
	RUN(target_keeps_old_content_until_commit);
	RUN(abort_removes_the_temporary_file_and_keeps_the_old_one);
	RUN(open_in_a_missing_directory_fails_with_enoent);
	RUN(a_path_without_a_file_name_is_rejected);
	RUN(a_full_disk_fails_the_commit_and_keeps_the_old_file);
	RUN(a_lost_write_fails_the_commit_even_after_clearerr);
	RUN(a_failed_rename_removes_the_temporary_file);
	RUN(commit_without_open_is_an_error);
	RUN(open_path_gives_an_empty_file_to_write_by_name);
	RUN(open_path_commit_fails_when_the_writer_removed_the_file);
	RUN(symlink_replace_points_current_at_the_new_version);
	RUN(symlink_replace_fails_cleanly_over_a_directory);
	RUN(symlink_replace_in_a_missing_directory_fails);
	RUN(mkdirs_creates_parents_and_accepts_existing_directories);
	RUN(mkdirs_fails_with_enotdir_across_a_file);
	RUN(fsync_dir_syncs_a_directory_and_fails_for_a_missing_one);
	RUN(temporary_names_are_recognised_exactly);
	return tn_t_done();
}
