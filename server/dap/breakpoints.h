/* breakpoints.h: DAP breakpoints: source, function and instruction breakpoints, conditions, hit conditions, logpoints, and the signals that stop as exceptions. */
#ifndef TR_SERVER_DAP_BREAKPOINTS_H
#define TR_SERVER_DAP_BREAKPOINTS_H

#include "dap/dap_int.h"
#include "target/event.h"

int dap_r_setBreakpoints(struct dap *d, const struct dap_req *q);
int dap_r_setFunctionBreakpoints(struct dap *d, const struct dap_req *q);
int dap_r_setInstructionBreakpoints(struct dap *d, const struct dap_req *q);
int dap_r_setExceptionBreakpoints(struct dap *d, const struct dap_req *q);
int dap_r_dataBreakpointInfo(struct dap *d, const struct dap_req *q);
int dap_r_setDataBreakpoints(struct dap *d, const struct dap_req *q);

/* dap_exception_filters: the filters initialize advertises, written
 * with w (an array); dap_exception_defaults sets their defaults. */
void dap_exception_filters(struct tr_jw *w);
void dap_exception_defaults(struct dap *d);

/* dap_bp_hit: breakpoint ev->bpnum was hit (its condition held): 1 if
 * the client is to hear of it (*reason for the stopped event), 0 if the
 * run goes on: a logpoint (its message sent as output) or a hit
 * condition not met. The run thread, under target_mu. */
int dap_bp_hit(struct dap *d, const struct tr_event *ev, const char **reason);

/* dap_bps_clear: delete the client's breakpoints from the target (before
 * a detach); dap_bps_free: forget them. Under target_mu / any time. */
void dap_bps_clear(struct dap *d);
/* dap_bps_verify: breakpoint events for pending breakpoints that have a
 * location now. Under target_mu. */
void dap_bps_verify(struct dap *d);
/* dap_bps_remake: the client's breakpoints made again in a new session
 * (restart); data breakpoints are dropped. Under target_mu. */
void dap_bps_remake(struct dap *d);
void dap_bps_free(struct dap *d);

#endif
