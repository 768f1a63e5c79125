/* Unit tests: common/progress.c - the progress line on a terminal. */
#include "cli.h"
#include "progress.h"
#include "tn_test.h"

#include <fcntl.h>
#include <poll.h>
#include <time.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A pseudo-terminal: *master to read what was drawn, the slave side as a
 * stream.  NULL when the system has none. */
static FILE *open_pty(int *master)
{
	char *name;
	int slave;
	FILE *fp;

	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0)
		return NULL;
	if (grantpt(*master) < 0 || unlockpt(*master) < 0 ||
	    !(name = ptsname(*master)) ||
	    (slave = open(name, O_RDWR | O_NOCTTY)) < 0) {
		close(*master);
		return NULL;
	}
	fp = fdopen(slave, "w");
	if (!fp) {
		close(slave);
		close(*master);
	}
	return fp;
}

/* What arrived on the master side within a short wait. */
static size_t read_pty(int master, char *buf, size_t size)
{
	struct pollfd pfd = { master, POLLIN, 0 };
	size_t got = 0;
	ssize_t n;

	while (got + 1 < size && poll(&pfd, 1, 200) > 0) {
		n = read(master, buf + got, size - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

TEST(a_stream_that_is_not_a_terminal_gets_nothing)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct tn_progress p = { .fp = fp };

	tn_progress_start(&p, "training", 3);
	tn_progress_update(&p, 3, "loss %.2f", 0.5);
	tn_progress_end(&p);
	CHECK_INT(p.enabled, 0);
	fclose(fp);
	CHECK_STR(text, "");
	free(text);
}

TEST(a_terminal_gets_the_line)
{
	struct tn_progress p = { 0 };
	char buf[512];
	int master;
	FILE *fp = open_pty(&master);

	if (!fp) {
		SKIP("no pseudo-terminal");
		return;
	}
	p.fp = fp;
	p.width = 80;
	tn_progress_start(&p, "fetching", 2);
	CHECK_INT(p.enabled, 1);
	tn_progress_update(&p, 2, "AAPL");
	tn_progress_end(&p);
	read_pty(master, buf, sizeof buf);
	CHECK_STR(buf, "\rfetching 0/2 (0%)\rfetching 2/2 (100%) AAPL"
		       "\r                        \r");
	fclose(fp);
	close(master);
}

TEST(quiet_silences_the_line_even_on_a_terminal)
{
	struct tn_progress p = { 0 };
	char buf[64];
	int master;
	FILE *fp = open_pty(&master);

	if (!fp) {
		SKIP("no pseudo-terminal");
		return;
	}
	p.fp = fp;
	tn_verbosity = TN_QUIET;
	tn_progress_start(&p, "training", 5);
	tn_progress_update(&p, 5, NULL);
	tn_progress_end(&p);
	tn_verbosity = TN_NORMAL;
	CHECK_INT(p.enabled, 0);
	CHECK_INT(read_pty(master, buf, sizeof buf), 0);
	fclose(fp);
	close(master);
}

TEST(updates_inside_the_interval_are_not_drawn_but_the_last_step_is)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct tn_progress p = { .fp = fp, .force = TN_PROGRESS_ALWAYS,
				 .interval_ms = 60000, .width = 80 };

	tn_progress_start(&p, "training", 3);
	tn_progress_update(&p, 1, "loss %.2f", 0.5);
	tn_progress_update(&p, 2, "loss %.2f", 0.4);
	tn_progress_update(&p, 3, "loss %.2f", 0.25);
	tn_progress_end(&p);
	fclose(fp);
	CHECK_STR(text, "\rtraining 0/3 (0%)"
			"\rtraining 3/3 (100%) loss 0.25"
			"\r                             \r");
	free(text);
}

TEST(a_shorter_line_blanks_out_the_rest_of_the_longer_one)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct tn_progress p = { .fp = fp, .force = TN_PROGRESS_ALWAYS,
				 .interval_ms = 1, .width = 80 };

	tn_progress_start(&p, "fetching", 0);
	sleep_ms(5);
	tn_progress_update(&p, 10, "BRK-B retrying");
	sleep_ms(5);
	tn_progress_update(&p, 11, NULL);
	fclose(fp);
	CHECK_STR(text, "\rfetching 0"
			"\rfetching 10 BRK-B retrying"
			"\rfetching 11               ");
	free(text);
}

TEST(a_line_is_cut_to_the_terminal_width)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct tn_progress p = { .fp = fp, .force = TN_PROGRESS_ALWAYS,
				 .width = 20 };

	tn_progress_start(&p, "training-a-very-long-name", 100);
	fclose(fp);
	CHECK_STR(text, "\rtraining-a-very-lon");
	free(text);
}

TEST(never_means_never)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct tn_progress p = { .fp = fp, .force = TN_PROGRESS_NEVER };

	tn_progress_start(&p, "training", 1);
	tn_progress_update(&p, 1, NULL);
	tn_progress_end(&p);
	fclose(fp);
	CHECK_STR(text, "");
	free(text);
}

int main(void)
{
	RUN(a_stream_that_is_not_a_terminal_gets_nothing);
	RUN(a_terminal_gets_the_line);
	RUN(quiet_silences_the_line_even_on_a_terminal);
	RUN(updates_inside_the_interval_are_not_drawn_but_the_last_step_is);
	RUN(a_shorter_line_blanks_out_the_rest_of_the_longer_one);
	RUN(a_line_is_cut_to_the_terminal_width);
	RUN(never_means_never);
	return tn_t_done();
}
