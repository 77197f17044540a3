#!/bin/bash
# display.sh: tracectl's display, display/FMT, undisplay and info display
# side by side with gdb 13 on the same program and commands: the lines
# shown at each stop ("1: x = 4", "2: /x y = 0x2", "3: x/i $pc" and its
# instruction), info display's table, gdb's errors; a display out of its
# scope is not shown; the session keeps them for a rerun.
. "$(dirname "$0")/lib.sh"

CMDS='display x
display/x y
display/i $pc
display counter + nosuch
display/s greeting
info display
next
undisplay 2
undisplay 9
finish
info display'
start_tracerd
{
	printf 'launch %s\nbreak compute\ncontinue\n' "$DEMO"
	printf '%s\n' "$CMDS"
	printf 'undisplay x\nrun\nundisplay\ninfo display\n'
} | tc >"$T/tc" 2>&1
args=(-ex 'break compute' -ex run)
while IFS= read -r l; do
	args+=(-ex "$l")
done <<<"$CMDS"
gdb -nx -q -batch "${args[@]}" "$DEMO" >"$T/gdb" 2>&1 </dev/null

# from the first display on, addresses and symbols made alike (x/s shows
# <greeting> in gdb only: x's own difference)
norm() {
	sed -n '/^1: x = /,$p' "$1" | grep -vE '^Run till exit|^\[|^Using|Error in sourced' |
		sed -E 's/0x[0-9a-f]{6,}/ADDR/g; s/ <greeting>//; s/ \.\.\/tools\// /; s/at [^ ]*demo-target\.c/at demo-target.c/'
}
norm "$T/gdb" >"$T/gdb.n"
norm "$T/tc" | sed '/^Arguments must/,$d' >"$T/tc.n"
check "gdb showed its displays (the comparison means something)" \
	has "$T/gdb.n" '^2: /x y = 0x2$'
check "what is shown at the stops, and info display, as gdb" \
	diff -u "$T/gdb.n" "$T/tc.n"
check "an unknown name: gdb's error, no display made" has "$T/tc" \
	'^No symbol "nosuch" in current context\.$'
check "undisplay of an unknown number" has "$T/tc" '^No display number 9\.$'
# (gdb 13 says nothing to this one; tracectl says what is wrong)
check "undisplay of a word" has "$T/tc" '^Arguments must be display numbers\.$'
check "a rerun keeps the displays and shows them at its stop" \
	[ "$(grep -c '^3: x/i \$pc$' "$T/tc")" -eq 3 ]
check "undisplay with no number deletes them all" has "$T/tc" \
	'^There are no auto-display expressions now\.$'
# a one-shot command shows the new display at once (gdb's from_tty)
tc run >/dev/null 2>&1
tc display y >"$T/one" 2>&1
check "a one-shot display shows it at once" has "$T/one" '^[0-9]+: y = 2$'
stop_tracerd
finish
