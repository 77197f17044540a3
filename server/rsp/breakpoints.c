/* breakpoints.c: gdb's breakpoints and watchpoints (Z0-Z4, z0-z4), left in the target between a z and the next resume. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "control/watchpoint.h"
#include "rsp.h"
#include "rsp/breakpoints.h"
#include "rsp/reply.h"

static struct rsp_bp *
bp_find(struct rsp *r, char type, uint64_t addr, uint64_t len)
{
	for (size_t i = 0; i < r->nbps; i++) {
		struct rsp_bp *b = &r->bps[i];

		if (b->addr == addr && b->type == type &&
		    (type < 2 || b->len == len))
			return b;
	}
	return NULL;
}

/* Take out the int3s and watchpoints gdb no longer wants (before a
 * resume, or all of them when it leaves). */
void
rsp_bps_sync(struct rsp *r, bool all)
{
	size_t k = 0;

	for (size_t i = 0; i < r->nbps; i++) {
		struct rsp_bp *b = &r->bps[i];

		if (b->wanted && !all) {
			r->bps[k++] = *b;
			continue;
		}
		if (!r->t || r->gone)
			continue;
		if (b->type >= 2)
			tr_watch_delete(r->t, b->wpid);
		else if (b->ours && b->type == 1)
			tr_hbp_remove(r->t, b->addr);
		else if (b->ours)
			tr_bp_remove(r->t, b->addr);
	}
	r->nbps = k;
}

const struct rsp_bp *
rsp_watch_of(const struct rsp *r, uint32_t wpid)
{
	for (size_t i = 0; i < r->nbps; i++)
		if (r->bps[i].type >= 2 && r->bps[i].wpid == wpid)
			return &r->bps[i];
	return NULL;
}

const struct rsp_bp *
rsp_hbreak_at(const struct rsp *r, uint64_t addr)
{
	for (size_t i = 0; i < r->nbps; i++)
		if (r->bps[i].type == 1 && r->bps[i].addr == addr)
			return &r->bps[i];
	return NULL;
}

/* Plant what a Z asks for: an int3 (Z0: the tracer's site, no user
 * breakpoint, gdb counts and conditions them itself), a hardware
 * breakpoint (Z1: a debug register, the tracer's tr_hbp_insert; an
 * error where they do not fire, which gdb reports as "Could not insert
 * hardware breakpoint", rather than an int3 that would be no hardware
 * breakpoint) or a watchpoint
 * (Z2-Z4: control/watchpoint.c, by whichever mechanism the tracer has;
 * gdb checks the values itself, as with the debug registers). */
static int
plant(struct rsp *r, struct rsp_bp *b)
{
	static const int kinds[] = { [2] = TR_WATCH_WRITE,
				     [3] = TR_WATCH_READ,
				     [4] = TR_WATCH_ACCESS };
	struct tr_watch_opts o = { 0 };
	int err;

	if (b->type < 2) {
		err = b->type == 1 ? tr_hbp_insert(r->t, b->addr)
				   : tr_bp_insert(r->t, b->addr);
		if (err && err != -TR_EEXIST) /* EEXIST: another client's */
			return err;
		b->ours = err == 0;
		return 0;
	}
	if (!b->len || b->len > TR_WATCH_MAX_LEN)
		return -TR_EINVAL;
	o.kind = kinds[(int)b->type];
	return tr_watch_set(r->t, b->addr, (size_t)b->len, &o, &b->wpid);
}

/* Z/z: TYPE,ADDR,KIND (KIND: a watchpoint's length; a breakpoint's is
 * the instruction's, 1 for an int3, unused). */
int
rsp_z_packet(struct rsp *r, const char *p, bool insert)
{
	uint64_t addr, len = 0;
	const char *comma, *end;
	struct rsp_bp *b, nb = { 0 };
	int err;

	if (p[0] < '0' || p[0] > '4')
		return rsp_reply_str(r, ""); /* unknown kinds: not offered */
	/* p + 2 only once p[1] is known (a bare "z" ends at p[0]: found
	 * by tests/fuzz/fuzz_rsp_packet) */
	if (p[1] != ',' || !(comma = strchr(p + 2, ',')) ||
	    tr_rsp_hex_u64(p + 2, (size_t)(comma - p - 2), &addr))
		return rsp_reply_str(r, "E01");
	if (p[0] >= '2') {
		/* the length ends at the packet's end or at ;cond-list */
		end = strchr(comma + 1, ';');
		if (!end)
			end = comma + strlen(comma);
		if (tr_rsp_hex_u64(comma + 1, (size_t)(end - comma - 1),
				   &len) ||
		    !len || len > TR_WATCH_MAX_LEN)
			return rsp_reply_str(r, "E01");
	}
	if (r->gone || !r->t)
		return rsp_reply_str(r, "E01");
	if (r->fork_child && r->gtid == r->fork_child) {
		/* gdb takes its breakpoints out of a fork child it lets go
		 * (its memory a copy of ours, int3s and all); it cannot
		 * plant any there: tracerd follows one process at a time */
		if (insert || p[0] >= '2')
			return rsp_reply_str(r, "E01");
		err = tr_fork_unplant(r->t, r->fork_child, addr);
		return rsp_reply_str(r, err && err != -TR_ENOENT ? "E01"
								 : "OK");
	}
	b = bp_find(r, (char)(p[0] - '0'), addr, len);
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
		if (b->ours && b->type == 0 &&
		    (err = tr_bp_insert(r->t, addr)) && err != -TR_EEXIST)
			return rsp_reply_err(r, err);
		return rsp_reply_str(r, "OK");
	}
	if (r->nbps == r->capbps) {
		size_t cap = r->capbps ? 2 * r->capbps : 16;
		struct rsp_bp *n = realloc(r->bps, cap * sizeof(*n));

		if (!n)
			return rsp_reply_str(r, "E0c");
		r->bps = n;
		r->capbps = cap;
	}
	nb.addr = addr;
	nb.len = len;
	nb.type = (char)(p[0] - '0');
	nb.wanted = true;
	err = plant(r, &nb);
	if (err == -TR_ENOSPC) {
		/* debug registers still held by what gdb took out (z) since
		 * the last resume: out now, and try again */
		rsp_bps_sync(r, false);
		err = plant(r, &nb);
	}
	if (err)
		return rsp_reply_err(r, err);
	r->bps[r->nbps++] = nb;
	return rsp_reply_str(r, "OK");
}
