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

/* dap_child_expr: the expression of the variable `name` shown under r
 * (NULL: a frame's locals): the name itself for locals and arguments,
 * $name for registers, a structured value's child's own expression; false
 * (expr empty) when r has no such child. Under the target lock. Used by
 * setVariable and dataBreakpointInfo. */
bool dap_child_expr(struct dap *d, const struct dap_ref *r, const char *name,
		    char *expr, size_t len);

#endif
