(gdb) break sym.c:38
Breakpoint 1 at 0xADDR: file sym.c, line 42.
(gdb) break sym.c:41
Breakpoint 2 at 0xADDR: file sym.c, line 42.
(gdb) break sym.c:27
Breakpoint 3 at 0xADDR: file sym.c, line 30.
(gdb) break shape.c:18
Breakpoint 4 at 0xADDR: file shape.c, line 21.
(gdb) info breakpoints
Num     Type           Disp Enb Address            What
1       breakpoint     keep y   0xADDR in sym_run at sym.c:42
2       breakpoint     keep y   0xADDR in sym_run at sym.c:42
3       breakpoint     keep y   0xADDR in apply at sym.c:30
4       breakpoint     keep y   0xADDR in rect_area at shape.c:21
(gdb) continue
Breakpoint 4, rect_area (s=0xADDR) at shape.c:21
21		return s->w * s->h;
