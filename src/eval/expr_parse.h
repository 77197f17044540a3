/* expr_parse.h: C expressions parsed into a tree, with the position of every node for error messages. */
#ifndef TR_EVAL_EXPR_PARSE_H
#define TR_EVAL_EXPR_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The grammar is C's expression grammar (C11 6.5) with gdb's additions:
 * registers ($rip, $rsp, $eax...), names qualified by a file or a
 * function (`file.c::name`, `function::name`, also quoted:
 * `'file.c'::name`), and the binary operator @ (`*p@3`: an array of 3
 * objects from p on), between shifts and + - as in gdb's grammar.
 * Precedence and associativity are C's: comma, then
 * assignment (right), ?:, ||, &&, |, ^, &, == !=, < > <= >=, << >>, @, + -,
 * * / %, casts and unary operators (prefix ++ -- + - ! ~ * & sizeof),
 * postfix (call, [], ., ->, ++ --), primary.
 *
 * Whether `(x)` starts a cast depends on whether x names a type, as in
 * C: the parser asks the caller (tr_expr_is_type). Keywords that always
 * start a type name: void char short int long float double signed
 * unsigned _Bool struct union enum const volatile.
 */

enum tr_ast_kind {
	TR_AST_INT = 1,      /* integer literal: ival, lit */
	TR_AST_FLOAT = 2,    /* floating literal: fval, lit */
	TR_AST_CHAR = 3,     /* character literal 'A': ival (type int in C,
				printed as char by gdb: lit = TR_LIT_CHAR) */
	TR_AST_STRING = 4,   /* string literal: str[0..len), escapes decoded,
				adjacent literals concatenated, no NUL
				counted in len (str is NUL-terminated); a
				wide one (lit TR_LIT_WCHAR...) holds its
				code units as the target stores them (4, 2
				or 4 bytes each, len in bytes) */
	TR_AST_IDENT = 5,    /* name */
	TR_AST_REG = 6,      /* $name: name without the '$' */
	TR_AST_SCOPED = 7,   /* scope::name: scope ("file.c", "main"), name */
	TR_AST_UNARY = 8,    /* op a: op is one of the TR_TOK_* below
				(PLUS MINUS NOT TILDE STAR AMP INC DEC) */
	TR_AST_POSTFIX = 9,  /* a op: INC or DEC */
	TR_AST_BINARY = 10,  /* a op b: arithmetic, bitwise, shifts,
				comparisons, ANDAND, OROR */
	TR_AST_ASSIGN = 11,  /* a op b: op ASSIGN, or a compound one
				(ADD_ASSIGN...) */
	TR_AST_TERNARY = 12, /* a ? b : c */
	TR_AST_COMMA = 13,   /* a , b */
	TR_AST_CAST = 14,    /* (tn) a */
	TR_AST_SIZEOF_TYPE = 15, /* sizeof (tn) */
	TR_AST_SIZEOF_EXPR = 16, /* sizeof a */
	TR_AST_MEMBER = 17,  /* a.name */
	TR_AST_ARROW = 18,   /* a->name */
	TR_AST_INDEX = 19,   /* a[b] */
	TR_AST_CALL = 20,    /* a(args[0], ..., args[nargs-1]) */
};

/* Tokens that are operators, as stored in struct tr_ast.op. */
enum tr_tok {
	TR_TOK_PLUS = 1, TR_TOK_MINUS, TR_TOK_STAR, TR_TOK_SLASH,
	TR_TOK_PERCENT, TR_TOK_AMP, TR_TOK_PIPE, TR_TOK_CARET, TR_TOK_TILDE,
	TR_TOK_NOT, TR_TOK_SHL, TR_TOK_SHR, TR_TOK_LT, TR_TOK_GT, TR_TOK_LE,
	TR_TOK_GE, TR_TOK_EQ, TR_TOK_NE, TR_TOK_ANDAND, TR_TOK_OROR,
	TR_TOK_INC, TR_TOK_DEC,
	TR_TOK_ASSIGN, TR_TOK_ADD_ASSIGN, TR_TOK_SUB_ASSIGN,
	TR_TOK_MUL_ASSIGN, TR_TOK_DIV_ASSIGN, TR_TOK_MOD_ASSIGN,
	TR_TOK_AND_ASSIGN, TR_TOK_OR_ASSIGN, TR_TOK_XOR_ASSIGN,
	TR_TOK_SHL_ASSIGN, TR_TOK_SHR_ASSIGN,
	TR_TOK_AT, /* gdb's a@n: n objects like a from a's address on */
};

/* The C type of a literal, from its form and suffix (C11 6.4.4.1: a
 * decimal literal without suffix is the first of int, long that holds
 * it; hex and octal ones the first of int, unsigned, long, unsigned
 * long). */
enum tr_lit {
	TR_LIT_INT = 1, TR_LIT_UINT, TR_LIT_LONG, TR_LIT_ULONG,
	TR_LIT_LLONG, TR_LIT_ULLONG, TR_LIT_FLOAT, TR_LIT_DOUBLE,
	TR_LIT_LDOUBLE, TR_LIT_CHAR,
	TR_LIT_WCHAR, TR_LIT_CHAR16, TR_LIT_CHAR32, /* L'a' u'a' U'a', and
						      L"" u"" U"" strings */
};

/*
 * A type name as written in a cast or sizeof (C11 6.7.7): `unsigned
 * long`, `const char **`, `my_typedef *`, `int [4]`, and any abstract
 * declarator: `int (*)(int)`, `int (*)[3]`, `char *(*)(const char *,
 * ...)`, `void (*(*)(void))[4]`. `base` is the specifier list normalized
 * to single spaces without qualifiers ("unsigned long", "struct point",
 * "my_typedef", "char"); `ops` are the derivations of the declarator in
 * the order they apply to the base type: `const int *[3]` is CONST, PTR,
 * ARRAY 3 (an array of 3 pointers to const int); `int (*)(int)` is FUNC
 * (int), PTR.
 */
enum tr_tn_kind {
	TR_TN_PTR = 1,
	TR_TN_ARRAY = 2,    /* len elements */
	TR_TN_FUNC = 3,     /* a function returning what came before */
	TR_TN_CONST = 4,
	TR_TN_VOLATILE = 5,
};

struct tr_typename;

struct tr_tn_op {
	enum tr_tn_kind kind;
	uint64_t len;               /* ARRAY; 0: unknown ("[]") */
	struct tr_typename *params; /* FUNC: nparams type names */
	size_t nparams;
	bool prototyped;            /* FUNC: "(void)" or a list, not "()" */
	bool variadic;              /* FUNC: ends with "..." */
};

struct tr_typename {
	char *base;
	struct tr_tn_op *ops;
	size_t nops;
};

struct tr_ast {
	enum tr_ast_kind kind;
	int op;               /* enum tr_tok, for UNARY POSTFIX BINARY ASSIGN */
	uint32_t pos;         /* offset in the source of the node's token:
				 the operator for operators, the first
				 character otherwise */
	struct tr_ast *a, *b, *c;
	struct tr_ast **args; /* CALL */
	size_t nargs;
	uint64_t ival;        /* INT, CHAR */
	long double fval;     /* FLOAT: a long double literal (1.1L) keeps
				 its 64-bit mantissa */
	enum tr_lit lit;      /* INT, FLOAT, CHAR */
	char *name;           /* IDENT REG SCOPED MEMBER ARROW */
	char *scope;          /* SCOPED */
	char *str;            /* STRING */
	size_t len;           /* STRING */
	struct tr_typename tn; /* CAST SIZEOF_TYPE */
};

/* Answers whether `name` (an identifier) names a type (a typedef) where the
 * expression is evaluated. */
typedef bool (*tr_expr_is_type)(void *ctx, const char *name);

struct tr_expr_err {
	uint32_t pos;   /* offset in the source where the error is */
	char msg[512];  /* "expected ')'", "unterminated string"... */
};

/*
 * tr_expr_parse: parse `src` (NUL-terminated) into a tree; *out gets the
 * root, freed with tr_ast_free(). is_type may be NULL (no typedef names).
 * On a syntax error returns -TR_EINVAL with *err filled (err may be NULL);
 * -TR_ENOMEM. Any thread; no global state.
 */
int tr_expr_parse(const char *src, tr_expr_is_type is_type, void *ctx,
		  struct tr_ast **out, struct tr_expr_err *err);

void tr_ast_free(struct tr_ast *a);

/* tr_tok_str: the spelling of an operator token ("+", "<<=", "->"). */
const char *tr_tok_str(int tok);

#endif
