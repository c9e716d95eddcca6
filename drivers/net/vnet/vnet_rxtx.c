/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Burst RX/TX on split virtqueues. One inline body per direction with const bool
 * parameters (coalesce, copy), instantiated as small wrappers; vnet_burst_select() picks
 * one at dev_start from the table that also feeds rx/tx_burst_mode_get.
 *
 * Kick batching invariant (doc/guides/nics/vnet.rst): every buffer the driver publishes is
 * kicked within a bounded delay if the device wants a kick: immediately without
 * coalescing; with coalescing at the next burst past the bound, or by the safety-net
 * thread, or at once when the ring is full.
 *
 * Copy mode (vhost-user without shareable EAL memory): each descriptor id owns a bounce
 * slot in memory shared with the backend; TX copies frames into it, RX copies out of it.
 * Cookies are then slot addresses, not mbufs.
 */

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>
#include <ethdev_driver.h>

#include "vnet_logs.h"
#include "vnet_rxtx.h"

#define VNET_RX_BURST_MAX	64
#define VNET_TX_RECLAIM_MAX	64
#define VNET_TX_MAX_SEGS	32
#define VNET_RX_PREFETCH	4
#define VNET_TX_PREFETCH	4

static void
report_broken(struct vnet_vq *vq, bool *logged, const char *dir, uint16_t port, uint16_t q)
{
	if (*logged)
		return;
	*logged = true;
	VNET_DRV_LOG(ERR, "port %u %s queue %u: %s; queue stopped until the port restarts",
		     port, dir, q, vnet_vring_strerror(vq->vr.error));
}

static __rte_always_inline void
kick_if_needed(struct vnet_vq *vq)
{
	if (vnet_vring_kick_prepare(&vq->vr))
		vnet_vq_notify(vq);
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

static __rte_always_inline void
rx_refill(struct vnet_rxq *rxq, const bool copy)
{
	struct vnet_vring *vr = &rxq->vq.vr;
	unsigned int n = vnet_vring_free_count(vr), i;

	if (n < rxq->free_thresh)
		return;
	if (n > VNET_RX_BURST_MAX)
		n = VNET_RX_BURST_MAX;
	if (copy) {
		struct vnet_vq *vq = &rxq->vq;

		/* No more than an mbuf takes: then every slot copies out into one mbuf. */
		uint32_t len = RTE_MIN(vq->bounce_slot, rxq->buf_len);

		for (i = 0; i < n; i++) {
			uint16_t id = vnet_vring_next_id(vr);

			vnet_vring_add1(vr, vq->bounce_iova + (uint64_t)id * vq->bounce_slot, len,
					true, vq->bounce + (size_t)id * vq->bounce_slot);
		}
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
			vnet_vring_add1(vr, vnet_mbuf_buf_addr(m, rxq->addr_off) +
					RTE_PKTMBUF_HEADROOM - rxq->hdr_size, rxq->buf_len,
					true, m);
		}
	}
	vnet_vring_publish(vr);
	kick_if_needed(&rxq->vq);
}

int
vnet_rxq_fill(struct vnet_rxq *rxq)
{
	struct vnet_vring *vr = &rxq->vq.vr;
	uint16_t thresh = rxq->free_thresh;

	rxq->free_thresh = 1;
	while (vnet_vring_free_count(vr) > 0) {
		unsigned int before = vnet_vring_free_count(vr);

		rx_refill(rxq, rxq->vq.copy);
		if (vnet_vring_free_count(vr) == before)
			break;
	}
	rxq->free_thresh = thresh;
	return vnet_vring_free_count(vr) == vr->num ? -ENOMEM : 0;
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
		rte_memcpy(rte_pktmbuf_mtod(m, void *), (uint8_t *)slots[i] + rxq->hdr_size, len);
		m->pkt_len = len;
		m->data_len = (uint16_t)len;
		m->port = rxq->port_id;
		pkts[k++] = m;
		*bytes += len;
	}
	return k;
}

static __rte_always_inline uint16_t
rx_burst(struct vnet_rxq *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts, const bool copy,
	 const bool hash)
{
	struct vnet_vring *vr = &rxq->vq.vr;
	uint32_t lens[VNET_RX_BURST_MAX];
	uint64_t bytes = 0;
	unsigned int n, i;

	if (nb_pkts > VNET_RX_BURST_MAX)
		nb_pkts = VNET_RX_BURST_MAX;
	if (copy) {
		void *slots[VNET_RX_BURST_MAX];

		n = vnet_vring_get_used(vr, slots, lens, nb_pkts);
		if (n > 0)
			n = rx_copy_out(rxq, pkts, slots, lens, n, &bytes);
	} else {
		uint16_t hdr = rxq->hdr_size;

		n = vnet_vring_get_used(vr, (void **)pkts, lens, nb_pkts);
		for (i = 0; i < n && i < VNET_RX_PREFETCH; i++)
			rte_prefetch0(pkts[i]);
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];

			if (i + VNET_RX_PREFETCH < n)
				rte_prefetch0(pkts[i + VNET_RX_PREFETCH]);
			uint32_t len = lens[i] - hdr;	/* the core checked lens[i] >= hdr */

			m->pkt_len = len;
			m->data_len = (uint16_t)len;
			m->ol_flags = 0;
			m->packet_type = RTE_PTYPE_UNKNOWN;
			if (hash)
				rx_hash(m, rte_pktmbuf_mtod_offset(m, const void *, -(int)hdr));
			bytes += len;
		}
	}
	rxq->stats.packets += n;
	rxq->stats.bytes += bytes;

	if (unlikely(vnet_vring_broken(vr))) {
		report_broken(&rxq->vq, &rxq->broken_logged, "rx", rxq->port_id, rxq->queue_id);
		return (uint16_t)n;
	}
	rx_refill(rxq, copy);
	vnet_vring_poll_cb_keepalive(vr);
	return (uint16_t)n;
}

/*
 * Copy mode with mergeable buffers: each bounce slot becomes an mbuf laid out as in
 * zero-copy mode (what the device wrote, header included, at data_off - hdr), so one merge
 * path serves both. A slot longer than an mbuf can take is dropped (counted).
 */
static __rte_always_inline unsigned int
rx_copy_raw(struct vnet_rxq *rxq, struct rte_mbuf **out, void **slots, uint32_t *lens,
	    unsigned int n)
{
	unsigned int i, k = 0;

	if (unlikely(rte_pktmbuf_alloc_bulk(rxq->mp, out, n) != 0)) {
		rxq->stats.nombuf += n;
		rxq->stats.dropped += n;
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
	if (rxq->mrg_head == NULL)
		return;
	rte_pktmbuf_free(rxq->mrg_head);
	rxq->mrg_head = NULL;
	rxq->mrg_tail = NULL;
	rxq->mrg_left = 0;
}

/*
 * Mergeable RX buffers (VIRTIO_NET_F_MRG_RXBUF, 5.1.6.4): the header of a packet's first
 * buffer says how many used buffers (num_buffers) it spans; the rest carry no header. The
 * buffers become one mbuf chain; a packet whose buffers are not all used yet is kept in the
 * queue until a later burst. The device is untrusted: num_buffers 0 drops that buffer,
 * num_buffers above the ring size breaks the queue (no later buffer could be trusted to
 * belong to a packet); either way every mbuf is freed exactly once.
 */
static __rte_always_inline uint16_t
rx_burst_mrg(struct vnet_rxq *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts, const bool copy,
	     const bool hash)
{
	struct vnet_vring *vr = &rxq->vq.vr;
	struct rte_mbuf *bufs[VNET_RX_BURST_MAX];
	uint32_t lens[VNET_RX_BURST_MAX];
	uint16_t hdr = rxq->hdr_size;
	uint64_t bytes = 0;
	unsigned int n, i, out = 0;

	if (nb_pkts > VNET_RX_BURST_MAX)
		nb_pkts = VNET_RX_BURST_MAX;
	if (copy) {
		void *slots[VNET_RX_BURST_MAX];

		n = vnet_vring_get_used(vr, slots, lens, nb_pkts);
		if (n > 0)
			n = rx_copy_raw(rxq, bufs, slots, lens, n);
	} else {
		n = vnet_vring_get_used(vr, (void **)bufs, lens, nb_pkts);
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
			nbuf = lens[i] < rxq->buf_len ? 1 : h->num_buffers;
			if (unlikely(nbuf == 0)) {
				rxq->stats.bad_num_buffers++;
				rte_pktmbuf_free(m);
				continue;
			}
			if (unlikely(nbuf > vr->num)) {
				rxq->stats.bad_num_buffers++;
				rte_pktmbuf_free_bulk(&bufs[i], n - i);
				vnet_vring_set_broken(vr, VNET_VRING_ERR_NUM_BUFFERS);
				break;
			}
			m->data_len = (uint16_t)(lens[i] - hdr);
			m->pkt_len = m->data_len;
			m->ol_flags = 0;
			m->packet_type = RTE_PTYPE_UNKNOWN;
			if (hash)
				rx_hash(m, (const void *)h);
			if (nbuf == 1) {
				bytes += m->pkt_len;
				pkts[out++] = m;
				continue;
			}
			rxq->mrg_head = m;
			rxq->mrg_tail = m;
			rxq->mrg_left = (uint16_t)(nbuf - 1);
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
			bytes += rxq->mrg_head->pkt_len;
			pkts[out++] = rxq->mrg_head;
			rxq->mrg_head = NULL;
			rxq->mrg_tail = NULL;
		}
	}
	rxq->stats.packets += out;
	rxq->stats.bytes += bytes;

	if (unlikely(vnet_vring_broken(vr))) {
		vnet_rxq_drop_partial(rxq);
		report_broken(&rxq->vq, &rxq->broken_logged, "rx", rxq->port_id, rxq->queue_id);
		return (uint16_t)out;
	}
	rx_refill(rxq, copy);
	vnet_vring_poll_cb_keepalive(vr);
	return (uint16_t)out;
}

static uint16_t
vnet_rx_split(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rx_burst(q, pkts, nb_pkts, false, false);
}

static uint16_t
vnet_rx_split_hash(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rx_burst(q, pkts, nb_pkts, false, true);
}

static uint16_t
vnet_rx_split_copy(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rx_burst(q, pkts, nb_pkts, true, false);
}

static uint16_t
vnet_rx_mrg(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rx_burst_mrg(q, pkts, nb_pkts, false, false);
}

static uint16_t
vnet_rx_mrg_hash(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rx_burst_mrg(q, pkts, nb_pkts, false, true);
}

static uint16_t
vnet_rx_mrg_copy(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rx_burst_mrg(q, pkts, nb_pkts, true, false);
}

/* ---- TX ---- */

/* Zero a net header with constant-size stores (a variable-size memset is a libc call). */
static __rte_always_inline void
zero_net_hdr(void *h, uint16_t size)
{
	if (size == sizeof(struct vnet_net_hdr_mrg))
		memset(h, 0, sizeof(struct vnet_net_hdr_mrg));
	else if (size == sizeof(struct vnet_net_hdr_hash))
		memset(h, 0, sizeof(struct vnet_net_hdr_hash));
	else
		memset(h, 0, sizeof(struct vnet_net_hdr));
}

/*
 * Free transmitted mbufs. With MBUF_FAST_FREE the application guarantees one pool and
 * refcnt 1, so single-segment mbufs go straight back to the pool without being touched;
 * chains (cookie tagged with bit 0) are freed segment by segment.
 */
static __rte_always_inline void
tx_free_mbufs(struct vnet_txq *txq, void **mbufs, unsigned int n)
{
	struct rte_mbuf *put[VNET_TX_RECLAIM_MAX];
	unsigned int i, k = 0;

	if (!txq->fast_free) {
		rte_pktmbuf_free_bulk((struct rte_mbuf **)mbufs, n);
		return;
	}
	for (i = 0; i < n; i++) {
		uintptr_t c = (uintptr_t)mbufs[i];

		if (unlikely(c & 1))
			rte_pktmbuf_free((struct rte_mbuf *)(c & ~(uintptr_t)1));
		else
			put[k++] = (struct rte_mbuf *)c;
	}
	if (k > 0)
		rte_mempool_put_bulk(put[0]->pool, (void **)put, k);
}

static __rte_always_inline void
tx_reclaim(struct vnet_txq *txq, const bool copy)
{
	struct vnet_vring *vr = &txq->vq.vr;
	void *done[VNET_TX_RECLAIM_MAX];
	unsigned int n;

	n = vnet_vring_get_used(vr, done, NULL, VNET_TX_RECLAIM_MAX);
	if (!copy && n > 0)
		tx_free_mbufs(txq, done, n);
}

/*
 * May the virtio-net header go into @m's headroom, so that the packet takes one descriptor
 * (a queue of N entries then holds N packets)? Only for a direct mbuf that nobody else
 * references (its headroom is its own) with room for the header. vnet requires
 * VERSION_1 or ANY_LAYOUT, so header and frame may share a descriptor (2.7.4).
 */
static __rte_always_inline bool
tx_hdr_fits(const struct rte_mbuf *m, uint16_t hdr)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 && m->data_off >= hdr;
}

/* The header line in front of the frame is usually cold: fetch it a few packets ahead. */
static __rte_always_inline void
tx_prefetch_hdr(const struct rte_mbuf *m, uint16_t hdr)
{
	rte_prefetch0(rte_pktmbuf_mtod_offset(m, const uint8_t *, -(int)hdr));
}

/* Multi-segment or shared mbuf: the shared zero header, then every non-empty segment. */
static int
tx_add_chain(struct vnet_txq *txq, struct rte_mbuf *m)
{
	struct vnet_sg sg[VNET_TX_MAX_SEGS + 1];
	struct rte_mbuf *s;
	unsigned int k = 1;

	if (m->nb_segs > VNET_TX_MAX_SEGS)
		return -EINVAL;
	sg[0].addr = txq->hdr_iova;
	sg[0].len = txq->hdr_size;
	for (s = m; s != NULL && k <= VNET_TX_MAX_SEGS; s = s->next) {
		if (s->data_len == 0)
			continue;
		sg[k].addr = vnet_mbuf_buf_addr(s, txq->addr_off) + s->data_off;
		sg[k].len = s->data_len;
		k++;
	}
	/* Bit 0 of the cookie (mbufs are cache-line aligned): free it as a chain. */
	return vnet_vring_add(&txq->vq.vr, sg, k, 0,
			      txq->fast_free ? (void *)((uintptr_t)m | 1) : m,
			      txq->indirect && k <= VNET_TX_IND_MAX);
}

/* Copy mode: zero header + frame into the bounce slot of the next descriptor. */
static __rte_always_inline int
tx_add_copy(struct vnet_txq *txq, struct rte_mbuf *m)
{
	struct vnet_vq *vq = &txq->vq;
	uint16_t id = vnet_vring_next_id(&vq->vr), hdr = txq->hdr_size;
	uint8_t *slot = vq->bounce + (size_t)id * vq->bounce_slot;
	uint8_t *dst = slot + hdr;
	const struct rte_mbuf *s;

	if (unlikely(m->pkt_len + hdr > vq->bounce_slot))
		return -EMSGSIZE;
	zero_net_hdr(slot, hdr);
	for (s = m; s != NULL; s = s->next) {
		rte_memcpy(dst, rte_pktmbuf_mtod(s, const void *), s->data_len);
		dst += s->data_len;
	}
	return vnet_vring_add1(&vq->vr, vq->bounce_iova + (uint64_t)id * vq->bounce_slot,
			       m->pkt_len + hdr, false, slot);
}

/* Decide about a kick now and account for the time the oldest buffer waited. */
static __rte_always_inline void
tx_kick_now(struct vnet_txq *txq, uint64_t now)
{
	uint64_t start = __atomic_exchange_n(&txq->defer_start, 0, __ATOMIC_RELAXED);

	/* Signed: a queue moved to another lcore brings another TSC. */
	if (start != 0 && (int64_t)(now - start) > (int64_t)txq->stats.max_deferral_tsc)
		txq->stats.max_deferral_tsc = now - start;
	kick_if_needed(&txq->vq);
}

static __rte_always_inline uint16_t
tx_burst(struct vnet_txq *txq, struct rte_mbuf **pkts, uint16_t nb_pkts, const bool coalesce,
	 const bool copy)
{
	struct vnet_vring *vr = &txq->vq.vr;
	struct rte_mbuf *copied[VNET_TX_RECLAIM_MAX];
	uint16_t hdr = txq->hdr_size;
	uint64_t bytes = 0;
	uint16_t i, sent = 0, ncopied = 0;

	if (unlikely(vnet_vring_broken(vr))) {
		report_broken(&txq->vq, &txq->broken_logged, "tx", txq->port_id, txq->queue_id);
		return 0;
	}
	if (copy && nb_pkts > VNET_TX_RECLAIM_MAX)
		nb_pkts = VNET_TX_RECLAIM_MAX;	/* bounds the mbufs freed in bulk below */
	if (coalesce) {
		uint64_t sk = __atomic_load_n(&txq->safety_kicks, __ATOMIC_ACQUIRE);

		/* The safety net kicked what earlier bursts published: count afresh. */
		if (unlikely(sk != txq->safety_seen)) {
			txq->safety_seen = sk;
			vnet_vring_note_external_kick(vr);
		}
	}
	if (vnet_vring_free_count(vr) < txq->free_thresh)
		tx_reclaim(txq, copy);

	if (!copy && !txq->indirect)
		for (i = 0; i < nb_pkts && i < VNET_TX_PREFETCH; i++)
			tx_prefetch_hdr(pkts[i], hdr);
	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		bool single = !copy && m->nb_segs == 1;
		/*
		 * One ring slot per packet: with indirect tables the constant header and the
		 * frame (as fast as a two-descriptor chain, nothing written into the mbuf),
		 * else the header in the mbuf's own headroom when it may go there.
		 */
		bool inplace = single && !txq->indirect && tx_hdr_fits(m, hdr);
		/* A chain in an indirect table takes one slot (empty segments only shrink it). */
		unsigned int need = copy || inplace ||
				    (txq->indirect && m->nb_segs + 1u <= VNET_TX_IND_MAX) ?
				    1 : m->nb_segs + 1u;
		int ret;

		if (unlikely(!copy && !single &&
			     (m->nb_segs > VNET_TX_MAX_SEGS || need > vr->num))) {
			txq->stats.errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (unlikely(vnet_vring_free_count(vr) < need)) {
			tx_reclaim(txq, copy);
			if (vnet_vring_free_count(vr) < need) {
				txq->stats.ring_full++;
				break;
			}
		}
		if (!copy && !txq->indirect && i + VNET_TX_PREFETCH < nb_pkts)
			tx_prefetch_hdr(pkts[i + VNET_TX_PREFETCH], hdr);
		if (copy) {
			ret = tx_add_copy(txq, m);
		} else if (likely(single && txq->indirect)) {
			ret = vnet_vring_add_ind2(vr, txq->pairs, txq->pairs_iova,
						  vnet_mbuf_buf_addr(m, txq->addr_off) +
						  m->data_off, m->data_len, m);
		} else if (likely(inplace)) {
			uint64_t addr = vnet_mbuf_buf_addr(m, txq->addr_off) + m->data_off - hdr;

			zero_net_hdr(rte_pktmbuf_mtod_offset(m, void *, -(int)hdr), hdr);
			ret = vnet_vring_add1(vr, addr, m->data_len + (uint32_t)hdr, false, m);
		} else if (likely(single)) {
			/* Not direct, shared, or no headroom: the queue's constant zero header first. */
			ret = vnet_vring_add2(vr, txq->hdr_iova, hdr,
					      vnet_mbuf_buf_addr(m, txq->addr_off) + m->data_off,
					      m->data_len, m);
		} else {
			ret = tx_add_chain(txq, m);
		}
		if (unlikely(ret != 0)) {
			/* Taken and dropped: the caller must not retry it. */
			txq->stats.errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		sent++;
		bytes += m->pkt_len;
		if (copy)
			copied[ncopied++] = txq->fast_free && m->nb_segs > 1 ?
					    (struct rte_mbuf *)((uintptr_t)m | 1) : m;
	}

	vnet_vring_publish(vr);
	txq->stats.packets += sent;
	txq->stats.bytes += bytes;
	if (copy && ncopied > 0)
		tx_free_mbufs(txq, (void **)copied, ncopied);

	if (!coalesce) {
		kick_if_needed(&txq->vq);
	} else if (vr->unkicked != 0) {
		uint64_t now = rte_get_tsc_cycles();
		uint64_t start;

		/*
		 * Order the avail->idx store before reading defer_start: reading a stale
		 * non-zero value while the safety thread clears it and kicks an older index
		 * would leave these buffers with neither a kick nor a pending deferral.
		 */
		VNET_MB();
		start = __atomic_load_n(&txq->defer_start, __ATOMIC_RELAXED);

		if (vr->unkicked >= txq->coalesce_pkts || i < nb_pkts ||
		    (start != 0 && now - start >= txq->coalesce_tsc)) {
			tx_kick_now(txq, now);
		} else {
			txq->stats.kicks_deferred++;
			if (start == 0)
				__atomic_store_n(&txq->defer_start, now, __ATOMIC_RELEASE);
		}
	}
	return i;
}

static uint16_t
vnet_tx_split(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return tx_burst(q, pkts, nb_pkts, false, false);
}

static uint16_t
vnet_tx_split_coalesce(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return tx_burst(q, pkts, nb_pkts, true, false);
}

static uint16_t
vnet_tx_split_copy(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return tx_burst(q, pkts, nb_pkts, false, true);
}

static uint16_t
vnet_tx_split_coalesce_copy(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return tx_burst(q, pkts, nb_pkts, true, true);
}

bool
vnet_txq_ind_init(struct vnet_txq *txq)
{
	struct vnet_vring *vr = &txq->vq.vr;
	unsigned int i;

	if (txq->pairs == NULL)
		return false;
	for (i = 0; i < vr->num; i++) {
		vnet_desc_write(&vr->indirect[(size_t)i * vr->indirect_max], txq->hdr_iova,
				txq->hdr_size, VNET_VRING_DESC_F_NEXT, 1);
		vnet_desc_write(&txq->pairs[2 * (size_t)i], txq->hdr_iova, txq->hdr_size,
				VNET_VRING_DESC_F_NEXT, 1);
	}
	return true;
}

void
vnet_txq_safety_kick(struct vnet_txq *txq, uint64_t now)
{
	uint64_t start = __atomic_load_n(&txq->defer_start, __ATOMIC_ACQUIRE);
	uint64_t waited;

	/*
	 * Time a deferral with this thread's clock only: defer_start comes from the lcore's
	 * TSC, and TSCs of different CPUs need not agree (QEMU TCG vCPUs do not). A deferral
	 * is first seen at most one period after it began, so the kick comes within
	 * kick_delay_us plus one period.
	 */
	if (start == 0) {
		txq->safety_start_seen = 0;
		return;
	}
	if (start != txq->safety_start_seen) {
		txq->safety_start_seen = start;
		txq->safety_first_tsc = now;
		return;
	}
	waited = now - txq->safety_first_tsc;
	if (waited < txq->coalesce_tsc)
		return;
	/* Only the thread that clears defer_start kicks; the doorbell write is idempotent. */
	if (!__atomic_compare_exchange_n(&txq->defer_start, &start, 0, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return;
	txq->safety_start_seen = 0;
	vnet_vq_notify(&txq->vq);
	if (waited > __atomic_load_n(&txq->safety_max_deferral_tsc, __ATOMIC_RELAXED))
		__atomic_store_n(&txq->safety_max_deferral_tsc, waited, __ATOMIC_RELAXED);
	__atomic_fetch_add(&txq->safety_kicks, 1, __ATOMIC_RELEASE);
}

/*
 * Every variant, by RX layout (zero-copy / copy mode, mergeable buffers, hash report) and TX
 * kick policy. The hash report is zero-copy only: copy mode is vhost-user, which never
 * negotiates it.
 */
static const struct vnet_burst_variant variants[] = {
	{ "split ring, zero-copy, kick per burst", vnet_rx_split, vnet_tx_split },
	{ "split ring, zero-copy, coalesced TX kicks", vnet_rx_split, vnet_tx_split_coalesce },
	{ "split ring, zero-copy, RSS hash report, kick per burst", vnet_rx_split_hash,
	  vnet_tx_split },
	{ "split ring, zero-copy, RSS hash report, coalesced TX kicks", vnet_rx_split_hash,
	  vnet_tx_split_coalesce },
	{ "split ring, zero-copy, mergeable RX, kick per burst", vnet_rx_mrg, vnet_tx_split },
	{ "split ring, zero-copy, mergeable RX, coalesced TX kicks", vnet_rx_mrg,
	  vnet_tx_split_coalesce },
	{ "split ring, zero-copy, mergeable RX, RSS hash report, kick per burst",
	  vnet_rx_mrg_hash, vnet_tx_split },
	{ "split ring, zero-copy, mergeable RX, RSS hash report, coalesced TX kicks",
	  vnet_rx_mrg_hash, vnet_tx_split_coalesce },
	{ "split ring, copy mode (bounce buffers), kick per burst", vnet_rx_split_copy,
	  vnet_tx_split_copy },
	{ "split ring, copy mode (bounce buffers), coalesced TX kicks", vnet_rx_split_copy,
	  vnet_tx_split_coalesce_copy },
	{ "split ring, copy mode (bounce buffers), mergeable RX, kick per burst",
	  vnet_rx_mrg_copy, vnet_tx_split_copy },
	{ "split ring, copy mode (bounce buffers), mergeable RX, coalesced TX kicks",
	  vnet_rx_mrg_copy, vnet_tx_split_coalesce_copy },
};

const struct vnet_burst_variant *
vnet_burst_select(bool coalesce, bool copy, bool mrg, bool hash)
{
	unsigned int k = coalesce ? 1 : 0;

	if (copy)
		return &variants[8 + (mrg ? 2 : 0) + k];
	return &variants[(mrg ? 4 : 0) + (hash ? 2 : 0) + k];
}
