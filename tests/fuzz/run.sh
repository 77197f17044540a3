#!/bin/bash
# run.sh: build the libFuzzer harnesses of tests/fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined) and run each for a bounded time
# on its corpus and dictionary; `make fuzz` calls it.
#
#   run.sh BUILDDIR SRCDIR SECONDS [HARNESS...]
#
# FUZZ_CC: the compiler (default clang); FUZZ_LIBS: libdwarf, libelf, zlib,
# libthread_db and Capstone.
# FUZZ_TRACEE: the program fuzz_rsp_packet's session traces.
# Objects and binaries go to BUILDDIR/fuzz/ (rebuilt when a source or a
# header it includes changed); inputs libFuzzer finds go to
# BUILDDIR/fuzz/work/NAME, never into the tree; a crash leaves
# BUILDDIR/fuzz/crash-NAME-* and fails the run (add the input to
# tests/fuzz/corpus/NAME once it is fixed). Each harness's verdict is
# written to BUILDDIR/fuzz/NAME.result (PASS or FAIL), for
# tools/quickstart. Exit: 0 when no harness crashed.
set -u
B=$1 S=$2 secs=$3
shift 3
cc=${FUZZ_CC:-clang}
libs=${FUZZ_LIBS:--ldwarf -lelf -lthread_db -lz -lcapstone}
out=$B/fuzz
mkdir -p "$out/obj"
jobs=$(nproc 2>/dev/null || echo 2)
flags=(-g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE
	-I"$S/src" -I"$S/proto" -I"$S/server" -I"$B"
	-fsanitize=address,undefined -fno-sanitize-recover=undefined)

# Sources of each harness, besides its own file.
proto="$(cd "$S" && ls proto/*.c) src/base/error.c"
lib=$(cd "$S" && find src -name '*.c' | sort)
server=$(cd "$S" && ls server/core/*.c server/rsp/*.c)
declare -A srcs=(
	[fuzz_json]="$proto"
	[fuzz_rsp_frame]="$proto"
	[fuzz_expr]="src/base/error.c src/eval/expr_lex.c src/eval/expr_parse.c"
	[fuzz_rsp_packet]="$proto $lib $server"
)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(fuzz_json fuzz_rsp_frame fuzz_rsp_packet fuzz_expr)

# stale OBJ SRC: OBJ must be rebuilt (it is missing, or SRC or a header
# listed in its .d file is newer).
stale() {
	local o=$1 d=${1%.o}.d f
	[ -f "$o" ] && [ -f "$d" ] || return 0
	for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$d"); do
		[ "$f" -nt "$o" ] && return 0
	done
	return 1
}

export -f stale
export cc out S
export FLAGS_STR="${flags[*]}"

all=$(for n in "${names[@]}"; do echo "${srcs[$n]}" "tests/fuzz/$n.c"; done |
	tr ' ' '\n' | grep . | sort -u)
echo "fuzz: compiling with $cc"
if ! printf '%s\n' $all | xargs -P "$jobs" -I{} bash -c '
	flags=($FLAGS_STR)
	src={} o=$out/obj/${src//\//_}; o=${o%.c}.o
	if stale "$o"; then
		"$cc" "${flags[@]}" -fsanitize=fuzzer-no-link -MMD \
			-MF "${o%.o}.d" -c "$S/$src" -o "$o" || exit 255
	fi'; then
	echo "fuzz: compilation failed" >&2
	exit 1
fi

failed=0
for n in "${names[@]}"; do
	objs=()
	for f in $(printf '%s\n' ${srcs[$n]} tests/fuzz/$n.c | sort -u); do
		o=$out/obj/${f//\//_}
		objs+=("${o%.c}.o")
	done
	rm -f "$out/$n.result"
	# libthread_db only with eval/tls.c, which defines the proc_service
	# callbacks it calls
	nlibs=$libs
	[[ ${srcs[$n]} == *src/eval/tls.c* ]] || nlibs=${libs//-lthread_db/}
	if ! "$cc" "${flags[@]}" -fsanitize=fuzzer "${objs[@]}" -o "$out/$n" \
		$nlibs -pthread; then
		echo "fuzz: $n: link failed" >&2
		echo FAIL >"$out/$n.result"
		failed=1
		continue
	fi
	mkdir -p "$out/work/$n"
	opts=(-max_total_time="$secs" -timeout=60 -rss_limit_mb=4096
		-max_len=8192 -print_final_stats=1
		-dict="$S/tests/fuzz/$n.dict"
		-artifact_prefix="$out/crash-$n-")
	# the packet harness keeps sessions (and their memory) across
	# inputs on purpose: LeakSanitizer would take them for leaks
	[ "$n" = fuzz_rsp_packet ] && opts+=(-detect_leaks=0)
	echo "fuzz: $n for $secs s"
	if "$out/$n" "${opts[@]}" "$out/work/$n" "$S/tests/fuzz/corpus/$n" \
		>"$out/$n.log" 2>&1; then
		runs=$(sed -nE 's/^stat::number_of_executed_units: *//p' \
			"$out/$n.log")
		echo "fuzz: $n: ${runs:-?} inputs, no crash"
		echo PASS >"$out/$n.result"
	else
		echo "fuzz: $n FAILED; the end of $out/$n.log:" >&2
		tail -n 40 "$out/$n.log" >&2
		echo FAIL >"$out/$n.result"
		failed=1
	fi
done
exit $failed
