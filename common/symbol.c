/* symbol.c - see symbol.h. */
#include "symbol.h"

#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_lead(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_tail(int c)
{
	return is_lead(c) || c == '.' || c == '=' || c == '-';
}

int tn_symbol_normalise(const char *in, char out[TN_SYMBOL_MAX + 1],
			const char **why)
{
	static char reason[48];
	size_t i, len, start;

	if (!in || !*in) {
		*why = "empty symbol";
		return -1;
	}
	len = strlen(in);
	if (len > TN_SYMBOL_MAX) {
		*why = "symbol too long (at most 16 characters after '^')";
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		out[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	out[len] = '\0';
	start = out[0] == '^';
	if (len == start) {
		*why = "empty symbol";
		return -1;
	}
	if (len - start > TN_SYMBOL_MAX - 1) {
		*why = "symbol too long (at most 16 characters after '^')";
		return -1;
	}
	for (i = start; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		int ok = i == start ? is_lead(c) : is_tail(c);

		if (ok)
			continue;
		if (c < 0x20 || c >= 0x7f)
			snprintf(reason, sizeof reason,
				 "bad character 0x%02x at %zu", c, i + 1);
		else
			snprintf(reason, sizeof reason,
				 "bad character '%c' at %zu", c, i + 1);
		*why = reason;
		return -1;
	}
	return 0;
}

int tn_symbol_valid(const char *s)
{
	char norm[TN_SYMBOL_MAX + 1];
	const char *why;

	return tn_symbol_normalise(s, norm, &why) == 0 && strcmp(norm, s) == 0;
}

static int compare_symbols(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **tn_symbol_list_parse(const char *list, int *n, char *err,
			    size_t errsize)
{
	char *copy = xstrdup(list), *tok, *save = NULL, **out = NULL;
	char sym[TN_SYMBOL_MAX + 1];
	const char *why;
	int count = 0, i, j;

	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (tn_symbol_normalise(tok, sym, &why) < 0) {
			/* the bad text is cut short: it may be anything */
			snprintf(err, errsize, "bad symbol '%.*s': %s",
				 4 * TN_SYMBOL_MAX, tok, why);
			tn_symbol_list_free(out, count);
			free(copy);
			return NULL;
		}
		out = xreallocarray(out, (size_t)count + 1, sizeof *out);
		out[count++] = xstrdup(sym);
	}
	free(copy);
	if (count == 0) {
		snprintf(err, errsize, "no symbol in '%s'", list);
		return NULL;
	}
	qsort(out, (size_t)count, sizeof *out, compare_symbols);
	for (i = j = 1; i < count; i++) {
		if (strcmp(out[i], out[j - 1]) == 0)
			free(out[i]);
		else
			out[j++] = out[i];
	}
	*n = j;
	return out;
}

void tn_symbol_list_free(char **symbols, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(symbols[i]);
	free(symbols);
}
