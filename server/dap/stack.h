/* stack.h: the DAP requests about a stopped program: threads, stackTrace, scopes, variables (structured values), evaluate, setVariable, setExpression. */
#ifndef TR_SERVER_DAP_STACK_H
#define TR_SERVER_DAP_STACK_H

#include "dap/dap_int.h"

int dap_r_threads(struct dap *d, const struct dap_req *q);
int dap_r_stackTrace(struct dap *d, const struct dap_req *q);
int dap_r_scopes(struct dap *d, const struct dap_req *q);
int dap_r_variables(struct dap *d, const struct dap_req *q);
int dap_r_evaluate(struct dap *d, const struct dap_req *q);
int dap_r_setVariable(struct dap *d, const struct dap_req *q);
int dap_r_setExpression(struct dap *d, const struct dap_req *q);

#endif
