/* expr_lex.c: the lexer of C expressions: tokens, literals in gdb's rules, and parse errors. */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "eval/parse_int.h"

/*
 * Hostile input must not overflow the stack, here or in whoever walks the
 * tree: the parser refuses more than DEPTH_MAX nested sub-expressions
 * (parentheses, brackets, call arguments, operands of prefix operators
 * and casts, right operands of ?: and assignments), and trees higher than
 * HEIGHT_MAX nodes (long left-associative chains such as 1+1+...+1).
 */

const char *const tr__parse_keywords[] = {
	[KW_VOID] = "void", [KW_CHAR] = "char", [KW_SHORT] = "short",
	[KW_INT] = "int", [KW_LONG] = "long", [KW_FLOAT] = "float",
	[KW_DOUBLE] = "double", [KW_SIGNED] = "signed",
	[KW_UNSIGNED] = "unsigned", [KW_BOOL] = "_Bool",
	[KW_STRUCT] = "struct", [KW_UNION] = "union", [KW_ENUM] = "enum",
	[KW_CONST] = "const", [KW_VOLATILE] = "volatile",
};

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
	{ "@", TR_TOK_AT },
};

const char *
tr_tok_str(int tok)
{
	for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++)
		if (puncts[i].tok == tok)
			return puncts[i].s;
	return "?";
}

/* ---- errors --------------------------------------------------------- */

int
tr__parse_error_at(struct parser *p, uint32_t pos, const char *msg)
{
	p->err.pos = pos;
	snprintf(p->err.msg, sizeof(p->err.msg), "%s", msg);
	return -TR_EINVAL;
}

/* A syntax error at token t, in gdb's words; a lexical error if t is the
 * token where the lexer stopped. */
int
tr__parse_syntax_error(struct parser *p, const struct token *t)
{
	const char *rest = p->src + t->pos;
	size_t n = strnlen(rest, NEAR_MAX);

	if (t->kind == TK_ERR)
		return tr__parse_error_at(p, t->pos, p->lexmsg);
	p->err.pos = t->pos;
	snprintf(p->err.msg, sizeof(p->err.msg),
		 "A syntax error in expression, near `%.*s'.", (int)n, rest);
	return -TR_EINVAL;
}

/* ---- lexer ---------------------------------------------------------- */

bool
tr__lex_is_space(char c)
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
	long double v;
	bool ld;
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
	/* an L literal is read in long double, the others in double (a
	 * float one is rounded once more when it is made a float) */
	ld = body != end && lower(s[body]) == 'l';
	v = ld ? strtold_l(copy, &stop, p->c_locale)
	       : strtod_l(copy, &stop, p->c_locale);
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

/* A UTF-8 sequence at s: its code point and length, or 0 when it is
 * not one (the byte then stands for itself). */
static size_t
utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = u[0] >= 0xf0 && u[0] < 0xf5 ? 4 : u[0] >= 0xe0 ? 3
		 : u[0] >= 0xc2 && u[0] < 0xe0 ? 2 : 0;
	uint32_t v;

	if (!n || u[0] >= 0xf5)
		return 0;
	v = u[0] & (0x7f >> n);
	for (size_t k = 1; k < n; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (u[k] & 0x3f);
	}
	*cp = v;
	return n;
}

/* One character of a character or string literal at s[*i], escapes
 * decoded; 1 on a lexical error (reported), or a -TR_E* code. `max` is
 * the largest code unit: 0xff for char, 0xffff and 0xffffffff for the
 * wide types, whose literals take UTF-8 source characters as one. */
static int
lex_char(struct parser *p, size_t *i, unsigned *out, uint32_t max)
{
	const char *s = p->src;
	size_t at = *i;
	unsigned v = 0;
	int d, n;

	if (s[at] != '\\') {
		uint32_t cp;
		size_t k = max > 0xff ? utf8_decode(s + at, &cp) : 0;

		if (k && cp > max)
			return lex_error(p, *i, "Invalid character constant.");
		*out = k ? cp : (unsigned char)s[at];
		*i = at + (k ? k : 1);
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
		if (v > 0xff && v > max)
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
			if (v > (max - (unsigned)d) / 16)
				return lex_error(p, *i, "Hex escape out of "
						 "range.");
			v = v * 16 + (unsigned)d;
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

		if ((err = lex_char(p, &i, &c, 0xff))) {
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

/* The code unit size, largest value and literal kind of a wide
 * prefix. */
static size_t
wide_unit(char prefix, uint32_t *max, enum tr_lit *lit)
{
	*lit = prefix == 'L' ? TR_LIT_WCHAR : prefix == 'u' ? TR_LIT_CHAR16
							    : TR_LIT_CHAR32;
	*max = prefix == 'u' ? 0xffff : 0xffffffff;
	return prefix == 'u' ? 2 : 4;
}

/* L'a' u'a' U'a' L"ab" u"ab" U"ab": the prefix at s[start]. A wide
 * string is stored as the target stores it, code unit after code unit. */
static int
lex_wide(struct parser *p, size_t start, size_t *next)
{
	const char *s = p->src;
	char q = s[start + 1];
	size_t i = start + 2, n = 0, es;
	struct token *t;
	enum tr_lit lit;
	uint32_t max;
	uint8_t *buf;
	unsigned c;
	int err;

	es = wide_unit(s[start], &max, &lit);
	if (q == '\'') {
		if (!s[i] || (s[i] == '\\' && !s[i + 1]))
			return lex_error(p, start, "Unmatched single quote.");
		if (s[i] == '\'')
			return lex_error(p, start, "Empty character constant.");
		if ((err = lex_char(p, &i, &c, max)))
			return err;
		if (s[i] != '\'')
			return strchr(s + i, '\'')
				       ? lex_error(p, start, "Invalid character "
						   "constant.")
				       : lex_error(p, start, "Unmatched single "
						   "quote.");
		if ((err = push(p, TK_CHAR, start, &t)))
			return err;
		/* wchar_t is int: L'\xffffffff' is -1 */
		t->ival = lit == TR_LIT_WCHAR ? (uint64_t)(int64_t)(int32_t)c
					      : c;
		t->lit = lit;
		*next = i + 1;
		return 0;
	}
	while (s[i] != '"') {
		if (!s[i] || (s[i] == '\\' && !s[i + 1]))
			return lex_error(p, start, "Unterminated string in "
					 "expression.");
		i += s[i] == '\\' ? 2 : 1;
	}
	/* at most one code unit per source byte, and the terminator */
	if (!(buf = calloc(i - start, es)))
		return -TR_ENOMEM;
	for (i = start + 2; s[i] != '"';) {
		if ((err = lex_char(p, &i, &c, max))) {
			free(buf);
			return err;
		}
		memcpy(buf + n, &c, es); /* little-endian, as x86-64 */
		n += es;
	}
	if ((err = push(p, TK_STRING, start, &t))) {
		free(buf);
		return err;
	}
	t->str = (char *)buf;
	t->len = n;
	t->lit = lit;
	*next = i + 1;
	return 0;
}

/* After a name ending at s[i]: is it a scope, followed by "::"? */
static bool
before_coloncolon(const char *s, size_t i)
{
	while (tr__lex_is_space(s[i]))
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
	if ((err = lex_char(p, &i, &c, 0xff)))
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
	for (size_t k = 0; k < sizeof(tr__parse_keywords) / sizeof(tr__parse_keywords[0]); k++) {
		if (strlen(tr__parse_keywords[k]) == id - start &&
		    !memcmp(s + start, tr__parse_keywords[k], id - start)) {
			if ((err = push(p, TK_TYPEKW, start, &t)))
				return err;
			t->kw = (int)k;
			return 0;
		}
	}
	return push_name(p, TK_IDENT, start, s + start, id - start);
}

/* Lexes the whole input into p->toks, ended by TK_END or TK_ERR. */
int
tr__lex(struct parser *p)
{
	const char *s = p->src;
	size_t i = 0, next;
	struct token *t;
	int err;

	for (;;) {
		while (tr__lex_is_space(s[i]))
			i++;
		if (!s[i])
			return push(p, TK_END, i, &t);
		next = i + 1;
		if (is_digit(s[i]) || (s[i] == '.' && is_digit(s[i + 1]))) {
			err = lex_number(p, i, &next);
		} else if ((s[i] == 'L' || s[i] == 'u' || s[i] == 'U') &&
			   (s[i + 1] == '\'' || s[i + 1] == '"')) {
			err = lex_wide(p, i, &next);
		} else if (is_alpha(s[i])) {
			err = lex_word(p, i, &next);
		} else if (s[i] == '$') {
			/* $rip, $i, $_exitcode; value history: $, $1, $$,
			 * $$2 (the name keeps the second '$') */
			next = i + 1;
			if (s[next] == '$')
				for (next++; is_digit(s[next]); next++)
					;
			else
				for (; is_alnum(s[next]); next++)
					;
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
