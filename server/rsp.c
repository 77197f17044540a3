/* rsp.c: the GDB remote protocol front end: gdb as a client of a tracerd session, on the library's core. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include "rsp.h"
#include "server.h"

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

#define PACKET_SIZE 0x20000 /* what we take in one packet (hex digits) */

struct rsp {
	int fd;
	struct srv_sess *ss;
	struct tr_session *s;
	struct tr_tracer *t;
	struct tr_rsp_reader rd;
	struct tr_buf out;     /* the packet being sent */
	struct tr_buf last;    /* the last one, for a `-` */
	bool noack;
	bool extended;
	pid_t gtid;            /* Hg: registers and memory (0: current) */
	pid_t ctid;            /* Hc: resumes (-1, 0: all / any) */
	struct tr_event stop;  /* the last stop reported */
	bool gone;             /* the target exited */
	bool swbreak;          /* the client takes swbreak stop reasons */
	char *xml;             /* target.xml */
};

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

struct regset {
	struct user_regs_struct gp;
	struct user_fpregs_struct fp;
	bool have_fp;
};

/* Register n's bytes (little-endian, reg_size long) into buf. */
static void
reg_get(const struct regset *rs, size_t n, unsigned char *buf)
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
reg_set(struct regset *rs, size_t n, const unsigned char *buf)
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

static int
reply(struct rsp *r, const char *payload, size_t len)
{
	tr_buf_reset(&r->out);
	if (tr_rsp_put_packet(&r->out, payload, len))
		return -1;
	tr_buf_reset(&r->last);
	tr_buf_append(&r->last, r->out.data, r->out.len);
	return send_all(r->fd, r->out.data, r->out.len);
}

static int
reply_str(struct rsp *r, const char *s)
{
	return reply(r, s, strlen(s));
}

/* An error reply: E and two hex digits (gdb shows the number). */
static int
reply_err(struct rsp *r, int err)
{
	char e[8];

	snprintf(e, sizeof(e), "E%02x", (unsigned)(-err) & 0xff);
	return reply_str(r, e);
}

/* ---- stops ------------------------------------------------------------------ */

/* gdb's signal numbers are its own; for the signals a program meets,
 * Linux's agree with them up to SIGSYS except where mapped here. */
static int
gdb_signo(int sig)
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
		if (gdb_signo(s) == g)
			return s;
	return 0;
}

/* The stop reply of ev: T with the thread and the expedited registers
 * (rbp, rsp, rip: what gdb needs to show where it is without asking). */
static int
send_stop(struct rsp *r, const struct tr_event *ev)
{
	char buf[512];
	int n;

	if (ev->type == TR_EV_EXIT) {
		snprintf(buf, sizeof(buf), "W%02x", ev->status & 0xff);
		r->gone = true;
		return reply_str(r, buf);
	}
	if (ev->type == TR_EV_KILLED) {
		snprintf(buf, sizeof(buf), "X%02x", gdb_signo(ev->sig) & 0xff);
		r->gone = true;
		return reply_str(r, buf);
	}
	{
		int sig = ev->reason == TR_STOP_SIGNAL ||
				  ev->reason == TR_STOP_GROUP
			  ? ev->sig
			  : ev->reason == TR_STOP_INTERRUPT ? SIGINT
							    : SIGTRAP;
		struct regset rs;
		unsigned char v[16];
		char hex[40];

		n = snprintf(buf, sizeof(buf), "T%02xthread:%x;",
			     gdb_signo(sig), (unsigned)ev->tid);
		if (tr_regs_get(r->t, ev->tid, &rs.gp) == 0) {
			static const size_t ex[] = { 6, 7, R_RIP };

			for (size_t i = 0; i < 3; i++) {
				reg_get(&rs, ex[i], v);
				tr_rsp_hex_encode(v, 8, hex);
				hex[16] = 0;
				n += snprintf(buf + n, sizeof(buf) - (size_t)n,
					      "%02zx:%s;", ex[i], hex);
			}
		}
		if (ev->reason == TR_STOP_BREAKPOINT && r->swbreak)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n,
				      "swbreak:;");
		r->stop = *ev;
		return reply(r, buf, (size_t)n);
	}
}

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
	uint64_t one = 1;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	ru->err = ru->step ? tr_session_step(ru->r->s, ru->tid, &ru->ev)
			   : tr_session_cont(ru->r->s, ru->tid, ru->sig,
					     &ru->ev);
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

	if (r->gone)
		return reply_str(r, "E01");
	ru.efd = eventfd(0, EFD_CLOEXEC);
	if (ru.efd < 0 || pthread_create(&th, NULL, runner_main, &ru)) {
		if (ru.efd >= 0)
			close(ru.efd);
		return reply_str(r, "E01");
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
			return reply_str(r, "W00");
		}
		return reply_err(r, ru.err);
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
		if (a == 's' || a == 'S') {
			step = true;
			if (colon) {
				size_t l = strcspn(colon, ";");

				if (tr_rsp_hex_u64(colon, l, &v) == 0)
					tid = (pid_t)v;
			}
		}
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
		return reply_str(r, "E01");
	if (off >= total)
		return reply_str(r, "l");
	if (len > PACKET_SIZE / 2)
		len = PACKET_SIZE / 2;
	tr_buf_init(&b);
	tr_buf_append(&b, off + len >= total ? "l" : "m", 1);
	tr_buf_append(&b, data + off, off + len >= total ? total - off : len);
	rc = reply(r, b.data, b.len);
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

static int
qxfer(struct rsp *r, const char *p)
{
	/* qXfer:OBJECT:read:ANNEX:OFF,LEN */
	char obj[32], annex[64];
	const char *q = p + 6;
	size_t l = strcspn(q, ":");
	pid_t pid = atomic_load(&r->ss->pid);

	if (l >= sizeof(obj))
		return reply_str(r, "");
	memcpy(obj, q, l);
	obj[l] = 0;
	q += l;
	if (strncmp(q, ":read:", 6))
		return reply_str(r, "");
	q += 6;
	l = strcspn(q, ":");
	if (l >= sizeof(annex) || q[l] != ':')
		return reply_str(r, "E00");
	memcpy(annex, q, l);
	annex[l] = 0;
	q += l + 1;
	if (!strcmp(obj, "features")) {
		if (strcmp(annex, "target.xml"))
			return reply_str(r, "E00");
		return xfer_reply(r, r->xml, strlen(r->xml), q);
	}
	if (!strcmp(obj, "auxv") || !strcmp(obj, "exec-file")) {
		char path[64], *data = NULL;
		size_t len = 0;
		int rc;

		if (!strcmp(obj, "auxv")) {
			snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
			if (read_file(path, &data, &len))
				return reply_str(r, "E01");
		} else {
			char exe[4096];
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%d/exe", pid);
			n = readlink(path, exe, sizeof(exe) - 1);
			if (n <= 0)
				return reply_str(r, "E01");
			data = strndup(exe, (size_t)n);
			len = (size_t)n;
		}
		rc = xfer_reply(r, data ? data : "", len, q);
		free(data);
		return rc;
	}
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
			char name[64] = "";

			tr_proc_thread_name(pid, tids[i], name, sizeof(name));
			snprintf(line, sizeof(line),
				 "<thread id=\"%x\" core=\"0\" name=\"%s\"/>\n",
				 (unsigned)tids[i], name);
			tr_buf_append(&b, line, strlen(line));
		}
		tr_buf_append(&b, "</threads>\n", 11);
		rc = xfer_reply(r, b.data, b.len, q);
		tr_buf_free(&b);
		return rc;
	}
	return reply_str(r, "");
}

/* ---- memory, registers ------------------------------------------------------ */

static int
read_mem(struct rsp *r, const char *p)
{
	const char *comma = strchr(p, ',');
	uint64_t addr, len;
	unsigned char *buf;
	char *hex;
	size_t done = 0;
	int rc;

	if (!comma || tr_rsp_hex_u64(p, (size_t)(comma - p), &addr) ||
	    tr_rsp_hex_u64(comma + 1, strlen(comma + 1), &len))
		return reply_str(r, "E01");
	if (len > PACKET_SIZE / 2)
		len = PACKET_SIZE / 2;
	buf = malloc(len + 1);
	hex = malloc(2 * len + 1);
	if (!buf || !hex) {
		free(buf);
		free(hex);
		return reply_str(r, "E0c");
	}
	if (len)
		tr_mem_read(r->t, addr, buf, len, &done);
	if (len && !done) {
		rc = reply_str(r, "E0e");
	} else {
		tr_rsp_hex_encode(buf, done, hex);
		rc = reply(r, hex, 2 * done);
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
		return reply_str(r, "E01");
	dlen = plen - (size_t)(colon + 1 - p);
	if ((binary && dlen != len) || (!binary && dlen != 2 * len))
		return reply_str(r, "E01");
	buf = malloc(len + 1);
	if (!buf)
		return reply_str(r, "E0c");
	if (binary)
		memcpy(buf, colon + 1, len);
	else if (tr_rsp_hex_decode(colon + 1, dlen, buf)) {
		free(buf);
		return reply_str(r, "E01");
	}
	if (len)
		err = tr_mem_write(r->t, addr, buf, len, &done);
	free(buf);
	if (len && (err || done != len))
		return reply_str(r, "E0e");
	return reply_str(r, "OK");
}

static int
regs_read(struct rsp *r, pid_t tid, struct regset *rs)
{
	int err = tr_regs_get(r->t, tid, &rs->gp);

	if (err)
		return err;
	rs->have_fp = tr_fpregs_get(r->t, tid, &rs->fp) == 0;
	if (!rs->have_fp)
		memset(&rs->fp, 0, sizeof(rs->fp));
	return 0;
}

static int
regs_write(struct rsp *r, pid_t tid, const struct regset *rs)
{
	int err = tr_regs_set(r->t, tid, &rs->gp);

	if (!err && rs->have_fp)
		err = tr_fpregs_set(r->t, tid, &rs->fp);
	return err;
}

static int
g_packet(struct rsp *r)
{
	struct regset rs;
	char hex[2 * 16 * NREGS + 1];
	size_t n = 0;
	int err = regs_read(r, r->gtid, &rs);

	if (err)
		return reply_err(r, err);
	for (size_t i = 0; i < NREGS; i++) {
		unsigned char v[16];
		size_t sz = reg_size(regs[i].type);

		reg_get(&rs, i, v);
		tr_rsp_hex_encode(v, sz, hex + n);
		n += 2 * sz;
	}
	return reply(r, hex, n);
}

static int
G_packet(struct rsp *r, const char *p, size_t plen)
{
	struct regset rs;
	size_t n = 0;
	int err = regs_read(r, r->gtid, &rs);

	if (err)
		return reply_err(r, err);
	for (size_t i = 0; i < NREGS && n < plen; i++) {
		unsigned char v[16];
		size_t sz = reg_size(regs[i].type);

		if (n + 2 * sz > plen || tr_rsp_hex_decode(p + n, 2 * sz, v))
			return reply_str(r, "E01");
		reg_set(&rs, i, v);
		n += 2 * sz;
	}
	err = regs_write(r, r->gtid, &rs);
	return err ? reply_err(r, err) : reply_str(r, "OK");
}

static int
p_packet(struct rsp *r, const char *p, bool write)
{
	const char *eq = write ? strchr(p, '=') : NULL;
	uint64_t n;
	struct regset rs;
	unsigned char v[16];
	char hex[33];
	size_t sz;
	int err;

	if (tr_rsp_hex_u64(p, eq ? (size_t)(eq - p) : strlen(p), &n) ||
	    (write && !eq))
		return reply_str(r, "E01");
	if (n >= NREGS)
		return reply_str(r, write ? "E01" : "E00");
	if ((err = regs_read(r, r->gtid, &rs)))
		return reply_err(r, err);
	sz = reg_size(regs[n].type);
	if (!write) {
		reg_get(&rs, n, v);
		tr_rsp_hex_encode(v, sz, hex);
		return reply(r, hex, 2 * sz);
	}
	if (strlen(eq + 1) != 2 * sz || tr_rsp_hex_decode(eq + 1, 2 * sz, v))
		return reply_str(r, "E01");
	reg_set(&rs, n, v);
	err = regs_write(r, r->gtid, &rs);
	return err ? reply_err(r, err) : reply_str(r, "OK");
}

/* Z0/z0: software breakpoints, as sites of the tracer (no user
 * breakpoint: gdb counts and conditions them itself). */
static int
z_packet(struct rsp *r, const char *p, bool insert)
{
	uint64_t addr;
	const char *comma = strchr(p + 2, ',');
	int err;

	if (p[0] != '0')
		return reply_str(r, ""); /* hardware kinds: not offered */
	if (p[1] != ',' || !comma ||
	    tr_rsp_hex_u64(p + 2, (size_t)(comma - p - 2), &addr))
		return reply_str(r, "E01");
	err = insert ? tr_bp_insert(r->t, addr) : tr_bp_remove(r->t, addr);
	if (err == -TR_EEXIST || (!insert && err == -TR_ENOENT))
		err = 0; /* gdb inserts and removes them around each stop */
	return err ? reply_err(r, err) : reply_str(r, "OK");
}

/* ---- the loop --------------------------------------------------------------- */

static int
thread_list(struct rsp *r)
{
	pid_t tids[1024];
	size_t n = 0;
	struct tr_buf b;
	char num[24];
	int rc;

	if (r->gone || tr_threads(r->t, tids, 1024, &n))
		return reply_str(r, "l");
	tr_buf_init(&b);
	tr_buf_append(&b, "m", 1);
	for (size_t i = 0; i < n && i < 1024; i++) {
		snprintf(num, sizeof(num), "%s%x", i ? "," : "",
			 (unsigned)tids[i]);
		tr_buf_append(&b, num, strlen(num));
	}
	rc = reply(r, b.data, b.len);
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

/* Handle one packet; -1 ends the connection. */
static int
packet(struct rsp *r, const char *p, size_t len)
{
	switch (p[0]) {
	case '?':
		if (r->gone)
			return reply_str(r, "W00");
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
		return read_mem(r, p + 1);
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
	case 's':
		return resume(r, true, r->ctid > 0 ? r->ctid : 0, 0);
	case 'H':
		if (p[1] == 'g')
			r->gtid = parse_tid(p + 2) > 0 ? parse_tid(p + 2) : 0;
		else if (p[1] == 'c')
			r->ctid = parse_tid(p + 2);
		return reply_str(r, "OK");
	case 'T': {
		pid_t tid = parse_tid(p + 1), tids[1024];
		size_t n = 0;

		tr_threads(r->t, tids, 1024, &n);
		for (size_t i = 0; i < n && i < 1024; i++)
			if (tids[i] == tid)
				return reply_str(r, "OK");
		return reply_str(r, "E01");
	}
	case 'k':
		tr_kill(r->t);
		return -1;
	case 'D': {
		int err = tr_detach(r->t);

		reply_str(r, err ? "E01" : "OK");
		return -1;
	}
	case 'q':
		if (!strncmp(p, "qSupported", 10)) {
			char buf[256];

			r->swbreak = strstr(p, "swbreak+") != NULL;
			snprintf(buf, sizeof(buf),
				 "PacketSize=%x;QStartNoAckMode+;swbreak+;"
				 "qXfer:features:read+;qXfer:auxv:read+;"
				 "qXfer:exec-file:read+;qXfer:threads:read+;"
				 "vContSupported+", PACKET_SIZE);
			return reply_str(r, buf);
		}
		if (!strncmp(p, "qXfer:", 6))
			return qxfer(r, p);
		if (!strcmp(p, "qfThreadInfo"))
			return thread_list(r);
		if (!strcmp(p, "qsThreadInfo"))
			return reply_str(r, "l");
		if (!strcmp(p, "qC")) {
			char buf[32];

			snprintf(buf, sizeof(buf), "QC%x",
				 (unsigned)r->stop.tid);
			return reply_str(r, buf);
		}
		if (!strncmp(p, "qAttached", 9))
			return reply_str(r, r->ss->launched ? "0" : "1");
		return reply_str(r, "");
	case 'Q':
		if (!strcmp(p, "QStartNoAckMode")) {
			int rc = reply_str(r, "OK");

			r->noack = true;
			return rc;
		}
		return reply_str(r, "");
	case 'v':
		if (!strcmp(p, "vCont?"))
			return reply_str(r, "vCont;c;C;s;S;t");
		if (!strncmp(p, "vCont;", 6))
			return vcont(r, p + 5);
		if (!strncmp(p, "vKill", 5)) {
			tr_kill(r->t);
			r->gone = true;
			return reply_str(r, "OK");
		}
		return reply_str(r, "");
	default:
		return reply_str(r, "");
	}
}

static void *
rsp_main(void *arg)
{
	struct rsp *r = arg;
	char buf[65536];
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		ssize_t k = recv(r->fd, buf, sizeof(buf), 0);
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
				rc = packet(r, p, len);
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
					rc = reply_str(r, "E01");
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
	tr_log_info("gdb client left session %u", r->ss->id);
	srv_rsp_done(r->fd);
	close(r->fd);
	tr_rsp_reader_free(&r->rd);
	tr_buf_free(&r->out);
	tr_buf_free(&r->last);
	free(r->xml);
	srv_sess_unref(r->ss);
	free(r);
	return NULL;
}

int
srv_rsp_start(int fd, struct srv_sess *ss)
{
	struct rsp *r = calloc(1, sizeof(*r));
	struct tr_state st;
	pthread_t th;
	pthread_attr_t a;

	if (!r)
		return -TR_ENOMEM;
	r->fd = fd;
	r->ss = ss;
	r->s = ss->s;
	r->t = ss->t;
	r->ctid = -1;
	r->xml = target_xml();
	tr_rsp_reader_init(&r->rd, PACKET_SIZE);
	tr_buf_init(&r->out);
	tr_buf_init(&r->last);
	if (tr_state_get(r->t, &st) == 0)
		r->stop = st.last_stop;
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
