/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Port lifecycle: runtime queue start/stop, deferred start, and device-error recovery.
 *
 * Queue stop/start. A started queue can be stopped only where the transport can pause one
 * ring while the device runs: vhost-user (SET_VRING_ENABLE 0/1, acknowledged; the ring and
 * its indices are kept, RX buffers stay posted, TX buffers not yet sent go out after the
 * restart). virtio-pci would need VIRTIO_F_RING_RESET (virtio 1.2, 2.6.1 "Virtqueue
 * Reset"), which vnet does not negotiate yet: there queue_stop of a started queue is
 * -ENOTSUP. A deferred queue (rx/tx_deferred_start) is registered with the device at
 * dev_start like the others (virtio 3.1.1: queues are set up before DRIVER_OK) but gets no
 * buffers, and vhost-user leaves it disabled, until its queue_start.
 *
 * Recovery. The device sets DEVICE_NEEDS_RESET (2.1.2) or corrupts a ring (a queue becomes
 * broken: vnet_ring.h): vnet_recovery_schedule() arms an EAL alarm, so the work runs in the
 * EAL interrupt thread, never on a datapath lcore. It raises RTE_ETH_EVENT_ERR_RECOVERING,
 * points rte_eth_fp_ops[port] at dummy bursts, waits out bursts in flight (vnet_vq_fence()),
 * then does what dev_stop + dev_start do (reset, reclaim every mbuf, renegotiate, lay out
 * and refill the rings, replay the control-queue state: MAC addresses, RX modes, VLAN
 * filters, RSS; the MTU, offloads and queue configuration are the port's), restores the
 * burst pointers and raises RTE_ETH_EVENT_RECOVERY_SUCCESS, or after VNET_RECOVERY_TRIES
 * attempts RTE_ETH_EVENT_RECOVERY_FAILED (the port then stays fenced until the application
 * stops and starts it). Queues the application had stopped stay stopped.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pause.h>

#include "vnet_ethdev.h"
#include "vnet_lifecycle.h"
#include "vnet_logs.h"

/* The bursts get the queue as void *: its vnet_vq comes first in both queue types. */
static_assert(offsetof(struct vnet_rxq, vq) == 0, "vnet_rxq starts with its vnet_vq");
static_assert(offsetof(struct vnet_txq, vq) == 0, "vnet_txq starts with its vnet_vq");

int
vnet_vq_fence(struct vnet_vq *vq, uint64_t timeout_us)
{
	uint64_t end = rte_get_timer_cycles() + timeout_us * rte_get_timer_hz() / 1000000;

	VNET_STORE_RLX(&vq->fenced, 1);
	/* Store-load order against vnet_burst_enter(): fenced first, then look at in_burst. */
	VNET_MB();
	while (VNET_LOAD_ACQ(&vq->in_burst) != 0) {
		if (rte_get_timer_cycles() > end)
			return -ETIMEDOUT;
		rte_pause();
	}
	return 0;
}

/* ---- recovery ---- */

static uint16_t
dummy_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(q);
	RTE_SET_USED(pkts);
	RTE_SET_USED(n);
	return 0;
}

static void recovery_alarm(void *arg);
static void poll_alarm(void *arg);
static void bad_desc_alarm(void *arg);

int
vnet_recovery_schedule(struct rte_eth_dev *dev, const char *why)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int ret;

	if (!ad->args.recovery || !__atomic_load_n(&ad->started, __ATOMIC_ACQUIRE))
		return -ENOTSUP;
	/* The transport is the primary's: its status poll notices a broken queue within 100 ms. */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -E_RTE_SECONDARY;
	/* A device that fails again right after each recovery: stop trying (bounded). */
	if (ad->rec_rapid >= VNET_RECOVERY_TRIES)
		return -EBUSY;
	if (__atomic_exchange_n(&ad->rec_pending, 1, __ATOMIC_ACQ_REL) != 0)
		return 0;	/* merged with the one pending */
	VNET_DRV_LOG(WARNING, "port %u: %s: recovering the port (reset, renegotiation, queues "
		     "re-created)", dev->data->port_id, why);
	ret = rte_eal_alarm_set(1, recovery_alarm, dev);
	if (ret != 0) {
		__atomic_store_n(&ad->rec_pending, 0, __ATOMIC_RELEASE);
		VNET_DRV_LOG(ERR, "port %u: cannot schedule the recovery: %s", dev->data->port_id,
			     strerror(-ret));
	}
	return ret;
}

void
vnet_recovery_schedule_port(uint16_t port_id, const char *why)
{
	if (port_id < RTE_MAX_ETHPORTS)
		vnet_recovery_schedule(&rte_eth_devices[port_id], why);
}

/* One attempt: what dev_stop + dev_start do, with the queue states of the application. */
static int
recover_once(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int ret;

	/* The RX interrupt eventfds stay: the application's epoll sets hold them. */
	ad->intr_keep_efds = true;
	vnet_dev_stop_locked(dev);	/* fences every queue, resets, reclaims */
	ret = vnet_dev_start_locked(dev);
	ad->intr_keep_efds = false;
	/* ethdev's view: the port stays started (stop cleared it). */
	dev->data->dev_started = 1;
	return ret;
}

static void
recovery_alarm(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vnet_adapter *ad = adapter_of(dev);
	struct rte_eth_fp_ops *fpo = &rte_eth_fp_ops[dev->data->port_id];
	enum rte_eth_event_type ev;
	uint64_t t0 = rte_get_timer_cycles();
	int ret;

	if (ad->rec_attempt == 0) {
		if (!__atomic_load_n(&ad->started, __ATOMIC_ACQUIRE)) {
			/* stopped meanwhile: nothing to recover */
			__atomic_store_n(&ad->rec_pending, 0, __ATOMIC_RELEASE);
			return;
		}
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_ERR_RECOVERING, NULL);
	}
	rte_spinlock_lock(&ad->lc_lock);
	if (ad->rec_attempt == 0) {
		if (!ad->started) {	/* stopped while the event was delivered */
			__atomic_store_n(&ad->rec_pending, 0, __ATOMIC_RELEASE);
			rte_spinlock_unlock(&ad->lc_lock);
			rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_RECOVERY_FAILED, NULL);
			return;
		}
		/* New calls through rte_eth_rx/tx_burst no longer reach the queues. */
		fpo->rx_pkt_burst = dummy_burst;
		fpo->tx_pkt_burst = dummy_burst;
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	ret = recover_once(dev);
	if (ret == 0) {
		fpo->rx_pkt_burst = dev->rx_pkt_burst;
		fpo->tx_pkt_burst = dev->tx_pkt_burst;
		fpo->tx_pkt_prepare = dev->tx_pkt_prepare;
		ad->recoveries++;
		if (ad->recoveries > 1 && rte_get_timer_cycles() - ad->rec_last_tsc <
		    rte_get_timer_hz()) {
			if (++ad->rec_rapid >= VNET_RECOVERY_TRIES)
				VNET_DRV_LOG(ERR, "port %u: %u recoveries less than 1 s apart: the "
					     "device keeps failing; no more recoveries until the "
					     "port restarts", dev->data->port_id, ad->rec_rapid + 1);
		} else {
			ad->rec_rapid = 0;
		}
		ad->rec_last_tsc = rte_get_timer_cycles();
		VNET_DRV_LOG(NOTICE, "port %u: recovered after %u attempt(s) (%" PRIu64 " ms for "
			     "the last): queues re-created, state replayed", dev->data->port_id,
			     ad->rec_attempt + 1,
			     (rte_get_timer_cycles() - t0) * 1000 / rte_get_timer_hz());
		ad->rec_attempt = 0;
		ev = RTE_ETH_EVENT_RECOVERY_SUCCESS;
	} else if (++ad->rec_attempt < VNET_RECOVERY_TRIES) {
		VNET_DRV_LOG(WARNING, "port %u: recovery attempt %u failed (%s): retrying in %u ms",
			     dev->data->port_id, ad->rec_attempt, strerror(-ret),
			     VNET_RECOVERY_RETRY_US / 1000);
		ret = rte_eal_alarm_set(VNET_RECOVERY_RETRY_US, recovery_alarm, dev);
		rte_spinlock_unlock(&ad->lc_lock);
		if (ret == 0)
			return;
		rte_spinlock_lock(&ad->lc_lock);
		ev = RTE_ETH_EVENT_RECOVERY_FAILED;
	} else {
		ev = RTE_ETH_EVENT_RECOVERY_FAILED;
	}
	if (ev == RTE_ETH_EVENT_RECOVERY_FAILED) {
		ad->recovery_failures++;
		ad->rec_attempt = 0;
		VNET_DRV_LOG(ERR, "port %u: recovery failed %u times: the port stays stopped "
			     "(bursts return 0); stop and start it, or close it",
			     dev->data->port_id, VNET_RECOVERY_TRIES);
	}
	__atomic_store_n(&ad->rec_pending, 0, __ATOMIC_RELEASE);
	/*
	 * After the flag: an RX interrupt enable that saw the recovery pending did not arm
	 * (its lcore sleeps); later ones arm the new ring. Wake the sleepers, on success or
	 * failure alike (no lcore stays asleep on a dead queue).
	 */
	vnet_intr_recovered(dev);
	rte_spinlock_unlock(&ad->lc_lock);
	rte_eth_dev_callback_process(dev, ev, NULL);
}

/*
 * The NEEDS_RESET poll (and a safety net for broken queues that nobody polls, e.g. the
 * control queue): the cheapest correct detector with no interrupt configured; a config
 * change interrupt handler may call vnet_recovery_schedule() sooner.
 */
static void
poll_alarm(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vnet_adapter *ad = adapter_of(dev);
	char why[96];
	uint16_t q;

	if (!ad->started || __atomic_load_n(&ad->rec_pending, __ATOMIC_ACQUIRE) != 0)
		goto rearm;
	why[0] = '\0';
	if (vnet_dev_needs_reset(&ad->hw))
		snprintf(why, sizeof(why), "the device set DEVICE_NEEDS_RESET");
	for (q = 0; why[0] == '\0' && q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL && vnet_vq_error(&rxq->vq) != 0)
			snprintf(why, sizeof(why), "rx queue %u broken (%s)", q,
				 vnet_vring_strerror(vnet_vq_error(&rxq->vq)));
	}
	for (q = 0; why[0] == '\0' && q < dev->data->nb_tx_queues; q++) {
		struct vnet_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL && vnet_vq_error(&txq->vq) != 0)
			snprintf(why, sizeof(why), "tx queue %u broken (%s)", q,
				 vnet_vring_strerror(vnet_vq_error(&txq->vq)));
	}
	if (why[0] == '\0' && vnet_ctrl_ready(&ad->ctrl) && vnet_vq_error(&ad->cvq) != 0)
		snprintf(why, sizeof(why), "control queue broken (%s)",
			 vnet_vring_strerror(vnet_vq_error(&ad->cvq)));
	if (why[0] != '\0')
		vnet_recovery_schedule(dev, why);
rearm:
	if (rte_eal_alarm_set(VNET_RECOVERY_POLL_US, poll_alarm, dev) != 0)
		ad->rec_poll = false;
}

/*
 * Common start of the test-only fault alarms: take the lifecycle lock and find TX queue 0.
 * If the application stopped that queue meanwhile, release the lock and run @p cb again in
 * 500 ms. Returns true with lc_lock held (*txqp may be NULL), false when re-armed.
 */
static bool
test_alarm_enter(struct rte_eth_dev *dev, rte_eal_alarm_callback cb, struct vnet_txq **txqp)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_txq *txq;

	rte_spinlock_lock(&ad->lc_lock);
	txq = dev->data->nb_tx_queues > 0 ? dev->data->tx_queues[0] : NULL;
	if (ad->started && txq != NULL && txq->vq.stopped) {
		rte_spinlock_unlock(&ad->lc_lock);
		rte_eal_alarm_set(500000, cb, dev);
		return false;
	}
	*txqp = txq;
	return true;
}

/*
 * Test only (devargs test_bad_desc_ms): post one zero-length descriptor on TX queue 0, which
 * virtio forbids (2.7.4 / 2.8.6: a descriptor's len is the buffer's size; QEMU's
 * virtqueue_pop calls virtio_error(): the device is broken and sets DEVICE_NEEDS_RESET),
 * to prove the recovery on a real device. The queue's lcore is fenced out meanwhile. The
 * mbuf that carries it is reclaimed by the recovery like every other.
 */
static void
bad_desc_alarm(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_txq *txq;
	struct vnet_rxq *rxq;
	struct rte_mbuf *m;
	struct vnet_vq *vq;
	uint16_t slot;
	int ret = -ENODEV;

	if (!test_alarm_enter(dev, bad_desc_alarm, &txq))
		return;
	rxq = dev->data->nb_rx_queues > 0 ? dev->data->rx_queues[0] : NULL;
	if (!ad->started || txq == NULL || rxq == NULL || txq->vq.copy)
		goto out;
	vq = &txq->vq;
	if (vnet_vq_fence(vq, VNET_FENCE_TIMEOUT_US) != 0)
		goto unfence;
	m = rte_pktmbuf_alloc(rxq->mp);
	if (m == NULL)
		goto unfence;
	slot = vq->packed ? vq->pr.avail_pos : vnet_vring_next_id(&vq->vr);
	ret = vq_add1(vq, vq->packed, rte_mbuf_data_iova_default(m), 64, false, m);
	if (ret != 0) {
		rte_pktmbuf_free(m);
		goto unfence;
	}
	/* The ring core refuses len 0: patch the descriptor before it is published. */
	if (vq->packed)
		vq->pr.desc[slot].len = 0;
	else
		vq->vr.desc[slot].len = 0;
	vq_publish(vq, vq->packed);
	vnet_vq_notify(vq);
	ad->bad_desc_done = true;
	VNET_DRV_LOG(WARNING, "port %u: test_bad_desc_ms: posted one zero-length descriptor on "
		     "tx queue 0 (%s ring, slot %u)", dev->data->port_id,
		     vq->packed ? "packed" : "split", slot);
unfence:
	vnet_vq_unfence(vq);
out:
	if (ret != 0)
		VNET_DRV_LOG(ERR, "port %u: test_bad_desc_ms: could not post the descriptor",
			     dev->data->port_id);
	rte_spinlock_unlock(&ad->lc_lock);
}

/*
 * Test only (devargs test_break_ms): break TX queue 0 as the untrusted-device checks do when
 * a device moves the used index past what was published, on any transport (the vhost-user
 * and vhost-net backends at hand cannot be made to corrupt a ring). The poll alarm then
 * finds the broken queue and the port recovers as from a real device error.
 */
static void
break_alarm(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_txq *txq;

	if (!test_alarm_enter(dev, break_alarm, &txq))
		return;
	if (ad->started && txq != NULL) {
		if (vnet_vq_fence(&txq->vq, VNET_FENCE_TIMEOUT_US) == 0) {
			vq_set_broken(&txq->vq, txq->vq.packed, VNET_VRING_ERR_USED_IDX);
			ad->break_done = true;
			VNET_DRV_LOG(WARNING, "port %u: test_break_ms: tx queue 0 marked broken",
				     dev->data->port_id);
		}
		vnet_vq_unfence(&txq->vq);
	}
	if (!ad->break_done)
		VNET_DRV_LOG(ERR, "port %u: test_break_ms: could not break tx queue 0",
			     dev->data->port_id);
	rte_spinlock_unlock(&ad->lc_lock);
}

/* ---- dev_start / dev_stop / close ---- */

int
vnet_lc_dev_start(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t q;
	int ret;

	rte_spinlock_lock(&ad->lc_lock);
	ad->rec_rapid = 0;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		if (dev->data->rx_queues[q] != NULL)
			((struct vnet_rxq *)dev->data->rx_queues[q])->vq.stopped =
				((struct vnet_rxq *)dev->data->rx_queues[q])->vq.deferred;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		if (dev->data->tx_queues[q] != NULL)
			((struct vnet_txq *)dev->data->tx_queues[q])->vq.stopped =
				((struct vnet_txq *)dev->data->tx_queues[q])->vq.deferred;
	ret = vnet_dev_start_locked(dev);
	rte_spinlock_unlock(&ad->lc_lock);
	if (ret == 0 && ad->args.test_bad_desc_ms != 0 && !ad->bad_desc_done)
		rte_eal_alarm_set((uint64_t)ad->args.test_bad_desc_ms * 1000, bad_desc_alarm, dev);
	if (ret == 0 && ad->args.test_break_ms != 0 && !ad->break_done)
		rte_eal_alarm_set((uint64_t)ad->args.test_break_ms * 1000, break_alarm, dev);
	if (ret == 0 && ad->args.recovery && !ad->rec_poll) {
		ad->rec_poll = rte_eal_alarm_set(VNET_RECOVERY_POLL_US, poll_alarm, dev) == 0;
		if (!ad->rec_poll)
			VNET_DRV_LOG(WARNING, "port %u: no status poll (alarm): DEVICE_NEEDS_RESET "
				     "is noticed by the config interrupt only", dev->data->port_id);
	}
	return ret;
}

int
vnet_lc_dev_stop(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int ret;

	/* Not under the lock: an alarm running now may be waiting for it. */
	rte_eal_alarm_cancel(bad_desc_alarm, dev);
	rte_eal_alarm_cancel(break_alarm, dev);
	rte_eal_alarm_cancel(poll_alarm, dev);
	ad->rec_poll = false;
	if (rte_eal_alarm_cancel(recovery_alarm, dev) > 0) {
		ad->rec_attempt = 0;
		__atomic_store_n(&ad->rec_pending, 0, __ATOMIC_RELEASE);
	}
	rte_spinlock_lock(&ad->lc_lock);
	ret = vnet_dev_stop_locked(dev);
	rte_spinlock_unlock(&ad->lc_lock);
	return ret;
}

void
vnet_lc_close(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);

	rte_eal_alarm_cancel(bad_desc_alarm, dev);
	rte_eal_alarm_cancel(break_alarm, dev);
	rte_eal_alarm_cancel(poll_alarm, dev);
	rte_eal_alarm_cancel(recovery_alarm, dev);
	ad->rec_poll = false;
	ad->rec_attempt = 0;
	__atomic_store_n(&ad->rec_pending, 0, __ATOMIC_RELEASE);
}

/* ---- runtime queue start / stop ---- */

/*
 * After a per-queue reset: reclaim every buffer (the device no longer owns any) and lay the
 * ring out as dev_start does, for the features of this start.
 */
static int
ring_reinit(struct rte_eth_dev *dev, struct vnet_vq *vq, bool rx)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int ret;

	if (rx)
		vnet_rxq_drop_partial((struct vnet_rxq *)vq);
	vnet_vq_reclaim(vq);
	ret = vnet_vq_ring_init(ad, vq);
	if (ret != 0)
		return ret;
	vnet_vq_disable_cb(vq);
	if (rx) {
		struct vnet_rxq *rxq = (struct vnet_rxq *)vq;

		vnet_vq_set_min_len(vq, vnet_hw_has(&ad->hw, VNET_NET_F_MRG_RXBUF) ? 0 :
				    rxq->hdr_size);
		rxq->broken_logged = false;
		return vnet_rxq_big_prepare(dev, rxq);
	} else {
		struct vnet_txq *txq = (struct vnet_txq *)vq;

		txq->broken_logged = false;
		txq->indirect = false;
		if (txq->ind_mz != NULL && vnet_hw_has(&ad->hw, VNET_F_RING_INDIRECT_DESC) &&
		    vnet_vq_set_indirect(vq, txq->ind_mz->addr,
					 ad->hw.use_va ? (uint64_t)(uintptr_t)txq->ind_mz->addr :
					 txq->ind_mz->iova, VNET_TX_IND_MAX) == 0)
			txq->indirect = vnet_txq_ind_init(txq);
	}
	return 0;
}

static int
queue_stop(struct rte_eth_dev *dev, struct vnet_vq *vq, uint8_t *state, const char *dir,
	   uint16_t qid)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int ret = 0;

	rte_spinlock_lock(&ad->lc_lock);
	if (!ad->started || vq->stopped)
		goto stopped;
	if (ad->hw.ops->queue_enable == NULL ||
	    (ad->hw.ops->queue_enable_resets && !vnet_hw_has(&ad->hw, VNET_F_RING_RESET))) {
		VNET_DRV_LOG(ERR, "port %u %s queue %u: a started queue of this %s device cannot "
			     "be stopped alone: that needs VIRTIO_F_RING_RESET, %s; stop the "
			     "port, or set the queue up with deferred start", dev->data->port_id,
			     dir, qid, ad->hw.ops->name, ad->hw.ops->queue_enable == NULL ?
			     "which this transport does not have" : "not offered by the device");
		ret = -ENOTSUP;
		goto out;
	}
	ret = vnet_vq_fence(vq, VNET_FENCE_TIMEOUT_US);
	if (ret != 0) {
		VNET_DRV_LOG(ERR, "port %u %s queue %u: a burst did not end within %u ms: the "
			     "queue is still in use", dev->data->port_id, dir, qid,
			     VNET_FENCE_TIMEOUT_US / 1000);
		vnet_vq_unfence(vq);
		ret = -EBUSY;
		goto out;
	}
	ret = ad->hw.ops->queue_enable(&ad->hw, vq, false);
	if (ret != 0) {
		vnet_vq_unfence(vq);
		goto out;
	}
	if (ad->hw.ops->queue_enable_resets) {
		/* The device forgot the ring: every buffer comes back, the ring starts anew. */
		ret = ring_reinit(dev, vq, dir[0] == 'r');
		vq->ring_reset = true;
		if (ret != 0) {
			VNET_DRV_LOG(ERR, "port %u %s queue %u: cannot lay out the ring again: %s",
				     dev->data->port_id, dir, qid, strerror(-ret));
			goto out;	/* stays fenced and reset: a port restart recovers it */
		}
	}
stopped:
	vq->stopped = true;
	*state = RTE_ETH_QUEUE_STATE_STOPPED;
out:
	rte_spinlock_unlock(&ad->lc_lock);
	return ret;
}

/*
 * Enable @p vq on the transport where it is disabled: vhost-user (every stopped or deferred
 * queue), virtio-pci only after a queue reset (a deferred queue was enabled at DRIVER_OK).
 */
static int
queue_enable_on(struct rte_eth_dev *dev, struct vnet_vq *vq)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int ret;

	if (ad->hw.ops->queue_enable == NULL ||
	    (ad->hw.ops->queue_enable_resets && !vq->ring_reset))
		return 0;
	ret = ad->hw.ops->queue_enable(&ad->hw, vq, true);
	if (ret == 0)
		vq->ring_reset = false;
	return ret;
}

/* Last step of a queue start, lock held: started, fence open. */
static void
queue_go(struct vnet_vq *vq, uint8_t *state)
{
	vq->stopped = false;
	*state = RTE_ETH_QUEUE_STATE_STARTED;
	vnet_vq_unfence(vq);
}

int
vnet_rx_queue_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vnet_rxq *rxq = dev->data->rx_queues[qid];

	return queue_stop(dev, &rxq->vq, &dev->data->rx_queue_state[qid], "rx", qid);
}

int
vnet_tx_queue_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vnet_txq *txq = dev->data->tx_queues[qid];

	return queue_stop(dev, &txq->vq, &dev->data->tx_queue_state[qid], "tx", qid);
}

int
vnet_rx_queue_start(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_rxq *rxq = dev->data->rx_queues[qid];
	int ret = 0;

	rte_spinlock_lock(&ad->lc_lock);
	if (!ad->started) {
		ret = -EINVAL;
		goto out;
	}
	if (!rxq->vq.stopped)
		goto out;
	/*
	 * Registered first (PCI after a queue reset: the device must see the ring before the
	 * kick of the refill), then never started: post its buffers now; stopped (vhost-user):
	 * top up the ring it kept.
	 */
	ret = queue_enable_on(dev, &rxq->vq);
	if (ret != 0)
		goto out;
	/* A refill kick deferral of before the stop is over (the fill below decides anew). */
	__atomic_store_n(&rxq->defer_start, 0, __ATOMIC_RELEASE);
	ret = vnet_rxq_fill(rxq);
	if (ret != 0) {
		VNET_DRV_LOG(ERR, "port %u rxq %u: mempool has no mbufs to post", dev->data->port_id,
			     qid);
		goto out;
	}
	queue_go(&rxq->vq, &dev->data->rx_queue_state[qid]);
out:
	rte_spinlock_unlock(&ad->lc_lock);
	return ret;
}

int
vnet_tx_queue_start(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_txq *txq = dev->data->tx_queues[qid];
	int ret = 0;

	rte_spinlock_lock(&ad->lc_lock);
	if (!ad->started) {
		ret = -EINVAL;
		goto out;
	}
	if (!txq->vq.stopped)
		goto out;
	/* The queue's kick state starts afresh (adaptive moderation at level 0). */
	__atomic_store_n(&txq->defer_start, 0, __ATOMIC_RELEASE);
	vnet_txq_kick_policy_init(txq, (uint64_t)ad->args.delay_us * rte_get_tsc_hz() / 1000000);
	ret = queue_enable_on(dev, &txq->vq);
	if (ret == 0)
		queue_go(&txq->vq, &dev->data->tx_queue_state[qid]);
out:
	rte_spinlock_unlock(&ad->lc_lock);
	return ret;
}
