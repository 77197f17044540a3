/* display.c: the JSON-RPC methods on the session's auto-display expressions: display (add), undisplay (delete), displays (list), as gdb's display, undisplay and info display; clients evaluate them at each stop. A rerun keeps them (rerun.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/sess.h"
#include "jsonrpc/display.h"
#include "jsonrpc/request.h"

static void
write_display(struct srv_call *x, const struct srv_display *d)
{
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "number");
	tr_jw_uint(&x->w, d->number);
	tr_jw_key(&x->w, "expr");
	tr_jw_cstr(&x->w, d->expr);
	tr_jw_key(&x->w, "format");
	tr_jw_cstr(&x->w, d->format);
	tr_jw_key(&x->w, "enabled");
	tr_jw_bool(&x->w, d->enabled);
	tr_jw_obj_end(&x->w);
}

int
srv_display_add(struct srv_sess *ss, const char *expr, const char *format,
		uint32_t number, bool enabled)
{
	struct srv_display *d = calloc(1, sizeof(*d)), **pp;

	if (!d || !(d->expr = strdup(expr)) ||
	    !(d->format = strdup(format ? format : ""))) {
		if (d)
			free(d->expr);
		free(d);
		return 0;
	}
	d->number = number ? number : ++ss->display_hi;
	if (d->number > ss->display_hi)
		ss->display_hi = d->number;
	d->enabled = enabled;
	for (pp = &ss->displays; *pp; pp = &(*pp)->next)
		;
	*pp = d;
	return (int)d->number;
}

int
srv_m_display(struct srv_call *x)
{
	const char *expr = srv_param_str(x, "expr", true);
	const char *format;
	int n;

	if (!expr)
		return 0;
	format = srv_param_str(x, "format", false);
	if (x->replied)
		return 0;
	if (format && strspn(format, "0123456789xduotacfsizbhwgr") !=
			      strlen(format))
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "bad \"format\" \"%s\"", format);
	n = srv_display_add(x->ss, expr, format, 0, true);
	if (!n)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	srv_begin(x);
	for (struct srv_display *d = x->ss->displays; d; d = d->next)
		if (d->number == (uint32_t)n)
			write_display(x, d);
	return tr_rpc_end(&x->w);
}

int
srv_m_undisplay(struct srv_call *x)
{
	uint64_t num = 0;
	int rc = srv_param_num(x, "number", false, UINT32_MAX, &num);
	struct srv_display **pp = &x->ss->displays;
	bool found = false;

	if (rc < 0)
		return 0;
	while (*pp) {
		struct srv_display *d = *pp;

		if (rc == 0 && d->number != num) {
			pp = &d->next;
			continue;
		}
		*pp = d->next;
		free(d->expr);
		free(d->format);
		free(d);
		found = true;
	}
	if (rc == 0 && !found)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "No display number %llu.",
				 (unsigned long long)num);
	srv_begin(x);
	tr_jw_bool(&x->w, true);
	return tr_rpc_end(&x->w);
}

int
srv_m_displays(struct srv_call *x)
{
	srv_begin(x);
	tr_jw_arr_begin(&x->w);
	for (struct srv_display *d = x->ss->displays; d; d = d->next)
		write_display(x, d);
	tr_jw_arr_end(&x->w);
	return tr_rpc_end(&x->w);
}
