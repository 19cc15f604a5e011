// SPDX-License-Identifier: GPL-2.0-only
/*
 * The unprivileged half of `sudo actplane run`.
 *
 * The agent owns its workspace: every name in it may be a symlink, a FIFO
 * or a file it labeled.  So the root half of `run` keeps root for what
 * needs it (the module, BPF, netlink) and never opens a path itself.
 * Everything that touches the file system on the user's behalf is done by
 * this helper, a child that dropped to the invoking user's uid, gid and
 * groups before it opened anything:
 *
 *   - it opens the policy file and the --log file as that user and passes
 *     the descriptors back (SCM_RIGHTS), so root only reads or appends to
 *     what the user could open anyway;
 *   - it writes .actplane/violations.jsonl, the feedback file and
 *     feedback-offset beneath a workspace descriptor, refusing links
 *     (ap_open_beneath), and never changes an owner.
 *
 * The helper is a child of the runner, not of the agent: it is in no
 * session, and its labels (it reads agent-written files) never reach the
 * agent's session.  The two talk over a SOCK_SEQPACKET socketpair: one
 * request per message, a reply only for requests that return something.
 * Root never blocks on the helper when it reports violations (MSG_DONTWAIT):
 * a helper stuck on a hostile file costs feedback, not enforcement.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <json.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common.h"
#include "escape.h"
#include "policy/policy.h"
#include "run_helper.h"

enum helper_req {
	REQ_OPEN_POLICY = 1,	/* path ("" = find it from the working directory) */
	REQ_OPEN_LOG,		/* path */
	REQ_WORKSPACE,		/* workspace '\0' feedback path relative to it */
	REQ_VIOLATION,		/* a violation as JSON (no reply) */
};

/* the largest request: a violation is a few KiB (40 args, 64 provenance entries), up to
 * ~60 KiB with 8 provenance chains of 16 hops */
#define HELPER_MSG_MAX	(256u << 10)
/* violations root holds while the helper catches up; more are counted lost */
#define HELPER_QUEUE_MAX	(16u << 20)

/* ---- identity --------------------------------------------------------------- */

void ap_invoker_from_env(struct ap_invoker *who)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
	char *end;

	memset(who, 0, sizeof(*who));
	who->uid = getuid();
	who->gid = getgid();
	if (!u || !g || !*u || !*g)
		return;		/* really root: the agent runs as root */
	errno = 0;
	who->uid = (uid_t)strtoul(u, &end, 10);
	if (errno || *end)
		return;
	who->gid = (gid_t)strtoul(g, &end, 10);
	if (errno || *end)
		return;
	who->drop = who->uid != 0;
}

int ap_invoker_drop(const struct ap_invoker *who, bool set_env)
{
	struct passwd *pw;

	if (!who->drop)
		return 0;
	pw = getpwuid(who->uid);
	if (pw ? initgroups(pw->pw_name, who->gid) : setgroups(0, NULL))
		return -1;
	if (setresgid(who->gid, who->gid, who->gid) || setresuid(who->uid, who->uid, who->uid))
		return -1;
	if (!setuid(0) || !geteuid()) {	/* must be impossible now */
		errno = EPERM;
		return -1;
	}
	if (pw && set_env) {
		setenv("HOME", pw->pw_dir, 1);
		setenv("USER", pw->pw_name, 1);
		setenv("LOGNAME", pw->pw_name, 1);
	}
	return 0;
}

/* ---- messages ----------------------------------------------------------------- */

static int send_fd_reply(int sock, int err, int fd, const char *text)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char buf[sizeof(int) + PATH_MAX];
	struct iovec iov = { .iov_base = buf };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t n = text ? strnlen(text, PATH_MAX - 1) : 0;

	memcpy(buf, &err, sizeof(int));
	memcpy(buf + sizeof(int), text ? text : "", n);
	buf[sizeof(int) + n] = '\0';
	iov.iov_len = sizeof(int) + n + 1;
	if (fd >= 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* a reply: 0 or -errno; *fdp gets the descriptor passed (or -1), text the payload */
static int recv_fd_reply(int sock, char *text, size_t len, int *fdp)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char buf[sizeof(int) + PATH_MAX];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;
	int err, fd = -1;

	*fdp = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n <= sizeof(int) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return -EPROTO;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	memcpy(&err, buf, sizeof(int));
	buf[n - 1] = '\0';
	if (text)
		snprintf(text, len, "%s", buf + sizeof(int));
	if (err) {
		if (fd >= 0)
			close(fd);
		return err < 0 ? err : -EPROTO;
	}
	*fdp = fd;
	return 0;
}

/* ---- the helper ----------------------------------------------------------------- */

struct helper_state {
	int wsfd;
	char workspace[PATH_MAX];
	char feedback[PATH_MAX];	/* relative to the workspace */
};

/* find and open the policy as the user; reply with the descriptor and its path */
static void serve_open_policy(int sock, const char *want)
{
	char path[PATH_MAX], real[PATH_MAX + NAME_MAX + 2], *dir, *name, *rdir;
	struct stat st = { 0 };
	int fd, err = 0;

	if (*want)
		snprintf(path, sizeof(path), "%s", want);
	else if ((err = ap_policy_find(NULL, path, sizeof(path))))
		goto out;
	/* O_NONBLOCK: root reads this descriptor; a FIFO must not hang it */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	fcntl(fd, F_SETFL, O_RDONLY);
	/* the path root will name it by: its directory resolved by the user */
	dir = strdup(path);
	name = dir ? strrchr(dir, '/') : NULL;
	if (name)
		*name++ = '\0';
	rdir = dir ? realpath(name ? (*dir ? dir : "/") : ".", NULL) : NULL;
	if (rdir && snprintf(real, sizeof(real), "%s/%s", strcmp(rdir, "/") ? rdir : "",
			     name ? name : path) < (int)sizeof(path))
		memcpy(path, real, strlen(real) + 1);
	free(rdir);
	free(dir);
	send_fd_reply(sock, 0, fd, path);
	close(fd);
	return;
out:
	send_fd_reply(sock, err, -1, want);
}

static void serve_open_log(int sock, const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	send_fd_reply(sock, fd < 0 ? -errno : 0, fd, path);
	if (fd >= 0)
		close(fd);
}

static void serve_workspace(int sock, struct helper_state *h, const char *ws,
			    const char *feedback)
{
	int err = 0;

	if (strlen(ws) >= sizeof(h->workspace) || strlen(feedback) >= sizeof(h->feedback)) {
		send_fd_reply(sock, -ENAMETOOLONG, -1, NULL);
		return;
	}
	strcpy(h->workspace, ws);
	strcpy(h->feedback, feedback);
	h->wsfd = ap_workspace_open(ws);
	if (h->wsfd < 0)
		err = h->wsfd;
	else
		err = ap_state_dir_ensure(ws);
	/* earlier sessions' violations are old news for this agent */
	if (!err)
		err = ap_feedback_mark_delivered(ws);
	send_fd_reply(sock, err, -1, NULL);
}

/* "cannot write <workspace>/<rel>: why", the names escaped (the agent picks them) */
static void helper_error(const struct helper_state *h, const char *rel, int err)
{
	fputs("actplane: cannot write ", stderr);
	ap_esc_puts(stderr, h->workspace);
	fputc('/', stderr);
	ap_esc_puts(stderr, rel);
	fprintf(stderr, ": %s\n", strerror(-err));
}

static void serve_violation(struct helper_state *h, const char *json)
{
	struct json_object *o = json_tokener_parse(json);
	struct ap_violation v;
	int ret;

	if (!o || h->wsfd < 0 || ap_violation_from_json(o, &v)) {
		json_object_put(o);
		return;
	}
	ret = ap_violations_append(h->workspace, &v);
	if (ret)
		helper_error(h, AP_STATE_DIR "/" AP_VIOLATIONS_FILE, ret);
	ret = ap_last_violation_write(h->wsfd, h->feedback, &v);
	if (ret)
		helper_error(h, h->feedback, ret);
	ap_violation_release(&v);
	json_object_put(o);
}

static void __attribute__((noreturn)) helper_main(int sock, const struct ap_invoker *who,
						  pid_t runner)
{
	struct helper_state h = { .wsfd = -1 };
	char *buf = malloc(HELPER_MSG_MAX + 1);

	if (!buf || ap_invoker_drop(who, false)) {
		fprintf(stderr, "actplane: workspace helper: cannot drop privileges: %s\n",
			strerror(errno));
		_exit(1);
	}
	/*
	 * The terminal's ^C and ^\ reach the whole process group: the agent may
	 * handle them and go on, so the helper must too.  It ends with the
	 * runner: when the channel closes, or (set after the drop, which
	 * clears it) when the runner dies.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != runner)
		_exit(0);
	for (;;) {
		ssize_t n = recv(sock, buf, HELPER_MSG_MAX, 0);
		const char *arg = buf + 1;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);	/* the runner is done */
		buf[n] = '\0';
		switch (buf[0]) {
		case REQ_OPEN_POLICY:
			serve_open_policy(sock, arg);
			break;
		case REQ_OPEN_LOG:
			serve_open_log(sock, arg);
			break;
		case REQ_WORKSPACE:
			if (n < 2 || !memchr(arg, '\0', (size_t)n - 1) ||
			    strlen(arg) + 2 >= (size_t)n) {
				send_fd_reply(sock, -EPROTO, -1, NULL);
				break;
			}
			serve_workspace(sock, &h, arg, arg + strlen(arg) + 1);
			break;
		case REQ_VIOLATION:
			serve_violation(&h, arg);
			break;
		default:
			break;
		}
	}
}

/* ---- the root side --------------------------------------------------------------- */

int ap_helper_start(struct ap_helper *h, const struct ap_invoker *who)
{
	int sv[2], size = HELPER_MSG_MAX * 2;
	pid_t runner = getpid();

	memset(h, 0, sizeof(*h));
	h->sock = -1;
	h->pid = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	/* room for a few violations in flight (root may exceed wmem_max) */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	h->pid = fork();
	if (h->pid < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (h->pid == 0) {
		close(sv[0]);
		helper_main(sv[1], who, runner);
	}
	close(sv[1]);
	h->sock = sv[0];
	return 0;
}

static int send_req(struct ap_helper *h, int type, const char *a, const char *b, int flags)
{
	size_t la = strlen(a), lb = b ? strlen(b) + 1 : 0;
	char *msg = malloc(1 + la + 1 + lb);
	ssize_t n;

	if (!msg)
		return -ENOMEM;
	if (1 + la + 1 + lb > HELPER_MSG_MAX) {
		free(msg);
		return -EMSGSIZE;
	}
	msg[0] = (char)type;
	memcpy(msg + 1, a, la + 1);
	if (b)
		memcpy(msg + 2 + la, b, lb);
	do
		n = send(h->sock, msg, 1 + la + 1 + lb, MSG_NOSIGNAL | flags);
	while (n < 0 && errno == EINTR);
	free(msg);
	return n < 0 ? -errno : 0;
}

int ap_helper_open_policy(struct ap_helper *h, const char *file, char *path, size_t len)
{
	int ret = send_req(h, REQ_OPEN_POLICY, file ? file : "", NULL, 0), fd;

	if (!ret)
		ret = recv_fd_reply(h->sock, path, len, &fd);
	return ret ? ret : fd >= 0 ? fd : -EPROTO;
}

int ap_helper_open_log(struct ap_helper *h, const char *file)
{
	int ret = send_req(h, REQ_OPEN_LOG, file, NULL, 0), fd;

	if (!ret)
		ret = recv_fd_reply(h->sock, NULL, 0, &fd);
	return ret ? ret : fd >= 0 ? fd : -EPROTO;
}

int ap_helper_workspace(struct ap_helper *h, const char *workspace, const char *feedback)
{
	int ret = send_req(h, REQ_WORKSPACE, workspace, feedback, 0), fd;

	if (!ret)
		ret = recv_fd_reply(h->sock, NULL, 0, &fd);
	if (!ret && fd >= 0)
		close(fd);
	return ret;
}

/* what is still queued will never be recorded: count it lost */
static void drop_queue(struct ap_helper *h)
{
	while (h->q_head) {
		struct ap_helper_msg *m = h->q_head;

		h->q_head = m->next;
		free(m);
		h->lost++;
	}
	h->q_tail = NULL;
	h->q_bytes = 0;
}

/* send queued violations until the socket is full; 0, or -errno if the helper is gone */
int ap_helper_flush(struct ap_helper *h)
{
	while (h->q_head) {
		struct ap_helper_msg *m = h->q_head;
		ssize_t n = send(h->sock, m->data, m->len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			int err = -errno;

			drop_queue(h);	/* the helper is gone: count them lost */
			return err;
		}
		h->q_head = m->next;
		if (!h->q_head)
			h->q_tail = NULL;
		h->q_bytes -= m->len;
		free(m);
	}
	return 0;
}

bool ap_helper_pending(const struct ap_helper *h)
{
	return h->q_head != NULL;
}

void ap_helper_violation(struct ap_helper *h, const struct ap_violation *v)
{
	struct json_object *o = ap_violation_to_json(v);
	const char *js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t len = 1 + strlen(js) + 1;
	struct ap_helper_msg *m = NULL;

	/* bounded: root never blocks on the helper, and never grows without limit */
	if (len <= HELPER_MSG_MAX && h->q_bytes + len <= HELPER_QUEUE_MAX)
		m = malloc(sizeof(*m) + len);
	if (!m) {
		h->lost++;
		json_object_put(o);
		return;
	}
	m->next = NULL;
	m->len = len;
	m->data[0] = REQ_VIOLATION;
	memcpy(m->data + 1, js, len - 1);
	json_object_put(o);
	if (h->q_tail)
		h->q_tail->next = m;
	else
		h->q_head = m;
	h->q_tail = m;
	h->q_bytes += len;
	ap_helper_flush(h);
}

int ap_helper_stop(struct ap_helper *h)
{
	int status = 0;

	/* what is still queued gets a few seconds to go out */
	while (h->sock >= 0 && ap_helper_pending(h)) {
		struct pollfd pfd = { .fd = h->sock, .events = POLLOUT };

		if (poll(&pfd, 1, 5000) <= 0 || ap_helper_flush(h))
			break;
	}
	drop_queue(h);
	if (h->sock >= 0)
		close(h->sock);
	h->sock = -1;
	if (h->pid > 0)
		while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
			;
	h->pid = -1;
	return status;
}
