/* nn_loss.h - training losses: MSE, Huber, and two differentiable
 * cross-sectional ranking losses (IC and pairwise rank).
 *
 * Dimension letters:
 *   n  elements (any shape, flattened)
 *   B  snapshots (trading days) in a batch
 *   N  nodes (symbols) per snapshot
 *
 * Every loss returns its scalar value and ADDS weight * d(loss)/d(pred)
 * into dpred (NULL: value only), so a combined objective such as
 *   mse + 0.1 * ic
 * is two calls on one zeroed dpred with weights 1 and 0.1.  Zeroing dpred
 * is the caller's job.
 *
 * mask (optional, NULL for none) marks the elements that have a target:
 * nonzero = present.  Masked-out elements contribute nothing and get no
 * gradient; means are over present elements only.  A loss with nothing to
 * average over (no present element; no snapshot with two present nodes)
 * is 0 with no gradient.
 *
 * Why not Spearman's rank correlation itself: ranks are piecewise constant
 * in the predictions, so its gradient is zero almost everywhere and
 * undefined at ties - gradient descent gets no signal from it.  The two
 * ranking losses below are smooth or piecewise-linear stand-ins:
 *   - IC loss, 1 - Pearson correlation across the nodes of a snapshot: the
 *     correlation of the values instead of their ranks; scale- and
 *     shift-invariant in the predictions like Spearman, and differentiable.
 *   - pairwise rank loss (Feng et al. 2019, "Temporal Relational Ranking
 *     for Stock Prediction"): a hinge on every pair ordered the wrong way,
 *     a convex surrogate for the count of discordant pairs that Kendall's
 *     tau (and, closely, Spearman's rho) measures. */
#ifndef TN_NN_LOSS_H
#define TN_NN_LOSS_H

#include "real.h"

/* Default ε of the IC loss, added to both variances (see nn_ic_loss).  Daily
 * returns have variances near 1e-4; 1e-6 leaves a correlation of that scale
 * within 1% and keeps the gradient finite when a model's predictions are
 * (near) constant across the cross-section, as at initialisation. */
#define NN_IC_EPS 1e-6

/* Default δ of the Huber loss (PyTorch's HuberLoss default). */
#define NN_HUBER_DELTA 1.0

/* Mean over present elements of (pred - target)^2. */
double nn_mse_loss(real *dpred /* (n), or NULL */, const real *pred /* (n) */,
		   const real *target /* (n) */, const real *mask /* (n), or NULL */,
		   real weight, int n);

/* PyTorch's HuberLoss(delta, reduction='mean'): with r = pred - target,
 *   l = r^2 / 2              if |r| < delta
 *       delta (|r| - delta/2) otherwise,
 * averaged over present elements.  delta > 0. */
double nn_huber_loss(real *dpred /* (n), or NULL */, const real *pred /* (n) */,
		     const real *target /* (n) */, const real *mask /* (n), or NULL */,
		     real delta, real weight, int n);

/* IC loss: per snapshot, over its present nodes (at least 2),
 *   corr = cov(p, y) / sqrt((var(p) + eps) (var(y) + eps))
 * (population moments), loss = mean over those snapshots of 1 - corr.
 * eps > 0 guards a zero variance (NN_IC_EPS is the default); it biases the
 * correlation towards 0 only when a variance is comparable to it. */
double nn_ic_loss(real *dpred /* (B, N), or NULL */, const real *pred /* (B, N) */,
		  const real *target /* (B, N) */, const real *mask /* (B, N), or NULL */,
		  real eps, real weight, int B, int N);

/* Pairwise rank loss: per snapshot, the mean over unordered pairs i < j of
 * present nodes of
 *   max(0, -(p_i - p_j) (y_i - y_j)),
 * then the mean over snapshots with at least 2 present nodes.  (Feng et
 * al. sum over ordered pairs; that is twice this per pair.)  At the kink,
 * a product of exactly 0, the gradient taken is 0. */
double nn_rank_loss(real *dpred /* (B, N), or NULL */, const real *pred /* (B, N) */,
		    const real *target /* (B, N) */, const real *mask /* (B, N), or NULL */,
		    real weight, int B, int N);

#endif
