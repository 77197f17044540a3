/* expr_parse.c: a recursive-descent parser for C expressions with gdb's additions (tokens from expr_lex.c). */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "eval/parse_int.h"

struct node {
	struct tr_ast ast; /* first: tr_ast_free() frees the node */
	unsigned height;
};

void
tr_ast_free(struct tr_ast *a)
{
	/* Iterative along `a`, where left-associative chains grow. */
	while (a) {
		struct tr_ast *next = a->a;

		tr_ast_free(a->b);
		tr_ast_free(a->c);
		for (size_t i = 0; i < a->nargs; i++)
			tr_ast_free(a->args[i]);
		free(a->args);
		free(a->name);
		free(a->scope);
		free(a->str);
		tr__typename_free(&a->tn);
		free(a);
		a = next;
	}
}
/* ---- parser helpers ------------------------------------------------- */

static struct token *
peek(struct parser *p, size_t k)
{
	size_t i = p->cur + k;

	/* The last token (TK_END or TK_ERR) repeats forever. */
	return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}

static struct token *
advance(struct parser *p)
{
	struct token *t = peek(p, 0);

	if (p->cur + 1 < p->ntoks)
		p->cur++;
	return t;
}

static int
expect(struct parser *p, int kind)
{
	if (peek(p, 0)->kind != kind)
		return tr__parse_syntax_error(p, peek(p, 0));
	advance(p);
	return 0;
}

static unsigned
height(const struct tr_ast *a)
{
	return a ? ((const struct node *)a)->height : 0;
}

/* A new node owning a, b and c (freed if it cannot be made). */
static int
mknode(struct parser *p, enum tr_ast_kind kind, int op, uint32_t pos,
       struct tr_ast *a, struct tr_ast *b, struct tr_ast *c,
       struct tr_ast **out)
{
	struct node *n = calloc(1, sizeof(*n));
	unsigned h;

	if (!n) {
		tr_ast_free(a);
		tr_ast_free(b);
		tr_ast_free(c);
		return -TR_ENOMEM;
	}
	n->ast.kind = kind;
	n->ast.op = op;
	n->ast.pos = pos;
	n->ast.a = a;
	n->ast.b = b;
	n->ast.c = c;
	h = height(a);
	if (height(b) > h)
		h = height(b);
	if (height(c) > h)
		h = height(c);
	n->height = h + 1;
	if (n->height > HEIGHT_MAX) {
		tr_ast_free(&n->ast);
		return tr__parse_error_at(p, pos, "Expression too deeply nested.");
	}
	*out = &n->ast;
	return 0;
}

/* A leaf node from token t, taking its string. */
static int
mkleaf(struct parser *p, enum tr_ast_kind kind, struct token *t,
       struct tr_ast **out)
{
	int err;

	if ((err = mknode(p, kind, 0, t->pos, NULL, NULL, NULL, out)))
		return err;
	(*out)->ival = t->ival;
	(*out)->fval = t->fval;
	(*out)->lit = t->lit;
	if (kind == TR_AST_STRING) {
		(*out)->str = t->str;
		(*out)->len = t->len;
	} else {
		(*out)->name = t->str;
	}
	t->str = NULL;
	return 0;
}

typedef int (*parse_fn)(struct parser *p, struct tr_ast **out);

/* fn one level of nesting deeper; pos is where that level starts. */
static int
nested(struct parser *p, parse_fn fn, uint32_t pos, struct tr_ast **out)
{
	int err;

	if (p->depth >= DEPTH_MAX)
		return tr__parse_error_at(p, pos, "Expression too deeply nested.");
	p->depth++;
	err = fn(p, out);
	p->depth--;
	return err;
}

/* ---- type names ----------------------------------------------------- */

static bool
names_type(struct parser *p, const struct token *t)
{
	return t->kind == TK_TYPEKW ||
	       (t->kind == TK_IDENT && p->is_type &&
		p->is_type(p->ctx, t->str));
}

/* Specifiers seen so far, to refuse `char int` or `long long long`. */
enum {
	S_VOID = 1 << 0, S_CHAR = 1 << 1, S_SHORT = 1 << 2, S_INT = 1 << 3,
	S_LONG = 1 << 4, S_FLOAT = 1 << 5, S_DOUBLE = 1 << 6,
	S_SIGN = 1 << 7, S_BOOL = 1 << 8, S_NAMED = 1 << 9,
};

/* The specifiers each one goes with. */
static unsigned
spec_bit(int kw, unsigned *with)
{
	switch (kw) {
	case KW_VOID: *with = 0; return S_VOID;
	case KW_BOOL: *with = 0; return S_BOOL;
	case KW_FLOAT: *with = 0; return S_FLOAT;
	case KW_CHAR: *with = S_SIGN; return S_CHAR;
	case KW_SHORT: *with = S_INT | S_SIGN; return S_SHORT;
	case KW_INT: *with = S_SHORT | S_LONG | S_SIGN; return S_INT;
	case KW_LONG:
		*with = S_INT | S_SIGN | S_LONG | S_DOUBLE;
		return S_LONG;
	case KW_DOUBLE: *with = S_LONG; return S_DOUBLE;
	case KW_SIGNED:
	case KW_UNSIGNED:
		*with = S_CHAR | S_SHORT | S_INT | S_LONG;
		return S_SIGN;
	default: *with = 0; return S_NAMED; /* struct union enum */
	}
}

/* A growing list of declarator derivations. */
struct opl {
	struct tr_tn_op *v;
	size_t n, cap;
};

static void
opl_free(struct opl *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t k = 0; k < l->v[i].nparams; k++)
			tr__typename_free(&l->v[i].params[k]);
		free(l->v[i].params);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
tr__typename_free(struct tr_typename *tn)
{
	struct opl l = { tn->ops, tn->nops, tn->nops };

	opl_free(&l);
	free(tn->base);
	memset(tn, 0, sizeof(*tn));
}

/* Appends op (taking its parameters). */
static int
opl_add(struct opl *l, const struct tr_tn_op *op)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct tr_tn_op *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -TR_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *op;
	return 0;
}

static int
opl_kind(struct opl *l, enum tr_tn_kind kind, uint64_t len)
{
	struct tr_tn_op op = { .kind = kind, .len = len };

	return opl_add(l, &op);
}

/* Moves every op of `from` to the end of `to`. */
static int
opl_move(struct opl *to, struct opl *from)
{
	for (size_t i = 0; i < from->n; i++) {
		int err = opl_add(to, &from->v[i]);

		if (err) {
			/* the ones moved belong to `to` now */
			memmove(from->v, from->v + i,
				(from->n - i) * sizeof(*from->v));
			from->n -= i;
			return err;
		}
	}
	free(from->v);
	memset(from, 0, sizeof(*from));
	return 0;
}

static int parse_typename(struct parser *p, struct tr_typename *tn);

static bool
at_ellipsis(struct parser *p)
{
	return peek(p, 0)->kind == TK_DOT && peek(p, 1)->kind == TK_DOT &&
	       peek(p, 2)->kind == TK_DOT &&
	       peek(p, 1)->pos == peek(p, 0)->pos + 1 &&
	       peek(p, 2)->pos == peek(p, 0)->pos + 2;
}

/* A parameter list after its '(': a FUNC op. */
static int
parse_params(struct parser *p, struct tr_tn_op *op)
{
	size_t cap = 0;
	int err;

	memset(op, 0, sizeof(*op));
	op->kind = TR_TN_FUNC;
	if (peek(p, 0)->kind == TK_RPAREN) {
		advance(p); /* "()": no prototype */
		return 0;
	}
	op->prototyped = true;
	for (;;) {
		struct tr_typename *pt;

		if (at_ellipsis(p) && op->nparams) {
			p->cur += 3;
			op->variadic = true;
			break;
		}
		if (op->nparams == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct tr_typename *v =
				realloc(op->params, ncap * sizeof(*v));

			if (!v)
				return -TR_ENOMEM;
			op->params = v;
			cap = ncap;
		}
		pt = &op->params[op->nparams];
		if (!names_type(p, peek(p, 0)))
			return tr__parse_syntax_error(p, peek(p, 0));
		if ((err = parse_typename(p, pt)))
			return err;
		op->nparams++;
		/* "(void)": no parameters */
		if (op->nparams == 1 && !pt->nops && !strcmp(pt->base, "void") &&
		    peek(p, 0)->kind == TK_RPAREN) {
			tr__typename_free(pt);
			op->nparams = 0;
			break;
		}
		if (peek(p, 0)->kind != TK_COMMA)
			break;
		advance(p);
	}
	return expect(p, TK_RPAREN);
}

/*
 * An abstract declarator (C11 6.7.7), its derivations appended to *out in
 * the order they apply: the pointers, then the suffixes from the last
 * one in, then what a parenthesized declarator inside adds.
 */
static int
parse_abstract(struct parser *p, struct opl *out)
{
	struct opl inner = { 0 }, suf = { 0 };
	struct token *t;
	int err = 0;

	if (p->depth >= DEPTH_MAX)
		return tr__parse_error_at(p, peek(p, 0)->pos,
					  "Expression too deeply nested.");
	p->depth++;
	for (;;) {
		t = peek(p, 0);
		if (t->kind == TR_TOK_STAR)
			err = opl_kind(out, TR_TN_PTR, 0);
		else if (t->kind == TK_TYPEKW && t->kw == KW_CONST)
			err = opl_kind(out, TR_TN_CONST, 0);
		else if (t->kind == TK_TYPEKW && t->kw == KW_VOLATILE)
			err = opl_kind(out, TR_TN_VOLATILE, 0);
		else
			break;
		if (err)
			goto out;
		advance(p);
	}
	t = peek(p, 0);
	if (t->kind == TK_LPAREN && (peek(p, 1)->kind == TR_TOK_STAR ||
				     peek(p, 1)->kind == TK_LPAREN ||
				     peek(p, 1)->kind == TK_LBRACKET)) {
		advance(p);
		if ((err = parse_abstract(p, &inner)) ||
		    (err = expect(p, TK_RPAREN)))
			goto out;
	}
	for (;;) {
		struct tr_tn_op op;

		t = peek(p, 0);
		if (t->kind == TK_LBRACKET) {
			uint64_t n = 0; /* []: of unknown length */

			advance(p);
			t = peek(p, 0);
			if (t->kind != TK_RBRACKET &&
			    (t->kind != TK_INT || t->ival == 0)) {
				err = tr__parse_syntax_error(p, t);
				goto out;
			}
			if (t->kind == TK_INT)
				n = advance(p)->ival;
			if ((err = expect(p, TK_RBRACKET)) ||
			    (err = opl_kind(&suf, TR_TN_ARRAY, n)))
				goto out;
		} else if (t->kind == TK_LPAREN) {
			advance(p);
			err = parse_params(p, &op);
			if (!err)
				err = opl_add(&suf, &op);
			if (err) {
				for (size_t k = 0; k < op.nparams; k++)
					tr__typename_free(&op.params[k]);
				free(op.params);
				goto out;
			}
		} else {
			break;
		}
	}
	/* [2][3] is an array of 2 arrays of 3: the last suffix first */
	for (size_t i = 0; i < suf.n / 2; i++) {
		struct tr_tn_op x = suf.v[i];

		suf.v[i] = suf.v[suf.n - 1 - i];
		suf.v[suf.n - 1 - i] = x;
	}
	if (!(err = opl_move(out, &suf)))
		err = opl_move(out, &inner);
out:
	opl_free(&suf);
	opl_free(&inner);
	p->depth--;
	return err;
}

static int
parse_typename(struct parser *p, struct tr_typename *tn)
{
	const struct token *words[4]; /* "unsigned long long int" at most */
	unsigned nwords = 0, seen = 0, nlong = 0;
	bool is_const = false, is_volatile = false;
	struct opl ops = { 0 };
	size_t len = 0;
	struct token *t;
	char *base;
	int err;

	memset(tn, 0, sizeof(*tn));
	for (;;) {
		unsigned bit, with;

		t = peek(p, 0);
		if (t->kind == TK_TYPEKW &&
		    (t->kw == KW_CONST || t->kw == KW_VOLATILE)) {
			is_const |= t->kw == KW_CONST;
			is_volatile |= t->kw == KW_VOLATILE;
			advance(p);
			continue;
		}
		if (t->kind == TK_IDENT && !seen && names_type(p, t)) {
			words[nwords++] = advance(p);
			seen = S_NAMED;
			continue;
		}
		if (t->kind != TK_TYPEKW)
			break;
		bit = spec_bit(t->kw, &with);
		if ((seen & ~with) || ((seen & bit) && bit != S_LONG) ||
		    (bit == S_LONG && (nlong == 2 ||
				       (nlong == 1 && (seen & S_DOUBLE)))) ||
		    (bit == S_DOUBLE && nlong > 1))
			return tr__parse_syntax_error(p, t);
		seen |= bit;
		nlong += bit == S_LONG;
		words[nwords++] = advance(p);
		if (bit == S_NAMED) {
			/* struct union enum: the tag follows */
			if (peek(p, 0)->kind != TK_IDENT)
				return tr__parse_syntax_error(p, peek(p, 0));
			words[nwords++] = advance(p);
		}
	}
	if (!seen)
		return tr__parse_syntax_error(p, peek(p, 0));
	/* The base type's qualifiers apply first. */
	if ((is_const && (err = opl_kind(&ops, TR_TN_CONST, 0))) ||
	    (is_volatile && (err = opl_kind(&ops, TR_TN_VOLATILE, 0))) ||
	    (err = parse_abstract(p, &ops))) {
		opl_free(&ops);
		return err;
	}

	/* The words as written, one space apart; `unsigned` and `signed`
	 * alone are spelt out. */
	for (unsigned i = 0; i < nwords; i++)
		len += strlen(words[i]->kind == TK_TYPEKW ?
			      tr__parse_keywords[words[i]->kw] : words[i]->str) + 1;
	if (!(base = malloc(len + 4))) {
		opl_free(&ops);
		return -TR_ENOMEM;
	}
	base[0] = '\0';
	for (unsigned i = 0; i < nwords; i++) {
		if (i)
			strcat(base, " ");
		strcat(base, words[i]->kind == TK_TYPEKW ?
			     tr__parse_keywords[words[i]->kw] : words[i]->str);
	}
	if (!strcmp(base, "unsigned") || !strcmp(base, "signed"))
		strcat(base, " int");
	tn->base = base;
	tn->ops = ops.v;
	tn->nops = ops.n;
	return 0;
}

/* ---- expressions ---------------------------------------------------- */

static int parse_expr(struct parser *p, struct tr_ast **out);
static int parse_assign(struct parser *p, struct tr_ast **out);
static int parse_cond(struct parser *p, struct tr_ast **out);
static int parse_cast(struct parser *p, struct tr_ast **out);
static int parse_unary(struct parser *p, struct tr_ast **out);

static int
parse_primary(struct parser *p, struct tr_ast **out)
{
	struct token *t = peek(p, 0), *name;
	struct tr_ast *a;
	int err;

	switch (t->kind) {
	case TK_INT:
		return mkleaf(p, TR_AST_INT, advance(p), out);
	case TK_FLOAT:
		return mkleaf(p, TR_AST_FLOAT, advance(p), out);
	case TK_CHAR:
		return mkleaf(p, TR_AST_CHAR, advance(p), out);
	case TK_IDENT:
		return mkleaf(p, TR_AST_IDENT, advance(p), out);
	case TK_REG:
		return mkleaf(p, TR_AST_REG, advance(p), out);
	case TK_STRING: {
		/* "a" "b" is "ab"; "a" L"b" is L"ab" (C11 6.4.5) */
		size_t n = 0, len = 0, es = 1;
		enum tr_lit lit = 0;
		char *str;

		for (; peek(p, n)->kind == TK_STRING; n++) {
			enum tr_lit l = peek(p, n)->lit;

			if (l && lit && l != lit)
				return tr__parse_error_at(
					p, t->pos, "Undefined string "
						   "concatenation.");
			if (l)
				lit = l;
		}
		if (lit)
			es = lit == TR_LIT_CHAR16 ? 2 : 4;
		for (size_t i = 0; i < n; i++)
			len += peek(p, i)->lit ? peek(p, i)->len
					       : peek(p, i)->len * es;
		if (n > 1) {
			if (!(str = calloc(1, len + es)))
				return -TR_ENOMEM;
			len = 0;
			for (size_t i = 0; i < n; i++) {
				struct token *k = peek(p, i);

				if (k->lit || es == 1) {
					memcpy(str + len, k->str, k->len);
					len += k->len;
					continue;
				}
				/* a narrow part of a wide string: a code
				 * unit per byte */
				for (size_t b = 0; b < k->len; b++, len += es)
					str[len] = k->str[b];
			}
			free(t->str);
			t->str = str;
			t->len = len;
			t->lit = lit;
		}
		if ((err = mkleaf(p, TR_AST_STRING, t, &a)))
			return err;
		p->cur += n;
		*out = a;
		return 0;
	}
	case TK_SCOPE:
		advance(p);
		if ((err = expect(p, TK_COLONCOLON)))
			return err;
		name = peek(p, 0);
		if (name->kind != TK_IDENT)
			return tr__parse_syntax_error(p, name);
		if ((err = mkleaf(p, TR_AST_SCOPED, advance(p), &a)))
			return err;
		a->pos = t->pos;
		a->scope = t->str;
		t->str = NULL;
		*out = a;
		return 0;
	case TK_LPAREN:
		advance(p);
		if ((err = nested(p, parse_expr, t->pos, &a)))
			return err;
		if ((err = expect(p, TK_RPAREN))) {
			tr_ast_free(a);
			return err;
		}
		*out = a;
		return 0;
	default:
		return tr__parse_syntax_error(p, t);
	}
}

static int
parse_call(struct parser *p, struct tr_ast *fn, struct tr_ast **out)
{
	struct token *lp = advance(p);
	struct tr_ast *call, *arg;
	size_t cap = 0;
	unsigned h;
	int err;

	/* Height checked once the arguments are in. */
	if ((err = mknode(p, TR_AST_CALL, 0, lp->pos, fn, NULL, NULL, &call)))
		return err;
	h = ((struct node *)call)->height;
	if (peek(p, 0)->kind != TK_RPAREN) {
		for (;;) {
			if ((err = nested(p, parse_assign, peek(p, 0)->pos,
					  &arg)))
				goto fail;
			if (call->nargs == cap) {
				size_t ncap = cap ? cap * 2 : 4;
				struct tr_ast **args = realloc(
					call->args, ncap * sizeof(*args));

				if (!args) {
					tr_ast_free(arg);
					err = -TR_ENOMEM;
					goto fail;
				}
				call->args = args;
				cap = ncap;
			}
			call->args[call->nargs++] = arg;
			if (height(arg) + 1 > h)
				h = height(arg) + 1;
			if (peek(p, 0)->kind != TK_COMMA)
				break;
			advance(p);
		}
	}
	if ((err = expect(p, TK_RPAREN)))
		goto fail;
	if (h > HEIGHT_MAX) {
		err = tr__parse_error_at(p, lp->pos, "Expression too deeply nested.");
		goto fail;
	}
	((struct node *)call)->height = h;
	*out = call;
	return 0;
fail:
	tr_ast_free(call);
	return err;
}

static int
parse_postfix(struct parser *p, struct tr_ast **out)
{
	struct tr_ast *a, *b;
	struct token *t, *name;
	int err;

	if ((err = parse_primary(p, &a)))
		return err;
	for (;;) {
		t = peek(p, 0);
		switch (t->kind) {
		case TK_LBRACKET:
			advance(p);
			if ((err = nested(p, parse_expr, t->pos, &b)))
				goto fail;
			if ((err = expect(p, TK_RBRACKET))) {
				tr_ast_free(b);
				goto fail;
			}
			err = mknode(p, TR_AST_INDEX, 0, t->pos, a, b, NULL,
				     &a);
			break;
		case TK_LPAREN:
			err = parse_call(p, a, &a);
			break;
		case TK_DOT:
		case TK_ARROW:
			advance(p);
			name = peek(p, 0);
			if (name->kind != TK_IDENT) {
				err = tr__parse_syntax_error(p, name);
				goto fail;
			}
			advance(p);
			err = mknode(p, t->kind == TK_DOT ? TR_AST_MEMBER
							  : TR_AST_ARROW,
				     0, t->pos, a, NULL, NULL, &a);
			if (!err) {
				a->name = name->str;
				name->str = NULL;
			}
			break;
		case TR_TOK_INC:
		case TR_TOK_DEC:
			advance(p);
			err = mknode(p, TR_AST_POSTFIX, t->kind, t->pos, a,
				     NULL, NULL, &a);
			break;
		default:
			*out = a;
			return 0;
		}
		/* mknode and parse_call free `a` when they fail */
		if (err)
			return err;
	}
fail:
	tr_ast_free(a);
	return err;
}

/* sizeof unary-expression, or sizeof ( type-name ) */
static int
parse_sizeof(struct parser *p, struct tr_ast **out)
{
	struct token *t = advance(p);
	struct tr_typename tn;
	struct tr_ast *a;
	int err;

	if (peek(p, 0)->kind == TK_LPAREN && names_type(p, peek(p, 1))) {
		advance(p);
		if ((err = parse_typename(p, &tn)) ||
		    (err = expect(p, TK_RPAREN))) {
			tr__typename_free(&tn);
			return err;
		}
		if ((err = mknode(p, TR_AST_SIZEOF_TYPE, 0, t->pos, NULL, NULL,
				  NULL, out))) {
			tr__typename_free(&tn);
			return err;
		}
		(*out)->tn = tn;
		return 0;
	}
	if ((err = nested(p, parse_unary, t->pos, &a)))
		return err;
	return mknode(p, TR_AST_SIZEOF_EXPR, 0, t->pos, a, NULL, NULL, out);
}

static int
parse_unary(struct parser *p, struct tr_ast **out)
{
	struct token *t = peek(p, 0);
	struct tr_ast *a;
	int err;

	switch (t->kind) {
	case TR_TOK_INC:
	case TR_TOK_DEC:
		advance(p);
		if ((err = nested(p, parse_unary, t->pos, &a)))
			return err;
		return mknode(p, TR_AST_UNARY, t->kind, t->pos, a, NULL, NULL,
			      out);
	case TR_TOK_AMP:
	case TR_TOK_STAR:
	case TR_TOK_PLUS:
	case TR_TOK_MINUS:
	case TR_TOK_TILDE:
	case TR_TOK_NOT:
		advance(p);
		if ((err = nested(p, parse_cast, t->pos, &a)))
			return err;
		return mknode(p, TR_AST_UNARY, t->kind, t->pos, a, NULL, NULL,
			      out);
	case TK_SIZEOF:
		return parse_sizeof(p, out);
	default:
		return parse_postfix(p, out);
	}
}

static int
parse_cast(struct parser *p, struct tr_ast **out)
{
	struct token *t = peek(p, 0);
	struct tr_typename tn;
	struct tr_ast *a;
	int err;

	/* `(x)` starts a cast when x names a type, as in C. */
	if (t->kind != TK_LPAREN || !names_type(p, peek(p, 1)))
		return parse_unary(p, out);
	advance(p);
	if ((err = parse_typename(p, &tn)) || (err = expect(p, TK_RPAREN)) ||
	    (err = nested(p, parse_cast, t->pos, &a))) {
		tr__typename_free(&tn);
		return err;
	}
	if ((err = mknode(p, TR_AST_CAST, 0, t->pos, a, NULL, NULL, out))) {
		tr__typename_free(&tn);
		return err;
	}
	(*out)->tn = tn;
	return 0;
}

/* Binary operators from || (1) to * / % (11); 0: not one. gdb's @ binds
 * between the shifts and + - (gdb's c-exp.y). */
static int
binary_prec(int tok)
{
	switch (tok) {
	case TR_TOK_OROR: return 1;
	case TR_TOK_ANDAND: return 2;
	case TR_TOK_PIPE: return 3;
	case TR_TOK_CARET: return 4;
	case TR_TOK_AMP: return 5;
	case TR_TOK_EQ: case TR_TOK_NE: return 6;
	case TR_TOK_LT: case TR_TOK_GT: case TR_TOK_LE: case TR_TOK_GE:
		return 7;
	case TR_TOK_SHL: case TR_TOK_SHR: return 8;
	case TR_TOK_AT: return 9;
	case TR_TOK_PLUS: case TR_TOK_MINUS: return 10;
	case TR_TOK_STAR: case TR_TOK_SLASH: case TR_TOK_PERCENT: return 11;
	default: return 0;
	}
}

/* Precedence climbing over the left-associative binary operators: the
 * recursion is at most ten levels deep whatever the input. */
static int
parse_binary(struct parser *p, int min_prec, struct tr_ast **out)
{
	struct tr_ast *a, *b;
	int err, prec;

	if ((err = parse_cast(p, &a)))
		return err;
	while ((prec = binary_prec(peek(p, 0)->kind)) >= min_prec &&
	       prec > 0) {
		struct token *op = advance(p);

		if ((err = parse_binary(p, prec + 1, &b))) {
			tr_ast_free(a);
			return err;
		}
		if ((err = mknode(p, TR_AST_BINARY, op->kind, op->pos, a, b,
				  NULL, &a)))
			return err;
	}
	*out = a;
	return 0;
}

static int
parse_cond(struct parser *p, struct tr_ast **out)
{
	struct tr_ast *a, *b, *c;
	struct token *q;
	int err;

	if ((err = parse_binary(p, 1, &a)))
		return err;
	if (peek(p, 0)->kind != TK_QUESTION) {
		*out = a;
		return 0;
	}
	q = advance(p);
	if ((err = nested(p, parse_expr, q->pos, &b))) {
		tr_ast_free(a);
		return err;
	}
	if ((err = expect(p, TK_COLON)) ||
	    (err = nested(p, parse_cond, q->pos, &c))) {
		tr_ast_free(a);
		tr_ast_free(b);
		return err;
	}
	return mknode(p, TR_AST_TERNARY, 0, q->pos, a, b, c, out);
}

static bool
is_assign_op(int tok)
{
	return tok >= TR_TOK_ASSIGN && tok <= TR_TOK_SHR_ASSIGN;
}

/* As gdb, any operand may stand left of '=': `a + b = c` parses, and the
 * evaluator says it is not an lvalue. */
static int
parse_assign(struct parser *p, struct tr_ast **out)
{
	struct tr_ast *a, *b;
	struct token *op;
	int err;

	if ((err = parse_cond(p, &a)))
		return err;
	if (!is_assign_op(peek(p, 0)->kind)) {
		*out = a;
		return 0;
	}
	op = advance(p);
	if ((err = nested(p, parse_assign, op->pos, &b))) {
		tr_ast_free(a);
		return err;
	}
	return mknode(p, TR_AST_ASSIGN, op->kind, op->pos, a, b, NULL, out);
}

static int
parse_expr(struct parser *p, struct tr_ast **out)
{
	struct tr_ast *a, *b;
	int err;

	if ((err = parse_assign(p, &a)))
		return err;
	while (peek(p, 0)->kind == TK_COMMA) {
		struct token *op = advance(p);

		if ((err = parse_assign(p, &b))) {
			tr_ast_free(a);
			return err;
		}
		if ((err = mknode(p, TR_AST_COMMA, 0, op->pos, a, b, NULL,
				  &a)))
			return err;
	}
	*out = a;
	return 0;
}

int
tr_expr_parse(const char *src, tr_expr_is_type is_type, void *ctx,
	      struct tr_ast **out, struct tr_expr_err *err)
{
	struct parser p = { .src = src, .is_type = is_type, .ctx = ctx };
	struct tr_ast *root = NULL;
	size_t i;
	int e;

	if (out)
		*out = NULL;
	if (!src || !out) {
		if (err)
			*err = (struct tr_expr_err){ 0, "Invalid argument." };
		return -TR_EINVAL;
	}
	for (i = 0; tr__lex_is_space(src[i]); i++)
		;
	if (!src[i]) {
		e = tr__parse_error_at(&p, 0, "Empty expression.");
	} else if (strnlen(src, UINT32_MAX) == UINT32_MAX) {
		e = tr__parse_error_at(&p, 0, "Expression too long.");
	} else if (!(e = tr__lex(&p)) && !(e = parse_expr(&p, &root)) &&
		   peek(&p, 0)->kind != TK_END) {
		/* trailing tokens */
		e = tr__parse_syntax_error(&p, peek(&p, 0));
		tr_ast_free(root);
		root = NULL;
	}
	for (i = 0; i < p.ntoks; i++)
		free(p.toks[i].str);
	free(p.toks);
	if (p.c_locale)
		freelocale(p.c_locale);
	if (e == -TR_ENOMEM)
		tr__parse_error_at(&p, 0, "Out of memory.");
	if (e && err)
		*err = p.err;
	if (!e)
		*out = root;
	return e;
}
