/* data.c: the JSON-RPC methods on the target's data: threads, registers and memory. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#include "base64.h"
#include "core/call.h"
#include "core/sess.h"
#include "symbols/debuginfo.h"
#include "jsonrpc/data.h"
#include "jsonrpc/request.h"
#include "jsonrpc/where.h"
#include "target/vregs.h"

#define MAX_READ (256u << 20)  /* one read_memory request */

/* What `threads` lists: [start, start + count) of the target's threads,
 * each with its pc and function (read on the session's worker thread). */
struct threads_ctx {
	uint64_t start, count;
	pid_t *tids;     /* every thread (tr_threads_all) */
	size_t n;        /* how many */
	size_t lo, hi;   /* the page: tids[lo, hi) */
	uint64_t *pc;    /* of each thread of the page, 0: unreadable */
	char (*func)[96];
};

/* The pcs of the page, on the tracer thread: one dispatch for the page
 * rather than one a thread. */
static int
page_pcs(struct tr_tracer *t, void *arg)
{
	struct threads_ctx *tc = arg;

	for (size_t i = tc->lo; i < tc->hi; i++) {
		struct user_regs_struct regs;

		if (tr_direct_regs_get(t, tc->tids[i], &regs) == 0)
			tc->pc[i - tc->lo] = regs.rip;
	}
	return 0;
}

static int
threads_fn(struct tr_tracer *t, struct tr_debuginfo *di,
	   struct tr_unwinder *u, void *arg)
{
	struct threads_ctx *tc = arg;
	int err = tr_threads_all(t, &tc->tids, &tc->n);

	(void)u;
	if (err)
		return err;
	tc->lo = tc->start < tc->n ? (size_t)tc->start : tc->n;
	tc->hi = tc->n - tc->lo < tc->count ? tc->n : tc->lo + tc->count;
	tc->pc = calloc(tc->hi - tc->lo + 1, sizeof(*tc->pc));
	tc->func = calloc(tc->hi - tc->lo + 1, sizeof(*tc->func));
	if (!tc->pc || !tc->func)
		return -TR_ENOMEM;
	err = tr_call(t, page_pcs, tc);
	if (err)
		return err;
	for (size_t i = tc->lo; i < tc->hi; i++) {
		struct tr_location loc;
		uint64_t pc = tc->pc[i - tc->lo];

		if (pc && tr_debuginfo_describe(di, pc, &loc) == 0 &&
		    loc.function)
			snprintf(tc->func[i - tc->lo], sizeof(tc->func[0]),
				 "%s", loc.function);
	}
	return 0;
}

static void
threads_ctx_free(struct threads_ctx *tc)
{
	free(tc->tids);
	free(tc->pc);
	free(tc->func);
}

/*
 * threads: every thread, or the page of `count` threads from position
 * `start` (0: the first) of the list in its stable order, for clients
 * that page: a page shorter than `count` is the last one.
 */
int
srv_m_threads(struct srv_call *x)
{
	struct threads_ctx tc = { .count = UINT64_MAX };
	struct tr_event last;
	int err;

	if (srv_param_num(x, "start", false, INT32_MAX, &tc.start) < 0 ||
	    srv_param_num(x, "count", false, UINT64_MAX, &tc.count) < 0)
		return 0;
	if (tc.count == 0)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"count\" must be at least 1");
	if (srv_target_exited(x))
		return 0;
	err = tr_session_run(x->ss->s, threads_fn, &tc);
	if (err) {
		threads_ctx_free(&tc);
		return srv_lib_error(x, err, NULL);
	}
	pthread_mutex_lock(&x->ss->mu);
	last = x->ss->last;
	pthread_mutex_unlock(&x->ss->mu);
	srv_begin(x);
	tr_jw_arr_begin(&x->w);
	for (size_t i = tc.lo; i < tc.hi; i++) {
		tr_jw_obj_begin(&x->w);
		tr_jw_key(&x->w, "thread");
		tr_jw_int(&x->w, tc.tids[i]);
		tr_jw_key(&x->w, "current");
		tr_jw_bool(&x->w, tc.tids[i] == last.tid);
		tr_jw_key(&x->w, "pc");
		tr_jw_uint(&x->w, tc.pc[i - tc.lo]);
		srv_opt_str(&x->w, "function", tc.func[i - tc.lo]);
		tr_jw_obj_end(&x->w);
	}
	tr_jw_arr_end(&x->w);
	threads_ctx_free(&tc);
	return tr_rpc_end(&x->w);
}

#define REG(n) { #n, offsetof(struct user_regs_struct, n) }
static const struct {
	const char *name;
	size_t off;
} regs_tab[] = {
	REG(rax), REG(rbx), REG(rcx), REG(rdx), REG(rsi), REG(rdi),
	REG(rbp), REG(rsp), REG(r8), REG(r9), REG(r10), REG(r11),
	REG(r12), REG(r13), REG(r14), REG(r15), REG(rip), REG(eflags),
	REG(cs), REG(ss), REG(ds), REG(es), REG(fs), REG(gs),
	REG(fs_base), REG(gs_base), REG(orig_rax),
};
#undef REG

/* hex of n little-endian bytes, most significant first: "0x00ff..." */
static void
hex_le(struct tr_jw *w, const char *key, const uint8_t *b, size_t n)
{
	char s[2 + 64 + 1] = "0x";

	for (size_t i = 0; i < n && i < 32; i++)
		snprintf(s + 2 + 2 * i, 3, "%02x", b[n - 1 - i]);
	tr_jw_key(w, key);
	tr_jw_cstr(w, s);
}

/* The x87, SSE and AVX registers as `registers` with "all" gives them. */
static void
srv_write_vregs(struct tr_jw *w, const struct tr_vregs *v)
{
	const struct {
		const char *name;
		uint32_t val;
	} ctl[] = { { "fctrl", v->fctrl }, { "fstat", v->fstat },
		    { "ftag", v->ftag },   { "fiseg", v->fiseg },
		    { "fioff", v->fioff }, { "foseg", v->foseg },
		    { "fooff", v->fooff }, { "fop", v->fop },
		    { "mxcsr", v->mxcsr } };
	char name[8];

	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "st%d", i);
		hex_le(w, name, v->st[i], 10);
	}
	for (size_t i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
		tr_jw_key(w, ctl[i].name);
		tr_jw_uint(w, ctl[i].val);
	}
	if (v->has_pkru) {
		tr_jw_key(w, "pkru");
		tr_jw_uint(w, v->pkru);
	}
	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "xmm%d", i);
		hex_le(w, name, v->xmm[i], 16);
	}
	for (int i = 0; v->has_avx && i < 16; i++) {
		uint8_t y[32];

		memcpy(y, v->xmm[i], 16);
		memcpy(y + 16, v->ymmh[i], 16);
		snprintf(name, sizeof(name), "ymm%d", i);
		hex_le(w, name, y, 32);
	}
}

int
srv_m_registers(struct srv_call *x)
{
	struct user_regs_struct r;
	pid_t tid;
	int err;

	struct tr_vregs vr;
	bool all = false;

	if (srv_param_thread(x, &tid, NULL) ||
	    srv_param_bool(x, "all", &all) < 0)
		return 0;
	if ((err = tr_regs_get(x->ss->t, tid, &r)))
		return srv_lib_error(x, err, NULL);
	if (all && (err = tr_vregs_get(x->ss->t, tid, &vr)))
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	for (size_t i = 0; i < sizeof(regs_tab) / sizeof(regs_tab[0]); i++) {
		uint64_t v;

		memcpy(&v, (char *)&r + regs_tab[i].off, sizeof(v));
		tr_jw_key(&x->w, regs_tab[i].name);
		tr_jw_uint(&x->w, v);
	}
	if (all)
		srv_write_vregs(&x->w, &vr);
	return tr_rpc_end(&x->w);
}

int
srv_m_set_register(struct srv_call *x)
{
	const char *name = srv_param_str(x, "name", true);
	const struct tr_json *vj = srv_param_get(x, "value");
	struct user_regs_struct r;
	uint64_t v;
	int64_t sv;
	pid_t tid;
	int err;

	if (!name)
		return 0;
	if (!vj || (tr_json_uint64(vj, &v) && tr_json_int64(vj, &sv)))
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"value\" must be an integer");
	if (tr_json_uint64(vj, &v))
		v = (uint64_t)sv;
	if (srv_param_thread(x, &tid, NULL))
		return 0;
	for (size_t i = 0; i < sizeof(regs_tab) / sizeof(regs_tab[0]); i++) {
		if (strcmp(regs_tab[i].name, name))
			continue;
		if ((err = tr_regs_get(x->ss->t, tid, &r)))
			return srv_lib_error(x, err, NULL);
		memcpy((char *)&r + regs_tab[i].off, &v, sizeof(v));
		if ((err = tr_regs_set(x->ss->t, tid, &r)))
			return srv_lib_error(x, err, NULL);
		srv_begin(x);
		tr_jw_uint(&x->w, v);
		return tr_rpc_end(&x->w);
	}
	return srv_error(x, TR_RPC_INVALID_PARAMS, "no register \"%s\"", name);
}

#define BIN_HEADER_ROOM 192

int
srv_m_read_memory(struct srv_call *x)
{
	const char *enc = srv_param_str(x, "encoding", false);
	bool binary = enc && !strcmp(enc, "binary");
	uint64_t addr, len;
	size_t done = 0;
	char *data;
	int err;

	if (x->replied || srv_param_u64(x, "addr", true, &addr) ||
	    srv_param_num(x, "length", true, MAX_READ, &len) < 0)
		return 0;
	if (enc && !binary && strcmp(enc, "base64"))
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"encoding\" must be \"base64\" or "
				 "\"binary\"");
	if (binary) {
		/* The bytes go into the reply buffer where they will be sent
		 * from, after room for the JSON line. */
		char head[BIN_HEADER_ROOM];
		int hl;

		if (tr_buf_reserve(x->out, BIN_HEADER_ROOM + len))
			return srv_error(x, TR_RPC_INTERNAL_ERROR,
					 "out of memory");
		data = x->out->data + BIN_HEADER_ROOM;
		err = len ? tr_mem_read(x->ss->t, addr, data, len, &done) : 0;
		if (err && !done)
			return srv_error(x, SRV_E_MEMORY,
					 "Cannot access memory at address "
					 "0x%llx", (unsigned long long)addr);
		hl = snprintf(head, sizeof(head),
			      "{\"jsonrpc\":\"2.0\",\"id\":");
		{
			/* the id as the client sent it */
			struct tr_buf idb;
			struct tr_jw iw;

			tr_buf_init(&idb);
			tr_jw_init(&iw, &idb);
			if (x->req->id)
				tr_jw_value(&iw, x->req->id);
			else
				tr_jw_null(&iw);
			if (tr_jw_error(&iw) || idb.len > 64) {
				tr_buf_free(&idb);
				return srv_error(x, TR_RPC_INVALID_REQUEST,
						 "id too long for a binary "
						 "reply");
			}
			hl += snprintf(head + hl, sizeof(head) - (size_t)hl,
				       "%.*s", (int)idb.len, idb.data);
			tr_buf_free(&idb);
		}
		hl += snprintf(head + hl, sizeof(head) - (size_t)hl,
			       ",\"result\":{\"addr\":%llu,\"length\":%zu,"
			       "\"encoding\":\"binary\"}}\n",
			       (unsigned long long)addr, done);
		x->out->len = BIN_HEADER_ROOM + done;
		return srv_reply_binary(x, BIN_HEADER_ROOM, head, (size_t)hl);
	}
	data = malloc(len ? len : 1);
	if (!data)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	err = len ? tr_mem_read(x->ss->t, addr, data, len, &done) : 0;
	if (err && !done) {
		free(data);
		return srv_error(x, SRV_E_MEMORY,
				 "Cannot access memory at address 0x%llx",
				 (unsigned long long)addr);
	}
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "addr");
	tr_jw_uint(&x->w, addr);
	tr_jw_key(&x->w, "length");
	tr_jw_uint(&x->w, done);
	tr_jw_key(&x->w, "data");
	tr_jw_base64(&x->w, data, done);
	free(data);
	return tr_rpc_end(&x->w);
}

int
srv_m_write_memory(struct srv_call *x)
{
	const struct tr_json *d = srv_param_get(x, "data");
	const char *s;
	size_t sl, n = 0, done = 0;
	uint64_t addr;
	char *bytes;
	int err;

	if (srv_param_u64(x, "addr", true, &addr))
		return 0;
	if (!d || !(s = tr_json_str(d, &sl)))
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"data\" must be a base64 string");
	bytes = malloc(TR_BASE64_DECODED_MAX(sl) + 1);
	if (!bytes)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	if (tr_base64_decode(s, sl, bytes, &n)) {
		free(bytes);
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"data\" is not canonical base64");
	}
	err = n ? tr_mem_write(x->ss->t, addr, bytes, n, &done) : 0;
	free(bytes);
	if (err && !done)
		return srv_error(x, SRV_E_MEMORY,
				 "Cannot access memory at address 0x%llx",
				 (unsigned long long)addr);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "written");
	tr_jw_uint(&x->w, done);
	return tr_rpc_end(&x->w);
}

/* examined: what tracectl's x examined last, for gdb's $_ and $__. */
int
srv_m_examined(struct srv_call *x)
{
	uint64_t addr, unit;
	bool value = true;
	int err;

	if (srv_target_exited(x) || srv_param_u64(x, "addr", true, &addr) ||
	    srv_param_num(x, "unit", true, 8, &unit) < 0 ||
	    srv_param_bool(x, "value", &value) < 0)
		return 0;
	if (unit != 1 && unit != 2 && unit != 4 && unit != 8)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"unit\" must be 1, 2, 4 or 8");
	err = tr_session_examined(x->ss->s, addr, (unsigned)unit, value);
	if (err)
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	return tr_rpc_end(&x->w);
}
