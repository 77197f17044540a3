#!/bin/bash
# until.sh: tracectl's until (no argument: a next that does not go back
# in a loop; with a location), advance and jump, side by side with gdb 13
# on the same program and commands: the same stops, printed the same
# (until/advance stop at the location or where the frame returns), jump's
# "Continuing at 0x....", gdb's errors.
. "$(dirname "$0")/lib.sh"

CMDS='break walk
run
next
next
next
until
until
info locals
run
advance add
advance 36
run
until 36
run
advance main
run
jump 36'
start_tracerd
printf 'launch %s\n%s\n' "$DEMO" "$CMDS" | tc >"$T/tc" 2>&1
args=()
while IFS= read -r l; do
	args+=(-ex "$l")
done <<<"$CMDS"
gdb -nx -q -batch "${args[@]}" "$DEMO" >"$T/gdb" 2>&1 </dev/null
norm() {
	grep -vE '^(Process |demo-target:|Stopped at the|\[|Using)' "$1" |
		sed -E 's/0x[0-9a-f]+/ADDR/g; s|[^ (]*/tools/(demo-target\.c)|\1|g'
}
norm "$T/gdb" >"$T/gdb.n"
norm "$T/tc" >"$T/tc.n"
check "gdb ran the loop to its end with until (the comparison means something)" \
	has "$T/gdb.n" '^35	'
check "until, advance, jump: the same stops as gdb, printed alike" \
	diff -u "$T/gdb.n" "$T/tc.n"
# typed one by one (gdb's from_tty): jump says where it goes on
tc run >/dev/null 2>&1
tc jump 35 >"$T/j" 2>&1
check "jump: Continuing at 0x...." has "$T/j" '^Continuing at 0x[0-9a-f]+\.$'
# (sum is not set either: what it returns is what the stack held)
check "jump skipped the loop: walk did not return 175" \
	[ "$(grep 'walk returned' "$T/tracerd.out" | tail -n 1)" != "demo-target: walk returned 175" ]
tc run >/dev/null 2>&1
tc until nosuch >"$T/e" 2>&1
tc advance >>"$T/e" 2>&1
tc jump >>"$T/e" 2>&1
tc until 999 >>"$T/e" 2>&1
check "until of an unknown function" has "$T/e" '^Function "nosuch" not defined\.$'
check "advance needs a location" has "$T/e" '^Argument required \(a location\)\.$'
check "jump needs a location" has "$T/e" '^Argument required \(starting address\)\.$'
check "a line with no code" has "$T/e" '^No line 999 in '
tc bt >"$T/bt" 2>&1
check "after the errors the program is where it was" has "$T/bt" '^#0  walk '
stop_tracerd
finish
