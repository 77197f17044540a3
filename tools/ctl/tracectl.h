/* tracectl.h: what the files of tracectl share: its state, output helpers, calls to tracerd, commands. */
#ifndef TR_TOOLS_CTL_TRACECTL_H
#define TR_TOOLS_CTL_TRACECTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "client.h"
#include "json.h"
#include "json_write.h"

/*
 * Exit codes: 0 when every command succeeded, 1 when one failed (an
 * error reply, a lost connection), 2 for a bad command line.
 */

struct tc_state {
	struct tr_cl *cl;
	bool json;           /* print raw results and notifications */
	bool echo;           /* echo commands read from a pipe */
	bool failed;         /* some command failed */
	char last_func[256]; /* function of the last stop printed */
	unsigned frame;      /* the selected frame; every stop selects 0,
			      * as it does on the server */
	bool bp_pending;     /* set breakpoint pending on */
	uint32_t last_bp;    /* the breakpoint of the last stop (0: none),
			      * for continue N */
	uint32_t session;    /* the session set (launch, -S, session N) */
	uint32_t rerun_of;
	pid_t thread;        /* the thread selected by thread N (0: the
				current one) */
	bool frame_line_next; /* the next stop shows its frame line */
	bool display_due;
	bool killing;        /* kill runs: its own message, not the
				notifications' */    /* a stop was printed: show the displays */
	bool script;         /* commands come from a pipe (gdb: not
				from_tty) */   /* the session a run in progress replaces */
	volatile int sigint;
	bool in_readline;
};

/* The client's state (main.c). */
extern struct tc_state tc;

/* output.c: JSON results read, frames and stops printed as gdb prints
 * them */
const char *tc_jstr(const struct tr_json *o, const char *key);
/* gdb's name of a watchpoint of `kind` ("write", "read", "access"):
 * "Hardware watchpoint", "Hardware read watchpoint"... when it is in the
 * debug registers, else "Watchpoint", "Read watchpoint"... */
const char *tc_watch_title(const char *kind, bool hw);
uint64_t tc_jnum(const struct tr_json *o, const char *key);
const char *tc_str(const char *s);
bool tc_jbool(const struct tr_json *o, const char *key);
void tc_print_json(const struct tr_json *v);
const char *tc_base_name(const char *path);
void tc_print_frame_line(const struct tr_json *f, bool with_level, bool force_addr);
void tc_print_source(const struct tr_json *f);
void tc_print_stop(const struct tr_json *st);
void tc_on_notify(const char *method, const struct tr_json *params, void *arg);

/* calls.c: requests to tracerd */
char *tc_jparams(const char *fmt, ...);
int tc_call(const char *method, char *params, struct tr_cl_reply *r);
int tc_call_show(const char *method, char *params, struct tr_cl_reply *r);

/* commands.c: the gdb-like commands */
bool tc_run_command(char *line);
/* continue, step, next, stepi, finish...: the stop printed */
void tc_resume(const char *method, const char *arg);
void tc_cmd_break(const char *arg, bool temporary);

/* display.c: display, undisplay, info display */
void tc_display_flush(void);
void tc_cmd_display(const char *fmtarg, const char *expr);
void tc_cmd_undisplay(const char *arg);
void tc_cmd_info_display(void);
/* x/NFU ADDR */
void tc_cmd_x(const char *fmtarg, const char *expr);

/* frames.c: thread N, thread apply, frame/up/down */
void tc_cmd_thread(const char *arg);
void tc_cmd_thread_apply(const char *arg);
void tc_cmd_frame_rel(const char *arg, int dir);
void tc_cmd_info_frame(void);

/* running.c: run, start, until, advance, jump */
void tc_cmd_run(const char *args, bool start);
void tc_cmd_until(const char *arg, bool advance);
void tc_cmd_jump(const char *arg);

/* source.c: list, substitute-path */
void tc_list_center(const char *file, uint32_t line);
void tc_cmd_list(const char *arg);
void tc_cmd_substitute_path(const char *verb, const char *arg);

/* signals.c: handle, info signals, signal, continue N */
void tc_cmd_info_signals(const char *arg);
void tc_cmd_handle(char *arg);
void tc_cmd_signal(const char *arg);
bool tc_continue_count(const char *arg);

/* registers.c: info registers */
void tc_cmd_info_registers(const char *arg, bool all);

/* vregs.c: x87, SSE, AVX registers from `registers` with "all":
 * tc_vreg_print prints one by name (false: not one of them, or not
 * there), tc_vregs_print_all those info all-registers shows */
bool tc_vreg_print(const char *name, const struct tr_json *regs);
void tc_vregs_print_all(const struct tr_json *regs);

/* disasm.c: disassemble, x/Ni */
void tc_cmd_disassemble(const char *arg);
/* forks.c: set follow-fork-mode, set detach-on-fork, catch fork|vfork|exec
 * (and show them): true when cmd/arg was one of them, done */
bool tc_cmd_forks(const char *cmd, const char *arg);
void tc_cmd_x_insn(unsigned long count, const char *expr);
/* commands.c: an address expression's value through the server (0) */
int tc_eval_addr(const char *expr, uint64_t *addr);
/* symbols.c: info functions|variables|types|line|address|symbol|
 * sharedlibrary; false when `what` is none of them */
bool tc_cmd_info_symbols(const char *what, const char *rest);

/* terminal.c: the launched program's stdin, stdout and stderr */
void tc_term_init(bool interactive);
void tc_term_end(void);
/* the prompt is up (the main loop relays the program's output) or not */
void tc_term_prompt(bool up);
/* the pseudo-terminal's master while interactive, else -1 */
int tc_term_master_fd(void);
/* the program's pending output printed, and a newline after a line it
 * left unfinished: before tracectl prints */
void tc_term_sync(void);
/* around every request: a launch carries the descriptors, a run
 * request gives the program what is typed */
int tc_term_call_begin(const char *method, char **params);
void tc_term_call_end(const char *method);
/* run/start/launch: < > >> 2> 2>&1 taken out of the line */
void tc_term_parse_redirs(char *line);
/* tty, set inferior-tty, show inferior-tty: true when handled */
bool tc_term_command(const char *cmd, const char *arg);

/* prompt.c: completion, Enter repeating, help COMMAND */
void tc_prompt_init(void);
/* help COMMAND: its line and usage (false: no COMMAND given) */
bool tc_help_command(const char *arg);
/* the line an empty one repeats (NULL: none); every line read passes */
const char *tc_repeat_line(const char *line);

/* main.c */


#endif
