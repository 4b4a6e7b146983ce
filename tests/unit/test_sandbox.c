/* test_sandbox.c: sandbox_enter() in a forked child forbids what the
 * policy does not name and still allows what it does. */
#include "common/sandbox.h"
#include "common/util.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

/* What the child found, one flag per probe, sent back through a pipe. */
struct probe_result {
	int enter_rc;
	int read_allowed;        /* a file in the allowed directory */
	int read_replaced;       /* a file renamed over it after entering */
	int passwd_errno;        /* opening /etc/passwd */
	int write_errno;         /* creating a file in the allowed directory */
	int exec_errno;          /* execve("/bin/true") */
	int connect_errno;       /* TCP connect to a loopback listener */
	int udp_ok;              /* a UDP socket still works */
};

static char dir[64], file[96], spare[96];

static int read_ok(const char *path, const char *want)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, want) == 0;
}

static int open_errno(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

static int connect_errno(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), e = 0;

	if (fd < 0)
		return errno;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		e = errno;
	close(fd);
	return e;
}

static void child(int out, int go, int port, int deny_tcp)
{
	const char *paths[] = { file };
	struct sandbox_policy pol = { paths, 1, deny_tcp != 0 };
	struct probe_result r;
	char c;
	char *const argv[] = { (char *)"/bin/true", NULL };
	int fd;

	memset(&r, 0, sizeof(r));
	r.enter_rc = sandbox_enter(&pol);
	r.read_allowed = read_ok(file, "zone v1\n");
	/* The parent renames a new file over FILE, then says go. */
	c = 'e';
	if (write(out, &c, 1) != 1 || read(go, &c, 1) != 1)
		_exit(3);
	r.read_replaced = read_ok(file, "zone v2\n");
	r.passwd_errno = open_errno("/etc/passwd", O_RDONLY);
	r.write_errno = open_errno(spare, O_WRONLY | O_CREAT | O_TRUNC);
	execve(argv[0], argv, NULL);
	r.exec_errno = errno;
	r.connect_errno = connect_errno(port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r.udp_ok = fd >= 0;
	if (fd >= 0)
		close(fd);
	if (write(out, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(3);
	_exit(0);
}

static int write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

/* A loopback TCP listener on an ephemeral port; returns its fd. */
static int listener(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0
	    || listen(fd, 8) < 0 || getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		return -1;
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Run the child with DENY_TCP; 0 and *R filled, or -1. */
static int run_child(int deny_tcp, int port, struct probe_result *r)
{
	int res[2], go[2], status;
	pid_t pid;
	char tmp[128], c;

	if (write_file(file, "zone v1\n") < 0 || pipe(res) < 0 || pipe(go) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(res[0]);
		close(go[1]);
		child(res[1], go[0], port, deny_tcp);
	}
	close(res[1]);
	close(go[0]);
	/* Once the child is confined, replace the allowed file as
	 * lbdns-zone -i does: a new file renamed over it. */
	if (read(res[0], &c, 1) != 1)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.new", file);
	if (write_file(tmp, "zone v2\n") < 0 || rename(tmp, file) < 0)
		return -1;
	if (write(go[1], "g", 1) != 1)
		return -1;
	close(go[1]);
	memset(r, 0, sizeof(*r));
	if (read(res[0], r, sizeof(*r)) != (ssize_t)sizeof(*r))
		r->enter_rc = -100;
	close(res[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return 0;
}

static void test_enforced(int port)
{
	struct probe_result r;

	ok(run_child(1, port, &r) == 0, "the sandboxed child ran to its end");
	is_int(r.enter_rc, SANDBOX_ENFORCED, "sandbox_enter: enforced");
	ok(r.read_allowed, "a file named by the policy is readable");
	ok(r.read_replaced, "and still readable after being replaced by rename");
	is_int(r.passwd_errno, EACCES, "/etc/passwd cannot be opened");
	is_int(r.write_errno, EACCES, "no file can be created, even in the readable directory");
	is_int(r.exec_errno, EACCES, "execve is refused");
	if (sandbox_abi() >= 4)
		is_int(r.connect_errno, EACCES, "a TCP connect is refused (Landlock ABI 4+)");
	else
		ok(1, "# SKIP TCP rules need Landlock ABI 4, kernel has %d", sandbox_abi());
	ok(r.udp_ok, "UDP sockets still work");
	ok(access(spare, F_OK) != 0, "nothing was written");
}

static void test_tcp_allowed(int port)
{
	struct probe_result r;

	ok(run_child(0, port, &r) == 0, "child without deny_tcp ran");
	is_int(r.connect_errno, 0, "without deny_tcp a TCP connect works");
	is_int(r.passwd_errno, EACCES, "the file system is still confined");
}

/* A policy naming nothing readable (and a path that does not exist,
 * which is skipped): every file is out of reach, even the test's own. */
static void test_nothing_readable(void)
{
	const char *paths[] = { "/nonexistent/lbdns/zone" };
	struct sandbox_policy pol = { paths, 1, false };
	int st, p[2];
	int res[2] = { -1, -1 };
	pid_t pid;

	if (write_file(file, "zone v1\n") < 0 || pipe(p) < 0) {
		ok(0, "setup");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		res[0] = sandbox_enter(&pol);
		res[1] = open_errno(file, O_RDONLY);
		_exit(write(p[1], res, sizeof(res)) == (ssize_t)sizeof(res) ? 0 : 3);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], res, sizeof(res)) != (ssize_t)sizeof(res))
		res[0] = -100;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	is_int(res[0], SANDBOX_ENFORCED, "a missing path is skipped, the rest enforced");
	is_int(res[1], EACCES, "with nothing readable, the allowed file of before is not");
}

static void test_parent_free(void)
{
	/* The restriction stays in the child: the test process is free. */
	is_int(open_errno("/etc/passwd", O_RDONLY), 0, "the parent is not confined");
	is_int(open_errno(spare, O_WRONLY | O_CREAT | O_TRUNC), 0, "the parent can write");
	unlink(spare);
}

int main(void)
{
	int lfd, port = 0;

	snprintf(dir, sizeof(dir), "/tmp/lbdns-sandbox-XXXXXX");
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	snprintf(file, sizeof(file), "%s/example.zone", dir);
	snprintf(spare, sizeof(spare), "%s/written", dir);
	diag("Landlock ABI %d", sandbox_abi());
	if (sandbox_abi() <= 0) {
		struct sandbox_policy none = { NULL, 0, false };
		is_int(sandbox_enter(&none), SANDBOX_UNSUPPORTED,
		       "without Landlock: reported unsupported # SKIP no Landlock");
	} else {
		lfd = listener(&port);
		ok(lfd >= 0, "loopback listener");
		test_enforced(port);
		test_tcp_allowed(port);
		test_nothing_readable();
		close(lfd);
		test_parent_free();
	}
	unlink(file);
	rmdir(dir);
	return done_testing();
}
