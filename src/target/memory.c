/* memory.c: target memory as it is (no breakpoint hidden), and ptrace errors, on the tracer thread. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/error.h"
#include "target/tracer_int.h"

/*
 * Map a failed ptrace/process_vm call. ESRCH means "not stopped or gone":
 * when the whole target is dying the caller gets -TR_EGONE, the error
 * every pending request gets once the target is reaped.
 */
int
tr__ptrace_err(struct tr_tracer *t, pid_t tid)
{
	int e = errno;

	if (e == ESRCH) {
		struct tr_thread *th = tid ? tr__thread_find(t, tid) : NULL;

		if (tr__target_dying(t))
			return -TR_EGONE;
		/* A thread we hold in a ptrace stop leaves it only when
		 * killed: the target is going away. */
		if (th && th->state == TH_STOPPED)
			return -TR_EGONE;
		return th ? -TR_ERUNNING : -TR_ESRCH;
	}
	return tr_errno_map(e);
}

bool
tr__range_ok(uint64_t addr, size_t len)
{
	/* /proc/PID/mem offsets are a signed loff_t; user space ends
	 * well below 2^63 on x86-64 anyway. */
	return addr + len >= addr && addr + len <= (uint64_t)INT64_MAX;
}

/* Read without regard to breakpoints: what the target's memory holds. */
int
tr__raw_read(struct tr_tracer *t, uint64_t addr, void *buf, size_t len,
	     size_t *done)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	size_t got = 0;
	ssize_t n;
	int err = 0;

	if (len == 0)
		goto out;
	if (!tr__range_ok(addr, len)) {
		err = -TR_EFAULT;
		goto out;
	}
	n = process_vm_readv(t->pid, &local, 1, &remote, 1, 0);
	if (n < 0 && errno == ESRCH) {
		/* Our tracee is not reaped yet, so the pid is still its own:
		 * ESRCH means its memory is gone, the process is dying (before
		 * /proc shows it as a zombie). */
		err = -TR_EGONE;
		goto out;
	}
	got = n > 0 ? (size_t)n : 0;
	/*
	 * process_vm_readv stops at the first page it cannot read without
	 * forcing (PROT_NONE guard pages, some special mappings). Finish
	 * through /proc/PID/mem, which reads like ptrace does.
	 */
	while (got < len) {
		n = pread(t->memfd, (char *)buf + got, len - got,
			  (off_t)(addr + got));
		if (n <= 0) {
			err = -TR_EFAULT;
			if (n < 0 && errno != EIO && errno != EFAULT &&
			    errno != EINVAL)
				err = tr__target_dying(t) ? -TR_EGONE
							  : tr_errno_map(errno);
			break;
		}
		got += (size_t)n;
	}
out:
	if (done)
		*done = got;
	return err;
}

/*
 * Write without regard to breakpoints. process_vm_writev refuses read-only
 * mappings such as .text; /proc/PID/mem writes them (as POKETEXT would),
 * so code patches and breakpoints go that way.
 */
int
tr__raw_write(struct tr_tracer *t, pid_t pid, int fd, uint64_t addr,
	      const void *buf, size_t len, size_t *written)
{
	struct iovec local = { (void *)buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	size_t put = 0;
	ssize_t n;
	int err = 0;

	if (len > 64) {
		/* Large writes are usually data: try the fast path first.
		 * ESRCH from it on our unreaped tracee: its memory is gone,
		 * the process is dying. */
		n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
		if (n < 0 && errno == ESRCH) {
			err = -TR_EGONE;
			goto out;
		}
		put = n > 0 ? (size_t)n : 0;
	}
	while (put < len) {
		n = pwrite(fd, (const char *)buf + put, len - put,
			   (off_t)(addr + put));
		if (n <= 0) {
			err = -TR_EFAULT;
			if (n < 0 && errno != EIO && errno != EFAULT &&
			    errno != EINVAL && tr__target_dying(t))
				err = -TR_EGONE;
			break;
		}
		put += (size_t)n;
	}
out:
	if (written)
		*written = put;
	return err;
}
