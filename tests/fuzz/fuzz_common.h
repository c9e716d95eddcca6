/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Shared pieces of the ring-core fuzz harnesses (libFuzzer): an input reader and the
 * driver-side buffer model that checks the invariants every ring core must keep whatever the
 * device writes:
 *   - a buffer comes back (get_used or detach_unused) only if it was posted and is still
 *     owned by the queue: never twice, never one that was not posted;
 *   - posted = returned + detached + in flight, at every step;
 *   - free descriptors = ring size - descriptors of the buffers in flight;
 *   - a broken queue stays broken (until re-init), returns nothing, refuses adds and kicks;
 *   - detach_unused returns every buffer still owned, after which nothing is in flight.
 * A violated invariant aborts (libFuzzer records the input as a crash).
 *
 * Also the driver-side steps both harnesses take alike (add result, collection, reclaim,
 * the scatter list and fast-forward operands read from the input) and the benign device's
 * list of popped buffers with the hostile used entries made from it. The input format of
 * each harness is its own (see fuzz_split.c, fuzz_packed.c); these helpers read their
 * operands in the order both formats share.
 */

#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnet_ring.h"	/* struct vnet_sg, VNET_VRING_OK */

#define FUZZ_CHECK(cond)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond,	\
				__FILE__, __LINE__);				\
			abort();						\
		}								\
	} while (0)

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool
fz_more(const struct fz_in *in)
{
	return in->n > 0;
}

static inline uint8_t
fz_u8(struct fz_in *in)
{
	uint8_t v;

	if (in->n == 0)
		return 0;
	v = *in->p++;
	in->n--;
	return v;
}

static inline uint16_t
fz_u16(struct fz_in *in)
{
	uint16_t lo = fz_u8(in);

	return (uint16_t)(lo | (uint16_t)fz_u8(in) << 8);
}

static inline uint32_t
fz_u32(struct fz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

/* ---- buffer model ---- */

#define FZ_MAX_TOK	1024

struct fz_tok {
	bool posted;
	uint16_t ndescs;	/* descriptors the buffer occupies in the ring/table */
	uint32_t in_len;	/* writable bytes posted */
};

struct fz_model {
	struct fz_tok tok[FZ_MAX_TOK];
	uint16_t free_tok[FZ_MAX_TOK];
	unsigned int nfree_tok;
	uint64_t posted, returned, detached;
	unsigned int inflight;
	unsigned long inflight_descs;
	bool broken_seen;
};

static inline void
fz_model_init(struct fz_model *m)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < FZ_MAX_TOK; i++)
		m->free_tok[i] = (uint16_t)(FZ_MAX_TOK - 1 - i);
	m->nfree_tok = FZ_MAX_TOK;
}

/* A token for the next add, or NULL if none (cannot happen: in flight <= ring size). */
static inline struct fz_tok *
fz_tok_peek(struct fz_model *m)
{
	FUZZ_CHECK(m->nfree_tok > 0);
	return &m->tok[m->free_tok[m->nfree_tok - 1]];
}

/* The add with fz_tok_peek()'s token succeeded. */
static inline void
fz_tok_posted(struct fz_model *m, struct fz_tok *t, uint16_t ndescs, uint32_t in_len)
{
	FUZZ_CHECK(t == &m->tok[m->free_tok[m->nfree_tok - 1]] && !t->posted);
	m->nfree_tok--;
	t->posted = true;
	t->ndescs = ndescs;
	t->in_len = in_len;
	m->posted++;
	m->inflight++;
	m->inflight_descs += ndescs;
}

/* A cookie came back from the queue (@detached: through detach_unused). */
static inline void
fz_tok_back(struct fz_model *m, void *cookie, bool detached, bool have_len, uint32_t len,
	    uint32_t min_len)
{
	struct fz_tok *t = cookie;

	FUZZ_CHECK(t >= m->tok && t < m->tok + FZ_MAX_TOK);
	FUZZ_CHECK(((uintptr_t)t - (uintptr_t)m->tok) % sizeof(*t) == 0);
	FUZZ_CHECK(t->posted);		/* never twice, never unposted */
	if (have_len) {
		FUZZ_CHECK(len <= t->in_len);
		FUZZ_CHECK(len >= min_len);
	}
	t->posted = false;
	m->free_tok[m->nfree_tok++] = (uint16_t)(t - m->tok);
	m->inflight--;
	m->inflight_descs -= t->ndescs;
	if (detached)
		m->detached++;
	else
		m->returned++;
}

/* detach_unused() callback; @arg is the model. */
static inline void
fz_on_detach(void *cookie, void *arg)
{
	fz_tok_back(arg, cookie, true, false, 0, 0);
}

/* The invariants after a step; a queue seen broken must stay broken (until re-init). */
static inline void
fz_model_check(struct fz_model *m, bool broken, unsigned int free_count, unsigned int num)
{
	if (broken)
		m->broken_seen = true;
	FUZZ_CHECK(m->posted == m->returned + m->detached + m->inflight);
	FUZZ_CHECK(!m->broken_seen || broken);
	FUZZ_CHECK(free_count <= num);
	FUZZ_CHECK(free_count + m->inflight_descs == num);
}

/*
 * The result @rc of an add with token @t, of a buffer taking @need descriptors with
 * @in_len writable bytes, on a queue with @before free descriptors: -EIO when broken,
 * -EINVAL when not @valid, -ENOSPC when it does not fit, else 0 and the token is posted.
 */
static inline void
fz_expect_add(struct fz_model *m, int rc, bool broken, bool valid, unsigned int need,
	      unsigned int before, struct fz_tok *t, uint32_t in_len)
{
	if (broken) {
		FUZZ_CHECK(rc == -EIO);
	} else if (!valid) {
		FUZZ_CHECK(rc == -EINVAL);
	} else if (need > before) {
		FUZZ_CHECK(rc == -ENOSPC);
	} else {
		FUZZ_CHECK(rc == 0);
		fz_tok_posted(m, t, (uint16_t)need, in_len);
	}
}

/* Most segments fz_sg() builds. */
#define FZ_SG_MAX	9

/*
 * A scatter list from the input: one shape byte (segments 1 + bits 0..2 + bit 7, readable
 * ones bits 3..5, at most all), then one length byte per segment (1..256 bytes each, 64
 * bytes apart in @data). Returns the segment count; *out readable, *in_len writable bytes.
 */
static inline unsigned int
fz_sg(struct fz_in *in, struct vnet_sg *sg, const uint8_t *data, unsigned int *out,
      uint32_t *in_len)
{
	uint8_t k = fz_u8(in);
	unsigned int total = 1 + (k & 7) + (k >> 7), i;

	*out = (k >> 3) & 7;
	if (*out > total)
		*out = total;
	*in_len = 0;
	for (i = 0; i < total; i++) {
		sg[i].addr = (uintptr_t)data + i * 64;
		sg[i].len = 1 + fz_u8(in);
		if (i >= *out)
			*in_len += sg[i].len;
	}
	return total;
}

/*
 * What get_used(@n) returned (@got buffers, @c and @len) on a queue that was @broken
 * before the call (nothing then), buffers shorter than @min_len refused.
 */
static inline void
fz_collected(struct fz_model *m, bool broken, unsigned int n, unsigned int got, void **c,
	     const uint32_t *len, uint32_t min_len)
{
	unsigned int i;

	FUZZ_CHECK(got <= n);
	if (broken)
		FUZZ_CHECK(got == 0);
	for (i = 0; i < got; i++)
		fz_tok_back(m, c[i], false, true, len[i], min_len);
}

/* detach_unused() returned @n buffers, @want were in flight; @free_count after it. */
static inline void
fz_reclaimed(const struct fz_model *m, unsigned int n, unsigned int want,
	     unsigned int free_count, unsigned int num)
{
	FUZZ_CHECK(n == want && m->inflight == 0);
	FUZZ_CHECK(free_count == num);
}

/* Benign fast-forward rounds per input: bounded so that exec/s stays high. */
#define FZ_FF_MAX	512

/* Rounds of a fast-forward opcode (operand @a), within what the input has left. */
static inline unsigned int
fz_ff_rounds(uint8_t a, unsigned long *ff_total)
{
	unsigned int r = 1 + 2u * (a & 127);

	if (*ff_total + r > FZ_FF_MAX)
		r = *ff_total < FZ_FF_MAX ? (unsigned int)(FZ_FF_MAX - *ff_total) : 0;
	*ff_total += r;
	return r;
}

/* ---- the benign device's popped buffers ---- */

#define FZ_MAX_PEND	256

struct fz_pend {
	uint16_t id;
	uint16_t ndescs;	/* descriptors in the ring (packed) */
	uint32_t wlen;		/* writable bytes */
};

struct fz_pending {
	struct fz_pend pend[FZ_MAX_PEND];
	unsigned int npend;
	struct fz_pend last;	/* last completion written (for replays) */
};

/* Buffer @j leaves the list: the device completes it. */
static inline struct fz_pend
fz_pend_take(struct fz_pending *p, unsigned int j)
{
	struct fz_pend b = p->pend[j];

	memmove(p->pend + j, p->pend + j + 1, (p->npend - j - 1) * sizeof(p->pend[0]));
	p->npend--;
	return b;
}

/*
 * A hostile used entry made from what the device saw, by @sel 1..3 (0 is each harness's
 * own): 1 the last completion again (a duplicate), 2 a popped buffer with any length
 * (operands: an index byte if any is popped, then a 4-byte length if bit 7 of @sel, else
 * one byte), 3 a neighbour of the last id (operand: a signed offset byte; a chain member).
 * Returns the id before the harness narrows it to its id width; *len the used len.
 */
static inline int32_t
fz_reused_id(struct fz_in *in, const struct fz_pending *p, uint8_t sel, uint32_t *len)
{
	int32_t id;

	switch (sel & 3) {
	case 1:
		*len = p->last.wlen;
		return p->last.id;
	case 2:
		id = p->npend ? p->pend[fz_u8(in) % p->npend].id : 0;
		*len = sel & 0x80 ? fz_u32(in) : fz_u8(in);
		return id;
	default:
		*len = 0;
		return p->last.id + (int8_t)fz_u8(in);
	}
}

/* ---- the opcode loop both harnesses run ---- */

/*
 * A harness's ring behind the common opcodes of fz_run(). Opcodes (input byte % 16):
 * 0 a small add (operands kind, a), 1 a chain, 2 an indirect chain, 3 publish, 4 kick
 * decision (never true on a broken ring), 5 collect 1..32, 6 the benign device pops what is
 * available, 7 it completes some (operands a, sel), 8..10 and 15 the harness's hostile device
 * moves, 11 notification control (operand), 12 reclaim (device reset), 13 reclaim and
 * re-init (clears broken), 14 fast-forward benign rounds (operands rounds, mode).
 */
struct fz_ring_ops {
	void (*add_small)(uint8_t kind, uint8_t a);
	void (*add_sg)(struct fz_in *in, bool indirect);
	void (*publish)(void);
	bool (*kick_prepare)(void);
	bool (*broken)(void);
	void (*collect)(unsigned int n);
	bool (*dev_pop)(void);
	void (*dev_complete)(uint8_t a, uint8_t sel);
	void (*hostile)(struct fz_in *in, unsigned int op);
	void (*notify_ctl)(uint8_t a);
	void (*reclaim)(void);
	void (*reinit)(void);
	void (*fast_forward)(unsigned int rounds, uint8_t mode);
	void (*check)(void);
};

/* Run the opcodes of @in (at most 4096) against @o, checking after each; then reclaim. */
static inline void
fz_run(struct fz_in *in, const struct fz_ring_ops *o, struct fz_model *m)
{
	unsigned long ff_total = 0;
	unsigned int ops = 0;

	while (fz_more(in) && ops++ < 4096) {
		uint8_t op = fz_u8(in), a, b;

		switch (op % 16) {
		case 0:
			a = fz_u8(in);
			b = fz_u8(in);
			o->add_small(a, b);
			break;
		case 1:
		case 2:
			o->add_sg(in, op % 16 == 2);
			break;
		case 3:
			o->publish();
			break;
		case 4: {
			bool k = o->kick_prepare();

			if (o->broken())
				FUZZ_CHECK(!k);
			break;
		}
		case 5:
			o->collect(1 + (fz_u8(in) & 31));
			break;
		case 6:
			while (o->dev_pop())
				;
			break;
		case 7:
			a = fz_u8(in);
			o->dev_complete(a, fz_u8(in));
			break;
		case 11:
			o->notify_ctl(fz_u8(in));
			break;
		case 12:
			o->reclaim();
			break;
		case 13:
			o->reclaim();
			o->reinit();
			m->broken_seen = false;
			break;
		case 14:
			a = fz_u8(in);
			o->fast_forward(fz_ff_rounds(a, &ff_total), fz_u8(in));
			break;
		default:	/* 8, 9, 10, 15 */
			o->hostile(in, op % 16);
			break;
		}
		o->check();
	}
	o->reclaim();
	FUZZ_CHECK(m->posted == m->returned + m->detached);
}

#endif /* FUZZ_COMMON_H */
