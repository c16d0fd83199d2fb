#!/usr/bin/env bash
# dmesg-check.sh RUNDIR: fail on any kernel report in the guest's dmesg or
# kmemleak output: WARNING/BUG/lockdep/RCU splats, KASAN, UBSAN, oopses,
# kmemleak leaks. Boot-time informational lines (the lockdep banner, ...)
# do not match: these patterns match report headers, not words.
RUN=$1
pat='(^|\] )(WARNING:|BUG:|INFO: (possible|task .* blocked|rcu_.*detected)|Oops|general protection fault|Kernel panic|UBSAN:|kernel BUG at|=+ *$)|KASAN:|suspicious RCU usage|inconsistent lock state|possible (recursive|circular) locking|sleeping function called from invalid context|kmemleak: [0-9]+ new suspected memory leaks|Uhhuh. NMI received'
bad=0
if [ -f "$RUN/dmesg.log" ]; then
	if grep -nE "$pat" "$RUN/dmesg.log" | grep -vE '^[0-9]+:\[[^]]*\] =+ *$' > "$RUN/dmesg.reports"; then
		[ -s "$RUN/dmesg.reports" ] && { echo "dmesg: kernel reports in $RUN/dmesg.log:"; head -n 20 "$RUN/dmesg.reports"; bad=1; }
	fi
else
	echo "dmesg: no $RUN/dmesg.log"; bad=1
fi
if [ -s "$RUN/kmemleak.log" ]; then
	echo "kmemleak: leaks reported, see $RUN/kmemleak.log"; head -n 20 "$RUN/kmemleak.log"; bad=1
fi
[ $bad -eq 0 ] && echo "dmesg: clean ($(wc -l < "$RUN/dmesg.log") lines, kmemleak: $( [ -f "$RUN/kmemleak.log" ] && echo 'no leaks' || echo 'not enabled'))"
exit $bad
