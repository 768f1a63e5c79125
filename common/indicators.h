/* indicators.h - streaming technical indicators for build-features.
 *
 * Every indicator is a small state struct: init (parameters checked),
 * push one bar and get the value for that bar (NAN while it warms up),
 * reset to start a new series.  One pass, memory bounded by the window, and
 * the value for bar t depends only on bars <= t: features are point-in-time
 * by construction, and pushing a prefix of a series gives exactly (bit for
 * bit) the prefix of the outputs of the whole series.
 *
 * The classic indicators follow TA-Lib 0.6.0's conventions (default
 * compatibility, unstable period 0) and match its outputs to 1e-9
 * relative; lookbacks are TA-Lib's:
 *
 *   RSI(n)      lookback n     Wilder; first averages = mean of the n changes
 *                              over bars 1..n, then avg = (avg*(n-1) + x)/n;
 *                              RSI = 100*g/(g+l), 0 when g+l < 1e-14
 *   EMA(n)      lookback n-1   k = 2/(n+1), seeded with the SMA of the first n
 *   SMA(n)      lookback n-1
 *   STDDEV(n)   lookback n-1   population (divide by n); 0 when var < 1e-14
 *   ATR(n)      lookback n     true range from bar 1 on; first ATR = mean of
 *                              TR 1..n, then Wilder like RSI
 *   BBANDS(n, k_up, k_down)    lookback n-1; SMA +/- k * population std
 *   OBV         lookback 0     starts at volume[0]; +V up, -V down, = equal
 *   ROC(n)      lookback n     (C/C[-n] - 1) * 100
 *   MACD(f,s,g) lookback s-1+g-1; both EMAs start at bar s-1, so the fast
 *                              one is seeded with the SMA of closes s-f..s-1;
 *                              signal = EMA(g) of the line seeded with the
 *                              SMA of the line over bars s-1..s-1+g-1
 *
 * and the tickernet features, on closes (adjusted closes in build-features):
 *
 *   log return      lookback 1   ln(C/C[-1]); NAN unless both are > 0
 *   simple return   lookback 1   C/C[-1] - 1; NAN when C[-1] == 0
 *   vol_n           lookback n   SAMPLE standard deviation (divide by n-1) of
 *                                the last n log returns, so it is the usual
 *                                unbiased estimate of daily volatility
 *   mom_n           lookback n   mean of the last n log returns
 *   volnorm_n       lookback n-1 volume / mean of the last n volumes; NAN when
 *                                that mean is 0
 *
 * Where these differ from TA-Lib on purpose:
 *  - STDDEV and BBANDS do not use TA-Lib's one-pass mean(x^2) - mean(x)^2,
 *    which loses about log10(mean^2/var) digits to cancellation and lets the
 *    running sums drift.  They keep a sliding sum and sum of squared
 *    deviations (Welford's update for replacing one value) and recompute
 *    both exactly from the window every time the ring wraps, so rounding
 *    cannot accumulate beyond one window.  On the TA-Lib fixture STDDEV
 *    differs from TA-Lib by at most 7e-12 relative (mostly TA-Lib's own
 *    cancellation error), BBANDS by 2e-13; the recursive indicators
 *    (RSI, EMA, ATR, MACD) and OBV, ROC are bit-identical to TA-Lib's.
 *  - ROC is NAN where C[-n] == 0 (TA-Lib writes 0, which is not a rate).
 *  - A NAN input (missing bar) makes the windowed indicators (SMA, STDDEV,
 *    BBANDS, ROC, vol, mom, volnorm) NAN while it is inside their window,
 *    after which they recover; the recursive ones (EMA, RSI, ATR, MACD,
 *    OBV) stay NAN until reset.  Callers decide how to treat gaps.
 */
#ifndef TN_INDICATORS_H
#define TN_INDICATORS_H

#include "prices.h"

/* TA-Lib's upper limit on periods; also keeps the ring buffers sane. */
#define TN_IND_MAX_WINDOW 100000

/* Most outputs any one indicator has (MACD, BBANDS). */
#define TN_IND_MAX_OUT 3

enum tn_ind_kind {
	TN_IND_RSI,
	TN_IND_EMA,
	TN_IND_SMA,
	TN_IND_STDDEV,
	TN_IND_ATR,
	TN_IND_BBANDS,
	TN_IND_OBV,
	TN_IND_ROC,
	TN_IND_MACD,
	TN_IND_LOGRET,
	TN_IND_SIMPLERET,
	TN_IND_VOL,
	TN_IND_MOM,
	TN_IND_VOLNORM,
	TN_IND_NKINDS
};

/* An indicator and its parameters: `window` for all but MACD (unused by
 * OBV and the returns), fast/slow/signal for MACD, k_up/k_down for
 * BBANDS. */
struct tn_ind_spec {
	enum tn_ind_kind kind;
	int window;
	int fast, slow, signal;
	double k_up, k_down;
};

/* Bars are prices.h's struct tn_bar; indicators read only open, high,
 * low, close and volume (the caller puts adjusted values there). */

/* 0 if the parameters are valid, else -1 with *why a short reason
 * ("window must be 1..100000", "fast must be < slow", ...). */
int tn_ind_check(const struct tn_ind_spec *spec, const char **why);

/* Leading bars with no value (TA-Lib's "lookback"): the first value is at
 * bar index lookback.  -1 for invalid parameters. */
int tn_ind_lookback(const struct tn_ind_spec *spec);

/* Number of outputs: 3 for MACD (line, signal, hist) and BBANDS (upper,
 * middle, lower), else 1. */
int tn_ind_outputs(enum tn_ind_kind kind);

/* Smallest t >= 0 with ratio^t <= tol, for 0 <= ratio < 1 and 0 < tol < 1
 * (-1 otherwise).  An EMA forgets its start like ((n-1)/(n+1))^t, Wilder's
 * smoothing like ((n-1)/n)^t. */
int tn_decay_bars(double ratio, double tol);

/* How many bars of history make a value computed from only the last N bars
 * agree with the value computed from the whole history to within tol times
 * the discrepancy D between the two starting states (0 < tol < 1).  For
 * EMA-based indicators that is lookback + 1 + t where the transient has
 * decayed by tol after t more bars: t = tn_decay_bars(ratio, tol) for EMA,
 * RSI and ATR; for MACD, whose signal smooths a line that is itself still
 * settling, the smallest t with (t+1) * r^t <= tol, r the slowest of the
 * three decay ratios (a bound on the convolution of two geometric decays).
 * D is at most about the price range over the first window for EMA and
 * MACD, about ATR itself for ATR, and the full scale 100 for RSI: so with
 * tol = 1e-6 an EMA is within ~1e-6 of the price level.
 *   tol      EMA(12)  RSI(14), ATR(14)  MACD(12,26,9)
 *   1e-4       68       140              222
 *   1e-6       95       202              286
 *   1e-9      137       295              380
 * Windowed indicators are exact with lookback + 1 bars, which is returned
 * for them.  OBV returns -1: it is a running total, so its level depends on
 * where the series starts no matter how long the history (its changes do
 * not).  -1 too for invalid parameters or tol. */
int tn_ind_min_history(const struct tn_ind_spec *spec, double tol);

/* The kernels.  Each *_init checks its parameters and returns 0, or -1
 * with *why set (see tn_ind_check), leaving the struct unusable.  Those
 * holding a ring buffer (xmalloc'd; out of memory exits) have a *_free.
 * Fields are private to indicators.c. */

/* A ring of the last `window` values with a sliding sum and, when
 * `moments` is 2, a sliding sum of squared deviations from the mean. */
struct tn_window {
	double *values;   /* (window) ring; the oldest is overwritten */
	int window;
	double inv_window; /* 1 / window: multiplies are cheaper than divides */
	int moments;      /* 1: sum only; 2: sum and m2 */
	int head;         /* slot of the next value = slot of the oldest */
	long filled;      /* values pushed, saturating at window */
	int missing;      /* NANs in the ring */
	double sum;       /* of the ring, valid when full and missing == 0 */
	double m2;        /* sum of (x - sum/window)^2, likewise */
};

struct tn_sma {
	struct tn_window win;
};
int tn_sma_init(struct tn_sma *s, int window, const char **why);
double tn_sma_push(struct tn_sma *s, double close);
void tn_sma_reset(struct tn_sma *s);
void tn_sma_free(struct tn_sma *s);

struct tn_stddev {
	struct tn_window win;
};
int tn_stddev_init(struct tn_stddev *s, int window, const char **why);
double tn_stddev_push(struct tn_stddev *s, double close);
void tn_stddev_reset(struct tn_stddev *s);
void tn_stddev_free(struct tn_stddev *s);

struct tn_bbands {
	struct tn_window win;
	double k_up, k_down;
};
/* Upper, middle (the SMA) and lower band; all NAN during warm-up. */
struct tn_bands {
	double upper, middle, lower;
};
int tn_bbands_init(struct tn_bbands *b, int window, double k_up,
		   double k_down, const char **why);
struct tn_bands tn_bbands_push(struct tn_bbands *b, double close);
void tn_bbands_reset(struct tn_bbands *b);
void tn_bbands_free(struct tn_bbands *b);

struct tn_ema {
	int window;
	double k;         /* 2 / (window + 1) */
	long bars;
	double sum;       /* of the first window values, for the seed */
	double value;
};
int tn_ema_init(struct tn_ema *e, int window, const char **why);
double tn_ema_push(struct tn_ema *e, double x);
void tn_ema_reset(struct tn_ema *e);

struct tn_rsi {
	int window;
	long bars;
	double prev_close;
	double gain, loss; /* sums, then Wilder averages from bar window on */
};
int tn_rsi_init(struct tn_rsi *r, int window, const char **why);
double tn_rsi_push(struct tn_rsi *r, double close);
void tn_rsi_reset(struct tn_rsi *r);

struct tn_atr {
	int window;
	long bars;
	double prev_close;
	double atr;       /* sum of true ranges, then the Wilder average */
};
int tn_atr_init(struct tn_atr *a, int window, const char **why);
double tn_atr_push(struct tn_atr *a, double high, double low, double close);
void tn_atr_reset(struct tn_atr *a);

struct tn_obv {
	long bars;
	double prev_close;
	double obv;
};
void tn_obv_init(struct tn_obv *o);
double tn_obv_push(struct tn_obv *o, double close, double volume);
void tn_obv_reset(struct tn_obv *o);

struct tn_roc {
	double *closes;   /* (window) ring: the slot at head is C[-window] */
	int window;
	int head;
	long bars;
};
int tn_roc_init(struct tn_roc *r, int window, const char **why);
double tn_roc_push(struct tn_roc *r, double close);
void tn_roc_reset(struct tn_roc *r);
void tn_roc_free(struct tn_roc *r);

struct tn_macd {
	int fast, slow, signal;
	double k_fast, k_slow, k_signal;
	long bars;
	double fast_ema, slow_ema;   /* sums until bar slow-1 */
	double signal_ema;           /* sum until bar slow-1+signal-1 */
};
/* The MACD line (fast EMA - slow EMA), its signal and line - signal; all
 * NAN before bar slow-1+signal-1. */
struct tn_macd_value {
	double line, signal, hist;
};
int tn_macd_init(struct tn_macd *m, int fast, int slow, int signal,
		 const char **why);
struct tn_macd_value tn_macd_push(struct tn_macd *m, double close);
void tn_macd_reset(struct tn_macd *m);

/* 1-day returns on closes. */
struct tn_return {
	long bars;
	double prev_close;
};
void tn_return_init(struct tn_return *r);
double tn_logret_push(struct tn_return *r, double close);
double tn_simpleret_push(struct tn_return *r, double close);
void tn_return_reset(struct tn_return *r);

/* vol_n and mom_n: statistics of the last n log returns of the closes
 * pushed.  vol_n needs n >= 2 (it divides by n-1). */
struct tn_retstat {
	struct tn_return ret;
	struct tn_window win;
};
int tn_vol_init(struct tn_retstat *v, int window, const char **why);
double tn_vol_push(struct tn_retstat *v, double close);
int tn_mom_init(struct tn_retstat *m, int window, const char **why);
double tn_mom_push(struct tn_retstat *m, double close);
void tn_retstat_reset(struct tn_retstat *v);
void tn_retstat_free(struct tn_retstat *v);

struct tn_volnorm {
	struct tn_window win;
};
int tn_volnorm_init(struct tn_volnorm *v, int window, const char **why);
double tn_volnorm_push(struct tn_volnorm *v, double volume);
void tn_volnorm_reset(struct tn_volnorm *v);
void tn_volnorm_free(struct tn_volnorm *v);

/* Any indicator behind one interface, for table-driven callers such as
 * build-features: init from a spec, push whole bars. */
struct tn_ind {
	struct tn_ind_spec spec;
	union {
		struct tn_sma sma;
		struct tn_stddev stddev;
		struct tn_bbands bbands;
		struct tn_ema ema;
		struct tn_rsi rsi;
		struct tn_atr atr;
		struct tn_obv obv;
		struct tn_roc roc;
		struct tn_macd macd;
		struct tn_return ret;
		struct tn_retstat retstat;
		struct tn_volnorm volnorm;
	} u;
};
int tn_ind_init(struct tn_ind *ind, const struct tn_ind_spec *spec,
		const char **why);
/* Writes tn_ind_outputs(kind) values to out (NAN during warm-up) and
 * returns how many. */
int tn_ind_push(struct tn_ind *ind, const struct tn_bar *bar,
		double out[TN_IND_MAX_OUT]);
/* Pushes n bars, writing (n, tn_ind_outputs(kind)) values to out, row by
 * row; returns how many.  Exactly the same values as n pushes, at
 * array-loop speed (the state stays in registers). */
long tn_ind_run(struct tn_ind *ind, const struct tn_bar *bars, long n,
		double *out);
void tn_ind_reset(struct tn_ind *ind);
void tn_ind_free(struct tn_ind *ind);

#endif
