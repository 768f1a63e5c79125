/* rng.c - see rng.h. */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void tn_rng_seed(struct tn_rng *rng, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
}

double tn_rng_uniform(struct tn_rng *rng)
{
	return (double)(tn_rng_u64(rng) >> 11) * 0x1.0p-53;
}

uint64_t tn_rng_below(struct tn_rng *rng, uint64_t n)
{
	/* reject the top partial bucket so every residue is equally likely */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;

	do
		x = tn_rng_u64(rng);
	while (x >= limit);
	return x % n;
}

double tn_rng_normal(struct tn_rng *rng)
{
	double u1, u2;

	do
		u1 = tn_rng_uniform(rng);
	while (u1 <= 0.0);
	u2 = tn_rng_uniform(rng);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void tn_rng_fork(struct tn_rng *child, struct tn_rng *parent, uint64_t key)
{
	tn_rng_seed(child, tn_rng_u64(parent) ^ (key * 0x9e3779b97f4a7c15ULL));
}

uint64_t tn_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}
