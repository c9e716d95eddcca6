/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * vhost-user transport: vnet as the frontend of a vhost-user backend (DPDK vhost, OVS-DPDK,
 * VPP...) over a unix socket. The device (status, features, config space) is emulated by
 * the transport; the rings live in vnet's own shared memory; packet buffers are shared
 * zero-copy when EAL's memory fits the backend's region limit, else copied through
 * bounce buffers in vnet's shared memory (see vnet.rst).
 */

#ifndef VNET_VHOST_USER_H
#define VNET_VHOST_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "vnet_transport.h"

/** Parsed devargs of a net_vnet_user port (transport part). */
struct vnet_vu_args {
	char path[108];			/**< unix socket path (sun_path size) */
	uint16_t queues;		/**< queue pairs */
	uint16_t queue_size;		/**< max ring entries, power of two */
	bool server;			/**< vnet listens, the backend (re)connects */
	bool mac_set;
	uint8_t mac[6];
	char iface[16];			/**< vhost-net: tap interface name (IFNAMSIZ) */
};

/** Transport ops of the vhost-user frontend. */
extern const struct vnet_transport_ops vnet_tp_vhost_user_ops;

/**
 * Create the transport for @p hw: shared ring memory, the socket (client mode: connect now,
 * fail if the backend is not there; server mode: listen), the feature handshake when
 * connected, and the control thread (accepts, detects hang-ups, reconnects).
 * Primary process, probe time.
 *
 * @return 0 or a negative errno, with a log line saying why.
 */
int vnet_vu_init(struct vnet_hw *hw, const struct vnet_vu_args *args, const char *name);

/** True when a backend is connected and the rings are running. Any thread. */
bool vnet_vu_backend_ready(struct vnet_hw *hw);

/** True when packet buffers go through bounce buffers (decided at DRIVER_OK). */
bool vnet_vu_copy_mode(struct vnet_hw *hw);

/**
 * RX interrupts: from the next start (DRIVER_OK) on, give the backend a call eventfd for
 * each RX virtqueue (@p on), or none (polling). Control path, port stopped.
 */
void vnet_vu_set_rx_intr(struct vnet_hw *hw, bool on);

/** Call eventfd of virtqueue @p idx (the backend writes it to notify), -1 if none. */
int vnet_vu_call_fd(struct vnet_hw *hw, uint16_t idx);

/** Times the backend hung up / was (re)connected since probe (xstats). */
void vnet_vu_counters(struct vnet_hw *hw, uint64_t *disconnects, uint64_t *connects);

/**
 * What a secondary process needs to run queues of a vhost-user port: the shared ring area
 * and the copy-mode bounce area (memfds, mapped at the same addresses there) and the kick
 * eventfd of each virtqueue. The fds stay owned by the primary.
 */
struct vnet_vu_share {
	int rings_fd;
	void *rings_va;
	size_t rings_len;
	int bounce_fd;			/**< -1 until the first copy-mode start */
	void *bounce_va;
	size_t bounce_len;
	const int *kickfd;		/**< [nkick], by virtqueue index */
	uint16_t nkick;
};

/**
 * Fill @p s for the vhost-user port of @p hw. Primary process (its rte_mp handler).
 *
 * @return 0, or -ENODEV when @p hw is not a vhost-user port.
 */
int vnet_vu_share_get(struct vnet_hw *hw, struct vnet_vu_share *s);

#endif /* VNET_VHOST_USER_H */
