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
 */

#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static inline void
fz_model_check(const struct fz_model *m, bool broken, unsigned int free_count,
	       unsigned int num)
{
	FUZZ_CHECK(m->posted == m->returned + m->detached + m->inflight);
	FUZZ_CHECK(!m->broken_seen || broken);
	FUZZ_CHECK(free_count <= num);
	FUZZ_CHECK(free_count + m->inflight_descs == num);
}

#endif /* FUZZ_COMMON_H */
