// SPDX-License-Identifier: GPL-2.0-only
/*
 * Endpoint patterns: IPv4 and IPv6 addresses, CIDR prefixes, the ActPlane
 * trailing-dot prefix form ("10.0.0." is 10.0.0.0/24), optional ports and
 * "*".  Hostnames are rejected: the kernel sees addresses, and resolving a
 * name once at compile time would silently go stale.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <actplane/match.h>
#include "internal.h"

static const char hostname_hint[] =
	"endpoints are matched by address: write an IP address or a CIDR "
	"prefix (\"93.184.216.34\", \"10.0.0.0/8\", \"[2001:db8::]/32:443\") "
	"or \"*\"";

static int parse_uint(const char *s, size_t n, unsigned long max,
		      unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!n || n > 6)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_port(const char *s, size_t n, struct ap_endpoint *ep,
		      const char **why)
{
	unsigned long v;

	if (parse_uint(s, n, 65535, &v) || v == 0) {
		*why = "invalid port (expected 1..65535)";
		return -EINVAL;
	}
	ep->port = v;
	return 0;
}

static void clear_host_bits(struct ap_endpoint *ep)
{
	unsigned bytes = ep->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < bytes; i++) {
		unsigned keep = ep->prefix_len > i * 8 ?
				ep->prefix_len - i * 8 : 0;

		if (keep >= 8)
			continue;
		ep->addr[i] &= (uint8_t)(0xff00 >> keep);
	}
}

static bool looks_like_hostname(const char *s, size_t n)
{
	size_t i;
	bool alpha = false;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (isalpha(c))
			alpha = true;
		else if (!isdigit(c) && c != '.' && c != '-' && c != '_')
			return false;
	}
	return alpha;
}

/* address [ "/" len ] in a buffer of n bytes */
static int parse_addr(const char *s, size_t n, int family,
		      struct ap_endpoint *ep, const char **why,
		      const char **hint)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	unsigned max = family == AF_INET ? 32 : 128;
	unsigned long plen = max;

	if (!alen || alen >= sizeof(buf)) {
		if (looks_like_hostname(s, alen)) {
			*why = "hostnames are not supported in endpoint patterns";
			*hint = hostname_hint;
		} else {
			*why = "invalid address";
		}
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(family, buf, ep->addr) != 1) {
		if (looks_like_hostname(buf, alen)) {
			*why = "hostnames are not supported in endpoint patterns";
			*hint = hostname_hint;
		} else {
			*why = family == AF_INET ? "invalid IPv4 address" :
						   "invalid IPv6 address";
		}
		return -EINVAL;
	}
	if (slash && parse_uint(slash + 1, n - alen - 1, max, &plen)) {
		*why = family == AF_INET ? "invalid prefix length (0..32)" :
					   "invalid prefix length (0..128)";
		return -EINVAL;
	}
	ep->family = family;
	ep->prefix_len = plen;
	clear_host_bits(ep);
	return 0;
}

/* "10.", "10.0.", "10.0.0.": the reference's prefix shorthand */
static int parse_dotted_prefix(const char *s, size_t n, struct ap_endpoint *ep)
{
	unsigned k = 0;
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		unsigned long v;

		while (j < n && s[j] != '.')
			j++;
		if (j == n || parse_uint(s + i, j - i, 255, &v) || j - i > 3)
			return -1;
		if (k == 3)
			return -1;
		ep->addr[k++] = v;
		i = j + 1;
	}
	if (!k)
		return -1;
	ep->family = AF_INET;
	ep->prefix_len = 8 * k;
	return 0;
}

int ap_endpoint_parse(const char *s, struct ap_endpoint *ep, const char **why,
		      const char **hint)
{
	const char *dummy, *colon;
	size_t n = strlen(s);

	if (!why)
		why = &dummy;
	if (!hint)
		hint = &dummy;
	*why = NULL;
	*hint = NULL;
	memset(ep, 0, sizeof(*ep));
	ep->family = AF_UNSPEC;

	if (!n) {
		*why = "empty endpoint";
		return -EINVAL;
	}
	if (!strcmp(s, "*"))
		return 0;
	if (s[0] == ':' && s[1] != ':')
		return parse_port(s + 1, n - 1, ep, why);
	if (s[0] == '*' && s[1] == ':')
		return parse_port(s + 2, n - 2, ep, why);

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		const char *rest;
		size_t inner;
		int err;

		if (!close) {
			*why = "missing ']' after the IPv6 address";
			return -EINVAL;
		}
		inner = close - s - 1;
		rest = close + 1;
		/* "[addr]/len" or "[addr/len]" */
		if (rest[0] == '/') {
			const char *pc = strchr(rest, ':');
			size_t tail = pc ? (size_t)(pc - rest) : strlen(rest);
			char *tmp = ap_xasprintf("%.*s%.*s", (int)inner, s + 1,
						 (int)tail, rest);

			err = parse_addr(tmp, strlen(tmp), AF_INET6, ep, why,
					 hint);
			free(tmp);
			rest += tail;
		} else {
			err = parse_addr(s + 1, inner, AF_INET6, ep, why, hint);
		}
		if (err)
			return err;
		if (!rest[0])
			return 0;
		if (rest[0] != ':') {
			*why = "unexpected text after ']' (expected ':PORT')";
			return -EINVAL;
		}
		return parse_port(rest + 1, strlen(rest + 1), ep, why);
	}

	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':')) {
		/* two or more colons: a bare IPv6 address, no port */
		int err = parse_addr(s, n, AF_INET6, ep, why, hint);

		if (err && !*hint)
			*hint = "to add a port to an IPv6 address write "
				"\"[2001:db8::1]:443\"";
		return err;
	}

	/* IPv4, optionally with ":port" */
	{
		size_t alen = colon ? (size_t)(colon - s) : n;
		int err;

		if (alen && s[alen - 1] == '.') {
			if (parse_dotted_prefix(s, alen, ep)) {
				if (looks_like_hostname(s, alen)) {
					*why = "hostnames are not supported in endpoint patterns";
					*hint = hostname_hint;
				} else {
					*why = "invalid address prefix (expected \"10.\", \"10.0.\" or \"10.0.0.\")";
				}
				return -EINVAL;
			}
		} else {
			err = parse_addr(s, alen, AF_INET, ep, why, hint);
			if (err)
				return err;
		}
		if (colon)
			return parse_port(colon + 1, n - alen - 1, ep, why);
	}
	return 0;
}

bool ap_endpoint_match(const struct ap_endpoint *ep, int family,
		       const void *addr, uint16_t port)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
					      0, 0, 0xff, 0xff };
	const uint8_t *a = addr;

	/* the module stores an IPv4-mapped IPv6 address as IPv4 */
	if (family == AF_INET6 && !memcmp(a, v4mapped, sizeof(v4mapped))) {
		family = AF_INET;
		a += 12;
	}
	return apm_ep_match(ep->family == AF_UNSPEC ? 0 : (unsigned)ep->family,
			    ep->addr, ep->prefix_len, ep->port, (unsigned)family,
			    a, port);
}

int ap_endpoint_format(const struct ap_endpoint *ep, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "";
	char pfx[8] = "", port[8] = "";
	bool full = ep->prefix_len == (ep->family == AF_INET ? 32 : 128);

	if (ep->family == AF_UNSPEC) {
		if (ep->port)
			return snprintf(buf, len, ":%u", ep->port);
		return snprintf(buf, len, "*");
	}
	inet_ntop(ep->family, ep->addr, a, sizeof(a));
	if (!full)
		snprintf(pfx, sizeof(pfx), "/%u", ep->prefix_len);
	if (ep->port)
		snprintf(port, sizeof(port), ":%u", ep->port);
	if (ep->family == AF_INET6 && ep->port)
		return snprintf(buf, len, "[%s]%s%s", a, pfx, port);
	return snprintf(buf, len, "%s%s%s", a, pfx, port);
}
