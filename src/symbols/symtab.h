/* symtab.h: ELF symbols of a process: its executable and every loaded shared library. */
#ifndef TR_SYMBOLS_SYMTAB_H
#define TR_SYMBOLS_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A symbol table is built from /proc/PID/maps (which files are mapped
 * where) and the ELF files themselves (.symtab when present, else .dynsym),
 * so it needs no ptrace and can be built or refreshed from any thread.
 * Addresses are run-time addresses: the load bias of each module (PIE
 * executables, shared libraries) is already added.
 */

struct tr_module {
	const char *path;   /* as mapped: /usr/lib/x86_64-linux-gnu/libc.so.6 */
	const char *name;   /* its last component: libc.so.6 */
	uint64_t bias;      /* run-time address - link-time address */
	uint64_t lo, hi;    /* the address range of its mappings */
	bool is_exec;       /* the main executable */
	bool pie;           /* ET_DYN executable */
	size_t nsyms;
};

enum tr_sym_kind {
	TR_SYM_FUNC = 1,
	TR_SYM_OBJECT = 2,
	TR_SYM_IFUNC = 3, /* GNU indirect function: call the resolver first */
	TR_SYM_OTHER = 4,
};

struct tr_sym {
	const char *name;
	uint64_t addr;      /* run-time address */
	uint64_t size;
	enum tr_sym_kind kind;
	bool global;
	const struct tr_module *module;
};

struct tr_symtab;

/*
 * tr_symtab_new: read the modules mapped in process `pid` and their
 * symbols. Returns 0 or -TR_E* (-TR_ESRCH: no such process).
 */
int tr_symtab_new(pid_t pid, struct tr_symtab **out);
void tr_symtab_free(struct tr_symtab *st);

/*
 * tr_symtab_refresh: read the maps again after libraries were loaded or
 * unloaded; modules still mapped at the same place keep their symbols.
 * *changed (may be NULL) tells whether the module list changed.
 */
int tr_symtab_refresh(struct tr_symtab *st, bool *changed);

/*
 * tr_symtab_lookup: a symbol by name. "name" searches the executable
 * first, then the libraries in load order, preferring global definitions;
 * "libc.so.6:strlen" (or any suffix of a module path before the colon)
 * searches that module only. -TR_ENOENT when there is none.
 */
int tr_symtab_lookup(const struct tr_symtab *st, const char *name,
		     struct tr_sym *out);

/*
 * tr_symtab_addr: the symbol containing `addr` (function first) and the
 * offset into it. -TR_ENOENT when no symbol covers it.
 */
int tr_symtab_addr(const struct tr_symtab *st, uint64_t addr,
		   struct tr_sym *out, uint64_t *offset);

/* Modules, in load order (the executable first). */
size_t tr_symtab_nmodules(const struct tr_symtab *st);
const struct tr_module *tr_symtab_module(const struct tr_symtab *st, size_t i);
/* tr_symtab_sym: symbol i (0 .. nsyms - 1, by address) of module `mod`
 * (an index as for tr_symtab_module); -TR_ENOENT past the end. */
int tr_symtab_sym(const struct tr_symtab *st, size_t mod, size_t i,
		  struct tr_sym *out);
/* The module mapped at `addr`, or NULL. */
const struct tr_module *tr_symtab_module_at(const struct tr_symtab *st,
					    uint64_t addr);

/*
 * tr_symtab_file_read: `len` bytes of module `m`'s file at link-time
 * address `vaddr` (through its PT_LOAD segments): the code as linked.
 */
int tr_symtab_file_read(const struct tr_symtab *st, const struct tr_module *m,
			uint64_t vaddr, void *buf, size_t len);

/*
 * tr_symtab_imports: whether a module calls function `name` without
 * defining it (an undefined symbol of its .dynsym): a library loaded
 * later will define it, as gdb's "name@plt" says before `run`.
 */
bool tr_symtab_imports(const struct tr_symtab *st, const char *name);

/* tr_symtab_in_plt: is addr in a PLT section (.plt, .plt.sec, .plt.got),
 * the stubs through which calls reach shared libraries? */
bool tr_symtab_in_plt(const struct tr_symtab *st, uint64_t addr);

/*
 * tr_symtab_plt_name: the function a PLT entry calls, as gdb names the
 * entry ("printf@plt" into buf) and addr's offset into the entry: the
 * entry's jmp *GOT(%rip) decoded from the file, the GOT slot matched to
 * its relocation's symbol. -TR_ENOENT outside a PLT entry (PLT0 too).
 */
int tr_symtab_plt_name(const struct tr_symtab *st, uint64_t addr, char *buf,
		       size_t len, uint64_t *offset);

/* tr_symtab_module_matches: does `m` answer to the qualifier q[0..qlen)
 * (its file name, a trailing part of its path, or "libc" for libc.so.6)? */
bool tr_symtab_module_matches(const struct tr_module *m, const char *q,
			      size_t qlen);

/*
 * tr_symtab_section: the allocated section of module `m` named `name`,
 * or (name NULL) the one holding run-time address `addr`: its name into
 * out (may be NULL), its run-time range [*lo, *hi) (either may be NULL).
 * -TR_ENOENT when there is none. For gdb's "main in section .text" and
 * the From/To of info sharedlibrary (.text).
 */
int tr_symtab_section(const struct tr_symtab *st, const struct tr_module *m,
		      const char *name, uint64_t addr, char *out, size_t len,
		      uint64_t *lo, uint64_t *hi);

#endif
