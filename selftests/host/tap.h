/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal test reporting shared by host tests and in-VM selftests.
 * Every test prints exactly one line:  "ok - NAME", "not ok - NAME: why" or
 * "skip - NAME: why".  scripts/check.sh counts these lines for the summary.
 */
#ifndef ACTPLANE_TAP_H
#define ACTPLANE_TAP_H
#include <stdarg.h>
#include <stdio.h>

static int tap_failed;

static inline void __attribute__((format(printf, 3, 4)))
tap_result(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok - %s\n", name);
	} else {
		tap_failed++;
		printf("not ok - %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt ? fmt : "failed", ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
}

static inline void tap_skip(const char *name, const char *why)
{
	printf("skip - %s: %s\n", name, why);
	fflush(stdout);
}

/* exit status for main(): non-zero if any test failed */
static inline int tap_exit(void)
{
	return tap_failed ? 1 : 0;
}

#endif
