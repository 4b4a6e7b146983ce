/* privs.c: drop root after binding (privs.h). */
#include "cmd/lbdns-serve/privs.h"
#include "common/util.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

int privs_drop(const char *user, const char *dir)
{
	struct passwd *pw = NULL;
	uid_t uid = 0;
	gid_t gid = 0;

	if (user) {
		errno = 0;
		pw = getpwnam(user);
		if (!pw) {
			if (errno)
				lb_warn("user %s", user);
			else
				lb_warnx("user %s: no such user", user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (dir) {
		if (chroot(dir) < 0 || chdir("/") < 0) {
			lb_warn("chroot %s", dir);
			return -1;
		}
	}
	if (!user)
		return 0;
	/* Groups first: once the user ID is gone, so is the right to
	 * change them. */
	if (setgroups(1, &gid) < 0) {
		lb_warn("setgroups");
		return -1;
	}
	if (setresgid(gid, gid, gid) < 0) {
		lb_warn("setresgid %u", (unsigned)gid);
		return -1;
	}
	if (setresuid(uid, uid, uid) < 0) {
		lb_warn("setresuid %u", (unsigned)uid);
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		lb_warnx("root could be regained after dropping to %s", user);
		return -1;
	}
	return 0;
}
