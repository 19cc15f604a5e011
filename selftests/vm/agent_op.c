// SPDX-License-Identifier: GPL-2.0-only
/*
 * A compiled "agent" for the policy selftests: performs one operation with
 * plain system calls and prints "ok" or the errno name, so tests can run
 * the same scenario from a shell, from Python and from a C program.
 *
 *   agent_op exec PROG ARGS...       fork + execv; "ok" once the program ran,
 *                                    "KILLED" if SIGKILL ended it at the exec
 *                                    (the fmod_ret mode's refusal of arguments)
 *   agent_op read FILE | write FILE | unlink FILE
 *   agent_op send HOST PORT FILE     UDP sendto of FILE's content (v4 or v6)
 *   agent_op pipe-send HOST PORT     UDP sendto of stdin's first line
 *   agent_op writes N FILE           the write above N times; "ok" if all were
 *   agent_op chroot DIR OP ARGS...   OP with DIR as the root (and cwd)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int report(int ok)
{
	if (ok) {
		printf("ok\n");
		return 0;
	}
	printf("%s\n", errno == EPERM ? "EPERM" : strerror(errno));
	return 1;
}

static int send_to(const char *host, const char *port, const char *buf, size_t len)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(atoi(port)) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	int fd, v6 = strchr(host, ':') != NULL;

	if (v6)
		inet_pton(AF_INET6, host, &s6.sin6_addr);
	else
		inet_pton(AF_INET, host, &s4.sin_addr);
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return report(0);
	return report(sendto(fd, buf, len, 0, v6 ? (struct sockaddr *)&s6 : (struct sockaddr *)&s4,
			     v6 ? sizeof(s6) : sizeof(s4)) >= 0);
}

int main(int argc, char **argv)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: agent_op OP ARGS...\n");
		return 2;
	}
	if (!strcmp(argv[1], "chroot") && argc > 3) {
		if (chroot(argv[2]) || chdir("/"))
			return report(0);
		return main(argc - 2, argv + 2);
	}
	if (!strcmp(argv[1], "exec")) {
		int p[2], err = 0, st;
		pid_t pid;

		if (pipe2(p, O_CLOEXEC))
			return report(0);
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			execv(argv[2], argv + 2);
			err = errno;
			if (write(p[1], &err, sizeof(err)) < 0)
				_exit(127);
			_exit(126);
		}
		close(p[1]);
		if (read(p[0], &err, sizeof(err)) == sizeof(err))
			errno = err;	/* the exec itself failed */
		else
			err = 0;
		waitpid(pid, &st, 0);
		if (!err && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
			printf("KILLED\n");
			return 1;
		}
		return report(!err);
	}
	if (!strcmp(argv[1], "read")) {
		fd = open(argv[2], O_RDONLY);
		return report(fd >= 0 && read(fd, buf, sizeof(buf)) >= 0);
	}
	if (!strcmp(argv[1], "write")) {
		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		return report(fd >= 0 && write(fd, "x\n", 2) == 2);
	}
	if (!strcmp(argv[1], "writes") && argc == 4) {
		int i, ok = 1;

		for (i = 0; ok && i < atoi(argv[2]); i++) {
			fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
			ok = fd >= 0 && write(fd, "x\n", 2) == 2;
			if (fd >= 0)
				close(fd);
		}
		return report(ok);
	}
	if (!strcmp(argv[1], "unlink"))
		return report(unlink(argv[2]) == 0);
	if (!strcmp(argv[1], "send") && argc == 5) {
		fd = open(argv[4], O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (n < 0)
			return report(0);
		return send_to(argv[2], argv[3], buf, (size_t)n);
	}
	if (!strcmp(argv[1], "pipe-send") && argc == 4) {
		n = read(0, buf, sizeof(buf));
		return send_to(argv[2], argv[3], buf, n > 0 ? (size_t)n : 0);
	}
	fprintf(stderr, "agent_op: unknown operation %s\n", argv[1]);
	return 2;
}
