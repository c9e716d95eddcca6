/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/* RX and TX queue setup and release: ring memory, queue sizes, per-queue parameters. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "vnet_ethdev.h"
#include "vnet_logs.h"

static void
reclaim_mbuf(void *cookie, void *arg)
{
	RTE_SET_USED(arg);
	/* TX cookies of chains carry a tag in bit 0 (see vnet_rxtx.c). */
	rte_pktmbuf_free((struct rte_mbuf *)((uintptr_t)cookie & ~(uintptr_t)1));
}

void
vnet_vq_free(struct vnet_vq *vq)
{
	rte_memzone_free(vq->mz);
	vq->mz = NULL;
	vq->ring_va = NULL;
	rte_free(vq->priv);
	vq->priv = NULL;
}

/* Allocate ring memory for a queue of @size entries; the ring is laid out at dev_start. */
int
vnet_vq_alloc(struct rte_eth_dev *dev, struct vnet_vq *vq, uint16_t idx, uint16_t size,
	 unsigned int socket)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_hw *hw = &ad->hw;
	struct vnet_vring_layout l;
	struct vnet_packed_layout pl;
	char name[RTE_MEMZONE_NAMESIZE];
	unsigned long align = hw->modern ? RTE_CACHE_LINE_SIZE : VNET_VRING_LEGACY_ALIGN;
	size_t priv;

	/*
	 * Room for either ring type: which one runs is negotiated at each start (a size that
	 * is not a power of two can only be a packed ring).
	 */
	if (vnet_vring_layout(size, align, &l) != 0)
		l.size = 0;
	if (vnet_packed_layout(size, &pl) == 0 && pl.size > l.size)
		l.size = pl.size;
	if (l.size == 0)
		return -EINVAL;
	if (hw->ops->ring_mem != NULL) {
		/* The transport owns ring memory (shared with a vhost-user backend). */
		vq->ring_va = hw->ops->ring_mem(hw, idx, l.size, &vq->ring_iova);
		if (vq->ring_va == NULL)
			return -ENOMEM;
	} else {
		snprintf(name, sizeof(name), "vnet_p%u_vq%u", dev->data->port_id, idx);
		vq->mz = rte_memzone_reserve_aligned(name, l.size, (int)socket,
						     RTE_MEMZONE_IOVA_CONTIG,
						     VNET_VRING_LEGACY_ALIGN);
		if (vq->mz == NULL) {
			VNET_INIT_LOG(ERR, "port %u: cannot reserve %zu bytes of IOVA-contiguous "
				      "ring memory for queue %u: %s (are hugepages set up?)",
				      dev->data->port_id, l.size, idx, rte_strerror(rte_errno));
			return -ENOMEM;
		}
		vq->ring_va = vq->mz->addr;
		vq->ring_iova = vq->mz->iova;
	}
	priv = RTE_MAX(vnet_vring_priv_size(size), vnet_packed_priv_size(size));
	vq->priv = rte_zmalloc_socket("vnet_vq_priv", priv, RTE_CACHE_LINE_SIZE, (int)socket);
	if (vq->priv == NULL) {
		vnet_vq_free(vq);
		return -ENOMEM;
	}
	vq->hw = hw;
	vq->idx = idx;
	vq->size = size;
	vq->avail_off = l.avail_off;
	vq->used_off = l.used_off;
	vq->socket_id = socket;
	return 0;
}

int
vnet_vq_ring_init(struct vnet_adapter *ad, struct vnet_vq *vq)
{
	unsigned long align = ad->hw.modern ? RTE_CACHE_LINE_SIZE : VNET_VRING_LEGACY_ALIGN;
	bool event_idx = vnet_hw_has(&ad->hw, VNET_F_RING_EVENT_IDX);
	struct vnet_vring_layout l;
	struct vnet_packed_layout pl;
	int ret;

	vq->packed = vnet_hw_has(&ad->hw, VNET_F_RING_PACKED);
	if (vq->packed) {
		ret = vnet_packed_layout(vq->size, &pl);
		if (ret == 0)
			ret = vnet_packed_init(&vq->pr, vq->size, vq->ring_va, vq->priv, event_idx,
					       vnet_hw_has(&ad->hw, VNET_F_IN_ORDER));
		vq->avail_off = pl.driver_off;
		vq->used_off = pl.device_off;
		return ret;
	}
	ret = vnet_vring_layout(vq->size, align, &l);
	if (ret != 0)
		return ret;
	vq->avail_off = l.avail_off;
	vq->used_off = l.used_off;
	return vnet_vring_init(&vq->vr, vq->size, align, vq->ring_va, vq->priv, event_idx);
}

/* Hand every buffer the ring still holds back: mbufs are freed, bounce slots are not. */
void
vnet_vq_reclaim(struct vnet_vq *vq)
{
	if (vq->priv == NULL)
		return;
	if (vq->packed)
		vnet_packed_detach_unused(&vq->pr, vq->copy ? NULL : reclaim_mbuf, NULL);
	else
		vnet_vring_detach_unused(&vq->vr, vq->copy ? NULL : reclaim_mbuf, NULL);
}

void
vnet_vq_disable_cb(struct vnet_vq *vq)
{
	if (vq->packed)
		vnet_packed_disable_cb(&vq->pr);
	else
		vnet_vring_disable_cb(&vq->vr);
}

void
vnet_vq_set_min_len(struct vnet_vq *vq, uint32_t min_len)
{
	if (vq->packed)
		vnet_packed_set_min_len(&vq->pr, min_len);
	else
		vnet_vring_set_min_len(&vq->vr, min_len);
}

int
vnet_vq_set_indirect(struct vnet_vq *vq, void *mem, uint64_t iova, unsigned int max)
{
	return vq->packed ? vnet_packed_set_indirect(&vq->pr, mem, iova, max) :
			    vnet_vring_set_indirect(&vq->vr, mem, iova, max);
}

/*
 * Log how a descriptor count was adapted: NOTICE the first time a (requested, used) pair
 * shows up for a direction of the port, DEBUG when later queues repeat it, so that
 * "--rxq=4 --rxd=1024" prints one line per direction, not one per queue.
 */
static void
note_queue_size(struct rte_eth_dev *dev, uint16_t vq_idx, uint16_t nb_desc, uint16_t size,
		const char *why)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint32_t key = (uint32_t)nb_desc << 16 | size;
	unsigned int dir = vq_idx & 1;

	if (ad->desc_note[dir] != key) {
		ad->desc_note[dir] = key;
		VNET_INIT_LOG(NOTICE, "port %u: %s queues: %u descriptors requested, using %u (%s)",
			      dev->data->port_id, dir ? "TX" : "RX", nb_desc, size, why);
	} else {
		VNET_INIT_LOG(DEBUG, "port %u: queue %u: %u descriptors requested, using %u (%s)",
			      dev->data->port_id, vq_idx, nb_desc, size, why);
	}
}

/*
 * Ring size for @nb_desc descriptors, as DPDK's net_virtio accepts any count (ethdev's
 * nb_max is left at its default): 0 gives the device's maximum; more than the device's
 * maximum is clamped to it; fewer is honoured on modern devices (queue_size register,
 * 4.1.4.3), exactly for packed rings (2.8), rounded up to a power of two for split rings
 * (2.7); a legacy device's queues have a fixed size (4.1.5.1.3.1), also for a smaller
 * request. Logged when the count changes.
 */
static int
pick_queue_size(struct rte_eth_dev *dev, uint16_t vq_idx, uint16_t nb_desc, uint16_t *size)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t max = vnet_dev_queue_max(&ad->hw, vq_idx);
	bool packed = vnet_can(ad, VNET_F_RING_PACKED) && ad->args.packed;
	uint32_t want;

	if (max == 0 || max > VNET_VRING_MAX_SIZE || (!packed && (max & (max - 1)) != 0)) {
		VNET_INIT_LOG(ERR, "port %u: device queue %u size %u is invalid",
			      dev->data->port_id, vq_idx, max);
		return -EIO;
	}
	if (nb_desc == 0) {
		*size = max;
		return 0;
	}
	if (!ad->hw.modern) {
		*size = max;
		if (nb_desc != max)
			note_queue_size(dev, vq_idx, nb_desc, max,
					"a legacy device's queues have a fixed size");
		return 0;
	}
	want = packed ? nb_desc : rte_align32pow2(nb_desc);
	if (want > max) {
		*size = max;
		note_queue_size(dev, vq_idx, nb_desc, max, "the device's maximum");
		return 0;
	}
	*size = (uint16_t)want;
	if (want != nb_desc)
		note_queue_size(dev, vq_idx, nb_desc, *size,
				"rounded up: split rings need a power of two");
	return 0;
}

void
vnet_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vnet_rxq *rxq = dev->data->rx_queues[qid];

	if (rxq == NULL)
		return;
	vnet_vq_reclaim(&rxq->vq);
	vnet_vq_free(&rxq->vq);
	rte_memzone_free(rxq->ind_mz);
	rte_free(rxq);
	dev->data->rx_queues[qid] = NULL;
}

int
vnet_rxq_big_prepare(struct rte_eth_dev *dev, struct vnet_rxq *rxq)
{
	struct vnet_adapter *ad = adapter_of(dev);
	size_t need = (size_t)rxq->vq.size * rxq->big_segs * sizeof(struct vnet_vring_desc);
	char name[RTE_MEMZONE_NAMESIZE];
	int ret;

	rxq->big_indirect = false;
	if (rxq->big_segs <= 1)
		return 0;
	if (rxq->big_segs > VNET_RX_BIG_SEGS_MAX ||
	    (!vnet_hw_has(&ad->hw, VNET_F_RING_INDIRECT_DESC) && rxq->big_segs > rxq->vq.size)) {
		VNET_INIT_LOG(ERR, "port %u rxq %u: without mergeable RX buffers a buffer must "
			      "hold the largest frame the device may send (the MTU's; 64 KiB with "
			      "GUEST_TSO), here %u mbufs of data room %u: at most %u%s; give the "
			      "pool larger mbufs", dev->data->port_id, rxq->queue_id,
			      rxq->big_segs, rte_pktmbuf_data_room_size(rxq->mp),
			      VNET_RX_BIG_SEGS_MAX, vnet_hw_has(&ad->hw, VNET_F_RING_INDIRECT_DESC) ?
			      "" : " and the ring size (no indirect descriptors)");
		return -EINVAL;
	}
	if (!vnet_hw_has(&ad->hw, VNET_F_RING_INDIRECT_DESC))
		return 0;	/* a descriptor per mbuf: the ring holds size / big_segs buffers */
	if (rxq->ind_mz != NULL && rxq->ind_mz->len < need) {
		rte_memzone_free(rxq->ind_mz);
		rxq->ind_mz = NULL;
	}
	if (rxq->ind_mz == NULL) {
		snprintf(name, sizeof(name), "vnet_p%u_rxind%u", dev->data->port_id,
			 rxq->queue_id);
		rxq->ind_mz = rte_memzone_reserve_aligned(name, need, (int)rxq->vq.socket_id,
							  RTE_MEMZONE_IOVA_CONTIG,
							  RTE_CACHE_LINE_SIZE);
		if (rxq->ind_mz == NULL)
			return 0;	/* optional: a descriptor per mbuf instead */
	}
	ret = vnet_vq_set_indirect(&rxq->vq, rxq->ind_mz->addr,
				      ad->hw.use_va ? (uint64_t)(uintptr_t)rxq->ind_mz->addr :
				      rxq->ind_mz->iova, rxq->big_segs);
	rxq->big_indirect = ret == 0;
	return 0;
}

void
vnet_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vnet_txq *txq = dev->data->tx_queues[qid];

	if (txq == NULL)
		return;
	vnet_vq_reclaim(&txq->vq);
	vnet_vq_free(&txq->vq);
	rte_memzone_free(txq->hdr_mz);
	rte_memzone_free(txq->ind_mz);
	rte_memzone_free(txq->pair_mz);
	rte_memzone_free(txq->hdrs_mz);
	rte_free(txq);
	dev->data->tx_queues[qid] = NULL;
}

int
vnet_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket, const struct rte_eth_rxconf *conf,
		    struct rte_mempool *mp)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_rxq *rxq;
	uint16_t size, room, hdr = ad->hw.hdr_size;
	struct rte_mbuf mb_def;
	int ret;

	room = rte_pktmbuf_data_room_size(mp);
	/* Smaller mbufs than a frame are fine: mergeable buffers or chains per buffer. */
	if (room < RTE_PKTMBUF_HEADROOM + hdr + RTE_ETHER_MIN_LEN) {
		VNET_INIT_LOG(ERR, "port %u rxq %u: mbuf data room %u too small: need >= %u "
			      "(headroom %u + header %u + a minimal frame %u)",
			      dev->data->port_id, qid, room,
			      RTE_PKTMBUF_HEADROOM + hdr + RTE_ETHER_MIN_LEN,
			      RTE_PKTMBUF_HEADROOM, hdr, RTE_ETHER_MIN_LEN);
		return -EINVAL;
	}
	ret = pick_queue_size(dev, (uint16_t)(2 * qid), nb_desc, &size);
	if (ret != 0)
		return ret;

	vnet_rx_queue_release(dev, qid);
	rxq = rte_zmalloc_socket("vnet_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, (int)socket);
	if (rxq == NULL)
		return -ENOMEM;
	ret = vnet_vq_alloc(dev, &rxq->vq, (uint16_t)(2 * qid), size, socket);
	if (ret != 0) {
		rte_free(rxq);
		return ret;
	}
	rxq->mp = mp;
	rxq->big_segs = 1;
	if (conf != NULL)
		ad->rxq_offloads |= conf->offloads;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = qid;
	rxq->hdr_size = hdr;
	rxq->addr_off = vnet_mbuf_addr_off(ad->hw.use_va);
	rxq->buf_len = (uint32_t)(room - RTE_PKTMBUF_HEADROOM) + hdr;
	rxq->free_thresh = conf != NULL && conf->rx_free_thresh != 0 ? conf->rx_free_thresh :
			   RTE_MIN(VNET_DEFAULT_RX_FREE_THRESH, size / 4);
	if (rxq->free_thresh == 0 || rxq->free_thresh > size)
		rxq->free_thresh = 1;
	rxq->adaptive = ad->args.coalesce_auto;
	rxq->coalesce_tsc = (uint64_t)ad->args.delay_us * rte_get_tsc_hz() / 1000000;
	if (rxq->coalesce_tsc == 0)
		rxq->coalesce_tsc = 1;

	memset(&mb_def, 0, sizeof(mb_def));
	mb_def.nb_segs = 1;
	mb_def.data_off = RTE_PKTMBUF_HEADROOM;
	mb_def.port = dev->data->port_id;
	rte_mbuf_refcnt_set(&mb_def, 1);
	/* rearm_data is a zero-length marker: copy the 8 bytes it marks. */
	memcpy(&rxq->mbuf_initializer,
	       (uint8_t *)&mb_def + offsetof(struct rte_mbuf, rearm_data), sizeof(uint64_t));

	dev->data->rx_queues[qid] = rxq;
	return 0;
}

int
vnet_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_txq *txq;
	char name[RTE_MEMZONE_NAMESIZE];
	uint16_t size;
	int ret;

	ret = pick_queue_size(dev, (uint16_t)(2 * qid + 1), nb_desc, &size);
	if (ret != 0)
		return ret;

	vnet_tx_queue_release(dev, qid);
	txq = rte_zmalloc_socket("vnet_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE, (int)socket);
	if (txq == NULL)
		return -ENOMEM;
	ret = vnet_vq_alloc(dev, &txq->vq, (uint16_t)(2 * qid + 1), size, socket);
	if (ret != 0)
		goto err_free;
	snprintf(name, sizeof(name), "vnet_p%u_txhdr%u", dev->data->port_id, qid);
	txq->hdr_mz = rte_memzone_reserve_aligned(name, RTE_CACHE_LINE_SIZE, (int)socket,
						  RTE_MEMZONE_IOVA_CONTIG, RTE_CACHE_LINE_SIZE);
	if (txq->hdr_mz == NULL) {
		ret = -ENOMEM;
		goto err_vq;
	}
	memset(txq->hdr_mz->addr, 0, RTE_CACHE_LINE_SIZE);
	if (vnet_can(ad, VNET_F_RING_INDIRECT_DESC) && size <= VNET_TX_IND_RING_MAX) {
		snprintf(name, sizeof(name), "vnet_p%u_txind%u", dev->data->port_id, qid);
		/* Optional: without it chains take a slot per segment. */
		txq->ind_mz = rte_memzone_reserve_aligned(name, (size_t)size * VNET_TX_IND_MAX *
							  sizeof(struct vnet_vring_desc),
							  (int)socket, RTE_MEMZONE_IOVA_CONTIG,
							  RTE_CACHE_LINE_SIZE);
		snprintf(name, sizeof(name), "vnet_p%u_txpair%u", dev->data->port_id, qid);
		txq->pair_mz = rte_memzone_reserve_aligned(name, (size_t)size * 2 *
							   sizeof(struct vnet_vring_desc),
							   (int)socket, RTE_MEMZONE_IOVA_CONTIG,
							   RTE_CACHE_LINE_SIZE);
		if (txq->ind_mz == NULL || txq->pair_mz == NULL) {
			rte_memzone_free(txq->ind_mz);
			rte_memzone_free(txq->pair_mz);
			txq->ind_mz = NULL;
			txq->pair_mz = NULL;
		} else {
			txq->pairs = txq->pair_mz->addr;
			txq->pairs_iova = ad->hw.use_va ? (uint64_t)(uintptr_t)txq->pair_mz->addr :
					  txq->pair_mz->iova;
		}
	}
	txq->hdr_iova = ad->hw.use_va ? (uint64_t)(uintptr_t)txq->hdr_mz->addr :
			txq->hdr_mz->iova;
	/* Offloads: a header per descriptor id for packets whose headroom cannot take it. */
	snprintf(name, sizeof(name), "vnet_p%u_txhdrs%u", dev->data->port_id, qid);
	txq->hdrs_mz = rte_memzone_reserve_aligned(name, (size_t)size * VNET_TX_HDR_STRIDE,
						   (int)socket, RTE_MEMZONE_IOVA_CONTIG,
						   RTE_CACHE_LINE_SIZE);
	if (txq->hdrs_mz == NULL) {
		ret = -ENOMEM;
		goto err_hdr;
	}
	txq->hdrs = txq->hdrs_mz->addr;
	txq->hdrs_iova = ad->hw.use_va ? (uint64_t)(uintptr_t)txq->hdrs_mz->addr :
			 txq->hdrs_mz->iova;
	if (conf != NULL)
		ad->txq_offloads |= conf->offloads;
	txq->addr_off = vnet_mbuf_addr_off(ad->hw.use_va);
	txq->port_id = dev->data->port_id;
	txq->queue_id = qid;
	txq->hdr_size = ad->hw.hdr_size;
	txq->fast_free = ((dev->data->dev_conf.txmode.offloads |
			   (conf != NULL ? conf->offloads : 0)) &
			  RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE) != 0;
	txq->free_thresh = conf != NULL && conf->tx_free_thresh != 0 ? conf->tx_free_thresh :
			   RTE_MIN(VNET_DEFAULT_FREE_THRESH, size / 4);
	if (txq->free_thresh == 0 || txq->free_thresh > size)
		txq->free_thresh = 1;
	txq->coalesce_pkts = ad->args.coalesce;
	txq->adaptive = ad->args.coalesce_auto;
	txq->coalesce_tsc = (uint64_t)ad->args.delay_us * rte_get_tsc_hz() / 1000000;
	if (txq->coalesce_tsc == 0)
		txq->coalesce_tsc = 1;
	dev->data->tx_queues[qid] = txq;
	return 0;

err_hdr:
	rte_memzone_free(txq->hdr_mz);
	rte_memzone_free(txq->ind_mz);
	rte_memzone_free(txq->pair_mz);
err_vq:
	vnet_vq_free(&txq->vq);
err_free:
	rte_free(txq);
	return ret;
}


void
vnet_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_rxq_info *qinfo)
{
	const struct vnet_rxq *rxq = dev->data->rx_queues[qid];

	qinfo->mp = rxq->mp;
	qinfo->nb_desc = rxq->vq.size;
	qinfo->conf.rx_free_thresh = rxq->free_thresh;
	qinfo->rx_buf_size = (uint16_t)(rxq->buf_len - rxq->hdr_size);
}

void
vnet_txq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_txq_info *qinfo)
{
	const struct vnet_txq *txq = dev->data->tx_queues[qid];

	qinfo->nb_desc = txq->vq.size;
	qinfo->conf.tx_free_thresh = txq->free_thresh;
}
