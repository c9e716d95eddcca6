/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

#ifndef RTE_PMD_VNET_H
#define RTE_PMD_VNET_H

/**
 * @file
 * Public definitions of the vnet virtio-net poll-mode driver.
 *
 * Applications use the names below to find the driver (rte_eth_dev_info::driver_name) and
 * its extended statistics (rte_eth_xstats_get_names()). Nothing here needs linking with
 * the driver.
 */

/** Name of the PCI driver, as in --log-level, dpdk-pmdinfo.py and driver_name. */
#define RTE_PMD_VNET_DRIVER_NAME "net_vnet"

/**
 * Per-queue xstat name suffix: driver-to-device notifications (kicks) written to the
 * device's notify register. An xstat is named "<queue>_" RTE_PMD_VNET_XSTAT_KICKS_ISSUED,
 * e.g. "tx_q0_kicks_issued".
 */
#define RTE_PMD_VNET_XSTAT_KICKS_ISSUED "kicks_issued"

/**
 * Per-queue xstat name suffix: kick decisions where buffers were published but no kick was
 * written because the device did not ask for one (event-idx avail_event, or
 * VRING_USED_F_NO_NOTIFY without event-idx).
 */
#define RTE_PMD_VNET_XSTAT_KICKS_SUPPRESSED "kicks_suppressed"

/**
 * TX queue xstat name suffix: bursts whose kick decision was postponed by kick coalescing
 * (devargs kick_coalesce / kick_delay_us).
 */
#define RTE_PMD_VNET_XSTAT_KICKS_DEFERRED "kicks_deferred"

/**
 * TX queue xstat name suffix: kicks written by the coalescing safety-net thread because
 * no burst call came within kick_delay_us (included in kicks_issued).
 */
#define RTE_PMD_VNET_XSTAT_KICKS_SAFETY "kicks_safety_net"

/** TX queue xstat name suffix: longest time, in microseconds, a buffer waited for its kick. */
#define RTE_PMD_VNET_XSTAT_MAX_DEFERRAL_US "max_deferral_us"

#endif /* RTE_PMD_VNET_H */
