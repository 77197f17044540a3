#!/bin/bash
# watch-gdb.sh: gdb's watch/rwatch/awatch/hbreak and lldb's watchpoint
# set variable/expression through tracerd --gdb (Z1-Z4, stop replies
# watch:/rwatch:/awatch:ADDR, qWatchpointSupportInfo), served by page
# protection on a machine whose debug registers do not fire: the stops
# are where a native gdb stops on a machine whose debug registers do.
# Then no page is left protected: after gdb's detach, after lldb's, and
# when a raw client leaves with a watchpoint in place; and no debug
# register left set.
. "$(dirname "$0")/lib.sh"

GDB=$(command -v gdb || true)
LLDB=$(command -v lldb || command -v lldb-14 || true)
if [ -z "$GDB" ] || [ -z "$LLDB" ]; then
	# tools/quickstart installs both; a bare `make check` may lack them
	echo "gdb or lldb not installed: nothing to test"
	exit 77
fi
W=$TRACEES/watch
src=$srcdir/tests/tracees/watch.c
line_g=$(grep -n 'line of the write to g' "$src" | cut -d: -f1)
line_r=$(grep -n 'line of the read of n2.v' "$src" | cut -d: -f1)
port=$((23000 + $$ % 20000))

# no_protected_page PID: the pages of every watched variable are
# read-write again
no_protected_page() {
	local v p
	for v in g n2 tcount; do
		p=$(perms_at "$1" "$(sym_addr "$1" "$W" $v)")
		if [ "$p" != rw-p ]; then
			echo "--- $v's page is $p" >&2
			return 1
		fi
	done
}

# the program's own pid, from tracerd's log of the launch
prog_pid() {
	our_pid "$W pause"
}

# Both mechanisms where the debug registers fire (the probe says so);
# page protection alone where they do not.
mechs=page-protection
probe=$("$TRACERD" --version | sed -n 's/^watchpoints: .*(debug registers: \(.*\))$/\1/p')
case $probe in
"a write watched by DR0 trapped"*) mechs="page-protection debug-registers" ;;
*) echo "debug registers not tested: $probe" ;;
esac
# hbreak needs them to fire (hbreak.sh): a break where they do not
hb=hbreak
[ "$mechs" = page-protection ] && hb=break

for mech in $mechs; do
	start_tracerd --watch-mechanism $mech --gdb 127.0.0.1:$port --launch "$W" pause
	cat >"$T/g.gdb" <<-GDB
	set confirm off
	set pagination off
	target remote 127.0.0.1:$port
	break main
	continue
	watch g
	continue
	continue
	delete 2
	rwatch n2.v
	continue
	delete 3
	$hb worker
	awatch tcount
	continue
	continue
	continue
	continue
	info watchpoints
	detach
	GDB
	timeout 120 "$GDB" -nx -batch -x "$T/g.gdb" "$W" >"$T/gdb.out" 2>&1
	o=$T/gdb.out
	check "[$mech] gdb: a hardware watchpoint, accepted (Z2)" has "$o" \
		'^Hardware watchpoint 2: g$'
	check "[$mech] gdb: the first write, old and new values" has "$o" '^New value = 10$'
	check "[$mech] gdb: the second write" has "$o" '^Old value = 10$'
	check "[$mech] gdb: the stop is at the line after the write, as native gdb's" has \
		"$o" "^$((line_g + 1))	"
	check "[$mech] gdb: rwatch accepted (Z3)" has "$o" \
		'^Hardware read watchpoint 3: n2.v$'
	check "[$mech] gdb: rwatch stops at the read, not at the write before it" has \
		"$o" '^Value = 21$'
	check "[$mech] gdb: ... after the load (a line-table row of its own)" has "$o" \
		"^main \\(.*\\) at .*watch.c:$line_r\$"
	check "[$mech] gdb: hbreak (Z1) stops in the new thread" has "$o" \
		'^Thread 2 "watch" hit Breakpoint 4, worker \(arg=0x0\)'
	check "[$mech] gdb: awatch (Z4) in a thread created after it: a read" has "$o" \
		'^Value = 0$'
	check "[$mech] gdb: awatch: then the write" has "$o" '^New value = 1$'
	check "[$mech] gdb: info watchpoints counts the hits" has "$o" \
		'breakpoint already hit 2 times'
	hasnt_err() { hasnt "$o" 'Protocol error|Remote failure|Couldn.t|Cannot|Could not'; }
	check "[$mech] gdb: no protocol errors" hasnt_err
	pid=$(prog_pid)
	check "[$mech] gdb: the program runs on after detach" wait_for "$T/tracerd.out" \
		'^tcount 3$'
	check "[$mech] gdb's detach leaves no page protected" no_protected_page "$pid"
	"$TRACEES/drpeek" "$pid" >"$T/dr.$mech" 2>&1
	check "[$mech] drpeek read every thread's debug registers" has "$T/dr.$mech" '^thread [0-9]+ dr0'
	check "[$mech] gdb's detach leaves no debug register set" hasnt "$T/dr.$mech" 'dr7 0x[1-9a-f]'

	kill -9 "$pid" 2>/dev/null
	stop_tracerd

	start_tracerd --watch-mechanism $mech --gdb 127.0.0.1:$port --launch "$W" pause
	cat >"$T/l.lldb" <<-LLDB
	gdb-remote 127.0.0.1:$port
	breakpoint set -n main
	continue
	watchpoint set variable g
	continue
	continue
	watchpoint list
	watchpoint delete 1
	watchpoint set expression -w read -s 4 -- &n2.v
	continue
	process detach
	LLDB
	rc=0
	timeout 120 "$LLDB" -x -b --no-use-colors -s "$T/l.lldb" "$W" \
		>"$T/lldb.out" 2>&1 || rc=$?
	o=$T/lldb.out
	check "[$mech] lldb exits 0 (got $rc)" [ "$rc" -eq 0 ]
	check "[$mech] lldb: watchpoint set variable g" has "$o" \
		'^Watchpoint created: Watchpoint 1: addr = 0x[0-9a-f]+ size = 4 state = enabled type = w$'
	check "[$mech] lldb: stops for it (watch:ADDR)" has "$o" \
		"stop reason = watchpoint 1\$"
	check "[$mech] lldb: the second write's values" has "$o" '^new value: 20$'
	check "[$mech] lldb: after the write, as with debug registers" has "$o" \
		"watch\`main\\(.*\\) at watch.c:$((line_g + 1)):"
	check "[$mech] lldb: qWatchpointSupportInfo" has "$o" \
		'^Number of supported hardware watchpoints: [0-9]+$'
	check "[$mech] lldb: a read watchpoint stops at the read" has "$o" \
		"watch\`main\\(.*\\) at watch.c:$line_r:"
	check "[$mech] lldb: detached" has "$o" '^Process [0-9]+ detached$'
	pid=$(prog_pid)
	check "[$mech] lldb: the program runs on after detach" wait_for "$T/tracerd.out" \
		'^tcount 3$'
	check "[$mech] lldb's detach leaves no page protected" no_protected_page "$pid"
	"$TRACEES/drpeek" "$pid" >"$T/dr2.$mech" 2>&1
	check "[$mech] lldb's detach leaves no debug register set" hasnt "$T/dr2.$mech" 'dr7 0x[1-9a-f]'

	kill -9 "$pid" 2>/dev/null
	stop_tracerd
done

# A raw client sets a write watchpoint on g and leaves without a z2: its
# page is read-only while it is there, as found once it has left.
start_tracerd --watch-mechanism page-protection --gdb 127.0.0.1:$port --launch "$W" pause
pid=$(prog_pid)
addr=$(sym_addr "$pid" "$W" g)
exec 5<>"/dev/tcp/127.0.0.1/$port"
{ rsp_pkt "Z2,$addr,4"; } >&5
: >"$T/raw"
rsp_read 5 "$T/raw" 1
check "a raw Z2 is accepted" like "$(cat "$T/raw")" '*$OK#9a*'
check "its page is read-only" [ "$(perms_at "$pid" "$addr")" = r--p ]
exec 5>&-
writable() {
	local i
	for ((i = 0; i < 400 * SCALE; i++)); do
		[ "$(perms_at "$pid" "$addr")" = rw-p ] && return 0
		sleep 0.05
	done
	return 1
}
check "the client left: the page is writable again" writable
stop_tracerd
finish
