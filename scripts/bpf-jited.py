#!/usr/bin/env python3
# bpf-jited.py ID OUT: write the JIT image of BPF program ID to OUT as raw
# bytes, read with BPF_OBJ_GET_INFO_BY_FD (the bpftool on this machine has
# no disassembler and will not dump the image without one). x86-64 only;
# needs CAP_SYS_ADMIN. The host disassembles OUT with objdump.
import ctypes
import struct
import sys

NR_BPF = 321				# x86-64
BPF_PROG_GET_FD_BY_ID = 13
BPF_OBJ_GET_INFO_BY_FD = 15
INFO_LEN = 64				# up to xlated_prog_insns, enough here

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    ret = libc.syscall(NR_BPF, cmd, buf, ctypes.c_uint(128))
    if ret < 0:
        err = ctypes.get_errno()
        sys.exit(f"bpf({cmd}): errno {err}")
    return ret


def info(fd, jited_len=0, jited_buf=None):
    raw = bytearray(INFO_LEN)
    if jited_buf is not None:
        # struct bpf_prog_info: jited_prog_len at 16, jited_prog_insns at 24
        struct.pack_into("<I", raw, 16, jited_len)
        struct.pack_into("<Q", raw, 24, ctypes.addressof(jited_buf))
    rbuf = ctypes.create_string_buffer(bytes(raw), INFO_LEN)
    bpf(BPF_OBJ_GET_INFO_BY_FD,
        struct.pack("<IIQ", fd, INFO_LEN, ctypes.addressof(rbuf)))
    return struct.unpack_from("<I", rbuf.raw, 16)[0]


def main():
    prog_id, out = int(sys.argv[1]), sys.argv[2]
    fd = bpf(BPF_PROG_GET_FD_BY_ID, struct.pack("<I", prog_id))
    n = info(fd)
    if not n:
        sys.exit(f"program {prog_id}: no JIT image")
    image = ctypes.create_string_buffer(n)
    info(fd, n, image)
    with open(out, "wb") as f:
        f.write(image.raw[:n])
    print(f"program {prog_id}: {n} bytes of JIT image")


main()
