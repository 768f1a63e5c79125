/* mask16_ref.h - nn_dropout_mask16's rule written out plainly, for the
 * float and double unit tests of nn_act.c: element k takes 16 bits of
 * its group's draw, most significant first, and a further draw only on a
 * tie with the threshold's top 16 bits.  p is the real the caller uses,
 * widened.  Returns the ties. */
#ifndef TN_MASK16_REF_H
#define TN_MASK16_REF_H

#include "real.h"
#include "rng.h"

#include <math.h>
#include <stdint.h>

static long reference_mask16(real *mask, double p, int n, struct tn_rng *rng)
{
	uint64_t keep_from = (uint64_t)ceil(p * 0x1p53), u = 0;
	real scale = (real)(1 / (1 - (real)p));
	long ties = 0;
	int k;

	for (k = 0; k < n; k++) {
		uint64_t v;

		if (k % 4 == 0)
			u = tn_rng_u64(rng);
		v = (u >> (48 - 16 * (k % 4)) & 0xffff) << 37;
		if (v >> 37 == keep_from >> 37) {
			v |= tn_rng_u64(rng) >> 27;
			ties++;
		}
		mask[k] = v >= keep_from ? scale : 0;
	}
	return ties;
}

#endif
