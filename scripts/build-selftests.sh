#!/usr/bin/env bash
# build-selftests.sh SRC KBUILD OUT: build test_progs, its BPF objects and
# bpf_testmod.ko from SRC's tools/testing/selftests/bpf against the kernel
# built in KBUILD (its vmlinux BTF), with clang-22, into OUT.
source "$(dirname "$0")/common.sh"
SRC=$1 KB=$2 OUT=$3
mkdir -p "$OUT"
export PATH=$LLVM_BIN:$PATH
export CCACHE_BASEDIR=$CACHE CCACHE_NOHASHDIR=1
ARGS=(-C "$SRC/tools/testing/selftests/bpf" -j"$(($(nproc) + 1))"
	O="$KB" OUTPUT="$OUT" VMLINUX_BTF="$KB/vmlinux" KDIR="$KB"
	KHDR_INCLUDES="-isystem $KB/usr/include"
	CLANG=clang LLC=llc LLVM_STRIP=llvm-strip)
# libarena builds its skeletons in the source tree, which a switch between
# base and series cleans; the dependency files in OUT name them by absolute
# path, for which the selftests' Makefile has no rule. Build them first,
# through the targets that do have one.
make "${ARGS[@]}" libarena libarena_asan
make "${ARGS[@]}" ${ST_TARGETS:-test_progs bench}
test -x "$OUT/test_progs"
ls "$OUT"/bpf_testmod.ko >/dev/null
