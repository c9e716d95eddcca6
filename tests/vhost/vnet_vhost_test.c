/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * Host test program for vnet's vhost-user transport (net_vnet_user). One EAL process:
 *
 *   vnet-vhost-test <EAL args> -- probe
 *       Print how many ethdev ports exist (and their drivers), then exit 0. The bad-devargs
 *       and untrusted-backend cases assert on this and on the probe log.
 *
 *   vnet-vhost-test <EAL args with --vdev net_vhost0,... --vdev net_vnet_user0,...> -- frames
 *           [--frames N] [--queues Q] [--expect-copy 0|1] [--timeout S]
 *       Both ports in this process: known frames of varied sizes (60..1514 bytes, sequence
 *       numbers, byte pattern) vnet -> vhost and vhost -> vnet on every queue pair at once,
 *       vnet TX with single, chained (2 and 3 segments, one with an empty segment),
 *       headroom-less and shared (refcnt 2) mbufs. Each frame must arrive exactly once, in
 *       order, byte for byte, on the RX queue of the same index. Then stop + close, and
 *       each mempool's in-use count must be back where it was before start.
 *
 *   vnet-vhost-test <EAL args with --vdev net_vnet_user0,...,server=1> -- restart
 *           [--cycles C] [--expect-copy 0|1]
 *       vnet only, against an external backend (testpmd macswap over net_vhost client=1)
 *       that the calling script kills and restarts. Prints "MARK traffic|down|up <n>" lines
 *       the script waits for; checks that every frame that comes back is intact (MACs
 *       swapped), link goes down and up again, traffic resumes, and no mbuf leaks.
 *
 * Every mode prints "RESULT <mode> PASS" or "RESULT <mode> FAIL: <why>" and exits 0 only on
 * PASS. SIGPIPE keeps its default action on purpose: a vhost-user hang-up that raised it
 * would kill the process and fail the test.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vnet_test_common.h"

#define BURST		32
#define MAX_Q		8
#define FRAME_MIN	60
#define FRAME_MAX	1514
#define ETHERTYPE_TEST	0x88B5
#define MAGIC		0x31544e56u	/* "VNT1" little-endian */
#define POOL_SIZE	16383
#define POOL_CACHE	64
#define MAX_ERR_PRINT	10

enum { DIR_VNET_TO_VHOST = 0, DIR_VHOST_TO_VNET = 1 };

static unsigned int err_printed;
static uint64_t total_errors;

static void
err(const char *fmt, ...)
{
	va_list ap;

	total_errors++;
	if (err_printed++ >= MAX_ERR_PRINT)
		return;
	va_start(ap, fmt);
	printf("vnet-test: ERROR: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

/* ---- frames ---- */

static uint16_t
frame_len(uint8_t dir, uint8_t q, uint32_t seq)
{
	static const uint16_t sizes[] = {
		60, 1514, 61, 64, 65, 127, 128, 129, 255, 256, 511, 512, 513, 1000, 1023, 1024,
		1025, 1499, 1500, 1513, 100, 1200, 700, 60, 1514,
	};
	uint32_t h;

	if (seq % 3 == 0)
		return sizes[(seq / 3) % RTE_DIM(sizes)];
	h = (seq * 2654435761u) ^ ((uint32_t)dir << 24) ^ ((uint32_t)q << 16);
	h ^= h >> 15;
	h *= 2246822519u;
	h ^= h >> 13;
	return (uint16_t)(FRAME_MIN + h % (FRAME_MAX - FRAME_MIN + 1));
}

/* Write the frame (dir, q, seq) into @b; returns its length. */
static uint16_t
frame_fill(uint8_t *b, uint8_t dir, uint8_t q, uint32_t seq)
{
	uint16_t len = frame_len(dir, q, seq), i;

	b[0] = 0x02; b[1] = 0x76; b[2] = 0x6e; b[3] = dir; b[4] = q; b[5] = 0x01;	/* dst */
	b[6] = 0x02; b[7] = 0x76; b[8] = 0x6e; b[9] = dir; b[10] = q; b[11] = 0x02;	/* src */
	b[12] = ETHERTYPE_TEST >> 8;
	b[13] = ETHERTYPE_TEST & 0xff;
	b[14] = MAGIC & 0xff;
	b[15] = (MAGIC >> 8) & 0xff;
	b[16] = (MAGIC >> 16) & 0xff;
	b[17] = MAGIC >> 24;
	b[18] = dir;
	b[19] = q;
	b[20] = seq & 0xff;
	b[21] = (seq >> 8) & 0xff;
	b[22] = (seq >> 16) & 0xff;
	b[23] = seq >> 24;
	b[24] = len & 0xff;
	b[25] = len >> 8;
	b[26] = (uint8_t)~b[24];
	b[27] = (uint8_t)~b[25];
	for (i = 28; i < len; i++)
		b[i] = (uint8_t)(seq * 7u + i * 13u + (i >> 8) + dir * 101u + q * 37u);
	return len;
}

static void
swap_macs(uint8_t *b)
{
	uint8_t t[6];

	memcpy(t, b, 6);
	memcpy(b, b + 6, 6);
	memcpy(b + 6, t, 6);
}

/* Copy @len bytes of @src into a new segment appended to the chain @head (or a new head). */
static struct rte_mbuf *
seg_append(struct rte_mempool *mp, struct rte_mbuf *head, const uint8_t *src, uint16_t len,
	   bool no_headroom)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p;

	if (m == NULL) {
		rte_pktmbuf_free(head);
		return NULL;
	}
	if (no_headroom)
		m->data_off = 0;
	if (len > 0) {
		p = rte_pktmbuf_append(m, len);
		if (p == NULL) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		memcpy(p, src, len);
	}
	if (head == NULL)
		return m;
	if (rte_pktmbuf_chain(head, m) != 0) {
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(head);
		return NULL;
	}
	return head;
}

/*
 * Build the mbuf of frame (dir, q, seq). @variety: vnet TX gets every layout; others get
 * single and 2-segment mbufs. Sets *extra_ref when the mbuf carries a second reference the
 * caller drops once the driver took it.
 */
static struct rte_mbuf *
frame_mbuf(struct rte_mempool *mp, uint8_t dir, uint8_t q, uint32_t seq, bool variety,
	   bool *extra_ref)
{
	uint8_t buf[FRAME_MAX];
	uint16_t len = frame_fill(buf, dir, q, seq), a, b;
	struct rte_mbuf *m = NULL;
	unsigned int layout = variety ? seq % 6 : (seq % 4 == 1 ? 1 : 0);

	*extra_ref = false;
	switch (layout) {
	case 1:		/* 2 segments */
		a = (uint16_t)(1 + seq % (len - 1));
		m = seg_append(mp, NULL, buf, a, false);
		if (m != NULL)
			m = seg_append(mp, m, buf + a, (uint16_t)(len - a), false);
		break;
	case 2:		/* 3 segments: Ethernet header, then two halves */
		a = 14;
		b = (uint16_t)(a + (len - a) / 2);
		m = seg_append(mp, NULL, buf, a, false);
		if (m != NULL)
			m = seg_append(mp, m, buf + a, (uint16_t)(b - a), false);
		if (m != NULL)
			m = seg_append(mp, m, buf + b, (uint16_t)(len - b), false);
		break;
	case 3:		/* single segment without headroom for the net header */
		m = seg_append(mp, NULL, buf, len, true);
		break;
	case 4:		/* shared: refcnt 2, the driver may not write into it */
		m = seg_append(mp, NULL, buf, len, false);
		if (m != NULL) {
			rte_mbuf_refcnt_update(m, 1);
			*extra_ref = true;
		}
		break;
	case 5:		/* 3 segments, the middle one empty */
		a = (uint16_t)(len / 2);
		m = seg_append(mp, NULL, buf, a, false);
		if (m != NULL)
			m = seg_append(mp, m, NULL, 0, false);
		if (m != NULL)
			m = seg_append(mp, m, buf + a, (uint16_t)(len - a), false);
		break;
	default:	/* single segment */
		m = seg_append(mp, NULL, buf, len, false);
		break;
	}
	return m;
}

/* One direction on one queue index. */
struct flow {
	const char *what;
	uint16_t tx_port, rx_port, rx_port_expect;
	uint8_t dir, q;
	bool variety;		/* all mbuf layouts on TX */
	bool ordered;		/* frames must arrive in order, exactly once */
	bool macswap;		/* the peer swaps MACs (restart mode) */
	struct rte_mempool *mp;
	uint32_t total;		/* frames to send, 0 = unlimited */
	uint32_t next_tx;	/* next sequence number to build */
	uint32_t next_rx;	/* next expected sequence number (ordered) */
	uint64_t rx_ok, rx_bad, tx_sent;
	struct rte_mbuf *pend[BURST];
	bool pend_ref[BURST];
	uint16_t npend;
};

static void
flow_tx(struct flow *f)
{
	uint16_t n, i;

	while (f->npend < BURST && (f->total == 0 || f->next_tx < f->total)) {
		bool ref;
		struct rte_mbuf *m = frame_mbuf(f->mp, f->dir, f->q, f->next_tx, f->variety, &ref);

		if (m == NULL)
			break;	/* pool empty for now: the peer holds buffers */
		f->pend[f->npend] = m;
		f->pend_ref[f->npend] = ref;
		f->npend++;
		f->next_tx++;
	}
	if (f->npend == 0)
		return;
	n = rte_eth_tx_burst(f->tx_port, f->q, f->pend, f->npend);
	for (i = 0; i < n; i++)
		if (f->pend_ref[i])
			rte_pktmbuf_free(f->pend[i]);	/* drop our second reference */
	f->tx_sent += n;
	if (n > 0 && n < f->npend) {
		memmove(f->pend, f->pend + n, sizeof(f->pend[0]) * (f->npend - n));
		memmove(f->pend_ref, f->pend_ref + n, sizeof(f->pend_ref[0]) * (f->npend - n));
	}
	f->npend = (uint16_t)(f->npend - n);
}

static void
flow_drop_pending(struct flow *f)
{
	uint16_t i;

	for (i = 0; i < f->npend; i++) {
		if (f->pend_ref[i])
			rte_pktmbuf_free(f->pend[i]);
		rte_pktmbuf_free(f->pend[i]);
	}
	f->npend = 0;
}

static void
flow_check(struct flow *f, struct rte_mbuf *m)
{
	uint8_t got_buf[FRAME_MAX], exp[FRAME_MAX];
	const uint8_t *got;
	const char *reason = NULL;
	uint32_t seq;
	uint16_t len, elen, i;

	if (rte_mbuf_check(m, 1, &reason) != 0) {
		err("%s q%u: malformed mbuf: %s", f->what, f->q, reason);
		goto bad;
	}
	if (m->port != f->rx_port_expect) {
		err("%s q%u: mbuf port %u, expected %u", f->what, f->q, m->port,
		    f->rx_port_expect);
		goto bad;
	}
	if (m->pkt_len < 28 || m->pkt_len > FRAME_MAX) {
		err("%s q%u: frame of %u bytes (after %u good ones)", f->what, f->q, m->pkt_len,
		    (unsigned int)f->rx_ok);
		goto bad;
	}
	len = (uint16_t)m->pkt_len;
	got = rte_pktmbuf_read(m, 0, len, got_buf);
	if (got[14] != (MAGIC & 0xff) || got[15] != ((MAGIC >> 8) & 0xff) ||
	    got[16] != ((MAGIC >> 16) & 0xff) || got[17] != (MAGIC >> 24)) {
		err("%s q%u: frame of %u bytes without the test magic", f->what, f->q, len);
		goto bad;
	}
	if (got[18] != f->dir || got[19] != f->q) {
		err("%s q%u: frame of direction %u queue %u arrived here (wrong steering)",
		    f->what, f->q, got[18], got[19]);
		goto bad;
	}
	seq = got[20] | (uint32_t)got[21] << 8 | (uint32_t)got[22] << 16 |
	      (uint32_t)got[23] << 24;
	if (seq >= f->next_tx) {
		err("%s q%u: sequence %u was never sent (sent %u)", f->what, f->q, seq,
		    f->next_tx);
		goto bad;
	}
	if (f->ordered && seq != f->next_rx) {
		err("%s q%u: sequence %u arrived, expected %u (%s)", f->what, f->q, seq,
		    f->next_rx, seq < f->next_rx ? "duplicate or reordered" : "frames lost");
		f->next_rx = seq + 1;	/* resynchronise: report each gap once */
		goto bad;
	}
	elen = frame_fill(exp, f->dir, f->q, seq);
	if (f->macswap)
		swap_macs(exp);
	if (len != elen) {
		err("%s q%u: sequence %u has %u bytes, sent %u", f->what, f->q, seq, len, elen);
		f->next_rx = seq + 1;
		goto bad;
	}
	if (memcmp(got, exp, len) != 0) {
		for (i = 0; i < len && got[i] == exp[i]; i++)
			;
		err("%s q%u: sequence %u (%u bytes, %u segments) differs at byte %u: got 0x%02x "
		    "expected 0x%02x", f->what, f->q, seq, len, m->nb_segs, i, got[i], exp[i]);
		f->next_rx = seq + 1;
		goto bad;
	}
	f->rx_ok++;
	f->next_rx = seq + 1;
	return;
bad:
	f->rx_bad++;
	if (f->ordered && f->rx_bad == 1)
		rte_pktmbuf_dump(stdout, m, 64);
}

static unsigned int
flow_rx(struct flow *f)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst(f->rx_port, f->q, pkts, BURST);
	for (i = 0; i < n; i++) {
		flow_check(f, pkts[i]);
		rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

/* ---- ports ---- */

/* --desc: descriptors asked for per queue (0: the device's full ring as before). */
static uint16_t opt_desc;
/* --expect-desc: ring size vnet must report in rxq/txq_info_get (-1: not checked). */
static int opt_expect_desc = -1;

/* Ring sizes @port really uses (rxq/txq_info_get of queue @q); 0 if not reported. */
static void
queue_sizes(uint16_t port, uint16_t q, uint16_t *rx, uint16_t *tx)
{
	struct rte_eth_rxq_info ri;
	struct rte_eth_txq_info ti;

	*rx = rte_eth_rx_queue_info_get(port, q, &ri) == 0 ? ri.nb_desc : 0;
	*tx = rte_eth_tx_queue_info_get(port, q, &ti) == 0 ? ti.nb_desc : 0;
}

static int
port_setup(uint16_t port, uint16_t nq, struct rte_mempool *mp)
{
	struct rte_eth_dev_info info;
	uint16_t q, nrx, ntx;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return ret;
	/* The device's full ring size (vnet: queue_size=); net_vhost ignores it. */
	nrx = info.rx_desc_lim.nb_max && info.rx_desc_lim.nb_max < 4096 ?
	      info.rx_desc_lim.nb_max : 256;
	ntx = info.tx_desc_lim.nb_max && info.tx_desc_lim.nb_max < 4096 ?
	      info.tx_desc_lim.nb_max : 256;
	if (opt_desc != 0)
		nrx = ntx = opt_desc;
	ret = vt_port_setup(port, nq, NULL, nrx, ntx, mp, 0);
	if (ret != 0)
		return ret;
	printf("vnet-test: port %u (%s): %u queue pair(s), %u rx / %u tx descriptors asked\n",
	       port, info.driver_name, nq, nrx, ntx);
	if (strcmp(info.driver_name, "net_vnet_user") != 0)
		return 0;
	for (q = 0; q < nq; q++) {
		uint16_t urx, utx;

		queue_sizes(port, q, &urx, &utx);
		printf("vnet-test: port %u queue %u: ring sizes used rx %u tx %u\n", port, q, urx,
		       utx);
		if (opt_expect_desc >= 0 && (urx != opt_expect_desc || utx != opt_expect_desc)) {
			printf("vnet-test: port %u queue %u: expected %d descriptors per ring\n",
			       port, q, opt_expect_desc);
			return -EINVAL;
		}
	}
	return 0;
}

/* Burst mode of the vnet port must say whether it copies. */
static int
check_copy_mode(uint16_t port, int expect_copy)
{
	struct rte_eth_burst_mode bm;
	bool copy;

	memset(&bm, 0, sizeof(bm));
	if (rte_eth_rx_burst_mode_get(port, 0, &bm) != 0) {
		err("rx_burst_mode_get failed");
		return -1;
	}
	copy = strstr(bm.info, "copy mode") != NULL;
	printf("vnet-test: vnet burst mode: \"%s\"\n", bm.info);
	if (expect_copy >= 0 && copy != (expect_copy != 0)) {
		err("expected %s, burst mode says \"%s\"", expect_copy ? "copy mode" : "zero-copy",
		    bm.info);
		return -1;
	}
	return 0;
}

/* ---- modes ---- */

/* "RESULT <mode> PASS" if @ok and no err() came, else FAIL. @return the exit code. */
static int
mode_result(const char *mode, int ok)
{
	if (ok && total_errors == 0) {
		printf("RESULT %s PASS\n", mode);
		return 0;
	}
	printf("RESULT %s FAIL: %" PRIu64 " error(s), see above\n", mode, total_errors);
	return 1;
}

struct opts {
	const char *vnet_args;	/* hot-plug net_vnet_user0 with these devargs */
	uint32_t frames;
	uint16_t queues;
	int expect_copy;	/* -1: don't care */
	double timeout;
	unsigned int cycles;
	unsigned int late_pool;	/* frames: vnet TX from a pool created after start (mbufs) */
	uint16_t reconfig[8];	/* frames: vnet queue pairs of each round (--reconfig 1,4,2) */
	uint16_t segs;		/* capacity: segments per packet (--segs) */
	uint16_t shared;	/* capacity: packets with refcnt 2 (--shared 1): no headroom use */
	uint16_t rx_buf;	/* frames: vnet RX mbufs of this data room (after headroom) */
	unsigned int nreconfig;	/* 0: one round with --queues */
};

/* The vnet port: hot-plugged with --vnet (after net_vhost's set-up), or probed by EAL. */
static int
attach_vnet(const struct opts *o, uint16_t *vnet)
{
	if (o->vnet_args == NULL)
		return vt_find_port("net_vnet_user", vnet);
	return vt_attach_vnet(o->vnet_args, vnet);
}

static int
mode_probe(const struct opts *o, struct rte_mempool *mp_vh)
{
	uint16_t p, vh, vnet, n;

	if (o->vnet_args != NULL && vt_find_port("net_vhost", &vh) == 0 &&
	    port_setup(vh, o->queues, mp_vh) != 0) {
		printf("RESULT probe FAIL: net_vhost setup\n");
		return 1;
	}
	attach_vnet(o, &vnet);
	n = rte_eth_dev_count_avail();
	printf("vnet-test: ports %u (total %u)\n", n, rte_eth_dev_count_total());
	RTE_ETH_FOREACH_DEV(p) {
		struct rte_eth_dev_info info;
		char name[RTE_ETH_NAME_MAX_LEN] = "";

		rte_eth_dev_get_name_by_port(p, name);
		if (rte_eth_dev_info_get(p, &info) == 0)
			printf("vnet-test: port %u %s driver %s\n", p, name, info.driver_name);
	}
	RTE_ETH_FOREACH_DEV(p)
		rte_eth_dev_close(p);
	printf("RESULT probe PASS\n");
	return 0;
}

/*
 * One traffic round on the first @nq queue pairs of both ports: known frames both ways,
 * byte-exact, exactly once, in order; vnet's stats match; no broken queue; the net_vhost
 * queues beyond @nq carried nothing (a pair vnet does not use stays idle).
 * @return 1 if everything held.
 */
static int
traffic_round(const struct opts *o, uint16_t vnet, uint16_t vh, uint16_t nq,
	      struct rte_mempool *mp_tx, struct rte_mempool *mp_vh)
{
	struct flow flows[2 * MAX_Q];
	unsigned int nflows = 0, i;
	struct rte_eth_stats st;
	double t0, end, quiet;
	bool done;
	uint16_t q;
	int ok = 1;

	rte_eth_stats_reset(vnet);
	rte_eth_stats_reset(vh);
	memset(flows, 0, sizeof(flows));
	for (q = 0; q < nq; q++) {
		flows[nflows++] = (struct flow){
			.what = "vnet->vhost", .tx_port = vnet, .rx_port = vh,
			.rx_port_expect = vh, .dir = DIR_VNET_TO_VHOST, .q = (uint8_t)q,
			.variety = true, .ordered = true, .mp = mp_tx, .total = o->frames,
		};
		flows[nflows++] = (struct flow){
			.what = "vhost->vnet", .tx_port = vh, .rx_port = vnet,
			.rx_port_expect = vnet, .dir = DIR_VHOST_TO_VNET, .q = (uint8_t)q,
			.variety = false, .ordered = true, .mp = mp_vh, .total = o->frames,
		};
	}

	t0 = vt_now_s();
	end = t0 + o->timeout;
	do {
		done = true;
		for (i = 0; i < nflows; i++) {
			flow_tx(&flows[i]);
			flow_rx(&flows[i]);
			if (flows[i].rx_ok + flows[i].rx_bad < flows[i].total)
				done = false;
		}
	} while (!done && vt_now_s() < end && total_errors < 1000);
	/* Anything more that shows up is a duplicate. */
	quiet = vt_now_s() + 0.3;
	while (vt_now_s() < quiet)
		for (i = 0; i < nflows; i++)
			flow_rx(&flows[i]);
	printf("vnet-test: traffic took %.2f s\n", vt_now_s() - t0);

	for (i = 0; i < nflows; i++) {
		struct flow *f = &flows[i];

		printf("vnet-test: %s q%u: sent %" PRIu64 "/%u, received %" PRIu64
		       " intact in order, %" PRIu64 " bad\n", f->what, f->q, f->tx_sent, f->total,
		       f->rx_ok, f->rx_bad);
		if (f->rx_ok != f->total || f->rx_bad != 0) {
			if (f->rx_bad == 0)
				err("%s q%u: only %" PRIu64 " of %u frames arrived within %.0f s",
				    f->what, f->q, f->rx_ok, f->total, o->timeout);
			ok = 0;
		}
		flow_drop_pending(f);
	}
	if (rte_eth_stats_get(vnet, &st) == 0) {
		printf("vnet-test: vnet stats: ipackets %" PRIu64 " ibytes %" PRIu64 " opackets %"
		       PRIu64 " obytes %" PRIu64 " oerrors %" PRIu64 " rx_nombuf %" PRIu64 "\n",
		       st.ipackets, st.ibytes, st.opackets, st.obytes, st.oerrors, st.rx_nombuf);
		if (st.oerrors != 0) {
			err("vnet counted %" PRIu64 " TX errors", st.oerrors);
			ok = 0;
		}
		if (st.opackets != (uint64_t)o->frames * nq ||
		    st.ipackets != (uint64_t)o->frames * nq) {
			err("vnet stats: %" PRIu64 " packets out, %" PRIu64 " in; expected %u each",
			    st.opackets, st.ipackets, o->frames * nq);
			ok = 0;
		}
	}
	for (q = 0; q < nq; q++) {
		char name[64];

		snprintf(name, sizeof(name), "rx_q%u_broken", q);
		if (vt_xstat(vnet, name) != 0) {
			err("%s = %" PRIu64, name, vt_xstat(vnet, name));
			ok = 0;
		}
		snprintf(name, sizeof(name), "tx_q%u_broken", q);
		if (vt_xstat(vnet, name) != 0) {
			err("%s = %" PRIu64, name, vt_xstat(vnet, name));
			ok = 0;
		}
	}
	if (rte_eth_stats_get(vh, &st) == 0) {
		for (q = nq; q < o->queues && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++) {
			if (st.q_ipackets[q] != 0 || st.q_opackets[q] != 0) {
				err("net_vhost queue %u: %" PRIu64 " in / %" PRIu64 " out while vnet "
				    "uses %u pair(s)", q, st.q_ipackets[q], st.q_opackets[q], nq);
				ok = 0;
			}
		}
	}
	return ok;
}

static int
mode_frames(const struct opts *o, struct rte_mempool *mp_vnet, struct rte_mempool *mp_vh)
{
	uint16_t vnet, vh, ports[2];
	unsigned int i, base_vnet, base_vh;
	struct rte_mempool *mp_late = NULL, *mp_rx = mp_vnet;
	int ok = 1;

	if (vt_find_port("net_vhost", &vh) != 0) {
		printf("RESULT frames FAIL: no net_vhost port\n");
		return 1;
	}
	if (port_setup(vh, o->queues, mp_vh) != 0) {
		printf("RESULT frames FAIL: net_vhost port setup\n");
		return 1;
	}
	if (attach_vnet(o, &vnet) != 0) {
		printf("RESULT frames FAIL: no net_vnet_user port\n");
		return 1;
	}
	if (o->rx_buf != 0) {
		/* Small RX buffers: frames span several (mergeable RX buffers). */
		mp_rx = rte_pktmbuf_pool_create("vnet_rx_pool", POOL_SIZE, POOL_CACHE, 0,
						RTE_PKTMBUF_HEADROOM + o->rx_buf,
						(int)rte_socket_id());
		if (mp_rx == NULL) {
			printf("RESULT frames FAIL: rx pool: %s\n", rte_strerror(rte_errno));
			return 1;
		}
		printf("vnet-test: vnet RX mbufs of %u data bytes\n", o->rx_buf);
	}
	if (port_setup(vnet, o->nreconfig > 0 ? o->reconfig[0] : o->queues, mp_rx) != 0) {
		printf("RESULT frames FAIL: vnet port setup\n");
		return 1;
	}
	base_vnet = rte_mempool_in_use_count(mp_vnet);
	base_vh = rte_mempool_in_use_count(mp_vh);
	if (vt_start_pair(vh, vnet, 15) != 0) {
		printf("RESULT frames FAIL: port start or link (see above)\n");
		return 1;
	}
	ports[0] = vnet;
	ports[1] = vh;
	if (check_copy_mode(vnet, o->expect_copy) != 0)
		ok = 0;
	if (o->late_pool != 0) {
		/*
		 * A pool created after dev_start: EAL must allocate new memory for it, which
		 * vnet has to announce to the backend (zero-copy) before these mbufs reach it.
		 */
		mp_late = rte_pktmbuf_pool_create("vnet_late_pool", o->late_pool, POOL_CACHE, 0,
						  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
		if (mp_late == NULL) {
			printf("RESULT frames FAIL: late pool of %u mbufs: %s\n", o->late_pool,
			       rte_strerror(rte_errno));
			return 1;
		}
		printf("vnet-test: vnet TX from a pool created after start (%u mbufs)\n",
		       o->late_pool);
		/* vnet's control thread announces the new memory asynchronously (µs). */
		rte_delay_ms(200);
	}

	if (o->nreconfig == 0) {
		ok &= traffic_round(o, vnet, vh, o->queues, mp_late != NULL ? mp_late : mp_vnet,
				    mp_vh);
	} else {
		for (i = 0; i < o->nreconfig; i++) {
			uint16_t nq = o->reconfig[i];

			if (i > 0) {
				/* stop / configure / start with another pair count */
				if (rte_eth_dev_stop(vnet) != 0 ||
				    port_setup(vnet, nq, mp_rx) != 0 ||
				    rte_eth_dev_start(vnet) != 0 ||
				    vt_wait_links(ports, 2, 15) != 0) {
					err("reconfiguration to %u queue pair(s) failed", nq);
					ok = 0;
					break;
				}
			}
			printf("vnet-test: round %u: %u queue pair(s)\n", i + 1, nq);
			ok &= traffic_round(o, vnet, vh, nq, mp_vnet, mp_vh);
		}
	}
	vt_print_xstats(vnet, "kicks");

	/* Stop and close: every mbuf back in its pool. */
	if (vt_stop_close(vnet, mp_vnet, base_vnet, err) != 0)
		ok = 0;
	rte_eth_dev_stop(vh);
	rte_eth_dev_close(vh);
	if (vt_check_pool(mp_vh, base_vh, "after vhost close", err) != 0)
		ok = 0;
	if (mp_late != NULL && vt_check_pool(mp_late, 0, "late pool after close", err) != 0)
		ok = 0;
	if (mp_rx != mp_vnet && vt_check_pool(mp_rx, 0, "rx pool after close", err) != 0)
		ok = 0;
	return mode_result("frames", ok);
}

/*
 * capacity: how many packets one TX ring holds. net_vhost dequeues only when its port is
 * polled, so with it idle vnet's TX queue fills up: it must take as many packets as its ring
 * has entries — single-segment ones with the header in the mbuf's headroom, shared ones
 * (--shared 1: refcnt 2, nothing may be written into them) and chains (--segs) in an
 * indirect table — then every one of them must arrive once net_vhost is polled.
 */
static int
mode_capacity(const struct opts *o, struct rte_mempool *mp_vnet, struct rte_mempool *mp_vh)
{
	struct rte_mbuf *pkts[64], *rx[64], **held = NULL;
	struct rte_eth_txq_info ti;
	uint16_t vnet, vh, n, k;
	uint32_t taken = 0, got = 0, tries, nheld = 0;
	double end;
	int ok = 1;

	if (vt_find_port("net_vhost", &vh) != 0 || port_setup(vh, 1, mp_vh) != 0 ||
	    attach_vnet(o, &vnet) != 0 || port_setup(vnet, 1, mp_vnet) != 0) {
		printf("RESULT capacity FAIL: port setup\n");
		return 1;
	}
	if (vt_start_pair(vh, vnet, 15) != 0 || rte_eth_tx_queue_info_get(vnet, 0, &ti) != 0) {
		printf("RESULT capacity FAIL: start, link or queue info\n");
		return 1;
	}
	if (o->shared) {
		held = calloc((4u * ti.nb_desc / 32 + 8) * 32, sizeof(*held));
		if (held == NULL) {
			printf("RESULT capacity FAIL: memory\n");
			return 1;
		}
	}
	for (tries = 0; tries < 4u * ti.nb_desc / 32 + 8; tries++) {
		for (k = 0; k < 32; k++) {
			uint8_t frame[60];
			uint16_t segs = o->segs > 0 ? o->segs : 1, sz = 60 / segs, j;

			memset(frame, 0xff, sizeof(frame));
			pkts[k] = NULL;
			for (j = 0; j < segs; j++) {
				pkts[k] = seg_append(mp_vnet, pkts[k], frame + j * sz,
						     j + 1 < segs ? sz : (uint16_t)(60 - j * sz),
						     false);
				if (pkts[k] == NULL) {
					printf("RESULT capacity FAIL: mbuf\n");
					return 1;
				}
			}
			if (held != NULL) {	/* our reference, dropped at the end */
				rte_mbuf_refcnt_update(pkts[k], 1);
				held[nheld++] = pkts[k];
			}
		}
		n = rte_eth_tx_burst(vnet, 0, pkts, 32);
		taken += n;
		rte_pktmbuf_free_bulk(pkts + n, 32 - n);
	}
	printf("vnet-test: capacity: TX ring of %u entries took %u %u-segment%s packets "
	       "with the backend idle\n", ti.nb_desc, taken, o->segs > 0 ? o->segs : 1,
	       held != NULL ? " shared" : "");
	if (taken != ti.nb_desc) {
		err("a ring of %u entries held %u packets", ti.nb_desc, taken);
		ok = 0;
	}
	end = vt_now_s() + 10;
	while (got < taken && vt_now_s() < end) {
		n = rte_eth_rx_burst(vh, 0, rx, 64);
		got += n;
		rte_pktmbuf_free_bulk(rx, n);
		rte_eth_tx_burst(vnet, 0, NULL, 0);	/* reclaim */
	}
	printf("vnet-test: capacity: net_vhost received %u\n", got);
	if (got != taken) {
		err("%u packets taken, %u arrived", taken, got);
		ok = 0;
	}
	rte_eth_dev_stop(vnet);
	rte_eth_dev_close(vnet);
	rte_eth_dev_stop(vh);
	rte_eth_dev_close(vh);
	if (held != NULL) {
		rte_pktmbuf_free_bulk(held, nheld);
		free(held);
	}
	return mode_result("capacity", ok);
}

/* One burst of @n 60-byte frames on vnet's TX queue 0; @return the number taken. */
static uint16_t
safety_burst(uint16_t vnet, struct rte_mempool *mp, uint16_t n)
{
	struct rte_mbuf *pkts[64];
	uint16_t k, sent;

	for (k = 0; k < n; k++) {
		pkts[k] = vt_mbuf_alloc(mp, 60);
		if (pkts[k] == NULL)
			break;
		memset(rte_pktmbuf_mtod(pkts[k], void *), 0xff, 60);
	}
	sent = rte_eth_tx_burst(vnet, 0, pkts, k);
	rte_pktmbuf_free_bulk(pkts + sent, k - sent);
	return sent;
}

static uint32_t
safety_drain(uint16_t vh)
{
	struct rte_mbuf *rx[64];
	uint32_t got = 0;
	uint16_t n;

	do {
		n = rte_eth_rx_burst(vh, 0, rx, 64);
		rte_pktmbuf_free_bulk(rx, n);
		got += n;
	} while (n != 0);
	return got;
}

/*
 * kick_coalesce=auto's safety net when the lcore stops calling: a busy second of 40-frame
 * bursts (below the moderation's starting threshold, so each is deferred and decided by
 * the next bursts: deferrals the lcore decides itself) must let the thread sleep long
 * (far fewer scans than its base period makes), and the deferral of one last burst (below
 * the threshold of the moment, so deferred), after which nothing calls vnet again, must
 * still be kicked by the thread within two long sleeps (2 x 64 ms; 0.5 s allowed for a
 * loaded machine).
 */
static int
mode_safety(const struct opts *o, struct rte_mempool *mp_vnet, struct rte_mempool *mp_vh)
{
	uint64_t scans0, scans, sn0 = 0, sn = 0, dl0, dl;
	uint32_t sent = 0, got = 0, tries;
	uint16_t vnet, vh;
	double t, t0, t_kick = -1;
	int ok = 1;

	if (vt_find_port("net_vhost", &vh) != 0 || port_setup(vh, 1, mp_vh) != 0 ||
	    attach_vnet(o, &vnet) != 0 || port_setup(vnet, 1, mp_vnet) != 0) {
		printf("RESULT safety FAIL: port setup\n");
		return 1;
	}
	if (vt_start_pair(vh, vnet, 15) != 0) {
		printf("RESULT safety FAIL: start or link\n");
		return 1;
	}
	scans0 = vt_xstat(vnet, "kick_safety_net_scans");
	dl0 = vt_xstat(vnet, "tx_q0_kicks_deferred");
	t0 = vt_now_s();
	while (vt_now_s() < t0 + 1.0) {
		sent += safety_burst(vnet, mp_vnet, 40);
		got += safety_drain(vh);
		rte_delay_us_block(100);
	}
	scans = vt_xstat(vnet, "kick_safety_net_scans") - scans0;
	dl = vt_xstat(vnet, "tx_q0_kicks_deferred") - dl0;
	printf("vnet-test: safety: busy second: %u frames sent, %" PRIu64 " decisions deferred, "
	       "%" PRIu64 " safety-net scans\n", sent, dl, scans);
	if (dl < 100) {
		err("only %" PRIu64 " deferred decisions in the busy second (moderation off?)", dl);
		ok = 0;
	}
	/* The base period (kick_delay_us / 2 = 250 us) alone would make 4000. */
	if (scans > 400) {
		err("%" PRIu64 " safety-net scans in a second of deferrals the lcore decided "
		    "itself: the thread did not sleep long", scans);
		ok = 0;
	}
	/*
	 * The last burst must be deferred: below the current threshold (the moderation may
	 * have backed off to 1 meanwhile: then more bursts until it grew again).
	 */
	for (tries = 0; tries < 200; tries++) {
		uint64_t th = vt_xstat(vnet, "tx_q0_kick_threshold");
		uint16_t n = th > 41 ? 40 : (uint16_t)(th > 1 ? th - 1 : 0);

		got += safety_drain(vh);
		rte_delay_us_block(1000);
		if (n < 8) {	/* LONE (< 4) is never deferred; grow the threshold first */
			sent += safety_burst(vnet, mp_vnet, 40);
			continue;
		}
		dl0 = vt_xstat(vnet, "tx_q0_kicks_deferred");
		sn0 = vt_xstat(vnet, "tx_q0_kicks_safety_net");
		sent += safety_burst(vnet, mp_vnet, n);
		if (vt_xstat(vnet, "tx_q0_kicks_deferred") > dl0)
			break;
	}
	if (tries == 200) {
		err("no burst was deferred in 200 tries (threshold %" PRIu64 ")",
		    vt_xstat(vnet, "tx_q0_kick_threshold"));
		ok = 0;
	}
	t0 = vt_now_s();
	for (t = t0; t < t0 + 2.0; t = vt_now_s()) {
		sn = vt_xstat(vnet, "tx_q0_kicks_safety_net");
		if (sn > sn0) {
			t_kick = t - t0;
			break;
		}
		rte_delay_us_block(1000);
	}
	printf("vnet-test: safety: last burst kicked by the safety net after %.1f ms "
	       "(%" PRIu64 " safety-net kicks)\n", t_kick * 1000, sn - sn0);
	if (t_kick < 0 || t_kick > 0.5) {
		err("the last burst's deferral was %s", t_kick < 0 ? "never kicked (2 s)" :
		    "kicked later than 0.5 s");
		ok = 0;
	}
	got += safety_drain(vh);
	rte_eth_tx_burst(vnet, 0, NULL, 0);	/* reclaim */
	if (got != sent) {
		err("%u frames sent, %u arrived", sent, got);
		ok = 0;
	}
	rte_eth_dev_stop(vnet);
	rte_eth_dev_close(vnet);
	rte_eth_dev_stop(vh);
	rte_eth_dev_close(vh);
	return mode_result("safety", ok);
}

/* Run traffic on @f for up to @max_s seconds or until @stop(f) is true. */
static bool
run_until(struct flow *f, uint16_t port, double max_s, int what, uint64_t target)
{
	double end = vt_now_s() + max_s;
	unsigned int k = 0;

	while (vt_now_s() < end) {
		flow_tx(f);
		flow_rx(f);
		if ((++k & 63) != 0)
			continue;
		switch (what) {
		case 0:		/* received enough */
			if (f->rx_ok >= target)
				return true;
			break;
		case 1:		/* link down */
			if (!vt_link_up(port))
				return true;
			break;
		case 2:		/* link up */
			if (vt_link_up(port))
				return true;
			break;
		}
	}
	return false;
}

static int
mode_restart(const struct opts *o, struct rte_mempool *mp)
{
	uint16_t vnet;
	struct flow f;
	unsigned int base, c;
	double t;
	int ok = 1;
	const uint64_t step = 20000;

	if (attach_vnet(o, &vnet) != 0) {
		printf("RESULT restart FAIL: no net_vnet_user port\n");
		return 1;
	}
	if (port_setup(vnet, 1, mp) != 0) {
		printf("RESULT restart FAIL: setup\n");
		return 1;
	}
	base = rte_mempool_in_use_count(mp);
	if (rte_eth_dev_start(vnet) != 0) {
		printf("RESULT restart FAIL: start\n");
		return 1;
	}
	if (vt_wait_links(&vnet, 1, 30) != 0) {
		printf("RESULT restart FAIL: link not up within 30 s\n");
		return 1;
	}
	if (check_copy_mode(vnet, o->expect_copy) != 0)
		ok = 0;
	memset(&f, 0, sizeof(f));
	f.what = "vnet->backend->vnet";
	f.tx_port = vnet;
	f.rx_port = vnet;
	f.rx_port_expect = vnet;
	f.dir = DIR_VNET_TO_VHOST;
	f.variety = true;
	f.macswap = true;
	f.mp = mp;

	for (c = 1; c <= o->cycles + 1 && ok; c++) {
		uint64_t target = f.rx_ok + step;

		t = vt_now_s();
		if (!run_until(&f, vnet, 20, 0, target)) {
			err("cycle %u: only %" PRIu64 " of %" PRIu64 " frames came back within 20 s "
			    "(link %s)", c, f.rx_ok, target, vt_link_up(vnet) ? "up" : "down");
			ok = 0;
			break;
		}
		printf("MARK traffic %u rx=%" PRIu64 " in %.2f s\n", c, f.rx_ok, vt_now_s() - t);
		fflush(stdout);
		if (c > o->cycles)
			break;
		t = vt_now_s();
		if (!run_until(&f, vnet, 30, 1, 0)) {
			err("cycle %u: link still up 30 s after the traffic mark", c);
			ok = 0;
			break;
		}
		printf("MARK down %u after %.2f s rx=%" PRIu64 "\n", c, vt_now_s() - t, f.rx_ok);
		fflush(stdout);
		t = vt_now_s();
		if (!run_until(&f, vnet, 40, 2, 0)) {
			err("cycle %u: link not back up within 40 s", c);
			ok = 0;
			break;
		}
		printf("MARK up %u after %.2f s\n", c, vt_now_s() - t);
		fflush(stdout);
	}
	printf("vnet-test: sent %" PRIu64 ", received %" PRIu64 " intact, %" PRIu64 " bad\n",
	       f.tx_sent, f.rx_ok, f.rx_bad);
	if (f.rx_bad != 0)
		ok = 0;
	flow_drop_pending(&f);
	vt_print_xstats(vnet, NULL);
	if (vt_stop_close(vnet, mp, base, err) != 0)
		ok = 0;
	return mode_result("restart", ok);
}

static void
usage(void)
{
	printf("usage: vnet-vhost-test <EAL args> -- probe|frames|restart|capacity|safety [--vnet DEVARGS] [--frames N] "
	       "[--queues Q] [--expect-copy 0|1] [--timeout S] [--cycles C] [--late-pool N] "
	       "[--desc N] [--expect-desc N] [--reconfig Q1,Q2,...] [--segs N] [--shared 1] "
	       "[--rx-buf N]\n");
}

int
main(int argc, char **argv)
{
	struct opts o = { .frames = 20000, .queues = 1, .expect_copy = -1, .timeout = 60,
			  .cycles = 2 };
	struct rte_mempool *mp_vnet, *mp_vh;
	unsigned int npool;
	const char *mode;
	int i, rc;

	if (vt_eal_init("vnet-test", &argc, &argv) < 0) {
		printf("RESULT eal FAIL\n");
		return 3;
	}
	if (argc < 2) {
		usage();
		return 2;
	}
	mode = argv[1];
	for (i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL) {
			usage();
			return 2;
		}
		if (strcmp(argv[i], "--vnet") == 0)
			o.vnet_args = v;
		else if (strcmp(argv[i], "--frames") == 0)
			o.frames = (uint32_t)strtoul(v, NULL, 0);
		else if (strcmp(argv[i], "--queues") == 0)
			o.queues = (uint16_t)strtoul(v, NULL, 0);
		else if (strcmp(argv[i], "--expect-copy") == 0)
			o.expect_copy = atoi(v);
		else if (strcmp(argv[i], "--timeout") == 0)
			o.timeout = atof(v);
		else if (strcmp(argv[i], "--cycles") == 0)
			o.cycles = (unsigned int)strtoul(v, NULL, 0);
		else if (strcmp(argv[i], "--reconfig") == 0) {
			char *p = (char *)(uintptr_t)v;

			while (*p != '\0' && o.nreconfig < RTE_DIM(o.reconfig)) {
				o.reconfig[o.nreconfig++] = (uint16_t)strtoul(p, &p, 0);
				if (*p == ',')
					p++;
				else if (*p != '\0')
					break;
			}
		} else if (strcmp(argv[i], "--rx-buf") == 0)
			o.rx_buf = (uint16_t)strtoul(v, NULL, 0);
		else if (strcmp(argv[i], "--segs") == 0)
			o.segs = (uint16_t)strtoul(v, NULL, 0);
		else if (strcmp(argv[i], "--shared") == 0)
			o.shared = (uint16_t)strtoul(v, NULL, 0);
		else if (strcmp(argv[i], "--desc") == 0)
			opt_desc = (uint16_t)strtoul(v, NULL, 0);
		else if (strcmp(argv[i], "--expect-desc") == 0)
			opt_expect_desc = atoi(v);
		else if (strcmp(argv[i], "--late-pool") == 0)
			o.late_pool = (unsigned int)strtoul(v, NULL, 0);
		else {
			usage();
			return 2;
		}
		i++;
	}
	if (o.queues < 1 || o.queues > MAX_Q) {
		usage();
		return 2;
	}
	for (i = 0; i < (int)o.nreconfig; i++) {
		if (o.reconfig[i] < 1 || o.reconfig[i] > o.queues) {
			printf("vnet-test: --reconfig values must be 1..--queues (%u)\n", o.queues);
			return 2;
		}
	}
	/* Pools first: their in-use counts are the leak check. */
	npool = strcmp(mode, "probe") == 0 ? 2047 : POOL_SIZE;
	mp_vnet = rte_pktmbuf_pool_create("vnet_pool", npool, POOL_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	mp_vh = rte_pktmbuf_pool_create("vhost_pool", npool, POOL_CACHE, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (mp_vnet == NULL || mp_vh == NULL) {
		printf("RESULT %s FAIL: mempool: %s\n", mode, rte_strerror(rte_errno));
		rc = 1;
	} else if (strcmp(mode, "probe") == 0) {
		rc = mode_probe(&o, mp_vh);
	} else if (strcmp(mode, "frames") == 0) {
		rc = mode_frames(&o, mp_vnet, mp_vh);
	} else if (strcmp(mode, "restart") == 0) {
		rc = mode_restart(&o, mp_vnet);
	} else if (strcmp(mode, "capacity") == 0) {
		rc = mode_capacity(&o, mp_vnet, mp_vh);
	} else if (strcmp(mode, "safety") == 0) {
		rc = mode_safety(&o, mp_vnet, mp_vh);
	} else {
		usage();
		rc = 2;
	}
	rte_eal_cleanup();
	return rc;
}
