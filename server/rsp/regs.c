/* regs.c: the registers as gdb numbers them: the amd64 target description, their values in FXSAVE and user_regs_struct, the register cache, and the g, G, p, P packets. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/user.h>

#include "base/error.h"
#include "rsp.h"
#include "rsp/ids.h"
#include "rsp/regs.h"
#include "rsp/reply.h"

/*
 * The register layout gdb is told of (qXfer:features:read:target.xml)
 * is the one `g` and `p` use: the 16 general registers, rip, eflags and
 * the six segment registers (as in GDB's amd64 "core" feature), the x87
 * registers, xmm0-15 and mxcsr ("sse"), orig_rax ("linux") and
 * fs_base/gs_base ("segments"): the GDB manual, "Target Descriptions"
 * and "Standard Target Features".
 */

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

char *
rsp_target_xml(void)
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

/*
 * The register cache. gdb reads the registers once per stop and then
 * writes them one by one (P) around an injected call: each packet is a
 * round trip of its own, so it must not also cost several dispatches to
 * the tracer thread. The registers of the thread gdb looks at are read at
 * the first need after a stop and kept until the next resume; writes go
 * through to the target at once (another client of the session sees
 * them) and into the cache.
 */

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

int
rsp_g_packet(struct rsp *r)
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

int
rsp_G_packet(struct rsp *r, const char *p, size_t plen)
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

int
rsp_p_packet(struct rsp *r, const char *p, bool write)
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
