/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * What the two vhost backends of net_vnet_user share (vhost-user over a unix socket,
 * vhost-net through /dev/vhost-net): the ring area (one memfd-backed slot per virtqueue,
 * process virtual addresses), the kick eventfds (one per virtqueue, kept for the port's
 * lifetime) and the vring state a backend is given at start (size, base, addresses).
 * Control path, primary process; vnet_vh_kick() from the lcore owning the queue.
 */

#ifndef VNET_VHOST_COMMON_H
#define VNET_VHOST_COMMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet_transport.h"
#include "vnet_vhost_user.h"

struct vnet_vq;

/** A memfd-backed area shared with a backend (fd for vhost-user, VA for both). */
struct vnet_vh_shm {
	int fd;
	uint8_t *va;
	size_t len;
};

/** Ring area and kick eventfds of one port. */
struct vnet_vh_rings {
	struct vnet_vh_shm shm;	/**< all rings, one slot per virtqueue */
	size_t slot;		/**< bytes per slot: the largest ring, 4 KiB aligned */
	uint16_t nvq;		/**< virtqueues (2 per queue pair) */
	int *kickfd;		/**< one eventfd per virtqueue, -1 when not created */
};

/** What a backend is told about one split virtqueue at start (2.7, vhost SET_VRING_*). */
struct vnet_vh_vring {
	uint32_t num;		/**< ring entries */
	uint32_t base;		/**< next avail index the backend reads */
	uint64_t desc;		/**< descriptor table address (process VA) */
	uint64_t avail;		/**< driver area */
	uint64_t used;		/**< device area */
};

/**
 * The device state both backends start with: struct vnet_vu and struct vnet_vn have it as
 * their first member, so hw->tp.vh reaches it from either (the vnet_vh_op_* transport ops).
 */
struct vnet_vh_dev {
	struct vnet_vu_args args;	/**< devargs (path, queues, queue_size, ...) */
	pthread_mutex_t lock;		/**< vqs/nvqs against the backend's control thread */
	struct vnet_vh_rings rings;	/**< ring area and kick eventfds */
	struct vnet_vq **vqs;		/**< registered queues by index (2 * queues) */
	uint16_t nvqs;			/**< highest registered index + 1 */
	bool split_only;		/**< the backend runs split rings only (vhost-net) */
	uint64_t driver_features;	/**< what the driver wrote (set_features) */
	uint8_t status;			/**< device status the driver wrote */
};

/** What vnet_vh_set_status() asks of the backend, called with vnet_vh_dev.lock held. */
struct vnet_vh_status_ops {
	/** Reset: detach the backend from the rings. */
	void (*stop)(struct vnet_vh_dev *vh);
	/** DRIVER_OK: give the rings to the backend; a negative errno sets DEVICE_NEEDS_RESET. */
	int (*start)(struct vnet_vh_dev *vh);
};

/** The shared head of the vhost backend behind @p hw. */
static inline struct vnet_vh_dev *
vnet_vh_of(struct vnet_hw *hw)
{
	return hw->tp.vh;
}

/** Transport op set_features: keep what the driver negotiated (sent at start). */
void vnet_vh_op_set_features(struct vnet_hw *hw, uint64_t features);

/** Transport op get_driver_features. */
uint64_t vnet_vh_op_get_driver_features(struct vnet_hw *hw);

/** Transport op get_queue_max: queue_size for the 2 * queues virtqueues, else 0. */
uint16_t vnet_vh_op_get_queue_max(struct vnet_hw *hw, uint16_t idx);

/**
 * Transport op setup_queue: register @p vq (no doorbell: kicks are eventfd writes).
 * @return 0, or -EINVAL for an index, size or ring type the backend cannot run.
 */
int vnet_vh_op_setup_queue(struct vnet_hw *hw, struct vnet_vq *vq);

/** Transport op del_queue: forget @p vq. */
void vnet_vh_op_del_queue(struct vnet_hw *hw, struct vnet_vq *vq);

/** Transport op ring_mem: the slot of virtqueue @p idx in the ring area (vnet_vh_ring_mem()). */
void *vnet_vh_op_ring_mem(struct vnet_hw *hw, uint16_t idx, size_t len, uint64_t *iova);

/** Transport op notify: kick @p vq through its eventfd. */
void vnet_vh_op_notify(struct vnet_hw *hw, struct vnet_vq *vq);

/** Transport op get_status: the status the driver wrote (the device adds NEEDS_RESET). */
uint8_t vnet_vh_op_get_status(struct vnet_hw *hw);

/** Transport op get_isr: 0 (no shared ISR: each virtqueue has its own call eventfd). */
uint8_t vnet_vh_op_get_isr(struct vnet_hw *hw);

/**
 * Transport op set_status, common to the vhost backends: 0 resets (@p ops->stop, features
 * and queues forgotten), the first DRIVER_OK starts the backend (@p ops->start), any other
 * value is kept. Serialised by @p vh->lock.
 */
void vnet_vh_set_status(struct vnet_vh_dev *vh, uint8_t status,
			const struct vnet_vh_status_ops *ops);

/**
 * Transport op read_cfg of an emulated virtio-net config space (5.1.4): @p mac (NULL: left
 * zero), the link status, max_virtqueue_pairs = queues, mtu 1500. A read beyond the
 * structure reads zeros.
 */
void vnet_vh_read_cfg(const struct vnet_vh_dev *vh, const uint8_t *mac, bool link_up,
		      size_t off, void *dst, size_t len);

/** The transport ops both backends take from here, for their ops tables. */
#define VNET_VH_COMMON_OPS \
	.set_features = vnet_vh_op_set_features, \
	.get_driver_features = vnet_vh_op_get_driver_features, \
	.get_queue_max = vnet_vh_op_get_queue_max, \
	.setup_queue = vnet_vh_op_setup_queue, \
	.del_queue = vnet_vh_op_del_queue, \
	.notify = vnet_vh_op_notify, \
	.ring_mem = vnet_vh_op_ring_mem, \
	.get_status = vnet_vh_op_get_status, \
	.get_isr = vnet_vh_op_get_isr

/**
 * Create the memfd-backed area @p shm of @p len bytes (mapped shared, populated).
 * @return 0 or a negative errno.
 */
int vnet_vh_shm_create(struct vnet_vh_shm *shm, const char *name, size_t len);

/** Unmap and close @p shm (also when it was never created: fd -1, va NULL). */
void vnet_vh_shm_destroy(struct vnet_vh_shm *shm);

/**
 * Create the ring area for @p nvq virtqueues of at most @p queue_size entries and one kick
 * eventfd per virtqueue. On failure everything created is released.
 * @return 0 or a negative errno.
 */
int vnet_vh_rings_init(struct vnet_vh_rings *r, uint16_t nvq, uint16_t queue_size);

/** Release what vnet_vh_rings_init() created (safe on a zeroed or failed @p r). */
void vnet_vh_rings_fini(struct vnet_vh_rings *r);

/**
 * The ring memory of virtqueue @p idx (transport ring_mem op): at least @p len bytes,
 * 4 KiB aligned; *va_out gets its process VA (what vhost backends take as ring address).
 * @return the memory, or NULL if @p idx or @p len does not fit.
 */
void *vnet_vh_ring_mem(struct vnet_vh_rings *r, uint16_t idx, size_t len, uint64_t *va_out);

/**
 * Call eventfds for RX interrupts: an array of @p nvq fds, an eventfd at each RX (even)
 * virtqueue index, -1 at TX ones (their completions are polled). @return the array (rte_malloc)
 * in @p out and 0, or a negative errno (nothing left allocated).
 */
int vnet_vh_callfds_create(int **out, uint16_t nvq);

/** Close and free what vnet_vh_callfds_create() made (safe on NULL). */
void vnet_vh_callfds_destroy(int *fds, uint16_t nvq);

/** Kick virtqueue @p idx: one eventfd write. Datapath, the lcore owning the queue. */
void vnet_vh_kick(const struct vnet_vh_rings *r, uint16_t idx);

/**
 * Fill @p v for @p vq as it stands (after the ring layout): the base is the device's used
 * index, so a restart neither redoes completed buffers nor loses popped ones.
 */
void vnet_vh_vring_info(const struct vnet_vq *vq, struct vnet_vh_vring *v);

#endif /* VNET_VHOST_COMMON_H */
