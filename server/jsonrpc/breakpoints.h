/* breakpoints.h: the JSON-RPC methods on user breakpoints. */
#ifndef TR_SERVER_JSONRPC_BREAKPOINTS_H
#define TR_SERVER_JSONRPC_BREAKPOINTS_H

#include "core/call.h"

/* Methods of the table (table.c), run as its flags say; each replies to
 * x. proto/PROTOCOL.md documents their params and results. */
int srv_m_break(struct srv_call *x);
int srv_m_delete(struct srv_call *x);
int srv_m_enable(struct srv_call *x);
int srv_m_condition(struct srv_call *x);
int srv_m_ignore(struct srv_call *x);
int srv_m_breakpoints(struct srv_call *x);

/* srv_bp_location_number: which of breakpoint id's locations addr is,
 * numbered from 1 in address order as gdb numbers them (its N.M); 0 when
 * the breakpoint has one location or none at addr. */
unsigned srv_bp_location_number(struct srv_sess *ss, uint32_t id,
				uint64_t addr);

#endif
