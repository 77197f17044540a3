(gdb) break apply
Breakpoint 1 at 0xADDR: file sym.c, line 30.
(gdb) continue
Breakpoint 1, apply (fn=0xADDR <square>, slot=0xADDR <table>, label=0xADDR <greeting> "hello, symbols", x=3) at sym.c:30
30		int (*f)(int) = fn;
(gdb) bt
#0  apply (fn=0xADDR <square>, slot=0xADDR <table>, label=0xADDR <greeting> "hello, symbols", x=3) at sym.c:30
#1  0xADDR in sym_run (x=3) at sym.c:45
#2  0xADDR in main () at main.c:27
(gdb) info args
fn = 0xADDR <square>
slot = 0xADDR <table>
label = 0xADDR <greeting> "hello, symbols"
x = 3
(gdb) break sym.c:35
Breakpoint 2 at 0xADDR: file sym.c, line 35.
(gdb) continue
Breakpoint 2, apply (fn=0xADDR <square>, slot=0xADDR <table>, label=0xADDR <greeting> "hello, symbols", x=3) at sym.c:35
35		*c += 1; /* marker: apply */
(gdb) info locals
f = 0xADDR <square>
p = 0xADDR <table+4>
l = 0xADDR <greeting+7> "symbols"
c = 0xADDR <counts+16>
(gdb) print fn
$1 = (int (*)(int)) 0xADDR <square>
(gdb) print *fn
$2 = {int (int)} 0xADDR <square>
(gdb) print f
$3 = (int (*)(int)) 0xADDR <square>
(gdb) print ops
$4 = {{name = 0xADDR "square", fn = 0xADDR <square>}, {name = 0xADDR "twice", fn = 0xADDR <twice>}}
(gdb) print &ops[1]
$5 = (struct op *) 0xADDR <ops+16>
(gdb) print &ops[1].fn
$6 = (int (**)(int)) 0xADDR <ops+24>
(gdb) print *&ops[1].fn
$7 = (int (*)(int)) 0xADDR <twice>
(gdb) print &table[3]
$8 = (int *) 0xADDR <table+12>
(gdb) print (void *)&table[7]
$9 = (void *) 0xADDR <table+28>
(gdb) print &counts[2]
$10 = (long *) 0xADDR <counts+16>
(gdb) print c
$11 = (long *) 0xADDR <counts+16>
(gdb) print greeting
$12 = "hello, symbols"
(gdb) print &greeting[7]
$13 = 0xADDR <greeting+7> "symbols"
(gdb) print l
$14 = 0xADDR <greeting+7> "symbols"
(gdb) print p
$15 = (int *) 0xADDR <table+4>
(gdb) print (void *)&counts[4]
$16 = (void *) 0xADDR
(gdb) print sym_run
$17 = {int (int)} 0xADDR <sym_run>
(gdb) print &sym_run
$18 = (int (*)(int)) 0xADDR <sym_run>
(gdb) print (void *)sym_run
$19 = (void *) 0xADDR <sym_run>
(gdb) print (void *)((char *)sym_run + 4)
$20 = (void *) 0xADDR <sym_run+4>
(gdb) print/x fn
$21 = 0xADDR
(gdb) print/a fn
$22 = 0xADDR <square>
(gdb) finish
0xADDR in sym_run (x=3) at sym.c:45
45			r += apply(ops[i].fn, &table[i], greeting, x);
Value returned is $23 = 13
(gdb) output fn
No symbol "fn" in current context.
