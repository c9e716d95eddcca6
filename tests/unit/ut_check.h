/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * Checks for the unit tests written as void case functions that print their own PASS line
 * (test_ctrl.c, test_negotiate.c): a failed check prints FAIL with the function, line and
 * reason, counts into the test's `static int failures` and returns from the case (with
 * @ret from CHECK_RET(), for a helper that returns a value).
 */

#ifndef UT_CHECK_H
#define UT_CHECK_H

#include <stdio.h>

#define CHECK_RET(ret, cond, ...) do { \
	if (!(cond)) { \
		printf("FAIL %s:%d: %s: ", __func__, __LINE__, #cond); \
		printf(__VA_ARGS__); \
		printf("\n"); \
		failures++; \
		return ret; \
	} \
} while (0)

#define CHECK(cond, ...)	CHECK_RET(, cond, __VA_ARGS__)

#endif /* UT_CHECK_H */
