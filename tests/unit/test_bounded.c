/* test_bounded.c - what a long run keeps stays bounded (issue #11):
 * delays as a histogram past SC_DELAYS_EXACT values, the cap on peers,
 * the B2BUA keys of released calls expiring on the capture clock */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callfeed.h"
#include "sipcause/pipeline/model.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile of sorted @v, computed here. */
static int64_t
nearest_rank(const int64_t *v, size_t n, unsigned pct)
{
	size_t rank = (n * pct + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

/* Up to SC_DELAYS_EXACT values, percentiles are the values themselves. */
static void
test_delays_exact(void **state)
{
	struct sc_delays d = { 0 };

	(void)state;
	assert_int_equal(sc_delays_percentile(&d, 50), -1);
	for (int64_t i = 100; i >= 1; i--)
		assert_int_equal(sc_delays_add(&d, i * 1000 + 7), SC_OK);
	assert_int_equal(sc_delays_add(&d, -1), SC_OK); /* none: ignored */
	sc_delays_sort(&d);
	assert_int_equal(d.n, 100);
	assert_null(d.hist);
	assert_int_equal(sc_delays_percentile(&d, 50), 50007);
	assert_int_equal(sc_delays_percentile(&d, 90), 90007);
	assert_int_equal(sc_delays_percentile(&d, 99), 99007);
	assert_int_equal(sc_delays_percentile(&d, 100), 100007);
	assert_int_equal(d.sum, 5050 * 1000 + 700);
	sc_delays_fini(&d);
}

/* Past SC_DELAYS_EXACT values: a fixed histogram, each percentile within
 * 1/64 of the exact one, bounds and mean exact. */
static void
test_delays_histogram(void **state)
{
	const size_t n = 200000;
	const unsigned pcts[] = { 1, 10, 50, 90, 95, 99, 100 };
	int64_t *v = malloc(n * sizeof(*v));
	struct sc_delays d = { 0 };
	uint64_t x = 88172645463325252u;
	int64_t sum = 0;

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		/* xorshift: delays from 0 to ~20 s, most of them short */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v[i] = (int64_t)((x % 20000) * (x % 20000) / 20000);
		sum += v[i];
		assert_int_equal(sc_delays_add(&d, v[i]), SC_OK);
	}
	sc_delays_sort(&d);
	assert_non_null(d.hist);
	assert_null(d.ms);
	assert_int_equal(d.n, n);
	assert_int_equal(d.sum, sum);
	qsort(v, n, sizeof(*v), cmp_i64);
	assert_int_equal(d.min, v[0]);
	assert_int_equal(d.max, v[n - 1]);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		int64_t want = nearest_rank(v, n, pcts[i]);
		int64_t got = sc_delays_percentile(&d, pcts[i]);
		int64_t err = got > want ? got - want : want - got;

		if (err > want / 64) {
			fprintf(stderr, "p%u: %lld, exact %lld\n", pcts[i],
			        (long long)got, (long long)want);
			fail();
		}
	}
	assert_int_equal(sc_delays_percentile(&d, 100), v[n - 1]);
	sc_delays_fini(&d);
	free(v);
}

/* Below 64 ms the histogram is exact; a huge delay stays the maximum. */
static void
test_delays_small_and_huge(void **state)
{
	struct sc_delays d = { 0 };

	(void)state;
	for (int i = 0; i < 5000; i++)
		assert_int_equal(sc_delays_add(&d, i % 50), SC_OK);
	assert_int_equal(sc_delays_add(&d, INT64_C(1) << 50), SC_OK);
	assert_non_null(d.hist);
	/* 5001 values: rank 2501 is the 2501st, value 25 (100 of each) */
	assert_int_equal(sc_delays_percentile(&d, 50), 25);
	assert_int_equal(sc_delays_percentile(&d, 1), 0);
	assert_int_equal(sc_delays_percentile(&d, 99), 49);
	assert_int_equal(sc_delays_percentile(&d, 100), INT64_C(1) << 50);
	sc_delays_fini(&d);
}

/* An answered INVITE call from 10.x.y.z to one callee. */
static void
fake_call(struct sc_call *c, uint32_t caller)
{
	uint8_t a[4] = { 10, (uint8_t)(caller >> 16), (uint8_t)(caller >> 8),
	                 (uint8_t)caller };
	uint8_t b[4] = { 192, 0, 2, 1 };

	memset(c, 0, sizeof(*c));
	c->kind = SC_METHOD_INVITE;
	c->state = SC_CALL_ANSWERED;
	c->final_code = 200;
	c->timings.pdd_ms = 100;
	sc_addr_set4(&c->caller.addr, a);
	sc_addr_set4(&c->callee.addr, b);
}

/* Address pairs past SC_MAX_PEERS count overall, not per peer. */
static void
test_peers_cap(void **state)
{
	struct sc_model m;
	struct sc_call c;

	(void)state;
	sc_model_init(&m);
	for (uint32_t i = 0; i < SC_MAX_PEERS + 10; i++) {
		fake_call(&c, i);
		assert_int_equal(sc_model_count_call(&m, &c), SC_OK);
	}
	fake_call(&c, 0); /* a known pair is still counted per peer */
	assert_int_equal(sc_model_count_call(&m, &c), SC_OK);
	assert_int_equal(m.peers.n, SC_MAX_PEERS);
	assert_int_equal(m.stats.caps.peer_calls_untracked, 10);
	assert_int_equal(m.overall.attempts, SC_MAX_PEERS + 11);
	assert_int_equal(((struct sc_peer *)m.peers.v[0])->s.attempts, 2);
	sc_model_fini(&m);
}

/* Leg 2 (naming leg 1 by X-Call-ID) at @ms after leg 1, released. */
static struct sc_call *
second_leg_after_release(struct fixture *f, struct sc_linker *l, int64_t ms)
{
	feed(f, A, P, 0,
	     "INVITE sip:bob@192.0.2.2 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKleg1\n"
	     "From: <sip:alice@example.com>;tag=a1\n"
	     "To: <sip:bob@example.com>\n"
	     "Call-ID: call-1@192.0.2.1\n"
	     "CSeq: 1 INVITE\n"
	     "Content-Length: 0\n\n");
	sc_calltab_flush(f->tab, T0 + 100 * MS, collect, f);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(sc_linker_add(l, f->done[0]), SC_OK);
	sc_linker_release(l, f->done[0]);
	sc_call_free(f->done[0]);
	f->ndone = 0;
	feed(f, P, B, ms, LEG2_INVITE);
	sc_calltab_flush(f->tab, T0 + ms * MS + 100 * MS, collect, f);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(sc_linker_add(l, f->done[0]), SC_OK);
	return f->done[0];
}

/* A released leg is named by a leg within the transaction timeout
 * (32 s) of its last packet... */
static void
test_linker_released_kept(void **state)
{
	struct sc_linker *l = sc_linker_new();
	struct sc_call *c = second_leg_after_release(*state, l, 31000);

	assert_int_equal(c->nlinked, 1);
	assert_string_equal(c->linked[0], "call-1@192.0.2.1");
	sc_linker_free(l);
}

/* ... not after: its key expired (not counted as forgotten by a cap). */
static void
test_linker_released_expires(void **state)
{
	struct sc_linker *l = sc_linker_new();
	struct sc_call *c = second_leg_after_release(*state, l, 33000);

	assert_int_equal(c->nlinked, 0);
	assert_int_equal(sc_linker_forgotten(l), 0);
	sc_linker_free(l);
}

/* Released keys that expired go before the cap forgets any: calls a
 * minute apart never reach a cap of 8 keys. */
static void
test_linker_expired_before_cap(void **state)
{
	struct fixture *f = *state;
	struct sc_linker *l = sc_linker_new();
	char text[512];

	sc_linker_set_max_keys(l, 8);
	for (int i = 0; i < 40; i++) {
		snprintf(text, sizeof(text),
		         "INVITE sip:bob@example.com SIP/2.0\n"
		         "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKe%d\n"
		         "From: <sip:alice@example.com>;tag=a%d\n"
		         "To: <sip:bob@example.com>\n"
		         "Call-ID: minute-%d\n"
		         "CSeq: 1 INVITE\n"
		         "Content-Length: 0\n\n",
		         i, i, i);
		feed(f, A, B, i * 60000, text);
		sc_calltab_flush(f->tab, T0 + i * 60000 * MS + MS, collect, f);
		assert_int_equal(f->ndone, 1);
		assert_int_equal(sc_linker_add(l, f->done[0]), SC_OK);
		sc_linker_release(l, f->done[0]);
		sc_call_free(f->done[0]);
		f->ndone = 0;
	}
	assert_int_equal(sc_linker_forgotten(l), 0);
	sc_linker_free(l);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, callfeed_setup, \
                                              callfeed_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delays_exact),
		cmocka_unit_test(test_delays_histogram),
		cmocka_unit_test(test_delays_small_and_huge),
		cmocka_unit_test(test_peers_cap),
		T(test_linker_released_kept),
		T(test_linker_released_expires),
		T(test_linker_expired_before_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
