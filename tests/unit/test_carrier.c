/* test_carrier.c - SIP inside HEP (v2, v3) and SCTP DATA chunks */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sipcause/frame/carrier.h"
#include "sipcause/reassembly/sctp.h"

static const char sip[] = "OPTIONS sip:x@example.com SIP/2.0\r\n"
			  "Call-ID: hep-1\r\n"
			  "CSeq: 1 OPTIONS\r\n"
			  "Content-Length: 0\r\n\r\n";

struct buf {
	uint8_t b[2048];
	size_t len;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->len, p, n);
	b->len += n;
}

static void
put16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(b, x, 2);
}

static void
put32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	put(b, x, 4);
}

/* A HEPv3 chunk: vendor 0, @type, @n bytes of value. */
static void
chunk3(struct buf *b, uint16_t type, const void *v, size_t n)
{
	put16(b, 0);
	put16(b, type);
	put16(b, (uint16_t)(n + 6));
	put(b, v, n);
}

static struct buf
hep3(void)
{
	struct buf b = { .len = 0 };
	uint8_t one = 2, proto = 17, src[4] = { 192, 0, 2, 1 },
		dst[4] = { 192, 0, 2, 2 }, type = 1;
	uint8_t port_s[2] = { 0x13, 0xc4 }, port_d[2] = { 0x13, 0xc5 };
	uint8_t sec[4] = { 0x65, 0x53, 0xf1, 0x00 }, usec[4] = { 0, 0, 0, 7 };

	put(&b, "HEP3", 4);
	put16(&b, 0);   /* total length, set below */
	chunk3(&b, 1, &one, 1);
	chunk3(&b, 2, &proto, 1);
	chunk3(&b, 3, src, 4);
	chunk3(&b, 4, dst, 4);
	chunk3(&b, 7, port_s, 2);
	chunk3(&b, 8, port_d, 2);
	chunk3(&b, 9, sec, 4);
	chunk3(&b, 10, usec, 4);
	chunk3(&b, 11, &type, 1);
	chunk3(&b, 15, sip, strlen(sip));
	b.b[4] = (uint8_t)(b.len >> 8);
	b.b[5] = (uint8_t)b.len;
	return b;
}

static void
test_hep3(void **state)
{
	struct buf b = hep3();
	struct sc_hep h;
	char ep[SC_ENDPOINT_STRLEN];

	(void)state;
	assert_int_equal(sc_hep_decode(b.b, b.len, &h), SC_OK);
	assert_int_equal(h.version, 3);
	assert_int_equal(h.ipproto, 17);
	assert_int_equal(h.payload_type, 1);
	assert_string_equal(sc_endpoint_format(&h.src, ep, sizeof(ep)),
			    "192.0.2.1:5060");
	assert_string_equal(sc_endpoint_format(&h.dst, ep, sizeof(ep)),
			    "192.0.2.2:5061");
	assert_int_equal(h.ts_ns, INT64_C(0x6553f100) * 1000000000 + 7000);
	assert_int_equal(h.len, strlen(sip));
	assert_memory_equal(h.payload, sip, h.len);
}

static void
test_hep3_prefixes(void **state)
{
	struct buf b = hep3();
	struct sc_hep h;

	(void)state;
	for (size_t n = 0; n < b.len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		enum sc_err err;

		memcpy(copy, b.b, n);
		err = sc_hep_decode(copy, n, &h);
		/* a cut packet is never taken as whole */
		assert_true(err == SC_ENOTPROTO || err == SC_ETRUNC ||
			    err == SC_EMALFORMED ||
			    (err == SC_OK && h.len < strlen(sip)));
		free(copy);
	}
}

static void
test_hep3_damaged(void **state)
{
	struct buf b = hep3();
	struct sc_hep h;

	(void)state;
	/* a chunk claiming less than its own header */
	b.b[6 + 4] = 0;
	b.b[6 + 5] = 3;
	assert_int_equal(sc_hep_decode(b.b, b.len, &h), SC_EMALFORMED);
	assert_int_equal(sc_hep_decode((const uint8_t *)"HEP2", 4, &h),
			 SC_ENOTPROTO);
	assert_int_equal(sc_hep_decode((const uint8_t *)sip, strlen(sip), &h),
			 SC_ENOTPROTO);
}

static void
test_hep2(void **state)
{
	struct buf b = { .len = 0 };
	struct sc_hep h;
	uint8_t hdr[4] = { 2, 28, 2, 17 };
	uint8_t src[4] = { 10, 0, 0, 1 }, dst[4] = { 10, 0, 0, 2 };
	uint8_t ts[12] = { 0x10, 0, 0, 0, 0x20, 0, 0, 0, 1, 0, 0, 0 };

	(void)state;
	put(&b, hdr, 4);
	put16(&b, 5060);
	put16(&b, 5080);
	put(&b, src, 4);
	put(&b, dst, 4);
	put(&b, ts, 12);   /* seconds, microseconds little-endian; id */
	put(&b, sip, strlen(sip));
	assert_int_equal(sc_hep_decode(b.b, b.len, &h), SC_OK);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.src.port, 5060);
	assert_int_equal(h.dst.port, 5080);
	assert_int_equal(h.ts_ns, INT64_C(16) * 1000000000 + 32 * 1000);
	assert_int_equal(h.len, strlen(sip));
	/* a wrong header length is not HEPv2 (ordinary UDP) */
	b.b[1] = 27;
	assert_int_equal(sc_hep_decode(b.b, b.len, &h), SC_ENOTPROTO);
}

/* ---- SCTP ---- */

struct got {
	size_t n;
	size_t len[4];
	size_t nframes[4];
	enum sc_transport transport[4];
};

static void
sink(void *ctx, const struct sc_rawmsg *m)
{
	struct got *g = ctx;

	assert_true(g->n < 4);
	g->len[g->n] = m->len;
	g->nframes[g->n] = m->nframes;
	g->transport[g->n] = m->transport;
	g->n++;
}

/* A DATA chunk (or I-DATA when @idata) carrying @n bytes of @p. */
static void
data_chunk(struct buf *b, bool idata, uint8_t flags, uint32_t tsn,
	   const char *p, size_t n)
{
	size_t hdr = idata ? 20 : 16;

	b->b[b->len++] = idata ? 64 : 0;
	b->b[b->len++] = flags;
	put16(b, (uint16_t)(hdr + n));
	put32(b, tsn);
	put16(b, 0);        /* stream */
	put16(b, 0);        /* sequence / reserved */
	if (idata)
		put32(b, 0);    /* message id */
	put32(b, 0);        /* PPID */
	put(b, p, n);
	while (b->len % 4)
		b->b[b->len++] = 0;
}

static struct sc_pkt
sctp_pkt(struct buf *b, uint64_t frame)
{
	struct sc_pkt p;
	uint8_t a[4] = { 10, 0, 0, 1 }, c[4] = { 10, 0, 0, 2 };

	memset(&p, 0, sizeof(p));
	sc_addr_set4(&p.src.addr, a);
	sc_addr_set4(&p.dst.addr, c);
	p.src.port = 5060;
	p.dst.port = 5060;
	p.ipproto = SC_IPPROTO_SCTP;
	p.payload = b->b;
	p.len = b->len;
	p.frame = frame;
	return p;
}

static void
common_header(struct buf *b)
{
	b->len = 0;
	put16(b, 5060);
	put16(b, 5060);
	put32(b, 0x11223344);
	put32(b, 0);
}

static void
test_sctp_whole_and_idata(void **state)
{
	struct sc_sctp *s = sc_sctp_new();
	struct buf b;
	struct got g = { 0 };
	struct sc_pkt p;

	(void)state;
	common_header(&b);
	data_chunk(&b, false, 0x03, 1, sip, strlen(sip));
	data_chunk(&b, true, 0x03, 2, sip, strlen(sip));
	p = sctp_pkt(&b, 1);
	assert_int_equal(sc_sctp_add(s, &p, sink, &g), SC_OK);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.len[0], strlen(sip));
	assert_int_equal(g.transport[1], SC_TRANSPORT_SCTP);
	assert_int_equal(sc_sctp_stats(s)->chunks, 2);
	sc_sctp_free(s);
}

static void
test_sctp_fragments(void **state)
{
	struct sc_sctp *s = sc_sctp_new();
	struct buf b;
	struct got g = { 0 };
	struct sc_pkt p;
	size_t cut = 20;

	(void)state;
	common_header(&b);
	data_chunk(&b, false, 0x02, 7, sip, cut);            /* B */
	p = sctp_pkt(&b, 1);
	assert_int_equal(sc_sctp_add(s, &p, sink, &g), SC_OK);
	assert_int_equal(g.n, 0);
	common_header(&b);
	data_chunk(&b, false, 0x01, 8, sip + cut, strlen(sip) - cut); /* E */
	p = sctp_pkt(&b, 2);
	assert_int_equal(sc_sctp_add(s, &p, sink, &g), SC_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len[0], strlen(sip));
	assert_int_equal(g.nframes[0], 2);
	assert_int_equal(sc_sctp_stats(s)->reassembled, 1);
	/* an end whose TSN does not follow: dropped */
	common_header(&b);
	data_chunk(&b, false, 0x02, 20, sip, cut);
	data_chunk(&b, false, 0x01, 22, sip + cut, strlen(sip) - cut);
	p = sctp_pkt(&b, 3);
	assert_int_equal(sc_sctp_add(s, &p, sink, &g), SC_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(sc_sctp_stats(s)->dropped, 1);
	sc_sctp_free(s);
}

static void
test_sctp_damaged_and_prefixes(void **state)
{
	struct sc_sctp *s = sc_sctp_new();
	struct buf b;
	struct got g = { 0 };
	struct sc_pkt p;

	(void)state;
	common_header(&b);
	data_chunk(&b, false, 0x03, 1, sip, strlen(sip));
	for (size_t n = 0; n <= b.len; n++) {
		struct buf cut = b;

		cut.len = n;
		p = sctp_pkt(&cut, n);
		g.n = 0;
		assert_int_equal(sc_sctp_add(s, &p, sink, &g), SC_OK);
		assert_true(g.n <= 1);
	}
	assert_true(sc_sctp_stats(s)->malformed > 0);
	/* a chunk length below its header */
	b.b[12 + 3] = 2;
	p = sctp_pkt(&b, 99);
	g.n = 0;
	assert_int_equal(sc_sctp_add(s, &p, sink, &g), SC_OK);
	assert_int_equal(g.n, 0);
	sc_sctp_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hep3),
		cmocka_unit_test(test_hep3_prefixes),
		cmocka_unit_test(test_hep3_damaged),
		cmocka_unit_test(test_hep2),
		cmocka_unit_test(test_sctp_whole_and_idata),
		cmocka_unit_test(test_sctp_fragments),
		cmocka_unit_test(test_sctp_damaged_and_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
