/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * vhost-user frontend transport: the emulated device (status, features, config space) as
 * transport ops, the per-port control thread (accepts, detects hang-ups, reconnects) and
 * the public entry points. Messages and memory live in vnet_vhost_user_msg.c and
 * vnet_vhost_user_mem.c.
 *
 * Threads: ethdev ops (control path) and the per-port control thread both talk to the
 * backend, serialised by vu->vh.lock. The datapath only writes kick eventfds.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal_memconfig.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include <rte_errno.h>

#include "vnet_compat.h"
#include "vnet_dev.h"
#include "vnet_logs.h"
#include "vnet_ring.h"
#include "vnet_rxtx.h"
#include "vnet_vhost_user_priv.h"

/* ---- transport ops ---- */

static void
vu_read_cfg(struct vnet_hw *hw, size_t off, void *dst, size_t len)
{
	struct vnet_vu *vu = vu_of(hw);

	vnet_vh_read_cfg(&vu->vh, vu->vh.args.mac, vnet_vu_backend_ready(hw), off, dst, len);
}

static void
vu_status_stop(struct vnet_vh_dev *vh)
{
	vnet_vu_stop_backend(container_of(vh, struct vnet_vu, vh));
}

static int
vu_status_start(struct vnet_vh_dev *vh)
{
	struct vnet_vu *vu = container_of(vh, struct vnet_vu, vh);
	int ret = vnet_vu_build_mem_table(vu);

	if (ret != 0)
		return ret;
	vnet_vu_assign_bounce(vu);
	vnet_vu_start_backend(vu);	/* failure = link down; the thread retries */
	return 0;
}

static void
vu_set_status(struct vnet_hw *hw, uint8_t status)
{
	static const struct vnet_vh_status_ops ops = {
		.stop = vu_status_stop,
		.start = vu_status_start,
	};

	vnet_vh_set_status(vnet_vh_of(hw), status, &ops);
}

/* Features the emulated device offers: the backend's, plus what the transport emulates. */
static uint64_t
vu_get_features(struct vnet_hw *hw)
{
	struct vnet_vu *vu = vu_of(hw);

	/*
	 * DPDK's vhost library offers CTRL_VQ (and MQ, CTRL_RX...) but never services a
	 * control queue: the frontend emulates it instead (queue pairs through
	 * SET_VRING_ENABLE, no filters), so none of the control-queue features is offered.
	 * A vhost-user backend's VIRTIO_NET_F_MTU means it accepts VHOST_USER_NET_SET_MTU
	 * from the frontend (the frontend chooses the MTU, as QEMU's host_mtu does); the
	 * emulated config space has no MTU of the device's to report, so it is not offered
	 * either: offering it with the config's placeholder 1500 capped max_mtu at 1500
	 * (no jumbo frames against DPDK's vhost library, which offers F_MTU).
	 */
	return (vu->backend_features & ~(VNET_BIT(VU_F_PROTOCOL_FEATURES) | VNET_CTRL_FEATURES |
					 VNET_BIT(VNET_NET_F_MTU))) |
	       VNET_BIT(VNET_NET_F_MAC) | VNET_BIT(VNET_NET_F_STATUS);
}

/*
 * Runtime queue stop/start: SET_VRING_ENABLE, acknowledged (REPLY_ACK) when the backend
 * negotiated it. DPDK's vhost library handles it with every ring of the device locked and
 * keeps the ring's indices, so the ring continues where it was at the next enable.
 */
static int
vu_queue_enable(struct vnet_hw *hw, struct vnet_vq *vq, bool on)
{
	struct vnet_vu *vu = vu_of(hw);
	int ret = 0;

	pthread_mutex_lock(&vu->vh.lock);
	if (!(vu->backend_features & VNET_BIT(VU_F_PROTOCOL_FEATURES)) && vu->handshaken) {
		ret = -ENOTSUP;	/* rings are enabled by their kick fd: no way to pause one */
	} else if (vu->sock >= 0 && vu->running) {
		ret = vnet_vu_set_state(vu, VU_SET_VRING_ENABLE, vq->idx, on ? 1 : 0);
		if (ret != 0)
			VNET_DRV_LOG(ERR, "%s: SET_VRING_ENABLE %u of virtqueue %u failed: %s",
				     vu->name, on ? 1 : 0, vq->idx, strerror(-ret));
	}
	/* No backend running: vnet_vu_start_backend() follows vq->stopped when one comes. */
	pthread_mutex_unlock(&vu->vh.lock);
	return ret;
}

static void vu_uninit(struct vnet_hw *hw);

const struct vnet_transport_ops vnet_tp_vhost_user_ops = {
	.name = "vhost-user",
	.read_cfg = vu_read_cfg,
	.set_status = vu_set_status,
	.get_features = vu_get_features,
	VNET_VH_COMMON_OPS,
	.uninit = vu_uninit,
	.queue_enable = vu_queue_enable,
	.rx_call_fd = vnet_vu_call_fd,
	.set_rx_intr = vnet_vu_set_rx_intr,
};

/* ---- control thread: accept, detect hang-ups, reconnect ---- */

static void
vu_lost_backend(struct vnet_vu *vu, const char *why)
{
	vnet_vu_close_conn(vu);
	vu->disconnects++;
	VNET_DRV_LOG(NOTICE, "%s: backend %s: link down%s", vu->name, why,
		     vu->vh.args.server ? ", waiting for it to reconnect" :
		     ", retrying the connection");
}

/* A backend is connected: handshake and, if the port is started, run the rings. */
static void
vu_new_backend(struct vnet_vu *vu)
{
	if (vnet_vu_handshake(vu) != 0) {
		vnet_vu_close_conn(vu);
		return;
	}
	if (vu->vh.status & VNET_STATUS_DRIVER_OK) {
		/* Features must still be what the port negotiated. */
		uint64_t offered = vu_get_features(vu->hw);

		if ((vu->vh.driver_features & ~offered) != 0) {
			VNET_DRV_LOG(ERR, "%s: new backend lacks negotiated features 0x%016"
				     PRIx64 ": restart the port", vu->name,
				     vu->vh.driver_features & ~offered);
			vnet_vu_close_conn(vu);
			return;
		}
		vnet_vu_start_backend(vu);
	}
}

/*
 * Wait up to @ms for @events on @fd (-1: just sleep) or for a wake-up from the memory
 * event callback; returns @fd's revents (0 on timeout or wake-up).
 */
static short
vu_wait(struct vnet_vu *vu, int fd, short events, int ms)
{
	struct pollfd pfd[2] = {
		{ .fd = vu->wake_fd, .events = POLLIN },
		{ .fd = fd, .events = events },
	};
	uint64_t v;

	if (poll(pfd, fd >= 0 ? 2 : 1, ms) <= 0)
		return 0;
	if (pfd[0].revents & POLLIN)
		RTE_SET_USED(read(vu->wake_fd, &v, sizeof(v)));
	return fd >= 0 ? pfd[1].revents : 0;
}

static vnet_thread_ret_t
vu_thread(void *arg)
{
	struct vnet_vu *vu = arg;
	unsigned int retry_ms = 0;

	while (!vu->thread_stop) {
		struct pollfd pfd;
		bool up;
		int r;

		/* Link up on a (re)connected running backend, down on a hang-up: tell ethdev. */
		up = vnet_vu_backend_ready(vu->hw);
		if (up != vu->link_reported) {
			vu->link_reported = up;
			if (vu->hw->config_changed != NULL)
				vu->hw->config_changed(vu->hw->config_changed_arg);
		}

		if (__atomic_exchange_n(&vu->mem_dirty, false, __ATOMIC_ACQ_REL)) {
			pthread_mutex_lock(&vu->vh.lock);
			vnet_vu_mem_update(vu);
			pthread_mutex_unlock(&vu->vh.lock);
		}

		if (vu->sock < 0) {
			if (vu->vh.args.server) {
				if (!(vu_wait(vu, vu->listen_fd, POLLIN, 100) & POLLIN))
					continue;
				r = accept4(vu->listen_fd, NULL, NULL, SOCK_CLOEXEC);
				if (r < 0)
					continue;
				pthread_mutex_lock(&vu->vh.lock);
				vu->sock = r;
				vu_new_backend(vu);
				pthread_mutex_unlock(&vu->vh.lock);
			} else {
				vu_wait(vu, -1, 0, 100);
				retry_ms += 100;
				if (retry_ms < 1000)
					continue;
				retry_ms = 0;
				pthread_mutex_lock(&vu->vh.lock);
				if (vu->sock < 0 && vnet_vu_connect(vu) == 0)
					vu_new_backend(vu);
				pthread_mutex_unlock(&vu->vh.lock);
			}
			continue;
		}
		if (vu_wait(vu, vu->sock, POLLIN | POLLRDHUP, 100) == 0)
			continue;
		pfd.fd = vu->sock;
		pfd.events = POLLIN | POLLRDHUP;
		/* Replies are read by whoever holds the lock; look again with it held. */
		pthread_mutex_lock(&vu->vh.lock);
		pfd.revents = 0;
		if (vu->sock >= 0 && poll(&pfd, 1, 0) > 0) {
			if (pfd.revents & (POLLHUP | POLLERR | POLLRDHUP)) {
				vu_lost_backend(vu, "hung up");
			} else if (pfd.revents & POLLIN) {
				uint8_t junk[256];
				ssize_t n = recv(vu->sock, junk, sizeof(junk), MSG_DONTWAIT);

				if (n == 0)
					vu_lost_backend(vu, "closed the connection");
				else if (n > 0)
					VNET_DRV_LOG(WARNING, "%s: dropped %zd unexpected bytes "
						     "from the backend", vu->name, n);
			}
		}
		pthread_mutex_unlock(&vu->vh.lock);
	}
	return VNET_THREAD_RET_OK;
}

/* ---- public ---- */

bool
vnet_vu_backend_ready(struct vnet_hw *hw)
{
	struct vnet_vu *vu = vu_of(hw);

	return vu != NULL && vu->sock >= 0 && vu->running;
}

bool
vnet_vu_copy_mode(struct vnet_hw *hw)
{
	return vu_of(hw)->copy;
}

void
vnet_vu_set_rx_intr(struct vnet_hw *hw, bool on)
{
	vu_of(hw)->rx_intr = on;
}

int
vnet_vu_call_fd(struct vnet_hw *hw, uint16_t idx)
{
	struct vnet_vu *vu = vu_of(hw);

	return idx < 2u * vu->vh.args.queues ? vu->callfd[idx] : -1;
}

void
vnet_vu_counters(struct vnet_hw *hw, uint64_t *disconnects, uint64_t *connects)
{
	*disconnects = vu_of(hw)->disconnects;
	*connects = vu_of(hw)->connects;
}

int
vnet_vu_share_get(struct vnet_hw *hw, struct vnet_vu_share *s)
{
	struct vnet_vu *vu = vu_of(hw);

	if (hw->ops != &vnet_tp_vhost_user_ops || vu == NULL)
		return -ENODEV;
	pthread_mutex_lock(&vu->vh.lock);
	s->rings_fd = vu->vh.rings.shm.fd;
	s->rings_va = vu->vh.rings.shm.va;
	s->rings_len = vu->vh.rings.shm.len;
	s->bounce_fd = vu->bounce.va != NULL ? vu->bounce.fd : -1;
	s->bounce_va = vu->bounce.va;
	s->bounce_len = vu->bounce.va != NULL ? vu->bounce.len : 0;
	s->kickfd = vu->vh.rings.kickfd;
	s->nkick = (uint16_t)(2 * vu->vh.args.queues);
	pthread_mutex_unlock(&vu->vh.lock);
	return 0;
}

static void
vu_uninit(struct vnet_hw *hw)
{
	struct vnet_vu *vu = vu_of(hw);

	if (vu == NULL)
		return;
	if (vu->mem_cb)
		rte_mem_event_callback_unregister(vu->mem_cb_name, vu);
	if (vu->thread_running) {
		vu->thread_stop = true;
		vnet_thread_join(vu->tid);
	}
	pthread_mutex_lock(&vu->vh.lock);
	vnet_vu_stop_backend(vu);
	vnet_vu_close_conn(vu);
	pthread_mutex_unlock(&vu->vh.lock);
	if (vu->listen_fd >= 0) {
		close(vu->listen_fd);
		unlink(vu->vh.args.path);
	}
	vnet_vh_callfds_destroy(vu->callfd, (uint16_t)(2 * vu->vh.args.queues));
	vnet_vh_rings_fini(&vu->vh.rings);
	vnet_vh_shm_destroy(&vu->bounce);
	if (vu->wake_fd >= 0)
		close(vu->wake_fd);
	pthread_mutex_destroy(&vu->vh.lock);
	rte_free(vu->vh.vqs);
	rte_free(vu);
	hw->tp.vu = NULL;
}

int
vnet_vu_init(struct vnet_hw *hw, const struct vnet_vu_args *args, const char *name)
{
	struct vnet_vu *vu;
	uint16_t nvq = (uint16_t)(2 * args->queues);
	int ret;

	vu = rte_zmalloc("vnet_vu", sizeof(*vu), 0);
	if (vu == NULL)
		return -ENOMEM;
	vu->hw = hw;
	vu->vh.args = *args;
	vu->sock = -1;
	vu->listen_fd = -1;
	vu->vh.rings.shm.fd = -1;
	vu->bounce.fd = -1;
	vu->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	snprintf(vu->name, sizeof(vu->name), "%s", name);
	pthread_mutex_init(&vu->vh.lock, NULL);
	hw->tp.vu = vu;
	hw->ops = &vnet_tp_vhost_user_ops;
	hw->modern = true;
	hw->use_va = true;
	hw->tp_max_pairs = args->queues;

	vu->vh.vqs = rte_zmalloc("vnet_vu_vqs", sizeof(*vu->vh.vqs) * nvq, 0);
	if (vu->vh.vqs == NULL || vu->wake_fd < 0) {
		ret = vu->wake_fd < 0 ? -errno : -ENOMEM;
		goto err;
	}
	ret = vnet_vh_callfds_create(&vu->callfd, nvq);	/* RX interrupts (vnet_intr.c) */
	if (ret != 0)
		goto err;
	/* Rings in a shared memfd area (one slot per virtqueue), one kick eventfd each. */
	ret = vnet_vh_rings_init(&vu->vh.rings, nvq, args->queue_size);
	if (ret != 0) {
		VNET_INIT_LOG(ERR, "%s: cannot create shared ring memory and kick eventfds: %s",
			      name, strerror(-ret));
		goto err;
	}

	if (args->server) {
		ret = vnet_vu_listen(vu);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "%s: cannot listen on %s: %s", name, args->path,
				      strerror(-ret));
			goto err;
		}
		VNET_INIT_LOG(NOTICE, "%s: server mode: waiting up to %u s for a vhost-user "
			      "backend on %s", name, VU_ACCEPT_TIMEOUT_S, args->path);
		ret = vnet_vu_accept_first(vu);
		if (ret != 0)
			goto err;
	} else {
		ret = vnet_vu_connect(vu);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "%s: cannot connect to vhost-user backend %s: %s (start "
				      "the backend first, or use server=1)", name, args->path,
				      strerror(-ret));
			goto err;
		}
		ret = vnet_vu_handshake(vu);
		if (ret != 0)
			goto err;
	}

	ret = vnet_thread_create(&vu->tid, "vnet-vu-ctl", vu_thread, vu);
	if (ret != 0) {
		VNET_INIT_LOG(ERR, "%s: cannot start the control thread: %s", name,
			      strerror(-ret));
		goto err;
	}
	vu->thread_running = true;
	snprintf(vu->mem_cb_name, sizeof(vu->mem_cb_name), "vnet_vu_%s", name);
	if (rte_mem_event_callback_register(vu->mem_cb_name, vnet_vu_mem_event, vu) == 0)
		vu->mem_cb = true;
	else if (rte_errno != ENOTSUP)	/* e.g. legacy memory: it never grows */
		VNET_INIT_LOG(WARNING, "%s: no memory event callback (%s): memory EAL adds "
			      "after start will not be shared; reserve memory up front "
			      "(-m / --socket-mem) and create the mempools before dev_start",
			      name, rte_strerror(rte_errno));
	return 0;
err:
	vu_uninit(hw);
	hw->ops = NULL;
	return ret;
}
