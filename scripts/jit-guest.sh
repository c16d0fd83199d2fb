#!/bin/bash
# Runs inside the guest, in the selftests directory (bpf_testmod loaded or
# not): writes the translated and the JITed image of the kptr-xchg
# benchmark's xchg_task program to xlated-xchg_task.txt, its JIT image
# size to jit-xchg_task.txt and its JIT image to jited-xchg_task.bin.
# Addresses, map ids and BTF ids differ between kernels and loads and are
# masked.
B=./tools/sbin/bpftool
mask() { sed -E 's/0x[0-9a-f]{8,}/ADDR/g; s/\<[0-9a-f]{8,}\>/ADDR/g; s/id:[0-9]+/id:N/g; s/#[0-9]+/#N/g'; }
./bench -a -w1 -d60 -p1 kptr-xchg >/dev/null 2>&1 &
pid=$!
# Wait (at most 10 s) until the benchmark has loaded its programs.
for _ in $(seq 100); do
	$B prog show name xchg_task >/dev/null 2>&1 && break
	sleep 0.1
done
$B prog dump xlated name xchg_task | mask > xlated-xchg_task.txt
# Without a disassembler bpftool dumps no JIT image at all (not even raw
# with "file"): its size from bpftool, its bytes through bpf(2), and the
# host disassembles them (scripts/bench.sh).
$B prog show name xchg_task | grep -oE 'xlated [0-9]+B +jited [0-9]+B' > jit-xchg_task.txt
id=$($B prog show name xchg_task | sed -n 's/^\([0-9]*\): .*/\1/p' | head -1)
python3 "$(dirname "$0")/bpf-jited.py" "$id" jited-xchg_task.bin
kill $pid
wait $pid 2>/dev/null
for f in xlated-xchg_task.txt jit-xchg_task.txt; do
	echo "$f: $(wc -l < $f) lines, sha1 $(sha1sum < $f | cut -c1-12)"
done
grep -m2 -E 'xchg' jit-xchg_task.txt xlated-xchg_task.txt | sed 's/^/image: /'
[ -s xlated-xchg_task.txt ] && [ -s jit-xchg_task.txt ] && [ -s jited-xchg_task.bin ]
