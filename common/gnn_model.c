/* gnn_model.c - the GCN-GCN-GAT-linear network of gnn_model.h.
 *
 * Dimension letters as in gnn_model.h: B snapshots, N nodes, F features,
 * D hidden, H heads, C = D / H. */
#include "gnn_model.h"

#include "cli.h"
#include "nn_act.h"
#include "nn_dense.h"
#include "nn_h5.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *gnn_act_name(enum gnn_act act)
{
	return act == GNN_ACT_RELU ? "relu" : "elu";
}

int gnn_act_parse(const char *s, enum gnn_act *act)
{
	if (strcmp(s, "elu") == 0)
		*act = GNN_ACT_ELU;
	else if (strcmp(s, "relu") == 0)
		*act = GNN_ACT_RELU;
	else
		return -1;
	return 0;
}

int gnn_config_check(const struct gnn_config *cfg, char *err, size_t errsz)
{
	if (cfg->nodes < 1 || cfg->nodes > GNN_MAX_NODES)
		snprintf(err, errsz, "nodes %d not in 1..%d", cfg->nodes, GNN_MAX_NODES);
	else if (cfg->features < 1 || cfg->features > GNN_MAX_FEATURES)
		snprintf(err, errsz, "features %d not in 1..%d", cfg->features,
			 GNN_MAX_FEATURES);
	else if (cfg->heads < 1 || cfg->heads > GNN_MAX_HEADS)
		snprintf(err, errsz, "heads %d not in 1..%d", cfg->heads, GNN_MAX_HEADS);
	else if (cfg->hidden < 1 || cfg->hidden > GNN_MAX_HIDDEN ||
		 cfg->hidden % cfg->heads != 0)
		snprintf(err, errsz, "hidden %d is not a multiple of heads %d in 1..%d",
			 cfg->hidden, cfg->heads, GNN_MAX_HIDDEN);
	else if (!(cfg->dropout >= 0 && cfg->dropout < 1))
		snprintf(err, errsz, "dropout %g not in [0, 1)", cfg->dropout);
	else if (cfg->act != GNN_ACT_ELU && cfg->act != GNN_ACT_RELU)
		snprintf(err, errsz, "unknown activation");
	else
		return 0;
	return -1;
}

/* The table of gnn_model.h, filled for cfg into spec[GNN_NTENSORS]. */
static void gnn_table(struct nn_param_spec *spec, const struct gnn_config *cfg)
{
	size_t F = (size_t)cfg->features, D = (size_t)cfg->hidden;
	size_t H = (size_t)cfg->heads, C = D / H;
	const struct nn_param_spec table[GNN_NTENSORS] = {
		[GNN_GCN1_W] = { "gcn1.lin.weight", 2, { D, F } },
		[GNN_GCN1_B] = { "gcn1.bias", 1, { D } },
		[GNN_GCN2_W] = { "gcn2.lin.weight", 2, { D, D } },
		[GNN_GCN2_B] = { "gcn2.bias", 1, { D } },
		[GNN_GAT_W] = { "gat.lin.weight", 2, { D, D } },
		[GNN_GAT_ASRC] = { "gat.att_src", 3, { 1, H, C } },
		[GNN_GAT_ADST] = { "gat.att_dst", 3, { 1, H, C } },
		[GNN_GAT_B] = { "gat.bias", 1, { D } },
		[GNN_HEAD_W] = { "head.weight", 2, { 1, D } },
		[GNN_HEAD_B] = { "head.bias", 1, { 1 } },
	};

	memcpy(spec, table, sizeof table);
}

static int gnn_layout(struct gnn_model *m, const struct gnn_config *cfg,
		      char *err, size_t errsz)
{
	struct nn_param_spec spec[GNN_NTENSORS];

	memset(m, 0, sizeof *m);
	if (gnn_config_check(cfg, err, errsz) < 0)
		return -1;
	m->cfg = *cfg;
	gnn_table(spec, cfg);
	return nn_params_init(&m->params, spec, GNN_NTENSORS, err, errsz);
}

int gnn_model_init(struct gnn_model *m, const struct gnn_config *cfg,
		   struct tn_rng *rng, char *err, size_t errsz)
{
	struct nn_params *p = &m->params;

	if (gnn_layout(m, cfg, err, errsz) < 0)
		return -1;
	/* PyG: GCNConv and GATConv reset with glorot weights (and attention
	 * vectors) and zero biases; nn.Linear: U(-1/sqrt(fan_in), ...). */
	nn_param_init_glorot(p, GNN_GCN1_W, rng);
	nn_param_init_glorot(p, GNN_GCN2_W, rng);
	nn_param_init_glorot(p, GNN_GAT_W, rng);
	nn_param_init_glorot(p, GNN_GAT_ASRC, rng);
	nn_param_init_glorot(p, GNN_GAT_ADST, rng);
	nn_param_init_uniform(p, GNN_HEAD_W, 1.0 / sqrt((double)cfg->hidden), rng);
	nn_param_init_uniform(p, GNN_HEAD_B, 1.0 / sqrt((double)cfg->hidden), rng);
	return 0;
}

void gnn_model_free(struct gnn_model *m)
{
	nn_params_free(&m->params);
	memset(m, 0, sizeof *m);
}

static real *alloc_reals(size_t n)
{
	return xcalloc(n ? n : 1, sizeof(real));
}

void gnn_work_init(struct gnn_work *w, const struct gnn_config *cfg, int bmax)
{
	size_t hid;

	memset(w, 0, sizeof *w);
	w->bmax = bmax;
	w->N = cfg->nodes;
	w->F = cfg->features;
	w->D = cfg->hidden;
	w->H = cfg->heads;
	w->C = cfg->hidden / cfg->heads;
	hid = (size_t)bmax * (size_t)w->N * (size_t)w->D;
	w->normbuf = alloc_reals((size_t)bmax * (size_t)w->N * (size_t)w->N);
	w->gcn = alloc_reals(nn_gcn_workspace_size(bmax, w->N, w->D));
	w->gat_mem = alloc_reals(nn_gat_cache_size(bmax, w->N, w->H, w->C));
	w->z1 = alloc_reals(hid);
	w->a1 = alloc_reals(hid);
	w->m1 = alloc_reals(hid);
	w->d1 = alloc_reals(hid);
	w->z2 = alloc_reals(hid);
	w->a2 = alloc_reals(hid);
	w->m2 = alloc_reals(hid);
	w->d2 = alloc_reals(hid);
	w->z3 = alloc_reals(hid);
	w->a3 = alloc_reals(hid);
	w->m3 = alloc_reals(hid);
	w->d3 = alloc_reals(hid);
	w->pred = alloc_reals((size_t)bmax * (size_t)w->N);
	w->g_d = alloc_reals(hid);
	w->g_z = alloc_reals(hid);
}

void gnn_work_free(struct gnn_work *w)
{
	real *bufs[] = { w->normbuf, w->gcn, w->gat_mem, w->z1, w->a1, w->m1,
			 w->d1, w->z2, w->a2, w->m2, w->d2, w->z3, w->a3,
			 w->m3, w->d3, w->pred, w->g_d, w->g_z };
	size_t k;

	for (k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
		free(bufs[k]);
	memset(w, 0, sizeof *w);
}

static void act_forward(enum gnn_act act, real *y, const real *x, int n)
{
	if (act == GNN_ACT_RELU)
		nn_relu_forward(y, x, n);
	else
		nn_elu_forward(y, x, (real)GNN_ELU_ALPHA, n);
}

/* out = dropout(act(z)).  In training one fused pass computes the
 * activation, draws the mask (four elements per random number,
 * nn_dropout_mask16) and applies it; in evaluation out is a copy of a. */
static void act_dropout_forward(const struct gnn_model *m, real *out, real *a,
				real *mask, const real *z, int n,
				struct tn_rng *rng)
{
	real p = (real)m->cfg.dropout;

	if (!rng) {
		act_forward(m->cfg.act, a, z, n);
		nn_dropout_forward(out, a, NULL, n);
	} else if (m->cfg.act == GNN_ACT_RELU) {
		nn_relu_dropout_forward(out, a, mask, z, p, n, rng);
	} else {
		nn_elu_dropout_forward(out, a, mask, z, (real)GNN_ELU_ALPHA, p, n,
				       rng);
	}
}

void gnn_forward(const struct gnn_model *m, struct gnn_work *w, const real *x,
		 const real *adj, const real *norm, int B, struct tn_rng *rng)
{
	const struct nn_params *p = &m->params;
	int N = w->N, F = w->F, D = w->D, H = w->H, C = w->C;
	int n = B * N * D;

	w->B = B;
	w->train = rng != NULL;
	if (!norm) {
		nn_gcn_norm(w->normbuf, adj, B, N);
		norm = w->normbuf;
	}
	w->norm = norm;
	nn_gcn_forward(w->z1, w->gcn, x, w->norm, nn_param_value(p, GNN_GCN1_W),
		       nn_param_value(p, GNN_GCN1_B), B, N, F, D);
	act_dropout_forward(m, w->d1, w->a1, w->m1, w->z1, n, rng);
	nn_gcn_forward(w->z2, w->gcn, w->d1, w->norm, nn_param_value(p, GNN_GCN2_W),
		       nn_param_value(p, GNN_GCN2_B), B, N, D, D);
	act_dropout_forward(m, w->d2, w->a2, w->m2, w->z2, n, rng);
	nn_gat_cache_bind(&w->gat, w->gat_mem, B, N, H, C);
	nn_gat_forward(w->z3, &w->gat, w->d2, adj, nn_param_value(p, GNN_GAT_W),
		       nn_param_value(p, GNN_GAT_ASRC),
		       nn_param_value(p, GNN_GAT_ADST),
		       nn_param_value(p, GNN_GAT_B), B, N, D, H, C, 1);
	act_dropout_forward(m, w->d3, w->a3, w->m3, w->z3, n, rng);
	nn_dense_forward(w->pred, w->d3, nn_param_value(p, GNN_HEAD_W),
			 nn_param_value(p, GNN_HEAD_B), B * N, D, 1);
}

/* g_z = dLoss/dz from g_d = dLoss/d(dropout(act(z))), a = act(z), in one
 * pass: the fused kernel writes g_z, so it needs no clearing.  Both
 * derivatives follow from a (ReLU's a > 0 is z > 0; ELU's is a + alpha
 * below zero), and the ELU needs no second exp. */
static void act_dropout_backward(const struct gnn_model *m, struct gnn_work *w,
				 const real *mask, const real *a, int n)
{
	if (!w->train)
		mask = NULL;
	if (m->cfg.act == GNN_ACT_RELU)
		nn_relu_dropout_backward(w->g_z, w->g_d, mask, a, n);
	else
		nn_elu_dropout_backward_y(w->g_z, w->g_d, mask, a,
					  (real)GNN_ELU_ALPHA, n);
}

void gnn_backward(struct gnn_model *m, struct gnn_work *w, const real *dpred,
		  const real *x)
{
	struct nn_params *p = &m->params;
	int B = w->B, N = w->N, F = w->F, D = w->D, H = w->H, C = w->C;
	int n = B * N * D;

	/* g_d is cleared before each layer's backward, as those kernels add
	 * into their dx; g_z is written whole by act_dropout_backward. */
	memset(w->g_d, 0, sizeof(real) * (size_t)n);
	nn_dense_backward(w->g_d, nn_param_grad(p, GNN_HEAD_W),
			  nn_param_grad(p, GNN_HEAD_B), dpred, w->d3,
			  nn_param_value(p, GNN_HEAD_W), B * N, D, 1);
	act_dropout_backward(m, w, w->m3, w->a3, n);
	memset(w->g_d, 0, sizeof(real) * (size_t)n);
	nn_gat_backward(w->g_d, nn_param_grad(p, GNN_GAT_W),
			nn_param_grad(p, GNN_GAT_ASRC), nn_param_grad(p, GNN_GAT_ADST),
			nn_param_grad(p, GNN_GAT_B), &w->gat, w->g_z, w->d2,
			nn_param_value(p, GNN_GAT_W), nn_param_value(p, GNN_GAT_ASRC),
			nn_param_value(p, GNN_GAT_ADST), B, N, D, H, C, 1);
	act_dropout_backward(m, w, w->m2, w->a2, n);
	memset(w->g_d, 0, sizeof(real) * (size_t)n);
	nn_gcn_backward(w->g_d, nn_param_grad(p, GNN_GCN2_W),
			nn_param_grad(p, GNN_GCN2_B), w->gcn, w->g_z, w->d1,
			w->norm, nn_param_value(p, GNN_GCN2_W), B, N, D, D);
	act_dropout_backward(m, w, w->m1, w->a1, n);
	nn_gcn_backward(NULL, nn_param_grad(p, GNN_GCN1_W),
			nn_param_grad(p, GNN_GCN1_B), w->gcn, w->g_z, x, w->norm,
			nn_param_value(p, GNN_GCN1_W), B, N, F, D);
}

int gnn_model_write(hid_t file, const struct gnn_model *m, char *err,
		    size_t errsz)
{
	const struct gnn_config *c = &m->cfg;

	if (nn_h5_attr_set_int(file, "gnn_nodes", c->nodes, err, errsz) < 0 ||
	    nn_h5_attr_set_int(file, "gnn_features", c->features, err, errsz) < 0 ||
	    nn_h5_attr_set_int(file, "gnn_hidden", c->hidden, err, errsz) < 0 ||
	    nn_h5_attr_set_int(file, "gnn_heads", c->heads, err, errsz) < 0 ||
	    nn_h5_attr_set_str(file, "gnn_activation", gnn_act_name(c->act), err,
			       errsz) < 0 ||
	    nn_h5_attr_set_double(file, "gnn_dropout", c->dropout, err, errsz) < 0)
		return -1;
	return nn_h5_save_params(file, &m->params, err, errsz);
}

static int read_dim(hid_t file, const char *name, long max, int *out,
		    char *err, size_t errsz)
{
	int64_t v;

	if (nn_h5_attr_get_int(file, name, &v, err, errsz) < 0)
		return -1;
	if (v < 1 || v > max) {
		snprintf(err, errsz, "attribute %s: %lld not in 1..%ld", name,
			 (long long)v, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int gnn_model_read(hid_t file, struct gnn_model *m, char *err, size_t errsz)
{
	struct gnn_config cfg = { 0 };
	char *act;
	int rc;

	memset(m, 0, sizeof *m);
	if (read_dim(file, "gnn_nodes", GNN_MAX_NODES, &cfg.nodes, err, errsz) < 0 ||
	    read_dim(file, "gnn_features", GNN_MAX_FEATURES, &cfg.features, err,
		     errsz) < 0 ||
	    read_dim(file, "gnn_hidden", GNN_MAX_HIDDEN, &cfg.hidden, err, errsz) < 0 ||
	    read_dim(file, "gnn_heads", GNN_MAX_HEADS, &cfg.heads, err, errsz) < 0 ||
	    nn_h5_attr_get_double(file, "gnn_dropout", &cfg.dropout, err, errsz) < 0)
		return -1;
	act = nn_h5_attr_get_str(file, "gnn_activation", err, errsz);
	if (!act)
		return -1;
	rc = gnn_act_parse(act, &cfg.act);
	free(act);
	if (rc < 0) {
		snprintf(err, errsz, "attribute gnn_activation: unknown activation");
		return -1;
	}
	if (gnn_layout(m, &cfg, err, errsz) < 0)
		return -1;
	if (nn_h5_load_params(file, &m->params, err, errsz) < 0) {
		gnn_model_free(m);
		return -1;
	}
	return 0;
}
