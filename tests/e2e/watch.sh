#!/bin/bash
# watch.sh: watchpoints through tracectl, by page protection and, where
# the probe sees them fire, by the debug registers: a global written in a loop,
# old and new values, a write of the same value not reported, a struct
# member through a pointer, a local deleted when its frame returns, a
# condition, the program's own SIGSEGV handler still catching its fault,
# a thread's writes (created after the watchpoint), the mechanism each
# watchpoint got, and detach leaving no page protected and no debug
# register set.
. "$(dirname "$0")/lib.sh"

W=$TRACEES/watch
line_g=$(grep -n 'line of the write to g' "$srcdir/tests/tracees/watch.c" |
	cut -d: -f1)
line_nb=$(grep -n 'line of the read next to nb.target' "$srcdir/tests/tracees/watch.c" |
	cut -d: -f1)
line_nt=$(grep -n 'line of the read of nb.target' "$srcdir/tests/tracees/watch.c" |
	cut -d: -f1)
line_kid=$(grep -n 'line after the fork child' "$srcdir/tests/tracees/watch.c" |
	cut -d: -f1)

# Both mechanisms where the debug registers fire (the probe says so);
# page protection alone where they do not.
mechs=page-protection
probe=$("$TRACERD" --version | sed -n 's/^watchpoints: .*(debug registers: \(.*\))$/\1/p')
case $probe in
"a write watched by DR0 trapped"*) mechs="page-protection debug-registers" ;;
*) echo "debug registers not tested: $probe" ;;
esac

for mech in $mechs; do
	# gdb's words: "Hardware watchpoint" in the debug registers
	hw=W hwtype=watchpoint
	if [ "$mech" = debug-registers ]; then
		hw="Hardware w" hwtype="hw watchpoint"
	fi
	start_tracerd --watch-mechanism $mech --launch "$W"
	tc <<-SCRIPT >"$T/s1.$mech" 2>&1
	break main
	continue
	watch g
	continue
	continue
	info watchpoints
	delete 2
	watch head->next->v
	continue
	delete 3
	break scoped
	continue
	watch local
	continue
	continue
	continue
	continue
	continue
	continue
	SCRIPT
	check "[$mech] watch g says its number" has "$T/s1.$mech" "^${hw}atchpoint 2: g\$"
	check "[$mech] the first write: old and new values" has "$T/s1.$mech" '^New value = 10$'
	check "[$mech] the second write" has "$T/s1.$mech" '^Old value = 10$'
	check "[$mech] the stop is at the line after the write" has "$T/s1.$mech" \
		"^main \\(.*\\) at watch.c:$((line_g + 1))\$"
	check "[$mech] info watchpoints lists it with its hits" has "$T/s1.$mech" \
		"^2 +$hwtype +keep y +0x[0-9a-f]+ g\$"
	check "[$mech] a member through a pointer" has "$T/s1.$mech" '^New value = 21$'
	check "[$mech] a local: its writes" has "$T/s1.$mech" "^${hw}atchpoint 5: local\$"
	check "[$mech] a local's frame returns: deleted as gdb says" has "$T/s1.$mech" \
		'^Watchpoint 5 deleted because the program has left the block in$'
	# (tracerd stops for the SIGCHLD of the fork child, gdb does not:
	# a second continue, harmless once it no longer does)
	{ tc continue; tc continue; } >"$T/c1.$mech" 2>&1
	check "[$mech] the program's own SIGSEGV handler catches its fault, unseen" has \
		"$T/c1.$mech" '^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
	stop_tracerd

	# A step over the line that writes g: the watchpoint is reported
	# and ends the step, as gdb reports it (with the debug registers the
	# trap comes with the step's own: DR6 has BS and B0 together).
	start_tracerd --watch-mechanism $mech --launch "$W"
	tc <<-SCRIPT >"$T/st.$mech" 2>&1
	break watch.c:$line_g
	continue
	watch g
	next
	next
	next
	next
	next
	SCRIPT
	check "[$mech] next over the write of g: the watchpoint is reported" has \
		"$T/st.$mech" '^New value = 10$'
	check "[$mech] ... then the stop line, after the write" has "$T/st.$mech" \
		"^main \\(.*\\) at watch.c:$((line_g + 1))\$"
	tc kill >/dev/null 2>&1
	stop_tracerd

	# read(2) into a watched 4 KiB buffer (page protection either way):
	# the kernel's write finds the page open (the system call's entry
	# stop opened it), the watchpoint reports the change at the call's
	# exit, and the program reads its 5 bytes, no EFAULT.
	start_tracerd --watch-mechanism $mech --launch "$W"
	tc <<-SCRIPT >"$T/rd.$mech" 2>&1
	break main
	continue
	watch rbuf
	continue
	continue
	continue
	SCRIPT
	check "[$mech] read(2) into a watched buffer: the change reported" has \
		"$T/rd.$mech" '^New value = "hello", .* <repeats 4090 times>$'
	check "[$mech] ... at the call's exit, in read" has "$T/rd.$mech" \
		'in (__GI___libc_read|read) \(.*\) at '
	check "[$mech] ... and the program read its bytes (no EFAULT)" wait_for \
		"$T/tracerd.out" '^read 5 hello$'
	tc kill >/dev/null 2>&1
	stop_tracerd

	# A read watchpoint by page protection is exact: a read of the
	# neighbouring member (8 bytes before, same page) is not reported,
	# the faulting instruction's operand decoded (its address and size).
	start_tracerd --watch-mechanism $mech --launch "$W"
	tc <<-SCRIPT >"$T/nb.$mech" 2>&1
	break main
	continue
	rwatch nb.target
	continue
	continue
	SCRIPT
	check "[$mech] rwatch: the read of the member itself" has "$T/nb.$mech" '^Value = 2$'
	check "[$mech] ... not the read next to it" hasnt "$T/nb.$mech" \
		"at watch.c:$line_nb\$"
	check "[$mech] ... it stops right after the load of nb.target" has \
		"$T/nb.$mech" "^0x[0-9a-f]+ in main \\(.*\\) at watch.c:$line_nt\$"
	tc kill >/dev/null 2>&1
	stop_tracerd

	# An ignore count: two writes gone through (counted), the third stops.
	start_tracerd --watch-mechanism $mech --launch "$W"
	tc <<-SCRIPT >"$T/ig.$mech" 2>&1
	break main
	continue
	watch g
	ignore 2 2
	info watchpoints
	continue
	info watchpoints
	SCRIPT
	check "[$mech] ignore: info watchpoints says so" has "$T/ig.$mech" \
		'^	Will ignore next 2 crossings of breakpoint\.$'
	check "[$mech] ignore 2: the third write stops" has "$T/ig.$mech" \
		'^New value = 30$'
	check "[$mech] ignore 2: the old value is the last one" has \
		"$T/ig.$mech" '^Old value = 20$'
	check "[$mech] ignored crossings are counted as hits, as gdb does" has \
		"$T/ig.$mech" '^	breakpoint already hit 3 times$'
	stop_tracerd

	# The program's output: its own fault caught by its handler.
	start_tracerd --watch-mechanism $mech --launch "$W" pause
	tc <<-SCRIPT >"$T/s2.$mech" 2>&1
	break main
	continue
	watch g if g == 30
	continue
	print g
	break poke
	continue
	watch p->v
	continue
	continue
	continue
	watch buf
	continue
	print buf[100]
	watch tcount
	continue
	continue
	continue
	SCRIPT
	check "[$mech] a condition: the stop where it holds" has "$T/s2.$mech" '^New value = 30$'
	check "[$mech] only there" hasnt "$T/s2.$mech" '^New value = 20$'
	check "[$mech] through a parameter: its writes" has "$T/s2.$mech" \
		'^New value = 51$'
	check "[$mech] ... then deleted when its function returns, as gdb does" \
		has "$T/s2.$mech" '^Watchpoint [0-9]+ deleted because the program has left the block in$'
	check "[$mech] a 4 KiB buffer, written once, in the loop's wake" has "$T/s2.$mech" \
		"^\\\$[0-9]+ = 120 'x'\$"
	check "[$mech] a thread's writes" has "$T/s2.$mech" '^New value = 1$'
	pid=$(our_pid "$W pause")
	tc rpc watchpoints >"$T/w.$mech" 2>&1
	check "[$mech] a global watched in main is not scoped to main" has \
		"$T/w.$mech" '"expr":"tcount".*"scoped":false'
	tc rpc stats >"$T/stats.$mech" 2>&1
	check "[$mech] stats: the mechanism and the probe's finding" has \
		"$T/stats.$mech" "\"watch_mechanism\":\"$mech\",\"debug_registers_fire\":(true|false),\"debug_registers_probe\":\"a write watched by DR0"
	check "[$mech] the probe is in the log" has "$T/tracerd.err" \
		'debug registers: a write watched by DR0'
	if [ "$mech" = debug-registers ]; then
		check "[$mech] a 4-byte global in a debug register" has "$T/w.$mech" \
			'"expr":"tcount".*"mechanism":"debug-registers"'
	else
		check "[$mech] a 4-byte global by page protection" has "$T/w.$mech" \
			'"expr":"tcount".*"mechanism":"page-protection"'
	fi
	check "[$mech] a 4 KiB buffer by page protection" has "$T/w.$mech" \
		'"expr":"buf".*"mechanism":"page-protection"'
	tc <<-SCRIPT >"$T/s3.$mech" 2>&1
	watch g
	break watch.c:$line_kid
	continue
	detach
	SCRIPT
	check "[$mech] the program runs on after detach" wait_for "$T/tracerd.out" \
		'^tcount 3$'
	check "[$mech] a fork child wrote g, watched in its parent, unharmed" \
		wait_for "$T/tracerd.out" '^child 7$'
	rw() {
		local v p
		for v in g buf tcount n2; do
			p=$(perms_at "$pid" "$(sym_addr "$pid" "$W" $v)")
			[ "$p" = rw-p ] && continue
			echo "--- $v's page is $p" >&2
			return 1
		done
	}
	check "[$mech] detach leaves no page protected (g, buf, tcount: rw-p)" rw
	"$TRACEES/drpeek" "$pid" >"$T/dr.$mech" 2>&1
	check "[$mech] drpeek read every thread's debug registers" has "$T/dr.$mech" '^thread [0-9]+ dr0'
	check "[$mech] detach leaves no debug register set (DR7 0)" hasnt "$T/dr.$mech" 'dr7 0x[1-9a-f]'
	kill -9 "$pid" 2>/dev/null
	stop_tracerd
done
finish
