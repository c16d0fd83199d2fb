#!/bin/bash
# repeat-guest.sh N CMD...: runs in the guest (make vmtest REPEAT=N): run
# CMD N times, print each run's status, time and test_progs summary, the
# whole output of failed runs, and the count; fail unless every run passed.
n=$1
shift
pass=0
for i in $(seq "$n"); do
	t0=$(date +%s%N)
	"$@" >/tmp/repeat.log 2>&1
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "run $i/$n: rc=$rc in $((ms / 1000)).$(printf %03d $((ms % 1000)))s: $(grep '^Summary' /tmp/repeat.log | tr '\n' ' ')"
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
	else
		cat /tmp/repeat.log
	fi
done
echo "repeat: $pass/$n runs passed"
[ "$pass" -eq "$n" ]
