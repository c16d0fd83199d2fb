#!/usr/bin/env bash
# bench.sh: base and series kernels in the same VM configuration, back to
# back, BENCH_ROUNDS rounds of each benchmark; prints medians and
# series/base ratios and compares the JIT image of the kptr-xchg program.
source "$(dirname "$0")/common.sh"
R=${BENCH_ROUNDS:-5}
cp "$TOP/scripts/bench-guest.sh" "$CACHE/bench-guest.sh"
for k in base series; do
	KERNEL=$k VM_CMD="bash $CACHE/bench-guest.sh $R" "$TOP/scripts/vmtest.sh" >"$CACHE/logs/bench-$k.log" 2>&1 || {
		echo "bench: $k run failed, see $CACHE/logs/bench-$k.log"; tail -n 20 "$CACHE/logs/bench-$k.log"; exit 1; }
	kb=$CACHE/base/build$([ "$k" = base ] || echo "-$k")
	cp "$kb/selftests/jit-xchg_task.txt" "$CACHE/logs/jit-$k.txt"
done
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
def med(v):
    v = [float(x) for x in v if x != 'n/a']
    return statistics.median(v) if v else None
print("%-22s %14s %14s %8s" % ("benchmark (median)", "base", "series", "ratio"))
for k in ["kptr-xchg", "kptr-obj-churn", "kptr-nmi-drop", "kptr-nmi-latency-us", "guest-used-kb"]:
    mb, ms = med(b.get(k, [])), med(s.get(k, []))
    fmt = lambda x: "n/a" if x is None else "%.3f" % x
    ratio = "%.2f" % (ms / mb) if mb and ms else "-"
    print("%-22s %14s %14s %8s" % (k, fmt(mb), fmt(ms), ratio))
print("units: M ops/s for throughputs (bench 'Summary: throughput'), us, kB")
PY
if cmp -s "$CACHE/logs/jit-base.txt" "$CACHE/logs/jit-series.txt"; then
	echo "JIT image of xchg_task: identical on base and series ($(wc -l <"$CACHE/logs/jit-base.txt") lines, addresses masked)"
else
	echo "JIT image of xchg_task DIFFERS:"; diff "$CACHE/logs/jit-base.txt" "$CACHE/logs/jit-series.txt" | head -20; exit 1
fi
