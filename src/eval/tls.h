/* tls.h: addresses of thread-local variables (__thread), found by glibc's libthread_db as gdb and gdbserver find them. */
#ifndef TR_EVAL_TLS_H
#define TR_EVAL_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tr_tracer;
struct tr_debuginfo;

/*
 * tr_tls_address: the address of the thread-local object at `offset` in
 * the TLS block of the module whose link_map (the dynamic linker's
 * struct link_map, as gdb's qGetTLSAddr names it) is at `lm`, for thread
 * `tid` (0: the thread of the last stop). The target is stopped; di's
 * symbols must be current (libc loaded). -TR_ENOENT with `why` filled
 * when there is no such block (no libc yet, a thread whose block is not
 * allocated yet, a module without TLS), -TR_EINVAL for a bad lm.
 */
int tr_tls_address(struct tr_tracer *t, struct tr_debuginfo *di, pid_t tid,
		   uint64_t lm, uint64_t offset, uint64_t *addr, char *why,
		   size_t whylen);

/*
 * tr_tls_address_at: the same for the module loaded at `bias` (its
 * link_map found in the dynamic linker's list, _r_debug.r_map, by its
 * l_addr): what DW_OP_form_tls_address needs.
 */
int tr_tls_address_at(struct tr_tracer *t, struct tr_debuginfo *di,
		      pid_t tid, uint64_t bias, uint64_t offset,
		      uint64_t *addr, char *why, size_t whylen);

#endif
