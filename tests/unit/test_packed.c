/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Packed ring core, lock-step cases (the test thread plays the device through the fake
 * packed device's synchronous helpers): layout, API misuse, kick decisions with and without
 * event-idx, driver event suppression, every breakage reason of a hostile device (with all
 * buffers reclaimed exactly once afterwards), in-order batches, detach and reuse.
 */

#define NTOK	(NPOST + 1)	/* one more for a buffer added but never published */
#include "ut_hostile.h"

/* ---- layout and misuse ---- */

static int
test_layout(void)
{
	static const unsigned int sizes[] = { 1, 2, 3, 7, 255, 256, 1000, 4095, 32767, 32768 };
	struct vnet_packed_layout l;
	struct vnet_packed pr;
	unsigned int i;
	void *ring, *priv;

	UT_ASSERT(vnet_packed_layout(0, &l) == -EINVAL, "size 0 accepted");
	UT_ASSERT(vnet_packed_layout(32769, &l) == -EINVAL, "size 32769 accepted");
	UT_ASSERT(vnet_packed_layout(8, NULL) == -EINVAL, "NULL layout accepted");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned int n = sizes[i];

		UT_ASSERT(vnet_packed_layout(n, &l) == 0, "size %u refused", n);
		UT_ASSERT(l.driver_off == 16u * n && l.device_off == 16u * n + 4 &&
			  l.size == 16u * n + 8, "size %u: offsets %zu %zu %zu", n, l.driver_off,
			  l.device_off, l.size);
		UT_ASSERT(l.driver_off % 4 == 0 && l.device_off % 4 == 0, "alignment");
		ring = aligned_alloc(64, ut_round(l.size, 64));
		priv = aligned_alloc(64, ut_round(vnet_packed_priv_size(n), 64));
		UT_ASSERT(ring != NULL && priv != NULL, "alloc");
		memset(ring, 0xff, l.size);
		UT_ASSERT(vnet_packed_init(&pr, n, ring, priv, true, false) == 0, "init %u", n);
		UT_ASSERT(((uint8_t *)ring)[l.size - 1] == 0 && pr.desc[n - 1].flags == 0,
			  "ring not zeroed");
		UT_ASSERT(vnet_packed_free_count(&pr) == n && !vnet_packed_broken(&pr), "state");
		UT_ASSERT((uint8_t *)pr.driver_event == (uint8_t *)ring + l.driver_off &&
			  (uint8_t *)pr.device_event == (uint8_t *)ring + l.device_off, "areas");
		UT_ASSERT(vnet_packed_init(&pr, n, (uint8_t *)ring + 4, priv, true, false) ==
			  -EINVAL, "misaligned ring accepted");
		UT_ASSERT(vnet_packed_init(&pr, n, ring, (uint8_t *)priv + 4, true, false) ==
			  -EINVAL, "misaligned priv accepted");
		free(ring);
		free(priv);
	}
	return 0;
}

static int
test_api_misuse(void)
{
	struct ut_packed r, r2;
	struct vnet_sg sg[NUM + 1];
	uint8_t cookie;
	unsigned int i;
	int rc = 1;

	for (i = 0; i < NUM + 1; i++) {
		sg[i].addr = (uintptr_t)data[0];
		sg[i].len = 8;
	}
	UT_ASSERT(utp_setup(&r, NUM, true, false, 0, 4) == 0, "setup");
#define EXPECT(expr, val)							\
	do {									\
		int v_ = (int)(expr);						\
		if (v_ != (val)) {						\
			ut_fail_at(__FILE__, __LINE__, "%s = %d, expected %d", #expr, v_, \
				   (val));					\
			goto out;						\
		}								\
	} while (0)
	EXPECT(vnet_packed_add1(&r.pr, (uintptr_t)data[0], 8, false, NULL), -EINVAL);
	EXPECT(vnet_packed_add1(&r.pr, (uintptr_t)data[0], 0, true, &cookie), -EINVAL);
	EXPECT(vnet_packed_add(&r.pr, sg, 0, 0, &cookie, false), -EINVAL);
	EXPECT(vnet_packed_add(&r.pr, NULL, 1, 0, &cookie, false), -EINVAL);
	EXPECT(vnet_packed_add(&r.pr, sg, 1, 1, NULL, false), -EINVAL);
	sg[1].len = 0;
	EXPECT(vnet_packed_add(&r.pr, sg, 1, 2, &cookie, false), -EINVAL);
	sg[1].len = 8;
	EXPECT(vnet_packed_add(&r.pr, sg, 3, 2, &cookie, true), -EINVAL);	/* > ind_max */
	EXPECT(vnet_packed_add(&r.pr, sg, NUM, 1, &cookie, false), -EINVAL);	/* > num */
	EXPECT(vnet_packed_add(&r.pr, sg, 2, 0xffffffffu, &cookie, false), -EINVAL);
	EXPECT(r.pr.avail_pos == 0 && vnet_packed_free_count(&r.pr) == NUM &&
	       r.pr.add_seq == 0, 1);
	EXPECT(utp_setup(&r2, NUM, true, false, 0, 0), 0);
	rc = vnet_packed_add(&r2.pr, sg, 1, 0, &cookie, true);
	utp_teardown(&r2);
	EXPECT(rc, -EINVAL);	/* indirect without tables */
	rc = 1;
	EXPECT(vnet_packed_set_indirect(&r.pr, r.mem.ind, 0, 0), -EINVAL);
	EXPECT(vnet_packed_set_indirect(&r.pr, (uint8_t *)r.mem.ind + 8, 0, 4), -EINVAL);

	/* Fill: 14 singles and a chain of 2. */
	for (i = 0; i < NUM - 2; i++)
		EXPECT(vnet_packed_add1(&r.pr, (uintptr_t)data[0], 8, false, &cookie), 0);
	EXPECT(vnet_packed_add(&r.pr, sg, 3, 0, &cookie, false), -ENOSPC);
	EXPECT(vnet_packed_free_count(&r.pr), 2);
	EXPECT(vnet_packed_add(&r.pr, sg, 1, 1, &cookie, false), 0);
	EXPECT(vnet_packed_free_count(&r.pr), 0);
	EXPECT(vnet_packed_add1(&r.pr, (uintptr_t)data[0], 8, false, &cookie), -ENOSPC);
	EXPECT(vnet_packed_add(&r.pr, sg, 1, 0, &cookie, true), -ENOSPC);
	/* Full ring, wrapped: the add position is back at 0 with the wrap counter flipped. */
	EXPECT(r.pr.avail_pos == 0 && !r.pr.avail_wrap, 1);
	/* Nothing published yet: the first head is still not available to the device. */
	EXPECT(r.pr.desc[0].flags, 0);
	EXPECT(vfdp_avail_pending(r.dev), 0);
	EXPECT(vnet_packed_kick_prepare(&r.pr), 0);
	vnet_packed_publish(&r.pr);
	EXPECT(r.pr.desc[0].flags, VNET_PACKED_DESC_F_AVAIL);
	EXPECT(vfdp_avail_pending(r.dev), 1);
	EXPECT(vnet_packed_kick_prepare(&r.pr), 1);	/* device announced DESC at 0 */
	EXPECT(vnet_packed_kick_prepare(&r.pr), 0);	/* once per publish */
	{
		void *c[NUM];

		EXPECT(vnet_packed_get_used(&r.pr, c, NULL, NUM), 0);
		EXPECT(vfdp_run_once(r.dev, NUM), NUM - 1);
		EXPECT(vnet_packed_get_used(&r.pr, c, NULL, NUM), NUM - 1);
		EXPECT(vnet_packed_free_count(&r.pr), NUM);
		EXPECT(!r.pr.used_wrap && r.pr.used_pos == 0, 1);
	}
#undef EXPECT
	rc = 0;
out:
	utp_teardown(&r);
	return rc;
}

/*
 * next_id() names the id the next add uses (free list, or the ring position with IN_ORDER);
 * notify_data() is (offset | wrap << 15) of the next descriptor not yet published.
 */
static int
test_next_id_notify_data(void)
{
	struct ut_packed r;
	struct vnet_sg sg[2] = { { (uintptr_t)data[0], 8 }, { (uintptr_t)data[1], 8 } };
	uint8_t cookie;
	unsigned int i, mode;
	void *c[8];

	for (mode = 0; mode < 2; mode++) {
		bool in_order = mode == 1;

		UT_ASSERT(utp_setup(&r, 5, false, in_order, 0, 0) == 0, "setup");
		UT_ASSERT(vnet_packed_notify_data(&r.pr) == 0x8000, "initial notify data %#x",
			  vnet_packed_notify_data(&r.pr));
		for (i = 0; i < 12; i++) {
			uint16_t want = vnet_packed_next_id(&r.pr);
			bool chain = i % 3 == 2;
			uint16_t nd;

			if (chain)
				UT_ASSERT(vnet_packed_add(&r.pr, sg, 1, 1, &cookie, false) == 0, "add");
			else
				UT_ASSERT(vnet_packed_add1(&r.pr, (uintptr_t)data[0], 8, false,
							   &cookie) == 0, "add1");
			vnet_packed_publish(&r.pr);
			{
				uint16_t nd16 = vnet_packed_notify_data(&r.pr);
				uint32_t lin = r.pr.avail_pos + (r.pr.avail_wrap ? 0u : 5u);

				UT_ASSERT((nd16 & 0x7fff) == r.pr.avail_pos &&
					  (nd16 >> 15) == r.pr.avail_wrap && lin == r.pr.pub_lin,
					  "notify data %#x at %u/%d", nd16, r.pr.avail_pos,
					  r.pr.avail_wrap);
			}
			UT_ASSERT(vfdp_pop(r.dev, &r.dev->elem, &nd) == 1 && r.dev->elem.head == want,
				  "%s: id %u, next_id said %u", in_order ? "in-order" : "free list",
				  r.dev->elem.head, want);
			if (in_order)
				UT_ASSERT(want == (r.pr.avail_pos + 5 - nd) % 5, "in-order id %u", want);
			r.dev->batch[0].id = r.dev->elem.head;
			r.dev->batch[0].ndescs = nd;
			r.dev->batch[0].len = 0;
			vfdp_complete(r.dev, r.dev->batch, 1);
			UT_ASSERT(vnet_packed_get_used(&r.pr, c, NULL, 8) == 1, "get_used");
		}
		utp_teardown(&r);
	}
	return 0;
}

/* ---- kick decisions ---- */

/*
 * Lock-step device with event-idx threshold @thr: the driver publishes one buffer at a time;
 * the device only runs when kicked, then re-arms at its avail position + thr. Expect exactly
 * one kick per thr + 1 buffers, on a ring whose size is not a multiple of thr + 1, through
 * many wraps.
 */
static int
kick_count(unsigned int num, uint16_t thr, unsigned int rounds)
{
	struct ut_packed r;
	unsigned int i, total = (thr + 1u) * rounds, kicks = 0;
	uint8_t cookie;
	void *c[64];
	int rc = 1;

	UT_ASSERT(utp_setup(&r, num, true, false, thr, 0) == 0, "setup");
	for (i = 0; i < total; i++) {
		if (vnet_packed_add1(&r.pr, (uintptr_t)data[0], 8, false, &cookie) != 0) {
			ut_fail_at(__FILE__, __LINE__, "add %u failed (free %u)", i,
				   vnet_packed_free_count(&r.pr));
			goto out;
		}
		vnet_packed_publish(&r.pr);
		if (vnet_packed_kick_prepare(&r.pr)) {
			kicks++;
			if ((i + 1) % (thr + 1u) != 0) {
				ut_fail_at(__FILE__, __LINE__, "kick after buffer %u (thr %u)",
					   i + 1, thr);
				goto out;
			}
			if (vfdp_run_once(r.dev, VFD_MAX_BATCH) != (int)thr + 1) {
				ut_fail_at(__FILE__, __LINE__, "device did not find %u buffers",
					   thr + 1);
				goto out;
			}
			vfdp_notify_enable(r.dev);
			while (vnet_packed_get_used(&r.pr, c, NULL, 64) > 0)
				;
		}
	}
	if (kicks != rounds || r.pr.stats.kicks != rounds ||
	    r.pr.stats.kicks_suppressed != total - rounds || vnet_packed_broken(&r.pr) ||
	    r.dev->wrap_flips < (uint64_t)total / num - 1) {
		ut_fail_at(__FILE__, __LINE__, "num %u thr %u: %u kicks (stats %" PRIu64
			   " / %" PRIu64 " suppressed), expected %u; wraps %" PRIu64, num, thr,
			   kicks, r.pr.stats.kicks, r.pr.stats.kicks_suppressed, rounds,
			   r.dev->wrap_flips);
		goto out;
	}
	rc = 0;
out:
	utp_teardown(&r);
	return rc;
}

static int
test_kick_event_idx_ahead(void)
{
	return kick_count(50, 20, 500) || kick_count(256, 20, 500) || kick_count(21, 20, 300) ||
	       kick_count(1000, 20, 200) || kick_count(3, 0, 1000) || kick_count(1, 0, 1000) ||
	       kick_count(32768, 20, 3200);
}

/* Without event-idx: the device's ENABLE/DISABLE flags decide (DESC is ignored). */
static int
test_kick_flags(void)
{
	struct ut_packed r;
	uint8_t cookie;
	void *c[NUM];
	unsigned int i, k;
	int rc = 1;

	UT_ASSERT(utp_setup(&r, 7, false, false, 0, 0) == 0, "setup");
	for (i = 0; i < 100; i++) {
		uint16_t flags = i < 40 ? VNET_RING_EVENT_FLAGS_DISABLE :
			i < 70 ? VNET_RING_EVENT_FLAGS_ENABLE : VNET_RING_EVENT_FLAGS_DESC;
		bool want = flags != VNET_RING_EVENT_FLAGS_DISABLE;

		r.dev->device_event->flags = flags;
		r.dev->device_event->off_wrap = 0x8003;
		vnet_packed_add1(&r.pr, (uintptr_t)data[0], 8, false, &cookie);
		vnet_packed_publish(&r.pr);
		if (vnet_packed_kick_prepare(&r.pr) != want) {
			ut_fail_at(__FILE__, __LINE__, "buffer %u flags %u: kick %d", i, flags,
				   !want);
			goto out;
		}
		vfdp_run_once(r.dev, NUM);
		if (vnet_packed_get_used(&r.pr, c, NULL, NUM) != 1)
			goto out;
	}
	k = (unsigned int)r.pr.stats.kicks;
	if (k != 60 || r.pr.stats.kicks_suppressed != 40) {
		ut_fail_at(__FILE__, __LINE__, "kicks %u suppressed %" PRIu64, k,
			   r.pr.stats.kicks_suppressed);
		goto out;
	}
	rc = 0;
out:
	utp_teardown(&r);
	return rc;
}

/*
 * Event-idx corner cases: a batch publish crossing the event kicks once; an event already
 * passed does not kick again; the wrap bit of off_wrap matters; more than 2 * num
 * descriptors since the last decision always kick; DISABLE beats DESC.
 */
static int
test_kick_event_idx_edges(void)
{
	struct ut_packed r;
	uint8_t cookie;
	void *c[64];
	unsigned int i;
	int rc = 1;

	UT_ASSERT(utp_setup(&r, 10, true, false, 0, 0) == 0, "setup");
#define EV(off, wrap, fl)	do {							\
		r.dev->device_event->off_wrap = (uint16_t)((off) | ((wrap) << 15));	\
		r.dev->device_event->flags = (fl);					\
	} while (0)
#define POST(n)	do {									\
		for (i = 0; i < (n); i++)						\
			vnet_packed_add1(&r.pr, (uintptr_t)data[0], 8, false, &cookie);	\
		vnet_packed_publish(&r.pr);						\
	} while (0)
#define DRAIN()	do {									\
		vfdp_run_once(r.dev, 64);						\
		while (vnet_packed_get_used(&r.pr, c, NULL, 64) > 0)			\
			;								\
	} while (0)
#define CHECK(cond)	do {								\
		if (!(cond)) {								\
			ut_fail_at(__FILE__, __LINE__, "%s", #cond);			\
			goto out;							\
		}									\
	} while (0)
	EV(4, 1, VNET_RING_EVENT_FLAGS_DESC);
	POST(3);			/* positions 0..2 */
	CHECK(!vnet_packed_kick_prepare(&r.pr));
	POST(5);			/* 3..7 include 4 */
	CHECK(vnet_packed_kick_prepare(&r.pr));
	DRAIN();
	POST(2);			/* 8, 9: event 4 already passed */
	/*
	 * A stale event (behind the last decision): the device asked before it consumed what
	 * came since and may be asleep on 8, 9 (QEMU leaves off_wrap where it enabled
	 * notifications while it pops): kick. Only an event in [new, used + num] holds it back.
	 */
	CHECK(vnet_packed_kick_prepare(&r.pr));
	EV(1, 0, VNET_RING_EVENT_FLAGS_DESC);	/* second lap, position 1 */
	POST(1);			/* position 0 of lap 2 */
	CHECK(!vnet_packed_kick_prepare(&r.pr));
	EV(1, 1, VNET_RING_EVENT_FLAGS_DESC);	/* wrong lap: position 1 of lap 1 (past) */
	DRAIN();
	POST(1);			/* position 1, lap 2 */
	CHECK(!vnet_packed_kick_prepare(&r.pr));
	EV(2, 0, VNET_RING_EVENT_FLAGS_DESC);
	POST(1);
	CHECK(vnet_packed_kick_prepare(&r.pr));
	DRAIN();
	EV(2, 0, VNET_RING_EVENT_FLAGS_DISABLE);
	POST(1);
	CHECK(!vnet_packed_kick_prepare(&r.pr));
	DRAIN();
	/* 25 descriptors published in 5 rounds without a decision: > 2 * num, must kick. */
	EV(9, 1, VNET_RING_EVENT_FLAGS_DESC);
	for (unsigned int k = 0; k < 5; k++) {
		POST(5);
		DRAIN();
	}
	CHECK(r.pr.unkicked == 25);
	CHECK(vnet_packed_kick_prepare(&r.pr));
	/* Garbage offset (>= num) from the device: kick, never crash. */
	EV(0x7fff, 1, VNET_RING_EVENT_FLAGS_DESC);
	POST(1);
	CHECK(vnet_packed_kick_prepare(&r.pr));
	DRAIN();
	/*
	 * A full ring and an event 8 descriptors behind the used position (the device
	 * enabled notifications there, then popped 8 more without moving it: QEMU's TX
	 * completion path). Modulo 2 * num it reads as new + 2, "ahead": before, no kick,
	 * and the device slept on a full ring for good. It is further ahead than
	 * used + num, so it kicks.
	 */
	{
		uint32_t n2 = 2 * r.pr.num, ev = (vnet_packed_used_lin(&r.pr) + r.pr.num + 2) % n2;

		POST(r.pr.num);
		EV(ev % r.pr.num, ev < r.pr.num, VNET_RING_EVENT_FLAGS_DESC);
		CHECK(vnet_packed_kick_prepare(&r.pr));
		DRAIN();
		/* A real event ahead, within used + num: still no kick. */
		POST(3);
		ev = (vnet_packed_used_lin(&r.pr) + 4) % n2;
		EV(ev % r.pr.num, ev < r.pr.num, VNET_RING_EVENT_FLAGS_DESC);
		CHECK(!vnet_packed_kick_prepare(&r.pr));
		DRAIN();
	}
	CHECK(!vnet_packed_broken(&r.pr));
#undef EV
#undef POST
#undef DRAIN
#undef CHECK
	rc = 0;
out:
	utp_teardown(&r);
	return rc;
}

/* ---- driver event suppression (device -> driver notifications) ---- */

static int
notify_case(bool event_idx)
{
	struct ut_packed r;
	uint8_t cookie;
	void *c[64];
	struct vfdp_done done;
	unsigned int i, round;
	int rc = 1;

	UT_ASSERT(utp_setup(&r, 13, event_idx, false, 0, 0) == 0, "setup");
	for (round = 0; round < 40; round++) {
		unsigned int want_n = 1 + round % 6;
		uint64_t before;

		for (i = 0; i < 6; i++)
			vnet_packed_add1(&r.pr, (uintptr_t)data[0], 8, false, &cookie);
		vnet_packed_publish(&r.pr);
		if (!vnet_packed_enable_cb(&r.pr, (uint16_t)want_n)) {
			ut_fail_at(__FILE__, __LINE__, "enable_cb says used pending");
			goto out;
		}
		before = r.dev->st.notifies;
		for (i = 0; i < 6; i++) {
			uint16_t nd;

			if (vfdp_pop(r.dev, &r.dev->elem, &nd) != 1)
				goto out;
			done.id = r.dev->elem.head;
			done.ndescs = nd;
			done.len = 0;
			bool sent = vfdp_complete(r.dev, &done, 1);
			bool want = event_idx ? i + 1 == want_n : true;

			if (sent != want) {
				ut_fail_at(__FILE__, __LINE__, "round %u completion %u: notify %d,"
					   " expected %d (n %u)", round, i + 1, sent, want, want_n);
				goto out;
			}
			if (i == 0 && vnet_packed_enable_cb(&r.pr, 1)) {
				ut_fail_at(__FILE__, __LINE__, "enable_cb misses a pending used");
				goto out;
			}
			if (i == 0)
				vnet_packed_enable_cb(&r.pr, (uint16_t)want_n);	/* restore */
		}
		if (event_idx && r.dev->st.notifies - before != 1)
			goto out;
		vnet_packed_disable_cb(&r.pr);
		while (vnet_packed_get_used(&r.pr, c, NULL, 64) > 0)
			;
		/* Disabled: no notification at all. */
		vnet_packed_add1(&r.pr, (uintptr_t)data[0], 8, false, &cookie);
		vnet_packed_publish(&r.pr);
		before = r.dev->st.notifies;
		vfdp_run_once(r.dev, 64);
		if (r.dev->st.notifies != before) {
			ut_fail_at(__FILE__, __LINE__, "notified while disabled");
			goto out;
		}
		while (vnet_packed_get_used(&r.pr, c, NULL, 64) > 0)
			;
	}
	rc = vnet_packed_broken(&r.pr) || r.dev->wrap_flips < 10;
	if (rc)
		ut_fail_at(__FILE__, __LINE__, "broken %d wraps %" PRIu64,
			   vnet_packed_broken(&r.pr), r.dev->wrap_flips);
out:
	utp_teardown(&r);
	return rc;
}

static int
test_notify_event_idx(void)
{
	return notify_case(true);
}

static int
test_notify_flags(void)
{
	return notify_case(false);
}

/* ---- hostile device ---- */

enum hostile {
	H_ID_RANGE,
	H_ID_FREE,
	H_DUPLICATE,
	H_UNPUBLISHED,
	H_LEN_WRITABLE,
	H_LEN_READABLE,
	H_LEN_CHAIN,
	H_SHORT,
	H_WRAP_STALE,
	H_WRAP_HALF,
	H_NOT_AVAIL,
	H_IN_ORDER_BACKWARDS,
	H_IN_ORDER_CHAIN_MEMBER,
};

static int
hostile(enum hostile h, bool event_idx)
{
	bool in_order = h == H_IN_ORDER_BACKWARDS || h == H_IN_ORDER_CHAIN_MEMBER;
	struct ut_queue q;
	struct ut_packed *r = &q.p;
	struct vnet_fake_pdev *d;
	unsigned int got = 0, want_got = 0, posted = NPOST, i;
	enum vnet_vring_error want = VNET_VRING_ERR_NOT_INFLIGHT;
	uint16_t ub;
	int rc;

	UT_ASSERT(utq_setup(&q, true, NUM, event_idx, in_order, 0, 4) == 0, "setup");
	d = r->dev;
	rc = post_all(&q);
	if (rc != 0)
		goto out;
	ub = vfdp_used_bits(d);
#define PUT(k, len)	vfdp_put_used_raw(d, ids[k], (len), ub, ndescs[k])
	switch (h) {
	case H_ID_RANGE:
		PUT(0, 0);
		PUT(1, 0);
		vfdp_put_used_raw(d, NUM, 0, ub, 1);
		want = VNET_VRING_ERR_ID_RANGE;
		want_got = 2;
		break;
	case H_ID_FREE:
		PUT(4, 100);
		vfdp_put_used_raw(d, NUM - 1, 0, ub, 1);	/* ids 8..15 are free */
		want_got = 1;
		break;
	case H_DUPLICATE:
		PUT(0, 0);
		PUT(1, 0);
		vfdp_put_used_raw(d, ids[0], 0, vfdp_used_bits(d), 1);
		want_got = 2;
		break;
	case H_UNPUBLISHED:
		/* A ninth buffer added, not published; the device "completes" it anyway. */
		rc = vnet_packed_add1(&r->pr, (uintptr_t)data[8], 8, false, &toks[8]);
		if (rc != 0)
			goto out;
		posted = NTOK;
		PUT(0, 0);
		vfdp_put_used_raw(d, r->pr.desc[10].id, 0, vfdp_used_bits(d), 1);
		want_got = 1;
		break;
	case H_LEN_WRITABLE:
		PUT(4, 100);
		vfdp_put_used_raw(d, ids[5], 101, ub | VNET_VRING_DESC_F_WRITE, 1);
		want = VNET_VRING_ERR_LEN;
		want_got = 1;
		break;
	case H_LEN_READABLE:
		PUT(0, 0);
		PUT(2, 77);	/* no WRITE flag on a readable buffer: len ignored (2.8.4) */
		vfdp_put_used_raw(d, ids[1], 1, ub | VNET_VRING_DESC_F_WRITE, 1);
		want = VNET_VRING_ERR_LEN;
		want_got = 2;
		break;
	case H_LEN_CHAIN:
		PUT(7, 80);
		PUT(6, 51);
		want = VNET_VRING_ERR_LEN;
		want_got = 1;
		break;
	case H_SHORT:
		vnet_packed_set_min_len(&r->pr, 10);
		PUT(4, 100);
		PUT(5, 9);
		want = VNET_VRING_ERR_SHORT;
		want_got = 1;
		break;
	case H_WRAP_STALE:
		PUT(0, 0);
		/* (AVAIL, USED) = (0, 0) in lap 1: "used in the previous lap" over a live one. */
		vfdp_put_used_raw(d, ids[1], 0, 0, 1);
		want = VNET_VRING_ERR_WRAP;
		want_got = 1;
		break;
	case H_WRAP_HALF:
		/* (AVAIL, USED) = (0, 1): no valid state for a published position. */
		vfdp_put_used_raw(d, ids[0], 0, VNET_PACKED_DESC_F_USED, 1);
		want = VNET_VRING_ERR_WRAP;
		want_got = 0;
		break;
	case H_NOT_AVAIL:
		for (i = 0; i < NPOST; i++)
			PUT(i, i == 4 || i == 5 ? 100 : 0);
		/* One more used descriptor where nothing was made available. */
		vfdp_put_used_raw(d, ids[0], 0, vfdp_used_bits(d), 1);
		want = VNET_VRING_ERR_NOT_AVAIL;
		want_got = NPOST;
		break;
	case H_IN_ORDER_BACKWARDS:
		/* Buffer 1 first (legal: a batch of 0 and 1), then 0 again: out of order. */
		vfdp_put_used_raw(d, ids[1], 0, ub, ndescs[0] + ndescs[1]);
		vfdp_put_used_raw(d, ids[0], 0, vfdp_used_bits(d), 1);
		want = VNET_VRING_ERR_IN_ORDER;
		want_got = 2;
		break;
	case H_IN_ORDER_CHAIN_MEMBER:
		/* With IN_ORDER an id is the position of a buffer's first descriptor. */
		PUT(0, 0);
		vfdp_put_used_raw(d, (uint16_t)(ids[6] + 1), 0, vfdp_used_bits(d), 1);
		want = VNET_VRING_ERR_IN_ORDER;
		want_got = 1;
		break;
	}
#undef PUT
	rc = collect(&q, &got);
	if (rc == 0)
		rc = check_broken(&q, want, got, want_got, posted);
out:
	utq_teardown(&q);
	return rc;
}

HOSTILE_CASE(test_id_out_of_range, H_ID_RANGE)
HOSTILE_CASE(test_id_free, H_ID_FREE)
HOSTILE_CASE(test_duplicate, H_DUPLICATE)
HOSTILE_CASE(test_unpublished, H_UNPUBLISHED)
HOSTILE_CASE(test_len_writable, H_LEN_WRITABLE)
HOSTILE_CASE(test_len_readable, H_LEN_READABLE)
HOSTILE_CASE(test_len_chain, H_LEN_CHAIN)
HOSTILE_CASE(test_short, H_SHORT)
HOSTILE_CASE(test_wrap_stale, H_WRAP_STALE)
HOSTILE_CASE(test_wrap_half, H_WRAP_HALF)
HOSTILE_CASE(test_not_avail, H_NOT_AVAIL)
HOSTILE_CASE(test_in_order_backwards, H_IN_ORDER_BACKWARDS)
HOSTILE_CASE(test_in_order_chain_member, H_IN_ORDER_CHAIN_MEMBER)

/* A well-behaved device, reverse completion order: nothing breaks, lengths as written. */
static int
test_valid_completions(void)
{
	static const uint32_t lens[NPOST] = { 0, 0, 0, 0, 100, 1, 50, 80 };
	struct ut_queue q;
	struct ut_packed *r = &q.p;
	void *c[NPOST];
	uint32_t l[NPOST];
	unsigned int i, n;
	int rc;

	UT_ASSERT(utq_setup(&q, true, NUM, true, false, 0, 4) == 0, "setup");
	rc = post_all(&q);
	for (i = NPOST; rc == 0 && i-- > 0;)
		vfdp_put_used_raw(r->dev, ids[i], lens[i],
				  vfdp_used_bits(r->dev) | (lens[i] ? VNET_VRING_DESC_F_WRITE : 0),
				  ndescs[i]);
	n = rc == 0 ? vnet_packed_get_used(&r->pr, c, l, NPOST) : 0;
	for (i = 0; rc == 0 && i < n; i++) {
		unsigned int k = (unsigned int)((struct tok *)c[i] - toks);

		if (c[i] != &toks[NPOST - 1 - i] || l[i] != lens[k]) {
			ut_fail_at(__FILE__, __LINE__, "entry %u: token %u len %u", i, k, l[i]);
			rc = 1;
		}
	}
	if (rc == 0 && (n != NPOST || vnet_packed_broken(&r->pr) ||
			vnet_packed_free_count(&r->pr) != NUM)) {
		ut_fail_at(__FILE__, __LINE__, "got %u broken %d free %u", n,
			   vnet_packed_broken(&r->pr), vnet_packed_free_count(&r->pr));
		rc = 1;
	}
	utq_teardown(&q);
	return rc;
}

/* IN_ORDER: one used descriptor for the whole batch, returned one buffer per call. */
static int
test_in_order_batch(void)
{
	static const uint32_t full[NPOST] = { 0, 0, 0, 0, 100, 100, 50, 80 };
	struct ut_queue q;
	struct ut_packed *r = &q.p;
	void *c;
	uint32_t len = 0;
	unsigned int i, skip = 0;
	int rc;

	UT_ASSERT(utq_setup(&q, true, NUM, false, true, 0, 4) == 0, "setup");
	rc = post_all(&q);
	for (i = 0; rc == 0 && i < NPOST; i++) {
		skip += ndescs[i];
		if (i + 1 < NPOST && ids[i + 1] != ids[i] + ndescs[i]) {
			ut_fail_at(__FILE__, __LINE__, "in-order ids are not ring positions");
			rc = 1;
		}
	}
	if (rc == 0)
		vfdp_put_used_raw(r->dev, ids[NPOST - 1], 70,
				  vfdp_used_bits(r->dev) | VNET_VRING_DESC_F_WRITE, skip);
	for (i = 0; rc == 0 && i < NPOST; i++) {
		uint32_t want = i == NPOST - 1 ? 70 : full[i];

		if (vnet_packed_get_used(&r->pr, &c, &len, 1) != 1 || c != &toks[i] ||
		    len != want) {
			ut_fail_at(__FILE__, __LINE__, "batch entry %u: len %u want %u (%s)", i,
				   len, want, vnet_vring_strerror(r->pr.error));
			rc = 1;
		}
	}
	if (rc == 0 && (vnet_packed_get_used(&r->pr, &c, &len, 1) != 0 ||
			vnet_packed_broken(&r->pr) || vnet_packed_free_count(&r->pr) != NUM)) {
		ut_fail_at(__FILE__, __LINE__, "after the batch");
		rc = 1;
	}
	utq_teardown(&q);
	return rc;
}

/* Reclaim after a device reset, then reuse the same memory: a fresh queue on both sides. */
static int
detach_then_reuse(bool event_idx, bool in_order)
{
	struct ut_queue q;
	struct ut_packed *r = &q.p;
	void *c[NUM];
	int rc = 1;

	UT_ASSERT(utq_setup(&q, true, NUM, event_idx, in_order, 0, 0) == 0, "setup");
	if (complete_five_reset_detach(&q) != 0)
		goto out;
	if (r->pr.driver_event->flags != 0 || r->pr.desc[0].flags != 0) {
		ut_fail_at(__FILE__, __LINE__, "ring not reset by detach");
		goto out;
	}
	if (!vnet_packed_enable_cb(&r->pr, 1) || vfdp_avail_pending(r->dev)) {
		ut_fail_at(__FILE__, __LINE__, "stale state after detach");
		goto out;
	}
	vnet_packed_add1(&r->pr, (uintptr_t)data[0], 64, true, &toks[0]);
	vnet_packed_publish(&r->pr);
	if (vnet_packed_get_used(&r->pr, c, NULL, NUM) != 0 || vfdp_run_once(r->dev, NUM) != 1 ||
	    vnet_packed_get_used(&r->pr, c, NULL, NUM) != 1 || c[0] != &toks[0] ||
	    vnet_packed_broken(&r->pr)) {
		ut_fail_at(__FILE__, __LINE__, "reuse failed: %s", vnet_vring_strerror(r->pr.error));
		goto out;
	}
	rc = 0;
out:
	utq_teardown(&q);
	return rc;
}

static int
test_detach_then_reuse(void)
{
	return detach_then_reuse(false, false) || detach_then_reuse(true, false) ||
	       detach_then_reuse(true, true);
}

int
main(void)
{
	int fails = 0;

	fails += ut_run("packed_layout", test_layout);
	fails += ut_run("packed_api_misuse", test_api_misuse);
	fails += ut_run("packed_next_id_notify_data", test_next_id_notify_data);
	fails += ut_run("packed_kick_event_idx_ahead", test_kick_event_idx_ahead);
	fails += ut_run("packed_kick_event_idx_edges", test_kick_event_idx_edges);
	fails += ut_run("packed_kick_flags", test_kick_flags);
	fails += ut_run("packed_notify_event_idx", test_notify_event_idx);
	fails += ut_run("packed_notify_flags", test_notify_flags);
	fails += ut_run("packed_valid_completions", test_valid_completions);
	fails += ut_run("packed_in_order_batch", test_in_order_batch);
	fails += ut_run("packed_hostile_id_out_of_range", test_id_out_of_range);
	fails += ut_run("packed_hostile_id_free", test_id_free);
	fails += ut_run("packed_hostile_duplicate", test_duplicate);
	fails += ut_run("packed_hostile_unpublished", test_unpublished);
	fails += ut_run("packed_hostile_len_over_writable", test_len_writable);
	fails += ut_run("packed_hostile_len_on_readable", test_len_readable);
	fails += ut_run("packed_hostile_len_over_chain", test_len_chain);
	fails += ut_run("packed_hostile_short", test_short);
	fails += ut_run("packed_hostile_wrap_stale", test_wrap_stale);
	fails += ut_run("packed_hostile_wrap_half", test_wrap_half);
	fails += ut_run("packed_hostile_not_avail", test_not_avail);
	fails += ut_run("packed_hostile_in_order_backwards", test_in_order_backwards);
	fails += ut_run("packed_hostile_in_order_chain_member", test_in_order_chain_member);
	fails += ut_run("packed_detach_then_reuse", test_detach_then_reuse);
	return fails != 0;
}
