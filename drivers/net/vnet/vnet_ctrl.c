/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Control virtqueue (virtio 1.x 5.1.6.5): posting commands, bounded polling for the ack,
 * matching completions by id, and the command encoders. See vnet_ctrl.h.
 */

#include <errno.h>
#include <string.h>
#include <time.h>

#include "vnet_ctrl.h"
#include "vnet_logs.h"

#define CTRL_ACK_OFF	8
#define CTRL_POISON	0xa5	/* ack byte before the device writes it: neither OK nor ERR */

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
vnet_ctrl_init(struct vnet_ctrl *c, const char *name, uint32_t timeout_ms)
{
	if (!c->lock_init) {
		pthread_mutex_init(&c->lock, NULL);
		c->lock_init = true;
	}
	c->vr = NULL;
	c->pr = NULL;
	c->name = name;
	if (timeout_ms == 0)
		timeout_ms = VNET_CTRL_TIMEOUT_MS_DEFAULT;
	c->timeout_us = timeout_ms * 1000u;
}

void
vnet_ctrl_fini(struct vnet_ctrl *c)
{
	if (c->lock_init) {
		pthread_mutex_destroy(&c->lock);
		c->lock_init = false;
	}
	c->vr = NULL;
	c->pr = NULL;
}

void
vnet_ctrl_attach(struct vnet_ctrl *c, struct vnet_vring *vr, void *mem, uint64_t iova,
		 void (*kick)(void *arg), void *kick_arg, uint64_t features)
{
	pthread_mutex_lock(&c->lock);
	c->vr = vr;
	c->pr = NULL;
	c->mem = mem;
	c->iova = iova;
	c->kick = kick;
	c->kick_arg = kick_arg;
	c->features = features;
	memset(c->busy, 0, sizeof(c->busy));
	pthread_mutex_unlock(&c->lock);
}

void
vnet_ctrl_attach_packed(struct vnet_ctrl *c, struct vnet_packed *pr, void *mem, uint64_t iova,
			void (*kick)(void *arg), void *kick_arg, uint64_t features)
{
	vnet_ctrl_attach(c, NULL, mem, iova, kick, kick_arg, features);
	pthread_mutex_lock(&c->lock);
	c->pr = pr;
	pthread_mutex_unlock(&c->lock);
}

void
vnet_ctrl_detach(struct vnet_ctrl *c)
{
	pthread_mutex_lock(&c->lock);
	c->vr = NULL;
	c->pr = NULL;
	memset(c->busy, 0, sizeof(c->busy));	/* the device was reset: it holds nothing */
	pthread_mutex_unlock(&c->lock);
}

void
vnet_ctrl_stats_reset(struct vnet_ctrl *c)
{
	if (!c->lock_init)
		return;
	pthread_mutex_lock(&c->lock);
	memset(&c->st, 0, sizeof(c->st));
	pthread_mutex_unlock(&c->lock);
}

bool
vnet_ctrl_ready(const struct vnet_ctrl *c)
{
	return c->vr != NULL || c->pr != NULL;
}

/* The ring operations of the control queue, split or packed. */
static bool
ring_broken(const struct vnet_ctrl *c)
{
	return c->pr != NULL ? vnet_packed_broken(c->pr) : vnet_vring_broken(c->vr);
}

static enum vnet_vring_error
ring_error(const struct vnet_ctrl *c)
{
	return (enum vnet_vring_error)(c->pr != NULL ? c->pr->error : c->vr->error);
}

static unsigned int
ring_get_used(struct vnet_ctrl *c, void **cookies, uint32_t *lens, unsigned int n)
{
	return c->pr != NULL ? vnet_packed_get_used(c->pr, cookies, lens, n) :
			       vnet_vring_get_used(c->vr, cookies, lens, n);
}

static int
ring_add_publish(struct vnet_ctrl *c, const struct vnet_sg *sg, unsigned int out, void *cookie)
{
	int ret;

	if (c->pr != NULL) {
		ret = vnet_packed_add(c->pr, sg, out, 1, cookie, false);
		if (ret == 0) {
			vnet_packed_publish(c->pr);
			vnet_packed_note_external_kick(c->pr);
		}
		return ret;
	}
	ret = vnet_vring_add(c->vr, sg, out, 1, cookie, false);
	if (ret == 0) {
		vnet_vring_publish(c->vr);
		vnet_vring_note_external_kick(c->vr);
	}
	return ret;
}

static bool
has(const struct vnet_ctrl *c, unsigned int bit)
{
	return (c->features >> bit) & 1;
}

bool
vnet_ctrl_supported(const struct vnet_ctrl *c, uint8_t cls, uint8_t cmd)
{
	if (!has(c, VNET_NET_F_CTRL_VQ))
		return false;
	switch (cls) {
	case VNET_NET_CTRL_RX:
		if (cmd <= VNET_NET_CTRL_RX_ALLMULTI)
			return has(c, VNET_NET_F_CTRL_RX);
		return cmd <= VNET_NET_CTRL_RX_NOBCAST && has(c, VNET_NET_F_CTRL_RX_EXTRA);
	case VNET_NET_CTRL_MAC:
		if (cmd == VNET_NET_CTRL_MAC_TABLE_SET)
			return has(c, VNET_NET_F_CTRL_RX);
		return cmd == VNET_NET_CTRL_MAC_ADDR_SET && has(c, VNET_NET_F_CTRL_MAC_ADDR);
	case VNET_NET_CTRL_VLAN:
		return cmd <= VNET_NET_CTRL_VLAN_DEL && has(c, VNET_NET_F_CTRL_VLAN);
	case VNET_NET_CTRL_GUEST_OFFLOADS:
		return cmd == VNET_NET_CTRL_GUEST_OFFLOADS_SET &&
		       has(c, VNET_NET_F_CTRL_GUEST_OFFLOADS);
	case VNET_NET_CTRL_ANNOUNCE:
		return cmd == VNET_NET_CTRL_ANNOUNCE_ACK && has(c, VNET_NET_F_GUEST_ANNOUNCE);
	case VNET_NET_CTRL_MQ:
		if (cmd == VNET_NET_CTRL_MQ_VQ_PAIRS_SET)
			return has(c, VNET_NET_F_MQ);
		if (cmd == VNET_NET_CTRL_MQ_RSS_CONFIG)
			return has(c, VNET_NET_F_RSS);
		return cmd == VNET_NET_CTRL_MQ_HASH_CONFIG && has(c, VNET_NET_F_HASH_REPORT);
	default:
		return false;
	}
}

/* Take back the slots of completed commands; returns true if @p want completed (its used
 * len in *len). Lock held.
 */
static bool
reap(struct vnet_ctrl *c, int want, uint32_t *len)
{
	void *cookies[VNET_CTRL_SLOTS];
	uint32_t lens[VNET_CTRL_SLOTS];
	unsigned int n, i;
	bool done = false;

	while ((n = ring_get_used(c, cookies, lens, VNET_CTRL_SLOTS)) > 0) {
		for (i = 0; i < n; i++) {
			int k = (int)((uint8_t *)cookies[i] - c->busy);

			c->busy[k] = 0;
			if (k == want) {
				done = true;
				*len = lens[i];
			} else {
				c->st.late++;
				VNET_DRV_LOG(NOTICE, "%s: control queue: a command that had timed out "
					     "completed late (slot %d)", c->name, k);
			}
		}
	}
	return done;
}

static void
pause_briefly(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 10000 };

	nanosleep(&ts, NULL);
}

static int
command_locked(struct vnet_ctrl *c, uint8_t cls, uint8_t cmd, const void *data, size_t len)
{
	struct vnet_net_ctrl_hdr *hdr;
	struct vnet_sg sg[3];
	unsigned int nout = 0;
	uint64_t deadline, off;
	uint32_t used_len = 0;
	uint8_t *slot, ack;
	int k, ret;

	if (!vnet_ctrl_ready(c))
		return -ENOTSUP;
	if (ring_broken(c))
		return -EIO;
	(void)reap(c, -1, &used_len);
	for (k = 0; k < VNET_CTRL_SLOTS && c->busy[k]; k++)
		;
	if (k == VNET_CTRL_SLOTS) {
		c->st.busy++;
		VNET_DRV_LOG(ERR, "%s: control queue: the device still holds all %u command "
			     "buffers (unanswered commands); not sending class %u command %u",
			     c->name, VNET_CTRL_SLOTS, cls, cmd);
		return -EBUSY;
	}
	off = (uint64_t)k * VNET_CTRL_SLOT_SIZE;
	slot = c->mem + off;
	hdr = (struct vnet_net_ctrl_hdr *)slot;
	hdr->class = cls;
	hdr->cmd = cmd;
	slot[CTRL_ACK_OFF] = CTRL_POISON;
	sg[nout].addr = c->iova + off;
	sg[nout++].len = sizeof(*hdr);
	if (len > 0) {
		memcpy(slot + VNET_CTRL_DATA_OFF, data, len);
		sg[nout].addr = c->iova + off + VNET_CTRL_DATA_OFF;
		sg[nout++].len = (uint32_t)len;
	}
	sg[nout].addr = c->iova + off + CTRL_ACK_OFF;
	sg[nout].len = 1;
	/* Published at once; never coalesced or suppressed: a spurious kick is harmless. */
	ret = ring_add_publish(c, sg, nout, &c->busy[k]);
	if (ret != 0) {
		if (ret == -ENOSPC) {
			c->st.busy++;
			ret = -EBUSY;
		}
		VNET_DRV_LOG(ERR, "%s: control queue: cannot post class %u command %u: %s",
			     c->name, cls, cmd, strerror(-ret));
		return ret;
	}
	c->busy[k] = 1;
	c->st.commands++;
	c->kick(c->kick_arg);

	deadline = now_us() + c->timeout_us;
	for (;;) {
		if (reap(c, k, &used_len))
			break;
		if (ring_broken(c)) {
			c->st.bad++;
			VNET_DRV_LOG(ERR, "%s: control queue broken by the device (%s) during class "
				     "%u command %u", c->name,
				     vnet_vring_strerror(ring_error(c)), cls, cmd);
			return -EIO;
		}
		if (now_us() > deadline) {
			c->st.timeouts++;
			VNET_DRV_LOG(ERR, "%s: control queue: class %u command %u not answered "
				     "within %u ms; its buffers stay with the device", c->name, cls,
				     cmd, c->timeout_us / 1000);
			return -ETIMEDOUT;
		}
		pause_briefly();
	}
	/* The used-ring acquire in reap() orders this read after the device's ack write. */
	ack = VNET_LOAD_RLX(&slot[CTRL_ACK_OFF]);
	if (used_len < 1 || (ack != VNET_NET_OK && ack != VNET_NET_ERR)) {
		c->st.bad++;
		VNET_DRV_LOG(ERR, "%s: control queue: class %u command %u completed without a "
			     "valid ack (len %u, ack 0x%02x)", c->name, cls, cmd, used_len, ack);
		return -EIO;
	}
	if (ack == VNET_NET_ERR) {
		c->st.errors++;
		VNET_DRV_LOG(ERR, "%s: control queue: the device refused class %u command %u",
			     c->name, cls, cmd);
		return -EIO;
	}
	return 0;
}

int
vnet_ctrl_command(struct vnet_ctrl *c, uint8_t cls, uint8_t cmd, const void *data, size_t len)
{
	int ret;

	if (len > VNET_CTRL_DATA_MAX || (len > 0 && data == NULL))
		return -EINVAL;
	if (!c->lock_init)
		return -ENOTSUP;
	pthread_mutex_lock(&c->lock);
	if (!vnet_ctrl_supported(c, cls, cmd))
		ret = -ENOTSUP;
	else
		ret = command_locked(c, cls, cmd, data, len);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int
vnet_ctrl_rx_mode(struct vnet_ctrl *c, uint8_t cmd, bool on)
{
	uint8_t v = on ? 1 : 0;

	return vnet_ctrl_command(c, VNET_NET_CTRL_RX, cmd, &v, sizeof(v));
}

int
vnet_ctrl_mac_addr_set(struct vnet_ctrl *c, const uint8_t mac[6])
{
	return vnet_ctrl_command(c, VNET_NET_CTRL_MAC, VNET_NET_CTRL_MAC_ADDR_SET, mac, 6);
}

static bool
mac_used(const uint8_t m[6])
{
	static const uint8_t zero[6];

	return memcmp(m, zero, 6) != 0;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static bool
mac_multicast(const uint8_t m[6])
{
	return (m[0] & 1) != 0;
}

/* Append the used uc[] entries that are (@p multi) multicast or unicast; returns the count. */
static uint32_t
put_addrs(const struct vnet_ctrl_state *s, bool multi, uint8_t *buf, size_t *pos)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 1; i < VNET_CTRL_UC_MAX; i++) {
		if (!mac_used(s->uc[i]) || mac_multicast(s->uc[i]) != multi)
			continue;
		memcpy(buf + *pos, s->uc[i], 6);
		*pos += 6;
		n++;
	}
	return n;
}

int
vnet_ctrl_mac_table(struct vnet_ctrl *c, const struct vnet_ctrl_state *s)
{
	uint8_t buf[8 + 6 * (VNET_CTRL_UC_MAX + 1 + VNET_CTRL_MC_MAX)];
	size_t pos = 4, mc_count;
	uint32_t n = 0;
	unsigned int i;

	/*
	 * 5.1.6.5.2: two tables, each le32 entries then 6-byte addresses; unicast first.
	 * Multicast addresses added with mac_addr_add (as net_virtio takes them) join the
	 * multicast table with the set_mc_addr_list ones.
	 */
	if (s->mac_set && !has(c, VNET_NET_F_CTRL_MAC_ADDR)) {
		memcpy(buf + pos, s->mac, 6);	/* no MAC_ADDR_SET: the table carries it */
		pos += 6;
		n++;
	}
	n += put_addrs(s, false, buf, &pos);
	put_le32(buf, n);
	mc_count = pos;
	pos += 4;
	n = put_addrs(s, true, buf, &pos);
	for (i = 0; i < s->n_mc && i < VNET_CTRL_MC_MAX; i++, n++) {
		memcpy(buf + pos, s->mc[i], 6);
		pos += 6;
	}
	put_le32(buf + mc_count, n);
	return vnet_ctrl_command(c, VNET_NET_CTRL_MAC, VNET_NET_CTRL_MAC_TABLE_SET, buf, pos);
}

int
vnet_ctrl_guest_offloads(struct vnet_ctrl *c, uint64_t offloads)
{
	uint8_t v[8];
	unsigned int i;

	for (i = 0; i < 8; i++)
		v[i] = (uint8_t)(offloads >> (8 * i));	/* le64 (5.1.6.5.6.1) */
	return vnet_ctrl_command(c, VNET_NET_CTRL_GUEST_OFFLOADS,
				 VNET_NET_CTRL_GUEST_OFFLOADS_SET, v, sizeof(v));
}

int
vnet_ctrl_vlan(struct vnet_ctrl *c, uint16_t vid, bool add)
{
	uint8_t v[2];

	put_le16(v, vid);
	return vnet_ctrl_command(c, VNET_NET_CTRL_VLAN,
				 add ? VNET_NET_CTRL_VLAN_ADD : VNET_NET_CTRL_VLAN_DEL, v, sizeof(v));
}

int
vnet_ctrl_mq(struct vnet_ctrl *c, const struct vnet_ctrl_state *s)
{
	uint8_t buf[VNET_NET_RSS_HDR_LEN + 2 * VNET_CTRL_RETA_MAX + VNET_NET_RSS_TAIL_LEN +
		    VNET_CTRL_KEY_MAX];
	uint16_t entries, i;
	size_t pos;
	uint8_t cmd;

	if (!s->rss) {
		uint8_t v[2];
		int ret;

		/* VQ_PAIRS_SET first: QEMU turns hashing off on it, HASH_CONFIG comes after. */
		put_le16(v, s->pairs);
		ret = vnet_ctrl_command(c, VNET_NET_CTRL_MQ, VNET_NET_CTRL_MQ_VQ_PAIRS_SET, v,
					sizeof(v));
		if (!s->hash_report || (ret != 0 && ret != -ENOTSUP))
			return ret;
	}
	/* 5.1.6.5.7.1 (RSS_CONFIG) / 5.1.6.5.6.4 (HASH_CONFIG: same offsets, fields reserved). */
	cmd = s->rss ? VNET_NET_CTRL_MQ_RSS_CONFIG : VNET_NET_CTRL_MQ_HASH_CONFIG;
	entries = s->rss ? s->reta_len : 1;
	if (entries == 0 || entries > VNET_CTRL_RETA_MAX || (entries & (entries - 1)) != 0 ||
	    s->key_len > VNET_CTRL_KEY_MAX)
		return -EINVAL;
	put_le32(buf, s->hash_types);
	put_le16(buf + 4, s->rss ? (uint16_t)(entries - 1) : 0);	/* indirection_table_mask */
	put_le16(buf + 6, 0);					/* unclassified_queue */
	pos = VNET_NET_RSS_HDR_LEN;
	for (i = 0; i < entries; i++, pos += 2)
		put_le16(buf + pos, s->rss ? s->reta[i] : 0);
	put_le16(buf + pos, s->rss ? s->pairs : 0);		/* max_tx_vq */
	buf[pos + 2] = s->key_len;
	pos += VNET_NET_RSS_TAIL_LEN;
	memcpy(buf + pos, s->key, s->key_len);
	pos += s->key_len;
	return vnet_ctrl_command(c, VNET_NET_CTRL_MQ, cmd, buf, pos);
}

/* Keep the first error; a timeout stops the replay (the device is not answering). */
static bool
note(int *first, int ret)
{
	if (ret != 0 && ret != -ENOTSUP && *first == 0)
		*first = ret;
	return ret == -ETIMEDOUT || ret == -EBUSY;
}

int
vnet_ctrl_replay(struct vnet_ctrl *c, const struct vnet_ctrl_state *s)
{
	int first = 0;
	unsigned int vid;

	if (!vnet_ctrl_ready(c))
		return 0;
	/* First: the RX queues get their buffers (and packets) only after the replay. */
	if (s->guest_offloads_set &&
	    vnet_ctrl_supported(c, VNET_NET_CTRL_GUEST_OFFLOADS, VNET_NET_CTRL_GUEST_OFFLOADS_SET) &&
	    note(&first, vnet_ctrl_guest_offloads(c, s->guest_offloads)))
		return first;
	/* A freshly reset device is promiscuous with all-multicast on (5.1.6.5.1). */
	if (vnet_ctrl_supported(c, VNET_NET_CTRL_RX, VNET_NET_CTRL_RX_PROMISC)) {
		if (note(&first, vnet_ctrl_rx_mode(c, VNET_NET_CTRL_RX_PROMISC, s->promisc)) ||
		    note(&first, vnet_ctrl_rx_mode(c, VNET_NET_CTRL_RX_ALLMULTI, s->allmulti)))
			return first;
	}
	if (s->mac_set && vnet_ctrl_supported(c, VNET_NET_CTRL_MAC, VNET_NET_CTRL_MAC_ADDR_SET) &&
	    note(&first, vnet_ctrl_mac_addr_set(c, s->mac)))
		return first;
	if (vnet_ctrl_supported(c, VNET_NET_CTRL_MAC, VNET_NET_CTRL_MAC_TABLE_SET) &&
	    note(&first, vnet_ctrl_mac_table(c, s)))
		return first;
	if (s->vlan_filter && vnet_ctrl_supported(c, VNET_NET_CTRL_VLAN, VNET_NET_CTRL_VLAN_ADD)) {
		for (vid = 0; vid < VNET_CTRL_VLAN_N; vid++)
			if (vnet_ctrl_vlan_test(s, (uint16_t)vid) &&
			    note(&first, vnet_ctrl_vlan(c, (uint16_t)vid, true)))
				return first;
	}
	/* Last: the device obeys the last MQ command. */
	if (vnet_ctrl_supported(c, VNET_NET_CTRL_MQ, VNET_NET_CTRL_MQ_VQ_PAIRS_SET) ||
	    vnet_ctrl_supported(c, VNET_NET_CTRL_MQ, VNET_NET_CTRL_MQ_RSS_CONFIG) ||
	    vnet_ctrl_supported(c, VNET_NET_CTRL_MQ, VNET_NET_CTRL_MQ_HASH_CONFIG))
		note(&first, vnet_ctrl_mq(c, s));
	return first;
}
