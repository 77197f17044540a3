#!/bin/bash
# cli.sh: tracectl's gdb-like commands against the demo program, one-shot
# and scripted, compared with what the program and gdb would say.
. "$(dirname "$0")/lib.sh"

start_tracerd --launch "$DEMO"
line=$(grep -n 'conditional breakpoint' "$srcdir/tools/demo-target.c" |
	cut -d: -f1)

# One-shot commands, each its own connection.
tc break compute >"$T/b1"
check "break prints the location" has "$T/b1" \
	'^Breakpoint 1 at 0x[0-9a-f]+: file demo-target.c, line 2[0-9]\.$'
tc continue >"$T/c1"
check "continue stops at the breakpoint with its arguments" has "$T/c1" \
	'^Breakpoint 1, compute \(x=4, y=2\) at demo-target.c:[0-9]+$'
check "the source line follows" has "$T/c1" $'^[0-9]+\t\tcounter[+][+];'
tc --json eval 'x * 10 + y' >"$T/j1" || true
check "--json prints the raw result" has "$T/j1" \
	'^\{"value":"42","history":1\}$'

# A scripted session on one connection.
tc <<SCRIPT >"$T/s1" 2>&1
info args
print greeting
print/x 255
bt
finish
info locals
print p
print p.x * 100 + p.y
call add(p.x, 5) + p.y
whatis p
print /x p
print/d 'A'
print/c 65
print/x -1
print/2x 5
print \$2
print \$
print \$\$2
set \$i = 3
print greeting[\$i]
print \$i++ * 10
print \$i
output \$i
echo \n
ptype p
ptype struct point
whatis struct point
ptype add
set var r = 7
print r
print nosuch + 1
info threads
info registers rip
x/4xb greeting
x/2dw &p
print \$__
whatis \$_
print \$_ == &p.y
x/s greeting
print \$__
tbreak add
continue
info frame
up
info args
down
delete 1
break demo-target.c:$line if i == 7
continue
print i
condition 3 i == 9
continue
print i
info breakpoints
disable 3
stepi
next
step
continue
SCRIPT
s=$T/s1
check "info args" has "$s" '^x = 4$'
check "print of a char array" has "$s" '^\$2 = "hello, world", .*repeats 51 times>$'
check "finish prints the caller and the value" has "$s" '^Value returned is \$4 = 42$'
check "info locals shows the struct" has "$s" '^p = \{x = 3, y = 4, name = 0x[0-9a-f]+ "p"\}$'
check "arithmetic on members" has "$s" '^\$[0-9]+ = 304$'
check "an injected call in an expression" has "$s" '^\$[0-9]+ = 12$'
check "whatis" has "$s" '^type = struct point$'
check "print /x with a space, member-wise" has "$s" \
	'^\$[0-9]+ = \{x = 0x3, y = 0x4, name = 0x[0-9a-f]+\}$'
check "print/d of a char" has "$s" '^\$[0-9]+ = 65$'
check "print/c" has "$s" "^\\\$[0-9]+ = 65 'A'\$"
check "print/x at the type's width" has "$s" '^\$[0-9]+ = 0xffffffff$'
check "print/2x is gdb's error" has "$s" \
	'^Item count other than 1 is meaningless in "print" command\.$'
check "\$2 is the history's second value" has "$s" \
	'^\$1[0-9] = "hello, world", .*repeats 51 times>$'
check "\$\$2 counts back" has "$s" '^\$1[0-9] = -1$'
check "a convenience variable as an index" has "$s" "^\\\$[0-9]+ = 108 'l'\$"
check "\$i++ is 3, then 4" has "$s" '^\$[0-9]+ = 30$'
check "the variable was incremented" has "$s" '^\$[0-9]+ = 4$'
check "output prints no \$N" has "$s" '^4$'
check "ptype expands the struct" has "$s" '^type = struct point \{$'
check "ptype's members" has "$s" '^    const char \*name;$'
check "ptype of a function" has "$s" '^type = int \(int, int\)$'
check "set var writes the target" has "$s" '^\$[0-9]+ = 7$'
check "an unknown name is gdb's error" has "$s" '^No symbol "nosuch" in current context\.$'
check "info threads lists the thread" has "$s" '^\* 1    Thread [0-9]+ +0x[0-9a-f]+ in main \(\)$'
check "info registers rip" has "$s" '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <main\+[0-9]+>$'
check "x/4xb" has "$s" $'^0x[0-9a-f]+:\t0x68\t0x65\t0x6c\t0x6c$'
check "x/2dw" has "$s" $'^0x[0-9a-f]+:\t3\t4$'
check "x/s" has "$s" $'^0x[0-9a-f]+:\t"hello, world"$'
check "\$__ is the last unit x examined" has "$s" '^\$[0-9]+ = 4$'
check "\$_ points to it, typed as gdb types it" has "$s" '^type = int32_t \*$'
check "\$_ is its address" has "$s" '^\$[0-9]+ = 1$'
check "\$__ is void after x/s" has "$s" '^\$[0-9]+ = void$'
check "tbreak stops once" has "$s" '^Temporary breakpoint 2 at'
check "the call of add in walk" has "$s" '^Temporary breakpoint 2, add \(a=0, b=4\)'
check "up selects the caller" has "$s" '^#1  0x[0-9a-f]+ in walk \(p=0x[0-9a-f]+, n=10\) at demo-target.c:[0-9]+$'
check "info args in the selected frame" has "$s" '^n = 10$'
check "a conditional breakpoint stops where it holds" has "$s" '^\$[0-9]+ = 7$'
check "a changed condition" has "$s" '^\$[0-9]+ = 9$'
check "info breakpoints shows the condition" has "$s" $'^\tstop only if i == 9$'
check "the hits are counted" has "$s" $'^\tbreakpoint already hit 2 times$'
check "the program finishes normally" has "$s" '^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
hasnt_errs() { hasnt "$s" 'Undefined|tracectl:'; }
check "no command was refused" hasnt_errs

# The program's own output: the set var and calls left it intact.
check "the target printed compute's result" has "$T/tracerd.out" \
	'compute\(4, 2\) returned 42'
check "walk's sum is unchanged by the breakpoints" has "$T/tracerd.out" \
	'walk returned 175$'

# Errors exit 1.
rc=0
tc bt >/dev/null 2>&1 || rc=$?
check "a command on an exited program fails with status 1" [ "$rc" -eq 1 ]
tc print '$_exitcode' >"$T/x1" 2>&1 || true
check "\$_exitcode after the exit" has "$T/x1" '^\$[0-9]+ = 0$'
tc print 'greeting' >"$T/x2" 2>&1 || true
check "no memory after the exit" has "$T/x2" '^Cannot access memory'
tc kill >"$T/k" 2>&1
check "kill ends the session" [ "$(tc sessions)" = "No sessions." ]
stop_tracerd

# tracectl help: every command, one line each, without a daemon; every
# command word tracectl dispatches (its sources) is named there, by name
# or alias, and help COMMAND gives one command's usage
"$TRACECTL" --socket /nonexistent/tracerd-help help >"$T/help" 2>&1
check "tracectl help works without a daemon" has "$T/help" '^step, s -- '
for w in $(grep -ho -e 'IS("[a-z-]*")' -e 'strcmp(cmd, "[a-z-]*")' \
	"$srcdir"/tools/ctl/*.c | sed 's/.*"\(.*\)".*/\1/' | sort -u); do
	grep -Eq "(^|, )$w( --|,)" "$T/help" || echo "$w" >>"$T/help.missing"
done
check "tracectl help names every command it dispatches" \
	[ ! -s "$T/help.missing" ]
check "one line each" [ "$(grep -cv ' -- ' "$T/help")" = 0 ]
"$TRACECTL" --socket /nonexistent/tracerd-help help until >"$T/help1" 2>&1
check "help COMMAND" has "$T/help1" '^Usage: until'
finish
