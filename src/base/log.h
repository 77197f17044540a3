/* log.h: leveled logging; the library never prints by itself. */
#ifndef TR_BASE_LOG_H
#define TR_BASE_LOG_H

#include <stdbool.h>

enum tr_log_level {
	TR_LOG_ERROR = 0,
	TR_LOG_WARN = 1,
	TR_LOG_INFO = 2,
	TR_LOG_DEBUG = 3,
};

typedef void (*tr_log_fn)(enum tr_log_level level, const char *msg, void *arg);

/*
 * tr_log_set: route messages of at most `level` to `fn` (NULL: drop all,
 * the default). Call before starting any tracer; not thread-safe against
 * concurrent logging.
 */
void tr_log_set(enum tr_log_level level, tr_log_fn fn, void *arg);

/* tr_log_level_set, tr_log_level_get: the level, changed while running
 * (gdb's `monitor set debug`); any thread. */
void tr_log_level_set(enum tr_log_level level);
enum tr_log_level tr_log_level_get(void);

/* tr_log_timestamps: tr_log_stderr starts each line with the date and
 * time to the microsecond (gdb's `monitor set debug-format`). */
void tr_log_timestamps(bool on);

/* tr_log_stderr: a ready-made sink printing "tracerd: LEVEL: msg" to stderr. */
void tr_log_stderr(enum tr_log_level level, const char *msg, void *arg);

void tr_log_msg(enum tr_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define tr_log_error(...) tr_log_msg(TR_LOG_ERROR, __VA_ARGS__)
#define tr_log_warn(...) tr_log_msg(TR_LOG_WARN, __VA_ARGS__)
#define tr_log_info(...) tr_log_msg(TR_LOG_INFO, __VA_ARGS__)
#define tr_log_debug(...) tr_log_msg(TR_LOG_DEBUG, __VA_ARGS__)

#endif
