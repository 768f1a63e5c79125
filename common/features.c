/* features.c - feature names, presets and the per-symbol computation. */
#include "features.h"

#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most parameters a name carries (macd_F_S_G). */
#define MAX_PARAMS 3
/* Digits a parameter may have: enough for TN_IND_MAX_WINDOW and more, few
 * enough that parsing cannot overflow. */
#define MAX_PARAM_DIGITS 9

/* One base name of the registry. */
struct base {
	const char *name;
	enum tn_feat_source source;
	enum tn_ind_kind kind;   /* when source is TN_FEAT_INDICATOR */
	int nparams;
	int output;
	const char *form;        /* the name's form, for error messages */
};

static const struct base registry[] = {
	{ "open", TN_FEAT_OPEN, TN_IND_NKINDS, 0, 0, "open" },
	{ "high", TN_FEAT_HIGH, TN_IND_NKINDS, 0, 0, "high" },
	{ "low", TN_FEAT_LOW, TN_IND_NKINDS, 0, 0, "low" },
	{ "close", TN_FEAT_CLOSE, TN_IND_NKINDS, 0, 0, "close" },
	{ "volume", TN_FEAT_VOLUME, TN_IND_NKINDS, 0, 0, "volume" },
	{ "logret", TN_FEAT_INDICATOR, TN_IND_LOGRET, 1, 0, "logret_1" },
	{ "ret", TN_FEAT_INDICATOR, TN_IND_SIMPLERET, 1, 0, "ret_1" },
	{ "vol", TN_FEAT_INDICATOR, TN_IND_VOL, 1, 0, "vol_N" },
	{ "mom", TN_FEAT_INDICATOR, TN_IND_MOM, 1, 0, "mom_N" },
	{ "volnorm", TN_FEAT_INDICATOR, TN_IND_VOLNORM, 1, 0, "volnorm_N" },
	{ "rsi", TN_FEAT_INDICATOR, TN_IND_RSI, 1, 0, "rsi_N" },
	{ "ema", TN_FEAT_INDICATOR, TN_IND_EMA, 1, 0, "ema_N" },
	{ "sma", TN_FEAT_INDICATOR, TN_IND_SMA, 1, 0, "sma_N" },
	{ "stddev", TN_FEAT_INDICATOR, TN_IND_STDDEV, 1, 0, "stddev_N" },
	{ "atr", TN_FEAT_INDICATOR, TN_IND_ATR, 1, 0, "atr_N" },
	{ "roc", TN_FEAT_INDICATOR, TN_IND_ROC, 1, 0, "roc_N" },
	{ "obv", TN_FEAT_INDICATOR, TN_IND_OBV, 0, 0, "obv" },
	{ "macd", TN_FEAT_INDICATOR, TN_IND_MACD, 3, 0, "macd_FAST_SLOW_SIGNAL" },
	{ "macdsignal", TN_FEAT_INDICATOR, TN_IND_MACD, 3, 1,
	  "macdsignal_FAST_SLOW_SIGNAL" },
	{ "macdhist", TN_FEAT_INDICATOR, TN_IND_MACD, 3, 2,
	  "macdhist_FAST_SLOW_SIGNAL" },
	{ "bbupper", TN_FEAT_INDICATOR, TN_IND_BBANDS, 2, 0, "bbupper_N_K" },
	{ "bbmiddle", TN_FEAT_INDICATOR, TN_IND_BBANDS, 2, 1, "bbmiddle_N_K" },
	{ "bblower", TN_FEAT_INDICATOR, TN_IND_BBANDS, 2, 2, "bblower_N_K" },
};

#define NBASES (sizeof registry / sizeof registry[0])

const char *const tn_feature_presets[] = { "default", "gnn", "lstm", NULL };

/* The original GNN's node features are vol_20, mom_20 and volnorm_20, the
 * original LSTM's inputs open..volume, rsi_14 and the MACD line; close and
 * logret_1 ride along in each (see features.h), and the default is the
 * union, so every downstream tool can read it. */
static const char default_list[] =
	"open,high,low,close,volume,logret_1,vol_20,mom_20,volnorm_20,"
	"rsi_14,macd_12_26_9";

static const char *const preset_lists[] = {
	default_list,
	"close,logret_1,vol_20,mom_20,volnorm_20",
	"open,high,low,close,volume,rsi_14,macd_12_26_9,logret_1",
};

const char *tn_feature_preset(const char *preset)
{
	int i;

	for (i = 0; tn_feature_presets[i]; i++)
		if (strcmp(preset, tn_feature_presets[i]) == 0)
			return preset_lists[i];
	return NULL;
}

/* A parameter: decimal digits, no sign, no leading zero.  0 or -1. */
static int parse_param(const char *s, size_t len, long *out, char *why,
		       size_t whylen)
{
	size_t i;
	long v = 0;

	if (len == 0) {
		snprintf(why, whylen, "empty parameter");
		return -1;
	}
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9') {
			snprintf(why, whylen,
				 "parameter '%.*s' is not a decimal integer",
				 (int)len, s);
			return -1;
		}
	if (s[0] == '0') {
		snprintf(why, whylen, "parameter '%.*s' must be positive, "
			 "without leading zeros", (int)len, s);
		return -1;
	}
	if (len > MAX_PARAM_DIGITS) {
		snprintf(why, whylen, "parameter '%.*s' is too large", (int)len, s);
		return -1;
	}
	for (i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	*out = v;
	return 0;
}

static const struct base *find_base(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NBASES; i++)
		if (strlen(registry[i].name) == len &&
		    memcmp(registry[i].name, name, len) == 0)
			return &registry[i];
	return NULL;
}

/* Fills the indicator spec of base b from its parameters. */
static int make_spec(const struct base *b, const long *p, struct tn_ind_spec *spec,
		     char *why, size_t whylen)
{
	const char *reason;

	memset(spec, 0, sizeof *spec);
	spec->kind = b->kind;
	switch (b->kind) {
	case TN_IND_LOGRET:
	case TN_IND_SIMPLERET:
		if (p[0] != 1) {
			snprintf(why, whylen, "only 1-day returns exist: %s",
				 b->form);
			return -1;
		}
		break;
	case TN_IND_MACD:
		if (p[0] > TN_IND_MAX_WINDOW || p[1] > TN_IND_MAX_WINDOW ||
		    p[2] > TN_IND_MAX_WINDOW) {
			snprintf(why, whylen, "periods must be 1..%d",
				 TN_IND_MAX_WINDOW);
			return -1;
		}
		spec->fast = (int)p[0];
		spec->slow = (int)p[1];
		spec->signal = (int)p[2];
		break;
	case TN_IND_BBANDS:
		if (p[1] > TN_FEAT_MAX_BAND_K) {
			snprintf(why, whylen, "K must be 1..%d", TN_FEAT_MAX_BAND_K);
			return -1;
		}
		spec->k_up = spec->k_down = (double)p[1];
		break;
	default:
		break;
	}
	/* every other parameterised base starts with its window */
	if (b->nparams > 0 && b->kind != TN_IND_MACD &&
	    b->kind != TN_IND_LOGRET && b->kind != TN_IND_SIMPLERET) {
		if (p[0] > TN_IND_MAX_WINDOW) {
			snprintf(why, whylen, "window must be 1..%d", TN_IND_MAX_WINDOW);
			return -1;
		}
		spec->window = (int)p[0];
	}
	if (tn_ind_check(spec, &reason) < 0) {
		snprintf(why, whylen, "%s", reason);
		return -1;
	}
	return 0;
}

int tn_feature_parse(const char *name, struct tn_feature *f, char *why,
		     size_t whylen)
{
	const struct base *b;
	const char *s, *end;
	long params[MAX_PARAMS];
	int n = 0;
	size_t len = strlen(name);

	memset(f, 0, sizeof *f);
	if (len == 0) {
		snprintf(why, whylen, "empty feature name");
		return -1;
	}
	if (len > TN_FEAT_NAME_MAX) {
		snprintf(why, whylen, "name longer than %d characters",
			 TN_FEAT_NAME_MAX);
		return -1;
	}
	end = strchr(name, '_');
	if (!end)
		end = name + len;
	b = find_base(name, (size_t)(end - name));
	if (!b) {
		snprintf(why, whylen, "unknown feature");
		return -1;
	}
	for (s = end; *s == '_'; s = end) {
		s++;
		end = strchr(s, '_');
		if (!end)
			end = s + strlen(s);
		if (n == b->nparams) {
			n++;
			break;
		}
		if (parse_param(s, (size_t)(end - s), &params[n], why, whylen) < 0)
			return -1;
		n++;
	}
	if (n != b->nparams) {
		if (b->nparams == 0)
			snprintf(why, whylen, "%s takes no parameters", b->name);
		else
			snprintf(why, whylen, "%s takes %d parameter%s: %s",
				 b->name, b->nparams, b->nparams > 1 ? "s" : "",
				 b->form);
		return -1;
	}
	f->source = b->source;
	f->output = b->output;
	if (b->source == TN_FEAT_INDICATOR &&
	    make_spec(b, params, &f->spec, why, whylen) < 0)
		return -1;
	memcpy(f->name, name, len + 1);
	return 0;
}

int tn_feature_list_parse(const char *list, struct tn_feature *f, int max,
			  char *why, size_t whylen)
{
	char item[TN_FEAT_NAME_MAX + 2], reason[128];
	const char *s = list, *end;
	size_t len;
	int n = 0, i;

	for (;;) {
		end = strchr(s, ',');
		len = end ? (size_t)(end - s) : strlen(s);
		if (len == 0) {
			snprintf(why, whylen, "'%s': empty feature name", list);
			return -1;
		}
		if (len > TN_FEAT_NAME_MAX) {
			snprintf(why, whylen, "'%.*s': name longer than %d characters",
				 (int)len, s, TN_FEAT_NAME_MAX);
			return -1;
		}
		memcpy(item, s, len);
		item[len] = '\0';
		if (n == max) {
			snprintf(why, whylen, "'%s': more than %d features", item, max);
			return -1;
		}
		if (tn_feature_parse(item, &f[n], reason, sizeof reason) < 0) {
			snprintf(why, whylen, "'%s': %s", item, reason);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (strcmp(f[i].name, item) == 0) {
				snprintf(why, whylen, "'%s': listed twice", item);
				return -1;
			}
		n++;
		if (!end)
			return n;
		s = end + 1;
	}
}

int tn_feature_lookback(const struct tn_feature *f)
{
	return f->source == TN_FEAT_INDICATOR ? tn_ind_lookback(&f->spec) : 0;
}

int tn_feature_min_history(const struct tn_feature *f, double tol)
{
	if (f->source != TN_FEAT_INDICATOR)
		return 1;
	return tn_ind_min_history(&f->spec, tol);
}

/* ---- the computation ---- */

struct tn_featset {
	struct tn_feature *features;  /* (nfeatures) */
	int nfeatures;
	int *slot;                    /* (nfeatures) index into values, or -1 */
	struct tn_ind *inds;          /* (ninds) one per distinct spec */
	int ninds;
	double *values;               /* (ninds, TN_IND_MAX_OUT) this bar's */
	int flags;
};

static int same_spec(const struct tn_ind_spec *a, const struct tn_ind_spec *b)
{
	return a->kind == b->kind && a->window == b->window &&
	       a->fast == b->fast && a->slow == b->slow &&
	       a->signal == b->signal && a->k_up == b->k_up &&
	       a->k_down == b->k_down;
}

struct tn_featset *tn_featset_new(const struct tn_feature *f, int n, int flags)
{
	struct tn_featset *fs = xcalloc(1, sizeof *fs);
	const char *why;
	int i, j;

	fs->features = xcalloc((size_t)(n > 0 ? n : 1), sizeof *fs->features);
	memcpy(fs->features, f, (size_t)n * sizeof *f);
	fs->nfeatures = n;
	fs->slot = xcalloc((size_t)(n > 0 ? n : 1), sizeof *fs->slot);
	fs->inds = xcalloc((size_t)(n > 0 ? n : 1), sizeof *fs->inds);
	fs->values = xcalloc((size_t)(n > 0 ? n : 1) * TN_IND_MAX_OUT,
			     sizeof *fs->values);
	fs->flags = flags;
	for (i = 0; i < n; i++) {
		fs->slot[i] = -1;
		if (f[i].source != TN_FEAT_INDICATOR)
			continue;
		for (j = 0; j < fs->ninds; j++)
			if (same_spec(&fs->inds[j].spec, &f[i].spec))
				break;
		if (j == fs->ninds) {
			/* specs come from tn_feature_parse, already checked */
			if (tn_ind_init(&fs->inds[j], &f[i].spec, &why) < 0)
				die(TN_EX_SOFTWARE, "feature %s: %s", f[i].name, why);
			fs->ninds++;
		}
		fs->slot[i] = j * TN_IND_MAX_OUT + f[i].output;
	}
	return fs;
}

void tn_featset_free(struct tn_featset *fs)
{
	int j;

	if (!fs)
		return;
	for (j = 0; j < fs->ninds; j++)
		tn_ind_free(&fs->inds[j]);
	free(fs->features);
	free(fs->slot);
	free(fs->inds);
	free(fs->values);
	free(fs);
}

int tn_featset_count(const struct tn_featset *fs)
{
	return fs->nfeatures;
}

const struct tn_feature *tn_featset_feature(const struct tn_featset *fs, int i)
{
	return &fs->features[i];
}

int tn_featset_lookback(const struct tn_featset *fs)
{
	int i, lb, max = 0;

	for (i = 0; i < fs->nfeatures; i++) {
		lb = tn_feature_lookback(&fs->features[i]);
		if (lb > max)
			max = lb;
	}
	return max;
}

int tn_featset_min_history(const struct tn_featset *fs, double tol)
{
	int i, mh, max = 1;

	for (i = 0; i < fs->nfeatures; i++) {
		mh = tn_feature_min_history(&fs->features[i], tol);
		if (mh < 0)
			return -1;
		if (mh > max)
			max = mh;
	}
	return max;
}

void tn_featset_reset(struct tn_featset *fs)
{
	int j;

	for (j = 0; j < fs->ninds; j++)
		tn_ind_reset(&fs->inds[j]);
}

int tn_featset_push(struct tn_featset *fs, const struct tn_bar *bar,
		    double *out)
{
	struct tn_bar adj = *bar;
	double factor, v;
	int i, j, complete = 1;

	/* adj_close / close carries every adjustment the source made beyond
	 * the one already in close; volume stays as given (see the man
	 * page: sources split-adjust it, and dividends change no share
	 * count).  close takes adj_close itself, not close * factor, which
	 * may round differently. */
	if (!(fs->flags & TN_FEAT_NO_ADJUST)) {
		factor = bar->adj_close / bar->close;
		adj.open = bar->open * factor;
		adj.high = bar->high * factor;
		adj.low = bar->low * factor;
		adj.close = bar->adj_close;
	}
	for (j = 0; j < fs->ninds; j++)
		tn_ind_push(&fs->inds[j], &adj, &fs->values[j * TN_IND_MAX_OUT]);
	for (i = 0; i < fs->nfeatures; i++) {
		switch (fs->features[i].source) {
		case TN_FEAT_OPEN:
			v = adj.open;
			break;
		case TN_FEAT_HIGH:
			v = adj.high;
			break;
		case TN_FEAT_LOW:
			v = adj.low;
			break;
		case TN_FEAT_CLOSE:
			v = adj.close;
			break;
		case TN_FEAT_VOLUME:
			v = adj.volume;
			break;
		default:
			v = fs->values[fs->slot[i]];
			break;
		}
		/* sums and ratios of extreme prices overflow: an infinite
		 * value is as missing as a warm-up one */
		if (!isfinite(v)) {
			v = NAN;
			complete = 0;
		}
		out[i] = v;
	}
	return complete;
}

long tn_featset_run(struct tn_featset *fs, const struct tn_bar *bars, long n,
		    double *out)
{
	long t, complete = 0;

	tn_featset_reset(fs);
	for (t = 0; t < n; t++)
		complete += tn_featset_push(fs, &bars[t],
					    out + t * (long)fs->nfeatures);
	return complete;
}
