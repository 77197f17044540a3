#!/bin/bash
# gdbcmp.sh: run the same commands through gdb 13 and through tracectl on tests/tracees/print.c at -O0 and -O2, stopped at its marked line, and count the answers that are identical.
#
#   tools/gdbcmp.sh [-v] BUILDDIR [CMDFILE]
#   tools/gdbcmp.sh [-v] -p PROGRAM -b LOCATION [-a ARGS] BUILDDIR CMDFILE
#
# The second form does the same on any program, stopped at the first hit
# of a breakpoint at LOCATION, run with ARGS (split at spaces), e.g. Lua:
#   tools/gdbcmp.sh -p /work/real/lua/build-O2/lua -b luaV_execute \
#       -a '-e x=1' build lua.cmds
#
# CMDFILE (default tests/gdbcmp.txt) holds one gdb command a line (print,
# print/FMT, output, call, set var, set $x = ..., ptype, whatis); lines
# starting with # are comments. Both debuggers run every command in order
# on their own copy of the program (print-O0, then print-O2, from
# BUILDDIR/tests/tracees: `make check` or `make tests/tracees/print-O0
# tests/tracees/print-O2` builds them), with address randomization off
# for both (gdb turns it off itself, tracerd runs under setarch -R).
# Answers are compared whole but for the history number of "$N = " (one
# answer where only one side made a value would shift every number after
# it; how many also have the same number is counted too) and stack
# addresses (0x7ff...), which depend on the environment each debugger
# gives the program. -v prints every answer that differs.
set -euo pipefail

verbose=0
prog_arg= loc= pargs=
while getopts vp:b:a: o; do
	case $o in
	v) verbose=1 ;;
	p) prog_arg=$OPTARG ;;
	b) loc=$OPTARG ;;
	a) pargs=$OPTARG ;;
	*) sed -n '3,10p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ] || { [ -n "$prog_arg" ] && { [ -z "$loc" ] || [ $# -lt 2 ]; }; }; then
	sed -n '3,10p' "$0" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
cmds=${2:-$root/tests/gdbcmp.txt}
if [ -z "$prog_arg" ]; then
	src=$root/tests/tracees/print.c
	loc=print.c:$(grep -n 'LINE:stop' "$src" | cut -d: -f1)
fi
tmp=$(mktemp -d)
[ -n "${GDBCMP_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT

mapfile -t list < <(grep -v '^#' "$cmds" | grep -v '^[[:space:]]*$')

# blocks FILE OUT: the answer to each command, one line each (lines of a
# multi-line answer joined with \n), in order.
blocks() {
	awk -v n="${#list[@]}" '
		# output prints no newline: a marker may end a line
		/@@@[0-9]+$/ { i = index($0, "@@@");
			if (i > 1 && cur != "")
				out[cur] = out[cur] == "" ? substr($0, 1, i - 1) \
					: out[cur] "\\n" substr($0, 1, i - 1)
			cur = substr($0, i + 3) + 0; seen[cur] = 1;
			out[cur] = ""; next }
		cur != "" && seen[cur] {
			out[cur] = out[cur] == "" ? $0 : out[cur] "\\n" $0 }
		END { for (i = 0; i < n; i++) print out[i] }
	' cur= "$1" | sed -E 's/0x7ff[0-9a-f]{9}/0x7ff.../g' >"$2"
}

# numbered ANSWERS: the same without the history numbers ("$12 = "
# becomes "$N = "): one answer that differs in whether it made a value
# (an error on one side) would shift every number after it.
unnumbered() {
	sed -E 's/^\$[0-9]+ = /$N = /; s/^Value returned is \$[0-9]+/Value returned is $N/' "$1"
}

total_same=0
total=0
if [ -n "$prog_arg" ]; then
	runs=(P)
else
	runs=(O0 O2)
fi
for opt in "${runs[@]}"; do
	if [ -n "$prog_arg" ]; then
		prog=$prog_arg
	else
		prog=$build/tests/tracees/print-$opt
	fi
	[ -x "$prog" ] || { echo "gdbcmp: no $prog (make check builds it)" >&2; exit 2; }

	# gdb 13: each command with -ex, so that an error does not end the run
	args=(-nx -batch -ex 'set print pretty off' -ex 'set width 0'
		-ex 'set height 0' -ex "break $loc" -ex run)
	for i in "${!list[@]}"; do
		args+=(-ex "echo @@@$i\\n" -ex "${list[$i]}")
	done
	# shellcheck disable=SC2086 # ARGS split at spaces, as documented
	gdb "${args[@]}" --args "$prog" $pargs >"$tmp/gdb.raw" 2>&1 </dev/null || true
	blocks "$tmp/gdb.raw" "$tmp/gdb.$opt"

	# tracerd and tracectl, one script on one connection
	# a socket and log of this build's own (the log of the previous run
	# must not be read as this one's)
	sock=$tmp/sock.$opt
	log=$tmp/tracerd.$opt
	setarch "$(uname -m)" -R "$build/server/tracerd" --socket "$sock" \
		--launch "$prog" $pargs >"$log" 2>&1 &
	tpid=$!
	for _ in $(seq 600); do
		grep -q listening "$log" 2>/dev/null && break
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.05
	done
	if ! grep -q listening "$log" 2>/dev/null; then
		echo "gdbcmp: tracerd did not start:" >&2
		cat "$log" >&2
		kill "$tpid" 2>/dev/null || true
		exit 1
	fi
	{
		echo "break $loc"
		echo continue
		for i in "${!list[@]}"; do
			echo "echo @@@$i\\n"
			echo "${list[$i]}"
		done
	} | "$build/tools/tracectl" --socket "$sock" >"$tmp/tc.raw" 2>&1 || true
	"$build/tools/tracectl" --socket "$sock" shutdown >/dev/null 2>&1 ||
		kill "$tpid" 2>/dev/null || true
	wait "$tpid" || true
	blocks "$tmp/tc.raw" "$tmp/tc.$opt"

	same=0
	numsame=0
	unnumbered "$tmp/gdb.$opt" >"$tmp/gdb.$opt.u"
	unnumbered "$tmp/tc.$opt" >"$tmp/tc.$opt.u"
	for i in "${!list[@]}"; do
		g=$(sed -n "$((i + 1))p" "$tmp/gdb.$opt")
		t=$(sed -n "$((i + 1))p" "$tmp/tc.$opt")
		[ "$g" = "$t" ] && numsame=$((numsame + 1))
		g=$(sed -n "$((i + 1))p" "$tmp/gdb.$opt.u")
		t=$(sed -n "$((i + 1))p" "$tmp/tc.$opt.u")
		if [ "$g" = "$t" ]; then
			same=$((same + 1))
		elif [ $verbose = 1 ]; then
			printf -- '-O%s  %s\n   gdb:      %s\n   tracectl: %s\n' \
				"${opt#O}" "${list[$i]}" "$g" "$t"
		fi
	done
	label=-$opt
	[ -z "$prog_arg" ] || label=$(basename "$prog")
	printf '%s: %d of %d answers identical to gdb 13 (%d with the same $N too)\n' \
		"$label" "$same" "${#list[@]}" "$numsame"
	total_same=$((total_same + same))
	total=$((total + ${#list[@]}))
done
printf 'total: %d of %d\n' "$total_same" "$total"
