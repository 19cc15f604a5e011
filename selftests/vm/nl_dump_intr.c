// SPDX-License-Identifier: GPL-2.0-only
/*
 * A policy reload between two parts of a POLICY_DUMP is flagged, never
 * mixed into the answer.
 *
 *   nl_dump_intr SHELL-COMMAND
 *
 * With a policy loaded that takes several dump parts (thousands of rules):
 * asks for POLICY_DUMP on a raw socket, reads the first part, runs
 * SHELL-COMMAND (which reloads a policy), then reads the rest.  The kernel
 * fills a part when the reader has room, so the parts after the reload are
 * built from the new generation: some message up to NLMSG_DONE must carry
 * NLM_F_DUMP_INTR, every rule message must name the generation the dump
 * began with, and the dump must end with NLMSG_DONE.  Prints TAP lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "nl.h"
#include "harness.h"

/* The ACTPLANE_A_GENERATION of one POLICY_DUMP message, 0 if none. */
static uint64_t generation_of(struct nlmsghdr *nlh)
{
	int len = (int)nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	uint64_t g = 0;

	while (len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == ACTPLANE_A_GENERATION &&
		    a->nla_len == NLA_HDRLEN + 8)
			memcpy(&g, (char *)a + NLA_HDRLEN, 8);
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	return g;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		       .nlmsg_seq = 1 },
		.g = { .cmd = ACTPLANE_CMD_POLICY_DUMP, .version = ACTPLANE_GENL_VERSION },
	};
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct ap_nl *nl;
	char err[256];
	int fd, parts = 0, rules = 0, before = 0, intr = 0, done = 0, mixed = 0, rc = -1;
	uint64_t gen = 0, g;
	ssize_t r;

	if (argc != 2) {
		fprintf(stderr, "usage: nl_dump_intr SHELL-COMMAND\n");
		return 2;
	}
	nl = ap_nl_open(err, sizeof(err));
	if (!nl) {
		ktap_result(0, "dump across a reload: open the family", "%s", err);
		return ktap_exit();
	}
	req.h.nlmsg_type = (uint16_t)ap_nl_family(nl);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		ktap_result(0, "dump across a reload: send POLICY_DUMP", "%s", strerror(errno));
		return ktap_exit();
	}
	while (!done && (r = recv(fd, buf, sizeof(buf), 0)) > 0) {
		struct nlmsghdr *nlh;
		int rem = (int)r;

		parts++;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
				done = nlh->nlmsg_type == NLMSG_DONE ? 1 : -1;
				break;
			}
			rules++;
			g = generation_of(nlh);
			if (!gen)
				gen = g;
			else if (g != gen)
				mixed++;
		}
		if (parts == 1 && !done) {
			before = rules;
			rc = system(argv[1]);
		}
	}
	printf("# %d rules in %d parts, %d before the reload (generation %llu)\n", rules, parts,
	       before, (unsigned long long)gen);
	ktap_result(rc == 0, "dump across a reload: the reload ran in the middle",
		    "%s: %d (the dump fit in %d part(s))", argv[1], rc, parts);
	ktap_result(done == 1, "dump across a reload: ends with NLMSG_DONE", "got %d", done);
	ktap_result(intr, "dump across a reload: flagged NLM_F_DUMP_INTR", "%d rules, no flag", rules);
	ktap_result(!mixed, "dump across a reload: no rule of another generation",
		    "%d of %d rules from another generation", mixed, rules);
	close(fd);
	ap_nl_close(nl);
	return ktap_exit();
}
