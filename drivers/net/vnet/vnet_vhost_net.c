/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * vhost-net transport: the kernel's vhost-net (drivers/vhost/net.c) runs vnet's split rings
 * against a tap. Per queue pair one /dev/vhost-net instance (its virtqueue 0 is the RX
 * queue, 1 the TX queue) and one tap queue fd. The ioctls are those of <linux/vhost.h>:
 * SET_OWNER, GET/SET_FEATURES, SET_MEM_TABLE (process virtual addresses, at most the vhost
 * module's max_mem_regions), SET_VRING_NUM/BASE/ADDR/KICK and VHOST_NET_SET_BACKEND.
 *
 * The tap, not the kernel's vhost, carries the virtio-net header (VHOST_NET_F_VIRTIO_NET_HDR
 * is never negotiated): TUNSETVNETHDRSZ gives it the 12-byte virtio 1.x header, and
 * TUNSETOFFLOAD allows it the receive offloads vnet negotiated (GUEST_CSUM/TSO4/TSO6/ECN).
 * The transmit offloads (CSUM, HOST_TSO4/6) need nothing: a tap with IFF_VNET_HDR always
 * takes partial checksums and GSO frames from its writer.
 *
 * Threads: all ops are control path (primary process); notify() is an eventfd write from
 * the lcore owning the queue. No thread of its own: the kernel has one per instance.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "vnet_dev.h"
#include "vnet_logs.h"
#include "vnet_rxtx.h"
#include "vnet_vhost_common.h"
#include "vnet_vhost_net.h"

/* Older uapi headers (DPDK 22.11's minimum kernel headers) may lack these. */
#ifndef TUNSETCARRIER
#define TUNSETCARRIER _IOW('T', 226, int)
#endif
#ifndef TUNGETDEVNETNS
#define TUNGETDEVNETNS _IO('T', 227)
#endif

#define VN_TUN_PATH		"/dev/net/tun"
#define VN_MAX_REGIONS_PARAM	"/sys/module/vhost/parameters/max_mem_regions"
#define VN_MAX_REGIONS_DEFAULT	64	/* drivers/vhost/vhost.c: max_mem_regions */
#define VN_MODULES_HINT \
	"load the modules tun, tap, vhost_iotlb, vhost and vhost_net (modprobe vhost_net)"

/*
 * Features the kernel's vhost-net takes in VHOST_SET_FEATURES that vnet may use. Not
 * VIRTIO_F_ACCESS_PLATFORM (the kernel would expect IOTLB messages; vnet gives it process
 * addresses), not VHOST_NET_F_VIRTIO_NET_HDR (the tap carries the header), not LOG_ALL.
 */
#define VN_KERNEL_FEATURES \
	(VNET_BIT(VNET_F_VERSION_1) | VNET_BIT(VNET_F_RING_EVENT_IDX) | \
	 VNET_BIT(VNET_F_RING_INDIRECT_DESC) | VNET_BIT(VNET_NET_F_MRG_RXBUF) | \
	 VNET_BIT(VNET_F_ANY_LAYOUT))
/* Emulated by the transport: the config space (MAC, status) and the tap's offloads. */
#define VN_TAP_FEATURES \
	(VNET_BIT(VNET_NET_F_MAC) | VNET_BIT(VNET_NET_F_STATUS) | \
	 VNET_BIT(VNET_NET_F_CSUM) | VNET_BIT(VNET_NET_F_HOST_TSO4) | \
	 VNET_BIT(VNET_NET_F_HOST_TSO6) | VNET_BIT(VNET_NET_F_GUEST_CSUM) | \
	 VNET_BIT(VNET_NET_F_GUEST_TSO4) | VNET_BIT(VNET_NET_F_GUEST_TSO6) | \
	 VNET_BIT(VNET_NET_F_GUEST_ECN))

struct vn_region {
	uint64_t start;
	uint64_t end;	/* exclusive */
};

struct vnet_vn {
	struct vnet_vh_dev vh;		/* first: hw->tp.vh (vnet_vhost_common.h) */
	struct vnet_hw *hw;
	int *vhostfd;			/* per queue pair */
	int *tapfd;			/* per queue pair */
	int *callfd;			/* per virtqueue: RX ones an eventfd (RX interrupts) */
	bool rx_intr;			/* RX queues get their call eventfd at start */
	uint64_t kernel_features;	/* VHOST_GET_FEATURES */
	bool running;			/* backends attached */
	unsigned int max_regions;	/* the vhost module's max_mem_regions */
	bool merge_logged;
	int ctl_sock;			/* interface ioctls, in the tap's network namespace */
	dev_t ctl_ns_dev;		/* that namespace (st_dev, st_ino of its nsfs inode) */
	ino_t ctl_ns_ino;
	char ifname[IFNAMSIZ];
	char name[64];
};

/* hw->tp.vh and hw->tp.vn name the same object (vnet_vh_of()). */
static_assert(offsetof(struct vnet_vn, vh) == 0, "vnet_vn must start with its vnet_vh_dev");

static inline struct vnet_vn *
vn_of(struct vnet_hw *hw)
{
	return hw->tp.vn;
}

bool
vnet_vn_path_is_vhost_net(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return S_ISCHR(st.st_mode);
	return strncmp(path, "/dev/", 5) == 0;
}

/* ---- the tap ---- */

/*
 * A socket for SIOC[GS]IFFLAGS in the network namespace the tap is in now: the test (and
 * any user) may move the tap into another namespace after vnet created it, where its name
 * is not visible from vnet's own. TUNGETDEVNETNS (Linux 5.2) gives the namespace; the
 * socket is created there by this thread entering it for the socket() call only. Kept
 * until the tap moves again. @return the socket or -1 (errno set).
 */
static int
vn_ctl_sock(struct vnet_vn *vn)
{
	struct stat st;
	int nsfd, self = -1, s = -1, err;

	memset(&st, 0, sizeof(st));
	nsfd = ioctl(vn->tapfd[0], TUNGETDEVNETNS);
	if (nsfd < 0) {
		/* Older kernel: the tap stays where vnet created it, as far as vnet can tell. */
		if (vn->ctl_sock < 0)
			vn->ctl_sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		return vn->ctl_sock;
	}
	if (fstat(nsfd, &st) != 0)
		memset(&st, 0, sizeof(st));	/* unknown: a new socket each time */
	else if (vn->ctl_sock >= 0 && st.st_dev == vn->ctl_ns_dev &&
		 st.st_ino == vn->ctl_ns_ino) {
		close(nsfd);
		return vn->ctl_sock;
	}
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		goto out;
	if (setns(nsfd, CLONE_NEWNET) < 0)
		goto out;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	err = errno;
	if (setns(self, CLONE_NEWNET) < 0)
		VNET_DRV_LOG(ERR, "%s: cannot return to the process's network namespace: %s",
			     vn->name, strerror(errno));
	errno = err;
	if (s >= 0) {
		if (vn->ctl_sock >= 0)
			close(vn->ctl_sock);
		vn->ctl_sock = s;
		vn->ctl_ns_dev = st.st_dev;
		vn->ctl_ns_ino = st.st_ino;
	}
out:
	err = errno;
	if (self >= 0)
		close(self);
	close(nsfd);
	errno = err;
	return s >= 0 ? s : vn->ctl_sock;
}

/* The tap's interface flags (IFF_UP, IFF_RUNNING...). @return 0 or a negative errno. */
static int
vn_tap_flags(struct vnet_vn *vn, short *flags)
{
	struct ifreq ifr;
	int s = vn_ctl_sock(vn);

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	/* The name as the tap has it now (TUNGETIFF reads it from the device). */
	if (ioctl(vn->tapfd[0], TUNGETIFF, &ifr) == 0)
		snprintf(vn->ifname, sizeof(vn->ifname), "%s", ifr.ifr_name);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", vn->ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	*flags = ifr.ifr_flags;
	return 0;
}

/* Open one tap queue (creating the tap if absent). @return the fd or a negative errno. */
static int
vn_tap_open(struct vnet_vn *vn, bool first)
{
	unsigned int features = 0;
	struct ifreq ifr;
	int fd, hdr, sndbuf, err;

	fd = open(VN_TUN_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		VNET_INIT_LOG(ERR, "%s: cannot open " VN_TUN_PATH ": %s%s", vn->name,
			      strerror(err), err == ENOENT || err == ENODEV || err == ENXIO ?
			      ": " VN_MODULES_HINT : "");
		return -err;
	}
	if (ioctl(fd, TUNGETFEATURES, &features) < 0 || !(features & IFF_VNET_HDR) ||
	    (vn->vh.args.queues > 1 && !(features & IFF_MULTI_QUEUE))) {
		VNET_INIT_LOG(ERR, "%s: the tun driver lacks %s", vn->name,
			      !(features & IFF_VNET_HDR) ? "IFF_VNET_HDR" : "IFF_MULTI_QUEUE");
		close(fd);
		return -ENOTSUP;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", vn->ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (vn->vh.args.queues > 1)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = errno;
		VNET_INIT_LOG(ERR, "%s: cannot attach to tap %s: %s%s", vn->name,
			      vn->ifname[0] != '\0' ? vn->ifname : "(new)", strerror(err),
			      err == EINVAL || err == EBUSY ? " (it exists with other flags: "
			      "multi-queue or not, vnet header, or another owner)" : "");
		close(fd);
		return -err;
	}
	if (first)
		snprintf(vn->ifname, sizeof(vn->ifname), "%s", ifr.ifr_name);
	/* The virtio 1.x header (12 bytes, num_buffers included): vhost-net passes it on. */
	hdr = (int)sizeof(struct vnet_net_hdr_mrg);
	/*
	 * No send buffer limit (as QEMU's and DPDK's taps): frames vhost-net writes into the
	 * tap are charged to it until the stack frees them; the default wmem limit would make
	 * the kernel's TX worker wait for that under load.
	 */
	sndbuf = INT_MAX;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 || ioctl(fd, TUNSETSNDBUF, &sndbuf) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, 0) < 0) {
		err = errno;
		VNET_INIT_LOG(ERR, "%s: tap %s: cannot set the vnet header size, send buffer or offloads: %s",
			      vn->name, vn->ifname, strerror(err));
		close(fd);
		return -err;
	}
	return fd;
}

/* Receive offloads the tap may use towards vnet: what vnet negotiated (5.1.6.4). */
static int
vn_tap_offload(struct vnet_vn *vn)
{
	uint64_t f = vn->vh.driver_features;
	unsigned int off = 0;
	uint16_t p;

	if (f & VNET_BIT(VNET_NET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (f & VNET_BIT(VNET_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (f & VNET_BIT(VNET_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
		if ((off & (TUN_F_TSO4 | TUN_F_TSO6)) && (f & VNET_BIT(VNET_NET_F_GUEST_ECN)))
			off |= TUN_F_TSO_ECN;
	}
	for (p = 0; p < vn->vh.args.queues; p++)
		if (ioctl(vn->tapfd[p], TUNSETOFFLOAD, (unsigned long)off) < 0)
			return -errno;
	return 0;
}

/* ---- memory table ---- */

static int
vn_msl_region(const struct rte_memseg_list *msl, void *arg)
{
	struct vn_region **r = arg;

	if (msl->base_va == NULL || msl->len == 0)
		return 0;
	(*r)->start = (uint64_t)(uintptr_t)msl->base_va;
	(*r)->end = (*r)->start + msl->len;
	(*r)++;
	return 0;
}

static int
vn_region_cmp(const void *a, const void *b)
{
	const struct vn_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The kernel translates descriptor addresses through the memory table, so it must cover
 * every buffer vnet posts: the ring area and the whole virtual range of every EAL memseg
 * list (segments EAL maps later fall inside; the kernel touches only what descriptors
 * point at). One region per list fits vhost's default of 64; beyond the module's
 * max_mem_regions the closest neighbours are merged into one covering region (the gap in
 * between is never accessed). @return a malloc'd table or NULL (errno set).
 */
static struct vhost_memory *
vn_mem_table(struct vnet_vn *vn)
{
	struct vn_region *r, *end;
	struct vhost_memory *mem;
	unsigned int n, i, nmerged = 0;

	r = calloc(RTE_MAX_MEMSEG_LISTS + 1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r[0].start = (uint64_t)(uintptr_t)vn->vh.rings.shm.va;
	r[0].end = r[0].start + vn->vh.rings.shm.len;
	end = r + 1;
	rte_memseg_list_walk(vn_msl_region, &end);
	n = (unsigned int)(end - r);
	qsort(r, n, sizeof(*r), vn_region_cmp);
	/* Overlaps cannot happen between lists; merge them anyway, then fit the limit. */
	while (n > 1) {
		unsigned int best = 0;
		uint64_t gap = UINT64_MAX;

		for (i = 0; i + 1 < n; i++) {
			uint64_t g = r[i + 1].start > r[i].end ? r[i + 1].start - r[i].end : 0;

			if (g < gap) {
				gap = g;
				best = i;
			}
		}
		if (gap > 0 && n <= vn->max_regions)
			break;
		r[best].end = RTE_MAX(r[best].end, r[best + 1].end);
		memmove(&r[best + 1], &r[best + 2], sizeof(*r) * (n - best - 2));
		n--;
		if (gap > 0)
			nmerged++;
	}
	if (nmerged > 0 && !vn->merge_logged) {
		VNET_INIT_LOG(NOTICE, "%s: EAL memory has more lists than the vhost module's "
			      "max_mem_regions=%u: %u region(s) merged into their neighbours",
			      vn->name, vn->max_regions, nmerged);
		vn->merge_logged = true;
	}
	mem = calloc(1, sizeof(*mem) + n * sizeof(mem->regions[0]));
	if (mem != NULL) {
		mem->nregions = n;
		for (i = 0; i < n; i++) {
			/* Descriptors carry process VAs: "guest physical" = user address. */
			mem->regions[i].guest_phys_addr = r[i].start;
			mem->regions[i].userspace_addr = r[i].start;
			mem->regions[i].memory_size = r[i].end - r[i].start;
		}
	}
	free(r);
	return mem;
}

static unsigned int
vn_read_max_regions(void)
{
	unsigned int v = 0;
	FILE *f = fopen(VN_MAX_REGIONS_PARAM, "r");

	if (f != NULL) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v > 0 ? v : VN_MAX_REGIONS_DEFAULT;
}

/* ---- running the rings in the kernel ---- */

static int
vn_ioctl(struct vnet_vn *vn, int fd, unsigned long req, void *arg, const char *what)
{
	if (ioctl(fd, req, arg) == 0)
		return 0;
	VNET_INIT_LOG(ERR, "%s: vhost-net %s: %s", vn->name, what, strerror(errno));
	return -errno;
}

/* Detach the taps: the kernel stops using the rings. */
static void
vn_stop_backend(struct vnet_vn *vn)
{
	uint16_t p;
	unsigned int k;

	if (!vn->running)
		return;
	for (p = 0; p < vn->vh.args.queues; p++) {
		for (k = 0; k < 2; k++) {
			struct vhost_vring_file f = { .index = k, .fd = VHOST_FILE_UNBIND };
			struct vhost_vring_state st = { .index = k };

			if (2u * p + k >= vn->vh.nvqs || vn->vh.vqs[2 * p + k] == NULL)
				continue;
			vn_ioctl(vn, vn->vhostfd[p], VHOST_NET_SET_BACKEND, &f, "detach tap");
			/* Returns once the kernel's worker no longer runs this ring. */
			vn_ioctl(vn, vn->vhostfd[p], VHOST_GET_VRING_BASE, &st, "GET_VRING_BASE");
		}
	}
	vn->running = false;
}

static int
vn_start_backend(struct vnet_vn *vn)
{
	uint64_t features = vn->vh.driver_features & vn->kernel_features & VN_KERNEL_FEATURES;
	struct vhost_memory *mem;
	uint16_t p;
	unsigned int k;
	int ret;

	mem = vn_mem_table(vn);
	if (mem == NULL)
		return -ENOMEM;
	ret = vn_tap_offload(vn);
	if (ret != 0) {
		VNET_INIT_LOG(ERR, "%s: tap %s: TUNSETOFFLOAD: %s", vn->name, vn->ifname,
			      strerror(-ret));
		goto out;
	}
	vn->running = true;	/* from here on, a failure detaches what was attached */
	for (p = 0; p < vn->vh.args.queues; p++) {
		int fd = vn->vhostfd[p];

		ret = vn_ioctl(vn, fd, VHOST_SET_FEATURES, &features, "SET_FEATURES");
		if (ret == 0)
			ret = vn_ioctl(vn, fd, VHOST_SET_MEM_TABLE, mem, "SET_MEM_TABLE");
		for (k = 0; ret == 0 && k < 2; k++) {
			uint16_t idx = (uint16_t)(2 * p + k);
			struct vnet_vq *vq = idx < vn->vh.nvqs ? vn->vh.vqs[idx] : NULL;
			struct vhost_vring_state st = { .index = k };
			struct vhost_vring_addr addr = { .index = k };
			struct vhost_vring_file kick = { .index = k, .fd = vn->vh.rings.kickfd[idx] };
			struct vhost_vring_file be = { .index = k, .fd = vn->tapfd[p] };
			struct vhost_vring_file call = { .index = k };
			struct vnet_vh_vring v;

			if (vq == NULL)
				continue;	/* e.g. more RX than TX queues configured */
			vnet_vh_vring_info(vq, &v);
			st.num = v.num;
			ret = vn_ioctl(vn, fd, VHOST_SET_VRING_NUM, &st, "SET_VRING_NUM");
			st.num = v.base;
			if (ret == 0)
				ret = vn_ioctl(vn, fd, VHOST_SET_VRING_BASE, &st, "SET_VRING_BASE");
			addr.desc_user_addr = v.desc;
			addr.avail_user_addr = v.avail;
			addr.used_user_addr = v.used;
			if (ret == 0)
				ret = vn_ioctl(vn, fd, VHOST_SET_VRING_ADDR, &addr,
					       "SET_VRING_ADDR");
			if (ret == 0)
				ret = vn_ioctl(vn, fd, VHOST_SET_VRING_KICK, &kick,
					       "SET_VRING_KICK");
			/*
			 * RX interrupts: the kernel signals the call eventfd (unless the ring
			 * says NO_INTERRUPT / used_event not passed); polling: none, so the
			 * kernel's worker writes nothing.
			 */
			call.fd = vn->rx_intr ? vn->callfd[idx] : VHOST_FILE_UNBIND;
			if (ret == 0)
				ret = vn_ioctl(vn, fd, VHOST_SET_VRING_CALL, &call,
					       "SET_VRING_CALL");
			/* A stopped (deferred) queue gets its tap at queue start. */
			if (ret == 0 && !vq->stopped)
				ret = vn_ioctl(vn, fd, VHOST_NET_SET_BACKEND, &be,
					       "NET_SET_BACKEND");
		}
		if (ret != 0)
			break;
	}
	if (ret != 0) {
		vn_stop_backend(vn);
		goto out;
	}
	VNET_INIT_LOG(NOTICE, "%s: vhost-net running %u virtqueue(s) on tap %s, %u memory "
		      "region(s), features 0x%" PRIx64, vn->name, vn->vh.nvqs, vn->ifname,
		      mem->nregions, features);
out:
	free(mem);
	return ret;
}

/* ---- transport ops ---- */

static void
vn_read_cfg(struct vnet_hw *hw, size_t off, void *dst, size_t len)
{
	struct vnet_vn *vn = vn_of(hw);
	bool link_up = false;
	short flags = 0;

	/* Link up: rings attached, tap administratively up and with carrier. */
	if (off + len > offsetof(struct vnet_net_config, status) &&
	    off < offsetof(struct vnet_net_config, status) +
		  RTE_SIZEOF_FIELD(struct vnet_net_config, status) &&
	    vn->running && vn_tap_flags(vn, &flags) == 0 &&
	    (flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING))
		link_up = true;
	vnet_vh_read_cfg(&vn->vh, vn->vh.args.mac_set ? vn->vh.args.mac : NULL, link_up, off,
			 dst, len);
}

static void
vn_status_stop(struct vnet_vh_dev *vh)
{
	vn_stop_backend(container_of(vh, struct vnet_vn, vh));
}

static int
vn_status_start(struct vnet_vh_dev *vh)
{
	return vn_start_backend(container_of(vh, struct vnet_vn, vh));
}

static void
vn_set_status(struct vnet_hw *hw, uint8_t status)
{
	static const struct vnet_vh_status_ops ops = {
		.stop = vn_status_stop,
		.start = vn_status_start,
	};

	vnet_vh_set_status(vnet_vh_of(hw), status, &ops);
}

/* The kernel's ring features, plus the config space and the tap offloads emulated here. */
static uint64_t
vn_get_features(struct vnet_hw *hw)
{
	return (vn_of(hw)->kernel_features & VN_KERNEL_FEATURES) | VN_TAP_FEATURES;
}

static int
vn_set_link(struct vnet_hw *hw, bool up)
{
	struct vnet_vn *vn = vn_of(hw);
	struct ifreq ifr;
	short flags;
	int ret = vn_tap_flags(vn, &flags);

	if (ret != 0)
		goto err;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", vn->ifname);
	ifr.ifr_flags = up ? (short)(flags | IFF_UP) : (short)(flags & ~IFF_UP);
	if (ioctl(vn->ctl_sock, SIOCSIFFLAGS, &ifr) < 0) {
		ret = -errno;
		goto err;
	}
	return 0;
err:
	VNET_DRV_LOG(ERR, "%s: cannot set tap %s %s: %s", vn->name, vn->ifname,
		     up ? "up" : "down", strerror(-ret));
	return ret;
}

/*
 * Runtime queue stop/start: detach the tap from the one vring (VHOST_NET_SET_BACKEND with
 * fd -1) or attach it again. The kernel flushes the ring's worker before the ioctl returns
 * and keeps last_avail_idx (drivers/vhost/net.c: vhost_net_set_backend), so the ring
 * continues where it stopped; what the driver published meanwhile waits in the ring.
 */
static int
vn_queue_enable(struct vnet_hw *hw, struct vnet_vq *vq, bool on)
{
	struct vnet_vn *vn = vn_of(hw);
	uint16_t p = vq->idx / 2;
	struct vhost_vring_file be = { .index = vq->idx % 2u, .fd = VHOST_FILE_UNBIND };

	/* Not running: vn_start_backend() follows vq->stopped at the next DRIVER_OK. */
	if (!vn->running || p >= vn->vh.args.queues)
		return 0;
	if (on)
		be.fd = vn->tapfd[p];
	return vn_ioctl(vn, vn->vhostfd[p], VHOST_NET_SET_BACKEND, &be,
			on ? "NET_SET_BACKEND (queue start)" : "NET_SET_BACKEND (queue stop)");
}

static int
vn_rx_call_fd(struct vnet_hw *hw, uint16_t idx)
{
	struct vnet_vn *vn = vn_of(hw);

	return idx < 2u * vn->vh.args.queues ? vn->callfd[idx] : -1;
}

static void
vn_set_rx_intr(struct vnet_hw *hw, bool on)
{
	vn_of(hw)->rx_intr = on;
}

static void
vn_uninit(struct vnet_hw *hw)
{
	struct vnet_vn *vn = vn_of(hw);
	uint16_t p;

	if (vn == NULL)
		return;
	vn_stop_backend(vn);
	/* The kernel drops its ring and memory references with the last vhost-net fd. */
	for (p = 0; p < vn->vh.args.queues; p++) {
		if (vn->vhostfd != NULL && vn->vhostfd[p] >= 0)
			close(vn->vhostfd[p]);
		if (vn->tapfd != NULL && vn->tapfd[p] >= 0)
			close(vn->tapfd[p]);
	}
	if (vn->ctl_sock >= 0)
		close(vn->ctl_sock);
	vnet_vh_callfds_destroy(vn->callfd, (uint16_t)(2 * vn->vh.args.queues));
	vnet_vh_rings_fini(&vn->vh.rings);
	rte_free(vn->vhostfd);
	rte_free(vn->tapfd);
	rte_free(vn->vh.vqs);
	pthread_mutex_destroy(&vn->vh.lock);
	rte_free(vn);
	hw->tp.vn = NULL;
}

const struct vnet_transport_ops vnet_tp_vhost_net_ops = {
	.name = "vhost-net",
	.read_cfg = vn_read_cfg,
	.set_status = vn_set_status,
	.get_features = vn_get_features,
	VNET_VH_COMMON_OPS,
	.uninit = vn_uninit,
	.queue_enable = vn_queue_enable,
	.set_link = vn_set_link,
	.link_polled = true,
	.rx_call_fd = vn_rx_call_fd,
	.set_rx_intr = vn_set_rx_intr,
};

/* ---- init ---- */

static int
vn_open_vhost(struct vnet_vn *vn, uint16_t p)
{
	int fd, err;

	fd = open(vn->vh.args.path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT || err == ENODEV || err == ENXIO)
			VNET_INIT_LOG(ERR, "%s: cannot open %s: %s: the vhost-net backend needs "
				      "the kernel's vhost_net: " VN_MODULES_HINT, vn->name,
				      vn->vh.args.path, strerror(err));
		else
			VNET_INIT_LOG(ERR, "%s: cannot open %s: %s%s", vn->name, vn->vh.args.path,
				      strerror(err), err == EACCES || err == EPERM ?
				      " (vhost-net needs root, or read-write access to it and "
				      "CAP_NET_ADMIN for the tap)" : "");
		return -err;
	}
	vn->vhostfd[p] = fd;
	if (ioctl(fd, VHOST_SET_OWNER) < 0) {
		err = errno;
		VNET_INIT_LOG(ERR, "%s: %s: VHOST_SET_OWNER: %s%s", vn->name, vn->vh.args.path,
			      strerror(err), err == ENOTTY ? " (not a vhost-net device)" : "");
		return -err;
	}
	if (p == 0 && ioctl(fd, VHOST_GET_FEATURES, &vn->kernel_features) < 0) {
		err = errno;
		VNET_INIT_LOG(ERR, "%s: %s: VHOST_GET_FEATURES: %s", vn->name, vn->vh.args.path,
			      strerror(err));
		return -err;
	}
	return 0;
}

int
vnet_vn_init(struct vnet_hw *hw, const struct vnet_vu_args *args, const char *name)
{
	uint16_t nvq = (uint16_t)(2 * args->queues), p;
	struct vnet_vn *vn;
	int ret;

	if (args->server) {
		VNET_INIT_LOG(ERR, "%s: server=1 is for vhost-user sockets, not %s", name,
			      args->path);
		return -EINVAL;
	}
	vn = rte_zmalloc("vnet_vn", sizeof(*vn), 0);
	if (vn == NULL)
		return -ENOMEM;
	vn->hw = hw;
	vn->vh.args = *args;
	vn->vh.split_only = true;	/* vhost-net runs split rings only */
	pthread_mutex_init(&vn->vh.lock, NULL);
	vn->ctl_sock = -1;
	vn->vh.rings.shm.fd = -1;
	snprintf(vn->name, sizeof(vn->name), "%s", name);
	snprintf(vn->ifname, sizeof(vn->ifname), "%s", args->iface);
	hw->tp.vn = vn;
	hw->ops = &vnet_tp_vhost_net_ops;
	hw->vhost_net = true;
	hw->modern = true;
	hw->use_va = true;
	hw->tp_max_pairs = args->queues;
	vn->max_regions = vn_read_max_regions();

	vn->vh.vqs = rte_zmalloc("vnet_vn_vqs", sizeof(*vn->vh.vqs) * nvq, 0);
	vn->vhostfd = rte_malloc("vnet_vn_fds", sizeof(int) * args->queues, 0);
	vn->tapfd = rte_malloc("vnet_vn_fds", sizeof(int) * args->queues, 0);
	if (vn->vh.vqs == NULL || vn->vhostfd == NULL || vn->tapfd == NULL) {
		ret = -ENOMEM;
		goto err;
	}
	for (p = 0; p < args->queues; p++)
		vn->vhostfd[p] = vn->tapfd[p] = -1;
	ret = vnet_vh_callfds_create(&vn->callfd, nvq);	/* RX interrupts (vnet_intr.c) */
	if (ret != 0)
		goto err;
	for (p = 0; p < args->queues; p++) {
		ret = vn_open_vhost(vn, p);
		if (ret != 0)
			goto err;
	}
	if (!(vn->kernel_features & VNET_BIT(VNET_F_VERSION_1))) {
		VNET_INIT_LOG(ERR, "%s: the kernel's vhost-net does not offer VIRTIO_F_VERSION_1 "
			      "(features 0x%016" PRIx64 "): not supported", name,
			      vn->kernel_features);
		ret = -ENOTSUP;
		goto err;
	}
	for (p = 0; p < args->queues; p++) {
		ret = vn_tap_open(vn, p == 0);
		if (ret < 0)
			goto err;
		vn->tapfd[p] = ret;
	}
	ret = vnet_vh_rings_init(&vn->vh.rings, nvq, args->queue_size);
	if (ret != 0) {
		VNET_INIT_LOG(ERR, "%s: cannot create ring memory and kick eventfds: %s", name,
			      strerror(-ret));
		goto err;
	}
	VNET_INIT_LOG(NOTICE, "%s: vhost-net on tap %s, %u queue pair(s), kernel features "
		      "0x%016" PRIx64 ", max_mem_regions %u", name, vn->ifname, args->queues,
		      vn->kernel_features, vn->max_regions);
	return 0;
err:
	vn_uninit(hw);
	hw->ops = NULL;
	return ret;
}
