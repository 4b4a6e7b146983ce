/* checks_exec.c: exec:COMMAND, run as /bin/sh -c COMMAND in its own
 * process group with stdin/stdout/stderr on /dev/null. Exit 0 = up.
 *
 * The environment is the probe's plus LBDNS_NAME, LBDNS_ADDRESS and
 * LBDNS_ATTR_<KEY> for every attribute (KEY upper-cased, other characters
 * than letters and digits turned into '_'). The child's end is seen
 * through a pidfd in the event loop; at the timeout the whole process
 * group is killed, so a hanging script cannot leave helpers behind. */
#include "cmd/lbdns-probe/probe.h"
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char *env_pair(const char *prefix, const char *key, const char *value)
{
	size_t lp = strlen(prefix), lk = strlen(key), lv = strlen(value);
	char *s = xmalloc(lp + lk + lv + 2);

	memcpy(s, prefix, lp);
	for (size_t i = 0; i < lk; i++) {
		unsigned char ch = (unsigned char)key[i];
		s[lp + i] = isalnum(ch) ? (char)toupper(ch) : '_';
	}
	s[lp + lk] = '=';
	memcpy(s + lp + lk + 1, value, lv + 1);
	return s;
}

/* environ without LBDNS_* entries, then ours; NULL-terminated, every
 * string of ours allocated (freed by exec_env_free from index *OWN on). */
static char **exec_env(const struct check *c, size_t *own)
{
	char addr[64];
	size_t n = 0, k = 0;

	while (environ[n] != NULL)
		n++;
	char **env = xcalloc(n + c->host->nattrs + 3, sizeof *env);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LBDNS_", 6) != 0)
			env[k++] = environ[i];
	*own = k;
	env[k++] = env_pair("LBDNS_", "NAME", c->host->name);
	env[k++] = env_pair("LBDNS_", "ADDRESS", host_addr_str(c->host, addr, sizeof addr));
	for (size_t i = 0; i < c->host->nattrs; i++)
		env[k++] = env_pair("LBDNS_ATTR_", c->host->attrs[i].key, c->host->attrs[i].value);
	env[k] = NULL;
	return env;
}

static void exec_env_free(char **env, size_t own)
{
	for (size_t i = own; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

static void exec_reaped(struct check *c, int status)
{
	char tok[32];

	loop_io_del(c->probe->loop, &c->io);
	close(c->io.fd);
	c->io.fd = -1;
	c->pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		probe_done(c, true, NULL);
		return;
	}
	if (WIFEXITED(status))
		snprintf(tok, sizeof tok, "exit-%d", WEXITSTATUS(status));
	else
		snprintf(tok, sizeof tok, "signal-%d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	probe_done(c, false, tok);
}

static void exec_ready(struct loop_io *io, uint32_t events)
{
	struct check *c = io->arg;
	int status = 0;
	pid_t r;

	(void)events;
	r = waitpid(c->pid, &status, WNOHANG);
	if (r == 0)
		return;         /* spurious */
	if (r < 0)
		status = 0xff00; /* lost: report as exit 255 */
	exec_reaped(c, status);
}

static int exec_spawn(struct check *c, pid_t *pid)
{
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	sigset_t none, dfl;
	size_t own;
	char *argv[] = { "/bin/sh", "-c", c->spec.command, NULL };
	char **env = exec_env(c, &own);
	int r;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);   /* the probe ignores it; the check must not */
	sigaddset(&dfl, SIGHUP);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	                         POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* libcurl and getdns sockets must not leak into checks */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	r = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	exec_env_free(env, own);
	return r;
}

void exec_start(struct check *c)
{
	pid_t pid;
	int r = exec_spawn(c, &pid);

	if (r != 0) {
		probe_done(c, false, "spawn-failed");
		return;
	}
	c->pid = pid;
	/* a pidfd gets readable when the child exits, even if it already has */
	c->io.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	c->io.want = EPOLLIN;
	c->io.fn = exec_ready;
	c->io.arg = c;
	if (c->io.fd < 0 || loop_io_set(c->probe->loop, &c->io) != 0) {
		int status = 0;
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (c->io.fd >= 0)
			close(c->io.fd);
		c->io.fd = -1;
		c->pid = 0;
		probe_done(c, false, "no-descriptors");
	}
}

void exec_abort(struct check *c)
{
	int status;

	if (c->pid <= 0)
		return;
	/* the group: sh and whatever it started */
	kill(-c->pid, SIGKILL);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	loop_io_del(c->probe->loop, &c->io);
	close(c->io.fd);
	c->io.fd = -1;
	c->pid = 0;
}
