#!/usr/bin/env bash
# vmtest.sh: the main job. Environment (from make): KERNEL=series|base,
# T=<test_progs -t selection>, KDIR=<existing tree>, VARIANT=debug|kasan|rt,
# TP_ARGS=<extra test_progs arguments>, REPEAT=<run test_progs N times in
# one boot and count the passing runs>, VM_CMD=<run this in the guest's
# selftests directory instead of test_progs> (used by scripts/bench.sh).
#   series (default): kernel and selftests from base + patches/
#   base: the unmodified 7.3.4 kernel, with the series' selftests and
#         bpf_testmod built for it (shows new tests failing on the base)
#   KDIR: a kernel tree of your own (e.g. bpf-next with the series
#         applied), built and tested as it is
source "$(dirname "$0")/common.sh"

KERNEL=${KERNEL:-series} T=${T:-kptr_dtor_nmi} VARIANT=${VARIANT:-debug}
log=$CACHE/logs
t0=$(date +%s)
stage deps "$log/deps.log" "$TOP/scripts/deps.sh"
stage fetch+unpack "$log/fetch.log" "$TOP/scripts/fetch-base.sh"
suffix=$([ "$VARIANT" = debug ] || echo "-$VARIANT")
if [ -n "${KDIR:-}" ]; then
	SRC=$(cd "$KDIR" && pwd)
	STSRC=$SRC
	id=$(echo "$SRC" | sha1sum | cut -c1-8)
	KB=$CACHE/kdir-$id/build$suffix
	name=kdir-$id
else
	case $KERNEL in
	series|base) ;;
	*) die "KERNEL must be series or base" ;;
	esac
	stage "checkout $KERNEL" "$log/tree.log" "$TOP/scripts/tree.sh" "$KERNEL"
	SRC=$CACHE/base/src
	STSRC=$SRC
	# Build directories sit next to the tree, at the same depth, so that
	# ccache (base_dir) sees the same relative paths for both kernels.
	KB=$CACHE/base/build$([ "$KERNEL" = base ] || echo "-$KERNEL")$suffix
	name=$KERNEL$suffix
fi
stage "build kernel ($name)" "$log/kernel-$name.log" "$TOP/scripts/build-kernel.sh" "$SRC" "$KB" "$VARIANT"
OUT=$KB/selftests
stage "build selftests ($name)" "$log/selftests-$name.log" "$TOP/scripts/build-selftests.sh" "$STSRC" "$KB" "$OUT"
RUN=$CACHE/run/$name${VM_CMD:+-cmd}
# Under KASAN and TCG a single verifier-heavy subtest can outlast
# test_progs' 120 s watchdog (linked_list's BTF cases took longer than
# that on 2026-11-28, with another guest beside it): give KASAN 600 s.
if [ "$VARIANT" = kasan ] && [ -z "${TP_ARGS+set}" ]; then
	TP_ARGS="-w 600"
fi
CMD=${VM_CMD:-./test_progs ${TP_ARGS:-} -t $T}
if [ -z "${VM_CMD:-}" ] && [ "${REPEAT:-1}" -gt 1 ]; then
	# The guest's /tmp is its own tmpfs: hand it the script through $CACHE.
	cp "$TOP/scripts/repeat-guest.sh" "$CACHE/repeat-guest.sh"
	CMD="bash $CACHE/repeat-guest.sh $REPEAT $CMD"
	RUN=$RUN-repeat
	# One run of kptr_dtor_nmi takes 60-125 s under TCG on 2 busy cores.
	export VM_TIMEOUT=${VM_TIMEOUT:-$((900 + REPEAT * 180))}
fi
echo "[$(date +%T)] boot + $CMD ..."
t1=$(date +%s)
set +e
"$TOP/scripts/vm-run.sh" "$KB" "$OUT" "$RUN" "$CMD"
rc=$?
set -e
echo "[$(date +%T)] boot + test done in $(($(date +%s) - t1))s (rc=$rc); logs: $RUN"
echo "boot+test $(($(date +%s) - t1))" >>"$CACHE/logs/stage-times"
if ! "$TOP/scripts/dmesg-check.sh" "$RUN" && [ "$rc" -eq 0 ]; then rc=1; fi
echo "vmtest: KERNEL=$name T=$T rc=$rc, $(($(date +%s) - t0))s in all"
exit "$rc"
