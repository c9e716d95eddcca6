/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Burst RX on split virtqueues. One inline body per buffer layout (one buffer per packet,
 * or mergeable buffers) with const bool parameters (copy mode, hash report, big buffers,
 * offloads), instantiated as small wrappers; vnet_rx_select() picks one at dev_start from
 * the table that also feeds rx_burst_mode_get.
 *
 * Copy mode (vhost-user without shareable EAL memory): each descriptor id owns a bounce
 * slot in memory shared with the backend; RX copies frames out of it. Cookies are then slot
 * addresses, not mbufs.
 *
 * Big buffers (no VIRTIO_NET_F_MRG_RXBUF, frames above one mbuf): each posted buffer is a
 * chain of mbufs (one indirect table, or one descriptor each), 5.1.6.3.1; the used length
 * says how many of them hold the frame, the rest are freed.
 */

#include <stdio.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>
#include <ethdev_driver.h>

#include "vnet_lifecycle.h"
#include "vnet_logs.h"
#include "vnet_offload.h"
#include "vnet_rxtx.h"

#define VNET_RX_BURST_MAX	64
#define VNET_RX_PREFETCH	4
#define VNET_RX_BIG_MAX		VNET_RX_BIG_SEGS_MAX

void
vnet_queue_report_broken(struct vnet_vq *vq, bool *logged, const char *dir, uint16_t port,
			 uint16_t q)
{
	char why[96];

	if (*logged)
		return;
	*logged = true;
	VNET_DRV_LOG(ERR, "port %u %s queue %u: %s; queue stopped until the port restarts "
		     "(or recovers)", port, dir, q, vnet_vring_strerror(vnet_vq_error(vq)));
	snprintf(why, sizeof(why), "%s queue %u broken (%s)", dir, q,
		 vnet_vring_strerror(vnet_vq_error(vq)));
	vnet_recovery_schedule_port(port, why);
}

/* ---- RX ---- */

/* The hash report of @p h into @p m (5.1.6.4.4: hash_report NONE means no hash was made). */
static __rte_always_inline void
rx_hash(struct rte_mbuf *m, const struct vnet_net_hdr_hash *h)
{
	if (h->hash_report != VNET_NET_HASH_REPORT_NONE) {
		m->hash.rss = h->hash_value;
		m->ol_flags = RTE_MBUF_F_RX_RSS_HASH;
	}
}

/*
 * Post one big buffer: a chain of big_segs mbufs linked as an mbuf chain (the cookie is its
 * head); the first one takes the header before its data, the others are used from their
 * buffer start.
 */
static __rte_always_inline int
rx_add_big(struct vnet_rxq *rxq, const bool packed)
{
	struct rte_mbuf *segs[VNET_RX_BIG_MAX];
	struct vnet_sg sg[VNET_RX_BIG_MAX];
	unsigned int k = rxq->big_segs, i;
	uint16_t room = rte_pktmbuf_data_room_size(rxq->mp);
	int ret;

	if (vq_free_count(&rxq->vq, packed) < (rxq->big_indirect ? 1u : k))
		return -ENOSPC;
	if (unlikely(rte_mempool_get_bulk(rxq->mp, (void **)segs, k) != 0)) {
		rxq->stats.nombuf += k;
		return -ENOMEM;
	}
	for (i = 0; i < k; i++) {
		struct rte_mbuf *m = segs[i];

		memcpy((uint8_t *)m + offsetof(struct rte_mbuf, rearm_data),
		       &rxq->mbuf_initializer, sizeof(uint64_t));
		m->next = i + 1 < k ? segs[i + 1] : NULL;
		if (i == 0) {
			sg[i].addr = vnet_mbuf_buf_addr(m, rxq->addr_off) + RTE_PKTMBUF_HEADROOM -
				     rxq->hdr_size;
			sg[i].len = rxq->buf_len;
		} else {
			m->data_off = 0;
			sg[i].addr = vnet_mbuf_buf_addr(m, rxq->addr_off);
			sg[i].len = room;
		}
	}
	segs[0]->nb_segs = (uint16_t)k;
	ret = vq_add(&rxq->vq, packed, sg, 0, k, segs[0], rxq->big_indirect);
	if (ret != 0)
		rte_pktmbuf_free(segs[0]);
	return ret;
}

/*
 * A big buffer came back with @p len bytes (header included): trim the chain to the
 * segments that hold the frame and free the rest.
 */
static __rte_always_inline void
rx_trim_big(struct vnet_rxq *rxq, struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *s = m, *prev = NULL;
	uint32_t left = len - rxq->hdr_size;
	uint16_t room = rte_pktmbuf_data_room_size(rxq->mp), nseg = 0;

	m->pkt_len = left;
	while (s != NULL && (left > 0 || s == m)) {
		uint32_t cap = s == m ? rxq->buf_len - rxq->hdr_size : room;
		uint32_t take = RTE_MIN(left, cap);

		s->data_len = (uint16_t)take;
		left -= take;
		nseg++;
		prev = s;
		s = s->next;
	}
	prev->next = NULL;
	m->nb_segs = nseg;
	if (s != NULL) {
		s->nb_segs = (uint16_t)(rxq->big_segs - nseg);
		rte_pktmbuf_free(s);
	}
}

/* Decide about the refill kick now (and end a deferral of it). */
static __rte_always_inline void
rx_kick_now(struct vnet_rxq *rxq, const bool packed)
{
	if (rxq->adaptive) {
		uint64_t start = __atomic_exchange_n(&rxq->defer_start, 0, __ATOMIC_RELAXED);

		if (start != 0) {
			uint64_t w = rte_get_tsc_cycles() - start;

			if ((int64_t)w > (int64_t)rxq->stats.max_deferral_tsc)
				rxq->stats.max_deferral_tsc = w;
		}
	}
	vnet_vq_kick_if_needed(&rxq->vq, packed);
}

/*
 * Adaptive: leave the refill kick decision to a later burst. Order the avail->idx store
 * before reading defer_start, as on TX: a stale non-zero value read while the safety
 * thread clears it would leave this refill with neither a kick nor a pending deferral.
 */
static __rte_always_inline void
rx_kick_defer(struct vnet_rxq *rxq)
{
	VNET_MB();
	if (__atomic_load_n(&rxq->defer_start, __ATOMIC_RELAXED) == 0)
		__atomic_store_n(&rxq->defer_start, rte_get_tsc_cycles() | 1, __ATOMIC_RELEASE);
	rxq->stats.kicks_deferred++;
}

/*
 * Adaptive: a burst that did not fill up drained what the device had delivered, so the
 * lcore is about to wait for the device: take the deferred decision now. The safety net
 * kicked meanwhile: restart the ring's kick accounting, unless a refill was deferred after
 * that kick (the safety thread clears defer_start when it kicks, a deferred refill sets it
 * again): zeroing the count then would turn the decision below into a no-op that also
 * ends the deferral, and the device, waiting for those buffers, would never be kicked.
 */
static __rte_always_inline void
rx_kick_settle(struct vnet_rxq *rxq, const bool packed, bool full)
{
	uint64_t sk = __atomic_load_n(&rxq->safety_kicks, __ATOMIC_ACQUIRE);

	if (unlikely(sk != rxq->safety_seen)) {
		rxq->safety_seen = sk;
		if (__atomic_load_n(&rxq->defer_start, __ATOMIC_ACQUIRE) == 0)
			vq_note_external_kick(&rxq->vq, packed);
	}
	if (!full && __atomic_load_n(&rxq->defer_start, __ATOMIC_RELAXED) != 0)
		rx_kick_now(rxq, packed);
}

enum vnet_safety_scan
vnet_rxq_safety_kick(struct vnet_rxq *rxq, uint64_t now)
{
	uint64_t start = __atomic_load_n(&rxq->defer_start, __ATOMIC_ACQUIRE);
	uint64_t deferred;
	bool live;

	/* Timed with this thread's clock only, as vnet_txq_safety_kick(). */
	if (start == 0) {
		rxq->safety_start_seen = 0;
		return VNET_SAFETY_NONE;
	}
	/* Full bursts since the last scan: the lcore polls here and ends it at a short one. */
	deferred = __atomic_load_n(&rxq->stats.kicks_deferred, __ATOMIC_RELAXED);
	live = deferred != rxq->safety_deferred_seen;
	rxq->safety_deferred_seen = deferred;
	if (start != rxq->safety_start_seen) {
		rxq->safety_start_seen = start;
		rxq->safety_first_tsc = now;
		return live ? VNET_SAFETY_LIVE : VNET_SAFETY_WAIT;
	}
	if (now - rxq->safety_first_tsc < rxq->coalesce_tsc)
		return live ? VNET_SAFETY_LIVE : VNET_SAFETY_WAIT;
	if (!__atomic_compare_exchange_n(&rxq->defer_start, &start, 0, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return VNET_SAFETY_NONE;
	rxq->safety_start_seen = 0;
	vnet_vq_notify(&rxq->vq);
	__atomic_fetch_add(&rxq->safety_kicks, 1, __ATOMIC_RELEASE);
	return VNET_SAFETY_WAIT;
}

static __rte_always_inline void
rx_refill(struct vnet_rxq *rxq, const bool packed, const bool copy, const bool big,
	  bool defer)
{
	unsigned int n = vq_free_count(&rxq->vq, packed), i;

	if (n < rxq->free_thresh)
		return;
	if (n > VNET_RX_BURST_MAX)
		n = VNET_RX_BURST_MAX;
	if (copy) {
		struct vnet_vq *vq = &rxq->vq;

		/* No more than an mbuf takes: then every slot copies out into one mbuf. */
		uint32_t len = RTE_MIN(vq->bounce_slot, rxq->buf_len);

		for (i = 0; i < n; i++) {
			uint16_t id = vq_next_id(&rxq->vq, packed);

			vq_add1(&rxq->vq, packed, vq->bounce_iova + (uint64_t)id * vq->bounce_slot, len,
					true, vq->bounce + (size_t)id * vq->bounce_slot);
		}
	} else if (big) {
		for (i = 0; i < n; i++)
			if (rx_add_big(rxq, packed) != 0)
				break;
	} else {
		struct rte_mbuf *mbufs[VNET_RX_BURST_MAX];

		if (unlikely(rte_mempool_get_bulk(rxq->mp, (void **)mbufs, n) != 0)) {
			rxq->stats.nombuf += n;
			return;
		}
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = mbufs[i];

			memcpy((uint8_t *)m + offsetof(struct rte_mbuf, rearm_data),
			       &rxq->mbuf_initializer, sizeof(uint64_t));
			/* The device writes the net header right before the packet data. */
			vq_add1(&rxq->vq, packed, vnet_mbuf_buf_addr(m, rxq->addr_off) +
					RTE_PKTMBUF_HEADROOM - rxq->hdr_size, rxq->buf_len,
					true, m);
		}
	}
	vq_publish(&rxq->vq, packed);
	if (defer && rxq->defer_refill)
		rx_kick_defer(rxq);
	else
		rx_kick_now(rxq, packed);
}

int
vnet_rxq_fill(struct vnet_rxq *rxq)
{
	const bool packed = rxq->vq.packed;
	uint16_t thresh = rxq->free_thresh;

	rxq->free_thresh = 1;
	while (vq_free_count(&rxq->vq, packed) > 0) {
		unsigned int before = vq_free_count(&rxq->vq, packed);

		if (packed)
			rx_refill(rxq, true, rxq->vq.copy, rxq->big_segs > 1, false);
		else
			rx_refill(rxq, false, rxq->vq.copy, rxq->big_segs > 1, false);
		if (vq_free_count(&rxq->vq, packed) == before)
			break;
	}
	rxq->free_thresh = thresh;
	return vq_free_count(&rxq->vq, packed) == vq_num(&rxq->vq, packed) ? -ENOMEM : 0;
}

/* Copy mode: move frames out of their bounce slots into fresh mbufs. */
static __rte_always_inline unsigned int
rx_copy_out(struct vnet_rxq *rxq, struct rte_mbuf **pkts, void **slots, const uint32_t *lens,
	    unsigned int n, uint64_t *bytes)
{
	unsigned int i, k = 0;

	if (unlikely(rte_pktmbuf_alloc_bulk(rxq->mp, pkts, n) != 0)) {
		rxq->stats.nombuf += n;
		rxq->stats.dropped += n;
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t len = lens[i] - rxq->hdr_size;

		if (unlikely(len > rte_pktmbuf_tailroom(m))) {
			rxq->stats.dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		/* The header too, in front of the frame: the offload path reads it there. */
		rte_memcpy(rte_pktmbuf_mtod_offset(m, void *, -(int)rxq->hdr_size), slots[i],
			   lens[i]);
		m->pkt_len = len;
		m->data_len = (uint16_t)len;
		m->port = rxq->port_id;
		pkts[k++] = m;
		*bytes += len;
	}
	return k;
}

/* Frames above the configured size are dropped (coalesced ones have their own limit). */
static __rte_always_inline bool
rx_oversize(struct vnet_rxq *rxq, const struct rte_mbuf *m, const bool offload)
{
	if (likely(m->pkt_len <= rxq->max_frame))
		return false;
	if (offload && (m->ol_flags & RTE_MBUF_F_RX_LRO) && m->pkt_len <= rxq->max_lro)
		return false;
	rxq->stats.oversize++;
	return true;
}

static __rte_always_inline uint16_t
rx_burst(struct vnet_rxq *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts, const bool packed,
	 const bool copy, const bool hash, const bool big, const bool offload)
{
	uint32_t lens[VNET_RX_BURST_MAX];
	uint64_t bytes = 0;
	unsigned int n, i, k = 0;

	if (nb_pkts > VNET_RX_BURST_MAX)
		nb_pkts = VNET_RX_BURST_MAX;
	if (copy) {
		void *slots[VNET_RX_BURST_MAX];

		n = vq_get_used(&rxq->vq, packed, slots, lens, nb_pkts);
		if (n > 0)
			n = rx_copy_out(rxq, pkts, slots, lens, n, &bytes);
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];

			m->ol_flags = 0;
			m->packet_type = RTE_PTYPE_UNKNOWN;
			if (offload && unlikely(vnet_rx_offload(rxq, m,
					rte_pktmbuf_mtod_offset(m, const void *,
								-(int)rxq->hdr_size)) != 0)) {
				bytes -= m->pkt_len;
				rte_pktmbuf_free(m);
				continue;
			}
			if (unlikely(rx_oversize(rxq, m, offload))) {
				bytes -= m->pkt_len;
				rte_pktmbuf_free(m);
				continue;
			}
			pkts[k++] = m;
		}
	} else {
		uint16_t hdr = rxq->hdr_size;

		n = vq_get_used(&rxq->vq, packed, (void **)pkts, lens, nb_pkts);
		for (i = 0; i < n && i < VNET_RX_PREFETCH; i++)
			rte_prefetch0(pkts[i]);
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			const struct vnet_net_hdr *h;

			if (i + VNET_RX_PREFETCH < n)
				rte_prefetch0(pkts[i + VNET_RX_PREFETCH]);
			uint32_t len = lens[i] - hdr;	/* the core checked lens[i] >= hdr */

			if (big) {
				rx_trim_big(rxq, m, lens[i]);
			} else {
				m->pkt_len = len;
				m->data_len = (uint16_t)len;
			}
			m->ol_flags = 0;
			m->packet_type = RTE_PTYPE_UNKNOWN;
			h = rte_pktmbuf_mtod_offset(m, const void *, -(int)hdr);
			if (hash)
				rx_hash(m, (const void *)h);
			if (offload && unlikely(vnet_rx_offload(rxq, m, h) != 0)) {
				rte_pktmbuf_free(m);
				continue;
			}
			if (unlikely(rx_oversize(rxq, m, offload))) {
				rte_pktmbuf_free(m);
				continue;
			}
			bytes += m->pkt_len;
			pkts[k++] = m;
		}
	}
	rxq->stats.packets += k;
	rxq->stats.bytes += bytes;

	if (unlikely(vq_broken(&rxq->vq, packed))) {
		vnet_queue_report_broken(&rxq->vq, &rxq->broken_logged, "rx", rxq->port_id,
					 rxq->queue_id);
		return (uint16_t)k;
	}
	rx_refill(rxq, packed, copy, big, rxq->adaptive && k == nb_pkts);
	if (rxq->adaptive)
		rx_kick_settle(rxq, packed, k == nb_pkts);
	vq_poll_keepalive(&rxq->vq, packed);
	return (uint16_t)k;
}

/*
 * Copy mode with mergeable buffers: each bounce slot becomes an mbuf laid out as in
 * zero-copy mode (what the device wrote, header included, at data_off - hdr), so one merge
 * path serves both. A slot longer than an mbuf can take is dropped (counted).
 */
/*
 * Mergeable buffers dropped without an mbuf (copy mode, pool empty): keep the packet
 * boundaries, or a packet's later buffers (no header) would be read as packets. A packet
 * being assembled is freed, and the buffers it still has are skipped (mrg_left with no
 * mrg_head) here and in later bursts.
 */
static void
rx_mrg_skip(struct vnet_rxq *rxq, void *const *slots, const uint32_t *lens, unsigned int n,
	    uint32_t posted, unsigned int num)
{
	unsigned int i;

	if (rxq->mrg_head != NULL) {
		rte_pktmbuf_free(rxq->mrg_head);
		rxq->mrg_head = NULL;
		rxq->mrg_tail = NULL;
	}
	for (i = 0; i < n; i++) {
		const struct vnet_net_hdr_mrg *h = slots[i];
		uint16_t nbuf;

		if (rxq->mrg_left > 0) {
			rxq->mrg_left--;
			continue;
		}
		/* A head (the same rules as rx_burst_mrg(): a head it did not fill is whole). */
		nbuf = lens[i] < rxq->hdr_size || lens[i] < posted ? 1 : h->num_buffers;
		if (nbuf > num) {
			rxq->stats.bad_num_buffers++;
			nbuf = 1;	/* the caller's ring stays sound; the next head decides */
		}
		rxq->mrg_left = nbuf > 0 ? (uint16_t)(nbuf - 1) : 0;
	}
}

static __rte_always_inline unsigned int
rx_copy_raw(struct vnet_rxq *rxq, struct rte_mbuf **out, void **slots, uint32_t *lens,
	    unsigned int n, uint32_t posted, unsigned int num)
{
	unsigned int i, k = 0;

	if (unlikely(rte_pktmbuf_alloc_bulk(rxq->mp, out, n) != 0)) {
		rxq->stats.nombuf += n;
		rxq->stats.dropped += n;
		rx_mrg_skip(rxq, slots, lens, n, posted, num);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = out[i];

		if (unlikely(lens[i] > rxq->buf_len)) {
			rxq->stats.dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		rte_memcpy(rte_pktmbuf_mtod_offset(m, void *, -(int)rxq->hdr_size), slots[i],
			   lens[i]);
		m->port = rxq->port_id;
		lens[k] = lens[i];
		out[k++] = m;
	}
	return k;
}

/* Drop the packet being assembled (stop, or a device that broke the ring). */
void
vnet_rxq_drop_partial(struct vnet_rxq *rxq)
{
	rxq->mrg_left = 0;	/* also a skip of a dropped packet's buffers */
	if (rxq->mrg_head == NULL)
		return;
	rte_pktmbuf_free(rxq->mrg_head);
	rxq->mrg_head = NULL;
	rxq->mrg_tail = NULL;
}

/*
 * Mergeable RX buffers (VIRTIO_NET_F_MRG_RXBUF, 5.1.6.4): the header of a packet's first
 * buffer says how many used buffers (num_buffers) it spans; the rest carry no header. The
 * buffers become one mbuf chain; a packet whose buffers are not all used yet is kept in the
 * queue until a later burst. The device is untrusted: num_buffers 0 drops that buffer,
 * num_buffers above the ring size breaks the queue (no later buffer could be trusted to
 * belong to a packet); either way every mbuf is freed exactly once.
 */
/* A complete mergeable packet: offloads, size limit, then out (or freed). */
static __rte_always_inline void
rx_mrg_emit(struct vnet_rxq *rxq, struct rte_mbuf *m, struct rte_mbuf **pkts,
	    unsigned int *out, uint64_t *bytes, const bool offload)
{
	if (offload && unlikely(vnet_rx_offload(rxq, m, rte_pktmbuf_mtod_offset(m,
			const void *, -(int)rxq->hdr_size)) != 0)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(rx_oversize(rxq, m, offload))) {
		rte_pktmbuf_free(m);
		return;
	}
	*bytes += m->pkt_len;
	pkts[(*out)++] = m;
}

static __rte_always_inline uint16_t
rx_burst_mrg(struct vnet_rxq *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts,
	     const bool packed, const bool copy, const bool hash, const bool offload)
{
	struct rte_mbuf *bufs[VNET_RX_BURST_MAX];
	uint32_t lens[VNET_RX_BURST_MAX];
	uint16_t hdr = rxq->hdr_size;
	/* What rx_refill() posts: in copy mode a bounce slot may be shorter than an mbuf. */
	uint32_t posted = copy ? RTE_MIN(rxq->vq.bounce_slot, rxq->buf_len) : rxq->buf_len;
	uint64_t bytes = 0;
	unsigned int n, i, out = 0;

	if (nb_pkts > VNET_RX_BURST_MAX)
		nb_pkts = VNET_RX_BURST_MAX;
	if (copy) {
		void *slots[VNET_RX_BURST_MAX];

		n = vq_get_used(&rxq->vq, packed, slots, lens, nb_pkts);
		if (n > 0)
			n = rx_copy_raw(rxq, bufs, slots, lens, n, posted,
					vq_num(&rxq->vq, packed));
	} else {
		n = vq_get_used(&rxq->vq, packed, (void **)bufs, lens, nb_pkts);
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = bufs[i];

		if (rxq->mrg_left == 0) {
			const struct vnet_net_hdr_mrg *h =
				rte_pktmbuf_mtod_offset(m, const void *, -(int)hdr);
			uint16_t nbuf;

			if (unlikely(lens[i] < hdr)) {
				rxq->stats.dropped++;	/* no room for even the header */
				rte_pktmbuf_free(m);
				continue;
			}
			/*
			 * 5.1.6.4: the device fills every buffer of a packet but the last
			 * completely, so a buffer it did not fill ends its packet: a head
			 * that is not full is the whole packet, and its header line (a cache
			 * miss of its own) need not be read for num_buffers.
			 */
			nbuf = lens[i] < posted ? 1 : h->num_buffers;
			if (unlikely(nbuf == 0)) {
				rxq->stats.bad_num_buffers++;
				rte_pktmbuf_free(m);
				continue;
			}
			if (unlikely(nbuf > vq_num(&rxq->vq, packed))) {
				rxq->stats.bad_num_buffers++;
				rte_pktmbuf_free_bulk(&bufs[i], n - i);
				vq_set_broken(&rxq->vq, packed, VNET_VRING_ERR_NUM_BUFFERS);
				break;
			}
			m->data_len = (uint16_t)(lens[i] - hdr);
			m->pkt_len = m->data_len;
			m->ol_flags = 0;
			m->packet_type = RTE_PTYPE_UNKNOWN;
			if (hash)
				rx_hash(m, (const void *)h);
			if (nbuf == 1) {
				rx_mrg_emit(rxq, m, pkts, &out, &bytes, offload);
				continue;
			}
			rxq->mrg_head = m;
			rxq->mrg_tail = m;
			rxq->mrg_left = (uint16_t)(nbuf - 1);
			continue;
		}
		if (unlikely(rxq->mrg_head == NULL)) {
			/* The rest of a packet whose earlier buffers were dropped. */
			rxq->mrg_left--;
			rxq->stats.dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		/* A continuation buffer: data from where the header would be. */
		m->data_off = (uint16_t)(RTE_PKTMBUF_HEADROOM - hdr);
		m->data_len = (uint16_t)lens[i];
		rxq->mrg_tail->next = m;
		rxq->mrg_tail = m;
		rxq->mrg_head->nb_segs++;
		rxq->mrg_head->pkt_len += lens[i];
		if (--rxq->mrg_left == 0) {
			rx_mrg_emit(rxq, rxq->mrg_head, pkts, &out, &bytes, offload);
			rxq->mrg_head = NULL;
			rxq->mrg_tail = NULL;
		}
	}
	rxq->stats.packets += out;
	rxq->stats.bytes += bytes;

	if (unlikely(vq_broken(&rxq->vq, packed))) {
		vnet_rxq_drop_partial(rxq);
		vnet_queue_report_broken(&rxq->vq, &rxq->broken_logged, "rx", rxq->port_id,
					 rxq->queue_id);
		return (uint16_t)out;
	}
	rx_refill(rxq, packed, copy, false, rxq->adaptive && out == nb_pkts);
	if (rxq->adaptive)
		rx_kick_settle(rxq, packed, out == nb_pkts);
	vq_poll_keepalive(&rxq->vq, packed);
	return (uint16_t)out;
}

/*
 * The variants: one wrapper per implemented combination, and the table rx_burst_mode_get
 * reads. The hash report is zero-copy only (copy mode is vhost-user, which never negotiates
 * it); big buffers are zero-copy only (vhost-user backends offer mergeable buffers).
 */
/* One burst wrapper: the queue fence around @p call, the idle hook after an empty poll. */
#define RX_FN(name, call)							\
static uint16_t									\
name(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)				\
{										\
	uint16_t n = 0;							\
										\
	if (likely(vnet_burst_enter(q))) {					\
		n = (call);							\
		vnet_burst_leave(q);						\
	}									\
	if (n == 0)								\
		vnet_rx_idle_hook();						\
	return n;								\
}
#define RX_ONE(name, packed, copy, hash, big, off)				\
	RX_FN(name, rx_burst(q, pkts, nb_pkts, packed, copy, hash, big, off))
#define RX_MRG(name, packed, copy, hash, off)					\
	RX_FN(name, rx_burst_mrg(q, pkts, nb_pkts, packed, copy, hash, off))

RX_ONE(vnet_rx_split_zc, false, false, false, false, false)
RX_ONE(vnet_rx_split_zc_off, false, false, false, false, true)
RX_ONE(vnet_rx_split_zc_hash, false, false, true, false, false)
RX_ONE(vnet_rx_split_zc_hash_off, false, false, true, false, true)
RX_ONE(vnet_rx_split_big, false, false, false, true, false)
RX_ONE(vnet_rx_split_big_off, false, false, false, true, true)
RX_ONE(vnet_rx_split_big_hash, false, false, true, true, false)
RX_ONE(vnet_rx_split_big_hash_off, false, false, true, true, true)
RX_MRG(vnet_rx_split_mrg, false, false, false, false)
RX_MRG(vnet_rx_split_mrg_off, false, false, false, true)
RX_MRG(vnet_rx_split_mrg_hash, false, false, true, false)
RX_MRG(vnet_rx_split_mrg_hash_off, false, false, true, true)
RX_ONE(vnet_rx_split_copy, false, true, false, false, false)
RX_ONE(vnet_rx_split_copy_off, false, true, false, false, true)
RX_MRG(vnet_rx_split_mrg_copy, false, true, false, false)
RX_MRG(vnet_rx_split_mrg_copy_off, false, true, false, true)
RX_ONE(vnet_rx_packed_zc, true, false, false, false, false)
RX_ONE(vnet_rx_packed_zc_off, true, false, false, false, true)
RX_ONE(vnet_rx_packed_zc_hash, true, false, true, false, false)
RX_ONE(vnet_rx_packed_zc_hash_off, true, false, true, false, true)
RX_ONE(vnet_rx_packed_big, true, false, false, true, false)
RX_ONE(vnet_rx_packed_big_off, true, false, false, true, true)
RX_ONE(vnet_rx_packed_big_hash, true, false, true, true, false)
RX_ONE(vnet_rx_packed_big_hash_off, true, false, true, true, true)
RX_MRG(vnet_rx_packed_mrg, true, false, false, false)
RX_MRG(vnet_rx_packed_mrg_off, true, false, false, true)
RX_MRG(vnet_rx_packed_mrg_hash, true, false, true, false)
RX_MRG(vnet_rx_packed_mrg_hash_off, true, false, true, true)
RX_ONE(vnet_rx_packed_copy, true, true, false, false, false)
RX_ONE(vnet_rx_packed_copy_off, true, true, false, false, true)
RX_MRG(vnet_rx_packed_mrg_copy, true, true, false, false)
RX_MRG(vnet_rx_packed_mrg_copy_off, true, true, false, true)

/* Indexed by ring * 20 + layout * 4 + hash * 2 + offload; layouts: one buffer, big,
 * mergeable, copy, copy mergeable. NULL: not implemented.
 */
static const struct vnet_rx_variant rx_variants[] = {
	{ "split ring, zero-copy",
	  vnet_rx_split_zc, false },
	{ "split ring, zero-copy, offloads",
	  vnet_rx_split_zc_off, true },
	{ "split ring, zero-copy, RSS hash report",
	  vnet_rx_split_zc_hash, false },
	{ "split ring, zero-copy, RSS hash report, offloads",
	  vnet_rx_split_zc_hash_off, true },
	{ "split ring, zero-copy, big buffers",
	  vnet_rx_split_big, false },
	{ "split ring, zero-copy, big buffers, offloads",
	  vnet_rx_split_big_off, true },
	{ "split ring, zero-copy, big buffers, RSS hash report",
	  vnet_rx_split_big_hash, false },
	{ "split ring, zero-copy, big buffers, RSS hash report, offloads",
	  vnet_rx_split_big_hash_off, true },
	{ "split ring, zero-copy, mergeable RX",
	  vnet_rx_split_mrg, false },
	{ "split ring, zero-copy, mergeable RX, offloads",
	  vnet_rx_split_mrg_off, true },
	{ "split ring, zero-copy, mergeable RX, RSS hash report",
	  vnet_rx_split_mrg_hash, false },
	{ "split ring, zero-copy, mergeable RX, RSS hash report, offloads",
	  vnet_rx_split_mrg_hash_off, true },
	{ "split ring, copy mode (bounce buffers)",
	  vnet_rx_split_copy, false },
	{ "split ring, copy mode (bounce buffers), offloads",
	  vnet_rx_split_copy_off, true },
	{ NULL, NULL, false },
	{ NULL, NULL, false },
	{ "split ring, copy mode (bounce buffers), mergeable RX",
	  vnet_rx_split_mrg_copy, false },
	{ "split ring, copy mode (bounce buffers), mergeable RX, offloads",
	  vnet_rx_split_mrg_copy_off, true },
	{ NULL, NULL, false },
	{ NULL, NULL, false },
	{ "packed ring, zero-copy",
	  vnet_rx_packed_zc, false },
	{ "packed ring, zero-copy, offloads",
	  vnet_rx_packed_zc_off, true },
	{ "packed ring, zero-copy, RSS hash report",
	  vnet_rx_packed_zc_hash, false },
	{ "packed ring, zero-copy, RSS hash report, offloads",
	  vnet_rx_packed_zc_hash_off, true },
	{ "packed ring, zero-copy, big buffers",
	  vnet_rx_packed_big, false },
	{ "packed ring, zero-copy, big buffers, offloads",
	  vnet_rx_packed_big_off, true },
	{ "packed ring, zero-copy, big buffers, RSS hash report",
	  vnet_rx_packed_big_hash, false },
	{ "packed ring, zero-copy, big buffers, RSS hash report, offloads",
	  vnet_rx_packed_big_hash_off, true },
	{ "packed ring, zero-copy, mergeable RX",
	  vnet_rx_packed_mrg, false },
	{ "packed ring, zero-copy, mergeable RX, offloads",
	  vnet_rx_packed_mrg_off, true },
	{ "packed ring, zero-copy, mergeable RX, RSS hash report",
	  vnet_rx_packed_mrg_hash, false },
	{ "packed ring, zero-copy, mergeable RX, RSS hash report, offloads",
	  vnet_rx_packed_mrg_hash_off, true },
	{ "packed ring, copy mode (bounce buffers)",
	  vnet_rx_packed_copy, false },
	{ "packed ring, copy mode (bounce buffers), offloads",
	  vnet_rx_packed_copy_off, true },
	{ NULL, NULL, false },
	{ NULL, NULL, false },
	{ "packed ring, copy mode (bounce buffers), mergeable RX",
	  vnet_rx_packed_mrg_copy, false },
	{ "packed ring, copy mode (bounce buffers), mergeable RX, offloads",
	  vnet_rx_packed_mrg_copy_off, true },
	{ NULL, NULL, false },
	{ NULL, NULL, false },
};

const struct vnet_rx_variant *
vnet_rx_select(bool packed, bool copy, bool mrg, bool big, bool hash, bool offload)
{
	unsigned int layout;
	const struct vnet_rx_variant *v;

	if (copy && big)
		return NULL;
	if (copy)
		layout = mrg ? 4 : 3;
	else
		layout = mrg ? 2 : big ? 1 : 0;
	v = &rx_variants[(packed ? 20 : 0) + layout * 4 + (hash ? 2 : 0) + (offload ? 1 : 0)];
	return v->fn != NULL ? v : NULL;
}

uint16_t
vnet_rx_variant_id(const struct vnet_rx_variant *v)
{
	return (uint16_t)(v - rx_variants);
}

const struct vnet_rx_variant *
vnet_rx_variant_by_id(uint16_t id)
{
	if (id >= RTE_DIM(rx_variants) || rx_variants[id].fn == NULL)
		return NULL;
	return &rx_variants[id];
}
