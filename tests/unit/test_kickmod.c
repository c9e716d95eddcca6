/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Adaptive kick moderation (base/vnet_kickmod.[ch]) against load models: a queue whose rate
 * only suffers from deferral (one burst in flight: every deferral is latency), one whose
 * rate grows with batching (many bursts in flight), a load that changes from one to the
 * other, and equal rates at every level. Windows are fed directly with a synthetic clock
 * and +-4 % deterministic noise; the level table must stay within the configured bounds.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnet_kickmod.h"
#include "vnet_fake_dev.h"

#define HZ		1000000000ull	/* 1 GHz synthetic TSC */
#define MAX_DELAY	(200 * HZ / 1000000)	/* 200 us */

static uint64_t rng = 88172645463325252ull;

static double
noise(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return 1.0 + ((double)(rng % 8001) - 4000.0) / 100000.0;	/* +-4 % */
}

/* Run one window at the current level with the model's rate (packets per us). */
static void
window(struct vnet_kickmod *km, uint64_t *now, const double *rate_per_level)
{
	uint64_t span = km->window_tsc;
	double pps = rate_per_level[km->level] * noise();
	uint32_t i;

	for (i = 0; i < VNET_KICKMOD_MIN_BURSTS - 1; i++)
		vnet_kickmod_burst(km, *now + i, (uint32_t)(pps * 1.0));
	*now += span;
	/* The last burst of the window carries the rest of its packets. */
	vnet_kickmod_burst(km, *now, (uint32_t)(pps * (double)span / 1000.0));
}

static int
run(const char *what, const double *model, unsigned int windows, unsigned int *at_level)
{
	struct vnet_kickmod km;
	uint64_t now = 1;
	unsigned int w, l;

	vnet_kickmod_init(&km, 128, MAX_DELAY, HZ);
	for (l = 0; l < VNET_KICKMOD_LEVELS; l++) {
		UT_ASSERT(km.delay[l] <= MAX_DELAY && km.thresh[l] >= 1 && km.thresh[l] <= 128,
			  "%s: level %u table %u/%llu", what, l, km.thresh[l],
			  (unsigned long long)km.delay[l]);
		at_level[l] = 0;
	}
	UT_ASSERT(km.delay[0] == 0 && km.thresh[0] == 1, "level 0 must not defer");
	for (w = 0; w < windows; w++) {
		window(&km, &now, model);
		at_level[km.level]++;
	}
	return 0;
}

static int
test_one_burst(void)
{
	/* Every level above 0 only adds latency: the rate falls with the deferral. */
	static const double model[VNET_KICKMOD_LEVELS] = { 1.0, 0.85, 0.7, 0.5, 0.3 };
	unsigned int at[VNET_KICKMOD_LEVELS];

	if (run("one burst", model, 1000, at))
		return 1;
	UT_ASSERT(at[0] >= 900, "level 0 in %u of 1000 windows (levels 1..4: %u %u %u %u)",
		  at[0], at[1], at[2], at[3], at[4]);
	UT_ASSERT(at[2] + at[3] + at[4] == 0, "probed beyond level 1: %u %u %u", at[2], at[3],
		  at[4]);
	return 0;
}

static int
test_many_bursts(void)
{
	/* Batching pays up to level 3, level 4 adds nothing. */
	static const double model[VNET_KICKMOD_LEVELS] = { 1.0, 1.4, 1.8, 2.1, 2.1 };
	unsigned int at[VNET_KICKMOD_LEVELS];

	if (run("many bursts", model, 1000, at))
		return 1;
	UT_ASSERT(at[3] >= 850, "level 3 in %u of 1000 windows (0..4: %u %u %u %u %u)", at[3],
		  at[0], at[1], at[2], at[3], at[4]);
	return 0;
}

static int
test_flat(void)
{
	/* Nothing to gain: stay at level 0 (no deferral for nothing). */
	static const double model[VNET_KICKMOD_LEVELS] = { 1.0, 1.0, 1.0, 1.0, 1.0 };
	unsigned int at[VNET_KICKMOD_LEVELS];

	if (run("flat", model, 1000, at))
		return 1;
	UT_ASSERT(at[0] >= 800, "level 0 in %u of 1000 windows (0..4: %u %u %u %u %u)", at[0],
		  at[0], at[1], at[2], at[3], at[4]);
	return 0;
}

static int
test_load_change(void)
{
	static const double many[VNET_KICKMOD_LEVELS] = { 1.0, 1.4, 1.8, 2.1, 2.1 };
	static const double one[VNET_KICKMOD_LEVELS] = { 0.3, 0.25, 0.2, 0.15, 0.1 };
	struct vnet_kickmod km;
	uint64_t now = 1;
	unsigned int w, back = 0;

	vnet_kickmod_init(&km, 128, MAX_DELAY, HZ);
	for (w = 0; w < 300; w++)
		window(&km, &now, many);
	UT_ASSERT(km.level == 3, "many bursts: level %u", km.level);
	/* The load falls to one burst in flight: back to level 0 within a few probes. */
	for (w = 0; w < 3 * VNET_KICKMOD_REPROBE; w++) {
		window(&km, &now, one);
		if (km.level == 0 && back == 0)
			back = w + 1;
	}
	UT_ASSERT(back != 0 && km.level == 0, "still at level %u after %u windows", km.level,
		  3 * VNET_KICKMOD_REPROBE);
	/* And up again when batching pays again. */
	for (w = 0; w < 3 * VNET_KICKMOD_REPROBE; w++)
		window(&km, &now, many);
	UT_ASSERT(km.level == 3, "load back: level %u", km.level);
	printf("INFO load_change: back at level 0 after %u windows, %llu level changes\n", back,
	       (unsigned long long)km.changes);
	return 0;
}

static int
test_short_windows(void)
{
	struct vnet_kickmod km;
	unsigned int i;

	/* Fewer bursts than a window needs, or too little time: no decision. */
	vnet_kickmod_init(&km, 128, MAX_DELAY, HZ);
	for (i = 0; i < VNET_KICKMOD_MIN_BURSTS - 1; i++)
		UT_ASSERT(!vnet_kickmod_burst(&km, 1 + km.window_tsc * 2 * i, 32),
			  "decided after %u bursts", i + 1);
	vnet_kickmod_init(&km, 128, MAX_DELAY, HZ);
	for (i = 0; i < 1000; i++)
		UT_ASSERT(!vnet_kickmod_burst(&km, 1 + i, 32), "decided within %u cycles", i);
	UT_ASSERT(km.level == 0 && km.windows == 0, "level %u windows %llu", km.level,
		  (unsigned long long)km.windows);
	return 0;
}

int
main(void)
{
	int fails = 0;

	fails += ut_run("kickmod_one_burst", test_one_burst);
	fails += ut_run("kickmod_many_bursts", test_many_bursts);
	fails += ut_run("kickmod_flat", test_flat);
	fails += ut_run("kickmod_load_change", test_load_change);
	fails += ut_run("kickmod_short_windows", test_short_windows);
	return fails != 0;
}
