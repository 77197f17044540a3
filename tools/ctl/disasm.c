/* disasm.c: tracectl's disassemble (/r /s /m, a function, START,END, START,+LEN) and x/Ni, in gdb 13's layout, from the daemon's disassemble method. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "json.h"
#include "ctl/tracectl.h"

/* The pc of the selected frame, for gdb's "=> " marker (0: none). */
static uint64_t
selected_pc(void)
{
	struct tr_cl_reply r;
	uint64_t pc = 0;
	bool failed = tc.failed;

	if (tc_call("eval", tc_jparams("{\"expr\":\"(unsigned long)$pc\"}"),
		    &r) == 0) {
		const char *v = tc_jstr(r.result, "value");

		if (v)
			pc = strtoull(v, NULL, 0);
		tr_cl_reply_free(&r);
	}
	tc.failed = failed; /* no frame: no marker, no error */
	return pc;
}

/* Print lines from..to of file as "N\tTEXT", after "FILE:" named as its
 * unit names it when header. */
static void
source_lines(const char *file, uint64_t from, uint64_t to, bool header)
{
	struct tr_cl_reply r;
	const struct tr_json *lines;
	bool failed = tc.failed;

	if (tc_call("source", tc_jparams("{\"file\":%J,\"from\":%u,\"to\":%u}",
					 file, from, to),
		    &r)) {
		tc.failed = failed;
		return;
	}
	if (header)
		printf("%s:\n", tc_jstr(r.result, "name")
				       ? tc_jstr(r.result, "name") : file);
	lines = tr_json_get(r.result, "lines");
	from = tc_jnum(r.result, "from");
	for (size_t i = 0; i < tr_json_len(lines); i++) {
		size_t len = 0;
		const char *s = tr_json_str(tr_json_at(lines, i), &len);

		printf("%" PRIu64 "\t%.*s\n", from + i, (int)len, s ? s : "");
	}
	tr_cl_reply_free(&r);
}

/* One instruction line: "=> 0x... <+N>:\tTEXT" (function dumps) or
 * "   0x... <f+N>:\tTEXT" (ranges, x/i); raw: the bytes before it.
 * padded: a dump (addresses of 16 digits, <f+0>); else x/i (<f>). */
static void
print_insn(const struct tr_json *in, uint64_t pc, bool in_function,
	   bool padded, bool raw)
{
	uint64_t a = tc_jnum(in, "addr");
	const char *fn = tc_jstr(in, "function");
	uint64_t off = tc_jnum(in, "offset");

	printf("%s", a == pc ? "=> " : "   ");
	if (padded)
		printf("0x%016" PRIx64, a);
	else
		printf("0x%" PRIx64, a);
	if (in_function)
		printf(" <+%" PRIu64 ">", off);
	else if (fn && (off || padded))
		printf(" <%s+%" PRIu64 ">", fn, off);
	else if (fn)
		printf(" <%s>", fn);
	printf(":\t");
	if (raw) {
		const char *b = tc_jstr(in, "bytes");
		char col[64] = "";
		size_t n = 0;

		for (size_t i = 0; b && b[i] && b[i + 1]; i += 2)
			n += (size_t)snprintf(col + n, sizeof(col) - n, "%s%.2s",
					      i ? " " : "", b + i);
		/* gdb 13 pads the bytes to the width of six */
		printf("%-19s\t", col);
	}
	printf("%s\n", tc_jstr(in, "text"));
}

/* disassemble [/rsm] [FUNCTION | START,END | START,+LEN] */
void
tc_cmd_disassemble(const char *arg)
{
	bool raw = false, src = false, msrc = false, ranged = false;
	char *expr, *comma;
	uint64_t start = 0, end = 0, pc = selected_pc();
	struct tr_cl_reply r;
	const struct tr_json *ins;

	while (isspace((unsigned char)*arg))
		arg++;
	while (*arg == '/') {
		for (arg++; *arg && !isspace((unsigned char)*arg); arg++) {
			if (*arg == 'r')
				raw = true;
			else if (*arg == 's')
				src = true;
			else if (*arg == 'm')
				msrc = true;
			else {
				printf("Invalid disassembly modifier.\n");
				tc.failed = true;
				return;
			}
		}
		while (isspace((unsigned char)*arg))
			arg++;
	}
	if (src && msrc) {
		printf("Cannot specify both /m and /s.\n");
		tc.failed = true;
		return;
	}
	expr = strdup(arg);
	if ((comma = strchr(expr, ','))) {
		char *second = comma + 1;

		*comma = 0;
		while (isspace((unsigned char)*second))
			second++;
		ranged = true;
		if (tc_eval_addr(expr, &start)) {
			free(expr);
			return;
		}
		if (*second == '+') {
			if (tc_eval_addr(second + 1, &end)) {
				free(expr);
				return;
			}
			end += start;
		} else if (tc_eval_addr(second, &end)) {
			free(expr);
			return;
		}
	} else if (*expr) {
		if (tc_eval_addr(expr, &start)) {
			free(expr);
			return;
		}
	} else if (!pc) {
		printf("No frame selected.\n");
		tc.failed = true;
		free(expr);
		return;
	} else
		start = pc;
	free(expr);
	if (!tc_call_show("disassemble",
			  ranged ? tc_jparams("{\"addr\":%u,\"end\":%u}", start,
					      end)
				 : tc_jparams("{\"addr\":%u}", start),
			  &r))
		return;
	if (ranged)
		printf("Dump of assembler code from 0x%" PRIx64 " to 0x%" PRIx64
		       ":\n", start, end);
	else
		printf("Dump of assembler code for function %s:\n",
		       tc_jstr(r.result, "function"));
	ins = tr_json_get(r.result, "instructions");
	if (msrc) {
		/* /m: source line order, each line's instructions under it */
		size_t n = tr_json_len(ins);
		uint64_t lo = UINT64_MAX, hi = 0;
		const char *file = NULL;

		for (size_t i = 0; i < n; i++) {
			uint64_t l = tc_jnum(tr_json_at(ins, i), "line");

			if (!l)
				continue;
			file = file ? file : tc_jstr(tr_json_at(ins, i), "file");
			lo = l < lo ? l : lo;
			hi = l > hi ? l : hi;
		}
		for (uint64_t l = lo; file && l <= hi; l++) {
			bool any = false;

			for (size_t i = 0; i < n; i++)
				any |= tc_jnum(tr_json_at(ins, i), "line") == l;
			if (!any)
				continue;
			source_lines(file, l, l, false);
			for (size_t i = 0; i < n; i++)
				if (tc_jnum(tr_json_at(ins, i), "line") == l)
					print_insn(tr_json_at(ins, i), pc,
						   !ranged, true, raw);
			printf("\n");
		}
	} else {
		const char *last_file = NULL;
		uint64_t last_line = 0, max_line = 0;

		for (size_t i = 0; i < tr_json_len(ins); i++) {
			const struct tr_json *in = tr_json_at(ins, i);
			const char *file = tc_jstr(in, "file");
			uint64_t line = tc_jnum(in, "line");

			if (src && file && line &&
			    (line != last_line || !last_file ||
			     strcmp(file, last_file))) {
				if (i)
					printf("\n");
				bool header = !last_file ||
					      strcmp(file, last_file);

				if (header)
					max_line = 0;
				/* forward: the lines skipped too, as gdb */
				if (line > max_line && max_line)
					source_lines(file, max_line + 1, line,
						     header);
				else
					source_lines(file, line, line, header);
				if (line > max_line)
					max_line = line;
				last_file = file;
				last_line = line;
			}
			print_insn(in, pc, !ranged, true, raw);
		}
	}
	printf("End of assembler dump.\n");
	tr_cl_reply_free(&r);
}

/* x/Ni ADDR: N instructions from ADDR as gdb's x/i */
void
tc_cmd_x_insn(unsigned long count, const char *expr)
{
	uint64_t addr, pc = selected_pc();
	struct tr_cl_reply r;
	const struct tr_json *ins;

	if (tc_eval_addr(expr, &addr))
		return;
	if (!tc_call_show("disassemble",
			  tc_jparams("{\"addr\":%u,\"count\":%u}", addr,
				     (uint64_t)count),
			  &r))
		return;
	ins = tr_json_get(r.result, "instructions");
	for (size_t i = 0; i < tr_json_len(ins); i++)
		print_insn(tr_json_at(ins, i), pc, false, false, false);
	if (!tc_jbool(r.result, "complete")) {
		uint64_t a = addr;

		if (tr_json_len(ins)) {
			const struct tr_json *l = tr_json_at(ins, tr_json_len(ins) - 1);

			a = tc_jnum(l, "addr") + tc_jnum(l, "length");
		}
		printf("   0x%" PRIx64 ":\tCannot access memory at address 0x%"
		       PRIx64 "\n", a, a);
		tc.failed = true;
	}
	tr_cl_reply_free(&r);
}
