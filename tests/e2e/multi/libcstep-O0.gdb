(gdb) break main.c:24
Breakpoint 1 at 0xADDR: file main.c, line 24.
(gdb) continue
Breakpoint 1, main () at main.c:24
24		int k = atoi("42"); /* into libc (libc6-dbg) */
(gdb) step
__GI_atoi (nptr=0xADDR "42") at atoi.c:27
atoi.c: No such file or directory.
(gdb) bt
#0  __GI_atoi (nptr=0xADDR "42") at atoi.c:27
#1  0xADDR in main () at main.c:24
(gdb) print nptr
$1 = 0xADDR "42"
(gdb) print *nptr
$2 = 52 '4'
(gdb) step
__strtol (nptr=0xADDR "42", endptr=endptr@entry=0x0, base=base@entry=10) at strtol.c:106
strtol.c: No such file or directory.
(gdb) bt
#0  __strtol (nptr=0xADDR "42", endptr=endptr@entry=0x0, base=base@entry=10) at strtol.c:106
#1  0xADDR in __GI_atoi (nptr=<optimized out>) at atoi.c:27
#2  0xADDR in main () at main.c:24
(gdb) print base
$3 = 10
(gdb) up
#1  0xADDR in __GI_atoi (nptr=<optimized out>) at atoi.c:27
atoi.c: No such file or directory.
(gdb) finish
0xADDR in main () at main.c:24
24		int k = atoi("42"); /* into libc (libc6-dbg) */
Value returned is $4 = 42
