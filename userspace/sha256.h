/* SPDX-License-Identifier: GPL-2.0-only */
/* SHA-256 (FIPS 180-4), for the digest of a compiled policy. */
#ifndef ACTPLANE_SHA256_H
#define ACTPLANE_SHA256_H

#include <stddef.h>
#include <stdint.h>

void ap_sha256(const void *data, size_t len, uint8_t out[32]);

#endif
