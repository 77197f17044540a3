/* event.c: per-subscriber event queues, filled by the tracer thread. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/error.h"
#include "target/event.h"
#include "base/log.h"
#include "target/tracer_int.h"

/*
 * A single-producer (the tracer thread) single-consumer ring. The
 * eventfd is written after each push, so a consumer polling it never
 * misses an event; it may see a stale readiness, which tr_sub_next()
 * answers with -TR_EAGAIN.
 */
struct tr_sub {
	struct tr_sub *next; /* the tracer's list */
	int fd;
	unsigned mask;
	struct tr_event *ring;
	_Atomic uint64_t head; /* consumer */
	_Atomic uint64_t tail; /* producer */
	_Atomic uint64_t lost;
};

const char *
tr_event_type_name(uint32_t type)
{
	static const char *const names[] = {
		"none", "stop", "exit", "killed", "thread-new", "thread-exit",
		"detached",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

const char *
tr_stop_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		"none", "breakpoint", "step", "signal", "interrupt", "exec",
		"attach", "group-stop", "finish", "timeout", "watchpoint",
		"watchpoint-scope", "fork", "vfork", "vfork-done",
	};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "?";
}

int
tr_sub_new(struct tr_tracer *t, unsigned capacity, struct tr_sub **out)
{
	struct tr_sub *sub;
	unsigned n;
	struct tr_req *r;
	int err;

	*out = NULL;
	if (capacity == 0)
		capacity = 1024;
	for (n = 1; n < capacity; n <<= 1)
		;
	sub = calloc(1, sizeof(*sub));
	if (!sub)
		return -TR_ENOMEM;
	sub->ring = calloc(n, sizeof(*sub->ring));
	sub->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!sub->ring || sub->fd < 0) {
		if (sub->fd >= 0)
			close(sub->fd);
		free(sub->ring);
		free(sub);
		return -TR_ENOMEM;
	}
	sub->mask = n - 1;

	/* The list belongs to the tracer thread: add through a request. */
	r = tr_req_get(t);
	r->op = TR_OP_SUB_ADD_;
	r->arg = sub;
	tr_req_submit(t, r);
	err = tr_req_wait(t, r);
	tr_req_put(t, r);
	if (err < 0) {
		close(sub->fd);
		free(sub->ring);
		free(sub);
		return err;
	}
	*out = sub;
	return 0;
}

void
tr_sub_free(struct tr_tracer *t, struct tr_sub *sub)
{
	struct tr_req *r;

	if (!sub)
		return;
	r = tr_req_get(t);
	r->op = TR_OP_SUB_DEL_;
	r->arg = sub;
	tr_req_submit(t, r);
	tr_req_wait(t, r);
	tr_req_put(t, r);
	close(sub->fd);
	free(sub->ring);
	free(sub);
}

int
tr_sub_fd(const struct tr_sub *sub)
{
	return sub->fd;
}

uint64_t
tr_sub_lost(const struct tr_sub *sub)
{
	return atomic_load(&sub->lost);
}

int
tr_sub_next(struct tr_sub *sub, struct tr_event *ev)
{
	uint64_t head = atomic_load_explicit(&sub->head, memory_order_relaxed);
	uint64_t v;

	if (head == atomic_load_explicit(&sub->tail, memory_order_acquire)) {
		/* Empty: reset the readiness, then look again in case an
		 * event was pushed between the two. */
		if (read(sub->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return -TR_ESYS;
		if (head == atomic_load_explicit(&sub->tail,
						 memory_order_acquire))
			return -TR_EAGAIN;
	}
	*ev = sub->ring[head & sub->mask];
	atomic_store_explicit(&sub->head, head + 1, memory_order_release);
	return 0;
}

int
tr_sub_wait(struct tr_sub *sub, struct tr_event *ev, int timeout_ms)
{
	struct pollfd pfd = { .fd = sub->fd, .events = POLLIN };
	int err;

	for (;;) {
		err = tr_sub_next(sub, ev);
		if (err != -TR_EAGAIN)
			return err;
		err = poll(&pfd, 1, timeout_ms);
		if (err == 0)
			return -TR_ETIMEDOUT;
		if (err < 0 && errno != EINTR)
			return -TR_ESYS;
	}
}

void
tr__publish(struct tr_tracer *t, const struct tr_event *ev)
{
	uint64_t one = 1;

	for (struct tr_sub *s = t->subs; s; s = s->next) {
		uint64_t tail = atomic_load_explicit(&s->tail,
						     memory_order_relaxed);

		if (tail - atomic_load_explicit(&s->head,
				memory_order_acquire) > s->mask) {
			atomic_fetch_add(&s->lost, 1);
			continue;
		}
		s->ring[tail & s->mask] = *ev;
		atomic_store_explicit(&s->tail, tail + 1, memory_order_release);
		if (write(s->fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			tr_log_error("event: eventfd write: %s", strerror(errno));
	}
}

/* Publish an event of no stop of its own (threads, detach). */
void
tr__emit(struct tr_tracer *t, uint32_t type, pid_t tid, int sig, int status)
{
	struct tr_event ev = {
		.type = type, .pid = t->pid, .tid = tid, .sig = sig,
		.status = status, .seq = ++t->ev_seq,
	};

	tr__publish(t, &ev);
}

void
tr__sub_add(struct tr_tracer *t, struct tr_sub *sub)
{
	sub->next = t->subs;
	t->subs = sub;
}

void
tr__sub_del(struct tr_tracer *t, struct tr_sub *sub)
{
	for (struct tr_sub **pp = &t->subs; *pp; pp = &(*pp)->next) {
		if (*pp == sub) {
			*pp = sub->next;
			return;
		}
	}
}
