/* test_jsonw.c - the buffered JSON writer: escaping byte by byte, output
 * longer than its buffer, and direct writes between top-level values */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/util/jsonw.h"

struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static struct sc_jsonw *
open_writer(struct mem *m, bool pretty)
{
	struct sc_jsonw *w = malloc(sizeof(*w));

	assert_non_null(w);
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
	sc_jsonw_init(w, m->f, pretty);
	return w;
}

/* Close the stream; m->buf then holds all that was written. */
static void
close_writer(struct mem *m, struct sc_jsonw *w)
{
	sc_jsonw_flush(w);
	assert_int_equal(fclose(m->f), 0);
	free(w);
}

/* @s (n bytes) as one JSON string must come out as @want. */
static void
check_string(const char *s, size_t n, const char *want)
{
	struct mem m;
	struct sc_jsonw *w = open_writer(&m, false);

	sc_jsonw_stringn(w, s, n);
	close_writer(&m, w);
	assert_string_equal(m.buf, want);
	free(m.buf);
}

/* RFC 8259 section 7: controls must be escaped; \n \r \t by name. */
static void
test_every_single_byte(void **state)
{
	char s[1], want[16];

	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		s[0] = (char)b;
		if (b == '\n')
			snprintf(want, sizeof(want), "\"\\n\"");
		else if (b == '\r')
			snprintf(want, sizeof(want), "\"\\r\"");
		else if (b == '\t')
			snprintf(want, sizeof(want), "\"\\t\"");
		else if (b == '"' || b == '\\')
			snprintf(want, sizeof(want), "\"\\%c\"", b);
		else if (b < 0x20 || b == 0x7f)
			snprintf(want, sizeof(want), "\"\\u%04x\"", b);
		else if (b >= 0x80) /* a lone byte >= 0x80 is never UTF-8 */
			snprintf(want, sizeof(want), "\"\\ufffd\"");
		else
			snprintf(want, sizeof(want), "\"%c\"", b);
		check_string(s, 1, want);
	}
}

/*
 * Plain runs are read 8 bytes at a time: every byte at every place of
 * a 17-byte plain string (two words and a tail) is escaped as it is
 * alone.
 */
static void
test_every_byte_in_every_place(void **state)
{
	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		struct mem alone;
		struct sc_jsonw *w = open_writer(&alone, false);
		char c = (char)b;

		sc_jsonw_stringn(w, &c, 1);
		close_writer(&alone, w);
		/* the escape without its quotes */
		alone.buf[strlen(alone.buf) - 1] = 0;
		for (size_t at = 0; at < 17; at++) {
			char s[17], want[64];

			memset(s, 'a', sizeof(s));
			s[at] = c;
			snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", (int)at,
			         s, alone.buf + 1, (int)(16 - at), s + at + 1);
			check_string(s, sizeof(s), want);
		}
		free(alone.buf);
	}
}

/* RFC 3629: C1 controls escaped, overlong forms, surrogates and cut
 * sequences replaced byte by byte, valid text copied. */
static void
test_utf8(void **state)
{
	(void)state;
	check_string("\xc2\x80\xc2\x9f\xc2\xa0", 6,
	             "\"\\u0080\\u009f\xc2\xa0\"");
	check_string("\xc0\x80", 2, "\"\\ufffd\\ufffd\"");
	check_string("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	check_string("a\xe2\x82", 3, "\"a\\ufffd\\ufffd\"");
	check_string("\xe2\x82\xac\xf0\x9f\x98\x80x", 8,
	             "\"\xe2\x82\xac\xf0\x9f\x98\x80x\"");
	check_string("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check_string("", 0, "\"\"");
}

static void
test_numbers(void **state)
{
	struct mem m;
	struct sc_jsonw *w = open_writer(&m, false);

	(void)state;
	sc_jsonw_begin_array(w);
	sc_jsonw_int(w, INT64_MIN);
	sc_jsonw_int(w, INT64_MAX);
	sc_jsonw_int(w, 0);
	sc_jsonw_int(w, -1);
	sc_jsonw_uint(w, UINT64_MAX);
	sc_jsonw_uint(w, 10);
	sc_jsonw_double1(w, 97.54);
	sc_jsonw_double1(w, -0.25);
	sc_jsonw_double1(w, NAN);
	sc_jsonw_double1(w, INFINITY);
	sc_jsonw_bool(w, false);
	sc_jsonw_end_array(w);
	close_writer(&m, w);
	assert_string_equal(
	        m.buf, "[-9223372036854775808,9223372036854775807,0,-1,"
	               "18446744073709551615,10,97.5,-0.2,null,null,false]");
	free(m.buf);
}

/* Plain strings (times, addresses) take their place as strings do: as
 * members and items, and longer than the buffer. */
static void
test_plain(void **state)
{
	struct mem m;
	struct sc_jsonw *w = open_writer(&m, false);
	size_t big = SC_JSONW_BUF + 10;
	char *s = malloc(big);

	(void)state;
	assert_non_null(s);
	memset(s, '7', big);
	sc_jsonw_begin_object(w);
	sc_jsonw_key(w, "ts");
	sc_jsonw_plainn(w, "2026-11-29T17:00:00.000000001Z", 30);
	sc_jsonw_key(w, "hops");
	sc_jsonw_begin_array(w);
	sc_jsonw_plainn(w, "[2001:db8::1]:5060", 18);
	sc_jsonw_plainn(w, "", 0);
	sc_jsonw_plainn(w, s, big);
	sc_jsonw_end_array(w);
	sc_jsonw_end_object(w);
	close_writer(&m, w);
	assert_int_equal(m.len, 72 + big + 3);
	assert_memory_equal(m.buf,
	                    "{\"ts\":\"2026-11-29T17:00:00.000000001Z\","
	                    "\"hops\":[\"[2001:db8::1]:5060\",\"\",\"7777",
	                    76);
	assert_memory_equal(m.buf + 72 + big, "\"]}", 3);
	free(m.buf);
	free(s);
}

/* Numbers at every digit count's edges: 10^k - 1 and 10^k. */
static void
test_digit_counts(void **state)
{
	char got[24], want[24];
	uint64_t p = 1;

	(void)state;
	for (int k = 0; k < 20; k++) {
		uint64_t v[2] = { p - 1, p };

		for (int i = 0; i < 2; i++) {
			*sc__jsonw_digits(got, v[i]) = 0;
			snprintf(want, sizeof(want), "%llu",
			         (unsigned long long)v[i]);
			assert_string_equal(got, want);
		}
		if (k < 19)
			p *= 10;
	}
	*sc__jsonw_digits_n(got, 42, 9) = 0;
	assert_string_equal(got, "000000042");
}

/* kstr_upto writes what kstr does: the bytes before the first NUL. */
static void
test_kstr_upto(void **state)
{
	static const char s[] = "z9hG4bK-ab\"cd\0tail-after-the-nul-byte";
	struct mem m;
	struct sc_jsonw *w = open_writer(&m, false);

	(void)state;
	sc_jsonw_begin_array(w);
	sc_jsonw_begin_object(w);
	sc_jsonw_kstr_upto(w, "a", s, sizeof(s) - 1);
	sc_jsonw_kstr_upto(w, "b", s + 14, sizeof(s) - 15);
	sc_jsonw_kstr_upto(w, "c", NULL, 0);
	sc_jsonw_end_object(w);
	sc_jsonw_end_array(w);
	close_writer(&m, w);
	assert_string_equal(m.buf, "[{\"a\":\"z9hG4bK-ab\\\"cd\","
	                           "\"b\":\"tail-after-the-nul-byte\","
	                           "\"c\":null}]");
	free(m.buf);
}

/* A string of many times the buffer, runs of plain bytes cut by escapes. */
static void
test_longer_than_buffer(void **state)
{
	static const char unit[] = "ab\"\x01\xc3\xa9\\z";
	static const char out[] = "ab\\\"\\u0001\xc3\xa9\\\\z";
	size_t reps = 3 * SC_JSONW_BUF / (sizeof(unit) - 1) + 7;
	size_t n = reps * (sizeof(unit) - 1);
	size_t wn = 2 + reps * (sizeof(out) - 1);
	char *s = malloc(n), *want = malloc(wn + 1);
	struct mem m;
	struct sc_jsonw *w;

	(void)state;
	assert_non_null(s);
	assert_non_null(want);
	want[0] = '"';
	for (size_t i = 0; i < reps; i++) {
		memcpy(s + i * (sizeof(unit) - 1), unit, sizeof(unit) - 1);
		memcpy(want + 1 + i * (sizeof(out) - 1), out, sizeof(out) - 1);
	}
	want[wn - 1] = '"';
	want[wn] = 0;
	w = open_writer(&m, false);
	sc_jsonw_stringn(w, s, n);
	close_writer(&m, w);
	assert_int_equal(m.len, wn);
	assert_memory_equal(m.buf, want, wn);
	free(m.buf);

	/* one plain run longer than the buffer goes through as well */
	memset(s, 'x', n);
	w = open_writer(&m, false);
	sc_jsonw_stringn(w, s, n);
	close_writer(&m, w);
	assert_int_equal(m.len, n + 2);
	assert_true(m.buf[0] == '"' && m.buf[n + 1] == '"');
	assert_memory_equal(m.buf + 1, s, n);
	free(m.buf);
	free(s);
	free(want);
}

/*
 * JSON Lines: the caller writes the newline itself after each record,
 * without a flush; every record must be on the stream, in order, before
 * it. The stream is unbuffered so anything held back would show.
 */
static void
test_direct_writes_between_values(void **state)
{
	struct mem m;
	struct sc_jsonw *w = open_writer(&m, false);

	(void)state;
	/* default buffering: the order comes from the writer alone */
	for (int i = 0; i < 3; i++) {
		sc_jsonw_init(w, m.f, false);
		sc_jsonw_begin_object(w);
		sc_jsonw_kint(w, "n", i);
		sc_jsonw_kstr(w, "s", "x\ty");
		sc_jsonw_end_object(w);
		fputc('\n', m.f);
	}
	sc_jsonw_init(w, m.f, false);
	sc_jsonw_string(w, "top");
	fputc('|', m.f);
	sc_jsonw_int(w, 7);
	fputc('|', m.f);
	close_writer(&m, w);
	assert_string_equal(
	        m.buf, "{\"n\":0,\"s\":\"x\\ty\"}\n{\"n\":1,\"s\":\"x\\ty\"}\n"
	               "{\"n\":2,\"s\":\"x\\ty\"}\n\"top\"|7|");
	free(m.buf);
}

/* Pretty output that crosses the buffer many times keeps its layout. */
static void
test_pretty_long(void **state)
{
	enum { N = 20000 };
	struct mem m;
	struct sc_jsonw *w = open_writer(&m, true);
	char *p;

	(void)state;
	sc_jsonw_begin_object(w);
	sc_jsonw_key(w, "v");
	sc_jsonw_begin_array(w);
	for (int i = 0; i < N; i++) {
		sc_jsonw_begin_object(w);
		sc_jsonw_kint(w, "i", i);
		sc_jsonw_end_object(w);
	}
	sc_jsonw_end_array(w);
	sc_jsonw_end_object(w);
	close_writer(&m, w);
	p = m.buf;
	assert_true(strncmp(p, "{\n  \"v\": [\n", 11) == 0);
	p += 11;
	for (int i = 0; i < N; i++) {
		char want[64];
		int n = snprintf(want, sizeof(want),
		                 "    {\n      \"i\": %d\n    }%s\n", i,
		                 i + 1 < N ? "," : "");

		assert_true(strncmp(p, want, (size_t)n) == 0);
		p += n;
	}
	assert_string_equal(p, "  ]\n}");
	free(m.buf);
}

/* The item {"id": @id, "links": [@links...], "n": 1}. */
static void
item(struct sc_jsonw *w, int id, const char *const *links, size_t nlinks,
     uint64_t *links_at, uint64_t *links_end)
{
	sc_jsonw_begin_object(w);
	sc_jsonw_kint(w, "id", id);
	sc_jsonw_key(w, "links");
	if (links_at)
		*links_at = sc_jsonw_tell(w);
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < nlinks; i++)
		sc_jsonw_string(w, links[i]);
	sc_jsonw_end_array(w);
	if (links_end)
		*links_end = sc_jsonw_tell(w);
	sc_jsonw_kint(w, "n", 1);
	sc_jsonw_end_object(w);
}

/* The document {"items": [item 0, item 1, item 2]}, item 1 with @links. */
static void
document_head(struct sc_jsonw *w)
{
	sc_jsonw_begin_object(w);
	sc_jsonw_key(w, "items");
	sc_jsonw_begin_array(w);
}

static void
document_tail(struct sc_jsonw *w)
{
	sc_jsonw_end_array(w);
	sc_jsonw_end_object(w);
}

/*
 * Items written apart at the depth of the array (the JSON spool) and
 * spliced in, whole or with their "links" written anew, give the very
 * bytes of the document written in one go, pretty or not.
 */
static void
test_splice(void **state)
{
	static const char *const old_links[] = { "x\"1" };
	static const char *const new_links[] = { "x\"1", "y\n2" };
	uint64_t at = 0, end = 0;

	(void)state;
	for (int pretty = 0; pretty < 2; pretty++) {
		struct mem want, got, item1, item0;
		struct sc_jsonw *w = open_writer(&want, pretty);
		struct sc_jsonw *p;

		document_head(w);
		item(w, 0, NULL, 0, NULL, NULL);
		item(w, 1, new_links, 2, NULL, NULL);
		item(w, 2, NULL, 0, NULL, NULL);
		document_tail(w);
		close_writer(&want, w);

		/* items 0 and 1 spooled, item 1 with its old links */
		p = open_writer(&item0, pretty);
		sc_jsonw_nest(p, 2, true);
		item(p, 0, NULL, 0, NULL, NULL);
		close_writer(&item0, p);
		p = open_writer(&item1, pretty);
		sc_jsonw_nest(p, 2, true);
		item(p, 1, old_links, 1, &at, &end);
		close_writer(&item1, p);
		assert_true(at < end && end < item1.len);
		assert_memory_equal(item1.buf + at, pretty ? "[\n" : "[", 1);

		w = open_writer(&got, pretty);
		document_head(w);
		sc_jsonw_splice(w, item0.buf, item0.len);
		sc_jsonw_splice_head(w, item1.buf, (size_t)at);
		sc_jsonw_begin_array(w);
		sc_jsonw_string(w, new_links[0]);
		sc_jsonw_string(w, new_links[1]);
		sc_jsonw_end_array(w);
		sc_jsonw_splice_tail(w, item1.buf + end, item1.len - end);
		item(w, 2, NULL, 0, NULL, NULL); /* the writer goes on */
		document_tail(w);
		close_writer(&got, w);
		assert_string_equal(got.buf, want.buf);
		free(want.buf);
		free(got.buf);
		free(item0.buf);
		free(item1.buf);
	}
}

/* One record of every kind of member, through the writer. */
static void
record_by_writer(struct sc_jsonw *w, unsigned i, const char *s)
{
	sc_jsonw_begin_object(w);
	sc_jsonw_key(w, "id");
	sc_jsonw_stringn(w, "a\0b", 3);
	sc_jsonw_kuint(w, "n", 1000u * i);
	sc_jsonw_kint(w, "neg", -(int64_t)i);
	sc_jsonw_kbool(w, "odd", i & 1);
	sc_jsonw_kstr(w, "null", NULL);
	sc_jsonw_kstr(w, "s", s);
	sc_jsonw_kstr_upto(w, "upto", "ab\0cd", 5);
	sc_jsonw_kplainn(w, "plain", "1.2.3.4:5060", 12);
	sc_jsonw_key(w, "empty");
	sc_jsonw_begin_array(w);
	sc_jsonw_end_array(w);
	sc_jsonw_key(w, "list");
	sc_jsonw_begin_array(w);
	sc_jsonw_uint(w, i);
	sc_jsonw_string(w, s);
	sc_jsonw_string(w, NULL);
	sc_jsonw_begin_object(w);
	sc_jsonw_kuint(w, "in", 7);
	sc_jsonw_end_object(w);
	sc_jsonw_end_array(w);
	sc_jsonw_key(w, "obj");
	sc_jsonw_begin_object(w);
	sc_jsonw_end_object(w);
	sc_jsonw_end_object(w);
}

/* The same record through a cursor. */
static void
record_by_cursor(struct sc_jsonw *w, unsigned i, const char *s)
{
	struct sc_jsonc c;

	sc_jsonw_begin_object(w);
	c = sc_jsonc_open(w);
	sc_jsonc_kstrn(&c, "id", "a\0b", 3);
	sc_jsonc_kuint(&c, "n", 1000u * i);
	sc_jsonc_kint(&c, "neg", -(int64_t)i);
	sc_jsonc_kbool(&c, "odd", i & 1);
	sc_jsonc_knull(&c, "null");
	sc_jsonc_kstr(&c, "s", s);
	sc_jsonc_kstr_upto(&c, "upto", "ab\0cd", 5);
	sc_jsonc_kplainn(&c, "plain", "1.2.3.4:5060", 12);
	sc_jsonc_begin_array(&c, "empty");
	sc_jsonc_end_array(&c);
	sc_jsonc_key(&c, "list");
	sc_jsonc_begin_array(&c, NULL);
	sc_jsonc_uint(&c, i);
	sc_jsonc_string(&c, s);
	sc_jsonc_string(&c, NULL);
	sc_jsonc_begin_object(&c, NULL);
	sc_jsonc_kuint(&c, "in", 7);
	sc_jsonc_end_object(&c);
	sc_jsonc_end_array(&c);
	sc_jsonc_begin_object(&c, "obj");
	sc_jsonc_end_object(&c);
	sc_jsonc_close(c);
	sc_jsonw_end_object(w);
}

/*
 * A cursor writes the bytes the writer does, compact or where lines
 * start (through the writer), at the top level or nested, across many
 * buffer flushes.
 */
static void
test_cursor(void **state)
{
	static const char *const strs[] = { "plain", "q\"uote\n", "" };

	(void)state;
	for (int layout = 0; layout < 3; layout++) {
		struct mem want, got;
		struct sc_jsonw *a = open_writer(&want, layout == 1);
		struct sc_jsonw *b = open_writer(&got, layout == 1);

		if (layout == 2) {
			sc_jsonw_lines(a, 1);
			sc_jsonw_lines(b, 1);
		}
		for (unsigned top = 0; top < 2; top++) {
			if (top == 1) {
				sc_jsonw_begin_array(a);
				sc_jsonw_begin_array(b);
			}
			for (unsigned i = 0; i < 3000; i++) {
				record_by_writer(a, i, strs[i % 3]);
				record_by_cursor(b, i, strs[i % 3]);
			}
			if (top == 1) {
				sc_jsonw_end_array(a);
				sc_jsonw_end_array(b);
			}
		}
		close_writer(&want, a);
		close_writer(&got, b);
		assert_true(want.len > 2 * SC_JSONW_BUF);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.buf, want.buf, want.len);
		free(want.buf);
		free(got.buf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_single_byte),
		cmocka_unit_test(test_every_byte_in_every_place),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_digit_counts),
		cmocka_unit_test(test_kstr_upto),
		cmocka_unit_test(test_longer_than_buffer),
		cmocka_unit_test(test_direct_writes_between_values),
		cmocka_unit_test(test_pretty_long),
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_cursor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
