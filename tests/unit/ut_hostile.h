/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * The hostile-device fixture of test_hostile.c (split) and test_packed.c (packed): buffers
 * of every shape posted and popped by the fake device (whose used entries the test then
 * writes by hand), a collector, and what every broken queue must guarantee afterwards:
 * nothing more handed out, adds refused with -EIO, no kick, every buffer reclaimed exactly
 * once by detach_unused, broken until re-init, usable after it.
 *
 * NTOK (default NPOST) may be defined before the include: the tokens a test can post.
 */

#ifndef UT_HOSTILE_H
#define UT_HOSTILE_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ut_queue.h"

#define NUM	16
#define NPOST	8
#ifndef NTOK
#define NTOK	NPOST
#endif

struct tok {
	int returned;		/* times handed back (get_used or detach) */
};

static struct tok toks[NTOK];
static uint8_t data[NTOK][256];
static uint16_t ids[NTOK];	/* buffer ids (split: head descriptors) in post order */
static uint16_t ndescs[NTOK];	/* ring descriptors of each buffer */

static void
on_detach(void *cookie, void *arg)
{
	struct tok *t = cookie;

	(void)arg;
	if (t >= toks && t < toks + NTOK)
		t->returned++;
	else
		toks[0].returned += 1000;	/* foreign cookie: make the count check fail */
}

/*
 * Post NPOST buffers of every shape: 0..3 readable add1 (64 B), 4..5 writable add1 (100 B),
 * 6 a main-table chain (2 readable + 1 writable of 50 B), 7 an indirect chain (1 readable +
 * 2 writable of 40 B). Publish them and let the device pop them all (ids[] and ndescs[] in
 * post order): 10 descriptors in use, 6 free; split: descriptor ids[6] + 1 is a chain member.
 */
static int
post_all(struct ut_queue *q)
{
	struct vnet_sg sg[3];
	unsigned int i;
	uint16_t nd;
	int rc = 0;

	memset(toks, 0, sizeof(toks));
	for (i = 0; i < 4 && rc == 0; i++)
		rc = utq_add1(q, (uintptr_t)data[i], 64, false, &toks[i]);
	for (; i < 6 && rc == 0; i++)
		rc = utq_add1(q, (uintptr_t)data[i], 100, true, &toks[i]);
	UT_ASSERT(rc == 0, "add1: %d", rc);
	for (i = 0; i < 3; i++) {
		sg[i].addr = (uintptr_t)data[6] + 50 * i;
		sg[i].len = 50;
	}
	UT_ASSERT(utq_add(q, sg, 2, 1, &toks[6], false) == 0, "add chain");
	for (i = 0; i < 3; i++) {
		sg[i].addr = (uintptr_t)data[7] + 40 * i;
		sg[i].len = 40;
	}
	UT_ASSERT(utq_add(q, sg, 1, 2, &toks[7], true) == 0, "add indirect");
	utq_publish(q);	/* no kick decision: unkicked stays > 0 */
	for (i = 0; i < NPOST; i++) {
		UT_ASSERT(utq_dev_pop(q, &ndescs[i]) == 1, "device pop %u: %s", i,
			  utq_dev_errmsg(q));
		ids[i] = utq_dev_elem(q)->head;
	}
	UT_ASSERT(utq_dev_pop(q, &nd) == 0, "extra pop");
	UT_ASSERT((q->packed || ids[6] + 1 < 10) && utq_free_count(q) == NUM - 10,
		  "unexpected descriptor use");
	return 0;
}

/* Collect with get_used(n = 1) until it returns 0; mark tokens; return the count. */
static int
collect(struct ut_queue *q, unsigned int *got)
{
	void *c;
	uint32_t len;

	*got = 0;
	while (utq_get_used(q, &c, &len, 1) == 1) {
		struct tok *t = c;

		UT_ASSERT(t >= toks && t < toks + NTOK, "foreign cookie");
		t->returned++;
		(*got)++;
		UT_ASSERT(*got <= NTOK, "too many");
	}
	return 0;
}

/*
 * Everything a broken queue must guarantee (error @want, @got of the @posted buffers handed
 * out before it broke, @want_got expected), then reclaim and count, then re-init.
 */
static int
check_broken(struct ut_queue *q, enum vnet_vring_error want, unsigned int got,
	     unsigned int want_got, unsigned int posted)
{
	struct vnet_sg sg = { (uintptr_t)data[0], 8 };
	void *c[NUM];
	unsigned int i, n;

	UT_ASSERT(utq_broken(q), "not broken (expected %s)", vnet_vring_strerror((int)want));
	UT_ASSERT(utq_error(q) == (int)want, "error %d (%s), expected %u (%s)", utq_error(q),
		  vnet_vring_strerror(utq_error(q)), want, vnet_vring_strerror((int)want));
	UT_ASSERT(utq_stats(q)->broken == 1, "stats.broken %" PRIu64, utq_stats(q)->broken);
	UT_ASSERT(got == want_got, "get_used returned %u valid entries, expected %u", got,
		  want_got);
	UT_ASSERT(utq_get_used(q, c, NULL, NUM) == 0, "get_used after broken");
	if (!q->packed)		/* the packed core has no used_ready() */
		UT_ASSERT(vnet_vring_used_ready(&q->s.vr) == 0, "used_ready after broken");
	UT_ASSERT(utq_add1(q, (uintptr_t)data[0], 8, false, &toks[0]) == -EIO,
		  "add1 on a broken queue");
	UT_ASSERT(utq_add(q, &sg, 1, 0, &toks[0], false) == -EIO, "add on a broken queue");
	utq_publish(q);
	UT_ASSERT(!utq_kick_prepare(q), "kick on a broken queue");
	utq_enable_cb(q, 1);	/* must not crash */
	utq_disable_cb(q);
	if (!q->packed)		/* nor poll_cb_keepalive() */
		vnet_vring_poll_cb_keepalive(&q->s.vr);

	n = utq_detach_unused(q, on_detach, NULL);
	UT_ASSERT(n == posted - got, "detach returned %u, expected %u", n, posted - got);
	for (i = 0; i < posted; i++)
		UT_ASSERT(toks[i].returned == 1, "buffer %u handed back %d times", i,
			  toks[i].returned);
	UT_ASSERT(utq_detach_unused(q, on_detach, NULL) == 0, "second detach");
	UT_ASSERT(utq_broken(q), "detach cleared broken (only init may)");
	UT_ASSERT(utq_free_count(q) == NUM, "free count %u after detach", utq_free_count(q));
	/* Re-init makes it usable again. */
	UT_ASSERT(utq_reinit(q) == 0, "re-init");
	UT_ASSERT(!utq_broken(q) && utq_stats(q)->broken == 0, "broken after init");
	UT_ASSERT(utq_add1(q, (uintptr_t)data[0], 8, false, &toks[0]) == 0, "add after re-init");
	return 0;
}

/*
 * The start of the detach-and-reuse cases: NPOST writable buffers posted with callbacks
 * off, the device completes 5 of them one at a time and the driver collects them; then
 * the device resets and detach_unused() reclaims the other 3.
 */
static int
complete_five_reset_detach(struct ut_queue *q)
{
	void *c[NUM];
	unsigned int i, n;

	memset(toks, 0, sizeof(toks));
	utq_disable_cb(q);
	for (i = 0; i < NPOST; i++)
		utq_add1(q, (uintptr_t)data[i], 64, true, &toks[i]);
	utq_publish(q);
	for (i = 0; i < 5; i++)
		utq_dev_run_once(q, 1);
	n = utq_get_used(q, c, NULL, NUM);
	UT_ASSERT(n == 5, "got %u of 5", n);
	/* Device reset, then reclaim. */
	utq_dev_reset(q, 0);
	n = utq_detach_unused(q, on_detach, NULL);
	UT_ASSERT(n == 3, "detach returned %u of 3", n);
	return 0;
}

/* A case of the including test's hostile(h, event_idx): flag mode, then event-idx mode. */
#define HOSTILE_CASE(fn, h)						\
	static int fn(void)						\
	{								\
		return hostile(h, false) || hostile(h, true);		\
	}

#endif /* UT_HOSTILE_H */
