/* fuzz_expr.c: libFuzzer harness for the C expression parser (src/eval/expr_parse.c, tr_expr_parse): any bytes, with a few names taken for typedefs, must parse or fail with a position inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "eval/expr_parse.h"

/* Names the harness takes for typedefs, as a program's DWARF would. */
static bool
is_type(void *ctx, const char *name)
{
	(void)ctx;
	return !strcmp(name, "T") || !strcmp(name, "size_t") ||
	       !strncmp(name, "type_", 5);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	struct tr_ast *a = NULL;
	struct tr_expr_err err;
	int rc;

	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = 0; /* tr_expr_parse takes C strings */
	rc = tr_expr_parse(src, is_type, NULL, &a, &err);
	if (rc == 0 && !a)
		abort();
	if (rc == -TR_EINVAL && (a || err.pos > strlen(src) ||
				 !memchr(err.msg, 0, sizeof(err.msg))))
		abort();
	tr_ast_free(a);
	free(src);
	return 0;
}
