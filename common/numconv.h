/* numconv.h - doubles to text and back, the one place that does it for
 * CSV, JSON and metrics output (tickernet-formats(5), "Numbers").
 *
 * Writing prints what printf's %.Pg prints for the fewest P of 15, 16 and
 * 17 that reads back as exactly the same double: the shortest round-trip
 * digits (std::to_chars), 15 of them at least when the double is
 * subnormal, laid out as %g lays them: 0.1, 1e+16, 1.5e-05, 123456.789,
 * -0.
 *
 * Reading takes a decimal number only, the whole text (fast_float):
 *     [+-] digits [. digits] [(e|E) [+-] digits]
 * with digits on at least one side of the point.  No blanks, no hex, no
 * "inf" or "nan" (a caller that treats "nan" as missing checks for it
 * first).  The result is the nearest double; a number too small for one
 * becomes 0 or a subnormal, a number too large is an error.
 *
 * Both are independent of the locale: the point is always '.'. */
#ifndef TN_NUMCONV_H
#define TN_NUMCONV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest text tn_format_double writes, NUL excluded:
 * "-1.2345678901234567e-308". */
#define TN_DOUBLE_TEXT_MAX 24

/* Writes v to buf[TN_DOUBLE_TEXT_MAX + 1], NUL-terminated, and returns
 * the length.  v should be finite: NaN and the infinities come out as
 * "nan", "inf" and "-inf", which no tickernet format accepts, so callers
 * write their format's missing value instead. */
int tn_format_double(char *buf, double v);

/* What tn_parse_decimal found. */
enum tn_decimal {
	TN_DECIMAL_OK = 0,
	TN_DECIMAL_BAD = -1,   /* not a decimal number */
	TN_DECIMAL_RANGE = -2, /* a number, but beyond the largest double */
};

/* Parses s[len] (no NUL needed) into *v, which is set only on success.
 * Returns an enum tn_decimal. */
int tn_parse_decimal(const char *s, size_t len, double *v);

#ifdef __cplusplus
}
#endif

#endif
