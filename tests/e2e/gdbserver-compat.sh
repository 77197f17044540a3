#!/bin/bash
# gdbserver-compat.sh: what gdbserver does and gdb (and gdb's own
# testsuite) relies on, through the real gdb: gdbserver's monitor
# commands (help, set debug, set remote-debug, set debug-format, an
# unknown or empty command, exit), and the R packet (restart in
# extended-remote, which has no reply).
. "$(dirname "$0")/lib.sh"

GDB=$(command -v gdb || true)
if [ -z "$GDB" ]; then
	echo "gdb not installed: nothing to test"
	exit 77
fi
port=$((24000 + $$ % 20000))
start_tracerd --gdb 127.0.0.1:$port

rungdb() { # rungdb NAME [gdb args]: run $T/NAME.gdb, output in $T/NAME.out
	local n=$1
	shift
	timeout 120 "$GDB" -nx -batch -x "$T/$n.gdb" "$@" >"$T/$n.out" 2>&1
}

# 1. monitor commands, then R: gdb's ext-restart.exp, step by step
cat >"$T/mon.gdb" <<GDB
set confirm off
set pagination off
target extended-remote 127.0.0.1:$port
monitor help
monitor set debug-format all
monitor set debug-format none
set remote exec-file $DEMO
break compute
monitor set debug 1
run
monitor set debug 0
print x = 99
monitor set remote-debug 1
monitor eval 6 * 7
monitor set remote-debug 0
monitor eval 1
set remote run-packet off
set remote exec-file
run
print x
info inferiors
kill
GDB
rungdb mon "$DEMO"
o=$T/mon.out
# commands gdbserver answers with an error (which ends a gdb script):
# one -ex each
timeout 120 "$GDB" -nx -batch -ex "target extended-remote 127.0.0.1:$port" \
	-ex 'monitor' -ex 'monitor set debug 2' -ex 'monitor nosuchcommand' \
	>"$T/bad.out" 2>&1
check "monitor help: gdbserver's heading" has "$o" \
	'^The following monitor commands are supported:$'
check "monitor help: and tracerd's own commands" has "$o" '^  eval\[/FMT\] EXPR$'
check "an empty monitor command: unknown, an error for gdb" has \
	"$T/bad.out" '^Unknown monitor command\.$'
check "gdb says Protocol error with Rcmd, for each of the three" \
	wait_count "$T/bad.out" 'Protocol error with Rcmd' 3
check "set debug 1" has "$o" '^Debug output enabled\.$'
check "set debug 0" has "$o" '^Debug output disabled\.$'
check "set remote-debug 1" has "$o" '^Protocol debug output enabled\.$'
check "set remote-debug 0" has "$o" '^Protocol debug output disabled\.$'
check "set debug-format all" has "$o" \
	'^All extra debug format options enabled\.$'
check "set debug-format none" has "$o" \
	'^All extra debug format options disabled\.$'
check "set debug 2 is refused" has "$T/bad.out" '^Expected 0 or 1\.$'
check "an unknown command is named" has "$T/bad.out" \
	'^Unknown monitor command "nosuchcommand"\.$'
check "remote-debug logged the packets of that connection" has \
	"$T/tracerd.err" 'getpkt \("qRcmd,6576616c2036202a2037"\)'
check "and the replies" has "$T/tracerd.err" 'putpkt \("O34320a"\)'
check "remote-debug 0 stopped it: no later packet logged" hasnt \
	"$T/tracerd.err" 'getpkt \("qRcmd,6576616c2031"\)'
check "set debug 1 turned the daemon's debug log on" has "$T/tracerd.err" \
	'tracerd: debug: gdb client [0-9]+: vRun .*demo-target \(0 arguments\)$'
check "the first run stops at compute" has "$o" \
	'^Breakpoint 1, compute \(x=4, y=2\) at .*demo-target.c:[0-9]+$'
check "x set to 99 in the first process" has "$o" '^\$1 = 99$'
check "R: the restart stops at compute again" wait_count "$o" \
	'^Breakpoint 1, compute \(x=4, y=2\) at .*demo-target.c:[0-9]+$' 2
check "in a new process: x is 4 again" has "$o" '^\$2 = 4$'
check "no reply to R shifted gdb's replies" hasnt "$o" \
	'Remote failure|Remote connection closed|Ignoring packet error|unexpected'

# 2. host I/O (vFile:): remote put, get and delete; gdb reads the
# process's /proc files and its libraries through it (target: sysroot)
echo "a file to put, $$" >"$T/src.txt"
cat >"$T/hostio.gdb" <<GDB
set confirm off
target extended-remote 127.0.0.1:$port
remote put $T/src.txt $T/put.txt
remote get $T/put.txt $T/got.txt
shell cmp $T/src.txt $T/got.txt && echo same-content
remote delete $T/put.txt
remote get $T/nosuch.txt $T/nope.txt
GDB
rungdb hostio
cat >"$T/hostio2.gdb" <<GDB
set confirm off
target extended-remote 127.0.0.1:$port
set remote exec-file $DEMO
break compute
run
info proc mappings
info sharedlibrary
kill
GDB
rungdb hostio2 "$DEMO"
check "remote put then get: the same content" has "$T/hostio.out" \
	'^same-content$'
check "remote delete removed it" eval "[ ! -e '$T/put.txt' ]"
check "a missing file: gdb's No such file" has "$T/hostio.out" \
	'No such file or directory'
check "info proc mappings through host I/O" has "$T/hostio2.out" \
	'0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +r-xp +.*demo-target$'
check "no 'unable to open /proc file' warning" hasnt "$T/hostio2.out" \
	'unable to open /proc file'
check "libraries read from the target (target: sysroot)" has \
	"$T/hostio2.out" ' +Yes( \(\*\))? +target:/.*libc\.so\.6$'

# raw packets: errors in the protocol's numbers
exec 3<>"/dev/tcp/127.0.0.1/$port"
{
	printf '+'
	rsp_pkt 'vFile:setfs:0'
	rsp_pkt "vFile:open:$(printf '%s' /nonexistent/x | od -An -tx1 -v | tr -d ' \n'),0,0"
	rsp_pkt 'vFile:close:3f'
	rsp_pkt 'vFile:pread:zz,10,0'
	rsp_pkt "vFile:open:$(printf '%s' "$T/src.txt" | od -An -tx1 -v | tr -d ' \n'),0,0"
	rsp_pkt 'vFile:pread:0,4,2'
	rsp_pkt 'vFile:close:0'
	rsp_pkt 'vFile:nosuchop:0'
} >&3
rsp_read 3 "$T/raw.out" 8
exec 3<&- 3>&-
check "setfs 0: F0" has "$T/raw.out" '\$F0#'
check "open of a missing file: F-1,2 (ENOENT)" has "$T/raw.out" '\$F-1,2#'
check "close of a file never opened: F-1,9 (EBADF)" has "$T/raw.out" '\$F-1,9#'
check "a malformed number: F-1,16 (EINVAL)" has "$T/raw.out" '\$F-1,16#'
check "pread of 4 bytes at 2: F4;file" has "$T/raw.out" '\$F4;file#'
check "an unknown vFile operation: the empty reply" has "$T/raw.out" '\$#00'

# jump onto a line with a breakpoint stops there (gdb.base/jump.exp);
# resuming where the thread stopped steps over the breakpoint there
line=$(grep -n 'return x \* 10 + y;' "$srcdir/tools/demo-target.c" | cut -d: -f1)
cat >"$T/jump.gdb" <<GDB
set confirm off
target extended-remote 127.0.0.1:$port
set remote exec-file $DEMO
break compute
break demo-target.c:$line
run
jump $line
print counter
continue
GDB
rungdb jump "$DEMO"
check "jump $line: the breakpoint there is hit" has "$T/jump.out" \
	"^Breakpoint 2, compute \\(x=4, y=2\\) at .*demo-target.c:$line\$"
check "the jump skipped counter++" has "$T/jump.out" '^\$1 = 0$'
check "continue from there steps over it: the program runs to its end" \
	has "$T/jump.out" 'exited normally|exited with code'

# a library closed and opened again at the same address
# (gdb.base/unload.exp): gdb's breakpoint in it is hit in each round
cat >"$T/unload.gdb" <<GDB
set confirm off
set breakpoint pending on
target extended-remote 127.0.0.1:$port
set remote exec-file $TRACEES/dl
break tshared_add
run $TRACEES/libtshared.so 3
print b
continue
print b
continue
print b
continue
GDB
rungdb unload "$TRACEES/dl"
check "unload: three hits, one per dlopen" wait_count "$T/unload.out" \
	'^Breakpoint 1, tshared_add \(a=20, b=2[234]\)' 3 1
check "the third one in the third round" has "$T/unload.out" '^\$3 = 24$'
check "then the program ends" has "$T/unload.out" 'exited normally'

# threads hitting one breakpoint at about the same time: every hit is
# reported, one per continue (gdb.threads/print-threads.exp), also when
# gdb takes its breakpoints out to step over one
cat >"$T/meet.gdb" <<GDB
set confirm off
target extended-remote 127.0.0.1:$port
set remote exec-file $TRACEES/meet
break meet_here
run
continue
continue
continue
continue
continue
GDB
rungdb meet "$TRACEES/meet"
check "five threads, five hits" wait_count "$T/meet.out" \
	'hit Breakpoint 1, meet_here \(n=[0-4]\)' 5 1
for n in 0 1 2 3 4; do
	check "the hit of thread $n" has "$T/meet.out" \
		"hit Breakpoint 1, meet_here \\(n=$n\\)"
done
check "then the program ends" has "$T/meet.out" 'exited normally'

# qXfer:osdata: gdb's info os (gdb.server/ext-run.exp)
me=$(id -un)
timeout 120 "$GDB" -nx -batch -ex "target extended-remote 127.0.0.1:$port" \
	-ex 'info os' -ex 'info os processes' -ex 'info os threads' \
	-ex 'info os files' >"$T/os.out" 2>&1
check "info os lists the kinds" has "$T/os.out" '^processes +Listing of all processes'
check "info os processes: tracerd itself" has "$T/os.out" \
	"^$tracerd_pid +$me +.*tracerd .*--gdb 127\.0\.0\.1:$port"
check "info os threads: its threads" has "$T/os.out" \
	"^$tracerd_pid +.*tracerd .* $tracerd_pid +[0-9]+ *$"
check "info os files: its socket's directory's socket" has "$T/os.out" \
	"^$tracerd_pid +.*tracerd .* [0-9]+ +socket:\\[[0-9]+\\] *$"

# the protocol on stdin and stdout: gdb starts tracerd itself
# (target remote | tracerd --gdb - --launch PROG), which ends with it
cat >"$T/stdio.gdb" <<GDB
set confirm off
target remote | $TRACERD --gdb - --log-level warn --launch $DEMO
break compute
continue
print x
monitor eval add(2, 3) * 10
continue
GDB
rungdb stdio "$DEMO"
check "stdio: gdb stops at compute" has "$T/stdio.out" \
	'^Breakpoint 1, compute \(x=4, y=2\) at .*demo-target.c:[0-9]+$'
check "stdio: print" has "$T/stdio.out" '^\$1 = 4$'
check "stdio: monitor eval" has "$T/stdio.out" '^50$'
check "stdio: the program's output reached gdb's terminal, not the protocol" \
	has "$T/stdio.out" '^demo-target: pid [0-9]+ running$'
check "stdio: no protocol errors" hasnt "$T/stdio.out" \
	'Ignoring packet error|Remote failure|Protocol error|Remote connection closed'
check "stdio: the program ran to its end" has "$T/stdio.out" \
	'exited normally|exited with code'
stdio_left() {
	local i
	for ((i = 0; i < 200 * SCALE; i++)); do
		pgrep -f -- "--gdb - --log-level warn --launch $DEMO" \
			>/dev/null || return 0
		sleep 0.05
	done
	return 1
}
check "stdio: tracerd ended with gdb" stdio_left

# thread-local variables (gdb.threads/tls.exp): qGetTLSAddr, each
# thread its own, in the executable and in a library
cat >"$T/tls.gdb" <<GDB
set confirm off
target extended-remote 127.0.0.1:$port
set remote exec-file $TRACEES/tls
break tls_mark
run
print tls_var
print tshared_tls
continue
print tls_var
print tls_name
print tshared_tls
thread 1
print tls_var
print tshared_tls
kill
GDB
rungdb tls "$TRACEES/tls"
check "tls: the main thread's" has "$T/tls.out" '^\$1 = 8$'
check "tls: the library's, main thread" has "$T/tls.out" '^\$2 = 9$'
check "tls: the second thread's own" has "$T/tls.out" '^\$3 = 101$'
check "tls: its array" has "$T/tls.out" '^\$4 = "thread1\\000'
check "tls: the library's, second thread" has "$T/tls.out" '^\$5 = 201$'
check "tls: back in thread 1" has "$T/tls.out" '^\$6 = 8$'
check "tls: the library's, thread 1" has "$T/tls.out" '^\$7 = 9$'
check "tls: no error" hasnt "$T/tls.out" 'Cannot find thread-local|Remote target failed'

# 3. monitor exit: the daemon shuts down as gdbserver exits, the
# launched process is killed, and the exit status is 0
cat >"$T/exit.gdb" <<GDB
set confirm off
target extended-remote 127.0.0.1:$port
set remote exec-file $DEMO
break compute
run
monitor exit
GDB
rungdb exit "$DEMO"
check "the run before monitor exit stops" has "$T/exit.out" \
	'^Breakpoint 1, compute'
victim=$(grep -Eo 'process [0-9]+' "$T/tracerd.err" | tail -n 1 | cut -d' ' -f2)
rc=0
wait "$tracerd_pid" || rc=$?
tracerd_pid=
check "monitor exit: tracerd exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "its launched process is gone" eval "[ -n '$victim' ] && ! kill -0 '$victim' 2>/dev/null"

# 4. a program named without a directory, started in its own directory
# (gdb.server/abspath.exp): the file there, not one searched in PATH
mkdir "$T/rel"
cp "$DEMO" "$T/rel/demo-target"
port2=$((port + 1))
(cd "$T/rel" && exec "$TRACERD" --socket "$T/rel.sock" --gdb 127.0.0.1:$port2 \
	--launch demo-target >"$T/reld.out" 2>"$T/reld.err") &
rel_pid=$!
bg_pids+=("$rel_pid")
wait_count "$T/reld.err" 'gdb remote protocol on' 1
cat >"$T/rel.gdb" <<GDB
set confirm off
target remote 127.0.0.1:$port2
break compute
continue
kill
GDB
rungdb rel "$T/rel/demo-target"
check "demo-target from the current directory is launched" has \
	"$T/reld.err" 'session 1: launched process [0-9]+'
check "and runs to compute" has "$T/reld.out" \
	'^demo-target: pid [0-9]+ running$'
check "gdb stops there" has "$T/rel.out" '^Breakpoint 1, compute'
finish
