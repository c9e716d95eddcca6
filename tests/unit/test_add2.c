/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * vnet_vring_add2(): the TX fast path's two-descriptor chain (a shared constant header,
 * then the frame). The fake device pops every chain and checks both segments; the
 * driver checks that cookies come back once each, the free list stays whole across
 * wrap-around, and misuse is refused without consuming state.
 */

#include <stdio.h>
#include <string.h>

#include "ut_ring.h"

#define HDR_LEN 12

static uint8_t hdr[HDR_LEN];

/* Push @total frames through a ring of @num entries, @burst at a time, device in lock-step. */
static int
run(unsigned int num, unsigned int burst, unsigned int total)
{
	static uint8_t frames[512][128];
	struct ut_ring r;
	unsigned int sent = 0, done = 0, i;
	uint64_t seen = 0;

	UT_ASSERT(ut_ring_setup(&r, num, true, 0, 0) == 0, "setup");
	while (done < total) {
		unsigned int n = 0;

		while (n < burst && sent < total && vnet_vring_free_count(&r.vr) >= 2) {
			uint8_t *f = frames[sent % 512];
			uint32_t len = 60 + sent % 64;

			memset(f, (int)(sent & 0xff), len);
			UT_ASSERT(vnet_vring_add2(&r.vr, (uintptr_t)hdr, HDR_LEN, (uintptr_t)f, len,
						  (void *)(uintptr_t)(sent + 1)) == 0, "add2 %u", sent);
			sent++;
			n++;
		}
		vnet_vring_publish(&r.vr);
		/* Device: pop and verify every chain, complete them with len 0. */
		for (;;) {
			struct vfd_elem e;
			int rc = vfd_pop(r.dev, &e);

			UT_ASSERT(rc >= 0, "device rejected a chain: %d", rc);
			if (rc == 0)
				break;
			UT_ASSERT(e.nseg == 2 && e.nout == 2 && e.in_bytes == 0,
				  "chain shape nseg %u nout %u", e.nseg, e.nout);
			UT_ASSERT(e.seg[0].ptr == hdr && e.seg[0].len == HDR_LEN, "header segment");
			UT_ASSERT(e.seg[1].len >= 60 && e.seg[1].ptr[0] == e.seg[1].ptr[e.seg[1].len - 1],
				  "frame segment");
			vfd_fill(r.dev, e.head, 0, 0);
			vfd_flush(r.dev, 1);
		}
		for (;;) {
			void *c[64];
			unsigned int k = vnet_vring_get_used(&r.vr, c, NULL, 64);

			if (k == 0)
				break;
			for (i = 0; i < k; i++) {
				uint64_t id = (uintptr_t)c[i];

				UT_ASSERT(id == done + i + 1, "cookie %llu, expected %u (in order)",
					  (unsigned long long)id, done + i + 1);
				seen += id;
			}
			done += k;
		}
		UT_ASSERT(!vnet_vring_broken(&r.vr), "queue broke: %s",
			  vnet_vring_strerror(r.vr.error));
	}
	UT_ASSERT(vnet_vring_free_count(&r.vr) == num, "free %u of %u after all completed",
		  vnet_vring_free_count(&r.vr), num);
	UT_ASSERT(seen == (uint64_t)total * (total + 1) / 2, "each cookie exactly once");
	ut_ring_teardown(&r);
	return 0;
}

static int
test_add2_small_ring(void)
{
	return run(4, 2, 1000);
}

static int
test_add2_wrap(void)
{
	return run(256, 32, 70000);	/* > 2^16 chains: avail/used indices wrap */
}

static int
test_add2_odd_bursts(void)
{
	return run(64, 7, 20000);
}

static int
test_add2_misuse(void)
{
	struct ut_ring r;
	uint8_t f[64];

	UT_ASSERT(ut_ring_setup(&r, 4, false, 0, 0) == 0, "setup");
	UT_ASSERT(vnet_vring_add2(&r.vr, (uintptr_t)hdr, HDR_LEN, (uintptr_t)f, 64, NULL) ==
		  -EINVAL, "NULL cookie");
	UT_ASSERT(vnet_vring_add2(&r.vr, (uintptr_t)hdr, HDR_LEN, (uintptr_t)f, 0, f) == -EINVAL,
		  "zero frame length");
	UT_ASSERT(vnet_vring_add2(&r.vr, (uintptr_t)hdr, 0, (uintptr_t)f, 64, f) == -EINVAL,
		  "zero header length");
	UT_ASSERT(vnet_vring_free_count(&r.vr) == 4, "refused adds consumed descriptors");
	UT_ASSERT(vnet_vring_add2(&r.vr, (uintptr_t)hdr, HDR_LEN, (uintptr_t)f, 64, f) == 0, "1");
	UT_ASSERT(vnet_vring_add2(&r.vr, (uintptr_t)hdr, HDR_LEN, (uintptr_t)f, 64, f) == 0, "2");
	UT_ASSERT(vnet_vring_add2(&r.vr, (uintptr_t)hdr, HDR_LEN, (uintptr_t)f, 64, f) == -ENOSPC,
		  "full ring");
	/* A device completing the data descriptor of a chain (not its head) breaks it. */
	vnet_vring_publish(&r.vr);
	vfd_put_used_raw(r.dev, r.vr.desc[r.vr.avail->ring[0]].next, 0);
	vfd_flush(r.dev, 1);
	UT_ASSERT(vnet_vring_get_used(&r.vr, (void **)&f, NULL, 1) == 0, "chain member accepted");
	UT_ASSERT(r.vr.error == VNET_VRING_ERR_NOT_INFLIGHT, "error %d", r.vr.error);
	UT_ASSERT(vnet_vring_add2(&r.vr, (uintptr_t)hdr, HDR_LEN, (uintptr_t)f, 64, f) == -EIO,
		  "broken queue must refuse adds");
	UT_ASSERT(vnet_vring_detach_unused(&r.vr, NULL, NULL) == 2, "both chains reclaimed");
	ut_ring_teardown(&r);
	return 0;
}

int
main(void)
{
	int fails = 0;

	fails += ut_run("add2_small_ring", test_add2_small_ring);
	fails += ut_run("add2_wrap", test_add2_wrap);
	fails += ut_run("add2_odd_bursts", test_add2_odd_bursts);
	fails += ut_run("add2_misuse", test_add2_misuse);
	return fails != 0;
}
