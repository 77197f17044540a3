#!/bin/bash
# source.sh: tracectl's list and the JSON-RPC method source behind it,
# set/show/unset substitute-path, on the demo program: each listing
# compared with the lines of the file as gdb 13 prints them ("N\tTEXT",
# ten lines with the line asked for sixth, on from the last on a
# repeated list).
. "$(dirname "$0")/lib.sh"

SRC=$srcdir/tools/demo-target.c
# lines A..B of the demo's source as gdb lists them
lines() {
	awk -v a="$1" -v b="$2" 'NR >= a && NR <= b { print NR "\t" $0 }' "$SRC"
}
# the demo as its unit names it (gdb's symtab name), for the messages
NLINES=$(wc -l <"$SRC")
entry() { grep -n "^$1(" "$SRC" | cut -d: -f1; }
# gcc puts a function's entry at its '{', the line after the name
compute_l=$(($(entry compute) + 1))
walk_l=$(($(entry walk) + 1))
add_l=$(grep -n 'return a + b;' "$SRC" | cut -d: -f1)
call_l=$(grep -n 'sum += add' "$SRC" | cut -d: -f1)

# the demo's unit name as DWARF has it: relative to its compilation
# directory (the build directory, physical path) when configure was run
# by a relative path, absolute when by an absolute one (tools/quickstart)
CDIR=$(cd "$builddir" && pwd -P)
UNIT=$(readelf --debug-dump=info "$DEMO" 2>/dev/null |
	awk '/DW_AT_name/ && /demo-target\.c/ { print $NF; exit }')
case $UNIT in
/*)	RFROM=$(dirname "$(dirname "$UNIT")") RTO=$T/moved ;;
*)	RFROM=$CDIR RTO=$T/moved/build ;;
esac
check "the demo's unit name found ($UNIT)" [ -n "$UNIT" ]

# a copy of the sources moved elsewhere, one line changed to tell them
mkdir -p "$T/moved/tools" "$T/moved/build"
sed 's/hello, world/moved copy/' "$SRC" >"$T/moved/tools/demo-target.c"

start_tracerd --launch "$DEMO"
tc <<SCRIPT >"$T/s1" 2>&1
echo <list compute>\n
list compute
echo <list>\n
list
echo <list walk,>\n
list walk,
echo <list 10,12>\n
list 10,12
echo <list demo-target.c:50>\n
list demo-target.c:50
echo <list past>\n
list
echo <list nosuch.c:3>\n
list nosuch.c:3
echo <list nosuchfn>\n
list nosuchfn
echo <list 12,10>\n
list 12,10
echo <break>\n
break add
continue
echo <list at stop>\n
list
echo <up>\n
up
echo <list up>\n
list
echo <list ->\n
list -
echo <list ,20>\n
list ,20
echo <list 30,>\n
list 30,
set substitute-path $RFROM /nonexistent/dir
echo <show 1>\n
show substitute-path
echo <list moved>\n
list demo-target.c:10,11
set substitute-path /elsewhere/x /y
unset substitute-path $RFROM
echo <show 2>\n
show substitute-path
set substitute-path $RFROM $RTO
echo <list moved copy>\n
list demo-target.c:10,10
unset substitute-path $RFROM
echo <list back>\n
list demo-target.c:10,11
echo <unset unknown>\n
unset substitute-path /zz
SCRIPT
# section NAME: the lines after "<NAME>" up to the next "<...>" line
section() {
	awk -v n="<$1>" '$0 == n { on = 1; next } /^<.*>$/ { on = 0 } on' "$T/s1"
}
same() { # DESC NAME EXPECTED
	section "$2" >"$T/got"
	if [ -n "$3" ]; then printf '%s\n' "$3"; fi >"$T/want"
	check "$1" diff -u "$T/want" "$T/got"
}
same "list FUNCTION: ten lines around its entry" "list compute" \
	"$(lines $((compute_l - 5)) $((compute_l + 4)))"
same "list again goes on" "list" \
	"$(lines $((compute_l + 5)) $((compute_l + 14)))"
same "list FUNCTION, starts at its entry" "list walk," \
	"$(lines $walk_l $((walk_l + 9)))"
same "list N,M in the current file" "list 10,12" "$(lines 10 12)"
same "list FILE:N" "list demo-target.c:50" "$(lines 45 $NLINES)"
same "list past the end says so" "list past" \
	"Line number $((NLINES + 1)) out of range; $UNIT has $NLINES lines."
same "an unknown file" "list nosuch.c:3" "No source file named nosuch.c."
same "an unknown function" "list nosuchfn" 'Function "nosuchfn" not defined.'
same "a range backwards lists nothing (gdb 13)" "list 12,10" ""
check "the stop shows its source line" has "$T/s1" \
	"^$add_l"$'\t\treturn a [+] b;$'
same "list at a stop: around the stop" "list at stop" \
	"$(lines $((add_l - 5)) $((add_l + 4)))"
same "list after up: around the frame's line" "list up" \
	"$(lines $((call_l - 5)) $((call_l + 4)))"
same "list -: the ten lines before" "list -" \
	"$(lines $((call_l - 15)) $((call_l - 6)))"
same "list ,M: ten lines ending at M" "list ,20" "$(lines 11 20)"
same "list N,: ten lines from N" "list 30," "$(lines 30 39)"
same "show substitute-path lists the rule" "show 1" \
	"List of all source path substitution rules:
  \`$RFROM' -> \`/nonexistent/dir'."
same "a rewritten file that is not there" "list moved" \
	"10	$UNIT: No such file or directory."
same "unset removes one rule, the other remains" "show 2" \
	"List of all source path substitution rules:
  \`/elsewhere/x' -> \`/y'."
same "a rule that finds the moved copy reads it" "list moved copy" \
	"10	char greeting[64] = \"moved copy\";"
same "the file again once the rule is gone" "list back" "$(lines 10 11)"
same "unset of an unknown rule" "unset unknown" \
	"No substitution rule defined for \`/zz'"

# rmatch STRING REGEX...: STRING matches each extended regex.
rmatch() {
	local s=$1 p
	shift
	for p in "$@"; do
		if ! [[ $s =~ $p ]]; then
			echo "--- '$s' does not match /$p/" >&2
			return 1
		fi
	done
}

# The method itself: ranges clipped at the end, bad params refused.
rpc_open
rpc 1 '{"jsonrpc":"2.0","id":1,"method":"source","params":{"location":"add"}}'
check "source by location: file, line, lines, total" rmatch "$R" \
	"\"line\":$((add_l - 1))," '"total":'"$NLINES" '"lines":\['
rpc 2 '{"jsonrpc":"2.0","id":2,"method":"source","params":{"file":"demo-target.c","from":50,"to":9999}}'
check "a range past the end is clipped" rmatch "$R" "\"from\":50,\"to\":$NLINES,"
rpc 3 '{"jsonrpc":"2.0","id":3,"method":"source","params":{"file":"demo-target.c","from":9,"to":3}}'
check "a backwards range is refused" rmatch "$R" '"code":-32602'
rpc 4 '{"jsonrpc":"2.0","id":4,"method":"source","params":{}}'
check "neither file nor location is refused" rmatch "$R" '"code":-32602'
rpc 5 '{"jsonrpc":"2.0","id":5,"method":"substitute_path","params":{"from":"/a"}}'
check "a rule without its TO is refused" rmatch "$R" '"code":-32602'
rpc 6 '{"jsonrpc":"2.0","id":6,"method":"substitute_path","params":{}}'
check "the rules read back" rmatch "$R" '"rules":\[\{"from":"/elsewhere/x","to":"/y"\}\]'
stop_tracerd
finish
