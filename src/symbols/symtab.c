/* symtab.c: ELF symbols of the executable and shared libraries of a process (libelf). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "symbols/debugfile.h"
#include "symbols/symtab.h"

struct sym {
	const char *name; /* into the mmapped ELF file */
	uint64_t value;   /* link-time address */
	uint64_t size;
	uint8_t kind;
	bool global;
};

struct mod {
	struct tr_module pub;
	char *path;
	int fd;
	Elf *elf;
	int dfd;           /* its separate debug file, when its .symtab */
	Elf *delf;         /* is where the symbols come from (else -1) */
	uint64_t map0;     /* start of the mapping at file offset 0 */
	uint64_t plt_lo[3], plt_hi[3]; /* .plt, .plt.sec, .plt.got */
	uint64_t plt_ent[3];           /* their entry sizes */
	struct sym *syms;  /* sorted by value */
	uint32_t *by_name; /* indexes into syms, sorted by name */
	bool seen;         /* still mapped (refresh) */
};

struct tr_symtab {
	pid_t pid;
	struct mod **mods;
	size_t nmods, cap;
};

static pthread_once_t elf_once = PTHREAD_ONCE_INIT;

static void
elf_init(void)
{
	elf_version(EV_CURRENT);
}

static int
cmp_value(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	/* Functions before other symbols at the same address. */
	return (int)(x->kind != TR_SYM_FUNC) - (int)(y->kind != TR_SYM_FUNC);
}

/* qsort_r context for sorting name indexes. */
static int
cmp_name(const void *a, const void *b, void *ctx)
{
	const struct sym *syms = ctx;

	return strcmp(syms[*(const uint32_t *)a].name,
		      syms[*(const uint32_t *)b].name);
}

static uint8_t
kind_of(int type)
{
	switch (type) {
	case STT_FUNC:
		return TR_SYM_FUNC;
	case STT_OBJECT:
	case STT_TLS:
	case STT_COMMON:
		return TR_SYM_OBJECT;
	case STT_GNU_IFUNC:
		return TR_SYM_IFUNC;
	default:
		return TR_SYM_OTHER;
	}
}

/* Read the symbols of one symbol table section. */
static int
read_symbols(struct mod *m, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0, k = 0;

	if (!d || n == 0)
		return 0;
	m->syms = calloc(n, sizeof(*m->syms));
	if (!m->syms)
		return -TR_ENOMEM;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym s;
		const char *name;
		int type;

		if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF)
			continue;
		type = GELF_ST_TYPE(s.st_info);
		if (type == STT_SECTION || type == STT_FILE)
			continue;
		name = elf_strptr(elf, sh->sh_link, s.st_name);
		if (!name || !*name)
			continue;
		m->syms[k].name = name;
		m->syms[k].value = s.st_value;
		m->syms[k].size = s.st_size;
		m->syms[k].kind = kind_of(type);
		m->syms[k].global = GELF_ST_BIND(s.st_info) != STB_LOCAL;
		k++;
	}
	m->pub.nsyms = k;
	qsort(m->syms, k, sizeof(*m->syms), cmp_value);
	m->by_name = malloc((k ? k : 1) * sizeof(*m->by_name));
	if (!m->by_name)
		return -TR_ENOMEM;
	for (size_t i = 0; i < k; i++)
		m->by_name[i] = (uint32_t)i;
	qsort_r(m->by_name, k, sizeof(*m->by_name), cmp_name, m->syms);
	return 0;
}

static void
mod_free(struct mod *m)
{
	if (!m)
		return;
	if (m->delf)
		elf_end(m->delf);
	if (m->dfd >= 0)
		close(m->dfd);
	if (m->elf)
		elf_end(m->elf);
	if (m->fd >= 0)
		close(m->fd);
	free(m->syms);
	free(m->by_name);
	free(m->path);
	free(m);
}

/* The symbols of m's separate debug file's .symtab, if it has one. */
static int
debug_symtab(struct mod *m)
{
	char path[PATH_MAX];
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (tr_debugfile_find(m->path, path, sizeof(path)))
		return -TR_ENOENT;
	m->dfd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->dfd < 0)
		return tr_errno_map(errno);
	m->delf = elf_begin(m->dfd, ELF_C_READ_MMAP, NULL);
	if (!m->delf || elf_kind(m->delf) != ELF_K_ELF)
		return -TR_EINVAL;
	while ((scn = elf_nextscn(m->delf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			return read_symbols(m, m->delf, scn, &sh);
	return -TR_ENOENT;
}

/* Open a mapped ELF file, compute its bias and read its symbols. */
static int
mod_load(struct mod *m)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	GElf_Shdr sh, symsh, dynsh;
	GElf_Ehdr eh;
	uint64_t lowest = UINT64_MAX;
	size_t nph, shstrndx = 0, nplt = 0;

	m->fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0)
		return tr_errno_map(errno);
	m->elf = elf_begin(m->fd, ELF_C_READ_MMAP, NULL);
	if (!m->elf || elf_kind(m->elf) != ELF_K_ELF ||
	    !gelf_getehdr(m->elf, &eh))
		return -TR_EINVAL;
	m->pub.pie = m->pub.is_exec && eh.e_type == ET_DYN;

	/* bias = where the file's first page is mapped - where the first
	 * PT_LOAD wants it (0 for ET_EXEC; the load address for PIE and
	 * shared libraries, whose first PT_LOAD is at 0). */
	if (elf_getphdrnum(m->elf, &nph) == 0) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(m->elf, (int)i, &ph) &&
			    ph.p_type == PT_LOAD && ph.p_vaddr < lowest)
				lowest = ph.p_vaddr & ~(uint64_t)0xfff;
		}
	}
	if (lowest == UINT64_MAX)
		lowest = 0;
	m->pub.bias = eh.e_type == ET_EXEC ? 0 : m->map0 - lowest;

	elf_getshdrstrndx(m->elf, &shstrndx);
	while ((scn = elf_nextscn(m->elf, scn))) {
		const char *sname;

		if (!gelf_getshdr(scn, &sh))
			continue;
		sname = elf_strptr(m->elf, shstrndx, sh.sh_name);
		if (sname && strncmp(sname, ".plt", 4) == 0 && nplt < 3) {
			m->plt_lo[nplt] = sh.sh_addr;
			m->plt_hi[nplt] = sh.sh_addr + sh.sh_size;
			m->plt_ent[nplt] = sh.sh_entsize ? sh.sh_entsize : 16;
			nplt++;
		}
		if (sh.sh_type == SHT_SYMTAB) {
			symtab = scn;
			symsh = sh;
		} else if (sh.sh_type == SHT_DYNSYM) {
			dynsym = scn;
			dynsh = sh;
		}
	}
	/* .symtab has everything .dynsym has and the local symbols too;
	 * stripped libraries (libc on Debian) have .dynsym only. */
	if (symtab)
		return read_symbols(m, m->elf, symtab, &symsh);
	/* A stripped program: the .symtab of its separate debug file, as
	 * gdb reads its minimal symbols there (static data gets its name:
	 * <counts+16>). Libraries keep their .dynsym. */
	if (m->pub.is_exec && debug_symtab(m) == 0)
		return 0;
	if (dynsym)
		return read_symbols(m, m->elf, dynsym, &dynsh);
	return 0;
}

struct mapping {
	uint64_t lo, hi, off;
	char path[PATH_MAX];
};

static bool
parse_maps_line(const char *line, struct mapping *mp)
{
	unsigned long lo, hi, off;
	int n = 0;
	const char *p;

	if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", &lo, &hi, &off, &n) < 3 ||
	    n == 0)
		return false;
	p = line + n;
	if (*p != '/')
		return false; /* anonymous, [heap], [vdso]... */
	snprintf(mp->path, sizeof(mp->path), "%s", p);
	mp->path[strcspn(mp->path, "\n")] = 0;
	/* A file replaced on disk since it was mapped. */
	n = (int)strlen(mp->path);
	if (n > 10 && strcmp(mp->path + n - 10, " (deleted)") == 0)
		mp->path[n - 10] = 0;
	mp->lo = lo;
	mp->hi = hi;
	mp->off = off;
	return true;
}

static struct mod *
find_mod(struct tr_symtab *st, const char *path)
{
	for (size_t i = 0; i < st->nmods; i++)
		if (strcmp(st->mods[i]->path, path) == 0)
			return st->mods[i];
	return NULL;
}

static int
add_mod(struct tr_symtab *st, struct mod *m)
{
	if (st->nmods == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct mod **n = realloc(st->mods, cap * sizeof(*n));

		if (!n)
			return -TR_ENOMEM;
		st->mods = n;
		st->cap = cap;
	}
	st->mods[st->nmods++] = m;
	return 0;
}

/* Read /proc/PID/maps; new modules are loaded, mapped ones marked seen. */
static int
scan_maps(struct tr_symtab *st, bool *changed)
{
	char path[64], exe[PATH_MAX], line[PATH_MAX + 128];
	struct mapping mp;
	ssize_t n;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/exe", st->pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
		exe[n - 10] = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", st->pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -TR_ESRCH : tr_errno_map(errno);
	for (size_t i = 0; i < st->nmods; i++)
		st->mods[i]->seen = false;
	while (fgets(line, sizeof(line), f)) {
		struct mod *m;

		if (!parse_maps_line(line, &mp))
			continue;
		m = find_mod(st, mp.path);
		if (m && m->seen) {
			if (mp.lo < m->pub.lo)
				m->pub.lo = mp.lo;
			if (mp.hi > m->pub.hi)
				m->pub.hi = mp.hi;
			if (mp.off == 0 && mp.lo < m->map0)
				m->map0 = mp.lo;
			continue;
		}
		if (m && m->pub.lo == mp.lo) {
			/* Still mapped where it was: keep it. */
			m->seen = true;
			m->pub.hi = mp.hi;
			continue;
		}
		if (m) {
			/* Same file, mapped elsewhere: unloaded and loaded
			 * again. Drop the old one (refresh removes it). */
			m->path[0] = 0;
		}
		m = calloc(1, sizeof(*m));
		if (!m) {
			err = -TR_ENOMEM;
			break;
		}
		m->fd = -1;
		m->dfd = -1;
		m->path = strdup(mp.path);
		m->pub.path = m->path;
		m->pub.name = m->path ? strrchr(m->path, '/') + 1 : NULL;
		m->pub.lo = mp.lo;
		m->pub.hi = mp.hi;
		m->map0 = mp.off == 0 ? mp.lo : mp.lo - mp.off;
		m->pub.is_exec = strcmp(mp.path, exe) == 0;
		m->seen = true;
		if (!m->path || add_mod(st, m) < 0) {
			mod_free(m);
			err = -TR_ENOMEM;
			break;
		}
		if (changed)
			*changed = true;
	}
	fclose(f);
	if (err)
		return err;

	/* Load what is new, drop what is gone, keep load order. */
	size_t j = 0;

	for (size_t i = 0; i < st->nmods; i++) {
		struct mod *m = st->mods[i];

		if (!m->seen) {
			mod_free(m);
			if (changed)
				*changed = true;
			continue;
		}
		if (!m->elf) {
			int e = mod_load(m);

			/* Mapped files that are not ELF (locale archives,
			 * caches) are no modules. A file we cannot open any
			 * more still names its range, without symbols. */
			if (e == -TR_EINVAL) {
				mod_free(m);
				continue;
			}
			if (e < 0)
				tr_log_debug("symtab: %s: %s", m->path,
					     tr_strerror(e));
		}
		st->mods[j++] = m;
	}
	st->nmods = j;
	return 0;
}

int
tr_symtab_new(pid_t pid, struct tr_symtab **out)
{
	struct tr_symtab *st;
	int err;

	*out = NULL;
	pthread_once(&elf_once, elf_init);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -TR_ENOMEM;
	st->pid = pid;
	err = scan_maps(st, NULL);
	if (err) {
		tr_symtab_free(st);
		return err;
	}
	*out = st;
	return 0;
}

int
tr_symtab_refresh(struct tr_symtab *st, bool *changed)
{
	if (changed)
		*changed = false;
	return scan_maps(st, changed);
}

void
tr_symtab_free(struct tr_symtab *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nmods; i++)
		mod_free(st->mods[i]);
	free(st->mods);
	free(st);
}

static void
fill(struct tr_sym *out, const struct mod *m, const struct sym *s)
{
	out->name = s->name;
	out->addr = s->value + m->pub.bias;
	out->size = s->size;
	out->kind = s->kind;
	out->global = s->global;
	out->module = &m->pub;
}

/* Best definition of `name` in one module: global over local, code
 * over data. */
static const struct sym *
mod_lookup(const struct mod *m, const char *name)
{
	size_t lo = 0, hi = m->pub.nsyms;
	const struct sym *best = NULL;
	int best_score = -1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(m->syms[m->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < m->pub.nsyms; lo++) {
		const struct sym *s = &m->syms[m->by_name[lo]];
		int score;

		if (strcmp(s->name, name) != 0)
			break;
		score = (s->global ? 4 : 0) +
			(s->kind == TR_SYM_FUNC || s->kind == TR_SYM_IFUNC ? 2 : 0) +
			(s->size ? 1 : 0);
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

bool
tr_symtab_module_matches(const struct tr_module *m, const char *q,
			 size_t qlen)
{
	const char *name = m->name;
	size_t plen = strlen(m->path);

	if (qlen <= plen && strncmp(m->path + plen - qlen, q, qlen) == 0 &&
	    (qlen == plen || m->path[plen - qlen - 1] == '/'))
		return true;
	/* "libc" or "libc.so" for libc.so.6 */
	return strncmp(name, q, qlen) == 0 && name[qlen] == '.';
}

int
tr_symtab_lookup(const struct tr_symtab *st, const char *name,
		 struct tr_sym *out)
{
	const char *colon = strrchr(name, ':');
	const char *sym = colon ? colon + 1 : name;
	const struct sym *local = NULL;
	const struct mod *local_mod = NULL;

	if (!*sym)
		return -TR_EINVAL;
	for (size_t i = 0; i < st->nmods; i++) {
		const struct mod *m = st->mods[i];
		const struct sym *s;

		if (colon && !tr_symtab_module_matches(&m->pub, name,
						      (size_t)(colon - name)))
			continue;
		s = mod_lookup(m, sym);
		if (!s)
			continue;
		/* The executable and global definitions win, in load order,
		 * as the dynamic linker would resolve them. */
		if (s->global || m->pub.is_exec) {
			fill(out, m, s);
			return 0;
		}
		if (!local) {
			local = s;
			local_mod = m;
		}
	}
	if (local) {
		fill(out, local_mod, local);
		return 0;
	}
	return -TR_ENOENT;
}

static int
alias_rank(const struct sym *s)
{
	return (s->kind == TR_SYM_FUNC || s->kind == TR_SYM_IFUNC) * 8 +
	       s->global * 4 + (s->name[0] != '_') * 2 +
	       (strncmp(s->name, "__", 2) != 0);
}

int
tr_symtab_addr(const struct tr_symtab *st, uint64_t addr, struct tr_sym *out,
	       uint64_t *offset)
{
	const struct mod *m = NULL;
	const struct sym *best = NULL;
	uint64_t v;
	size_t lo, hi;

	for (size_t i = 0; i < st->nmods; i++)
		if (addr >= st->mods[i]->pub.lo && addr < st->mods[i]->pub.hi)
			m = st->mods[i];
	if (!m || !m->pub.nsyms)
		return -TR_ENOENT;
	v = addr - m->pub.bias;
	/* The last symbol starting at or before v. */
	lo = 0;
	hi = m->pub.nsyms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->syms[mid].value <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Walk back over symbols that do not cover v (size known), to find
	 * one that does; a zero-size symbol covers up to the next one. */
	for (size_t i = lo; i-- > 0;) {
		const struct sym *s = &m->syms[i];

		if (s->kind == TR_SYM_OTHER)
			continue;
		if (s->size ? v < s->value + s->size : i + 1 == lo) {
			/* Aliases at one address (printf, _IO_printf): the
			 * one a person would name. */
			best = s;
			while (i > 0 && m->syms[i - 1].value == s->value) {
				i--;
				if (alias_rank(&m->syms[i]) > alias_rank(best))
					best = &m->syms[i];
			}
			break;
		}
		if (v - s->value > (1u << 24))
			break; /* too far back to be ours */
	}
	if (!best)
		return -TR_ENOENT;
	fill(out, m, best);
	if (offset)
		*offset = v - best->value;
	return 0;
}

size_t
tr_symtab_nmodules(const struct tr_symtab *st)
{
	return st->nmods;
}

const struct tr_module *
tr_symtab_module(const struct tr_symtab *st, size_t i)
{
	return i < st->nmods ? &st->mods[i]->pub : NULL;
}

const struct tr_module *
tr_symtab_module_at(const struct tr_symtab *st, uint64_t addr)
{
	for (size_t i = 0; i < st->nmods; i++)
		if (addr >= st->mods[i]->pub.lo && addr < st->mods[i]->pub.hi)
			return &st->mods[i]->pub;
	return NULL;
}

static const struct mod *
mod_of(const struct tr_symtab *st, const struct tr_module *pub)
{
	for (size_t i = 0; i < st->nmods; i++)
		if (&st->mods[i]->pub == pub)
			return st->mods[i];
	return NULL;
}

int
tr_symtab_file_read(const struct tr_symtab *st, const struct tr_module *pub,
		    uint64_t vaddr, void *buf, size_t len)
{
	const struct mod *m = mod_of(st, pub);
	size_t nph;

	if (!m || !m->elf || elf_getphdrnum(m->elf, &nph) != 0)
		return -TR_ENOENT;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(m->elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    vaddr < ph.p_vaddr || vaddr + len > ph.p_vaddr + ph.p_filesz)
			continue;
		if (pread(m->fd, buf, len,
			  (off_t)(vaddr - ph.p_vaddr + ph.p_offset)) != (ssize_t)len)
			return -TR_EFAULT;
		return 0;
	}
	return -TR_EFAULT;
}

bool
tr_symtab_in_plt(const struct tr_symtab *st, uint64_t addr)
{
	for (size_t i = 0; i < st->nmods; i++) {
		const struct mod *m = st->mods[i];
		uint64_t v = addr - m->pub.bias;

		if (addr < m->pub.lo || addr >= m->pub.hi)
			continue;
		for (int k = 0; k < 3; k++)
			if (v >= m->plt_lo[k] && v < m->plt_hi[k])
				return true;
		return false;
	}
	return false;
}

int
tr_symtab_sym(const struct tr_symtab *st, size_t mod, size_t i,
	      struct tr_sym *out)
{
	const struct mod *m;

	if (mod >= st->nmods)
		return -TR_ENOENT;
	m = st->mods[mod];
	if (i >= m->pub.nsyms)
		return -TR_ENOENT;
	fill(out, m, &m->syms[i]);
	return 0;
}

bool
tr_symtab_imports(const struct tr_symtab *st, const char *name)
{
	for (size_t i = 0; i < tr_symtab_nmodules(st); i++) {
		const struct mod *m = (const struct mod *)tr_symtab_module(st, i);
		Elf_Scn *scn = NULL;

		while (m->elf && (scn = elf_nextscn(m->elf, scn))) {
			GElf_Shdr sh;
			Elf_Data *d;
			size_t n;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM ||
			    !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
				continue;
			n = sh.sh_size / sh.sh_entsize;
			for (size_t k = 1; k < n; k++) {
				GElf_Sym s;
				const char *nm;

				if (!gelf_getsym(d, (int)k, &s) ||
				    s.st_shndx != SHN_UNDEF ||
				    (GELF_ST_TYPE(s.st_info) != STT_FUNC &&
				     GELF_ST_TYPE(s.st_info) != STT_GNU_IFUNC &&
				     GELF_ST_TYPE(s.st_info) != STT_NOTYPE))
					continue;
				nm = elf_strptr(m->elf, sh.sh_link, s.st_name);
				if (nm && !strcmp(nm, name))
					return true;
			}
		}
	}
	return false;
}

int
tr_symtab_section(const struct tr_symtab *st, const struct tr_module *mod,
		  const char *name, uint64_t addr, char *out, size_t len,
		  uint64_t *lo, uint64_t *hi)
{
	const struct mod *m = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx = 0;
	GElf_Shdr sh;

	for (size_t i = 0; i < st->nmods && !m; i++)
		if (&st->mods[i]->pub == mod)
			m = st->mods[i];
	if (!m || !m->elf || elf_getshdrstrndx(m->elf, &shstrndx))
		return -TR_ENOENT;
	while ((scn = elf_nextscn(m->elf, scn))) {
		const char *sname;
		uint64_t a;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC))
			continue;
		a = sh.sh_addr + m->pub.bias;
		sname = elf_strptr(m->elf, shstrndx, sh.sh_name);
		if (!sname)
			continue;
		if (name ? strcmp(sname, name) != 0
			 : addr < a || addr - a >= sh.sh_size)
			continue;
		if (out)
			snprintf(out, len, "%s", sname);
		if (lo)
			*lo = a;
		if (hi)
			*hi = a + sh.sh_size;
		return 0;
	}
	return -TR_ENOENT;
}

/* The file's bytes at link-time address v (n of them) from its section. */
static bool
file_bytes(Elf *elf, uint64_t v, uint8_t *out, size_t n)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    v < sh.sh_addr || v + n > sh.sh_addr + sh.sh_size)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || v - sh.sh_addr + n > d->d_size)
			return false;
		memcpy(out, (const uint8_t *)d->d_buf + (v - sh.sh_addr), n);
		return true;
	}
	return false;
}

/* The name of the symbol whose relocation (.rela.plt's JUMP_SLOT,
 * .rela.dyn's GLOB_DAT for .plt.got) fills GOT slot `slot`. */
static const char *
slot_symbol(Elf *elf, uint64_t slot)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Scn *symscn;
		GElf_Shdr symsh;
		Elf_Data *d, *sd;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA ||
		    !(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
			continue;
		symscn = elf_getscn(elf, sh.sh_link);
		if (!symscn || !gelf_getshdr(symscn, &symsh) ||
		    !(sd = elf_getdata(symscn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Rela r;
			GElf_Sym sym;

			if (!gelf_getrela(d, (int)i, &r) || r.r_offset != slot)
				continue;
			if (!GELF_R_SYM(r.r_info) ||
			    !gelf_getsym(sd, (int)GELF_R_SYM(r.r_info), &sym))
				return NULL;
			return elf_strptr(elf, symsh.sh_link, sym.st_name);
		}
	}
	return NULL;
}

int
tr_symtab_plt_name(const struct tr_symtab *st, uint64_t addr, char *buf,
		   size_t len, uint64_t *offset)
{
	for (size_t i = 0; i < st->nmods; i++) {
		const struct mod *m = st->mods[i];
		uint64_t v = addr - m->pub.bias;

		if (addr < m->pub.lo || addr >= m->pub.hi || !m->elf)
			continue;
		for (int k = 0; k < 3; k++) {
			uint8_t e[32];
			uint64_t ent = m->plt_ent[k], entry, slot;
			const char *name;

			if (v < m->plt_lo[k] || v >= m->plt_hi[k] || !ent ||
			    ent > sizeof(e))
				continue;
			entry = m->plt_lo[k] + (v - m->plt_lo[k]) / ent * ent;
			if (!file_bytes(m->elf, entry, e, (size_t)ent))
				return -TR_ENOENT;
			/* jmp *disp32(%rip) (ff 25), after endbr64 or bnd
			 * when there; PLT0's pushes first and has no
			 * relocation for its slot */
			for (size_t p = 0; p + 6 <= ent; p++) {
				int32_t disp;

				if (e[p] != 0xff || e[p + 1] != 0x25)
					continue;
				memcpy(&disp, e + p + 2, 4);
				slot = entry + p + 6 + (uint64_t)(int64_t)disp;
				if (!(name = slot_symbol(m->elf, slot)) ||
				    !*name)
					return -TR_ENOENT;
				snprintf(buf, len, "%s@plt", name);
				*offset = v - entry;
				return 0;
			}
			return -TR_ENOENT;
		}
		return -TR_ENOENT;
	}
	return -TR_ENOENT;
}
