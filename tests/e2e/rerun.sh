#!/bin/bash
# rerun.sh: tracectl's run and start again after the program exited, as
# gdb 13's: the breakpoints (set before or after the exit) are made again
# with their numbers, their hit counts start over, run needs no path;
# start is a temporary breakpoint at main and run, announced as gdb's;
# the session run again does not linger, and an exited session does not
# make one-shot commands ask for -S.
. "$(dirname "$0")/lib.sh"

start_tracerd
tc --echo <<SCRIPT >"$T/a" 2>&1
run $DEMO
break compute
handle SIGUSR1 nostop noprint
run
info breakpoints
continue
run
info breakpoints
info signals SIGUSR1
start
info breakpoints
sessions
SCRIPT
check "run after the exit needs no path and stops at the breakpoint" \
	[ "$(grep -cE '^Breakpoint 1, compute \(x=4, y=2\) at demo-target\.c:[0-9]+$' "$T/a")" -eq 2 ]
check "a breakpoint set after the exit is kept for the next run" has "$T/a" \
	'^Breakpoint 1 \(compute\): made when the program runs\.$'
check "hit counts start over at each run (gdb's)" \
	[ "$(grep -c 'breakpoint already hit 1 time' "$T/a")" -eq 2 ]
check "signal handling is kept" has "$T/a" \
	'^SIGUSR1 +No	No	Yes		User defined signal 1$'
check "start announces its temporary breakpoint with the next number" has "$T/a" \
	'^Temporary breakpoint 2 at 0x[0-9a-f]+: file demo-target\.c, line [0-9]+\.$'
check "start stops at main as gdb" has "$T/a" \
	'^Temporary breakpoint 2, main \(\) at demo-target\.c:[0-9]+$'
check "the runs replaced the earlier sessions: one is left" \
	[ "$(grep -c '^session [0-9]*: process' "$T/a")" -eq 1 ]
check "no session ended is announced by a run" hasnt "$T/a" 'killed\]|SIGKILL'

# gdb's start on the same program: the same line
gdb -nx -q -batch -ex start "$DEMO" >"$T/gdb" 2>&1 </dev/null
gl=$(sed -n 's/^Temporary breakpoint 1, main () at .*demo-target\.c:\([0-9]*\)$/\1/p' "$T/gdb")
check "gdb's start stops at the same line ($gl)" \
	has "$T/a" "^Temporary breakpoint 2, main \(\) at demo-target\.c:$gl\$"

# one-shot commands: an exited session beside a stopped one is not in
# the way; run with the path again reruns that session
tc kill >/dev/null 2>&1
tc run "$DEMO" >"$T/b" 2>&1
tc launch "$DEMO" >>"$T/b" 2>&1
tc break compute >>"$T/b" 2>&1
tc info breakpoints >>"$T/b" 2>&1
check "a one-shot command goes to the session still running" \
	has "$T/b" '^[0-9]+ +breakpoint +keep y +0x[0-9a-f]+ in compute at demo-target\.c:[0-9]+$'
check "it does not ask for -S" hasnt "$T/b" 'several sessions'
tc kill >/dev/null 2>&1
tc break add >"$T/c" 2>&1
tc run "$DEMO" >>"$T/c" 2>&1
tc sessions >>"$T/c" 2>&1
check "run PROG reruns its exited session" \
	[ "$(grep -c '^session [0-9]*: process' "$T/c")" -eq 1 ]
check "with the breakpoint set after its exit" has "$T/c" '^Breakpoint 1, add '
tc run nosuch-arg >"$T/d" 2>&1
tc sessions >>"$T/d" 2>&1
check "run ARGS (no program named) reruns with those arguments" \
	has "$T/d" '^Breakpoint 1, add '
check "and the session it replaced ends" \
	[ "$(grep -c '^session [0-9]*: process' "$T/d")" -eq 1 ]
stop_tracerd
finish
