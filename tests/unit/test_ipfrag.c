/* test_ipfrag.c - fragment reassembly: order, duplicates, overlaps, caps */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sipcause/reassembly/ipfrag.h"

#define NS INT64_C(1000000000)

static uint8_t data[3000];

static void
fill_data(void)
{
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
}

/* Fragment [off, off+len) of datagram @id; @cut bytes lost to snaplen. */
static struct sc_pkt
frag(uint32_t id, size_t off, size_t len, bool more, uint64_t frame,
     size_t cut)
{
	struct sc_pkt p;
	uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };

	memset(&p, 0, sizeof(p));
	sc_addr_set4(&p.src.addr, a);
	sc_addr_set4(&p.dst.addr, b);
	p.ipproto = SC_IPPROTO_UDP;
	p.is_fragment = true;
	p.frag.id = id;
	p.frag.offset = (uint32_t)off;
	p.frag.more = more;
	p.frame = frame;
	p.ts_ns = (int64_t)frame * NS / 1000;
	p.payload = data + off;
	p.len = len - cut;
	p.wire_len = len;
	p.truncated = cut > 0;
	return p;
}

/* Feed @n fragments; return how many completed a datagram. */
static int
feed(struct sc_ipfrag *r, const struct sc_pkt *f, size_t n,
     struct sc_datagram *out)
{
	int done = 0;

	for (size_t i = 0; i < n; i++) {
		enum sc_err err = sc_ipfrag_add(r, &f[i], out);

		assert_true(err == SC_OK || err == SC_EAGAIN);
		done += err == SC_OK;
	}
	return done;
}

static void
expect_whole(const struct sc_datagram *d, size_t len)
{
	assert_int_equal(d->len, len);
	assert_memory_equal(d->p, data, len);
	assert_false(d->truncated);
	assert_int_equal(d->ipproto, SC_IPPROTO_UDP);
}

static void
test_in_order(void **state)
{
	struct sc_ipfrag *r = sc_ipfrag_new(NULL);
	struct sc_pkt f[3] = { frag(1, 0, 1480, true, 1, 0),
			       frag(1, 1480, 1480, true, 2, 0),
			       frag(1, 2960, 40, false, 3, 0) };
	struct sc_datagram d;

	(void)state;
	assert_int_equal(feed(r, f, 3, &d), 1);
	expect_whole(&d, 3000);
	assert_int_equal(d.nframes, 3);
	assert_int_equal(d.frames[0], 1);
	assert_int_equal(d.frames[2], 3);
	assert_int_equal(d.frame, 3);
	assert_int_equal(sc_ipfrag_pending(r), 0);
	assert_int_equal(sc_ipfrag_stats(r)->reassembled, 1);
	sc_ipfrag_free(r);
}

static void
test_reversed_and_duplicated(void **state)
{
	struct sc_ipfrag *r = sc_ipfrag_new(NULL);
	struct sc_pkt f[5] = { frag(2, 2960, 40, false, 1, 0),
			       frag(2, 1480, 1480, true, 2, 0),
			       frag(2, 1480, 1480, true, 3, 0),
			       frag(2, 2960, 40, false, 4, 0),
			       frag(2, 0, 1480, true, 5, 0) };
	struct sc_datagram d;

	(void)state;
	assert_int_equal(feed(r, f, 5, &d), 1);
	expect_whole(&d, 3000);
	assert_int_equal(d.nframes, 5);
	assert_int_equal(sc_ipfrag_stats(r)->duplicates, 2);
	sc_ipfrag_free(r);
}

static void
test_overlap_first_copy_wins(void **state)
{
	struct sc_ipfrag *r = sc_ipfrag_new(NULL);
	static uint8_t other[3000];
	struct sc_pkt f[3] = { frag(3, 0, 1000, true, 1, 0),
			       frag(3, 800, 1200, true, 2, 0),
			       frag(3, 2000, 1000, false, 3, 0) };
	struct sc_datagram d;

	(void)state;
	/* the overlapping fragment carries different bytes */
	memset(other, 0xee, sizeof(other));
	f[1].payload = other;
	assert_int_equal(feed(r, f, 3, &d), 1);
	assert_int_equal(d.len, 3000);
	assert_memory_equal(d.p, data, 1000);     /* first copy kept */
	assert_int_equal(d.p[1000], 0xee);        /* new bytes taken */
	assert_memory_equal(d.p + 2000, data + 2000, 1000);
	assert_int_equal(sc_ipfrag_stats(r)->overlaps, 1);
	sc_ipfrag_free(r);
}

static void
test_missing_piece_times_out(void **state)
{
	struct sc_ipfrag *r = sc_ipfrag_new(NULL);
	struct sc_pkt f[2] = { frag(4, 0, 1480, true, 1, 0),
			       frag(4, 2960, 40, false, 2, 0) };
	struct sc_datagram d;

	(void)state;
	assert_int_equal(feed(r, f, 2, &d), 0);
	assert_int_equal(sc_ipfrag_pending(r), 1);
	sc_ipfrag_expire(r, 10 * NS);
	assert_int_equal(sc_ipfrag_pending(r), 1);
	sc_ipfrag_expire(r, 40 * NS);
	assert_int_equal(sc_ipfrag_pending(r), 0);
	assert_int_equal(sc_ipfrag_stats(r)->timeouts, 1);
	sc_ipfrag_free(r);
}

static void
test_interleaved_datagrams(void **state)
{
	struct sc_ipfrag *r = sc_ipfrag_new(NULL);
	struct sc_pkt f[4] = { frag(5, 0, 1480, true, 1, 0),
			       frag(6, 0, 1480, true, 2, 0),
			       frag(6, 1480, 100, false, 3, 0),
			       frag(5, 1480, 200, false, 4, 0) };
	struct sc_datagram d;

	(void)state;
	assert_int_equal(sc_ipfrag_add(r, &f[0], &d), SC_EAGAIN);
	assert_int_equal(sc_ipfrag_add(r, &f[1], &d), SC_EAGAIN);
	assert_int_equal(sc_ipfrag_add(r, &f[2], &d), SC_OK);
	assert_int_equal(d.len, 1580);
	assert_int_equal(sc_ipfrag_add(r, &f[3], &d), SC_OK);
	assert_int_equal(d.len, 1680);
	assert_int_equal(d.frames[0], 1);
	assert_int_equal(d.frames[1], 4);
	sc_ipfrag_free(r);
}

static void
test_snaplen_cut(void **state)
{
	struct sc_ipfrag *r = sc_ipfrag_new(NULL);
	/* the first fragment lost its last 1000 bytes to the snaplen */
	struct sc_pkt f[2] = { frag(7, 0, 1480, true, 1, 1000),
			       frag(7, 1480, 500, false, 2, 0) };
	struct sc_datagram d;

	(void)state;
	assert_int_equal(feed(r, f, 2, &d), 1);
	assert_true(d.truncated);
	assert_int_equal(d.len, 480);   /* the captured prefix only */
	assert_memory_equal(d.p, data, 480);
	sc_ipfrag_free(r);
}

static void
test_caps(void **state)
{
	struct sc_ipfrag_limits lim = { .max_datagram = 2000,
					.max_pending = 2,
					.max_fragments = 3 };
	struct sc_ipfrag *r = sc_ipfrag_new(&lim);
	struct sc_pkt big = frag(8, 1480, 1480, false, 1, 0);
	struct sc_pkt p1 = frag(9, 0, 100, true, 2, 0);
	struct sc_pkt p2 = frag(10, 0, 100, true, 3, 0);
	struct sc_pkt p3 = frag(11, 0, 100, true, 4, 0);
	struct sc_datagram d;

	(void)state;
	assert_int_equal(sc_ipfrag_add(r, &big, &d), SC_ELIMIT);
	assert_int_equal(sc_ipfrag_stats(r)->too_big, 1);
	assert_int_equal(sc_ipfrag_pending(r), 0);
	assert_int_equal(sc_ipfrag_add(r, &p1, &d), SC_EAGAIN);
	assert_int_equal(sc_ipfrag_add(r, &p2, &d), SC_EAGAIN);
	assert_int_equal(sc_ipfrag_add(r, &p3, &d), SC_EAGAIN);
	assert_int_equal(sc_ipfrag_pending(r), 2);
	assert_int_equal(sc_ipfrag_stats(r)->evicted, 1);
	/* too many fragments for one datagram */
	for (uint64_t i = 0; i < 4; i++) {
		struct sc_pkt t = frag(12, i * 8, 8, true, 10 + i, 0);

		assert_int_equal(sc_ipfrag_add(r, &t, &d),
				 i < 3 ? SC_EAGAIN : SC_ELIMIT);
	}
	assert_int_equal(sc_ipfrag_stats(r)->too_many, 1);
	/* two last fragments that disagree about the end */
	{
		struct sc_pkt l1 = frag(13, 100, 50, false, 20, 0);
		struct sc_pkt l2 = frag(13, 100, 60, false, 21, 0);

		assert_int_equal(sc_ipfrag_add(r, &l1, &d), SC_EAGAIN);
		assert_int_equal(sc_ipfrag_add(r, &l2, &d), SC_EMALFORMED);
		assert_int_equal(sc_ipfrag_stats(r)->inconsistent, 1);
	}
	sc_ipfrag_free(r);
}

/* The pending cap evicts the oldest datagram; the others still finish,
 * and a flood of incomplete datagrams stays within the cap. */
static void
test_eviction_order_and_flood(void **state)
{
	struct sc_ipfrag_limits lim = { .max_pending = 3 };
	struct sc_ipfrag *r = sc_ipfrag_new(&lim);
	struct sc_datagram d;

	(void)state;
	fill_data();
	for (uint32_t id = 1; id <= 4; id++) {
		struct sc_pkt f = frag(id, 0, 800, true, id, 0);

		assert_int_equal(sc_ipfrag_add(r, &f, &d), SC_EAGAIN);
	}
	assert_int_equal(sc_ipfrag_stats(r)->evicted, 1);
	assert_int_equal(sc_ipfrag_pending(r), 3);
	/* datagram 1 was the oldest: its end starts it afresh (evicting
	 * datagram 2) and finds nothing to finish */
	{
		struct sc_pkt l1 = frag(1, 800, 200, false, 5, 0);
		struct sc_pkt l3 = frag(3, 800, 200, false, 6, 0);

		assert_int_equal(sc_ipfrag_add(r, &l1, &d), SC_EAGAIN);
		assert_int_equal(sc_ipfrag_add(r, &l3, &d), SC_OK);
		expect_whole(&d, 1000);
	}
	/* 200,000 first fragments, all different, none completed */
	for (uint32_t id = 100; id < 200100; id++) {
		struct sc_pkt f = frag(id, 0, 800, true, id, 0);

		f.ts_ns = 10 * NS;
		assert_int_equal(sc_ipfrag_add(r, &f, &d), SC_EAGAIN);
	}
	assert_int_equal(sc_ipfrag_pending(r), 3);
	assert_int_equal(sc_ipfrag_stats(r)->evicted, 2 + 200000 - 1);
	sc_ipfrag_free(r);
}

/* Every way of cutting the payload of the first fragment short. */
static void
test_every_cut(void **state)
{
	(void)state;
	for (size_t cut = 0; cut <= 1480; cut += 37) {
		struct sc_ipfrag *r = sc_ipfrag_new(NULL);
		struct sc_pkt f[2] = { frag(14, 0, 1480, true, 1, cut),
				       frag(14, 1480, 20, false, 2, 0) };
		struct sc_datagram d;

		assert_int_equal(feed(r, f, 2, &d), 1);
		assert_int_equal(d.len, cut ? 1480 - cut : 1500);
		assert_int_equal(d.truncated, cut != 0);
		sc_ipfrag_free(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_reversed_and_duplicated),
		cmocka_unit_test(test_overlap_first_copy_wins),
		cmocka_unit_test(test_missing_piece_times_out),
		cmocka_unit_test(test_interleaved_datagrams),
		cmocka_unit_test(test_snaplen_cut),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_eviction_order_and_flood),
	};

	fill_data();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
