#!/bin/bash
# registers.sh: tracectl's info registers in gdb 13's layout, side by
# side with gdb on the same program at the same breakpoint: the general
# registers in gdb's order, hex and natural columns, eflags decoded, rip
# with its symbol, named registers and their parts (eax, ax, al, ah,
# r9w, r10l, esp), gdb's error for an unknown name.
. "$(dirname "$0")/lib.sh"

PROG=$TRACEES/signals
CMDS='info registers
info registers rip rsp foo rax
info registers al ah r9w r10l esp pc fs_base'
start_tracerd
{
	printf 'launch %s\nbreak work\ncontinue\ncontinue\n' "$PROG"
	printf '%s\n' "$CMDS"
	printf 'rpc registers\n'
} | tc --echo >"$T/tc" 2>&1
args=(-ex 'break work' -ex run -ex continue)
while IFS= read -r l; do
	args+=(-ex "$l")
done <<<"$CMDS"
gdb -nx -q -batch "${args[@]}" "$PROG" >"$T/gdb" 2>&1 </dev/null

# The addresses differ (address-space randomization): compare the
# layout (the columns' places), numbers made symbolic; eflags' bits are
# the same at this spot.
norm() {
	sed -n '/^rax /,$p' "$1" | grep -E '^[a-z0-9_]+ +0x|^Invalid' |
		awk '/^Invalid/ { print; next }
		{
			# name, where the hex and natural columns start, the
			# natural value made symbolic
			h = index($0, "0x"); rest = substr($0, h)
			n = h + index(rest, " ")
			while (substr($0, n, 1) == " ") n++
			v = substr($0, n)
			gsub(/0x[0-9a-f]+/, "HEX", v)
			sub(/^-?[0-9]+$/, "NUM", v)
			print $1, h, n, v
		}'
}
norm "$T/gdb" >"$T/gdb.n"
norm "$T/tc" >"$T/tc.n"
check "gdb printed its registers (the comparison means something)" \
	[ "$(wc -l <"$T/gdb.n")" -ge 30 ]
check "info registers: gdb's layout, line by line" \
	diff -u "$T/gdb.n" "$T/tc.n"
check "rip names its function" has "$T/tc" \
	'^rip            0x[0-9a-f]+ +0x[0-9a-f]+ <work\+[0-9]+>$'
check "eflags decoded" has "$T/tc" \
	'^eflags         0x[0-9a-f]+ +\[ ([A-Z]+ )*\]$'
check "an unknown register: gdb's error, the rest not printed" has "$T/tc" \
	"^Invalid register \`foo'$"

# The parts agree with the whole as the JSON-RPC registers give it.
rax=$(grep -o '"rax":[0-9]*' "$T/tc" | head -n 1 | cut -d: -f2)
rsp=$(grep -o '"rsp":[0-9]*' "$T/tc" | head -n 1 | cut -d: -f2)
check "registers read over JSON-RPC" [ -n "$rax" ] && [ -n "$rsp" ]
esp=$(printf '0x%x' $((rsp & 0xffffffff)))
check "esp is rsp's low half" has "$T/tc" "^esp +$esp "
al=$(printf '0x%x' $((rax & 0xff)))
check "al is rax's low byte" has "$T/tc" "^al +$al "
stop_tracerd
finish
