/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/replay.c - run fuzz inputs without libFuzzer, for the normal
 * builds: replay FAMILY PATH... where FAMILY is lpae or v7s and each PATH a
 * file or a directory of files (not recursive). Every input is checked as
 * the fuzz target checks it; a failed check aborts. Prints how many inputs
 * ran and fails when none did.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "driver.h"

static int run_file(enum fuzz_family fam, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	if (fuzz_verbose)
		fprintf(stderr, "input %s (%ld bytes)\n", path, n);
	fuzz_one(fam, buf, (size_t)n);
	free(buf);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(enum fuzz_family fam, const char *path, unsigned *count)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(fam, path);
	}
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t len;
		char *p;

		if (de->d_name[0] == '.')
			continue;
		len = strlen(path) + strlen(de->d_name) + 2;
		p = malloc(len);
		if (!p)
			return -1;
		snprintf(p, len, "%s/%s", path, de->d_name);
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				return -1;
		}
		names[n++] = p;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (!stat(names[i], &st) && S_ISREG(st.st_mode)) {
			(*count)++;
			if (run_file(fam, names[i]))
				err = -1;
		}
		free(names[i]);
	}
	free(names);
	return err;
}

int main(int argc, char **argv)
{
	enum fuzz_family fam;
	unsigned count = 0;
	int err = 0;

	if (argc < 3 || (strcmp(argv[1], "lpae") && strcmp(argv[1], "v7s"))) {
		fprintf(stderr, "usage: %s lpae|v7s PATH...\n", argv[0]);
		return 2;
	}
	fam = strcmp(argv[1], "lpae") ? FUZZ_V7S : FUZZ_LPAE;
	fuzz_verbose = getenv("IOPGT_FUZZ_VERBOSE") != NULL;
	for (int i = 2; i < argc; i++)
		if (run_path(fam, argv[i], &count))
			err = 1;
	printf("%u inputs replayed\n", count);
	return err || count == 0;
}
