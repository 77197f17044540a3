#!/bin/bash
# gdb.sh: the real gdb drives tracerd through the remote protocol; and
# raw packets, good and bad, get the replies the protocol says.
. "$(dirname "$0")/lib.sh"

GDB=$(command -v gdb || true)
if [ -z "$GDB" ]; then
	# tools/quickstart installs gdb; a bare `make check` may lack it
	echo "gdb not installed: nothing to test"
	exit 77
fi
port=$((21000 + $$ % 20000))
start_tracerd --gdb 127.0.0.1:$port --launch "$DEMO"

cat >"$T/script.gdb" <<GDB
set confirm off
set pagination off
target remote 127.0.0.1:$port
break compute
continue
info args
bt
print add(2,3)
print greeting
x/4xb greeting
info threads
finish
next
stepi
info registers rip
set var counter = 40
print counter + 2
continue
GDB
timeout 120 "$GDB" -nx -batch -x "$T/script.gdb" "$DEMO" >"$T/gdb.out" 2>&1
o=$T/gdb.out
check "gdb stops at the breakpoint, in a PIE" has "$o" \
	'^Breakpoint 1, compute \(x=4, y=2\) at .*demo-target.c:[0-9]+$'
check "info args" has "$o" '^y = 2$'
check "bt" has "$o" '^#1  0x[0-9a-f]+ in main \(\) at .*demo-target.c:[0-9]+$'
check "gdb's own call add(2,3)" has "$o" '^\$1 = 5$'
check "print a string" has "$o" '^\$2 = "hello, world", .*repeats 51 times>$'
check "x/4xb" has "$o" $'^0x[0-9a-f]+ <greeting>:\t0x68\t0x65\t0x6c\t0x6c$'
check "info threads: pid.tid (multiprocess), the thread's name" has "$o" \
	'^\* 1    Thread ([0-9]+)\.\1 "demo-target" compute \(x=4, y=2\)'
check "finish" has "$o" '^Value returned is \$3 = 42$'
check "next" has "$o" $'^48\t'
check "stepi" has "$o" '^0x[0-9a-f]+	48	'
check "registers" has "$o" '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <main\+[0-9]+>$'
check "set var writes the target" has "$o" '^\$4 = 42$'
check "the program runs to its end" has "$o" '^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
check "with the value gdb wrote" has "$T/tracerd.out" 'counter is 40$'
hasnt_err() { hasnt "$o" 'Protocol error|Remote failure|Couldn.t|Cannot'; }
check "no protocol errors" hasnt_err

# Raw packets on a new connection (the target has exited: the
# session's state says so).
exec 5<>"/dev/tcp/127.0.0.1/$port"
{
	printf '$?#00'             # bad checksum
	rsp_pkt '?'
	rsp_pkt 'qNoSuchThing'
	rsp_pkt 'm0,4'
	rsp_pkt 'p9999'
	printf '$%s#00' "$(head -c 200000 /dev/zero | tr '\0' 'a')"
	rsp_pkt 'vCont?'
} >&5
: >"$T/raw"
rsp_read 5 "$T/raw" 6
exec 5>&-
r=$(cat "$T/raw")
check "a bad checksum is answered -" like "$r" '-*'
check "? after the exit: W00" like "$r" '*$W00#b7*'
check "an unknown packet: empty" like "$r" '*$#00*'
check "vCont? lists c;C;s;S;t;r" like "$r" '*$vCont;c;C;s;S;t;r#*'
stop_tracerd

# Range stepping: gdb's next sends vCont;r START,END (the line), which
# the tracer thread steps by itself; the lines gdb stops at are those of
# gdb alone, on a program with calls, a loop and a library call.
prog=$TRACEES/prog-O0
steps='break main
run_or_continue
next
next
step
next
next
next
next
next
next
finish
next
next
next'
native=${steps/run_or_continue/run}
remote=${steps/run_or_continue/continue}
printf 'set confirm off\nset pagination off\n%s\nkill\n' "$native" \
	>"$T/native.gdb"
printf 'set confirm off\nset pagination off\nset debug remote 1\ntarget remote | %s --gdb - --launch %s 3\n%s\nkill\n' \
	"$TRACERD" "$prog" "$remote" >"$T/range.gdb"
timeout 120 "$GDB" -nx -batch -x "$T/native.gdb" --args "$prog" 3 \
	>"$T/native.out" 2>&1
timeout 120 "$GDB" -nx -batch -x "$T/range.gdb" "$prog" >"$T/range.out" 2>&1
lines() { grep -E $'^[0-9]+\t' "$1"; }
lines "$T/native.out" >"$T/native.lines"
lines "$T/range.out" >"$T/range.lines"
check "gdb's next range steps (vCont;r)" has "$T/range.out" \
	'Sending packet: \$vCont;r[0-9a-f]+,[0-9a-f]+'
check "native gdb stopped at lines" test "$(wc -l <"$T/native.lines")" -ge 10
check "next/step/finish stop at gdb's own lines" \
	cmp -s "$T/native.lines" "$T/range.lines"
finish
