#!/bin/bash
# Runs inside the guest, in the selftests directory: R rounds of each
# benchmark, then the JIT image of the kptr-xchg program.
R=${1:-5}
insmod ./bpf_testmod.ko 2>/dev/null
for r in $(seq "$R"); do
	for b in kptr-xchg kptr-obj-churn kptr-nmi-drop; do
		out=$(./bench -w1 -d3 -p1 "$b" 2>&1)
		s=$(echo "$out" | sed -n 's/^Summary: throughput *\([0-9.]*\) .*/\1/p')
		echo "RESULT $b ${s:-n/a}"
		echo "$out" | sed -n 's/^drop-to-dtor latency: mean \([0-9.]*\) us.*/RESULT kptr-nmi-latency-us \1/p'
	done
done
./bench -w1 -d20 -p1 kptr-xchg >/dev/null 2>&1 &
sleep 3
./tools/sbin/bpftool prog dump jited name xchg_task > /tmp/jit.txt 2>&1
wait
sed -n '/^int xchg_task/,$p' /tmp/jit.txt | sed -E 's/0x[0-9a-f]{8,}/ADDR/g' > jit-xchg_task.txt
echo "JIT $(wc -l < jit-xchg_task.txt) lines, sha1 $(sha1sum < jit-xchg_task.txt | cut -c1-12)"
free -k | sed -n 's/^Mem: *[0-9]* *\([0-9]*\).*/RESULT guest-used-kb \1/p'
