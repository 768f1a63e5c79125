/* rng.h - a seeded, portable random number generator (xoshiro256**, seeded
 * through splitmix64), so the same --seed gives the same bytes on every
 * machine.  Algorithms: Blackman and Vigna, "Scrambled linear pseudorandom
 * number generators" (2018). */
#ifndef TN_RNG_H
#define TN_RNG_H

#include <stdint.h>

struct tn_rng {
	uint64_t s[4];
};

void tn_rng_seed(struct tn_rng *rng, uint64_t seed);

static inline uint64_t tn_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits.  Inline: training's dropout masks draw
 * millions, and a call per draw cost as much as the draw itself. */
static inline uint64_t tn_rng_u64(struct tn_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = tn_rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = tn_rng_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1) with 53 random bits. */
double tn_rng_uniform(struct tn_rng *rng);
/* Uniform integer in [0, n), without modulo bias; n > 0. */
uint64_t tn_rng_below(struct tn_rng *rng, uint64_t n);
/* Standard normal (Box-Muller; no cached second value, so a stream's
 * draws do not depend on call parity). */
double tn_rng_normal(struct tn_rng *rng);
/* An independent stream: seeded from this one's next output and `key`
 * (e.g. a symbol's hash), leaving the parent usable. */
void tn_rng_fork(struct tn_rng *child, struct tn_rng *parent, uint64_t key);
/* FNV-1a 64 of a string, for deriving per-symbol streams. */
uint64_t tn_hash_str(const char *s);

#endif
