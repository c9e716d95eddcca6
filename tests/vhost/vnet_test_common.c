/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/* The host-tier programs' shared helpers: see vnet_test_common.h. */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "vnet_test_common.h"

const char *vt_prog = "vnet-test";

int
vt_eal_init(const char *prog, int *argc, char ***argv)
{
	int ret;

	vt_prog = prog;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_DFL);
	ret = rte_eal_init(*argc, *argv);
	if (ret < 0) {
		printf("%s: EAL init failed: %s\n", prog, rte_strerror(rte_errno));
		return ret;
	}
	*argc -= ret;
	*argv += ret;
	return 0;
}

double
vt_now_s(void)
{
	return (double)rte_get_tsc_cycles() / (double)rte_get_tsc_hz();
}

/* ---- failures and checks --------------------------------------------------------------- */

static const char *cur_name;
static char cur_why[512];
static unsigned int n_checks, n_failed;

void
vt_fail(const char *fmt, ...)
{
	size_t n = strlen(cur_why);
	va_list ap;

	if (n + 4 >= sizeof(cur_why))
		return;
	if (n > 0) {
		memcpy(cur_why + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(cur_why + n, sizeof(cur_why) - n, fmt, ap);
	va_end(ap);
	if (n == 0)
		printf("%s: FAIL: %s\n", vt_prog, cur_why);
}

bool
vt_failed(void)
{
	return cur_why[0] != '\0';
}

const char *
vt_why(void)
{
	return cur_why;
}

void
vt_check_begin(const char *name)
{
	cur_name = name;
	cur_why[0] = '\0';
}

void
vt_check_end(void)
{
	n_checks++;
	if (cur_why[0] == '\0') {
		printf("CHECK %s PASS\n", cur_name);
	} else {
		n_failed++;
		printf("CHECK %s FAIL: %s\n", cur_name, cur_why);
	}
}

int
vt_checks_result(const char *mode)
{
	printf("RESULT %s %s (%u checks, %u failed)\n", mode, n_failed == 0 ? "PASS" : "FAIL",
	       n_checks, n_failed);
	return n_failed == 0 ? 0 : 1;
}

/* ---- ports ----------------------------------------------------------------------------- */

int
vt_find_port(const char *driver, uint16_t *port)
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

int
vt_queues_setup(uint16_t port, uint16_t nq, uint16_t nb_rxd, uint16_t nb_txd,
		struct rte_mempool *mp, uint32_t deferred)
{
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxc;
	struct rte_eth_txconf txc;
	uint16_t q;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	for (q = 0; ret == 0 && q < nq; q++) {
		rxc = info.default_rxconf;
		txc = info.default_txconf;
		rxc.rx_deferred_start = (deferred >> q) & 1;
		txc.tx_deferred_start = (deferred >> q) & 1;
		ret = rte_eth_rx_queue_setup(port, q, nb_rxd, rte_eth_dev_socket_id(port), &rxc,
					     mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, nb_txd, rte_eth_dev_socket_id(port),
						     &txc);
		if (ret != 0)
			printf("%s: port %u queue %u setup: %s\n", vt_prog, port, q,
			       strerror(-ret));
	}
	return ret;
}

int
vt_port_setup(uint16_t port, uint16_t nq, const struct rte_eth_conf *conf,
	      uint16_t nb_rxd, uint16_t nb_txd, struct rte_mempool *mp, uint32_t deferred)
{
	struct rte_eth_conf zero;
	int ret;

	if (conf == NULL) {
		memset(&zero, 0, sizeof(zero));
		conf = &zero;
	}
	ret = rte_eth_dev_configure(port, nq, nq, conf);
	if (ret != 0) {
		printf("%s: port %u: configure %u queue pair(s): %s\n", vt_prog, port, nq,
		       strerror(-ret));
		return ret;
	}
	return vt_queues_setup(port, nq, nb_rxd, nb_txd, mp, deferred);
}

int
vt_attach_vnet(const char *devargs, uint16_t *port)
{
	double t = vt_now_s();
	int ret;

	ret = rte_eal_hotplug_add("vdev", "net_vnet_user0", devargs);
	printf("%s: hot-plug net_vnet_user0,%s: %s (%.2f s)\n", vt_prog, devargs,
	       ret == 0 ? "probed" : strerror(-ret), vt_now_s() - t);
	if (ret != 0)
		return ret;
	return vt_find_port("net_vnet_user", port);
}

bool
vt_link_up(uint16_t port)
{
	struct rte_eth_link l;

	return rte_eth_link_get_nowait(port, &l) == 0 && l.link_status == RTE_ETH_LINK_UP;
}

int
vt_wait_links(const uint16_t *ports, unsigned int n, double timeout)
{
	double end = vt_now_s() + timeout;
	unsigned int i;

	while (vt_now_s() < end) {
		for (i = 0; i < n && vt_link_up(ports[i]); i++)
			;
		if (i == n)
			return 0;
		rte_delay_ms(5);
	}
	return -ETIMEDOUT;
}

int
vt_start_pair(uint16_t vh, uint16_t vnet, double timeout)
{
	const uint16_t ports[2] = { vnet, vh };
	int ret;

	ret = rte_eth_dev_start(vh);
	if (ret == 0)
		ret = rte_eth_dev_start(vnet);
	if (ret != 0) {
		/* A driver must return a negative errno: print the sign as well. */
		printf("%s: port start: %s (%d)\n", vt_prog, strerror(-ret), ret);
		return ret;
	}
	ret = vt_wait_links(ports, 2, timeout);
	if (ret != 0)
		printf("%s: link not up within %.0f s (vnet %s, vhost %s)\n", vt_prog, timeout,
		       vt_link_up(vnet) ? "up" : "down", vt_link_up(vh) ? "up" : "down");
	return ret;
}

/* ---- mbufs, xstats, pools -------------------------------------------------------------- */

struct rte_mbuf *
vt_mbuf_alloc(struct rte_mempool *mp, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m != NULL && rte_pktmbuf_append(m, len) == NULL) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	return m;
}

uint64_t
vt_xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

void
vt_print_xstats(uint16_t port, const char *filter)
{
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *xs;
	int n, i;

	n = rte_eth_xstats_get_names(port, NULL, 0);
	if (n <= 0)
		return;
	names = calloc((size_t)n, sizeof(*names));
	xs = calloc((size_t)n, sizeof(*xs));
	if (names != NULL && xs != NULL && rte_eth_xstats_get_names(port, names, n) == n &&
	    rte_eth_xstats_get(port, xs, n) == n) {
		printf("%s: port %u xstats:", vt_prog, port);
		for (i = 0; i < n; i++)
			if (filter == NULL || strstr(names[i].name, filter) != NULL)
				printf(" %s=%" PRIu64, names[i].name, xs[i].value);
		printf("\n");
	}
	free(names);
	free(xs);
}

int
vt_check_pool(struct rte_mempool *mp, unsigned int base, const char *when,
	      void (*report)(const char *fmt, ...))
{
	unsigned int in_use = rte_mempool_in_use_count(mp);

	printf("%s: mempool %s: %u in use %s (%u before start)\n", vt_prog, mp->name, in_use,
	       when, base);
	if (in_use == base)
		return 0;
	report("mempool %s: %u mbufs in use %s, %u before start: %s", mp->name, in_use, when,
	       base, in_use > base ? "leak" : "double free");
	return -1;
}

int
vt_stop_close(uint16_t port, struct rte_mempool *mp, unsigned int base,
	      void (*report)(const char *fmt, ...))
{
	int ret, rc = 0;

	ret = rte_eth_dev_stop(port);
	if (ret != 0) {
		report("port %u stop: %s", port, strerror(-ret));
		rc = -1;
	}
	if (vt_check_pool(mp, base, "after stop", report) != 0)
		rc = -1;
	ret = rte_eth_dev_close(port);
	if (ret != 0) {
		report("port %u close: %s", port, strerror(-ret));
		rc = -1;
	}
	if (vt_check_pool(mp, base, "after close", report) != 0)
		rc = -1;
	return rc;
}
