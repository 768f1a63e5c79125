/* Unit tests: common/json.c - JSON lines out and in, typed fields, whole
 * documents. */
#include "cli.h"
#include "json.h"
#include "rng.h"
#include "tn_test.h"

#include <errno.h>
#include <stdint.h>

static FILE *text_stream(const char *text, size_t len)
{
	FILE *fp = tmpfile();

	if (!fp || fwrite(text, 1, len, fp) != len || fseek(fp, 0, SEEK_SET) != 0) {
		perror("tmpfile");
		exit(99);
	}
	return fp;
}

static struct tn_json_reader *open_text(const char *text, FILE **fp)
{
	*fp = text_stream(text, strlen(text));
	return tn_json_open(*fp, "req.jsonl");
}

static void close_text(struct tn_json_reader *r, FILE *fp)
{
	tn_json_close(r);
	fclose(fp);
}

/* Parses text or fails the test run outright: a fixture, not a subject. */
static cJSON *parse_fixture(const char *text)
{
	cJSON *obj = cJSON_Parse(text);

	if (!obj) {
		fprintf(stderr, "bad fixture: %s\n", text);
		exit(99);
	}
	return obj;
}

TEST(write_line_emits_one_compact_flushed_object_per_line)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	cJSON *obj = tn_json_object();
	cJSON *forecast = cJSON_CreateArray();

	if (!fp || !forecast) {
		FAILF("setup: %s", strerror(errno));
		return;
	}
	tn_json_add_string(obj, "symbol", "AAPL");
	tn_json_add_number(obj, "predicted_return", 0.0012);
	tn_json_add_number(obj, "last_close", 189.9);
	tn_json_add_bool(obj, "stale", 0);
	tn_json_add_string(obj, "message", NULL);
	cJSON_AddItemToArray(forecast, tn_json_number_item(0.1));
	cJSON_AddItemToArray(forecast, tn_json_number_item(-2));
	tn_json_add_item(obj, "forecast", forecast);
	CHECK_INT(tn_json_write_line(fp, obj), 0);
	/* open_memstream shows what was written only once it is flushed: the
	 * line being there proves the flush */
	CHECK_STR(buf, "{\"symbol\":\"AAPL\",\"predicted_return\":0.0012,"
		       "\"last_close\":189.9,\"stale\":false,\"message\":null,"
		       "\"forecast\":[0.1,-2]}\n");
	CHECK_INT(tn_json_write_line(fp, obj), 0);
	CHECK_INT(len, 2 * strlen("{\"symbol\":\"AAPL\",\"predicted_return\":0.0012,"
				  "\"last_close\":189.9,\"stale\":false,\"message\":null,"
				  "\"forecast\":[0.1,-2]}\n"));
	cJSON_Delete(obj);
	fclose(fp);
	free(buf);
}

TEST(non_finite_numbers_are_written_as_null)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	cJSON *obj = tn_json_object();
	cJSON *arr = cJSON_CreateArray();

	if (!fp || !arr) {
		FAILF("setup: %s", strerror(errno));
		return;
	}
	tn_json_add_number(obj, "a", NAN);
	tn_json_add_number(obj, "b", INFINITY);
	tn_json_add_number(obj, "c", -INFINITY);
	cJSON_AddItemToArray(arr, tn_json_number_item(NAN));
	cJSON_AddItemToArray(arr, tn_json_number_item(-0.0));
	tn_json_add_item(obj, "d", arr);
	CHECK_INT(tn_json_write_line(fp, obj), 0);
	CHECK_STR(buf, "{\"a\":null,\"b\":null,\"c\":null,\"d\":[null,-0]}\n");
	cJSON_Delete(obj);
	fclose(fp);
	free(buf);
}

static double random_double(struct tn_rng *rng)
{
	uint64_t bits;
	double v;

	if (tn_rng_below(rng, 2) == 0)
		return 500.0 * tn_rng_uniform(rng);
	do {
		bits = tn_rng_u64(rng);
		memcpy(&v, &bits, sizeof v);
	} while (!isfinite(v));
	return v;
}

/* How many of n random doubles come back different after printing an
 * object with add(obj, "v", x) and parsing it with cJSON. */
static int round_trip_misses(void (*add)(cJSON *, double), int n,
			     double *example)
{
	struct tn_rng rng;
	int i, misses = 0;

	tn_rng_seed(&rng, 7);
	for (i = 0; i < n; i++) {
		double x = random_double(&rng);
		cJSON *obj = tn_json_object(), *back;
		char *text;

		add(obj, x);
		text = cJSON_PrintUnformatted(obj);
		back = text ? cJSON_Parse(text) : NULL;
		if (!back || !cJSON_IsNumber(cJSON_GetObjectItem(back, "v")) ||
		    memcmp(&cJSON_GetObjectItem(back, "v")->valuedouble, &x,
			   sizeof x) != 0) {
			if (!misses++)
				*example = x;
		}
		cJSON_Delete(back);
		cJSON_free(text);
		cJSON_Delete(obj);
	}
	return misses;
}

static void add_ours(cJSON *obj, double x)
{
	tn_json_add_number(obj, "v", x);
}

static void add_cjsons(cJSON *obj, double x)
{
	cJSON_AddNumberToObject(obj, "v", x);
}

TEST(numbers_round_trip_exactly)
{
	double example = 0;
	int misses = round_trip_misses(add_ours, 50000, &example);

	if (misses)
		FAILF("%d misses, e.g. %.17g", misses, example);
}

/* The reason json.c prints numbers itself; if a cJSON upgrade makes this
 * fail, its printer became exact and the workaround can go. */
TEST(cjsons_own_number_printer_does_not_round_trip)
{
	double example = 0;

	CHECK(round_trip_misses(add_cjsons, 50000, &example) > 0);
}

TEST(writing_to_a_full_disk_fails_on_the_line_itself)
{
	FILE *fp = fopen("/dev/full", "w");
	cJSON *obj;

	if (!fp) {
		SKIP("no /dev/full");
		return;
	}
	obj = tn_json_object();
	tn_json_add_string(obj, "symbol", "AAPL");
	errno = 0;
	CHECK_INT(tn_json_write_line(fp, obj), -1);
	CHECK_INT(errno, ENOSPC);
	cJSON_Delete(obj);
	fclose(fp);
}

TEST(reader_returns_objects_with_their_lines_skipping_blank_ones)
{
	FILE *fp;
	struct tn_json_reader *r = open_text(
		"{\"symbol\":\"AAPL\"}\n\n   \r\n{\"symbol\": \"MSFT\", \"n\": 2}\r\n\t\n"
		"{}",
		&fp);
	cJSON *obj = NULL;
	const char *s = NULL, *why = NULL;

	CHECK_INT(tn_json_next(r, &obj), 1);
	CHECK_INT(tn_json_line(r), 1);
	CHECK_INT(tn_json_string(obj, "symbol", &s, &why), 0);
	CHECK_STR(s, "AAPL");
	cJSON_Delete(obj);
	CHECK_INT(tn_json_next(r, &obj), 1);
	CHECK_INT(tn_json_line(r), 4);
	CHECK_INT(tn_json_string(obj, "symbol", &s, &why), 0);
	CHECK_STR(s, "MSFT");
	cJSON_Delete(obj);
	CHECK_INT(tn_json_next(r, &obj), 1);
	CHECK_INT(tn_json_line(r), 6);
	CHECK_INT(cJSON_GetArraySize(obj), 0);
	cJSON_Delete(obj);
	CHECK_INT(tn_json_next(r, &obj), 0);
	CHECK(obj == NULL);
	CHECK(tn_json_error(r) == NULL);
	close_text(r, fp);
}

TEST(an_empty_stream_has_no_objects)
{
	FILE *fp;
	struct tn_json_reader *r = open_text("", &fp);
	cJSON *obj = NULL;

	CHECK_INT(tn_json_next(r, &obj), 0);
	CHECK_INT(tn_json_status(r), 0);
	close_text(r, fp);
}

TEST(invalid_json_names_line_and_column_and_reading_goes_on)
{
	FILE *fp;
	struct tn_json_reader *r = open_text(
		"{\"symbol\":\"A\"}\n"
		"{\"symbol\": AAPL}\n"
		"{\"symbol\":\"B\"} trailing\n"
		"{\"symbol\":\"C\"\n"
		"\n"
		"{\"symbol\":\"D\"}\n",
		&fp);
	cJSON *obj = NULL;
	const char *s = NULL, *why = NULL;

	CHECK_INT(tn_json_next(r, &obj), 1);
	cJSON_Delete(obj);
	CHECK_INT(tn_json_next(r, &obj), -1);
	CHECK(obj == NULL);
	CHECK_STR(tn_json_error(r), "req.jsonl:2: invalid JSON near column 12");
	CHECK_INT(tn_json_next(r, &obj), -1);
	CHECK_STR(tn_json_error(r), "req.jsonl:3: invalid JSON near column 16");
	CHECK_INT(tn_json_next(r, &obj), -1);
	CHECK_STR(tn_json_error(r), "req.jsonl:4: invalid JSON near column 15");
	CHECK_INT(tn_json_status(r), 0);
	CHECK_INT(tn_json_next(r, &obj), 1);
	CHECK_INT(tn_json_line(r), 6);
	CHECK_INT(tn_json_string(obj, "symbol", &s, &why), 0);
	CHECK_STR(s, "D");
	cJSON_Delete(obj);
	CHECK_INT(tn_json_next(r, &obj), 0);
	close_text(r, fp);
}

TEST(a_line_that_is_not_an_object_is_an_error)
{
	FILE *fp;
	struct tn_json_reader *r = open_text("[1,2]\n\"AAPL\"\nnull\n42\n", &fp);
	cJSON *obj = NULL;
	int i;

	for (i = 1; i <= 4; i++) {
		char want[64];

		snprintf(want, sizeof want, "req.jsonl:%d: expected an object", i);
		CHECK_INT(tn_json_next(r, &obj), -1);
		CHECK(obj == NULL);
		CHECK_STR(tn_json_error(r), want);
	}
	CHECK_INT(tn_json_next(r, &obj), 0);
	close_text(r, fp);
}

TEST(a_nul_byte_in_a_line_is_an_error)
{
	static const char text[] = "{\"a\":1}\0{\"b\":2}\n{\"c\":3}\n";
	FILE *fp = text_stream(text, sizeof text - 1);
	struct tn_json_reader *r = tn_json_open(fp, "-");
	cJSON *obj = NULL;

	CHECK_INT(tn_json_next(r, &obj), -1);
	CHECK_STR(tn_json_error(r), "<stdin>:1: NUL byte in input");
	CHECK_INT(tn_json_next(r, &obj), 1);
	CHECK(cJSON_GetObjectItem(obj, "c") != NULL);
	cJSON_Delete(obj);
	close_text(r, fp);
}

TEST(an_overlong_line_is_an_error)
{
	size_t len = TN_JSON_MAX_LINE + 16, i;
	char *text = xmalloc(len + 32);
	FILE *fp;
	struct tn_json_reader *r;
	cJSON *obj = NULL;

	memcpy(text, "{\"s\":\"", 6);
	for (i = 6; i < len; i++)
		text[i] = 'x';
	memcpy(text + len, "\"}\n{}\n", 7);
	r = open_text(text, &fp);
	CHECK_INT(tn_json_next(r, &obj), -1);
	CHECK(strstr(tn_json_error(r) ? tn_json_error(r) : "",
		     "req.jsonl:1: line longer than"));
	CHECK_INT(tn_json_next(r, &obj), 1);
	CHECK_INT(tn_json_line(r), 2);
	cJSON_Delete(obj);
	close_text(r, fp);
	free(text);
}

TEST(a_read_error_ends_the_stream)
{
	FILE *fp = fopen("/", "r");
	struct tn_json_reader *r;
	cJSON *obj = NULL;

	if (!fp) {
		FAILF("fopen /: %s", strerror(errno));
		return;
	}
	r = tn_json_open(fp, "/");
	CHECK_INT(tn_json_next(r, &obj), -1);
	CHECK_INT(tn_json_status(r), TN_EX_IOERR);
	CHECK_STR(tn_json_error(r), "/: read error: Is a directory");
	CHECK_INT(tn_json_next(r, &obj), -1);
	close_text(r, fp);
}

TEST(line_error_uses_the_same_location_form)
{
	FILE *fp;
	struct tn_json_reader *r = open_text("\n{\"symbol\":5}\n", &fp);
	cJSON *obj = NULL;
	const char *s = NULL, *why = NULL;

	CHECK_INT(tn_json_next(r, &obj), 1);
	CHECK_INT(tn_json_string(obj, "symbol", &s, &why), -1);
	CHECK_STR(tn_json_line_error(r, "field '%s': %s", "symbol", why),
		  "req.jsonl:2: field 'symbol': not a string");
	CHECK_STR(tn_json_error(r), "req.jsonl:2: field 'symbol': not a string");
	cJSON_Delete(obj);
	close_text(r, fp);
}

TEST(required_fields_give_a_reason_when_missing_null_or_mistyped)
{
	cJSON *obj = parse_fixture(
		"{\"symbol\":\"AAPL\",\"n\":3,\"x\":0.5,\"big\":1e999,\"huge\":1e19,"
		"\"half\":2.5,\"neg\":-4,\"t\":true,\"f\":false,\"nil\":null,"
		"\"arr\":[1],\"Symbol\":\"lower\"}");
	const char *s = NULL, *why = NULL;
	double d = 0;
	long l = 0;
	int b = -1;

	CHECK_INT(tn_json_string(obj, "symbol", &s, &why), 0);
	CHECK_STR(s, "AAPL");
	CHECK_INT(tn_json_string(obj, "SYMBOL", &s, &why), -1);
	CHECK_STR(why, "missing");
	CHECK_INT(tn_json_string(obj, "nil", &s, &why), -1);
	CHECK_STR(why, "null");
	CHECK_INT(tn_json_string(obj, "n", &s, &why), -1);
	CHECK_STR(why, "not a string");

	CHECK_INT(tn_json_number(obj, "x", &d, &why), 0);
	CHECK_NEAR(d, 0.5, 0);
	CHECK_INT(tn_json_number(obj, "symbol", &d, &why), -1);
	CHECK_STR(why, "not a number");
	CHECK_INT(tn_json_number(obj, "arr", &d, &why), -1);
	CHECK_STR(why, "not a number");
	CHECK_INT(tn_json_number(obj, "big", &d, &why), -1);
	CHECK_STR(why, "not finite");
	CHECK_INT(tn_json_number(obj, "absent", &d, &why), -1);
	CHECK_STR(why, "missing");
	CHECK_NEAR(d, 0.5, 0);

	CHECK_INT(tn_json_long(obj, "n", &l, &why), 0);
	CHECK_INT(l, 3);
	CHECK_INT(tn_json_long(obj, "neg", &l, &why), 0);
	CHECK_INT(l, -4);
	CHECK_INT(tn_json_long(obj, "half", &l, &why), -1);
	CHECK_STR(why, "not an integer");
	CHECK_INT(tn_json_long(obj, "huge", &l, &why), -1);
	CHECK_STR(why, "out of range");
	CHECK_INT(tn_json_long(obj, "t", &l, &why), -1);
	CHECK_STR(why, "not a number");

	CHECK_INT(tn_json_bool(obj, "t", &b, &why), 0);
	CHECK_INT(b, 1);
	CHECK_INT(tn_json_bool(obj, "f", &b, &why), 0);
	CHECK_INT(b, 0);
	CHECK_INT(tn_json_bool(obj, "n", &b, &why), -1);
	CHECK_STR(why, "not a boolean");
	cJSON_Delete(obj);
}

TEST(optional_fields_keep_the_default_when_absent_or_null)
{
	cJSON *obj = parse_fixture(
		"{\"horizon\":5,\"model\":\"gnn\",\"nil\":null,\"stale\":true,"
		"\"bad\":\"5\"}");
	const char *s = "default", *why = NULL;
	double d = 1.5;
	long l = 20;
	int b = 0;

	CHECK_INT(tn_json_opt_long(obj, "lookback", &l, &why), 1);
	CHECK_INT(l, 20);
	CHECK_INT(tn_json_opt_long(obj, "nil", &l, &why), 1);
	CHECK_INT(l, 20);
	CHECK_INT(tn_json_opt_long(obj, "horizon", &l, &why), 0);
	CHECK_INT(l, 5);
	CHECK_INT(tn_json_opt_long(obj, "bad", &l, &why), -1);
	CHECK_STR(why, "not a number");
	CHECK_INT(l, 5);

	CHECK_INT(tn_json_opt_string(obj, "absent", &s, &why), 1);
	CHECK_STR(s, "default");
	CHECK_INT(tn_json_opt_string(obj, "model", &s, &why), 0);
	CHECK_STR(s, "gnn");
	CHECK_INT(tn_json_opt_string(obj, "horizon", &s, &why), -1);
	CHECK_STR(why, "not a string");

	CHECK_INT(tn_json_opt_number(obj, "nil", &d, &why), 1);
	CHECK_NEAR(d, 1.5, 0);
	CHECK_INT(tn_json_opt_number(obj, "horizon", &d, &why), 0);
	CHECK_NEAR(d, 5, 0);
	CHECK_INT(tn_json_opt_number(obj, "model", &d, &why), -1);

	CHECK_INT(tn_json_opt_bool(obj, "absent", &b, &why), 1);
	CHECK_INT(b, 0);
	CHECK_INT(tn_json_opt_bool(obj, "stale", &b, &why), 0);
	CHECK_INT(b, 1);
	CHECK_INT(tn_json_opt_bool(obj, "horizon", &b, &why), -1);
	CHECK_STR(why, "not a boolean");
	cJSON_Delete(obj);
}

TEST(getters_read_numbers_that_json_c_built)
{
	cJSON *obj = tn_json_object();
	const char *why = NULL;
	double d = 0;
	long l = 0;

	tn_json_add_number(obj, "x", 0.1 + 0.2);
	tn_json_add_number(obj, "n", 60);
	tn_json_add_number(obj, "gone", NAN);
	CHECK_INT(tn_json_number(obj, "x", &d, &why), 0);
	CHECK(d == 0.1 + 0.2);
	CHECK_INT(tn_json_long(obj, "n", &l, &why), 0);
	CHECK_INT(l, 60);
	CHECK_INT(tn_json_number(obj, "gone", &d, &why), -1);
	CHECK_STR(why, "null");
	cJSON_Delete(obj);
}

/* Reads text as a whole document with tn_json_read. */
static int read_doc(const char *text, size_t limit, cJSON **doc, char *err)
{
	FILE *fp = text_stream(text, strlen(text));
	int rc = tn_json_read(fp, "graph.json", limit, doc, err);

	fclose(fp);
	return rc;
}

TEST(a_whole_document_is_read)
{
	char err[TN_JSON_ERR_MAX] = "";
	cJSON *doc = NULL;
	const char *why = NULL;
	long lookback = 0;

	CHECK_INT(read_doc("\xEF\xBB\xBF{\n  \"lookback\": 60,\n  \"symbols\": [\"A\", \"B\"]\n}\n",
			   TN_JSON_MAX_FILE, &doc, err), 0);
	CHECK_STR(err, "");
	CHECK(doc != NULL);
	CHECK_INT(tn_json_long(doc, "lookback", &lookback, &why), 0);
	CHECK_INT(lookback, 60);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "symbols")), 2);
	cJSON_Delete(doc);
}

TEST(a_bad_document_reports_line_and_column)
{
	char err[TN_JSON_ERR_MAX];
	cJSON *doc = NULL;

	CHECK_INT(read_doc("{\n  \"lookback\": 60,\n  \"symbols\": [\"A\" \"B\"]\n}\n",
			   TN_JSON_MAX_FILE, &doc, err), TN_EX_DATAERR);
	CHECK(doc == NULL);
	CHECK_STR(err, "graph.json:3: invalid JSON near column 19");

	CHECK_INT(read_doc("\n\n  [1, 2]\n", TN_JSON_MAX_FILE, &doc, err),
		  TN_EX_DATAERR);
	CHECK_STR(err, "graph.json:3: expected an object");

	CHECK_INT(read_doc(" \n\t\n", TN_JSON_MAX_FILE, &doc, err), TN_EX_DATAERR);
	CHECK_STR(err, "graph.json: empty input: no JSON");

	CHECK_INT(read_doc("{} {}", TN_JSON_MAX_FILE, &doc, err), TN_EX_DATAERR);
	CHECK_STR(err, "graph.json:1: invalid JSON near column 4");
}

TEST(a_document_over_the_limit_is_refused)
{
	char err[TN_JSON_ERR_MAX];
	cJSON *doc = NULL;
	char *big;
	size_t n = 300000, i;

	CHECK_INT(read_doc("{\"a\":1}", 7, &doc, err), 0);
	cJSON_Delete(doc);
	CHECK_INT(read_doc("{\"a\":1} ", 7, &doc, err), TN_EX_DATAERR);
	CHECK_STR(err, "graph.json: larger than 7 bytes");
	CHECK(doc == NULL);

	/* past the first read chunk too */
	big = xmalloc(n + 1);
	big[0] = '{';
	for (i = 1; i < n - 1; i++)
		big[i] = ' ';
	big[n - 1] = '}';
	big[n] = '\0';
	CHECK_INT(read_doc(big, n, &doc, err), 0);
	cJSON_Delete(doc);
	CHECK_INT(read_doc(big, n - 1, &doc, err), TN_EX_DATAERR);
	CHECK_STR(err, "graph.json: larger than 299999 bytes");
	free(big);
}

TEST(an_endless_input_stops_at_the_limit)
{
	char err[TN_JSON_ERR_MAX];
	cJSON *doc = NULL;

	/* reading stops a little past the limit instead of filling memory */
	CHECK_INT(tn_json_load("/dev/zero", 1000, &doc, err), TN_EX_DATAERR);
	CHECK_STR(err, "/dev/zero: larger than 1000 bytes");
}

TEST(a_document_is_read_from_a_pipe)
{
	static const char text[] = "{\"method\":\"pearson\"}\n";
	char err[TN_JSON_ERR_MAX];
	cJSON *doc = NULL;
	const char *s = NULL, *why = NULL;
	int fds[2];
	FILE *fp;

	if (pipe(fds) < 0 || write(fds[1], text, sizeof text - 1) != sizeof text - 1) {
		FAILF("pipe: %s", strerror(errno));
		return;
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	if (!fp) {
		FAILF("fdopen: %s", strerror(errno));
		return;
	}
	CHECK_INT(tn_json_read(fp, "-", TN_JSON_MAX_FILE, &doc, err), 0);
	CHECK_INT(tn_json_string(doc, "method", &s, &why), 0);
	CHECK_STR(s, "pearson");
	cJSON_Delete(doc);
	fclose(fp);
}

TEST(load_opens_files_and_names_the_missing_one)
{
	char dir[] = "/tmp/test_json.XXXXXX", path[64], err[TN_JSON_ERR_MAX];
	cJSON *doc = NULL;
	FILE *fp;

	if (!mkdtemp(dir)) {
		FAILF("mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof path, "%s/absent.json", dir);
	CHECK_INT(tn_json_load(path, TN_JSON_MAX_FILE, &doc, err), TN_EX_NOINPUT);
	CHECK(doc == NULL);
	CHECK(strstr(err, "absent.json: No such file or directory") != NULL);

	snprintf(path, sizeof path, "%s/config.json", dir);
	fp = fopen(path, "w");
	if (!fp || fputs("{\"epochs\": 3}", fp) == EOF || fclose(fp) != 0) {
		FAILF("writing %s: %s", path, strerror(errno));
		return;
	}
	CHECK_INT(tn_json_load(path, TN_JSON_MAX_FILE, &doc, err), 0);
	CHECK(cJSON_GetObjectItem(doc, "epochs") != NULL);
	cJSON_Delete(doc);

	CHECK_INT(tn_json_load(dir, TN_JSON_MAX_FILE, &doc, err), TN_EX_IOERR);
	CHECK(strstr(err, ": read error: Is a directory") != NULL);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	RUN(write_line_emits_one_compact_flushed_object_per_line);
	RUN(non_finite_numbers_are_written_as_null);
	RUN(numbers_round_trip_exactly);
	RUN(cjsons_own_number_printer_does_not_round_trip);
	RUN(writing_to_a_full_disk_fails_on_the_line_itself);
	RUN(reader_returns_objects_with_their_lines_skipping_blank_ones);
	RUN(an_empty_stream_has_no_objects);
	RUN(invalid_json_names_line_and_column_and_reading_goes_on);
	RUN(a_line_that_is_not_an_object_is_an_error);
	RUN(a_nul_byte_in_a_line_is_an_error);
	RUN(an_overlong_line_is_an_error);
	RUN(a_read_error_ends_the_stream);
	RUN(line_error_uses_the_same_location_form);
	RUN(required_fields_give_a_reason_when_missing_null_or_mistyped);
	RUN(optional_fields_keep_the_default_when_absent_or_null);
	RUN(getters_read_numbers_that_json_c_built);
	RUN(a_whole_document_is_read);
	RUN(a_bad_document_reports_line_and_column);
	RUN(a_document_over_the_limit_is_refused);
	RUN(an_endless_input_stops_at_the_limit);
	RUN(a_document_is_read_from_a_pipe);
	RUN(load_opens_files_and_names_the_missing_one);
	return tn_t_done();
}
