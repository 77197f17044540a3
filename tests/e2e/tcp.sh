#!/bin/bash
# tcp.sh: the TCP listener: loopback only unless asked, the token, and
# the command line's refusals.
. "$(dirname "$0")/lib.sh"

port=$((20000 + $$ % 20000))
printf 'a-token-of-twenty-chars\n' >"$T/token"
printf 'short\n' >"$T/short"
chmod 600 "$T/token" "$T/short"

rc=0
"$TRACERD" --socket "$SOCK" --listen 0.0.0.0:$port --token-file "$T/token" \
	>/dev/null 2>"$T/e1" || rc=$?
check "a non-loopback address needs --allow-remote (exit $rc)" [ "$rc" -eq 1 ]
check "and says so" has "$T/e1" 'needs --allow-remote and --token-file'
rc=0
"$TRACERD" --socket "$SOCK" --token-file "$T/short" >/dev/null 2>"$T/e2" || rc=$?
check "a short token is refused (exit $rc)" [ "$rc" -eq 2 ]
check "and says why" has "$T/e2" 'must have at least 16 bytes'
cp "$T/token" "$T/open"
chmod 644 "$T/open"
rc=0
"$TRACERD" --socket "$SOCK" --token-file "$T/open" >/dev/null 2>"$T/e3" || rc=$?
check "a token file others can read is refused (exit $rc)" [ "$rc" -eq 2 ]
check "and says why" has "$T/e3" 'others may read or write it'
rc=0
"$TRACECTL" --socket "$SOCK" --token-file "$T/open" sessions \
	>/dev/null 2>"$T/e4" || rc=$?
check "tracectl refuses it too (exit $rc)" [ "$rc" -eq 2 ]
rc=0
"$TRACERD" --bogus >/dev/null 2>&1 || rc=$?
check "an unknown option exits 2" [ "$rc" -eq 2 ]
"$TRACERD" --help >"$T/help"
check "--help lists the exit codes" has "$T/help" '^Exit status: 0'
check "--version" bash -c "'$TRACERD' --version | grep -q '^tracerd [0-9]'"

start_tracerd --listen 127.0.0.1:$port --token-file "$T/token"
rc=0
"$TRACECTL" --connect 127.0.0.1:$port sessions >"$T/o1" 2>&1 || rc=$?
check "without the token: refused (exit $rc)" [ "$rc" -eq 1 ]
check "with a clear message" has "$T/o1" 'authenticate first'
printf 'wrong-token-of-twenty-chars\n' >"$T/wrong"
chmod 600 "$T/wrong"
rc=0
"$TRACECTL" --connect 127.0.0.1:$port --token-file "$T/wrong" sessions \
	>"$T/o2" 2>&1 || rc=$?
check "a wrong token: refused" has "$T/o2" 'authentication failed'
"$TRACECTL" --connect 127.0.0.1:$port --token-file "$T/token" \
	launch "$DEMO" >"$T/o3"
check "with the token: a session" has "$T/o3" '^Process [0-9]+ launched'
"$TRACECTL" --connect 127.0.0.1:$port --token-file "$T/token" \
	print 'sizeof(struct point)' >"$T/o4"
check "and commands work" has "$T/o4" '^\$1 = 16$'
tc sessions >"$T/o5"
check "the Unix socket needs no token" has "$T/o5" '^session 1: process'
check "the socket is 0600" [ "$(stat -c %a "$SOCK")" = 600 ]
check "its directory 0700" [ "$(stat -c %a "$T")" = 700 ]
stop_tracerd
check "the socket is removed at shutdown" [ ! -e "$SOCK" ]
finish
