#!/bin/bash
# terminal.sh: the launched program's stdin, stdout and stderr, as gdb
# gives them: a program tracectl launches writes to tracectl's own
# output (its descriptors passed to tracerd over the Unix socket), reads
# /dev/null when tracectl reads a script; "run ... < IN > OUT 2> ERR",
# ">>", "2>&1" and "tty FILE" send them to files instead; a one-shot
# launch keeps tracerd's stdio, as before; a bad file is an error that
# launches nothing. (The interactive terminal: prompt.sh.)
. "$(dirname "$0")/lib.sh"

cat >"$T/io.sh" <<'PROG'
#!/bin/sh
echo "out: $(cat)"
echo "err line" >&2
printf 'unfinished'
PROG
echo "hello input" >"$T/in.txt"
IO="/bin/sh $T/io.sh"
: >"$T/ttyfile"

start_tracerd
tc --echo <<SCRIPT >"$T/s1" 2>&1
run $IO
run $IO < $T/in.txt > $T/out.txt 2> $T/err.txt
echo <appended>\n
run $IO >> $T/out.txt
run $IO > $T/both.txt 2>&1
tty $T/ttyfile
show inferior-tty
run $IO
set inferior-tty
show inferior-tty
echo <bad file>\n
run $IO > /nonexistent/dir/x
sessions
SCRIPT

check "the program's output comes to tracectl" has "$T/s1" '^out: $'
check "after tracectl's own (no line of it cut)" \
	has "$T/s1" '^Process [0-9]+ launched \(session [0-9]+\)\.$'
check "its stderr too" has "$T/s1" '^err line$'
check "its stdin is /dev/null: nothing read from the script" \
	hasnt "$T/s1" '^out: .*run'
check "< > 2>: stdin read from the file, stdout to a file" \
	has "$T/out.txt" '^out: hello input$'
check "2>: stderr to its file" has "$T/err.txt" '^err line$'
check ">>: appended" [ "$(grep -o 'out: ' "$T/out.txt" | wc -l)" -eq 2 ]
check "2>&1: both in one file" \
	[ "$(grep -oE 'out: |err line' "$T/both.txt" | wc -l)" -eq 2 ]
check "tty FILE: everything there" \
	[ "$(grep -oE 'out: |err line' "$T/ttyfile" | wc -l)" -eq 2 ]
check "show inferior-tty names it" \
	has "$T/s1" "^Terminal for future runs of program being debugged is \"$T/ttyfile\"\\.\$"
check "set inferior-tty without a file: none again" \
	has "$T/s1" '^Terminal for future runs of program being debugged is ""\.$'
check "the redirected runs printed nothing here" \
	[ "$(grep -o 'out: ' "$T/s1" | wc -l)" -eq 1 ]
check "a file that cannot be opened: an error" \
	has "$T/s1" '^/nonexistent/dir/x: No such file or directory\.$'
check "tracerd's output has none of it" hasnt "$T/tracerd.out" '^out:'

# a one-shot launch: tracerd's own stdio, as before
tc launch $IO >/dev/null
tc continue >"$T/c1" 2>&1
check "one-shot: the output is tracerd's" wait_for "$T/tracerd.out" '^out: $'

# the JSON-RPC side: "stdio":"passed" without descriptors, a stdio
# other than "passed"
rpc_open
rpc 1 '{"jsonrpc":"2.0","id":1,"method":"launch","params":{"program":"/bin/true","stdio":"passed"}}'
check "stdio passed without descriptors: an error" \
	like "$R" '*"id":1,"error":{"code":-32602,"message":"stdio: no file descriptors came with the request*'
rpc 2 '{"jsonrpc":"2.0","id":2,"method":"launch","params":{"program":"/bin/true","stdio":"pty"}}'
check "stdio other than passed: an error" \
	like "$R" '*"id":2,"error":{"code":-32602,"message":"stdio: \"pty\" is not \"passed\""*'

stop_tracerd
finish
