/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * vhost-net transport: net_vnet_user with path=/dev/vhost-net. The Linux kernel's vhost-net
 * moves packets between vnet's rings and a tap interface (iface=, created if absent, one
 * tap queue and one /dev/vhost-net instance per queue pair). The device (status, config
 * space, offload features) is emulated by the transport; the kernel reads and writes the
 * rings and the mbufs at their process virtual addresses. Split rings only; no control
 * queue. See vnet.rst, "vhost-net backend".
 */

#ifndef VNET_VHOST_NET_H
#define VNET_VHOST_NET_H

#include <stdbool.h>

#include "vnet_transport.h"
#include "vnet_vhost_user.h"

/** Transport ops of the vhost-net backend. */
extern const struct vnet_transport_ops vnet_tp_vhost_net_ops;

/**
 * True if @p path names the vhost-net backend rather than a vhost-user socket: a character
 * device, or any path under /dev/ (vhost-user sockets never live there), so that a missing
 * /dev/vhost-net gets the vhost-net error (which module to load). Probe time.
 */
bool vnet_vn_path_is_vhost_net(const char *path);

/**
 * Create the transport for @p hw: open @p args->path once per queue pair, take ownership,
 * read the kernel's features, open (or create) the tap @p args->iface with one queue per
 * pair (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, IFF_MULTI_QUEUE for queues > 1), the ring area
 * and the kick eventfds. The kernel gets the rings at DRIVER_OK. Primary process, probe.
 *
 * @return 0 or a negative errno, with a log line saying why (and which module to load).
 */
int vnet_vn_init(struct vnet_hw *hw, const struct vnet_vu_args *args, const char *name);

#endif /* VNET_VHOST_NET_H */
