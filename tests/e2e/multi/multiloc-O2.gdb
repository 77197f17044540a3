(gdb) break inl_twice
Breakpoint 1 at 0xADDR: inl_twice. (2 locations)
(gdb) info breakpoints
Num     Type           Disp Enb Address            What
1       breakpoint     keep y   <MULTIPLE>         
1.1                         y   0xADDR in inl_twice at inl.c:39
1.2                         y   0xADDR in inl_twice at inl.c:39
(gdb) continue
Breakpoint 1.1, inl_twice (k=k@entry=1) at inl.c:39
39		int z = k * inl_bias; /* marker: inl_twice */
(gdb) bt
#0  inl_twice (k=k@entry=1) at inl.c:39
#1  inl_pair (a=a@entry=1) at inl.c:46
#2  0xADDR in main () at main.c:27
(gdb) info args
k = 1
(gdb) continue
Breakpoint 1.2, inl_twice (k=2) at inl.c:39
39		int z = k * inl_bias; /* marker: inl_twice */
(gdb) bt
#0  inl_twice (k=2) at inl.c:39
#1  inl_pair (a=a@entry=1) at inl.c:48
#2  0xADDR in main () at main.c:27
(gdb) break inl.c:40
Breakpoint 2 at 0xADDR: inl.c:40. (2 locations)
(gdb) info breakpoints
Num     Type           Disp Enb Address            What
1       breakpoint     keep y   <MULTIPLE>         
	breakpoint already hit 2 times
1.1                         y   0xADDR in inl_twice at inl.c:39
1.2                         y   0xADDR in inl_twice at inl.c:39
2       breakpoint     keep y   <MULTIPLE>         
2.1                         y   0xADDR in inl_twice at inl.c:40
2.2                         y   0xADDR in inl_pair at inl.c:40
(gdb) continue
Breakpoint 2.2, inl_pair (a=a@entry=1) at inl.c:49
49		return s;
(gdb) delete 1
(gdb) info breakpoints
Num     Type           Disp Enb Address            What
2       breakpoint     keep y   <MULTIPLE>         
	breakpoint already hit 1 time
2.1                         y   0xADDR in inl_twice at inl.c:40
2.2                         y   0xADDR in inl_pair at inl.c:40
