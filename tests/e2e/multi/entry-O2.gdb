(gdb) break entry_callee
Breakpoint 1 at 0xADDR: file entry.c, line 10.
(gdb) continue
Breakpoint 1, entry_callee (b=b@entry=22, unused_a=11) at entry.c:10
10		entry_sink = b; /* marker: entry_callee */
(gdb) bt
#0  entry_callee (b=b@entry=22, unused_a=11) at entry.c:10
#1  0xADDR in entry_outer (a=a@entry=11, b=b@entry=22) at entry.c:17
#2  0xADDR in main () at main.c:23
(gdb) info args
b = 22
unused_a = 11
(gdb) print unused_a
$1 = 11
(gdb) up
#1  0xADDR in entry_outer (a=a@entry=11, b=b@entry=22) at entry.c:17
17		int r = entry_callee(a, b);
(gdb) info args
a = 11
b = 22
(gdb) print b
$2 = 22
(gdb) finish
main () at main.c:24
24		int k = atoi("42"); /* into libc (libc6-dbg) */
Value returned is $3 = 23
