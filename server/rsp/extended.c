/* extended.c: the session a connection drives: taking it on and letting it go, k, D and vKill, and extended-remote's vRun and vAttach, which make one. */
#include <stdlib.h>
#include <string.h>

#include "core/sess.h"
#include "base/error.h"
#include "base/log.h"
#include "rsp.h"
#include "rsp/breakpoints.h"
#include "rsp/extended.h"
#include "rsp/regs.h"
#include "rsp/reply.h"
#include "rsp/stop.h"

void
rsp_bind_session(struct rsp *r, struct srv_sess *ss)
{
	struct tr_state st;
	char **a;

	if (ss && ss->launched && ss->program && (a = srv_argv_dup(ss->argv, ss->program))) {
		srv_argv_free(r->run_argv);
		r->run_argv = a;
	}

	r->ss = ss;
	r->s = ss ? ss->s : NULL;
	r->t = ss ? ss->t : NULL;
	r->gone = !ss;
	r->gtid = 0;
	r->ctid = -1;
	r->nbps = 0;
	r->fork_child = 0;
	r->ran = false;
	rsp_regs_forget(r);
	memset(&r->stop, 0, sizeof(r->stop));
	if (r->t && tr_state_get(r->t, &st) == 0) {
		r->stop = st.last_stop;
		r->gone = st.gone;
	}
}

/* Let go of the session: its target was killed, detached, or has
 * exited (`how`: what its followers are told; NULL: nothing happened to
 * it). Called with target_mu held; leaves it unlocked. */
void
rsp_drop_session(struct rsp *r, const char *how)
{
	struct srv_sess *ss = r->ss;

	if (!ss)
		return;
	if (how && !atomic_load(&ss->ended))
		srv_sess_finish(ss, how);
	rsp_bind_session(r, NULL);
	pthread_mutex_unlock(&ss->target_mu);
	srv_sess_unref(ss);
}

/* Kill (or detach from) the target and end its session, its target_mu
 * held (this unlocks it). In extended-remote the connection stays,
 * without a session. */
void
rsp_end_target(struct rsp *r, bool kill_it)
{
	rsp_bps_sync(r, true);
	if (!r->gone)
		kill_it ? tr_kill(r->t) : tr_detach_nosig(r->t);
	else if (kill_it)
		tr_kill(r->t); /* reaps an exited target */
	rsp_drop_session(r, kill_it ? "killed" : "detached");
}

/* Drive the session vRun or vAttach made (NULL: err says why not) and
 * answer with its first stop. */
static int
adopt_session(struct rsp *r, struct srv_sess *ss, int err)
{
	int rc;

	if (!ss)
		return rsp_reply_err(r, err);
	pthread_mutex_lock(&ss->target_mu);
	rsp_bind_session(r, ss);
	rc = rsp_send_stop(r, &r->stop);
	pthread_mutex_unlock(&ss->target_mu);
	return rc;
}

/* A client from elsewhere that has not presented the token: no
 * session for it (monitor help says how). */
static int
unauthed(struct rsp *r)
{
	return rsp_reply_str(r, "E01");
}

/* vRun;PROGRAM;ARG...: hex-encoded words. An empty program is the one
 * the last session ran. */
int
rsp_v_run(struct rsp *r, const char *p)
{
	char *argv[64], *prog;
	size_t argc = 0;
	struct tr_launch l = { .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1 };
	struct srv_sess *ss;
	int err = 0;
	char *last;

	if (!r->authed)
		return unauthed(r);
	last = r->ss && r->ss->program ? strdup(r->ss->program) : NULL;
	while (*p == ';' && argc < 63) {
		size_t n = strcspn(p + 1, ";");
		char *w = malloc(n / 2 + 1);

		if (!w || tr_rsp_hex_decode(p + 1, n, (unsigned char *)w)) {
			free(w);
			err = -TR_EINVAL;
			break;
		}
		w[n / 2] = 0;
		argv[argc++] = w;
		p += 1 + n;
	}
	argv[argc] = NULL;
	if (!err && (argc == 0 || !argv[0][0])) {
		if (!last) {
			err = -TR_EINVAL;
		} else {
			if (argc)
				free(argv[0]);
			else
				argc = 1;
			argv[0] = last;
			argv[argc] = NULL;
			last = NULL;
		}
	}
	free(last);
	if (err) {
		for (size_t i = 0; i < argc; i++)
			free(argv[i]);
		return rsp_reply_str(r, "E16");
	}
	/* a bare name of a file in the daemon's directory is that file,
	 * as gdbserver runs it */
	prog = srv_program_path(argv[0]);
	if (!prog) {
		for (size_t i = 0; i < argc; i++)
			free(argv[i]);
		return rsp_reply_str(r, "E0c");
	}
	if (r->ss) /* (its target_mu held by locked_packet) */
		rsp_end_target(r, true); /* gdb kills the old process first; a
					run over a live one replaces it */
	l.path = prog;
	l.argv = argv;
	tr_log_debug("gdb client %d: vRun %s (%zu arguments)", r->fd, prog,
		     argc - 1);
	ss = srv_sess_start(&l, 0, &err);
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(prog);
	return adopt_session(r, ss, err);
}

/* R XX: restart the program of the session (extended-remote only). The
 * packet has no reply (GDB manual, "Packets": "The R packet has no
 * reply"); gdb asks for the stop with `?` afterwards. The old process is
 * killed and the same program is launched with the same arguments, as
 * gdbserver does. A restart that cannot be done leaves no session: `?`
 * then says the process is gone. Outside extended-remote the packet is
 * not known (the empty reply). */
int
rsp_restart(struct rsp *r)
{
	struct tr_launch l = { .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1 };
	struct srv_sess *ss;
	char **argv;
	int err;

	if (!r->extended)
		return rsp_reply_str(r, "");
	if (!r->authed || !r->run_argv)
		return 0;
	argv = r->run_argv;
	r->run_argv = NULL; /* (rsp_end_target may not free it under us) */
	if (r->ss) /* its target_mu held by locked_packet */
		rsp_end_target(r, true);
	l.path = argv[0];
	l.argv = argv;
	ss = srv_sess_start(&l, 0, &err);
	if (ss) {
		pthread_mutex_lock(&ss->target_mu);
		rsp_bind_session(r, ss);
		pthread_mutex_unlock(&ss->target_mu);
	} else {
		tr_log_warn("gdb client: restart of %s: %s", argv[0],
			    tr_strerror(err));
	}
	if (!r->run_argv)
		r->run_argv = argv;
	else
		srv_argv_free(argv);
	return 0;
}

int
rsp_v_attach(struct rsp *r, const char *p)
{
	uint64_t pid;
	struct srv_sess *ss;
	int err;

	if (!r->authed)
		return unauthed(r);
	if (tr_rsp_hex_u64(p, strlen(p), &pid) || pid == 0 ||
	    pid > INT32_MAX)
		return rsp_reply_str(r, "E01");
	if (!r->ss && (ss = srv_sess_only())) {
		/* the daemon's session of that process (a client that had
		 * to authenticate first comes to it this way) */
		if (atomic_load(&ss->pid) == (pid_t)pid)
			return adopt_session(r, ss, 0);
		srv_sess_unref(ss);
	}
	if (r->ss && !r->gone)
		return rsp_reply_str(r, "E01"); /* one process at a time */
	if (r->ss) /* exited: let it go (target_mu held by locked_packet) */
		rsp_end_target(r, true);
	ss = srv_sess_start(NULL, (pid_t)pid, &err);
	return adopt_session(r, ss, err);
}
