/* test_numconv.c - doubles to text and back (common/numconv.cc).
 *
 * The text form is the one the tools wrote when they printed with printf:
 * the fewest of %.15g, %.16g and %.17g that reads back.  That search is
 * kept here as the reference, and the library-based formatter must agree
 * with it byte for byte; the parser must agree with strtod on every
 * decimal and refuse everything strtod would take beyond decimals. */
#include "tn_test.h"

#include "numconv.h"
#include "rng.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many random doubles the comparisons draw. */
#define RANDOM_DOUBLES 300000

/* The tools' number form before numconv, as it was written. */
static void printf_reference(char out[32], double v)
{
	int digits;

	for (digits = 15; digits <= 17; digits++) {
		snprintf(out, 32, "%.*g", digits, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* Random doubles of every kind: raw bit patterns (any exponent,
 * subnormals included), prices with cents, returns, integers of every
 * size, and values halfway between two 16- or 17-digit decimals. */
static double random_double(struct tn_rng *rng)
{
	uint64_t bits = tn_rng_u64(rng);
	double v;

	switch (tn_rng_below(rng, 6)) {
	case 0:
		memcpy(&v, &bits, sizeof v);
		return isfinite(v) ? v : 1.0;
	case 1:
		return round(1e6 * tn_rng_uniform(rng)) / 100;
	case 2:
		return 0.02 * tn_rng_normal(rng);
	case 3:
		return (double)(int64_t)(bits >> tn_rng_below(rng, 64));
	case 4:
		/* an odd 53-bit significand over 2..256: x.25, x.75 and the
		 * like, exact ties for printf's rounding */
		return ldexp((double)((bits >> 11) | 1 | (1ULL << 52)),
			     -(int)tn_rng_below(rng, 8) - 1);
	default:
		/* below 2^1023: finite */
		return ldexp(tn_rng_uniform(rng), (int)tn_rng_below(rng, 2099) - 1075);
	}
}

static const char *formatted(double v)
{
	static char buf[TN_DOUBLE_TEXT_MAX + 1];
	int len = tn_format_double(buf, v);

	if (len != (int)strlen(buf))
		FAILF("%a: returned length %d for '%s'", v, len, buf);
	return buf;
}

TEST(formats_the_documented_forms)
{
	CHECK_STR(formatted(0.1), "0.1");
	CHECK_STR(formatted(190.0), "190");
	CHECK_STR(formatted(0.0), "0");
	CHECK_STR(formatted(-0.0), "-0");
	CHECK_STR(formatted(0.1 + 0.2), "0.30000000000000004");
	CHECK_STR(formatted(1.0 / 3.0), "0.3333333333333333");
	CHECK_STR(formatted(-2.5), "-2.5");
	CHECK_STR(formatted(1.5e-5), "1.5e-05");
	CHECK_STR(formatted(1e-4), "0.0001");
	CHECK_STR(formatted(0.00012345), "0.00012345");
	CHECK_STR(formatted(1e14), "100000000000000");
	CHECK_STR(formatted(123456789012345.0), "123456789012345");
	CHECK_STR(formatted(1e15), "1e+15");
	CHECK_STR(formatted(1e16), "1e+16");
	/* 16 and 17 digits stay fixed below 10^16 and 10^17 */
	CHECK_STR(formatted(9007199254740992.0), "9007199254740992");
	CHECK_STR(formatted(12345678901234568.0), "12345678901234568");
	CHECK_STR(formatted(123456789012345678.0), "1.2345678901234568e+17");
	CHECK_STR(formatted(1e300), "1e+300");
	CHECK_STR(formatted(1e-300), "1e-300");
	CHECK_STR(formatted(-1.7976931348623157e308), "-1.7976931348623157e+308");
	CHECK_STR(formatted(DBL_MIN), "2.2250738585072014e-308");
	/* the longest form there is */
	CHECK_STR(formatted(-DBL_MIN), "-2.2250738585072014e-308");
	CHECK_INT((int)strlen("-2.2250738585072014e-308"), TN_DOUBLE_TEXT_MAX);
	/* exact ties round to even, as printf does */
	CHECK_STR(formatted(1234567890123456.25), "1234567890123456.2");
	CHECK_STR(formatted(1234567890123456.75), "1234567890123456.8");
	/* subnormals keep the 15 digits of %.15g, which read back */
	CHECK_STR(formatted(5e-324), "4.94065645841247e-324");
	CHECK_STR(formatted(-1e-310), "-9.99999999999997e-311");
	CHECK_STR(formatted(NAN), "nan");
	CHECK_STR(formatted(INFINITY), "inf");
	CHECK_STR(formatted(-INFINITY), "-inf");
}

TEST(formatting_agrees_with_the_printf_search)
{
	struct tn_rng rng;
	char want[32];
	int i, mismatches = 0;

	tn_rng_seed(&rng, 20240601);
	for (i = 0; i < RANDOM_DOUBLES; i++) {
		double v = random_double(&rng);

		printf_reference(want, v);
		if (strcmp(formatted(v), want) != 0 && mismatches++ < 5)
			FAILF("%a: printf '%s', numconv '%s'", v, want, formatted(v));
	}
	CHECK_INT(mismatches, 0);
}

TEST(formatted_doubles_read_back_exactly)
{
	static const double cases[] = { 5e-324, -5e-324, 2.2250738585072009e-308,
					1e-300, 1e300, -0.0, 0.0, 1.0, -1.0, 0.1,
					1e16, 123456789012345678.0, DBL_MAX, -DBL_MAX };
	struct tn_rng rng;
	char buf[TN_DOUBLE_TEXT_MAX + 1];
	double back;
	int i, mismatches = 0, n = sizeof cases / sizeof cases[0];

	tn_rng_seed(&rng, 20240602);
	for (i = 0; i < n + RANDOM_DOUBLES; i++) {
		double v = i < n ? cases[i] : random_double(&rng);
		int len = tn_format_double(buf, v);

		back = NAN;
		if ((tn_parse_decimal(buf, (size_t)len, &back) != TN_DECIMAL_OK ||
		     memcmp(&back, &v, sizeof v) != 0) && mismatches++ < 5)
			FAILF("%a: wrote '%s', read %a", v, buf, back);
	}
	CHECK_INT(mismatches, 0);
}

/* tn_parse_decimal's verdict on s: "ok VALUE", "bad" or "range". */
static const char *verdict(const char *s)
{
	static char out[64];
	double v = 42;

	switch (tn_parse_decimal(s, strlen(s), &v)) {
	case TN_DECIMAL_OK:
		snprintf(out, sizeof out, "ok %.17g", v);
		return out;
	case TN_DECIMAL_RANGE:
		return v == 42 ? "range" : "range, v changed";
	case TN_DECIMAL_BAD:
		return v == 42 ? "bad" : "bad, v changed";
	default:
		return "?";
	}
}

TEST(parses_decimal_numbers)
{
	CHECK_STR(verdict("1.5"), "ok 1.5");
	CHECK_STR(verdict("-1.25e-3"), "ok -0.00125");
	CHECK_STR(verdict("+7"), "ok 7");
	CHECK_STR(verdict(".5"), "ok 0.5");
	CHECK_STR(verdict("5."), "ok 5");
	CHECK_STR(verdict("1.e5"), "ok 100000");
	CHECK_STR(verdict("1E+05"), "ok 100000");
	CHECK_STR(verdict("00012"), "ok 12");
	CHECK_STR(verdict("-0"), "ok -0");
	CHECK_STR(verdict("123456789012345678901234567890"),
		  "ok 1.2345678901234568e+29");
	CHECK_STR(verdict("1.7976931348623157e308"), "ok 1.7976931348623157e+308");
	/* underflow gives the nearest double: a subnormal, or zero */
	CHECK_STR(verdict("4.9e-324"), "ok 4.9406564584124654e-324");
	CHECK_STR(verdict("2.4703282292062328e-324"), "ok 4.9406564584124654e-324");
	CHECK_STR(verdict("2.4703282292062327e-324"), "ok 0");
	CHECK_STR(verdict("1e-999"), "ok 0");
	CHECK_STR(verdict("-1e-999"), "ok -0");
}

TEST(refuses_what_is_not_a_decimal_number)
{
	static const char *const bad[] = {
		"", " 1", "1 ", "\t1", "1\n", "0x10", "0X1p3", "inf", "-inf",
		"+inf", "Infinity", "nan", "NaN", "-nan", "1e", "1e+", "e5",
		".", "-.", "+", "-", "+-1", "-+1", "--1", "++1", "1-", "1,5",
		"1.5.2", "1e5.5", "1_000", "12abc", "abc", "\xd9\xa1",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (strcmp(verdict(bad[i]), "bad") != 0)
			FAILF("'%s': %s, want bad", bad[i], verdict(bad[i]));
	CHECK_STR(verdict("1e999"), "range");
	CHECK_STR(verdict("-1e999"), "range");
	CHECK_STR(verdict("1.8e308"), "range");
}

TEST(parses_only_the_given_length)
{
	double v = 0;

	/* no NUL needed: a CSV field is a slice of its row */
	CHECK_INT(tn_parse_decimal("12abc", 2, &v), TN_DECIMAL_OK);
	CHECK(v == 12);
	CHECK_INT(tn_parse_decimal("1.5e", 3, &v), TN_DECIMAL_OK);
	CHECK(v == 1.5);
	CHECK_INT(tn_parse_decimal("7", 0, &v), TN_DECIMAL_BAD);
}

/* Decimal text of every shape strtod reads: random digits, points and
 * exponents. */
static void random_decimal(struct tn_rng *rng, char *s, size_t size)
{
	static const char *const signs[] = { "", "-", "+" };
	int n = 0, i, digits = 1 + (int)tn_rng_below(rng, 25);
	int point = (int)tn_rng_below(rng, (uint64_t)digits + 2) - 1;

	n += snprintf(s + n, size - (size_t)n, "%s", signs[tn_rng_below(rng, 3)]);
	for (i = 0; i < digits; i++) {
		if (i == point)
			s[n++] = '.';
		s[n++] = (char)('0' + tn_rng_below(rng, 10));
	}
	if (tn_rng_below(rng, 2))
		snprintf(s + n, size - (size_t)n, "e%d",
			 (int)tn_rng_below(rng, 700) - 350);
	else
		s[n] = '\0';
}

TEST(parsing_agrees_with_strtod)
{
	struct tn_rng rng;
	char s[64];
	int i, mismatches = 0;

	tn_rng_seed(&rng, 20240603);
	for (i = 0; i < RANDOM_DOUBLES; i++) {
		double want, got = NAN;
		int rc;

		random_decimal(&rng, s, sizeof s);
		errno = 0;
		want = strtod(s, NULL);
		rc = tn_parse_decimal(s, strlen(s), &got);
		if (errno == ERANGE && isinf(want)) {
			if (rc != TN_DECIMAL_RANGE && mismatches++ < 5)
				FAILF("'%s': %d, want out of range", s, rc);
		} else if ((rc != TN_DECIMAL_OK ||
			    memcmp(&got, &want, sizeof got) != 0) &&
			   mismatches++ < 5) {
			FAILF("'%s': strtod %a, numconv %a (%d)", s, want, got, rc);
		}
	}
	CHECK_INT(mismatches, 0);
}

int main(void)
{
	RUN(formats_the_documented_forms);
	RUN(formatting_agrees_with_the_printf_search);
	RUN(formatted_doubles_read_back_exactly);
	RUN(parses_decimal_numbers);
	RUN(refuses_what_is_not_a_decimal_number);
	RUN(parses_only_the_given_length);
	RUN(parsing_agrees_with_strtod);
	return tn_t_done();
}
