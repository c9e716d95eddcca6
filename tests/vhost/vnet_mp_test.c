/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * vnet-mp-test: a secondary process checking what a secondary may and may not do on the
 * vnet ports of a running primary (tests/vhost/cases-mp.sh, mp-secondary*):
 *  - allowed, and answered from shared data: device info (driver name), link (up),
 *    statistics (packets moving), xstats by name, burst mode names, the private dump;
 *  - refused with -E_RTE_SECONDARY, and the port untouched in the primary: promiscuous
 *    off, MTU, MAC address set, port stop.
 * Prints "RESULT mp PASS" or "RESULT mp FAIL <why>" and exits 0 only on PASS.
 *   vnet-mp-test --proc-type=secondary --file-prefix P -d PLUGIN
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "vnet_test_common.h"

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL: ");					\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static void
check_port(uint16_t port)
{
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	struct rte_eth_stats st0, st1;
	struct rte_eth_burst_mode bm;
	struct rte_ether_addr mac = { .addr_bytes = { 0x02, 0, 0, 0, 0x42, 0x01 } };
	char *dump = NULL;
	size_t dump_len = 0;
	FILE *f;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	CHECK(ret == 0 && strcmp(info.driver_name, "net_vnet_user") == 0,
	      "port %u: dev_info %d driver %s", port, ret, ret == 0 ? info.driver_name : "?");
	ret = rte_eth_link_get_nowait(port, &link);
	CHECK(ret == 0 && link.link_status == RTE_ETH_LINK_UP, "port %u: link %d status %u", port,
	      ret, link.link_status);
	ret = rte_eth_stats_get(port, &st0);
	usleep(300 * 1000);
	ret |= rte_eth_stats_get(port, &st1);
	CHECK(ret == 0 && st1.ipackets > st0.ipackets, "port %u: stats %d, ipackets %" PRIu64
	      " -> %" PRIu64, port, ret, st0.ipackets, st1.ipackets);
	CHECK(vt_xstat(port, "rx_q1_packets") != UINT64_MAX && vt_xstat(port, "rx_q1_packets") > 0,
	      "port %u: xstat rx_q1_packets %" PRIu64, port, vt_xstat(port, "rx_q1_packets"));
	ret = rte_eth_rx_burst_mode_get(port, 1, &bm);
	CHECK(ret == 0 && strstr(bm.info, "ring") != NULL, "port %u: rx burst mode %d '%s'", port,
	      ret, ret == 0 ? bm.info : "");
	printf("port %u: rx burst mode '%s'\n", port, bm.info);
	f = open_memstream(&dump, &dump_len);
	ret = f != NULL ? rte_eth_dev_priv_dump(port, f) : -ENOMEM;
	if (f != NULL)
		fclose(f);
	CHECK(ret == 0 && dump != NULL && strstr(dump, "state: started") != NULL &&
	      strstr(dump, "rxq 1: packets ") != NULL, "port %u: priv_dump %d", port, ret);
	free(dump);

	/* Refused: the control path belongs to the primary. */
	ret = rte_eth_promiscuous_disable(port);
	CHECK(ret == -E_RTE_SECONDARY, "port %u: promiscuous_disable %d", port, ret);
	CHECK(rte_eth_promiscuous_get(port) == 1, "port %u: promiscuous changed", port);
	ret = rte_eth_dev_set_mtu(port, 1400);
	CHECK(ret == -E_RTE_SECONDARY, "port %u: set_mtu %d", port, ret);
	ret = rte_eth_dev_default_mac_addr_set(port, &mac);
	CHECK(ret == -E_RTE_SECONDARY, "port %u: default_mac_addr_set %d", port, ret);
	ret = rte_eth_dev_stop(port);
	CHECK(ret == -E_RTE_SECONDARY, "port %u: dev_stop %d", port, ret);
	ret = rte_eth_stats_get(port, &st0);
	usleep(300 * 1000);
	ret |= rte_eth_stats_get(port, &st1);
	CHECK(ret == 0 && st1.ipackets > st0.ipackets, "port %u: not forwarding after the refused "
	      "stop: %" PRIu64 " -> %" PRIu64, port, st0.ipackets, st1.ipackets);
}

int
main(int argc, char **argv)
{
	uint16_t port, n = 0;

	if (rte_eal_init(argc, argv) < 0) {
		printf("RESULT mp FAIL EAL init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (rte_eal_process_type() != RTE_PROC_SECONDARY) {
		printf("RESULT mp FAIL not a secondary process (--proc-type=secondary)\n");
		rte_eal_cleanup();
		return 1;
	}
	RTE_ETH_FOREACH_DEV(port) {
		check_port(port);
		n++;
	}
	CHECK(n == 2, "%u ports attached, wanted 2", n);
	if (failures == 0)
		printf("RESULT mp PASS %u ports: reads answered, control operations refused with "
		       "-E_RTE_SECONDARY\n", n);
	else
		printf("RESULT mp FAIL %d check(s)\n", failures);
	/* The ports stay the primary's: only this process's view of them goes. */
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
