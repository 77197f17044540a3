(gdb) break apply
Breakpoint 1 at 0xADDR: file sym.c, line 30.
(gdb) continue
Breakpoint 1, apply (fn=fn@entry=0xADDR <square>, slot=slot@entry=0xADDR <table>, x=x@entry=3, label=<optimized out>) at sym.c:30
30		int (*f)(int) = fn;
(gdb) bt
#0  apply (fn=fn@entry=0xADDR <square>, slot=slot@entry=0xADDR <table>, x=x@entry=3, label=<optimized out>) at sym.c:30
#1  0xADDR in sym_run (x=x@entry=3) at sym.c:45
#2  0xADDR in main () at main.c:27
(gdb) info args
fn = 0xADDR <square>
slot = 0xADDR <table>
x = 3
label = <optimized out>
(gdb) break sym.c:35
Breakpoint 2 at 0xADDR: file sym.c, line 35.
(gdb) continue
Breakpoint 2, apply (fn=fn@entry=0xADDR <square>, slot=slot@entry=0xADDR <table>, x=x@entry=3, label=<optimized out>) at sym.c:35
35		*c += 1; /* marker: apply */
(gdb) info locals
f = 0xADDR <square>
p = 0xADDR <table+4>
l = <optimized out>
c = 0xADDR <counts+16>
(gdb) print fn
$1 = (int (*)(int)) 0xADDR <square>
(gdb) print *fn
$2 = {int (int)} 0xADDR <square>
(gdb) print f
$3 = (int (*)(int)) 0xADDR <square>
(gdb) print ops
$4 = <optimized out>
(gdb) print &ops[1]
Attempt to take address of value not located in memory.
(gdb) print &ops[1].fn
Attempt to take address of value not located in memory.
(gdb) print *&ops[1].fn
Attempt to take address of value not located in memory.
(gdb) print &table[3]
$5 = (int *) 0xADDR <table+12>
(gdb) print (void *)&table[7]
$6 = (void *) 0xADDR <table+28>
(gdb) print &counts[2]
$7 = (long *) 0xADDR <counts+16>
(gdb) print c
$8 = (long *) 0xADDR <counts+16>
(gdb) print greeting
$9 = <optimized out>
(gdb) print &greeting[7]
Attempt to take address of value not located in memory.
(gdb) print l
$10 = <optimized out>
(gdb) print p
$11 = (int *) 0xADDR <table+4>
(gdb) print (void *)&counts[4]
$12 = (void *) 0xADDR
(gdb) print sym_run
$13 = {int (int)} 0xADDR <sym_run>
(gdb) print &sym_run
$14 = (int (*)(int)) 0xADDR <sym_run>
(gdb) print (void *)sym_run
$15 = (void *) 0xADDR <sym_run>
(gdb) print (void *)((char *)sym_run + 4)
$16 = (void *) 0xADDR <sym_run+4>
(gdb) print/x fn
$17 = 0xADDR
(gdb) print/a fn
$18 = 0xADDR <square>
(gdb) finish
0xADDR in sym_run (x=x@entry=3) at sym.c:45
45			r += apply(ops[i].fn, &table[i], greeting, x);
Value returned is $19 = 13
(gdb) output fn
No symbol "fn" in current context.
