/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Control virtqueue (drivers/net/vnet/vnet_ctrl.c) against the fake device, no EAL. The
 * fake device services the queue synchronously when kicked (like QEMU's handler on the
 * notify exit) and behaves as each case says: answers OK, ERR, garbage or nothing; holds
 * commands and completes them late; writes a used entry that lies. Checked: the byte
 * encoding of every command, -ENOTSUP without the feature (nothing sent), -EIO on a NAK,
 * -ETIMEDOUT with the buffers left to the device (not reused until it completes them),
 * -EBUSY when it holds every slot, late completions matched by id, a broken queue on a lie,
 * and the replay order after a reset (MQ command last).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ut_check.h"
#include "ut_ring.h"
#include "vnet_ctrl.h"
#include "vnet_logs.h"

static int failures;

void
vnet_log_standalone(const char *level, const char *fmt, ...)
{
	va_list ap;

	if (getenv("VNET_UT_VERBOSE") == NULL)
		return;
	va_start(ap, fmt);
	printf("  log %s: ", level);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

enum mode { ANSWER_OK, ANSWER_ERR, ANSWER_GARBAGE, ANSWER_NO_LEN, HOLD, LIE_ID };

/* One command as the device received it. */
struct seen {
	uint8_t cls, cmd;
	uint32_t len;
	uint8_t data[VNET_CTRL_DATA_MAX];
	const uint8_t *hdr_ptr;		/* where its header was: tells slots apart */
};

#define MAX_SEEN 64
#define MAX_HELD 8

struct fake {
	struct ut_ring r;
	enum mode mode;
	struct seen seen[MAX_SEEN];
	unsigned int nseen;
	struct vfd_elem held[MAX_HELD];
	unsigned int nheld;
	unsigned int kicks;
};

static struct fake F;

/* Parse a popped chain: header segment, data segments, one writable ack byte. */
static void
record(struct fake *f, const struct vfd_elem *e)
{
	struct seen *s = &f->seen[f->nseen < MAX_SEEN ? f->nseen++ : MAX_SEEN - 1];
	uint16_t i;

	memset(s, 0, sizeof(*s));
	s->hdr_ptr = e->seg[0].ptr;
	s->cls = e->seg[0].ptr[0];
	s->cmd = e->seg[0].ptr[1];
	for (i = 1; i < e->nout; i++) {
		memcpy(s->data + s->len, e->seg[i].ptr, e->seg[i].len);
		s->len += e->seg[i].len;
	}
}

static void
answer(struct fake *f, const struct vfd_elem *e, uint8_t ack, uint32_t len)
{
	if (e->nseg > e->nout)
		e->seg[e->nout].ptr[0] = ack;
	vfd_fill(f->r.dev, e->head, len, 0);
	vfd_flush(f->r.dev, 1);
}

/* The device's notify handler. */
static void
kick(void *arg)
{
	struct fake *f = arg;
	struct vfd_elem e;

	f->kicks++;
	while (vfd_pop(f->r.dev, &e) == 1) {
		record(f, &e);
		switch (f->mode) {
		case ANSWER_OK:
			answer(f, &e, VNET_NET_OK, 1);
			break;
		case ANSWER_ERR:
			answer(f, &e, VNET_NET_ERR, 1);
			break;
		case ANSWER_GARBAGE:
			answer(f, &e, 7, 1);
			break;
		case ANSWER_NO_LEN:
			answer(f, &e, VNET_NET_OK, 0);
			break;
		case HOLD:
			if (f->nheld < MAX_HELD)
				f->held[f->nheld++] = e;
			break;
		case LIE_ID:
			vfd_put_used_raw(f->r.dev, f->r.num + 5, 1);
			vfd_flush(f->r.dev, 1);
			break;
		}
	}
}

/* Complete every held command (OK), oldest first. */
static void
release_held(struct fake *f)
{
	unsigned int i;

	for (i = 0; i < f->nheld; i++)
		answer(f, &f->held[i], VNET_NET_OK, 1);
	f->nheld = 0;
}

static const uint64_t all_features =
	VNET_BIT(VNET_NET_F_CTRL_VQ) | VNET_BIT(VNET_NET_F_CTRL_RX) |
	VNET_BIT(VNET_NET_F_CTRL_RX_EXTRA) | VNET_BIT(VNET_NET_F_CTRL_VLAN) |
	VNET_BIT(VNET_NET_F_CTRL_MAC_ADDR) | VNET_BIT(VNET_NET_F_MQ) | VNET_BIT(VNET_NET_F_RSS) |
	VNET_BIT(VNET_NET_F_HASH_REPORT);

static uint8_t *ctrl_mem;

static int
setup(struct vnet_ctrl *c, uint64_t features, uint32_t timeout_ms)
{
	memset(&F, 0, sizeof(F));
	if (ut_ring_setup(&F.r, 16, false, 0, 0) != 0)
		return -1;
	memset(c, 0, sizeof(*c));
	vnet_ctrl_init(c, "ut", timeout_ms);
	memset(ctrl_mem, 0, VNET_CTRL_MEM_SIZE);
	vnet_ctrl_attach(c, &F.r.vr, ctrl_mem, (uintptr_t)ctrl_mem, kick, &F, features);
	return 0;
}

static void
teardown(struct vnet_ctrl *c)
{
	vnet_ctrl_fini(c);
	ut_ring_teardown(&F.r);
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
test_encoding(void)
{
	struct vnet_ctrl c;
	struct vnet_ctrl_state s;
	const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	const struct seen *x;
	unsigned int i;

	CHECK(setup(&c, all_features, 1000) == 0, "setup");
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_PROMISC, true) == 0, "promisc");
	x = &F.seen[0];
	CHECK(F.nseen == 1 && x->cls == 0 && x->cmd == 0 && x->len == 1 && x->data[0] == 1,
	      "promisc on: class %u cmd %u len %u", x->cls, x->cmd, x->len);
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_ALLMULTI, false) == 0, "allmulti");
	x = &F.seen[1];
	CHECK(x->cls == 0 && x->cmd == 1 && x->len == 1 && x->data[0] == 0, "allmulti off");
	CHECK(vnet_ctrl_mac_addr_set(&c, mac) == 0, "mac set");
	x = &F.seen[2];
	CHECK(x->cls == 1 && x->cmd == 1 && x->len == 6 && memcmp(x->data, mac, 6) == 0,
	      "MAC_ADDR_SET");

	memset(&s, 0, sizeof(s));
	memcpy(s.mac, mac, 6);
	s.mac_set = true;
	s.uc[3][0] = 0x02;
	s.uc[3][5] = 0x03;
	s.uc[7][0] = 0x02;
	s.uc[7][5] = 0x07;
	s.n_mc = 1;
	s.mc[0][0] = 0x01;
	s.mc[0][1] = 0x00;
	s.mc[0][2] = 0x5e;
	s.uc[9][0] = 0x33;	/* multicast through mac_addr_add: the multicast table */
	s.uc[9][5] = 0x09;
	CHECK(vnet_ctrl_mac_table(&c, &s) == 0, "mac table");
	x = &F.seen[3];
	/* CTRL_MAC_ADDR negotiated: the primary is not in the table. */
	CHECK(x->cls == 1 && x->cmd == 0 && x->len == 4 + 12 + 4 + 12, "table len %u", x->len);
	CHECK(le32(x->data) == 2 && x->data[4] == 0x02 && x->data[9] == 0x03 &&
	      x->data[15] == 0x07 && le32(x->data + 16) == 2 && x->data[20] == 0x33 &&
	      x->data[25] == 0x09 && x->data[26] == 0x01 && x->data[28] == 0x5e, "table bytes");

	CHECK(vnet_ctrl_vlan(&c, 100, true) == 0 && vnet_ctrl_vlan(&c, 4095, false) == 0, "vlan");
	CHECK(F.seen[4].cls == 2 && F.seen[4].cmd == 0 && F.seen[4].len == 2 &&
	      le16(F.seen[4].data) == 100, "VLAN_ADD 100");
	CHECK(F.seen[5].cmd == 1 && le16(F.seen[5].data) == 4095, "VLAN_DEL 4095");

	s.pairs = 4;
	CHECK(vnet_ctrl_mq(&c, &s) == 0, "pairs");
	x = &F.seen[6];
	CHECK(x->cls == 4 && x->cmd == 0 && x->len == 2 && le16(x->data) == 4, "VQ_PAIRS_SET 4");

	s.rss = true;
	s.hash_types = VNET_NET_HASH_TYPE_IPV4 | VNET_NET_HASH_TYPE_TCPV4;
	s.reta_len = 128;
	for (i = 0; i < 128; i++)
		s.reta[i] = (uint16_t)(i % 4);
	s.key_len = 40;
	for (i = 0; i < 40; i++)
		s.key[i] = (uint8_t)(i + 1);
	CHECK(vnet_ctrl_mq(&c, &s) == 0, "rss");
	x = &F.seen[7];
	CHECK(x->cls == 4 && x->cmd == 1 && x->len == 8 + 256 + 3 + 40, "RSS_CONFIG len %u",
	      x->len);
	CHECK(le32(x->data) == 3 && le16(x->data + 4) == 127 && le16(x->data + 6) == 0,
	      "RSS header");
	CHECK(le16(x->data + 8) == 0 && le16(x->data + 10) == 1 && le16(x->data + 8 + 254) == 3,
	      "RSS table");
	CHECK(le16(x->data + 264) == 4 && x->data[266] == 40 && x->data[267] == 1 &&
	      x->data[306] == 40, "RSS tail: max_tx_vq %u key len %u", le16(x->data + 264),
	      x->data[266]);
	CHECK(c.st.commands == 8 && c.st.errors == 0 && c.st.timeouts == 0, "counters");
	teardown(&c);
	printf("PASS encoding (promisc, allmulti, MAC_ADDR_SET, MAC_TABLE_SET, VLAN, "
	       "VQ_PAIRS_SET, RSS_CONFIG)\n");
}

static void
test_unsupported(void)
{
	struct vnet_ctrl c;
	struct vnet_ctrl_state s;

	CHECK(setup(&c, VNET_BIT(VNET_NET_F_CTRL_VQ) | VNET_BIT(VNET_NET_F_CTRL_RX), 1000) == 0,
	      "setup");
	memset(&s, 0, sizeof(s));
	CHECK(vnet_ctrl_vlan(&c, 5, true) == -ENOTSUP, "VLAN without CTRL_VLAN");
	CHECK(vnet_ctrl_mq(&c, &s) == -ENOTSUP, "MQ without VIRTIO_NET_F_MQ");
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_NOBCAST, true) == -ENOTSUP,
	      "NOBCAST without CTRL_RX_EXTRA");
	CHECK(vnet_ctrl_mac_addr_set(&c, s.mac) == -ENOTSUP, "ADDR_SET without CTRL_MAC_ADDR");
	CHECK(F.nseen == 0 && F.kicks == 0 && c.st.commands == 0, "nothing was sent: %u",
	      F.nseen);
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_PROMISC, false) == 0, "promisc works");
	teardown(&c);
	printf("PASS unsupported: -ENOTSUP without sending anything\n");
}

static void
test_nak_and_garbage(void)
{
	struct vnet_ctrl c;

	CHECK(setup(&c, all_features, 1000) == 0, "setup");
	F.mode = ANSWER_ERR;
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_PROMISC, true) == -EIO, "NAK");
	CHECK(c.st.errors == 1, "errors %lu", (unsigned long)c.st.errors);
	F.mode = ANSWER_GARBAGE;
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_PROMISC, true) == -EIO, "garbage ack");
	F.mode = ANSWER_NO_LEN;
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_PROMISC, true) == -EIO, "len 0");
	CHECK(c.st.bad == 2, "bad %lu", (unsigned long)c.st.bad);
	F.mode = ANSWER_OK;
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_PROMISC, true) == 0, "then OK");
	CHECK(!vnet_vring_broken(&F.r.vr), "queue not broken by answers");
	teardown(&c);
	printf("PASS nak/garbage: VIRTIO_NET_ERR -> -EIO, bad acks -> -EIO, queue usable\n");
}

static void
test_timeout(void)
{
	struct vnet_ctrl c;
	const uint8_t *first_hdr;
	int k;

	CHECK(setup(&c, all_features, 30) == 0, "setup");
	F.mode = HOLD;
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_PROMISC, true) == -ETIMEDOUT, "timeout");
	CHECK(c.st.timeouts == 1 && c.busy[0] == 1, "slot 0 stays with the device");
	first_hdr = F.seen[0].hdr_ptr;

	/* The device answers again: a new command uses another slot, slot 0 is untouched. */
	F.mode = ANSWER_OK;
	CHECK(vnet_ctrl_vlan(&c, 7, true) == 0, "command after a timeout");
	CHECK(F.seen[1].hdr_ptr != first_hdr, "the held slot was reused");
	CHECK(first_hdr[0] == VNET_NET_CTRL_RX && first_hdr[1] == VNET_NET_CTRL_RX_PROMISC,
	      "the held command's buffer was overwritten");

	/* Hold every slot: the next command is refused without posting. */
	F.mode = HOLD;
	for (k = 1; k < VNET_CTRL_SLOTS; k++)
		CHECK(vnet_ctrl_vlan(&c, (uint16_t)k, true) == -ETIMEDOUT, "hold %d", k);
	CHECK(vnet_ctrl_vlan(&c, 99, true) == -EBUSY, "all slots held");
	CHECK(F.nseen == 1 + VNET_CTRL_SLOTS, "a refused command was posted (%u seen)", F.nseen);
	CHECK(c.st.busy == 1 && c.st.timeouts == VNET_CTRL_SLOTS, "counters busy %lu to %lu",
	      (unsigned long)c.st.busy, (unsigned long)c.st.timeouts);

	/* The device completes them late: matched by id, slots come back, commands work. */
	release_held(&F);
	F.mode = ANSWER_OK;
	CHECK(vnet_ctrl_vlan(&c, 100, true) == 0, "after late completions");
	CHECK(c.st.late == VNET_CTRL_SLOTS, "late %lu", (unsigned long)c.st.late);
	for (k = 0; k < VNET_CTRL_SLOTS; k++)
		CHECK(c.busy[k] == 0, "slot %d still busy", k);
	CHECK(!vnet_vring_broken(&F.r.vr), "queue broken");
	teardown(&c);
	printf("PASS timeout: -ETIMEDOUT, buffers left to the device, -EBUSY when it holds all "
	       "%u, late completions matched by id\n", VNET_CTRL_SLOTS);
}

static void
test_lying_device(void)
{
	struct vnet_ctrl c;

	CHECK(setup(&c, all_features, 1000) == 0, "setup");
	F.mode = LIE_ID;
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_PROMISC, true) == -EIO, "lying used id");
	CHECK(vnet_vring_broken(&F.r.vr), "queue not broken");
	F.mode = ANSWER_OK;
	CHECK(vnet_ctrl_rx_mode(&c, VNET_NET_CTRL_RX_PROMISC, true) == -EIO, "broken stays");
	CHECK(F.nseen == 1, "a command was posted on a broken queue");
	teardown(&c);
	printf("PASS lying device: used id out of range breaks the queue, -EIO after\n");
}

/* Replay: what a reset device receives, in order. */
static void
test_replay(void)
{
	struct vnet_ctrl c;
	struct vnet_ctrl_state s;
	unsigned int round, i;

	CHECK(setup(&c, all_features, 1000) == 0, "setup");
	memset(&s, 0, sizeof(s));
	s.promisc = false;
	s.allmulti = true;
	s.mac_set = true;
	s.mac[0] = 0x02;
	s.uc[1][0] = 0x02;
	s.uc[1][5] = 0x11;
	s.vlan_filter = true;
	vnet_ctrl_vlan_mark(&s, 5, true);
	vnet_ctrl_vlan_mark(&s, 100, true);
	s.pairs = 4;
	s.rss = true;
	s.hash_types = VNET_NET_HASH_TYPE_IPV4;
	s.reta_len = 128;
	s.key_len = 40;
	for (round = 0; round < 2; round++) {
		static const uint8_t want[][2] = {
			{ 0, 0 }, { 0, 1 }, { 1, 1 }, { 1, 0 }, { 2, 0 }, { 2, 0 }, { 4, 1 },
		};

		F.nseen = 0;
		CHECK(vnet_ctrl_replay(&c, &s) == 0, "replay %u", round);
		CHECK(F.nseen == (sizeof(want) / sizeof(want[0])), "round %u: %u commands", round, F.nseen);
		for (i = 0; i < F.nseen; i++)
			CHECK(F.seen[i].cls == want[i][0] && F.seen[i].cmd == want[i][1],
			      "round %u command %u: class %u cmd %u", round, i, F.seen[i].cls,
			      F.seen[i].cmd);
		CHECK(F.seen[0].data[0] == 0 && F.seen[1].data[0] == 1, "RX mode values");
		CHECK(le16(F.seen[4].data) == 5 && le16(F.seen[5].data) == 100, "VLAN ids");
		/* Device reset: everything is the device's no more; the ring starts over. */
		vnet_ctrl_detach(&c);
		vnet_vring_detach_unused(&F.r.vr, NULL, NULL);
		vfd_reset(F.r.dev, 0);
		vnet_ctrl_attach(&c, &F.r.vr, ctrl_mem, (uintptr_t)ctrl_mem, kick, &F,
				 all_features);
	}
	/* Hash report without RSS: pairs first (QEMU disables hashing on it), then hash. */
	s.rss = false;
	s.hash_report = true;
	s.vlan_filter = false;
	F.nseen = 0;
	CHECK(vnet_ctrl_replay(&c, &s) == 0, "replay hash");
	CHECK(F.nseen == 6 && F.seen[4].cls == 4 && F.seen[4].cmd == 0 && F.seen[5].cls == 4 &&
	      F.seen[5].cmd == 2, "hash replay order (%u commands)", F.nseen);
	teardown(&c);
	printf("PASS replay: RX modes, MAC, table, VLANs, MQ command last; again after a reset\n");
}

int
main(void)
{
	ctrl_mem = aligned_alloc(64, VNET_CTRL_MEM_SIZE);
	if (ctrl_mem == NULL)
		return 2;
	test_encoding();
	test_unsupported();
	test_nak_and_garbage();
	test_timeout();
	test_lying_device();
	test_replay();
	free(ctrl_mem);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
