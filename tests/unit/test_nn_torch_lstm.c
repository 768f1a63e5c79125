/* Unit tests (float build): common/nn_dense.c, nn_act.c and nn_lstm.c
 * against PyTorch.  The reference tensors come from
 * tests/ref/torch_dense_lstm.py (run once; its output is the committed
 * fixtures/torch_dense_lstm.h): the same weights and inputs, forward
 * outputs and the gradients of fixed weighted-sum losses. */
#include "nn_act.h"
#include "nn_dense.h"
#include "nn_lstm.h"
#include "tn_test.h"

#include "fixtures/torch_dense_lstm.h"

/* float32 against float32: summation order differs from PyTorch's, so
 * agreement is to a few ulps of the largest terms, not bitwise. */
#define TORCH_TOL 1e-5

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Compares n values with CHECK_NEAR semantics; reports the first bad one
 * and the worst error as a TAP comment. */
static void check_all(const char *what, const real *got, const float *want,
		      int n)
{
	double worst = 0;
	int k, bad = -1;

	for (k = 0; k < n; k++) {
		double w = want[k], scale = fabs(w) > 1 ? fabs(w) : 1;
		double err = fabs((double)got[k] - w) / scale;

		if (!(err <= TORCH_TOL) && bad < 0)
			bad = k;
		if (!(err <= worst))
			worst = err;
	}
	printf("# %s: n=%d worst err %.3g\n", what, n, worst);
	if (bad >= 0)
		FAILF("%s[%d] == %.9g, want %.9g (tol %g)", what, bad,
		      (double)got[bad], (double)want[bad], TORCH_TOL);
}

TEST(dense_matches_torch_linear)
{
	real y[DENSE_N * DENSE_O];
	real dx[DENSE_N * DENSE_I] = { 0 }, dW[DENSE_O * DENSE_I] = { 0 },
	     db[DENSE_O] = { 0 };

	nn_dense_forward(y, dense_x, dense_weight, dense_bias, DENSE_N,
			 DENSE_I, DENSE_O);
	check_all("dense y", y, dense_y, NELEM(dense_y));
	nn_dense_backward(dx, dW, db, dense_r, dense_x, dense_weight, DENSE_N,
			  DENSE_I, DENSE_O);
	check_all("dense dx", dx, dense_dx, NELEM(dense_dx));
	check_all("dense dweight", dW, dense_dweight, NELEM(dense_dweight));
	check_all("dense dbias", db, dense_dbias, NELEM(dense_dbias));
}

TEST(activations_match_torch)
{
	real y[ACT_N], dx[ACT_N];

	nn_relu_forward(y, act_x, ACT_N);
	memset(dx, 0, sizeof dx);
	nn_relu_backward(dx, act_r, act_x, ACT_N);
	check_all("relu y", y, act_relu_y, ACT_N);
	check_all("relu dx", dx, act_relu_dx, ACT_N);

	nn_leaky_relu_forward(y, act_x, ACT_LEAKY_SLOPE, ACT_N);
	memset(dx, 0, sizeof dx);
	nn_leaky_relu_backward(dx, act_r, act_x, ACT_LEAKY_SLOPE, ACT_N);
	check_all("leaky_relu y", y, act_leaky_relu_y, ACT_N);
	check_all("leaky_relu dx", dx, act_leaky_relu_dx, ACT_N);

	nn_elu_forward(y, act_x, ACT_ELU_ALPHA, ACT_N);
	memset(dx, 0, sizeof dx);
	nn_elu_backward(dx, act_r, act_x, ACT_ELU_ALPHA, ACT_N);
	check_all("elu y", y, act_elu_y, ACT_N);
	check_all("elu dx", dx, act_elu_dx, ACT_N);

	nn_tanh_forward(y, act_x, ACT_N);
	memset(dx, 0, sizeof dx);
	nn_tanh_backward(dx, act_r, y, ACT_N);
	check_all("tanh y", y, act_tanh_y, ACT_N);
	check_all("tanh dx", dx, act_tanh_dx, ACT_N);

	nn_sigmoid_forward(y, act_x, ACT_N);
	memset(dx, 0, sizeof dx);
	nn_sigmoid_backward(dx, act_r, y, ACT_N);
	check_all("sigmoid y", y, act_sigmoid_y, ACT_N);
	check_all("sigmoid dx", dx, act_sigmoid_dx, ACT_N);
}

enum { G4 = 4 * LSTM_H, BTH = LSTM_B * LSTM_T * LSTM_H, LBH = LSTM_L * LSTM_B * LSTM_H };

/* The fixture's parameters, copied into writable arrays (the layer struct
 * holds plain pointers), and their gradients. */
struct torch_lstm {
	real w_ih0[G4 * LSTM_I], w_hh0[G4 * LSTM_H], b_ih0[G4], b_hh0[G4];
	real w_ih1[G4 * LSTM_H], w_hh1[G4 * LSTM_H], b_ih1[G4], b_hh1[G4];
	real d_ih0[G4 * LSTM_I], d_hh0[G4 * LSTM_H], db_ih0[G4], db_hh0[G4];
	real d_ih1[G4 * LSTM_H], d_hh1[G4 * LSTM_H], db_ih1[G4], db_hh1[G4];
	struct nn_lstm_layer w[LSTM_L], dw[LSTM_L];
	real out[BTH], h_n[LBH], c_n[LBH], dx[LSTM_B * LSTM_T * LSTM_I],
	     dh0[LBH], dc0[LBH];
};

/* One forward and backward of the fixture's stack: train = 1 uses the
 * fixture's fixed dropout mask. */
static void run_torch_lstm(struct torch_lstm *m, int train)
{
	static real buf[8192];
	struct nn_lstm_cache cache;

	memset(m, 0, sizeof *m);
	memcpy(m->w_ih0, lstm_weight_ih_l0, sizeof m->w_ih0);
	memcpy(m->w_hh0, lstm_weight_hh_l0, sizeof m->w_hh0);
	memcpy(m->b_ih0, lstm_bias_ih_l0, sizeof m->b_ih0);
	memcpy(m->b_hh0, lstm_bias_hh_l0, sizeof m->b_hh0);
	memcpy(m->w_ih1, lstm_weight_ih_l1, sizeof m->w_ih1);
	memcpy(m->w_hh1, lstm_weight_hh_l1, sizeof m->w_hh1);
	memcpy(m->b_ih1, lstm_bias_ih_l1, sizeof m->b_ih1);
	memcpy(m->b_hh1, lstm_bias_hh_l1, sizeof m->b_hh1);
	m->w[0] = (struct nn_lstm_layer){ m->w_ih0, m->w_hh0, m->b_ih0, m->b_hh0 };
	m->w[1] = (struct nn_lstm_layer){ m->w_ih1, m->w_hh1, m->b_ih1, m->b_hh1 };
	m->dw[0] = (struct nn_lstm_layer){ m->d_ih0, m->d_hh0, m->db_ih0, m->db_hh0 };
	m->dw[1] = (struct nn_lstm_layer){ m->d_ih1, m->d_hh1, m->db_ih1, m->db_hh1 };

	if (nn_lstm_cache_size(LSTM_B, LSTM_T, LSTM_I, LSTM_H, LSTM_L) >
	    sizeof buf / sizeof buf[0]) {
		FAILF("cache buffer too small");
		return;
	}
	nn_lstm_cache_init(&cache, buf, LSTM_B, LSTM_T, LSTM_I, LSTM_H, LSTM_L);
	if (train)
		memcpy(cache.layer[0].mask, drop_mask, sizeof drop_mask);
	nn_lstm_forward(m->out, m->h_n, m->c_n, &cache, lstm_x, lstm_h0,
			lstm_c0, m->w, train, LSTM_B, LSTM_T, LSTM_I, LSTM_H,
			LSTM_L);
	nn_lstm_backward(m->dx, m->dh0, m->dc0, m->dw, lstm_r_out, lstm_r_h,
			 lstm_r_c, &cache, lstm_x, m->w, LSTM_B, LSTM_T, LSTM_I,
			 LSTM_H, LSTM_L);
}

TEST(lstm_matches_torch_lstm)
{
	static struct torch_lstm m;

	run_torch_lstm(&m, 0);
	check_all("lstm out", m.out, lstm_out, NELEM(lstm_out));
	check_all("lstm h_n", m.h_n, lstm_h_n, NELEM(lstm_h_n));
	check_all("lstm c_n", m.c_n, lstm_c_n, NELEM(lstm_c_n));
	check_all("lstm dx", m.dx, lstm_dx, NELEM(lstm_dx));
	check_all("lstm dh0", m.dh0, lstm_dh0, NELEM(lstm_dh0));
	check_all("lstm dc0", m.dc0, lstm_dc0, NELEM(lstm_dc0));
	check_all("lstm dweight_ih_l0", m.d_ih0, lstm_dweight_ih_l0, NELEM(lstm_dweight_ih_l0));
	check_all("lstm dweight_hh_l0", m.d_hh0, lstm_dweight_hh_l0, NELEM(lstm_dweight_hh_l0));
	check_all("lstm dbias_ih_l0", m.db_ih0, lstm_dbias_ih_l0, NELEM(lstm_dbias_ih_l0));
	check_all("lstm dbias_hh_l0", m.db_hh0, lstm_dbias_hh_l0, NELEM(lstm_dbias_hh_l0));
	check_all("lstm dweight_ih_l1", m.d_ih1, lstm_dweight_ih_l1, NELEM(lstm_dweight_ih_l1));
	check_all("lstm dweight_hh_l1", m.d_hh1, lstm_dweight_hh_l1, NELEM(lstm_dweight_hh_l1));
	check_all("lstm dbias_ih_l1", m.db_ih1, lstm_dbias_ih_l1, NELEM(lstm_dbias_ih_l1));
	check_all("lstm dbias_hh_l1", m.db_hh1, lstm_dbias_hh_l1, NELEM(lstm_dbias_hh_l1));
}

TEST(lstm_with_a_fixed_dropout_mask_matches_torch)
{
	static struct torch_lstm m;

	run_torch_lstm(&m, 1);
	check_all("drop out", m.out, drop_out, NELEM(drop_out));
	check_all("drop h_n", m.h_n, drop_h_n, NELEM(drop_h_n));
	check_all("drop c_n", m.c_n, drop_c_n, NELEM(drop_c_n));
	check_all("drop dx", m.dx, drop_dx, NELEM(drop_dx));
	check_all("drop dh0", m.dh0, drop_dh0, NELEM(drop_dh0));
	check_all("drop dc0", m.dc0, drop_dc0, NELEM(drop_dc0));
	check_all("drop dweight_ih_l0", m.d_ih0, drop_dweight_ih_l0, NELEM(drop_dweight_ih_l0));
	check_all("drop dweight_hh_l0", m.d_hh0, drop_dweight_hh_l0, NELEM(drop_dweight_hh_l0));
	check_all("drop dbias_ih_l0", m.db_ih0, drop_dbias_ih_l0, NELEM(drop_dbias_ih_l0));
	check_all("drop dbias_hh_l0", m.db_hh0, drop_dbias_hh_l0, NELEM(drop_dbias_hh_l0));
	check_all("drop dweight_ih_l1", m.d_ih1, drop_dweight_ih_l1, NELEM(drop_dweight_ih_l1));
	check_all("drop dweight_hh_l1", m.d_hh1, drop_dweight_hh_l1, NELEM(drop_dweight_hh_l1));
	check_all("drop dbias_ih_l1", m.db_ih1, drop_dbias_ih_l1, NELEM(drop_dbias_ih_l1));
	check_all("drop dbias_hh_l1", m.db_hh1, drop_dbias_hh_l1, NELEM(drop_dbias_hh_l1));
}

int main(void)
{
	RUN(dense_matches_torch_linear);
	RUN(activations_match_torch);
	RUN(lstm_matches_torch_lstm);
	RUN(lstm_with_a_fixed_dropout_mask_matches_torch);
	return tn_t_done();
}
