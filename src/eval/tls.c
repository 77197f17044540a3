/* tls.c: addresses of thread-local variables through glibc's libthread_db, whose proc_service callbacks read the target through the tracer and find symbols in its modules. */
#include <proc_service.h>
#include <stdio.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/reg.h>
#include <sys/user.h>
#include <thread_db.h>

#include "base/error.h"
#include "symbols/debuginfo.h"
#include "symbols/symtab.h"
#include "eval/tls.h"
#include "target/tracer.h"

/*
 * libthread_db (glibc's nptl_db) knows glibc's private layouts (where a
 * thread's dtv is, what a link_map's l_tls_modid is) from the
 * _thread_db_* descriptors libc.so.6 exports, and asks us, through the
 * proc_service interface it calls by name (<proc_service.h>), for the
 * symbols, the memory and the registers of the process. The handle is
 * ours: a tracer and the module symbols of a stopped target.
 */
struct ps_prochandle {
	struct tr_tracer *t;
	struct tr_debuginfo *di;
	pid_t pid;
};

ps_err_e
ps_pglobal_lookup(struct ps_prochandle *ph, const char *object,
		  const char *name, psaddr_t *addr)
{
	struct tr_sym sym;

	/* object is libpthread's or libc's name: since glibc 2.34 they are
	 * one library, so any module's definition will do */
	(void)object;
	if (tr_symtab_lookup(tr_debuginfo_symtab(ph->di), name, &sym))
		return PS_NOSYM;
	*addr = (psaddr_t)(uintptr_t)sym.addr;
	return PS_OK;
}

ps_err_e
ps_pdread(struct ps_prochandle *ph, psaddr_t addr, void *buf, size_t len)
{
	size_t done = 0;

	if (tr_mem_read(ph->t, (uint64_t)(uintptr_t)addr, buf, len, &done) ||
	    done != len)
		return PS_ERR;
	return PS_OK;
}

ps_err_e
ps_pdwrite(struct ps_prochandle *ph, psaddr_t addr, const void *buf,
	   size_t len)
{
	size_t done = 0;

	if (tr_mem_write(ph->t, (uint64_t)(uintptr_t)addr, buf, len, &done) ||
	    done != len)
		return PS_ERR;
	return PS_OK;
}

/* An elf_gregset_t is struct user_regs_struct on x86-64 (<sys/user.h>,
 * <sys/procfs.h>: ELF_NGREG is its size in words). */
_Static_assert(sizeof(prgregset_t) == sizeof(struct user_regs_struct),
	       "prgregset_t is struct user_regs_struct");

ps_err_e
ps_lgetregs(struct ps_prochandle *ph, lwpid_t lwp, prgregset_t regs)
{
	struct user_regs_struct r;

	if (tr_regs_get(ph->t, lwp, &r))
		return PS_ERR;
	memcpy(regs, &r, sizeof(r));
	return PS_OK;
}

ps_err_e
ps_lsetregs(struct ps_prochandle *ph, lwpid_t lwp, const prgregset_t regs)
{
	struct user_regs_struct r;

	memcpy(&r, regs, sizeof(r));
	return tr_regs_set(ph->t, lwp, &r) ? PS_ERR : PS_OK;
}

ps_err_e
ps_lgetfpregs(struct ps_prochandle *ph, lwpid_t lwp, prfpregset_t *fp)
{
	struct user_fpregs_struct f;

	_Static_assert(sizeof(*fp) == sizeof(f), "prfpregset_t is FXSAVE");
	if (tr_fpregs_get(ph->t, lwp, &f))
		return PS_ERR;
	memcpy(fp, &f, sizeof(f));
	return PS_OK;
}

ps_err_e
ps_lsetfpregs(struct ps_prochandle *ph, lwpid_t lwp, const prfpregset_t *fp)
{
	struct user_fpregs_struct f;

	memcpy(&f, fp, sizeof(f));
	return tr_fpregs_set(ph->t, lwp, &f) ? PS_ERR : PS_OK;
}

pid_t
ps_getpid(struct ps_prochandle *ph)
{
	return ph->pid;
}

/* The thread pointer: fs_base on x86-64 (idx FS), gs_base for GS. */
ps_err_e
ps_get_thread_area(struct ps_prochandle *ph, lwpid_t lwp, int idx,
		   void **base)
{
	struct user_regs_struct r;

	if (tr_regs_get(ph->t, lwp, &r))
		return PS_ERR;
	if (idx == FS)
		*base = (void *)(uintptr_t)r.fs_base;
	else if (idx == GS)
		*base = (void *)(uintptr_t)r.gs_base;
	else
		return PS_BADADDR;
	return PS_OK;
}

static const char *
td_why(td_err_e e)
{
	switch (e) {
	case TD_NOLIBTHREAD:
		return "the program's C library is not loaded yet";
	case TD_VERSION:
		return "libthread_db does not match the program's C library";
	case TD_NOTALLOC:
		return "the thread-local storage of that module is not "
		       "allocated yet in this thread";
	case TD_NOTLS:
		return "that module has no thread-local storage";
	case TD_NOAPLIC:
		return "no thread-local storage there";
	case TD_NOTHR:
	case TD_NOLWP:
		return "no such thread";
	default:
		return "libthread_db could not find the address";
	}
}

int
tr_tls_address(struct tr_tracer *t, struct tr_debuginfo *di, pid_t tid,
	       uint64_t lm, uint64_t offset, uint64_t *addr, char *why,
	       size_t whylen)
{
	struct ps_prochandle ph = { .t = t, .di = di };
	struct tr_state st;
	td_thragent_t *ta = NULL;
	td_thrhandle_t th;
	psaddr_t a = 0;
	td_err_e e;

	if (tr_state_get(t, &st) || !st.pid || st.gone) {
		snprintf(why, whylen, "no process");
		return -TR_ESRCH;
	}
	ph.pid = st.pid;
	if (!tid)
		tid = st.current_tid ? st.current_tid : st.pid;
	if (lm == 0) {
		snprintf(why, whylen, "no link map given");
		return -TR_EINVAL;
	}
	/* one agent per question: the program may have loaded or unloaded
	 * libraries since the last one (td_init: once, it is idempotent) */
	td_init();
	if ((e = td_ta_new(&ph, &ta)) == TD_OK &&
	    (e = td_ta_map_lwp2thr(ta, tid, &th)) == TD_OK)
		e = td_thr_tls_get_addr(&th, (psaddr_t)(uintptr_t)lm,
					(size_t)offset, &a);
	if (ta)
		td_ta_delete(ta);
	if (e != TD_OK) {
		snprintf(why, whylen, "Cannot find thread-local storage for "
			 "thread %d: %s", (int)tid, td_why(e));
		return e == TD_ERR || e == TD_DBERR ? -TR_ESYS : -TR_ENOENT;
	}
	*addr = (uint64_t)(uintptr_t)a;
	return 0;
}

int
tr_tls_address_at(struct tr_tracer *t, struct tr_debuginfo *di, pid_t tid,
		  uint64_t bias, uint64_t offset, uint64_t *addr, char *why,
		  size_t whylen)
{
	struct tr_sym sym;
	uint64_t lm = 0, l[4];
	size_t done;

	/* struct r_debug { int r_version; struct link_map *r_map; ... } and
	 * struct link_map { l_addr, l_name, l_ld, l_next, ... } (<link.h>,
	 * the System V ABI's debugger interface) */
	if (tr_symtab_lookup(tr_debuginfo_symtab(di), "_r_debug", &sym) ||
	    tr_mem_read(t, sym.addr + 8, &lm, 8, &done) || done != 8) {
		snprintf(why, whylen, "no dynamic linker list (_r_debug)");
		return -TR_ENOENT;
	}
	for (int n = 0; lm && n < 4096; n++) {
		if (tr_mem_read(t, lm, l, sizeof(l), &done) ||
		    done != sizeof(l))
			break;
		if (l[0] == bias)
			return tr_tls_address(t, di, tid, lm, offset, addr, why,
					      whylen);
		lm = l[3];
	}
	snprintf(why, whylen, "no module loaded at %#llx in the dynamic "
		 "linker's list", (unsigned long long)bias);
	return -TR_ENOENT;
}
