/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * virtio-pci transports (virtio 1.x section 4.1): modern, through the vendor-specific
 * capabilities in memory BARs, and legacy, through the I/O BAR of transitional devices.
 * Control path only, except the notify ops.
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_io.h>
#include <rte_malloc.h>
#include <bus_pci_driver.h>

#include "vnet_logs.h"
#include "vnet_rxtx.h"
#include "vnet_transport.h"

#define PCI_STATUS			0x06
#define PCI_STATUS_CAP_LIST		0x10
#define PCI_CAPABILITY_LIST		0x34
#define PCI_CAP_ID_VNDR			0x09
#define PCI_CAP_ID_MSIX			0x11
#define PCI_MSIX_FLAGS			2
#define PCI_MSIX_FLAGS_ENABLE		0x8000

/* Reset must complete within this time (spec: the driver waits for status 0). */
#define VNET_RESET_TIMEOUT_MS		3000

#define COMMON_OFF(field)		offsetof(struct vnet_pci_common_cfg, field)

static inline struct rte_pci_device *
hw_pci(struct vnet_hw *hw)
{
	return hw->pci_dev;
}

/* ---- modern ---- */

static inline uint8_t
cm_read8(struct vnet_hw *hw, size_t off)
{
	return rte_read8(hw->tp.modern.common + off);
}

static inline uint16_t
cm_read16(struct vnet_hw *hw, size_t off)
{
	return rte_read16(hw->tp.modern.common + off);
}

static inline uint32_t
cm_read32(struct vnet_hw *hw, size_t off)
{
	return rte_read32(hw->tp.modern.common + off);
}

static inline void
cm_write8(struct vnet_hw *hw, size_t off, uint8_t v)
{
	rte_write8(v, hw->tp.modern.common + off);
}

static inline void
cm_write16(struct vnet_hw *hw, size_t off, uint16_t v)
{
	rte_write16(v, hw->tp.modern.common + off);
}

static inline void
cm_write32(struct vnet_hw *hw, size_t off, uint32_t v)
{
	rte_write32(v, hw->tp.modern.common + off);
}

/* 64-bit common config fields are written as two 32-bit halves, low first (4.1.3.1). */
static inline void
cm_write64(struct vnet_hw *hw, size_t off, uint64_t v)
{
	cm_write32(hw, off, (uint32_t)v);
	cm_write32(hw, off + 4, (uint32_t)(v >> 32));
}

static void
modern_read_cfg(struct vnet_hw *hw, size_t off, void *dst, size_t len)
{
	uint8_t *d = dst;
	uint8_t gen_before, gen_after;
	size_t i;

	if (off + len > hw->tp.modern.device_len) {
		memset(dst, 0, len);
		return;
	}
	/* Re-read until the config generation is stable: a multi-byte field may change. */
	do {
		gen_before = cm_read8(hw, COMMON_OFF(config_generation));
		for (i = 0; i < len; i++)
			d[i] = rte_read8(hw->tp.modern.device + off + i);
		gen_after = cm_read8(hw, COMMON_OFF(config_generation));
	} while (gen_before != gen_after);
}

static uint8_t
modern_get_status(struct vnet_hw *hw)
{
	return cm_read8(hw, COMMON_OFF(device_status));
}

static void
wait_reset(struct vnet_hw *hw)
{
	unsigned int ms;

	for (ms = 0; ms < VNET_RESET_TIMEOUT_MS; ms++) {
		if (hw->ops->get_status(hw) == 0)
			return;
		rte_delay_us_sleep(1000);
	}
	VNET_INIT_LOG(ERR, "%s: device did not finish reset in %u ms", hw->name,
		      VNET_RESET_TIMEOUT_MS);
}

static void
modern_set_status(struct vnet_hw *hw, uint8_t status)
{
	cm_write8(hw, COMMON_OFF(device_status), status);
	if (status == 0)
		wait_reset(hw);
}

/* Read a 64-bit feature word through its select register (two 32-bit halves). */
static uint64_t
cm_read_features(struct vnet_hw *hw, size_t select_off, size_t value_off)
{
	uint32_t lo, hi;

	cm_write32(hw, select_off, 0);
	lo = cm_read32(hw, value_off);
	cm_write32(hw, select_off, 1);
	hi = cm_read32(hw, value_off);
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t
modern_get_features(struct vnet_hw *hw)
{
	uint64_t f = cm_read_features(hw, COMMON_OFF(device_feature_select),
				      COMMON_OFF(device_feature));

	/* RING_RESET needs the queue_reset register inside the common capability. */
	if (hw->tp.modern.common_len < VNET_PCI_COMMON_LEN_RESET)
		f &= ~VNET_BIT(VNET_F_RING_RESET);
	return f;
}

static void
modern_set_features(struct vnet_hw *hw, uint64_t features)
{
	cm_write32(hw, COMMON_OFF(driver_feature_select), 0);
	cm_write32(hw, COMMON_OFF(driver_feature), (uint32_t)features);
	cm_write32(hw, COMMON_OFF(driver_feature_select), 1);
	cm_write32(hw, COMMON_OFF(driver_feature), (uint32_t)(features >> 32));
}

static uint64_t
modern_get_driver_features(struct vnet_hw *hw)
{
	return cm_read_features(hw, COMMON_OFF(driver_feature_select), COMMON_OFF(driver_feature));
}

static uint16_t
modern_get_queue_max(struct vnet_hw *hw, uint16_t idx)
{
	if (idx >= cm_read16(hw, COMMON_OFF(num_queues)))
		return 0;
	cm_write16(hw, COMMON_OFF(queue_select), idx);
	return cm_read16(hw, COMMON_OFF(queue_size));
}

static int
modern_setup_queue(struct vnet_hw *hw, struct vnet_vq *vq)
{
	struct vnet_pci_modern *m = &hw->tp.modern;
	uint16_t max, notify_off;
	uint64_t off;

	cm_write16(hw, COMMON_OFF(queue_select), vq->idx);
	max = cm_read16(hw, COMMON_OFF(queue_size));
	if (max == 0 || vq->size > max) {
		VNET_INIT_LOG(ERR, "%s: queue %u: size %u not possible (device max %u)",
			      hw->name, vq->idx, vq->size, max);
		return -EINVAL;
	}
	cm_write16(hw, COMMON_OFF(queue_size), vq->size);
	cm_write64(hw, COMMON_OFF(queue_desc), vq->ring_iova);
	cm_write64(hw, COMMON_OFF(queue_driver), vq->ring_iova + vq->avail_off);
	cm_write64(hw, COMMON_OFF(queue_device), vq->ring_iova + vq->used_off);
	/* Polling: no interrupt vector (ignored by the device when MSI-X is off). */
	cm_write16(hw, COMMON_OFF(queue_msix_vector), vq->intr ? vq->msix_vec : VNET_MSI_NO_VECTOR);
	if (vq->intr && cm_read16(hw, COMMON_OFF(queue_msix_vector)) != vq->msix_vec) {
		/* 4.1.5.1.3: NO_VECTOR read back = the device could not map the vector. */
		VNET_INIT_LOG(ERR, "%s: queue %u: the device refused MSI-X vector %u (too few "
			      "vectors? QEMU: virtio-net-pci,vectors=<2 x queues + 2>)", hw->name,
			      vq->idx, vq->msix_vec);
		return -EBUSY;
	}

	notify_off = cm_read16(hw, COMMON_OFF(queue_notify_off));
	off = (uint64_t)notify_off * m->notify_off_multiplier;
	if (off + sizeof(uint16_t) > m->notify_len) {
		VNET_INIT_LOG(ERR, "%s: queue %u: notify offset %" PRIu64
			      " outside the notify region (%u bytes)", hw->name, vq->idx, off,
			      m->notify_len);
		return -EINVAL;
	}
	vq->notify_addr = (volatile uint16_t *)(m->notify_base + off);
	cm_write16(hw, COMMON_OFF(queue_enable), 1);
	return 0;
}

static void
modern_del_queue(struct vnet_hw *hw, struct vnet_vq *vq)
{
	cm_write16(hw, COMMON_OFF(queue_select), vq->idx);
	cm_write64(hw, COMMON_OFF(queue_desc), 0);
	cm_write64(hw, COMMON_OFF(queue_driver), 0);
	cm_write64(hw, COMMON_OFF(queue_device), 0);
	vq->notify_addr = NULL;
}

/*
 * Runtime queue stop/start with VIRTIO_F_RING_RESET (virtio 1.2, 2.6.1 and 4.1.4.3.2): write
 * 1 to queue_reset and wait until it reads 0 (the device stopped using the ring and
 * forgot its state; QEMU does it synchronously); re-enable = set the queue up again
 * (size, addresses) and write queue_enable 1.
 */
static int
modern_queue_enable(struct vnet_hw *hw, struct vnet_vq *vq, bool on)
{
	uint64_t end;

	if (!vnet_hw_has(hw, VNET_F_RING_RESET))
		return -ENOTSUP;
	if (on)
		return modern_setup_queue(hw, vq);
	cm_write16(hw, COMMON_OFF(queue_select), vq->idx);
	cm_write16(hw, VNET_PCI_COMMON_Q_RESET, 1);
	end = rte_get_timer_cycles() + rte_get_timer_hz();	/* 1 s */
	while (cm_read16(hw, VNET_PCI_COMMON_Q_RESET) != 0 ||
	       cm_read16(hw, COMMON_OFF(queue_enable)) != 0) {
		if (rte_get_timer_cycles() > end) {
			VNET_DRV_LOG(ERR, "%s: queue %u: reset not done after 1 s", hw->name,
				     vq->idx);
			return -ETIMEDOUT;
		}
		rte_delay_us_sleep(100);
	}
	return 0;
}

static void
modern_notify(struct vnet_hw *hw, struct vnet_vq *vq)
{
	RTE_SET_USED(hw);
	rte_write16(vq->idx, vq->notify_addr);
}

static uint8_t
modern_get_isr(struct vnet_hw *hw)
{
	return rte_read8(hw->tp.modern.isr);
}

static uint16_t
modern_set_config_vector(struct vnet_hw *hw, uint16_t vec)
{
	cm_write16(hw, COMMON_OFF(msix_config), vec);
	return cm_read16(hw, COMMON_OFF(msix_config));
}

static void
modern_uninit(struct vnet_hw *hw)
{
	memset(&hw->tp.modern, 0, sizeof(hw->tp.modern));
}

const struct vnet_transport_ops vnet_tp_pci_modern_ops = {
	.name = "modern-pci",
	.read_cfg = modern_read_cfg,
	.get_status = modern_get_status,
	.set_status = modern_set_status,
	.get_features = modern_get_features,
	.set_features = modern_set_features,
	.get_driver_features = modern_get_driver_features,
	.get_queue_max = modern_get_queue_max,
	.setup_queue = modern_setup_queue,
	.del_queue = modern_del_queue,
	.notify = modern_notify,
	.get_isr = modern_get_isr,
	.uninit = modern_uninit,
	.queue_enable = modern_queue_enable,
	.queue_enable_resets = true,
	.set_config_vector = modern_set_config_vector,
};

/* ---- legacy (I/O BAR 0) ---- */

struct legacy_port {
	struct rte_pci_ioport io;
};

static inline struct rte_pci_ioport *
lg_io(struct vnet_hw *hw)
{
	return &((struct legacy_port *)hw->tp.legacy.ioport)->io;
}

/* Register accessors of the legacy I/O BAR (4.1.4.8: little-endian, the host's order). */
static uint32_t
lg_read(struct vnet_hw *hw, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	rte_pci_ioport_read(lg_io(hw), &v, size, off);
	return v;
}

static void
lg_write(struct vnet_hw *hw, unsigned int off, unsigned int size, uint32_t v)
{
	rte_pci_ioport_write(lg_io(hw), &v, size, off);
}

/* Write a 16-bit MSI-X vector register and read back what the device took (4.1.4.8). */
static uint16_t
lg_set_vector(struct vnet_hw *hw, unsigned int off, uint16_t vec)
{
	lg_write(hw, off, 2, vec);
	return (uint16_t)lg_read(hw, off, 2);
}

static void
legacy_read_cfg(struct vnet_hw *hw, size_t off, void *dst, size_t len)
{
	rte_pci_ioport_read(lg_io(hw), dst, len, VNET_LEGACY_CONFIG(hw->tp.legacy.msix) + off);
}

static uint8_t
legacy_get_status(struct vnet_hw *hw)
{
	return (uint8_t)lg_read(hw, VNET_LEGACY_STATUS, 1);
}

static void
legacy_set_status(struct vnet_hw *hw, uint8_t status)
{
	lg_write(hw, VNET_LEGACY_STATUS, 1, status);
	if (status == 0)
		wait_reset(hw);
}

static uint64_t
legacy_get_features(struct vnet_hw *hw)
{
	return lg_read(hw, VNET_LEGACY_HOST_FEATURES, 4);
}

static void
legacy_set_features(struct vnet_hw *hw, uint64_t features)
{
	lg_write(hw, VNET_LEGACY_GUEST_FEATURES, 4, (uint32_t)features);
}

static uint64_t
legacy_get_driver_features(struct vnet_hw *hw)
{
	return lg_read(hw, VNET_LEGACY_GUEST_FEATURES, 4);
}

static uint16_t
legacy_get_queue_max(struct vnet_hw *hw, uint16_t idx)
{
	lg_write(hw, VNET_LEGACY_QUEUE_SEL, 2, idx);
	return (uint16_t)lg_read(hw, VNET_LEGACY_QUEUE_NUM, 2);
}

static int
legacy_setup_queue(struct vnet_hw *hw, struct vnet_vq *vq)
{
	uint16_t num, vec = VNET_MSI_NO_VECTOR;
	uint64_t pfn = vq->ring_iova >> VNET_LEGACY_PFN_SHIFT;
	uint32_t pfn32 = (uint32_t)pfn;

	num = legacy_get_queue_max(hw, vq->idx);
	if (num != vq->size) {
		VNET_INIT_LOG(ERR, "%s: queue %u: legacy devices have a fixed size %u, not %u",
			      hw->name, vq->idx, num, vq->size);
		return -EINVAL;
	}
	if ((vq->ring_iova & ((1u << VNET_LEGACY_PFN_SHIFT) - 1)) != 0 || pfn != pfn32) {
		VNET_INIT_LOG(ERR, "%s: queue %u: ring IOVA 0x%" PRIx64
			      " not usable by a legacy device (4 KiB aligned, below 16 TiB)",
			      hw->name, vq->idx, vq->ring_iova);
		return -EINVAL;
	}
	if (hw->tp.legacy.msix) {
		if (vq->intr)
			vec = vq->msix_vec;
		if (lg_set_vector(hw, VNET_LEGACY_MSIX_QUEUE, vec) != vec) {
			VNET_INIT_LOG(ERR, "%s: queue %u: the device refused MSI-X vector %u",
				      hw->name, vq->idx, vec);
			return -EBUSY;
		}
	} else if (vq->intr) {
		VNET_INIT_LOG(ERR, "%s: queue %u: MSI-X is off: no per-queue vector", hw->name,
			      vq->idx);
		return -ENOTSUP;
	}
	lg_write(hw, VNET_LEGACY_QUEUE_PFN, 4, pfn32);
	vq->notify_addr = NULL;
	return 0;
}

static void
legacy_del_queue(struct vnet_hw *hw, struct vnet_vq *vq)
{
	lg_write(hw, VNET_LEGACY_QUEUE_SEL, 2, vq->idx);
	lg_write(hw, VNET_LEGACY_QUEUE_PFN, 4, 0);
}

static void
legacy_notify(struct vnet_hw *hw, struct vnet_vq *vq)
{
	lg_write(hw, VNET_LEGACY_QUEUE_NOTIFY, 2, vq->idx);
}

static uint8_t
legacy_get_isr(struct vnet_hw *hw)
{
	return (uint8_t)lg_read(hw, VNET_LEGACY_ISR, 1);
}

static uint16_t
legacy_set_config_vector(struct vnet_hw *hw, uint16_t vec)
{
	/* The register exists only while MSI-X is enabled (4.1.4.8). */
	if (!hw->tp.legacy.msix)
		return VNET_MSI_NO_VECTOR;
	return lg_set_vector(hw, VNET_LEGACY_MSIX_CONFIG, vec);
}

static bool pci_msix_enabled(struct rte_pci_device *dev);

static void
legacy_intr_changed(struct vnet_hw *hw)
{
	bool msix = pci_msix_enabled(hw_pci(hw));

	if (msix != hw->tp.legacy.msix)
		VNET_INIT_LOG(INFO, "%s: MSI-X %s: legacy device config at offset %u", hw->name,
			      msix ? "enabled" : "disabled", VNET_LEGACY_CONFIG(msix));
	hw->tp.legacy.msix = msix;
}

static void
legacy_uninit(struct vnet_hw *hw)
{
	struct legacy_port *lp = hw->tp.legacy.ioport;

	if (lp == NULL)
		return;
	rte_pci_ioport_unmap(&lp->io);
	rte_free(lp);
	hw->tp.legacy.ioport = NULL;
}

const struct vnet_transport_ops vnet_tp_pci_legacy_ops = {
	.name = "legacy-pci",
	.read_cfg = legacy_read_cfg,
	.get_status = legacy_get_status,
	.set_status = legacy_set_status,
	.get_features = legacy_get_features,
	.set_features = legacy_set_features,
	.get_driver_features = legacy_get_driver_features,
	.get_queue_max = legacy_get_queue_max,
	.setup_queue = legacy_setup_queue,
	.del_queue = legacy_del_queue,
	.notify = legacy_notify,
	.get_isr = legacy_get_isr,
	.uninit = legacy_uninit,
	.set_config_vector = legacy_set_config_vector,
	.intr_changed = legacy_intr_changed,
};

/* ---- capability walk ---- */

/* Map one virtio capability to a pointer inside its BAR, validating its bounds. */
static volatile uint8_t *
cap_addr(struct vnet_hw *hw, struct rte_pci_device *dev, const struct vnet_pci_cap *cap,
	 uint32_t min_len)
{
	const struct rte_mem_resource *res;

	if (cap->bar >= PCI_MAX_RESOURCE) {
		VNET_INIT_LOG(ERR, "%s: virtio cap type %u: bad BAR %u", hw->name, cap->cfg_type,
			      cap->bar);
		return NULL;
	}
	res = &dev->mem_resource[cap->bar];
	if (res->addr == NULL) {
		VNET_INIT_LOG(ERR, "%s: virtio cap type %u: BAR %u is not mapped", hw->name,
			      cap->cfg_type, cap->bar);
		return NULL;
	}
	if (cap->length < min_len || (uint64_t)cap->offset + cap->length > res->len) {
		VNET_INIT_LOG(ERR, "%s: virtio cap type %u: [%u, +%u) does not fit BAR %u (%"
			      PRIu64 " bytes, need >= %u)", hw->name, cap->cfg_type, cap->offset,
			      cap->length, cap->bar, res->len, min_len);
		return NULL;
	}
	return (volatile uint8_t *)res->addr + cap->offset;
}

/* Walk the PCI capability list; find the virtio structures and whether MSI-X is on. */
static int
walk_caps(struct vnet_hw *hw, struct rte_pci_device *dev, bool *msix)
{
	struct vnet_pci_modern *m = &hw->tp.modern;
	uint16_t status;
	uint8_t pos;
	unsigned int guard = 0;

	*msix = false;
	if (rte_pci_read_config(dev, &status, sizeof(status), PCI_STATUS) != sizeof(status))
		return -EIO;
	if (!(status & PCI_STATUS_CAP_LIST))
		return 0;
	if (rte_pci_read_config(dev, &pos, 1, PCI_CAPABILITY_LIST) != 1)
		return -EIO;

	/* 48 capabilities fit in the 192 bytes after the header: more means a loop. */
	while (pos >= 0x40 && guard++ < 48) {
		uint8_t hdr[2];

		pos &= 0xfc;
		if (rte_pci_read_config(dev, hdr, sizeof(hdr), pos) != sizeof(hdr))
			return -EIO;
		if (hdr[0] == PCI_CAP_ID_MSIX) {
			uint16_t flags;

			if (rte_pci_read_config(dev, &flags, 2, pos + PCI_MSIX_FLAGS) == 2)
				*msix = (flags & PCI_MSIX_FLAGS_ENABLE) != 0;
		} else if (hdr[0] == PCI_CAP_ID_VNDR) {
			struct vnet_pci_notify_cap nc;
			struct vnet_pci_cap *cap = &nc.cap;

			memset(&nc, 0, sizeof(nc));
			if (rte_pci_read_config(dev, cap, sizeof(*cap), pos) != sizeof(*cap))
				return -EIO;
			switch (cap->cfg_type) {
			case VNET_PCI_CAP_COMMON_CFG:
				if (m->common == NULL) {
					m->common = cap_addr(hw, dev, cap,
							     sizeof(struct vnet_pci_common_cfg));
					m->common_len = cap->length;
				}
				break;
			case VNET_PCI_CAP_NOTIFY_CFG:
				if (m->notify_base != NULL)
					break;
				if (rte_pci_read_config(dev, &nc, sizeof(nc), pos) != sizeof(nc))
					return -EIO;
				m->notify_base = cap_addr(hw, dev, cap, sizeof(uint16_t));
				m->notify_off_multiplier = nc.notify_off_multiplier;
				m->notify_len = cap->length;
				break;
			case VNET_PCI_CAP_ISR_CFG:
				if (m->isr == NULL)
					m->isr = cap_addr(hw, dev, cap, 1);
				break;
			case VNET_PCI_CAP_DEVICE_CFG:
				if (m->device == NULL) {
					m->device = cap_addr(hw, dev, cap, 6);
					m->device_len = cap->length;
				}
				break;
			default:
				break;
			}
		}
		pos = hdr[1];
	}
	return 0;
}

/* Whether the function's MSI-X capability is enabled right now (EAL's vfio turns it on). */
static bool
pci_msix_enabled(struct rte_pci_device *dev)
{
	unsigned int guard = 0;
	uint16_t status, flags;
	uint8_t pos, hdr[2];

	if (rte_pci_read_config(dev, &status, sizeof(status), PCI_STATUS) != sizeof(status) ||
	    !(status & PCI_STATUS_CAP_LIST) ||
	    rte_pci_read_config(dev, &pos, 1, PCI_CAPABILITY_LIST) != 1)
		return false;
	while (pos >= 0x40 && guard++ < 48) {
		pos &= 0xfc;
		if (rte_pci_read_config(dev, hdr, sizeof(hdr), pos) != sizeof(hdr))
			return false;
		if (hdr[0] == PCI_CAP_ID_MSIX)
			return rte_pci_read_config(dev, &flags, 2, pos + PCI_MSIX_FLAGS) == 2 &&
			       (flags & PCI_MSIX_FLAGS_ENABLE) != 0;
		pos = hdr[1];
	}
	return false;
}

int
vnet_pci_transport_init(struct vnet_hw *hw, void *pci_dev)
{
	struct rte_pci_device *dev = pci_dev;
	struct vnet_pci_modern *m = &hw->tp.modern;
	struct legacy_port *lp;
	bool msix;
	int ret;

	hw->pci_dev = dev;
	memset(&hw->tp, 0, sizeof(hw->tp));
	ret = walk_caps(hw, dev, &msix);
	if (ret < 0) {
		VNET_INIT_LOG(ERR, "%s: cannot read PCI config space: %s", hw->name,
			      strerror(-ret));
		return ret;
	}
	if (m->common != NULL && m->notify_base != NULL && m->isr != NULL && m->device != NULL) {
		hw->ops = &vnet_tp_pci_modern_ops;
		hw->modern = true;
		VNET_INIT_LOG(INFO, "%s: modern virtio-pci transport (notify multiplier %u)",
			      hw->name, m->notify_off_multiplier);
		return 0;
	}
	memset(&hw->tp, 0, sizeof(hw->tp));

	if (dev->id.device_id != VNET_PCI_DEVICE_ID_NET_LEGACY) {
		VNET_INIT_LOG(ERR, "%s: modern virtio device (id %04x) without usable virtio "
			      "capabilities: refusing it", hw->name, dev->id.device_id);
		return -ENODEV;
	}
	lp = rte_zmalloc("vnet_legacy_port", sizeof(*lp), 0);
	if (lp == NULL)
		return -ENOMEM;
	ret = rte_pci_ioport_map(dev, 0, &lp->io);
	if (ret < 0) {
		VNET_INIT_LOG(ERR, "%s: legacy device: cannot map I/O BAR 0 (%d); bind it to "
			      "vfio-pci or uio_pci_generic and run as root", hw->name, ret);
		rte_free(lp);
		return -EIO;
	}
	hw->tp.legacy.ioport = lp;
	hw->tp.legacy.msix = msix;
	hw->ops = &vnet_tp_pci_legacy_ops;
	hw->modern = false;
	VNET_INIT_LOG(NOTICE, "%s: no usable modern interface: using the legacy virtio-pci "
		      "transport (I/O BAR%s)", hw->name, msix ? ", MSI-X on" : "");
	return 0;
}
