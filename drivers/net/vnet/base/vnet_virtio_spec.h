/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * virtio 1.x definitions used by vnet, written from the OASIS virtio specification
 * (v1.2: split virtqueue 2.7, notification suppression 2.7.7/2.7.10, packed virtqueue 2.8,
 * PCI transport 4.1, network device 5.1). Structures and bits only: no code, no DPDK.
 *
 * All multi-byte fields are little-endian on the wire for VERSION_1 devices and
 * guest-native for legacy devices; vnet supports little-endian CPUs only (checked in
 * vnet_osdep.h), so both read as plain integers.
 */

#ifndef VNET_VIRTIO_SPEC_H
#define VNET_VIRTIO_SPEC_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/* Device status field (2.1). */
#define VNET_STATUS_ACKNOWLEDGE		0x01
#define VNET_STATUS_DRIVER		0x02
#define VNET_STATUS_DRIVER_OK		0x04
#define VNET_STATUS_FEATURES_OK		0x08
#define VNET_STATUS_DEVICE_NEEDS_RESET	0x40
#define VNET_STATUS_FAILED		0x80

/* Reserved / transport-independent feature bits (6). */
#define VNET_F_NOTIFY_ON_EMPTY		24	/* legacy only */
#define VNET_F_ANY_LAYOUT		27	/* legacy only */
#define VNET_F_RING_INDIRECT_DESC	28
#define VNET_F_RING_EVENT_IDX		29
#define VNET_F_VERSION_1		32
#define VNET_F_ACCESS_PLATFORM		33
#define VNET_F_RING_PACKED		34
#define VNET_F_IN_ORDER			35
#define VNET_F_ORDER_PLATFORM		36
#define VNET_F_SR_IOV			37
#define VNET_F_NOTIFICATION_DATA	38
#define VNET_F_RING_RESET		40	/* per-queue reset (2.6.1, 4.1.4.3) */

/* Network device feature bits (5.1.3). */
#define VNET_NET_F_CSUM			0
#define VNET_NET_F_GUEST_CSUM		1
#define VNET_NET_F_CTRL_GUEST_OFFLOADS	2
#define VNET_NET_F_MTU			3
#define VNET_NET_F_MAC			5
#define VNET_NET_F_GUEST_TSO4		7
#define VNET_NET_F_GUEST_TSO6		8
#define VNET_NET_F_GUEST_ECN		9
#define VNET_NET_F_GUEST_UFO		10
#define VNET_NET_F_HOST_TSO4		11
#define VNET_NET_F_HOST_TSO6		12
#define VNET_NET_F_HOST_ECN		13
#define VNET_NET_F_HOST_UFO		14
#define VNET_NET_F_MRG_RXBUF		15
#define VNET_NET_F_STATUS		16
#define VNET_NET_F_CTRL_VQ		17
#define VNET_NET_F_CTRL_RX		18
#define VNET_NET_F_CTRL_VLAN		19
#define VNET_NET_F_GUEST_ANNOUNCE	21
#define VNET_NET_F_MQ			22
#define VNET_NET_F_CTRL_RX_EXTRA	20
#define VNET_NET_F_CTRL_MAC_ADDR	23
#define VNET_NET_F_GUEST_USO4		54
#define VNET_NET_F_GUEST_USO6		55
#define VNET_NET_F_HOST_USO		56
#define VNET_NET_F_HASH_REPORT		57
#define VNET_NET_F_GUEST_HDRLEN		59
#define VNET_NET_F_RSS			60
#define VNET_NET_F_SPEED_DUPLEX		63

/** Feature bit as a 64-bit mask. */
#define VNET_BIT(b)			(UINT64_C(1) << (b))

/* Split virtqueue descriptor flags (2.7.5). */
#define VNET_VRING_DESC_F_NEXT		1
#define VNET_VRING_DESC_F_WRITE		2
#define VNET_VRING_DESC_F_INDIRECT	4

/* Notification suppression flags (2.7.7). */
#define VNET_VRING_AVAIL_F_NO_INTERRUPT	1
#define VNET_VRING_USED_F_NO_NOTIFY	1

/** Largest split queue size the spec allows (2.7). */
#define VNET_VRING_MAX_SIZE		32768

/** Alignment of the used ring for legacy devices (2.7.2, legacy interface). */
#define VNET_VRING_LEGACY_ALIGN		4096

/** Split virtqueue descriptor (2.7.5). */
struct vnet_vring_desc {
	uint64_t addr;	/**< buffer address (IOVA as the device sees it) */
	uint32_t len;	/**< buffer length in bytes */
	uint16_t flags;	/**< VNET_VRING_DESC_F_* */
	uint16_t next;	/**< next descriptor if flags & NEXT */
};

/** Driver area (2.7.6). Followed by ring[num] and then used_event. */
struct vnet_vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

/** One used-ring element (2.7.8). */
struct vnet_vring_used_elem {
	uint32_t id;	/**< head index of the completed chain */
	uint32_t len;	/**< bytes written into the chain's writable part */
};

/** Device area (2.7.8). Followed by ring[num] and then avail_event. */
struct vnet_vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vnet_vring_used_elem ring[];
};

static_assert(sizeof(struct vnet_vring_desc) == 16, "virtq_desc is 16 bytes");
static_assert(offsetof(struct vnet_vring_desc, len) == 8, "virtq_desc.len offset");
static_assert(offsetof(struct vnet_vring_desc, flags) == 12, "virtq_desc.flags offset");
static_assert(offsetof(struct vnet_vring_desc, next) == 14, "virtq_desc.next offset");
static_assert(sizeof(struct vnet_vring_avail) == 4, "virtq_avail header is 4 bytes");
static_assert(sizeof(struct vnet_vring_used_elem) == 8, "virtq_used_elem is 8 bytes");
static_assert(sizeof(struct vnet_vring_used) == 4, "virtq_used header is 4 bytes");
static_assert(offsetof(struct vnet_vring_used, ring) == 4, "virtq_used.ring offset");

/*
 * Packed virtqueue (2.8). Descriptor flags NEXT, WRITE and INDIRECT keep their split values
 * (VNET_VRING_DESC_F_*); AVAIL and USED carry the ring wrap counters (2.8.1).
 */
#define VNET_PACKED_DESC_F_AVAIL	(1u << 7)
#define VNET_PACKED_DESC_F_USED		(1u << 15)

/* Event suppression flags (2.8.10 / 2.8.14, "Descriptor Ring Change Event Flags"). */
#define VNET_RING_EVENT_FLAGS_ENABLE	0x0
#define VNET_RING_EVENT_FLAGS_DISABLE	0x1
#define VNET_RING_EVENT_FLAGS_DESC	0x2	/* only with VIRTIO_F_RING_EVENT_IDX */
#define VNET_RING_EVENT_FLAGS_MASK	0x3
/** off_wrap: bits 0..14 descriptor offset, bit 15 wrap counter. */
#define VNET_RING_EVENT_WRAP_SHIFT	15
#define VNET_RING_EVENT_OFF_MASK	0x7fff

/** Largest packed queue size (2.8: up to 2^15 entries, any value, not only powers of two). */
#define VNET_PACKED_MAX_SIZE		32768

/** Packed virtqueue descriptor, in the ring and in indirect tables (2.8.13). */
struct vnet_pvirtq_desc {
	uint64_t addr;	/**< buffer address (unused in a used descriptor) */
	uint32_t len;	/**< buffer length; in a used descriptor, bytes written */
	uint16_t id;	/**< buffer id (reserved in indirect tables) */
	uint16_t flags;	/**< VNET_VRING_DESC_F_*, VNET_PACKED_DESC_F_* */
};

/** Driver and device event suppression areas, 4 bytes each (2.8.14). */
struct vnet_pvirtq_event {
	uint16_t off_wrap;	/**< offset (15 bits) and wrap counter (bit 15), with DESC */
	uint16_t flags;		/**< VNET_RING_EVENT_FLAGS_* (bits 0..1), rest reserved */
};

static_assert(sizeof(struct vnet_pvirtq_desc) == 16, "pvirtq_desc is 16 bytes");
static_assert(offsetof(struct vnet_pvirtq_desc, len) == 8, "pvirtq_desc.len offset");
static_assert(offsetof(struct vnet_pvirtq_desc, id) == 12, "pvirtq_desc.id offset");
static_assert(offsetof(struct vnet_pvirtq_desc, flags) == 14, "pvirtq_desc.flags offset");
static_assert(sizeof(struct vnet_pvirtq_event) == 4, "pvirtq_event_suppress is 4 bytes");
static_assert(offsetof(struct vnet_pvirtq_event, flags) == 2, "pvirtq_event_suppress.flags");

/* Virtio PCI capability (4.1.4). */
#define VNET_PCI_CAP_COMMON_CFG		1
#define VNET_PCI_CAP_NOTIFY_CFG		2
#define VNET_PCI_CAP_ISR_CFG		3
#define VNET_PCI_CAP_DEVICE_CFG		4
#define VNET_PCI_CAP_PCI_CFG		5

/** Vendor-specific PCI capability describing one virtio structure (4.1.4). */
struct vnet_pci_cap {
	uint8_t cap_vndr;	/**< PCI_CAP_ID_VNDR (0x09) */
	uint8_t cap_next;
	uint8_t cap_len;
	uint8_t cfg_type;	/**< VNET_PCI_CAP_* */
	uint8_t bar;
	uint8_t id;
	uint8_t padding[2];
	uint32_t offset;	/**< within the BAR */
	uint32_t length;
};

/** Notification capability: adds the queue_notify_off multiplier (4.1.4.4). */
struct vnet_pci_notify_cap {
	struct vnet_pci_cap cap;
	uint32_t notify_off_multiplier;
};

/** Common configuration structure (4.1.4.3). */
struct vnet_pci_common_cfg {
	uint32_t device_feature_select;
	uint32_t device_feature;
	uint32_t driver_feature_select;
	uint32_t driver_feature;
	uint16_t msix_config;
	uint16_t num_queues;
	uint8_t device_status;
	uint8_t config_generation;
	uint16_t queue_select;
	uint16_t queue_size;
	uint16_t queue_msix_vector;
	uint16_t queue_enable;
	uint16_t queue_notify_off;
	uint64_t queue_desc;
	uint64_t queue_driver;
	uint64_t queue_device;
};

/*
 * Fields after queue_device (virtio 1.2, 4.1.4.3), present only when the capability is long
 * enough: queue_notify_data, then queue_reset (VIRTIO_F_RING_RESET).
 */
#define VNET_PCI_COMMON_Q_NOTIFY_DATA	56
#define VNET_PCI_COMMON_Q_RESET		58
#define VNET_PCI_COMMON_LEN_RESET	60	/* common cfg length that has queue_reset */

static_assert(sizeof(struct vnet_pci_cap) == 16, "virtio_pci_cap is 16 bytes");
static_assert(sizeof(struct vnet_pci_notify_cap) == 20, "virtio_pci_notify_cap is 20 bytes");
static_assert(sizeof(struct vnet_pci_common_cfg) == 56, "virtio_pci_common_cfg is 56 bytes");
static_assert(offsetof(struct vnet_pci_common_cfg, device_status) == 20, "device_status");
static_assert(offsetof(struct vnet_pci_common_cfg, queue_select) == 22, "queue_select");
static_assert(offsetof(struct vnet_pci_common_cfg, queue_desc) == 32, "queue_desc");
static_assert(offsetof(struct vnet_pci_common_cfg, queue_device) == 48, "queue_device");

/** MSI-X vector value meaning "no vector" (4.1.4.3). */
#define VNET_MSI_NO_VECTOR		0xffff

/* ISR status bits (4.1.4.5). */
#define VNET_ISR_QUEUE			0x1
#define VNET_ISR_CONFIG			0x2

/* Legacy PCI I/O BAR 0 register offsets (4.1.4.8). */
#define VNET_LEGACY_HOST_FEATURES	0	/* 32 bit, read */
#define VNET_LEGACY_GUEST_FEATURES	4	/* 32 bit, write */
#define VNET_LEGACY_QUEUE_PFN		8	/* 32 bit, page frame number of the ring */
#define VNET_LEGACY_QUEUE_NUM		12	/* 16 bit, read only */
#define VNET_LEGACY_QUEUE_SEL		14	/* 16 bit */
#define VNET_LEGACY_QUEUE_NOTIFY	16	/* 16 bit */
#define VNET_LEGACY_STATUS		18	/* 8 bit */
#define VNET_LEGACY_ISR			19	/* 8 bit, read clears */
#define VNET_LEGACY_MSIX_CONFIG		20	/* 16 bit, only with MSI-X enabled */
#define VNET_LEGACY_MSIX_QUEUE		22	/* 16 bit, only with MSI-X enabled */
/** Device config offset in BAR 0 without / with MSI-X enabled. */
#define VNET_LEGACY_CONFIG(msix)	((msix) ? 24 : 20)
/** Legacy queue PFN shift (pages of 4096 bytes). */
#define VNET_LEGACY_PFN_SHIFT		12

/* PCI IDs (4.1.2). */
#define VNET_PCI_VENDOR_ID		0x1af4
#define VNET_PCI_DEVICE_ID_NET_LEGACY	0x1000	/* transitional */
#define VNET_PCI_DEVICE_ID_NET_MODERN	0x1041	/* 0x1040 + device type 1 */

/* Network device status (5.1.4). */
#define VNET_NET_S_LINK_UP		1
#define VNET_NET_S_ANNOUNCE		2

/** Network device configuration layout (5.1.4). */
struct vnet_net_config {
	uint8_t mac[6];
	uint16_t status;		/**< with VNET_NET_F_STATUS */
	uint16_t max_virtqueue_pairs;	/**< with VNET_NET_F_MQ */
	uint16_t mtu;			/**< with VNET_NET_F_MTU */
	uint32_t speed;			/**< with VNET_NET_F_SPEED_DUPLEX, Mbit/s */
	uint8_t duplex;
	uint8_t rss_max_key_size;	/**< with VNET_NET_F_RSS or HASH_REPORT */
	uint16_t rss_max_indirection_table_length; /**< with VNET_NET_F_RSS */
	uint32_t supported_hash_types;	/**< with VNET_NET_F_RSS or HASH_REPORT */
} __attribute__((packed));

static_assert(offsetof(struct vnet_net_config, status) == 6, "net config status");
static_assert(offsetof(struct vnet_net_config, max_virtqueue_pairs) == 8, "net config mq");
static_assert(offsetof(struct vnet_net_config, mtu) == 10, "net config mtu");
static_assert(offsetof(struct vnet_net_config, speed) == 12, "net config speed");
static_assert(offsetof(struct vnet_net_config, rss_max_key_size) == 17, "net config rss key");
static_assert(offsetof(struct vnet_net_config, rss_max_indirection_table_length) == 18,
	      "net config rss table");
static_assert(offsetof(struct vnet_net_config, supported_hash_types) == 20,
	      "net config hash types");
static_assert(sizeof(struct vnet_net_config) == 24, "net config size");

/** Max queue pairs a device may report with VNET_NET_F_MQ (5.1.4.1). */
#define VNET_NET_MQ_MAX_PAIRS		0x8000

/* Network header flags and GSO types (5.1.6). */
#define VNET_NET_HDR_F_NEEDS_CSUM	1
#define VNET_NET_HDR_F_DATA_VALID	2
#define VNET_NET_HDR_GSO_NONE		0
#define VNET_NET_HDR_GSO_TCPV4		1
#define VNET_NET_HDR_GSO_UDP		3
#define VNET_NET_HDR_GSO_TCPV6		4
#define VNET_NET_HDR_GSO_UDP_L4		5	/* HOST_USO / GUEST_USO4/6 */
#define VNET_NET_HDR_GSO_ECN		0x80

/** Network packet header (5.1.6), as used without MRG_RXBUF on a legacy device. */
struct vnet_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};

/** Network packet header with num_buffers: VERSION_1 devices, or MRG_RXBUF. */
struct vnet_net_hdr_mrg {
	struct vnet_net_hdr hdr;
	uint16_t num_buffers;
};

/** Network packet header with the hash report (VNET_NET_F_HASH_REPORT), 5.1.6. */
struct vnet_net_hdr_hash {
	struct vnet_net_hdr_mrg hdr;
	uint32_t hash_value;
	uint16_t hash_report;		/**< VNET_NET_HASH_REPORT_* */
	uint16_t padding_reserved;
};

static_assert(sizeof(struct vnet_net_hdr) == 10, "virtio_net_hdr is 10 bytes");
static_assert(sizeof(struct vnet_net_hdr_mrg) == 12, "virtio_net_hdr_mrg_rxbuf is 12 bytes");
static_assert(sizeof(struct vnet_net_hdr_hash) == 20, "virtio_net_hdr_v1_hash is 20 bytes");

/* Hash types (5.1.6.4.3.1): supported_hash_types, hash_types of the RSS command. */
#define VNET_NET_HASH_TYPE_IPV4		(1u << 0)
#define VNET_NET_HASH_TYPE_TCPV4	(1u << 1)
#define VNET_NET_HASH_TYPE_UDPV4	(1u << 2)
#define VNET_NET_HASH_TYPE_IPV6		(1u << 3)
#define VNET_NET_HASH_TYPE_TCPV6	(1u << 4)
#define VNET_NET_HASH_TYPE_UDPV6	(1u << 5)
#define VNET_NET_HASH_TYPE_IP_EX	(1u << 6)
#define VNET_NET_HASH_TYPE_TCP_EX	(1u << 7)
#define VNET_NET_HASH_TYPE_UDP_EX	(1u << 8)
#define VNET_NET_HASH_TYPE_ALL		0x1ffu

/* hash_report values of a received packet (5.1.6.4.4). */
#define VNET_NET_HASH_REPORT_NONE	0
#define VNET_NET_HASH_REPORT_UDPV6_EX	9

/* Control virtqueue (5.1.6.5): classes, commands, ack values. */
#define VNET_NET_OK			0
#define VNET_NET_ERR			1

#define VNET_NET_CTRL_RX		0
#define VNET_NET_CTRL_RX_PROMISC	0
#define VNET_NET_CTRL_RX_ALLMULTI	1
#define VNET_NET_CTRL_RX_ALLUNI		2	/* CTRL_RX_EXTRA */
#define VNET_NET_CTRL_RX_NOMULTI	3	/* CTRL_RX_EXTRA */
#define VNET_NET_CTRL_RX_NOUNI		4	/* CTRL_RX_EXTRA */
#define VNET_NET_CTRL_RX_NOBCAST	5	/* CTRL_RX_EXTRA */

#define VNET_NET_CTRL_MAC		1
#define VNET_NET_CTRL_MAC_TABLE_SET	0
#define VNET_NET_CTRL_MAC_ADDR_SET	1	/* CTRL_MAC_ADDR */

#define VNET_NET_CTRL_VLAN		2
#define VNET_NET_CTRL_VLAN_ADD		0
#define VNET_NET_CTRL_VLAN_DEL		1

#define VNET_NET_CTRL_ANNOUNCE		3
#define VNET_NET_CTRL_ANNOUNCE_ACK	0

#define VNET_NET_CTRL_GUEST_OFFLOADS	5	/* CTRL_GUEST_OFFLOADS, 5.1.6.5.6 */
#define VNET_NET_CTRL_GUEST_OFFLOADS_SET 0	/* le64 of GUEST_* feature bits */

#define VNET_NET_CTRL_MQ		4
#define VNET_NET_CTRL_MQ_VQ_PAIRS_SET	0
#define VNET_NET_CTRL_MQ_RSS_CONFIG	1	/* RSS */
#define VNET_NET_CTRL_MQ_HASH_CONFIG	2	/* HASH_REPORT without RSS */

/** Command header of a control-queue request (5.1.6.5). */
struct vnet_net_ctrl_hdr {
	uint8_t class;
	uint8_t cmd;
} __attribute__((packed));

static_assert(sizeof(struct vnet_net_ctrl_hdr) == 2, "virtio_net_ctrl_hdr is 2 bytes");

/*
 * RSS_CONFIG payload (5.1.6.5.7.1), variable length:
 *   le32 hash_types; le16 indirection_table_mask; le16 unclassified_queue;
 *   le16 indirection_table[mask + 1]; le16 max_tx_vq; u8 hash_key_length;
 *   u8 hash_key_data[hash_key_length].
 * HASH_CONFIG uses the same layout with the table reduced to one ignored entry.
 */
#define VNET_NET_RSS_HDR_LEN		8	/* up to the indirection table */
#define VNET_NET_RSS_TAIL_LEN		3	/* max_tx_vq + hash_key_length */

#endif /* VNET_VIRTIO_SPEC_H */
