/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * Host test program for vnet's offloads over vhost-user: net_vnet_user against DPDK's
 * net_vhost (tso=1) in one EAL process (see tests/vhost/README, "offload-*").
 *
 *   vnet-offload-test <EAL args with --vdev net_vhost0,iface=S,queues=1[,tso=1]> -- MODE
 *           --vnet DEVARGS [--legacy 0|1]
 *
 *   tx     vnet TX -> vhost RX with the offload configuration (MTU 9000, 2048-byte mbufs):
 *          IPv4 / L4 checksum requests, TSO of 9000+ byte chains (IPv4, IPv6), VLAN insert,
 *          plain 9000-byte frames and 3-segment chains, as the vhost library hands them to
 *          net_vhost (compliant RX flags, or with --legacy 1 its legacy TX flags).
 *   rx     vhost TX -> vnet RX: NEEDS_CSUM frames (RX_L4_CKSUM_NONE, packet types), GSO
 *          frames (RX_LRO, tso_segsz, one chain), VLAN strip, plain frames, oversize drop.
 *   negotiate  features follow the configured offloads (none / all / none, restarting),
 *          capabilities; with --tso 0 (net_vhost without tso=1): no TCP_TSO, configuring it
 *          fails.
 *
 * Each check prints "CHECK <name> PASS" or "CHECK <name> FAIL: <why>"; the mode prints
 * "RESULT <mode> PASS|FAIL (<n> checks, <k> failed)" and exits 0 only when all passed.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vnet_test_common.h"

#define MTU		9000
#define MAX_FRAME	(MTU + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)	/* vnet's limit */
#define SEG_ROOM	2048
#define MSS		1448
#define BUF_MAX		20000
#define POOL_N		8191
#define ETHERTYPE_TEST	0x88B5

#define VBIT(b)		(UINT64_C(1) << (b))
#define F_CSUM		0
#define F_GUEST_CSUM	1
#define F_CTRL_GUEST_OFFLOADS 2
#define F_GUEST_TSO4	7
#define F_GUEST_TSO6	8
#define F_HOST_TSO4	11
#define F_HOST_TSO6	12
#define F_MRG_RXBUF	15

#define VNET_RX_OFFLOADS (RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM | \
			  RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_VLAN_STRIP | \
			  RTE_ETH_RX_OFFLOAD_SCATTER)
#define VNET_TX_OFFLOADS (RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM | \
			  RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | \
			  RTE_ETH_TX_OFFLOAD_VLAN_INSERT | RTE_ETH_TX_OFFLOAD_MULTI_SEGS)

static struct rte_mempool *mp_vnet, *mp_vh, *mp_big;
static uint16_t vnet_port, vh_port;
static int legacy;		/* net_vhost legacy-ol-flags=1: TX flags on its RX mbufs */

/* ---- frames -------------------------------------------------------------------------- */

struct pkt {
	uint8_t b[BUF_MAX];
	uint32_t len;
	uint16_t l2, l3, l4;	/* header lengths (l2 includes a VLAN tag) */
	uint8_t proto;		/* IPPROTO_TCP / IPPROTO_UDP / 0 */
	bool v6;
};

/*
 * A frame with complete, valid checksums: Ethernet [+ 802.1Q tci] + IPv4/IPv6 + TCP/UDP +
 * @paylen pattern bytes; proto 0: an Ethernet frame of type ETHERTYPE_TEST, @paylen bytes
 * after the Ethernet header.
 */
static void
build(struct pkt *p, bool v6, uint8_t proto, uint32_t paylen, uint32_t seed, uint16_t vlan)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p->b;
	uint8_t *l3, *l4, *pl;
	uint16_t et;
	uint32_t i;

	memset(p, 0, sizeof(*p));
	memcpy(eh->dst_addr.addr_bytes, "\x02\x00\x00\x00\x00\x02", 6);
	memcpy(eh->src_addr.addr_bytes, "\x02\x00\x00\x00\x00\x01", 6);
	et = proto == 0 ? ETHERTYPE_TEST : v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
	p->l2 = RTE_ETHER_HDR_LEN;
	if (vlan != 0) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(vlan);
		vh->eth_proto = rte_cpu_to_be_16(et);
		p->l2 += RTE_VLAN_HLEN;
	} else {
		eh->ether_type = rte_cpu_to_be_16(et);
	}
	p->proto = proto;
	p->v6 = v6;
	l3 = p->b + p->l2;
	if (proto == 0) {
		for (i = 0; i < paylen; i++)
			l3[i] = (uint8_t)(i * 7 + seed);
		p->len = p->l2 + paylen;
		return;
	}
	p->l3 = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	p->l4 = proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	l4 = l3 + p->l3;
	pl = l4 + p->l4;
	for (i = 0; i < paylen; i++)
		pl[i] = (uint8_t)(i * 13 + seed * 3 + (i >> 8));
	p->len = p->l2 + p->l3 + p->l4 + paylen;
	if (v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;
		uint8_t *src, *dst;

		ip->vtc_flow = rte_cpu_to_be_32(0x60000000u);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(p->l4 + paylen));
		ip->proto = proto;
		ip->hop_limits = 64;
		/* Bytes, not array subscripts: DPDK 24.11 made the addresses a struct. */
		src = (uint8_t *)&ip->src_addr;
		dst = (uint8_t *)&ip->dst_addr;
		memset(src, 0, 16);
		memset(dst, 0, 16);
		src[0] = 0xfd;
		src[15] = 1;
		dst[0] = 0xfd;
		dst[15] = 2;
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(p->l3 + p->l4 + paylen));
		ip->packet_id = rte_cpu_to_be_16((uint16_t)seed);
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = proto;
		ip->src_addr = rte_cpu_to_be_32(0x0a000001);
		ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->src_port = rte_cpu_to_be_16(40000 + (seed & 0xff));
		th->dst_port = rte_cpu_to_be_16(5201);
		th->sent_seq = rte_cpu_to_be_32(seed * 100000u);
		th->recv_ack = rte_cpu_to_be_32(1);
		th->data_off = 0x50;
		th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
		th->rx_win = rte_cpu_to_be_16(0xffff);
		th->cksum = v6 ? rte_ipv6_udptcp_cksum((void *)l3, l4) :
			    rte_ipv4_udptcp_cksum((void *)l3, l4);
	} else {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->src_port = rte_cpu_to_be_16(40000 + (seed & 0xff));
		uh->dst_port = rte_cpu_to_be_16(5201);
		uh->dgram_len = rte_cpu_to_be_16((uint16_t)(p->l4 + paylen));
		uh->dgram_cksum = v6 ? rte_ipv6_udptcp_cksum((void *)l3, l4) :
				  rte_ipv4_udptcp_cksum((void *)l3, l4);
	}
}

/* Offset of the L4 checksum field of @p (TCP or UDP). */
static uint32_t
l4_csum_off(const struct pkt *p)
{
	return (uint32_t)p->l2 + p->l3 + (p->proto == IPPROTO_TCP ?
		offsetof(struct rte_tcp_hdr, cksum) : offsetof(struct rte_udp_hdr, dgram_cksum));
}

static uint16_t
get16(const uint8_t *b, uint32_t off)
{
	uint16_t v;

	memcpy(&v, b + off, 2);
	return v;	/* network order, as stored */
}

static void
put16(uint8_t *b, uint32_t off, uint16_t v)
{
	memcpy(b + off, &v, 2);
}

/*
 * An mbuf chain of @p's bytes from @mp: segments of the lengths in @segs (0-terminated; the
 * last one given takes whatever is left, up to the pool's room; more follow as needed).
 */
static struct rte_mbuf *
to_mbuf(struct rte_mempool *mp, const struct pkt *p, const uint16_t *segs)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t off = 0;
	unsigned int k = 0;

	while (off < p->len || head == NULL) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t room, n;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		room = rte_pktmbuf_tailroom(m);
		n = segs != NULL && segs[k] != 0 ? segs[k++] : room;
		n = RTE_MIN(RTE_MIN(n, room), p->len - off);
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), p->b + off, n);
		off += n;
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		tail = m;
	}
	return head;
}

/* The received frame @m into @b (at most BUF_MAX bytes); false if it does not fit. */
static bool
linear(const struct rte_mbuf *m, uint8_t *b)
{
	const char *reason = NULL;
	uint32_t off;

	if (rte_mbuf_check(m, 1, &reason) != 0) {
		vt_fail("rte_mbuf_check: %s", reason);
		return false;
	}
	if (m->pkt_len > BUF_MAX) {
		vt_fail("frame of %u bytes", m->pkt_len);
		return false;
	}
	for (off = 0; m != NULL; m = m->next) {	/* rte_pktmbuf_read may not copy */
		memcpy(b + off, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		off += m->data_len;
	}
	return true;
}

/* First differing byte of @a and @b in [from, to) except the 2-byte fields at @skip[]. */
static long
diff_at(const uint8_t *a, const uint8_t *b, uint32_t from, uint32_t to, const uint32_t *skip,
	unsigned int nskip)
{
	uint32_t i;
	unsigned int s;

	for (i = from; i < to; i++) {
		bool skipped = false;

		for (s = 0; s < nskip; s++)
			if (i == skip[s] || i == skip[s] + 1)
				skipped = true;
		if (!skipped && a[i] != b[i])
			return (long)i;
	}
	return -1;
}

/* ---- transfer ------------------------------------------------------------------------ */

/* Send @m on @port queue 0 (through tx_prepare); false (m freed) if not taken. */
static bool
send1(uint16_t port, struct rte_mbuf *m)
{
	double end = vt_now_s() + 2;
	uint16_t n;

	if (m == NULL) {
		vt_fail("no mbuf for the frame");
		return false;
	}
	n = rte_eth_tx_prepare(port, 0, &m, 1);
	if (n != 1) {
		vt_fail("tx_prepare refused the packet: %s", rte_strerror(rte_errno));
		rte_pktmbuf_free(m);
		return false;
	}
	while (rte_eth_tx_burst(port, 0, &m, 1) == 0) {
		if (vt_now_s() > end) {
			vt_fail("port %u TX took nothing for 2 s", port);
			rte_pktmbuf_free(m);
			return false;
		}
	}
	return true;
}

/* Poll @port queue 0 for one frame (up to @timeout s; the other port's TX is reclaimed). */
static struct rte_mbuf *
recv1(uint16_t port, double timeout)
{
	double end = vt_now_s() + timeout;
	struct rte_mbuf *m;

	do {
		if (rte_eth_rx_burst(port, 0, &m, 1) == 1)
			return m;
		rte_eth_tx_done_cleanup(port == vh_port ? vnet_port : vh_port, 0, 0);
	} while (vt_now_s() < end);
	return NULL;
}

/* Nothing more may arrive on @port (a duplicate or a leftover of an earlier check). */
static void
expect_quiet(uint16_t port)
{
	struct rte_mbuf *m = recv1(port, 0.05);

	if (m != NULL) {
		vt_fail("an extra frame of %u bytes arrived", m->pkt_len);
		rte_pktmbuf_free(m);
	}
}

/* Send @p from @from and receive it on @to into @rx (linearised); NULL if it did not come. */
static struct rte_mbuf *
xfer(uint16_t from, uint16_t to, struct rte_mbuf *m, uint8_t *rx)
{
	struct rte_mbuf *r;

	if (!send1(from, m))
		return NULL;
	r = recv1(to, 2);
	if (r == NULL) {
		vt_fail("nothing arrived within 2 s");
		return NULL;
	}
	if (!linear(r, rx)) {
		rte_pktmbuf_free(r);
		return NULL;
	}
	return r;
}

static uint64_t
features(uint16_t port)
{
	char fw[128] = "";
	const char *s;

	if (rte_eth_dev_fw_version_get(port, fw, sizeof(fw)) != 0)
		return 0;
	printf("vnet-offload-test: port %u fw_version \"%s\"\n", port, fw);
	s = strstr(fw, "features 0x");
	return s != NULL ? strtoull(s + 9, NULL, 16) : 0;
}

/* ---- ports --------------------------------------------------------------------------- */

static int
port_config(uint16_t port, uint64_t rxo, uint64_t txo, uint16_t mtu, uint32_t max_lro,
	    struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = rxo;
	conf.txmode.offloads = txo;
	conf.rxmode.max_lro_pkt_size = max_lro;
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret != 0) {
		printf("vnet-offload-test: port %u configure rx 0x%" PRIx64 " tx 0x%" PRIx64
		       ": %s\n", port, rxo, txo, strerror(-ret));
		return ret;
	}
	if (mtu != 0 && (ret = rte_eth_dev_set_mtu(port, mtu)) != 0) {
		printf("vnet-offload-test: port %u set_mtu %u: %s\n", port, mtu, strerror(-ret));
		return ret;
	}
	return vt_queues_setup(port, 1, 256, 256, mp, 0);
}

/* Both links up within 5 s (after vnet's port was restarted). */
static int
wait_links(void)
{
	const uint16_t ports[2] = { vnet_port, vh_port };

	return vt_wait_links(ports, 2, 5);
}

/* net_vhost configured (its socket appears), then net_vnet_user0 hot-plugged. */
static int
setup_vhost_and_attach(const char *vnet_args)
{
	uint64_t vh_rx = RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	uint64_t vh_tx = RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
			 RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	int ret;

	if (vt_find_port("net_vhost", &vh_port) != 0) {
		printf("vnet-offload-test: no net_vhost port\n");
		return -ENODEV;
	}
	if (legacy) {	/* legacy-ol-flags: net_vhost offers no checksum capabilities */
		vh_rx = 0;
		vh_tx = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	}
	/* Its RX checksum offloads on: net_vhost leaves NEEDS_CSUM frames as they came. */
	ret = port_config(vh_port, vh_rx, vh_tx, 0, 0, mp_vh);
	if (ret != 0)
		return ret;
	return vt_attach_vnet(vnet_args, &vnet_port);
}

/* --no-ptypes: the application turns packet type parsing off before start. */
static int no_ptypes;

static int
start_both(void)
{
	/* --no-ptypes 1: as testpmd does by default (offload decisions must not need them). */
	if (no_ptypes && rte_eth_dev_set_ptypes(vnet_port, RTE_PTYPE_UNKNOWN, NULL, 0) != 0)
		printf("vnet-offload-test: set_ptypes failed\n");
	return vt_start_pair(vh_port, vnet_port, 5);
}

/* The offload configuration of vnet (see the file comment); 0 or a negative errno. */
static int
vnet_offload_config(void)
{
	struct rte_eth_dev_info info;
	int ret = rte_eth_dev_info_get(vnet_port, &info);

	if (ret != 0)
		return ret;
	/*
	 * max_lro_pkt_size: the device's (64 KiB): with 0, ethdev makes it MTU + overhead of
	 * configure time (1518), and vnet drops longer coalesced frames.
	 */
	return port_config(vnet_port, VNET_RX_OFFLOADS, VNET_TX_OFFLOADS, MTU,
			   info.max_lro_pkt_size, mp_vnet);
}

/* ---- vnet TX -> vhost RX ------------------------------------------------------------- */

/* Expected header-level result on net_vhost's RX mbuf of a checksum request. */
static void
vh_expect_csum(const struct rte_mbuf *r, const struct pkt *p)
{
	uint64_t want_tx = p->proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM :
			   RTE_MBUF_F_TX_UDP_CKSUM;

	if (legacy) {
		if ((r->ol_flags & RTE_MBUF_F_TX_L4_MASK) != want_tx)
			vt_fail("legacy flags: ol_flags 0x%" PRIx64 " lack TX_%s_CKSUM",
				r->ol_flags, p->proto == IPPROTO_TCP ? "TCP" : "UDP");
		if (r->l2_len != p->l2 || r->l3_len != p->l3)
			vt_fail("legacy flags: l2_len/l3_len %u/%u, expected %u/%u", r->l2_len,
				r->l3_len, p->l2, p->l3);
	} else if ((r->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_NONE) {
		vt_fail("ol_flags 0x%" PRIx64 ": expected RX_L4_CKSUM_NONE (NEEDS_CSUM)",
			r->ol_flags);
	}
}

/* IPv4 header checksum of the frame in @b (l2, l3 of @p) is right. */
static void
expect_ip_csum(const uint8_t *b, const struct pkt *p)
{
	struct rte_ipv4_hdr ip;
	uint16_t got;

	if (p->v6)
		return;
	memcpy(&ip, b + p->l2, sizeof(ip));
	got = ip.hdr_checksum;
	ip.hdr_checksum = 0;
	if (rte_ipv4_cksum(&ip) != got)
		vt_fail("IPv4 header checksum 0x%04x, expected 0x%04x", rte_be_to_cpu_16(got),
			rte_be_to_cpu_16(rte_ipv4_cksum(&ip)));
}

/* The pseudo-header sum (with the L4 length) of the frame in @b, as stored. */
static uint16_t
phdr_sum(const uint8_t *b, const struct pkt *p)
{
	return p->v6 ? rte_ipv6_phdr_cksum((const void *)(b + p->l2), 0) :
		       rte_ipv4_phdr_cksum((const void *)(b + p->l2), 0);
}

static bool
csum_eq(uint16_t a, uint16_t b)	/* ones' complement: 0x0000 and 0xffff are one value */
{
	return a == b || ((a == 0 || a == 0xffff) && (b == 0 || b == 0xffff));
}

/*
 * The L4 checksum field of the frame in @b holds the pseudo-header sum (NEEDS_CSUM), and
 * summing from the L4 header over it gives the same checksum as rte_ipv4/6_udptcp_cksum of
 * the frame with the field zeroed.
 */
static void
expect_partial_csum(uint8_t *b, const struct pkt *p)
{
	static uint8_t c[BUF_MAX];
	uint32_t off = l4_csum_off(p), l4 = (uint32_t)p->l2 + p->l3;
	uint16_t field = get16(b, off), want_ph = phdr_sum(b, p), full, done;

	if (!csum_eq(field, want_ph))
		vt_fail("L4 checksum field 0x%04x, pseudo-header sum 0x%04x expected",
			rte_be_to_cpu_16(field), rte_be_to_cpu_16(want_ph));
	memcpy(c, b, p->len);
	put16(c, off, 0);
	full = p->v6 ? rte_ipv6_udptcp_cksum((void *)(c + p->l2), c + l4) :
		       rte_ipv4_udptcp_cksum((void *)(c + p->l2), c + l4);
	done = (uint16_t)~rte_raw_cksum(b + l4, p->len - l4);
	if (p->proto == IPPROTO_UDP && done == 0)
		done = 0xffff;
	if (!csum_eq(done, full))
		vt_fail("checksum completed from the field 0x%04x, independent 0x%04x",
			rte_be_to_cpu_16(done), rte_be_to_cpu_16(full));
}

/* vnet TX of @p with L4 checksum (+ IPv4 header checksum) offload. */
static void
tx_csum(const char *name, bool v6, uint8_t proto, uint32_t paylen, const uint16_t *segs,
	uint16_t vlan)
{
	static struct pkt p, want;
	static uint8_t rx[BUF_MAX];
	struct rte_mbuf *m, *r;
	uint32_t skip[2];
	long d;

	vt_check_begin(name);
	build(&p, v6, proto, paylen, 7, 0);
	if (vlan != 0)
		build(&want, v6, proto, paylen, 7, vlan);
	else
		want = p;
	/* Garbage in both checksums: tx_prepare and vnet must write them. */
	if (!v6)
		put16(p.b, p.l2 + offsetof(struct rte_ipv4_hdr, hdr_checksum), 0xadde);
	put16(p.b, l4_csum_off(&p), 0xefbe);
	m = to_mbuf(mp_vnet, &p, segs);
	if (m != NULL) {
		m->l2_len = p.l2;
		m->l3_len = p.l3;
		m->l4_len = p.l4;
		m->ol_flags = (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM) |
			      (proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM :
			       RTE_MBUF_F_TX_UDP_CKSUM);
		if (vlan != 0) {
			m->ol_flags |= RTE_MBUF_F_TX_VLAN;
			m->vlan_tci = vlan;
		}
	}
	r = xfer(vnet_port, vh_port, m, rx);
	if (r != NULL) {
		if (r->pkt_len != want.len)
			vt_fail("%u bytes arrived, %u sent", r->pkt_len, want.len);
		vh_expect_csum(r, &want);
		if (r->pkt_len == want.len) {
			expect_ip_csum(rx, &want);
			expect_partial_csum(rx, &want);
			skip[0] = l4_csum_off(&want);
			skip[1] = want.l2 + offsetof(struct rte_ipv4_hdr, hdr_checksum);
			d = diff_at(rx, want.b, 0, want.len, skip, v6 ? 1 : 2);
			if (d >= 0)
				vt_fail("byte %ld differs: 0x%02x, sent 0x%02x", d, rx[d],
					want.b[d]);
		}
		printf("vnet-offload-test: %s: %u bytes, %u segs sent, vhost ol_flags 0x%" PRIx64
		       " l4 field 0x%04x\n", name, want.len, m != NULL ? 1u : 0u, r->ol_flags,
		       rte_be_to_cpu_16(get16(rx, l4_csum_off(&want))));
		rte_pktmbuf_free(r);
	}
	expect_quiet(vh_port);
	vt_check_end();
}

/* vnet TX of a 9000+ byte TCP packet with TSO (chain, headers in the first segment). */
static void
tx_tso(const char *name, bool v6, uint32_t paylen)
{
	static struct pkt p;
	static uint8_t rx[BUF_MAX];
	const uint16_t segs[] = { 1000, 2000, 0 };
	struct rte_mbuf *m, *r;
	uint32_t skip[2], l4len;
	uint16_t nsegs = 0, field, nolen;
	long d;

	vt_check_begin(name);
	build(&p, v6, IPPROTO_TCP, paylen, 11, 0);
	if (!v6)
		put16(p.b, p.l2 + offsetof(struct rte_ipv4_hdr, hdr_checksum), 0xadde);
	put16(p.b, l4_csum_off(&p), 0xefbe);
	m = to_mbuf(mp_vnet, &p, segs);
	if (m != NULL) {
		nsegs = m->nb_segs;
		m->l2_len = p.l2;
		m->l3_len = p.l3;
		m->l4_len = p.l4;
		m->tso_segsz = MSS;
		m->ol_flags = (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM) |
			      RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
	}
	r = xfer(vnet_port, vh_port, m, rx);
	if (r != NULL) {
		if (r->pkt_len != p.len)
			vt_fail("%u bytes arrived, %u sent", r->pkt_len, p.len);
		if (legacy) {
			if (!(r->ol_flags & RTE_MBUF_F_TX_TCP_SEG) || r->tso_segsz != MSS ||
			    r->l4_len != p.l4)
				vt_fail("legacy flags: ol_flags 0x%" PRIx64 " tso_segsz %u "
					"l4_len %u, expected TX_TCP_SEG %u %u", r->ol_flags,
					r->tso_segsz, r->l4_len, MSS, p.l4);
		} else if (!(r->ol_flags & RTE_MBUF_F_RX_LRO) || r->tso_segsz != MSS) {
			vt_fail("ol_flags 0x%" PRIx64 " tso_segsz %u: expected RX_LRO, %u",
				r->ol_flags, r->tso_segsz, MSS);
		}
		if (r->pkt_len == p.len) {
			expect_ip_csum(rx, &p);
			/* Linux GSO: the pseudo-header sum WITH the L4 length (not DPDK's). */
			field = get16(rx, l4_csum_off(&p));
			l4len = p.len - p.l2 - p.l3;
			/* DPDK's TSO convention, for the message: the sum without the length */
			nolen = v6 ? rte_ipv6_phdr_cksum((void *)(rx + p.l2),
							 RTE_MBUF_F_TX_TCP_SEG) :
				     rte_ipv4_phdr_cksum((void *)(rx + p.l2),
							 RTE_MBUF_F_TX_TCP_SEG);
			if (!csum_eq(field, phdr_sum(rx, &p)))
				vt_fail("TCP checksum field 0x%04x, expected the pseudo-header "
					"sum with length %u 0x%04x (without: 0x%04x)",
					rte_be_to_cpu_16(field), l4len,
					rte_be_to_cpu_16(phdr_sum(rx, &p)),
					rte_be_to_cpu_16(nolen));
			skip[0] = l4_csum_off(&p);
			skip[1] = p.l2 + offsetof(struct rte_ipv4_hdr, hdr_checksum);
			d = diff_at(rx, p.b, 0, p.len, skip, v6 ? 1 : 2);
			if (d >= 0)
				vt_fail("byte %ld differs: 0x%02x, sent 0x%02x", d, rx[d], p.b[d]);
		}
		printf("vnet-offload-test: %s: %u bytes in %u segs sent, vhost got %u bytes in %u "
		       "segs, ol_flags 0x%" PRIx64 " tso_segsz %u\n", name, p.len, nsegs,
		       r->pkt_len, r->nb_segs, r->ol_flags, r->tso_segsz);
		rte_pktmbuf_free(r);
	}
	expect_quiet(vh_port);
	vt_check_end();
}

/* vnet TX of plain frames (no offload flags): byte-exact, no checksum state on arrival. */
static void
tx_plain(const char *name, uint32_t len, const uint16_t *segs, struct rte_mempool *mp,
	 uint16_t want_segs, uint16_t vlan)
{
	static struct pkt p, want;
	static uint8_t rx[BUF_MAX];
	struct rte_mbuf *m, *r;
	uint16_t sent_segs = 0;
	long d;

	vt_check_begin(name);
	build(&p, false, 0, len - RTE_ETHER_HDR_LEN, len, 0);
	if (vlan != 0)
		build(&want, false, 0, len - RTE_ETHER_HDR_LEN, len, vlan);
	else
		want = p;
	m = to_mbuf(mp, &p, segs);
	if (m != NULL) {
		sent_segs = m->nb_segs;
		if (want_segs != 0 && m->nb_segs != want_segs)
			vt_fail("test bug: %u segments built, %u wanted", m->nb_segs, want_segs);
		if (vlan != 0) {
			m->ol_flags = RTE_MBUF_F_TX_VLAN;
			m->vlan_tci = vlan;
		}
	}
	r = xfer(vnet_port, vh_port, m, rx);
	if (r != NULL) {
		if (r->pkt_len != want.len)
			vt_fail("%u bytes arrived, %u sent", r->pkt_len, want.len);
		else if ((d = diff_at(rx, want.b, 0, want.len, NULL, 0)) >= 0)
			vt_fail("byte %ld differs: 0x%02x, expected 0x%02x", d, rx[d], want.b[d]);
		if (vlan != 0 && r->pkt_len >= 16 &&
		    (get16(rx, 12) != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
		     get16(rx, 14) != rte_cpu_to_be_16(vlan)))
			vt_fail("no 802.1Q tag %u after the MACs", vlan);
		if (r->ol_flags & (RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_TX_OFFLOAD_MASK |
				   RTE_MBUF_F_RX_LRO))
			vt_fail("ol_flags 0x%" PRIx64 " on a frame sent without offloads",
				r->ol_flags);
		printf("vnet-offload-test: %s: %u bytes in %u segs sent, %u bytes in %u segs "
		       "arrived\n", name, want.len, sent_segs, r->pkt_len, r->nb_segs);
		rte_pktmbuf_free(r);
	}
	expect_quiet(vh_port);
	vt_check_end();
}

static int
mode_tx(void)
{
	const uint16_t seg3[] = { 100, 700, 0 };	/* then the rest: 3 segments for <= 2800 */
	const uint16_t seg3_big[] = { 64, 2048, 0 };	/* 9000: 64 + 2048 * 4 + rest: 6 segs */
	const uint16_t seg3_csum[] = { 60, 500, 0 };
	uint64_t f = features(vnet_port);

	vt_check_begin("tx-features");
	if ((f & (VBIT(F_CSUM) | VBIT(F_HOST_TSO4) | VBIT(F_HOST_TSO6))) !=
	    (VBIT(F_CSUM) | VBIT(F_HOST_TSO4) | VBIT(F_HOST_TSO6)))
		vt_fail("negotiated 0x%" PRIx64 " lacks CSUM/HOST_TSO4/HOST_TSO6", f);
	vt_check_end();

	tx_csum("tx-csum-tcp4", false, IPPROTO_TCP, 1000, NULL, 0);
	tx_csum("tx-csum-udp4", false, IPPROTO_UDP, 1000, NULL, 0);
	tx_csum("tx-csum-tcp6", true, IPPROTO_TCP, 1200, NULL, 0);
	tx_csum("tx-csum-udp6", true, IPPROTO_UDP, 333, NULL, 0);
	tx_csum("tx-csum-tcp4-3seg", false, IPPROTO_TCP, 1400, seg3_csum, 0);
	tx_csum("tx-csum-tcp4-jumbo", false, IPPROTO_TCP, 8900, NULL, 0);
	tx_csum("tx-csum-udp4-vlan", false, IPPROTO_UDP, 800, NULL, 100);
	tx_tso("tx-tso-tcp4", false, 9000);
	tx_tso("tx-tso-tcp6", true, 9000);
	tx_tso("tx-tso-tcp4-16k", false, 16000);
	tx_plain("tx-vlan-insert", 1000, NULL, mp_vnet, 1, 100);
	tx_plain("tx-vlan-insert-3seg", 2000, seg3, mp_vnet, 3, 100);
	tx_plain("tx-plain-9000-chain", 9000, NULL, mp_vnet, 5, 0);
	tx_plain("tx-plain-9000-single", 9000, NULL, mp_big, 1, 0);
	tx_plain("tx-plain-9018-chain", MAX_FRAME, seg3_big, mp_vnet, 6, 0);
	tx_plain("tx-plain-60-3seg", 60, (const uint16_t[]){ 20, 20, 0 }, mp_vnet, 3, 0);
	tx_plain("tx-plain-1514-3seg", 1514, seg3, mp_vnet, 3, 0);
	tx_plain("tx-plain-2800-3seg", 2800, seg3, mp_vnet, 3, 0);
	return 0;
}

/* ---- vhost TX -> vnet RX ------------------------------------------------------------- */

static uint32_t
ptype_of(const struct pkt *p)
{
	uint32_t t = p->l2 > RTE_ETHER_HDR_LEN ? RTE_PTYPE_L2_ETHER_VLAN : RTE_PTYPE_L2_ETHER;

	if (p->proto == 0)
		return t;
	t |= p->v6 ? RTE_PTYPE_L3_IPV6 : RTE_PTYPE_L3_IPV4;
	return t | (p->proto == IPPROTO_TCP ? RTE_PTYPE_L4_TCP : RTE_PTYPE_L4_UDP);
}

/*
 * net_vhost TX of @p with the offload flags @ol (l2/l3/l4 lengths of @p, tso_segsz @mss);
 * vnet must deliver @want (the frame after VLAN strip) with RX flags @want_ol (under
 * @ol_mask), packet type @want_pt, @min_segs segments or more. Checksum fields (L4 when
 * @csum, IPv4 header) are compared separately.
 */
static void
rx_case(const char *name, const struct pkt *p, const struct pkt *want, uint64_t ol,
	uint16_t mss, uint64_t want_ol, uint64_t ol_mask, uint16_t min_segs, bool csum)
{
	static uint8_t rx[BUF_MAX];
	struct rte_mbuf *m, *r;
	uint32_t skip[2];
	long d;

	vt_check_begin(name);
	m = to_mbuf(mp_vh, p, NULL);
	if (m != NULL) {
		m->l2_len = p->l2;
		m->l3_len = p->l3;
		m->l4_len = p->l4;
		m->tso_segsz = mss;
		m->ol_flags = ol;
	}
	/* net_vhost's tx_prepare is NULL: it prepares the pseudo-header itself. */
	r = xfer(vh_port, vnet_port, m, rx);
	if (r != NULL) {
		uint32_t pt = no_ptypes ? RTE_PTYPE_UNKNOWN : ptype_of(want);

		if (r->pkt_len != want->len)
			vt_fail("%u bytes arrived, %u expected", r->pkt_len, want->len);
		if ((r->ol_flags & ol_mask) != want_ol)
			vt_fail("ol_flags 0x%" PRIx64 ", expected 0x%" PRIx64 " under mask 0x%"
				PRIx64, r->ol_flags, want_ol, ol_mask);
		if (r->packet_type != pt)
			vt_fail("packet_type 0x%x, expected 0x%x", r->packet_type, pt);
		if (r->nb_segs < min_segs)
			vt_fail("%u segments, expected at least %u", r->nb_segs, min_segs);
		if ((want_ol & RTE_MBUF_F_RX_LRO) && r->tso_segsz != mss)
			vt_fail("tso_segsz %u, expected %u", r->tso_segsz, mss);
		if ((want_ol & RTE_MBUF_F_RX_VLAN_STRIPPED) && r->vlan_tci != 100)
			vt_fail("vlan_tci %u, expected 100", r->vlan_tci);
		if (r->pkt_len == want->len) {
			unsigned int ns = 0;

			if (csum) {
				skip[ns++] = l4_csum_off(want);
				/* NEEDS_CSUM: the field holds the pseudo-header sum */
				if (!csum_eq(get16(rx, skip[0]), phdr_sum(rx, want)) &&
				    !(ol & RTE_MBUF_F_TX_TCP_SEG))
					vt_fail("L4 field 0x%04x, pseudo-header sum 0x%04x",
						rte_be_to_cpu_16(get16(rx, skip[0])),
						rte_be_to_cpu_16(phdr_sum(rx, want)));
			}
			if (want->proto != 0 && !want->v6)
				skip[ns++] = want->l2 + offsetof(struct rte_ipv4_hdr, hdr_checksum);
			d = diff_at(rx, want->b, 0, want->len, skip, ns);
			if (d >= 0)
				vt_fail("byte %ld differs: 0x%02x, expected 0x%02x", d, rx[d],
					want->b[d]);
			if (want->proto != 0)
				expect_ip_csum(rx, want);
		}
		printf("vnet-offload-test: %s: %u bytes sent, %u bytes in %u segs arrived, "
		       "ol_flags 0x%" PRIx64 " packet_type 0x%x tso_segsz %u vlan_tci %u\n", name,
		       p->len, r->pkt_len, r->nb_segs, r->ol_flags, r->packet_type, r->tso_segsz,
		       r->vlan_tci);
		rte_pktmbuf_free(r);
	}
	expect_quiet(vnet_port);
	vt_check_end();
}

#define RX_CSUM_MASK (RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_VLAN | \
		      RTE_MBUF_F_RX_VLAN_STRIPPED)

static void
rx_csum(const char *name, bool v6, uint8_t proto, uint32_t paylen, bool tagged)
{
	static struct pkt p, want;
	uint64_t ol = (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) |
		      (proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
	uint64_t want_ol = RTE_MBUF_F_RX_L4_CKSUM_NONE;

	build(&p, v6, proto, paylen, 21, tagged ? 100 : 0);
	build(&want, v6, proto, paylen, 21, 0);
	if (tagged)
		want_ol |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	rx_case(name, &p, &want, ol, 0, want_ol, RX_CSUM_MASK, 1, true);
}

static void
rx_lro(const char *name, bool v6, uint32_t paylen)
{
	static struct pkt p;
	uint64_t ol = (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) | RTE_MBUF_F_TX_TCP_SEG |
		      RTE_MBUF_F_TX_TCP_CKSUM;

	build(&p, v6, IPPROTO_TCP, paylen, 31, 0);
	rx_case(name, &p, &p, ol, MSS, RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_NONE,
		RX_CSUM_MASK, p.len > SEG_ROOM + 64 ? 2 : 1, true);
}

static void
rx_plain(const char *name, bool ip, uint32_t len, bool tagged)
{
	static struct pkt p, want;
	uint32_t pay = ip ? len - RTE_ETHER_HDR_LEN - 40 : len - RTE_ETHER_HDR_LEN;

	build(&p, false, ip ? IPPROTO_TCP : 0, pay, 41, tagged ? 100 : 0);
	build(&want, false, ip ? IPPROTO_TCP : 0, pay, 41, 0);
	rx_case(name, &p, &want, 0, 0,
		tagged ? RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED : 0,
		RX_CSUM_MASK | RTE_MBUF_F_RX_IP_CKSUM_MASK,
		want.len > SEG_ROOM + 64 ? 2 : 1, false);
}

/* A frame above MTU + 18 from the device: dropped, rx_q0_oversize and ierrors count it. */
static void
rx_oversize(const char *name, uint32_t len)
{
	static struct pkt p;
	struct rte_eth_stats st0, st1;
	uint64_t ov0 = vt_xstat(vnet_port, "rx_q0_oversize"), ov1;
	struct rte_mbuf *m, *r;

	vt_check_begin(name);
	rte_eth_stats_get(vnet_port, &st0);
	build(&p, false, 0, len - RTE_ETHER_HDR_LEN, 51, 0);
	m = to_mbuf(mp_vh, &p, NULL);
	if (send1(vh_port, m)) {
		r = recv1(vnet_port, 0.3);
		if (r != NULL) {
			vt_fail("a %u-byte frame arrived (limit %u)", r->pkt_len, MAX_FRAME);
			rte_pktmbuf_free(r);
		}
	}
	ov1 = vt_xstat(vnet_port, "rx_q0_oversize");
	rte_eth_stats_get(vnet_port, &st1);
	if (ov0 == UINT64_MAX || ov1 != ov0 + 1)
		vt_fail("rx_q0_oversize %" PRIu64 " -> %" PRIu64 ", expected +1", ov0, ov1);
	if (st1.ierrors != st0.ierrors + 1)
		vt_fail("ierrors %" PRIu64 " -> %" PRIu64 ", expected +1", st0.ierrors,
			st1.ierrors);
	printf("vnet-offload-test: %s: %u bytes sent, rx_q0_oversize %" PRIu64 " -> %" PRIu64
	       ", ierrors %" PRIu64 " -> %" PRIu64 "\n", name, len, ov0, ov1, st0.ierrors,
	       st1.ierrors);
	vt_check_end();
}

static int
mode_rx(void)
{
	uint64_t f = features(vnet_port);

	vt_check_begin("rx-features");
	if ((f & (VBIT(F_GUEST_CSUM) | VBIT(F_GUEST_TSO4) | VBIT(F_GUEST_TSO6) |
		  VBIT(F_MRG_RXBUF))) != (VBIT(F_GUEST_CSUM) | VBIT(F_GUEST_TSO4) |
		  VBIT(F_GUEST_TSO6) | VBIT(F_MRG_RXBUF)))
		vt_fail("negotiated 0x%" PRIx64 " lacks GUEST_CSUM/GUEST_TSO4/6/MRG_RXBUF", f);
	vt_check_end();

	rx_csum("rx-csum-tcp4", false, IPPROTO_TCP, 1000, false);
	rx_csum("rx-csum-udp4", false, IPPROTO_UDP, 1000, false);
	rx_csum("rx-csum-tcp6", true, IPPROTO_TCP, 1000, false);
	rx_csum("rx-csum-udp6", true, IPPROTO_UDP, 500, false);
	rx_csum("rx-csum-tcp4-jumbo", false, IPPROTO_TCP, 8900, false);
	rx_csum("rx-csum-tcp4-vlan", false, IPPROTO_TCP, 1000, true);
	rx_lro("rx-lro-tcp4", false, 9000);
	rx_lro("rx-lro-tcp6", true, 9000);
	rx_lro("rx-lro-tcp4-19k", false, 19000);
	rx_plain("rx-vlan-strip", true, 1000, true);
	rx_plain("rx-vlan-strip-jumbo", false, 9000, true);
	rx_plain("rx-plain-tcp4", true, 1000, false);
	rx_plain("rx-plain-ether", false, 60, false);
	rx_plain("rx-plain-9000", false, 9000, false);
	rx_plain("rx-plain-9018", false, MAX_FRAME, false);
	rx_oversize("rx-oversize-9019", MAX_FRAME + 1);
	rx_oversize("rx-oversize-9100", 9100);
	/* still alive after the drops */
	rx_plain("rx-plain-after-oversize", true, 1500, false);
	return 0;
}

/* ---- negotiation --------------------------------------------------------------------- */

static const uint64_t offload_bits = VBIT(F_CSUM) | VBIT(F_GUEST_CSUM) | VBIT(F_GUEST_TSO4) |
				     VBIT(F_GUEST_TSO6) | VBIT(F_HOST_TSO4) | VBIT(F_HOST_TSO6);

/* Round with no offloads: none of the offload features; a TX_TCP_CKSUM frame from net_vhost
 * arrives with a complete checksum (net_vhost computes it: no GUEST_CSUM).
 */
static void
neg_none(const char *name)
{
	static struct pkt p;
	static uint8_t rx[BUF_MAX];
	uint64_t f = features(vnet_port);
	struct rte_mbuf *m, *r;

	vt_check_begin(name);
	if (f == 0)
		vt_fail("no features in fw_version");
	if ((f & VBIT(F_CTRL_GUEST_OFFLOADS)) == 0 && (f & offload_bits) != 0)
		vt_fail("negotiated 0x%" PRIx64 " has offload bits 0x%" PRIx64 " without offloads",
			f, f & offload_bits);
	if ((f & VBIT(F_CTRL_GUEST_OFFLOADS)) != 0 &&
	    (f & (VBIT(F_CSUM) | VBIT(F_HOST_TSO4) | VBIT(F_HOST_TSO6))) != 0)
		vt_fail("negotiated 0x%" PRIx64 " has host offload bits", f);
	if (f & VBIT(F_CTRL_GUEST_OFFLOADS))
		printf("vnet-offload-test: CTRL_GUEST_OFFLOADS negotiated (unexpected with "
		       "DPDK 22.11's vhost)\n");
	build(&p, false, IPPROTO_TCP, 1000, 61, 0);
	put16(p.b, l4_csum_off(&p), 0);
	m = to_mbuf(mp_vh, &p, NULL);
	if (m != NULL) {
		m->l2_len = p.l2;
		m->l3_len = p.l3;
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
	}
	r = xfer(vh_port, vnet_port, m, rx);
	if (r != NULL) {
		build(&p, false, IPPROTO_TCP, 1000, 61, 0);	/* with the right checksum */
		if (r->pkt_len != p.len || diff_at(rx, p.b, 0, p.len, NULL, 0) >= 0)
			vt_fail("the frame did not arrive complete and intact (checksum 0x%04x, "
				"expected 0x%04x)", rte_be_to_cpu_16(get16(rx, l4_csum_off(&p))),
				rte_be_to_cpu_16(get16(p.b, l4_csum_off(&p))));
		if (r->ol_flags & (RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_LRO))
			vt_fail("ol_flags 0x%" PRIx64 " without RX offloads", r->ol_flags);
		rte_pktmbuf_free(r);
	}
	expect_quiet(vnet_port);
	vt_check_end();
}

static int
mode_negotiate(int tso)
{
	struct rte_eth_dev_info info;
	uint64_t want_rx = VNET_RX_OFFLOADS, want_tx = VNET_TX_OFFLOADS, f;
	int ret;

	vt_check_begin(tso ? "neg-capabilities-tso" : "neg-capabilities-no-tso");
	if (rte_eth_dev_info_get(vnet_port, &info) != 0)
		vt_fail("dev_info_get");
	if (!tso)
		want_tx &= ~RTE_ETH_TX_OFFLOAD_TCP_TSO;
	if ((info.rx_offload_capa & want_rx) != want_rx)
		vt_fail("rx_offload_capa 0x%" PRIx64 " lacks 0x%" PRIx64, info.rx_offload_capa,
			want_rx & ~info.rx_offload_capa);
	if ((info.tx_offload_capa & want_tx) != want_tx)
		vt_fail("tx_offload_capa 0x%" PRIx64 " lacks 0x%" PRIx64, info.tx_offload_capa,
			want_tx & ~info.tx_offload_capa);
	if (!tso && (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO))
		vt_fail("TCP_TSO offered though net_vhost has no tso=1 (no HOST_TSO4/6)");
	if (info.max_mtu < MTU || info.max_rx_pktlen < MAX_FRAME)
		vt_fail("max_mtu %u max_rx_pktlen %u", info.max_mtu, info.max_rx_pktlen);
	if (info.max_lro_pkt_size < 65535)
		vt_fail("max_lro_pkt_size %u", info.max_lro_pkt_size);
	printf("vnet-offload-test: capabilities rx 0x%" PRIx64 " tx 0x%" PRIx64 " max_mtu %u "
	       "max_rx_pktlen %u max_lro_pkt_size %u\n", info.rx_offload_capa,
	       info.tx_offload_capa, info.max_mtu, info.max_rx_pktlen, info.max_lro_pkt_size);
	vt_check_end();

	if (!tso) {
		vt_check_begin("neg-tso-refused");
		ret = port_config(vnet_port, 0, RTE_ETH_TX_OFFLOAD_TCP_TSO |
				  RTE_ETH_TX_OFFLOAD_TCP_CKSUM, 0, 0, mp_vnet);
		if (ret == 0)
			vt_fail("configure with TX TCP_TSO succeeded without HOST_TSO4/6");
		vt_check_end();
	}

	/* Round 1: no offloads at all. */
	if (port_config(vnet_port, 0, 0, 0, 0, mp_vnet) != 0 || start_both() != 0) {
		printf("RESULT negotiate FAIL: setup\n");
		return 1;
	}
	neg_none("neg-none");
	rte_eth_dev_stop(vnet_port);

	/* Round 2: every offload (without TSO when net_vhost has no tso=1). */
	vt_check_begin("neg-all");
	ret = port_config(vnet_port, want_rx, want_tx, MTU, info.max_lro_pkt_size, mp_vnet);
	if (ret == 0)
		ret = rte_eth_dev_start(vnet_port);
	if (ret == 0)
		ret = wait_links();
	if (ret != 0) {
		vt_fail("configure/start with offloads: %s", strerror(-ret));
	} else {
		uint64_t want = VBIT(F_CSUM) | VBIT(F_GUEST_CSUM) | VBIT(F_GUEST_TSO4) |
				VBIT(F_GUEST_TSO6) | (tso ? VBIT(F_HOST_TSO4) | VBIT(F_HOST_TSO6) : 0);

		f = features(vnet_port);
		if ((f & offload_bits) != want)
			vt_fail("negotiated 0x%" PRIx64 ": offload bits 0x%" PRIx64 ", expected 0x%"
				PRIx64, f, f & offload_bits, want);
	}
	vt_check_end();
	rte_eth_dev_stop(vnet_port);

	/* Round 3: back to none: the reset renegotiates without them. */
	if (port_config(vnet_port, 0, 0, 0, 0, mp_vnet) != 0 ||
	    rte_eth_dev_start(vnet_port) != 0 || wait_links() != 0) {
		printf("RESULT negotiate FAIL: round 3 setup\n");
		return 1;
	}
	neg_none("neg-none-again");
	return 0;
}

/* The defaults of ethdev: LRO enabled, max_lro_pkt_size 0 (ethdev makes it MTU + 18). */
static void
lro_default_size(void)
{
	static struct pkt p;
	struct rte_mbuf *m, *r;
	uint64_t ov0, ov1;

	vt_check_begin("rx-lro-default-max-lro-pkt-size");
	rte_eth_dev_stop(vnet_port);
	if (port_config(vnet_port, VNET_RX_OFFLOADS, VNET_TX_OFFLOADS, MTU, 0, mp_vnet) != 0 ||
	    rte_eth_dev_start(vnet_port) != 0 || wait_links() != 0) {
		vt_fail("reconfigure");
		vt_check_end();
		return;
	}
	build(&p, false, IPPROTO_TCP, 9000, 71, 0);
	m = to_mbuf(mp_vh, &p, NULL);
	if (m != NULL) {
		m->l2_len = p.l2;
		m->l3_len = p.l3;
		m->l4_len = p.l4;
		m->tso_segsz = MSS;
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
	}
	ov0 = vt_xstat(vnet_port, "rx_q0_oversize");
	if (send1(vh_port, m)) {
		r = recv1(vnet_port, 1);
		if (r == NULL) {
			ov1 = vt_xstat(vnet_port, "rx_q0_oversize");
			vt_fail("a %u-byte coalesced frame (gso_size %u) was dropped "
				"(rx_q0_oversize %" PRIu64 " -> %" PRIu64 ") with "
				"max_lro_pkt_size 0, which ethdev turns into MTU + overhead at "
				"configure (testpmd --enable-lro does the same)", p.len, MSS, ov0,
				ov1);
		} else {
			if (!(r->ol_flags & RTE_MBUF_F_RX_LRO) || r->pkt_len != p.len)
				vt_fail("ol_flags 0x%" PRIx64 " len %u", r->ol_flags, r->pkt_len);
			rte_pktmbuf_free(r);
		}
	}
	vt_check_end();
}

/* ---- main ---------------------------------------------------------------------------- */

static void
usage(void)
{
	printf("usage: vnet-offload-test <EAL args> -- tx|rx|negotiate --vnet DEVARGS "
	       "[--legacy 0|1] [--tso 0|1] [--lro-default 0|1] [--no-ptypes 0|1]\n");
}

int
main(int argc, char **argv)
{
	const char *mode, *vnet_args = NULL;
	int i, rc = 1, tso = 1, lro_default = 0;
	unsigned int base_vnet, base_vh, base_big;

	if (vt_eal_init("vnet-offload-test", &argc, &argv) < 0) {
		printf("RESULT eal FAIL\n");
		return 3;
	}
	if (argc < 2) {
		usage();
		return 2;
	}
	mode = argv[1];
	for (i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--vnet") == 0)
			vnet_args = argv[i + 1];
		else if (strcmp(argv[i], "--legacy") == 0)
			legacy = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--tso") == 0)
			tso = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--lro-default") == 0)
			lro_default = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--no-ptypes") == 0)
			no_ptypes = atoi(argv[i + 1]);
		else
			break;
	}
	if (i != argc || vnet_args == NULL) {
		usage();
		return 2;
	}
	/* 2048 data bytes per mbuf: 9000-byte frames are chains; one pool of big mbufs. */
	mp_vnet = rte_pktmbuf_pool_create("vnet_pool", POOL_N, 64, 0,
					  RTE_PKTMBUF_HEADROOM + SEG_ROOM, (int)rte_socket_id());
	mp_vh = rte_pktmbuf_pool_create("vhost_pool", POOL_N, 64, 0,
					RTE_PKTMBUF_HEADROOM + SEG_ROOM, (int)rte_socket_id());
	mp_big = rte_pktmbuf_pool_create("big_pool", 63, 0, 0, RTE_PKTMBUF_HEADROOM + 10240,
					 (int)rte_socket_id());
	if (mp_vnet == NULL || mp_vh == NULL || mp_big == NULL) {
		printf("RESULT %s FAIL: mempool: %s\n", mode, rte_strerror(rte_errno));
		goto out;
	}
	base_vnet = rte_mempool_in_use_count(mp_vnet);
	base_vh = rte_mempool_in_use_count(mp_vh);
	base_big = rte_mempool_in_use_count(mp_big);
	if (setup_vhost_and_attach(vnet_args) != 0) {
		printf("RESULT %s FAIL: ports\n", mode);
		goto out;
	}
	if (strcmp(mode, "negotiate") == 0) {
		rc = mode_negotiate(tso);
	} else if (strcmp(mode, "tx") == 0 || strcmp(mode, "rx") == 0) {
		if (vnet_offload_config() != 0 || start_both() != 0) {
			printf("RESULT %s FAIL: offload configuration\n", mode);
			goto out;
		}
		rc = mode[0] == 't' ? mode_tx() : mode_rx();
		if (lro_default)
			lro_default_size();
	} else {
		usage();
		rc = 2;
		goto out;
	}
	if (rc != 0)
		goto out;
	{
		struct rte_eth_stats st;

		if (rte_eth_stats_get(vnet_port, &st) == 0)
			printf("vnet-offload-test: vnet stats ipackets %" PRIu64 " opackets %" PRIu64
			       " ierrors %" PRIu64 " oerrors %" PRIu64 "\n", st.ipackets,
			       st.opackets, st.ierrors, st.oerrors);
		vt_check_begin("no-oerrors");
		if (st.oerrors != 0)
			vt_fail("vnet oerrors %" PRIu64, st.oerrors);
		vt_check_end();
	}
	rte_eth_dev_stop(vnet_port);
	rte_eth_dev_stop(vh_port);
	rte_eth_dev_close(vnet_port);
	rte_eth_dev_close(vh_port);
	vt_check_begin("mempools-back");
	vt_check_pool(mp_vnet, base_vnet, "after close", vt_fail);
	vt_check_pool(mp_vh, base_vh, "after close", vt_fail);
	vt_check_pool(mp_big, base_big, "after close", vt_fail);
	vt_check_end();
	rc = vt_checks_result(mode);
out:
	rte_eal_cleanup();
	return rc;
}
