/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * What both fake devices do around their ring, written once: the device thread (sleep on
 * the kick eventfd or poll, missed-kick detection), kicks, the data mode (check readable
 * bytes, fill writable ones), first-error reporting and the counters. The ring formats
 * themselves (pop, complete, event suppression) stay in vnet_fake_dev.c (split) and
 * vnet_fake_dev_packed.c (packed), each written from its part of the spec.
 *
 * Private to those two files, included once by each after defining
 *   FDEV            its device struct (struct vnet_fake_dev / struct vnet_fake_pdev), whose
 *                   thread, kick, data and counter fields have the same names in both;
 *   FDEV_FN(name)   its public name for a device call (vfd_##name / vfdp_##name).
 * The including file provides FDEV_FN(avail_pending), FDEV_FN(kick_expected),
 * FDEV_FN(notify_enable), FDEV_FN(notify_disable) (declared in its public header) and the
 * two static functions declared below.
 */

#ifndef VNET_FAKE_DEV_COMMON_H
#define VNET_FAKE_DEV_COMMON_H

#if !defined(FDEV) || !defined(FDEV_FN)
#error "define FDEV and FDEV_FN before including vnet_fake_dev_common.h"
#endif

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* The device's own idea of ordering: the same builtins, spelled out here on purpose. */
#define DEV_LOAD_ACQ(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define DEV_LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define DEV_STORE_REL(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define DEV_STORE(p, v)		__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define DEV_MB()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

/* Counters have one writer (the device side) and are read by FDEV_FN(stat) from any thread. */
#define ST_ADD(d, f, v)		DEV_STORE(&(d)->st.f, (d)->st.f + (uint64_t)(v))

/*
 * Pop, process and complete up to @max buffers; returns how many, or < 0 when the ring is
 * unusable (the device thread then only waits for the stop).
 */
static int run_batch(FDEV *d, unsigned int max);

/* The device's avail position, for the missed-kick message. */
static void avail_where(const FDEV *d, char *buf, size_t size);

static void __attribute__((format(printf, 2, 3)))
dev_error(FDEV *d, const char *fmt, ...)
{
	va_list ap;

	ST_ADD(d, errors, 1);
	if (d->errmsg[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(d->errmsg, sizeof(d->errmsg), fmt, ap);
	va_end(ap);
}

/*
 * The init steps both devices share, on a zeroed device: data NONE, wait POLL, batch 64,
 * grace 250 ms, no call eventfd, the shuffle generator from @seed; the kick eventfd and
 * the internal wake-up eventfd. Returns 0 or a negative errno (nothing left open).
 */
static int
dev_open(FDEV *d, uint64_t seed)
{
	d->data = VFD_DATA_NONE;
	d->wait = VFD_WAIT_POLL;
	d->max_batch = 64;
	d->grace_ms = 250;
	d->call_fd = -1;
	d->rng = seed ^ (uintptr_t)d;
	d->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->kick_fd < 0 || d->wake_fd < 0) {
		int err = -errno;

		FDEV_FN(fini)(d);
		return err;
	}
	return 0;
}

void
FDEV_FN(fini)(FDEV *d)
{
	if (d->kick_fd >= 0)
		close(d->kick_fd);
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	d->kick_fd = -1;
	d->wake_fd = -1;
}

/*
 * The data mode on a popped buffer: check its readable bytes against the pattern of its
 * sequence number, fill the writable ones up to the used len, which it returns (all
 * writable bytes if @full, else vfd_rx_len()). Uses and advances d->seq.
 */
static uint32_t
process_elem(FDEV *d, const struct vfd_elem *e, bool full)
{
	uint64_t seq = d->seq++, off = 0, bad = 0;
	uint32_t wlen, left;
	unsigned int s;

	if (d->data == VFD_DATA_NONE)
		return 0;

	for (s = 0; s < e->nout; s++) {
		bad += vfd_pattern_check(e->seg[s].ptr, e->seg[s].len, seq, off);
		off += e->seg[s].len;
	}
	ST_ADD(d, bytes_checked, e->out_bytes);
	if (bad != 0) {
		ST_ADD(d, mismatches, 1);
		if (d->errmsg[0] == '\0')
			snprintf(d->errmsg, sizeof(d->errmsg),
				 "seq %llu: %llu of %llu readable bytes wrong",
				 (unsigned long long)seq, (unsigned long long)bad,
				 (unsigned long long)e->out_bytes);
	}

	wlen = full ? (uint32_t)e->in_bytes : vfd_rx_len(seq, e->in_bytes);
	left = wlen;
	off = 0;
	for (s = e->nout; s < e->nseg && left > 0; s++) {
		uint32_t n = e->seg[s].len < left ? e->seg[s].len : left;

		vfd_pattern_fill(e->seg[s].ptr, n, seq, off);
		off += n;
		left -= n;
	}
	ST_ADD(d, bytes_filled, wlen);
	return wlen;
}

/* A used-buffer notification decision: count it, and signal the call eventfd if any. */
static bool
dev_notify(FDEV *d, bool notify)
{
	if (notify) {
		ST_ADD(d, notifies, 1);
		if (d->call_fd >= 0) {
			uint64_t one = 1;

			if (write(d->call_fd, &one, sizeof(one)) != sizeof(one))
				dev_error(d, "call eventfd write failed");
		}
	} else {
		ST_ADD(d, notifies_suppressed, 1);
	}
	return notify;
}

int
FDEV_FN(run_once)(FDEV *d, unsigned int max)
{
	return run_batch(d, max);
}

uint64_t
FDEV_FN(drain_kicks)(FDEV *d)
{
	uint64_t v = 0;

	if (read(d->kick_fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	ST_ADD(d, kicks, v);
	return v;
}

void
FDEV_FN(kick)(FDEV *d)
{
	uint64_t one = 1;

	if (write(d->kick_fd, &one, sizeof(one)) != sizeof(one))
		abort();	/* an eventfd write cannot fail short of a counter overflow */
}

static bool
stopping(const FDEV *d)
{
	return __atomic_load_n(&d->stop, __ATOMIC_ACQUIRE) != 0;
}

/*
 * Sleep until kicked. Two consecutive grace periods with a kick due by our own suppression
 * state and none arriving = a lost wake-up: count it and return so the ring gets serviced.
 */
static void
wait_kick(FDEV *d)
{
	bool suspect = false;

	ST_ADD(d, sleeps, 1);
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = d->kick_fd, .events = POLLIN },
			{ .fd = d->wake_fd, .events = POLLIN },
		};
		int r = poll(pfd, 2, (int)d->grace_ms);

		if (stopping(d))
			return;
		if (r > 0) {
			if (FDEV_FN(drain_kicks)(d) > 0) {
				ST_ADD(d, wakeups, 1);
				return;
			}
			continue;
		}
		if (r < 0)
			continue;	/* EINTR */
		if (!FDEV_FN(kick_expected)(d)) {
			suspect = false;
			continue;
		}
		if (suspect) {
			ST_ADD(d, missed_kicks, 1);
			if (d->errmsg[0] == '\0') {
				char where[64];

				avail_where(d, where, sizeof(where));
				snprintf(d->errmsg, sizeof(d->errmsg),
					 "missed kick: asleep at avail %s", where);
			}
			return;
		}
		suspect = true;
	}
}

static void *
dev_thread(void *arg)
{
	FDEV *d = arg;

	while (!stopping(d)) {
		unsigned int max = d->max_batch;
		int n;

		FDEV_FN(notify_disable)(d);
		do {
			if (d->shuffle && max > 1)
				max = 1 + (unsigned int)(ut_rand(&d->rng) % d->max_batch);
			n = run_batch(d, max);
			if (n < 0) {
				/* A broken ring: nothing more to do but wait for the stop. */
				while (!stopping(d))
					usleep(1000);
				return NULL;
			}
		} while (n > 0 && !stopping(d));

		if (!FDEV_FN(notify_enable)(d))
			continue;
		if (d->wait == VFD_WAIT_KICK) {
			wait_kick(d);
		} else {
			while (!stopping(d) && !FDEV_FN(avail_pending)(d)) {
				FDEV_FN(drain_kicks)(d);
				sched_yield();
			}
		}
	}
	return NULL;
}

int
FDEV_FN(start)(FDEV *d)
{
	int r;

	if (d->max_batch == 0 || d->max_batch > VFD_MAX_BATCH)
		return -EINVAL;
	__atomic_store_n(&d->stop, 0, __ATOMIC_RELEASE);
	r = pthread_create(&d->thread, NULL, dev_thread, d);
	if (r != 0)
		return -r;
	d->running = true;
	return 0;
}

void
FDEV_FN(stop)(FDEV *d)
{
	uint64_t one = 1;

	if (!d->running)
		return;
	__atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
	if (write(d->wake_fd, &one, sizeof(one)) != sizeof(one))
		abort();
	pthread_join(d->thread, NULL);
	d->running = false;
	FDEV_FN(drain_kicks)(d);
}

void
FDEV_FN(stat)(const FDEV *d, struct vfd_stats *out)
{
	out->popped = DEV_LOAD(&d->st.popped);
	out->completed = DEV_LOAD(&d->st.completed);
	out->flushes = DEV_LOAD(&d->st.flushes);
	out->kicks = DEV_LOAD(&d->st.kicks);
	out->wakeups = DEV_LOAD(&d->st.wakeups);
	out->sleeps = DEV_LOAD(&d->st.sleeps);
	out->missed_kicks = DEV_LOAD(&d->st.missed_kicks);
	out->notifies = DEV_LOAD(&d->st.notifies);
	out->notifies_suppressed = DEV_LOAD(&d->st.notifies_suppressed);
	out->bytes_checked = DEV_LOAD(&d->st.bytes_checked);
	out->bytes_filled = DEV_LOAD(&d->st.bytes_filled);
	out->mismatches = DEV_LOAD(&d->st.mismatches);
	out->errors = DEV_LOAD(&d->st.errors);
}

#endif /* VNET_FAKE_DEV_COMMON_H */
