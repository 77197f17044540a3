/* stop.h: stop replies. */
#ifndef TR_SERVER_RSP_STOP_H
#define TR_SERVER_RSP_STOP_H

#include "rsp/rsp_int.h"

/* rsp_send_stop: the stop reply of ev, which becomes r->stop: T with the
 * thread and every register, so that the client need not ask for them;
 * W or X for an exit (the target is then gone). */
int rsp_send_stop(struct rsp *r, const struct tr_event *ev);

#endif
