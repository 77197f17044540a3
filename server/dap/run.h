/* run.h: the DAP requests that start, run, stop and end the program, and the run thread that waits for its stops. */
#ifndef TR_SERVER_DAP_RUN_H
#define TR_SERVER_DAP_RUN_H

#include "dap/dap_int.h"

int dap_r_launch(struct dap *d, const struct dap_req *q);
int dap_r_attach(struct dap *d, const struct dap_req *q);
int dap_r_configurationDone(struct dap *d, const struct dap_req *q);
int dap_r_continue(struct dap *d, const struct dap_req *q);
int dap_r_next(struct dap *d, const struct dap_req *q);
int dap_r_stepIn(struct dap *d, const struct dap_req *q);
int dap_r_stepOut(struct dap *d, const struct dap_req *q);
int dap_r_pause(struct dap *d, const struct dap_req *q);
int dap_r_terminate(struct dap *d, const struct dap_req *q);
int dap_r_restart(struct dap *d, const struct dap_req *q);
int dap_r_disconnect(struct dap *d, const struct dap_req *q);

/* dap_end: the connection goes (its client left or disconnected): a
 * run stopped and waited for, the session's target killed (launched)
 * or detached (attached) unless terminate says otherwise, the output
 * thread stopped. Reader thread. */
void dap_end(struct dap *d, bool terminate, bool ask);

#endif
