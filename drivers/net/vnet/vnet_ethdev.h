/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/**
 * @file
 * Private data of a vnet ethdev port and the functions the ethdev-layer files share:
 * vnet_probe.c (PCI and vdev bus glue, reset), vnet_devargs.c, vnet_ethdev.c (dev_ops,
 * start/stop), vnet_queue.c (queue setup and release), vnet_xstats.c (stats and xstats).
 * Primary process, except what vnet_mp.h lists for secondaries.
 */

#ifndef VNET_ETHDEV_H
#define VNET_ETHDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_spinlock.h>
#include <ethdev_driver.h>

#include "vnet_compat.h"
#include "vnet_ctrl.h"
#include "vnet_dev.h"
#include "vnet_rxtx.h"
#include "vnet_vhost_user.h"

#define VNET_ARG_EVENT_IDX	"event_idx"
#define VNET_ARG_COALESCE	"kick_coalesce"
#define VNET_ARG_DELAY_US	"kick_delay_us"
#define VNET_ARG_RX_DEFER	"kick_rx_defer"
#define VNET_ARG_PATH		"path"
#define VNET_ARG_QUEUES		"queues"
#define VNET_ARG_QUEUE_SIZE	"queue_size"
#define VNET_ARG_SERVER		"server"
#define VNET_ARG_MAC		"mac"
#define VNET_ARG_IFACE		"iface"
#define VNET_ARG_CTRL_TIMEOUT	"ctrl_timeout_ms"
#define VNET_ARG_INDIRECT	"indirect"
#define VNET_ARG_PACKED		"packed"
#define VNET_ARG_RECOVERY	"recovery"
/* Test only (guest tier): post one zero-length TX descriptor this long after dev_start. */
#define VNET_ARG_TEST_BAD_DESC	"test_bad_desc_ms"
/* Test only (any transport): mark TX queue 0 broken this long after dev_start. */
#define VNET_ARG_TEST_BREAK	"test_break_ms"

#define VNET_COALESCE_MAX	4096
#define VNET_DELAY_US_MIN	1
#define VNET_DELAY_US_MAX	100000
#define VNET_DELAY_US_DEFAULT	50
/** Largest deferral of kick_coalesce=auto when kick_delay_us is not given. */
#define VNET_AUTO_DELAY_US_DEFAULT	500
#define VNET_VU_QUEUES_MAX	8
#define VNET_VU_QUEUE_SIZE_DEFAULT 256

#define VNET_DEFAULT_FREE_THRESH 32
/* RX refills in batches of 64: half as many kick decisions (each a full barrier). */
#define VNET_DEFAULT_RX_FREE_THRESH 64
/* Ethernet header + one VLAN tag on top of the MTU. */
#define VNET_L2_OVERHEAD	(RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)

#define VNET_KICK_ARGS_HELP \
	VNET_ARG_EVENT_IDX "=0|1 " VNET_ARG_COALESCE "=0..4096|auto " VNET_ARG_DELAY_US "=1..100000 " \
	VNET_ARG_RX_DEFER "=0|1 " \
	VNET_ARG_INDIRECT "=0|1 " VNET_ARG_PACKED "=0|1 " VNET_ARG_RECOVERY "=0|1 " \
	VNET_ARG_TEST_BREAK "=1..60000"
#define VNET_PCI_ARGS_HELP \
	VNET_KICK_ARGS_HELP " " VNET_ARG_CTRL_TIMEOUT "=1..60000 " VNET_ARG_TEST_BAD_DESC \
	"=1..60000"
#define VNET_USER_ARGS_HELP \
	VNET_ARG_PATH "=<unix socket>|/dev/vhost-net " VNET_ARG_IFACE "=<tap name> " \
	VNET_ARG_QUEUES "=1..8 " VNET_ARG_QUEUE_SIZE \
	"=<power of two 2..32768> " VNET_ARG_SERVER "=0|1 " VNET_ARG_MAC "=<xx:xx:xx:xx:xx:xx> " \
	VNET_KICK_ARGS_HELP

/** Devargs keys a net_vnet (PCI) port accepts. */
extern const char * const vnet_pci_valid_args[];
/** Devargs keys a net_vnet_user port accepts. */
extern const char * const vnet_user_valid_args[];

/** Parsed devargs. */
struct vnet_devargs {
	bool event_idx;		/**< negotiate VIRTIO_F_EVENT_IDX when offered */
	bool indirect;		/**< negotiate VIRTIO_F_INDIRECT_DESC when offered */
	bool packed;		/**< negotiate VIRTIO_F_RING_PACKED when offered (0: split) */
	uint16_t coalesce;	/**< TX kick coalescing threshold in buffers, 0 = off */
	bool coalesce_auto;	/**< kick_coalesce=auto: adaptive moderation */
	uint32_t delay_us;	/**< longest a published TX buffer waits for its kick */
	bool delay_given;	/**< kick_delay_us was in the devargs */
	bool rx_defer;		/**< kick_rx_defer: RX refill kicks may wait for a drain */
	uint32_t ctrl_timeout_ms; /**< bounded wait for one control-queue command */
	bool recovery;		/**< recover from device errors (vnet_lifecycle.c) */
	uint32_t test_bad_desc_ms; /**< test only: malformed TX descriptor after start */
	uint32_t test_break_ms;	/**< test only: TX queue 0 marked broken after start */
	struct vnet_vu_args vu;	/**< vhost-user transport (net_vnet_user only) */
};

/** ethdev private data. */
struct vnet_adapter {
	struct vnet_hw hw;
	struct vnet_devargs args;
	const struct vnet_rx_variant *rx_variant;	/**< chosen at dev_start */
	const struct vnet_tx_variant *tx_variant;
	bool started;
	bool safety_running;
	volatile bool safety_stop;
	vnet_thread_t safety_tid;
	uint64_t safety_scans;		/**< wake-ups of the safety-net thread (atomic) */
	uint16_t port_id;
	uint32_t desc_note[2];	/**< last logged (requested << 16 | used) ring size, RX / TX */
	int (*tp_init)(struct rte_eth_dev *dev);	/**< transport bring-up, for reset */
	uint64_t probe_features;	/**< negotiated at probe: what the device can do */
	/* Control virtqueue (VIRTIO_NET_F_CTRL_VQ) and the state it programs. */
	struct vnet_vq cvq;
	const struct rte_memzone *ctrl_mz;	/**< command slots */
	struct vnet_ctrl ctrl;
	struct vnet_ctrl_state cst;
	uint64_t rss_hf;		/**< accepted rss_hf (also without VIRTIO_NET_F_RSS) */
	uint16_t reta_queues;		/**< RX queue count the RETA was spread over */
	uint64_t rxq_offloads;		/**< per-queue RX offloads of the queues set up */
	uint64_t txq_offloads;		/**< per-queue TX offloads */
	uint32_t ptype_mask;		/**< dev_ptypes_set; 0: no packet type parsing */
	/* Queue start/stop and device-error recovery (vnet_lifecycle.c). */
	rte_spinlock_t lc_lock;		/**< control ops vs the recovery alarm */
	uint32_t rec_pending;		/**< a recovery is scheduled (atomic) */
	unsigned int rec_attempt;	/**< failed attempts of the pending recovery */
	bool rec_poll;			/**< the status poll alarm is armed */
	bool bad_desc_done;		/**< test_bad_desc_ms fired (once per port) */
	bool break_done;		/**< test_break_ms fired (once per port) */
	uint64_t rec_last_tsc;		/**< timer cycles of the last successful recovery */
	unsigned int rec_rapid;		/**< recoveries in a row less than 1 s apart */
	uint64_t recoveries;		/**< successful recoveries */
	uint64_t recovery_failures;	/**< recoveries given up */
	/* Multi-process (vnet_mp.c): the variants as table indices, valid in every process. */
	uint16_t rx_variant_id;		/**< vnet_rx_variant_id() of this start */
	uint16_t tx_variant_id;		/**< vnet_tx_variant_id() of this start */
	/* Hot-unplug (vnet_probe.c). */
	bool rmv_registered;		/**< device event callback registered */
	bool removed;			/**< RTE_DEV_EVENT_REMOVE seen: the device is going away */
	/* Interrupts, link events, guest announce (vnet_intr.c). */
	bool intr_on;			/**< interrupt handle enabled for this start */
	bool intr_cb;			/**< config-change handler registered (PCI) */
	bool intr_msix;			/**< config changes on MSI-X vector 0 (no ISR) */
	bool rxq_intr;			/**< per-queue RX interrupts for this start */
	bool intr_keep_efds;		/**< a recovery: keep the RX eventfds lcores wait on */
	bool config_poll;		/**< EAL alarm polls the config status (announce, link) */
	bool intr_own_handle;		/**< dev->intr_handle allocated by vnet (vhost-user) */
	bool intr_ack_logged;
	bool needs_reset_logged;
	bool events_on;			/**< started: handlers may report (atomic) */
	uint8_t link_seen;		/**< link last reported by an event: 0 ?, 1 down, 2 up */
	uint64_t config_irqs;		/**< config-change interrupts handled */
	uint64_t announces;		/**< announce requests served */
};

/** The vnet_adapter of @p dev. */
static inline struct vnet_adapter *
adapter_of(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

/**
 * Parse @p args (NULL or "" for none) into @p a, with the defaults for every key not given.
 * A key not in @p valid or a bad value is logged with @p help. Probe time.
 *
 * @return 0 or -EINVAL.
 */
int vnet_parse_devargs(const char *args, const char * const *valid, const char *help,
		       struct vnet_devargs *a);

/** dev_ops of every vnet port. */
extern const struct eth_dev_ops vnet_eth_dev_ops;

/**
 * eth_dev_priv_dump dev_op: negotiated features, per-queue ring state, kick counters and
 * moderation, broken queues (vnet_dump.c). Reads shared port data only: any process.
 */
int vnet_priv_dump(struct rte_eth_dev *dev, FILE *f);

/**
 * Hot-unplug: register for the EAL device events of @p dev's device (PCI, primary), so that
 * RTE_DEV_EVENT_REMOVE raises RTE_ETH_EVENT_INTR_RMV when intr_conf.rmv is set. Probe and
 * reset, primary process.
 */
void vnet_rmv_register(struct rte_eth_dev *dev);
/** Undo vnet_rmv_register() (close, primary process). */
void vnet_rmv_unregister(struct rte_eth_dev *dev);

/**
 * Common part of probe and reset: transport (@p tp_init), first negotiation (validates the
 * device and reads its config), MAC; the device is left reset until dev_start. ad->args and
 * ad->hw.name are set by the caller. Primary process.
 *
 * @return 0 or a negative errno.
 */
int vnet_eth_setup(struct rte_eth_dev *dev, int (*tp_init)(struct rte_eth_dev *dev));

/** dev_close: stop, release the queues and the transport. Primary process. */
int vnet_dev_close(struct rte_eth_dev *dev);
/** dev_reset: close, then bring the transport up and negotiate again. Primary process. */
int vnet_dev_reset(struct rte_eth_dev *dev);

/** True if the device can do feature @p bit (negotiated at probe; start may drop some). */
static inline bool
vnet_can(const struct vnet_adapter *ad, unsigned int bit)
{
	return (ad->probe_features >> bit) & 1;
}

/**
 * Allocate ring memory for virtqueue @p idx of @p size entries on @p socket (IOVA-
 * contiguous memzone, or the transport's ring memory). @return 0 or a negative errno.
 */
int vnet_vq_alloc(struct rte_eth_dev *dev, struct vnet_vq *vq, uint16_t idx, uint16_t size,
		  unsigned int socket);
/** Free what vnet_vq_alloc() allocated. */
void vnet_vq_free(struct vnet_vq *vq);

/**
 * Control queue at dev_start, after negotiation: allocate (first time) and lay out its ring
 * and command slots. @return 0 (also when CTRL_VQ was not negotiated: *vq NULL) or a
 * negative errno.
 */
int vnet_ctrl_queue_prepare(struct rte_eth_dev *dev, struct vnet_vq **vq);
/** Control queue after DRIVER_OK: attach and replay the state. @return 0 or -errno. */
int vnet_ctrl_queue_start(struct rte_eth_dev *dev);
/** Control queue after the device reset (stop): detach, reclaim. */
void vnet_ctrl_queue_stop(struct rte_eth_dev *dev);
/** Release the control queue's memory (close). */
void vnet_ctrl_queue_release(struct rte_eth_dev *dev);
/**
 * dev_configure part of RX filtering and RSS: mq_mode, rss_conf, RETA default, queue pairs.
 * @return 0 or a negative errno (logged).
 */
int vnet_rss_configure(struct rte_eth_dev *dev);
/** Initial RX filter and RSS state of a new port (probe). */
void vnet_ctrl_state_init(struct rte_eth_dev *dev);
/** Fill the RSS and filter parts of dev_info. */
void vnet_filter_infos(struct rte_eth_dev *dev, struct rte_eth_dev_info *info);

/** promiscuous_enable dev_op. */
int vnet_promiscuous_enable(struct rte_eth_dev *dev);
/** promiscuous_disable dev_op. */
int vnet_promiscuous_disable(struct rte_eth_dev *dev);
/** allmulticast_enable dev_op. */
int vnet_allmulticast_enable(struct rte_eth_dev *dev);
/** allmulticast_disable dev_op. */
int vnet_allmulticast_disable(struct rte_eth_dev *dev);
/** mac_addr_set dev_op. */
int vnet_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac);
/** mac_addr_add dev_op. */
int vnet_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac, uint32_t index,
		      uint32_t pool);
/** mac_addr_remove dev_op. */
void vnet_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index);
/** set_mc_addr_list dev_op. */
int vnet_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *list, uint32_t n);
/** vlan_filter_set dev_op. */
int vnet_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vid, int on);
/** vlan_offload_set dev_op. */
int vnet_vlan_offload_set(struct rte_eth_dev *dev, int mask);
/** reta_update dev_op. */
int vnet_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf,
		     uint16_t size);
/** reta_query dev_op. */
int vnet_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf,
		    uint16_t size);
/** rss_hash_update dev_op. */
int vnet_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf);
/** rss_hash_conf_get dev_op. */
int vnet_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf);

/** Lay out @p vq's ring in its memory for the negotiated features (dev_start). */
int vnet_vq_ring_init(struct vnet_adapter *ad, struct vnet_vq *vq);
/** Hand every buffer @p vq still holds back (device reset first). */
void vnet_vq_reclaim(struct vnet_vq *vq);
/** No used-buffer notifications on @p vq (polling), split or packed. */
void vnet_vq_disable_cb(struct vnet_vq *vq);
/** Smallest used length the device may report on @p vq. */
void vnet_vq_set_min_len(struct vnet_vq *vq, uint32_t min_len);
/** Register indirect tables for @p vq (see vnet_vring_set_indirect()). @return 0 or -EINVAL. */
int vnet_vq_set_indirect(struct vnet_vq *vq, void *mem, uint64_t iova, unsigned int max);

/**
 * dev_start, after vnet_offload_start() and the ring layout: indirect tables for @p rxq's
 * big buffers when it has them (big_segs > 1) and the device takes indirect descriptors.
 * @return 0, or -EINVAL when a buffer cannot be made large enough (logged).
 */
int vnet_rxq_big_prepare(struct rte_eth_dev *dev, struct vnet_rxq *rxq);

/** rx_queue_setup dev_op. */
int vnet_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket, const struct rte_eth_rxconf *conf,
			struct rte_mempool *mp);
/** tx_queue_setup dev_op. */
int vnet_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket, const struct rte_eth_txconf *conf);
/** rx_queue_release dev_op (also close). */
void vnet_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
/** tx_queue_release dev_op (also close). */
void vnet_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
/** rxq_info_get dev_op. */
void vnet_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_rxq_info *qinfo);
/** txq_info_get dev_op. */
void vnet_txq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_txq_info *qinfo);

/**
 * Link state from the device into ethdev (rte_eth_linkstatus_set); with @p event, raise
 * RTE_ETH_EVENT_INTR_LSC when it differs from what the last event said (intr_conf.lsc).
 * Control path or interrupt thread. @return 0.
 */
int vnet_link_report(struct rte_eth_dev *dev, bool event);
/** Probe: RTE_ETH_DEV_INTR_LSC in dev_flags where the port can raise it; transport hook. */
void vnet_intr_probe(struct rte_eth_dev *dev);
/** dev_configure: check intr_conf against what the port can do. @return 0 or -ENOTSUP. */
int vnet_intr_configure(struct rte_eth_dev *dev);
/**
 * dev_start, before negotiation: RX interrupt eventfds and vectors, handler, enable (vfio
 * turns MSI-X on here, which moves a legacy device's config). @return 0 or a negative errno.
 */
int vnet_intr_start(struct rte_eth_dev *dev);
/** dev_start, after negotiation: config vector, per-queue vectors. @return 0 or -errno. */
int vnet_intr_vectors(struct rte_eth_dev *dev);
/** dev_start succeeded: link baseline, queue-0 sharing and polling for the announce. */
void vnet_intr_started(struct rte_eth_dev *dev);
/** dev_stop (first thing) or a failed start: handler, alarm and interrupts off. */
void vnet_intr_stop(struct rte_eth_dev *dev);
/**
 * A recovery re-created the queues (with their notifications off): signal every RX queue's
 * eventfd so that an lcore asleep on it polls again and re-arms (the armed state itself is
 * the ring's, which the reset cleared). Recovery alarm, after a successful start.
 */
void vnet_intr_recovered(struct rte_eth_dev *dev);
/** dev_close: free what vnet allocated for the interrupt handle. */
void vnet_intr_close(struct rte_eth_dev *dev);
/** rx_queue_intr_enable dev_op (the lcore polling the queue). */
int vnet_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid);
/** rx_queue_intr_disable dev_op (the lcore polling the queue). */
int vnet_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid);
/** TX burst while GUEST_ANNOUNCE is negotiated: queue 0 under its flag (any lcore). */
uint16_t vnet_tx_burst_shared(void *queue, struct rte_mbuf **pkts, uint16_t n);

/** stats_get dev_op. */
int vnet_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st);
/** stats_reset dev_op. */
int vnet_stats_reset(struct rte_eth_dev *dev);
/** xstats_get dev_op. */
int vnet_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int limit);
/** xstats_get_names dev_op. */
int vnet_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int limit);
/** xstats_reset dev_op. */
int vnet_xstats_reset(struct rte_eth_dev *dev);

#endif /* VNET_ETHDEV_H */
