// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests for endpoint patterns: every accepted form, the rejected ones
 * (hostnames with their hint), and matching of IPv4/IPv6 addresses, CIDR
 * prefixes, ports and v4-mapped IPv6 addresses.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "harness.h"
#include "policy/policy.h"

struct pcase {
	const char *in;
	int family;		/* -1: must be rejected */
	unsigned prefix;
	unsigned port;
	const char *format;	/* canonical rendering */
};

static const struct pcase parses[] = {
	{ "*", AF_UNSPEC, 0, 0, "*" },
	{ ":443", AF_UNSPEC, 0, 443, ":443" },
	{ "*:53", AF_UNSPEC, 0, 53, ":53" },
	{ "10.0.0.1", AF_INET, 32, 0, "10.0.0.1" },
	{ "10.0.0.1:8080", AF_INET, 32, 8080, "10.0.0.1:8080" },
	{ "10.0.0.0/8", AF_INET, 8, 0, "10.0.0.0/8" },
	{ "10.1.2.3/8", AF_INET, 8, 0, "10.0.0.0/8" },
	{ "192.168.0.0/16:22", AF_INET, 16, 22, "192.168.0.0/16:22" },
	{ "10.0.0.", AF_INET, 24, 0, "10.0.0.0/24" },
	{ "10.0.", AF_INET, 16, 0, "10.0.0.0/16" },
	{ "10.", AF_INET, 8, 0, "10.0.0.0/8" },
	{ "10.0.0.:443", AF_INET, 24, 443, "10.0.0.0/24:443" },
	{ "::1", AF_INET6, 128, 0, "::1" },
	{ "[::1]:443", AF_INET6, 128, 443, "[::1]:443" },
	{ "fd00::/8", AF_INET6, 8, 0, "fd00::/8" },
	{ "2001:db8::/32", AF_INET6, 32, 0, "2001:db8::/32" },
	{ "[2001:db8::]/32:443", AF_INET6, 32, 443, "[2001:db8::]/32:443" },
	{ "[2001:db8::/32]:443", AF_INET6, 32, 443, "[2001:db8::]/32:443" },
	{ "[::]", AF_INET6, 128, 0, "::" },
	{ "0.0.0.0/0", AF_INET, 0, 0, "0.0.0.0/0" },
	{ "example.com", -1, 0, 0, NULL },
	{ "api.internal:443", -1, 0, 0, NULL },
	{ "localhost", -1, 0, 0, NULL },
	{ "10.0.0.256", -1, 0, 0, NULL },
	{ "10.0.0.1/33", -1, 0, 0, NULL },
	{ "10.0.0.1:0", -1, 0, 0, NULL },
	{ "10.0.0.1:65536", -1, 0, 0, NULL },
	{ "::1:443x", -1, 0, 0, NULL },
	{ "[::1", -1, 0, 0, NULL },
	{ "fd00::/129", -1, 0, 0, NULL },
	{ "", -1, 0, 0, NULL },
	{ "1.2.3.4.", -1, 0, 0, NULL },
};

TEST(parse)
{
	size_t i;
	char name[256], buf[128];

	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		const struct pcase *c = &parses[i];
		struct ap_endpoint ep;
		const char *why = NULL, *hint = NULL;
		int err = ap_endpoint_parse(c->in, &ep, &why, &hint);

		if (c->family < 0) {
			snprintf(name, sizeof(name), "endpoint \"%s\" is rejected",
				 c->in);
			RESULT(err && why, name, "accepted");
			continue;
		}
		ap_endpoint_format(&ep, buf, sizeof(buf));
		snprintf(name, sizeof(name), "endpoint \"%s\" parses as %s", c->in,
			 c->format);
		RESULT(!err && ep.family == c->family &&
		       (c->family == AF_UNSPEC || ep.prefix_len == c->prefix) &&
		       ep.port == c->port && !strcmp(buf, c->format), name,
		       "err %d (%s), family %d prefix %u port %u \"%s\"", err,
		       why ? why : "", ep.family, ep.prefix_len, ep.port, buf);
	}
	{
		struct ap_endpoint ep;
		const char *why = NULL, *hint = NULL;

		ap_endpoint_parse("example.com", &ep, &why, &hint);
		RESULT(why && strstr(why, "hostname") && hint &&
		       strstr(hint, "CIDR"),
		       "hostname rejection names hostnames and hints at CIDR",
		       "%s / %s", why ? why : "", hint ? hint : "");
	}
}

struct mcase {
	const char *pattern, *addr;
	unsigned port;
	bool match;
};

static const struct mcase matches[] = {
	{ "*", "93.184.216.34", 443, true },
	{ "*", "2001:db8::1", 443, true },
	{ ":443", "93.184.216.34", 443, true },
	{ ":443", "93.184.216.34", 80, false },
	{ "10.0.0.", "10.0.0.7", 22, true },
	{ "10.0.0.", "10.0.1.7", 22, false },
	{ "10.0.0.0/8", "10.200.3.4", 1, true },
	{ "10.0.0.0/8", "11.0.0.1", 1, false },
	{ "172.16.0.0/12", "172.31.255.255", 1, true },
	{ "172.16.0.0/12", "172.32.0.0", 1, false },
	{ "10.0.0.1:443", "10.0.0.1", 443, true },
	{ "10.0.0.1:443", "10.0.0.1", 444, false },
	{ "10.0.0.1", "::ffff:10.0.0.1", 5, true },
	{ "10.0.0.0/8", "2001:db8::1", 5, false },
	{ "fd00::/8", "fd12:3456::1", 5, true },
	{ "fd00::/8", "fe80::1", 5, false },
	{ "2001:db8::/33", "2001:db8:7fff::1", 5, true },
	{ "2001:db8::/33", "2001:db8:8000::1", 5, false },
	{ "[::1]:443", "::1", 443, true },
	{ "[::1]:443", "::1", 80, false },
	{ "::1", "127.0.0.1", 80, false },
	{ "0.0.0.0/0", "8.8.8.8", 53, true },
};

TEST(match)
{
	size_t i;
	char name[256];

	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		const struct mcase *c = &matches[i];
		struct ap_endpoint ep;
		unsigned char addr[16];
		int fam = strchr(c->addr, ':') ? AF_INET6 : AF_INET;
		bool got;

		ap_endpoint_parse(c->pattern, &ep, NULL, NULL);
		inet_pton(fam, c->addr, addr);
		got = ap_endpoint_match(&ep, fam, addr, c->port);
		snprintf(name, sizeof(name), "endpoint \"%s\" %s %s port %u",
			 c->pattern, c->match ? "matches" : "does not match",
			 c->addr, c->port);
		RESULT(got == c->match, name, "got %d", got);
	}
}

TEST_HARNESS_MAIN
