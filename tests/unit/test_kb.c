/* test_kb.c - invariants of the knowledge base and lookups by code */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sipcause/compiler.h"
#include "sipcause/kb.h"

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
		assert_true(s->code > prev);   /* sorted, no duplicate */
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
	}
	assert_null(sc_kb_status_at(n));
}

static void
test_seed_codes_present(void **state)
{
	(void)state;
	for (size_t i = 0; i < SC_COUNTOF(seed_codes); i++) {
		bool unknown = true;
		const struct sc_status_info *s = sc_kb_status(seed_codes[i],
							      &unknown);

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
		{ 751, SC_CAT_MEDIA, SC_CLASS_VENDOR },
	};

	(void)state;
	for (size_t i = 0; i < SC_COUNTOF(cases); i++) {
		const struct sc_status_info *s = sc_kb_status(cases[i].code,
							      NULL);

		assert_non_null(s);
		assert_int_equal(s->cat, cases[i].cat);
		assert_int_equal(s->cls, cases[i].cls);
	}
	assert_true(sc_kb_status(409, NULL)->deprecated);
	assert_true(sc_kb_status(411, NULL)->deprecated);
	assert_false(sc_kb_status(486, NULL)->deprecated);
	assert_string_equal(sc_kb_status(486, NULL)->reason, "Busy Here");
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
	assert_string_equal(sc_category_id(SC_CAT_NOT_FOUND), "not-found");
	assert_string_equal(sc_class_id(SC_CLASS_CLIENT_FAILURE),
			    "client-failure");
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
	assert_null(sc_kb_q850(0));
	assert_null(sc_kb_q850(128));
	assert_null(sc_kb_q850(12));   /* unassigned */
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
	(void)state;
	assert_int_equal(sc_kb_sip_to_q850(486), 17);
	assert_int_equal(sc_kb_sip_to_q850(404), 1);
	assert_int_equal(sc_kb_sip_to_q850(503), 63);
	assert_int_equal(sc_kb_sip_to_q850(480), 18);
	assert_int_equal(sc_kb_sip_to_q850(484), 28);
	assert_int_equal(sc_kb_sip_to_q850(999), 0);
	assert_int_equal(sc_kb_sip_to_q850(200), 0);
	/* every mapped cause exists in the Q.850 table */
	for (int code = 100; code < 700; code++) {
		int q = sc_kb_sip_to_q850(code);

		if (q)
			assert_non_null(sc_kb_q850(q));
	}
}

static void
test_warnings(void **state)
{
	(void)state;
	assert_string_equal(sc_kb_warning(305)->text,
			    "Incompatible media format");
	assert_non_null(sc_kb_warning(399));
	assert_non_null(sc_kb_warning(300));
	assert_null(sc_kb_warning(308));
	assert_null(sc_kb_warning(200));
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
