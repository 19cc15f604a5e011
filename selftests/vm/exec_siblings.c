// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sibling threads of an image that execs a declassifier must not send with
 * its trust.  The process reads SECRET (labeling itself), starts NTHREADS
 * threads that connect a UDP socket to 127.0.0.1:9 over and over (the
 * policy blocks it while the process carries the label) and append one
 * byte to HITS for every connect that succeeds; once every thread has been
 * refused at least once, the main thread execs HELPER, the declassifier.
 * The siblings keep running until the exec's de_thread: if the trust were
 * committed before that (at bprm_check_security), their connects would
 * succeed in the window.
 *
 *   exec_siblings SECRET HITS NTHREADS HELPER [ARGS...]
 *
 * Prints "refused N" (connects refused before the exec, from every
 * thread) and then execs HELPER; exit 1 if a thread could not start or was
 * never refused, 2 on usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int hits_fd;
static atomic_long refused;
static atomic_int started_refused;	/* threads refused at least once */

static void *sibling(void *arg)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(9),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int first = 1;

	(void)arg;
	for (;;) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);

		if (s < 0)
			continue;
		if (connect(s, (struct sockaddr *)&dst, sizeof(dst)) == 0) {
			if (write(hits_fd, "x", 1) != 1)
				_exit(3);
		} else if (errno == EPERM) {
			atomic_fetch_add(&refused, 1);
			if (first) {
				first = 0;
				atomic_fetch_add(&started_refused, 1);
			}
		}
		close(s);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	char buf[256];
	pthread_t t;
	int fd, n, i;

	if (argc < 5) {
		fprintf(stderr, "usage: exec_siblings SECRET HITS NTHREADS HELPER [ARGS...]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) < 0) {
		perror(argv[1]);
		return 1;
	}
	close(fd);
	hits_fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (hits_fd < 0) {
		perror(argv[2]);
		return 1;
	}
	n = atoi(argv[3]);
	for (i = 0; i < n; i++) {
		if (pthread_create(&t, NULL, sibling, NULL)) {
			fprintf(stderr, "exec_siblings: pthread_create failed\n");
			return 1;
		}
	}
	for (i = 0; i < 10000 && atomic_load(&started_refused) < n; i++)
		usleep(1000);
	if (atomic_load(&started_refused) < n) {
		fprintf(stderr, "exec_siblings: only %d of %d threads were refused\n",
			atomic_load(&started_refused), n);
		return 1;
	}
	printf("refused %ld\n", atomic_load(&refused));
	fflush(stdout);
	execv(argv[4], argv + 4);
	perror(argv[4]);
	return 1;
}
