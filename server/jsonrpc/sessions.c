/* sessions.c: the JSON-RPC methods that make, end, describe and follow sessions (launch, attach, detach, kill...), and the server's own (version, auth, shutdown). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "core/call.h"
#include "core/clientfile.h"
#include "core/conn.h"
#include "core/passfd.h"
#include "core/server.h"
#include "core/sess.h"
#include "base/error.h"
#include "jsonrpc/request.h"
#include "jsonrpc/rerun.h"
#include "jsonrpc/sessions.h"
#include "jsonrpc/where.h"
#include "base/log.h"

static void
write_session_head(struct srv_call *x, pid_t pid)
{
	tr_jw_key(&x->w, "session");
	tr_jw_uint(&x->w, x->ss->id);
	tr_jw_key(&x->w, "pid");
	tr_jw_int(&x->w, pid);
}

/* A launch or attach that failed: the session goes, unannounced (its
 * creator learns of it from the error). */
static int
create_failed(struct srv_call *x, int err, const char *what)
{
	srv_lib_error(x, err, what);
	srv_sess_end(x->ss, NULL);
	return 0;
}

/*
 * "stdio": "passed": the descriptors the client passed with the request
 * (core/passfd.c) are the program's stdin, stdout and stderr, those of
 * them no path param names.
 */
static int
passed_stdio(struct srv_call *x, struct srv_cfile *io)
{
	const char *how = srv_param_str(x, "stdio", false);
	int fds[SRV_MAX_PASSED_FDS];
	unsigned n;

	if (!how)
		return x->replied ? -1 : 0;
	if (strcmp(how, "passed")) {
		srv_error(x, TR_RPC_INVALID_PARAMS, "stdio: \"%s\" is not "
			  "\"passed\"", how);
		return -1;
	}
	n = x->c ? srv_conn_take_fds(x->c, fds) : 0;
	if (!n) {
		srv_error(x, TR_RPC_INVALID_PARAMS, "stdio: no file "
			  "descriptors came with the request (SCM_RIGHTS "
			  "over a Unix socket)");
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		if (i < 3 && io[i].fd < 0)
			io[i].fd = fds[i];
		else
			close(fds[i]);
	}
	return 0;
}

/* The file of param `key` for the launch, opened as the client may
 * (core/clientfile.c): an output file is emptied only once the launch
 * proceeds. */
static int
open_stdio(struct srv_call *x, const char *key, bool output,
	   struct srv_cfile *f)
{
	const char *p = srv_param_str(x, key, false);
	char why[512];

	f->fd = f->dirfd = -1;
	if (!p)
		return x->replied ? -1 : 0;
	if (srv_cfile_open(f, p, output, x->c ? x->c->uid : geteuid(), why,
			   sizeof(why))) {
		srv_error(x, TR_RPC_INVALID_PARAMS, "%s: %s", key, why);
		return -1;
	}
	return 0;
}

int
srv_m_launch(struct srv_call *x)
{
	const char *prog;
	const struct tr_json *args = srv_param_get(x, "args");
	struct srv_rerun rr = { 0 };
	uint64_t rerun_id = 0;
	int rerun;
	const struct tr_json *env = srv_param_get(x, "env");
	const char *cwd;
	char **argv = NULL, **envp = NULL;
	struct tr_launch l = { .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1 };
	struct srv_cfile io[3] = { { .fd = -1, .dirfd = -1 },
				   { .fd = -1, .dirfd = -1 },
				   { .fd = -1, .dirfd = -1 } };
	bool launched = false;
	struct tr_event ev = { .type = TR_EV_STOP, .reason = TR_STOP_EXEC };
	pid_t pid = 0;
	size_t n;
	int err = 0;

	/* rerun: an earlier session's program (rerun.c) */
	rerun = srv_param_num(x, "rerun", false, UINT32_MAX, &rerun_id);
	if (rerun < 0 || (rerun == 0 && srv_rerun_take(x, rerun_id, &rr)))
		goto fail;
	prog = rerun == 0 ? rr.argv[0] : srv_param_str(x, "program", true);
	if (!prog)
		goto fail;
	cwd = srv_param_str(x, "cwd", false);
	if (x->replied)
		goto fail;
	if ((args && args->kind != TR_JSON_ARRAY) ||
	    (env && env->kind != TR_JSON_OBJECT)) {
		srv_error(x, TR_RPC_INVALID_PARAMS, "\"args\" must be an array "
			  "of strings, \"env\" an object of strings");
		goto fail;
	}
	n = args && rerun ? tr_json_len(args) : 0;
	argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		goto oom;
	argv[0] = (char *)prog;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *a = tr_json_str(tr_json_at(args, i), &len);

		if (!a || strlen(a) != len) {
			srv_error(x, TR_RPC_INVALID_PARAMS,
				  "\"args\" must be an array of strings");
			goto fail;
		}
		argv[i + 1] = (char *)a;
	}
	if (env) {
		size_t ne = tr_json_len(env);

		envp = calloc(ne + 1, sizeof(*envp));
		if (!envp)
			goto oom;
		for (size_t i = 0; i < ne; i++) {
			const struct tr_json_member *mb =
				tr_json_member_at(env, i);
			const char *v = tr_json_str(&mb->val, NULL);

			if (!v || asprintf(&envp[i], "%s=%s", mb->key, v) < 0) {
				srv_error(x, TR_RPC_INVALID_PARAMS,
					  "\"env\" values must be strings");
				goto fail;
			}
		}
	}
	if (open_stdio(x, "stdin", false, &io[0]) ||
	    open_stdio(x, "stdout", true, &io[1]) ||
	    open_stdio(x, "stderr", true, &io[2]) || passed_stdio(x, io))
		goto fail;
	l.stdin_fd = io[0].fd;
	l.stdout_fd = io[1].fd;
	l.stderr_fd = io[2].fd;
	l.path = prog;
	l.argv = rerun == 0 ? rr.argv : argv;
	l.envp = envp;
	l.cwd = cwd;
	srv_sess_set_program(x->ss, &l);
	err = tr_session_launch(x->ss->s, &l, &pid);
	if (err) {
		create_failed(x, err, prog);
		goto out;
	}
	/* stopped at its exec, not one instruction run: its output files
	 * are emptied now, not before (a launch that fails loses none) */
	launched = true;
	for (int i = 0; i < 3; i++)
		srv_cfile_commit(&io[i]);
	atomic_store(&x->ss->pid, pid);
	ev.pid = ev.tid = pid;
	{
		struct tr_state st;

		if (tr_state_get(x->ss->t, &st) == 0)
			ev = st.last_stop;
	}
	x->ss->last = ev;
	tr_log_info("session %u: launched %s, process %d", x->ss->id, prog,
		    (int)pid);
	if (rerun == 0)
		srv_rerun_apply(x, &rr);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	write_session_head(x, pid);
	tr_jw_key(&x->w, "stop");
	srv_write_stop(x->ss, &x->w, &ev);
	tr_rpc_end(&x->w);
	goto out;
oom:
	srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
fail:
	srv_sess_end(x->ss, NULL);
out:
	for (size_t i = 0; envp && envp[i]; i++)
		free(envp[i]);
	free(envp);
	free(argv);
	for (int i = 0; i < 3; i++)
		srv_cfile_close(&io[i], !launched);
	srv_rerun_free(&rr);
	return 0;
}

int
srv_m_attach(struct srv_call *x)
{
	uint64_t pid;
	struct tr_state st;
	int err;

	if (srv_param_num(x, "pid", true, INT32_MAX, &pid) < 0 || !pid) {
		if (!x->replied)
			srv_error(x, TR_RPC_INVALID_PARAMS, "bad \"pid\"");
		srv_sess_end(x->ss, NULL);
		return 0;
	}
	err = tr_session_attach(x->ss->s, (pid_t)pid);
	if (err) {
		char what[64];

		snprintf(what, sizeof(what), "attach %llu",
			 (unsigned long long)pid);
		return create_failed(x, err, what);
	}
	atomic_store(&x->ss->pid, (pid_t)pid);
	if (tr_state_get(x->ss->t, &st) == 0)
		x->ss->last = st.last_stop;
	{
		char path[64], exe[4096];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
		n = readlink(path, exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = 0;
			x->ss->program = strdup(exe);
		}
	}
	tr_log_info("session %u: attached to %d", x->ss->id, (int)pid);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	write_session_head(x, (pid_t)pid);
	tr_jw_key(&x->w, "threads");
	tr_jw_uint(&x->w, st.nthreads);
	tr_jw_key(&x->w, "stop");
	srv_write_stop(x->ss, &x->w, &x->ss->last);
	return tr_rpc_end(&x->w);
}

static int
end_session(struct srv_call *x, bool kill_it)
{
	struct srv_sess *ss = x->ss;
	int err = 0;

	atomic_store(&ss->stop_req, false);
	if (atomic_load(&ss->state) != SRV_EXITED)
		err = kill_it ? tr_kill(ss->t) : tr_detach(ss->t);
	if (err && err != -TR_EGONE && err != -TR_ENOTARGET)
		return srv_lib_error(x, err, kill_it ? "kill" : "detach");
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, kill_it ? "killed" : "detached");
	tr_jw_int(&x->w, atomic_load(&ss->pid));
	tr_rpc_end(&x->w);
	srv_sess_end(ss, kill_it ? "killed" : "detached");
	return 0;
}

int
srv_m_detach(struct srv_call *x)
{
	return end_session(x, false);
}

int
srv_m_kill(struct srv_call *x)
{
	return end_session(x, true);
}

int
srv_m_sessions(struct srv_call *x)
{
	srv_begin(x);
	srv_sessions_write(&x->w);
	return tr_rpc_end(&x->w);
}

int
srv_m_state(struct srv_call *x)
{
	static const char *const st[] = { "stopped", "running", "exited" };
	struct srv_sess *ss = x->ss;
	struct tr_event last;
	int state = atomic_load(&ss->state);

	pthread_mutex_lock(&ss->mu);
	last = ss->last;
	pthread_mutex_unlock(&ss->mu);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	write_session_head(x, atomic_load(&ss->pid));
	tr_jw_key(&x->w, "state");
	tr_jw_cstr(&x->w, st[state]);
	tr_jw_key(&x->w, "launched");
	tr_jw_bool(&x->w, ss->launched);
	tr_jw_key(&x->w, "current_thread");
	tr_jw_int(&x->w, last.tid);
	tr_jw_key(&x->w, "last_reason");
	tr_jw_cstr(&x->w, tr_stop_reason_name(last.reason));
	return tr_rpc_end(&x->w);
}

int
srv_m_follow(struct srv_call *x)
{
	/* handle_line made x->c follow the session already */
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "session");
	tr_jw_uint(&x->w, x->ss->id);
	return tr_rpc_end(&x->w);
}

int
srv_m_unfollow(struct srv_call *x)
{
	pthread_mutex_lock(&x->c->mu);
	for (unsigned i = 0; i < x->c->nfollows; i++)
		if (x->c->follows[i].sid == x->ss->id) {
			x->c->follows[i] = x->c->follows[--x->c->nfollows];
			break;
		}
	pthread_mutex_unlock(&x->c->mu);
	return srv_m_follow(x);
}

int
srv_m_version(struct srv_call *x)
{
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "name");
	tr_jw_cstr(&x->w, "tracerd");
	tr_jw_key(&x->w, "version");
	tr_jw_cstr(&x->w, PACKAGE_VERSION);
	tr_jw_key(&x->w, "protocol");
	tr_jw_int(&x->w, 1);
	tr_jw_key(&x->w, "pid");
	tr_jw_int(&x->w, getpid());
	return tr_rpc_end(&x->w);
}

int
srv_m_auth(struct srv_call *x)
{
	/* handle_line checked the token already */
	srv_begin(x);
	tr_jw_bool(&x->w, true);
	return tr_rpc_end(&x->w);
}

int
srv_m_shutdown(struct srv_call *x)
{
	srv_begin(x);
	tr_jw_bool(&x->w, true);
	tr_rpc_end(&x->w);
	srv_shutdown_request();
	return 0;
}
