/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * vhost-user transport, messages: socket I/O, connection (client or server mode) and the
 * feature handshake, written from the vhost-user protocol description (QEMU
 * docs/interop/vhost-user.rst). The backend is untrusted: every reply is checked for type,
 * flags and size, no file descriptor is accepted from it, and a hang-up never raises SIGPIPE
 * (MSG_NOSIGNAL).
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

/* ---- socket I/O ---- */

int
vnet_vu_send(struct vnet_vu *vu, struct vu_msg *msg, const int *fds, unsigned int nfds)
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
int
vnet_vu_recv_reply(struct vnet_vu *vu, uint32_t req, struct vu_msg *reply, uint32_t size)
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
int
vnet_vu_request(struct vnet_vu *vu, struct vu_msg *msg, const int *fds, unsigned int nfds)
{
	bool ack = (vu->protocol_features & VNET_BIT(VU_PROTO_F_REPLY_ACK)) != 0;
	struct vu_msg reply;
	int ret;

	msg->flags = VU_VERSION | (ack ? VU_FLAG_NEED_REPLY : 0);
	ret = vnet_vu_send(vu, msg, fds, nfds);
	if (ret != 0 || !ack)
		return ret;
	ret = vnet_vu_recv_reply(vu, msg->request, &reply, sizeof(uint64_t));
	if (ret != 0)
		return ret;
	if (reply.payload.u64 != 0) {
		VNET_INIT_LOG(ERR, "%s: backend refused request %u (status %" PRIu64 ")",
			      vu->name, msg->request, reply.payload.u64);
		return -EIO;
	}
	return 0;
}

int
vnet_vu_get_u64(struct vnet_vu *vu, uint32_t req, uint64_t *out)
{
	struct vu_msg msg;
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.request = req;
	msg.flags = VU_VERSION;
	msg.size = 0;
	ret = vnet_vu_send(vu, &msg, NULL, 0);
	if (ret == 0)
		ret = vnet_vu_recv_reply(vu, req, &msg, sizeof(uint64_t));
	if (ret == 0)
		*out = msg.payload.u64;
	return ret;
}

int
vnet_vu_set_u64(struct vnet_vu *vu, uint32_t req, uint64_t v)
{
	struct vu_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.request = req;
	msg.size = sizeof(uint64_t);
	msg.payload.u64 = v;
	return vnet_vu_request(vu, &msg, NULL, 0);
}

int
vnet_vu_set_state(struct vnet_vu *vu, uint32_t req, uint32_t index, uint32_t num)
{
	struct vu_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.request = req;
	msg.size = sizeof(msg.payload.state);
	msg.payload.state.index = index;
	msg.payload.state.num = num;
	return vnet_vu_request(vu, &msg, NULL, 0);
}

void
vnet_vu_close_conn(struct vnet_vu *vu)
{
	if (vu->sock >= 0)
		close(vu->sock);
	vu->sock = -1;
	vu->handshaken = false;
	vu->running = false;
	vu->protocol_features = 0;
}

/* ---- connection and handshake ---- */

int
vnet_vu_connect(struct vnet_vu *vu)
{
	struct sockaddr_un sa;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, vu->vh.args.path, sizeof(sa.sun_path) - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	vu->sock = fd;
	return 0;
}

int
vnet_vu_listen(struct vnet_vu *vu)
{
	struct sockaddr_un sa;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, vu->vh.args.path, sizeof(sa.sun_path) - 1);
	unlink(vu->vh.args.path);	/* a stale socket of an earlier run */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	vu->listen_fd = fd;
	return 0;
}

/* Server mode at probe: the backend's features are needed to negotiate, so wait for it. */
int
vnet_vu_accept_first(struct vnet_vu *vu)
{
	struct pollfd pfd = { .fd = vu->listen_fd, .events = POLLIN };
	int r, fd;

	do {
		r = poll(&pfd, 1, VU_ACCEPT_TIMEOUT_S * 1000);
	} while (r < 0 && errno == EINTR);
	if (r <= 0) {
		VNET_INIT_LOG(ERR, "%s: no vhost-user backend connected to %s within %u s",
			      vu->name, vu->vh.args.path, VU_ACCEPT_TIMEOUT_S);
		return r == 0 ? -ETIMEDOUT : -errno;
	}
	fd = accept4(vu->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	vu->sock = fd;
	return vnet_vu_handshake(vu);
}

/* SET_OWNER, features and protocol features. Called with vu->vh.lock held. */
int
vnet_vu_handshake(struct vnet_vu *vu)
{
	struct vu_msg msg;
	uint64_t proto = 0, qnum;
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.request = VU_SET_OWNER;
	msg.flags = VU_VERSION;
	ret = vnet_vu_send(vu, &msg, NULL, 0);
	if (ret == 0)
		ret = vnet_vu_get_u64(vu, VU_GET_FEATURES, &vu->backend_features);
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
		ret = vnet_vu_get_u64(vu, VU_GET_PROTOCOL_FEATURES, &proto);
		if (ret != 0)
			goto err;
		proto &= VU_PROTO_WANTED;
		/* Sent before protocol_features is set: this request takes no ack. */
		ret = vnet_vu_set_u64(vu, VU_SET_PROTOCOL_FEATURES, proto);
		if (ret != 0)
			goto err;
		vu->protocol_features = proto;
	}
	if (vu->vh.args.queues > 1) {
		if (!(proto & VNET_BIT(VU_PROTO_F_MQ))) {
			VNET_INIT_LOG(ERR, "%s: queues=%u but the backend has no multi-queue "
				      "support", vu->name, vu->vh.args.queues);
			ret = -ENOTSUP;
			goto err;
		}
		ret = vnet_vu_get_u64(vu, VU_GET_QUEUE_NUM, &qnum);
		if (ret != 0)
			goto err;
		if (qnum < vu->vh.args.queues) {
			VNET_INIT_LOG(ERR, "%s: queues=%u but the backend has %" PRIu64 " queue "
				      "pairs", vu->name, vu->vh.args.queues, qnum);
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
		      vu->vh.args.path, strerror(-ret));
	return ret;
}
