/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * libFuzzer harness for the split ring core (vnet_ring.[ch]). The input plays the device:
 * arbitrary used-ring entries at any slot, used idx moves (forwards, backwards, past what
 * was published), avail_event and used flags, and a simple well-behaved device (pop,
 * complete in any order) that the input can also corrupt; interleaved with driver adds
 * (add1, add2, add_ind2, chains, indirect), publishes, kick decisions, used collection,
 * notification control, reclaim and re-init. fuzz_common.h checks the invariants after
 * every step.
 *
 * Input: byte 0 ring size index, byte 1 features (bit 0 event-idx, bit 1 indirect tables,
 * bits 2..3 min_len, bit 4 start at the index in bytes 2..3 (e.g. just before the 16-bit
 * wrap), then opcodes (see the switch). FAST_FORWARD runs up to 512 benign rounds per
 * input: from a start index near 65535 the free-running indices cross the 16-bit wrap.
 */

#include "vnet_ring.h"
#include "fuzz_common.h"

#define MAX_NUM		256
#define IND_MAX		8

_Static_assert(FZ_MAX_PEND >= MAX_NUM, "the benign device holds a whole ring");

static const uint16_t sizes[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };

static uint8_t ring_mem[16 * MAX_NUM + 6 + 2 * MAX_NUM + 4096 + 6 + 8 * MAX_NUM]
	__attribute__((aligned(4096)));
static uint8_t priv_mem[sizeof(struct vnet_vring_state) * MAX_NUM + 2 * MAX_NUM + 64]
	__attribute__((aligned(64)));
static struct vnet_vring_desc ind_mem[MAX_NUM * IND_MAX] __attribute__((aligned(64)));
static struct vnet_vring_desc pairs[2 * MAX_NUM] __attribute__((aligned(64)));
static uint8_t data[4096];

static struct vnet_vring vr;
static struct fz_model m;
static unsigned long idx_wraps;	/* 16-bit used index wraps seen (VNET_FUZZ_VERBOSE) */

static struct {
	uint16_t last_avail, used_idx;
	struct fz_pending p;
} dev;

static void
dev_reset(uint16_t idx)
{
	memset(&dev, 0, sizeof(dev));
	dev.last_avail = idx;
	dev.used_idx = idx;
}

static bool
in_range(uintptr_t a, uint32_t len, const void *base, size_t size)
{
	uintptr_t lo = (uintptr_t)base;

	return a >= lo && a + len <= lo + size && (a - lo) % 16 == 0;
}

/* Pop one chain the way a device would (tolerating garbage, bounded walks). */
static bool
dev_pop(void)
{
	uint16_t avail = __atomic_load_n(&vr.avail->idx, __ATOMIC_ACQUIRE), i;
	struct fz_pend p = { 0, 0, 0 };
	unsigned int steps = 0;

	if (avail == dev.last_avail || dev.p.npend >= vr.num)
		return false;
	p.id = vr.avail->ring[dev.last_avail & vr.mask];
	dev.last_avail++;
	i = p.id;
	while (i < vr.num && steps++ < vr.num) {
		struct vnet_vring_desc d = vr.desc[i];

		if (d.flags & VNET_VRING_DESC_F_INDIRECT) {
			uintptr_t a = (uintptr_t)d.addr;

			if (in_range(a, d.len, ind_mem, sizeof(ind_mem)) ||
			    in_range(a, d.len, pairs, sizeof(pairs))) {
				const struct vnet_vring_desc *t = (const void *)a;
				unsigned int k;

				for (k = 0; k < d.len / 16; k++)
					if (t[k].flags & VNET_VRING_DESC_F_WRITE)
						p.wlen += t[k].len;
			}
			break;
		}
		if (d.flags & VNET_VRING_DESC_F_WRITE)
			p.wlen += d.len;
		if (!(d.flags & VNET_VRING_DESC_F_NEXT))
			break;
		i = d.next;
	}
	dev.p.pend[dev.p.npend++] = p;
	return true;
}

static void
dev_fill(uint16_t slot_off, uint32_t id, uint32_t len)
{
	struct vnet_vring_used_elem *u =
		&vr.used->ring[(uint16_t)(dev.used_idx + slot_off) & vr.mask];

	dev.p.last.id = (uint16_t)id;
	dev.p.last.wlen = len;
	u->id = id;
	u->len = len;
}

static void
dev_flush(unsigned int n)
{
	dev.used_idx = (uint16_t)(dev.used_idx + n);
	__atomic_store_n(&vr.used->idx, dev.used_idx, __ATOMIC_RELEASE);
}

static void
dev_complete(unsigned int k, uint8_t sel, bool short_len)
{
	unsigned int i = 0;

	if (k > dev.p.npend)
		k = dev.p.npend;
	while (i < k) {
		struct fz_pend p = fz_pend_take(&dev.p, (sel++) % dev.p.npend);

		dev_fill((uint16_t)i, p.id, short_len ? p.wlen / 2 : p.wlen);
		i++;
	}
	if (k > 0)
		dev_flush(k);
}

static void
check(void)
{
	fz_model_check(&m, vnet_vring_broken(&vr), vnet_vring_free_count(&vr), vr.num);
}

static void
collect(unsigned int n)
{
	void *c[32];
	uint32_t len[32];
	bool broken = vnet_vring_broken(&vr);
	uint16_t before = vr.last_used_idx;
	unsigned int got;

	if (n > 32)
		n = 32;
	got = vnet_vring_get_used(&vr, c, len, n);
	if (vr.last_used_idx < before)
		idx_wraps++;
	fz_collected(&m, broken, n, got, c, len, vr.min_len);
}

static void
expect_add(int rc, unsigned int need, bool valid, unsigned int before, struct fz_tok *t,
	   uint32_t in_len)
{
	fz_expect_add(&m, rc, vnet_vring_broken(&vr), valid, need, before, t, in_len);
}

static void
add_small(uint8_t kind, uint8_t a)
{
	struct fz_tok *t = fz_tok_peek(&m);
	unsigned int before = vnet_vring_free_count(&vr);
	uint32_t len = 1 + a;
	int rc;

	switch (kind % 3) {
	case 0:
		rc = vnet_vring_add1(&vr, (uintptr_t)data, len, kind & 4, t);
		expect_add(rc, 1, true, before, t, kind & 4 ? len : 0);
		break;
	case 1:
		rc = vnet_vring_add2(&vr, (uintptr_t)data, 12, (uintptr_t)data + 64, len, t);
		expect_add(rc, 2, true, before, t, 0);
		break;
	default:
		/* Entry 0 of each pair is constant (NEXT to entry 1), as the TX path keeps it. */
		rc = vnet_vring_add_ind2(&vr, pairs, (uintptr_t)pairs, (uintptr_t)data, len, t);
		expect_add(rc, 1, true, before, t, 0);
		break;
	}
}

static void
add_sg(struct fz_in *in, bool indirect)
{
	struct vnet_sg sg[FZ_SG_MAX];
	struct fz_tok *t = fz_tok_peek(&m);
	unsigned int before = vnet_vring_free_count(&vr), out;
	uint32_t in_len;
	unsigned int total = fz_sg(in, sg, data, &out, &in_len);
	bool valid;
	int rc;

	rc = vnet_vring_add(&vr, sg, out, total - out, t, indirect);
	valid = indirect ? vr.indirect != NULL && total <= vr.indirect_max : total <= vr.num;
	expect_add(rc, indirect ? 1 : total, valid, before, t, in_len);
}

static void
reclaim(void)
{
	unsigned int want = m.inflight, n;

	n = vnet_vring_detach_unused(&vr, fz_on_detach, &m);
	fz_reclaimed(&m, n, want, vnet_vring_free_count(&vr), vr.num);
	dev_reset(0);
}

static void
fast_forward(unsigned int rounds, uint8_t mode)
{
	unsigned int i;

	for (i = 0; i < rounds && !vnet_vring_broken(&vr); i++) {
		unsigned int k = 1 + (mode & 3);

		while (k-- > 0 && vnet_vring_free_count(&vr) > 0)
			add_small((uint8_t)(vnet_vring_free_count(&vr) < 2 ? 0 : i + (mode >> 2)),
				  (uint8_t)(i >> 3));
		vnet_vring_publish(&vr);
		vnet_vring_kick_prepare(&vr);
		while (dev_pop())
			;
		dev_complete(dev.p.npend, (uint8_t)(i * 7), false);
		collect(32);
	}
	check();
}

static void
setup(unsigned int num, uint8_t f, uint16_t start)
{
	unsigned int i;

	FUZZ_CHECK(vnet_vring_init(&vr, num, 4096, ring_mem, priv_mem, f & 1) == 0);
	if (f & 2)
		FUZZ_CHECK(vnet_vring_set_indirect(&vr, ind_mem, (uintptr_t)ind_mem, IND_MAX) == 0);
	vnet_vring_set_min_len(&vr, (f >> 2) & 3);
	for (i = 0; i < num; i++) {
		pairs[2 * i].addr = (uintptr_t)data;
		pairs[2 * i].len = 12;
		pairs[2 * i].flags = VNET_VRING_DESC_F_NEXT;
		pairs[2 * i].next = 1;
	}
	dev_reset(0);
	if (f & 16) {
		/* White-box start index (as the unit tests' ut_ring_start_at()). */
		vr.avail_idx = start;
		vr.avail_pub = start;
		vr.kick_idx = start;
		vr.last_used_idx = start;
		vr.avail->idx = start;
		*vr.used_event = start;
		vr.used->idx = start;
		dev_reset(start);
	}
}

static void
fz_split_hostile(struct fz_in *in, unsigned int op)
{
	switch (op) {
	case 8: {	/* a used entry at some offset from the used idx */
		uint8_t a = fz_u8(in);
		uint16_t off = a & 0x40 ? fz_u16(in) : (a >> 3) & 7;
		uint32_t id, ulen;

		if ((a & 3) == 0) {	/* anything */
			id = fz_u32(in);
			ulen = fz_u32(in);
		} else {		/* a replay, a popped buffer, a chain member */
			id = (uint32_t)fz_reused_id(in, &dev.p, a, &ulen);
		}
		dev_fill(off, id, ulen);
		if (a & 4)
			dev_flush(1 + ((a >> 3) & 7));
		break;
	}
	case 9:		/* used idx moves by any amount */
		dev_flush(fz_u16(in));
		break;
	case 10:	/* avail_event and used flags */
		*vr.avail_event = fz_u16(in);
		vr.used->flags = fz_u16(in);
		break;
	default:	/* a used entry for a chosen pending buffer, without flush */
		if (dev.p.npend > 0)
			dev_fill(0, dev.p.pend[fz_u8(in) % dev.p.npend].id, fz_u32(in));
		break;
	}
}

static void
fz_split_publish(void)
{
	vnet_vring_publish(&vr);
}

static bool
fz_split_kick_prepare(void)
{
	return vnet_vring_kick_prepare(&vr);
}

static bool
fz_split_broken(void)
{
	return vnet_vring_broken(&vr);
}

static void
fz_split_complete(uint8_t a, uint8_t sel)
{
	dev_complete(1 + (a & 15), sel, a & 32);
}

static void
fz_split_notify_ctl(uint8_t a)
{
	if (a & 1)
		vnet_vring_disable_cb(&vr);
	else
		vnet_vring_enable_cb(&vr, (uint16_t)(a >> 1));
	vnet_vring_poll_cb_keepalive(&vr);
}

static unsigned int cur_num;
static uint8_t cur_f;

static void
fz_split_reinit(void)
{
	setup(cur_num, (uint8_t)(cur_f & ~16), 0);
}

static const struct fz_ring_ops split_ops = {
	.add_small = add_small,
	.add_sg = add_sg,
	.publish = fz_split_publish,
	.kick_prepare = fz_split_kick_prepare,
	.broken = fz_split_broken,
	.collect = collect,
	.dev_pop = dev_pop,
	.dev_complete = fz_split_complete,
	.hostile = fz_split_hostile,
	.notify_ctl = fz_split_notify_ctl,
	.reclaim = reclaim,
	.reinit = fz_split_reinit,
	.fast_forward = fast_forward,
	.check = check,
};

/** libFuzzer entry: one input = one queue life (init, opcodes, final reclaim). */
int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	struct fz_in in = { buf, len };
	uint8_t s = fz_u8(&in), f = fz_u8(&in);
	uint16_t start = fz_u16(&in);
	unsigned int num = sizes[s % (sizeof(sizes) / sizeof(sizes[0]))];

	fz_model_init(&m);
	cur_num = num;
	cur_f = f;
	setup(num, f, start);
	fz_run(&in, &split_ops, &m);
	if (getenv("VNET_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "split num %u: %lu buffers posted, %lu returned, %lu detached, "
			"16-bit index wraps %lu, broken %s\n", num, (unsigned long)m.posted,
			(unsigned long)m.returned, (unsigned long)m.detached, idx_wraps,
			vnet_vring_strerror(vr.error));
	idx_wraps = 0;
	return 0;
}
