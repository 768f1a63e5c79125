/* Unit tests: common/metrics.c - Prometheus text exposition. */
#include "metrics.h"
#include "tn_test.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>

/* The exposition text of m, malloc'd. */
static char *render(const struct tn_metrics *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (!fp || tn_metrics_print(m, fp) != 0 || fclose(fp) != 0) {
		perror("render");
		exit(1);
	}
	return text;
}

TEST(a_small_registry_prints_the_exact_text)
{
	struct tn_metrics m = { 0 };
	char *text;

	CHECK_INT(tn_metrics_counter_add(&m, "tickernet_fetch_requests_total",
					 "HTTP requests made.",
					 (const char *[]){ "source", "yahoo", NULL },
					 3), 0);
	CHECK_INT(tn_metrics_gauge_set(&m, "tickernet_model_age_hours",
				       "Age of the model in service.",
				       (const char *[]){ "symbol", "AAPL", NULL },
				       12.5), 0);
	CHECK_INT(tn_metrics_counter_add(&m, "tickernet_fetch_requests_total",
					 "HTTP requests made.",
					 (const char *[]){ "source", "stooq", NULL },
					 1), 0);
	CHECK_INT(tn_metrics_counter_add(&m, "tickernet_fetch_requests_total",
					 "HTTP requests made.",
					 (const char *[]){ "source", "yahoo", NULL },
					 2), 0);
	CHECK_INT(tn_metrics_gauge_set(&m, "tickernet_model_age_hours", NULL,
				       (const char *[]){ "symbol", "AAPL", NULL },
				       0.1), 0);
	CHECK_INT(tn_metrics_gauge_set(&m, "tickernet_last_run_seconds", "",
				       NULL, 1717223400), 0);
	text = render(&m);
	CHECK_STR(text,
		  "# HELP tickernet_fetch_requests_total HTTP requests made.\n"
		  "# TYPE tickernet_fetch_requests_total counter\n"
		  "tickernet_fetch_requests_total{source=\"yahoo\"} 5\n"
		  "tickernet_fetch_requests_total{source=\"stooq\"} 1\n"
		  "# HELP tickernet_model_age_hours Age of the model in service.\n"
		  "# TYPE tickernet_model_age_hours gauge\n"
		  "tickernet_model_age_hours{symbol=\"AAPL\"} 0.1\n"
		  "# TYPE tickernet_last_run_seconds gauge\n"
		  "tickernet_last_run_seconds 1717223400\n");
	free(text);
	tn_metrics_free(&m);
}

TEST(an_empty_registry_prints_nothing)
{
	struct tn_metrics m = { 0 };
	char *text = render(&m);

	CHECK_STR(text, "");
	free(text);
	tn_metrics_free(&m);
}

TEST(label_values_and_help_are_escaped)
{
	struct tn_metrics m = { 0 };
	char *text;

	CHECK_INT(tn_metrics_gauge_set(&m, "x", "back\\slash and\nnewline \"q\"",
				       (const char *[]){ "path", "C:\\dir\n\"q\"",
							 "symbol", "^GSPC", NULL },
				       1), 0);
	text = render(&m);
	CHECK_STR(text,
		  "# HELP x back\\\\slash and\\nnewline \"q\"\n"
		  "# TYPE x gauge\n"
		  "x{path=\"C:\\\\dir\\n\\\"q\\\"\",symbol=\"^GSPC\"} 1\n");
	free(text);
	tn_metrics_free(&m);
}

TEST(values_print_so_they_read_back_exactly)
{
	struct tn_metrics m = { 0 };
	static const double values[] = { 0.1 + 0.2, 1.0 / 3, 1e-300, -2.5e17,
					  123456789012345678.0, 0 };
	char *text, *line;
	size_t i;

	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		char idx[8];

		snprintf(idx, sizeof idx, "%zu", i);
		tn_metrics_gauge_set(&m, "v", "",
				     (const char *[]){ "i", idx, NULL }, values[i]);
	}
	text = render(&m);
	line = strchr(text, '\n') + 1; /* after # TYPE */
	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		char *value = strchr(line, ' ') + 1;

		CHECK(strtod(value, NULL) == values[i]);
		line = strchr(line, '\n') + 1;
	}
	CHECK(strstr(text, "v{i=\"0\"} 0.30000000000000004\n") != NULL);
	CHECK(strstr(text, "v{i=\"5\"} 0\n") != NULL);
	free(text);
	tn_metrics_free(&m);
}

TEST(special_values_use_the_exposition_spelling)
{
	struct tn_metrics m = { 0 };
	char *text;

	tn_metrics_gauge_set(&m, "a", "", NULL, NAN);
	tn_metrics_gauge_set(&m, "b", "", NULL, INFINITY);
	tn_metrics_gauge_set(&m, "c", "", NULL, -INFINITY);
	text = render(&m);
	CHECK_STR(text, "# TYPE a gauge\na NaN\n# TYPE b gauge\nb +Inf\n"
			"# TYPE c gauge\nc -Inf\n");
	free(text);
	tn_metrics_free(&m);
}

TEST(metric_names_are_validated)
{
	CHECK_INT(tn_metrics_name_valid("tickernet_requests_total"), 1);
	CHECK_INT(tn_metrics_name_valid("job:rate5m"), 1);
	CHECK_INT(tn_metrics_name_valid("_x9"), 1);
	CHECK_INT(tn_metrics_name_valid(":a"), 1);
	CHECK_INT(tn_metrics_name_valid(""), 0);
	CHECK_INT(tn_metrics_name_valid(NULL), 0);
	CHECK_INT(tn_metrics_name_valid("9lives"), 0);
	CHECK_INT(tn_metrics_name_valid("has-dash"), 0);
	CHECK_INT(tn_metrics_name_valid("has space"), 0);
	CHECK_INT(tn_metrics_name_valid("dot.ted"), 0);
	CHECK_INT(tn_metrics_label_name_valid("symbol"), 1);
	CHECK_INT(tn_metrics_label_name_valid("_x"), 1);
	CHECK_INT(tn_metrics_label_name_valid("__name__"), 0);
	CHECK_INT(tn_metrics_label_name_valid("a:b"), 0);
	CHECK_INT(tn_metrics_label_name_valid("1a"), 0);
}

TEST(bad_samples_are_refused_and_leave_no_trace)
{
	struct tn_metrics m = { 0 };
	char *text;

	errno = 0;
	CHECK_INT(tn_metrics_gauge_set(&m, "bad-name", "", NULL, 1), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_INT(tn_metrics_gauge_set(&m, "g", "", (const char *[]){ "sym-bol",
				       "AAPL", NULL }, 1), -1);
	CHECK_INT(tn_metrics_gauge_set(&m, "g", "", (const char *[]){ "symbol",
				       NULL }, 1), -1);
	CHECK_INT(tn_metrics_gauge_set(&m, "g", "", (const char *[]){ "a", "1",
				       "a", "2", NULL }, 1), -1);
	CHECK_INT(tn_metrics_counter_add(&m, "c_total", "", NULL, -1), -1);
	CHECK_INT(tn_metrics_counter_add(&m, "c_total", "", NULL, NAN), -1);
	text = render(&m);
	CHECK_STR(text, "");
	free(text);
	/* one name, one type */
	CHECK_INT(tn_metrics_counter_add(&m, "n", "", NULL, 1), 0);
	errno = 0;
	CHECK_INT(tn_metrics_gauge_set(&m, "n", "", NULL, 1), -1);
	CHECK_INT(errno, EINVAL);
	tn_metrics_free(&m);
}

TEST(write_replaces_the_file_whole)
{
	char dir[] = "/tmp/tn-test-metrics.XXXXXX";
	char path[64], buf[256];
	struct tn_metrics m = { 0 };
	const char *what = NULL;
	struct stat st;
	FILE *fp;
	size_t n;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/tickernet.prom", dir);
	fp = fopen(path, "w");
	CHECK(fp && fputs("stale\n", fp) != EOF && fclose(fp) == 0);
	tn_metrics_counter_add(&m, "runs_total", "Runs.", NULL, 1);
	umask(022);
	CHECK_INT(tn_metrics_write(&m, path, &what), 0);
	fp = fopen(path, "r");
	CHECK(fp != NULL);
	n = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
	buf[n] = '\0';
	if (fp)
		fclose(fp);
	CHECK_STR(buf, "# HELP runs_total Runs.\n# TYPE runs_total counter\n"
		       "runs_total 1\n");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	nftw(dir, tn_t_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	tn_metrics_free(&m);
}

TEST(write_into_a_missing_directory_fails_with_a_reason)
{
	struct tn_metrics m = { 0 };
	const char *what = NULL;

	tn_metrics_counter_add(&m, "runs_total", "Runs.", NULL, 1);
	errno = 0;
	CHECK_INT(tn_metrics_write(&m, "/nonexistent-tn/x.prom", &what), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_STR(what, "create temporary file");
	tn_metrics_free(&m);
}

int main(void)
{
	RUN(a_small_registry_prints_the_exact_text);
	RUN(an_empty_registry_prints_nothing);
	RUN(label_values_and_help_are_escaped);
	RUN(values_print_so_they_read_back_exactly);
	RUN(special_values_use_the_exposition_spelling);
	RUN(metric_names_are_validated);
	RUN(bad_samples_are_refused_and_leave_no_trace);
	RUN(write_replaces_the_file_whole);
	RUN(write_into_a_missing_directory_fails_with_a_reason);
	return tn_t_done();
}
