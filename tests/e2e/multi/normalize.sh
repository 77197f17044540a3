#!/bin/bash
# normalize.sh: the parts of a gdb or tracectl transcript that differ from
# run to run or between the two by design, made equal: addresses (ASLR),
# process ids, the prompt, source paths (gdb prints them as compiled,
# tracectl their base name), gdb's libthread_db notes, and the lines gdb
# prints only for a terminal ("Run till exit", its question before a
# pending breakpoint).
sed -E -e 's/^\(tracectl\) /(gdb) /' \
	-e 's/0x[0-9a-f]{3,}/0xADDR/g' \
	-e 's/process [0-9]+/process PID/g' \
	-e 's/\[Inferior 1 \(/[Inferior (/' \
	-e 's#[^ ]*/([^/ ]+\.[ch])([:,])#\1\2#g' \
	-e '/^\[Thread debugging using libthread_db enabled\]$/d' \
	-e '/^Using host libthread_db library /d' \
	-e '/^Run till exit from /d' \
	-e '/^Make breakpoint pending on future shared library load/d' \
	-e '/^$/d'
