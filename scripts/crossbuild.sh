#!/usr/bin/env bash
# crossbuild.sh: build the objects the series touches for another
# architecture, with W=1, on the base and on the series, and fail on a
# warning the series adds. No boot.
#   XARCH=arm64: clang and lld (LLVM=1), the BPF selftests' config and
#                config.aarch64 over defconfig
#   XARCH=i386:  gcc -m32, the BPF selftests' config over i386_defconfig,
#                with CONFIG_DEBUG_CGROUP_REF (css refs out of line)
# Each side builds in a worktree of its own under $CACHE/cross (the series
# side: base + git am of patches/), so this can run while the main tree
# builds or boots.
source "$(dirname "$0")/common.sh"

XARCH=${XARCH:-arm64}
TREE=$("$TOP/scripts/fetch-base.sh" | tail -n1)
git -C "$TREE" rev-parse -q --verify base >/dev/null || "$TOP/scripts/tree.sh" >/dev/null
X=$CACHE/cross
mkdir -p "$X"
export PATH=$LLVM_BIN:$PATH
export CCACHE_BASEDIR=$X CCACHE_NOHASHDIR=1
case $XARCH in
arm64)
	MK=(ARCH=arm64 LLVM=1 CC="ccache clang")
	DEFCONFIG=defconfig
	EXTRA=(config.aarch64)
	XCONF=
	;;
i386)
	MK=(ARCH=i386 CC="ccache gcc" HOSTCC="ccache gcc")
	DEFCONFIG=i386_defconfig
	EXTRA=()
	# The css reference functions out of line (kernel/cgroup/cgroup.c),
	# declared in cgroup.h, instead of inline from cgroup_refcnt.h.
	XCONF='CONFIG_DEBUG_CGROUP_REF=y\n'
	;;
*) die "XARCH must be arm64 or i386" ;;
esac
OBJS=(kernel/bpf/ kernel/cgroup/ mm/bpf_memcontrol.o lib/percpu-refcount.o)
rc=0
for side in base series; do
	src=$X/src-$side out=$X/build-$XARCH-$side
	if [ ! -e "$src/.git" ]; then
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$src" base
	fi
	git -C "$src" am --abort >/dev/null 2>&1 || true
	git -C "$src" checkout -q -f --detach base
	git -C "$src" clean -q -fdx
	if [ $side = series ]; then
		ls "$TOP"/patches/0*.patch | grep -v /0000- |
			xargs git -C "$src" -c user.name=x -c user.email=x@localhost am -q ||
			die "git am of patches/ failed"
	fi
	mkdir -p "$out"
	st=$src/tools/testing/selftests/bpf
	# W=1 warnings are reported, not fatal (i386_defconfig sets WERROR);
	# MEMCG for mm/bpf_memcontrol.c, which i386_defconfig leaves out.
	printf "# CONFIG_WERROR is not set\nCONFIG_MEMCG=y\n$XCONF" >"$X/cross.config"
	frags=("$st/config")
	for e in "${EXTRA[@]}"; do frags+=("$st/$e"); done
	frags+=("$X/cross.config")
	sum=$( (echo "$XARCH"; cat "${frags[@]}") | sha1sum | cut -c1-12)
	if [ "$(cat "$out/.frags" 2>/dev/null)" != "$sum" ]; then
		make -s -C "$src" O="$out" "${MK[@]}" "$DEFCONFIG" >/dev/null
		"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null
		make -s -C "$src" O="$out" "${MK[@]}" olddefconfig >/dev/null
		for l in $(printf "$XCONF"); do
			grep -qx "$l" "$out/.config" || die "$l did not survive olddefconfig"
		done
		echo "$sum" >"$out/.frags"
	fi
	objs=("${OBJS[@]}")
	# Only what the config builds (i386 gets no MEMCG from these fragments).
	grep -qx 'CONFIG_MEMCG=y' "$out/.config" || objs=("${objs[@]/mm\/bpf_memcontrol.o}")
	t0=$(date +%s)
	# Rebuild the objects (touch-free: remove them) so that every warning
	# is printed again.
	for o in ${objs[@]}; do
		case $o in */) find "$out/$o" -name '*.o' -delete 2>/dev/null || true ;;
		*) rm -f "$out/$o" ;; esac
	done
	if ! make -C "$src" O="$out" "${MK[@]}" -j"$(($(nproc) + 1))" W=1 ${objs[@]} \
		>"$out/build.log" 2>&1; then
		echo "crossbuild: $XARCH $side: build FAILED, see $out/build.log"
		tail -n 20 "$out/build.log"; rc=1; continue
	fi
	# Without line numbers, which the series shifts.
	grep -E '(warning|error):' "$out/build.log" |
		sed -E "s|$src/||; s|^(\.\./)+src-$side/||; s/:[0-9]+:[0-9]+:/:/" |
		sort -u >"$out/warnings"
	echo "crossbuild: $XARCH $side: ${objs[*]} built in $(($(date +%s) - t0)) s, $(wc -l <"$out/warnings") warning lines"
done
[ $rc -eq 0 ] || exit $rc
new=$(comm -13 "$X/build-$XARCH-base/warnings" "$X/build-$XARCH-series/warnings")
if [ -n "$new" ]; then
	echo "crossbuild: $XARCH: warnings the series adds:"; echo "$new"; exit 1
fi
echo "crossbuild: $XARCH: no new warnings (W=1)"
