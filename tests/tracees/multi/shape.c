/* shape.c: the one unit that defines struct shape and banner[]. */
#include <stdlib.h>

#include "multi.h"

struct shape {
	int w, h;
	const char *name;
	int (*area)(const struct shape *);
	struct shape *next;
};

/* Over 127 bytes: its bound takes a data1 form that is unsigned. */
char banner[] = "multi-unit banner: a string long enough that its upper "
		"bound no longer fits a signed byte, as lua_ident's does "
		"in Lua (129 bytes)";

static int
rect_area(const struct shape *s)
{
	return s->w * s->h;
}

struct shape *
shape_new(int w, int h, const char *name)
{
	struct shape *s = calloc(1, sizeof(*s));

	s->w = w;
	s->h = h;
	s->name = name;
	s->area = rect_area;
	return s;
}

int
shape_area(const struct shape *s)
{
	return s->area(s);
}
