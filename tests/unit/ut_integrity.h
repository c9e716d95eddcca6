/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * The data-integrity run shared by test_integrity.c (split) and test_packed_integrity.c
 * (packed): the driver posts buffers of the configured shapes through the ring core while
 * the fake device thread pops, checks and fills them; every byte and every used length is
 * checked in both directions (readable bytes by the device, writable bytes and used len by
 * the driver). At the end: no device error or mismatch, every buffer popped and completed
 * once, no missed kick, no leaked request or descriptor, and the ring wrapped (16-bit index
 * wraps for split, used wrap counter flips for packed).
 *
 * Work is scaled by VNET_UT_SCALE (default 1, sanitizer builds included). At scale >= 1 the
 * total is >= 10^7 buffers, which the last case asserts.
 */

#ifndef UT_INTEGRITY_H
#define UT_INTEGRITY_H

#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ut_queue.h"

#define CANARY		0xa5

enum kind { K_TX, K_RX, K_MIXED };

struct cfg {
	const char *name;
	unsigned int num;
	bool event_idx;
	bool in_order;		/* packed only */
	bool batch_used;	/* packed IN_ORDER: one used descriptor per device batch */
	enum vfd_wait_mode wait;
	enum kind kind;
	unsigned int max_seg;	/* segments per chain */
	unsigned int seg_len;	/* max bytes per segment */
	unsigned int ind_max;	/* 0: no indirect; else chains go indirect at random */
	bool shuffle;		/* device completes batches out of order */
	uint16_t start_idx;	/* split only: white-box start index (0 = from init) */
	uint64_t count;		/* buffers at scale 1 */
};

struct req {
	uint64_t seq;
	uint64_t in_bytes;
	unsigned int nseg, out;
	bool inflight;
	uint8_t *data;
	struct vnet_sg *sg;	/* [max_seg] */
};

static uint64_t total_buffers;
static double scale;
static bool sanitized;

/* Used len and written bytes of a completed buffer (@full: the device fills all of it). */
static int
check_rx(const struct req *q, uint32_t len, bool full)
{
	uint32_t expect = full ? (uint32_t)q->in_bytes : vfd_rx_len(q->seq, q->in_bytes);
	uint64_t off = 0;
	unsigned int s;

	if (len != expect)
		UT_FAIL("seq %" PRIu64 ": used len %u, expected %u (writable %" PRIu64 ")",
			q->seq, len, expect, q->in_bytes);
	for (s = q->out; s < q->nseg; s++) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)q->sg[s].addr;
		uint32_t n = q->sg[s].len, w = 0, i;

		if (off < len)
			w = len - off < n ? (uint32_t)(len - off) : n;
		if (vfd_pattern_check(p, w, q->seq, off) != 0)
			UT_FAIL("seq %" PRIu64 ": written bytes wrong in segment %u", q->seq, s);
		for (i = w; i < n; i++)
			if (p[i] != CANARY)
				UT_FAIL("seq %" PRIu64 ": device wrote past used len", q->seq);
		off += n;
	}
	return 0;
}

/* Laps of the used position: 16-bit used index wraps (split), wrap counter flips (packed). */
struct laps {
	uint16_t prev_idx;
	bool prev_wrap;
	uint64_t n;
};

static void
laps_note(struct laps *l, const struct ut_queue *r, bool first)
{
	if (r->packed) {
		if (!first && r->p.pr.used_wrap != l->prev_wrap)
			l->n++;
		l->prev_wrap = r->p.pr.used_wrap;
	} else {
		if (!first && (uint16_t)r->s.vr.last_used_idx < l->prev_idx)
			l->n++;
		l->prev_idx = r->s.vr.last_used_idx;
	}
}

/* Did the ring wrap as often as @count buffers of @descs descriptors make it? */
static int
laps_check(const struct laps *l, const struct cfg *c, bool packed, uint64_t count,
	   uint64_t descs)
{
	if (!packed) {
		if (count + c->start_idx > 65536 + 1000 && l->n == 0)
			UT_FAIL("index never wrapped");
		return 0;
	}
	/* Each lap of descriptors flips the used wrap counter once (seen at least every 2). */
	if (l->n + 1 < descs / c->num / 2 || (descs >= 2ull * c->num && l->n == 0))
		UT_FAIL("wrap counter flipped %" PRIu64 " times for %" PRIu64
			" descriptors on a ring of %u", l->n, descs, c->num);
	return 0;
}

static int
run_cfg(const struct cfg *c, bool packed)
{
	struct ut_queue r;
	struct req *reqs = NULL, **freel = NULL;
	struct vnet_sg *sgs = NULL;
	uint8_t *pool = NULL;
	unsigned int nfree = 0, i, nreq;
	uint64_t count = (uint64_t)((double)c->count * scale), sent = 0, done = 0, descs = 0;
	uint64_t rng = 0x9e3779b97f4a7c15ull ^ c->num, idle = 0;
	bool full = c->in_order && c->batch_used;
	size_t cap = (size_t)c->max_seg * c->seg_len;
	double t_last = ut_now();
	struct laps laps = { 0 };
	struct vfd_stats st;
	int rc = 1;

	if (count < 1000)
		count = 1000;
	if (utq_setup(&r, packed, c->num, c->event_idx, c->in_order, 0, c->ind_max) != 0)
		UT_FAIL("ring setup");
	UTQ_DEV_SET(&r, data, VFD_DATA_PATTERN);
	UTQ_DEV_SET(&r, wait, c->wait);
	UTQ_DEV_SET(&r, shuffle, c->shuffle);
	UTQ_DEV_SET(&r, max_batch, 64);
	if (packed)
		r.p.dev->batch_used = c->batch_used;
	if (c->start_idx != 0)
		ut_ring_start_at(&r.s, c->start_idx);
	laps_note(&laps, &r, true);

	nreq = c->num;
	reqs = calloc(nreq, sizeof(*reqs));
	freel = calloc(nreq, sizeof(*freel));
	sgs = calloc((size_t)nreq * c->max_seg, sizeof(*sgs));
	pool = malloc(cap * nreq);
	if (reqs == NULL || freel == NULL || sgs == NULL || pool == NULL) {
		ut_fail_at(__FILE__, __LINE__, "out of memory");
		goto out;
	}
	for (i = 0; i < nreq; i++) {
		reqs[i].data = pool + cap * i;
		reqs[i].sg = sgs + (size_t)c->max_seg * i;
		freel[nfree++] = &reqs[i];
	}
	if (utq_dev_start(&r) != 0) {
		ut_fail_at(__FILE__, __LINE__, "device thread");
		goto out;
	}

	while (done < count) {
		void *cookies[64];
		uint32_t lens[64];
		unsigned int n, b, added = 0;

		/* Packed: bursts of any size also return in-order batches in parts. */
		n = utq_get_used(&r, cookies, lens, packed ? 1 + (unsigned int)(rng % 64) : 64);
		for (i = 0; i < n; i++) {
			struct req *q = cookies[i];

			if (q < reqs || q >= reqs + nreq || !q->inflight) {
				ut_fail_at(__FILE__, __LINE__, "bad cookie %p", cookies[i]);
				goto out;
			}
			if (check_rx(q, lens[i], full) != 0)
				goto out;
			q->inflight = false;
			freel[nfree++] = q;
		}
		done += n;
		laps_note(&laps, &r, false);
		if (utq_broken(&r)) {
			ut_fail_at(__FILE__, __LINE__, "queue broken: %s",
				   vnet_vring_strerror(utq_error(&r)));
			goto out;
		}

		b = 1 + (unsigned int)(ut_rand(&rng) % 64);
		while (added < b && sent < count && nfree > 0) {
			struct req *q = freel[nfree - 1];
			unsigned int s, in;
			uint8_t *p = q->data;
			uint64_t off = 0;
			bool ind = false;
			int ret;

			switch (c->kind) {
			case K_TX:
				q->nseg = 1;
				q->out = 1;
				break;
			case K_RX:
				q->nseg = 1;
				q->out = 0;
				break;
			default:
				q->nseg = 1 + (unsigned int)(ut_rand(&rng) % c->max_seg);
				q->out = (unsigned int)(ut_rand(&rng) % (q->nseg + 1));
				break;
			}
			if (c->ind_max != 0 && q->nseg <= c->ind_max)
				ind = q->nseg > c->num || (ut_rand(&rng) & 1) != 0;
			else if (q->nseg > c->num)
				q->nseg = c->num;	/* a chain in the ring fits the ring */
			if (q->out > q->nseg)
				q->out = q->nseg;
			q->seq = sent;	/* the device counts its pops from 0 as well */
			q->in_bytes = 0;
			for (s = 0; s < q->nseg; s++) {
				uint32_t len = 1 + (uint32_t)(ut_rand(&rng) % c->seg_len);

				q->sg[s].addr = (uintptr_t)p;
				q->sg[s].len = len;
				if (s < q->out) {
					vfd_pattern_fill(p, len, q->seq, off);
					off += len;
				} else {
					memset(p, CANARY, len);
					q->in_bytes += len;
				}
				p += len;
			}
			in = q->nseg - q->out;
			if (q->nseg == 1 && !ind && (ut_rand(&rng) & 1))
				ret = utq_add1(&r, q->sg[0].addr, q->sg[0].len, in != 0, q);
			else
				ret = utq_add(&r, q->sg, q->out, in, q, ind);
			if (ret == -ENOSPC)
				break;
			if (ret != 0) {
				ut_fail_at(__FILE__, __LINE__, "add: %d", ret);
				goto out;
			}
			q->inflight = true;
			descs += ind ? 1 : q->nseg;
			nfree--;
			sent++;
			added++;
		}
		utq_publish(&r);
		if (utq_kick_prepare(&r))
			utq_dev_kick(&r);

		if (n == 0 && added == 0) {
			sched_yield();
			if ((++idle & 1023) == 0) {
				double now = ut_now();

				if (now - t_last > 20.0) {
					utq_dev_stat(&r, &st);
					ut_fail_at(__FILE__, __LINE__,
						   "stalled: sent %" PRIu64 " done %" PRIu64
						   " dev popped %" PRIu64 " missed kicks %" PRIu64
						   " dev: %s", sent, done, st.popped,
						   st.missed_kicks, utq_dev_errmsg(&r));
					goto out;
				}
			}
		} else {
			t_last = ut_now();
		}
	}
	utq_dev_stop(&r);
	utq_dev_stat(&r, &st);
	if (st.errors != 0 || st.mismatches != 0) {
		ut_fail_at(__FILE__, __LINE__, "device: %" PRIu64 " errors, %" PRIu64
			   " mismatches: %s", st.errors, st.mismatches, utq_dev_errmsg(&r));
		goto out;
	}
	if (st.popped != count || st.completed != count) {
		ut_fail_at(__FILE__, __LINE__, "device popped %" PRIu64 " completed %" PRIu64
			   ", expected %" PRIu64, st.popped, st.completed, count);
		goto out;
	}
	if (st.missed_kicks != 0 || st.kicks != utq_stats(&r)->kicks) {
		ut_fail_at(__FILE__, __LINE__, "kicks: driver %" PRIu64 " device %" PRIu64
			   " missed %" PRIu64, utq_stats(&r)->kicks, st.kicks, st.missed_kicks);
		goto out;
	}
	if (nfree != nreq || utq_free_count(&r) != c->num) {
		ut_fail_at(__FILE__, __LINE__, "leak: %u/%u requests, %u/%u descriptors free",
			   nfree, nreq, utq_free_count(&r), c->num);
		goto out;
	}
	if (laps_check(&laps, c, packed, count, descs) != 0)
		goto out;
	total_buffers += count;
	printf("  %-24s %8" PRIu64 " buffers, %9" PRIu64 " descs, %" PRIu64 " B checked, %"
	       PRIu64 " B filled, kicks %" PRIu64 " suppressed %" PRIu64 ", %s %" PRIu64,
	       c->name, count, descs, st.bytes_checked, st.bytes_filled, utq_stats(&r)->kicks,
	       utq_stats(&r)->kicks_suppressed, packed ? "wrap flips" : "idx wraps", laps.n);
	if (packed)
		printf(" (device %" PRIu64 ")", r.p.dev->wrap_flips);
	printf("\n");
	rc = 0;
out:
	utq_teardown(&r);
	free(reqs);
	free(freel);
	free(sgs);
	free(pool);
	return rc;
}

static const struct cfg *cur;
static bool cur_packed;

static int
run_cur(void)
{
	return run_cfg(cur, cur_packed);
}

static int
check_total(void)
{
	if (scale >= 1.0)
		UT_ASSERT(total_buffers >= 10000000, "only %" PRIu64 " buffers", total_buffers);
	return 0;
}

/*
 * main() of an integrity test: every configuration of @cfgs on a queue of the layout
 * (@packed), then the total. Cases are named "<prefix>_<cfg name>"; @title heads the output.
 */
static int
integrity_main(const char *title, const char *prefix, bool packed, const struct cfg *cfgs,
	       unsigned int ncfgs)
{
	int fails = 0;
	unsigned int i;
	double t0 = ut_now();
	char name[64];

	scale = ut_scale(&sanitized);
	printf("# %s: scale %.3g%s%s\n", title, scale, sanitized ? ", sanitizer build" : "",
	       scale < 1.0 ? " (VNET_UT_SCALE < 1: fewer than the 10^7 buffers of a full run)" :
	       "");
	cur_packed = packed;
	for (i = 0; i < ncfgs; i++) {
		cur = &cfgs[i];
		snprintf(name, sizeof(name), "%s_%s", prefix, cfgs[i].name);
		fails += ut_run(name, run_cur);
	}
	printf("# %s: %" PRIu64 " buffers in %.1f s\n", title, total_buffers, ut_now() - t0);
	snprintf(name, sizeof(name), "%s_total_buffers", prefix);
	fails += ut_run(name, check_total);
	return fails != 0;
}

#endif /* UT_INTEGRITY_H */
