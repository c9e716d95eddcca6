/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * A fake virtio split-virtqueue DEVICE for the EAL-free unit tests and the ring benchmark.
 *
 * Written independently of the driver core: it touches the shared ring only through the
 * spec structures of vnet_virtio_spec.h (vnet_vring_layout() is the one core function it
 * uses, to find the avail and used rings). It behaves like QEMU's virtqueue_pop / fill /
 * flush:
 *   - pop: read avail->idx (acquire), take the next head, walk the chain (NEXT and INDIRECT),
 *     validating like a device would (head/next in range, no loops, no nested indirect,
 *     indirect table length a multiple of 16, readable segments before writable ones);
 *   - fill: write one used element (id, len) at a position relative to the used idx;
 *   - flush: release-store used->idx, then decide whether to notify the driver
 *     (used_event with VIRTIO_F_EVENT_IDX, VRING_AVAIL_F_NO_INTERRUPT otherwise).
 * Device-side notification suppression: flag mode sets VRING_USED_F_NO_NOTIFY while busy and
 * clears it when idle; event-idx mode writes avail_event = last_avail_idx + threshold when
 * it goes idle (threshold 0 = QEMU; 20 = "kick me every 21 buffers").
 *
 * Kicks arrive on an eventfd the driver writes. The device thread (vfd_start()) sleeps on it
 * when idle; a timeout detects lost wake-ups: a kick the device asked for (by its own
 * suppression state) that did not arrive within two grace periods is a "missed kick",
 * counted, and the device then processes the ring anyway so the test finishes and reports.
 *
 * Data modes: VFD_DATA_NONE completes every chain with len 0 without touching the buffers;
 * VFD_DATA_PATTERN checks every readable byte against vfd_pattern(seq) (TX-like) and fills
 * the writable part with the same pattern up to vfd_rx_len(seq, writable bytes), reporting
 * that as used len (RX-like). seq is the chain's position in the avail ring, counted from
 * vfd_init()'s seq_base: the driver knows it too, because it posts in order.
 *
 * Hostile helpers (vfd_put_used_raw(), vfd_set_used_idx()) write arbitrary used entries
 * synchronously from the test thread.
 *
 * Threading: one thread drives a struct vnet_fake_dev at a time (the device thread between
 * vfd_start() and vfd_stop(), the test thread otherwise). Counters are read by other threads
 * only with vfd_stat().
 */

#ifndef VNET_FAKE_DEV_H
#define VNET_FAKE_DEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet_virtio_spec.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest chain (main table or indirect) the fake device accepts. */
#define VFD_MAX_SEGS	512
/** Most chains the device thread pops before it fills and flushes them. */
#define VFD_MAX_BATCH	256

/** What the device does with the buffers it pops. */
enum vfd_data_mode {
	VFD_DATA_NONE = 0,	/**< complete with len 0, touch nothing */
	VFD_DATA_PATTERN,	/**< check readable bytes, fill writable bytes (see file doc) */
};

/** How the device thread waits when the ring is empty. */
enum vfd_wait_mode {
	VFD_WAIT_POLL = 0,	/**< spin (with sched_yield) on avail->idx; kicks are drained */
	VFD_WAIT_KICK,		/**< sleep on the kick eventfd; missed kicks are detected */
};

/** One segment of a popped chain. */
struct vfd_seg {
	uint8_t *ptr;		/**< buffer (the tests use virtual addresses as IOVAs) */
	uint32_t len;
	bool write;		/**< device-writable */
};

/** A popped chain (QEMU's VirtQueueElement). */
struct vfd_elem {
	uint16_t head;		/**< head descriptor id, the used element's id */
	uint16_t nseg;
	uint16_t nout;		/**< readable segments (they come first) */
	bool indirect;
	uint64_t out_bytes;	/**< readable bytes */
	uint64_t in_bytes;	/**< writable bytes */
	struct vfd_seg seg[VFD_MAX_SEGS];
};

/** Counters. All are totals since vfd_init(). */
struct vfd_stats {
	uint64_t popped;		/**< chains popped */
	uint64_t completed;		/**< used elements flushed */
	uint64_t flushes;		/**< used->idx stores */
	uint64_t kicks;			/**< kicks received (sum of eventfd counter reads) */
	uint64_t wakeups;		/**< times the thread woke up because of a kick */
	uint64_t sleeps;		/**< times the thread went to sleep on the eventfd */
	uint64_t missed_kicks;		/**< expected kicks that never came (lost wake-ups) */
	uint64_t notifies;		/**< used-buffer notifications sent to the driver */
	uint64_t notifies_suppressed;	/**< flushes where the driver asked for none */
	uint64_t bytes_checked;		/**< readable bytes verified */
	uint64_t bytes_filled;		/**< writable bytes written */
	uint64_t mismatches;		/**< readable chains whose bytes were wrong */
	uint64_t errors;		/**< device-side validation failures (bad chains) */
};

/** The fake device's view of one virtqueue. */
struct vnet_fake_dev {
	/* The ring, as the device maps it. */
	unsigned int num;
	uint16_t mask;
	struct vnet_vring_desc *desc;
	struct vnet_vring_avail *avail;
	struct vnet_vring_used *used;
	uint16_t *used_event;		/**< avail->ring[num], driver-written */
	uint16_t *avail_event;		/**< used->ring[num], device-written */

	/* Device state (QEMU's VirtQueue). */
	uint16_t last_avail_idx;	/**< next avail entry to pop */
	uint16_t used_idx;		/**< used idx last stored to the ring */
	uint16_t raw_pending;		/**< entries vfd_put_used_raw() filled, not flushed */
	uint64_t seq;			/**< sequence number of the next chain popped */

	/* Configuration (set before vfd_start()). */
	bool event_idx;			/**< VIRTIO_F_EVENT_IDX negotiated */
	uint16_t threshold;		/**< event-idx: avail_event = last_avail + threshold */
	enum vfd_data_mode data;
	enum vfd_wait_mode wait;
	unsigned int max_batch;		/**< chains per fill/flush round, 1..VFD_MAX_BATCH */
	bool shuffle;			/**< complete each batch in a random order */
	bool flush_each;		/**< flush after every used element instead of per batch */
	unsigned int grace_ms;		/**< missed-kick grace period (VFD_WAIT_KICK) */
	int kick_fd;			/**< eventfd: driver writes, device reads */
	int call_fd;			/**< eventfd the device writes on notify, or -1 */
	int wake_fd;			/**< internal: vfd_stop() wakes a sleeping thread */

	/* Thread. */
	pthread_t thread;
	bool running;
	int stop;			/**< set by vfd_stop() (atomic) */
	uint64_t rng;

	struct vfd_stats st;		/**< written by the device side only */
	char errmsg[160];		/**< first validation error */

	struct vfd_elem elem;		/**< pop scratch */
	struct vnet_vring_used_elem batch[VFD_MAX_BATCH];
};

/**
 * Attach the device to a ring the driver already laid out and zeroed in @p ring_mem
 * (vnet_vring_init(): @p num entries, used ring aligned to @p align) and reset the device
 * state (seq 0, data NONE, wait POLL, batch 64, grace 250 ms). Creates the kick eventfd.
 * In event-idx mode it writes avail_event = 0 + threshold: a device announces its
 * threshold when it starts.
 *
 * @return 0 or a negative errno.
 */
int vfd_init(struct vnet_fake_dev *d, void *ring_mem, unsigned int num, unsigned long align,
	     bool event_idx, uint16_t threshold);

/** Close the eventfds (after vfd_stop()). */
void vfd_fini(struct vnet_fake_dev *d);

/**
 * Forget the device's ring indices, as a device reset does (QEMU's virtio_queue_reset):
 * last_avail_idx, used_idx and seq go back to 0 / @p seq_base. Ring memory is not
 * touched: a real device does not write it on reset either.
 */
void vfd_reset(struct vnet_fake_dev *d, uint64_t seq_base);

/**
 * White-box: start the device at ring index @p idx (the driver must be at the same idx),
 * used to test 16-bit wrap-around without pushing 65536 buffers first.
 */
void vfd_set_start_idx(struct vnet_fake_dev *d, uint16_t idx);

/** Chains available but not popped yet (reads avail->idx with acquire). */
uint16_t vfd_avail_pending(struct vnet_fake_dev *d);

/**
 * Pop the next available chain into @p e (virtqueue_pop).
 *
 * @return 1 popped, 0 ring empty, -EPROTO invalid chain (counted in st.errors, reason in
 *   errmsg; the head is consumed so the device can go on), -ERANGE avail idx moved by
 *   more than num (nothing consumed).
 */
int vfd_pop(struct vnet_fake_dev *d, struct vfd_elem *e);

/** Write used element (@p id, @p len) @p off entries after the current used idx. */
void vfd_fill(struct vnet_fake_dev *d, uint32_t id, uint32_t len, unsigned int off);

/**
 * Publish @p count filled entries (release-store used->idx) and decide about notifying the
 * driver; returns true when a notification was sent (counted in st.notifies).
 */
bool vfd_flush(struct vnet_fake_dev *d, unsigned int count);

/**
 * First half of vfd_flush(): release-store used->idx += @p count. Returns the old used idx
 * for vfd_flush_notify(). Split so that a test can let the driver run between the two
 * halves, as a concurrent driver can.
 */
uint16_t vfd_flush_store(struct vnet_fake_dev *d, unsigned int count);

/** Second half of vfd_flush(): full barrier, read used_event / flags, maybe notify. */
bool vfd_flush_notify(struct vnet_fake_dev *d, uint16_t old);

/**
 * Process the chain in @p e according to d->data (check readable bytes, fill writable
 * ones) and return the used len to report. Uses and advances d->seq.
 */
uint32_t vfd_process_elem(struct vnet_fake_dev *d, const struct vfd_elem *e);

/**
 * Synchronous device step: pop up to @p max chains, process them, fill and flush each one
 * (one flush per chain if d->flush_each, else one per call). Used by lock-step tests.
 *
 * @return chains completed (0 when the ring was empty), or a negative errno from vfd_pop().
 */
int vfd_run_once(struct vnet_fake_dev *d, unsigned int max);

/**
 * Device went idle: re-enable driver->device notifications (clear NO_NOTIFY, or write
 * avail_event = last_avail_idx + threshold), full barrier, re-check the avail ring.
 *
 * @return true if the device may sleep (no kick it asked for is already due), false if
 *   new buffers arrived that it must process first.
 */
bool vfd_notify_enable(struct vnet_fake_dev *d);

/** Device got busy: set NO_NOTIFY (flag mode; event-idx mode writes nothing, like QEMU). */
void vfd_notify_disable(struct vnet_fake_dev *d);

/**
 * By the device's own published suppression state, has the driver published enough that
 * it must have kicked? (flag: NO_NOTIFY clear and buffers pending; event-idx: avail->idx
 * stepped over avail_event since last_avail_idx.)
 */
bool vfd_kick_expected(struct vnet_fake_dev *d);

/** Drain the kick eventfd without blocking; returns the kicks read (added to st.kicks). */
uint64_t vfd_drain_kicks(struct vnet_fake_dev *d);

/** Driver side of a kick: write 1 to the device's kick eventfd. */
void vfd_kick(struct vnet_fake_dev *d);

/** Start the device thread (pthread). */
int vfd_start(struct vnet_fake_dev *d);

/** Stop and join the device thread. */
void vfd_stop(struct vnet_fake_dev *d);

/** Snapshot of the counters, safe while the device thread runs. */
void vfd_stat(const struct vnet_fake_dev *d, struct vfd_stats *out);

/* ---- Hostile helpers (test thread, synchronous) ---- */

/** Fill a used element (@p id, @p len) after the ones already put; vfd_flush() publishes. */
void vfd_put_used_raw(struct vnet_fake_dev *d, uint32_t id, uint32_t len);

/** Store @p idx to used->idx (release) and make it the device's used idx. */
void vfd_set_used_idx(struct vnet_fake_dev *d, uint16_t idx);

/* ---- Shared between device and driver tests ---- */

/** Byte @p off of the pattern for chain @p seq (readable and writable streams alike). */
static inline uint8_t
vfd_pattern_byte(uint64_t seq, uint64_t off)
{
	uint8_t base = (uint8_t)((seq * 0x9E3779B97F4A7C15ull) >> 56);
	uint8_t step = (uint8_t)(((seq >> 3) * 2 + 1) & 0xff);

	return (uint8_t)(base + (uint8_t)off * step + (uint8_t)(off >> 8));
}

/** Fill @p len bytes at @p p with the pattern of @p seq, starting at stream offset @p off. */
void vfd_pattern_fill(uint8_t *p, uint32_t len, uint64_t seq, uint64_t off);

/** Count bytes at @p p that differ from the pattern of @p seq at stream offset @p off. */
uint64_t vfd_pattern_check(const uint8_t *p, uint32_t len, uint64_t seq, uint64_t off);

/**
 * Bytes the device writes into a chain with @p in_bytes writable bytes (its used len):
 * usually all of them, sometimes fewer, never more; 0 when nothing is writable.
 */
static inline uint32_t
vfd_rx_len(uint64_t seq, uint64_t in_bytes)
{
	if (in_bytes == 0)
		return 0;
	if (seq % 4 == 1)
		return (uint32_t)(in_bytes - (seq / 4) % in_bytes);
	return (uint32_t)in_bytes;
}

/* ---- Tiny test harness shared by the unit tests ---- */

/** Fail the current case with a formatted reason (first failure wins) and return 1. */
#define UT_FAIL(...)							\
	do {								\
		ut_fail_at(__FILE__, __LINE__, __VA_ARGS__);		\
		return 1;						\
	} while (0)

/** Assert @p cond inside a case function returning int. */
#define UT_ASSERT(cond, ...)						\
	do {								\
		if (!(cond))						\
			UT_FAIL(__VA_ARGS__);				\
	} while (0)

/** Record a failure reason for the running case. */
void ut_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Run one case: prints "PASS name" or "FAIL name: reason"; returns 0 / 1. */
int ut_run(const char *name, int (*fn)(void));

/**
 * Work scale for long tests: VNET_UT_SCALE from the environment (a positive float), else 1
 * (sanitizer builds too: they run the full 10^7 buffers in ~10 s). *sanitized tells whether
 * this is a sanitizer build, for the tests to report it.
 */
double ut_scale(bool *sanitized);

/** Monotonic time in seconds. */
double ut_now(void);

/** xorshift64* step. */
static inline uint64_t
ut_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

#ifdef __cplusplus
}
#endif

#endif /* VNET_FAKE_DEV_H */
