#!/bin/bash
# Runs inside the guest, in the selftests directory: R rounds of each
# benchmark (producer pinned to CPU 0), the releases in NMI last, then
# jit-guest.sh.
R=${1:-5}
insmod ./bpf_testmod.ko 2>/dev/null
for r in $(seq "$R"); do
	for b in kptr-xchg kptr-obj-churn kptr-nmi-drop; do
		out=$(./bench -a -w1 -d3 -p1 "$b" 2>&1)
		s=$(echo "$out" | sed -n 's/^Summary: throughput *\([0-9.]*\) .*/\1/p')
		echo "RESULT $b ${s:-n/a}"
	done
done
# After the others: on the base kernel the first release in NMI makes
# lockdep report (call_rcu() in NMI) and switch itself off, which would
# speed up every later round there.
for r in $(seq "$R"); do
	# kptr-nmi-release measures in its setup; the timed part does nothing.
	out=$(./bench -a -w1 -d1 -p1 kptr-nmi-release 2>&1)
	rc=$?
	echo "$out" | grep -E '^(victims|release in NMI|kptr-nmi-release)'
	[ $rc -eq 0 ] || echo "RESULT kptr-nmi-release-failed 1"
	echo "$out" | sed -En 's/^victims [0-9]+, released in NMI [0-9]+, last puts [0-9]+ \(([0-9]+) in NMI\).*/RESULT last-puts-in-nmi \1/p'
	echo "$out" | sed -En 's/^release in NMI: ([0-9.]+) ns each; release to last put: ([0-9.]+) us mean/RESULT nmi-release-ns \1\nRESULT release-to-put-us \2/p'
done
bash "$(dirname "$0")/jit-guest.sh"
