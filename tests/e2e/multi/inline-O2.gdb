(gdb) break inl.c:9
Breakpoint 1 at 0xADDR: file inl.c, line 9.
(gdb) continue
Breakpoint 1, inl_leaf (x=11) at inl.c:9
9		int y = x * 3 + inl_bias; /* marker: inl_leaf */
(gdb) bt
#0  inl_leaf (x=11) at inl.c:9
#1  inl_mid (m=10) at inl.c:16
#2  inl_top (t=t@entry=5) at inl.c:23
#3  inl_compute (n=n@entry=5) at inl.c:30
#4  0xADDR in main () at main.c:22
(gdb) up
#1  inl_mid (m=10) at inl.c:16
16		int r = inl_leaf(m + 1);
(gdb) print m
$1 = 10
(gdb) info args
m = 10
(gdb) up 2
#3  inl_compute (n=n@entry=5) at inl.c:30
30		int v = inl_top(n);
(gdb) print n
$2 = 5
(gdb) down
#2  inl_top (t=t@entry=5) at inl.c:23
23		int q = inl_mid(t * 2);
(gdb) info args
t = 5
(gdb) frame 1
#1  inl_mid (m=10) at inl.c:16
16		int r = inl_leaf(m + 1);
(gdb) finish
inl_compute (n=n@entry=5) at inl.c:30
30		int v = inl_top(n);
(gdb) bt
#0  inl_compute (n=n@entry=5) at inl.c:30
#1  0xADDR in main () at main.c:22
(gdb) finish
0xADDR in main () at main.c:23
23		int e = entry_outer(11, 22);
Value returned is $3 = 46
(gdb) bt
#0  0xADDR in main () at main.c:23
