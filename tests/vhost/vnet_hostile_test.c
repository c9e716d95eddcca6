/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * vnet against a hostile, ring-running vhost-user backend (tests/vhost/ring_backend.py):
 *
 *   vnet-hostile-test <EAL args with --vdev net_vnet_user0,path=SOCK> -- --mode NAME
 *       [--rx-buf BYTES] [--expect-rx N] [--expect-xstat NAME=VALUE]... [--tx N]
 *       [--done-file PATH] [--duration S] [--settle S] [--pool MBUFS] [--allow-loss 0|1]
 *       [--expect-recoveries N] [--rx-intr 1]
 *
 * One queue pair; RX mbufs of --rx-buf data bytes (512 by default) so that frames of up to
 * 1514 bytes span up to 3 mergeable buffers. The port starts, RX is polled (and with --tx N,
 * N frames are offered in bursts of 32 every 5 ms, what the queue refuses freed, then empty
 * bursts keep vnet reclaiming what the device completed) until the backend has
 * created --done-file (its script is over) and --settle seconds more have passed, or for
 * --duration seconds at most. Every frame received is checked (rte_mbuf_check, the
 * backend's byte pattern, sequence numbers consecutive from 0). Then the xstats are printed
 * and checked, the port stopped and closed, and the pool's in-use count must be back where
 * it was before start after each (no leaked, no doubly-freed mbuf).
 *
 * --expect-recoveries N: vnet's device-error recovery (the backend breaks a ring once, then
 * behaves): dev_info must say RTE_ETH_ERROR_HANDLE_MODE_PROACTIVE, and exactly N
 * RTE_ETH_EVENT_ERR_RECOVERING and N RTE_ETH_EVENT_RECOVERY_SUCCESS events (none
 * RECOVERY_FAILED) must arrive, the test polling all along (no restart of the port).
 *
 * --rx-intr 1: RX queue interrupts (intr_conf.rxq, the queue's eventfd in this thread's
 * epoll set, as l3fwd-power does): whenever a poll comes back empty the test arms the
 * interrupt and sleeps up to 1 s. A sleep that times out while frames were waiting is a
 * stranded frame (the device did not signal, or vnet's arming missed it): it fails the test.
 * With --expect-recoveries, at least one wake-up by the interrupt must come after the
 * recovery (the eventfds the epoll set holds survive it, and the re-created queue wakes a
 * sleeping lcore).
 *
 * Prints "RESULT hostile-<mode> PASS" or "RESULT hostile-<mode> FAIL: <why>"; exits 0 only
 * on PASS.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vnet_test_common.h"

#define POOL_SIZE	4095
#define POOL_CACHE	32
#define BURST		32
#define MAX_EXPECT	16
#define FRAME_MAX	1514

/* The frame ring_backend.py writes for @seq; @len bytes into @b. */
static void
frame_fill(uint8_t *b, uint32_t seq, uint16_t len)
{
	static const uint8_t head[14] = { 0x02, 0x76, 0x6e, 0, 0, 1, 0x02, 0x76, 0x6e, 0, 0, 2,
					  0x88, 0xb5 };
	uint16_t i;

	memcpy(b, head, sizeof(head));
	memcpy(b + 14, "VNH1", 4);
	b[18] = seq & 0xff;
	b[19] = (seq >> 8) & 0xff;
	b[20] = (seq >> 16) & 0xff;
	b[21] = seq >> 24;
	b[22] = len & 0xff;
	b[23] = len >> 8;
	for (i = 24; i < len; i++)
		b[i] = (uint8_t)(seq * 7u + i * 13u + (i >> 8));
}

static uint32_t ev_recovering, ev_success, ev_failed;

static int
recovery_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	if (type == RTE_ETH_EVENT_ERR_RECOVERING)
		__atomic_fetch_add(&ev_recovering, 1, __ATOMIC_RELAXED);
	else if (type == RTE_ETH_EVENT_RECOVERY_SUCCESS)
		__atomic_fetch_add(&ev_success, 1, __ATOMIC_RELAXED);
	else if (type == RTE_ETH_EVENT_RECOVERY_FAILED)
		__atomic_fetch_add(&ev_failed, 1, __ATOMIC_RELAXED);
	printf("vnet-hostile: port %u event %s\n", port,
	       type == RTE_ETH_EVENT_ERR_RECOVERING ? "ERR_RECOVERING" :
	       type == RTE_ETH_EVENT_RECOVERY_SUCCESS ? "RECOVERY_SUCCESS" : "RECOVERY_FAILED");
	return 0;
}

struct expect {
	char name[64];
	uint64_t value;
};

struct opts {
	const char *mode;
	uint16_t rx_buf;
	long expect_rx;			/* -1: not checked */
	struct expect xs[MAX_EXPECT];
	unsigned int nxs;
	unsigned int tx;		/* frames to send */
	const char *done_file;
	double duration;
	double settle;
	unsigned int pool;		/* mbufs in the pool */
	bool allow_loss;		/* sequence may skip (frames dropped), never repeat */
	long expect_recoveries;		/* -1: not checked */
	bool rx_intr;			/* sleep on the RX interrupt when idle */
};

struct rx_state {
	uint32_t next_seq;
	uint64_t ok;
	uint64_t bad;
};

static bool allow_loss;

static void
check_frame(struct rx_state *st, struct rte_mbuf *m)
{
	uint8_t got[FRAME_MAX], want[FRAME_MAX];
	const char *reason = NULL;
	const uint8_t *p;
	uint32_t seq;
	uint16_t len;

	if (rte_mbuf_check(m, 1, &reason) != 0) {
		st->bad++;
		vt_fail("received mbuf fails rte_mbuf_check: %s", reason);
		return;
	}
	if (m->pkt_len < 24 || m->pkt_len > FRAME_MAX) {
		st->bad++;
		vt_fail("received a frame of %u bytes (%u segments)", m->pkt_len, m->nb_segs);
		return;
	}
	p = rte_pktmbuf_read(m, 0, m->pkt_len, got);
	if (p == NULL) {
		st->bad++;
		vt_fail("rte_pktmbuf_read of %u bytes failed", m->pkt_len);
		return;
	}
	seq = (uint32_t)p[18] | (uint32_t)p[19] << 8 | (uint32_t)p[20] << 16 |
	      (uint32_t)p[21] << 24;
	len = (uint16_t)(p[22] | p[23] << 8);
	printf("vnet-hostile: frame seq %u len %u in %u segment(s)\n", seq, m->pkt_len,
	       m->nb_segs);
	if (memcmp(p + 14, "VNH1", 4) != 0 || len != m->pkt_len) {
		st->bad++;
		vt_fail("frame of %u bytes is not one of the backend's (len field %u)", m->pkt_len,
			len);
		return;
	}
	if (seq != st->next_seq && !(allow_loss && seq > st->next_seq)) {
		st->bad++;
		vt_fail("frame seq %u, expected %u", seq, st->next_seq);
		st->next_seq = seq + 1;
		return;
	}
	frame_fill(want, seq, len);
	if (memcmp(p, want, len) != 0) {
		unsigned int i;

		for (i = 0; i < len && p[i] == want[i]; i++)
			;
		st->bad++;
		vt_fail("frame seq %u: byte %u is 0x%02x, expected 0x%02x", seq, i, p[i], want[i]);
	} else {
		st->ok++;
	}
	st->next_seq = seq + 1;
}

/* One TX frame (60..1514 bytes by @n) from @mp, or NULL. */
static struct rte_mbuf *
tx_frame(struct rte_mempool *mp, uint32_t n)
{
	uint16_t len = (uint16_t)(60 + (n * 97u) % 400);
	struct rte_mbuf *m = vt_mbuf_alloc(mp, len);

	if (m != NULL)
		frame_fill(rte_pktmbuf_mtod(m, uint8_t *), n, len);
	return m;
}

/*
 * Arm the RX interrupt of queue 0 and sleep on it (at most 1 s). @return true if the sleep
 * timed out with nothing signalled (the caller's next poll tells whether frames waited).
 */
static bool
intr_sleep(uint16_t port, unsigned int *wakes, unsigned int *wakes_after)
{
	struct rte_epoll_event ev;
	int n;

	if (rte_eth_dev_rx_intr_enable(port, 0) != 0) {
		vt_fail("rte_eth_dev_rx_intr_enable failed");
		return false;
	}
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, 1000);
	if (n == 0)	/* a signal right at the timeout is no stranded frame */
		n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, 0);
	rte_eth_dev_rx_intr_disable(port, 0);
	if (n > 0) {
		(*wakes)++;
		if (__atomic_load_n(&ev_success, __ATOMIC_RELAXED) > 0)
			(*wakes_after)++;
	}
	return n == 0;
}

static int
run(const struct opts *o, uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	struct rx_state st = { 0, 0, 0 };
	struct rte_mbuf *pkts[BURST];
	unsigned int base, i, tx_done = 0;
	uint64_t tx_sent = 0, tx_refused = 0;
	double t0, end, done_at = 0, next_tx = 0;
	unsigned int wakes = 0, wakes_after = 0, stranded = 0;
	bool timed_out = false;
	int ret;

	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.rxq = o->rx_intr ? 1 : 0;
	ret = vt_port_setup(port, 1, &conf, 256, 256, mp, 0);
	if (ret != 0) {
		vt_fail("port setup: %s", strerror(-ret));
		return -1;
	}
	if (o->expect_recoveries >= 0) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(port, &info) != 0 ||
		    info.err_handle_mode != RTE_ETH_ERROR_HANDLE_MODE_PROACTIVE)
			vt_fail("dev_info err_handle_mode is not PROACTIVE");
		rte_eth_dev_callback_register(port, RTE_ETH_EVENT_ERR_RECOVERING, recovery_event,
					      NULL);
		rte_eth_dev_callback_register(port, RTE_ETH_EVENT_RECOVERY_SUCCESS,
					      recovery_event, NULL);
		rte_eth_dev_callback_register(port, RTE_ETH_EVENT_RECOVERY_FAILED, recovery_event,
					      NULL);
	}
	base = rte_mempool_in_use_count(mp);
	ret = rte_eth_dev_start(port);
	if (ret != 0) {
		vt_fail("port start: %s", strerror(-ret));
		return -1;
	}
	t0 = vt_now_s();
	end = t0 + o->duration;
	do {
		if (rte_eth_link_get_nowait(port, &link) != 0)
			link.link_status = RTE_ETH_LINK_DOWN;
	} while (link.link_status != RTE_ETH_LINK_UP && vt_now_s() < t0 + 5);
	printf("vnet-hostile: link %s after %.2f s\n",
	       link.link_status == RTE_ETH_LINK_UP ? "up" : "DOWN", vt_now_s() - t0);
	if (link.link_status != RTE_ETH_LINK_UP)
		vt_fail("link not up within 5 s");
	if (o->rx_intr) {
		ret = rte_eth_dev_rx_intr_ctl_q(port, 0, RTE_EPOLL_PER_THREAD,
						RTE_INTR_EVENT_ADD, NULL);
		if (ret != 0)
			vt_fail("rte_eth_dev_rx_intr_ctl_q: %s", strerror(-ret));
	}

	while (vt_now_s() < end) {
		uint16_t n = rte_eth_rx_burst(port, 0, pkts, BURST);

		if (n > 0 && timed_out) {
			stranded += n;
			printf("vnet-hostile: %u frame(s) waited for a timed-out interrupt sleep\n",
			       n);
		}
		timed_out = false;
		if (n == 0 && o->rx_intr && o->tx == 0 && !vt_failed())
			timed_out = intr_sleep(port, &wakes, &wakes_after);
		for (i = 0; i < n; i++) {
			check_frame(&st, pkts[i]);
			rte_pktmbuf_free(pkts[i]);
		}
		if (tx_done < o->tx && vt_now_s() >= next_tx) {
			struct rte_mbuf *tx[BURST];
			uint16_t k = 0, sent;

			while (k < BURST && tx_done + k < o->tx) {
				tx[k] = tx_frame(mp, tx_done + k);
				if (tx[k] == NULL)
					break;
				k++;
			}
			sent = rte_eth_tx_burst(port, 0, tx, k);
			tx_sent += sent;
			tx_refused += k - sent;
			if (sent < k)
				rte_pktmbuf_free_bulk(&tx[sent], k - sent);
			tx_done += k;
			next_tx = vt_now_s() + 0.005;
		} else if (o->tx > 0) {
			/* Nothing to send: an empty burst still reclaims what the device used. */
			rte_eth_tx_burst(port, 0, pkts, 0);
		}
		if (o->done_file != NULL && done_at == 0 && access(o->done_file, F_OK) == 0) {
			done_at = vt_now_s();
			printf("vnet-hostile: backend script done after %.2f s\n", done_at - t0);
		}
		if (done_at != 0 && vt_now_s() >= done_at + o->settle && tx_done >= o->tx)
			break;
	}
	if (o->done_file != NULL && done_at == 0)
		vt_fail("the backend's script did not finish within %.1f s", o->duration);
	printf("vnet-hostile: received %" PRIu64 " intact frame(s), %" PRIu64 " bad; sent %"
	       PRIu64 " (%" PRIu64 " refused) in %.2f s\n", st.ok, st.bad, tx_sent, tx_refused,
	       vt_now_s() - t0);
	vt_print_xstats(port, "_q0_");	/* rx_q0_* and tx_q0_* */
	if (o->rx_intr) {
		printf("vnet-hostile: RX interrupt: %u wake-up(s), %u after a recovery, %u "
		       "stranded frame(s)\n", wakes, wakes_after, stranded);
		if (stranded != 0)
			vt_fail("%u frame(s) waited for a 1 s timeout instead of an interrupt",
				stranded);
		if (o->expect_recoveries > 0 && wakes_after == 0)
			vt_fail("no RX interrupt wake-up after the recovery");
	}
	if (st.bad != 0)
		vt_fail("%" PRIu64 " bad frame(s)", st.bad);
	if (o->expect_rx >= 0 && st.ok != (uint64_t)o->expect_rx)
		vt_fail("received %" PRIu64 " frames, expected %ld", st.ok, o->expect_rx);
	if (o->expect_recoveries >= 0) {
		uint32_t r = __atomic_load_n(&ev_recovering, __ATOMIC_RELAXED);
		uint32_t s = __atomic_load_n(&ev_success, __ATOMIC_RELAXED);
		uint32_t f = __atomic_load_n(&ev_failed, __ATOMIC_RELAXED);

		printf("vnet-hostile: recovery events: %u ERR_RECOVERING, %u RECOVERY_SUCCESS, "
		       "%u RECOVERY_FAILED\n", r, s, f);
		if (r != (uint32_t)o->expect_recoveries || s != (uint32_t)o->expect_recoveries ||
		    f != 0)
			vt_fail("recovery events %u/%u/%u (recovering/success/failed), expected "
				"%ld/%ld/0", r, s, f, o->expect_recoveries, o->expect_recoveries);
	}
	for (i = 0; i < o->nxs; i++) {
		uint64_t v = vt_xstat(port, o->xs[i].name);

		if (v != o->xs[i].value)
			vt_fail("xstat %s = %" PRIu64 ", expected %" PRIu64, o->xs[i].name, v,
				o->xs[i].value);
	}

	vt_stop_close(port, mp, base, vt_fail);
	return 0;
}

static void
usage(void)
{
	printf("usage: vnet-hostile-test <EAL args> -- --mode NAME [--rx-buf BYTES] "
	       "[--expect-rx N] [--expect-xstat NAME=VALUE]... [--tx N] [--done-file PATH] "
	       "[--duration S] [--settle S] [--pool MBUFS] [--allow-loss 0|1] "
	       "[--expect-recoveries N] [--rx-intr 1]\n");
}

int
main(int argc, char **argv)
{
	struct opts o = { .mode = NULL, .rx_buf = 512, .expect_rx = -1, .duration = 8,
			  .settle = 0.3, .pool = POOL_SIZE, .expect_recoveries = -1 };
	struct rte_mempool *mp;
	uint16_t port;
	bool found;
	int i;

	if (vt_eal_init("vnet-hostile", &argc, &argv) < 0) {
		printf("RESULT hostile-eal FAIL: EAL init\n");
		return 3;
	}
	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL) {
			usage();
			return 2;
		}
		if (strcmp(argv[i], "--mode") == 0) {
			o.mode = v;
		} else if (strcmp(argv[i], "--rx-buf") == 0) {
			o.rx_buf = (uint16_t)strtoul(v, NULL, 0);
		} else if (strcmp(argv[i], "--expect-rx") == 0) {
			o.expect_rx = strtol(v, NULL, 0);
		} else if (strcmp(argv[i], "--expect-xstat") == 0) {
			const char *eq = strchr(v, '=');

			if (eq == NULL || o.nxs == MAX_EXPECT ||
			    (size_t)(eq - v) >= sizeof(o.xs[0].name)) {
				usage();
				return 2;
			}
			memcpy(o.xs[o.nxs].name, v, (size_t)(eq - v));
			o.xs[o.nxs].name[eq - v] = '\0';
			o.xs[o.nxs].value = strtoull(eq + 1, NULL, 0);
			o.nxs++;
		} else if (strcmp(argv[i], "--tx") == 0) {
			o.tx = (unsigned int)strtoul(v, NULL, 0);
		} else if (strcmp(argv[i], "--done-file") == 0) {
			o.done_file = v;
		} else if (strcmp(argv[i], "--duration") == 0) {
			o.duration = atof(v);
		} else if (strcmp(argv[i], "--pool") == 0) {
			o.pool = (unsigned int)strtoul(v, NULL, 0);
		} else if (strcmp(argv[i], "--allow-loss") == 0) {
			o.allow_loss = atoi(v) != 0;
		} else if (strcmp(argv[i], "--expect-recoveries") == 0) {
			o.expect_recoveries = strtol(v, NULL, 0);
		} else if (strcmp(argv[i], "--rx-intr") == 0) {
			o.rx_intr = atoi(v) != 0;
		} else if (strcmp(argv[i], "--settle") == 0) {
			o.settle = atof(v);
		} else {
			usage();
			return 2;
		}
		i++;
	}
	if (o.mode == NULL) {
		usage();
		return 2;
	}
	found = vt_find_port("net_vnet_user", &port) == 0;
	allow_loss = o.allow_loss;
	mp = rte_pktmbuf_pool_create("hostile_pool", o.pool, o.pool < 4 * POOL_CACHE ? 0 :
				     POOL_CACHE, 0,
				     RTE_PKTMBUF_HEADROOM + o.rx_buf, (int)rte_socket_id());
	if (!found)
		vt_fail("no net_vnet_user port (probe failed?)");
	else if (mp == NULL)
		vt_fail("mempool: %s", rte_strerror(rte_errno));
	else
		run(&o, port, mp);
	if (!vt_failed())
		printf("RESULT hostile-%s PASS\n", o.mode);
	else
		printf("RESULT hostile-%s FAIL: %s\n", o.mode, vt_why());
	rte_eal_cleanup();
	return !vt_failed() ? 0 : 1;
}
