/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Split ring data integrity with a concurrent fake device thread (ut_integrity.h): single
 * buffers, chains, indirect tables, long chains, several ring sizes, 16-bit index
 * wrap-around, out-of-order completion.
 */

#include "ut_integrity.h"

#define K VFD_WAIT_KICK
#define P VFD_WAIT_POLL

/* The columns of the table below. */
#define CFG(nm, n, evt, w, k, seg, len, ind, shuf, start, cnt)				\
	{ .name = nm, .num = n, .event_idx = evt, .wait = w, .kind = k, .max_seg = seg,	\
	  .seg_len = len, .ind_max = ind, .shuffle = shuf, .start_idx = start, .count = cnt }

static const struct cfg cfgs[] = {
	/*   name                    num    evt    wait kind   seg  len  ind  shuf  start count */
	CFG("tx_n8",                8,     true,  K, K_TX,    1,   256, 0,   true,  0, 500000),
	CFG("tx_n256",              256,   false, P, K_TX,    1,   256, 0,   true,  0, 1500000),
	CFG("tx_n4096",             4096,  true,  P, K_TX,    1,   256, 0,   false, 0, 1500000),
	CFG("tx_n32768",            32768, true,  K, K_TX,    1,   128, 0,   true,  0, 1000000),
	CFG("rx_n8",                8,     false, K, K_RX,    1,   256, 0,   true,  0, 500000),
	CFG("rx_n256",              256,   true,  K, K_RX,    1,   256, 0,   true,  0, 1500000),
	CFG("rx_n4096",             4096,  false, P, K_RX,    1,   256, 0,   true,  0, 1500000),
	CFG("rx_n32768",            32768, false, P, K_RX,    1,   128, 0,   false, 0, 1000000),
	CFG("chain_n256",           256,   true,  K, K_MIXED, 8,   64,  0,   true,  0, 700000),
	CFG("chain_n4096",          4096,  false, P, K_MIXED, 8,   64,  0,   true,  0, 700000),
	CFG("indirect_n256",        256,   true,  P, K_MIXED, 16,  48,  16,  true,  0, 700000),
	CFG("indirect_n8",          8,     false, K, K_MIXED, 16,  48,  16,  true,  0, 300000),
	CFG("long_chain_n512",      512,   true,  P, K_MIXED, 200, 16,  0,   true,  0, 30000),
	CFG("long_indirect_n64",    64,    false, P, K_MIXED, 300, 16,  300, true,  0, 30000),
	CFG("ring_n1",              1,     true,  K, K_MIXED, 1,   64,  0,   false, 0, 100000),
	CFG("wrap_n16",             16,    false, P, K_MIXED, 4,   64,  4,   true,  0, 200000),
	CFG("wrap_n8_from_65530",   8,     true,  K, K_MIXED, 4,   64,  4,   true,  65530, 70000),
	CFG("wrap_n256_from_65000", 256,   false, P, K_MIXED, 3,   64,  0,   true,  65000, 70000),
};

int
main(void)
{
	return integrity_main("integrity", "integrity", false, cfgs,
			      sizeof(cfgs) / sizeof(cfgs[0]));
}
