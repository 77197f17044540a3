#!/bin/bash
# vregs.sh: tracectl's info all-registers and the x87, SSE and AVX
# registers by name, side by side with gdb 13 on tests/tracees/vregs at
# BP_VREGS (xmm1 four floats, xmm2 two doubles, ymm3 32 bytes when the CPU
# has AVX, st0 1.5 and st1 pi, mxcsr with FZ): gdb's order and layout,
# natural and raw columns, the vector unions with /x and <repeats N
# times>, the x87 tag word, mxcsr's flags; and the same registers in
# expressions: print $xmm1 (gdb's union vec128), $xmm1.v4_float[1],
# $st0, whatis and ptype.
. "$(dirname "$0")/lib.sh"

PROG=$TRACEES/vregs
L=$(grep -n BP_VREGS "$srcdir/tests/tracees/vregs.c" | tail -n 1 | cut -d: -f1)
CMDS='info all-registers
info registers xmm1 xmm2 st0 st1 ymm3 mxcsr ftag fstat fop
info registers xmm99
p $xmm1
p $xmm1.v4_float[1]
p $xmm2.v2_double
p $xmm2.v2_double[1] * 2
p $xmm1.uint128
p $xmm1.v8_half
p $st0
p $st1
p $fctrl
p $mxcsr
p $mxcsr & 0x8000
whatis $mxcsr
p $eflags & 0x200
whatis $eflags
whatis $xmm1
whatis $xmm1.v4_float
whatis $st0
ptype $xmm1
p $xmm16'
start_tracerd
{
	printf 'launch %s\nbreak vregs.c:%s\ncontinue\n' "$PROG" "$L"
	printf '%s\n' "$CMDS"
} | tc >"$T/tc" 2>&1
args=(-ex "break vregs.c:$L" -ex run)
while IFS= read -r l; do
	args+=(-ex "$l")
done <<<"$CMDS"
gdb -nx -q -batch "${args[@]}" "$PROG" >"$T/gdb" 2>&1 </dev/null

# What the program set is compared as is; the registers it left to libc
# (ymm0, ymm4-15: scratch of the loader and printf) by layout only, the
# values made symbolic; pkru by layout (gdb 13 reads it at Intel's fixed
# XSAVE offset, which is not where an AMD CPU keeps it).
norm() {
	sed -n '/^rax /,$p' "$1" |
		grep -E '^(st[0-7]|f[a-z]+|mxcsr|pkru|[xy]mm[0-9]+|Invalid) ' |
		sed -E '/^ymm(0|[4-9]|1[0-5]) /s/\{[^{}]*\}/{}/g
			/^pkru /s/ +0x[0-9a-f]+ +[0-9]+$/ HEX NUM/'
}
norm "$T/gdb" >"$T/gdb.n"
norm "$T/tc" >"$T/tc.n"
# the expressions: value history lines, types, errors
expr() {
	grep -E '^(\$[0-9]+ = |type = |    [a-z0-9_]+ [a-z0-9_]+;|}$|Invalid|No )' "$1" |
		grep -v '^Invalid register `'
}
expr "$T/gdb" >"$T/gdb.e"
expr "$T/tc" >"$T/tc.e"
check "gdb printed its registers (the comparison means something)" \
	[ "$(wc -l <"$T/gdb.n")" -ge 40 ]
check "info all-registers and named ones: gdb's output, line by line" \
	diff -u "$T/gdb.n" "$T/tc.n"
check "gdb evaluated the registers (the comparison means something)" \
	[ "$(grep -c '^\$' "$T/gdb.e")" -ge 9 ]
check "\$xmm1, \$xmm1.v4_float[1], \$st0, whatis, ptype: gdb's output" \
	diff -u "$T/gdb.e" "$T/tc.e"
check "\$xmm1.v4_float[1] is -2.25" has "$T/tc" '^\$[0-9]+ = -2\.25$'
check "st1 is pi, natural and raw" has "$T/tc" \
	'^st1            3\.14159265358979323851 \(raw 0x4000c90fdaa22168c235\)$'
check "xmm1's floats in hex" has "$T/tc" \
	'v4_float = \{0x3fc00000, 0xc0100000, 0x40400000, 0x3dcccccd\}'
check "mxcsr's flags with FZ" has "$T/tc" \
	'^mxcsr          0x9f80              \[ IM DM ZM OM UM PM FZ \]$'
check "ftag: two registers valid, the rest empty" has "$T/tc" \
	'^ftag           0xfff               4095$'
check "an unknown register: gdb's error" has "$T/tc" \
	"^Invalid register \`xmm99'$"
stop_tracerd
finish
