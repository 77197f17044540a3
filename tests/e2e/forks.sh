#!/bin/bash
# forks.sh: fork, vfork and exec events through the real gdb, as with
# gdbserver (fork-events+, vfork-events+, exec-events+): catch fork,
# vfork and exec; the fork child let go with our int3s out of its memory
# (D;PID); follow-fork-mode child (the parent let go, the child the
# target); an exec'd program's breakpoints set again on the new image.
. "$(dirname "$0")/lib.sh"

GDB=$(command -v gdb || true)
if [ -z "$GDB" ]; then
	echo "gdb not installed: nothing to test"
	exit 77
fi
PROG=$TRACEES/forks

rungdb() { # rungdb NAME MODE: $T/NAME.gdb's commands after the launch
	local n=$1 mode=$2
	{
		echo "set confirm off"
		echo "set pagination off"
		echo "target remote | $TRACERD --gdb - --log-level warn --launch $PROG $mode"
		cat "$T/$n.cmds"
	} >"$T/$n.gdb"
	timeout $((120 * SCALE)) "$GDB" -nx -batch -x "$T/$n.gdb" "$PROG" \
		>"$T/$n.out" 2>&1
}
noerr() { # the protocol went as gdb expects
	hasnt "$1" 'Ignoring packet error|Remote failure|Protocol error|Remote connection closed|Cannot (insert|remove)|Warning:'
}

# 1. catch fork, follow the parent: gdb takes its breakpoints out of the
# child (Hg child, z0) and lets it go (D;PID); the child runs through
# in_child's breakpoint without a SIGTRAP (it would die with status 0)
cat >"$T/fork.cmds" <<'GDB'
catch fork
break in_child
break in_parent
continue
info inferiors
continue
print counter
continue
GDB
rungdb fork fork
o=$T/fork.out
check "catch fork: the catchpoint" has "$o" \
	'^Catchpoint 1 \(forked process [0-9]+\), '
check "catch fork: the child let go" has "$o" \
	'^\[Detaching after fork from child process [0-9]+\]'
check "catch fork: one inferior" hasnt "$o" '^ +2 +process'
check "catch fork: the parent stops at in_parent" has "$o" \
	'^Breakpoint 3, in_parent \(v=5\) at .*forks.c:[0-9]+'
check "catch fork: the child ran through its breakpoint (exit 4)" has "$o" \
	'^parent: child exit 4, 5$'
check "catch fork: the child's own output" has "$o" '^child: 2$'
check "catch fork: the parent's counter (the child's is its own)" has "$o" \
	'^\$1 = 0$'
check "catch fork: the end" has "$o" 'exited normally'
check "catch fork: no protocol errors" noerr "$o"

# 2. follow-fork-mode child: the parent is let go (its int3s out: it runs
# through in_parent) and the child is the target
cat >"$T/child.cmds" <<'GDB'
set follow-fork-mode child
break in_child
break in_parent
continue
bt
info inferiors
print v
continue
GDB
rungdb child fork
o=$T/child.out
check "follow child: the parent let go" has "$o" \
	'^\[Detaching after fork from parent process [0-9]+\]'
check "follow child: the child stops at in_child" has "$o" \
	'hit Breakpoint 1, in_child \(v=2\) at .*forks.c:[0-9]+'
check "follow child: its backtrace" has "$o" '^#1 .* in main \(.*forks.c:[0-9]+'
check "follow child: inferior 2 is the child" has "$o" \
	'^\* 2 +process [0-9]+ '
check "follow child: print" has "$o" '^\$1 = 2$'
check "follow child: the parent ran through in_parent" has "$o" \
	'^parent: child exit 4, 5$'
check "follow child: the child's end" has "$o" \
	'^\[Inferior 2 \(process [0-9]+\) exited with code 04\]'
check "follow child: no protocol errors" noerr "$o"

# 3. catch vfork: the child shares the memory; gdb takes its breakpoints
# out until vforkdone
cat >"$T/vfork.cmds" <<'GDB'
catch vfork
break in_child
break in_parent
continue
continue
continue
GDB
rungdb vfork vfork
o=$T/vfork.out
check "catch vfork: the catchpoint" has "$o" \
	'^Catchpoint 1 \(vforked process [0-9]+\), '
check "catch vfork: the child let go" has "$o" \
	'^\[Detaching after vfork from child process [0-9]+\]'
check "catch vfork: vforkdone, then in_parent" has "$o" \
	'^Breakpoint 3, in_parent \(v=5\) at .*forks.c:[0-9]+'
check "catch vfork: the child ran through in_child (exit 3)" has "$o" \
	'^parent: child exit 3, 6$'
check "catch vfork: no protocol errors" noerr "$o"

# 4. catch exec; a breakpoint on the exec'd program's function, set
# again by gdb on the new image
cat >"$T/exec.cmds" <<'GDB'
catch exec
break after_exec
continue
info inferiors
continue
bt
continue
GDB
rungdb exec exec
o=$T/exec.out
check "catch exec: gdb is told of the new program" has "$o" \
	'^process [0-9]+ is executing new program: .*/forks$'
check "catch exec: the catchpoint" has "$o" \
	"^Catchpoint 1 \\(exec'd .*/forks\\), "
check "catch exec: the breakpoint in the new image" has "$o" \
	'^Breakpoint 2, after_exec \(v=7\) at .*forks.c:[0-9]+'
check "catch exec: the new image's output" has "$o" '^after exec: 7$'
check "catch exec: no protocol errors" noerr "$o"

# 5. the daemon's own JSON-RPC through tracectl: follow-fork-mode child,
# catch fork (the child let go, its breakpoints out), an exec'd program's
# breakpoints set again with their numbers and states (gdb's)
start_tracerd
ctl() { # ctl NAME: tracectl runs $T/NAME.ctl, output in $T/NAME.out
	timeout $((120 * SCALE)) "$TRACECTL" --socket "$SOCK" --echo \
		<"$T/$1.ctl" >"$T/$1.out" 2>&1
}
cat >"$T/cchild.ctl" <<CTL
launch $PROG fork
set follow-fork-mode child
show follow-fork-mode
break in_child
break in_parent
continue
bt
print v
continue
CTL
ctl cchild
o=$T/cchild.out
check "tracectl follow child: the setting" has "$o" \
	'^Debugger response to a program call of fork or vfork is "child"\.$'
check "tracectl follow child: the child stops at in_child" has "$o" \
	'^Breakpoint 1, in_child \(v=2\) at .*forks.c:[0-9]+$'
check "tracectl follow child: its backtrace" has "$o" '^#1 .* in main \('
check "tracectl follow child: print" has "$o" '^\$1 = 2$'
check "tracectl follow child: the child's end" has "$o" \
	'^\[Inferior ([0-9]+ )?\(process [0-9]+\) exited with code 04\]$'
check "tracectl follow child: the parent ran through in_parent" has \
	"$o" '^parent: child exit 4, 5$'

cat >"$T/cfork.ctl" <<CTL
launch $PROG fork
catch fork
break in_child
break in_parent
continue
continue
continue
CTL
ctl cfork
o=$T/cfork.out
check "tracectl catch fork: the catchpoint" has "$o" \
	'^Catchpoint \(forked process [0-9]+\), '
check "tracectl catch fork: then in_parent" has "$o" \
	'^Breakpoint 2, in_parent \(v=5\) at .*forks.c:[0-9]+$'
check "tracectl catch fork: the parent's end" has "$o" \
	'^\[Inferior ([0-9]+ )?\(process [0-9]+\) exited normally\]$'
check "tracectl catch fork: the child ran through in_child (exit 4)" \
	has "$o" '^parent: child exit 4, 5$'
printf 'launch %s fork\nset detach-on-fork off\nkill\n' "$PROG" >"$T/doff.ctl"
ctl doff
check "detach-on-fork off: a clear error" has "$T/doff.out" \
	'detach-on-fork off is not supported'

# a vfork child runs in its parent's memory: the int3s are out until the
# parent's vfork-done (it would die of SIGTRAP at in_child: exit 0)
cat >"$T/cvfork.ctl" <<CTL
launch $PROG vfork
break in_child
break in_parent
continue
continue
CTL
ctl cvfork
o=$T/cvfork.out
check "tracectl vfork: the child ran through in_child (exit 3)" has "$o" \
	'^parent: child exit 3, 6$'
check "tracectl vfork: the parent's breakpoint is back after it" has "$o" \
	'^Breakpoint 2, in_parent \(v=5\) at .*forks.c:[0-9]+$'

cat >"$T/cexec.ctl" <<CTL
launch $PROG exec
break after_exec
break main
disable 2
continue
info breakpoints
continue
CTL
ctl cexec
o=$T/cexec.out
check "tracectl exec: breakpoint 1 in the new image" has "$o" \
	'^Breakpoint 1, after_exec \(v=7\) at .*forks.c:[0-9]+$'
check "tracectl exec: numbers and states kept" has "$o" \
	'^2 +breakpoint +keep n .* in main at .*forks.c:[0-9]+$'
check "tracectl exec: the new image's output" has "$o" \
	'^after exec: 7$'
stop_tracerd

finish
