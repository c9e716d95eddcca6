/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * The few OS/compiler services the EAL-free ring core needs: memory ordering, branch hints.
 *
 * Ordering uses the compiler's __atomic builtins with explicit orders. DPDK 22.11 has no
 * rte_stdatomic.h; when vnet moves to a DPDK that has it, only this file changes.
 * The ring lives in ordinary memory shared with the device (QEMU, vhost-user backend), so
 * SMP-strength barriers are sufficient (virtio spec 2.7.13: "the device and driver are
 * treated as separate processors"). Device registers (BARs) are the transport's business.
 */

#ifndef VNET_OSDEP_H
#define VNET_OSDEP_H

#include <stdbool.h>
#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "vnet supports little-endian CPUs only (virtio 1.x rings are little-endian)"
#endif

#define vnet_likely(x)		__builtin_expect(!!(x), 1)
#define vnet_unlikely(x)	__builtin_expect(!!(x), 0)

/** Load a field the other side writes, with acquire ordering (later reads stay after). */
#define VNET_LOAD_ACQ(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
/** Load a field the other side writes, no ordering (a single untorn read). */
#define VNET_LOAD_RLX(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
/** Publish a field to the other side with release ordering (earlier writes land first). */
#define VNET_STORE_REL(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
/** Store a field the other side reads, no ordering. */
#define VNET_STORE_RLX(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
/**
 * Full barrier: orders an earlier store before a later load (store->load), which
 * release/acquire do not. Needed between publishing an index and reading the other
 * side's event index, or a notification can be lost.
 */
#if defined(__x86_64__)
/* A locked add to the red zone orders like mfence for ordinary memory and costs less. */
#define VNET_MB()		__asm__ volatile("lock; addl $0, -128(%%rsp)" ::: "memory", "cc")
#else
#define VNET_MB()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

#endif /* VNET_OSDEP_H */
