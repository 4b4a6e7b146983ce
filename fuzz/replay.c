/* replay.c: runs a libFuzzer target over saved inputs without libFuzzer,
 * so `make check` replays every corpus as a regression test (as Knot's
 * tests-fuzz does). Usage: replay_NAME FILE|DIR...; prints TAP. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0) {
		if (fp)
			fclose(fp);
		return -1;
	}
	rewind(fp);
	buf = malloc(len ? (size_t)len : 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
}

static int replay_path(const char *path, int *count)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	char sub[4096];
	int bad = 0;

	if (stat(path, &st) != 0)
		return 1;
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path) != 0;
	}
	if ((dir = opendir(path)) == NULL)
		return 1;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
		bad += replay_path(sub, count);
	}
	closedir(dir);
	return bad;
}

int main(int argc, char **argv)
{
	int count = 0, bad = 0;

	for (int i = 1; i < argc; i++)
		bad += replay_path(argv[i], &count);
	/* A crash or sanitizer report aborts before this line. */
	printf("%sok 1 - %s replayed %d inputs without a crash\n1..1\n",
	       bad ? "not " : "", argv[0], count);
	return bad != 0;
}
