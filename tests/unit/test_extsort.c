/* test_extsort.c - records come back in order, and stably, whether they
 * fit in memory or were spilled to runs; failures are reported */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/util/extsort.h"

/* A record: a key that repeats often, the number it was added as, and
 * a tail of varying length so runs and windows split anywhere. */
struct rec {
	uint32_t key;
	uint32_t seq;
	char tail[600];
};

static int
by_key(const void *a, size_t alen, const void *b, size_t blen)
{
	uint32_t ka, kb;

	assert_true(alen >= sizeof(ka) && blen >= sizeof(kb));
	memcpy(&ka, a, sizeof(ka));
	memcpy(&kb, b, sizeof(kb));
	return ka < kb ? -1 : ka > kb;
}

static size_t
make(struct rec *r, uint32_t seq, uint32_t seed)
{
	uint32_t h = (seq + 1) * 2654435761u ^ seed;
	size_t tail = (h >> 7) % 5 == 0 ? (h >> 11) % 600 : (h >> 11) % 40;

	r->key = h % 97; /* many equal keys: stability shows */
	r->seq = seq;
	for (size_t i = 0; i < tail; i++)
		r->tail[i] = (char)(seq + i);
	return offsetof(struct rec, tail) + tail;
}

/* Add @n records with @memory, read them back and check everything. */
static void
check_sort(size_t n, size_t memory, uint32_t seed, bool expect_runs)
{
	struct sc_extsort *x = sc_extsort_new(by_key, memory);
	uint32_t prev_key = 0, prev_seq = 0;
	struct rec r, want;
	const void *got;
	size_t len, seen = 0;
	bool *taken = calloc(n + 1, 1);

	assert_non_null(x);
	assert_non_null(taken);
	for (uint32_t i = 0; i < n; i++) {
		len = make(&r, i, seed);
		assert_true(sc_extsort_add(x, &r, len));
	}
	assert_int_equal(sc_extsort_count(x), n);
	if (expect_runs)
		assert_true(sc_extsort_runs(x) > 1);
	else
		assert_int_equal(sc_extsort_runs(x), 0);
	while ((got = sc_extsort_next(x, &len))) {
		memset(&r, 0, sizeof(r));
		assert_true(len <= sizeof(r));
		memcpy(&r, got, len);
		assert_true(r.seq < n);
		assert_false(taken[r.seq]);
		taken[r.seq] = true;
		/* the bytes are the ones added */
		assert_int_equal(make(&want, r.seq, seed), len);
		assert_memory_equal(&want, &r, len);
		/* ordered by key, and by the order added within a key */
		if (seen) {
			assert_true(r.key >= prev_key);
			if (r.key == prev_key)
				assert_true(r.seq > prev_seq);
		}
		prev_key = r.key;
		prev_seq = r.seq;
		seen++;
	}
	assert_false(sc_extsort_failed(x));
	assert_int_equal(seen, n);
	/* the end stays the end */
	assert_null(sc_extsort_next(x, &len));
	sc_extsort_free(x);
	free(taken);
}

static void
test_in_memory(void **state)
{
	(void)state;
	check_sort(5000, 64u << 20, 1, false);
}

static void
test_spilled_runs(void **state)
{
	(void)state;
	/* about 40 runs of a few kilobytes; windows at their minimum */
	check_sort(20000, 32 * 1024, 2, true);
	/* a record bigger than the memory: one record a run */
	check_sort(300, 64, 3, true);
	/* runs of every size between, and windows that cut records */
	for (uint32_t seed = 10; seed < 16; seed++)
		check_sort(3000 + seed * 97, 2000u << (seed - 10), seed, true);
}

static void
test_empty_and_one(void **state)
{
	struct sc_extsort *x = sc_extsort_new(by_key, 1024);
	struct rec r;
	size_t len;
	const void *got;

	(void)state;
	assert_non_null(x);
	assert_null(sc_extsort_next(x, &len));
	assert_false(sc_extsort_failed(x));
	/* no adding once reading began */
	len = make(&r, 0, 4);
	assert_false(sc_extsort_add(x, &r, len));
	assert_true(sc_extsort_failed(x));
	sc_extsort_free(x);

	x = sc_extsort_new(by_key, 1);
	assert_non_null(x);
	assert_true(sc_extsort_add(x, &r, len));
	got = sc_extsort_next(x, &len);
	assert_non_null(got);
	assert_memory_equal(got, &r, len);
	assert_null(sc_extsort_next(x, &len));
	sc_extsort_free(x);
}

/* A temporary file that cannot be made fails the sorter, not the
 * process. */
static void
test_no_temp_dir(void **state)
{
	struct sc_extsort *x;
	struct rec r;
	size_t len = make(&r, 0, 5);
	bool ok = true;

	(void)state;
	assert_int_equal(setenv("TMPDIR", "/nonexistent/sipcause-test", 1), 0);
	x = sc_extsort_new(by_key, 64);
	assert_non_null(x);
	for (int i = 0; i < 10 && ok; i++)
		ok = sc_extsort_add(x, &r, len);
	assert_false(ok);
	assert_true(sc_extsort_failed(x));
	assert_null(sc_extsort_next(x, &len));
	sc_extsort_free(x);
	unsetenv("TMPDIR");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_memory),
		cmocka_unit_test(test_spilled_runs),
		cmocka_unit_test(test_empty_and_one),
		cmocka_unit_test(test_no_temp_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
