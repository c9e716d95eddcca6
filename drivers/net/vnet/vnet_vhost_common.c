/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Shared by the vhost-user and vhost-net backends of net_vnet_user: ring area, kick
 * eventfds, the vring state given to a backend at start.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "vnet_osdep.h"
#include "vnet_ring.h"
#include "vnet_rxtx.h"
#include "vnet_vhost_common.h"

int
vnet_vh_shm_create(struct vnet_vh_shm *shm, const char *name, size_t len)
{
	int err;

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
	err = errno;
	close(shm->fd);
	shm->fd = -1;
	return -err;
}

void
vnet_vh_shm_destroy(struct vnet_vh_shm *shm)
{
	if (shm->va != NULL)
		munmap(shm->va, shm->len);
	if (shm->fd >= 0)
		close(shm->fd);
	shm->va = NULL;
	shm->fd = -1;
	shm->len = 0;
}

int
vnet_vh_rings_init(struct vnet_vh_rings *r, uint16_t nvq, uint16_t queue_size)
{
	struct vnet_vring_layout l;
	uint16_t i;
	int ret;

	r->shm.fd = -1;
	r->shm.va = NULL;
	r->nvq = nvq;
	r->kickfd = rte_malloc("vnet_vh_kick", sizeof(int) * nvq, 0);
	if (r->kickfd == NULL)
		return -ENOMEM;
	for (i = 0; i < nvq; i++)
		r->kickfd[i] = -1;
	for (i = 0; i < nvq; i++) {
		r->kickfd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r->kickfd[i] < 0) {
			ret = -errno;
			goto err;
		}
	}
	/* One slot per virtqueue, laid out for the largest ring. */
	vnet_vring_layout(queue_size, RTE_CACHE_LINE_SIZE, &l);
	r->slot = RTE_ALIGN_CEIL(l.size, 4096);
	ret = vnet_vh_shm_create(&r->shm, "vnet-rings", r->slot * nvq);
	if (ret != 0)
		goto err;
	return 0;
err:
	vnet_vh_rings_fini(r);
	return ret;
}

void
vnet_vh_rings_fini(struct vnet_vh_rings *r)
{
	uint16_t i;

	for (i = 0; r->kickfd != NULL && i < r->nvq; i++)
		if (r->kickfd[i] >= 0)
			close(r->kickfd[i]);
	rte_free(r->kickfd);
	r->kickfd = NULL;
	vnet_vh_shm_destroy(&r->shm);
}

void *
vnet_vh_ring_mem(struct vnet_vh_rings *r, uint16_t idx, size_t len, uint64_t *va_out)
{
	uint8_t *va;

	if (idx >= r->nvq || len > r->slot || r->shm.va == NULL)
		return NULL;
	va = r->shm.va + (size_t)idx * r->slot;
	*va_out = (uint64_t)(uintptr_t)va;
	return va;
}

void
vnet_vh_kick(const struct vnet_vh_rings *r, uint16_t idx)
{
	static const uint64_t one = 1;
	ssize_t n;

	/* An eventfd write never blocks short of 2^64 - 2 pending kicks; the result is moot. */
	n = write(r->kickfd[idx], &one, sizeof(one));
	RTE_SET_USED(n);
}

void
vnet_vh_vring_info(const struct vnet_vq *vq, struct vnet_vh_vring *v)
{
	v->num = vq->size;
	v->base = vq->packed ? vnet_packed_resume_base(&vq->pr) :
		  VNET_LOAD_ACQ(&vq->vr.used->idx);
	v->desc = vq->ring_iova;
	v->avail = vq->ring_iova + vq->avail_off;
	v->used = vq->ring_iova + vq->used_off;
}

int
vnet_vh_callfds_create(int **out, uint16_t nvq)
{
	int *fds = rte_malloc("vnet_vh_call", sizeof(int) * nvq, 0);
	uint16_t i;
	int ret;

	if (fds == NULL)
		return -ENOMEM;
	for (i = 0; i < nvq; i++)
		fds[i] = -1;
	for (i = 0; i < nvq; i += 2) {
		fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fds[i] < 0) {
			ret = -errno;
			vnet_vh_callfds_destroy(fds, nvq);
			return ret;
		}
	}
	*out = fds;
	return 0;
}

void
vnet_vh_callfds_destroy(int *fds, uint16_t nvq)
{
	uint16_t i;

	for (i = 0; fds != NULL && i < nvq; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	rte_free(fds);
}

void
vnet_vh_op_set_features(struct vnet_hw *hw, uint64_t features)
{
	vnet_vh_of(hw)->driver_features = features;
}

uint64_t
vnet_vh_op_get_driver_features(struct vnet_hw *hw)
{
	return vnet_vh_of(hw)->driver_features;
}

uint16_t
vnet_vh_op_get_queue_max(struct vnet_hw *hw, uint16_t idx)
{
	struct vnet_vh_dev *vh = vnet_vh_of(hw);

	return idx < 2u * vh->args.queues ? vh->args.queue_size : 0;
}

int
vnet_vh_op_setup_queue(struct vnet_hw *hw, struct vnet_vq *vq)
{
	struct vnet_vh_dev *vh = vnet_vh_of(hw);

	if (vq->idx >= 2u * vh->args.queues || vq->size > vh->args.queue_size ||
	    (vq->packed && vh->split_only))
		return -EINVAL;
	pthread_mutex_lock(&vh->lock);
	vh->vqs[vq->idx] = vq;
	if (vq->idx + 1u > vh->nvqs)
		vh->nvqs = (uint16_t)(vq->idx + 1);
	pthread_mutex_unlock(&vh->lock);
	vq->notify_addr = NULL;
	return 0;
}

void
vnet_vh_op_del_queue(struct vnet_hw *hw, struct vnet_vq *vq)
{
	struct vnet_vh_dev *vh = vnet_vh_of(hw);

	pthread_mutex_lock(&vh->lock);
	if (vq->idx < 2u * vh->args.queues)
		vh->vqs[vq->idx] = NULL;
	pthread_mutex_unlock(&vh->lock);
}

void *
vnet_vh_op_ring_mem(struct vnet_hw *hw, uint16_t idx, size_t len, uint64_t *iova)
{
	return vnet_vh_ring_mem(&vnet_vh_of(hw)->rings, idx, len, iova);
}

void
vnet_vh_op_notify(struct vnet_hw *hw, struct vnet_vq *vq)
{
	vnet_vh_kick(&vnet_vh_of(hw)->rings, vq->idx);
}

uint8_t
vnet_vh_op_get_status(struct vnet_hw *hw)
{
	return vnet_vh_of(hw)->status;
}

uint8_t
vnet_vh_op_get_isr(struct vnet_hw *hw)
{
	RTE_SET_USED(hw);
	return 0;
}

void
vnet_vh_set_status(struct vnet_vh_dev *vh, uint8_t status,
		   const struct vnet_vh_status_ops *ops)
{
	pthread_mutex_lock(&vh->lock);
	if (status == 0) {
		ops->stop(vh);
		vh->driver_features = 0;
		vh->nvqs = 0;
		memset(vh->vqs, 0, sizeof(*vh->vqs) * 2u * vh->args.queues);
		vh->status = 0;
	} else if ((status & VNET_STATUS_DRIVER_OK) && !(vh->status & VNET_STATUS_DRIVER_OK)) {
		vh->status = status;
		if (ops->start(vh) != 0)
			vh->status |= VNET_STATUS_DEVICE_NEEDS_RESET;
	} else {
		vh->status = status;
	}
	pthread_mutex_unlock(&vh->lock);
}

void
vnet_vh_read_cfg(const struct vnet_vh_dev *vh, const uint8_t *mac, bool link_up, size_t off,
		 void *dst, size_t len)
{
	struct vnet_net_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	if (mac != NULL)
		memcpy(cfg.mac, mac, sizeof(cfg.mac));
	cfg.status = link_up ? VNET_NET_S_LINK_UP : 0;
	cfg.max_virtqueue_pairs = vh->args.queues;
	cfg.mtu = 1500;
	if (off + len > sizeof(cfg)) {
		memset(dst, 0, len);
		return;
	}
	memcpy(dst, (uint8_t *)&cfg + off, len);
}
