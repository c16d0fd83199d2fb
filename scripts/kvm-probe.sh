#!/usr/bin/env bash
# kvm-probe.sh KBUILD: print "kvm" if a KVM guest boots this kernel to its
# init within 60 s on this machine, else "tcg". The answer is cached per
# machine (nested KVM guests can hang during decompression).
source "$(dirname "$0")/common.sh"
cache=$CACHE/kvm-probe.$(hostname)
if [ -f "$cache" ]; then cat "$cache"; exit 0; fi
ans=tcg
if [ -w /dev/kvm ] && [ "${KPTR_NO_KVM:-}" != 1 ]; then
	run=$CACHE/run/kvm-probe; mkdir -p "$run/x"
	if VM_ACCEL=kvm VM_TIMEOUT=60 "$TOP/scripts/vm-run.sh" "$1" "$run" "$run/x" true >/dev/null 2>&1; then
		ans=kvm
	fi
fi
echo "$ans" >"$cache"
echo "$ans"
