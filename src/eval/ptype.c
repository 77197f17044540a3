/* ptype.c: gdb's whatis and ptype: the type an expression's value has, or the type a type name names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "eval/eval_int.h"

/*
 * Whether src is a type name is the parser's business (it knows the
 * typedefs through tr_eval_is_type): src is parsed as the operand of
 * sizeof, and a type name if that is what sizeof took whole.
 */
#define WRAP "sizeof("

static int
type_named(struct tr_eval_env *e, const char *src, const struct tr_type **t)
{
	size_t n = strlen(src);
	char *w = malloc(n + sizeof(WRAP) + 1);
	struct tr_ast *ast = NULL;
	struct tr_expr_err perr;
	int err;

	if (!w)
		return -TR_ENOMEM;
	memcpy(w, WRAP, sizeof(WRAP) - 1);
	memcpy(w + sizeof(WRAP) - 1, src, n);
	memcpy(w + sizeof(WRAP) - 1 + n, ")", 2);
	err = tr_expr_parse(w, tr_eval_is_type, e, &ast, &perr);
	free(w);
	if (err || ast->kind != TR_AST_SIZEOF_TYPE) {
		tr_ast_free(ast);
		return 1; /* not a type name */
	}
	err = tr__ev_type_of_name(e, ast, &ast->tn, t);
	if (err && e->errpos >= sizeof(WRAP) - 1)
		e->errpos -= sizeof(WRAP) - 1;
	tr_ast_free(ast);
	return err;
}

int
tr_eval_describe(struct tr_eval_env *e, const char *src, bool ptype,
		 char *out, size_t len, struct tr_expr_err *err)
{
	const struct tr_type *t = NULL;
	struct tr_ast *ast = NULL;
	struct tr_value v;
	bool named = false;
	int rc;

	memset(err, 0, sizeof(*err));
	rc = type_named(e, src, &t);
	if (rc == 0) {
		named = true;
	} else if (rc < 0) {
		err->pos = e->errpos;
		snprintf(err->msg, sizeof(err->msg), "%s", e->err);
		return rc;
	} else {
		rc = tr_expr_parse(src, tr_eval_is_type, e, &ast, err);
		if (rc)
			return rc;
		e->no_side_effects = true;
		rc = tr_eval(e, ast, &v);
		tr_ast_free(ast);
		if (rc) {
			err->pos = e->errpos;
			snprintf(err->msg, sizeof(err->msg), "%s", e->err);
			return rc;
		}
		t = v.type;
		tr_value_release(&v);
	}
	if (ptype)
		return tr_type_ptype(t, out, len);
	/* whatis of a typedef's name unrolls one level of it */
	if (named && t->kind == TR_TYPE_TYPEDEF && t->target)
		t = t->target;
	return tr_type_name(t, out, len);
}
