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

#include "vnet_dev.h"
#include "vnet_logs.h"
#include "vnet_ring.h"

#define VNET_VQ_MAX_N(hw) (sizeof((hw)->vq_max) / sizeof((hw)->vq_max[0]))

struct vnet_vq;

static void
dev_fail(struct vnet_hw *hw)
{
	hw->ops->set_status(hw, (uint8_t)(hw->ops->get_status(hw) | VNET_STATUS_FAILED));
}

static int
check_queue_size(struct vnet_hw *hw, uint16_t idx)
{
	uint16_t max = hw->ops->get_queue_max(hw, idx);

	if (max == 0 || max > VNET_VRING_MAX_SIZE || (max & (max - 1)) != 0) {
		VNET_INIT_LOG(ERR, "%s: device offers queue %u with size %u: must be a power of "
			      "two in [1, %u]; refusing the device", hw->name, idx, max,
			      VNET_VRING_MAX_SIZE);
		return -EINVAL;
	}
	hw->vq_max[idx] = max;
	return 0;
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
	 * Without a control queue a PCI device runs one queue pair (RX 0, TX 1); the
	 * vhost-user transport enables its pairs itself and says how many it has.
	 */
	hw->max_queue_pairs = hw->tp_max_pairs != 0 ? hw->tp_max_pairs : 1;
	hw->hdr_size = (uint16_t)(hw->modern ? sizeof(struct vnet_net_hdr_mrg) :
				  sizeof(struct vnet_net_hdr));
	return 0;
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

	features = offer & wanted;
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

	ret = check_queue_size(hw, 0);
	if (ret == 0)
		ret = check_queue_size(hw, 1);
	if (ret == 0)
		ret = read_net_config(hw);
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
	/* Every RX queue has queue 0's size, every TX queue queue 1's. */
	uint16_t pairs = hw->max_queue_pairs != 0 ? hw->max_queue_pairs : 1;

	return idx < 2u * pairs ? hw->vq_max[idx % VNET_VQ_MAX_N(hw)] : 0;
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
