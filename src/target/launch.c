/* launch.c: starting a target under the tracer, and attaching to one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "target/tracer_int.h"

extern char **environ;

int
tr__open_mem(struct tr_tracer *t)
{
	char path[64];

	if (t->memfd >= 0)
		close(t->memfd);
	snprintf(path, sizeof(path), "/proc/%d/mem", t->pid);
	t->memfd = open(path, O_RDWR | O_CLOEXEC);
	if (t->memfd < 0)
		return tr_errno_map(errno);
	return 0;
}

/* Resolve `path` like execvp does, before fork: the child may only make
 * async-signal-safe calls. */
static int
resolve_path(const char *path, char *out, size_t outsz)
{
	const char *p, *dirs = getenv("PATH");

	if (!*path)
		return -ENOENT;
	if (strchr(path, '/')) {
		if ((size_t)snprintf(out, outsz, "%s", path) >= outsz)
			return -ENAMETOOLONG;
		return 0;
	}
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	for (p = dirs;; p++) {
		const char *end = strchrnul(p, ':');
		int n = (int)(end - p);

		if ((size_t)snprintf(out, outsz, "%.*s%s%s", n, p,
				     n ? "/" : "", path) < outsz &&
		    access(out, X_OK) == 0)
			return 0;
		if (!*end)
			break;
		p = end;
	}
	return -ENOENT;
}

/* The child side of fork: async-signal-safe calls only. */
static void __attribute__((noreturn))
child(const struct tr_launch *l, const char *path, char *const *argv,
      char *const *envp, int errfd)
{
	sigset_t none;
	int e;

	/* No PR_SET_PDEATHSIG: it would also kill a target we detached from
	 * when the tracer thread ends. PTRACE_O_EXITKILL covers a tracer
	 * that dies while attached. */
	/* The tracer thread blocks SIGCHLD; the program must not inherit
	 * that. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((l->stdin_fd >= 0 && dup2(l->stdin_fd, 0) < 0) ||
	    (l->stdout_fd >= 0 && dup2(l->stdout_fd, 1) < 0) ||
	    (l->stderr_fd >= 0 && dup2(l->stderr_fd, 2) < 0) ||
	    (l->cwd && chdir(l->cwd) < 0))
		goto fail;
	/* Stop here so the tracer can seize us before execve. */
	kill(getpid(), SIGSTOP);
	execve(path, argv, envp);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		e = 0;
	_exit(127);
}

static void
launch_cleanup(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
}

int
tr__launch(struct tr_tracer *t, const struct tr_launch *l)
{
	char path[PATH_MAX];
	char *default_argv[2];
	char *const *argv = l->argv;
	int pipefd[2], st, e = 0, err;
	pid_t pid;

	if (!l->path)
		return -TR_EINVAL;
	err = resolve_path(l->path, path, sizeof(path));
	if (err < 0) {
		tr_log_info("launch %s: %s", l->path, strerror(-err));
		return -TR_EEXEC;
	}
	if (!argv) {
		default_argv[0] = (char *)l->path;
		default_argv[1] = NULL;
		argv = default_argv;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return tr_errno_map(errno);

	pid = fork();
	if (pid < 0) {
		err = tr_errno_map(errno);
		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid == 0)
		child(l, path, argv, l->envp ? l->envp : environ, pipefd[1]);
	close(pipefd[1]);

	/* 1. The child stops itself before execve. */
	while (waitpid(pid, &st, WSTOPPED | __WALL) < 0)
		if (errno != EINTR)
			goto exec_failed;
	if (!WIFSTOPPED(st))
		goto exec_failed;

	/* 2. Seize it (PTRACE_INTERRUPT works on seized tracees only) and
	 * end its group-stop, as strace does. */
	if (ptrace(PTRACE_SEIZE, pid, NULL,
		   (void *)(long)(TR_PTRACE_OPTIONS | PTRACE_O_EXITKILL)) < 0) {
		err = tr_errno_map(errno);
		launch_cleanup(pid);
		close(pipefd[0]);
		return err;
	}
	kill(pid, SIGCONT);

	/* 3. Run it to the execve stop, suppressing our own SIGSTOP/SIGCONT. */
	for (;;) {
		int ev, sig;

		if (waitpid(pid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			goto exec_failed;
		}
		if (!WIFSTOPPED(st))
			goto exec_failed;
		ev = st >> 16;
		sig = WSTOPSIG(st);
		if (ev == PTRACE_EVENT_EXEC)
			break;
		if (ev == 0 && sig != SIGCONT && sig != SIGSTOP) {
			/* A real signal before execve: pass it on. */
			ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
			continue;
		}
		ptrace(PTRACE_CONT, pid, NULL, NULL);
	}
	close(pipefd[0]);

	t->pid = pid;
	t->launched = true;
	t->gone = false;
	err = tr__open_mem(t);
	if (err < 0 || !tr__thread_add(t, pid)) {
		launch_cleanup(pid);
		t->pid = 0;
		return err < 0 ? err : -TR_ENOMEM;
	}
	t->threads[0].state = TH_STOPPED;
	t->current_tid = pid;
	return 0;

exec_failed:
	/* Either it exited (execve or chdir failed: the pipe says why) or
	 * something else went wrong; make sure no child is left behind. */
	if (read(pipefd[0], &e, sizeof(e)) != sizeof(e))
		e = 0;
	close(pipefd[0]);
	if (!WIFEXITED(st) && !WIFSIGNALED(st))
		launch_cleanup(pid);
	else
		while (waitpid(pid, &st, __WALL | WNOHANG) > 0)
			;
	tr_log_info("launch %s: %s", path, e ? strerror(e) : "failed");
	return -TR_EEXEC;
}

/* Seize every thread in /proc/PID/task not seized yet; repeat until a pass
 * finds none new (threads may be created while we scan). */
static int
seize_all(struct tr_tracer *t, pid_t pid)
{
	char path[64];
	bool added;
	int passes = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	do {
		DIR *d = opendir(path);
		struct dirent *de;

		if (!d)
			return errno == ENOENT ? -TR_ESRCH : tr_errno_map(errno);
		added = false;
		while ((de = readdir(d))) {
			pid_t tid = (pid_t)atoi(de->d_name);
			struct tr_thread *th;

			if (tid <= 0 || tr__thread_find(t, tid))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, NULL,
				   (void *)(long)TR_PTRACE_OPTIONS) < 0) {
				if (errno == ESRCH)
					continue; /* exited meanwhile */
				closedir(d);
				return tr_errno_map(errno);
			}
			th = tr__thread_add(t, tid);
			if (!th) {
				closedir(d);
				return -TR_ENOMEM;
			}
			th->state = TH_RUNNING;
			t->nrunning++;
			if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) == 0)
				th->interrupt_sent = th->interrupted = true;
			added = true;
		}
		closedir(d);
	} while (added && ++passes < 1000);
	return 0;
}

int
tr__attach_begin(struct tr_tracer *t, pid_t pid)
{
	int err;

	if (pid <= 0)
		return -TR_EINVAL;
	if (pid == getpid())
		return -TR_EPERM;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return -TR_ESRCH;
	t->pid = pid;
	t->launched = false;
	t->gone = false;
	err = seize_all(t, pid);
	if (err == 0)
		err = tr__open_mem(t);
	if (err < 0) {
		/* Let go of whatever we seized: PTRACE_DETACH needs the
		 * thread stopped, so take its interrupt stop first. */
		for (size_t i = 0; i < t->nthreads; i++) {
			struct tr_thread *th = &t->threads[i];
			int st;

			if (th->interrupt_sent)
				while (waitpid(th->tid, &st, __WALL) < 0 &&
				       errno == EINTR)
					;
			ptrace(PTRACE_DETACH, th->tid, NULL, NULL);
		}
		tr__threads_clear(t);
		t->pid = 0;
		return err;
	}
	t->current_tid = pid;
	return 0;
}
