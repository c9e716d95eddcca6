/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Adaptive kick moderation (base/vnet_kickmod.[ch]) against load models. A small model of
 * a TX queue's user takes the decisions the way vnet_tx.c does (decide when the batch
 * reaches the threshold, when the bounded delay expired, or when the lcore's RX poll came
 * back empty) on a synthetic clock; the loads: one burst in flight through a forwarder
 * (every deferral would be latency), eight bursts in flight (batching pays), single-packet
 * ping-pong, a TX-only trickle (no RX polls: only the delay ends a deferral), and a load
 * that changes from the trickle to full bursts. The threshold must stay within its bounds
 * and the outcomes within the numbers below.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnet_kickmod.h"
#include "vnet_fake_dev.h"

#define MAXT	128u		/* half of a 256-entry ring */
#define DELAY	200u		/* us, the bounded deferral */

struct model {
	struct vnet_kickmod km;
	uint32_t unkicked;
	uint64_t defer_start;	/* us + 1, 0 = none */
	uint64_t oldest_sum;	/* sum over packets of the time they waited for a decision */
	uint64_t oldest_max;
	uint64_t pkt_times[1024];	/* publish time of each unkicked packet */
	uint64_t kicks;
	uint64_t pkts;
	uint64_t ends[VNET_KICKMOD_END_N];
};

static int
check_bounds(const struct model *m, const char *what)
{
	UT_ASSERT(m->km.thresh >= 1 && m->km.thresh <= MAXT, "%s: threshold %u out of [1, %u]",
		  what, m->km.thresh, MAXT);
	return 0;
}

static void
decide(struct model *m, uint64_t now, enum vnet_kickmod_end why)
{
	uint32_t i;

	for (i = 0; i < m->unkicked; i++) {
		uint64_t w = now - m->pkt_times[i];

		m->oldest_sum += w;
		if (w > m->oldest_max)
			m->oldest_max = w;
	}
	m->ends[why]++;
	vnet_kickmod_end(&m->km, why, m->unkicked);
	m->unkicked = 0;
	m->defer_start = 0;
	m->kicks++;
}

/* A TX burst of @p n packets at @p now (us), as vnet_tx.c decides after its publish. */
static void
tx(struct model *m, uint64_t now, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n && m->unkicked < 1024; i++)
		m->pkt_times[m->unkicked++] = now;
	m->pkts += n;
	if (m->unkicked >= vnet_kickmod_thresh(&m->km))
		decide(m, now, VNET_KICKMOD_END_THRESH);
	else if (m->defer_start == 0 && m->unkicked < VNET_KICKMOD_LONE)
		decide(m, now, VNET_KICKMOD_END_LONE);
	else if (m->defer_start != 0 && now - (m->defer_start - 1) >= DELAY)
		decide(m, now, VNET_KICKMOD_END_DELAY);
	else if (m->defer_start == 0)
		m->defer_start = now + 1;
}

/* The lcore's RX poll found nothing. */
static void
rx_empty(struct model *m, uint64_t now)
{
	if (m->unkicked != 0)
		decide(m, now, VNET_KICKMOD_END_IDLE);
}

/* Safety net / time passing without bursts. */
static void
tick(struct model *m, uint64_t now)
{
	if (m->defer_start != 0 && now - (m->defer_start - 1) >= DELAY)
		decide(m, now, VNET_KICKMOD_END_DELAY);
}

static void
model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	vnet_kickmod_init(&m->km, MAXT);
}

static int
test_init_bounds(void)
{
	struct vnet_kickmod km;

	vnet_kickmod_init(&km, 0);
	UT_ASSERT(km.max_thresh == 1 && km.thresh == 1, "max 0: %u/%u", km.max_thresh, km.thresh);
	vnet_kickmod_init(&km, 16);
	UT_ASSERT(km.thresh == 16, "small ring starts at its max: %u", km.thresh);
	vnet_kickmod_init(&km, 512);
	UT_ASSERT(km.thresh == VNET_KICKMOD_START, "start %u", km.thresh);
	UT_ASSERT(!vnet_kickmod_end(&km, VNET_KICKMOD_END_N, 5) && km.thresh == VNET_KICKMOD_START,
		  "an unknown end changed the state");
	UT_ASSERT(km.ends[0] + km.ends[1] + km.ends[2] + km.ends[3] + km.ends[4] == 0,
		  "unknown end counted");
	return 0;
}

static int
test_transitions(void)
{
	struct vnet_kickmod km;
	unsigned int i;

	vnet_kickmod_init(&km, MAXT);
	/* THRESH doubles up to the max, never beyond. */
	for (i = 0; i < 10; i++)
		vnet_kickmod_end(&km, VNET_KICKMOD_END_THRESH, km.thresh);
	UT_ASSERT(km.thresh == MAXT, "after 10 THRESH: %u", km.thresh);
	/* IDLE keeps it. */
	UT_ASSERT(!vnet_kickmod_end(&km, VNET_KICKMOD_END_IDLE, 3) && km.thresh == MAXT,
		  "IDLE moved the threshold to %u", km.thresh);
	/* DELAY of a trickle: a decision at every burst, and a back-off before growing. */
	UT_ASSERT(vnet_kickmod_end(&km, VNET_KICKMOD_END_DELAY, 10) && km.thresh == 1,
		  "DELAY with 10 waiting: %u", km.thresh);
	UT_ASSERT(km.backoff == VNET_KICKMOD_BACKOFF_MIN, "back-off %u", km.backoff);
	for (i = 0; i < VNET_KICKMOD_BACKOFF_MIN; i++)
		vnet_kickmod_end(&km, VNET_KICKMOD_END_THRESH, 1);
	UT_ASSERT(km.thresh == 1, "grew during the back-off: %u", km.thresh);
	vnet_kickmod_end(&km, VNET_KICKMOD_END_THRESH, 1);
	UT_ASSERT(km.thresh == 2, "no growth after the back-off: %u", km.thresh);
	/* DELAY with nothing gathered still leaves 1 (a decision at every burst). */
	vnet_kickmod_end(&km, VNET_KICKMOD_END_DELAY, 0);
	UT_ASSERT(km.thresh == 1, "DELAY with 0: %u", km.thresh);
	/* DELAYs in a row double the back-off, bounded. */
	for (i = 0; i < 20; i++)
		vnet_kickmod_end(&km, VNET_KICKMOD_END_DELAY, 1);
	UT_ASSERT(km.backoff <= VNET_KICKMOD_BACKOFF_MAX && km.backoff_len <= VNET_KICKMOD_BACKOFF_MAX
		  && km.backoff >= VNET_KICKMOD_BACKOFF_MAX / 2, "back-off %u (len %u)", km.backoff,
		  km.backoff_len);
	/* DELAY with half the threshold gathered (a busy but slow lcore) keeps it. */
	vnet_kickmod_init(&km, MAXT);
	UT_ASSERT(!vnet_kickmod_end(&km, VNET_KICKMOD_END_DELAY, VNET_KICKMOD_START / 2) &&
		  km.thresh == VNET_KICKMOD_START && km.backoff == 0,
		  "busy DELAY: threshold %u back-off %u", km.thresh, km.backoff);
	/* FULL (packets refused): a decision at every burst, and a back-off before growing. */
	vnet_kickmod_init(&km, MAXT);
	UT_ASSERT(vnet_kickmod_end(&km, VNET_KICKMOD_END_FULL, 100) && km.thresh == 1 &&
		  km.backoff == VNET_KICKMOD_BACKOFF_MIN, "FULL: threshold %u back-off %u",
		  km.thresh, km.backoff);
	/* DELAY never raises the threshold. */
	vnet_kickmod_init(&km, MAXT);
	vnet_kickmod_end(&km, VNET_KICKMOD_END_DELAY, 1000);
	UT_ASSERT(km.thresh == VNET_KICKMOD_START, "DELAY raised it to %u", km.thresh);
	UT_ASSERT(km.ends[VNET_KICKMOD_END_DELAY] == 1, "DELAY not counted");
	return 0;
}

/* One burst of 32 in flight: RX gives 32, TX them, the next RX poll is empty. */
static int
test_one_burst(void)
{
	struct model m;
	uint64_t now = 0;
	unsigned int r;

	model_init(&m);
	for (r = 0; r < 10000; r++) {
		now += 5;
		tx(&m, now, 32);
		now += 1;
		rx_empty(&m, now);
		if (check_bounds(&m, "one burst"))
			return 1;
		now += 30;	/* the device forwards them back */
	}
	UT_ASSERT(m.ends[VNET_KICKMOD_END_DELAY] == 0, "%llu deferrals waited the whole delay",
		  (unsigned long long)m.ends[VNET_KICKMOD_END_DELAY]);
	UT_ASSERT(m.kicks == 10000, "%llu decisions for 10000 bursts (one per burst expected)",
		  (unsigned long long)m.kicks);
	UT_ASSERT(m.oldest_max <= 1, "a packet waited %llu us for its decision",
		  (unsigned long long)m.oldest_max);
	return 0;
}

/* Eight bursts in flight: eight RX polls of 32, then an empty one while the device works. */
static int
test_many_bursts(void)
{
	struct model m;
	uint64_t now = 0;
	unsigned int r, b;

	model_init(&m);
	for (r = 0; r < 2000; r++) {
		for (b = 0; b < 8; b++) {
			now += 5;
			tx(&m, now, 32);
		}
		now += 1;
		rx_empty(&m, now);
		if (check_bounds(&m, "many bursts"))
			return 1;
		now += 30;
	}
	UT_ASSERT(m.km.thresh == MAXT, "threshold %u, expected the max %u", m.km.thresh, MAXT);
	/* Steady state: two decisions per 256 packets (at 128 each). */
	UT_ASSERT(m.kicks * 128 <= m.pkts + 128 * 10, "%llu decisions for %llu packets",
		  (unsigned long long)m.kicks, (unsigned long long)m.pkts);
	UT_ASSERT(m.ends[VNET_KICKMOD_END_DELAY] == 0, "%llu DELAY ends",
		  (unsigned long long)m.ends[VNET_KICKMOD_END_DELAY]);
	UT_ASSERT(m.oldest_max < DELAY, "waited %llu us", (unsigned long long)m.oldest_max);
	printf("INFO many_bursts: %.1f packets per decision\n", (double)m.pkts / (double)m.kicks);
	return 0;
}

/* Ping-pong: one packet, then the RX poll finds nothing until the answer comes. */
static int
test_pingpong(void)
{
	struct model m;
	uint64_t now = 0;
	unsigned int r;

	model_init(&m);
	for (r = 0; r < 5000; r++) {
		now += 2;
		tx(&m, now, 1);
		now += 1;
		rx_empty(&m, now);
		now += 50;
	}
	UT_ASSERT(m.kicks == 5000 && m.ends[VNET_KICKMOD_END_LONE] == 5000,
		  "%llu decisions, %llu lone-packet ends", (unsigned long long)m.kicks,
		  (unsigned long long)m.ends[VNET_KICKMOD_END_LONE]);
	UT_ASSERT(m.oldest_max == 0, "a ping waited %llu us", (unsigned long long)m.oldest_max);
	UT_ASSERT(m.km.thresh == VNET_KICKMOD_START, "lone packets moved the threshold to %u",
		  m.km.thresh);
	return 0;
}

/*
 * TX-only trickle, no RX polls: a burst of @p burst packets every 100 us; only the delay
 * ends a deferral (bursts of 1 are lone packets: never deferred).
 */
static int
trickle(struct model *m, uint64_t *now, unsigned int n, uint32_t burst)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		*now += 50;
		tick(m, *now);
		*now += 50;
		tx(m, *now, burst);
		if (check_bounds(m, "trickle"))
			return 1;
	}
	return 0;
}

static int
test_trickle(void)
{
	struct model m;
	uint64_t now = 0;
	double mean;

	/* Lone packets: never deferred. */
	model_init(&m);
	if (trickle(&m, &now, 2000, 1))
		return 1;
	UT_ASSERT(m.oldest_max == 0 && m.ends[VNET_KICKMOD_END_LONE] == 2000,
		  "lone trickle: waited %llu us, %llu lone ends", (unsigned long long)m.oldest_max,
		  (unsigned long long)m.ends[VNET_KICKMOD_END_LONE]);
	/* Bursts of 4 (not lone): the delay and the back-off keep the waits short. */
	model_init(&m);
	if (trickle(&m, &now, 20000, VNET_KICKMOD_LONE))
		return 1;
	mean = (double)m.oldest_sum / (double)m.pkts;
	UT_ASSERT(m.oldest_max <= DELAY + 50, "waited %llu us (delay %u)",
		  (unsigned long long)m.oldest_max, DELAY);
	UT_ASSERT(mean < 10.0, "mean wait %.1f us per packet", mean);
	UT_ASSERT(m.ends[VNET_KICKMOD_END_DELAY] * 100 < m.pkts,
		  "%llu delay ends for %llu packets", (unsigned long long)m.ends[VNET_KICKMOD_END_DELAY],
		  (unsigned long long)m.pkts);
	printf("INFO trickle: mean wait %.2f us, %llu delay ends, threshold %u\n", mean,
	       (unsigned long long)m.ends[VNET_KICKMOD_END_DELAY], m.km.thresh);
	return 0;
}

/* The trickle, then TX-only full bursts: back at the max within a bounded number of bursts. */
static int
test_load_change(void)
{
	struct model m;
	uint64_t now = 0;
	unsigned int i, back = 0;

	model_init(&m);
	if (trickle(&m, &now, 20000, VNET_KICKMOD_LONE))
		return 1;
	for (i = 0; i < 4 * VNET_KICKMOD_BACKOFF_MAX; i++) {
		now += 2;
		tx(&m, now, 32);
		if (m.km.thresh == MAXT && back == 0)
			back = i + 1;
	}
	UT_ASSERT(back != 0 && m.km.thresh == MAXT, "threshold %u after %u bursts", m.km.thresh,
		  4 * VNET_KICKMOD_BACKOFF_MAX);
	printf("INFO load_change: back at the max after %u bursts\n", back);
	/* And down again when the trickle returns. */
	if (trickle(&m, &now, 200, VNET_KICKMOD_LONE))
		return 1;
	UT_ASSERT(m.km.thresh <= 8, "trickle again: threshold %u", m.km.thresh);
	return 0;
}

/*
 * Bursts against a device that idles until kicked (QEMU's TX: notifications off while it
 * works, on again once the ring is empty) and then drains DRAIN packets per us: every
 * PERIOD us a burst of BURST packets reaches TX, 32 per us, through a ring of RING entries.
 * A deferred kick leaves the device idle while the ring fills; refused packets are what
 * TCP pays for. The moderation must learn from a full ring (FULL) and stop deferring.
 */
#define RING	256u
#define DRAIN	16u
#define BURST	400u
#define PERIOD	1000u

static uint64_t
bursty(struct model *m, bool adaptive, uint64_t *dev_kicks, unsigned int bursts)
{
	uint64_t now, refused = 0;
	uint32_t out = 0, pending = 0;
	bool active = false;

	for (now = 0; now < (uint64_t)bursts * PERIOD; now++) {
		uint32_t n, take;
		int why = -1;

		if (active) {
			out -= out < DRAIN ? out : DRAIN;
			active = out != 0;
		}
		if (now % PERIOD == 0)
			pending = BURST;
		if (pending == 0) {
			if (m->unkicked != 0)
				why = VNET_KICKMOD_END_IDLE;	/* the RX poll came back empty */
		} else {
			n = pending < 32 ? pending : 32;
			take = RING - out < n ? RING - out : n;
			pending -= n;
			refused += n - take;
			out += take;
			m->pkts += take;
			for (uint32_t i = 0; i < take && m->unkicked < 1024; i++)
				m->pkt_times[m->unkicked++] = now;
			if (!adaptive || take < n)
				why = VNET_KICKMOD_END_FULL;
			else if (m->unkicked >= vnet_kickmod_thresh(&m->km))
				why = VNET_KICKMOD_END_THRESH;
			else if (m->defer_start != 0 && now - (m->defer_start - 1) >= DELAY)
				why = VNET_KICKMOD_END_DELAY;
			else if (m->defer_start == 0)
				m->defer_start = now + 1;
			if (!adaptive && take == n)
				why = VNET_KICKMOD_END_THRESH;
		}
		if (why >= 0 && m->unkicked != 0) {
			decide(m, now, (enum vnet_kickmod_end)why);
			if (!active && out != 0) {	/* event-idx: only an idle device is kicked */
				active = true;
				(*dev_kicks)++;
			}
		}
		if (m->km.thresh < 1 || m->km.thresh > RING - RING / 4)
			return UINT64_MAX;
	}
	return refused;
}

static int
test_bursty(void)
{
	struct model m;
	uint64_t kicks_a = 0, kicks_s = 0, ref_a, ref_s, pkts_a;

	/* The driver's largest threshold: 3/4 of the ring (vnet_txq_kick_policy_init()). */
	model_init(&m);
	vnet_kickmod_init(&m.km, RING - RING / 4);
	ref_s = bursty(&m, false, &kicks_s, 200);
	model_init(&m);
	vnet_kickmod_init(&m.km, RING - RING / 4);
	ref_a = bursty(&m, true, &kicks_a, 200);
	pkts_a = m.pkts;
	UT_ASSERT(ref_a != UINT64_MAX && ref_s != UINT64_MAX, "threshold out of bounds");
	printf("INFO bursty: refused %llu adaptive / %llu per-burst decisions; device kicks "
	       "%llu / %llu; FULL ends %llu\n", (unsigned long long)ref_a,
	       (unsigned long long)ref_s, (unsigned long long)kicks_a,
	       (unsigned long long)kicks_s, (unsigned long long)m.ends[VNET_KICKMOD_END_FULL]);
	/* Per-burst decisions keep the device busy: this load fits the ring then. */
	UT_ASSERT(ref_s == 0, "per-burst decisions refused %llu", (unsigned long long)ref_s);
	/* The moderation may lose a burst's tail while it learns, not one per burst. */
	UT_ASSERT(ref_a * 100 <= pkts_a, "adaptive refused %llu of %llu packets",
		  (unsigned long long)ref_a, (unsigned long long)pkts_a);
	UT_ASSERT(kicks_a <= kicks_s, "adaptive kicked the device %llu times, per-burst %llu",
		  (unsigned long long)kicks_a, (unsigned long long)kicks_s);
	return 0;
}

int
main(void)
{
	int fails = 0;

	fails += ut_run("kickmod_init_bounds", test_init_bounds);
	fails += ut_run("kickmod_transitions", test_transitions);
	fails += ut_run("kickmod_one_burst", test_one_burst);
	fails += ut_run("kickmod_many_bursts", test_many_bursts);
	fails += ut_run("kickmod_pingpong", test_pingpong);
	fails += ut_run("kickmod_trickle", test_trickle);
	fails += ut_run("kickmod_load_change", test_load_change);
	fails += ut_run("kickmod_bursty", test_bursty);
	return fails != 0;
}
