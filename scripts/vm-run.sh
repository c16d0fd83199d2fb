#!/usr/bin/env bash
# vm-run.sh KBUILD SELFTESTS RUNDIR CMD...
# Boot KBUILD/arch/x86/boot/bzImage in QEMU with the host root read-only
# over 9p, SELFTESTS and RUNDIR read-write, run CMD (a shell command) in
# SELFTESTS as root, then power off. Writes RUNDIR/{console.log,out.log,
# dmesg.log,kmemleak.log,rc}. Exits with CMD's status, or 124 when the
# guest hit the hard timeout, or 125 when it ended without a status.
# TCG unless a KVM probe (scripts/kvm-probe.sh) showed a KVM guest boots.
# TCG runs both vCPUs in one host thread (VM_TCG_THREAD=single) unless told
# otherwise: with thread=multi, QEMU 7.2 (bookworm) lets a vCPU execute an
# int3 that text_poke_bp() on the other vCPU has already synced away, and
# the guest dies with "Oops: int3" in patched code (static keys at boot,
# BPF trampolines in the tests). README, "TCG and text patching".
# VM_APPEND adds kernel command line arguments (make bench: kmemleak=off).
source "$(dirname "$0")/common.sh"

KB=$1 ST=$2 RUN=$3
shift 3
CMD=$*
TIMEOUT=${VM_TIMEOUT:-1800}
CPUS=${VM_CPUS:-2}
MEM=${VM_MEM:-4G}
ACCEL=${VM_ACCEL:-$("$TOP/scripts/kvm-probe.sh" "$KB")}

mkdir -p "$RUN"
rm -f "$RUN"/{console.log,console-boot-failure.log,out.log,dmesg.log,kmemleak.log,rc}
MODS=$KB/modroot/lib/modules
cat >"$RUN/init" <<INIT
#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm
for d in /tmp /run /var/tmp /var/log; do mount -t tmpfs tmpfs \$d; done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 work "$RUN"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,posixacl st "$ST"
[ -d "$MODS" ] && mount --bind "$MODS" /lib/modules
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ip link set lo up 2>/dev/null
ulimit -l unlimited
echo 1 > /proc/sys/kernel/panic_on_oops 2>/dev/null
# Leaks from before the test (boot) are not the test's: forget them.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak; echo clear > /sys/kernel/debug/kmemleak
fi
cd "$ST"
echo "guest: \$(uname -r), \$(nproc) CPUs; running: $CMD"
( $CMD ) > "$RUN/out.log" 2>&1
echo \$? > "$RUN/rc.tmp"
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak; sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > "$RUN/kmemleak.log"
fi
dmesg > "$RUN/dmesg.log"
mv "$RUN/rc.tmp" "$RUN/rc"
sync
echo o > /proc/sysrq-trigger
sleep 30
INIT
chmod +x "$RUN/init"

QEMU=(qemu-system-x86_64 -nographic -no-reboot -m "$MEM" -smp "$CPUS"
	-kernel "$KB/arch/x86/boot/bzImage"
	-append "console=ttyS0 earlyprintk=serial root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000 ro init=$RUN/init panic=-1 oops=panic nokaslr mitigations=off ${VM_APPEND:-}"
	-fsdev local,id=root,path=/,security_model=none,readonly=on
	-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root
	-fsdev local,id=work,path="$RUN",security_model=none
	-device virtio-9p-pci,fsdev=work,mount_tag=work
	-fsdev local,id=st,path="$ST",security_model=none
	-device virtio-9p-pci,fsdev=st,mount_tag=st)
if [ "$ACCEL" = kvm ]; then
	QEMU+=(-accel kvm -cpu host)
else
	QEMU+=(-accel "tcg,thread=${VM_TCG_THREAD:-single}" -cpu max)
fi
echo "vm: $ACCEL$([ "$ACCEL" = kvm ] || echo " thread=${VM_TCG_THREAD:-single}"), $CPUS CPUs, $MEM, timeout ${TIMEOUT}s, log $RUN/console.log"
set +e
timeout --kill-after=10 "$TIMEOUT" "${QEMU[@]}" </dev/null >"$RUN/console.log" 2>&1
qrc=$?
set -e
[ -f "$RUN/out.log" ] && cat "$RUN/out.log"
if [ ! -f "$RUN/rc" ]; then
	if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
		echo "vm: hard timeout after ${TIMEOUT}s; console: $RUN/console.log"
		exit 124
	fi
	echo "vm: guest ended without a status (qemu rc=$qrc); console: $RUN/console.log"
	tail -n 40 "$RUN/console.log"
	exit 125
fi
exit "$(cat "$RUN/rc")"
