// SPDX-License-Identifier: GPL-2.0-only
/*
 * Label updates racing an exec.  Each run forks a process whose sibling
 * threads open source files one after the other (each one labels the opener
 * with its own label), while its main thread execs DIR/bin/helper: a
 * lineage program and the declassifier of "secret".  The helper (a shell
 * script written by the test) stops itself right after the exec and once
 * more after reading the secret again; each time the monitor checks what
 * it carries, over netlink:
 *
 *   - every label a sibling absorbed (its open returned) is still there:
 *     the exec's commit must not overwrite what a sibling added meanwhile;
 *   - "secret" is gone (declassified at exec), and stays gone after the
 *     helper reads the secret file again (the helper is immune to it);
 *   - the helper carries the lineage mark: it may open DIR/prod.db, which
 *     the policy blocks unless lineage-includes exec HELPER (exit status).
 *
 *   exec_race DIR NLABELS SECONDS
 *
 * DIR/race/l1..lNLABELS are the sources of labels l1..lN, DIR/race/secret
 * the source of "secret".  DIR/bin/helper DIR: opens DIR/prod.db for
 * writing, stops, reads DIR/race/secret (in-process), stops, and exits with
 * bit 0 set if the open failed, bit 1 if the read did.  The monitor never
 * touches a labeled object, so it stays unlabeled and its children start
 * unlabeled.  Prints TAP lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "nl.h"
#include "harness.h"

#define MAX_LABELS	48
#define N_READERS	3
#define MAX_RUNS	5000

struct shared {
	atomic_int opened[MAX_LABELS + 1];	/* [NLABELS] is the secret */
	atomic_int go;				/* the main thread is calling execve */
	_Atomic double t_go, t_last;		/* execve called; last open done */
};

static struct shared *sh;
static const char *dir;
static int nlabels;
static long delay_ns;				/* before the first open; varies per run */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the racing process (before the exec) -------------------------------------- */

/*
 * Reader @arg opens every N_READERS-th file, starting when the main thread
 * calls execve (after a delay that differs from run to run) and pausing a
 * little before each: the opens that add a label are spread over the time
 * the exec takes, and across runs they sweep its evaluation.
 */
static void *reader(void *arg)
{
	const struct timespec gap = { .tv_nsec = 50 * 1000 };
	struct timespec delay = { .tv_nsec = delay_ns };
	int i = (int)(long)arg;
	char p[4096];

	while (!atomic_load(&sh->go))
		sched_yield();
	nanosleep(&delay, NULL);
	/* one pass: a label lost to the exec is not picked up again later */
	for (; i <= nlabels; i += N_READERS) {
		int fd;

		nanosleep(&gap, NULL);
		if (i == nlabels)
			snprintf(p, sizeof(p), "%s/race/secret", dir);
		else
			snprintf(p, sizeof(p), "%s/race/l%d", dir, i + 1);
		fd = open(p, O_RDONLY);
		if (fd < 0)
			continue;
		close(fd);
		atomic_store(&sh->opened[i], 1);
		atomic_store(&sh->t_last, now());
	}
	for (;;)
		pause();	/* until the exec ends the thread */
	return NULL;
}

static void racer(void)
{
	char helper_path[4096];
	pthread_t t;
	long i;

	snprintf(helper_path, sizeof(helper_path), "%s/bin/helper", dir);
	for (i = 0; i < N_READERS; i++)
		if (pthread_create(&t, NULL, reader, (void *)i))
			_exit(126);
	atomic_store(&sh->t_go, now());
	atomic_store(&sh->go, 1);
	execl(helper_path, "helper", dir, (char *)NULL);
	_exit(127);
}

/* ---- the monitor ------------------------------------------------------------------- */

/* A LABEL_GET request (pid) and its answer (label names). */
struct label_set {
	unsigned int pid;
	int n;
	char name[64][ACTPLANE_LABEL_NAME_LEN];
};

static int put_pid(struct nl_msg *msg, void *arg)
{
	return nla_put_u32(msg, ACTPLANE_A_PID, ((struct label_set *)arg)->pid);
}

static int parse_labels(struct nlattr **tb, void *arg)
{
	struct label_set *s = arg;
	struct nlattr *a;
	int rem;

	s->n = 0;
	if (!tb[ACTPLANE_A_LABELS])
		return 0;
	nla_for_each_nested(a, tb[ACTPLANE_A_LABELS], rem)
		if (nla_type(a) == ACTPLANE_A_LABEL && s->n < 64)
			snprintf(s->name[s->n++], ACTPLANE_LABEL_NAME_LEN, "%s", nla_get_string(a));
	return 0;
}

static int has(const struct label_set *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return 1;
	return 0;
}


/* Wait for @pid to stop; 0, or -1 (and a reason in @why) if it did something else. */
static int wait_stopped(pid_t pid, char *why, size_t len)
{
	int st;

	if (waitpid(pid, &st, WUNTRACED) != pid) {
		snprintf(why, len, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFSTOPPED(st))
		return 0;
	if (WIFEXITED(st))
		snprintf(why, len, "exited %d before stopping (exec failed?)", WEXITSTATUS(st));
	else
		snprintf(why, len, "killed by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	return -1;
}

int main(int argc, char **argv)
{
	long runs = 0, lost = 0, secret_kept = 0, secret_absorbed = 0, lineage_lost = 0;
	long mid = 0, none = 0, other = 0;
	double span = 0;
	char err[256], why[256] = "", first[512] = "";
	struct label_set s;
	struct ap_nl *nl;
	double end;
	int i;

	if (argc != 4) {
		fprintf(stderr, "usage: exec_race DIR NLABELS SECONDS\n");
		return 2;
	}
	dir = argv[1];
	nlabels = atoi(argv[2]);
	if (nlabels < 1 || nlabels > MAX_LABELS)
		return 2;
	end = now() + atof(argv[3]);
	nl = ap_nl_open(err, sizeof(err));
	if (!nl) {
		ktap_result(0, "exec race", "%s", err);
		return ktap_exit();
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;

	while (now() < end && runs < MAX_RUNS) {
		unsigned int pid;
		int st, n_opened = 0;
		pid_t p;

		memset(sh, 0, sizeof(*sh));
		delay_ns = (runs * 997 * 1000) % (8 * 1000 * 1000);	/* 0..8 ms */
		p = fork();
		if (p < 0) {
			snprintf(why, sizeof(why), "fork: %s", strerror(errno));
			other++;
			break;
		}
		if (p == 0)
			racer();
		pid = (unsigned int)p;
		s.pid = pid;
		runs++;
		if (wait_stopped(pid, why, sizeof(why))) {
			other++;
			break;
		}
		/* the helper runs now: the siblings are gone, opened[] is final */
		if (ap_nl_call(nl, ACTPLANE_CMD_LABEL_GET, put_pid, parse_labels, &s)) {
			snprintf(why, sizeof(why), "label get: %s", ap_nl_errmsg(nl));
			other++;
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			break;
		}
		for (i = 0; i < nlabels; i++) {
			char name[16];

			if (!atomic_load(&sh->opened[i]))
				continue;
			n_opened++;
			snprintf(name, sizeof(name), "l%d", i + 1);
			if (!has(&s, name)) {
				if (!lost++)
					snprintf(first, sizeof(first),
						 "run %ld: l%d absorbed by a sibling, gone after the exec",
						 runs, i + 1);
			}
		}
		if (n_opened && n_opened < nlabels)
			mid++;
		if (!n_opened)
			none++;
		else
			span += sh->t_last - sh->t_go;
		if (has(&s, "secret"))
			secret_kept++;
		kill(pid, SIGCONT);
		if (wait_stopped(pid, why, sizeof(why))) {
			other++;
			break;
		}
		if (ap_nl_call(nl, ACTPLANE_CMD_LABEL_GET, put_pid, parse_labels, &s) == 0 &&
		    has(&s, "secret"))
			secret_absorbed++;
		kill(pid, SIGCONT);
		if (waitpid(pid, &st, 0) != (pid_t)pid || !WIFEXITED(st)) {
			snprintf(why, sizeof(why), "helper did not exit normally");
			other++;
			break;
		}
		if (WEXITSTATUS(st) & 1)
			lineage_lost++;
		if (WEXITSTATUS(st) & ~1) {
			snprintf(why, sizeof(why), "helper could not read the secret (status %d)",
				 WEXITSTATUS(st));
			other++;
			break;
		}
	}
	ap_nl_close(nl);
	printf("# %ld runs: the exec came before the siblings' first open in %ld, in the middle "
	       "of their opens in %ld; last open %.2f ms after execve on average\n",
	       runs, none, mid, runs > none ? span * 1000 / (runs - none) : 0);
	ktap_result(!other, "exec race: every run execs and reports", "%s", why);
	ktap_result(!lost, "exec race: labels sibling threads absorbed survive the exec",
		    "%ld label(s) lost; first: %s", lost, first);
	ktap_result(!secret_kept, "exec race: the declassifier drops the secret at exec",
		    "%ld of %ld runs still carried it", secret_kept, runs);
	ktap_result(!secret_absorbed, "exec race: the declassifier stays immune",
		    "%ld of %ld runs absorbed it again", secret_absorbed, runs);
	ktap_result(!lineage_lost, "exec race: the lineage mark survives sibling commits",
		    "%ld of %ld runs could not open prod.db", lineage_lost, runs);
	return ktap_exit();
}
