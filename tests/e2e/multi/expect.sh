#!/bin/bash
# expect.sh BUILDDIR: write the expectations of multi.sh, NAME-VARIANT.gdb,
# from gdb's output on the same builds of tests/tracees/multi (run by hand
# with gdb 13 when a .cmds file or the program changes; the files are
# checked in). Each command is echoed as "(gdb) CMD" before its output;
# the first "continue" is gdb's "run" (tracerd launched the program).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
b=$(cd "$1" && pwd)
for cmds in "$here"/*.cmds; do
	name=$(basename "$cmds" .cmds)
	variants="O0 O2"
	case $name in libc* | stepout) variants=O0 ;; esac
	for v in $variants; do
		args=()
		first=1
		while IFS= read -r line; do
			args+=(-ex "echo (gdb) $line\\n")
			if [ "$line" = continue ] && [ $first = 1 ]; then
				line=run
				first=0
			fi
			args+=(-ex "$line")
		done <"$cmds"
		(cd "$b/tests/tracees" &&
			gdb -nx -q -batch -ex 'set debug-file-directory /usr/lib/debug' \
				"${args[@]}" "./multi-$v" 2>&1) |
			"$here/normalize.sh" >"$here/$name-$v.gdb"
	done
done
