#!/bin/bash
# dap.sh: the Debug Adapter Protocol front end, driven by Microsoft's own
# DAP test client (@vscode/debugadapter-testsupport's DebugClient) under
# node: tests/dap/scenario.js on tracerd --dap (stdio), then bad input on
# tracerd --dap-listen (tests/dap/framing.js), and the stdio adapter's
# clean end on a broken header. node and the npm package come from
# tools/quickstart (nodejs, npm; the package from tests/dap's lockfile);
# without node_modules in the tree the test installs the package from
# the lockfile into the build tree (npm ci, offline from npm's cache when
# it holds it).
. "$(dirname "$0")/lib.sh"

if ! command -v node >/dev/null; then
	echo "FAIL: node is not installed (tools/quickstart check installs" \
		"nodejs and npm)" >&2
	exit 1
fi
mods=$srcdir/tests/dap/node_modules
if [ ! -d "$mods/@vscode/debugadapter-testsupport" ]; then
	mods=$builddir/tests/dap/node_modules
	if [ ! -d "$mods/@vscode/debugadapter-testsupport" ]; then
		mkdir -p "$builddir/tests/dap"
		cp "$srcdir/tests/dap/package.json" \
			"$srcdir/tests/dap/package-lock.json" \
			"$builddir/tests/dap/"
		if ! (cd "$builddir/tests/dap" && npm ci --prefer-offline \
			--no-audit --no-fund >"$T/npm.log" 2>&1); then
			echo "FAIL: npm ci in $builddir/tests/dap:" >&2
			cat "$T/npm.log" >&2
			exit 1
		fi
	fi
fi
export NODE_PATH=$mods

# 1. the scenario, tracerd --dap on stdio as an editor starts it
node "$srcdir/tests/dap/scenario.js" --adapter tracerd --cmd "$TRACERD" \
	--program "$TRACEES/dap" --source "$srcdir/tests/tracees/dap.c" \
	--scale "$SCALE" >"$T/scenario.out" 2>&1
rc=$?
cat "$T/scenario.out"
check "the DAP scenario passes (exit $rc)" [ "$rc" -eq 0 ]
check "and ran all its checks" has "$T/scenario.out" \
	'^tracerd: [3-9][0-9] checks, 0 failed'

# 2. bad input over TCP; the daemon serves the next client
port=$((20000 + $$ % 20000))
start_tracerd --dap-listen 127.0.0.1:$port
node "$srcdir/tests/dap/framing.js" "$port" >"$T/framing.out" 2>&1
rc=$?
cat "$T/framing.out"
check "bad input: error responses or a clean close (exit $rc)" \
	[ "$rc" -eq 0 ]
# another local uid is refused on the loopback DAP listener, as on the
# other listeners (security.sh): no answer, the connection closed
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	msg='{"seq":1,"type":"request","command":"initialize","arguments":{}}'
	setpriv --reuid=65534 --regid=65534 --clear-groups bash -c \
		'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 3
		 printf "Content-Length: %d\r\n\r\n%s" ${#1} "$1" >&3
		 timeout 60 cat <&3' _ "$msg" >"$T/other.out" 2>"$T/other.err"
	check "uid 65534 gets nothing from --dap-listen" \
		[ ! -s "$T/other.out" ]
	check "and the daemon says why" has "$T/tracerd.err" \
		'uid 65534'
fi

# 3. the value tree over JSON-RPC (tree), on the daemon's own session
j='"jsonrpc":"2.0"'
mline=$(grep -n BP_MAIN "$srcdir/tests/tracees/dap.c" | head -n 1 | cut -d: -f1)
rpc_open
rpc 1 "{$j,\"id\":1,\"method\":\"launch\",\"params\":{\"program\":\"$TRACEES/dap\",\"stdout\":\"$T/prog.out\"}}"
rpc 2 "{$j,\"id\":2,\"method\":\"break\",\"params\":{\"location\":\"dap.c:$mline\"}}"
rpc 3 "{$j,\"id\":3,\"method\":\"continue\"}"
rpc 4 "{$j,\"id\":4,\"method\":\"tree\",\"params\":{\"what\":\"children\",\"expr\":\"o\",\"count\":2}}"
check "tree: o's first two members" like "$R" \
	'*"result":[{"name":"id","type":"int","value":"42","expr":"o.id","children":0,"indexed":false,"addr":*},{"name":"in","type":"struct inner","value":"{x = 1, y = 0.5}","expr":"o.in","children":2,"indexed":false,"addr":*}]}'
rpc 5 "{$j,\"id\":5,\"method\":\"tree\",\"params\":{\"what\":\"children\",\"expr\":\"o.arr\",\"start\":4,\"count\":9}}"
check "tree: the last element of o.arr, and no more" like "$R" \
	'*"result":[{"name":"[4]","type":"int","value":"50","expr":"o.arr[4]",*}]}'
rpc 6 "{$j,\"id\":6,\"method\":\"tree\",\"params\":{\"what\":\"children\",\"expr\":\"o.ptr\"}}"
check "tree: a pointer's children are its target's members" like "$R" \
	'*"result":[{"name":"x","type":"int","value":"7","expr":"o.ptr->x",*'
rpc 7 "{$j,\"id\":7,\"method\":\"tree\",\"params\":{\"expr\":\"add(1,2)\",\"no_calls\":true}}"
check "tree: no_calls refuses a call" like "$R" '*"error":*'
rpc 8 "{$j,\"id\":8,\"method\":\"tree\",\"params\":{\"what\":\"locals\"}}"
check "tree: the locals, o with 5 children" like "$R" \
	'*{"name":"o","type":"struct outer",*"expr":"o","children":5,*'
rpc 9 "{$j,\"id\":9,\"method\":\"tree\",\"params\":{\"what\":\"nothing\"}}"
check "tree: a bad what" like "$R" '*"error":{"code":-32602,*'
stop_tracerd

# 4. stdio: a broken header ends the adapter cleanly (exit 0), and so
# does a client that just goes
printf 'Content-Length: x\r\n\r\n{}' | "$TRACERD" --dap >"$T/s1.out" \
	2>"$T/s1.err"
rc=$?
check "stdio: a broken header, a clean exit (status $rc)" [ "$rc" -eq 0 ]
check "with an error response first" has "$T/s1.out" 'malformed header'
"$TRACERD" --dap </dev/null >"$T/s2.out" 2>"$T/s2.err"
rc=$?
check "stdio: end of input, a clean exit (status $rc)" [ "$rc" -eq 0 ]
check "and nothing but DAP on stdout" [ ! -s "$T/s2.out" ]
finish
