/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Split virtqueue, driver side: the cold paths (layout, init, chained and indirect adds,
 * reclaim, notification control). The per-burst paths are inline in vnet_ring.h.
 */

#include <string.h>

#include "vnet_ring.h"

static inline bool
is_pow2(unsigned long v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

int
vnet_vring_layout(unsigned int num, unsigned long align, struct vnet_vring_layout *l)
{
	size_t avail_end;

	if (!is_pow2(num) || num > VNET_VRING_MAX_SIZE || !is_pow2(align) || align < 4 ||
	    l == NULL)
		return -EINVAL;

	l->avail_off = sizeof(struct vnet_vring_desc) * num;
	/* flags, idx, ring[num], used_event */
	avail_end = l->avail_off + sizeof(uint16_t) * (3 + num);
	l->used_off = (avail_end + align - 1) & ~(size_t)(align - 1);
	/* flags, idx, ring[num], avail_event */
	l->size = l->used_off + sizeof(uint16_t) * 3 + sizeof(struct vnet_vring_used_elem) * num;
	return 0;
}

size_t
vnet_vring_priv_size(unsigned int num)
{
	size_t links = (sizeof(uint16_t) * num + 7) & ~(size_t)7;

	return sizeof(struct vnet_vring_state) * num + links;
}

static void
vring_reset_state(struct vnet_vring *vr)
{
	unsigned int i;

	memset(vr->state, 0, sizeof(*vr->state) * vr->num);
	for (i = 0; i < vr->num; i++)
		vr->next[i] = (uint16_t)(i + 1);	/* last one is never followed */
	vr->free_head = 0;
	vr->num_free = vr->num;
	vr->avail_idx = 0;
	vr->avail_pub = 0;
	vr->kick_idx = 0;
	vr->last_used_idx = 0;
	vr->unkicked = 0;
	vr->avail_flags = 0;
	vr->error = VNET_VRING_OK;
	memset(&vr->stats, 0, sizeof(vr->stats));
}

int
vnet_vring_init(struct vnet_vring *vr, unsigned int num, unsigned long align, void *ring_mem,
		void *priv_mem, bool event_idx)
{
	struct vnet_vring_layout l;
	uint8_t *base = ring_mem;

	if (vr == NULL || ring_mem == NULL || priv_mem == NULL ||
	    ((uintptr_t)ring_mem & 15) != 0 || ((uintptr_t)priv_mem & 7) != 0)
		return -EINVAL;
	if (vnet_vring_layout(num, align, &l) != 0)
		return -EINVAL;

	memset(vr, 0, sizeof(*vr));
	memset(ring_mem, 0, l.size);
	vr->num = (uint16_t)num;
	vr->mask = (uint16_t)(num - 1);
	vr->desc = (struct vnet_vring_desc *)base;
	vr->avail = (struct vnet_vring_avail *)(base + l.avail_off);
	vr->used = (struct vnet_vring_used *)(base + l.used_off);
	vr->used_event = &vr->avail->ring[num];
	vr->avail_event = (uint16_t *)&vr->used->ring[num];
	vr->event_idx = event_idx;
	vr->state = priv_mem;
	vr->next = (uint16_t *)((uint8_t *)priv_mem + sizeof(struct vnet_vring_state) * num);
	vring_reset_state(vr);
	return 0;
}

int
vnet_vring_set_indirect(struct vnet_vring *vr, void *mem, uint64_t iova, unsigned int max)
{
	if (vr == NULL || mem == NULL || ((uintptr_t)mem & 15) != 0 || max == 0 ||
	    max > VNET_VRING_MAX_SIZE / sizeof(struct vnet_vring_desc))
		return -EINVAL;
	vr->indirect = mem;
	vr->indirect_iova = iova;
	vr->indirect_max = (uint16_t)max;
	return 0;
}

static void
fill_table(struct vnet_vring_desc *tab, const uint16_t *ids, const struct vnet_sg *sg,
	   unsigned int out, unsigned int total)
{
	unsigned int i;

	for (i = 0; i < total; i++) {
		struct vnet_vring_desc *d = &tab[ids[i]];

		d->addr = sg[i].addr;
		d->len = sg[i].len;
		d->flags = (uint16_t)((i >= out ? VNET_VRING_DESC_F_WRITE : 0) |
				      (i + 1 < total ? VNET_VRING_DESC_F_NEXT : 0));
		d->next = i + 1 < total ? ids[i + 1] : 0;
	}
}

int
vnet_vring_add(struct vnet_vring *vr, const struct vnet_sg *sg, unsigned int out,
	       unsigned int in, void *cookie, bool indirect)
{
	unsigned int total = out + in, i, ndescs;
	uint16_t ids[64];
	uint16_t head, id, last;
	uint32_t in_len;
	struct vnet_vring_state *st;

	if (vnet_unlikely(vr->error != VNET_VRING_OK))
		return -EIO;
	if (cookie == NULL || sg == NULL || total == 0 || total < out)
		return -EINVAL;
	if (indirect ? (vr->indirect == NULL || total > vr->indirect_max) : total > vr->num)
		return -EINVAL;
	if (vnet_sg_in_len(sg, out, in, &in_len) != 0)
		return -EINVAL;
	ndescs = indirect ? 1 : total;
	if (ndescs > vr->num_free)
		return -ENOSPC;

	head = vr->free_head;
	if (indirect) {
		struct vnet_vring_desc *tab = &vr->indirect[(size_t)head * vr->indirect_max];

		/* An indirect table is contiguous: entry i links to i + 1. */
		for (i = 0; i < total; i++) {
			tab[i].addr = sg[i].addr;
			tab[i].len = sg[i].len;
			tab[i].flags = (uint16_t)((i >= out ? VNET_VRING_DESC_F_WRITE : 0) |
						  (i + 1 < total ? VNET_VRING_DESC_F_NEXT : 0));
			tab[i].next = i + 1 < total ? (uint16_t)(i + 1) : 0;
		}
		last = head;
		vr->free_head = vr->next[head];
		vr->desc[head].addr = vr->indirect_iova +
			(uint64_t)head * vr->indirect_max * sizeof(struct vnet_vring_desc);
		vr->desc[head].len = total * (uint32_t)sizeof(struct vnet_vring_desc);
		vr->desc[head].flags = VNET_VRING_DESC_F_INDIRECT;
		vr->desc[head].next = 0;
	} else {
		unsigned int done = 0;

		/*
		 * Walk the free list (private links, never the shared table) in chunks so
		 * long chains need no large stack array.
		 */
		id = head;
		last = head;
		while (done < total) {
			unsigned int chunk = total - done < 64 ? total - done : 64;

			for (i = 0; i < chunk; i++) {
				ids[i] = id;
				id = vr->next[id];
			}
			fill_table(vr->desc, ids, sg + done, out > done ? out - done : 0, chunk);
			if (done + chunk < total) {
				/* fill_table ended this chunk's chain: link it to the next one. */
				vr->desc[ids[chunk - 1]].flags |= VNET_VRING_DESC_F_NEXT;
				vr->desc[ids[chunk - 1]].next = id;
			}
			last = ids[chunk - 1];
			done += chunk;
		}
		vr->free_head = id;
	}
	vr->num_free = (uint16_t)(vr->num_free - ndescs);

	st = &vr->state[head];
	st->cookie = cookie;
	st->in_len = (uint32_t)in_len;
	st->ndescs = (uint16_t)ndescs;
	st->last = last;
	vnet_vring_avail_put(vr, head);
	return 0;
}

unsigned int
vnet_vring_detach_unused(struct vnet_vring *vr, void (*fn)(void *cookie, void *arg), void *arg)
{
	unsigned int i, n = 0;

	/* Never laid out (a queue set up but never started): nothing to hand back. */
	if (vr->desc == NULL || vr->state == NULL)
		return 0;
	for (i = 0; i < vr->num; i++) {
		void *cookie = vr->state[i].cookie;

		if (cookie == NULL)
			continue;
		vr->state[i].cookie = NULL;
		if (fn != NULL)
			fn(cookie, arg);
		n++;
	}
	/* Keep the counters across a reclaim: they describe the queue's life so far. */
	{
		struct vnet_vring_stats keep = vr->stats;
		uint8_t err = vr->error;

		vring_reset_state(vr);
		vr->stats = keep;
		vr->error = err;
	}
	/*
	 * A reset device does not rewrite the ring: clear used->idx, flags and event fields so
	 * the re-registered queue starts from zero on both sides.
	 */
	memset(vr->desc, 0, (size_t)((uint8_t *)(vr->avail_event + 1) - (uint8_t *)vr->desc));
	return n;
}

void
vnet_vring_set_broken(struct vnet_vring *vr, enum vnet_vring_error err)
{
	if (vr->error != VNET_VRING_OK)
		return;
	vr->error = (uint8_t)err;
	vr->stats.broken = 1;
}

const char *
vnet_vring_strerror(int error)
{
	switch (error) {
	case VNET_VRING_OK:
		return "no error";
	case VNET_VRING_ERR_USED_IDX:
		return "device moved used idx past the published buffers";
	case VNET_VRING_ERR_ID_RANGE:
		return "device returned a used id outside the ring";
	case VNET_VRING_ERR_NOT_INFLIGHT:
		return "device returned a used id that is not in flight";
	case VNET_VRING_ERR_LEN:
		return "device returned a used len larger than the buffer";
	case VNET_VRING_ERR_SHORT:
		return "device returned a used len shorter than the queue's minimum";
	case VNET_VRING_ERR_NUM_BUFFERS:
		return "device returned an RX num_buffers larger than the ring";
	case VNET_VRING_ERR_WRAP:
		return "device wrote descriptor flags inconsistent with the ring wrap counter";
	case VNET_VRING_ERR_NOT_AVAIL:
		return "device marked a descriptor used that was never made available";
	case VNET_VRING_ERR_IN_ORDER:
		return "in-order device returned a buffer out of order or twice";
	default:
		return "unknown error";
	}
}

void
vnet_vring_disable_cb(struct vnet_vring *vr)
{
	vr->cb_armed = false;
	if (vr->event_idx) {
		/*
		 * A full ring behind the used idx: outside any range a device flush can still be
		 * deciding about ([old, new) with new <= last_used + num, new - old <= num), so
		 * the device never steps over it until the keepalive moves it (num <= 16384;
		 * a 32768 ring may see a rare spurious notification, which is harmless).
		 */
		VNET_STORE_RLX(vr->used_event, (uint16_t)(vr->last_used_idx - vr->num - 1));
	} else if (!(vr->avail_flags & VNET_VRING_AVAIL_F_NO_INTERRUPT)) {
		vr->avail_flags |= VNET_VRING_AVAIL_F_NO_INTERRUPT;
		VNET_STORE_RLX(&vr->avail->flags, vr->avail_flags);
	}
}

bool
vnet_vring_enable_cb(struct vnet_vring *vr, uint16_t n)
{
	if (n == 0)
		n = 1;
	vr->cb_armed = true;
	if (vr->event_idx) {
		VNET_STORE_RLX(vr->used_event, (uint16_t)(vr->last_used_idx + n - 1));
	} else if (vr->avail_flags & VNET_VRING_AVAIL_F_NO_INTERRUPT) {
		vr->avail_flags &= (uint16_t)~VNET_VRING_AVAIL_F_NO_INTERRUPT;
		VNET_STORE_RLX(&vr->avail->flags, vr->avail_flags);
	}
	/* Our store must be visible before we sample used->idx, or both sides may wait. */
	VNET_MB();
	return (uint16_t)(VNET_LOAD_RLX(&vr->used->idx) - vr->last_used_idx) < n;
}
