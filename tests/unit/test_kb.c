/* test_kb.c - invariants of the knowledge base and lookups by code */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sipcause/util/compiler.h"
#include "sipcause/diagnosis/kb.h"

/* Every response code named in the seed documents (../shared/seeds). */
static const int seed_codes[] = {
	100, 180, 181, 182, 183, 199, 200, 202, 204, 300, 301, 302, 305, 380,
	400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413,
	414, 415, 416, 417, 420, 421, 422, 423, 424, 425, 428, 429, 430, 433,
	436, 437, 438, 439, 440, 469, 470, 480, 481, 482, 483, 484, 485, 486,
	487, 488, 489, 491, 493, 494, 500, 501, 502, 503, 504, 505, 513, 555,
	580, 600, 603, 604, 606, 607, 608, 701, 702, 703, 704, 705, 706, 751,
	810, 811, 812, 813, 814, 815, 922, 923, 924, 925,
};

/* Every value ITU-T Q.850 assigns, amendments included. */
static const int q850_assigned[] = {
	1,  2,  3,  4,  5,   6,   7,   8,   9,   14,  16,  17, 18, 19, 20,
	21, 22, 23, 24, 25,  26,  27,  28,  29,  30,  31,  34, 38, 39, 40,
	41, 42, 43, 44, 46,  47,  49,  50,  53,  55,  57,  58, 62, 63, 65,
	66, 69, 70, 79, 81,  82,  83,  84,  85,  86,  87,  88, 90, 91, 95,
	96, 97, 98, 99, 100, 101, 102, 103, 110, 111, 127,
};

/* The SIP -> Q.850 rows of seed 004 (plus RFC 3398's 416/421/423/513). */
static const struct {
	int sip;
	int q850;
} sip_q850_rows[] = {
	{ 400, 127 }, { 401, 57 },  { 402, 21 },  { 403, 57 },  { 404, 1 },
	{ 405, 127 }, { 406, 127 }, { 407, 21 },  { 408, 102 }, { 409, 41 },
	{ 410, 1 },   { 411, 127 }, { 413, 127 }, { 414, 127 }, { 415, 79 },
	{ 416, 127 }, { 420, 127 }, { 421, 127 }, { 423, 127 }, { 480, 18 },
	{ 481, 127 }, { 482, 127 }, { 483, 127 }, { 484, 28 },  { 485, 1 },
	{ 486, 17 },  { 487, 127 }, { 488, 127 }, { 500, 41 },  { 501, 79 },
	{ 502, 38 },  { 503, 63 },  { 504, 102 }, { 505, 127 }, { 513, 127 },
	{ 580, 47 },  { 600, 17 },  { 603, 21 },  { 604, 1 },   { 606, 58 },
};

static bool
nonempty(const char *s)
{
	return s && s[0];
}

static void
test_status_invariants(void **state)
{
	size_t n = sc_kb_status_count();
	int prev = 0;

	(void)state;
	assert_true(n >= SC_COUNTOF(seed_codes));
	for (size_t i = 0; i < n; i++) {
		const struct sc_status_info *s = sc_kb_status_at(i);

		assert_non_null(s);
		assert_true(s->code > prev); /* sorted, no duplicate */
		prev = s->code;
		assert_true(s->code >= 100 && s->code <= 999);
		if (s->code < 700)
			assert_int_equal(s->cls, s->code / 100 - 1);
		else
			assert_int_equal(s->cls, SC_CLASS_VENDOR);
		assert_int_equal(s->cls, sc_kb_class_of(s->code));
		assert_true(s->cat < SC_CAT__COUNT);
		assert_true(nonempty(s->reason));
		assert_true(nonempty(s->ref));
		assert_true(nonempty(s->meaning));
		assert_true(nonempty(s->cause));
		assert_true(nonempty(s->tip));
		/* success and progress are never failure categories */
		if (s->code < 300)
			assert_int_equal(s->cat, SC_CAT_OK);
		else if (s->code < 400)
			assert_int_equal(s->cat, SC_CAT_REDIRECT);
		else
			assert_int_not_equal(s->cat, SC_CAT_OK);
		/* every listed code has a real category */
		assert_int_not_equal(s->cat, SC_CAT_UNKNOWN);
		if (s->code >= 700)
			assert_non_null(strstr(s->meaning, "Vendor-specific"));
	}
	assert_null(sc_kb_status_at(n));
}

static void
test_seed_codes_present(void **state)
{
	(void)state;
	for (size_t i = 0; i < SC_COUNTOF(seed_codes); i++) {
		bool unknown = true;
		const struct sc_status_info *s =
		        sc_kb_status(seed_codes[i], &unknown);

		assert_non_null(s);
		assert_int_equal(s->code, seed_codes[i]);
		assert_false(unknown);
	}
}

static void
test_categories_of_design(void **state)
{
	static const struct {
		int code;
		enum sc_category cat;
		enum sc_class cls;
	} cases[] = {
		{ 486, SC_CAT_BUSY, SC_CLASS_CLIENT_FAILURE },
		{ 600, SC_CAT_BUSY, SC_CLASS_GLOBAL_FAILURE },
		{ 503, SC_CAT_OVERLOAD, SC_CLASS_SERVER_FAILURE },
		{ 487, SC_CAT_CANCELLED, SC_CLASS_CLIENT_FAILURE },
		{ 401, SC_CAT_AUTH, SC_CLASS_CLIENT_FAILURE },
		{ 407, SC_CAT_AUTH, SC_CLASS_CLIENT_FAILURE },
		{ 494, SC_CAT_AUTH, SC_CLASS_CLIENT_FAILURE },
		{ 403, SC_CAT_FORBIDDEN, SC_CLASS_CLIENT_FAILURE },
		{ 404, SC_CAT_NOT_FOUND, SC_CLASS_CLIENT_FAILURE },
		{ 604, SC_CAT_NOT_FOUND, SC_CLASS_GLOBAL_FAILURE },
		{ 484, SC_CAT_ADDRESS, SC_CLASS_CLIENT_FAILURE },
		{ 603, SC_CAT_DECLINED, SC_CLASS_GLOBAL_FAILURE },
		{ 608, SC_CAT_DECLINED, SC_CLASS_GLOBAL_FAILURE },
		{ 480, SC_CAT_UNAVAILABLE, SC_CLASS_CLIENT_FAILURE },
		{ 408, SC_CAT_TIMEOUT, SC_CLASS_CLIENT_FAILURE },
		{ 504, SC_CAT_TIMEOUT, SC_CLASS_SERVER_FAILURE },
		{ 488, SC_CAT_MEDIA, SC_CLASS_CLIENT_FAILURE },
		{ 606, SC_CAT_MEDIA, SC_CLASS_GLOBAL_FAILURE },
		{ 482, SC_CAT_LOOP, SC_CLASS_CLIENT_FAILURE },
		{ 428, SC_CAT_IDENTITY, SC_CLASS_CLIENT_FAILURE },
		{ 500, SC_CAT_SERVER, SC_CLASS_SERVER_FAILURE },
		{ 481, SC_CAT_PROTOCOL, SC_CLASS_CLIENT_FAILURE },
		{ 302, SC_CAT_REDIRECT, SC_CLASS_REDIRECTION },
		{ 199, SC_CAT_OK, SC_CLASS_PROVISIONAL },
		{ 701, SC_CAT_CANCELLED, SC_CLASS_VENDOR },
		{ 703, SC_CAT_TIMEOUT, SC_CLASS_VENDOR },
		{ 751, SC_CAT_MEDIA, SC_CLASS_VENDOR },
		{ 923, SC_CAT_TIMEOUT, SC_CLASS_VENDOR },
		{ 924, SC_CAT_SERVER, SC_CLASS_VENDOR },
		{ 925, SC_CAT_ADDRESS, SC_CLASS_VENDOR },
		{ 100, SC_CAT_OK, SC_CLASS_PROVISIONAL },
		{ 402, SC_CAT_FORBIDDEN, SC_CLASS_CLIENT_FAILURE },
		{ 405, SC_CAT_PROTOCOL, SC_CLASS_CLIENT_FAILURE },
		{ 410, SC_CAT_NOT_FOUND, SC_CLASS_CLIENT_FAILURE },
		{ 414, SC_CAT_ADDRESS, SC_CLASS_CLIENT_FAILURE },
		{ 415, SC_CAT_MEDIA, SC_CLASS_CLIENT_FAILURE },
		{ 416, SC_CAT_ADDRESS, SC_CLASS_CLIENT_FAILURE },
		{ 425, SC_CAT_PROTOCOL, SC_CLASS_CLIENT_FAILURE },
		{ 430, SC_CAT_UNAVAILABLE, SC_CLASS_CLIENT_FAILURE },
		{ 433, SC_CAT_FORBIDDEN, SC_CLASS_CLIENT_FAILURE },
		{ 438, SC_CAT_IDENTITY, SC_CLASS_CLIENT_FAILURE },
		{ 470, SC_CAT_FORBIDDEN, SC_CLASS_CLIENT_FAILURE },
		{ 483, SC_CAT_LOOP, SC_CLASS_CLIENT_FAILURE },
		{ 485, SC_CAT_ADDRESS, SC_CLASS_CLIENT_FAILURE },
		{ 513, SC_CAT_OVERLOAD, SC_CLASS_SERVER_FAILURE },
		{ 555, SC_CAT_SERVER, SC_CLASS_SERVER_FAILURE },
		{ 580, SC_CAT_MEDIA, SC_CLASS_SERVER_FAILURE },
		{ 607, SC_CAT_DECLINED, SC_CLASS_GLOBAL_FAILURE },
	};

	(void)state;
	for (size_t i = 0; i < SC_COUNTOF(cases); i++) {
		const struct sc_status_info *s =
		        sc_kb_status(cases[i].code, NULL);

		assert_non_null(s);
		assert_int_equal(s->cat, cases[i].cat);
		assert_int_equal(s->cls, cases[i].cls);
	}
	assert_true(sc_kb_status(409, NULL)->deprecated);
	assert_true(sc_kb_status(411, NULL)->deprecated);
	assert_true(sc_kb_status(202, NULL)->deprecated);
	assert_false(sc_kb_status(486, NULL)->deprecated);
	assert_false(sc_kb_status(200, NULL)->deprecated);
	/* reason phrases as RFC 3261 / IANA spell them (NOTES.md) */
	assert_string_equal(sc_kb_status(486, NULL)->reason, "Busy Here");
	assert_string_equal(sc_kb_status(183, NULL)->reason,
	                    "Session Progress");
	assert_string_equal(sc_kb_status(380, NULL)->reason,
	                    "Alternative Service");
	assert_string_equal(sc_kb_status(436, NULL)->reason,
	                    "Bad Identity Info");
	assert_string_equal(sc_kb_status(437, NULL)->reason,
	                    "Unsupported Credential");
	assert_string_equal(sc_kb_status(500, NULL)->reason,
	                    "Server Internal Error");
	assert_string_equal(sc_kb_status(504, NULL)->reason, "Server Time-out");
	assert_string_equal(sc_kb_status(199, NULL)->ref, "RFC 6228");
	assert_string_equal(sc_kb_status(440, NULL)->ref, "RFC 5393");
	/* the carrier trunk checklist is in the default causes */
	assert_non_null(strstr(sc_kb_status(403, NULL)->cause, "allow-list"));
	assert_non_null(strstr(sc_kb_status(503, NULL)->cause, "two hours"));
}

static void
test_unknown_codes(void **state)
{
	bool unknown = false;
	const struct sc_status_info *s;

	(void)state;
	s = sc_kb_status(499, &unknown);
	assert_non_null(s);
	assert_int_equal(s->code, 400);
	assert_true(unknown);
	s = sc_kb_status(299, &unknown);
	assert_int_equal(s->code, 200);
	assert_true(unknown);
	s = sc_kb_status(699, &unknown);
	assert_int_equal(s->code, 600);
	s = sc_kb_status(799, &unknown);
	assert_non_null(s);
	assert_true(unknown);
	assert_int_equal(s->cls, SC_CLASS_VENDOR);
	assert_int_equal(sc_kb_class_of(799), SC_CLASS_VENDOR);
	assert_null(sc_kb_status(99, &unknown));
	assert_null(sc_kb_status(1000, &unknown));
	assert_null(sc_kb_status(-1, NULL));
	s = sc_kb_status(200, &unknown);
	assert_false(unknown);
	/* the generic vendor entry */
	s = sc_kb_status(999, &unknown);
	assert_true(unknown);
	assert_int_equal(s->code, 0);
	assert_int_equal(s->cat, SC_CAT_UNKNOWN);
	assert_true(nonempty(s->reason) && nonempty(s->meaning));
	assert_true(s == sc_kb_status(700, NULL));
	/* listed vendor codes are not unknown */
	s = sc_kb_status(751, &unknown);
	assert_false(unknown);
	assert_int_equal(s->code, 751);
	assert_non_null(strstr(s->meaning, "Vendor-specific"));
	/* every unlisted standard code reads as the x00 of its class */
	for (int code = 100; code < 700; code++) {
		s = sc_kb_status(code, &unknown);
		assert_non_null(s);
		if (unknown)
			assert_int_equal(s->code, code / 100 * 100);
		else
			assert_int_equal(s->code, code);
		assert_int_equal(sc_kb_class_of(code), s->cls);
	}
}

static void
test_ids_round_trip(void **state)
{
	enum sc_category c;

	(void)state;
	for (int i = 0; i < SC_CAT__COUNT; i++) {
		const char *id = sc_category_id((enum sc_category)i);

		assert_true(nonempty(id));
		assert_true(sc_category_from_id(id, &c));
		assert_int_equal(c, i);
	}
	assert_false(sc_category_from_id("bogus", &c));
	assert_false(sc_category_from_id("", &c));
	assert_false(sc_category_from_id(NULL, &c));
	assert_string_equal(sc_category_id(SC_CAT_NOT_FOUND), "not-found");
	assert_string_equal(sc_class_id(SC_CLASS_CLIENT_FAILURE),
	                    "client-failure");
	assert_string_equal(sc_class_id(SC_CLASS_VENDOR), "vendor");
	assert_string_equal(sc_category_id(SC_CAT_OK), "ok");
	assert_string_equal(sc_category_id(SC_CAT_UNKNOWN), "unknown");
	for (int i = 0; i < SC_CLASS__COUNT; i++)
		assert_true(nonempty(sc_class_id((enum sc_class)i)));
}

static void
test_q850(void **state)
{
	int prev = 0;

	(void)state;
	assert_string_equal(sc_kb_q850(16)->name, "Normal call clearing");
	assert_string_equal(sc_kb_q850(17)->name, "User busy");
	assert_string_equal(sc_kb_q850(127)->name, "Interworking, unspecified");
	assert_string_equal(sc_kb_q850(1)->name,
	                    "Unallocated (unassigned) number");
	assert_null(sc_kb_q850(0));
	assert_null(sc_kb_q850(128));
	assert_null(sc_kb_q850(-1));
	/* unassigned values */
	assert_null(sc_kb_q850(10));
	assert_null(sc_kb_q850(12));
	assert_null(sc_kb_q850(15));
	assert_null(sc_kb_q850(32));
	assert_null(sc_kb_q850(126));
	/* assigned by amendments to Q.850 (NOTES.md) */
	assert_non_null(sc_kb_q850(14));
	assert_non_null(sc_kb_q850(24));
	for (size_t i = 0; i < SC_COUNTOF(q850_assigned); i++) {
		const struct sc_q850_info *q = sc_kb_q850(q850_assigned[i]);

		assert_non_null(q);
		assert_int_equal(q->cause, q850_assigned[i]);
	}
	assert_int_equal(sc_kb_q850_count(), SC_COUNTOF(q850_assigned));
	for (size_t i = 0; i < sc_kb_q850_count(); i++) {
		const struct sc_q850_info *q = sc_kb_q850_at(i);

		assert_true(q->cause > prev && q->cause <= 127);
		prev = q->cause;
		assert_true(nonempty(q->name));
		assert_true(nonempty(q->meaning));
	}
	assert_null(sc_kb_q850_at(sc_kb_q850_count()));
}

static void
test_sip_to_q850(void **state)
{
	size_t n = 0;

	(void)state;
	assert_int_equal(sc_kb_sip_to_q850(486), 17);
	assert_int_equal(sc_kb_sip_to_q850(404), 1);
	assert_int_equal(sc_kb_sip_to_q850(503), 63);
	assert_int_equal(sc_kb_sip_to_q850(480), 18);
	assert_int_equal(sc_kb_sip_to_q850(484), 28);
	assert_int_equal(sc_kb_sip_to_q850(600), 17);
	assert_int_equal(sc_kb_sip_to_q850(604), 1);
	assert_int_equal(sc_kb_sip_to_q850(606), 58);
	assert_int_equal(sc_kb_sip_to_q850(401), 57);
	assert_int_equal(sc_kb_sip_to_q850(408), 102);
	assert_int_equal(sc_kb_sip_to_q850(502), 38);
	assert_int_equal(sc_kb_sip_to_q850(580), 47);
	assert_int_equal(sc_kb_sip_to_q850(400), 127);
	assert_int_equal(sc_kb_sip_to_q850(999), 0);
	assert_int_equal(sc_kb_sip_to_q850(200), 0);
	assert_int_equal(sc_kb_sip_to_q850(0), 0);
	assert_int_equal(sc_kb_sip_to_q850(399), 0);
	assert_int_equal(sc_kb_sip_to_q850(607), 0);
	/* exactly the rows above, nothing else */
	for (size_t i = 0; i < SC_COUNTOF(sip_q850_rows); i++)
		assert_int_equal(sc_kb_sip_to_q850(sip_q850_rows[i].sip),
		                 sip_q850_rows[i].q850);
	for (int code = 0; code < 1000; code++) {
		int q = sc_kb_sip_to_q850(code);

		if (!q)
			continue;
		n++;
		/* every mapped cause exists in the Q.850 table */
		assert_non_null(sc_kb_q850(q));
	}
	assert_int_equal(n, SC_COUNTOF(sip_q850_rows));
}

/* The IANA warn-code registry (RFC 3261, RFC 5630, RFC 8373). */
static const int warn_codes[] = {
	300, 301, 302, 303, 304, 305, 306, 307,
	308, 330, 331, 370, 380, 381, 399,
};

static void
test_warnings(void **state)
{
	size_t n = 0;

	(void)state;
	assert_string_equal(sc_kb_warning(305)->text,
	                    "Incompatible media format");
	assert_string_equal(sc_kb_warning(399)->text, "Miscellaneous warning");
	assert_string_equal(sc_kb_warning(370)->text, "Insufficient bandwidth");
	assert_string_equal(sc_kb_warning(380)->text, "SIPS Not Allowed");
	for (size_t i = 0; i < SC_COUNTOF(warn_codes); i++) {
		const struct sc_warning_info *w = sc_kb_warning(warn_codes[i]);

		assert_non_null(w);
		assert_int_equal(w->code, warn_codes[i]);
		assert_true(nonempty(w->text) && nonempty(w->meaning));
	}
	for (int code = 0; code < 1000; code++)
		if (sc_kb_warning(code))
			n++;
	assert_int_equal(n, SC_COUNTOF(warn_codes));
	assert_null(sc_kb_warning(309));
	assert_null(sc_kb_warning(332));
	assert_null(sc_kb_warning(200));
	assert_null(sc_kb_warning(400));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_invariants),
		cmocka_unit_test(test_seed_codes_present),
		cmocka_unit_test(test_categories_of_design),
		cmocka_unit_test(test_unknown_codes),
		cmocka_unit_test(test_ids_round_trip),
		cmocka_unit_test(test_q850),
		cmocka_unit_test(test_sip_to_q850),
		cmocka_unit_test(test_warnings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
