/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * vhost-user frontend transport, written from the vhost-user protocol description
 * (QEMU docs/interop/vhost-user.rst). The backend is untrusted: every reply is checked
 * for type, flags and size, no file descriptor is accepted from it, and a hang-up never
 * raises SIGPIPE (MSG_NOSIGNAL).
 *
 * Threads: ethdev ops (control path) and the per-port control thread both talk to the
 * backend, serialised by vu->lock. The datapath only writes kick eventfds.
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
#include "vnet_logs.h"
#include "vnet_ring.h"
#include "vnet_rxtx.h"
#include "vnet_vhost_user.h"

/* Protocol constants (vhost-user.rst). */
enum {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_SET_MEM_TABLE = 5,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
};

#define VU_VERSION		0x1
#define VU_FLAG_VERSION_MASK	0x3
#define VU_FLAG_REPLY		0x4
#define VU_FLAG_NEED_REPLY	0x8
#define VU_F_PROTOCOL_FEATURES	30
#define VU_PROTO_F_MQ		0
#define VU_PROTO_F_REPLY_ACK	3
#define VU_VRING_NOFD		0x100
#define VU_MAX_REGIONS		8	/* what DPDK's vhost library accepts */
#define VU_REPLY_TIMEOUT_MS	5000
#define VU_ACCEPT_TIMEOUT_S	30
#define VU_PROTO_WANTED		(VNET_BIT(VU_PROTO_F_MQ) | VNET_BIT(VU_PROTO_F_REPLY_ACK))
/* Frame room of a bounce slot: net header + an MTU 1500 frame with a VLAN tag, rounded. */
#define VU_BOUNCE_SLOT		2048

struct vu_region {
	uint64_t guest_addr;
	uint64_t size;
	uint64_t user_addr;
	uint64_t mmap_offset;
};

struct vu_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	union {
		uint64_t u64;
		struct {
			uint32_t index;
			uint32_t num;
		} state;
		struct {
			uint32_t index;
			uint32_t flags;
			uint64_t desc;
			uint64_t used;
			uint64_t avail;
			uint64_t log;
		} addr;
		struct {
			uint32_t nregions;
			uint32_t padding;
			struct vu_region regions[VU_MAX_REGIONS];
		} mem;
	} payload;
} __attribute__((packed));

#define VU_HDR_SIZE	offsetof(struct vu_msg, payload)

/* A memfd-backed area shared with the backend as one region. */
struct vu_shm {
	int fd;
	uint8_t *va;
	size_t len;
};

struct vnet_vu {
	struct vnet_hw *hw;
	struct vnet_vu_args args;
	pthread_mutex_t lock;
	int sock;			/* connection, -1 when none */
	int listen_fd;			/* server mode */
	uint64_t backend_features;	/* virtio features the backend offered */
	uint64_t protocol_features;	/* negotiated */
	bool handshaken;		/* connection did the feature handshake */
	bool running;			/* rings registered with the current backend */
	bool copy;			/* bounce buffers instead of shared EAL memory */
	bool copy_logged;
	bool mem_dirty;			/* EAL memory grew: the control thread updates */
	int wake_fd;			/* eventfd: wakes the control thread */
	bool mem_cb;			/* memory event callback registered (name below) */
	char mem_cb_name[RTE_MEMZONE_NAMESIZE + 16];
	uint8_t status;			/* emulated device status */
	uint64_t driver_features;
	struct vu_shm rings;		/* all rings, slot per virtqueue */
	size_t ring_slot;
	struct vu_shm bounce;		/* copy mode */
	struct vnet_vq **vqs;		/* registered queues by index */
	uint16_t nvqs;
	int *kickfd;			/* one eventfd per virtqueue, kept across reconnects */
	/* memory table for the current start */
	struct vu_region regions[VU_MAX_REGIONS];
	int region_fds[VU_MAX_REGIONS];
	unsigned int nregions;
	/* control thread */
	vnet_thread_t tid;
	bool thread_running;
	volatile bool thread_stop;
	uint64_t disconnects;
	uint64_t connects;
	char name[64];
};

static inline struct vnet_vu *
vu_of(struct vnet_hw *hw)
{
	return hw->tp.vu;
}

/* ---- socket I/O ---- */

static int
vu_send(struct vnet_vu *vu, struct vu_msg *msg, const int *fds, unsigned int nfds)
{
	struct msghdr mh;
	struct iovec iov;
	char control[CMSG_SPACE(VU_MAX_REGIONS * sizeof(int))];
	ssize_t n;

	if (vu->sock < 0)
		return -ENOTCONN;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = msg;
	iov.iov_len = VU_HDR_SIZE + msg->size;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *cm;

		memset(control, 0, sizeof(control));
		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	do {
		n = sendmsg(vu->sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != iov.iov_len)
		return -EIO;
	return 0;
}

/* Read exactly @len bytes (timeout per call); reject any fd the backend attaches. */
static int
vu_read_full(struct vnet_vu *vu, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		struct pollfd pfd = { .fd = vu->sock, .events = POLLIN };
		char control[CMSG_SPACE(4 * sizeof(int))];
		struct msghdr mh;
		struct iovec iov;
		struct cmsghdr *cm;
		ssize_t n;
		int r;

		r = poll(&pfd, 1, VU_REPLY_TIMEOUT_MS);
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = p;
		iov.iov_len = len;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = control;
		mh.msg_controllen = sizeof(control);
		n = recvmsg(vu->sock, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
				int *fds = (int *)CMSG_DATA(cm);
				size_t k, nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

				for (k = 0; k < nfd; k++)
					close(fds[k]);
				VNET_INIT_LOG(ERR, "%s: backend sent file descriptors in a reply: "
					      "protocol violation", vu->name);
				return -EPROTO;
			}
		}
		if (mh.msg_flags & MSG_CTRUNC)
			return -EPROTO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read the reply to @req; its payload must be exactly @size bytes. */
static int
vu_recv_reply(struct vnet_vu *vu, uint32_t req, struct vu_msg *reply, uint32_t size)
{
	int ret = vu_read_full(vu, reply, VU_HDR_SIZE);

	if (ret != 0)
		return ret;
	if (reply->request != req || (reply->flags & VU_FLAG_VERSION_MASK) != VU_VERSION ||
	    !(reply->flags & VU_FLAG_REPLY) || reply->size != size) {
		VNET_INIT_LOG(ERR, "%s: bad reply to request %u: request %u flags 0x%x size %u "
			      "(expected %u)", vu->name, req, reply->request, reply->flags,
			      reply->size, size);
		return -EPROTO;
	}
	return vu_read_full(vu, &reply->payload, size);
}

/* Send a request with optional payload; with REPLY_ACK, wait for the backend's status. */
static int
vu_request(struct vnet_vu *vu, struct vu_msg *msg, const int *fds, unsigned int nfds)
{
	bool ack = (vu->protocol_features & VNET_BIT(VU_PROTO_F_REPLY_ACK)) != 0;
	struct vu_msg reply;
	int ret;

	msg->flags = VU_VERSION | (ack ? VU_FLAG_NEED_REPLY : 0);
	ret = vu_send(vu, msg, fds, nfds);
	if (ret != 0 || !ack)
		return ret;
	ret = vu_recv_reply(vu, msg->request, &reply, sizeof(uint64_t));
	if (ret != 0)
		return ret;
	if (reply.payload.u64 != 0) {
		VNET_INIT_LOG(ERR, "%s: backend refused request %u (status %" PRIu64 ")",
			      vu->name, msg->request, reply.payload.u64);
		return -EIO;
	}
	return 0;
}

static int
vu_get_u64(struct vnet_vu *vu, uint32_t req, uint64_t *out)
{
	struct vu_msg msg;
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.request = req;
	msg.flags = VU_VERSION;
	msg.size = 0;
	ret = vu_send(vu, &msg, NULL, 0);
	if (ret == 0)
		ret = vu_recv_reply(vu, req, &msg, sizeof(uint64_t));
	if (ret == 0)
		*out = msg.payload.u64;
	return ret;
}

static int
vu_set_u64(struct vnet_vu *vu, uint32_t req, uint64_t v)
{
	struct vu_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.request = req;
	msg.size = sizeof(uint64_t);
	msg.payload.u64 = v;
	return vu_request(vu, &msg, NULL, 0);
}

static int
vu_set_state(struct vnet_vu *vu, uint32_t req, uint32_t index, uint32_t num)
{
	struct vu_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.request = req;
	msg.size = sizeof(msg.payload.state);
	msg.payload.state.index = index;
	msg.payload.state.num = num;
	return vu_request(vu, &msg, NULL, 0);
}

static void
vu_close_conn(struct vnet_vu *vu)
{
	if (vu->sock >= 0)
		close(vu->sock);
	vu->sock = -1;
	vu->handshaken = false;
	vu->running = false;
	vu->protocol_features = 0;
}

/* ---- connection and handshake ---- */

static int
vu_connect(struct vnet_vu *vu)
{
	struct sockaddr_un sa;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, vu->args.path, sizeof(sa.sun_path) - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	vu->sock = fd;
	return 0;
}

static int
vu_listen(struct vnet_vu *vu)
{
	struct sockaddr_un sa;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, vu->args.path, sizeof(sa.sun_path) - 1);
	unlink(vu->args.path);	/* a stale socket of an earlier run */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	vu->listen_fd = fd;
	return 0;
}

static int vu_handshake(struct vnet_vu *vu);

/* Server mode at probe: the backend's features are needed to negotiate, so wait for it. */
static int
vu_accept_first(struct vnet_vu *vu)
{
	struct pollfd pfd = { .fd = vu->listen_fd, .events = POLLIN };
	int r, fd;

	do {
		r = poll(&pfd, 1, VU_ACCEPT_TIMEOUT_S * 1000);
	} while (r < 0 && errno == EINTR);
	if (r <= 0) {
		VNET_INIT_LOG(ERR, "%s: no vhost-user backend connected to %s within %u s",
			      vu->name, vu->args.path, VU_ACCEPT_TIMEOUT_S);
		return r == 0 ? -ETIMEDOUT : -errno;
	}
	fd = accept4(vu->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	vu->sock = fd;
	return vu_handshake(vu);
}

/* SET_OWNER, features and protocol features. Called with vu->lock held. */
static int
vu_handshake(struct vnet_vu *vu)
{
	struct vu_msg msg;
	uint64_t proto = 0, qnum;
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.request = VU_SET_OWNER;
	msg.flags = VU_VERSION;
	ret = vu_send(vu, &msg, NULL, 0);
	if (ret == 0)
		ret = vu_get_u64(vu, VU_GET_FEATURES, &vu->backend_features);
	if (ret != 0)
		goto err;

	if (!(vu->backend_features & VNET_BIT(VNET_F_VERSION_1))) {
		/* vnet's vhost-user rings and headers are virtio 1.x (12-byte header). */
		VNET_INIT_LOG(ERR, "%s: backend does not offer VIRTIO_F_VERSION_1 (features "
			      "0x%016" PRIx64 "): not supported", vu->name, vu->backend_features);
		ret = -ENOTSUP;
		goto err;
	}
	vu->protocol_features = 0;
	if (vu->backend_features & VNET_BIT(VU_F_PROTOCOL_FEATURES)) {
		ret = vu_get_u64(vu, VU_GET_PROTOCOL_FEATURES, &proto);
		if (ret != 0)
			goto err;
		proto &= VU_PROTO_WANTED;
		/* Sent before protocol_features is set: this request takes no ack. */
		ret = vu_set_u64(vu, VU_SET_PROTOCOL_FEATURES, proto);
		if (ret != 0)
			goto err;
		vu->protocol_features = proto;
	}
	if (vu->args.queues > 1) {
		if (!(proto & VNET_BIT(VU_PROTO_F_MQ))) {
			VNET_INIT_LOG(ERR, "%s: queues=%u but the backend has no multi-queue "
				      "support", vu->name, vu->args.queues);
			ret = -ENOTSUP;
			goto err;
		}
		ret = vu_get_u64(vu, VU_GET_QUEUE_NUM, &qnum);
		if (ret != 0)
			goto err;
		if (qnum < vu->args.queues) {
			VNET_INIT_LOG(ERR, "%s: queues=%u but the backend has %" PRIu64 " queue "
				      "pairs", vu->name, vu->args.queues, qnum);
			ret = -EINVAL;
			goto err;
		}
	}
	vu->handshaken = true;
	VNET_INIT_LOG(INFO, "%s: backend features 0x%016" PRIx64 ", protocol features 0x%"
		      PRIx64, vu->name, vu->backend_features, vu->protocol_features);
	return 0;
err:
	VNET_INIT_LOG(ERR, "%s: vhost-user handshake with %s failed: %s", vu->name,
		      vu->args.path, strerror(-ret));
	return ret;
}

/* ---- memory ---- */

static int
shm_create(struct vu_shm *shm, const char *name, size_t len)
{
	shm->fd = memfd_create(name, MFD_CLOEXEC);
	if (shm->fd < 0)
		return -errno;
	if (ftruncate(shm->fd, (off_t)len) < 0)
		goto err;
	shm->va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, shm->fd, 0);
	if (shm->va == MAP_FAILED) {
		shm->va = NULL;
		goto err;
	}
	shm->len = len;
	return 0;
err:
	{
		int err = errno;

		close(shm->fd);
		shm->fd = -1;
		return -err;
	}
}

static void
shm_destroy(struct vu_shm *shm)
{
	if (shm->va != NULL)
		munmap(shm->va, shm->len);
	if (shm->fd >= 0)
		close(shm->fd);
	shm->va = NULL;
	shm->fd = -1;
	shm->len = 0;
}

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
	add_region(vu, vu->rings.fd, (uint64_t)(uintptr_t)vu->rings.va, vu->rings.len, 0);
	rte_mcfg_mem_read_lock();
	ret = rte_memseg_walk_thread_unsafe(memseg_region, vu);
	rte_mcfg_mem_read_unlock();
	return ret;
}

static int
vu_build_mem_table(struct vnet_vu *vu)
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
	add_region(vu, vu->rings.fd, (uint64_t)(uintptr_t)vu->rings.va, vu->rings.len, 0);
	bounce_len = (size_t)2 * vu->args.queues * vu->args.queue_size * VU_BOUNCE_SLOT;
	if (vu->bounce.va == NULL) {
		ret = shm_create(&vu->bounce, "vnet-bounce", bounce_len);
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
static void
vu_assign_bounce(struct vnet_vu *vu)
{
	uint16_t i;

	for (i = 0; i < vu->nvqs; i++) {
		struct vnet_vq *vq = vu->vqs[i];
		size_t off = (size_t)i * vu->args.queue_size * VU_BOUNCE_SLOT;

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
	return vu_request(vu, &msg, vu->region_fds, vu->nregions);
}

/*
 * EAL added memory while the port runs zero-copy: share it too, or mbufs from a pool
 * created after dev_start would point where the backend cannot translate. Control
 * thread, with vu->lock held. If the memory no longer fits the backend's regions the old table stays
 * (copy mode cannot be entered under running lcores) and an error says to restart.
 */
static void
vu_mem_update(struct vnet_vu *vu)
{
	struct vu_region regions[VU_MAX_REGIONS];
	int fds[VU_MAX_REGIONS];
	unsigned int n = vu->nregions;
	int ret;

	if (!(vu->status & VNET_STATUS_DRIVER_OK) || vu->copy)
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
		vu_close_conn(vu);	/* link down; a new connection gets the new table */
		return;
	}
	VNET_DRV_LOG(NOTICE, "%s: memory table updated: %u region(s)", vu->name, vu->nregions);
}

/* EAL memory hotplug callback (runs with the hotplug lock held, in the allocating thread). */
static void
vu_mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	static const uint64_t one = 1;
	struct vnet_vu *vu = arg;

	RTE_SET_USED(addr);
	RTE_SET_USED(len);
	if (type != RTE_MEM_EVENT_ALLOC)
		return;
	/*
	 * No lock and no I/O here: this thread holds EAL's heap and hotplug locks, which the
	 * holder of vu->lock may be waiting for, and which a backend in this process needs to
	 * handle SET_MEM_TABLE. The control thread, woken at once, does the update.
	 */
	__atomic_store_n(&vu->mem_dirty, true, __ATOMIC_RELEASE);
	RTE_SET_USED(write(vu->wake_fd, &one, sizeof(one)));
}

/* Register every queue with the connected backend. Called with vu->lock held. */
static int
vu_start_backend(struct vnet_vu *vu)
{
	struct vu_msg msg;
	uint64_t features;
	uint16_t i;
	int ret;

	if (vu->sock < 0 || !vu->handshaken)
		return 0;	/* the control thread does it once a backend is there */

	features = vu->driver_features & vu->backend_features;
	if (vu->backend_features & VNET_BIT(VU_F_PROTOCOL_FEATURES))
		features |= VNET_BIT(VU_F_PROTOCOL_FEATURES);
	ret = vu_set_u64(vu, VU_SET_FEATURES, features);
	if (ret != 0)
		goto err;

	ret = vu_send_mem_table(vu);
	if (ret != 0)
		goto err;

	for (i = 0; i < vu->nvqs; i++) {
		struct vnet_vq *vq = vu->vqs[i];
		uint16_t base;

		if (vq == NULL)
			continue;
		/*
		 * Resume where the device's used index is: nothing it completed is redone,
		 * and everything it had popped but not completed is popped again.
		 */
		base = VNET_LOAD_ACQ(&vq->vr.used->idx);
		memset(&msg, 0, sizeof(msg));
		msg.request = VU_SET_VRING_CALL;
		msg.size = sizeof(uint64_t);
		msg.payload.u64 = i | VU_VRING_NOFD;	/* polling: no call eventfd */
		ret = vu_request(vu, &msg, NULL, 0);
		if (ret == 0)
			ret = vu_set_state(vu, VU_SET_VRING_NUM, i, vq->size);
		if (ret == 0)
			ret = vu_set_state(vu, VU_SET_VRING_BASE, i, base);
		if (ret != 0)
			goto err;
		memset(&msg, 0, sizeof(msg));
		msg.request = VU_SET_VRING_ADDR;
		msg.size = sizeof(msg.payload.addr);
		msg.payload.addr.index = i;
		msg.payload.addr.desc = vq->ring_iova;
		msg.payload.addr.avail = vq->ring_iova + vq->avail_off;
		msg.payload.addr.used = vq->ring_iova + vq->used_off;
		ret = vu_request(vu, &msg, NULL, 0);
		if (ret != 0)
			goto err;
		memset(&msg, 0, sizeof(msg));
		msg.request = VU_SET_VRING_KICK;
		msg.size = sizeof(uint64_t);
		msg.payload.u64 = i;
		ret = vu_request(vu, &msg, &vu->kickfd[i], 1);
		if (ret != 0)
			goto err;
	}
	if (features & VNET_BIT(VU_F_PROTOCOL_FEATURES)) {
		for (i = 0; i < vu->nvqs; i++) {
			if (vu->vqs[i] == NULL)
				continue;	/* e.g. more RX than TX queues configured */
			ret = vu_set_state(vu, VU_SET_VRING_ENABLE, i, 1);
			if (ret != 0)
				goto err;
		}
	}
	vu->running = true;
	vu->connects++;
	VNET_INIT_LOG(NOTICE, "%s: backend running %u virtqueues, %s, %u memory region(s)",
		      vu->name, vu->nvqs, vu->copy ? "copy mode" : "zero-copy", vu->nregions);
	return 0;
err:
	VNET_INIT_LOG(ERR, "%s: cannot start the rings on the backend: %s", vu->name,
		      strerror(-ret));
	vu_close_conn(vu);
	return ret;
}

/* Stop the backend from using the rings. Called with vu->lock held. */
static void
vu_stop_backend(struct vnet_vu *vu)
{
	struct vu_msg msg;
	uint16_t i;

	if (vu->sock < 0 || !vu->running)
		return;
	for (i = 0; i < vu->nvqs; i++) {
		memset(&msg, 0, sizeof(msg));
		msg.request = VU_GET_VRING_BASE;
		msg.flags = VU_VERSION;
		msg.size = sizeof(msg.payload.state);
		msg.payload.state.index = i;
		/* The reply means the backend stopped the ring. */
		if (vu_send(vu, &msg, NULL, 0) != 0 ||
		    vu_recv_reply(vu, VU_GET_VRING_BASE, &msg, sizeof(msg.payload.state)) != 0) {
			vu_close_conn(vu);
			return;
		}
	}
	vu->running = false;
}

/* ---- transport ops ---- */

static void
vu_read_cfg(struct vnet_hw *hw, size_t off, void *dst, size_t len)
{
	struct vnet_vu *vu = vu_of(hw);
	struct vnet_net_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.mac, vu->args.mac, sizeof(cfg.mac));
	cfg.status = vnet_vu_backend_ready(hw) ? VNET_NET_S_LINK_UP : 0;
	cfg.max_virtqueue_pairs = vu->args.queues;
	cfg.mtu = 1500;
	if (off + len > sizeof(cfg)) {
		memset(dst, 0, len);
		return;
	}
	memcpy(dst, (uint8_t *)&cfg + off, len);
}

static uint8_t
vu_get_status(struct vnet_hw *hw)
{
	return vu_of(hw)->status;
}

static void
vu_set_status(struct vnet_hw *hw, uint8_t status)
{
	struct vnet_vu *vu = vu_of(hw);

	pthread_mutex_lock(&vu->lock);
	if (status == 0) {
		vu_stop_backend(vu);
		vu->driver_features = 0;
		vu->nvqs = 0;
		memset(vu->vqs, 0, sizeof(*vu->vqs) * 2u * vu->args.queues);
		vu->status = 0;
	} else if ((status & VNET_STATUS_DRIVER_OK) && !(vu->status & VNET_STATUS_DRIVER_OK)) {
		vu->status = status;
		if (vu_build_mem_table(vu) != 0) {
			vu->status |= VNET_STATUS_DEVICE_NEEDS_RESET;
		} else {
			vu_assign_bounce(vu);
			vu_start_backend(vu);	/* failure = link down; the thread retries */
		}
	} else {
		vu->status = status;
	}
	pthread_mutex_unlock(&vu->lock);
}

/* Features the emulated device offers: the backend's, plus what the transport emulates. */
static uint64_t
vu_get_features(struct vnet_hw *hw)
{
	struct vnet_vu *vu = vu_of(hw);

	return (vu->backend_features & ~VNET_BIT(VU_F_PROTOCOL_FEATURES)) |
	       VNET_BIT(VNET_NET_F_MAC) | VNET_BIT(VNET_NET_F_STATUS);
}

static void
vu_set_features(struct vnet_hw *hw, uint64_t features)
{
	vu_of(hw)->driver_features = features;
}

static uint64_t
vu_get_driver_features(struct vnet_hw *hw)
{
	return vu_of(hw)->driver_features;
}

static uint16_t
vu_get_queue_max(struct vnet_hw *hw, uint16_t idx)
{
	struct vnet_vu *vu = vu_of(hw);

	return idx < 2u * vu->args.queues ? vu->args.queue_size : 0;
}

static int
vu_setup_queue(struct vnet_hw *hw, struct vnet_vq *vq)
{
	struct vnet_vu *vu = vu_of(hw);

	if (vq->idx >= 2u * vu->args.queues || vq->size > vu->args.queue_size)
		return -EINVAL;
	pthread_mutex_lock(&vu->lock);
	vu->vqs[vq->idx] = vq;
	if (vq->idx + 1u > vu->nvqs)
		vu->nvqs = (uint16_t)(vq->idx + 1);
	pthread_mutex_unlock(&vu->lock);
	vq->notify_addr = NULL;
	return 0;
}

static void
vu_del_queue(struct vnet_hw *hw, struct vnet_vq *vq)
{
	struct vnet_vu *vu = vu_of(hw);

	pthread_mutex_lock(&vu->lock);
	if (vq->idx < 2u * vu->args.queues)
		vu->vqs[vq->idx] = NULL;
	pthread_mutex_unlock(&vu->lock);
}

static void
vu_notify(struct vnet_hw *hw, struct vnet_vq *vq)
{
	static const uint64_t one = 1;
	ssize_t n;

	/* An eventfd write never blocks short of 2^64 - 2 pending kicks; the result is moot. */
	n = write(vu_of(hw)->kickfd[vq->idx], &one, sizeof(one));
	RTE_SET_USED(n);
}

static uint8_t
vu_get_isr(struct vnet_hw *hw)
{
	RTE_SET_USED(hw);
	return 0;
}

static void *
vu_ring_mem(struct vnet_hw *hw, uint16_t idx, size_t len, uint64_t *iova)
{
	struct vnet_vu *vu = vu_of(hw);
	uint8_t *va;

	if (idx >= 2u * vu->args.queues || len > vu->ring_slot)
		return NULL;
	va = vu->rings.va + (size_t)idx * vu->ring_slot;
	*iova = (uint64_t)(uintptr_t)va;
	return va;
}

static void vu_uninit(struct vnet_hw *hw);

const struct vnet_transport_ops vnet_tp_vhost_user_ops = {
	.name = "vhost-user",
	.read_cfg = vu_read_cfg,
	.get_status = vu_get_status,
	.set_status = vu_set_status,
	.get_features = vu_get_features,
	.set_features = vu_set_features,
	.get_driver_features = vu_get_driver_features,
	.get_queue_max = vu_get_queue_max,
	.setup_queue = vu_setup_queue,
	.del_queue = vu_del_queue,
	.notify = vu_notify,
	.get_isr = vu_get_isr,
	.uninit = vu_uninit,
	.ring_mem = vu_ring_mem,
};

/* ---- control thread: accept, detect hang-ups, reconnect ---- */

static void
vu_lost_backend(struct vnet_vu *vu, const char *why)
{
	vu_close_conn(vu);
	vu->disconnects++;
	VNET_DRV_LOG(NOTICE, "%s: backend %s: link down%s", vu->name, why,
		     vu->args.server ? ", waiting for it to reconnect" :
		     ", retrying the connection");
}

/* A backend is connected: handshake and, if the port is started, run the rings. */
static void
vu_new_backend(struct vnet_vu *vu)
{
	if (vu_handshake(vu) != 0) {
		vu_close_conn(vu);
		return;
	}
	if (vu->status & VNET_STATUS_DRIVER_OK) {
		/* Features must still be what the port negotiated. */
		uint64_t offered = vu_get_features(vu->hw);

		if ((vu->driver_features & ~offered) != 0) {
			VNET_DRV_LOG(ERR, "%s: new backend lacks negotiated features 0x%016"
				     PRIx64 ": restart the port", vu->name,
				     vu->driver_features & ~offered);
			vu_close_conn(vu);
			return;
		}
		vu_start_backend(vu);
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
		int r;

		if (__atomic_exchange_n(&vu->mem_dirty, false, __ATOMIC_ACQ_REL)) {
			pthread_mutex_lock(&vu->lock);
			vu_mem_update(vu);
			pthread_mutex_unlock(&vu->lock);
		}

		if (vu->sock < 0) {
			if (vu->args.server) {
				if (!(vu_wait(vu, vu->listen_fd, POLLIN, 100) & POLLIN))
					continue;
				r = accept4(vu->listen_fd, NULL, NULL, SOCK_CLOEXEC);
				if (r < 0)
					continue;
				pthread_mutex_lock(&vu->lock);
				vu->sock = r;
				vu_new_backend(vu);
				pthread_mutex_unlock(&vu->lock);
			} else {
				vu_wait(vu, -1, 0, 100);
				retry_ms += 100;
				if (retry_ms < 1000)
					continue;
				retry_ms = 0;
				pthread_mutex_lock(&vu->lock);
				if (vu->sock < 0 && vu_connect(vu) == 0)
					vu_new_backend(vu);
				pthread_mutex_unlock(&vu->lock);
			}
			continue;
		}
		if (vu_wait(vu, vu->sock, POLLIN | POLLRDHUP, 100) == 0)
			continue;
		pfd.fd = vu->sock;
		pfd.events = POLLIN | POLLRDHUP;
		/* Replies are read by whoever holds the lock; look again with it held. */
		pthread_mutex_lock(&vu->lock);
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
		pthread_mutex_unlock(&vu->lock);
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
vnet_vu_counters(struct vnet_hw *hw, uint64_t *disconnects, uint64_t *connects)
{
	*disconnects = vu_of(hw)->disconnects;
	*connects = vu_of(hw)->connects;
}

static void
vu_uninit(struct vnet_hw *hw)
{
	struct vnet_vu *vu = vu_of(hw);
	uint16_t i;

	if (vu == NULL)
		return;
	if (vu->mem_cb)
		rte_mem_event_callback_unregister(vu->mem_cb_name, vu);
	if (vu->thread_running) {
		vu->thread_stop = true;
		vnet_thread_join(vu->tid);
	}
	pthread_mutex_lock(&vu->lock);
	vu_stop_backend(vu);
	vu_close_conn(vu);
	pthread_mutex_unlock(&vu->lock);
	if (vu->listen_fd >= 0) {
		close(vu->listen_fd);
		unlink(vu->args.path);
	}
	for (i = 0; vu->kickfd != NULL && i < 2u * vu->args.queues; i++)
		if (vu->kickfd[i] >= 0)
			close(vu->kickfd[i]);
	shm_destroy(&vu->rings);
	shm_destroy(&vu->bounce);
	if (vu->wake_fd >= 0)
		close(vu->wake_fd);
	pthread_mutex_destroy(&vu->lock);
	rte_free(vu->kickfd);
	rte_free(vu->vqs);
	rte_free(vu);
	hw->tp.vu = NULL;
}

int
vnet_vu_init(struct vnet_hw *hw, const struct vnet_vu_args *args, const char *name)
{
	struct vnet_vring_layout l;
	struct vnet_vu *vu;
	uint16_t nvq = (uint16_t)(2 * args->queues), i;
	int ret;

	vu = rte_zmalloc("vnet_vu", sizeof(*vu), 0);
	if (vu == NULL)
		return -ENOMEM;
	vu->hw = hw;
	vu->args = *args;
	vu->sock = -1;
	vu->listen_fd = -1;
	vu->rings.fd = -1;
	vu->bounce.fd = -1;
	vu->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	snprintf(vu->name, sizeof(vu->name), "%s", name);
	pthread_mutex_init(&vu->lock, NULL);
	hw->tp.vu = vu;
	hw->ops = &vnet_tp_vhost_user_ops;
	hw->modern = true;
	hw->use_va = true;
	hw->tp_max_pairs = args->queues;

	vu->vqs = rte_zmalloc("vnet_vu_vqs", sizeof(*vu->vqs) * nvq, 0);
	vu->kickfd = rte_malloc("vnet_vu_kick", sizeof(int) * nvq, 0);
	if (vu->vqs == NULL || vu->kickfd == NULL || vu->wake_fd < 0) {
		ret = vu->wake_fd < 0 ? -errno : -ENOMEM;
		goto err;
	}
	for (i = 0; i < nvq; i++)
		vu->kickfd[i] = -1;
	for (i = 0; i < nvq; i++) {
		vu->kickfd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vu->kickfd[i] < 0) {
			ret = -errno;
			goto err;
		}
	}

	/* One slot per virtqueue in a shared memfd area, laid out for the largest ring. */
	vnet_vring_layout(args->queue_size, RTE_CACHE_LINE_SIZE, &l);
	vu->ring_slot = RTE_ALIGN_CEIL(l.size, 4096);
	ret = shm_create(&vu->rings, "vnet-rings", vu->ring_slot * nvq);
	if (ret != 0) {
		VNET_INIT_LOG(ERR, "%s: cannot create shared ring memory: %s", name,
			      strerror(-ret));
		goto err;
	}

	if (args->server) {
		ret = vu_listen(vu);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "%s: cannot listen on %s: %s", name, args->path,
				      strerror(-ret));
			goto err;
		}
		VNET_INIT_LOG(NOTICE, "%s: server mode: waiting up to %u s for a vhost-user "
			      "backend on %s", name, VU_ACCEPT_TIMEOUT_S, args->path);
		ret = vu_accept_first(vu);
		if (ret != 0)
			goto err;
	} else {
		ret = vu_connect(vu);
		if (ret != 0) {
			VNET_INIT_LOG(ERR, "%s: cannot connect to vhost-user backend %s: %s (start "
				      "the backend first, or use server=1)", name, args->path,
				      strerror(-ret));
			goto err;
		}
		ret = vu_handshake(vu);
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
	if (rte_mem_event_callback_register(vu->mem_cb_name, vu_mem_event, vu) == 0)
		vu->mem_cb = true;
	else if (rte_errno != ENOTSUP)	/* e.g. legacy memory: it never grows */
		VNET_INIT_LOG(WARNING, "%s: no memory event callback (%s): memory EAL adds "
			      "after start will not be shared", name, rte_strerror(rte_errno));
	return 0;
err:
	vu_uninit(hw);
	hw->ops = NULL;
	return ret;
}
