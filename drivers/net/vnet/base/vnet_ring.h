/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * EAL-free split virtqueue, driver side (virtio 1.x, 2.7).
 *
 * One struct vnet_vring per queue, owned by one thread (the lcore polling the queue); none
 * of these functions is thread-safe against another caller on the same queue. The other
 * side (the device) runs concurrently and is untrusted: everything it writes is validated
 * before use, and a queue it corrupts becomes *broken* (see vnet_vring_error()).
 *
 * Typical burst:
 *   for each buffer: vnet_vring_add1() / vnet_vring_add()
 *   vnet_vring_publish();
 *   if (vnet_vring_kick_prepare()) notify the device;
 *   n = vnet_vring_get_used(...);   reclaim completed buffers
 *
 * Memory: the ring itself lives in caller-provided memory shared with the device
 * (vnet_vring_layout() gives its size and offsets); per-descriptor driver state lives in
 * caller-provided private memory (vnet_vring_priv_size()). The core never allocates.
 */

#ifndef VNET_RING_H
#define VNET_RING_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vnet_osdep.h"
#include "vnet_virtio_spec.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Why a queue became broken. Zero means healthy. */
enum vnet_vring_error {
	VNET_VRING_OK = 0,
	VNET_VRING_ERR_USED_IDX,	/**< used idx moved past what was published */
	VNET_VRING_ERR_ID_RANGE,	/**< used id >= queue size */
	VNET_VRING_ERR_NOT_INFLIGHT,	/**< used id is not the head of an in-flight chain */
	VNET_VRING_ERR_LEN,		/**< used len larger than the writable bytes posted */
	VNET_VRING_ERR_SHORT,		/**< used len below the queue's min_len */
	VNET_VRING_ERR_NUM_BUFFERS,	/**< RX num_buffers above the ring size (caller) */
	VNET_VRING_ERR_WRAP,		/**< packed: AVAIL/USED bits of the next descriptor
					 *   inconsistent with the wrap counter */
	VNET_VRING_ERR_NOT_AVAIL,	/**< packed: used descriptor where nothing was published */
	VNET_VRING_ERR_IN_ORDER,	/**< packed, IN_ORDER: used id is not an in-flight buffer
					 *   in posting order (completed twice or out of order) */
};

/** A buffer segment for vnet_vring_add(): device address and length. */
struct vnet_sg {
	uint64_t addr;	/**< IOVA the device uses */
	uint32_t len;	/**< bytes, > 0 */
};

/**
 * Check a buffer's segments for vnet_vring_add() / vnet_packed_add(): no zero length, and
 * the @p in writable segments after the @p out readable ones sum to at most UINT32_MAX,
 * stored in @p in_len. @return 0 or -EINVAL.
 */
static inline int
vnet_sg_in_len(const struct vnet_sg *sg, unsigned int out, unsigned int in, uint32_t *in_len)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < out + in; i++) {
		if (sg[i].len == 0)
			return -EINVAL;
		if (i >= out)
			sum += sg[i].len;
	}
	if (sum > UINT32_MAX)
		return -EINVAL;
	*in_len = (uint32_t)sum;
	return 0;
}

/** Offsets of the three parts of a split ring inside one memory area. */
struct vnet_vring_layout {
	size_t avail_off;	/**< driver area (avail ring), from the start */
	size_t used_off;	/**< device area (used ring), from the start */
	size_t size;		/**< total bytes to allocate (and zero) */
};

/** Per-chain driver state, indexed by head descriptor id. Private (device never sees it). */
struct vnet_vring_state {
	void *cookie;		/**< caller's buffer; NULL when the head is not in flight */
	uint32_t in_len;	/**< writable bytes posted: upper bound of used len */
	uint16_t ndescs;	/**< descriptors the chain occupies in the main table */
	uint16_t last;		/**< last descriptor of the chain (for the free list) */
};

static_assert(offsetof(struct vnet_vring_state, in_len) == sizeof(void *) &&
	      offsetof(struct vnet_vring_state, ndescs) == sizeof(void *) + 4 &&
	      offsetof(struct vnet_vring_state, last) == sizeof(void *) + 6,
	      "vnet_state_write() packs in_len, ndescs, last into one 8-byte store");

/** Counters kept by the core; the caller exports them (xstats). */
struct vnet_vring_stats {
	uint64_t kicks;			/**< decisions that asked to notify the device */
	uint64_t kicks_suppressed;	/**< decisions where the device did not want a kick */
	uint64_t broken;		/**< 1 once the queue is broken (until re-init) */
};

/** Driver-side split virtqueue. Fields are read-only for callers. */
struct vnet_vring {
	/* Shared with the device. */
	struct vnet_vring_desc *desc;
	struct vnet_vring_avail *avail;
	struct vnet_vring_used *used;
	uint16_t *used_event;		/**< driver writes: avail->ring[num] */
	uint16_t *avail_event;		/**< device writes: used->ring[num] */

	/* Driver state. Indices are free-running u16 counters. */
	uint16_t num;			/**< queue size, a power of two */
	uint16_t mask;			/**< num - 1 */
	uint16_t avail_idx;		/**< next avail idx (includes unpublished adds) */
	uint16_t avail_pub;		/**< avail idx last published to the device */
	uint16_t kick_idx;		/**< avail idx at the previous kick decision */
	uint16_t last_used_idx;		/**< next used entry to consume */
	uint16_t num_free;		/**< free descriptors in the main table */
	uint16_t free_head;		/**< first free descriptor */
	uint16_t avail_flags;		/**< shadow of avail->flags */
	bool event_idx;			/**< VIRTIO_F_EVENT_IDX negotiated */
	bool cb_armed;			/**< vnet_vring_enable_cb() since the last disable */
	uint8_t error;			/**< enum vnet_vring_error; non-zero = broken */
	uint32_t unkicked;		/**< buffers published since the last kick decision */
	uint32_t min_len;		/**< smallest valid used len (e.g. RX net header) */

	struct vnet_vring_state *state;	/**< [num], private */
	uint16_t *next;			/**< [num], private chain / free-list links */

	/* Optional indirect tables: indirect_max entries per head id. */
	struct vnet_vring_desc *indirect;
	uint64_t indirect_iova;
	uint16_t indirect_max;

	struct vnet_vring_stats stats;
};

/**
 * Compute the split-ring layout for @p num entries: descriptor table at 0, avail ring
 * right after it, used ring at the next multiple of @p align. Modern devices need
 * align >= 4; legacy devices use VNET_VRING_LEGACY_ALIGN.
 *
 * @return 0, or -EINVAL if num is not a power of two in [1, 32768] or align is not a
 *   power of two >= 4.
 */
int vnet_vring_layout(unsigned int num, unsigned long align, struct vnet_vring_layout *l);

/** Bytes of private memory vnet_vring_init() needs for @p num entries (8-byte aligned). */
size_t vnet_vring_priv_size(unsigned int num);

/**
 * Lay out and reset a queue. Zeroes the shared ring memory (@p ring_mem, at least
 * layout.size bytes, 16-byte aligned) and initialises the private state in @p priv_mem
 * (vnet_vring_priv_size() bytes, 8-byte aligned). Call before the device sees the ring,
 * and again (after a device reset) to reuse it. Clears any indirect-table registration:
 * call vnet_vring_set_indirect() again after it.
 *
 * @param event_idx whether VIRTIO_F_EVENT_IDX was negotiated.
 * @return 0 or -EINVAL (bad size or alignment, NULL memory).
 */
int vnet_vring_init(struct vnet_vring *vr, unsigned int num, unsigned long align,
		    void *ring_mem, void *priv_mem, bool event_idx);

/**
 * Give the queue memory for indirect descriptor tables: @p max entries for each of the
 * queue's num head ids (num * max * 16 bytes, 16-byte aligned), at device address
 * @p iova. Only valid when VIRTIO_F_INDIRECT_DESC was negotiated.
 *
 * @return 0 or -EINVAL (max 0 or > 32768 / 16, NULL memory).
 */
int vnet_vring_set_indirect(struct vnet_vring *vr, void *mem, uint64_t iova, unsigned int max);

/**
 * Add a chain of @p out device-readable segments followed by @p in device-writable
 * segments, owned by @p cookie (non-NULL), to the avail ring (not yet published).
 *
 * @param indirect use one main-table descriptor pointing at an indirect table
 *   (vnet_vring_set_indirect() must have been called).
 * @return 0; -ENOSPC if the table has too few free descriptors; -EINVAL for an empty
 *   chain, a zero-length segment, a NULL cookie, more segments than allowed, or indirect
 *   without tables; -EIO if the queue is broken.
 */
int vnet_vring_add(struct vnet_vring *vr, const struct vnet_sg *sg, unsigned int out,
		   unsigned int in, void *cookie, bool indirect);

/**
 * Hand every buffer still owned by the device back to the caller through @p fn (once
 * each, in no particular order) and return the queue, shared ring memory included, to its
 * just-initialised state (indices reset: re-register the ring with the device after
 * this). Counters and a broken state are kept. Works on broken queues, and on a zeroed
 * struct vnet_vring that was never laid out (returns 0). Call only after the device stopped
 * using the ring (reset or queue disabled).
 *
 * @return number of buffers reclaimed.
 */
unsigned int vnet_vring_detach_unused(struct vnet_vring *vr, void (*fn)(void *cookie, void *arg),
				      void *arg);

/**
 * Set the smallest used len the device may report on this queue (default 0). An RX queue
 * sets the virtio-net header size: a completion shorter than the header is a device bug.
 */
static inline void
vnet_vring_set_min_len(struct vnet_vring *vr, uint32_t min_len)
{
	vr->min_len = min_len;
}

/** Human-readable description of a vnet_vring_error value. */
const char *vnet_vring_strerror(int error);

/**
 * Ask the device for no used-buffer notifications (polling mode): NO_INTERRUPT flag,
 * or with event-idx a used_event left behind the used index so the device never steps
 * over it. A polling caller should call vnet_vring_poll_cb_keepalive() now and then.
 */
void vnet_vring_disable_cb(struct vnet_vring *vr);

/**
 * Ask for a notification once @p n (>= 1) more buffers are used. With event-idx this sets
 * used_event = last_used + n - 1; without, it clears NO_INTERRUPT (a hint: the device may
 * notify for every buffer). Full barrier included.
 *
 * @return false if at least @p n buffers are already used (no notification will come
 *   for them: the caller must poll), true otherwise.
 */
bool vnet_vring_enable_cb(struct vnet_vring *vr, uint16_t n);

/* ---- Hot path, inline ---- */

/** True once the device corrupted the queue; stays true until vnet_vring_init(). */
static inline bool
vnet_vring_broken(const struct vnet_vring *vr)
{
	return vr->error != VNET_VRING_OK;
}

/** Descriptors free in the main table. */
static inline unsigned int
vnet_vring_free_count(const struct vnet_vring *vr)
{
	return vr->num_free;
}

/*
 * Descriptor and per-chain state writes as two 8-byte stores each: len, flags and next
 * (and in_len, ndescs, last) are adjacent, and the host is little-endian (vnet_osdep.h).
 * Fewer stores drain faster at the kick decision's full barrier.
 */
static inline void
vnet_desc_write(struct vnet_vring_desc *d, uint64_t addr, uint32_t len, uint16_t flags,
		uint16_t next)
{
	uint64_t w = (uint64_t)len | ((uint64_t)flags << 32) | ((uint64_t)next << 48);

	d->addr = addr;
	memcpy(&d->len, &w, sizeof(w));
}

static inline void
vnet_state_write(struct vnet_vring_state *st, void *cookie, uint32_t in_len, uint16_t ndescs,
		 uint16_t last)
{
	uint64_t w = (uint64_t)in_len | ((uint64_t)ndescs << 32) | ((uint64_t)last << 48);

	st->cookie = cookie;
	memcpy(&st->in_len, &w, sizeof(w));
}

/**
 * Id the next single-descriptor add will use (its head descriptor). Valid only while
 * vnet_vring_free_count() > 0; lets a caller index per-descriptor memory (e.g. bounce
 * buffers) before adding.
 */
static inline uint16_t
vnet_vring_next_id(const struct vnet_vring *vr)
{
	return vr->free_head;
}

/**
 * @internal The checks of a one-slot add and the free descriptor it takes.
 * @return the descriptor id, or -EIO (broken), -ENOSPC (full), -EINVAL (no cookie, len 0).
 */
static inline int
vnet_vring_take1(struct vnet_vring *vr, const void *cookie, uint32_t len)
{
	uint16_t id;

	if (vnet_unlikely(vr->error != VNET_VRING_OK))
		return -EIO;
	if (vnet_unlikely(vr->num_free == 0))
		return -ENOSPC;
	if (vnet_unlikely(cookie == NULL || len == 0))
		return -EINVAL;
	id = vr->free_head;
	vr->free_head = vr->next[id];
	vr->num_free--;
	return id;
}

/** @internal Put chain @p head in the next avail ring slot (published later). */
static inline void
vnet_vring_avail_put(struct vnet_vring *vr, uint16_t head)
{
	vr->avail->ring[vr->avail_idx & vr->mask] = head;
	vr->avail_idx++;
}

/**
 * Add a single-descriptor buffer (the common case). Same rules as vnet_vring_add(),
 * without the segment array.
 */
static inline int
vnet_vring_add1(struct vnet_vring *vr, uint64_t addr, uint32_t len, bool writable, void *cookie)
{
	int id = vnet_vring_take1(vr, cookie, len);

	if (vnet_unlikely(id < 0))
		return id;
	vnet_desc_write(&vr->desc[id], addr, len, writable ? VNET_VRING_DESC_F_WRITE : 0, 0);
	vnet_state_write(&vr->state[id], cookie, writable ? len : 0, 1, (uint16_t)id);
	vnet_vring_avail_put(vr, (uint16_t)id);
	return 0;
}

/**
 * Add a device-readable two-descriptor chain: a header buffer (e.g. a shared, constant
 * virtio-net header) then a data buffer. Same rules as vnet_vring_add(); cheaper than it
 * and than writing a header in front of the data (no extra cache line per buffer).
 */
static inline int
vnet_vring_add2(struct vnet_vring *vr, uint64_t hdr_addr, uint32_t hdr_len, uint64_t addr,
		uint32_t len, void *cookie)
{
	uint16_t head, id;

	if (vnet_unlikely(vr->error != VNET_VRING_OK))
		return -EIO;
	if (vnet_unlikely(vr->num_free < 2))
		return -ENOSPC;
	if (vnet_unlikely(cookie == NULL || len == 0 || hdr_len == 0))
		return -EINVAL;

	head = vr->free_head;
	id = vr->next[head];
	vr->free_head = vr->next[id];
	vr->num_free = (uint16_t)(vr->num_free - 2);

	vnet_desc_write(&vr->desc[head], hdr_addr, hdr_len, VNET_VRING_DESC_F_NEXT, id);
	vnet_desc_write(&vr->desc[id], addr, len, 0, 0);
	vnet_state_write(&vr->state[head], cookie, 0, 2, id);
	vnet_vring_avail_put(vr, head);
	return 0;
}

/**
 * Add a device-readable two-entry indirect chain in one ring slot, from a caller-owned
 * table of num pairs of descriptors (@p pairs, device address @p pairs_iova): entry 0 of the
 * slot's pair, which the caller keeps constant (e.g. a shared virtio-net header with
 * VNET_VRING_DESC_F_NEXT to entry 1), then (@p addr, @p len). Only entry 1 and the ring
 * descriptor are written, and pairs are 32 bytes apart: a queue of N entries holds N such
 * buffers for about the cache traffic of a two-descriptor chain. Same rules as
 * vnet_vring_add() (the device must have VIRTIO_F_INDIRECT_DESC).
 */
static inline int
vnet_vring_add_ind2(struct vnet_vring *vr, struct vnet_vring_desc *pairs, uint64_t pairs_iova,
		    uint64_t addr, uint32_t len, void *cookie)
{
	int id = vnet_vring_take1(vr, cookie, len);

	if (vnet_unlikely(id < 0))
		return id;
	vnet_desc_write(&pairs[2 * (size_t)id + 1], addr, len, 0, 0);
	vnet_desc_write(&vr->desc[id], pairs_iova + (uint64_t)id * 2 * sizeof(*pairs),
			2 * sizeof(*pairs), VNET_VRING_DESC_F_INDIRECT, 0);
	vnet_state_write(&vr->state[id], cookie, 0, 1, (uint16_t)id);
	vnet_vring_avail_put(vr, (uint16_t)id);
	return 0;
}

/**
 * Make every buffer added so far visible to the device: a release store of avail->idx,
 * so the descriptor and ring writes land before the index.
 */
static inline void
vnet_vring_publish(struct vnet_vring *vr)
{
	uint16_t n = (uint16_t)(vr->avail_idx - vr->avail_pub);

	if (n == 0)
		return;
	vr->unkicked += n;
	vr->avail_pub = vr->avail_idx;
	VNET_STORE_REL(&vr->avail->idx, vr->avail_idx);
}

/**
 * Event-idx test (2.7.10): did moving an index from @p old to @p new_idx step over
 * @p event? All arithmetic modulo 2^16.
 */
static inline bool
vnet_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/**
 * Decide whether the device must be notified about the buffers published since the
 * previous decision. Call after vnet_vring_publish(), at most once per burst; notify the
 * device when it returns true. With event-idx: kick iff the avail idx stepped over the
 * device's avail_event; without: kick unless the device set VRING_USED_F_NO_NOTIFY.
 * Counts kicks and suppressed kicks.
 *
 * A full barrier separates the avail->idx store from the read of the device's
 * avail_event / flags: without it the device may go to sleep after we decided not to
 * kick (lost wake-up).
 */
static inline bool
vnet_vring_kick_prepare(struct vnet_vring *vr)
{
	uint16_t old = vr->kick_idx;
	uint16_t new_idx = vr->avail_pub;
	uint32_t added = vr->unkicked;
	bool kick;

	if (added == 0 || vnet_unlikely(vr->error != VNET_VRING_OK))
		return false;
	vr->kick_idx = new_idx;
	vr->unkicked = 0;

	VNET_MB();
	if (vnet_unlikely(added > UINT16_MAX))
		kick = true;	/* need_event cannot tell a 2^16 step from none */
	else if (vr->event_idx)
		kick = vnet_need_event(VNET_LOAD_RLX(vr->avail_event), new_idx, old);
	else
		kick = !(VNET_LOAD_RLX(&vr->used->flags) & VNET_VRING_USED_F_NO_NOTIFY);

	if (kick)
		vr->stats.kicks++;
	else
		vr->stats.kicks_suppressed++;
	return kick;
}

/**
 * The device was notified outside vnet_vring_kick_prepare() (e.g. by a safety-net thread
 * covering deferred kicks): restart the count of unkicked buffers. The next decision
 * still compares against the index of the last decision, which can add a kick but never
 * lose one.
 */
static inline void
vnet_vring_note_external_kick(struct vnet_vring *vr)
{
	vr->unkicked = 0;
}

/** @internal Mark the queue broken (first error wins). Cold. */
void vnet_vring_set_broken(struct vnet_vring *vr, enum vnet_vring_error err);

/**
 * Number of used buffers ready to be collected, validated: a used idx that moved past
 * what was published breaks the queue. Acquire ordering: used entries up to the returned
 * count may be read after this.
 */
static inline uint16_t
vnet_vring_used_ready(struct vnet_vring *vr)
{
	uint16_t used_idx, ready;

	if (vnet_unlikely(vr->error != VNET_VRING_OK))
		return 0;
	used_idx = VNET_LOAD_ACQ(&vr->used->idx);
	ready = (uint16_t)(used_idx - vr->last_used_idx);
	if (vnet_unlikely(ready > (uint16_t)(vr->avail_pub - vr->last_used_idx))) {
		vnet_vring_set_broken(vr, VNET_VRING_ERR_USED_IDX);
		return 0;
	}
	return ready;
}

/**
 * Collect up to @p n used buffers: their cookies into @p cookies and the device-written
 * lengths into @p lens (may be NULL). Every entry is validated (id in range and head of an
 * in-flight chain, min_len <= len <= writable bytes posted); on the first bad entry the
 * queue becomes broken, the entries before it are still returned, and nothing after. The
 * bad entry's buffer stays owned by the queue until vnet_vring_detach_unused().
 *
 * @return number of buffers returned (0 when none or broken).
 */
static inline unsigned int
vnet_vring_get_used(struct vnet_vring *vr, void **cookies, uint32_t *lens, unsigned int n)
{
	unsigned int i, ready = vnet_vring_used_ready(vr);
	uint16_t mask = vr->mask;

	if (ready < n)
		n = ready;
	for (i = 0; i < n; i++) {
		const struct vnet_vring_used_elem *e =
			&vr->used->ring[(uint16_t)(vr->last_used_idx + i) & mask];
		uint32_t id = VNET_LOAD_RLX(&e->id);
		uint32_t len = VNET_LOAD_RLX(&e->len);
		struct vnet_vring_state *st;

		if (vnet_unlikely(id >= vr->num)) {
			vnet_vring_set_broken(vr, VNET_VRING_ERR_ID_RANGE);
			break;
		}
		st = &vr->state[id];
		if (vnet_unlikely(st->cookie == NULL)) {
			vnet_vring_set_broken(vr, VNET_VRING_ERR_NOT_INFLIGHT);
			break;
		}
		if (vnet_unlikely(len > st->in_len)) {
			vnet_vring_set_broken(vr, VNET_VRING_ERR_LEN);
			break;
		}
		if (vnet_unlikely(len < vr->min_len)) {
			vnet_vring_set_broken(vr, VNET_VRING_ERR_SHORT);
			break;
		}
		cookies[i] = st->cookie;
		if (lens != NULL)
			lens[i] = len;
		st->cookie = NULL;
		vr->next[st->last] = vr->free_head;
		vr->free_head = (uint16_t)id;
		vr->num_free += st->ndescs;
	}
	vr->last_used_idx = (uint16_t)(vr->last_used_idx + i);
	return i;
}

/**
 * Keep a polling queue's used_event behind the used index (event-idx only): call every
 * so often (e.g. each burst; it writes only when the used idx has moved far enough), so
 * the device never steps over used_event and never notifies.
 */
static inline void
vnet_vring_poll_cb_keepalive(struct vnet_vring *vr)
{
	/*
	 * Same placement as vnet_vring_disable_cb(): a full ring behind the used idx. Not
	 * while notifications are wanted (RX interrupt armed): that used_event is ahead.
	 */
	if (vr->event_idx && !vr->cb_armed &&
	    (uint16_t)(vr->last_used_idx - *vr->used_event) > (uint32_t)vr->num + 0x2000)
		VNET_STORE_RLX(vr->used_event, (uint16_t)(vr->last_used_idx - vr->num - 1));
}

#ifdef __cplusplus
}
#endif

#endif /* VNET_RING_H */
