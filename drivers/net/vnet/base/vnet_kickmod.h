/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * EAL-free adaptive kick moderation: how many published TX buffers may wait for a kick,
 * and for how long, chosen per queue from what the queue achieves — the idea of Linux's
 * DIM (dynamic interrupt moderation, lib/dim), applied to driver-to-device notifications.
 *
 * A queue moves between levels: level 0 decides about a kick at every burst (the spec-exact
 * behaviour: with event-idx the device is kicked only when it waits), higher levels let up
 * to thresh[level] buffers or delay[level] TSC cycles accumulate before deciding. Each
 * sample window (at least VNET_KICKMOD_MIN_BURSTS non-empty bursts and window_tsc cycles)
 * yields a packet rate. A probe steps up one level per window from where the queue is
 * parked, remembering the best rate and its level; it ends when a window's rate falls more
 * than VNET_KICKMOD_TOLERANCE percent below the best, or at the top level, and the queue
 * parks at the best level (the lowest one among equal rates: fewer deferrals for the same
 * rate are not worth their latency). A parked queue probes again when its rate moves more
 * than VNET_KICKMOD_DRIFT percent from the parked rate, or every VNET_KICKMOD_REPROBE
 * windows. Probes go up from level 0, down from the top level, and alternately down and up
 * from the levels between; stepping down, an equal rate moves the best level down with it.
 *
 * Whatever the level, the kick invariant of the queue's user holds: a deferral is bounded
 * by delay[level] <= the configured maximum (and the safety net), and a full ring is
 * kicked at once. The moderation only picks the numbers.
 */

#ifndef VNET_KICKMOD_H
#define VNET_KICKMOD_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Levels, 0 = decide at every burst. */
#define VNET_KICKMOD_LEVELS	5
/** Non-empty bursts a sample window needs at least. */
#define VNET_KICKMOD_MIN_BURSTS	16
/** A rate change below this (percent) counts as "the same". */
#define VNET_KICKMOD_TOLERANCE	8
/** A parked queue whose rate moved by more than this (percent) probes again. */
#define VNET_KICKMOD_DRIFT	25
/** A parked queue probes again after this many windows anyway (load may have changed). */
#define VNET_KICKMOD_REPROBE	32

/** Per-queue moderation state. Owned by the queue's lcore; read by xstats. */
struct vnet_kickmod {
	/* Configuration (vnet_kickmod_init). */
	uint32_t thresh[VNET_KICKMOD_LEVELS];	/**< buffers that may wait, per level */
	uint64_t delay[VNET_KICKMOD_LEVELS];	/**< TSC cycles they may wait, per level */
	uint64_t window_tsc;			/**< shortest sample window */
	/* State. */
	uint8_t level;
	int8_t dir;				/**< probing: +1 / -1 per window */
	bool parked;
	bool probe_down;			/**< next probe from a middle level goes down */
	uint8_t best_level;			/**< probing: level of best_rate */
	uint16_t parked_windows;
	double best_rate;			/**< probing: best rate (packets per TSC cycle) */
	double park_rate;			/**< rate measured at the parked level */
	/* Current window. */
	uint64_t start;				/**< TSC at its start, 0 = not started */
	uint64_t pkts;
	uint32_t bursts;
	/* Counters. */
	uint64_t changes;			/**< level changes */
	uint64_t windows;			/**< windows evaluated */
};

/**
 * Set up @p km: the level table from the largest threshold @p max_thresh (buffers, e.g.
 * half the ring) and the largest deferral @p max_delay (TSC cycles: kick_delay_us), and
 * the sample window from @p tsc_hz. Starts at level 0, probing upwards.
 */
void vnet_kickmod_init(struct vnet_kickmod *km, uint32_t max_thresh, uint64_t max_delay,
		       uint64_t tsc_hz);

/**
 * End of a sample window at @p now: evaluate it, maybe change the level.
 * @return true if the level changed.
 */
bool vnet_kickmod_step(struct vnet_kickmod *km, uint64_t now);

/**
 * Account a burst that sent @p pkts (> 0) at @p now; ends the window when it is long
 * enough. @return true if the level changed (the caller reloads thresh/delay).
 */
static inline bool
vnet_kickmod_burst(struct vnet_kickmod *km, uint64_t now, uint32_t pkts)
{
	if (km->start == 0) {
		km->start = now;
		km->pkts = 0;
		km->bursts = 0;
	}
	km->pkts += pkts;
	km->bursts++;
	if (km->bursts < VNET_KICKMOD_MIN_BURSTS || now - km->start < km->window_tsc)
		return false;
	return vnet_kickmod_step(km, now);
}

/** Buffers that may wait for a kick at the current level (1: decide at every burst). */
static inline uint32_t
vnet_kickmod_thresh(const struct vnet_kickmod *km)
{
	return km->thresh[km->level];
}

/** TSC cycles a published buffer may wait for its kick at the current level. */
static inline uint64_t
vnet_kickmod_delay(const struct vnet_kickmod *km)
{
	return km->delay[km->level];
}

#ifdef __cplusplus
}
#endif

#endif /* VNET_KICKMOD_H */
