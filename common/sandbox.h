/* sandbox.h: confine a process once it has everything it needs.
 *
 * A server that has bound its sockets, dropped root and loaded its zones
 * needs very little of the file system afterwards: to re-read its zone
 * files on SIGHUP and to open the FIFOs it streams from. sandbox_enter()
 * removes the rest with Landlock (Linux 5.13 and later, raw system calls,
 * no library): every file-system right is denied except reading files
 * beneath the directories the policy names, and (Landlock ABI 4 and
 * later) binding or connecting TCP sockets is denied too. Executing any
 * program, writing, creating, renaming or removing any file is then
 * impossible, also for code an attacker managed to run.
 *
 * The restriction is irrevocable and inherited by every thread created
 * afterwards and by children; threads that already exist keep their
 * freedom, so call it before starting any.
 *
 * Where the kernel lacks Landlock (or it is disabled), nothing is
 * applied and the caller is told so it can warn. */
#ifndef LBDNS_SANDBOX_H
#define LBDNS_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

struct sandbox_policy {
	/* Readable paths. A directory grants reading every file beneath it;
	 * any other path grants reading files in the directory that holds
	 * it, so a file replaced by rename (lbdns-zone -i, editors) stays
	 * readable. Paths that do not exist are skipped. */
	const char *const *read_paths;
	size_t nread;
	/* Also forbid binding and connecting TCP sockets (no effect where
	 * the kernel's Landlock predates network rules). */
	bool deny_tcp;
};

/* sandbox_enter() results besides the negative LB_E* codes. */
enum {
	SANDBOX_ENFORCED = 0,      /* the policy is in force */
	SANDBOX_UNSUPPORTED = 1,   /* no Landlock here: nothing applied */
};

/* Apply POLICY to the calling thread and everything it creates later.
 * Returns SANDBOX_ENFORCED, SANDBOX_UNSUPPORTED, or LB_EIO (errno set)
 * when the kernel refused a step: then no Landlock rule is in force
 * (no_new_privs may be). */
int sandbox_enter(const struct sandbox_policy *policy);

/* The Landlock ABI version the kernel offers, 0 when none. */
int sandbox_abi(void);

#endif
