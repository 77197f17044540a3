#!/bin/bash
# exprx.sh: enumerators, gdb's @, wide characters, long double, abstract
# declarators and gdb's error words through tracectl and JSON-RPC eval, on
# tests/tracees/exprx-O2, each answer as gdb 13 prints it (the same rows
# as check_exprx.c, where each expectation comes from).
. "$(dirname "$0")/lib.sh"

start_tracerd --launch "$TRACEES/exprx-O2"
line=$(grep -n '/\* LINE:stop' "$srcdir/tests/tracees/exprx.c" | cut -d: -f1)

tc break stop_here >/dev/null
tc continue >/dev/null
tc break "exprx.c:$line" >/dev/null
tc continue >"$T/c1"
check "stopped at the marked line" has "$T/c1" "^$line	"

tc <<'SCRIPT' >"$T/s1" 2>&1
print light == AMBER
print shade(GREEN)
print (enum opts)(OPT_A | OPT_C)
print DEEPER + M_ON
print MAGENTA
print *vals@3
print *vp@0
print wstr
print L"ab"
print p16
print c32
print ld
print ld_add(ld, ld)
print ((int (*)(int))vfp)(21)
print (int (*)[3])grid
whatis (char *(*)(const char *, int))0
print pairs[0] + 1
print crash()
print twice(4)
SCRIPT
check "an enumerator compares" has "$T/s1" '^\$1 = 1$'
check "an enumerator as an argument" has "$T/s1" '^\$2 = 21$'
check "a flag enum's value" has "$T/s1" '^\$3 = \(OPT_A \| OPT_C\)$'
check "block and function enumerators" has "$T/s1" '^\$4 = 50$'
check "a local hides an enumerator" has "$T/s1" '^\$5 = 77$'
check "x@n" has "$T/s1" '^\$6 = \{1, 2, 3\}$'
check "x@0 in gdb's words" has "$T/s1" '^Invalid number 0 of repetitions\.$'
check "a wchar_t array" has "$T/s1" '^\$7 = L"wxy"$'
check "a wide literal" has "$T/s1" '^\$8 = L"ab"$'
check "a char16_t pointer" has "$T/s1" '^\$9 = 0x[0-9a-f]+ u"sixteen"$'
check "a char32_t" has "$T/s1" "^\\\$10 = 82 U'R'\$"
check "a long double, 21 digits" has "$T/s1" '^\$11 = 0\.333333333333333333342$'
check "a long double call" has "$T/s1" '^\$12 = 0\.666666666666666666685$'
check "a call through a cast to a function pointer" has "$T/s1" '^\$13 = -21$'
check "a cast to a pointer to an array" has "$T/s1" '^\$14 = \(int \(\*\)\[3\]\) 0x[0-9a-f]+ <grid>$'
check "whatis of an abstract declarator" has "$T/s1" '^type = char \*\(\*\)\(const char \*, int\)$'
check "a struct operand in gdb's words" has "$T/s1" '^Structure has no component named operator\+\.$'
check "a faulting call: the signal" has "$T/s1" '^Program received signal SIGSEGV, Segmentation fault\.$'
check "the state restored" has "$T/s1" '^tracerd has restored the context to what it was before the call\.$'
check "the function named" has "$T/s1" '^\(crash\) will be abandoned\.$'
check "calls work after it" has "$T/s1" '^\$[0-9]+ = 8$'

# The same evaluator behind JSON-RPC eval.
rpc_open
j='"jsonrpc":"2.0"'
rpc 1 "{$j,\"id\":1,\"method\":\"eval\",\"params\":{\"expr\":\"make_box(0.25L, 3)\"}}"
check "eval: a struct with a long double from a call" like "$R" '*"value":"{v = 0.25, tag = 3}"*'
rpc 2 "{$j,\"id\":2,\"method\":\"eval\",\"params\":{\"expr\":\"wc\"}}"
check "eval: a wchar_t" like "$R" "*\"value\":\"90 L'Z'\"*"
rpc 3 "{$j,\"id\":3,\"method\":\"eval\",\"params\":{\"expr\":\"42@2\"}}"
check "eval: @ on a value not in memory" like "$R" "*\"error\":*Only values in memory can be extended with '@'.*"
rpc 4 "{$j,\"id\":4,\"method\":\"eval\",\"params\":{\"expr\":\"FAR_NEAR\"}}"
check "eval: an enumerator of another unit" like "$R" '*"value":"FAR_NEAR"*'

tc kill >/dev/null 2>&1
stop_tracerd
finish
