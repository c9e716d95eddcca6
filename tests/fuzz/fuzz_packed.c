/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * libFuzzer harness for the packed ring core (vnet_packed.[ch]). The input plays the
 * device: arbitrary descriptor writes (any id, len, flags at any position), device event
 * suppression writes, and a simple well-behaved device (pop, complete in or out of order,
 * in-order batches) whose completions the input can also corrupt; interleaved with driver
 * adds (single, chains, indirect), publishes, kick decisions, used collection, notification
 * control, reclaim and re-init. fuzz_common.h checks the invariants after every step.
 *
 * Input: byte 0 ring size index, byte 1 features (bit 0 event-idx, bit 1 in-order, bit 2
 * indirect tables, bits 3..4 min_len), then opcodes (see the switch). FAST_FORWARD runs
 * benign add/publish/kick/complete/collect rounds (up to 512 per input): on small rings the
 * wrap counters flip hundreds of times in one input (a ring of 1 flips on every buffer).
 */

#include "vnet_packed.h"
#include "fuzz_common.h"

#define MAX_NUM		256
#define IND_MAX		8

_Static_assert(FZ_MAX_PEND >= MAX_NUM, "the benign device holds a whole ring");

static const uint16_t sizes[] = { 1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 100, 255, 256 };

static uint8_t ring_mem[16 * MAX_NUM + 64] __attribute__((aligned(64)));
static struct vnet_packed_state priv_mem[MAX_NUM];
static struct vnet_pvirtq_desc ind_mem[MAX_NUM * IND_MAX] __attribute__((aligned(64)));
static uint8_t data[4096];

static struct vnet_packed pr;
static struct fz_model m;
static unsigned long wrap_flips;	/* used wrap counter flips seen (VNET_FUZZ_VERBOSE) */

/* The benign device's view. */
static struct {
	uint16_t avail_pos, used_pos;
	bool avail_wrap, used_wrap;
	struct fz_pending p;
} dev;

static void
dev_reset(void)
{
	memset(&dev, 0, sizeof(dev));
	dev.avail_wrap = true;
	dev.used_wrap = true;
}

static bool
is_avail(uint16_t flags, bool wrap)
{
	return ((flags & VNET_PACKED_DESC_F_AVAIL) != 0) == wrap &&
	       ((flags & VNET_PACKED_DESC_F_USED) != 0) != wrap;
}

static void
dev_step(uint16_t *pos, bool *wrap)
{
	if (++*pos >= pr.num) {
		*pos = 0;
		*wrap = !*wrap;
	}
}

/* Pop one available buffer the way a device would (tolerating garbage). */
static bool
dev_pop(void)
{
	struct fz_pend p = { 0, 0, 0 };

	if (dev.p.npend >= pr.num ||
	    !is_avail(__atomic_load_n(&pr.desc[dev.avail_pos].flags, __ATOMIC_ACQUIRE),
		      dev.avail_wrap))
		return false;
	for (;;) {
		struct vnet_pvirtq_desc d = pr.desc[dev.avail_pos];

		p.ndescs++;
		p.id = d.id;
		dev_step(&dev.avail_pos, &dev.avail_wrap);
		if (d.flags & VNET_VRING_DESC_F_INDIRECT) {
			uintptr_t a = (uintptr_t)d.addr, lo = (uintptr_t)ind_mem;

			if (a >= lo && a + d.len <= lo + sizeof(ind_mem) && (a - lo) % 16 == 0) {
				const struct vnet_pvirtq_desc *t = (const void *)a;
				unsigned int i;

				for (i = 0; i < d.len / 16; i++)
					if (t[i].flags & VNET_VRING_DESC_F_WRITE)
						p.wlen += t[i].len;
			}
			break;
		}
		if (d.flags & VNET_VRING_DESC_F_WRITE)
			p.wlen += d.len;
		if (!(d.flags & VNET_VRING_DESC_F_NEXT) || p.ndescs >= pr.num)
			break;
	}
	dev.p.pend[dev.p.npend++] = p;
	return true;
}

static uint16_t
dev_used_bits(void)
{
	return dev.used_wrap ? (uint16_t)(VNET_PACKED_DESC_F_AVAIL | VNET_PACKED_DESC_F_USED) : 0;
}

static void
dev_write_used(uint16_t id, uint32_t len, unsigned int skip)
{
	struct vnet_pvirtq_desc *u = &pr.desc[dev.used_pos];

	dev.p.last.id = id;
	dev.p.last.wlen = len;
	u->id = id;
	u->len = len;
	__atomic_store_n(&u->flags,
			 (uint16_t)(dev_used_bits() | (len ? VNET_VRING_DESC_F_WRITE : 0)),
			 __ATOMIC_RELEASE);
	while (skip-- > 0)
		dev_step(&dev.used_pos, &dev.used_wrap);
}

/*
 * Complete up to k pending buffers: index choice from @sel (out of order unless in-order),
 * @batch: in-order, one used descriptor for all of them, @short_len: report less.
 */
static void
dev_complete(unsigned int k, uint8_t sel, bool batch, bool short_len)
{
	if (k > dev.p.npend)
		k = dev.p.npend;
	if (k == 0)
		return;
	if (batch && pr.in_order) {
		unsigned int i, skip = 0;

		for (i = 0; i < k; i++)
			skip += dev.p.pend[i].ndescs;
		dev_write_used(dev.p.pend[k - 1].id, dev.p.pend[k - 1].wlen, skip);
		memmove(dev.p.pend, dev.p.pend + k, (dev.p.npend - k) * sizeof(dev.p.pend[0]));
		dev.p.npend -= k;
		return;
	}
	while (k-- > 0) {
		struct fz_pend p = fz_pend_take(&dev.p, pr.in_order ? 0 : (sel++) % dev.p.npend);

		dev_write_used(p.id, short_len ? p.wlen / 2 : p.wlen, p.ndescs);
	}
}

static void
check(void)
{
	fz_model_check(&m, vnet_packed_broken(&pr), vnet_packed_free_count(&pr), pr.num);
}

static void
collect(unsigned int n)
{
	void *c[32];
	uint32_t len[32];
	bool broken = vnet_packed_broken(&pr), w = pr.used_wrap;
	unsigned int got;

	if (n > 32)
		n = 32;
	got = vnet_packed_get_used(&pr, c, len, n);
	if (pr.used_wrap != w)
		wrap_flips++;
	fz_collected(&m, broken, n, got, c, len, pr.min_len);
}

static void
add_one(uint8_t a, uint8_t b)
{
	struct fz_tok *t = fz_tok_peek(&m);
	uint32_t len = 1 + a;
	bool w = b & 1;
	unsigned int before = vnet_packed_free_count(&pr);
	int rc = vnet_packed_add1(&pr, (uintptr_t)data, len, w, t);

	fz_expect_add(&m, rc, vnet_packed_broken(&pr), true, 1, before, t, w ? len : 0);
}

static void
add_sg(struct fz_in *in, bool indirect)
{
	struct vnet_sg sg[FZ_SG_MAX];
	struct fz_tok *t = fz_tok_peek(&m);
	unsigned int before = vnet_packed_free_count(&pr), out;
	uint32_t in_len;
	unsigned int total = fz_sg(in, sg, data, &out, &in_len);
	bool valid;
	int rc;

	rc = vnet_packed_add(&pr, sg, out, total - out, t, indirect);
	valid = indirect ? pr.indirect != NULL && total <= pr.indirect_max : total <= pr.num;
	fz_expect_add(&m, rc, vnet_packed_broken(&pr), valid, indirect ? 1 : total, before, t,
		      in_len);
}

static void
reclaim(void)
{
	unsigned int want = m.inflight, n;

	n = vnet_packed_detach_unused(&pr, fz_on_detach, &m);
	fz_reclaimed(&m, n, want, vnet_packed_free_count(&pr), pr.num);
	dev_reset();
}

static void
fast_forward(unsigned int rounds, uint8_t mode)
{
	unsigned int i;

	for (i = 0; i < rounds && !vnet_packed_broken(&pr); i++) {
		unsigned int k = 1 + (mode & 3);

		while (k-- > 0 && vnet_packed_free_count(&pr) > 0)
			add_one((uint8_t)i, (uint8_t)(i >> 3));
		vnet_packed_publish(&pr);
		vnet_packed_kick_prepare(&pr);
		while (dev_pop())
			;
		dev_complete(dev.p.npend, (uint8_t)(i * 7), (mode & 4) != 0, false);
		collect(32);
	}
	check();
}

static void
fz_packed_hostile(struct fz_in *in, unsigned int op)
{
	switch (op) {
	case 8: {	/* raw descriptor write at any position */
		uint16_t pos = (uint16_t)(fz_u16(in) % pr.num);
		struct vnet_pvirtq_desc *d = &pr.desc[pos];

		d->id = fz_u16(in);
		d->len = fz_u32(in);
		__atomic_store_n(&d->flags, fz_u16(in), __ATOMIC_RELEASE);
		break;
	}
	case 9: {	/* a used descriptor at the device's used position */
		uint8_t a = fz_u8(in);
		uint16_t id, flags;
		uint32_t ulen;

		if ((a & 3) == 0) {	/* anything */
			id = fz_u16(in);
			ulen = a & 0x80 ? fz_u32(in) : 0;
		} else {		/* a replay (duplicate), a popped buffer, a neighbour */
			id = (uint16_t)fz_reused_id(in, &dev.p, a, &ulen);
		}
		if (a & 4) {
			/* raw flags: wrong wrap bits, WRITE or not */
			flags = fz_u16(in);
			pr.desc[dev.used_pos].id = id;
			pr.desc[dev.used_pos].len = ulen;
			__atomic_store_n(&pr.desc[dev.used_pos].flags, flags, __ATOMIC_RELEASE);
			dev.p.last.id = id;
			dev.p.last.wlen = ulen;
			for (unsigned int k = 1 + ((a >> 3) & 3); k > 0; k--)
				dev_step(&dev.used_pos, &dev.used_wrap);
		} else {
			dev_write_used(id, ulen, 1 + ((a >> 3) & 15));
		}
		break;
	}
	case 10:	/* device event suppression area */
		pr.device_event->off_wrap = fz_u16(in);
		pr.device_event->flags = fz_u16(in);
		break;
	default:	/* the device skips its used position (a desynchronised device) */
		dev_step(&dev.used_pos, &dev.used_wrap);
		break;
	}
}

static void
fz_packed_publish(void)
{
	vnet_packed_publish(&pr);
}

static bool
fz_packed_kick_prepare(void)
{
	return vnet_packed_kick_prepare(&pr);
}

static bool
fz_packed_broken(void)
{
	return vnet_packed_broken(&pr);
}

static void
fz_packed_complete(uint8_t a, uint8_t sel)
{
	dev_complete(1 + (a & 15), sel, a & 16, a & 32);
}

static void
fz_packed_notify_ctl(uint8_t a)
{
	if (a & 1)
		vnet_packed_disable_cb(&pr);
	else
		vnet_packed_enable_cb(&pr, (uint16_t)(a >> 1));
}

static unsigned int cur_num;
static uint8_t cur_f;

static void
fz_packed_setup(void)
{
	FUZZ_CHECK(vnet_packed_init(&pr, cur_num, ring_mem, priv_mem, cur_f & 1,
				    (cur_f >> 1) & 1) == 0);
	if (cur_f & 4)
		FUZZ_CHECK(vnet_packed_set_indirect(&pr, ind_mem, (uintptr_t)ind_mem,
						    IND_MAX) == 0);
	vnet_packed_set_min_len(&pr, (cur_f >> 3) & 3);
}

static const struct fz_ring_ops packed_ops = {
	.add_small = add_one,
	.add_sg = add_sg,
	.publish = fz_packed_publish,
	.kick_prepare = fz_packed_kick_prepare,
	.broken = fz_packed_broken,
	.collect = collect,
	.dev_pop = dev_pop,
	.dev_complete = fz_packed_complete,
	.hostile = fz_packed_hostile,
	.notify_ctl = fz_packed_notify_ctl,
	.reclaim = reclaim,
	.reinit = fz_packed_setup,
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
	unsigned int num = sizes[s % (sizeof(sizes) / sizeof(sizes[0]))];

	fz_model_init(&m);
	dev_reset();
	cur_num = num;
	cur_f = f;
	fz_packed_setup();
	fz_run(&in, &packed_ops, &m);
	if (getenv("VNET_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "packed num %u: %lu buffers posted, %lu returned, %lu detached, "
			"used wrap flips %lu, broken %s\n", num, (unsigned long)m.posted,
			(unsigned long)m.returned, (unsigned long)m.detached, wrap_flips,
			vnet_vring_strerror(pr.error));
	wrap_flips = 0;
	return 0;
}
