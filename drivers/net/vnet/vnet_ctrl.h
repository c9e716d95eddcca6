/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * Control virtqueue of a virtio-net device (VIRTIO_NET_F_CTRL_VQ, spec 5.1.6.5) and the
 * receive-side state it programs: RX modes, MAC tables, VLAN filter, queue pairs, RSS.
 * EAL-free (the unit tier runs it against a fake device), like vnet_dev.c.
 *
 * A command is one descriptor chain (header, data, ack) in one of VNET_CTRL_SLOTS slots of
 * device-visible memory, completed by polling with a bounded wait. The device is untrusted:
 * a command it never answers fails with -ETIMEDOUT and its slot stays owned by the device
 * until the device completes it (matched by id) or is reset — never reused or freed early.
 * Commands are serialised by a lock; they come from control-path calls only (any control
 * thread of the primary process, never a datapath lcore).
 *
 * The state (struct vnet_ctrl_state) lives in the driver, not the device: vnet_ctrl_replay()
 * programs all of it after every device reset.
 */

#ifndef VNET_CTRL_H
#define VNET_CTRL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet_packed.h"
#include "vnet_ring.h"

/** Commands the device may hold at once. */
#define VNET_CTRL_SLOTS		4
/** Bytes of one slot: header at 0, ack at 8, data from VNET_CTRL_DATA_OFF. */
#define VNET_CTRL_SLOT_SIZE	2048
#define VNET_CTRL_DATA_OFF	64
/** Largest command payload. */
#define VNET_CTRL_DATA_MAX	(VNET_CTRL_SLOT_SIZE - VNET_CTRL_DATA_OFF)
/** Device-visible memory vnet_ctrl_attach() needs (IOVA-contiguous). */
#define VNET_CTRL_MEM_SIZE	(VNET_CTRL_SLOTS * VNET_CTRL_SLOT_SIZE)
/** Default and largest bounded wait for one command (TCG guests answer within ms). */
#define VNET_CTRL_TIMEOUT_MS_DEFAULT	5000
#define VNET_CTRL_TIMEOUT_MS_MAX	60000

/** Unicast MAC addresses kept (the port's max_mac_addrs, primary included). */
#define VNET_CTRL_UC_MAX	64
/** Multicast addresses kept (set_mc_addr_list). */
#define VNET_CTRL_MC_MAX	128
/** Largest RSS indirection table and key vnet programs. */
#define VNET_CTRL_RETA_MAX	512
#define VNET_CTRL_KEY_MAX	40
/** VLAN IDs (12 bits). */
#define VNET_CTRL_VLAN_N	4096

/** Control-queue counters (xstats). */
struct vnet_ctrl_stats {
	uint64_t commands;	/**< commands posted */
	uint64_t errors;	/**< answered VIRTIO_NET_ERR */
	uint64_t timeouts;	/**< not answered within the timeout */
	uint64_t late;		/**< completions of commands that had timed out */
	uint64_t bad;		/**< answers that were neither OK nor ERR, or had no ack */
	uint64_t busy;		/**< refused: the device holds every slot */
};

/** One port's control queue. Fields are private; read stats under no lock (relaxed). */
struct vnet_ctrl {
	struct vnet_vring *vr;		/**< split ring, NULL: none (or packed) */
	struct vnet_packed *pr;		/**< packed ring, NULL: none (or split) */
	void (*kick)(void *arg);	/**< notify the device about the control queue */
	void *kick_arg;
	uint8_t *mem;			/**< VNET_CTRL_MEM_SIZE bytes the device can read/write */
	uint64_t iova;			/**< device address of mem */
	uint64_t features;		/**< negotiated device features */
	uint32_t timeout_us;
	uint8_t busy[VNET_CTRL_SLOTS];	/**< 1: the device owns the slot's buffers */
	pthread_mutex_t lock;
	bool lock_init;
	const char *name;		/**< for log lines */
	struct vnet_ctrl_stats st;
};

/** Receive-side state the control queue programs; kept by the driver across resets. */
struct vnet_ctrl_state {
	bool promisc;
	bool allmulti;
	bool mac_set;			/**< mac[] is the port's primary address */
	uint8_t mac[6];
	/** By ethdev MAC index (1..; 0 is the primary, in mac): unicast, or multicast as
	 * net_virtio takes them in mac_addr_add; all-zero = unused.
	 */
	uint8_t uc[VNET_CTRL_UC_MAX][6];
	uint16_t n_mc;
	uint8_t mc[VNET_CTRL_MC_MAX][6];
	bool vlan_filter;		/**< VLAN filter on (VIRTIO_NET_F_CTRL_VLAN negotiated) */
	uint64_t vlan[VNET_CTRL_VLAN_N / 64];
	uint16_t pairs;			/**< queue pairs in use (VIRTIO_NET_F_MQ) */
	bool rss;			/**< RSS_CONFIG in use (VIRTIO_NET_F_RSS) */
	bool hash_report;		/**< hash report wanted (VIRTIO_NET_F_HASH_REPORT) */
	uint32_t hash_types;		/**< VNET_NET_HASH_TYPE_* */
	uint16_t reta_len;		/**< power of two, <= VNET_CTRL_RETA_MAX */
	uint16_t reta[VNET_CTRL_RETA_MAX];
	uint8_t key_len;
	uint8_t key[VNET_CTRL_KEY_MAX];
	bool guest_offloads_set;	/**< program guest_offloads (CTRL_GUEST_OFFLOADS) */
	uint64_t guest_offloads;	/**< GUEST_* feature bits the device may use */
};

/**
 * Set up @p c (idempotent for the lock): no queue attached, default timeout. Probe time.
 */
void vnet_ctrl_init(struct vnet_ctrl *c, const char *name, uint32_t timeout_ms);

/** Destroy the lock of @p c (close). */
void vnet_ctrl_fini(struct vnet_ctrl *c);

/**
 * Attach the control queue after the device accepted its ring (before or after DRIVER_OK,
 * before the first command): @p vr laid out and empty, @p mem / @p iova the slots,
 * @p features the negotiated set. Every slot is free (the device was reset).
 */
void vnet_ctrl_attach(struct vnet_ctrl *c, struct vnet_vring *vr, void *mem, uint64_t iova,
		      void (*kick)(void *arg), void *kick_arg, uint64_t features);

/** vnet_ctrl_attach() for a packed control queue (VIRTIO_F_RING_PACKED negotiated). */
void vnet_ctrl_attach_packed(struct vnet_ctrl *c, struct vnet_packed *pr, void *mem,
			     uint64_t iova, void (*kick)(void *arg), void *kick_arg,
			     uint64_t features);

/**
 * Detach after the device was reset (it owns no slot any more). The caller reclaims the
 * ring with vnet_vring_detach_unused() (cookies are not buffers: pass no function).
 */
void vnet_ctrl_detach(struct vnet_ctrl *c);

/** Zero the counters (xstats_reset). Control path. */
void vnet_ctrl_stats_reset(struct vnet_ctrl *c);

/** True when a control queue is attached (the device is running with CTRL_VQ). */
bool vnet_ctrl_ready(const struct vnet_ctrl *c);

/**
 * Send one command and wait for its ack. Control path, takes the lock.
 *
 * @return 0 (VIRTIO_NET_OK); -EIO (VIRTIO_NET_ERR, a bad answer, or a broken queue);
 *   -ETIMEDOUT (no answer: the slot stays with the device); -EBUSY (every slot is held by
 *   the device); -ENOTSUP (no control queue); -EINVAL (payload too large).
 */
int vnet_ctrl_command(struct vnet_ctrl *c, uint8_t cls, uint8_t cmd, const void *data,
		      size_t len);

/**
 * Whether the negotiated features let vnet send (@p cls, @p cmd) (5.1.3.1 dependencies);
 * a command that needs a feature not negotiated fails with -ENOTSUP without being sent.
 */
bool vnet_ctrl_supported(const struct vnet_ctrl *c, uint8_t cls, uint8_t cmd);

/** Turn an RX mode (VNET_NET_CTRL_RX_*) on or off. */
int vnet_ctrl_rx_mode(struct vnet_ctrl *c, uint8_t cmd, bool on);

/** MAC_ADDR_SET (VIRTIO_NET_F_CTRL_MAC_ADDR). */
int vnet_ctrl_mac_addr_set(struct vnet_ctrl *c, const uint8_t mac[6]);

/**
 * MAC_TABLE_SET from @p s: the unicast table (the unicast uc[] entries, and the primary
 * address when the device cannot take MAC_ADDR_SET) and the multicast table (the multicast
 * uc[] entries and the set_mc_addr_list ones).
 */
int vnet_ctrl_mac_table(struct vnet_ctrl *c, const struct vnet_ctrl_state *s);

/**
 * GUEST_OFFLOADS_SET (5.1.6.5.6.1): the negotiated guest offloads (VIRTIO_NET_F_GUEST_*
 * bits) the device may use from now on.
 */
int vnet_ctrl_guest_offloads(struct vnet_ctrl *c, uint64_t offloads);

/** VLAN_ADD / VLAN_DEL of @p vid. */
int vnet_ctrl_vlan(struct vnet_ctrl *c, uint16_t vid, bool add);

/**
 * The multi-queue commands for @p s: RSS_CONFIG when s->rss (its max_tx_vq = s->pairs);
 * else VQ_PAIRS_SET (s->pairs, when VIRTIO_NET_F_MQ), followed by HASH_CONFIG when the hash
 * report is wanted. The device obeys the last MQ command; QEMU turns RSS and hashing off on
 * a later VQ_PAIRS_SET.
 */
int vnet_ctrl_mq(struct vnet_ctrl *c, const struct vnet_ctrl_state *s);

/**
 * Program all of @p s after a device reset, in this order: guest offloads, RX modes, primary
 * MAC, MAC table,
 * VLAN IDs, then the multi-queue command last. Commands whose feature is not negotiated are
 * skipped. @return 0, or the first error (the remaining commands are still sent, except
 * after a timeout).
 */
int vnet_ctrl_replay(struct vnet_ctrl *c, const struct vnet_ctrl_state *s);

/** Is @p vid set in @p s's VLAN filter? */
static inline bool
vnet_ctrl_vlan_test(const struct vnet_ctrl_state *s, uint16_t vid)
{
	return (s->vlan[(vid & 0xfff) / 64] >> (vid % 64)) & 1;
}

/** Set or clear @p vid in @p s's VLAN filter. */
static inline void
vnet_ctrl_vlan_mark(struct vnet_ctrl_state *s, uint16_t vid, bool on)
{
	uint64_t bit = UINT64_C(1) << (vid % 64);

	if (on)
		s->vlan[(vid & 0xfff) / 64] |= bit;
	else
		s->vlan[(vid & 0xfff) / 64] &= ~bit;
}

#endif /* VNET_CTRL_H */
