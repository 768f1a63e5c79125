/* cli.c - see cli.h. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *tn_progname = "tickernet";
int tn_verbosity = TN_NORMAL;

void tn_setprogname(const char *argv0)
{
	const char *slash;

	if (!argv0 || !*argv0)
		return;
	slash = strrchr(argv0, '/');
	tn_progname = slash ? slash + 1 : argv0;
}

void tn_init_progname(char **argv)
{
	char *slash;

	if (!argv || !argv[0])
		return;
	slash = strrchr(argv[0], '/');
	if (slash && slash[1])
		argv[0] = slash + 1;
	tn_setprogname(argv[0]);
}

static void vmessage(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t len = strlen(fmt);

	fprintf(stderr, "%s: ", tn_progname);
	vfprintf(stderr, fmt, ap);
	if (len > 0 && fmt[len - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
	errno = saved;
}

void warn(const char *fmt, ...)
{
	va_list ap;

	if (tn_verbosity <= TN_QUIET)
		return;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (tn_verbosity < TN_VERBOSE)
		return;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	tn_exit_status = status;
	exit(status);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die(TN_EX_SOFTWARE, "out of memory (%zu bytes)", size);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (!p)
		die(TN_EX_SOFTWARE, "out of memory (%zu x %zu bytes)", count, size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		die(TN_EX_SOFTWARE, "out of memory (%zu bytes)", size);
	return p;
}

void *xreallocarray(void *ptr, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		die(TN_EX_SOFTWARE, "out of memory (%zu x %zu bytes overflows)",
		    count, size);
	return xrealloc(ptr, count * size);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

int tn_parse_long(const char *s, long min, long max, long *out, const char **why)
{
	char *end;
	long v;

	if (!s || !*s) {
		*why = "empty number";
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end) {
		*why = "not an integer";
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		*why = "out of range";
		return -1;
	}
	*out = v;
	return 0;
}

int tn_parse_double(const char *s, double min, double max, double *out,
		    const char **why)
{
	char *end;
	double v;

	if (!s || !*s) {
		*why = "empty number";
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end) {
		*why = "not a number";
		return -1;
	}
	if (!isfinite(v)) {
		*why = "not finite";
		return -1;
	}
	if (errno == ERANGE && v != 0.0) {
		*why = "out of range";
		return -1;
	}
	if (v < min || v > max) {
		*why = "out of range";
		return -1;
	}
	*out = v;
	return 0;
}

long tn_optlong(const char *opt, const char *arg, long min, long max)
{
	const char *why;
	long v;

	if (tn_parse_long(arg, min, max, &v, &why) < 0)
		tn_usage_error("%s: %s (expected %ld..%ld): '%s'", opt, why, min,
			       max, arg);
	return v;
}

double tn_optdouble(const char *opt, const char *arg, double min, double max)
{
	const char *why;
	double v;

	if (tn_parse_double(arg, min, max, &v, &why) < 0)
		tn_usage_error("%s: %s (expected %g..%g): '%s'", opt, why, min,
			       max, arg);
	return v;
}

void tn_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tn_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", tn_progname);
	tn_exit_status = TN_EX_USAGE;
	exit(TN_EX_USAGE);
}

int tn_common_option(int c, const char *usage)
{
	switch (c) {
	case 'h':
		fputs(usage, stdout);
		exit(tn_finish(TN_EX_OK));
	case 'V':
		printf("%s (tickernet) %s\n", tn_progname, TN_VERSION);
		exit(tn_finish(TN_EX_OK));
	case 'q':
		tn_verbosity = TN_QUIET;
		return 1;
	case 'v':
		if (tn_verbosity < TN_VERBOSE)
			tn_verbosity = TN_VERBOSE;
		else
			tn_verbosity++;
		return 1;
	case '?':
	case ':':
		/* getopt_long already named the bad option */
		fprintf(stderr, "Try '%s --help' for more information.\n",
			tn_progname);
		tn_exit_status = TN_EX_USAGE;
		exit(TN_EX_USAGE);
	default:
		return 0;
	}
}

int tn_exit_status;

double tn_monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int tn_finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: stdout: write error: %s\n", tn_progname,
			strerror(errno));
		return tn_exit_status = TN_EX_IOERR;
	}
	return tn_exit_status = status;
}
