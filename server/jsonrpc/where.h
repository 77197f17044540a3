/* where.h: where an address is and what a stop was, as the JSON-RPC replies and notifications say it. */
#ifndef TR_SERVER_JSONRPC_WHERE_H
#define TR_SERVER_JSONRPC_WHERE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "control/backtrace.h"
#include "core/sess.h"
#include "symbols/debuginfo.h"
#include "json_write.h"

/* Where an address is, with what the replies show of it. */
struct srv_where {
	uint64_t pc;
	pid_t tid;
	bool with_frame;      /* backtrace frame 0 (function args) */
	struct tr_location loc;
	char func[256];
	char inlined[256];    /* the innermost call inlined at pc, or "" */
	char file[512];
	char module[256];
	struct tr_bt_frame fr;
	bool have_fr;
	char source[512];
};

/* srv_where_get: where pc is in ss's target, and the source line there
 * when the file is here; with frame, the innermost frame of thread tid
 * too (its arguments). The session's worker, target stopped. */
void srv_where_get(struct srv_sess *ss, uint64_t pc, pid_t tid, bool frame,
		   struct srv_where *w);
/* srv_write_where: pc, function, offset, file, line, module, source as
 * members of the object w is in. */
void srv_write_where(struct tr_jw *w, const struct srv_where *wh);
/* srv_write_args: the "args" member: f's arguments, names and values. */
void srv_write_args(struct tr_jw *w, const struct tr_bt_frame *f);
/* srv_opt_str: member key with string s, or null when s is NULL or "". */
void srv_opt_str(struct tr_jw *w, const char *key, const char *s);
/* srv_source_line: the text of line `line` of `file` into out ("" when
 * the file is not here), read through ss's substitute-path rules. The
 * session's worker. */
void srv_source_line(struct srv_sess *ss, const char *file, uint32_t line,
		     char *out, size_t len);

/* srv_write_stop: ev (a stop, an exit, a kill) as the JSON object the
 * "stopped" notification and the run requests' replies carry, with the
 * frame it stopped in; w's sticky error. The session's worker (it asks
 * the session's threads where the stop is). */
int srv_write_stop(struct srv_sess *ss, struct tr_jw *w,
		   const struct tr_event *ev);

#endif
