/* display.h: the JSON-RPC methods on the session's auto-display expressions (gdb's display, undisplay, info display): kept by the session, shown by clients at each stop. */
#ifndef TR_SERVER_JSONRPC_DISPLAY_H
#define TR_SERVER_JSONRPC_DISPLAY_H

#include "core/call.h"

int srv_m_display(struct srv_call *x);
int srv_m_undisplay(struct srv_call *x);
int srv_m_displays(struct srv_call *x);

#endif
