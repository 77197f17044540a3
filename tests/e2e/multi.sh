#!/bin/bash
# multi.sh: tracectl on tests/tracees/multi (four units, -O0 and -O2)
# against gdb 13's transcripts of the same commands on the same builds
# (multi/NAME-VARIANT.gdb, written by multi/expect.sh): the classes of
# answers a real program needs (types completed in another unit, arrays
# sized elsewhere, the selected frame for finish, ...). Each command's
# output must be gdb's, once addresses, pids and paths are normalized.
. "$(dirname "$0")/lib.sh"

M=$srcdir/tests/e2e/multi

# run_case NAME VARIANT: one session of NAME.cmds on multi-VARIANT.
run_case() {
	local name=$1 v=$2 want=$M/$1-$2.gdb got=$T/$1-$2.out
	start_tracerd --launch "$TRACEES/multi-$v"
	tc --echo <"$M/$name.cmds" 2>&1 | "$M/normalize.sh" >"$got"
	stop_tracerd
	# command by command, so a failure names the command
	local i=0 cmd
	while IFS= read -r cmd; do
		i=$((i + 1))
		check "$name-$v: $cmd" same_block "$want" "$got" "$i"
	done <"$M/$name.cmds"
}

# block FILE N: the output of the Nth command of a transcript.
block() {
	awk -v n="$2" '/^\(gdb\) /{k++} k==n' "$1"
}

same_block() {
	local a b
	a=$(block "$1" "$3")
	b=$(block "$2" "$3")
	[ "$a" = "$b" ] && return 0
	echo "--- gdb:" >&2
	printf '%s\n' "$a" >&2
	echo "--- tracectl:" >&2
	printf '%s\n' "$b" >&2
	return 1
}

for v in O0 O2; do
	run_case types "$v"
done
for v in O0 O2; do
	run_case finish "$v"
done
run_case inline O0
# next out of inlined calls back into the inlined frames around them
# (at -O2 a step out of inl_mid still leaves for the caller: not gdb's)
run_case stepout O0
for v in O0 O2; do
	run_case entry "$v"
	run_case inlbreak "$v"
	run_case breakerr "$v"
	run_case symbols "$v"
	run_case multiloc "$v"
	run_case stepinl "$v"
	run_case breakline "$v"
done
# libc's separate debug file (Debian's libc6-dbg, found by build-id), at
# -O0 (at -O2 gcc inlines glibc's atoi into main)
TRACERD_DEBUG_FILE_DIRECTORY=/usr/lib/debug run_case libcstep O0
TRACERD_DEBUG_FILE_DIRECTORY=/usr/lib/debug run_case libcbreak O0
finish
