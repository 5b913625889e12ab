/* check_trace.c - checks a trace of the functional test programs.
 *
 *   check_trace exec_variants DIR    every variant's child is recorded,
 *                                    under the right parent, with its argv
 *                                    and exit code
 *   check_trace storm DIR N          exactly N children, each whole
 *   check_trace status DIR TAG KIND N
 *                                    the child TAG ended with exit code N
 *                                    (KIND exit) or signal N (KIND signal)
 *
 * A child is a process whose argv is [prog, "child", TAG, ...].  Exits 0
 * if every check holds. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_reader.h"

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL: " __VA_ARGS__);                 \
			fputc('\n', stderr);                                   \
			failures++;                                            \
		}                                                              \
	} while (0)

static const char *arg(const struct bt_proc *p, uint32_t i)
{
	const struct bt_image *im = bt_proc_last(p);
	return i < im->start.argc_kept ? im->argv[i] : "";
}

static const struct bt_proc *find_tag(const struct bt_trace *t,
				      const char *tag)
{
	for (size_t i = 0; i < t->n_procs; i++)
		if (!strcmp(arg(&t->procs[i], 1), "child") &&
		    !strcmp(arg(&t->procs[i], 2), tag))
			return &t->procs[i];
	return NULL;
}

static const struct bt_proc *find_root(const struct bt_trace *t,
				       const char *first_arg)
{
	for (size_t i = 0; i < t->n_procs; i++)
		if (!strcmp(arg(&t->procs[i], 1), first_arg))
			return &t->procs[i];
	return NULL;
}

static int check_exec_variants(const struct bt_trace *t)
{
	static const struct {
		const char *tag;
		int code;
		int hops; /* parent links from the child up to the root */
	} want[] = {
		{"execve", 11, 1},   {"execv", 12, 1},   {"execvp", 13, 1},
		{"execvpe", 14, 1},  {"execl", 15, 1},   {"execlp", 16, 1},
		{"execle", 17, 1},   {"fexecve", 18, 1}, {"execveat", 19, 1},
		{"posix_spawn", 20, 1}, {"posix_spawnp", 21, 1},
		{"spawn_bare_env", 22, 1},
		{"system", 23, 2}, /* under sh -c */
		{"popen", 24, 2},
		{"vfork", 25, 1},    {"clearenv", 26, 1}, {"exec_fails", 27, 1},
	};
	const struct bt_proc *root = find_root(t, "parent");
	CHECK(root, "no exec_variants parent process");
	if (!root)
		return 1;
	CHECK(root->exit_code == 0, "the parent exited with %d", root->exit_code);
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		const struct bt_proc *c = find_tag(t, want[i].tag);
		const struct bt_proc *up;
		int hops = 0;
		CHECK(c, "%s: child not recorded", want[i].tag);
		if (!c)
			continue;
		CHECK(c->end_known, "%s: no end", want[i].tag);
		CHECK(c->exit_code == want[i].code, "%s: exit %d, want %d",
		      want[i].tag, c->exit_code, want[i].code);
		CHECK(!strcmp(arg(c, 3), "") ||
			      atoi(arg(c, 3)) == want[i].code,
		      "%s: argv[3] is %s", want[i].tag, arg(c, 3));
		for (up = c; up && up != root; up = up->parent)
			hops++;
		CHECK(up == root, "%s: the parent process is not an ancestor",
		      want[i].tag);
		CHECK(hops <= want[i].hops, "%s: %d hops to the parent, want %d",
		      want[i].tag, hops, want[i].hops);
		if (want[i].hops == 1)
			CHECK(c->ppid == root->pid, "%s: ppid %u, want %u",
			      want[i].tag, c->ppid, root->pid);
		printf("%-16s pid %u ppid %u exit %d images %zu\n", want[i].tag,
		       c->pid, c->ppid, c->exit_code, c->n_images);
	}
	return 0;
}

static int check_storm(const struct bt_trace *t, size_t n)
{
	const struct bt_proc *root = find_root(t, "parent");
	size_t children = 0, whole = 0;
	CHECK(root, "no storm parent process");
	if (!root)
		return 1;
	for (size_t i = 0; i < t->n_procs; i++) {
		const struct bt_proc *c = &t->procs[i];
		if (strcmp(arg(c, 1), "child"))
			continue;
		children++;
		whole += c->end_known && c->reaped && c->exit_code == 0 &&
			 c->parent == root && c->has_ru_self && c->has_ru_reap;
	}
	printf("storm: %zu children recorded, %zu whole (want %zu)\n",
	       children, whole, n);
	CHECK(children == n, "%zu children recorded, want %zu", children, n);
	CHECK(whole == n, "%zu children whole, want %zu", whole, n);
	return 0;
}

static int check_status(const struct bt_trace *t, const char *tag,
			const char *kind, int n)
{
	const struct bt_proc *c = find_tag(t, tag);
	CHECK(c, "%s: child not recorded", tag);
	if (!c)
		return 1;
	CHECK(c->end_known, "%s: no end", tag);
	if (!strcmp(kind, "signal"))
		CHECK(c->signal == n, "%s: signal %d, want %d", tag, c->signal,
		      n);
	else
		CHECK(c->exit_code == n, "%s: exit %d, want %d", tag,
		      c->exit_code, n);
	printf("%s: exit %d signal %d\n", tag, c->exit_code, c->signal);
	return 0;
}

int main(int argc, char **argv)
{
	struct bt_trace t;
	char err[512];
	if (argc < 3) {
		fprintf(stderr, "usage: check_trace MODE DIR ...\n");
		return 2;
	}
	if (bt_trace_load(argv[2], &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "check_trace: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < t.n_warnings; i++)
		fprintf(stderr, "warning: %s\n", t.warnings[i]);
	CHECK(t.n_problems == 0, "the trace has %zu problems", t.n_problems);
	if (!strcmp(argv[1], "exec_variants"))
		check_exec_variants(&t);
	else if (!strcmp(argv[1], "storm") && argc == 4)
		check_storm(&t, (size_t)atol(argv[3]));
	else if (!strcmp(argv[1], "status") && argc == 6)
		check_status(&t, argv[3], argv[4], atoi(argv[5]));
	else
		failures++;
	bt_trace_free(&t);
	return failures ? 1 : 0;
}
