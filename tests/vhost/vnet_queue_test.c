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

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define NQ		2
#define POOL_N		8191
#define BURST		32
#define FLEN_MIN	60
#define FLEN_SPAN	400

static uint16_t vnet_port, vh_port;
static struct rte_mempool *mp_vnet, *mp_vh;
static unsigned int n_checks, n_failed;
static const char *cur_check;
static char cur_why[256];

static void
check_begin(const char *name)
{
	cur_check = name;
	cur_why[0] = '\0';
	n_checks++;
}

static void
fail(const char *fmt, ...)
{
	va_list ap;

	if (cur_why[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(cur_why, sizeof(cur_why), fmt, ap);
	va_end(ap);
}

static void
check_end(void)
{
	if (cur_why[0] == '\0') {
		printf("CHECK %s PASS\n", cur_check);
	} else {
		printf("CHECK %s FAIL: %s\n", cur_check, cur_why);
		n_failed++;
	}
}

static double
now_s(void)
{
	return (double)rte_get_tsc_cycles() / (double)rte_get_tsc_hz();
}

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
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t len = frame_len(dir, q, seq), i;
	uint8_t *b;

	if (m == NULL)
		return NULL;
	b = (uint8_t *)rte_pktmbuf_append(m, len);
	if (b == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
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
		fail("dir %u queue %u: a frame of %u bytes that is not the test's", dir, q,
		     m->pkt_len);
		return;
	}
	memcpy(&seq, p + 20, 4);
	len = frame_len(dir, q, seq);
	if (p[18] != dir || p[19] != q) {
		rx_bad++;
		fail("dir %u queue %u: got a frame of dir %u queue %u", dir, q, p[18], p[19]);
		return;
	}
	if (seq != rx_seq[dir][q]) {
		rx_bad++;
		fail("dir %u queue %u: seq %u, expected %u", dir, q, seq, rx_seq[dir][q]);
	}
	rx_seq[dir][q] = seq + 1;
	if (m->pkt_len != len) {
		rx_bad++;
		fail("dir %u queue %u seq %u: %u bytes, expected %u", dir, q, seq, m->pkt_len,
		     len);
		return;
	}
	for (i = 24; i < len; i++) {
		if (p[i] != frame_byte(dir, q, seq, i)) {
			rx_bad++;
			fail("dir %u queue %u seq %u: byte %u differs", dir, q, seq, i);
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
 * them arrived or 5 s passed. @return 0 or -1 (a fail() says why).
 */
static int
round_trip(unsigned int qmask, uint32_t n)
{
	uint32_t want[2][NQ], dir, q;
	double end = now_s() + 5;
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
	} while (!done && now_s() < end);
	if (!done) {
		for (dir = 0; dir < 2; dir++)
			for (q = 0; q < NQ; q++)
				if (rx_seq[dir][q] < want[dir][q])
					fail("dir %u (%s) queue %u: %u of %u frames arrived in 5 s", dir,
					     dir ? "vhost->vnet" : "vnet->vhost", q,
					     rx_seq[dir][q], want[dir][q]);
		return -1;
	}
	return 0;
}

static int
find_port(const char *driver, uint16_t *port)
{
	uint16_t p;

	RTE_ETH_FOREACH_DEV(p) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(p, &info) == 0 && info.driver_name != NULL &&
		    strcmp(info.driver_name, driver) == 0) {
			*port = p;
			return 0;
		}
	}
	return -ENODEV;
}

static int
port_config(uint16_t port, struct rte_mempool *mp, bool defer1)
{
	struct rte_eth_conf conf;
	struct rte_eth_rxconf rxc;
	struct rte_eth_txconf txc;
	struct rte_eth_dev_info info;
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_info_get(port, &info);
	if (ret == 0)
		ret = rte_eth_dev_configure(port, NQ, NQ, &conf);
	for (q = 0; ret == 0 && q < NQ; q++) {
		rxc = info.default_rxconf;
		txc = info.default_txconf;
		rxc.rx_deferred_start = defer1 && q == 1;
		txc.tx_deferred_start = defer1 && q == 1;
		ret = rte_eth_rx_queue_setup(port, q, 256, rte_eth_dev_socket_id(port), &rxc, mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, 256, rte_eth_dev_socket_id(port),
						     &txc);
	}
	if (ret != 0)
		printf("vnet-queue-test: port %u setup: %s\n", port, strerror(-ret));
	return ret;
}

static int
wait_links(void)
{
	double end = now_s() + 5;
	struct rte_eth_link a, b;

	while (now_s() < end) {
		if (rte_eth_link_get_nowait(vnet_port, &a) == 0 && a.link_status &&
		    rte_eth_link_get_nowait(vh_port, &b) == 0 && b.link_status)
			return 0;
		rte_delay_ms(5);
	}
	return -ETIMEDOUT;
}

/* Queue 1 of vnet: expected state of both directions. */
static void
expect_q1_state(uint8_t want)
{
	struct rte_eth_rxq_info ri;
	struct rte_eth_txq_info ti;

	if (rte_eth_rx_queue_info_get(vnet_port, 1, &ri) != 0 ||
	    rte_eth_tx_queue_info_get(vnet_port, 1, &ti) != 0) {
		fail("rx/tx_queue_info_get failed");
		return;
	}
	if (ri.queue_state != want || ti.queue_state != want)
		fail("queue 1 state rx %u tx %u, expected %u", ri.queue_state, ti.queue_state,
		     want);
}

/* While vnet's queue 1 is not started: its bursts return 0; net_vhost cannot enqueue. */
static void
expect_q1_idle(void)
{
	struct rte_mbuf *m[4];
	uint16_t k, sent;

	for (k = 0; k < 4; k++)
		m[k] = make_frame(mp_vnet, 0, 1, 0xfffffff0u + k);
	sent = rte_eth_tx_burst(vnet_port, 1, m, 4);
	rte_pktmbuf_free_bulk(&m[sent], 4 - sent);
	if (sent != 0)
		fail("vnet tx_burst on its stopped queue 1 took %u frames", sent);
	if (rte_eth_rx_burst(vnet_port, 1, m, 4) != 0)
		fail("vnet rx_burst on its stopped queue 1 returned frames");
	for (k = 0; k < 4; k++)
		m[k] = make_frame(mp_vh, 1, 1, 0xfffffff0u + k);
	sent = rte_eth_tx_burst(vh_port, 1, m, 4);
	rte_pktmbuf_free_bulk(&m[sent], 4 - sent);
	if (sent != 0)
		fail("net_vhost enqueued %u frames to vnet's disabled RX queue 1", sent);
}

int
main(int argc, char **argv)
{
	const char *vnet_args = NULL;
	unsigned int base_vnet, base_vh;
	uint32_t frames = 2000;
	int ret, i, rc = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_DFL);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		printf("vnet-queue-test: EAL init failed: %s\nRESULT queue FAIL\n",
		       rte_strerror(rte_errno));
		return 3;
	}
	argc -= ret;
	argv += ret;
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
	if (find_port("net_vhost", &vh_port) != 0 || port_config(vh_port, mp_vh, false) != 0) {
		printf("RESULT queue FAIL: net_vhost port\n");
		goto out;
	}
	ret = rte_eal_hotplug_add("vdev", "net_vnet_user0", vnet_args);
	printf("vnet-queue-test: hot-plug net_vnet_user0,%s: %s\n", vnet_args,
	       ret == 0 ? "probed" : strerror(-ret));
	if (ret != 0 || find_port("net_vnet_user", &vnet_port) != 0 ||
	    port_config(vnet_port, mp_vnet, true) != 0) {
		printf("RESULT queue FAIL: vnet port\n");
		goto out;
	}
	ret = rte_eth_dev_start(vh_port);
	if (ret == 0)
		ret = rte_eth_dev_start(vnet_port);
	if (ret == 0)
		ret = wait_links();
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
	check_begin("deferred-queue1-stopped");
	expect_q1_state(RTE_ETH_QUEUE_STATE_STOPPED);
	expect_q1_idle();
	check_end();
	check_begin("deferred-queue0-forwards");
	round_trip(1u << 0, frames);
	check_end();

	check_begin("deferred-start-queue1");
	ret = rte_eth_dev_rx_queue_start(vnet_port, 1);
	if (ret != 0)
		fail("rx_queue_start(1): %s", strerror(-ret));
	ret = rte_eth_dev_tx_queue_start(vnet_port, 1);
	if (ret != 0)
		fail("tx_queue_start(1): %s", strerror(-ret));
	expect_q1_state(RTE_ETH_QUEUE_STATE_STARTED);
	check_end();
	check_begin("both-queues-forward");
	round_trip(3u, frames);
	check_end();

	check_begin("runtime-stop-queue1");
	round_trip(1u << 0, frames / 2);	/* queue 0 busy while queue 1 stops */
	ret = rte_eth_dev_rx_queue_stop(vnet_port, 1);
	if (ret != 0)
		fail("rx_queue_stop(1): %s", strerror(-ret));
	ret = rte_eth_dev_tx_queue_stop(vnet_port, 1);
	if (ret != 0)
		fail("tx_queue_stop(1): %s", strerror(-ret));
	expect_q1_state(RTE_ETH_QUEUE_STATE_STOPPED);
	expect_q1_idle();
	check_end();
	check_begin("queue0-forwards-while-queue1-stopped");
	round_trip(1u << 0, frames);
	check_end();

	check_begin("restart-queue1");
	ret = rte_eth_dev_rx_queue_start(vnet_port, 1);
	if (ret != 0)
		fail("rx_queue_start(1): %s", strerror(-ret));
	ret = rte_eth_dev_tx_queue_start(vnet_port, 1);
	if (ret != 0)
		fail("tx_queue_start(1): %s", strerror(-ret));
	expect_q1_state(RTE_ETH_QUEUE_STATE_STARTED);
	check_end();
	check_begin("both-forward-after-restart");
	round_trip(3u, frames);
	check_end();

	check_begin("no-bad-frames");
	if (rx_bad != 0)
		fail("%" PRIu64 " bad frames", rx_bad);
	printf("vnet-queue-test: frames per flow: vnet->vhost q0 %u q1 %u, vhost->vnet q0 %u "
	       "q1 %u\n", rx_seq[0][0], rx_seq[0][1], rx_seq[1][0], rx_seq[1][1]);
	check_end();

	rte_eth_dev_stop(vnet_port);
	rte_eth_dev_stop(vh_port);
	check_begin("mempools-back-after-stop");
	if (rte_mempool_in_use_count(mp_vnet) != base_vnet)
		fail("vnet pool: %u in use after stop, %u before start",
		     rte_mempool_in_use_count(mp_vnet), base_vnet);
	check_end();
	rte_eth_dev_close(vnet_port);
	rte_eth_dev_close(vh_port);
	check_begin("mempools-back-after-close");
	if (rte_mempool_in_use_count(mp_vnet) != base_vnet ||
	    rte_mempool_in_use_count(mp_vh) != base_vh)
		fail("in use after close: vnet %u (%u before), vhost %u (%u)",
		     rte_mempool_in_use_count(mp_vnet), base_vnet,
		     rte_mempool_in_use_count(mp_vh), base_vh);
	check_end();
	printf("RESULT queue %s (%u checks, %u failed)\n", n_failed == 0 ? "PASS" : "FAIL",
	       n_checks, n_failed);
	rc = n_failed == 0 ? 0 : 1;
out:
	rte_eal_cleanup();
	return rc;
}
