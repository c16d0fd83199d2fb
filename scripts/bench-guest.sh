#!/bin/bash
# Runs inside the guest, in the selftests directory: R rounds of each
# benchmark (producer pinned to CPU 0), then the translated and the JITed
# image of the kptr-xchg program.
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
# xchg_task loaded on its own (the '?' programs are not). bpftool here has
# no disassembler: dump the raw JIT image and disassemble it with objdump.
# Addresses (maps, helpers, kfuncs, the image itself) differ between
# kernels and loads and are masked, and so are map ids and BTF ids.
B=./tools/sbin/bpftool
mask() { sed -E 's/0x[0-9a-f]{8,}/ADDR/g; s/\<[0-9a-f]{8,}\>/ADDR/g; s/id:[0-9]+/id:N/g; s/#[0-9]+/#N/g'; }
mkdir -p /sys/fs/bpf/kdb
$B prog loadall kptr_dtor_bench.bpf.o /sys/fs/bpf/kdb
$B prog dump xlated pinned /sys/fs/bpf/kdb/xchg_task | mask > xlated-xchg_task.txt
$B prog dump jited pinned /sys/fs/bpf/kdb/xchg_task file /tmp/jit.bin
objdump -D -b binary -m i386:x86-64 --no-show-raw-insn /tmp/jit.bin |
	sed -n '/<.data>:/,$p' | mask > jit-xchg_task.txt
rm -rf /sys/fs/bpf/kdb
for f in xlated-xchg_task.txt jit-xchg_task.txt; do
	echo "$f: $(wc -l < $f) lines, sha1 $(sha1sum < $f | cut -c1-12)"
done
grep -m1 -E 'xchg' jit-xchg_task.txt | sed 's/^/JIT: /'
