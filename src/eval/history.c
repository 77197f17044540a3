/* history.c: gdb's value history ($1, $, $$, $$N) and convenience variables ($i, $_exitcode), kept per session. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "eval/history.h"

/* Deeper type graphs than this are cut: a pointer's target becomes void. */
#define COPY_DEPTH 256

/* Everything copied, freed with the history. */
struct chunk {
	struct chunk *next;
	max_align_t data[];
};

/* original type -> its copy (open addressing, power-of-two size) */
struct memo {
	const struct tr_type **from;
	const struct tr_type **to;
	size_t n, cap;
};

struct conv {
	char *name;
	struct tr_value v;
	struct conv *next;
};

struct tr_hist {
	pthread_mutex_t mu;
	struct chunk *chunks;
	struct memo dwarf;     /* types read from DWARF (die != 0) */
	struct tr_value *vals; /* $1 is vals[0] */
	size_t nvals, cap;
	struct conv *convs;
};

static void *
halloc(struct tr_hist *h, size_t size)
{
	struct chunk *c = calloc(1, sizeof(*c) + size);

	if (!c)
		return NULL;
	c->next = h->chunks;
	h->chunks = c;
	return c->data;
}

static const char *
hstrdup(struct tr_hist *h, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = halloc(h, strlen(s) + 1);
	if (d)
		strcpy(d, s);
	return d;
}

static size_t
memo_slot(const struct memo *m, const struct tr_type *t)
{
	uintptr_t k = (uintptr_t)t;

	k ^= k >> 17;
	k *= 0x9e3779b97f4a7c15ull;
	return (size_t)(k >> 20) & (m->cap - 1);
}

static const struct tr_type *
memo_get(const struct memo *m, const struct tr_type *t)
{
	if (!m->cap)
		return NULL;
	for (size_t i = memo_slot(m, t);; i = (i + 1) & (m->cap - 1)) {
		if (!m->from[i])
			return NULL;
		if (m->from[i] == t)
			return m->to[i];
	}
}

static int
memo_put(struct memo *m, const struct tr_type *t, const struct tr_type *c)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct memo g = { .cap = m->cap ? m->cap * 2 : 64 };

		g.from = calloc(g.cap, sizeof(*g.from));
		g.to = calloc(g.cap, sizeof(*g.to));
		if (!g.from || !g.to) {
			free(g.from);
			free(g.to);
			return -TR_ENOMEM;
		}
		for (size_t i = 0; i < m->cap; i++)
			if (m->from[i])
				memo_put(&g, m->from[i], m->to[i]);
		free(m->from);
		free(m->to);
		*m = g;
	}
	for (size_t i = memo_slot(m, t);; i = (i + 1) & (m->cap - 1))
		if (!m->from[i]) {
			m->from[i] = t;
			m->to[i] = c;
			m->n++;
			return 0;
		}
}

static void
memo_free(struct memo *m)
{
	free(m->from);
	free(m->to);
	memset(m, 0, sizeof(*m));
}

/*
 * Copy t and what it reaches. `local` holds this copy's types, for the
 * cycles (a struct with a pointer to itself); the DWARF memo types
 * copied before. NULL when out of memory.
 */
static const struct tr_type *
copy_type(struct tr_hist *h, struct memo *local, const struct tr_type *t,
	  int depth)
{
	const struct tr_type *seen;
	struct tr_type *c;

	if (!t)
		return NULL;
	if ((seen = memo_get(local, t)) ||
	    (t->die && (seen = memo_get(&h->dwarf, t))))
		return seen;
	if (depth > COPY_DEPTH)
		return tr_type_void();
	if (!(c = halloc(h, sizeof(*c))))
		return NULL;
	*c = *t;
	if (memo_put(local, t, c) < 0 ||
	    (t->die && memo_put(&h->dwarf, t, c) < 0))
		return NULL;
	c->name = hstrdup(h, t->name);
	if (t->name && !c->name)
		return NULL;
	if (t->target && !(c->target = copy_type(h, local, t->target,
						 depth + 1)))
		return NULL;
	if (t->nmembers) {
		struct tr_type_member *m = halloc(h, t->nmembers * sizeof(*m));

		if (!m)
			return NULL;
		for (size_t i = 0; i < t->nmembers; i++) {
			m[i] = t->members[i];
			m[i].name = hstrdup(h, t->members[i].name);
			m[i].type = copy_type(h, local, t->members[i].type,
					      depth + 1);
			if (!m[i].type)
				return NULL;
		}
		c->members = m;
	}
	if (t->nenumerators) {
		struct tr_type_enumerator *en =
			halloc(h, t->nenumerators * sizeof(*en));

		if (!en)
			return NULL;
		for (size_t i = 0; i < t->nenumerators; i++) {
			en[i] = t->enumerators[i];
			en[i].name = hstrdup(h, t->enumerators[i].name);
		}
		c->enumerators = en;
	}
	if (t->nparams) {
		const struct tr_type **p = halloc(h, t->nparams * sizeof(*p));

		if (!p)
			return NULL;
		for (size_t i = 0; i < t->nparams; i++)
			if (!(p[i] = copy_type(h, local, t->params[i],
					       depth + 1)))
				return NULL;
		c->params = p;
	}
	return c;
}

/* *dst = a copy of src, its bytes and type the history's. */
static int
copy_value(struct tr_hist *h, struct tr_value *dst, const struct tr_value *src)
{
	struct memo local = { 0 };
	const struct tr_type *t = copy_type(h, &local, src->type, 0);

	memo_free(&local);
	if (!t)
		return -TR_ENOMEM;
	*dst = *src;
	dst->heap = NULL;
	if (tr_value_alloc(dst, src->size) < 0)
		return -TR_ENOMEM;
	memcpy(tr_value_bytes(dst), tr_value_cbytes(src), src->size);
	dst->type = t;
	return 0;
}

int
tr_hist_new(struct tr_hist **out)
{
	struct tr_hist *h = calloc(1, sizeof(*h));

	if (!h)
		return -TR_ENOMEM;
	pthread_mutex_init(&h->mu, NULL);
	*out = h;
	return 0;
}

void
tr_hist_free(struct tr_hist *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nvals; i++)
		tr_value_release(&h->vals[i]);
	free(h->vals);
	while (h->convs) {
		struct conv *c = h->convs;

		h->convs = c->next;
		tr_value_release(&c->v);
		free(c->name);
		free(c);
	}
	while (h->chunks) {
		struct chunk *c = h->chunks;

		h->chunks = c->next;
		free(c);
	}
	memo_free(&h->dwarf);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

void
tr_hist_types_changed(struct tr_hist *h)
{
	pthread_mutex_lock(&h->mu);
	memo_free(&h->dwarf);
	pthread_mutex_unlock(&h->mu);
}

int
tr_hist_record(struct tr_hist *h, const struct tr_value *v, unsigned *num)
{
	int err = 0;

	pthread_mutex_lock(&h->mu);
	if (h->nvals == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct tr_value *n = realloc(h->vals, cap * sizeof(*n));

		if (!n) {
			err = -TR_ENOMEM;
			goto out;
		}
		h->vals = n;
		h->cap = cap;
	}
	if ((err = copy_value(h, &h->vals[h->nvals], v)))
		goto out;
	h->nvals++;
	if (num)
		*num = (unsigned)h->nvals;
out:
	pthread_mutex_unlock(&h->mu);
	return err;
}

unsigned
tr_hist_count(struct tr_hist *h)
{
	unsigned n;

	pthread_mutex_lock(&h->mu);
	n = (unsigned)h->nvals;
	pthread_mutex_unlock(&h->mu);
	return n;
}

static bool
all_digits(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool
tr_hist_is_history(const char *name)
{
	if (name[0] == '$')
		return all_digits(name + 1);
	return all_digits(name);
}

/* *out = a copy of v, sharing its type (the history's). */
static int
give(const struct tr_value *v, struct tr_value *out)
{
	*out = *v;
	out->heap = NULL;
	if (tr_value_alloc(out, v->size) < 0)
		return -TR_ENOMEM;
	memcpy(tr_value_bytes(out), tr_value_cbytes(v), v->size);
	return 0;
}

int
tr_hist_get(struct tr_hist *h, const char *name, struct tr_value *out,
	    char *msg, size_t len)
{
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->type = tr_type_void();
	pthread_mutex_lock(&h->mu);
	if (tr_hist_is_history(name)) {
		/* gdb's access_value_history: $N absolute, $ $$ $$N counted
		 * back from the last, $0 and $$0 the last */
		bool rel = name[0] == '$' || name[0] == 0;
		const char *d = name[0] == '$' ? name + 1 : name;
		long num = *d ? strtol(d, NULL, 10) : (name[0] == '$' ? 1 : 0);
		long abs = rel ? -num : num;

		if (abs <= 0)
			abs += (long)h->nvals;
		if (abs <= 0) {
			if (num == 0)
				snprintf(msg, len, "The history is empty.");
			else
				snprintf(msg, len, "History does not go back "
					 "to $$%ld.", num);
			err = -TR_ENOENT;
		} else if ((size_t)abs > h->nvals) {
			snprintf(msg, len, "History has not yet reached $%ld.",
				 abs);
			err = -TR_ENOENT;
		} else {
			err = give(&h->vals[abs - 1], out);
		}
	} else {
		for (struct conv *c = h->convs; c; c = c->next)
			if (!strcmp(c->name, name)) {
				err = give(&c->v, out);
				break;
			}
	}
	pthread_mutex_unlock(&h->mu);
	return err;
}

int
tr_hist_set(struct tr_hist *h, const char *name, const struct tr_value *v)
{
	struct conv *c;
	struct tr_value nv;
	int err;

	pthread_mutex_lock(&h->mu);
	if ((err = copy_value(h, &nv, v)))
		goto out;
	nv.lval = TR_LVAL_NONE;
	for (c = h->convs; c; c = c->next)
		if (!strcmp(c->name, name))
			break;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c || !(c->name = strdup(name))) {
			free(c);
			tr_value_release(&nv);
			err = -TR_ENOMEM;
			goto out;
		}
		c->next = h->convs;
		h->convs = c;
	} else {
		tr_value_release(&c->v);
	}
	c->v = nv;
out:
	pthread_mutex_unlock(&h->mu);
	return err;
}

int
tr_hist_set_int(struct tr_hist *h, const char *name, int value)
{
	static const struct tr_type t_int = { .kind = TR_TYPE_BASE,
					      .name = "int", .size = 4,
					      .encoding = TR_ENC_SIGNED };
	struct tr_value v;
	int err;

	memset(&v, 0, sizeof(v));
	v.type = &t_int;
	if (tr_value_alloc(&v, 4) < 0)
		return -TR_ENOMEM;
	memcpy(tr_value_bytes(&v), &value, 4);
	err = tr_hist_set(h, name, &v);
	tr_value_release(&v);
	return err;
}

/* ---- $_siginfo ----------------------------------------------------------
 * gdb's type for it on x86-64 Linux (linux_get_siginfo_type_with_fields in
 * gdb's linux-tdep.c): the kernel's 128-byte siginfo_t, its union of the
 * fields of each kind of signal at offset 16. Written here from the
 * kernel's layout (include/uapi/asm-generic/siginfo.h), as gdb shows it. */

#define T_BASE(id, nm, sz, enc) \
	static const struct tr_type id = { .kind = TR_TYPE_BASE, .name = nm, \
					   .size = sz, .encoding = enc }
T_BASE(si_int, "int", 4, TR_ENC_SIGNED);
T_BASE(si_uint, "unsigned int", 4, TR_ENC_UNSIGNED);
T_BASE(si_short, "short", 2, TR_ENC_SIGNED);
T_BASE(si_long, "long", 8, TR_ENC_SIGNED);
#undef T_BASE
static const struct tr_type si_void = { .kind = TR_TYPE_VOID, .name = "void" };
static const struct tr_type si_voidp = { .kind = TR_TYPE_POINTER, .size = 8,
					 .target = &si_void };
/* (the size given again: another object's member is no constant
 * expression in C, which clang, building the fuzz harnesses, enforces) */
#define T_TYPEDEF(id, nm, t, sz) \
	static const struct tr_type id = { .kind = TR_TYPE_TYPEDEF, .name = nm, \
					   .size = sz, .target = &(t) }
T_TYPEDEF(si_pid_t, "__pid_t", si_int, 4);
T_TYPEDEF(si_uid_t, "__uid_t", si_uint, 4);
T_TYPEDEF(si_clock_t, "__clock_t", si_long, 8);
#undef T_TYPEDEF
#define M(nm, t, off) { .name = nm, .type = &(t), .offset = off }
#define AGG(id, k, nm, sz, ms) \
	static const struct tr_type id = { .kind = k, .name = nm, .size = sz, \
		.nmembers = sizeof(ms) / sizeof(ms[0]), .members = ms }
static const struct tr_type si_pad = { .kind = TR_TYPE_ARRAY, .size = 112,
				       .target = &si_int, .count_known = true,
				       .count = 28 };
static const struct tr_type_member sigval_m[] = {
	M("sival_int", si_int, 0), M("sival_ptr", si_voidp, 0),
};
AGG(si_sigval, TR_TYPE_UNION, "sigval_t", 8, sigval_m);
static const struct tr_type_member kill_m[] = {
	M("si_pid", si_pid_t, 0), M("si_uid", si_uid_t, 4),
};
AGG(si_kill, TR_TYPE_STRUCT, NULL, 8, kill_m);
static const struct tr_type_member timer_m[] = {
	M("si_tid", si_int, 0), M("si_overrun", si_int, 4),
	M("si_sigval", si_sigval, 8),
};
AGG(si_timer, TR_TYPE_STRUCT, NULL, 16, timer_m);
static const struct tr_type_member rt_m[] = {
	M("si_pid", si_pid_t, 0), M("si_uid", si_uid_t, 4),
	M("si_sigval", si_sigval, 8),
};
AGG(si_rt, TR_TYPE_STRUCT, NULL, 16, rt_m);
static const struct tr_type_member chld_m[] = {
	M("si_pid", si_pid_t, 0), M("si_uid", si_uid_t, 4),
	M("si_status", si_int, 8), M("si_utime", si_clock_t, 16),
	M("si_stime", si_clock_t, 24),
};
AGG(si_chld, TR_TYPE_STRUCT, NULL, 32, chld_m);
static const struct tr_type_member bnd_m[] = {
	M("_lower", si_voidp, 0), M("_upper", si_voidp, 8),
};
AGG(si_bnd, TR_TYPE_STRUCT, NULL, 16, bnd_m);
static const struct tr_type_member fault_m[] = {
	M("si_addr", si_voidp, 0), M("_addr_lsb", si_short, 8),
	M("_addr_bnd", si_bnd, 16),
};
AGG(si_fault, TR_TYPE_STRUCT, NULL, 32, fault_m);
static const struct tr_type_member poll_m[] = {
	M("si_band", si_long, 0), M("si_fd", si_int, 8),
};
AGG(si_poll, TR_TYPE_STRUCT, NULL, 16, poll_m);
static const struct tr_type_member sys_m[] = {
	M("_call_addr", si_voidp, 0), M("_syscall", si_int, 8),
	M("_arch", si_uint, 12),
};
AGG(si_sys, TR_TYPE_STRUCT, NULL, 16, sys_m);
static const struct tr_type_member fields_m[] = {
	M("_pad", si_pad, 0), M("_kill", si_kill, 0), M("_timer", si_timer, 0),
	M("_rt", si_rt, 0), M("_sigchld", si_chld, 0),
	M("_sigfault", si_fault, 0), M("_sigpoll", si_poll, 0),
	M("_sigsys", si_sys, 0),
};
AGG(si_fields, TR_TYPE_UNION, NULL, 112, fields_m);
static const struct tr_type_member siginfo_m[] = {
	M("si_signo", si_int, 0), M("si_errno", si_int, 4),
	M("si_code", si_int, 8), M("_sifields", si_fields, 16),
};
AGG(si_siginfo, TR_TYPE_STRUCT, "siginfo", 128, siginfo_m);
#undef AGG
#undef M

const struct tr_type *
tr_hist_siginfo_type(void)
{
	return &si_siginfo;
}

/* ---- $_ and $__ after x ---------------------------------------------------
 * gdb types them with its own integer types of the unit's size, named as
 * <stdint.h> names them (printed as numbers, a 1-byte one too). */

#define T_INT(id, nm, sz) \
	static const struct tr_type id = { .kind = TR_TYPE_BASE, .name = nm, \
					   .size = sz, .encoding = TR_ENC_SIGNED }
T_INT(x_int8, "int8_t", 1);
T_INT(x_int16, "int16_t", 2);
T_INT(x_int32, "int32_t", 4);
T_INT(x_int64, "int64_t", 8);
#undef T_INT
#define T_PTR(id, t) \
	static const struct tr_type id = { .kind = TR_TYPE_POINTER, .size = 8, \
					   .target = &(t) }
T_PTR(x_int8p, x_int8);
T_PTR(x_int16p, x_int16);
T_PTR(x_int32p, x_int32);
T_PTR(x_int64p, x_int64);
#undef T_PTR

int
tr_hist_set_examined(struct tr_hist *h, uint64_t addr, unsigned unit,
		     const void *bytes)
{
	const struct tr_type *t, *pt;
	struct tr_value v;
	int err;

	switch (unit) {
	case 1: t = &x_int8; pt = &x_int8p; break;
	case 2: t = &x_int16; pt = &x_int16p; break;
	case 4: t = &x_int32; pt = &x_int32p; break;
	case 8: t = &x_int64; pt = &x_int64p; break;
	default: return -TR_EINVAL;
	}
	memset(&v, 0, sizeof(v));
	v.type = pt;
	if (tr_value_alloc(&v, 8) < 0)
		return -TR_ENOMEM;
	memcpy(tr_value_bytes(&v), &addr, 8);
	err = tr_hist_set(h, "_", &v);
	tr_value_release(&v);
	if (err)
		return err;
	memset(&v, 0, sizeof(v));
	v.type = bytes ? t : tr_type_void();
	if (tr_value_alloc(&v, bytes ? unit : 0) < 0)
		return -TR_ENOMEM;
	if (bytes) {
		memcpy(tr_value_bytes(&v), bytes, unit);
		/* gdb's $__ is the value in memory, lazy there */
		v.lval = TR_LVAL_MEMORY;
		v.addr = addr;
	}
	err = tr_hist_set(h, "__", &v);
	tr_value_release(&v);
	return err;
}
