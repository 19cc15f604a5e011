// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of userspace/blake2b.c, which makes the policy digest `run`
 * compares without root: the RFC 7693 vector; every length around the
 * 128-byte block boundaries against coreutils' b2sum; and the incremental
 * form, fed in pieces of every size, against the one-call form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "../../userspace/blake2b.c"

static void hex(const uint8_t *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void digest_hex(const void *p, size_t n, size_t outlen, char *out)
{
	uint8_t d[64];

	ap_blake2b(p, n, d, outlen);
	hex(d, outlen, out);
}

TEST(known_vectors)
{
	static const struct { const char *in; size_t outlen; const char *want; } v[] = {
		/* RFC 7693, Appendix A */
		{ "abc", 64, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
			     "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923" },
		{ "abc", 32, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319" },
		{ "", 32, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8" },
	};
	char got[129];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CASE("blake2b-%zu(\"%s\")", 8 * v[i].outlen, v[i].in);
		digest_hex(v[i].in, strlen(v[i].in), v[i].outlen, got);
		EXPECT_STREQ(got, v[i].want);
	}
}

TEST(million_a_in_pieces)
{
	struct ap_blake2b_ctx c;
	char chunk[1000], got[65];
	uint8_t d[32];
	int i;

	memset(chunk, 'a', sizeof(chunk));
	ap_blake2b_init(&c, 32);
	for (i = 0; i < 1000; i++)	/* 1000 x 1000: pieces that straddle blocks */
		ap_blake2b_update(&c, chunk, sizeof(chunk));
	ap_blake2b_final(&c, d);
	hex(d, 32, got);
	/* b2sum -l 256 of the same */
	EXPECT_STREQ(got, "0741850f36cba4259628355d1073e24ddb9ca0e1bfac36fd39ae5dc2101e23a4");
}

/* Lengths 0..300 (empty, one byte short of a block, a block, past two) against b2sum. */
TEST(lengths_against_b2sum)
{
	char path[] = "/tmp/actplane-b2b-XXXXXX", cmd[128], want[65], got[65];
	uint8_t buf[300];
	size_t n;
	int fd;

	if (access("/usr/bin/b2sum", X_OK))
		SKIP(return, "no /usr/bin/b2sum");
	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (uint8_t)(n * 7 + 3);
	for (n = 0; n <= sizeof(buf); n++) {
		FILE *f;

		fd = mkstemp(path);
		ASSERT_LE(0, fd);
		EXPECT_EQ((ssize_t)n, write(fd, buf, n));
		close(fd);
		snprintf(cmd, sizeof(cmd), "b2sum -l 256 %s", path);
		f = popen(cmd, "r");
		ASSERT_TRUE(f);
		EXPECT_EQ(1, fscanf(f, "%64s", want));
		pclose(f);
		unlink(path);
		strcpy(path, "/tmp/actplane-b2b-XXXXXX");
		digest_hex(buf, n, 32, got);
		if (strcmp(got, want))
			printf("length %zu:\n", n);
		EXPECT_STREQ(got, want);
	}
}

/* Any split of the input gives the one-call digest. */
TEST(incremental_equals_one_call)
{
	uint8_t buf[600], one[32], inc[32];
	struct ap_blake2b_ctx c;
	size_t n, step, at;

	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (uint8_t)(n * 31 + 1);
	for (n = 0; n <= sizeof(buf); n += 25) {
		ap_blake2b(buf, n, one, 32);
		CASE("length %zu in pieces of 1..260 bytes", n);
		for (step = 1; step <= 260; step++) {
			ap_blake2b_init(&c, 32);
			for (at = 0; at < n; at += step)
				ap_blake2b_update(&c, buf + at, n - at < step ? n - at : step);
			ap_blake2b_final(&c, inc);
			if (memcmp(one, inc, 32))
				printf("pieces of %zu:\n", step);
			EXPECT_EQ(0, memcmp(one, inc, 32));
		}
	}
}

TEST_HARNESS_MAIN
