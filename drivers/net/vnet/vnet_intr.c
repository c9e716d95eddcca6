/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Interrupts of a vnet port: configuration-change interrupts (link status and LSC events,
 * guest announce) and per-queue RX interrupts.
 *
 * PCI: EAL's interrupt handle of the function. With vfio-pci and MSI-X, vector 0 is the
 * config vector and RX queue q gets vector q + 1 (one eventfd each, RTE_INTR_VEC_RXTX_OFFSET);
 * with INTx (uio_pci_generic, or vfio without MSI-X) the one shared line carries both, and the
 * ISR register tells a config change from a queue interrupt (4.1.4.5), so per-queue RX
 * interrupts are refused there. vhost-user: link events come from the transport's control
 * thread (backend connect / hang-up); RX interrupts are the call eventfds the backend writes.
 *
 * Guest announce (5.1.6.5.4, VIRTIO_NET_F_GUEST_ANNOUNCE): on a config change with
 * VIRTIO_NET_S_ANNOUNCE the port sends one RARP per unicast MAC out of TX queue 0 and acks
 * with VIRTIO_NET_CTRL_ANNOUNCE_ACK; without an interrupt an EAL alarm polls the status.
 * TX queue 0 belongs to an application lcore: while the feature is negotiated every burst on
 * it runs under a per-queue flag (an uncontended atomic exchange per burst on queue 0 only),
 * which the announce takes too, so the two never run the ring at the same time. A burst that
 * finds the flag taken returns 0 (the application sees a full ring and retries).
 *
 * Threads: configure/start/stop on the control path; the handlers run in EAL's interrupt
 * thread (PCI, alarm) or in the vhost-user control thread; rx_queue_intr_enable/disable on
 * the lcore that polls the queue. Primary process only.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_arp.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_interrupts.h>
#include <bus_pci_driver.h>

#include "vnet_ethdev.h"
#include "vnet_lifecycle.h"
#include "vnet_logs.h"

/*
 * Config status poll period: GUEST_ANNOUNCE negotiated but no interrupt is on, or a link
 * without notifications (transport ops link_polled) with intr_conf.lsc.
 */
#define VNET_CONFIG_POLL_US	200000
/* Longest the announce waits for the application's burst on TX queue 0 to end. */
#define VNET_ANNOUNCE_LOCK_MS	100

static bool
is_vhost_user(const struct vnet_adapter *ad)
{
	return ad->hw.ops == &vnet_tp_vhost_user_ops;
}

/* RX interrupts through the backend's call eventfds (vhost-user, vhost-net), not MSI-X. */
static bool
has_call_fds(const struct vnet_adapter *ad)
{
	return ad->hw.ops->rx_call_fd != NULL;
}

/* The PCI interrupt handle types vnet drives, and whether config changes have a vector. */
static bool
pci_intr_usable(struct rte_eth_dev *dev, bool *msix)
{
	const struct rte_intr_handle *h = dev->intr_handle;
	enum rte_intr_handle_type t;

	*msix = false;
	if (h == NULL || rte_intr_fd_get(h) < 0)
		return false;
	t = rte_intr_type_get(h);
	switch (t) {
	case RTE_INTR_HANDLE_VFIO_MSIX:
		*msix = true;
		return true;
	case RTE_INTR_HANDLE_UIO:
	case RTE_INTR_HANDLE_UIO_INTX:
	case RTE_INTR_HANDLE_VFIO_LEGACY:
		return true;
	default:
		return false;
	}
}

/* ---- link state and the config-change handler ---- */

int
vnet_link_report(struct rte_eth_dev *dev, bool event)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_link_info li;
	struct rte_eth_link link;
	uint8_t seen;

	memset(&link, 0, sizeof(link));
	memset(&li, 0, sizeof(li));
	if (ad->started && ad->hw.ops != NULL)
		vnet_dev_link_info(&ad->hw, &li);
	link.link_status = li.up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	link.link_duplex = li.full_duplex ? RTE_ETH_LINK_FULL_DUPLEX : RTE_ETH_LINK_HALF_DUPLEX;
	link.link_speed = li.up && li.speed != VNET_SPEED_UNKNOWN ? li.speed :
			  RTE_ETH_SPEED_NUM_UNKNOWN;
	if (!li.up)
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	rte_eth_linkstatus_set(dev, &link);
	seen = li.up ? 2 : 1;
	/* An event for each change the handler sees, whoever read the link meanwhile. */
	if (event && __atomic_exchange_n(&ad->link_seen, seen, __ATOMIC_ACQ_REL) != seen &&
	    dev->data->dev_conf.intr_conf.lsc) {
		VNET_DRV_LOG(INFO, "port %u: link %s", dev->data->port_id, li.up ? "up" : "down");
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
	}
	return 0;
}

/* Send one RARP per unicast MAC of the port out of TX queue 0, under its burst flag. */
static unsigned int
announce_send(struct rte_eth_dev *dev)
{
	struct vnet_txq *txq = dev->data->tx_queues[0];
	struct vnet_rxq *rxq = dev->data->rx_queues[0];
	struct rte_mbuf *pkts[VNET_CTRL_UC_MAX];
	unsigned int n = 0, sent = 0, tries, i;
	uint64_t deadline;

	if (txq == NULL || rxq == NULL || txq->inner_burst == NULL)
		return 0;
	for (i = 0; i < VNET_CTRL_UC_MAX; i++) {
		const struct rte_ether_addr *mac = &dev->data->mac_addrs[i];

		if (rte_is_zero_ether_addr(mac) || !rte_is_unicast_ether_addr(mac))
			continue;
		pkts[n] = rte_net_make_rarp_packet(rxq->mp, mac);
		if (pkts[n] == NULL) {
			VNET_DRV_LOG(WARNING, "port %u: announce: no mbuf for the RARP of "
				     RTE_ETHER_ADDR_PRT_FMT, dev->data->port_id,
				     RTE_ETHER_ADDR_BYTES(mac));
			break;
		}
		n++;
	}
	if (n == 0)
		return 0;
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * VNET_ANNOUNCE_LOCK_MS / 1000;
	while (__atomic_exchange_n(&txq->tx_lock, 1, __ATOMIC_ACQUIRE) != 0) {
		if (rte_get_timer_cycles() > deadline) {
			VNET_DRV_LOG(ERR, "port %u: announce: TX queue 0 stayed busy for %u ms: "
				     "RARPs not sent", dev->data->port_id, VNET_ANNOUNCE_LOCK_MS);
			rte_pktmbuf_free_bulk(pkts, n);
			return 0;
		}
		rte_delay_us_sleep(10);
	}
	for (tries = 0; sent < n && tries < 100; tries++)
		sent += txq->inner_burst(txq, pkts + sent, (uint16_t)(n - sent));
	__atomic_store_n(&txq->tx_lock, 0, __ATOMIC_RELEASE);
	if (sent < n) {
		VNET_DRV_LOG(WARNING, "port %u: announce: TX queue 0 full: %u of %u RARPs sent",
			     dev->data->port_id, sent, n);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
	return sent;
}

static void
announce(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	unsigned int sent = announce_send(dev);
	int ret;

	/* 5.1.6.5.4: ack even when nothing could be sent, or the device asks forever. */
	ret = vnet_ctrl_command(&ad->ctrl, VNET_NET_CTRL_ANNOUNCE, VNET_NET_CTRL_ANNOUNCE_ACK,
				NULL, 0);
	__atomic_fetch_add(&ad->announces, 1, __ATOMIC_RELAXED);
	VNET_DRV_LOG(NOTICE, "port %u: guest announce: %u RARP frame(s) sent on TX queue 0, "
		     "ack %s", dev->data->port_id, sent, ret == 0 ? "sent" : strerror(-ret));
}

/* The device's configuration changed (or the alarm polls it): link, announce, status. */
static void
config_change(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_link_info li;

	if (!__atomic_load_n(&ad->events_on, __ATOMIC_ACQUIRE))
		return;
	/*
	 * DEVICE_NEEDS_RESET: the recovery (vnet_lifecycle.c, in an alarm) resets the port;
	 * with recovery=0 it is only logged, once.
	 */
	if ((ad->hw.ops->get_status(&ad->hw) & VNET_STATUS_DEVICE_NEEDS_RESET) &&
	    vnet_recovery_schedule(dev, "config change: the device set DEVICE_NEEDS_RESET") != 0 &&
	    !ad->needs_reset_logged) {
		ad->needs_reset_logged = true;
		VNET_DRV_LOG(ERR, "port %u: the device reports DEVICE_NEEDS_RESET",
			     dev->data->port_id);
	}
	vnet_link_report(dev, true);
	vnet_dev_link_info(&ad->hw, &li);
	if (li.announce)
		announce(dev);
}

static void
intr_handler(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vnet_adapter *ad = adapter_of(dev);
	uint8_t isr = VNET_ISR_CONFIG;

	/* INTx: reading ISR clears it and lowers the line (4.1.4.5.2); MSI-X: vector 0 only. */
	if (!ad->intr_msix)
		isr = ad->hw.ops->get_isr(&ad->hw);
	if (rte_intr_ack(dev->intr_handle) < 0 && !ad->intr_ack_logged) {
		ad->intr_ack_logged = true;
		VNET_DRV_LOG(ERR, "port %u: cannot re-enable the interrupt", dev->data->port_id);
	}
	if (isr & VNET_ISR_CONFIG) {
		__atomic_fetch_add(&ad->config_irqs, 1, __ATOMIC_RELAXED);
		config_change(dev);
	}
}

static void
config_alarm(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vnet_adapter *ad = adapter_of(dev);

	config_change(dev);
	if (ad->config_poll && rte_eal_alarm_set(VNET_CONFIG_POLL_US, config_alarm, dev))
		ad->config_poll = false;
}

/* vhost-user control thread: the emulated config (link) changed. */
static void
vu_config_changed(void *arg)
{
	struct rte_eth_dev *dev = arg;

	/* Not while the port stops: its own reset takes the backend's rings down. */
	if (__atomic_load_n(&adapter_of(dev)->events_on, __ATOMIC_ACQUIRE))
		vnet_link_report(dev, true);
}

/* ---- probe, configure, start, stop ---- */

void
vnet_intr_probe(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	bool msix;

	if (is_vhost_user(ad)) {
		ad->hw.config_changed = vu_config_changed;
		ad->hw.config_changed_arg = dev;
		dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
		return;
	}
	/* A polled link (vhost-net's tap): events from the config poll of a started port. */
	if (ad->hw.ops->link_polled) {
		dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
		return;
	}
	/* drv_flags are per driver: LSC only where this device can raise it. */
	if (vnet_can(ad, VNET_NET_F_STATUS) && pci_intr_usable(dev, &msix))
		dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
	else
		dev->data->dev_flags &= ~RTE_ETH_DEV_INTR_LSC;
}

int
vnet_intr_configure(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct rte_eth_intr_conf *ic = &dev->data->dev_conf.intr_conf;
	bool msix;

	if (ic->lsc && !(dev->data->dev_flags & RTE_ETH_DEV_INTR_LSC)) {
		VNET_INIT_LOG(ERR, "port %u: intr_conf.lsc: no link-state interrupt on this port "
			      "(%s): clear intr_conf.lsc (testpmd: --no-lsc-interrupt)",
			      dev->data->port_id, !vnet_can(ad, VNET_NET_F_STATUS) ?
			      "the device has no VIRTIO_NET_F_STATUS" :
			      "no interrupt: bind the device to vfio-pci or uio_pci_generic");
		return -ENOTSUP;
	}
	if (ic->rxq && !has_call_fds(ad)) {
		if (!pci_intr_usable(dev, &msix) || !msix) {
			VNET_INIT_LOG(ERR, "port %u: intr_conf.rxq: RX queue interrupts need one "
				      "MSI-X vector per queue (vfio-pci); this port has %s: clear "
				      "intr_conf.rxq or bind the device to vfio-pci",
				      dev->data->port_id, pci_intr_usable(dev, &msix) ?
				      "a single shared INTx line (uio_pci_generic)" :
				      "no interrupt at all");
			return -ENOTSUP;
		}
		if (dev->data->nb_rx_queues > RTE_MAX_RXTX_INTR_VEC_ID) {
			VNET_INIT_LOG(ERR, "port %u: intr_conf.rxq: at most %u RX queues with "
				      "interrupts", dev->data->port_id, RTE_MAX_RXTX_INTR_VEC_ID);
			return -EINVAL;
		}
	}
	return 0;
}

/* vhost RX interrupts: a private VDEV handle over the transport's call eventfds. */
static int
vu_intr_setup(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t n = dev->data->nb_rx_queues, q;
	struct rte_intr_handle *h = dev->intr_handle;

	if (h == NULL) {
		h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
		if (h == NULL)
			return -ENOMEM;
		dev->intr_handle = h;
		ad->intr_own_handle = true;
	}
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_VDEV) != 0 ||
	    rte_intr_efd_counter_size_set(h, sizeof(uint64_t)) != 0)
		return -EINVAL;
	for (q = 0; q < n; q++)
		if (rte_intr_efds_index_set(h, q, ad->hw.ops->rx_call_fd(&ad->hw, 2 * q)) != 0)
			return -EINVAL;
	if (rte_intr_nb_efd_set(h, n) != 0 || rte_intr_max_intr_set(h, n + 1) != 0)
		return -EINVAL;
	return 0;
}

static int
vec_list_setup(struct rte_eth_dev *dev)
{
	struct rte_intr_handle *h = dev->intr_handle;
	uint16_t q;

	if (rte_intr_vec_list_alloc(h, "vnet_intr_vec", dev->data->nb_rx_queues) != 0)
		return -ENOMEM;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		if (rte_intr_vec_list_index_set(h, q, RTE_INTR_VEC_RXTX_OFFSET + q) != 0)
			return -EINVAL;
	return 0;
}

int
vnet_intr_start(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct rte_eth_intr_conf *ic = &dev->data->dev_conf.intr_conf;
	struct rte_intr_handle *h;
	int ret;

	ad->rxq_intr = ic->rxq != 0;
	ad->intr_on = false;
	ad->intr_cb = false;
	ad->intr_msix = false;
	ad->needs_reset_logged = false;
	if (has_call_fds(ad)) {
		ad->hw.ops->set_rx_intr(&ad->hw, ad->rxq_intr);
		if (!ad->rxq_intr)
			return 0;
		ret = vu_intr_setup(dev);
		if (ret == 0)
			ret = vec_list_setup(dev);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "port %u: cannot set up the RX interrupt handle: %s",
				      dev->data->port_id, strerror(-ret));
			goto err;
		}
		ad->intr_on = true;
		return 0;
	}
	if (!ic->lsc && !ic->rxq)
		return 0;
	h = dev->intr_handle;
	pci_intr_usable(dev, &ad->intr_msix);
	/*
	 * A recovery kept the eventfds of the previous start: the application's epoll sets
	 * hold them (rte_eth_dev_rx_intr_ctl_q), new ones would strand its lcores asleep.
	 */
	if (ad->rxq_intr && rte_intr_nb_efd_get(h) != dev->data->nb_rx_queues) {
		if (rte_intr_nb_efd_get(h) > 0) {
			rte_intr_efd_disable(h);
			rte_intr_vec_list_free(h);
		}
		ret = rte_intr_efd_enable(h, dev->data->nb_rx_queues);
		if (ret == 0)
			ret = vec_list_setup(dev);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "port %u: cannot create %u RX interrupt eventfds",
				      dev->data->port_id, dev->data->nb_rx_queues);
			ret = -EIO;
			goto err;
		}
	}
	ret = rte_intr_callback_register(h, intr_handler, dev);
	if (ret != 0) {
		VNET_INIT_LOG(ERR, "port %u: cannot register the interrupt handler (%d)",
			      dev->data->port_id, ret);
		goto err;
	}
	ad->intr_cb = true;
	/* vfio: this enables MSI-X with vector 0 + one per RX queue (before any config read). */
	if (rte_intr_enable(h) != 0) {
		VNET_INIT_LOG(ERR, "port %u: cannot enable the device's interrupt",
			      dev->data->port_id);
		ret = -EIO;
		goto err;
	}
	ad->intr_on = true;
	if (ad->hw.ops->intr_changed != NULL)
		ad->hw.ops->intr_changed(&ad->hw);
	return 0;
err:
	vnet_intr_stop(dev);
	return ret;
}

int
vnet_intr_vectors(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t q, rb;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		rxq->vq.intr = ad->rxq_intr && ad->intr_msix;
		rxq->vq.msix_vec = (uint16_t)(RTE_INTR_VEC_RXTX_OFFSET + q);
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		((struct vnet_txq *)dev->data->tx_queues[q])->vq.intr = false;
	ad->cvq.intr = false;
	if (!ad->intr_on || !ad->intr_msix || ad->hw.ops->set_config_vector == NULL)
		return 0;
	/* After the negotiation's reset (which clears it), before DRIVER_OK. */
	rb = ad->hw.ops->set_config_vector(&ad->hw, 0);
	if (rb != 0) {
		VNET_INIT_LOG(ERR, "port %u: the device refused MSI-X vector 0 for config changes "
			      "(read back 0x%x)", dev->data->port_id, rb);
		return -EBUSY;
	}
	return 0;
}

void
vnet_intr_started(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	bool poll = ad->hw.ops->link_polled && dev->data->dev_conf.intr_conf.lsc;
	uint16_t q;

	__atomic_store_n(&ad->link_seen, (uint8_t)(vnet_dev_link_up(&ad->hw) ? 2 : 1),
			 __ATOMIC_RELEASE);
	__atomic_store_n(&ad->events_on, true, __ATOMIC_RELEASE);
	if (vnet_hw_has(&ad->hw, VNET_NET_F_GUEST_ANNOUNCE)) {
		/* Queue 0 is shared with the announce: its bursts run under the flag. */
		for (q = 0; q < dev->data->nb_tx_queues; q++) {
			struct vnet_txq *txq = dev->data->tx_queues[q];

			txq->inner_burst = dev->tx_pkt_burst;
			txq->tx_lock = 0;
		}
		dev->tx_pkt_burst = vnet_tx_burst_shared;
		poll = poll || !ad->intr_cb;
	}
	if (!poll)
		return;
	ad->config_poll = true;
	if (rte_eal_alarm_set(VNET_CONFIG_POLL_US, config_alarm, dev) != 0) {
		ad->config_poll = false;
		VNET_INIT_LOG(WARNING, "port %u: cannot poll the config status: link events and "
			      "guest announce requests will be missed", dev->data->port_id);
	}
}

void
vnet_intr_stop(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct rte_intr_handle *h = dev->intr_handle;

	__atomic_store_n(&ad->events_on, false, __ATOMIC_RELEASE);
	if (ad->config_poll) {
		ad->config_poll = false;
		rte_eal_alarm_cancel(config_alarm, dev);	/* waits for a running one */
	}
	if (ad->intr_cb) {
		rte_intr_callback_unregister_sync(h, intr_handler, dev);
		ad->intr_cb = false;
	}
	if (has_call_fds(ad)) {
		if (h != NULL && ad->rxq_intr) {
			rte_intr_vec_list_free(h);
			rte_intr_nb_efd_set(h, 0);
			rte_intr_max_intr_set(h, 0);
		}
		ad->hw.ops->set_rx_intr(&ad->hw, false);
		ad->intr_on = false;
		ad->rxq_intr = false;
		return;
	}
	if (ad->intr_on) {
		rte_intr_disable(h);
		ad->intr_on = false;
		if (ad->hw.ops->intr_changed != NULL)
			ad->hw.ops->intr_changed(&ad->hw);
	}
	/* Also after a failed start that had kept them (rxq_intr is then already false). */
	if (h != NULL && !ad->intr_keep_efds && rte_intr_nb_efd_get(h) > 0) {
		rte_intr_efd_disable(h);
		rte_intr_vec_list_free(h);
	}
	ad->rxq_intr = false;
}

void
vnet_intr_recovered(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	static const uint64_t one = 1;
	uint16_t q;
	int fd;

	if (dev->data->dev_conf.intr_conf.rxq == 0 || dev->intr_handle == NULL)
		return;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		/* After a failed attempt too: the kept eventfds, or vhost-user's call fds. */
		if (has_call_fds(ad))
			fd = ad->hw.ops->rx_call_fd(&ad->hw, (uint16_t)(2 * q));
		else if (q < rte_intr_nb_efd_get(dev->intr_handle))
			fd = rte_intr_efds_index_get(dev->intr_handle, q);
		else
			fd = -1;
		if (rxq != NULL && fd >= 0 && write(fd, &one, sizeof(one)) == sizeof(one))
			rxq->intr_recovery_wakes++;
	}
	VNET_DRV_LOG(INFO, "port %u: RX interrupt eventfds signalled after the recovery: "
		     "lcores asleep on them poll (and re-arm)", dev->data->port_id);
}

void
vnet_intr_close(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);

	if (ad->intr_own_handle) {
		rte_intr_instance_free(dev->intr_handle);
		dev->intr_handle = NULL;
		ad->intr_own_handle = false;
	}
	ad->hw.config_changed = NULL;
}

/* ---- RX queue interrupts (lcore of the queue) ---- */

int
vnet_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_rxq *rxq = dev->data->rx_queues[qid];
	static const uint64_t one = 1;
	bool armed;

	/*
	 * A recovery is re-creating the queues: nothing to arm now; the recovery signals the
	 * queue's eventfd when it is over (vnet_intr_recovered()), so the lcore may sleep.
	 */
	if (__atomic_load_n(&ad->rec_pending, __ATOMIC_ACQUIRE) != 0 &&
	    dev->data->dev_conf.intr_conf.rxq != 0)
		return 0;
	if (!ad->rxq_intr || !ad->intr_on)
		return -ENOTSUP;
	armed = rxq->vq.packed ? vnet_packed_enable_cb(&rxq->vq.pr, 1) :
		vnet_vring_enable_cb(&rxq->vq.vr, 1);
	/*
	 * The classic race: a buffer used after the application's last poll and before the
	 * enable above got no notification. The enable re-checks the ring after a full
	 * barrier; if something is pending, signal the queue's eventfd ourselves so the
	 * application's wait returns at once.
	 */
	if (!armed) {
		int fd = rte_intr_efds_index_get(dev->intr_handle, qid);

		if (fd >= 0 && write(fd, &one, sizeof(one)) == sizeof(one))
			rxq->intr_self++;
	}
	return 0;
}

int
vnet_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_rxq *rxq = dev->data->rx_queues[qid];

	if (!ad->rxq_intr || !ad->intr_on)
		return -ENOTSUP;
	vnet_vq_disable_cb(&rxq->vq);
	return 0;
}

/* ---- TX queue 0 shared with the announce ---- */

uint16_t
vnet_tx_burst_shared(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct vnet_txq *txq = queue;
	uint16_t sent;

	if (txq->queue_id != 0)
		return txq->inner_burst(queue, pkts, n);
	if (__atomic_exchange_n(&txq->tx_lock, 1, __ATOMIC_ACQUIRE) != 0) {
		txq->stats.ring_full++;
		return 0;
	}
	sent = txq->inner_burst(queue, pkts, n);
	__atomic_store_n(&txq->tx_lock, 0, __ATOMIC_RELEASE);
	return sent;
}
