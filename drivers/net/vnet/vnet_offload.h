/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * Offloads of the vnet PMD: which virtio-net features the application's rxmode/txmode
 * offloads need, the capabilities a device gives, and the per-packet work of the offload
 * burst variants (TX header from the mbuf's offload flags, RX flags from the device's
 * header, software checksums, VLAN insert/strip, packet types). The header encoding itself
 * is EAL-free: base/vnet_net_hdr.h.
 */

#ifndef VNET_OFFLOAD_H
#define VNET_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_net.h>

#include "vnet_net_hdr.h"
#include "vnet_rxtx.h"

struct vnet_adapter;

/** TX offload flags of an mbuf that need a non-zero virtio-net header or software work. */
#define VNET_TX_OL_MASK \
	(RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG | \
	 RTE_MBUF_F_TX_IP_CKSUM)

/** Largest coalesced (LRO) frame: a 64 KiB IP packet behind an Ethernet + VLAN header. */
#define VNET_MAX_LRO_PKT_SIZE	((uint32_t)UINT16_MAX + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)

/** RX buffer bytes GUEST_TSO needs without mergeable buffers (5.1.6.3.1). */
#define VNET_BIG_RX_BUF		65562u

/**
 * RX and TX offload capabilities of @p ad's device (from the features it offered at probe).
 */
void vnet_offload_capa(const struct vnet_adapter *ad, uint64_t *rx, uint64_t *tx);

/**
 * dev_configure check: every offload the application enables (port and queue level) must
 * be in the capabilities; otherwise an error names it and what the device lacks.
 * @return 0 or -EINVAL.
 */
int vnet_offload_configure(struct rte_eth_dev *dev);

/**
 * Features to negotiate at dev_start for the enabled offloads: clears from @p wanted the
 * guest (RX) and host (TX) offload features the application does not need (GUEST_CSUM only
 * for an RX L4 checksum or LRO, so an application asking for none receives complete
 * checksums). With VIRTIO_NET_F_CTRL_GUEST_OFFLOADS the guest offloads the device offers
 * stay negotiated and the control-queue state gets the set to program (replayed at start);
 * GUEST_TSO4/6 only with mergeable buffers or RX buffers of VNET_BIG_RX_BUF.
 */
void vnet_offload_features(struct rte_eth_dev *dev, uint64_t *wanted);

/**
 * After negotiation: the per-queue offload state of this start (RX: checksum, GSO types,
 * VLAN strip, packet types, size limits, big buffers; TX: offload variant and features).
 * @return 0, or -EINVAL when an enabled offload lost its feature (logged).
 */
int vnet_offload_start(struct rte_eth_dev *dev);

/** tx_pkt_prepare of the offload variants. */
uint16_t vnet_tx_prepare(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);

/**
 * Slow part of vnet_tx_offload_hdr(): software IPv4 header checksum, the virtio-net header
 * for L4 checksum / TSO / USO, the TCP pseudo-header fix-up for TSO.
 * @return 0 or a negative errno (the packet is dropped and counted).
 */
int vnet_tx_offload_slow(const struct vnet_txq *txq, struct rte_mbuf *m,
			 struct vnet_net_hdr *h);

/**
 * Slow part of RX offloads: the device's header says something (checksum state, GSO).
 * Sets ol_flags, tso_segsz and completes partial checksums of unknown L4 in software.
 * @return 0, or -1 when the frame must be dropped (counted by the caller's queue).
 */
int vnet_rx_offload_slow(struct vnet_rxq *rxq, struct rte_mbuf *m,
			 const struct vnet_net_hdr *h);

/** dev_supported_ptypes_get (through vnet_compat.h). */
const uint32_t *vnet_ptypes_list(struct rte_eth_dev *dev, size_t *n);

/** dev_ptypes_set: a mask of RTE_PTYPE_UNKNOWN stops packet type parsing (next start). */
int vnet_ptypes_set(struct rte_eth_dev *dev, uint32_t mask);

/**
 * The virtio-net header of TX packet @p m into @p h (zeroed first: the caller's header
 * size may be larger). @return 0 or a negative errno.
 */
static __rte_always_inline int
vnet_tx_offload_hdr(const struct vnet_txq *txq, struct rte_mbuf *m, void *h, uint16_t size)
{
	memset(h, 0, size == sizeof(struct vnet_net_hdr) ? sizeof(struct vnet_net_hdr) :
	       size == sizeof(struct vnet_net_hdr_mrg) ? sizeof(struct vnet_net_hdr_mrg) :
	       sizeof(struct vnet_net_hdr_hash));
	if (likely((m->ol_flags & VNET_TX_OL_MASK) == 0))
		return 0;
	return vnet_tx_offload_slow(txq, m, h);
}

/**
 * RX offloads of received frame @p m whose header is @p h: VLAN strip, header flags,
 * packet type. @return 0, or -1 to drop the frame.
 */
static __rte_always_inline int
vnet_rx_offload(struct vnet_rxq *rxq, struct rte_mbuf *m, const struct vnet_net_hdr *h)
{
	if (rxq->vlan_strip)
		rte_vlan_strip(m);	/* sets RX_VLAN | RX_VLAN_STRIPPED when tagged */
	if (unlikely(h->flags != 0 || h->gso_type != VNET_NET_HDR_GSO_NONE))
		return vnet_rx_offload_slow(rxq, m, h);
	if (rxq->ptype)
		m->packet_type = rte_net_get_ptype(m, NULL, RTE_PTYPE_ALL_MASK);
	return 0;
}

#endif /* VNET_OFFLOAD_H */
