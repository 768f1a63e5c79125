/* evaluate.h - the validation metrics every training tool reports, and the
 * naive baselines reported beside them on the same days (DESIGN.md: "every
 * reported metric comes with the same metric for naive baselines").
 *
 *   mse      mean of (pred - actual)^2
 *   mae      mean of |pred - actual|
 *   dir_acc  share of days with actual != 0 whose sign pred gets right; a
 *            prediction of exactly 0 claims no direction and scores 1/2,
 *            so the zero-return baseline scores 0.5, a coin's expectation
 *   ic       Pearson correlation of pred and actual over the days; NAN
 *            when either is constant (the zero baseline has no ic)
 *   skill    1 - mse / mse of the zero-return baseline on the same days:
 *            > 0 beats "no change", <= 0 does not
 * Returns here are log returns over the forecast horizon. */
#ifndef TN_EVALUATE_H
#define TN_EVALUATE_H

/* The momentum baseline's default window, in trading days. */
#define TN_MOMENTUM_WINDOW 20

struct tn_eval {
	long n;
	double mse, mae, dir_acc, ic, skill;
};

/* Metrics of pred against actual over n days (n >= 1). */
void tn_eval_compute(struct tn_eval *m, const double *pred,
			const double *actual, long n);

/* The momentum baseline's forecast of the log return over the next
 * `horizon` days, made at day t from daily log returns logret[t-window+1
 * .. t]: horizon * their mean.  NAN when fewer than window are known. */
double tn_baseline_momentum(const double *logret, long t, int window,
			    int horizon);

#endif
