/* progress.h - one progress line on stderr for long work (training,
 * fetching many symbols), drawn only for a person watching a terminal:
 * when stderr is not a tty, or with -q, nothing is written, so logs and
 * pipelines stay clean.
 *
 *	struct tn_progress p = { 0 };
 *	tn_progress_start(&p, "training", epochs);
 *	for (e = 1; e <= epochs; e++) {
 *		...
 *		tn_progress_update(&p, e, "loss %.4g", loss);
 *	}
 *	tn_progress_end(&p);
 *
 * The line is redrawn in place with '\r', at most every
 * TN_PROGRESS_INTERVAL_MS, and erased by tn_progress_end so the next
 * message starts on a clean line. */
#ifndef TN_PROGRESS_H
#define TN_PROGRESS_H

#include <stdio.h>

/* Shortest time between two redraws: about ten a second is smooth to the
 * eye and costs nothing. */
#define TN_PROGRESS_INTERVAL_MS 100

/* The width assumed when the terminal does not say. */
#define TN_PROGRESS_WIDTH 80

/* Longest line drawn, whatever the terminal width. */
#define TN_PROGRESS_LINE_MAX 512

/* Values of force. */
enum { TN_PROGRESS_AUTO = 0, TN_PROGRESS_ALWAYS = 1, TN_PROGRESS_NEVER = -1 };

struct tn_progress {
	/* set before start, or leave zero: */
	FILE *fp;            /* where the line goes; NULL means stderr */
	int force;           /* TN_PROGRESS_AUTO: draw if fp is a tty and
				not quiet; ALWAYS/NEVER for tests */
	long interval_ms;    /* 0 means TN_PROGRESS_INTERVAL_MS */
	int width;           /* columns; 0 means ask the terminal */
	/* start's own: */
	int enabled;
	const char *what;
	long total;          /* <= 0: unknown */
	double last_draw;    /* monotonic seconds, < 0 before the first */
	size_t drawn;        /* length of the line now on screen */
};

/* Begins the line for `what` with `total` steps (<= 0 when unknown). */
void tn_progress_start(struct tn_progress *p, const char *what, long total);

/* Reports `done` steps and an optional note (printf format, may be NULL).
 * Redrawn only when the interval has passed, and always for the last step,
 * so the final state is seen. */
void tn_progress_update(struct tn_progress *p, long done, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Erases the line. */
void tn_progress_end(struct tn_progress *p);

#endif
