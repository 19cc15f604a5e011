/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Netlink client for the "actplane" generic netlink family: one
 * request/response path used by every command.  Errors come back as a
 * negative errno plus the kernel's extended-ACK text, if any.
 */
#ifndef ACTPLANE_NL_H
#define ACTPLANE_NL_H

#include <stddef.h>
#include <stdint.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <uapi/actplane.h>

struct ap_nl;

/* Build the request: add attributes to msg.  Return 0 or negative errno. */
typedef int (*ap_nl_put_fn)(struct nl_msg *msg, void *arg);
/* Handle one reply; tb is indexed by enum actplane_attr. */
typedef int (*ap_nl_parse_fn)(struct nlattr **tb, void *arg);

/*
 * Connect and resolve the family.  On failure returns NULL and leaves a
 * human-readable reason in err (e.g. the module is not loaded).
 */
struct ap_nl *ap_nl_open(char *err, size_t errlen);
void ap_nl_close(struct ap_nl *nl);

/* Send cmd and wait for the reply/ACK.  Returns 0 or a negative errno. */
int ap_nl_call(struct ap_nl *nl, uint8_t cmd, ap_nl_put_fn put, ap_nl_parse_fn parse, void *arg);

/*
 * Dump cmd (NLM_F_DUMP): parse gets every message of the answer, however
 * many parts the module sends.  Returns 0 or a negative errno, with the
 * ext-ACK text from the error or from the NLMSG_DONE that ends the dump;
 * -EINTR if the module flagged a part NLM_F_DUMP_INTR (what is dumped
 * changed during the dump): the caller drops what it got and may ask again.
 */
int ap_nl_dump(struct ap_nl *nl, uint8_t cmd, ap_nl_put_fn put, ap_nl_parse_fn parse, void *arg);

/* Extended-ACK message of the last failed call ("" if none). */
const char *ap_nl_errmsg(const struct ap_nl *nl);

/* Print "actplane: WHAT: strerror[: ext-ack]" for a failed call. */
void ap_nl_perror(const struct ap_nl *nl, const char *what, int err);

/* Send a raw, pre-built message (tests use this for malformed requests). */
int ap_nl_call_raw(struct ap_nl *nl, struct nl_msg *msg, ap_nl_parse_fn parse, void *arg);
int ap_nl_family(const struct ap_nl *nl);

/*
 * ap_nl_open() for a command: on failure the reason is printed
 * ("actplane: the actplane kernel module is not loaded ...") and NULL
 * returned; the command then exits 1.
 */
struct ap_nl *ap_nl_connect(void);

#endif
