/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Packed virtqueue, driver side: the cold paths (layout, init, chained and indirect adds,
 * reclaim, used-buffer notification control). The per-burst paths are inline in
 * vnet_packed.h.
 */

#include <string.h>

#include "vnet_packed.h"

int
vnet_packed_layout(unsigned int num, struct vnet_packed_layout *l)
{
	if (num == 0 || num > VNET_PACKED_MAX_SIZE || l == NULL)
		return -EINVAL;
	/* 2.8.10.1: ring 16-aligned, both event areas 4-aligned; 16 * num keeps them so. */
	l->driver_off = sizeof(struct vnet_pvirtq_desc) * num;
	l->device_off = l->driver_off + sizeof(struct vnet_pvirtq_event);
	l->size = l->device_off + sizeof(struct vnet_pvirtq_event);
	return 0;
}

size_t
vnet_packed_priv_size(unsigned int num)
{
	return sizeof(struct vnet_packed_state) * num;
}

static void
packed_reset_state(struct vnet_packed *pr)
{
	unsigned int i;

	memset(pr->state, 0, sizeof(*pr->state) * pr->num);
	for (i = 0; i < pr->num; i++)
		pr->state[i].next = (uint16_t)(i + 1);	/* last one is never followed */
	pr->free_id = 0;
	pr->num_free = pr->num;
	pr->avail_pos = 0;
	pr->avail_wrap = true;		/* 2.8.1: both wrap counters start at 1 */
	pr->avail_bits = VNET_PACKED_DESC_F_AVAIL;
	pr->used_pos = 0;
	pr->used_wrap = true;
	pr->head_pos = 0;
	pr->head_flags = 0;
	pr->driver_flags = VNET_RING_EVENT_FLAGS_ENABLE;
	pr->batch_active = false;
	pr->batch_last = 0;
	pr->batch_len = 0;
	pr->pub_lin = 0;
	pr->kick_lin = 0;
	pr->unkicked = 0;
	pr->add_seq = 0;
	pr->pub_seq = 0;
	pr->error = VNET_VRING_OK;
	memset(&pr->stats, 0, sizeof(pr->stats));
}

int
vnet_packed_init(struct vnet_packed *pr, unsigned int num, void *ring_mem, void *priv_mem,
		 bool event_idx, bool in_order)
{
	struct vnet_packed_layout l;
	uint8_t *base = ring_mem;

	if (pr == NULL || ring_mem == NULL || priv_mem == NULL ||
	    ((uintptr_t)ring_mem & 15) != 0 || ((uintptr_t)priv_mem & 7) != 0)
		return -EINVAL;
	if (vnet_packed_layout(num, &l) != 0)
		return -EINVAL;

	memset(pr, 0, sizeof(*pr));
	/* The descriptor ring is zero-initialised (2.8.13): no descriptor looks available. */
	memset(ring_mem, 0, l.size);
	pr->num = (uint16_t)num;	/* 32768 fits */
	pr->desc = (struct vnet_pvirtq_desc *)base;
	pr->driver_event = (struct vnet_pvirtq_event *)(base + l.driver_off);
	pr->device_event = (struct vnet_pvirtq_event *)(base + l.device_off);
	pr->event_idx = event_idx;
	pr->in_order = in_order;
	pr->state = priv_mem;
	packed_reset_state(pr);
	return 0;
}

int
vnet_packed_set_indirect(struct vnet_packed *pr, void *mem, uint64_t iova, unsigned int max)
{
	/* An indirect table's length is a 32-bit byte count; 2048 entries is plenty. */
	if (pr == NULL || mem == NULL || ((uintptr_t)mem & 15) != 0 || max == 0 || max > 2048)
		return -EINVAL;
	pr->indirect = mem;
	pr->indirect_iova = iova;
	pr->indirect_max = (uint16_t)max;
	return 0;
}

int
vnet_packed_add(struct vnet_packed *pr, const struct vnet_sg *sg, unsigned int out,
		unsigned int in, void *cookie, bool indirect)
{
	unsigned int total = out + in, i, ndescs;
	uint32_t in_len;
	uint16_t id, flags;
	bool first;

	if (vnet_unlikely(pr->error != VNET_VRING_OK))
		return -EIO;
	if (cookie == NULL || sg == NULL || total == 0 || total < out)
		return -EINVAL;
	if (indirect ? (pr->indirect == NULL || total > pr->indirect_max) : total > pr->num)
		return -EINVAL;
	if (vnet_sg_in_len(sg, out, in, &in_len) != 0)
		return -EINVAL;
	ndescs = indirect ? 1 : total;
	if (ndescs > pr->num_free)
		return -ENOSPC;

	id = vnet_packed_take_id(pr);
	first = pr->add_seq == pr->pub_seq;
	if (indirect) {
		struct vnet_pvirtq_desc *tab = &pr->indirect[(size_t)id * pr->indirect_max];

		/* 2.8.7: sequential table, WRITE is the only valid flag, id reserved. */
		for (i = 0; i < total; i++) {
			tab[i].addr = sg[i].addr;
			tab[i].len = sg[i].len;
			tab[i].id = 0;
			tab[i].flags = i >= out ? VNET_VRING_DESC_F_WRITE : 0;
		}
		flags = (uint16_t)(pr->avail_bits | VNET_VRING_DESC_F_INDIRECT);
		if (first) {
			pr->head_pos = pr->avail_pos;
			pr->head_flags = flags;
		}
		vnet_pdesc_write(&pr->desc[pr->avail_pos],
				 pr->indirect_iova + (uint64_t)id * pr->indirect_max *
				 sizeof(struct vnet_pvirtq_desc),
				 total * (uint32_t)sizeof(struct vnet_pvirtq_desc), id, flags,
				 first);
		vnet_packed_avail_step(pr);
	} else {
		/*
		 * 2.8.6: NEXT on all but the last, every flag right in every descriptor; the
		 * head (the first of the batch) becomes available last, in publish.
		 */
		for (i = 0; i < total; i++) {
			bool defer = first && i == 0;

			flags = (uint16_t)(pr->avail_bits |
					   (i >= out ? VNET_VRING_DESC_F_WRITE : 0) |
					   (i + 1 < total ? VNET_VRING_DESC_F_NEXT : 0));
			if (defer) {
				pr->head_pos = pr->avail_pos;
				pr->head_flags = flags;
			}
			vnet_pdesc_write(&pr->desc[pr->avail_pos], sg[i].addr, sg[i].len, id, flags,
					 defer);
			vnet_packed_avail_step(pr);
		}
	}
	vnet_packed_state_set(pr, id, cookie, (uint32_t)in_len, (uint16_t)ndescs);
	pr->num_free = (uint16_t)(pr->num_free - ndescs);
	return 0;
}

unsigned int
vnet_packed_detach_unused(struct vnet_packed *pr, void (*fn)(void *cookie, void *arg), void *arg)
{
	struct vnet_vring_stats keep;
	struct vnet_packed_layout l;
	unsigned int i, n = 0;
	uint8_t err;

	/* Never laid out (a queue set up but never started): nothing to hand back. */
	if (pr->desc == NULL || pr->state == NULL)
		return 0;
	for (i = 0; i < pr->num; i++) {
		void *cookie = pr->state[i].cookie;

		if (cookie == NULL)
			continue;
		pr->state[i].cookie = NULL;
		if (fn != NULL)
			fn(cookie, arg);
		n++;
	}
	keep = pr->stats;
	err = pr->error;
	packed_reset_state(pr);
	pr->stats = keep;
	pr->error = err;
	/*
	 * A reset device does not rewrite the ring: zero descriptors and both event areas so
	 * that the re-registered queue starts like a fresh one (wrap counters 1, nothing
	 * available, notifications enabled).
	 */
	if (vnet_packed_layout(pr->num, &l) == 0)
		memset(pr->desc, 0, l.size);
	return n;
}

void
vnet_packed_set_broken(struct vnet_packed *pr, enum vnet_vring_error err)
{
	if (pr->error != VNET_VRING_OK)
		return;
	pr->error = (uint8_t)err;
	pr->stats.broken = 1;
}

static void
packed_driver_flags(struct vnet_packed *pr, uint16_t flags)
{
	if (pr->driver_flags == flags)
		return;
	pr->driver_flags = flags;
	/* Release: an off_wrap written just before is visible with the DESC flag. */
	VNET_STORE_REL(&pr->driver_event->flags, flags);
}

void
vnet_packed_disable_cb(struct vnet_packed *pr)
{
	packed_driver_flags(pr, VNET_RING_EVENT_FLAGS_DISABLE);
}

bool
vnet_packed_enable_cb(struct vnet_packed *pr, uint16_t n)
{
	const uint16_t want = pr->used_wrap ?
		(uint16_t)(VNET_PACKED_DESC_F_AVAIL | VNET_PACKED_DESC_F_USED) : 0;
	uint16_t flags;

	if (n == 0)
		n = 1;
	if (n > pr->num)
		n = pr->num;
	if (pr->event_idx) {
		unsigned int pos = (unsigned int)pr->used_pos + n - 1;
		bool wrap = pr->used_wrap;

		if (pos >= pr->num) {
			pos -= pr->num;
			wrap = !wrap;
		}
		/* The device notifies when it uses the descriptor at (off, wrap) (2.8.10). */
		VNET_STORE_RLX(&pr->driver_event->off_wrap,
			       (uint16_t)(pos | (wrap ? 1u << VNET_RING_EVENT_WRAP_SHIFT : 0)));
		if (pr->driver_flags != VNET_RING_EVENT_FLAGS_DESC)
			packed_driver_flags(pr, VNET_RING_EVENT_FLAGS_DESC);
	} else {
		packed_driver_flags(pr, VNET_RING_EVENT_FLAGS_ENABLE);
	}
	/* Our enable must be visible before we look at the ring, or both sides may wait. */
	VNET_MB();
	if (pr->batch_active)
		return false;
	flags = VNET_LOAD_RLX(&pr->desc[pr->used_pos].flags);
	return (flags & (VNET_PACKED_DESC_F_AVAIL | VNET_PACKED_DESC_F_USED)) != want;
}
