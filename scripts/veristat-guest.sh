#!/usr/bin/env bash
# veristat-guest.sh OBJDIR OUT: run in a guest's selftests directory (see
# docs/measurements.md). Loads every program of the selftest objects in
# OBJDIR that call bpf_obj_new(), bpf_obj_drop(), their percpu variants,
# bpf_refcount_acquire() or a list or rbtree insert (the kfuncs whose
# constants patch 2 checks), kptr_dtor_* excepted, and writes
# "file,prog,verdict" lines to OUT, to compare two kernels.
set -u
OBJDIR=$1 OUT=$2
kf='bpf_(percpu_)?obj_(new|drop)(_impl)?|bpf_refcount_acquire(_impl)?|bpf_list_push_(front|back)(_impl)?|bpf_list_add|bpf_rbtree_add(_impl)?'
insmod ./bpf_testmod.ko 2>/dev/null || echo "bpf_testmod.ko not loaded"
for o in "$OBJDIR"/*.bpf.o; do
	case $(basename "$o") in kptr_dtor_*) continue ;; esac
	strings -a "$o" | grep -qxE "$kf" || continue
	./veristat -q -o csv -e file,prog,verdict "$o" 2>/dev/null | tail -n +2
done >"$OUT"
echo "$(grep -c . "$OUT") programs, $(grep -c ',success$' "$OUT") success, $(grep -c ',failure$' "$OUT") failure"
