/* gnn_model.h - the per-symbol graph network of gnn-train and gnn-predict:
 * two GCN layers, one multi-head GAT layer and a linear head that predicts
 * each node's standardised forward log return, composed from the kernels
 * of nn_graph.h, nn_act.h and nn_dense.h.
 *
 * Dimension letters:
 *   B  snapshots (trading days) in a batch, B <= the workspace's Bmax
 *   N  nodes: the target symbol (node 0) and its peers
 *   F  input features per node
 *   D  hidden width (GCN channels; the GAT's heads concatenated)
 *   H  GAT heads
 *   C  GAT channels per head, D / H
 *
 * The network, in PyTorch Geometric terms (adj[b][i][j] = edge j -> i,
 * dense, self loops added by the layers; nn_graph.h):
 *
 *   z1 = GCNConv(F, D)(x, adj)          d1 = dropout(act(z1))
 *   z2 = GCNConv(D, D)(d1, adj)         d2 = dropout(act(z2))
 *   z3 = GATConv(D, C, heads=H, concat=True)(d2, adj)
 *                                       d3 = dropout(act(z3))
 *   pred = Linear(D, 1)(d3)             (B, N), one value per node
 *
 * act is ELU (alpha 1, the default: smooth, so gradients do not die on
 * standardised inputs that are half negative) or ReLU.  Dropout is
 * PyTorch's inverted dropout after each activation, in training only.
 *
 * Parameters (state_dict keys and PyTorch/PyG shapes):
 *   gcn1.lin.weight (D, F)   gcn1.bias (D)
 *   gcn2.lin.weight (D, D)   gcn2.bias (D)
 *   gat.lin.weight (D, D)    gat.att_src (1, H, C)   gat.att_dst (1, H, C)
 *   gat.bias (D)
 *   head.weight (1, D)       head.bias (1)
 * Initialised as PyG and PyTorch do: glorot for the GCN and GAT weights
 * and attention vectors, zeros for their biases, U(-1/sqrt(D), 1/sqrt(D))
 * for the head (nn.Linear's default).
 *
 * Lifecycle: gnn_model_init (or gnn_model_read from a file), gnn_work_init
 * for a batch size, then per step gnn_forward, a loss filling dpred,
 * gnn_backward (accumulates into params.grad), an optimiser step; free
 * both at the end. */
#ifndef TN_GNN_MODEL_H
#define TN_GNN_MODEL_H

#include "nn_graph.h"
#include "nn_param.h"
#include "real.h"
#include "rng.h"

#include <hdf5.h>
#include <stddef.h>

/* The format name and version in every gnn model file (nn_h5.h). */
#define GNN_FORMAT "tickernet-gnn"
#define GNN_FORMAT_VERSION 1

/* Defaults of the architecture (gnn-train's options). */
#define GNN_DEFAULT_HIDDEN 64
#define GNN_DEFAULT_HEADS 4
#define GNN_DEFAULT_DROPOUT 0.1
/* Largest widths a file may ask for, so a corrupt attribute cannot make
 * the reader allocate without bound. */
#define GNN_MAX_NODES 256
#define GNN_MAX_FEATURES 256
#define GNN_MAX_HIDDEN 4096
#define GNN_MAX_HEADS 64

enum gnn_act { GNN_ACT_ELU, GNN_ACT_RELU };

/* The ELU's alpha (nn.ELU's default). */
#define GNN_ELU_ALPHA 1.0

struct gnn_config {
	int nodes;       /* N */
	int features;    /* F */
	int hidden;      /* D, a multiple of heads */
	int heads;       /* H */
	enum gnn_act act;
	double dropout;  /* p in [0, 1) */
};

/* The tensors of the table, in order. */
enum gnn_tensor {
	GNN_GCN1_W, GNN_GCN1_B, GNN_GCN2_W, GNN_GCN2_B,
	GNN_GAT_W, GNN_GAT_ASRC, GNN_GAT_ADST, GNN_GAT_B,
	GNN_HEAD_W, GNN_HEAD_B, GNN_NTENSORS
};

struct gnn_model {
	struct gnn_config cfg;
	struct nn_params params; /* the table above */
};

/* What the forward keeps for the backward, for up to bmax snapshots.
 * Every (B, N, D) buffer is sized for bmax. */
struct gnn_work {
	int bmax, B, N, F, D, H, C;
	int train;             /* the last forward drew dropout masks */
	const real *norm;      /* (B, N, N) GCN-normalised adjacency: the
				  caller's, or normbuf */
	real *normbuf;
	real *gcn;             /* nn_gcn_workspace_size(B, N, D) */
	real *gat_mem;         /* nn_gat_cache_size(B, N, H, C) */
	struct nn_gat_cache gat;
	real *z1, *a1, *m1, *d1; /* (B, N, D) layer 1: pre-activation,
				    activation, dropout mask, output */
	real *z2, *a2, *m2, *d2; /* (B, N, D) layer 2 */
	real *z3, *a3, *m3, *d3; /* (B, N, D) GAT layer */
	real *pred;            /* (B, N) the head's output */
	real *g_d, *g_z;       /* (B, N, D) backward scratch: the gradient
				  at a layer's output d and at its z */
};

/* "elu" / "relu"; parse returns 0 or -1. */
const char *gnn_act_name(enum gnn_act act);
int gnn_act_parse(const char *s, enum gnn_act *act);

/* Checks cfg; returns 0, or -1 with a one-line reason in err. */
int gnn_config_check(const struct gnn_config *cfg, char *err, size_t errsz);

/* Lays out the parameters and initialises them from rng.  Returns 0, or
 * -1 with err set (a bad config). */
int gnn_model_init(struct gnn_model *m, const struct gnn_config *cfg,
		   struct tn_rng *rng, char *err, size_t errsz);
void gnn_model_free(struct gnn_model *m);

/* Workspace for batches of up to bmax snapshots.  Out of memory exits. */
void gnn_work_init(struct gnn_work *w, const struct gnn_config *cfg, int bmax);
void gnn_work_free(struct gnn_work *w);

/* pred = w->pred (B, N).  norm is nn_gcn_norm of adj, precomputed (a
 * trainer visits each snapshot once an epoch), or NULL to have it
 * computed here.  rng non-NULL: training (dropout masks drawn from it);
 * NULL: evaluation.  B <= w->bmax.  x, adj and norm must stay as they are
 * until the matching gnn_backward. */
void gnn_forward(const struct gnn_model *m, struct gnn_work *w,
		 const real *x /* (B, N, F) */,
		 const real *adj /* (B, N, N) */,
		 const real *norm /* (B, N, N) or NULL */, int B,
		 struct tn_rng *rng);

/* Accumulates dLoss/dparams into m->params.grad from dpred = dLoss/dpred,
 * using what the last gnn_forward on the same x kept in w. */
void gnn_backward(struct gnn_model *m, struct gnn_work *w,
		  const real *dpred /* (B, N) */,
		  const real *x /* (B, N, F) */);

/* The architecture as root attributes of a model file (gnn_nodes,
 * gnn_features, gnn_hidden, gnn_heads, gnn_activation, gnn_dropout) and
 * the parameters under /state_dict.  Returns 0, or -1 with err set. */
int gnn_model_write(hid_t file, const struct gnn_model *m, char *err,
		    size_t errsz);
/* Builds a model from those attributes and loads its parameters (shapes
 * checked, Fletcher32 verified).  The format must already be checked. */
int gnn_model_read(hid_t file, struct gnn_model *m, char *err, size_t errsz);

#endif
