/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Device bring-up (virtio 1.x 3.1.1 "Driver Requirements: Device Initialization").
 * The device is untrusted: every value it reports is checked before use.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "vnet_ctrl.h"
#include "vnet_dev.h"
#include "vnet_logs.h"
#include "vnet_ring.h"


struct vnet_vq;

static void
dev_fail(struct vnet_hw *hw)
{
	hw->ops->set_status(hw, (uint8_t)(hw->ops->get_status(hw) | VNET_STATUS_FAILED));
}

static int
check_queue_size(struct vnet_hw *hw, uint16_t idx, uint16_t slot)
{
	uint16_t max = hw->ops->get_queue_max(hw, idx);
	/* Packed rings take any size (2.8.10.1); split rings a power of two (2.7). */
	bool pow2 = !vnet_hw_has(hw, VNET_F_RING_PACKED);

	if (max == 0 || max > VNET_VRING_MAX_SIZE || (pow2 && (max & (max - 1)) != 0)) {
		VNET_INIT_LOG(ERR, "%s: device offers queue %u with size %u: must be in "
			      "[1, %u]%s; refusing the device", hw->name, idx, max,
			      VNET_VRING_MAX_SIZE, pow2 ? " and a power of two (split ring)" : "");
		return -EINVAL;
	}
	hw->vq_max[slot] = max;
	return 0;
}

/*
 * RSS and hash-report limits (5.1.4): vnet uses RSS only with a 40-byte key (what
 * applications and the Toeplitz defaults use) and at least one table entry; the table it
 * programs is the largest power of two within the device's and VNET_CTRL_RETA_MAX.
 */
static void
read_rss_config(struct vnet_hw *hw)
{
	uint16_t reta = 0, len;
	uint32_t types = 0;
	uint8_t key = 0;

	hw->rss_key_max = 0;
	hw->rss_reta_max = 0;
	hw->rss_hash_types = 0;
	if (!vnet_hw_has(hw, VNET_NET_F_RSS) && !vnet_hw_has(hw, VNET_NET_F_HASH_REPORT))
		return;
	hw->ops->read_cfg(hw, offsetof(struct vnet_net_config, rss_max_key_size), &key,
			  sizeof(key));
	hw->ops->read_cfg(hw, offsetof(struct vnet_net_config, supported_hash_types), &types,
			  sizeof(types));
	if (vnet_hw_has(hw, VNET_NET_F_RSS))
		hw->ops->read_cfg(hw, offsetof(struct vnet_net_config,
					       rss_max_indirection_table_length),
				  &reta, sizeof(reta));
	types &= VNET_NET_HASH_TYPE_ALL;
	if (key < VNET_CTRL_KEY_MAX || types == 0 ||
	    (vnet_hw_has(hw, VNET_NET_F_RSS) && reta == 0)) {
		VNET_INIT_LOG(WARNING, "%s: device RSS limits unusable (key %u bytes, table %u "
			      "entries, hash types 0x%x): not using RSS or the hash report",
			      hw->name, key, reta, types);
		return;
	}
	for (len = VNET_CTRL_RETA_MAX; len > reta; len >>= 1)
		;
	hw->rss_key_max = key;
	hw->rss_reta_max = vnet_hw_has(hw, VNET_NET_F_RSS) ? len : 0;
	hw->rss_hash_types = types;
}

static int
read_net_config(struct vnet_hw *hw)
{
	uint16_t mtu;

	if (vnet_hw_has(hw, VNET_NET_F_MAC)) {
		hw->ops->read_cfg(hw, offsetof(struct vnet_net_config, mac), hw->mac, 6);
		hw->mac_from_device = true;
	} else {
		hw->mac_from_device = false;
	}

	hw->mtu = 1500;
	hw->max_mtu = VNET_MAX_MTU;
	if (vnet_hw_has(hw, VNET_NET_F_MTU)) {
		hw->ops->read_cfg(hw, offsetof(struct vnet_net_config, mtu), &mtu, sizeof(mtu));
		if (mtu < VNET_MIN_MTU) {
			VNET_INIT_LOG(ERR, "%s: device reports MTU %u (< %u): refusing the device",
				      hw->name, mtu, VNET_MIN_MTU);
			return -EINVAL;
		}
		hw->max_mtu = mtu < VNET_MAX_MTU ? mtu : VNET_MAX_MTU;
		hw->mtu = mtu < 1500 ? mtu : 1500;
	}
	/*
	 * Without MQ a PCI device runs one queue pair (RX 0, TX 1); the vhost-user transport
	 * enables its pairs itself and says how many it has.
	 */
	hw->max_queue_pairs = hw->tp_max_pairs != 0 ? hw->tp_max_pairs : 1;
	if (vnet_hw_has(hw, VNET_NET_F_MQ)) {
		uint16_t pairs;

		hw->ops->read_cfg(hw, offsetof(struct vnet_net_config, max_virtqueue_pairs),
				  &pairs, sizeof(pairs));
		/* 5.1.4.2: the device MUST set it to 1..0x8000 with VIRTIO_NET_F_MQ. */
		if (pairs < 1 || pairs > VNET_NET_MQ_MAX_PAIRS) {
			VNET_INIT_LOG(ERR, "%s: device reports max_virtqueue_pairs=%u with "
				      "VIRTIO_NET_F_MQ: must be 1..%u; refusing the device", hw->name,
				      pairs, VNET_NET_MQ_MAX_PAIRS);
			return -EINVAL;
		}
		hw->max_queue_pairs = pairs;
	}
	return 0;
}

/*
 * Every data queue's maximum size, read while the device has the negotiated features: QEMU
 * keeps the queues of a multi-queue device only while MQ is negotiated (after a reset, queue 2
 * and up read as size 0). vnet gives every RX queue the smallest RX maximum and every TX
 * queue the smallest TX maximum, over the pairs ethdev can use.
 */
static int
check_queue_sizes(struct vnet_hw *hw)
{
	unsigned int pairs = hw->max_queue_pairs, i;
	int ret;

	if (pairs > VNET_DEV_SCAN_PAIRS)
		pairs = VNET_DEV_SCAN_PAIRS;
	for (i = 0; i < 2 * pairs; i++) {
		uint16_t keep = i >= 2 ? hw->vq_max[i & 1] : 0;

		ret = check_queue_size(hw, (uint16_t)i, (uint16_t)(i & 1));
		if (ret != 0)
			return ret;
		if (keep != 0 && keep < hw->vq_max[i & 1])
			hw->vq_max[i & 1] = keep;
	}
	return 0;
}

static int
read_net_config_tail(struct vnet_hw *hw)
{
	read_rss_config(hw);
	if (vnet_hw_has(hw, VNET_NET_F_HASH_REPORT))
		hw->hdr_size = sizeof(struct vnet_net_hdr_hash);
	else if (hw->modern || vnet_hw_has(hw, VNET_NET_F_MRG_RXBUF))
		hw->hdr_size = sizeof(struct vnet_net_hdr_mrg);	/* num_buffers (5.1.6) */
	else
		hw->hdr_size = sizeof(struct vnet_net_hdr);
	return 0;
}

/* The control virtqueue follows the data queues (5.1.2): index 2N with MQ, else 2. */
static int
check_ctrl_queue(struct vnet_hw *hw)
{
	uint16_t max;

	hw->ctrl_max = 0;
	if (!vnet_hw_has(hw, VNET_NET_F_CTRL_VQ))
		return 0;
	hw->ctrl_idx = (uint16_t)(vnet_hw_has(hw, VNET_NET_F_MQ) ? 2u * hw->max_queue_pairs : 2u);
	max = hw->ops->get_queue_max(hw, hw->ctrl_idx);
	if (max < VNET_CTRL_QUEUE_MIN || max > VNET_VRING_MAX_SIZE ||
	    (!vnet_hw_has(hw, VNET_F_RING_PACKED) && (max & (max - 1)) != 0)) {
		VNET_INIT_LOG(ERR, "%s: device offers its control queue (%u) with size %u: must "
			      "be a power of two in [%u, %u]; refusing the device", hw->name,
			      hw->ctrl_idx, max, VNET_CTRL_QUEUE_MIN, VNET_VRING_MAX_SIZE);
		return -EINVAL;
	}
	hw->ctrl_max = max;
	return 0;
}

/* Drop features whose dependency (5.1.3.1) is not negotiated too. */
static uint64_t
drop_orphans(struct vnet_hw *hw, uint64_t f)
{
	const uint64_t need_cvq = VNET_CTRL_FEATURES & ~VNET_BIT(VNET_NET_F_CTRL_VQ);
	uint64_t before = f;

	if (!(f & VNET_BIT(VNET_NET_F_CTRL_VQ)))
		f &= ~need_cvq;
	if (!(f & VNET_BIT(VNET_NET_F_CTRL_RX)))
		f &= ~VNET_BIT(VNET_NET_F_CTRL_RX_EXTRA);
	/* vnet's split core completes out of order only: IN_ORDER goes with the packed ring. */
	if (!(f & VNET_BIT(VNET_F_RING_PACKED)))
		f &= ~VNET_BIT(VNET_F_IN_ORDER);
	/* Offload dependencies (5.1.3.1): TSO and ECN need the checksum offload below them. */
	if (!(f & VNET_BIT(VNET_NET_F_GUEST_CSUM)))
		f &= ~(VNET_BIT(VNET_NET_F_GUEST_TSO4) | VNET_BIT(VNET_NET_F_GUEST_TSO6) |
		       VNET_BIT(VNET_NET_F_GUEST_UFO) | VNET_BIT(VNET_NET_F_GUEST_USO4) |
		       VNET_BIT(VNET_NET_F_GUEST_USO6));
	if (!(f & (VNET_BIT(VNET_NET_F_GUEST_TSO4) | VNET_BIT(VNET_NET_F_GUEST_TSO6))))
		f &= ~VNET_BIT(VNET_NET_F_GUEST_ECN);
	if (!(f & VNET_BIT(VNET_NET_F_CSUM)))
		f &= ~(VNET_BIT(VNET_NET_F_HOST_TSO4) | VNET_BIT(VNET_NET_F_HOST_TSO6) |
		       VNET_BIT(VNET_NET_F_HOST_UFO) | VNET_BIT(VNET_NET_F_HOST_USO));
	if (!(f & (VNET_BIT(VNET_NET_F_HOST_TSO4) | VNET_BIT(VNET_NET_F_HOST_TSO6))))
		f &= ~VNET_BIT(VNET_NET_F_HOST_ECN);
	if (f != before)
		VNET_INIT_LOG(INFO, "%s: device offers features 0x%016" PRIx64 " without what they "
			      "depend on (CTRL_VQ / CTRL_RX / GUEST_CSUM / CSUM / TSO): not using them",
			      hw->name, before & ~f);
	return f;
}

int
vnet_dev_negotiate(struct vnet_hw *hw, uint64_t wanted)
{
	const uint8_t base = VNET_STATUS_ACKNOWLEDGE | VNET_STATUS_DRIVER;
	uint64_t offer, features, readback;
	int ret;

	hw->ops->set_status(hw, 0);
	hw->ops->set_status(hw, VNET_STATUS_ACKNOWLEDGE);
	hw->ops->set_status(hw, base);

	offer = hw->ops->get_features(hw);
	hw->device_features = offer;
	if (hw->modern) {
		if (!(offer & VNET_BIT(VNET_F_VERSION_1))) {
			VNET_INIT_LOG(ERR, "%s: modern device does not offer VIRTIO_F_VERSION_1 "
				      "(features 0x%016" PRIx64 "): refusing it", hw->name, offer);
			ret = -ENOTSUP;
			goto fail;
		}
		wanted &= ~VNET_BIT(VNET_F_ANY_LAYOUT);	/* legacy-only bit */
	} else {
		wanted &= UINT32_MAX;	/* a legacy interface has 32 feature bits */
		wanted &= ~VNET_BIT(VNET_F_VERSION_1);
		/* vnet's RX buffers carry header and frame in one descriptor. */
		if (!(offer & VNET_BIT(VNET_F_ANY_LAYOUT))) {
			VNET_INIT_LOG(ERR, "%s: legacy device without VIRTIO_F_ANY_LAYOUT "
				      "(features 0x%08" PRIx64 "): not supported", hw->name, offer);
			ret = -ENOTSUP;
			goto fail;
		}
	}
	/* A device that relies on an IOMMU must get ACCESS_PLATFORM accepted. */
	if (offer & VNET_BIT(VNET_F_ACCESS_PLATFORM))
		wanted |= VNET_BIT(VNET_F_ACCESS_PLATFORM);

	features = drop_orphans(hw, offer & wanted);
	hw->ops->set_features(hw, features);
	readback = hw->ops->get_driver_features(hw);
	if (readback != features) {
		VNET_INIT_LOG(ERR, "%s: driver features read back as 0x%016" PRIx64
			      ", 0x%016" PRIx64 " was written: refusing the device", hw->name,
			      readback, features);
		ret = -EIO;
		goto fail;
	}
	hw->driver_features = features;

	if (hw->modern) {
		hw->ops->set_status(hw, base | VNET_STATUS_FEATURES_OK);
		if (!(hw->ops->get_status(hw) & VNET_STATUS_FEATURES_OK)) {
			VNET_INIT_LOG(ERR, "%s: device did not accept features 0x%016" PRIx64
				      " (FEATURES_OK not set on read back): refusing it", hw->name,
				      features);
			ret = -ENOTSUP;
			goto fail;
		}
	}

	ret = read_net_config(hw);
	if (ret == 0)
		ret = check_queue_sizes(hw);
	if (ret == 0)
		ret = read_net_config_tail(hw);
	if (ret == 0)
		ret = check_ctrl_queue(hw);
	if (ret != 0)
		goto fail;

	VNET_INIT_LOG(INFO, "%s: %s transport, device features 0x%016" PRIx64 ", negotiated 0x%016"
		      PRIx64 "%s", hw->name, hw->ops->name, offer, features,
		      vnet_hw_has(hw, VNET_F_RING_EVENT_IDX) ? " (event-idx)" : "");
	return 0;

fail:
	dev_fail(hw);
	return ret;
}

uint16_t
vnet_dev_queue_max(const struct vnet_hw *hw, uint16_t idx)
{
	uint16_t pairs = hw->max_queue_pairs != 0 ? hw->max_queue_pairs : 1;

	if (pairs > VNET_DEV_SCAN_PAIRS)
		pairs = VNET_DEV_SCAN_PAIRS;
	/* RX queues share the smallest RX maximum, TX queues the smallest TX one. */
	return idx < 2u * pairs ? hw->vq_max[idx & 1] : 0;
}

int
vnet_dev_start_queues(struct vnet_hw *hw, struct vnet_vq **vqs, unsigned int n)
{
	unsigned int i;
	uint8_t status;
	int ret = 0;

	for (i = 0; i < n; i++) {
		ret = hw->ops->setup_queue(hw, vqs[i]);
		if (ret != 0)
			goto unwind;
	}
	status = hw->ops->get_status(hw);
	hw->ops->set_status(hw, (uint8_t)(status | VNET_STATUS_DRIVER_OK));
	status = hw->ops->get_status(hw);
	if (status & (VNET_STATUS_DEVICE_NEEDS_RESET | VNET_STATUS_FAILED)) {
		VNET_INIT_LOG(ERR, "%s: device reports status 0x%02x after DRIVER_OK", hw->name,
			      status);
		ret = -EIO;
		goto unwind;
	}
	return 0;

unwind:
	hw->ops->set_status(hw, 0);
	while (i-- > 0)
		hw->ops->del_queue(hw, vqs[i]);
	return ret;
}

void
vnet_dev_stop(struct vnet_hw *hw, struct vnet_vq **vqs, unsigned int n)
{
	unsigned int i;

	hw->ops->set_status(hw, 0);
	for (i = 0; i < n; i++)
		hw->ops->del_queue(hw, vqs[i]);
}

bool
vnet_dev_link_up(struct vnet_hw *hw)
{
	uint16_t status;

	if (!vnet_hw_has(hw, VNET_NET_F_STATUS))
		return true;
	hw->ops->read_cfg(hw, offsetof(struct vnet_net_config, status), &status, sizeof(status));
	return (status & VNET_NET_S_LINK_UP) != 0;
}

void
vnet_dev_link_info(struct vnet_hw *hw, struct vnet_link_info *li)
{
	uint16_t status = VNET_NET_S_LINK_UP;
	uint32_t speed;
	uint8_t duplex;

	if (vnet_hw_has(hw, VNET_NET_F_STATUS))
		hw->ops->read_cfg(hw, offsetof(struct vnet_net_config, status), &status,
				  sizeof(status));
	li->up = (status & VNET_NET_S_LINK_UP) != 0;
	li->announce = vnet_hw_has(hw, VNET_NET_F_GUEST_ANNOUNCE) &&
		       (status & VNET_NET_S_ANNOUNCE) != 0;
	li->speed = VNET_SPEED_UNKNOWN;
	li->full_duplex = true;
	if (!vnet_hw_has(hw, VNET_NET_F_SPEED_DUPLEX))
		return;
	hw->ops->read_cfg(hw, offsetof(struct vnet_net_config, speed), &speed, sizeof(speed));
	hw->ops->read_cfg(hw, offsetof(struct vnet_net_config, duplex), &duplex, sizeof(duplex));
	/* 5.1.4.2: speed is 0..INT32_MAX Mbit/s or -1 (unknown); duplex 0 half, 1 full. */
	if (speed <= INT32_MAX)
		li->speed = speed;
	li->full_duplex = duplex != 0x00;
}
