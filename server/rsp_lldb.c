/* rsp_lldb.c: the packets lldb sends that gdb does not. */
#include "rsp_int.h"

int
rsp_lldb_packet(struct rsp *r, const char *p, size_t len)
{
	(void)r;
	(void)p;
	(void)len;
	return 1;
}
