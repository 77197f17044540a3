/* regs.h: the registers as gdb numbers them: the target description, the register cache, and the g, G, p, P packets. */
#ifndef TR_SERVER_RSP_REGS_H
#define TR_SERVER_RSP_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rsp/rsp_int.h"

/* rsp_target_xml: the target description (qXfer:features:read:
 * target.xml), NUL-terminated, malloc'd; NULL without memory. */
char *rsp_target_xml(void);

/* The registers of the description, in the order of `g` and of their
 * numbers for `p`: how many, and the name, size in bytes and value
 * (little-endian, into buf of 16 bytes) of register n. */
size_t rsp_nregs(void);
const char *rsp_reg_name(size_t n);
size_t rsp_reg_size(size_t n);
void rsp_reg_value(const struct rsp_regset *rs, size_t n, unsigned char *buf);

/* rsp_regs: the registers of tid (0: rsp_gtid), from the cache (read
 * once per stop); the FXSAVE area too when want_fp. The session's
 * target_mu held. */
int rsp_regs(struct rsp *r, pid_t tid, bool want_fp,
	     const struct rsp_regset **out);
/* rsp_regs_forget: drop the register cache (the registers may have
 * changed: a resume, a call run in the target). */
void rsp_regs_forget(struct rsp *r);

/* The packets: g, G (p: its payload), p and P (write). */
int rsp_g_packet(struct rsp *r);
int rsp_G_packet(struct rsp *r, const char *p, size_t plen);
int rsp_p_packet(struct rsp *r, const char *p, bool write);

#endif
