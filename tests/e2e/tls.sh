#!/bin/bash
# tls.sh: thread-local variables (__thread) through tracectl and
# JSON-RPC eval: each thread's own, in the executable and in a library,
# found as gdb finds them (DW_OP_form_tls_address, glibc's libthread_db).
. "$(dirname "$0")/lib.sh"

start_tracerd --launch "$TRACEES/tls"
tc break tls_mark >/dev/null
tc continue >"$T/c1"
check "stopped in the main thread" has "$T/c1" '^Breakpoint 1, tls_mark \(n=0\)'
tc print tls_var >"$T/p1"
tc print tshared_tls >"$T/p2"
tc print tls_name >"$T/p3"
check "the executable's, main thread" has "$T/p1" '^\$[0-9]+ = 8$'
check "the library's, main thread" has "$T/p2" '^\$[0-9]+ = 9$'
check "an array" has "$T/p3" '^\$[0-9]+ = "main", .\\000. <repeats 11 times>$'
tc continue >"$T/c2"
check "stopped in the second thread" has "$T/c2" '^Breakpoint 1, tls_mark \(n=1\)'
tc print tls_var >"$T/p4"
tc print tshared_tls >"$T/p5"
tc print 'tls_var + tshared_tls' >"$T/p6"
check "the executable's, its own" has "$T/p4" '^\$[0-9]+ = 101$'
check "the library's, its own" has "$T/p5" '^\$[0-9]+ = 201$'
check "in an expression" has "$T/p6" '^\$[0-9]+ = 302$'
tc --json eval 'tls_var * 2' >"$T/j1"
check "JSON-RPC eval" has "$T/j1" '"value": *"202"'
tc print '&tls_var' >"$T/a2"
tc thread 1 >/dev/null 2>&1
tc print '&tls_var' >"$T/a1"
check "each thread its own address" eval "! cmp -s '$T/a1' '$T/a2'"
stop_tracerd
finish
