/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BLAKE2b (RFC 7693), unkeyed, for the digest of a compiled policy: about
 * a quarter of SHA-256's instructions per byte on a 64-bit CPU without
 * hash instructions.
 */
#ifndef ACTPLANE_BLAKE2B_H
#define ACTPLANE_BLAKE2B_H

#include <stddef.h>
#include <stdint.h>

/* Incremental: init (digest length 1..64 bytes), any number of updates, final. */
struct ap_blake2b_ctx {
	uint64_t h[8];
	uint64_t t[2];		/* bytes compressed so far, 128-bit */
	uint8_t buf[128];	/* not yet compressed: the last block is kept for final */
	size_t n;		/* bytes in buf */
	size_t outlen;
};

void ap_blake2b_init(struct ap_blake2b_ctx *c, size_t outlen);
void ap_blake2b_update(struct ap_blake2b_ctx *c, const void *data, size_t len);
void ap_blake2b_final(struct ap_blake2b_ctx *c, uint8_t *out);

/* One call over a buffer in memory. */
void ap_blake2b(const void *data, size_t len, uint8_t *out, size_t outlen);

#endif
