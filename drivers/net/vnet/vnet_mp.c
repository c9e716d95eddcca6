/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Secondary processes. The port's data (rings, queues, adapter) lives in EAL shared memory
 * at the same address in every process; what does not is per process:
 *  - code addresses: the plugin may load at another address, so the transport ops and the
 *    burst variant pointers of the primary are never called here. The primary publishes
 *    the variants as table indices (ad->rx_variant_id) and the secondary's burst entry
 *    points look them up in their own table (one indexed load per burst, secondary only);
 *  - file descriptors and mmaps: vhost-user rings and bounce buffers are memfds mapped by
 *    the primary, kicks are eventfd writes. The primary passes the fds over the rte_mp
 *    action "vnet_mp" (SCM_RIGHTS); the secondary maps the memfds at the primary's
 *    addresses (MAP_FIXED_NOREPLACE: attach fails rather than move a mapping) and keeps its
 *    own copies of the kick fds. PCI BARs are mapped at the same address by the PCI bus,
 *    so a modern device's doorbells work as they are; legacy I/O ports do not (refused);
 *  - dev_ops: a secondary gets the ones that only read shared data (statistics, infos,
 *    queue infos, RSS queries, the private dump); every control op that would touch the
 *    device or the queues returns -E_RTE_SECONDARY (ask the primary).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_spinlock.h>
#include <ethdev_driver.h>
#include <bus_vdev_driver.h>

#include "vnet_ethdev.h"
#include "vnet_logs.h"
#include "vnet_mp.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

bool vnet_mp_is_secondary;

/* Requests of the "vnet_mp" action. */
enum vnet_mp_op {
	VNET_MP_OP_SHM = 1,	/* reply fds: rings memfd, bounce memfd (if any) */
	VNET_MP_OP_KICK = 2,	/* reply fds: kick eventfds from virtqueue 'first' on */
};

struct vnet_mp_req {
	char port[RTE_ETH_NAME_MAX_LEN];
	uint32_t op;
	uint32_t first;
};

struct vnet_mp_rep {
	int32_t result;		/* 0 or a negative errno */
	uint32_t nfds;
	uint64_t rings_va;
	uint64_t rings_len;
	uint64_t bounce_va;
	uint64_t bounce_len;
	uint32_t nkick;		/* kick fds the port has in all */
};

_Static_assert(sizeof(struct vnet_mp_req) <= RTE_MP_MAX_PARAM_LEN, "vnet_mp request size");
_Static_assert(sizeof(struct vnet_mp_rep) <= RTE_MP_MAX_PARAM_LEN, "vnet_mp reply size");

/* Largest virtqueue count a vhost-user port has (VNET_VU_QUEUES_MAX pairs). */
#define VNET_MP_KICK_MAX	(2 * VNET_VU_QUEUES_MAX)
#define VNET_MP_TIMEOUT_S	5

/* Per-process state of a port in a secondary (eth_dev->process_private). */
struct vnet_mp_proc {
	uint16_t port_id;
	bool vhost_user;
	bool bounce_failed;		/* a late bounce mapping failed (logged once) */
	rte_spinlock_t lock;		/* late bounce mapping from the lcores */
	int kickfd[VNET_MP_KICK_MAX];
	uint16_t nkick;
	void *rings_va;
	size_t rings_len;
	void *bounce_va;
	size_t bounce_len;
};

/* Secondary: the process_private of each port, for the notify path (which has only a vq). */
static struct vnet_mp_proc *mp_procs[RTE_MAX_ETHPORTS];

/* ---- primary: the "vnet_mp" action ---- */

static int
mp_reply_err(struct rte_mp_msg *rep, const void *peer, int err)
{
	struct vnet_mp_rep *r = (struct vnet_mp_rep *)rep->param;

	r->result = err;
	rep->num_fds = 0;
	return rte_mp_reply(rep, peer);
}

static int
vnet_mp_handle(const struct rte_mp_msg *msg, const void *peer)
{
	const struct vnet_mp_req *req = (const struct vnet_mp_req *)msg->param;
	struct rte_mp_msg rep;
	struct vnet_mp_rep *r = (struct vnet_mp_rep *)rep.param;
	struct vnet_vu_share s;
	struct rte_eth_dev *dev;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t port;
	uint32_t i;

	memset(&rep, 0, sizeof(rep));
	snprintf(rep.name, sizeof(rep.name), "%s", VNET_MP_ACTION);
	rep.len_param = sizeof(*r);
	if (msg->len_param != sizeof(*req))
		return mp_reply_err(&rep, peer, -EINVAL);
	memcpy(name, req->port, sizeof(name));
	name[sizeof(name) - 1] = '\0';
	if (rte_eth_dev_get_port_by_name(name, &port) != 0)
		return mp_reply_err(&rep, peer, -ENODEV);
	dev = &rte_eth_devices[port];
	if (dev->dev_ops != &vnet_eth_dev_ops ||
	    vnet_vu_share_get(&adapter_of(dev)->hw, &s) != 0)
		return mp_reply_err(&rep, peer, -ENODEV);
	r->nkick = s.nkick;
	switch (req->op) {
	case VNET_MP_OP_SHM:
		r->rings_va = (uint64_t)(uintptr_t)s.rings_va;
		r->rings_len = s.rings_len;
		rep.fds[rep.num_fds++] = s.rings_fd;
		if (s.bounce_fd >= 0) {
			r->bounce_va = (uint64_t)(uintptr_t)s.bounce_va;
			r->bounce_len = s.bounce_len;
			rep.fds[rep.num_fds++] = s.bounce_fd;
		}
		break;
	case VNET_MP_OP_KICK:
		for (i = req->first; i < s.nkick && rep.num_fds < RTE_MP_MAX_FD_NUM; i++)
			rep.fds[rep.num_fds++] = s.kickfd[i];
		break;
	default:
		return mp_reply_err(&rep, peer, -EINVAL);
	}
	r->nfds = (uint32_t)rep.num_fds;
	r->result = 0;
	VNET_INIT_LOG(DEBUG, "%s: secondary request %u: %u fd(s)", name, req->op, r->nfds);
	return rte_mp_reply(&rep, peer);
}

void
vnet_mp_primary_init(void)
{
	static bool done;

	if (done)
		return;
	if (rte_mp_action_register(VNET_MP_ACTION, vnet_mp_handle) != 0 &&
	    rte_errno != EEXIST) {
		VNET_INIT_LOG(DEBUG, "no multi-process channel (%s): vnet serves no secondary "
			      "process", rte_strerror(rte_errno));
		return;
	}
	done = true;
}

/* ---- secondary: bursts ---- */

static inline const struct vnet_adapter *
vq_adapter(const struct vnet_vq *vq)
{
	return container_of(vq->hw, const struct vnet_adapter, hw);
}

static int bounce_map_late(struct vnet_mp_proc *p, const char *port);

/*
 * Copy mode began after this secondary attached (the primary creates the bounce area at
 * its first copy-mode start): map it now, once. @return true if @vq can be used.
 */
static bool
copy_ready(const struct vnet_vq *vq)
{
	struct vnet_mp_proc *p = mp_procs[vq_adapter(vq)->port_id];
	bool ok;

	if (likely(!vq->copy) || p == NULL)
		return true;
	if (likely(__atomic_load_n(&p->bounce_va, __ATOMIC_ACQUIRE) != NULL))
		return true;
	if (p->bounce_failed)
		return false;
	rte_spinlock_lock(&p->lock);
	ok = p->bounce_va != NULL ||
	     bounce_map_late(p, rte_eth_devices[p->port_id].data->name) == 0;
	rte_spinlock_unlock(&p->lock);
	return ok;
}

/* A stopped port (or one between stop and start) receives and sends nothing. */
static uint16_t
mp_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vnet_vq *vq = &((struct vnet_rxq *)q)->vq;
	const struct vnet_adapter *ad = vq_adapter(vq);
	const struct vnet_rx_variant *v;

	if (unlikely(!__atomic_load_n(&ad->started, __ATOMIC_ACQUIRE)) ||
	    unlikely(!copy_ready(vq)))
		return 0;
	v = vnet_rx_variant_by_id(ad->rx_variant_id);
	return likely(v != NULL) ? v->fn(q, pkts, n) : 0;
}

static uint16_t
mp_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vnet_vq *vq = &((struct vnet_txq *)q)->vq;
	const struct vnet_adapter *ad = vq_adapter(vq);
	const struct vnet_tx_variant *v;

	if (unlikely(!__atomic_load_n(&ad->started, __ATOMIC_ACQUIRE)) ||
	    unlikely(!copy_ready(vq)))
		return 0;
	v = vnet_tx_variant_by_id(ad->tx_variant_id);
	return likely(v != NULL) ? v->fn(q, pkts, n) : 0;
}

static uint16_t
mp_tx_prepare(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vnet_adapter *ad = vq_adapter(&((struct vnet_txq *)q)->vq);
	const struct vnet_tx_variant *v = vnet_tx_variant_by_id(ad->tx_variant_id);

	return v != NULL && v->prep != NULL ? v->prep(q, pkts, n) : n;
}

void
vnet_mp_notify(struct vnet_vq *vq)
{
	const struct vnet_adapter *ad = vq_adapter(vq);
	const struct vnet_mp_proc *p = mp_procs[ad->port_id];
	uint64_t one = 1;
	ssize_t r;

	if (p == NULL || vq->idx >= p->nkick || p->kickfd[vq->idx] < 0)
		return;
	/* As in the primary: an eventfd write never blocks short of 2^64 - 2 pending kicks. */
	r = write(p->kickfd[vq->idx], &one, sizeof(one));
	RTE_SET_USED(r);
}

/* ---- secondary: dev_ops ---- */

static int
sec_refuse_op(struct rte_eth_dev *dev, const char *op)
{
	VNET_DRV_LOG(NOTICE, "port %u: %s refused in a secondary process (-E_RTE_SECONDARY): "
		     "control operations of vnet ports run in the primary", dev->data->port_id, op);
	return -E_RTE_SECONDARY;
}

#define sec_refuse(dev) sec_refuse_op(dev, __func__ + 4)	/* "sec_xxx" -> "xxx" */

/* One refusal per dev_op with the (dev) signature, named in the log. */
#define SEC_DEV_OP(name)							\
static int									\
sec_##name(struct rte_eth_dev *dev)						\
{										\
	return sec_refuse_op(dev, #name);					\
}
SEC_DEV_OP(dev_configure)
SEC_DEV_OP(dev_start)
SEC_DEV_OP(dev_stop)
SEC_DEV_OP(dev_reset)
SEC_DEV_OP(dev_set_link_up)
SEC_DEV_OP(dev_set_link_down)
SEC_DEV_OP(promiscuous_enable)
SEC_DEV_OP(promiscuous_disable)
SEC_DEV_OP(allmulticast_enable)
SEC_DEV_OP(allmulticast_disable)

/* Queue ops (start/stop, RX interrupts): the same signature. */
#define SEC_QUEUE_OP(name)							\
static int									\
sec_##name(struct rte_eth_dev *dev, uint16_t qid)				\
{										\
	RTE_SET_USED(qid);							\
	return sec_refuse_op(dev, #name);					\
}
SEC_QUEUE_OP(rx_queue_start)
SEC_QUEUE_OP(rx_queue_stop)
SEC_QUEUE_OP(tx_queue_start)
SEC_QUEUE_OP(tx_queue_stop)
SEC_QUEUE_OP(rx_queue_intr_enable)
SEC_QUEUE_OP(rx_queue_intr_disable)

static int
sec_mac_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac, uint32_t index, uint32_t pool)
{
	RTE_SET_USED(mac);
	RTE_SET_USED(index);
	RTE_SET_USED(pool);
	return sec_refuse(dev);
}

static void
sec_mac_remove(struct rte_eth_dev *dev, uint32_t index)
{
	RTE_SET_USED(index);
	sec_refuse(dev);
}

static int
sec_mac_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	RTE_SET_USED(mac);
	return sec_refuse(dev);
}

static int
sec_mc_list(struct rte_eth_dev *dev, struct rte_ether_addr *list, uint32_t n)
{
	RTE_SET_USED(list);
	RTE_SET_USED(n);
	return sec_refuse(dev);
}

static int
sec_vlan_filter(struct rte_eth_dev *dev, uint16_t vid, int on)
{
	RTE_SET_USED(vid);
	RTE_SET_USED(on);
	return sec_refuse(dev);
}

static int
sec_vlan_offload(struct rte_eth_dev *dev, int mask)
{
	RTE_SET_USED(mask);
	return sec_refuse(dev);
}

static int
sec_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf, uint16_t size)
{
	RTE_SET_USED(conf);
	RTE_SET_USED(size);
	return sec_refuse(dev);
}

static int
sec_rss_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	RTE_SET_USED(conf);
	return sec_refuse(dev);
}

static int
sec_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	RTE_SET_USED(mtu);
	return sec_refuse(dev);
}

static int
sec_rxq_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb, unsigned int socket,
	      const struct rte_eth_rxconf *conf, struct rte_mempool *mp)
{
	RTE_SET_USED(qid);
	RTE_SET_USED(nb);
	RTE_SET_USED(socket);
	RTE_SET_USED(conf);
	RTE_SET_USED(mp);
	return sec_refuse(dev);
}

static int
sec_txq_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb, unsigned int socket,
	      const struct rte_eth_txconf *conf)
{
	RTE_SET_USED(qid);
	RTE_SET_USED(nb);
	RTE_SET_USED(socket);
	RTE_SET_USED(conf);
	return sec_refuse(dev);
}

/* The link as the primary last recorded it in the shared dev_link (no device access). */
static int
sec_link_update(struct rte_eth_dev *dev, int wait)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(wait);
	return 0;
}

static int
sec_rx_burst_mode(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	const struct vnet_adapter *ad = adapter_of(dev);
	const struct vnet_rx_variant *v = ad->started ? vnet_rx_variant_by_id(ad->rx_variant_id) :
					  NULL;

	RTE_SET_USED(qid);
	snprintf(mode->info, sizeof(mode->info), "%s", v != NULL ? v->name : "not started");
	return 0;
}

static int
sec_tx_burst_mode(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	const struct vnet_adapter *ad = adapter_of(dev);
	const struct vnet_tx_variant *v = ad->started ? vnet_tx_variant_by_id(ad->tx_variant_id) :
					  NULL;

	RTE_SET_USED(qid);
	snprintf(mode->info, sizeof(mode->info), "%s", v != NULL ? v->name : "not started");
	return 0;
}

static int
sec_close(struct rte_eth_dev *dev)
{
	vnet_mp_detach(dev);
	return 0;
}

static struct eth_dev_ops sec_ops;

/*
 * The secondary's dev_ops: an explicit list of the primary's ops that only read shared
 * data (an op added to the primary's table later stays out until it is checked), the rest
 * refused.
 */
static void
sec_ops_init(void)
{
	const struct eth_dev_ops *p = &vnet_eth_dev_ops;

	sec_ops.dev_infos_get = p->dev_infos_get;
	sec_ops.stats_get = p->stats_get;
	sec_ops.stats_reset = p->stats_reset;
	sec_ops.xstats_get = p->xstats_get;
	sec_ops.xstats_get_names = p->xstats_get_names;
	sec_ops.xstats_reset = p->xstats_reset;
	sec_ops.rxq_info_get = p->rxq_info_get;
	sec_ops.txq_info_get = p->txq_info_get;
	sec_ops.reta_query = p->reta_query;
	sec_ops.rss_hash_conf_get = p->rss_hash_conf_get;
	sec_ops.fw_version_get = p->fw_version_get;
	sec_ops.dev_supported_ptypes_get = p->dev_supported_ptypes_get;
	sec_ops.eth_dev_priv_dump = vnet_priv_dump;
	sec_ops.link_update = sec_link_update;
	sec_ops.rx_burst_mode_get = sec_rx_burst_mode;
	sec_ops.tx_burst_mode_get = sec_tx_burst_mode;
	sec_ops.dev_close = sec_close;

	sec_ops.dev_configure = sec_dev_configure;
	sec_ops.dev_start = sec_dev_start;
	sec_ops.dev_stop = sec_dev_stop;
	sec_ops.dev_reset = sec_dev_reset;
	sec_ops.dev_set_link_up = sec_dev_set_link_up;
	sec_ops.dev_set_link_down = sec_dev_set_link_down;
	sec_ops.promiscuous_enable = sec_promiscuous_enable;
	sec_ops.promiscuous_disable = sec_promiscuous_disable;
	sec_ops.allmulticast_enable = sec_allmulticast_enable;
	sec_ops.allmulticast_disable = sec_allmulticast_disable;
	sec_ops.mac_addr_add = sec_mac_add;
	sec_ops.mac_addr_remove = sec_mac_remove;
	sec_ops.mac_addr_set = sec_mac_set;
	sec_ops.set_mc_addr_list = sec_mc_list;
	sec_ops.vlan_filter_set = sec_vlan_filter;
	sec_ops.vlan_offload_set = sec_vlan_offload;
	sec_ops.reta_update = sec_reta_update;
	sec_ops.rss_hash_update = sec_rss_update;
	sec_ops.mtu_set = sec_mtu_set;
	sec_ops.rx_queue_setup = sec_rxq_setup;
	sec_ops.tx_queue_setup = sec_txq_setup;
	sec_ops.rx_queue_start = sec_rx_queue_start;
	sec_ops.rx_queue_stop = sec_rx_queue_stop;
	sec_ops.tx_queue_start = sec_tx_queue_start;
	sec_ops.tx_queue_stop = sec_tx_queue_stop;
	sec_ops.rx_queue_intr_enable = sec_rx_queue_intr_enable;
	sec_ops.rx_queue_intr_disable = sec_rx_queue_intr_disable;
}

/* ---- secondary: attach / detach ---- */

static int
mp_request(const char *port, uint32_t op, uint32_t first, struct vnet_mp_rep *out,
	   int *fds, unsigned int max_fds)
{
	struct timespec ts = { .tv_sec = VNET_MP_TIMEOUT_S, .tv_nsec = 0 };
	struct rte_mp_msg req;
	struct vnet_mp_req *q = (struct vnet_mp_req *)req.param;
	struct rte_mp_reply reply;
	const struct rte_mp_msg *m;
	int ret = 0, i;

	memset(&req, 0, sizeof(req));
	snprintf(req.name, sizeof(req.name), "%s", VNET_MP_ACTION);
	req.len_param = sizeof(*q);
	snprintf(q->port, sizeof(q->port), "%s", port);
	q->op = op;
	q->first = first;
	memset(&reply, 0, sizeof(reply));
	if (rte_mp_request_sync(&req, &reply, &ts) != 0 || reply.nb_received != 1) {
		VNET_INIT_LOG(ERR, "%s: no answer from the primary process to \"%s\" (%s): is "
			      "the primary's vnet plugin the same version?", port, VNET_MP_ACTION,
			      rte_strerror(rte_errno));
		free(reply.msgs);
		return -EIO;
	}
	m = &reply.msgs[0];
	if (m->len_param != sizeof(*out)) {
		ret = -EPROTO;
	} else {
		memcpy(out, m->param, sizeof(*out));
		if (out->result != 0)
			ret = out->result;
		else if (out->nfds != (uint32_t)m->num_fds || out->nfds > max_fds)
			ret = -EPROTO;
	}
	for (i = 0; i < m->num_fds; i++) {
		if (ret == 0)
			fds[i] = m->fds[i];
		else
			close(m->fds[i]);
	}
	free(reply.msgs);
	if (ret != 0)
		VNET_INIT_LOG(ERR, "%s: the primary refused request %u: %s", port, op,
			      strerror(-ret));
	return ret;
}

/* Map memfd @fd at @va, the primary's address of it. The fd is closed either way. */
static int
map_at(const char *port, const char *what, int fd, uint64_t va, uint64_t len, void **out)
{
	void *p = mmap((void *)(uintptr_t)va, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	int err = errno;

	close(fd);
	if (p == MAP_FAILED || p != (void *)(uintptr_t)va) {
		if (p != MAP_FAILED)
			munmap(p, len);
		VNET_INIT_LOG(ERR, "%s: cannot map the %s (%" PRIu64 " bytes) at the primary's "
			      "address %#" PRIx64 ": %s", port, what, len, va,
			      p == MAP_FAILED ? strerror(err) : "the kernel placed it elsewhere");
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

static int
attach_vhost_user(struct rte_eth_dev *dev, struct vnet_mp_proc *p)
{
	const char *port = dev->data->name;
	struct vnet_mp_rep r;
	int fds[RTE_MP_MAX_FD_NUM];
	uint32_t first, i;
	int ret;

	ret = mp_request(port, VNET_MP_OP_SHM, 0, &r, fds, RTE_MP_MAX_FD_NUM);
	if (ret != 0)
		return ret;
	if (r.nfds < 1 || r.nkick > VNET_MP_KICK_MAX) {
		for (i = 0; i < r.nfds; i++)
			close(fds[i]);
		return -EPROTO;
	}
	ret = map_at(port, "shared ring memory", fds[0], r.rings_va, r.rings_len, &p->rings_va);
	if (ret == 0)
		p->rings_len = r.rings_len;
	if (r.nfds > 1) {
		if (ret == 0) {
			ret = map_at(port, "bounce buffers", fds[1], r.bounce_va, r.bounce_len,
				     &p->bounce_va);
			if (ret == 0)
				p->bounce_len = r.bounce_len;
		} else {
			close(fds[1]);
		}
	}
	if (ret != 0)
		return ret;
	for (first = 0; first < r.nkick; first += (uint32_t)RTE_MP_MAX_FD_NUM) {
		struct vnet_mp_rep k;

		ret = mp_request(port, VNET_MP_OP_KICK, first, &k, fds, RTE_MP_MAX_FD_NUM);
		if (ret != 0)
			return ret;
		for (i = 0; i < k.nfds; i++) {
			if (first + i < VNET_MP_KICK_MAX)
				p->kickfd[first + i] = fds[i];
			else
				close(fds[i]);
		}
		if (k.nfds == 0)
			break;
	}
	p->nkick = (uint16_t)r.nkick;
	VNET_INIT_LOG(NOTICE, "%s: secondary: ring memory at %p (%zu bytes)%s, %u kick fds",
		      port, p->rings_va, p->rings_len, p->bounce_va != NULL ?
		      ", bounce buffers mapped" : "", p->nkick);
	return 0;
}

static int
bounce_map_late(struct vnet_mp_proc *p, const char *port)
{
	struct vnet_mp_rep r;
	int fds[RTE_MP_MAX_FD_NUM];
	void *va = NULL;
	uint32_t i;
	int ret;

	ret = mp_request(port, VNET_MP_OP_SHM, 0, &r, fds, RTE_MP_MAX_FD_NUM);
	if (ret == 0) {
		close(fds[0]);	/* the rings: mapped at attach */
		if (r.nfds < 2)
			ret = -ENOENT;
		for (i = 2; i < r.nfds; i++)
			close(fds[i]);
		if (ret == 0)
			ret = map_at(port, "bounce buffers", fds[1], r.bounce_va, r.bounce_len,
				     &va);
	}
	if (ret != 0) {
		p->bounce_failed = true;
		VNET_DRV_LOG(ERR, "%s: copy mode started after this secondary attached and its "
			     "bounce buffers cannot be mapped here (%s): the port's queues return "
			     "nothing in this process", port, strerror(-ret));
		return ret;
	}
	p->bounce_len = r.bounce_len;
	__atomic_store_n(&p->bounce_va, va, __ATOMIC_RELEASE);
	VNET_DRV_LOG(NOTICE, "%s: secondary: bounce buffers mapped (copy mode began after attach)",
		     port);
	return 0;
}

static void
proc_free(struct vnet_mp_proc *p)
{
	unsigned int i;

	for (i = 0; i < VNET_MP_KICK_MAX; i++)
		if (p->kickfd[i] >= 0)
			close(p->kickfd[i]);
	if (p->rings_va != NULL)
		munmap(p->rings_va, p->rings_len);
	if (p->bounce_va != NULL)
		munmap(p->bounce_va, p->bounce_len);
	free(p);
}

int
vnet_mp_attach(struct rte_eth_dev *dev, bool vhost_user)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_mp_proc *p;
	unsigned int i;
	int ret;

	if (!vhost_user && !ad->hw.modern) {
		VNET_INIT_LOG(ERR, "%s: port %u is a legacy virtio-pci device (I/O-port "
			      "notifications): vnet runs its queues in the primary process only",
			      dev->data->name, dev->data->port_id);
		return -ENOTSUP;
	}
	if (dev->data->port_id >= RTE_MAX_ETHPORTS)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->port_id = dev->data->port_id;
	p->vhost_user = vhost_user;
	rte_spinlock_init(&p->lock);
	for (i = 0; i < VNET_MP_KICK_MAX; i++)
		p->kickfd[i] = -1;
	if (vhost_user) {
		ret = attach_vhost_user(dev, p);
		if (ret != 0) {
			proc_free(p);
			return ret;
		}
	}
	if (sec_ops.dev_infos_get == NULL)
		sec_ops_init();
	vnet_mp_is_secondary = true;
	mp_procs[p->port_id] = p;
	dev->process_private = p;
	dev->dev_ops = &sec_ops;
	dev->rx_pkt_burst = mp_rx_burst;
	dev->tx_pkt_burst = mp_tx_burst;
	dev->tx_pkt_prepare = mp_tx_prepare;
	VNET_INIT_LOG(NOTICE, "%s: port %u attached in a secondary process (%s; port %s)",
		      dev->data->name, p->port_id, vhost_user ? "vhost-user" : "virtio-pci",
		      ad->started ? "started" : "not started yet");
	return 0;
}

void
vnet_mp_detach(struct rte_eth_dev *dev)
{
	struct vnet_mp_proc *p = dev->process_private;

	if (p == NULL)
		return;
	mp_procs[p->port_id] = NULL;
	dev->process_private = NULL;
	proc_free(p);
}

int
vnet_mp_probe_vdev(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *dev = rte_eth_dev_attach_secondary(name);
	int ret;

	if (dev == NULL) {
		VNET_INIT_LOG(ERR, "%s: the primary process has no such port", name);
		return -ENODEV;
	}
	dev->device = &vdev->device;
	ret = vnet_mp_attach(dev, true);
	if (ret != 0) {
		rte_eth_dev_release_port(dev);
		return ret;
	}
	rte_eth_dev_probing_finish(dev);
	return 0;
}
