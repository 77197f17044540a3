#!/bin/bash
# disasm.sh: tracectl's disassemble and x/Ni side by side with gdb 13 on
# the same program at the same breakpoint: gdb's layout (the "=> " marker,
# <+N>, /r bytes, /s and /m source lines, ranges, x/i's <f+N>), the same
# AT&T text from Capstone as gdb's from libopcodes, PLT entries named
# by the function they call (printf@plt), the original bytes
# under a breakpoint rather than its int3, gdb's memory error, display/i.
. "$(dirname "$0")/lib.sh"

CMDS='disassemble
x/3i $pc
disassemble /r add
disassemble /s compute
disassemble /m add
disassemble add,+8
disassemble walk
disassemble /s walk
disassemble /s main
x/2i 0'
start_tracerd
{
	printf 'launch %s\nbreak add\ncontinue\n' "$DEMO"
	printf '%s\n' "$CMDS"
	printf 'disassemble /q\ndisassemble nosuchfn\n'
	printf 'display/i $pc\nstepi\n'
} | tc >"$T/tc" 2>&1
args=(-ex 'break add' -ex run)
while IFS= read -r l; do
	args+=(-ex "$l")
done <<<"$CMDS"
gdb -nx -q -batch "${args[@]}" "$DEMO" >"$T/gdb" 2>&1 </dev/null

# Addresses differ (gdb turns address-space randomization off): made
# symbolic; everything else compared as is, from the first dump on.
norm() {
	sed -n '/^Dump of/,$p' "$1" | sed '/^No symbol "nosuchfn"/,$d' |
		grep -E '^(=> |   0x|Dump of|End of|[0-9]+	|[^ ]+\.c:$|$)' |
		sed -E 's/0x[0-9a-f]{6,}/ADDR/g'
}
norm "$T/gdb" >"$T/gdb.n"
norm "$T/tc" >"$T/tc.n"
check "gdb disassembled (the comparison means something)" \
	[ "$(grep -c '^   ADDR' "$T/gdb.n")" -ge 60 ]
check "disassemble, x/i, /r, /s, /m, ranges: gdb's output, line by line" \
	diff -u "$T/gdb.n" "$T/tc.n"
check "the marker at the pc" has "$T/tc" \
	'^=> 0x[0-9a-f]{16} <\+10>:	8b 55 fc +	mov    -0x4\(%rbp\),%edx$'
check "a call's target named" has "$T/tc" \
	'call   0x[0-9a-f]+ <add>$'
check "a call through the PLT named as gdb names it" has "$T/tc" \
	'call   0x[0-9a-f]+ <printf@plt>$'
check "x/i past readable memory: gdb's error" has "$T/tc" \
	'^   0x0:	Cannot access memory at address 0x0$'
check "a bad modifier: gdb's error" has "$T/tc" \
	'^Invalid disassembly modifier\.$'
check "an unknown function: gdb's error" has "$T/tc" \
	'^No symbol "nosuchfn" in current context\.$'
check "display/i \$pc: the instruction at each stop, as gdb's" \
	grep -A1 -q '^1: x/i \$pc$' "$T/tc"
check "and after stepi the next one" has "$T/tc" \
	'^=> 0x[0-9a-f]+ <add\+13>:	mov    -0x8\(%rbp\),%eax$'
stop_tracerd
finish
