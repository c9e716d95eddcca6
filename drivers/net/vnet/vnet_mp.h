/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * Secondary processes (vnet_mp.c): a secondary attaches to the ports of a running primary,
 * gets its own burst entry points, the dev_ops that are safe without the primary's
 * transport (statistics, information, the private dump) and, for vhost-user ports, its own
 * mappings of the shared ring / bounce memory and copies of the kick eventfds, passed over
 * the rte_mp action "vnet_mp".
 */

#ifndef VNET_MP_H
#define VNET_MP_H

#include <stdbool.h>

#include <ethdev_driver.h>
#include <bus_vdev_driver.h>

/** Name of the rte_mp action of vnet's primary processes. */
#define VNET_MP_ACTION	"vnet_mp"

/**
 * Primary process: register the "vnet_mp" action (once per process; later calls do
 * nothing). Probe time. A primary without a multi-process channel (--in-memory,
 * --no-shconf) logs it at DEBUG and serves no secondaries.
 */
void vnet_mp_primary_init(void);

/**
 * Secondary process: attach to port @p dev (already attached to the shared data by the
 * bus glue): per-process state, burst entry points, secondary dev_ops; for vhost-user
 * (@p vhost_user) the memory and kick fds from the primary. Probe time, secondary.
 *
 * @return 0, -ENOTSUP for a legacy virtio-pci port (I/O-port notifications are per
 *   process), or a negative errno when the primary cannot be reached or the memory cannot
 *   be mapped at the primary's addresses (logged).
 */
int vnet_mp_attach(struct rte_eth_dev *dev, bool vhost_user);

/**
 * Secondary process: probe of a net_vnet_user vdev the primary created (the vdev bus
 * lists it): attach to the port and finish probing. @return 0 or a negative errno.
 */
int vnet_mp_probe_vdev(struct rte_vdev_device *vdev);

/**
 * Secondary process: release what vnet_mp_attach() set up for @p dev (mappings, fds).
 * The port and the primary are not affected. Close / remove, secondary.
 */
void vnet_mp_detach(struct rte_eth_dev *dev);

#endif /* VNET_MP_H */
