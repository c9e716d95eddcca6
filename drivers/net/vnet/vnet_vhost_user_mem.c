/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * vhost-user transport, memory: the memory table (EAL memseg lists as regions, at most
 * what DPDK's vhost accepts), copy mode with bounce buffers when EAL's memory does not fit,
 * memory EAL adds after start, and registering / stopping the rings on the backend.
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

#include "vnet_logs.h"
#include "vnet_ring.h"
#include "vnet_vhost_user_priv.h"

/* ---- memory ---- */

static int
add_region(struct vnet_vu *vu, int fd, uint64_t va, uint64_t len, uint64_t off)
{
	unsigned int i;

	for (i = 0; i < vu->nregions; i++) {
		struct vu_region *r = &vu->regions[i];
		uint64_t end;

		if (vu->region_fds[i] != fd)
			continue;
		/* Same file: grow the region to cover both (segments of one list). */
		end = RTE_MAX(r->user_addr + r->size, va + len);
		if (va < r->user_addr) {
			r->mmap_offset -= r->user_addr - va;
			r->user_addr = va;
			r->guest_addr = va;
		}
		r->size = end - r->user_addr;
		return 0;
	}
	if (vu->nregions == VU_MAX_REGIONS)
		return -E2BIG;
	vu->regions[i].guest_addr = va;
	vu->regions[i].user_addr = va;
	vu->regions[i].size = len;
	vu->regions[i].mmap_offset = off;
	vu->region_fds[i] = fd;
	vu->nregions++;
	return 0;
}

static int
memseg_region(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct vnet_vu *vu = arg;
	size_t off;
	int fd;

	RTE_SET_USED(msl);
	if (msl->external)
		return 0;
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) < 0)
		return -ENOTSUP;	/* memory without a file descriptor cannot be shared */
	if (ms->len == 0)
		return 0;
	return add_region(vu, fd, (uint64_t)(uintptr_t)ms->addr, ms->len, off) == 0 ? 0 : -E2BIG;
}

/*
 * Build the memory table: vnet's ring area first, then EAL's memory when every segment
 * has a file descriptor and all fit; otherwise copy mode (rings + bounce area only).
 */
static int
vu_collect_regions(struct vnet_vu *vu)
{
	int ret;

	vu->nregions = 0;
	add_region(vu, vu->vh.rings.shm.fd, (uint64_t)(uintptr_t)vu->vh.rings.shm.va,
		   vu->vh.rings.shm.len, 0);
	rte_mcfg_mem_read_lock();
	ret = rte_memseg_walk_thread_unsafe(memseg_region, vu);
	rte_mcfg_mem_read_unlock();
	return ret;
}

int
vnet_vu_build_mem_table(struct vnet_vu *vu)
{
	size_t bounce_len;
	int ret;

	ret = vu_collect_regions(vu);
	if (ret == 0) {
		vu->copy = false;
		return 0;
	}

	/* Copy mode. */
	if (!vu->copy_logged) {
		VNET_INIT_LOG(NOTICE, "%s: EAL memory %s for a vhost-user backend (at most %u "
			      "regions): packets are copied through vnet's shared buffers. For "
			      "zero-copy start EAL with --single-file-segments", vu->name,
			      ret == -E2BIG ? "has too many segments" : "cannot be shared "
			      "(a segment has no file descriptor)", VU_MAX_REGIONS);
		vu->copy_logged = true;
	}
	vu->copy = true;
	vu->nregions = 0;
	add_region(vu, vu->vh.rings.shm.fd, (uint64_t)(uintptr_t)vu->vh.rings.shm.va,
		   vu->vh.rings.shm.len, 0);
	bounce_len = (size_t)2 * vu->vh.args.queues * vu->vh.args.queue_size * VU_BOUNCE_SLOT;
	if (vu->bounce.va == NULL) {
		ret = vnet_vh_shm_create(&vu->bounce, "vnet-bounce", bounce_len);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "%s: cannot create %zu bytes of bounce buffers: %s",
				      vu->name, bounce_len, strerror(-ret));
			return ret;
		}
	}
	add_region(vu, vu->bounce.fd, (uint64_t)(uintptr_t)vu->bounce.va, vu->bounce.len, 0);
	return 0;
}

/* Give each queue its bounce slots (copy mode) or none (zero-copy). */
void
vnet_vu_assign_bounce(struct vnet_vu *vu)
{
	uint16_t i;

	for (i = 0; i < vu->vh.nvqs; i++) {
		struct vnet_vq *vq = vu->vh.vqs[i];
		size_t off = (size_t)i * vu->vh.args.queue_size * VU_BOUNCE_SLOT;

		if (vq == NULL)
			continue;
		vq->copy = vu->copy;
		vq->bounce = vu->copy ? vu->bounce.va + off : NULL;
		vq->bounce_iova = vu->copy ? (uint64_t)(uintptr_t)(vu->bounce.va + off) : 0;
		vq->bounce_slot = VU_BOUNCE_SLOT;
	}
}

/* ---- running the rings on the backend ---- */

static int
vu_send_mem_table(struct vnet_vu *vu)
{
	struct vu_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.request = VU_SET_MEM_TABLE;
	msg.payload.mem.nregions = vu->nregions;
	memcpy(msg.payload.mem.regions, vu->regions, sizeof(vu->regions[0]) * vu->nregions);
	msg.size = (uint32_t)(offsetof(struct vu_msg, payload.mem.regions) - VU_HDR_SIZE +
			      sizeof(vu->regions[0]) * vu->nregions);
	return vnet_vu_request(vu, &msg, vu->region_fds, vu->nregions);
}

/*
 * EAL added memory while the port runs zero-copy: share it too, or mbufs from a pool
 * created after dev_start would point where the backend cannot translate. Control
 * thread, with vu->vh.lock held. If the memory no longer fits the backend's regions the old
 * table stays (copy mode cannot be entered under running lcores) and an error says to
 * restart.
 */
void
vnet_vu_mem_update(struct vnet_vu *vu)
{
	struct vu_region regions[VU_MAX_REGIONS];
	int fds[VU_MAX_REGIONS];
	unsigned int n = vu->nregions;
	int ret;

	if (!(vu->vh.status & VNET_STATUS_DRIVER_OK) || vu->copy)
		return;
	memcpy(regions, vu->regions, sizeof(regions));
	memcpy(fds, vu->region_fds, sizeof(fds));
	ret = vu_collect_regions(vu);
	if (ret != 0) {
		memcpy(vu->regions, regions, sizeof(regions));
		memcpy(vu->region_fds, fds, sizeof(fds));
		vu->nregions = n;
		VNET_DRV_LOG(ERR, "%s: memory EAL added after start cannot be shared with the "
			     "backend (%s): mbufs from it will not reach it; restart the port",
			     vu->name, ret == -E2BIG ? "too many regions" : "no file descriptor");
		return;
	}
	if (n == vu->nregions && memcmp(regions, vu->regions, sizeof(regions[0]) * n) == 0)
		return;
	if (vu->sock >= 0 && vu->running && vu_send_mem_table(vu) != 0) {
		VNET_DRV_LOG(ERR, "%s: cannot update the backend's memory table", vu->name);
		vnet_vu_close_conn(vu);	/* link down; a new connection gets the new table */
		return;
	}
	VNET_DRV_LOG(NOTICE, "%s: memory table updated: %u region(s)", vu->name, vu->nregions);
}

/* EAL memory hotplug callback (runs with the hotplug lock held, in the allocating thread). */
void
vnet_vu_mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	static const uint64_t one = 1;
	struct vnet_vu *vu = arg;

	RTE_SET_USED(addr);
	RTE_SET_USED(len);
	if (type != RTE_MEM_EVENT_ALLOC)
		return;
	/*
	 * No lock and no I/O here: this thread holds EAL's heap and hotplug locks, which the
	 * holder of vu->vh.lock may be waiting for, and which a backend in this process needs to
	 * handle SET_MEM_TABLE. The control thread, woken at once, does the update.
	 */
	__atomic_store_n(&vu->mem_dirty, true, __ATOMIC_RELEASE);
	RTE_SET_USED(write(vu->wake_fd, &one, sizeof(one)));
}

/* Register every queue with the connected backend. Called with vu->vh.lock held. */
int
vnet_vu_start_backend(struct vnet_vu *vu)
{
	struct vu_msg msg;
	uint64_t features;
	uint16_t i;
	int ret;

	if (vu->sock < 0 || !vu->handshaken)
		return 0;	/* the control thread does it once a backend is there */

	features = vu->vh.driver_features & vu->backend_features;
	if (vu->backend_features & VNET_BIT(VU_F_PROTOCOL_FEATURES))
		features |= VNET_BIT(VU_F_PROTOCOL_FEATURES);
	ret = vnet_vu_set_u64(vu, VU_SET_FEATURES, features);
	if (ret != 0)
		goto err;

	ret = vu_send_mem_table(vu);
	if (ret != 0)
		goto err;

	for (i = 0; i < vu->vh.nvqs; i++) {
		struct vnet_vq *vq = vu->vh.vqs[i];
		struct vnet_vh_vring v;

		if (vq == NULL)
			continue;
		vnet_vh_vring_info(vq, &v);
		memset(&msg, 0, sizeof(msg));
		msg.request = VU_SET_VRING_CALL;
		msg.size = sizeof(uint64_t);
		if (vu->rx_intr && vu->callfd[i] >= 0) {
			/* RX interrupts: the backend signals the queue's call eventfd. */
			msg.payload.u64 = i;
			ret = vnet_vu_request(vu, &msg, &vu->callfd[i], 1);
		} else {
			msg.payload.u64 = i | VU_VRING_NOFD;	/* polling: no call eventfd */
			ret = vnet_vu_request(vu, &msg, NULL, 0);
		}
		if (ret == 0)
			ret = vnet_vu_set_state(vu, VU_SET_VRING_NUM, i, v.num);
		if (ret == 0)
			ret = vnet_vu_set_state(vu, VU_SET_VRING_BASE, i, v.base);
		if (ret != 0)
			goto err;
		memset(&msg, 0, sizeof(msg));
		msg.request = VU_SET_VRING_ADDR;
		msg.size = sizeof(msg.payload.addr);
		msg.payload.addr.index = i;
		msg.payload.addr.desc = v.desc;
		msg.payload.addr.avail = v.avail;
		msg.payload.addr.used = v.used;
		ret = vnet_vu_request(vu, &msg, NULL, 0);
		if (ret != 0)
			goto err;
		memset(&msg, 0, sizeof(msg));
		msg.request = VU_SET_VRING_KICK;
		msg.size = sizeof(uint64_t);
		msg.payload.u64 = i;
		ret = vnet_vu_request(vu, &msg, &vu->vh.rings.kickfd[i], 1);
		if (ret != 0)
			goto err;
	}
	if (features & VNET_BIT(VU_F_PROTOCOL_FEATURES)) {
		for (i = 0; i < vu->vh.nvqs; i++) {
			if (vu->vh.vqs[i] == NULL)
				continue;	/* e.g. more RX than TX queues configured */
			/* Deferred or stopped by the application: its queue_start enables it. */
			if (vu->vh.vqs[i]->stopped)
				continue;
			ret = vnet_vu_set_state(vu, VU_SET_VRING_ENABLE, i, 1);
			if (ret != 0)
				goto err;
		}
	}
	vu->running = true;
	vu->connects++;
	VNET_INIT_LOG(NOTICE, "%s: backend running %u virtqueues, %s, %u memory region(s)",
		      vu->name, vu->vh.nvqs, vu->copy ? "copy mode" : "zero-copy", vu->nregions);
	return 0;
err:
	VNET_INIT_LOG(ERR, "%s: cannot start the rings on the backend: %s", vu->name,
		      strerror(-ret));
	vnet_vu_close_conn(vu);
	return ret;
}

/* Stop the backend from using the rings. Called with vu->vh.lock held. */
void
vnet_vu_stop_backend(struct vnet_vu *vu)
{
	struct vu_msg msg;
	uint16_t i;

	if (vu->sock < 0 || !vu->running)
		return;
	for (i = 0; i < vu->vh.nvqs; i++) {
		memset(&msg, 0, sizeof(msg));
		msg.request = VU_GET_VRING_BASE;
		msg.flags = VU_VERSION;
		msg.size = sizeof(msg.payload.state);
		msg.payload.state.index = i;
		/* The reply means the backend stopped the ring. */
		if (vnet_vu_send(vu, &msg, NULL, 0) != 0 ||
		    vnet_vu_recv_reply(vu, VU_GET_VRING_BASE, &msg, sizeof(msg.payload.state)) != 0) {
			vnet_vu_close_conn(vu);
			return;
		}
	}
	vu->running = false;
}
