/* metrics.c - see metrics.h. */
#include "metrics.h"

#include "atomic.h"
#include "cli.h"
#include "numconv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The textfile collector reads the file as whoever node_exporter runs as. */
#define METRICS_FILE_MODE 0644

/* Room for the longest number tn_format_double writes, and the NUL. */
#define VALUE_MAX 32
_Static_assert(VALUE_MAX > TN_DOUBLE_TEXT_MAX, "VALUE_MAX");

struct tn_metric_sample {
	char *labels; /* rendered: "" or {name="value",...} */
	double value;
};

struct tn_metric_family {
	char *name;
	char *help;
	enum tn_metric_type type;
	struct tn_metric_sample *samples;
	size_t nsamples, cap;
};

static int name_char(int c, int first, int colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	if (colon && c == ':')
		return 1;
	return !first && c >= '0' && c <= '9';
}

int tn_metrics_name_valid(const char *name)
{
	size_t i;

	if (!name || !*name)
		return 0;
	for (i = 0; name[i]; i++)
		if (!name_char((unsigned char)name[i], i == 0, 1))
			return 0;
	return 1;
}

int tn_metrics_label_name_valid(const char *name)
{
	size_t i;

	if (!name || !*name || strncmp(name, "__", 2) == 0)
		return 0;
	for (i = 0; name[i]; i++)
		if (!name_char((unsigned char)name[i], i == 0, 0))
			return 0;
	return 1;
}

/* Length of a label value once escaped. */
static size_t escaped_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += (*s == '\\' || *s == '"' || *s == '\n') ? 2 : 1;
	return n;
}

static char *escape_into(char *p, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"') {
			*p++ = '\\';
			*p++ = *s;
		} else if (*s == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else {
			*p++ = *s;
		}
	}
	return p;
}

/* Renders labels as {a="x",b="y"} (or "" for none), the form they are
 * both compared in and printed in.  NULL with EINVAL for bad labels. */
static char *render_labels(const char *const *labels)
{
	size_t i, j, n, len = 0;
	char *out, *p;

	for (i = 0; labels && labels[i]; i += 2) {
		if (!labels[i + 1] || !tn_metrics_label_name_valid(labels[i]))
			goto bad;
		for (j = 0; j < i; j += 2)
			if (strcmp(labels[i], labels[j]) == 0)
				goto bad;
		/* name="value", */
		len += strlen(labels[i]) + 4 + escaped_len(labels[i + 1]);
	}
	out = p = xmalloc(len + 2);
	if (len) {
		*p++ = '{';
		for (i = 0; labels[i]; i += 2) {
			if (i)
				*p++ = ',';
			n = strlen(labels[i]);
			memcpy(p, labels[i], n);
			p += n;
			*p++ = '=';
			*p++ = '"';
			p = escape_into(p, labels[i + 1]);
			*p++ = '"';
		}
		*p++ = '}';
	}
	*p = '\0';
	return out;
bad:
	errno = EINVAL;
	return NULL;
}

static struct tn_metric_family *family(struct tn_metrics *m, const char *name,
				       const char *help,
				       enum tn_metric_type type)
{
	struct tn_metric_family *f;
	size_t i;

	if (!tn_metrics_name_valid(name)) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < m->nfamilies; i++) {
		f = &m->families[i];
		if (strcmp(f->name, name) != 0)
			continue;
		if (f->type != type) {
			errno = EINVAL;
			return NULL;
		}
		return f;
	}
	if (m->nfamilies == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		m->families = xreallocarray(m->families, m->cap,
					    sizeof *m->families);
	}
	f = &m->families[m->nfamilies++];
	memset(f, 0, sizeof *f);
	f->name = xstrdup(name);
	f->help = xstrdup(help ? help : "");
	f->type = type;
	return f;
}

/* The sample of family f with these rendered labels, created at 0 if new;
 * takes rendered over. */
static struct tn_metric_sample *sample(struct tn_metric_family *f,
				       char *rendered)
{
	struct tn_metric_sample *s;
	size_t i;

	for (i = 0; i < f->nsamples; i++) {
		if (strcmp(f->samples[i].labels, rendered) == 0) {
			free(rendered);
			return &f->samples[i];
		}
	}
	if (f->nsamples == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 4;
		f->samples = xreallocarray(f->samples, f->cap,
					   sizeof *f->samples);
	}
	s = &f->samples[f->nsamples++];
	s->labels = rendered;
	s->value = 0;
	return s;
}

/* Checks everything before touching m, so a rejected call adds no empty
 * family to the output. */
static struct tn_metric_sample *lookup(struct tn_metrics *m, const char *name,
				       const char *help,
				       const char *const *labels,
				       enum tn_metric_type type)
{
	struct tn_metric_family *f;
	char *rendered = render_labels(labels);

	if (!rendered)
		return NULL;
	f = family(m, name, help, type);
	if (!f) {
		free(rendered);
		return NULL;
	}
	return sample(f, rendered);
}

int tn_metrics_counter_add(struct tn_metrics *m, const char *name,
			   const char *help, const char *const *labels,
			   double delta)
{
	struct tn_metric_sample *s;

	/* counters only go up: a negative step would read as a reset */
	if (!(delta >= 0)) {
		errno = EINVAL;
		return -1;
	}
	s = lookup(m, name, help, labels, TN_METRIC_COUNTER);
	if (!s)
		return -1;
	s->value += delta;
	return 0;
}

int tn_metrics_gauge_set(struct tn_metrics *m, const char *name,
			 const char *help, const char *const *labels,
			 double value)
{
	struct tn_metric_sample *s = lookup(m, name, help, labels,
					    TN_METRIC_GAUGE);

	if (!s)
		return -1;
	s->value = value;
	return 0;
}

/* The shortest of %.15g..%.17g that reads back as v (tn_format_double),
 * in the spelling the exposition format uses for the special values. */
static void format_value(char out[VALUE_MAX], double v)
{
	if (isnan(v)) {
		strcpy(out, "NaN");
		return;
	}
	if (isinf(v)) {
		strcpy(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	tn_format_double(out, v);
}

/* HELP text escapes only backslash and newline. */
static void put_help(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", fp);
		else if (*s == '\n')
			fputs("\\n", fp);
		else
			fputc(*s, fp);
	}
}

int tn_metrics_print(const struct tn_metrics *m, FILE *fp)
{
	char value[VALUE_MAX];
	size_t i, j;

	for (i = 0; i < m->nfamilies; i++) {
		const struct tn_metric_family *f = &m->families[i];

		if (*f->help) {
			fprintf(fp, "# HELP %s ", f->name);
			put_help(fp, f->help);
			fputc('\n', fp);
		}
		fprintf(fp, "# TYPE %s %s\n", f->name,
			f->type == TN_METRIC_COUNTER ? "counter" : "gauge");
		for (j = 0; j < f->nsamples; j++) {
			format_value(value, f->samples[j].value);
			fprintf(fp, "%s%s %s\n", f->name, f->samples[j].labels,
				value);
		}
	}
	/* the error flag is sticky, so one look covers every call above */
	return ferror(fp) ? -1 : 0;
}

int tn_metrics_write(const struct tn_metrics *m, const char *path,
		     const char **what)
{
	struct tn_atomic a;

	if (tn_atomic_open(&a, path, METRICS_FILE_MODE) < 0) {
		*what = a.what;
		return -1;
	}
	if (tn_metrics_print(m, a.fp) < 0) {
		*what = "write";
		tn_atomic_abort(&a);
		return -1;
	}
	if (tn_atomic_commit(&a) < 0) {
		*what = a.what;
		return -1;
	}
	return 0;
}

void tn_metrics_free(struct tn_metrics *m)
{
	size_t i, j;

	for (i = 0; i < m->nfamilies; i++) {
		struct tn_metric_family *f = &m->families[i];

		for (j = 0; j < f->nsamples; j++)
			free(f->samples[j].labels);
		free(f->samples);
		free(f->name);
		free(f->help);
	}
	free(m->families);
	m->families = NULL;
	m->nfamilies = m->cap = 0;
}
