/* breakpoints.c: gdb's software breakpoints (Z0, z0), left in the target between a z0 and the next resume. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "rsp.h"
#include "rsp/breakpoints.h"
#include "rsp/reply.h"

static struct rsp_bp *
bp_find(struct rsp *r, uint64_t addr)
{
	for (size_t i = 0; i < r->nbps; i++)
		if (r->bps[i].addr == addr)
			return &r->bps[i];
	return NULL;
}

/* Take out the int3s gdb no longer wants (before a resume, or all of
 * them when it leaves). */
void
rsp_bps_sync(struct rsp *r, bool all)
{
	size_t k = 0;

	for (size_t i = 0; i < r->nbps; i++) {
		if (r->bps[i].wanted && !all) {
			r->bps[k++] = r->bps[i];
			continue;
		}
		if (r->t && !r->gone && r->bps[i].ours)
			tr_bp_remove(r->t, r->bps[i].addr);
	}
	r->nbps = k;
}

/* Z0/z0: software breakpoints, as sites of the tracer (no user
 * breakpoint: gdb counts and conditions them itself). */
int
rsp_z_packet(struct rsp *r, const char *p, bool insert)
{
	uint64_t addr;
	const char *comma;
	struct rsp_bp *b;
	int err;

	if (p[0] != '0')
		return rsp_reply_str(r, ""); /* hardware kinds: not offered */
	/* p + 2 only once p[1] is known (a bare "z" ends at p[0]: found
	 * by tests/fuzz/fuzz_rsp_packet) */
	if (p[1] != ',' || !(comma = strchr(p + 2, ',')) ||
	    tr_rsp_hex_u64(p + 2, (size_t)(comma - p - 2), &addr))
		return rsp_reply_str(r, "E01");
	if (r->gone || !r->t)
		return rsp_reply_str(r, "E01");
	b = bp_find(r, addr);
	if (!insert) {
		if (b)
			b->wanted = false; /* out at the next resume */
		return rsp_reply_str(r, "OK");
	}
	if (b) {
		/* still planted since an earlier Z0, unless its library was
		 * closed and opened again at the same address in between:
		 * the tracer checks and plants it again */
		b->wanted = true;
		if (b->ours && (err = tr_bp_insert(r->t, addr)) &&
		    err != -TR_EEXIST)
			return rsp_reply_err(r, err);
		return rsp_reply_str(r, "OK");
	}
	if (r->nbps == r->capbps) {
		size_t cap = r->capbps ? 2 * r->capbps : 16;
		struct rsp_bp *nb = realloc(r->bps, cap * sizeof(*nb));

		if (!nb)
			return rsp_reply_str(r, "E0c");
		r->bps = nb;
		r->capbps = cap;
	}
	err = tr_bp_insert(r->t, addr);
	if (err && err != -TR_EEXIST) /* EEXIST: another client's */
		return rsp_reply_err(r, err);
	r->bps[r->nbps++] = (struct rsp_bp){ .addr = addr, .wanted = true,
					     .ours = err == 0 };
	return rsp_reply_str(r, "OK");
}
