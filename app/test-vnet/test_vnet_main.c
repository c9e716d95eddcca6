/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * test-vnet main: EAL, port and mempool setup, the row plan (sizes x bursts x [repeats x
 * specs]) and the control loop of one row. The main lcore only controls and reports: it
 * launches one worker lcore per role, waits out the warmup, snapshots counters, prints a
 * progress line each second, snapshots again at the end of the window and stops the
 * workers. Everything is bounded by --duration/--warmup and SIGINT/SIGTERM.
 */

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "test_vnet.h"

struct tv_options tv_opt;
struct tv_port tv_ports[TV_MAX_PORTS_USED];
unsigned int tv_nb_ports;
volatile int tv_force_quit;
uint64_t tv_rdtsc_overhead;

static const char hugepage_hint[] =
	"Hugepages reserved? Run: echo 1024 > "
	"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages (and mount -t hugetlbfs nodev "
	"/dev/hugepages if it is not mounted), remove stale /dev/hugepages/*map_* files of "
	"dead runs, or run without hugepages: --no-huge -m 512 (EAL options, before '--').";

static void
on_signal(int sig)
{
	static const char msg[] = "\ntest-vnet: stopping (results so far follow; signal "
				  "again to abort)\n";

	if (tv_force_quit) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	tv_force_quit = 1;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		return;
}

struct tv_port *
tv_port_get(uint16_t id)
{
	unsigned int i;

	for (i = 0; i < tv_nb_ports; i++)
		if (tv_ports[i].id == id)
			return &tv_ports[i];
	return NULL;
}

static void
list_ports(FILE *f)
{
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t id;

	RTE_ETH_FOREACH_DEV(id) {
		if (rte_eth_dev_get_name_by_port(id, name) != 0)
			snprintf(name, sizeof(name), "?");
		if (rte_eth_dev_info_get(id, &info) != 0)
			info.driver_name = "?";
		fprintf(f, "  port %u: %s (driver %s)\n", id, name, info.driver_name);
	}
}

static int
check_port(uint16_t id)
{
	if (id == TV_NO_PORT || rte_eth_dev_is_valid_port(id))
		return 0;
	fprintf(stderr, "test-vnet: port %u not found; %u port(s) probed:\n", id,
		rte_eth_dev_count_avail());
	list_ports(stderr);
	return -ENODEV;
}

static void
add_port(uint16_t id)
{
	if (id == TV_NO_PORT || tv_port_get(id) != NULL)
		return;
	tv_ports[tv_nb_ports++].id = id;
}

static uint16_t
ring_size(uint16_t opt, uint16_t preferred)
{
	if (opt != 0)
		return opt;
	return preferred != 0 ? preferred : 512;
}

static unsigned int
max_of(const unsigned int *v, unsigned int n)
{
	unsigned int i, m = 0;

	for (i = 0; i < n; i++)
		m = RTE_MAX(m, v[i]);
	return m;
}

static struct rte_mempool *
create_pool(void)
{
	unsigned int max_size = max_of(tv_opt.sizes, tv_opt.nb_sizes);
	unsigned int max_burst = max_of(tv_opt.bursts, tv_opt.nb_bursts);
	unsigned int n = tv_opt.nb_mbufs, i;
	uint32_t room = RTE_MAX((uint32_t)RTE_MBUF_DEFAULT_BUF_SIZE,
				(uint32_t)(max_size + RTE_PKTMBUF_HEADROOM));
	struct rte_mempool *mp;

	if (n == 0) {
		struct rte_eth_dev_info info;

		n = 4096 + rte_lcore_count() * (256 + 2 * max_burst) +
		    2 * tv_opt.tx_first * max_burst + tv_opt.window;
		for (i = 0; i < tv_nb_ports; i++) {
			if (rte_eth_dev_info_get(tv_ports[i].id, &info) != 0)
				memset(&info, 0, sizeof(info));
			n += ring_size(tv_opt.rxd, info.default_rxportconf.ring_size) +
			     ring_size(tv_opt.txd, info.default_txportconf.ring_size);
		}
		n = RTE_MAX(n, 8191u);
	}
	mp = rte_pktmbuf_pool_create("tv_mbufs", n, 256, 0, (uint16_t)room, rte_socket_id());
	if (mp == NULL)
		fprintf(stderr, "test-vnet: cannot create the mbuf pool (%u mbufs of %u data "
			"bytes, %.0f MB, socket %d): %s.\n%s Or lower --mbufs / raise -m.\n", n,
			room, n * (room + 192.0) / 1e6, (int)rte_socket_id(),
			rte_strerror(rte_errno), rte_eal_has_hugepages() ? hugepage_hint :
			"EAL runs with --no-huge: its memory is the -m value.");
	return mp;
}

static int
setup_port(struct tv_port *p, struct rte_mempool *mp)
{
	unsigned int max_size = max_of(tv_opt.sizes, tv_opt.nb_sizes);
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	struct rte_eth_rxq_info rxqi;
	struct rte_eth_txq_info txqi;
	uint16_t rxd, txd;
	int ret, socket, tries;

	ret = rte_eth_dev_info_get(p->id, &info);
	if (ret != 0) {
		fprintf(stderr, "test-vnet: port %u: cannot get device info: %s\n", p->id,
			rte_strerror(-ret));
		return ret;
	}
	rte_eth_dev_get_name_by_port(p->id, p->name);
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	memset(&conf, 0, sizeof(conf));
	if (max_size > RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN) {
		uint32_t mtu = max_size - RTE_ETHER_HDR_LEN;

		if (mtu > info.max_mtu) {
			fprintf(stderr, "test-vnet: port %u (%s): frames of %u bytes need MTU "
				"%u, the driver allows %u; larger frames will be dropped\n", p->id,
				p->driver, max_size, mtu, info.max_mtu);
			mtu = info.max_mtu;
		}
		conf.rxmode.mtu = mtu;
	}
	/*
	 * Like testpmd: every mbuf comes from one pool with refcnt 1, so let drivers that can
	 * free transmitted mbufs the fast way do so.
	 */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	ret = rte_eth_dev_configure(p->id, 1, 1, &conf);
	if (ret != 0) {
		fprintf(stderr, "test-vnet: port %u (%s): configure 1 rx + 1 tx queue failed: %s\n",
			p->id, p->driver, rte_strerror(-ret));
		return ret;
	}
	rxd = ring_size(tv_opt.rxd, info.default_rxportconf.ring_size);
	txd = ring_size(tv_opt.txd, info.default_txportconf.ring_size);
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->id, &rxd, &txd);
	if (ret != 0) {
		fprintf(stderr, "test-vnet: port %u: ring sizes rxd %u txd %u rejected: %s\n",
			p->id, rxd, txd, rte_strerror(-ret));
		return ret;
	}
	p->rxd = rxd;
	p->txd = txd;
	socket = rte_eth_dev_socket_id(p->id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	ret = rte_eth_rx_queue_setup(p->id, 0, rxd, (unsigned int)socket, NULL, mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(p->id, 0, txd, (unsigned int)socket, NULL);
	if (ret != 0) {
		fprintf(stderr, "test-vnet: port %u (%s): queue setup (rxd %u, txd %u) failed: "
			"%s\n", p->id, p->driver, rxd, txd, rte_strerror(-ret));
		return ret;
	}
	/* No packet type parsing, as testpmd does by default: every driver pays the same. */
	ret = rte_eth_dev_set_ptypes(p->id, RTE_PTYPE_UNKNOWN, NULL, 0);
	if (ret != 0 && ret != -ENOTSUP)
		fprintf(stderr, "test-vnet: port %u (%s): cannot disable packet type parsing: "
			"%s\n", p->id, p->driver, rte_strerror(-ret));
	ret = rte_eth_dev_start(p->id);
	if (ret != 0) {
		fprintf(stderr, "test-vnet: port %u (%s): start failed: %s\n", p->id, p->driver,
			rte_strerror(-ret));
		return ret;
	}
	/* Drivers may clamp the ring (net_virtio_user: queue_size devarg); report the real one. */
	memset(&rxqi, 0, sizeof(rxqi));
	memset(&txqi, 0, sizeof(txqi));
	p->rings_reported = true;
	if (rte_eth_rx_queue_info_get(p->id, 0, &rxqi) == 0 && rxqi.nb_desc != 0)
		p->rxd = rxqi.nb_desc;
	else
		p->rings_reported = false;
	if (rte_eth_tx_queue_info_get(p->id, 0, &txqi) == 0 && txqi.nb_desc != 0)
		p->txd = txqi.nb_desc;
	else
		p->rings_reported = false;
	rte_eth_promiscuous_enable(p->id);	/* best effort: some drivers cannot */
	rte_eth_macaddr_get(p->id, &p->mac);
	ret = tv_port_xstats_init(p);
	if (ret != 0)
		return ret;
	/* Bounded wait for the link (vhost-user peers connect asynchronously). */
	for (tries = 0; tries < 30; tries++) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(p->id, &link) != 0 || link.link_status)
			break;
		rte_delay_us_sleep(100 * 1000);
	}
	if (!link.link_status)
		fprintf(stderr, "test-vnet: port %u (%s): link still down after 3 s (vhost-user: "
			"is the backend running?); measuring anyway\n", p->id, p->name);
	return 0;
}

static void
measure_rdtsc(void)
{
	uint64_t best = UINT64_MAX, a, b;
	unsigned int i;

	for (i = 0; i < 10000; i++) {
		a = rte_rdtsc();
		b = rte_rdtsc();
		best = RTE_MIN(best, b - a);
	}
	tv_rdtsc_overhead = best;
}

/* Free whatever is queued on the rx side of the ports (bounded). */
static void
drain_ports(void)
{
	struct rte_mbuf *pkts[64];
	unsigned int i, loops, idle;
	uint16_t k;

	for (i = 0; i < tv_nb_ports; i++) {
		for (loops = 0, idle = 0; loops < 10000 && idle < 100; loops++) {
			k = rte_eth_rx_burst(tv_ports[i].id, 0, pkts, RTE_DIM(pkts));
			if (k == 0) {
				idle++;
				rte_delay_us_block(10);
				continue;
			}
			idle = 0;
			rte_pktmbuf_free_bulk(pkts, k);
		}
	}
}

static struct tv_run the_run;
static uint32_t run_counter;

/* Streams and roles of one row from the mode and spec. */
static int
plan_run(struct tv_run *run, const struct tv_spec *sp)
{
	struct tv_stream *s = run->streams;
	uint16_t a = sp->port, b = sp->peer;
	bool pair = b != TV_NO_PORT;
	unsigned int i, lcore, nb_workers;

	switch (run->mode) {
	case TV_MODE_TXONLY:
		s[0].tx_port = a;
		s[0].rx_port = TV_NO_PORT;
		run->nb_streams = 1;
		if (pair) {
			s[1].tx_port = TV_NO_PORT;
			s[1].rx_port = b;
			run->nb_streams = 2;
		}
		break;
	case TV_MODE_RXONLY:
		s[0].tx_port = TV_NO_PORT;
		s[0].rx_port = a;
		run->nb_streams = 1;
		if (pair && b != a) {
			s[1].tx_port = TV_NO_PORT;
			s[1].rx_port = b;
			run->nb_streams = 2;
		}
		break;
	case TV_MODE_IO:
	case TV_MODE_MACSWAP:
		s[0].rx_port = a;
		s[0].tx_port = pair ? b : a;
		run->nb_streams = 1;
		if (pair && b != a) {
			s[1].rx_port = b;
			s[1].tx_port = a;
			run->nb_streams = 2;
		}
		break;
	case TV_MODE_LATENCY:
		s[0].tx_port = a;
		s[0].rx_port = pair ? b : a;
		run->nb_streams = 1;
		break;
	}
	/* txonly on a pair: sender and receiver on their own lcores; otherwise one lcore. */
	if (run->mode == TV_MODE_TXONLY && run->nb_streams == 2) {
		run->nb_roles = 2;
		run->roles[0].streams[0] = &s[0];
		run->roles[0].nb_streams = 1;
		run->roles[1].streams[0] = &s[1];
		run->roles[1].nb_streams = 1;
	} else {
		run->nb_roles = 1;
		for (i = 0; i < run->nb_streams; i++)
			run->roles[0].streams[i] = &s[i];
		run->roles[0].nb_streams = run->nb_streams;
	}
	nb_workers = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (nb_workers < run->nb_roles)
			run->roles[nb_workers].lcore = lcore;
		nb_workers++;
	}
	if (nb_workers < run->nb_roles) {
		fprintf(stderr, "test-vnet: %s on %s needs %u worker lcore(s) besides the main "
			"lcore, EAL has %u: pass e.g. -l 0-%u, or --lcores '0@0,1@1%s' to place "
			"several lcores on 2 cores\n", tv_mode_name(run->mode),
			pair ? "a port pair" : "one port", run->nb_roles, nb_workers,
			run->nb_roles, run->nb_roles > 1 ? ",2@1" : "");
		return -EINVAL;
	}
	for (i = 0; i < run->nb_streams; i++) {
		const struct tv_port *tx = tv_port_get(s[i].tx_port);
		const struct tv_port *rx = tv_port_get(s[i].rx_port);

		if (tx == NULL)
			continue;
		rte_ether_addr_copy(&tx->mac, &s[i].tx_src);
		if (tv_opt.have_eth_peer)
			rte_ether_addr_copy(&tv_opt.eth_peer, &s[i].tx_dst);
		else if (pair && rx != NULL && rx != tx)
			rte_ether_addr_copy(&rx->mac, &s[i].tx_dst);
		else
			s[i].tx_dst = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0x01 } };
	}
	return 0;
}

static void
wait_until(uint64_t deadline)
{
	while (!tv_force_quit && rte_rdtsc() < deadline)
		rte_delay_us_sleep(10 * 1000);
}

/* @p d = @p a - @p b, field by field (all fields are uint64_t counters). */
static void
counters_sub(struct tv_counters *d, const struct tv_counters *a, const struct tv_counters *b)
{
	const uint64_t *pa = (const uint64_t *)a, *pb = (const uint64_t *)b;
	uint64_t *pd = (uint64_t *)d;
	unsigned int f;

	for (f = 0; f < sizeof(*d) / sizeof(uint64_t); f++)
		pd[f] = pa[f] - pb[f];
}

/* Ports of a spec, without duplicates. */
static unsigned int
spec_ports(const struct tv_spec *sp, uint16_t *out)
{
	unsigned int n = 0;

	out[n++] = sp->port;
	if (sp->peer != TV_NO_PORT && sp->peer != sp->port)
		out[n++] = sp->peer;
	return n;
}

/*
 * Run one row. Returns 0 with @p row filled (possibly interrupted), -EINTR if stopped before
 * the measured window began, another negative errno on setup errors.
 */
static int
run_row(struct rte_mempool *mp, unsigned int spec, unsigned int size, unsigned int burst,
	unsigned int rep, struct tv_row *row)
{
	const struct tv_spec *sp = &tv_opt.specs[spec];
	struct tv_run *run = &the_run;
	struct tv_port_snap s0[TV_MAX_SPECS], s1[TV_MAX_SPECS];
	struct tv_counters c0, c1, last, cur, d;
	uint64_t hz = rte_get_tsc_hz(), t0, t1, tlast, now, end;
	uint16_t ports[TV_MAX_SPECS];
	unsigned int i, j, nb_ports;
	int ret;

	memset(run, 0, sizeof(*run));
	memset(row, 0, sizeof(*row));
	memset(s0, 0, sizeof(s0));
	memset(s1, 0, sizeof(s1));
	run->mode = tv_opt.mode;
	run->size = size;
	run->burst = burst;
	run->window = tv_opt.window;
	run->lat_timeout_tsc = hz / 1000 * tv_opt.lat_timeout_ms;
	run->run_id = ++run_counter;
	run->mp = mp;
	ret = plan_run(run, sp);
	if (ret != 0)
		return ret;
	row->size = size;
	row->burst = burst;
	row->spec = spec;
	row->rep = rep;
	row->port = sp->port;
	row->peer = sp->peer;
	for (i = 0; i < run->nb_streams; i++) {
		if (run->streams[i].tx_port != TV_NO_PORT)
			tv_build_template(run, i);
		if (run->mode == TV_MODE_LATENCY) {
			run->streams[i].hist = calloc(1, sizeof(struct tv_hist));
			if (run->streams[i].hist == NULL)
				return -ENOMEM;
		}
	}
	nb_ports = spec_ports(sp, ports);
	ret = -ENOMEM;
	for (i = 0; i < nb_ports; i++) {
		unsigned int n = tv_port_get(ports[i])->nb_xstats + 1;

		s0[i].xs = calloc(n, sizeof(uint64_t));
		s1[i].xs = calloc(n, sizeof(uint64_t));
		if (s0[i].xs == NULL || s1[i].xs == NULL)
			goto out;
	}

	drain_ports();
	if ((run->mode == TV_MODE_IO || run->mode == TV_MODE_MACSWAP) && tv_opt.tx_first)
		tv_tx_first(run, tv_opt.tx_first);
	tv_current_run = run;
	rte_atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 0; i < run->nb_roles; i++) {
		ret = rte_eal_remote_launch(tv_role_main, &run->roles[i], run->roles[i].lcore);
		if (ret != 0) {
			fprintf(stderr, "test-vnet: cannot launch lcore %u: %s\n",
				run->roles[i].lcore, rte_strerror(-ret));
			__atomic_store_n(&run->stop, 1, __ATOMIC_RELAXED);
			for (j = 0; j < i; j++)
				rte_eal_wait_lcore(run->roles[j].lcore);
			goto out;
		}
	}

	wait_until(rte_rdtsc() + (uint64_t)(tv_opt.warmup * hz));
	/* Port snapshots outside the window edges so that the counters' window is tight. */
	for (i = 0; i < nb_ports; i++)
		tv_port_snapshot(tv_port_get(ports[i]), &s0[i]);
	__atomic_store_n(&run->measuring, 1, __ATOMIC_RELAXED);
	tv_counters_read(run, &c0);
	t0 = rte_rdtsc();
	last = c0;
	tlast = t0;
	end = t0 + (uint64_t)(tv_opt.duration * hz);
	while (!tv_force_quit) {
		rte_delay_us_sleep(10 * 1000);
		now = rte_rdtsc();
		if (now >= end)
			break;
		if (now - tlast >= hz) {
			tv_counters_read(run, &cur);
			counters_sub(&d, &cur, &last);
			tv_progress(row, &d, (double)(now - tlast) / hz);
			last = cur;
			tlast = now;
		}
	}
	t1 = rte_rdtsc();
	tv_counters_read(run, &c1);
	__atomic_store_n(&run->measuring, 0, __ATOMIC_RELAXED);
	for (i = 0; i < nb_ports; i++)
		tv_port_snapshot(tv_port_get(ports[i]), &s1[i]);
	__atomic_store_n(&run->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < run->nb_roles; i++)
		rte_eal_wait_lcore(run->roles[i].lcore);
	if (!tv_opt.quiet)
		fprintf(stderr, "\n");

	if (tv_force_quit && t1 - t0 < hz / 100) {
		ret = -EINTR;
		goto out;
	}
	row->interrupted = tv_force_quit != 0;
	counters_sub(&d, &c1, &c0);
	row->kicks_known = true;
	for (i = 0; i < nb_ports; i++) {
		const struct tv_port *p = tv_port_get(ports[i]);

		row->imissed += s1[i].imissed - s0[i].imissed;
		row->rx_nombuf += s1[i].rx_nombuf - s0[i].rx_nombuf;
		row->oerrors += s1[i].oerrors - s0[i].oerrors;
		if (!p->has_kicks)
			row->kicks_known = false;
		for (j = 0; j < p->nb_xstats; j++) {
			uint64_t delta = s1[i].xs[j] - s0[i].xs[j];

			if (p->xs_kick[j] == 1)
				row->kicks_rx += delta;
			else if (p->xs_kick[j] == 2)
				row->kicks_tx += delta;
			else if (p->xs_kick[j] == 3)
				row->kicks_other += delta;
			s1[i].xs[j] = delta;	/* keep the deltas for --xstats */
		}
		if (tv_opt.xstats) {
			row->xport[row->nb_xports] = ports[i];
			row->xdelta[row->nb_xports++] = s1[i].xs;
			s1[i].xs = NULL;
		}
	}
	tv_row_compute(row, &d, (double)(t1 - t0) / hz);
	if (run->mode == TV_MODE_LATENCY) {
		const struct tv_hist *h = run->streams[0].hist;
		double us = 1e6 / hz;

		row->lat_n = h->n;
		row->lat_min = h->n ? h->min * us : NAN;
		row->lat_avg = h->n ? (double)h->sum / h->n * us : NAN;
		row->lat_p50 = h->n ? tv_hist_quantile(h, 0.50) * us : NAN;
		row->lat_p90 = h->n ? tv_hist_quantile(h, 0.90) * us : NAN;
		row->lat_p99 = h->n ? tv_hist_quantile(h, 0.99) * us : NAN;
		row->lat_p999 = h->n ? tv_hist_quantile(h, 0.999) * us : NAN;
		row->lat_max = h->n ? h->max * us : NAN;
	} else {
		row->lat_min = row->lat_avg = row->lat_p50 = row->lat_p90 = NAN;
		row->lat_p99 = row->lat_p999 = row->lat_max = NAN;
	}
	if ((run->mode == TV_MODE_IO || run->mode == TV_MODE_MACSWAP) && d.rx_pkts == 0)
		fprintf(stderr, "test-vnet: port %u: nothing received to forward; with a "
			"forwarding peer (e.g. vhost backend in macswap), seed traffic with "
			"--tx-first N\n", sp->port);
	if (run->mode == TV_MODE_LATENCY && d.lat_recv == 0)
		fprintf(stderr, "test-vnet: port %u: no latency frame came back (%" PRIu64
			" lost): latency needs a peer that returns frames (a net_ring port, a "
			"vhost backend running testpmd macswap/io, or --ports A,B wired "
			"together)\n", sp->port, d.lat_lost);
	if (run->mode == TV_MODE_TXONLY && d.alloc_fail > 0 && d.tx_pkts == 0)
		fprintf(stderr, "test-vnet: mbuf pool empty: raise --mbufs\n");
	ret = 0;
out:
	drain_ports();
	for (i = 0; i < run->nb_streams; i++)
		free(run->streams[i].hist);
	for (i = 0; i < nb_ports; i++) {
		free(s0[i].xs);
		free(s1[i].xs);
	}
	return ret;
}

static void
print_ports(void)
{
	unsigned int i;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	for (i = 0; i < tv_nb_ports; i++) {
		const struct tv_port *p = &tv_ports[i];
		unsigned int k, nk = 0;

		for (k = 0; k < p->nb_xstats; k++)
			nk += p->xs_kick[k] != 0;
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		printf("port %u: %s, driver %s, mac %s, rxd %u, txd %u%s, %u xstats (%u kick "
		       "counters)\n", p->id, p->name, p->driver, mac, p->rxd, p->txd,
		       p->rings_reported ? "" : " (requested; the driver does not report its rings)",
		       p->nb_xstats, nk);
	}
}

/**
 * test-vnet entry point: EAL arguments, "--", test-vnet options (see --help).
 * Exit status 0 when the rows ran (also when stopped early by a signal), 1 on errors.
 */
int
main(int argc, char **argv)
{
	struct rte_mempool *mp = NULL;
	struct tv_row *rows = NULL;
	unsigned int nb_rows = 0, max_rows, si, bi, r, sp, i;
	int ret, status = 1, orig_argc = argc;
	char **orig_argv;

	/* EAL permutes argv: keep the command line as given, for the JSON report. */
	orig_argv = calloc((size_t)argc + 1, sizeof(*orig_argv));
	if (orig_argv == NULL)
		return 1;
	memcpy(orig_argv, argv, (size_t)argc * sizeof(*argv));
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		if (rte_errno == EINVAL)
			fprintf(stderr, "test-vnet: EAL rejected its options (message above). EAL "
				"options go before '--', test-vnet options after it (--help).\n");
		else
			fprintf(stderr, "test-vnet: EAL initialisation failed: %s.\n%s\n"
				"Another process with the same --file-prefix? Use a distinct "
				"--file-prefix per process.\n", rte_strerror(rte_errno),
				hugepage_hint);
		free(orig_argv);
		return 1;
	}
	argc -= ret;
	argv += ret;
	setvbuf(stdout, NULL, _IOLBF, 0);	/* table lines interleave sanely with stderr */
	ret = tv_parse_options(argc, argv);
	if (ret != 0) {
		status = ret > 0 ? 0 : 1;
		goto cleanup;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (rte_eth_dev_count_avail() == 0) {
		fprintf(stderr, "test-vnet: no ethdev port was probed. Pass devices to EAL before "
			"'--': a PCI device bound to vfio-pci/uio_pci_generic (-a 0000:00:04.0), "
			"or a virtual one (--vdev net_null0, --vdev net_ring0, --vdev "
			"'net_virtio_user0,path=/tmp/vhost.sock', --vdev "
			"'net_vhost0,iface=/tmp/vhost.sock'); a driver built as a plugin (vnet) "
			"also needs -d /path/to/librte_net_vnet.so (not under /tmp: EAL refuses "
			"world-writable directories). With --no-pci, PCI devices are not "
			"probed.\n");
		goto cleanup;
	}
	for (sp = 0; sp < tv_opt.nb_specs; sp++) {
		if (check_port(tv_opt.specs[sp].port) != 0 ||
		    check_port(tv_opt.specs[sp].peer) != 0)
			goto cleanup;
		add_port(tv_opt.specs[sp].port);
		add_port(tv_opt.specs[sp].peer);
	}
	mp = create_pool();
	if (mp == NULL)
		goto cleanup;
	for (i = 0; i < tv_nb_ports; i++)
		if (setup_port(&tv_ports[i], mp) != 0)
			goto cleanup;
	measure_rdtsc();
	print_ports();

	max_rows = tv_opt.nb_sizes * tv_opt.nb_bursts * tv_opt.repeat * tv_opt.nb_specs;
	rows = calloc(max_rows, sizeof(*rows));
	if (rows == NULL)
		goto cleanup;
	for (si = 0; si < tv_opt.nb_sizes && !tv_force_quit; si++)
		for (bi = 0; bi < tv_opt.nb_bursts && !tv_force_quit; bi++)
			for (r = 0; r < tv_opt.repeat && !tv_force_quit; r++)
				for (sp = 0; sp < tv_opt.nb_specs && !tv_force_quit; sp++) {
					ret = run_row(mp, sp, tv_opt.sizes[si], tv_opt.bursts[bi],
						      r, &rows[nb_rows]);
					if (ret == -EINTR)
						break;
					if (ret != 0)
						goto cleanup;
					if (tv_opt.xstats)
						tv_print_xstats(&rows[nb_rows]);
					nb_rows++;
				}
	if (nb_rows == 0) {
		fprintf(stderr, "test-vnet: stopped before the first row was measured\n");
		goto cleanup;
	}
	tv_print_table(rows, nb_rows);
	status = 0;
	if (tv_opt.json != NULL && tv_write_json(tv_opt.json, rows, nb_rows, orig_argc,
						 orig_argv) != 0)
		status = 1;
	if (tv_opt.plot != NULL && tv_write_plot(tv_opt.plot, rows, nb_rows) != 0)
		status = 1;

cleanup:
	for (i = 0; rows != NULL && i < nb_rows; i++)
		for (r = 0; r < rows[i].nb_xports; r++)
			free(rows[i].xdelta[r]);
	free(rows);
	for (i = 0; i < tv_nb_ports; i++) {
		rte_eth_dev_stop(tv_ports[i].id);
		rte_eth_dev_close(tv_ports[i].id);
		free(tv_ports[i].xs_names);
		free(tv_ports[i].xs_kick);
	}
	rte_mempool_free(mp);
	rte_eal_cleanup();
	free(orig_argv);
	return status;
}
