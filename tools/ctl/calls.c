/* calls.c: tracectl's requests to tracerd and their replies. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "client.h"
#include "config.h"
#include "endpoint.h"
#include "base/error.h"
#include "json.h"
#include "ctl/tracectl.h"

/* ---- calls -------------------------------------------------------------- */

/* Build params from a format of JSON text: %J a C string written as a
 * JSON string, %u a uint64_t, %B an int written as true/false. */
char *
tc_jparams(const char *fmt, ...)
{
	struct tr_buf b;
	va_list ap;

	tr_buf_init(&b);
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 'J') {
			struct tr_jw w;

			tr_jw_init(&w, &b);
			tr_jw_cstr(&w, va_arg(ap, const char *));
			p++;
		} else if (p[0] == '%' && p[1] == 'B') {
			const char *t = va_arg(ap, int) ? "true" : "false";

			tr_buf_append(&b, t, strlen(t));
			p++;
		} else if (p[0] == '%' && p[1] == 'u') {
			char n[32];
			int k = snprintf(n, sizeof(n), "%llu",
					 (unsigned long long)va_arg(ap,
								    uint64_t));

			tr_buf_append(&b, n, (size_t)k);
			p++;
		} else {
			tr_buf_append(&b, p, 1);
		}
	}
	va_end(ap);
	tr_buf_append(&b, "", 1);
	return b.data;
}

/* Call and report errors; 0 with *r filled on success. */
int
tc_call(const char *method, char *params, struct tr_cl_reply *r)
{
	int err;

	if (tc_term_call_begin(method, &params)) {
		free(params);
		memset(r, 0, sizeof(*r));
		return -1;
	}
	err = tr_cl_call(tc.cl, method, params, NULL, 0, &tc.sigint, r);
	tc_term_call_end(method);
	free(params);
	tc.sigint = 0;
	if (err) {
		fprintf(stderr, "tracectl: %s: %s\n", method,
			err == -TR_EGONE ? "connection to tracerd lost"
					 : tr_strerror(err));
		tc.failed = true;
		return -1;
	}
	if (r->code) {
		if (tc.json)
			printf("{\"error\":{\"code\":%d,\"message\":\"%s\"}}\n",
			       r->code, r->message);
		else
			printf("%s\n", r->message);
		tc.failed = true;
		tr_cl_reply_free(r);
		return -1;
	}
	return 0;
}

/* Call, then print the raw result in --json mode. Returns 1 when the
 * caller should print it its own way. */
int
tc_call_show(const char *method, char *params, struct tr_cl_reply *r)
{
	if (tc_call(method, params, r))
		return 0;
	if (tc.json) {
		tc_print_json(r->result);
		tr_cl_reply_free(r);
		return 0;
	}
	return 1;
}
