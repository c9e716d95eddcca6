/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * Transport layer: how vnet talks to one virtio device (config space, status, features,
 * queue registration, notifications). One const ops table per transport: modern PCI,
 * legacy PCI (and later vhost-user). Everything above this layer is transport-agnostic.
 *
 * All ops are control path and run in the primary process, except notify(), which the
 * burst functions call from the lcore owning the queue.
 */

#ifndef VNET_TRANSPORT_H
#define VNET_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vnet_hw;
struct vnet_vq;

/** Transport operations. Every op is mandatory. */
struct vnet_transport_ops {
	const char *name;
	/** Copy @p len bytes of device-specific config from offset @p off. */
	void (*read_cfg)(struct vnet_hw *hw, size_t off, void *dst, size_t len);
	uint8_t (*get_status)(struct vnet_hw *hw);
	/** Write status; writing 0 resets the device (the op waits for the reset to finish). */
	void (*set_status)(struct vnet_hw *hw, uint8_t status);
	uint64_t (*get_features)(struct vnet_hw *hw);
	/** Write the driver's feature set. Legacy transports only take the low 32 bits. */
	void (*set_features)(struct vnet_hw *hw, uint64_t features);
	/** Read back what set_features wrote (modern) or the value written (legacy). */
	uint64_t (*get_driver_features)(struct vnet_hw *hw);
	/** Max size of queue @p idx offered by the device; 0 if it does not exist. */
	uint16_t (*get_queue_max)(struct vnet_hw *hw, uint16_t idx);
	/**
	 * Register @p vq (size, ring addresses, no interrupt vector) and enable it.
	 * Fills vq->notify_addr where the transport has a memory-mapped doorbell.
	 */
	int (*setup_queue)(struct vnet_hw *hw, struct vnet_vq *vq);
	/** Unregister queue (device must be reset or the queue disabled first). */
	void (*del_queue)(struct vnet_hw *hw, struct vnet_vq *vq);
	/** Notify the device about new buffers on @p vq (slow path of vnet_vq_notify()). */
	void (*notify)(struct vnet_hw *hw, struct vnet_vq *vq);
	/** Read (and clear) the ISR status byte. */
	uint8_t (*get_isr)(struct vnet_hw *hw);
	/** Release transport resources (mappings, ioports). */
	void (*uninit)(struct vnet_hw *hw);
	/**
	 * Optional (NULL: rings come from IOVA-contiguous EAL memory). Ring memory the
	 * transport owns for virtqueue @p idx, at least @p len bytes, 4 KiB aligned; *iova
	 * gets the address the device uses. Stable until uninit.
	 */
	void *(*ring_mem)(struct vnet_hw *hw, uint16_t idx, size_t len, uint64_t *iova);
	/**
	 * Optional (NULL: a started queue cannot be stopped). Disable (@p on false) or
	 * enable a registered queue while the device runs, keeping its ring and indices
	 * (vhost-user SET_VRING_ENABLE): the device stops using the ring before it returns.
	 * @return 0 or a negative errno.
	 */
	int (*queue_enable)(struct vnet_hw *hw, struct vnet_vq *vq, bool on);
	/**
	 * queue_enable(false) resets the queue (virtio-pci VIRTIO_F_RING_RESET): the driver
	 * reclaims and lays out its ring again, queue_enable(true) registers it again. false:
	 * the ring and its indices are kept (vhost-user), and queues not started are left
	 * disabled at DRIVER_OK.
	 */
	bool queue_enable_resets;
	/**
	 * Optional (NULL: -ENOTSUP). Set the link administratively up or down where the
	 * transport has a link of its own (vhost-net: the tap). @return 0 or a negative errno.
	 */
	int (*set_link)(struct vnet_hw *hw, bool up);
	/**
	 * The link is a state the backend keeps without telling vnet when it changes
	 * (vhost-net: the tap's IFF_UP and carrier). With intr_conf.lsc the port polls
	 * read_cfg's status from an EAL alarm and raises an LSC event on each change.
	 */
	bool link_polled;
	/**
	 * Optional (NULL: RX interrupts are the PCI device's MSI-X vectors, if any). The eventfd
	 * the backend signals for virtqueue @p idx (vhost-user's and vhost-net's call fds; the
	 * same fd for the port's life), -1 if none.
	 */
	int (*rx_call_fd)(struct vnet_hw *hw, uint16_t idx);
	/**
	 * With rx_call_fd: from the next DRIVER_OK on, hand the backend a call eventfd for each
	 * RX virtqueue (@p on) or none (polling). Control path, port stopped.
	 */
	void (*set_rx_intr)(struct vnet_hw *hw, bool on);
	/**
	 * Optional (NULL: no MSI-X). Route configuration-change interrupts to MSI-X vector
	 * @p vec (VNET_MSI_NO_VECTOR: none) and read it back (4.1.4.3: the device answers
	 * VNET_MSI_NO_VECTOR when it cannot map the vector). Between reset and DRIVER_OK.
	 */
	uint16_t (*set_config_vector)(struct vnet_hw *hw, uint16_t vec);
	/**
	 * Optional. The interrupt mode of the function changed (MSI-X enabled or disabled by
	 * the interrupt layer): the legacy interface moves its device config by 4 bytes.
	 */
	void (*intr_changed)(struct vnet_hw *hw);
};

/** Modern PCI transport: pointers into mapped BARs (4.1.4). */
struct vnet_pci_modern {
	volatile uint8_t *common;	/**< struct vnet_pci_common_cfg */
	uint32_t common_len;		/**< its capability's length */
	volatile uint8_t *notify_base;
	uint32_t notify_off_multiplier;
	uint32_t notify_len;
	volatile uint8_t *isr;
	volatile uint8_t *device;	/**< device-specific config */
	uint32_t device_len;
};

/**
 * One virtio device as the driver sees it, transport-independent.
 * Owned by the primary process's ethdev private data.
 */
struct vnet_hw {
	const struct vnet_transport_ops *ops;
	void *pci_dev;			/**< struct rte_pci_device *, NULL for non-PCI */
	union {
		struct vnet_pci_modern modern;
		struct {
			void *ioport;	/**< struct rte_pci_ioport * */
			bool msix;	/**< config offset moves by 4 with MSI-X on */
		} legacy;
		void *vu;		/**< struct vnet_vu * (vhost-user) */
		void *vn;		/**< struct vnet_vn * (vhost-net) */
		void *vh;		/**< struct vnet_vh_dev *: the head of vu and vn */
	} tp;
	bool use_va;			/**< descriptors carry virtual addresses (vhost-user) */
	bool vhost_net;			/**< the vhost-net transport (tp.vn; no pci_dev either) */
	uint16_t tp_max_pairs;		/**< queue pairs the transport can run (0 = 1) */
	bool modern;			/**< VERSION_1 transport */
	uint64_t device_features;	/**< offered by the device */
	uint64_t driver_features;	/**< negotiated */
	uint16_t max_queue_pairs;	/**< validated: 1..0x8000 */
	uint16_t ctrl_idx;		/**< control virtqueue index (CTRL_VQ negotiated) */
	uint16_t ctrl_max;		/**< its validated max size */
	uint8_t rss_key_max;		/**< RSS: device's rss_max_key_size (0: no RSS) */
	uint16_t rss_reta_max;		/**< RSS: rss_max_indirection_table_length */
	uint32_t rss_hash_types;	/**< RSS / hash report: supported_hash_types */
	uint16_t vq_max[2];		/**< validated max sizes of virtqueues 0 (RX), 1 (TX) */
	uint16_t hdr_size;		/**< virtio-net header bytes: 10, 12 or 20 (hash) */
	uint16_t mtu;			/**< device MTU (VIRTIO_NET_F_MTU) or 1500 */
	uint16_t max_mtu;		/**< largest MTU the driver accepts */
	uint8_t mac[6];
	bool mac_from_device;
	char name[64];			/**< for log lines */
	/**
	 * Set once at probe by the ethdev layer: a transport without an interrupt line of its
	 * own (vhost-user) calls it from its control thread when the emulated config space
	 * changed (link up on connect, down on hang-up). NULL: nobody listens.
	 */
	void (*config_changed)(void *arg);
	void *config_changed_arg;
};

/** True if feature bit @p bit was negotiated. */
static inline bool
vnet_hw_has(const struct vnet_hw *hw, unsigned int bit)
{
	return (hw->driver_features >> bit) & 1;
}

/** Transport ops for modern (VERSION_1) virtio-pci devices. */
extern const struct vnet_transport_ops vnet_tp_pci_modern_ops;
/** Transport ops for legacy / transitional virtio-pci devices through the I/O BAR. */
extern const struct vnet_transport_ops vnet_tp_pci_legacy_ops;

/**
 * Probe the PCI transport of @p pci_dev (a struct rte_pci_device *, already mapped by the
 * bus): modern when the virtio vendor capabilities are present and usable, else legacy
 * through the I/O BAR for transitional devices. Fills hw->ops / hw->tp / hw->modern.
 * Primary process, probe time.
 *
 * @return 0, or negative errno with a log line saying why.
 */
int vnet_pci_transport_init(struct vnet_hw *hw, void *pci_dev);

#endif /* VNET_TRANSPORT_H */
