/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * test-vnet command line (the part after "--"). Every error names the option and what it
 * accepts; nothing here touches DPDK state except rte_ether_unformat_addr().
 */

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "test_vnet.h"

static const char * const mode_names[] = {
	[TV_MODE_TXONLY] = "txonly",
	[TV_MODE_RXONLY] = "rxonly",
	[TV_MODE_IO] = "io",
	[TV_MODE_MACSWAP] = "macswap",
	[TV_MODE_LATENCY] = "latency",
};

const char *
tv_mode_name(enum tv_mode mode)
{
	return mode_names[mode];
}

void
tv_usage(FILE *f, const char *prog)
{
	fprintf(f,
"usage: %s [EAL options] -- [options]\n"
"\n"
"Ports are ethdev ports probed by EAL (-a <PCI>, --vdev <name,args>, -d <plugin.so>).\n"
"  --mode M             txonly | rxonly | io | macswap | latency (default txonly)\n"
"  --port N             port under test (default 0)\n"
"  --ports A,B          port pair: txonly/latency send on A, receive on B; io/macswap\n"
"                       forward A->B and B->A; rxonly receives on both. A may equal B.\n"
"  --compare S1,S2      run every row on spec S1 then S2 (back to back) and print the\n"
"                       ratio S2/S1; a spec is N or A:B (a pair). E.g. --compare 0,1\n"
"  --repeat N           with --compare: N back-to-back pairs per row, median ratio (1)\n"
"  --rxd N, --txd N     ring sizes (default: the driver's preferred size)\n"
"  --burst B            burst size (default 32, max %u)\n"
"  --bursts B1,B2,...   sweep burst sizes (one row per combination with --sizes)\n"
"  --size S             frame size in bytes without CRC, %u..%u (default 64)\n"
"  --sizes S1,S2,...    sweep frame sizes\n"
"  --duration SEC       measured time per row (default 5)\n"
"  --warmup SEC         unmeasured time before each row (default 1)\n"
"  --window N           latency: frames in flight (default 1)\n"
"  --lat-timeout-ms MS  latency: in-flight frames count as lost after MS (default 100)\n"
"  --tx-first N         io/macswap: send N bursts first (seed a forwarding peer; default 0)\n"
"  --eth-peer MAC       destination MAC of generated frames (default: the MAC of the\n"
"                       receiving port of the pair, else 02:00:00:00:00:01)\n"
"  --mbufs N            mbufs in the pool (default: computed from rings and bursts)\n"
"  --wire               Gbit/s counts %u bytes of CRC+preamble+IFG per frame (default:\n"
"                       plain L2 bytes as handed to the driver, no CRC)\n"
"  --xstats             print the raw xstat deltas of each row (and put them in --json)\n"
"  --json FILE          write parameters, machine info and rows as JSON\n"
"  --plot FILE          chart of the sweep (FILE.svg or FILE.png) via gnuplot; also\n"
"                       writes FILE.dat and FILE.gp\n"
"  --quiet              no live progress line\n"
"  --help\n",
		prog, TV_MAX_BURST, TV_MIN_SIZE, TV_MAX_SIZE, TV_WIRE_OVERHEAD);
}

static int
parse_uint(const char *opt, const char *s, unsigned long min, unsigned long max,
	   unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "test-vnet: %s: '%s' is not an integer in %lu..%lu\n", opt, s,
			min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int
parse_secs(const char *opt, const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max)) {
		fprintf(stderr, "test-vnet: %s: '%s' is not a number of seconds in %g..%g\n", opt,
			s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* "a,b,c" into @p out; bounded by TV_MAX_LIST. */
static int
parse_list(const char *opt, const char *s, unsigned long min, unsigned long max,
	   unsigned int *out, unsigned int *nb)
{
	char buf[256], *tok, *save = NULL;
	unsigned long v;

	if (strlen(s) >= sizeof(buf)) {
		fprintf(stderr, "test-vnet: %s: list too long\n", opt);
		return -EINVAL;
	}
	strcpy(buf, s);
	*nb = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (*nb == TV_MAX_LIST) {
			fprintf(stderr, "test-vnet: %s: at most %u values\n", opt, TV_MAX_LIST);
			return -EINVAL;
		}
		if (parse_uint(opt, tok, min, max, &v) < 0)
			return -EINVAL;
		out[(*nb)++] = (unsigned int)v;
	}
	if (*nb == 0) {
		fprintf(stderr, "test-vnet: %s: empty list\n", opt);
		return -EINVAL;
	}
	return 0;
}

/* "N" or "A:B" (or "A,B" for --ports). */
static int
parse_spec(const char *opt, const char *s, char sep, struct tv_spec *spec)
{
	char buf[64], *p;
	unsigned long v;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	p = strchr(buf, sep);
	if (p != NULL)
		*p++ = '\0';
	if (parse_uint(opt, buf, 0, RTE_MAX_ETHPORTS - 1, &v) < 0)
		goto bad;
	spec->port = (uint16_t)v;
	spec->peer = TV_NO_PORT;
	if (p != NULL) {
		if (parse_uint(opt, p, 0, RTE_MAX_ETHPORTS - 1, &v) < 0)
			goto bad;
		spec->peer = (uint16_t)v;
	}
	return 0;
bad:
	fprintf(stderr, "test-vnet: %s: expected a port id or a pair A%cB, got '%s'\n", opt, sep,
		s);
	return -EINVAL;
}

enum {
	OPT_MODE = 256, OPT_PORT, OPT_PORTS, OPT_COMPARE, OPT_REPEAT, OPT_RXD, OPT_TXD,
	OPT_BURST, OPT_BURSTS, OPT_SIZE, OPT_SIZES, OPT_DURATION, OPT_WARMUP, OPT_WINDOW,
	OPT_LAT_TIMEOUT, OPT_TX_FIRST, OPT_ETH_PEER, OPT_MBUFS, OPT_WIRE, OPT_XSTATS, OPT_JSON,
	OPT_PLOT, OPT_QUIET, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "ports", required_argument, NULL, OPT_PORTS },
	{ "compare", required_argument, NULL, OPT_COMPARE },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "txd", required_argument, NULL, OPT_TXD },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "bursts", required_argument, NULL, OPT_BURSTS },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "sizes", required_argument, NULL, OPT_SIZES },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "lat-timeout-ms", required_argument, NULL, OPT_LAT_TIMEOUT },
	{ "tx-first", required_argument, NULL, OPT_TX_FIRST },
	{ "eth-peer", required_argument, NULL, OPT_ETH_PEER },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "wire", no_argument, NULL, OPT_WIRE },
	{ "xstats", no_argument, NULL, OPT_XSTATS },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

int
tv_parse_options(int argc, char **argv)
{
	struct tv_options *o = &tv_opt;
	bool have_port = false, have_ports = false;
	unsigned long v;
	const char *s;
	char *compare = NULL;
	int c, i;

	memset(o, 0, sizeof(*o));
	o->mode = TV_MODE_TXONLY;
	o->specs[0].port = 0;
	o->specs[0].peer = TV_NO_PORT;
	o->nb_specs = 1;
	o->sizes[0] = 64;
	o->nb_sizes = 1;
	o->bursts[0] = 32;
	o->nb_bursts = 1;
	o->duration = 5;
	o->warmup = 1;
	o->repeat = 1;
	o->window = 1;
	o->lat_timeout_ms = 100;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		s = optarg;
		switch (c) {
		case OPT_MODE:
			for (i = 0; i < (int)RTE_DIM(mode_names); i++)
				if (strcmp(s, mode_names[i]) == 0)
					break;
			if (i == (int)RTE_DIM(mode_names)) {
				fprintf(stderr, "test-vnet: --mode: unknown mode '%s'; accepted: "
					"txonly, rxonly, io, macswap, latency\n", s);
				return -EINVAL;
			}
			o->mode = (enum tv_mode)i;
			break;
		case OPT_PORT:
			if (parse_uint("--port", s, 0, RTE_MAX_ETHPORTS - 1, &v) < 0)
				return -EINVAL;
			o->specs[0].port = (uint16_t)v;
			o->specs[0].peer = TV_NO_PORT;
			have_port = true;
			break;
		case OPT_PORTS:
			if (parse_spec("--ports", s, ',', &o->specs[0]) < 0)
				return -EINVAL;
			if (o->specs[0].peer == TV_NO_PORT) {
				fprintf(stderr, "test-vnet: --ports: expected A,B (use --port for "
					"one port)\n");
				return -EINVAL;
			}
			have_ports = true;
			break;
		case OPT_COMPARE:
			compare = optarg;
			break;
		case OPT_REPEAT:
			if (parse_uint("--repeat", s, 1, 100, &v) < 0)
				return -EINVAL;
			o->repeat = (unsigned int)v;
			break;
		case OPT_RXD:
		case OPT_TXD:
			if (parse_uint(c == OPT_RXD ? "--rxd" : "--txd", s, 1, 32768, &v) < 0)
				return -EINVAL;
			if (c == OPT_RXD)
				o->rxd = (uint16_t)v;
			else
				o->txd = (uint16_t)v;
			break;
		case OPT_BURST:
			if (parse_uint("--burst", s, 1, TV_MAX_BURST, &v) < 0)
				return -EINVAL;
			o->bursts[0] = (unsigned int)v;
			o->nb_bursts = 1;
			break;
		case OPT_BURSTS:
			if (parse_list("--bursts", s, 1, TV_MAX_BURST, o->bursts,
				       &o->nb_bursts) < 0)
				return -EINVAL;
			break;
		case OPT_SIZE:
			if (parse_uint("--size", s, TV_MIN_SIZE, TV_MAX_SIZE, &v) < 0)
				return -EINVAL;
			o->sizes[0] = (unsigned int)v;
			o->nb_sizes = 1;
			break;
		case OPT_SIZES:
			if (parse_list("--sizes", s, TV_MIN_SIZE, TV_MAX_SIZE, o->sizes,
				       &o->nb_sizes) < 0)
				return -EINVAL;
			break;
		case OPT_DURATION:
			if (parse_secs("--duration", s, 0.1, 86400, &o->duration) < 0)
				return -EINVAL;
			break;
		case OPT_WARMUP:
			if (parse_secs("--warmup", s, 0, 3600, &o->warmup) < 0)
				return -EINVAL;
			break;
		case OPT_WINDOW:
			if (parse_uint("--window", s, 1, TV_MAX_BURST, &v) < 0)
				return -EINVAL;
			o->window = (unsigned int)v;
			break;
		case OPT_LAT_TIMEOUT:
			if (parse_uint("--lat-timeout-ms", s, 1, 60000, &v) < 0)
				return -EINVAL;
			o->lat_timeout_ms = (unsigned int)v;
			break;
		case OPT_TX_FIRST:
			if (parse_uint("--tx-first", s, 0, 4096, &v) < 0)
				return -EINVAL;
			o->tx_first = (unsigned int)v;
			break;
		case OPT_ETH_PEER:
			if (rte_ether_unformat_addr(s, &o->eth_peer) < 0) {
				fprintf(stderr, "test-vnet: --eth-peer: '%s' is not a MAC address "
					"(xx:xx:xx:xx:xx:xx)\n", s);
				return -EINVAL;
			}
			o->have_eth_peer = true;
			break;
		case OPT_MBUFS:
			if (parse_uint("--mbufs", s, 1024, 16u << 20, &v) < 0)
				return -EINVAL;
			o->nb_mbufs = (unsigned int)v;
			break;
		case OPT_WIRE:
			o->wire = true;
			break;
		case OPT_XSTATS:
			o->xstats = true;
			break;
		case OPT_JSON:
			o->json = s;
			break;
		case OPT_PLOT:
			o->plot = s;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_HELP:
		case 'h':
			tv_usage(stdout, argv[0]);
			return 1;
		default:
			fprintf(stderr, "test-vnet: unknown option (see --help)\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "test-vnet: unexpected argument '%s' (EAL options go before "
			"'--', test-vnet options after it; see --help)\n", argv[optind]);
		return -EINVAL;
	}
	if (have_port && have_ports) {
		fprintf(stderr, "test-vnet: give either --port or --ports, not both\n");
		return -EINVAL;
	}
	if (compare != NULL) {
		char buf[64], *comma;

		if (have_port || have_ports) {
			fprintf(stderr, "test-vnet: --compare names the ports itself; drop "
				"--port/--ports\n");
			return -EINVAL;
		}
		if (strlen(compare) >= sizeof(buf) || (comma = strchr(compare, ',')) == NULL) {
			fprintf(stderr, "test-vnet: --compare: expected SPEC1,SPEC2 where a spec "
				"is a port id N or a pair A:B, e.g. --compare 0,1\n");
			return -EINVAL;
		}
		strcpy(buf, compare);
		buf[comma - compare] = '\0';
		if (parse_spec("--compare", buf, ':', &o->specs[0]) < 0 ||
		    parse_spec("--compare", buf + (comma - compare) + 1, ':', &o->specs[1]) < 0)
			return -EINVAL;
		o->nb_specs = 2;
		o->compare = true;
	} else if (o->repeat != 1) {
		fprintf(stderr, "test-vnet: --repeat only applies to --compare\n");
		return -EINVAL;
	}
	if (o->plot != NULL) {
		size_t n = strlen(o->plot);

		if (n < 5 || (strcmp(o->plot + n - 4, ".svg") != 0 &&
			      strcmp(o->plot + n - 4, ".png") != 0)) {
			fprintf(stderr, "test-vnet: --plot: file name must end in .svg or .png\n");
			return -EINVAL;
		}
	}
	if (o->mode == TV_MODE_LATENCY && o->window > 64)
		fprintf(stderr, "test-vnet: note: --window %u: latency then includes queueing "
			"behind %u frames\n", o->window, o->window - 1);
	return 0;
}
