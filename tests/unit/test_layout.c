/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/* Split-ring layout (virtio 1.x 2.7, legacy 2.7.2 formula) and init argument checks. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnet_ring.h"
#include "vnet_fake_dev.h"

/* The spec's own formula, written independently of vnet_vring_layout(). */
static size_t
spec_align(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static int
test_layout_sizes(void)
{
	static const unsigned long aligns[] = { 4, 4096 };
	unsigned int num, a;

	for (a = 0; a < 2; a++) {
		for (num = 1; num <= 32768; num *= 2) {
			struct vnet_vring_layout l;
			size_t desc = 16 * (size_t)num;
			size_t avail = 2 * (3 + (size_t)num);	/* flags, idx, ring, used_event */
			size_t used = 2 * 3 + 8 * (size_t)num;	/* flags, idx, ring, avail_event */
			size_t used_off = spec_align(desc + avail, aligns[a]);
			int r = vnet_vring_layout(num, aligns[a], &l);

			UT_ASSERT(r == 0, "num %u align %lu: %d", num, aligns[a], r);
			UT_ASSERT(l.avail_off == desc, "num %u: avail_off %zu != %zu", num,
				  l.avail_off, desc);
			UT_ASSERT(l.used_off == used_off, "num %u align %lu: used_off %zu != %zu",
				  num, aligns[a], l.used_off, used_off);
			UT_ASSERT(l.size == used_off + used, "num %u align %lu: size %zu != %zu",
				  num, aligns[a], l.size, used_off + used);
			UT_ASSERT(l.used_off % aligns[a] == 0, "used ring not aligned");
		}
	}
	/* Two known values: Linux vring_size(256, 4096) = 10246, vring_size(1024, 4) = 26638. */
	{
		struct vnet_vring_layout l;

		UT_ASSERT(vnet_vring_layout(256, 4096, &l) == 0 && l.size == 10246,
			  "vring_size(256, 4096) = %zu", l.size);
		UT_ASSERT(vnet_vring_layout(1024, 4, &l) == 0 && l.size == 26638,
			  "vring_size(1024, 4) = %zu", l.size);
	}
	return 0;
}

static int
test_layout_rejects(void)
{
	static const unsigned int bad_num[] = { 0, 3, 5, 6, 7, 12, 100, 255, 257, 1000, 32767,
						32769, 49152, 65535, 65536, 131072, 1u << 31,
						0xffffffffu };
	static const unsigned long bad_align[] = { 0, 1, 2, 3, 5, 6, 12, 100, 4095, 4097 };
	struct vnet_vring_layout l;
	unsigned int i;

	for (i = 0; i < sizeof(bad_num) / sizeof(bad_num[0]); i++)
		UT_ASSERT(vnet_vring_layout(bad_num[i], 4096, &l) == -EINVAL,
			  "num %u accepted", bad_num[i]);
	for (i = 0; i < sizeof(bad_align) / sizeof(bad_align[0]); i++)
		UT_ASSERT(vnet_vring_layout(256, bad_align[i], &l) == -EINVAL,
			  "align %lu accepted", bad_align[i]);
	UT_ASSERT(vnet_vring_layout(256, 4, NULL) == -EINVAL, "NULL layout accepted");
	/* Larger power-of-two alignments are legal (just wasteful). */
	UT_ASSERT(vnet_vring_layout(256, 8, &l) == 0, "align 8 rejected");
	UT_ASSERT(vnet_vring_layout(256, 65536, &l) == 0 && l.used_off == 65536,
		  "align 65536: %zu", l.used_off);
	return 0;
}

static int
test_init_checks(void)
{
	struct vnet_vring vr;
	struct vnet_vring_layout l;
	void *ring, *priv;
	int r = 0;

	if (vnet_vring_layout(256, 4096, &l) != 0)
		UT_FAIL("layout");
	ring = aligned_alloc(4096, spec_align(l.size, 4096));
	priv = aligned_alloc(64, spec_align(vnet_vring_priv_size(256), 64));
	if (ring == NULL || priv == NULL)
		UT_FAIL("out of memory");
	memset(ring, 0xa5, l.size);

	if (vnet_vring_init(&vr, 256, 4096, NULL, priv, false) != -EINVAL ||
	    vnet_vring_init(&vr, 256, 4096, ring, NULL, false) != -EINVAL ||
	    vnet_vring_init(&vr, 256, 4096, (char *)ring + 8, priv, false) != -EINVAL ||
	    vnet_vring_init(&vr, 256, 4096, ring, (char *)priv + 4, false) != -EINVAL ||
	    vnet_vring_init(&vr, 255, 4096, ring, priv, false) != -EINVAL ||
	    vnet_vring_init(&vr, 256, 3, ring, priv, false) != -EINVAL) {
		ut_fail_at(__FILE__, __LINE__, "bad init arguments accepted");
		r = 1;
		goto out;
	}
	if (vnet_vring_init(&vr, 256, 4096, ring, priv, true) != 0) {
		ut_fail_at(__FILE__, __LINE__, "init failed");
		r = 1;
		goto out;
	}
	{
		size_t i;
		const uint8_t *b = ring;

		for (i = 0; i < l.size; i++) {
			if (b[i] != 0) {
				ut_fail_at(__FILE__, __LINE__, "ring byte %zu not zeroed", i);
				r = 1;
				goto out;
			}
		}
	}
	if ((uint8_t *)vr.avail != (uint8_t *)ring + l.avail_off ||
	    (uint8_t *)vr.used != (uint8_t *)ring + l.used_off ||
	    vr.used_event != &vr.avail->ring[256] ||
	    (uint8_t *)vr.avail_event != (uint8_t *)ring + l.used_off + 4 + 8 * 256 ||
	    vr.num != 256 || vnet_vring_free_count(&vr) != 256 || vnet_vring_broken(&vr)) {
		ut_fail_at(__FILE__, __LINE__, "init state wrong");
		r = 1;
	}
	if (vnet_vring_set_indirect(&vr, priv, 0, 0) != -EINVAL ||
	    vnet_vring_set_indirect(&vr, NULL, 0, 4) != -EINVAL ||
	    vnet_vring_set_indirect(&vr, (char *)priv + 8, 0, 4) != -EINVAL ||
	    vnet_vring_set_indirect(&vr, priv, 0, 2049) != -EINVAL) {
		ut_fail_at(__FILE__, __LINE__, "bad set_indirect arguments accepted");
		r = 1;
	}
out:
	free(ring);
	free(priv);
	return r;
}

/* A queue that was set up but never started: its reclaim at close must do nothing. */
static int
test_detach_never_laid_out(void)
{
	struct vnet_vring vr;

	memset(&vr, 0, sizeof(vr));
	if (vnet_vring_detach_unused(&vr, NULL, NULL) != 0)
		UT_FAIL("detach of a never laid out queue returned buffers");
	return 0;
}

int
main(void)
{
	int fails = 0;

	fails += ut_run("layout_sizes", test_layout_sizes);
	fails += ut_run("layout_rejects", test_layout_rejects);
	fails += ut_run("init_checks", test_init_checks);
	fails += ut_run("detach_never_laid_out", test_detach_never_laid_out);
	return fails != 0;
}
