#!/bin/bash
# layers.sh: the layers of doc/INTERNALS.md hold in the code: each folder
# includes only the folders below it, and a folder's private header
# (*_int.h) only from inside that folder. A call to a higher layer by name
# needs its header, so this is where such a call would show.
# Exit: 0 pass, 1 fail.
set -u
: "${srcdir:=.}"
cd "$srcdir" || exit 99

failures=0
checks=0

# allowed FOLDER: the folders FOLDER's files may include, itself first.
allowed() {
	case $1 in
	src/base) echo "base" ;;
	src/target) echo "target base" ;;
	src/symbols) echo "symbols base" ;;
	src/control) echo "control symbols target base" ;;
	src/eval) echo "eval symbols target base" ;;
	src/session) echo "session control eval symbols target base" ;;
	server/core) echo "core session control eval symbols target base" ;;
	server/jsonrpc) echo "jsonrpc core $(allowed server/core)" ;;
	server/rsp) echo "rsp core $(allowed server/core)" ;;
	server/dap) echo "dap core $(allowed server/core)" ;;
	*) return 1 ;;
	esac
}

# The daemon's front ends sit on its core and never on each other; the
# core reaches them only through the hooks main.c gives it.
for dir in src/base src/target src/symbols src/control src/eval \
	src/session server/core server/jsonrpc server/rsp server/dap; do
	[ -d "$dir" ] || continue
	ok=$(allowed "$dir")
	for f in "$dir"/*.[ch]; do
		[ -e "$f" ] || continue
		while IFS= read -r inc; do
			top=${inc%%/*}
			checks=$((checks + 1))
			case " $ok " in
			*" $top "*) ;;
			*)
				echo "FAIL: $f includes $inc (a layer above it)"
				failures=$((failures + 1))
				;;
			esac
		done < <(sed -nE 's/^#include "([a-z_]+\/[^"]+)"/\1/p' "$f")
	done
done

# Private headers stay in their folder.
while IFS= read -r line; do
	f=${line%%:*}
	hdr=$(sed -nE 's/.*#include "([^"]+_int\.h)".*/\1/p' <<<"$line")
	checks=$((checks + 1))
	case $f in
	src/"${hdr%/*}"/*) ;;
	server/*) [[ $hdr == */* && $f == server/"${hdr%/*}"/* ]] ||
		[[ $hdr != */* ]] || {
		echo "FAIL: $f includes $hdr, private to another folder"
		failures=$((failures + 1))
	} ;;
	*)
		echo "FAIL: $f includes $hdr, private to another folder"
		failures=$((failures + 1))
		;;
	esac
done < <(grep -rn --include='*.[ch]' '#include "[^"]*_int\.h"' src server \
	tools bench tests 2>/dev/null)

# Nothing below server/ and tools/ includes them.
for dir in src proto; do
	checks=$((checks + 1))
	if grep -rlE '#include "(core|rsp|jsonrpc|dap|ctl)/' "$dir" \
		--include='*.[ch]' >/dev/null 2>&1; then
		echo "FAIL: $dir includes the daemon's or tracectl's headers"
		failures=$((failures + 1))
	fi
done

echo "layers: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
