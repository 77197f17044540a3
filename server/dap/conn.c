/* conn.c: a DAP connection: its thread, which reads framed messages, parses them and hands each request to its handler; initialize; srv_dap_start and srv_dap_start_stdio. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "config.h"
#include "core/listen.h"
#include "core/server.h"
#include "core/sess.h"
#include "dap/breakpoints.h"
#include "dap/conn.h"
#include "dap/disasm.h"
#include "dap/memory.h"
#include "dap/modules.h"
#include "dap/reply.h"
#include "dap/request.h"
#include "dap/run.h"
#include "dap/stack.h"

static int
r_initialize(struct dap *d, const struct dap_req *q)
{
	/* what works, and nothing else (the DAP specification's
	 * Capabilities) */
	static const char *const yes[] = {
		"supportsConfigurationDoneRequest",
		"supportsFunctionBreakpoints",
		"supportsConditionalBreakpoints",
		"supportsHitConditionalBreakpoints",
		"supportsLogPoints",
		"supportsTerminateRequest",
		"supportsRestartRequest",
		"supportTerminateDebuggee",
		"supportsInstructionBreakpoints",
		"supportsSteppingGranularity",
		"supportsSetVariable",
		"supportsDataBreakpoints",
		"supportsSetExpression",
		"supportsEvaluateForHovers",
		"supportsClipboardContext",
		"supportsReadMemoryRequest",
		"supportsWriteMemoryRequest",
		"supportsModulesRequest",
		"supportsLoadedSourcesRequest",
		"supportsDisassembleRequest",
	};
	struct tr_buf b;
	struct tr_jw w;
	int rc;

	d->lines_start_at1 = dap_arg_bool(q, "linesStartAt1", true);
	d->columns_start_at1 = dap_arg_bool(q, "columnsStartAt1", true);
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		tr_jw_key(&w, yes[i]);
		tr_jw_bool(&w, true);
	}
	tr_jw_key(&w, "exceptionBreakpointFilters");
	dap_exception_filters(&w);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}

static const struct {
	const char *name;
	dap_handler fn;
} handlers[] = {
	{ "initialize", r_initialize },
	{ "launch", dap_r_launch },
	{ "attach", dap_r_attach },
	{ "configurationDone", dap_r_configurationDone },
	{ "setBreakpoints", dap_r_setBreakpoints },
	{ "setFunctionBreakpoints", dap_r_setFunctionBreakpoints },
	{ "setInstructionBreakpoints", dap_r_setInstructionBreakpoints },
	{ "setExceptionBreakpoints", dap_r_setExceptionBreakpoints },
	{ "dataBreakpointInfo", dap_r_dataBreakpointInfo },
	{ "setDataBreakpoints", dap_r_setDataBreakpoints },
	{ "threads", dap_r_threads },
	{ "stackTrace", dap_r_stackTrace },
	{ "scopes", dap_r_scopes },
	{ "variables", dap_r_variables },
	{ "evaluate", dap_r_evaluate },
	{ "setVariable", dap_r_setVariable },
	{ "setExpression", dap_r_setExpression },
	{ "continue", dap_r_continue },
	{ "next", dap_r_next },
	{ "stepIn", dap_r_stepIn },
	{ "stepOut", dap_r_stepOut },
	{ "pause", dap_r_pause },
	{ "terminate", dap_r_terminate },
	{ "restart", dap_r_restart },
	{ "readMemory", dap_r_readMemory },
	{ "writeMemory", dap_r_writeMemory },
	{ "disassemble", dap_r_disassemble },
	{ "modules", dap_r_modules },
	{ "loadedSources", dap_r_loadedSources },
	{ "source", dap_r_source },
	{ "disconnect", dap_r_disconnect },
};

/* One message's body: a request is handled, anything else is answered
 * with an error (a client sends only requests, and responses to
 * reverse requests, which we never make). */
static int
message(struct dap *d, const char *body, size_t len)
{
	struct tr_json_limits lim = { .max_depth = 64 };
	struct tr_json_error je;
	struct tr_json *root = NULL;
	struct dap_req q = { 0 };
	const char *type;
	int rc;

	if (tr_json_parse(body, len, &lim, &root, &je)) {
		return dap_fail(d, NULL, "malformed JSON at byte %zu: %s",
				je.offset, je.message);
	}
	tr_json_int64(tr_json_get(root, "seq"), &q.seq);
	type = tr_json_str(tr_json_get(root, "type"), NULL);
	q.command = tr_json_str(tr_json_get(root, "command"), NULL);
	q.args = tr_json_get(root, "arguments");
	if (q.args && q.args->kind != TR_JSON_OBJECT)
		q.args = NULL;
	if (!type || strcmp(type, "request") || !q.command) {
		rc = dap_fail(d, &q, "expected a request (\"type\": "
			      "\"request\" with a \"command\")");
	} else {
		size_t i, n = sizeof(handlers) / sizeof(handlers[0]);

		for (i = 0; i < n; i++)
			if (!strcmp(handlers[i].name, q.command))
				break;
		if (i < n)
			rc = handlers[i].fn(d, &q);
		else
			rc = dap_fail(d, &q, "unsupported request \"%s\"",
				      q.command);
	}
	tr_json_free(root);
	return rc;
}

static void
dap_free(struct dap *d)
{
	tr_dap_reader_free(&d->rd);
	tr_buf_free(&d->buf);
	free(d->mem);
	dap_ids_clear(d);
	free(d->refs);
	free(d->frames);
	free(d->tids);
	free(d->launch_args);
	if (d->out_quit >= 0)
		close(d->out_quit);
	pthread_mutex_destroy(&d->out_mu);
	free(d);
}

static void *
dap_main(void *arg)
{
	struct dap *d = arg;
	char buf[65536];
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!atomic_load(&d->closing)) {
		struct pollfd p = { .fd = d->in, .events = POLLIN };
		const char *body;
		size_t len;
		ssize_t k;
		int e, rc = 0;

		/* a pipe cannot be shut down by the core: look at its
		 * stopping flag now and then */
		if (poll(&p, 1, 200) == 0) {
			if (srv_stopping())
				break;
			continue;
		}
		k = read(d->in, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || tr_dap_feed(&d->rd, buf, (size_t)k))
			break;
		while (!rc && !atomic_load(&d->closing) &&
		       (e = tr_dap_next(&d->rd, &body, &len)) != TR_DAP_NONE) {
			if (e == TR_DAP_MESSAGE) {
				rc = message(d, body, len);
			} else if (e == TR_DAP_TOO_LONG) {
				rc = dap_fail(d, NULL, "message over %zu "
					      "bytes: dropped", d->rd.max);
			} else {
				/* no way to find the next message */
				dap_fail(d, NULL, "malformed header (expected "
					 "Content-Length: N, CRLF, CRLF): "
					 "closing");
				rc = -1;
			}
		}
		if (rc)
			break;
	}
	dap_end(d, false, false);
	tr_log_info("DAP client left");
	srv_rsp_done(d->in);
	close(d->in);
	if (d->out != d->in)
		close(d->out);
	if (d->stdio)
		srv_shutdown_request();
	dap_free(d);
	return NULL;
}

static struct dap *
dap_new(int in, int out, bool authed)
{
	struct dap *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->in = in;
	d->out = out;
	d->authed = authed;
	d->out_fds[0] = d->out_fds[1] = -1;
	d->out_quit = eventfd(0, EFD_CLOEXEC);
	atomic_store(&d->seq, 1);
	pthread_mutex_init(&d->out_mu, NULL);
	tr_dap_reader_init(&d->rd, 0);
	tr_buf_init(&d->buf);
	dap_exception_defaults(d);
	if (d->out_quit < 0) {
		dap_free(d);
		return NULL;
	}
	return d;
}

static int
spawn(struct dap *d)
{
	pthread_t th;
	pthread_attr_t a;
	int err;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &a, dap_main, d);
	pthread_attr_destroy(&a);
	return err ? -TR_ENOMEM : 0;
}

int
srv_dap_start(int fd, struct srv_sess *ss, bool authed)
{
	struct dap *d = dap_new(fd, fd, authed);

	if (!d || spawn(d)) {
		if (d)
			dap_free(d);
		return -TR_ENOMEM;
	}
	/* the session is found again by attach (srv_sess_only) */
	if (ss)
		srv_sess_unref(ss);
	return 0;
}

int
srv_dap_start_stdio(void)
{
	int in = fcntl(0, F_DUPFD_CLOEXEC, 3);
	int out = fcntl(1, F_DUPFD_CLOEXEC, 3);
	int null = open("/dev/null", O_RDONLY);
	struct dap *d;

	if (in < 0 || out < 0 || null < 0 || dup2(null, 0) < 0 ||
	    dup2(2, 1) < 0) {
		tr_log_error("--dap: cannot take over stdin and stdout: %s",
			     strerror(errno));
		return -TR_EINVAL;
	}
	close(null);
	/* a 16 MiB readMemory is 22 MB of reply: a pipe of 1 MiB rather
	 * than 64 KiB takes it in fewer wake-ups of either side */
	fcntl(out, F_SETPIPE_SZ, 1 << 20);
	if (!(d = dap_new(in, out, true)))
		return -TR_ENOMEM;
	d->stdio = true;
	srv_rsp_register(in);
	if (spawn(d)) {
		srv_rsp_done(in);
		dap_free(d);
		return -TR_ENOMEM;
	}
	tr_log_info("DAP on stdin and stdout");
	return 0;
}

const struct srv_frontend srv_dap_frontend = {
	.name = "dap-listen",
	.protocol = "Debug Adapter Protocol",
	.start = srv_dap_start,
};
