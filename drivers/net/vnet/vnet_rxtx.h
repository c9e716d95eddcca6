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

#include <rte_branch_prediction.h>
#include <rte_ethdev.h>
#include <rte_io.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "vnet_kickmod.h"
#include "vnet_packed.h"
#include "vnet_ring.h"
#include "vnet_transport.h"

/** One virtqueue: the ring core plus what the transport needs to register it. */
struct vnet_vq {
	struct vnet_vring vr;		/**< split ring (2.7) */
	struct vnet_packed pr;		/**< packed ring (2.8), when packed */
	bool packed;			/**< VIRTIO_F_RING_PACKED negotiated at this start */
	struct vnet_hw *hw;
	volatile uint16_t *notify_addr;	/**< modern doorbell, NULL: use hw->ops->notify */
	uint16_t idx;			/**< virtqueue index: 2q = RX q, 2q + 1 = TX q */
	uint16_t size;			/**< ring entries */
	uint64_t ring_iova;		/**< device address of the descriptor table */
	size_t avail_off;		/**< driver area: avail ring / driver event suppression */
	size_t used_off;		/**< device area: used ring / device event suppression */
	const struct rte_memzone *mz;	/**< IOVA-contiguous ring memory, or NULL */
	void *ring_va;			/**< ring memory */
	void *priv;			/**< vnet_vring private state */
	unsigned int socket_id;
	/* Copy mode (vhost-user without shareable EAL memory): one bounce slot per descriptor. */
	uint8_t *bounce;		/**< size * bounce_slot bytes shared with the device */
	uint64_t bounce_iova;		/**< device address of bounce[0] */
	uint32_t bounce_slot;		/**< bytes per slot */
	bool copy;			/**< buffers are bounce slots, cookies are not mbufs */
	/*
	 * Datapath fence (queue stop, device-error recovery): the owning lcore marks a burst
	 * in_burst, then checks fenced; the control thread sets fenced, then waits for
	 * in_burst to clear (a store-load handshake: one full barrier on each side).
	 */
	uint32_t in_burst;		/**< written by the lcore in a burst */
	uint32_t fenced;		/**< written by the control path: bursts return 0 */
	bool deferred;			/**< rx/tx_deferred_start of its queue setup */
	bool stopped;			/**< not started (deferred or queue_stop): see
					 *   vnet_lifecycle.c; the transport leaves it disabled
					 */
	bool ring_reset;		/**< queue_stop reset it (RING_RESET): re-register */
	/* Interrupts: setup_queue routes this queue's used notifications to msix_vec. */
	bool intr;			/**< false: VNET_MSI_NO_VECTOR (polling) */
	uint16_t msix_vec;		/**< MSI-X vector when intr */
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
	uint64_t kicks_deferred;	/**< refill kick decisions left to a later burst (auto) */
	uint64_t max_deferral_tsc;	/**< longest a refill waited for its decision */
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
	/*
	 * kick_coalesce=auto: after a full burst (more used buffers are likely waiting) the
	 * refill's kick decision is left to the burst that drains the ring, bounded by
	 * coalesce_tsc through the safety-net thread.
	 */
	bool adaptive;
	uint64_t coalesce_tsc;
	uint64_t defer_start;		/**< TSC of the oldest undecided refill, 0 = none (atomic) */
	uint64_t safety_kicks;		/**< written by the safety-net thread only (atomic) */
	uint64_t safety_seen;		/**< safety_kicks as the lcore last saw it */
	uint64_t safety_start_seen;	/**< safety thread: defer_start it is timing */
	uint64_t safety_first_tsc;	/**< safety thread: its TSC when it first saw it */
	uint64_t safety_deferred_seen;	/**< safety thread: stats.kicks_deferred it last saw */
	bool defer_refill;		/**< kick_rx_defer=1: refill kicks may be deferred */
	uint64_t intr_self;		/**< RX interrupt enables that found a buffer waiting */
	uint64_t intr_recovery_wakes;	/**< eventfd signalled after a recovery */
	struct vnet_rxq_stats stats;
};

/** Per-TX-queue counters. */
struct vnet_txq_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;		/**< packets refused (bad mbuf, bad offload request) */
	uint64_t ring_full;		/**< bursts that found no room for every packet */
	uint64_t kicks_deferred;	/**< kick decisions postponed by coalescing */
	uint64_t idle_flushes;		/**< deferrals ended by an empty RX poll (auto) */
	uint64_t max_deferral_tsc;	/**< longest a published buffer waited for its kick */
};

/** Entries of an lcore's idle list: TX queues with a deferral it started. */
#define VNET_IDLE_LIST_MAX	16

/**
 * Per lcore (thread): the adaptive-moderation TX queues whose kick decision this lcore
 * deferred. An RX burst of this lcore that finds nothing ends those deferrals (IDLE in
 * base/vnet_kickmod.h): the lcore has no more packets for them.
 */
struct vnet_idle_list {
	uint16_t n;
	struct {
		void *txq;
		uint16_t port_id;
		uint16_t queue_id;
	} e[VNET_IDLE_LIST_MAX];
};

RTE_DECLARE_PER_LCORE(struct vnet_idle_list, vnet_idle_list);

/** Decide now about the kicks this lcore deferred (its idle list); empties the list. */
void vnet_tx_idle_flush(void);

/** An RX burst of this lcore found nothing: end this lcore's deferrals (cheap if none). */
static __rte_always_inline void
vnet_rx_idle_hook(void)
{
	if (unlikely(RTE_PER_LCORE(vnet_idle_list).n != 0))
		vnet_tx_idle_flush();
}

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
	uint64_t safety_deferred_seen;	/**< safety thread: stats.kicks_deferred it last saw */
	/* kick_coalesce=auto: coalesce_pkts follows the moderation (base/vnet_kickmod.h). */
	bool adaptive;
	bool idle_listed;		/**< in its lcore's idle list (owner lcore only) */
	const void *idle_owner;		/**< that lcore's idle list */
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
	/* Guest announce: every burst on queue 0 runs under tx_lock (vnet_tx_burst_shared). */
	eth_tx_burst_t inner_burst;	/**< the variant's burst function */
	uint32_t tx_lock;		/**< 1 while a burst runs on the queue */
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

/**
 * Enter a burst on @p vq (its owning lcore). @return false if the queue is fenced (stopped,
 * or a recovery is replacing its ring): the burst must return 0 without touching the ring.
 */
static __rte_always_inline bool
vnet_burst_enter(struct vnet_vq *vq)
{
	VNET_STORE_RLX(&vq->in_burst, 1);
	/* Store-load order against vnet_vq_fence(): the one full barrier of a burst. */
	VNET_MB();
	if (unlikely(VNET_LOAD_RLX(&vq->fenced) != 0)) {
		VNET_STORE_REL(&vq->in_burst, 0);
		return false;
	}
	return true;
}

/** Leave a burst entered with vnet_burst_enter(). */
static __rte_always_inline void
vnet_burst_leave(struct vnet_vq *vq)
{
	VNET_STORE_REL(&vq->in_burst, 0);
}

/**
 * Fence @p vq: later bursts return 0 at once, and wait (up to @p timeout_us) for a burst in
 * flight to leave. Control path (any thread but the queue's lcore).
 * @return 0, or -ETIMEDOUT if a burst did not leave in time (the fence stays set).
 */
int vnet_vq_fence(struct vnet_vq *vq, uint64_t timeout_us);

/** Lift the fence of @p vq (its ring is ready for bursts again). Control path. */
static inline void
vnet_vq_unfence(struct vnet_vq *vq)
{
	VNET_STORE_REL(&vq->fenced, 0);
}

/**
 * True in a secondary process that attached to vnet ports (set once at its probe): the
 * transport ops and file descriptors in the shared port data are the primary's.
 */
extern bool vnet_mp_is_secondary;

/**
 * Notify the device about @p vq from a secondary process (the process's own copy of the
 * kick eventfd; see vnet_mp.c). Any lcore of the secondary that owns @p vq.
 */
void vnet_mp_notify(struct vnet_vq *vq);

/**
 * Notify the device about @p vq: memory-mapped doorbell (mapped at the same address in
 * every process), or the transport's op (primary), or the secondary's own kick fd.
 */
static inline void
vnet_vq_notify(struct vnet_vq *vq)
{
	if (vq->notify_addr != NULL)
		rte_write16(vq->idx, vq->notify_addr);
	else if (likely(!vnet_mp_is_secondary))
		vq->hw->ops->notify(vq->hw, vq);
	else
		vnet_mp_notify(vq);
}

/*
 * Ring operations of the bursts, split or packed: @p packed is a constant of the burst
 * variant, so each instance compiles to one ring type without a branch.
 */

/** Free descriptors of @p vq. */
static __rte_always_inline unsigned int
vq_free_count(const struct vnet_vq *vq, const bool packed)
{
	return packed ? vnet_packed_free_count(&vq->pr) : vnet_vring_free_count(&vq->vr);
}

/** Id the next add of @p vq uses (per-id memory: headers, bounce slots). */
static __rte_always_inline uint16_t
vq_next_id(const struct vnet_vq *vq, const bool packed)
{
	return packed ? vnet_packed_next_id(&vq->pr) : vnet_vring_next_id(&vq->vr);
}

/** Add one single-descriptor buffer. */
static __rte_always_inline int
vq_add1(struct vnet_vq *vq, const bool packed, uint64_t addr, uint32_t len, bool writable,
	void *cookie)
{
	return packed ? vnet_packed_add1(&vq->pr, addr, len, writable, cookie) :
			vnet_vring_add1(&vq->vr, addr, len, writable, cookie);
}

/** Add a buffer of @p out readable and @p in writable segments. */
static __rte_always_inline int
vq_add(struct vnet_vq *vq, const bool packed, const struct vnet_sg *sg, unsigned int out,
       unsigned int in, void *cookie, bool indirect)
{
	return packed ? vnet_packed_add(&vq->pr, sg, out, in, cookie, indirect) :
			vnet_vring_add(&vq->vr, sg, out, in, cookie, indirect);
}

/** Add a readable header + data chain. */
static __rte_always_inline int
vq_add2(struct vnet_vq *vq, const bool packed, uint64_t hdr_addr, uint32_t hdr_len,
	uint64_t addr, uint32_t len, void *cookie)
{
	if (packed) {
		const struct vnet_sg sg[2] = { { hdr_addr, hdr_len }, { addr, len } };

		return vnet_packed_add(&vq->pr, sg, 2, 0, cookie, false);
	}
	return vnet_vring_add2(&vq->vr, hdr_addr, hdr_len, addr, len, cookie);
}

/** Add a readable two-entry indirect pair (entry 0 constant, entry 1 = addr/len). */
static __rte_always_inline int
vq_add_ind2(struct vnet_vq *vq, const bool packed, void *pairs, uint64_t pairs_iova,
	    uint64_t addr, uint32_t len, void *cookie)
{
	return packed ? vnet_packed_add_ind2(&vq->pr, pairs, pairs_iova, addr, len, cookie) :
			vnet_vring_add_ind2(&vq->vr, pairs, pairs_iova, addr, len, cookie);
}

/** Make every added buffer visible to the device. */
static __rte_always_inline void
vq_publish(struct vnet_vq *vq, const bool packed)
{
	if (packed)
		vnet_packed_publish(&vq->pr);
	else
		vnet_vring_publish(&vq->vr);
}

/** Kick decision after a publish (event suppression of the ring type). */
static __rte_always_inline bool
vq_kick_prepare(struct vnet_vq *vq, const bool packed)
{
	return packed ? vnet_packed_kick_prepare(&vq->pr) : vnet_vring_kick_prepare(&vq->vr);
}

/** Descriptors (packed) / buffers (split) published since the last kick decision. */
static __rte_always_inline uint32_t
vq_unkicked(const struct vnet_vq *vq, const bool packed)
{
	return packed ? vq->pr.unkicked : vq->vr.unkicked;
}

/** Someone else kicked (safety net): restart the unkicked count. */
static __rte_always_inline void
vq_note_external_kick(struct vnet_vq *vq, const bool packed)
{
	if (packed)
		vnet_packed_note_external_kick(&vq->pr);
	else
		vnet_vring_note_external_kick(&vq->vr);
}

/** Collect up to @p n used buffers. */
static __rte_always_inline unsigned int
vq_get_used(struct vnet_vq *vq, const bool packed, void **cookies, uint32_t *lens,
	    unsigned int n)
{
	return packed ? vnet_packed_get_used(&vq->pr, cookies, lens, n) :
			vnet_vring_get_used(&vq->vr, cookies, lens, n);
}

/** True once the device corrupted the queue. */
static __rte_always_inline bool
vq_broken(const struct vnet_vq *vq, const bool packed)
{
	return packed ? vnet_packed_broken(&vq->pr) : vnet_vring_broken(&vq->vr);
}

/** Break the queue (a caller-detected device error such as a bad num_buffers). */
static inline void
vq_set_broken(struct vnet_vq *vq, const bool packed, enum vnet_vring_error err)
{
	if (packed)
		vnet_packed_set_broken(&vq->pr, err);
	else
		vnet_vring_set_broken(&vq->vr, err);
}

/** Polling keepalive of the split ring's used_event (a packed ring has a real off switch). */
static __rte_always_inline void
vq_poll_keepalive(struct vnet_vq *vq, const bool packed)
{
	if (!packed)
		vnet_vring_poll_cb_keepalive(&vq->vr);
}

/** Ring size of @p vq as laid out. */
static __rte_always_inline unsigned int
vq_num(const struct vnet_vq *vq, const bool packed)
{
	return packed ? vq->pr.num : vq->vr.num;
}

/** Counters of @p vq's ring core, whichever type it runs. */
static inline struct vnet_vring_stats *
vnet_vq_stats(struct vnet_vq *vq)
{
	return vq->packed ? &vq->pr.stats : &vq->vr.stats;
}

/** Why @p vq broke (0: healthy). */
static inline enum vnet_vring_error
vnet_vq_error(const struct vnet_vq *vq)
{
	return (enum vnet_vring_error)(vq->packed ? vq->pr.error : vq->vr.error);
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
 * @param packed the queues are packed rings (VIRTIO_F_RING_PACKED).
 * @param copy packets go through bounce buffers (vhost-user copy mode).
 * @param mrg RX buffers are mergeable (VIRTIO_NET_F_MRG_RXBUF).
 * @param big without @p mrg: each buffer is a chain of mbufs (frames above one mbuf).
 * @param hash RX headers carry the hash report (VIRTIO_NET_F_HASH_REPORT).
 * @param offload RX offloads or packet types: the header's flags and GSO fields are read.
 * @return the variant, or NULL for a combination vnet does not implement (copy mode with
 *   @p big or @p hash).
 */
const struct vnet_rx_variant *vnet_rx_select(bool packed, bool copy, bool mrg, bool big,
					     bool hash, bool offload);

/**
 * Index of @p v in the RX variant table: the same in every process (the table's address
 * is not, so shared port data keeps the index).
 */
uint16_t vnet_rx_variant_id(const struct vnet_rx_variant *v);
/** The RX variant of index @p id in this process, NULL if there is none. */
const struct vnet_rx_variant *vnet_rx_variant_by_id(uint16_t id);
/** Index of @p v in the TX variant table (see vnet_rx_variant_id()). */
uint16_t vnet_tx_variant_id(const struct vnet_tx_variant *v);
/** The TX variant of index @p id in this process, NULL if there is none. */
const struct vnet_tx_variant *vnet_tx_variant_by_id(uint16_t id);

/**
 * Pick the TX burst variant for this start (dev_start, primary process).
 *
 * @param packed the queues are packed rings.
 * @param copy bounce buffers (vhost-user copy mode).
 * @param coalesce TX kick coalescing is enabled.
 * @param offload TX offloads enabled: a header per packet from its mbuf's offload flags.
 */
const struct vnet_tx_variant *vnet_tx_select(bool packed, bool copy, bool coalesce,
					     bool offload);

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
vnet_vq_kick_if_needed(struct vnet_vq *vq, const bool packed)
{
	if (vq_kick_prepare(vq, packed))
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

/** What a safety-net scan found at a queue (vnet_txq_safety_kick()). */
enum vnet_safety_scan {
	VNET_SAFETY_NONE,	/**< no deferral pending */
	VNET_SAFETY_LIVE,	/**< one pending, and the lcore deferred on the queue since the
				 *   previous scan: it is deciding there itself */
	VNET_SAFETY_WAIT,	/**< one pending the lcore has not touched since the previous
				 *   scan (timed; kicked once it waited the coalescing time) */
};

/**
 * Safety net of kick coalescing: kick @p txq if its oldest unkicked buffer has waited
 * longer than its coalescing time, as timed by the calling thread's own TSC (@p now).
 * Called periodically from the port's safety-net control thread, concurrently with bursts.
 * @return what the scan found (the thread sleeps longer while queues are NONE or LIVE).
 */
enum vnet_safety_scan vnet_txq_safety_kick(struct vnet_txq *txq, uint64_t now);

/** The same for an adaptive RX queue's deferred refill decision. */
enum vnet_safety_scan vnet_rxq_safety_kick(struct vnet_rxq *rxq, uint64_t now);

#endif /* VNET_RXTX_H */
