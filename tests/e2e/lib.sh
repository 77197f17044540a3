# lib.sh: shared by the end-to-end tests: start tracerd on a socket in a
# private directory under /tmp, drive it with tracectl and raw JSON-RPC
# lines, check outputs.
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
# The test's files and the socket live in a private directory under /tmp
# (TMPDIR): a socket path is limited to 108 bytes, which a build tree in
# a deep directory exceeds. It is removed when the test passes.
T=$(mktemp -d "${TMPDIR:-/tmp}/tracerd-$name.XXXXXX") || exit 99
chmod 700 "$T"
SOCK=$T/tracerd.sock
failures=0
checks=0
# Waits are sized for a loaded 2-CPU machine, and four times longer in a
# sanitizer build (TSan runs tracerd 5-15 times slower): a test never
# fails for want of speed, it only waits longer before it fails.
SCALE=1
if grep -q '^SANITIZER_CFLAGS = -fsanitize' "$builddir/Makefile" 2>/dev/null; then
	SCALE=4
fi
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
	# emptied here, not by the child's redirection: the wait below
	# must not see the "listening" of a tracerd started before
	: >"$T/tracerd.out"
	"$TRACERD" --socket "$SOCK" --log-level info "$@" \
		>"$T/tracerd.out" 2>"$T/tracerd.err" &
	tracerd_pid=$!
	local i
	for i in $(seq $((400 * SCALE))); do
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
	echo "tracerd did not listen in $((20 * SCALE)) s" >&2
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
	if [ "$failures" -eq 0 ]; then
		cleanup
		rm -rf "$T"
		exit 0
	fi
	echo "$name: its files are kept in $T" >&2
	exit 1
}

# A raw JSON-RPC conversation on one connection: rpc_open, then
# rpc ID LINE sends LINE and waits for the reply of that id, into $R;
# every line received is also appended to $T/rpc.log (notifications too).
rpc_open() {
	coproc RPC { "$TRACECTL" --socket "$SOCK" --raw; }
	bg_pids+=("$RPC_PID")
}

rpc() {
	local id=$1 line=$2 l
	printf '%s\n' "$line" >&"${RPC[1]}"
	R=
	while IFS= read -r -t $((30 * SCALE)) l <&"${RPC[0]}"; do
		printf '%s\n' "$l" >>"$T/rpc.log"
		case $l in
		*"\"id\":$id,"* | *"\"id\":$id}"*)
			R=$l
			return 0
			;;
		esac
	done
	echo "no reply to: $line" >&2
	return 1
}

# like STRING PATTERN: STRING is PATTERN, where '*' stands for any text
# and every other character for itself (for the JSON lines in $R).
like() {
	local s=$1 p=$2 seg
	seg=${p%%\**}
	if [[ $p != *\** ]]; then
		[[ $s == "$seg" ]] && return 0
		echo "--- '$1' is not '$2'" >&2
		return 1
	fi
	if [[ ${s:0:${#seg}} != "$seg" ]]; then
		echo "--- '$1' does not start like '$2'" >&2
		return 1
	fi
	s=${s:${#seg}}
	p=${p#*\*}
	while [[ $p == *\** ]]; do
		seg=${p%%\**}
		p=${p#*\*}
		[ -z "$seg" ] && continue
		if [[ $s != *"$seg"* ]]; then
			echo "--- '$1' is not like '$2': no '$seg'" >&2
			return 1
		fi
		s=${s#*"$seg"}
	done
	if [[ $s != *"$p" ]]; then
		echo "--- '$1' does not end like '$2'" >&2
		return 1
	fi
}

# wait_for FILE REGEX [SECONDS]: until FILE has a line matching REGEX.
wait_for() {
	local i n=$((${3:-20} * 20 * SCALE))
	for ((i = 0; i < n; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "--- waited in vain for /$2/ in $1:" >&2
	tail -n 20 "$1" >&2 2>/dev/null
	return 1
}

# raw_client NAME: a second raw connection fed through a fifo: lines
# written to fd 7 go to tracerd, everything received lands in $T/NAME.
raw_client() {
	mkfifo "$T/$1.in"
	"$TRACECTL" --socket "$SOCK" --raw <"$T/$1.in" >"$T/$1" &
	bg_pids+=("$!")
	exec 7>"$T/$1.in"
}

# alive PID: the process exists and is not a zombie.
alive() {
	[ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status"
}

# code_bytes PID ADDR: 8 bytes of PID's memory at ADDR, in hex (root may
# read a process's memory without stopping it).
code_bytes() {
	dd if="/proc/$1/mem" bs=1 skip=$(($2)) count=8 iflag=skip_bytes \
		status=none 2>/dev/null | od -An -tx1 | tr -d ' \n'
}

# wait_count FILE REGEX N [SECONDS]: until FILE has N lines matching.
wait_count() {
	local i n=$((${4:-20} * 20 * SCALE))
	for ((i = 0; i < n; i++)); do
		[ "$(grep -cE -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.05
	done
	echo "--- fewer than $3 lines match /$2/ in $1" >&2
	return 1
}

# rsp_read FD FILE N: append what comes on descriptor FD to FILE until it
# holds N packets ($...#xx), or nothing more came for a long while: the
# replies to packets sent all at once, however slowly they come.
rsp_read() {
	local i n
	for ((i = 0; i < 60 * SCALE; i++)); do
		n=$(grep -oE '\$[^$#]*#[0-9a-f]{2}' "$2" 2>/dev/null | wc -l)
		[ "$n" -ge "$3" ] && return 0
		timeout 1 cat <&"$1" >>"$2" 2>/dev/null
	done
	echo "--- $2: fewer than $3 replies" >&2
	return 1
}

# rsp_pkt PAYLOAD: a GDB remote protocol packet, $PAYLOAD#checksum. The
# checksum is computed in one process whatever the size: a subshell per
# character took half an hour for a 140,000-byte packet on a loaded
# machine.
rsp_pkt() {
	local s=$1 sum
	sum=$(printf '%s' "$s" | od -An -v -tu1 |
		awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s % 256 }')
	printf '$%s#%02x' "$s" "$sum"
}

# sym_addr PID PROGRAM SYM: where SYM of PROGRAM (a PIE) lies in PID,
# in hex
sym_addr() {
	local base off
	base=$(grep -m1 -E " $2\$" "/proc/$1/maps" | cut -d- -f1)
	off=$(nm "$2" | awk -v s="$3" '$3 == s { print $1 }')
	printf '%x' $((0x$base + 0x$off))
}

# our_pid CMDLINE: the pid of the program this test's tracerd launched
# with exactly that command line (its child: tests running side by side,
# or one left behind by an earlier run, launch the same program)
our_pid() {
	pgrep -P "$tracerd_pid" -xf "$1" | head -n 1
}

# perms_at PID ADDR: the permissions of the mapping holding ADDR
perms_at() {
	local lo hi perms rest a=$((0x$2))
	while read -r range perms rest; do
		lo=$((0x${range%-*}))
		hi=$((0x${range#*-}))
		if [ "$a" -ge "$lo" ] && [ "$a" -lt "$hi" ]; then
			echo "$perms"
			return
		fi
	done <"/proc/$1/maps"
}
