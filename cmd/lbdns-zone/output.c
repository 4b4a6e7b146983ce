/* output.c: all-or-nothing output files, as tinydns-data writes data.cdb:
 * write a temporary file beside the target, fsync it, rename it over the
 * target. A reader sees the old file or the new one, never half of one,
 * and a failure leaves the target as it was. */
#include "cmd/lbdns-zone/lbzone.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Mode of the new file: that of the file it replaces, else 0666 less the
 * umask, as a plain creat() would give. */
static mode_t target_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (stat(path, &st) == 0)
		return st.st_mode & 07777;
	mask = umask(022);
	umask(mask);
	return 0666 & ~mask;
}

int outfile_open(struct outfile *o, const char *path)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fp = stdout;
		return 0;
	}
	o->path = xstrdup(path);
	o->tmp = xmalloc(strlen(path) + 16);
	sprintf(o->tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		lb_warn("%s: cannot create temporary file", o->tmp);
		free(o->tmp);
		free(o->path);
		o->tmp = o->path = NULL;
		return -1;
	}
	if (fchmod(fd, target_mode(path)) != 0)
		lb_warn("%s: chmod", o->tmp);
	o->fp = fdopen(fd, "w");
	if (o->fp == NULL) {
		lb_warn("%s", o->tmp);
		close(fd);
		outfile_abort(o);
		return -1;
	}
	return 0;
}

/* fsync the directory so the rename itself survives a crash. */
static void sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int outfile_commit(struct outfile *o)
{
	int r = 0;

	if (o->path == NULL)
		return lb_stdout_close();
	if (fflush(o->fp) != 0 || ferror(o->fp) || fsync(fileno(o->fp)) != 0) {
		lb_warn("%s: write error", o->tmp);
		r = -1;
	}
	if (fclose(o->fp) != 0 && r == 0) {
		lb_warn("%s: write error", o->tmp);
		r = -1;
	}
	o->fp = NULL;
	if (r == 0 && rename(o->tmp, o->path) != 0) {
		lb_warn("%s: cannot rename to %s", o->tmp, o->path);
		r = -1;
	}
	if (r != 0) {
		unlink(o->tmp);
	} else {
		sync_dir(o->path);
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return r;
}

void outfile_abort(struct outfile *o)
{
	if (o->fp != NULL && o->fp != stdout)
		fclose(o->fp);
	if (o->tmp != NULL)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}
