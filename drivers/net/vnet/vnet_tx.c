/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Burst TX on split virtqueues. One inline body with const bool parameters (coalesce, copy,
 * offload), instantiated as small wrappers; vnet_tx_select() picks one at dev_start from
 * the table that also feeds tx_burst_mode_get.
 *
 * Kick batching invariant (doc/guides/nics/vnet.rst): every buffer the driver publishes is
 * kicked within a bounded delay if the device wants a kick: immediately without
 * coalescing; with coalescing at the next burst past the bound, or by the safety-net
 * thread, or at once when the ring is full.
 *
 * Copy mode (vhost-user without shareable EAL memory): each descriptor id owns a bounce
 * slot in memory shared with the backend; TX copies frames into it. Cookies are then slot
 * addresses, not mbufs.
 *
 * Offloads: each packet's header is built from its offload flags (vnet_offload.h) into its
 * headroom when the mbuf allows it, else into the header slot of its descriptor id.
 */

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>
#include <ethdev_driver.h>

#include "vnet_logs.h"
#include "vnet_offload.h"
#include "vnet_rxtx.h"

#define VNET_TX_RECLAIM_MAX	64
#define VNET_TX_PREFETCH	4

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
 * Zero a net header that is not zero already. A headroom (or bounce slot) the device read
 * last time is usually still zero: reading it keeps its line shared with the device's core,
 * where a store would take it back exclusively (the cross-core miss that made the in-place
 * layout twice as expensive as an indirect table at 64 B).
 */
static __rte_always_inline void
clear_net_hdr(void *h, uint16_t size)
{
	const uint8_t *p = h;
	uint64_t a, b = 0;
	uint32_t c;
	uint16_t t;

	memcpy(&a, p, sizeof(a));
	if (size == sizeof(struct vnet_net_hdr_hash)) {
		memcpy(&b, p + 8, sizeof(b));
		memcpy(&c, p + 16, sizeof(c));
	} else if (size == sizeof(struct vnet_net_hdr_mrg)) {
		memcpy(&c, p + 8, sizeof(c));
	} else {
		memcpy(&t, p + 8, sizeof(t));
		c = t;
	}
	if (unlikely((a | b | c) != 0))
		zero_net_hdr(h, size);
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
tx_reclaim(struct vnet_txq *txq, const bool packed, const bool copy)
{
	void *done[VNET_TX_RECLAIM_MAX];
	unsigned int n;

	n = vq_get_used(&txq->vq, packed, done, NULL, VNET_TX_RECLAIM_MAX);
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

/* Multi-segment or shared mbuf: the header at @p hdr_addr, then every non-empty segment. */
static __rte_always_inline int
tx_add_chain(struct vnet_txq *txq, struct rte_mbuf *m, uint64_t hdr_addr, const bool packed)
{
	struct vnet_sg sg[VNET_TX_MAX_SEGS + 1];
	struct rte_mbuf *s;
	unsigned int k = 1;

	if (m->nb_segs > VNET_TX_MAX_SEGS)
		return -EINVAL;
	sg[0].addr = hdr_addr;
	sg[0].len = txq->hdr_size;
	for (s = m; s != NULL && k <= VNET_TX_MAX_SEGS; s = s->next) {
		if (s->data_len == 0)
			continue;
		sg[k].addr = vnet_mbuf_buf_addr(s, txq->addr_off) + s->data_off;
		sg[k].len = s->data_len;
		k++;
	}
	/* Bit 0 of the cookie (mbufs are cache-line aligned): free it as a chain. */
	return vq_add(&txq->vq, packed, sg, k, 0,
			      txq->fast_free ? (void *)((uintptr_t)m | 1) : m,
			      txq->indirect && k <= VNET_TX_IND_MAX);
}

/* Copy mode: header + frame into the bounce slot of the next descriptor. */
static __rte_always_inline int
tx_add_copy(struct vnet_txq *txq, struct rte_mbuf *m, const bool packed, const bool offload)
{
	struct vnet_vq *vq = &txq->vq;
	uint16_t id = vq_next_id(vq, packed), hdr = txq->hdr_size;
	uint8_t *slot = vq->bounce + (size_t)id * vq->bounce_slot;
	uint8_t *dst = slot + hdr;
	const struct rte_mbuf *s;

	if (unlikely(m->pkt_len + hdr > vq->bounce_slot))
		return -EMSGSIZE;
	if (offload) {
		int ret = vnet_tx_offload_hdr(txq, m, slot, hdr);

		if (unlikely(ret != 0))
			return ret;
	} else {
		clear_net_hdr(slot, hdr);
	}
	for (s = m; s != NULL; s = s->next) {
		rte_memcpy(dst, rte_pktmbuf_mtod(s, const void *), s->data_len);
		dst += s->data_len;
	}
	return vq_add1(vq, packed, vq->bounce_iova + (uint64_t)id * vq->bounce_slot,
			       m->pkt_len + hdr, false, slot);
}

/* Decide about a kick now and account for the time the oldest buffer waited. */
static __rte_always_inline void
tx_kick_now(struct vnet_txq *txq, uint64_t now, const bool packed)
{
	uint64_t start = __atomic_exchange_n(&txq->defer_start, 0, __ATOMIC_RELAXED);

	/* Signed: a queue moved to another lcore brings another TSC. */
	if (start != 0 && (int64_t)(now - start) > (int64_t)txq->stats.max_deferral_tsc)
		txq->stats.max_deferral_tsc = now - start;
	vnet_vq_kick_if_needed(&txq->vq, packed);
}

/* Offloads: the header slot of the next descriptor id (and its device address). */
static __rte_always_inline void *
tx_hdr_slot(struct vnet_txq *txq, uint64_t *iova, const bool packed)
{
	uint16_t id = vq_next_id(&txq->vq, packed);

	*iova = txq->hdrs_iova + (uint64_t)id * VNET_TX_HDR_STRIDE;
	return txq->hdrs + (size_t)id * VNET_TX_HDR_STRIDE;
}

/* Add one zero-copy packet: the layout for its shape, its header if offloads are on. */
static __rte_always_inline int
tx_add_one(struct vnet_txq *txq, struct rte_mbuf *m, bool single, bool inplace,
	   const bool packed, const bool offload)
{
	struct vnet_vq *vq = &txq->vq;
	uint16_t hdr = txq->hdr_size;
	uint64_t hdr_iova = txq->hdr_iova;
	int ret;

	if (likely(inplace)) {
		void *h = rte_pktmbuf_mtod_offset(m, void *, -(int)hdr);

		if (offload) {
			ret = vnet_tx_offload_hdr(txq, m, h, hdr);
			if (unlikely(ret != 0))
				return ret;
		} else {
			clear_net_hdr(h, hdr);
		}
		return vq_add1(vq, packed,
			       vnet_mbuf_buf_addr(m, txq->addr_off) + m->data_off - hdr,
			       m->data_len + (uint32_t)hdr, false, m);
	}
	if (single && txq->indirect) {
		/* With offloads entry 0 of each pair is that id's header slot. */
		if (offload) {
			ret = vnet_tx_offload_hdr(txq, m, tx_hdr_slot(txq, &hdr_iova, packed), hdr);
			if (unlikely(ret != 0))
				return ret;
		}
		return vq_add_ind2(vq, packed, txq->pairs, txq->pairs_iova,
					   vnet_mbuf_buf_addr(m, txq->addr_off) + m->data_off,
					   m->data_len, m);
	}
	if (offload) {
		ret = vnet_tx_offload_hdr(txq, m, tx_hdr_slot(txq, &hdr_iova, packed), hdr);
		if (unlikely(ret != 0))
			return ret;
	}
	if (likely(single))	/* not direct, shared, or no headroom */
		return vq_add2(vq, packed, hdr_iova, hdr,
				       vnet_mbuf_buf_addr(m, txq->addr_off) + m->data_off,
				       m->data_len, m);
	return tx_add_chain(txq, m, hdr_iova, packed);
}

RTE_DEFINE_PER_LCORE(struct vnet_idle_list, vnet_idle_list);

/* Adaptive moderation picked another threshold: load it. */
static inline void
tx_kick_level(struct vnet_txq *txq)
{
	uint32_t t = vnet_kickmod_thresh(&txq->km);

	txq->coalesce_pkts = (uint16_t)(t > UINT16_MAX ? UINT16_MAX : t);
}

/* A kick decision of an adaptive queue was taken: tell the moderation how it ended. */
static inline void
tx_kick_end(struct vnet_txq *txq, enum vnet_kickmod_end why, uint32_t batch)
{
	if (vnet_kickmod_end(&txq->km, why, batch))
		tx_kick_level(txq);
}

void
vnet_txq_kick_policy_init(struct vnet_txq *txq, uint64_t max_delay_tsc)
{
	if (!txq->adaptive)
		return;
	txq->idle_listed = false;
	txq->idle_owner = NULL;
	/* Up to 3/4 of the ring may wait: the last quarter keeps the device fed meanwhile. */
	vnet_kickmod_init(&txq->km, txq->vq.size - txq->vq.size / 4);
	tx_kick_level(txq);
	__atomic_store_n(&txq->coalesce_tsc, max_delay_tsc != 0 ? max_delay_tsc : 1,
			 __ATOMIC_RELAXED);
}

/* A deferral began on this lcore: end it at this lcore's next empty RX poll. */
static inline void
tx_idle_register(struct vnet_txq *txq)
{
	struct vnet_idle_list *l = &RTE_PER_LCORE(vnet_idle_list);

	if (txq->idle_listed && txq->idle_owner == l)
		return;
	if (l->n >= VNET_IDLE_LIST_MAX)
		return;	/* the delay bounds this deferral */
	l->e[l->n].txq = txq;
	l->e[l->n].port_id = txq->port_id;
	l->e[l->n].queue_id = txq->queue_id;
	l->n++;
	txq->idle_listed = true;
	txq->idle_owner = l;
}

void
vnet_tx_idle_flush(void)
{
	struct vnet_idle_list *l = &RTE_PER_LCORE(vnet_idle_list);
	uint64_t now = rte_get_tsc_cycles();
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		struct rte_eth_dev *dev = &rte_eth_devices[l->e[i].port_id];
		struct vnet_txq *txq = l->e[i].txq;
		uint16_t q = l->e[i].queue_id;
		uint32_t batch;

		/*
		 * The entry may be stale: the port stopped, closed or reconfigured since the
		 * deferral (its queue memory gone). Only a queue the port still has, started,
		 * and still listed by this lcore is touched.
		 */
		if (dev->data == NULL || !dev->data->dev_started || dev->data->tx_queues == NULL ||
		    q >= dev->data->nb_tx_queues || dev->data->tx_queues[q] != (void *)txq)
			continue;
		if (!txq->idle_listed || txq->idle_owner != l)
			continue;
		txq->idle_listed = false;
		/* A stopped queue, or one a recovery is resetting, is not touched (fence). */
		if (unlikely(!vnet_burst_enter(&txq->vq)))
			continue;
		batch = vq_unkicked(&txq->vq, txq->vq.packed);
		if (batch != 0) {	/* else decided already (threshold, delay, safety net) */
			txq->stats.idle_flushes++;
			if (txq->vq.packed)
				tx_kick_now(txq, now, true);
			else
				tx_kick_now(txq, now, false);
			tx_kick_end(txq, VNET_KICKMOD_END_IDLE, batch);
		}
		vnet_burst_leave(&txq->vq);
	}
	l->n = 0;
}

static __rte_always_inline uint16_t
tx_burst(struct vnet_txq *txq, struct rte_mbuf **pkts, uint16_t nb_pkts, const bool packed,
	 const bool coalesce, const bool copy, const bool offload)
{
	struct vnet_vq *vq = &txq->vq;
	struct rte_mbuf *copied[VNET_TX_RECLAIM_MAX];
	uint16_t hdr = txq->hdr_size;
	uint64_t bytes = 0;
	uint16_t i, sent = 0, ncopied = 0;

	if (unlikely(vq_broken(vq, packed))) {
		vnet_queue_report_broken(&txq->vq, &txq->broken_logged, "tx", txq->port_id,
					 txq->queue_id);
		return 0;
	}
	if (copy && nb_pkts > VNET_TX_RECLAIM_MAX)
		nb_pkts = VNET_TX_RECLAIM_MAX;	/* bounds the mbufs freed in bulk below */
	if (coalesce) {
		uint64_t sk = __atomic_load_n(&txq->safety_kicks, __ATOMIC_ACQUIRE);

		/*
		 * The safety net kicked what earlier bursts published: count afresh, unless
		 * a burst deferred after that kick (defer_start set again; see rx_kick_settle()).
		 */
		if (unlikely(sk != txq->safety_seen)) {
			txq->safety_seen = sk;
			if (txq->adaptive)
				tx_kick_end(txq, VNET_KICKMOD_END_DELAY, vq_unkicked(vq, packed));
			if (__atomic_load_n(&txq->defer_start, __ATOMIC_ACQUIRE) == 0)
				vq_note_external_kick(vq, packed);
		}
	}
	if (vq_free_count(vq, packed) < txq->free_thresh)
		tx_reclaim(txq, packed, copy);

	if (!copy)
		for (i = 0; i < nb_pkts && i < VNET_TX_PREFETCH; i++)
			tx_prefetch_hdr(pkts[i], hdr);
	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		bool single, inplace;
		unsigned int need;
		int ret;

		/*
		 * VLAN insertion in software (virtio has none); rte_vlan_insert() adds the tag
		 * to l2_len itself (outer_l2_len for tunnels).
		 */
		if (offload && (m->ol_flags & RTE_MBUF_F_TX_VLAN)) {
			if (unlikely(rte_vlan_insert(&m) != 0)) {
				txq->stats.errors++;
				rte_pktmbuf_free(m);
				continue;
			}
		}
		single = !copy && m->nb_segs == 1;
		/*
		 * One ring slot per packet: the header in the mbuf's own headroom when it may
		 * go there (one direct descriptor, which backends take fastest: DPDK's vhost
		 * dequeues packed rings in batches only without INDIRECT or NEXT), else an
		 * indirect pair (constant header, frame), else a chain.
		 */
		inplace = single && tx_hdr_fits(m, hdr);
		/* A chain in an indirect table takes one slot (empty segments only shrink it). */
		need = copy || inplace || (txq->indirect && m->nb_segs + 1u <= VNET_TX_IND_MAX) ?
		       1 : m->nb_segs + 1u;

		if (unlikely(!copy && !single &&
			     (m->nb_segs > VNET_TX_MAX_SEGS || need > vq_num(vq, packed)))) {
			txq->stats.errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (unlikely(vq_free_count(vq, packed) < need)) {
			tx_reclaim(txq, packed, copy);
			if (vq_free_count(vq, packed) < need) {
				txq->stats.ring_full++;
				pkts[i] = m;	/* VLAN insertion may have replaced it */
				break;
			}
		}
		if (!copy && i + VNET_TX_PREFETCH < nb_pkts)
			tx_prefetch_hdr(pkts[i + VNET_TX_PREFETCH], hdr);
		if (copy)
			ret = tx_add_copy(txq, m, packed, offload);
		else
			ret = tx_add_one(txq, m, single, inplace, packed, offload);
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

	vq_publish(vq, packed);
	txq->stats.packets += sent;
	txq->stats.bytes += bytes;
	if (copy && ncopied > 0)
		tx_free_mbufs(txq, (void **)copied, ncopied);

	if (!coalesce) {
		vnet_vq_kick_if_needed(&txq->vq, packed);
	} else if (vq_unkicked(vq, packed) != 0) {
		uint64_t now = rte_get_tsc_cycles();
		uint32_t batch = vq_unkicked(vq, packed);
		uint64_t start;
		int why = -1;

		/*
		 * Order the avail->idx store before reading defer_start: reading a stale
		 * non-zero value while the safety thread clears it and kicks an older index
		 * would leave these buffers with neither a kick nor a pending deferral.
		 */
		VNET_MB();
		start = __atomic_load_n(&txq->defer_start, __ATOMIC_RELAXED);

		/* Refused packets first: the moderation must learn of them (vnet_kickmod.h). */
		if (i < nb_pkts)
			why = VNET_KICKMOD_END_FULL;
		else if (batch >= txq->coalesce_pkts)
			why = VNET_KICKMOD_END_THRESH;
		else if (start != 0 && now - start >= txq->coalesce_tsc)
			why = VNET_KICKMOD_END_DELAY;
		else if (txq->adaptive && start == 0 && batch < VNET_KICKMOD_LONE)
			why = VNET_KICKMOD_END_LONE;
		if (why >= 0) {
			tx_kick_now(txq, now, packed);
			if (txq->adaptive)
				tx_kick_end(txq, (enum vnet_kickmod_end)why, batch);
		} else {
			txq->stats.kicks_deferred++;
			if (start == 0)
				__atomic_store_n(&txq->defer_start, now, __ATOMIC_RELEASE);
			if (txq->adaptive)
				tx_idle_register(txq);
		}
	}
	return i;
}

#define TX_ONE(name, packed, coalesce, copy, off)				\
static uint16_t									\
name(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)				\
{										\
	uint16_t n;								\
										\
	if (unlikely(!vnet_burst_enter(q)))					\
		return 0;							\
	n = tx_burst(q, pkts, nb_pkts, packed, coalesce, copy, off);		\
	vnet_burst_leave(q);							\
	return n;								\
}

TX_ONE(vnet_tx_split, false, false, false, false)
TX_ONE(vnet_tx_split_coalesce, false, true, false, false)
TX_ONE(vnet_tx_split_copy, false, false, true, false)
TX_ONE(vnet_tx_split_copy_coalesce, false, true, true, false)
TX_ONE(vnet_tx_split_off, false, false, false, true)
TX_ONE(vnet_tx_split_coalesce_off, false, true, false, true)
TX_ONE(vnet_tx_split_copy_off, false, false, true, true)
TX_ONE(vnet_tx_split_copy_coalesce_off, false, true, true, true)
TX_ONE(vnet_tx_packed, true, false, false, false)
TX_ONE(vnet_tx_packed_coalesce, true, true, false, false)
TX_ONE(vnet_tx_packed_copy, true, false, true, false)
TX_ONE(vnet_tx_packed_copy_coalesce, true, true, true, false)
TX_ONE(vnet_tx_packed_off, true, false, false, true)
TX_ONE(vnet_tx_packed_coalesce_off, true, true, false, true)
TX_ONE(vnet_tx_packed_copy_off, true, false, true, true)
TX_ONE(vnet_tx_packed_copy_coalesce_off, true, true, true, true)

bool
vnet_txq_ind_init(struct vnet_txq *txq)
{
	struct vnet_vring *vr = &txq->vq.vr;
	unsigned int i;

	if (txq->pairs == NULL)
		return false;
	for (i = 0; i < txq->vq.size; i++) {
		uint64_t h = txq->offload ? txq->hdrs_iova + (uint64_t)i * VNET_TX_HDR_STRIDE :
			     txq->hdr_iova;

		if (txq->vq.packed) {
			/* Packed-format tables are read in sequence, no NEXT (2.8.19). */
			vnet_pdesc_write((struct vnet_pvirtq_desc *)&txq->pairs[2 * (size_t)i], h,
					 txq->hdr_size, 0, 0, false);
			continue;
		}
		vnet_desc_write(&vr->indirect[(size_t)i * vr->indirect_max], h, txq->hdr_size,
				VNET_VRING_DESC_F_NEXT, 1);
		vnet_desc_write(&txq->pairs[2 * (size_t)i], h, txq->hdr_size,
				VNET_VRING_DESC_F_NEXT, 1);
	}
	return true;
}

enum vnet_safety_scan
vnet_txq_safety_kick(struct vnet_txq *txq, uint64_t now)
{
	uint64_t start = __atomic_load_n(&txq->defer_start, __ATOMIC_ACQUIRE);
	uint64_t deferred, waited;
	bool live;

	/*
	 * Time a deferral with this thread's clock only: defer_start comes from the lcore's
	 * TSC, and TSCs of different CPUs need not agree (QEMU TCG vCPUs do not). A deferral
	 * is first seen at most one period after it began, so the kick comes within
	 * kick_delay_us plus one period.
	 */
	if (start == 0) {
		txq->safety_start_seen = 0;
		return VNET_SAFETY_NONE;
	}
	/* The lcore deferred here since the last scan: it decides (and times) this queue. */
	deferred = __atomic_load_n(&txq->stats.kicks_deferred, __ATOMIC_RELAXED);
	live = deferred != txq->safety_deferred_seen;
	txq->safety_deferred_seen = deferred;
	if (start != txq->safety_start_seen) {
		txq->safety_start_seen = start;
		txq->safety_first_tsc = now;
		return live ? VNET_SAFETY_LIVE : VNET_SAFETY_WAIT;
	}
	waited = now - txq->safety_first_tsc;
	if (waited < __atomic_load_n(&txq->coalesce_tsc, __ATOMIC_RELAXED))
		return live ? VNET_SAFETY_LIVE : VNET_SAFETY_WAIT;
	/* Only the thread that clears defer_start kicks; the doorbell write is idempotent. */
	if (!__atomic_compare_exchange_n(&txq->defer_start, &start, 0, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return VNET_SAFETY_NONE;
	txq->safety_start_seen = 0;
	vnet_vq_notify(&txq->vq);
	if (waited > __atomic_load_n(&txq->safety_max_deferral_tsc, __ATOMIC_RELAXED))
		__atomic_store_n(&txq->safety_max_deferral_tsc, waited, __ATOMIC_RELAXED);
	__atomic_fetch_add(&txq->safety_kicks, 1, __ATOMIC_RELEASE);
	return VNET_SAFETY_WAIT;
}

/* Indexed by ring * 8 + offload * 4 + copy * 2 + coalesce. */
static const struct vnet_tx_variant tx_variants[] = {
	{ "split ring, zero-copy, kick per burst",
	  vnet_tx_split, NULL },
	{ "split ring, zero-copy, coalesced kicks",
	  vnet_tx_split_coalesce, NULL },
	{ "split ring, copy mode (bounce buffers), kick per burst",
	  vnet_tx_split_copy, NULL },
	{ "split ring, copy mode (bounce buffers), coalesced kicks",
	  vnet_tx_split_copy_coalesce, NULL },
	{ "split ring, zero-copy, offloads, kick per burst",
	  vnet_tx_split_off, vnet_tx_prepare },
	{ "split ring, zero-copy, offloads, coalesced kicks",
	  vnet_tx_split_coalesce_off, vnet_tx_prepare },
	{ "split ring, copy mode (bounce buffers), offloads, kick per burst",
	  vnet_tx_split_copy_off, vnet_tx_prepare },
	{ "split ring, copy mode (bounce buffers), offloads, coalesced kicks",
	  vnet_tx_split_copy_coalesce_off, vnet_tx_prepare },
	{ "packed ring, zero-copy, kick per burst",
	  vnet_tx_packed, NULL },
	{ "packed ring, zero-copy, coalesced kicks",
	  vnet_tx_packed_coalesce, NULL },
	{ "packed ring, copy mode (bounce buffers), kick per burst",
	  vnet_tx_packed_copy, NULL },
	{ "packed ring, copy mode (bounce buffers), coalesced kicks",
	  vnet_tx_packed_copy_coalesce, NULL },
	{ "packed ring, zero-copy, offloads, kick per burst",
	  vnet_tx_packed_off, vnet_tx_prepare },
	{ "packed ring, zero-copy, offloads, coalesced kicks",
	  vnet_tx_packed_coalesce_off, vnet_tx_prepare },
	{ "packed ring, copy mode (bounce buffers), offloads, kick per burst",
	  vnet_tx_packed_copy_off, vnet_tx_prepare },
	{ "packed ring, copy mode (bounce buffers), offloads, coalesced kicks",
	  vnet_tx_packed_copy_coalesce_off, vnet_tx_prepare },
};

const struct vnet_tx_variant *
vnet_tx_select(bool packed, bool copy, bool coalesce, bool offload)
{
	return &tx_variants[(packed ? 8 : 0) + (offload ? 4 : 0) + (copy ? 2 : 0) +
			    (coalesce ? 1 : 0)];
}

uint16_t
vnet_tx_variant_id(const struct vnet_tx_variant *v)
{
	return (uint16_t)(v - tx_variants);
}

const struct vnet_tx_variant *
vnet_tx_variant_by_id(uint16_t id)
{
	return id < RTE_DIM(tx_variants) ? &tx_variants[id] : NULL;
}
