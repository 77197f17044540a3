/* tracer-demo.c: launch the demo program under the tracer and drive it through the slab. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tracer.h"

#define PEEKS 20000

static void
die(const char *what, int err)
{
	fprintf(stderr, "tracer-demo: %s: %s\n", what, tr_strerror(err));
	exit(1);
}

/* st_value of a symbol in the program's .symtab (0 when absent). Until the
 * symbol module exists this is all the demo needs. */
static uint64_t
elf_symbol(const char *path, const char *name, uint64_t *entry)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	uint64_t val = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && gelf_getehdr(e, &eh))
		*entry = eh.e_entry;
	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			if (!gelf_getsym(d, (int)i, &sym))
				continue;
			n = elf_strptr(e, sh.sh_link, sym.st_name);
			if (n && strcmp(n, name) == 0) {
				val = sym.st_value;
				break;
			}
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return val;
}

/* Load bias of a PIE: AT_ENTRY from the target's auxv minus e_entry. */
static uint64_t
load_bias(pid_t pid, uint64_t e_entry)
{
	char path[64];
	uint64_t av[2];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	while (read(fd, av, sizeof(av)) == sizeof(av) && av[0] != AT_NULL) {
		if (av[0] == AT_ENTRY) {
			close(fd);
			return av[1] - e_entry;
		}
	}
	close(fd);
	return 0;
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

int
main(int argc, char **argv)
{
	const char *prog = argc > 1 ? argv[1] : DEMO_TARGET;
	struct tr_tracer *t;
	struct tr_event ev;
	struct user_regs_struct regs;
	struct tr_slab_stats st;
	struct direct_arg da;
	uint64_t entry = 0, bias, fn, greeting, v;
	uint64_t *lat = calloc(PEEKS, sizeof(*lat));
	char text[64];
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

	fn = elf_symbol(prog, "compute", &entry);
	greeting = elf_symbol(prog, "greeting", &entry);
	if (!fn || !greeting) {
		fprintf(stderr, "tracer-demo: %s has no symbols compute/greeting\n",
			prog);
		return 1;
	}
	bias = load_bias(pid, entry);
	fn += bias;
	greeting += bias;

	err = tr_bp_insert(t, fn);
	if (err)
		die("breakpoint", err);
	printf("breakpoint planted at compute = %#lx\n", (unsigned long)fn);
	err = tr_cont(t, 0, 0, &ev);
	if (err || ev.type != TR_EV_STOP || ev.reason != TR_STOP_BREAKPOINT)
		die("continue to breakpoint", err ? err : -TR_ESYS);
	printf("stopped: %s at %#lx in thread %d\n",
	       tr_stop_reason_name(ev.reason), (unsigned long)ev.pc, ev.tid);

	if ((err = tr_regs_get(t, 0, &regs)))
		die("registers", err);
	printf("registers: rip=%#llx rdi(x)=%llu rsi(y)=%llu\n", regs.rip,
	       regs.rdi, regs.rsi);
	regs.rsi = 7;
	if ((err = tr_regs_set(t, 0, &regs)))
		die("set registers", err);
	printf("set rsi(y) = 7\n");

	if ((err = tr_mem_read(t, greeting, text, sizeof(text), NULL)))
		die("read greeting", err);
	text[sizeof(text) - 1] = 0;
	printf("memory: greeting = \"%s\"\n", text);
	snprintf(text, sizeof(text), "hello from tracerd");
	if ((err = tr_mem_write(t, greeting, text, strlen(text) + 1, NULL)))
		die("write greeting", err);
	printf("memory: wrote greeting = \"%s\"\n", text);

	/* Dispatch figures while the target sits stopped. */
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

	if ((err = tr_bp_remove(t, fn)))
		die("remove breakpoint", err);
	err = tr_cont(t, 0, 0, &ev);
	if (err)
		die("continue", err);
	if (ev.type == TR_EV_EXIT)
		printf("target exited with status %d\n", ev.status);
	else
		printf("target: %s (%s)\n", tr_event_type_name(ev.type),
		       tr_stop_reason_name(ev.reason));
	tr_tracer_free(t);
	free(lat);
	return ev.type == TR_EV_EXIT && ev.status == 0 ? 0 : 1;
}
