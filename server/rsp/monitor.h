/* monitor.h: monitor commands (qRcmd). */
#ifndef TR_SERVER_RSP_MONITOR_H
#define TR_SERVER_RSP_MONITOR_H

#include "rsp/rsp_int.h"

/* rsp_monitor: qRcmd,HEX: hex, the command; its output goes to the
 * client's console (O packets), then OK. */
int rsp_monitor(struct rsp *r, const char *hex);

#endif
