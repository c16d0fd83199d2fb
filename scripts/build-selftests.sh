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
#
# The selftests' Makefile also lists the libarena/*.bpf.o that exist when
# it is parsed as prerequisites of those skeletons, and libarena's own
# make deletes them as intermediates when it rebuilds a skeleton; when
# vmlinux.h is regenerated in the same run, the two skeletons rebuild in
# parallel and one of them fails with "No rule to make target
# 'libarena/<name>.bpf.o'" (seen once, 06:59 on 2026-11-23). Remove them
# before each make, so that none is listed; libarena's make rebuilds
# them from source when a skeleton is out of date.
noarena_o() { rm -f "$SRC/tools/testing/selftests/bpf/libarena/"*.bpf.o; }
# BENCH=1 (scripts/bench.sh): the project's benchmarks, which are not part
# of the series, go into the tree for this build: bench/*.c at their
# places and bench/selftests.patch, which registers them (7.3.4's Makefile
# lists the benchmark objects). The next checkout (scripts/tree.sh) takes
# them out again.
if [ "${BENCH:-0}" = 1 ]; then
	ST=$SRC/tools/testing/selftests/bpf
	cp "$TOP/bench/bench_kptr_dtor.c" "$ST/benchs/"
	cp "$TOP/bench/kptr_dtor_bench.c" "$ST/progs/"
	if git -C "$SRC" apply --check "$TOP/bench/selftests.patch" 2>/dev/null; then
		git -C "$SRC" apply "$TOP/bench/selftests.patch"
	else
		git -C "$SRC" apply --check -R "$TOP/bench/selftests.patch" ||
			die "bench/selftests.patch does not apply"
	fi
fi
noarena_o
make "${ARGS[@]}" libarena libarena_asan
noarena_o
make "${ARGS[@]}" ${ST_TARGETS:-test_progs bench}
test -x "$OUT/test_progs"
ls "$OUT"/bpf_testmod.ko >/dev/null
