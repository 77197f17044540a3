#!/bin/bash
# prompt.sh: tracectl's interactive prompt, driven through tmux as a user
# at a terminal: the launched program's terminal (its prompt and output
# in tracectl's window, what is typed going to it, a line it leaves
# unfinished ended before tracectl's next output, Ctrl-C while it runs
# interrupting it); Tab completion of commands, function names, struct
# members after "->" and file names; Enter repeating next; Ctrl-C at the
# prompt dropping the line typed; help COMMAND. Every step waits for the
# text it expects on the screen (capture-pane polled, bounded
# generously), never for a time.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null; then
	echo "tmux is not installed (tools/quickstart installs it)" >&2
	exit 77
fi

TM=(tmux -S "$T/tmux.sock")
trap '"${TM[@]}" kill-server 2>/dev/null; cleanup' EXIT

cat >"$T/ask.sh" <<'PROG'
#!/bin/sh
printf 'name? '
read x
echo "hi $x"
printf 'no newline'
PROG
: >"$T/completeme.txt"

start_tracerd
"${TM[@]}" -f /dev/null new-session -d -x 200 -y 60 \
	"env HOME=$T TERM=xterm $TRACECTL --socket $SOCK"
"${TM[@]}" set-option -g history-limit 10000 >/dev/null

# screen: the window's text, scrollback included, into $T/screen
screen() {
	"${TM[@]}" capture-pane -p -S -10000 >"$T/screen" 2>/dev/null
}
# see REGEX [N]: wait until N (1) lines of the screen match
see() {
	local i n=$((30 * 20 * SCALE)) want=${2:-1}
	for ((i = 0; i < n; i++)); do
		screen
		[ "$(grep -cE -- "$1" "$T/screen")" -ge "$want" ] && return 0
		sleep 0.05
	done
	echo "--- the screen never showed /$1/ ($want):" >&2
	sed 's/^/    /' "$T/screen" | grep -v '^ *$' | tail -n 30 >&2
	return 1
}
keys() { "${TM[@]}" send-keys "$@"; }
# ready: wait until the prompt is the last line (a command done);
# capture-pane drops a line's trailing blanks
ready() {
	local i n=$((30 * 20 * SCALE))
	for ((i = 0; i < n; i++)); do
		screen
		[ "$(grep -v '^ *$' "$T/screen" | tail -n 1)" = "(tracectl)" ] &&
			return 0
		sleep 0.05
	done
	echo "--- no prompt came:" >&2
	grep -v '^ *$' "$T/screen" | tail -n 20 >&2
	return 1
}

check "the prompt" ready

# --- the program's terminal ---------------------------------------------
keys "run /bin/sh $T/ask.sh" Enter
check "the program's prompt, in tracectl's window" see '^name\? ?$'
keys "bob" Enter
check "what is typed goes to it (its terminal echoes it)" see '^name\? bob$'
check "its answer" see '^hi bob$'
check "its unfinished last line is ended before tracectl's message" \
	see '^no newline$'
check "the exit" see '^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
check "then the prompt" ready

keys "run $TRACEES/e2e spin" Enter
check "a running program's output" see '^alive [0-9]+'
keys C-c
check "Ctrl-C while it runs interrupts it" \
	see '^(Program (received signal SIGINT|stopped)|Thread .* received signal SIGINT)'
check "then the prompt" ready
keys "kill" Enter
check "killed" see 'Program terminated with signal SIGKILL|killed\]$'
check "then the prompt" ready

# --- completion --------------------------------------------------------
keys "launch $DEMO" Enter
check "launched" see '^Process [0-9]+ launched'
check "then the prompt" ready
keys "brea" Tab
check "Tab completes a command" see '^\(tracectl\) break ?$'
keys "wal" Tab
check "Tab completes a function name" see '^\(tracectl\) break walk ?$'
keys Enter
check "the breakpoint" see '^Breakpoint 1 at 0x[0-9a-f]+: file demo-target\.c'
keys "continue" Enter
check "the program's output before the stop" \
	see '^demo-target: compute\(4, 2\) returned 42$'
check "the stop" see '^Breakpoint 1, walk \(p=0x[0-9a-f]+, n=10\)'
check "then the prompt" ready
keys "print p->na" Tab
check "Tab completes a member after ->" see '^\(tracectl\) print p->name$'
keys Enter
check "the member printed" see '^\$1 = 0x[0-9a-f]+ '
check "then the prompt" ready
keys "print p->" Tab Tab
check "Tab Tab lists the members" see '^name +x +y *$'

# --- Ctrl-C at the prompt ------------------------------------------------
keys C-c
keys "garbage words"
check "typed" see '^\(tracectl\) garbage words$'
keys C-c
keys "echo ok after ctrl-c\\n" Enter
check "Ctrl-C dropped the line: the next command alone" \
	see '^ok after ctrl-c$'
check "neither line was run" hasnt "$T/screen" 'Undefined command|syntax error'
check "then the prompt" ready

# --- Enter repeats next -------------------------------------------------
screen
lines0=$(grep -cE '^[0-9]+[[:space:]]' "$T/screen")
keys "next" Enter
check "next" see '^[0-9]+[[:space:]]' $((lines0 + 1))
ready
keys Enter
check "Enter: next again" see '^[0-9]+[[:space:]]' $((lines0 + 2))
ready
keys Enter
check "and again" see '^[0-9]+[[:space:]]' $((lines0 + 3))
ready

# --- Enter repeats x (on after the last address) and list (on) ----------
keys "x/2xw p" Enter
check "x" see '^0x[0-9a-f]+:[[:space:]]+0x[0-9a-f]{8}[[:space:]]+0x[0-9a-f]{8}$'
ready
x1=$(grep -E '^0x[0-9a-f]+:' "$T/screen" | tail -n 1 | cut -d: -f1)
keys Enter
check "Enter: x again" see '^0x[0-9a-f]+:[[:space:]]+0x' 2
ready
x2=$(grep -E '^0x[0-9a-f]+:' "$T/screen" | tail -n 1 | cut -d: -f1)
check "on after the last address ($x1, $x2)" [ $((x2 - x1)) -eq 8 ]
keys "list walk" Enter
ready
screen
check "list walk" hasnt "$T/screen" '^4[0-3][[:space:]]'
keys Enter
check "Enter: the lines after" see '^4[0-3][[:space:]]'
ready

# --- help COMMAND, file names -------------------------------------------
keys "help step" Enter
check "help COMMAND: gdb's line" \
	see '^Step program until it reaches a different source line\.$'
check "and its usage" see '^Usage: step \[N\]$'
ready
keys "help all" Enter
check "help all: every command, one line each" \
	see '^next, n -- Step program, proceeding through subroutine calls\.$'
ready
keys "help nosuch" Enter
check "help of no command: gdb's error" \
	see '^Undefined command: "nosuch"\.  Try "help"\.$'
ready
keys "tty $T/complet" Tab
check "Tab completes a file name" see "^\\(tracectl\\) tty $T/completeme\\.txt"
keys C-c
keys "quit" Enter

stop_tracerd
finish
