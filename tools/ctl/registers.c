/* registers.c: tracectl's info registers in gdb's layout: the general registers, eflags decoded, segment registers, named registers and their parts (eax, ax, al, ah, r8d...). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "json.h"
#include "ctl/tracectl.h"

/* How gdb shows a register's natural value: by its type. */
enum rkind { R_INT, R_DPTR, R_CPTR, R_FLAGS };

/* gdb 13's general group on amd64 Linux, in its order */
static const char *const general[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
	"rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs",
};

/* a name gdb accepts: the register it reads, bits and shift of the part,
 * its kind; bits 64 for a whole register */
struct rname {
	const char *full;
	unsigned bits, shift;
	enum rkind kind;
};

static bool
lookup(const char *name, struct rname *out)
{
	static const char *const legacy[][5] = {
		/* full, 32, 16, low 8, high 8 */
		{ "rax", "eax", "ax", "al", "ah" },
		{ "rbx", "ebx", "bx", "bl", "bh" },
		{ "rcx", "ecx", "cx", "cl", "ch" },
		{ "rdx", "edx", "dx", "dl", "dh" },
		{ "rsi", "esi", "si", "sil", NULL },
		{ "rdi", "edi", "di", "dil", NULL },
		{ "rbp", "ebp", "bp", "bpl", NULL },
		{ "rsp", "esp", "sp", "spl", NULL },
	};
	static const char *const whole[] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
		"r11", "r12", "r13", "r14", "r15", "cs", "ss", "ds", "es",
		"fs", "gs", "fs_base", "gs_base", "orig_rax",
	};
	char buf[16];
	size_t n = strlen(name);

	*out = (struct rname){ name, 64, 0, R_INT };
	if (!strcmp(name, "rip") || !strcmp(name, "pc")) {
		*out = (struct rname){ "rip", 64, 0, R_CPTR };
		return true;
	}
	if (!strcmp(name, "rsp") || !strcmp(name, "rbp") ||
	    !strcmp(name, "fp")) {
		*out = (struct rname){ !strcmp(name, "rsp") ? "rsp" : "rbp",
				       64, 0, R_DPTR };
		return true;
	}
	if (!strcmp(name, "eflags")) {
		out->kind = R_FLAGS;
		return true;
	}
	for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		if (!strcmp(name, whole[i]))
			return true;
	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
		for (int k = 1; k < 5; k++)
			if (legacy[i][k] && !strcmp(name, legacy[i][k])) {
				static const unsigned bits[] = { 0, 32, 16, 8,
								 8 };

				*out = (struct rname){ legacy[i][0], bits[k],
						       k == 4 ? 8 : 0, R_INT };
				return true;
			}
	/* r8d r8w r8l */
	if (n >= 3 && n <= 4 && name[0] == 'r' && strchr("dwl", name[n - 1])) {
		int num = atoi(name + 1);

		snprintf(buf, sizeof(buf), "r%d%c", num, name[n - 1]);
		if (num >= 8 && num <= 15 && !strcmp(buf, name)) {
			static char full[8][4];

			snprintf(full[num - 8], sizeof(full[0]), "r%d", num);
			*out = (struct rname){ full[num - 8],
					       name[n - 1] == 'd'   ? 32U
					       : name[n - 1] == 'w' ? 16U
								    : 8U,
					       0, R_INT };
			return true;
		}
	}
	return false;
}

/* eflags as gdb's i386 flags type prints it: "[ PF ZF IF ]" */
static void
print_flags(uint64_t v)
{
	static const struct {
		unsigned bit;
		const char *name;
	} f[] = { { 0, "CF" },  { 2, "PF" },  { 4, "AF" },  { 6, "ZF" },
		  { 7, "SF" },  { 8, "TF" },  { 9, "IF" },  { 10, "DF" },
		  { 11, "OF" }, { 14, "NT" }, { 16, "RF" }, { 17, "VM" },
		  { 18, "AC" }, { 19, "VIF" }, { 20, "VIP" }, { 21, "ID" } };

	printf("[ ");
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (v >> f[i].bit & 1)
			printf("%s ", f[i].name);
	printf("]");
}

static void
print_reg(const char *shown, const struct rname *rn, uint64_t whole)
{
	uint64_t v = rn->bits == 64 ? whole
				    : whole >> rn->shift &
					      ((1ULL << rn->bits) - 1);
	char hex[32];

	snprintf(hex, sizeof(hex), "0x%" PRIx64, v);
	printf("%-15s%-19s ", shown, hex);
	switch (rn->kind) {
	case R_FLAGS:
		print_flags(v);
		break;
	case R_DPTR:
		printf("%s", hex);
		break;
	case R_CPTR: {
		struct tr_cl_reply r;

		printf("%s", hex);
		if (tc_call("symbol_at", tc_jparams("{\"addr\":%u}", v), &r) ==
		    0) {
			if (tc_jstr(r.result, "function"))
				printf(" <%s+%" PRIu64 ">",
				       tc_jstr(r.result, "function"),
				       tc_jnum(r.result, "offset"));
			tr_cl_reply_free(&r);
		} else {
			/* no symbol there is no error for gdb */
			tc.failed = false;
		}
		break;
	}
	default: {
		/* gdb's int types of the part: signed */
		int64_t s = rn->bits == 64 ? (int64_t)v
			  : (int64_t)(v << (64 - rn->bits)) >> (64 - rn->bits);

		printf("%" PRId64, s);
		break;
	}
	}
	printf("\n");
}

/* info registers [NAME...]; info all-registers (all) */
void
tc_cmd_info_registers(const char *arg, bool all)
{
	struct tr_cl_reply r;
	char *copy, *save = NULL;

	if (!tc_call_show("registers", tc_jparams("{\"all\":true}"), &r))
		return;
	if (!*arg) {
		for (size_t i = 0; i < sizeof(general) / sizeof(general[0]);
		     i++) {
			struct rname rn;
			uint64_t v = tc_jnum(r.result, general[i]);

			lookup(general[i], &rn);
			print_reg(general[i], &rn, v);
		}
		if (all)
			tc_vregs_print_all(r.result);
		tr_cl_reply_free(&r);
		return;
	}
	copy = strdup(arg);
	for (char *t = strtok_r(copy, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		struct rname rn;
		const char *name = *t == '$' ? t + 1 : t;

		if (tc_vreg_print(name, r.result))
			continue;
		if (!lookup(name, &rn) || !tr_json_get(r.result, rn.full)) {
			/* gdb stops at the first bad name */
			printf("Invalid register `%s'\n", name);
			tc.failed = true;
			break;
		}
		print_reg(name, &rn, tc_jnum(r.result, rn.full));
	}
	free(copy);
	tr_cl_reply_free(&r);
}
