(gdb) break main.c:12
Breakpoint 1 at 0xADDR: file main.c, line 12.
(gdb) continue
Breakpoint 1, use_shape (s=0xADDR) at main.c:12
12		int a = shape_area(s); /* marker: use_shape */
(gdb) print *s
$1 = {w = 6, h = 7, name = 0xADDR "rect", area = 0xADDR <rect_area>, next = 0x0}
(gdb) print s->name
$2 = 0xADDR "rect"
(gdb) print s->w * s->h
$3 = 42
(gdb) print sizeof(*s)
$4 = 32
(gdb) whatis *s
type = struct shape
(gdb) print *s->next
Cannot access memory at address 0x0
(gdb) print banner
$5 = "multi-unit banner: a string long enough that its upper bound no longer fits a signed byte, as lua_ident's does in Lua (129 bytes)"
(gdb) whatis banner
type = char [130]
(gdb) print sizeof(banner)
$6 = 130
(gdb) up
#1  0xADDR in main () at main.c:21
21		int a = use_shape(s);
