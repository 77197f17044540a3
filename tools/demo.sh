#!/bin/bash
# demo.sh BUILDDIR: start tracerd on the bundled demo program and drive it
# with a scripted tracectl session (what `tools/quickstart demo` runs).
set -euo pipefail

build=${1:-build}
dir=$(mktemp -d /tmp/tracerd-demo.XXXXXX)
sock=$dir/tracerd.sock
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

# The daemon, with a session launched on the demo program (stopped at its
# first instruction). It prints one line once it listens.
"$build/server/tracerd" --socket "$sock" --log-level warn \
	--launch "$build/tools/demo-target" &
pid=$!
for _ in $(seq 200); do
	[ -S "$sock" ] && break
	sleep 0.05
done
echo

# A session as a user would type it, commands echoed.
line=$(grep -n 'conditional breakpoint' tools/demo-target.c | cut -d: -f1)
"$build/tools/tracectl" --socket "$sock" --echo <<SCRIPT
# Stop at a function, look around.
break compute
continue
info args
print greeting
print origin
bt
finish
info locals
print p
# Expressions with calls injected into the target (breakpoint 1 goes
# first: a call that hits a breakpoint is abandoned, as in gdb).
delete 1
call add(p.x, 5) + r
print compute(p.x, p.y) * 2 + counter
# A conditional breakpoint in a loop: compiled into the target, so the
# iterations where it is false never stop.
break demo-target.c:$line if i == 7 && p->y == 4
continue
print i
print sum
x/16xb greeting
info breakpoints
delete 2
continue
# What the session's requests cost through the slab.
stats
SCRIPT
echo
"$build/tools/tracectl" --socket "$sock" shutdown >/dev/null
wait "$pid"
pid=
echo "tracerd shut down."
