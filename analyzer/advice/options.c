/* options.c - the options table (options.h, options.def). */
#include <string.h>

#include "advice/options.h"

static const struct bt_option_info table[BT_OPT_MAX] = {
#define OPTION(name, k, ...)                                                   \
	[BT_OPT_##name] = {.option = BT_OPT_##name, __VA_ARGS__},
#include "advice/options.def"
#undef OPTION
};

const struct bt_option_info *bt_option_info(enum bt_option o)
{
	return (unsigned)o < BT_OPT_MAX ? &table[o] : NULL;
}

const char *bt_option_id(enum bt_option o)
{
	return (unsigned)o < BT_OPT_MAX ? table[o].id : "?";
}

int bt_option_of_id(const char *id)
{
	for (int o = 0; o < BT_OPT_MAX; o++)
		if (!strcmp(table[o].id, id))
			return o;
	return -1;
}

int bt_option_is_debuginfo(enum bt_option o)
{
	return (unsigned)o < BT_OPT_MAX &&
	       (table[o].removes & (BT_RM_DEBUG_MEMBERS | BT_RM_DEBUG_DEPS));
}

int bt_option_expand(const char *tmpl, const char *profile, char *out,
		     size_t cap)
{
	static const char key[] = "{profile}";
	size_t len = 0, plen = strlen(profile);
	int cut = 0;

	if (!cap)
		return -1;
	while (*tmpl) {
		const char *s = tmpl;
		size_t n = 1;
		if (!strncmp(tmpl, key, sizeof(key) - 1)) {
			s = profile;
			n = plen;
			tmpl += sizeof(key) - 1;
		} else {
			tmpl++;
		}
		if (len + n >= cap) {
			n = cap - 1 - len;
			cut = 1;
		}
		memcpy(out + len, s, n);
		len += n;
		if (cut)
			break;
	}
	out[len] = '\0';
	return cut ? -1 : 0;
}
