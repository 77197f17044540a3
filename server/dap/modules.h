/* modules.h: the program's modules and sources as DAP shows them: modules, loadedSources, source, module events and breakpoints verified when a library loads. */
#ifndef TR_SERVER_DAP_MODULES_H
#define TR_SERVER_DAP_MODULES_H

#include "dap/dap_int.h"

int dap_r_modules(struct dap *d, const struct dap_req *q);
int dap_r_loadedSources(struct dap *d, const struct dap_req *q);
int dap_r_source(struct dap *d, const struct dap_req *q);

/* dap_modules_changed: after a stop (the run thread, under target_mu):
 * module events for the modules mapped and unmapped since the last
 * look, and breakpoint events for pending breakpoints that now have a
 * location. */
void dap_modules_changed(struct dap *d);

/* dap_modules_free: forget the modules seen. */
void dap_modules_free(struct dap *d);

#endif
