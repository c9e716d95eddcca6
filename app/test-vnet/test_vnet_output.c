/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * test-vnet reports: JSON (--json) and a gnuplot chart of a sweep (--plot). The JSON writer
 * is a few lines of its own (no dependency); NaN (a metric that does not apply) is null.
 */

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "test_vnet.h"

extern char **environ;

/* Minimal JSON emitter: tracks whether a separator is due at each nesting level. */
struct json {
	FILE *f;
	int depth;
	bool need_comma[16];
};

static void
put_escaped(FILE *f, const char *v)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
j_sep(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	fprintf(j->f, "\n%*s", 2 * j->depth, "");
	j->need_comma[j->depth] = true;
	if (key != NULL) {
		put_escaped(j->f, key);
		fputs(": ", j->f);
	}
}

static void
j_str(struct json *j, const char *key, const char *v)
{
	j_sep(j, key);
	if (v == NULL)
		fputs("null", j->f);
	else
		put_escaped(j->f, v);
}

static void
j_u64(struct json *j, const char *key, uint64_t v)
{
	j_sep(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

static void
j_dbl(struct json *j, const char *key, double v)
{
	j_sep(j, key);
	if (isnan(v) || isinf(v))
		fputs("null", j->f);
	else
		fprintf(j->f, "%.6g", v);
}

static void
j_bool(struct json *j, const char *key, bool v)
{
	j_sep(j, key);
	fputs(v ? "true" : "false", j->f);
}

static void
j_port(struct json *j, const char *key, uint16_t port)
{
	if (port == TV_NO_PORT) {
		j_sep(j, key);
		fputs("null", j->f);
	} else {
		j_u64(j, key, port);
	}
}

static void
j_open(struct json *j, const char *key, char c)
{
	if (j->depth == 0 && key == NULL && !j->need_comma[0]) {
		fputc(c, j->f);
	} else {
		j_sep(j, key);
		fputc(c, j->f);
	}
	j->depth++;
	j->need_comma[j->depth] = false;
}

static void
j_close(struct json *j, char c)
{
	j->depth--;
	fprintf(j->f, "\n%*s%c", 2 * j->depth, "", c);
}

static void
cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
			colon += 2;
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(buf, len, "%s", colon);
			break;
		}
	}
	fclose(f);
}

static void
json_row(struct json *j, const struct tv_row *r, const struct tv_row *base)
{
	const struct tv_counters *c = &r->c;
	unsigned int p, i;

	j_open(j, NULL, '{');
	j_u64(j, "spec", r->spec);
	j_u64(j, "repeat", r->rep);
	j_port(j, "port", r->port);
	j_port(j, "peer", r->peer);
	j_u64(j, "size", r->size);
	j_u64(j, "burst", r->burst);
	j_bool(j, "interrupted", r->interrupted);
	j_dbl(j, "seconds", r->secs);
	j_u64(j, "packets", r->pkts);
	j_dbl(j, "mpps", r->mpps);
	j_dbl(j, "gbps", r->gbps);
	j_dbl(j, "tx_mpps", r->tx_mpps);
	j_dbl(j, "rx_mpps", r->rx_mpps);
	j_u64(j, "tx_packets", c->tx_pkts);
	j_u64(j, "rx_packets", c->rx_pkts);
	j_u64(j, "tx_bytes", c->tx_bytes);
	j_u64(j, "rx_bytes", c->rx_bytes);
	j_u64(j, "tx_calls", c->tx_calls);
	j_u64(j, "rx_calls", c->rx_calls);
	j_u64(j, "tx_cycles", c->tx_cycles);
	j_u64(j, "rx_cycles", c->rx_cycles);
	j_dbl(j, "rx_cycles_per_packet", r->rx_cyc_pkt);
	j_dbl(j, "rx_cycles_per_call", r->rx_cyc_call);
	j_dbl(j, "tx_cycles_per_packet", r->tx_cyc_pkt);
	j_dbl(j, "tx_cycles_per_call", r->tx_cyc_call);
	j_dbl(j, "rx_cycles_per_packet_full_burst", r->rx_cyc_pkt_full);
	j_dbl(j, "tx_cycles_per_packet_full_burst", r->tx_cyc_pkt_full);
	j_u64(j, "tx_unsent", c->tx_unsent);
	j_u64(j, "alloc_fail_bursts", c->alloc_fail);
	j_u64(j, "imissed", r->imissed);
	j_u64(j, "rx_nombuf", r->rx_nombuf);
	j_u64(j, "oerrors", r->oerrors);
	if (r->kicks_known) {
		j_open(j, "kicks", '{');
		j_u64(j, "rx", r->kicks_rx);
		j_u64(j, "tx", r->kicks_tx);
		j_u64(j, "other", r->kicks_other);
		j_dbl(j, "per_1000_packets", r->kicks_per_k);
		j_dbl(j, "tx_per_1000_tx_packets", c->tx_pkts ?
		      r->kicks_tx * 1000.0 / c->tx_pkts : NAN);
		j_dbl(j, "rx_per_1000_rx_packets", c->rx_pkts ?
		      r->kicks_rx * 1000.0 / c->rx_pkts : NAN);
		j_close(j, '}');
	} else {
		j_sep(j, "kicks");
		fputs("null", j->f);
	}
	if (tv_opt.mode == TV_MODE_LATENCY) {
		j_open(j, "latency_us", '{');
		j_u64(j, "samples", r->lat_n);
		j_u64(j, "sent", c->lat_sent);
		j_u64(j, "lost", c->lat_lost);
		j_u64(j, "late", c->lat_late);
		j_dbl(j, "min", r->lat_min);
		j_dbl(j, "avg", r->lat_avg);
		j_dbl(j, "p50", r->lat_p50);
		j_dbl(j, "p90", r->lat_p90);
		j_dbl(j, "p99", r->lat_p99);
		j_dbl(j, "p99.9", r->lat_p999);
		j_dbl(j, "max", r->lat_max);
		j_close(j, '}');
	}
	if (base != NULL) {
		j_open(j, "ratio_to_spec0", '{');
		j_dbl(j, "mpps", r->mpps / base->mpps);
		j_dbl(j, "gbps", r->gbps / base->gbps);
		j_dbl(j, "rx_cycles_per_packet", r->rx_cyc_pkt / base->rx_cyc_pkt);
		j_dbl(j, "rx_cycles_per_call", r->rx_cyc_call / base->rx_cyc_call);
		j_dbl(j, "tx_cycles_per_packet", r->tx_cyc_pkt / base->tx_cyc_pkt);
		j_dbl(j, "tx_cycles_per_call", r->tx_cyc_call / base->tx_cyc_call);
		j_dbl(j, "kicks_per_1000_packets", r->kicks_per_k / base->kicks_per_k);
		if (tv_opt.mode == TV_MODE_LATENCY) {
			j_dbl(j, "latency_p50", r->lat_p50 / base->lat_p50);
			j_dbl(j, "latency_p99", r->lat_p99 / base->lat_p99);
		}
		j_close(j, '}');
	}
	if (r->nb_xports > 0) {
		j_open(j, "xstats_delta", '[');
		for (p = 0; p < r->nb_xports; p++) {
			const struct tv_port *port = tv_port_get(r->xport[p]);

			j_open(j, NULL, '{');
			j_u64(j, "port", r->xport[p]);
			j_open(j, "values", '{');
			for (i = 0; port != NULL && i < port->nb_xstats; i++)
				j_u64(j, port->xs_names[i], r->xdelta[p][i]);
			j_close(j, '}');
			j_close(j, '}');
		}
		j_close(j, ']');
	}
	j_close(j, '}');
}

int
tv_write_json(const char *path, const struct tv_row *rows, unsigned int nb_rows, int argc,
	      char **argv)
{
	struct json j = { .f = NULL };
	char date[64], host[256], cpu[128], mac[RTE_ETHER_ADDR_FMT_SIZE];
	time_t now = time(NULL);
	struct tm tm;
	unsigned int i, k;
	int ret = 0;

	j.f = fopen(path, "w");
	if (j.f == NULL) {
		ret = -errno;
		fprintf(stderr, "test-vnet: --json: cannot write %s: %s\n", path, strerror(errno));
		return ret;
	}
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	cpu_model(cpu, sizeof(cpu));

	j_open(&j, NULL, '{');
	j_str(&j, "tool", "test-vnet");
	j_open(&j, "machine", '{');
	j_str(&j, "dpdk_version", rte_version());
	j_u64(&j, "tsc_hz", rte_get_tsc_hz());
	j_u64(&j, "rdtsc_overhead_cycles", tv_rdtsc_overhead);
	j_str(&j, "date", date);
	j_str(&j, "hostname", host);
	j_str(&j, "cpu_model", cpu);
	j_u64(&j, "online_cpus", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	j_u64(&j, "eal_lcores", rte_lcore_count());
	j_close(&j, '}');
	j_open(&j, "command_line", '[');
	for (i = 0; i < (unsigned int)argc; i++)
		j_str(&j, NULL, argv[i]);
	j_close(&j, ']');
	j_open(&j, "parameters", '{');
	j_str(&j, "mode", tv_mode_name(tv_opt.mode));
	j_open(&j, "specs", '[');
	for (i = 0; i < tv_opt.nb_specs; i++) {
		j_open(&j, NULL, '{');
		j_port(&j, "port", tv_opt.specs[i].port);
		j_port(&j, "peer", tv_opt.specs[i].peer);
		j_close(&j, '}');
	}
	j_close(&j, ']');
	j_bool(&j, "compare", tv_opt.compare);
	j_u64(&j, "repeat", tv_opt.repeat);
	j_open(&j, "sizes", '[');
	for (i = 0; i < tv_opt.nb_sizes; i++)
		j_u64(&j, NULL, tv_opt.sizes[i]);
	j_close(&j, ']');
	j_open(&j, "bursts", '[');
	for (i = 0; i < tv_opt.nb_bursts; i++)
		j_u64(&j, NULL, tv_opt.bursts[i]);
	j_close(&j, ']');
	j_dbl(&j, "duration_s", tv_opt.duration);
	j_dbl(&j, "warmup_s", tv_opt.warmup);
	j_u64(&j, "window", tv_opt.window);
	j_u64(&j, "lat_timeout_ms", tv_opt.lat_timeout_ms);
	j_u64(&j, "tx_first", tv_opt.tx_first);
	j_str(&j, "gbps_basis", tv_opt.wire ? "L1: frame + 24 bytes (CRC, preamble, IFG)" :
	      "L2: frame without CRC");
	j_str(&j, "cycles", "TSC cycles inside rte_eth_rx_burst/rte_eth_tx_burst, rdtsc "
	      "overhead included");
	j_str(&j, "kick_rule", "xstats containing 'kicks_issued'; if a port has none: "
	      "containing 'kick' or 'notif' but none of suppress/defer/safety/avoid/skip/"
	      "coalesc/max/_us");
	j_close(&j, '}');
	j_open(&j, "ports", '[');
	for (i = 0; i < tv_nb_ports; i++) {
		const struct tv_port *p = &tv_ports[i];

		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		j_open(&j, NULL, '{');
		j_u64(&j, "id", p->id);
		j_str(&j, "name", p->name);
		j_str(&j, "driver", p->driver);
		j_str(&j, "mac", mac);
		j_u64(&j, "rxd", p->rxd);
		j_u64(&j, "txd", p->txd);
		j_bool(&j, "rings_reported_by_driver", p->rings_reported);
		j_u64(&j, "xstats", p->nb_xstats);
		j_open(&j, "kick_xstats", '[');
		for (k = 0; k < p->nb_xstats; k++)
			if (p->xs_kick[k])
				j_str(&j, NULL, p->xs_names[k]);
		j_close(&j, ']');
		j_close(&j, '}');
	}
	j_close(&j, ']');
	j_open(&j, "rows", '[');
	for (i = 0; i < nb_rows; i++)
		json_row(&j, &rows[i], tv_opt.compare && rows[i].spec == 1 && i > 0 &&
			 rows[i - 1].spec == 0 ? &rows[i - 1] : NULL);
	j_close(&j, ']');
	j_close(&j, '}');
	fputc('\n', j.f);
	if (ferror(j.f))
		ret = -EIO;
	if (fclose(j.f) != 0 && ret == 0)
		ret = -errno;
	if (ret != 0)
		fprintf(stderr, "test-vnet: --json: error writing %s\n", path);
	else
		printf("JSON written to %s\n", path);
	return ret;
}

/* Run gnuplot on @p script, bounded to 60 s. */
static int
run_gnuplot(const char *script)
{
	char *args[] = { (char *)(uintptr_t)"gnuplot", (char *)(uintptr_t)script, NULL };
	pid_t pid;
	int ret, st, i;

	ret = posix_spawnp(&pid, "gnuplot", NULL, NULL, args, environ);
	if (ret != 0) {
		fprintf(stderr, "test-vnet: --plot: cannot run gnuplot (%s)%s; the data and "
			"script are written: run 'gnuplot %s' later\n", strerror(ret),
			ret == ENOENT ? ": install it with 'apt-get install gnuplot-nox' (or "
			"'config/install-deps.sh --plot')" : "",
			script);
		return -ret;
	}
	for (i = 0; i < 1200; i++) {
		ret = waitpid(pid, &st, WNOHANG);
		if (ret == pid)
			break;
		rte_delay_us_sleep(50 * 1000);
	}
	if (ret != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fprintf(stderr, "test-vnet: --plot: gnuplot did not finish in 60 s\n");
		return -ETIMEDOUT;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "test-vnet: --plot: gnuplot failed on %s (see its messages)\n",
			script);
		return -EIO;
	}
	return 0;
}

/* A series of the chart: all rows of one spec and one value of the non-x sweep variable. */
struct series {
	unsigned int spec, other;
};

static const char *
spec_label(unsigned int spec)
{
	static char buf[TV_MAX_SPECS][32];
	const struct tv_spec *sp = &tv_opt.specs[spec];

	if (sp->peer == TV_NO_PORT)
		snprintf(buf[spec], sizeof(buf[spec]), "port %u", sp->port);
	else
		snprintf(buf[spec], sizeof(buf[spec]), "ports %u>%u", sp->port, sp->peer);
	return buf[spec];
}

#define PLOT_COLS 6

/* Sums of the plotted metrics over the rows of one point (one per --repeat); their count. */
static unsigned int
plot_point(const struct tv_row *rows, unsigned int nb_rows, unsigned int spec, bool x_is_size,
	   unsigned int x, unsigned int other, double v[PLOT_COLS])
{
	unsigned int r, n = 0;

	memset(v, 0, PLOT_COLS * sizeof(v[0]));
	for (r = 0; r < nb_rows; r++) {
		const struct tv_row *w = &rows[r];
		unsigned int wx = x_is_size ? w->size : w->burst;
		unsigned int wo = x_is_size ? w->burst : w->size;

		if (w->spec != spec || wx != x || wo != other)
			continue;
		v[0] += w->mpps;
		v[1] += w->gbps;
		v[2] += w->rx_cyc_pkt;
		v[3] += w->tx_cyc_pkt;
		v[4] += w->lat_p50;
		v[5] += w->lat_p99;
		n++;
	}
	return n;
}

int
tv_write_plot(const char *path, const struct tv_row *rows, unsigned int nb_rows)
{
	bool x_is_size = tv_opt.nb_sizes > 1 || tv_opt.nb_bursts == 1;
	bool lat = tv_opt.mode == TV_MODE_LATENCY;
	const unsigned int *xs = x_is_size ? tv_opt.sizes : tv_opt.bursts;
	const unsigned int *os = x_is_size ? tv_opt.bursts : tv_opt.sizes;
	unsigned int nx = x_is_size ? tv_opt.nb_sizes : tv_opt.nb_bursts;
	unsigned int no = x_is_size ? tv_opt.nb_bursts : tv_opt.nb_sizes;
	struct series ser[TV_MAX_SPECS * TV_MAX_LIST];
	unsigned int nb_ser = 0, s, x, i, n;
	char dat[1024], gp[1024];
	FILE *f;
	int ret;

	if (strchr(path, '\'') != NULL || strlen(path) + 4 >= sizeof(dat)) {
		fprintf(stderr, "test-vnet: --plot: unusable file name %s\n", path);
		return -EINVAL;
	}
	snprintf(dat, sizeof(dat), "%s.dat", path);
	snprintf(gp, sizeof(gp), "%s.gp", path);
	f = fopen(dat, "w");
	if (f == NULL) {
		fprintf(stderr, "test-vnet: --plot: cannot write %s: %s\n", dat, strerror(errno));
		return -errno;
	}
	/* One block per series; a point is the mean over --repeat rows. */
	for (s = 0; s < tv_opt.nb_specs; s++) {
		for (i = 0; i < no; i++) {
			ser[nb_ser].spec = s;
			ser[nb_ser].other = os[i];
			fprintf(f, "# spec %u (port %u) %s %u\n", s, tv_opt.specs[s].port,
				x_is_size ? "burst" : "size", os[i]);
			fprintf(f, "# x mpps gbps rx_cyc_pkt tx_cyc_pkt lat_p50_us lat_p99_us\n");
			for (x = 0; x < nx; x++) {
				double v[PLOT_COLS];
				unsigned int k;

				n = plot_point(rows, nb_rows, s, x_is_size, xs[x], os[i], v);
				if (n == 0)
					continue;
				fprintf(f, "%u", xs[x]);
				for (k = 0; k < PLOT_COLS; k++) {
					if (isnan(v[k]))
						fprintf(f, " NaN");
					else
						fprintf(f, " %.6g", v[k] / n);
				}
				fprintf(f, "\n");
			}
			fprintf(f, "\n\n");
			nb_ser++;
		}
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "test-vnet: --plot: error writing %s\n", dat);
		return -EIO;
	}

	f = fopen(gp, "w");
	if (f == NULL) {
		fprintf(stderr, "test-vnet: --plot: cannot write %s: %s\n", gp, strerror(errno));
		return -errno;
	}
	if (strcmp(path + strlen(path) - 4, ".svg") == 0)
		fprintf(f, "set terminal svg size 1000,800 dynamic background rgb 'white'\n");
	else
		fprintf(f, "set terminal pngcairo size 1000,800\n");
	fprintf(f, "set output '%s'\n", path);
	fprintf(f, "set multiplot layout 2,1 title 'test-vnet %s (%s)'\n",
		tv_mode_name(tv_opt.mode), tv_opt.wire ? "Gbit/s at L1" : "Gbit/s at L2, no CRC");
	fprintf(f, "set grid\nset key outside right\nset datafile missing 'NaN'\n");
	fprintf(f, "set xlabel '%s'\n", x_is_size ? "frame size (bytes)" : "burst");
	if (!x_is_size || nx > 1)
		fprintf(f, "set logscale x 2\n");
	fprintf(f, "set ylabel 'Mpps'\nset y2label 'Gbit/s (dashed)'\nset ytics nomirror\n"
		"set y2tics\nset yrange [0:*]\nset y2range [0:*]\n");
	fprintf(f, "plot ");
	for (s = 0; s < nb_ser; s++)
		fprintf(f, "%s'%s' index %u using 1:2 with linespoints lc %u title '%s %s %u', "
			"'' index %u using 1:3 axes x1y2 with lines dt 2 lc %u notitle",
			s ? ", \\\n     " : "", dat, s, s + 1, spec_label(ser[s].spec),
			x_is_size ? "burst" : "size", ser[s].other, s, s + 1);
	fprintf(f, "\nunset y2tics\nunset y2label\n");
	if (lat) {
		fprintf(f, "set ylabel 'round-trip latency (us)'\nplot ");
		for (s = 0; s < nb_ser; s++)
			fprintf(f, "%s'%s' index %u using 1:6 with linespoints lc %u title "
				"'p50 %s', '' index %u using 1:7 with linespoints dt 2 lc %u "
				"title 'p99'", s ? ", \\\n     " : "", dat, s, s + 1,
				spec_label(ser[s].spec), s, s + 1);
	} else {
		fprintf(f, "set ylabel 'TSC cycles / packet'\nplot ");
		for (s = 0; s < nb_ser; s++)
			fprintf(f, "%s'%s' index %u using 1:4 with linespoints lc %u title "
				"'rx %s %s %u', '' index %u using 1:5 with linespoints dt 2 "
				"lc %u title 'tx'", s ? ", \\\n     " : "", dat, s, s + 1,
				spec_label(ser[s].spec), x_is_size ? "burst" : "size",
				ser[s].other, s, s + 1);
	}
	fprintf(f, "\nunset multiplot\n");
	if (fclose(f) != 0) {
		fprintf(stderr, "test-vnet: --plot: error writing %s\n", gp);
		return -EIO;
	}
	ret = run_gnuplot(gp);
	if (ret == 0)
		printf("chart written to %s (data %s, script %s)\n", path, dat, gp);
	return ret;
}
