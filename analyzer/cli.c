/* cli.c - the one-line errors that every command's options share. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int bt_cli_trace_arg(const char *cmd, int argc, char **argv, int first,
		     const char **dir)
{
	if (argc - first > 1) {
		fprintf(stderr,
			"btrace %s: one trace directory at most, not '%s' "
			"too\n",
			cmd, argv[first + 1]);
		return -1;
	}
	*dir = first < argc ? argv[first] : NULL;
	return 0;
}

void bt_cli_bad_option(const char *cmd, int c, char **argv)
{
	/* optind has moved past the option (and its value, if any), so
	 * argv[optind - 1] is what was typed; a long option is named as typed,
	 * without "=VALUE", a short one by the letter getopt stopped at. */
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char letter[3] = {'-', (char)optopt, 0};
	const char *eq = strchr(arg, '=');
	int len = eq ? (int)(eq - arg) : (int)strlen(arg);
	int is_long = !strncmp(arg, "--", 2);
	if (!is_long && optopt) {
		arg = letter;
		len = 2;
	}
	if (c == '?' && is_long && optopt && eq)
		/* A known long option given a value it does not take. */
		fprintf(stderr, "btrace %s: option '%.*s' takes no value\n",
			cmd, len, arg);
	else if (c == ':')
		fprintf(stderr, "btrace %s: option '%.*s' needs a value\n", cmd,
			len, arg);
	else
		fprintf(stderr,
			"btrace %s: unknown option '%.*s' (try btrace %s "
			"--help)\n",
			cmd, len, arg, cmd);
}

int bt_cli_uint(const char *cmd, const char *opt, const char *s, long lo,
		long hi, long *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi || *s == '+' ||
	    *s == ' ') {
		fprintf(stderr,
			"btrace %s: %s: \"%s\" is not a number from %ld to "
			"%ld\n",
			cmd, opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int bt_cli_choice(const char *cmd, const char *opt, const char *s,
		  const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (!strcmp(s, words[i]))
			return i;
	fprintf(stderr, "btrace %s: %s: \"%s\" is not one of ", cmd, opt, s);
	for (int i = 0; words[i]; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", words[i]);
	fprintf(stderr, "\n");
	return -1;
}
