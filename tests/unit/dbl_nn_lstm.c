/* Unit tests (double build): common/nn_lstm.c - backpropagation through
 * time against central finite differences, for the input, the initial
 * state and every weight and bias of a stacked LSTM, through its outputs
 * and its final state, with inter-layer dropout under a fixed mask. */
#include "gradcheck.h"
#include "nn_lstm.h"
#include "rng.h"
#include "tn_test.h"

#include <stdio.h>
#include <stdlib.h>

/* Largest shapes the fixed-size buffers below hold. */
enum { MAXB = 3, MAXT = 6, MAXI = 5, MAXH = 4, MAXL = 3 };
#define MAXG (4 * MAXH)

struct lstm_ctx {
	int B, T, I, H, L, train;
	int use_state; /* h0, c0 given and h_n, c_n in the loss */
	real x[MAXB * MAXT * MAXI];
	real h0[MAXL * MAXB * MAXH], c0[MAXL * MAXB * MAXH];
	real w_ih[MAXL][MAXG * MAXH > MAXG * MAXI ? MAXG * MAXH : MAXG * MAXI];
	real w_hh[MAXL][MAXG * MAXH], b_ih[MAXL][MAXG], b_hh[MAXL][MAXG];
	/* loss = sum(r_out * out) + sum(r_h * h_n) + sum(r_c * c_n) */
	real r_out[MAXB * MAXT * MAXH];
	real r_h[MAXL * MAXB * MAXH], r_c[MAXL * MAXB * MAXH];
	real out[MAXB * MAXT * MAXH];
	real h_n[MAXL * MAXB * MAXH], c_n[MAXL * MAXB * MAXH];
	struct nn_lstm_layer w[MAXL];
	struct nn_lstm_cache cache;
	real *buf;
};

static void fill_uniform(real *v, int n, double lo, double hi,
			 struct tn_rng *rng)
{
	int k;

	for (k = 0; k < n; k++)
		v[k] = (real)(lo + (hi - lo) * tn_rng_uniform(rng));
}

static double weighted_sum(const real *w, const real *y, int n)
{
	double s = 0;
	int k;

	for (k = 0; k < n; k++)
		s += (double)w[k] * (double)y[k];
	return s;
}

static double lstm_loss(void *arg)
{
	struct lstm_ctx *c = arg;
	int bh = c->B * c->H;

	nn_lstm_forward(c->out, c->h_n, c->c_n, &c->cache, c->x,
			c->use_state ? c->h0 : NULL, c->use_state ? c->c0 : NULL,
			c->w, c->train, c->B, c->T, c->I, c->H, c->L);
	return weighted_sum(c->r_out, c->out, c->B * c->T * c->H) +
	       (c->use_state ? weighted_sum(c->r_h, c->h_n, c->L * bh) +
				       weighted_sum(c->r_c, c->c_n, c->L * bh)
			     : 0);
}

/* Random weights in the range PyTorch initialises them (+-1/sqrt(H)),
 * scaled up so the gates are away from their linear regions. */
static void lstm_setup(struct lstm_ctx *c, int B, int T, int I, int H, int L,
		       int train, int use_state, uint64_t seed)
{
	struct tn_rng rng;
	int G = 4 * H, l, k;

	c->B = B, c->T = T, c->I = I, c->H = H, c->L = L;
	c->train = train;
	c->use_state = use_state;
	tn_rng_seed(&rng, seed);
	fill_uniform(c->x, B * T * I, -1, 1, &rng);
	fill_uniform(c->h0, L * B * H, -1, 1, &rng);
	fill_uniform(c->c0, L * B * H, -1, 1, &rng);
	for (l = 0; l < L; l++) {
		fill_uniform(c->w_ih[l], G * (l ? H : I), -0.8, 0.8, &rng);
		fill_uniform(c->w_hh[l], G * H, -0.8, 0.8, &rng);
		fill_uniform(c->b_ih[l], G, -0.5, 0.5, &rng);
		fill_uniform(c->b_hh[l], G, -0.5, 0.5, &rng);
		c->w[l].w_ih = c->w_ih[l];
		c->w[l].w_hh = c->w_hh[l];
		c->w[l].b_ih = c->b_ih[l];
		c->w[l].b_hh = c->b_hh[l];
	}
	fill_uniform(c->r_out, B * T * H, -1, 1, &rng);
	fill_uniform(c->r_h, L * B * H, -1, 1, &rng);
	fill_uniform(c->r_c, L * B * H, -1, 1, &rng);
	c->buf = malloc(nn_lstm_cache_size(B, T, I, H, L) * sizeof *c->buf);
	if (!c->buf) {
		perror("malloc");
		exit(1);
	}
	nn_lstm_cache_init(&c->cache, c->buf, B, T, I, H, L);
	/* a fixed dropout mask, p = 0.4: drops about one in three */
	for (l = 0; l < L - 1; l++)
		for (k = 0; k < B * T * H; k++)
			c->cache.layer[l].mask[k] =
				(k * 7 + l) % 3 == 0 ? 0 : (real)(1 / 0.6);
}

/* Runs forward and backward once, then checks every gradient; returns the
 * worst error. */
static double lstm_check_all(struct lstm_ctx *c)
{
	int B = c->B, T = c->T, I = c->I, H = c->H, L = c->L, G = 4 * H;
	int bh = B * H, l;
	static real dx[MAXB * MAXT * MAXI], dh0[MAXL * MAXB * MAXH],
		dc0[MAXL * MAXB * MAXH];
	static real dw_ih[MAXL][MAXG * (MAXH > MAXI ? MAXH : MAXI)],
		dw_hh[MAXL][MAXG * MAXH], db_ih[MAXL][MAXG], db_hh[MAXL][MAXG];
	struct nn_lstm_layer dw[MAXL];
	double worst = 0, e;
	char name[64];

	memset(dx, 0, sizeof dx);
	memset(dh0, 0, sizeof dh0);
	memset(dc0, 0, sizeof dc0);
	memset(dw_ih, 0, sizeof dw_ih);
	memset(dw_hh, 0, sizeof dw_hh);
	memset(db_ih, 0, sizeof db_ih);
	memset(db_hh, 0, sizeof db_hh);
	for (l = 0; l < L; l++) {
		dw[l].w_ih = dw_ih[l];
		dw[l].w_hh = dw_hh[l];
		dw[l].b_ih = db_ih[l];
		dw[l].b_hh = db_hh[l];
	}
	lstm_loss(c);
	nn_lstm_backward(dx, c->use_state ? dh0 : NULL,
			 c->use_state ? dc0 : NULL, dw, c->r_out,
			 c->use_state ? c->r_h : NULL,
			 c->use_state ? c->r_c : NULL, &c->cache, c->x, c->w,
			 B, T, I, H, L);

	e = gradcheck("lstm dx", c->x, dx, B * T * I, lstm_loss, c);
	worst = fmax(worst, e);
	if (c->use_state) {
		e = gradcheck("lstm dh0", c->h0, dh0, L * bh, lstm_loss, c);
		worst = fmax(worst, e);
		e = gradcheck("lstm dc0", c->c0, dc0, L * bh, lstm_loss, c);
		worst = fmax(worst, e);
	}
	for (l = 0; l < L; l++) {
		snprintf(name, sizeof name, "lstm weight_ih_l%d", l);
		e = gradcheck(name, c->w_ih[l], dw_ih[l], G * (l ? H : I),
			      lstm_loss, c);
		worst = fmax(worst, e);
		snprintf(name, sizeof name, "lstm weight_hh_l%d", l);
		e = gradcheck(name, c->w_hh[l], dw_hh[l], G * H, lstm_loss, c);
		worst = fmax(worst, e);
		snprintf(name, sizeof name, "lstm bias_ih_l%d", l);
		e = gradcheck(name, c->b_ih[l], db_ih[l], G, lstm_loss, c);
		worst = fmax(worst, e);
		snprintf(name, sizeof name, "lstm bias_hh_l%d", l);
		e = gradcheck(name, c->b_hh[l], db_hh[l], G, lstm_loss, c);
		worst = fmax(worst, e);
	}
	return worst;
}

TEST(two_layers_with_state_and_dropout_match_finite_differences)
{
	static struct lstm_ctx c;

	lstm_setup(&c, 3, 5, 4, 3, 2, 1, 1, 21);
	CHECK(lstm_check_all(&c) < GRADCHECK_TOL);
	free(c.buf);
}

TEST(two_layers_in_eval_mode_match_finite_differences)
{
	static struct lstm_ctx c;

	lstm_setup(&c, 2, 4, 3, 4, 2, 0, 1, 22);
	CHECK(lstm_check_all(&c) < GRADCHECK_TOL);
	free(c.buf);
}

TEST(one_layer_from_zero_state_matches_finite_differences)
{
	static struct lstm_ctx c;

	lstm_setup(&c, 3, 6, 5, 2, 1, 1, 0, 23);
	CHECK(lstm_check_all(&c) < GRADCHECK_TOL);
	free(c.buf);
}

TEST(three_layers_with_dropout_match_finite_differences)
{
	static struct lstm_ctx c;

	lstm_setup(&c, 2, 3, 2, 3, 3, 1, 1, 24);
	CHECK(lstm_check_all(&c) < GRADCHECK_TOL);
	free(c.buf);
}

/* One step from zero state by hand: with zero recurrent weights and
 * biases every gate sees only W_ih x. */
TEST(one_step_matches_the_gate_equations)
{
	enum { H = 1, I = 1 };
	real w_ih[4] = { 0.5, -0.25, 1.0, 2.0 }, w_hh[4] = { 0 }, zero[4] = { 0 };
	struct nn_lstm_layer w = { w_ih, w_hh, zero, zero };
	struct nn_lstm_cache cache;
	real buf[64], x = 0.8, out, h_n, c_n;
	double i, g, o, cc;

	CHECK(nn_lstm_cache_size(1, 1, I, H, 1) <= 64);
	nn_lstm_cache_init(&cache, buf, 1, 1, I, H, 1);
	nn_lstm_forward(&out, &h_n, &c_n, &cache, &x, NULL, NULL, &w, 0, 1, 1,
			I, H, 1);
	i = 1 / (1 + exp(-0.5 * 0.8));
	g = tanh(1.0 * 0.8);
	o = 1 / (1 + exp(-2.0 * 0.8));
	cc = i * g; /* f * c0 with c0 = 0 */
	CHECK_NEAR(c_n, cc, 1e-15);
	CHECK_NEAR(h_n, o * tanh(cc), 1e-15);
	CHECK_NEAR(out, h_n, 0);
}

/* The backward adds into every gradient: a second call on the same
 * forward doubles them all. */
TEST(backward_accumulates_into_every_gradient)
{
	static struct lstm_ctx c;
	enum { NG = MAXB * MAXT * MAXI + 2 * MAXL * MAXB * MAXH +
		    MAXL * (MAXG * (MAXH > MAXI ? MAXH : MAXI) + MAXG * MAXH + 2 * MAXG) };
	static real once[NG], twice[NG];
	real *g[2] = { once, twice };
	struct nn_lstm_layer dw[2][MAXL];
	int B = 2, T = 3, I = 2, H = 3, L = 2, G = 4 * H, k, l, pass, n;
	real *p;

	lstm_setup(&c, B, T, I, H, L, 1, 1, 26);
	memset(once, 0, sizeof once);
	memset(twice, 0, sizeof twice);
	for (pass = 0; pass < 2; pass++) {
		p = g[pass] + B * T * I + 2 * L * B * H;
		for (l = 0; l < L; l++) {
			dw[pass][l].w_ih = p, p += G * (l ? H : I);
			dw[pass][l].w_hh = p, p += G * H;
			dw[pass][l].b_ih = p, p += G;
			dw[pass][l].b_hh = p, p += G;
		}
	}
	n = (int)(p - twice);
	lstm_loss(&c);
	for (k = 0; k < 3; k++) {
		pass = k ? 1 : 0;
		nn_lstm_backward(g[pass], g[pass] + B * T * I,
				 g[pass] + B * T * I + L * B * H, dw[pass],
				 c.r_out, c.r_h, c.r_c, &c.cache, c.x, c.w, B, T,
				 I, H, L);
	}
	for (k = 0; k < n; k++)
		CHECK_NEAR(twice[k], 2 * once[k], 1e-12);
	CHECK(once[0] != 0);
	free(c.buf);
}

/* Training with p = 0 masks and evaluation give the same outputs. */
TEST(masks_of_ones_equal_evaluation)
{
	static struct lstm_ctx c;
	static real eval_out[MAXB * MAXT * MAXH];
	struct tn_rng rng;
	int k, n;

	lstm_setup(&c, 2, 3, 2, 3, 2, 0, 1, 25);
	n = c.B * c.T * c.H;
	lstm_loss(&c);
	memcpy(eval_out, c.out, n * sizeof *c.out);
	tn_rng_seed(&rng, 1);
	nn_lstm_draw_masks(&c.cache, 0, &rng);
	c.train = 1;
	lstm_loss(&c);
	for (k = 0; k < n; k++)
		CHECK_NEAR(c.out[k], eval_out[k], 0);
	free(c.buf);
}

int main(void)
{
	RUN(two_layers_with_state_and_dropout_match_finite_differences);
	RUN(two_layers_in_eval_mode_match_finite_differences);
	RUN(one_layer_from_zero_state_matches_finite_differences);
	RUN(three_layers_with_dropout_match_finite_differences);
	RUN(one_step_matches_the_gate_equations);
	RUN(backward_accumulates_into_every_gradient);
	RUN(masks_of_ones_equal_evaluation);
	return tn_t_done();
}
