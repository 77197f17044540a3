/* parse_int.h: what the lexer and the parser of C expressions share (not exported). */
#ifndef TR_EVAL_PARSE_INT_H
#define TR_EVAL_PARSE_INT_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval/expr_parse.h"

/*
 * Hostile input must not overflow the stack, here or in whoever walks the
 * tree: the parser refuses more than DEPTH_MAX nested sub-expressions
 * (parentheses, brackets, call arguments, operands of prefix operators
 * and casts, right operands of ?: and assignments), and trees higher than
 * HEIGHT_MAX nodes (long left-associative chains such as 1+1+...+1).
 */
#define DEPTH_MAX 256
#define HEIGHT_MAX 256

/* The part of the rest of the input quoted in a syntax error, so that the
 * message fits struct tr_expr_err.msg. */
#define NEAR_MAX 256

/* Token kinds: the operators of enum tr_tok keep their values, the others
 * come after them. */
enum {
	TK_END = 0,
	TK_LPAREN = 64, TK_RPAREN, TK_LBRACKET, TK_RBRACKET, TK_DOT,
	TK_ARROW, TK_QUESTION, TK_COLON, TK_COLONCOLON, TK_COMMA,
	TK_INT, TK_FLOAT, TK_CHAR, TK_STRING, TK_IDENT, TK_REG, TK_SCOPE,
	TK_SIZEOF, TK_TYPEKW,
	TK_ERR, /* a lexical error: the last token, p->lexmsg says what */
};

/* Keywords that start a type name (TK_TYPEKW). */
enum {
	KW_VOID, KW_CHAR, KW_SHORT, KW_INT, KW_LONG, KW_FLOAT, KW_DOUBLE,
	KW_SIGNED, KW_UNSIGNED, KW_BOOL, KW_STRUCT, KW_UNION, KW_ENUM,
	KW_CONST, KW_VOLATILE,
};

/* Spellings of the operator and punctuator tokens, longest first so that
 * the lexer takes the longest match. */
struct token {
	int kind;
	int kw;           /* TK_TYPEKW: KW_* */
	uint32_t pos;
	enum tr_lit lit;  /* TK_INT TK_FLOAT TK_CHAR */
	uint64_t ival;
	long double fval;
	char *str;        /* owned: TK_STRING (decoded), TK_IDENT TK_REG
			     TK_SCOPE (the name); NULL once moved to a node */
	size_t len;       /* TK_STRING */
};

struct parser {
	const char *src;
	tr_expr_is_type is_type;
	void *ctx;
	struct token *toks;
	size_t ntoks, cap, cur;
	unsigned depth;
	locale_t c_locale; /* for strtod_l, made on the first float */
	char lexmsg[sizeof(((struct tr_expr_err *)0)->msg)];
	struct tr_expr_err err;
};

/* Parser nodes carry the height of their subtree. */

/* Type keywords, by KW_* (expr_lex.c). */
extern const char *const tr__parse_keywords[];

/* Errors, in gdb's words where gdb has them: -TR_EINVAL with p->err
 * filled. A syntax error at token t is a lexical one when t is where the
 * lexer stopped. */
int tr__parse_error_at(struct parser *p, uint32_t pos, const char *msg);
int tr__parse_syntax_error(struct parser *p, const struct token *t);
bool tr__lex_is_space(char c);
/* Frees what a type name holds (not tn itself). */
void tr__typename_free(struct tr_typename *tn);
/* Turn p->src into p->toks; the last token is TK_END or TK_ERR. */
int tr__lex(struct parser *p);

#endif
