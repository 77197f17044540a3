/* rsp.c: the GDB remote protocol front end: gdb as a client of a tracerd session, on the library's core. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/user.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "procfs.h"
#include "core/listen.h"
#include "core/sess.h"
#include "core/stats.h"
#include "rsp.h"
#include "rsp/conn.h"
#include "rsp/rsp_int.h"

/*
 * One thread per connection, with blocking I/O: the protocol is a strict
 * request/reply alternation, except that a 0x03 byte may come while the
 * target runs. A resume is therefore run by a helper thread while this
 * one watches the socket (for ^C, which interrupts) and an eventfd (the
 * stop).
 *
 * The register layout gdb is told of (qXfer:features:read:target.xml)
 * is the one `g` and `p` use: the 16 general registers, rip, eflags and
 * the six segment registers (as in GDB's amd64 "core" feature), the x87
 * registers, xmm0-15 and mxcsr ("sse"), orig_rax ("linux") and
 * fs_base/gs_base ("segments"): the GDB manual, "Target Descriptions"
 * and "Standard Target Features".
 */

#define PACKET_SIZE RSP_PACKET_SIZE

/* ---- registers ------------------------------------------------------------ */

enum rtype { R64, R32, R80, R128 };

struct reg {
	const char *name;
	enum rtype type;
	const char *gdbtype;
	const char *group;
};

/* In the order of `g` and of their numbers for `p`. */
static const struct reg regs[] = {
	{ "rax", R64, "int64", "general" }, { "rbx", R64, "int64", "general" },
	{ "rcx", R64, "int64", "general" }, { "rdx", R64, "int64", "general" },
	{ "rsi", R64, "int64", "general" }, { "rdi", R64, "int64", "general" },
	{ "rbp", R64, "data_ptr", "general" },
	{ "rsp", R64, "data_ptr", "general" },
	{ "r8", R64, "int64", "general" }, { "r9", R64, "int64", "general" },
	{ "r10", R64, "int64", "general" }, { "r11", R64, "int64", "general" },
	{ "r12", R64, "int64", "general" }, { "r13", R64, "int64", "general" },
	{ "r14", R64, "int64", "general" }, { "r15", R64, "int64", "general" },
	{ "rip", R64, "code_ptr", "general" },
	{ "eflags", R32, "i386_eflags", "general" },
	{ "cs", R32, "int32", "general" }, { "ss", R32, "int32", "general" },
	{ "ds", R32, "int32", "general" }, { "es", R32, "int32", "general" },
	{ "fs", R32, "int32", "general" }, { "gs", R32, "int32", "general" },
	{ "st0", R80, "i387_ext", "float" }, { "st1", R80, "i387_ext", "float" },
	{ "st2", R80, "i387_ext", "float" }, { "st3", R80, "i387_ext", "float" },
	{ "st4", R80, "i387_ext", "float" }, { "st5", R80, "i387_ext", "float" },
	{ "st6", R80, "i387_ext", "float" }, { "st7", R80, "i387_ext", "float" },
	{ "fctrl", R32, "int", "float" }, { "fstat", R32, "int", "float" },
	{ "ftag", R32, "int", "float" }, { "fiseg", R32, "int", "float" },
	{ "fioff", R32, "int", "float" }, { "foseg", R32, "int", "float" },
	{ "fooff", R32, "int", "float" }, { "fop", R32, "int", "float" },
	{ "xmm0", R128, "vec128", "vector" }, { "xmm1", R128, "vec128", "vector" },
	{ "xmm2", R128, "vec128", "vector" }, { "xmm3", R128, "vec128", "vector" },
	{ "xmm4", R128, "vec128", "vector" }, { "xmm5", R128, "vec128", "vector" },
	{ "xmm6", R128, "vec128", "vector" }, { "xmm7", R128, "vec128", "vector" },
	{ "xmm8", R128, "vec128", "vector" }, { "xmm9", R128, "vec128", "vector" },
	{ "xmm10", R128, "vec128", "vector" },
	{ "xmm11", R128, "vec128", "vector" },
	{ "xmm12", R128, "vec128", "vector" },
	{ "xmm13", R128, "vec128", "vector" },
	{ "xmm14", R128, "vec128", "vector" },
	{ "xmm15", R128, "vec128", "vector" },
	{ "mxcsr", R32, "i386_mxcsr", "vector" },
	{ "orig_rax", R64, "int", "system" },
	{ "fs_base", R64, "int", "system" },
	{ "gs_base", R64, "int", "system" },
};
#define NREGS (sizeof(regs) / sizeof(regs[0]))
#define R_RIP 16
#define R_ST0 24
#define R_FCTRL 32
#define R_XMM0 40
#define R_MXCSR 56
#define R_ORIG_RAX 57

static size_t
reg_size(enum rtype t)
{
	return t == R64 ? 8 : t == R32 ? 4 : t == R80 ? 10 : 16;
}

/* The general registers in gdb's order, as user_regs_struct lays them
 * out. */
static const size_t gp_off[] = {
	offsetof(struct user_regs_struct, rax),
	offsetof(struct user_regs_struct, rbx),
	offsetof(struct user_regs_struct, rcx),
	offsetof(struct user_regs_struct, rdx),
	offsetof(struct user_regs_struct, rsi),
	offsetof(struct user_regs_struct, rdi),
	offsetof(struct user_regs_struct, rbp),
	offsetof(struct user_regs_struct, rsp),
	offsetof(struct user_regs_struct, r8),
	offsetof(struct user_regs_struct, r9),
	offsetof(struct user_regs_struct, r10),
	offsetof(struct user_regs_struct, r11),
	offsetof(struct user_regs_struct, r12),
	offsetof(struct user_regs_struct, r13),
	offsetof(struct user_regs_struct, r14),
	offsetof(struct user_regs_struct, r15),
	offsetof(struct user_regs_struct, rip),
	offsetof(struct user_regs_struct, eflags),
	offsetof(struct user_regs_struct, cs),
	offsetof(struct user_regs_struct, ss),
	offsetof(struct user_regs_struct, ds),
	offsetof(struct user_regs_struct, es),
	offsetof(struct user_regs_struct, fs),
	offsetof(struct user_regs_struct, gs),
};

/* Register n's bytes (little-endian, reg_size long) into buf. */
static void
reg_get(const struct rsp_regset *rs, size_t n, unsigned char *buf)
{
	const struct user_fpregs_struct *f = &rs->fp;
	uint64_t v = 0;

	memset(buf, 0, 16);
	if (n < 24) {
		memcpy(&v, (const char *)&rs->gp + gp_off[n], 8);
	} else if (n >= R_ST0 && n < R_FCTRL) {
		memcpy(buf, (const char *)f->st_space + 16 * (n - R_ST0), 10);
		return;
	} else if (n >= R_XMM0 && n < R_MXCSR) {
		memcpy(buf, (const char *)f->xmm_space + 16 * (n - R_XMM0), 16);
		return;
	} else {
		switch (n) {
		case R_FCTRL: v = f->cwd; break;
		case R_FCTRL + 1: v = f->swd; break;
		case R_FCTRL + 2: {
			/* FXSAVE keeps an abridged tag (a bit per register:
			 * in use); gdb wants the full word (2 bits each:
			 * 00 valid, 11 empty). */
			unsigned full = 0;

			for (int i = 0; i < 8; i++)
				full |= (f->ftw >> i & 1 ? 0u : 3u) << (2 * i);
			v = full;
			break;
		}
		case R_FCTRL + 3: v = f->rip >> 32; break;
		case R_FCTRL + 4: v = (uint32_t)f->rip; break;
		case R_FCTRL + 5: v = f->rdp >> 32; break;
		case R_FCTRL + 6: v = (uint32_t)f->rdp; break;
		case R_FCTRL + 7: v = f->fop; break;
		case R_MXCSR: v = f->mxcsr; break;
		case R_ORIG_RAX: v = rs->gp.orig_rax; break;
		case R_ORIG_RAX + 1: v = rs->gp.fs_base; break;
		case R_ORIG_RAX + 2: v = rs->gp.gs_base; break;
		}
	}
	memcpy(buf, &v, 8);
}

static void
reg_set(struct rsp_regset *rs, size_t n, const unsigned char *buf)
{
	struct user_fpregs_struct *f = &rs->fp;
	uint64_t v = 0;

	memcpy(&v, buf, reg_size(regs[n].type) < 8 ? reg_size(regs[n].type)
						     : 8);
	if (n < 24) {
		if (regs[n].type == R32) {
			uint64_t old;

			memcpy(&old, (char *)&rs->gp + gp_off[n], 8);
			v = (old & ~0xffffffffull) | (uint32_t)v;
		}
		memcpy((char *)&rs->gp + gp_off[n], &v, 8);
	} else if (n >= R_ST0 && n < R_FCTRL) {
		memcpy((char *)f->st_space + 16 * (n - R_ST0), buf, 10);
	} else if (n >= R_XMM0 && n < R_MXCSR) {
		memcpy((char *)f->xmm_space + 16 * (n - R_XMM0), buf, 16);
	} else {
		switch (n) {
		case R_FCTRL: f->cwd = (uint16_t)v; break;
		case R_FCTRL + 1: f->swd = (uint16_t)v; break;
		case R_FCTRL + 2: {
			unsigned ab = 0;

			for (int i = 0; i < 8; i++)
				if ((v >> (2 * i) & 3) != 3)
					ab |= 1u << i;
			f->ftw = (uint16_t)ab;
			break;
		}
		case R_FCTRL + 3:
			f->rip = (f->rip & 0xffffffffull) | v << 32;
			break;
		case R_FCTRL + 4:
			f->rip = (f->rip & ~0xffffffffull) | (uint32_t)v;
			break;
		case R_FCTRL + 5:
			f->rdp = (f->rdp & 0xffffffffull) | v << 32;
			break;
		case R_FCTRL + 6:
			f->rdp = (f->rdp & ~0xffffffffull) | (uint32_t)v;
			break;
		case R_FCTRL + 7: f->fop = (uint16_t)v; break;
		case R_MXCSR: f->mxcsr = (uint32_t)v; break;
		case R_ORIG_RAX: rs->gp.orig_rax = v; break;
		case R_ORIG_RAX + 1: rs->gp.fs_base = v; break;
		case R_ORIG_RAX + 2: rs->gp.gs_base = v; break;
		}
	}
}

static char *
target_xml(void)
{
	struct tr_buf b;
	char line[256];

	tr_buf_init(&b);
#define ADD(s) tr_buf_append(&b, s, strlen(s))
	ADD("<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	    "<target version=\"1.0\">\n"
	    "<architecture>i386:x86-64</architecture>\n"
	    "<osabi>GNU/Linux</osabi>\n"
	    "<feature name=\"org.gnu.gdb.i386.core\">\n"
	    "<flags id=\"i386_eflags\" size=\"4\">"
	    "<field name=\"CF\" start=\"0\" end=\"0\"/>"
	    "<field name=\"PF\" start=\"2\" end=\"2\"/>"
	    "<field name=\"AF\" start=\"4\" end=\"4\"/>"
	    "<field name=\"ZF\" start=\"6\" end=\"6\"/>"
	    "<field name=\"SF\" start=\"7\" end=\"7\"/>"
	    "<field name=\"TF\" start=\"8\" end=\"8\"/>"
	    "<field name=\"IF\" start=\"9\" end=\"9\"/>"
	    "<field name=\"DF\" start=\"10\" end=\"10\"/>"
	    "<field name=\"OF\" start=\"11\" end=\"11\"/>"
	    "</flags>\n");
	for (size_t i = 0; i < NREGS; i++) {
		if (i == R_XMM0)
			ADD("</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n"
			    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
			    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
			    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
			    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
			    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
			    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
			    "<union id=\"vec128\">"
			    "<field name=\"v4_float\" type=\"v4f\"/>"
			    "<field name=\"v2_double\" type=\"v2d\"/>"
			    "<field name=\"v16_int8\" type=\"v16i8\"/>"
			    "<field name=\"v8_int16\" type=\"v8i16\"/>"
			    "<field name=\"v4_int32\" type=\"v4i32\"/>"
			    "<field name=\"v2_int64\" type=\"v2i64\"/>"
			    "<field name=\"uint128\" type=\"uint128\"/>"
			    "</union>\n"
			    "<flags id=\"i386_mxcsr\" size=\"4\">"
			    "<field name=\"IE\" start=\"0\" end=\"0\"/>"
			    "<field name=\"DE\" start=\"1\" end=\"1\"/>"
			    "<field name=\"ZE\" start=\"2\" end=\"2\"/>"
			    "<field name=\"OE\" start=\"3\" end=\"3\"/>"
			    "<field name=\"UE\" start=\"4\" end=\"4\"/>"
			    "<field name=\"PE\" start=\"5\" end=\"5\"/>"
			    "<field name=\"DAZ\" start=\"6\" end=\"6\"/>"
			    "<field name=\"FZ\" start=\"15\" end=\"15\"/>"
			    "</flags>\n");
		if (i == R_ORIG_RAX)
			ADD("</feature>\n<feature name=\"org.gnu.gdb.i386.linux\">\n");
		if (i == R_ORIG_RAX + 1)
			ADD("</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n");
		snprintf(line, sizeof(line),
			 "<reg name=\"%s\" bitsize=\"%zu\" type=\"%s\" "
			 "group=\"%s\" regnum=\"%zu\"/>\n",
			 regs[i].name, reg_size(regs[i].type) * 8,
			 regs[i].gdbtype, regs[i].group, i);
		ADD(line);
	}
	ADD("</feature>\n</target>\n");
#undef ADD
	tr_buf_append(&b, "", 1);
	return b.data;
}

/* ---- sending ---------------------------------------------------------------- */

static int
send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int
rsp_reply(struct rsp *r, const char *payload, size_t len)
{
	tr_buf_reset(&r->out);
	if (tr_rsp_put_packet(&r->out, payload, len))
		return -1;
	tr_buf_reset(&r->last);
	tr_buf_append(&r->last, r->out.data, r->out.len);
	return send_all(r->fd, r->out.data, r->out.len);
}

int
rsp_reply_str(struct rsp *r, const char *s)
{
	return rsp_reply(r, s, strlen(s));
}

/* An error reply: E and two hex digits (gdb shows the number). */
int
rsp_reply_err(struct rsp *r, int err)
{
	char e[8];

	snprintf(e, sizeof(e), "E%02x", (unsigned)(-err) & 0xff);
	return rsp_reply_str(r, e);
}

/* ---- stops ------------------------------------------------------------------ */

/* gdb's signal numbers are its own; for the signals a program meets,
 * Linux's agree with them up to SIGSYS except where mapped here. */
int
rsp_gdb_signo(int sig)
{
	switch (sig) {
	case SIGBUS: return 10;
	case SIGUSR1: return 30;
	case SIGUSR2: return 31;
	case SIGCHLD: return 20;
	case SIGCONT: return 19;
	case SIGSTOP: return 17;
	case SIGTSTP: return 18;
	case SIGURG: return 16;
	case SIGSYS: return 12;
	case SIGIO: return 23;
	case SIGPWR: return 32;
	case SIGWINCH: return 28;
	case SIGVTALRM: return 26;
	case SIGPROF: return 27;
	case SIGXCPU: return 24;
	case SIGXFSZ: return 25;
	case SIGTTIN: return 21;
	case SIGTTOU: return 22;
	default: return sig < 16 ? sig : 143; /* unknown */
	}
}

static int
host_signo(int g)
{
	for (int s = 1; s < 32; s++)
		if (rsp_gdb_signo(s) == g)
			return s;
	return 0;
}

/* A thread id as the client wants it: pPID.TID once multiprocess+ is
 * agreed, else TID; hex. */
static const char *
tid_str(const struct rsp *r, pid_t tid, char *buf, size_t len)
{
	if (r->multiprocess)
		snprintf(buf, len, "p%x.%x", (unsigned)rsp_pid(r),
			 (unsigned)tid);
	else
		snprintf(buf, len, "%x", (unsigned)tid);
	return buf;
}

/* The target's threads as a comma-separated list of ids, appended to b;
 * -1 when they cannot be listed. */
static int
append_tids(struct rsp *r, struct tr_buf *b)
{
	pid_t tids[1024];
	size_t n = 0;

	if (tr_threads(r->t, tids, 1024, &n))
		return -1;
	for (size_t i = 0; i < n && i < 1024; i++) {
		char id[48];

		if (i)
			tr_buf_append(b, ",", 1);
		tid_str(r, tids[i], id, sizeof(id));
		tr_buf_append(b, id, strlen(id));
	}
	return 0;
}

/* The stop reply of ev: T with the thread and every register, so that
 * the client need not ask for them (gdb sends no `g` after such a stop);
 * swbreak for a breakpoint when the client takes it, else lldb's
 * reason:breakpoint. The pc is the breakpoint's address either way: the
 * tracer rewinds it. */
static int
send_stop(struct rsp *r, const struct tr_event *ev)
{
	char buf[128];
	const struct rsp_regset *rs;
	struct tr_buf b;
	int sig, rc;

	if (ev->type == TR_EV_EXIT) {
		snprintf(buf, sizeof(buf), "W%02x", ev->status & 0xff);
		if (r->multiprocess)
			snprintf(buf + 3, sizeof(buf) - 3, ";process:%x",
				 (unsigned)ev->pid);
		r->gone = true;
		r->stop = *ev;
		return rsp_reply_str(r, buf);
	}
	if (ev->type == TR_EV_KILLED) {
		snprintf(buf, sizeof(buf), "X%02x",
			 rsp_gdb_signo(ev->sig) & 0xff);
		if (r->multiprocess)
			snprintf(buf + 3, sizeof(buf) - 3, ";process:%x",
				 (unsigned)ev->pid);
		r->gone = true;
		r->stop = *ev;
		return rsp_reply_str(r, buf);
	}
	sig = ev->reason == TR_STOP_SIGNAL || ev->reason == TR_STOP_GROUP
		      ? ev->sig
	      : ev->reason == TR_STOP_INTERRUPT ? SIGINT
						: SIGTRAP;
	r->stop = *ev;
	tr_buf_init(&b);
	{
		char id[48];

		snprintf(buf, sizeof(buf), "T%02xthread:%s;",
			 rsp_gdb_signo(sig),
			 tid_str(r, ev->tid, id, sizeof(id)));
	}
	tr_buf_append(&b, buf, strlen(buf));
	if (rsp_regs(r, ev->tid, true, &rs) == 0) {
		for (size_t i = 0; i < NREGS; i++) {
			unsigned char v[16];
			size_t sz = reg_size(regs[i].type);
			char hex[40];

			reg_get(rs, i, v);
			tr_rsp_hex_encode(v, sz, hex);
			hex[2 * sz] = 0;
			snprintf(buf, sizeof(buf), "%02zx:%s;", i, hex);
			tr_buf_append(&b, buf, strlen(buf));
		}
	}
	if (r->list_threads_in_stop) {
		tr_buf_append(&b, "threads:", 8);
		append_tids(r, &b);
		tr_buf_append(&b, ";", 1);
	}
	if (ev->reason == TR_STOP_BREAKPOINT && r->swbreak)
		tr_buf_append(&b, "swbreak:;", 9);
	else if (r->lldb) {
		const char *why =
			ev->reason == TR_STOP_BREAKPOINT ? "breakpoint"
			: ev->reason == TR_STOP_STEP ||
					  ev->reason == TR_STOP_FINISH
				? "trace"
			: ev->reason == TR_STOP_SIGNAL ||
					  ev->reason == TR_STOP_GROUP
				? "signal"
				: NULL;

		if (why) {
			snprintf(buf, sizeof(buf), "reason:%s;", why);
			tr_buf_append(&b, buf, strlen(buf));
		}
	}
	rc = rsp_reply(r, b.data, b.len);
	tr_buf_free(&b);
	return rc;
}

static pid_t parse_tid(const char *p);
static void bps_sync(struct rsp *r, bool all);

/* ---- running ------------------------------------------------------------------ */

struct runner {
	struct rsp *r;
	bool step;
	pid_t tid;
	int sig;
	struct tr_event ev;
	int err;
	int efd;
};

static void *
runner_main(void *arg)
{
	struct runner *ru = arg;
	struct rsp *r = ru->r;
	uint64_t one = 1;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (ru->step)
		ru->err = ru->sig > 0
				  ? tr_step(r->t, ru->tid, ru->sig, &ru->ev)
				  : tr_session_step(r->s, ru->tid, &ru->ev);
	else
		for (;;) {
			ru->err = tr_session_cont(r->s, ru->tid, ru->sig,
						  &ru->ev);
			/* QPassSignals: the program gets them, the client
			 * never hears of them */
			if (ru->err || ru->ev.type != TR_EV_STOP ||
			    ru->ev.reason != TR_STOP_SIGNAL ||
			    ru->ev.sig <= 0 || ru->ev.sig > 64 ||
			    !r->pass[ru->ev.sig])
				break;
			ru->tid = ru->ev.tid;
			ru->sig = ru->ev.sig;
		}
	if (write(ru->efd, &one, sizeof(one)) < 0)
		tr_log_debug("rsp: eventfd: %s", strerror(errno));
	return NULL;
}

/* Resume (step or continue) and answer with the stop; ^C from the client
 * interrupts. */
static int
resume(struct rsp *r, bool step, pid_t tid, int sig)
{
	struct runner ru = { .r = r, .step = step, .tid = tid,
			     .sig = sig ? sig : -1 };
	pthread_t th;
	bool done = false;

	if (r->gone || !r->t)
		return rsp_reply_str(r, "E01");
	bps_sync(r, false);
	rsp_regs_forget(r);
	ru.efd = eventfd(0, EFD_CLOEXEC);
	if (ru.efd < 0 || pthread_create(&th, NULL, runner_main, &ru)) {
		if (ru.efd >= 0)
			close(ru.efd);
		return rsp_reply_str(r, "E01");
	}
	atomic_store(&r->ss->busy_running, true);
	atomic_store(&r->ss->state, SRV_RUNNING);
	while (!done) {
		struct pollfd p[2] = { { .fd = ru.efd, .events = POLLIN },
				       { .fd = r->fd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			done = true;
		if (!done && p[1].revents) {
			char buf[4096];
			ssize_t k = recv(r->fd, buf, sizeof(buf), 0);
			const char *pk;
			size_t pl;
			int e;

			if (k <= 0) {
				/* the client left while the target runs:
				 * stop it, the session stays */
				tr_interrupt(r->t, NULL);
				p[1].fd = -1;
				continue;
			}
			tr_rsp_feed(&r->rd, buf, (size_t)k);
			/* only ^C is meaningful now; packets wait */
			while ((e = tr_rsp_next(&r->rd, &pk, &pl)) !=
			       TR_RSP_NONE)
				if (e == TR_RSP_INTERRUPT)
					tr_interrupt(r->t, NULL);
		}
	}
	pthread_join(th, NULL);
	close(ru.efd);
	atomic_store(&r->ss->busy_running, false);
	if (ru.err) {
		atomic_store(&r->ss->state, SRV_EXITED);
		if (ru.err == -TR_EGONE) {
			r->gone = true;
			return rsp_reply_str(r, "W00");
		}
		return rsp_reply_err(r, ru.err);
	}
	atomic_store(&r->ss->state, ru.ev.type == TR_EV_STOP ? SRV_STOPPED
							     : SRV_EXITED);
	return send_stop(r, &ru.ev);
}

/* vCont;ACTION[:TID]... — one action applies to the whole target here
 * (all-stop): a step of one thread, or a continue. */
static int
vcont(struct rsp *r, const char *p)
{
	bool step = false;
	pid_t tid = 0;
	int sig = 0;

	while (*p == ';') {
		char a = p[1];
		const char *colon;
		uint64_t v;

		p += 2;
		if ((a == 'C' || a == 'S') &&
		    tr_rsp_hex_u64(p, 2, &v) == 0) {
			sig = host_signo((int)v);
			p += 2;
		}
		colon = *p == ':' ? p + 1 : NULL;
		if (colon && a != 'c' && a != 't') {
			/* the thread that steps, or gets the signal */
			size_t l = strcspn(colon, ";");

			if (l > 0 && l < 64) {
				char id[64];

				memcpy(id, colon, l);
				id[l] = 0;
				tid = parse_tid(id) > 0 ? parse_tid(id) : 0;
			}
		}
		if (a == 's' || a == 'S')
			step = true;
		p += strcspn(p, ";");
		if (step)
			break;
	}
	return resume(r, step, tid, sig);
}

/* ---- qXfer ------------------------------------------------------------------- */

static int
xfer_reply(struct rsp *r, const char *data, size_t total, const char *args)
{
	uint64_t off, len;
	const char *comma = strchr(args, ',');
	struct tr_buf b;
	int rc;

	if (!comma || tr_rsp_hex_u64(args, (size_t)(comma - args), &off) ||
	    tr_rsp_hex_u64(comma + 1, strlen(comma + 1), &len))
		return rsp_reply_str(r, "E01");
	if (off >= total)
		return rsp_reply_str(r, "l");
	if (len > PACKET_SIZE / 2)
		len = PACKET_SIZE / 2;
	tr_buf_init(&b);
	tr_buf_append(&b, off + len >= total ? "l" : "m", 1);
	tr_buf_append(&b, data + off, off + len >= total ? total - off : len);
	rc = rsp_reply(r, b.data, b.len);
	tr_buf_free(&b);
	return rc;
}

static int
read_file(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct tr_buf b;
	char buf[4096];
	ssize_t n;

	if (fd < 0)
		return -1;
	tr_buf_init(&b);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		tr_buf_append(&b, buf, (size_t)n);
	close(fd);
	*data = b.data;
	*len = b.len;
	return 0;
}

/* qXfer:siginfo:write::OFF:DATA (binary): part of the stop's siginfo. */
static int
siginfo_write(struct rsp *r, const char *q, size_t qlen)
{
	const char *colon = memchr(q, ':', qlen);
	uint64_t off;
	siginfo_t si;
	size_t n;

	if (!colon || tr_rsp_hex_u64(q, (size_t)(colon - q), &off))
		return rsp_reply_str(r, "E01");
	n = qlen - (size_t)(colon + 1 - q);
	if (off > sizeof(si) || n > sizeof(si) - off)
		return rsp_reply_str(r, "E01");
	if (tr_siginfo_get(r->t, rsp_gtid(r), &si))
		return rsp_reply_str(r, "E01");
	memcpy((char *)&si + off, colon + 1, n);
	if (tr_siginfo_set(r->t, rsp_gtid(r), &si))
		return rsp_reply_str(r, "E01");
	{
		char buf[24];

		snprintf(buf, sizeof(buf), "%zx", n);
		return rsp_reply_str(r, buf);
	}
}

static int
read_u64(struct rsp *r, uint64_t addr, uint64_t *v)
{
	size_t done = 0;

	return tr_mem_read(r->t, addr, v, 8, &done) || done != 8 ? -1 : 0;
}

static void
xml_attr(struct tr_buf *b, const char *s)
{
	for (; *s; s++) {
		const char *e = *s == '<'    ? "&lt;"
				: *s == '>'  ? "&gt;"
				: *s == '&'  ? "&amp;"
				: *s == '"'  ? "&quot;"
				: *s == '\'' ? "&apos;"
					     : NULL;

		if (e)
			tr_buf_append(b, e, strlen(e));
		else
			tr_buf_append(b, s, 1);
	}
}

/*
 * The dynamic linker's list of loaded objects, as qXfer:libraries-svr4
 * gives it: found as gdb itself would (the System V ABI's r_debug, whose
 * address the linker stores in the executable's DT_DEBUG entry), read
 * from the target: the executable's program headers (auxv AT_PHDR,
 * AT_PHNUM), its PT_DYNAMIC, DT_DEBUG, then r_debug.r_map and the
 * link_map chain (l_addr, l_name, l_ld, l_next at 0, 8, 16, 24). Before
 * the linker has run, the list is empty.
 */
static int
svr4_list(struct rsp *r, struct tr_buf *b)
{
	char path[64], *auxv = NULL;
	size_t alen = 0;
	uint64_t phdr = 0, phnum = 0, bias = 0, dyn = 0, rdebug = 0, lm;
	bool have_bias = false;
	char line[256];
	unsigned guard = 0;

	snprintf(path, sizeof(path), "/proc/%d/auxv", rsp_pid(r));
	if (read_file(path, &auxv, &alen))
		return -1;
	for (size_t i = 0; i + 16 <= alen; i += 16) {
		uint64_t k, v;

		memcpy(&k, auxv + i, 8);
		memcpy(&v, auxv + i + 8, 8);
		if (k == 3) /* AT_PHDR */
			phdr = v;
		else if (k == 5) /* AT_PHNUM */
			phnum = v;
	}
	free(auxv);
	/* Elf64_Phdr: p_type at 0, p_vaddr at 16; 56 bytes each */
	for (uint64_t i = 0; phdr && i < phnum && i < 256; i++) {
		uint64_t w0, vaddr;

		if (read_u64(r, phdr + 56 * i, &w0) ||
		    read_u64(r, phdr + 56 * i + 16, &vaddr))
			break;
		if ((uint32_t)w0 == 6) { /* PT_PHDR */
			bias = phdr - vaddr;
			have_bias = true;
		} else if ((uint32_t)w0 == 2) { /* PT_DYNAMIC */
			dyn = vaddr;
		}
	}
	tr_buf_init(b);
	if (dyn && have_bias) {
		for (unsigned i = 0; i < 512; i++) {
			uint64_t tag, val;

			if (read_u64(r, bias + dyn + 16 * i, &tag) ||
			    read_u64(r, bias + dyn + 16 * i + 8, &val) ||
			    tag == 0)
				break;
			if (tag == 21) { /* DT_DEBUG */
				rdebug = val;
				break;
			}
		}
	}
	if (!rdebug || read_u64(r, rdebug + 8, &lm))
		lm = 0;
	snprintf(line, sizeof(line),
		 "<library-list-svr4 version=\"1.0\" main-lm=\"0x%llx\">",
		 (unsigned long long)lm);
	tr_buf_append(b, line, strlen(line));
	/* the first entry is the executable: main-lm */
	if (lm && read_u64(r, lm + 24, &lm))
		lm = 0;
	while (lm && guard++ < 4096) {
		uint64_t laddr, lname, lld, next;
		char name[512];
		size_t done = 0;

		if (read_u64(r, lm, &laddr) || read_u64(r, lm + 8, &lname) ||
		    read_u64(r, lm + 16, &lld) || read_u64(r, lm + 24, &next))
			break;
		if (lname)
			tr_mem_read(r->t, lname, name, sizeof(name) - 1,
				    &done);
		name[done] = 0; /* up to its NUL, or what could be read */
		tr_buf_append(b, "<library name=\"", 15);
		xml_attr(b, name);
		snprintf(line, sizeof(line),
			 "\" lm=\"0x%llx\" l_addr=\"0x%llx\" l_ld=\"0x%llx\" "
			 "lmid=\"0x0\"/>",
			 (unsigned long long)lm, (unsigned long long)laddr,
			 (unsigned long long)lld);
		tr_buf_append(b, line, strlen(line));
		lm = next;
	}
	tr_buf_append(b, "</library-list-svr4>", 20);
	return 0;
}

static int
qxfer(struct rsp *r, const char *p, size_t plen)
{
	/* qXfer:OBJECT:read:ANNEX:OFF,LEN */
	char obj[32], annex[64];
	const char *q = p + 6;
	size_t l = strcspn(q, ":");
	pid_t pid = rsp_pid(r);

	if (l >= sizeof(obj))
		return rsp_reply_str(r, "");
	memcpy(obj, q, l);
	obj[l] = 0;
	q += l;
	if (!strcmp(obj, "siginfo") && !strncmp(q, ":write::", 8))
		return siginfo_write(r, q + 8, p + plen - (q + 8));
	if (strncmp(q, ":read:", 6))
		return rsp_reply_str(r, "");
	q += 6;
	l = strcspn(q, ":");
	if (l >= sizeof(annex) || q[l] != ':')
		return rsp_reply_str(r, "E00");
	memcpy(annex, q, l);
	annex[l] = 0;
	q += l + 1;
	if (!strcmp(obj, "features")) {
		if (strcmp(annex, "target.xml"))
			return rsp_reply_str(r, "E00");
		return xfer_reply(r, r->xml, strlen(r->xml), q);
	}
	if (!strcmp(obj, "libraries-svr4")) {
		struct tr_buf b;
		int rc;

		if (svr4_list(r, &b))
			return rsp_reply_str(r, "E01");
		rc = xfer_reply(r, b.data, b.len, q);
		tr_buf_free(&b);
		return rc;
	}
	if (!strcmp(obj, "siginfo")) {
		siginfo_t si;

		if (tr_siginfo_get(r->t, rsp_gtid(r), &si))
			return rsp_reply_str(r, "E01");
		return xfer_reply(r, (const char *)&si, sizeof(si), q);
	}
	if (!strcmp(obj, "auxv") || !strcmp(obj, "exec-file")) {
		char path[64], *data = NULL;
		size_t len = 0;
		int rc;

		if (!strcmp(obj, "auxv")) {
			snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
			if (read_file(path, &data, &len))
				return rsp_reply_str(r, "E01");
		} else {
			char exe[4096];
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%d/exe", pid);
			n = readlink(path, exe, sizeof(exe) - 1);
			if (n <= 0)
				return rsp_reply_str(r, "E01");
			data = strndup(exe, (size_t)n);
			len = (size_t)n;
		}
		rc = xfer_reply(r, data ? data : "", len, q);
		free(data);
		return rc;
	}
	if (!strcmp(obj, "threads") && (!r->t || r->gone))
		return xfer_reply(r, "<threads/>\n", 11, q);
	if (!strcmp(obj, "threads")) {
		pid_t tids[1024];
		size_t n = 0;
		struct tr_buf b;
		char line[128];
		int rc;

		tr_threads(r->t, tids, 1024, &n);
		tr_buf_init(&b);
		tr_buf_append(&b, "<?xml version=\"1.0\"?>\n<threads>\n", 32);
		for (size_t i = 0; i < n && i < 1024; i++) {
			char name[64] = "", id[48];

			tr_proc_thread_name(pid, tids[i], name, sizeof(name));
			snprintf(line, sizeof(line),
				 "<thread id=\"%s\" core=\"0\" name=\"%s\"/>\n",
				 tid_str(r, tids[i], id, sizeof(id)), name);
			tr_buf_append(&b, line, strlen(line));
		}
		tr_buf_append(&b, "</threads>\n", 11);
		rc = xfer_reply(r, b.data, b.len, q);
		tr_buf_free(&b);
		return rc;
	}
	return rsp_reply_str(r, "");
}

/* ---- memory, registers ------------------------------------------------------ */

/* m (hex) and x (binary: after a `b` for GDB, which negotiates it with
 * binary-upload; bare for lldb). A read that stops at an unmapped page
 * returns what it got; one that gets nothing is an error. */
static int
read_mem(struct rsp *r, const char *p, bool binary)
{
	const char *comma = strchr(p, ',');
	uint64_t addr, len;
	unsigned char *buf;
	char *hex = NULL;
	size_t done = 0, pre = binary && r->binary_upload ? 1 : 0;
	int rc;

	if (!comma || tr_rsp_hex_u64(p, (size_t)(comma - p), &addr) ||
	    tr_rsp_hex_u64(comma + 1, strlen(comma + 1), &len))
		return rsp_reply_str(r, "E01");
	/* lldb probes for x with a zero-length read and wants OK */
	if (binary && len == 0 && !r->binary_upload)
		return rsp_reply_str(r, "OK");
	if (len > PACKET_SIZE / 2)
		len = PACKET_SIZE / 2;
	buf = malloc(len + 1);
	if (!binary)
		hex = malloc(2 * len + 1);
	if (!buf || (!binary && !hex)) {
		free(buf);
		free(hex);
		return rsp_reply_str(r, "E0c");
	}
	if (len)
		tr_mem_read(r->t, addr, buf + pre, len, &done);
	if (len && !done) {
		rc = rsp_reply_str(r, "E0e");
	} else if (binary) {
		buf[0] = pre ? 'b' : buf[0];
		rc = rsp_reply(r, (const char *)buf, pre + done);
	} else {
		tr_rsp_hex_encode(buf, done, hex);
		rc = rsp_reply(r, hex, 2 * done);
	}
	free(buf);
	free(hex);
	return rc;
}

static int
write_mem(struct rsp *r, const char *p, size_t plen, bool binary)
{
	const char *comma = strchr(p, ','), *colon = strchr(p, ':');
	uint64_t addr, len;
	unsigned char *buf;
	size_t done = 0, dlen;
	int err = 0;

	if (!comma || !colon || colon < comma ||
	    tr_rsp_hex_u64(p, (size_t)(comma - p), &addr) ||
	    tr_rsp_hex_u64(comma + 1, (size_t)(colon - comma - 1), &len))
		return rsp_reply_str(r, "E01");
	dlen = plen - (size_t)(colon + 1 - p);
	if ((binary && dlen != len) || (!binary && dlen != 2 * len))
		return rsp_reply_str(r, "E01");
	buf = malloc(len + 1);
	if (!buf)
		return rsp_reply_str(r, "E0c");
	if (binary)
		memcpy(buf, colon + 1, len);
	else if (tr_rsp_hex_decode(colon + 1, dlen, buf)) {
		free(buf);
		return rsp_reply_str(r, "E01");
	}
	if (len)
		err = tr_mem_write(r->t, addr, buf, len, &done);
	free(buf);
	if (len && (err || done != len))
		return rsp_reply_str(r, "E0e");
	return rsp_reply_str(r, "OK");
}

/* ---- the register cache ------------------------------------------------------
 *
 * gdb reads the registers once per stop and then writes them one by one
 * (P) around an injected call: each packet is a round trip of its own,
 * so it must not also cost several dispatches to the tracer thread. The
 * registers of the thread gdb looks at are read at the first need after
 * a stop and kept until the next resume; writes go through to the target
 * at once (another client of the session sees them) and into the cache.
 */

pid_t
rsp_pid(const struct rsp *r)
{
	return r->ss ? atomic_load(&r->ss->pid) : 0;
}

pid_t
rsp_gtid(const struct rsp *r)
{
	return r->gtid > 0 ? r->gtid : r->stop.tid;
}

void
rsp_regs_forget(struct rsp *r)
{
	r->cache_tid = 0;
	r->cache_fp = false;
}

int
rsp_regs(struct rsp *r, pid_t tid, bool want_fp,
	 const struct rsp_regset **out)
{
	int err;

	if (!r->t || r->gone)
		return -TR_EGONE;
	if (tid <= 0)
		tid = rsp_gtid(r);
	if (r->cache_tid != tid) {
		if ((err = tr_regs_get(r->t, tid, &r->cache.gp)))
			return err;
		r->cache_tid = tid;
		r->cache_fp = false;
	}
	if (want_fp && !r->cache_fp) {
		r->cache.have_fp =
			tr_fpregs_get(r->t, tid, &r->cache.fp) == 0;
		if (!r->cache.have_fp)
			memset(&r->cache.fp, 0, sizeof(r->cache.fp));
		r->cache_fp = true;
	}
	*out = &r->cache;
	return 0;
}

size_t
rsp_nregs(void)
{
	return NREGS;
}

const char *
rsp_reg_name(size_t n)
{
	return n < NREGS ? regs[n].name : NULL;
}

size_t
rsp_reg_size(size_t n)
{
	return n < NREGS ? reg_size(regs[n].type) : 0;
}

void
rsp_reg_value(const struct rsp_regset *rs, size_t n, unsigned char *buf)
{
	reg_get(rs, n, buf);
}

static bool
is_fp_reg(size_t n)
{
	return n >= R_ST0 && n < R_ORIG_RAX;
}

/* Write the cached registers back: the general ones, and the FXSAVE area
 * when `fp` (a register of it changed). */
static int
regs_store(struct rsp *r, bool gp, bool fp)
{
	int err = 0;

	if (gp)
		err = tr_regs_set(r->t, r->cache_tid, &r->cache.gp);
	if (!err && fp && r->cache.have_fp)
		err = tr_fpregs_set(r->t, r->cache_tid, &r->cache.fp);
	if (err)
		rsp_regs_forget(r); /* the target says otherwise now */
	return err;
}

static int
g_packet(struct rsp *r)
{
	const struct rsp_regset *rs;
	char hex[2 * 16 * NREGS + 1];
	size_t n = 0;
	int err = rsp_regs(r, 0, true, &rs);

	if (err)
		return rsp_reply_err(r, err);
	for (size_t i = 0; i < NREGS; i++) {
		unsigned char v[16];
		size_t sz = reg_size(regs[i].type);

		reg_get(rs, i, v);
		tr_rsp_hex_encode(v, sz, hex + n);
		n += 2 * sz;
	}
	return rsp_reply(r, hex, n);
}

static int
G_packet(struct rsp *r, const char *p, size_t plen)
{
	const struct rsp_regset *rs;
	struct rsp_regset nrs;
	size_t n = 0;
	int err = rsp_regs(r, 0, true, &rs);

	if (err)
		return rsp_reply_err(r, err);
	nrs = *rs;
	for (size_t i = 0; i < NREGS && n < plen; i++) {
		unsigned char v[16];
		size_t sz = reg_size(regs[i].type);

		if (n + 2 * sz > plen || tr_rsp_hex_decode(p + n, 2 * sz, v))
			return rsp_reply_str(r, "E01");
		reg_set(&nrs, i, v);
		n += 2 * sz;
	}
	r->cache = nrs;
	err = regs_store(r, true, true);
	return err ? rsp_reply_err(r, err) : rsp_reply_str(r, "OK");
}

static int
p_packet(struct rsp *r, const char *p, bool write)
{
	const char *eq = write ? strchr(p, '=') : NULL;
	const struct rsp_regset *rs;
	uint64_t n;
	unsigned char v[16];
	char hex[33];
	size_t sz;
	int err;

	if (tr_rsp_hex_u64(p, eq ? (size_t)(eq - p) : strlen(p), &n) ||
	    (write && !eq))
		return rsp_reply_str(r, "E01");
	if (n >= NREGS)
		return rsp_reply_str(r, write ? "E01" : "E00");
	if ((err = rsp_regs(r, 0, is_fp_reg(n), &rs)))
		return rsp_reply_err(r, err);
	sz = reg_size(regs[n].type);
	if (!write) {
		reg_get(rs, n, v);
		tr_rsp_hex_encode(v, sz, hex);
		return rsp_reply(r, hex, 2 * sz);
	}
	if (strlen(eq + 1) != 2 * sz || tr_rsp_hex_decode(eq + 1, 2 * sz, v))
		return rsp_reply_str(r, "E01");
	reg_set(&r->cache, n, v);
	err = regs_store(r, !is_fp_reg(n), is_fp_reg(n));
	return err ? rsp_reply_err(r, err) : rsp_reply_str(r, "OK");
}

/* ---- breakpoints --------------------------------------------------------------- */

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
static void
bps_sync(struct rsp *r, bool all)
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
static int
z_packet(struct rsp *r, const char *p, bool insert)
{
	uint64_t addr;
	const char *comma = strchr(p + 2, ',');
	struct rsp_bp *b;
	int err;

	if (p[0] != '0')
		return rsp_reply_str(r, ""); /* hardware kinds: not offered */
	if (p[1] != ',' || !comma ||
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
		b->wanted = true;
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

static int
thread_list(struct rsp *r)
{
	struct tr_buf b;
	int rc;

	if (r->gone)
		return rsp_reply_str(r, "l");
	tr_buf_init(&b);
	tr_buf_append(&b, "m", 1);
	if (append_tids(r, &b))
		rc = rsp_reply_str(r, "l");
	else
		rc = rsp_reply(r, b.data, b.len);
	tr_buf_free(&b);
	return rc;
}

static pid_t
parse_tid(const char *p)
{
	uint64_t v;

	if (!strcmp(p, "-1"))
		return -1;
	if (p[0] == 'p') {
		/* multiprocess form p<pid>.<tid> */
		const char *dot = strchr(p, '.');

		p = dot ? dot + 1 : "0";
	}
	return tr_rsp_hex_u64(p, strlen(p), &v) ? 0 : (pid_t)v;
}

/* ---- sessions: extended-remote ------------------------------------------------ */

static void
bind_session(struct rsp *r, struct srv_sess *ss)
{
	struct tr_state st;

	r->ss = ss;
	r->s = ss ? ss->s : NULL;
	r->t = ss ? ss->t : NULL;
	r->gone = !ss;
	r->gtid = 0;
	r->ctid = -1;
	r->nbps = 0;
	rsp_regs_forget(r);
	memset(&r->stop, 0, sizeof(r->stop));
	if (r->t && tr_state_get(r->t, &st) == 0) {
		r->stop = st.last_stop;
		r->gone = st.gone;
	}
}

/* Let go of the session: its target was killed, detached, or has
 * exited (`how`: what its followers are told; NULL: nothing happened to
 * it). Called with target_mu held; leaves it unlocked. */
static void
drop_session(struct rsp *r, const char *how)
{
	struct srv_sess *ss = r->ss;

	if (!ss)
		return;
	if (how && !atomic_load(&ss->ended))
		srv_sess_finish(ss, how);
	bind_session(r, NULL);
	pthread_mutex_unlock(&ss->target_mu);
	srv_sess_unref(ss);
}

/* Kill (or detach from) the target and end its session, its target_mu
 * held (this unlocks it). In extended-remote the connection stays,
 * without a session. */
static void
end_target(struct rsp *r, bool kill_it)
{
	bps_sync(r, true);
	if (!r->gone)
		kill_it ? tr_kill(r->t) : tr_detach_nosig(r->t);
	else if (kill_it)
		tr_kill(r->t); /* reaps an exited target */
	drop_session(r, kill_it ? "killed" : "detached");
}

/* Drive the session vRun or vAttach made (NULL: err says why not) and
 * answer with its first stop. */
static int
adopt_session(struct rsp *r, struct srv_sess *ss, int err)
{
	int rc;

	if (!ss)
		return rsp_reply_err(r, err);
	pthread_mutex_lock(&ss->target_mu);
	bind_session(r, ss);
	rc = send_stop(r, &r->stop);
	pthread_mutex_unlock(&ss->target_mu);
	return rc;
}

/* vRun;PROGRAM;ARG...: hex-encoded words. An empty program is the one
 * the last session ran. */
static int
v_run(struct rsp *r, const char *p)
{
	char *argv[64], *prog;
	size_t argc = 0;
	struct tr_launch l = { .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1 };
	struct srv_sess *ss;
	int err = 0;
	char *last = r->ss && r->ss->program ? strdup(r->ss->program) : NULL;

	while (*p == ';' && argc < 63) {
		size_t n = strcspn(p + 1, ";");
		char *w = malloc(n / 2 + 1);

		if (!w || tr_rsp_hex_decode(p + 1, n, (unsigned char *)w)) {
			free(w);
			err = -TR_EINVAL;
			break;
		}
		w[n / 2] = 0;
		argv[argc++] = w;
		p += 1 + n;
	}
	argv[argc] = NULL;
	if (!err && (argc == 0 || !argv[0][0])) {
		if (!last) {
			err = -TR_EINVAL;
		} else {
			if (argc)
				free(argv[0]);
			else
				argc = 1;
			argv[0] = last;
			argv[argc] = NULL;
			last = NULL;
		}
	}
	free(last);
	if (err) {
		for (size_t i = 0; i < argc; i++)
			free(argv[i]);
		return rsp_reply_str(r, "E16");
	}
	prog = argv[0];
	if (r->ss) /* (its target_mu held by locked_packet) */
		end_target(r, true); /* gdb kills the old process first; a
					run over a live one replaces it */
	l.path = prog;
	l.argv = argv;
	ss = srv_sess_start(&l, 0, &err);
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	return adopt_session(r, ss, err);
}

static int
v_attach(struct rsp *r, const char *p)
{
	uint64_t pid;
	struct srv_sess *ss;
	int err;

	if (tr_rsp_hex_u64(p, strlen(p), &pid) || pid == 0 ||
	    pid > INT32_MAX)
		return rsp_reply_str(r, "E01");
	if (r->ss && !r->gone)
		return rsp_reply_str(r, "E01"); /* one process at a time */
	if (r->ss) /* exited: let it go (target_mu held by locked_packet) */
		end_target(r, true);
	ss = srv_sess_start(NULL, (pid_t)pid, &err);
	return adopt_session(r, ss, err);
}

/* ---- monitor commands (qRcmd) ---------------------------------------------------- */

/* Console output for gdb: O and the text in hex. */
static int
console(struct rsp *r, const char *text)
{
	size_t n = strlen(text);
	char *pk = malloc(2 * n + 2);
	int rc;

	if (!pk)
		return -1;
	pk[0] = 'O';
	tr_rsp_hex_encode(text, n, pk + 1);
	rc = rsp_reply(r, pk, 2 * n + 1);
	free(pk);
	return rc;
}

static void
slab_line(char *buf, size_t len, const char *name,
	  const struct tr_slab_stats *s)
{
	snprintf(buf, len,
		 "%-12s %10llu requests  p50 %6llu ns  p90 %6llu ns  "
		 "p99 %7llu ns  server sleeps %llu, client sleeps %llu\n",
		 name, (unsigned long long)s->requests,
		 (unsigned long long)srv_hist_quantile(s->latency_hist, 0.5),
		 (unsigned long long)srv_hist_quantile(s->latency_hist, 0.9),
		 (unsigned long long)srv_hist_quantile(s->latency_hist,
						       0.99),
		 (unsigned long long)s->server_sleeps,
		 (unsigned long long)s->client_sleeps);
}

static int
monitor(struct rsp *r, const char *hex)
{
	size_t n = strlen(hex) / 2;
	char *cmd = malloc(n + 1), *arg;
	char out[4096];
	int rc;

	if (!cmd || tr_rsp_hex_decode(hex, 2 * n, (unsigned char *)cmd)) {
		free(cmd);
		return rsp_reply_str(r, "E01");
	}
	cmd[n] = 0;
	arg = cmd + strcspn(cmd, " \t");
	if (*arg)
		*arg++ = 0;
	arg += strspn(arg, " \t");
	if (!strcmp(cmd, "eval") || !strcmp(cmd, "print") ||
	    !strcmp(cmd, "p")) {
		struct tr_expr_err e = { 0 };
		int err;

		if (!r->s || r->gone) {
			rc = console(r, "No process.\n");
		} else if (!*arg) {
			rc = console(r, "usage: monitor eval EXPRESSION\n");
		} else {
			err = tr_session_eval(r->s, arg, rsp_gtid(r), 0, out,
					      sizeof(out) - 1, &e);
			rsp_regs_forget(r); /* a call ran in the target */
			if (err) {
				snprintf(out, sizeof(out), "%s\n",
					 e.msg[0] ? e.msg : tr_strerror(err));
			} else {
				strcat(out, "\n");
			}
			rc = console(r, out);
		}
	} else if (!strcmp(cmd, "stats")) {
		struct tr_slab_stats tr, in, lp;
		char line[3][256];

		if (!r->s) {
			rc = console(r, "No session.\n");
		} else {
			tr_session_stats(r->s, &tr, &in, &lp);
			slab_line(line[0], sizeof(line[0]), "tracer", &tr);
			slab_line(line[1], sizeof(line[1]), "interpreter",
				  &in);
			slab_line(line[2], sizeof(line[2]), "event loop",
				  &lp);
			snprintf(out, sizeof(out), "%s%s%s", line[0], line[1],
				 line[2]);
			rc = console(r, out);
		}
	} else if (!strcmp(cmd, "help") || !*cmd) {
		rc = console(r,
			     "tracerd monitor commands:\n"
			     "  eval EXPR   evaluate a C expression in the "
			     "target, server-side (calls injected)\n"
			     "  stats       the session's dispatch "
			     "statistics\n"
			     "  help        this list\n");
	} else {
		snprintf(out, sizeof(out),
			 "Unknown monitor command \"%.64s\"; try \"monitor "
			 "help\".\n",
			 cmd);
		rc = console(r, out);
	}
	free(cmd);
	return rc ? rc : rsp_reply_str(r, "OK");
}

/* QPassSignals:SIG;SIG...: the signals the program gets without a stop. */
static int
pass_signals(struct rsp *r, const char *p)
{
	memset(r->pass, 0, sizeof(r->pass));
	while (*p) {
		size_t n = strcspn(p, ";");
		uint64_t g;

		if (tr_rsp_hex_u64(p, n, &g) == 0) {
			int s = host_signo((int)g);

			if (s > 0 && s <= 64)
				r->pass[s] = true;
		}
		p += n + (p[n] == ';');
	}
	return rsp_reply_str(r, "OK");
}

/* ---- the loop --------------------------------------------------------------- */

/* Packets that need a process to work on. */
static bool
needs_target(const char *p)
{
	switch (p[0]) {
	case 'g': case 'G': case 'p': case 'P': case 'm': case 'M':
	case 'X': case 'x': case 'Z': case 'z': case 'c': case 'C':
	case 's': case 'S': case 'T':
		return true;
	case 'v':
		return !strncmp(p, "vCont;", 6);
	case 'q':
		return !strncmp(p, "qXfer:auxv", 10) ||
		       !strncmp(p, "qXfer:libraries", 15) ||
		       !strncmp(p, "qXfer:siginfo", 13) ||
		       !strncmp(p, "qXfer:exec-file", 15);
	default:
		return false;
	}
}

/* Handle one packet; -1 ends the connection. Called with the session's
 * target_mu held (when there is a session). */
static int
packet(struct rsp *r, const char *p, size_t len)
{
	if (needs_target(p) && (!r->t || r->gone))
		return rsp_reply_str(r, "E01");
	switch (p[0]) {
	case '!':
		r->extended = true;
		return rsp_reply_str(r, "OK");
	case '?':
		if (r->t && (r->stop.type == TR_EV_EXIT ||
			     r->stop.type == TR_EV_KILLED))
			return send_stop(r, &r->stop); /* how it ended */
		if (!r->t || r->gone)
			return rsp_reply_str(r, "W00");
		return send_stop(r, &r->stop);
	case 'g':
		return g_packet(r);
	case 'G':
		return G_packet(r, p + 1, len - 1);
	case 'p':
		return p_packet(r, p + 1, false);
	case 'P':
		return p_packet(r, p + 1, true);
	case 'm':
		return read_mem(r, p + 1, false);
	case 'x':
		return read_mem(r, p + 1, true);
	case 'M':
		return write_mem(r, p + 1, len - 1, false);
	case 'X':
		return write_mem(r, p + 1, len - 1, true);
	case 'Z':
		return z_packet(r, p + 1, true);
	case 'z':
		return z_packet(r, p + 1, false);
	case 'c':
		return resume(r, false, 0, 0);
	case 'C': {
		uint64_t g;

		if (tr_rsp_hex_u64(p + 1, strcspn(p + 1, ";"), &g))
			return rsp_reply_str(r, "E01");
		return resume(r, false, 0, host_signo((int)g));
	}
	case 's':
		return resume(r, true, r->ctid > 0 ? r->ctid : 0, 0);
	case 'S': {
		uint64_t g;

		if (tr_rsp_hex_u64(p + 1, strcspn(p + 1, ";"), &g))
			return rsp_reply_str(r, "E01");
		return resume(r, true, r->ctid > 0 ? r->ctid : 0,
			      host_signo((int)g));
	}
	case 'H':
		if (p[1] == 'g')
			r->gtid = parse_tid(p + 2) > 0 ? parse_tid(p + 2) : 0;
		else if (p[1] == 'c')
			r->ctid = parse_tid(p + 2);
		else
			return rsp_reply_str(r, "E01");
		return rsp_reply_str(r, "OK");
	case 'T': {
		pid_t tid = parse_tid(p + 1), tids[1024];
		size_t n = 0;

		tr_threads(r->t, tids, 1024, &n);
		for (size_t i = 0; i < n && i < 1024; i++)
			if (tids[i] == tid)
				return rsp_reply_str(r, "OK");
		return rsp_reply_str(r, "E01");
	}
	case 'k':
		if (r->ss)
			end_target(r, true); /* unlocks */
		return r->extended ? 0 : -1;
	case 'D': {
		bool had = r->ss && !r->gone;

		if (r->ss)
			end_target(r, false); /* unlocks */
		rsp_reply_str(r, had ? "OK" : "E01");
		return r->extended ? 0 : -1;
	}
	case 'q':
		if (!strncmp(p, "qSupported", 10)) {
			char buf[512];

			r->swbreak = strstr(p, "swbreak+") != NULL;
			r->binary_upload = strstr(p, "binary-upload+") != NULL;
			r->multiprocess = strstr(p, "multiprocess+") != NULL;
			/* lldb says neither; it wants reason:breakpoint */
			r->lldb = !r->swbreak;
			snprintf(buf, sizeof(buf),
				 "PacketSize=%x;QStartNoAckMode+;swbreak+;%s"
				 "qXfer:features:read+;qXfer:auxv:read+;"
				 "qXfer:exec-file:read+;qXfer:threads:read+;"
				 "qXfer:libraries-svr4:read+;"
				 "qXfer:siginfo:read+;qXfer:siginfo:write+;"
				 "QPassSignals+;QThreadSuffixSupported+;%s"
				 "QListThreadsInStopReply+;"
				 "vContSupported+", PACKET_SIZE,
				 r->binary_upload ? "binary-upload+;" : "",
				 r->multiprocess ? "multiprocess+;" : "");
			return rsp_reply_str(r, buf);
		}
		if (!strncmp(p, "qXfer:", 6))
			return qxfer(r, p, len);
		if (!strcmp(p, "qfThreadInfo"))
			return thread_list(r);
		if (!strcmp(p, "qsThreadInfo"))
			return rsp_reply_str(r, "l");
		if (!strcmp(p, "qC")) {
			char buf[64];

			if (!r->t || r->gone)
				return rsp_reply_str(r, "E01");
			char id[48];

			snprintf(buf, sizeof(buf), "QC%s",
				 tid_str(r, r->stop.tid, id, sizeof(id)));
			return rsp_reply_str(r, buf);
		}
		if (!strncmp(p, "qAttached", 9))
			return rsp_reply_str(r, r->ss && !r->ss->launched
							? "1"
							: "0");
		if (!strncmp(p, "qRcmd,", 6))
			return monitor(r, p + 6);
		break;
	case 'Q':
		if (!strcmp(p, "QStartNoAckMode")) {
			int rc = rsp_reply_str(r, "OK");

			r->noack = true;
			return rc;
		}
		if (!strncmp(p, "QPassSignals:", 13))
			return pass_signals(r, p + 13);
		if (!strcmp(p, "QThreadSuffixSupported")) {
			r->thread_suffix = true;
			return rsp_reply_str(r, "OK");
		}
		if (!strcmp(p, "QListThreadsInStopReply")) {
			r->list_threads_in_stop = true;
			return rsp_reply_str(r, "OK");
		}
		break;
	case 'v':
		if (!strcmp(p, "vCont?"))
			return rsp_reply_str(r, "vCont;c;C;s;S;t");
		if (!strncmp(p, "vCont;", 6))
			return vcont(r, p + 5);
		if (!strncmp(p, "vKill", 5)) {
			if (!r->ss)
				return rsp_reply_str(r, "E01");
			end_target(r, true); /* unlocks */
			return rsp_reply_str(r, "OK");
		}
		if (!strncmp(p, "vRun;", 5))
			return v_run(r, p + 4);
		if (!strncmp(p, "vAttach;", 8))
			return v_attach(r, p + 8);
		if (!strncmp(p, "vMustReplyEmpty", 15))
			return rsp_reply_str(r, "");
		break;
	default:
		break;
	}
	{
		int rc = rsp_lldb_packet(r, p, len);

		return rc == 1 ? rsp_reply_str(r, "") : rc;
	}
}

/* The packet under the session's target_mu; a session that another
 * client ended is let go first. lldb's thread suffix (";thread:TID;"
 * after the packet, once QThreadSuffixSupported) selects the thread for
 * this packet only. */
static int
locked_packet(struct rsp *r, const char *p, size_t len)
{
	struct srv_sess *ss = r->ss;
	pid_t saved = r->gtid;
	char *copy = NULL;
	int rc;

	if (ss) {
		pthread_mutex_lock(&ss->target_mu);
		if (atomic_load(&ss->ended) || !ss->s) {
			drop_session(r, NULL); /* unlocks */
			ss = NULL;
		}
	}
	if (r->thread_suffix && p[0] != 'v' && p[0] != 'q' && p[0] != 'Q') {
		const char *ts = strstr(p, ";thread:");

		if (ts && (copy = strndup(p, (size_t)(ts - p)))) {
			pid_t tid = parse_tid(ts + 8);

			if (tid > 0)
				r->gtid = tid;
			len = (size_t)(ts - p);
			p = copy;
		}
	}
	rc = packet(r, p, len);
	if (copy) {
		r->gtid = saved;
		free(copy);
	}
	if (ss && r->ss == ss)
		pthread_mutex_unlock(&ss->target_mu);
	return rc;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Waiting for the client's next packet. gdb sends it within tens of
 * microseconds of our reply; a thread asleep in recv() takes about as
 * long again to be woken (FIELD-NOTES: 11-21 us for a futex round trip
 * across CPUs, more on a virtual machine whose idle CPU has halted). So
 * the connection polls for up to SPIN_NS first, yielding the CPU at
 * each turn, then sleeps. That halved the time of a gdb round trip
 * here (qC: 79 -> 21 us). The yield lets a client on the same CPU
 * run; on a machine with one CPU there is no polling at all.
 */
#define SPIN_NS 200000

static bool
may_spin(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

static ssize_t
recv_next(int fd, char *buf, size_t len, bool spin)
{
	uint64_t t0 = now_ns();

	while (spin) {
		ssize_t k = recv(fd, buf, len, MSG_DONTWAIT);

		if (k >= 0 || (errno != EAGAIN && errno != EINTR))
			return k;
		if (now_ns() - t0 >= SPIN_NS)
			break;
		sched_yield();
	}
	return recv(fd, buf, len, 0);
}

static void *
rsp_main(void *arg)
{
	struct rsp *r = arg;
	char buf[65536];
	sigset_t all;
	bool spin = may_spin();

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		ssize_t k = recv_next(r->fd, buf, sizeof(buf), spin);
		const char *p;
		size_t len;
		int e, rc = 0;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (tr_rsp_feed(&r->rd, buf, (size_t)k))
			break;
		while (rc == 0 &&
		       (e = tr_rsp_next(&r->rd, &p, &len)) != TR_RSP_NONE) {
			switch (e) {
			case TR_RSP_PACKET:
				if (!r->noack && send_all(r->fd, "+", 1)) {
					rc = -1;
					break;
				}
				rc = locked_packet(r, p, len);
				break;
			case TR_RSP_NAK:
				if (!r->noack)
					rc = send_all(r->fd, r->last.data,
						      r->last.len);
				break;
			case TR_RSP_BAD_CHECKSUM:
				if (!r->noack)
					rc = send_all(r->fd, "-", 1);
				break;
			case TR_RSP_TOO_LONG:
			case TR_RSP_BAD_PACKET:
				if (!r->noack)
					rc = send_all(r->fd, "+", 1);
				if (!rc)
					rc = rsp_reply_str(r, "E01");
				break;
			case TR_RSP_INTERRUPT:
				/* stopped already: the stop stands */
				break;
			default:
				break;
			}
		}
		if (rc)
			break;
	}
	if (r->ss) {
		pthread_mutex_lock(&r->ss->target_mu);
		if (!atomic_load(&r->ss->ended) && r->ss->s)
			bps_sync(r, true); /* gdb's breakpoints leave with it */
		tr_log_info("gdb client left session %u", r->ss->id);
		drop_session(r, NULL); /* unlocks */
	} else {
		tr_log_info("gdb client left");
	}
	free(r->bps);
	srv_rsp_done(r->fd);
	close(r->fd);
	tr_rsp_reader_free(&r->rd);
	tr_buf_free(&r->out);
	tr_buf_free(&r->last);
	free(r->xml);
	free(r);
	return NULL;
}

int
srv_rsp_start(int fd, struct srv_sess *ss)
{
	struct rsp *r = calloc(1, sizeof(*r));
	pthread_t th;
	pthread_attr_t a;

	if (!r)
		return -TR_ENOMEM;
	r->fd = fd;
	if (ss) {
		pthread_mutex_lock(&ss->target_mu);
		bind_session(r, ss);
		pthread_mutex_unlock(&ss->target_mu);
	} else {
		bind_session(r, NULL);
	}
	r->xml = target_xml();
	tr_rsp_reader_init(&r->rd, PACKET_SIZE);
	tr_buf_init(&r->out);
	tr_buf_init(&r->last);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (!r->xml || pthread_create(&th, &a, rsp_main, r)) {
		pthread_attr_destroy(&a);
		free(r->xml);
		free(r);
		return -TR_ENOMEM;
	}
	pthread_attr_destroy(&a);
	return 0;
}

const struct srv_frontend srv_rsp_frontend = {
	.name = "gdb",
	.protocol = "remote protocol",
	.start = srv_rsp_start,
};
