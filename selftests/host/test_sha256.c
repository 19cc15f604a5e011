// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of userspace/sha256.c, which makes the policy digest `run`
 * compares without root: FIPS 180-4 test vectors; every length around
 * the padding boundaries against coreutils' sha256sum; and the
 * incremental form, fed in pieces of every size, against the one-call form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "../../userspace/sha256.c"

static void hex(const uint8_t d[32], char out[65])
{
	int i;

	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void digest_hex(const void *p, size_t n, char out[65])
{
	uint8_t d[32];

	ap_sha256(p, n, d);
	hex(d, out);
}

TEST(fips_vectors)
{
	static const struct { const char *in; const char *want; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
		  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char got[65];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CASE("sha256(\"%.20s...\") (%zu bytes)", v[i].in, strlen(v[i].in));
		digest_hex(v[i].in, strlen(v[i].in), got);
		EXPECT_STREQ(got, v[i].want);
	}
}

TEST(million_a_in_pieces)
{
	struct ap_sha256_ctx c;
	char chunk[1000], got[65];
	uint8_t d[32];
	int i;

	memset(chunk, 'a', sizeof(chunk));
	ap_sha256_init(&c);
	for (i = 0; i < 1000; i++)	/* 1000 x 1000: pieces that straddle blocks */
		ap_sha256_update(&c, chunk, sizeof(chunk));
	ap_sha256_final(&c, d);
	hex(d, got);
	EXPECT_STREQ(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths 0..200 (every padding case: rest < 56, = 55, 56..63, = 64...) against sha256sum. */
TEST(lengths_against_sha256sum)
{
	char path[] = "/tmp/actplane-sha256-XXXXXX", cmd[128], want[65], got[65];
	uint8_t buf[200];
	size_t n;
	int fd;

	if (access("/usr/bin/sha256sum", X_OK))
		SKIP(return, "no /usr/bin/sha256sum");
	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (uint8_t)(n * 7 + 3);
	for (n = 0; n <= sizeof(buf); n++) {
		FILE *f;

		fd = mkstemp(path);
		ASSERT_LE(0, fd);
		EXPECT_EQ((ssize_t)n, write(fd, buf, n));
		close(fd);
		snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
		f = popen(cmd, "r");
		ASSERT_TRUE(f);
		EXPECT_EQ(1, fscanf(f, "%64s", want));
		pclose(f);
		unlink(path);
		strcpy(path, "/tmp/actplane-sha256-XXXXXX");
		digest_hex(buf, n, got);
		if (strcmp(got, want))
			printf("length %zu:\n", n);
		EXPECT_STREQ(got, want);
	}
}

/* Any split of the input gives the one-call digest. */
TEST(incremental_equals_one_call)
{
	uint8_t buf[300], one[32], inc[32];
	struct ap_sha256_ctx c;
	size_t n, step, at;

	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (uint8_t)(n * 31 + 1);
	for (n = 0; n <= sizeof(buf); n += 13) {
		ap_sha256(buf, n, one);
		CASE("length %zu in pieces of 1..130 bytes", n);
		for (step = 1; step <= 130; step++) {
			ap_sha256_init(&c);
			for (at = 0; at < n; at += step)
				ap_sha256_update(&c, buf + at, n - at < step ? n - at : step);
			ap_sha256_final(&c, inc);
			if (memcmp(one, inc, 32))
				printf("pieces of %zu:\n", step);
			EXPECT_EQ(0, memcmp(one, inc, 32));
		}
	}
}

TEST_HARNESS_MAIN
