/* test_output.c - escaping of wire text, display widths, the JSON writer,
 * and what the text report says when a cap acts */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sipcause/diagnosis/kb.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/frame/sipframe.h"
#include "sipcause/pipeline/analyze.h"
#include "sipcause/report/report.h"
#include "sipcause/report/width.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/escape.h"
#include "sipcause/util/jsonw.h"

/* internal to report/: not in the installed headers */
#include "../../src/report/report_impl.h"

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
		{ "caf\xc3\xa9", "caf\xc3\xa9" },           /* valid UTF-8 */
		{ "c1 \xc2\x9b csi", "c1 \\xc2\\x9b csi" }, /* C1 as UTF-8 */
		{ "raw \x9b", "raw \\x9b" },                /* lone byte */
		{ "over \xc0\xaf", "over \\xc0\\xaf" },     /* overlong */
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

static void
test_text_width(void **state)
{
	static const struct {
		const char *in;
		size_t cells;
	} cases[] = {
		{ "", 0 },
		{ "abc", 3 },
		{ "caf\xc3\xa9", 4 },              /* é: 1 */
		{ "e\xcc\x81", 1 },                /* e + combining */
		{ "\xe5\xb1\xb1\xe7\x94\xb0", 4 }, /* 山田: 2 each */
		{ "\xf0\x9f\x93\x9e", 2 },         /* emoji */
		{ "\x1b[1m", 7 },                  /* \x1b + [1m */
		{ "a\\b", 4 },                     /* \\ */
		{ "\xff", 4 },                     /* invalid byte */
		{ "\xe2\x80\xae", 12 },            /* RLO, escaped */
	};

	(void)state;
	for (size_t i = 0; i < SC_COUNTOF(cases); i++)
		assert_int_equal(
		        sc_text_width(cases[i].in, strlen(cases[i].in)),
		        cases[i].cells);
}

struct fit_case {
	const char *in;
	size_t cols;
	const char *out;
};

static void
fit_one(FILE *f, const void *arg)
{
	const struct fit_case *c = arg;

	sc_text_fit(f, c->in, c->cols);
}

static void
test_text_fit(void **state)
{
	static const struct fit_case cases[] = {
		{ "short", 10, "short" },
		{ "exactly10!", 10, "exactly10!" },
		{ "longer than ten", 10, "longer th\u2026" },
		/* never inside a wide character: 山田太郎 in 5 cells */
		{ "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e", 5,
		  "\xe5\xb1\xb1\xe7\x94\xb0\u2026" },
		{ "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e", 4,
		  "\xe5\xb1\xb1\u2026" },
		/* never inside an escape */
		{ "ab\x1b"
		  "cdef",
		  5, "ab\u2026" },
		{ "ab\x1b"
		  "cdef",
		  7, "ab\\x1b\u2026" },
		/* a cut UTF-8 sequence is escaped, byte by byte */
		{ "ok\xe2\x82", 20, "ok\\xe2\\x82" },
		{ "abc", 0, "" },
		{ "abc", 1, "\u2026" },
	};
	char *out;

	(void)state;
	for (size_t i = 0; i < SC_COUNTOF(cases); i++) {
		out = capture(fit_one, &cases[i]);
		assert_string_equal(out, cases[i].out);
		free(out);
	}
}

static void
wrap_one(FILE *f, const void *arg)
{
	sc_text_wrap(f, arg, 0, 2, 10);
}

static void
test_text_wrap(void **state)
{
	char *out;

	(void)state;
	out = capture(wrap_one, "one two three four averyveryverylongword x");
	assert_string_equal(out, "one two\n  three\n  four\n  averyve\u2026\n"
	                         "  x\n");
	free(out);
}

static void
test_term_width(void **state)
{
	(void)state;
	setenv("COLUMNS", "132", 1);
	assert_int_equal(sc_term_width(NULL), 132);
	setenv("COLUMNS", "5", 1); /* too narrow: ignored */
	assert_int_equal(sc_term_width(NULL), 80);
	setenv("COLUMNS", "12x", 1);
	assert_int_equal(sc_term_width(NULL), 80);
	unsetenv("COLUMNS");
	assert_int_equal(sc_term_width(NULL), 80);
}

/*
 * The text header counts every call seen, also those a cap on kept calls
 * left out of the list: samples/demo.pcap holds six Call-IDs (tshark:
 * 1 answered INVITE, 3 failed (404, 486, 503), 1 cancelled with 487, 1
 * REGISTER answered 401 then 200); with room for one call, one is listed
 * and the note counts the five others.
 */
static void
test_text_header_counts_capped_calls(void **state)
{
	struct sc_analyzer_opts aopts = { .kept_calls_cap = 1 };
	struct sc_report_opts ropts = { .format = SC_FORMAT_TEXT,
		                        .all_calls = true,
		                        .width = 200,
		                        .tool_version = "test" };
	char errbuf[SC_ERRBUF_SIZE], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct sc_model model;
	struct sc_report *report;
	struct sc_analyzer *an;

	(void)state;
	assert_non_null(out);
	sc_model_init(&model);
	report = sc_report_new(&ropts, out);
	assert_non_null(report);
	an = sc_analyzer_new(&aopts, &model);
	assert_non_null(an);
	assert_int_equal(sc_analyzer_file(an,
	                                  SC_SOURCE_ROOT "/samples/demo.pcap",
	                                  errbuf),
	                 SC_OK);
	assert_int_equal(sc_analyzer_finish(an), SC_OK);
	assert_int_equal(sc_report_finish(report, &model), SC_OK);
	fclose(out);
	assert_int_equal(model.calls.n, 1);
	assert_non_null(strstr(buf, "calls     6: answered 1, failed 3, "
	                            "cancelled 1, registered 1"));
	assert_non_null(strstr(buf, "Calls: 1\n"));
	assert_non_null(strstr(buf, "5 calls"));
	free(buf);
	sc_analyzer_free(an);
	sc_report_free(report);
	sc_model_fini(&model);
}

/*
 * The text report lists every call up to SC_REPORT_MAX_LISTED, then the
 * failed ones only: past that count the model need not keep an answered
 * call, but keeps every failed one, and every call with --all.
 */
static void
test_report_lists(void **state)
{
	struct sc_report_opts text = { .format = SC_FORMAT_TEXT };
	struct sc_report_opts all = { .format = SC_FORMAT_TEXT,
		                      .all_calls = true };
	struct sc_report_opts csv = { .format = SC_FORMAT_CSV };
	char id[] = "x";
	struct sc_call call = { .call_id = id, .call_id_len = 1 };
	struct sc_diagnosis ok = { .call = &call };
	struct sc_diagnosis bad = { .call = &call };
	struct sc_report *r[3];
	FILE *out = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(out);
	ok.verdict.cat = SC_CAT_OK;
	bad.verdict.cat = SC_CAT_BUSY;
	r[0] = sc_report_new(&text, out);
	r[1] = sc_report_new(&all, out);
	r[2] = sc_report_new(&csv, out);
	for (int k = 0; k < 3; k++) {
		assert_non_null(r[k]);
		for (int i = 0; i < SC_REPORT_MAX_LISTED; i++) {
			sc_report_call(r[k], &ok);
			assert_true(sc_report_lists(r[k], &ok));
		}
		sc_report_call(r[k], &ok);
	}
	assert_false(sc_report_lists(r[0], &ok));
	assert_true(sc_report_lists(r[0], &bad));
	assert_true(sc_report_lists(r[1], &ok));
	assert_true(sc_report_lists(r[2], &ok));
	for (int k = 0; k < 3; k++)
		sc_report_free(r[k]);
	fclose(out);
}

/* The report computes UTC dates itself (no time zone lock): the same as
 * gmtime_r() on every day from 1678 to 2261 (a 64-bit count of
 * nanoseconds spans no more), leap days and negative times included, at
 * a second that moves through the day. */
static void
test_format_ts_is_gmtime(void **state)
{
	char got[40], want[96];

	(void)state;
	for (int64_t s = -9200000000LL; s < 9200000000LL; s += 86400 + 1237) {
		time_t t = (time_t)s;
		struct tm tm;

		assert_non_null(gmtime_r(&t, &tm));
		snprintf(want, sizeof(want),
		         "%04d-%02d-%02dT%02d:%02d:%02d.000000042Z",
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		         tm.tm_hour, tm.tm_min, tm.tm_sec);
		sc__format_ts(s * 1000000000 + 42, got, sizeof(got));
		assert_string_equal(got, want);
	}
	/* before 1970, the fraction still counts up from the second */
	assert_string_equal(sc__format_ts(-1, got, sizeof(got)),
	                    "1969-12-31T23:59:59.999999999Z");
}

/* The enum ids JSON writes without an escape scan (report_json.c kid()):
 * non-empty, lower-case letters, digits, '-' and '_' only. */
static void
assert_plain_id(const char *id)
{
	assert_non_null(id);
	assert_true(id[0] != 0);
	for (const char *p = id; *p; p++)
		assert_true((*p >= 'a' && *p <= 'z') ||
		            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
}

static void
test_ids_need_no_escape(void **state)
{
	(void)state;
	for (int i = 0; i < SC_CLASS__COUNT; i++)
		assert_plain_id(sc_class_id((enum sc_class)i));
	for (int i = 0; i < SC_CAT__COUNT; i++)
		assert_plain_id(sc_category_id((enum sc_category)i));
	for (int i = 0; i < SC_CALL__COUNT; i++)
		assert_plain_id(sc_call_state_id((enum sc_call_state)i));
	for (int i = 0; i < SC_TRANSPORT__COUNT; i++)
		assert_plain_id(sc_transport_name((enum sc_transport)i));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_text),
		cmocka_unit_test(test_escape_buf),
		cmocka_unit_test(test_jsonw_compact),
		cmocka_unit_test(test_jsonw_pretty),
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_text_fit),
		cmocka_unit_test(test_text_wrap),
		cmocka_unit_test(test_term_width),
		cmocka_unit_test(test_text_header_counts_capped_calls),
		cmocka_unit_test(test_report_lists),
		cmocka_unit_test(test_format_ts_is_gmtime),
		cmocka_unit_test(test_ids_need_no_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
