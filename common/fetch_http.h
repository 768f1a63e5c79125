/* fetch_http.h - many HTTP GETs at once, politely: libcurl's multi
 * interface with at most `jobs` transfers in flight, a global token bucket
 * of `rate` requests a second, retries with exponential backoff and
 * jitter on 429, 5xx and transport failures (timeouts, refused or cut
 * connections) that honour Retry-After, and a circuit breaker that stops
 * calling a source after `breaker` failures in a row.
 *
 * A request ends in one of three ways:
 *   result 0    a response: status and body are the caller's to judge
 *               (2xx, or a 4xx other than 429, whose body may explain);
 *   result 75   still rate-limited (429) after the last retry, or asked to
 *               wait longer than max_retry_after;
 *   result 69   the source failed (5xx, timeouts) after the last retry, or
 *               the breaker opened before the request could succeed. */
#ifndef TN_FETCH_HTTP_H
#define TN_FETCH_HTTP_H

#include <stddef.h>

/* Defaults, named here and stated in fetch-prices(1). */
#define TN_HTTP_JOBS 4
#define TN_HTTP_RATE 2.0             /* requests per second */
#define TN_HTTP_RETRIES 3
#define TN_HTTP_BACKOFF 1.0          /* seconds before the first retry */
#define TN_HTTP_BACKOFF_MAX 30.0     /* longest backoff between retries */
#define TN_HTTP_MAX_RETRY_AFTER 120.0/* longest Retry-After honoured */
#define TN_HTTP_CONNECT_TIMEOUT 10.0
#define TN_HTTP_TIMEOUT 30.0
#define TN_HTTP_BREAKER 5
#define TN_HTTP_MAX_BODY (64u << 20) /* a chart of 50 years is ~5 MB */
#define TN_HTTP_USER_AGENT                                                \
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like " \
	"Gecko) Chrome/124.0.0.0 Safari/537.36"

struct tn_http_opts {
	long jobs;               /* transfers in flight, >= 1 */
	double rate;             /* requests a second, > 0 */
	int retries;             /* retries after the first attempt */
	double backoff;          /* first retry delay, seconds */
	double backoff_max;
	double max_retry_after;
	double connect_timeout;  /* seconds */
	double timeout;          /* seconds, the whole transfer */
	int breaker;             /* failures in a row that open it */
	const char *source;      /* name in messages ("yahoo") */
};

/* Fills o with the defaults above. */
void tn_http_defaults(struct tn_http_opts *o);

struct tn_http_req {
	const char *url;         /* set by the caller */
	void *user;              /* the caller's, untouched */
	/* results */
	int result;              /* 0, 69 or 75, see above */
	long status;             /* the last HTTP status, 0 for none */
	char *body;              /* the last response body, NUL-terminated */
	size_t len;
	int attempts;
	char err[256];           /* why result != 0, one line */
	/* the engine's */
	void *easy;
	size_t cap;
	double not_before;
	int state;
};

/* Called once per request as it ends (result set), e.g. to parse it and
 * move a progress line. */
typedef void (*tn_http_done_fn)(struct tn_http_req *req, void *arg);

struct tn_http_stats {
	long requests;  /* attempts made, retries included */
	long retries;
	long failures;  /* attempts that failed (429, 5xx, transport) */
	int breaker_open;
};

/* Runs every request to its end.  Returns 0, or 69 when the breaker
 * opened, or 70 when curl could not be set up.  Bodies stay with the
 * requests: free them with tn_http_req_free. */
int tn_http_run(struct tn_http_req *reqs, size_t n,
		const struct tn_http_opts *o, tn_http_done_fn done, void *arg,
		struct tn_http_stats *stats);

void tn_http_req_free(struct tn_http_req *req);

/* The token bucket: `rate` tokens a second, at most `burst` saved up. */
struct tn_token_bucket {
	double rate, burst, tokens, last;
};

void tn_bucket_init(struct tn_token_bucket *b, double rate, double burst,
		    double now);
/* Takes a token at time now: returns 0 when one was taken, else the
 * seconds until one will be there (nothing taken). */
double tn_bucket_take(struct tn_token_bucket *b, double now);

/* The wait before retry number `attempt` (1, 2, ...): base * 2^(attempt-1)
 * capped at max, scaled by a jitter factor in [0.5, 1) from u in [0, 1)
 * ("equal jitter"), so clients that failed together do not retry in step. */
double tn_backoff_delay(int attempt, double base, double max, double u);

/* Whether a response or transport outcome is worth retrying: 1 for 429,
 * 5xx, and curl codes that say the transfer failed on the way (status 0). */
int tn_http_retryable(int curl_code, long status);

/* Monotonic seconds. */
double tn_http_now(void);

#endif
