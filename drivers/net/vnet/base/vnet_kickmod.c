/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/* Adaptive kick moderation: level table and the per-window probe/park decision. */

#include <string.h>

#include "vnet_kickmod.h"

/* Deferral of each level as a fraction (1/8ths) of the largest, and its buffer threshold
 * as a fraction of the largest: level 0 decides at every burst.
 */
static const uint8_t delay_eighths[VNET_KICKMOD_LEVELS] = { 0, 1, 2, 4, 8 };
static const uint8_t thresh_eighths[VNET_KICKMOD_LEVELS] = { 0, 1, 2, 4, 8 };

void
vnet_kickmod_init(struct vnet_kickmod *km, uint32_t max_thresh, uint64_t max_delay,
		  uint64_t tsc_hz)
{
	unsigned int l;

	memset(km, 0, sizeof(*km));
	if (max_thresh < 8)
		max_thresh = 8;
	for (l = 0; l < VNET_KICKMOD_LEVELS; l++) {
		km->thresh[l] = max_thresh * thresh_eighths[l] / 8;
		if (km->thresh[l] == 0)
			km->thresh[l] = 1;
		km->delay[l] = max_delay * delay_eighths[l] / 8;
	}
	/* Long enough to average several deferrals of the top level, and >= 2 ms. */
	km->window_tsc = 4 * max_delay;
	if (km->window_tsc < tsc_hz / 500)
		km->window_tsc = tsc_hz / 500;
	km->dir = 1;
	km->best_level = 0;
}

static void
park(struct vnet_kickmod *km, uint8_t level, double rate)
{
	if (level != km->level)
		km->changes++;
	km->level = level;
	km->parked = true;
	km->parked_windows = 0;
	km->park_rate = rate;
}

static void
move(struct vnet_kickmod *km, int dir)
{
	km->level = (uint8_t)(km->level + dir);
	km->changes++;
}

/*
 * Start a probe from the parked level, its rate the first sample: upwards from level 0,
 * downwards from the top, else alternately down and up.
 */
static void
probe(struct vnet_kickmod *km, double rate)
{
	km->parked = false;
	km->best_level = km->level;
	km->best_rate = rate;
	if (km->level == 0) {
		km->dir = 1;
	} else if (km->level + 1 == VNET_KICKMOD_LEVELS) {
		km->dir = -1;
	} else {
		km->dir = km->probe_down ? -1 : 1;
		km->probe_down = !km->probe_down;
	}
	move(km, km->dir);
}

bool
vnet_kickmod_step(struct vnet_kickmod *km, uint64_t now)
{
	uint64_t span = now - km->start;
	uint8_t before = km->level;
	bool better, worse;
	double rate;

	km->start = 0;
	km->windows++;
	if (span == 0)
		return false;
	rate = (double)km->pkts / (double)span;

	if (km->parked) {
		double drift = rate > km->park_rate ? rate - km->park_rate : km->park_rate - rate;

		if (++km->parked_windows >= VNET_KICKMOD_REPROBE ||
		    drift * 100 > VNET_KICKMOD_DRIFT * km->park_rate)
			probe(km, rate);
		return km->level != before;
	}
	if (km->windows == 1) {
		probe(km, rate);	/* level 0's rate starts the first probe upwards */
		return true;
	}
	/* Probing: this window ran at km->level. */
	better = rate * 100 > km->best_rate * (100 + VNET_KICKMOD_TOLERANCE);
	worse = rate * 100 < km->best_rate * (100 - VNET_KICKMOD_TOLERANCE);
	if (worse) {
		park(km, km->best_level, km->best_rate);	/* past the best: back to it */
		return km->level != before;
	}
	/* Better; or the same while stepping down: less deferral for the same rate. */
	if (better || km->dir < 0) {
		km->best_level = km->level;
		if (better)
			km->best_rate = rate;
	}
	if ((km->dir > 0 && km->level + 1 < VNET_KICKMOD_LEVELS) || (km->dir < 0 && km->level > 0))
		move(km, km->dir);
	else
		park(km, km->best_level, km->best_rate);
	return km->level != before;
}
