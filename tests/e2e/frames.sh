#!/bin/bash
# frames.sh: tracectl's thread N, thread apply, frame/up/down as gdb 13
# prints them: on the demo, frame N, up, down (with and without a count,
# past either end) diffed with gdb's output for the same commands; on a
# program of five threads, thread, thread N, thread apply all|N... CMD
# with gdb's headers (the same shape as gdb's on the same program);
# info frame in gdb's layout, diffed with gdb's (addresses made alike).
. "$(dirname "$0")/lib.sh"

CMDS='break add
run
info frame
frame 1
info frame
up
up
down
down
down 5
up 100
up
frame 0
down
frame 9'
start_tracerd
printf 'launch %s\n%s\n' "$DEMO" "$CMDS" | tc >"$T/tc" 2>&1
args=()
while IFS= read -r l; do
	args+=(-ex "$l")
done <<<"$CMDS"
gdb -nx -q -batch "${args[@]}" "$DEMO" >"$T/gdb" 2>&1 </dev/null
norm() {
	grep -vE '^(Process |demo-target:|Stopped at the|\[|Using|Breakpoint 1 at)' "$1" |
		sed -E 's/0x[0-9a-f]+/ADDR/g; s|[^ (]*/tools/(demo-target\.c)|\1|g; s|/[^ ]*/libc-start\.c|libc-start.c|'
}
norm "$T/gdb" >"$T/gdb.n"
norm "$T/tc" >"$T/tc.n"
check "gdb went up and down (the comparison means something)" \
	has "$T/gdb.n" '^Initial frame selected; you cannot go up\.$'
check "frame, up, down, info frame: gdb's lines and errors" diff -u "$T/gdb.n" "$T/tc.n"
check "info frame's saved registers were compared" has "$T/tc.n" '^  rbp at ADDR, rip at ADDR$'

tc kill >/dev/null 2>&1

# five threads, stopped by the program's own SIGTRAP
P=$TRACEES/threads
printf 'launch %s\ncontinue\nthread\nthread 2\nthread apply all bt 1\nthread apply 1 3-4 p 7\nthread 9\nthread x\nthread apply\nthread\n' "$P" |
	tc >"$T/th" 2>&1
gdb -nx -q -batch -ex run -ex 'thread apply all bt 1' "$P" >"$T/gth" 2>&1 </dev/null
id='\(Thread 0x[0-9a-f]+ \(LWP [0-9]+\) "(threads|worker-[0-3])"\)'
check "thread: the current one, gdb's words" has "$T/th" \
	"^\\[Current thread is 1 $id\\]\$"
check "thread 2 switches, gdb's words" has "$T/th" \
	"^\\[Switching to thread 2 $id\\]\$"
check "and shows its frame 0" \
	grep -A1 '^\[Switching to thread 2' "$T/th" | grep -qE '^#0  '
hdrs() { grep -E "^Thread [0-9] $id:\$" "$1" | cut -d' ' -f1,2; }
check "thread apply all: a header per thread, the newest first" \
	[ "$(hdrs "$T/th" | head -n 5 | tr '\n' ' ')" = "Thread 5 Thread 4 Thread 3 Thread 2 Thread 1 " ]
check "gdb's headers are the same" \
	[ "$(hdrs "$T/gth" | tr '\n' ' ')" = "Thread 5 Thread 4 Thread 3 Thread 2 Thread 1 " ]
check "thread apply 1 3-4: those, in that order" \
	[ "$(hdrs "$T/th" | tail -n 3 | tr '\n' ' ')" = "Thread 1 Thread 3 Thread 4 " ]
check "the command ran in each" [ "$(grep -c '^\$[0-9]* = 7$' "$T/th")" -eq 3 ]
check "an unknown thread" has "$T/th" '^Unknown thread 9\.$'
check "a bad thread ID" has "$T/th" '^Invalid thread ID: x$'
check "thread apply without a list" has "$T/th" '^Please specify a thread ID list$'
check "thread apply put the selection back (thread 2)" \
	[ "$(grep -c '^\[Current thread is 2 ' "$T/th")" -eq 1 ]
tc kill >/dev/null 2>&1
stop_tracerd
finish
