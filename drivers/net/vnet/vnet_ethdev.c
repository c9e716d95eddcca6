/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * ethdev layer of the vnet PMD: PCI probe/remove, devargs, dev_ops, stats and xstats.
 * Primary process only (the transport ops and the safety-net thread are per process).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_pci.h>
#include <bus_pci_driver.h>
#include <ethdev_driver.h>
#include <ethdev_pci.h>
#include <ethdev_vdev.h>
#include <bus_vdev_driver.h>

#include "rte_pmd_vnet.h"
#include "vnet_compat.h"
#include "vnet_dev.h"
#include "vnet_logs.h"
#include "vnet_rxtx.h"
#include "vnet_vhost_user.h"

RTE_LOG_REGISTER_SUFFIX(vnet_logtype_init, init, NOTICE);
RTE_LOG_REGISTER_SUFFIX(vnet_logtype_driver, driver, NOTICE);

#define VNET_ARG_EVENT_IDX	"event_idx"
#define VNET_ARG_COALESCE	"kick_coalesce"
#define VNET_ARG_DELAY_US	"kick_delay_us"
#define VNET_ARG_PATH		"path"
#define VNET_ARG_QUEUES		"queues"
#define VNET_ARG_QUEUE_SIZE	"queue_size"
#define VNET_ARG_SERVER		"server"
#define VNET_ARG_MAC		"mac"

#define VNET_COALESCE_MAX	4096
#define VNET_DELAY_US_MIN	1
#define VNET_DELAY_US_MAX	100000
#define VNET_DELAY_US_DEFAULT	50
#define VNET_VU_QUEUES_MAX	8
#define VNET_VU_QUEUE_SIZE_DEFAULT 256

#define VNET_DEFAULT_FREE_THRESH 32
/* RX refills in batches of 64: half as many kick decisions (each a full barrier). */
#define VNET_DEFAULT_RX_FREE_THRESH 64
/* Ethernet header + one VLAN tag on top of the MTU. */
#define VNET_L2_OVERHEAD	(RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)

#define VNET_PCI_ARGS_HELP \
	VNET_ARG_EVENT_IDX "=0|1 " VNET_ARG_COALESCE "=0..4096 " VNET_ARG_DELAY_US "=1..100000"
#define VNET_USER_ARGS_HELP \
	VNET_ARG_PATH "=<unix socket> " VNET_ARG_QUEUES "=1..8 " VNET_ARG_QUEUE_SIZE \
	"=<power of two 2..32768> " VNET_ARG_SERVER "=0|1 " VNET_ARG_MAC "=<xx:xx:xx:xx:xx:xx> " \
	VNET_PCI_ARGS_HELP

static const char * const vnet_pci_valid_args[] = {
	VNET_ARG_EVENT_IDX,
	VNET_ARG_COALESCE,
	VNET_ARG_DELAY_US,
	NULL,
};

static const char * const vnet_user_valid_args[] = {
	VNET_ARG_EVENT_IDX,
	VNET_ARG_COALESCE,
	VNET_ARG_DELAY_US,
	VNET_ARG_PATH,
	VNET_ARG_QUEUES,
	VNET_ARG_QUEUE_SIZE,
	VNET_ARG_SERVER,
	VNET_ARG_MAC,
	NULL,
};

/** Parsed devargs. */
struct vnet_devargs {
	bool event_idx;		/**< negotiate VIRTIO_F_EVENT_IDX when offered */
	uint16_t coalesce;	/**< TX kick coalescing threshold in buffers, 0 = off */
	uint32_t delay_us;	/**< longest a published TX buffer waits for its kick */
	struct vnet_vu_args vu;	/**< vhost-user transport (net_vnet_user only) */
};

/** ethdev private data. */
struct vnet_adapter {
	struct vnet_hw hw;
	struct vnet_devargs args;
	const struct vnet_burst_variant *variant;
	bool started;
	bool safety_running;
	volatile bool safety_stop;
	vnet_thread_t safety_tid;
	uint16_t port_id;
	int (*tp_init)(struct rte_eth_dev *dev);	/**< transport bring-up, for reset */
};

static inline struct vnet_adapter *
adapter_of(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

/* ---- devargs ---- */

static int
parse_uint(const char *key, const char *value, unsigned long min, unsigned long max,
	   unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	if (value == NULL || *value == '\0' || *value == '-')
		goto bad;
	v = strtoul(value, &end, 0);
	if (errno != 0 || end == NULL || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	VNET_INIT_LOG(ERR, "devarg %s=%s: expected an integer in [%lu, %lu]", key,
		      value != NULL ? value : "", min, max);
	return -EINVAL;
}

static int
devarg_handler(const char *key, const char *value, void *opaque)
{
	struct vnet_devargs *a = opaque;
	unsigned long v;
	int ret;

	if (strcmp(key, VNET_ARG_EVENT_IDX) == 0) {
		ret = parse_uint(key, value, 0, 1, &v);
		if (ret == 0)
			a->event_idx = v != 0;
	} else if (strcmp(key, VNET_ARG_COALESCE) == 0) {
		ret = parse_uint(key, value, 0, VNET_COALESCE_MAX, &v);
		if (ret == 0)
			a->coalesce = (uint16_t)v;
	} else if (strcmp(key, VNET_ARG_DELAY_US) == 0) {
		ret = parse_uint(key, value, VNET_DELAY_US_MIN, VNET_DELAY_US_MAX, &v);
		if (ret == 0)
			a->delay_us = (uint32_t)v;
	} else if (strcmp(key, VNET_ARG_PATH) == 0) {
		ret = 0;
		if (value == NULL || value[0] == '\0' || strlen(value) >= sizeof(a->vu.path)) {
			VNET_INIT_LOG(ERR, "devarg " VNET_ARG_PATH "=%s: expected a unix socket "
				      "path of 1..%zu characters", value != NULL ? value : "",
				      sizeof(a->vu.path) - 1);
			ret = -EINVAL;
		} else {
			snprintf(a->vu.path, sizeof(a->vu.path), "%s", value);
		}
	} else if (strcmp(key, VNET_ARG_QUEUES) == 0) {
		ret = parse_uint(key, value, 1, VNET_VU_QUEUES_MAX, &v);
		if (ret == 0)
			a->vu.queues = (uint16_t)v;
	} else if (strcmp(key, VNET_ARG_QUEUE_SIZE) == 0) {
		ret = parse_uint(key, value, 2, VNET_VRING_MAX_SIZE, &v);
		if (ret == 0 && (v & (v - 1)) != 0) {
			VNET_INIT_LOG(ERR, "devarg " VNET_ARG_QUEUE_SIZE "=%s: must be a power of "
				      "two in [2, %u]", value, VNET_VRING_MAX_SIZE);
			ret = -EINVAL;
		}
		if (ret == 0)
			a->vu.queue_size = (uint16_t)v;
	} else if (strcmp(key, VNET_ARG_SERVER) == 0) {
		ret = parse_uint(key, value, 0, 1, &v);
		if (ret == 0)
			a->vu.server = v != 0;
	} else if (strcmp(key, VNET_ARG_MAC) == 0) {
		struct rte_ether_addr mac;

		ret = 0;
		if (value == NULL || rte_ether_unformat_addr(value, &mac) != 0 ||
		    !rte_is_valid_assigned_ether_addr(&mac)) {
			VNET_INIT_LOG(ERR, "devarg " VNET_ARG_MAC "=%s: expected a unicast MAC "
				      "address xx:xx:xx:xx:xx:xx", value != NULL ? value : "");
			ret = -EINVAL;
		} else {
			memcpy(a->vu.mac, mac.addr_bytes, sizeof(a->vu.mac));
			a->vu.mac_set = true;
		}
	} else {
		ret = -EINVAL;
	}
	return ret;
}

/* rte_kvargs_parse() only says "invalid": find the key it did not accept, for the log. */
static bool
find_unknown_key(const char *args, const char * const *valid, char *key, size_t size)
{
	const char *p = args;

	while (*p != '\0') {
		size_t len = strcspn(p, "=,");
		unsigned int i;
		bool known = false;

		for (i = 0; valid[i] != NULL; i++)
			if (strlen(valid[i]) == len && strncmp(valid[i], p, len) == 0)
				known = true;
		if (!known && len > 0) {
			snprintf(key, size, "%.*s", (int)RTE_MIN(len, size - 1), p);
			return true;
		}
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return false;
}

static int
parse_devargs(const char *args, const char * const *valid, const char *help,
	      struct vnet_devargs *a)
{
	struct rte_kvargs *kv;
	int ret;

	memset(a, 0, sizeof(*a));
	a->event_idx = true;
	a->delay_us = VNET_DELAY_US_DEFAULT;
	a->vu.queues = 1;
	a->vu.queue_size = VNET_VU_QUEUE_SIZE_DEFAULT;
	if (args == NULL || args[0] == '\0')
		return 0;

	kv = rte_kvargs_parse(args, valid);
	if (kv == NULL) {
		char bad[64];

		if (find_unknown_key(args, valid, bad, sizeof(bad)))
			VNET_INIT_LOG(ERR, "unknown devarg key \"%s\" in \"%s\": accepted: %s",
				      bad, args, help);
		else
			VNET_INIT_LOG(ERR, "invalid devargs \"%s\": accepted: %s", args, help);
		return -EINVAL;
	}
	ret = rte_kvargs_process(kv, NULL, devarg_handler, a);
	rte_kvargs_free(kv);
	return ret < 0 ? -EINVAL : 0;
}

/* ---- queues ---- */

static void
reclaim_mbuf(void *cookie, void *arg)
{
	RTE_SET_USED(arg);
	/* TX cookies of chains carry a tag in bit 0 (see vnet_rxtx.c). */
	rte_pktmbuf_free((struct rte_mbuf *)((uintptr_t)cookie & ~(uintptr_t)1));
}

static void
vq_free(struct vnet_vq *vq)
{
	rte_memzone_free(vq->mz);
	vq->mz = NULL;
	vq->ring_va = NULL;
	rte_free(vq->priv);
	vq->priv = NULL;
}

/* Allocate ring memory for a queue of @size entries; the ring is laid out at dev_start. */
static int
vq_alloc(struct rte_eth_dev *dev, struct vnet_vq *vq, uint16_t idx, uint16_t size,
	 unsigned int socket)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_hw *hw = &ad->hw;
	struct vnet_vring_layout l;
	char name[RTE_MEMZONE_NAMESIZE];
	unsigned long align = hw->modern ? RTE_CACHE_LINE_SIZE : VNET_VRING_LEGACY_ALIGN;

	if (vnet_vring_layout(size, align, &l) != 0)
		return -EINVAL;
	if (hw->ops->ring_mem != NULL) {
		/* The transport owns ring memory (shared with a vhost-user backend). */
		vq->ring_va = hw->ops->ring_mem(hw, idx, l.size, &vq->ring_iova);
		if (vq->ring_va == NULL)
			return -ENOMEM;
	} else {
		snprintf(name, sizeof(name), "vnet_p%u_vq%u", dev->data->port_id, idx);
		vq->mz = rte_memzone_reserve_aligned(name, l.size, (int)socket,
						     RTE_MEMZONE_IOVA_CONTIG,
						     VNET_VRING_LEGACY_ALIGN);
		if (vq->mz == NULL) {
			VNET_INIT_LOG(ERR, "port %u: cannot reserve %zu bytes of IOVA-contiguous "
				      "ring memory for queue %u: %s (are hugepages set up?)",
				      dev->data->port_id, l.size, idx, rte_strerror(rte_errno));
			return -ENOMEM;
		}
		vq->ring_va = vq->mz->addr;
		vq->ring_iova = vq->mz->iova;
	}
	vq->priv = rte_zmalloc_socket("vnet_vq_priv", vnet_vring_priv_size(size),
				      RTE_CACHE_LINE_SIZE, (int)socket);
	if (vq->priv == NULL) {
		vq_free(vq);
		return -ENOMEM;
	}
	vq->hw = hw;
	vq->idx = idx;
	vq->size = size;
	vq->avail_off = l.avail_off;
	vq->used_off = l.used_off;
	vq->socket_id = socket;
	return 0;
}

static int
vq_ring_init(struct vnet_adapter *ad, struct vnet_vq *vq)
{
	unsigned long align = ad->hw.modern ? RTE_CACHE_LINE_SIZE : VNET_VRING_LEGACY_ALIGN;

	return vnet_vring_init(&vq->vr, vq->size, align, vq->ring_va, vq->priv,
			       vnet_hw_has(&ad->hw, VNET_F_RING_EVENT_IDX));
}

/* Hand every buffer the ring still holds back: mbufs are freed, bounce slots are not. */
static void
vq_reclaim(struct vnet_vq *vq)
{
	if (vq->priv != NULL)
		vnet_vring_detach_unused(&vq->vr, vq->copy ? NULL : reclaim_mbuf, NULL);
}

/* Queue size for @nb_desc: the device max when 0, else the power of two >= nb_desc. */
static int
pick_queue_size(struct rte_eth_dev *dev, uint16_t vq_idx, uint16_t nb_desc, uint16_t *size)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t max = vnet_dev_queue_max(&ad->hw, vq_idx);
	uint32_t want;

	if (max == 0 || max > VNET_VRING_MAX_SIZE || (max & (max - 1)) != 0) {
		VNET_INIT_LOG(ERR, "port %u: device queue %u size %u is invalid",
			      dev->data->port_id, vq_idx, max);
		return -EIO;
	}
	if (!ad->hw.modern) {
		if (nb_desc != 0 && nb_desc != max)
			VNET_INIT_LOG(NOTICE, "port %u: legacy device: queue %u has a fixed size "
				      "of %u descriptors (%u requested)", dev->data->port_id,
				      vq_idx, max, nb_desc);
		*size = max;
		return 0;
	}
	if (nb_desc == 0) {
		*size = max;
		return 0;
	}
	want = rte_align32pow2(nb_desc);
	if (want > max) {
		VNET_INIT_LOG(ERR, "port %u: %u descriptors requested, the device allows at most "
			      "%u", dev->data->port_id, nb_desc, max);
		return -EINVAL;
	}
	if (want != nb_desc)
		VNET_INIT_LOG(NOTICE, "port %u: queue %u: %u descriptors rounded up to %u "
			      "(split rings need a power of two)", dev->data->port_id, vq_idx,
			      nb_desc, want);
	*size = (uint16_t)want;
	return 0;
}

static void
vnet_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vnet_rxq *rxq = dev->data->rx_queues[qid];

	if (rxq == NULL)
		return;
	vq_reclaim(&rxq->vq);
	vq_free(&rxq->vq);
	rte_free(rxq);
	dev->data->rx_queues[qid] = NULL;
}

static void
vnet_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vnet_txq *txq = dev->data->tx_queues[qid];

	if (txq == NULL)
		return;
	vq_reclaim(&txq->vq);
	vq_free(&txq->vq);
	rte_memzone_free(txq->hdr_mz);
	rte_free(txq);
	dev->data->tx_queues[qid] = NULL;
}

static int
vnet_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket, const struct rte_eth_rxconf *conf,
		    struct rte_mempool *mp)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_rxq *rxq;
	uint16_t size, room, hdr = ad->hw.hdr_size;
	uint32_t need = dev->data->mtu + VNET_L2_OVERHEAD;
	struct rte_mbuf mb_def;
	int ret;

	room = rte_pktmbuf_data_room_size(mp);
	if (room < RTE_PKTMBUF_HEADROOM + need) {
		VNET_INIT_LOG(ERR, "port %u rxq %u: mbuf data room %u too small for MTU %u: "
			      "need >= %u (headroom %u + frame %u); vnet RX does not scatter",
			      dev->data->port_id, qid, room, dev->data->mtu,
			      RTE_PKTMBUF_HEADROOM + need, RTE_PKTMBUF_HEADROOM, need);
		return -EINVAL;
	}
	ret = pick_queue_size(dev, (uint16_t)(2 * qid), nb_desc, &size);
	if (ret != 0)
		return ret;

	vnet_rx_queue_release(dev, qid);
	rxq = rte_zmalloc_socket("vnet_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, (int)socket);
	if (rxq == NULL)
		return -ENOMEM;
	ret = vq_alloc(dev, &rxq->vq, (uint16_t)(2 * qid), size, socket);
	if (ret != 0) {
		rte_free(rxq);
		return ret;
	}
	rxq->mp = mp;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = qid;
	rxq->hdr_size = hdr;
	rxq->addr_off = vnet_mbuf_addr_off(ad->hw.use_va);
	rxq->buf_len = (uint32_t)(room - RTE_PKTMBUF_HEADROOM) + hdr;
	rxq->free_thresh = conf != NULL && conf->rx_free_thresh != 0 ? conf->rx_free_thresh :
			   RTE_MIN(VNET_DEFAULT_RX_FREE_THRESH, size / 4);
	if (rxq->free_thresh == 0 || rxq->free_thresh > size)
		rxq->free_thresh = 1;

	memset(&mb_def, 0, sizeof(mb_def));
	mb_def.nb_segs = 1;
	mb_def.data_off = RTE_PKTMBUF_HEADROOM;
	mb_def.port = dev->data->port_id;
	rte_mbuf_refcnt_set(&mb_def, 1);
	/* rearm_data is a zero-length marker: copy the 8 bytes it marks. */
	memcpy(&rxq->mbuf_initializer,
	       (uint8_t *)&mb_def + offsetof(struct rte_mbuf, rearm_data), sizeof(uint64_t));

	dev->data->rx_queues[qid] = rxq;
	return 0;
}

static int
vnet_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_txq *txq;
	char name[RTE_MEMZONE_NAMESIZE];
	uint16_t size;
	int ret;

	ret = pick_queue_size(dev, (uint16_t)(2 * qid + 1), nb_desc, &size);
	if (ret != 0)
		return ret;

	vnet_tx_queue_release(dev, qid);
	txq = rte_zmalloc_socket("vnet_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE, (int)socket);
	if (txq == NULL)
		return -ENOMEM;
	ret = vq_alloc(dev, &txq->vq, (uint16_t)(2 * qid + 1), size, socket);
	if (ret != 0)
		goto err_free;
	snprintf(name, sizeof(name), "vnet_p%u_txhdr%u", dev->data->port_id, qid);
	txq->hdr_mz = rte_memzone_reserve_aligned(name, RTE_CACHE_LINE_SIZE, (int)socket,
						  RTE_MEMZONE_IOVA_CONTIG, RTE_CACHE_LINE_SIZE);
	if (txq->hdr_mz == NULL) {
		ret = -ENOMEM;
		goto err_vq;
	}
	memset(txq->hdr_mz->addr, 0, RTE_CACHE_LINE_SIZE);
	txq->hdr_iova = ad->hw.use_va ? (uint64_t)(uintptr_t)txq->hdr_mz->addr :
			txq->hdr_mz->iova;
	txq->addr_off = vnet_mbuf_addr_off(ad->hw.use_va);
	txq->port_id = dev->data->port_id;
	txq->queue_id = qid;
	txq->hdr_size = ad->hw.hdr_size;
	txq->fast_free = ((dev->data->dev_conf.txmode.offloads |
			   (conf != NULL ? conf->offloads : 0)) &
			  RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE) != 0;
	txq->free_thresh = conf != NULL && conf->tx_free_thresh != 0 ? conf->tx_free_thresh :
			   RTE_MIN(VNET_DEFAULT_FREE_THRESH, size / 4);
	if (txq->free_thresh == 0 || txq->free_thresh > size)
		txq->free_thresh = 1;
	txq->coalesce_pkts = ad->args.coalesce;
	txq->coalesce_tsc = (uint64_t)ad->args.delay_us * rte_get_tsc_hz() / 1000000;
	if (txq->coalesce_tsc == 0)
		txq->coalesce_tsc = 1;
	dev->data->tx_queues[qid] = txq;
	return 0;

err_vq:
	vq_free(&txq->vq);
err_free:
	rte_free(txq);
	return ret;
}

/* ---- safety net for coalesced kicks ---- */

static vnet_thread_ret_t
safety_thread(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vnet_adapter *ad = adapter_of(dev);
	struct timespec ts;
	uint32_t period_us = ad->args.delay_us / 2;
	uint16_t q;

	if (period_us < 10)
		period_us = 10;
	ts.tv_sec = period_us / 1000000;
	ts.tv_nsec = (long)(period_us % 1000000) * 1000;
	while (!ad->safety_stop) {
		uint64_t now;

		nanosleep(&ts, NULL);
		now = rte_get_tsc_cycles();
		for (q = 0; q < dev->data->nb_tx_queues; q++) {
			struct vnet_txq *txq = dev->data->tx_queues[q];

			if (txq != NULL)
				vnet_txq_safety_kick(txq, now);
		}
	}
	return VNET_THREAD_RET_OK;
}

/* ---- dev_ops ---- */

static int
vnet_dev_configure(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct rte_eth_conf *conf = &dev->data->dev_conf;

	if (dev->data->nb_rx_queues > ad->hw.max_queue_pairs ||
	    dev->data->nb_tx_queues > ad->hw.max_queue_pairs) {
		VNET_INIT_LOG(ERR, "port %u: %u rx / %u tx queues requested, vnet drives %u pair",
			      dev->data->port_id, dev->data->nb_rx_queues,
			      dev->data->nb_tx_queues, ad->hw.max_queue_pairs);
		return -EINVAL;
	}
	if (conf->rxmode.mq_mode != RTE_ETH_MQ_RX_NONE) {
		VNET_INIT_LOG(ERR, "port %u: RX multi-queue mode %d is not supported",
			      dev->data->port_id, conf->rxmode.mq_mode);
		return -ENOTSUP;
	}
	if (conf->intr_conf.lsc || conf->intr_conf.rxq) {
		VNET_INIT_LOG(ERR, "port %u: interrupts (lsc/rxq) are not supported: vnet polls",
			      dev->data->port_id);
		return -ENOTSUP;
	}
	return 0;
}

static int
vnet_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t rx_max = vnet_dev_queue_max(&ad->hw, 0);
	uint16_t tx_max = vnet_dev_queue_max(&ad->hw, 1);

	info->max_rx_queues = ad->hw.max_queue_pairs;
	info->max_tx_queues = ad->hw.max_queue_pairs;
	info->max_mac_addrs = 1;
	info->min_mtu = VNET_MIN_MTU;
	info->max_mtu = ad->hw.max_mtu;
	info->max_rx_pktlen = (uint32_t)ad->hw.max_mtu + VNET_L2_OVERHEAD;
	info->min_rx_bufsize = RTE_PKTMBUF_HEADROOM + RTE_ETHER_MIN_LEN;
	info->rx_offload_capa = 0;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	info->rx_desc_lim.nb_max = rx_max;
	info->rx_desc_lim.nb_min = ad->hw.modern ? 1 : rx_max;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = tx_max;
	info->tx_desc_lim.nb_min = ad->hw.modern ? 1 : tx_max;
	info->tx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_seg_max = 32;
	info->tx_desc_lim.nb_mtu_seg_max = 32;
	info->default_rxconf.rx_free_thresh = VNET_DEFAULT_RX_FREE_THRESH;
	info->default_txconf.tx_free_thresh = VNET_DEFAULT_FREE_THRESH;
	info->default_rxportconf.burst_size = 32;
	info->default_txportconf.burst_size = 32;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->default_rxportconf.ring_size = RTE_MIN(rx_max, 256);
	info->default_txportconf.ring_size = RTE_MIN(tx_max, 256);
	info->dev_capa = 0;
	return 0;
}

static void
stop_safety(struct vnet_adapter *ad)
{
	if (!ad->safety_running)
		return;
	ad->safety_stop = true;
	vnet_thread_join(ad->safety_tid);
	ad->safety_running = false;
}

static void
collect_vqs(struct rte_eth_dev *dev, struct vnet_vq **vqs, unsigned int *n)
{
	uint16_t q;

	*n = 0;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		if (dev->data->rx_queues[q] != NULL)
			vqs[(*n)++] = &((struct vnet_rxq *)dev->data->rx_queues[q])->vq;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		if (dev->data->tx_queues[q] != NULL)
			vqs[(*n)++] = &((struct vnet_txq *)dev->data->tx_queues[q])->vq;
}

static int
vnet_dev_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct rte_eth_link link;

	RTE_SET_USED(wait_to_complete);
	memset(&link, 0, sizeof(link));
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_speed = RTE_ETH_SPEED_NUM_UNKNOWN;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	link.link_status = ad->started && vnet_dev_link_up(&ad->hw) ? RTE_ETH_LINK_UP :
			   RTE_ETH_LINK_DOWN;
	return rte_eth_linkstatus_set(dev, &link);
}

static int
vnet_dev_stop_op(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_vq *vqs[2 * RTE_MAX_QUEUES_PER_PORT];
	unsigned int n, i;
	uint16_t q;

	if (!ad->started)
		return 0;
	stop_safety(ad);
	collect_vqs(dev, vqs, &n);
	vnet_dev_stop(&ad->hw, vqs, n);	/* reset: the device no longer touches the rings */
	for (i = 0; i < n; i++)
		vq_reclaim(vqs[i]);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	ad->started = false;
	dev->data->dev_started = 0;
	vnet_dev_link_update(dev, 0);
	return 0;
}

static int
vnet_dev_start_op(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_vq *vqs[2 * RTE_MAX_QUEUES_PER_PORT];
	uint64_t wanted = VNET_DRIVER_FEATURES;
	unsigned int n, i;
	uint16_t q;
	int ret;

	if (dev->data->nb_rx_queues == 0 || dev->data->nb_tx_queues == 0) {
		VNET_INIT_LOG(ERR, "port %u: configure at least one RX and one TX queue",
			      dev->data->port_id);
		return -EINVAL;
	}
	for (q = 0; q < RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues); q++) {
		if ((q < dev->data->nb_rx_queues && dev->data->rx_queues[q] == NULL) ||
		    (q < dev->data->nb_tx_queues && dev->data->tx_queues[q] == NULL)) {
			VNET_INIT_LOG(ERR, "port %u: queue %u is configured but not set up",
				      dev->data->port_id, q);
			return -EINVAL;
		}
	}
	if (!ad->args.event_idx)
		wanted &= ~VNET_BIT(VNET_F_RING_EVENT_IDX);
	ret = vnet_dev_negotiate(&ad->hw, wanted);
	if (ret != 0)
		return ret;

	collect_vqs(dev, vqs, &n);
	for (i = 0; i < n; i++) {
		ret = vq_ring_init(ad, vqs[i]);
		if (ret != 0)
			goto err_reset;
		vnet_vring_disable_cb(&vqs[i]->vr);	/* polling: no used notifications */
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		vnet_vring_set_min_len(&rxq->vq.vr, rxq->hdr_size);
		rxq->broken_logged = false;
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct vnet_txq *txq = dev->data->tx_queues[q];

		txq->broken_logged = false;
		txq->defer_start = 0;
	}
	ret = vnet_dev_start_queues(&ad->hw, vqs, n);
	if (ret != 0)
		goto err_reset;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		ret = vnet_rxq_fill(dev->data->rx_queues[q]);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "port %u rxq %u: mempool has no mbufs to post",
				      dev->data->port_id, q);
			goto err_stop;
		}
	}

	/* The transport decided copy mode at DRIVER_OK (vhost-user only). */
	ad->variant = vnet_burst_select(ad->args.coalesce != 0, vqs[0]->copy);
	dev->rx_pkt_burst = ad->variant->rx;
	dev->tx_pkt_burst = ad->variant->tx;

	if (ad->args.coalesce != 0) {
		ad->safety_stop = false;
		ret = vnet_thread_create(&ad->safety_tid, "vnet-kick", safety_thread, dev);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "port %u: cannot start the kick safety-net thread: %s",
				      dev->data->port_id, strerror(-ret));
			goto err_stop;
		}
		ad->safety_running = true;
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	ad->started = true;
	vnet_dev_link_update(dev, 0);
	VNET_INIT_LOG(INFO, "port %u started: %s, event-idx %s, kick coalescing %s",
		      dev->data->port_id, ad->variant->name,
		      vnet_hw_has(&ad->hw, VNET_F_RING_EVENT_IDX) ? "on" : "off",
		      ad->args.coalesce ? "on" : "off");
	return 0;

err_stop:
	vnet_dev_stop(&ad->hw, vqs, n);
	for (i = 0; i < n; i++)
		vq_reclaim(vqs[i]);
	return ret;
err_reset:
	ad->hw.ops->set_status(&ad->hw, 0);
	return ret;
}

static int
vnet_dev_close(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t q;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	vnet_dev_stop_op(dev);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		vnet_rx_queue_release(dev, q);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		vnet_tx_queue_release(dev, q);
	if (ad->hw.ops != NULL) {
		ad->hw.ops->set_status(&ad->hw, 0);
		ad->hw.ops->uninit(&ad->hw);
		ad->hw.ops = NULL;
	}
	return 0;
}

static int
vnet_promiscuous_enable(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return 0;	/* without VIRTIO_NET_F_CTRL_RX the device delivers every frame */
}

static int
vnet_promiscuous_disable(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return -ENOTSUP;	/* no control queue: the device cannot filter */
}

static int
vnet_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct vnet_adapter *ad = adapter_of(dev);
	uint16_t q;

	if (mtu < VNET_MIN_MTU || mtu > ad->hw.max_mtu)
		return -EINVAL;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL && (uint32_t)mtu + VNET_L2_OVERHEAD + rxq->hdr_size >
		    rxq->buf_len) {
			VNET_DRV_LOG(ERR, "port %u: MTU %u does not fit rxq %u buffers (%u bytes)",
				     dev->data->port_id, mtu, q, rxq->buf_len - rxq->hdr_size);
			return -EINVAL;
		}
	}
	return 0;
}

static int
vnet_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(mac);
	/* The device receives every frame (no filtering without a control queue). */
	return 0;
}

static int
vnet_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq == NULL)
			continue;
		st->ipackets += rxq->stats.packets;
		st->ibytes += rxq->stats.bytes;
		st->rx_nombuf += rxq->stats.nombuf;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = rxq->stats.packets;
			st->q_ibytes[q] = rxq->stats.bytes;
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct vnet_txq *txq = dev->data->tx_queues[q];

		if (txq == NULL)
			continue;
		st->opackets += txq->stats.packets;
		st->obytes += txq->stats.bytes;
		st->oerrors += txq->stats.errors;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[q] = txq->stats.packets;
			st->q_obytes[q] = txq->stats.bytes;
		}
	}
	return 0;
}

static int
vnet_stats_reset(struct rte_eth_dev *dev)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL)
			memset(&rxq->stats, 0, sizeof(rxq->stats));
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct vnet_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL)
			memset(&txq->stats, 0, sizeof(txq->stats));
	}
	return 0;
}

/* xstats: per queue, in this order. */
enum { RXX_PACKETS, RXX_BYTES, RXX_NOMBUF, RXX_KICKS, RXX_SUPPRESSED, RXX_BROKEN, RXX_N };
static const char * const rx_xstat_names[RXX_N] = {
	"packets", "bytes", "nombuf", RTE_PMD_VNET_XSTAT_KICKS_ISSUED,
	RTE_PMD_VNET_XSTAT_KICKS_SUPPRESSED, "broken",
};
enum { TXX_PACKETS, TXX_BYTES, TXX_ERRORS, TXX_RING_FULL, TXX_KICKS, TXX_SUPPRESSED,
       TXX_DEFERRED, TXX_SAFETY, TXX_MAX_DEFER_US, TXX_BROKEN, TXX_N };
static const char * const tx_xstat_names[TXX_N] = {
	"packets", "bytes", "errors", "ring_full", RTE_PMD_VNET_XSTAT_KICKS_ISSUED,
	RTE_PMD_VNET_XSTAT_KICKS_SUPPRESSED, RTE_PMD_VNET_XSTAT_KICKS_DEFERRED,
	RTE_PMD_VNET_XSTAT_KICKS_SAFETY, RTE_PMD_VNET_XSTAT_MAX_DEFERRAL_US, "broken",
};

/* Port-level xstats of the vhost-user transport. */
enum { VUX_CONNECTS, VUX_DISCONNECTS, VUX_COPY_MODE, VUX_N };
static const char * const vu_xstat_names[VUX_N] = {
	"vhost_user_backend_starts", "vhost_user_backend_hangups", "vhost_user_copy_mode",
};

static bool
is_vhost_user(struct rte_eth_dev *dev)
{
	return adapter_of(dev)->hw.ops == &vnet_tp_vhost_user_ops;
}

static int
vnet_xstats_count(struct rte_eth_dev *dev)
{
	return dev->data->nb_rx_queues * RXX_N + dev->data->nb_tx_queues * TXX_N +
	       (is_vhost_user(dev) ? VUX_N : 0);
}

static int
vnet_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		      unsigned int limit)
{
	unsigned int n = (unsigned int)vnet_xstats_count(dev), k = 0, i;
	uint16_t q;

	if (names == NULL || limit < n)
		return (int)n;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		for (i = 0; i < RXX_N; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "rx_q%u_%s", q,
				 rx_xstat_names[i]);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		for (i = 0; i < TXX_N; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "tx_q%u_%s", q,
				 tx_xstat_names[i]);
	for (i = 0; is_vhost_user(dev) && i < VUX_N; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", vu_xstat_names[i]);
	return (int)n;
}

static int
vnet_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int limit)
{
	unsigned int n = (unsigned int)vnet_xstats_count(dev), k = 0, i;
	uint64_t hz = rte_get_tsc_hz();
	uint16_t q;

	if (xs == NULL || limit < n)
		return (int)n;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vnet_rxq *rxq = dev->data->rx_queues[q];
		uint64_t v[RXX_N] = { 0 };

		if (rxq != NULL) {
			v[RXX_PACKETS] = rxq->stats.packets;
			v[RXX_BYTES] = rxq->stats.bytes;
			v[RXX_NOMBUF] = rxq->stats.nombuf;
			v[RXX_KICKS] = rxq->vq.vr.stats.kicks;
			v[RXX_SUPPRESSED] = rxq->vq.vr.stats.kicks_suppressed;
			v[RXX_BROKEN] = rxq->vq.vr.stats.broken;
		}
		for (i = 0; i < RXX_N; i++, k++) {
			xs[k].id = k;
			xs[k].value = v[i];
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct vnet_txq *txq = dev->data->tx_queues[q];
		uint64_t v[TXX_N] = { 0 };

		if (txq != NULL) {
			v[TXX_PACKETS] = txq->stats.packets;
			v[TXX_BYTES] = txq->stats.bytes;
			v[TXX_ERRORS] = txq->stats.errors;
			v[TXX_RING_FULL] = txq->stats.ring_full;
			v[TXX_SAFETY] = __atomic_load_n(&txq->safety_kicks, __ATOMIC_RELAXED) -
					txq->safety_kicks_base;
			v[TXX_KICKS] = txq->vq.vr.stats.kicks + v[TXX_SAFETY];
			v[TXX_SUPPRESSED] = txq->vq.vr.stats.kicks_suppressed;
			v[TXX_DEFERRED] = txq->stats.kicks_deferred;
			v[TXX_MAX_DEFER_US] = RTE_MAX(txq->stats.max_deferral_tsc,
						      __atomic_load_n(&txq->safety_max_deferral_tsc,
								      __ATOMIC_RELAXED)) *
					      1000000 / hz;
			v[TXX_BROKEN] = txq->vq.vr.stats.broken;
		}
		for (i = 0; i < TXX_N; i++, k++) {
			xs[k].id = k;
			xs[k].value = v[i];
		}
	}
	if (is_vhost_user(dev)) {
		struct vnet_hw *hw = &adapter_of(dev)->hw;
		uint64_t v[VUX_N];

		vnet_vu_counters(hw, &v[VUX_DISCONNECTS], &v[VUX_CONNECTS]);
		v[VUX_COPY_MODE] = vnet_vu_copy_mode(hw);
		for (i = 0; i < VUX_N; i++, k++) {
			xs[k].id = k;
			xs[k].value = v[i];
		}
	}
	return (int)n;
}

static int
vnet_xstats_reset(struct rte_eth_dev *dev)
{
	uint16_t q;

	vnet_stats_reset(dev);
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vnet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL) {
			rxq->vq.vr.stats.kicks = 0;
			rxq->vq.vr.stats.kicks_suppressed = 0;
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct vnet_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL) {
			txq->vq.vr.stats.kicks = 0;
			txq->vq.vr.stats.kicks_suppressed = 0;
			/* Monotonic (the lcore compares it): reset by moving the base. */
			txq->safety_kicks_base = __atomic_load_n(&txq->safety_kicks,
								 __ATOMIC_RELAXED);
			__atomic_store_n(&txq->safety_max_deferral_tsc, 0, __ATOMIC_RELAXED);
		}
	}
	return 0;
}

static int
vnet_fw_version_get(struct rte_eth_dev *dev, char *fw, size_t size)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int len;

	len = snprintf(fw, size, "virtio %s features 0x%" PRIx64,
		       ad->hw.modern ? "1.x" : "legacy", ad->hw.driver_features);
	if (len < 0)
		return -EINVAL;
	return (size_t)len + 1 > size ? len + 1 : 0;
}

static int
vnet_burst_mode_get(struct rte_eth_dev *dev, struct rte_eth_burst_mode *mode)
{
	struct vnet_adapter *ad = adapter_of(dev);
	const struct vnet_burst_variant *v = ad->variant != NULL ? ad->variant :
					     vnet_burst_select(ad->args.coalesce != 0, false);

	snprintf(mode->info, sizeof(mode->info), "%s", v->name);
	return 0;
}

static int
vnet_rx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	RTE_SET_USED(qid);
	return vnet_burst_mode_get(dev, mode);
}

static int
vnet_tx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	RTE_SET_USED(qid);
	return vnet_burst_mode_get(dev, mode);
}

static void
vnet_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_rxq_info *qinfo)
{
	const struct vnet_rxq *rxq = dev->data->rx_queues[qid];

	qinfo->mp = rxq->mp;
	qinfo->nb_desc = rxq->vq.size;
	qinfo->conf.rx_free_thresh = rxq->free_thresh;
	qinfo->rx_buf_size = (uint16_t)(rxq->buf_len - rxq->hdr_size);
}

static void
vnet_txq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_txq_info *qinfo)
{
	const struct vnet_txq *txq = dev->data->tx_queues[qid];

	qinfo->nb_desc = txq->vq.size;
	qinfo->conf.tx_free_thresh = txq->free_thresh;
}

static int vnet_dev_reset(struct rte_eth_dev *dev);

static const struct eth_dev_ops vnet_eth_dev_ops = {
	.dev_configure = vnet_dev_configure,
	.dev_start = vnet_dev_start_op,
	.dev_stop = vnet_dev_stop_op,
	.dev_close = vnet_dev_close,
	.dev_reset = vnet_dev_reset,
	.dev_infos_get = vnet_dev_infos_get,
	.link_update = vnet_dev_link_update,
	.promiscuous_enable = vnet_promiscuous_enable,
	.promiscuous_disable = vnet_promiscuous_disable,
	.mtu_set = vnet_mtu_set,
	.mac_addr_set = vnet_mac_addr_set,
	.stats_get = vnet_stats_get,
	.stats_reset = vnet_stats_reset,
	.xstats_get = vnet_xstats_get,
	.xstats_get_names = vnet_xstats_get_names,
	.xstats_reset = vnet_xstats_reset,
	.fw_version_get = vnet_fw_version_get,
	.rx_queue_setup = vnet_rx_queue_setup,
	.rx_queue_release = vnet_rx_queue_release,
	.tx_queue_setup = vnet_tx_queue_setup,
	.tx_queue_release = vnet_tx_queue_release,
	.rxq_info_get = vnet_rxq_info_get,
	.txq_info_get = vnet_txq_info_get,
	.rx_burst_mode_get = vnet_rx_burst_mode_get,
	.tx_burst_mode_get = vnet_tx_burst_mode_get,
};

/* ---- probe / remove ---- */

/* Bring up the transport of @dev (PCI mapping, or vhost-user socket and memory). */
typedef int (*vnet_tp_init_t)(struct rte_eth_dev *dev);

static int
pci_tp_init(struct rte_eth_dev *dev)
{
	return vnet_pci_transport_init(&adapter_of(dev)->hw, RTE_ETH_DEV_TO_PCI(dev));
}

static int
user_tp_init(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);

	return vnet_vu_init(&ad->hw, &ad->args.vu, ad->hw.name);
}

/*
 * Common part of probe and reset: transport, first negotiation (validates the device and
 * reads its config), MAC, then the device is reset until dev_start. ad->args and
 * ad->hw.name are set by the caller.
 */
static int
vnet_eth_setup(struct rte_eth_dev *dev, vnet_tp_init_t tp_init)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_hw *hw = &ad->hw;
	int ret;

	ad->port_id = dev->data->port_id;
	ad->tp_init = tp_init;
	ret = tp_init(dev);
	if (ret != 0)
		return ret;
	ret = vnet_dev_negotiate(hw, VNET_DRIVER_FEATURES);
	if (ret != 0)
		goto err_tp;

	dev->data->mac_addrs = rte_zmalloc("vnet_mac", RTE_ETHER_ADDR_LEN, 0);
	if (dev->data->mac_addrs == NULL) {
		ret = -ENOMEM;
		goto err_tp;
	}
	if (hw->mac_from_device && rte_is_valid_assigned_ether_addr(
			(const struct rte_ether_addr *)hw->mac)) {
		memcpy(dev->data->mac_addrs, hw->mac, RTE_ETHER_ADDR_LEN);
	} else {
		rte_eth_random_addr(dev->data->mac_addrs->addr_bytes);
		VNET_INIT_LOG(NOTICE, "%s: device %s: using random MAC " RTE_ETHER_ADDR_PRT_FMT,
			      hw->name, hw->mac_from_device ? "MAC is not a valid unicast "
			      "address" : "has no MAC",
			      RTE_ETHER_ADDR_BYTES(dev->data->mac_addrs));
	}
	dev->data->mtu = hw->mtu;
	/* Leave the device quiescent until dev_start negotiates again. */
	hw->ops->set_status(hw, 0);

	dev->dev_ops = &vnet_eth_dev_ops;
	VNET_INIT_LOG(NOTICE, "%s: port %u: %s on %s virtio-net, %s, event-idx %s%s", hw->name,
		      dev->data->port_id,
		      hw->ops == &vnet_tp_vhost_user_ops ? "net_vnet_user" :
		      RTE_PMD_VNET_DRIVER_NAME,
		      hw->modern ? "modern" : "legacy", hw->ops->name,
		      (hw->device_features & VNET_BIT(VNET_F_RING_EVENT_IDX)) ?
		      (ad->args.event_idx ? "offered" : "disabled by devargs") : "not offered",
		      ad->args.coalesce ? ", TX kick coalescing on" : "");
	return 0;

err_tp:
	hw->ops->uninit(hw);
	hw->ops = NULL;
	return ret;
}

static int
vnet_pci_eth_init(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct rte_pci_device *pci = RTE_ETH_DEV_TO_PCI(dev);
	const struct rte_devargs *da = pci->device.devargs;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		VNET_INIT_LOG(ERR, "%s: vnet supports the primary process only", pci->name);
		return -ENOTSUP;
	}
	snprintf(ad->hw.name, sizeof(ad->hw.name), "%s", pci->name);
	ret = parse_devargs(da != NULL ? da->args : NULL, vnet_pci_valid_args,
			    VNET_PCI_ARGS_HELP, &ad->args);
	if (ret != 0)
		return ret;
	return vnet_eth_setup(dev, pci_tp_init);
}

static int
vnet_dev_reset(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	vnet_tp_init_t tp_init = ad->tp_init;
	int ret = vnet_dev_close(dev);

	if (ret != 0)
		return ret;
	rte_free(dev->data->mac_addrs);
	dev->data->mac_addrs = NULL;
	return vnet_eth_setup(dev, tp_init);
}

static int
vnet_eth_uninit(struct rte_eth_dev *dev)
{
	return vnet_dev_close(dev);
}

static int
vnet_pci_probe(struct rte_pci_driver *drv, struct rte_pci_device *pci)
{
	RTE_SET_USED(drv);
	return rte_eth_dev_pci_generic_probe(pci, sizeof(struct vnet_adapter), vnet_pci_eth_init);
}

static int
vnet_pci_remove(struct rte_pci_device *pci)
{
	return rte_eth_dev_pci_generic_remove(pci, vnet_eth_uninit);
}

/* net_vnet_user: the same driver over a vhost-user socket. */
static int
vnet_user_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct vnet_devargs args;
	struct rte_eth_dev *dev;
	struct vnet_adapter *ad;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		VNET_INIT_LOG(ERR, "%s: vnet supports the primary process only", name);
		return -ENOTSUP;
	}
	ret = parse_devargs(rte_vdev_device_args(vdev), vnet_user_valid_args,
			    VNET_USER_ARGS_HELP, &args);
	if (ret != 0)
		return ret;
	if (args.vu.path[0] == '\0') {
		VNET_INIT_LOG(ERR, "%s: devarg " VNET_ARG_PATH "=<vhost-user socket> is required",
			      name);
		return -EINVAL;
	}
	dev = rte_eth_vdev_allocate(vdev, sizeof(*ad));
	if (dev == NULL)
		return -ENOMEM;
	ad = adapter_of(dev);
	ad->args = args;
	snprintf(ad->hw.name, sizeof(ad->hw.name), "%s", name);
	ret = vnet_eth_setup(dev, user_tp_init);
	if (ret != 0) {
		rte_eth_dev_release_port(dev);
		return ret;
	}
	rte_eth_dev_probing_finish(dev);
	return 0;
}

static int
vnet_user_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;	/* already closed */
	return rte_eth_dev_close(dev->data->port_id);
}

static struct rte_vdev_driver vnet_user_driver = {
	.probe = vnet_user_probe,
	.remove = vnet_user_remove,
};

static const struct rte_pci_id vnet_pci_id_map[] = {
	{ RTE_PCI_DEVICE(VNET_PCI_VENDOR_ID, VNET_PCI_DEVICE_ID_NET_MODERN) },
	{ RTE_PCI_DEVICE(VNET_PCI_VENDOR_ID, VNET_PCI_DEVICE_ID_NET_LEGACY) },
	{ .vendor_id = 0 },
};

static struct rte_pci_driver vnet_pci_driver = {
	.id_table = vnet_pci_id_map,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING,
	.probe = vnet_pci_probe,
	.remove = vnet_pci_remove,
};

/*
 * Legacy devices are notified through I/O port writes from the lcores. I/O privilege
 * (iopl) is per thread and inherited at thread creation: take it when the plugin loads,
 * before EAL starts the lcore threads, or their first kick faults (SIGSEGV). Failure is
 * not fatal here: only the legacy transport needs it, and its probe reports the problem.
 */
RTE_INIT(vnet_iopl_init)
{
	rte_eal_iopl_init();
}

RTE_PMD_REGISTER_PCI(net_vnet, vnet_pci_driver);
RTE_PMD_REGISTER_PCI_TABLE(net_vnet, vnet_pci_id_map);
RTE_PMD_REGISTER_KMOD_DEP(net_vnet, "* igb_uio | uio_pci_generic | vfio-pci");
RTE_PMD_REGISTER_PARAM_STRING(net_vnet,
			      VNET_ARG_EVENT_IDX "=<0|1> "
			      VNET_ARG_COALESCE "=<0-4096> "
			      VNET_ARG_DELAY_US "=<1-100000>");

RTE_PMD_REGISTER_VDEV(net_vnet_user, vnet_user_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_vnet_user,
			      VNET_ARG_PATH "=<path> "
			      VNET_ARG_QUEUES "=<1-8> "
			      VNET_ARG_QUEUE_SIZE "=<2-32768, power of two> "
			      VNET_ARG_SERVER "=<0|1> "
			      VNET_ARG_MAC "=<mac addr> "
			      VNET_ARG_EVENT_IDX "=<0|1> "
			      VNET_ARG_COALESCE "=<0-4096> "
			      VNET_ARG_DELAY_US "=<1-100000>");
