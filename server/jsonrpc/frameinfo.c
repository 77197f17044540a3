/* frameinfo.c: the JSON-RPC method frame_info: what gdb's info frame shows of a frame: its CFA ("frame at"), its caller's and callee's, the return address, the frame base, where it saved its caller's registers (the CFI's rules, symbols/unwind.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#include "control/backtrace.h"
#include "core/call.h"
#include "core/sess.h"
#include "base/error.h"
#include "jsonrpc/frameinfo.h"
#include "jsonrpc/request.h"
#include "symbols/unwind.h"
#include "target/tracer.h"

#define FI_MAX 4096

struct fi {
	pid_t tid;
	unsigned level;
	struct tr_frame *fr;
	size_t nf, phys;
};

static int
fi_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
      void *arg)
{
	struct fi *f = arg;
	struct user_regs_struct regs;
	unsigned inl = 0;
	int err;

	if (!f->tid) {
		struct tr_state st;

		err = tr_state_get(t, &st);
		if (err)
			return err;
		f->tid = st.current_tid;
	}
	err = tr_regs_get(t, f->tid, &regs);
	if (err)
		return err;
	tr_debuginfo_refresh(di, NULL);
	err = tr_backtrace(u, &regs, tr_mem_read_cb, t, f->fr, FI_MAX, &f->nf);
	if (err < 0 && err != -TR_ERANGE && !f->nf)
		return err;
	if (tr_unwind_frame_level(di, f->fr, f->nf,
				  f->level + tr_inline_hidden(t, di, f->tid,
							      regs.rip),
				  &f->phys, &inl))
		return -TR_ERANGE;
	return 0;
}

int
srv_m_frame_info(struct srv_call *x)
{
	/* gdb's register order: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip */
	static const struct {
		const char *name;
		unsigned reg;
	} order[] = {
		{ "rax", TR_UREG_RAX }, { "rbx", TR_UREG_RBX },
		{ "rcx", TR_UREG_RCX }, { "rdx", TR_UREG_RDX },
		{ "rsi", TR_UREG_RSI }, { "rdi", TR_UREG_RDI },
		{ "rbp", TR_UREG_RBP }, { "rsp", TR_UREG_RSP },
		{ "r8", 8 }, { "r9", 9 }, { "r10", 10 }, { "r11", 11 },
		{ "r12", 12 }, { "r13", 13 }, { "r14", 14 }, { "r15", 15 },
		{ "rip", TR_UREG_RA },
	};
	struct fi f = { 0 };
	uint64_t level;
	const struct tr_frame *fr;
	int rc, err;

	if (srv_target_exited(x) || srv_param_thread(x, &f.tid, &f.level))
		return 0;
	rc = srv_param_num(x, "level", false, FI_MAX - 1, &level);
	if (rc < 0)
		return 0;
	if (rc == 0)
		f.level = (unsigned)level;
	f.fr = calloc(FI_MAX, sizeof(*f.fr));
	if (!f.fr)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	err = tr_session_run(x->ss->s, fi_fn, &f);
	if (err == -TR_ERANGE) {
		free(f.fr);
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "No frame at level %u.", f.level);
	}
	if (err) {
		free(f.fr);
		return srv_lib_error(x, err, NULL);
	}
	fr = &f.fr[f.phys];
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "level");
	tr_jw_uint(&x->w, f.level);
	tr_jw_key(&x->w, "pc");
	tr_jw_uint(&x->w, fr->pc);
	tr_jw_key(&x->w, "cfa");
	tr_jw_uint(&x->w, fr->cfa);
	if (f.phys + 1 < f.nf) {
		tr_jw_key(&x->w, "saved_pc");
		tr_jw_uint(&x->w, f.fr[f.phys + 1].pc);
		if (f.fr[f.phys + 1].cfa) {
			tr_jw_key(&x->w, "caller_cfa");
			tr_jw_uint(&x->w, f.fr[f.phys + 1].cfa);
		}
	}
	if (f.phys > 0) {
		tr_jw_key(&x->w, "callee_cfa");
		tr_jw_uint(&x->w, f.fr[f.phys - 1].cfa);
	}
	/* the frame base: rbp where the frame keeps it (gdb's amd64 base:
	 * "Arglist at", "Locals at"), else CFA - 16 */
	tr_jw_key(&x->w, "base");
	tr_jw_uint(&x->w, (fr->valid >> TR_UREG_RBP) & 1
				  ? fr->regs[TR_UREG_RBP]
				  : fr->cfa - 16);
	tr_jw_key(&x->w, "saved");
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!fr->saved_at[order[i].reg])
			continue;
		tr_jw_obj_begin(&x->w);
		tr_jw_key(&x->w, "register");
		tr_jw_cstr(&x->w, order[i].name);
		tr_jw_key(&x->w, "addr");
		tr_jw_uint(&x->w, fr->saved_at[order[i].reg]);
		tr_jw_obj_end(&x->w);
	}
	tr_jw_arr_end(&x->w);
	tr_jw_obj_end(&x->w);
	free(f.fr);
	return tr_rpc_end(&x->w);
}
