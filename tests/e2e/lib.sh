# lib.sh: shared by the end-to-end tests: start tracerd on a socket in the
# build tree, drive it with tracectl and raw JSON-RPC lines, check outputs.
# Sourced by each tests/e2e/*.sh; automake runs them with builddir and
# srcdir in the environment. Exit: 0 pass, 1 fail, 99 harness error.

set -u
: "${builddir:=.}"
: "${srcdir:=.}"
builddir=$(cd "$builddir" && pwd)
srcdir=$(cd "$srcdir" && pwd)
TRACERD=$builddir/server/tracerd
TRACECTL=$builddir/tools/tracectl
DEMO=$builddir/tools/demo-target
TRACEES=$builddir/tests/tracees
name=$(basename "$0" .sh)
# The socket lives in the build tree (a private directory of this test).
T=$builddir/tests/e2e/$name.tmp
rm -rf "$T"
mkdir -p -m 700 "$T"
SOCK=$T/tracerd.sock
failures=0
checks=0
tracerd_pid=
bg_pids=()

cleanup() {
	local p
	for p in "${bg_pids[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	if [ -n "$tracerd_pid" ]; then
		kill -9 "$tracerd_pid" 2>/dev/null
	fi
	wait 2>/dev/null
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# check DESC COMMAND...: one assertion.
check() {
	local desc=$1
	shift
	checks=$((checks + 1))
	if "$@"; then
		echo "ok: $desc"
	else
		fail "$desc"
	fi
}

# has FILE REGEX: FILE has a line matching the extended regex.
has() {
	if grep -Eq -- "$2" "$1"; then
		return 0
	fi
	echo "--- no line matches /$2/ in $1:" >&2
	sed 's/^/    /' "$1" | head -n 60 >&2
	return 1
}

hasnt() {
	if ! grep -Eq -- "$2" "$1"; then
		return 0
	fi
	echo "--- a line matches /$2/ in $1:" >&2
	grep -E -- "$2" "$1" | head -n 5 >&2
	return 1
}

# start_tracerd [ARGS...]: start the daemon on $SOCK, wait until it listens.
start_tracerd() {
	"$TRACERD" --socket "$SOCK" --log-level info "$@" \
		>"$T/tracerd.out" 2>"$T/tracerd.err" &
	tracerd_pid=$!
	local i
	for i in $(seq 400); do
		if grep -q listening "$T/tracerd.out" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$tracerd_pid" 2>/dev/null; then
			echo "tracerd did not start:" >&2
			cat "$T/tracerd.err" >&2
			exit 99
		fi
		sleep 0.05
	done
	echo "tracerd did not listen in 20 s" >&2
	exit 99
}

# stop_tracerd: ask it to shut down; its exit status must be 0 (the
# sanitizer builds fail it on a leak or a race).
stop_tracerd() {
	"$TRACECTL" --socket "$SOCK" shutdown >/dev/null 2>&1
	local rc=0
	wait "$tracerd_pid" || rc=$?
	tracerd_pid=
	check "tracerd exits 0 after shutdown (got $rc)" [ "$rc" -eq 0 ]
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$T/tracerd.err" >&2
	fi
}

# tc ARGS...: tracectl on our socket.
tc() {
	"$TRACECTL" --socket "$SOCK" "$@"
}

# rpc OUTFILE: send the JSON-RPC lines of stdin as they are; the replies
# (and notifications) land in OUTFILE.
rpc() {
	"$TRACECTL" --socket "$SOCK" --raw >"$1"
}

# reply FILE ID: the reply line with that id.
reply() {
	grep -E "\"id\":$2[,}]" "$1" | head -n 1
}

finish() {
	echo "$name: $checks checks, $failures failed"
	[ "$failures" -eq 0 ] && exit 0
	exit 1
}
