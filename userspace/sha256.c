// SPDX-License-Identifier: GPL-2.0-only
/* SHA-256 (FIPS 180-4): incremental, or one call over a buffer in memory. */
#include <string.h>
#include "sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))
#define S0(x)		(ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define S1(x)		(ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define s0(x)		(ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define s1(x)		(ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z)	((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z)	(((x) & (y)) | ((z) & ((x) | (y))))

/* Word j of the schedule, from the 16 before it (kept in a ring of 16). */
#define W(j)		(w[(j) & 15] += s1(w[((j) - 2) & 15]) + w[((j) - 7) & 15] + \
			 s0(w[((j) - 15) & 15]))
/*
 * One round with the eight working variables named in place (the caller
 * rotates the names), so no round moves them; @x is the schedule word.
 */
#define RND(a, b, c, d, e, f, g, h, j, x)				\
	do {								\
		uint32_t t = (h) + S1(e) + CH(e, f, g) + K[j] + (x);	\
		(d) += t;						\
		(h) = t + S0(a) + MAJ(a, b, c);				\
	} while (0)
#define RND8(j, X)							\
	do {								\
		RND(a, b, c, d, e, f, g, h, (j) + 0, X((j) + 0));	\
		RND(h, a, b, c, d, e, f, g, (j) + 1, X((j) + 1));	\
		RND(g, h, a, b, c, d, e, f, (j) + 2, X((j) + 2));	\
		RND(f, g, h, a, b, c, d, e, (j) + 3, X((j) + 3));	\
		RND(e, f, g, h, a, b, c, d, (j) + 4, X((j) + 4));	\
		RND(d, e, f, g, h, a, b, c, (j) + 5, X((j) + 5));	\
		RND(c, d, e, f, g, h, a, b, (j) + 6, X((j) + 6));	\
		RND(b, c, d, e, f, g, h, a, (j) + 7, X((j) + 7));	\
	} while (0)
#define W0(j)		(w[j])

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void block(uint32_t hs[8], const uint8_t *p)
{
	uint32_t w[16], a, b, c, d, e, f, g, h;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	a = hs[0], b = hs[1], c = hs[2], d = hs[3], e = hs[4], f = hs[5], g = hs[6], h = hs[7];
	RND8(0, W0);
	RND8(8, W0);
	for (i = 16; i < 64; i += 16) {
		RND8(i, W);
		RND8(i + 8, W);
	}
	hs[0] += a, hs[1] += b, hs[2] += c, hs[3] += d;
	hs[4] += e, hs[5] += f, hs[6] += g, hs[7] += h;
}

void ap_sha256_init(struct ap_sha256_ctx *c)
{
	static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(c->h, h0, sizeof(h0));
	c->len = 0;
}

void ap_sha256_update(struct ap_sha256_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t have = c->len % 64, take;

	c->len += len;
	if (have) {		/* fill the partial block first */
		take = len < 64 - have ? len : 64 - have;
		memcpy(c->buf + have, p, take);
		p += take;
		len -= take;
		if (have + take < 64)
			return;
		block(c->h, c->buf);
	}
	for (; len >= 64; len -= 64, p += 64)
		block(c->h, p);
	memcpy(c->buf, p, len);
}

void ap_sha256_final(struct ap_sha256_ctx *c, uint8_t out[32])
{
	uint64_t bits = c->len * 8;
	size_t rest = c->len % 64;
	int i;

	c->buf[rest++] = 0x80;
	if (rest > 56) {	/* no room for the length: one more block */
		memset(c->buf + rest, 0, 64 - rest);
		block(c->h, c->buf);
		rest = 0;
	}
	memset(c->buf + rest, 0, 56 - rest);
	for (i = 0; i < 8; i++)
		c->buf[63 - i] = (uint8_t)(bits >> (8 * i));
	block(c->h, c->buf);
	for (i = 0; i < 32; i++)
		out[i] = (uint8_t)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

void ap_sha256(const void *data, size_t len, uint8_t out[32])
{
	struct ap_sha256_ctx c;

	ap_sha256_init(&c);
	ap_sha256_update(&c, data, len);
	ap_sha256_final(&c, out);
}
