#!/usr/bin/env bash
# poke-guest.sh [N]: runs in the guest. Reproducer for the reason
# scripts/vm-run.sh runs TCG with thread=single: CPU 1 forks and execs in a
# loop (scheduler code, where the sched_switch tracepoint sits) while this
# shell turns that tracepoint's static key on and off N times, i.e.
# 2N text_poke_bp() batches over code the other vCPU is running.
#   VM_TCG_THREAD=multi VM_CMD="bash $PWD/scripts/poke-guest.sh" make vmtest
set -u
N=${1:-1500}
ev=/sys/kernel/tracing/events/sched/sched_switch/enable
[ -w "$ev" ] || { echo "poke-guest: no $ev"; exit 1; }
taskset -c 1 bash -c 'while :; do /bin/true; done' &
load=$!
t0=$(date +%s)
for ((i = 0; i < N; i++)); do
	echo 1 >"$ev"
	echo 0 >"$ev"
done
kill "$load"
echo "poke-guest: $N on/off pairs in $(($(date +%s) - t0)) s, guest alive"
