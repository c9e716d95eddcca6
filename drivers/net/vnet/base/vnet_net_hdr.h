/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * EAL-free encoding and validation of the virtio-net packet header (virtio 1.2, 5.1.6) for
 * the offloads: what the driver writes in front of a TX frame (checksum and segmentation
 * requests) and what it accepts from the device in front of an RX frame. The PMD maps mbuf
 * fields to these structures; the unit tier tests them without DPDK.
 */

#ifndef VNET_NET_HDR_H
#define VNET_NET_HDR_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "vnet_virtio_spec.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Byte offset of the checksum field inside a TCP and a UDP header. */
#define VNET_TCP_CSUM_OFF	16
#define VNET_UDP_CSUM_OFF	6
/** Largest GSO segment size and header length the header can carry (16 bits). */
#define VNET_GSO_MAX		UINT16_MAX

/** What a TX packet asks of the device (filled from the mbuf's offload fields). */
struct vnet_tx_req {
	uint16_t l2_len;	/**< Ethernet (+ VLAN) header bytes */
	uint16_t l3_len;	/**< IP header bytes */
	uint16_t l4_len;	/**< TCP header bytes (TSO, TCP checksum); UDP: 8 */
	uint16_t seg_size;	/**< TSO/USO: payload bytes per segment */
	uint8_t l4;		/**< VNET_TX_L4_NONE / TCP / UDP: checksum to complete */
	uint8_t gso;		/**< VNET_NET_HDR_GSO_NONE, TCPV4, TCPV6, UDP_L4 (| ECN) */
};

/** L4 checksum a TX packet asks the device to complete. */
#define VNET_TX_L4_NONE	0
#define VNET_TX_L4_TCP	1
#define VNET_TX_L4_UDP	2

/**
 * Encode @p req into @p h (the 10 bytes common to every header layout; num_buffers and the
 * hash fields are the caller's). Checksum offload (5.1.6.2): NEEDS_CSUM, csum_start at the
 * L4 header, csum_offset at its checksum field. Segmentation: gso_type, gso_size and an
 * exact hdr_len (up to the end of the L4 header; allowed without GUEST_HDRLEN, 5.1.6.2.1);
 * a GSO packet always requests the checksum too (5.1.6.2.1: the device needs it). A packet
 * asking for nothing gets an all-zero header.
 *
 * @return 0, or -EINVAL for a request the header cannot express (zero lengths for a
 *   requested offload, offsets beyond 16 bits, GSO without an L4 protocol or with a zero
 *   segment size).
 */
static inline int
vnet_net_hdr_tx_encode(struct vnet_net_hdr *h, const struct vnet_tx_req *req)
{
	uint32_t start = (uint32_t)req->l2_len + req->l3_len;
	uint32_t hdr_len = start + req->l4_len;
	uint8_t base = req->gso & (uint8_t)~VNET_NET_HDR_GSO_ECN;

	h->flags = 0;
	h->gso_type = VNET_NET_HDR_GSO_NONE;
	h->hdr_len = 0;
	h->gso_size = 0;
	h->csum_start = 0;
	h->csum_offset = 0;
	if (req->l4 == VNET_TX_L4_NONE && base == VNET_NET_HDR_GSO_NONE)
		return 0;
	if (req->l2_len == 0 || req->l3_len == 0 || hdr_len > VNET_GSO_MAX)
		return -EINVAL;
	if (base != VNET_NET_HDR_GSO_NONE) {
		bool tcp = base == VNET_NET_HDR_GSO_TCPV4 || base == VNET_NET_HDR_GSO_TCPV6;

		if (req->seg_size == 0 || req->l4_len == 0 ||
		    (tcp ? req->l4 != VNET_TX_L4_TCP :
		     base != VNET_NET_HDR_GSO_UDP_L4 || req->l4 != VNET_TX_L4_UDP))
			return -EINVAL;
		h->gso_type = req->gso;
		h->gso_size = req->seg_size;
	}
	if (req->l4 == VNET_TX_L4_TCP && req->l4_len != 0 && req->l4_len < 20)
		return -EINVAL;
	h->flags = VNET_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = (uint16_t)start;
	h->csum_offset = req->l4 == VNET_TX_L4_TCP ? VNET_TCP_CSUM_OFF : VNET_UDP_CSUM_OFF;
	/* Exact when known; UDP's header is always 8 bytes. */
	if (req->l4_len != 0)
		h->hdr_len = (uint16_t)hdr_len;
	else if (req->l4 == VNET_TX_L4_UDP)
		h->hdr_len = (uint16_t)(start + 8);
	return 0;
}

/** How the RX checksum of a frame stands, from its header. */
enum vnet_rx_csum {
	VNET_RX_CSUM_UNKNOWN = 0,	/**< nothing said: the frame's checksums are complete */
	VNET_RX_CSUM_VALID,		/**< DATA_VALID: the device checked it */
	VNET_RX_CSUM_PARTIAL,		/**< NEEDS_CSUM: checksum at csum_start not filled in */
};

/** What the device says about a received frame. */
struct vnet_rx_info {
	enum vnet_rx_csum csum;
	uint16_t csum_start;	/**< PARTIAL: checksum from here to the end of the frame */
	uint16_t csum_offset;	/**< PARTIAL: where it goes, from csum_start */
	uint8_t gso;		/**< GSO type without the ECN bit; NONE for a plain frame */
	bool ecn;		/**< GSO with ECN (CWR seen) */
	uint16_t seg_size;	/**< GSO: segment size the frame was coalesced from */
};

/** Why vnet_net_hdr_rx_decode() refused a header. */
enum vnet_rx_hdr_error {
	VNET_RX_HDR_OK = 0,
	VNET_RX_HDR_CSUM_UNASKED,	/**< checksum flags without GUEST_CSUM */
	VNET_RX_HDR_CSUM_RANGE,		/**< csum_start/offset outside the frame */
	VNET_RX_HDR_GSO_UNASKED,	/**< a GSO type the driver did not negotiate */
	VNET_RX_HDR_GSO_BAD,		/**< unknown GSO type, zero gso_size, or no NEEDS_CSUM */
};

/**
 * Validate and decode the header @p h of a received frame of @p frame_len bytes (header
 * excluded). The device is untrusted: checksum flags are accepted only with GUEST_CSUM
 * (@p guest_csum; 5.1.6.4.1 says the device MUST NOT set them otherwise), the partial
 * checksum's field must lie inside the frame, a GSO type only when negotiated (@p gso_ok:
 * bit VNET_NET_HDR_GSO_TCPV4 / TCPV6 / UDP_L4 set for each negotiated GUEST_TSO4 / TSO6 /
 * USO) and with a segment size and NEEDS_CSUM (5.1.6.4.1: GSO implies it). DATA_VALID wins
 * when both flags are set (5.1.6.4.2: NEEDS_CSUM may be ignored then).
 *
 * @return VNET_RX_HDR_OK with @p info filled, or the reason (the caller drops the frame).
 */
static inline enum vnet_rx_hdr_error
vnet_net_hdr_rx_decode(const struct vnet_net_hdr *h, uint32_t frame_len, bool guest_csum,
		       uint32_t gso_ok, struct vnet_rx_info *info)
{
	uint8_t flags = h->flags, gso = h->gso_type & (uint8_t)~VNET_NET_HDR_GSO_ECN;

	info->csum = VNET_RX_CSUM_UNKNOWN;
	info->csum_start = 0;
	info->csum_offset = 0;
	info->gso = VNET_NET_HDR_GSO_NONE;
	info->ecn = false;
	info->seg_size = 0;
	if (flags == 0 && h->gso_type == VNET_NET_HDR_GSO_NONE)
		return VNET_RX_HDR_OK;
	if ((flags & (VNET_NET_HDR_F_NEEDS_CSUM | VNET_NET_HDR_F_DATA_VALID)) != 0 && !guest_csum)
		return VNET_RX_HDR_CSUM_UNASKED;
	if (flags & VNET_NET_HDR_F_DATA_VALID) {
		info->csum = VNET_RX_CSUM_VALID;
	} else if (flags & VNET_NET_HDR_F_NEEDS_CSUM) {
		if ((uint32_t)h->csum_start + h->csum_offset + 2 > frame_len)
			return VNET_RX_HDR_CSUM_RANGE;
		info->csum = VNET_RX_CSUM_PARTIAL;
		info->csum_start = h->csum_start;
		info->csum_offset = h->csum_offset;
	}
	if (h->gso_type == VNET_NET_HDR_GSO_NONE)
		return VNET_RX_HDR_OK;
	if (gso != VNET_NET_HDR_GSO_TCPV4 && gso != VNET_NET_HDR_GSO_TCPV6 &&
	    gso != VNET_NET_HDR_GSO_UDP_L4)
		return VNET_RX_HDR_GSO_BAD;
	if (!(gso_ok & (1u << gso)))
		return VNET_RX_HDR_GSO_UNASKED;
	if (h->gso_size == 0 || !(flags & (VNET_NET_HDR_F_NEEDS_CSUM | VNET_NET_HDR_F_DATA_VALID)))
		return VNET_RX_HDR_GSO_BAD;
	info->gso = gso;
	info->ecn = (h->gso_type & VNET_NET_HDR_GSO_ECN) != 0;
	info->seg_size = h->gso_size;
	return VNET_RX_HDR_OK;
}

/**
 * One's-complement sum of @p len bytes at @p p added to @p sum (not folded), as the
 * Internet checksum (RFC 1071) accumulates it. Byte order: the sum of 16-bit words in
 * memory order, folded by vnet_csum_fold().
 */
static inline uint32_t
vnet_csum_add(uint32_t sum, const void *p, uint32_t len)
{
	const uint8_t *b = (const uint8_t *)p;
	uint64_t s = sum;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint16_t)(b[i] | (uint16_t)b[i + 1] << 8);
	if (len & 1)
		s += b[len - 1];
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

/** Fold @p sum to 16 bits and complement it: the value stored in a checksum field. */
static inline uint16_t
vnet_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#ifdef __cplusplus
}
#endif

#endif /* VNET_NET_HDR_H */
