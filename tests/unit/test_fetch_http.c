/* Unit tests: common/fetch_http.c's pure parts - the token bucket, the
 * backoff schedule and what counts as retryable. */
#include "fetch_http.h"
#include "tn_test.h"

#include <curl/curl.h>

TEST(bucket_of_one_spaces_requests_by_one_over_rate)
{
	struct tn_token_bucket b;

	tn_bucket_init(&b, 4.0, 1.0, 100.0);
	CHECK_NEAR(tn_bucket_take(&b, 100.0), 0, 0);
	CHECK_NEAR(tn_bucket_take(&b, 100.0), 0.25, 1e-12);
	CHECK_NEAR(tn_bucket_take(&b, 100.1), 0.15, 1e-12);
	CHECK_NEAR(tn_bucket_take(&b, 100.25), 0, 1e-12);
	/* a long pause saves up no more than the burst */
	CHECK_NEAR(tn_bucket_take(&b, 200.0), 0, 0);
	CHECK(tn_bucket_take(&b, 200.0) > 0);
}

TEST(bucket_never_exceeds_rate_in_any_second)
{
	struct tn_token_bucket b;
	double t = 0, times[64];
	int n = 0, i, j;

	tn_bucket_init(&b, 10.0, 1.0, 0.0);
	while (n < 64) {
		double w = tn_bucket_take(&b, t);

		if (w == 0)
			times[n++] = t;
		else
			t += w;
	}
	for (i = 0; i < n; i++) {
		int in = 0;

		for (j = i; j < n; j++)
			in += times[j] - times[i] < 1.0 - 1e-9;
		CHECK(in <= 10);
	}
}

TEST(backoff_doubles_with_jitter_and_cap)
{
	CHECK_NEAR(tn_backoff_delay(1, 1.0, 30.0, 0.0), 0.5, 1e-12);
	CHECK_NEAR(tn_backoff_delay(1, 1.0, 30.0, 0.999999), 1.0, 1e-6);
	CHECK_NEAR(tn_backoff_delay(3, 1.0, 30.0, 0.0), 2.0, 1e-12);
	CHECK_NEAR(tn_backoff_delay(10, 1.0, 30.0, 0.0), 15.0, 1e-12);
}

TEST(retryable_statuses_and_transport_errors)
{
	CHECK_INT(tn_http_retryable(CURLE_OK, 200), 0);
	CHECK_INT(tn_http_retryable(CURLE_OK, 404), 0);
	CHECK_INT(tn_http_retryable(CURLE_OK, 429), 1);
	CHECK_INT(tn_http_retryable(CURLE_OK, 500), 1);
	CHECK_INT(tn_http_retryable(CURLE_OK, 503), 1);
	CHECK_INT(tn_http_retryable(CURLE_OPERATION_TIMEDOUT, 0), 1);
	CHECK_INT(tn_http_retryable(CURLE_PARTIAL_FILE, 200), 1);
	CHECK_INT(tn_http_retryable(CURLE_COULDNT_CONNECT, 0), 1);
	CHECK_INT(tn_http_retryable(CURLE_UNSUPPORTED_PROTOCOL, 0), 0);
}

int main(void)
{
	RUN(bucket_of_one_spaces_requests_by_one_over_rate);
	RUN(bucket_never_exceeds_rate_in_any_second);
	RUN(backoff_doubles_with_jitter_and_cap);
	RUN(retryable_statuses_and_transport_errors);
	return tn_t_done();
}
