/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * Queue structures and burst functions of the vnet PMD.
 */

#ifndef VNET_RXTX_H
#define VNET_RXTX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_io.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "vnet_kickmod.h"
#include "vnet_ring.h"
#include "vnet_transport.h"

/** One virtqueue: the ring core plus what the transport needs to register it. */
struct vnet_vq {
	struct vnet_vring vr;
	struct vnet_hw *hw;
	volatile uint16_t *notify_addr;	/**< modern doorbell, NULL: use hw->ops->notify */
	uint16_t idx;			/**< virtqueue index: 2q = RX q, 2q + 1 = TX q */
	uint16_t size;			/**< ring entries */
	uint64_t ring_iova;		/**< device address of the descriptor table */
	size_t avail_off;
	size_t used_off;
	const struct rte_memzone *mz;	/**< IOVA-contiguous ring memory, or NULL */
	void *ring_va;			/**< ring memory */
	void *priv;			/**< vnet_vring private state */
	unsigned int socket_id;
	/* Copy mode (vhost-user without shareable EAL memory): one bounce slot per descriptor. */
	uint8_t *bounce;		/**< size * bounce_slot bytes shared with the device */
	uint64_t bounce_iova;		/**< device address of bounce[0] */
	uint32_t bounce_slot;		/**< bytes per slot */
	bool copy;			/**< buffers are bounce slots, cookies are not mbufs */
};

/** Per-RX-queue counters (updated once per burst by the owning lcore). */
struct vnet_rxq_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t nombuf;		/**< mbufs the mempool could not give */
	uint64_t dropped;		/**< copy mode: frames too long for the mbuf, or no mbuf */
	uint64_t bad_num_buffers;	/**< mergeable: num_buffers 0 or above the ring size */
	uint64_t bad_hdr;		/**< offload fields the device may not send (dropped) */
	uint64_t oversize;		/**< frames above max_rx_pktlen / max_lro_pkt_size */
	uint64_t csum_sw;		/**< partial checksums completed in software */
	uint64_t lro;			/**< frames received coalesced (RTE_MBUF_F_RX_LRO) */
};

/** RX queue. */
struct vnet_rxq {
	struct vnet_vq vq;
	struct rte_mempool *mp;
	uint64_t mbuf_initializer;	/**< rearm_data of a fresh mbuf for this port */
	uint16_t addr_off;		/**< offset of buf_iova or buf_addr (device addresses) */
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t hdr_size;
	uint16_t free_thresh;		/**< refill once this many descriptors are free */
	uint32_t buf_len;		/**< bytes posted per buffer (header included) */
	uint32_t max_frame;		/**< longer frames are dropped (oversize) */
	uint32_t max_lro;		/**< same for coalesced (LRO) frames */
	/* Big buffers without MRG_RXBUF: each posted buffer is a chain of big_segs mbufs. */
	uint16_t big_segs;		/**< 1: one mbuf per buffer */
	bool big_indirect;		/**< the chains go into indirect tables (ind_mz) */
	const struct rte_memzone *ind_mz;
	/* Offloads of this start (the offload burst variant). */
	bool guest_csum;		/**< VIRTIO_NET_F_GUEST_CSUM negotiated */
	uint32_t gso_ok;		/**< bit VNET_NET_HDR_GSO_x: GSO types negotiated */
	bool vlan_strip;		/**< RTE_ETH_RX_OFFLOAD_VLAN_STRIP */
	bool ptype;			/**< fill packet_type (dev_ptypes_set) */
	bool broken_logged;
	/* Mergeable RX: the packet being assembled across bursts. */
	struct rte_mbuf *mrg_head;
	struct rte_mbuf *mrg_tail;
	uint16_t mrg_left;		/**< buffers it still needs */
	struct vnet_rxq_stats stats;
};

/** Per-TX-queue counters. */
struct vnet_txq_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;		/**< packets refused (bad mbuf, bad offload request) */
	uint64_t ring_full;		/**< bursts that found no room for every packet */
	uint64_t kicks_deferred;	/**< kick decisions postponed by coalescing */
	uint64_t max_deferral_tsc;	/**< longest a published buffer waited for its kick */
};

/** TX queue. */
struct vnet_txq {
	struct vnet_vq vq;
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t hdr_size;
	uint16_t free_thresh;		/**< reclaim below this many free descriptors */
	uint16_t addr_off;		/**< offset of buf_iova or buf_addr (device addresses) */
	bool fast_free;			/**< MBUF_FAST_FREE: one pool, refcnt 1 */
	/* Kick coalescing (0 = off): kick once this many buffers are unkicked ... */
	uint16_t coalesce_pkts;
	/* ... or once the oldest unkicked buffer is this old. */
	uint64_t coalesce_tsc;
	/* TSC when the oldest unkicked buffer was published; 0 = none. Shared with the
	 * safety-net thread (atomic).
	 */
	uint64_t defer_start;
	uint64_t safety_kicks;		/**< written by the safety-net thread only (atomic) */
	uint64_t safety_max_deferral_tsc; /**< longest wait a safety-net kick ended (atomic) */
	uint64_t safety_seen;		/**< safety_kicks as the lcore last saw it */
	uint64_t safety_kicks_base;	/**< safety_kicks at the last xstats reset */
	uint64_t safety_start_seen;	/**< safety thread: defer_start it is timing */
	uint64_t safety_first_tsc;	/**< safety thread: its TSC when it first saw it */
	/* kick_coalesce=auto: coalesce_pkts / coalesce_tsc follow the moderation level. */
	bool adaptive;
	struct vnet_kickmod km;
	const struct rte_memzone *hdr_mz; /**< zeroed net header for mbufs without headroom */
	uint64_t hdr_iova;
	/* Indirect tables (VIRTIO_F_INDIRECT_DESC): a chain of up to VNET_TX_IND_MAX
	 * descriptors takes one ring slot. NULL when the device cannot or the ring is large.
	 */
	const struct rte_memzone *ind_mz;
	bool indirect;			/**< registered with the ring for this start */
	/* Single-segment packets: one pair (constant header, frame) per slot, 32 bytes apart
	 * (denser than the chain tables: the pairs' cache lines are what the device reads).
	 */
	const struct rte_memzone *pair_mz;
	struct vnet_vring_desc *pairs;
	uint64_t pairs_iova;
	/* Offloads: a header per descriptor id (VNET_TX_HDR_STRIDE apart) when the mbuf's
	 * headroom cannot take it.
	 */
	const struct rte_memzone *hdrs_mz;
	uint8_t *hdrs;
	uint64_t hdrs_iova;
	bool offload;			/**< this start uses the offload variant */
	bool csum_ok;			/**< VIRTIO_NET_F_CSUM negotiated */
	bool tso4_ok, tso6_ok, ecn_ok, uso_ok;	/**< HOST_TSO4/6, HOST_ECN, HOST_USO */
	bool broken_logged;
	struct vnet_txq_stats stats;
};

/** Most mbufs one big RX buffer (no mergeable buffers) may take. */
#define VNET_RX_BIG_SEGS_MAX	64

/** Segments of one TX packet (tx_desc_lim.nb_seg_max). */
#define VNET_TX_MAX_SEGS	32

/** Bytes between the per-descriptor headers of a TX queue (largest header: 20). */
#define VNET_TX_HDR_STRIDE	32

/** Descriptors per indirect table of a TX queue (header + 15 segments). */
#define VNET_TX_IND_MAX		16
/** Largest TX ring that gets indirect tables (its tables take ring size x 256 bytes). */
#define VNET_TX_IND_RING_MAX	4096

/** Notify the device about @p vq: memory-mapped doorbell, or the transport's op. */
static inline void
vnet_vq_notify(struct vnet_vq *vq)
{
	if (vq->notify_addr != NULL)
		rte_write16(vq->idx, vq->notify_addr);
	else
		vq->hw->ops->notify(vq->hw, vq);
}

/** An RX burst variant: what rx_burst_mode_get reports and the function it selects. */
struct vnet_rx_variant {
	const char *name;
	eth_rx_burst_t fn;
	bool offload;		/**< reads the header's offload fields, VLAN strip, ptypes */
};

/** A TX burst variant. */
struct vnet_tx_variant {
	const char *name;
	eth_tx_burst_t fn;
	eth_tx_prep_t prep;
};

/**
 * Pick the RX burst variant for this start. Called once at dev_start, in the primary
 * process.
 *
 * @param copy packets go through bounce buffers (vhost-user copy mode).
 * @param mrg RX buffers are mergeable (VIRTIO_NET_F_MRG_RXBUF).
 * @param big without @p mrg: each buffer is a chain of mbufs (frames above one mbuf).
 * @param hash RX headers carry the hash report (VIRTIO_NET_F_HASH_REPORT).
 * @param offload RX offloads or packet types: the header's flags and GSO fields are read.
 * @return the variant, or NULL for a combination vnet does not implement (copy mode with
 *   @p big or @p hash).
 */
const struct vnet_rx_variant *vnet_rx_select(bool copy, bool mrg, bool big, bool hash,
					     bool offload);

/**
 * Pick the TX burst variant for this start (dev_start, primary process).
 *
 * @param copy bounce buffers (vhost-user copy mode).
 * @param coalesce TX kick coalescing is enabled.
 * @param offload TX offloads enabled: a header per packet from its mbuf's offload flags.
 */
const struct vnet_tx_variant *vnet_tx_select(bool copy, bool coalesce, bool offload);

/**
 * dev_start: reset @p txq's kick policy: the fixed coalescing of the devargs, or with
 * adaptive moderation level 0 (a decision at every burst) and the level table from the
 * ring size and @p max_delay_tsc.
 */
void vnet_txq_kick_policy_init(struct vnet_txq *txq, uint64_t max_delay_tsc);

/** Log once that @p vq broke (why, and that it stays stopped until the port restarts). */
void vnet_queue_report_broken(struct vnet_vq *vq, bool *logged, const char *dir,
			      uint16_t port, uint16_t q);

/** Decide about a kick of @p vq after a publish, and kick when the device wants it. */
static __rte_always_inline void
vnet_vq_kick_if_needed(struct vnet_vq *vq)
{
	if (vnet_vring_kick_prepare(&vq->vr))
		vnet_vq_notify(vq);
}

/**
 * Free the packet a mergeable RX queue was assembling (its remaining buffers were not used
 * yet). dev_stop, after the device reset; the owning lcore no longer polls the queue.
 */
void vnet_rxq_drop_partial(struct vnet_rxq *rxq);

/** Offset of the mbuf field holding the address the device uses (IOVA or VA). */
static inline uint16_t
vnet_mbuf_addr_off(bool use_va)
{
	return use_va ? offsetof(struct rte_mbuf, buf_addr) : offsetof(struct rte_mbuf, buf_iova);
}

/** Device address of @p m's buffer start (see vnet_mbuf_addr_off()). */
static inline uint64_t
vnet_mbuf_buf_addr(const struct rte_mbuf *m, uint16_t off)
{
	return *(const uint64_t *)((const uint8_t *)m + off);
}

/**
 * Fill @p rxq's ring (mbufs from its pool, or bounce slots in copy mode) and publish them
 * (dev_start, right after DRIVER_OK). @return 0 or -ENOMEM if not even one mbuf was
 * available.
 */
int vnet_rxq_fill(struct vnet_rxq *rxq);

/**
 * Write entry 0 of every indirect table and pair of @p txq, linked to entry 1 (what
 * vnet_vring_add_ind2() expects; chains write the same entry): the queue's constant zero
 * header, or with offloads (txq->offload) the header of that descriptor id. dev_start,
 * after vnet_vring_set_indirect(). @return true if the pairs exist.
 */
bool vnet_txq_ind_init(struct vnet_txq *txq);

/**
 * Safety net of kick coalescing: kick @p txq if its oldest unkicked buffer has waited
 * longer than its coalescing time, as timed by the calling thread's own TSC (@p now).
 * Called periodically from the one safety-net control thread, concurrently with bursts.
 */
void vnet_txq_safety_kick(struct vnet_txq *txq, uint64_t now);

#endif /* VNET_RXTX_H */
