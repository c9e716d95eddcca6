/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * The one place that knows which DPDK release vnet is built against. Every RTE_VERSION check
 * lives here; the rest of the driver calls the vnet_* wrappers below.
 *
 * Supported lines: 22.11 LTS and 24.11 LTS (tested), 23.11 (builds, untested).
 *
 * RSS: rte_eth_rss_conf.algorithm appeared in 23.11.
 *
 * Control threads: DPDK 23.11 removed rte_ctrl_thread_create() (pthread based, returns a
 * negative errno) in favour of rte_thread_create_control() (rte_thread_t, a uint32_t thread
 * function, also a negative errno, names up to RTE_THREAD_NAME_SIZE - 1 = 15 characters).
 */

#ifndef VNET_COMPAT_H
#define VNET_COMPAT_H

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_version.h>
#include <rte_lcore.h>

#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
#include <rte_thread.h>

/** Handle of a vnet control thread. */
typedef rte_thread_t vnet_thread_t;
/** Return type of a vnet control-thread function. */
typedef uint32_t vnet_thread_ret_t;
/** What a vnet control-thread function returns. */
#define VNET_THREAD_RET_OK 0
#else
#include <pthread.h>

typedef pthread_t vnet_thread_t;
typedef void *vnet_thread_ret_t;
#define VNET_THREAD_RET_OK NULL
#endif

/** Longest control-thread name every supported release keeps whole (without the NUL). */
#define VNET_THREAD_NAME_MAX 15

/** Signature of a vnet control-thread function. */
typedef vnet_thread_ret_t (*vnet_thread_fn_t)(void *arg);

/**
 * Start a DPDK control thread (affinity: EAL's control-thread cpuset).
 *
 * Any control thread may call it. @p name must be at most VNET_THREAD_NAME_MAX characters.
 *
 * @return 0, or a negative errno (e.g. -EAGAIN when the system cannot create a thread).
 */
static inline int
vnet_thread_create(vnet_thread_t *t, const char *name, vnet_thread_fn_t fn, void *arg)
{
	int ret;

#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
	ret = rte_thread_create_control(t, name, fn, arg);
#else
	ret = rte_ctrl_thread_create(t, name, NULL, fn, arg);
#endif
	/* Both return a negative errno; keep the sign whatever an implementation did. */
	return ret > 0 ? -ret : ret;
}

/**
 * Wait for a control thread started by vnet_thread_create() to end.
 *
 * Called from a control thread other than @p t, once per successful create.
 */
static inline void
vnet_thread_join(vnet_thread_t t)
{
#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
	rte_thread_join(t, NULL);
#else
	pthread_join(t, NULL);
#endif
}

/**
 * RSS hash function reported by rss_hash_conf_get: the field exists from DPDK 23.11 on
 * (Toeplitz, the only one virtio defines, is the default).
 */
static inline void
vnet_rss_conf_set_default_algorithm(struct rte_eth_rss_conf *conf)
{
#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
	conf->algorithm = RTE_ETH_HASH_FUNCTION_DEFAULT;
#else
	(void)conf;
#endif
}

/**
 * Define the dev_supported_ptypes_get op @p name around @p impl, which returns a list of
 * packet types terminated by RTE_PTYPE_UNKNOWN and stores the count before the terminator
 * in its size_t argument: DPDK 24.03 added that count to the op (and dropped the terminator
 * requirement); 22.11 has no count.
 */
#if RTE_VERSION >= RTE_VERSION_NUM(24, 3, 0, 0)
#define VNET_PTYPES_GET_DEFINE(name, impl)					\
static const uint32_t *								\
name(struct rte_eth_dev *dev, size_t *no_of_elements)				\
{										\
	return impl(dev, no_of_elements);					\
}
#else
#define VNET_PTYPES_GET_DEFINE(name, impl)					\
static const uint32_t *								\
name(struct rte_eth_dev *dev)							\
{										\
	size_t n;								\
										\
	return impl(dev, &n);							\
}
#endif

#endif /* VNET_COMPAT_H */
