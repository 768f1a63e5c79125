/* nn_optim.c - see nn_optim.h.  The arithmetic is in `real`, as PyTorch's
 * is in float32; the bias corrections are computed in double, as PyTorch
 * computes them in Python floats. */
#include "nn_optim.h"

/* GCC's -O2 cost model does not vectorise loops of run-time length. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic")
#endif

#include <math.h>
#include <string.h>

#if !defined(TN_REAL_DOUBLE) && defined(__x86_64__)
#include <immintrin.h>
#define ADAM_AVX512 1
#endif

#ifdef TN_REAL_DOUBLE
#define real_sqrt sqrt
#else
#define real_sqrt sqrtf
#endif

static const char *const optim_names[] = {
	[NN_OPTIM_SGD] = "sgd",
	[NN_OPTIM_ADAM] = "adam",
	[NN_OPTIM_ADAMW] = "adamw",
	[NN_OPTIM_ADABELIEF] = "adabelief",
};

void nn_optim_init(struct nn_optim *o, enum nn_optim_kind kind, double lr)
{
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->lr = lr;
	o->beta1 = NN_ADAM_BETA1;
	o->beta2 = NN_ADAM_BETA2;
	o->eps = kind == NN_OPTIM_ADABELIEF ? NN_ADABELIEF_EPS : NN_ADAM_EPS;
	if (kind == NN_OPTIM_ADAMW)
		o->weight_decay = NN_ADAMW_WEIGHT_DECAY;
}

const char *nn_optim_name(enum nn_optim_kind kind)
{
	return optim_names[kind];
}

int nn_optim_parse(const char *name, enum nn_optim_kind *kind)
{
	for (size_t k = 0; k < sizeof optim_names / sizeof *optim_names; k++)
		if (strcmp(name, optim_names[k]) == 0) {
			*kind = (enum nn_optim_kind)k;
			return 0;
		}
	return -1;
}

/* torch.optim.SGD with dampening 0: the first step's buffer is the
 * gradient itself, which m = momentum * 0 + g gives from a zeroed arena. */
static void sgd_step(const struct nn_optim *o, struct nn_params *p)
{
	const real lr = (real)o->lr, wd = (real)o->weight_decay;
	const real mu = (real)o->momentum;

	for (size_t k = 0; k < p->total; k++) {
		real g = p->grad[k];

		if (wd != 0)
			g += wd * p->value[k];
		if (mu != 0) {
			p->m[k] = mu * p->m[k] + g;
			g = o->nesterov ? g + mu * p->m[k] : p->m[k];
		}
		p->value[k] -= lr * g;
	}
}

/* Adam, AdamW and AdaBelief share the bias-corrected update
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * and differ in the decay and in what v tracks.  It is computed as
 *   p -= step_size * m / (sqrt(v) + eps_hat)
 * with step_size = lr sqrt(1 - b2^t) / (1 - b1^t) and eps_hat =
 * eps sqrt(1 - b2^t), both in double: the same quantity with one
 * division per element instead of PyTorch's two, which shared the divider
 * with the square root and made Adam an eighth of gnn-train's time.  The
 * results differ from PyTorch's in the last bits of the step only (the
 * reference test holds them to 1e-6).  One branch-free loop per variant,
 * so each vectorises; the flags are constant per call. */
static void adam_loop(real *restrict value, real *restrict m,
		      real *restrict v, const real *restrict grad, size_t n,
		      real b1, real b2, real c1, real c2, real eps, real wd,
		      real step_size, real eps_hat, real decay, int l2,
		      int decoupled, int belief)
{
	size_t k;

#define ADAM_BODY(G_EXPR, DECAY_STMT, V_EXPR)                              \
	for (k = 0; k < n; k++) {                                          \
		real g = G_EXPR, mk, vk, denom;                            \
		DECAY_STMT;                                                \
		mk = b1 * m[k] + c1 * g;                                   \
		vk = V_EXPR;                                               \
		m[k] = mk;                                                 \
		v[k] = vk;                                                 \
		denom = real_sqrt(vk) + eps_hat;                           \
		value[k] -= step_size * mk / denom;                        \
	}
	if (belief) {
		if (decoupled)
			ADAM_BODY(grad[k], value[k] *= decay,
				  b2 * v[k] + c2 * (g - mk) * (g - mk) + eps)
		else if (l2)
			ADAM_BODY(grad[k] + wd * value[k], (void)0,
				  b2 * v[k] + c2 * (g - mk) * (g - mk) + eps)
		else
			ADAM_BODY(grad[k], (void)0,
				  b2 * v[k] + c2 * (g - mk) * (g - mk) + eps)
	} else {
		if (decoupled)
			ADAM_BODY(grad[k], value[k] *= decay,
				  b2 * v[k] + c2 * g * g)
		else if (l2)
			ADAM_BODY(grad[k] + wd * value[k], (void)0,
				  b2 * v[k] + c2 * g * g)
		else
			ADAM_BODY(grad[k], (void)0, b2 * v[k] + c2 * g * g)
	}
#undef ADAM_BODY
}

#ifdef ADAM_AVX512
/* adam_loop for Adam without weight decay and AdamW, 16 floats at a time:
 * the same float operations in the same order (sqrt is correctly rounded
 * either way), but GCC will not vectorise sqrtf without -fno-math-errno.
 * decay is 1 (exact) for Adam.  Returns how many elements it did. */
__attribute__((target("avx512f")))
static size_t adam_avx512(real *restrict value, real *restrict m,
			  real *restrict v, const real *restrict grad,
			  size_t n, real b1, real b2, real c1, real c2,
			  real step_size, real eps_hat, real decay)
{
	const __m512 vb1 = _mm512_set1_ps(b1), vb2 = _mm512_set1_ps(b2);
	const __m512 vc1 = _mm512_set1_ps(c1), vc2 = _mm512_set1_ps(c2);
	const __m512 veps = _mm512_set1_ps(eps_hat), vss = _mm512_set1_ps(step_size);
	const __m512 vdec = _mm512_set1_ps(decay);
	size_t k;

	for (k = 0; k + 16 <= n; k += 16) {
		__m512 g = _mm512_loadu_ps(grad + k);
		__m512 x = _mm512_mul_ps(_mm512_loadu_ps(value + k), vdec);
		/* b1 * m + c1 * g, each product rounded, as the scalar code
		 * (no FMA contraction: -ffp-contract=off is not assumed) */
		__m512 mk = _mm512_add_ps(_mm512_mul_ps(vb1, _mm512_loadu_ps(m + k)),
					  _mm512_mul_ps(vc1, g));
		__m512 vk = _mm512_add_ps(_mm512_mul_ps(vb2, _mm512_loadu_ps(v + k)),
					  _mm512_mul_ps(_mm512_mul_ps(vc2, g), g));
		__m512 denom = _mm512_add_ps(_mm512_sqrt_ps(vk), veps);

		_mm512_storeu_ps(m + k, mk);
		_mm512_storeu_ps(v + k, vk);
		x = _mm512_sub_ps(x, _mm512_div_ps(_mm512_mul_ps(vss, mk), denom));
		_mm512_storeu_ps(value + k, x);
	}
	return k;
}
#endif

static void adam_family_step(const struct nn_optim *o, struct nn_params *p)
{
	const double t = (double)o->step + 1;
	const real b1 = (real)o->beta1, b2 = (real)o->beta2;
	/* 1 - beta in double, then rounded, as PyTorch's alpha = 1 - beta1:
	 * 1 - (float)0.999 would be off by 5e-5 relative. */
	const real c1 = (real)(1.0 - o->beta1), c2 = (real)(1.0 - o->beta2);
	const real eps = (real)o->eps, wd = (real)o->weight_decay;
	const double bc2_sqrt = sqrt(1.0 - pow(o->beta2, t));
	const real step_size = (real)(o->lr * bc2_sqrt / (1.0 - pow(o->beta1, t)));
	const real eps_hat = (real)(o->eps * bc2_sqrt);
	const real decay = (real)(1.0 - o->lr * o->weight_decay);
	const int l2 = o->kind == NN_OPTIM_ADAM && wd != 0;
	const int decoupled = o->kind != NN_OPTIM_ADAM && wd != 0;

	const int belief = o->kind == NN_OPTIM_ADABELIEF;
	size_t done = 0;

#ifdef ADAM_AVX512
	if (!l2 && !belief && !o->portable && __builtin_cpu_supports("avx512f"))
		done = adam_avx512(p->value, p->m, p->v, p->grad, p->total, b1,
				   b2, c1, c2, step_size, eps_hat,
				   decoupled ? decay : 1);
#endif
	adam_loop(p->value + done, p->m + done, p->v + done, p->grad + done,
		  p->total - done, b1, b2, c1, c2, eps, wd, step_size,
		  eps_hat, decay, l2, decoupled, belief);
}

void nn_optim_step(struct nn_optim *o, struct nn_params *p)
{
	if (o->kind == NN_OPTIM_SGD)
		sgd_step(o, p);
	else
		adam_family_step(o, p);
	o->step++;
}
