/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * test-vnet: a performance application for any ethdev port (vnet, net_virtio, net_vhost,
 * net_ring, net_null...). Shared definitions of the option parser (test_vnet_options.c), the
 * lcore loops (test_vnet_modes.c), statistics (test_vnet_stats.c), output (test_vnet_output.c)
 * and the control loop (test_vnet_main.c).
 */

#ifndef TEST_VNET_H
#define TEST_VNET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define TV_MAX_LIST		16	/**< entries of --sizes / --bursts */
#define TV_MAX_PORTS_USED	4	/**< distinct ports one invocation may drive */
#define TV_MAX_SPECS		2	/**< port specs: 1, or 2 with --compare */
#define TV_MAX_STREAMS		2	/**< streams per run (io on a pair: A->B and B->A) */
#define TV_MAX_BURST		512
#define TV_MIN_SIZE		64
#define TV_MAX_SIZE		9000
#define TV_WIRE_OVERHEAD	24	/**< CRC 4 + preamble/SFD 8 + inter-frame gap 12 */
#define TV_NO_PORT		UINT16_MAX

/** Ethernet + IPv4 + UDP header of generated frames; latency stamp follows it. */
#define TV_HDR_LEN	(RTE_ETHER_HDR_LEN + 20 + 8)
#define TV_LAT_MAGIC	0x76746c61u	/* "vtla" */

/** Latency stamp carried at TV_HDR_LEN in latency frames (16 bytes, fits 64B frames). */
struct tv_stamp {
	uint32_t magic;
	uint32_t run;	/**< run id: frames of an earlier row are not sampled */
	uint64_t tsc;	/**< rte_rdtsc() just before rte_eth_tx_burst */
} __rte_packed;

enum tv_mode {
	TV_MODE_TXONLY,
	TV_MODE_RXONLY,
	TV_MODE_IO,
	TV_MODE_MACSWAP,
	TV_MODE_LATENCY,
};

/** One measured port set: the port under test and an optional second port. */
struct tv_spec {
	uint16_t port;	/**< port under test (tx side) */
	uint16_t peer;	/**< second port (txonly/latency rx side, io pair) or TV_NO_PORT */
};

/** Parsed command line (after the EAL arguments). */
struct tv_options {
	enum tv_mode mode;
	struct tv_spec specs[TV_MAX_SPECS];
	unsigned int nb_specs;		/**< 2 with --compare */
	bool compare;
	uint16_t rxd, txd;		/**< 0: driver default */
	unsigned int sizes[TV_MAX_LIST], nb_sizes;
	unsigned int bursts[TV_MAX_LIST], nb_bursts;
	double duration;		/**< measured seconds per row */
	double warmup;			/**< seconds before measuring each row */
	unsigned int repeat;		/**< A/B pairs per row with --compare */
	unsigned int window;		/**< latency: frames in flight */
	unsigned int lat_timeout_ms;	/**< latency: in-flight frames lost after this */
	unsigned int tx_first;		/**< io/macswap: bursts sent at start */
	unsigned int nb_mbufs;		/**< 0: computed */
	bool wire;			/**< Gbit/s includes TV_WIRE_OVERHEAD per frame */
	bool quiet;
	bool xstats;
	bool have_eth_peer;
	struct rte_ether_addr eth_peer;
	const char *json;
	const char *plot;
};

/** Counters of one stream, written by its lcore only, read by the main lcore. */
struct tv_counters {
	uint64_t rx_pkts, rx_bytes, rx_calls, rx_cycles;
	uint64_t tx_pkts, tx_bytes, tx_calls, tx_cycles;
	/** Packets and cycles of the calls that moved all they were asked to (RX: a whole
	 *  burst; TX: every packet offered): the per-packet cost without empty polls or
	 *  full-ring returns, as a program timing plain full bursts measures it. */
	uint64_t rx_full_pkts, rx_full_cycles, tx_full_pkts, tx_full_cycles;
	uint64_t tx_unsent;	/**< offered to rte_eth_tx_burst but not taken (freed) */
	uint64_t alloc_fail;	/**< bursts not generated: mempool empty */
	uint64_t lat_sent, lat_recv, lat_lost, lat_late;
};

/** Log-linear latency histogram in TSC cycles (< 1.6 % relative bucket width). */
#define TV_HIST_SUB_BITS	6
#define TV_HIST_LINEAR		(2u << TV_HIST_SUB_BITS)
#define TV_HIST_BUCKETS		(TV_HIST_LINEAR + (64 - TV_HIST_SUB_BITS - 1) * \
				 (1u << TV_HIST_SUB_BITS))
struct tv_hist {
	uint64_t count[TV_HIST_BUCKETS];
	uint64_t n, max, min, sum;
};

/** One direction of traffic handled by one lcore. */
struct tv_stream {
	uint16_t rx_port;	/**< TV_NO_PORT: does not receive */
	uint16_t tx_port;	/**< TV_NO_PORT: does not transmit */
	struct rte_ether_addr tx_src, tx_dst;
	struct tv_counters c __rte_cache_aligned;
	struct tv_hist *hist;	/**< latency only */
};

/** What one worker lcore runs for a row. */
struct tv_role {
	unsigned int lcore;
	struct tv_stream *streams[TV_MAX_STREAMS];
	unsigned int nb_streams;
	bool gen;		/**< generates frames (txonly, latency) */
};

/** Everything the lcore loops need for one row; read-only to them except stop/measuring. */
struct tv_run {
	enum tv_mode mode;
	unsigned int size, burst;
	unsigned int window;
	uint64_t lat_timeout_tsc;
	uint32_t run_id;
	struct rte_mempool *mp;
	uint8_t tmpl[TV_MAX_STREAMS][TV_HDR_LEN];	/**< header template per stream */
	struct tv_stream streams[TV_MAX_STREAMS];
	unsigned int nb_streams;
	struct tv_role roles[TV_MAX_STREAMS];
	unsigned int nb_roles;
	volatile uint32_t stop;		/**< set by main: lcores return */
	volatile uint32_t measuring;	/**< set by main after warmup: latency samples count */
};

/** Raw snapshot of a port's counters, for deltas. */
struct tv_port_snap {
	uint64_t ipackets, opackets, imissed, ierrors, oerrors, rx_nombuf;
	uint64_t *xs;		/**< xstat values, nb_xstats entries */
};

/** A configured port. */
struct tv_port {
	uint16_t id;
	char name[RTE_ETH_NAME_MAX_LEN];
	char driver[64];
	struct rte_ether_addr mac;
	uint16_t rxd, txd;
	bool rings_reported;	/**< rxd/txd read back from the driver, not only requested */
	unsigned int nb_xstats;
	char (*xs_names)[64];
	uint8_t *xs_kick;	/**< 1 rx kick, 2 tx kick, 3 other-direction kick, 0 not a kick */
	bool has_kicks;
};

/** Results of one row (one size x burst x spec combination). */
struct tv_row {
	unsigned int size, burst, spec, rep;
	uint16_t port, peer;
	bool interrupted;
	double secs;
	uint64_t pkts;		/**< headline packet count (see tv_headline_pkts) */
	double mpps, gbps;
	double tx_mpps, rx_mpps;
	struct tv_counters c;	/**< deltas over the window, all streams summed */
	double rx_cyc_pkt, rx_cyc_call, tx_cyc_pkt, tx_cyc_call;
	double rx_cyc_pkt_full, tx_cyc_pkt_full;	/**< in full-burst calls only; NAN: none */
	bool kicks_known;
	uint64_t kicks_rx, kicks_tx, kicks_other;
	double kicks_per_k;	/**< (rx + tx + other kicks) * 1000 / pkts; < 0: unknown */
	uint64_t imissed, rx_nombuf, oerrors;
	/* latency, in microseconds */
	uint64_t lat_n;
	double lat_min, lat_avg, lat_p50, lat_p90, lat_p99, lat_p999, lat_max;
	/* raw xstat deltas (--xstats): per port used */
	unsigned int nb_xports;
	uint16_t xport[TV_MAX_PORTS_USED];
	uint64_t *xdelta[TV_MAX_PORTS_USED];
};

/* Global state of the application (test_vnet_main.c). */
extern struct tv_options tv_opt;
extern struct tv_port tv_ports[TV_MAX_PORTS_USED];
extern unsigned int tv_nb_ports;
extern volatile int tv_force_quit;
extern uint64_t tv_rdtsc_overhead;

/* test_vnet_options.c */
/**
 * Parse the application options (argv after the EAL arguments) into tv_opt.
 * Main lcore, before any port is touched. Returns 0, 1 if --help was printed, -EINVAL.
 */
int tv_parse_options(int argc, char **argv);
/** Print the option summary to @p f. Any thread. */
void tv_usage(FILE *f, const char *prog);
/** Name of a mode ("txonly"...). */
const char *tv_mode_name(enum tv_mode mode);

/* test_vnet_modes.c */
/**
 * Fill the header template of stream @p s of @p run for frames of run->size bytes.
 * Main lcore, before the workers are launched.
 */
void tv_build_template(struct tv_run *run, unsigned int s);
/**
 * Worker lcore entry point for rte_eal_remote_launch(); @p arg is a struct tv_role whose
 * streams belong to tv_current_run. Returns 0 when run->stop is set.
 */
int tv_role_main(void *arg);
/**
 * Send @p nb bursts of generated frames on every stream with a tx port (io/macswap start).
 * Main lcore, before the workers are launched.
 */
void tv_tx_first(struct tv_run *run, unsigned int nb);
/** The run the workers execute (set by the main lcore before launching them). */
extern struct tv_run *tv_current_run;

/* test_vnet_stats.c */
/**
 * Read the xstat names of @p p and classify the kick counters (rule in the file header).
 * Main lcore, after the port is configured. Returns 0 or a negative errno.
 */
int tv_port_xstats_init(struct tv_port *p);
/** Snapshot counters and xstats of @p p into @p s (s->xs allocated by the caller). */
void tv_port_snapshot(const struct tv_port *p, struct tv_port_snap *s);
/** Copy the counters of all streams of @p run, summed, into @p out. Main lcore. */
void tv_counters_read(const struct tv_run *run, struct tv_counters *out);
/** Record a latency sample of @p cycles in @p h. The lcore owning @p h. */
void tv_hist_add(struct tv_hist *h, uint64_t cycles);
/** Value (cycles) at quantile @p q (0..1) of @p h; 0 if empty. */
double tv_hist_quantile(const struct tv_hist *h, double q);
/**
 * Fill the derived fields of @p row from counter deltas @p c over @p secs seconds.
 * Main lcore.
 */
void tv_row_compute(struct tv_row *row, const struct tv_counters *c, double secs);
/** Packets a row's rate is based on, for mode @p mode (see the file header). */
uint64_t tv_headline_pkts(enum tv_mode mode, const struct tv_counters *c, bool has_peer);
/** Print the live progress line (stderr, one line rewritten with \r). Main lcore. */
void tv_progress(const struct tv_row *row, const struct tv_counters *delta, double secs);
/** Print the final table of @p rows (and compare ratios) to stdout. Main lcore. */
void tv_print_table(const struct tv_row *rows, unsigned int nb_rows);
/** Print the non-zero raw xstat deltas of @p row (--xstats). Main lcore. */
void tv_print_xstats(const struct tv_row *row);

/* test_vnet_output.c */
/**
 * Write the JSON report (parameters, machine info, rows) to @p path.
 * Returns 0 or a negative errno (message printed). Main lcore.
 */
int tv_write_json(const char *path, const struct tv_row *rows, unsigned int nb_rows,
		  int argc, char **argv);
/**
 * Write @p path.dat and @p path.gp for the rows and run gnuplot to render @p path
 * (.svg or .png). Returns 0 or a negative errno (message printed). Main lcore.
 */
int tv_write_plot(const char *path, const struct tv_row *rows, unsigned int nb_rows);

/** Find a configured port by id, NULL if it is not one of tv_ports. */
struct tv_port *tv_port_get(uint16_t id);

#endif /* TEST_VNET_H */
