#!/bin/bash
# lldb.sh: the real lldb drives tracerd through the remote protocol
# (breakpoint, variables, expressions run from memory lldb has us
# allocate, memory, threads, finish and next, the run to the end); and
# raw lldb packets (qHostInfo, qProcessInfo, qMemoryRegionInfo, _M/_m,
# jThreadsInfo, qThreadStopInfo, QSaveRegisterState...) checked against
# what /proc says of the target, stopped in compute.
. "$(dirname "$0")/lib.sh"

LLDB=$(command -v lldb || command -v lldb-14 || true)
if [ -z "$LLDB" ]; then
	# tools/quickstart installs lldb; a bare `make check` may lack it
	echo "lldb not installed: nothing to test"
	exit 77
fi
port=$((42000 + $$ % 20000))
start_tracerd --gdb 127.0.0.1:$port --launch "$DEMO"

# the line after compute's call in main, where `next` lands
after=$(grep -n 'compute(4, 2) returned' "$srcdir/tools/demo-target.c" |
	cut -d: -f1)
cat >"$T/script.lldb" <<LLDB
gdb-remote 127.0.0.1:$port
expression 1 + 2
breakpoint set -n compute
continue
frame variable
bt
expression add(2,3)
expression -- (int)add(40, 2) * 2
memory read &greeting
memory read --size 1 --count 4 --format x &greeting
memory region &greeting
thread list
register read rip
expression counter = 40
finish
next
process plugin packet send qHostInfo
continue
LLDB
rc=0
timeout 120 "$LLDB" -x -b --no-use-colors -s "$T/script.lldb" "$DEMO" \
	>"$T/lldb.out" 2>&1 || rc=$?
o=$T/lldb.out
check "lldb exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "lldb stops at the breakpoint, the pc rewound" has "$o" \
	'^\* thread #1, name = .demo-target., stop reason = breakpoint 1\.1$'
check "in compute, with its arguments" has "$o" \
	'frame #0: 0x[0-9a-f]+ demo-target`compute\(x=4, y=2\) at demo-target\.c:[0-9]+:[0-9]+$'
check "frame variable: x" has "$o" '^\(int\) x = 4$'
check "frame variable: y" has "$o" '^\(int\) y = 2$'
check "bt" has "$o" \
	'frame #1: 0x[0-9a-f]+ demo-target`main at demo-target\.c:[0-9]+:[0-9]+$'
check "bt through libc" has "$o" 'frame #[23]: 0x[0-9a-f]+ libc\.so\.6`'
check "an expression at the first stop, before libc is loaded" has "$o" \
	'^\(int\) \$0 = 3$'
check "expression add(2,3): JIT code in memory we allocated (_M)" has "$o" \
	'^\(int\) \$1 = 5$'
check "a second expression" has "$o" '^\(int\) \$2 = 84$'
check "memory read" has "$o" \
	'^0x[0-9a-f]+: 68 65 6c 6c 6f 2c 20 77 6f 72 6c 64 00 00 00 00  hello, world\.\.\.\.$'
check "memory read bytes" has "$o" '^0x[0-9a-f]+: 0x68 0x65 0x6c 0x6c$'
check "memory region (qMemoryRegionInfo)" has "$o" \
	'^\[0x[0-9a-f]+-0x[0-9a-f]+\) rw- .*/demo-target'
pid=$(sed -n 's/^Process \([0-9]*\) stopped$/\1/p' "$o" | head -n 1)
check "thread list" has "$o" \
	"^\\* thread #1: tid = ${pid:-none}, 0x[0-9a-f]+ demo-target\`compute\\(x=4, y=2\\) at .*, name = 'demo-target', stop reason = breakpoint 1\\.1\$"
check "register read" has "$o" \
	'^ +rip = 0x[0-9a-f]+  demo-target`compute \+ [0-9]+ at demo-target\.c'
check "an assignment" has "$o" '^\(long\) \$[0-9]+ = 40$'
check "finish" has "$o" '^Return value: \(int\) \$[0-9]+ = 42$'
check "next" has "$o" \
	"frame #0: 0x[0-9a-f]+ demo-target\`main at demo-target\\.c:$after:"
check "qHostInfo" has "$o" \
	'^response: triple:7838365f36342d70632d6c696e75782d676e75;ptrsize:8;endian:little;ostype:linux;'
check "the program runs to its end" has "$o" \
	'^Process [0-9]+ exited with status = 0 \(0x00000000\)$'
check "with the value lldb wrote" has "$T/tracerd.out" 'counter is 41$'
check "no errors or warnings" hasnt "$o" 'error:|warning:'
stop_tracerd

# Raw packets, the target stopped in compute (by tracectl).
port=$((port + 1))
start_tracerd --gdb 127.0.0.1:$port --launch "$DEMO"
tc break compute >/dev/null
tc continue >"$T/c1"
check "tracectl stops in compute" has "$T/c1" 'compute \(x=4, y=2\)'

# q PACKET: send it, its reply's payload in $R ('}' escapes undone; the
# replies checked here hold no other escaped byte).
q() {
	local d c
	rsp_pkt "$1" >&5
	R=
	IFS= read -r -d '#' -t 20 d <&5 || {
		echo "--- no reply to $1" >&2
		return 1
	}
	read -r -n 2 -t 5 c <&5
	R=${d#*\$}
	R=${R//\}\]/\}}
}
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n'; }
# le64 HEX16: the number of 8 little-endian bytes, in hex
le64() {
	local h=$1 out= i
	for ((i = 14; i >= 0; i -= 2)); do out+=${h:i:2}; done
	printf '%x' "$((16#$out))"
}

exec 5<>"/dev/tcp/127.0.0.1/$port"
q QThreadSuffixSupported
q '?'
tidx=$(sed -n 's/^T05thread:\([0-9a-f]*\);.*/\1/p' <<<"$R")
rip=$(sed -n 's/.*;10:\([0-9a-f]\{16\}\);.*/\1/p' <<<"$R")
pid=$((16#${tidx:-0}))
check "? names the thread" [ "$pid" -gt 0 ]
exe=$(readlink "/proc/$pid/exe")

q qHostInfo
check "qHostInfo: the triple, in hex" like "$R" \
	'triple:7838365f36342d70632d6c696e75782d676e75;ptrsize:8;endian:little;ostype:linux;*'
q qProcessInfo
check "qProcessInfo: pid, parent (tracerd), triple" like "$R" \
	"pid:$tidx;parent-pid:$(printf %x "$tracerd_pid");real-uid:$(printf %x "$(id -u)");*;triple:7838365f36342d70632d6c696e75782d676e75;*ptrsize:8;"
q qGetWorkingDir
check "qGetWorkingDir" [ "$R" = "$(hex "$(readlink "/proc/$pid/cwd")")" ]
q "qMemoryRegionInfo:$(le64 "$rip")"
check "qMemoryRegionInfo of the pc: code of the executable" like "$R" \
	"start:*;size:*;permissions:rx;name:$(hex "$exe");"
q qMemoryRegionInfo:0
check "qMemoryRegionInfo of a hole: its extent, no permissions" \
	grep -Eq '^start:0;size:[0-9a-f]+;$' <<<"$R"
q qMemoryRegionInfo:ffffffffffffffff
check "above the last mapping: the rest of the space" \
	grep -Eq '^start:[0-9a-f]+;size:[0-9a-f]+;$' <<<"$R"
q qShlibInfoAddr
slot=$R
q "qMemoryRegionInfo:$slot"
check "qShlibInfoAddr: a slot in the executable's dynamic section" \
	like "$R" "*;permissions:r*;name:$(hex "$exe");"
q "m$slot,8"
rdebug=$(le64 "$R")
q "m$rdebug,4"
check "that holds the address of r_debug (r_version 1)" [ "$R" = 01000000 ]
first=$(awk -v f="$exe" '$6 == f { split($1, a, "-"); print a[1]; exit }' \
	"/proc/$pid/maps")
q "qFileLoadAddress:$(hex "$exe")"
check "qFileLoadAddress" [ "$R" = "${first#"${first%%[!0]*}"}" ]

q jThreadsInfo
check "jThreadsInfo" like "$R" \
	"[{\"tid\":$pid,\"name\":\"demo-target\",\"signal\":5,\"reason\":\"breakpoint\",\"registers\":{\"0\":*\"16\":\"$rip\",*}}]"
q "qThreadStopInfo$tidx"
check "qThreadStopInfo" like "$R" \
	"T05thread:$tidx;hexname:$(hex demo-target);00:*;10:$rip;*;reason:breakpoint;"
q qThreadStopInfo7fffffff
check "qThreadStopInfo of no thread" [ "$R" = E01 ]

q _M2000,rw
a=$R
q "qMemoryRegionInfo:$a"
check "_M maps memory (rw)" like "$R" '*;permissions:rw;'
q "M$a,4:01020304"
q "m$a,4"
check "that the target can use" [ "$R" = 01020304 ]
q "_M1000,rx"
b=$R
q "qMemoryRegionInfo:$b"
check "_M maps code (rx)" like "$R" "*;permissions:rx;"
q "_m$a"
check "_m unmaps" [ "$R" = OK ]
q "qMemoryRegionInfo:$a"
check "and the memory is gone" grep -Eq '^start:[0-9a-f]+;size:[0-9a-f]+;$' \
	<<<"$R"
q "_m$a"
check "_m twice: an error" [ "$R" = E01 ]
q "_m$b"
check "_m of the code" [ "$R" = OK ]
q _M1000,rq
check "_M with bad permissions: an error" [ "$R" = E01 ]

q "p0;thread:$tidx;"
rax=$R
q "QSaveRegisterState;thread:$tidx;"
id=$R
q "P0=1111111111111111;thread:$tidx;"
q "p0;thread:$tidx;"
check "a register written" [ "$R" = 1111111111111111 ]
q "QRestoreRegisterState:$id;thread:$tidx;"
check "QRestoreRegisterState" [ "$R" = OK ]
q "p0;thread:$tidx;"
check "puts it back" [ "$R" = "$rax" ]
q "QRestoreRegisterState:$id;thread:$tidx;"
check "a save is restored once" [ "$R" != OK ]
q QEnableErrorStrings
check "QEnableErrorStrings" [ "$R" = OK ]
exec 5>&-

tc continue >"$T/c2"
check "the program runs to its end after all that" has "$T/tracerd.out" \
	'counter is 1$'
stop_tracerd
finish
