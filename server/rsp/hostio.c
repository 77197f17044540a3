/* hostio.c: gdb's host I/O packets (vFile:): files on the daemon's machine, or as a process sees them, opened, read, written, examined and removed for the client. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rsp.h"
#include "rsp/hostio.h"
#include "rsp/reply.h"

/*
 * The numbers below are the protocol's own, not the host's: the GDB
 * manual, "File-I/O Remote Protocol Extension", sections "Open Flags",
 * "mode_t Values", "Errno Values" and "struct stat"
 * (https://sourceware.org/gdb/current/onlinedocs/gdb.html/Protocol-Specific-Representation-of-Datatypes.html).
 */
#define FIO_O_WRONLY 0x1
#define FIO_O_RDWR 0x2
#define FIO_O_APPEND 0x8
#define FIO_O_CREAT 0x200
#define FIO_O_TRUNC 0x400
#define FIO_O_EXCL 0x800
#define FIO_EUNKNOWN 9999

/* The largest pread answered at once: escaped, every byte may take two,
 * and the reply must fit the packet size we advertised. */
#define HOSTIO_MAX_READ (RSP_PACKET_SIZE / 2 - 64)

static int
fio_errno(int e)
{
	switch (e) {
	case EPERM: case ENOENT: case EINTR: case EBADF: case EACCES:
	case EFAULT: case EBUSY: case EEXIST: case ENODEV: case ENOTDIR:
	case EISDIR: case EINVAL: case ENFILE: case EMFILE: case EFBIG:
	case ENOSPC: case ESPIPE: case EROFS:
		return e; /* the same numbers as Linux's */
	case ENAMETOOLONG:
		return 91;
	default:
		return FIO_EUNKNOWN;
	}
}

static int
reply_errno(struct rsp *r, int e)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "F-1,%x", fio_errno(e));
	return rsp_reply_str(r, buf);
}

static int
reply_result(struct rsp *r, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "F%llx", v);
	return rsp_reply_str(r, buf);
}

/* The next comma-separated hex number of *p; -1 when malformed. */
static int
next_num(const char **p, uint64_t *v)
{
	size_t n = strcspn(*p, ",");

	if (n == 0 || tr_rsp_hex_u64(*p, n, v))
		return -1;
	*p += n;
	if (**p == ',')
		(*p)++;
	return 0;
}

/* The next argument, a hex-encoded path, decoded and resolved for the
 * file system chosen by setfs (a process's: its root, through /proc);
 * NULL when malformed. */
static char *
next_path(struct rsp *r, const char **p)
{
	size_t n = strcspn(*p, ",");
	char *path, *full;

	if (n == 0 || n % 2 || !(path = malloc(n / 2 + 1)))
		return NULL;
	if (tr_rsp_hex_decode(*p, n, path) || memchr(path, 0, n / 2)) {
		free(path);
		return NULL;
	}
	path[n / 2] = 0;
	*p += n;
	if (**p == ',')
		(*p)++;
	if (r->hostio_pid <= 0 || path[0] != '/')
		return path;
	if (asprintf(&full, "/proc/%d/root%s", (int)r->hostio_pid, path) < 0)
		full = NULL;
	free(path);
	return full;
}

/* The host descriptor of the client's number fd; -1 when it is not one
 * of this connection's. */
static int
host_fd(const struct rsp *r, uint64_t fd)
{
	return fd < RSP_HOSTIO_FILES && r->hostio[fd] ? r->hostio[fd] - 1
						      : -1;
}

static int
hio_open(struct rsp *r, const char *p)
{
	uint64_t fl, mode;
	char *path = next_path(r, &p);
	int flags, fd, slot, e;

	if (!path || next_num(&p, &fl) || next_num(&p, &mode) || *p) {
		free(path);
		return reply_errno(r, EINVAL);
	}
	for (slot = 0; slot < RSP_HOSTIO_FILES && r->hostio[slot]; slot++)
		;
	if (slot == RSP_HOSTIO_FILES) {
		free(path);
		return reply_errno(r, EMFILE);
	}
	flags = (fl & FIO_O_RDWR) ? O_RDWR
	      : (fl & FIO_O_WRONLY) ? O_WRONLY : O_RDONLY;
	flags |= (fl & FIO_O_APPEND ? O_APPEND : 0) |
		 (fl & FIO_O_CREAT ? O_CREAT : 0) |
		 (fl & FIO_O_TRUNC ? O_TRUNC : 0) |
		 (fl & FIO_O_EXCL ? O_EXCL : 0);
	fd = open(path, flags | O_CLOEXEC | O_NOCTTY, (mode_t)(mode & 0777));
	e = errno;
	free(path);
	if (fd < 0)
		return reply_errno(r, e);
	r->hostio[slot] = fd + 1;
	return reply_result(r, slot);
}

static int
hio_close(struct rsp *r, const char *p)
{
	uint64_t fd;
	int h;

	if (next_num(&p, &fd) || *p)
		return reply_errno(r, EINVAL);
	if ((h = host_fd(r, fd)) < 0)
		return reply_errno(r, EBADF);
	r->hostio[fd] = 0;
	if (close(h) < 0 && errno != EINTR)
		return reply_errno(r, errno);
	return reply_result(r, 0);
}

/* pread: F, the count in hex, `;` and the bytes (escaped when framed). */
static int
hio_pread(struct rsp *r, const char *p)
{
	uint64_t fd, count, off;
	char *buf;
	ssize_t n;
	int h, len, rc;

	if (next_num(&p, &fd) || next_num(&p, &count) ||
	    next_num(&p, &off) || *p || off > INT64_MAX)
		return reply_errno(r, EINVAL);
	if ((h = host_fd(r, fd)) < 0)
		return reply_errno(r, EBADF);
	if (count > HOSTIO_MAX_READ)
		count = HOSTIO_MAX_READ;
	if (!(buf = malloc(32 + count)))
		return reply_errno(r, ENOMEM);
	n = pread(h, buf + 32, count, (off_t)off);
	if (n < 0) {
		free(buf);
		return reply_errno(r, errno);
	}
	len = snprintf(buf, 32, "F%zx;", (size_t)n);
	memmove(buf + len, buf + 32, (size_t)n);
	rc = rsp_reply(r, buf, (size_t)len + (size_t)n);
	free(buf);
	return rc;
}

/* pwrite: the data is the rest of the packet, unescaped by the reader. */
static int
hio_pwrite(struct rsp *r, const char *p, const char *end)
{
	uint64_t fd, off;
	ssize_t n;
	int h;

	if (next_num(&p, &fd) || next_num(&p, &off) || p > end ||
	    off > INT64_MAX)
		return reply_errno(r, EINVAL);
	if ((h = host_fd(r, fd)) < 0)
		return reply_errno(r, EBADF);
	n = pwrite(h, p, (size_t)(end - p), (off_t)off);
	if (n < 0)
		return reply_errno(r, errno);
	return reply_result(r, n);
}

static void
put_be(unsigned char **q, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		*(*q)++ = (unsigned char)(v >> (8 * i));
}

/* fstat: F, the size of the struct (0x40), `;` and gdb's struct stat:
 * 32-bit dev, ino, mode, nlink, uid, gid, rdev, 64-bit size, blksize,
 * blocks, 32-bit atime, mtime, ctime; big-endian. */
static int
hio_fstat(struct rsp *r, const char *p)
{
	unsigned char out[4 + 64], *q;
	uint64_t fd;
	struct stat st;
	int h;

	if (next_num(&p, &fd) || *p)
		return reply_errno(r, EINVAL);
	if ((h = host_fd(r, fd)) < 0)
		return reply_errno(r, EBADF);
	if (fstat(h, &st) < 0)
		return reply_errno(r, errno);
	memcpy(out, "F40;", 4);
	q = out + 4;
	put_be(&q, (uint32_t)st.st_dev, 4);
	put_be(&q, (uint32_t)st.st_ino, 4);
	put_be(&q, st.st_mode, 4);
	put_be(&q, (uint32_t)st.st_nlink, 4);
	put_be(&q, st.st_uid, 4);
	put_be(&q, st.st_gid, 4);
	put_be(&q, (uint32_t)st.st_rdev, 4);
	put_be(&q, (uint64_t)st.st_size, 8);
	put_be(&q, (uint64_t)st.st_blksize, 8);
	put_be(&q, (uint64_t)st.st_blocks, 8);
	put_be(&q, (uint32_t)st.st_atime, 4);
	put_be(&q, (uint32_t)st.st_mtime, 4);
	put_be(&q, (uint32_t)st.st_ctime, 4);
	return rsp_reply(r, (const char *)out, sizeof(out));
}

static int
hio_unlink(struct rsp *r, const char *p)
{
	char *path = next_path(r, &p);
	int rc, e;

	if (!path || *p) {
		free(path);
		return reply_errno(r, EINVAL);
	}
	rc = unlink(path);
	e = errno;
	free(path);
	return rc < 0 ? reply_errno(r, e) : reply_result(r, 0);
}

static int
hio_readlink(struct rsp *r, const char *p)
{
	char *path = next_path(r, &p), target[4096], out[4096 + 32];
	ssize_t n;
	int len, e;

	if (!path || *p) {
		free(path);
		return reply_errno(r, EINVAL);
	}
	n = readlink(path, target, sizeof(target));
	e = errno;
	free(path);
	if (n < 0)
		return reply_errno(r, e);
	if ((size_t)n == sizeof(target))
		return reply_errno(r, ENAMETOOLONG);
	len = snprintf(out, 32, "F%zx;", (size_t)n);
	memcpy(out + len, target, (size_t)n);
	return rsp_reply(r, out, (size_t)len + (size_t)n);
}

static int
hio_setfs(struct rsp *r, const char *p)
{
	uint64_t pid;

	if (next_num(&p, &pid) || *p || pid > INT32_MAX)
		return reply_errno(r, EINVAL);
	if (pid) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
		if (access(path, F_OK) < 0)
			return reply_errno(r, errno);
	}
	r->hostio_pid = (pid_t)pid;
	return reply_result(r, 0);
}

int
rsp_hostio(struct rsp *r, const char *p, size_t len)
{
	const char *end = p + len;

	/* the files of the machine, with the daemon's rights: only for a
	 * client that may drive it (the token, or our own uid) */
	if (!r->authed)
		return reply_errno(r, EACCES);
	if (!strncmp(p, "open:", 5))
		return hio_open(r, p + 5);
	if (!strncmp(p, "close:", 6))
		return hio_close(r, p + 6);
	if (!strncmp(p, "pread:", 6))
		return hio_pread(r, p + 6);
	if (!strncmp(p, "pwrite:", 7))
		return hio_pwrite(r, p + 7, end);
	if (!strncmp(p, "fstat:", 6))
		return hio_fstat(r, p + 6);
	if (!strncmp(p, "unlink:", 7))
		return hio_unlink(r, p + 7);
	if (!strncmp(p, "readlink:", 9))
		return hio_readlink(r, p + 9);
	if (!strncmp(p, "setfs:", 6))
		return hio_setfs(r, p + 6);
	return rsp_reply_str(r, ""); /* an operation we do not know */
}

void
rsp_hostio_close_all(struct rsp *r)
{
	for (int i = 0; i < RSP_HOSTIO_FILES; i++)
		if (r->hostio[i]) {
			close(r->hostio[i] - 1);
			r->hostio[i] = 0;
		}
}
