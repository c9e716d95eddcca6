/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * test-vnet lcore loops. One loop per worker lcore (struct tv_role), running one or two
 * streams until the main lcore sets run->stop. Every rte_eth_rx_burst / rte_eth_tx_burst is
 * bracketed by rte_rdtsc() (not serialising; the pair's own cost, tv_rdtsc_overhead cycles, is
 * included and reported, not subtracted); cycles, calls and packets are summed per stream.
 * Counters are written only by the owning lcore with relaxed atomic stores so the main lcore
 * can read them any time without a lock.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "test_vnet.h"

struct tv_run *tv_current_run;

/* Single writer: a plain read of its own field, a relaxed store others may read. */
#define TV_ADD(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)

void
tv_build_template(struct tv_run *run, unsigned int s)
{
	struct tv_stream *st = &run->streams[s];
	uint8_t *t = run->tmpl[s];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)t;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memset(t, 0, TV_HDR_LEN);
	rte_ether_addr_copy(&st->tx_dst, &eth->dst_addr);
	rte_ether_addr_copy(&st->tx_src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(run->size - RTE_ETHER_HDR_LEN));
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 1));	/* RFC 2544 range */
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(9);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(run->size - RTE_ETHER_HDR_LEN -
						     sizeof(*ip)));
}

static inline bool
stopped(const struct tv_run *run)
{
	return __atomic_load_n(&run->stop, __ATOMIC_RELAXED) != 0;
}

/* Allocate and fill @p n frames from the template of stream @p s; 0 if the pool is empty. */
static inline unsigned int
gen_burst(const struct tv_run *run, unsigned int s, struct rte_mbuf **pkts, unsigned int n)
{
	const uint8_t *t = run->tmpl[s];
	uint16_t len = (uint16_t)run->size;
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(run->mp, pkts, n) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		memcpy(rte_pktmbuf_mtod(m, void *), t, TV_HDR_LEN);
		m->data_len = len;
		m->pkt_len = len;
	}
	return n;
}

/* rte_eth_tx_burst with cycle accounting; frees what the driver did not take. */
static inline uint16_t
tx_measured(struct tv_stream *st, struct rte_mbuf **pkts, uint16_t n, uint64_t bytes,
	    uint64_t *now)
{
	uint64_t t0, t1;
	uint16_t k, i;

	t0 = rte_rdtsc();
	k = rte_eth_tx_burst(st->tx_port, 0, pkts, n);
	t1 = rte_rdtsc();
	*now = t1;
	if (unlikely(k < n)) {
		for (i = k; i < n; i++)
			bytes -= pkts[i]->pkt_len;
		rte_pktmbuf_free_bulk(&pkts[k], n - k);
		TV_ADD(st->c.tx_unsent, n - k);
	}
	TV_ADD(st->c.tx_cycles, t1 - t0);
	TV_ADD(st->c.tx_calls, 1);
	if (k == n) {
		TV_ADD(st->c.tx_full_cycles, t1 - t0);
		TV_ADD(st->c.tx_full_pkts, k);
	}
	TV_ADD(st->c.tx_pkts, k);
	TV_ADD(st->c.tx_bytes, bytes);
	return k;
}

/* rte_eth_rx_burst with cycle accounting; returns the packets and their byte sum. */
static inline uint16_t
rx_measured(struct tv_stream *st, struct rte_mbuf **pkts, uint16_t n, uint64_t *bytes,
	    uint64_t *now)
{
	uint64_t t0, t1, b = 0;
	uint16_t k, i;

	t0 = rte_rdtsc();
	k = rte_eth_rx_burst(st->rx_port, 0, pkts, n);
	t1 = rte_rdtsc();
	*now = t1;
	for (i = 0; i < k; i++)
		b += pkts[i]->pkt_len;
	TV_ADD(st->c.rx_cycles, t1 - t0);
	TV_ADD(st->c.rx_calls, 1);
	if (k == n) {
		TV_ADD(st->c.rx_full_cycles, t1 - t0);
		TV_ADD(st->c.rx_full_pkts, k);
	}
	TV_ADD(st->c.rx_pkts, k);
	TV_ADD(st->c.rx_bytes, b);
	*bytes = b;
	return k;
}

static inline void
step_txonly(struct tv_run *run, unsigned int s, struct rte_mbuf **pkts)
{
	struct tv_stream *st = &run->streams[s];
	uint16_t n = (uint16_t)run->burst;
	uint64_t now;

	if (gen_burst(run, s, pkts, n) == 0) {
		TV_ADD(st->c.alloc_fail, 1);
		return;
	}
	tx_measured(st, pkts, n, (uint64_t)n * run->size, &now);
}

static inline void
step_rxonly(struct tv_run *run, struct tv_stream *st, struct rte_mbuf **pkts)
{
	uint64_t bytes, now;
	uint16_t k;

	k = rx_measured(st, pkts, (uint16_t)run->burst, &bytes, &now);
	if (k > 0)
		rte_pktmbuf_free_bulk(pkts, k);
}

static inline void
step_fwd(struct tv_run *run, struct tv_stream *st, struct rte_mbuf **pkts, bool swap)
{
	uint64_t bytes, now;
	uint16_t k, i;

	k = rx_measured(st, pkts, (uint16_t)run->burst, &bytes, &now);
	if (k == 0)
		return;
	if (swap) {
		for (i = 0; i < k; i++) {
			struct rte_ether_hdr *eth =
				rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
			struct rte_ether_addr tmp;

			rte_ether_addr_copy(&eth->src_addr, &tmp);
			rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
			rte_ether_addr_copy(&tmp, &eth->dst_addr);
		}
	}
	tx_measured(st, pkts, k, bytes, &now);
}

/* Latency state of one stream, private to its lcore. */
struct lat_state {
	unsigned int inflight;
	uint64_t last_progress;	/**< last receive, or send from an empty window */
	uint64_t floor_tsc;	/**< stamps older than this were declared lost */
};

static inline void
step_latency(struct tv_run *run, unsigned int s, struct lat_state *ls, struct rte_mbuf **pkts)
{
	struct tv_stream *st = &run->streams[s];
	bool measuring = __atomic_load_n(&run->measuring, __ATOMIC_RELAXED) != 0;
	uint64_t now, bytes;
	uint16_t k, i;

	if (ls->inflight < run->window) {
		uint16_t n = (uint16_t)RTE_MIN(run->window - ls->inflight, run->burst);
		struct tv_stamp stamp = { .magic = TV_LAT_MAGIC, .run = run->run_id };

		if (gen_burst(run, s, pkts, n) == 0) {
			TV_ADD(st->c.alloc_fail, 1);
		} else {
			stamp.tsc = rte_rdtsc();
			for (i = 0; i < n; i++)
				memcpy(rte_pktmbuf_mtod_offset(pkts[i], uint8_t *, TV_HDR_LEN),
				       &stamp, sizeof(stamp));
			if (ls->inflight == 0)
				ls->last_progress = stamp.tsc;
			k = tx_measured(st, pkts, n, (uint64_t)n * run->size, &now);
			ls->inflight += k;
			TV_ADD(st->c.lat_sent, k);
		}
	}

	k = rx_measured(st, pkts, (uint16_t)run->burst, &bytes, &now);
	for (i = 0; i < k; i++) {
		struct rte_mbuf *m = pkts[i];
		struct tv_stamp stamp;

		if (m->data_len < TV_HDR_LEN + sizeof(stamp))
			continue;
		memcpy(&stamp, rte_pktmbuf_mtod_offset(m, uint8_t *, TV_HDR_LEN), sizeof(stamp));
		if (stamp.magic != TV_LAT_MAGIC || stamp.run != run->run_id)
			continue;
		if (stamp.tsc < ls->floor_tsc || ls->inflight == 0) {
			TV_ADD(st->c.lat_late, 1);
			continue;
		}
		ls->inflight--;
		ls->last_progress = now;
		TV_ADD(st->c.lat_recv, 1);
		if (measuring)
			tv_hist_add(st->hist, now - stamp.tsc);
	}
	if (k > 0)
		rte_pktmbuf_free_bulk(pkts, k);
	if (ls->inflight > 0 && now - ls->last_progress > run->lat_timeout_tsc) {
		TV_ADD(st->c.lat_lost, ls->inflight);
		ls->inflight = 0;
		ls->floor_tsc = now;
	}
}

int
tv_role_main(void *arg)
{
	struct tv_role *role = arg;
	struct tv_run *run = tv_current_run;
	struct lat_state ls[TV_MAX_STREAMS];
	struct rte_mbuf *pkts[TV_MAX_BURST];
	unsigned int i, idx[TV_MAX_STREAMS];

	memset(ls, 0, sizeof(ls));
	for (i = 0; i < role->nb_streams; i++)
		idx[i] = (unsigned int)(role->streams[i] - run->streams);

	while (!stopped(run)) {
		for (i = 0; i < role->nb_streams; i++) {
			struct tv_stream *st = role->streams[i];

			switch (run->mode) {
			case TV_MODE_TXONLY:
				if (st->tx_port != TV_NO_PORT)
					step_txonly(run, idx[i], pkts);
				else
					step_rxonly(run, st, pkts);
				break;
			case TV_MODE_RXONLY:
				step_rxonly(run, st, pkts);
				break;
			case TV_MODE_IO:
				step_fwd(run, st, pkts, false);
				break;
			case TV_MODE_MACSWAP:
				step_fwd(run, st, pkts, true);
				break;
			case TV_MODE_LATENCY:
				step_latency(run, idx[i], &ls[i], pkts);
				break;
			}
		}
	}
	return 0;
}

void
tv_tx_first(struct tv_run *run, unsigned int nb)
{
	struct rte_mbuf *pkts[TV_MAX_BURST];
	unsigned int s, b;
	uint16_t k;

	for (s = 0; s < run->nb_streams; s++) {
		if (run->streams[s].tx_port == TV_NO_PORT)
			continue;
		for (b = 0; b < nb; b++) {
			if (gen_burst(run, s, pkts, run->burst) == 0)
				break;
			k = rte_eth_tx_burst(run->streams[s].tx_port, 0, pkts,
					     (uint16_t)run->burst);
			if (k < run->burst)
				rte_pktmbuf_free_bulk(&pkts[k], run->burst - k);
		}
	}
}
