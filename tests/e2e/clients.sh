#!/bin/bash
# clients.sh: several clients at once: notifications to every follower,
# requests refused while the target runs, interrupt from another client,
# interleaved requests answered in order, a client vanishing mid-continue.
. "$(dirname "$0")/lib.sh"

start_tracerd --launch "$TRACEES/e2e" spin
j='"jsonrpc":"2.0"'
rpc_open
raw_client b

rpc 1 "{$j,\"id\":1,\"method\":\"break\",\"params\":{\"location\":\"tick\"}}"
check "A: break" like "$R" '*"result":{"id":1,*'
# B follows the session (any request naming it does).
echo "{$j,\"id\":100,\"method\":\"follow\",\"params\":{\"session\":1}}" >&7
check "B: follow" wait_for "$T/b" '"id":100,"result":\{"session":1\}'
rpc 2 "{$j,\"id\":2,\"method\":\"continue\"}"
check "A: the stop" like "$R" '*"reason":"breakpoint"*"function":"tick"*'
check "B hears of A's stop" wait_for "$T/b" \
	'"method":"stopped","params":\{"session":1,"stop":\{"event":"stop","reason":"breakpoint"'
rpc 3 "{$j,\"id\":3,\"method\":\"delete\",\"params\":{\"id\":1}}"

# until_running: B asks for the state until the target runs (a run
# request sent is not yet running on a loaded machine).
sid=900
until_running() {
	local i
	for ((i = 0; i < 100 * SCALE; i++)); do
		sid=$((sid + 1))
		echo "{$j,\"id\":$sid,\"method\":\"state\"}" >&7
		wait_for "$T/b" "\"id\":$sid," >/dev/null || return 1
		grep -qE "\"id\":$sid,\"result\":\\{.*\"state\":\"running\"" \
			"$T/b" && return 0
		sleep 0.1
	done
	return 1
}

# A continues; B's requests meet a running target; B interrupts.
printf '%s\n' "{$j,\"id\":4,\"method\":\"continue\"}" >&"${RPC[1]}"
until_running
echo "{$j,\"id\":101,\"method\":\"eval\",\"params\":{\"expr\":\"ticks\"}}" >&7
check "B: a request while it runs is refused at once" wait_for "$T/b" \
	'"id":101,"error":\{"code":-32001'
echo "{$j,\"id\":102,\"method\":\"state\"}" >&7
check "B: state says running" wait_for "$T/b" '"id":102,"result":\{.*"state":"running"'
echo "{$j,\"id\":103,\"method\":\"interrupt\"}" >&7
check "B: interrupt" wait_for "$T/b" '"id":103,"result":\{"was_running":true\}'
R=
while IFS= read -r -t 20 l <&"${RPC[0]}"; do
	printf '%s\n' "$l" >>"$T/rpc.log"
	case $l in *'"id":4,'*) R=$l; break ;; esac
done
check "A's continue ends with the interrupt" like "$R" '*"reason":"interrupt"*'
check "B hears the interrupt stop" wait_for "$T/b" '"method":"stopped".*"reason":"interrupt"'

# Requests of both clients at once: each answered, in its order, with
# its own result (the worker serializes them).
for i in $(seq 20); do
	printf '%s\n' "{$j,\"id\":$((200 + i)),\"method\":\"eval\",\"params\":{\"expr\":\"twice($i) + ticks * 0\"}}" >&"${RPC[1]}"
	echo "{$j,\"id\":$((300 + i)),\"method\":\"eval\",\"params\":{\"expr\":\"twice($((i + 100)))\"}}" >&7
done
ok=0
for i in $(seq 20); do
	IFS= read -r -t 20 l <&"${RPC[0]}" || break
	like "$l" "*\"id\":$((200 + i)),\"result\":{\"value\":\"$((2 * i))\"}*" && ok=$((ok + 1))
done
check "A: 20 interleaved calls, in order, right" [ "$ok" -eq 20 ]
check "B: 20 interleaved calls, right" wait_for "$T/b" '"id":320,"result":\{"value":"240"\}'
okb=$(grep -cE '"id":3([01][0-9]|20),"result":\{"value":"(2[0-3][0-9]|240)"\}' "$T/b")
check "B: all 20 answered ($okb)" [ "$okb" -eq 20 ]

# A vanishes in the middle of a continue: the target goes on running.
printf '%s\n' "{$j,\"id\":5,\"method\":\"continue\"}" >&"${RPC[1]}"
until_running
a_pid=$RPC_PID
kill "$a_pid"
wait "$a_pid" 2>/dev/null
sleep 0.5
nstops=$(grep -c '"method":"stopped"' "$T/b")
echo "{$j,\"id\":104,\"method\":\"interrupt\"}" >&7
check "B: interrupt after A left" wait_for "$T/b" '"id":104,"result":\{"was_running":true\}'
# the interrupt is answered at once; the stop follows
check "B hears the stop of A's continue" \
	wait_count "$T/b" '"method":"stopped"' $((nstops + 1))
echo "{$j,\"id\":105,\"method\":\"eval\",\"params\":{\"expr\":\"ticks\"}}" >&7
wait_for "$T/b" '"id":105,' >/dev/null
t1=$(grep -E '"id":105,' "$T/b" | sed -E 's/.*"value":"([0-9]+)".*/\1/')
echo "{$j,\"id\":106,\"method\":\"continue\"}" >&7
until_running
sleep 0.5 # it ticks meanwhile
echo "{$j,\"id\":107,\"method\":\"interrupt\"}" >&7
wait_for "$T/b" '"id":106,' >/dev/null
echo "{$j,\"id\":108,\"method\":\"eval\",\"params\":{\"expr\":\"ticks\"}}" >&7
wait_for "$T/b" '"id":108,' >/dev/null
t2=$(grep -E '"id":108,' "$T/b" | sed -E 's/.*"value":"([0-9]+)".*/\1/')
grew() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt "$1" ]; }
check "the target kept running without A ($t1 -> $t2)" grew "$t1" "$t2"
pid=$(grep -oE 'pid [0-9]+' "$T/tracerd.out" | head -n 1 | cut -d' ' -f2)
check "the session is still there" wait_for "$T/b" '"id":108,"result"'

# Shutdown: the launched target is killed (the default).
exec 7>&-
stop_tracerd
sleep 0.2
dead() { ! alive "$1"; }
check "shutdown killed the launched target" dead "$pid"
finish
