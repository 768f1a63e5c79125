/* Unit tests (float build): common/lstm_model.c against PyTorch.  The
 * reference comes from tests/ref/torch_lstm_model.py (run once; its output
 * is the committed fixtures/torch_lstm_model.h): the same forecaster on the
 * same weights and inputs, its outputs and the gradients of sum(y * r)
 * w.r.t. every parameter, in evaluation and in training under fixed
 * dropout masks.  The arena's table must also be the state_dict: the same
 * keys in the same order with the same sizes. */
#include "lstm_model.h"
#include "tn_test.h"

#include "fixtures/torch_lstm_model.h"

/* float32 against float32: summation order differs from PyTorch's, so
 * agreement is to a few ulps of the largest terms, not bitwise. */
#define TORCH_TOL 1e-5

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

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

static int model_setup(struct lstm_model *m, struct lstm_work *w)
{
	struct lstm_model_config c;
	char err[256];
	size_t i;

	c.inputs = TM_I;
	c.hidden = TM_H;
	c.layers = TM_L;
	c.fc = TM_F;
	c.horizon = TM_Z;
	c.context = TM_T;
	c.dropout = TM_DROPOUT_P;
	if (lstm_model_init(m, &c, err, sizeof err) < 0) {
		FAILF("lstm_model_init: %s", err);
		return -1;
	}
	if (m->params.n != (size_t)NELEM(tm_params)) {
		FAILF("%zu tensors, PyTorch's state_dict has %d", m->params.n,
		      NELEM(tm_params));
		lstm_model_free(m);
		return -1;
	}
	for (i = 0; i < m->params.n; i++) {
		CHECK_STR(m->params.table[i].name, tm_params[i].name);
		CHECK_INT(nn_param_numel(&m->params, i), tm_params[i].n);
		for (int k = 0; k < tm_params[i].n; k++)
			nn_param_value(&m->params, i)[k] = tm_params[i].value[k];
	}
	lstm_work_init(w, m, TM_B);
	return 0;
}

static void check_grads(const struct lstm_model *m, int train)
{
	size_t i;
	char what[64];

	for (i = 0; i < m->params.n; i++) {
		snprintf(what, sizeof what, "%s d%s", train ? "train" : "eval",
			 tm_params[i].name);
		check_all(what, nn_param_grad(&m->params, i),
			  train ? tm_params[i].d_train : tm_params[i].d_eval,
			  tm_params[i].n);
	}
}

TEST(state_dict_keys_and_shapes_are_pytorchs)
{
	struct lstm_model m;
	struct lstm_work w;

	if (model_setup(&m, &w) < 0)
		return;
	CHECK_INT(m.params.table[0].shape[0], 4 * TM_H);
	CHECK_INT(m.params.table[0].shape[1], TM_I);
	CHECK_INT(m.params.table[4].shape[1], TM_H);
	CHECK_INT(m.params.table[8].shape[0], TM_F);
	CHECK_INT(m.params.table[8].shape[1], TM_H);
	CHECK_INT(m.params.table[10].shape[0], TM_Z);
	CHECK_INT(m.params.table[10].shape[1], TM_F);
	lstm_work_free(&w);
	lstm_model_free(&m);
}

TEST(evaluation_forward_and_gradients_match_torch)
{
	struct lstm_model m;
	struct lstm_work w;
	real y[TM_B * TM_Z], x[TM_B * TM_T * TM_I], r[TM_B * TM_Z];
	int k;

	if (model_setup(&m, &w) < 0)
		return;
	for (k = 0; k < NELEM(x); k++)
		x[k] = tm_x[k];
	for (k = 0; k < NELEM(r); k++)
		r[k] = tm_r[k];
	lstm_model_forward(y, &w, x, &m, TM_B, 0, NULL);
	check_all("eval y", y, tm_y_eval, NELEM(tm_y_eval));
	nn_params_zero_grad(&m.params);
	lstm_model_backward(&m, &w, r, x, 0);
	check_grads(&m, 0);
	lstm_work_free(&w);
	lstm_model_free(&m);
}

TEST(training_forward_and_gradients_match_torch_under_fixed_masks)
{
	struct lstm_model m;
	struct lstm_work w;
	real y[TM_B * TM_Z], x[TM_B * TM_T * TM_I], r[TM_B * TM_Z];
	int k;

	if (model_setup(&m, &w) < 0)
		return;
	for (k = 0; k < NELEM(x); k++)
		x[k] = tm_x[k];
	for (k = 0; k < NELEM(r); k++)
		r[k] = tm_r[k];
	for (k = 0; k < NELEM(tm_mask_l0); k++)
		w.cache.layer[0].mask[k] = tm_mask_l0[k];
	for (k = 0; k < NELEM(tm_mask_fc); k++)
		w.mask1[k] = tm_mask_fc[k];
	lstm_model_forward(y, &w, x, &m, TM_B, 2, NULL);
	check_all("train y", y, tm_y_train, NELEM(tm_y_train));
	nn_params_zero_grad(&m.params);
	lstm_model_backward(&m, &w, r, x, 0);
	check_grads(&m, 1);
	lstm_work_free(&w);
	lstm_model_free(&m);
}

int main(void)
{
	RUN(state_dict_keys_and_shapes_are_pytorchs);
	RUN(evaluation_forward_and_gradients_match_torch);
	RUN(training_forward_and_gradients_match_torch_under_fixed_masks);
	return tn_t_done();
}
