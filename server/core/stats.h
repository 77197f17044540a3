/* stats.h: the dispatch statistics of a session's slabs as the front ends report them. */
#ifndef TR_SERVER_CORE_STATS_H
#define TR_SERVER_CORE_STATS_H

#include <stdint.h>

/* srv_hist_quantile: the latency (ns) under which fraction q of a slab's
 * requests completed, from its log2 histogram h (TR_SLAB_HIST buckets,
 * struct tr_slab_stats): the upper bound of the bucket q falls in. Any
 * thread. */
uint64_t srv_hist_quantile(const uint64_t *h, double q);

#endif
