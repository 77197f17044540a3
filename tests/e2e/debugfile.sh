#!/bin/bash
# debugfile.sh: a program whose DWARF lives in a separate debug file, found
# as gdb finds it: by .gnu_debuglink next to the program (its CRC checked),
# by build-id under a debug directory, and through a debuginfod server
# (Debian's debuginfod on 127.0.0.1, serving a directory that holds the
# debug file; tracerd fetches it with libdebuginfod into its cache).
. "$(dirname "$0")/lib.sh"

PROG=$TRACEES/multi-O0
unset DEBUGINFOD_URLS
export TRACERD_DEBUG_FILE_DIRECTORY=$T/none

# session NAME PROG: break in use_shape, see its frame and types
session() {
	start_tracerd --launch "$2"
	tc --echo >"$T/$1.out" 2>&1 <<'CMDS'
break use_shape
continue
bt
print *s
print s->area(s)
print (void *)&banner[2]
CMDS
	stop_tracerd
}

# the stripped program knows nothing of use_shape on its own
strip_all() {
	objcopy --strip-all "$@"
}

# 1. .gnu_debuglink next to the program
mkdir -p "$T/link"
objcopy --only-keep-debug "$PROG" "$T/link/multi.debug"
strip_all --add-gnu-debuglink="$T/link/multi.debug" "$PROG" "$T/link/multi"
session link "$T/link/multi"
check "debuglink: the breakpoint has a line" has "$T/link.out" \
	'^Breakpoint 1 at 0x[0-9a-f]+: file main.c, line 12\.$'
check "debuglink: stopped with the argument" has "$T/link.out" \
	'^Breakpoint 1, use_shape \(s=0x[0-9a-f]+\) at main.c:12$'
check "debuglink: backtrace from its DWARF" has "$T/link.out" \
	'^#1  0x[0-9a-f]+ in main \(\) at main.c:21$'
check "debuglink: types from the debug file" has "$T/link.out" \
	'^\$1 = \{w = 6, h = 7, name = 0x[0-9a-f]+ "rect", area = 0x[0-9a-f]+ <rect_area>, next = 0x0\}$'
check "debuglink: a call through a member" has "$T/link.out" '^\$2 = 42$'
# gdb reads the minimal symbols of the debug file's .symtab: static data
# is named too
check "debuglink: data named from the debug file's .symtab" \
	has "$T/link.out" '^\$3 = \(void \*\) 0x[0-9a-f]+ <banner\+2>$'

# 2. a debug file whose CRC is not the link's is not used
mkdir -p "$T/badcrc"
cp "$T/link/multi.debug" "$T/badcrc/multi.debug"
printf 'x' >>"$T/badcrc/multi.debug"
cp "$T/link/multi" "$T/badcrc/multi"
session badcrc "$T/badcrc/multi"
check "debuglink: a wrong CRC is refused" has "$T/badcrc.out" \
	'^Function "use_shape" not defined\.$'

# 3. by build-id under a debug directory (no link)
id=$(readelf -n "$PROG" | sed -nE 's/^ *Build ID: ([0-9a-f]+)$/\1/p')
check "the program has a build-id ($id)" [ ${#id} -ge 16 ]
mkdir -p "$T/dbg/.build-id/${id:0:2}" "$T/bid"
cp "$T/link/multi.debug" "$T/dbg/.build-id/${id:0:2}/${id:2}.debug"
strip_all "$PROG" "$T/bid/multi"
TRACERD_DEBUG_FILE_DIRECTORY=$T/elsewhere:$T/dbg session bid "$T/bid/multi"
check "build-id: stopped with the argument" has "$T/bid.out" \
	'^Breakpoint 1, use_shape \(s=0x[0-9a-f]+\) at main.c:12$'
check "build-id: types from the debug file" has "$T/bid.out" '^\$2 = 42$'
check "build-id: data named from the debug file's .symtab" \
	has "$T/bid.out" '^\$3 = \(void \*\) 0x[0-9a-f]+ <banner\+2>$'

# 4. debuginfod: the server holds the debug file, nothing is local
mkdir -p "$T/srv" "$T/cache" "$T/pollcache"
cp "$T/link/multi.debug" "$T/srv/multi.debug"
port=
for try in 1 2 3 4 5; do
	p=$((20000 + RANDOM % 30000))
	debuginfod -F -p "$p" -d "$T/srv.sqlite" -t 0 -g 0 "$T/srv" \
		>"$T/debuginfod.log" 2>&1 &
	dpid=$!
	bg_pids+=("$dpid")
	# until it serves the file (its scan done), through a cache of
	# the poll's own, emptied each time (the client remembers misses)
	for i in $(seq $((100 * SCALE))); do
		rm -rf "$T/pollcache"
		if DEBUGINFOD_URLS=http://127.0.0.1:$p \
			DEBUGINFOD_CACHE_PATH=$T/pollcache \
			debuginfod-find debuginfo "$id" >/dev/null 2>&1; then
			port=$p
			break
		fi
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$port" ] && break
	kill "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
done
check "debuginfod serves the debug file" [ -n "$port" ]
DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH=$T/cache \
	session dbgd "$T/bid/multi"
check "debuginfod: stopped with the argument" has "$T/dbgd.out" \
	'^Breakpoint 1, use_shape \(s=0x[0-9a-f]+\) at main.c:12$'
check "debuginfod: types from the fetched file" has "$T/dbgd.out" '^\$2 = 42$'
check "debuginfod: the file is in tracerd's cache" \
	[ -s "$T/cache/$id/debuginfo" ]
finish
