/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * Runtime queue start/stop of vnet over vhost-user, against DPDK's net_vhost in the same
 * process (see tests/vhost/README, "queue-*"):
 *
 *   vnet-queue-test <EAL args with --vdev net_vhost0,iface=S,queues=2> -- --vnet ARGS
 *       [--frames N]
 *
 * vnet (net_vnet_user0, hot-plugged with ARGS, 2 queue pairs) starts with RX queue 1 and
 * TX queue 1 deferred (rx/tx_deferred_start). Rounds of N frames per flow (vnet TX q ->
 * net_vhost RX q and net_vhost TX q -> vnet RX q, each frame tagged with direction, queue
 * and sequence number; every receiver checks the queue it came to, the sequence (exactly
 * once, in order) and every byte):
 *   1. deferred: queue 1 reads STOPPED, bursts on it return 0; queue 0 forwards.
 *   2. rte_eth_dev_rx/tx_queue_start(1): both queues forward.
 *   3. rte_eth_dev_rx/tx_queue_stop(1) while queue 0 keeps forwarding: 0 returned, state
 *      STOPPED, vnet's bursts on queue 1 return 0, net_vhost cannot enqueue to vnet's
 *      disabled RX queue 1 (the backend saw SET_VRING_ENABLE 0).
 *   4. start queue 1 again: both forward, queue 1's sequences continue where they were.
 * Then stop and close: both pools back to their start (no mbuf leaked or freed twice).
 * Each check prints "CHECK <name> PASS|FAIL: <why>"; "RESULT queue PASS|FAIL (...)".
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vnet_test_common.h"

#define NQ		2
#define POOL_N		8191
#define BURST		32
#define FLEN_MIN	60
#define FLEN_SPAN	400

static uint16_t vnet_port, vh_port;
static struct rte_mempool *mp_vnet, *mp_vh;

/* Flow (dir 0: vnet -> vhost, 1: vhost -> vnet; queue q): next sequence to send / expect. */
static uint32_t tx_seq[2][NQ], rx_seq[2][NQ];
static uint64_t rx_bad;

static uint16_t
frame_len(uint32_t dir, uint32_t q, uint32_t seq)
{
	return (uint16_t)(FLEN_MIN + (seq * 97u + q * 31u + dir * 7u) % FLEN_SPAN);
}

static uint8_t
frame_byte(uint32_t dir, uint32_t q, uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 13u + i * 7u + q * 101u + dir * 53u);
}

static struct rte_mbuf *
make_frame(struct rte_mempool *mp, uint32_t dir, uint32_t q, uint32_t seq)
{
	uint16_t len = frame_len(dir, q, seq), i;
	struct rte_mbuf *m = vt_mbuf_alloc(mp, len);
	uint8_t *b;

	if (m == NULL)
		return NULL;
	b = rte_pktmbuf_mtod(m, uint8_t *);
	memset(b, 0, 12);
	b[0] = 0x02;		/* dst 02:00:00:00:00:01, src 02:00:00:00:00:02 */
	b[5] = 1;
	b[6] = 0x02;
	b[11] = 2;
	b[12] = 0x88;
	b[13] = 0xb5;
	memcpy(b + 14, "VNQ1", 4);
	b[18] = (uint8_t)dir;
	b[19] = (uint8_t)q;
	memcpy(b + 20, &seq, 4);
	for (i = 24; i < len; i++)
		b[i] = frame_byte(dir, q, seq, i);
	return m;
}

/* Check a frame of direction @dir received on queue @q. */
static void
check_rx(struct rte_mbuf *m, uint32_t dir, uint32_t q)
{
	uint8_t buf[FLEN_MIN + FLEN_SPAN];
	const uint8_t *p;
	uint32_t seq;
	uint16_t i, len;

	p = m->pkt_len <= sizeof(buf) ? rte_pktmbuf_read(m, 0, m->pkt_len, buf) : NULL;
	if (p == NULL || m->pkt_len < 24 || memcmp(p + 14, "VNQ1", 4) != 0) {
		rx_bad++;
		vt_fail("dir %u queue %u: a frame of %u bytes that is not the test's", dir, q,
			m->pkt_len);
		return;
	}
	memcpy(&seq, p + 20, 4);
	len = frame_len(dir, q, seq);
	if (p[18] != dir || p[19] != q) {
		rx_bad++;
		vt_fail("dir %u queue %u: got a frame of dir %u queue %u", dir, q, p[18], p[19]);
		return;
	}
	if (seq != rx_seq[dir][q]) {
		rx_bad++;
		vt_fail("dir %u queue %u: seq %u, expected %u", dir, q, seq, rx_seq[dir][q]);
	}
	rx_seq[dir][q] = seq + 1;
	if (m->pkt_len != len) {
		rx_bad++;
		vt_fail("dir %u queue %u seq %u: %u bytes, expected %u", dir, q, seq, m->pkt_len,
			len);
		return;
	}
	for (i = 24; i < len; i++) {
		if (p[i] != frame_byte(dir, q, seq, i)) {
			rx_bad++;
			vt_fail("dir %u queue %u seq %u: byte %u differs", dir, q, seq, i);
			return;
		}
	}
}

/* Drain every RX queue of both ports once. */
static void
poll_rx(void)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t q, n, i;

	for (q = 0; q < NQ; q++) {
		n = rte_eth_rx_burst(vh_port, q, pkts, BURST);
		for (i = 0; i < n; i++) {
			check_rx(pkts[i], 0, q);
			rte_pktmbuf_free(pkts[i]);
		}
		n = rte_eth_rx_burst(vnet_port, q, pkts, BURST);
		for (i = 0; i < n; i++) {
			check_rx(pkts[i], 1, q);
			rte_pktmbuf_free(pkts[i]);
		}
	}
}

/*
 * @n frames on each flow whose queue is in @qmask, both directions; polls until all of
 * them arrived or 5 s passed. @return 0 or -1 (a vt_fail() says why).
 */
static int
round_trip(unsigned int qmask, uint32_t n)
{
	uint32_t want[2][NQ], dir, q;
	double end = vt_now_s() + 5;
	bool done;

	for (dir = 0; dir < 2; dir++)
		for (q = 0; q < NQ; q++)
			want[dir][q] = tx_seq[dir][q] + ((qmask >> q) & 1 ? n : 0);
	do {
		for (dir = 0; dir < 2; dir++) {
			for (q = 0; q < NQ; q++) {
				struct rte_mbuf *tx[BURST];
				uint16_t k = 0, sent;
				uint16_t port = dir == 0 ? vnet_port : vh_port;

				while (k < BURST && tx_seq[dir][q] + k < want[dir][q]) {
					tx[k] = make_frame(dir == 0 ? mp_vnet : mp_vh, dir, q,
							   tx_seq[dir][q] + k);
					if (tx[k] == NULL)
						break;
					k++;
				}
				if (k == 0)
					continue;
				sent = rte_eth_tx_burst(port, (uint16_t)q, tx, k);
				tx_seq[dir][q] += sent;
				if (sent < k)
					rte_pktmbuf_free_bulk(&tx[sent], k - sent);
			}
		}
		poll_rx();
		done = true;
		for (dir = 0; dir < 2; dir++)
			for (q = 0; q < NQ; q++)
				if (rx_seq[dir][q] < want[dir][q])
					done = false;
	} while (!done && vt_now_s() < end);
	if (!done) {
		for (dir = 0; dir < 2; dir++)
			for (q = 0; q < NQ; q++)
				if (rx_seq[dir][q] < want[dir][q])
					vt_fail("dir %u (%s) queue %u: %u of %u frames arrived "
						"in 5 s", dir, dir ? "vhost->vnet" : "vnet->vhost",
						q, rx_seq[dir][q], want[dir][q]);
		return -1;
	}
	return 0;
}

/* Queue 1 of vnet: expected state of both directions. */
static void
expect_q1_state(uint8_t want)
{
	struct rte_eth_rxq_info ri;
	struct rte_eth_txq_info ti;

	if (rte_eth_rx_queue_info_get(vnet_port, 1, &ri) != 0 ||
	    rte_eth_tx_queue_info_get(vnet_port, 1, &ti) != 0) {
		vt_fail("rx/tx_queue_info_get failed");
		return;
	}
	if (ri.queue_state != want || ti.queue_state != want)
		vt_fail("queue 1 state rx %u tx %u, expected %u", ri.queue_state, ti.queue_state,
			want);
}

/* Offer 4 frames of direction @dir to TX queue 1 of @port. @return how many it took. */
static uint16_t
offer_q1(uint16_t port, struct rte_mempool *mp, uint32_t dir)
{
	struct rte_mbuf *m[4];
	uint16_t k, sent;

	for (k = 0; k < 4; k++)
		m[k] = make_frame(mp, dir, 1, 0xfffffff0u + k);
	sent = rte_eth_tx_burst(port, 1, m, 4);
	rte_pktmbuf_free_bulk(&m[sent], 4 - sent);
	return sent;
}

/* While vnet's queue 1 is not started: its bursts return 0; net_vhost cannot enqueue. */
static void
expect_q1_idle(void)
{
	struct rte_mbuf *m[4];
	uint16_t sent;

	sent = offer_q1(vnet_port, mp_vnet, 0);
	if (sent != 0)
		vt_fail("vnet tx_burst on its stopped queue 1 took %u frames", sent);
	if (rte_eth_rx_burst(vnet_port, 1, m, 4) != 0)
		vt_fail("vnet rx_burst on its stopped queue 1 returned frames");
	sent = offer_q1(vh_port, mp_vh, 1);
	if (sent != 0)
		vt_fail("net_vhost enqueued %u frames to vnet's disabled RX queue 1", sent);
}

/* Start (@start) or stop vnet's RX and TX queue 1 at run time; then it must say so. */
static void
queue1_start_stop(bool start)
{
	const char *op = start ? "start" : "stop";
	int ret;

	ret = start ? rte_eth_dev_rx_queue_start(vnet_port, 1) :
		      rte_eth_dev_rx_queue_stop(vnet_port, 1);
	if (ret != 0)
		vt_fail("rx_queue_%s(1): %s", op, strerror(-ret));
	ret = start ? rte_eth_dev_tx_queue_start(vnet_port, 1) :
		      rte_eth_dev_tx_queue_stop(vnet_port, 1);
	if (ret != 0)
		vt_fail("tx_queue_%s(1): %s", op, strerror(-ret));
	expect_q1_state(start ? RTE_ETH_QUEUE_STATE_STARTED : RTE_ETH_QUEUE_STATE_STOPPED);
}

enum q1_step { Q1_DEFERRED, Q1_START, Q1_STOP };

/*
 * The check @name: queue 1 as @step leaves it: still stopped (Q1_DEFERRED), started or
 * stopped at run time (Q1_STOP: while queue 0 forwards); it says so, and while stopped its
 * bursts are idle. Then the check @fwd_name: @n frames per flow on the queues that run.
 */
static void
queue1_step(const char *name, enum q1_step step, const char *fwd_name, uint32_t n)
{
	vt_check_begin(name);
	if (step == Q1_STOP)
		round_trip(1u << 0, n / 2);	/* queue 0 busy while queue 1 stops */
	if (step == Q1_DEFERRED)
		expect_q1_state(RTE_ETH_QUEUE_STATE_STOPPED);
	else
		queue1_start_stop(step == Q1_START);
	if (step != Q1_START)
		expect_q1_idle();
	vt_check_end();
	vt_check_begin(fwd_name);
	round_trip(step == Q1_START ? 3u : 1u << 0, n);
	vt_check_end();
}

int
main(int argc, char **argv)
{
	const char *vnet_args = NULL;
	unsigned int base_vnet, base_vh;
	uint32_t frames = 2000;
	int ret, i, rc = 1;

	if (vt_eal_init("vnet-queue-test", &argc, &argv) < 0) {
		printf("RESULT queue FAIL\n");
		return 3;
	}
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--vnet") == 0)
			vnet_args = argv[i + 1];
		else if (strcmp(argv[i], "--frames") == 0)
			frames = (uint32_t)strtoul(argv[i + 1], NULL, 0);
		else
			break;
	}
	if (i != argc || vnet_args == NULL) {
		printf("usage: vnet-queue-test <EAL args> -- --vnet ARGS [--frames N]\n");
		return 2;
	}
	mp_vnet = rte_pktmbuf_pool_create("vnet_pool", POOL_N, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	mp_vh = rte_pktmbuf_pool_create("vhost_pool", POOL_N, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	if (mp_vnet == NULL || mp_vh == NULL) {
		printf("RESULT queue FAIL: mempool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	base_vnet = rte_mempool_in_use_count(mp_vnet);
	base_vh = rte_mempool_in_use_count(mp_vh);
	/* net_vhost configured first (its socket appears), then vnet hot-plugged. */
	if (vt_find_port("net_vhost", &vh_port) != 0 ||
	    vt_port_setup(vh_port, NQ, NULL, 256, 256, mp_vh, 0) != 0) {
		printf("RESULT queue FAIL: net_vhost port\n");
		goto out;
	}
	/* vnet's queue pair 1 deferred */
	if (vt_attach_vnet(vnet_args, &vnet_port) != 0 ||
	    vt_port_setup(vnet_port, NQ, NULL, 256, 256, mp_vnet, 1u << 1) != 0) {
		printf("RESULT queue FAIL: vnet port\n");
		goto out;
	}
	ret = vt_start_pair(vh_port, vnet_port, 5);
	if (ret != 0) {
		printf("RESULT queue FAIL: start: %s\n", strerror(-ret));
		goto out;
	}

	{
		struct rte_eth_burst_mode bm;

		if (rte_eth_rx_burst_mode_get(vnet_port, 0, &bm) == 0)
			printf("vnet-queue-test: vnet RX burst mode: %s\n", bm.info);
		if (rte_eth_tx_burst_mode_get(vnet_port, 0, &bm) == 0)
			printf("vnet-queue-test: vnet TX burst mode: %s\n", bm.info);
	}
	queue1_step("deferred-queue1-stopped", Q1_DEFERRED, "deferred-queue0-forwards", frames);
	queue1_step("deferred-start-queue1", Q1_START, "both-queues-forward", frames);
	queue1_step("runtime-stop-queue1", Q1_STOP, "queue0-forwards-while-queue1-stopped",
		    frames);
	queue1_step("restart-queue1", Q1_START, "both-forward-after-restart", frames);

	vt_check_begin("no-bad-frames");
	if (rx_bad != 0)
		vt_fail("%" PRIu64 " bad frames", rx_bad);
	printf("vnet-queue-test: frames per flow: vnet->vhost q0 %u q1 %u, vhost->vnet q0 %u "
	       "q1 %u\n", rx_seq[0][0], rx_seq[0][1], rx_seq[1][0], rx_seq[1][1]);
	vt_check_end();

	rte_eth_dev_stop(vnet_port);
	rte_eth_dev_stop(vh_port);
	vt_check_begin("mempools-back-after-stop");
	vt_check_pool(mp_vnet, base_vnet, "after stop", vt_fail);
	vt_check_end();
	rte_eth_dev_close(vnet_port);
	rte_eth_dev_close(vh_port);
	vt_check_begin("mempools-back-after-close");
	vt_check_pool(mp_vnet, base_vnet, "after close", vt_fail);
	vt_check_pool(mp_vh, base_vh, "after close", vt_fail);
	vt_check_end();
	rc = vt_checks_result("queue");
out:
	rte_eal_cleanup();
	return rc;
}
