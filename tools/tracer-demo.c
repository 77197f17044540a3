/* tracer-demo.c: the main job until the daemon exists: debug the demo program through the library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backtrace.h"
#include "breakpoint.h"
#include "debuginfo.h"
#include "scope.h"
#include "stepping.h"
#include "tracer.h"
#include "unwind.h"

#define PEEKS 20000

static void
die(const char *what, int err)
{
	fprintf(stderr, "tracer-demo: %s: %s\n", what, tr_strerror(err));
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct direct_arg {
	uint64_t addr;
	uint64_t *lat;
};

static int
direct_peeks(struct tr_tracer *t, void *p)
{
	struct direct_arg *a = p;
	uint64_t v;

	for (int i = 0; i < PEEKS; i++) {
		uint64_t t0 = now_ns();
		int err = tr_direct_peek(t, 0, a->addr, &v);

		if (err)
			return err;
		a->lat[i] = now_ns() - t0;
	}
	return 0;
}

static void
print_bt(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u)
{
	struct tr_bt_frame f[16];
	size_t n = 0;

	if (tr_backtrace_thread(t, di, u, 0, f, 16, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		printf("  #%zu  %#lx in %s (", i, (unsigned long)f[i].pc,
		       f[i].function ? f[i].function : "??");
		for (size_t k = 0; k < f[i].nargs; k++)
			printf("%s%s=%s", k ? ", " : "", f[i].args[k].name,
			       f[i].args[k].value);
		if (f[i].file)
			printf(") at %s:%u\n", strrchr(f[i].file, '/') ?
			       strrchr(f[i].file, '/') + 1 : f[i].file,
			       f[i].line);
		else
			printf(") from %s\n", f[i].module ? f[i].module : "?");
	}
}

/* Write `val` into variable `name` of the innermost frame, through its
 * DWARF location (gdb's set var). */
static int
set_var(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	const char *name, int val)
{
	struct tr_loc_regs regs = { 0 };
	struct tr_frame f0, f1;
	struct tr_loc_unwound acc = { .frame = &f0, .regs = &regs };
	struct tr_loc_frame lf;
	struct tr_location loc;
	struct tr_scope *sc;
	struct tr_var v;
	struct tr_loc where;
	int err;

	if ((err = tr_regs_get(t, 0, &regs.gp)))
		return err;
	tr_unwind_frame_from_regs(&regs.gp, &f0);
	if ((err = tr_unwind_step(u, &f0, tr_mem_read_cb, t, &f1)))
		return err;
	if ((err = tr_debuginfo_describe(di, regs.gp.rip, &loc)) ||
	    !loc.dwarf)
		return err ? err : -TR_ENOENT;
	if ((err = tr_scope_at(loc.dwarf, regs.gp.rip - loc.module->bias,
			       &sc)))
		return err;
	tr_loc_frame_unwound(&lf, &acc, loc.module->bias, tr_mem_read_cb, t);
	err = tr_scope_lookup(sc, name, &v);
	if (!err)
		err = tr_scope_var_loc(sc, &v, &lf, &where);
	if (!err && where.kind == TR_LOC_MEMORY) {
		err = tr_mem_write(t, where.pieces[0].addr, &val, sizeof(val),
				   NULL);
	} else if (!err && where.kind == TR_LOC_REGISTER &&
		   where.pieces[0].reg < 16) {
		/* DWARF numbering: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 */
		unsigned long long *gp[16] = {
			&regs.gp.rax, &regs.gp.rdx, &regs.gp.rcx, &regs.gp.rbx,
			&regs.gp.rsi, &regs.gp.rdi, &regs.gp.rbp, &regs.gp.rsp,
			&regs.gp.r8, &regs.gp.r9, &regs.gp.r10, &regs.gp.r11,
			&regs.gp.r12, &regs.gp.r13, &regs.gp.r14, &regs.gp.r15,
		};

		*gp[where.pieces[0].reg] = (unsigned)val;
		err = tr_regs_set(t, 0, &regs.gp);
	} else if (!err) {
		err = -TR_ENOTSUP; /* optimized out, or in pieces */
	}
	tr_scope_free(sc);
	return err;
}

int
main(int argc, char **argv)
{
	const char *prog = argc > 1 ? argv[1] : DEMO_TARGET;
	struct tr_tracer *t;
	struct tr_debuginfo *di;
	struct tr_unwinder *u;
	struct tr_event ev;
	struct user_regs_struct regs;
	struct user_fpregs_struct fp;
	struct tr_slab_stats st;
	struct tr_location loc;
	struct direct_arg da;
	uint64_t fn, greeting, v, a[4];
	uint64_t *lat = calloc(PEEKS, sizeof(*lat));
	char text[64], val[64];
	uint32_t bp;
	size_t n;
	pid_t pid;
	int err;
	struct tr_launch l = { .path = prog, .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1 };

	if (!lat)
		die("calloc", -TR_ENOMEM);
	setvbuf(stdout, NULL, _IOLBF, 0);
	err = tr_tracer_new(NULL, &t);
	if (err)
		die("tracer", err);
	err = tr_launch(t, &l, &pid);
	if (err)
		die(prog, err);
	printf("launched %s as pid %d, stopped at exec\n", prog, pid);
	if ((err = tr_debuginfo_new(pid, &di)) || (err = tr_unwinder_new(di, &u)))
		die("debug info", err);

	/* break compute: resolved through DWARF, past the prologue. */
	if ((err = tr_break_set_spec(t, "compute", NULL, &bp)))
		die("break compute", err);
	if ((err = tr_debuginfo_resolve(di, "compute", a, 4, &n)))
		die("resolve compute", err);
	fn = a[0];
	tr_debuginfo_describe(di, fn, &loc);
	printf("breakpoint %u at %#lx: file %s, line %u\n", bp,
	       (unsigned long)fn, strrchr(loc.file, '/') + 1, loc.line);
	err = tr_cont(t, 0, 0, &ev);
	if (err || ev.type != TR_EV_STOP || ev.reason != TR_STOP_BREAKPOINT)
		die("continue to breakpoint", err ? err : -TR_ESYS);
	printf("stopped: breakpoint %u at %#lx in thread %d\n", ev.bpnum,
	       (unsigned long)ev.pc, ev.tid);
	print_bt(t, di, u);

	/* Variables and memory through the slab. */
	if ((err = set_var(t, di, u, "y", 7)))
		printf("set var y: %s\n", tr_strerror(err));
	else
		printf("set var y = 7\n");
	{
		struct tr_sym sym;

		if ((err = tr_symtab_lookup(tr_debuginfo_symtab(di), "greeting",
					    &sym)))
			die("greeting", err);
		greeting = sym.addr;
	}
	if ((err = tr_mem_read(t, greeting, text, sizeof(text), NULL)))
		die("read greeting", err);
	text[sizeof(text) - 1] = 0;
	printf("memory: greeting = \"%s\"\n", text);
	snprintf(text, sizeof(text), "hello from tracerd");
	if ((err = tr_mem_write(t, greeting, text, strlen(text) + 1, NULL)))
		die("write greeting", err);
	printf("memory: wrote greeting = \"%s\"\n", text);

	/* Dispatch figures while the target sits stopped. */
	if ((err = tr_regs_get(t, 0, &regs)))
		die("registers", err);
	da.addr = regs.rsp;
	da.lat = lat;
	if ((err = tr_call(t, direct_peeks, &da)))
		die("direct peeks", err);
	qsort(lat, PEEKS, sizeof(*lat), cmp_u64);
	printf("dispatch: PEEK on the tracer thread     median %6lu ns\n",
	       (unsigned long)lat[PEEKS / 2]);
	{
		uint64_t direct = lat[PEEKS / 2];

		for (int i = 0; i < PEEKS; i++) {
			uint64_t t0 = now_ns();

			if ((err = tr_peek(t, 0, regs.rsp, &v)))
				die("peek", err);
			lat[i] = now_ns() - t0;
		}
		qsort(lat, PEEKS, sizeof(*lat), cmp_u64);
		printf("dispatch: PEEK through the slab         median %6lu ns "
		       "(%.2fx direct), p99 %lu ns\n",
		       (unsigned long)lat[PEEKS / 2],
		       direct ? (double)lat[PEEKS / 2] / (double)direct : 0.0,
		       (unsigned long)lat[PEEKS * 99 / 100]);
	}
	tr_slab_stats_get(tr_tracer_slab(t), &st);
	printf("slab: %lu requests, server spin hits %lu, server sleeps %lu, "
	       "requester spin hits %lu, requester sleeps %lu\n",
	       (unsigned long)st.requests, (unsigned long)st.server_spin_hits,
	       (unsigned long)st.server_sleeps,
	       (unsigned long)st.client_spin_hits,
	       (unsigned long)st.client_sleeps);

	/* finish: run to the return, and show the value returned. */
	if ((err = tr_finish(t, u, 0, &ev, &regs)))
		die("finish", err);
	if (tr_fpregs_get(t, 0, &fp) == 0 &&
	    tr_return_value(t, di, fn, &regs, &fp, val, sizeof(val)) == 0)
		printf("finish: back in main, value returned is %s\n", val);
	print_bt(t, di, u);

	if ((err = tr_break_delete(t, bp)))
		die("delete breakpoint", err);
	err = tr_cont(t, 0, 0, &ev);
	if (err)
		die("continue", err);
	if (ev.type == TR_EV_EXIT)
		printf("target exited with status %d\n", ev.status);
	else
		printf("target: %s (%s)\n", tr_event_type_name(ev.type),
		       tr_stop_reason_name(ev.reason));
	tr_unwinder_free(u);
	tr_debuginfo_free(di);
	tr_tracer_free(t);
	free(lat);
	return ev.type == TR_EV_EXIT && ev.status == 0 ? 0 : 1;
}
