/* record.c - what the history keeps of a build, taken from the model and
 * the profile that bt_analyze() made (never from the trace's files): the
 * key (workspace, command, toolchain, settings), the totals, the CPU by
 * category, and one row per unit. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "history/record.h"

static void append(char *buf, size_t cap, const char *s)
{
	size_t n = strlen(buf);
	if (n < cap)
		snprintf(buf + n, cap - n, "%s", s);
}

static const char *last_exe(const struct bt_proc *p)
{
	return p && p->n_images ? p->images[p->n_images - 1]->exe : NULL;
}

/* The command as typed, with argv[0] reduced to its name. */
static void command_of(const struct bt_trace *t, char *buf, size_t cap)
{
	buf[0] = 0;
	if (!t->has_session || !t->command)
		return;
	for (uint32_t i = 0; i < t->session.argc; i++) {
		const char *a = t->command[i] ? t->command[i] : "";
		const char *slash = i ? NULL : strrchr(a, '/');
		if (i)
			append(buf, cap, " ");
		append(buf, cap, slash ? slash + 1 : a);
	}
}

/* cargo's working directory: the first cargo process's, else the first
 * root's. */
static void workspace_of(const struct bt_build *b, char *buf, size_t cap)
{
	const char *cwd = NULL;
	for (size_t i = 0; i < b->n_nodes && !cwd; i++)
		if (b->nodes[i].kind == BT_KIND_CARGO &&
		    b->nodes[i].proc->n_images)
			cwd = b->nodes[i].proc->images[0]->cwd;
	if (!cwd && b->n_roots && b->roots[0]->proc->n_images)
		cwd = b->roots[0]->proc->images[0]->cwd;
	snprintf(buf, cap, "%s", cwd ? cwd : "");
}

/* rustup's toolchain name from the first compilation's rustc
 * (".../toolchains/NAME/bin/rustc"), else the directory rustc is in. */
static void toolchain_of(const struct bt_build *b, char *buf, size_t cap)
{
	buf[0] = 0;
	for (size_t i = 0; i < b->n_units; i++) {
		const char *exe, *t, *end;
		if (b->units[i].node->kind != BT_KIND_RUSTC)
			continue;
		exe = last_exe(b->units[i].node->proc);
		if (!exe)
			continue;
		t = strstr(exe, "/toolchains/");
		if (t) {
			t += strlen("/toolchains/");
			end = strchr(t, '/');
			snprintf(buf, cap, "%.*s",
				 (int)(end ? end - t : (long)strlen(t)), t);
		} else {
			end = strrchr(exe, '/');
			snprintf(buf, cap, "%.*s",
				 (int)(end ? end - exe : (long)strlen(exe)),
				 exe);
		}
		return;
	}
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* "debuginfo=0/2 opt-level=0 ...": every value of each setting but the
 * edition, sorted, so that the same build gives the same text. */
static void settings_of(const struct bt_build *b, char *buf, size_t cap)
{
	buf[0] = 0;
	for (int i = 0; i < BT_SETTING_MAX; i++) {
		const struct bt_setting *s = &b->settings[i];
		const char *v[16];
		size_t n = 0;
		if (i == BT_SETTING_EDITION || !s->n_values)
			continue;
		for (size_t k = 0; k < s->n_values && n < 16; k++)
			v[n++] = s->values[k].value;
		qsort(v, n, sizeof(*v), cmp_str);
		if (buf[0])
			append(buf, cap, " ");
		append(buf, cap, s->name);
		append(buf, cap, "=");
		for (size_t k = 0; k < n; k++) {
			if (k)
				append(buf, cap, "/");
			append(buf, cap, v[k]);
		}
	}
}

static void unit_settings(const struct bt_unit *u, char *buf, size_t cap)
{
	buf[0] = 0;
	if (!u->has_flags)
		return;
	snprintf(buf, cap, "debuginfo=%s opt-level=%s codegen-backend=%s%s%s",
		 u->flags.debuginfo, u->flags.opt_level,
		 u->flags.codegen_backend[0] ? u->flags.codegen_backend
					     : "llvm",
		 u->flags.lto[0] ? " lto=" : "", u->flags.lto);
}

int bt_hist_from_analysis(const struct bt_analysis *a, struct bt_hist_build *b,
			  struct bt_hist_unit **units, size_t *n)
{
	const struct bt_build *m = &a->build;
	const struct bt_trace *t = &a->trace;
	struct bt_hist_unit *u;
	char host[64] = "";

	memset(b, 0, sizeof(*b));
	*units = NULL;
	*n = 0;
	gethostname(host, sizeof(host) - 1);
	snprintf(b->host, sizeof(b->host), "%s", host);
	snprintf(b->session, sizeof(b->session), "%s:%.*s", host,
		 (int)sizeof(t->images[0].header.session),
		 t->n_images ? t->images[0].header.session : "");
	if (t->has_session)
		b->started_ms = (int64_t)(t->session.realtime_ns / 1000000u);
	else
		b->started_ms = (int64_t)time(NULL) * 1000;
	workspace_of(m, b->workspace, sizeof(b->workspace));
	command_of(t, b->command, sizeof(b->command));
	toolchain_of(m, b->toolchain, sizeof(b->toolchain));
	settings_of(m, b->settings, sizeof(b->settings));
	b->wall_s = m->wall_s;
	b->cpu_s = m->cpu_s;
	b->units_compiled = (long)m->kind_count[BT_KIND_RUSTC];
	b->complete = m->complete;
	snprintf(b->top_category, sizeof(b->top_category), "-");
	if (a->have_profile) {
		int top = -1;
		for (int c = 0; c < BT_CAT_MAX && c < 16; c++) {
			b->categories[c] = a->profile.cpu_s[c];
			if (top < 0 || b->categories[c] > b->categories[top])
				top = c;
		}
		b->n_categories = BT_CAT_MAX < 16 ? BT_CAT_MAX : 16;
		if (top >= 0 && b->categories[top] > 0) {
			snprintf(b->top_category, sizeof(b->top_category), "%s",
				 bt_category_name(top));
			b->top_category_s = b->categories[top];
		}
	}
	u = calloc(m->n_units ? m->n_units : 1, sizeof(*u));
	if (!u)
		return -1;
	for (size_t i = 0; i < m->n_units; i++) {
		const struct bt_unit *x = &m->units[i];
		snprintf(u[i].crate, sizeof(u[i].crate), "%s", x->crate);
		snprintf(u[i].target, sizeof(u[i].target), "%s",
			 bt_target_name(x->target));
		snprintf(u[i].version, sizeof(u[i].version), "%s", x->version);
		unit_settings(x, u[i].settings, sizeof(u[i].settings));
		u[i].wall_s = x->wall_s;
		u[i].cpu_s = x->cpu_s;
		u[i].frontend_s = x->categories[BT_CAT_FRONTEND];
		u[i].codegen_s = x->categories[BT_CAT_CODEGEN_LLVM] +
				 x->categories[BT_CAT_CODEGEN_CRANELIFT];
		u[i].debuginfo_s = x->categories[BT_CAT_DEBUGINFO];
		u[i].link_s = x->categories[BT_CAT_LINK];
	}
	*units = u;
	*n = m->n_units;
	return 0;
}

int bt_history_wanted(int by_default)
{
	const char *h = getenv("BTRACE_HISTORY");
	if (h && !strcmp(h, "0"))
		return 0;
	if (h && !strcmp(h, "1"))
		return 1;
	return by_default;
}

int bt_history_store(const char *cmd, const struct bt_analysis *a,
		     const char *db)
{
	struct bt_store *s = NULL;
	struct bt_hist_build b;
	struct bt_hist_unit *u = NULL;
	size_t n = 0;
	char err[1024];
	int rc = -1;

	if (!db && getenv("BTRACE_DB") && *getenv("BTRACE_DB"))
		db = getenv("BTRACE_DB");
	if (bt_hist_from_analysis(a, &b, &u, &n) < 0) {
		snprintf(err, sizeof(err), "out of memory");
		goto out;
	}
	if (bt_store_open(db, &s, err, sizeof(err)) < 0 ||
	    bt_store_add(s, &b, u, n, err, sizeof(err)) < 0)
		goto out;
	fprintf(stderr, "btrace %s: history: build %lld stored in %s\n", cmd,
		(long long)b.id, bt_store_name(s));
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "btrace %s: warning: history: not stored: %s\n",
			cmd, err);
	bt_store_close(s);
	free(u);
	return rc;
}
