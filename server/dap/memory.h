/* memory.h: the DAP requests on the program's memory: readMemory and writeMemory (base64). */
#ifndef TR_SERVER_DAP_MEMORY_H
#define TR_SERVER_DAP_MEMORY_H

#include "dap/dap_int.h"

int dap_r_readMemory(struct dap *d, const struct dap_req *q);
int dap_r_writeMemory(struct dap *d, const struct dap_req *q);

#endif
