#!/usr/bin/env bash
# bench.sh: base and series kernels in the same VM configuration, back to
# back, BENCH_ROUNDS rounds of each benchmark; prints medians and
# series/base ratios, the sizes of the structs the series touches, and compares the kptr-xchg program's translated and
# JIT images (scripts/jit-guest.sh).
# BENCH_KERNELS="series" (or "base") reruns one side and reuses the other
# side's last results from $CACHE/logs.
source "$(dirname "$0")/common.sh"
R=${BENCH_ROUNDS:-5}
cp "$TOP/scripts/bench-guest.sh" "$TOP/scripts/jit-guest.sh" "$TOP/scripts/bpf-jited.py" "$CACHE/"
# The JIT image as instructions: call targets, jump targets that leave the
# image and immediates that are addresses differ between kernels; mask them.
disasm() {
	objdump -D -b binary -m i386:x86-64 "$1" | sed -n 's/^ *[0-9a-f]*:\t[0-9a-f ]*\t//p' |
		sed -E 's/0x[0-9a-f]{5,}/ADDR/g; s/\<[0-9a-f]{5,}\>/ADDR/g'
}
for k in ${BENCH_KERNELS:-base series}; do
	echo "[$(date +%T)] bench: $k kernel, $R rounds ..."
	# The benchmark kernels run without kmemleak's per-allocation work.
	# The base kernel's releases in NMI make lockdep report call_rcu() in
	# NMI (the bug the series fixes): there a dmesg report is a result,
	# not a failure, as long as the benchmarks themselves completed.
	if ! BENCH=1 KERNEL=$k VM_APPEND=kmemleak=off VM_CMD="bash $CACHE/bench-guest.sh $R" "$TOP/scripts/vmtest.sh" >"$CACHE/logs/bench-$k.log" 2>&1; then
		if [ "$k" = base ] && [ "$(cat "$CACHE/run/base-cmd/rc" 2>/dev/null)" = 0 ]; then
			echo "bench: base kernel's dmesg (expected there):"
			head -n 3 "$CACHE/run/base-cmd/dmesg.reports" | sed 's/^/  /'
		else
			echo "bench: $k run failed, see $CACHE/logs/bench-$k.log"; tail -n 20 "$CACHE/logs/bench-$k.log"; exit 1
		fi
	fi
	kb=$CACHE/base/build$([ "$k" = base ] || echo "-$k")
	cp "$kb/selftests/xlated-xchg_task.txt" "$CACHE/logs/xlated-$k.txt"
	cp "$kb/selftests/jited-xchg_task.bin" "$CACHE/logs/jited-$k.bin"
	{ cat "$kb/selftests/jit-xchg_task.txt"; disasm "$CACHE/logs/jited-$k.bin"; } >"$CACHE/logs/jit-$k.txt"
	grep -h '^vm:' "$CACHE/logs/bench-$k.log" | head -1 >"$CACHE/logs/bench-$k.vm"
done
for k in base series; do
	[ -f "$CACHE/logs/bench-$k.log" ] || die "no results for the $k kernel yet: run make bench"
done
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
echo "guest:   $(cat "$CACHE/logs/bench-base.vm") (base), debug config, kmemleak=off, $R rounds each, medians"
# What the series adds to objects: sizes of the structs it touches.
for k in base series; do
	kb=$CACHE/base/build$([ "$k" = base ] || echo "-$k")
	pahole -C task_struct,cgroup_subsys_state,bpf_crypto_ctx,btf_record,btf_field_kptr,btf_id_dtor_kfunc \
		"$kb/vmlinux" 2>/dev/null | sed -n 's/^struct \([a-z_]*\) {.*/\1/p; s/^\t\/\* size: \([0-9]*\),.*/\1/p' |
		paste -d' ' - - | sort >"$CACHE/logs/sizes-$k.txt"
done
join "$CACHE/logs/sizes-base.txt" "$CACHE/logs/sizes-series.txt" |
	awk '{ printf "sizeof(struct %s): base %s, series %s bytes\n", $1, $2, $3 }'
python3 - "$CACHE/logs/bench-base.log" "$CACHE/logs/bench-series.log" <<'PY'
import sys, statistics
def load(p):
    r = {}
    for line in open(p):
        f = line.split()
        if len(f) == 3 and f[0] == 'RESULT':
            r.setdefault(f[1], []).append(f[2])
    return r
b, s = load(sys.argv[1]), load(sys.argv[2])
for side, res in (("base", b), ("series", s)):
    if "kptr-nmi-release-failed" in res:
        print("kptr-nmi-release FAILED on %s" % side)
        sys.exit(1)
def med(v):
    v = [float(x) for x in v if x != 'n/a']
    return statistics.median(v) if v else None
rows = [("kptr-xchg", "M ops/s"), ("kptr-obj-churn", "M ops/s"),
        ("kptr-nmi-drop", "M ops/s"), ("nmi-release-ns", "ns"),
        ("release-to-put-us", "us"), ("last-puts-in-nmi", "of 4096")]
print("%-26s %-8s %12s %12s %7s  %s" % ("benchmark", "unit", "base", "series", "ratio", "runs b/s"))
for k, unit in rows:
    mb, ms = med(b.get(k, [])), med(s.get(k, []))
    fmt = lambda x: "n/a" if x is None else "%.3f" % x
    ratio = "%.2f" % (ms / mb) if mb and ms else "-"
    print("%-26s %-8s %12s %12s %7s  %d/%d" % (k, unit, fmt(mb), fmt(ms), ratio,
          len(b.get(k, [])), len(s.get(k, []))))
PY
rc=0
for f in xlated jit; do
	b=$CACHE/logs/$f-base.txt s=$CACHE/logs/$f-series.txt
	if [ ! -s "$b" ] || [ "$(wc -l <"$b")" -lt 10 ]; then
		echo "$f image of xchg_task: missing or nearly empty (base side)"; rc=1
	elif cmp -s "$b" "$s"; then
		n=$(wc -l <"$b")
		if [ $f = jit ]; then
			echo "jit image of xchg_task: identical on base and series: $(head -1 "$b"), $((n - 1)) instructions, addresses masked, sha1 $(sha1sum <"$b" | cut -c1-12)"
			grep -m1 xchg "$b" | sed 's/^/  kptr exchange: /' || echo '  no xchg instruction in the image'
		else
			echo "xlated image of xchg_task: identical on base and series: $n lines, addresses masked, sha1 $(sha1sum <"$b" | cut -c1-12)"
		fi
	else
		echo "$f image of xchg_task DIFFERS:"; diff "$b" "$s" | head -20; rc=1
	fi
done
exit $rc
