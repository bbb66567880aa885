/* test_output.c - escaping of wire text and the JSON writer */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/util/escape.h"
#include "sipcause/util/jsonw.h"

/* Run @fn with a memory stream and return what it wrote (malloc'd). */
static char *
capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void
escape_one(FILE *f, const void *s)
{
	sc_escape_text(f, s);
}

static void
test_escape_text(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "plain ascii", "plain ascii" },
		{ "tab\there", "tab\\x09here" },
		{ "\x1b[31mred", "\\x1b[31mred" },
		{ "bell\x07", "bell\\x07" },
		{ "back\\slash", "back\\\\slash" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },            /* valid UTF-8 */
		{ "c1 \xc2\x9b csi", "c1 \\xc2\\x9b csi" },  /* C1 as UTF-8 */
		{ "raw \x9b", "raw \\x9b" },                 /* lone byte */
		{ "over \xc0\xaf", "over \\xc0\\xaf" },      /* overlong */
		{ "sur \xed\xa0\x80", "sur \\xed\\xa0\\x80" },
		{ "cut \xe2\x82", "cut \\xe2\\x82" },
		{ "del\x7f", "del\\x7f" },
		{ "emoji \xf0\x9f\x93\x9e", "emoji \xf0\x9f\x93\x9e" },
	};
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = capture(escape_one, cases[i].in);
		assert_string_equal(out, cases[i].out);
		free(out);
	}
	out = capture(escape_one, NULL);
	assert_string_equal(out, "-");
	free(out);
}

static void
test_escape_buf(void **state)
{
	char buf[8];

	(void)state;
	assert_string_equal(sc_escape_buf(buf, sizeof(buf), "a\x1b"), "a\\x1b");
	assert_string_equal(sc_escape_buf(buf, sizeof(buf), "0123456789"),
			    "0123456");
}

static void
write_doc(FILE *f, const void *arg)
{
	struct sc_jsonw w;

	(void)arg;
	sc_jsonw_init(&w, f, false);
	sc_jsonw_begin_object(&w);
	sc_jsonw_kstr(&w, "s", "q\"b\\n\nt\tc\x01\x7f\xc2\x85 \xff!");
	sc_jsonw_kint(&w, "i", -5);
	sc_jsonw_kuint(&w, "u", 18446744073709551615u);
	sc_jsonw_kbool(&w, "b", true);
	sc_jsonw_kstr(&w, "n", NULL);
	sc_jsonw_key(&w, "a");
	sc_jsonw_begin_array(&w);
	sc_jsonw_int(&w, 1);
	sc_jsonw_begin_object(&w);
	sc_jsonw_end_object(&w);
	sc_jsonw_begin_array(&w);
	sc_jsonw_end_array(&w);
	sc_jsonw_stringn(&w, "a\0b", 3);
	sc_jsonw_end_array(&w);
	sc_jsonw_end_object(&w);
}

static void
test_jsonw_compact(void **state)
{
	char *out = capture(write_doc, NULL);

	(void)state;
	assert_string_equal(
		out,
		"{\"s\":\"q\\\"b\\\\n\\nt\\tc\\u0001\\u007f\\u0085 \\ufffd!\","
		"\"i\":-5,\"u\":18446744073709551615,\"b\":true,\"n\":null,"
		"\"a\":[1,{},[],\"a\\u0000b\"]}");
	free(out);
}

static void
write_pretty(FILE *f, const void *arg)
{
	struct sc_jsonw w;

	(void)arg;
	sc_jsonw_init(&w, f, true);
	sc_jsonw_begin_object(&w);
	sc_jsonw_kint(&w, "a", 1);
	sc_jsonw_key(&w, "b");
	sc_jsonw_begin_array(&w);
	sc_jsonw_int(&w, 2);
	sc_jsonw_int(&w, 3);
	sc_jsonw_end_array(&w);
	sc_jsonw_key(&w, "c");
	sc_jsonw_begin_array(&w);
	sc_jsonw_end_array(&w);
	sc_jsonw_end_object(&w);
}

static void
test_jsonw_pretty(void **state)
{
	char *out = capture(write_pretty, NULL);

	(void)state;
	assert_string_equal(out, "{\n  \"a\": 1,\n  \"b\": [\n    2,\n    3\n"
				 "  ],\n  \"c\": []\n}");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_text),
		cmocka_unit_test(test_escape_buf),
		cmocka_unit_test(test_jsonw_compact),
		cmocka_unit_test(test_jsonw_pretty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
