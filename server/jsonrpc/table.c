/* table.c: the JSON-RPC front end's table of methods, with the flags that tell the core where and when each runs (proto/PROTOCOL.md documents them). */
#include <string.h>

#include "core/call.h"
#include "jsonrpc/breakpoints.h"
#include "jsonrpc/watch.h"
#include "jsonrpc/data.h"
#include "jsonrpc/disasm.h"
#include "jsonrpc/exec.h"
#include "jsonrpc/forks.h"
#include "jsonrpc/sessions.h"
#include "jsonrpc/display.h"
#include "jsonrpc/until.h"
#include "jsonrpc/frameinfo.h"
#include "jsonrpc/signals.h"
#include "jsonrpc/source.h"
#include "jsonrpc/stack.h"
#include "jsonrpc/symbols.h"
#include "jsonrpc/symsearch.h"
#include "jsonrpc/table.h"

#define STOPPED SRV_M_STOPPED
static const struct srv_method methods[] = {
	/* server */
	{ "version", SRV_M_SERVER, srv_m_version },
	{ "auth", SRV_M_SERVER, srv_m_auth },
	{ "sessions", SRV_M_SERVER, srv_m_sessions },
	{ "shutdown", SRV_M_SERVER, srv_m_shutdown },
	/* sessions */
	{ "launch", SRV_M_CREATES, srv_m_launch },
	{ "attach", SRV_M_CREATES, srv_m_attach },
	{ "detach", SRV_M_STOPS_FIRST, srv_m_detach },
	{ "kill", SRV_M_STOPS_FIRST, srv_m_kill },
	{ "state", SRV_M_NOW, srv_m_state },
	{ "follow", SRV_M_NOW, srv_m_follow },
	{ "unfollow", SRV_M_NOW, srv_m_unfollow },
	{ "stats", SRV_M_NOW, srv_m_stats },
	{ "interrupt", SRV_M_NOW, srv_m_interrupt },
	{ "fork_settings", STOPPED, srv_m_fork_settings },
	/* execution */
	{ "continue", STOPPED | SRV_M_RUNS, srv_m_continue },
	{ "step", STOPPED | SRV_M_RUNS, srv_m_step },
	{ "next", STOPPED | SRV_M_RUNS, srv_m_next },
	{ "finish", STOPPED | SRV_M_RUNS, srv_m_finish },
	{ "stepi", STOPPED | SRV_M_RUNS, srv_m_stepi },
	{ "until", STOPPED | SRV_M_RUNS, srv_m_until },
	{ "advance", STOPPED | SRV_M_RUNS, srv_m_advance },
	{ "jump", STOPPED | SRV_M_RUNS, srv_m_jump },
	/* threads, registers, memory */
	{ "threads", STOPPED, srv_m_threads },
	{ "registers", STOPPED, srv_m_registers },
	{ "set_register", STOPPED, srv_m_set_register },
	{ "read_memory", STOPPED, srv_m_read_memory },
	{ "write_memory", STOPPED, srv_m_write_memory },
	{ "examined", STOPPED, srv_m_examined },
	{ "disassemble", STOPPED, srv_m_disassemble },
	/* breakpoints */
	{ "break", STOPPED, srv_m_break },
	{ "delete", STOPPED, srv_m_delete },
	{ "enable", STOPPED, srv_m_enable },
	{ "condition", STOPPED, srv_m_condition },
	{ "ignore", STOPPED, srv_m_ignore },
	{ "breakpoints", STOPPED, srv_m_breakpoints },
	{ "watch", STOPPED, srv_m_watch },
	{ "watchpoints", STOPPED, srv_m_watchpoints },
	/* stack */
	{ "backtrace", STOPPED, srv_m_backtrace },
	{ "frame", STOPPED, srv_m_frame },
	{ "frame_info", STOPPED, srv_m_frame_info },
	{ "locals", STOPPED, srv_m_locals },
	{ "args", STOPPED, srv_m_args },
	/* evaluation */
	{ "eval", STOPPED, srv_m_eval },
	{ "tree", STOPPED, srv_m_tree },
	{ "whatis", STOPPED, srv_m_whatis },
	{ "ptype", STOPPED, srv_m_ptype },
	/* symbols */
	{ "lookup_symbol", STOPPED, srv_m_lookup_symbol },
	{ "symbol_at", STOPPED, srv_m_symbol_at },
	{ "functions", STOPPED, srv_m_functions },
	{ "symbol_search", STOPPED, srv_m_symbol_search },
	{ "line_info", STOPPED, srv_m_line_info },
	{ "shared_libraries", STOPPED, srv_m_shared_libraries },
	/* auto-display expressions */
	{ "display", STOPPED, srv_m_display },
	{ "undisplay", STOPPED, srv_m_undisplay },
	{ "displays", STOPPED, srv_m_displays },
	/* signals */
	{ "handle", STOPPED, srv_m_handle },
	{ "signals", STOPPED, srv_m_signals },
	/* source files */
	{ "source", STOPPED, srv_m_source },
	{ "substitute_path", STOPPED, srv_m_substitute_path },
};

const struct srv_method *
srv_method_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == len &&
		    !memcmp(methods[i].name, name, len))
			return &methods[i];
	return NULL;
}
