/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * Device bring-up, independent of the transport and of ethdev: the one negotiation
 * routine (reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK read back), validated device
 * configuration, queue registration and DRIVER_OK. Uses only struct vnet_transport_ops,
 * so the unit tier runs it against a fake transport without EAL.
 */

#ifndef VNET_DEV_H
#define VNET_DEV_H

#include <stdint.h>

#include "vnet_transport.h"

/** Features vnet knows how to use; the device's offer is intersected with these. */
#define VNET_DRIVER_FEATURES \
	(VNET_BIT(VNET_F_VERSION_1) | VNET_BIT(VNET_F_RING_EVENT_IDX) | \
	 VNET_BIT(VNET_F_ACCESS_PLATFORM) | VNET_BIT(VNET_F_ANY_LAYOUT) | \
	 VNET_BIT(VNET_F_RING_INDIRECT_DESC) | VNET_BIT(VNET_NET_F_MRG_RXBUF) | \
	 VNET_BIT(VNET_F_RING_PACKED) | VNET_BIT(VNET_F_IN_ORDER) | \
	 VNET_BIT(VNET_NET_F_MAC) | VNET_BIT(VNET_NET_F_STATUS) | VNET_BIT(VNET_NET_F_MTU) | \
	 VNET_BIT(VNET_NET_F_SPEED_DUPLEX) | VNET_CTRL_FEATURES | VNET_GUEST_OFFLOAD_FEATURES | \
	 VNET_HOST_OFFLOAD_FEATURES)

/**
 * Receive offloads vnet can use (5.1.3): checksum and TCP coalescing. Not GUEST_UFO (no
 * DPDK offload for it), not GUEST_USO4/6 (DPDK has no RX offload for UDP coalescing).
 */
#define VNET_GUEST_OFFLOAD_FEATURES \
	(VNET_BIT(VNET_NET_F_GUEST_CSUM) | VNET_BIT(VNET_NET_F_GUEST_TSO4) | \
	 VNET_BIT(VNET_NET_F_GUEST_TSO6) | VNET_BIT(VNET_NET_F_GUEST_ECN))

/** Transmit offloads vnet can use: checksum, TCP and UDP segmentation (not legacy UFO). */
#define VNET_HOST_OFFLOAD_FEATURES \
	(VNET_BIT(VNET_NET_F_CSUM) | VNET_BIT(VNET_NET_F_HOST_TSO4) | \
	 VNET_BIT(VNET_NET_F_HOST_TSO6) | VNET_BIT(VNET_NET_F_HOST_ECN) | \
	 VNET_BIT(VNET_NET_F_HOST_USO))

/**
 * The control virtqueue and what needs it (5.1.3.1): RX modes and MAC filters, VLAN filter,
 * MAC address, multi-queue, RSS and hash report, guest announce. vnet_dev_negotiate() drops a
 * feature whose dependency the device does not offer.
 */
#define VNET_CTRL_FEATURES \
	(VNET_BIT(VNET_NET_F_CTRL_VQ) | VNET_BIT(VNET_NET_F_CTRL_RX) | \
	 VNET_BIT(VNET_NET_F_CTRL_RX_EXTRA) | VNET_BIT(VNET_NET_F_CTRL_VLAN) | \
	 VNET_BIT(VNET_NET_F_CTRL_MAC_ADDR) | VNET_BIT(VNET_NET_F_MQ) | VNET_BIT(VNET_NET_F_RSS) | \
	 VNET_BIT(VNET_NET_F_HASH_REPORT) | VNET_BIT(VNET_NET_F_CTRL_GUEST_OFFLOADS) | \
	 VNET_BIT(VNET_NET_F_GUEST_ANNOUNCE))

/** Smallest control queue vnet can use: one command is a 3-descriptor chain. */
#define VNET_CTRL_QUEUE_MIN	4

/** Smallest and largest MTU vnet accepts from a device's config (5.1.4.1: >= 68). */
#define VNET_MIN_MTU	68
#define VNET_MAX_MTU	9710
/** Largest frame without VIRTIO_NET_F_MTU, as DPDK's net_virtio (VIRTIO_MAX_RX_PKTLEN). */
#define VNET_MAX_RX_PKTLEN	9728

/**
 * Reset the device and negotiate features: reset → ACKNOWLEDGE → DRIVER → read the
 * offer → write (offer & @p wanted) → FEATURES_OK (modern) and read it back → read and
 * range-check the device config (MAC, MTU, status, queue sizes). On failure the device is
 * left with FAILED set and a log line names the reason. Control path, primary process.
 *
 * Refused: a modern transport without VERSION_1; a device that does not keep
 * FEATURES_OK; a driver feature readback that differs from what was written; queue 0/1
 * size 0, > 32768 or not a power of two; with MQ, max_virtqueue_pairs outside 1..0x8000;
 * with CTRL_VQ, a control queue smaller than VNET_CTRL_QUEUE_MIN. RSS limits the device
 * reports that vnet cannot use (key < 40 bytes, table < 1 entry) turn RSS off, logged.
 *
 * @return 0 (status ACKNOWLEDGE|DRIVER|FEATURES_OK, queues not yet registered) or a
 *   negative errno.
 */
int vnet_dev_negotiate(struct vnet_hw *hw, uint64_t wanted);

/**
 * Register @p n queues with the device and set DRIVER_OK. On failure every queue already
 * registered is removed and the device is reset. Control path, primary process.
 *
 * @return 0 or a negative errno.
 */
int vnet_dev_start_queues(struct vnet_hw *hw, struct vnet_vq **vqs, unsigned int n);

/**
 * Reset the device (stops all DMA into the rings) and unregister @p n queues.
 * Control path, primary process.
 */
void vnet_dev_stop(struct vnet_hw *hw, struct vnet_vq **vqs, unsigned int n);

/**
 * Read the link status: from the config space when VIRTIO_NET_F_STATUS was negotiated,
 * otherwise always up (5.1.4). @return true if the link is up.
 */
bool vnet_dev_link_up(struct vnet_hw *hw);

/** Speed reported when the device does not know it (or has no VIRTIO_NET_F_SPEED_DUPLEX). */
#define VNET_SPEED_UNKNOWN	UINT32_MAX

/** What the device's config space says about the link (vnet_dev_link_info()). */
struct vnet_link_info {
	bool up;		/**< VIRTIO_NET_S_LINK_UP, or true without VIRTIO_NET_F_STATUS */
	bool announce;		/**< VIRTIO_NET_S_ANNOUNCE with VIRTIO_NET_F_GUEST_ANNOUNCE */
	uint32_t speed;		/**< Mbit/s, or VNET_SPEED_UNKNOWN */
	bool full_duplex;	/**< full unless the device says half (unknown: full) */
};

/**
 * Read link state, announce request, speed and duplex (5.1.4) in one go. Speed and duplex
 * come from the config space only with VIRTIO_NET_F_SPEED_DUPLEX; a speed above INT32_MAX
 * other than the spec's "unknown" (0xffffffff) is treated as unknown, as is a duplex byte
 * other than 0 (half) or 1 (full). Any thread (config reads only).
 */
void vnet_dev_link_info(struct vnet_hw *hw, struct vnet_link_info *li);

/**
 * Max size for data virtqueue @p idx, as validated by the last successful
 * vnet_dev_negotiate() (the smallest maximum among the RX, resp. TX, queues); 0 for a queue
 * vnet does not drive.
 */
uint16_t vnet_dev_queue_max(const struct vnet_hw *hw, uint16_t idx);

/** Queue pairs whose sizes negotiation reads: the most an ethdev port can use. */
#define VNET_DEV_SCAN_PAIRS	1024

#endif /* VNET_DEV_H */
