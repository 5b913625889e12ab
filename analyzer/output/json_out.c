/* json_out.c - see json_out.h. */
#include <stdlib.h>

#include "output/json_out.h"

cJSON *bt_json_add(struct bt_json *j, cJSON *parent, const char *key,
		   cJSON *item)
{
	if (!item) {
		j->failed = 1;
		return NULL;
	}
	if (!parent)
		return item;
	if (key ? !cJSON_AddItemToObject(parent, key, item)
		: !cJSON_AddItemToArray(parent, item)) {
		cJSON_Delete(item);
		j->failed = 1;
		return NULL;
	}
	return item;
}

void bt_json_num(struct bt_json *j, cJSON *o, const char *key, double v)
{
	bt_json_add(j, o, key, cJSON_CreateNumber(v));
}

void bt_json_str(struct bt_json *j, cJSON *o, const char *key, const char *v)
{
	bt_json_add(j, o, key, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

void bt_json_bool(struct bt_json *j, cJSON *o, const char *key, int v)
{
	bt_json_add(j, o, key, cJSON_CreateBool(v));
}

int bt_json_write(const cJSON *root, FILE *f, int pretty)
{
	char *text = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
	int rc = -1;
	if (!text)
		return -1;
	if (fputs(text, f) >= 0 && fputc('\n', f) != EOF)
		rc = 0;
	free(text);
	return rc;
}
