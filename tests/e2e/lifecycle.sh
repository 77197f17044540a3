#!/bin/bash
# lifecycle.sh: attach and detach, shutdown leaving an attached target
# running with its code intact, a target that crashes or exits while
# clients wait, a fault inside an injected call, kill while running.
. "$(dirname "$0")/lib.sh"

dead() { ! alive "$1"; }

# An untraced program, then tracerd attached to it.
"$TRACEES/e2e" spin >"$T/spin.out" &
spin=$!
bg_pids+=("$spin")
wait_for "$T/spin.out" '^pid ' >/dev/null
tick=$(sed -nE 's/^pid [0-9]+ tick (0x[0-9a-f]+)$/\1/p' "$T/spin.out")
orig=$(code_bytes "$spin" "$tick")
check "read tick's code before attaching ($orig)" [ ${#orig} -eq 16 ]

start_tracerd --attach "$spin"
tc break tick >/dev/null
tc continue >"$T/c1"
check "stopped in the attached program" has "$T/c1" '^Breakpoint 1, tick \(\) at e2e.c:'
tc print 'twice(21)' >"$T/p1"
check "a call in the attached program" has "$T/p1" '^\$1 = 42$'
# A fault inside an injected call: reported, registers restored.
tc info registers rip >"$T/rip1"
tc print 'deref(0)' >"$T/p2" || true
check "a fault in an injected call is reported" has "$T/p2" '^Program received signal SIGSEGV, Segmentation fault\.$'
check "in gdb's words" has "$T/p2" '^The program being debugged was signaled while in a function called from tracerd\.$'
check "naming the function" has "$T/p2" '^\(deref\) will be abandoned\.$'
tc info registers rip >"$T/rip2"
check "the registers are as before the call" cmp "$T/rip1" "$T/rip2"
tc print 'twice(5)' >"$T/p3"
check "and the program still works" has "$T/p3" '^\$[0-9]+ = 10$'
# SIGTERM: shutdown detaches, taking the breakpoint out.
kill -TERM "$tracerd_pid"
rc=0
wait "$tracerd_pid" || rc=$?
tracerd_pid=
check "tracerd exits 0 on SIGTERM ($rc)" [ "$rc" -eq 0 ]
check "the attached program is still alive" alive "$spin"
check "its code is as it was found" [ "$(code_bytes "$spin" "$tick")" = "$orig" ]
n1=$(grep -c alive "$T/spin.out")
sleep 0.5
n2=$(grep -c alive "$T/spin.out")
check "and it runs ($n1 -> $n2 lines)" [ "$n2" -gt "$n1" ]
check "not stopped or traced" bash -c "! grep -qE '^State:.*(t|T) ' /proc/$spin/status && grep -q '^TracerPid:.0' /proc/$spin/status"

# detach, then a second daemon and session on the same program.
start_tracerd --attach "$spin"
tc break tick >/dev/null
tc continue >/dev/null
tc detach >"$T/d1"
check "detach" [ "$(tc sessions)" = "No sessions." ]
check "detach leaves it running" alive "$spin"
check "with its code intact" [ "$(code_bytes "$spin" "$tick")" = "$orig" ]
# attaching to what cannot be traced
tc attach 1 >"$T/a1" 2>&1 || true
tc attach 999999999 >"$T/a2" 2>&1 || true
check "attaching to a missing process fails cleanly" has "$T/a2" 'attach|process'
check "and leaves no session" [ "$(tc sessions)" = "No sessions." ]
kill -9 "$spin"

# A crash while a client waits in continue; a second client hears it.
tc launch "$TRACEES/e2e" crash >"$T/l1"
check "launch" has "$T/l1" '^Process [0-9]+ launched \(session [0-9]+\)\.$'
sid=$(sed -nE 's/.*\(session ([0-9]+)\).*/\1/p' "$T/l1")
raw_client b
echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"follow\",\"params\":{\"session\":$sid}}" >&7
wait_for "$T/b" '"id":1,' >/dev/null
tc continue >"$T/c2"
check "the crash is reported" has "$T/c2" '^Program received signal SIGSEGV, Segmentation fault\.$'
check "where it happened" has "$T/c2" 'in main \(argc=2, argv=0x[0-9a-f]+\) at e2e.c:[0-9]+$'
check "the other client hears it too" wait_for "$T/b" '"reason":"signal".*"signal":"SIGSEGV"'
tc bt >"$T/bt"
check "a backtrace at the crash" has "$T/bt" '^#0  (0x[0-9a-f]+ in )?main \(argc=2, .*\) at e2e.c:[0-9]+$'
tc continue >"$T/c3"
check "continuing delivers the signal" has "$T/c3" '^Program terminated with signal SIGSEGV, Segmentation fault\.$'
check "the other client hears the end" wait_for "$T/b" '"method":"exited".*"event":"killed".*"SIGSEGV"'
tc kill >/dev/null

# An exit code.
tc run "$TRACEES/e2e" exit 3 >"$T/r1"
check "run to an exit code" has "$T/r1" '^\[Inferior 1 \(process [0-9]+\) exited with code 03\]$'
tc kill >/dev/null

# kill while running, from another client.
tc launch "$TRACEES/e2e" spin >/dev/null
tc continue >"$T/c4" 2>&1 &
cpid=$!
sleep 0.5
kpid=$(sed -nE 's/^pid ([0-9]+) tick.*/\1/p' "$T/tracerd.out" | tail -n 1)
tc kill >"$T/k1" 2>&1
wait "$cpid"
check "the waiting continue ends" has "$T/c4" 'terminated|exited|interrupted|not being run|ended|Program'
check "the session is gone" [ "$(tc sessions)" = "No sessions." ]
sleep 0.2
check "and the program too" dead "$kpid"
# SIGKILL from outside while the target is stopped: noticed at once
# (no request pending), and every follower is told.
tc launch "$TRACEES/e2e" spin >"$T/l5"
sid=$(sed -nE 's/.*\(session ([0-9]+)\).*/\1/p' "$T/l5")
kpid=$(sed -nE 's/^Process ([0-9]+) launched.*/\1/p' "$T/l5")
raw_client f1
echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"follow\",\"params\":{\"session\":$sid}}" >&7
wait_for "$T/f1" '"id":1,' >/dev/null
rpc_open
rpc 1 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"follow\",\"params\":{\"session\":$sid}}"
kill -9 "$kpid"
check "a follower hears of the kill at once" \
	wait_for "$T/f1" '"method":"exited".*"event":"killed".*"SIGKILL"'
rpc 2 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"state\"}"
check "so does the other" \
	has "$T/rpc.log" '"method":"exited".*"event":"killed".*"SIGKILL"'
check "state says exited" like "$R" '*"state":"exited"*'
check "told once" [ "$(grep -c '"method":"exited"' "$T/f1")" -eq 1 ]
tc kill >/dev/null 2>&1
exec 7>&-
stop_tracerd
finish
