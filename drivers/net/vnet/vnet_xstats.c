/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/* Basic stats and xstats: per-queue datapath and kick counters, vhost-user port counters. */

#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "rte_pmd_vnet.h"
#include "vnet_ethdev.h"

int
vnet_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq == NULL)
			continue;
		st->ipackets += rxq->stats.packets;
		st->ibytes += rxq->stats.bytes;
		st->rx_nombuf += rxq->stats.nombuf;
		/* Frames the device delivered that vnet dropped (not the pool's). */
		st->ierrors += rxq->stats.bad_hdr + rxq->stats.oversize + rxq->stats.bad_num_buffers;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = rxq->stats.packets;
			st->q_ibytes[q] = rxq->stats.bytes;
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct vnet_txq *txq = dev->data->tx_queues[q];

		if (txq == NULL)
			continue;
		st->opackets += txq->stats.packets;
		st->obytes += txq->stats.bytes;
		st->oerrors += txq->stats.errors;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[q] = txq->stats.packets;
			st->q_obytes[q] = txq->stats.bytes;
		}
	}
	return 0;
}

int
vnet_stats_reset(struct rte_eth_dev *dev)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL)
			memset(&rxq->stats, 0, sizeof(rxq->stats));
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct vnet_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL)
			memset(&txq->stats, 0, sizeof(txq->stats));
	}
	return 0;
}

/* xstats: per queue, in this order. */
enum { RXX_PACKETS, RXX_BYTES, RXX_NOMBUF, RXX_DROPPED, RXX_BAD_NUM_BUFFERS, RXX_BAD_HDR,
       RXX_OVERSIZE, RXX_LRO, RXX_CSUM_SW, RXX_KICKS, RXX_SUPPRESSED, RXX_DEFERRED, RXX_SAFETY,
       RXX_MAX_DEFER_US, RXX_BROKEN, RXX_N };
static const char * const rx_xstat_names[RXX_N] = {
	"packets", "bytes", "nombuf", "dropped", "bad_num_buffers", "bad_hdr", "oversize",
	"lro_packets", "csum_sw",
	RTE_PMD_VNET_XSTAT_KICKS_ISSUED, RTE_PMD_VNET_XSTAT_KICKS_SUPPRESSED,
	RTE_PMD_VNET_XSTAT_KICKS_DEFERRED, RTE_PMD_VNET_XSTAT_KICKS_SAFETY,
	RTE_PMD_VNET_XSTAT_MAX_DEFERRAL_US, "broken",
};
enum { TXX_PACKETS, TXX_BYTES, TXX_ERRORS, TXX_RING_FULL, TXX_KICKS, TXX_SUPPRESSED,
       TXX_DEFERRED, TXX_SAFETY, TXX_MAX_DEFER_US, TXX_KICK_THRESH, TXX_KICK_DELAY_US,
       TXX_KICK_IDLE_ENDS, TXX_KICK_DELAY_ENDS, TXX_KICK_THRESH_CHANGES, TXX_BROKEN, TXX_N };
static const char * const tx_xstat_names[TXX_N] = {
	"packets", "bytes", "errors", "ring_full", RTE_PMD_VNET_XSTAT_KICKS_ISSUED,
	RTE_PMD_VNET_XSTAT_KICKS_SUPPRESSED, RTE_PMD_VNET_XSTAT_KICKS_DEFERRED,
	RTE_PMD_VNET_XSTAT_KICKS_SAFETY, RTE_PMD_VNET_XSTAT_MAX_DEFERRAL_US,
	"kick_threshold", "kick_delay_us", "kick_idle_ends", "kick_delay_ends",
	"kick_threshold_changes", "broken",
};

/* Port-level xstats of the vhost-user transport. */
enum { VUX_CONNECTS, VUX_DISCONNECTS, VUX_COPY_MODE, VUX_N };
static const char * const vu_xstat_names[VUX_N] = {
	"vhost_user_backend_starts", "vhost_user_backend_hangups", "vhost_user_copy_mode",
};

static bool
is_vhost_user(struct rte_eth_dev *dev)
{
	/* Not the ops pointer: a secondary process has the table at another address. */
	return adapter_of(dev)->hw.pci_dev == NULL && !adapter_of(dev)->hw.vhost_net;
}

/* Port-level counters of the control queue (devices with VIRTIO_NET_F_CTRL_VQ). */
enum { CQX_COMMANDS, CQX_ERRORS, CQX_TIMEOUTS, CQX_LATE, CQX_BAD, CQX_BUSY, CQX_N };
static const char * const ctrl_xstat_names[CQX_N] = {
	"ctrl_commands", "ctrl_errors", "ctrl_timeouts", "ctrl_late_completions",
	"ctrl_bad_answers", "ctrl_busy",
};

static bool
has_ctrl(struct rte_eth_dev *dev)
{
	return vnet_can(adapter_of(dev), VNET_NET_F_CTRL_VQ);
}

/* Ports that coalesce kicks have a safety-net thread: its wake-ups. */
static bool
has_safety_net(struct rte_eth_dev *dev)
{
	const struct vnet_devargs *a = &adapter_of(dev)->args;

	return a->coalesce_auto || a->coalesce != 0;
}

static int
vnet_xstats_count(struct rte_eth_dev *dev)
{
	return dev->data->nb_rx_queues * RXX_N + dev->data->nb_tx_queues * TXX_N +
	       (is_vhost_user(dev) ? VUX_N : 0) + (has_ctrl(dev) ? CQX_N : 0) +
	       (has_safety_net(dev) ? 1 : 0);
}

int
vnet_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		      unsigned int limit)
{
	unsigned int n = (unsigned int)vnet_xstats_count(dev), k = 0, i;
	uint16_t q;

	if (names == NULL || limit < n)
		return (int)n;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		for (i = 0; i < RXX_N; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "rx_q%u_%s", q,
				 rx_xstat_names[i]);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		for (i = 0; i < TXX_N; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "tx_q%u_%s", q,
				 tx_xstat_names[i]);
	for (i = 0; is_vhost_user(dev) && i < VUX_N; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", vu_xstat_names[i]);
	for (i = 0; has_ctrl(dev) && i < CQX_N; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", ctrl_xstat_names[i]);
	if (has_safety_net(dev))
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "kick_safety_net_scans");
	return (int)n;
}

int
vnet_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int limit)
{
	unsigned int n = (unsigned int)vnet_xstats_count(dev), k = 0, i;
	uint64_t hz = rte_get_tsc_hz();
	uint16_t q;

	if (xs == NULL || limit < n)
		return (int)n;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vnet_rxq *rxq = dev->data->rx_queues[q];
		uint64_t v[RXX_N] = { 0 };

		if (rxq != NULL) {
			v[RXX_PACKETS] = rxq->stats.packets;
			v[RXX_BYTES] = rxq->stats.bytes;
			v[RXX_NOMBUF] = rxq->stats.nombuf;
			v[RXX_DROPPED] = rxq->stats.dropped;
			v[RXX_BAD_NUM_BUFFERS] = rxq->stats.bad_num_buffers;
			v[RXX_BAD_HDR] = rxq->stats.bad_hdr;
			v[RXX_OVERSIZE] = rxq->stats.oversize;
			v[RXX_LRO] = rxq->stats.lro;
			v[RXX_CSUM_SW] = rxq->stats.csum_sw;
			v[RXX_SAFETY] = __atomic_load_n(&rxq->safety_kicks, __ATOMIC_RELAXED);
			v[RXX_KICKS] = rxq->vq.vr.stats.kicks + rxq->vq.pr.stats.kicks + v[RXX_SAFETY];
			v[RXX_DEFERRED] = rxq->stats.kicks_deferred;
			v[RXX_MAX_DEFER_US] = rxq->stats.max_deferral_tsc * 1000000 / hz;
			v[RXX_SUPPRESSED] = rxq->vq.vr.stats.kicks_suppressed + rxq->vq.pr.stats.kicks_suppressed;
			v[RXX_BROKEN] = rxq->vq.vr.stats.broken + rxq->vq.pr.stats.broken;
		}
		for (i = 0; i < RXX_N; i++, k++) {
			xs[k].id = k;
			xs[k].value = v[i];
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct vnet_txq *txq = dev->data->tx_queues[q];
		uint64_t v[TXX_N] = { 0 };

		if (txq != NULL) {
			v[TXX_PACKETS] = txq->stats.packets;
			v[TXX_BYTES] = txq->stats.bytes;
			v[TXX_ERRORS] = txq->stats.errors;
			v[TXX_RING_FULL] = txq->stats.ring_full;
			v[TXX_SAFETY] = __atomic_load_n(&txq->safety_kicks, __ATOMIC_RELAXED) -
					txq->safety_kicks_base;
			v[TXX_KICKS] = txq->vq.vr.stats.kicks + txq->vq.pr.stats.kicks + v[TXX_SAFETY];
			v[TXX_SUPPRESSED] = txq->vq.vr.stats.kicks_suppressed + txq->vq.pr.stats.kicks_suppressed;
			v[TXX_DEFERRED] = txq->stats.kicks_deferred;
			v[TXX_MAX_DEFER_US] = RTE_MAX(txq->stats.max_deferral_tsc,
						      __atomic_load_n(&txq->safety_max_deferral_tsc,
								      __ATOMIC_RELAXED)) *
					      1000000 / hz;
			/* The kick policy in force: fixed coalescing, or the adaptive level. */
			v[TXX_KICK_THRESH] = txq->coalesce_pkts;
			v[TXX_KICK_DELAY_US] = (txq->coalesce_pkts > 1 ?
						__atomic_load_n(&txq->coalesce_tsc,
								__ATOMIC_RELAXED) : 0) * 1000000 / hz;
			/* Adaptive moderation: how deferrals ended (base/vnet_kickmod.h). */
			v[TXX_KICK_IDLE_ENDS] = txq->stats.idle_flushes;
			v[TXX_KICK_DELAY_ENDS] = txq->adaptive ?
						 txq->km.ends[VNET_KICKMOD_END_DELAY] : 0;
			v[TXX_KICK_THRESH_CHANGES] = txq->adaptive ? txq->km.changes : 0;
			v[TXX_BROKEN] = txq->vq.vr.stats.broken + txq->vq.pr.stats.broken;
		}
		for (i = 0; i < TXX_N; i++, k++) {
			xs[k].id = k;
			xs[k].value = v[i];
		}
	}
	if (is_vhost_user(dev)) {
		struct vnet_hw *hw = &adapter_of(dev)->hw;
		uint64_t v[VUX_N];

		vnet_vu_counters(hw, &v[VUX_DISCONNECTS], &v[VUX_CONNECTS]);
		v[VUX_COPY_MODE] = vnet_vu_copy_mode(hw);
		for (i = 0; i < VUX_N; i++, k++) {
			xs[k].id = k;
			xs[k].value = v[i];
		}
	}
	if (has_ctrl(dev)) {
		const struct vnet_ctrl_stats *cs = &adapter_of(dev)->ctrl.st;
		uint64_t v[CQX_N];

		v[CQX_COMMANDS] = cs->commands;
		v[CQX_ERRORS] = cs->errors;
		v[CQX_TIMEOUTS] = cs->timeouts;
		v[CQX_LATE] = cs->late;
		v[CQX_BAD] = cs->bad;
		v[CQX_BUSY] = cs->busy;
		for (i = 0; i < CQX_N; i++, k++) {
			xs[k].id = k;
			xs[k].value = v[i];
		}
	}
	if (has_safety_net(dev)) {
		xs[k].id = k;
		xs[k].value = __atomic_load_n(&adapter_of(dev)->safety_scans, __ATOMIC_RELAXED);
		k++;
	}
	return (int)n;
}

int
vnet_xstats_reset(struct rte_eth_dev *dev)
{
	uint16_t q;

	vnet_stats_reset(dev);
	vnet_ctrl_stats_reset(&adapter_of(dev)->ctrl);
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL) {
			rxq->vq.vr.stats.kicks = 0;
			rxq->vq.vr.stats.kicks_suppressed = 0;
			rxq->vq.pr.stats.kicks = 0;
			rxq->vq.pr.stats.kicks_suppressed = 0;
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct vnet_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL) {
			txq->vq.vr.stats.kicks = 0;
			txq->vq.vr.stats.kicks_suppressed = 0;
			txq->vq.pr.stats.kicks = 0;
			txq->vq.pr.stats.kicks_suppressed = 0;
			/* Monotonic (the lcore compares it): reset by moving the base. */
			txq->safety_kicks_base = __atomic_load_n(&txq->safety_kicks,
								 __ATOMIC_RELAXED);
			__atomic_store_n(&txq->safety_max_deferral_tsc, 0, __ATOMIC_RELAXED);
		}
	}
	return 0;
}
