/* experiment_linker.c - did a linker option's build really link with
 * that linker? (experiment.h: exp_check_linker)  The .comment section of
 * what it linked says: a build whose RUSTFLAGS in the environment beat
 * the --config override links as before, and its saving would be noise
 * taken for a measurement. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/experiment.h"

/* The linker named in the .comment section of the ELF executable or
 * shared object PATH ("Linker: LLD 22.1.2 ...", "mold 1.10.1 ..."; GNU
 * ld writes none): 1 with it in OUT, 0 if it names none or is not such
 * a file. */
static int comment_linker(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
	Elf *e = NULL;
	Elf_Scn *scn = NULL;
	size_t shstr;
	GElf_Ehdr eh;

	if (fd < 0)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
	    elf_getshdrstrndx(e, &shstr) != 0)
		goto out;
	while (!found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name;
		if (!gelf_getshdr(scn, &sh) ||
		    !(name = elf_strptr(e, shstr, sh.sh_name)) ||
		    strcmp(name, ".comment") || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < d->d_size && !found;) {
			const char *str = (const char *)d->d_buf + i;
			size_t len = strnlen(str, d->d_size - i);
			if (!strncmp(str, "Linker:", 7) ||
			    !strncmp(str, "mold ", 5) ||
			    !strncmp(str, "LLD ", 4) ||
			    !strncmp(str, "GNU gold", 8)) {
				snprintf(out, cap, "%.*s", (int)len, str);
				found = 1;
			}
			i += len + 1;
		}
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	return found;
}

int exp_check_linker(struct exp_config *c, const char *target,
		     const char *profile)
{
	const struct bt_option_info *oi =
	    c->option >= 0 ? bt_option_info(c->option) : NULL;
	char dir[600], seen[160] = "", seen_in[128] = "", line[160];
	int n_elf = 0, n_ok = 0;
	DIR *d;
	struct dirent *de;

	if (!oi || !oi->linker_comment)
		return 0;
	snprintf(dir, sizeof(dir), "%s/%s/deps", target,
		 strcmp(profile, "dev") ? profile : "debug");
	if (elf_version(EV_CURRENT) == EV_NONE || !(d = opendir(dir))) {
		snprintf(c->failure, sizeof(c->failure),
			 "cannot check the linker: no %.200s", dir);
		return -1;
	}
	while ((de = readdir(d))) {
		char path[900];
		const char *dot = strrchr(de->d_name, '.');
		if (dot && (!strcmp(dot, ".d") || !strcmp(dot, ".rlib") ||
			    !strcmp(dot, ".rmeta") || !strcmp(dot, ".o")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!comment_linker(path, line, sizeof(line)))
			continue;
		n_elf++;
		if (strstr(line, oi->linker_comment))
			n_ok++;
		else if (!seen[0]) {
			snprintf(seen, sizeof(seen), "%s", line);
			snprintf(seen_in, sizeof(seen_in), "%.100s",
				 de->d_name);
		}
	}
	closedir(d);
	if (n_ok && !seen[0])
		return 0;
	if (seen[0])
		snprintf(c->failure, sizeof(c->failure),
			 "the linker did not change: %.60s names \"%.60s\" in "
			 ".comment, not %s (RUSTFLAGS in the environment "
			 "overrides build.rustflags)",
			 seen_in, seen, oi->linker);
	else
		snprintf(
		    c->failure, sizeof(c->failure),
		    "cannot check the linker: nothing in %.160s names one in "
		    ".comment (%d linked files)",
		    dir, n_elf);
	return -1;
}
