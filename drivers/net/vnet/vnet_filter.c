/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * ethdev side of the control virtqueue: its lifecycle across start/stop, and the dev_ops it
 * serves — RX modes, MAC addresses and tables, VLAN filter, multi-queue, RSS (key,
 * indirection table, hash types) and the hash report. Every op updates the driver's state
 * (struct vnet_ctrl_state) and, on a started port, sends the command; a failed command
 * leaves the state as it was. A stopped port's device is reset: its state is replayed at the
 * next start (vnet_ctrl_replay()).
 *
 * Without a feature: promiscuous/allmulticast enable return 0 (a device that cannot filter
 * delivers everything), their disable and the filters -ENOTSUP. A device without
 * VIRTIO_NET_F_RSS still accepts mq_mode RSS: its own receive steering spreads the flows
 * (see vnet.rst).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "vnet_ethdev.h"
#include "vnet_logs.h"

/* The usual 40-byte Toeplitz key (Microsoft RSS specification), as most PMDs default to. */
static const uint8_t default_key[VNET_CTRL_KEY_MAX] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* RTE_ETH_RSS_* <-> virtio hash types (5.1.6.4.3.1). */
static const struct {
	uint64_t rte;
	uint32_t virtio;
} hash_map[] = {
	{ RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_OTHER,
	  VNET_NET_HASH_TYPE_IPV4 },
	{ RTE_ETH_RSS_NONFRAG_IPV4_TCP, VNET_NET_HASH_TYPE_TCPV4 },
	{ RTE_ETH_RSS_NONFRAG_IPV4_UDP, VNET_NET_HASH_TYPE_UDPV4 },
	{ RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_FRAG_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_OTHER,
	  VNET_NET_HASH_TYPE_IPV6 },
	{ RTE_ETH_RSS_NONFRAG_IPV6_TCP, VNET_NET_HASH_TYPE_TCPV6 },
	{ RTE_ETH_RSS_NONFRAG_IPV6_UDP, VNET_NET_HASH_TYPE_UDPV6 },
	{ RTE_ETH_RSS_IPV6_EX, VNET_NET_HASH_TYPE_IP_EX },
	{ RTE_ETH_RSS_IPV6_TCP_EX, VNET_NET_HASH_TYPE_TCP_EX },
	{ RTE_ETH_RSS_IPV6_UDP_EX, VNET_NET_HASH_TYPE_UDP_EX },
};

/* What a device without RSS still lets applications ask for (its steering spreads them). */
#define VNET_RSS_STEERING_HF	(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)

static uint32_t
rss_hf_to_virtio(uint64_t hf)
{
	uint32_t t = 0;
	unsigned int i;

	for (i = 0; i < RTE_DIM(hash_map); i++)
		if (hf & hash_map[i].rte)
			t |= hash_map[i].virtio;
	return t;
}

static uint64_t
virtio_to_rss_hf(uint32_t types)
{
	uint64_t hf = 0;
	unsigned int i;

	for (i = 0; i < RTE_DIM(hash_map); i++)
		if (types & hash_map[i].virtio)
			hf |= hash_map[i].rte;
	return hf;
}

static bool
has_rss(const struct vnet_adapter *ad)
{
	return vnet_can(ad, VNET_NET_F_RSS) && ad->hw.rss_reta_max > 0;
}

void
vnet_ctrl_state_init(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_ctrl_state *s = &ad->cst;
	uint16_t i;

	memset(s, 0, sizeof(*s));
	memcpy(s->mac, dev->data->mac_addrs[0].addr_bytes, RTE_ETHER_ADDR_LEN);
	s->mac_set = true;
	s->pairs = 1;
	s->key_len = VNET_CTRL_KEY_MAX;
	memcpy(s->key, default_key, sizeof(default_key));
	s->reta_len = has_rss(ad) ? ad->hw.rss_reta_max : 0;
	for (i = 0; i < s->reta_len; i++)
		s->reta[i] = 0;
	ad->reta_queues = 1;
}

/* ---- control queue lifecycle ---- */

static void
ctrl_kick(void *arg)
{
	vnet_vq_notify(arg);
}

int
vnet_ctrl_queue_prepare(struct rte_eth_dev *dev, struct vnet_vq **vqp)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_hw *hw = &ad->hw;
	struct vnet_vq *vq = &ad->cvq;
	uint16_t size;
	char name[RTE_MEMZONE_NAMESIZE];
	int ret;

	*vqp = NULL;
	if (!vnet_hw_has(hw, VNET_NET_F_CTRL_VQ))
		return 0;
	/* Modern: a small ring is plenty; legacy: the device's fixed size. */
	size = hw->modern ? RTE_MIN(hw->ctrl_max, 64) : hw->ctrl_max;
	if (vq->ring_va != NULL && (vq->size != size || vq->idx != hw->ctrl_idx))
		vnet_vq_free(vq);
	if (vq->ring_va == NULL) {
		ret = vnet_vq_alloc(dev, vq, hw->ctrl_idx, size,
				    dev->data->numa_node < 0 ? (unsigned int)SOCKET_ID_ANY :
				    (unsigned int)dev->data->numa_node);
		if (ret != 0)
			return ret;
	}
	if (ad->ctrl_mz == NULL) {
		snprintf(name, sizeof(name), "vnet_p%u_ctrl", dev->data->port_id);
		ad->ctrl_mz = rte_memzone_reserve_aligned(name, VNET_CTRL_MEM_SIZE,
							  (int)vq->socket_id,
							  RTE_MEMZONE_IOVA_CONTIG,
							  RTE_CACHE_LINE_SIZE);
		if (ad->ctrl_mz == NULL) {
			VNET_INIT_LOG(ERR, "port %u: cannot reserve control-queue memory: %s",
				      dev->data->port_id, rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	ret = vnet_vq_ring_init(ad, vq);
	if (ret != 0)
		return ret;
	vnet_vq_disable_cb(vq);	/* commands are polled */
	*vqp = vq;
	return 0;
}

int
vnet_ctrl_queue_start(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_hw *hw = &ad->hw;
	int ret;

	if (!vnet_hw_has(hw, VNET_NET_F_CTRL_VQ))
		return 0;
	if (ad->cvq.packed)
		vnet_ctrl_attach_packed(&ad->ctrl, &ad->cvq.pr, ad->ctrl_mz->addr,
					hw->use_va ? (uint64_t)(uintptr_t)ad->ctrl_mz->addr :
					ad->ctrl_mz->iova, ctrl_kick, &ad->cvq,
					hw->driver_features);
	else
		vnet_ctrl_attach(&ad->ctrl, &ad->cvq.vr, ad->ctrl_mz->addr,
				 hw->use_va ? (uint64_t)(uintptr_t)ad->ctrl_mz->addr :
				 ad->ctrl_mz->iova, ctrl_kick, &ad->cvq, hw->driver_features);
	ad->cst.pairs = RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	ad->cst.vlan_filter = vnet_hw_has(hw, VNET_NET_F_CTRL_VLAN);
	ret = vnet_ctrl_replay(&ad->ctrl, &ad->cst);
	if (ret != 0)
		VNET_INIT_LOG(ERR, "port %u: the device did not take the receive configuration "
			      "(queue pairs, RSS, RX modes, MAC and VLAN filters): %s",
			      dev->data->port_id, strerror(-ret));
	return ret;
}

void
vnet_ctrl_queue_stop(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);

	if (!vnet_ctrl_ready(&ad->ctrl))
		return;
	vnet_ctrl_detach(&ad->ctrl);
	/* Cookies are slot markers, not buffers: nothing to free. */
	if (ad->cvq.packed)
		vnet_packed_detach_unused(&ad->cvq.pr, NULL, NULL);
	else
		vnet_vring_detach_unused(&ad->cvq.vr, NULL, NULL);
}

void
vnet_ctrl_queue_release(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);

	vnet_ctrl_queue_stop(dev);
	vnet_vq_free(&ad->cvq);
	rte_memzone_free(ad->ctrl_mz);
	ad->ctrl_mz = NULL;
}

/* Send a command now if the port runs (its device is live), else only keep the state. */
static bool
live(const struct vnet_adapter *ad)
{
	return ad->started && vnet_ctrl_ready(&ad->ctrl);
}

/* ---- RX modes ---- */

static int
set_rx_mode(struct rte_eth_dev *dev, uint8_t cmd, bool on)
{
	struct vnet_adapter *ad = adapter_of(dev);
	bool *field = cmd == VNET_NET_CTRL_RX_PROMISC ? &ad->cst.promisc : &ad->cst.allmulti;
	bool old = *field;
	int ret = 0;

	if (!vnet_can(ad, VNET_NET_F_CTRL_RX))
		return on ? 0 : -ENOTSUP;	/* the device delivers every frame */
	*field = on;
	if (live(ad))
		ret = vnet_ctrl_rx_mode(&ad->ctrl, cmd, on);
	if (ret != 0)
		*field = old;
	return ret;
}

int
vnet_promiscuous_enable(struct rte_eth_dev *dev)
{
	return set_rx_mode(dev, VNET_NET_CTRL_RX_PROMISC, true);
}

int
vnet_promiscuous_disable(struct rte_eth_dev *dev)
{
	return set_rx_mode(dev, VNET_NET_CTRL_RX_PROMISC, false);
}

int
vnet_allmulticast_enable(struct rte_eth_dev *dev)
{
	return set_rx_mode(dev, VNET_NET_CTRL_RX_ALLMULTI, true);
}

int
vnet_allmulticast_disable(struct rte_eth_dev *dev)
{
	return set_rx_mode(dev, VNET_NET_CTRL_RX_ALLMULTI, false);
}

/* ---- MAC addresses ---- */

int
vnet_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint8_t old[RTE_ETHER_ADDR_LEN];
	int ret = 0;

	memcpy(old, ad->cst.mac, sizeof(old));
	memcpy(ad->cst.mac, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	if (live(ad)) {
		if (vnet_hw_has(&ad->hw, VNET_NET_F_CTRL_MAC_ADDR))
			ret = vnet_ctrl_mac_addr_set(&ad->ctrl, ad->cst.mac);
		else if (vnet_hw_has(&ad->hw, VNET_NET_F_CTRL_RX))
			ret = vnet_ctrl_mac_table(&ad->ctrl, &ad->cst);
		/* else: the device cannot filter, every frame arrives anyway */
	}
	if (ret != 0)
		memcpy(ad->cst.mac, old, sizeof(old));
	return ret;
}

int
vnet_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac, uint32_t index,
		  uint32_t pool)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint8_t old[RTE_ETHER_ADDR_LEN];
	int ret = 0;

	RTE_SET_USED(pool);
	if (!vnet_can(ad, VNET_NET_F_CTRL_RX))
		return -ENOTSUP;
	if (index == 0 || index >= VNET_CTRL_UC_MAX)
		return -EINVAL;
	memcpy(old, ad->cst.uc[index], sizeof(old));
	memcpy(ad->cst.uc[index], mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	if (live(ad))
		ret = vnet_ctrl_mac_table(&ad->ctrl, &ad->cst);
	if (ret != 0)
		memcpy(ad->cst.uc[index], old, sizeof(old));
	return ret;
}

void
vnet_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int ret;

	if (index == 0 || index >= VNET_CTRL_UC_MAX || !vnet_can(ad, VNET_NET_F_CTRL_RX))
		return;
	memset(ad->cst.uc[index], 0, RTE_ETHER_ADDR_LEN);
	if (live(ad)) {
		ret = vnet_ctrl_mac_table(&ad->ctrl, &ad->cst);
		if (ret != 0)	/* the op cannot fail: the state stays, replayed at start */
			VNET_DRV_LOG(ERR, "port %u: removing MAC index %u: %s", dev->data->port_id,
				     index, strerror(-ret));
	}
}

int
vnet_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *list, uint32_t n)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_ctrl_state *s = &ad->cst;
	uint8_t old[VNET_CTRL_MC_MAX][RTE_ETHER_ADDR_LEN];
	uint16_t old_n = s->n_mc;
	uint32_t i;
	int ret = 0;

	if (!vnet_can(ad, VNET_NET_F_CTRL_RX))
		return -ENOTSUP;
	if (n > VNET_CTRL_MC_MAX) {
		VNET_DRV_LOG(ERR, "port %u: %u multicast addresses: vnet keeps at most %u",
			     dev->data->port_id, n, VNET_CTRL_MC_MAX);
		return -ENOSPC;
	}
	for (i = 0; i < n; i++)
		if (!rte_is_multicast_ether_addr(&list[i]))
			return -EINVAL;
	memcpy(old, s->mc, sizeof(old));
	for (i = 0; i < n; i++)
		memcpy(s->mc[i], list[i].addr_bytes, RTE_ETHER_ADDR_LEN);
	s->n_mc = (uint16_t)n;
	if (live(ad))
		ret = vnet_ctrl_mac_table(&ad->ctrl, s);
	if (ret != 0) {
		memcpy(s->mc, old, sizeof(old));
		s->n_mc = old_n;
	}
	return ret;
}

/* ---- VLAN filter ---- */

int
vnet_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vid, int on)
{
	struct vnet_adapter *ad = adapter_of(dev);
	bool old;
	int ret = 0;

	if (!vnet_can(ad, VNET_NET_F_CTRL_VLAN))
		return -ENOTSUP;
	if (vid >= VNET_CTRL_VLAN_N)
		return -EINVAL;
	old = vnet_ctrl_vlan_test(&ad->cst, vid);
	vnet_ctrl_vlan_mark(&ad->cst, vid, on != 0);
	if (live(ad) && vnet_hw_has(&ad->hw, VNET_NET_F_CTRL_VLAN))
		ret = vnet_ctrl_vlan(&ad->ctrl, vid, on != 0);
	if (ret != 0)
		vnet_ctrl_vlan_mark(&ad->cst, vid, old);
	return ret;
}

int
vnet_vlan_offload_set(struct rte_eth_dev *dev, int mask)
{
	struct vnet_adapter *ad = adapter_of(dev);
	bool want = (dev->data->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_VLAN_FILTER) != 0;

	if (mask & RTE_ETH_VLAN_STRIP_MASK) {
		bool strip = (dev->data->dev_conf.rxmode.offloads &
			      RTE_ETH_RX_OFFLOAD_VLAN_STRIP) != 0;
		uint16_t q;

		/* Software strip: only the offload RX variants do it (chosen at start). */
		if (ad->started && strip && ad->rx_variant != NULL &&
		    !ad->rx_variant->offload) {
			VNET_DRV_LOG(ERR, "port %u: VLAN strip can be switched on only while the "
				     "port is stopped (the RX variant is chosen at start)",
				     dev->data->port_id);
			return -ENOTSUP;
		}
		for (q = 0; q < dev->data->nb_rx_queues; q++) {
			struct vnet_rxq *rxq = dev->data->rx_queues[q];

			if (rxq != NULL)
				rxq->vlan_strip = strip;
		}
	}
	if (!(mask & RTE_ETH_VLAN_FILTER_MASK))
		return 0;
	if (want && !vnet_can(ad, VNET_NET_F_CTRL_VLAN))
		return -ENOTSUP;
	/*
	 * VIRTIO_NET_F_CTRL_VLAN is negotiated at start only with the filter on: QEMU empties
	 * its VLAN table when it is negotiated, so with the filter off tagged frames arrive
	 * only if it is not. Switching needs a renegotiation, i.e. a port restart.
	 */
	if (ad->started && want != vnet_hw_has(&ad->hw, VNET_NET_F_CTRL_VLAN)) {
		VNET_DRV_LOG(ERR, "port %u: the VLAN filter can be switched %s only while the "
			     "port is stopped (the device's VLAN table comes with the feature "
			     "negotiated at start): stop the port, set it, start it",
			     dev->data->port_id, want ? "on" : "off");
		return -ENOTSUP;
	}
	return 0;
}

/* ---- multi-queue and RSS ---- */

static void
reta_default(struct vnet_adapter *ad, uint16_t nb_rx)
{
	uint16_t i;

	for (i = 0; i < ad->cst.reta_len; i++)
		ad->cst.reta[i] = nb_rx > 0 ? i % nb_rx : 0;
	ad->reta_queues = nb_rx;
}

int
vnet_rss_configure(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct rte_eth_conf *conf = &dev->data->dev_conf;
	const struct rte_eth_rss_conf *rc = &conf->rx_adv_conf.rss_conf;
	enum rte_eth_rx_mq_mode mode = conf->rxmode.mq_mode;
	uint16_t nb_rx = dev->data->nb_rx_queues;
	struct vnet_ctrl_state *s = &ad->cst;

	if (mode != RTE_ETH_MQ_RX_NONE && mode != RTE_ETH_MQ_RX_RSS) {
		VNET_INIT_LOG(ERR, "port %u: RX multi-queue mode %d is not supported (none or "
			      "RSS)", dev->data->port_id, mode);
		return -ENOTSUP;
	}
	s->hash_report = (conf->rxmode.offloads & RTE_ETH_RX_OFFLOAD_RSS_HASH) != 0 &&
			 vnet_can(ad, VNET_NET_F_HASH_REPORT) && ad->hw.rss_key_max > 0;
	s->rss = false;
	ad->rss_hf = 0;
	if (mode != RTE_ETH_MQ_RX_RSS) {
		if (s->hash_report) {	/* hash without spreading: HASH_CONFIG */
			s->hash_types = ad->hw.rss_hash_types;
			s->key_len = VNET_CTRL_KEY_MAX;
		}
		return 0;
	}
	if (rc->rss_key != NULL && rc->rss_key_len != VNET_CTRL_KEY_MAX) {
		VNET_INIT_LOG(ERR, "port %u: RSS key of %u bytes: vnet takes %u", dev->data->port_id,
			      rc->rss_key_len, VNET_CTRL_KEY_MAX);
		return -EINVAL;
	}
	if (!has_rss(ad)) {
		/*
		 * net_virtio refuses this ("RSS support requested but not supported by the
		 * device"), which is the usual cloud setup: accept it, the device's own receive
		 * steering (e.g. a multi-queue tap) spreads the flows.
		 */
		ad->rss_hf = rc->rss_hf & VNET_RSS_STEERING_HF;
		VNET_INIT_LOG(NOTICE, "port %u: the device has no VIRTIO_NET_F_RSS: mq_mode RSS "
			      "accepted, its own receive steering spreads flows over the %u RX "
			      "queues (no RSS key or indirection table)", dev->data->port_id,
			      nb_rx);
		return 0;
	}
	s->rss = true;
	s->hash_types = rss_hf_to_virtio(rc->rss_hf) & ad->hw.rss_hash_types;
	ad->rss_hf = virtio_to_rss_hf(s->hash_types) & rc->rss_hf;
	if (rc->rss_key != NULL)
		memcpy(s->key, rc->rss_key, VNET_CTRL_KEY_MAX);
	s->key_len = VNET_CTRL_KEY_MAX;
	if (ad->reta_queues != nb_rx)
		reta_default(ad, nb_rx);
	return 0;
}

void
vnet_filter_infos(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct vnet_adapter *ad = adapter_of(dev);

	info->max_mac_addrs = vnet_can(ad, VNET_NET_F_CTRL_RX) ? VNET_CTRL_UC_MAX : 1;
	if (vnet_can(ad, VNET_NET_F_CTRL_VLAN))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_VLAN_FILTER;
	if (vnet_can(ad, VNET_NET_F_HASH_REPORT) && ad->hw.rss_key_max > 0)
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
	if (has_rss(ad)) {
		info->reta_size = ad->cst.reta_len;
		info->hash_key_size = VNET_CTRL_KEY_MAX;
		info->flow_type_rss_offloads = virtio_to_rss_hf(ad->hw.rss_hash_types);
	} else if (ad->hw.max_queue_pairs > 1) {
		/* Kept so that applications and ethdev keep an RSS request (see configure). */
		info->flow_type_rss_offloads = VNET_RSS_STEERING_HF;
	}
}

/* Apply a changed RSS state; restore @p old on failure. */
static int
rss_commit(struct vnet_adapter *ad, const struct vnet_ctrl_state *old)
{
	int ret = 0;

	if (live(ad))
		ret = vnet_ctrl_mq(&ad->ctrl, &ad->cst);
	if (ret != 0)
		ad->cst = *old;
	return ret;
}

static int
rss_usable(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);

	if (!has_rss(ad) || !ad->cst.rss) {
		VNET_DRV_LOG(ERR, "port %u: no RSS indirection table: %s", dev->data->port_id,
			     has_rss(ad) ? "configure the port with mq_mode RSS" :
			     "the device has no VIRTIO_NET_F_RSS (its own steering spreads flows)");
		return -ENOTSUP;
	}
	return 0;
}

int
vnet_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf,
		 uint16_t size)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_ctrl_state old;
	uint16_t i;
	int ret = rss_usable(dev);

	if (ret != 0)
		return ret;
	if (size != ad->cst.reta_len) {
		VNET_DRV_LOG(ERR, "port %u: RETA of %u entries: the port's has %u",
			     dev->data->port_id, size, ad->cst.reta_len);
		return -EINVAL;
	}
	for (i = 0; i < size; i++) {
		const struct rte_eth_rss_reta_entry64 *e = &conf[i / RTE_ETH_RETA_GROUP_SIZE];

		if (((e->mask >> (i % RTE_ETH_RETA_GROUP_SIZE)) & 1) &&
		    e->reta[i % RTE_ETH_RETA_GROUP_SIZE] >= dev->data->nb_rx_queues)
			return -EINVAL;
	}
	old = ad->cst;
	for (i = 0; i < size; i++) {
		const struct rte_eth_rss_reta_entry64 *e = &conf[i / RTE_ETH_RETA_GROUP_SIZE];

		if ((e->mask >> (i % RTE_ETH_RETA_GROUP_SIZE)) & 1)
			ad->cst.reta[i] = e->reta[i % RTE_ETH_RETA_GROUP_SIZE];
	}
	return rss_commit(ad, &old);
}

int
vnet_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf,
		uint16_t size)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t i;
	int ret = rss_usable(dev);

	if (ret != 0)
		return ret;
	if (size != ad->cst.reta_len)
		return -EINVAL;
	for (i = 0; i < size; i++) {
		struct rte_eth_rss_reta_entry64 *e = &conf[i / RTE_ETH_RETA_GROUP_SIZE];

		if ((e->mask >> (i % RTE_ETH_RETA_GROUP_SIZE)) & 1)
			e->reta[i % RTE_ETH_RETA_GROUP_SIZE] = ad->cst.reta[i];
	}
	return 0;
}

int
vnet_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_ctrl_state old;
	int ret = rss_usable(dev);

	if (ret != 0)
		return ret;
	if (conf->rss_key != NULL && conf->rss_key_len != VNET_CTRL_KEY_MAX) {
		VNET_DRV_LOG(ERR, "port %u: RSS key of %u bytes: vnet takes %u", dev->data->port_id,
			     conf->rss_key_len, VNET_CTRL_KEY_MAX);
		return -EINVAL;
	}
	if (conf->rss_hf & ~virtio_to_rss_hf(ad->hw.rss_hash_types))
		return -EINVAL;
	old = ad->cst;
	ad->cst.hash_types = rss_hf_to_virtio(conf->rss_hf) & ad->hw.rss_hash_types;
	if (conf->rss_key != NULL)
		memcpy(ad->cst.key, conf->rss_key, VNET_CTRL_KEY_MAX);
	ret = rss_commit(ad, &old);
	if (ret == 0)
		ad->rss_hf = conf->rss_hf;
	return ret;
}

int
vnet_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct vnet_adapter *ad = adapter_of(dev);

	conf->rss_hf = ad->rss_hf;
	vnet_rss_conf_set_default_algorithm(conf);
	if (!has_rss(ad) || !ad->cst.rss) {
		conf->rss_key_len = 0;	/* the device's own steering: no key */
		return 0;
	}
	if (conf->rss_key != NULL) {
		if (conf->rss_key_len < VNET_CTRL_KEY_MAX)
			return -EINVAL;
		memcpy(conf->rss_key, ad->cst.key, VNET_CTRL_KEY_MAX);
	}
	conf->rss_key_len = VNET_CTRL_KEY_MAX;
	return 0;
}
