/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * virtio-net header encoding (TX offload requests) and RX header validation
 * (base/vnet_net_hdr.h, virtio 1.2 5.1.6): every offload's fields, the requests the header
 * cannot express, hostile RX headers, and the checksum helpers against RFC 1071 examples.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnet_net_hdr.h"
#include "vnet_fake_dev.h"

static int
expect_hdr(const char *what, const struct vnet_net_hdr *h, uint8_t flags, uint8_t gso,
	   uint16_t hdr_len, uint16_t gso_size, uint16_t start, uint16_t off)
{
	UT_ASSERT(h->flags == flags && h->gso_type == gso && h->hdr_len == hdr_len &&
		  h->gso_size == gso_size && h->csum_start == start && h->csum_offset == off,
		  "%s: got flags %u gso %u hdr_len %u gso_size %u start %u off %u, want "
		  "%u %u %u %u %u %u", what, h->flags, h->gso_type, h->hdr_len, h->gso_size,
		  h->csum_start, h->csum_offset, flags, gso, hdr_len, gso_size, start, off);
	return 0;
}

static int
test_tx_encode(void)
{
	struct vnet_net_hdr h;
	struct vnet_tx_req r;

	/* Nothing asked: all zero, whatever stale bytes were there. */
	memset(&h, 0xa5, sizeof(h));
	memset(&r, 0, sizeof(r));
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == 0, "plain");
	if (expect_hdr("plain", &h, 0, 0, 0, 0, 0, 0))
		return 1;

	/* TCP checksum over IPv4: csum_start at the TCP header, offset 16, exact hdr_len. */
	r = (struct vnet_tx_req){ .l2_len = 14, .l3_len = 20, .l4_len = 32, .l4 = VNET_TX_L4_TCP };
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == 0, "tcp csum");
	if (expect_hdr("tcp csum", &h, VNET_NET_HDR_F_NEEDS_CSUM, 0, 66, 0, 34, 16))
		return 1;

	/* UDP checksum behind a VLAN tag over IPv6, l4_len not given: UDP's 8 bytes. */
	r = (struct vnet_tx_req){ .l2_len = 18, .l3_len = 40, .l4 = VNET_TX_L4_UDP };
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == 0, "udp csum");
	if (expect_hdr("udp csum", &h, VNET_NET_HDR_F_NEEDS_CSUM, 0, 66, 0, 58, 6))
		return 1;

	/* TSO over IPv4 and IPv6, with ECN. */
	r = (struct vnet_tx_req){ .l2_len = 14, .l3_len = 20, .l4_len = 20, .seg_size = 1448,
				  .l4 = VNET_TX_L4_TCP, .gso = VNET_NET_HDR_GSO_TCPV4 };
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == 0, "tso4");
	if (expect_hdr("tso4", &h, VNET_NET_HDR_F_NEEDS_CSUM, VNET_NET_HDR_GSO_TCPV4, 54, 1448,
		       34, 16))
		return 1;
	r.l3_len = 40;
	r.gso = VNET_NET_HDR_GSO_TCPV6 | VNET_NET_HDR_GSO_ECN;
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == 0, "tso6 ecn");
	if (expect_hdr("tso6 ecn", &h, VNET_NET_HDR_F_NEEDS_CSUM,
		       VNET_NET_HDR_GSO_TCPV6 | VNET_NET_HDR_GSO_ECN, 74, 1448, 54, 16))
		return 1;

	/* UDP segmentation (HOST_USO): encoded, though no backend here offers it. */
	r = (struct vnet_tx_req){ .l2_len = 14, .l3_len = 20, .l4_len = 8, .seg_size = 1400,
				  .l4 = VNET_TX_L4_UDP, .gso = VNET_NET_HDR_GSO_UDP_L4 };
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == 0, "uso");
	if (expect_hdr("uso", &h, VNET_NET_HDR_F_NEEDS_CSUM, VNET_NET_HDR_GSO_UDP_L4, 42, 1400,
		       34, 6))
		return 1;

	/* What the header cannot express. */
	r = (struct vnet_tx_req){ .l2_len = 0, .l3_len = 20, .l4 = VNET_TX_L4_TCP };
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == -EINVAL, "no l2_len accepted");
	r = (struct vnet_tx_req){ .l2_len = 14, .l3_len = 20, .l4_len = 20, .seg_size = 0,
				  .l4 = VNET_TX_L4_TCP, .gso = VNET_NET_HDR_GSO_TCPV4 };
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == -EINVAL, "tso without mss accepted");
	r.seg_size = 1448;
	r.l4_len = 0;
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == -EINVAL, "tso without l4_len accepted");
	r.l4_len = 20;
	r.l4 = VNET_TX_L4_UDP;
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == -EINVAL, "tcp gso on udp accepted");
	r = (struct vnet_tx_req){ .l2_len = 14, .l3_len = 20, .l4_len = 8, .seg_size = 1400,
				  .l4 = VNET_TX_L4_TCP, .gso = VNET_NET_HDR_GSO_UDP_L4 };
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == -EINVAL, "udp gso on tcp accepted");
	r = (struct vnet_tx_req){ .l2_len = 14, .l3_len = 20, .l4_len = 12, .l4 = VNET_TX_L4_TCP };
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == -EINVAL, "12-byte tcp header accepted");
	r = (struct vnet_tx_req){ .l2_len = 65000, .l3_len = 600, .l4_len = 20,
				  .l4 = VNET_TX_L4_TCP };
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == -EINVAL, "hdr_len > 65535 accepted");
	r = (struct vnet_tx_req){ .l2_len = 14, .l3_len = 20, .l4_len = 20, .seg_size = 1448,
				  .l4 = VNET_TX_L4_TCP, .gso = 2 };
	UT_ASSERT(vnet_net_hdr_tx_encode(&h, &r) == -EINVAL, "unknown gso type accepted");
	return 0;
}

static int
decode(uint8_t flags, uint8_t gso, uint16_t gso_size, uint16_t start, uint16_t off,
       uint32_t len, bool csum, uint32_t gso_ok, struct vnet_rx_info *info)
{
	struct vnet_net_hdr h = { .flags = flags, .gso_type = gso, .gso_size = gso_size,
				  .csum_start = start, .csum_offset = off };

	return (int)vnet_net_hdr_rx_decode(&h, len, csum, gso_ok, info);
}

#define TSO_BOTH ((1u << VNET_NET_HDR_GSO_TCPV4) | (1u << VNET_NET_HDR_GSO_TCPV6))

static int
test_rx_decode(void)
{
	struct vnet_rx_info in;

	UT_ASSERT(decode(0, 0, 0, 0, 0, 60, false, 0, &in) == VNET_RX_HDR_OK &&
		  in.csum == VNET_RX_CSUM_UNKNOWN && in.gso == 0, "plain frame");
	/* Stale csum fields without flags are ignored (5.1.6.4.1). */
	UT_ASSERT(decode(0, 0, 0, 9999, 9999, 60, false, 0, &in) == VNET_RX_HDR_OK &&
		  in.csum == VNET_RX_CSUM_UNKNOWN, "plain frame, garbage csum fields");
	UT_ASSERT(decode(VNET_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 60, true, 0, &in) ==
		  VNET_RX_HDR_OK && in.csum == VNET_RX_CSUM_VALID, "data valid");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16, 66, true, 0, &in) ==
		  VNET_RX_HDR_OK && in.csum == VNET_RX_CSUM_PARTIAL && in.csum_start == 34 &&
		  in.csum_offset == 16, "needs csum");
	/* Both flags: DATA_VALID wins (5.1.6.4.2). */
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM | VNET_NET_HDR_F_DATA_VALID, 0, 0, 34, 16,
			 66, true, 0, &in) == VNET_RX_HDR_OK && in.csum == VNET_RX_CSUM_VALID,
		  "both flags");
	/* Hostile: flags the driver did not negotiate, fields outside the frame. */
	UT_ASSERT(decode(VNET_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 60, false, 0, &in) ==
		  VNET_RX_HDR_CSUM_UNASKED, "data valid without GUEST_CSUM");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16, 51, true, 0, &in) ==
		  VNET_RX_HDR_CSUM_RANGE, "checksum field past the end");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16, 52, true, 0, &in) ==
		  VNET_RX_HDR_OK, "checksum field ending at the last byte");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, 0, 0, 65535, 65535, 60, true, 0, &in) ==
		  VNET_RX_HDR_CSUM_RANGE, "16-bit start + offset overflow");
	/* LRO frames. */
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, VNET_NET_HDR_GSO_TCPV4, 1448, 34, 16, 64000,
			 true, TSO_BOTH, &in) == VNET_RX_HDR_OK &&
		  in.gso == VNET_NET_HDR_GSO_TCPV4 && in.seg_size == 1448 && !in.ecn, "lro4");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, VNET_NET_HDR_GSO_TCPV6 | VNET_NET_HDR_GSO_ECN,
			 1428, 54, 16, 64000, true, TSO_BOTH, &in) == VNET_RX_HDR_OK &&
		  in.gso == VNET_NET_HDR_GSO_TCPV6 && in.ecn, "lro6 ecn");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, VNET_NET_HDR_GSO_TCPV4, 1448, 34, 16, 64000,
			 true, 0, &in) == VNET_RX_HDR_GSO_UNASKED, "lro without GUEST_TSO4");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, VNET_NET_HDR_GSO_TCPV6, 1448, 34, 16, 64000,
			 true, 1u << VNET_NET_HDR_GSO_TCPV4, &in) == VNET_RX_HDR_GSO_UNASKED,
		  "tso6 frame with only GUEST_TSO4");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, VNET_NET_HDR_GSO_UDP_L4, 1400, 34, 6, 64000,
			 true, TSO_BOTH, &in) == VNET_RX_HDR_GSO_UNASKED, "uso never negotiated");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, VNET_NET_HDR_GSO_UDP, 1400, 34, 6, 64000,
			 true, TSO_BOTH, &in) == VNET_RX_HDR_GSO_BAD, "legacy UFO type");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, 7, 1400, 34, 6, 64000, true, 0xff, &in) ==
		  VNET_RX_HDR_GSO_BAD, "unknown gso type");
	UT_ASSERT(decode(VNET_NET_HDR_F_NEEDS_CSUM, VNET_NET_HDR_GSO_TCPV4, 0, 34, 16, 64000,
			 true, TSO_BOTH, &in) == VNET_RX_HDR_GSO_BAD, "gso_size 0");
	UT_ASSERT(decode(0, VNET_NET_HDR_GSO_TCPV4, 1448, 0, 0, 64000, true, TSO_BOTH, &in) ==
		  VNET_RX_HDR_GSO_BAD, "gso without a checksum flag");
	return 0;
}

/* Checksums against hand-computed values (RFC 1071 section 3 example and an IPv4 header). */
static int
test_csum(void)
{
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	/* 20-byte IPv4 header with its checksum 0xb861 zeroed (a textbook example). */
	static const uint8_t ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint32_t s;
	uint16_t c;

	/* RFC 1071: sum of the words (network order) is 0xddf2; stored sum is its inverse. */
	s = vnet_csum_add(0, rfc, sizeof(rfc));
	c = (uint16_t)(vnet_csum_fold(s) ^ 0xffff);
	/* Memory-order words: the folded sum in host (little-endian) order is byte-swapped. */
	UT_ASSERT(c == 0xf2dd, "rfc1071 sum 0x%04x", c);
	c = vnet_csum_fold(vnet_csum_add(0, ip, sizeof(ip)));
	UT_ASSERT(c == 0x61b8, "ipv4 header checksum 0x%04x, want 0xb861 in memory order", c);
	/* Odd length: the last byte is padded with zero. */
	s = vnet_csum_add(0, rfc, 7);
	UT_ASSERT(vnet_csum_fold(s) == vnet_csum_fold(vnet_csum_add(0, rfc, 6) + 0xf6),
		  "odd length");
	/* Split sums add up (chained mbufs are summed segment by segment, even lengths). */
	UT_ASSERT(vnet_csum_fold(vnet_csum_add(vnet_csum_add(0, ip, 10), ip + 10, 10)) == 0x61b8,
		  "split sum");
	return 0;
}

int
main(void)
{
	int fails = 0;

	fails += ut_run("tx_encode", test_tx_encode);
	fails += ut_run("rx_decode", test_rx_decode);
	fails += ut_run("csum", test_csum);
	return fails != 0;
}
