#!/bin/bash
# gdb-extended.sh: gdb's `target extended-remote` against a tracerd with
# no session: run (twice), shared libraries, gdb's own calls, monitor
# commands, $_siginfo, attach and detach (after calls: the process lives
# on), signals passed without a stop; and raw packets, good and bad.
. "$(dirname "$0")/lib.sh"

GDB=$(command -v gdb || true)
if [ -z "$GDB" ]; then
	echo "gdb not installed: nothing to test"
	exit 77
fi
E2E=$TRACEES/e2e
port=$((22000 + $$ % 20000))
start_tracerd --gdb 127.0.0.1:$port

rungdb() { # rungdb NAME [gdb args]: run $T/NAME.gdb, output in $T/NAME.out
	local n=$1
	shift
	timeout 120 "$GDB" -nx -batch -x "$T/$n.gdb" "$@" >"$T/$n.out" 2>&1
}

# 1. run, twice, in one gdb session
cat >"$T/run.gdb" <<GDB
set confirm off
set pagination off
target extended-remote 127.0.0.1:$port
set remote exec-file $DEMO
break compute
run
info sharedlibrary
call add(2,3)
x/16xb greeting
print \$_siginfo.si_signo
monitor eval add(20, 22) * 2
monitor eval/x -1
monitor eval/c greeting
monitor print/q 1
monitor stats
continue
run
print x
kill
GDB
rungdb run "$DEMO"
o=$T/run.out
check "run stops at the breakpoint, in a PIE" has "$o" \
	'^Breakpoint 1, compute \(x=4, y=2\) at .*demo-target.c:[0-9]+$'
# (target:, read through host I/O as from gdbserver)
check "info sharedlibrary lists libc, its symbols read" has "$o" \
	'^0x[0-9a-f]+ +0x[0-9a-f]+ +Yes( \(\*\))? +target:/.*libc\.so\.6$'
check "and the dynamic linker" has "$o" \
	'^0x[0-9a-f]+ +0x[0-9a-f]+ +Yes( \(\*\))? +target:/.*ld-linux-x86-64\.so\.2$'
check "gdb's own call add(2,3)" has "$o" '^\$1 = 5$'
check "x/16xb" has "$o" \
	$'^0x[0-9a-f]+ <greeting>:\t0x68\t0x65\t0x6c\t0x6c\t0x6f\t0x2c\t0x20\t0x77$'
check "x/16xb, second line" has "$o" \
	$'^0x[0-9a-f]+ <greeting\\+8>:\t0x6f\t0x72\t0x6c\t0x64\t0x00\t0x00\t0x00\t0x00$'
check "\$_siginfo of a breakpoint stop: SIGTRAP" has "$o" '^\$2 = 5$'
check "monitor eval: the server's evaluator, its call injected" has "$o" \
	'^84$'
check "monitor eval/x: print's formats, at the type's width" has "$o" \
	'^0xffffffff$'
check "monitor eval/c: element by element" has "$o" \
	"^\\{104 'h', 101 'e', 108 'l', 108 'l', 111 'o', 44 ',', 32 ' ', 119 'w'"
check "monitor print/q: gdb's error" has "$o" '^Undefined output format "q"\.$'
check "monitor stats" has "$o" '^tracer +[0-9]+ requests +p50 +[0-9]+ ns'
check "the first run ends" has "$o" \
	'^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
check "run again: the breakpoint is hit again" has "$o" \
	'^Breakpoint 1, compute \(x=4, y=2\) at .*demo-target.c:[0-9]+$'
check "second run: a new process stopped there" has "$o" '^\$3 = 4$'
check "two demo runs printed their lines" wait_count "$T/tracerd.out" \
	'^demo-target: compute\(4, 2\) returned 42$' 1
hasnt_err() { hasnt "$1" 'Protocol error|Remote failure|Remote connection closed|Couldn.t|Cannot'; }
check "no protocol errors in the run session" hasnt_err "$o"

# 2. attach to a running program, call into it, detach: it lives on,
# without the SIGSEGV that ended gdb's call (gdb returns to a
# breakpoint on the non-executable stack)
"$E2E" spin >"$T/spin.out" 2>&1 &
spin=$!
bg_pids+=("$spin")
wait_count "$T/spin.out" '^pid ' 1
cat >"$T/attach.gdb" <<GDB
set confirm off
set pagination off
target extended-remote 127.0.0.1:$port
attach $spin
call twice(21)
call twice(ticks > 0)
print \$_siginfo.si_signo
detach
GDB
rungdb attach "$E2E"
o=$T/attach.out
check "attach, gdb's call twice(21)" has "$o" '^\$1 = 42$'
check "a second call" has "$o" '^\$2 = 2$'
# (gdb saves the stop's siginfo before its call and writes it back after)
check "\$_siginfo after a call: the attach stop's, written back" has "$o" \
	'^\$3 = 5$'
check "detach says so" has "$o" "^\\[Inferior 1 \\(process $spin\\) detached\\]$"
check "no protocol errors in the attach session" hasnt_err "$o"
n0=$(grep -c '^alive' "$T/spin.out")
sleep 0.5
check "after the detach the program still runs" alive "$spin"
check "and still ticks" wait_count "$T/spin.out" '^alive' $((n0 + 2))
check "untraced" has "/proc/$spin/status" '^TracerPid:[[:space:]]+0$'
kill -9 "$spin" 2>/dev/null

# 3. signals the program handles: passed without a stop (QPassSignals)
cat >"$T/pass.gdb" <<GDB
set confirm off
set pagination off
handle SIGUSR1 nostop noprint pass
target extended-remote 127.0.0.1:$port
set remote exec-file $E2E
run usr1 50
GDB
rungdb pass "$E2E"
o=$T/pass.out
check "a passed signal: the program got all 50" wait_count "$T/tracerd.out" \
	'^usr1 50 of 50$' 1
check "and gdb never stopped" hasnt "$o" 'SIGUSR1'
check "the program exits normally" has "$o" \
	'^\[Inferior 1 \(process [0-9]+\) exited normally\]$'

# 4. a crash: the stop, its siginfo (read and written)
cat >"$T/crash.gdb" <<GDB
set confirm off
set pagination off
target extended-remote 127.0.0.1:$port
set remote exec-file $E2E
run crash
print \$_siginfo.si_signo
print \$_siginfo._sifields._sigfault.si_addr
set var \$_siginfo.si_errno = 7
print \$_siginfo.si_errno
kill
GDB
rungdb crash "$E2E"
o=$T/crash.out
check "the crash stops: SIGSEGV" has "$o" \
	'^Program received signal SIGSEGV, Segmentation fault\.$'
check "\$_siginfo.si_signo" has "$o" '^\$1 = 11$'
check "\$_siginfo's fault address" has "$o" '^\$2 = \(void \*\) 0x0$'
check "\$_siginfo written, read back" has "$o" '^\$3 = 7$'

# 5. raw packets (no session now: every process above was killed,
# detached or ended)
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
exec 5<>"/dev/tcp/127.0.0.1/$port"
{
	rsp_pkt 'QStartNoAckMode'
	rsp_pkt '?'
	rsp_pkt 'g'
	rsp_pkt "vRun;$(hex "$E2E");$(hex exit);$(hex 3)"
	rsp_pkt 'QPassSignals:1e;1f'
	rsp_pkt 'm'
	rsp_pkt 'mzz,4'
	rsp_pkt 'm0,4'
	rsp_pkt 'Z0,zz,1'
	rsp_pkt 'Z1,1000,1'
	rsp_pkt 'P0=12'
	rsp_pkt 'M0,4:zz'
	rsp_pkt 'X0,4:ab'
	rsp_pkt 'Hx1'
	rsp_pkt "$(head -c 140000 /dev/zero | tr '\0' 'a')"
	rsp_pkt 'qRcmd,zz'
	rsp_pkt "qRcmd,$(hex 'eval 1 +')"
	rsp_pkt 'vAttach;0'
	rsp_pkt 'qSupported:swbreak+;multiprocess+'
	for bad in 'vCont;x' 'vCont;C' 'vCont;Czz' 'vCont;C100' 'vCont;c:zz' \
		'C100' 'vCont;s:p1.zz' 'c10' 'S1'; do
		rsp_pkt "$bad"
	done
	rsp_pkt 'c'
	rsp_pkt '?'
	rsp_pkt 'vRun;'
} >&5
: >"$T/raw"
rsp_read 5 "$T/raw" 32
# The last vRun runs e2e spin: continue it, and while it runs send a
# packet, then ^C: the stop comes, then the packet's reply (it is kept,
# not lost, while the target runs).
rsp_pkt 'c' >&5
for ((w = 0; w < 300 * SCALE; w++)); do
	tc sessions 2>/dev/null | grep -q ', running,' && break
	sleep 0.1
done
rsp_pkt '?' >&5
printf '\003' >&5
rsp_read 5 "$T/raw" 34
# c and ^C in one write: the ^C read along with the c still stops it
printf '%s\003' "$(rsp_pkt c)" >&5
rsp_read 5 "$T/raw" 35
exec 5>&-
# the replies, one per line
sed 's/\$/\n$/g' "$T/raw" | grep '^\$' >"$T/replies"
r() { sed -n "${1}p" "$T/replies" | sed 's/#..$//'; }
check "no-ack mode" like "$(r 1)" '$OK'
check "? with no process: W00" like "$(r 2)" '$W00'
check "g with no process: an error" like "$(r 3)" '$E01'
check "vRun with arguments: a stop" like "$(r 4)" '$T05thread:*'
check "QPassSignals" like "$(r 5)" '$OK'
check "m with no address: an error" like "$(r 6)" '$E01'
check "m with a bad address: an error" like "$(r 7)" '$E01'
check "m of an unmapped page: an error" like "$(r 8)" '$E0e'
check "Z0 with a bad address: an error" like "$(r 9)" '$E01'
# (Z1 plants an int3 as Z0 does: at an unmapped address, an error)
check "Z1 at an unmapped address: an error" like "$(r 10)" '$E*'
check "P with a short value: an error" like "$(r 11)" '$E01'
check "M with bad hex: an error" like "$(r 12)" '$E01'
check "X with a short payload: an error" like "$(r 13)" '$E01'
check "H with an unknown kind: an error" like "$(r 14)" '$E01'
check "an oversized packet: an error" like "$(r 15)" '$E01'
check "qRcmd with bad hex: an error" like "$(r 16)" '$E01'
check "monitor eval of a bad expression: its message" like "$(r 17)" '$O*'
check "then OK" like "$(r 18)" '$OK'
check "vAttach to pid 0: an error" like "$(r 19)" '$E01'
check "qSupported after all that" like "$(r 20)" '$PacketSize=20000;*'
# malformed resume packets resume nothing: the program is still where
# vRun left it when c runs it to its end
i=21
for bad in 'vCont;x' 'vCont;C' 'vCont;Czz' 'vCont;C100' 'vCont;c:zz' \
	'C100' 'vCont;s:p1.zz' 'c10' 'S1'; do
	check "$bad: an error" like "$(r $i)" '$E01'
	i=$((i + 1))
done
check "the launched program runs to its exit code" like "$(r $i)" '$W03;process:*'
check "? after the exit: how it ended" like "$(r $((i + 1)))" '$W03;process:*'
check "vRun with no program runs the last one" like "$(r $((i + 2)))" '$T05thread:*'
check "^C stops it: SIGINT" like "$(r $((i + 3)))" '$T02thread:*'
check "a packet sent while it ran is answered after the stop" \
	like "$(r $((i + 4)))" '$T02thread:*'
check "a ^C that came with the c stops the run" \
	like "$(r $((i + 5)))" '$T02thread:*'
stop_tracerd
finish
