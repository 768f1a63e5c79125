/* progress.c - see progress.h. */
#include "progress.h"

#include "cli.h"

#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static int terminal_width(FILE *fp)
{
	struct winsize ws;

	if (ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return TN_PROGRESS_WIDTH;
}

/* Writes line over the previous one.  Progress is decoration: a failed
 * write to stderr is not worth stopping the work for, so results are not
 * checked here. */
static void draw(struct tn_progress *p, const char *line)
{
	size_t len = strlen(line);
	size_t pad = p->drawn > len ? p->drawn - len : 0;

	fprintf(p->fp, "\r%s%*s", line, (int)pad, "");
	fflush(p->fp);
	p->drawn = len;
}

void tn_progress_start(struct tn_progress *p, const char *what, long total)
{
	if (!p->fp)
		p->fp = stderr;
	if (p->force == TN_PROGRESS_ALWAYS)
		p->enabled = 1;
	else if (p->force == TN_PROGRESS_NEVER)
		p->enabled = 0;
	else
		p->enabled = tn_verbosity > TN_QUIET && isatty(fileno(p->fp));
	p->what = what ? what : "";
	p->total = total;
	p->last_draw = -1;
	p->drawn = 0;
	if (!p->enabled)
		return;
	if (p->width <= 0)
		p->width = terminal_width(p->fp);
	tn_progress_update(p, 0, NULL);
}

void tn_progress_update(struct tn_progress *p, long done, const char *fmt, ...)
{
	char line[TN_PROGRESS_LINE_MAX];
	long interval = p->interval_ms > 0 ? p->interval_ms :
			TN_PROGRESS_INTERVAL_MS;
	double now;
	size_t len, max;
	va_list ap;
	int n;

	if (!p->enabled)
		return;
	now = tn_monotonic_seconds();
	if (p->last_draw >= 0 && now - p->last_draw < interval / 1e3 &&
	    !(p->total > 0 && done >= p->total))
		return;
	p->last_draw = now;
	if (p->total > 0)
		n = snprintf(line, sizeof line, "%s %ld/%ld (%ld%%)", p->what,
			     done, p->total, done * 100 / p->total);
	else
		n = snprintf(line, sizeof line, "%s %ld", p->what, done);
	len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
	if (fmt && len + 1 < sizeof line) {
		line[len++] = ' ';
		va_start(ap, fmt);
		vsnprintf(line + len, sizeof line - len, fmt, ap);
		va_end(ap);
	}
	/* a line that wraps can no longer be redrawn with '\r' */
	max = p->width > 1 ? (size_t)p->width - 1 : 1;
	if (max < sizeof line)
		line[max] = '\0';
	draw(p, line);
}

void tn_progress_end(struct tn_progress *p)
{
	if (p->enabled && p->drawn > 0) {
		fprintf(p->fp, "\r%*s\r", (int)p->drawn, "");
		fflush(p->fp);
	}
	p->enabled = 0;
	p->drawn = 0;
}
