#!/usr/bin/env bash
# build-selftests.sh SRC KBUILD OUT: build test_progs, its BPF objects and
# bpf_testmod.ko from SRC's tools/testing/selftests/bpf against the kernel
# built in KBUILD (its vmlinux BTF), with clang-22, into OUT.
source "$(dirname "$0")/common.sh"
SRC=$1 KB=$2 OUT=$3
mkdir -p "$OUT"
export PATH=$LLVM_BIN:$PATH
export CCACHE_BASEDIR=$CACHE CCACHE_NOHASHDIR=1
make -C "$SRC/tools/testing/selftests/bpf" -j"$(($(nproc) + 1))" \
	O="$KB" OUTPUT="$OUT" VMLINUX_BTF="$KB/vmlinux" KDIR="$KB" \
	KHDR_INCLUDES="-isystem $KB/usr/include" \
	CLANG=clang LLC=llc LLVM_STRIP=llvm-strip \
	${ST_TARGETS:-test_progs bench}
test -x "$OUT/test_progs"
ls "$OUT"/bpf_testmod.ko >/dev/null
