/* Unit tests (float build): common/lstm_model.c - the dataset is
 * point-in-time (no input uses a day after the window's last, targets are
 * the days after it, the split keeps a gap of the horizon, the scalers see
 * the training windows only), transfer by freezing leaves the LSTM
 * bit-identical, the model file round-trips, the non-finite guard stops
 * training, and a small model finds an injected AR(1) signal but no skill
 * in a placebo series.  Panels are built in C, from the synthetic market
 * or an AR(1) generator, through the lstm preset's feature set. */
#include "evaluate.h"
#include "features.h"
#include "lstm_model.h"
#include "nn_h5.h"
#include "rng.h"
#include "synth.h"
#include "tn_test.h"

#include <stdint.h>

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A small configuration, so the learning tests take a second or two. */
enum { SMALL_T = 20, SMALL_H = 16, SMALL_F = 16, SMALL_Z = 5 };

static void small_config(struct lstm_model_config *c)
{
	lstm_model_config_default(c, SMALL_Z);
	c->hidden = SMALL_H;
	c->fc = SMALL_F;
	c->context = SMALL_T;
}

/* A one-symbol panel of the lstm preset's features of bars[n]. */
static void panel_from_bars(struct tn_panel *p, const char *symbol,
			    const struct tn_bar *bars, int n)
{
	struct tn_feature f[TN_FEAT_MAX];
	struct tn_featset *fs;
	char why[128];
	int nf, k;

	nf = tn_feature_list_parse(tn_feature_preset("lstm"), f, TN_FEAT_MAX,
				   why, sizeof why);
	if (nf < 0) {
		printf("# lstm preset: %s\n", why);
		exit(1);
	}
	memset(p, 0, sizeof *p);
	p->nsym = 1;
	p->ndates = n;
	p->nfeat = nf;
	p->symbols = calloc(1, sizeof *p->symbols);
	snprintf(p->symbols[0], sizeof p->symbols[0], "%s", symbol);
	p->dates = malloc((size_t)n * sizeof *p->dates);
	p->features = malloc((size_t)nf * sizeof *p->features);
	p->values = malloc((size_t)n * (size_t)nf * sizeof *p->values);
	for (k = 0; k < nf; k++)
		p->features[k] = strdup(f[k].name);
	for (k = 0; k < n; k++)
		p->dates[k] = bars[k].date;
	fs = tn_featset_new(f, nf, 0);
	tn_featset_run(fs, bars, n, p->values);
	tn_featset_free(fs);
}

static void synth_panel(struct tn_panel *p, const char *symbol, int days)
{
	struct tn_synth market = { TN_SYNTH_DEFAULT_SEED, 0.0 };
	struct tn_bar *bars;
	tn_day from = tn_date_from_civil(2010, 1, 4);
	int n;

	n = tn_synth_bars(&market, symbol, from, from + days * 2, &bars);
	if (n < days) {
		printf("# synth gave %d bars\n", n);
		exit(1);
	}
	panel_from_bars(p, symbol, bars, days);
	free(bars);
}

/* Daily log returns r_t = phi r_{t-1} + 0.01 e_t and bars around them. */
static void ar_panel(struct tn_panel *p, double phi, int days, uint64_t seed)
{
	struct tn_bar *bars = malloc((size_t)days * sizeof *bars);
	struct tn_rng rng;
	double close = 100, r = 0;
	tn_day d = tn_date_from_civil(2005, 1, 3);
	int t;

	tn_rng_seed(&rng, seed);
	for (t = 0; t < days; t++) {
		double open = close * exp(0.002 * tn_rng_normal(&rng));

		r = phi * r + 0.01 * tn_rng_normal(&rng);
		close *= exp(r);
		bars[t].date = d + t;
		bars[t].open = open;
		bars[t].close = bars[t].adj_close = close;
		bars[t].high = fmax(open, close) *
			       exp(0.003 * fabs(tn_rng_normal(&rng)));
		bars[t].low = fmin(open, close) *
			      exp(-0.003 * fabs(tn_rng_normal(&rng)));
		bars[t].volume = 1e6 * exp(0.3 * tn_rng_normal(&rng));
	}
	panel_from_bars(p, "ARSYN", bars, days);
	free(bars);
}

TEST(window_inputs_use_no_day_after_the_last)
{
	struct tn_panel p;
	int col[LSTM_MODEL_INPUTS], d, k, f;
	char err[256];
	float a[LSTM_MODEL_CONTEXT * LSTM_MODEL_INPUTS],
	      b[LSTM_MODEL_CONTEXT * LSTM_MODEL_INPUTS];

	synth_panel(&p, "AAPL", 400);
	CHECK(lstm_panel_columns(&p, col, err, sizeof err) == 0);
	for (d = 100; d < 390; d += 37) {
		double *saved = malloc((size_t)p.ndates * p.nfeat * sizeof *saved);

		memcpy(saved, p.values, (size_t)p.ndates * p.nfeat * sizeof *saved);
		CHECK(lstm_window_inputs(a, &p, col, 0, d, LSTM_MODEL_CONTEXT) == 0);
		/* The future changes wildly: the window must not notice. */
		for (k = d + 1; k < p.ndates; k++)
			for (f = 0; f < p.nfeat; f++)
				tn_panel_row(&p, 0, k)[f] *= 3.7;
		CHECK(lstm_window_inputs(b, &p, col, 0, d, LSTM_MODEL_CONTEXT) == 0);
		CHECK(memcmp(a, b, sizeof a) == 0);
		/* The last day's close is the reference: its input is 0. */
		CHECK(a[(LSTM_MODEL_CONTEXT - 1) * LSTM_MODEL_INPUTS + 3] == 0);
		memcpy(p.values, saved, (size_t)p.ndates * p.nfeat * sizeof *saved);
		free(saved);
	}
	/* A day of the window missing makes it unusable. */
	tn_panel_row(&p, 0, 200)[col[5]] = NAN;
	CHECK(lstm_window_inputs(a, &p, col, 0, 200 + LSTM_MODEL_CONTEXT - 1,
				 LSTM_MODEL_CONTEXT) < 0);
	CHECK(lstm_window_inputs(a, &p, col, 0, 200 + LSTM_MODEL_CONTEXT,
				 LSTM_MODEL_CONTEXT) == 0);
	tn_panel_free(&p);
}

TEST(targets_are_the_log_returns_after_the_last_day)
{
	struct tn_panel p;
	struct lstm_dataset ds;
	char err[256];
	int i, k, close;

	synth_panel(&p, "MSFT", 300);
	close = tn_panel_feature(&p, "close");
	CHECK(lstm_dataset_build(&ds, &p, 0, p.ndates - 1, LSTM_MODEL_CONTEXT,
				 LSTM_MODEL_HORIZON, err, sizeof err) == 0);
	CHECK(ds.n > 100);
	for (i = 0; i < ds.n; i++) {
		int d = ds.last[i];

		CHECK(d + LSTM_MODEL_HORIZON <= p.ndates - 1);
		for (k = 1; k <= LSTM_MODEL_HORIZON; k++) {
			double want = log(tn_panel_row(&p, 0, d + k)[close] /
					  tn_panel_row(&p, 0, d + k - 1)[close]);

			if (fabs(ds.y[(size_t)i * LSTM_MODEL_HORIZON + k - 1] -
				 want) > 1e-6) {
				FAILF("window %d target %d = %g, want %g", i, k,
				      ds.y[(size_t)i * LSTM_MODEL_HORIZON + k - 1],
				      want);
				i = ds.n;
				break;
			}
		}
	}
	lstm_dataset_free(&ds);
	tn_panel_free(&p);
}

TEST(a_dataset_up_to_a_day_reads_nothing_after_it)
{
	struct tn_panel p;
	struct lstm_dataset a, b;
	char err[256];
	int cut = 250, k, f;

	synth_panel(&p, "NVDA", 320);
	CHECK(lstm_dataset_build(&a, &p, 0, cut, LSTM_MODEL_CONTEXT,
				 LSTM_MODEL_HORIZON, err, sizeof err) == 0);
	for (k = cut + 1; k < p.ndates; k++)
		for (f = 0; f < p.nfeat; f++)
			tn_panel_row(&p, 0, k)[f] = k % 2 ? NAN : 1e6;
	CHECK(lstm_dataset_build(&b, &p, 0, cut, LSTM_MODEL_CONTEXT,
				 LSTM_MODEL_HORIZON, err, sizeof err) == 0);
	CHECK_INT(a.n, b.n);
	if (a.n == b.n) {
		CHECK(memcmp(a.x, b.x, (size_t)a.n * LSTM_MODEL_CONTEXT *
					       LSTM_MODEL_INPUTS * sizeof *a.x) == 0);
		CHECK(memcmp(a.y, b.y, (size_t)a.n * LSTM_MODEL_HORIZON *
					       sizeof *a.y) == 0);
		CHECK_INT(a.last[a.n - 1], cut - LSTM_MODEL_HORIZON);
	}
	lstm_dataset_free(&a);
	lstm_dataset_free(&b);
	tn_panel_free(&p);
}

TEST(the_split_keeps_a_gap_of_the_horizon)
{
	struct tn_panel p;
	struct lstm_dataset ds;
	char err[256];
	int n_train, val_first, v0;

	synth_panel(&p, "JPM", 500);
	CHECK(lstm_dataset_build(&ds, &p, 0, p.ndates - 1, LSTM_MODEL_CONTEXT,
				 LSTM_MODEL_HORIZON, err, sizeof err) == 0);
	CHECK(lstm_dataset_split(&ds, LSTM_TRAIN_VAL_FRAC, &n_train,
				 &val_first) == 0);
	v0 = ds.last[val_first];
	CHECK_INT(ds.n - val_first, lround(ds.n * LSTM_TRAIN_VAL_FRAC));
	/* The last training window's targets end before the first
	 * validation window's last day; one more would not. */
	CHECK(ds.last[n_train - 1] + LSTM_MODEL_HORIZON < v0);
	CHECK(ds.last[n_train] + LSTM_MODEL_HORIZON >= v0);
	CHECK_INT(val_first - n_train, LSTM_MODEL_HORIZON);
	lstm_dataset_free(&ds);
	tn_panel_free(&p);
}

TEST(scalers_see_the_training_windows_only)
{
	struct tn_panel p;
	struct lstm_dataset ds;
	struct lstm_model_config c;
	struct lstm_model a, b;
	char err[256];
	int n_train, val_first;
	size_t k, from, to;

	synth_panel(&p, "XOM", 400);
	CHECK(lstm_dataset_build(&ds, &p, 0, p.ndates - 1, LSTM_MODEL_CONTEXT,
				 LSTM_MODEL_HORIZON, err, sizeof err) == 0);
	CHECK(lstm_dataset_split(&ds, LSTM_TRAIN_VAL_FRAC, &n_train,
				 &val_first) == 0);
	lstm_model_config_default(&c, LSTM_MODEL_HORIZON);
	CHECK(lstm_model_init(&a, &c, err, sizeof err) == 0);
	CHECK(lstm_model_init(&b, &c, err, sizeof err) == 0);
	lstm_model_fit_scalers(&a, &ds, n_train);
	from = (size_t)n_train * LSTM_MODEL_CONTEXT * LSTM_MODEL_INPUTS;
	to = (size_t)ds.n * LSTM_MODEL_CONTEXT * LSTM_MODEL_INPUTS;
	for (k = from; k < to; k++)
		ds.x[k] = ds.x[k] * 5 + 1;
	for (k = (size_t)n_train * LSTM_MODEL_HORIZON;
	     k < (size_t)ds.n * LSTM_MODEL_HORIZON; k++)
		ds.y[k] *= 9;
	lstm_model_fit_scalers(&b, &ds, n_train);
	CHECK(memcmp(a.in_mean, b.in_mean, sizeof a.in_mean) == 0);
	CHECK(memcmp(a.in_std, b.in_std, sizeof a.in_std) == 0);
	CHECK(a.target_scale == b.target_scale);
	CHECK(a.target_scale > 0.001 && a.target_scale < 0.1);
	lstm_model_free(&a);
	lstm_model_free(&b);
	lstm_dataset_free(&ds);
	tn_panel_free(&p);
}

/* Trains a small model on an AR panel; returns the validation skill of
 * the 1-day-ahead forecast and fills *sk_all with that of all horizons. */
static double ar_skill(double phi, uint64_t seed, double *sk_all)
{
	struct tn_panel p;
	struct lstm_dataset ds;
	struct lstm_model_config c;
	struct lstm_model m;
	struct lstm_train_config tc;
	struct lstm_train_result res;
	struct tn_eval met;
	struct tn_rng rng;
	char err[256];
	int n_train, val_first, nv, i;
	double *pred, *act, *p1, *a1, skill1;

	ar_panel(&p, phi, 1600, seed);
	small_config(&c);
	if (lstm_dataset_build(&ds, &p, 0, p.ndates - 1, c.context, c.horizon,
			       err, sizeof err) < 0 ||
	    lstm_dataset_split(&ds, 0.25, &n_train, &val_first) < 0 ||
	    lstm_model_init(&m, &c, err, sizeof err) < 0) {
		FAILF("setup: %s", err);
		exit(1);
	}
	tn_rng_seed(&rng, 7);
	lstm_model_init_weights(&m, &rng);
	lstm_model_fit_scalers(&m, &ds, n_train);
	lstm_train_config_default(&tc, LSTM_SCRATCH);
	tc.epochs = 12;
	tc.seed = 3;
	CHECK(lstm_model_train(&m, &ds, n_train, val_first, &tc, &res, err,
			       sizeof err) == 0);
	printf("# phi %.2f: %d train, %d val windows, %d epochs, best %ld, %.0f samples/s\n",
	       phi, n_train, ds.n - val_first, res.epochs, res.best_epoch,
	       res.samples_per_s);
	nv = ds.n - val_first;
	pred = malloc((size_t)nv * c.horizon * sizeof *pred);
	act = malloc((size_t)nv * c.horizon * sizeof *act);
	p1 = malloc((size_t)nv * sizeof *p1);
	a1 = malloc((size_t)nv * sizeof *a1);
	lstm_model_predict(pred, &m, &ds, val_first, ds.n);
	for (i = 0; i < nv * c.horizon; i++)
		act[i] = ds.y[(size_t)val_first * c.horizon + i];
	for (i = 0; i < nv; i++) {
		p1[i] = pred[(size_t)i * c.horizon];
		a1[i] = act[(size_t)i * c.horizon];
	}
	tn_eval_compute(&met, pred, act, (long)nv * c.horizon);
	*sk_all = met.skill;
	tn_eval_compute(&met, p1, a1, nv);
	skill1 = met.skill;
	printf("# phi %.2f: skill 1-day %.4f, all horizons %.4f, ic %.3f\n",
	       phi, skill1, *sk_all, met.ic);
	free(pred);
	free(act);
	free(p1);
	free(a1);
	lstm_train_result_free(&res);
	lstm_model_free(&m);
	lstm_dataset_free(&ds);
	tn_panel_free(&p);
	return skill1;
}

/* Placebo tolerance: what early stopping on the validation windows can
 * overfit to with no signal at all. */
#define PLACEBO_TOL 0.02

TEST(finds_an_injected_ar_signal)
{
	double all, one = ar_skill(0.5, 42, &all);

	/* phi 0.5: the 1-day forecast can explain phi^2 = 25% */
	CHECK(one > 0.10);
	CHECK(all > 0.02);
}

TEST(shows_no_skill_on_a_placebo_series)
{
	double all, one = ar_skill(0.0, 42, &all);

	CHECK(one < PLACEBO_TOL);
	CHECK(all < PLACEBO_TOL);
}

/* A parent trained briefly on one series, and a child dataset. */
struct transfer_fixture {
	struct tn_panel pp, pc;
	struct lstm_dataset dp, dc;
	struct lstm_model parent;
	int np, vp, nc, vc;
};

static void transfer_setup(struct transfer_fixture *t)
{
	struct lstm_model_config c;
	struct lstm_train_config tc;
	struct lstm_train_result res;
	struct tn_rng rng;
	char err[256];

	small_config(&c);
	ar_panel(&t->pp, 0.3, 600, 1);
	ar_panel(&t->pc, 0.3, 500, 2);
	if (lstm_dataset_build(&t->dp, &t->pp, 0, t->pp.ndates - 1, c.context,
			       c.horizon, err, sizeof err) < 0 ||
	    lstm_dataset_build(&t->dc, &t->pc, 0, t->pc.ndates - 1, c.context,
			       c.horizon, err, sizeof err) < 0 ||
	    lstm_dataset_split(&t->dp, 0.2, &t->np, &t->vp) < 0 ||
	    lstm_dataset_split(&t->dc, 0.2, &t->nc, &t->vc) < 0 ||
	    lstm_model_init(&t->parent, &c, err, sizeof err) < 0) {
		FAILF("setup: %s", err);
		exit(1);
	}
	tn_rng_seed(&rng, 5);
	lstm_model_init_weights(&t->parent, &rng);
	lstm_model_fit_scalers(&t->parent, &t->dp, t->np);
	lstm_train_config_default(&tc, LSTM_SCRATCH);
	tc.epochs = 2;
	CHECK(lstm_model_train(&t->parent, &t->dp, t->np, t->vp, &tc, &res,
			       err, sizeof err) == 0);
	lstm_train_result_free(&res);
}

static void transfer_teardown(struct transfer_fixture *t)
{
	lstm_model_free(&t->parent);
	lstm_dataset_free(&t->dp);
	lstm_dataset_free(&t->dc);
	tn_panel_free(&t->pp);
	tn_panel_free(&t->pc);
}

/* Trains a child from the fixture's parent with strategy s; returns 1
 * when the LSTM tensors are bit-identical to the parent's, and sets
 * *head_moved when fc1/fc2 changed. */
static int child_keeps_lstm(struct transfer_fixture *t, enum lstm_strategy s,
			    int *head_moved)
{
	struct lstm_model child;
	struct lstm_train_config tc;
	struct lstm_train_result res;
	char err[256];
	size_t head;
	int same;

	CHECK(lstm_model_init(&child, &t->parent.cfg, err, sizeof err) == 0);
	CHECK(lstm_model_transfer(&child, &t->parent, err, sizeof err) == 0);
	lstm_train_config_default(&tc, s);
	tc.epochs = 3;
	tc.patience = 10; /* keep the last weights whatever they score */
	CHECK(lstm_model_train(&child, &t->dc, t->nc, t->vc, &tc, &res, err,
			       sizeof err) == 0);
	head = child.params.offset[child.head_first];
	same = memcmp(child.params.value, t->parent.params.value,
		      head * sizeof *child.params.value) == 0;
	*head_moved = memcmp(child.params.value + head,
			     t->parent.params.value + head,
			     (child.params.total - head) *
				     sizeof *child.params.value) != 0;
	printf("# %s: best epoch %ld of %d\n", lstm_strategy_name(s),
	       res.best_epoch, res.epochs);
	lstm_train_result_free(&res);
	lstm_model_free(&child);
	return same;
}

TEST(freeze_trains_the_head_and_leaves_the_lstm_bit_identical)
{
	struct transfer_fixture t;
	int moved;

	transfer_setup(&t);
	CHECK(child_keeps_lstm(&t, LSTM_FREEZE, &moved) == 1);
	CHECK(moved);
	transfer_teardown(&t);
}

TEST(finetune_trains_everything)
{
	struct transfer_fixture t;
	int moved;

	transfer_setup(&t);
	CHECK(child_keeps_lstm(&t, LSTM_FINETUNE, &moved) == 0);
	CHECK(moved);
	transfer_teardown(&t);
}

TEST(training_is_deterministic_for_a_seed)
{
	struct transfer_fixture a, b;

	transfer_setup(&a);
	transfer_setup(&b);
	CHECK(memcmp(a.parent.params.value, b.parent.params.value,
		     a.parent.params.total * sizeof *a.parent.params.value) == 0);
	transfer_teardown(&a);
	transfer_teardown(&b);
}

TEST(transfer_refuses_another_shape)
{
	struct lstm_model_config a, b;
	struct lstm_model pa, ch;
	char err[512];

	small_config(&a);
	b = a;
	b.horizon = 3;
	CHECK(lstm_model_init(&pa, &a, err, sizeof err) == 0);
	CHECK(lstm_model_init(&ch, &b, err, sizeof err) == 0);
	CHECK(lstm_model_transfer(&ch, &pa, err, sizeof err) < 0);
	CHECK(strstr(err, "horizon 5") != NULL);
	lstm_model_free(&pa);
	lstm_model_free(&ch);
}

TEST(a_non_finite_input_stops_training_with_the_weights_kept)
{
	struct transfer_fixture t;
	struct lstm_model m;
	struct lstm_train_config tc;
	struct lstm_train_result res;
	real *before;
	char err[256];
	long bad;

	transfer_setup(&t);
	CHECK(lstm_model_init(&m, &t.parent.cfg, err, sizeof err) == 0);
	CHECK(lstm_model_transfer(&m, &t.parent, err, sizeof err) == 0);
	before = malloc(m.params.total * sizeof *before);
	nn_params_copy_values(&m.params, before);
	for (int i = 0; i < t.nc; i++)
		t.dc.x[(size_t)i * SMALL_T * LSTM_MODEL_INPUTS] = NAN;
	lstm_train_config_default(&tc, LSTM_SCRATCH);
	tc.epochs = 3;
	CHECK(lstm_model_train(&m, &t.dc, t.nc, t.vc, &tc, &res, err,
			       sizeof err) < 0);
	CHECK(res.nonfinite);
	CHECK_INT(res.epochs, 0);
	CHECK(strstr(err, "not finite") != NULL || strstr(err, "nan") != NULL);
	bad = nn_params_first_nonfinite_value(&m.params);
	CHECK_INT(bad, -1);
	CHECK(memcmp(before, m.params.value, m.params.total * sizeof *before) == 0);
	free(before);
	lstm_train_result_free(&res);
	lstm_model_free(&m);
	transfer_teardown(&t);
}

TEST(the_model_file_round_trips)
{
	struct transfer_fixture t;
	struct lstm_model back;
	char path[] = "/tmp/tn-lstm-model-XXXXXX", err[NN_H5_ERR_MAX];
	double *a, *b;
	hid_t f;
	int fd, nv;

	transfer_setup(&t);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	f = nn_h5_create(path, err, sizeof err);
	CHECK(f >= 0);
	CHECK(lstm_model_save(f, &t.parent, err, sizeof err) == 0);
	CHECK(nn_h5_close(f, err, sizeof err) == 0);
	f = nn_h5_open(path, err, sizeof err);
	CHECK(f >= 0);
	if (lstm_model_load(f, &back, err, sizeof err) < 0) {
		FAILF("load: %s", err);
	} else {
		nv = t.dc.n - t.vc;
		a = malloc((size_t)nv * SMALL_Z * sizeof *a);
		b = malloc((size_t)nv * SMALL_Z * sizeof *b);
		lstm_model_predict(a, &t.parent, &t.dc, t.vc, t.dc.n);
		lstm_model_predict(b, &back, &t.dc, t.vc, t.dc.n);
		CHECK(memcmp(a, b, (size_t)nv * SMALL_Z * sizeof *a) == 0);
		CHECK_INT(back.cfg.context, SMALL_T);
		CHECK_INT(back.cfg.hidden, SMALL_H);
		free(a);
		free(b);
		lstm_model_free(&back);
	}
	nn_h5_close(f, err, sizeof err);
	/* Another format's file is refused with a message. */
	f = nn_h5_create(path, err, sizeof err);
	CHECK(nn_h5_write_format(f, "tickernet-gnn", 1, err, sizeof err) == 0);
	CHECK(lstm_model_load(f, &back, err, sizeof err) < 0);
	printf("# wrong format: %s\n", err);
	nn_h5_close(f, err, sizeof err);
	unlink(path);
	transfer_teardown(&t);
}

int main(void)
{
	RUN(window_inputs_use_no_day_after_the_last);
	RUN(targets_are_the_log_returns_after_the_last_day);
	RUN(a_dataset_up_to_a_day_reads_nothing_after_it);
	RUN(the_split_keeps_a_gap_of_the_horizon);
	RUN(scalers_see_the_training_windows_only);
	RUN(finds_an_injected_ar_signal);
	RUN(shows_no_skill_on_a_placebo_series);
	RUN(freeze_trains_the_head_and_leaves_the_lstm_bit_identical);
	RUN(finetune_trains_everything);
	RUN(training_is_deterministic_for_a_seed);
	RUN(transfer_refuses_another_shape);
	RUN(a_non_finite_input_stops_training_with_the_weights_kept);
	RUN(the_model_file_round_trips);
	return tn_t_done();
}
