/* where.h: where an address is and what a stop was, as the JSON-RPC replies and notifications say it. */
#ifndef TR_SERVER_JSONRPC_WHERE_H
#define TR_SERVER_JSONRPC_WHERE_H

#include "core/sess.h"
#include "json_write.h"

/* srv_write_stop: ev (a stop, an exit, a kill) as the JSON object the
 * "stopped" notification and the run requests' replies carry, with the
 * frame it stopped in; w's sticky error. The session's worker (it asks
 * the session's threads where the stop is). */
int srv_write_stop(struct srv_sess *ss, struct tr_jw *w,
		   const struct tr_event *ev);

#endif
