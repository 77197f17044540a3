/* check_disasm.c: symbols/disasm.c's text against GNU objdump's (binutils 2.40, what gdb 13 prints) for instructions where Capstone's own AT&T text differs, and the symbols after targets. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "base/error.h"
#include "symbols/disasm.h"

/* bytes and the text `objdump -D -b binary -m i386:x86-64` gives them */
static const struct {
	uint8_t b[15];
	size_t n;
	const char *text;
} cases[] = {
	{ { 0x55 }, 1, "push   %rbp" },
	{ { 0x48, 0x89, 0xe5 }, 3, "mov    %rsp,%rbp" },
	{ { 0xc7, 0x45, 0xfc, 0x00, 0x00, 0x00, 0x00 }, 7, "movl   $0x0,-0x4(%rbp)" },
	{ { 0x48, 0x83, 0xe4, 0xf0 }, 4, "and    $0xfffffffffffffff0,%rsp" },
	{ { 0x48, 0xd1, 0xfe }, 3, "sar    %rsi" },
	{ { 0xd3, 0x6d, 0xf4 }, 3, "shrl   %cl,-0xc(%rbp)" },
	{ { 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 }, 10, "cs nopw 0x0(%rax,%rax,1)" },
	{ { 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 }, 11, "data16 cs nopw 0x0(%rax,%rax,1)" },
	{ { 0x0f, 0x1f, 0x40, 0x00 }, 4, "nopl   0x0(%rax)" },
	{ { 0x66, 0x90 }, 2, "xchg   %ax,%ax" },
	{ { 0xf3, 0x48, 0xab }, 3, "rep stos %rax,%es:(%rdi)" },
	{ { 0xf3, 0x48, 0xa5 }, 3, "rep movsq %ds:(%rsi),%es:(%rdi)" },
	{ { 0x0f, 0xbe, 0x45, 0xff }, 4, "movsbl -0x1(%rbp),%eax" },
	{ { 0x66, 0x48, 0x0f, 0x7e, 0xc0 }, 5, "movq   %xmm0,%rax" },
	{ { 0xd8, 0xc1 }, 2, "fadd   %st(1),%st" },
	{ { 0xde, 0xe9 }, 2, "fsubrp %st,%st(1)" },
	{ { 0xdb, 0xf1 }, 2, "fcomi  %st(1),%st" },
	{ { 0xc6, 0xf8, 0xff }, 3, "xabort $0xff" },
	{ { 0x91 }, 1, "xchg   %eax,%ecx" },
	{ { 0xf3, 0xc3 }, 2, "repz ret" },
	{ { 0x9b }, 1, "fwait" },
	{ { 0xf3, 0x0f, 0x1e, 0xfa }, 4, "endbr64" },
	{ { 0xff, 0xe0 }, 2, "jmp    *%rax" },
	{ { 0x3e, 0xff, 0xe0 }, 3, "notrack jmp *%rax" },
	{ { 0x0f, 0xb6, 0x00 }, 3, "movzbl (%rax),%eax" },
	{ { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00 }, 9, "mov    %fs:0x28,%rax" },
	{ { 0x8b, 0x04, 0xc5, 0x00, 0x00, 0x00, 0x00 }, 7, "mov    0x0(,%rax,8),%eax" },
	{ { 0xf0, 0x0f, 0xc1, 0x02 }, 4, "lock xadd %eax,(%rdx)" },
	{ { 0xc3 }, 1, "ret" },
	{ { 0xc9 }, 1, "leave" },
};

START_TEST(test_gnu_text)
{
	struct tr_disasm *d;
	struct tr_dis_insn in;

	ck_assert_int_eq(tr_disasm_new(&d), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(tr_disasm_one(d, cases[i].b, cases[i].n,
					       0x1000, NULL, NULL, &in), 0);
		ck_assert_msg(!strcmp(in.text, cases[i].text),
			      "case %zu: \"%s\", objdump \"%s\"", i, in.text,
			      cases[i].text);
		ck_assert_uint_eq(in.len, cases[i].n);
		ck_assert_uint_eq(tr_disasm_length(d, cases[i].b, cases[i].n,
						   0x1000), cases[i].n);
	}
	tr_disasm_free(d);
}
END_TEST

/* names f at 0x1100 (0x40 bytes) and g at 0x2000 */
static bool
sym(void *arg, uint64_t addr, char *buf, size_t len)
{
	(void)arg;
	if (addr >= 0x1100 && addr < 0x1140)
		snprintf(buf, len, addr == 0x1100 ? "f" : "f+%u",
			 (unsigned)(addr - 0x1100));
	else if (addr == 0x2000)
		snprintf(buf, len, "g");
	else
		return false;
	return true;
}

START_TEST(test_targets)
{
	static const uint8_t call[] = { 0xe8, 0x00, 0x01, 0x00, 0x00 };
	static const uint8_t lea[] = { 0x48, 0x8d, 0x05, 0xf9, 0x0f, 0x00, 0x00 };
	static const uint8_t jmp[] = { 0xeb, 0xfe };
	static const uint8_t bad[] = { 0x06 };
	struct tr_disasm *d;
	struct tr_dis_insn in;

	ck_assert_int_eq(tr_disasm_new(&d), 0);
	tr_disasm_one(d, call, sizeof(call), 0x1000, sym, NULL, &in);
	ck_assert_str_eq(in.text, "call   0x1105 <f+5>");
	ck_assert(in.has_target && in.is_branch && in.target == 0x1105);
	tr_disasm_one(d, lea, sizeof(lea), 0x1000, sym, NULL, &in);
	ck_assert_str_eq(in.text, "lea    0xff9(%rip),%rax        # 0x2000 <g>");
	ck_assert(in.has_target && !in.is_branch && in.target == 0x2000);
	/* no symbol: the address alone, as gdb */
	tr_disasm_one(d, jmp, sizeof(jmp), 0x3000, sym, NULL, &in);
	ck_assert_str_eq(in.text, "jmp    0x3000");
	/* undecodable: gdb's (bad), one byte */
	tr_disasm_one(d, bad, sizeof(bad), 0x1000, sym, NULL, &in);
	ck_assert_str_eq(in.text, "(bad)");
	ck_assert_uint_eq(in.len, 1);
	/* a cut instruction is undecodable too */
	tr_disasm_one(d, lea, 3, 0x1000, sym, NULL, &in);
	ck_assert_str_eq(in.text, "(bad)");
	ck_assert_int_eq(tr_disasm_one(d, lea, 0, 0x1000, sym, NULL, &in),
			 -TR_EINVAL);
	tr_disasm_free(d);
}
END_TEST

Suite *
suite_disasm(void)
{
	Suite *s = suite_create("disasm");
	TCase *tc = tcase_create("disasm");

	tcase_add_test(tc, test_gnu_text);
	tcase_add_test(tc, test_targets);
	suite_add_tcase(s, tc);
	return s;
}
