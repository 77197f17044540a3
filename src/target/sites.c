/* sites.c: breakpoint sites (int3s, and jumps to trampolines) and memory as the program sees it under them, on the tracer thread. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "target/tracer_int.h"
#include "target/x86_insn.h"

#define INT3 0xcc

/* Index of the first breakpoint at or after addr. */
static size_t
bp_lower(const struct tr_tracer *t, uint64_t addr)
{
	size_t lo = 0, hi = t->nbps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->bps[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct tr_bp *
tr__bp_find(struct tr_tracer *t, uint64_t addr)
{
	size_t i = bp_lower(t, addr);

	return i < t->nbps && t->bps[i].addr == addr ? &t->bps[i] : NULL;
}

/* ---- jumps to trampolines (built by tramp.c) -------------------------- */

struct tr_tramp *
tr__tramp_of(struct tr_tracer *t, const struct tr_bp *bp)
{
	return bp && bp->tramp ? &t->tramps[bp->tramp - 1] : NULL;
}

bool
tr__bp_jumped(struct tr_tracer *t, const struct tr_bp *bp)
{
	struct tr_tramp *tp = tr__tramp_of(t, bp);

	return tp && tp->st == TRAMP_JUMPED;
}

/* Original bytes 1..4 under a jump, for reads. */
static void
tramp_shadow(struct tr_tracer *t, const struct tr_bp *bp, uint64_t addr,
		 uint8_t *buf, size_t len)
{
	struct tr_tramp *tp = tr__tramp_of(t, bp);

	if (!tp || tp->st != TRAMP_JUMPED)
		return;
	for (unsigned k = 1; k < 5; k++)
		if (bp->addr + k >= addr && bp->addr + k - addr < len)
			buf[bp->addr + k - addr] = tp->orig[k];
}

/*
 * Back to a plain int3 site: the int3 first (one byte: a thread running
 * meanwhile sees the jump or the int3, both fine), then the original
 * bytes behind it. Threads inside the trampoline finish it; its memory
 * is never reused.
 */
static void
tramp_unjump(struct tr_tracer *t, struct tr_tramp *tp)
{
	uint8_t int3 = 0xcc;

	if (tp->st != TRAMP_JUMPED)
		return;
	tr__raw_write(t, t->pid, t->memfd, tp->addr, &int3, 1, NULL);
	tr__raw_write(t, t->pid, t->memfd, tp->addr + 1, tp->orig + 1, 4, NULL);
	tp->st = TRAMP_READY;
}

void
tr__tramp_drop(struct tr_tracer *t, struct tr_bp *bp)
{
	struct tr_tramp *tp = tr__tramp_of(t, bp);

	if (!tp)
		return;
	if (tp->st == TRAMP_WANTED)
		t->tramp_want--;
	else if (tp->st == TRAMP_READY)
		t->tramp_ready--;
	tramp_unjump(t, tp);
	tp->st = TRAMP_DROPPED;
	free(tp->body);
	tp->body = NULL;
	bp->tramp = 0;
	/* its displaced copy may have been the trampoline's */
	bp->disp = 0;
}

void
tr__tramp_drop_range(struct tr_tracer *t, uint64_t addr, size_t len)
{
	for (size_t i = 0; i < t->ntramps; i++) {
		struct tr_tramp *tp = &t->tramps[i];
		uint64_t hi = tp->addr + (tp->jlen ? tp->jlen : 5);

		if (tp->st == TRAMP_DROPPED || tp->st == TRAMP_FAILED)
			continue;
		if (addr < hi && tp->addr < addr + len)
			tr__tramp_drop(t, tr__bp_find(t, tp->addr));
	}
}

/* ---- memory under the sites ------------------------------------------ */

/* Show original bytes where our int3s and jumps (tramp.c) are. */
static void
shadow_bps(struct tr_tracer *t, uint64_t addr, uint8_t *buf, size_t len)
{
	size_t i = bp_lower(t, addr >= 4 ? addr - 4 : 0);

	for (; i < t->nbps && t->bps[i].addr < addr + len; i++) {
		if (t->bps[i].tramp)
			tramp_shadow(t, &t->bps[i], addr, buf, len);
		if (t->bps[i].addr >= addr)
			buf[t->bps[i].addr - addr] = t->bps[i].orig;
	}
}

/* Memory as the program wrote it: the original bytes under our int3s
 * and jumps. */
int
tr__mem_read(struct tr_tracer *t, uint64_t addr, void *buf, size_t len,
	     size_t *done)
{
	size_t got = 0;
	int err = tr__raw_read(t, addr, buf, len, &got);

	if (t->nbps)
		shadow_bps(t, addr, buf, got);
	if (done)
		*done = got;
	return err;
}

int
tr__mem_write(struct tr_tracer *t, uint64_t addr, const void *buf, size_t len,
	      size_t *done)
{
	const uint8_t *src = buf;
	uint64_t pos = addr;
	size_t i, put = 0;
	int err = 0;

	if (done)
		*done = 0;
	if (len == 0)
		return 0;
	if (!tr__range_ok(addr, len))
		return -TR_EFAULT;
	/* Code written under a jump: back to an int3 there first (its
	 * moved copy would be stale). */
	if (t->ntramps)
		tr__tramp_drop_range(t, addr, len);
	/*
	 * Write around our int3s, straight from the caller's buffer, and
	 * record the bytes meant for those places as the new originals: the
	 * breakpoints stay planted over the new code.
	 */
	for (i = bp_lower(t, addr); i < t->nbps && t->bps[i].addr - addr < len;
	     i++) {
		struct tr_bp *bp = &t->bps[i];

		err = tr__raw_write(t, t->pid, t->memfd, pos, src + (pos - addr),
				    bp->addr - pos, &put);
		if (err < 0) {
			pos += put;
			goto out;
		}
		bp->orig = src[bp->addr - addr];
		pos = bp->addr + 1;
	}
	err = tr__raw_write(t, t->pid, t->memfd, pos, src + (pos - addr),
			    addr + len - pos, &put);
	pos += put;
out:
	/* *done: the bytes written before the first that could not be. */
	if (done)
		*done = pos - addr;
	return err;
}

int
tr__peek(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t *val)
{
	long v;

	/* PEEKDATA returns the word, so -1 is a valid value: only errno
	 * tells a failure. */
	errno = 0;
	v = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)addr, NULL);
	if (errno)
		return tr__ptrace_err(t, tid);
	if (t->nbps)
		shadow_bps(t, addr, (uint8_t *)&v, sizeof(v));
	*val = (uint64_t)v;
	return 0;
}

int
tr__poke(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t val)
{
	uint8_t *b = (uint8_t *)&val;

	if (t->ntramps)
		tr__tramp_drop_range(t, addr, sizeof(val));
	/* Keep our int3s planted; the bytes meant for them become the
	 * originals. */
	for (size_t i = bp_lower(t, addr);
	     i < t->nbps && t->bps[i].addr - addr < sizeof(val); i++) {
		t->bps[i].orig = b[t->bps[i].addr - addr];
		b[t->bps[i].addr - addr] = INT3;
	}
	if (ptrace(PTRACE_POKEDATA, tid, (void *)(uintptr_t)addr,
		   (void *)(uintptr_t)val) < 0)
		return tr__ptrace_err(t, tid);
	return 0;
}

int
tr__bp_plant(struct tr_tracer *t, uint64_t addr)
{
	uint8_t b = INT3;

	return tr__raw_write(t, t->pid, t->memfd, addr, &b, 1, NULL);
}

int
tr__bp_lift(struct tr_tracer *t, uint64_t addr)
{
	struct tr_bp *bp = tr__bp_find(t, addr);

	if (!bp)
		return -TR_ENOENT;
	if (tr__bp_jumped(t, bp))
		tr__tramp_drop(t, bp); /* lifted: the jump goes */
	return tr__raw_write(t, t->pid, t->memfd, addr, &bp->orig, 1, NULL);
}

/*
 * Displaced execution: a copy of the instruction under the breakpoint at
 * `addr`, followed by an absolute jump back to the instruction after it,
 * in the scratch area. A thread that hit the breakpoint and must go on
 * runs the copy instead of having the int3 lifted and being single-
 * stepped: no second stop (a single-step costs a ptrace round trip,
 * 20-30 us here), and the int3 never leaves, so no other thread has to be
 * stopped meanwhile. Returns the copy's address, or 0 when there is no
 * scratch area, no room, the instruction branches, or its rip-relative
 * operand is out of 32-bit reach of the copy.
 */

uint64_t
tr__bp_displaced(struct tr_tracer *t, uint64_t addr)
{
	struct tr_bp *bp = tr__bp_find(t, addr);
	uint8_t code[16], slot[TR_DISP_SLOT];
	struct tr_insn in;
	uint64_t back, at;

	if (!bp || bp->disp == 1)
		return 0;
	if (bp->disp)
		return bp->disp;
	if (!t->scratch || t->scratch_used + TR_DISP_SLOT > t->scratch_len)
		return 0;
	/* the original bytes, not our int3s */
	if (tr__mem_read(t, addr, code, sizeof(code), NULL) < 0 ||
	    tr_insn_decode(code, sizeof(code), &in) < 0 || !in.movable ||
	    in.len + 14u > TR_DISP_SLOT) {
		bp->disp = 1;
		return 0;
	}
	at = t->scratch + t->scratch_used;
	back = addr + in.len;
	memset(slot, 0xcc, sizeof(slot));
	memcpy(slot, code, in.len);
	if (in.riprel) {
		/* The operand stays where it was: rebase its displacement
		 * on the copy's address, if it still fits in 32 bits. */
		int32_t d;
		int64_t nd;

		memcpy(&d, code + in.disp_off, 4);
		nd = (int64_t)d + (int64_t)(addr - at);
		if (nd != (int32_t)nd) {
			bp->disp = 1;
			return 0;
		}
		d = (int32_t)nd;
		memcpy(slot + in.disp_off, &d, 4);
	}
	/* jmp *0(%rip); .quad back */
	memcpy(slot + in.len, "\xff\x25\x00\x00\x00\x00", 6);
	memcpy(slot + in.len + 6, &back, 8);
	if (tr__raw_write(t, t->pid, t->memfd, at, slot, sizeof(slot), NULL) <
	    0) {
		bp->disp = 1;
		return 0;
	}
	t->scratch_used += TR_DISP_SLOT;
	bp->disp = at;
	return at;
}

/* Plant a new site at addr (index i in the sorted array). */
static int
site_new(struct tr_tracer *t, size_t i, uint64_t addr)
{
	uint8_t orig;
	int err;

	if (!tr__range_ok(addr, 1))
		return -TR_EFAULT;
	/* a site inside another's jump: that one becomes an int3 again */
	if (t->ntramps)
		tr__tramp_drop_range(t, addr, 1);
	if (pread(t->memfd, &orig, 1, (off_t)addr) != 1)
		return tr__target_dying(t) ? -TR_EGONE : -TR_EFAULT;
	if (t->nbps == t->cap_bps) {
		size_t cap = t->cap_bps ? t->cap_bps * 2 : 16;
		struct tr_bp *n = realloc(t->bps, cap * sizeof(*n));

		if (!n)
			return -TR_ENOMEM;
		t->bps = n;
		t->cap_bps = cap;
	}
	err = tr__bp_plant(t, addr);
	if (err < 0)
		return err;
	memmove(&t->bps[i + 1], &t->bps[i], (t->nbps - i) * sizeof(*t->bps));
	memset(&t->bps[i], 0, sizeof(t->bps[i]));
	t->bps[i].addr = addr;
	t->bps[i].orig = orig;
	t->nbps++;
	return 0;
}

/* Remove the site at index i: its original byte goes back. */
static int
site_del(struct tr_tracer *t, size_t i)
{
	int err;

	if (t->bps[i].tramp)
		tr__tramp_drop(t, &t->bps[i]);
	err = tr__raw_write(t, t->pid, t->memfd, t->bps[i].addr,
			    &t->bps[i].orig, 1, NULL);

	/* A target that is gone, or memory unmapped since (a library
	 * closed), has no int3 left to remove. */
	if (err < 0 && err != -TR_EGONE && err != -TR_EFAULT)
		return err;
	memmove(&t->bps[i], &t->bps[i + 1],
		(t->nbps - i - 1) * sizeof(*t->bps));
	t->nbps--;
	return 0;
}

/*
 * A site whose memory was unmapped and mapped again (a library closed and
 * opened again at the same address: gdb.base/unload.exp) lost its int3
 * with the old mapping: plant it again, the new mapping's byte as the
 * original. Memory unmapped now is left as it is (-TR_EFAULT): checked
 * again at the next library change or insert.
 */
static int
site_check(struct tr_tracer *t, struct tr_bp *bp)
{
	uint8_t cur;

	if (pread(t->memfd, &cur, 1, (off_t)bp->addr) != 1)
		return tr__target_dying(t) ? -TR_EGONE : -TR_EFAULT;
	if (tr__bp_jumped(t, bp)) {
		if (cur == 0xe9) /* the jump is still there */
			return 0;
		tr__tramp_drop(t, bp); /* puts the same bytes back */
		if (pread(t->memfd, &cur, 1, (off_t)bp->addr) != 1)
			return -TR_EFAULT;
	}
	if (cur == INT3)
		return 0;
	tr_log_info("breakpoint site %#lx: memory mapped again, int3 planted "
		    "again", (unsigned long)bp->addr);
	bp->orig = cur;
	return tr__bp_plant(t, bp->addr);
}

void
tr__sites_check(struct tr_tracer *t)
{
	for (size_t i = 0; i < t->nbps; i++)
		site_check(t, &t->bps[i]);
}

int
tr__bp_insert(struct tr_tracer *t, uint64_t addr)
{
	size_t i = bp_lower(t, addr);
	int err;

	if (i < t->nbps && t->bps[i].addr == addr) {
		if (t->bps[i].raw) {
			err = site_check(t, &t->bps[i]);
			return err ? err : -TR_EEXIST;
		}
		if (t->bps[i].tramp)
			tr__tramp_drop(t, &t->bps[i]); /* every hit stops */
		t->bps[i].raw = true;
		return 0;
	}
	err = site_new(t, i, addr);
	if (err == 0)
		t->bps[i].raw = true;
	return err;
}

int
tr__bp_remove(struct tr_tracer *t, uint64_t addr)
{
	size_t i = bp_lower(t, addr);

	if (i >= t->nbps || t->bps[i].addr != addr || !t->bps[i].raw)
		return -TR_ENOENT;
	t->bps[i].raw = false;
	return t->bps[i].users || t->bps[i].trap ? 0 : site_del(t, i);
}

int
tr__trap_insert(struct tr_tracer *t, uint64_t addr)
{
	size_t i = bp_lower(t, addr);
	int err = 0;

	if (i >= t->nbps || t->bps[i].addr != addr)
		err = site_new(t, i, addr);
	else if (t->bps[i].tramp)
		tr__tramp_drop(t, &t->bps[i]);
	if (err == 0)
		t->bps[i].trap = true;
	return err;
}

int
tr__trap_remove(struct tr_tracer *t, uint64_t addr)
{
	size_t i = bp_lower(t, addr);

	if (i >= t->nbps || t->bps[i].addr != addr || !t->bps[i].trap)
		return -TR_ENOENT;
	t->bps[i].trap = false;
	return t->bps[i].users || t->bps[i].raw ? 0 : site_del(t, i);
}

int
tr__site_get(struct tr_tracer *t, uint64_t addr)
{
	size_t i = bp_lower(t, addr);
	int err;

	if (i >= t->nbps || t->bps[i].addr != addr) {
		err = site_new(t, i, addr);
		if (err)
			return err;
	} else if (t->bps[i].tramp) {
		tr__tramp_drop(t, &t->bps[i]); /* a second user */
	}
	t->bps[i].users++;
	return 0;
}

void
tr__site_put(struct tr_tracer *t, uint64_t addr)
{
	size_t i = bp_lower(t, addr);

	if (i >= t->nbps || t->bps[i].addr != addr || !t->bps[i].users)
		return;
	if (--t->bps[i].users == 0 && !t->bps[i].raw && !t->bps[i].trap)
		site_del(t, i);
}

void
tr__sites_clear(struct tr_tracer *t)
{
	/* A site that cannot be written any more (library unloaded) is
	 * dropped all the same. */
	while (t->nbps)
		if (site_del(t, t->nbps - 1) < 0)
			t->nbps--;
}

/* A forked child inherits our int3s: put the original bytes back in its
 * copy of the memory before letting it go, as gdb does. */
void
tr__bp_restore_in(struct tr_tracer *t, pid_t pid)
{
	char path[64];
	int fd;

	if (!t->nbps)
		return;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		tr_log_warn("fork child %d: %s", pid, strerror(errno));
		return;
	}
	for (size_t i = 0; i < t->nbps; i++) {
		uint8_t b[5];

		/* a jump's bytes, then the int3's */
		b[0] = t->bps[i].orig;
		if (tr__bp_jumped(t, &t->bps[i])) {
			memset(b + 1, 0, 4);
			tramp_shadow(t, &t->bps[i], t->bps[i].addr, b, 5);
			if (pwrite(fd, b + 1, 4, (off_t)t->bps[i].addr + 1) != 4)
				tr_log_warn("fork child %d: cannot restore %#lx",
					    pid,
					    (unsigned long)t->bps[i].addr);
		}
		if (pwrite(fd, &t->bps[i].orig, 1, (off_t)t->bps[i].addr) != 1)
			tr_log_warn("fork child %d: cannot restore %#lx", pid,
				    (unsigned long)t->bps[i].addr);
	}
	close(fd);
}
