/* valtree.h: structured values: a value as a tree of named nodes (type, printed value, an expression naming it, children on demand), for front ends that show variables as trees (DAP). */
#ifndef TR_EVAL_VALTREE_H
#define TR_EVAL_VALTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval/expr_eval.h"
#include "eval/value.h"

/*
 * A node is what a debugger's variables view shows on one line: a name
 * ("o", "in", "[3]", "*p"), the C type, the value printed as gdb's print
 * prints it (aggregates cut short), an expression that evaluates to it
 * in the same frame ("o.in.x", "o.arr[3]", "*o.ptr", "o.ptr->x": DAP's
 * evaluateName), and how many children it has: the members of a struct
 * or union, the elements of an array (indexed: a front end asks for them
 * in chunks), what a pointer points to (the members of a struct or
 * union pointed to, or one child "*p"; none for void, char and function
 * pointers, whose value says it all, nor for a null pointer).
 */
#define TR_VNODE_VALUE 1024

struct tr_vnode {
	char name[256];
	char type[256];
	char value[TR_VNODE_VALUE];
	char expr[1024];      /* "": no expression names it */
	uint64_t nchildren;
	bool indexed;         /* children are array elements [0, n) */
	bool has_addr;        /* an lvalue in memory: at addr */
	uint64_t addr;
};

typedef int (*tr_vnode_fn)(const struct tr_vnode *n, void *arg);

/* tr_vtree_node: the node of value v (of env e) named `name` whose
 * expression is `expr` (may be NULL: none). 0 or -TR_E*. The env's
 * thread. */
int tr_vtree_node(struct tr_eval_env *e, const struct tr_value *v,
		  const char *name, const char *expr, struct tr_vnode *out);

/* tr_vtree_children: fn for children [start, start + count) of v
 * (count 0: all) in order, each with its expression built from expr
 * (NULL: the children have none). A non-zero fn return stops the walk
 * and is returned. The env's thread. */
int tr_vtree_children(struct tr_eval_env *e, const struct tr_value *v,
		      const char *expr, uint64_t start, uint64_t count,
		      tr_vnode_fn fn, void *arg);

#endif
