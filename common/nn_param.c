/* nn_param.c - see nn_param.h. */
#include "nn_param.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#if !defined(TN_REAL_DOUBLE) && defined(__x86_64__)
#define FINITE_AVX512 1
#include <immintrin.h>
#endif

static void seterr(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

size_t nn_param_spec_numel(const struct nn_param_spec *spec)
{
	size_t numel = 1;

	for (int d = 0; d < spec->ndim; d++)
		numel *= spec->shape[d];
	return numel;
}

/* Checks one row; the arena refuses tables it could not save or load. */
static int check_spec(const struct nn_param_spec *spec, size_t i, char *err,
		      size_t errsz)
{
	if (!spec->name || !*spec->name) {
		seterr(err, errsz, "parameter %zu: empty name", i);
		return -1;
	}
	if (spec->ndim < 1 || spec->ndim > NN_PARAM_MAXDIM) {
		seterr(err, errsz, "%s: %d dimensions, expected 1..%d",
		       spec->name, spec->ndim, NN_PARAM_MAXDIM);
		return -1;
	}
	for (int d = 0; d < spec->ndim; d++)
		if (spec->shape[d] == 0) {
			seterr(err, errsz, "%s: dimension %d is 0", spec->name, d);
			return -1;
		}
	return 0;
}

int nn_params_init(struct nn_params *p, const struct nn_param_spec *table,
		   size_t n, char *err, size_t errsz)
{
	size_t total = 0;

	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < n; i++) {
		if (check_spec(&table[i], i, err, errsz) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(table[i].name, table[j].name) == 0) {
				seterr(err, errsz, "%s: duplicate parameter name",
				       table[i].name);
				return -1;
			}
	}
	p->n = n;
	p->table = xreallocarray(NULL, n, sizeof *p->table);
	p->offset = xreallocarray(NULL, n + 1, sizeof *p->offset);
	for (size_t i = 0; i < n; i++) {
		p->table[i] = table[i];
		p->table[i].name = xstrdup(table[i].name);
		p->offset[i] = total;
		total += nn_param_spec_numel(&table[i]);
	}
	p->offset[n] = total;
	p->total = total;
	p->value = xcalloc(total, sizeof *p->value);
	p->grad = xcalloc(total, sizeof *p->grad);
	p->m = xcalloc(total, sizeof *p->m);
	p->v = xcalloc(total, sizeof *p->v);
	return 0;
}

void nn_params_free(struct nn_params *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n && p->table; i++)
		free((char *)p->table[i].name);
	free(p->table);
	free(p->offset);
	free(p->value);
	free(p->grad);
	free(p->m);
	free(p->v);
	memset(p, 0, sizeof *p);
}

long nn_params_find(const struct nn_params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->table[i].name, name) == 0)
			return (long)i;
	return -1;
}

real *nn_param_value(const struct nn_params *p, size_t i)
{
	return p->value + p->offset[i];
}

real *nn_param_grad(const struct nn_params *p, size_t i)
{
	return p->grad + p->offset[i];
}

size_t nn_param_numel(const struct nn_params *p, size_t i)
{
	return p->offset[i + 1] - p->offset[i];
}

real *nn_param_value_by_name(const struct nn_params *p, const char *name)
{
	long i = nn_params_find(p, name);

	return i < 0 ? NULL : nn_param_value(p, (size_t)i);
}

real *nn_param_grad_by_name(const struct nn_params *p, const char *name)
{
	long i = nn_params_find(p, name);

	return i < 0 ? NULL : nn_param_grad(p, (size_t)i);
}

void nn_params_zero_grad(struct nn_params *p)
{
	memset(p->grad, 0, p->total * sizeof *p->grad);
}

void nn_params_zero_state(struct nn_params *p)
{
	memset(p->m, 0, p->total * sizeof *p->m);
	memset(p->v, 0, p->total * sizeof *p->v);
}

double nn_params_grad_norm(const struct nn_params *p)
{
	double sum = 0;

	for (size_t k = 0; k < p->total; k++)
		sum += (double)p->grad[k] * (double)p->grad[k];
	return sqrt(sum);
}

double nn_params_clip_grad_norm(struct nn_params *p, double max_norm)
{
	double norm = nn_params_grad_norm(p);
	double scale = max_norm / (norm + NN_CLIP_EPS);

	if (scale < 1.0)
		for (size_t k = 0; k < p->total; k++)
			p->grad[k] *= (real)scale;
	return norm;
}

void nn_params_copy_values(const struct nn_params *p, real *snapshot)
{
	memcpy(snapshot, p->value, p->total * sizeof *snapshot);
}

void nn_params_restore_values(struct nn_params *p, const real *snapshot)
{
	memcpy(p->value, snapshot, p->total * sizeof *snapshot);
}

static long first_nonfinite(const struct nn_params *p, const real *block)
{
	for (size_t i = 0; i < p->n; i++)
		for (size_t k = p->offset[i]; k < p->offset[i + 1]; k++)
			if (!isfinite(block[k]))
				return (long)i;
	return -1;
}

/* g * 0 is 0 for a finite g and NaN otherwise: sums of it are 0 exactly
 * when every g is finite, with no branch per element (a sign or an
 * exponent test per element took a twentieth of gnn-train). */
#ifdef FINITE_AVX512
__attribute__((target("avx512f")))
static int grads_finite_avx512(const float *g, size_t n)
{
	const __m512 zero = _mm512_setzero_ps();
	__m512 a0 = zero, a1 = zero, a2 = zero, a3 = zero;
	size_t k;

	/* four sums, so the adds do not wait on each other */
	for (k = 0; k + 64 <= n; k += 64) {
		a0 = _mm512_add_ps(a0, _mm512_mul_ps(_mm512_loadu_ps(g + k), zero));
		a1 = _mm512_add_ps(a1, _mm512_mul_ps(_mm512_loadu_ps(g + k + 16), zero));
		a2 = _mm512_add_ps(a2, _mm512_mul_ps(_mm512_loadu_ps(g + k + 32), zero));
		a3 = _mm512_add_ps(a3, _mm512_mul_ps(_mm512_loadu_ps(g + k + 48), zero));
	}
	for (; k < n; k += 16) {
		__mmask16 m = (__mmask16)(n - k >= 16 ? 0xffff : (1u << (n - k)) - 1);

		a0 = _mm512_add_ps(a0, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, g + k),
						     zero));
	}
	a0 = _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3));
	return _mm512_cmp_ps_mask(a0, zero, _CMP_EQ_OQ) == 0xffff;
}
#endif

int nn_params_grads_finite(const struct nn_params *p)
{
	const real *g = p->grad;
	real lanes[8] = { 0 };
	size_t k, n = p->total;
	int j;

#ifdef FINITE_AVX512
	if (__builtin_cpu_supports("avx512f"))
		return grads_finite_avx512(g, n);
#endif
	for (k = 0; k + 8 <= n; k += 8)
		for (j = 0; j < 8; j++)
			lanes[j] += g[k + j] * 0;
	for (; k < n; k++)
		lanes[0] += g[k] * 0;
	for (j = 1; j < 8; j++)
		lanes[0] += lanes[j];
	return lanes[0] == 0;
}

long nn_params_first_nonfinite_value(const struct nn_params *p)
{
	return first_nonfinite(p, p->value);
}

long nn_params_first_nonfinite_grad(const struct nn_params *p)
{
	return first_nonfinite(p, p->grad);
}

void nn_param_init_uniform(struct nn_params *p, size_t i, double k,
			   struct tn_rng *rng)
{
	real *value = nn_param_value(p, i);
	size_t numel = nn_param_numel(p, i);

	for (size_t j = 0; j < numel; j++)
		value[j] = (real)((2.0 * tn_rng_uniform(rng) - 1.0) * k);
}

void nn_param_fans(const struct nn_params *p, size_t i, size_t *fan_in,
		   size_t *fan_out)
{
	const struct nn_param_spec *spec = &p->table[i];
	size_t receptive = 1;

	if (spec->ndim == 1) {
		*fan_in = spec->shape[0];
		*fan_out = 1;
		return;
	}
	for (int d = 2; d < spec->ndim; d++)
		receptive *= spec->shape[d];
	*fan_in = spec->shape[1] * receptive;
	*fan_out = spec->shape[0] * receptive;
}

void nn_param_init_xavier_uniform(struct nn_params *p, size_t i, double gain,
				  struct tn_rng *rng)
{
	size_t fan_in, fan_out;

	nn_param_fans(p, i, &fan_in, &fan_out);
	nn_param_init_uniform(p, i, gain * sqrt(6.0 / (double)(fan_in + fan_out)),
			      rng);
}

void nn_param_init_glorot(struct nn_params *p, size_t i, struct tn_rng *rng)
{
	const struct nn_param_spec *spec = &p->table[i];
	size_t last = spec->shape[spec->ndim - 1];
	size_t before = spec->ndim > 1 ? spec->shape[spec->ndim - 2] : 1;

	nn_param_init_uniform(p, i, sqrt(6.0 / (double)(before + last)), rng);
}

void nn_param_fill(struct nn_params *p, size_t i, real value)
{
	real *dst = nn_param_value(p, i);
	size_t numel = nn_param_numel(p, i);

	for (size_t j = 0; j < numel; j++)
		dst[j] = value;
}
