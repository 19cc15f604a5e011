// SPDX-License-Identifier: GPL-2.0-only
/*
 * BLAKE2b as RFC 7693 specifies it: 12 rounds of the G mixing function
 * over a 16-word state, one 128-byte block at a time, the final block
 * flagged.  No key, no salt, no personalisation.
 */
#include <string.h>
#include "blake2b.h"

static const uint64_t ap_b2b_iv[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
	0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
	0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

/* The message word schedule; rounds 10 and 11 reuse rows 0 and 1. */
static const uint8_t ap_b2b_sigma[12][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
};

static inline uint64_t ap_rotr64(uint64_t x, unsigned int n)
{
	return (x >> n) | (x << (64 - n));
}

/* The words are little-endian. */
static inline uint64_t ap_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

#define G(a, b, c, d, x, y) do {				\
	v[a] += v[b] + (x); v[d] = ap_rotr64(v[d] ^ v[a], 32);	\
	v[c] += v[d];       v[b] = ap_rotr64(v[b] ^ v[c], 24);	\
	v[a] += v[b] + (y); v[d] = ap_rotr64(v[d] ^ v[a], 16);	\
	v[c] += v[d];       v[b] = ap_rotr64(v[b] ^ v[c], 63);	\
} while (0)

/* Written out per round so that every schedule index is a constant. */
#define ROUND(r) do {							\
	const uint8_t *s = ap_b2b_sigma[r];				\
	G(0, 4, 8, 12, m[s[0]], m[s[1]]);				\
	G(1, 5, 9, 13, m[s[2]], m[s[3]]);				\
	G(2, 6, 10, 14, m[s[4]], m[s[5]]);				\
	G(3, 7, 11, 15, m[s[6]], m[s[7]]);				\
	G(0, 5, 10, 15, m[s[8]], m[s[9]]);				\
	G(1, 6, 11, 12, m[s[10]], m[s[11]]);				\
	G(2, 7, 8, 13, m[s[12]], m[s[13]]);				\
	G(3, 4, 9, 14, m[s[14]], m[s[15]]);				\
} while (0)

static void ap_b2b_compress(struct ap_blake2b_ctx *c, const uint8_t *block, int last)
{
	uint64_t m[16], v[16];
	int i;

	for (i = 0; i < 16; i++)
		m[i] = ap_load64(block + 8 * i);
	for (i = 0; i < 8; i++) {
		v[i] = c->h[i];
		v[i + 8] = ap_b2b_iv[i];
	}
	v[12] ^= c->t[0];
	v[13] ^= c->t[1];
	if (last)
		v[14] = ~v[14];
	ROUND(0); ROUND(1); ROUND(2); ROUND(3); ROUND(4); ROUND(5);
	ROUND(6); ROUND(7); ROUND(8); ROUND(9); ROUND(10); ROUND(11);
	for (i = 0; i < 8; i++)
		c->h[i] ^= v[i] ^ v[i + 8];
}

#undef ROUND
#undef G

static void ap_b2b_count(struct ap_blake2b_ctx *c, uint64_t n)
{
	c->t[0] += n;
	if (c->t[0] < n)
		c->t[1]++;
}

void ap_blake2b_init(struct ap_blake2b_ctx *c, size_t outlen)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->h, ap_b2b_iv, sizeof(c->h));
	/* Parameter block: digest length, no key, fanout 1, depth 1. */
	c->h[0] ^= 0x01010000ULL | (uint64_t)outlen;
	c->outlen = outlen;
}

void ap_blake2b_update(struct ap_blake2b_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		size_t k;

		/* A full buffer is compressed only once more data follows it. */
		if (c->n == sizeof(c->buf)) {
			ap_b2b_count(c, sizeof(c->buf));
			ap_b2b_compress(c, c->buf, 0);
			c->n = 0;
		}
		if (!c->n) {
			while (len > sizeof(c->buf)) {
				ap_b2b_count(c, sizeof(c->buf));
				ap_b2b_compress(c, p, 0);
				p += sizeof(c->buf);
				len -= sizeof(c->buf);
			}
		}
		k = sizeof(c->buf) - c->n;
		if (k > len)
			k = len;
		memcpy(c->buf + c->n, p, k);
		c->n += k;
		p += k;
		len -= k;
	}
}

void ap_blake2b_final(struct ap_blake2b_ctx *c, uint8_t *out)
{
	size_t i;

	ap_b2b_count(c, c->n);
	memset(c->buf + c->n, 0, sizeof(c->buf) - c->n);
	ap_b2b_compress(c, c->buf, 1);
	for (i = 0; i < c->outlen; i++)
		out[i] = (uint8_t)(c->h[i / 8] >> (8 * (i % 8)));
}

void ap_blake2b(const void *data, size_t len, uint8_t *out, size_t outlen)
{
	struct ap_blake2b_ctx c;

	ap_blake2b_init(&c, outlen);
	ap_blake2b_update(&c, data, len);
	ap_blake2b_final(&c, out);
}
