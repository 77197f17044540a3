/* log.c: leveled logging through a user-supplied sink. */
#include <stdarg.h>
#include <stdio.h>

#include "base/log.h"

static enum tr_log_level log_level = TR_LOG_ERROR;
static tr_log_fn log_fn;
static void *log_arg;

void
tr_log_set(enum tr_log_level level, tr_log_fn fn, void *arg)
{
	log_level = level;
	log_fn = fn;
	log_arg = arg;
}

void
tr_log_stderr(enum tr_log_level level, const char *msg, void *arg)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };

	(void)arg;
	fprintf(stderr, "tracerd: %s: %s\n", names[level], msg);
}

void
tr_log_msg(enum tr_log_level level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!log_fn || level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_fn(level, buf, log_arg);
}
