#!/bin/bash
# rpc.sh: tracerd's methods driven with raw JSON-RPC lines: each method's
# result, malformed and oversized requests, binary replies.
. "$(dirname "$0")/lib.sh"

start_tracerd --max-request 4096
rpc_open
j='"jsonrpc":"2.0"'

rpc 1 "{$j,\"id\":1,\"method\":\"version\"}"
check "version" like "$R" '*"result":{"name":"tracerd","version":"*","protocol":1*'

# Malformed input: an error each, and the connection goes on.
printf '{"jsonrpc":"2.0","id":2,"method":\n' >&"${RPC[1]}"
rpc 3 "{$j,\"id\":3,\"method\":\"version\"}"
check "a parse error is answered with id null" \
	has "$T/rpc.log" '"id":null,"error":\{"code":-32700'
check "and the next request is served" like "$R" '*"result":{"name":"tracerd"*'
rpc 4 "{\"id\":4,\"method\":\"version\"}"
check "no jsonrpc member: invalid request" like "$R" '*"error":{"code":-32600*'
printf '[{"jsonrpc":"2.0","id":5,"method":"version"}]\n' >&"${RPC[1]}"
rpc 6 "{$j,\"id\":6,\"method\":\"nosuch\"}"
check "a batch is refused" has "$T/rpc.log" 'batches are not supported'
check "an unknown method" like "$R" '*"error":{"code":-32601,"message":"no method \"nosuch\""*'
rpc 7 "{$j,\"id\":7,\"method\":\"version\",\"params\":[1]}"
check "params that are not an object" like "$R" '*"code":-32602*'
big=$(head -c 10000 /dev/zero | tr '\0' 'x')
printf '{"jsonrpc":"2.0","id":8,"method":"version","params":{"x":"%s"}}\n' \
	"$big" >&"${RPC[1]}"
rpc 9 "{$j,\"id\":9,\"method\":\"version\"}"
check "an oversized request is refused" has "$T/rpc.log" \
	'"id":null,"error":\{"code":-32600,"message":"request too large"'
check "and the connection stays usable" like "$R" '*"id":9,"result"*'
rpc 10 "{$j,\"id\":10,\"method\":\"eval\",\"params\":{\"expr\":\"1\"}}"
check "no session yet" like "$R" '*"code":-32002,"message":"no session*'
rpc 11 "{$j,\"id\":11,\"method\":\"launch\",\"params\":{\"program\":\"$T/nosuch\"}}"
check "launching a missing program fails" like "$R" '*"id":11,"error"*cannot execute the program"}}'
check "its session is not announced" hasnt "$T/rpc.log" '"method":"session_ended","params":\{"session":1'
# A notification (no id) is never answered, even when it fails.
printf '{"jsonrpc":"2.0","method":"nosuch"}\n{"jsonrpc":"2.0","method":"eval"}\n' >&"${RPC[1]}"
rpc 12 "{$j,\"id\":12,\"method\":\"sessions\"}"
check "and leaves no session" like "$R" '*"result":[]*'
check "notifications got no reply" like "$(tail -n 1 "$T/rpc.log")" '*"id":12,*'
check "nor anything else" [ "$(grep -c '"id":null' "$T/rpc.log")" -eq 3 ]

# A session on the demo program.
rpc 20 "{$j,\"id\":20,\"method\":\"launch\",\"params\":{\"program\":\"$DEMO\",\"stdout\":\"$T/demo.out\"}}"
check "launch" like "$R" '*"result":{"session":2,"pid":*,"stop":{"event":"stop","reason":"exec"*'
rpc 21 "{$j,\"id\":21,\"method\":\"break\",\"params\":{\"location\":\"compute\"}}"
check "break" like "$R" '*"result":{"id":1,"location":"compute"*"function":"compute"*'
rpc 22 "{$j,\"id\":22,\"method\":\"break\",\"params\":{\"location\":\"walk\",\"condition\":\"n == nosuch\"}}"
check "a condition naming nothing" like "$R" '*"code":-32004,"message":"No symbol \"nosuch\" in current context.","data":{"pos":5}*'
rpc 23 "{$j,\"id\":23,\"method\":\"break\",\"params\":{\"location\":42}}"
check "a location that is not a string" like "$R" '*"code":-32602*'
rpc 231 "{$j,\"id\":231,\"method\":\"break\",\"params\":{\"location\":\"demo-target.c:\"}}"
check "a malformed location" like "$R" '*"code":-32602,"message":"malformed location \"demo-target.c:\""*'
rpc 24 "{$j,\"id\":24,\"method\":\"continue\"}"
check "continue answers with the stop" like "$R" '*"result":{"stop":{"event":"stop","reason":"breakpoint","thread":*,"breakpoint":1,"frame":{*"function":"compute"*'
check "after a stopped notification" has "$T/rpc.log" \
	'^\{"jsonrpc":"2.0","method":"stopped","params":\{"session":2,"stop":\{"event":"stop","reason":"breakpoint"'
rpc 25 "{$j,\"id\":25,\"method\":\"args\"}"
check "args" like "$R" '*"result":[{"name":"x","value":"4"},{"name":"y","value":"2"}]*'
rpc 26 "{$j,\"id\":26,\"method\":\"eval\",\"params\":{\"expr\":\"add(x, y) * 2\"}}"
check "eval with a call" like "$R" '*"result":{"value":"12"}*'
rpc 27 "{$j,\"id\":27,\"method\":\"eval\",\"params\":{\"expr\":\"x +\"}}"
check "a syntax error with its position" like "$R" '*"code":-32004,*"data":{"pos":*'
rpc 28 "{$j,\"id\":28,\"method\":\"whatis\",\"params\":{\"expr\":\"&origin\"}}"
check "whatis" like "$R" '*"result":{"type":"struct point *"}*'
rpc 281 "{$j,\"id\":281,\"method\":\"eval\",\"params\":{\"expr\":\"origin\",\"format\":\"x\",\"record\":true}}"
check "eval with a format, recorded" like "$R" '*"result":{"value":"{x = 0x0, y = 0x0, name = 0x*"history":1}*'
rpc 282 "{$j,\"id\":282,\"method\":\"eval\",\"params\":{\"expr\":\"\$1.name\"}}"
check "the history is read" like "$R" '*"result":{"value":"0x* \"origin\""}*'
rpc 283 "{$j,\"id\":283,\"method\":\"eval\",\"params\":{\"expr\":\"1\",\"format\":\"w\"}}"
check "a size letter is no format" like "$R" '*"code":-32602,"message":"Size letters are meaningless in \"print\" command."*'
rpc 284 "{$j,\"id\":284,\"method\":\"ptype\",\"params\":{\"expr\":\"origin\"}}"
check "ptype" like "$R" '*"result":{"type":"struct point {\n    int x;\n    int y;\n    const char *name;\n}"}*'
rpc 29 "{$j,\"id\":29,\"method\":\"registers\"}"
check "registers" like "$R" '*"result":{"rax":*"rip":*"orig_rax":*'
rpc 30 "{$j,\"id\":30,\"method\":\"set_register\",\"params\":{\"name\":\"r12\",\"value\":12345}}"
rpc 31 "{$j,\"id\":31,\"method\":\"eval\",\"params\":{\"expr\":\"\$r12\"}}"
check "set_register writes the register" like "$R" '*"value":"12345"*'
rpc 32 "{$j,\"id\":32,\"method\":\"set_register\",\"params\":{\"name\":\"r99\",\"value\":1}}"
check "an unknown register" like "$R" '*"code":-32602,"message":"no register \"r99\""*'
rpc 33 "{$j,\"id\":33,\"method\":\"lookup_symbol\",\"params\":{\"name\":\"greeting\"}}"
check "lookup_symbol" like "$R" '*"name":"greeting","addr":*,"size":64,"kind":"object"*'
addr=$(sed -E 's/.*"addr":([0-9]+).*/\1/' <<<"$R")
rpc 34 "{$j,\"id\":34,\"method\":\"read_memory\",\"params\":{\"addr\":$addr,\"length\":12}}"
check "read_memory in base64" like "$R" "*\"result\":{\"addr\":$addr,\"length\":12,\"data\":\"aGVsbG8sIHdvcmxk\"}*"
rpc 35 "{$j,\"id\":35,\"method\":\"write_memory\",\"params\":{\"addr\":$addr,\"data\":\"SEVMTE8=\"}}"
check "write_memory" like "$R" '*"result":{"written":5}*'
rpc 36 "{$j,\"id\":36,\"method\":\"eval\",\"params\":{\"expr\":\"greeting\"}}"
check "the write is seen" like "$R" '*"value":"\"HELLO, world\"*'
rpc 37 "{$j,\"id\":37,\"method\":\"write_memory\",\"params\":{\"addr\":$addr,\"data\":\"not base64!\"}}"
check "bad base64" like "$R" '*"code":-32602*'
rpc 38 "{$j,\"id\":38,\"method\":\"read_memory\",\"params\":{\"addr\":0,\"length\":16}}"
check "an unmapped address" like "$R" '*"code":-32003,"message":"Cannot access memory at address 0x0"*'
rpc 39 "{$j,\"id\":39,\"method\":\"read_memory\",\"params\":{\"addr\":$addr}}"
check "a missing length" like "$R" '*"code":-32602,"message":"missing \"length\""*'
rpc 40 "{$j,\"id\":40,\"method\":\"symbol_at\",\"params\":{\"addr\":$addr}}"
check "symbol_at" like "$R" '*"function":"greeting"*'
rpc 41 "{$j,\"id\":41,\"method\":\"functions\",\"params\":{\"match\":\"comp\"}}"
check "functions" like "$R" '*"name":"compute"*'
rpc 42 "{$j,\"id\":42,\"method\":\"backtrace\"}"
check "backtrace" like "$R" '*"frames":[{"level":0,*"function":"compute"*{"level":1,*"function":"main"*'
rpc 43 "{$j,\"id\":43,\"method\":\"frame\",\"params\":{\"level\":1}}"
check "frame" like "$R" '*"result":{"level":1,*"function":"main"*'
rpc 44 "{$j,\"id\":44,\"method\":\"locals\"}"
check "locals of the selected frame" like "$R" '*"name":"p","value":"{x = 3, y = 4*'
rpc 45 "{$j,\"id\":45,\"method\":\"frame\",\"params\":{\"level\":99}}"
check "a frame that is not there" like "$R" '*"message":"No frame at level 99."*'
rpc 46 "{$j,\"id\":46,\"method\":\"threads\"}"
check "threads" like "$R" '*"result":[{"thread":*,"current":true,*"function":"compute"}]*'
rpc 47 "{$j,\"id\":47,\"method\":\"breakpoints\"}"
check "breakpoints" like "$R" '*"result":[{"id":1,*"hits":1,*'
rpc 48 "{$j,\"id\":48,\"method\":\"enable\",\"params\":{\"id\":1,\"enabled\":false}}"
check "disable" like "$R" '*"enabled":false*'
rpc 49 "{$j,\"id\":49,\"method\":\"delete\",\"params\":{\"id\":7}}"
check "deleting a breakpoint that is not there" like "$R" '*"message":"No breakpoint number 7."*'
rpc 50 "{$j,\"id\":50,\"method\":\"stepi\"}"
check "stepi" like "$R" '*"reason":"step"*'
rpc 51 "{$j,\"id\":51,\"method\":\"next\"}"
check "next" like "$R" '*"reason":"step"*"function":"compute"*'
rpc 52 "{$j,\"id\":52,\"method\":\"finish\"}"
check "finish gives the return value" like "$R" '*"reason":"finish"*"function":"compute","return_value":"42","history":2}*'
rpc 53 "{$j,\"id\":53,\"method\":\"step\"}"
check "step" like "$R" '*"reason":"step"*"function":"main"*'
rpc 54 "{$j,\"id\":54,\"method\":\"interrupt\"}"
check "interrupt of a stopped target" like "$R" '*"result":{"was_running":false}*'
rpc 55 "{$j,\"id\":55,\"method\":\"state\"}"
check "state" like "$R" '*"session":2,*"state":"stopped"*'
rpc 56 "{$j,\"id\":56,\"method\":\"stats\"}"
check "stats" like "$R" '*"tracer":{"requests":*"latency_ns":{"p50":*'
rpc 57 "{$j,\"id\":57,\"method\":\"ignore\",\"params\":{\"id\":1,\"count\":2}}"
check "ignore" like "$R" '*"ignore_count":2*'
rpc 58 "{$j,\"id\":58,\"method\":\"condition\",\"params\":{\"id\":1,\"condition\":\"x ==\"}}"
check "a bad condition is refused" like "$R" '*"code":-32004*'
rpc 59 "{$j,\"id\":59,\"method\":\"unfollow\"}"
rpc 60 "{$j,\"id\":60,\"method\":\"follow\",\"params\":{\"session\":2}}"
check "follow" like "$R" '*"result":{"session":2}*'

# A binary read: the JSON line, then exactly the bytes.
printf '{"jsonrpc":"2.0","id":1,"method":"read_memory","params":{"addr":%s,"length":12,"encoding":"binary"}}\n' \
	"$addr" | tc --raw >"$T/bin"
printf '{"jsonrpc":"2.0","id":1,"result":{"addr":%s,"length":12,"encoding":"binary"}}\nHELLO, world' \
	"$addr" >"$T/bin.expected"
check "a binary reply is the line and the raw bytes" cmp "$T/bin" "$T/bin.expected"

rpc 61 "{$j,\"id\":61,\"method\":\"continue\"}"
check "the program runs to its end" like "$R" '*"stop":{"event":"exit","pid":*,"exit_code":0}*'
check "its output went to the file asked for" has "$T/demo.out" 'greeting is "HELLO, world"'
rpc 62 "{$j,\"id\":62,\"method\":\"registers\"}"
check "registers of an exited program" like "$R" '*"error"*'
rpc 63 "{$j,\"id\":63,\"method\":\"kill\"}"
check "kill of an exited program ends the session" like "$R" '*"result":{"killed":*'
check "with a session_ended notification" has "$T/rpc.log" '"method":"session_ended","params":\{"session":2,"how":"killed"\}'
stop_tracerd
finish
