(gdb) break rect_area
Breakpoint 1 at 0xADDR: file shape.c, line 21.
(gdb) continue
Breakpoint 1, rect_area (s=0xADDR) at shape.c:21
21		return s->w * s->h;
(gdb) up
#1  0xADDR in shape_area (s=0xADDR) at shape.c:39
39		return s->area(s);
(gdb) finish
0xADDR in use_shape (s=0xADDR) at main.c:12
12		int a = shape_area(s); /* marker: use_shape */
Value returned is $1 = 42
