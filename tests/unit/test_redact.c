/* test_redact.c - credential-shaped command-line values are redacted at
 * record time (common/redact.c, issue 14 defect 9), and nothing else is
 * touched: rustc's and cargo's arguments stay as they are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "redact.h"
#include "trace_codec.h"

/* ARG after PREV redacts to WANT (NULL: stays as it is). */
static void expect_arg(const char *prev, const char *arg, const char *want)
{
	char out[512];
	int n = bt_redact_arg(arg, prev, out, sizeof(out));
	if (!want) {
		if (n != 0 || strcmp(out, arg) != 0)
			fail_msg("'%s' after '%s' became '%s'", arg,
				 prev ? prev : "", out);
		return;
	}
	if (n == 0 || strcmp(out, want) != 0)
		fail_msg("'%s' after '%s' became '%s', want '%s'", arg,
			 prev ? prev : "", out, want);
}

static void test_url_userinfo(void **state)
{
	(void)state;
	expect_arg(NULL, "https://alice:hunter2@example.com/x.git",
		   "https://<redacted>@example.com/x.git");
	expect_arg(NULL, "https://ghp_TOKEN@github.com/o/r",
		   "https://<redacted>@github.com/o/r");
	expect_arg(NULL, "--url=http://u:p@h:8080/?q=1",
		   "--url=http://<redacted>@h:8080/?q=1");
	/* '@' in the path or no scheme: no userinfo */
	expect_arg(NULL, "https://example.com/pkg@1.2.3", NULL);
	expect_arg(NULL, "git@github.com:o/r.git", NULL);
	expect_arg(NULL, "user@example.com", NULL);
}

static void test_headers(void **state)
{
	(void)state;
	expect_arg("-H", "Authorization: Bearer tok",
		   "Authorization: <redacted>");
	expect_arg(NULL, "authorization:Basic dXNlcjpwdw==",
		   "authorization:<redacted>");
	expect_arg(NULL, "--header=Proxy-Authorization: Basic x",
		   "--header=Proxy-Authorization: <redacted>");
	expect_arg("-H", "Cookie: session=abc", "Cookie: <redacted>");
	expect_arg("-H", "X-Api-Key: k", "X-Api-Key: <redacted>");
	expect_arg("-H", "Private-Token: k", "Private-Token: <redacted>");
	expect_arg("-H", "Accept: application/json", NULL);
	/* a word that merely ends like a header name */
	expect_arg(NULL, "XAuthorization: x", NULL);
}

static void test_flags(void **state)
{
	(void)state;
	expect_arg(NULL, "--password=pw", "--password=<redacted>");
	expect_arg(NULL, "--token=t", "--token=<redacted>");
	expect_arg(NULL, "--api-key=k", "--api-key=<redacted>");
	expect_arg(NULL, "--client-secret=s", "--client-secret=<redacted>");
	expect_arg(NULL, "-password=pw", "-password=<redacted>");
	expect_arg("--token", "t", "<redacted>");
	expect_arg("--password", "pw", "<redacted>");
	expect_arg("--access-token", "t", "<redacted>");
	expect_arg("--auth", "user:pw", "<redacted>");
	/* files and paths that hold secrets are not secrets */
	expect_arg("--token-file", "/run/t", NULL);
	expect_arg(NULL, "--password-file=/run/pw", NULL);
	expect_arg(NULL, "--secrets-dir=/run/s", NULL);
	/* words that only contain a secret-sounding one */
	expect_arg(NULL, "--tokenizer=bpe", NULL);
	expect_arg("--tokenizer", "bpe", NULL);
	expect_arg("-p", "tokenizers", NULL);
	expect_arg("--token=x", "next", NULL); /* the value was in --token=x */
}

static void test_key_value(void **state)
{
	(void)state;
	expect_arg(NULL, "GITHUB_TOKEN=t", "GITHUB_TOKEN=<redacted>");
	expect_arg(NULL, "AWS_SECRET_ACCESS_KEY=k",
		   "AWS_SECRET_ACCESS_KEY=<redacted>");
	expect_arg(NULL, "AWS_ACCESS_KEY_ID=k", "AWS_ACCESS_KEY_ID=<redacted>");
	expect_arg(NULL, "api_key=k", "api_key=<redacted>");
	expect_arg(NULL, "DB_PASSWORD=pw", "DB_PASSWORD=<redacted>");
	expect_arg(NULL, "CARGO_REGISTRIES_X_TOKEN=t",
		   "CARGO_REGISTRIES_X_TOKEN=<redacted>");
	expect_arg(NULL, "PWD=/home/u", NULL);
	expect_arg(NULL, "CARGO_PKG_AUTHORS=a <a@b>", NULL);
	expect_arg(NULL, "MY_KEY=value", NULL);
	expect_arg(NULL, "tokenizers=/x/libtokenizers.rlib", NULL);
	expect_arg(NULL, "GITHUB_TOKEN_PATH=/run/t", NULL);
	expect_arg(NULL, "=x", NULL);
}

static void test_command_line(void **state)
{
	char out[512];
	(void)state;
	assert_int_equal(
	    bt_redact_command("curl -fsS -H 'Authorization: Bearer t' "
			      "https://u:p@h/ --token t2 X=1 "
			      "GITHUB_TOKEN=t3 make",
			      out, sizeof(out)),
	    4);
	assert_string_equal(out, "curl -fsS -H 'Authorization: <redacted>' "
				 "https://<redacted>@h/ --token <redacted> "
				 "X=1 GITHUB_TOKEN=<redacted> make");
	assert_int_equal(
	    bt_redact_command("  cc -c  x.c\t-o x.o ", out, sizeof(out)), 0);
	assert_string_equal(out, "  cc -c  x.c\t-o x.o ");
	assert_int_equal(bt_redact_command("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_cut_to_fit(void **state)
{
	char out[16];
	(void)state;
	/* Never past CAP, always terminated, the secret never half kept. */
	bt_redact_arg("--password=supersecretvalue", NULL, out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
	assert_null(strstr(out, "super"));
	bt_redact_arg("https://u:supersecret@h", NULL, out, 4);
	assert_string_equal(out, "htt");
	bt_redact_command("x --token supersecret", out, sizeof(out));
	assert_null(strstr(out, "super"));
}

static void test_words_without_colon(void **state)
{
	/* A word with no ':' cannot hold a header or URL rule: it is copied
	 * whole without the per-byte scan (a link's thousands of paths);
	 * the rules still apply to words that have one, in any case. */
	static char path[4000], out[4096];
	char small[8];
	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	memcpy(path, "/tmp/w/target/debug/deps/x-", 27);
	assert_int_equal(bt_redact_arg(path, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, path);
	assert_int_equal(bt_redact_arg(path, NULL, small, sizeof(small)), 0);
	assert_string_equal(small, "/tmp/w/");
	expect_arg(NULL, "-Wl,-z,relro,-z,now", NULL);
	expect_arg(NULL, "C:/x/y", NULL);
	expect_arg("-H", "COOKIE: a=b", "COOKIE: <redacted>");
	expect_arg("-H", "X-Api-Key:abc", "X-Api-Key:<redacted>");
	expect_arg(NULL, "HTTPS://U:P@h/x", "HTTPS://<redacted>@h/x");
}

static void expect_argv_intact(char **argv, int exempt)
{
	char buf[1024], rec[8192], copy[8192], fixed[8] = {0};
	struct bt_redact_buf rb = {buf, sizeof(buf), exempt, 0};
	struct bt_enc e, e2;
	uint32_t kept, total, kept2, total2;
	bt_enc_begin(&e, rec, sizeof(rec), 1, fixed, sizeof(fixed));
	bt_enc_argv_filtered(&e, argv, 4096, 100, &kept, &total,
			     bt_redact_filter, &rb);
	bt_enc_begin(&e2, copy, sizeof(copy), 1, fixed, sizeof(fixed));
	bt_enc_argv(&e2, argv, 4096, 100, &kept2, &total2);
	assert_int_equal(rb.count, 0);
	assert_int_equal(kept, kept2);
	assert_int_equal(e.len, e2.len);
	assert_memory_equal(rec, copy, e.len);
}

static void test_toolchain_intact(void **state)
{
	char *rustc[] = {"/home/u/.rustup/toolchains/stable/bin/rustc",
			 "--crate-name",
			 "tokenizers",
			 "--edition=2021",
			 "src/lib.rs",
			 "--crate-type",
			 "lib",
			 "-C",
			 "opt-level=3",
			 "-C",
			 "metadata=0a1b2c",
			 "--cfg",
			 "feature=\"secret-store\"",
			 "--extern",
			 "token_source=/t/libtoken_source-1.rlib",
			 "-C",
			 "link-arg=-fuse-ld=mold",
			 "--env-set",
			 "API_TOKEN=x",
			 NULL};
	char *cargo[] = {"cargo",
			 "build",
			 "--release",
			 "-p",
			 "tokenizers",
			 "--features",
			 "auth,secret-store",
			 "--manifest-path",
			 "/w/Cargo.toml",
			 "--config",
			 "profile.dev.debug=0",
			 "-j2",
			 NULL};
	(void)state;
	assert_true(bt_redact_exempt(rustc[0]));
	assert_true(bt_redact_exempt("rustdoc"));
	assert_true(bt_redact_exempt("/x/clippy-driver"));
	assert_false(bt_redact_exempt("cargo"));
	assert_false(bt_redact_exempt("/usr/bin/rustc-wrapper"));
	assert_false(bt_redact_exempt(NULL));
	{
		char *wrapped[] = {"sccache", "/x/rustc", "-", NULL};
		char *plain[] = {"sccache", "cc", NULL};
		char *none[] = {NULL};
		assert_true(bt_redact_exempt_argv(wrapped));
		assert_false(bt_redact_exempt_argv(plain));
		assert_false(bt_redact_exempt_argv(none));
		assert_false(bt_redact_exempt_argv(NULL));
	}
	expect_argv_intact(rustc, 1);
	expect_argv_intact(cargo, 0);
	/* without its exemption, rustc's usual arguments are left alone
	 * too (rustc under a wrapper such as sccache) */
	rustc[17] = "--test";
	rustc[18] = NULL;
	expect_argv_intact(rustc, 0);
}

static void test_filter(void **state)
{
	char buf[256];
	struct bt_redact_buf rb = {buf, sizeof(buf), 0, 0};
	char *argv[] = {"sh", "-c", "curl --token t x", "--token", "t2", NULL};
	(void)state;
	assert_ptr_equal(bt_redact_filter(&rb, argv, 0), argv[0]);
	assert_ptr_equal(bt_redact_filter(&rb, argv, 1), argv[1]);
	assert_string_equal(bt_redact_filter(&rb, argv, 2),
			    "curl --token <redacted> x");
	assert_ptr_equal(bt_redact_filter(&rb, argv, 3), argv[3]);
	assert_string_equal(bt_redact_filter(&rb, argv, 4), BT_REDACTED);
	assert_int_equal(rb.count, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url_userinfo),
	    cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_key_value),
	    cmocka_unit_test(test_command_line),
	    cmocka_unit_test(test_cut_to_fit),
	    cmocka_unit_test(test_words_without_colon),
	    cmocka_unit_test(test_toolchain_intact),
	    cmocka_unit_test(test_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
