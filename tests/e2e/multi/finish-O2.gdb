(gdb) break rect_area
Breakpoint 1 at 0xADDR: file shape.c, line 21.
(gdb) continue
Breakpoint 1, rect_area (s=0xADDR) at shape.c:21
21		return s->w * s->h;
(gdb) up
#1  0xADDR in use_shape (s=<optimized out>) at main.c:12
12		int a = shape_area(s); /* marker: use_shape */
(gdb) finish
0xADDR in main () at main.c:22
22		int c = inl_compute(5);
Value returned is $1 = 43
