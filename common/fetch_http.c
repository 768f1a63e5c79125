/* fetch_http.c - see fetch_http.h. */
#include "fetch_http.h"

#include "cli.h"
#include "rng.h"

#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long one poll may sleep, so timers (backoff, the bucket) are met. */
#define POLL_MAX_MS 100
#define REDIRECTS_MAX 5L

enum { ST_WAITING, ST_ACTIVE, ST_DONE };

void tn_http_defaults(struct tn_http_opts *o)
{
	o->jobs = TN_HTTP_JOBS;
	o->rate = TN_HTTP_RATE;
	o->retries = TN_HTTP_RETRIES;
	o->backoff = TN_HTTP_BACKOFF;
	o->backoff_max = TN_HTTP_BACKOFF_MAX;
	o->max_retry_after = TN_HTTP_MAX_RETRY_AFTER;
	o->connect_timeout = TN_HTTP_CONNECT_TIMEOUT;
	o->timeout = TN_HTTP_TIMEOUT;
	o->breaker = TN_HTTP_BREAKER;
	o->source = "http";
}

double tn_http_now(void)
{
	return tn_monotonic_seconds();
}

void tn_bucket_init(struct tn_token_bucket *b, double rate, double burst,
		    double now)
{
	b->rate = rate;
	b->burst = burst;
	b->tokens = burst;
	b->last = now;
}

double tn_bucket_take(struct tn_token_bucket *b, double now)
{
	if (now > b->last) {
		b->tokens += (now - b->last) * b->rate;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last = now;
	}
	/* A hair of slack, so rounding in the refill never leaves a wait
	 * too small to advance the clock. */
	if (b->tokens >= 1.0 - 1e-9) {
		b->tokens -= 1.0;
		return 0;
	}
	return (1.0 - b->tokens) / b->rate;
}

double tn_backoff_delay(int attempt, double base, double max, double u)
{
	double d = base * ldexp(1.0, attempt > 1 ? attempt - 1 : 0);

	if (d > max)
		d = max;
	return d * (0.5 + 0.5 * u);
}

int tn_http_retryable(int curl_code, long status)
{
	switch (curl_code) {
	case CURLE_OK:
		return status == 429 || (status >= 500 && status <= 599);
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *userp)
{
	struct tn_http_req *req = userp;
	size_t n = size * nmemb;

	if (req->len + n + 1 > TN_HTTP_MAX_BODY)
		return 0; /* curl ends the transfer with CURLE_WRITE_ERROR */
	if (req->len + n + 1 > req->cap) {
		size_t cap = req->cap ? req->cap : 16384;

		while (cap < req->len + n + 1)
			cap *= 2;
		req->body = xrealloc(req->body, cap);
		req->cap = cap;
	}
	memcpy(req->body + req->len, data, n);
	req->len += n;
	req->body[req->len] = '\0';
	return n;
}

/* Sets up one attempt; returns NULL when curl fails to. */
static CURL *new_easy(struct tn_http_req *req, const struct tn_http_opts *o)
{
	CURL *e = curl_easy_init();

	if (!e)
		return NULL;
	req->len = 0;
	if (req->body)
		req->body[0] = '\0';
	if (curl_easy_setopt(e, CURLOPT_URL, req->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAXREDIRS, REDIRECTS_MAX) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, TN_HTTP_USER_AGENT) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			     (long)(o->connect_timeout * 1000)) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(o->timeout * 1000)) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, req) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, req) != CURLE_OK) {
		curl_easy_cleanup(e);
		return NULL;
	}
	return e;
}

struct engine {
	CURLM *multi;
	const struct tn_http_opts *o;
	struct tn_token_bucket bucket;
	struct tn_rng jitter;
	struct tn_http_stats *stats;
	int failures_in_row;
	size_t remaining;
	long active;
	tn_http_done_fn done;
	void *arg;
};

static void finish(struct engine *eng, struct tn_http_req *req, int result)
{
	req->result = result;
	req->state = ST_DONE;
	eng->remaining--;
	if (eng->done)
		eng->done(req, eng->arg);
}

static void detach(struct engine *eng, struct tn_http_req *req)
{
	curl_multi_remove_handle(eng->multi, req->easy);
	curl_easy_cleanup(req->easy);
	req->easy = NULL;
	eng->active--;
}

/* One attempt ended with curl code rc. */
static void attempt_done(struct engine *eng, struct tn_http_req *req, CURLcode rc)
{
	const struct tn_http_opts *o = eng->o;
	curl_off_t retry_after = 0;
	double wait;
	long status = 0;

	curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
	if (curl_easy_getinfo(req->easy, CURLINFO_RETRY_AFTER, &retry_after) != CURLE_OK)
		retry_after = 0;
	detach(eng, req);
	req->status = rc == CURLE_OK ? status : 0;
	if (!tn_http_retryable(rc, req->status)) {
		if (rc != CURLE_OK) {
			snprintf(req->err, sizeof req->err, "%s", curl_easy_strerror(rc));
			finish(eng, req, TN_EX_UNAVAILABLE);
			return;
		}
		eng->failures_in_row = 0;
		finish(eng, req, 0);
		return;
	}
	eng->stats->failures++;
	if (rc != CURLE_OK)
		snprintf(req->err, sizeof req->err, "%s", curl_easy_strerror(rc));
	else
		snprintf(req->err, sizeof req->err, "HTTP %ld", req->status);
	if (req->status != 429 && ++eng->failures_in_row >= o->breaker) {
		eng->stats->breaker_open = 1;
		finish(eng, req, TN_EX_UNAVAILABLE);
		return;
	}
	if ((double)retry_after > o->max_retry_after) {
		snprintf(req->err, sizeof req->err,
			 "HTTP %ld, Retry-After %lld s is longer than the %g s allowed",
			 req->status, (long long)retry_after, o->max_retry_after);
		finish(eng, req, TN_EX_TEMPFAIL);
		return;
	}
	if (req->attempts > o->retries) {
		finish(eng, req, req->status == 429 ? TN_EX_TEMPFAIL : TN_EX_UNAVAILABLE);
		return;
	}
	wait = tn_backoff_delay(req->attempts, o->backoff, o->backoff_max,
				tn_rng_uniform(&eng->jitter));
	if ((double)retry_after > wait)
		wait = (double)retry_after;
	info("%s: %s, retry %d in %.2f s: %s", o->source, req->err, req->attempts,
	     wait, req->url);
	eng->stats->retries++;
	req->not_before = tn_http_now() + wait;
	req->state = ST_WAITING;
}

/* Fails everything still to do once the breaker opened. */
static void trip(struct engine *eng, struct tn_http_req *reqs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (reqs[i].state == ST_DONE)
			continue;
		if (reqs[i].state == ST_ACTIVE)
			detach(eng, &reqs[i]);
		snprintf(reqs[i].err, sizeof reqs[i].err,
			 "not tried: %s stopped after %d failures in a row",
			 eng->o->source, eng->o->breaker);
		finish(eng, &reqs[i], TN_EX_UNAVAILABLE);
	}
}

/* Starts what may start now; returns the seconds until something else
 * may (a backoff ending, a token arriving), capped by the poll. */
static double start_ready(struct engine *eng, struct tn_http_req *reqs, size_t n,
			  int *setup_failed)
{
	double now = tn_http_now(), next = POLL_MAX_MS / 1000.0, wait;
	size_t i;

	for (i = 0; i < n && eng->active < eng->o->jobs; i++) {
		struct tn_http_req *req = &reqs[i];

		if (req->state != ST_WAITING)
			continue;
		if (req->not_before > now) {
			if (req->not_before - now < next)
				next = req->not_before - now;
			continue;
		}
		if ((wait = tn_bucket_take(&eng->bucket, now)) > 0) {
			if (wait < next)
				next = wait;
			break;
		}
		req->easy = new_easy(req, eng->o);
		if (!req->easy ||
		    curl_multi_add_handle(eng->multi, req->easy) != CURLM_OK) {
			if (req->easy)
				curl_easy_cleanup(req->easy);
			req->easy = NULL;
			snprintf(req->err, sizeof req->err, "cannot set up curl");
			*setup_failed = 1;
			finish(eng, req, TN_EX_SOFTWARE);
			continue;
		}
		req->attempts++;
		req->state = ST_ACTIVE;
		eng->active++;
		eng->stats->requests++;
		info("%s: GET %s", eng->o->source, req->url);
	}
	return next;
}

int tn_http_run(struct tn_http_req *reqs, size_t n,
		const struct tn_http_opts *o, tn_http_done_fn done, void *arg,
		struct tn_http_stats *stats)
{
	struct engine eng = { 0 };
	int setup_failed = 0, running;
	size_t i;
	CURLMsg *msg;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return TN_EX_SOFTWARE;
	eng.multi = curl_multi_init();
	if (!eng.multi) {
		curl_global_cleanup();
		return TN_EX_SOFTWARE;
	}
	eng.o = o;
	eng.stats = stats;
	eng.done = done;
	eng.arg = arg;
	eng.remaining = n;
	/* A burst of one: requests leave at most `rate` a second in every
	 * window, as a server counting them sees it. */
	tn_bucket_init(&eng.bucket, o->rate, 1.0, tn_http_now());
	tn_rng_seed(&eng.jitter, (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32));
	for (i = 0; i < n; i++) {
		reqs[i].state = ST_WAITING;
		reqs[i].result = 0;
		reqs[i].attempts = 0;
		reqs[i].not_before = 0;
		reqs[i].err[0] = '\0';
	}
	while (eng.remaining > 0) {
		double next;

		if (stats->breaker_open) {
			trip(&eng, reqs, n);
			break;
		}
		next = start_ready(&eng, reqs, n, &setup_failed);
		if (eng.remaining == 0)
			break;
		if (curl_multi_perform(eng.multi, &running) != CURLM_OK) {
			setup_failed = 1;
			break;
		}
		while ((msg = curl_multi_info_read(eng.multi, &running))) {
			struct tn_http_req *req = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					  (char **)&req);
			attempt_done(&eng, req, msg->data.result);
		}
		if (eng.remaining == 0 || stats->breaker_open)
			continue;
		if (curl_multi_poll(eng.multi, NULL, 0, (int)ceil(next * 1000), NULL) !=
		    CURLM_OK) {
			setup_failed = 1;
			break;
		}
	}
	if (eng.remaining > 0) { /* curl itself broke: end what is left */
		for (i = 0; i < n; i++) {
			if (reqs[i].state == ST_ACTIVE)
				detach(&eng, &reqs[i]);
			if (reqs[i].state != ST_DONE) {
				snprintf(reqs[i].err, sizeof reqs[i].err, "curl failed");
				finish(&eng, &reqs[i], TN_EX_SOFTWARE);
			}
		}
	}
	curl_multi_cleanup(eng.multi);
	curl_global_cleanup();
	if (stats->breaker_open)
		return TN_EX_UNAVAILABLE;
	return setup_failed ? TN_EX_SOFTWARE : 0;
}

void tn_http_req_free(struct tn_http_req *req)
{
	free(req->body);
	req->body = NULL;
	req->len = req->cap = 0;
}
