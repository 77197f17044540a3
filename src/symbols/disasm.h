/* disasm.h: x86-64 instructions as text, in the AT&T form gdb and objdump print (Capstone underneath). */
#ifndef TR_SYMBOLS_DISASM_H
#define TR_SYMBOLS_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tr_disasm;

/* One decoded instruction. */
struct tr_dis_insn {
	uint64_t addr;
	unsigned len;       /* bytes; 1 for an undecodable byte */
	char text[192];     /* "mov    %rsp,%rbp", "(bad)" */
	bool has_target;    /* a direct branch or call, or a %rip operand */
	bool is_branch;     /* target is where it jumps (else: data it reads) */
	uint64_t target;
};

/*
 * tr_disasm_sym: the symbol an address is in, for the " <f+N>" gdb puts
 * after branch targets and %rip-relative operands: write "f+N" or "f"
 * into buf and return true, or return false when no symbol covers it.
 */
typedef bool (*tr_disasm_sym)(void *arg, uint64_t addr, char *buf,
			      size_t len);

/* tr_disasm_new: a disassembler (one Capstone handle); one thread at a
 * time. -TR_ENOMEM, -TR_ESYS when Capstone will not open. */
int tr_disasm_new(struct tr_disasm **out);
void tr_disasm_free(struct tr_disasm *d);

/*
 * tr_disasm_one: the instruction at code[0..len) (run-time address addr)
 * into *out, its branch target or %rip operand followed by " <f+N>" when
 * sym (may be NULL) names it. An undecodable byte gives "(bad)", length
 * 1, as gdb. Returns 0, or -TR_EINVAL for len 0.
 */
int tr_disasm_one(struct tr_disasm *d, const uint8_t *code, size_t len,
		  uint64_t addr, tr_disasm_sym sym, void *arg,
		  struct tr_dis_insn *out);

/* tr_disasm_length: only the length of the instruction at code (0 when
 * it does not decode). */
unsigned tr_disasm_length(struct tr_disasm *d, const uint8_t *code,
			  size_t len, uint64_t addr);

#endif
