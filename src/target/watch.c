/* watch.c: watchpoints by page protection (mprotect made by the target, its faults stepped over), and the probe of the debug registers. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <capstone/capstone.h>

#include "base/error.h"
#include "base/log.h"
#include "target/tracer_int.h"

#define PAGE 4096ull
/* How far before a watched range a read may start and still touch it:
 * the widest access of an ordinary instruction (a 32-byte AVX move). */
#define READ_REACH 31

static struct tr_wp *
wp_find(struct tr_tracer *t, uint32_t id)
{
	for (size_t i = 0; i < t->nwps; i++)
		if (t->wps[i].id == id)
			return &t->wps[i];
	return NULL;
}

static struct tr_wpage *
page_find(struct tr_tracer *t, uint64_t page)
{
	for (size_t i = 0; i < t->nwpages; i++)
		if (t->wpages[i].page == page)
			return &t->wpages[i];
	return NULL;
}

/* A thread stopped to make the system calls, `pref` when it can be. */
static struct tr_thread *
stopped_thread(struct tr_tracer *t, struct tr_thread *pref)
{
	struct tr_thread *th;

	if (pref && pref->state == TH_STOPPED)
		return pref;
	th = tr__thread_find(t, t->current_tid);
	if (th && th->state == TH_STOPPED)
		return th;
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].state == TH_STOPPED)
			return &t->threads[i];
	return NULL;
}

/* The permissions of the mapping holding `page`, from /proc/PID/maps:
 * 0 or -TR_EFAULT when nothing is mapped there. */
static int
page_prot(pid_t pid, uint64_t page, int *prot)
{
	char path[64], line[512];
	FILE *f;
	int err = -TR_EFAULT;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -TR_EGONE;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
			continue;
		if (page < lo || page >= hi)
			continue;
		*prot = (perms[0] == 'r' ? PROT_READ : 0) |
			(perms[1] == 'w' ? PROT_WRITE : 0) |
			(perms[2] == 'x' ? PROT_EXEC : 0);
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

static int
remote_mprotect(struct tr_tracer *t, struct tr_thread *th, uint64_t page,
		int prot)
{
	uint64_t a[6] = { page, PAGE, (uint64_t)prot, 0, 0, 0 };
	int64_t r = tr__remote_syscall(t, th, SYS_mprotect, a);

	if (r == 0)
		return 0;
	tr_log_debug("mprotect(%#lx, %d) in %d: %ld", (unsigned long)page, prot,
		     t->pid, (long)r);
	return r < 0 && r > -4096 ? -TR_EFAULT : (int)r;
}

/* What a page must allow while the watchpoints over it are armed. */
static int
page_want(struct tr_tracer *t, const struct tr_wpage *pg)
{
	int want = pg->orig;

	for (size_t i = 0; i < t->nwps; i++) {
		const struct tr_wp *w = &t->wps[i];
		uint64_t lo = w->addr & ~(PAGE - 1);
		uint64_t hi = (w->addr + w->len - 1) & ~(PAGE - 1);

		if (w->drs || pg->page < lo || pg->page > hi)
			continue;
		want &= ~PROT_WRITE;
		if (w->kind != TR_WATCH_WRITE)
			want = PROT_NONE;
	}
	return want;
}

/* Set every page as the watchpoints want it (or, with `off`, as found),
 * and forget pages no watchpoint needs any more. */
static int
pages_sync(struct tr_tracer *t, struct tr_thread *th, bool off)
{
	int err = 0;

	for (size_t i = 0; i < t->nwpages;) {
		struct tr_wpage *pg = &t->wpages[i];
		int want = page_want(t, pg);
		bool unused = want == pg->orig;

		if (off || unused || t->sys_open)
			want = pg->orig;
		if (want != pg->cur) {
			int e = remote_mprotect(t, th, pg->page, want);

			if (e == 0)
				pg->cur = want;
			else if (!err)
				err = e;
		}
		if (unused && pg->cur == pg->orig) {
			t->wpages[i] = t->wpages[--t->nwpages];
			continue;
		}
		i++;
	}
	return err;
}

/* ---- debug registers ------------------------------------------------ */

#define DR_OFF(n) (offsetof(struct user, u_debugreg) + (n) * sizeof(long))

static _Atomic int mech_mode; /* enum tr_watch_mech */
static _Atomic bool probe_done;
static struct tr_watch_probe_result probe_result;

/* Cut [addr, addr + len) into at most `max` aligned pieces of 1, 2, 4
 * or 8 bytes, as DR7's lengths require: their number, or -1 when more
 * would be needed. */
static int
dr_pieces(uint64_t addr, size_t len, uint64_t *a, unsigned *l, int max)
{
	int n = 0;

	while (len) {
		unsigned sz = 8;

		while (sz > len || addr % sz)
			sz >>= 1;
		if (n == max)
			return -1;
		a[n] = addr;
		l[n] = sz;
		n++;
		addr += sz;
		len -= sz;
	}
	return n;
}

/* DR7's bits for register n: local enable, the access (01 write, 11
 * read or write: x86 has no read-only), the length (00 1, 01 2, 11 4,
 * 10 8 bytes). */
static uint64_t
dr7_bits(int n, int kind, unsigned len)
{
	uint64_t rw = kind == TR_WATCH_WRITE ? 1 : 3;
	uint64_t ln = len == 1 ? 0 : len == 2 ? 1 : len == 4 ? 3 : 2;

	return (1ull << (2 * n)) | (rw << (16 + 4 * n)) | (ln << (18 + 4 * n));
}

/* Set the tracer's DR0-DR3 and DR7 on one stopped thread and read them
 * back: 0, or -TR_ENOTSUP when the kernel refused or kept other values. */
static int
dr_set_thread(struct tr_tracer *t, pid_t tid)
{
	long v;

	/* DR7 first off: the kernel checks each address against the
	 * length DR7 gives its register */
	if (ptrace(PTRACE_POKEUSER, tid, (void *)DR_OFF(7), (void *)0) < 0)
		return errno == ESRCH ? 0 : -TR_ENOTSUP;
	for (int n = 0; n < 4; n++) {
		if (!(t->dr7 & (3ull << (2 * n))))
			continue;
		if (ptrace(PTRACE_POKEUSER, tid, (void *)DR_OFF(n),
			   (void *)t->dr_addr[n]) < 0)
			return -TR_ENOTSUP;
	}
	if (t->dr7 && ptrace(PTRACE_POKEUSER, tid, (void *)DR_OFF(7),
			     (void *)t->dr7) < 0)
		return -TR_ENOTSUP;
	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, tid, (void *)DR_OFF(7), NULL);
	if (errno || (uint64_t)v != t->dr7) {
		tr_log_warn("DR7 of %d reads %#lx, not %#lx", tid, v,
			    (unsigned long)t->dr7);
		return -TR_ENOTSUP;
	}
	return 0;
}

/* The debug registers as the watchpoints want them, on every thread. */
static int
dr_sync(struct tr_tracer *t)
{
	int err = 0;

	for (size_t i = 0; i < t->nthreads; i++) {
		int e;

		if (t->threads[i].state != TH_STOPPED)
			continue;
		e = dr_set_thread(t, t->threads[i].tid);
		if (e && !err)
			err = e;
	}
	return err;
}

/* Whether a watchpoint of `kind` on [addr, addr + len) goes in debug
 * registers: 1 when the mechanism is theirs and the range fits in four
 * (with `take`, they are taken and *take says which), 0 when page
 * protection is to be used (the range too long or misaligned, or the
 * mechanism), -TR_ENOSPC when too few are left. */
static int
dr_claim(struct tr_tracer *t, int kind, uint64_t addr, size_t len,
	 uint8_t *take)
{
	uint64_t a[4];
	unsigned l[4];
	int n, used = 0;
	uint8_t drs = 0;

	if (strcmp(tr_watch_mechanism(), "debug-registers"))
		return 0;
	n = dr_pieces(addr, len, a, l, 4);
	if (n < 0)
		return 0;
	for (int r = 0; r < 4 && used < n; r++) {
		if (t->dr7 & (3ull << (2 * r)))
			continue;
		drs |= (uint8_t)(1u << r);
		used++;
	}
	if (used < n)
		return -TR_ENOSPC;
	if (!take)
		return 1;
	used = 0;
	for (int r = 0; r < 4; r++) {
		if (!(drs & (1u << r)))
			continue;
		t->dr_addr[r] = a[used];
		t->dr7 |= dr7_bits(r, kind, l[used]);
		used++;
	}
	*take = drs;
	return 1;
}

static void
dr_release(struct tr_tracer *t, uint8_t drs)
{
	for (int r = 0; r < 4; r++) {
		if (!(drs & (1u << r)))
			continue;
		t->dr7 &= ~((3ull << (2 * r)) | (0xfull << (16 + 4 * r)));
		t->dr_addr[r] = 0;
	}
}

void
tr__wp_thread_new(struct tr_tracer *t, struct tr_thread *th)
{
	/* a new thread starts with no debug register of ours (copy_thread
	 * does not copy ptrace's breakpoints) */
	if (t->dr7 && dr_set_thread(t, th->tid) < 0)
		tr_log_warn("watchpoints: cannot set the debug registers of "
			    "new thread %d", th->tid);
}

int
tr_watch_set_mechanism(int mech)
{
	if (mech < TR_WATCH_MECH_AUTO || mech > TR_WATCH_MECH_PAGES)
		return -TR_EINVAL;
	mech_mode = mech;
	return 0;
}

const char *
tr_watch_mechanism(void)
{
	switch (atomic_load(&mech_mode)) {
	case TR_WATCH_MECH_DR:
		return "debug-registers";
	case TR_WATCH_MECH_PAGES:
		return "page-protection";
	default:
		return probe_done && probe_result.fires ? "debug-registers"
							: "page-protection";
	}
}

/*
 * The thread whose stack holds the frame of canonical frame address cfa:
 * of the threads whose sp is at or below cfa, the nearest. Stacks do not
 * overlap, so another thread below it has its sp below this thread's
 * stack, farther from cfa. 0 when none is (the scope then ends at the
 * first thread that returns there).
 */
static pid_t
scope_thread(struct tr_tracer *t, uint64_t cfa)
{
	uint64_t best = UINT64_MAX;
	pid_t tid = 0;

	for (size_t i = 0; i < t->nthreads; i++) {
		struct user_regs_struct r;

		if (t->threads[i].state != TH_STOPPED ||
		    tr__regs_of(t->threads[i].tid, &r) < 0 || r.rsp > cfa)
			continue;
		if (cfa - r.rsp < best) {
			best = cfa - r.rsp;
			tid = t->threads[i].tid;
		}
	}
	return tid;
}

int
tr_direct_watch_add(struct tr_tracer *t, uint32_t id, int kind,
		    uint64_t addr, size_t len, uint64_t scope_pc,
		    uint64_t scope_cfa, tr_watch_cond_fn cond, void *ctx)
{
	struct tr_thread *th;
	struct tr_wp *w;
	size_t npages0 = t->nwpages;
	bool use_dr;
	int err;

	if ((err = tr__need_target(t)))
		return err;
	if (kind < TR_WATCH_WRITE || kind > TR_WATCH_ACCESS || !len ||
	    len > TR_WATCH_MAX_LEN || addr + len < addr)
		return -TR_EINVAL;
	if (wp_find(t, id))
		return -TR_EEXIST;
	if (t->nwps >= TR_WATCH_MAX_COUNT)
		return -TR_ENOSPC;
	if (t->phase != PH_STOPPED || !(th = stopped_thread(t, NULL)))
		return -TR_ERUNNING;
	if ((err = dr_claim(t, kind, addr, len, NULL)) < 0)
		return err;
	use_dr = err > 0;
	for (uint64_t pg = addr & ~(PAGE - 1); pg < addr + len; pg += PAGE) {
		struct tr_wpage *p;
		int prot;

		if (page_find(t, pg))
			continue;
		if ((err = page_prot(t->pid, pg, &prot)))
			goto undo;
		if (use_dr)
			continue; /* mapped: enough */
		if (t->nwpages == t->cap_wpages) {
			size_t cap = t->cap_wpages ? 2 * t->cap_wpages : 8;
			void *n = realloc(t->wpages, cap * sizeof(*t->wpages));

			if (!n) {
				err = -TR_ENOMEM;
				goto undo;
			}
			t->wpages = n;
			t->cap_wpages = cap;
		}
		p = &t->wpages[t->nwpages++];
		p->page = pg;
		p->orig = p->cur = prot;
	}
	if (t->nwps == t->cap_wps) {
		size_t cap = t->cap_wps ? 2 * t->cap_wps : 4;
		void *n = realloc(t->wps, cap * sizeof(*t->wps));

		if (!n) {
			err = -TR_ENOMEM;
			goto undo;
		}
		t->wps = n;
		t->cap_wps = cap;
	}
	w = &t->wps[t->nwps];
	memset(w, 0, sizeof(*w));
	w->old = calloc(1, len);
	w->prev = calloc(1, len);
	if (!w->old || !w->prev) {
		free(w->old);
		free(w->prev);
		err = -TR_ENOMEM;
		goto undo;
	}
	if ((err = tr__raw_read(t, addr, w->old, len, NULL)) < 0) {
		free(w->old);
		free(w->prev);
		goto undo;
	}
	memcpy(w->prev, w->old, len);
	w->id = id;
	w->kind = kind;
	w->addr = addr;
	w->len = len;
	w->scope_pc = scope_pc;
	w->scope_cfa = scope_cfa;
	w->scope_tid = scope_pc ? scope_thread(t, scope_cfa) : 0;
	w->cond = cond;
	w->cond_ctx = ctx;
	t->nwps++;
	if (scope_pc && (err = tr__site_get(t, scope_pc)) < 0) {
		t->nwps--;
		free(w->old);
		free(w->prev);
		goto undo;
	}
	if (use_dr) {
		(void)dr_claim(t, kind, addr, len, &w->drs); /* as checked */
		err = dr_sync(t);
	} else {
		err = pages_sync(t, th, false);
	}
	if (err < 0) {
		tr_direct_watch_del(t, id);
		return err;
	}
	return 0;
undo:
	t->nwpages = npages0;
	return err;
}

static void
wp_free(struct tr_tracer *t, struct tr_wp *w)
{
	dr_release(t, w->drs);
	if (w->scope_pc && t->pid && !t->gone)
		tr__site_put(t, w->scope_pc);
	free(w->old);
	free(w->prev);
	*w = t->wps[--t->nwps];
}

int
tr_direct_watch_del(struct tr_tracer *t, uint32_t id)
{
	struct tr_wp *w = wp_find(t, id);
	struct tr_thread *th;

	bool dr;

	if (!w)
		return -TR_ENOENT;
	dr = w->drs != 0;
	wp_free(t, w);
	if (dr)
		return dr_sync(t);
	th = stopped_thread(t, NULL);
	if (th)
		return pages_sync(t, th, false);
	return 0;
}

int
tr_direct_watch_cond(struct tr_tracer *t, uint32_t id, tr_watch_cond_fn cond,
		     void *ctx)
{
	struct tr_wp *w = wp_find(t, id);

	if (!w)
		return -TR_ENOENT;
	w->cond = cond;
	w->cond_ctx = ctx;
	return 0;
}

int
tr_direct_watch_ignore(struct tr_tracer *t, uint32_t id, uint32_t count)
{
	struct tr_wp *w = wp_find(t, id);

	if (!w)
		return -TR_ENOENT;
	w->ignore = count;
	return 0;
}

int
tr_direct_watch_get(struct tr_tracer *t, uint32_t id,
		    struct tr_watch_state *st, void *old, void *now, size_t max)
{
	struct tr_wp *w = wp_find(t, id);
	size_t n;

	if (!w)
		return -TR_ENOENT;
	if (st) {
		st->kind = w->kind;
		st->addr = w->addr;
		st->len = w->len;
		st->hits = w->hits;
		st->scope_pc = w->scope_pc;
		st->scope_cfa = w->scope_cfa;
		st->mechanism = w->drs ? "debug-registers"
				       : "page-protection";
		st->ignore = w->ignore;
	}
	n = w->len < max ? w->len : max;
	if (old)
		memcpy(old, w->prev, n);
	if (now)
		memcpy(now, w->old, n);
	return 0;
}

void
tr_direct_watch_list(struct tr_tracer *t, uint32_t *ids, size_t max,
		     size_t *n)
{
	for (size_t i = 0; i < t->nwps && i < max; i++)
		ids[i] = t->wps[i].id;
	*n = t->nwps;
}

static bool wp_triggered(struct tr_tracer *t, struct tr_wp *w, uint64_t lo,
			 uint64_t hi, uint8_t *buf);

/* ---- system calls into protected pages -------------------------------- */

/* Nothing is open for a system call any more (detach, exec, exit). */
static void
sys_forget(struct tr_tracer *t)
{
	t->sys_open = 0;
	for (size_t i = 0; i < t->nthreads; i++) {
		t->threads[i].sys_open = false;
		t->threads[i].sys_reissue = false;
	}
}

bool
tr__wp_sys_trace(struct tr_tracer *t, struct tr_thread *th)
{
	if (th->calling)
		return false;
	if (th->sys_open || th->sys_reissue)
		return true;
	for (size_t i = 0; i < t->nwpages; i++)
		if (t->wpages[i].cur != t->wpages[i].orig)
			return true;
	return false;
}

/* The buffers of a system call, as [lo, hi) ranges: those of the calls
 * that read or write memory given by (address, length) arguments, the
 * iovecs of readv/writev/recvmsg/sendmsg and their kin, and any other
 * argument as the first byte of what it may point to. */
struct sys_bufs {
	uint64_t lo[72], hi[72];
	size_t n;
};

static void
buf_add(struct sys_bufs *b, uint64_t addr, uint64_t len)
{
	if (!addr || !len || b->n == sizeof(b->lo) / sizeof(b->lo[0]))
		return;
	if (len > (1ull << 32))
		len = 1ull << 32; /* what the kernel could touch of it */
	b->lo[b->n] = addr;
	b->hi[b->n++] = addr + len < addr ? UINT64_MAX : addr + len;
}

static void
iov_add(struct tr_tracer *t, struct sys_bufs *b, uint64_t iov, uint64_t cnt)
{
	uint64_t v[2 * 64];

	if (cnt > 64)
		cnt = 64;
	if (!iov || !cnt || tr__raw_read(t, iov, v, cnt * 16, NULL) < 0)
		return;
	buf_add(b, iov, cnt * 16);
	for (uint64_t i = 0; i < cnt; i++)
		buf_add(b, v[2 * i], v[2 * i + 1]);
}

static void
sys_bufs_of(struct tr_tracer *t, uint64_t nr, const uint64_t *a,
	    struct sys_bufs *b)
{
	uint64_t m[7];

	b->n = 0;
	switch (nr) {
	case SYS_read: case SYS_write: case SYS_pread64: case SYS_pwrite64:
	case SYS_recvfrom: case SYS_sendto: case SYS_getdents:
	case SYS_getdents64: case SYS_readlink:
		buf_add(b, a[1], a[2]);
		break;
	case SYS_readlinkat:
		buf_add(b, a[2], a[3]);
		break;
	case SYS_getrandom: case SYS_getcwd:
		buf_add(b, a[0], a[1]);
		break;
	case SYS_readv: case SYS_writev: case SYS_preadv: case SYS_pwritev:
	case SYS_preadv2: case SYS_pwritev2:
		iov_add(t, b, a[1], a[2]);
		break;
	case SYS_recvmsg: case SYS_sendmsg:
		/* struct msghdr: name, namelen, iov, iovlen, control,
		 * controllen, flags */
		if (a[1] && tr__raw_read(t, a[1], m, sizeof(m), NULL) == 0) {
			buf_add(b, a[1], sizeof(m));
			buf_add(b, m[0], (uint32_t)m[1]);
			iov_add(t, b, m[2], m[3]);
			buf_add(b, m[4], m[5]);
		}
		break;
	case SYS_fstat: case SYS_stat: case SYS_lstat:
		buf_add(b, a[1], sizeof(struct stat));
		break;
	case SYS_newfstatat:
		buf_add(b, a[2], sizeof(struct stat));
		break;
	default:
		break;
	}
	for (int i = 0; i < 6; i++)
		buf_add(b, a[i], 1);
}

/* Whether a protected page lies under the buffers; *lo and *hi: their
 * hull over protected pages. */
static bool
sys_touches(struct tr_tracer *t, const struct sys_bufs *b, uint64_t *lo,
	    uint64_t *hi)
{
	bool any = false;

	*lo = UINT64_MAX;
	*hi = 0;
	for (size_t i = 0; i < t->nwpages; i++) {
		const struct tr_wpage *pg = &t->wpages[i];

		if (pg->cur == pg->orig)
			continue;
		for (size_t k = 0; k < b->n; k++) {
			if (b->lo[k] >= pg->page + PAGE || b->hi[k] <= pg->page)
				continue;
			any = true;
			if (b->lo[k] < *lo)
				*lo = b->lo[k];
			if (b->hi[k] > *hi)
				*hi = b->hi[k];
		}
	}
	return any;
}

uint32_t
tr__wp_sys_stop(struct tr_tracer *t, struct tr_thread *th, uint64_t *addr)
{
	struct __ptrace_syscall_info si;
	struct user_regs_struct r;
	struct sys_bufs b;
	uint8_t small[64], *buf = small;
	uint32_t hit = 0;
	uint64_t lo, hi;

	memset(&si, 0, sizeof(si));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, th->tid, (void *)sizeof(si), &si) <=
	    0)
		return 0;
	if (si.op == PTRACE_SYSCALL_INFO_ENTRY) {
		if (th->sys_reissue) {
			/* the call made again, its pages open */
			th->sys_reissue = false;
			return 0;
		}
		if (th->sys_open || !t->nwpages)
			return 0;
		sys_bufs_of(t, si.entry.nr, si.entry.args, &b);
		if (!sys_touches(t, &b, &lo, &hi))
			return 0;
		th->sys_lo = lo;
		th->sys_hi = hi;
		th->sys_open = true;
		if (t->sys_open++)
			return 0; /* open already for another thread's call */
		/* The pages are opened by a system call this thread makes
		 * (tr__remote_syscall), which takes the place of its own:
		 * that one is made again once they are open (back at the
		 * 2-byte syscall instruction, its number in rax). */
		if (tr__regs_of(th->tid, &r) < 0)
			return 0;
		if (pages_sync(t, th, true) < 0)
			tr_log_warn("watchpoints: cannot open the pages of %d "
				    "for a system call", t->pid);
		r.rip -= 2;
		r.rax = r.orig_rax;
		if (ptrace(PTRACE_SETREGS, th->tid, NULL, &r) == 0)
			th->sys_reissue = true;
		return 0;
	}
	if (si.op != PTRACE_SYSCALL_INFO_EXIT || !th->sys_open)
		return 0;
	th->sys_open = false;
	if (t->sys_open && --t->sys_open)
		return 0; /* another thread's call still has them open */
	if (pages_sync(t, th, false) < 0)
		tr_log_warn("watchpoints: cannot protect the pages of %d again",
			    t->pid);
	for (size_t i = 0; i < t->nwps; i++) {
		struct tr_wp *w = &t->wps[i];
		int c = 1;

		if (w->drs)
			continue;
		if (w->len > sizeof(small) && buf == small &&
		    !(buf = malloc(TR_WATCH_MAX_LEN))) {
			buf = small;
			continue;
		}
		if (!wp_triggered(t, w, th->sys_lo, th->sys_hi, buf) || hit)
			continue;
		if (w->cond)
			c = w->cond(t, th->tid, w->id, w->cond_ctx);
		if (c == 0)
			continue;
		w->hits++;
		if (w->ignore) {
			w->ignore--;
			continue;
		}
		hit = w->id;
		*addr = w->addr;
	}
	if (buf != small)
		free(buf);
	return hit;
}

/* ---- faults --------------------------------------------------------- */

/* A register's value for an address (Capstone's names), at an
 * instruction of `len` bytes: false for one an address cannot use here
 * (a vector index, a segment other than fs and gs). */
static bool
reg_value(const struct user_regs_struct *r, x86_reg reg, unsigned len,
	  uint64_t *v)
{
	static const struct {
		x86_reg q, d;
		size_t off;
	} gp[] = {
#define R(Q, D, F) { X86_REG_##Q, X86_REG_##D, offsetof(struct user_regs_struct, F) }
		R(RAX, EAX, rax), R(RBX, EBX, rbx), R(RCX, ECX, rcx),
		R(RDX, EDX, rdx), R(RSI, ESI, rsi), R(RDI, EDI, rdi),
		R(RBP, EBP, rbp), R(RSP, ESP, rsp), R(R8, R8D, r8),
		R(R9, R9D, r9), R(R10, R10D, r10), R(R11, R11D, r11),
		R(R12, R12D, r12), R(R13, R13D, r13), R(R14, R14D, r14),
		R(R15, R15D, r15),
#undef R
	};

	if (reg == X86_REG_INVALID) {
		*v = 0;
		return true;
	}
	if (reg == X86_REG_RIP) {
		*v = r->rip + len; /* relative to the next instruction */
		return true;
	}
	if (reg == X86_REG_FS || reg == X86_REG_GS) {
		*v = reg == X86_REG_FS ? r->fs_base : r->gs_base;
		return true;
	}
	if (reg == X86_REG_CS || reg == X86_REG_DS || reg == X86_REG_ES ||
	    reg == X86_REG_SS) {
		*v = 0; /* flat in 64-bit mode */
		return true;
	}
	for (size_t i = 0; i < sizeof(gp) / sizeof(gp[0]); i++) {
		uint64_t x;

		if (reg != gp[i].q && reg != gp[i].d)
			continue;
		memcpy(&x, (const char *)r + gp[i].off, sizeof(x));
		*v = reg == gp[i].d ? (uint32_t)x : x;
		return true;
	}
	return false;
}

/*
 * The bytes the faulting instruction of th accesses: the hull of its
 * explicit memory operands, each at its effective address (segment,
 * base, index, scale, displacement, from the registers before it runs)
 * for its operand size, decoded by Capstone (Debian's libcapstone, the
 * disassembler symbols/disasm.c uses too). An instruction whose access is
 * implicit (push, pop, call, ret, the stack) or not decoded: from the
 * fault address, as far as one instruction may reach (READ_REACH), as
 * before decoding.
 */
static void
access_range(struct tr_tracer *t, struct tr_thread *th, uint64_t fault,
	     uint64_t *lo, uint64_t *hi)
{
	struct user_regs_struct r;
	uint8_t code[16];
	size_t got = 0;
	csh h;
	cs_insn *insn = NULL;
	bool any = false;

	*lo = fault;
	*hi = fault + READ_REACH + 1;
	if (tr__regs_of(th->tid, &r) < 0)
		return;
	(void)tr__mem_read(t, r.rip, code, sizeof(code), &got);
	if (!got || cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	if (cs_disasm(h, code, got, r.rip, 1, &insn) == 1) {
		const cs_x86 *x = &insn->detail->x86;
		uint64_t l = UINT64_MAX, e = 0;
		bool ok = true;

		for (uint8_t i = 0; i < x->op_count && ok; i++) {
			const cs_x86_op *op = &x->operands[i];
			uint64_t seg, base, idx, ea;

			if (op->type != X86_OP_MEM)
				continue;
			ok = reg_value(&r, op->mem.segment, insn->size, &seg) &&
			     reg_value(&r, op->mem.base, insn->size, &base) &&
			     reg_value(&r, op->mem.index, insn->size, &idx) &&
			     op->size > 0;
			if (!ok)
				break;
			/* lea names memory it does not touch */
			if (insn->id == X86_INS_LEA)
				continue;
			ea = seg + base + idx * (uint64_t)op->mem.scale +
			     (uint64_t)op->mem.disp;
			if (ea < l)
				l = ea;
			if (ea + op->size > e)
				e = ea + op->size;
			any = true;
		}
		/* the fault must be in what was decoded, else trust nothing */
		if (ok && any && fault >= l && fault < e) {
			*lo = l;
			*hi = e;
		}
		cs_free(insn, 1);
	}
	cs_close(&h);
}

/* Whether another thread runs (and must be stopped before the pages are
 * opened for th). */
static bool
others_run(struct tr_tracer *t, struct tr_thread *th)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (&t->threads[i] != th && t->threads[i].state == TH_RUNNING &&
		    !t->threads[i].fresh)
			return true;
	return false;
}

void
tr__wp_step_begin(struct tr_tracer *t, struct tr_thread *th)
{
	th->wp_wait = false;
	if (pages_sync(t, th, true) < 0)
		tr_log_warn("watchpoints: cannot unprotect the pages of %d",
			    t->pid);
	t->wp_off = true;
	th->wp_stepping = true;
	if (!th->calling)
		t->single = true;
	tr__resume_thread(t, th, PTRACE_SINGLESTEP, 0);
	if (th->state != TH_RUNNING) {
		/* gone meanwhile: its exit status will come */
		th->wp_stepping = false;
		t->wp_off = false;
	}
}

void
tr__wp_step_cancel(struct tr_tracer *t, struct tr_thread *th)
{
	th->wp_stepping = false;
	t->wp_off = false;
	if (pages_sync(t, th, false) < 0)
		tr_log_warn("watchpoints: cannot protect the pages of %d again",
			    t->pid);
}

bool
tr__wp_fault(struct tr_tracer *t, struct tr_thread *th, const siginfo_t *si)
{
	uint64_t fault = (uint64_t)(uintptr_t)si->si_addr;

	if (th->wp_stepping) {
		/* A fault with the pages as found: the program's own. */
		tr__wp_step_cancel(t, th);
		return false;
	}
	if (si->si_code != SEGV_ACCERR || !page_find(t, fault & ~(PAGE - 1)))
		return false;
	th->wp_fault = fault;
	access_range(t, th, fault, &th->wp_lo, &th->wp_hi);
	if (t->phase == PH_RUNNING && !t->have_report && !others_run(t, th)) {
		tr__wp_step_begin(t, th);
		return true;
	}
	/* Step it once every other thread is stopped (tr__continue_resume):
	 * no thread may run while the pages are open. */
	th->wp_wait = true;
	if (t->phase == PH_RUNNING && !t->have_report) {
		t->auto_resume = true;
		t->phase = PH_STOPPING;
		tr__interrupt_all(t);
	}
	tr__maybe_finish_stop(t);
	return true;
}

/* Whether watchpoint w is triggered by the access just stepped; its
 * values are brought up to date. */
static bool
wp_triggered(struct tr_tracer *t, struct tr_wp *w, uint64_t lo, uint64_t hi,
	     uint8_t *buf)
{
	/* [lo, hi): the bytes the access may have touched */
	bool touched = lo < w->addr + w->len && hi > w->addr;
	bool changed = false;

	if (tr__raw_read(t, w->addr, buf, w->len, NULL) == 0 &&
	    memcmp(buf, w->old, w->len)) {
		changed = true;
		memcpy(w->prev, w->old, w->len);
		memcpy(w->old, buf, w->len);
	}
	if (w->kind == TR_WATCH_WRITE)
		return changed;
	if (w->kind == TR_WATCH_ACCESS)
		return changed || touched;
	/* A read: a fault cannot tell a read from a write (nor can x86's
	 * debug registers), so an access that changed the value is taken
	 * for a write and not reported, as gdb does with an access
	 * watchpoint standing for a read one (breakpoint.c,
	 * bpstat_check_watchpoint). */
	if (changed || !touched)
		return false;
	memcpy(w->prev, w->old, w->len);
	return true;
}

uint32_t
tr__wp_step_done(struct tr_tracer *t, struct tr_thread *th, uint64_t *addr)
{
	uint32_t hit = 0;
	uint8_t small[64], *buf = small;

	th->wp_stepping = false;
	t->wp_off = false;
	if (pages_sync(t, th, false) < 0)
		tr_log_warn("watchpoints: cannot protect the pages of %d again",
			    t->pid);
	for (size_t i = 0; i < t->nwps; i++) {
		struct tr_wp *w = &t->wps[i];
		int c = 1;

		if (w->drs)
			continue; /* the debug registers report it */
		if (w->len > sizeof(small) && buf == small &&
		    !(buf = malloc(TR_WATCH_MAX_LEN))) {
			buf = small;
			continue;
		}
		if (!wp_triggered(t, w, th->wp_lo, th->wp_hi, buf) || hit ||
		    th->calling)
			continue;
		if (w->cond)
			c = w->cond(t, th->tid, w->id, w->cond_ctx);
		if (c == 0)
			continue;
		w->hits++;
		if (w->ignore) {
			w->ignore--;
			continue;
		}
		hit = w->id;
		*addr = w->addr;
	}
	if (buf != small)
		free(buf);
	return hit;
}

uint32_t
tr__wp_scope_hit(struct tr_tracer *t, struct tr_thread *th, uint64_t addr)
{
	struct user_regs_struct r;

	if (!t->nwps || tr__regs_of(th->tid, &r) < 0)
		return 0;
	for (size_t i = 0; i < t->nwps; i++) {
		struct tr_wp *w = &t->wps[i];
		uint32_t id = w->id;

		if (w->scope_pc != addr || r.rsp < w->scope_cfa ||
		    (w->scope_tid && w->scope_tid != th->tid))
			continue;
		/* Its frame returned: the watchpoint goes. */
		wp_free(t, w);
		if (dr_sync(t) < 0 || pages_sync(t, th, false) < 0)
			tr_log_warn("watchpoints: cannot unprotect a page of %d",
				    t->pid);
		return id;
	}
	return 0;
}

void
tr__wp_restore_in(struct tr_tracer *t, pid_t pid)
{
	char path[64];
	struct tr_thread kid = { .tid = pid, .state = TH_STOPPED };
	int fd, memfd = t->memfd;

	if (!t->nwpages)
		return;
	/* the child's own memory for the system call's two bytes: the
	 * parent's are not the child's since the fork */
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		tr_log_warn("fork child %d: %s", pid, strerror(errno));
		return;
	}
	t->memfd = fd;
	for (size_t i = 0; i < t->nwpages; i++) {
		const struct tr_wpage *pg = &t->wpages[i];

		if (pg->cur != pg->orig &&
		    remote_mprotect(t, &kid, pg->page, pg->orig) < 0)
			tr_log_warn("fork child %d: cannot unprotect %#lx", pid,
				    (unsigned long)pg->page);
	}
	t->memfd = memfd;
	close(fd);
}

void
tr__wp_clear(struct tr_tracer *t)
{
	struct tr_thread *th = stopped_thread(t, NULL);

	bool dr = t->dr7 != 0;

	while (t->nwps)
		wp_free(t, &t->wps[t->nwps - 1]);
	sys_forget(t);
	if (th)
		pages_sync(t, th, false);
	/* the hardware breakpoints go too (the layers above forget theirs
	 * at detach) */
	t->dr7 = 0;
	t->dr_exec = 0;
	memset(t->dr_addr, 0, sizeof(t->dr_addr));
	memset(t->dr_users, 0, sizeof(t->dr_users));
	memset(t->dr_raw, 0, sizeof(t->dr_raw));
	sys_forget(t);
	if (dr)
		dr_sync(t); /* every register off, on every thread */
	t->nwpages = 0;
	t->wp_off = false;
}

void
tr__wp_reset(struct tr_tracer *t)
{
	for (size_t i = 0; i < t->nwps; i++) {
		free(t->wps[i].old);
		free(t->wps[i].prev);
	}
	t->nwps = 0;
	t->nwpages = 0;
	t->wp_off = false;
	t->dr7 = 0;
	t->dr_exec = 0;
	memset(t->dr_addr, 0, sizeof(t->dr_addr));
	memset(t->dr_users, 0, sizeof(t->dr_users));
	memset(t->dr_raw, 0, sizeof(t->dr_raw));
	sys_forget(t);
}

int
tr__dr_trap(struct tr_tracer *t, struct tr_thread *th, bool *exec,
	     uint64_t *bp_addr, uint32_t *watch, uint64_t *waddr)
{
	uint8_t small[64];
	unsigned fired = 0;
	long dr6;

	*exec = false;
	*watch = 0;
	if (!t->dr7)
		return -1;
	errno = 0;
	dr6 = ptrace(PTRACE_PEEKUSER, th->tid, (void *)DR_OFF(6), NULL);
	if (errno)
		return -1;
	for (int r = 0; r < 4; r++)
		if ((dr6 & (1l << r)) && (t->dr7 & (3ull << (2 * r))))
			fired |= 1u << r;
	if (!fired)
		return -1;
	/* DR6 is sticky: cleared for the next trap to say only its own */
	ptrace(PTRACE_POKEUSER, th->tid, (void *)DR_OFF(6), (void *)0);
	for (int r = 0; r < 4; r++) {
		if ((fired & t->dr_exec) & (1u << r)) {
			*exec = true;
			*bp_addr = t->dr_addr[r];
		}
	}
	for (size_t i = 0; i < t->nwps; i++) {
		struct tr_wp *w = &t->wps[i];
		int c = 1;

		if (!(w->drs & fired) || w->len > sizeof(small))
			continue;
		/* the register says the range was accessed */
		if (!wp_triggered(t, w, w->addr, w->addr + 1, small) ||
		    *watch ||
		    th->calling)
			continue;
		if (w->cond)
			c = w->cond(t, th->tid, w->id, w->cond_ctx);
		if (c == 0)
			continue;
		w->hits++;
		if (w->ignore) {
			w->ignore--;
			continue;
		}
		*watch = w->id;
		*waddr = w->addr;
	}
	return 0;
}

/* ---- hardware breakpoints (execute) ---------------------------------- */

static int
hbp_reg(const struct tr_tracer *t, uint64_t addr)
{
	for (int r = 0; r < 4; r++)
		if ((t->dr_exec & (1u << r)) && t->dr_addr[r] == addr)
			return r;
	return -1;
}

static int
hbp_get(struct tr_tracer *t, uint64_t addr, bool raw)
{
	int r = hbp_reg(t, addr), err, prot;

	if ((err = tr__need_target(t)))
		return err;
	if (r < 0) {
		if (atomic_load(&mech_mode) != TR_WATCH_MECH_DR &&
		    !tr_watch_probe()->fires)
			return -TR_ENOTSUP;
		if ((err = page_prot(t->pid, addr & ~(PAGE - 1), &prot)))
			return err;
		for (r = 0; r < 4; r++)
			if (!(t->dr7 & (3ull << (2 * r))))
				break;
		if (r == 4)
			return -TR_ENOSPC;
		if (t->phase != PH_STOPPED)
			return -TR_ERUNNING;
		t->dr_addr[r] = addr;
		t->dr7 |= 1ull << (2 * r); /* RW 00 (execute), length 00 */
		t->dr_exec |= (uint8_t)(1u << r);
		if ((err = dr_sync(t)) < 0) {
			t->dr7 &= ~(3ull << (2 * r));
			t->dr_exec &= (uint8_t)~(1u << r);
			t->dr_addr[r] = 0;
			(void)dr_sync(t);
			return err;
		}
	}
	if (raw)
		t->dr_raw[r]++;
	else
		t->dr_users[r]++;
	return 0;
}

static void
hbp_put(struct tr_tracer *t, uint64_t addr, bool raw)
{
	int r = hbp_reg(t, addr);

	if (r < 0)
		return;
	if (raw && t->dr_raw[r])
		t->dr_raw[r]--;
	else if (!raw && t->dr_users[r])
		t->dr_users[r]--;
	if (t->dr_raw[r] || t->dr_users[r])
		return;
	t->dr7 &= ~((3ull << (2 * r)) | (0xfull << (16 + 4 * r)));
	t->dr_exec &= (uint8_t)~(1u << r);
	t->dr_addr[r] = 0;
	if (t->pid && !t->gone && dr_sync(t) < 0)
		tr_log_warn("hardware breakpoint at %#lx: cannot clear its "
			    "debug register", (unsigned long)addr);
}

int
tr_direct_hbp_get(struct tr_tracer *t, uint64_t addr)
{
	return hbp_get(t, addr, false);
}

void
tr_direct_hbp_put(struct tr_tracer *t, uint64_t addr)
{
	hbp_put(t, addr, false);
}

static int
hbp_insert_fn(struct tr_tracer *t, void *arg)
{
	uint64_t addr = *(uint64_t *)arg;

	/* one reference per address, as tr_bp_insert's sites */
	if (hbp_reg(t, addr) >= 0 && t->dr_raw[hbp_reg(t, addr)])
		return -TR_EEXIST;
	return hbp_get(t, addr, true);
}

static int
hbp_remove_fn(struct tr_tracer *t, void *arg)
{
	uint64_t addr = *(uint64_t *)arg;
	int r = hbp_reg(t, addr);

	if (r < 0 || !t->dr_raw[r])
		return -TR_ENOENT;
	hbp_put(t, addr, true);
	return 0;
}

struct hbp_at_arg {
	uint64_t addr;
	bool at;
};

static int
hbp_at_fn(struct tr_tracer *t, void *arg)
{
	struct hbp_at_arg *a = arg;

	/* a positive result would be taken for a request still under way */
	a->at = hbp_reg(t, a->addr) >= 0;
	return 0;
}

int
tr_hbp_insert(struct tr_tracer *t, uint64_t addr)
{
	return tr_call(t, hbp_insert_fn, &addr);
}

int
tr_hbp_remove(struct tr_tracer *t, uint64_t addr)
{
	return tr_call(t, hbp_remove_fn, &addr);
}

bool
tr_hbp_at(struct tr_tracer *t, uint64_t addr)
{
	struct hbp_at_arg a = { .addr = addr };

	return tr_call(t, hbp_at_fn, &a) == 0 && a.at;
}

bool
tr__hbp_stops(struct tr_tracer *t, pid_t tid, uint64_t addr, uint32_t *bpnum)
{
	int r = hbp_reg(t, addr);
	bool stop = r >= 0 && t->dr_raw[r];

	*bpnum = 0;
	if (r >= 0 && t->dr_users[r] && t->hooks.hit &&
	    t->hooks.hit(t, t->hooks_ctx, tid, addr, bpnum))
		stop = true;
	return stop;
}

void
tr__hbp_resume(struct tr_tracer *t, struct tr_thread *th)
{
	struct user_regs_struct r;

	/* the kernel sets RF itself after the trap (hw_breakpoint.c); a
	 * thread that came here otherwise (a step, a breakpoint set where
	 * it stands) gets it here. RF lets one instruction run past an
	 * instruction breakpoint (Intel SDM vol. 3, 17.3.1.1). */
	if (tr__regs_of(th->tid, &r) < 0 || hbp_reg(t, r.rip) < 0 ||
	    (r.eflags & 0x10000))
		return;
	r.eflags |= 0x10000;
	if (ptrace(PTRACE_SETREGS, th->tid, NULL, &r) < 0)
		tr_log_debug("RF for %d: %s", th->tid, strerror(errno));
}

/* ---- the probe of the debug registers -------------------------------- */

static void probe_try(struct tr_watch_probe_result *r);
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static volatile int probe_word;

/* DR7 for DR0: local enable, break on write, 4 bytes. */
#define DR7_DR0_W4 ((1ul << 0) | (1ul << 16) | (3ul << 18))

static void
probe_run(void)
{
	probe_try(&probe_result);
	probe_done = true;
	tr_log_info("debug registers: %s", probe_result.why);
}

static void
probe_try(struct tr_watch_probe_result *r)
{
	size_t dr = offsetof(struct user, u_debugreg);
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0) {
		snprintf(r->why, sizeof(r->why), "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(2);
		raise(SIGSTOP);
		probe_word = 1;
		_exit(0);
	}
	if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st)) {
		snprintf(r->why, sizeof(r->why), "the probe child did not stop");
		goto out;
	}
	if (ptrace(PTRACE_POKEUSER, pid, (void *)dr, (void *)&probe_word) < 0 ||
	    ptrace(PTRACE_POKEUSER, pid, (void *)(dr + 7 * sizeof(long)),
		   (void *)DR7_DR0_W4) < 0) {
		snprintf(r->why, sizeof(r->why),
			 "setting DR0/DR7 failed: %s", strerror(errno));
		goto out;
	}
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	if (waitpid(pid, &st, __WALL) != pid) {
		snprintf(r->why, sizeof(r->why), "waitpid: %s",
			 strerror(errno));
		goto out;
	}
	if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP) {
		long dr6 = ptrace(PTRACE_PEEKUSER, pid,
				  (void *)(dr + 6 * sizeof(long)), NULL);

		r->fires = (dr6 & 1) != 0;
		snprintf(r->why, sizeof(r->why),
			 "a write watched by DR0 %s (DR6 %#lx)",
			 r->fires ? "trapped" : "trapped oddly", dr6);
	} else if (WIFEXITED(st)) {
		snprintf(r->why, sizeof(r->why),
			 "a write watched by DR0 did not trap (the debug "
			 "registers do not fire here: a virtual machine?)");
		return;
	} else {
		snprintf(r->why, sizeof(r->why),
			 "the probe child stopped with status %#x", st);
	}
out:
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) == pid && !WIFEXITED(st) &&
	       !WIFSIGNALED(st))
		;
}

const struct tr_watch_probe_result *
tr_watch_probe(void)
{
	pthread_once(&probe_once, probe_run);
	return &probe_result;
}

