/* disasm.c: the JSON-RPC method disassemble: a function, an address range or N instructions, as gdb 13 prints them (symbols/disasm.c), from the target's memory without our breakpoints' int3 bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "core/call.h"
#include "core/sess.h"
#include "jsonrpc/disasm.h"
#include "jsonrpc/request.h"
#include "symbols/debuginfo.h"
#include "symbols/disasm.h"
#include "symbols/symtab.h"
#include "target/tracer.h"

#define MAX_RANGE (1u << 20) /* bytes of one range */
#define MAX_COUNT 100000u    /* instructions of one request */
#define INSN_MAX 15

struct dis_ctx {
	struct srv_call *x;
	const char *name;       /* function by name */
	uint64_t addr, end, count;
	bool whole;             /* the function around addr */
	bool by_count;
	struct tr_debuginfo *di;
	char func[256];
	const char *error;      /* a message for the client */
	int err;
};

/* The function's code: DWARF's range, else the ELF symbol's. */
static int
function_range(struct dis_ctx *c, uint64_t pc)
{
	struct tr_location loc;
	struct tr_sym s;
	uint64_t off;

	if (tr_debuginfo_describe(c->di, pc, &loc) == 0 && loc.func_lo &&
	    loc.func_hi > loc.func_lo && loc.function) {
		c->addr = loc.func_lo;
		c->end = loc.func_hi;
		snprintf(c->func, sizeof(c->func), "%s", loc.function);
		return 0;
	}
	if (tr_symtab_addr(tr_debuginfo_symtab(c->di), pc, &s, &off) == 0 &&
	    s.size && s.kind != TR_SYM_OBJECT) {
		c->addr = s.addr;
		c->end = s.addr + s.size;
		snprintf(c->func, sizeof(c->func), "%s", s.name);
		return 0;
	}
	c->error = "No function contains specified address.";
	return -TR_ENOENT;
}

static void
write_insn(struct dis_ctx *c, struct tr_jw *w, const struct tr_dis_insn *in,
	   const uint8_t *bytes)
{
	struct tr_location loc;
	char hex[INSN_MAX * 2 + 1];

	for (unsigned i = 0; i < in->len && i < INSN_MAX; i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	tr_jw_obj_begin(w);
	tr_jw_key(w, "addr");
	tr_jw_uint(w, in->addr);
	tr_jw_key(w, "length");
	tr_jw_uint(w, in->len);
	tr_jw_key(w, "bytes");
	tr_jw_cstr(w, hex);
	tr_jw_key(w, "text");
	tr_jw_cstr(w, in->text);
	if (in->has_target) {
		tr_jw_key(w, "target");
		tr_jw_uint(w, in->target);
	}
	if (tr_debuginfo_describe(c->di, in->addr, &loc) == 0) {
		if (loc.function) {
			tr_jw_key(w, "function");
			tr_jw_cstr(w, loc.function);
			tr_jw_key(w, "offset");
			tr_jw_uint(w, loc.offset);
		}
		if (loc.file && loc.line) {
			tr_jw_key(w, "file");
			tr_jw_cstr(w, loc.file);
			tr_jw_key(w, "line");
			tr_jw_uint(w, loc.line);
		}
	}
	tr_jw_obj_end(w);
}

static int
dis_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
       void *arg)
{
	struct dis_ctx *c = arg;
	struct tr_jw *w = &c->x->w;
	struct tr_disasm *d;
	uint8_t *buf;
	size_t len, done = 0, pos = 0;
	uint64_t n = 0;
	int err;

	(void)u;
	c->di = di;
	if (c->name) {
		struct tr_sym s;

		if (tr_symtab_lookup(tr_debuginfo_symtab(di), c->name, &s)) {
			c->error = "No symbol";
			return -TR_ENOENT;
		}
		c->whole = true;
		c->addr = s.addr;
	}
	if (c->whole && (err = function_range(c, c->addr)))
		return err;
	if (!c->by_count && c->end <= c->addr)
		c->end = c->addr;
	len = c->by_count ? c->count * INSN_MAX : c->end - c->addr + INSN_MAX;
	if (!(buf = malloc(len ? len : 1)))
		return -TR_ENOMEM;
	err = tr_mem_read(t, c->addr, buf, len, &done);
	/* x/Ni shows what it could read, then gdb's memory error */
	if (err && !done && !c->by_count && c->end > c->addr) {
		free(buf);
		c->error = "Cannot access memory";
		return err;
	}
	if ((err = tr_disasm_new(&d))) {
		free(buf);
		return err;
	}
	srv_begin(c->x);
	tr_jw_obj_begin(w);
	tr_jw_key(w, "function");
	if (c->func[0])
		tr_jw_cstr(w, c->func);
	else
		tr_jw_null(w);
	tr_jw_key(w, "start");
	tr_jw_uint(w, c->addr);
	if (!c->by_count) {
		tr_jw_key(w, "end");
		tr_jw_uint(w, c->end);
	}
	tr_jw_key(w, "instructions");
	tr_jw_arr_begin(w);
	while (pos < done && (c->by_count ? n < c->count
					  : c->addr + pos < c->end)) {
		struct tr_dis_insn in;

		tr_disasm_one(d, buf + pos, done - pos, c->addr + pos,
			      tr_debuginfo_insn_symbol, di, &in);
		write_insn(c, w, &in, buf + pos);
		pos += in.len;
		n++;
	}
	tr_jw_arr_end(w);
	tr_jw_key(w, "complete");
	/* stopped short by memory that cannot be read */
	tr_jw_bool(w, c->by_count ? n == c->count : c->addr + pos >= c->end);
	tr_jw_obj_end(w);
	tr_disasm_free(d);
	free(buf);
	return 0;
}

int
srv_m_disassemble(struct srv_call *x)
{
	struct dis_ctx c = { .x = x };
	int r, err;

	c.name = srv_param_str(x, "function", false);
	if (x->replied)
		return 0;
	if (!c.name) {
		if (srv_param_u64(x, "addr", true, &c.addr))
			return 0;
		if ((r = srv_param_u64(x, "end", false, &c.end)) < 0)
			return 0;
		if ((err = srv_param_num(x, "count", false, MAX_COUNT,
					 &c.count)) < 0)
			return 0;
		if (r == 0 && err == 0)
			return srv_error(x, TR_RPC_INVALID_PARAMS,
					 "give \"end\" or \"count\", not both");
		c.by_count = err == 0;
		c.whole = r == 1 && err == 1;
		if (r == 0 && c.end < c.addr)
			return srv_error(x, TR_RPC_INVALID_PARAMS,
					 "\"end\" is below \"addr\"");
		if (r == 0 && c.end - c.addr > MAX_RANGE)
			return srv_error(x, TR_RPC_INVALID_PARAMS,
					 "a range of at most %u bytes",
					 MAX_RANGE);
	}
	err = tr_session_run(x->ss->s, dis_fn, &c);
	if (!err)
		return tr_rpc_end(&x->w);
	if (c.error && c.name && err == -TR_ENOENT)
		return srv_error(x, SRV_E_TARGET, "No symbol \"%s\" in current "
				 "context.", c.name);
	if (c.error && err == -TR_ENOENT)
		return srv_error(x, SRV_E_TARGET, "%s", c.error);
	if (c.error)
		return srv_error(x, SRV_E_MEMORY,
				 "Cannot access memory at address 0x%llx",
				 (unsigned long long)c.addr);
	return srv_lib_error(x, err, NULL);
}
