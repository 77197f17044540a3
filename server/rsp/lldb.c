/* lldb.c: the packets lldb sends that gdb does not (LLDB's lldb-gdb-remote.txt): host and process facts, memory regions, memory allocated in the target, every thread's stop. */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/error.h"
#include "eval/inject.h"
#include "base/log.h"
#include "target/procfs.h"
#include "target/tracer.h"
#include "rsp/ids.h"
#include "rsp/lldb.h"
#include "rsp/regs.h"
#include "rsp/reply.h"
#include "rsp/rsp_int.h"

/*
 * lldb learns what it debugs from qHostInfo and qProcessInfo (a triple,
 * hex-encoded), where the stop is from the stop reply, jThreadsInfo and
 * qThreadStopInfo, and what memory there is from qMemoryRegionInfo. To
 * run an expression it compiles it, asks for memory in the target (_M),
 * writes the code there and runs it: the memory is mapped by an mmap
 * system call that a thread of the target makes (remote_syscall).
 *
 * Numbers are hex unless said otherwise; strings that may hold anything
 * (names, paths) are hex-encoded bytes.
 */

#define TRIPLE "x86_64-pc-linux-gnu"
/* The registers jThreadsInfo expedites: rax..r15, rip, eflags and the
 * segment registers, what a backtrace starts from (the rest is one `p`
 * away). */
#define NGENERAL 24

/* ---- replies ------------------------------------------------------------- */

static void
put_str(struct tr_buf *b, const char *s)
{
	tr_buf_append(b, s, strlen(s));
}

static void
put_fmt(struct tr_buf *b, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		tr_buf_append(b, line,
			      (size_t)n < sizeof(line) ? (size_t)n
						       : sizeof(line) - 1);
}

static void
put_hex(struct tr_buf *b, const void *p, size_t n)
{
	const char *s = p;
	char hex[128];

	while (n) {
		size_t k = n < sizeof(hex) / 2 ? n : sizeof(hex) / 2;

		tr_rsp_hex_encode(s, k, hex);
		tr_buf_append(b, hex, 2 * k);
		s += k;
		n -= k;
	}
}

/* key:HEX(s); */
static void
put_hex_field(struct tr_buf *b, const char *key, const char *s)
{
	put_str(b, key);
	put_str(b, ":");
	put_hex(b, s, strlen(s));
	put_str(b, ";");
}

static int
reply_buf(struct rsp *r, struct tr_buf *b)
{
	int rc = rsp_reply(r, b->data ? b->data : "", b->len);

	tr_buf_free(b);
	return rc;
}

static bool
live(const struct rsp *r)
{
	return r->t && r->s && !r->gone && rsp_pid(r) > 0;
}

/* ---- the host and the process -------------------------------------------- */

static int
host_info(struct rsp *r)
{
	struct tr_buf b;
	struct utsname u;
	long page = sysconf(_SC_PAGESIZE);

	tr_buf_init(&b);
	put_hex_field(&b, "triple", TRIPLE);
	put_fmt(&b,
		"ptrsize:8;endian:little;ostype:linux;"
		"watchpoint_exceptions_received:after;vm-page-size:%ld;",
		page > 0 ? page : 4096);
	if (uname(&u) == 0) {
		unsigned maj, min, patch;

		/* os_version is numbers only: "6.1.0" of "6.1.0-18-amd64" */
		if (sscanf(u.release, "%u.%u.%u", &maj, &min, &patch) == 3)
			put_fmt(&b, "os_version:%u.%u.%u;", maj, min, patch);
		put_hex_field(&b, "os_build", u.release);
		put_hex_field(&b, "os_kernel", u.version);
		put_hex_field(&b, "hostname", u.nodename);
	}
	return reply_buf(r, &b);
}

/* The first numbers after "key:" in /proc/PID/status (Uid: real,
 * effective...); how many were read. */
static int
status_ids(pid_t pid, const char *key, unsigned long *v, int max)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + kl, *end;

		if (strncmp(line, key, kl))
			continue;
		while (n < max) {
			unsigned long x = strtoul(p, &end, 10);

			if (end == p)
				break;
			v[n++] = x;
			p = end;
		}
		break;
	}
	fclose(f);
	return n;
}

static int
process_info(struct rsp *r)
{
	pid_t pid = rsp_pid(r);
	unsigned long ppid = 0, uid[2] = { 0, 0 }, gid[2] = { 0, 0 };
	struct tr_buf b;

	if (!live(r))
		return rsp_reply_str(r, "E01");
	status_ids(pid, "PPid:", &ppid, 1);
	status_ids(pid, "Uid:", uid, 2);
	status_ids(pid, "Gid:", gid, 2);
	tr_buf_init(&b);
	put_fmt(&b,
		"pid:%x;parent-pid:%lx;real-uid:%lx;real-gid:%lx;"
		"effective-uid:%lx;effective-gid:%lx;",
		(unsigned)pid, ppid, uid[0], gid[0], uid[1], gid[1]);
	put_hex_field(&b, "triple", TRIPLE);
	put_str(&b, "ostype:linux;endian:little;ptrsize:8;");
	return reply_buf(r, &b);
}

static int
working_dir(struct rsp *r)
{
	char path[64], dir[PATH_MAX];
	ssize_t n;
	struct tr_buf b;

	if (!live(r))
		return rsp_reply_str(r, "E01");
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)rsp_pid(r));
	n = readlink(path, dir, sizeof(dir));
	if (n <= 0 || (size_t)n >= sizeof(dir))
		return rsp_reply_str(r, "E01");
	tr_buf_init(&b);
	put_hex(&b, dir, (size_t)n);
	return reply_buf(r, &b);
}

/*
 * qShlibInfoAddr: where the address of the dynamic linker's r_debug is
 * kept, the d_val of the executable's DT_DEBUG entry. lldb asks this
 * first; without an answer it takes libraries-svr4's main-lm instead,
 * which is the executable's link_map (what gdb wants there), reads a
 * pointer from it as if it were this slot, and plants its shared-library
 * breakpoint at a garbage address. The slot holds 0 until the dynamic
 * linker has run; lldb waits for that itself.
 */
static int
shlib_info_addr(struct rsp *r)
{
	pid_t pid = rsp_pid(r);
	uint64_t phdr_at, phnum, bias = 0, dyn = 0, dynsz = 0;
	Elf64_Phdr ph[64];
	bool have_bias = false;
	char buf[32];

	if (!live(r) || tr_proc_auxv(pid, AT_PHDR, &phdr_at) ||
	    tr_proc_auxv(pid, AT_PHNUM, &phnum) || phnum == 0 ||
	    phnum > 64 ||
	    tr_mem_read(r->t, phdr_at, ph, phnum * sizeof(ph[0]), NULL))
		return rsp_reply_str(r, "E01");
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_PHDR) {
			bias = phdr_at - ph[i].p_vaddr;
			have_bias = true;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = ph[i].p_vaddr;
			dynsz = ph[i].p_memsz;
		}
	}
	if (!have_bias) {
		/* no PT_PHDR: the headers follow the ELF header of the first
		 * segment */
		for (size_t i = 0; i < phnum; i++)
			if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
				bias = phdr_at - ph[i].p_vaddr -
				       sizeof(Elf64_Ehdr);
				have_bias = true;
				break;
			}
	}
	if (!have_bias || !dyn)
		return rsp_reply_str(r, "E01"); /* static: no r_debug */
	dyn += bias;
	for (uint64_t off = 0; off + sizeof(Elf64_Dyn) <= dynsz;
	     off += sizeof(Elf64_Dyn)) {
		Elf64_Dyn d;

		if (tr_mem_read(r->t, dyn + off, &d, sizeof(d), NULL) ||
		    d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_DEBUG) {
			snprintf(buf, sizeof(buf), "%" PRIx64,
				 dyn + off + offsetof(Elf64_Dyn, d_un));
			return rsp_reply_str(r, buf);
		}
	}
	return rsp_reply_str(r, "E01");
}

/* ---- memory regions ------------------------------------------------------ */

/*
 * qMemoryRegionInfo:ADDR, from /proc/PID/maps. An address in no mapping
 * gets the hole around it (from the end of the mapping below, up to the
 * next one or the end of the address space) and no permissions, which
 * is how lldb learns that it is unmapped, as lldb-server answers. A
 * mapping with no access says "permissions:;": mapped, but none.
 */
static int
region_info(struct rsp *r, const char *p)
{
	char path[64], line[PATH_MAX + 128];
	uint64_t addr, prev_end = 0;
	FILE *f;
	struct tr_buf b;

	if (!live(r))
		return rsp_reply_str(r, "E01");
	if (tr_rsp_hex_u64(p, strlen(p), &addr))
		return rsp_reply_str(r, "E01");
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)rsp_pid(r));
	if (!(f = fopen(path, "re")))
		return rsp_reply_str(r, "E01");
	tr_buf_init(&b);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		char perms[8], *name;
		int off = 0;

		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %n", &lo, &hi,
			   perms, &off) < 3 || !off)
			continue;
		if (addr < lo) {
			put_fmt(&b, "start:%" PRIx64 ";size:%" PRIx64 ";",
				prev_end, (uint64_t)lo - prev_end);
			break;
		}
		if (addr < hi) {
			put_fmt(&b, "start:%llx;size:%llx;permissions:%s%s%s;",
				lo, hi - lo, perms[0] == 'r' ? "r" : "",
				perms[1] == 'w' ? "w" : "",
				perms[2] == 'x' ? "x" : "");
			name = line + off;
			name[strcspn(name, "\n")] = 0;
			if (*name)
				put_hex_field(&b, "name", name);
			break;
		}
		prev_end = hi;
	}
	fclose(f);
	if (!b.len) /* above the last mapping: the rest of the space */
		put_fmt(&b, "start:%" PRIx64 ";size:%" PRIx64 ";", prev_end,
			(uint64_t)0 - prev_end);
	return reply_buf(r, &b);
}

/* qFileLoadAddress:HEX(PATH): where the first mapping of that file
 * starts. */
static int
file_load_addr(struct rsp *r, const char *p)
{
	char path[64], line[PATH_MAX + 128], want[PATH_MAX];
	size_t n = strlen(p) / 2;
	bool found = false;
	FILE *f;

	if (!live(r))
		return rsp_reply_str(r, "E01");
	if (n == 0 || n >= sizeof(want) || tr_rsp_hex_decode(p, 2 * n, want))
		return rsp_reply_str(r, "E01");
	want[n] = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)rsp_pid(r));
	if (!(f = fopen(path, "re")))
		return rsp_reply_str(r, "E01");
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long lo;
		int off = 0;

		if (sscanf(line, "%llx-%*x %*s %*s %*s %*s %n", &lo,
			   &off) < 1 || !off)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line + off, want)) {
			snprintf(path, sizeof(path), "%llx", lo);
			found = true;
		}
	}
	fclose(f);
	return rsp_reply_str(r, found ? path : "E01");
}

/* ---- memory allocated in the target (_M, _m) ----------------------------- */

/*
 * What _M mapped, for _m: the size of a mapping cannot be read back from
 * /proc/PID/maps once it has merged with its neighbours. The memory is
 * the process's, not the connection's (a second client may free it), so
 * the table is shared by all connections and keyed by pid; slots of
 * processes that are gone are taken again.
 */
#define MAX_ALLOCS 256

struct alloc {
	pid_t pid; /* 0: free */
	uint64_t addr, size;
};

static struct alloc allocs[MAX_ALLOCS];
static pthread_mutex_t allocs_mu = PTHREAD_MUTEX_INITIALIZER;

static bool
pid_gone(pid_t pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return access(path, F_OK) != 0;
}

static bool
alloc_add(pid_t pid, uint64_t addr, uint64_t size)
{
	bool ok = false;

	pthread_mutex_lock(&allocs_mu);
	for (size_t i = 0; i < MAX_ALLOCS && !ok; i++) {
		struct alloc *a = &allocs[i];

		if (a->pid == 0 || (a->pid != pid && pid_gone(a->pid))) {
			*a = (struct alloc){ pid, addr, size };
			ok = true;
		}
	}
	pthread_mutex_unlock(&allocs_mu);
	return ok;
}

/* Take the allocation at addr out of the table: its size, or 0. */
static uint64_t
alloc_take(pid_t pid, uint64_t addr)
{
	uint64_t size = 0;

	pthread_mutex_lock(&allocs_mu);
	for (size_t i = 0; i < MAX_ALLOCS; i++) {
		struct alloc *a = &allocs[i];

		if (a->pid == pid && a->addr == addr) {
			size = a->size;
			a->pid = 0;
			break;
		}
	}
	pthread_mutex_unlock(&allocs_mu);
	return size;
}

/*
 * System call nr with args a[0..5], made by the thread the client looks
 * at, as lldb-server does: the program's own mmap may not be there (the
 * first stop is in the dynamic linker, before libc is loaded; a static
 * program may have none). The call runs a stub written over the
 * program's entry point, which it runs once at start-up and never again
 * (so no thread can be there): `mov $nr, %eax; mov %rcx, %r10; syscall;
 * ret` after the int3 that injected calls return to, which stays at the
 * entry point itself. The stub is an ordinary function of six arguments
 * (the system call's registers but for r10), called as tr_inject_call
 * calls any function: the thread's registers are saved and put back,
 * the other threads stay stopped. The entry point's bytes are put back
 * afterwards whatever happened.
 */
#define STUB_LEN 11

static int
remote_syscall(struct rsp *r, unsigned nr, const uint64_t a[6],
	       uint64_t *ret)
{
	uint8_t stub[STUB_LEN] = { 0xb8, 0, 0, 0, 0,   /* mov $nr, %eax */
				   0x49, 0x89, 0xca,   /* mov %rcx, %r10 */
				   0x0f, 0x05,         /* syscall */
				   0xc3 };             /* ret */
	uint8_t orig[STUB_LEN];
	struct tr_call c = { 0 };
	char why[256];
	uint64_t entry;
	int err, err2;

	memcpy(stub + 1, &nr, 4); /* little-endian imm32 */
	if ((err = tr_inject_prepare(r->t, rsp_pid(r), &entry)) ||
	    (err = tr_mem_read(r->t, entry + 1, orig, STUB_LEN, NULL)) ||
	    (err = tr_mem_write(r->t, entry + 1, stub, STUB_LEN, NULL)))
		return err;
	c.fn = entry + 1;
	c.ret_addr = entry;
	c.nargs = 6;
	for (size_t i = 0; i < 6; i++)
		c.args[i] = (struct tr_call_arg){
			.bytes = &a[i], .size = 8,
			.cls = { TR_CLS_INTEGER, TR_CLS_NONE },
		};
	c.ret_cls[0] = TR_CLS_INTEGER;
	c.ret_size = 8;
	c.ret = ret;
	c.timeout_ms = 5000;
	err = tr_inject_call(r->t, rsp_gtid(r), &c, NULL, why, sizeof(why));
	rsp_regs_forget(r);
	if (err)
		tr_log_info("rsp: system call %u in the target: %s", nr,
			    why[0] ? why : tr_strerror(err));
	err2 = tr_mem_write(r->t, entry + 1, orig, STUB_LEN, NULL);
	if (err2 && err != -TR_EGONE)
		tr_log_warn("rsp: cannot restore the entry point at %#" PRIx64
			    ": %s",
			    entry, tr_strerror(err2));
	return err;
}

/* _MSIZE,PERMS: PERMS is some of "rwx". The reply is the address. */
static int
alloc_mem(struct rsp *r, const char *p)
{
	const char *comma = strchr(p, ',');
	uint64_t size, addr, a[6] = { 0 };
	int prot = 0, err;
	char buf[32];

	if (!live(r))
		return rsp_reply_str(r, "E01");
	if (!comma || tr_rsp_hex_u64(p, (size_t)(comma - p), &size) ||
	    size == 0 || size > (1ull << 40))
		return rsp_reply_str(r, "E01");
	for (const char *c = comma + 1; *c; c++) {
		if (*c == 'r')
			prot |= PROT_READ;
		else if (*c == 'w')
			prot |= PROT_WRITE;
		else if (*c == 'x')
			prot |= PROT_EXEC;
		else
			return rsp_reply_str(r, "E01");
	}
	a[1] = size;
	a[2] = (uint64_t)prot;
	a[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	a[4] = (uint64_t)-1;
	if ((err = remote_syscall(r, SYS_mmap, a, &addr)))
		return rsp_reply_err(r, err);
	if (addr >= (uint64_t)-4095) /* -errno */
		return rsp_reply_err(r, -TR_ENOMEM);
	if (!alloc_add(rsp_pid(r), addr, size)) {
		/* untracked memory could never be given back */
		a[0] = addr;
		a[1] = size;
		remote_syscall(r, SYS_munmap, a, &addr);
		return rsp_reply_err(r, -TR_ENOMEM);
	}
	snprintf(buf, sizeof(buf), "%" PRIx64, addr);
	return rsp_reply_str(r, buf);
}

/* _mADDR: an address _M gave. */
static int
free_mem(struct rsp *r, const char *p)
{
	uint64_t a[6] = { 0 }, rc;
	int err;

	if (!live(r))
		return rsp_reply_str(r, "E01");
	if (tr_rsp_hex_u64(p, strlen(p), &a[0]) ||
	    !(a[1] = alloc_take(rsp_pid(r), a[0])))
		return rsp_reply_str(r, "E01");
	if ((err = remote_syscall(r, SYS_munmap, a, &rc)))
		return rsp_reply_err(r, err);
	return rsp_reply_str(r, rc == 0 ? "OK" : "E01");
}

/* ---- saving registers around an expression ------------------------------- */

/*
 * QSaveRegisterState[;thread:TID;] and QRestoreRegisterState:ID[;thread:
 * TID;]: lldb saves a thread's registers before it runs an expression and
 * puts them back after. Without these it would read them with `g` and
 * write them back with `G`, which covers only what target.xml describes
 * (up to xmm15): the upper halves of the AVX registers would stay as the
 * expression left them. A save is the general registers and the whole
 * XSAVE area, taken once by its restore. Like allocations, saves are the
 * process's: one table, keyed by pid; when it is full the oldest save
 * (one never restored) makes room.
 */
#define MAX_SAVES 8
#define XSTATE_MAX 16384

struct save {
	pid_t pid; /* 0: free */
	pid_t tid;
	uint32_t id;
	struct user_regs_struct gp;
	uint8_t *xstate; /* XSTATE_MAX bytes, kept for the next save */
	size_t xlen;
};

static struct save saves[MAX_SAVES];
static uint32_t last_save_id;
static pthread_mutex_t saves_mu = PTHREAD_MUTEX_INITIALIZER;

/* The thread of ";thread:TID;" in p (lldb's suffix, which packet.c leaves
 * on Q packets), else the one the client looks at. */
static pid_t
suffix_tid(const struct rsp *r, const char *p)
{
	const char *t = strstr(p, ";thread:");
	uint64_t tid;

	if (t && tr_rsp_hex_u64(t + 8, strcspn(t + 8, ";"), &tid) == 0 &&
	    tid > 0 && tid <= INT32_MAX)
		return (pid_t)tid;
	return rsp_gtid(r);
}

static int
save_regs(struct rsp *r, const char *p)
{
	pid_t pid = rsp_pid(r), tid = suffix_tid(r, p);
	struct save *s = NULL;
	char buf[16];
	int err;

	if (!live(r))
		return rsp_reply_str(r, "E01");
	pthread_mutex_lock(&saves_mu);
	for (size_t i = 0; i < MAX_SAVES; i++) {
		struct save *c = &saves[i];

		if (c->pid == 0) {
			s = c;
			break;
		}
		if (!s || c->id < s->id)
			s = c;
	}
	s->pid = 0;
	if (!s->xstate)
		s->xstate = malloc(XSTATE_MAX);
	err = s->xstate ? 0 : -TR_ENOMEM;
	if (!err)
		err = tr_regs_get(r->t, tid, &s->gp);
	if (!err)
		err = tr_xstate_get(r->t, tid, s->xstate, XSTATE_MAX,
				    &s->xlen);
	if (!err) {
		s->pid = pid;
		s->tid = tid;
		s->id = ++last_save_id ? last_save_id : ++last_save_id;
		snprintf(buf, sizeof(buf), "%u", s->id);
	}
	pthread_mutex_unlock(&saves_mu);
	return err ? rsp_reply_err(r, err) : rsp_reply_str(r, buf);
}

static int
restore_regs(struct rsp *r, const char *p)
{
	pid_t pid = rsp_pid(r);
	char *end;
	unsigned long id = strtoul(p, &end, 10);
	int err = -TR_ENOENT;

	if (!live(r))
		return rsp_reply_str(r, "E01");
	if (end == p || (*end && *end != ';'))
		return rsp_reply_str(r, "E01");
	pthread_mutex_lock(&saves_mu);
	for (size_t i = 0; i < MAX_SAVES; i++) {
		struct save *s = &saves[i];

		if (s->pid != pid || s->id != id)
			continue;
		err = tr_regs_set(r->t, s->tid, &s->gp);
		if (!err)
			err = tr_xstate_set(r->t, s->tid, s->xstate, s->xlen);
		s->pid = 0;
		break;
	}
	pthread_mutex_unlock(&saves_mu);
	rsp_regs_forget(r);
	return err ? rsp_reply_err(r, err) : rsp_reply_str(r, "OK");
}

/* ---- threads ------------------------------------------------------------- */

/* The signal (gdb's number, as the stop replies give it) and the reason
 * lldb is told of for thread tid, as stop.c's stop reply does for the
 * thread that stopped; the others stopped for no reason of their own
 * (signal 0, no reason). */
static int
thread_why(const struct rsp *r, pid_t tid, const char **why)
{
	const struct tr_event *ev = &r->stop;
	int sig;

	*why = NULL;
	if (ev->type != TR_EV_STOP || tid != ev->tid)
		return 0;
	switch (ev->reason) {
	case TR_STOP_BREAKPOINT:
		*why = "breakpoint";
		break;
	case TR_STOP_STEP:
	case TR_STOP_FINISH:
		*why = "trace";
		break;
	case TR_STOP_SIGNAL:
	case TR_STOP_GROUP:
		*why = "signal";
		break;
	default:
		break;
	}
	sig = ev->reason == TR_STOP_SIGNAL || ev->reason == TR_STOP_GROUP
		      ? ev->sig
	      : ev->reason == TR_STOP_INTERRUPT ? SIGINT
						: SIGTRAP;
	return rsp_gdb_signo(sig);
}

/* qThreadStopInfoTID: the stop reply of that thread. */
static int
thread_stop_info(struct rsp *r, const char *p)
{
	const struct rsp_regset *rs;
	const char *why;
	char name[64] = "";
	struct tr_buf b;
	uint64_t tid;
	int sig;

	if (!live(r))
		return rsp_reply_str(r, "E01");
	if (tr_rsp_hex_u64(p, strlen(p), &tid) || tid == 0 ||
	    tid > INT32_MAX || rsp_regs(r, (pid_t)tid, true, &rs))
		return rsp_reply_str(r, "E01");
	sig = thread_why(r, (pid_t)tid, &why);
	tr_buf_init(&b);
	put_fmt(&b, "T%02xthread:%x;", (unsigned)sig, (unsigned)tid);
	if (tr_proc_thread_name(rsp_pid(r), (pid_t)tid, name,
				sizeof(name)) == 0 &&
	    name[0])
		put_hex_field(&b, "hexname", name);
	for (size_t i = 0; i < rsp_nregs(); i++) {
		unsigned char v[16];

		rsp_reg_value(rs, i, v);
		put_fmt(&b, "%02zx:", i);
		put_hex(&b, v, rsp_reg_size(i));
		put_str(&b, ";");
	}
	if (why)
		put_fmt(&b, "reason:%s;", why);
	return reply_buf(r, &b);
}

/*
 * jThreadsInfo: every thread as JSON: tid (decimal), name, signal and
 * reason for the one that stopped, and the general registers keyed by
 * their decimal numbers, as hex strings of their bytes in target order.
 */
static int
threads_info(struct rsp *r)
{
	pid_t *tids;
	size_t n = 0;
	struct tr_buf b;
	struct tr_jw w;

	if (!live(r) || tr_threads_all(r->t, &tids, &n))
		return rsp_reply_str(r, "E01");
	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	tr_jw_arr_begin(&w);
	for (size_t i = 0; i < n; i++) {
		const struct rsp_regset *rs;
		const char *why;
		char name[64] = "";
		int sig = thread_why(r, tids[i], &why);

		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "tid");
		tr_jw_int(&w, tids[i]);
		if (tr_proc_thread_name(rsp_pid(r), tids[i], name,
					sizeof(name)) == 0 &&
		    name[0]) {
			tr_jw_key(&w, "name");
			tr_jw_cstr(&w, name);
		}
		if (sig) {
			tr_jw_key(&w, "signal");
			tr_jw_int(&w, sig);
		}
		if (why) {
			tr_jw_key(&w, "reason");
			tr_jw_cstr(&w, why);
		}
		if (rsp_regs(r, tids[i], false, &rs) == 0) {
			tr_jw_key(&w, "registers");
			tr_jw_obj_begin(&w);
			for (size_t k = 0; k < NGENERAL && k < rsp_nregs();
			     k++) {
				unsigned char v[16];
				char key[8], hex[33];
				size_t sz = rsp_reg_size(k);

				rsp_reg_value(rs, k, v);
				tr_rsp_hex_encode(v, sz, hex);
				snprintf(key, sizeof(key), "%zu", k);
				tr_jw_key(&w, key);
				tr_jw_str(&w, hex, 2 * sz);
			}
			tr_jw_obj_end(&w);
		}
		tr_jw_obj_end(&w);
	}
	tr_jw_arr_end(&w);
	free(tids);
	if (tr_jw_error(&w)) {
		tr_buf_free(&b);
		return rsp_reply_str(r, "E01");
	}
	return reply_buf(r, &b);
}

/* ---- dispatch ------------------------------------------------------------ */

#define IS(s) (!strcmp(p, s))
#define STARTS(s) (!strncmp(p, s, sizeof(s) - 1))

int
rsp_lldb_packet(struct rsp *r, const char *p, size_t len)
{
	(void)len;
	if (IS("qHostInfo"))
		return host_info(r);
	if (IS("qProcessInfo"))
		return process_info(r);
	if (IS("qGetWorkingDir"))
		return working_dir(r);
	if (IS("qShlibInfoAddr"))
		return shlib_info_addr(r);
	if (IS("qMemoryRegionInfo")) /* is it supported? */
		return rsp_reply_str(r, "OK");
	if (STARTS("qMemoryRegionInfo:"))
		return region_info(r, p + 18);
	if (STARTS("_M"))
		return alloc_mem(r, p + 2);
	if (STARTS("_m"))
		return free_mem(r, p + 2);
	if (STARTS("qFileLoadAddress:"))
		return file_load_addr(r, p + 17);
	if (IS("QSaveRegisterState") || STARTS("QSaveRegisterState;"))
		return save_regs(r, p);
	if (STARTS("QRestoreRegisterState:"))
		return restore_regs(r, p + 22);
	/* how many watchpoints lldb may set (it refuses more itself) */
	if (IS("qWatchpointSupportInfo") ||
	    STARTS("qWatchpointSupportInfo:")) {
		char buf[32];

		snprintf(buf, sizeof(buf), "num:%d;", TR_WATCH_MAX_COUNT);
		return rsp_reply_str(r, buf);
	}
	if (IS("jThreadsInfo"))
		return threads_info(r);
	if (STARTS("qThreadStopInfo"))
		return thread_stop_info(r, p + 15);
	/* Error replies may carry a text (E01;HEX); ours need not. */
	if (IS("QEnableErrorStrings"))
		return rsp_reply_str(r, "OK");
	return 1;
}
