#!/bin/bash
# symbols.sh: tracectl's info functions, variables and types [REGEX],
# info line, info address, info symbol and info sharedlibrary, side by
# side with gdb 13 on the same program at the same breakpoint: gdb's
# layout (the header, "File F:", "LINE:\tDECLARATION" sorted by name,
# "Non-debugging symbols:"), its messages, addresses made symbolic
# (address-space randomization differs) but offsets kept (<main+15>).
. "$(dirname "$0")/lib.sh"

PROG=$TRACEES/vars-O0
CMDS='info line
info functions ^val_
info functions ^add_len$
info functions ^touch$
info variables ^file_static$
info variables ^global_counter$
info variables ^grid$
info variables ^op_ptr$
info variables ^old_style$
info types ^point$
info types ^color$
info types ^counter_t$
info types ^outer$
info functions ^no_such_function_here$
info line add_len
info line tracees/vars.c:60
info address main
info address global_counter
info address file_static
info address no_such_symbol
info symbol main
info symbol $pc
info symbol &global_counter
info symbol 0'
start_tracerd
{
	printf 'launch %s\nbreak main\ncontinue\n' "$PROG"
	printf '%s\n' "$CMDS"
	printf 'info sharedlibrary\n'
} | tc --echo >"$T/tc" 2>&1
args=(-ex 'break main' -ex run)
while IFS= read -r l; do
	args+=(-ex "echo (tracectl) $l\n" -ex "$l")
done <<<"$CMDS"
gdb -nx -q -batch "${args[@]}" -ex 'info sharedlibrary' "$PROG" \
	>"$T/gdb" 2>&1 </dev/null

# from the first command on; addresses symbolic; gdb's "of FILE" after a
# section and the program's path kept
norm() {
	sed -n '/^(tracectl) info line$/,/^(tracectl) info symbol 0/p' "$1" |
		sed -E 's/0x[0-9a-f]+/ADDR/g'
}
norm "$T/gdb" >"$T/gdb.n"
norm "$T/tc" >"$T/tc.n"
check "gdb answered the commands (the comparison means something)" \
	[ "$(wc -l <"$T/gdb.n")" -ge 40 ]
check "info functions, variables, types, line, address, symbol: as gdb" \
	diff -u "$T/gdb.n" "$T/tc.n"
check "info symbol 0: gdb's message" has "$T/tc" '^No symbol matches 0\.$'
check "info functions: a declaration with its line, static" \
	has "$T/tc" '^[0-9]+:	static void val_i\(const char \*, long long\);$'
check "info line at the stop: main+N" \
	has "$T/tc" '^Line [0-9]+ of ".*vars.c" starts at address 0x[0-9a-f]+ <main\+[0-9]+> and ends at 0x[0-9a-f]+ <main\+[0-9]+>\.$'

# info sharedlibrary: gdb's header, the libraries in gdb's order with
# the link map's names, libc with its .text range
check "info sharedlibrary: gdb's header" \
	has "$T/tc" '^From                To                  Syms Read   Shared Object Library$'
check "info sharedlibrary: libc's .text" \
	has "$T/tc" '^0x[0-9a-f]{16}  0x[0-9a-f]{16}  Yes( \(\*\))? +/.*/libc\.so\.6$'
span() {
	local a b
	read -r a b _ < <(grep 'libc\.so\.6$' "$1")
	echo $((b - a))
}
check "info sharedlibrary: libc's .text as long as gdb's" \
	[ "$(span "$T/tc")" = "$(span "$T/gdb")" ]

libs() { sed -n '/^From  /,$p' "$1" | awk '$1 ~ /^0x/ { print $NF }'; }
libs "$T/gdb" >"$T/gdb.libs"
libs "$T/tc" >"$T/tc.libs"
check "gdb listed libraries" [ -s "$T/gdb.libs" ]
check "info sharedlibrary: gdb's libraries, names and order" \
	diff -u "$T/gdb.libs" "$T/tc.libs"

stop_tracerd
finish
