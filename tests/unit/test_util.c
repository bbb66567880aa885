/* test_util.c - string views, buffers, arena, hash map, addresses */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/util/addr.h"
#include "sipcause/util/arena.h"
#include "sipcause/util/dynbuf.h"
#include "sipcause/util/hashmap.h"
#include "sipcause/util/siphash.h"
#include "sipcause/util/str.h"
#include "sipcause/util/vec.h"

static void
test_str_to_u64(void **state)
{
	static const struct {
		const char *in;
		uint64_t max;
		bool ok;
		uint64_t v;
	} cases[] = {
		{ "0", 10, true, 0 },
		{ " 42 ", 100, true, 42 },
		{ "100", 100, true, 100 },
		{ "101", 100, false, 0 },
		{ "", 10, false, 0 },
		{ " ", 10, false, 0 },
		{ "-1", 10, false, 0 },
		{ "+1", 10, false, 0 },
		{ "1x", 10, false, 0 },
		{ "4294967295", UINT32_MAX, true, 4294967295u },
		{ "4294967296", UINT32_MAX, false, 0 },
		{ "99999999999999999999999", UINT64_MAX, false, 0 },
		{ "18446744073709551615", UINT64_MAX, true, UINT64_MAX },
		{ "18446744073709551616", UINT64_MAX, false, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 7;
		bool ok = sc_str_to_u64(sc_str_from_cstr(cases[i].in),
		                        cases[i].max, &v);

		assert_int_equal(ok, cases[i].ok);
		assert_int_equal(v, ok ? cases[i].v : 7);
	}
}

static void
test_str_lead_and_find(void **state)
{
	uint64_t v;
	size_t used;

	(void)state;
	assert_true(sc_str_lead_u64(SC_STR_LIT("120;x"), 999, &v, &used));
	assert_int_equal(v, 120);
	assert_int_equal(used, 3);
	assert_false(sc_str_lead_u64(SC_STR_LIT("x1"), 999, &v, &used));
	assert_int_equal(sc_str_find(SC_STR_LIT("Content-LENGTH: 3"),
	                             SC_STR_LIT("length"), true),
	                 8);
	assert_int_equal(
	        sc_str_find(SC_STR_LIT("abc"), SC_STR_LIT("abcd"), false),
	        SIZE_MAX);
	assert_true(sc_str_caseeq_cstr(SC_STR_LIT("Call-ID"), "call-id"));
	assert_false(sc_str_caseeq_cstr(SC_STR_LIT("Call-ID"), "call-i"));
	assert_true(
	        sc_str_has_prefix_nocase(SC_STR_LIT("SIP/2.0 200"), "sip/2.0"));
	assert_true(sc_ascii_is_token('~'));
	assert_false(sc_ascii_is_token(' '));
	assert_false(sc_ascii_is_token(0));
}

static void
test_dynbuf_cap(void **state)
{
	struct sc_dynbuf b;

	(void)state;
	sc_dynbuf_init(&b, 10);
	assert_int_equal(sc_dynbuf_add(&b, "hello", 5), SC_OK);
	assert_int_equal(sc_dynbuf_add(&b, "world", 5), SC_OK);
	assert_int_equal(sc_dynbuf_add(&b, "!", 1), SC_ELIMIT);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.p, "helloworld", 10);
	sc_dynbuf_consume(&b, 5);
	assert_string_equal((char *)b.p, "world");
	assert_int_equal(sc_dynbuf_printf(&b, "%d", 42), SC_OK);
	assert_string_equal((char *)b.p, "world42");
	assert_int_equal(sc_dynbuf_printf(&b, "%s", "long"), SC_ELIMIT);
	sc_dynbuf_reset(&b);
	assert_int_equal(b.len, 0);
	sc_dynbuf_fini(&b);
}

static void
test_arena(void **state)
{
	struct sc_arena a;
	char *s;
	void *big;

	(void)state;
	sc_arena_init(&a, 64);
	for (int i = 0; i < 100; i++) {
		s = sc_arena_strndup(&a, "abcdef", 3);
		assert_non_null(s);
		assert_string_equal(s, "abc");
		assert_int_equal((uintptr_t)s % _Alignof(max_align_t), 0);
	}
	big = sc_arena_alloc(&a, 1000);
	assert_non_null(big);
	memset(big, 1, 1000);
	sc_arena_reset(&a);
	assert_int_equal(a.used, 0);
	assert_non_null(sc_arena_alloc(&a, 900));
	assert_null(sc_arena_alloc(&a, SIZE_MAX));
	sc_arena_fini(&a);
}

static void
test_hashmap(void **state)
{
	struct sc_hashmap m;
	char keys[2000][16];

	(void)state;
	sc_hashmap_init(&m);
	assert_null(sc_hashmap_get(&m, "x", 1));
	for (int i = 0; i < 2000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "call-%d", i);
		assert_int_equal(
		        sc_hashmap_put(&m, keys[i], strlen(keys[i]), keys[i]),
		        SC_OK);
	}
	assert_int_equal(m.count, 2000);
	/* delete every third key, then check all of them */
	for (int i = 0; i < 2000; i += 3)
		assert_ptr_equal(sc_hashmap_del(&m, keys[i], strlen(keys[i])),
		                 keys[i]);
	for (int i = 0; i < 2000; i++) {
		void *v = sc_hashmap_get(&m, keys[i], strlen(keys[i]));

		if (i % 3 == 0)
			assert_null(v);
		else
			assert_ptr_equal(v, keys[i]);
	}
	assert_null(sc_hashmap_del(&m, "missing", 7));
	/* replacing keeps the count */
	assert_int_equal(sc_hashmap_put(&m, keys[1], strlen(keys[1]), keys[2]),
	                 SC_OK);
	assert_ptr_equal(sc_hashmap_get(&m, keys[1], strlen(keys[1])), keys[2]);
	sc_hashmap_fini(&m);
}

/* The calls with the hash given agree with those that hash. */
static void
test_hashmap_hashed(void **state)
{
	struct sc_hashmap m;
	char keys[300][16];

	(void)state;
	sc_hashmap_init(&m);
	assert_null(
	        sc_hashmap_get_hashed(&m, "x", 1, sc_hashmap_hash(&m, "x", 1)));
	for (int i = 0; i < 300; i++) {
		size_t len =
		        (size_t)snprintf(keys[i], sizeof(keys[i]), "cid-%d", i);
		uint64_t h = sc_hashmap_hash(&m, keys[i], len);

		assert_true(h == sc_siphash13(&m.key, keys[i], len));
		assert_int_equal(
		        sc_hashmap_put_hashed(&m, keys[i], len, h, keys[i]),
		        SC_OK);
	}
	for (int i = 0; i < 300; i += 2) {
		size_t len = strlen(keys[i]);

		assert_ptr_equal(sc_hashmap_del_hashed(
		                         &m, keys[i], len,
		                         sc_hashmap_hash(&m, keys[i], len)),
		                 keys[i]);
	}
	for (int i = 0; i < 300; i++) {
		size_t len = strlen(keys[i]);
		void *v = sc_hashmap_get(&m, keys[i], len);

		assert_ptr_equal(v, i % 2 ? keys[i] : NULL);
		assert_ptr_equal(sc_hashmap_get_hashed(
		                         &m, keys[i], len,
		                         sc_hashmap_hash(&m, keys[i], len)),
		                 v);
	}
	assert_int_equal(m.count, 150);
	sc_hashmap_fini(&m);
}

/* The SipHash paper's vectors: key 00..0f, messages 00.. of each length. */
static void
test_siphash_vectors(void **state)
{
	uint8_t kb[16], msg[16];
	struct sc_siphash_key key;

	(void)state;
	for (int i = 0; i < 16; i++)
		kb[i] = msg[i] = (uint8_t)i;
	sc_siphash_key_from_bytes(&key, kb);
	assert_true(key.k0 == 0x0706050403020100ULL);
	assert_true(key.k1 == 0x0f0e0d0c0b0a0908ULL);
	/* Appendix A of the paper: the 15-byte message */
	assert_true(sc_siphash24(&key, msg, 15) == 0xa129ca6149be45e5ULL);
	/* the reference implementation's table, messages of 0 to 15
	 * bytes: every length of the last word, alone or after a whole one */
	static const uint64_t table[16] = {
		0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL,
		0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
		0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL,
		0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
		0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL,
		0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
		0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL,
		0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
	};
	for (size_t len = 0; len < 16; len++)
		assert_true(sc_siphash24(&key, msg, len) == table[len]);
	/* 1-3 shares the code; it differs from 2-4 and depends on the key */
	assert_true(sc_siphash13(&key, msg, 15) != sc_siphash24(&key, msg, 15));
	key.k1 ^= 1;
	assert_true(sc_siphash24(&key, msg, 15) != 0xa129ca6149be45e5ULL);
}

/* Two maps draw different keys; a fixed key gives a repeatable hash. */
static void
test_hashmap_keys(void **state)
{
	struct sc_hashmap a, b;
	struct sc_siphash_key k = { 1, 2 };

	(void)state;
	sc_hashmap_init(&a);
	sc_hashmap_init(&b);
	assert_false(a.key.k0 == b.key.k0 && a.key.k1 == b.key.k1);
	sc_hashmap_fini(&a);
	sc_hashmap_fini(&b);
	sc_hashmap_init_key(&a, &k);
	assert_true(a.key.k0 == 1 && a.key.k1 == 2);
	assert_int_equal(sc_hashmap_put(&a, "k", 1, &k), SC_OK);
	assert_ptr_equal(sc_hashmap_get(&a, "k", 1), &k);
	sc_hashmap_fini(&a);
}

static void
test_vec(void **state)
{
	struct sc_vec v;
	int x[100];

	(void)state;
	sc_vec_init(&v);
	for (int i = 0; i < 100; i++)
		assert_int_equal(sc_vec_push(&v, &x[i]), SC_OK);
	assert_int_equal(v.n, 100);
	assert_ptr_equal(v.v[57], &x[57]);
	sc_vec_fini(&v);
	assert_int_equal(v.n, 0);
}

/* Frame lists: sorted and without repeats, in place. */
static void
test_sort_unique_u64(void **state)
{
	uint64_t sorted[] = { 1, 2, 2, 5, 9, 9, 9 };
	uint64_t shuffled[] = { 8, 4, 6, 4, 10, 8 };
	uint64_t one[] = { 7 };

	(void)state;
	assert_int_equal(sc_sort_unique_u64(sorted, 7), 4);
	assert_true(sorted[0] == 1 && sorted[1] == 2 && sorted[2] == 5 &&
	            sorted[3] == 9);
	assert_int_equal(sc_sort_unique_u64(shuffled, 6), 4);
	assert_true(shuffled[0] == 4 && shuffled[1] == 6 && shuffled[2] == 8 &&
	            shuffled[3] == 10);
	assert_int_equal(sc_sort_unique_u64(one, 1), 1);
	assert_int_equal(sc_sort_unique_u64(NULL, 0), 0);
}

static void
test_addr(void **state)
{
	struct sc_addr a, b;
	struct sc_endpoint e;
	char buf[SC_ENDPOINT_STRLEN];

	(void)state;
	assert_true(sc_addr_parse("192.0.2.10", 10, &a));
	assert_int_equal(a.family, 4);
	assert_string_equal(sc_addr_format(&a, buf, sizeof(buf)), "192.0.2.10");
	assert_true(sc_addr_parse("2001:DB8:0:0:0:0:0:1", 20, &b));
	assert_string_equal(sc_addr_format(&b, buf, sizeof(buf)),
	                    "2001:db8::1");
	assert_false(sc_addr_equal(&a, &b));
	e.addr = b;
	e.port = 5060;
	assert_string_equal(sc_endpoint_format(&e, buf, sizeof(buf)),
	                    "[2001:db8::1]:5060");
	assert_false(sc_addr_parse("example.com", 11, &a));
	assert_false(sc_addr_parse("", 0, &a));
	assert_true(sc_addr_parse("10.1.2.3", 8, &a));
	assert_true(sc_addr_is_private(&a));
	assert_true(sc_addr_parse("172.31.0.1", 10, &a));
	assert_true(sc_addr_is_private(&a));
	assert_true(sc_addr_parse("172.32.0.1", 10, &a));
	assert_false(sc_addr_is_private(&a));
	assert_true(sc_addr_parse("100.64.0.1", 10, &a));
	assert_true(sc_addr_is_private(&a));
	assert_true(sc_addr_parse("fd00::1", 7, &a));
	assert_true(sc_addr_is_private(&a));
	assert_false(sc_addr_is_private(&b));
	memset(&a, 0, sizeof(a));
	assert_string_equal(sc_addr_format(&a, buf, sizeof(buf)), "-");
}

/* Digits by hand agree with printf's %0*llu, over widths and edges. */
static void
test_put_decimal(void **state)
{
	static const uint64_t values[] = { 0,
		                           1,
		                           9,
		                           10,
		                           99,
		                           100,
		                           101,
		                           255,
		                           65535,
		                           999999999,
		                           1000000000,
		                           UINT64_C(9999999999999999999),
		                           UINT64_C(10000000000000000000),
		                           UINT64_MAX };
	char got[32], want[32];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		for (int width = 0; width <= 20; width++) {
			char *end = sc_put_decimal(got, values[i], width);

			*end = 0;
			snprintf(want, sizeof(want), "%0*llu", width,
			         (unsigned long long)values[i]);
			assert_string_equal(got, want);
		}
	}
}

/* IPv4 endpoints are formatted by hand, IPv6 ones by inet_ntop. */
static void
test_endpoint_format(void **state)
{
	struct sc_endpoint e = { 0 };
	char buf[SC_ENDPOINT_STRLEN];
	static const uint8_t v4[4] = { 192, 0, 2, 255 };
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	(void)state;
	sc_addr_set4(&e.addr, v4);
	e.port = 5060;
	assert_string_equal(sc_endpoint_format(&e, buf, sizeof(buf)),
	                    "192.0.2.255:5060");
	e.port = 0;
	sc_addr_set4(&e.addr, (const uint8_t[4]){ 0, 0, 0, 0 });
	assert_string_equal(sc_endpoint_format(&e, buf, sizeof(buf)),
	                    "0.0.0.0:0");
	v6[15] = 1;
	sc_addr_set6(&e.addr, v6);
	e.port = 65535;
	assert_string_equal(sc_endpoint_format(&e, buf, sizeof(buf)),
	                    "[2001:db8::1]:65535");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str_to_u64),
		cmocka_unit_test(test_str_lead_and_find),
		cmocka_unit_test(test_dynbuf_cap),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_hashmap),
		cmocka_unit_test(test_hashmap_hashed),
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_hashmap_keys),
		cmocka_unit_test(test_vec),
		cmocka_unit_test(test_sort_unique_u64),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_put_decimal),
		cmocka_unit_test(test_endpoint_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
