/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Negotiation routine (vnet_dev.c) against a fake transport, no EAL: a well-behaved modern
 * and legacy device, and devices that must be refused (no FEATURES_OK, queue size 0 or
 * > 32768 or not a power of two, modern without VERSION_1, features that do not read back,
 * MTU below 68), plus the unwinding of queue registration.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ut_check.h"
#include "vnet_dev.h"
#include "vnet_logs.h"
#include "vnet_ring.h"

static int failures;
static char last_log[512];
static char all_log[8192];	/* every line since fake_init() */
static unsigned int log_errors;

void
vnet_log_standalone(const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	if (strlen(all_log) + strlen(last_log) + 2 < sizeof(all_log)) {
		strcat(all_log, last_log);
		strcat(all_log, "\n");
	}
	if (strcmp(level, "ERR") == 0)
		log_errors++;
}

/* The fake device. */
struct fake {
	struct vnet_hw hw;		/* first: ops get a struct vnet_hw * */
	uint8_t status;
	uint8_t status_log[16];
	unsigned int nstatus;
	uint64_t offer;
	uint64_t written;
	bool refuse_features_ok;	/* never keeps FEATURES_OK */
	bool mangle_readback;		/* driver_feature reads back wrong */
	uint16_t qmax[2];
	uint16_t ctrl_qmax;		/* size of every queue from index 2 (data and control) */
	struct vnet_net_config cfg;
	int fail_setup_at;		/* setup_queue fails for this vq idx (-1: never) */
	int nr_point;			/* one-shot DEVICE_NEEDS_RESET at this step (0: never) */
	bool nr_active;			/* NEEDS_RESET shows until the next reset */
	unsigned int setups, dels;
};

static struct fake *
fk(struct vnet_hw *hw)
{
	return (struct fake *)hw;
}

static void
f_read_cfg(struct vnet_hw *hw, size_t off, void *dst, size_t len)
{
	memcpy(dst, (uint8_t *)&fk(hw)->cfg + off, len);
	if (fk(hw)->nr_point == 7) {	/* while the driver reads the config space */
		fk(hw)->nr_point = 0;
		fk(hw)->nr_active = true;
		fk(hw)->status |= VNET_STATUS_DEVICE_NEEDS_RESET;
	}
}

static uint8_t
f_get_status(struct vnet_hw *hw)
{
	return fk(hw)->status;
}

static void
f_set_status(struct vnet_hw *hw, uint8_t s)
{
	struct fake *f = fk(hw);

	if (f->nstatus < sizeof(f->status_log))
		f->status_log[f->nstatus++] = s;
	if (f->refuse_features_ok)
		s &= (uint8_t)~VNET_STATUS_FEATURES_OK;
	if (s == 0) {
		f->written = 0;	/* a reset forgets the features (QEMU drops extra queues) */
		f->nr_active = false;
	}
	f->status = s;
	/* One-shot device error: at the ACKNOWLEDGE (1), DRIVER (2), FEATURES_OK (4; legacy:
	 * the status write after the features, DRIVER_OK) or DRIVER_OK (6) write.
	 */
	if ((f->nr_point == 1 && s == VNET_STATUS_ACKNOWLEDGE) ||
	    (f->nr_point == 2 && s == (VNET_STATUS_ACKNOWLEDGE | VNET_STATUS_DRIVER)) ||
	    (f->nr_point == 4 && (s & (VNET_STATUS_FEATURES_OK | VNET_STATUS_DRIVER_OK))) ||
	    (f->nr_point == 6 && (s & VNET_STATUS_DRIVER_OK))) {
		f->nr_point = 0;
		f->nr_active = true;
	}
	if (f->nr_active)
		f->status |= VNET_STATUS_DEVICE_NEEDS_RESET;
}

static uint64_t
f_get_features(struct vnet_hw *hw)
{
	return fk(hw)->hw.modern ? fk(hw)->offer : (fk(hw)->offer & UINT32_MAX);
}

static void
f_set_features(struct vnet_hw *hw, uint64_t v)
{
	fk(hw)->written = hw->modern ? v : (v & UINT32_MAX);
	if (fk(hw)->nr_point == 3) {	/* at the feature write */
		fk(hw)->nr_point = 0;
		fk(hw)->nr_active = true;
		fk(hw)->status |= VNET_STATUS_DEVICE_NEEDS_RESET;
	}
}

static uint64_t
f_get_driver_features(struct vnet_hw *hw)
{
	return fk(hw)->mangle_readback ? fk(hw)->written ^ 1 : fk(hw)->written;
}

static uint16_t
f_get_queue_max(struct vnet_hw *hw, uint16_t idx)
{
	struct fake *f = fk(hw);

	if (idx < 2)
		return f->qmax[idx];
	/* Like QEMU: without MQ in the written features only pair 0 and the control queue. */
	if (!(f->written & VNET_BIT(VNET_NET_F_MQ)) && idx != 2)
		return 0;
	return f->ctrl_qmax;
}

static int
f_setup_queue(struct vnet_hw *hw, struct vnet_vq *vq)
{
	struct fake *f = fk(hw);
	int idx = (int)(vq == NULL ? 0 : *(uint16_t *)vq);

	if (idx == f->fail_setup_at)
		return -EINVAL;
	if (f->nr_point == 5) {	/* while the queues are registered */
		f->nr_point = 0;
		f->nr_active = true;
		f->status |= VNET_STATUS_DEVICE_NEEDS_RESET;
	}
	f->setups++;
	return 0;
}

static void
f_del_queue(struct vnet_hw *hw, struct vnet_vq *vq)
{
	(void)vq;
	fk(hw)->dels++;
}

static void
f_notify(struct vnet_hw *hw, struct vnet_vq *vq)
{
	(void)hw;
	(void)vq;
}

static uint8_t
f_get_isr(struct vnet_hw *hw)
{
	(void)hw;
	return 0;
}

static void
f_uninit(struct vnet_hw *hw)
{
	(void)hw;
}

static const struct vnet_transport_ops fake_ops = {
	.name = "fake",
	.read_cfg = f_read_cfg,
	.get_status = f_get_status,
	.set_status = f_set_status,
	.get_features = f_get_features,
	.set_features = f_set_features,
	.get_driver_features = f_get_driver_features,
	.get_queue_max = f_get_queue_max,
	.setup_queue = f_setup_queue,
	.del_queue = f_del_queue,
	.notify = f_notify,
	.get_isr = f_get_isr,
	.uninit = f_uninit,
};

static void
fake_init(struct fake *f, bool modern)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(f, 0, sizeof(*f));
	f->hw.ops = &fake_ops;
	f->hw.modern = modern;
	snprintf(f->hw.name, sizeof(f->hw.name), "fake0");
	f->offer = VNET_BIT(VNET_NET_F_MAC) | VNET_BIT(VNET_NET_F_STATUS) |
		   VNET_BIT(VNET_F_RING_EVENT_IDX) | VNET_BIT(VNET_F_RING_INDIRECT_DESC) |
		   VNET_BIT(VNET_NET_F_CSUM) | VNET_BIT(VNET_NET_F_MRG_RXBUF) |
		   (modern ? VNET_BIT(VNET_F_VERSION_1) : VNET_BIT(VNET_F_ANY_LAYOUT));
	f->qmax[0] = f->qmax[1] = 256;
	f->ctrl_qmax = 64;
	memcpy(f->cfg.mac, mac, 6);
	f->cfg.status = VNET_NET_S_LINK_UP;
	f->fail_setup_at = -1;
	log_errors = 0;
	last_log[0] = '\0';
	all_log[0] = '\0';
}

static bool
log_has(const char *needle)
{
	return strstr(last_log, needle) != NULL;
}

/*
 * Negotiation must refuse the device @what with @err: one error logged, naming @reason,
 * and FAILED set. Returns false (after a FAIL line) if not.
 */
static bool
refused(struct fake *f, int err, const char *reason, const char *what)
{
	CHECK_RET(false, vnet_dev_negotiate(&f->hw, VNET_DRIVER_FEATURES) == err,
		  "%s must be refused", what);
	CHECK_RET(false, log_errors == 1 && log_has(reason), "log: %s", last_log);
	CHECK_RET(false, f->status & VNET_STATUS_FAILED, "FAILED must be set");
	return true;
}

static void
test_good_modern(void)
{
	struct fake f;
	const uint8_t seq[] = { 0, VNET_STATUS_ACKNOWLEDGE,
				VNET_STATUS_ACKNOWLEDGE | VNET_STATUS_DRIVER,
				VNET_STATUS_ACKNOWLEDGE | VNET_STATUS_DRIVER |
				VNET_STATUS_FEATURES_OK };
	uint64_t want;

	fake_init(&f, true);
	/* CSUM is one vnet can use; a start masks it when no TX offload needs it. */
	want = VNET_BIT(VNET_F_VERSION_1) | VNET_BIT(VNET_F_RING_EVENT_IDX) |
	       VNET_BIT(VNET_F_RING_INDIRECT_DESC) | VNET_BIT(VNET_NET_F_MRG_RXBUF) |
	       VNET_BIT(VNET_NET_F_MAC) | VNET_BIT(VNET_NET_F_STATUS) | VNET_BIT(VNET_NET_F_CSUM);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "log: %s", last_log);
	CHECK(f.nstatus == sizeof(seq) && memcmp(f.status_log, seq, sizeof(seq)) == 0,
	      "status sequence wrong (%u writes)", f.nstatus);
	CHECK(f.hw.driver_features == want, "negotiated 0x%llx, want 0x%llx",
	      (unsigned long long)f.hw.driver_features, (unsigned long long)want);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES & ~VNET_BIT(VNET_NET_F_CSUM)) == 0 &&
	      !(f.written & VNET_BIT(VNET_NET_F_CSUM)), "CSUM written though not wanted");
	CHECK(memcmp(f.hw.mac, f.cfg.mac, 6) == 0 && f.hw.mac_from_device, "mac not read");
	CHECK(f.hw.hdr_size == 12, "modern header is 12 bytes, got %u", f.hw.hdr_size);
	CHECK(f.hw.mtu == 1500 && f.hw.max_queue_pairs == 1, "defaults");
	CHECK(vnet_dev_link_up(&f.hw), "link should be up");
	f.cfg.status = 0;
	CHECK(!vnet_dev_link_up(&f.hw), "link should be down");
	CHECK(log_errors == 0, "unexpected error log: %s", last_log);
	printf("PASS good_modern\n");
}

static void
test_good_legacy(void)
{
	struct fake f;

	fake_init(&f, false);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "log: %s", last_log);
	CHECK(!(f.status & VNET_STATUS_FEATURES_OK), "legacy has no FEATURES_OK step");
	CHECK((f.hw.driver_features >> 32) == 0, "legacy features are 32-bit");
	CHECK(f.hw.driver_features & VNET_BIT(VNET_F_ANY_LAYOUT), "ANY_LAYOUT expected");
	CHECK(f.hw.driver_features & VNET_BIT(VNET_NET_F_MRG_RXBUF), "MRG_RXBUF expected");
	CHECK(f.hw.hdr_size == 12, "legacy header with MRG_RXBUF is 12 bytes, got %u",
	      f.hw.hdr_size);
	fake_init(&f, false);
	f.offer &= ~VNET_BIT(VNET_NET_F_MRG_RXBUF);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "log: %s", last_log);
	CHECK(f.hw.hdr_size == 10, "legacy header without MRG_RXBUF is 10 bytes, got %u",
	      f.hw.hdr_size);
	printf("PASS good_legacy\n");
}

static void
test_legacy_without_any_layout(void)
{
	struct fake f;

	fake_init(&f, false);
	f.offer &= ~VNET_BIT(VNET_F_ANY_LAYOUT);
	if (!refused(&f, -ENOTSUP, "ANY_LAYOUT", "legacy without ANY_LAYOUT"))
		return;
	printf("PASS refuse_legacy_without_any_layout\n");
}

static void
test_no_features_ok(void)
{
	struct fake f;

	fake_init(&f, true);
	f.refuse_features_ok = true;
	if (!refused(&f, -ENOTSUP, "FEATURES_OK", "a device without FEATURES_OK"))
		return;
	printf("PASS refuse_no_features_ok\n");
}

static void
test_queue_sizes(void)
{
	static const uint16_t bad[] = { 0, 65535, 40000, 1000, 3 };
	unsigned int i, q;

	for (q = 0; q < 2; q++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct fake f;
			char what[32];

			fake_init(&f, true);
			f.qmax[q] = bad[i];
			snprintf(what, sizeof(what), "queue %u size %u", q, bad[i]);
			if (!refused(&f, -EINVAL, "size", what))
				return;
		}
	}
	{
		struct fake f;

		fake_init(&f, true);
		f.qmax[0] = VNET_VRING_MAX_SIZE;
		f.qmax[1] = 1;
		CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0,
		      "sizes 32768 and 1 are valid: %s", last_log);
	}
	printf("PASS refuse_bad_queue_sizes\n");
}

static void
test_no_version_1(void)
{
	struct fake f;

	fake_init(&f, true);
	f.offer &= ~VNET_BIT(VNET_F_VERSION_1);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == -ENOTSUP, "must refuse");
	CHECK(log_errors == 1 && log_has("VERSION_1"), "log: %s", last_log);
	CHECK(f.written == 0, "no features may be written to a refused device");
	printf("PASS refuse_modern_without_version_1\n");
}

static void
test_readback(void)
{
	struct fake f;

	fake_init(&f, true);
	f.mangle_readback = true;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == -EIO, "must refuse");
	CHECK(log_has("read back"), "log: %s", last_log);
	printf("PASS refuse_feature_readback_mismatch\n");
}

static void
test_event_idx_and_platform(void)
{
	struct fake f;

	fake_init(&f, true);
	f.offer |= VNET_BIT(VNET_F_ACCESS_PLATFORM);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES &
				 ~VNET_BIT(VNET_F_RING_EVENT_IDX)) == 0, "%s", last_log);
	CHECK(!vnet_hw_has(&f.hw, VNET_F_RING_EVENT_IDX), "event-idx was not wanted");
	CHECK(vnet_hw_has(&f.hw, VNET_F_ACCESS_PLATFORM), "ACCESS_PLATFORM must be accepted");
	printf("PASS event_idx_off_and_access_platform\n");
}

static void
test_mtu(void)
{
	struct fake f;

	fake_init(&f, true);
	f.offer |= VNET_BIT(VNET_NET_F_MTU);
	f.cfg.mtu = 60;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == -EINVAL, "MTU 60 refused");
	CHECK(log_has("MTU"), "log: %s", last_log);
	fake_init(&f, true);
	f.offer |= VNET_BIT(VNET_NET_F_MTU);
	f.cfg.mtu = 4000;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	CHECK(f.hw.max_mtu == 4000 && f.hw.mtu == 1500, "max_mtu %u mtu %u", f.hw.max_mtu,
	      f.hw.mtu);
	printf("PASS mtu_range\n");
}

static void
test_ctrl_and_mq(void)
{
	const uint64_t ctrl = VNET_BIT(VNET_NET_F_CTRL_VQ) | VNET_BIT(VNET_NET_F_CTRL_RX) |
			      VNET_BIT(VNET_NET_F_MQ);
	struct fake f;

	/* A good multi-queue device: the control queue is 2N, its size validated. */
	fake_init(&f, true);
	f.offer |= ctrl;
	f.cfg.max_virtqueue_pairs = 4;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	CHECK((f.hw.driver_features & ctrl) == ctrl, "ctrl features not negotiated");
	CHECK(f.hw.max_queue_pairs == 4 && f.hw.ctrl_idx == 8 && f.hw.ctrl_max == 64,
	      "pairs %u ctrl idx %u max %u", f.hw.max_queue_pairs, f.hw.ctrl_idx, f.hw.ctrl_max);
	CHECK(vnet_dev_queue_max(&f.hw, 7) == 64 && vnet_dev_queue_max(&f.hw, 8) == 0,
	      "per-queue max");
	/* After a reset the device reads queue 2+ as size 0: the sizes stay what was read. */
	f.hw.ops->set_status(&f.hw, 0);
	CHECK(f.hw.ops->get_queue_max(&f.hw, 3) == 0, "fake does not drop queues on reset");
	CHECK(vnet_dev_queue_max(&f.hw, 3) == 64 && vnet_dev_queue_max(&f.hw, 0) == 64,
	      "queue sizes after reset: %u %u", vnet_dev_queue_max(&f.hw, 3),
	      vnet_dev_queue_max(&f.hw, 0));

	/* max_virtqueue_pairs outside 1..0x8000 (5.1.4.2): refused with a reason. */
	fake_init(&f, true);
	f.offer |= ctrl;
	f.cfg.max_virtqueue_pairs = 0;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == -EINVAL, "pairs 0 accepted");
	CHECK(log_has("max_virtqueue_pairs=0"), "log: %s", last_log);
	CHECK(f.status & VNET_STATUS_FAILED, "FAILED not set");
	fake_init(&f, true);
	f.offer |= ctrl;
	f.cfg.max_virtqueue_pairs = 0x8001;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == -EINVAL, "0x8001 accepted");
	CHECK(log_has("max_virtqueue_pairs=32769"), "log: %s", last_log);

	/* A control queue too small for one command, or not a power of two. */
	fake_init(&f, true);
	f.offer |= ctrl;
	f.cfg.max_virtqueue_pairs = 1;
	f.ctrl_qmax = 2;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == -EINVAL, "ctrl size 2");
	CHECK(log_has("control queue (2) with size 2"), "log: %s", last_log);

	/* Features without CTRL_VQ (odd offer): dropped, not negotiated (5.1.3.1). */
	fake_init(&f, true);
	f.offer |= VNET_BIT(VNET_NET_F_CTRL_RX) | VNET_BIT(VNET_NET_F_MQ) |
		   VNET_BIT(VNET_NET_F_RSS);
	f.cfg.max_virtqueue_pairs = 4;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	CHECK(!(f.written & (VNET_BIT(VNET_NET_F_CTRL_RX) | VNET_BIT(VNET_NET_F_MQ) |
			     VNET_BIT(VNET_NET_F_RSS))), "orphan features written 0x%llx",
	      (unsigned long long)f.written);
	CHECK(f.hw.max_queue_pairs == 1, "pairs without MQ: %u", f.hw.max_queue_pairs);

	/* Offloads without what they depend on (5.1.3.1): TSO/ECN/USO without the checksum. */
	fake_init(&f, true);
	f.offer &= ~VNET_BIT(VNET_NET_F_CSUM);
	f.offer |= VNET_BIT(VNET_NET_F_HOST_TSO4) | VNET_BIT(VNET_NET_F_HOST_ECN) |
		   VNET_BIT(VNET_NET_F_HOST_USO) | VNET_BIT(VNET_NET_F_GUEST_TSO6) |
		   VNET_BIT(VNET_NET_F_GUEST_ECN);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	CHECK(!(f.written & (VNET_BIT(VNET_NET_F_HOST_TSO4) | VNET_BIT(VNET_NET_F_HOST_ECN) |
			     VNET_BIT(VNET_NET_F_HOST_USO) | VNET_BIT(VNET_NET_F_GUEST_TSO6) |
			     VNET_BIT(VNET_NET_F_GUEST_ECN))),
	      "orphan offload features written 0x%llx", (unsigned long long)f.written);
	/* With the checksums: TSO kept; ECN without any TSO of its direction dropped. */
	fake_init(&f, true);
	f.offer |= VNET_BIT(VNET_NET_F_GUEST_CSUM) | VNET_BIT(VNET_NET_F_GUEST_TSO4) |
		   VNET_BIT(VNET_NET_F_GUEST_ECN) | VNET_BIT(VNET_NET_F_HOST_ECN) |
		   VNET_BIT(VNET_NET_F_GUEST_UFO) | VNET_BIT(VNET_NET_F_GUEST_USO4);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	CHECK((f.written & (VNET_BIT(VNET_NET_F_GUEST_TSO4) | VNET_BIT(VNET_NET_F_GUEST_ECN))) ==
	      (VNET_BIT(VNET_NET_F_GUEST_TSO4) | VNET_BIT(VNET_NET_F_GUEST_ECN)) &&
	      !(f.written & (VNET_BIT(VNET_NET_F_HOST_ECN) | VNET_BIT(VNET_NET_F_GUEST_UFO) |
			     VNET_BIT(VNET_NET_F_GUEST_USO4))),
	      "offloads written 0x%llx", (unsigned long long)f.written);

	/* RSS with usable limits; the hash report makes the header 20 bytes. */
	fake_init(&f, true);
	f.offer |= ctrl | VNET_BIT(VNET_NET_F_RSS) | VNET_BIT(VNET_NET_F_HASH_REPORT);
	f.cfg.max_virtqueue_pairs = 4;
	f.cfg.rss_max_key_size = 40;
	f.cfg.rss_max_indirection_table_length = 128;
	f.cfg.supported_hash_types = 0x1ff;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	CHECK(f.hw.rss_reta_max == 128 && f.hw.rss_key_max == 40 && f.hw.hdr_size == 20,
	      "rss table %u key %u hdr %u", f.hw.rss_reta_max, f.hw.rss_key_max, f.hw.hdr_size);
	/* A 1000-entry table: vnet programs the largest power of two it keeps (512). */
	f.cfg.rss_max_indirection_table_length = 1000;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0 && f.hw.rss_reta_max == 512,
	      "table %u", f.hw.rss_reta_max);
	/* A 16-byte key: RSS not used (logged), the device still works. */
	f.cfg.rss_max_key_size = 16;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0 && f.hw.rss_reta_max == 0,
	      "short key accepted for RSS");
	CHECK(strstr(all_log, "RSS limits unusable") != NULL, "log: %s", all_log);
	printf("PASS ctrl_and_mq (pairs range, control queue size, orphan features, RSS "
	       "limits)\n");
}

static void
test_start_unwind(void)
{
	struct fake f;
	uint16_t ids[3] = { 0, 1, 2 };
	struct vnet_vq *vqs[3] = { (struct vnet_vq *)&ids[0], (struct vnet_vq *)&ids[1],
				   (struct vnet_vq *)&ids[2] };

	fake_init(&f, true);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	f.fail_setup_at = 2;
	CHECK(vnet_dev_start_queues(&f.hw, vqs, 3) == -EINVAL, "setup failure must propagate");
	CHECK(f.setups == 2 && f.dels == 2, "registered %u, removed %u", f.setups, f.dels);
	CHECK(f.status == 0, "device must be reset after a failed start");

	fake_init(&f, true);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	CHECK(vnet_dev_start_queues(&f.hw, vqs, 2) == 0, "start");
	CHECK(f.status & VNET_STATUS_DRIVER_OK, "DRIVER_OK expected");
	vnet_dev_stop(&f.hw, vqs, 2);
	CHECK(f.status == 0 && f.dels == 2, "stop resets and removes queues");
	printf("PASS start_queues_unwind\n");
}

/*
 * DEVICE_NEEDS_RESET (2.1.2) at every step of the bring-up, once: the step that notices it
 * fails with -EIO and a log line naming it, the device is not left half driven (FAILED or
 * reset), and a second bring-up (what vnet_lifecycle.c's recovery does) succeeds. Then at
 * run time: vnet_dev_needs_reset() sees it, and reset + renegotiation + start clear it.
 */
static void
test_needs_reset(void)
{
	/* Step 1..7 -> the check that must notice it (modern, legacy). */
	static const char * const where[2][8] = {
		{ NULL, "ACKNOWLEDGE / DRIVER", "ACKNOWLEDGE / DRIVER", "feature negotiation",
		  "after DRIVER_OK", "after DRIVER_OK", "after DRIVER_OK",
		  "the config space read" },
		{ NULL, "ACKNOWLEDGE / DRIVER", "ACKNOWLEDGE / DRIVER", "feature negotiation",
		  "feature negotiation", "after DRIVER_OK", "after DRIVER_OK",
		  "the config space read" },
	};
	uint16_t ids[2] = { 0, 1 };
	struct vnet_vq *vqs[2] = { (struct vnet_vq *)&ids[0], (struct vnet_vq *)&ids[1] };
	struct fake f;
	int point, modern, ret;

	for (modern = 0; modern < 2; modern++) {
		for (point = 1; point <= 7; point++) {
			fake_init(&f, modern != 0);
			f.nr_point = point;
			ret = vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES);
			if (ret == 0)
				ret = vnet_dev_start_queues(&f.hw, vqs, 2);
			CHECK(ret == -EIO, "%s point %d: got %d, want -EIO", modern ? "modern" :
			      "legacy", point, ret);
			CHECK(strstr(all_log, where[modern][point]) != NULL,
			      "%s point %d: no '%s' in log: %s", modern ? "modern" : "legacy",
			      point, where[modern][point], all_log);
			CHECK(f.status == 0 || (f.status & VNET_STATUS_FAILED),
			      "point %d: status 0x%02x: neither reset nor FAILED", point, f.status);
			CHECK(!(f.status & VNET_STATUS_DRIVER_OK) || (f.status & VNET_STATUS_FAILED),
			      "point %d: left running (0x%02x)", point, f.status);
			/* The recovery's second attempt: the one-shot error is gone. */
			all_log[0] = '\0';
			CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0 &&
			      vnet_dev_start_queues(&f.hw, vqs, 2) == 0,
			      "point %d: retry failed: %s", point, all_log);
			CHECK((f.status & VNET_STATUS_DRIVER_OK) && !vnet_dev_needs_reset(&f.hw),
			      "point %d: retry status 0x%02x", point, f.status);
		}
	}
	/* Run time: the device fails after DRIVER_OK. */
	fake_init(&f, true);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0 &&
	      vnet_dev_start_queues(&f.hw, vqs, 2) == 0, "start: %s", last_log);
	CHECK(!vnet_dev_needs_reset(&f.hw), "healthy device reads NEEDS_RESET");
	f.nr_active = true;
	f.status |= VNET_STATUS_DEVICE_NEEDS_RESET;
	CHECK(vnet_dev_needs_reset(&f.hw), "NEEDS_RESET at run time not seen");
	vnet_dev_stop(&f.hw, vqs, 2);
	CHECK(f.status == 0 && !vnet_dev_needs_reset(&f.hw), "reset must clear it");
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0 &&
	      vnet_dev_start_queues(&f.hw, vqs, 2) == 0 && (f.status & VNET_STATUS_DRIVER_OK),
	      "restart after the reset: %s", last_log);
	printf("PASS needs_reset (at each of 7 bring-up steps, modern and legacy, retry "
	       "succeeds; at run time)\n");
}

/* vnet_dev_link_info(): link, announce request, speed and duplex from the config space. */
static void
test_link_info(void)
{
	struct vnet_link_info li;
	struct fake f;

	fake_init(&f, true);
	f.offer |= VNET_BIT(VNET_NET_F_SPEED_DUPLEX);
	f.cfg.speed = 10000;
	f.cfg.duplex = 1;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	CHECK(vnet_hw_has(&f.hw, VNET_NET_F_SPEED_DUPLEX), "SPEED_DUPLEX not negotiated");
	vnet_dev_link_info(&f.hw, &li);
	CHECK(li.up && li.speed == 10000 && li.full_duplex && !li.announce,
	      "up %d speed %u full %d announce %d", li.up, li.speed, li.full_duplex, li.announce);
	f.cfg.duplex = 0;
	f.cfg.status = 0;
	vnet_dev_link_info(&f.hw, &li);
	CHECK(!li.up && !li.full_duplex, "down / half expected");
	/* 5.1.4.2: -1 is unknown; above INT32_MAX is not a speed either; duplex 0xff unknown */
	f.cfg.speed = UINT32_MAX;
	f.cfg.duplex = 0xff;
	vnet_dev_link_info(&f.hw, &li);
	CHECK(li.speed == VNET_SPEED_UNKNOWN && li.full_duplex, "unknown speed/duplex");
	f.cfg.speed = 0x80000000u;
	vnet_dev_link_info(&f.hw, &li);
	CHECK(li.speed == VNET_SPEED_UNKNOWN, "speed above INT32_MAX must read as unknown");
	/* the announce bit counts only with GUEST_ANNOUNCE (which needs CTRL_VQ) */
	f.cfg.status = VNET_NET_S_LINK_UP | VNET_NET_S_ANNOUNCE;
	vnet_dev_link_info(&f.hw, &li);
	CHECK(li.up && !li.announce, "ANNOUNCE without GUEST_ANNOUNCE negotiated");
	f.offer |= VNET_BIT(VNET_NET_F_GUEST_ANNOUNCE);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	CHECK(!vnet_hw_has(&f.hw, VNET_NET_F_GUEST_ANNOUNCE), "GUEST_ANNOUNCE without CTRL_VQ");
	f.offer |= VNET_BIT(VNET_NET_F_CTRL_VQ);
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	vnet_dev_link_info(&f.hw, &li);
	CHECK(vnet_hw_has(&f.hw, VNET_NET_F_GUEST_ANNOUNCE) && li.announce, "announce expected");
	/* without SPEED_DUPLEX the config's speed is not read */
	f.offer &= ~VNET_BIT(VNET_NET_F_SPEED_DUPLEX);
	f.cfg.speed = 1000;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	vnet_dev_link_info(&f.hw, &li);
	CHECK(li.speed == VNET_SPEED_UNKNOWN, "speed read without SPEED_DUPLEX");
	/* legacy: 32 feature bits, no SPEED_DUPLEX (bit 63) */
	fake_init(&f, false);
	f.offer |= VNET_BIT(VNET_NET_F_SPEED_DUPLEX);
	f.cfg.speed = 1000;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	vnet_dev_link_info(&f.hw, &li);
	CHECK(li.up && li.speed == VNET_SPEED_UNKNOWN, "legacy speed %u", li.speed);
	/* no STATUS: always up, never an announce */
	fake_init(&f, true);
	f.offer &= ~VNET_BIT(VNET_NET_F_STATUS);
	f.cfg.status = VNET_NET_S_ANNOUNCE;
	CHECK(vnet_dev_negotiate(&f.hw, VNET_DRIVER_FEATURES) == 0, "%s", last_log);
	vnet_dev_link_info(&f.hw, &li);
	CHECK(li.up && !li.announce, "without STATUS the link is up");
	printf("PASS link_info\n");
}

int
main(void)
{
	test_good_modern();
	test_good_legacy();
	test_legacy_without_any_layout();
	test_no_features_ok();
	test_queue_sizes();
	test_no_version_1();
	test_readback();
	test_event_idx_and_platform();
	test_mtu();
	test_start_unwind();
	test_ctrl_and_mq();
	test_needs_reset();
	test_link_info();
	if (failures)
		printf("%d negotiation test(s) failed\n", failures);
	return failures ? 1 : 0;
}
