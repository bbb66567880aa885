/* test_slab.c - the size-class allocator, and parsed messages outliving
 * their parser
 *
 * The allocator's own tests use SC_SLAB_CHUNKS, so that the carving code
 * runs under ASan and valgrind too (it poisons what it does not hand out:
 * a write past a block or into a freed one is reported by the checker).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/sip/sipmsg.h"
#include "sipcause/util/slab.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#if !defined(TEST_ASAN) && defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define TEST_VALGRIND 1
#endif
#endif

static size_t
live(struct sc_slab *s)
{
	struct sc_slab_stats st;

	sc_slab_stats(s, &st);
	return st.live;
}

static size_t
chunks(struct sc_slab *s)
{
	struct sc_slab_stats st;

	sc_slab_stats(s, &st);
	return st.chunks;
}

static void
assert_aligned(const void *p)
{
	assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
}

/* Blocks of every class: aligned, disjoint, each keeps its own bytes. */
static void
test_classes(void **state)
{
	/* with a 16-byte header: 64, 64, 64, 128, 128, 1024, 4096 bytes */
	static const size_t sizes[] = { 0, 1, 48, 49, 112, 1000, 4080 };
	struct sc_slab *s = sc_slab_new(SC_SLAB_CHUNKS);
	unsigned char *b[SC_COUNTOF(sizes)];

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < SC_COUNTOF(sizes); i++) {
		b[i] = sc_slab_alloc(s, sizes[i]);
		assert_non_null(b[i]);
		assert_aligned(b[i]);
		memset(b[i], (int)(0xa0 + i), sizes[i]);
		assert_int_equal(live(s), i + 1);
	}
	assert_int_equal(chunks(s), 4); /* a chunk for each class */
	for (size_t i = 0; i < SC_COUNTOF(sizes); i++) {
		for (size_t j = 0; j < SC_COUNTOF(sizes); j++) {
			if (i != j && sizes[i] && sizes[j])
				assert_true(b[i] + sizes[i] <= b[j] ||
				            b[j] + sizes[j] <= b[i]);
		}
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(b[i][k], 0xa0 + i);
	}
	for (size_t i = 0; i < SC_COUNTOF(sizes); i++)
		sc_slab_free(b[i]);
	assert_int_equal(live(s), 0);
	sc_slab_release(s);
}

/* 400..999 bytes, then 400..799 again: about 700 KB in all. */
static size_t
size_of(size_t i)
{
	return 400 + i % 600;
}

/*
 * A freed block serves the next request of its class, and only those;
 * chunks left empty go back to the system (a few are kept for reuse).
 */
static void
test_reuse(void **state)
{
	struct sc_slab *s = sc_slab_new(SC_SLAB_CHUNKS);
	void *a, *b, *c, *keep, *blocks[1000];
	size_t n;

	(void)state;
	assert_non_null(s);
	a = sc_slab_alloc(s, 520);    /* 536 bytes with the header: 576 */
	keep = sc_slab_alloc(s, 520); /* a's chunk stays in use */
	assert_non_null(a);
	assert_non_null(keep);
	sc_slab_free(a);
	b = sc_slab_alloc(s, 100); /* another class: a stays free */
	assert_non_null(b);
	assert_ptr_not_equal(b, a);
	c = sc_slab_alloc(s, 560); /* 576 with the header: a's class */
	assert_ptr_equal(c, a);
	sc_slab_free(b);
	sc_slab_free(c);
	sc_slab_free(keep);

	/* ten classes, a chunk or more each; emptied, most go back; a
	 * second round of the same sizes (in another order) takes as many */
	for (size_t i = 0; i < SC_COUNTOF(blocks); i++) {
		blocks[i] = sc_slab_alloc(s, size_of(i));
		assert_non_null(blocks[i]);
	}
	n = chunks(s);
	assert_true(n >= 10);
	for (size_t i = 0; i < SC_COUNTOF(blocks); i++)
		sc_slab_free(blocks[i]);
	assert_int_equal(live(s), 0);
	assert_true(chunks(s) < n);
	for (size_t i = 0; i < SC_COUNTOF(blocks); i++) {
		size_t size = size_of(SC_COUNTOF(blocks) - 1 - i);

		blocks[i] = sc_slab_alloc(s, size);
		assert_non_null(blocks[i]);
		memset(blocks[i], 0x5a, size);
	}
	assert_int_equal(chunks(s), n);
	assert_int_equal(live(s), SC_COUNTOF(blocks));
	for (size_t i = 0; i < SC_COUNTOF(blocks); i++)
		sc_slab_free(blocks[i]);
	sc_slab_release(s);
}

/* Above SC_SLAB_MAX_BLOCK, and without a pool: malloc, same free. */
static void
test_big(void **state)
{
	struct sc_slab *s = sc_slab_new(SC_SLAB_CHUNKS);
	unsigned char *big, *own;

	(void)state;
	assert_non_null(s);
	big = sc_slab_alloc(s, SC_SLAB_MAX_BLOCK);
	assert_non_null(big);
	assert_aligned(big);
	memset(big, 1, SC_SLAB_MAX_BLOCK);
	assert_int_equal(live(s), 0);
	assert_int_equal(chunks(s), 0);
	own = sc_slab_alloc(NULL, 100);
	assert_non_null(own);
	assert_aligned(own);
	memset(own, 2, 100);
	assert_null(sc_slab_alloc(s, SIZE_MAX));
	assert_null(sc_slab_alloc(NULL, SIZE_MAX - 8));
	/* the pool may go first: these blocks are not its own */
	sc_slab_release(s);
	assert_int_equal(big[SC_SLAB_MAX_BLOCK - 1], 1);
	sc_slab_free(big);
	sc_slab_free(own);
	sc_slab_free(NULL);
	sc_slab_release(NULL);
}

/*
 * Blocks outlive the owner's release; the last free destroys the pool
 * (a leak, or a pool destroyed early, is the checkers' to report).
 */
static void
test_released_pool(void **state)
{
	struct sc_slab *s = sc_slab_new(SC_SLAB_CHUNKS);
	unsigned char *b[3];

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < SC_COUNTOF(b); i++) {
		b[i] = sc_slab_alloc(s, 300 * (i + 1));
		assert_non_null(b[i]);
		memset(b[i], (int)i + 1, 300 * (i + 1));
	}
	sc_slab_free(b[1]);
	sc_slab_release(s);
	assert_int_equal(live(s), 2);
	assert_int_equal(b[0][299], 1);
	assert_int_equal(b[2][899], 3);
	sc_slab_free(b[2]);
	sc_slab_free(b[0]); /* the last: the pool goes with it */

	/* released empty: destroyed at once */
	sc_slab_release(sc_slab_new(SC_SLAB_CHUNKS));
}

/* SC_SLAB_AUTO carves unless a memory checker watches. */
static void
test_auto(void **state)
{
	struct sc_slab *s = sc_slab_new(SC_SLAB_AUTO);
	struct sc_slab_stats st;
	bool checker = false;
	void *p;

	(void)state;
	assert_non_null(s);
#if defined(TEST_ASAN)
	checker = true;
#elif defined(TEST_VALGRIND)
	checker = RUNNING_ON_VALGRIND != 0;
#endif
	p = sc_slab_alloc(s, 100);
	assert_non_null(p);
	sc_slab_stats(s, &st);
	assert_int_equal(st.chunked, !checker);
	assert_int_equal(st.live, checker ? 0 : 1);
	sc_slab_release(s);
	sc_slab_free(p);
}

#define NCROSS 50000

static pthread_barrier_t start;

/* Blocks of one pool freed on another thread. */
static void *
free_all(void *arg)
{
	void **blocks = arg;

	pthread_barrier_wait(&start);
	for (size_t i = 0; i < NCROSS; i++)
		sc_slab_free(blocks[i]);
	return NULL;
}

static size_t
cross_size(size_t i)
{
	return 100 + i % 300;
}

/*
 * A thread frees blocks while the owner allocates and frees others in
 * the same classes (--threads 2: parsed on one, freed on the other).
 */
static void
test_free_on_another_thread(void **state)
{
	struct sc_slab *s = sc_slab_new(SC_SLAB_CHUNKS);
	void **theirs = calloc(NCROSS, sizeof(void *));
	void **mine = calloc(NCROSS, sizeof(void *));
	pthread_t t;

	(void)state;
	assert_non_null(s);
	assert_non_null(theirs);
	assert_non_null(mine);
	for (size_t i = 0; i < NCROSS; i++) {
		theirs[i] = sc_slab_alloc(s, cross_size(i));
		assert_non_null(theirs[i]);
	}
	assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
	assert_int_equal(pthread_create(&t, NULL, free_all, theirs), 0);
	pthread_barrier_wait(&start);
	for (size_t i = 0; i < NCROSS; i++) {
		mine[i] = sc_slab_alloc(s, cross_size(i));
		assert_non_null(mine[i]);
		memset(mine[i], 7, cross_size(i));
		if (i % 2)
			sc_slab_free(mine[i / 2]);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_barrier_destroy(&start);
	for (size_t i = NCROSS / 2; i < NCROSS; i++)
		sc_slab_free(mine[i]);
	assert_int_equal(live(s), 0);
	sc_slab_release(s);
	free(theirs);
	free(mine);
}

static const char invite[] =
        "INVITE sip:bob@example.com SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n"
        "Max-Forwards: 70\r\n"
        "To: <sip:bob@example.com>\r\n"
        "From: <sip:alice@example.com>;tag=1928301774\r\n"
        "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
        "CSeq: 314159 INVITE\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

static struct sc_msg *
parse(struct sc_sipparser *p, uint64_t frame)
{
	struct sc_rawmsg raw;
	struct sc_msg *m = NULL;

	memset(&raw, 0, sizeof(raw));
	raw.data = (const uint8_t *)invite;
	raw.len = sizeof(invite) - 1;
	raw.frame = frame;
	assert_int_equal(sc_sipmsg_parse(p, &raw, &m), SC_OK);
	assert_non_null(m);
	return m;
}

/* Messages stay whole after their parser is freed (analyze.c's order). */
static void
test_messages_outlive_parser(void **state)
{
	struct sc_sipparser *p;
	struct sc_msg *m[3];

	(void)state;
	sc_sipmsg_global_init();
	p = sc_sipparser_new(NULL);
	assert_non_null(p);
	for (size_t i = 0; i < SC_COUNTOF(m); i++)
		m[i] = parse(p, i + 1);
	sc_msg_free(m[1]);
	m[1] = parse(p, 9); /* takes the freed block again */
	sc_sipparser_free(p);
	for (size_t i = 0; i < SC_COUNTOF(m); i++) {
		assert_string_equal(m[i]->call_id,
		                    "a84b4c76e66710@pc33.example.com");
		assert_int_equal(m[i]->call_id_len, 31);
		assert_string_equal(m[i]->from.tag, "1928301774");
		assert_int_equal(m[i]->cseq, 314159);
		assert_int_equal(m[i]->frame, i == 1 ? 9 : i + 1);
	}
	for (size_t i = 0; i < SC_COUNTOF(m); i++)
		sc_msg_free(m[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_released_pool),
		cmocka_unit_test(test_auto),
		cmocka_unit_test(test_free_on_another_thread),
		cmocka_unit_test(test_messages_outlive_parser),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
