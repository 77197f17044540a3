/* clientfile.h: opening a file a client names (a launch's stdin, stdout, stderr) as that client may: no symbolic link of someone else followed. */
#ifndef TR_SERVER_CORE_CLIENTFILE_H
#define TR_SERVER_CORE_CLIENTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A file opened for a client. */
struct srv_cfile {
	int fd;          /* -1: none */
	bool created;    /* it did not exist: made here */
	bool truncate;   /* an output file to empty once the launch
			    proceeds (srv_cfile_commit) */
	dev_t dev;
	ino_t ino;
	int dirfd;       /* its directory, when created (O_PATH) */
	char name[256];  /* its name there */
};

/*
 * srv_cfile_open: open `path` for client uid `uid`, for reading
 * (!output) or for writing (output: created 0600 if missing, owned by
 * the client). Every component is resolved here, one at a time, and a
 * symbolic link is followed only when it belongs to the client or to
 * root: a link another user planted (/tmp/out -> /etc/passwd) is
 * refused, as the kernel's protected_symlinks refuses it in sticky
 * directories. An existing output file must belong to the client, and
 * it is NOT truncated here: that waits for srv_cfile_commit, once the
 * launch is known to proceed, so that a failed launch loses nothing.
 * FIFOs and devices do not block the open. 0, or -1 with why[] saying
 * what is wrong. Any thread.
 */
int srv_cfile_open(struct srv_cfile *f, const char *path, bool output,
		   uid_t uid, char *why, size_t whylen);

/* srv_cfile_commit: the launch proceeds: an existing output file is
 * emptied now (its program has not run a single instruction yet). */
void srv_cfile_commit(struct srv_cfile *f);

/* srv_cfile_close: close f; `failed`: the launch did not happen, and a
 * file made by srv_cfile_open is removed again (only if the name still
 * leads to it). */
void srv_cfile_close(struct srv_cfile *f, bool failed);

#endif
