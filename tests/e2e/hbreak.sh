#!/bin/bash
# hbreak.sh: hardware breakpoints (debug registers, execute): tracectl's
# hbreak/thbreak and gdb's through tracerd --gdb (Z1, hwbreak+ and the
# hwbreak stop reason), shared with watchpoints up to the four registers
# (gdb's error past them), in a thread created after them, and none left
# set after detach. Where the debug registers do not fire, hbreak is a
# clear error, not an int3 taken for one.
. "$(dirname "$0")/lib.sh"

W=$TRACEES/watch
line_p51=$(grep -n 'watchpoint on p->v to this frame' "$srcdir/tests/tracees/watch.c" |
	cut -d: -f1)
port=$((24000 + $$ % 20000))
probe=$("$TRACERD" --version | sed -n 's/^watchpoints: .*(debug registers: \(.*\))$/\1/p')
fires=false
case $probe in
"a write watched by DR0 trapped"*) fires=true ;;
esac

prog_pid() {
	our_pid "$W pause"
}

start_tracerd --launch "$W" pause
tc <<-SCRIPT >"$T/n" 2>&1
break main
continue
hbreak scoped
thbreak poke
info breakpoints
continue
continue
continue
hbreak worker
hbreak main
watch tcount
hbreak on_segv
info breakpoints
continue
SCRIPT
o=$T/n
if ! $fires; then
	check "no debug registers: hbreak is an error ($probe)" has "$o" \
		'^No hardware breakpoint support in the target'
	kill -9 "$(prog_pid)" 2>/dev/null
	stop_tracerd
	finish
fi
check "hbreak says gdb's words" has "$o" \
	'^Hardware assisted breakpoint 2 at 0x[0-9a-f]+: file watch.c, line [0-9]+\.$'
check "thbreak too" has "$o" '^Hardware assisted breakpoint 3 at 0x[0-9a-f]+: file watch.c'
check "info breakpoints: hw breakpoint, temporary" has "$o" \
	'^3 +hw breakpoint +del +y +0x[0-9a-f]+ in poke at watch.c:'
check "thbreak's stop" has "$o" '^Temporary breakpoint 3, poke \(p=0x[0-9a-f]+( <n1>)?\) at watch.c:'
check "hbreak's stop" has "$o" '^Breakpoint 2, scoped \(k=4\) at watch.c:'
check "a continue from it goes on (the program's own SIGSEGV next)" has "$o" \
	'^Program received signal SIGSEGV'
check "four registers for 3 hbreaks and a watchpoint" has "$o" '^Hardware watchpoint 6: tcount$'
check "the fifth: gdb's error" has "$o" \
	'^You may have requested too many hardware breakpoints/watchpoints\.$'
check "the failed one is not listed" hasnt "$o" '^7 +hw breakpoint'
check "an hbreak set before a thread existed stops in it" has "$o" \
	'Breakpoint 4, worker \(arg=0x0\) at watch.c:'
tc detach >/dev/null 2>&1
check "the program runs on after detach" wait_for "$T/tracerd.out" '^child 7$'
pid=$(prog_pid)
"$TRACEES/drpeek" "$pid" >"$T/dr" 2>&1
check "drpeek read every thread's debug registers" has "$T/dr" '^thread [0-9]+ dr0'
check "detach leaves no debug register set" hasnt "$T/dr" 'dr7 0x[1-9a-f]'
kill -9 "$pid" 2>/dev/null
stop_tracerd

# A rerun makes it a hardware breakpoint again (gdb's run).
start_tracerd
tc <<-SCRIPT >"$T/r" 2>&1
run $W
hbreak scoped
run
continue
continue
run
info breakpoints
SCRIPT
check "after the exit, hbreak then run: it stops" has "$T/r" '^Breakpoint 1, scoped \(k=4\)'
check "run again: it stops again" [ "$(grep -c '^Breakpoint 1, scoped (k=4)' "$T/r")" -eq 2 ]
check "run again: still a hardware breakpoint" has "$T/r" \
	'^1 +hw breakpoint +keep +y +0x[0-9a-f]+ in scoped at watch.c:'
tc kill >/dev/null 2>&1
stop_tracerd

GDB=$(command -v gdb || true)
if [ -z "$GDB" ]; then
	echo "gdb not installed: its part not tested"
	finish
fi
start_tracerd --gdb 127.0.0.1:$port --launch "$W" pause
# -ex, not -x: the limit's error must not end the script
timeout 120 "$GDB" -nx -batch -ex 'set confirm off' \
	-ex "set remotelogfile $T/remote.log" \
	-ex "target remote 127.0.0.1:$port" -ex 'hbreak main' -ex continue \
	-ex 'thbreak scoped' -ex 'hbreak poke' -ex continue -ex next \
	-ex continue -ex 'hbreak worker' -ex 'watch tcount' \
	-ex 'hbreak on_segv' -ex continue -ex 'delete 6' -ex continue -ex continue \
	-ex detach "$W" >"$T/g" 2>&1
o=$T/g
check "gdb: hbreak accepted (Z1)" has "$o" '^Hardware assisted breakpoint 1 at 0x'
check "gdb: its stop" has "$o" '^Breakpoint 1, main \('
check "gdb: hwbreak+ offered" has "$T/remote.log" 'swbreak\+;hwbreak\+'
check "gdb: the stop reply says hwbreak" has "$T/remote.log" 'hwbreak:;'
check "gdb: hbreak in poke" has "$o" '^Breakpoint 3, poke \('
check "gdb: next from it" has "$o" "^$line_p51	"
check "gdb: thbreak" has "$o" '^Temporary breakpoint 2, scoped \(k=4\)'
check "gdb: past four registers, gdb's error" has "$o" \
	'^You may have requested too many hardware breakpoints/watchpoints\.$'
check "gdb: one deleted, the hbreak set earlier stops in the new thread" has "$o" \
	'hit Breakpoint 4, worker \(arg=0x0\)'
pid=$(prog_pid)
check "gdb: the program runs on after detach" wait_for "$T/tracerd.out" '^child 7$'
"$TRACEES/drpeek" "$pid" >"$T/dr2" 2>&1
check "gdb: detach leaves no debug register set" hasnt "$T/dr2" 'dr7 0x[1-9a-f]'
kill -9 "$pid" 2>/dev/null
stop_tracerd
finish
