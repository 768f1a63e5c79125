/* nn_graph.h - graph layers over small dense graphs: GCN and GAT with the
 * semantics of PyTorch Geometric's GCNConv and GATConv.
 *
 * Dimension letters:
 *   B  snapshots in a batch (one graph each)
 *   N  nodes per snapshot (the target symbol and its peers)
 *   F  input features per node
 *   O  GCN output channels
 *   H  GAT heads
 *   C  GAT output channels per head
 *
 * Batching is dense: snapshot b's graph is the (N, N) matrix adj[b], and
 * adj[b][i][j] is the weight of the edge j -> i, so row i lists what node i
 * aggregates from (PyG's edge_index[0] = j, source; edge_index[1] = i,
 * target).  This is the convention of PyG's DenseGCNConv and DenseGATConv;
 * note that PyG's dense_to_sparse(adj) reads adj[i][j] as i -> j, the
 * transpose.  For a symmetric correlation graph the direction does not
 * matter.  Both layers add self loops as PyG does by default; the diagonal
 * of adj is ignored and the loop always has weight 1 (PyG's result for an
 * input without self loops).  The adjacency is data: it gets no gradient.
 *
 * Parameter names and layouts are PyG's, so a model file reads in Python
 * without reshaping:
 *   GCNConv  lin.weight (O, F), bias (O)
 *   GATConv  lin.weight (H*C, F) (lin_src.weight before PyG 2.5),
 *            att_src (1, H, C), att_dst (1, H, C), bias (H*C) or (C)
 *
 * Kernels neither allocate nor keep state: the caller passes workspaces
 * sized by the *_size functions.  Backward passes accumulate (+=) into
 * every gradient; a NULL gradient pointer skips that gradient. */
#ifndef TN_NN_GRAPH_H
#define TN_NN_GRAPH_H

#include "real.h"

#include <stddef.h>

/* LeakyReLU slope of GAT's attention logits (PyG's negative_slope). */
#define NN_GAT_NEGATIVE_SLOPE 0.2

/* ---- GCN ---------------------------------------------------------------
 *
 *   Â = A + I,  D̂_ii = Σ_j Â_ij,  Ã = D̂^{-1/2} Â D̂^{-1/2}
 *   out = Ã (X Θ^T) + b
 */

/* The normalised adjacency Ã of every snapshot; computed once per snapshot
 * and passed to the forward and backward passes.  A node whose degree is
 * not positive (only possible with negative weights) gets D̂^{-1/2} = 0, as
 * PyG masks the infinity. */
void nn_gcn_norm(real *norm /* (B, N, N) */, const real *adj /* (B, N, N) */,
		 int B, int N);

/* Reals of the workspace nn_gcn_forward and nn_gcn_backward take. */
size_t nn_gcn_workspace_size(int B, int N, int O);

void nn_gcn_forward(real *out /* (B, N, O) */,
		    real *work /* nn_gcn_workspace_size */,
		    const real *x /* (B, N, F) */,
		    const real *norm /* (B, N, N) from nn_gcn_norm */,
		    const real *weight /* (O, F) */,
		    const real *bias /* (O), or NULL for none */,
		    int B, int N, int F, int O);

void nn_gcn_backward(real *dx /* (B, N, F), or NULL */,
		     real *dweight /* (O, F) */,
		     real *dbias /* (O), or NULL */,
		     real *work /* nn_gcn_workspace_size */,
		     const real *dout /* (B, N, O) */,
		     const real *x /* (B, N, F) */,
		     const real *norm /* (B, N, N) */,
		     const real *weight /* (O, F) */,
		     int B, int N, int F, int O);

/* ---- GAT ---------------------------------------------------------------
 *
 *   X' = X W^T                                  (B, N, H*C)
 *   per head h, for j in N(i) ∪ {i}:
 *     e_ij = LeakyReLU_0.2(a_dst[h]·x'_i[h] + a_src[h]·x'_j[h])
 *     α_ij = exp(e_ij) / Σ_k exp(e_ik)      (k over N(i) ∪ {i} only)
 *     out_i[h] = Σ_j α_ij x'_j[h]
 *   heads concatenated (B, N, H*C) or averaged (B, N, C), then + bias.
 *
 * Non-edges are excluded from the softmax (their α is exactly 0, as with
 * -inf logits), so an isolated node attends only to itself.  adj is a mask
 * here: any nonzero entry is an edge; GATConv ignores edge weights.
 * Attention dropout is not implemented (PyG's default, dropout = 0). */

/* What the forward keeps for the backward, and the backward's scratch.
 * nn_gat_cache_bind carves these from one caller-allocated block of
 * nn_gat_cache_size reals. */
struct nn_gat_cache {
	real *xp;       /* (B, N, H*C) X' = X W^T */
	/* head-major: a head's scores over the nodes are one vector */
	real *s_src;    /* (B, H, N) a_src[h]·x'_j[h] */
	real *s_dst;    /* (B, H, N) a_dst[h]·x'_i[h] */
	/* source-major: α_ij at [b][h][j][i], so that a source's weights
	 * over all targets are one vector */
	real *alpha;    /* (B, H, N, N) attention, 0 off the edges */
	real *dxp;      /* (B, N, H*C) backward scratch */
	real *dalpha;   /* (N, N) backward scratch */
	real *ds_src;   /* (N) backward scratch */
	real *ds_dst;   /* (N) backward scratch */
};

size_t nn_gat_cache_size(int B, int N, int H, int C);
void nn_gat_cache_bind(struct nn_gat_cache *cache,
		       real *mem /* nn_gat_cache_size */,
		       int B, int N, int H, int C);

/* concat != 0: out is (B, N, H*C) and bias (H*C); concat == 0: out is
 * (B, N, C), the mean over heads, and bias (C). */
void nn_gat_forward(real *out /* (B, N, H*C) or (B, N, C) */,
		    struct nn_gat_cache *cache,
		    const real *x /* (B, N, F) */,
		    const real *adj /* (B, N, N) */,
		    const real *weight /* (H*C, F) */,
		    const real *att_src /* (H, C) */,
		    const real *att_dst /* (H, C) */,
		    const real *bias /* (H*C) or (C), or NULL for none */,
		    int B, int N, int F, int H, int C, int concat);

/* Uses the cache of the forward pass on the same inputs (the attention in
 * it already carries the adjacency: α is 0 off the edges). */
void nn_gat_backward(real *dx /* (B, N, F), or NULL */,
		     real *dweight /* (H*C, F) */,
		     real *datt_src /* (H, C) */,
		     real *datt_dst /* (H, C) */,
		     real *dbias /* (H*C) or (C), or NULL */,
		     struct nn_gat_cache *cache,
		     const real *dout /* (B, N, H*C) or (B, N, C) */,
		     const real *x /* (B, N, F) */,
		     const real *weight /* (H*C, F) */,
		     const real *att_src /* (H, C) */,
		     const real *att_dst /* (H, C) */,
		     int B, int N, int F, int H, int C, int concat);

#endif
