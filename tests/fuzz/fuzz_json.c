/* fuzz_json.c: libFuzzer harness for the JSON codec and JSON-RPC: the parser, the writer (a tree written, parsed and written again must give the same text), request parsing and the line framer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "json_write.h"
#include "jsonrpc.h"

/* Touch every value: what a method does with params. */
static void
walk(const struct tr_json *v, unsigned depth)
{
	int64_t i;
	uint64_t u;
	double d;
	bool b;
	size_t n;

	if (!v || depth > 64)
		return;
	(void)tr_json_int64(v, &i);
	(void)tr_json_uint64(v, &u);
	(void)tr_json_double(v, &d);
	(void)tr_json_bool(v, &b);
	(void)tr_json_str(v, &n);
	(void)tr_json_is_int(v);
	if (v->kind == TR_JSON_ARRAY) {
		for (size_t k = 0; k < tr_json_len(v); k++)
			walk(tr_json_at(v, k), depth + 1);
	} else if (v->kind == TR_JSON_OBJECT) {
		for (size_t k = 0; k < tr_json_len(v); k++) {
			const struct tr_json_member *m =
				tr_json_member_at(v, k);

			if (tr_json_getn(v, m->key, m->klen) == NULL)
				abort(); /* a member its own key cannot find */
			walk(&m->val, depth + 1);
		}
	}
}

/* Write a tree, parse what was written, write that: the same text. */
static void
round_trip(const struct tr_json *v)
{
	struct tr_buf a, b;
	struct tr_jw w;
	struct tr_json *again = NULL;
	struct tr_json_error e;

	tr_buf_init(&a);
	tr_buf_init(&b);
	tr_jw_init(&w, &a);
	if (tr_jw_value(&w, v) || tr_jw_error(&w))
		goto out;
	if (tr_json_parse(a.data, a.len, NULL, &again, &e))
		abort(); /* we wrote something we cannot read */
	tr_jw_init(&w, &b);
	if (tr_jw_value(&w, again) || tr_jw_error(&w))
		goto out;
	if (a.len != b.len || memcmp(a.data, b.data, a.len))
		abort(); /* not stable */
out:
	tr_json_free(again);
	tr_buf_free(&a);
	tr_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct tr_json_limits lim = { .max_depth = 64, .max_values = 100000,
				      .max_string = 1 << 20 };
	struct tr_json *tree = NULL;
	struct tr_json_error je;
	struct tr_rpc_request req;
	struct tr_rpc_error re;
	struct tr_rpc_framer fr;
	const char *line;
	size_t len, off = 0;
	int k;

	if (tr_json_parse(s, size, &lim, &tree, &je) == 0) {
		walk(tree, 0);
		round_trip(tree);
	} else if (je.offset > size) {
		abort(); /* an error past the end of the input */
	}
	tr_json_free(tree);

	if (tr_rpc_parse_request(s, size, &lim, &req, &re) == 0)
		walk(req.params, 0);
	tr_rpc_request_free(&req);

	/* The same bytes as a stream, in chunks the input chooses: */
	tr_rpc_framer_init(&fr, 4096);
	while (off < size) {
		size_t n = 1 + data[off] % 61;

		if (n > size - off)
			n = size - off;
		if (tr_rpc_framer_feed(&fr, s + off, n))
			break;
		off += n;
		while ((k = tr_rpc_framer_next(&fr, &line, &len)) !=
		       TR_RPC_FRAME_NONE) {
			if (k != TR_RPC_FRAME_TOO_LONG) {
				if (len > 4096 || memchr(line, '\n', len))
					abort();
				if (tr_rpc_parse_request(line, len, &lim,
							 &req, &re) == 0)
					walk(req.params, 0);
				tr_rpc_request_free(&req);
			}
		}
	}
	tr_rpc_framer_free(&fr);
	return 0;
}
