/* vars.c: traced by check_vars at -O0 and -O2: every kind of C type and variable, with the values the test expects printed. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The program prints what the test compares against: "val NAME VALUE"
 * lines for variables and members (integers in decimal, floating point
 * with %a, pointers as 0x%lx), "offset" / "size" / "bitfield" lines for
 * the layout of struct outer, "enum" lines for the enumerators. Nothing
 * it prints changes after the marker lines where the test stops.
 */

enum color { RED, GREEN = 5, BLUE = -2 };

typedef struct point {
	int x, y;
} point_t;

typedef unsigned long counter_t;

struct inner {
	short s;
	char tag[3];
};

struct outer {
	int id;
	struct inner in;
	int arr[4];
	unsigned a : 3;
	unsigned b : 5;
	int c : 7;
	unsigned d : 1;
	union {
		int i;
		float f;
	} u;
	enum color col;
	point_t pt;
	double dv;
	const char *name;
	struct {
		int ax, ay;
	}; /* anonymous: its members are the struct's */
};

union num {
	int i;
	float f;
	unsigned char bytes[4];
};

int global_counter = 42;         /* a global */
static int file_static = -7;     /* a file static */
int grid[3][4];                  /* a 2-D global array */
const char *greeting = "hello";  /* a pointer to const */
int (*op_ptr)(int, char *);      /* a function pointer global */
volatile counter_t ticks = 3;    /* a volatile typedef */

/* Declarators whose C spelling is easy to get wrong. */
int (*row_ptr)[4] = grid;
int *ptr_arr[2];
void (*handlers[2])(void);
char *(*maker)(const char *, ...);
char *const *const_argv;
const volatile unsigned char cv_byte;
int (*old_style)();

__attribute__((noipa)) int
add_len(int a, char *s)
{
	return a + (int)strlen(s);
}

/* Keep values alive at -O2 without taking their address. */
__attribute__((noipa)) void
touch(long a, double b)
{
	(void)a;
	(void)b;
}

static void
bitpos(const char *name, const void *p, size_t n)
{
	const unsigned char *b = p;
	int first = -1, count = 0;

	for (size_t i = 0; i < n * 8; i++)
		if (b[i / 8] >> (i % 8) & 1) {
			if (first < 0)
				first = (int)i;
			count++;
		}
	printf("bitfield %s %d %d\n", name, first, count);
}

static void
layout(void)
{
	struct outer z;

	printf("size outer %zu\n", sizeof(struct outer));
	printf("size inner %zu\n", sizeof(struct inner));
	printf("size num %zu\n", sizeof(union num));
	printf("offset id %zu\n", offsetof(struct outer, id));
	printf("offset in %zu\n", offsetof(struct outer, in));
	printf("offset arr %zu\n", offsetof(struct outer, arr));
	printf("offset u %zu\n", offsetof(struct outer, u));
	printf("offset col %zu\n", offsetof(struct outer, col));
	printf("offset pt %zu\n", offsetof(struct outer, pt));
	printf("offset dv %zu\n", offsetof(struct outer, dv));
	printf("offset name %zu\n", offsetof(struct outer, name));
	printf("offset ay %zu\n", offsetof(struct outer, ay));
	memset(&z, 0, sizeof(z));
	z.a = 7;
	bitpos("a", &z, sizeof(z));
	memset(&z, 0, sizeof(z));
	z.b = 31;
	bitpos("b", &z, sizeof(z));
	memset(&z, 0, sizeof(z));
	z.c = -1;
	bitpos("c", &z, sizeof(z));
	memset(&z, 0, sizeof(z));
	z.d = 1;
	bitpos("d", &z, sizeof(z));
	printf("enum RED %d\nenum GREEN %d\nenum BLUE %d\n", RED, GREEN, BLUE);
}

static void
val_i(const char *name, long long v)
{
	printf("val %s %lld\n", name, v);
}

static void
val_u(const char *name, unsigned long long v)
{
	printf("val %s %llu\n", name, v);
}

static void
val_f(const char *name, double v)
{
	printf("val %s %a\n", name, v);
}

static void
val_p(const char *name, const void *p)
{
	printf("val %s 0x%lx\n", name, (unsigned long)p);
}

static void
val_outer(const char *pfx, const struct outer *o)
{
	char n[64];

#define M(fmt, ...) (snprintf(n, sizeof(n), "%s." fmt, pfx, ##__VA_ARGS__), n)
	val_i(M("id"), o->id);
	val_i(M("in.s"), o->in.s);
	for (int k = 0; k < 3; k++)
		val_i(M("in.tag[%d]", k), o->in.tag[k]);
	for (int k = 0; k < 4; k++)
		val_i(M("arr[%d]", k), o->arr[k]);
	val_u(M("a"), o->a);
	val_u(M("b"), o->b);
	val_i(M("c"), o->c);
	val_u(M("d"), o->d);
	val_i(M("u.i"), o->u.i);
	val_i(M("col"), o->col);
	val_i(M("pt.x"), o->pt.x);
	val_i(M("pt.y"), o->pt.y);
	val_f(M("dv"), o->dv);
	val_p(M("name"), o->name);
	val_i(M("ax"), o->ax);
	val_i(M("ay"), o->ay);
#undef M
}

__attribute__((noipa)) int
inspect(int i, char c, float f, double d, unsigned u, long l, short s,
	struct outer *op, const char *msg)
{
	static int calls;           /* a function-local static */
	struct outer o = *op;       /* LINE:inspect_first */
	union num n;
	enum color col = BLUE;
	point_t pt = { i, -i };
	int matrix[2][3];
	int (*fp)(int, char *) = add_len;
	int *ip = &o.arr[1];
	int shadow = 1;
	int r;

	calls++;
	n.f = f;
	for (int k = 0; k < 6; k++)
		matrix[k / 3][k % 3] = k * i;
	o.arr[1] += c;
	r = fp(i, (char *)msg) + *ip;
	{
		int shadow = 2;
		long mid = l * 2;

		r += shadow + (int)mid;
		{
			int shadow = 3;
			double deep = d * 2;

			touch(shadow, deep); /* LINE:deepest */
			val_i("shadow", shadow);
			val_f("deep", deep);
			val_i("i", i);
			val_i("c", c);
			val_f("f", f);
			val_f("d", d);
			val_u("u", u);
			val_i("l", l);
			val_i("s", s);
			val_p("op", op);
			val_p("msg", msg);
			val_i("calls", calls);
			val_outer("o", &o);
			val_i("n.i", n.i);
			for (int k = 0; k < 4; k++)
				printf("val n.bytes[%d] %u\n", k, n.bytes[k]);
			val_i("col", col);
			val_i("pt.x", pt.x);
			val_i("pt.y", pt.y);
			for (int k = 0; k < 6; k++)
				printf("val matrix[%d][%d] %d\n", k / 3, k % 3,
				       matrix[k / 3][k % 3]);
			val_p("fp", (void *)fp);
			val_p("ip", ip);
			val_i("r", r);
			val_p("fn", (void *)add_len); /* LINE:deepest_end */
		}
		touch(shadow, (double)mid); /* LINE:middle */
		printf("mid shadow %d\n", shadow);
		val_i("mid", mid);
	}
	touch(shadow, r); /* LINE:outer */
	printf("outer shadow %d\n", shadow);
	return r + col + pt.x * pt.y + matrix[1][2];
}

int
main(int argc, char **argv)
{
	struct outer o;
	int base = argc > 1 ? atoi(argv[1]) : 5;
	int r;

	layout();
	memset(&o, 0, sizeof(o));
	o.id = base * 100;
	o.in.s = (short)-base;
	memcpy(o.in.tag, "ab", 3);
	for (int k = 0; k < 4; k++)
		o.arr[k] = base + k * 10;
	o.a = 5;
	o.b = 17;
	o.c = -9;
	o.d = 1;
	o.u.f = 1.5f;
	o.col = GREEN;
	o.pt.x = base;
	o.pt.y = 2 * base;
	o.dv = base / 4.0;
	o.name = greeting;
	o.ax = -base;
	o.ay = base * base;
	op_ptr = add_len;
	for (int k = 0; k < 12; k++)
		grid[k / 4][k % 4] = k * base;
	global_counter += base;
	file_static -= base;
	val_i("global_counter", global_counter);
	val_i("file_static", file_static);
	val_p("greeting", greeting);
	val_p("op_ptr", (void *)op_ptr);
	val_u("ticks", ticks);
	for (int k = 0; k < 12; k++)
		printf("val grid[%d][%d] %d\n", k / 4, k % 4,
		       grid[k / 4][k % 4]);
	val_p("main.o", &o);
	val_i("base", base);
	fflush(stdout);
	r = inspect(base - 8, (char)('a' + base), base * 0.25f, base / 3.0,
		    (unsigned)base * 3000000000u, -1000000000000L * base,
		    (short)(base * -1000), &o, "message");
	printf("result %d\n", r);
	return 0;
}
