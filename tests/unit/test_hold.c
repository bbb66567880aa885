/* test_hold.c - the JSON report's held calls (report/json_hold.c) */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* internal to report/: not in the installed headers */
#include "../../src/report/json_impl.h"

static struct sc__held *
held(uint64_t first_frame, const char *id, size_t len)
{
	static const char bytes[64] = ",{}";
	struct sc__links_at none = { 0 };
	struct sc__held *h = sc__held_new(first_frame, id, bytes, len, none);

	assert_non_null(h);
	return h;
}

static const char *
id_of(const struct sc__held *h)
{
	return h->bytes + h->len;
}

/* Calls pushed in any order come back least first: by first frame,
 * then Call-ID; the bytes held are counted both ways. */
static void
test_order(void **state)
{
	static const struct {
		uint64_t ff;
		const char *id;
	} in[] = { { 5, "e" }, { 2, "b" }, { 9, "i" }, { 2, "a" },
		   { 7, "g" }, { 1, "z" }, { 9, "h" }, { 3, "c" } };
	static const char *const out[] = { "z", "a", "b", "c",
		                           "e", "g", "h", "i" };
	struct sc__hold q = { 0 };
	struct sc__held *h;
	size_t i = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(in) / sizeof(in[0]); k++)
		assert_true(sc__hold_push(&q, held(in[k].ff, in[k].id, 10)));
	assert_int_equal(q.bytes, 80);
	while ((h = sc__hold_pop(&q))) {
		assert_string_equal(id_of(h), out[i]);
		i++;
		free(h);
	}
	assert_int_equal(i, 8);
	assert_int_equal(q.bytes, 0);
	sc__hold_fini(&q);
}

/* As the spool uses it: 100,000 calls nearly in order (every 97th one
 * late by up to 500 places), the least given back whenever more than
 * 64 are held; every call given back is the least of those held then,
 * and none is lost. Checked against a plain scan for the least. */
static void
test_stream(void **state)
{
	enum { N = 100000, HOLD = 64 };
	struct sc__hold q = { 0 };
	uint64_t *ref = calloc(N, sizeof(*ref));
	size_t nref = 0, popped = 0;
	uint64_t last = 0;
	struct sc__held *h;
	char id[16];

	(void)state;
	assert_non_null(ref);
	for (uint64_t i = 0; i < N; i++) {
		uint64_t ff = 1000 + i - (i % 97 == 0 ? i % 500 : 0);

		snprintf(id, sizeof(id), "c%llu", (unsigned long long)i);
		assert_true(sc__hold_push(&q, held(ff, id, 1)));
		ref[nref++] = ff;
		while (q.n > HOLD) {
			size_t least = 0;

			h = sc__hold_pop(&q);
			for (size_t k = 1; k < nref; k++)
				if (ref[k] < ref[least])
					least = k;
			assert_int_equal(h->first_frame, ref[least]);
			ref[least] = ref[--nref];
			free(h);
			popped++;
		}
	}
	while ((h = sc__hold_pop(&q))) {
		assert_true(h->first_frame >= last);
		last = h->first_frame;
		free(h);
		popped++;
	}
	assert_int_equal(popped, N);
	sc__hold_fini(&q);
	free(ref);
}

/* What is still held when it ends is freed with it (under valgrind and
 * ASan: no leak). */
static void
test_fini(void **state)
{
	struct sc__hold q = { 0 };

	(void)state;
	for (int i = 0; i < 200; i++)
		assert_true(sc__hold_push(&q, held((uint64_t)(i % 7), "x", 3)));
	free(sc__hold_pop(&q));
	sc__hold_fini(&q);
	assert_int_equal(q.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_fini),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
