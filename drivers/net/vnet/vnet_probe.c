/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Bus glue of the vnet PMD: net_vnet on the PCI bus (virtio-net-pci, modern and legacy IDs)
 * and net_vnet_user on the vdev bus (vhost-user); probe, remove, reset, registration and
 * the log types, hot-unplug events. Primary process; a secondary attaches through
 * vnet_mp.c.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_pci.h>
#include <bus_pci_driver.h>
#include <ethdev_pci.h>
#include <ethdev_vdev.h>
#include <bus_vdev_driver.h>

#include "rte_pmd_vnet.h"
#include "vnet_ethdev.h"
#include "vnet_logs.h"
#include "vnet_vhost_net.h"
#include "vnet_mp.h"

RTE_LOG_REGISTER_SUFFIX(vnet_logtype_init, init, NOTICE);
RTE_LOG_REGISTER_SUFFIX(vnet_logtype_driver, driver, NOTICE);

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

	if (vnet_vn_path_is_vhost_net(ad->args.vu.path))
		return vnet_vn_init(&ad->hw, &ad->args.vu, ad->hw.name);
	if (ad->args.vu.iface[0] != '\0') {
		VNET_INIT_LOG(ERR, "%s: devarg " VNET_ARG_IFACE "= is for the vhost-net backend "
			      "(path=/dev/vhost-net), not the vhost-user socket %s", ad->hw.name,
			      ad->args.vu.path);
		return -EINVAL;
	}
	return vnet_vu_init(&ad->hw, &ad->args.vu, ad->hw.name);
}

/* The device's MAC when it is a valid unicast address, else a random local one. */
static void
pick_mac(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct vnet_hw *hw = &ad->hw;
	struct rte_ether_addr *mac = &dev->data->mac_addrs[0];

	if (hw->mac_from_device &&
	    rte_is_valid_assigned_ether_addr((const struct rte_ether_addr *)hw->mac)) {
		memcpy(mac, hw->mac, RTE_ETHER_ADDR_LEN);
		return;
	}
	rte_eth_random_addr(mac->addr_bytes);
	if (hw->ops == &vnet_tp_vhost_user_ops || hw->ops == &vnet_tp_vhost_net_ops)
		/* vhost backends have no MAC of their own: the usual case. */
		VNET_INIT_LOG(INFO, "%s: the %s backend offers no MAC address: using the "
			      "random locally administered " RTE_ETHER_ADDR_PRT_FMT " (set one with "
			      "mac=xx:xx:xx:xx:xx:xx)", hw->name, hw->ops->name,
			      RTE_ETHER_ADDR_BYTES(mac));
	else if (hw->mac_from_device)
		VNET_INIT_LOG(WARNING, "%s: the device's MAC address " RTE_ETHER_ADDR_PRT_FMT
			      " is not a valid unicast address: using the random locally "
			      "administered " RTE_ETHER_ADDR_PRT_FMT " (give the device one, e.g. "
			      "QEMU -device virtio-net-pci,mac=52:54:00:12:34:56)", hw->name,
			      RTE_ETHER_ADDR_BYTES((const struct rte_ether_addr *)hw->mac),
			      RTE_ETHER_ADDR_BYTES(mac));
	else
		VNET_INIT_LOG(NOTICE, "%s: the device offers no MAC address (no VIRTIO_NET_F_MAC): "
			      "using the random locally administered " RTE_ETHER_ADDR_PRT_FMT
			      " (give the device one, e.g. QEMU -device "
			      "virtio-net-pci,mac=52:54:00:12:34:56)", hw->name,
			      RTE_ETHER_ADDR_BYTES(mac));
}

/*
 * Common part of probe and reset: transport, first negotiation (validates the device and
 * reads its config), MAC, then the device is reset until dev_start. ad->args and
 * ad->hw.name are set by the caller.
 */
int
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
	ad->probe_features = hw->driver_features;

	/* Kept across dev_reset, like the RX filter state below. */
	if (dev->data->mac_addrs == NULL) {
		dev->data->mac_addrs = rte_zmalloc("vnet_mac",
						   RTE_ETHER_ADDR_LEN * VNET_CTRL_UC_MAX, 0);
		if (dev->data->mac_addrs == NULL) {
			ret = -ENOMEM;
			goto err_tp;
		}
		pick_mac(dev);
		vnet_ctrl_state_init(dev);
		ad->ptype_mask = RTE_PTYPE_ALL_MASK;
	}
	vnet_ctrl_init(&ad->ctrl, hw->name, ad->args.ctrl_timeout_ms);
	vnet_intr_probe(dev);
	dev->data->mtu = hw->mtu;
	/* Leave the device quiescent until dev_start negotiates again. */
	hw->ops->set_status(hw, 0);

	dev->dev_ops = &vnet_eth_dev_ops;
	VNET_INIT_LOG(NOTICE, "%s: port %u: %s on %s virtio-net, %s, event-idx %s%s", hw->name,
		      dev->data->port_id,
		      hw->ops == &vnet_tp_vhost_user_ops || hw->ops == &vnet_tp_vhost_net_ops ?
		      "net_vnet_user" :
		      RTE_PMD_VNET_DRIVER_NAME,
		      hw->modern ? "modern" : "legacy", hw->ops->name,
		      (hw->device_features & VNET_BIT(VNET_F_RING_EVENT_IDX)) ?
		      (ad->args.event_idx ? "offered" : "disabled by devargs") : "not offered",
		      ad->args.coalesce_auto ? ", adaptive TX kick moderation" :
		      ad->args.coalesce ? ", TX kick coalescing on" : "");
	return 0;

err_tp:
	hw->ops->uninit(hw);
	hw->ops = NULL;
	return ret;
}

/* ---- hot-unplug ---- */

/*
 * EAL device event of the port's device (the interrupt thread: vfio-pci's request
 * notifier). The callback argument is the port id, checked again here: the port may have
 * been closed (and its rte_eth_dev reused) while an unregistration was pending.
 */
static void
vnet_dev_event(const char *name, enum rte_dev_event_type type, void *arg)
{
	uint16_t port = (uint16_t)(uintptr_t)arg;
	struct rte_eth_dev *dev;
	struct vnet_adapter *ad;

	if (type != RTE_DEV_EVENT_REMOVE || !rte_eth_dev_is_valid_port(port))
		return;
	dev = &rte_eth_devices[port];
	if (dev->dev_ops != &vnet_eth_dev_ops || dev->device == NULL ||
	    strcmp(dev->device->name, name) != 0)
		return;
	ad = adapter_of(dev);
	ad->removed = true;
	if (dev->data->dev_conf.intr_conf.rmv) {
		VNET_INIT_LOG(NOTICE, "%s: port %u: device removal requested: raising the "
			      "removal event (close the port to release the device)", name, port);
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RMV, NULL);
	} else {
		VNET_INIT_LOG(WARNING, "%s: port %u (%s): device removal requested, but "
			      "intr_conf.rmv is off: the application is not told; close the port "
			      "to release the device", name, port,
			      dev->data->dev_started ? "started" : "not started");
	}
}

void
vnet_rmv_register(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int ret;

	/* PCI only: a vhost-user port's "removal" is a backend hang-up (the link goes down). */
	if (dev->device == NULL || ad->hw.pci_dev == NULL || ad->rmv_registered)
		return;
	ret = rte_dev_event_callback_register(dev->device->name, vnet_dev_event,
					      (void *)(uintptr_t)dev->data->port_id);
	if (ret != 0) {
		VNET_INIT_LOG(WARNING, "%s: no device events (%s): hot-unplug is not reported",
			      dev->device->name, strerror(-ret));
		return;
	}
	ad->removed = false;
	ad->rmv_registered = true;
}

/*
 * Retry of an unregistration that met the callback running (the application closed the
 * port from inside its removal event). @arg: a copy of the device name (the device itself
 * may be gone by then), freed here.
 */
static void
rmv_unregister_retry(void *arg)
{
	char *name = arg;

	if (rte_dev_event_callback_unregister(name, vnet_dev_event, (void *)-1) == -EAGAIN &&
	    rte_eal_alarm_set(1000, rmv_unregister_retry, arg) == 0)
		return;
	free(name);
}

void
vnet_rmv_unregister(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	int ret;

	if (!ad->rmv_registered)
		return;
	ad->rmv_registered = false;
	ret = rte_dev_event_callback_unregister(dev->device->name, vnet_dev_event,
						(void *)(uintptr_t)dev->data->port_id);
	if (ret == -EAGAIN) {
		char *name = strdup(dev->device->name);

		if (name != NULL && rte_eal_alarm_set(1000, rmv_unregister_retry, name) != 0)
			free(name);
	}
}

static int
vnet_pci_eth_init(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	struct rte_pci_device *pci = RTE_ETH_DEV_TO_PCI(dev);
	const struct rte_devargs *da = pci->device.devargs;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return vnet_mp_attach(dev, false);
	snprintf(ad->hw.name, sizeof(ad->hw.name), "%s", pci->name);
	ret = vnet_parse_devargs(da != NULL ? da->args : NULL, vnet_pci_valid_args,
			    VNET_PCI_ARGS_HELP, &ad->args);
	if (ret != 0)
		return ret;
	ret = vnet_eth_setup(dev, pci_tp_init);
	if (ret != 0)
		return ret;
	vnet_mp_primary_init();
	vnet_rmv_register(dev);
	return 0;
}

int
vnet_dev_reset(struct rte_eth_dev *dev)
{
	struct vnet_adapter *ad = adapter_of(dev);
	vnet_tp_init_t tp_init = ad->tp_init;
	int ret = vnet_dev_close(dev);

	if (ret != 0)
		return ret;
	/* MAC addresses and the RX filter state survive: replayed at the next start. */
	ret = vnet_eth_setup(dev, tp_init);
	if (ret == 0)
		vnet_rmv_register(dev);
	return ret;
}

static int
vnet_eth_uninit(struct rte_eth_dev *dev)
{
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		vnet_mp_detach(dev);
		return 0;
	}
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

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return vnet_mp_probe_vdev(vdev);
	ret = vnet_parse_devargs(rte_vdev_device_args(vdev), vnet_user_valid_args,
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
	vnet_mp_primary_init();
	rte_eth_dev_probing_finish(dev);
	return 0;
}

static int
vnet_user_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;	/* already closed */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* The port is the primary's: only this process's view of it goes. */
		vnet_mp_detach(dev);
		return rte_eth_dev_release_port(dev);
	}
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

/*
 * INTR_RMV: ethdev sets RTE_ETH_DEV_INTR_RMV on each port (applications such as testpmd
 * then set intr_conf.rmv) and vnet raises RTE_ETH_EVENT_INTR_RMV from EAL's device event
 * RTE_DEV_EVENT_REMOVE (vfio-pci's request notifier: the kernel wants the device back).
 */
static struct rte_pci_driver vnet_pci_driver = {
	.id_table = vnet_pci_id_map,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING | RTE_PCI_DRV_INTR_RMV,
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
			      VNET_ARG_INDIRECT "=<0|1> "
			      VNET_ARG_PACKED "=<0|1> "
			      VNET_ARG_COALESCE "=<0-4096|auto> "
			      VNET_ARG_DELAY_US "=<1-100000> "
			      VNET_ARG_RX_DEFER "=<0|1> "
			      VNET_ARG_CTRL_TIMEOUT "=<1-60000>");

RTE_PMD_REGISTER_VDEV(net_vnet_user, vnet_user_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_vnet_user,
			      VNET_ARG_PATH "=<path> "
			      VNET_ARG_QUEUES "=<1-8> "
			      VNET_ARG_QUEUE_SIZE "=<2-32768, power of two> "
			      VNET_ARG_SERVER "=<0|1> "
			      VNET_ARG_MAC "=<mac addr> "
			      VNET_ARG_IFACE "=<tap name> "
			      VNET_ARG_EVENT_IDX "=<0|1> "
			      VNET_ARG_INDIRECT "=<0|1> "
			      VNET_ARG_PACKED "=<0|1> "
			      VNET_ARG_COALESCE "=<0-4096|auto> "
			      VNET_ARG_DELAY_US "=<1-100000> "
			      VNET_ARG_RX_DEFER "=<0|1>");
