/* features.h - the feature registry and the per-symbol feature computation
 * behind build-features(1), shared with the tools that serve models.
 *
 * A feature is named by its base name and its parameters, each after an
 * underscore (tickernet-formats(5)): "rsi_14", "macd_12_26_9",
 * "bbupper_20_2".  Names are canonical: a parsed name prints back exactly,
 * so a column name identifies one computation.  The registry:
 *
 *   open high low close volume   the (adjusted) bar itself, no parameters
 *   logret_1 ret_1               1-day log / simple return (parameter is 1)
 *   vol_N mom_N volnorm_N        tickernet's GNN node features
 *   rsi_N ema_N sma_N stddev_N atr_N roc_N          TA-Lib, one window
 *   macd_F_S_G macdsignal_F_S_G macdhist_F_S_G      TA-Lib MACD outputs
 *   bbupper_N_K bbmiddle_N_K bblower_N_K            TA-Lib BBANDS(N, K, K)
 *   obv                                             TA-Lib OBV
 *
 * Parameters are decimal integers without leading zeros; windows are
 * 1..TN_IND_MAX_WINDOW (vol_N needs N >= 2), K is 1..TN_FEAT_MAX_BAND_K.
 *
 * A set of features (struct tn_featset) computes them all for one symbol's
 * bars pushed in date order, sharing one indicator between the outputs of
 * the same computation (macd and macdsignal of 12_26_9, say).  Values
 * depend only on bars pushed so far, so they are point-in-time by
 * construction and bit-identical on every prefix of a series. */
#ifndef TN_FEATURES_H
#define TN_FEATURES_H

#include "indicators.h"

#include <stddef.h>

/* Longest canonical feature name, NUL excluded ("macdsignal_" and three
 * 6-digit windows fit). */
#define TN_FEAT_NAME_MAX 40
/* Largest Bollinger multiplier a name may carry. */
#define TN_FEAT_MAX_BAND_K 10
/* Most features in one set. */
#define TN_FEAT_MAX 256

/* The five columns of the bar itself, and "an indicator's output". */
enum tn_feat_source {
	TN_FEAT_OPEN,
	TN_FEAT_HIGH,
	TN_FEAT_LOW,
	TN_FEAT_CLOSE,
	TN_FEAT_VOLUME,
	TN_FEAT_INDICATOR,
};

struct tn_feature {
	char name[TN_FEAT_NAME_MAX + 1]; /* canonical column name */
	enum tn_feat_source source;
	struct tn_ind_spec spec;         /* when source is TN_FEAT_INDICATOR */
	int output;                      /* which of the indicator's outputs */
};

/* Parses one feature name.  Returns 0, or -1 with a short reason in
 * why[whylen] ("unknown feature", "rsi takes 1 parameter: rsi_N", ...). */
int tn_feature_parse(const char *name, struct tn_feature *f, char *why,
		     size_t whylen);

/* Parses a comma-separated list into f[max].  Returns the count, or -1
 * with "'NAME': reason" in why[whylen] (a bad name, an empty item, a
 * duplicate, more than max). */
int tn_feature_list_parse(const char *list, struct tn_feature *f, int max,
			  char *why, size_t whylen);

/* The comma-separated feature list of a preset ("gnn", "lstm",
 * "default"), or NULL for an unknown name.  Every preset has "close" and
 * "logret_1": the training tools compute targets and predicted prices from
 * them, and corr-graph reads logret_1. */
const char *tn_feature_preset(const char *preset);
/* The preset names, NULL-terminated, for help texts and tests. */
extern const char *const tn_feature_presets[];

/* Leading bars of a series for which feature f has no value. */
int tn_feature_lookback(const struct tn_feature *f);
/* Bars of history that make f agree with its full-history value to within
 * tol (see tn_ind_min_history); -1 for obv, a running total whose level
 * depends on where the history starts however long it is. */
int tn_feature_min_history(const struct tn_feature *f, double tol);

/* Prices are multiplied by adj_close / close unless this flag is given. */
enum { TN_FEAT_NO_ADJUST = 1 };

struct tn_featset;

/* A set computing f[n] (copied); flags as above.  Out of memory exits. */
struct tn_featset *tn_featset_new(const struct tn_feature *f, int n,
				  int flags);
void tn_featset_free(struct tn_featset *fs);
int tn_featset_count(const struct tn_featset *fs);
const struct tn_feature *tn_featset_feature(const struct tn_featset *fs,
					    int i);
/* The largest lookback and min-history of the set's features; the
 * min-history is -1 when any feature has none (obv). */
int tn_featset_lookback(const struct tn_featset *fs);
int tn_featset_min_history(const struct tn_featset *fs, double tol);

/* Starts a new series (a new symbol). */
void tn_featset_reset(struct tn_featset *fs);
/* Pushes the next bar (as read: raw prices and adj_close) and writes the
 * count() feature values for it to out, NAN where one has none.  Returns
 * 1 when every value is defined, 0 otherwise (a warm-up row, or a gap). */
int tn_featset_push(struct tn_featset *fs, const struct tn_bar *bar,
		    double *out);
/* Resets, then pushes bars[n], writing (n, count) values to out row by
 * row: the features of a history, as a model server computes them from
 * the last bars it has.  Returns the number of rows with every value
 * defined. */
long tn_featset_run(struct tn_featset *fs, const struct tn_bar *bars,
		    long n, double *out);

#endif
