(gdb) break inl_leaf
Breakpoint 1 at 0xADDR: file inl.c, line 9.
(gdb) break inl_mid
Breakpoint 2 at 0xADDR: file inl.c, line 16.
(gdb) continue
Breakpoint 2, inl_mid (m=10) at inl.c:16
16		int r = inl_leaf(m + 1);
(gdb) bt
#0  inl_mid (m=10) at inl.c:16
#1  inl_top (t=5) at inl.c:23
#2  inl_compute (n=5) at inl.c:30
#3  0xADDR in main () at main.c:22
(gdb) info args
m = 10
(gdb) up
#1  inl_top (t=5) at inl.c:23
23		int q = inl_mid(t * 2);
(gdb) info args
t = 5
