/* expr_parse.c: a hand-written lexer and recursive-descent parser for C expressions with gdb's additions. */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
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

static const char *const keywords[] = {
	[KW_VOID] = "void", [KW_CHAR] = "char", [KW_SHORT] = "short",
	[KW_INT] = "int", [KW_LONG] = "long", [KW_FLOAT] = "float",
	[KW_DOUBLE] = "double", [KW_SIGNED] = "signed",
	[KW_UNSIGNED] = "unsigned", [KW_BOOL] = "_Bool",
	[KW_STRUCT] = "struct", [KW_UNION] = "union", [KW_ENUM] = "enum",
	[KW_CONST] = "const", [KW_VOLATILE] = "volatile",
};

/* Spellings of the operator and punctuator tokens, longest first so that
 * the lexer takes the longest match. */
static const struct {
	const char *s;
	int tok;
} puncts[] = {
	{ "<<=", TR_TOK_SHL_ASSIGN }, { ">>=", TR_TOK_SHR_ASSIGN },
	{ "->", TK_ARROW }, { "++", TR_TOK_INC }, { "--", TR_TOK_DEC },
	{ "<<", TR_TOK_SHL }, { ">>", TR_TOK_SHR }, { "<=", TR_TOK_LE },
	{ ">=", TR_TOK_GE }, { "==", TR_TOK_EQ }, { "!=", TR_TOK_NE },
	{ "&&", TR_TOK_ANDAND }, { "||", TR_TOK_OROR },
	{ "+=", TR_TOK_ADD_ASSIGN }, { "-=", TR_TOK_SUB_ASSIGN },
	{ "*=", TR_TOK_MUL_ASSIGN }, { "/=", TR_TOK_DIV_ASSIGN },
	{ "%=", TR_TOK_MOD_ASSIGN }, { "&=", TR_TOK_AND_ASSIGN },
	{ "|=", TR_TOK_OR_ASSIGN }, { "^=", TR_TOK_XOR_ASSIGN },
	{ "::", TK_COLONCOLON },
	{ "+", TR_TOK_PLUS }, { "-", TR_TOK_MINUS }, { "*", TR_TOK_STAR },
	{ "/", TR_TOK_SLASH }, { "%", TR_TOK_PERCENT }, { "&", TR_TOK_AMP },
	{ "|", TR_TOK_PIPE }, { "^", TR_TOK_CARET }, { "~", TR_TOK_TILDE },
	{ "!", TR_TOK_NOT }, { "<", TR_TOK_LT }, { ">", TR_TOK_GT },
	{ "=", TR_TOK_ASSIGN }, { "?", TK_QUESTION }, { ":", TK_COLON },
	{ ",", TK_COMMA }, { "(", TK_LPAREN }, { ")", TK_RPAREN },
	{ "[", TK_LBRACKET }, { "]", TK_RBRACKET }, { ".", TK_DOT },
};

struct token {
	int kind;
	int kw;           /* TK_TYPEKW: KW_* */
	uint32_t pos;
	enum tr_lit lit;  /* TK_INT TK_FLOAT TK_CHAR */
	uint64_t ival;
	double fval;
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
struct node {
	struct tr_ast ast; /* first: tr_ast_free() frees the node */
	unsigned height;
};

const char *
tr_tok_str(int tok)
{
	for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++)
		if (puncts[i].tok == tok)
			return puncts[i].s;
	return "?";
}

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
		free(a->tn.base);
		free(a);
		a = next;
	}
}

/* ---- errors --------------------------------------------------------- */

static int
error_at(struct parser *p, uint32_t pos, const char *msg)
{
	p->err.pos = pos;
	snprintf(p->err.msg, sizeof(p->err.msg), "%s", msg);
	return -TR_EINVAL;
}

/* A syntax error at token t, in gdb's words; a lexical error if t is the
 * token where the lexer stopped. */
static int
syntax_error(struct parser *p, const struct token *t)
{
	const char *rest = p->src + t->pos;
	size_t n = strnlen(rest, NEAR_MAX);

	if (t->kind == TK_ERR)
		return error_at(p, t->pos, p->lexmsg);
	p->err.pos = t->pos;
	snprintf(p->err.msg, sizeof(p->err.msg),
		 "A syntax error in expression, near `%.*s'.", (int)n, rest);
	return -TR_EINVAL;
}

/* ---- lexer ---------------------------------------------------------- */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static int
hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
push(struct parser *p, int kind, size_t pos, struct token **out)
{
	if (p->ntoks == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct token *t = realloc(p->toks, cap * sizeof(*t));

		if (!t)
			return -TR_ENOMEM;
		p->toks = t;
		p->cap = cap;
	}
	*out = &p->toks[p->ntoks++];
	memset(*out, 0, sizeof(**out));
	(*out)->kind = kind;
	(*out)->pos = (uint32_t)pos;
	return 0;
}

/* Ends the token list with TK_ERR at pos: the parser reports msg if it
 * gets that far (as gdb's lexer, called on demand, would). */
static int
lex_error(struct parser *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
lex_error(struct parser *p, size_t pos, const char *fmt, ...)
{
	struct token *t;
	va_list ap;
	int err;

	if ((err = push(p, TK_ERR, pos, &t)))
		return err;
	va_start(ap, fmt);
	vsnprintf(p->lexmsg, sizeof(p->lexmsg), fmt, ap);
	va_end(ap);
	return 1;
}

static int
lex_bad_number(struct parser *p, size_t start, size_t end)
{
	int n = end - start > NEAR_MAX ? NEAR_MAX : (int)(end - start);

	return lex_error(p, start, "Invalid number \"%.*s\".", n,
			 p->src + start);
}

/* The C11 6.4.4.1 type of an integer constant, for x86-64 (int 32 bits,
 * long and long long 64). Decimal constants too big for long become
 * unsigned long, as gcc does. */
static enum tr_lit
int_type(uint64_t v, bool decimal, bool u, unsigned nl)
{
	if (u)
		return nl == 2 ? TR_LIT_ULLONG :
		       nl == 1 || v > UINT32_MAX ? TR_LIT_ULONG : TR_LIT_UINT;
	if (nl == 0 && v <= INT32_MAX)
		return TR_LIT_INT;
	if (nl == 0 && !decimal && v <= UINT32_MAX)
		return TR_LIT_UINT;
	if (v <= INT64_MAX)
		return nl == 2 ? TR_LIT_LLONG : TR_LIT_LONG;
	return nl == 2 ? TR_LIT_ULLONG : TR_LIT_ULONG;
}

/* Integer suffixes: u, l, ul, lu, ll, ull, llu, in any case. */
static bool
int_suffix(const char *s, size_t n, bool *u, unsigned *nl)
{
	*u = false;
	*nl = 0;
	for (size_t i = 0; i < n; i++) {
		int c = lower(s[i]);

		if (c == 'u' && !*u) {
			*u = true;
		} else if (c == 'l' && *nl == 0) {
			*nl = 1;
			if (i + 1 < n && lower(s[i + 1]) == 'l') {
				*nl = 2;
				i++;
			}
		} else {
			return false;
		}
	}
	return true;
}

static int
lex_float(struct parser *p, size_t start, size_t end, bool hex)
{
	const char *s = p->src;
	size_t i = start + (hex ? 2 : 0), body;
	unsigned ndig = 0;
	char *copy, *stop;
	struct token *t;
	double v;
	int err;

	for (; hex ? hex_value(s[i]) >= 0 : is_digit(s[i]); i++)
		ndig++;
	if (s[i] == '.')
		for (i++; hex ? hex_value(s[i]) >= 0 : is_digit(s[i]); i++)
			ndig++;
	if (ndig == 0)
		return lex_bad_number(p, start, end);
	if (lower(s[i]) == (hex ? 'p' : 'e')) {
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		if (!is_digit(s[i]))
			return lex_bad_number(p, start, end);
		while (is_digit(s[i]))
			i++;
	} else if (hex) {
		return lex_bad_number(p, start, end); /* C wants the p */
	}
	body = i;
	if (end - body > 1 || (end - body == 1 && lower(s[body]) != 'f' &&
			       lower(s[body]) != 'l'))
		return lex_bad_number(p, start, end);

	/* strtod follows LC_NUMERIC; C's decimal point is '.' whatever the
	 * locale of the program we live in. */
	if (!p->c_locale) {
		p->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
		if (!p->c_locale)
			return -TR_ENOMEM;
	}
	if (!(copy = strndup(s + start, body - start)))
		return -TR_ENOMEM;
	v = strtod_l(copy, &stop, p->c_locale);
	err = *stop ? lex_bad_number(p, start, end) : 0;
	free(copy);
	if (err)
		return err;
	if ((err = push(p, TK_FLOAT, start, &t)))
		return err;
	t->fval = v;
	t->lit = body == end ? TR_LIT_DOUBLE :
		 lower(s[body]) == 'f' ? TR_LIT_FLOAT : TR_LIT_LDOUBLE;
	return 0;
}

static int
lex_number(struct parser *p, size_t start, size_t *next)
{
	const char *s = p->src;
	bool hex = s[start] == '0' && lower(s[start + 1]) == 'x';
	bool bin = s[start] == '0' && lower(s[start + 1]) == 'b';
	bool is_float = false, u;
	unsigned base = hex ? 16 : bin ? 2 : s[start] == '0' ? 8 : 10;
	unsigned ndig = 0, nl;
	size_t i, end;
	uint64_t v = 0;
	struct token *t;
	int err, d;

	/* The whole preprocessing number first, then what it says. */
	for (end = start; s[end]; end++) {
		char c = s[end];

		if (is_alnum(c) || c == '.') {
			if (c == '.' || (!hex && !bin && lower(c) == 'e') ||
			    (hex && lower(c) == 'p'))
				is_float = true;
			continue;
		}
		if ((c == '+' || c == '-') && end > start &&
		    lower(s[end - 1]) == (hex ? 'p' : 'e') && !bin)
			continue;
		break;
	}
	*next = end;
	if (is_float && !bin)
		return lex_float(p, start, end, hex);
	i = start + (hex || bin ? 2 : 0);
	for (; (d = hex_value(s[i])) >= 0 && (unsigned)d < base; i++) {
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return lex_error(p, start, "Numeric constant too "
					 "large.");
		v = v * base + (unsigned)d;
		ndig++;
	}
	if (ndig == 0 || !int_suffix(s + i, end - i, &u, &nl))
		return lex_bad_number(p, start, end);
	if ((err = push(p, TK_INT, start, &t)))
		return err;
	t->ival = v;
	t->lit = int_type(v, base == 10, u, nl);
	return 0;
}

/* One character of a character or string literal at s[*i], escapes
 * decoded; 1 on a lexical error (reported), or a -TR_E* code. */
static int
lex_char(struct parser *p, size_t *i, unsigned *out)
{
	const char *s = p->src;
	size_t at = *i;
	unsigned v = 0;
	int d, n;

	if (s[at] != '\\') {
		*out = (unsigned char)s[at];
		*i = at + 1;
		return 0;
	}
	at++;
	switch (s[at]) {
	case 'n': v = '\n'; break;
	case 't': v = '\t'; break;
	case 'r': v = '\r'; break;
	case 'a': v = '\a'; break;
	case 'b': v = '\b'; break;
	case 'f': v = '\f'; break;
	case 'v': v = '\v'; break;
	case 'e': v = 033; break; /* a GNU extension gdb knows too */
	case '0': case '1': case '2': case '3':
	case '4': case '5': case '6': case '7':
		for (n = 0; n < 3 && s[at] >= '0' && s[at] <= '7'; n++)
			v = v * 8 + (unsigned)(s[at++] - '0');
		if (v > 0xff)
			return lex_error(p, *i, "Octal escape out of range.");
		*out = v;
		*i = at;
		return 0;
	case 'x':
		at++;
		if (hex_value(s[at]) < 0)
			return lex_error(p, *i, "\\x escape without a "
					 "following hex digit");
		for (; (d = hex_value(s[at])) >= 0; at++) {
			v = v * 16 + (unsigned)d;
			if (v > 0xff)
				return lex_error(p, *i, "Hex escape out of "
						 "range.");
		}
		*out = v;
		*i = at;
		return 0;
	default:
		/* \\ \' \" \? and, as gdb does, any other character for
		 * itself. */
		v = (unsigned char)s[at];
		break;
	}
	*out = v;
	*i = at + 1;
	return 0;
}

static int
lex_string(struct parser *p, size_t start, size_t *next)
{
	const char *s = p->src;
	size_t i = start + 1, n = 0;
	struct token *t;
	char *buf;
	int err;

	/* Find the end first: the decoded string is no longer than that. */
	while (s[i] != '"') {
		if (!s[i] || (s[i] == '\\' && !s[i + 1]))
			return lex_error(p, start, "Unterminated string in "
					 "expression.");
		i += s[i] == '\\' ? 2 : 1;
	}
	if (!(buf = malloc(i - start)))
		return -TR_ENOMEM;
	for (i = start + 1; s[i] != '"';) {
		unsigned c;

		if ((err = lex_char(p, &i, &c))) {
			free(buf);
			return err;
		}
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	if ((err = push(p, TK_STRING, start, &t))) {
		free(buf);
		return err;
	}
	t->str = buf;
	t->len = n;
	*next = i + 1;
	return 0;
}

/* After a name ending at s[i]: is it a scope, followed by "::"? */
static bool
before_coloncolon(const char *s, size_t i)
{
	while (is_space(s[i]))
		i++;
	return s[i] == ':' && s[i + 1] == ':';
}

static int
push_name(struct parser *p, int kind, size_t pos, const char *name,
	  size_t len)
{
	struct token *t;
	char *str;
	int err;

	if (!(str = strndup(name, len)))
		return -TR_ENOMEM;
	if ((err = push(p, kind, pos, &t))) {
		free(str);
		return err;
	}
	t->str = str;
	return 0;
}

/* A single quote starts a character constant 'a', a quoted scope
 * 'file.c'::name or, as in gdb, a quoted name 'name'. */
static int
lex_quote(struct parser *p, size_t start, size_t *next)
{
	const char *s = p->src;
	const char *close = strchr(s + start + 1, '\'');
	size_t i = start + 1;
	struct token *t;
	unsigned c;
	int err;

	if (close && close > s + i && !memchr(s + i, '\\', close - (s + i))) {
		size_t len = close - (s + i), end = close - s + 1;
		int kind = before_coloncolon(s, end) ? TK_SCOPE : TK_IDENT;

		if (kind == TK_SCOPE || len > 1) {
			*next = end;
			return push_name(p, kind, start, s + i, len);
		}
	}
	if (!s[i] || (s[i] == '\\' && !s[i + 1]))
		return lex_error(p, start, "Unmatched single quote.");
	if (s[i] == '\'')
		return lex_error(p, start, "Empty character constant.");
	if ((err = lex_char(p, &i, &c)))
		return err;
	if (s[i] != '\'')
		return close ? lex_error(p, start, "Invalid character "
					 "constant.")
			     : lex_error(p, start, "Unmatched single quote.");
	if ((err = push(p, TK_CHAR, start, &t)))
		return err;
	/* A char constant has type int and the value of a char, which is
	 * signed on x86-64: '\377' == -1. */
	t->ival = (uint64_t)(int64_t)(signed char)c;
	t->lit = TR_LIT_CHAR;
	*next = i + 1;
	return 0;
}

static int
lex_word(struct parser *p, size_t start, size_t *next)
{
	const char *s = p->src;
	size_t id = start, dotted;
	struct token *t;
	int err;

	while (is_alnum(s[id]))
		id++;
	/* A file name (`file.c::x`) is a scope only before "::". */
	for (dotted = id; is_alnum(s[dotted]) || s[dotted] == '.'; dotted++)
		;
	if (before_coloncolon(s, dotted)) {
		*next = dotted;
		return push_name(p, TK_SCOPE, start, s + start, dotted - start);
	}
	*next = id;
	if (id - start == 6 && !memcmp(s + start, "sizeof", 6))
		return push(p, TK_SIZEOF, start, &t);
	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
		if (strlen(keywords[k]) == id - start &&
		    !memcmp(s + start, keywords[k], id - start)) {
			if ((err = push(p, TK_TYPEKW, start, &t)))
				return err;
			t->kw = (int)k;
			return 0;
		}
	}
	return push_name(p, TK_IDENT, start, s + start, id - start);
}

/* Lexes the whole input into p->toks, ended by TK_END or TK_ERR. */
static int
lex(struct parser *p)
{
	const char *s = p->src;
	size_t i = 0, next;
	struct token *t;
	int err;

	for (;;) {
		while (is_space(s[i]))
			i++;
		if (!s[i])
			return push(p, TK_END, i, &t);
		next = i + 1;
		if (is_digit(s[i]) || (s[i] == '.' && is_digit(s[i + 1]))) {
			err = lex_number(p, i, &next);
		} else if (is_alpha(s[i])) {
			err = lex_word(p, i, &next);
		} else if (s[i] == '$') {
			for (next = i + 1; is_alnum(s[next]); next++)
				;
			if (next == i + 1)
				err = lex_error(p, i, "A syntax error in "
						"expression, near `%.*s'.",
						(int)strnlen(s + i, NEAR_MAX),
						s + i);
			else
				err = push_name(p, TK_REG, i, s + i + 1,
						next - i - 1);
		} else if (s[i] == '"') {
			err = lex_string(p, i, &next);
		} else if (s[i] == '\'') {
			err = lex_quote(p, i, &next);
		} else {
			size_t k, n = sizeof(puncts) / sizeof(puncts[0]);

			for (k = 0; k < n; k++)
				if (!strncmp(s + i, puncts[k].s,
					     strlen(puncts[k].s)))
					break;
			if (k < n) {
				next = i + strlen(puncts[k].s);
				err = push(p, puncts[k].tok, i, &t);
			} else if (s[i] >= 0x20 && s[i] < 0x7f) {
				err = lex_error(p, i, "Invalid character "
						"'%c' in expression.", s[i]);
			} else {
				err = lex_error(p, i, "Invalid character "
						"'\\%03o' in expression.",
						(unsigned char)s[i]);
			}
		}
		if (err)
			return err < 0 ? err : 0;
		i = next;
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
		return syntax_error(p, peek(p, 0));
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
		return error_at(p, pos, "Expression too deeply nested.");
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
		return error_at(p, pos, "Expression too deeply nested.");
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

static int
parse_typename(struct parser *p, struct tr_typename *tn)
{
	const struct token *words[4]; /* "unsigned long long int" at most */
	unsigned nwords = 0, seen = 0, nlong = 0;
	size_t len = 0;
	struct token *t;
	char *base;

	memset(tn, 0, sizeof(*tn));
	for (;;) {
		unsigned bit, with;

		t = peek(p, 0);
		if (t->kind == TK_TYPEKW &&
		    (t->kw == KW_CONST || t->kw == KW_VOLATILE)) {
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
			return syntax_error(p, t);
		seen |= bit;
		nlong += bit == S_LONG;
		words[nwords++] = advance(p);
		if (bit == S_NAMED) {
			/* struct union enum: the tag follows */
			if (peek(p, 0)->kind != TK_IDENT)
				return syntax_error(p, peek(p, 0));
			words[nwords++] = advance(p);
		}
	}
	if (!seen)
		return syntax_error(p, peek(p, 0));
	while (peek(p, 0)->kind == TR_TOK_STAR ||
	       (peek(p, 0)->kind == TK_TYPEKW && (peek(p, 0)->kw == KW_CONST ||
						  peek(p, 0)->kw ==
							  KW_VOLATILE)))
		tn->nptr += advance(p)->kind == TR_TOK_STAR;
	if (peek(p, 0)->kind == TK_LBRACKET) {
		advance(p);
		t = peek(p, 0);
		if (t->kind != TK_INT || t->ival == 0)
			return syntax_error(p, t);
		tn->array_len = advance(p)->ival;
		if (peek(p, 0)->kind != TK_RBRACKET)
			return syntax_error(p, peek(p, 0));
		advance(p);
	}

	/* The words as written, one space apart; `unsigned` and `signed`
	 * alone are spelt out. */
	for (unsigned i = 0; i < nwords; i++)
		len += strlen(words[i]->kind == TK_TYPEKW ?
			      keywords[words[i]->kw] : words[i]->str) + 1;
	if (!(base = malloc(len + 4)))
		return -TR_ENOMEM;
	base[0] = '\0';
	for (unsigned i = 0; i < nwords; i++) {
		if (i)
			strcat(base, " ");
		strcat(base, words[i]->kind == TK_TYPEKW ?
			     keywords[words[i]->kw] : words[i]->str);
	}
	if (!strcmp(base, "unsigned") || !strcmp(base, "signed"))
		strcat(base, " int");
	tn->base = base;
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
		/* "a" "b" is "ab" */
		size_t n = 0, len = 0;
		char *str;

		while (peek(p, n)->kind == TK_STRING)
			len += peek(p, n++)->len;
		if (n > 1) {
			if (!(str = malloc(len + 1)))
				return -TR_ENOMEM;
			len = 0;
			for (size_t i = 0; i < n; i++) {
				memcpy(str + len, peek(p, i)->str,
				       peek(p, i)->len);
				len += peek(p, i)->len;
			}
			str[len] = '\0';
			free(t->str);
			t->str = str;
			t->len = len;
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
			return syntax_error(p, name);
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
		return syntax_error(p, t);
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
		err = error_at(p, lp->pos, "Expression too deeply nested.");
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
				err = syntax_error(p, name);
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
			free(tn.base);
			return err;
		}
		if ((err = mknode(p, TR_AST_SIZEOF_TYPE, 0, t->pos, NULL, NULL,
				  NULL, out))) {
			free(tn.base);
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
		free(tn.base);
		return err;
	}
	if ((err = mknode(p, TR_AST_CAST, 0, t->pos, a, NULL, NULL, out))) {
		free(tn.base);
		return err;
	}
	(*out)->tn = tn;
	return 0;
}

/* Binary operators from || (1) to * / % (10); 0: not one. */
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
	case TR_TOK_PLUS: case TR_TOK_MINUS: return 9;
	case TR_TOK_STAR: case TR_TOK_SLASH: case TR_TOK_PERCENT: return 10;
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
	for (i = 0; is_space(src[i]); i++)
		;
	if (!src[i]) {
		e = error_at(&p, 0, "Empty expression.");
	} else if (strnlen(src, UINT32_MAX) == UINT32_MAX) {
		e = error_at(&p, 0, "Expression too long.");
	} else if (!(e = lex(&p)) && !(e = parse_expr(&p, &root)) &&
		   peek(&p, 0)->kind != TK_END) {
		/* trailing tokens */
		e = syntax_error(&p, peek(&p, 0));
		tr_ast_free(root);
		root = NULL;
	}
	for (i = 0; i < p.ntoks; i++)
		free(p.toks[i].str);
	free(p.toks);
	if (p.c_locale)
		freelocale(p.c_locale);
	if (e == -TR_ENOMEM)
		error_at(&p, 0, "Out of memory.");
	if (e && err)
		*err = p.err;
	if (!e)
		*out = root;
	return e;
}
