/* cli.h - the command-line kit every tool shares: program name, verbosity,
 * warn/die in the "tool: where: what" form, sysexits exit codes, checked
 * allocation, strict number parsing and the common options. */
#ifndef TN_CLI_H
#define TN_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdnoreturn.h>

#ifndef TN_VERSION
#define TN_VERSION "0.0.0-dev"
#endif

/* Exit codes, sysexits.h values; every man page lists the ones its tool uses. */
enum tn_exit {
	TN_EX_OK = 0,
	TN_EX_FAIL = 1,        /* some of the work failed; the rest was done */
	TN_EX_USAGE = 2,       /* bad command line */
	TN_EX_DATAERR = 65,    /* bad input data */
	TN_EX_NOINPUT = 66,    /* missing input file or model */
	TN_EX_UNAVAILABLE = 69,/* remote source unavailable */
	TN_EX_SOFTWARE = 70,   /* internal error, e.g. wrong BLAS loaded */
	TN_EX_CANTCREAT = 73,  /* cannot create output */
	TN_EX_IOERR = 74,      /* I/O error */
	TN_EX_TEMPFAIL = 75,   /* temporary: rate-limited, lock busy */
	TN_EX_SIGINT = 130,    /* stopped by SIGINT */
	TN_EX_SIGTERM = 143,   /* stopped by SIGTERM */
};

/* Verbosity: -1 quiet (-q), 0 normal, 1 and up verbose (-v, -vv). */
enum { TN_QUIET = -1, TN_NORMAL = 0, TN_VERBOSE = 1 };

extern const char *tn_progname;
extern int tn_verbosity;

void tn_setprogname(const char *argv0);
/* What every main calls first: sets the program name from argv[0] and
 * points argv[0] at that bare name, so the messages getopt_long prints
 * ("prog: unrecognized option") carry it too. */
void tn_init_progname(char **argv);

/* warn/die print "prog: " + the formatted message; a format that ends in
 * ':' gets " strerror(errno)" appended.  warn is silenced by -q. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* info: printed only with -v. */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xreallocarray: overflow-checked realloc of count * size bytes. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);

/* Strict parsing: the whole string must be a number in [min, max].
 * Returns 0, or -1 with *why set to a short reason. */
int tn_parse_long(const char *s, long min, long max, long *out, const char **why);
int tn_parse_double(const char *s, double min, double max, double *out,
		    const char **why);

/* Option arguments: parse or exit 2 with "prog: --opt: reason: 'arg'". */
long tn_optlong(const char *opt, const char *arg, long min, long max);
double tn_optdouble(const char *opt, const char *arg, double min, double max);

/* The options every tool has: -h/--help, -V/--version, -q/--quiet,
 * -v/--verbose.  Tools append TN_COMMON_LONGOPTS to their long options and
 * TN_COMMON_SHORTOPTS to their short ones, and pass unknown option
 * characters to tn_common_option. */
#define TN_COMMON_SHORTOPTS "hVqv"
#define TN_COMMON_LONGOPTS                               \
	{ "help", no_argument, NULL, 'h' },              \
	{ "version", no_argument, NULL, 'V' },           \
	{ "quiet", no_argument, NULL, 'q' },             \
	{ "verbose", no_argument, NULL, 'v' }

/* Handles h, V, q, v and '?'/':' (usage error, exit 2).  `usage` is the
 * tool's full help text, printed to stdout by --help.  Returns 1 when c was
 * handled (and the program goes on), exits for -h, -V and errors; returns 0
 * for an option that is the tool's own. */
int tn_common_option(int c, const char *usage);

/* A usage error: "prog: msg" and "Try 'prog --help' for more information."
 * on stderr, exit 2. */
noreturn void tn_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* The single exit path: flush stdout, and turn a failed write (full disk,
 * closed pipe) into exit 74.  Returns status otherwise. */
int tn_finish(int status);

/* Seconds on CLOCK_MONOTONIC: for durations, never for dates. */
double tn_monotonic_seconds(void);

/* The status the process is exiting with, for atexit handlers (a
 * --metrics-file written however the run ends): set by die and
 * tn_finish, 0 before either. */
extern int tn_exit_status;

#endif
