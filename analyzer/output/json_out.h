/* json_out.h - building a cJSON tree without checking every call.
 *
 * Each helper attaches a new item to its parent at once (so deleting the
 * root frees all) and remembers any failure in struct bt_json; the writer
 * checks `failed` once, before printing.  Used by every JSON writer. */
#ifndef BTRACE_JSON_OUT_H
#define BTRACE_JSON_OUT_H

#include <stdio.h>

#include <cjson/cJSON.h>

struct bt_json {
	int failed;
};

/* Adds ITEM to PARENT under KEY (or appends it to an array when KEY is
 * NULL) and returns it; with PARENT NULL, just returns ITEM.  On failure
 * (ITEM NULL, or no room) deletes ITEM, sets J->failed, returns NULL. */
cJSON *bt_json_add(struct bt_json *j, cJSON *parent, const char *key,
		   cJSON *item);
void bt_json_num(struct bt_json *j, cJSON *o, const char *key, double v);
/* V NULL gives a JSON null. */
void bt_json_str(struct bt_json *j, cJSON *o, const char *key, const char *v);
void bt_json_bool(struct bt_json *j, cJSON *o, const char *key, int v);

/* Prints ROOT (indented if PRETTY) and a newline to F.  Returns 0, or -1
 * when printing or writing failed. */
int bt_json_write(const cJSON *root, FILE *f, int pretty);

#endif
