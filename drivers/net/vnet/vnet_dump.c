/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * eth_dev_priv_dump (rte_eth_dev_priv_dump(), telemetry /ethdev/dump_priv,<port>,
 * dpdk-proc-info --show-port-private): the port's virtio state as text, one "key: value"
 * line per item, a section per concern. Reads shared port data only (never the transport
 * ops or per-process state), so a secondary process can dump a primary's port; values the
 * device writes are read once, as plain snapshots. Add a section to the table at the end.
 *
 * Telemetry hands the dump one RTE_TEL_MAX_SINGLE_STRING_LEN buffer (8 KiB in 22.11):
 * queue lines stay short, and queues past VNET_DUMP_QUEUES_MAX are summarised.
 */

#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "vnet_ethdev.h"

/* Queues listed one by one per direction; the rest only counted. */
#define VNET_DUMP_QUEUES_MAX	16

static const char * const feature_names[64] = {
	[VNET_NET_F_CSUM] = "CSUM",
	[VNET_NET_F_GUEST_CSUM] = "GUEST_CSUM",
	[VNET_NET_F_CTRL_GUEST_OFFLOADS] = "CTRL_GUEST_OFFLOADS",
	[VNET_NET_F_MTU] = "MTU",
	[VNET_NET_F_MAC] = "MAC",
	[VNET_NET_F_GUEST_TSO4] = "GUEST_TSO4",
	[VNET_NET_F_GUEST_TSO6] = "GUEST_TSO6",
	[VNET_NET_F_GUEST_ECN] = "GUEST_ECN",
	[VNET_NET_F_GUEST_UFO] = "GUEST_UFO",
	[VNET_NET_F_HOST_TSO4] = "HOST_TSO4",
	[VNET_NET_F_HOST_TSO6] = "HOST_TSO6",
	[VNET_NET_F_HOST_ECN] = "HOST_ECN",
	[VNET_NET_F_HOST_UFO] = "HOST_UFO",
	[VNET_NET_F_MRG_RXBUF] = "MRG_RXBUF",
	[VNET_NET_F_STATUS] = "STATUS",
	[VNET_NET_F_CTRL_VQ] = "CTRL_VQ",
	[VNET_NET_F_CTRL_RX] = "CTRL_RX",
	[VNET_NET_F_CTRL_VLAN] = "CTRL_VLAN",
	[VNET_NET_F_CTRL_RX_EXTRA] = "CTRL_RX_EXTRA",
	[VNET_NET_F_GUEST_ANNOUNCE] = "GUEST_ANNOUNCE",
	[VNET_NET_F_MQ] = "MQ",
	[VNET_NET_F_CTRL_MAC_ADDR] = "CTRL_MAC_ADDR",
	[VNET_F_NOTIFY_ON_EMPTY] = "NOTIFY_ON_EMPTY",
	[VNET_F_ANY_LAYOUT] = "ANY_LAYOUT",
	[VNET_F_RING_INDIRECT_DESC] = "RING_INDIRECT_DESC",
	[VNET_F_RING_EVENT_IDX] = "RING_EVENT_IDX",
	[VNET_F_VERSION_1] = "VERSION_1",
	[VNET_F_ACCESS_PLATFORM] = "ACCESS_PLATFORM",
	[VNET_F_RING_PACKED] = "RING_PACKED",
	[VNET_F_IN_ORDER] = "IN_ORDER",
	[VNET_F_ORDER_PLATFORM] = "ORDER_PLATFORM",
	[VNET_F_SR_IOV] = "SR_IOV",
	[VNET_F_NOTIFICATION_DATA] = "NOTIFICATION_DATA",
	[VNET_NET_F_GUEST_USO4] = "GUEST_USO4",
	[VNET_NET_F_GUEST_USO6] = "GUEST_USO6",
	[VNET_NET_F_HOST_USO] = "HOST_USO",
	[VNET_NET_F_HASH_REPORT] = "HASH_REPORT",
	[VNET_NET_F_GUEST_HDRLEN] = "GUEST_HDRLEN",
	[VNET_NET_F_RSS] = "RSS",
	[VNET_NET_F_SPEED_DUPLEX] = "SPEED_DUPLEX",
};

static void
dump_features(FILE *f, const char *key, uint64_t v)
{
	unsigned int b;

	fprintf(f, "%s: %#" PRIx64, key, v);
	for (b = 0; b < 64; b++) {
		if (!((v >> b) & 1))
			continue;
		if (feature_names[b] != NULL)
			fprintf(f, " %s", feature_names[b]);
		else
			fprintf(f, " bit%u", b);
	}
	fputc('\n', f);
}

static const char *
transport_name(const struct vnet_hw *hw)
{
	/* Not hw->ops: its address is the primary's. */
	if (hw->vhost_net)
		return "vhost-net";
	if (hw->pci_dev == NULL)
		return "vhost-user";
	return hw->modern ? "virtio-pci modern" : "virtio-pci legacy";
}

static void
dump_port(struct rte_eth_dev *dev, FILE *f)
{
	const struct vnet_adapter *ad = adapter_of(dev);
	const struct vnet_hw *hw = &ad->hw;
	const struct vnet_rx_variant *rxv = vnet_rx_variant_by_id(ad->rx_variant_id);
	const struct vnet_tx_variant *txv = vnet_tx_variant_by_id(ad->tx_variant_id);

	fprintf(f, "vnet port %u: %s\n", dev->data->port_id, hw->name);
	fprintf(f, "transport: %s\n", transport_name(hw));
	fprintf(f, "state: %s%s\n", ad->started ? "started" : "stopped",
		ad->removed ? ", device removal requested" : "");
	fprintf(f, "queue pairs: device %u, configured rx %u tx %u\n", hw->max_queue_pairs,
		dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	fprintf(f, "net header: %u bytes, mtu %u (device %u, max %u)\n", hw->hdr_size,
		dev->data->mtu, hw->mtu, hw->max_mtu);
	fprintf(f, "devargs: event_idx=%u indirect=%u packed=%u kick_coalesce=%s%u "
		"kick_delay_us=%u\n", ad->args.event_idx, ad->args.indirect, ad->args.packed,
		ad->args.coalesce_auto ? "auto/" : "", ad->args.coalesce, ad->args.delay_us);
	fprintf(f, "rx burst: %s\n", ad->started && rxv != NULL ? rxv->name : "-");
	fprintf(f, "tx burst: %s\n", ad->started && txv != NULL ? txv->name : "-");
}

static void
dump_feature_sets(struct rte_eth_dev *dev, FILE *f)
{
	const struct vnet_adapter *ad = adapter_of(dev);

	dump_features(f, "device features", ad->hw.device_features);
	dump_features(f, "negotiated features", ad->hw.driver_features);
}

/* Ring indices of @vq; only while started (before, the ring is not laid out). */
static void
dump_ring(FILE *f, const struct vnet_vq *vq, bool started)
{
	const struct vnet_vring_stats *st = vq->packed ? &vq->pr.stats : &vq->vr.stats;
	int err = vq->packed ? vq->pr.error : vq->vr.error;

	if (!started || vq->priv == NULL) {
		fprintf(f, " vq %u size %u (not running)\n", vq->idx, vq->size);
		return;
	}
	if (vq->packed) {
		const struct vnet_packed *pr = &vq->pr;

		fprintf(f, " vq %u packed size %u free %u avail_pos %u wrap %u used_pos %u "
			"wrap %u unkicked %u driver_flags %#x device_event %#x/%#x",
			vq->idx, pr->num, pr->num_free, pr->avail_pos, pr->avail_wrap,
			pr->used_pos, pr->used_wrap, pr->unkicked, pr->driver_flags,
			((volatile struct vnet_pvirtq_event *)pr->device_event)->flags,
			((volatile struct vnet_pvirtq_event *)pr->device_event)->off_wrap);
	} else {
		const struct vnet_vring *vr = &vq->vr;

		fprintf(f, " vq %u split size %u free %u avail_idx %u avail_pub %u last_used %u "
			"used_idx %u unkicked %u avail_flags %#x", vq->idx, vr->num, vr->num_free,
			vr->avail_idx, vr->avail_pub, vr->last_used_idx,
			((volatile struct vnet_vring_used *)vr->used)->idx, vr->unkicked,
			vr->avail_flags);
		if (vr->event_idx)
			fprintf(f, " used_event %u avail_event %u",
				*(volatile uint16_t *)vr->used_event,
				*(volatile uint16_t *)vr->avail_event);
	}
	fprintf(f, " kicks %" PRIu64 " suppressed %" PRIu64 " broken %s\n", st->kicks,
		st->kicks_suppressed, err != 0 ? vnet_vring_strerror(err) : "no");
}

static void
dump_rxqs(struct rte_eth_dev *dev, FILE *f)
{
	const struct vnet_adapter *ad = adapter_of(dev);
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (q == VNET_DUMP_QUEUES_MAX) {
			fprintf(f, "rxq %u..%u: not listed\n", q, dev->data->nb_rx_queues - 1);
			break;
		}
		if (rxq == NULL) {
			fprintf(f, "rxq %u: not set up\n", q);
			continue;
		}
		fprintf(f, "rxq %u: packets %" PRIu64 " nombuf %" PRIu64 " dropped %" PRIu64
			" buf_len %u%s%s\n", q, rxq->stats.packets, rxq->stats.nombuf,
			rxq->stats.dropped, rxq->buf_len, rxq->mrg_head != NULL ?
			" mergeable packet pending" : "", rxq->vq.copy ? " copy" : "");
		dump_ring(f, &rxq->vq, ad->started);
		if (rxq->adaptive)
			fprintf(f, " refill kick deferral: deferred %" PRIu64 " safety-net kicks %"
				PRIu64 "\n", rxq->stats.kicks_deferred,
				__atomic_load_n(&rxq->safety_kicks, __ATOMIC_RELAXED));
		if (ad->rxq_intr)
			fprintf(f, " rx interrupt: armed %s, self-signalled at enable %" PRIu64
				", after recoveries %" PRIu64 "\n", rxq->vq.packed ? "-" :
				rxq->vq.vr.cb_armed ? "yes" : "no", rxq->intr_self,
				rxq->intr_recovery_wakes);
	}
}

static void
dump_kick_policy(FILE *f, const struct vnet_txq *txq)
{
	const struct vnet_kickmod *km = &txq->km;
	double hz = (double)rte_get_tsc_hz();
	uint64_t delay = __atomic_load_n(&txq->coalesce_tsc, __ATOMIC_RELAXED);

	if (txq->adaptive) {
		fprintf(f, " kick moderation: adaptive threshold %u (max %u, %.0f us) backoff %u "
			"changes %" PRIu64 " ends thresh %" PRIu64 " full %" PRIu64 " idle %" PRIu64
			" delay %" PRIu64 "\n", km->thresh, km->max_thresh,
			(double)delay * 1e6 / hz, km->backoff, km->changes,
			km->ends[VNET_KICKMOD_END_THRESH], km->ends[VNET_KICKMOD_END_FULL],
			km->ends[VNET_KICKMOD_END_IDLE],
			km->ends[VNET_KICKMOD_END_DELAY]);
	} else if (txq->coalesce_pkts != 0) {
		fprintf(f, " kick moderation: fixed %u buffers, %.0f us\n", txq->coalesce_pkts,
			(double)delay * 1e6 / hz);
	} else {
		fprintf(f, " kick moderation: off (a decision per burst)\n");
	}
	fprintf(f, " kicks deferred %" PRIu64 " idle flushes %" PRIu64 " safety-net kicks %" PRIu64
		" max deferral %.1f us\n", txq->stats.kicks_deferred, txq->stats.idle_flushes,
		__atomic_load_n(&txq->safety_kicks, __ATOMIC_RELAXED),
		(double)RTE_MAX(txq->stats.max_deferral_tsc,
				__atomic_load_n(&txq->safety_max_deferral_tsc, __ATOMIC_RELAXED)) *
		1e6 / hz);
}

static void
dump_txqs(struct rte_eth_dev *dev, FILE *f)
{
	const struct vnet_adapter *ad = adapter_of(dev);
	uint16_t q;

	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct vnet_txq *txq = dev->data->tx_queues[q];

		if (q == VNET_DUMP_QUEUES_MAX) {
			fprintf(f, "txq %u..%u: not listed\n", q, dev->data->nb_tx_queues - 1);
			break;
		}
		if (txq == NULL) {
			fprintf(f, "txq %u: not set up\n", q);
			continue;
		}
		fprintf(f, "txq %u: packets %" PRIu64 " errors %" PRIu64 " ring_full %" PRIu64
			"%s%s%s\n", q, txq->stats.packets, txq->stats.errors, txq->stats.ring_full,
			txq->indirect ? " indirect" : "", txq->offload ? " offloads" : "",
			txq->vq.copy ? " copy" : "");
		dump_ring(f, &txq->vq, ad->started);
		dump_kick_policy(f, txq);
	}
}

static void
dump_ctrl(struct rte_eth_dev *dev, FILE *f)
{
	const struct vnet_adapter *ad = adapter_of(dev);

	if (!vnet_hw_has(&ad->hw, VNET_NET_F_CTRL_VQ)) {
		fprintf(f, "ctrl: none\n");
		return;
	}
	fprintf(f, "ctrl: promisc %u allmulti %u pairs %u\n", ad->cst.promisc, ad->cst.allmulti,
		ad->cst.pairs);
	dump_ring(f, &ad->cvq, ad->started && vnet_ctrl_ready(&ad->ctrl));
}

/* Sections in print order: add one per new concern (link, interrupts, recovery...). */
static void (* const dump_sections[])(struct rte_eth_dev *dev, FILE *f) = {
	dump_port,
	dump_feature_sets,
	dump_rxqs,
	dump_txqs,
	dump_ctrl,
};

int
vnet_priv_dump(struct rte_eth_dev *dev, FILE *f)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(dump_sections); i++)
		dump_sections[i](dev, f);
	return 0;
}
