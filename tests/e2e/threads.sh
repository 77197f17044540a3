#!/bin/bash
# threads.sh: a target of several hundred threads, every one of them
# listed through each front end, whole and in pages: JSON-RPC `threads`
# with start/count, gdb's qfThreadInfo/qsThreadInfo chunks, qXfer:threads
# read in small pieces and `info threads`; then gdb detaches and no
# thread is traced any more.
. "$(dirname "$0")/lib.sh"

N=500 # sleeping threads, besides main
"$TRACEES/many" $N >"$T/many.out" 2>&1 &
many=$!
bg_pids+=("$many")
wait_count "$T/many.out" '^ready threads=' 1 || exit 99
total=$((N + 1))
ls "/proc/$many/task" | sort -n >"$T/proc.tids"
port=$((21000 + ($$ + 7) % 20000))
start_tracerd --gdb 127.0.0.1:$port --attach "$many"

# 1. JSON-RPC: the whole list, then pages of 200.
j='"jsonrpc":"2.0"'
tids() { grep -oE '"thread":[0-9]+' | cut -d: -f2; }
rpc_open
rpc 1 "{$j,\"id\":1,\"method\":\"threads\"}"
printf '%s\n' "$R" | tids >"$T/all.order"
sort -n "$T/all.order" >"$T/all.tids"
check "threads lists all $total threads, as /proc has them" \
	cmp -s "$T/all.tids" "$T/proc.tids"
: >"$T/paged.tids"
pages=()
for start in 0 200 400 600; do
	rpc 2$start "{$j,\"id\":2$start,\"method\":\"threads\",\"params\":{\"start\":$start,\"count\":200}}"
	printf '%s\n' "$R" | tids >>"$T/paged.tids"
	pages+=("$(printf '%s\n' "$R" | tids | wc -l)")
done
check "pages of 200, 200, 101 and none past the end (${pages[*]})" \
	[ "${pages[*]}" = "200 200 101 0" ]
check "the pages hold every thread once" \
	cmp -s <(sort -n "$T/paged.tids") "$T/proc.tids"
check "in the order of the whole list" cmp -s "$T/paged.tids" "$T/all.order"
rpc 3 "{$j,\"id\":3,\"method\":\"threads\",\"params\":{\"count\":0}}"
check "count 0 is refused" like "$R" '*"code":-32602,"message":"\"count\" must be at least 1"*'
rpc 4 "{$j,\"id\":4,\"method\":\"threads\",\"params\":{\"start\":-1}}"
check "a negative start is refused" like "$R" '*"code":-32602*'

# 2. gdb: the chunks of qfThreadInfo/qsThreadInfo, qXfer:threads read
# 1,000 bytes at a time, info threads, detach.
{
	echo "set confirm off"
	echo "set pagination off"
	echo "target remote 127.0.0.1:$port"
	echo "maint packet qfThreadInfo"
	echo "maint packet qsThreadInfo"
	echo "maint packet qsThreadInfo"
	for ((off = 0; off < 60000; off += 1000)); do
		printf 'maint packet qXfer:threads:read::%x,3e8\n' $off
	done
	echo "info threads"
	echo "detach"
} >"$T/script.gdb"
timeout $((120 * SCALE)) gdb -nx -batch -x "$T/script.gdb" >"$T/gdb.out" 2>&1
o=$T/gdb.out
grep -E '^received: "[ml]' "$o" | head -n 3 >"$T/chunks"
check "qfThreadInfo: the first 256 ids" \
	[ "$(sed -n 1p "$T/chunks" | grep -oE '[0-9a-f]+\.[0-9a-f]+' | wc -l)" -eq 256 ]
check "qsThreadInfo: the other $((total - 256))" \
	[ "$(sed -n 2p "$T/chunks" | grep -oE '[0-9a-f]+\.[0-9a-f]+' | wc -l)" -eq $((total - 256)) ]
check "then l" [ "$(sed -n 3p "$T/chunks")" = 'received: "l"' ]
sed -n 1,2p "$T/chunks" | grep -oE 'p[0-9a-f]+\.[0-9a-f]+' |
	while IFS=. read -r _ tid; do echo $((16#$tid)); done |
	sort -n >"$T/gdb.tids"
check "the chunks hold every thread" cmp -s "$T/gdb.tids" "$T/proc.tids"
grep -E '^received: "[ml]' "$o" | tail -n +4 | sed -E 's/^received: "[ml]//; s/"$//' |
	tr -d '\n' >"$T/threads.xml"
check "qXfer:threads read in pieces: $total thread elements" \
	[ "$(grep -oE '<thread id=' "$T/threads.xml" | wc -l)" -eq $total ]
check "info threads shows $total threads" \
	[ "$(grep -cE '^[* ] +[0-9]+ +Thread ' "$o")" -eq $total ]
check "gdb detaches" has "$o" "^\\[Inferior 1 \\(process $many\\) detached\\]$"
check "no protocol errors" hasnt "$o" 'Protocol error|Remote failure|Couldn.t|Cannot'
traced() { grep -E '^TracerPid:' "/proc/$many/status" | awk '{ print $2 }'; }
check "no longer traced" [ "$(traced)" = 0 ]
check "and alive" kill -0 "$many"
stop_tracerd
finish
