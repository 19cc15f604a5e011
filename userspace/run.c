// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane run [--policy F] [--domain D] [--enforcer E] [--log FILE] -- CMD ARGS...`
 *
 * Run an agent as an ActPlane session:
 *   1. as root: make sure the module is loaded and the hooks are up, compile
 *      and load the policy (the workspace is the policy file's directory);
 *   2. start CMD stopped on a pipe, create a session rooted at it with the
 *      policy's session-root labels, then let it go: it drops to the invoking
 *      user (SUDO_UID/SUDO_GID and that user's groups) and execs CMD;
 *   3. while it runs, print each of the session's violations on stderr (or
 *      --log), append it to <workspace>/.actplane/violations.jsonl and rewrite
 *      the feedback file the agent reads; forward signals;
 *   4. exit with CMD's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netlink/genl/genl.h>
#include "cmd.h"
#include "common.h"
#include "events.h"
#include "load.h"
#include "nl.h"
#include "violations.h"
#include "policy/policy.h"

struct run_ctx {
	unsigned int session;
	const char *workspace;
	const char *feedback;		/* feedback file path */
	FILE *log;
	long violations;
};

/* Load the module if its family is missing: modprobe, else the build tree's .ko. */
static int ensure_module(const char *self)
{
	char err[256], ko[PATH_MAX], *slash;
	struct ap_nl *nl = ap_nl_open(err, sizeof(err));

	if (nl) {
		ap_nl_close(nl);
		return 0;
	}
	if (system("modprobe actplane 2>/dev/null") == 0)
		return 0;
	/* next to the tool: build/actplane -> kmod/actplane.ko */
	snprintf(ko, sizeof(ko), "%s", self);
	slash = strrchr(ko, '/');
	if (slash) {
		char cmd[PATH_MAX + 32];

		snprintf(slash, sizeof(ko) - (size_t)(slash - ko), "/../kmod/actplane.ko");
		if (!access(ko, R_OK)) {
			snprintf(cmd, sizeof(cmd), "insmod '%s'", ko);
			if (system(cmd) == 0)
				return 0;
		}
	}
	ap_err("cannot load the actplane module (tried modprobe and %s); see 'actplane doctor'", ko);
	return -1;
}

static void on_event(const struct ap_event_rec *ev, uint64_t lost, void *arg)
{
	struct run_ctx *r = arg;
	static const char *const eff[] = { "none", "notify", "block", "kill" };
	struct ap_provenance prov[AP_EV_MAX_PROV];
	struct ap_violation v = {};
	char ts[64];
	time_t secs;
	struct tm tm;
	int i;

	if (lost)
		fprintf(r->log, "actplane: %llu event(s) lost (receive buffer overrun)\n",
			(unsigned long long)lost);
	if (ev->session != r->session)
		return;		/* another session's business */
	secs = (time_t)(ev->time_ns / 1000000000ULL);
	gmtime_r(&secs, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (i = 0; i < ev->nprov; i++) {
		prov[i].label = ev->prov[i].label;
		prov[i].from = ev->prov[i].from;
	}
	v.seq = ev->seq;
	v.time = ts;
	v.pid = (int)ev->pid;
	v.ppid = (int)ev->ppid;
	v.uid = (int)ev->uid;
	v.comm = ev->comm;
	v.exe = ev->exe;
	v.session = ev->session;
	v.op = ap_op_str(ev->op);
	v.target = ev->target;
	v.argv = ev->argc ? (const char **)ev->argv : NULL;
	v.argc = (size_t)ev->argc;
	v.rule = ev->rule;
	v.effect = ev->effect < 4 ? eff[ev->effect] : "?";
	v.proposed = ev->proposed < 4 ? eff[ev->proposed] : "?";
	v.blocked = ev->blocked;
	v.killed = ev->killed;
	v.labels = (const char **)ev->labels;
	v.n_labels = (size_t)ev->nlabels;
	v.provenance = prov;
	v.n_provenance = (size_t)ev->nprov;
	v.because = ev->because;
	v.enforcer = ev->enforcer;

	ap_violation_format_text(&v, r->log);
	fflush(r->log);
	if (ap_violations_append(r->workspace, &v))
		ap_err("cannot append to %s/.actplane/violations.jsonl", r->workspace);
	if (ap_last_violation_write(r->feedback, &v))
		ap_err("cannot write %s", r->feedback);
	r->violations++;
}

struct session_req {
	int pid;
	char **labels;
	int nlabels;
	unsigned int id;
};

static int put_session(struct nl_msg *msg, void *arg)
{
	struct session_req *s = arg;
	struct nlattr *n;
	int i;

	if (nla_put_u32(msg, ACTPLANE_A_PID, (uint32_t)s->pid))
		return -EMSGSIZE;
	if (!s->nlabels)
		return 0;
	n = nla_nest_start(msg, ACTPLANE_A_LABELS);
	for (i = 0; n && i < s->nlabels; i++)
		if (nla_put_string(msg, ACTPLANE_A_LABEL, s->labels[i]))
			return -EMSGSIZE;
	nla_nest_end(msg, n);
	return 0;
}

static int parse_session(struct nlattr **tb, void *arg)
{
	struct session_req *s = arg;

	if (tb[ACTPLANE_A_SESSION])
		s->id = nla_get_u32(tb[ACTPLANE_A_SESSION]);
	return 0;
}

/* Drop to the user who invoked sudo (with their groups), if any. */
static int drop_privileges(void)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (!u || !g)
		return 0;	/* really root: stay root */
	uid = (uid_t)strtoul(u, NULL, 10);
	gid = (gid_t)strtoul(g, NULL, 10);
	pw = getpwuid(uid);
	if (pw ? initgroups(pw->pw_name, gid) : setgroups(0, NULL))
		return -1;
	if (setgid(gid) || setuid(uid))
		return -1;
	if (pw) {
		setenv("HOME", pw->pw_dir, 1);
		setenv("USER", pw->pw_name, 1);
		setenv("LOGNAME", pw->pw_name, 1);
	}
	return 0;
}

static int parse_enforcer(struct nlattr **tb, void *arg)
{
	if (tb[ACTPLANE_A_ENFORCER])
		snprintf(arg, 32, "%s", nla_get_string(tb[ACTPLANE_A_ENFORCER]));
	return 0;
}

/*
 * Without --enforcer, run keeps the attached enforcer.  A dry-run (audit)
 * enforcer left from an earlier `run --enforcer audit` would silently
 * enforce nothing: say so.
 */
static void warn_if_audit(void)
{
	char err[256], name[32] = "";
	struct ap_nl *nl = ap_nl_open(err, sizeof(err));

	if (!nl)
		return;
	if (!ap_nl_call(nl, ACTPLANE_CMD_STATUS, NULL, parse_enforcer, name) && !strcmp(name, "audit"))
		fprintf(stderr, "actplane run: the 'audit' enforcer is attached: violations are reported, "
			"nothing is blocked (use --enforcer enforce)\n");
	ap_nl_close(nl);
}

static void run_usage(FILE *f)
{
	fprintf(f, "usage: actplane run [--policy F] [--domain D] [--enforcer enforce|audit]\n"
		"                    [--log FILE] -- CMD [ARGS...]\n"
		"Run CMD (your agent) as an ActPlane session under the workspace's policy.\n"
		"Needs root (run it with sudo: CMD then runs as you, with your groups).\n"
		"Violations are printed on stderr (or --log FILE), appended to\n"
		".actplane/violations.jsonl and written to the feedback file the agent reads.\n"
		"Exits with CMD's exit status.\n"
		"--enforcer E attaches E; without it the attached enforcer stays ('enforce'\n"
		"if none), and run warns when that is the dry-run 'audit'.\n");
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "domain", required_argument, NULL, 'd' },
		{ "enforcer", required_argument, NULL, 'e' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *file = NULL, *domain = NULL, *enforcer = NULL, *logpath = NULL;
	char path[PATH_MAX], fb[PATH_MAX], self[PATH_MAX], err[256];
	struct session_req sreq = {};
	struct run_ctx r = { .log = stderr };
	struct ap_events *events;
	struct ap_policy *p;
	struct ap_nl *nl;
	sigset_t mask;
	struct pollfd pfd[2];
	int go[2], c, status = 0, sfd, ret;
	char **cmdv;
	size_t i;
	pid_t child;

	while ((c = getopt_long(argc, argv, "+p:d:e:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': file = optarg; break;
		case 'd': domain = optarg; break;
		case 'e': enforcer = optarg; break;
		case 'l': logpath = optarg; break;
		case 'h': run_usage(stdout); return 0;
		default: run_usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		run_usage(stderr);
		return 2;
	}
	cmdv = argv + optind;	/* getopt is reused below (cmd_up) */
	if (!ap_is_root()) {
		ap_err("run needs root to load the module, attach the BPF programs and start a session;\n"
		       "  run it as: sudo actplane run %s-- %s ...\n"
		       "  (the agent itself then runs as you, not as root)",
		       file ? "--policy F " : "", cmdv[0]);
		return 1;
	}
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		snprintf(self, sizeof(self), "actplane");
	else
		self[sizeof(self) - 1] = 0;
	p = ap_compile_policy(file, domain, path, sizeof(path));
	if (!p)
		return 1;
	if (ensure_module(self)) {
		ap_policy_free(p);
		return 1;
	}
	{
		char *up_argv[] = { "up", "--enforcer", (char *)(enforcer ? enforcer : "enforce"), NULL };
		char *up_plain[] = { "up", NULL };
		int saved = dup(1);

		/* quiet: up prints a line on stdout */
		if (saved >= 0) {
			int nul = open("/dev/null", O_WRONLY);

			dup2(nul, 1);
			close(nul);
		}
		optind = 0;
		ret = enforcer ? cmd_up(3, up_argv) : cmd_up(1, up_plain);
		fflush(stdout);
		if (saved >= 0) {
			dup2(saved, 1);
			close(saved);
		}
		if (ret) {
			ap_policy_free(p);
			return 1;
		}
	}
	if (!enforcer)
		warn_if_audit();
	if (ap_load_policy(p, path)) {
		ap_policy_free(p);
		return 1;
	}
	r.workspace = p->base_dir;
	if (p->feedback_path)
		snprintf(fb, sizeof(fb), "%s", p->feedback_path);
	else
		ap_last_violation_path(r.workspace, fb, sizeof(fb));
	r.feedback = fb;
	if (logpath) {
		r.log = fopen(logpath, "a");
		if (!r.log) {
			ap_err("%s: %s", logpath, strerror(errno));
			return 1;
		}
	}
	ap_state_dir_ensure(r.workspace);
	ap_feedback_mark_delivered(r.workspace);	/* earlier sessions' violations are old news */

	/* session-root labels: sources on `exec "**"` */
	sreq.labels = calloc(p->n_sources + 1, sizeof(char *));
	for (i = 0; sreq.labels && i < p->n_sources; i++)
		if (p->sources[i].session_root)
			sreq.labels[sreq.nlabels++] = p->labels[p->sources[i].label].name;

	events = ap_events_open(err, sizeof(err));
	if (!events) {
		ap_err("%s", err);
		return 1;
	}
	if (pipe2(go, O_CLOEXEC))
		return 1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	child = fork();
	if (child < 0) {
		ap_err("fork: %s", strerror(errno));
		return 1;
	}
	if (child == 0) {
		char b;

		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(127);	/* the session could not be created */
		if (drop_privileges()) {
			fprintf(stderr, "actplane: cannot drop privileges: %s\n", strerror(errno));
			_exit(127);
		}
		execvp(cmdv[0], cmdv);
		fprintf(stderr, "actplane: %s: %s\n", cmdv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(go[0]);
	sreq.pid = child;
	nl = ap_nl_open(err, sizeof(err));
	ret = nl ? ap_nl_call(nl, ACTPLANE_CMD_SESSION_CREATE, put_session, parse_session, &sreq)
		 : -ENOENT;
	if (ret) {
		if (nl)
			ap_nl_perror(nl, "session create", ret);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return 1;
	}
	ap_nl_close(nl);
	r.session = sreq.id;
	fprintf(r.log, "actplane: session %u: %s (policy %s, %zu rule%s)\n", r.session,
		cmdv[0], path, p->n_rules, p->n_rules == 1 ? "" : "s");
	fflush(r.log);
	if (write(go[1], "g", 1) != 1)
		return 1;
	close(go[1]);

	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	pfd[0].fd = ap_events_fd(events);
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	for (;;) {
		struct signalfd_siginfo si;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			ap_events_dispatch(events, on_event, &r);
		if (!(pfd[1].revents && read(sfd, &si, sizeof(si)) == sizeof(si)))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			kill(child, (int)si.ssi_signo);	/* forward */
			continue;
		}
		if (waitpid(child, &status, WNOHANG) == child)
			break;
	}
	/* events raised just before the exit */
	pfd[0].revents = 0;
	while (poll(pfd, 1, 100) > 0)
		ap_events_dispatch(events, on_event, &r);
	ap_events_close(events);
	if (r.violations)
		fprintf(r.log, "actplane: session %u ended: %ld violation%s (see %s)\n", r.session,
			r.violations, r.violations == 1 ? "" : "s", fb);
	if (r.log != stderr)
		fclose(r.log);
	free(sreq.labels);
	ap_policy_free(p);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
