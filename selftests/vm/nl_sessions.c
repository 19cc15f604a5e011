// SPDX-License-Identifier: GPL-2.0-only
/*
 * Many sessions are all listed.  STATUS used to carry the session list in
 * one 32 KiB message and left out what did not fit (about 900 sessions);
 * SESSION_DUMP sends them in as many parts as it takes.
 *
 *   nl_sessions N [SHELL-COMMAND]
 *
 * Forks N idle children, roots a session at each (SESSION_CREATE, label
 * "agent"), checks that SESSION_DUMP lists every one of them, runs
 * SHELL-COMMAND (if given) with AP_SESSIONS=N in its environment while they
 * live (its exit status is a test), then kills them and checks that their
 * sessions are gone.  Prints TAP lines.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "nl.h"
#include "harness.h"

struct seen {
	pid_t *pids;
	int n, found;
	int total;
};

static int put_session(struct nl_msg *msg, void *arg)
{
	struct nlattr *labels;

	if (nla_put_u32(msg, ACTPLANE_A_PID, (uint32_t)*(pid_t *)arg))
		return -EMSGSIZE;
	labels = nla_nest_start(msg, ACTPLANE_A_LABELS);
	if (!labels || nla_put_string(msg, ACTPLANE_A_LABEL, "agent"))
		return -EMSGSIZE;
	nla_nest_end(msg, labels);
	return 0;
}

/* One SESSION_DUMP message: count it, and whether its root is one of ours. */
static int count_session(struct nlattr **tb, void *arg)
{
	struct seen *s = arg;
	struct nlattr *a;
	int rem, i;

	if (!tb[ACTPLANE_A_SESSION_INFO])
		return 0;
	s->total++;
	nla_for_each_nested(a, tb[ACTPLANE_A_SESSION_INFO], rem) {
		if (nla_type(a) != ACTPLANE_SESSION_A_ROOT || nla_len(a) != 4)
			continue;
		for (i = 0; i < s->n; i++)
			if (s->pids[i] == (pid_t)nla_get_u32(a))
				s->found++;
	}
	return 0;
}

static int dump(struct ap_nl *nl, struct seen *s)
{
	s->found = s->total = 0;
	return ap_nl_dump(nl, ACTPLANE_CMD_SESSION_DUMP, NULL, count_session, s);
}

int main(int argc, char **argv)
{
	struct seen s = {};
	struct ap_nl *nl;
	char err[256], num[32];
	int n, i, ret, created = 0, rc;

	n = argc > 1 ? atoi(argv[1]) : 0;
	if (n <= 0) {
		fprintf(stderr, "usage: nl_sessions N [SHELL-COMMAND]\n");
		return 2;
	}
	nl = ap_nl_open(err, sizeof(err));
	if (!nl) {
		ktap_result(0, "sessions: open the family", "%s", err);
		return ktap_exit();
	}
	s.pids = calloc((size_t)n, sizeof(pid_t));
	if (!s.pids)
		return 2;
	for (i = 0; i < n; i++) {
		s.pids[i] = fork();
		if (s.pids[i] < 0) {
			ktap_result(0, "sessions: fork the roots", "fork %d: %s", i, strerror(errno));
			n = i;
			break;
		}
		if (!s.pids[i]) {
			for (;;)
				pause();
		}
		s.n = i + 1;
		ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_CREATE, put_session, NULL, &s.pids[i]);
		if (ret && created == i)
			printf("# session create for root %d: %d \"%s\"\n", s.pids[i], ret,
			       ap_nl_errmsg(nl));
		created += !ret;
	}
	ktap_result(created == n, "sessions: every root gets a session", "%d of %d created",
		    created, n);

	ret = dump(nl, &s);
	ktap_result(ret == 0 && s.found == n, "sessions: SESSION_DUMP lists every session",
		    "dump %d \"%s\": %d of our %d sessions listed (%d in all)", ret,
		    ap_nl_errmsg(nl), s.found, n, s.total);
	printf("# %d sessions listed\n", s.total);

	if (argc > 2) {
		snprintf(num, sizeof(num), "%d", n);
		setenv("AP_SESSIONS", num, 1);
		rc = system(argv[2]);
		ktap_result(rc == 0, "sessions: the command sees every session", "%s exited %d",
			    argv[2], rc);
	}

	for (i = 0; i < n; i++)
		kill(s.pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(s.pids[i], NULL, 0);
	for (i = 0; i < 100; i++) {	/* sessions end as their last process is freed */
		ret = dump(nl, &s);
		if (ret || !s.found)
			break;
		usleep(100 * 1000);
	}
	ktap_result(ret == 0 && s.found == 0, "sessions: gone with their processes",
		    "dump %d: %d of ours still listed", ret, s.found);
	ap_nl_close(nl);
	free(s.pids);
	return ktap_exit();
}
