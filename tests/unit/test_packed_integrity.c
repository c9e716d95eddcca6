/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Packed ring data integrity with a concurrent fake device thread (ut_integrity.h): ring
 * sizes 1, 3, 255, 256, 1000, 32768 (not only powers of two), single buffers, chains,
 * indirect tables, IN_ORDER with and without batched used descriptors, out-of-order
 * completion, kick and poll waits; the wrap counters flip thousands of times (asserted from
 * the descriptor count).
 */

#include "ut_integrity.h"

#define K VFD_WAIT_KICK
#define P VFD_WAIT_POLL

/* The columns of the table below. */
#define CFG(nm, n, evt, ino, batch, w, k, seg, len, ind, shuf, cnt)				\
	{ .name = nm, .num = n, .event_idx = evt, .in_order = ino, .batch_used = batch,	\
	  .wait = w, .kind = k, .max_seg = seg, .seg_len = len, .ind_max = ind,		\
	  .shuffle = shuf, .count = cnt }

static const struct cfg cfgs[] = {
	/* name, num, event_idx, in_order, batch_used, wait, kind, max_seg, seg_len, ind_max,
	 * shuffle, count */
	CFG("tx_n1",               1, true, false, false, K, K_TX, 1, 64, 0, false, 150000),
	CFG("tx_n3",               3, false, false, false, P, K_TX, 1, 64, 0, true, 400000),
	CFG("tx_n255",             255, true, false, false, P, K_TX, 1, 256, 0, true, 1500000),
	CFG("rx_n256",             256, false, false, false, K, K_RX, 1, 256, 0, true, 1500000),
	CFG("rx_n1000",            1000, true, false, false, P, K_RX, 1, 256, 0, true, 1500000),
	CFG("tx_n32768",           32768, true, false, false, K, K_TX, 1, 64, 0, true, 1000000),
	CFG("chain_n255",          255, true, false, false, K, K_MIXED, 8, 64, 0, true, 600000),
	CFG("chain_n3",            3, false, false, false, P, K_MIXED, 3, 64, 0, true, 200000),
	CFG("indirect_n1000",      1000, false, false, false, P, K_MIXED, 16, 48, 16, true, 500000),
	CFG("indirect_n1",         1, true, false, false, K, K_MIXED, 8, 48, 8, false, 100000),
	CFG("inorder_n255",        255, true, true, false, P, K_MIXED, 4, 64, 4, false, 700000),
	CFG("inorder_batch_n256",  256, false, true, true, K, K_MIXED, 4, 64, 4, false, 700000),
	CFG("inorder_batch_n3",    3, true, true, true, P, K_RX, 1, 64, 0, false, 300000),
	CFG("inorder_tx_n1000",    1000, true, true, true, P, K_TX, 1, 64, 0, false, 1000000),
	CFG("inorder_n32768",      32768, false, true, false, P, K_MIXED, 3, 32, 0, false, 300000),
};

int
main(void)
{
	return integrity_main("packed integrity", "packed_integrity", true, cfgs,
			      sizeof(cfgs) / sizeof(cfgs[0]));
}
