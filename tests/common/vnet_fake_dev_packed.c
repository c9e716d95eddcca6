/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Fake virtio device, packed virtqueue: written from the spec (2.8), not from the driver
 * core, so that the two can disagree. See vnet_fake_dev_packed.h.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vnet_packed.h"	/* vnet_packed_layout() only */
#include "vnet_fake_dev_packed.h"

/* Thread, kicks, data mode, errors and counters: shared with the split fake device. */
#define FDEV		struct vnet_fake_pdev
#define FDEV_FN(name)	vfdp_##name
#include "vnet_fake_dev_common.h"

#define F_AVAIL			VNET_PACKED_DESC_F_AVAIL
#define F_USED			VNET_PACKED_DESC_F_USED

typedef uint32_t __attribute__((__may_alias__)) dev_u32;

/* Linear position modulo 2 * num of (pos, wrap): wrap 1 is the first lap. */
static uint32_t
lin(const struct vnet_fake_pdev *d, uint16_t pos, bool wrap)
{
	return pos + (wrap ? 0u : d->num);
}

static uint32_t
lin_sub(const struct vnet_fake_pdev *d, uint32_t a, uint32_t b)
{
	return a >= b ? a - b : a + 2u * d->num - b;
}

/* The event test of 2.8.10 with (off, wrap) positions: ev in [old, new) modulo 2 num. */
static bool
dev_need_event(const struct vnet_fake_pdev *d, uint16_t off_wrap, uint32_t new_lin,
	       uint32_t old_lin)
{
	uint32_t off = off_wrap & VNET_RING_EVENT_OFF_MASK;
	uint32_t ev = off + ((off_wrap >> VNET_RING_EVENT_WRAP_SHIFT) ? 0u : d->num);

	if (off >= d->num)
		return true;
	/* (new - ev - 1) < (new - old); new == ev gives UINT32_MAX: not crossed. */
	return lin_sub(d, new_lin, ev) - 1u < lin_sub(d, new_lin, old_lin);
}

static bool
desc_avail(uint16_t flags, bool wrap)
{
	return ((flags & F_AVAIL) != 0) == wrap && ((flags & F_USED) != 0) != wrap;
}

int
vfdp_init(struct vnet_fake_pdev *d, void *ring_mem, unsigned int num, bool event_idx,
	  bool in_order, uint16_t threshold)
{
	struct vnet_packed_layout l;
	uint8_t *base = ring_mem;
	int rc;

	if (d == NULL || ring_mem == NULL || vnet_packed_layout(num, &l) != 0)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->num = num;
	d->desc = (struct vnet_pvirtq_desc *)base;
	d->driver_event = (struct vnet_pvirtq_event *)(base + l.driver_off);
	d->device_event = (struct vnet_pvirtq_event *)(base + l.device_off);
	d->event_idx = event_idx;
	d->in_order = in_order;
	d->threshold = threshold;
	vfdp_reset(d, 0);
	rc = dev_open(d, 0x2545f4914f6cdd1dull);
	if (rc != 0)
		return rc;
	if (event_idx)
		vfdp_notify_enable(d);
	return 0;
}

void
vfdp_reset(struct vnet_fake_pdev *d, uint64_t seq_base)
{
	d->avail_pos = 0;
	d->avail_wrap = true;
	d->used_pos = 0;
	d->used_wrap = true;
	d->seq = seq_base;
}

bool
vfdp_avail_pending(struct vnet_fake_pdev *d)
{
	return desc_avail(DEV_LOAD_ACQ(&d->desc[d->avail_pos].flags), d->avail_wrap);
}

static void
step(const struct vnet_fake_pdev *d, uint16_t *pos, bool *wrap)
{
	if (++*pos == d->num) {
		*pos = 0;
		*wrap = !*wrap;
	}
}

int
vfdp_pop(struct vnet_fake_pdev *d, struct vfd_elem *e, uint16_t *ndescs)
{
	uint16_t pos = d->avail_pos, flags;
	bool wrap = d->avail_wrap, seen_write = false;
	unsigned int count = 0, nseg = 0;

	flags = DEV_LOAD_ACQ(&d->desc[pos].flags);
	if (!desc_avail(flags, wrap))
		return 0;
	e->nseg = 0;
	e->nout = 0;
	e->indirect = false;
	e->out_bytes = 0;
	e->in_bytes = 0;
	e->head = 0;
	for (;;) {
		struct vnet_pvirtq_desc dd = d->desc[pos];

		if (count > 0 && !desc_avail(dd.flags, wrap)) {
			dev_error(d, "chain member at %u not available (flags %#x)", pos, dd.flags);
			goto bad;
		}
		count++;
		e->head = dd.id;	/* the id of the last descriptor counts (2.8.6) */
		step(d, &pos, &wrap);
		if (dd.flags & VNET_VRING_DESC_F_INDIRECT) {
			const struct vnet_pvirtq_desc *t = (const void *)(uintptr_t)dd.addr;
			unsigned int i, n = dd.len / (unsigned int)sizeof(*t);

			if (count != 1 || (dd.flags & VNET_VRING_DESC_F_NEXT)) {
				dev_error(d, "indirect descriptor in a chain (id %u)", dd.id);
				goto bad;
			}
			if (dd.len == 0 || dd.len % sizeof(*t) != 0 || n > VFD_MAX_SEGS) {
				dev_error(d, "indirect table length %u (id %u)", dd.len, dd.id);
				goto bad;
			}
			for (i = 0; i < n; i++) {
				if (t[i].flags & ~VNET_VRING_DESC_F_WRITE) {
					dev_error(d, "indirect entry flags %#x", t[i].flags);
					goto bad;
				}
				if (t[i].flags & VNET_VRING_DESC_F_WRITE) {
					seen_write = true;
					e->in_bytes += t[i].len;
				} else if (seen_write) {
					dev_error(d, "readable after writable (indirect %u)",
						  dd.id);
					goto bad;
				} else {
					e->out_bytes += t[i].len;
					e->nout++;
				}
				e->seg[nseg].ptr = (uint8_t *)(uintptr_t)t[i].addr;
				e->seg[nseg].len = t[i].len;
				e->seg[nseg].write = (t[i].flags & VNET_VRING_DESC_F_WRITE) != 0;
				nseg++;
			}
			e->indirect = true;
			break;
		}
		if (nseg >= VFD_MAX_SEGS) {
			dev_error(d, "chain too long (id %u)", dd.id);
			goto bad;
		}
		e->seg[nseg].ptr = (uint8_t *)(uintptr_t)dd.addr;
		e->seg[nseg].len = dd.len;
		e->seg[nseg].write = (dd.flags & VNET_VRING_DESC_F_WRITE) != 0;
		if (e->seg[nseg].write) {
			seen_write = true;
			e->in_bytes += dd.len;
		} else if (seen_write) {
			dev_error(d, "readable descriptor after a writable one (id %u)", dd.id);
			goto bad;
		} else {
			e->out_bytes += dd.len;
			e->nout++;
		}
		nseg++;
		if (!(dd.flags & VNET_VRING_DESC_F_NEXT))
			break;
		if (count >= d->num) {
			dev_error(d, "chain longer than the ring");
			goto bad;
		}
	}
	e->nseg = (uint16_t)nseg;
	*ndescs = (uint16_t)count;
	d->avail_pos = pos;
	d->avail_wrap = wrap;
	ST_ADD(d, popped, 1);
	return 1;
bad:
	*ndescs = (uint16_t)count;
	d->avail_pos = pos;
	d->avail_wrap = wrap;
	ST_ADD(d, popped, 1);
	return -EPROTO;
}

uint32_t
vfdp_process_elem(struct vnet_fake_pdev *d, const struct vfd_elem *e, bool full)
{
	return process_elem(d, e, full);
}

uint16_t
vfdp_used_bits(const struct vnet_fake_pdev *d)
{
	return d->used_wrap ? (uint16_t)(F_AVAIL | F_USED) : 0;
}

static void
used_advance(struct vnet_fake_pdev *d, unsigned int skip)
{
	unsigned long pos = (unsigned long)d->used_pos + skip;

	while (pos >= d->num) {
		pos -= d->num;
		d->used_wrap = !d->used_wrap;
		d->wrap_flips++;
	}
	d->used_pos = (uint16_t)pos;
}

static bool
should_notify(struct vnet_fake_pdev *d, uint32_t old_lin)
{
	uint32_t ev, new_lin = lin(d, d->used_pos, d->used_wrap);
	uint16_t flags;
	bool notify;

	/* Used descriptors before the driver event suppression read (2.8.10). */
	DEV_MB();
	ev = DEV_LOAD((dev_u32 *)(void *)d->driver_event);
	flags = (uint16_t)((ev >> 16) & VNET_RING_EVENT_FLAGS_MASK);
	if (flags == VNET_RING_EVENT_FLAGS_DISABLE)
		notify = false;
	else if (flags == VNET_RING_EVENT_FLAGS_DESC && d->event_idx)
		notify = dev_need_event(d, (uint16_t)ev, new_lin, old_lin);
	else
		notify = true;
	return dev_notify(d, notify);
}

bool
vfdp_complete(struct vnet_fake_pdev *d, const struct vfdp_done *b, unsigned int n)
{
	uint32_t old_lin = lin(d, d->used_pos, d->used_wrap);
	uint16_t first_pos = d->used_pos, first_flags = 0;
	unsigned int i;

	if (n == 0)
		return false;
	if (d->in_order && d->batch_used) {
		unsigned int skip = 0;

		for (i = 0; i < n; i++)
			skip += b[i].ndescs;
		d->desc[first_pos].id = b[n - 1].id;
		d->desc[first_pos].len = b[n - 1].len;
		first_flags = (uint16_t)(vfdp_used_bits(d) |
					 (b[n - 1].len ? VNET_VRING_DESC_F_WRITE : 0));
		used_advance(d, skip);
	} else {
		for (i = 0; i < n; i++) {
			struct vnet_pvirtq_desc *u = &d->desc[d->used_pos];
			uint16_t f = (uint16_t)(vfdp_used_bits(d) |
						(b[i].len ? VNET_VRING_DESC_F_WRITE : 0));

			u->id = b[i].id;
			u->len = b[i].len;
			if (i == 0)
				first_flags = f;
			else
				DEV_STORE(&u->flags, f);
			used_advance(d, b[i].ndescs);
		}
	}
	/* The first used descriptor of the group last: the driver sees all or none. */
	DEV_STORE_REL(&d->desc[first_pos].flags, first_flags);
	ST_ADD(d, flushes, 1);
	ST_ADD(d, completed, n);
	return should_notify(d, old_lin);
}

static int
run_batch(struct vnet_fake_pdev *d, unsigned int max)
{
	unsigned int n = 0, i;
	bool full = d->in_order && d->batch_used;
	uint16_t ndescs;
	int r;

	if (max > VFD_MAX_BATCH)
		max = VFD_MAX_BATCH;
	while (n < max) {
		r = vfdp_pop(d, &d->elem, &ndescs);
		if (r == 0)
			break;
		d->batch[n].id = d->elem.head;
		d->batch[n].ndescs = ndescs;
		d->batch[n].len = r < 0 ? 0 : process_elem(d, &d->elem, full);
		n++;
	}
	if (n == 0)
		return 0;
	if (d->shuffle && !d->in_order) {
		for (i = n - 1; i > 0; i--) {
			unsigned int j = (unsigned int)(ut_rand(&d->rng) % (i + 1));
			struct vfdp_done t = d->batch[i];

			d->batch[i] = d->batch[j];
			d->batch[j] = t;
		}
	}
	if (d->shuffle && n > 1 && !d->batch_used) {
		/* Several groups of random sizes: exercises partial used runs. */
		unsigned int k = 0;

		while (k < n) {
			unsigned int m = 1 + (unsigned int)(ut_rand(&d->rng) % (n - k));

			vfdp_complete(d, d->batch + k, m);
			k += m;
		}
	} else {
		vfdp_complete(d, d->batch, n);
	}
	return (int)n;
}

/* Descriptors available in whole buffers from the avail position, counting up to @limit. */
static unsigned int
avail_run(struct vnet_fake_pdev *d, unsigned int limit)
{
	uint16_t pos = d->avail_pos;
	bool wrap = d->avail_wrap;
	unsigned int count = 0;

	while (count < limit && count < d->num) {
		uint16_t f = DEV_LOAD_ACQ(&d->desc[pos].flags);

		if (!desc_avail(f, wrap))
			break;
		/* A whole buffer: members of a published head are available too. */
		do {
			f = DEV_LOAD(&d->desc[pos].flags);
			count++;
			step(d, &pos, &wrap);
		} while ((f & VNET_VRING_DESC_F_NEXT) && count < d->num);
	}
	return count;
}

bool
vfdp_kick_expected(struct vnet_fake_pdev *d)
{
	uint32_t ev;
	uint16_t flags;

	if (d->event_idx) {
		ev = DEV_LOAD((dev_u32 *)(void *)d->device_event);
		flags = (uint16_t)(ev >> 16);
		if (flags == VNET_RING_EVENT_FLAGS_DESC)
			return avail_run(d, (unsigned int)d->threshold + 1) > d->threshold;
	}
	return vfdp_avail_pending(d) &&
		DEV_LOAD(&d->device_event->flags) != VNET_RING_EVENT_FLAGS_DISABLE;
}

bool
vfdp_notify_enable(struct vnet_fake_pdev *d)
{
	if (d->event_idx) {
		uint32_t e = (lin(d, d->avail_pos, d->avail_wrap) + d->threshold) % (2u * d->num);
		uint16_t off_wrap = (uint16_t)(e >= d->num ? e - d->num :
					       e | (1u << VNET_RING_EVENT_WRAP_SHIFT));

		DEV_STORE((dev_u32 *)(void *)d->device_event,
			  (uint32_t)off_wrap | ((uint32_t)VNET_RING_EVENT_FLAGS_DESC << 16));
	} else {
		DEV_STORE(&d->device_event->flags, VNET_RING_EVENT_FLAGS_ENABLE);
	}
	/* Our enable before the re-check, or we sleep through a kick-less publish. */
	DEV_MB();
	return !vfdp_kick_expected(d);
}

void
vfdp_notify_disable(struct vnet_fake_pdev *d)
{
	if (!d->event_idx)
		DEV_STORE(&d->device_event->flags, VNET_RING_EVENT_FLAGS_DISABLE);
}

static void
avail_where(const struct vnet_fake_pdev *d, char *buf, size_t size)
{
	snprintf(buf, size, "%u/%d", d->avail_pos, d->avail_wrap);
}

void
vfdp_put_used_raw(struct vnet_fake_pdev *d, uint16_t id, uint32_t len, uint16_t flags,
		  unsigned int skip)
{
	struct vnet_pvirtq_desc *u = &d->desc[d->used_pos];

	u->id = id;
	u->len = len;
	DEV_STORE_REL(&u->flags, flags);
	used_advance(d, skip);
}
