/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * ethdev dev_ops of the vnet PMD: configure, device info, start/stop (negotiation, rings,
 * burst variant, kick safety net), close, link, RX modes, MTU, burst modes.
 * Primary process only (the transport ops and the safety-net thread are per process).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>

#include "rte_pmd_vnet.h"
#include "vnet_ethdev.h"
#include "vnet_lifecycle.h"
#include "vnet_logs.h"
#include "vnet_offload.h"

/* ---- safety net for coalesced kicks ---- */

/*
 * Adaptive moderation: while a scan finds nothing for the net to do (no deferral pending,
 * or only deferrals the lcore is deciding itself: VNET_SAFETY_LIVE) the thread doubles its
 * sleep, up to VNET_SAFETY_LONG_US. Every wake-up costs a guest vCPU (under TCG about a
 * millisecond of host CPU, taken from QEMU's device emulation: unlimited TCP through a
 * TCG guest forwarder moved 1.30x as much with no thread at all as with one waking a few
 * hundred times a second). A deferral the lcore stops deciding is found at the next scan
 * (WAIT: the period drops back to the base) and kicked once it was seen for kick_delay_us:
 * one that begins during a long sleep is bounded by two long sleeps.
 */
#define VNET_SAFETY_LONG_US	64000
static vnet_thread_ret_t
safety_thread(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vnet_adapter *ad = adapter_of(dev);
	struct timespec ts;
	uint32_t period_us = ad->args.delay_us / 2;
	unsigned int shift = 0;
	uint16_t q;

	if (period_us < 10)
		period_us = 10;
	while (!ad->safety_stop) {
		uint64_t now, us = (uint64_t)period_us << shift;
		enum vnet_safety_scan worst = VNET_SAFETY_NONE, s;

		ts.tv_sec = (time_t)(us / 1000000);
		ts.tv_nsec = (long)(us % 1000000) * 1000;
		nanosleep(&ts, NULL);
		now = rte_get_tsc_cycles();
		__atomic_fetch_add(&ad->safety_scans, 1, __ATOMIC_RELAXED);
		for (q = 0; q < dev->data->nb_tx_queues; q++) {
			struct vnet_txq *txq = dev->data->tx_queues[q];

			s = txq != NULL ? vnet_txq_safety_kick(txq, now) : VNET_SAFETY_NONE;
			worst = RTE_MAX(worst, s);
		}
		for (q = 0; q < dev->data->nb_rx_queues && ad->args.coalesce_auto; q++) {
			struct vnet_rxq *rxq = dev->data->rx_queues[q];

			s = rxq != NULL ? vnet_rxq_safety_kick(rxq, now) : VNET_SAFETY_NONE;
			worst = RTE_MAX(worst, s);
		}
		if (!ad->args.coalesce_auto || worst == VNET_SAFETY_WAIT)
			shift = 0;
		else if (((uint64_t)period_us << (shift + 1)) <= VNET_SAFETY_LONG_US)
			shift++;
	}
	return VNET_THREAD_RET_OK;
}

/* ---- dev_ops ---- */

static int
vnet_dev_configure(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct rte_eth_conf *conf = &dev->data->dev_conf;
	int ret;

	if (dev->data->nb_rx_queues > ad->hw.max_queue_pairs ||
	    dev->data->nb_tx_queues > ad->hw.max_queue_pairs) {
		VNET_INIT_LOG(ERR, "port %u: %u rx / %u tx queues requested, the device has %u "
			      "queue pair(s)%s", dev->data->port_id, dev->data->nb_rx_queues,
			      dev->data->nb_tx_queues, ad->hw.max_queue_pairs,
			      ad->hw.max_queue_pairs == 1 && ad->hw.tp_max_pairs == 0 ?
			      " (no VIRTIO_NET_F_MQ; QEMU: -device virtio-net-pci,mq=on with a "
			      "multi-queue netdev)" : "");
		return -EINVAL;
	}
	ret = vnet_rss_configure(dev);
	if (ret != 0)
		return ret;
	ret = vnet_offload_configure(dev);
	if (ret != 0)
		return ret;
	RTE_SET_USED(conf);
	return vnet_intr_configure(dev);
}

static int
vnet_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t rx_max = vnet_dev_queue_max(&ad->hw, 0);
	uint16_t tx_max = vnet_dev_queue_max(&ad->hw, 1);

	info->max_rx_queues = RTE_MIN(ad->hw.max_queue_pairs, VNET_DEV_SCAN_PAIRS);
	info->max_tx_queues = info->max_rx_queues;
	info->min_mtu = VNET_MIN_MTU;
	info->max_mtu = ad->hw.max_mtu;
	info->max_rx_pktlen = (uint32_t)ad->hw.max_mtu + VNET_L2_OVERHEAD;
	info->min_rx_bufsize = RTE_PKTMBUF_HEADROOM + RTE_ETHER_MIN_LEN;
	vnet_offload_capa(ad, &info->rx_offload_capa, &info->tx_offload_capa);
	info->rx_queue_offload_capa = 0;
	info->tx_queue_offload_capa = 0;
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO)
		info->max_lro_pkt_size = VNET_MAX_LRO_PKT_SIZE;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	/*
	 * Any count is accepted, as by net_virtio: queue setup clamps it to the device's
	 * maximum (or a legacy device's fixed size) and rxq/txq_info_get report what is used.
	 */
	info->rx_desc_lim.nb_max = UINT16_MAX;
	info->rx_desc_lim.nb_min = 1;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = UINT16_MAX;
	info->tx_desc_lim.nb_min = 1;
	info->tx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_seg_max = 32;
	info->tx_desc_lim.nb_mtu_seg_max = 32;
	info->default_rxconf.rx_free_thresh = VNET_DEFAULT_RX_FREE_THRESH;
	info->default_txconf.tx_free_thresh = VNET_DEFAULT_FREE_THRESH;
	info->default_rxportconf.burst_size = 32;
	info->default_txportconf.burst_size = 32;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->default_rxportconf.ring_size = RTE_MIN(rx_max, 256);
	info->default_txportconf.ring_size = RTE_MIN(tx_max, 256);
	info->dev_capa = 0;
	/* Recovery (vnet_lifecycle.c): the PMD resets and restores the port by itself. */
	info->err_handle_mode = ad->args.recovery ? RTE_ETH_ERROR_HANDLE_MODE_PROACTIVE :
				RTE_ETH_ERROR_HANDLE_MODE_NONE;
	vnet_filter_infos(dev, info);
	return 0;
}

static void
stop_safety(struct vnet_adapter *ad)
{
	if (!ad->safety_running)
		return;
	ad->safety_stop = true;
	vnet_thread_join(ad->safety_tid);
	ad->safety_running = false;
}

static void
collect_vqs(struct rte_eth_dev *dev, struct vnet_vq **vqs, unsigned int *n)
{
	uint16_t q;

	*n = 0;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		if (dev->data->rx_queues[q] != NULL)
			vqs[(*n)++] = &((struct vnet_rxq *)dev->data->rx_queues[q])->vq;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		if (dev->data->tx_queues[q] != NULL)
			vqs[(*n)++] = &((struct vnet_txq *)dev->data->tx_queues[q])->vq;
}

static int
vnet_dev_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	RTE_SET_USED(wait_to_complete);
	/* Speed and duplex too (VIRTIO_NET_F_SPEED_DUPLEX); events come from vnet_intr.c. */
	return vnet_link_report(dev, false);
}

/* dev_set_link_up / down: only transports with a link of their own (vhost-net's tap). */
static int
vnet_dev_set_link(struct rte_eth_dev *dev, bool up)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int ret;

	if (ad->hw.ops == NULL || ad->hw.ops->set_link == NULL)
		return -ENOTSUP;
	ret = ad->hw.ops->set_link(&ad->hw, up);
	vnet_dev_link_update(dev, 0);
	return ret;
}

static int
vnet_dev_set_link_up(struct rte_eth_dev *dev)
{
	return vnet_dev_set_link(dev, true);
}

static int
vnet_dev_set_link_down(struct rte_eth_dev *dev)
{
	return vnet_dev_set_link(dev, false);
}

int
vnet_dev_stop_locked(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_vq *vqs[2 * RTE_MAX_QUEUES_PER_PORT + 1];	/* + control queue */
	unsigned int n, i;
	uint16_t q;

	if (!ad->started)
		return 0;
	vnet_intr_stop(dev);	/* no handler may touch the queues from here on */
	stop_safety(ad);
	collect_vqs(dev, vqs, &n);
	/* No burst may run on a ring being reset (an application still polling, a recovery). */
	for (i = 0; i < n; i++)
		if (vnet_vq_fence(vqs[i], VNET_FENCE_TIMEOUT_US) != 0)
			VNET_DRV_LOG(ERR, "port %u: a burst on virtqueue %u did not end within %u ms "
				     "of the stop", dev->data->port_id, vqs[i]->idx,
				     VNET_FENCE_TIMEOUT_US / 1000);
	if (vnet_ctrl_ready(&ad->ctrl))
		vqs[n++] = &ad->cvq;
	vnet_dev_stop(&ad->hw, vqs, n);	/* reset: the device no longer touches the rings */
	vnet_ctrl_queue_stop(dev);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		vnet_rxq_drop_partial(dev->data->rx_queues[q]);
	for (i = 0; i < n; i++)
		if (vqs[i] != &ad->cvq)
			vnet_vq_reclaim(vqs[i]);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	ad->started = false;
	dev->data->dev_started = 0;
	vnet_dev_link_update(dev, 0);
	return 0;
}

/*
 * The RX variant for this start (@p negotiated: the features are this start's), or before
 * the first start for the port's configuration as it stands (features the device offers).
 */
static const struct vnet_rx_variant *
rx_variant_of(struct rte_eth_dev *dev, bool copy, bool negotiated)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct vnet_rxq *rxq = dev->data->nb_rx_queues > 0 ? dev->data->rx_queues[0] : NULL;
	bool mrg = negotiated ? vnet_hw_has(&ad->hw, VNET_NET_F_MRG_RXBUF) :
		   vnet_can(ad, VNET_NET_F_MRG_RXBUF);
	bool hash = negotiated ? vnet_hw_has(&ad->hw, VNET_NET_F_HASH_REPORT) :
		    ad->cst.hash_report;
	bool packed = negotiated ? vnet_hw_has(&ad->hw, VNET_F_RING_PACKED) :
		      vnet_can(ad, VNET_F_RING_PACKED) && ad->args.packed;
	bool big = rxq != NULL && rxq->big_segs > 1;
	bool off = rxq != NULL ? rxq->guest_csum || rxq->gso_ok != 0 || rxq->vlan_strip ||
				 rxq->ptype : false;

	return vnet_rx_select(packed, copy, mrg, !mrg && big, hash, off);
}

static const struct vnet_tx_variant *
tx_variant_of(struct rte_eth_dev *dev, bool copy, bool negotiated)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct vnet_txq *txq = dev->data->nb_tx_queues > 0 ? dev->data->tx_queues[0] : NULL;
	bool packed = negotiated ? vnet_hw_has(&ad->hw, VNET_F_RING_PACKED) :
		      vnet_can(ad, VNET_F_RING_PACKED) && ad->args.packed;

	return vnet_tx_select(packed, copy, ad->args.coalesce != 0 || ad->args.coalesce_auto,
			      txq != NULL && txq->offload);
}

int
vnet_dev_start_locked(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_vq *vqs[2 * RTE_MAX_QUEUES_PER_PORT + 1];	/* + control queue */
	uint64_t wanted = VNET_DRIVER_FEATURES;
	const struct vnet_rx_variant *rxv;
	unsigned int n, i;
	uint16_t q;
	int ret;

	if (dev->data->nb_rx_queues == 0 || dev->data->nb_tx_queues == 0) {
		VNET_INIT_LOG(ERR, "port %u: configure at least one RX and one TX queue",
			      dev->data->port_id);
		return -EINVAL;
	}
	for (q = 0; q < RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues); q++) {
		if ((q < dev->data->nb_rx_queues && dev->data->rx_queues[q] == NULL) ||
		    (q < dev->data->nb_tx_queues && dev->data->tx_queues[q] == NULL)) {
			VNET_INIT_LOG(ERR, "port %u: queue %u is configured but not set up",
				      dev->data->port_id, q);
			return -EINVAL;
		}
	}
	if (!ad->args.event_idx)
		wanted &= ~VNET_BIT(VNET_F_RING_EVENT_IDX);
	if (!ad->args.indirect)
		wanted &= ~VNET_BIT(VNET_F_RING_INDIRECT_DESC);
	if (!ad->args.packed)
		wanted &= ~(VNET_BIT(VNET_F_RING_PACKED) | VNET_BIT(VNET_F_IN_ORDER));
	/* QEMU empties its VLAN table once CTRL_VLAN is negotiated: only with the filter on. */
	if (!(dev->data->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_VLAN_FILTER))
		wanted &= ~VNET_BIT(VNET_NET_F_CTRL_VLAN);
	/* The hash report costs 8 header bytes per packet: only when asked for. */
	if (!ad->cst.hash_report)
		wanted &= ~VNET_BIT(VNET_NET_F_HASH_REPORT);
	vnet_offload_features(dev, &wanted);
	ret = vnet_intr_start(dev);
	if (ret != 0)
		return ret;
	ret = vnet_dev_negotiate(&ad->hw, wanted);
	if (ret != 0) {
		vnet_intr_stop(dev);
		return ret;
	}

	collect_vqs(dev, vqs, &n);
	for (i = 0; i < n; i++) {
		ret = vnet_vq_ring_init(ad, vqs[i]);
		if (ret != 0)
			goto err_reset;
		vnet_vq_disable_cb(vqs[i]);	/* polling: no used notifications */
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		/* The header size follows this start's features (hash report or not). */
		rxq->buf_len = rxq->buf_len - rxq->hdr_size + ad->hw.hdr_size;
		rxq->hdr_size = ad->hw.hdr_size;
		/* Mergeable: only a packet's first buffer has a header (checked per packet). */
		vnet_vq_set_min_len(&rxq->vq, vnet_hw_has(&ad->hw, VNET_NET_F_MRG_RXBUF) ?
				    0 : rxq->hdr_size);
		rxq->broken_logged = false;
		rxq->adaptive = ad->args.coalesce_auto;
		rxq->defer_refill = ad->args.rx_defer;
		rxq->defer_start = 0;
		rxq->safety_start_seen = 0;
		rxq->safety_seen = __atomic_load_n(&rxq->safety_kicks, __ATOMIC_RELAXED);
	}
	ret = vnet_offload_start(dev);
	if (ret != 0)
		goto err_reset;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		ret = vnet_rxq_big_prepare(dev, dev->data->rx_queues[q]);
		if (ret != 0)
			goto err_reset;
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct vnet_txq *txq = dev->data->tx_queues[q];

		txq->hdr_size = ad->hw.hdr_size;
		txq->broken_logged = false;
		txq->defer_start = 0;
		vnet_txq_kick_policy_init(txq, (uint64_t)ad->args.delay_us * rte_get_tsc_hz() /
					  1000000);
		txq->indirect = false;
		if (txq->ind_mz != NULL && vnet_hw_has(&ad->hw, VNET_F_RING_INDIRECT_DESC) &&
		    vnet_vq_set_indirect(&txq->vq, txq->ind_mz->addr,
					 ad->hw.use_va ? (uint64_t)(uintptr_t)txq->ind_mz->addr :
					 txq->ind_mz->iova, VNET_TX_IND_MAX) == 0)
			txq->indirect = vnet_txq_ind_init(txq);
	}
	ret = vnet_ctrl_queue_prepare(dev, &vqs[n]);
	if (ret != 0)
		goto err_reset;
	ret = vnet_intr_vectors(dev);
	if (ret != 0)
		goto err_reset;
	if (vqs[n] != NULL)
		n++;	/* the control queue is registered last, like its index */
	ret = vnet_dev_start_queues(&ad->hw, vqs, n);
	if (ret != 0)
		goto err_reset;
	ret = vnet_ctrl_queue_start(dev);
	if (ret != 0)
		goto err_stop;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq->vq.stopped)
			continue;	/* deferred or stopped: posted by its queue_start */
		ret = vnet_rxq_fill(rxq);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "port %u rxq %u: mempool has no mbufs to post: give "
				      "the pool at least the RX ring size in mbufs per RX queue, "
				      "plus what the application holds", dev->data->port_id, q);
			goto err_stop;
		}
	}

	/* The transport decided copy mode at DRIVER_OK (vhost-user only). */
	rxv = rx_variant_of(dev, vqs[0]->copy, true);
	if (rxv == NULL) {
		VNET_INIT_LOG(ERR, "port %u: frames above one mbuf need mergeable RX buffers in "
			      "copy mode (the backend offers no VIRTIO_NET_F_MRG_RXBUF): give the "
			      "pool mbufs of at least %u bytes of data room, or share EAL "
			      "memory with the backend", dev->data->port_id,
			      RTE_PKTMBUF_HEADROOM + dev->data->mtu + VNET_L2_OVERHEAD);
		ret = -EINVAL;
		goto err_stop;
	}
	ad->rx_variant = rxv;
	ad->tx_variant = tx_variant_of(dev, vqs[0]->copy, true);
	ad->rx_variant_id = vnet_rx_variant_id(ad->rx_variant);
	ad->tx_variant_id = vnet_tx_variant_id(ad->tx_variant);
	dev->rx_pkt_burst = ad->rx_variant->fn;
	dev->tx_pkt_burst = ad->tx_variant->fn;
	dev->tx_pkt_prepare = ad->tx_variant->prep;

	if (ad->args.coalesce != 0 || ad->args.coalesce_auto) {
		ad->safety_stop = false;
		ret = vnet_thread_create(&ad->safety_tid, "vnet-kick", safety_thread, dev);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "port %u: cannot start the kick safety-net thread: %s",
				      dev->data->port_id, strerror(-ret));
			goto err_stop;
		}
		ad->safety_running = true;
	}
	/* Bursts on a deferred or stopped queue return 0 until its queue_start. */
	for (i = 0; i < n; i++) {
		if (vqs[i] == &ad->cvq)
			continue;
		vqs[i]->ring_reset = false;	/* registered afresh above */
		if (vqs[i]->stopped)
			__atomic_store_n(&vqs[i]->fenced, 1, __ATOMIC_RELEASE);
		else
			vnet_vq_unfence(vqs[i]);
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] =
			((struct vnet_rxq *)dev->data->rx_queues[q])->vq.stopped ?
			RTE_ETH_QUEUE_STATE_STOPPED : RTE_ETH_QUEUE_STATE_STARTED;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] =
			((struct vnet_txq *)dev->data->tx_queues[q])->vq.stopped ?
			RTE_ETH_QUEUE_STATE_STOPPED : RTE_ETH_QUEUE_STATE_STARTED;
	ad->started = true;
	vnet_intr_started(dev);
	vnet_dev_link_update(dev, 0);
	VNET_INIT_LOG(INFO, "port %u started: RX %s; TX %s; event-idx %s, kick coalescing %s",
		      dev->data->port_id, ad->rx_variant->name, ad->tx_variant->name,
		      vnet_hw_has(&ad->hw, VNET_F_RING_EVENT_IDX) ? "on" : "off",
		      ad->args.coalesce_auto ? "adaptive" : ad->args.coalesce ? "on" : "off");
	return 0;

err_stop:
	vnet_intr_stop(dev);
	vnet_dev_stop(&ad->hw, vqs, n);
	vnet_ctrl_queue_stop(dev);
	for (i = 0; i < n; i++)
		if (vqs[i] != &ad->cvq)
			vnet_vq_reclaim(vqs[i]);
	return ret;
err_reset:
	vnet_intr_stop(dev);
	ad->hw.ops->set_status(&ad->hw, 0);
	return ret;
}

int
vnet_dev_close(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t q;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	vnet_lc_close(dev);
	vnet_rmv_unregister(dev);
	vnet_lc_dev_stop(dev);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		vnet_rx_queue_release(dev, q);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		vnet_tx_queue_release(dev, q);
	vnet_ctrl_queue_release(dev);
	vnet_ctrl_fini(&ad->ctrl);
	vnet_intr_close(dev);
	if (ad->hw.ops != NULL) {
		ad->hw.ops->set_status(&ad->hw, 0);
		ad->hw.ops->uninit(&ad->hw);
		ad->hw.ops = NULL;
	}
	return 0;
}

static int
vnet_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t q;

	if (mtu < VNET_MIN_MTU || mtu > ad->hw.max_mtu) {
		VNET_DRV_LOG(ERR, "port %u: MTU %u outside %u..%u%s", dev->data->port_id, mtu,
			     VNET_MIN_MTU, ad->hw.max_mtu, vnet_can(ad, VNET_NET_F_MTU) ?
			     " (the device's VIRTIO_NET_F_MTU)" : "");
		return -EINVAL;
	}
	/*
	 * A started port's RX buffers were sized at start: without mergeable buffers a larger
	 * MTU needs a restart (its buffers become longer chains then).
	 */
	for (q = 0; ad->started && q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];
		uint32_t cap = rxq->buf_len - rxq->hdr_size +
			       (uint32_t)(rxq->big_segs - 1) * rte_pktmbuf_data_room_size(rxq->mp);

		if (!vnet_hw_has(&ad->hw, VNET_NET_F_MRG_RXBUF) &&
		    (uint32_t)mtu + VNET_L2_OVERHEAD > cap) {
			VNET_DRV_LOG(ERR, "port %u: MTU %u does not fit rxq %u buffers (%u bytes) "
				     "while started: stop the port, set the MTU, start it",
				     dev->data->port_id, mtu, q, cap);
			return -EBUSY;
		}
	}
	/* Started: the new frame limit applies at once (stopped: at the next start). */
	for (q = 0; ad->started && q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq->max_lro == rxq->max_frame)
			rxq->max_lro = (uint32_t)mtu + VNET_L2_OVERHEAD;
		rxq->max_frame = (uint32_t)mtu + VNET_L2_OVERHEAD;
	}
	return 0;
}

static int
vnet_fw_version_get(struct rte_eth_dev *dev, char *fw, size_t size)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int len;

	/*
	 * At most 31 characters: testpmd's buffer is 32 bytes, and feature words above bit 39
	 * (VIRTIO_F_RING_RESET) made "virtio 1.x features 0x..." too long for it.
	 */
	len = snprintf(fw, size, "%s features 0x%" PRIx64, ad->hw.modern ? "1.x" : "legacy",
		       ad->hw.driver_features);
	if (len < 0)
		return -EINVAL;
	return (size_t)len + 1 > size ? len + 1 : 0;
}

static int
vnet_rx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct vnet_rx_variant *v = ad->rx_variant;

	RTE_SET_USED(qid);
	if (v == NULL)
		v = rx_variant_of(dev, false, false);
	snprintf(mode->info, sizeof(mode->info), "%s", v != NULL ? v->name : "not started");
	return 0;
}

static int
vnet_tx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct vnet_tx_variant *v = ad->tx_variant;

	RTE_SET_USED(qid);
	if (v == NULL)
		v = tx_variant_of(dev, false, false);
	snprintf(mode->info, sizeof(mode->info), "%s", v->name);
	return 0;
}

VNET_PTYPES_GET_DEFINE(vnet_dev_supported_ptypes_get, vnet_ptypes_list)

static int
vnet_dev_ptypes_set(struct rte_eth_dev *dev, uint32_t ptype_mask)
{
	return vnet_ptypes_set(dev, ptype_mask);
}

const struct eth_dev_ops vnet_eth_dev_ops = {
	.dev_configure = vnet_dev_configure,
	.dev_start = vnet_lc_dev_start,
	.dev_stop = vnet_lc_dev_stop,
	.dev_close = vnet_dev_close,
	.dev_reset = vnet_dev_reset,
	.dev_infos_get = vnet_dev_infos_get,
	.link_update = vnet_dev_link_update,
	.dev_set_link_up = vnet_dev_set_link_up,
	.dev_set_link_down = vnet_dev_set_link_down,
	.promiscuous_enable = vnet_promiscuous_enable,
	.promiscuous_disable = vnet_promiscuous_disable,
	.allmulticast_enable = vnet_allmulticast_enable,
	.allmulticast_disable = vnet_allmulticast_disable,
	.mac_addr_add = vnet_mac_addr_add,
	.mac_addr_remove = vnet_mac_addr_remove,
	.set_mc_addr_list = vnet_set_mc_addr_list,
	.vlan_filter_set = vnet_vlan_filter_set,
	.vlan_offload_set = vnet_vlan_offload_set,
	.reta_update = vnet_reta_update,
	.reta_query = vnet_reta_query,
	.rss_hash_update = vnet_rss_hash_update,
	.rss_hash_conf_get = vnet_rss_hash_conf_get,
	.mtu_set = vnet_mtu_set,
	.mac_addr_set = vnet_mac_addr_set,
	.stats_get = vnet_stats_get,
	.stats_reset = vnet_stats_reset,
	.xstats_get = vnet_xstats_get,
	.xstats_get_names = vnet_xstats_get_names,
	.xstats_reset = vnet_xstats_reset,
	.fw_version_get = vnet_fw_version_get,
	.rx_queue_setup = vnet_rx_queue_setup,
	.rx_queue_release = vnet_rx_queue_release,
	.rx_queue_intr_enable = vnet_rx_queue_intr_enable,
	.rx_queue_intr_disable = vnet_rx_queue_intr_disable,
	.tx_queue_setup = vnet_tx_queue_setup,
	.tx_queue_release = vnet_tx_queue_release,
	.rx_queue_start = vnet_rx_queue_start,
	.rx_queue_stop = vnet_rx_queue_stop,
	.tx_queue_start = vnet_tx_queue_start,
	.tx_queue_stop = vnet_tx_queue_stop,
	.rxq_info_get = vnet_rxq_info_get,
	.txq_info_get = vnet_txq_info_get,
	.rx_burst_mode_get = vnet_rx_burst_mode_get,
	.tx_burst_mode_get = vnet_tx_burst_mode_get,
	.dev_supported_ptypes_get = vnet_dev_supported_ptypes_get,
	.dev_ptypes_set = vnet_dev_ptypes_set,
	.eth_dev_priv_dump = vnet_priv_dump,
};
