(gdb) break nosuchfn
Function "nosuchfn" not defined.
(gdb) break main.c:99999
No line 99999 in file "main.c".
(gdb) break nosuch.c:3
No source file named nosuch.c.
(gdb) set breakpoint pending on
(gdb) break nosuchfn
Function "nosuchfn" not defined.
Breakpoint 1 (nosuchfn) pending.
(gdb) break use_shape
Breakpoint 2 at 0xADDR: file main.c, line 12.
(gdb) tbreak shape_area
Temporary breakpoint 3 at 0xADDR: file shape.c, line 39.
(gdb) delete
(gdb) info breakpoints
No breakpoints or watchpoints.
(gdb) break rect_area
Breakpoint 4 at 0xADDR: file shape.c, line 21.
(gdb) continue
Breakpoint 4, rect_area (s=0xADDR) at shape.c:21
21		return s->w * s->h;
