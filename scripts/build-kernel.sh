#!/usr/bin/env bash
# build-kernel.sh SRC OUT [VARIANT]
# Out-of-tree build of bzImage + modules from config fragments: the BPF
# selftests' config, config.x86_64 and config.vm, then configs/vm.config,
# configs/debug.config and, for VARIANT=kasan or rt, configs/$VARIANT.config.
# The config is regenerated only when a fragment changed; make and ccache
# rebuild only what changed.
source "$(dirname "$0")/common.sh"

SRC=$1 OUT=$2 VARIANT=${3:-debug}
ST=$SRC/tools/testing/selftests/bpf
frags=("$ST/config" "$ST/config.x86_64" "$ST/config.vm"
	"$TOP/configs/vm.config" "$TOP/configs/debug.config")
case $VARIANT in
debug) ;;
kasan|rt) frags+=("$TOP/configs/$VARIANT.config") ;;
*) die "VARIANT must be debug, kasan or rt" ;;
esac
mkdir -p "$OUT"
MAKE=(make -C "$SRC" O="$OUT" -j"$(($(nproc) + 1))" CC="ccache gcc"
	HOSTCC="ccache gcc")
export CCACHE_BASEDIR=$CACHE CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros
# pahole before 1.27 encodes BTF in parallel (-j) non-deterministically, and
# bookworm's 1.24 sometimes leaves duplicate types (a base build here had
# struct sock___10 in vmlinux.h and the selftests did not compile).
# scripts/Makefile.btf leaves -j out for pahole < 1.27 when the build
# asks to be reproducible, i.e. when KBUILD_BUILD_TIMESTAMP is set.
export KBUILD_BUILD_TIMESTAMP=${KBUILD_BUILD_TIMESTAMP:-"Thu Jan  1 00:00:00 UTC 2026"}

sum=$(cat "${frags[@]}" | sha1sum | cut -c1-12)
if [ ! -f "$OUT/.config" ] || [ "$(cat "$OUT/.frags" 2>/dev/null)" != "$sum" ]; then
	cat "${frags[@]}" >"$OUT/.config"
	"${MAKE[@]}" olddefconfig
	# Every fragment line must have survived olddefconfig, otherwise the
	# kernel silently lacks something a test or the boot relies on.
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) grep -qxF "$line" "$OUT/.config" || { echo "config: $line not set"; bad=1; } ;;
		esac
	done < <(cat "$TOP/configs/vm.config" "$TOP/configs/debug.config" \
		$([ "$VARIANT" = debug ] || echo "$TOP/configs/$VARIANT.config"))
	[ $bad -eq 0 ] || exit 1
	echo "$sum" >"$OUT/.frags"
fi
"${MAKE[@]}" bzImage modules headers
# Install modules for the guest only when a module changed.
if [ ! -d "$OUT/modroot" ] || [ -n "$(find "$OUT" -name '*.ko' -newer "$OUT/modroot" -print -quit)" ]; then
	rm -rf "$OUT/modroot"
	"${MAKE[@]}" INSTALL_MOD_PATH="$OUT/modroot" INSTALL_MOD_STRIP=1 modules_install >/dev/null
fi
