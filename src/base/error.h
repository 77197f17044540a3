/* error.h: the library's error codes and their messages. */
#ifndef TR_BASE_ERROR_H
#define TR_BASE_ERROR_H

/*
 * Every function of the library returns 0 or a negative TR_E* code.
 * Values are append-only: front ends and the wire protocol carry them.
 */
enum tr_error {
	TR_OK = 0,
	TR_EINVAL = 1,      /* invalid argument */
	TR_ENOMEM = 2,      /* out of memory */
	TR_EFAULT = 3,      /* address not mapped or not accessible in the target */
	TR_ESRCH = 4,       /* no such thread in the target */
	TR_EGONE = 5,       /* the target exited or was killed */
	TR_ERUNNING = 6,    /* operation needs the target stopped */
	TR_ENOTARGET = 7,   /* no target attached or launched */
	TR_EPERM = 8,       /* not allowed to trace (ptrace_scope, uid) */
	TR_EBUSY = 9,       /* the tracer already has a target */
	TR_ECANCELED = 10,  /* an earlier request of the batch failed */
	TR_ESYS = 11,       /* unexpected system error */
	TR_EEXEC = 12,      /* the program could not be executed */
	TR_ESHUTDOWN = 13,  /* the tracer is shutting down */
	TR_ETIMEDOUT = 14,  /* timed out */
	TR_EEXIST = 15,     /* already exists (breakpoint at that address) */
	TR_ENOENT = 16,     /* not found (no breakpoint at that address) */
	TR_EAGAIN = 17,     /* nothing available now */
	TR_ENOTSUP = 18,    /* not supported by this kernel or CPU */
	TR_ERANGE = 19,     /* buffer too small */
	TR_ENOTTHREAD = 20, /* called from the wrong thread */
	TR_ECALL = 21,      /* an injected call stopped before it returned */
	TR_ENOSPC = 22,     /* no slot left (watchpoints, debug registers) */
	TR_E_MAX_
};

/* tr_strerror: the message of a TR_E* code, positive or negative; never NULL. */
const char *tr_strerror(int err);

/* tr_errno_map: map an errno value (from ptrace and friends) to a -TR_E* code. */
int tr_errno_map(int errnum);

#endif
