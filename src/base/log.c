/* log.c: leveled logging through a user-supplied sink. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "base/log.h"

static _Atomic int log_level = TR_LOG_ERROR;
static _Atomic bool log_stamps;
static tr_log_fn log_fn;
static void *log_arg;

void
tr_log_set(enum tr_log_level level, tr_log_fn fn, void *arg)
{
	atomic_store(&log_level, (int)level);
	log_fn = fn;
	log_arg = arg;
}

void
tr_log_stderr(enum tr_log_level level, const char *msg, void *arg)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };

	(void)arg;
	if (atomic_load_explicit(&log_stamps, memory_order_relaxed)) {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s.%06ld tracerd: %s: %s\n", when,
			ts.tv_nsec / 1000, names[level], msg);
		return;
	}
	fprintf(stderr, "tracerd: %s: %s\n", names[level], msg);
}

void
tr_log_level_set(enum tr_log_level level)
{
	atomic_store_explicit(&log_level, (int)level, memory_order_relaxed);
}

enum tr_log_level
tr_log_level_get(void)
{
	return (enum tr_log_level)atomic_load_explicit(&log_level,
							memory_order_relaxed);
}

void
tr_log_timestamps(bool on)
{
	atomic_store_explicit(&log_stamps, on, memory_order_relaxed);
}

void
tr_log_msg(enum tr_log_level level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!log_fn || (int)level > atomic_load_explicit(&log_level,
							 memory_order_relaxed))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_fn(level, buf, log_arg);
}
