/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * EAL-free packed virtqueue, driver side (virtio 1.2, 2.8 "Packed Virtqueues").
 *
 * Same conventions as the split core (vnet_ring.h): one struct vnet_packed per queue, owned
 * by one thread; the device is untrusted and a queue it corrupts becomes broken (the same
 * enum vnet_vring_error, vnet_vring_strerror()); ring memory and private memory come from
 * the caller; counters in struct vnet_vring_stats. Typical burst:
 *   for each buffer: vnet_packed_add1() / vnet_packed_add()
 *   vnet_packed_publish();
 *   if (vnet_packed_kick_prepare()) notify the device;
 *   n = vnet_packed_get_used(...);   reclaim completed buffers
 *
 * Ring model. Positions 0..num-1 (num need not be a power of two). The driver writes
 * descriptors in ring order; "linear" positions count descriptors modulo 2 * num, so that
 * (position, wrap counter) pairs compare: linear = pos + (wrap ? 0 : num) with both wrap
 * counters starting at 1 (2.8.1). The device writes one used descriptor per buffer (chain
 * or indirect) at its own used position and skips the buffer's other descriptors (2.8.6);
 * so the driver's used position always equals the sum of the descriptor counts of the
 * buffers completed, and (published linear - used linear) is the number of published
 * descriptors still owned by the device.
 *
 * Buffer ids: without VIRTIO_F_IN_ORDER a free list of ids 0..num-1 (private memory);
 * with it, the id of a buffer is the ring position of its first descriptor, so the oldest
 * buffer in flight is always the one at the used position and a batch completion ("In-order
 * use of descriptors", 2.8: one used descriptor for the last buffer of a batch, the skipped
 * buffers completely used) needs no extra bookkeeping. The id is written into every
 * descriptor of a chain (2.8.6 requires it in the last one).
 */

#ifndef VNET_PACKED_H
#define VNET_PACKED_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vnet_osdep.h"
#include "vnet_virtio_spec.h"
#include "vnet_ring.h"	/* enum vnet_vring_error, struct vnet_sg, struct vnet_vring_stats */

#ifdef __cplusplus
extern "C" {
#endif

/** Offsets of the three parts of a packed ring inside one memory area (2.8.10.1). */
struct vnet_packed_layout {
	size_t driver_off;	/**< driver event suppression area (queue_driver), from the start */
	size_t device_off;	/**< device event suppression area (queue_device), from the start */
	size_t size;		/**< total bytes to allocate (and zero) */
};

/** Per-buffer driver state, indexed by buffer id. Private (the device never sees it). */
struct vnet_packed_state {
	void *cookie;		/**< caller's buffer; NULL when the id is not in flight */
	uint32_t in_len;	/**< writable bytes posted: upper bound of used len */
	uint16_t ndescs;	/**< ring descriptors the buffer occupies */
	uint16_t next;		/**< free-id list link (not used with IN_ORDER) */
	uint64_t seq;		/**< add sequence number: published iff seq < pub_seq */
};

/** Driver-side packed virtqueue. Fields are read-only for callers. */
struct vnet_packed {
	/* Shared with the device. */
	struct vnet_pvirtq_desc *desc;
	struct vnet_pvirtq_event *driver_event;	/**< driver writes (used-buffer notifications) */
	struct vnet_pvirtq_event *device_event;	/**< device writes (available-buffer kicks) */

	/* Driver state. */
	uint16_t num;			/**< queue size, 1..32768 */
	uint16_t avail_pos;		/**< next descriptor to write (includes unpublished) */
	uint16_t avail_bits;		/**< AVAIL/USED bits for the lap of avail_pos */
	uint16_t used_pos;		/**< next used descriptor to read */
	uint16_t num_free;		/**< free descriptors */
	uint16_t free_id;		/**< head of the free-id list (not with IN_ORDER) */
	uint16_t head_pos;		/**< first head of the unpublished batch */
	uint16_t head_flags;		/**< its flags, written last by publish */
	uint16_t driver_flags;		/**< shadow of driver_event->flags */
	uint16_t batch_last;		/**< IN_ORDER: id ending the batch being returned */
	uint32_t batch_len;		/**< IN_ORDER: used len written for batch_last */
	bool batch_active;		/**< IN_ORDER: a batch is partly returned */
	bool avail_wrap;		/**< driver ring wrap counter (2.8.1) */
	bool used_wrap;			/**< wrap counter expected at used_pos */
	bool event_idx;			/**< VIRTIO_F_RING_EVENT_IDX negotiated */
	bool in_order;			/**< VIRTIO_F_IN_ORDER negotiated */
	uint8_t error;			/**< enum vnet_vring_error; non-zero = broken */
	uint32_t pub_lin;		/**< linear position published to the device */
	uint32_t kick_lin;		/**< pub_lin at the previous kick decision */
	uint32_t unkicked;		/**< descriptors published since the last kick decision */
	uint32_t min_len;		/**< smallest valid used len (e.g. RX net header) */
	uint64_t add_seq;		/**< buffers added (sequence number of the next one) */
	uint64_t pub_seq;		/**< buffers published */

	struct vnet_packed_state *state;	/**< [num], private */

	/* Optional indirect tables: indirect_max entries per buffer id. */
	struct vnet_pvirtq_desc *indirect;
	uint64_t indirect_iova;
	uint16_t indirect_max;

	struct vnet_vring_stats stats;
};

/**
 * Compute the packed-ring layout for @p num (1..32768, any value) entries: descriptor ring
 * at 0 (16 * num bytes, the area must be 16-byte aligned), driver event suppression area
 * right after it, device event suppression area after that (4 bytes each, 4-aligned).
 *
 * @return 0, or -EINVAL if num is out of range or @p l is NULL.
 */
int vnet_packed_layout(unsigned int num, struct vnet_packed_layout *l);

/** Bytes of private memory vnet_packed_init() needs for @p num entries (8-byte aligned). */
size_t vnet_packed_priv_size(unsigned int num);

/**
 * Lay out and reset a queue: zero the shared ring memory (@p ring_mem, layout.size bytes,
 * 16-byte aligned) and initialise the private state in @p priv_mem (vnet_packed_priv_size()
 * bytes, 8-byte aligned). Call before the device sees the ring, and again after a device
 * reset to reuse it. Clears any indirect-table registration and the broken state.
 *
 * @param event_idx VIRTIO_F_RING_EVENT_IDX was negotiated.
 * @param in_order VIRTIO_F_IN_ORDER was negotiated.
 * @return 0 or -EINVAL (bad size or alignment, NULL memory).
 */
int vnet_packed_init(struct vnet_packed *pr, unsigned int num, void *ring_mem, void *priv_mem,
		     bool event_idx, bool in_order);

/**
 * Give the queue memory for indirect tables: @p max entries for each of the num buffer ids
 * (num * max * 16 bytes, 16-byte aligned), at device address @p iova. Only valid when
 * VIRTIO_F_INDIRECT_DESC was negotiated.
 *
 * @return 0 or -EINVAL (max 0 or > 2048, NULL or misaligned memory).
 */
int vnet_packed_set_indirect(struct vnet_packed *pr, void *mem, uint64_t iova, unsigned int max);

/**
 * Add a buffer of @p out device-readable segments followed by @p in device-writable
 * segments, owned by @p cookie (non-NULL): a chain of out + in ring descriptors (NEXT), or
 * with @p indirect one ring descriptor pointing at an indirect table. Not visible to the
 * device until vnet_packed_publish().
 *
 * @return 0; -ENOSPC if too few descriptors are free; -EINVAL for an empty buffer, a zero
 *   length segment, a NULL cookie or sg, more segments than the ring (or indirect_max)
 *   holds, writable bytes above UINT32_MAX, or indirect without tables; -EIO if broken.
 */
int vnet_packed_add(struct vnet_packed *pr, const struct vnet_sg *sg, unsigned int out,
		    unsigned int in, void *cookie, bool indirect);

/**
 * Hand every buffer still owned by the device back through @p fn (once each, in no
 * particular order) and return the queue, shared ring memory included, to its
 * just-initialised state (re-register the ring with the device afterwards). Counters, the
 * broken state and the indirect registration are kept. Works on broken queues and on a
 * zeroed struct that was never laid out (returns 0). Call only after the device stopped
 * using the ring (reset or queue disabled).
 *
 * @return number of buffers reclaimed.
 */
unsigned int vnet_packed_detach_unused(struct vnet_packed *pr,
				       void (*fn)(void *cookie, void *arg), void *arg);

/**
 * Ask the device for no used-buffer notifications: driver event flags DISABLE (a packed
 * ring has a real off switch in both modes, so polling needs no keepalive).
 */
void vnet_packed_disable_cb(struct vnet_packed *pr);

/**
 * Ask for a used-buffer notification. With event-idx: flags DESC and off_wrap at the
 * descriptor @p n - 1 after the used position, so the device notifies once its used
 * position steps over it: after at most @p n completions (earlier when completed buffers
 * are chains, which move the used position by more than one). Without event-idx: flags
 * ENABLE (every completion may notify). Full barrier included.
 *
 * @return false if a used buffer is already pending (the caller must poll: no notification
 *   is guaranteed for it), true otherwise.
 */
bool vnet_packed_enable_cb(struct vnet_packed *pr, uint16_t n);

/** @internal Mark the queue broken (first error wins). Cold. */
void vnet_packed_set_broken(struct vnet_packed *pr, enum vnet_vring_error err);

/* ---- Hot path, inline ---- */

/** True once the device corrupted the queue; stays true until vnet_packed_init(). */
static inline bool
vnet_packed_broken(const struct vnet_packed *pr)
{
	return pr->error != VNET_VRING_OK;
}

/** Free descriptors (a buffer needs 1 with indirect, out + in without). */
static inline unsigned int
vnet_packed_free_count(const struct vnet_packed *pr)
{
	return pr->num_free;
}

/** Set the smallest used len the device may report (default 0), e.g. the RX net header. */
static inline void
vnet_packed_set_min_len(struct vnet_packed *pr, uint32_t min_len)
{
	pr->min_len = min_len;
}

/**
 * Id the next add will use. Valid only while vnet_packed_free_count() > 0; lets a caller
 * index per-id memory (bounce buffers, headers) before adding.
 */
static inline uint16_t
vnet_packed_next_id(const struct vnet_packed *pr)
{
	return pr->in_order ? pr->avail_pos : pr->free_id;
}

/**
 * Value for VIRTIO_F_NOTIFICATION_DATA: offset and wrap counter of the next descriptor not
 * yet made available (2.8: "next_off" / "next_wrap").
 */
static inline uint16_t
vnet_packed_notify_data(const struct vnet_packed *pr)
{
	uint16_t pos = (uint16_t)(pr->pub_lin >= pr->num ? pr->pub_lin - pr->num : pr->pub_lin);

	return (uint16_t)(pos | (pr->pub_lin < pr->num ? 1u << VNET_RING_EVENT_WRAP_SHIFT : 0));
}

/** @internal Both 16-bit event suppression fields in one load (may alias the struct). */
typedef uint32_t __attribute__((__may_alias__)) vnet_u32_alias;

/** @internal a - b modulo 2 * num, for a, b in [0, 2 * num). */
static inline uint32_t
vnet_packed_lin_sub(const struct vnet_packed *pr, uint32_t a, uint32_t b)
{
	return a >= b ? a - b : a + 2u * pr->num - b;
}

/** @internal Linear (mod 2 * num) position of the next descriptor to add. */
static inline uint32_t
vnet_packed_avail_lin(const struct vnet_packed *pr)
{
	return pr->avail_pos + (pr->avail_wrap ? 0u : pr->num);
}

/** @internal Linear (mod 2 * num) used position. */
static inline uint32_t
vnet_packed_used_lin(const struct vnet_packed *pr)
{
	return pr->used_pos + (pr->used_wrap ? 0u : pr->num);
}

/** @internal Step the add position by one descriptor, flipping the wrap counter at the end. */
static inline void
vnet_packed_avail_step(struct vnet_packed *pr)
{
	if (vnet_unlikely(++pr->avail_pos == pr->num)) {
		pr->avail_pos = 0;
		pr->avail_wrap = !pr->avail_wrap;
		pr->avail_bits = pr->avail_wrap ? VNET_PACKED_DESC_F_AVAIL :
			VNET_PACKED_DESC_F_USED;
	}
}

/*
 * Descriptor write: len, id and flags are adjacent (one 8-byte store, little-endian host).
 * The first head of an unpublished batch gets its flags later, from vnet_packed_publish().
 */
static inline void
vnet_pdesc_write(struct vnet_pvirtq_desc *d, uint64_t addr, uint32_t len, uint16_t id,
		 uint16_t flags, bool defer_flags)
{
	d->addr = addr;
	if (defer_flags) {
		d->len = len;
		d->id = id;
	} else {
		uint64_t w = (uint64_t)len | ((uint64_t)id << 32) | ((uint64_t)flags << 48);

		memcpy(&d->len, &w, sizeof(w));
	}
}

/** @internal Take an id for a new buffer (free_count already checked). */
static inline uint16_t
vnet_packed_take_id(struct vnet_packed *pr)
{
	uint16_t id;

	if (pr->in_order)
		return pr->avail_pos;
	id = pr->free_id;
	pr->free_id = pr->state[id].next;
	return id;
}

/** @internal Record a new buffer's state. */
static inline void
vnet_packed_state_set(struct vnet_packed *pr, uint16_t id, void *cookie, uint32_t in_len,
		      uint16_t ndescs)
{
	struct vnet_packed_state *st = &pr->state[id];

	st->cookie = cookie;
	st->in_len = in_len;
	st->ndescs = ndescs;
	st->seq = pr->add_seq++;
}

/**
 * @internal Add one ring descriptor as a whole buffer: @p flags (WRITE, INDIRECT) get the
 * lap's AVAIL/USED bits; @p in_len is its writable length.
 */
static inline int
vnet_packed_put1(struct vnet_packed *pr, uint64_t addr, uint32_t len, uint16_t flags,
		 uint32_t in_len, void *cookie)
{
	uint16_t id, pos;
	bool first;

	if (vnet_unlikely(pr->error != VNET_VRING_OK))
		return -EIO;
	if (vnet_unlikely(pr->num_free == 0))
		return -ENOSPC;
	if (vnet_unlikely(cookie == NULL || len == 0))
		return -EINVAL;

	id = vnet_packed_take_id(pr);
	pos = pr->avail_pos;
	flags = (uint16_t)(pr->avail_bits | flags);
	first = pr->add_seq == pr->pub_seq;
	if (first) {
		pr->head_pos = pos;
		pr->head_flags = flags;
	}
	vnet_pdesc_write(&pr->desc[pos], addr, len, id, flags, first);
	vnet_packed_state_set(pr, id, cookie, in_len, 1);
	pr->num_free--;
	vnet_packed_avail_step(pr);
	return 0;
}

/**
 * Add a single-descriptor buffer (the common case). Same rules as vnet_packed_add(),
 * without the segment array.
 */
static inline int
vnet_packed_add1(struct vnet_packed *pr, uint64_t addr, uint32_t len, bool writable,
		 void *cookie)
{
	return vnet_packed_put1(pr, addr, len, writable ? VNET_VRING_DESC_F_WRITE : 0,
				writable ? len : 0, cookie);
}

/**
 * Make every buffer added so far visible to the device. The descriptors of the batch were
 * written by the adds, except the flags of its first head: a release store of those comes
 * last, so the device, which reads the ring in order, can see no part of the batch before
 * all of it is written ("Supplying Buffers to The Device", 2.8: the driver defers updating
 * the flags of the first descriptor of a batch).
 */
static inline void
vnet_packed_publish(struct vnet_packed *pr)
{
	uint32_t lin;

	if (pr->add_seq == pr->pub_seq)
		return;
	VNET_STORE_REL(&pr->desc[pr->head_pos].flags, pr->head_flags);
	lin = vnet_packed_avail_lin(pr);
	pr->unkicked += vnet_packed_lin_sub(pr, lin, pr->pub_lin);
	pr->pub_lin = lin;
	pr->pub_seq = pr->add_seq;
}

/**
 * Decide whether the device must be notified about the descriptors published since the
 * previous decision; call after vnet_packed_publish(), at most once per burst, and notify
 * when it returns true. Reads the device event suppression area once (one 32-bit load of
 * off_wrap and flags): DISABLE → no kick; DESC with event-idx → kick iff the descriptor at
 * (off, wrap) was made available since the last decision (the packed form of the split
 * ring's need_event, modulo 2 * num); ENABLE, or anything else → kick. A full barrier
 * separates the flag stores of publish from that load (2.8, "Sending Available Buffer
 * Notifications": without it a kick can be lost while the device goes to sleep).
 */
static inline bool
vnet_packed_kick_prepare(struct vnet_packed *pr)
{
	uint32_t new_lin = pr->pub_lin, added = pr->unkicked, ev;
	uint16_t flags, off_wrap;
	bool kick;

	if (added == 0 || vnet_unlikely(pr->error != VNET_VRING_OK))
		return false;
	pr->kick_lin = new_lin;
	pr->unkicked = 0;

	VNET_MB();
	ev = VNET_LOAD_RLX((const vnet_u32_alias *)(const void *)pr->device_event);
	off_wrap = (uint16_t)ev;
	flags = (uint16_t)((ev >> 16) & VNET_RING_EVENT_FLAGS_MASK);
	if (flags == VNET_RING_EVENT_FLAGS_DISABLE) {
		kick = false;
	} else if (flags == VNET_RING_EVENT_FLAGS_DESC && pr->event_idx) {
		uint32_t off = off_wrap & VNET_RING_EVENT_OFF_MASK, ev_lin, d, room;

		if (vnet_unlikely(off >= pr->num || added >= 2u * pr->num)) {
			kick = true;	/* nonsense offset, or too far to compare: be safe */
		} else {
			ev_lin = off + ((off_wrap >> VNET_RING_EVENT_WRAP_SHIFT) ? 0u : pr->num);
			/*
			 * The spec's rule kicks iff ev_lin is in [old, new). An event ahead of
			 * new waits for descriptors not published yet: no kick. An event
			 * behind old is stale: the device asked for it before it consumed
			 * what was published since, and may be asleep on descriptors no later
			 * decision would cover: kick. QEMU writes off_wrap when it enables
			 * notifications and leaves it there while it pops (virtio-net's
			 * tx_complete pops up to tx_burst - 1 descriptors after enabling), so
			 * stale events are real. Modulo 2 * num, an event up to a lap behind
			 * the device reads as ahead of new once the ring is nearly full (the
			 * kick-bench stall: a full TX ring, off_wrap 254 behind QEMU, read as
			 * new + 2). So only an event in [new, used + num] (a full ring: new
			 * itself) holds the kick back: no later publish can reach one further
			 * ahead before the device returns buffers. A device that asked further
			 * ahead than that costs a spurious kick; a stale event missed, a stall.
			 */
			d = vnet_packed_lin_sub(pr, ev_lin, new_lin);
			room = pr->num - vnet_packed_lin_sub(pr, new_lin, vnet_packed_used_lin(pr));
			kick = d >= pr->num || d > room;
		}
	} else {
		kick = true;
	}
	if (kick)
		pr->stats.kicks++;
	else
		pr->stats.kicks_suppressed++;
	return kick;
}

/**
 * The device was notified outside vnet_packed_kick_prepare() (e.g. by a safety net):
 * restart the count of unkicked descriptors. The next decision still compares against the
 * position of the last decision, which can add a kick but never lose one.
 */
static inline void
vnet_packed_note_external_kick(struct vnet_packed *pr)
{
	pr->unkicked = 0;
}

/*
 * Read and validate the used descriptor at used_pos. Returns 1 (id, len valid), 0 (none
 * yet) or -1 (queue now broken).
 *
 * Every linear position in [used, published) was written by the driver in its current lap,
 * as available: AVAIL = the lap's wrap counter, USED = its inverse; the device may only have
 * overwritten it with a used descriptor of the same lap (AVAIL = USED = wrap). Any other
 * AVAIL bit there is a corruption. With nothing published in flight the position holds a
 * stale descriptor of the previous lap, which must not look used in this one (2.8.1).
 */
static inline int
vnet_packed_read_used(struct vnet_packed *pr, uint16_t *idp, uint32_t *lenp)
{
	const struct vnet_pvirtq_desc *d = &pr->desc[pr->used_pos];
	const uint16_t want = pr->used_wrap ?
		(uint16_t)(VNET_PACKED_DESC_F_AVAIL | VNET_PACKED_DESC_F_USED) : 0;
	uint16_t flags = VNET_LOAD_ACQ(&d->flags), bits, id;
	bool pending = pr->pub_lin != vnet_packed_used_lin(pr);
	const struct vnet_packed_state *st;
	uint32_t len;

	bits = flags & (VNET_PACKED_DESC_F_AVAIL | VNET_PACKED_DESC_F_USED);
	if (bits != want) {
		if (pending &&
		    (bits & VNET_PACKED_DESC_F_AVAIL) != (want & VNET_PACKED_DESC_F_AVAIL)) {
			vnet_packed_set_broken(pr, VNET_VRING_ERR_WRAP);
			return -1;
		}
		return 0;
	}
	if (vnet_unlikely(!pending)) {
		vnet_packed_set_broken(pr, VNET_VRING_ERR_NOT_AVAIL);
		return -1;
	}
	id = VNET_LOAD_RLX(&d->id);
	len = VNET_LOAD_RLX(&d->len);
	if (vnet_unlikely(id >= pr->num)) {
		vnet_packed_set_broken(pr, VNET_VRING_ERR_ID_RANGE);
		return -1;
	}
	st = &pr->state[id];
	if (vnet_unlikely(st->cookie == NULL || st->seq >= pr->pub_seq)) {
		vnet_packed_set_broken(pr, pr->in_order ? VNET_VRING_ERR_IN_ORDER :
				       VNET_VRING_ERR_NOT_INFLIGHT);
		return -1;
	}
	/* 2.8.4: len is reserved without WRITE; QEMU never sets WRITE, so trust len when
	 * something writable was posted, and ignore it for device-readable buffers.
	 */
	if (!(flags & VNET_VRING_DESC_F_WRITE) && st->in_len == 0)
		len = 0;
	if (vnet_unlikely(len > st->in_len)) {
		vnet_packed_set_broken(pr, VNET_VRING_ERR_LEN);
		return -1;
	}
	*idp = id;
	*lenp = len;
	return 1;
}

/*
 * @internal The common case of vnet_packed_get_used(): up to @p n single-descriptor buffers
 * used at consecutive positions before the end of the ring, no in-order batch being
 * returned. The checks of vnet_packed_read_used() and vnet_packed_get_used() fold into one
 * branch per descriptor, and the published-but-unused count bounds the loop once instead of
 * being recomputed per descriptor. Stops at the first descriptor that is not used yet
 * (*idle set: nothing more to collect), and before one that needs more than this loop does
 * (a chain, an in-order batch completion, the ring's end) or fails a check: the general
 * loop then takes that one, and reports a bad one exactly.
 */
static inline unsigned int
vnet_packed_get_used_run(struct vnet_packed *pr, void **cookies, uint32_t *lens,
			 unsigned int n, bool *idle)
{
	const uint16_t want = pr->used_wrap ?
		(uint16_t)(VNET_PACKED_DESC_F_AVAIL | VNET_PACKED_DESC_F_USED) : 0;
	const uint16_t pos = pr->used_pos, num = pr->num;
	const uint32_t min_len = pr->min_len;
	const uint64_t pub_seq = pr->pub_seq;
	const bool in_order = pr->in_order;
	unsigned int pending = vnet_packed_lin_sub(pr, pr->pub_lin, vnet_packed_used_lin(pr));
	uint16_t free_id = pr->free_id;
	unsigned int i;

	if (n > pending)
		n = pending;
	if (n > (unsigned int)(num - pos))
		n = num - pos;
	for (i = 0; i < n; i++) {
		const struct vnet_pvirtq_desc *d = &pr->desc[pos + i];
		uint16_t flags = VNET_LOAD_ACQ(&d->flags), id;
		struct vnet_packed_state *st;
		uint32_t len;

		if ((flags & (VNET_PACKED_DESC_F_AVAIL | VNET_PACKED_DESC_F_USED)) != want) {
			/* Not used yet, unless the AVAIL bit is wrong too (the general loop breaks
			 * the queue for that).
			 */
			*idle = ((flags ^ want) & VNET_PACKED_DESC_F_AVAIL) == 0;
			break;
		}
		id = VNET_LOAD_RLX(&d->id);
		len = VNET_LOAD_RLX(&d->len);
		if (vnet_unlikely(id >= num))
			break;
		st = &pr->state[id];
		if (!(flags & VNET_VRING_DESC_F_WRITE) && st->in_len == 0)
			len = 0;	/* as in vnet_packed_read_used() */
		if (vnet_unlikely((st->cookie == NULL) | (st->seq >= pub_seq) |
				  (st->ndescs != 1) | (len > st->in_len) | (len < min_len) |
				  (in_order & (id != pos + i))))
			break;
		cookies[i] = st->cookie;
		if (lens != NULL)
			lens[i] = len;
		st->cookie = NULL;
		if (!in_order) {
			st->next = free_id;
			free_id = id;
		}
	}
	pr->free_id = free_id;
	pr->num_free = (uint16_t)(pr->num_free + i);
	if (pos + i == num) {
		pr->used_pos = 0;
		pr->used_wrap = !pr->used_wrap;
	} else {
		pr->used_pos = (uint16_t)(pos + i);
	}
	return i;
}

/**
 * Collect up to @p n used buffers: their cookies into @p cookies and the used lengths into
 * @p lens (may be NULL). Each used descriptor is validated (wrap/flags consistent, id in
 * range, in flight and published, len <= writable bytes posted, len >= min_len); on the
 * first bad one the queue becomes broken, the buffers before it are still returned, nothing
 * after; buffers not returned stay owned by the queue until vnet_packed_detach_unused().
 * With IN_ORDER a used descriptor completes every older buffer too (they get their full
 * writable length as len, 2.8 "In-order use of descriptors"); a batch larger than @p n is
 * returned over several calls.
 *
 * @return number of buffers returned (0 when none or broken).
 */
static inline unsigned int
vnet_packed_get_used(struct vnet_packed *pr, void **cookies, uint32_t *lens, unsigned int n)
{
	unsigned int i = 0;

	if (vnet_unlikely(pr->error != VNET_VRING_OK))
		return 0;
	while (i < n) {
		struct vnet_packed_state *st;
		unsigned int pos;
		uint16_t id;
		uint32_t len;

		if (!pr->batch_active) {
			bool idle = false;
			unsigned int k = vnet_packed_get_used_run(pr, cookies + i,
								  lens != NULL ? lens + i : NULL,
								  n - i, &idle);

			i += k;
			if (i == n || idle)
				break;
			if (k > 0)
				continue;	/* stopped at the ring's end or before a bad one */
		}
		if (pr->batch_active) {
			id = pr->used_pos;
			if (id == pr->batch_last) {
				len = pr->batch_len;
				pr->batch_active = false;
			} else {
				len = pr->state[id].in_len;
			}
		} else {
			if (vnet_packed_read_used(pr, &id, &len) <= 0)
				break;
			if (pr->in_order && id != pr->used_pos) {
				/* One used descriptor for a batch ending at id. */
				pr->batch_active = true;
				pr->batch_last = id;
				pr->batch_len = len;
				id = pr->used_pos;
				len = pr->state[id].in_len;
			}
		}
		st = &pr->state[id];
		if (vnet_unlikely(st->cookie == NULL)) {
			/* IN_ORDER only: the oldest buffer must be in flight. Defensive. */
			vnet_packed_set_broken(pr, VNET_VRING_ERR_IN_ORDER);
			break;
		}
		if (vnet_unlikely(len < pr->min_len)) {
			vnet_packed_set_broken(pr, VNET_VRING_ERR_SHORT);
			break;
		}
		cookies[i] = st->cookie;
		if (lens != NULL)
			lens[i] = len;
		st->cookie = NULL;
		if (!pr->in_order) {
			st->next = pr->free_id;
			pr->free_id = id;
		}
		pr->num_free = (uint16_t)(pr->num_free + st->ndescs);
		pos = (unsigned int)pr->used_pos + st->ndescs;
		if (pos >= pr->num) {
			pos -= pr->num;
			pr->used_wrap = !pr->used_wrap;
		}
		pr->used_pos = (uint16_t)pos;
		i++;
	}
	return i;
}

/**
 * Add a device-readable two-entry indirect buffer in one ring slot, from a caller-owned
 * table of num pairs of packed-format descriptors (@p pairs, device address @p pairs_iova):
 * entry 0 of the id's pair, which the caller keeps constant (e.g. a shared virtio-net
 * header), then (@p addr, @p len) written here. Indirect tables of a packed ring are read
 * in sequence, without NEXT (2.8.19). The counterpart of vnet_vring_add_ind2(); same rules
 * as vnet_packed_add() (the device must have VIRTIO_F_INDIRECT_DESC).
 */
static inline int
vnet_packed_add_ind2(struct vnet_packed *pr, struct vnet_pvirtq_desc *pairs,
		     uint64_t pairs_iova, uint64_t addr, uint32_t len, void *cookie)
{
	uint16_t id;

	if (vnet_unlikely(pr->num_free == 0 || pr->error != VNET_VRING_OK))
		return pr->error != VNET_VRING_OK ? -EIO : -ENOSPC;
	id = vnet_packed_next_id(pr);
	vnet_pdesc_write(&pairs[2 * (size_t)id + 1], addr, len, 0, 0, false);
	return vnet_packed_put1(pr, pairs_iova + (uint64_t)id * 2 * sizeof(*pairs),
				2 * sizeof(*pairs), VNET_VRING_DESC_F_INDIRECT, 0, cookie);
}

/**
 * Where a new device should resume after the previous one vanished without saying where it
 * stopped (a vhost-user backend restart): the first position at or after the driver's used
 * position that does not hold a used descriptor of its lap, as the value for
 * SET_VRING_BASE (offset, wrap counter in bit 15). Everything before it was completed (the
 * driver still collects it); the buffers from there on are processed again — exact for a
 * device that completes in order (buffers it took but did not complete are redone), while
 * one that completed out of order may have overwritten a buffer it never completed.
 * Call from any thread while the lcore polls: it only reads the ring.
 */
static inline uint16_t
vnet_packed_resume_base(const struct vnet_packed *pr)
{
	uint32_t used = vnet_packed_used_lin(pr), pub = pr->pub_lin;
	uint32_t n = vnet_packed_lin_sub(pr, pub, used), i, lin = used;

	/* A used descriptor stands for its whole buffer: the device skipped the rest (2.8.6). */
	for (i = 0; i < n;) {
		uint16_t pos = (uint16_t)(lin >= pr->num ? lin - pr->num : lin);
		uint16_t want = lin < pr->num ?
				(uint16_t)(VNET_PACKED_DESC_F_AVAIL | VNET_PACKED_DESC_F_USED) : 0;
		uint16_t bits = VNET_LOAD_ACQ(&pr->desc[pos].flags) &
				(VNET_PACKED_DESC_F_AVAIL | VNET_PACKED_DESC_F_USED);
		uint16_t id = VNET_LOAD_RLX(&pr->desc[pos].id), step = 1;

		if (bits != want)
			break;
		if (id < pr->num && pr->state[id].ndescs > 0) {
			/* In order: one used descriptor may end a batch at buffer id (= position). */
			step = pr->state[id].ndescs;
			if (pr->in_order)
				step = (uint16_t)(step + (id >= pos ? id - pos : id + pr->num - pos));
		}
		i += step;
		lin += step;
		if (lin >= 2u * pr->num)
			lin -= 2u * pr->num;
	}
	return (uint16_t)((lin >= pr->num ? lin - pr->num : lin) |
			  (lin < pr->num ? 1u << VNET_RING_EVENT_WRAP_SHIFT : 0));
}

#ifdef __cplusplus
}
#endif

#endif /* VNET_PACKED_H */
