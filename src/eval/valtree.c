/* valtree.c: structured values: nodes and their children, made from a value's bytes (members and elements are slices of it, a pointer's target one read). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "eval/valtree.h"

/* Aggregates bigger than this are not read whole for their children:
 * each chunk of children is read by itself. */
#define READ_WHOLE 65536

/* expr is a postfix expression (a name, members, subscripts) that a
 * member or subscript may follow without parentheses: "o.in", "a[3]",
 * "p->next", not "*p" or "a + 1". */
static bool
postfix(const char *expr)
{
	const char *p = expr;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	      *p == '_' || *p == '$'))
		return false;
	for (; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '$' ||
		    *p == '.' || *p == '[' || *p == ']')
			continue;
		if (p[0] == '-' && p[1] == '>') {
			p++;
			continue;
		}
		return false;
	}
	return true;
}

/* "base" + suffix, base parenthesized when it must be. */
static void
join(char *out, size_t len, const char *base, const char *suffix)
{
	if (postfix(base))
		snprintf(out, len, "%s%s", base, suffix);
	else
		snprintf(out, len, "(%s)%s", base, suffix);
}

static const struct tr_type *
strip(const struct tr_type *t)
{
	return tr_type_strip(t);
}

static bool
is_char(const struct tr_type *t)
{
	t = strip(t);
	return t->kind == TR_TYPE_BASE && t->size == 1 &&
	       (t->encoding == TR_ENC_SIGNED_CHAR ||
		t->encoding == TR_ENC_UNSIGNED_CHAR);
}

/* The pointer in v, when v is a pointer value with its bytes. */
static bool
pointer_of(const struct tr_value *v, uint64_t *p)
{
	if (strip(v->type)->kind != TR_TYPE_POINTER || v->optimized_out ||
	    v->lazy || v->size < 8)
		return false;
	memcpy(p, tr_value_cbytes(v), 8);
	return true;
}

static uint64_t
count_children(const struct tr_value *v)
{
	const struct tr_type *t = strip(v->type);
	uint64_t p;

	if (v->optimized_out)
		return 0;
	switch (t->kind) {
	case TR_TYPE_STRUCT:
	case TR_TYPE_UNION:
		return t->nmembers;
	case TR_TYPE_ARRAY:
		return t->count_known ? t->count : 0;
	case TR_TYPE_POINTER: {
		const struct tr_type *to = strip(t->target);

		if (!pointer_of(v, &p) || !p || to->kind == TR_TYPE_VOID ||
		    to->kind == TR_TYPE_FUNCTION || is_char(to) ||
		    (to->kind != TR_TYPE_POINTER && !to->size))
			return 0;
		if (to->kind == TR_TYPE_STRUCT || to->kind == TR_TYPE_UNION)
			return to->nmembers;
		return 1;
	}
	default:
		return 0;
	}
}

int
tr_vtree_node(struct tr_eval_env *e, const struct tr_value *v,
	      const char *name, const char *expr, struct tr_vnode *out)
{
	const struct tr_type *t = strip(v->type);
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	if (expr)
		snprintf(out->expr, sizeof(out->expr), "%s", expr);
	tr_type_name(v->type, out->type, sizeof(out->type));
	err = tr_eval_print(e, v, out->value, sizeof(out->value));
	if (err && err != -TR_ERANGE)
		snprintf(out->value, sizeof(out->value), "<error: %s>",
			 tr_strerror(err));
	/* a pointer's "(T *) " goes: the node has its type apart, as gdb's
	 * info locals shows pointers ("L = 0x5555555ae828") */
	if (!err && t->kind == TR_TYPE_POINTER && out->value[0] == '(') {
		size_t n = strlen(out->type);

		if (!strncmp(out->value + 1, out->type, n) &&
		    !strncmp(out->value + 1 + n, ") ", 2))
			memmove(out->value, out->value + n + 3,
				strlen(out->value + n + 3) + 1);
	}
	out->nchildren = count_children(v);
	out->indexed = t->kind == TR_TYPE_ARRAY;
	if (v->lval == TR_LVAL_MEMORY) {
		out->has_addr = true;
		out->addr = v->addr;
	}
	return 0;
}

/* A slice of a value: the child of type t at byte offset off (with the
 * bits of a bitfield). Its bytes come from pbytes, which hold the
 * parent's bytes [pbase, pbase + plen), else from the target (lazily
 * when large). */
static int
slice(struct tr_eval_env *e, const struct tr_value *parent,
      const uint8_t *pbytes, uint64_t pbase, uint64_t plen,
      const struct tr_type *t, uint64_t off, uint32_t bit_off,
      uint32_t bit_size, struct tr_value *out)
{
	uint64_t size = strip(t)->size;
	int err;

	memset(out, 0, sizeof(*out));
	out->type = t;
	out->lval = parent->lval;
	out->reg = parent->reg;
	out->addr = parent->addr + off;
	out->bit_offset = bit_off;
	out->bit_size = bit_size;
	out->optimized_out = parent->optimized_out;
	if (bit_size)
		size = (bit_off + bit_size + 7) / 8;
	if (out->optimized_out)
		return 0;
	if (pbytes && off >= pbase && off - pbase + size <= plen) {
		if ((err = tr_value_alloc(out, size)))
			return err;
		memcpy(tr_value_bytes(out), pbytes + (off - pbase), size);
		return 0;
	}
	if (parent->lval != TR_LVAL_MEMORY)
		return -TR_EINVAL;
	if (size > READ_WHOLE) {
		out->lazy = true;
		return 0;
	}
	if ((err = tr_value_alloc(out, size)))
		return err;
	if (e->read(e->ctx, out->addr, tr_value_bytes(out), size)) {
		out->optimized_out = false;
		tr_value_release(out);
		out->lazy = true; /* the printer says it cannot read it */
	}
	return 0;
}

/* The pointee of pointer value v, read. */
static int
deref(struct tr_eval_env *e, const struct tr_value *v, struct tr_value *out)
{
	const struct tr_type *to = strip(v->type)->target;
	uint64_t p = 0, size = strip(to)->size;
	int err;

	pointer_of(v, &p);
	memset(out, 0, sizeof(*out));
	out->type = to;
	out->lval = TR_LVAL_MEMORY;
	out->addr = p;
	if (size > READ_WHOLE) {
		out->lazy = true;
		return 0;
	}
	if ((err = tr_value_alloc(out, size)))
		return err;
	if (e->read(e->ctx, p, tr_value_bytes(out), size)) {
		tr_value_release(out);
		out->lazy = true;
	}
	return 0;
}

static int
emit(struct tr_eval_env *e, struct tr_value *cv, const char *name,
     const char *expr, tr_vnode_fn fn, void *arg)
{
	struct tr_vnode *n = malloc(sizeof(*n));
	int rc;

	if (!n) {
		tr_value_release(cv);
		return -TR_ENOMEM;
	}
	tr_vtree_node(e, cv, name, expr, n);
	rc = fn(n, arg);
	free(n);
	tr_value_release(cv);
	return rc;
}

/* Members of struct/union value v (its bytes pb from offset 0), with
 * expressions base.m (arrow: base->m). */
static int
members(struct tr_eval_env *e, const struct tr_value *v, const uint8_t *pb,
	const char *expr, bool arrow, uint64_t start, uint64_t count,
	tr_vnode_fn fn, void *arg)
{
	const struct tr_type *t = strip(v->type);
	uint64_t end = count ? start + count : t->nmembers;
	char cexpr[1024];
	int rc = 0;

	for (uint64_t i = start; i < end && i < t->nmembers && !rc; i++) {
		const struct tr_type_member *m = &t->members[i];
		struct tr_value cv;

		rc = slice(e, v, pb, 0, pb ? v->size : 0, m->type, m->offset,
			   m->bit_offset, m->bit_size, &cv);
		if (rc)
			break;
		/* an anonymous struct or union member has no name of its
		 * own: its members are reached through the parent */
		if (expr && m->name) {
			char suffix[300];

			snprintf(suffix, sizeof(suffix), "%s%s",
				 arrow ? "->" : ".", m->name);
			join(cexpr, sizeof(cexpr), expr, suffix);
		}
		else if (expr)
			snprintf(cexpr, sizeof(cexpr), "%s%s", arrow ? "*" : "",
				 expr);
		rc = emit(e, &cv, m->name ? m->name : "<anonymous>",
			  expr ? cexpr : NULL, fn, arg);
	}
	return rc;
}

int
tr_vtree_children(struct tr_eval_env *e, const struct tr_value *v,
		  const char *expr, uint64_t start, uint64_t count,
		  tr_vnode_fn fn, void *arg)
{
	const struct tr_type *t = strip(v->type);
	const uint8_t *pb = v->lazy ? NULL : tr_value_cbytes(v);
	char cexpr[1024], name[64];
	int rc = 0;

	if (v->optimized_out)
		return 0;
	switch (t->kind) {
	case TR_TYPE_STRUCT:
	case TR_TYPE_UNION:
		return members(e, v, pb, expr, false, start, count, fn, arg);
	case TR_TYPE_ARRAY: {
		const struct tr_type *et = t->target;
		uint64_t es = strip(et)->size, n = t->count_known ? t->count
								  : 0;
		uint64_t end = count ? start + count : n;
		uint8_t *chunk = NULL;
		uint64_t base = 0, plen = pb ? v->size : 0;

		if (end > n)
			end = n;
		if (start >= end)
			return 0;
		/* a lazy array: the chunk asked for, in one read */
		if (!pb && v->lval == TR_LVAL_MEMORY && es &&
		    (end - start) * es <= (64u << 20) &&
		    (chunk = malloc((end - start) * es)) &&
		    e->read(e->ctx, v->addr + start * es, chunk,
			    (end - start) * es) == 0) {
			pb = chunk;
			base = start * es;
			plen = (end - start) * es;
		}
		for (uint64_t i = start; i < end && !rc; i++) {
			struct tr_value cv;

			rc = slice(e, v, pb, base, plen, et, i * es, 0, 0,
				   &cv);
			if (rc)
				break;
			snprintf(name, sizeof(name), "[%llu]",
				 (unsigned long long)i);
			if (expr) {
				char suffix[32];

				snprintf(suffix, sizeof(suffix), "[%llu]",
					 (unsigned long long)i);
				join(cexpr, sizeof(cexpr), expr, suffix);
			}
			rc = emit(e, &cv, name, expr ? cexpr : NULL, fn, arg);
		}
		free(chunk);
		return rc;
	}
	case TR_TYPE_POINTER: {
		const struct tr_type *to = strip(t->target);
		struct tr_value pv;

		if (!count_children(v))
			return 0;
		if ((rc = deref(e, v, &pv)))
			return rc;
		if (to->kind == TR_TYPE_STRUCT || to->kind == TR_TYPE_UNION) {
			rc = members(e, &pv, pv.lazy ? NULL : tr_value_cbytes(&pv),
				     expr, true, start, count, fn, arg);
			tr_value_release(&pv);
			return rc;
		}
		if (start > 0) {
			tr_value_release(&pv);
			return 0;
		}
		if (expr)
			snprintf(cexpr, sizeof(cexpr), postfix(expr) ? "*%s"
								     : "*(%s)",
				 expr);
		snprintf(name, sizeof(name), "*%s", expr ? expr : "");
		return emit(e, &pv, name, expr ? cexpr : NULL, fn, arg);
	}
	default:
		return 0;
	}
}
