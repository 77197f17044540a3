#!/bin/bash
# sigkill.sh: what a daemon leaves in an attached program when it ends:
# nothing after SIGINT or SIGTERM; after SIGKILL (no clean-up possible)
# only the int3s of the breakpoints still set, never one at the entry
# point or in the dynamic linker once nothing needs it (doc/INTERNALS.md,
# "What a SIGKILLed daemon leaves behind").
. "$(dirname "$0")/lib.sh"

# auxv_entry PID: the program's entry point (AT_ENTRY, type 9).
auxv_entry() {
	od -An -tx8 -w16 -v "/proc/$1/auxv" |
		awk '$1 == "0000000000000009" { print "0x" $2; exit }'
}

# spin: a program of ours, untraced, ticking; its pid in $spin.
start_spin() {
	"$TRACEES/e2e" spin >"$T/spin.$1" 2>&1 &
	spin=$!
	bg_pids+=("$spin")
	wait_for "$T/spin.$1" '^pid ' >/dev/null
	tick=$(sed -nE 's/^pid [0-9]+ tick (0x[0-9a-f]+).*/\1/p' \
		"$T/spin.$1")
	entry=$(auxv_entry "$spin")
}

# ticking FILE: the program still prints "alive N" lines: one more comes.
ticking() {
	local n
	n=$(grep -c '^alive' "$1")
	wait_count "$1" '^alive' $((n + 1)) 30
}

# until_running: the session's state says running.
until_running() {
	local i
	for ((i = 0; i < 100 * SCALE; i++)); do
		tc sessions 2>/dev/null | grep -q ', running,' && return 0
		sleep 0.1
	done
	return 1
}

# 1. SIGINT: everything goes back, the program runs on.
start_spin int
o_tick=$(code_bytes "$spin" "$tick")
o_entry=$(code_bytes "$spin" "$entry")
start_tracerd
tc attach "$spin" >/dev/null
dl=$(tc print '(long)&_dl_debug_state' | sed -nE 's/^\$[0-9]+ = //p')
o_dl=$(code_bytes "$spin" "$dl")
tc break tick >/dev/null
check "a breakpoint by name puts an int3 on _dl_debug_state" \
	[ "$(code_bytes "$spin" "$dl" | cut -c1-2)" = cc ]
tc print 'twice(21)' >"$T/p1"
check "a call works" has "$T/p1" '= 42$'
check "and leaves no int3 at the entry point after it" \
	[ "$(code_bytes "$spin" "$entry")" = "$o_entry" ]
kill -INT "$tracerd_pid"
rc=0
wait "$tracerd_pid" || rc=$?
tracerd_pid=
check "tracerd exits 0 on SIGINT ($rc)" [ "$rc" -eq 0 ]
check "tick is as it was" [ "$(code_bytes "$spin" "$tick")" = "$o_tick" ]
check "_dl_debug_state too" [ "$(code_bytes "$spin" "$dl")" = "$o_dl" ]
check "the entry point too" [ "$(code_bytes "$spin" "$entry")" = "$o_entry" ]
check "the program runs on" ticking "$T/spin.int"
kill -9 "$spin"

# 2. SIGKILL with no breakpoint left: nothing of ours stays.
start_spin k1
o_entry=$(code_bytes "$spin" "$entry")
start_tracerd
tc attach "$spin" >/dev/null
o_dl=$(code_bytes "$spin" "$dl")
tc break tick >/dev/null
tc print 'twice(21)' >/dev/null
tc delete 1 >/dev/null
check "the last breakpoint deleted: _dl_debug_state as it was" \
	[ "$(code_bytes "$spin" "$dl")" = "$o_dl" ]
kill -KILL "$tracerd_pid"
wait "$tracerd_pid" 2>/dev/null
tracerd_pid=
check "after SIGKILL: the entry point as it was" \
	[ "$(code_bytes "$spin" "$entry")" = "$o_entry" ]
check "tick as it was" [ "$(code_bytes "$spin" "$tick")" = "$o_tick" ]
check "the program runs on, untraced" ticking "$T/spin.k1"
check "no tracer left" grep -q '^TracerPid:[[:space:]]*0$' "/proc/$spin/status"
kill -9 "$spin"

# 3. SIGKILL with a breakpoint set: its int3 stays, and the program
# dies of SIGTRAP when it gets there, as with gdb killed the same way.
start_spin k2
start_tracerd
tc attach "$spin" >/dev/null
tc break tick >/dev/null
kill -KILL "$tracerd_pid"
wait "$tracerd_pid" 2>/dev/null
tracerd_pid=
rc=0
timeout 60 tail --pid="$spin" -f /dev/null || rc=$?
check "with a breakpoint left, the program ends" [ "$rc" -eq 0 ]
rc=0
wait "$spin" || rc=$?
check "killed by SIGTRAP at it (status $rc)" [ "$rc" -eq $((128 + 5)) ]
kill -9 "$spin" 2>/dev/null

# 4. SIGKILL while a signal is held: the program stopped for a SIGUSR1
# (which would kill it: no handler) that was reported and not passed on.
# The kernel restarts it without the signal: it runs on.
start_spin k3
start_tracerd
tc attach "$spin" >/dev/null
tc continue >"$T/c4" 2>&1 &
cpid=$!
check "the program runs" until_running
kill -USR1 "$spin"
wait "$cpid"
check "the signal is reported" has "$T/c4" 'Program received signal SIGUSR1'
kill -KILL "$tracerd_pid"
wait "$tracerd_pid" 2>/dev/null
tracerd_pid=
check "after SIGKILL the held signal is lost: the program runs on" \
	ticking "$T/spin.k3"
finish
