/* stats.c: the dispatch statistics of a session's slabs as the front ends report them. */
#include <stdint.h>

#include "core/stats.h"
#include "target/slab.h"

/* The latency under which fraction q of the requests completed, from the
 * log2 histogram: the upper bound of the bucket it falls in, in ns. */
uint64_t
srv_hist_quantile(const uint64_t *h, double q)
{
	uint64_t total = 0, acc = 0;

	for (int i = 0; i < TR_SLAB_HIST; i++)
		total += h[i];
	if (!total)
		return 0;
	for (int i = 0; i < TR_SLAB_HIST; i++) {
		acc += h[i];
		if ((double)acc >= q * (double)total)
			return (uint64_t)2 << i;
	}
	return (uint64_t)2 << (TR_SLAB_HIST - 1);
}
