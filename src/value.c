/* value.c: placeholder. */
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "value.h"
int tr_value_alloc(struct tr_value *v, size_t size) { v->heap = NULL; if (size > sizeof(v->inline_buf)) { v->heap = calloc(1, size); if (!v->heap) return -TR_ENOMEM; } else memset(v->inline_buf, 0, sizeof(v->inline_buf)); v->size = size; return 0; }
void tr_value_release(struct tr_value *v) { free(v->heap); v->heap = NULL; v->size = 0; }
int tr_value_print(const struct tr_value *v, const struct tr_print_env *env, char *out, size_t len) { (void)v; (void)env; (void)out; (void)len; return -TR_ENOTSUP; }
int tr_value_print_scalar(const struct tr_value *v, const struct tr_print_env *env, char *out, size_t len) { (void)v; (void)env; (void)out; (void)len; return -TR_ENOTSUP; }
