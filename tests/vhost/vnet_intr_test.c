/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * Host test program for vnet's interrupts over vhost-user (net_vnet_user against DPDK's
 * net_vhost in one EAL process, one lcore; the vnet port is hot-plugged with DEVARGS once
 * net_vhost listens):
 *
 *   vnet-intr-test <EAL args with --vdev net_vhost0,...> -- rxintr --vnet DEVARGS [--rounds N]
 *       RX queue interrupts (intr_conf.rxq = 1) through the per-thread epoll instance, as
 *       l3fwd-power uses them. Each round: (idle) arm the queue and wait: no wake-up may
 *       come; (wake) net_vhost sends k frames: the wait must return for the queue, then
 *       every frame is received intact; (race) frames arrive while the queue is disarmed
 *       and unpolled, then it is armed: the wait must return at once (vnet re-checks the
 *       ring after arming). Prints wake-up latencies and counts.
 *
 *   vnet-intr-test <EAL args ...> -- lsc --vnet DEVARGS --vhost-args ARGS
 *       Link-state events (intr_conf.lsc = 1; dev_flags must have RTE_ETH_DEV_INTR_LSC):
 *       the backend port is closed and removed (its socket goes away): an LSC event with
 *       link down must arrive; the backend is hot-plugged again: vnet reconnects and an LSC
 *       event with link up must arrive; then frames flow again. Prints both latencies.
 *
 * Every mode prints "RESULT <mode> PASS" or "RESULT <mode> FAIL: <why>" and exits 0 only on
 * PASS.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vnet_test_common.h"

#define BURST		32
#define ETHERTYPE_TEST	0x88B5
#define MAGIC		0x52544e56u	/* "VNTR" */
#define POOL_SIZE	8191
#define EP_DATA		((void *)(uintptr_t)0x5a5a)

/* Configure @port (one queue pair, @conf) and start it. */
static int
port_setup(uint16_t port, const struct rte_eth_conf *conf, struct rte_mempool *mp)
{
	int ret;

	ret = vt_port_setup(port, 1, conf, 256, 256, mp, 0);
	if (ret != 0)
		return ret;
	ret = rte_eth_dev_start(port);
	if (ret != 0)
		printf("vnet-intr-test: port %u start: %s\n", port, strerror(-ret));
	return ret;
}

/* Send @n test frames numbered from @seq out of @port queue 0. @return frames sent. */
static unsigned int
send_frames(struct rte_mempool *mp, uint16_t port, uint32_t seq, unsigned int n)
{
	struct rte_mbuf *m[BURST];
	unsigned int i, sent = 0, tries;

	if (n > BURST)
		n = BURST;
	if (rte_pktmbuf_alloc_bulk(mp, m, n) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		uint16_t len = (uint16_t)(60 + ((seq + i) * 37) % 1400);
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m[i], len);
		uint32_t v;
		uint16_t k;

		if (p == NULL) {
			rte_pktmbuf_free_bulk(m, n);
			return 0;
		}
		memset(p, 0xff, 6);
		memcpy(p + 6, "\x02\x00\x00\x00\x00\x42", 6);
		p[12] = ETHERTYPE_TEST >> 8;
		p[13] = ETHERTYPE_TEST & 0xff;
		v = MAGIC;
		memcpy(p + 14, &v, 4);
		v = seq + i;
		memcpy(p + 18, &v, 4);
		for (k = 22; k < len; k++)
			p[k] = (uint8_t)(k ^ (seq + i));
	}
	for (tries = 0; sent < n && tries < 1000; tries++)
		sent += rte_eth_tx_burst(port, 0, m + sent, (uint16_t)(n - sent));
	if (sent < n)
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	return sent;
}

/* Receive until @n frames numbered from @seq arrived intact (or @timeout). @return count. */
static unsigned int
recv_frames(uint16_t port, uint32_t seq, unsigned int n, double timeout)
{
	struct rte_mbuf *m[BURST];
	double end = vt_now_s() + timeout;
	unsigned int got = 0;

	while (got < n && vt_now_s() < end) {
		uint16_t r = rte_eth_rx_burst(port, 0, m, BURST), i;

		for (i = 0; i < r; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(m[i], const uint8_t *);
			uint16_t len = (uint16_t)(60 + ((seq + got) * 37) % 1400), k;
			uint32_t v, s;
			bool ok = m[i]->pkt_len == len && m[i]->nb_segs == 1;

			if (ok) {
				memcpy(&v, p + 14, 4);
				memcpy(&s, p + 18, 4);
				ok = v == MAGIC && s == seq + got;
				for (k = 22; ok && k < len; k++)
					ok = p[k] == (uint8_t)(k ^ (seq + got));
			}
			if (!ok)
				vt_fail("frame %u: bad contents or length (%u, expected %u)",
					seq + got, m[i]->pkt_len, len);
			else
				got++;
			rte_pktmbuf_free(m[i]);
		}
	}
	return got;
}

/* Wait up to @ms on this thread's epoll instance. @return events for our queue, or -1. */
static int
wait_intr(int ms)
{
	struct rte_epoll_event ev[4];
	int n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), ms), i, mine = 0;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (ev[i].epdata.data == EP_DATA)
			mine++;
	return mine;
}

/* The backend is up: hot-plug the vnet port (client mode connects now). */
static int
add_vnet(const char *vnet_args, uint16_t *vnet)
{
	if (vt_attach_vnet(vnet_args, vnet) != 0) {
		vt_fail("cannot hot-plug net_vnet_user0,%s", vnet_args);
		return -1;
	}
	return 0;
}

static int
mode_rxintr(struct rte_mempool *mp, uint16_t vhost, const char *vnet_args, unsigned int rounds)
{
	struct rte_eth_conf conf;
	unsigned int r, wakes = 0, races = 0, frames = 0;
	double lat_max = 0, lat_sum = 0;
	uint32_t seq = 0;
	uint16_t vnet;
	int ret;

	memset(&conf, 0, sizeof(conf));
	if (port_setup(vhost, &conf, mp) != 0 || add_vnet(vnet_args, &vnet) != 0)
		return -1;
	conf.intr_conf.rxq = 1;
	if (port_setup(vnet, &conf, mp) != 0)
		return -1;
	if (vt_wait_links(&vnet, 1, 10) != 0) {
		vt_fail("vnet link not up within 10 s");
		return -1;
	}
	ret = rte_eth_dev_rx_intr_ctl_q(vnet, 0, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_ADD,
					EP_DATA);
	if (ret != 0) {
		vt_fail("rte_eth_dev_rx_intr_ctl_q: %s", strerror(-ret));
		return -1;
	}
	/* Whatever the backend signalled while setting up is not part of the test. */
	while (wait_intr(100) > 0)
		;
	for (r = 0; r < rounds && !vt_failed(); r++) {
		unsigned int k = 1 + r % BURST;
		double t0, lat;
		int n;

		/* idle: armed, nothing arrives, nothing may wake us */
		if (rte_eth_dev_rx_intr_enable(vnet, 0) != 0) {
			vt_fail("rx_intr_enable failed");
			break;
		}
		n = wait_intr(r % 20 == 0 ? 200 : 5);
		if (n != 0) {
			vt_fail("round %u: woken %d time(s) while idle", r, n);
			break;
		}
		/* wake: the backend sends, the wait returns */
		if (send_frames(mp, vhost, seq, k) != k) {
			vt_fail("round %u: net_vhost sent fewer than %u frames", r, k);
			break;
		}
		t0 = vt_now_s();
		n = wait_intr(2000);
		lat = vt_now_s() - t0;
		if (n != 1) {
			vt_fail("round %u: %u frames sent, wait returned %d event(s) in %.3f s",
				r, k, n, lat);
			break;
		}
		wakes++;
		lat_sum += lat;
		if (lat > lat_max)
			lat_max = lat;
		rte_eth_dev_rx_intr_disable(vnet, 0);
		if (recv_frames(vnet, seq, k, 2) != k) {
			vt_fail("round %u: not all of %u frames received after the wake-up", r, k);
			break;
		}
		seq += k;
		frames += k;
		/* race: frames land while disarmed and unpolled, then arm: must wake at once */
		if (send_frames(mp, vhost, seq, k) != k) {
			vt_fail("round %u: net_vhost sent fewer than %u frames", r, k);
			break;
		}
		rte_delay_us_block(200);
		rte_eth_dev_rx_intr_enable(vnet, 0);
		n = wait_intr(50);
		if (n != 1) {
			vt_fail("round %u: %u frames pending when the queue was armed, wait "
				"returned %d", r, k, n);
			break;
		}
		races++;
		rte_eth_dev_rx_intr_disable(vnet, 0);
		if (recv_frames(vnet, seq, k, 2) != k) {
			vt_fail("round %u: not all of %u pending frames received", r, k);
			break;
		}
		seq += k;
		frames += k;
	}
	printf("vnet-intr-test: %u rounds: %u wake-ups (latency avg %.1f us, max %.1f us), "
	       "%u armed-with-pending wake-ups, %u frames intact\n", r, wakes,
	       wakes ? lat_sum * 1e6 / wakes : 0.0, lat_max * 1e6, races, frames);
	rte_eth_dev_rx_intr_ctl_q(vnet, 0, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_DEL, EP_DATA);
	rte_eth_dev_stop(vnet);
	rte_eth_dev_close(vnet);
	rte_eth_dev_stop(vhost);
	return !vt_failed() ? 0 : -1;
}

static volatile unsigned int lsc_events;
static volatile int lsc_last_up = -1;

static int
lsc_cb(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret_param)
{
	RTE_SET_USED(arg);
	RTE_SET_USED(ret_param);
	if (type != RTE_ETH_EVENT_INTR_LSC)
		return 0;
	lsc_last_up = vt_link_up(port);
	__atomic_fetch_add(&lsc_events, 1, __ATOMIC_RELEASE);
	printf("vnet-intr-test: LSC event on port %u: link %s\n", port,
	       lsc_last_up ? "up" : "down");
	return 0;
}

/* Wait for LSC event number @want with link @up. @return latency in s, or < 0. */
static double
wait_lsc(unsigned int want, bool up, double timeout)
{
	double t0 = vt_now_s();

	while (vt_now_s() - t0 < timeout) {
		if (__atomic_load_n(&lsc_events, __ATOMIC_ACQUIRE) >= want && lsc_last_up == up)
			return vt_now_s() - t0;
		rte_delay_ms(5);
	}
	return -1;
}

static int
mode_lsc(struct rte_mempool *mp, uint16_t vhost, const char *vnet_args, const char *vhost_args)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	unsigned int base, got;
	double down, up;
	uint16_t vnet;

	memset(&conf, 0, sizeof(conf));
	if (port_setup(vhost, &conf, mp) != 0 || add_vnet(vnet_args, &vnet) != 0)
		return -1;
	if (rte_eth_dev_info_get(vnet, &info) != 0 || !(*info.dev_flags & RTE_ETH_DEV_INTR_LSC)) {
		vt_fail("vnet port has no RTE_ETH_DEV_INTR_LSC in dev_flags");
		return -1;
	}
	rte_eth_dev_callback_register(vnet, RTE_ETH_EVENT_INTR_LSC, lsc_cb, NULL);
	conf.intr_conf.lsc = 1;
	if (port_setup(vnet, &conf, mp) != 0)
		return -1;
	if (vt_wait_links(&vnet, 1, 10) != 0) {
		vt_fail("vnet link not up within 10 s");
		return -1;
	}
	rte_delay_ms(300);	/* let the control thread settle on "up" */
	base = __atomic_load_n(&lsc_events, __ATOMIC_ACQUIRE);

	/* backend goes away: close and remove net_vhost (its socket closes) */
	rte_eth_dev_stop(vhost);
	rte_eth_dev_close(vhost);
	if (rte_eal_hotplug_remove("vdev", "net_vhost0") != 0)
		printf("vnet-intr-test: hotplug remove of net_vhost0 failed (closed anyway)\n");
	down = wait_lsc(base + 1, false, 10);
	if (down < 0) {
		vt_fail("no LSC event with link down within 10 s of the backend hang-up "
			"(%u events so far)", lsc_events - base);
		return -1;
	}
	printf("vnet-intr-test: link-down event %.1f ms after the backend hang-up\n", down * 1e3);

	/* backend comes back: vnet (client mode) reconnects */
	if (rte_eal_hotplug_add("vdev", "net_vhost0", vhost_args) != 0 ||
	    vt_find_port("net_vhost", &vhost) != 0) {
		vt_fail("cannot hot-plug net_vhost0,%s again", vhost_args);
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	if (port_setup(vhost, &conf, mp) != 0)
		return -1;
	up = wait_lsc(base + 2, true, 15);
	if (up < 0) {
		vt_fail("no LSC event with link up within 15 s of the backend's return");
		return -1;
	}
	printf("vnet-intr-test: link-up event %.1f ms after the backend came back (vnet "
	       "retries every second)\n", up * 1e3);
	rte_delay_ms(200);
	got = 0;
	if (send_frames(mp, vhost, 1000, 16) == 16)
		got = recv_frames(vnet, 1000, 16, 3);
	if (got != 16) {
		vt_fail("after the reconnect: %u of 16 frames received", got);
		return -1;
	}
	printf("vnet-intr-test: %u LSC events in all; 16 frames intact after the reconnect\n",
	       lsc_events);
	rte_eth_dev_stop(vnet);
	rte_eth_dev_close(vnet);
	rte_eth_dev_stop(vhost);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	uint16_t vhost;
	unsigned int rounds = 200;
	const char *mode, *vhost_args = NULL, *vnet_args = NULL;
	int ret, i;

	if (vt_eal_init("vnet-intr-test", &argc, &argv) < 0) {
		printf("RESULT init FAIL: EAL init\n");
		return 1;
	}
	if (argc < 2) {
		printf("usage: vnet-intr-test <EAL args> -- rxintr|lsc --vnet DEVARGS [--rounds N] "
		       "[--vhost-args ARGS]\n");
		return 2;
	}
	mode = argv[1];
	for (i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--rounds") == 0)
			rounds = (unsigned int)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--vhost-args") == 0)
			vhost_args = argv[i + 1];
		else if (strcmp(argv[i], "--vnet") == 0)
			vnet_args = argv[i + 1];
	}
	mp = rte_pktmbuf_pool_create("intr_pool", POOL_SIZE, 64, 0, 2048 + 128,
				     rte_socket_id());
	if (mp == NULL || vt_find_port("net_vhost", &vhost) != 0 || vnet_args == NULL) {
		printf("RESULT %s FAIL: pool, net_vhost port or --vnet missing\n", mode);
		return 1;
	}
	if (strcmp(mode, "rxintr") == 0) {
		ret = mode_rxintr(mp, vhost, vnet_args, rounds);
	} else if (strcmp(mode, "lsc") == 0 && vhost_args != NULL) {
		ret = mode_lsc(mp, vhost, vnet_args, vhost_args);
	} else {
		printf("RESULT %s FAIL: unknown mode (lsc needs --vhost-args)\n", mode);
		return 2;
	}
	if (ret == 0)
		printf("RESULT %s PASS\n", mode);
	else
		printf("RESULT %s FAIL: %s\n", mode, vt_why());
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
