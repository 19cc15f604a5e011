// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane watch`: violation events as they happen, as text, one line each
 * (--oneline) or JSON lines (--json), optionally filtered by rule, session
 * and process.  Arguments are checked before the module is contacted.
 */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "common.h"
#include "events.h"

/* ---- actplane watch ---- */

static volatile sig_atomic_t watch_stop;

static void watch_sig(int sig)
{
	watch_stop = 1;
}

#define AP_WATCH_MAX_FILTER 16

enum watch_format { WATCH_TEXT, WATCH_JSON, WATCH_ONELINE };

/*
 * What `watch` shows.  Values of one filter are alternatives (--rule a
 * --rule b: either rule); different filters must all match.
 */
struct ap_watch_filter {
	const char *rules[AP_WATCH_MAX_FILTER];
	unsigned int sessions[AP_WATCH_MAX_FILTER], pids[AP_WATCH_MAX_FILTER];
	int n_rules, n_sessions, n_pids;
};

struct watch_ctx {
	enum watch_format format;
	long count;
	struct ap_watch_filter filter;
};

static bool in_u32(const unsigned int *v, int n, unsigned int x)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return !n;
}

static bool watch_match(const struct ap_watch_filter *f, const struct ap_event_rec *ev)
{
	int i;
	bool rule = !f->n_rules;

	for (i = 0; i < f->n_rules; i++)
		if (!strcmp(f->rules[i], ev->rule))
			rule = true;
	return rule && in_u32(f->sessions, f->n_sessions, ev->session) &&
	       in_u32(f->pids, f->n_pids, ev->pid);
}

static void watch_print(const struct ap_event_rec *ev, uint64_t lost, void *arg)
{
	struct watch_ctx *w = arg;

	/* loss is reported whatever the filters: the lost events might have matched */
	if (lost)
		fprintf(w->format == WATCH_TEXT ? stdout : stderr,
			"actplane: %llu event(s) lost before seq %llu\n",
			(unsigned long long)lost, (unsigned long long)ev->seq);
	if (!watch_match(&w->filter, ev))
		return;
	if (w->format == WATCH_JSON)
		ap_event_print_json(stdout, ev);
	else if (w->format == WATCH_ONELINE)
		ap_event_print_oneline(stdout, ev);
	else
		ap_event_print_text(stdout, ev);
	fflush(stdout);
	if (w->count > 0)
		w->count--;
}

static const struct ap_opt watch_opts[] = {
	{ "json", 'j', NULL, NULL, "one JSON object per line (schema in docs/cli.md)" },
	{ "oneline", '1', NULL, NULL, "one line per event: time effect op rule target pid\n"
				      "session comm" },
	{ "count", 'n', "N", NULL, "stop after N events (counting only those shown)" },
	{ "rule", 'r', "NAME", NULL, "only events of rule NAME" },
	{ "session", 's', "ID", NULL, "only events of processes in session ID" },
	{ "pid", 'p', "PID", NULL, "only events of process PID" },
	{ NULL }
};

AP_COMMAND(cmd_watch, .name = "watch", .order = 90,
	   .args = "[--json | --oneline] [filters]", .help = "print violation events as they happen",
	   .usage = "Usage: actplane watch [--json | --oneline] [--count N] [--rule NAME]...\n"
		    "                      [--session ID]... [--pid PID]...\n"
		    "\n"
		    "Print violation events as the module reports them, until interrupted or\n"
		    "until N events were printed.  Gaps in the sequence numbers are reported\n"
		    "as lost events (on stderr with --json and --oneline).  As root (with\n"
		    "CAP_NET_ADMIN): every event.  As a user: only the events of the sessions\n"
		    "you started without root (no lost-event count then).\n",
	   .opts = watch_opts,
	   .more = "A filter given several times matches any of its values; different filters\n"
		   "must all match.\n");

/* Parse watch's arguments; -1 to go on, else the exit status. */
static int watch_parse(int argc, char **argv, struct watch_ctx *w)
{
	struct ap_watch_filter *f = &w->filter;
	uint64_t v;
	int c, pid;

	while ((c = ap_getopt(&cmd_watch_cmd, argc, argv)) > 0) {
		switch (c) {
		case 'j':
		case '1':
			if (w->format != WATCH_TEXT && w->format != (c == 'j' ? WATCH_JSON : WATCH_ONELINE))
				return ap_usage_error("watch", "--json and --oneline exclude each other");
			w->format = c == 'j' ? WATCH_JSON : WATCH_ONELINE;
			break;
		case 'n':
			if (ap_parse_uint(optarg, 1, 1000000000, &v))
				return ap_usage_error("watch", "--count takes a number of events "
						      "(1 or more), not '%s'", optarg);
			w->count = (long)v;
			break;
		case 'r':
			if (f->n_rules >= AP_WATCH_MAX_FILTER)
				return ap_usage_error("watch", "at most %d --rule filters",
						      AP_WATCH_MAX_FILTER);
			if (!*optarg)
				return ap_usage_error("watch", "--rule needs a rule name");
			f->rules[f->n_rules++] = optarg;
			break;
		case 's':
			if (f->n_sessions >= AP_WATCH_MAX_FILTER)
				return ap_usage_error("watch", "at most %d --session filters",
						      AP_WATCH_MAX_FILTER);
			if (ap_parse_uint(optarg, 1, 0xffffffffu, &v))
				return ap_usage_error("watch", "--session takes a session id "
						      "(a number from 1), not '%s'", optarg);
			f->sessions[f->n_sessions++] = (unsigned int)v;
			break;
		case 'p':
			if (f->n_pids >= AP_WATCH_MAX_FILTER)
				return ap_usage_error("watch", "at most %d --pid filters",
						      AP_WATCH_MAX_FILTER);
			if (ap_parse_pid_arg("watch", optarg, &pid))
				return AP_EXIT_USAGE;
			f->pids[f->n_pids++] = (unsigned int)pid;
			break;
		}
	}
	if (c < 0)
		return ap_opt_exit(c);
	return ap_no_operands(&cmd_watch_cmd, argc, argv) ?: -1;
}

static int cmd_watch(int argc, char **argv)
{
	struct watch_ctx w = { .count = -1 };
	struct ap_events *e;
	struct pollfd pfd;
	char err[256];
	int ret = watch_parse(argc, argv, &w);

	if (ret >= 0)
		return ret;
	/* without root: the records of the sessions you started without root */
	e = ap_is_root() ? ap_events_open(err, sizeof(err)) : ap_events_open_own(err, sizeof(err));
	if (!e) {
		ap_err("%s", err);
		return 1;
	}
	signal(SIGINT, watch_sig);
	signal(SIGTERM, watch_sig);
	/* subscribed from here on: scripts may wait for this line */
	fprintf(stderr, "actplane: watching for violations%s (Ctrl-C to stop)\n",
		ap_is_root() ? "" : " in your sessions");
	pfd.fd = ap_events_fd(e);
	pfd.events = POLLIN;
	while (!watch_stop && w.count != 0) {
		if (poll(&pfd, 1, 500) > 0 && ap_events_dispatch(e, watch_print, &w) < 0)
			break;
	}
	ap_events_close(e);
	return 0;
}
