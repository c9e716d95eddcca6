/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/* Devargs of net_vnet (PCI) and net_vnet_user (vhost-user) ports: parsing and validation. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_kvargs.h>

#include "vnet_ethdev.h"
#include "vnet_logs.h"

const char * const vnet_pci_valid_args[] = {
	VNET_ARG_EVENT_IDX,
	VNET_ARG_INDIRECT,
	VNET_ARG_PACKED,
	VNET_ARG_COALESCE,
	VNET_ARG_DELAY_US,
	VNET_ARG_RX_DEFER,
	VNET_ARG_CTRL_TIMEOUT,
	VNET_ARG_RECOVERY,
	VNET_ARG_TEST_BREAK,
	VNET_ARG_TEST_BAD_DESC,
	NULL,
};

const char * const vnet_user_valid_args[] = {
	VNET_ARG_EVENT_IDX,
	VNET_ARG_INDIRECT,
	VNET_ARG_PACKED,
	VNET_ARG_COALESCE,
	VNET_ARG_DELAY_US,
	VNET_ARG_RX_DEFER,
	VNET_ARG_PATH,
	VNET_ARG_QUEUES,
	VNET_ARG_QUEUE_SIZE,
	VNET_ARG_SERVER,
	VNET_ARG_MAC,
	VNET_ARG_RECOVERY,
	VNET_ARG_TEST_BREAK,
	VNET_ARG_IFACE,
	NULL,
};

/* ---- devargs ---- */

static int
parse_uint(const char *key, const char *value, unsigned long min, unsigned long max,
	   unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	if (value == NULL || *value == '\0' || *value == '-')
		goto bad;
	v = strtoul(value, &end, 0);
	if (errno != 0 || end == NULL || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	VNET_INIT_LOG(ERR, "devarg %s=%s: expected an integer in [%lu, %lu]", key,
		      value != NULL ? value : "", min, max);
	return -EINVAL;
}

static int
devarg_handler(const char *key, const char *value, void *opaque)
{
	struct vnet_devargs *a = opaque;
	unsigned long v;
	int ret;

	if (strcmp(key, VNET_ARG_EVENT_IDX) == 0) {
		ret = parse_uint(key, value, 0, 1, &v);
		if (ret == 0)
			a->event_idx = v != 0;
	} else if (strcmp(key, VNET_ARG_RECOVERY) == 0) {
		ret = parse_uint(key, value, 0, 1, &v);
		if (ret == 0)
			a->recovery = v != 0;
	} else if (strcmp(key, VNET_ARG_COALESCE) == 0) {
		if (value != NULL && strcmp(value, "auto") == 0) {
			a->coalesce_auto = true;
			a->coalesce = 0;
			return 0;
		}
		ret = parse_uint(key, value, 0, VNET_COALESCE_MAX, &v);
		if (ret == 0) {
			a->coalesce = (uint16_t)v;
			a->coalesce_auto = false;
		}
	} else if (strcmp(key, VNET_ARG_DELAY_US) == 0) {
		ret = parse_uint(key, value, VNET_DELAY_US_MIN, VNET_DELAY_US_MAX, &v);
		if (ret == 0) {
			a->delay_us = (uint32_t)v;
			a->delay_given = true;
		}
	} else if (strcmp(key, VNET_ARG_RX_DEFER) == 0) {
		ret = parse_uint(key, value, 0, 1, &v);
		if (ret == 0)
			a->rx_defer = v != 0;
	} else if (strcmp(key, VNET_ARG_PACKED) == 0) {
		ret = parse_uint(key, value, 0, 1, &v);
		if (ret == 0)
			a->packed = v != 0;
	} else if (strcmp(key, VNET_ARG_INDIRECT) == 0) {
		ret = parse_uint(key, value, 0, 1, &v);
		if (ret == 0)
			a->indirect = v != 0;
	} else if (strcmp(key, VNET_ARG_TEST_BAD_DESC) == 0) {
		ret = parse_uint(key, value, 1, 60000, &v);
		if (ret == 0)
			a->test_bad_desc_ms = (uint32_t)v;
	} else if (strcmp(key, VNET_ARG_TEST_BREAK) == 0) {
		ret = parse_uint(key, value, 1, 60000, &v);
		if (ret == 0)
			a->test_break_ms = (uint32_t)v;
	} else if (strcmp(key, VNET_ARG_CTRL_TIMEOUT) == 0) {
		ret = parse_uint(key, value, 1, VNET_CTRL_TIMEOUT_MS_MAX, &v);
		if (ret == 0)
			a->ctrl_timeout_ms = (uint32_t)v;
	} else if (strcmp(key, VNET_ARG_PATH) == 0) {
		ret = 0;
		if (value == NULL || value[0] == '\0' || strlen(value) >= sizeof(a->vu.path)) {
			VNET_INIT_LOG(ERR, "devarg " VNET_ARG_PATH "=%s: expected a unix socket "
				      "path of 1..%zu characters", value != NULL ? value : "",
				      sizeof(a->vu.path) - 1);
			ret = -EINVAL;
		} else {
			snprintf(a->vu.path, sizeof(a->vu.path), "%s", value);
		}
	} else if (strcmp(key, VNET_ARG_IFACE) == 0) {
		ret = 0;
		if (value == NULL || value[0] == '\0' || strlen(value) >= sizeof(a->vu.iface) ||
		    strpbrk(value, "/ \t%") != NULL) {
			VNET_INIT_LOG(ERR, "devarg " VNET_ARG_IFACE "=%s: expected a network "
				      "interface name of 1..%zu characters (no '/', '%%' or blanks)",
				      value != NULL ? value : "", sizeof(a->vu.iface) - 1);
			ret = -EINVAL;
		} else {
			snprintf(a->vu.iface, sizeof(a->vu.iface), "%s", value);
		}
	} else if (strcmp(key, VNET_ARG_QUEUES) == 0) {
		ret = parse_uint(key, value, 1, VNET_VU_QUEUES_MAX, &v);
		if (ret == 0)
			a->vu.queues = (uint16_t)v;
	} else if (strcmp(key, VNET_ARG_QUEUE_SIZE) == 0) {
		ret = parse_uint(key, value, 2, VNET_VRING_MAX_SIZE, &v);
		if (ret == 0 && (v & (v - 1)) != 0) {
			VNET_INIT_LOG(ERR, "devarg " VNET_ARG_QUEUE_SIZE "=%s: must be a power of "
				      "two in [2, %u]", value, VNET_VRING_MAX_SIZE);
			ret = -EINVAL;
		}
		if (ret == 0)
			a->vu.queue_size = (uint16_t)v;
	} else if (strcmp(key, VNET_ARG_SERVER) == 0) {
		ret = parse_uint(key, value, 0, 1, &v);
		if (ret == 0)
			a->vu.server = v != 0;
	} else if (strcmp(key, VNET_ARG_MAC) == 0) {
		struct rte_ether_addr mac;

		ret = 0;
		if (value == NULL || rte_ether_unformat_addr(value, &mac) != 0 ||
		    !rte_is_valid_assigned_ether_addr(&mac)) {
			VNET_INIT_LOG(ERR, "devarg " VNET_ARG_MAC "=%s: expected a unicast MAC "
				      "address xx:xx:xx:xx:xx:xx", value != NULL ? value : "");
			ret = -EINVAL;
		} else {
			memcpy(a->vu.mac, mac.addr_bytes, sizeof(a->vu.mac));
			a->vu.mac_set = true;
		}
	} else {
		ret = -EINVAL;
	}
	return ret;
}

/* rte_kvargs_parse() only says "invalid": find the key it did not accept, for the log. */
static bool
find_unknown_key(const char *args, const char * const *valid, char *key, size_t size)
{
	const char *p = args;

	while (*p != '\0') {
		size_t len = strcspn(p, "=,");
		unsigned int i;
		bool known = false;

		for (i = 0; valid[i] != NULL; i++)
			if (strlen(valid[i]) == len && strncmp(valid[i], p, len) == 0)
				known = true;
		if (!known && len > 0) {
			snprintf(key, size, "%.*s", (int)RTE_MIN(len, size - 1), p);
			return true;
		}
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return false;
}

int
vnet_parse_devargs(const char *args, const char * const *valid, const char *help,
	      struct vnet_devargs *a)
{
	struct rte_kvargs *kv;
	int ret;

	memset(a, 0, sizeof(*a));
	a->event_idx = true;
	a->indirect = true;
	a->packed = true;
	a->recovery = true;
	a->coalesce_auto = true;	/* adaptive kick moderation by default */
	a->delay_us = VNET_AUTO_DELAY_US_DEFAULT;
	a->rx_defer = true;
	a->ctrl_timeout_ms = VNET_CTRL_TIMEOUT_MS_DEFAULT;
	a->vu.queues = 1;
	a->vu.queue_size = VNET_VU_QUEUE_SIZE_DEFAULT;
	if (args == NULL || args[0] == '\0')
		return 0;

	kv = rte_kvargs_parse(args, valid);
	if (kv == NULL) {
		char bad[64];

		if (find_unknown_key(args, valid, bad, sizeof(bad)))
			VNET_INIT_LOG(ERR, "unknown devarg key \"%s\" in \"%s\": accepted: %s",
				      bad, args, help);
		else
			VNET_INIT_LOG(ERR, "invalid devargs \"%s\": accepted: %s", args, help);
		return -EINVAL;
	}
	ret = rte_kvargs_process(kv, NULL, devarg_handler, a);
	rte_kvargs_free(kv);
	if (ret < 0)
		return -EINVAL;
	/* Adaptive moderation may defer up to kick_delay_us; its own default is longer. */
	if (!a->delay_given)
		a->delay_us = a->coalesce_auto ? VNET_AUTO_DELAY_US_DEFAULT : VNET_DELAY_US_DEFAULT;
	return 0;
}

