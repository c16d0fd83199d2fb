#!/bin/bash
# Runs inside the guest, in the selftests directory: R rounds of each
# benchmark (producer pinned to CPU 0), then jit-guest.sh.
R=${1:-5}
insmod ./bpf_testmod.ko 2>/dev/null
for r in $(seq "$R"); do
	for b in kptr-xchg kptr-obj-churn kptr-nmi-drop; do
		out=$(./bench -a -w1 -d3 -p1 "$b" 2>&1)
		s=$(echo "$out" | sed -n 's/^Summary: throughput *\([0-9.]*\) .*/\1/p')
		echo "RESULT $b ${s:-n/a}"
		echo "$out" | sed -n 's/^drop-to-dtor latency: mean \([0-9.]*\) us.*/RESULT kptr-nmi-latency-us \1/p'
	done
	# kptr-mem measures in its setup; the timed part does nothing.
	out=$(./bench -a -w1 -d1 -p1 kptr-mem 2>&1)
	rc=$?
	echo "$out" | grep -E '^(objects|slab|kptr-mem)'
	[ $rc -eq 0 ] || echo "RESULT kptr-mem-failed 1"
	echo "$out" | sed -En 's/^objects [0-9]+, dropped [0-9]+ \(([0-9]+) in NMI\).*/RESULT mem-nmi-objects \1/p'
	echo "$out" | sed -En 's/^slab: before ([0-9]+) kB, peak ([0-9]+) kB \(([0-9.]+) B\/object\), after [0-9]+ kB \(([-+0-9]+) kB\), settled in ([0-9.]+) s/RESULT mem-before-kb \1\nRESULT mem-peak-kb \2\nRESULT mem-peak-b-per-object \3\nRESULT mem-after-minus-before-kb \4\nRESULT mem-settle-s \5/p'
done
bash "$(dirname "$0")/jit-guest.sh"
