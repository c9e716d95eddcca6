/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

#ifndef VNET_LOGS_H
#define VNET_LOGS_H

#ifdef VNET_LOG_STANDALONE
/*
 * EAL-free builds (unit tests of the negotiation layer against a fake transport): the
 * program provides vnet_log_standalone(), e.g. to capture and assert log lines.
 */
void vnet_log_standalone(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define RTE_LOG_ERR	"ERR"
#define RTE_LOG_WARNING	"WARNING"
#define RTE_LOG_NOTICE	"NOTICE"
#define RTE_LOG_INFO	"INFO"
#define RTE_LOG_DEBUG	"DEBUG"
#define VNET_INIT_LOG(level, fmt, ...) \
	vnet_log_standalone(RTE_LOG_ ## level, "%s(): " fmt, __func__, ## __VA_ARGS__)
#define VNET_DRV_LOG VNET_INIT_LOG
#else
#include <rte_log.h>

/*
 * Log types pmd.net.vnet.init (probe, negotiation, setup) and pmd.net.vnet.driver (everything
 * after start), registered in vnet_probe.c. Both default to NOTICE; raise with e.g.
 * --log-level=pmd.net.vnet.*:debug.
 */
extern int vnet_logtype_init;
extern int vnet_logtype_driver;

#define VNET_INIT_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vnet_logtype_init, "%s(): " fmt "\n", \
		__func__, ## __VA_ARGS__)

#define VNET_DRV_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vnet_logtype_driver, "%s(): " fmt "\n", \
		__func__, ## __VA_ARGS__)

#endif /* VNET_LOG_STANDALONE */

#endif /* VNET_LOGS_H */
