/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/* Adaptive kick moderation: the threshold from how deferrals end (see vnet_kickmod.h). */

#include <string.h>

#include "vnet_kickmod.h"

void
vnet_kickmod_init(struct vnet_kickmod *km, uint32_t max_thresh)
{
	memset(km, 0, sizeof(*km));
	km->max_thresh = max_thresh != 0 ? max_thresh : 1;
	km->thresh = km->max_thresh < VNET_KICKMOD_START ? km->max_thresh : VNET_KICKMOD_START;
	km->backoff_len = VNET_KICKMOD_BACKOFF_MIN;
	km->fail_thresh = km->max_thresh;
}

/* Decide at every burst again (threshold 1), and wait a back-off before growing. */
static uint32_t
kickmod_back_off(struct vnet_kickmod *km)
{
	km->backoff = km->backoff_len;
	if (km->backoff_len < VNET_KICKMOD_BACKOFF_MAX)
		km->backoff_len *= 2;
	return 1;
}

bool
vnet_kickmod_end(struct vnet_kickmod *km, enum vnet_kickmod_end why, uint32_t batch)
{
	uint32_t t = km->thresh;

	if ((unsigned int)why >= VNET_KICKMOD_END_N)
		return false;
	km->ends[why]++;
	switch (why) {
	case VNET_KICKMOD_END_FULL:
		/*
		 * The ring filled up and packets were refused: the device did not drain what
		 * waited in time (it idles while a kick is deferred). A refused packet costs
		 * more than a kick (TCP pays a retransmission): decide at every burst again
		 * and back off before growing, as after a trickle's DELAY.
		 */
		t = kickmod_back_off(km);
		break;
	case VNET_KICKMOD_END_THRESH:
		if (km->backoff != 0) {
			km->backoff--;
			break;
		}
		t = t > km->max_thresh / 2 ? km->max_thresh : t * 2;
		/* Past the threshold the last DELAY struck at: the load has changed. */
		if (t > km->fail_thresh) {
			km->fail_thresh = km->max_thresh;
			km->backoff_len = VNET_KICKMOD_BACKOFF_MIN;
		}
		break;
	case VNET_KICKMOD_END_LONE:
	case VNET_KICKMOD_END_IDLE:
		/* The load made this batch; the deferral cost one empty poll. */
		if (km->backoff != 0)
			km->backoff--;
		break;
	case VNET_KICKMOD_END_DELAY:
	default:
		/*
		 * At least half the threshold came within the delay: the load fills batches,
		 * the lcore was only slow (a long kick, a preempted vCPU). Keep the threshold.
		 */
		if (batch >= km->thresh / 2 && batch >= VNET_KICKMOD_BUSY_BATCH)
			break;
		/* A trickle: decide at every burst again, and wait before growing. */
		t = kickmod_back_off(km);
		break;
	}
	if (t == km->thresh)
		return false;
	km->thresh = t;
	km->changes++;
	return true;
}
