// SPDX-License-Identifier: GPL-2.0-only
/*
 * apbench — ActPlane micro-benchmarks and benchmark helpers.
 *
 *   apbench list                          the benchmarks, one per line
 *   apbench run [--scale F] [--dir D] [BENCH...]
 *       run each benchmark once (one trial) and print "NAME NS_PER_OP ITERS"
 *   apbench mkfiles DIR N                 create N files of 16 bytes in DIR
 *   apbench spawn N                       fork N children that wait; print
 *       "ready" when all exist, then wait for EOF on stdin and reap them
 *   apbench time CMD [ARG...]             run CMD, print "time NS" (stdout of
 *       CMD goes to /dev/null); exit status is CMD's
 *   apbench hammer PATH                   open PATH for reading in a loop until
 *       SIGTERM; print "ready" after the first try, then "opens N allowed A
 *       denied D other O" (reload test: a rule denies PATH in every policy)
 *
 * Under qemu -icount shift=0 guest time advances one nanosecond per guest
 * instruction, so NS_PER_OP is an instruction count per operation.  The
 * tool only measures; the driver (bench.py) alternates configurations,
 * repeats trials and takes medians.  No expectation is hard-coded here.
 *
 * Each benchmark times a loop (or a batch) of one operation with
 * CLOCK_MONOTONIC around the whole loop; where an operation needs setup or
 * teardown that is not part of it (closing what `open` opened, draining
 * what `sendto` sent, accepting what `connect` connected), that happens
 * outside the timed batch.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define BATCH_MAX 256

static const char *work_dir = "/tmp/apbench-work";
static char path_rd[4096], path_wr[4096];
static char buf[4096];

static void die(const char *what)
{
	fprintf(stderr, "apbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- the benchmarks: each runs @n operations and returns the ns spent ---- */

static uint64_t b_fork(long n)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (p == 0)
			_exit(0);
		if (waitpid(p, NULL, 0) != p)
			die("waitpid");
	}
	return now_ns() - t0;
}

static uint64_t b_exec(long n)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int st;
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (p == 0) {
			execve("/bin/true", argv, envp);
			_exit(127);
		}
		if (waitpid(p, &st, 0) != p)
			die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "apbench: /bin/true failed (status %#x)\n", st);
			exit(1);
		}
	}
	return now_ns() - t0;
}

/* open alone: open a batch, time it, close the batch untimed */
static uint64_t b_open(long n)
{
	int fds[BATCH_MAX];
	uint64_t t = 0;

	for (long done = 0; done < n;) {
		long k = n - done < BATCH_MAX ? n - done : BATCH_MAX;
		uint64_t t0 = now_ns();

		for (long i = 0; i < k; i++)
			fds[i] = open(path_rd, O_RDONLY);
		t += now_ns() - t0;
		for (long i = 0; i < k; i++) {
			if (fds[i] < 0)
				die("open");
			close(fds[i]);
		}
		done += k;
	}
	return t;
}

static uint64_t b_open_close(long n)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int fd = open(path_rd, O_RDONLY);

		if (fd < 0)
			die("open");
		close(fd);
	}
	return now_ns() - t0;
}

/* open for writing (what `open` rules match) */
static uint64_t b_openw_close(long n)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int fd = open(path_wr, O_WRONLY);

		if (fd < 0)
			die("open for writing");
		close(fd);
	}
	return now_ns() - t0;
}

static uint64_t b_read4k(long n)
{
	int fd = open(path_rd, O_RDONLY);
	uint64_t t0, t;

	if (fd < 0)
		die("open");
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (pread(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			die("pread");
	t = now_ns() - t0;
	close(fd);
	return t;
}

/* The same reads from a second thread, as a thread pool's worker does them. */
struct worker_run {
	long n;
	uint64_t t;
};

static void *read4k_worker(void *arg)
{
	struct worker_run *w = arg;

	w->t = b_read4k(w->n);
	return NULL;
}

static uint64_t b_read4k_thread(long n)
{
	struct worker_run w = { .n = n };
	pthread_t th;

	if (pthread_create(&th, NULL, read4k_worker, &w) || pthread_join(th, NULL))
		die("thread");
	return w.t;
}

static uint64_t b_write4k(long n)
{
	int fd = open(path_wr, O_WRONLY);
	uint64_t t0, t;

	if (fd < 0)
		die("open");
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			die("pwrite");
	t = now_ns() - t0;
	close(fd);
	return t;
}

static uint64_t b_pipe(long n)
{
	int p[2];
	uint64_t t0, t;

	if (pipe(p))
		die("pipe");
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (write(p[1], buf, 64) != 64)
			die("pipe write");
		if (read(p[0], buf, 64) != 64)
			die("pipe read");
	}
	t = now_ns() - t0;
	close(p[0]);
	close(p[1]);
	return t;
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A bound loopback socket of @type; its address in @a. */
static int bound_socket(int type, struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, type, 0);

	*a = loopback(0);
	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)a, sizeof(*a)) || getsockname(fd, (struct sockaddr *)a, &len))
		die("bind");
	return fd;
}

static uint64_t b_udp_connect(long n)
{
	struct sockaddr_in dst;
	int rx = bound_socket(SOCK_DGRAM, &dst);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint64_t t0, t;

	if (fd < 0)
		die("socket");
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)))
			die("udp connect");
	t = now_ns() - t0;
	close(fd);
	close(rx);
	return t;
}

/* sendto in batches that fit the receive buffer; drain between batches */
static uint64_t b_udp_sendto(long n)
{
	struct sockaddr_in dst;
	int rx = bound_socket(SOCK_DGRAM, &dst);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rcvbuf = 1 << 20;
	uint64_t t = 0;

	if (fd < 0)
		die("socket");
	setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	for (long done = 0; done < n;) {
		long k = n - done < 64 ? n - done : 64;
		uint64_t t0 = now_ns();

		for (long i = 0; i < k; i++)
			if (sendto(fd, buf, 64, 0, (struct sockaddr *)&dst, sizeof(dst)) != 64)
				die("sendto");
		t += now_ns() - t0;
		for (long i = 0; i < k; i++)
			if (recv(rx, buf, sizeof(buf), 0) != 64)
				die("recv");
		done += k;
	}
	close(fd);
	close(rx);
	return t;
}

/*
 * TCP connect over loopback: sockets created and connections accepted and
 * reset (SO_LINGER 0: no TIME_WAIT) outside the timed batch of connects.
 */
static uint64_t b_tcp_connect(long n)
{
	struct sockaddr_in dst;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int lfd = bound_socket(SOCK_STREAM, &dst);
	int fds[32];
	uint64_t t = 0;

	if (listen(lfd, 64))
		die("listen");
	for (long done = 0; done < n;) {
		long k = n - done < 32 ? n - done : 32;
		uint64_t t0;

		for (long i = 0; i < k; i++) {
			fds[i] = socket(AF_INET, SOCK_STREAM, 0);
			if (fds[i] < 0)
				die("socket");
			setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		t0 = now_ns();
		for (long i = 0; i < k; i++)
			if (connect(fds[i], (struct sockaddr *)&dst, sizeof(dst)))
				die("tcp connect");
		t += now_ns() - t0;
		for (long i = 0; i < k; i++) {
			int a = accept(lfd, NULL, NULL);

			if (a < 0)
				die("accept");
			close(fds[i]);
			close(a);
		}
		done += k;
	}
	close(lfd);
	return t;
}

static uint64_t b_stat(long n)
{
	struct stat st;
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		if (stat(path_rd, &st))
			die("stat");
	return now_ns() - t0;
}

/*
 * Iterations at --scale 1: chosen so that each benchmark executes roughly
 * 20-40 million guest instructions per trial in configuration (a).
 */
static const struct bench {
	const char *name;
	uint64_t (*fn)(long n);
	long iters;
	const char *what;
} benches[] = {
	{ "fork",        b_fork,        300,   "fork + _exit + waitpid" },
	{ "exec",        b_exec,        60,    "fork + execve /bin/true + waitpid" },
	{ "open",        b_open,        4096,  "open O_RDONLY (closed untimed)" },
	{ "open_close",  b_open_close,  4096,  "open O_RDONLY + close" },
	{ "openw_close", b_openw_close, 4096,  "open O_WRONLY + close" },
	{ "read4k",      b_read4k,      8192,  "pread 4 KiB (tmpfs)" },
	{ "read4k_thread", b_read4k_thread, 4096, "pread 4 KiB (tmpfs) from a second thread" },
	{ "write4k",     b_write4k,     8192,  "pwrite 4 KiB (tmpfs)" },
	{ "pipe",        b_pipe,        8192,  "write 64 B + read 64 B on a pipe" },
	{ "udp_connect", b_udp_connect, 8192,  "connect a UDP socket to 127.0.0.1" },
	{ "udp_sendto",  b_udp_sendto,  4096,  "sendto 64 B to 127.0.0.1 (drained untimed)" },
	{ "tcp_connect", b_tcp_connect, 512,   "TCP connect to 127.0.0.1 (accept/close untimed)" },
	{ "stat",        b_stat,        8192,  "stat (tmpfs)" },
	{ NULL, NULL, 0, NULL },
};

static void setup_files(void)
{
	int fd;

	if (mkdir(work_dir, 0755) && errno != EEXIST)
		die(work_dir);
	snprintf(path_rd, sizeof(path_rd), "%s/read.dat", work_dir);
	snprintf(path_wr, sizeof(path_wr), "%s/write.dat", work_dir);
	memset(buf, 'x', sizeof(buf));
	fd = open(path_rd, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || close(fd))
		die(path_rd);
	fd = open(path_wr, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || close(fd))
		die(path_wr);
}

static int cmd_run(int argc, char **argv)
{
	double scale = 1.0;
	int i, ran = 0;

	for (i = 0; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale = atof(argv[++i]);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			work_dir = argv[++i];
		else {
			fprintf(stderr, "apbench run: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	setup_files();
	for (const struct bench *b = benches; b->name; b++) {
		long n;
		uint64_t t;

		if (i < argc) {
			int want = 0;

			for (int j = i; j < argc; j++)
				want |= !strcmp(argv[j], b->name);
			if (!want)
				continue;
		}
		n = (long)(b->iters * scale);
		if (n < 1)
			n = 1;
		t = b->fn(n);
		printf("%s %.1f %ld\n", b->name, (double)t / (double)n, n);
		fflush(stdout);
		ran++;
	}
	if (!ran) {
		fprintf(stderr, "apbench run: no benchmark selected\n");
		return 2;
	}
	return 0;
}

static int cmd_mkfiles(const char *dir, long n)
{
	char p[4096];

	if (mkdir(dir, 0755) && errno != EEXIST)
		die(dir);
	for (long i = 0; i < n; i++) {
		int fd;

		snprintf(p, sizeof(p), "%s/f%06ld", dir, i);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16 || close(fd))
			die(p);
	}
	return 0;
}

/* Children inherit the parent's labels at fork; they block on a pipe. */
static int cmd_spawn(long n)
{
	int p[2];
	char c;

	if (pipe(p))
		die("pipe");
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(p[1]);
			while (read(p[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	close(p[0]);
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	close(p[1]);	/* EOF: every child exits */
	while (wait(NULL) > 0)
		;
	return 0;
}

/* Time a whole command (macro benchmarks), measured from inside the guest. */
static int cmd_time(char **argv)
{
	uint64_t t0 = now_ns();
	int st;
	pid_t p = fork();

	if (p < 0)
		die("fork");
	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "apbench time: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(p, &st, 0) != p)
		die("waitpid");
	printf("time %llu\n", (unsigned long long)(now_ns() - t0));
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static volatile sig_atomic_t stop_hammer;

static void on_term(int sig)
{
	stop_hammer = 1;
}

static int cmd_hammer(const char *path)
{
	struct sigaction sa = { .sa_handler = on_term };
	long n = 0, allowed = 0, denied = 0, other = 0;

	sigaction(SIGTERM, &sa, NULL);
	while (!stop_hammer) {
		int fd = open(path, O_RDONLY);

		if (fd >= 0) {
			allowed++;
			close(fd);
		} else if (errno == EPERM) {
			denied++;
		} else {
			other++;
		}
		if (++n == 1) {
			printf("ready\n");
			fflush(stdout);
		}
	}
	printf("opens %ld allowed %ld denied %ld other %ld\n", n, allowed, denied, other);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: apbench list | run [--scale F] [--dir D] [BENCH...] |"
		" mkfiles DIR N | spawn N | time CMD [ARG...] | hammer PATH\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "list")) {
		for (const struct bench *b = benches; b->name; b++)
			printf("%s\t%s\n", b->name, b->what);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "mkfiles") && argc == 4)
		return cmd_mkfiles(argv[2], atol(argv[3]));
	if (!strcmp(argv[1], "spawn") && argc == 3)
		return cmd_spawn(atol(argv[2]));
	if (!strcmp(argv[1], "hammer") && argc == 3)
		return cmd_hammer(argv[2]);
	if (!strcmp(argv[1], "time") && argc >= 3)
		return cmd_time(argv + 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
