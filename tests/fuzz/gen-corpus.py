#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
#
# Writes the seed corpus of the ring-core fuzz harnesses (tests/fuzz/corpus/<harness>/):
# hand-made inputs in the opcode format of fuzz_split.c / fuzz_packed.c that reach the
# interesting states directly (index wrap, many wrap-counter flips, every hostile opcode).
# Deterministic; rerun after changing an opcode format:  python3 tests/fuzz/gen-corpus.py
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


# ---- packed: header = size index, features (1 event-idx, 2 in-order, 4 indirect, 8/16 min_len)
P_SIZES = [1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 100, 255, 256]


def p_hdr(num, feat):
    return bytes([P_SIZES.index(num), feat])


def p_add1(ln, w):
    return bytes([0, ln, 1 if w else 0])


def p_chain(total, out, lens, indirect=False):
    k = ((total - 1) & 7) | ((out & 7) << 3)
    return bytes([2 if indirect else 1, k]) + bytes(lens[:total])


P_PUB, P_KICK = b'\x03', b'\x04'


def p_collect(n):
    return bytes([5, n - 1])


P_POP = b'\x06'


def p_complete(k, sel=0, batch=False, short=False):
    return bytes([7, ((k - 1) & 15) | (16 if batch else 0) | (32 if short else 0), sel])


def p_raw_desc(pos, did, ln, flags):
    return b'\x08' + u16(pos) + u16(did) + u32(ln) + u16(flags)


def p_used(mode, extra=b'', skip=1, raw_flags=None):
    a = mode | (((skip - 1) & 15) << 3)
    if raw_flags is not None:
        a = mode | 4 | (((skip - 1) & 3) << 3)
        return bytes([9, a]) + extra + u16(raw_flags)
    return bytes([9, a]) + extra


def p_event(off_wrap, flags):
    return b'\x0a' + u16(off_wrap) + u16(flags)


def p_cb(enable, n=1):
    return bytes([11, (n << 1) if enable else 1])


P_RECLAIM, P_REINIT = b'\x0c', b'\x0d'


def p_ff(r, mode):
    return bytes([14, r, mode])   # r & 127: 1 + 2 * r rounds


packed = {
    # ring of 1: every buffer flips both wrap counters; 512 rounds x 4 buffers
    'ff_n1_flips': p_hdr(1, 1) + p_ff(127, 3) + p_ff(127, 3),
    'ff_n3_in_order_batch': p_hdr(3, 2 | 4) + p_ff(127, 4 | 2) + p_ff(127, 4 | 1),
    'ff_n7_event_idx': p_hdr(7, 1) + p_event(0x8003, 2) + p_ff(127, 3) + p_ff(127, 1),
    'ff_n255_in_order': p_hdr(255, 2 | 1) + p_ff(127, 3) + p_ff(127, 7),
    'mixed_chain_indirect': p_hdr(16, 4 | 1) + p_add1(10, 0) + p_chain(3, 1, [5, 6, 7]) +
        p_chain(4, 2, [8, 9, 10, 11], True) + p_add1(40, 1) + P_PUB + P_KICK + P_POP +
        p_complete(2, 1) + p_collect(4) + p_complete(4, 3) + p_collect(8) + P_RECLAIM,
    'hostile_duplicate': p_hdr(2, 0) + p_add1(5, 0) + p_add1(5, 0) + P_PUB + P_POP +
        p_complete(1) +
        p_collect(1) + p_used(1) + p_collect(1),
    'hostile_len': p_hdr(8, 0) + p_add1(20, 1) + p_add1(20, 1) + P_PUB + P_POP +
        p_used(2, b'\x00\xff') + p_collect(2),
    'hostile_wrap_bits': p_hdr(4, 1) + p_add1(3, 0) + p_add1(3, 0) + P_PUB + P_POP +
        p_used(0, u16(0), raw_flags=0x0000) + p_collect(2),
    'hostile_not_avail': p_hdr(4, 0) + p_add1(3, 0) + P_PUB + P_POP + p_complete(1) +
        p_collect(1) + p_used(1) + p_collect(1),
    'hostile_in_order': p_hdr(8, 2) + p_add1(3, 0) + p_add1(3, 0) + p_add1(3, 0) + P_PUB +
        P_POP + p_used(2, b'\x01\x00', skip=2) + p_collect(4) + p_used(3, b'\xff') +
        p_collect(4),
    'hostile_raw_desc': p_hdr(5, 1) + p_add1(3, 0) + P_PUB + p_raw_desc(1, 0, 99, 0x8080) +
        P_POP + p_complete(2) + p_collect(4) + p_raw_desc(0, 7, 1, 0x8082) + p_collect(4),
    'event_and_cb': p_hdr(13, 1) + p_event(0x8005, 2) + p_cb(True, 3) + p_add1(1, 0) * 6 +
        P_PUB + P_KICK + P_POP + p_complete(6) + p_cb(False) + p_collect(8) +
        p_event(0x0002, 2) + p_ff(20, 1) + P_KICK,
    'reinit_after_broken': p_hdr(4, 0) + p_add1(3, 0) + P_PUB + p_used(0, u16(9)) +
        p_collect(1) + P_REINIT + p_add1(3, 0) + P_PUB + P_POP + p_complete(1) + p_collect(1),
}

# ---- split: header = size index, features (1 event-idx, 2 indirect, 4/8 min_len,
# 16 start index from the next two bytes)
S_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256]


def s_hdr(num, feat, start=0):
    return bytes([S_SIZES.index(num), feat]) + u16(start)


def s_add(kind, ln):
    return bytes([0, kind, ln])   # kind % 3: add1 (bit 2 writable), add2, add_ind2


def s_chain(total, out, lens, indirect=False):
    k = ((total - 1) & 7) | ((out & 7) << 3)
    return bytes([2 if indirect else 1, k]) + bytes(lens[:total])


S_PUB, S_KICK, S_POP = b'\x03', b'\x04', b'\x06'


def s_collect(n):
    return bytes([5, n - 1])


def s_complete(k, sel=0, short=False):
    return bytes([7, ((k - 1) & 15) | (32 if short else 0), sel])


def s_used(mode, extra=b'', off=0, flush=0):
    a = mode | ((off & 7) << 3) | (4 if flush else 0)
    if flush:
        a = mode | 4 | (((flush - 1) & 7) << 3)
    return bytes([8, a]) + extra


def s_flush(n):
    return b'\x09' + u16(n)


def s_event(avail_event, flags):
    return b'\x0a' + u16(avail_event) + u16(flags)


def s_ff(r, mode):
    return bytes([14, r, mode])


split = {
    # from just below the 16-bit wrap: 512 rounds cross it
    'ff_wrap_n8_from_65530': s_hdr(8, 16 | 1, 65530) + s_ff(127, 3) + s_ff(127, 1),
    'ff_wrap_n256_from_65400': s_hdr(256, 16 | 2, 65400) + s_ff(127, 3) + s_ff(127, 7),
    'ff_wrap_n1_from_65535': s_hdr(1, 16 | 1, 65535) + s_ff(127, 0) + s_ff(127, 4),
    'ff_n16_indirect': s_hdr(16, 2 | 1) + s_ff(127, 2) + s_ff(127, 5),
    'mixed': s_hdr(16, 2 | 1) + s_add(0, 9) + s_add(4, 9) + s_add(1, 30) + s_add(2, 7) +
        s_chain(3, 1, [5, 6, 7]) + s_chain(4, 2, [1, 2, 3, 4], True) + S_PUB + S_KICK + S_POP +
        s_complete(3, 2) + s_collect(8) + s_complete(8, 1) + s_collect(8) + b'\x0c',
    'hostile_duplicate': s_hdr(4, 0) + s_add(0, 5) + s_add(0, 5) + S_PUB + S_POP +
        s_complete(1) + s_collect(2) + s_used(1, flush=1) + s_collect(2),
    'hostile_idx_jump': s_hdr(8, 1) + s_add(0, 5) + S_PUB + S_POP + s_flush(9) + s_collect(4),
    'hostile_idx_back_wrap': s_hdr(8, 16, 65534) + s_add(0, 5) + s_add(0, 5) + S_PUB +
        S_POP + s_complete(2) + s_collect(4) + s_flush(0xffff) + s_collect(4),
    'hostile_len': s_hdr(8, 0) + s_add(4, 20) + S_PUB + S_POP +
        s_used(2, b'\x00\xff', flush=1) + s_collect(2),
    'hostile_chain_member': s_hdr(8, 0) + s_chain(3, 1, [5, 6, 7]) + S_PUB + S_POP +
        s_used(3, b'\x01', flush=1) + s_collect(2),
    'event_and_cb': s_hdr(32, 1) + s_event(5, 0) + s_add(0, 1) * 7 + S_PUB + S_KICK +
        S_POP + s_complete(7) + bytes([11, 6]) + bytes([11, 1]) + s_collect(8) +
        s_event(0xfff0, 1) + s_ff(30, 1) + S_KICK,
    'reinit_after_broken': s_hdr(4, 0) + s_add(0, 3) + S_PUB + s_flush(7) + s_collect(1) +
        b'\x0d' + s_add(0, 3) + S_PUB + S_POP + s_complete(1) + s_collect(1),
}

for name, seeds in (('packed', packed), ('split', split)):
    d = os.path.join(here, 'corpus', name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith('seed_'):
            os.remove(os.path.join(d, f))
    for k, v in seeds.items():
        with open(os.path.join(d, 'seed_' + k), 'wb') as fh:
            fh.write(v)
    print(f'{name}: {len(seeds)} seeds in {d}')
