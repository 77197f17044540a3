(gdb) break main.c:24
Breakpoint 1 at 0xADDR: file main.c, line 24.
(gdb) continue
Breakpoint 1, main () at main.c:24
24		int k = atoi("42"); /* into libc (libc6-dbg) */
(gdb) break atoi.c:27
Breakpoint 2 at 0xADDR: file atoi.c, line 27.
(gdb) break __strtol
Breakpoint 3 at 0xADDR: file strtol.c, line 106.
(gdb) continue
Breakpoint 2, __GI_atoi (nptr=0xADDR "42") at atoi.c:27
atoi.c: No such file or directory.
(gdb) continue
Breakpoint 3, __strtol (nptr=0xADDR "42", endptr=endptr@entry=0x0, base=base@entry=10) at strtol.c:106
strtol.c: No such file or directory.
(gdb) bt
#0  __strtol (nptr=0xADDR "42", endptr=endptr@entry=0x0, base=base@entry=10) at strtol.c:106
#1  0xADDR in __GI_atoi (nptr=<optimized out>) at atoi.c:27
#2  0xADDR in main () at main.c:24
(gdb) print endptr
$1 = (char **) 0x0
(gdb) finish
0xADDR in __GI_atoi (nptr=<optimized out>) at atoi.c:28
atoi.c: No such file or directory.
Value returned is $2 = 42
