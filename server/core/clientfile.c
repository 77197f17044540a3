/* clientfile.c: opening a file a client names (a launch's stdin, stdout, stderr) as that client may: each path component resolved here, no symbolic link of someone else followed, output emptied only once the launch proceeds. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clientfile.h"

/* As the kernel's path walk: at most 40 links (path_resolution(7)). */
#define MAX_LINKS 40

/* A link may be followed when the client or root owns it: root's are the
 * system's own (/var/run -> /run), the client's are its own choice. */
static bool
link_ok(const struct stat *st, uid_t uid)
{
	return st->st_uid == uid || st->st_uid == 0;
}

/*
 * Resolve path down to its last component: *dirfd (O_PATH) is the
 * directory that holds it and last[] its name. Symbolic links met on the
 * way, the last component's included, are read here and followed only
 * when link_ok; a link swapped in after the check makes the O_NOFOLLOW
 * opens fail rather than follow it.
 */
static int
resolve(const char *path, uid_t uid, int *dirfd, char *last, size_t lastlen,
	char *why, size_t whylen)
{
	char *work = NULL, *rest;
	int dfd, links = 0;
	size_t cap = strlen(path) + 1;

	if (!*path) {
		snprintf(why, whylen, "empty path");
		return -1;
	}
	work = malloc(cap);
	if (!work) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	memcpy(work, path, cap);
	dfd = open(*work == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		goto sys;
	rest = work;
	for (;;) {
		char comp[256], target[4096];
		size_t n;
		struct stat st;
		ssize_t tl;

		rest += strspn(rest, "/");
		n = strcspn(rest, "/");
		if (n == 0) {
			/* a trailing slash, or "/" itself: no file name */
			snprintf(why, whylen, "%s: not a file name", path);
			goto fail;
		}
		if (n >= sizeof(comp) || n >= lastlen) {
			errno = ENAMETOOLONG;
			goto sys;
		}
		memcpy(comp, rest, n);
		comp[n] = 0;
		rest += n;
		bool is_last = rest[strspn(rest, "/")] == 0;

		if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode)) {
			char *nw;
			size_t rl = strlen(rest);

			if (!link_ok(&st, uid)) {
				snprintf(why, whylen, "%s: the symbolic link "
					 "\"%s\" belongs to uid %u, not to the "
					 "client (uid %u) or root: not "
					 "followed", path, comp,
					 (unsigned)st.st_uid, (unsigned)uid);
				goto fail;
			}
			if (++links > MAX_LINKS) {
				errno = ELOOP;
				goto sys;
			}
			tl = readlinkat(dfd, comp, target, sizeof(target) - 1);
			if (tl < 0)
				goto sys;
			target[tl] = 0;
			/* the link's text in place of its name */
			nw = malloc((size_t)tl + rl + 2);
			if (!nw) {
				snprintf(why, whylen, "out of memory");
				goto fail;
			}
			memcpy(nw, target, (size_t)tl);
			nw[tl] = '/';
			memcpy(nw + tl + 1, rest, rl + 1);
			if (!rl)
				nw[tl] = 0;
			free(work);
			work = rest = nw;
			if (*target == '/') {
				close(dfd);
				dfd = open("/", O_PATH | O_DIRECTORY |
						       O_CLOEXEC);
				if (dfd < 0)
					goto sys;
			}
			continue;
		}
		if (is_last) {
			if (!strcmp(comp, ".") || !strcmp(comp, "..")) {
				snprintf(why, whylen, "%s: not a file name",
					 path);
				goto fail;
			}
			memcpy(last, comp, n + 1);
			break;
		}
		{
			int nfd = openat(dfd, comp, O_PATH | O_DIRECTORY |
						    O_NOFOLLOW | O_CLOEXEC);

			if (nfd < 0)
				goto sys;
			close(dfd);
			dfd = nfd;
		}
	}
	free(work);
	*dirfd = dfd;
	return 0;
sys:
	snprintf(why, whylen, "%s: %s", path, strerror(errno));
fail:
	free(work);
	if (dfd >= 0)
		close(dfd);
	return -1;
}

int
srv_cfile_open(struct srv_cfile *f, const char *path, bool output, uid_t uid,
	       char *why, size_t whylen)
{
	struct stat st;
	int dfd = -1, e = ENOENT;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->dirfd = -1;
	/* a link swapped in between the check and the open: again */
	for (int tries = 0; tries < 3; tries++) {
		int fl = (output ? O_WRONLY : O_RDONLY) | O_NOFOLLOW |
			 O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

		if (resolve(path, uid, &dfd, f->name, sizeof(f->name), why,
			    whylen))
			return -1;
		if (output) {
			f->fd = openat(dfd, f->name, fl | O_CREAT | O_EXCL,
				       0600);
			f->created = f->fd >= 0;
			if (f->fd < 0 && errno == EEXIST)
				f->fd = openat(dfd, f->name, fl);
		} else {
			f->fd = openat(dfd, f->name, fl);
		}
		if (f->fd >= 0)
			break;
		e = errno;
		close(dfd);
		dfd = -1;
		if ((e != ELOOP && e != EEXIST && e != ENOENT) ||
		    (!output && e == ENOENT))
			break;
	}
	if (f->fd < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(e));
		return -1;
	}
	if (f->created) {
		f->dirfd = dfd;
		dfd = -1;
	}
	/* the program reads and writes it blocking, as a shell gives it */
	fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_NONBLOCK);
	if (fstat(f->fd, &st)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (output && !f->created) {
		/* someone else's file would get (and keep) our output */
		if (st.st_uid != uid) {
			snprintf(why, whylen, "%s belongs to uid %u, not to "
				 "the client (uid %u): not written", path,
				 (unsigned)st.st_uid, (unsigned)uid);
			goto fail;
		}
		f->truncate = S_ISREG(st.st_mode);
	}
	if (f->created) {
		/* the client's output is the client's, also when we are
		 * root */
		if (uid != geteuid() && fchown(f->fd, uid, (gid_t)-1))
			(void)0;
	}
	if (dfd >= 0)
		close(dfd);
	return 0;
fail:
	srv_cfile_close(f, true);
	if (dfd >= 0)
		close(dfd);
	return -1;
}

void
srv_cfile_commit(struct srv_cfile *f)
{
	if (f->fd >= 0 && f->truncate && ftruncate(f->fd, 0))
		(void)0; /* a file that cannot be emptied is written over */
	f->truncate = false;
	f->created = false; /* kept from now on */
}

void
srv_cfile_close(struct srv_cfile *f, bool failed)
{
	struct stat st;

	if (f->fd >= 0)
		close(f->fd);
	if (failed && f->created && f->dirfd >= 0 &&
	    fstatat(f->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == f->dev && st.st_ino == f->ino)
		unlinkat(f->dirfd, f->name, 0);
	if (f->dirfd >= 0)
		close(f->dirfd);
	f->fd = f->dirfd = -1;
	f->created = f->truncate = false;
}
