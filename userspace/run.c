// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane run [--policy F] [--domain D] [--enforcer E] [--log FILE] -- CMD ARGS...`
 *
 * Run an agent as an ActPlane session:
 *   1. start the workspace helper (run_helper.c): a child running as the
 *      invoking user (SUDO_UID/SUDO_GID and that user's groups) that does
 *      every file-system access on the user's behalf — root never opens a
 *      path in the agent's workspace;
 *   2. as root: make sure the module is loaded and the hooks are up, compile
 *      the policy the helper opened and load it (the workspace is the policy
 *      file's directory);
 *   3. start CMD waiting for a signal (no data: a pipe would carry the
 *      runner's labels), create a session rooted at it with exactly the
 *      policy's session-root labels, then let it go: it drops to the invoking
 *      user and execs CMD;
 *   4. while it runs, print each of the session's violations on stderr (or
 *      --log) and hand it to the helper, which appends it to
 *      <workspace>/.actplane/violations.jsonl and rewrites the feedback file
 *      the agent reads; forward signals;
 *   5. exit with CMD's status.
 * Without root (run_user()): no helper drop, no load.  The agent's own
 * process creates its session (no_new_privs; the module checks the caller
 * may) and stops until the runner has found it.  The session runs under
 * the machine's policy, plus the workspace policy as the session's own
 * policy unless it is the loaded one (digest).  Its records come on the
 * "session" group.
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
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netlink/genl/genl.h>
#include "args.h"
#include "cmd.h"
#include "common.h"
#include "escape.h"
#include "events.h"
#include "load.h"
#include "nl.h"
#include "run_helper.h"
#include "up.h"
#include "violations.h"
#include "policy/policy.h"

struct run_ctx {
	unsigned int session;
	struct ap_helper helper;	/* writes the workspace files */
	FILE *log;
	long violations;
};

static void on_event(const struct ap_event_rec *ev, uint64_t lost, void *arg)
{
	struct run_ctx *r = arg;
	struct ap_provenance prov[AP_EV_MAX_PROV];
	struct ap_violation v = {};
	char ts[64];
	time_t secs;
	struct tm tm;
	int i;

	if (lost)
		fprintf(r->log, "actplane: %llu event(s) lost (receive buffer overrun)\n",
			(unsigned long long)lost);
	if (!ap_event_in_session(ev, r->session))
		return;		/* another session's business (nested ones are ours) */
	secs = (time_t)(ev->time_ns / 1000000000ULL);
	gmtime_r(&secs, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (i = 0; i < ev->nprov; i++)
		ap_event_prov(ev, i, &prov[i]);
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
	v.effect = ap_verdict_name(ev->effect);
	v.proposed = ap_verdict_name(ev->proposed);
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
	ap_helper_violation(&r->helper, &v);
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

/* the policy, opened by the helper as the user, compiled here */
/* Compile the policy open on @fd (closed here), printing its diagnostics. */
/* Compile from @fd; the diagnostics in @d (printed and freed if NULL). */
static struct ap_policy *compile_fd_diag(int fd, const char *path, const char *domain,
					 struct ap_diag *d)
{
	struct ap_policy *p;
	struct ap_diag own;

	ap_diag_init(d ?: &own);
	p = ap_policy_load_fd(fd, path, domain, d ?: &own);
	close(fd);
	if (!d) {
		ap_diag_print(stderr, &own, isatty(2));
		ap_diag_free(&own);
	}
	return p;
}

static struct ap_policy *compile_fd(int fd, const char *path, const char *domain)
{
	return compile_fd_diag(fd, path, domain, NULL);
}

static struct ap_policy *compile_as_user(struct ap_helper *h, const char *file,
					 const char *domain, char *path, size_t len)
{
	int fd = ap_helper_open_policy(h, file, path, len);

	if (fd < 0) {
		if (!file && fd == -ENOENT)
			ap_err("no policy file: no actplane.yaml or .actplane/policy.yaml here or above "
			       "(give --policy F, or create one with 'actplane init')");
		else
			ap_err("%s: cannot open the policy file as the invoking user: %s",
			       file ? file : "policy", strerror(-fd));
		return NULL;
	}
	return compile_fd(fd, path, domain);
}

/* the feedback file relative to the workspace (the compiler keeps it in .actplane/) */
static int feedback_rel(const struct ap_policy *p, char *out, size_t len)
{
	const char *base = strcmp(p->base_dir, "/") ? p->base_dir : "";
	size_t n = strlen(base);

	if (!p->feedback_path) {
		snprintf(out, len, "%s/%s", AP_STATE_DIR, AP_LAST_VIOLATION_FILE);
		return 0;
	}
	if (strncmp(p->feedback_path, base, n) || p->feedback_path[n] != '/')
		return -EINVAL;
	return snprintf(out, len, "%s", p->feedback_path + n + 1) >= (int)len ? -ENAMETOOLONG : 0;
}

static int put_self(struct nl_msg *msg, void *arg)
{
	(void)arg;
	return nla_put_u32(msg, ACTPLANE_A_PID, (uint32_t)getpid()) ? -EMSGSIZE : 0;
}

/*
 * Reading the policy (the agent may have labeled actplane.yaml by writing
 * it) and the helper's replies may have labeled the runner; from here on it
 * reads nothing but netlink.  Start clean, so a rule on those labels cannot
 * stop the runner's own writes (its report) — the agent's session is seeded
 * by SESSION_CREATE with exactly the policy's labels either way.
 */
static void clear_own_labels(void)
{
	char err[256];
	struct ap_nl *nl = ap_nl_open(err, sizeof(err));
	int ret = nl ? ap_nl_call(nl, ACTPLANE_CMD_LABEL_CLEAR, put_self, NULL, NULL) : -ENOENT;

	if (ret && nl)
		ap_nl_perror(nl, "clearing the runner's labels", ret);
	ap_nl_close(nl);
}

/*
 * Fork the agent.  It waits for SIGUSR1 (the session exists) without
 * reading anything from the runner, dies with the runner until then, drops
 * to the invoking user and execs CMD.
 */
static pid_t start_agent(char **cmdv, const struct ap_invoker *who, const sigset_t *mask)
{
	sigset_t go;
	pid_t runner = getpid(), child;

	sigemptyset(&go);
	sigaddset(&go, SIGUSR1);
	sigprocmask(SIG_BLOCK, &go, NULL);
	child = fork();
	if (child != 0) {
		sigprocmask(SIG_UNBLOCK, &go, NULL);
		return child;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != runner)
		_exit(127);
	while (sigwaitinfo(&go, NULL) < 0)
		if (errno != EINTR)
			_exit(127);
	sigprocmask(SIG_UNBLOCK, mask, NULL);
	sigprocmask(SIG_UNBLOCK, &go, NULL);
	if (ap_invoker_drop(who, true)) {
		fprintf(stderr, "actplane: cannot drop privileges: %s\n", strerror(errno));
		_exit(127);
	}
	execvp(cmdv[0], cmdv);
	fprintf(stderr, "actplane: %s: %s\n", cmdv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/*
 * While CMD runs: report the session's violations, forward signals, wait
 * for its end; then the summary.  Returns CMD's wait status.
 */
static int supervise(struct run_ctx *r, struct ap_events *events, pid_t child,
		     const sigset_t *mask, const char *base_dir, const char *fb)
{
	struct pollfd pfd[3];
	int status = 0, sfd = signalfd(-1, mask, SFD_CLOEXEC);

	pfd[0].fd = ap_events_fd(events);
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	pfd[2].fd = r->helper.sock;
	for (;;) {
		struct signalfd_siginfo si;

		/* the helper's socket only while violations wait for it */
		pfd[2].events = ap_helper_pending(&r->helper) ? POLLOUT : 0;
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			ap_events_dispatch(events, on_event, r);
		if (pfd[2].revents)
			ap_helper_flush(&r->helper);
		if (!(pfd[1].revents && read(sfd, &si, sizeof(si)) == sizeof(si)))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			kill(child, (int)si.ssi_signo);	/* forward */
			continue;
		}
		if (waitpid(child, &status, WNOHANG) == child)
			break;
	}
	if (sfd >= 0)
		close(sfd);
	/* events raised just before the exit */
	pfd[0].revents = 0;
	while (poll(pfd, 1, 100) > 0)
		ap_events_dispatch(events, on_event, r);
	ap_events_close(events);
	ap_helper_stop(&r->helper);	/* it has written what it was sent */
	if (r->helper.lost)
		fprintf(r->log, "actplane: %lu violation%s could not be recorded in the workspace\n",
			r->helper.lost, r->helper.lost == 1 ? "" : "s");
	if (r->violations) {
		fprintf(r->log, "actplane: session %u ended: %ld violation%s (see ", r->session,
			r->violations, r->violations == 1 ? "" : "s");
		ap_esc_puts(r->log, base_dir);
		fputc('/', r->log);
		ap_esc_puts(r->log, fb);
		fprintf(r->log, ")\n");
	}
	return status;
}

static void announce(struct run_ctx *r, char **cmdv, const char *path, size_t n_rules)
{
	fprintf(r->log, "actplane: session %u: ", r->session);
	ap_esc_quoted(r->log, cmdv[0]);
	fprintf(r->log, " (policy ");
	ap_esc_quoted(r->log, path);
	fprintf(r->log, ", %zu rule%s)\n", n_rules, n_rules == 1 ? "" : "s");
	fflush(r->log);
}

/* The signals the runner takes through its signalfd (SIGCHLD) or forwards. */
static void block_run_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGCHLD);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, mask, NULL);
}

static int exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* ---- without root: a session of your own, under the machine's policy ----- */

struct loaded {
	bool has_policy, has_digest;
	unsigned int n_rules;
	char name[256];
	uint8_t digest[ACTPLANE_POLICY_DIGEST_LEN];
};

static int parse_loaded(struct nlattr **tb, void *arg)
{
	struct loaded *l = arg;

	l->has_policy = tb[ACTPLANE_A_GENERATION] != NULL;
	l->n_rules = tb[ACTPLANE_A_COUNT] ? nla_get_u32(tb[ACTPLANE_A_COUNT]) : 0;
	if (tb[ACTPLANE_A_POLICY_NAME])
		snprintf(l->name, sizeof(l->name), "%s", nla_get_string(tb[ACTPLANE_A_POLICY_NAME]));
	if (tb[ACTPLANE_A_POLICY_DIGEST] &&
	    nla_len(tb[ACTPLANE_A_POLICY_DIGEST]) == ACTPLANE_POLICY_DIGEST_LEN) {
		memcpy(l->digest, nla_data(tb[ACTPLANE_A_POLICY_DIGEST]), sizeof(l->digest));
		l->has_digest = true;
	}
	return 0;
}

/* What root loaded (STATUS).  -1 with a message when the module is not there. */
static int get_loaded(struct loaded *l)
{
	char err[256];
	struct ap_nl *nl = ap_nl_open(err, sizeof(err));
	int ret;

	if (!nl) {
		ap_err("%s;\n  without root, run needs ActPlane set up on this machine by root "
		       "(docs/install.md), or run it as: sudo actplane run -- CMD", err);
		return -1;
	}
	ret = ap_nl_call(nl, ACTPLANE_CMD_STATUS, NULL, parse_loaded, l);
	ap_nl_close(nl);
	if (ret)
		ap_err("status: %s", strerror(-ret));
	return ret ? -1 : 0;
}

/*
 * Is the workspace's policy the one root loaded, compiled to the same
 * thing (its digest)?  Then the session runs under it alone.  Otherwise it
 * becomes the session's own policy, on top of the machine's: 1, or -1 if
 * it cannot be one (said on stderr with file:line:col).
 */
static int check_loaded(const struct ap_policy *p, const struct loaded *l)
{
	uint8_t want[ACTPLANE_POLICY_DIGEST_LEN];
	int ret = ap_policy_digest(p, want);

	if (ret)	/* said */
		return -1;
	if (l->has_digest && !memcmp(want, l->digest, sizeof(want)))
		return 0;
	if (ap_policy_session_report(p, stderr)) {
		fputs("  or have it loaded as the machine's policy: sudo actplane load --policy FILE\n"
		      "  or run as: sudo actplane run -- CMD\n", stderr);
		return -1;
	}
	return 1;
}

struct own_session {
	pid_t root;
	unsigned int id;
};

static int parse_own_session(struct nlattr **tb, void *arg)
{
	struct nlattr *si[ACTPLANE_SESSION_A_MAX + 1];
	struct own_session *o = arg;

	if (!tb[ACTPLANE_A_SESSION_INFO] ||
	    nla_parse_nested(si, ACTPLANE_SESSION_A_MAX, tb[ACTPLANE_A_SESSION_INFO], NULL))
		return 0;
	if (si[ACTPLANE_SESSION_A_ROOT] && si[ACTPLANE_SESSION_A_ID] &&
	    (pid_t)nla_get_u32(si[ACTPLANE_SESSION_A_ROOT]) == o->root)
		o->id = nla_get_u32(si[ACTPLANE_SESSION_A_ID]);	/* the newest wins */
	return 0;
}

static int put_self_spol(struct nl_msg *msg, void *arg)
{
	return put_self(msg, arg) ?: (nla_put_flag(msg, ACTPLANE_A_SESSION_POLICY) ? -EMSGSIZE : 0);
}

/*
 * The agent's process: no_new_privs, then a session rooted at itself (the
 * module checks that the caller may) with @spol as its session policy if
 * not NULL (staged on this process's own socket: nobody else can attach
 * it), then stop until the runner has seen it (SIGSTOP: no data flows
 * back, which would carry the session's labels to the runner), then exec
 * CMD.
 */
static pid_t start_own_agent(char **cmdv, const sigset_t *mask, const struct ap_policy *spol,
			     const char *name)
{
	pid_t runner = getpid(), child = fork();
	struct ap_nl *nl;
	char err[256];
	int ret;

	if (child != 0)
		return child;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != runner)
		_exit(127);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fprintf(stderr, "actplane: no_new_privs: %s\n", strerror(errno));
		_exit(126);
	}
	nl = ap_nl_open(err, sizeof(err));
	if (!nl) {
		fprintf(stderr, "actplane: %s\n", err);
		_exit(126);
	}
	if (spol && ap_stage_session_policy(nl, spol, name))
		_exit(126);
	ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_CREATE, spol ? put_self_spol : put_self, NULL,
			 NULL);
	if (ret) {
		ap_nl_perror(nl, "session create", ret);
		_exit(126);
	}
	ap_nl_close(nl);
	raise(SIGSTOP);
	sigprocmask(SIG_UNBLOCK, mask, NULL);
	execvp(cmdv[0], cmdv);
	fprintf(stderr, "actplane: %s: %s\n", cmdv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int run_user(const char *file, const char *domain, const char *logpath, char **cmdv)
{
	struct ap_invoker who = { .uid = getuid(), .gid = getgid() };	/* no drop: we are the user */
	struct run_ctx r = { .log = stderr };
	char path[PATH_MAX], fb[PATH_MAX], base[PATH_MAX], err[256];
	struct own_session own = {};
	struct ap_events *events = NULL;
	struct ap_policy *p = NULL;
	struct loaded l = {};
	struct ap_nl *nl;
	size_t n_rules;
	sigset_t mask;
	int ret, status, fd, own_policy = 0;
	struct ap_diag diag;
	pid_t child;

	if (get_loaded(&l))
		return 1;
	ret = ap_helper_start(&r.helper, &who);
	if (ret) {
		ap_err("cannot start the workspace helper: %s", strerror(-ret));
		return 1;
	}
	fd = ap_helper_open_policy(&r.helper, file, path, sizeof(path));
	if (fd == -ENOENT && !file && l.has_policy) {
		/* no workspace policy: the machine's, with .actplane/ here */
		if (!getcwd(base, sizeof(base))) {
			ap_err("getcwd: %s", strerror(errno));
			goto fail;
		}
		snprintf(path, sizeof(path), "%s", l.name);
		snprintf(fb, sizeof(fb), "%s/%s", AP_STATE_DIR, AP_LAST_VIOLATION_FILE);
		n_rules = l.n_rules;
		fputs("actplane: no workspace policy here or above: the session runs under the "
		      "loaded policy ", stderr);
		ap_esc_quoted(stderr, path);
		fputc('\n', stderr);
	} else {
		if (fd < 0) {
			if (!file && fd == -ENOENT)
				ap_err("no policy file: no actplane.yaml or .actplane/policy.yaml here or "
				       "above, and no policy is loaded");
			else
				ap_err("%s: cannot open the policy file: %s", file ? file : "policy",
				       strerror(-fd));
			goto fail;
		}
		p = compile_fd_diag(fd, path, domain, &diag);
		own_policy = p ? check_loaded(p, &l) : -1;
		if (own_policy > 0)	/* its labels are the machine's */
			ap_diag_session_policy(&diag);
		ap_diag_print(stderr, &diag, isatty(2));
		ap_diag_free(&diag);
		if (own_policy < 0)
			goto fail;
		snprintf(base, sizeof(base), "%s", p->base_dir);
		n_rules = p->n_rules;
		ret = feedback_rel(p, fb, sizeof(fb));
		if (ret) {
			ap_err("the feedback file is outside the workspace: %s", strerror(-ret));
			goto fail;
		}
	}
	if (logpath) {
		fd = ap_helper_open_log(&r.helper, logpath);
		r.log = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (!r.log) {
			ap_err("%s: %s", logpath, strerror(fd < 0 ? -fd : errno));
			goto fail;
		}
	}
	warn_if_audit();
	ret = ap_helper_workspace(&r.helper, base, fb);
	if (ret)
		ap_err("the workspace files in %s/.actplane cannot be written: %s", base, strerror(-ret));
	events = ap_events_open_own(err, sizeof(err));
	if (!events) {
		ap_err("%s", err);
		goto fail;
	}
	block_run_signals(&mask);
	child = start_own_agent(cmdv, &mask, own_policy ? p : NULL, path);
	if (child < 0) {
		ap_err("fork: %s", strerror(errno));
		goto fail;
	}
	if (waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status)) {
		/* it said why on stderr */
		ap_err("the agent was not started (no session; or run it as: sudo actplane run -- CMD)");
		goto fail;
	}
	own.root = child;
	nl = ap_nl_open(err, sizeof(err));
	ret = nl ? ap_nl_dump(nl, ACTPLANE_CMD_SESSION_DUMP, NULL, parse_own_session, &own) : -ENOENT;
	ap_nl_close(nl);
	if (ret || !own.id) {
		ap_err("cannot find the agent's session: %s", ret ? strerror(-ret) : "not listed");
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		goto fail;
	}
	r.session = own.id;
	ap_events_track(events, r.session);
	announce(&r, cmdv, path, n_rules);
	if (own_policy) {
		fputs("actplane: the workspace policy is this session's own, on top of the machine's",
		      r.log);
		if (l.has_policy) {
			fputc(' ', r.log);
			ap_esc_quoted(r.log, l.name);
		}
		fprintf(r.log, " (%u rule%s)\n", l.n_rules, l.n_rules == 1 ? "" : "s");
	}
	kill(child, SIGCONT);	/* go */
	status = supervise(&r, events, child, &mask, base, fb);
	if (r.log != stderr)
		fclose(r.log);
	ap_policy_free(p);
	return exit_status(status);
fail:
	ap_events_close(events);
	if (r.log && r.log != stderr)
		fclose(r.log);
	ap_helper_stop(&r.helper);
	ap_policy_free(p);
	return 1;
}

static const struct ap_opt run_opts[] = {
	{ "policy", 'p', "FILE", NULL, "the policy (default: actplane.yaml or\n"
				       ".actplane/policy.yaml here or above)" },
	AP_OPT_DOMAIN,
	{ "enforcer", 'e', "E", "enforce audit", "attach enforcer E (a name or FILE.bpf.o)" },
	{ "log", 'l', "FILE", NULL, "violations there instead of on stderr" },
	{ NULL }
};

AP_COMMAND(cmd_run, .name = "run", .order = 10, .flags = AP_CMD_OPTS_FIRST,
	   .args = "[--policy F] [--enforcer E] -- CMD...", .help = "run an agent as a session",
	   .usage = "Usage: actplane run [--policy F] [--domain D] [--enforcer enforce|audit]\n"
		    "                    [--log FILE] -- CMD [ARGS...]\n"
		    "\n"
		    "Run CMD (your agent) as an ActPlane session under the workspace's policy.\n"
		    "With sudo: run loads the module, the hooks and the policy, and CMD runs as\n"
		    "you, with your groups.  Root never opens a file in the workspace: a helper\n"
		    "running as you reads the policy, opens --log FILE and writes .actplane/\n"
		    "(refusing symlinks).\n"
		    "Without root (root allowed your group: 'actplane limits --session-group'):\n"
		    "the session runs under the machine's policy (the one root loaded) and\n"
		    "the workspace's policy on top of it, as the session's own policy: its\n"
		    "rules add blocks, never remove one (rules only, over the machine's\n"
		    "labels).  CMD runs with no_new_privs (set-user-ID programs do not gain\n"
		    "privileges in it).  Inside a session, run starts a nested one: it keeps\n"
		    "everything the process carries and its policies, never less.\n"
		    "Violations are printed on stderr (or --log FILE), appended to\n"
		    ".actplane/violations.jsonl and written to the feedback file the agent reads.\n"
		    "Exits with CMD's exit status.\n"
		    "--enforcer E attaches E; without it the attached enforcer stays ('enforce'\n"
		    "if none), and run warns when that is the dry-run 'audit'.\n",
	   .opts = run_opts);

static int cmd_run(int argc, char **argv)
{
	const char *file = NULL, *domain = NULL, *logpath = NULL;
	char path[PATH_MAX], fb[PATH_MAX], self[PATH_MAX], err[256];
	struct session_req sreq = {};
	struct ap_up_opts up = {};
	struct ap_up_result upr;
	struct run_ctx r = { .log = stderr };
	struct ap_events *events;
	struct ap_policy *p = NULL;
	struct ap_invoker who;
	struct ap_nl *nl;
	sigset_t mask;
	int c, status = 0, ret;
	char **cmdv;
	size_t i;
	pid_t child;

	while ((c = ap_getopt(&cmd_run_cmd, argc, argv)) > 0) {
		switch (c) {
		case 'p': file = optarg; break;
		case 'd': domain = optarg; break;
		case 'e': up.enforcer = optarg; break;
		case 'l': logpath = optarg; break;
		}
	}
	if (c < 0)
		return ap_opt_exit(c);
	if (optind >= argc)
		return ap_usage_error("run", "give the command to run: actplane run [OPTIONS] -- CMD");
	cmdv = argv + optind;
	if (up.enforcer && (ret = ap_enforcer_arg_check("run", up.enforcer)))
		return ret;
	if (!ap_is_root()) {
		if (up.enforcer) {
			ap_err("--enforcer needs root (it attaches a program for the whole machine)");
			return 1;
		}
		return run_user(file, domain, logpath, cmdv);
	}
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		snprintf(self, sizeof(self), "actplane");
	else
		self[sizeof(self) - 1] = 0;
	ap_invoker_from_env(&who);
	ret = ap_helper_start(&r.helper, &who);
	if (ret) {
		ap_err("cannot start the workspace helper: %s", strerror(-ret));
		return 1;
	}
	p = compile_as_user(&r.helper, file, domain, path, sizeof(path));
	if (!p)
		goto fail;
	if (logpath) {
		int fd = ap_helper_open_log(&r.helper, logpath);

		r.log = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (!r.log) {
			ap_err("%s: %s", logpath, strerror(fd < 0 ? -fd : errno));
			goto fail;
		}
	}
	if (ap_ensure_module(self) || ap_up(&up, &upr))
		goto fail;
	if (!up.enforcer)
		warn_if_audit();
	if (ap_load_policy(p, path))
		goto fail;
	ret = feedback_rel(p, fb, sizeof(fb));
	if (!ret)
		ret = ap_helper_workspace(&r.helper, p->base_dir, fb);
	if (ret)	/* the agent still runs under the policy; it only loses feedback */
		ap_err("the workspace files in %s/.actplane cannot be written: %s",
		       p->base_dir, strerror(-ret));

	clear_own_labels();

	/* session-root labels: sources on `exec "**"` */
	sreq.labels = calloc(p->n_sources + 1, sizeof(char *));
	for (i = 0; sreq.labels && i < p->n_sources; i++)
		if (p->sources[i].session_root)
			sreq.labels[sreq.nlabels++] = p->labels[p->sources[i].label].name;

	events = ap_events_open(err, sizeof(err));
	if (!events) {
		ap_err("%s", err);
		goto fail;
	}
	block_run_signals(&mask);
	child = start_agent(cmdv, &who, &mask);
	if (child < 0) {
		ap_err("fork: %s", strerror(errno));
		goto fail;
	}
	sreq.pid = child;
	nl = ap_nl_connect();
	ret = nl ? ap_nl_call(nl, ACTPLANE_CMD_SESSION_CREATE, put_session, parse_session, &sreq)
		 : -ENOENT;
	if (ret) {
		if (nl)
			ap_nl_perror(nl, "session create", ret);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		goto fail;
	}
	ap_nl_close(nl);
	r.session = sreq.id;
	announce(&r, cmdv, path, p->n_rules);
	kill(child, SIGUSR1);	/* go */

	status = supervise(&r, events, child, &mask, p->base_dir, fb);
	if (r.log != stderr)
		fclose(r.log);
	free(sreq.labels);
	ap_policy_free(p);
	return exit_status(status);
fail:
	if (r.log && r.log != stderr)
		fclose(r.log);
	ap_helper_stop(&r.helper);
	ap_policy_free(p);
	return 1;
}
