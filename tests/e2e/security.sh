#!/bin/bash
# security.sh: what another local user (uid 65534, through setpriv) can
# and cannot do to a daemon of ours: the TCP and gdb listeners, a socket
# someone else serves, files named for a launch, the token and its
# limits, and a closed connection's queued requests.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "security.sh: needs root and setpriv to act as a second uid" >&2
	exit 77
fi
OTHER=65534
as_other() {
	setpriv --reuid=$OTHER --regid=$OTHER --clear-groups "$@"
}
# The other user's directory, and copies of our programs it can run when
# the build tree is closed to it.
N=$(mktemp -d "${TMPDIR:-/tmp}/tracerd-other.XXXXXX") || exit 99
chown $OTHER "$N"
chmod 700 "$N"
trap 'cleanup; rm -rf "$N"' EXIT
OTRACECTL=$TRACECTL
OTRACERD=$TRACERD
if ! as_other test -x "$TRACECTL"; then
	cp "$TRACECTL" "$TRACERD" "$N/"
	chown $OTHER "$N/tracectl" "$N/tracerd"
	OTRACECTL=$N/tracectl
	OTRACERD=$N/tracerd
fi
base=$((20000 + ($$ % 4000) * 5))
p_rpc=$base p_gdb=$((base + 1)) p_other=$((base + 2)) p_remote=$((base + 3))
printf 'a-token-of-twenty-chars\n' >"$T/token"
chmod 600 "$T/token"

# --- 1. the TCP and gdb listeners: only our uid ------------------------
start_tracerd --listen 127.0.0.1:$p_rpc --gdb 127.0.0.1:$p_gdb
rc=0
as_other "$OTRACECTL" --connect 127.0.0.1:$p_rpc launch /usr/bin/touch \
	"$N/pwned" >"$T/o1" 2>&1 || rc=$?
check "another uid's tracectl over loopback TCP fails (exit $rc)" [ "$rc" -ne 0 ]
check "the daemon refused it by its uid" \
	wait_for "$T/tracerd.err" "refused a tcp client of uid $OTHER"
# the gdb port: a raw vRun, as another user
run_pkt=$(rsp_pkt "vRun;$(printf '%s' /usr/bin/touch | od -An -tx1 |
	tr -d ' \n');$(printf '%s' "$N/pwned" | od -An -tx1 | tr -d ' \n')")
as_other bash -c "exec 3<>/dev/tcp/127.0.0.1/$p_gdb || exit 0
	printf '%s' '$run_pkt' >&3 2>/dev/null
	printf '%s' '$(rsp_pkt c)' >&3 2>/dev/null
	timeout 20 cat <&3 >'$N/gdb-reply' 2>/dev/null" 2>/dev/null
check "another uid on the gdb port is refused" \
	wait_for "$T/tracerd.err" "refused a gdb client of uid $OTHER"
check "and gets no reply" [ ! -s "$N/gdb-reply" ]
tc sessions >"$T/o2" 2>&1
check "no session was made" has "$T/o2" 'No sessions|no sessions'
check "nothing ran" [ ! -e "$N/pwned" ]
"$TRACECTL" --connect 127.0.0.1:$p_rpc sessions >"$T/o3" 2>&1
check "our own uid is served over TCP" has "$T/o3" 'No sessions|no sessions'
stop_tracerd
start_tracerd --listen 127.0.0.1:$p_rpc --allow-uid $OTHER
as_other "$OTRACECTL" --connect 127.0.0.1:$p_rpc sessions >"$T/o4" 2>&1
check "--allow-uid $OTHER lets it in" has "$T/o4" 'No sessions|no sessions'
stop_tracerd

rc=0
"$TRACERD" --socket "$SOCK" --gdb 0.0.0.0:$p_remote --allow-remote \
	>/dev/null 2>"$T/e1" || rc=$?
check "a non-loopback --gdb without a token does not start (exit $rc)" \
	[ "$rc" -eq 1 ]
check "and says why" has "$T/e1" 'needs --allow-remote and --token-file'

# gdb from another address (this machine's own, not loopback): the
# token first, with monitor auth, then attach to the daemon's session.
addr=$(ip -4 -o addr show scope global 2>/dev/null |
	awk '{ sub("/.*", "", $4); print $4; exit }')
if [ -n "$addr" ] && command -v gdb >/dev/null; then
	start_tracerd --gdb 0.0.0.0:$p_remote --allow-remote \
		--token-file "$T/token" --launch "$TRACEES/e2e" spin
	pid=$(sed -nE 's/.*session 1: launched process ([0-9]+).*/\1/p' \
		"$T/tracerd.err" | head -n 1)
	gdb -nx -batch -ex "target extended-remote $addr:$p_remote" \
		-ex "attach $pid" -ex 'print ticks' >"$T/g1" 2>&1
	check "gdb from $addr without the token cannot attach" \
		hasnt "$T/g1" '^\$1 = 0'
	gdb -nx -batch -ex "target extended-remote $addr:$p_remote" \
		-ex 'monitor auth a-token-of-twenty-chars' \
		-ex "attach $pid" -ex 'print ticks' -ex 'detach' \
		>"$T/g2" 2>&1
	check "with monitor auth it attaches to the session" \
		has "$T/g2" '^Authenticated'
	check "and reads the target" has "$T/g2" '^\$1 = 0'
	gdb -nx -batch -ex "target extended-remote $addr:$p_remote" \
		-ex 'monitor auth wrong-token-of-twenty-chars' >"$T/g3" 2>&1
	check "a wrong token is logged" \
		wait_for "$T/tracerd.err" 'wrong token from a gdb client'
	stop_tracerd
else
	echo "security.sh: no non-loopback IPv4 address or no gdb: the" \
		"remote gdb checks are left out" >&2
fi

# --- 2. files named for a launch ---------------------------------------
start_tracerd
rpc_open
j='"jsonrpc":"2.0"'
printf 'precious\n' >"$T/keep"
rpc 1 "{$j,\"id\":1,\"method\":\"launch\",\"params\":{\"program\":\"/nonexistent/prog\",\"stdout\":\"$T/keep\",\"stderr\":\"$T/new\"}}"
check "a launch that fails is an error" like "$R" '*"error"*cannot execute*'
check "and leaves its stdout file as it was" \
	[ "$(cat "$T/keep")" = precious ]
check "and makes no stderr file" [ ! -e "$T/new" ]
printf 'precious\n' >"$T/victim"
as_other ln -s "$T/victim" "$N/out"
rpc 2 "{$j,\"id\":2,\"method\":\"launch\",\"params\":{\"program\":\"$TRACEES/e2e\",\"args\":[\"exit\",\"0\"],\"stdout\":\"$N/out\"}}"
check "a symbolic link of another uid is not followed" \
	like "$R" "*\"error\"*belongs to uid $OTHER*not followed*"
check "the file it points to is untouched" [ "$(cat "$T/victim")" = precious ]
printf 'old old old old old old old\n' >"$T/out"
ln -s "$T/out" "$T/link"
rpc 3 "{$j,\"id\":3,\"method\":\"launch\",\"params\":{\"program\":\"$TRACEES/e2e\",\"args\":[\"exit\",\"0\"],\"stdout\":\"$T/link\"}}"
check "our own link is followed" like "$R" '*"result":{"session":*'
rpc 4 "{$j,\"id\":4,\"method\":\"continue\"}"
check "the program runs to its end" like "$R" '*"exit_code":0*'
check "its output replaced the old content" has "$T/out" '^pid [0-9]+ tick'
check "all of it" hasnt "$T/out" 'old'
printf 'theirs\n' >"$N/theirs"
chown $OTHER "$N/theirs"
rpc 5 "{$j,\"id\":5,\"method\":\"launch\",\"params\":{\"program\":\"$TRACEES/e2e\",\"stdout\":\"$N/theirs\"}}"
check "another uid's file is not written" \
	like "$R" "*\"error\"*belongs to uid $OTHER*"
stop_tracerd

# --- 3. tracectl trusts only a server of ours ---------------------------
mkdir -m 700 "$N/run"
chown $OTHER "$N/run"
# (it lets root in: tracectl's own check is what is tested)
as_other "$OTRACERD" --socket "$N/run/s" --listen 127.0.0.1:$p_other \
	--allow-uid 0 \
	>"$T/other.out" 2>"$T/other.err" &
other_pid=$!
bg_pids+=("$other_pid")
check "another uid's daemon starts" wait_for "$T/other.out" listening
rc=0
"$TRACECTL" --socket "$N/run/s" sessions >"$T/o5" 2>&1 || rc=$?
check "its socket's directory is refused (exit $rc)" [ "$rc" -ne 0 ]
check "with the reason" has "$T/o5" "belongs to uid $OTHER"
mkdir -m 755 "$T/pub"
mv "$N/run/s" "$T/pub/s"
rc=0
"$TRACECTL" --socket "$T/pub/s" sessions >"$T/o6" 2>&1 || rc=$?
check "a socket served by another uid is refused (exit $rc)" [ "$rc" -ne 0 ]
check "SO_PEERCRED told" has "$T/o6" "served by uid $OTHER"
rc=0
"$TRACECTL" --connect 127.0.0.1:$p_other sessions >"$T/o7" 2>&1 || rc=$?
check "so is a loopback TCP server of another uid (exit $rc)" [ "$rc" -ne 0 ]
check "found in /proc/net/tcp" has "$T/o7" "served by uid $OTHER"
kill "$other_pid"
wait "$other_pid" 2>/dev/null

# --- 4. --socket never deletes a file -----------------------------------
printf 'data\n' >"$T/file"
rc=0
"$TRACERD" --socket "$T/file" >/dev/null 2>"$T/e2" || rc=$?
check "--socket naming a regular file does not start (exit $rc)" [ "$rc" -eq 1 ]
check "and says why" has "$T/e2" 'exists and is not a socket'
check "the file is still there" [ "$(cat "$T/file")" = data ]

# --- 5. guessing the token ----------------------------------------------
start_tracerd --listen 127.0.0.1:$p_rpc --token-file "$T/token"
exec 3<>/dev/tcp/127.0.0.1/$p_rpc
t0=$(date +%s%N)
for i in 1 2 3 4 5; do
	printf '{"jsonrpc":"2.0","id":%d,"method":"auth","params":{"token":"guess-number-%d-of-many"}}\n' \
		$i $i >&3
done
IFS= read -r -t 30 line <&3
t1=$(date +%s%N)
check "a wrong token is told" like "$line" '*"id":1,"error":{"code":-32006,"message":"wrong token"}*'
check "no sooner than a second later ($(((t1 - t0) / 1000000)) ms)" \
	[ $(((t1 - t0) / 1000000)) -ge 900 ]
rest=$(timeout 30 cat <&3 2>/dev/null)
check "then the connection is closed, the other guesses unanswered" \
	[ -z "$rest" ]
exec 3>&-
# 16 clients without a token at once; the 17th is turned away
for fd in $(seq 10 25); do
	eval "exec $fd<>/dev/tcp/127.0.0.1/$p_rpc"
done
wait_count "$T/tracerd.err" 'connected \(127' 17
exec 26<>/dev/tcp/127.0.0.1/$p_rpc
rest=$(timeout 30 cat <&26 2>/dev/null)
check "a 17th client without a token is hung up on" \
	wait_for "$T/tracerd.err" 'others have not presented their token'
exec 26>&-
for fd in $(seq 10 25); do
	eval "exec $fd>&-"
done
"$TRACECTL" --connect 127.0.0.1:$p_rpc --token-file "$T/token" \
	sessions >"$T/o8" 2>&1
check "the right token still works" has "$T/o8" 'No sessions|no sessions'
stop_tracerd

# --- 6. a closed connection's queued requests ---------------------------
start_tracerd
tc launch "$TRACEES/e2e" spin >/dev/null
tc break tick >/dev/null
tc continue >/dev/null
# A slow call first (usleep in the target, 4 s), then 70 requests that
# each add one to ticks: a connection may have 64 at once, the call
# included.
{
	printf '{"jsonrpc":"2.0","id":1,"method":"eval","params":{"expr":"(int)usleep(4000000)"}}\n'
	for i in $(seq 2 71); do
		printf '{"jsonrpc":"2.0","id":%d,"method":"eval","params":{"expr":"ticks = ticks + 1"}}\n' $i
	done
} >"$T/pipe1"
tc print 'ticks = 0' >/dev/null
raw_client r1
cat "$T/pipe1" >&7
check "all 71 pipelined requests are answered" \
	wait_count "$T/r1" '"id":[0-9]+,' 71 60
check "7 of them refused: 64 may be queued" \
	[ "$(grep -c 'too many requests queued by this client (64)' "$T/r1")" -eq 7 ]
tc print ticks >"$T/o9"
check "the 63 queued ran" has "$T/o9" '= 63$'
exec 7>&-
# Now the same, but the client leaves while the call runs: what it
# queued is cancelled, the request running finishes.
tc print 'ticks = 0' >/dev/null
"$TRACECTL" --socket "$SOCK" --raw <"$T/pipe1" >/dev/null
check "its queued requests are cancelled when it leaves" \
	wait_for "$T/tracerd.err" 'left: 63 queued requests cancelled' 60
tc print ticks >"$T/o10"
check "none of them ran" has "$T/o10" '= 0$'
stop_tracerd
finish
