/* rerun.h: launch's "rerun": an earlier session's program launched again with its breakpoints, signal handling and substitute-path rules (gdb's run after an exit). */
#ifndef TR_SERVER_JSONRPC_RERUN_H
#define TR_SERVER_JSONRPC_RERUN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/call.h"

struct srv_rerun_bp {
	uint32_t id;
	char *spec, *cond;
	bool temporary, enabled, hardware;
	uint32_t ignore;
};

struct srv_rerun {
	struct srv_sess *old;  /* referenced */
	char **argv;           /* the program first; NULL-terminated */
	struct srv_rerun_bp *bps;
	size_t nbps;
	uint32_t bp_hi;        /* the earlier session's highest number */
	unsigned sigflags[65]; /* TR_SIG_* | 0x100 when read */
	struct tr_srcmap *srcmap;
	struct srv_display *displays; /* copies */
	uint32_t display_hi;
};

/* srv_rerun_take: what session `id` launched (the request's "args"
 * replace its arguments), its breakpoints, signal handling and rules,
 * copied; -1 after an error reply (no such session, running). On the
 * new session's worker. */
int srv_rerun_take(struct srv_call *x, uint64_t id, struct srv_rerun *r);
/* srv_rerun_apply: the new session (x->ss, launched) gets them, the
 * earlier one ends (its target killed if still there; its followers told
 * session_ended "killed"). */
void srv_rerun_apply(struct srv_call *x, struct srv_rerun *r);
void srv_rerun_free(struct srv_rerun *r);

#endif
