/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * Port lifecycle beyond start/stop: runtime queue start/stop (rx/tx_queue_start/stop,
 * deferred start) and device-error recovery (DEVICE_NEEDS_RESET, broken queues).
 * Primary process only.
 */

#ifndef VNET_LIFECYCLE_H
#define VNET_LIFECYCLE_H

#include <stdint.h>

#include <rte_ethdev.h>

/** Period of the status poll that notices DEVICE_NEEDS_RESET and broken queues. */
#define VNET_RECOVERY_POLL_US		100000
/** Attempts of one recovery before RTE_ETH_EVENT_RECOVERY_FAILED. */
#define VNET_RECOVERY_TRIES		3
/** Delay between two attempts. */
#define VNET_RECOVERY_RETRY_US		200000
/** Longest wait for a burst in flight to leave a fenced queue. */
#define VNET_FENCE_TIMEOUT_US		1000000

/**
 * Schedule a device-error recovery of @p dev (reset, renegotiate, re-create and refill the
 * queues with the same configuration, replay the control-queue state). Returns at once; the
 * recovery runs in the EAL interrupt thread (an alarm). Any thread may call it: the config
 * change interrupt handler, the status poll, a burst that found its queue broken. Repeated
 * calls while one is pending are merged. @p why is logged.
 *
 * @return 0 (scheduled or already pending), -ENOTSUP (devargs recovery=0 or the port is
 *   not started), -E_RTE_SECONDARY (a secondary process: the primary's poll notices), -EBUSY
 *   (the device failed again right after each of the last recoveries), or a negative errno
 *   from rte_eal_alarm_set().
 */
int vnet_recovery_schedule(struct rte_eth_dev *dev, const char *why);

/**
 * vnet_recovery_schedule() by port id, for the bursts (cold path: once per broken queue).
 */
void vnet_recovery_schedule_port(uint16_t port_id, const char *why);

/** dev_start dev_op: the start of vnet_ethdev.c under the lifecycle lock, deferred queues. */
int vnet_lc_dev_start(struct rte_eth_dev *dev);
/** dev_stop dev_op: cancels the status poll, then the stop of vnet_ethdev.c. */
int vnet_lc_dev_stop(struct rte_eth_dev *dev);
/** dev_close part: cancel a pending recovery and the poll (before the port goes away). */
void vnet_lc_close(struct rte_eth_dev *dev);

/** rx_queue_start dev_op. */
int vnet_rx_queue_start(struct rte_eth_dev *dev, uint16_t qid);
/** rx_queue_stop dev_op. */
int vnet_rx_queue_stop(struct rte_eth_dev *dev, uint16_t qid);
/** tx_queue_start dev_op. */
int vnet_tx_queue_start(struct rte_eth_dev *dev, uint16_t qid);
/** tx_queue_stop dev_op. */
int vnet_tx_queue_stop(struct rte_eth_dev *dev, uint16_t qid);

/**
 * The start of vnet_ethdev.c without the lifecycle lock: negotiation, rings, burst variant.
 * Queues with vq.stopped set are registered but not filled, enabled (vhost-user) nor
 * unfenced. Caller holds ad->lc_lock.
 */
int vnet_dev_start_locked(struct rte_eth_dev *dev);
/** The stop of vnet_ethdev.c: fence, reset, reclaim. Caller holds ad->lc_lock. */
int vnet_dev_stop_locked(struct rte_eth_dev *dev);

#endif /* VNET_LIFECYCLE_H */
