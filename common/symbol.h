/* symbol.h - ticker symbol validation.  A symbol reaches file paths in the
 * store, so it is checked before anything else sees it. */
#ifndef TN_SYMBOL_H
#define TN_SYMBOL_H

#include <stddef.h>

/* Longest valid symbol: '^' + 16 characters. */
#define TN_SYMBOL_MAX 17

/* Upper-cases `in` into out[TN_SYMBOL_MAX + 1] and checks it against
 * ^\^?[A-Z0-9][A-Z0-9.=-]{0,15}$.  Returns 0, or -1 with *why set to a
 * short reason ("empty", "too long", "bad character '/'", ...); out is then
 * unspecified. */
int tn_symbol_normalise(const char *in, char out[TN_SYMBOL_MAX + 1],
			const char **why);

/* 1 if s is already a valid, upper-case symbol. */
int tn_symbol_valid(const char *s);

/* A comma-separated list (a --symbols argument) as sorted, unique,
 * normalised symbols: a malloc'ed array of *n malloc'ed strings, freed
 * with tn_symbol_list_free.  NULL, with nothing allocated and err set to
 * "bad symbol 'a/b': bad character '/' at 2" or "no symbol in '...'",
 * when the list has a bad symbol or none. */
char **tn_symbol_list_parse(const char *list, int *n, char *err,
			    size_t errsize);
void tn_symbol_list_free(char **symbols, int n);

#endif
