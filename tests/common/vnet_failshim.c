/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vnet authors
 */

/*
 * LD_PRELOAD fault-injection shim for the host tier: makes pthread_create() fail with EAGAIN
 * when it is called on behalf of one shared object (any frame of the caller's stack inside
 * it), so a test can force the driver's thread-creation error paths through DPDK's real
 * control-thread API (rte_ctrl_thread_create on 22.11, rte_thread_create_control on 23.11+).
 * Nothing else forces that failure: over-long names are truncated, and root ignores
 * RLIMIT_NPROC.
 *
 *   VNET_FAILSHIM_OBJECT=librte_net_vnet.so   substring of the object's path (required)
 *   VNET_FAILSHIM_SKIP=N                      let the first N matching calls succeed (0)
 *   VNET_FAILSHIM_COUNT=M                     fail at most M calls after those (1)
 *
 * Every call it fails is reported on stderr as "vnet-failshim: failing pthread_create #K".
 */

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long matched;
static unsigned long failed;

static unsigned long
env_ulong(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtoul(v, NULL, 0) : def;
}

/* Is any frame of the current stack inside the object whose path contains @p object? */
static int
called_from(const char *object)
{
	void *frames[64];
	int n = backtrace(frames, 64), i;
	Dl_info info;

	for (i = 1; i < n; i++)
		if (dladdr(frames[i], &info) != 0 && info.dli_fname != NULL &&
		    strstr(info.dli_fname, object) != NULL)
			return 1;
	return 0;
}

int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);

/** The interposed pthread_create(): fails as configured above, else calls the real one. */
int
pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	static create_fn real;
	const char *object = getenv("VNET_FAILSHIM_OBJECT");
	int fail = 0;

	if (real == NULL)
		real = (create_fn)(uintptr_t)dlsym(RTLD_NEXT, "pthread_create");
	if (real == NULL)
		return ENOSYS;
	if (object != NULL && *object != '\0' && called_from(object)) {
		pthread_mutex_lock(&shim_lock);
		matched++;
		if (matched > env_ulong("VNET_FAILSHIM_SKIP", 0) &&
		    failed < env_ulong("VNET_FAILSHIM_COUNT", 1)) {
			failed++;
			fail = 1;
		}
		pthread_mutex_unlock(&shim_lock);
	}
	if (fail) {
		fprintf(stderr, "vnet-failshim: failing pthread_create #%lu from %s with EAGAIN\n",
			matched, object);
		return EAGAIN;
	}
	return real(t, attr, fn, arg);
}
