/* sess.c: sessions and their workers: a session's queue of requests, run one at a time on its worker thread, its making, ending and freeing. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "core/call.h"
#include "core/conn.h"
#include "core/sess.h"
#include "core/state.h"
#include "base/error.h"
#include "base/log.h"
#include "symbols/source.h"

#define MAX_SESSIONS 64

static void
job_free(struct srv_job *j)
{
	tr_rpc_request_free(&j->req);
	if (j->c) {
		atomic_fetch_sub(&j->c->queued, 1);
		srv__conn_unref(j->c);
	}
	free(j);
}

static void
sess_unref_free(struct srv_sess *ss)
{
	while (ss->watches) {
		struct srv_watch *w = ss->watches;

		ss->watches = w->next;
		free(w->expr);
		free(w->cond);
		free(w);
	}
	while (ss->displays) {
		struct srv_display *d = ss->displays;

		ss->displays = d->next;
		free(d->expr);
		free(d->format);
		free(d);
	}
	while (ss->bps) {
		struct srv_bp *b = ss->bps;

		ss->bps = b->next;
		free(b->spec);
		free(b->cond);
		free(b);
	}
	tr_srcmap_free(ss->srcmap);
	free(ss->program);
	srv_argv_free(ss->argv);
	tr_buf_free(&ss->out);
	pthread_mutex_destroy(&ss->mu);
	pthread_mutex_destroy(&ss->target_mu);
	pthread_cond_destroy(&ss->cv);
	free(ss);
}

void
srv_sess_unref(struct srv_sess *ss)
{
	if (atomic_fetch_sub(&ss->refs, 1) == 1)
		sess_unref_free(ss);
}

static void
sess_list_remove(struct srv_sess *ss)
{
	struct srv_sess **pp;
	bool found = false;

	pthread_mutex_lock(&srv.mu);
	for (pp = &srv.sesss; *pp; pp = &(*pp)->next)
		if (*pp == ss) {
			*pp = ss->next;
			found = true;
			break;
		}
	/* the list's reference goes with it to the ended list, where the
	 * epoll loop joins the worker */
	if (found) {
		ss->next = srv.ended;
		srv.ended = ss;
	}
	for (struct srv_conn *c = srv.conns; c; c = c->next) {
		pthread_mutex_lock(&c->mu);
		srv__follow_drop(c, ss->id);
		pthread_mutex_unlock(&c->mu);
	}
	pthread_mutex_unlock(&srv.mu);
}

static void *
worker_main(void *arg)
{
	struct srv_sess *ss = arg;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct srv_job *j;

		pthread_mutex_lock(&ss->mu);
		while (!ss->head && !ss->quit)
			pthread_cond_wait(&ss->cv, &ss->mu);
		j = ss->head;
		if (j) {
			ss->head = j->next;
			if (!ss->head)
				ss->tail = NULL;
		}
		pthread_mutex_unlock(&ss->mu);
		if (!j)
			break; /* quit, queue empty */
		if (atomic_load(&ss->ended) || ss->quit) {
			struct srv_call x = { 0 };
			struct tr_buf out;

			tr_buf_init(&out);
			x.out = &out;
			x.req = &j->req;
			tr_jw_init(&x.w, &out);
			srv_error(&x, ss->quit ? SRV_E_SHUTDOWN
					       : SRV_E_NO_SESSION,
				  ss->quit ? "the server is shutting down"
					   : "session %u has ended", ss->id);
			if (!tr_rpc_is_notification(&j->req))
				srv__conn_deliver(j->c, &out, 0);
			tr_buf_free(&out);
		} else {
			struct timespec t0, t1;

			struct tr_buf *out = &ss->out;
			size_t off;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (j->m->flags & SRV_M_RUNS)
				atomic_store(&ss->busy_running, true);
			tr_buf_reset(out);
			pthread_mutex_lock(&ss->target_mu);
			srv__call_exec(j->c, ss, &j->req, j->m, out, &off);
			pthread_mutex_unlock(&ss->target_mu);
			/* not running any more before the client hears it:
			 * its next request must not be refused */
			if (j->m->flags & SRV_M_RUNS) {
				atomic_store(&ss->busy_running, false);
				atomic_fetch_sub(&ss->runs_queued, 1);
			}
			if (!tr_rpc_is_notification(&j->req))
				srv__conn_deliver(j->c, out, off);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ss->requests++;
			ss->busy_ns += (uint64_t)(t1.tv_sec - t0.tv_sec) *
					       1000000000u +
				       (uint64_t)(t1.tv_nsec - t0.tv_nsec);
		}
		job_free(j);
		if (atomic_load(&ss->ended) && !ss->quit) {
			/* detached or killed: no more requests */
			pthread_mutex_lock(&ss->mu);
			ss->quit = true;
			pthread_mutex_unlock(&ss->mu);
		}
	}
	/* no more events: the tracer goes */
	pthread_mutex_lock(&ss->mu);
	if (ss->sub) {
		epoll_ctl(srv.ep, EPOLL_CTL_DEL, tr_sub_fd(ss->sub), NULL);
		tr_sub_free(ss->t, ss->sub);
		ss->sub = NULL;
	}
	pthread_mutex_unlock(&ss->mu);
	/* a gdb connection may be in a packet: it sees `ended` next */
	pthread_mutex_lock(&ss->target_mu);
	tr_session_free(ss->s);
	ss->s = NULL;
	ss->t = NULL;
	pthread_mutex_unlock(&ss->target_mu);
	/* What the session's threads freed stays in their malloc arenas
	 * otherwise (the index, line tables, libdwarf's allocations of a
	 * large program): give it back to the system now that it is over. */
	malloc_trim(0);
	atomic_store(&ss->worker_done, true);
	srv__wake_loop(); /* the epoll loop joins this thread */
	return NULL;
}

struct srv_sess *
srv_sess_new(struct srv_call *x)
{
	struct tr_session_opts so = {
		.detach_launched = srv.o.on_exit == SRV_DETACH_LAUNCHED,
		.no_compiled_conditions = srv.o.no_compiled_conditions,
	};
	struct srv_sess *ss;
	unsigned n = 0;
	int err;

	pthread_mutex_lock(&srv.mu);
	for (ss = srv.sesss; ss; ss = ss->next)
		n++;
	pthread_mutex_unlock(&srv.mu);
	if (n >= MAX_SESSIONS) {
		srv_error(x, SRV_E_BUSY, "too many sessions (%d)",
			  MAX_SESSIONS);
		return NULL;
	}
	ss = calloc(1, sizeof(*ss));
	if (!ss) {
		srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&ss->mu, NULL);
	pthread_mutex_init(&ss->target_mu, NULL);
	pthread_cond_init(&ss->cv, NULL);
	atomic_init(&ss->refs, 2); /* the list's and the worker's */
	err = tr_session_new(&so, &ss->s);
	if (err) {
		srv_lib_error(x, err, "cannot start a session");
		sess_unref_free(ss);
		return NULL;
	}
	ss->t = tr_session_tracer(ss->s);
	/* the target's end is noticed even when no request waits for it */
	if (tr_sub_new(ss->t, 256, &ss->sub) == 0) {
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.ptr = &srv.tags[EP_SUB] };

		if (epoll_ctl(srv.ep, EPOLL_CTL_ADD, tr_sub_fd(ss->sub),
			      &ev)) {
			tr_sub_free(ss->t, ss->sub);
			ss->sub = NULL;
		}
	}
	if (pthread_create(&ss->th, NULL, worker_main, ss)) {
		if (ss->sub) {
			epoll_ctl(srv.ep, EPOLL_CTL_DEL, tr_sub_fd(ss->sub),
				  NULL);
			tr_sub_free(ss->t, ss->sub);
		}
		tr_session_free(ss->s);
		sess_unref_free(ss);
		srv_error(x, TR_RPC_INTERNAL_ERROR, "cannot start a thread");
		return NULL;
	}
	pthread_mutex_lock(&srv.mu);
	ss->id = ++srv.next_sid;
	ss->next = srv.sesss;
	srv.sesss = ss;
	pthread_mutex_unlock(&srv.mu);
	tr_log_info("session %u started", ss->id);
	return ss;
}

char *
srv_program_path(const char *name)
{
	struct stat st;
	char cwd[4096], *full;

	if (strchr(name, '/') || stat(name, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !getcwd(cwd, sizeof(cwd)) ||
	    asprintf(&full, "%s/%s", cwd, name) < 0)
		return strdup(name);
	return full;
}

void
srv_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

char **
srv_argv_dup(char *const *argv, const char *program)
{
	size_t n = 0;
	char **a;

	while (argv && argv[n])
		n++;
	if (!(a = calloc(n + 2, sizeof(*a))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(a[i] = strdup(argv[i])))
			goto oom;
	if (n == 0 && (!program || !(a[0] = strdup(program))))
		goto oom;
	return a;
oom:
	srv_argv_free(a);
	return NULL;
}

void
srv_sess_set_program(struct srv_sess *ss, const struct tr_launch *l)
{
	ss->launched = true;
	free(ss->program);
	ss->program = strdup(l->path);
	srv_argv_free(ss->argv);
	/* NULL when out of memory: a restart then runs the program without
	 * arguments */
	ss->argv = srv_argv_dup(l->argv, l->path);
}

struct srv_sess *
srv_sess_start(const struct tr_launch *l, pid_t attach_pid, int *errp)
{
	struct tr_rpc_request req = { 0 };
	struct tr_buf out;
	struct srv_call x = { .req = &req };
	struct srv_sess *ss;
	pid_t pid = 0;
	int err;

	tr_buf_init(&out);
	x.out = &out;
	tr_jw_init(&x.w, &out);
	ss = srv_sess_new(&x);
	tr_buf_free(&out);
	if (!ss) {
		*errp = -TR_ENOMEM;
		return NULL;
	}
	if (l) {
		err = tr_session_launch(ss->s, l, &pid);
		srv_sess_set_program(ss, l);
	} else {
		err = tr_session_attach(ss->s, attach_pid);
		pid = attach_pid;
	}
	if (err) {
		tr_log_error("%s %s: %s", l ? "launch" : "attach",
			     l ? l->path : "", tr_strerror(err));
		pthread_mutex_lock(&ss->mu);
		ss->quit = true;
		pthread_cond_signal(&ss->cv);
		pthread_mutex_unlock(&ss->mu);
		atomic_store(&ss->ended, true);
		sess_list_remove(ss);
		*errp = err;
		return NULL;
	}
	atomic_store(&ss->pid, pid);
	atomic_store(&ss->state, SRV_STOPPED);
	{
		struct tr_state st;

		if (tr_state_get(ss->t, &st) == 0) {
			pthread_mutex_lock(&ss->mu);
			ss->last = st.last_stop;
			pthread_mutex_unlock(&ss->mu);
		}
	}
	atomic_fetch_add(&ss->refs, 1);
	tr_log_info("session %u: %s process %d", ss->id,
		    l ? "launched" : "attached to", (int)pid);
	return ss;
}

/* The session was detached or killed (its worker, in the method): it
 * leaves the list, its followers are told `how` (NULL: nobody), its
 * worker stops. */
void
srv_sess_end(struct srv_sess *ss, const char *how)
{
	atomic_store(&ss->ended, true);
	if (how)
		srv__notify_ended(ss, how);
	sess_list_remove(ss);
	tr_log_info("session %u ended", ss->id);
}

void
srv_sess_finish(struct srv_sess *ss, const char *how)
{
	srv_sess_end(ss, how);
	pthread_mutex_lock(&ss->mu);
	ss->quit = true;
	pthread_cond_signal(&ss->cv);
	pthread_mutex_unlock(&ss->mu);
}

struct srv_sess *
srv_sess_find(uint32_t id)
{
	struct srv_sess *ss;

	pthread_mutex_lock(&srv.mu);
	for (ss = srv.sesss; ss; ss = ss->next)
		if (ss->id == id && !atomic_load(&ss->ended))
			break;
	if (ss)
		atomic_fetch_add(&ss->refs, 1);
	pthread_mutex_unlock(&srv.mu);
	return ss;
}

struct srv_sess *
srv_sess_only(void)
{
	struct srv_sess *ss = NULL;

	unsigned live = 0;

	pthread_mutex_lock(&srv.mu);
	if (srv.sesss && !srv.sesss->next &&
	    !atomic_load(&srv.sesss->ended)) {
		ss = srv.sesss;
	} else {
		/* of several, the only one whose program has not exited:
		 * an exited one kept for a rerun is not in the way */
		for (struct srv_sess *s = srv.sesss; s; s = s->next)
			if (!atomic_load(&s->ended) &&
			    atomic_load(&s->state) != SRV_EXITED) {
				ss = s;
				live++;
			}
		if (live != 1)
			ss = NULL;
	}
	if (ss)
		atomic_fetch_add(&ss->refs, 1);
	pthread_mutex_unlock(&srv.mu);
	return ss;
}

int
srv_sessions_write(struct tr_jw *w)
{
	static const char *const st[] = { "stopped", "running", "exited" };

	pthread_mutex_lock(&srv.mu);
	tr_jw_arr_begin(w);
	for (struct srv_sess *ss = srv.sesss; ss; ss = ss->next) {
		tr_jw_obj_begin(w);
		tr_jw_key(w, "session");
		tr_jw_uint(w, ss->id);
		tr_jw_key(w, "pid");
		tr_jw_int(w, atomic_load(&ss->pid));
		tr_jw_key(w, "state");
		tr_jw_cstr(w, st[atomic_load(&ss->state)]);
		tr_jw_key(w, "launched");
		tr_jw_bool(w, ss->launched);
		tr_jw_key(w, "program");
		if (ss->program)
			tr_jw_cstr(w, ss->program);
		else
			tr_jw_null(w);
		tr_jw_obj_end(w);
	}
	tr_jw_arr_end(w);
	pthread_mutex_unlock(&srv.mu);
	return tr_jw_error(w);
}

/* Stop a running target (an interrupt without waiting): the run request
 * going on then ends with the stop. Any thread. */
void
srv_sess_interrupt(struct srv_sess *ss)
{
	pthread_mutex_lock(&ss->mu);
	/* once quit is set the worker may free the tracer */
	if (!ss->quit)
		tr_interrupt(ss->t, NULL);
	pthread_mutex_unlock(&ss->mu);
}

void
srv_sess_stop_run(struct srv_sess *ss)
{
	atomic_store(&ss->stop_req, true);
	srv_sess_interrupt(ss);
	/* the loop computes its timeout before it sleeps: wake it so that
	 * it sees the interrupt pending */
	srv__wake_loop();
}

/*
 * An interrupt can reach the tracer just before the resume it was meant
 * for (the worker had already looked for one): it then finds the target
 * stopped and does nothing. So while a session's interrupt is pending
 * (stop_req, cleared when its run request ends), the loop sends it again
 * every 20 ms. Returns whether one is pending.
 */
bool
srv__sess_reinterrupt(void)
{
	bool pending = false;

	pthread_mutex_lock(&srv.mu);
	for (struct srv_sess *ss = srv.sesss; ss; ss = ss->next)
		if (atomic_load(&ss->stop_req) &&
		    atomic_load(&ss->busy_running)) {
			srv_sess_interrupt(ss);
			pending = true;
		}
	pthread_mutex_unlock(&srv.mu);
	return pending;
}

void
srv__sess_enqueue(struct srv_sess *ss, struct srv_job *j)
{
	if (j->m->flags & SRV_M_RUNS)
		atomic_fetch_add(&ss->runs_queued, 1);
	pthread_mutex_lock(&ss->mu);
	if (ss->tail)
		ss->tail->next = j;
	else
		ss->head = j;
	ss->tail = j;
	pthread_cond_signal(&ss->cv);
	pthread_mutex_unlock(&ss->mu);
}

/* Take what came on the subscriptions of the sessions on `list`; the
 * ends of targets go to gone[] with a reference (up to max). srv.mu
 * held. */
struct ended_target {
	struct srv_sess *ss;
	struct tr_event ev;
};

static unsigned
drain_events(struct srv_sess *list, struct ended_target *gone, unsigned max)
{
	unsigned n = 0;

	for (struct srv_sess *ss = list; ss; ss = ss->next) {
		struct tr_event ev;

		pthread_mutex_lock(&ss->mu);
		while (ss->sub && tr_sub_next(ss->sub, &ev) == 0)
			if ((ev.type == TR_EV_EXIT ||
			     ev.type == TR_EV_KILLED) &&
			    !atomic_load(&ss->ended) && n < max) {
				atomic_fetch_add(&ss->refs, 1);
				gone[n].ss = ss;
				gone[n++].ev = ev;
			}
		pthread_mutex_unlock(&ss->mu);
	}
	return n;
}

/*
 * The tracer publishes every stop and end of the target; a run request
 * reports those it waited for itself. What is left is a target that
 * ended while nobody waited (SIGKILLed while stopped, say): it is marked
 * exited, and every follower hears of it now rather than at its next
 * request. srv_notify_stop tells them once whoever comes first.
 */
void
srv__sess_watch(void)
{
	struct ended_target gone[MAX_SESSIONS];
	unsigned n;

	pthread_mutex_lock(&srv.mu);
	n = drain_events(srv.sesss, gone, MAX_SESSIONS);
	drain_events(srv.ended, gone + n, 0);
	pthread_mutex_unlock(&srv.mu);
	for (unsigned i = 0; i < n; i++) {
		struct srv_sess *ss = gone[i].ss;
		struct tr_buf b;
		struct tr_jw w;

		if (!atomic_load(&ss->busy_running) && srv.h.write_stop) {
			tr_log_info("session %u: the target %s while "
				    "stopped", ss->id,
				    gone[i].ev.type == TR_EV_EXIT
					    ? "exited" : "was killed");
			atomic_store(&ss->state, SRV_EXITED);
			pthread_mutex_lock(&ss->mu);
			ss->last = gone[i].ev;
			pthread_mutex_unlock(&ss->mu);
			tr_buf_init(&b);
			tr_jw_init(&w, &b);
			if (srv.h.write_stop(ss, &w, &gone[i].ev) == 0 &&
			    !tr_jw_error(&w))
				srv_notify_stop(ss, false, b.data, b.len);
			tr_buf_free(&b);
		}
		srv_sess_unref(ss);
	}
}

/*
 * A connection closed: its requests still queued go without running
 * (their replies would go nowhere, and 100 pipelined 64 MiB reads kept a
 * session busy for over a minute after their client left). The one its
 * session's worker runs now finishes: the target is left as it leaves
 * it. Epoll thread.
 */
void
srv__sess_cancel_conn(struct srv_conn *c)
{
	struct srv_job *gone = NULL;
	unsigned n = 0;

	if (!atomic_load(&c->queued))
		return;
	pthread_mutex_lock(&srv.mu);
	for (struct srv_sess *ss = srv.sesss; ss; ss = ss->next) {
		struct srv_job **pp, *j;

		pthread_mutex_lock(&ss->mu);
		ss->tail = NULL;
		for (pp = &ss->head; (j = *pp);) {
			if (j->c != c) {
				ss->tail = j;
				pp = &j->next;
				continue;
			}
			*pp = j->next;
			if (j->m->flags & SRV_M_RUNS)
				atomic_fetch_sub(&ss->runs_queued, 1);
			j->next = gone;
			gone = j;
			n++;
		}
		pthread_mutex_unlock(&ss->mu);
	}
	pthread_mutex_unlock(&srv.mu);
	while (gone) {
		struct srv_job *j = gone;

		gone = j->next;
		job_free(j);
	}
	if (n)
		tr_log_info("client %u left: %u queued requests cancelled",
			    c->id, n);
}

/* Join the workers of the sessions that ended (epoll thread): those done,
 * or all of them, waiting. Each drops the ended list's reference and the
 * worker's. */
void
srv__sess_reap(bool all)
{
	for (;;) {
		struct srv_sess **pp, *ss = NULL;

		pthread_mutex_lock(&srv.mu);
		for (pp = &srv.ended; *pp; pp = &(*pp)->next)
			if (all || atomic_load(&(*pp)->worker_done)) {
				ss = *pp;
				*pp = ss->next;
				break;
			}
		pthread_mutex_unlock(&srv.mu);
		if (!ss)
			return;
		pthread_join(ss->th, NULL);
		srv_sess_unref(ss);
		srv_sess_unref(ss);
	}
}

/* Ask every worker to stop: targets are detached (or launched ones
 * killed) by tr_session_free, breakpoints removed first. */
void
srv__sess_stop_all(void)
{
	for (;;) {
		struct srv_sess *ss;

		pthread_mutex_lock(&srv.mu);
		ss = srv.sesss;
		if (ss) {
			srv.sesss = ss->next;
			ss->next = srv.ended;
			srv.ended = ss;
		}
		pthread_mutex_unlock(&srv.mu);
		if (!ss)
			break;
		pthread_mutex_lock(&ss->mu);
		/* before quit: once it is set the worker may free the
		 * tracer */
		if (atomic_load(&ss->runs_queued) && !ss->quit)
			tr_interrupt(ss->t, NULL);
		ss->quit = true;
		pthread_cond_signal(&ss->cv);
		pthread_mutex_unlock(&ss->mu);
	}
	srv__sess_reap(true);
}
