/* error.c: one table of error messages, and the errno boundary. */
#include <errno.h>
#include <stdlib.h>

#include "base/error.h"

static const char *const messages[TR_E_MAX_] = {
	[TR_OK] = "success",
	[TR_EINVAL] = "invalid argument",
	[TR_ENOMEM] = "out of memory",
	[TR_EFAULT] = "cannot access target memory at that address",
	[TR_ESRCH] = "no such thread in the target",
	[TR_EGONE] = "target gone (exited or killed)",
	[TR_ERUNNING] = "target is running; stop it first",
	[TR_ENOTARGET] = "no target: launch or attach first",
	[TR_EPERM] = "not permitted to trace the target",
	[TR_EBUSY] = "the tracer already has a target",
	[TR_ECANCELED] = "canceled: an earlier request of the batch failed",
	[TR_ESYS] = "unexpected system error",
	[TR_EEXEC] = "cannot execute the program",
	[TR_ESHUTDOWN] = "the tracer is shutting down",
	[TR_ETIMEDOUT] = "timed out",
	[TR_EEXIST] = "already exists",
	[TR_ENOENT] = "not found",
	[TR_EAGAIN] = "nothing available now",
	[TR_ENOTSUP] = "not supported here",
	[TR_ERANGE] = "buffer too small",
	[TR_ENOTTHREAD] = "must be called on the tracer thread",
	[TR_ECALL] = "the called function stopped before returning",
	[TR_ENOSPC] = "no watchpoint slot left",
};

const char *
tr_strerror(int err)
{
	err = abs(err);
	if (err >= TR_E_MAX_ || !messages[err])
		return "unknown error";
	return messages[err];
}

int
tr_errno_map(int errnum)
{
	switch (errnum) {
	case 0:
		return 0;
	case EFAULT:
	case EIO:
		return -TR_EFAULT;
	case ESRCH:
		return -TR_ESRCH;
	case EPERM:
	case EACCES:
		return -TR_EPERM;
	case ENOMEM:
		return -TR_ENOMEM;
	case EINVAL:
		return -TR_EINVAL;
	case EBUSY:
		return -TR_EBUSY;
	case ETIMEDOUT:
		return -TR_ETIMEDOUT;
	case EAGAIN:
		return -TR_EAGAIN;
	case ENOSYS:
	case EOPNOTSUPP:
		return -TR_ENOTSUP;
	case ENOENT:
		return -TR_ENOENT;
	default:
		return -TR_ESYS;
	}
}
