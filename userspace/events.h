/* SPDX-License-Identifier: GPL-2.0-only */
/* Violation events from the module's "events" multicast group. */
#ifndef ACTPLANE_EVENTS_H
#define ACTPLANE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <uapi/actplane.h>
#include "violations.h"

#define AP_EV_MAX_ARGS	40
#define AP_EV_MAX_PROV	64
#define AP_EV_MAX_CHAINS 8

/* A provenance chain as the module sends it (ACTPLANE_A_CHAIN, ACTPLANE_EV_CHAIN). */
struct ap_chain {
	char *label;
	struct ap_hop hops[ACTPLANE_CHAIN_HOPS];	/* name, comm, time, rule: allocated */
	size_t n_hops;
	unsigned int more;
	const char *end;			/* "origin", "unrecorded", "too-long" */
};

struct nlattr;
/* Parse a chain nest; 0 or -EINVAL.  ap_chain_release() it either way. */
int ap_chain_parse(struct nlattr *nest, struct ap_chain *c);
void ap_chain_release(struct ap_chain *c);
/* @c as the provenance entry of label @c->label (borrowing its strings) */
void ap_chain_view(const struct ap_chain *c, struct ap_provenance *p);

struct ap_event_rec {
	uint64_t seq, time_ns;
	unsigned int pid, ppid, uid, session, op, proposed, effect;
	unsigned int rule_session;		/* the rule is of this session's policy (0: the machine's) */
	uint64_t session_seq;			/* number within the session (0: none) */
	uint32_t chain[ACTPLANE_SESSION_DEPTH_MAX];	/* session, then those it is nested in */
	int nchain;
	bool blocked, killed;
	char comm[32], exe[4096], target[4096], rule[256], because[4096], enforcer[64];
	int argc;
	char *argv[AP_EV_MAX_ARGS];
	int nlabels;
	char *labels[64];
	int nprov;
	struct { char *label, *from; } prov[AP_EV_MAX_PROV];
	int nchains;
	struct ap_chain chains[AP_EV_MAX_CHAINS];
};

struct ap_events;
typedef void (*ap_event_fn)(const struct ap_event_rec *ev, uint64_t lost, void *arg);

/* Subscribe (needs CAP_NET_ADMIN).  NULL with a message on failure. */
struct ap_events *ap_events_open(char *err, size_t errlen);
/*
 * Subscribe to the records of the sessions this user created without
 * privileges (the "session" group; anyone).  Lost counts only the gaps
 * of the session given to ap_events_track() (none before).
 */
struct ap_events *ap_events_open_own(char *err, size_t errlen);
void ap_events_track(struct ap_events *e, unsigned int session);
/* Is @ev about @session or a session nested in it? */
bool ap_event_in_session(const struct ap_event_rec *ev, unsigned int session);
int ap_events_fd(const struct ap_events *e);
/* Read what is pending and call fn per event (lost = events missed before it). */
int ap_events_dispatch(struct ap_events *e, ap_event_fn fn, void *arg);
void ap_events_close(struct ap_events *e);

const char *ap_op_str(unsigned int op);
/* provenance entry @i of @ev, with its chain if the module sent one (strings borrowed) */
void ap_event_prov(const struct ap_event_rec *ev, int i, struct ap_provenance *p);
void ap_event_print_text(FILE *f, const struct ap_event_rec *ev);
void ap_event_print_json(FILE *f, const struct ap_event_rec *ev);
void ap_event_print_oneline(FILE *f, const struct ap_event_rec *ev);

#endif
