(gdb) break inl_compute
Breakpoint 1 at 0xADDR: file inl.c, line 30.
(gdb) continue
Breakpoint 1, inl_compute (n=5) at inl.c:30
30		int v = inl_top(n);
(gdb) bt
#0  inl_compute (n=5) at inl.c:30
#1  0xADDR in main () at main.c:22
(gdb) info args
n = 5
(gdb) step
inl_top (t=5) at inl.c:23
23		int q = inl_mid(t * 2);
(gdb) bt
#0  inl_top (t=5) at inl.c:23
#1  inl_compute (n=5) at inl.c:30
#2  0xADDR in main () at main.c:22
(gdb) up
#1  inl_compute (n=5) at inl.c:30
30		int v = inl_top(n);
(gdb) info args
n = 5
(gdb) down
#0  inl_top (t=5) at inl.c:23
23		int q = inl_mid(t * 2);
(gdb) step
inl_mid (m=10) at inl.c:16
16		int r = inl_leaf(m + 1);
(gdb) bt
#0  inl_mid (m=10) at inl.c:16
#1  inl_top (t=5) at inl.c:23
#2  inl_compute (n=5) at inl.c:30
#3  0xADDR in main () at main.c:22
(gdb) step
inl_leaf (x=11) at inl.c:9
9		int y = x * 3 + inl_bias; /* marker: inl_leaf */
(gdb) bt
#0  inl_leaf (x=11) at inl.c:9
#1  inl_mid (m=10) at inl.c:16
#2  inl_top (t=5) at inl.c:23
#3  inl_compute (n=5) at inl.c:30
#4  0xADDR in main () at main.c:22
(gdb) info args
x = 11
(gdb) step
10		return y;
(gdb) bt
#0  inl_leaf (x=11) at inl.c:10
#1  inl_mid (m=10) at inl.c:16
#2  inl_top (t=5) at inl.c:23
#3  inl_compute (n=5) at inl.c:30
#4  0xADDR in main () at main.c:22
(gdb) step
inl_mid (m=10) at inl.c:16
16		int r = inl_leaf(m + 1);
(gdb) bt
#0  inl_mid (m=10) at inl.c:16
#1  inl_top (t=5) at inl.c:23
#2  inl_compute (n=5) at inl.c:30
#3  0xADDR in main () at main.c:22
(gdb) next
17		return r + 1;
(gdb) bt
#0  inl_mid (m=10) at inl.c:17
#1  inl_top (t=5) at inl.c:23
#2  inl_compute (n=5) at inl.c:30
#3  0xADDR in main () at main.c:22
(gdb) next
inl_top (t=5) at inl.c:23
23		int q = inl_mid(t * 2);
(gdb) bt
#0  inl_top (t=5) at inl.c:23
#1  inl_compute (n=5) at inl.c:30
#2  0xADDR in main () at main.c:22
(gdb) step
24		return q - 2;
(gdb) bt
#0  inl_top (t=5) at inl.c:24
#1  inl_compute (n=5) at inl.c:30
#2  0xADDR in main () at main.c:22
