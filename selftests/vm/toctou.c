// SPDX-License-Identifier: GPL-2.0-only
/*
 * TOCTOU races: a thread keeps rewriting the user buffers (path, argv,
 * sockaddr) that the main thread passes to open/execve/sendto.  The kernel
 * copies each buffer once and ActPlane decides on the kernel's copy (the
 * inode, linux_binprm, the copied sockaddr), so the blocked variant must
 * never get through, however the race falls.
 *
 *   toctou open BLOCKED_FILE ALLOWED_FILE N
 *       every successful open(O_WRONLY) must have opened the allowed inode
 *   toctou exec PROG N
 *       argv[1] flips between "status" and "push"; PROG logs its argv
 *       (the test checks the log for pushes)
 *   toctou send N
 *       the sendto address flips between 127.0.0.1:9 (allowed) and
 *       127.0.0.2:9 (blocked); a receiver bound to 127.0.0.2:9 must get
 *       nothing
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

static volatile int stop;

/* keep the compiler from dropping the first of two stores to a buffer */
#define barrier() __asm__ __volatile__("" ::: "memory")
static char path_buf[512];
static const char *path_a, *path_b;		/* blocked, allowed */
static char arg_buf[16] = "status";
static struct sockaddr_in race_sa;

/*
 * Stay a varying while in each state: under single-threaded TCG the vCPUs
 * take turns, the racing system call sees whatever the flipper wrote last
 * before its turn ended, and a fixed loop can end its turns in the same
 * state each time.
 */
static void dwell(unsigned int *seed)
{
	unsigned int k;

	*seed ^= *seed << 13;
	*seed ^= *seed >> 17;
	*seed ^= *seed << 5;
	for (k = *seed % 512; k; k--)
		barrier();
}

static void *flip_path(void *arg)
{
	size_t la = strlen(path_a) + 1, lb = strlen(path_b) + 1;
	unsigned int seed = 88172645u;

	(void)arg;
	while (!stop) {
		memcpy(path_buf, path_a, la);
		barrier();
		dwell(&seed);
		memcpy(path_buf, path_b, lb);
		barrier();
		dwell(&seed);
	}
	return NULL;
}

static void *flip_arg(void *arg)
{
	unsigned int seed = 2463534242u;

	(void)arg;
	while (!stop) {
		memcpy(arg_buf, "push", 5);
		barrier();
		dwell(&seed);
		memcpy(arg_buf, "status", 7);
		barrier();
		dwell(&seed);
	}
	return NULL;
}

static void *flip_addr(void *arg)
{
	in_addr_t ok = inet_addr("127.0.0.1"), bad = inet_addr("127.0.0.2");
	unsigned int seed = 521288629u;

	(void)arg;
	while (!stop) {
		race_sa.sin_addr.s_addr = bad;
		barrier();
		dwell(&seed);
		race_sa.sin_addr.s_addr = ok;
		barrier();
		dwell(&seed);
	}
	return NULL;
}

static int race_open(long n)
{
	struct stat blocked_st, st;
	long i, opened = 0, refused = 0, wrong = 0;
	pthread_t t;
	int fd;

	if (stat(path_a, &blocked_st))
		return 2;
	strcpy(path_buf, path_b);
	pthread_create(&t, NULL, flip_path, NULL);
	for (i = 0; i < n; i++) {
		fd = open(path_buf, O_WRONLY);
		if (fd < 0) {
			refused += errno == EPERM;
			continue;
		}
		opened++;
		if (!fstat(fd, &st) && st.st_ino == blocked_st.st_ino && st.st_dev == blocked_st.st_dev)
			wrong++;
		close(fd);
	}
	stop = 1;
	pthread_join(t, NULL);
	printf("# open: %ld opened (allowed file), %ld refused, %ld opened the blocked file\n",
	       opened, refused, wrong);
	ktap_result(!wrong && opened && refused, "toctou: racing path buffer never opens the blocked file",
		    "%ld opens of the blocked file (%ld opened, %ld refused)", wrong, opened, refused);
	return ktap_exit();
}

static int race_exec(const char *prog, long n)
{
	char *argv[] = { (char *)prog, arg_buf, NULL };
	static long i, ran, refused;	/* static: vfork shares the stack frame */
	pthread_t t;
	int st;

	pthread_create(&t, NULL, flip_arg, NULL);
	for (i = 0; i < n; i++) {
		pid_t p = vfork();	/* the child's execve reads argv while the flipper runs */

		if (!p) {
			execv(prog, argv);
			_exit(errno == EPERM ? 126 : 127);
		}
		waitpid(p, &st, 0);
		/* refused: EPERM, or (the fmod_ret mode, SECURITY.md §4.6) killed at the commit */
		if ((WIFEXITED(st) && WEXITSTATUS(st) == 126) ||
		    (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
			refused++;
		else if (WIFEXITED(st) && !WEXITSTATUS(st))
			ran++;
	}
	stop = 1;
	pthread_join(t, NULL);
	printf("# exec: %ld ran, %ld refused\n", ran, refused);
	ktap_result(ran && refused, "toctou: racing argv exercised both outcomes",
		    "%ld ran, %ld refused", ran, refused);
	return ktap_exit();
}

static int race_send(long n)
{
	struct sockaddr_in rx = { .sin_family = AF_INET, .sin_port = htons(9) };
	long i, sent = 0, refused = 0, got = 0;
	char buf[16];
	pthread_t t;
	int s, r;

	inet_pton(AF_INET, "127.0.0.2", &rx.sin_addr);
	r = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (r < 0 || bind(r, (struct sockaddr *)&rx, sizeof(rx)))
		return 2;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	race_sa.sin_family = AF_INET;
	race_sa.sin_port = htons(9);
	race_sa.sin_addr.s_addr = inet_addr("127.0.0.1");
	pthread_create(&t, NULL, flip_addr, NULL);
	for (i = 0; i < n; i++) {
		if (sendto(s, "x", 1, 0, (struct sockaddr *)&race_sa, sizeof(race_sa)) == 1)
			sent++;
		else
			refused += errno == EPERM;
		while (recv(r, buf, sizeof(buf), 0) > 0)
			got++;
	}
	stop = 1;
	pthread_join(t, NULL);
	while (recv(r, buf, sizeof(buf), 0) > 0)
		got++;
	printf("# send: %ld sent, %ld refused, %ld reached 127.0.0.2\n", sent, refused, got);
	ktap_result(!got && sent && refused, "toctou: racing sockaddr never reaches the blocked address",
		    "%ld datagrams reached it (%ld sent, %ld refused)", got, sent, refused);
	return ktap_exit();
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "open")) {
		path_a = argv[2];
		path_b = argv[3];
		return race_open(atol(argv[4]));
	}
	if (argc == 4 && !strcmp(argv[1], "exec"))
		return race_exec(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "send"))
		return race_send(atol(argv[2]));
	fprintf(stderr, "usage: toctou open BLOCKED ALLOWED N | exec PROG N | send N\n");
	return 2;
}
