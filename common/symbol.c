/* symbol.c - see symbol.h. */
#include "symbol.h"

#include <stdio.h>
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
