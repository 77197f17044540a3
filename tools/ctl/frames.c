/* frames.c: tracectl's thread N, thread apply, frame/up/down as gdb 13 prints them. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/tracectl.h"

/* gdb's target id of a thread: Thread 0x<pthread_t> (LWP N) "name".
 * glibc's pthread_t on x86-64 is the thread pointer, fs_base; the name is
 * /proc's comm (read here: given when tracectl runs on the target's
 * machine, as gdb's native target does). */
static void
target_id(pid_t tid, char *out, size_t len)
{
	struct tr_cl_reply r;
	uint64_t fs = 0;
	char path[64], name[64] = "";
	FILE *f;

	if (tr_cl_call(tc.cl, "registers",
		       tc_jparams("{\"thread\":%u}", (uint64_t)tid), NULL, 0,
		       &tc.sigint, &r) == 0) {
		if (!r.code)
			fs = tc_jnum(r.result, "fs_base");
		tr_cl_reply_free(&r);
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)tid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(name, sizeof(name), f))
			name[strcspn(name, "\n")] = 0;
		fclose(f);
	}
	if (fs)
		snprintf(out, len, "Thread 0x%" PRIx64 " (LWP %d)%s%s%s", fs,
			 (int)tid, name[0] ? " \"" : "", name, name[0] ? "\"" : "");
	else
		snprintf(out, len, "LWP %d", (int)tid);
}

/* The threads (gdb's numbers are their places in the list, from 1):
 * their tids into *tids (malloc'ed), the count; -1 after an error. The
 * current one's number in *cur. */
static long
thread_list(pid_t **tids, long *cur)
{
	struct tr_cl_reply r;
	size_t n;

	*tids = NULL;
	if (tc_call("threads", NULL, &r))
		return -1;
	n = tr_json_len(r.result);
	*tids = calloc(n ? n : 1, sizeof(**tids));
	*cur = 1;
	for (size_t i = 0; *tids && i < n; i++) {
		const struct tr_json *t = tr_json_at(r.result, i);

		(*tids)[i] = (pid_t)tc_jnum(t, "thread");
		if (tc.thread ? (*tids)[i] == tc.thread : tc_jbool(t, "current"))
			*cur = (long)i + 1;
	}
	tr_cl_reply_free(&r);
	return *tids ? (long)n : -1;
}

/* Select thread tid's frame 0 (the server's selection); 0 or -1. */
static int
select_thread(pid_t tid, struct tr_cl_reply *r)
{
	if (tc_call("frame", tc_jparams("{\"level\":0,\"thread\":%u}",
					(uint64_t)tid), r))
		return -1;
	tc.thread = tid;
	tc.frame = 0;
	return 0;
}

/* thread [N]: gdb's "[Current thread is N (...)]", or the switch and
 * the frame */
void
tc_cmd_thread(const char *arg)
{
	struct tr_cl_reply r;
	pid_t *tids;
	long n, cur, k;
	char *end, id[160];

	n = thread_list(&tids, &cur);
	if (n < 0)
		return;
	if (!*arg) {
		target_id(tids[cur - 1], id, sizeof(id));
		printf("[Current thread is %ld (%s)]\n", cur, id);
		free(tids);
		return;
	}
	k = strtol(arg, &end, 10);
	if (end == arg || *end) {
		printf("Invalid thread ID: %s\n", arg);
		tc.failed = true;
	} else if (k < 1 || k > n) {
		printf("Unknown thread %ld.\n", k);
		tc.failed = true;
	} else if (select_thread(tids[k - 1], &r) == 0) {
		target_id(tids[k - 1], id, sizeof(id));
		printf("[Switching to thread %ld (%s)]\n", k, id);
		tc_print_frame_line(r.result, true, tc_jbool(r.result, "mid_line"));
		tc_print_source(r.result);
		tr_cl_reply_free(&r);
	}
	free(tids);
}

/* thread apply all|N... COMMAND: COMMAND in each thread, gdb's header
 * before it; the selection put back after */
void
tc_cmd_thread_apply(const char *arg)
{
	pid_t *tids, was = tc.thread;
	unsigned was_frame = tc.frame;
	long n, cur, list[1024];
	size_t nl = 0;
	const char *p = arg;
	struct tr_cl_reply r;

	n = thread_list(&tids, &cur);
	if (n < 0)
		return;
	if (!strncmp(p, "all", 3) && (!p[3] || isspace((unsigned char)p[3]))) {
		/* gdb: the newest first */
		for (long i = n; i >= 1 && nl < 1024; i--)
			list[nl++] = i;
		p += 3;
	} else {
		while (isdigit((unsigned char)*p)) {
			char *end;
			long a = strtol(p, &end, 10), b = a;

			if (*end == '-' && isdigit((unsigned char)end[1]))
				b = strtol(end + 1, &end, 10);
			if (*end && !isspace((unsigned char)*end))
				break;
			for (long i = a; i <= b && nl < 1024; i++)
				list[nl++] = i;
			p = end;
			while (isspace((unsigned char)*p))
				p++;
		}
		if (!nl) {
			printf("Please specify a thread ID list\n");
			tc.failed = true;
			free(tids);
			return;
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	if (!*p) {
		printf("Please specify a command following the thread ID "
		       "list\n");
		tc.failed = true;
		free(tids);
		return;
	}
	for (size_t i = 0; i < nl; i++) {
		char id[160], *cmd;

		if (list[i] < 1 || list[i] > n) {
			printf("warning: Unknown thread %ld\n", list[i]);
			continue;
		}
		if (select_thread(tids[list[i] - 1], &r))
			continue;
		tr_cl_reply_free(&r);
		target_id(tids[list[i] - 1], id, sizeof(id));
		printf("\nThread %ld (%s):\n", list[i], id);
		cmd = strdup(p);
		if (cmd)
			tc_run_command(cmd);
		free(cmd);
	}
	/* back to the thread and frame selected before */
	if (tc_call("frame", tc_jparams("{\"level\":%u,\"thread\":%u}",
					(uint64_t)was_frame,
					(uint64_t)(was ? was : tids[cur - 1])),
		    &r) == 0)
		tr_cl_reply_free(&r);
	tc.thread = was;
	tc.frame = was_frame;
	free(tids);
}

/* frame N, up [N], down [N]: gdb's frame line and source line; up and
 * down with a count go as far as they can, without one say they cannot */
void
tc_cmd_frame_rel(const char *arg, int dir)
{
	struct tr_cl_reply r;
	long want, count = *arg ? strtol(arg, NULL, 10) : 1;

	if (dir == 0) {
		want = *arg ? strtol(arg, NULL, 10) : (long)tc.frame;
	} else {
		want = (long)tc.frame + dir * count;
	}
	if (want < 0) {
		if (!*arg) {
			printf("Bottom (innermost) frame selected; you cannot "
			       "go down.\n");
			tc.failed = true;
			return;
		}
		want = 0;
	}
	if (dir > 0) {
		/* up past the outermost: there, or gdb's error */
		struct tr_cl_reply b;
		long nf;

		if (tc_call("backtrace", tc_jparams("{\"limit\":4096}"), &b))
			return;
		nf = (long)tr_json_len(tr_json_get(b.result, "frames"));
		tr_cl_reply_free(&b);
		if (want >= nf) {
			if (!*arg || (long)tc.frame >= nf - 1) {
				printf("Initial frame selected; you cannot go "
				       "up.\n");
				tc.failed = true;
				return;
			}
			want = nf - 1;
		}
	}
	if (!tc_call_show("frame",
			  tc.thread ? tc_jparams("{\"level\":%u,\"thread\":%u}",
						 (uint64_t)want,
						 (uint64_t)tc.thread)
				    : tc_jparams("{\"level\":%u}", (uint64_t)want),
			  &r))
		return;
	tc.frame = (unsigned)want;
	tc_print_frame_line(r.result, true, want > 0 ||
					      tc_jbool(r.result, "mid_line"));
	tc_print_source(r.result);
	tr_cl_reply_free(&r);
}

/* info frame: gdb 13's layout (Stack level, rip, saved rip, called by /
 * caller of, source language, Arglist, Locals, Previous frame's sp,
 * Saved registers) */
void
tc_cmd_info_frame(void)
{
	struct tr_cl_reply f, r;
	const struct tr_json *args, *saved;
	const char *fn, *file;
	bool caller;
	char *p;

	p = tc.thread ? tc_jparams("{\"level\":%u,\"thread\":%u}",
				   (uint64_t)tc.frame, (uint64_t)tc.thread)
		      : tc_jparams("{\"level\":%u}", (uint64_t)tc.frame);
	if (tc_call("frame", p, &f))
		return;
	if (!tc_call_show("frame_info",
			  tc_jparams("{\"level\":%u}", (uint64_t)tc.frame), &r)) {
		tr_cl_reply_free(&f);
		return;
	}
	fn = tc_jstr(f.result, "function");
	file = tc_jstr(f.result, "file");
	printf("Stack level %" PRIu64 ", frame at 0x%" PRIx64 ":\n",
	       tc_jnum(r.result, "level"), tc_jnum(r.result, "cfa"));
	printf(" rip = 0x%" PRIx64, tc_jnum(r.result, "pc"));
	if (fn)
		printf(" in %s", fn);
	if (file)
		printf(" (%s:%" PRIu64 ")", tc_base_name(file),
		       tc_jnum(f.result, "line"));
	if (tr_json_get(r.result, "saved_pc"))
		printf("; saved rip = 0x%" PRIx64, tc_jnum(r.result, "saved_pc"));
	printf("\n");
	/* gdb's backtrace ends at main (backtrace past-main off): main is
	 * called by no frame it shows */
	caller = tr_json_get(r.result, "caller_cfa") &&
		 !(fn && !strcmp(fn, "main"));
	if (caller && tr_json_get(r.result, "callee_cfa"))
		printf(" called by frame at 0x%" PRIx64 ", caller of frame at 0x%"
		       PRIx64 "\n", tc_jnum(r.result, "caller_cfa"),
		       tc_jnum(r.result, "callee_cfa"));
	else if (caller)
		printf(" called by frame at 0x%" PRIx64 "\n",
		       tc_jnum(r.result, "caller_cfa"));
	else if (tr_json_get(r.result, "callee_cfa"))
		printf(" caller of frame at 0x%" PRIx64 "\n",
		       tc_jnum(r.result, "callee_cfa"));
	if (file)
		printf(" source language c.\n");
	printf(" Arglist at 0x%" PRIx64 ", args: ", tc_jnum(r.result, "base"));
	args = tr_json_get(f.result, "args");
	for (size_t i = 0; i < tr_json_len(args); i++) {
		const struct tr_json *a = tr_json_at(args, i);
		const char *name = tc_str(tc_jstr(a, "name"));
		const char *value = tc_str(tc_jstr(a, "value"));
		const char *entry = tc_jstr(a, "entry_value");

		/* as in frame lines: x=x@entry=1, x@entry=1 */
		if (entry && !strcmp(value, "<optimized out>"))
			printf("%s%s@entry=%s", i ? ", " : "", name, entry);
		else if (entry)
			printf("%s%s=%s@entry=%s", i ? ", " : "", name, name,
			       entry);
		else
			printf("%s%s=%s", i ? ", " : "", name, value);
	}
	printf("\n Locals at 0x%" PRIx64 ", Previous frame's sp is 0x%" PRIx64
	       "\n", tc_jnum(r.result, "base"), tc_jnum(r.result, "cfa"));
	saved = tr_json_get(r.result, "saved");
	if (tr_json_len(saved)) {
		printf(" Saved registers:\n ");
		for (size_t i = 0; i < tr_json_len(saved); i++)
			printf("%s %s at 0x%" PRIx64, i ? "," : "",
			       tc_str(tc_jstr(tr_json_at(saved, i), "register")),
			       tc_jnum(tr_json_at(saved, i), "addr"));
		printf("\n");
	}
	tr_cl_reply_free(&r);
	tr_cl_reply_free(&f);
}
