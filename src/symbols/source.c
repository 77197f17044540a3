/* source.c: source lines read by number; substitute-path rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "symbols/source.h"

struct tr_srcrule {
	char *from, *to;
};

struct tr_srcmap {
	struct tr_srcrule *r;
	size_t n, cap;
};

struct tr_srcmap *
tr_srcmap_new(void)
{
	return calloc(1, sizeof(struct tr_srcmap));
}

void
tr_srcmap_free(struct tr_srcmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->r[i].from);
		free(m->r[i].to);
	}
	free(m->r);
	free(m);
}

/* gdb compares rules without a trailing '/' ("/a/" is "/a") */
static size_t
trimmed_len(const char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		n--;
	return n;
}

static long
rule_of(const struct tr_srcmap *m, const char *from)
{
	size_t fl = trimmed_len(from);

	for (size_t i = 0; i < m->n; i++)
		if (strlen(m->r[i].from) == fl &&
		    !strncmp(m->r[i].from, from, fl))
			return (long)i;
	return -1;
}

int
tr_srcmap_set(struct tr_srcmap *m, const char *from, const char *to)
{
	long i;
	char *f, *t;

	if (!from || !*from || !to)
		return -TR_EINVAL;
	f = strndup(from, trimmed_len(from));
	t = strndup(to, *to ? trimmed_len(to) : 0);
	if (!f || !t) {
		free(f);
		free(t);
		return -TR_ENOMEM;
	}
	if ((i = rule_of(m, from)) >= 0) {
		free(f);
		free(m->r[i].to);
		m->r[i].to = t;
		return 0;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4;
		struct tr_srcrule *r = realloc(m->r, cap * sizeof(*r));

		if (!r) {
			free(f);
			free(t);
			return -TR_ENOMEM;
		}
		m->r = r;
		m->cap = cap;
	}
	m->r[m->n].from = f;
	m->r[m->n].to = t;
	m->n++;
	return 0;
}

int
tr_srcmap_unset(struct tr_srcmap *m, const char *from)
{
	long i;

	if (!from) {
		for (size_t k = 0; k < m->n; k++) {
			free(m->r[k].from);
			free(m->r[k].to);
		}
		m->n = 0;
		return 0;
	}
	if ((i = rule_of(m, from)) < 0)
		return -TR_ENOENT;
	free(m->r[i].from);
	free(m->r[i].to);
	memmove(&m->r[i], &m->r[i + 1], (m->n - (size_t)i - 1) * sizeof(*m->r));
	m->n--;
	return 0;
}

size_t
tr_srcmap_count(const struct tr_srcmap *m)
{
	return m ? m->n : 0;
}

void
tr_srcmap_rule(const struct tr_srcmap *m, size_t i, const char **from,
	       const char **to)
{
	*from = m->r[i].from;
	*to = m->r[i].to;
}

int
tr_srcmap_apply(const struct tr_srcmap *m, const char *file, char *out,
		size_t len)
{
	for (size_t i = 0; m && i < m->n; i++) {
		size_t fl = strlen(m->r[i].from);

		if (strncmp(file, m->r[i].from, fl) ||
		    (file[fl] && file[fl] != '/' && m->r[i].from[fl - 1] != '/'))
			continue;
		if ((size_t)snprintf(out, len, "%s%s", m->r[i].to, file + fl) >=
		    len)
			return -TR_ERANGE;
		return 1;
	}
	if ((size_t)snprintf(out, len, "%s", file) >= len)
		return -TR_ERANGE;
	return 0;
}

int
tr_source_read(const struct tr_srcmap *m, const char *file, uint32_t first,
	       uint32_t last, tr_source_line_fn fn, void *arg, uint32_t *total,
	       char *path, size_t pathlen)
{
	char name[4096];
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	uint32_t n = 0;
	int err = 0;

	*total = 0;
	if (!file || !first || last < first)
		return -TR_EINVAL;
	/* as gdb: a file a rule rewrites is read by its new name only */
	if (tr_srcmap_apply(m, file, name, sizeof(name)) < 0)
		return -TR_ENOENT;
	if (!(f = fopen(name, "r")))
		return -TR_ENOENT;
	if (path)
		snprintf(path, pathlen, "%s", name);
	while ((got = getline(&line, &cap, f)) >= 0) {
		size_t l = (size_t)got;

		n++;
		if (err || n < first || n > last)
			continue;
		if (l && line[l - 1] == '\n')
			l--;
		if (l && line[l - 1] == '\r')
			l--;
		err = fn(n, line, l, arg);
	}
	free(line);
	fclose(f);
	*total = n;
	if (!err && first > n)
		err = -TR_ERANGE;
	return err;
}
