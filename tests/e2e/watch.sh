#!/bin/bash
# watch.sh: watchpoints through tracectl (page protection: the debug
# registers do not fire on every machine): a global written in a loop,
# old and new values, a write of the same value not reported, a struct
# member through a pointer, a local deleted when its frame returns, a
# condition, the program's own SIGSEGV handler still catching its fault,
# a thread's writes, and detach leaving no page protected.
. "$(dirname "$0")/lib.sh"

W=$TRACEES/watch
line_g=$(grep -n 'line of the write to g' "$srcdir/tests/tracees/watch.c" |
	cut -d: -f1)

start_tracerd --launch "$W"
tc <<SCRIPT >"$T/s1" 2>&1
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
check "watch g says its number" has "$T/s1" '^Watchpoint 2: g$'
check "the first write: old and new values" has "$T/s1" '^New value = 10$'
check "the second write" has "$T/s1" '^Old value = 10$'
check "the stop is at the line after the write" has "$T/s1" \
	"^main \\(.*\\) at watch.c:$((line_g + 1))\$"
check "info watchpoints lists it with its hits" has "$T/s1" \
	'^2 +watchpoint +keep y +0x[0-9a-f]+ g$'
check "a member through a pointer" has "$T/s1" '^New value = 21$'
check "a local: its writes" has "$T/s1" '^Watchpoint 5: local$'
check "a local's frame returns: deleted as gdb says" has "$T/s1" \
	'^Watchpoint 5 deleted because the program has left the block in$'
tc continue >"$T/c1" 2>&1
check "the program's own SIGSEGV handler catches its fault, unseen" has \
	"$T/c1" '^\[Inferior \(process [0-9]+\) exited normally\]$'
stop_tracerd

# The program's output: its own fault caught by its handler.
start_tracerd --launch "$W"
tc <<SCRIPT >"$T/s2" 2>&1
break main
continue
watch g if g == 30
continue
print g
watch buf
continue
print buf[100]
watch tcount
continue
continue
continue
SCRIPT
check "a condition: the stop where it holds" has "$T/s2" '^New value = 30$'
check "only there" hasnt "$T/s2" '^New value = 20$'
check "a 4 KiB buffer, written once, in the loop's wake" has "$T/s2" \
	"^\\\$[0-9]+ = 120 'x'\$"
check "a thread's writes" has "$T/s2" '^New value = 1$'
pid=$(pgrep -f "^$W\$" | head -n 1)
tc <<SCRIPT >"$T/s3" 2>&1
watch g
detach
SCRIPT
sleep 0.2
if [ -n "$pid" ] && [ -r "/proc/$pid/maps" ]; then
	check "detach leaves no page protected (no r--p or ---p data page)" \
		hasnt "/proc/$pid/maps" "^[0-9a-f]+-[0-9a-f]+ (r--p|---p) 00000000 00:00 0 *\$"
fi
stop_tracerd
finish
