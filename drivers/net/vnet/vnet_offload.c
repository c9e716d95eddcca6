/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Offloads (virtio 1.2 5.1.6.2 transmit, 5.1.6.4 receive): capabilities from the device's
 * features, the features a start negotiates for the enabled offloads, per-queue state, and
 * the slow per-packet paths of the offload burst variants.
 *
 * Checksum semantics. TX: an L4 checksum request becomes NEEDS_CSUM with csum_start /
 * csum_offset; as for any DPDK NIC the application (or rte_eth_tx_prepare()) puts the
 * pseudo-header checksum in the L4 checksum field. The IPv4 header checksum is computed here
 * (virtio has no such offload). TSO: DPDK's pseudo-header checksum leaves the length out,
 * Linux's GSO (tap, vhost-net, QEMU) expects it in: the payload length is added before the
 * packet goes out. RX: DATA_VALID is RTE_MBUF_F_RX_L4_CKSUM_GOOD; NEEDS_CSUM on TCP/UDP is
 * RTE_MBUF_F_RX_L4_CKSUM_NONE (data intact, checksum field holds the pseudo-header sum:
 * re-emit it with TX checksum offload), on anything else the checksum is completed here.
 */

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <ethdev_driver.h>

#include "vnet_compat.h"
#include "vnet_ethdev.h"
#include "vnet_logs.h"
#include "vnet_offload.h"

#define RX_CSUM_OFFLOADS (RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)
#define TX_CSUM_OFFLOADS (RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)
/* TX offloads that make the burst build a header per packet. */
#define TX_HDR_OFFLOADS (TX_CSUM_OFFLOADS | RTE_ETH_TX_OFFLOAD_TCP_TSO | \
			 RTE_ETH_TX_OFFLOAD_UDP_TSO | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | \
			 RTE_ETH_TX_OFFLOAD_VLAN_INSERT)

void
vnet_offload_capa(const struct vnet_adapter *ad, uint64_t *rx, uint64_t *tx)
{
	/* Mergeable buffers or mbuf chains per buffer: frames above one mbuf either way. */
	*rx = RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	if (vnet_can(ad, VNET_NET_F_GUEST_CSUM)) {
		*rx |= RX_CSUM_OFFLOADS;
		if (vnet_can(ad, VNET_NET_F_GUEST_TSO4) || vnet_can(ad, VNET_NET_F_GUEST_TSO6))
			*rx |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
	}
	*tx = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE |
	      RTE_ETH_TX_OFFLOAD_VLAN_INSERT | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	if (vnet_can(ad, VNET_NET_F_CSUM)) {
		*tx |= TX_CSUM_OFFLOADS;
		if (vnet_can(ad, VNET_NET_F_HOST_TSO4) || vnet_can(ad, VNET_NET_F_HOST_TSO6))
			*tx |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
		if (vnet_can(ad, VNET_NET_F_HOST_USO))
			*tx |= RTE_ETH_TX_OFFLOAD_UDP_TSO;
	}
}

static uint64_t
rx_offloads(struct rte_eth_dev *dev)
{
	return dev->data->dev_conf.rxmode.offloads | adapter_of(dev)->rxq_offloads;
}

static uint64_t
tx_offloads(struct rte_eth_dev *dev)
{
	return dev->data->dev_conf.txmode.offloads | adapter_of(dev)->txq_offloads;
}

int
vnet_offload_configure(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct rte_eth_rxmode *rxm = &dev->data->dev_conf.rxmode;

	/*
	 * ethdev refused offloads outside the capabilities already (naming them as a mask);
	 * what is left is the LRO size. virtio cannot bound the device's coalescing, and
	 * ethdev sets max_lro_pkt_size to the MTU's frame when the application leaves it 0:
	 * enforcing it would drop every coalesced frame (net_virtio ignores it too).
	 */
	if ((rxm->offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO) &&
	    rxm->max_lro_pkt_size < VNET_MAX_LRO_PKT_SIZE)
		VNET_INIT_LOG(INFO, "port %u: max_lro_pkt_size %u: virtio cannot bound the "
			      "device's coalescing; coalesced frames of up to %u bytes arrive",
			      dev->data->port_id, rxm->max_lro_pkt_size, VNET_MAX_LRO_PKT_SIZE);
	ad->rxq_offloads = 0;
	ad->txq_offloads = 0;
	return 0;
}

void
vnet_offload_features(struct rte_eth_dev *dev, uint64_t *wanted)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint64_t rxo = rx_offloads(dev), txo = tx_offloads(dev);
	uint64_t guest = 0, host = 0;
	const uint64_t tso = VNET_BIT(VNET_NET_F_GUEST_TSO4) | VNET_BIT(VNET_NET_F_GUEST_TSO6) |
			     VNET_BIT(VNET_NET_F_GUEST_ECN);

	if (rxo & (RX_CSUM_OFFLOADS | RTE_ETH_RX_OFFLOAD_TCP_LRO))
		guest |= VNET_BIT(VNET_NET_F_GUEST_CSUM);
	if (rxo & RTE_ETH_RX_OFFLOAD_TCP_LRO)
		guest |= tso;
	ad->cst.guest_offloads_set = false;
	/*
	 * Only with a guest offload to program: QEMU offers CTRL_GUEST_OFFLOADS also on
	 * backends without a virtio-net header (hub, socket), which offer no guest offload,
	 * and answers GUEST_OFFLOADS_SET there with VIRTIO_NET_ERR.
	 */
	if (vnet_can(ad, VNET_NET_F_CTRL_GUEST_OFFLOADS) && vnet_can(ad, VNET_NET_F_CTRL_VQ) &&
	    (ad->probe_features & VNET_GUEST_OFFLOAD_FEATURES) != 0) {
		/*
		 * Keep the device's guest offloads negotiated and program the wanted ones with
		 * the control queue (5.1.6.5.6): what a reconfigure changes is then a command,
		 * not a different feature set. GUEST_TSO without mergeable buffers obliges
		 * 64 KiB RX buffers (5.1.6.3.1): only when LRO is on.
		 */
		uint64_t keep = VNET_GUEST_OFFLOAD_FEATURES;

		if (!vnet_can(ad, VNET_NET_F_MRG_RXBUF) && !(guest & tso))
			keep &= ~tso;
		*wanted &= ~VNET_GUEST_OFFLOAD_FEATURES | keep;
		ad->cst.guest_offloads_set = true;
		ad->cst.guest_offloads = guest & ad->probe_features;
	} else {
		*wanted &= ~VNET_GUEST_OFFLOAD_FEATURES | guest;
	}
	if (txo & (TX_CSUM_OFFLOADS | RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_UDP_TSO))
		host |= VNET_BIT(VNET_NET_F_CSUM);
	if (txo & RTE_ETH_TX_OFFLOAD_TCP_TSO)
		host |= VNET_BIT(VNET_NET_F_HOST_TSO4) | VNET_BIT(VNET_NET_F_HOST_TSO6) |
			VNET_BIT(VNET_NET_F_HOST_ECN);
	if (txo & RTE_ETH_TX_OFFLOAD_UDP_TSO)
		host |= VNET_BIT(VNET_NET_F_HOST_USO);
	*wanted &= ~VNET_HOST_OFFLOAD_FEATURES | host;
}

/* Mbufs per RX buffer without mergeable buffers: header + the largest frame must fit. */
static uint16_t
big_segs(const struct vnet_rxq *rxq, uint32_t frame)
{
	uint32_t room = rte_pktmbuf_data_room_size(rxq->mp);
	uint32_t first = room - RTE_PKTMBUF_HEADROOM + rxq->hdr_size;
	uint32_t need = frame + rxq->hdr_size;

	if (need <= first)
		return 1;
	return (uint16_t)(1 + (need - first + room - 1) / room);
}

int
vnet_offload_start(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_hw *hw = &ad->hw;
	uint64_t rxo = rx_offloads(dev), txo = tx_offloads(dev);
	uint64_t guest = ad->cst.guest_offloads_set ? ad->cst.guest_offloads :
			 hw->driver_features;
	bool mrg = vnet_hw_has(hw, VNET_NET_F_MRG_RXBUF);
	bool lro = (rxo & RTE_ETH_RX_OFFLOAD_TCP_LRO) != 0;
	uint16_t q;

	if (lro && !(guest & (VNET_BIT(VNET_NET_F_GUEST_TSO4) | VNET_BIT(VNET_NET_F_GUEST_TSO6)))) {
		VNET_INIT_LOG(ERR, "port %u: TCP_LRO needs VIRTIO_NET_F_GUEST_TSO4/6, which the "
			      "device did not accept", dev->data->port_id);
		return -EINVAL;
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];
		uint32_t frame = dev->data->mtu + VNET_L2_OVERHEAD;

		rxq->guest_csum = (rxo & (RX_CSUM_OFFLOADS | RTE_ETH_RX_OFFLOAD_TCP_LRO)) != 0 &&
				  (guest & VNET_BIT(VNET_NET_F_GUEST_CSUM));
		rxq->gso_ok = 0;
		if (lro && (guest & VNET_BIT(VNET_NET_F_GUEST_TSO4)))
			rxq->gso_ok |= 1u << VNET_NET_HDR_GSO_TCPV4;
		if (lro && (guest & VNET_BIT(VNET_NET_F_GUEST_TSO6)))
			rxq->gso_ok |= 1u << VNET_NET_HDR_GSO_TCPV6;
		rxq->vlan_strip = (rxo & RTE_ETH_RX_OFFLOAD_VLAN_STRIP) != 0;
		rxq->ptype = ad->ptype_mask != 0;
		rxq->max_frame = frame;
		rxq->max_lro = lro ? VNET_MAX_LRO_PKT_SIZE : frame;
		/*
		 * Without mergeable buffers a buffer must take the largest frame the device
		 * may send: the MTU's, or 64 KiB with GUEST_TSO (5.1.6.3.1), which is
		 * negotiated then even when only the checksum was asked for.
		 */
		rxq->big_segs = 1;
		if (!mrg) {
			bool tso = vnet_hw_has(hw, VNET_NET_F_GUEST_TSO4) ||
				   vnet_hw_has(hw, VNET_NET_F_GUEST_TSO6);

			rxq->big_segs = big_segs(rxq, tso ? VNET_BIG_RX_BUF - rxq->hdr_size :
						 frame);
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct vnet_txq *txq = dev->data->tx_queues[q];

		txq->offload = (txo & TX_HDR_OFFLOADS) != 0;
		txq->csum_ok = vnet_hw_has(hw, VNET_NET_F_CSUM);
		txq->tso4_ok = vnet_hw_has(hw, VNET_NET_F_HOST_TSO4);
		txq->tso6_ok = vnet_hw_has(hw, VNET_NET_F_HOST_TSO6);
		txq->ecn_ok = vnet_hw_has(hw, VNET_NET_F_HOST_ECN);
		txq->uso_ok = vnet_hw_has(hw, VNET_NET_F_HOST_USO);
	}
	return 0;
}

/* ---- TX ---- */

/* Headers of @p m that the offload reads and writes: in its first segment. */
static bool
tx_hdrs_in_first_seg(const struct rte_mbuf *m)
{
	return (uint32_t)m->l2_len + m->l3_len + m->l4_len <= m->data_len;
}

int
vnet_tx_offload_slow(const struct vnet_txq *txq, struct rte_mbuf *m, struct vnet_net_hdr *h)
{
	uint64_t ol = m->ol_flags;
	struct vnet_tx_req r;
	int ret;

	if (!tx_hdrs_in_first_seg(m) || m->l2_len == 0 || m->l3_len == 0)
		return -EINVAL;
	if ((ol & RTE_MBUF_F_TX_IP_CKSUM) && (ol & RTE_MBUF_F_TX_IPV4)) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
								  m->l2_len);

		if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1)
			return -EINVAL;	/* a shared header is not ours to write */
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	memset(&r, 0, sizeof(r));
	r.l2_len = m->l2_len;
	r.l3_len = m->l3_len;
	r.l4_len = m->l4_len;
	switch (ol & RTE_MBUF_F_TX_L4_MASK) {
	case RTE_MBUF_F_TX_TCP_CKSUM:
		r.l4 = VNET_TX_L4_TCP;
		break;
	case RTE_MBUF_F_TX_UDP_CKSUM:
		r.l4 = VNET_TX_L4_UDP;
		break;
	case 0:
		break;
	default:
		return -ENOTSUP;	/* SCTP: virtio has no CRC32c offload */
	}
	if (ol & RTE_MBUF_F_TX_TCP_SEG) {
		bool v4 = (ol & RTE_MBUF_F_TX_IPV4) != 0;
		struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
								 m->l2_len + m->l3_len);
		uint32_t paylen = m->pkt_len - m->l2_len - m->l3_len, sum;

		if (!(v4 ? txq->tso4_ok : txq->tso6_ok) || m->tso_segsz == 0)
			return -ENOTSUP;
		if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1)
			return -EINVAL;
		r.l4 = VNET_TX_L4_TCP;
		r.seg_size = m->tso_segsz;
		r.gso = v4 ? VNET_NET_HDR_GSO_TCPV4 : VNET_NET_HDR_GSO_TCPV6;
		if (txq->ecn_ok && (th->tcp_flags & RTE_TCP_CWR_FLAG))
			r.gso |= VNET_NET_HDR_GSO_ECN;
		/* DPDK's TSO pseudo-header sum has no length; Linux's GSO wants it in. */
		sum = (uint32_t)th->cksum + rte_cpu_to_be_16((uint16_t)paylen);
		th->cksum = (uint16_t)((sum & 0xffff) + (sum >> 16));
	} else if (ol & RTE_MBUF_F_TX_UDP_SEG) {
		if (!txq->uso_ok || m->tso_segsz == 0)
			return -ENOTSUP;
		r.l4 = VNET_TX_L4_UDP;
		r.l4_len = sizeof(struct rte_udp_hdr);
		r.seg_size = m->tso_segsz;
		r.gso = VNET_NET_HDR_GSO_UDP_L4;
	}
	if (r.l4 != VNET_TX_L4_NONE && !txq->csum_ok)
		return -ENOTSUP;
	ret = vnet_net_hdr_tx_encode(h, &r);
	return ret;
}

uint16_t
vnet_tx_prepare(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct vnet_txq *txq = q;
	uint16_t i;

	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t ol = m->ol_flags;
		int ret;

		if (m->nb_segs > VNET_TX_MAX_SEGS) {
			rte_errno = EINVAL;
			return i;
		}
		if ((ol & RTE_MBUF_F_TX_OFFLOAD_MASK & ~(VNET_TX_OL_MASK | RTE_MBUF_F_TX_VLAN |
		     RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) != 0 ||
		    ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_SCTP_CKSUM) ||
		    ((ol & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG)) && !txq->csum_ok) ||
		    ((ol & RTE_MBUF_F_TX_TCP_SEG) &&
		     !((ol & RTE_MBUF_F_TX_IPV4) ? txq->tso4_ok : txq->tso6_ok)) ||
		    ((ol & RTE_MBUF_F_TX_UDP_SEG) && !txq->uso_ok)) {
			rte_errno = ENOTSUP;	/* tunnels, outer checksums, SCTP, no feature */
			return i;
		}
		if ((ol & VNET_TX_OL_MASK) != 0 && !tx_hdrs_in_first_seg(m)) {
			rte_errno = EINVAL;	/* headers split across segments */
			return i;
		}
		if ((ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)) && m->tso_segsz == 0) {
			rte_errno = EINVAL;
			return i;
		}
#ifdef RTE_LIBRTE_ETHDEV_DEBUG
		/*
		 * Debug builds only, as net_virtio: it refuses IPv4 TSO without IP_CKSUM, which
		 * testpmd's csum engine sends with "csum set ip sw" (virtio does not need it).
		 */
		ret = rte_validate_tx_offload(m);
		if (ret != 0) {
			rte_errno = -ret;
			return i;
		}
#endif
		/* Pseudo-header checksums, as every DPDK NIC expects them (length-less for TSO). */
		ret = rte_net_intel_cksum_prepare(m);
		if (ret != 0) {
			rte_errno = -ret;
			return i;
		}
	}
	return i;
}

/* ---- RX ---- */

/* Complete a partial checksum (the device left it for the driver): sum from csum_start. */
static int
rx_csum_complete(struct rte_mbuf *m, uint32_t start, uint32_t off)
{
	uint16_t csum = 0, *field;

	if (start + off + 2 > m->data_len)
		return -1;	/* checksum field outside the first segment: not supported */
	field = rte_pktmbuf_mtod_offset(m, uint16_t *, start + off);
	if (rte_raw_cksum_mbuf(m, start, m->pkt_len - start, &csum) != 0)
		return -1;
	/* The field holds the pseudo-header sum already: summing over it completes it. */
	csum = (uint16_t)~csum;
	if (csum == 0 && off == VNET_UDP_CSUM_OFF)
		csum = 0xffff;	/* UDP: 0 means "no checksum" */
	*field = csum;
	return 0;
}

int
vnet_rx_offload_slow(struct vnet_rxq *rxq, struct rte_mbuf *m, const struct vnet_net_hdr *h)
{
	struct rte_net_hdr_lens hl;
	struct vnet_rx_info info;
	uint32_t l4, ptype, vlan = (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) ? RTE_VLAN_HLEN : 0;
	uint32_t frame = m->pkt_len + vlan;

	if (vnet_net_hdr_rx_decode(h, frame, rxq->guest_csum, rxq->gso_ok, &info) !=
	    VNET_RX_HDR_OK) {
		rxq->stats.bad_hdr++;
		return -1;
	}
	memset(&hl, 0, sizeof(hl));
	/* Parsed for the checksum decision even when the application wants no ptypes. */
	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_ALL_MASK);
	m->packet_type = rxq->ptype ? ptype : RTE_PTYPE_UNKNOWN;
	l4 = ptype & RTE_PTYPE_L4_MASK;
	if (info.gso != VNET_NET_HDR_GSO_NONE) {
		if (unlikely(m->pkt_len > rxq->max_lro)) {
			rxq->stats.oversize++;
			return -1;
		}
		m->ol_flags |= RTE_MBUF_F_RX_LRO;
		m->tso_segsz = info.seg_size;
		rxq->stats.lro++;
	}
	if (info.csum == VNET_RX_CSUM_VALID) {
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	} else if (info.csum == VNET_RX_CSUM_PARTIAL) {
		uint32_t start = info.csum_start - (info.csum_start >= vlan ? vlan : 0);
		uint32_t parsed = (uint32_t)hl.l2_len + hl.l3_len;

		if (start == parsed &&
		    ((l4 == RTE_PTYPE_L4_TCP && info.csum_offset == VNET_TCP_CSUM_OFF) ||
		     (l4 == RTE_PTYPE_L4_UDP && info.csum_offset == VNET_UDP_CSUM_OFF))) {
			m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
		} else {
			if (info.gso != VNET_NET_HDR_GSO_NONE ||
			    rx_csum_complete(m, start, info.csum_offset) != 0) {
				rxq->stats.bad_hdr++;
				return -1;
			}
			rxq->stats.csum_sw++;
		}
	}
	return 0;
}

/* ---- Packet types ---- */

static const uint32_t vnet_ptypes[] = {
	RTE_PTYPE_L2_ETHER,
	RTE_PTYPE_L2_ETHER_VLAN,
	RTE_PTYPE_L2_ETHER_QINQ,
	RTE_PTYPE_L3_IPV4_EXT_UNKNOWN,
	RTE_PTYPE_L3_IPV6_EXT_UNKNOWN,
	RTE_PTYPE_L4_TCP,
	RTE_PTYPE_L4_UDP,
	RTE_PTYPE_L4_FRAG,
	RTE_PTYPE_L4_SCTP,
	RTE_PTYPE_L4_ICMP,
	RTE_PTYPE_UNKNOWN
};

const uint32_t *
vnet_ptypes_list(struct rte_eth_dev *dev, size_t *n)
{
	RTE_SET_USED(dev);
	*n = RTE_DIM(vnet_ptypes) - 1;
	return vnet_ptypes;
}

int
vnet_ptypes_set(struct rte_eth_dev *dev, uint32_t mask)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t q;

	ad->ptype_mask = mask;
	/* A started port's RX variant keeps what it was chosen with until the next start. */
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL)
			rxq->ptype = mask != 0;
	}
	return 0;
}
