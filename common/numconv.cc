/* numconv.cc - see numconv.h.
 *
 * The hard part of both directions, correct rounding, is the libraries':
 * fmt's Dragonbox finds the shortest digits of a double, fast_float the
 * nearest double to a decimal.  What is left here is tickernet's own:
 * where the digits go (the layout of printf's %g, so that the output is
 * what the tools wrote when they printed with snprintf) and what text
 * counts as a number.
 *
 * C++ only because the libraries are; both are used header-only, with no
 * exceptions, no RTTI and no allocation, so the tools need no C++ runtime
 * at all.  fmt's public formatting API would bring in std::locale and
 * std::string, so Dragonbox is called directly, as
 * fmt::detail::dragonbox::to_decimal, the function fmt's own "{}" calls:
 * not fmt's public API, so a later fmt that changes it breaks the build
 * here, and tests/unit/test_numconv.c checks the digits against printf.
 * The Makefile links with --gc-sections to drop what the header defines
 * around it (format_error's vtable), which we never use. */
#include "numconv.h"

#include <cstdio>
#include <cstdlib>

/* fmt's own assertion would print with fprintf and call std::terminate;
 * Dragonbox's assertions check its tables, and a failure is a bug. */
#define FMT_ASSERT(condition, message) ((condition) ? (void)0 : std::abort())
#define FMT_HEADER_ONLY
#include <fmt/format.h>

#include <fast_float/fast_float.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

/* printf's %.Pg for the fewest P of 15, 16 and 17 that reads back: the
 * shortest digits never need more than 17, and a P below their count
 * cannot read back, so P is the larger of 15 and that count.  For a
 * normal double, when the shortest digits are 15 or fewer %.15g prints
 * exactly them, a 15-digit decimal step being wider than the double's. */
#define MIN_PRECISION 15
/* %g writes an exponent below 1e-4, and from 10^P up. */
#define MIN_FIXED_EXP10 (-4)
/* Digits of the largest significand Dragonbox gives a double. */
#define MAX_DIGITS 17

/* "00" to "99": the significand is written two digits a division. */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Writes n > 0 in decimal to end the buffer at end; returns its start. */
static char *put_decimal(char *end, uint64_t n)
{
	while (n >= 100) {
		end -= 2;
		std::memcpy(end, digit_pairs + 2 * (n % 100), 2);
		n /= 100;
	}
	if (n >= 10) {
		end -= 2;
		std::memcpy(end, digit_pairs + 2 * n, 2);
	} else {
		*--end = (char)('0' + n);
	}
	return end;
}

static int special(char *buf, double v)
{
	const char *text = std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
	size_t len = std::strlen(text);

	std::memcpy(buf, text, len + 1);
	return (int)len;
}

int tn_format_double(char *buf, double v)
{
	char text[MAX_DIGITS];
	const char *digits;
	int ndigits, exp10, precision, point, e, i;
	char *p = buf;

	if (!std::isfinite(v))
		return special(buf, v);
	if (std::signbit(v))
		*p++ = '-';
	if (v == 0) {
		*p++ = '0';
		*p = '\0';
		return (int)(p - buf);
	}

	/* |v| = significand * 10^exponent, the significand as short as
	 * reads back and without trailing zeros */
	auto dec = fmt::detail::dragonbox::to_decimal(std::fabs(v));
	digits = put_decimal(text + MAX_DIGITS, dec.significand);
	ndigits = (int)(text + MAX_DIGITS - digits);
	exp10 = dec.exponent + ndigits - 1;  /* of the first digit */
	precision = ndigits > MIN_PRECISION ? ndigits : MIN_PRECISION;

	/* A subnormal has fewer digits than its %.15g, which still reads
	 * back and is what the tools have always printed: printf's, rare
	 * enough to be slow. */
	if (std::fabs(v) < DBL_MIN)
		return std::snprintf(buf, TN_DOUBLE_TEXT_MAX + 1, "%.*g",
				     precision, v);

	if (exp10 < MIN_FIXED_EXP10 || exp10 >= precision) {
		/* D[.DDD]e(+|-)XX, the exponent two digits at least */
		*p++ = digits[0];
		if (ndigits > 1) {
			*p++ = '.';
			std::memcpy(p, digits + 1, (size_t)(ndigits - 1));
			p += ndigits - 1;
		}
		*p++ = 'e';
		*p++ = exp10 < 0 ? '-' : '+';
		e = exp10 < 0 ? -exp10 : exp10;
		if (e >= 100)
			*p++ = (char)('0' + e / 100);
		*p++ = (char)('0' + e / 10 % 10);
		*p++ = (char)('0' + e % 10);
	} else if (exp10 >= 0) {
		/* the integer part, padded with zeros past the digits */
		point = exp10 + 1;
		for (i = 0; i < point; i++)
			*p++ = i < ndigits ? digits[i] : '0';
		if (ndigits > point) {
			*p++ = '.';
			std::memcpy(p, digits + point, (size_t)(ndigits - point));
			p += ndigits - point;
		}
	} else {
		/* 0.000DDD: -exp10 - 1 zeros after the point */
		*p++ = '0';
		*p++ = '.';
		for (i = 0; i < -exp10 - 1; i++)
			*p++ = '0';
		std::memcpy(p, digits, (size_t)ndigits);
		p += ndigits;
	}
	*p = '\0';
	return (int)(p - buf);
}

int tn_parse_decimal(const char *s, size_t len, double *v)
{
	const char *p = s, *end = s + len;
	bool negative = false;
	double x;

	/* The sign is taken here: fast_float reads a '-' but no '+'.
	 * Negating after rounding is exact, and round-to-nearest is
	 * symmetric, so -x is what "-TEXT" rounds to. */
	if (p < end && (*p == '+' || *p == '-'))
		negative = *p++ == '-';
	/* A digit or the point must follow: fast_float would also read
	 * "inf", "infinity" and "nan", which no tool writes and which more
	 * likely mean a wrong column than a value. */
	if (p == end || !((*p >= '0' && *p <= '9') || *p == '.'))
		return TN_DECIMAL_BAD;
	auto r = fast_float::from_chars(p, end, x);
	if (r.ec != std::errc() || r.ptr != end)
		return TN_DECIMAL_BAD;
	/* digits only, so an infinity can only be an overflow */
	if (std::isinf(x))
		return TN_DECIMAL_RANGE;
	*v = negative ? -x : x;
	return TN_DECIMAL_OK;
}
