/* indicators.c - see indicators.h. */
#include "indicators.h"
#include "cli.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

/* TA-Lib's "is zero" for variances and for RSI's g + l: below this the
 * value is rounding noise and it answers 0. */
#define TALIB_EPSILON 1e-14

/* ---- parameters ---- */

static int check_window(int window, int min, const char **why)
{
	if (window < min || window > TN_IND_MAX_WINDOW) {
		*why = min == 2 ? "window must be 2..100000"
				: "window must be 1..100000";
		return -1;
	}
	return 0;
}

int tn_ind_check(const struct tn_ind_spec *spec, const char **why)
{
	const char *dummy;

	if (!why)
		why = &dummy;
	switch (spec->kind) {
	case TN_IND_RSI:
	case TN_IND_EMA:
	case TN_IND_SMA:
	case TN_IND_STDDEV:
	case TN_IND_ATR:
	case TN_IND_ROC:
	case TN_IND_MOM:
	case TN_IND_VOLNORM:
		return check_window(spec->window, 1, why);
	case TN_IND_VOL:
		/* a sample variance of one value does not exist */
		return check_window(spec->window, 2, why);
	case TN_IND_BBANDS:
		if (check_window(spec->window, 1, why) < 0)
			return -1;
		if (!isfinite(spec->k_up) || !isfinite(spec->k_down)) {
			*why = "band multipliers must be finite";
			return -1;
		}
		return 0;
	case TN_IND_MACD:
		if (spec->fast < 1 || spec->slow > TN_IND_MAX_WINDOW ||
		    spec->signal < 1 || spec->signal > TN_IND_MAX_WINDOW) {
			*why = "periods must be 1..100000";
			return -1;
		}
		if (spec->fast >= spec->slow) {
			*why = "fast period must be < slow period";
			return -1;
		}
		return 0;
	case TN_IND_OBV:
	case TN_IND_LOGRET:
	case TN_IND_SIMPLERET:
		return 0;
	case TN_IND_NKINDS:
		break;
	}
	*why = "unknown indicator";
	return -1;
}

int tn_ind_lookback(const struct tn_ind_spec *spec)
{
	if (tn_ind_check(spec, NULL) < 0)
		return -1;
	switch (spec->kind) {
	case TN_IND_RSI:
	case TN_IND_ATR:
	case TN_IND_ROC:
	case TN_IND_VOL:
	case TN_IND_MOM:
		return spec->window;
	case TN_IND_EMA:
	case TN_IND_SMA:
	case TN_IND_STDDEV:
	case TN_IND_BBANDS:
	case TN_IND_VOLNORM:
		return spec->window - 1;
	case TN_IND_MACD:
		return spec->slow - 1 + spec->signal - 1;
	case TN_IND_LOGRET:
	case TN_IND_SIMPLERET:
		return 1;
	case TN_IND_OBV:
	case TN_IND_NKINDS:
		break;
	}
	return 0;
}

int tn_ind_outputs(enum tn_ind_kind kind)
{
	return kind == TN_IND_MACD || kind == TN_IND_BBANDS ? 3 : 1;
}

/* ---- how long a history is long enough ---- */

int tn_decay_bars(double ratio, double tol)
{
	double t;

	if (!(ratio >= 0 && ratio < 1) || !(tol > 0 && tol < 1))
		return -1;
	if (ratio == 0)
		return 1;
	t = ceil(log(tol) / log(ratio));
	/* log and pow round differently; settle on the exact boundary */
	while (t > 0 && pow(ratio, t - 1) <= tol)
		t--;
	while (pow(ratio, t) > tol)
		t++;
	return t > INT_MAX ? INT_MAX : (int)t;
}

/* Smallest t with (t + 1) * ratio^t <= tol: an error decaying like ratio^t
 * fed through a second smoother that decays no slower stays below
 * (t + 1) * ratio^t times the larger of the two initial errors. */
static int decay_bars_smoothed(double ratio, double tol)
{
	double t = tn_decay_bars(ratio, tol), next;

	if (t < 0 || ratio == 0)
		return (int)t;
	/* t = (log tol - log(t+1)) / log ratio grows with t: iterate to its
	 * fixed point, then step past rounding */
	for (;;) {
		next = ceil((log(tol) - log(t + 1)) / log(ratio));
		if (next <= t)
			break;
		t = next;
	}
	while ((t + 1) * pow(ratio, t) > tol)
		t++;
	return t > INT_MAX ? INT_MAX : (int)t;
}

static double ema_ratio(int window)
{
	return (window - 1.0) / (window + 1.0);
}

int tn_ind_min_history(const struct tn_ind_spec *spec, double tol)
{
	int lookback = tn_ind_lookback(spec), t;
	double ratio;

	if (lookback < 0 || !(tol > 0 && tol < 1))
		return -1;
	switch (spec->kind) {
	case TN_IND_EMA:
		t = tn_decay_bars(ema_ratio(spec->window), tol);
		break;
	case TN_IND_RSI:
	case TN_IND_ATR:
		t = tn_decay_bars((spec->window - 1.0) / spec->window, tol);
		break;
	case TN_IND_MACD:
		ratio = fmax(ema_ratio(spec->slow), ema_ratio(spec->signal));
		t = decay_bars_smoothed(ratio, tol);
		break;
	case TN_IND_OBV:
		return -1;
	default:
		return lookback + 1;
	}
	if (t < 0 || t > INT_MAX - lookback - 1)
		return -1;
	return lookback + 1 + t;
}

/* ---- the sliding window ----
 *
 * Sum and m2 (sum of squared deviations) slide by replacing the oldest
 * value: sum += x - old, and, with mean' the new mean,
 *   m2 += (x - old) * ((x - mean') + (old - mean))
 * which is exact algebra and, unlike sum(x^2) - n*mean^2, never subtracts
 * two large nearly equal numbers.  Rounding still accumulates, so both are
 * recomputed from the ring (two passes) whenever it wraps: the error never
 * covers more than one window, and the cost is O(1) per bar amortised.
 * The recompute schedule depends only on the bar count, so prefixes stay
 * bit-exact. */

static void window_reset(struct tn_window *w)
{
	w->head = 0;
	w->filled = 0;
	w->missing = 0;
	w->sum = 0;
	w->m2 = 0;
}

static void window_init(struct tn_window *w, int window, int moments)
{
	w->values = xmalloc(sizeof(double) * (size_t)window);
	w->window = window;
	w->inv_window = 1.0 / window;
	w->moments = moments;
	window_reset(w);
}

static void window_free(struct tn_window *w)
{
	free(w->values);
	w->values = NULL;
}

static void window_resync(struct tn_window *w)
{
	double sum = 0, m2 = 0, mean, d;
	int i, n = w->window;

	/* oldest to newest, the order the values came in */
	for (i = w->head; i < n; i++)
		sum += w->values[i];
	for (i = 0; i < w->head; i++)
		sum += w->values[i];
	w->sum = sum;
	if (w->moments < 2)
		return;
	mean = sum / n;
	for (i = w->head; i < n; i++) {
		d = w->values[i] - mean;
		m2 += d * d;
	}
	for (i = 0; i < w->head; i++) {
		d = w->values[i] - mean;
		m2 += d * d;
	}
	w->m2 = m2;
}

/* Adds x, dropping the oldest value once full.  Returns 1 when sum (and
 * m2) describe a full window with no missing value, else 0.  Non-finite
 * values count as missing: they would poison the sliding sums. */
static int window_push(struct tn_window *w, double x)
{
	double old, mean;
	int wrapped;

	if (w->filled < w->window) {
		w->values[w->head] = x;
		w->head = w->head + 1 == w->window ? 0 : w->head + 1;
		if (!isfinite(x))
			w->missing++;
		if (++w->filled < w->window || w->missing)
			return 0;
		window_resync(w);
		return 1;
	}
	old = w->values[w->head];
	w->values[w->head] = x;
	w->head = w->head + 1 == w->window ? 0 : w->head + 1;
	wrapped = w->head == 0;
	if (!isfinite(x))
		w->missing++;
	if (!isfinite(old)) {
		/* the sums are stale since old came in */
		w->missing--;
		wrapped = 1;
	}
	if (w->missing)
		return 0;
	if (wrapped) {
		window_resync(w);
		return 1;
	}
	mean = w->sum * w->inv_window;
	w->sum += x - old;
	if (w->moments == 2)
		w->m2 += (x - old) *
			 ((x - w->sum * w->inv_window) + (old - mean));
	return 1;
}

/* Population variance as TA-Lib reports it: 0 once it is noise. */
static double talib_variance(const struct tn_window *w)
{
	double var = w->m2 * w->inv_window;

	return var < TALIB_EPSILON ? 0 : var;
}

/* ---- SMA, STDDEV, BBANDS ---- */

int tn_sma_init(struct tn_sma *s, int window, const char **why)
{
	if (check_window(window, 1, why) < 0)
		return -1;
	window_init(&s->win, window, 1);
	return 0;
}

double tn_sma_push(struct tn_sma *s, double close)
{
	if (!window_push(&s->win, close))
		return NAN;
	return s->win.sum / s->win.window;
}

void tn_sma_reset(struct tn_sma *s)
{
	window_reset(&s->win);
}

void tn_sma_free(struct tn_sma *s)
{
	window_free(&s->win);
}

int tn_stddev_init(struct tn_stddev *s, int window, const char **why)
{
	if (check_window(window, 1, why) < 0)
		return -1;
	window_init(&s->win, window, 2);
	return 0;
}

static inline double stddev_step(struct tn_stddev *s, double close)
{
	if (!window_push(&s->win, close))
		return NAN;
	return sqrt(talib_variance(&s->win));
}

double tn_stddev_push(struct tn_stddev *s, double close)
{
	return stddev_step(s, close);
}

void tn_stddev_reset(struct tn_stddev *s)
{
	window_reset(&s->win);
}

void tn_stddev_free(struct tn_stddev *s)
{
	window_free(&s->win);
}

int tn_bbands_init(struct tn_bbands *b, int window, double k_up,
		   double k_down, const char **why)
{
	struct tn_ind_spec spec = { .kind = TN_IND_BBANDS, .window = window,
				    .k_up = k_up, .k_down = k_down };

	if (tn_ind_check(&spec, why) < 0)
		return -1;
	window_init(&b->win, window, 2);
	b->k_up = k_up;
	b->k_down = k_down;
	return 0;
}

struct tn_bands tn_bbands_push(struct tn_bbands *b, double close)
{
	struct tn_bands out = { NAN, NAN, NAN };
	double std;

	if (!window_push(&b->win, close))
		return out;
	out.middle = b->win.sum / b->win.window;
	std = sqrt(talib_variance(&b->win));
	out.upper = out.middle + b->k_up * std;
	out.lower = out.middle - b->k_down * std;
	return out;
}

void tn_bbands_reset(struct tn_bbands *b)
{
	window_reset(&b->win);
}

void tn_bbands_free(struct tn_bbands *b)
{
	window_free(&b->win);
}

/* ---- EMA ---- */

int tn_ema_init(struct tn_ema *e, int window, const char **why)
{
	if (check_window(window, 1, why) < 0)
		return -1;
	e->window = window;
	e->k = 2.0 / (window + 1.0);
	tn_ema_reset(e);
	return 0;
}

static inline double ema_step(struct tn_ema *e, double x)
{
	e->bars++;
	if (e->bars < e->window) {
		e->sum += x;
		return NAN;
	}
	if (e->bars == e->window) {
		e->sum += x;
		e->value = e->sum / e->window;
	} else {
		e->value = (x - e->value) * e->k + e->value;
	}
	return e->value;
}

double tn_ema_push(struct tn_ema *e, double x)
{
	return ema_step(e, x);
}

void tn_ema_reset(struct tn_ema *e)
{
	e->bars = 0;
	e->sum = 0;
	e->value = NAN;
}

/* ---- RSI and ATR: Wilder's smoothing ---- */

/* (avg * (n-1) + x) / n with a true division, as TA-Lib does; the
 * algebraically equal avg + (x - avg)/n rounds differently. */
static double wilder(double avg, double x, int n)
{
	return (avg * (n - 1) + x) / n;
}

int tn_rsi_init(struct tn_rsi *r, int window, const char **why)
{
	if (check_window(window, 1, why) < 0)
		return -1;
	r->window = window;
	tn_rsi_reset(r);
	return 0;
}

static inline double rsi_step(struct tn_rsi *r, double close)
{
	double change, up, down, total;
	long t = r->bars++;

	change = close - r->prev_close;
	r->prev_close = close;
	if (t == 0)
		return NAN;
	up = change > 0 ? change : 0;
	down = change < 0 ? -change : 0;
	if (isnan(change))
		up = down = NAN;        /* a missing close is not "no change" */
	if (t < r->window) {
		r->gain += up;
		r->loss += down;
		return NAN;
	}
	if (t == r->window) {
		r->gain = (r->gain + up) / r->window;
		r->loss = (r->loss + down) / r->window;
	} else {
		r->gain = wilder(r->gain, up, r->window);
		r->loss = wilder(r->loss, down, r->window);
	}
	total = r->gain + r->loss;
	if (isnan(total))
		return NAN;
	return total < TALIB_EPSILON ? 0 : 100 * (r->gain / total);
}

double tn_rsi_push(struct tn_rsi *r, double close)
{
	return rsi_step(r, close);
}

void tn_rsi_reset(struct tn_rsi *r)
{
	r->bars = 0;
	r->prev_close = NAN;
	r->gain = 0;
	r->loss = 0;
}

int tn_atr_init(struct tn_atr *a, int window, const char **why)
{
	if (check_window(window, 1, why) < 0)
		return -1;
	a->window = window;
	tn_atr_reset(a);
	return 0;
}

static inline double atr_step(struct tn_atr *a, double high, double low,
			      double close)
{
	double gap_up, gap_down;
	double range, prev = a->prev_close;
	long t = a->bars++;

	a->prev_close = close;
	if (t == 0)
		return NAN;
	/* the true range: the bar's range stretched to the previous close,
	 * so gaps count as movement */
	range = high - low;
	gap_up = fabs(high - prev);
	gap_down = fabs(low - prev);
	/* plain compares, not fmax: no libm call, and a NAN stays NAN */
	if (gap_up > range)
		range = gap_up;
	if (gap_down > range)
		range = gap_down;
	if (isnan(gap_up) || isnan(gap_down))
		range = NAN;
	if (t < a->window) {
		a->atr += range;
		return NAN;
	}
	if (t == a->window)
		a->atr = (a->atr + range) / a->window;
	else
		a->atr = wilder(a->atr, range, a->window);
	return a->atr;
}

double tn_atr_push(struct tn_atr *a, double high, double low, double close)
{
	return atr_step(a, high, low, close);
}

void tn_atr_reset(struct tn_atr *a)
{
	a->bars = 0;
	a->prev_close = NAN;
	a->atr = 0;
}

/* ---- OBV, ROC ---- */

void tn_obv_init(struct tn_obv *o)
{
	tn_obv_reset(o);
}

double tn_obv_push(struct tn_obv *o, double close, double volume)
{
	if (o->bars++ == 0)
		o->obv = volume;
	else if (close > o->prev_close)
		o->obv += volume;
	else if (close < o->prev_close)
		o->obv -= volume;
	else if (isnan(close) || isnan(o->prev_close))
		o->obv = NAN;
	o->prev_close = close;
	return o->obv;
}

void tn_obv_reset(struct tn_obv *o)
{
	o->bars = 0;
	o->prev_close = NAN;
	o->obv = NAN;
}

int tn_roc_init(struct tn_roc *r, int window, const char **why)
{
	if (check_window(window, 1, why) < 0)
		return -1;
	r->closes = xmalloc(sizeof(double) * (size_t)window);
	r->window = window;
	tn_roc_reset(r);
	return 0;
}

double tn_roc_push(struct tn_roc *r, double close)
{
	double then = r->closes[r->head];
	int full = r->bars++ >= r->window;

	r->closes[r->head] = close;
	r->head = r->head + 1 == r->window ? 0 : r->head + 1;
	if (!full || then == 0)
		return NAN;
	return (close / then - 1.0) * 100.0;
}

void tn_roc_reset(struct tn_roc *r)
{
	int i;

	/* defined contents, so the warm-up read above is not of garbage */
	for (i = 0; i < r->window; i++)
		r->closes[i] = NAN;
	r->head = 0;
	r->bars = 0;
}

void tn_roc_free(struct tn_roc *r)
{
	free(r->closes);
	r->closes = NULL;
}

/* ---- MACD ---- */

int tn_macd_init(struct tn_macd *m, int fast, int slow, int signal,
		 const char **why)
{
	struct tn_ind_spec spec = { .kind = TN_IND_MACD, .fast = fast,
				    .slow = slow, .signal = signal };

	if (tn_ind_check(&spec, why) < 0)
		return -1;
	m->fast = fast;
	m->slow = slow;
	m->signal = signal;
	m->k_fast = 2.0 / (fast + 1.0);
	m->k_slow = 2.0 / (slow + 1.0);
	m->k_signal = 2.0 / (signal + 1.0);
	tn_macd_reset(m);
	return 0;
}

static inline struct tn_macd_value macd_step(struct tn_macd *m, double close)
{
	struct tn_macd_value out = { NAN, NAN, NAN };
	long t = m->bars++, s;
	double line;

	/* TA-Lib starts both EMAs at bar slow-1 so the line has one start:
	 * the fast one is seeded from its last `fast` closes before then */
	if (t < m->slow - 1) {
		m->slow_ema += close;
		if (t >= m->slow - m->fast)
			m->fast_ema += close;
		return out;
	}
	if (t == m->slow - 1) {
		m->slow_ema = (m->slow_ema + close) / m->slow;
		m->fast_ema = (m->fast_ema + close) / m->fast;
	} else {
		m->slow_ema = (close - m->slow_ema) * m->k_slow + m->slow_ema;
		m->fast_ema = (close - m->fast_ema) * m->k_fast + m->fast_ema;
	}
	line = m->fast_ema - m->slow_ema;
	s = t - (m->slow - 1);
	if (s < m->signal - 1) {
		m->signal_ema += line;
		return out;
	}
	if (s == m->signal - 1)
		m->signal_ema = (m->signal_ema + line) / m->signal;
	else
		m->signal_ema = (line - m->signal_ema) * m->k_signal +
				m->signal_ema;
	out.line = line;
	out.signal = m->signal_ema;
	out.hist = line - m->signal_ema;
	return out;
}

struct tn_macd_value tn_macd_push(struct tn_macd *m, double close)
{
	return macd_step(m, close);
}

void tn_macd_reset(struct tn_macd *m)
{
	m->bars = 0;
	m->fast_ema = 0;
	m->slow_ema = 0;
	m->signal_ema = 0;
}

/* ---- returns and their statistics ---- */

void tn_return_init(struct tn_return *r)
{
	tn_return_reset(r);
}

double tn_logret_push(struct tn_return *r, double close)
{
	double prev = r->prev_close;

	r->prev_close = close;
	if (r->bars++ == 0 || !(prev > 0 && close > 0))
		return NAN;
	/* log of the ratio, not a difference of logs: small returns keep
	 * their digits */
	return log(close / prev);
}

double tn_simpleret_push(struct tn_return *r, double close)
{
	double prev = r->prev_close;

	r->prev_close = close;
	if (r->bars++ == 0 || prev == 0)
		return NAN;
	return close / prev - 1.0;
}

void tn_return_reset(struct tn_return *r)
{
	r->bars = 0;
	r->prev_close = NAN;
}

static int retstat_init(struct tn_retstat *v, int window, int min,
			int moments, const char **why)
{
	if (check_window(window, min, why) < 0)
		return -1;
	tn_return_init(&v->ret);
	window_init(&v->win, window, moments);
	return 0;
}

/* Feeds the window the log return of close; the first bar has none and
 * must not count as a missing value in the window. */
static int retstat_push(struct tn_retstat *v, double close)
{
	int first = v->ret.bars == 0;
	double r = tn_logret_push(&v->ret, close);

	return !first && window_push(&v->win, r);
}

int tn_vol_init(struct tn_retstat *v, int window, const char **why)
{
	return retstat_init(v, window, 2, 2, why);
}

double tn_vol_push(struct tn_retstat *v, double close)
{
	if (!retstat_push(v, close))
		return NAN;
	return sqrt(fmax(v->win.m2, 0) / (v->win.window - 1));
}

int tn_mom_init(struct tn_retstat *m, int window, const char **why)
{
	return retstat_init(m, window, 1, 1, why);
}

double tn_mom_push(struct tn_retstat *m, double close)
{
	if (!retstat_push(m, close))
		return NAN;
	return m->win.sum / m->win.window;
}

void tn_retstat_reset(struct tn_retstat *v)
{
	tn_return_reset(&v->ret);
	window_reset(&v->win);
}

void tn_retstat_free(struct tn_retstat *v)
{
	window_free(&v->win);
}

int tn_volnorm_init(struct tn_volnorm *v, int window, const char **why)
{
	if (check_window(window, 1, why) < 0)
		return -1;
	window_init(&v->win, window, 1);
	return 0;
}

double tn_volnorm_push(struct tn_volnorm *v, double volume)
{
	double mean;

	if (!window_push(&v->win, volume))
		return NAN;
	mean = v->win.sum / v->win.window;
	return mean > 0 ? volume / mean : NAN;
}

void tn_volnorm_reset(struct tn_volnorm *v)
{
	window_reset(&v->win);
}

void tn_volnorm_free(struct tn_volnorm *v)
{
	window_free(&v->win);
}

/* ---- one interface for all ---- */

int tn_ind_init(struct tn_ind *ind, const struct tn_ind_spec *spec,
		const char **why)
{
	const char *dummy;

	if (!why)
		why = &dummy;
	if (tn_ind_check(spec, why) < 0)
		return -1;
	ind->spec = *spec;
	switch (spec->kind) {
	case TN_IND_RSI:
		return tn_rsi_init(&ind->u.rsi, spec->window, why);
	case TN_IND_EMA:
		return tn_ema_init(&ind->u.ema, spec->window, why);
	case TN_IND_SMA:
		return tn_sma_init(&ind->u.sma, spec->window, why);
	case TN_IND_STDDEV:
		return tn_stddev_init(&ind->u.stddev, spec->window, why);
	case TN_IND_ATR:
		return tn_atr_init(&ind->u.atr, spec->window, why);
	case TN_IND_BBANDS:
		return tn_bbands_init(&ind->u.bbands, spec->window, spec->k_up,
				      spec->k_down, why);
	case TN_IND_OBV:
		tn_obv_init(&ind->u.obv);
		return 0;
	case TN_IND_ROC:
		return tn_roc_init(&ind->u.roc, spec->window, why);
	case TN_IND_MACD:
		return tn_macd_init(&ind->u.macd, spec->fast, spec->slow,
				    spec->signal, why);
	case TN_IND_LOGRET:
	case TN_IND_SIMPLERET:
		tn_return_init(&ind->u.ret);
		return 0;
	case TN_IND_VOL:
		return tn_vol_init(&ind->u.retstat, spec->window, why);
	case TN_IND_MOM:
		return tn_mom_init(&ind->u.retstat, spec->window, why);
	case TN_IND_VOLNORM:
		return tn_volnorm_init(&ind->u.volnorm, spec->window, why);
	case TN_IND_NKINDS:
		break;
	}
	*why = "unknown indicator";
	return -1;
}

int tn_ind_push(struct tn_ind *ind, const struct tn_bar *bar,
		double out[TN_IND_MAX_OUT])
{
	struct tn_macd_value m;
	struct tn_bands b;

	switch (ind->spec.kind) {
	case TN_IND_RSI:
		out[0] = tn_rsi_push(&ind->u.rsi, bar->close);
		break;
	case TN_IND_EMA:
		out[0] = tn_ema_push(&ind->u.ema, bar->close);
		break;
	case TN_IND_SMA:
		out[0] = tn_sma_push(&ind->u.sma, bar->close);
		break;
	case TN_IND_STDDEV:
		out[0] = tn_stddev_push(&ind->u.stddev, bar->close);
		break;
	case TN_IND_ATR:
		out[0] = tn_atr_push(&ind->u.atr, bar->high, bar->low,
				     bar->close);
		break;
	case TN_IND_BBANDS:
		b = tn_bbands_push(&ind->u.bbands, bar->close);
		out[0] = b.upper;
		out[1] = b.middle;
		out[2] = b.lower;
		return 3;
	case TN_IND_OBV:
		out[0] = tn_obv_push(&ind->u.obv, bar->close, bar->volume);
		break;
	case TN_IND_ROC:
		out[0] = tn_roc_push(&ind->u.roc, bar->close);
		break;
	case TN_IND_MACD:
		m = tn_macd_push(&ind->u.macd, bar->close);
		out[0] = m.line;
		out[1] = m.signal;
		out[2] = m.hist;
		return 3;
	case TN_IND_LOGRET:
		out[0] = tn_logret_push(&ind->u.ret, bar->close);
		break;
	case TN_IND_SIMPLERET:
		out[0] = tn_simpleret_push(&ind->u.ret, bar->close);
		break;
	case TN_IND_VOL:
		out[0] = tn_vol_push(&ind->u.retstat, bar->close);
		break;
	case TN_IND_MOM:
		out[0] = tn_mom_push(&ind->u.retstat, bar->close);
		break;
	case TN_IND_VOLNORM:
		out[0] = tn_volnorm_push(&ind->u.volnorm, bar->volume);
		break;
	case TN_IND_NKINDS:
		out[0] = NAN;
		break;
	}
	return 1;
}

void tn_ind_reset(struct tn_ind *ind)
{
	switch (ind->spec.kind) {
	case TN_IND_RSI:
		tn_rsi_reset(&ind->u.rsi);
		break;
	case TN_IND_EMA:
		tn_ema_reset(&ind->u.ema);
		break;
	case TN_IND_SMA:
		tn_sma_reset(&ind->u.sma);
		break;
	case TN_IND_STDDEV:
		tn_stddev_reset(&ind->u.stddev);
		break;
	case TN_IND_ATR:
		tn_atr_reset(&ind->u.atr);
		break;
	case TN_IND_BBANDS:
		tn_bbands_reset(&ind->u.bbands);
		break;
	case TN_IND_OBV:
		tn_obv_reset(&ind->u.obv);
		break;
	case TN_IND_ROC:
		tn_roc_reset(&ind->u.roc);
		break;
	case TN_IND_MACD:
		tn_macd_reset(&ind->u.macd);
		break;
	case TN_IND_LOGRET:
	case TN_IND_SIMPLERET:
		tn_return_reset(&ind->u.ret);
		break;
	case TN_IND_VOL:
	case TN_IND_MOM:
		tn_retstat_reset(&ind->u.retstat);
		break;
	case TN_IND_VOLNORM:
		tn_volnorm_reset(&ind->u.volnorm);
		break;
	case TN_IND_NKINDS:
		break;
	}
}

void tn_ind_free(struct tn_ind *ind)
{
	switch (ind->spec.kind) {
	case TN_IND_SMA:
		tn_sma_free(&ind->u.sma);
		break;
	case TN_IND_STDDEV:
		tn_stddev_free(&ind->u.stddev);
		break;
	case TN_IND_BBANDS:
		tn_bbands_free(&ind->u.bbands);
		break;
	case TN_IND_ROC:
		tn_roc_free(&ind->u.roc);
		break;
	case TN_IND_VOL:
	case TN_IND_MOM:
		tn_retstat_free(&ind->u.retstat);
		break;
	case TN_IND_VOLNORM:
		tn_volnorm_free(&ind->u.volnorm);
		break;
	default:
		break;
	}
}

/* The loops work on a local copy of the state: once the step is inlined
 * the compiler can keep it in registers, which it cannot do through
 * ind (out might alias it).  Same operations in the same order as push,
 * so the outputs are identical. */
#define RUN_LOOP(type, field, expr)                                     \
	do {                                                            \
		type st_ = ind->u.field;                                \
		for (i = 0; i < n; i++)                                 \
			out[i] = (expr);                                \
		ind->u.field = st_;                                     \
	} while (0)

long tn_ind_run(struct tn_ind *ind, const struct tn_bar *bars, long n,
		double *out)
{
	int nout = tn_ind_outputs(ind->spec.kind);
	long i;

	switch (ind->spec.kind) {
	case TN_IND_RSI:
		RUN_LOOP(struct tn_rsi, rsi, rsi_step(&st_, bars[i].close));
		break;
	case TN_IND_EMA:
		RUN_LOOP(struct tn_ema, ema, ema_step(&st_, bars[i].close));
		break;
	case TN_IND_ATR:
		RUN_LOOP(struct tn_atr, atr, atr_step(&st_, bars[i].high,
							  bars[i].low,
							  bars[i].close));
		break;
	case TN_IND_STDDEV:
		RUN_LOOP(struct tn_stddev, stddev,
			 stddev_step(&st_, bars[i].close));
		break;
	case TN_IND_MACD: {
		struct tn_macd st = ind->u.macd;
		struct tn_macd_value v;

		for (i = 0; i < n; i++) {
			v = macd_step(&st, bars[i].close);
			out[3 * i] = v.line;
			out[3 * i + 1] = v.signal;
			out[3 * i + 2] = v.hist;
		}
		ind->u.macd = st;
		break;
	}
	default:
		for (i = 0; i < n; i++)
			tn_ind_push(ind, &bars[i], out + i * nout);
		break;
	}
	return n * nout;
}
