/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * EAL-free adaptive kick moderation: how many published TX buffers may wait for a kick
 * decision, chosen per queue from how its deferrals end — the idea of Linux's DIM (dynamic
 * interrupt moderation), applied to driver-to-device notifications.
 *
 * A kick costs where the device is a trap-and-emulate or a kernel thread (a VM exit on
 * QEMU's virtio-net, an eventfd write plus a worker wake-up on vhost-net), so batching
 * buffers per kick saves CPU; it costs only when the device is left waiting for buffers
 * nobody adds. The queue's user therefore defers the decision while more buffers are
 * coming and ends a deferral on one of four events, which this core turns into the next
 * threshold:
 *
 * - THRESH: the batch reached the threshold (or one burst alone did). The load fills
 *   batches: double the threshold, up to the largest, unless a back-off is running.
 * - FULL: the ring filled up and a burst was cut short: the device did not drain what
 *   waited in time, and refused packets cost more than kicks. The threshold drops to 1 with
 *   a back-off, as after a trickle's DELAY.
 * - IDLE: the lcore that deferred polled an RX queue and found nothing: no more buffers
 *   are on their way from this lcore, so the batch is as big as this load makes it. The
 *   threshold stays; the cost of the deferral was one empty poll. This is what keeps one
 *   burst in flight and single-packet ping-pong at their undeferred speed.
 * - DELAY: the oldest buffer waited the whole bounded delay. With at least half the
 *   threshold gathered (and VNET_KICKMOD_BUSY_BATCH buffers) the load fills batches and
 *   the lcore was only slow (a long kick, a preempted vCPU): the threshold stays. With
 *   less (a TX-only lcore with a trickle, which never polls RX) the threshold drops to 1
 *   (a decision at every burst, the spec-exact behaviour) and growth is suspended for a
 *   back-off of decisions. The back-off doubles with every DELAY (up to
 *   VNET_KICKMOD_BACKOFF_MAX) until the threshold grows past the one the last DELAY
 *   struck at, which shows the load changed: a trickle probes ever more rarely, a load
 *   that turned heavy is back at the largest threshold within one back-off.
 *
 * - LONE: a burst of fewer than VNET_KICKMOD_LONE packets with nothing deferred is not
 *   deferred at all (request/response traffic: a deferral could only add its latency,
 *   there is nothing to batch with). The threshold stays.
 *
 * Whatever the threshold, the kick invariant of the queue's user holds: a deferral is
 * bounded by the delay (and the safety net), and a full ring is kicked at once. This core
 * only picks the number.
 */

#ifndef VNET_KICKMOD_H
#define VNET_KICKMOD_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Threshold a queue starts at (capped by the largest). */
#define VNET_KICKMOD_START	64
/** A burst of fewer packets than this, with nothing deferred, is decided at once (LONE). */
#define VNET_KICKMOD_LONE	4
/** A DELAY end with at least this many buffers (and half the threshold) is a busy load. */
#define VNET_KICKMOD_BUSY_BATCH	16
/** Shortest and longest back-off after a DELAY end, in kick decisions. */
#define VNET_KICKMOD_BACKOFF_MIN	8
#define VNET_KICKMOD_BACKOFF_MAX	1024

/** How a deferral ended (the counters are indexed by it). */
enum vnet_kickmod_end {
	VNET_KICKMOD_END_THRESH,	/**< batch reached the threshold */
	VNET_KICKMOD_END_FULL,		/**< ring full, burst cut short (packets refused) */
	VNET_KICKMOD_END_IDLE,		/**< the deferring lcore found its RX empty */
	VNET_KICKMOD_END_DELAY,		/**< the bounded delay expired */
	VNET_KICKMOD_END_LONE,		/**< a lone packet: decided at once, not deferred */
	VNET_KICKMOD_END_N
};

/** Per-queue moderation state. Owned by the queue's lcore; read by xstats. */
struct vnet_kickmod {
	uint32_t max_thresh;		/**< largest threshold (e.g. half the ring) */
	uint32_t thresh;		/**< buffers that may wait for a decision now */
	uint32_t backoff;		/**< decisions left before the threshold may grow */
	uint32_t backoff_len;		/**< length of the next back-off */
	uint32_t fail_thresh;		/**< threshold a DELAY last struck at (max: none) */
	uint64_t ends[VNET_KICKMOD_END_N];	/**< deferrals ended, by cause */
	uint64_t changes;		/**< threshold changes */
};

/** Set up @p km with the largest threshold @p max_thresh (>= 1). */
void vnet_kickmod_init(struct vnet_kickmod *km, uint32_t max_thresh);

/**
 * A kick decision was taken: account how it ended, with @p batch buffers waiting for it,
 * and pick the next threshold.
 * @return true if the threshold changed.
 */
bool vnet_kickmod_end(struct vnet_kickmod *km, enum vnet_kickmod_end why, uint32_t batch);

/** Buffers that may wait for a kick decision now (1: decide at every burst). */
static inline uint32_t
vnet_kickmod_thresh(const struct vnet_kickmod *km)
{
	return km->thresh;
}

#ifdef __cplusplus
}
#endif

#endif /* VNET_KICKMOD_H */
