/* asset.c - the embedded assets as outputs get them (asset.h). */
#include <string.h>

#include "output/asset.h"

/* Whether the LEN bytes at S, trailing blanks aside, end by closing a
 * block comment. */
static int ends_comment(const char *s, size_t len)
{
	while (len &&
	       (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	return len >= 2 && s[len - 2] == '*' && s[len - 1] == '/';
}

int bt_asset_put(FILE *f, const char *text, const char *sep)
{
	int in_note = 0;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		size_t lead = strspn(text, " \t");
		const char *code = text + (lead < len ? lead : len);

		if (in_note) {
			in_note = !ends_comment(text, len);
		} else if (len - lead >= 2 && code[0] == '/' &&
			   (code[1] == '/' || code[1] == '*')) {
			/* a block comment ending on its first line must
			 * end after its opening mark */
			in_note = code[1] == '*' &&
				  !(len - lead >= 4 &&
				    ends_comment(code + 2, len - lead - 2));
		} else {
			fwrite(text, 1, len, f);
			fputs(sep, f);
		}
		text += len + (nl != NULL);
	}
	return ferror(f) ? -1 : 0;
}
