/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Unit-test helper: one driver-side queue (vnet_vring) plus the fake device attached to the
 * same memory. Tests use virtual addresses as IOVAs (the fake device dereferences them).
 */

#ifndef UT_RING_H
#define UT_RING_H

#include <stdlib.h>
#include <string.h>

#include "vnet_ring.h"
#include "vnet_fake_dev.h"

/* Ring, driver-private and indirect memory of one test queue (split or packed). */
struct ut_mem {
	void *ring;
	void *priv;
	void *ind;
};

static inline size_t
ut_round(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* Allocate @m: a ring of @ring_size bytes aligned to @ring_align, @ind_size bytes (0: none). */
static inline int
ut_mem_alloc(struct ut_mem *m, size_t ring_size, size_t ring_align, size_t priv_size,
	     size_t ind_size)
{
	m->ring = aligned_alloc(ring_align, ut_round(ring_size, ring_align));
	m->priv = aligned_alloc(64, ut_round(priv_size, 64));
	m->ind = ind_size != 0 ? aligned_alloc(64, ut_round(ind_size, 64)) : NULL;
	return m->ring == NULL || m->priv == NULL || (ind_size != 0 && m->ind == NULL) ?
	       -ENOMEM : 0;
}

static inline void
ut_mem_free(struct ut_mem *m)
{
	free(m->ring);
	free(m->priv);
	free(m->ind);
}

struct ut_ring {
	struct vnet_vring vr;
	struct vnet_fake_dev *dev;	/* large: heap */
	struct ut_mem mem;
	unsigned int num;
	unsigned long align;
};

static inline void
ut_ring_teardown(struct ut_ring *r)
{
	if (r->dev != NULL) {
		vfd_stop(r->dev);
		vfd_fini(r->dev);
	}
	free(r->dev);
	ut_mem_free(&r->mem);
	memset(r, 0, sizeof(*r));
}

/*
 * Allocate and init a queue of @num entries (event_idx negotiated or not) with @ind_max
 * indirect entries per head (0: none) and attach a fake device with @threshold.
 */
static inline int
ut_ring_setup(struct ut_ring *r, unsigned int num, bool event_idx, uint16_t threshold,
	      unsigned int ind_max)
{
	struct vnet_vring_layout l;
	int rc;

	memset(r, 0, sizeof(*r));
	r->num = num;
	r->align = 4096;
	rc = vnet_vring_layout(num, r->align, &l);
	if (rc != 0)
		return rc;
	r->dev = calloc(1, sizeof(*r->dev));
	if (r->dev == NULL || ut_mem_alloc(&r->mem, l.size, 4096, vnet_vring_priv_size(num),
					   (size_t)num * ind_max * 16) != 0) {
		ut_ring_teardown(r);
		return -ENOMEM;
	}
	rc = vnet_vring_init(&r->vr, num, r->align, r->mem.ring, r->mem.priv, event_idx);
	if (rc == 0 && ind_max != 0)
		rc = vnet_vring_set_indirect(&r->vr, r->mem.ind, (uintptr_t)r->mem.ind, ind_max);
	if (rc == 0)
		rc = vfd_init(r->dev, r->mem.ring, num, r->align, event_idx, threshold);
	if (rc != 0) {
		free(r->dev);
		r->dev = NULL;
		ut_ring_teardown(r);
	}
	return rc;
}

/*
 * White-box: move both sides to ring index @idx right after setup (driver fields are
 * read-only for real callers; a test may do this to reach the 16-bit wrap quickly).
 */
static inline void
ut_ring_start_at(struct ut_ring *r, uint16_t idx)
{
	r->vr.avail_idx = idx;
	r->vr.avail_pub = idx;
	r->vr.kick_idx = idx;
	r->vr.last_used_idx = idx;
	__atomic_store_n(&r->vr.avail->idx, idx, __ATOMIC_RELEASE);
	*r->vr.used_event = idx;
	vfd_set_start_idx(r->dev, idx);
}

#endif /* UT_RING_H */
