/* Unit tests: common/symbol.c - what may become a symbol (and a path). */
#include "symbol.h"
#include "tn_test.h"

static int normalise(const char *in, char *out, const char **why)
{
	return tn_symbol_normalise(in, out, why);
}

TEST(accepts_the_contract_examples)
{
	static const char *const good[] = { "AAPL", "BRK-B", "BRK.B", "^GSPC",
					    "EURUSD=X", "0700.HK", "A",
					    "ABCDEFGHIJKLMNOP", "^ABCDEFGHIJKLMNOP" };
	char out[TN_SYMBOL_MAX + 1];
	const char *why = NULL;
	size_t i;

	for (i = 0; i < sizeof good / sizeof *good; i++) {
		if (normalise(good[i], out, &why) != 0)
			FAILF("rejected %s: %s", good[i], why);
		CHECK(tn_symbol_valid(good[i]));
	}
}

TEST(upper_cases_input)
{
	char out[TN_SYMBOL_MAX + 1];
	const char *why;

	CHECK_INT(normalise("brk.b", out, &why), 0);
	CHECK_STR(out, "BRK.B");
	CHECK_INT(normalise("^gspc", out, &why), 0);
	CHECK_STR(out, "^GSPC");
	CHECK(!tn_symbol_valid("aapl"));
}

TEST(rejects_path_tricks_and_junk)
{
	static const char *const bad[] = { "../x", "a/b", "", "^", "..", ".A",
					   "-A", "=X", "^^A", "A^", "A B", "A/B",
					   "A\\B", "A\tB", "A\nB", "A\x7f", "AÄ",
					   "ABCDEFGHIJKLMNOPQ", "^ABCDEFGHIJKLMNOPQ",
					   "AAPL;rm" };
	char out[TN_SYMBOL_MAX + 1];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		why = NULL;
		if (normalise(bad[i], out, &why) == 0)
			FAILF("accepted bad symbol #%zu", i);
		else
			CHECK(why && *why);
		CHECK(!tn_symbol_valid(bad[i]));
	}
}

TEST(explains_why)
{
	char out[TN_SYMBOL_MAX + 1];
	const char *why;

	CHECK_INT(normalise("", out, &why), -1);
	CHECK_STR(why, "empty symbol");
	CHECK_INT(normalise("a/b", out, &why), -1);
	CHECK_STR(why, "bad character '/' at 2");
	CHECK_INT(normalise("AB\x01", out, &why), -1);
	CHECK_STR(why, "bad character 0x01 at 3");
	CHECK_INT(normalise("ABCDEFGHIJKLMNOPQRSTUVWXYZ", out, &why), -1);
	CHECK_STR(why, "symbol too long (at most 16 characters after '^')");
}

TEST(lists_are_sorted_unique_and_normalised)
{
	char err[128];
	int n = 0;
	char **s = tn_symbol_list_parse("msft,AAPL,^gspc,,aapl,BRK-B", &n, err,
					sizeof err);

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(n, 4);
	CHECK_STR(s[0], "AAPL");
	CHECK_STR(s[1], "BRK-B");
	CHECK_STR(s[2], "MSFT");
	CHECK_STR(s[3], "^GSPC");
	tn_symbol_list_free(s, n);
}

TEST(a_bad_or_empty_list_says_why)
{
	char err[128];
	int n = 7;

	CHECK(tn_symbol_list_parse("AAPL,a/b", &n, err, sizeof err) == NULL);
	CHECK_STR(err, "bad symbol 'a/b': bad character '/' at 2");
	CHECK(tn_symbol_list_parse(",,", &n, err, sizeof err) == NULL);
	CHECK_STR(err, "no symbol in ',,'");
	CHECK_INT(n, 7);
}

int main(void)
{
	RUN(accepts_the_contract_examples);
	RUN(upper_cases_input);
	RUN(rejects_path_tricks_and_junk);
	RUN(explains_why);
	RUN(lists_are_sorted_unique_and_normalised);
	RUN(a_bad_or_empty_list_says_why);
	return tn_t_done();
}
