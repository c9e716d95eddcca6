/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * A fake virtio packed-virtqueue DEVICE (virtio 1.2, 2.8) for the EAL-free unit tests: the
 * packed counterpart of vnet_fake_dev.h, sharing its element, statistics, data-mode and
 * pattern definitions.
 *
 * Written from the spec, independently of the driver core (vnet_packed_layout() is the one
 * core function it uses, to find the event suppression areas):
 *   - pop: the descriptor at the device's avail position is available when its AVAIL bit
 *     equals the device's avail wrap counter and its USED bit does not; walk NEXT chains in
 *     the ring (flags consistent in every member, length <= queue size) and indirect tables
 *     (only WRITE valid, no NEXT on the ring descriptor), readable before writable; the
 *     buffer id is the one in the chain's last descriptor (2.8.6);
 *   - complete: write used descriptors in completion order at the used position (id, len,
 *     WRITE if bytes were written, AVAIL = USED = used wrap counter), skipping each buffer's
 *     other descriptors; the first used descriptor of a batch gets its flags last (release),
 *     like "Multi-buffer requests". With IN_ORDER and batch_used, one used descriptor (the
 *     batch's last id) for the whole batch, skipping all of it;
 *   - notify the driver by the driver event suppression area: DISABLE, ENABLE, or with
 *     event-idx DESC: notify iff the used position stepped over (off, wrap);
 *   - device event suppression: flag mode DISABLE while busy, ENABLE when idle; event-idx
 *     mode DESC at (avail position + threshold) when idle (threshold 20: one kick per 21).
 * Kicks, missed-kick detection and the device thread work as in vnet_fake_dev.h (one
 * implementation for both: vnet_fake_dev_common.h).
 */

#ifndef VNET_FAKE_DEV_PACKED_H
#define VNET_FAKE_DEV_PACKED_H

#include "vnet_fake_dev.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One popped buffer waiting for completion. */
struct vfdp_done {
	uint16_t id;
	uint16_t ndescs;
	uint32_t len;
};

/** The fake device's view of one packed virtqueue. */
struct vnet_fake_pdev {
	unsigned int num;
	struct vnet_pvirtq_desc *desc;
	struct vnet_pvirtq_event *driver_event;	/**< device reads */
	struct vnet_pvirtq_event *device_event;	/**< device writes */

	uint16_t avail_pos;		/**< next descriptor to pop */
	bool avail_wrap;
	uint16_t used_pos;		/**< next used descriptor to write */
	bool used_wrap;
	uint64_t seq;			/**< sequence number of the next buffer popped */
	uint64_t wrap_flips;		/**< times the used wrap counter flipped */

	bool event_idx;
	bool in_order;
	bool batch_used;		/**< IN_ORDER: one used descriptor per batch */
	uint16_t threshold;
	enum vfd_data_mode data;
	enum vfd_wait_mode wait;
	unsigned int max_batch;
	bool shuffle;			/**< complete each batch in random order (not IN_ORDER) */
	unsigned int grace_ms;
	int kick_fd;
	int call_fd;
	int wake_fd;

	pthread_t thread;
	bool running;
	int stop;
	uint64_t rng;

	struct vfd_stats st;
	char errmsg[160];

	struct vfd_elem elem;
	struct vfdp_done batch[VFD_MAX_BATCH];
};

/**
 * Attach to a packed ring the driver laid out and zeroed (@p num entries) and reset the
 * device state (wrap counters 1, data NONE, wait POLL, batch 64, grace 250 ms); creates the
 * kick eventfd. Event-idx mode announces DESC at threshold.
 */
int vfdp_init(struct vnet_fake_pdev *d, void *ring_mem, unsigned int num, bool event_idx,
	      bool in_order, uint16_t threshold);

/** Close the eventfds (after vfdp_stop()). */
void vfdp_fini(struct vnet_fake_pdev *d);

/** Forget ring state as a device reset does (positions 0, wrap counters 1, seq @p seq_base). */
void vfdp_reset(struct vnet_fake_pdev *d, uint64_t seq_base);

/** Is the descriptor at the device's avail position available? */
bool vfdp_avail_pending(struct vnet_fake_pdev *d);

/**
 * Pop the next available buffer into @p e (head = buffer id), its ring descriptor count
 * into @p ndescs. @return 1, 0 (none), -EPROTO (bad buffer: counted, consumed).
 */
int vfdp_pop(struct vnet_fake_pdev *d, struct vfd_elem *e, uint16_t *ndescs);

/** Check/fill the buffer by d->data; return the used len (all writable bytes if @p full). */
uint32_t vfdp_process_elem(struct vnet_fake_pdev *d, const struct vfd_elem *e, bool full);

/**
 * Write used descriptors for @p n completed buffers (in that order), then decide about a
 * used-buffer notification; returns true if one was sent.
 */
bool vfdp_complete(struct vnet_fake_pdev *d, const struct vfdp_done *b, unsigned int n);

/** Synchronous step: pop up to @p max buffers, process, complete. @return buffers done. */
int vfdp_run_once(struct vnet_fake_pdev *d, unsigned int max);

/** Device idle: enable kicks (ENABLE, or DESC at avail + threshold), barrier, re-check. */
bool vfdp_notify_enable(struct vnet_fake_pdev *d);

/** Device busy: DISABLE in flag mode (event-idx mode writes nothing, like QEMU). */
void vfdp_notify_disable(struct vnet_fake_pdev *d);

/** By the device's own suppression state, must the driver have kicked by now? */
bool vfdp_kick_expected(struct vnet_fake_pdev *d);

/** Drain the kick eventfd without blocking; returns the kicks read. */
uint64_t vfdp_drain_kicks(struct vnet_fake_pdev *d);

/** Driver side of a kick. */
void vfdp_kick(struct vnet_fake_pdev *d);

/** Start the device thread (pthread). */
int vfdp_start(struct vnet_fake_pdev *d);

/** Stop and join the device thread. */
void vfdp_stop(struct vnet_fake_pdev *d);

/** Snapshot of the counters, safe while the device thread runs. */
void vfdp_stat(const struct vnet_fake_pdev *d, struct vfd_stats *out);

/* ---- Hostile helpers (test thread, synchronous) ---- */

/**
 * Write one used descriptor at the used position with @p id, @p len and @p flags (the
 * AVAIL/USED bits are taken from @p flags as given: pass vfdp_used_bits() for correct ones),
 * then move the used position by @p skip descriptors. Flags are stored with release.
 */
void vfdp_put_used_raw(struct vnet_fake_pdev *d, uint16_t id, uint32_t len, uint16_t flags,
		       unsigned int skip);

/** AVAIL|USED bits a correct used descriptor carries at the current used position. */
uint16_t vfdp_used_bits(const struct vnet_fake_pdev *d);

#ifdef __cplusplus
}
#endif

#endif /* VNET_FAKE_DEV_PACKED_H */
