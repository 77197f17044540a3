/* debugfile.c: separate debug files: by build-id, by .gnu_debuglink (with its CRC), through debuginfod. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/error.h"
#include "base/log.h"
#include "symbols/debugfile.h"

#define BUILD_ID_MAX 64

/* What the file says of its debug file: its build-id and debuglink. */
struct links {
	unsigned char id[BUILD_ID_MAX];
	size_t id_len;
	char link[256]; /* .gnu_debuglink's file name, "" none */
	uint32_t crc;
};

static void
read_build_id(Elf_Scn *s, struct links *l)
{
	Elf_Data *d = elf_getdata(s, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off))) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp((char *)d->d_buf + name_off, "GNU", 4) &&
		    nh.n_descsz > 0 && nh.n_descsz <= BUILD_ID_MAX) {
			memcpy(l->id, (char *)d->d_buf + desc_off, nh.n_descsz);
			l->id_len = nh.n_descsz;
			return;
		}
	}
}

/* The build-id and debuglink of ELF file `path`. */
static int
read_links(const char *path, struct links *l)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *s = NULL;
	size_t shstrndx;
	Elf *e;

	memset(l, 0, sizeof(*l));
	if (fd < 0)
		return -TR_ENOENT;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx)) {
		if (e)
			elf_end(e);
		close(fd);
		return -TR_EINVAL;
	}
	while ((s = elf_nextscn(e, s))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(s, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_NOTE && !l->id_len)
			read_build_id(s, l);
		if (name && !strcmp(name, ".gnu_debuglink") &&
		    sh.sh_type != SHT_NOBITS) {
			Elf_Data *d = elf_getdata(s, NULL);
			size_t n;

			/* the name, NUL, padding to 4, the CRC-32 */
			if (!d || !d->d_buf || d->d_size < 8)
				continue;
			n = strnlen(d->d_buf, d->d_size);
			if (n == 0 || n >= sizeof(l->link) ||
			    ((n + 4) & ~(size_t)3) + 4 > d->d_size)
				continue;
			memcpy(l->link, d->d_buf, n);
			l->link[n] = 0;
			memcpy(&l->crc, (char *)d->d_buf + ((n + 4) & ~(size_t)3),
			       4);
		}
	}
	elf_end(e);
	close(fd);
	return 0;
}

/* CRC-32 of a whole file (zlib's, the one .gnu_debuglink records). */
static bool
file_crc(const char *path, uint32_t *crc)
{
	unsigned char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uLong c = crc32(0L, Z_NULL, 0);
	ssize_t n;

	if (fd < 0)
		return false;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		c = crc32(c, buf, (uInt)n);
	close(fd);
	if (n < 0)
		return false;
	*crc = (uint32_t)c;
	return true;
}

static bool
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The debug directories, one at a time: *i is the position in the list. */
static bool
next_dir(const char *list, size_t *i, char *out, size_t len)
{
	size_t n;

	while (list[*i] == ':')
		(*i)++;
	if (!list[*i])
		return false;
	n = strcspn(list + *i, ":");
	snprintf(out, len, "%.*s", (int)n, list + *i);
	*i += n;
	return true;
}

static bool
by_build_id(const char *dirs, const struct links *l, char *out, size_t len)
{
	char dir[PATH_MAX], hex[2 * BUILD_ID_MAX + 1];
	size_t i = 0;

	if (l->id_len < 2)
		return false;
	for (size_t k = 0; k < l->id_len; k++)
		snprintf(hex + 2 * k, 3, "%02x", l->id[k]);
	while (next_dir(dirs, &i, dir, sizeof(dir))) {
		struct links c;

		snprintf(out, len, "%s/.build-id/%.2s/%s.debug", dir, hex,
			 hex + 2);
		if (is_file(out) && read_links(out, &c) == 0 &&
		    c.id_len == l->id_len && !memcmp(c.id, l->id, l->id_len))
			return true;
	}
	return false;
}

static bool
by_debuglink(const char *dirs, const char *path, const struct links *l,
	     char *out, size_t len)
{
	char dir[PATH_MAX], ddir[PATH_MAX], real[PATH_MAX];
	const char *slash;
	size_t i = 0;
	uint32_t crc;

	if (!l->link[0])
		return false;
	/* gdb looks next to the file as its real path names it */
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	slash = strrchr(real, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - real) : 1,
		 slash ? real : ".");
	for (int k = 0;; k++) {
		if (k == 0)
			snprintf(out, len, "%s/%s", dir, l->link);
		else if (k == 1)
			snprintf(out, len, "%s/.debug/%s", dir, l->link);
		else if (next_dir(dirs, &i, ddir, sizeof(ddir)))
			snprintf(out, len, "%s%s/%s", ddir, dir, l->link);
		else
			return false;
		/* not the file itself (a link naming its own file) */
		if (is_file(out) && strcmp(out, real) != 0 &&
		    file_crc(out, &crc) && crc == l->crc)
			return true;
	}
}

/* ---- debuginfod, loaded at run time ----------------------------------- */

typedef void *(*dbgd_begin_fn)(void);
typedef int (*dbgd_find_fn)(void *, const unsigned char *, int, char **);
typedef void (*dbgd_end_fn)(void *);

static pthread_once_t dbgd_once = PTHREAD_ONCE_INIT;
static dbgd_begin_fn dbgd_begin;
static dbgd_find_fn dbgd_find;
static dbgd_end_fn dbgd_end;

static void
dbgd_load(void)
{
	void *h = dlopen("libdebuginfod.so.1", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		tr_log_info("debugfile: no libdebuginfod.so.1: %s", dlerror());
		return;
	}
	dbgd_begin = (dbgd_begin_fn)dlsym(h, "debuginfod_begin");
	dbgd_find = (dbgd_find_fn)dlsym(h, "debuginfod_find_debuginfo");
	dbgd_end = (dbgd_end_fn)dlsym(h, "debuginfod_end");
	if (!dbgd_begin || !dbgd_find || !dbgd_end)
		dbgd_begin = NULL;
	/* kept loaded for the process's life, as gdb keeps it */
}

static bool
by_debuginfod(const struct links *l, char *out, size_t len)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	char *p = NULL;
	void *c;
	int fd;

	if (!urls || !*urls || !l->id_len)
		return false;
	pthread_once(&dbgd_once, dbgd_load);
	if (!dbgd_begin || !(c = dbgd_begin()))
		return false;
	/* its own cache ($DEBUGINFOD_CACHE_PATH, ~/.cache/debuginfod_client)
	 * keeps what it downloaded */
	fd = dbgd_find(c, l->id, (int)l->id_len, &p);
	dbgd_end(c);
	if (fd < 0) {
		tr_log_info("debugfile: debuginfod: %s", strerror(-fd));
		free(p);
		return false;
	}
	close(fd);
	snprintf(out, len, "%s", p);
	free(p);
	return true;
}

int
tr_debugfile_find(const char *path, char *out, size_t len)
{
	const char *dirs = getenv("TRACERD_DEBUG_FILE_DIRECTORY");
	struct links l;

	if (!dirs || !*dirs)
		dirs = "/usr/lib/debug";
	if (read_links(path, &l) < 0)
		return -TR_ENOENT;
	if (by_build_id(dirs, &l, out, len) ||
	    by_debuglink(dirs, path, &l, out, len) ||
	    by_debuginfod(&l, out, len)) {
		tr_log_info("debugfile: %s: %s", path, out);
		return 0;
	}
	return -TR_ENOENT;
}
