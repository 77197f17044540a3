#!/bin/bash
# running.sh: tracectl's run control as gdb 13 prints it: tbreak
# announced as "Temporary breakpoint N, ..." at its stop and gone after
# it, an ordinary breakpoint after it still "Breakpoint N, ...".
. "$(dirname "$0")/lib.sh"

start_tracerd
tc <<SCRIPT >"$T/a" 2>&1
launch $DEMO
tbreak compute
continue
info breakpoints
break add
continue
SCRIPT
check "tbreak is announced as gdb's" has "$T/a" \
	'^Temporary breakpoint 1 at 0x[0-9a-f]+: file demo-target\.c, line [0-9]+\.$'
check "its stop says Temporary breakpoint" has "$T/a" \
	'^Temporary breakpoint 1, compute \(x=4, y=2\) at demo-target\.c:[0-9]+$'
check "it is gone after its stop" has "$T/a" \
	'^No breakpoints or watchpoints\.$'
check "an ordinary breakpoint's stop is not temporary" has "$T/a" \
	'^Breakpoint 2, add \(a=0, b=4\) at demo-target\.c:[0-9]+$'
rpc_open
rpc 1 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"launch\",\"params\":{\"program\":\"$DEMO\"}}"
S=$(sed -n 's/.*"session":\([0-9]*\).*/\1/p' <<<"$R")
rpc 2 '{"jsonrpc":"2.0","id":2,"method":"break","params":{"session":'$S',"location":"add","temporary":true}}'
rpc 3 '{"jsonrpc":"2.0","id":3,"method":"continue","params":{"session":'$S'}}'
check "the stop object says temporary" \
	grep -q '"reason":"breakpoint","thread":[0-9]*,"breakpoint":[0-9]*,"temporary":true' <<<"$R"
stop_tracerd
finish
