#!/usr/bin/env bash
# check.sh: every test of the project, what CI runs (.ci/run -> make check).
# Static checks, the userspace harness and model, then the series in the VM:
# the kptr_dtor_nmi tests and the neighbouring kptr groups.
source "$(dirname "$0")/common.sh"
CHECK_T=${CHECK_T:-kptr_dtor_nmi,map_kptr,local_kptr_stash,refcounted_kptr,task_kfunc,cgrp_kfunc,cpumask,rbtree,linked_list,percpu_alloc,kptr_xchg_inline,crypto,lookup_key,cgroup_iter_memcg}
pass=0 fail=0 failed=()
t0=$(date +%s)
step() {
	local name=$1 s=$(date +%s)
	shift
	echo "=== check: $name ($(date -u +%T))"
	if "$@"; then
		pass=$((pass + 1))
		echo "=== check: $name passed in $(($(date +%s) - s)) s"
	else
		fail=$((fail + 1))
		failed+=("$name")
		echo "=== check: $name FAILED after $(($(date +%s) - s)) s"
	fi
}
step deps "$TOP/scripts/deps.sh"
step lint "$TOP/scripts/lint.sh"
step harness make -C "$TOP/harness"
step model make -C "$TOP/model"
step vmtest env KERNEL=series T="$CHECK_T" "$TOP/scripts/vmtest.sh"
echo "=== check: $(($(date +%s) - t0))s; failed: ${failed[*]:-none}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
