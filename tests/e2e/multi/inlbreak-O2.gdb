(gdb) break inl_leaf
Breakpoint 1 at 0xADDR: file inl.c, line 9.
(gdb) break inl_mid
Breakpoint 2 at 0xADDR: file inl.c, line 9.
(gdb) continue
Breakpoint 1, inl_leaf (x=11) at inl.c:9
9		int y = x * 3 + inl_bias; /* marker: inl_leaf */
(gdb) bt
#0  inl_leaf (x=11) at inl.c:9
#1  inl_mid (m=10) at inl.c:16
#2  inl_top (t=t@entry=5) at inl.c:23
#3  inl_compute (n=n@entry=5) at inl.c:30
#4  0xADDR in main () at main.c:22
(gdb) info args
x = 11
(gdb) up
#1  inl_mid (m=10) at inl.c:16
16		int r = inl_leaf(m + 1);
(gdb) info args
m = 10
