/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Unit-test helper: one driver-side packed queue (vnet_packed) plus the fake packed device
 * on the same memory. Virtual addresses serve as IOVAs (the fake device dereferences them).
 */

#ifndef UT_PACKED_H
#define UT_PACKED_H

#include "ut_ring.h"	/* struct ut_mem */
#include "vnet_packed.h"
#include "vnet_fake_dev_packed.h"

struct ut_packed {
	struct vnet_packed pr;
	struct vnet_fake_pdev *dev;	/* large: heap */
	struct ut_mem mem;
	unsigned int num;
	bool event_idx;
	bool in_order;
};

static inline void
utp_teardown(struct ut_packed *r)
{
	if (r->dev != NULL) {
		vfdp_stop(r->dev);
		vfdp_fini(r->dev);
	}
	free(r->dev);
	ut_mem_free(&r->mem);
	memset(r, 0, sizeof(*r));
}

/*
 * Allocate and init a packed queue of @num entries with @ind_max indirect entries per id
 * (0: none) and attach a fake device (@threshold: event-idx kick threshold).
 */
static inline int
utp_setup(struct ut_packed *r, unsigned int num, bool event_idx, bool in_order,
	  uint16_t threshold, unsigned int ind_max)
{
	struct vnet_packed_layout l;
	int rc;

	memset(r, 0, sizeof(*r));
	r->num = num;
	r->event_idx = event_idx;
	r->in_order = in_order;
	rc = vnet_packed_layout(num, &l);
	if (rc != 0)
		return rc;
	r->dev = calloc(1, sizeof(*r->dev));
	if (r->dev == NULL || ut_mem_alloc(&r->mem, l.size, 64, vnet_packed_priv_size(num),
					   (size_t)num * ind_max * 16) != 0) {
		utp_teardown(r);
		return -ENOMEM;
	}
	rc = vnet_packed_init(&r->pr, num, r->mem.ring, r->mem.priv, event_idx, in_order);
	if (rc == 0 && ind_max != 0)
		rc = vnet_packed_set_indirect(&r->pr, r->mem.ind, (uintptr_t)r->mem.ind, ind_max);
	if (rc == 0)
		rc = vfdp_init(r->dev, r->mem.ring, num, event_idx, in_order, threshold);
	if (rc != 0) {
		free(r->dev);
		r->dev = NULL;
		utp_teardown(r);
	}
	return rc;
}

#endif /* UT_PACKED_H */
