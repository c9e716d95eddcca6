/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Packed ring data integrity with a concurrent fake device thread: every byte and every used
 * length checked both ways, ring sizes 1, 3, 255, 256, 1000, 32768 (not only powers of two),
 * single buffers, chains, indirect tables, IN_ORDER with and without batched used
 * descriptors, out-of-order completion, kick and poll waits; the wrap counters flip
 * thousands of times (asserted from the descriptor count).
 *
 * Work is scaled by VNET_UT_SCALE (default 1, sanitizer builds included); at scale >= 1 the
 * total is >= 10^7 buffers, which the last case asserts.
 */

#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ut_packed.h"

#define MAX_SEGS	64
#define CANARY		0xa5

enum kind { K_TX, K_RX, K_MIXED };

struct cfg {
	const char *name;
	unsigned int num;
	bool event_idx;
	bool in_order;
	bool batch_used;	/* IN_ORDER device writes one used descriptor per batch */
	enum vfd_wait_mode wait;
	enum kind kind;
	unsigned int max_seg;
	unsigned int seg_len;
	unsigned int ind_max;	/* 0: no indirect; else chains go indirect at random */
	bool shuffle;
	uint64_t count;		/* buffers at scale 1 */
};

struct req {
	uint64_t seq;
	uint64_t in_bytes;
	unsigned int nseg, out;
	bool inflight;
	uint8_t *data;
	struct vnet_sg sg[MAX_SEGS];
};

static uint64_t total_buffers;
static double scale;
static bool sanitized;

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

static int
run_cfg(const struct cfg *c)
{
	struct ut_packed r;
	struct req *reqs = NULL, **freel = NULL;
	uint8_t *pool = NULL;
	unsigned int nfree = 0, i, nreq;
	uint64_t count = (uint64_t)((double)c->count * scale), sent = 0, done = 0, descs = 0;
	uint64_t rng = 0x9e3779b97f4a7c15ull ^ c->num, flips = 0, idle = 0;
	bool prev_wrap, full = c->in_order && c->batch_used;
	size_t cap = (size_t)c->max_seg * c->seg_len;
	double t_last = ut_now();
	struct vfd_stats st;
	int rc = 1;

	if (count < 1000)
		count = 1000;
	if (utp_setup(&r, c->num, c->event_idx, c->in_order, 0, c->ind_max) != 0)
		UT_FAIL("ring setup");
	r.dev->data = VFD_DATA_PATTERN;
	r.dev->wait = c->wait;
	r.dev->shuffle = c->shuffle;
	r.dev->batch_used = c->batch_used;
	r.dev->max_batch = 64;
	prev_wrap = r.pr.used_wrap;

	nreq = c->num;
	reqs = calloc(nreq, sizeof(*reqs));
	freel = calloc(nreq, sizeof(*freel));
	pool = malloc(cap * nreq);
	if (reqs == NULL || freel == NULL || pool == NULL) {
		ut_fail_at(__FILE__, __LINE__, "out of memory");
		goto out;
	}
	for (i = 0; i < nreq; i++) {
		reqs[i].data = pool + cap * i;
		freel[nfree++] = &reqs[i];
	}
	if (vfdp_start(r.dev) != 0) {
		ut_fail_at(__FILE__, __LINE__, "device thread");
		goto out;
	}

	while (done < count) {
		void *cookies[64];
		uint32_t lens[64];
		unsigned int n, b, added = 0;

		n = vnet_packed_get_used(&r.pr, cookies, lens, 1 + (unsigned int)(rng % 64));
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
		if (r.pr.used_wrap != prev_wrap) {
			flips++;
			prev_wrap = r.pr.used_wrap;
		}
		if (vnet_packed_broken(&r.pr)) {
			ut_fail_at(__FILE__, __LINE__, "queue broken: %s",
				   vnet_vring_strerror(r.pr.error));
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
				q->nseg = c->num;
			if (q->out > q->nseg)
				q->out = q->nseg;
			q->seq = sent;
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
				ret = vnet_packed_add1(&r.pr, q->sg[0].addr, q->sg[0].len,
						       in != 0, q);
			else
				ret = vnet_packed_add(&r.pr, q->sg, q->out, in, q, ind);
			if (ret == -ENOSPC)
				break;
			if (ret != 0) {
				ut_fail_at(__FILE__, __LINE__, "add: %d", ret);
				goto out;
			}
			descs += ind ? 1 : q->nseg;
			q->inflight = true;
			nfree--;
			sent++;
			added++;
		}
		vnet_packed_publish(&r.pr);
		if (vnet_packed_kick_prepare(&r.pr))
			vfdp_kick(r.dev);

		if (n == 0 && added == 0) {
			sched_yield();
			if ((++idle & 1023) == 0) {
				double now = ut_now();

				if (now - t_last > 20.0) {
					vfdp_stat(r.dev, &st);
					ut_fail_at(__FILE__, __LINE__,
						   "stalled: sent %" PRIu64 " done %" PRIu64
						   " dev popped %" PRIu64 " missed kicks %" PRIu64
						   " dev: %s", sent, done, st.popped,
						   st.missed_kicks, r.dev->errmsg);
					goto out;
				}
			}
		} else {
			t_last = ut_now();
		}
	}
	vfdp_stop(r.dev);
	vfdp_stat(r.dev, &st);
	if (st.errors != 0 || st.mismatches != 0) {
		ut_fail_at(__FILE__, __LINE__, "device: %" PRIu64 " errors, %" PRIu64
			   " mismatches: %s", st.errors, st.mismatches, r.dev->errmsg);
		goto out;
	}
	if (st.popped != count || st.completed != count) {
		ut_fail_at(__FILE__, __LINE__, "device popped %" PRIu64 " completed %" PRIu64
			   ", expected %" PRIu64, st.popped, st.completed, count);
		goto out;
	}
	if (st.missed_kicks != 0 || st.kicks != r.pr.stats.kicks) {
		ut_fail_at(__FILE__, __LINE__, "kicks: driver %" PRIu64 " device %" PRIu64
			   " missed %" PRIu64, r.pr.stats.kicks, st.kicks, st.missed_kicks);
		goto out;
	}
	if (nfree != nreq || vnet_packed_free_count(&r.pr) != c->num) {
		ut_fail_at(__FILE__, __LINE__, "leak: %u/%u requests, %u/%u descriptors free",
			   nfree, nreq, vnet_packed_free_count(&r.pr), c->num);
		goto out;
	}
	/* Each lap of descriptors flips the used wrap counter once (seen at least every 2). */
	if (flips + 1 < descs / c->num / 2 || (descs >= 2ull * c->num && flips == 0)) {
		ut_fail_at(__FILE__, __LINE__, "wrap counter flipped %" PRIu64 " times for %" PRIu64
			   " descriptors on a ring of %u", flips, descs, c->num);
		goto out;
	}
	total_buffers += count;
	printf("  %-24s %8" PRIu64 " buffers, %9" PRIu64 " descs, %" PRIu64 " B checked, %"
	       PRIu64 " B filled, kicks %" PRIu64 " suppressed %" PRIu64 ", wrap flips %" PRIu64
	       " (device %" PRIu64 ")\n", c->name, count, descs, st.bytes_checked,
	       st.bytes_filled, r.pr.stats.kicks, r.pr.stats.kicks_suppressed, flips,
	       r.dev->wrap_flips);
	rc = 0;
out:
	utp_teardown(&r);
	free(reqs);
	free(freel);
	free(pool);
	return rc;
}

#define K VFD_WAIT_KICK
#define P VFD_WAIT_POLL

static const struct cfg cfgs[] = {
	/* name, num, event_idx, in_order, batch_used, wait, kind, max_seg, seg_len, ind_max,
	 * shuffle, count */
	{ "tx_n1",               1, true, false, false, K, K_TX, 1, 64, 0, false, 150000 },
	{ "tx_n3",               3, false, false, false, P, K_TX, 1, 64, 0, true, 400000 },
	{ "tx_n255",             255, true, false, false, P, K_TX, 1, 256, 0, true, 1500000 },
	{ "rx_n256",             256, false, false, false, K, K_RX, 1, 256, 0, true, 1500000 },
	{ "rx_n1000",            1000, true, false, false, P, K_RX, 1, 256, 0, true, 1500000 },
	{ "tx_n32768",           32768, true, false, false, K, K_TX, 1, 64, 0, true, 1000000 },
	{ "chain_n255",          255, true, false, false, K, K_MIXED, 8, 64, 0, true, 600000 },
	{ "chain_n3",            3, false, false, false, P, K_MIXED, 3, 64, 0, true, 200000 },
	{ "indirect_n1000",      1000, false, false, false, P, K_MIXED, 16, 48, 16, true, 500000 },
	{ "indirect_n1",         1, true, false, false, K, K_MIXED, 8, 48, 8, false, 100000 },
	{ "inorder_n255",        255, true, true, false, P, K_MIXED, 4, 64, 4, false, 700000 },
	{ "inorder_batch_n256",  256, false, true, true, K, K_MIXED, 4, 64, 4, false, 700000 },
	{ "inorder_batch_n3",    3, true, true, true, P, K_RX, 1, 64, 0, false, 300000 },
	{ "inorder_tx_n1000",    1000, true, true, true, P, K_TX, 1, 64, 0, false, 1000000 },
	{ "inorder_n32768",      32768, false, true, false, P, K_MIXED, 3, 32, 0, false, 300000 },
};

static const struct cfg *cur;

static int
run_cur(void)
{
	return run_cfg(cur);
}

static int
check_total(void)
{
	if (scale >= 1.0)
		UT_ASSERT(total_buffers >= 10000000, "only %" PRIu64 " buffers", total_buffers);
	return 0;
}

int
main(void)
{
	int fails = 0;
	unsigned int i;
	double t0 = ut_now();

	scale = ut_scale(&sanitized);
	printf("# packed integrity: scale %.3g%s%s\n", scale, sanitized ? ", sanitizer build" : "",
	       scale < 1.0 ? " (VNET_UT_SCALE < 1: fewer than 10^7 buffers)" : "");
	for (i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		char name[64];

		cur = &cfgs[i];
		snprintf(name, sizeof(name), "packed_integrity_%s", cfgs[i].name);
		fails += ut_run(name, run_cur);
	}
	printf("# packed integrity: %" PRIu64 " buffers in %.1f s\n", total_buffers, ut_now() - t0);
	fails += ut_run("packed_integrity_total_buffers", check_total);
	return fails != 0;
}
