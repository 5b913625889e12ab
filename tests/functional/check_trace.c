/* check_trace.c - checks a trace of the functional test programs with the
 * trace reader, exactly: every expected process, nothing else.
 *
 *   check_trace exec_variants DIR   every variant's child is recorded,
 *                                   traced, under the right parent, with
 *                                   its argv, its exit code, and the
 *                                   parent's exec/spawn record
 *   check_trace storm DIR T PER     exactly T*PER children, each named
 *                                   once, whole, under the parent
 *   check_trace signals DIR         ends signals: each child killed by
 *                                   its signal, reaped once, no own end
 *   check_trace exits DIR           ends exits: each child's own end
 *                                   record says how and with what code
 *   check_trace children DIR TAG N CODE
 *                                   exactly N traced children `* child
 *                                   TAG ...`, each exited CODE and reaped
 *   check_trace untraced DIR NAME CODE
 *                                   one untraced child whose exe ends in
 *                                   NAME, known from the parent's spawn
 *                                   and reap, exited CODE
 *   check_trace env DIR NAME=VALUE [TAG...]
 *                                   every image recorded NAME=VALUE
 *                                   (but the images of children TAG,
 *                                   which got an environment of their
 *                                   own) and no
 *                                   variable outside the allow-list
 *
 * A child is a process whose argv is [prog, "child" (or another mode),
 * TAG, ...].  Every mode also wants a trace without problems.  Exits 0 if
 * every check holds, 1 if one fails, 2 on bad usage. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "model/trace_reader.h"
#include "check.h"

static const char *arg_of(const struct bt_image *im, uint32_t i)
{
	return i < im->start.argc_kept ? im->argv[i] : "";
}

static const char *arg(const struct bt_proc *p, uint32_t i)
{
	return arg_of(bt_proc_last(p), i);
}

/* The test program's first process: not a fork child, argv[1] MODE. */
static const struct bt_proc *find_root(const struct bt_trace *t,
				       const char *mode)
{
	const struct bt_proc *root = NULL;
	for (size_t i = 0; i < t->n_procs; i++) {
		const struct bt_proc *p = &t->procs[i];
		if (p->untraced ||
		    (p->images[0]->start.flags & BT_START_FORKED) ||
		    strcmp(arg_of(p->images[0], 1), mode))
			continue;
		CHECK(!root, "two processes look like the '%s' root", mode);
		root = p;
	}
	CHECK(root, "no '%s' process in the trace", mode);
	return root;
}

/* The root's exit code is 0: from its parent's reap (btrace record), or
 * unknown when nobody traced reaped it and main returned (plain
 * LD_PRELOAD under a shell). */
static void check_root_exit(const struct bt_proc *root)
{
	CHECK(root->exit_code == 0 ||
		  (root->exit_code == -1 && root->signal == 0 &&
		   !root->reaped && root->end_known),
	      "the parent exited %d (signal %d): a child was wrong",
	      root->exit_code, root->signal);
}

/* The processes whose last image runs `* KIND TAG ...`. */
static size_t find_tagged(const struct bt_trace *t, const char *kind,
			  const char *tag, const struct bt_proc **out)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_procs; i++)
		if (!strcmp(arg(&t->procs[i], 1), kind) &&
		    !strcmp(arg(&t->procs[i], 2), tag)) {
			if (!n)
				*out = &t->procs[i];
			n++;
		}
	return n;
}

static const struct bt_proc *find_one(const struct bt_trace *t,
				      const char *kind, const char *tag)
{
	const struct bt_proc *p = NULL;
	size_t n = find_tagged(t, kind, tag, &p);
	CHECK(n == 1, "%s: %zu processes recorded, want 1", tag, n);
	return n ? p : NULL;
}

/* The spawn records of PARENT (any image) for CHILD_PID. */
static const struct bt_spawn *find_spawn(const struct bt_proc *parent,
					 uint32_t child_pid, size_t *count)
{
	const struct bt_spawn *s = NULL;
	*count = 0;
	for (size_t i = 0; i < parent->n_images; i++)
		for (size_t k = 0; k < parent->images[i]->n_spawns; k++)
			if (parent->images[i]->spawns[k].rec.child_pid ==
			    child_pid) {
				s = &parent->images[i]->spawns[k];
				(*count)++;
			}
	return s;
}

static const struct bt_reap *find_reap(const struct bt_proc *parent,
				       uint32_t child_pid, size_t *count)
{
	const struct bt_reap *r = NULL;
	*count = 0;
	for (size_t i = 0; i < parent->n_images; i++)
		for (size_t k = 0; k < parent->images[i]->n_reaps; k++)
			if (parent->images[i]->reaps[k].rec.child_pid ==
			    child_pid) {
				r = &parent->images[i]->reaps[k];
				(*count)++;
			}
	return r;
}

/* Checks that C is a traced process under PARENT, reaped by it once,
 * that its last image's argv is exactly ARGV0 KIND TAG CODE and that it
 * exited with CODE through the end of its own.  WHY names it. */
static void check_child(const struct bt_proc *c, const struct bt_proc *parent,
			const char *argv0, const char *kind, const char *tag,
			int code)
{
	const struct bt_image *last = bt_proc_last(c);
	const struct bt_reap *rp;
	char want_code[16];
	size_t n;

	snprintf(want_code, sizeof(want_code), "%d", code);
	CHECK(!c->untraced, "%s: known only from its parent (not traced)", tag);
	if (c->untraced)
		return;
	for (size_t i = 0; i < c->n_images; i++)
		CHECK(c->images[i]->has_start, "%s: image %zu has no start",
		      tag, i);
	CHECK(last->start.argc == 4 && last->start.argc_kept == 4 &&
		  !strcmp(arg(c, 0), argv0) && !strcmp(arg(c, 1), kind) &&
		  !strcmp(arg(c, 2), tag) && !strcmp(arg(c, 3), want_code),
	      "%s: argv is [%s %s %s %s] (argc %u), want [%s %s %s %s]", tag,
	      arg(c, 0), arg(c, 1), arg(c, 2), arg(c, 3), last->start.argc,
	      argv0, kind, tag, want_code);
	CHECK(c->parent == parent, "%s: parent is pid %u, want pid %u", tag,
	      c->parent ? c->parent->pid : 0, parent->pid);
	CHECK(c->ppid == parent->pid, "%s: ppid %u, want %u", tag, c->ppid,
	      parent->pid);
	CHECK(c->end_known && last->has_end, "%s: no end record of its own",
	      tag);
	CHECK(c->exit_code == code && c->signal == 0,
	      "%s: exit %d signal %d, want exit %d", tag, c->exit_code,
	      c->signal, code);
	CHECK(c->reaped && c->has_ru_reap, "%s: not reaped", tag);
	rp = find_reap(parent, c->pid, &n);
	CHECK(n == 1, "%s: the parent has %zu reap records for it, want 1", tag,
	      n);
	if (rp)
		CHECK(WIFEXITED(rp->rec.wait_status) &&
			  WEXITSTATUS(rp->rec.wait_status) == code,
		      "%s: reaped with status %#x, want exit %d", tag,
		      rp->rec.wait_status, code);
}

/* ---- exec_variants ---- */

enum how { FORK_EXEC, SPAWN, VFORK, SHELL };

static const struct variant {
	const char *tag;
	int code;
	enum how how;
	uint32_t api;		  /* the exec in the fork child, or the spawn */
	int repaired;		  /* env_repaired of that record */
	int by_name;		  /* argv[0] is the bare name */
	int shell_parent_is_fork; /* system_noenv */
} variants[] = {
    {"execve", 11, FORK_EXEC, BT_API_EXECVE, 0, 0, 0},
    {"execv", 12, FORK_EXEC, BT_API_EXECV, 0, 0, 0},
    {"execvp", 13, FORK_EXEC, BT_API_EXECVP, 0, 1, 0},
    {"execvpe", 14, FORK_EXEC, BT_API_EXECVPE, 0, 0, 0},
    {"execl", 15, FORK_EXEC, BT_API_EXECL, 0, 0, 0},
    {"execlp", 16, FORK_EXEC, BT_API_EXECLP, 0, 1, 0},
    {"execle", 17, FORK_EXEC, BT_API_EXECLE, 1, 0, 0},
    {"fexecve", 18, FORK_EXEC, BT_API_FEXECVE, 0, 0, 0},
    {"execveat", 19, FORK_EXEC, BT_API_EXECVEAT, 0, 0, 0},
    {"execveat_empty", 29, FORK_EXEC, BT_API_EXECVEAT, 0, 0, 0},
    {"posix_spawn", 20, SPAWN, BT_API_POSIX_SPAWN, 0, 0, 0},
    {"posix_spawnp", 21, SPAWN, BT_API_POSIX_SPAWNP, 0, 0, 0},
    {"spawn_bare_env", 22, SPAWN, BT_API_POSIX_SPAWN, 1, 0, 0},
    {"spawnp_empty_preload", 30, SPAWN, BT_API_POSIX_SPAWNP, 1, 0, 0},
    {"system", 23, SHELL, BT_API_SYSTEM, 0, 0, 0},
    {"popen", 24, SHELL, BT_API_POPEN, 0, 0, 0},
    {"vfork", 25, VFORK, 0, 0, 0, 0},
    {"clearenv", 26, FORK_EXEC, BT_API_EXECV, 1, 0, 0},
    {"exec_fails", 27, FORK_EXEC, BT_API_EXECV, 0, 0, 0},
    {"system_noenv", 31, SHELL, BT_API_SYSTEM, 1, 0, 1},
};

/* The fork child of ROOT that did not exec and left through _exit(CODE). */
static const struct bt_proc *
find_fork_only(const struct bt_trace *t, const struct bt_proc *root, int code)
{
	const struct bt_proc *found = NULL;
	for (size_t i = 0; i < t->n_procs; i++) {
		const struct bt_proc *p = &t->procs[i];
		const struct bt_image *im = p->images[0];
		if (p->untraced || p->n_images != 1 ||
		    !(im->start.flags & BT_START_FORKED) ||
		    p->exit_code != code)
			continue;
		CHECK(!found, "two fork children exited %d", code);
		found = p;
	}
	CHECK(found, "no fork child without exec that exited %d", code);
	if (!found)
		return NULL;
	CHECK(found->parent == root && found->ppid == root->pid,
	      "fork child %d: not under the parent", code);
	CHECK(found->images[0]->has_end &&
		  found->images[0]->end.api == BT_API__EXIT &&
		  (found->images[0]->end.flags & BT_END_STATUS_KNOWN) &&
		  found->images[0]->end.exit_status == code,
	      "fork child %d: no _exit end record with its status", code);
	CHECK(!strcmp(arg(found, 1), "parent"),
	      "fork child %d: argv is not its parent's", code);
	CHECK(found->reaped, "fork child %d: not reaped", code);
	return found;
}

static int check_exec_variants(const struct bt_trace *t)
{
	const struct bt_proc *root = find_root(t, "parent");
	const struct bt_proc *fork_only, *noenv_fork;
	const struct bt_proc **known;
	size_t n_known = 0;
	char self[4096];

	if (!root)
		return 1;
	snprintf(self, sizeof(self), "%s", arg(root, 0));
	check_root_exit(root);
	known = calloc(t->n_procs + 1, sizeof(*known));
	known[n_known++] = root;
	fork_only = find_fork_only(t, root, 28);
	noenv_fork = find_fork_only(t, root, 31);
	if (fork_only)
		known[n_known++] = fork_only;
	if (noenv_fork)
		known[n_known++] = noenv_fork;

	for (size_t i = 0; i < sizeof(variants) / sizeof(*variants); i++) {
		const struct variant *v = &variants[i];
		const struct bt_proc *c = find_one(t, "child", v->tag);
		const struct bt_proc *parent = root;
		const struct bt_spawn *sp;
		size_t n;
		if (!c)
			continue;
		known[n_known++] = c;
		if (v->how == SHELL) {
			const struct bt_proc *shell_parent =
			    v->shell_parent_is_fork ? noenv_fork : root;
			const struct bt_proc *sh = c->parent;
			int exec_chain = c->n_images > 1;
			if (!shell_parent)
				continue;
			/* Either sh -c forked the child, or sh exec'd it. */
			if (exec_chain) {
				sh = c;
				CHECK(
				    !strcmp(arg_of(c->images[0], 0), "sh") &&
					!strcmp(arg_of(c->images[0], 1), "-c"),
				    "%s: exec'd from [%s %s], not sh -c",
				    v->tag, arg_of(c->images[0], 0),
				    arg_of(c->images[0], 1));
				parent = shell_parent;
			} else {
				CHECK(sh && !strcmp(arg(sh, 0), "sh") &&
					  !strcmp(arg(sh, 1), "-c"),
				      "%s: the parent is not sh -c", v->tag);
				if (!sh)
					continue;
				CHECK(sh->parent == shell_parent &&
					  sh->ppid == shell_parent->pid &&
					  !sh->untraced && sh->end_known &&
					  sh->exit_code == v->code,
				      "%s: sh -c is not a whole child of its "
				      "caller",
				      v->tag);
				known[n_known++] = sh;
				parent = sh;
			}
			/* The caller's record of system/popen. */
			n = 0;
			for (size_t k = 0; k < shell_parent->n_images; k++)
				for (size_t s = 0;
				     s < shell_parent->images[k]->n_spawns;
				     s++) {
					const struct bt_spawn *x =
					    &shell_parent->images[k]->spawns[s];
					if (x->rec.api == v->api &&
					    strstr(x->what, v->tag)) {
						n++;
						CHECK(
						    (int)x->rec.env_repaired ==
							v->repaired,
						    "%s: env_repaired %d, "
						    "want %d",
						    v->tag,
						    (int)x->rec.env_repaired,
						    v->repaired);
					}
				}
			CHECK(n == 1,
			      "%s: %zu %s records in the caller, want 1",
			      v->tag, n, bt_api_name(v->api));
		}
		check_child(c, parent, v->by_name ? "exec_variants" : self,
			    "child", v->tag, v->code);
		switch (v->how) {
		case FORK_EXEC: {
			const struct bt_image *f = c->images[0];
			CHECK(c->n_images == 2 &&
				  (f->start.flags & BT_START_FORKED) &&
				  !strcmp(arg_of(f, 1), "parent"),
			      "%s: not a fork child that exec'd (%zu images)",
			      v->tag, c->n_images);
			CHECK(f->has_exec && f->exec.api == v->api &&
				  (int)f->exec.env_repaired == v->repaired,
			      "%s: exec record api %s repaired %u, want %s "
			      "repaired %d",
			      v->tag, bt_api_name(f->exec.api),
			      f->exec.env_repaired, bt_api_name(v->api),
			      v->repaired);
			CHECK(f->exec_failed_count ==
				  (!strcmp(v->tag, "exec_fails") ? 1 : 0),
			      "%s: %d failed execs recorded", v->tag,
			      f->exec_failed_count);
			sp = find_spawn(root, c->pid, &n);
			CHECK(n == 1 && sp->rec.api == BT_API_FORK,
			      "%s: the parent has no fork record for it",
			      v->tag);
			break;
		}
		case SPAWN:
			CHECK(c->n_images == 1 && !(c->images[0]->start.flags &
						    BT_START_FORKED),
			      "%s: %zu images, want 1", v->tag, c->n_images);
			sp = find_spawn(root, c->pid, &n);
			CHECK(n == 1 && sp->rec.api == v->api &&
				  (int)sp->rec.env_repaired == v->repaired &&
				  sp->rec.result == 0,
			      "%s: the parent's spawn record is wrong or "
			      "missing (%zu)",
			      v->tag, n);
			CHECK(c->spawn_matched, "%s: spawn not joined", v->tag);
			break;
		case VFORK:
			CHECK(c->n_images == 1, "%s: %zu images, want 1",
			      v->tag, c->n_images);
			break;
		case SHELL:
			break;
		}
		printf("%-20s pid %u ppid %u exit %d images %zu\n", v->tag,
		       c->pid, c->ppid, c->exit_code, c->n_images);
	}
	/* Nothing else ran. */
	for (size_t i = 0; i < t->n_procs; i++) {
		int seen = 0;
		for (size_t k = 0; k < n_known; k++)
			seen |= known[k] == &t->procs[i];
		CHECK(seen, "unexpected process %u: %s %s %s", t->procs[i].pid,
		      arg(&t->procs[i], 0), arg(&t->procs[i], 1),
		      arg(&t->procs[i], 2));
	}
	free(known);
	return 0;
}

/* ---- storm ---- */

static int check_storm(const struct bt_trace *t, int threads, int per)
{
	const struct bt_proc *root = find_root(t, "parent");
	unsigned char *seen;
	size_t children = 0, spawns = 0, reaps = 0;
	size_t bad = 0;

	if (!root)
		return 1;
	seen = calloc((size_t)threads * (size_t)per, 1);
	for (size_t i = 0; i < t->n_procs; i++) {
		const struct bt_proc *c = &t->procs[i];
		const struct bt_image *last = bt_proc_last(c);
		int th, k, ok;
		if (c == root)
			continue;
		children++;
		th = atoi(arg(c, 2));
		k = atoi(arg(c, 3));
		ok = !c->untraced && !strcmp(arg(c, 1), "child") &&
		     last->start.argc == 4 && th >= 0 && th < threads &&
		     k >= 0 && k < per && c->end_known && last->has_end &&
		     c->reaped && c->exit_code == 0 && c->signal == 0 &&
		     c->parent == root && c->ppid == root->pid &&
		     c->has_ru_self && c->has_ru_reap &&
		     c->n_images == (th % 4 == 3 ? 2u : 1u);
		if (ok && seen[th * per + k]++)
			ok = 0; /* the same child twice */
		if (!ok && bad++ < 10)
			fprintf(stderr,
				"FAIL: bad child pid %u ppid %u [%s %s %s] "
				"images %zu end %d reaped %d exit %d%s\n",
				c->pid, c->ppid, arg(c, 1), arg(c, 2),
				arg(c, 3), c->n_images, c->end_known, c->reaped,
				c->exit_code, c->untraced ? " untraced" : "");
	}
	for (size_t i = 0; i < root->n_images; i++) {
		spawns += root->images[i]->n_spawns;
		reaps += root->images[i]->n_reaps;
	}
	printf("storm: %zu children recorded, %zu bad, want %d\n", children,
	       bad, threads * per);
	CHECK(children == (size_t)(threads * per),
	      "%zu children recorded, want %d", children, threads * per);
	CHECK(bad == 0, "%zu children lost, duplicated or incomplete", bad);
	CHECK(spawns == (size_t)(threads * per) &&
		  reaps == (size_t)(threads * per),
	      "the parent recorded %zu spawns and %zu reaps, want %d", spawns,
	      reaps, threads * per);
	check_root_exit(root);
	free(seen);
	return 0;
}

/* ---- ends signals / exits ---- */

static int check_signals(const struct bt_trace *t)
{
	static const struct {
		const char *tag;
		int sig;
		uint32_t api;
	} kills[] = {
	    {"kill_waitpid", 9, BT_API_WAITPID},
	    {"kill_wait4", 9, BT_API_WAIT4},
	    {"kill_wait3", 9, BT_API_WAIT3},
	    {"kill_wait", 9, BT_API_WAIT},
	    {"kill_waitid", 9, BT_API_WAITID},
	    {"kill_wnowait", 9, BT_API_WAITPID},
	    {"term_waitpid", 15, BT_API_WAITPID},
	    {"segv_waitpid", 11, BT_API_WAITPID},
	};
	const struct bt_proc *root = find_root(t, "signals");
	if (!root)
		return 1;
	check_root_exit(root);
	CHECK(t->n_procs == 1 + sizeof(kills) / sizeof(*kills),
	      "%zu processes, want %zu", t->n_procs,
	      1 + sizeof(kills) / sizeof(*kills));
	for (size_t i = 0; i < sizeof(kills) / sizeof(*kills); i++) {
		const struct bt_proc *c =
		    find_one(t, "wait_kill", kills[i].tag);
		const struct bt_reap *rp;
		size_t n;
		if (!c)
			continue;
		CHECK(!c->untraced && c->images[0]->has_start, "%s: not traced",
		      kills[i].tag);
		CHECK(c->parent == root && c->ppid == root->pid,
		      "%s: wrong parent", kills[i].tag);
		CHECK(!bt_proc_last(c)->has_end,
		      "%s: has an end record of its own, but was killed",
		      kills[i].tag);
		CHECK(c->end_known && c->reaped && c->has_ru_reap,
		      "%s: its end is not known from the reap", kills[i].tag);
		CHECK(c->signal == kills[i].sig && c->exit_code == -1,
		      "%s: signal %d exit %d, want signal %d", kills[i].tag,
		      c->signal, c->exit_code, kills[i].sig);
		rp = find_reap(root, c->pid, &n);
		CHECK(n == 1, "%s: %zu reap records, want 1", kills[i].tag, n);
		if (rp)
			CHECK(rp->rec.api == kills[i].api &&
				  WIFSIGNALED(rp->rec.wait_status) &&
				  WTERMSIG(rp->rec.wait_status) == kills[i].sig,
			      "%s: reap by %s status %#x, want %s signal %d",
			      kills[i].tag, bt_api_name(rp->rec.api),
			      rp->rec.wait_status, bt_api_name(kills[i].api),
			      kills[i].sig);
		printf("%-14s pid %u signal %d\n", kills[i].tag, c->pid,
		       c->signal);
	}
	return 0;
}

static int check_exits(const struct bt_trace *t)
{
	static const struct {
		const char *tag;
		int code;
		uint32_t api;
		int known; /* the process knows its status */
	} leaves[] = {
	    {"leave__exit", 7, BT_API__EXIT, 1},
	    {"leave__Exit", 8, BT_API__EXIT2, 1},
	    {"leave_exit", 9, BT_API_EXIT, 1},
	    /* main returns to libc, which calls exit inside itself */
	    {"leave_return", 10, BT_API_DESTRUCTOR, 0},
	    {"leave_thread", 11, BT_API_EXIT, 1},
	    {"leave_big", 300, BT_API_EXIT, 1},
	};
	const struct bt_proc *root = find_root(t, "exits");
	if (!root)
		return 1;
	check_root_exit(root);
	CHECK(t->n_procs == 1 + sizeof(leaves) / sizeof(*leaves),
	      "%zu processes, want %zu", t->n_procs,
	      1 + sizeof(leaves) / sizeof(*leaves));
	for (size_t i = 0; i < sizeof(leaves) / sizeof(*leaves); i++) {
		const struct bt_proc *c = find_one(t, "leave", leaves[i].tag);
		const struct bt_image *im;
		int code = leaves[i].code & 0xff;
		if (!c)
			continue;
		im = bt_proc_last(c);
		CHECK(!c->untraced && c->parent == root && c->ppid == root->pid,
		      "%s: not traced under the parent", leaves[i].tag);
		CHECK(im->has_end, "%s: no end record of its own",
		      leaves[i].tag);
		CHECK(im->end.api == leaves[i].api,
		      "%s: left through %s, want %s", leaves[i].tag,
		      bt_api_name(im->end.api), bt_api_name(leaves[i].api));
		if (leaves[i].known)
			CHECK((im->end.flags & BT_END_STATUS_KNOWN) &&
				  im->end.exit_status == code,
			      "%s: own end status %d (flags %u), want %d",
			      leaves[i].tag, im->end.exit_status, im->end.flags,
			      code);
		CHECK(c->exit_code == code && c->reaped,
		      "%s: exit %d, want %d (reaped %d)", leaves[i].tag,
		      c->exit_code, code, c->reaped);
		printf("%-14s pid %u via %s exit %d\n", leaves[i].tag, c->pid,
		       bt_api_name(im->end.api), c->exit_code);
	}
	return 0;
}

/* ---- children of a given tag (behave) ---- */

static int check_children(const struct bt_trace *t, const char *tag,
			  size_t want, int code)
{
	const struct bt_proc *first = NULL;
	size_t n = find_tagged(t, "child", tag, &first), whole = 0;
	for (size_t i = 0; i < t->n_procs; i++) {
		const struct bt_proc *c = &t->procs[i];
		if (strcmp(arg(c, 1), "child") || strcmp(arg(c, 2), tag))
			continue;
		whole += !c->untraced && c->parent && !c->parent->untraced &&
			 c->ppid == c->parent->pid && c->end_known &&
			 bt_proc_last(c)->has_end && c->reaped &&
			 c->exit_code == code;
	}
	printf("%s: %zu children, %zu whole, want %zu\n", tag, n, whole, want);
	CHECK(n == want, "%s: %zu children recorded, want %zu", tag, n, want);
	CHECK(whole == want, "%s: %zu whole children, want %zu", tag, whole,
	      want);
	return 0;
}

/* ---- a child without the shim ---- */

static int check_untraced(const struct bt_trace *t, const char *name, int code)
{
	const struct bt_proc *c = NULL;
	size_t n = 0;
	for (size_t i = 0; i < t->n_procs; i++)
		if (!strcmp(base_name(bt_proc_last(&t->procs[i])->exe), name)) {
			c = &t->procs[i];
			n++;
		}
	CHECK(n == 1, "%zu processes run %s, want 1", n, name);
	if (!c)
		return 1;
	CHECK(c->untraced && !c->start_unknown && c->spawn_matched,
	      "%s: not an untraced child known from its spawn", name);
	CHECK(c->parent && !c->parent->untraced && c->ppid == c->parent->pid,
	      "%s: no traced parent", name);
	CHECK(c->reaped && c->end_known && c->has_ru_reap,
	      "%s: not accounted for by its parent's reap", name);
	CHECK(c->exit_code == code && c->signal == 0, "%s: exit %d, want %d",
	      name, c->exit_code, code);
	CHECK(c->end_ns >= c->start_ns, "%s: ends before it starts", name);
	CHECK(t->n_procs == 2, "%zu processes, want 2", t->n_procs);
	printf("%s: untraced pid %u exit %d, from the parent's spawn and "
	       "reap\n",
	       name, c->pid, c->exit_code);
	return 0;
}

/* ---- the environment allow-list ---- */

static const char *const allow_exact[] = {
    "CARGO_PKG_NAME",
    "CARGO_PKG_VERSION",
    "CARGO_CRATE_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_BIN_NAME",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_JOBS",
    "CARGO_INCREMENTAL",
    "CARGO_MAKEFLAGS",
    "CARGO",
    "RUSTFLAGS",
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_BOOTSTRAP",
    "RUSTUP_TOOLCHAIN",
    "TARGET",
    "HOST",
    "PROFILE",
    "OPT_LEVEL",
    "DEBUG",
    "NUM_JOBS",
    "OUT_DIR",
    "CC",
    "CXX",
    "LD",
    "CFLAGS",
    "LDFLAGS",
};

/* Is ENTRY's name on the allow-list of docs/trace-format.md? */
static int documented(const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t n = eq ? (size_t)(eq - entry) : strlen(entry);
	if (!eq)
		return 0;
	for (size_t i = 0; i < sizeof(allow_exact) / sizeof(*allow_exact); i++)
		if (strlen(allow_exact[i]) == n &&
		    !strncmp(allow_exact[i], entry, n))
			return 1;
	return (n > 14 && !strncmp(entry, "CARGO_PROFILE_", 14)) ||
	       (n > 7 && !strncmp(entry, "BTRACE_", 7));
}

static int check_env(const struct bt_trace *t, const char *want, char **exempt,
		     int n_exempt)
{
	size_t images = 0;
	for (size_t i = 0; i < t->n_procs; i++) {
		const struct bt_proc *p = &t->procs[i];
		int exempt_proc = 0;
		/* Children that got an environment of their own (and the
		 * fork child that cleared its own before exec). */
		for (int k = 0; k < n_exempt; k++)
			if (!strcmp(arg(p, 1), "child") &&
			    !strcmp(arg(p, 2), exempt[k]))
				exempt_proc = 1;
		for (size_t j = 0; j < p->n_images; j++) {
			const struct bt_image *im = p->images[j];
			int found = exempt_proc;
			if (!im->has_start)
				continue;
			images++;
			for (uint32_t k = 0; k < im->start.envc; k++) {
				CHECK(documented(im->env[k]),
				      "%s: records %s, which is not on the "
				      "allow-list",
				      im->file, im->env[k]);
				found |= !strcmp(im->env[k], want);
			}
			CHECK(found, "%s (%s %s %s): %s not recorded", im->file,
			      im->exe, arg_of(im, 1), arg_of(im, 2), want);
		}
	}
	printf("env: %zu images checked\n", images);
	CHECK(images >= 2, "only %zu images in the trace", images);
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
		fprintf(stderr, "FAIL: check_trace: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < t.n_warnings; i++)
		fprintf(stderr, "warning: %s\n", t.warnings[i]);
	CHECK(t.n_problems == 0, "the trace has %zu problems", t.n_problems);
	for (size_t i = 0; i < t.n_procs; i++)
		if (t.procs[i].untraced && strcmp(argv[1], "untraced"))
			CHECK(0, "process %u is known only from its parent",
			      t.procs[i].pid);
	if (!strcmp(argv[1], "exec_variants") && argc == 3)
		check_exec_variants(&t);
	else if (!strcmp(argv[1], "storm") && argc == 5)
		check_storm(&t, atoi(argv[3]), atoi(argv[4]));
	else if (!strcmp(argv[1], "signals") && argc == 3)
		check_signals(&t);
	else if (!strcmp(argv[1], "exits") && argc == 3)
		check_exits(&t);
	else if (!strcmp(argv[1], "children") && argc == 6)
		check_children(&t, argv[3], (size_t)atol(argv[4]),
			       atoi(argv[5]));
	else if (!strcmp(argv[1], "untraced") && argc == 5)
		check_untraced(&t, argv[3], atoi(argv[4]));
	else if (!strcmp(argv[1], "env") && argc >= 4)
		check_env(&t, argv[3], argv + 4, argc - 4);
	else {
		fprintf(stderr, "check_trace: bad usage\n");
		bt_trace_free(&t);
		return 2;
	}
	bt_trace_free(&t);
	return check_status();
}
