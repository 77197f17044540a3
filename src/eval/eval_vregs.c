/* eval_vregs.c: $xmm0-15, $ymm0-15, $st0-7, $mxcsr and the x87 control registers in expressions, with gdb's types: union vec128 and vec256 of vectors (v4_float, v2_double, v16_int8...), builtin_type_i387_ext for the x87 stack. */
#include <string.h>

#include "base/error.h"
#include "eval/eval_int.h"
#include "eval/expr_eval.h"
#include "eval/value.h"
#include "target/vregs.h"

#define BASE(id, nm, sz, enc)                                              \
	static const struct tr_type id = { .kind = TR_TYPE_BASE, .name = nm, \
					   .size = sz, .encoding = enc }
BASE(t_bf16, "bfloat16", 2, TR_ENC_FLOAT);
BASE(t_half, "half", 2, TR_ENC_FLOAT);
BASE(t_float, "float", 4, TR_ENC_FLOAT);
BASE(t_double, "double", 8, TR_ENC_FLOAT);
BASE(t_i8, "int8_t", 1, TR_ENC_SIGNED);
BASE(t_i16, "int16_t", 2, TR_ENC_SIGNED);
BASE(t_i32, "int32_t", 4, TR_ENC_SIGNED);
BASE(t_i64, "int64_t", 8, TR_ENC_SIGNED);
BASE(t_u128, "uint128_t", 16, TR_ENC_UNSIGNED);
BASE(t_i128, "int128_t", 16, TR_ENC_SIGNED);
BASE(t_ext, "builtin_type_i387_ext", 10, TR_ENC_FLOAT);
BASE(t_int, "int", 4, TR_ENC_SIGNED);
#undef BASE
/* gdb's flags types: value.c prints them as "[ IM DM ... ]" */
const struct tr_type tr__t_eflags = { .kind = TR_TYPE_BASE,
				      .name = "i386_eflags", .size = 4,
				      .encoding = TR_ENC_UNSIGNED };
const struct tr_type tr__t_mxcsr = { .kind = TR_TYPE_BASE,
				     .name = "i386_mxcsr", .size = 4,
				     .encoding = TR_ENC_UNSIGNED };

/* gdb's vector types: typedefs (whatis says v4f) of arrays of n
 * elements, total bytes */
#define VEC(id, nm, el, n, total)                                          \
	static const struct tr_type id##_arr = {                           \
		.kind = TR_TYPE_ARRAY, .size = total, .target = &el,        \
		.count_known = true, .count = n };                          \
	static const struct tr_type id = { .kind = TR_TYPE_TYPEDEF,         \
					   .name = nm, .size = total,       \
					   .target = &id##_arr }
VEC(v8bf16, "v8bf16", t_bf16, 8, 16);
VEC(v8h, "v8h", t_half, 8, 16);
VEC(v4f, "v4f", t_float, 4, 16);
VEC(v2d, "v2d", t_double, 2, 16);
VEC(v16i8, "v16i8", t_i8, 16, 16);
VEC(v8i16, "v8i16", t_i16, 8, 16);
VEC(v4i32, "v4i32", t_i32, 4, 16);
VEC(v2i64, "v2i64", t_i64, 2, 16);
VEC(v16bf16, "v16bf16", t_bf16, 16, 32);
VEC(v16h, "v16h", t_half, 16, 32);
VEC(v8f, "v8f", t_float, 8, 32);
VEC(v4d, "v4d", t_double, 4, 32);
VEC(v32i8, "v32i8", t_i8, 32, 32);
VEC(v16i16, "v16i16", t_i16, 16, 32);
VEC(v8i32, "v8i32", t_i32, 8, 32);
VEC(v4i64, "v4i64", t_i64, 4, 32);
VEC(v2i128, "v2i128", t_i128, 2, 32);
#undef VEC

static const struct tr_type_member m128[] = {
	{ "v8_bfloat16", &v8bf16, 0, 0, 0 }, { "v8_half", &v8h, 0, 0, 0 },
	{ "v4_float", &v4f, 0, 0, 0 },       { "v2_double", &v2d, 0, 0, 0 },
	{ "v16_int8", &v16i8, 0, 0, 0 },     { "v8_int16", &v8i16, 0, 0, 0 },
	{ "v4_int32", &v4i32, 0, 0, 0 },     { "v2_int64", &v2i64, 0, 0, 0 },
	{ "uint128", &t_u128, 0, 0, 0 },
};
static const struct tr_type_member m256[] = {
	{ "v16_bfloat16", &v16bf16, 0, 0, 0 }, { "v16_half", &v16h, 0, 0, 0 },
	{ "v8_float", &v8f, 0, 0, 0 },         { "v4_double", &v4d, 0, 0, 0 },
	{ "v32_int8", &v32i8, 0, 0, 0 },       { "v16_int16", &v16i16, 0, 0, 0 },
	{ "v8_int32", &v8i32, 0, 0, 0 },       { "v4_int64", &v4i64, 0, 0, 0 },
	{ "v2_int128", &v2i128, 0, 0, 0 },
};
static const struct tr_type t_vec128 = {
	.kind = TR_TYPE_UNION, .name = "vec128", .size = 16,
	.nmembers = sizeof(m128) / sizeof(m128[0]), .members = m128,
};
static const struct tr_type t_vec256 = {
	.kind = TR_TYPE_UNION, .name = "vec256", .size = 32,
	.nmembers = sizeof(m256) / sizeof(m256[0]), .members = m256,
};

static const char *const x87_ctl[] = { "fctrl", "fstat", "ftag", "fiseg",
				       "fioff", "foseg", "fooff", "fop",
				       "mxcsr" };

/* the register's number in its bank (0-15, 0-7), or -1 */
static int
bank_index(const char *name, const char *bank, int max)
{
	size_t bl = strlen(bank);
	int n = 0;

	if (strncmp(name, bank, bl) || !name[bl] || strlen(name) > bl + 2)
		return -1;
	for (const char *p = name + bl; *p; p++) {
		if (*p < '0' || *p > '9' || (p == name + bl && *p == '0' &&
					     p[1]))
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n < max ? n : -1;
}

bool
tr__ev_is_vreg(const char *name)
{
	for (size_t i = 0; i < sizeof(x87_ctl) / sizeof(x87_ctl[0]); i++)
		if (!strcmp(name, x87_ctl[i]))
			return true;
	return bank_index(name, "xmm", 16) >= 0 ||
	       bank_index(name, "ymm", 16) >= 0 ||
	       bank_index(name, "st", 8) >= 0;
}

int
tr__ev_vreg_value(struct tr_eval_env *e, const struct tr_ast *at,
		  struct tr_value *v)
{
	struct tr_vregs r;
	const char *name = at->name;
	int k, err;

	if (!e->have_regs || !e->vregs)
		return tr__ev_fail(e, at, -TR_ERUNNING,
				   "The thread is running.");
	if ((err = e->vregs(e->ctx, &r)))
		return tr__ev_fail(e, at, err, "Cannot read register \"$%s\".",
				   name);
	/* vector and x87 registers are caller-saved: every frame shows the
	 * thread's, as gdb's unwinder does */
	if ((k = bank_index(name, "xmm", 16)) >= 0)
		return tr__ev_vset(e, v, &t_vec128, r.xmm[k], 16);
	if ((k = bank_index(name, "ymm", 16)) >= 0) {
		uint8_t y[32];

		if (!r.has_avx)
			return tr__ev_fail(e, at, -TR_ENOENT,
					   "Invalid register \"$%s\".", name);
		memcpy(y, r.xmm[k], 16);
		memcpy(y + 16, r.ymmh[k], 16);
		return tr__ev_vset(e, v, &t_vec256, y, 32);
	}
	if ((k = bank_index(name, "st", 8)) >= 0)
		return tr__ev_vset(e, v, &t_ext, r.st[k], 10);
	{
		const uint32_t vals[] = { r.fctrl, r.fstat, r.ftag, r.fiseg,
					  r.fioff, r.foseg, r.fooff, r.fop,
					  r.mxcsr };

		for (size_t i = 0; i < sizeof(x87_ctl) / sizeof(x87_ctl[0]);
		     i++)
			if (!strcmp(name, x87_ctl[i]))
				return tr__ev_vint(e, v,
						   strcmp(name, "mxcsr")
							   ? &t_int
							   : &tr__t_mxcsr,
						   vals[i]);
	}
	return tr__ev_fail(e, at, -TR_ENOENT, "Invalid register \"$%s\".",
			   name);
}
