/* privs.h: giving up root once the sockets are bound. */
#ifndef LBDNS_SERVE_PRIVS_H
#define LBDNS_SERVE_PRIVS_H

/* Look USER up (before any chroot, while /etc/passwd is visible), chroot
 * to DIR if given, then set the supplementary groups to USER's primary
 * group alone, the real/effective/saved group and user IDs to USER's,
 * and check that root cannot be regained. Either argument may be NULL.
 * Returns 0, or -1 with a message on stderr (the caller must exit: a
 * half-dropped process is worse than none). */
int privs_drop(const char *user, const char *dir);

#endif
