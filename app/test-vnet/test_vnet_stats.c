/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * test-vnet statistics: counter snapshots, kick xstats, latency histogram, derived metrics,
 * the live progress line and the final table.
 *
 * Kick rule. A port's xstat counts as a kick (driver -> device notification) counter if
 *   - its name contains "kicks_issued" (vnet's name; vnet's tx kicks_issued already includes
 *     its "kicks_safety_net" kicks), or,
 *   - only if no xstat of that port contains "kicks_issued": its name contains "kick" or
 *     "notif" and none of "suppress", "defer", "safety", "avoid", "skip", "coalesc", "max",
 *     "_us" (those count kicks not made, or are not counts).
 * A name starting with "rx" is an rx-queue kick, "tx" a tx-queue kick, anything else "other".
 * kicks/1k = (rx + tx + other kick deltas) * 1000 / headline packets of the row.
 * Ports with no matching xstat (DPDK's net_virtio, net_vhost, net_null, net_ring) show "-".
 *
 * Headline packets (the row's Mpps): txonly counts at the receiver when a pair is given
 * (--ports A,B), else what rte_eth_tx_burst accepted; rxonly counts received packets; io and
 * macswap count forwarded (transmitted) packets; latency counts completed round trips.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "test_vnet.h"

static bool
name_has(const char *name, const char *what)
{
	return strcasestr(name, what) != NULL;
}

static bool
generic_kick_name(const char *n)
{
	static const char * const not_issued[] = {
		"suppress", "defer", "safety", "avoid", "skip", "coalesc", "max", "_us",
	};
	unsigned int i;

	if (!name_has(n, "kick") && !name_has(n, "notif"))
		return false;
	for (i = 0; i < RTE_DIM(not_issued); i++)
		if (name_has(n, not_issued[i]))
			return false;
	return true;
}

static uint8_t
kick_dir(const char *n)
{
	if (strncasecmp(n, "rx", 2) == 0)
		return 1;
	if (strncasecmp(n, "tx", 2) == 0)
		return 2;
	return 3;
}

int
tv_port_xstats_init(struct tv_port *p)
{
	struct rte_eth_xstat_name *names;
	bool issued = false;
	int n, i;

	n = rte_eth_xstats_get_names(p->id, NULL, 0);
	if (n < 0)
		n = 0;
	p->nb_xstats = (unsigned int)n;
	p->xs_names = calloc(n > 0 ? n : 1, sizeof(*p->xs_names));
	p->xs_kick = calloc(n > 0 ? n : 1, 1);
	names = calloc(n > 0 ? n : 1, sizeof(*names));
	if (p->xs_names == NULL || p->xs_kick == NULL || names == NULL) {
		free(names);
		return -ENOMEM;
	}
	if (n > 0 && rte_eth_xstats_get_names(p->id, names, n) != n) {
		/* The count changed under us (should not happen after configure): no xstats. */
		p->nb_xstats = 0;
		free(names);
		return 0;
	}
	for (i = 0; i < n; i++) {
		snprintf(p->xs_names[i], sizeof(p->xs_names[i]), "%s", names[i].name);
		if (name_has(names[i].name, "kicks_issued"))
			issued = true;
	}
	for (i = 0; i < n; i++) {
		const char *nm = p->xs_names[i];
		bool kick = issued ? name_has(nm, "kicks_issued") : generic_kick_name(nm);

		p->xs_kick[i] = kick ? kick_dir(nm) : 0;
		p->has_kicks |= kick;
	}
	free(names);
	return 0;
}

void
tv_port_snapshot(const struct tv_port *p, struct tv_port_snap *s)
{
	struct rte_eth_stats st;
	struct rte_eth_xstat *xs;
	unsigned int i;
	int n;

	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(p->id, &st);
	s->ipackets = st.ipackets;
	s->opackets = st.opackets;
	s->imissed = st.imissed;
	s->ierrors = st.ierrors;
	s->oerrors = st.oerrors;
	s->rx_nombuf = st.rx_nombuf;
	if (p->nb_xstats == 0)
		return;
	memset(s->xs, 0, p->nb_xstats * sizeof(*s->xs));
	xs = calloc(p->nb_xstats, sizeof(*xs));
	if (xs == NULL)
		return;
	n = rte_eth_xstats_get(p->id, xs, p->nb_xstats);
	for (i = 0; n > 0 && i < (unsigned int)n && i < p->nb_xstats; i++)
		if (xs[i].id < p->nb_xstats)
			s->xs[xs[i].id] = xs[i].value;
	free(xs);
}

void
tv_counters_read(const struct tv_run *run, struct tv_counters *out)
{
	unsigned int s, f;

	memset(out, 0, sizeof(*out));
	for (s = 0; s < run->nb_streams; s++) {
		const uint64_t *src = (const uint64_t *)&run->streams[s].c;
		uint64_t *dst = (uint64_t *)out;

		for (f = 0; f < sizeof(*out) / sizeof(uint64_t); f++)
			dst[f] += __atomic_load_n(&src[f], __ATOMIC_RELAXED);
	}
}

static unsigned int
hist_index(uint64_t v)
{
	unsigned int k;

	if (v < TV_HIST_LINEAR)
		return (unsigned int)v;
	k = 63u - (unsigned int)__builtin_clzll(v);	/* >= TV_HIST_SUB_BITS + 1 */
	return TV_HIST_LINEAR + (k - TV_HIST_SUB_BITS - 1) * (1u << TV_HIST_SUB_BITS) +
	       (unsigned int)((v >> (k - TV_HIST_SUB_BITS)) & ((1u << TV_HIST_SUB_BITS) - 1));
}

/* Lower bound and width of bucket @p i. */
static void
hist_bucket(unsigned int i, double *lo, double *width)
{
	unsigned int k, sub;

	if (i < TV_HIST_LINEAR) {
		*lo = i;
		*width = 1;
		return;
	}
	i -= TV_HIST_LINEAR;
	k = i / (1u << TV_HIST_SUB_BITS) + TV_HIST_SUB_BITS + 1;
	sub = i % (1u << TV_HIST_SUB_BITS);
	*width = ldexp(1.0, (int)(k - TV_HIST_SUB_BITS));
	*lo = ldexp(1.0, (int)k) + sub * *width;
}

void
tv_hist_add(struct tv_hist *h, uint64_t cycles)
{
	h->count[hist_index(cycles)]++;
	if (h->n == 0 || cycles < h->min)
		h->min = cycles;
	if (cycles > h->max)
		h->max = cycles;
	h->n++;
	h->sum += cycles;
}

double
tv_hist_quantile(const struct tv_hist *h, double q)
{
	uint64_t rank, seen = 0;
	double lo, w;
	unsigned int i;

	if (h->n == 0)
		return 0;
	rank = (uint64_t)ceil(q * (double)h->n);
	if (rank == 0)
		rank = 1;
	for (i = 0; i < TV_HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen >= rank) {
			hist_bucket(i, &lo, &w);
			/* Middle of the bucket, clamped to the exact extremes. */
			return RTE_MIN(RTE_MAX(lo + w / 2, (double)h->min), (double)h->max);
		}
	}
	return (double)h->max;
}

uint64_t
tv_headline_pkts(enum tv_mode mode, const struct tv_counters *c, bool has_peer)
{
	switch (mode) {
	case TV_MODE_TXONLY:
		return has_peer ? c->rx_pkts : c->tx_pkts;
	case TV_MODE_RXONLY:
		return c->rx_pkts;
	case TV_MODE_IO:
	case TV_MODE_MACSWAP:
		return c->tx_pkts;
	case TV_MODE_LATENCY:
		return c->lat_recv;
	}
	return 0;
}

static uint64_t
headline_bytes(enum tv_mode mode, const struct tv_counters *c, bool has_peer, unsigned int size)
{
	switch (mode) {
	case TV_MODE_TXONLY:
		return has_peer ? c->rx_bytes : c->tx_bytes;
	case TV_MODE_RXONLY:
		return c->rx_bytes;
	case TV_MODE_IO:
	case TV_MODE_MACSWAP:
		return c->tx_bytes;
	case TV_MODE_LATENCY:
		return c->lat_recv * size;
	}
	return 0;
}

static double
ratio(uint64_t a, uint64_t b)
{
	return b == 0 ? NAN : (double)a / (double)b;
}

void
tv_row_compute(struct tv_row *row, const struct tv_counters *c, double secs)
{
	bool peer = row->peer != TV_NO_PORT;
	uint64_t bytes;

	row->c = *c;
	row->secs = secs;
	row->pkts = tv_headline_pkts(tv_opt.mode, c, peer);
	bytes = headline_bytes(tv_opt.mode, c, peer, row->size);
	if (tv_opt.wire)
		bytes += row->pkts * TV_WIRE_OVERHEAD;
	row->mpps = secs > 0 ? row->pkts / secs / 1e6 : 0;
	row->gbps = secs > 0 ? bytes * 8.0 / secs / 1e9 : 0;
	row->tx_mpps = secs > 0 ? c->tx_pkts / secs / 1e6 : 0;
	row->rx_mpps = secs > 0 ? c->rx_pkts / secs / 1e6 : 0;
	row->rx_cyc_pkt = ratio(c->rx_cycles, c->rx_pkts);
	row->rx_cyc_call = ratio(c->rx_cycles, c->rx_calls);
	row->tx_cyc_pkt = ratio(c->tx_cycles, c->tx_pkts);
	row->tx_cyc_call = ratio(c->tx_cycles, c->tx_calls);
	row->rx_cyc_pkt_full = ratio(c->rx_full_cycles, c->rx_full_pkts);
	row->tx_cyc_pkt_full = ratio(c->tx_full_cycles, c->tx_full_pkts);
	row->kicks_per_k = row->kicks_known && row->pkts > 0 ?
		(row->kicks_rx + row->kicks_tx + row->kicks_other) * 1000.0 / row->pkts : NAN;
}

static void
fmt_num(char *buf, size_t len, double v, int prec)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", prec, v);
}

void
tv_progress(const struct tv_row *row, const struct tv_counters *d, double secs)
{
	char a[32], b[32];

	if (tv_opt.quiet || secs <= 0)
		return;
	fmt_num(a, sizeof(a), ratio(d->tx_cycles, d->tx_pkts), 1);
	fmt_num(b, sizeof(b), ratio(d->rx_cycles, d->rx_pkts), 1);
	if (tv_opt.mode == TV_MODE_LATENCY)
		fprintf(stderr, "\r[%s p%u %uB] round trips %.3f M/s  lost %" PRIu64
			"  tx %s rx %s cyc/pkt   ", tv_mode_name(tv_opt.mode), row->port,
			row->size, d->lat_recv / secs / 1e6, d->lat_lost, a, b);
	else
		fprintf(stderr, "\r[%s p%u%s %uB b%u] tx %.3f Mpps  rx %.3f Mpps  tx %s  rx %s "
			"cyc/pkt  unsent %" PRIu64 "   ", tv_mode_name(tv_opt.mode), row->port,
			row->peer != TV_NO_PORT ? "+" : "", row->size, row->burst,
			d->tx_pkts / secs / 1e6, d->rx_pkts / secs / 1e6, a, b, d->tx_unsent);
	fflush(stderr);
}

/* Columns of the table and of the compare ratio. */
struct metric {
	const char *head;
	size_t off;
	int width, prec;
	bool latency;	/* only in latency mode */
};

#define M(h, f, w, p, l) { h, offsetof(struct tv_row, f), w, p, l }
static const struct metric metrics[] = {
	M("Mpps", mpps, 9, 3, false),
	M("Gbit/s", gbps, 8, 2, false),
	M("tx-Mpps", tx_mpps, 9, 3, false),
	M("rx-Mpps", rx_mpps, 9, 3, false),
	M("rxcyc/pkt", rx_cyc_pkt, 10, 1, false),
	M("rxcyc/call", rx_cyc_call, 11, 1, false),
	M("txcyc/pkt", tx_cyc_pkt, 10, 1, false),
	M("txcyc/call", tx_cyc_call, 11, 1, false),
	M("kick/1k", kicks_per_k, 8, 2, false),
	M("p50us", lat_p50, 8, 2, true),
	M("p90us", lat_p90, 8, 2, true),
	M("p99us", lat_p99, 8, 2, true),
	M("p99.9us", lat_p999, 8, 2, true),
	M("maxus", lat_max, 8, 2, true),
};
#undef M

static double
metric_val(const struct tv_row *r, const struct metric *m)
{
	return *(const double *)((const char *)r + m->off);
}

static bool
metric_shown(const struct metric *m)
{
	return !m->latency || tv_opt.mode == TV_MODE_LATENCY;
}

static void
print_head(void)
{
	unsigned int i;

	printf("%-7s %5s %5s", "port", "size", "burst");
	for (i = 0; i < RTE_DIM(metrics); i++)
		if (metric_shown(&metrics[i]))
			printf(" %*s", metrics[i].width, metrics[i].head);
	printf(" %10s %9s %s\n", "unsent", "missed", tv_opt.mode == TV_MODE_LATENCY ?
	       "lost" : "");
}

static void
print_row(const struct tv_row *r)
{
	char port[16], v[32];
	unsigned int i;

	if (r->peer != TV_NO_PORT)
		snprintf(port, sizeof(port), "%u>%u", r->port, r->peer);
	else
		snprintf(port, sizeof(port), "%u", r->port);
	printf("%-7s %5u %5u", port, r->size, r->burst);
	for (i = 0; i < RTE_DIM(metrics); i++) {
		if (!metric_shown(&metrics[i]))
			continue;
		fmt_num(v, sizeof(v), metric_val(r, &metrics[i]), metrics[i].prec);
		printf(" %*s", metrics[i].width, v);
	}
	printf(" %10" PRIu64 " %9" PRIu64, r->c.tx_unsent, r->imissed + r->rx_nombuf);
	if (tv_opt.mode == TV_MODE_LATENCY)
		printf(" %" PRIu64, r->c.lat_lost);
	printf("%s\n", r->interrupted ? "  (interrupted)" : "");
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Ratio B/A of every metric of the pairs rows[0,1], rows[2,3]...: median over @p nb_pairs. */
static void
print_ratio(const char *label, const struct tv_row *pairs, unsigned int nb_pairs)
{
	double vals[100];
	char v[32];
	unsigned int i, p, n;

	printf("%-19s", label);
	for (i = 0; i < RTE_DIM(metrics); i++) {
		if (!metric_shown(&metrics[i]))
			continue;
		n = 0;
		for (p = 0; p < nb_pairs && n < RTE_DIM(vals); p++) {
			double a = metric_val(&pairs[2 * p], &metrics[i]);
			double b = metric_val(&pairs[2 * p + 1], &metrics[i]);

			if (!isnan(a) && !isnan(b) && a != 0)
				vals[n++] = b / a;
		}
		if (n == 0) {
			fmt_num(v, sizeof(v), NAN, 3);
		} else {
			qsort(vals, n, sizeof(vals[0]), cmp_double);
			fmt_num(v, sizeof(v), n % 2 ? vals[n / 2] :
				(vals[n / 2 - 1] + vals[n / 2]) / 2, 3);
		}
		printf(" %*s", metrics[i].width, v);
	}
	printf("\n");
}

void
tv_print_table(const struct tv_row *rows, unsigned int nb_rows)
{
	unsigned int i, j;

	printf("\ntest-vnet %s: %s; Gbit/s = %s; cycles = TSC (%" PRIu64 " Hz) inside "
	       "rte_eth_rx/tx_burst incl. ~%" PRIu64 " cycles of rdtsc per call\n",
	       tv_mode_name(tv_opt.mode),
	       tv_opt.mode == TV_MODE_TXONLY ? "Mpps counted at the receiver for a pair, else "
	       "accepted by tx_burst" : tv_opt.mode == TV_MODE_RXONLY ? "Mpps received" :
	       tv_opt.mode == TV_MODE_LATENCY ? "Mpps = round trips; latency = round trip "
	       "(tx_burst to rx_burst return)" : "Mpps forwarded",
	       tv_opt.wire ? "L1 (frame + CRC 4 + preamble 8 + IFG 12 bytes)" :
	       "plain L2 (frame without CRC)", rte_get_tsc_hz(), tv_rdtsc_overhead);
	print_head();
	for (i = 0; i < nb_rows; i++) {
		print_row(&rows[i]);
		if (!tv_opt.compare || rows[i].spec != 1 || i == 0 || rows[i - 1].spec != 0)
			continue;
		print_ratio("  ratio B/A", &rows[i - 1], 1);
		/* Last pair of a size x burst combination: median over its repeats. */
		if (tv_opt.repeat > 1 && rows[i].rep + 1 == tv_opt.repeat &&
		    i + 1 >= 2 * tv_opt.repeat) {
			j = i + 1 - 2 * tv_opt.repeat;
			print_ratio("  median ratio B/A", &rows[j], tv_opt.repeat);
		}
	}
}

void
tv_print_xstats(const struct tv_row *row)
{
	unsigned int p, i;

	for (p = 0; p < row->nb_xports; p++) {
		const struct tv_port *port = tv_port_get(row->xport[p]);

		if (port == NULL || row->xdelta[p] == NULL)
			continue;
		printf("  xstats port %u (%s), size %u burst %u, deltas over %.2f s:\n", port->id,
		       port->name, row->size, row->burst, row->secs);
		for (i = 0; i < port->nb_xstats; i++)
			if (row->xdelta[p][i] != 0)
				printf("    %-40s %16" PRIu64 "%s\n", port->xs_names[i],
				       row->xdelta[p][i], port->xs_kick[i] ? "  (kick)" : "");
	}
}
