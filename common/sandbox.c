/* sandbox.c: Landlock confinement (sandbox.h). */
#include "common/sandbox.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/landlock.h>
#endif

#if defined(__linux__) && defined(SYS_landlock_create_ruleset)

/* The installed header may be older than the kernel: the rights and the
 * attribute fields of later ABIs are spelled out here. The kernel takes
 * a larger attribute than it knows as long as the extra fields are 0. */
#define LL_FS_EXECUTE     (1ULL << 0)
#define LL_FS_WRITE_FILE  (1ULL << 1)
#define LL_FS_READ_FILE   (1ULL << 2)
#define LL_FS_READ_DIR    (1ULL << 3)
#define LL_FS_ABI1        ((1ULL << 13) - 1)   /* every right of ABI 1 */
#define LL_FS_REFER       (1ULL << 13)         /* ABI 2 */
#define LL_FS_TRUNCATE    (1ULL << 14)         /* ABI 3 */
#define LL_FS_IOCTL_DEV   (1ULL << 15)         /* ABI 5 */
#define LL_NET_BIND_TCP   (1ULL << 0)          /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif

int sandbox_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	                 LANDLOCK_CREATE_RULESET_VERSION);

	return v > 0 ? (int)v : 0;
}

static uint64_t fs_rights(int abi)
{
	uint64_t r = LL_FS_ABI1;

	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

/* Allow reading beneath PATH (a directory) or beneath the directory that
 * holds PATH (anything else). 0, 1 when the path is skipped, or LB_EIO. */
static int add_read_rule(int ruleset, const char *path)
{
	struct ll_path_beneath pb;
	struct stat sb;
	char dir[4096];
	const char *target = path;
	int fd, rc;

	if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		const char *slash = strrchr(path, '/');
		size_t len;

		if (!slash) {
			target = ".";
		} else {
			len = slash == path ? 1 : (size_t)(slash - path);
			if (len >= sizeof(dir))
				return 1;
			memcpy(dir, path, len);
			dir[len] = '\0';
			target = dir;
		}
	}
	fd = open(target, O_PATH | O_CLOEXEC | O_DIRECTORY);
	if (fd < 0)
		return 1;   /* nothing there to read now, nor later */
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = LL_FS_READ_FILE | LL_FS_READ_DIR;
	pb.parent_fd = fd;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
	                  &pb, 0);
	if (rc < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return LB_EIO;
	}
	close(fd);
	return 0;
}

static int fill_ruleset(int ruleset, const struct sandbox_policy *p)
{
	for (size_t i = 0; i < p->nread; i++) {
		if (add_read_rule(ruleset, p->read_paths[i]) < 0)
			return LB_EIO;
	}
#ifdef SANDBOX_SANITIZER
	/* LeakSanitizer reads /proc/self/maps and /proc/self/task at exit. */
	if (add_read_rule(ruleset, "/proc") < 0)
		return LB_EIO;
#endif
	return 0;
}

int sandbox_enter(const struct sandbox_policy *policy)
{
	struct ll_ruleset_attr attr;
	size_t attr_size = sizeof(attr.handled_access_fs);
	int abi = sandbox_abi(), ruleset, rc;

	if (abi <= 0)
		return SANDBOX_UNSUPPORTED;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = fs_rights(abi);
	if (policy->deny_tcp && abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		attr_size = sizeof(attr);
	}
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (ruleset < 0)
		return errno == ENOSYS || errno == EOPNOTSUPP ? SANDBOX_UNSUPPORTED : LB_EIO;
	rc = fill_ruleset(ruleset, policy);
	/* Without no_new_privs an unprivileged process may not restrict
	 * itself; it also makes set-user-ID programs inert. */
	if (rc == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		rc = LB_EIO;
	if (rc == 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		rc = LB_EIO;
	{
		int e = errno;
		close(ruleset);
		errno = e;
	}
	return rc == 0 ? SANDBOX_ENFORCED : rc;
}

#else /* no Landlock system calls on this platform */

int sandbox_abi(void)
{
	return 0;
}

int sandbox_enter(const struct sandbox_policy *policy)
{
	(void)policy;
	return SANDBOX_UNSUPPORTED;
}

#endif
