/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Fake virtio device: the device half of a split virtqueue, modelled on QEMU's
 * virtqueue_pop/fill/flush and virtio_queue_set_notification/virtio_should_notify, written
 * from the spec rather than from the driver core so that the two can disagree.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vnet_ring.h"	/* vnet_vring_layout() only */
#include "vnet_fake_dev.h"

/* Thread, kicks, data mode, errors and counters: shared with the packed fake device. */
#define FDEV		struct vnet_fake_dev
#define FDEV_FN(name)	vfd_##name
#include "vnet_fake_dev_common.h"

/* The spec's event test, written out again (2.7.10): did new step over event since old? */
static inline bool
dev_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

int
vfd_init(struct vnet_fake_dev *d, void *ring_mem, unsigned int num, unsigned long align,
	 bool event_idx, uint16_t threshold)
{
	struct vnet_vring_layout l;
	uint8_t *base = ring_mem;
	int rc;

	if (d == NULL || ring_mem == NULL || vnet_vring_layout(num, align, &l) != 0)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->num = num;
	d->mask = (uint16_t)(num - 1);
	d->desc = (struct vnet_vring_desc *)base;
	d->avail = (struct vnet_vring_avail *)(base + l.avail_off);
	d->used = (struct vnet_vring_used *)(base + l.used_off);
	d->used_event = &d->avail->ring[num];
	d->avail_event = (uint16_t *)(void *)&d->used->ring[num];
	d->event_idx = event_idx;
	d->threshold = threshold;
	rc = dev_open(d, 0x853c49e6748fea9bull);
	if (rc != 0)
		return rc;
	if (event_idx)
		DEV_STORE(d->avail_event, threshold);
	return 0;
}

void
vfd_reset(struct vnet_fake_dev *d, uint64_t seq_base)
{
	d->last_avail_idx = 0;
	d->used_idx = 0;
	d->raw_pending = 0;
	d->seq = seq_base;
}

void
vfd_set_start_idx(struct vnet_fake_dev *d, uint16_t idx)
{
	d->last_avail_idx = idx;
	d->used_idx = idx;
	DEV_STORE_REL(&d->used->idx, idx);
	if (d->event_idx)
		DEV_STORE(d->avail_event, (uint16_t)(idx + d->threshold));
}

uint16_t
vfd_avail_pending(struct vnet_fake_dev *d)
{
	return (uint16_t)(DEV_LOAD_ACQ(&d->avail->idx) - d->last_avail_idx);
}

int
vfd_pop(struct vnet_fake_dev *d, struct vfd_elem *e)
{
	const struct vnet_vring_desc *table = d->desc;
	unsigned int limit = d->num, count = 0;
	uint16_t avail_idx, pending, i;
	bool seen_write = false;

	avail_idx = DEV_LOAD_ACQ(&d->avail->idx);
	pending = (uint16_t)(avail_idx - d->last_avail_idx);
	if (pending == 0)
		return 0;
	if (pending > d->num) {
		dev_error(d, "avail idx moved from %u to %u (> %u)", d->last_avail_idx, avail_idx,
			  d->num);
		return -ERANGE;
	}

	e->head = DEV_LOAD(&d->avail->ring[d->last_avail_idx & d->mask]);
	d->last_avail_idx++;
	ST_ADD(d, popped, 1);
	e->nseg = 0;
	e->nout = 0;
	e->indirect = false;
	e->out_bytes = 0;
	e->in_bytes = 0;
	if (e->head >= d->num) {
		dev_error(d, "avail head %u >= num %u", e->head, d->num);
		return -EPROTO;
	}

	i = e->head;
	for (;;) {
		struct vnet_vring_desc dd = table[i];

		if (dd.flags & VNET_VRING_DESC_F_INDIRECT) {
			if (table != d->desc) {
				dev_error(d, "nested indirect descriptor (head %u)", e->head);
				return -EPROTO;
			}
			if (count != 0) {
				dev_error(d, "indirect descriptor inside a chain (head %u)", e->head);
				return -EPROTO;
			}
			if (dd.flags & VNET_VRING_DESC_F_NEXT) {
				dev_error(d, "INDIRECT together with NEXT (head %u)", e->head);
				return -EPROTO;
			}
			if (dd.len == 0 || dd.len % sizeof(struct vnet_vring_desc) != 0) {
				dev_error(d, "indirect table length %u (head %u)", dd.len, e->head);
				return -EPROTO;
			}
			table = (const struct vnet_vring_desc *)(uintptr_t)dd.addr;
			limit = dd.len / (unsigned int)sizeof(struct vnet_vring_desc);
			e->indirect = true;
			i = 0;
			continue;
		}
		if (count >= limit || count >= VFD_MAX_SEGS) {
			dev_error(d, "looped or too long chain (head %u, %u segments)", e->head,
				  count);
			return -EPROTO;
		}
		e->seg[count].ptr = (uint8_t *)(uintptr_t)dd.addr;
		e->seg[count].len = dd.len;
		e->seg[count].write = (dd.flags & VNET_VRING_DESC_F_WRITE) != 0;
		if (e->seg[count].write) {
			seen_write = true;
			e->in_bytes += dd.len;
		} else {
			if (seen_write) {
				dev_error(d, "readable descriptor after a writable one (head %u)",
					  e->head);
				return -EPROTO;
			}
			e->out_bytes += dd.len;
			e->nout++;
		}
		count++;
		if (!(dd.flags & VNET_VRING_DESC_F_NEXT))
			break;
		if (dd.next >= limit) {
			dev_error(d, "next %u out of range %u (head %u)", dd.next, limit, e->head);
			return -EPROTO;
		}
		i = dd.next;
	}
	e->nseg = (uint16_t)count;
	return 1;
}

void
vfd_fill(struct vnet_fake_dev *d, uint32_t id, uint32_t len, unsigned int off)
{
	struct vnet_vring_used_elem *u = &d->used->ring[(uint16_t)(d->used_idx + off) & d->mask];

	DEV_STORE(&u->id, id);
	DEV_STORE(&u->len, len);
}

uint16_t
vfd_flush_store(struct vnet_fake_dev *d, unsigned int count)
{
	uint16_t old = d->used_idx;

	d->raw_pending = 0;
	d->used_idx = (uint16_t)(old + count);
	DEV_STORE_REL(&d->used->idx, d->used_idx);
	ST_ADD(d, flushes, 1);
	ST_ADD(d, completed, count);
	return old;
}

bool
vfd_flush_notify(struct vnet_fake_dev *d, uint16_t old)
{
	uint16_t new_idx = d->used_idx;
	bool notify;

	/* Used idx store before the used_event / flags load (QEMU: smp_mb in should_notify). */
	DEV_MB();
	if (d->event_idx)
		notify = dev_need_event(DEV_LOAD(d->used_event), new_idx, old);
	else
		notify = !(DEV_LOAD(&d->avail->flags) & VNET_VRING_AVAIL_F_NO_INTERRUPT);
	return dev_notify(d, notify);
}

bool
vfd_flush(struct vnet_fake_dev *d, unsigned int count)
{
	if (count == 0) {
		d->raw_pending = 0;
		return false;
	}
	return vfd_flush_notify(d, vfd_flush_store(d, count));
}

void
vfd_pattern_fill(uint8_t *p, uint32_t len, uint64_t seq, uint64_t off)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = vfd_pattern_byte(seq, off + i);
}

uint64_t
vfd_pattern_check(const uint8_t *p, uint32_t len, uint64_t seq, uint64_t off)
{
	uint64_t bad = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		bad += p[i] != vfd_pattern_byte(seq, off + i);
	return bad;
}

uint32_t
vfd_process_elem(struct vnet_fake_dev *d, const struct vfd_elem *e)
{
	return process_elem(d, e, false);
}

/* Pop, process and complete up to max chains. */
static int
run_batch(struct vnet_fake_dev *d, unsigned int max)
{
	unsigned int n = 0, i;
	int r;

	if (max > VFD_MAX_BATCH)
		max = VFD_MAX_BATCH;
	while (n < max) {
		r = vfd_pop(d, &d->elem);
		if (r == 0)
			break;
		if (r == -ERANGE)
			return n > 0 ? (int)n : r;
		if (r < 0) {
			/* Like a lenient device: give a bad chain back unused, keep going. */
			if (d->elem.head < d->num) {
				d->batch[n].id = d->elem.head;
				d->batch[n].len = 0;
				n++;
			}
			continue;
		}
		d->batch[n].id = d->elem.head;
		d->batch[n].len = process_elem(d, &d->elem, false);
		n++;
	}
	if (n == 0)
		return 0;
	if (d->shuffle) {
		for (i = n - 1; i > 0; i--) {
			unsigned int j = (unsigned int)(ut_rand(&d->rng) % (i + 1));
			struct vnet_vring_used_elem t = d->batch[i];

			d->batch[i] = d->batch[j];
			d->batch[j] = t;
		}
	}
	if (d->flush_each) {
		for (i = 0; i < n; i++) {
			vfd_fill(d, d->batch[i].id, d->batch[i].len, 0);
			vfd_flush(d, 1);
		}
	} else {
		for (i = 0; i < n; i++)
			vfd_fill(d, d->batch[i].id, d->batch[i].len, i);
		vfd_flush(d, n);
	}
	return (int)n;
}

bool
vfd_kick_expected(struct vnet_fake_dev *d)
{
	uint16_t idx = DEV_LOAD_ACQ(&d->avail->idx);

	if (idx == d->last_avail_idx)
		return false;
	if (d->event_idx)
		return dev_need_event(DEV_LOAD(d->avail_event), idx, d->last_avail_idx);
	return !(DEV_LOAD(&d->used->flags) & VNET_VRING_USED_F_NO_NOTIFY);
}

bool
vfd_notify_enable(struct vnet_fake_dev *d)
{
	if (d->event_idx)
		DEV_STORE(d->avail_event, (uint16_t)(d->last_avail_idx + d->threshold));
	else
		DEV_STORE(&d->used->flags, 0);
	/* Our enable before the re-check of avail->idx, or we sleep through a kick-less add. */
	DEV_MB();
	return !vfd_kick_expected(d);
}

void
vfd_notify_disable(struct vnet_fake_dev *d)
{
	if (!d->event_idx)
		DEV_STORE(&d->used->flags, VNET_VRING_USED_F_NO_NOTIFY);
}

static void
avail_where(const struct vnet_fake_dev *d, char *buf, size_t size)
{
	snprintf(buf, size, "%u, driver at %u", d->last_avail_idx, DEV_LOAD(&d->avail->idx));
}

void
vfd_put_used_raw(struct vnet_fake_dev *d, uint32_t id, uint32_t len)
{
	vfd_fill(d, id, len, d->raw_pending);
	d->raw_pending++;
}

void
vfd_set_used_idx(struct vnet_fake_dev *d, uint16_t idx)
{
	d->used_idx = idx;
	d->raw_pending = 0;
	DEV_STORE_REL(&d->used->idx, idx);
}

/* ---- Test harness ---- */

static char ut_reason[512];

void
ut_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ut_reason[0] != '\0')
		return;
	va_start(ap, fmt);
	n = vsnprintf(ut_reason, sizeof(ut_reason), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(ut_reason))
		snprintf(ut_reason + n, sizeof(ut_reason) - (size_t)n, " (%s:%d)", file, line);
}

int
ut_run(const char *name, int (*fn)(void))
{
	double t0 = ut_now();
	int r;

	ut_reason[0] = '\0';
	r = fn();
	if (r == 0 && ut_reason[0] == '\0') {
		printf("PASS %s (%.2f s)\n", name, ut_now() - t0);
		fflush(stdout);
		return 0;
	}
	printf("FAIL %s: %s\n", name, ut_reason[0] != '\0' ? ut_reason : "failed");
	fflush(stdout);
	return 1;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(undefined_behavior_sanitizer)
#define UT_SANITIZED 1
#endif
#endif
#ifndef UT_SANITIZED
#define UT_SANITIZED 0
#endif

double
ut_scale(bool *sanitized)
{
	const char *s = getenv("VNET_UT_SCALE");

	if (sanitized != NULL)
		*sanitized = UT_SANITIZED;
	if (s != NULL && *s != '\0') {
		double v = strtod(s, NULL);

		if (v > 0)
			return v;
	}
	/* Measured: a full-scale ASan+UBSan run takes ~10 s here, so no reduction by default. */
	return 1.0;
}

double
ut_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
