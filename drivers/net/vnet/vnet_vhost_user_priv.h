/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * Internals of the vhost-user transport shared by its three files: vnet_vhost_user_msg.c
 * (socket I/O, connection, feature handshake), vnet_vhost_user_mem.c (memory table, copy
 * mode, running the rings on the backend) and vnet_vhost_user.c (transport ops, control
 * thread). Nothing outside the transport includes it.
 */

#ifndef VNET_VHOST_USER_PRIV_H
#define VNET_VHOST_USER_PRIV_H

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_memzone.h>

#include "vnet_compat.h"
#include "vnet_rxtx.h"
#include "vnet_vhost_common.h"
#include "vnet_vhost_user.h"

/* Protocol constants (vhost-user.rst). */
enum {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_SET_MEM_TABLE = 5,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
};

#define VU_VERSION		0x1
#define VU_FLAG_VERSION_MASK	0x3
#define VU_FLAG_REPLY		0x4
#define VU_FLAG_NEED_REPLY	0x8
#define VU_F_PROTOCOL_FEATURES	30
#define VU_PROTO_F_MQ		0
#define VU_PROTO_F_REPLY_ACK	3
#define VU_VRING_NOFD		0x100
#define VU_MAX_REGIONS		8	/* what DPDK's vhost library accepts */
#define VU_REPLY_TIMEOUT_MS	5000
#define VU_ACCEPT_TIMEOUT_S	30
#define VU_PROTO_WANTED		(VNET_BIT(VU_PROTO_F_MQ) | VNET_BIT(VU_PROTO_F_REPLY_ACK))
/* Frame room of a bounce slot: net header + an MTU 1500 frame with a VLAN tag, rounded. */
#define VU_BOUNCE_SLOT		2048

struct vu_region {
	uint64_t guest_addr;
	uint64_t size;
	uint64_t user_addr;
	uint64_t mmap_offset;
};

struct vu_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	union {
		uint64_t u64;
		struct {
			uint32_t index;
			uint32_t num;
		} state;
		struct {
			uint32_t index;
			uint32_t flags;
			uint64_t desc;
			uint64_t used;
			uint64_t avail;
			uint64_t log;
		} addr;
		struct {
			uint32_t nregions;
			uint32_t padding;
			struct vu_region regions[VU_MAX_REGIONS];
		} mem;
	} payload;
} __attribute__((packed));

#define VU_HDR_SIZE	offsetof(struct vu_msg, payload)

struct vnet_vu {
	struct vnet_vh_dev vh;		/* first: hw->tp.vh (vnet_vhost_common.h) */
	struct vnet_hw *hw;
	int sock;			/* connection, -1 when none */
	int listen_fd;			/* server mode */
	uint64_t backend_features;	/* virtio features the backend offered */
	uint64_t protocol_features;	/* negotiated */
	bool handshaken;		/* connection did the feature handshake */
	bool running;			/* rings registered with the current backend */
	bool copy;			/* bounce buffers instead of shared EAL memory */
	bool copy_logged;
	bool mem_dirty;			/* EAL memory grew: the control thread updates */
	int wake_fd;			/* eventfd: wakes the control thread */
	bool mem_cb;			/* memory event callback registered (name below) */
	char mem_cb_name[RTE_MEMZONE_NAMESIZE + 16];
	struct vnet_vh_shm bounce;	/* copy mode */
	int *callfd;			/* one eventfd per virtqueue (RX interrupts), same */
	bool rx_intr;			/* RX queues get their call eventfd at start */
	bool link_reported;		/* link state the config_changed hook last saw */
	/* memory table for the current start */
	struct vu_region regions[VU_MAX_REGIONS];
	int region_fds[VU_MAX_REGIONS];
	unsigned int nregions;
	/* control thread */
	vnet_thread_t tid;
	bool thread_running;
	volatile bool thread_stop;
	uint64_t disconnects;
	uint64_t connects;
	char name[64];
};

/* hw->tp.vh and hw->tp.vu name the same object (vnet_vh_of()). */
static_assert(offsetof(struct vnet_vu, vh) == 0, "vnet_vu must start with its vnet_vh_dev");

/** The vhost-user state of @p hw. */
static inline struct vnet_vu *
vu_of(struct vnet_hw *hw)
{
	return hw->tp.vu;
}

/* vnet_vhost_user_msg.c: one request/reply exchange each; callers hold vu->vh.lock. */

/** Send @p msg with @p nfds descriptors. @return 0 or a negative errno. */
int vnet_vu_send(struct vnet_vu *vu, struct vu_msg *msg, const int *fds, unsigned int nfds);
/** Read the reply to @p req; its payload must be exactly @p size bytes. */
int vnet_vu_recv_reply(struct vnet_vu *vu, uint32_t req, struct vu_msg *reply, uint32_t size);
/** Send @p msg and, with REPLY_ACK, wait for the ack. @return 0 or a negative errno. */
int vnet_vu_request(struct vnet_vu *vu, struct vu_msg *msg, const int *fds, unsigned int nfds);
/** A request whose reply is one u64 (GET_FEATURES...). @return 0 or a negative errno. */
int vnet_vu_get_u64(struct vnet_vu *vu, uint32_t req, uint64_t *out);
/** A request with one u64 payload. @return 0 or a negative errno. */
int vnet_vu_set_u64(struct vnet_vu *vu, uint32_t req, uint64_t v);
/** A request with a vring state payload (index, num). @return 0 or a negative errno. */
int vnet_vu_set_state(struct vnet_vu *vu, uint32_t req, uint32_t index, uint32_t num);
/** Close the backend connection (if any). */
void vnet_vu_close_conn(struct vnet_vu *vu);
/** Client mode: connect to the backend's socket. @return 0 or a negative errno. */
int vnet_vu_connect(struct vnet_vu *vu);
/** Server mode: create the listening socket. @return 0 or a negative errno. */
int vnet_vu_listen(struct vnet_vu *vu);
/** Server mode, probe time: wait for the first backend and handshake with it. */
int vnet_vu_accept_first(struct vnet_vu *vu);
/** Feature and protocol-feature handshake with a new connection. */
int vnet_vu_handshake(struct vnet_vu *vu);

/* vnet_vhost_user_mem.c: callers hold vu->vh.lock. */

/** Register the rings (and the memory table) with the backend and enable them. */
int vnet_vu_start_backend(struct vnet_vu *vu);
/** Stop the rings on the backend (GET_VRING_BASE), if running. */
void vnet_vu_stop_backend(struct vnet_vu *vu);
/** Send the memory table again after EAL memory grew (control thread). */
void vnet_vu_mem_update(struct vnet_vu *vu);
/** Build the memory table for a start: EAL memory, or the bounce area (copy mode). */
int vnet_vu_build_mem_table(struct vnet_vu *vu);
/** Give each queue its bounce slots (copy mode) or none (zero-copy). */
void vnet_vu_assign_bounce(struct vnet_vu *vu);
/** rte_mem_event callback: EAL memory grew; wakes the control thread. */
void vnet_vu_mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg);

#endif /* VNET_VHOST_USER_PRIV_H */
