#!/bin/bash
# messages.sh: tracectl's messages as gdb 13 prints them, side by side on
# the same program and commands: "Breakpoint N at 0x...: file F, line L.",
# "Run till exit from #0 ...", "0x... in f (...)" after a finish (not at
# a line's start), stepi's "0x...<TAB>LINE<TAB>source" in the middle of a
# line, "[Inferior 1 (process N) exited normally]"; kill's "[Inferior 1
# (process N) killed]".
. "$(dirname "$0")/lib.sh"

CMDS='break compute
run
stepi
stepi
stepi
stepi
finish
continue'
start_tracerd
printf 'launch %s\n%s\n' "$DEMO" "$CMDS" | tc >"$T/tc" 2>&1
args=()
while IFS= read -r l; do
	args+=(-ex "$l")
done <<<"$CMDS"
gdb -nx -q -batch "${args[@]}" "$DEMO" >"$T/gdb" 2>&1 </dev/null
norm() {
	grep -vE '^(Process |demo-target:|Stopped at the|\[Thread|Using)' "$1" |
		sed -E 's/0x[0-9a-f]{9,16}/ADDR/g; s/0x[0-9a-f]+: file/ADDR: file/; s|[^ (]*/tools/(demo-target\.c)|\1|g; s/process [0-9]+/process PID/'
}
norm "$T/gdb" >"$T/gdb.n"
norm "$T/tc" >"$T/tc.n"
check "gdb stepped in the middle of a line (the comparison means something)" \
	has "$T/gdb.n" '^ADDR	23	'
check "the messages of a run, as gdb's" diff -u "$T/gdb.n" "$T/tc.n"
# typed one by one (gdb's from_tty): finish names the frame it runs out of
tc run >/dev/null 2>&1
tc finish >"$T/f" 2>&1
check "Run till exit from #0 ..." has "$T/f" \
	'^Run till exit from #0  compute \(x=4, y=2\) at demo-target\.c:[0-9]+$'
check "then 0x... in main (...) (not at a line's start)" has "$T/f" \
	'^0x[0-9a-f]{16} in main \(\) at demo-target\.c:[0-9]+$'
tc kill >"$T/k" 2>&1
check "kill: gdb's words only" \
	[ "$(grep -cE '^\[Inferior 1 \(process [0-9]+\) killed\]$' "$T/k")" -eq 1 ] &&
	[ "$(grep -vc '^$' "$T/k")" -eq 1 ]
stop_tracerd
finish
