/* dwarf_index.c: the DWARF index of one ELF file: opening it, names and addresses to entries. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "symbols/dwarf_index.h"
#include "symbols/dwarf_int.h"
#include "base/leb128.h"
#include "base/error.h"
#include "base/log.h"

/* dwarf_init_* and dwarf_finish touch global state in libdwarf 20210528
 * (doc/FIELD-NOTES.md): serialize them. */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

void
tr_dwarf_global_lock(void)
{
	pthread_mutex_lock(&init_lock);
}

void
tr_dwarf_global_unlock(void)
{
	pthread_mutex_unlock(&init_lock);
}

static int
cmp_name(const void *a, const void *b, void *ctx)
{
	const struct tr_dw_entry *e = ctx;
	const struct tr_dw_entry *x = &e[*(const uint32_t *)a];
	const struct tr_dw_entry *y = &e[*(const uint32_t *)b];
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	/* Definitions before declarations, then by DIE for stability. */
	if (x->declaration != y->declaration)
		return x->declaration ? 1 : -1;
	return x->die < y->die ? -1 : x->die > y->die;
}

static int
cmp_range(const void *a, const void *b)
{
	const struct fn_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	/* Innermost (shortest) last, so a lookup finds it first going back. */
	return x->hi > y->hi ? -1 : x->hi < y->hi;
}

/* A sort key: the first 8 bytes of a name, big-endian, so that comparing
 * keys compares names as strcmp does as far as they go. */
struct name_key {
	uint64_t k;
	uint32_t i;
};

static uint64_t
name_key(const char *s)
{
	uint64_t k = 0;

	for (unsigned j = 0; j < 8 && s[j]; j++)
		k |= (uint64_t)(uint8_t)s[j] << (56 - 8 * j);
	return k;
}

/*
 * d->by_name in cmp_name's order. qsort_r with strcmp was a tenth of the
 * index (one indirect call and two cache misses per comparison): a stable
 * radix sort on 8-byte name prefixes instead, then cmp_name within the
 * (short) runs of equal prefixes.
 */
static int
sort_by_name(struct tr_dwarf *d)
{
	size_t n = d->nents, cnt[8][256];
	struct name_key *a, *b;

	a = malloc((n + 1) * sizeof(*a));
	b = malloc((n + 1) * sizeof(*b));
	if (!a || !b) {
		free(a);
		free(b);
		return -TR_ENOMEM;
	}
	memset(cnt, 0, sizeof(cnt));
	for (size_t i = 0; i < n; i++) {
		a[i].k = name_key(d->ents[i].name);
		a[i].i = (uint32_t)i;
		for (unsigned byte = 0; byte < 8; byte++)
			cnt[byte][(a[i].k >> (8 * byte)) & 0xff]++;
	}
	for (unsigned byte = 0; byte < 8; byte++) {
		size_t sum = 0;
		struct name_key *t;

		/* A byte that is the same in every key sorts nothing. */
		if (n == 0 || cnt[byte][(a[0].k >> (8 * byte)) & 0xff] == n)
			continue;
		for (unsigned v = 0; v < 256; v++) {
			size_t c = cnt[byte][v];

			cnt[byte][v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[cnt[byte][(a[i].k >> (8 * byte)) & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++)
		d->by_name[i] = a[i].i;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && a[j].k == a[i].k; j++)
			;
		if (j - i > 1)
			qsort_r(d->by_name + i, j - i, sizeof(*d->by_name),
				cmp_name, d->ents);
	}
	free(a);
	free(b);
	return 0;
}

static pthread_once_t elf_once = PTHREAD_ONCE_INIT;

static void
elf_init(void)
{
	elf_version(EV_CURRENT);
}

/* Forget what a failed scan indexed. */
static void
index_reset(struct tr_dwarf *d)
{
	free(d->cus);
	free(d->ents);
	free(d->ranges);
	d->cus = NULL;
	d->ents = NULL;
	d->ranges = NULL;
	d->ncus = d->cap_cus = d->nents = d->cap_ents = 0;
	d->nranges = d->cap_ranges = 0;
	d->dies = 0;
}

/*
 * The pages of the file mapping (libelf's, ELF_C_READ_MMAP) that the scan
 * and the sort touched are given back as the scan goes and after the
 * open: afterwards only the few pages a lookup or a unit's line table
 * needs are read again, faulted in from the page cache. A private
 * read-only file mapping loses nothing to MADV_DONTNEED; a buffer libelf
 * read into memory (when it could not map the file) would lose its
 * contents, so pages are dropped only within a range /proc/self/maps
 * shows as this file's mapping (tr__dwarf_map_check).
 */
static void
map_check(struct tr_dwarf *d)
{
	struct stat st;
	size_t size = 0;
	char *base = d->elf ? elf_rawfile(d->elf, &size) : NULL;
	char line[512];
	FILE *f;

	if (!base || !size || fstat(d->fd, &st) < 0)
		return;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, ino;
		unsigned maj, min;

		if (sscanf(line, "%lx-%lx %*s %*x %x:%x %lu", &lo, &hi, &maj,
			   &min, &ino) != 5 ||
		    (uintptr_t)base < lo || (uintptr_t)base >= hi)
			continue;
		if (ino == st.st_ino && makedev(maj, min) == st.st_dev) {
			d->map_lo = (const uint8_t *)lo;
			d->map_hi = (const uint8_t *)hi;
		}
		break;
	}
	fclose(f);
}

void
tr__dwarf_drop(struct tr_dwarf *d, const void *lo, const void *hi)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)lo + page - 1) & ~(page - 1);
	uintptr_t b = (uintptr_t)hi & ~(page - 1);

	if (!d->map_lo || (const uint8_t *)lo < d->map_lo ||
	    (const uint8_t *)hi > d->map_hi || a >= b)
		return;
	madvise((void *)a, b - a, MADV_DONTNEED);
}

int
tr_dwarf_open(const char *path, struct tr_dwarf **out)
{
	struct tr_dwarf *d;
	Dwarf_Error err = NULL;
	bool sorted = true;
	int res;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -TR_ENOMEM;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		res = tr_errno_map(errno);
		free(d);
		return res;
	}
	pthread_once(&elf_once, elf_init);
	/* The read-only mapping of the file the scan reads and the
	 * entries' names point into (its pages given back as it goes). */
	d->elf = elf_begin(d->fd, ELF_C_READ_MMAP, NULL);
	if (d->elf && elf_kind(d->elf) != ELF_K_ELF) {
		elf_end(d->elf);
		d->elf = NULL;
	}
	map_check(d);
	pthread_mutex_lock(&init_lock);
	res = dwarf_init_b(d->fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL,
			   &d->dbg, &err);
	pthread_mutex_unlock(&init_lock);
	if (res != DW_DLV_OK) {
		if (res == DW_DLV_ERROR)
			dwarf_dealloc_error(NULL, err);
		if (d->elf)
			elf_end(d->elf);
		close(d->fd);
		free(d);
		return res == DW_DLV_NO_ENTRY ? -TR_ENOENT : -TR_EINVAL;
	}
	res = tr__dwarf_scan(d, &d->elf);
	if (res != 0) {
		tr_log_debug("dwarf: %s: direct scan failed, walking with "
			     "libdwarf", path);
		index_reset(d);
		res = tr__dwarf_walk(d);
	}
	if (res == 0 && d->ncus == 0)
		res = -TR_ENOENT;
	if (res == 0) {
		d->by_name = malloc((d->nents + 1) * sizeof(*d->by_name));
		d->funcs = malloc((d->nents + 1) * sizeof(*d->funcs));
		if (!d->by_name || !d->funcs)
			res = -TR_ENOMEM;
	}
	if (res == 0)
		res = sort_by_name(d);
	if (res < 0) {
		tr_dwarf_close(d);
		return res;
	}
	for (size_t i = 0; i < d->nents; i++) {
		const struct tr_dw_entry *e = &d->ents[d->by_name[i]];

		if (e->kind == TR_DW_FUNC && !e->declaration && e->lowpc)
			d->funcs[d->nfuncs++] = d->by_name[i];
	}
	/* Functions come in address order within a unit, and units often
	 * in address order too: skip the sort when there is nothing to do. */
	for (size_t i = 1; sorted && i < d->nranges; i++)
		sorted = cmp_range(&d->ranges[i - 1], &d->ranges[i]) <= 0;
	if (!sorted)
		qsort(d->ranges, d->nranges, sizeof(*d->ranges), cmp_range);
	tr__dwarf_drop(d, d->map_lo, d->map_hi);
	tr_log_debug("dwarf: %s: %zu units, %zu entries, %lu DIEs", path,
		     d->ncus, d->nents, (unsigned long)d->dies);
	*out = d;
	return 0;
}

void
tr_dwarf_close(struct tr_dwarf *d)
{
	Dwarf_Error err = NULL;

	if (!d)
		return;
	tr_dwarf_type_cache_drop(d);
	pthread_mutex_lock(&init_lock);
	dwarf_finish(d->dbg, &err);
	pthread_mutex_unlock(&init_lock);
	if (d->elf)
		elf_end(d->elf);
	close(d->fd);
	free(d->cus);
	free(d->ents);
	free(d->by_name);
	free(d->funcs);
	free(d->ranges);
	free(d);
}

size_t
tr_dwarf_ncus(const struct tr_dwarf *d)
{
	return d->ncus;
}

const struct tr_dw_cu *
tr_dwarf_cu(const struct tr_dwarf *d, size_t i)
{
	return i < d->ncus ? &d->cus[i] : NULL;
}

uint64_t
tr_dwarf_dies_seen(const struct tr_dwarf *d)
{
	return d->dies;
}

int
tr_dwarf_lookup(const struct tr_dwarf *d, const char *name,
		enum tr_dw_kind kind, const struct tr_dw_entry **out,
		size_t max, size_t *n)
{
	const char *sep = strstr(name, "::");
	char file[512];
	size_t lo = 0, hi = d->nents, k = 0;

	*n = 0;
	file[0] = 0;
	if (sep) {
		size_t fl = (size_t)(sep - name);

		if (fl >= sizeof(file))
			return -TR_EINVAL;
		memcpy(file, name, fl);
		file[fl] = 0;
		name = sep + 2;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(d->ents[d->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->nents; lo++) {
		const struct tr_dw_entry *e = &d->ents[d->by_name[lo]];

		if (strcmp(e->name, name) != 0)
			break;
		if (kind && e->kind != kind)
			continue;
		if (file[0] && !tr__path_matches(d->cus[e->cu].name, file))
			continue;
		if (k < max)
			out[k] = e;
		k++;
	}
	*n = k;
	return k ? 0 : -TR_ENOENT;
}

const struct tr_dw_entry *
tr_dwarf_func_at(const struct tr_dwarf *d, uint64_t pc)
{
	size_t lo = 0, hi = d->nranges;

	/* The last range starting at or before pc... */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (d->ranges[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ...and back while ranges could still contain it (nested ones
	 * are rare for top-level functions, so this stays short). */
	for (size_t i = lo; i-- > 0;) {
		if (pc < d->ranges[i].hi)
			return &d->ents[d->ranges[i].func];
		if (lo - i > 64)
			break;
	}
	return NULL;
}

size_t
tr_dwarf_nfuncs(const struct tr_dwarf *d)
{
	return d->nfuncs;
}

const struct tr_dw_entry *
tr_dwarf_func(const struct tr_dwarf *d, size_t i)
{
	return i < d->nfuncs ? &d->ents[d->funcs[i]] : NULL;
}

Dwarf_Debug
tr__dwarf_dbg(struct tr_dwarf *d)
{
	return d ? d->dbg : NULL;
}

uint16_t
tr__dwarf_cu_version(const struct tr_dwarf *d, uint32_t cu)
{
	return cu < d->ncus ? d->cus[cu].version : 0;
}

int
tr__dwarf_cu_of_die(const struct tr_dwarf *d, uint64_t die)
{
	/* Units are in .debug_info order: the last one starting at or
	 * before the DIE holds it. */
	int r = -1;

	for (size_t i = 0; i < d->ncus && d->cus[i].die <= die + 16; i++)
		if (d->cus[i].die <= die)
			r = (int)i;
	return r;
}

void *
tr__dwarf_slot(struct tr_dwarf *d, enum tr__dwarf_slot s, size_t size,
	       void (*destroy)(void *))
{
	if (!d->slot[s] && (d->slot[s] = calloc(1, size)))
		d->slot_free[s] = destroy;
	return d->slot[s];
}

void
tr_dwarf_type_cache_drop(struct tr_dwarf *d)
{
	for (int i = 0; i < TR__SLOT_MAX_; i++) {
		if (d->slot[i] && d->slot_free[i])
			d->slot_free[i](d->slot[i]);
		d->slot[i] = NULL;
		d->slot_free[i] = NULL;
	}
}
