/* request.h: what the DAP request handlers share: their arguments, the checks before touching the target, ids that live until the next resume. */
#ifndef TR_SERVER_DAP_REQUEST_H
#define TR_SERVER_DAP_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "dap/dap_int.h"

/* A handler answers q (and may send events); 0, or -1 when the
 * connection must end (the client is gone). */
typedef int (*dap_handler)(struct dap *d, const struct dap_req *q);

/* Arguments: the member `key` of q->args of the kind asked for, or the
 * default when it is absent or of another kind. */
const char *dap_arg_str(const struct dap_req *q, const char *key);
int64_t dap_arg_int(const struct dap_req *q, const char *key, int64_t def);
bool dap_arg_bool(const struct dap_req *q, const char *key, bool def);
const struct tr_json *dap_arg(const struct dap_req *q, const char *key);

/* dap_stopped: the connection has a live target, stopped: true. Else
 * answers q with why not (*rc: the send's result) and says false. The
 * caller then takes ss->target_mu with dap_lock, which fails when the
 * session ended meanwhile (answered the same way). */
bool dap_stopped(struct dap *d, const struct dap_req *q, int *rc);
bool dap_lock(struct dap *d, const struct dap_req *q, int *rc);
void dap_unlock(struct dap *d);

/* Ids until the next resume: a variablesReference (from 1) for what r
 * describes (r->expr is copied), and a frame id (from 1) for a thread's
 * level. 0 when out of memory. dap_ref / dap_frame_get: NULL for an id
 * not (or no longer) given. dap_ids_clear: at a resume. Reader only. */
uint32_t dap_ref_new(struct dap *d, const struct dap_ref *r);
const struct dap_ref *dap_ref_get(struct dap *d, int64_t id);
uint32_t dap_frame_id(struct dap *d, pid_t tid, uint32_t level);
const struct dap_frame *dap_frame_get(struct dap *d, int64_t id);
void dap_ids_clear(struct dap *d);

#endif
