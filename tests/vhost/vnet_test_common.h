/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/**
 * @file
 * What the host-tier programs (tests/vhost/vnet-*-test) share: failure records and named
 * checks, port set-up against net_vhost in the same process, link waits, xstats and the
 * mempool leak check. One EAL process, one lcore: every function is called from the main
 * lcore of the program, after rte_eal_init(). Every line a function prints starts with
 * vt_prog.
 */

#ifndef VNET_TEST_COMMON_H
#define VNET_TEST_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

/** Name of the program: the prefix of the lines the helpers print (vt_eal_init() sets it). */
extern const char *vt_prog;

/**
 * The start of main(): vt_prog = @prog, stdout line-buffered, SIGPIPE at its default action
 * on purpose (a vhost-user hang-up that raised it would kill the process and fail the
 * test), rte_eal_init(); then *@argc and *@argv skip the arguments EAL took, so that
 * (*argv)[1] is the first of the program's own.
 * @return 0, or what rte_eal_init() returned (< 0) after printing
 * "<prog>: EAL init failed: <why>".
 */
int vt_eal_init(const char *prog, int *argc, char ***argv);

/** Seconds since an arbitrary start (TSC). */
double vt_now_s(void);

/* ---- failures and checks --------------------------------------------------------------- */

/**
 * Record a failed assertion. Reasons accumulate (joined by "; ", as many as fit in 512
 * bytes) in the current record: the current check's since vt_check_begin(), or the whole
 * run's in a program without named checks. The first reason of a record is also printed
 * as "<prog>: FAIL: <reason>".
 */
void vt_fail(const char *fmt, ...) __rte_format_printf(1, 2);

/** True once vt_fail() was called in the current record. */
bool vt_failed(void);

/** The reasons of the current record ("" when nothing failed). */
const char *vt_why(void);

/** Start the named check @name: a new, empty record. */
void vt_check_begin(const char *name);

/** End the current check: print "CHECK <name> PASS" or "CHECK <name> FAIL: <reasons>". */
void vt_check_end(void);

/**
 * Print "RESULT <mode> PASS|FAIL (<n> checks, <k> failed)".
 * @return 0 when every check passed, 1 otherwise (the program's exit code).
 */
int vt_checks_result(const char *mode);

/* ---- ports ----------------------------------------------------------------------------- */

/** The first port whose driver is @driver into @port. @return 0 or -ENODEV. */
int vt_find_port(const char *driver, uint16_t *port);

/**
 * Set up the first @nq queue pairs of the configured @port: @nb_rxd RX descriptors (mbufs
 * from @mp) and @nb_txd TX descriptors each, the device's default queue configuration, and
 * rx/tx_deferred_start on the pairs whose bit is set in @deferred. Prints what failed.
 * @return 0 or a negative errno.
 */
int vt_queues_setup(uint16_t port, uint16_t nq, uint16_t nb_rxd, uint16_t nb_txd,
		    struct rte_mempool *mp, uint32_t deferred);

/**
 * rte_eth_dev_configure() of @port with @nq queue pairs and @conf (NULL: all zero), then
 * vt_queues_setup(). Prints what failed. @return 0 or a negative errno.
 */
int vt_port_setup(uint16_t port, uint16_t nq, const struct rte_eth_conf *conf,
		  uint16_t nb_rxd, uint16_t nb_txd, struct rte_mempool *mp, uint32_t deferred);

/**
 * Hot-plug net_vnet_user0 with @devargs and find its port. net_vhost creates (server) or
 * connects (client=1) its socket only when its port is configured, after EAL init, while
 * vnet connects (or waits for a connection) in its probe: so in one process the net_vhost
 * port is configured first and net_vnet_user0 is hot-plugged afterwards, net_vhost's own
 * thread answering the handshake meanwhile. Prints the outcome and how long the probe took.
 * @return 0 or a negative errno.
 */
int vt_attach_vnet(const char *devargs, uint16_t *port);

/** True if @port's link is up now (rte_eth_link_get_nowait). */
bool vt_link_up(uint16_t port);

/** Wait up to @timeout s until the links of all @n @ports are up. @return 0 or -ETIMEDOUT. */
int vt_wait_links(const uint16_t *ports, unsigned int n, double timeout);

/**
 * Start net_vhost's port @vh, then vnet's @vnet, and wait up to @timeout s for both links.
 * Prints what failed. @return 0 or a negative errno.
 */
int vt_start_pair(uint16_t vh, uint16_t vnet, double timeout);

/* ---- mbufs, xstats, pools -------------------------------------------------------------- */

/** A single-segment mbuf from @mp holding @len (uninitialised) bytes, or NULL. */
struct rte_mbuf *vt_mbuf_alloc(struct rte_mempool *mp, uint16_t len);

/** Value of @port's xstat @name, or UINT64_MAX if it has none or reading it failed. */
uint64_t vt_xstat(uint16_t port, const char *name);

/** Print @port's xstats whose name contains @filter (all with NULL) on one line. */
void vt_print_xstats(uint16_t port, const char *filter);

/**
 * Print @mp's in-use count @when ("after stop"...) next to @base, its count before start;
 * if they differ, call @report with the reason (leak or double free).
 * @return 0 if the pool is back at @base, -1 otherwise.
 */
int vt_check_pool(struct rte_mempool *mp, unsigned int base, const char *when,
		  void (*report)(const char *fmt, ...));

/**
 * Stop and close @port: both must return 0, and @mp be back at @base after each
 * (vt_check_pool()). Every failure goes to @report. @return 0 if all held, -1 otherwise.
 */
int vt_stop_close(uint16_t port, struct rte_mempool *mp, unsigned int base,
		  void (*report)(const char *fmt, ...));

#endif /* VNET_TEST_COMMON_H */
