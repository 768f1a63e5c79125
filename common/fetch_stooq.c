/* fetch_stooq.c - see fetch_stooq.h. */
#include "fetch_stooq.h"

#include "cli.h"
#include "fetch_file.h"

#include <ctype.h>
#include <string.h>

static const struct {
	const char *yahoo, *stooq;
} indices[] = {
	{ "^GSPC", "^spx" }, { "^DJI", "^dji" }, { "^IXIC", "^ndq" },
	{ "^NDX", "^ndx" },
};

void tn_stooq_symbol(char *out, size_t size, const char *symbol)
{
	size_t i, n = strlen(symbol);
	int pair = n > 2 && strcmp(symbol + n - 2, "=X") == 0;

	for (i = 0; i < sizeof indices / sizeof indices[0]; i++) {
		if (strcmp(symbol, indices[i].yahoo) == 0) {
			snprintf(out, size, "%s", indices[i].stooq);
			return;
		}
	}
	if (pair)
		n -= 2;
	for (i = 0; i < n && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)symbol[i]);
	out[i] = '\0';
	if (!pair && symbol[0] != '^' && !strchr(symbol, '.') && i + 3 < size)
		strcat(out, ".us");
}

int tn_stooq_url(char *out, size_t size, const char *base, const char *symbol,
		 tn_day from, tn_day to)
{
	char sym[2 * TN_SYMBOL_MAX + 8], enc[6 * TN_SYMBOL_MAX + 8];
	char d1[TN_DATE_LEN + 1], d2[TN_DATE_LEN + 1];
	size_t i, n = 0;
	int len;

	tn_stooq_symbol(sym, sizeof sym, symbol);
	for (i = 0; sym[i]; i++) {
		if (sym[i] == '^') {
			memcpy(enc + n, "%5E", 3);
			n += 3;
		} else {
			enc[n++] = sym[i];
		}
	}
	enc[n] = '\0';
	tn_date_format(from, d1);
	tn_date_format(to, d2);
	len = snprintf(out, size, "%s/q/d/l/?s=%s&i=d&d1=%.4s%.2s%.2s&d2=%.4s%.2s%.2s",
		       base, enc, d1, d1 + 5, d1 + 8, d2, d2 + 5, d2 + 8);
	return len < 0 || (size_t)len >= size ? -1 : 0;
}

static int starts_with(const char *body, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(body, prefix, n) == 0;
}

int tn_stooq_parse(const char *body, size_t len, const char *symbol,
		   struct tn_fetch_series *s, char *err, size_t errsize)
{
	if (starts_with(body, len, "No data")) {
		snprintf(err, errsize, "No data");
		return TN_EX_NOINPUT;
	}
	if (starts_with(body, len, "Exceeded the daily hits limit")) {
		snprintf(err, errsize, "Exceeded the daily hits limit");
		return TN_EX_TEMPFAIL;
	}
	if (len > 0 && body[0] == '<') {
		snprintf(err, errsize, "not CSV: an HTML page");
		return TN_EX_DATAERR;
	}
	return tn_fetch_read_csv_mem(body, len, "Stooq response", symbol, s, err,
				     errsize);
}
