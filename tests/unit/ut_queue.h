/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Unit-test helper: one test queue of either layout (ut_ring.h split, ut_packed.h packed)
 * behind one set of calls, for the tests of what both ring cores promise alike (data
 * integrity, a hostile device's breakage and reclaim): each call is the core's own call of
 * that name for the queue's layout.
 */

#ifndef UT_QUEUE_H
#define UT_QUEUE_H

#include "ut_ring.h"
#include "ut_packed.h"

struct ut_queue {
	bool packed;
	struct ut_ring s;	/* !packed */
	struct ut_packed p;	/* packed */
};

/* ut_ring_setup() or utp_setup(); @in_order only for packed. */
static inline int
utq_setup(struct ut_queue *q, bool packed, unsigned int num, bool event_idx, bool in_order,
	  uint16_t threshold, unsigned int ind_max)
{
	memset(q, 0, sizeof(*q));
	q->packed = packed;
	if (packed)
		return utp_setup(&q->p, num, event_idx, in_order, threshold, ind_max);
	if (in_order)
		return -ENOTSUP;
	return ut_ring_setup(&q->s, num, event_idx, threshold, ind_max);
}

static inline void
utq_teardown(struct ut_queue *q)
{
	if (q->packed)
		utp_teardown(&q->p);
	else
		ut_ring_teardown(&q->s);
}

/* vnet_vring_init() / vnet_packed_init() again on the queue's memory, same features. */
static inline int
utq_reinit(struct ut_queue *q)
{
	if (q->packed)
		return vnet_packed_init(&q->p.pr, q->p.num, q->p.mem.ring, q->p.mem.priv,
					q->p.event_idx, q->p.in_order);
	return vnet_vring_init(&q->s.vr, q->s.num, q->s.align, q->s.mem.ring, q->s.mem.priv,
			       q->s.vr.event_idx);
}

static inline int
utq_add1(struct ut_queue *q, uint64_t addr, uint32_t len, bool writable, void *cookie)
{
	return q->packed ? vnet_packed_add1(&q->p.pr, addr, len, writable, cookie) :
			   vnet_vring_add1(&q->s.vr, addr, len, writable, cookie);
}

static inline int
utq_add(struct ut_queue *q, const struct vnet_sg *sg, unsigned int out, unsigned int in,
	void *cookie, bool indirect)
{
	return q->packed ? vnet_packed_add(&q->p.pr, sg, out, in, cookie, indirect) :
			   vnet_vring_add(&q->s.vr, sg, out, in, cookie, indirect);
}

static inline void
utq_publish(struct ut_queue *q)
{
	if (q->packed)
		vnet_packed_publish(&q->p.pr);
	else
		vnet_vring_publish(&q->s.vr);
}

static inline bool
utq_kick_prepare(struct ut_queue *q)
{
	return q->packed ? vnet_packed_kick_prepare(&q->p.pr) :
			   vnet_vring_kick_prepare(&q->s.vr);
}

static inline unsigned int
utq_get_used(struct ut_queue *q, void **cookies, uint32_t *lens, unsigned int n)
{
	return q->packed ? vnet_packed_get_used(&q->p.pr, cookies, lens, n) :
			   vnet_vring_get_used(&q->s.vr, cookies, lens, n);
}

static inline bool
utq_enable_cb(struct ut_queue *q, uint16_t n)
{
	return q->packed ? vnet_packed_enable_cb(&q->p.pr, n) : vnet_vring_enable_cb(&q->s.vr, n);
}

static inline void
utq_disable_cb(struct ut_queue *q)
{
	if (q->packed)
		vnet_packed_disable_cb(&q->p.pr);
	else
		vnet_vring_disable_cb(&q->s.vr);
}

static inline unsigned int
utq_detach_unused(struct ut_queue *q, void (*fn)(void *cookie, void *arg), void *arg)
{
	return q->packed ? vnet_packed_detach_unused(&q->p.pr, fn, arg) :
			   vnet_vring_detach_unused(&q->s.vr, fn, arg);
}

static inline bool
utq_broken(const struct ut_queue *q)
{
	return q->packed ? vnet_packed_broken(&q->p.pr) : vnet_vring_broken(&q->s.vr);
}

/* enum vnet_vring_error */
static inline int
utq_error(const struct ut_queue *q)
{
	return q->packed ? q->p.pr.error : q->s.vr.error;
}

static inline unsigned int
utq_free_count(const struct ut_queue *q)
{
	return q->packed ? vnet_packed_free_count(&q->p.pr) : vnet_vring_free_count(&q->s.vr);
}

static inline const struct vnet_vring_stats *
utq_stats(const struct ut_queue *q)
{
	return q->packed ? &q->p.pr.stats : &q->s.vr.stats;
}

/* ---- the fake device of the queue ---- */

/* The device's configuration fields, which both fake devices name alike. */
#define UTQ_DEV_SET(q, field, v)						\
	do {									\
		if ((q)->packed)						\
			(q)->p.dev->field = (v);				\
		else								\
			(q)->s.dev->field = (v);				\
	} while (0)

static inline const char *
utq_dev_errmsg(const struct ut_queue *q)
{
	return q->packed ? q->p.dev->errmsg : q->s.dev->errmsg;
}

static inline struct vfd_elem *
utq_dev_elem(struct ut_queue *q)
{
	return q->packed ? &q->p.dev->elem : &q->s.dev->elem;
}

/*
 * vfd_pop() / vfdp_pop() into the device's elem; *ndescs = the descriptors the buffer takes
 * in the ring (packed: as the device counted them; split: 1 for indirect, else its segments).
 */
static inline int
utq_dev_pop(struct ut_queue *q, uint16_t *ndescs)
{
	struct vfd_elem *e = utq_dev_elem(q);
	int rc;

	if (q->packed)
		return vfdp_pop(q->p.dev, e, ndescs);
	rc = vfd_pop(q->s.dev, e);
	*ndescs = e->indirect ? 1 : e->nseg;
	return rc;
}

static inline int
utq_dev_run_once(struct ut_queue *q, unsigned int max)
{
	return q->packed ? vfdp_run_once(q->p.dev, max) : vfd_run_once(q->s.dev, max);
}

/* The device forgets its ring state, as a device reset does; @seq_base: next sequence number. */
static inline void
utq_dev_reset(struct ut_queue *q, uint64_t seq_base)
{
	if (q->packed)
		vfdp_reset(q->p.dev, seq_base);
	else
		vfd_reset(q->s.dev, seq_base);
}

static inline int
utq_dev_start(struct ut_queue *q)
{
	return q->packed ? vfdp_start(q->p.dev) : vfd_start(q->s.dev);
}

static inline void
utq_dev_stop(struct ut_queue *q)
{
	if (q->packed)
		vfdp_stop(q->p.dev);
	else
		vfd_stop(q->s.dev);
}

static inline void
utq_dev_kick(struct ut_queue *q)
{
	if (q->packed)
		vfdp_kick(q->p.dev);
	else
		vfd_kick(q->s.dev);
}

static inline void
utq_dev_stat(const struct ut_queue *q, struct vfd_stats *st)
{
	if (q->packed)
		vfdp_stat(q->p.dev, st);
	else
		vfd_stat(q->s.dev, st);
}

#endif /* UT_QUEUE_H */
