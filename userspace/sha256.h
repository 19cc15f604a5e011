/* SPDX-License-Identifier: GPL-2.0-only */
/* SHA-256 (FIPS 180-4), for the digest of a compiled policy. */
#ifndef ACTPLANE_SHA256_H
#define ACTPLANE_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Incremental: init, any number of updates (of any lengths), final. */
struct ap_sha256_ctx {
	uint32_t h[8];
	uint64_t len;		/* bytes so far */
	uint8_t buf[64];	/* the partial block: len % 64 bytes */
};

void ap_sha256_init(struct ap_sha256_ctx *c);
void ap_sha256_update(struct ap_sha256_ctx *c, const void *data, size_t len);
void ap_sha256_final(struct ap_sha256_ctx *c, uint8_t out[32]);

/* One call over a buffer in memory. */
void ap_sha256(const void *data, size_t len, uint8_t out[32]);

#endif
