/* symbols.c: tracectl's info functions, variables, types, line, address, symbol and sharedlibrary, as gdb 13 prints them. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/tracectl.h"

/* info functions|variables|types [REGEX] */
static void
info_search(const char *kind, const char *rx)
{
	struct tr_cl_reply r;
	const struct tr_json *files, *nd;

	if (!tc_call_show("symbol_search",
			  *rx ? tc_jparams("{\"kind\":%J,\"regex\":%J}", kind, rx)
			      : tc_jparams("{\"kind\":%J}", kind),
			  &r))
		return;
	if (tc.json) {
		tr_cl_reply_free(&r);
		return;
	}
	if (*rx)
		printf("All %s matching regular expression \"%s\":\n", kind,
		       rx);
	else
		printf("All defined %s:\n", kind);
	files = tr_json_get(r.result, "files");
	for (size_t i = 0; files && i < tr_json_len(files); i++) {
		const struct tr_json *f = tr_json_at(files, i);
		const struct tr_json *syms = tr_json_get(f, "symbols");

		printf("\nFile %s:\n", tc_str(tc_jstr(f, "file")));
		for (size_t k = 0; syms && k < tr_json_len(syms); k++) {
			const struct tr_json *s = tr_json_at(syms, k);

			if (tc_jnum(s, "line"))
				printf("%" PRIu64 ":", tc_jnum(s, "line"));
			printf("\t%s\n", tc_str(tc_jstr(s, "decl")));
		}
	}
	nd = tr_json_get(r.result, "nondebugging");
	if (nd && tr_json_len(nd)) {
		printf("\nNon-debugging symbols:\n");
		for (size_t i = 0; i < tr_json_len(nd); i++) {
			const struct tr_json *s = tr_json_at(nd, i);

			printf("0x%016" PRIx64 "  %s\n", tc_jnum(s, "addr"),
			       tc_str(tc_jstr(s, "name")));
		}
	}
	tr_cl_reply_free(&r);
}

/* " <main+15>" as gdb names an address in info line */
static void
sym_ref(const struct tr_json *o, const char *fkey, const char *okey)
{
	const char *f = tc_jstr(o, fkey);

	if (!f)
		return;
	if (tc_jnum(o, okey))
		printf(" <%s+%" PRIu64 ">", f, tc_jnum(o, okey));
	else
		printf(" <%s>", f);
}

/* info line [LOCATION]: without one, the line of the selected frame */
static void
info_line(const char *arg)
{
	struct tr_cl_reply r;
	char *p;

	if (*arg) {
		p = tc_jparams("{\"location\":%J}", arg);
	} else {
		struct tr_cl_reply f;
		uint64_t pc;

		if (!tc_call_show("frame", tc_jparams("{\"level\":%u}",
						      (uint64_t)tc.frame),
				  &f))
			return;
		pc = tc_jnum(f.result, "pc");
		tr_cl_reply_free(&f);
		p = tc_jparams("{\"addr\":%u}", pc);
	}
	if (!tc_call_show("line_info", p, &r))
		return;
	if (tc.json) {
		tr_cl_reply_free(&r);
		return;
	}
	if (!tc_jstr(r.result, "file")) {
		printf("No line number information available for address "
		       "0x%" PRIx64, tc_jnum(r.result, "addr"));
		sym_ref(r.result, "function", "offset");
		printf("\n");
	} else if (!tc_jbool(r.result, "has_code")) {
		printf("Line %" PRIu64 " of \"%s\" is at address 0x%" PRIx64,
		       tc_jnum(r.result, "line"),
		       tc_jstr(r.result, "file"),
		       tc_jnum(r.result, "start"));
		sym_ref(r.result, "start_function", "start_offset");
		printf(" but contains no code.\n");
	} else {
		printf("Line %" PRIu64 " of \"%s\"",
		       tc_jnum(r.result, "line"),
		       tc_jstr(r.result, "file"));
		if (tc_jbool(r.result, "at_start") || *arg != '*')
			printf(" starts at address");
		else
			printf(" is at address 0x%" PRIx64, tc_jnum(r.result,
								 "addr")),
			sym_ref(r.result, "function", "offset"),
			printf(" but contains no code.\n");
		if (tc_jbool(r.result, "at_start") || *arg != '*') {
			printf(" 0x%" PRIx64, tc_jnum(r.result, "start"));
			sym_ref(r.result, "start_function", "start_offset");
			printf(" and ends at 0x%" PRIx64,
			       tc_jnum(r.result, "end"));
			sym_ref(r.result, "end_function", "end_offset");
			printf(".\n");
		}
	}
	tr_cl_reply_free(&r);
}

/* whether the selected frame has an argument or local `name` */
static bool
frame_var(const char *name)
{
	static const char *const m[] = { "locals", "args" };
	bool found = false;

	for (int k = 0; k < 2 && !found; k++) {
		struct tr_cl_reply r;

		if (tr_cl_call(tc.cl, m[k], NULL, NULL, 0, NULL, &r))
			return false;
		for (size_t i = 0; !r.code && i < tr_json_len(r.result); i++) {
			const char *n = tc_jstr(tr_json_at(r.result, i), "name");

			found |= n && !strcmp(n, name);
		}
		tr_cl_reply_free(&r);
	}
	return found;
}

/* info address NAME */
static void
info_address(const char *arg)
{
	struct tr_cl_reply r;

	if (!*arg) {
		printf("Argument required.\n");
		tc.failed = true;
		return;
	}
	if (tr_cl_call(tc.cl, "lookup_symbol", tc_jparams("{\"name\":%J}", arg),
		       NULL, 0, &tc.sigint, &r)) {
		fprintf(stderr, "tracectl: connection to tracerd lost\n");
		tc.failed = true;
		return;
	}
	if (r.code && frame_var(arg)) {
		/* gdb describes its DWARF location ("a complex DWARF
		 * expression: 0: DW_OP_fbreg -36"); not done here */
		printf("Symbol \"%s\" is a variable of the selected frame "
		       "(its DWARF location is not described here).\n", arg);
	} else if (r.code) {
		printf("No symbol \"%s\" in current context.\n", arg);
		tc.failed = true;
	} else if (tc.json) {
		tc_print_json(r.result);
	} else if (!tc_jbool(r.result, "debug")) {
		printf("Symbol \"%s\" is at 0x%" PRIx64 " in a file compiled "
		       "without debugging.\n", arg, tc_jnum(r.result, "addr"));
	} else {
		const char *k = tc_jstr(r.result, "kind");

		printf("Symbol \"%s\" is %s at address 0x%" PRIx64 ".\n", arg,
		       k && !strcmp(k, "object") ? "static storage"
						 : "a function",
		       tc_jnum(r.result, "addr"));
	}
	tr_cl_reply_free(&r);
}

/* info symbol ADDR */
static void
info_symbol(const char *arg)
{
	struct tr_cl_reply r, e;
	const char *v;
	uint64_t a;

	if (!*arg) {
		printf("Argument required (address).\n");
		tc.failed = true;
		return;
	}
	{
		char *cast;

		if (asprintf(&cast, "(unsigned long)(%s)", arg) < 0)
			return;
		if (!tc_call_show("eval", tc_jparams("{\"expr\":%J}", cast),
				  &e)) {
			free(cast);
			return;
		}
		free(cast);
	}
	v = tc_jstr(e.result, "value");
	a = v ? strtoull(v, NULL, 0) : 0;
	tr_cl_reply_free(&e);
	if (tr_cl_call(tc.cl, "symbol_at", tc_jparams("{\"addr\":%u}", a), NULL,
		       0, &tc.sigint, &r)) {
		fprintf(stderr, "tracectl: connection to tracerd lost\n");
		tc.failed = true;
		return;
	}
	if (r.code || !tc_jstr(r.result, "function")) {
		printf("No symbol matches %s.\n", arg);
	} else if (tc.json) {
		tc_print_json(r.result);
	} else {
		printf("%s", tc_jstr(r.result, "function"));
		if (tc_jnum(r.result, "offset"))
			printf(" + %" PRIu64, tc_jnum(r.result, "offset"));
		printf(" in section %s", tc_str(tc_jstr(r.result, "section")));
		if (tc_jstr(r.result, "path"))
			printf(" of %s", tc_jstr(r.result, "path"));
		printf("\n");
	}
	tr_cl_reply_free(&r);
}

/* info sharedlibrary */
static void
info_sharedlibrary(void)
{
	struct tr_cl_reply r;
	bool nodebug = false;

	if (!tc_call_show("shared_libraries", NULL, &r))
		return;
	if (tc.json) {
		tr_cl_reply_free(&r);
		return;
	}
	if (!tr_json_len(r.result)) {
		printf("No shared libraries loaded at this time.\n");
		tr_cl_reply_free(&r);
		return;
	}
	printf("From                To                  Syms Read   Shared "
	       "Object Library\n");
	for (size_t i = 0; i < tr_json_len(r.result); i++) {
		const struct tr_json *l = tr_json_at(r.result, i);
		bool dbg = tc_jbool(l, "debug_info");

		if (tr_json_get(l, "from") &&
		    tr_json_get(l, "from")->kind == TR_JSON_NUMBER)
			printf("0x%016" PRIx64 "  0x%016" PRIx64 "  ",
			       tc_jnum(l, "from"), tc_jnum(l, "to"));
		else
			printf("%-20s%-20s", "", "");
		printf("%-12s%s\n", dbg ? "Yes" : "Yes (*)",
		       tc_str(tc_jstr(l, "path")));
		nodebug |= !dbg;
	}
	if (nodebug)
		printf("(*): Shared library is missing debugging "
		       "information.\n");
	tr_cl_reply_free(&r);
}

bool
tc_cmd_info_symbols(const char *what, const char *rest)
{
	if (!strcmp(what, "functions") || !strcmp(what, "variables") ||
	    !strcmp(what, "types"))
		info_search(what, rest);
	else if (!strcmp(what, "line"))
		info_line(rest);
	else if (!strcmp(what, "address"))
		info_address(rest);
	else if (!strcmp(what, "symbol"))
		info_symbol(rest);
	else if (!strcmp(what, "sharedlibrary") || !strcmp(what, "shared") ||
		 !strcmp(what, "dll"))
		info_sharedlibrary();
	else
		return false;
	return true;
}
