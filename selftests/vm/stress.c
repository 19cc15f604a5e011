// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress under reload: WORKERS processes loop over fork/exec/open/write/
 * connect on labeled and unlabeled objects for SECONDS, while one thread
 * reloads the policy (alternating two files) every 10 ms and another
 * switches the enforcer audit <-> enforce.
 *
 *   stress DIR SECONDS WORKERS ACTPLANE
 *
 * DIR holds .env (a source), bin/fakegit, protected/f, policy-a.yaml and
 * policy-b.yaml (the same rules, sources in another order).  The first half
 * of the workers read DIR/.env first (labeled), the rest stay unlabeled.
 *
 * Blocked-kind operations (exec fakegit push; open protected/f for writing;
 * labeled connect to 127.0.0.2) may succeed only while the audit enforcer
 * may be attached: a success that started and ended inside a window where
 * enforce was certainly attached is an escape.  Allowed operations must
 * always succeed.  Prints TAP lines and "blocked N" for the counter check.
 *
 * The workers report through shared memory, which carries labels like any
 * mapping: the labeled and the unlabeled workers get a region each; the
 * unlabeled ones are forked first, before the labeled region exists, and
 * the labeled ones unmap the unlabeled region before reading .env, so the
 * counters cannot label the unlabeled half.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

#define MAX_SUCC	65536
#define MAX_WIN		4096

enum { OP_PUSH, OP_STATUS, OP_PROTECTED, OP_FREE, OP_CONNECT_BLOCKED, OP_CONNECT_OK, N_OPS };
static const char *const op_names[N_OPS] = {
	"exec fakegit push", "exec fakegit status", "write protected/f", "write free file",
	"connect 127.0.0.2", "connect 127.0.0.1",
};

struct succ { double t0, t1; int op, worker; };

struct shared {
	atomic_long n_succ;
	struct succ succ[MAX_SUCC];		/* blocked-kind operations that succeeded */
	atomic_long done[N_OPS], eperm[N_OPS], other_fail[N_OPS];
	atomic_long false_block[N_OPS];		/* an allowed operation failed */
	char false_msg[256];
};

static struct shared *sh;	/* a worker's: sh_of[labeled] */
static struct shared *sh_of[2];
static const char *dir, *ap;
static volatile int stop;

/* enforce certainly attached during [enf_from[i], enf_to[i]] */
static double enf_from[MAX_WIN], enf_to[MAX_WIN];
static int n_win;
static long reloads, reload_fail, switches;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * fork + execve; 0 if the program ran, EPERM if the exec was refused: with
 * EPERM, or killed before the program ran (the fmod_ret mode refuses an
 * exec for its arguments so: docs/SECURITY.md §4.6).
 */
static int run_prog(char *const argv[])
{
	int st;
	pid_t p = fork();

	if (p < 0)
		return errno;
	if (!p) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(errno == EPERM ? 126 : 127);
	}
	if (waitpid(p, &st, 0) < 0)
		return errno;
	if ((WIFEXITED(st) && WEXITSTATUS(st) == 126) ||
	    (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
		return EPERM;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : EIO;
}

static int do_op(int op, int w)
{
	char path[512], prog[512];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd, ret = 0;

	snprintf(prog, sizeof(prog), "%s/bin/fakegit", dir);
	switch (op) {
	case OP_PUSH:
	case OP_STATUS: {
		char *argv[] = { prog, op == OP_PUSH ? "push" : "status", NULL };

		return run_prog(argv);
	}
	case OP_PROTECTED:
	case OP_FREE:
		if (op == OP_PROTECTED)
			snprintf(path, sizeof(path), "%s/protected/f", dir);
		else
			snprintf(path, sizeof(path), "%s/free/w%d", dir, w);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return errno;
		if (write(fd, "x\n", 2) != 2)
			ret = errno;
		close(fd);
		return ret;
	default:
		inet_pton(AF_INET, op == OP_CONNECT_BLOCKED ? "127.0.0.2" : "127.0.0.1", &sa.sin_addr);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			return errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			ret = errno;
		close(fd);
		return ret;
	}
}

static void worker(int w, int labeled, double until)
{
	char path[512], buf[64];
	int fd, op;
	long i;

	if (labeled) {
		snprintf(path, sizeof(path), "%s/.env", dir);
		fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
			_exit(2);
		close(fd);
	}
	for (i = 0; now() < until; i++) {
		double t0, t1;
		int ret, blocked_kind;

		op = (int)((i + w) % N_OPS);
		t0 = now();
		ret = do_op(op, w);
		t1 = now();
		blocked_kind = op == OP_PUSH || op == OP_PROTECTED ||
			       (op == OP_CONNECT_BLOCKED && labeled);
		atomic_fetch_add(&sh->done[op], 1);
		if (ret == EPERM)
			atomic_fetch_add(&sh->eperm[op], 1);
		else if (ret)
			atomic_fetch_add(&sh->other_fail[op], 1);
		if (blocked_kind && !ret) {
			long k = atomic_fetch_add(&sh->n_succ, 1);

			if (k < MAX_SUCC)
				sh->succ[k] = (struct succ){ t0, t1, op, w };
		}
		if (!blocked_kind && ret &&
		    atomic_fetch_add(&sh->false_block[op], 1) == 0)
			snprintf(sh->false_msg, sizeof(sh->false_msg), "worker %d%s: %s failed: %s",
				 w, labeled ? " (labeled)" : "", op_names[op], strerror(ret));
	}
	_exit(0);
}

static int run_ap(const char *a1, const char *a2)
{
	char *argv[] = { (char *)ap, (char *)a1, (char *)a2, NULL };
	int st;
	pid_t p = fork();

	if (p < 0)
		return -1;
	if (!p) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		execv(ap, argv);
		_exit(127);
	}
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void *reloader(void *arg)
{
	char a[512], b[512];
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };

	(void)arg;
	snprintf(a, sizeof(a), "%s/policy-a.yaml", dir);
	snprintf(b, sizeof(b), "%s/policy-b.yaml", dir);
	while (!stop) {
		if (run_ap("load", reloads % 2 ? b : a))
			reload_fail++;
		reloads++;
		nanosleep(&ten_ms, NULL);
	}
	return NULL;
}

static void *switcher(void *arg)
{
	struct timespec pause = { 0, 150 * 1000 * 1000 };

	(void)arg;
	enf_from[0] = now();
	while (!stop && n_win < MAX_WIN - 1) {
		nanosleep(&pause, NULL);
		enf_to[n_win] = now();		/* before the switch to audit starts */
		run_ap("enforcer", "audit");
		n_win++;
		nanosleep(&pause, NULL);
		run_ap("enforcer", "enforce");
		enf_from[n_win] = now();	/* after the switch back completed */
		switches += 2;
	}
	enf_to[n_win] = 1e18;
	n_win++;
	return NULL;
}

int main(int argc, char **argv)
{
	int seconds, workers, w, escapes = 0;
	long k, l, n, blocked = 0, eperm[N_OPS];
	const char *false_msg;
	pthread_t rt, st;
	double until;
	char msg[256] = "";

	if (argc != 5) {
		fprintf(stderr, "usage: stress DIR SECONDS WORKERS ACTPLANE\n");
		return 2;
	}
	dir = argv[1];
	seconds = atoi(argv[2]);
	workers = atoi(argv[3]);
	ap = argv[4];
	until = now() + seconds;
	/*
	 * The unlabeled half first, with only its own region: once a labeled
	 * worker has read .env, every process that still maps the labeled
	 * region carries the label too (this one, and an unlabeled worker
	 * not yet scheduled to unmap it, if it had been mapped before its
	 * fork), and so would every worker forked after that.
	 */
	for (w = workers - 1; w >= 0; w--) {
		int labeled = w < workers / 2;

		if (!sh_of[labeled]) {
			sh_of[labeled] = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
					      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
			if (sh_of[labeled] == MAP_FAILED)
				return 2;
		}
		if (!fork()) {
			if (sh_of[!labeled])
				munmap(sh_of[!labeled], sizeof(*sh));
			sh = sh_of[labeled];
			worker(w, labeled, until);
		}
	}
	for (k = 0; k < 2; k++)		/* a half with no worker reports zeros */
		if (!sh_of[k] && (sh_of[k] = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
						  MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
			return 2;
	pthread_create(&rt, NULL, reloader, NULL);
	pthread_create(&st, NULL, switcher, NULL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	stop = 1;
	pthread_join(rt, NULL);
	pthread_join(st, NULL);
	run_ap("enforcer", "enforce");

	for (n = 0, l = 0; l < 2; l++) {
		long m = atomic_load(&sh_of[l]->n_succ);

		n += m;
		for (k = 0; k < m && k < MAX_SUCC; k++) {
			struct succ *s = &sh_of[l]->succ[k];
			int i;

			for (i = 0; i < n_win; i++)
				if (s->t0 >= enf_from[i] && s->t1 <= enf_to[i])
					break;
			if (i < n_win && !escapes++)
				snprintf(msg, sizeof(msg), "worker %d: %s succeeded under enforce",
					 s->worker, op_names[s->op]);
		}
	}
	for (k = 0; k < N_OPS; k++) {
		eperm[k] = atomic_load(&sh_of[0]->eperm[k]) + atomic_load(&sh_of[1]->eperm[k]);
		printf("# %-20s done %ld, EPERM %ld, other failures %ld\n", op_names[k],
		       atomic_load(&sh_of[0]->done[k]) + atomic_load(&sh_of[1]->done[k]), eperm[k],
		       atomic_load(&sh_of[0]->other_fail[k]) + atomic_load(&sh_of[1]->other_fail[k]));
		blocked += eperm[k];
	}
	false_msg = sh_of[0]->false_msg[0] ? sh_of[0]->false_msg : sh_of[1]->false_msg;
	printf("# %ld reloads (%ld failed), %ld enforcer switches, %ld blocked-kind successes in audit windows\n",
	       reloads, reload_fail, switches, n - escapes);
	ktap_result(escapes == 0, "stress: no blocked operation succeeded under enforce",
		    "%d escapes; first: %s", escapes, msg);
	ktap_result(!false_msg[0], "stress: allowed operations never refused", "%s", false_msg);
	ktap_result(reloads > 0 && !reload_fail, "stress: every reload succeeded", "%ld of %ld failed",
		    reload_fail, reloads);
	ktap_result(eperm[OP_PUSH] > 0 && eperm[OP_PROTECTED] > 0 && eperm[OP_CONNECT_BLOCKED] > 0,
		    "stress: every blocked kind was exercised and refused", "some kind never refused");
	printf("blocked %ld\n", blocked);
	return ktap_exit();
}
