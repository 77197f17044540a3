/* disasm.h: the DAP disassemble request. */
#ifndef TR_SERVER_DAP_DISASM_H
#define TR_SERVER_DAP_DISASM_H

#include "dap/dap_int.h"

int dap_r_disassemble(struct dap *d, const struct dap_req *q);

#endif
