/* multi.h: what the units of the multi program share: an opaque struct
 * (defined only in shape.c), an array declared without its size (defined
 * in shape.c), inlined helpers (inl.c) and entry values (entry.c). */
#ifndef MULTI_H
#define MULTI_H

struct shape; /* complete only in shape.c */

extern char banner[]; /* its size is known only in shape.c */

struct shape *shape_new(int w, int h, const char *name);
int shape_area(const struct shape *s);
int inl_compute(int n);
int entry_outer(int a, int b);
int sym_run(int x);
int inl_pair(int a);

#endif
