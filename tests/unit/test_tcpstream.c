/* test_tcpstream.c - TCP reassembly and SIP framing on streams */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/frame/tls_detect.h"
#include "sipcause/reassembly/tcpstream.h"

#define MS INT64_C(1000000)

static const char msg1[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
			   "Call-ID: one\r\n"
			   "CSeq: 1 INVITE\r\n"
			   "Content-Length: 10\r\n"
			   "\r\n"
			   "0123456789";
static const char msg2[] = "SIP/2.0 100 Trying\r\n"
			   "Call-ID: one\r\n"
			   "CSeq: 1 INVITE\r\n"
			   "Content-Length: 0\r\n"
			   "\r\n";
static const char msg3[] = "SIP/2.0 180 Ringing\r\n"
			   "Call-ID: one\r\n"
			   "CSeq: 1 INVITE\r\n"
			   "l: 0\r\n"
			   "\r\n";

struct got {
	size_t n;
	char text[8][512];
	size_t len[8];
	uint64_t frames[8][8];
	size_t nframes[8];
	uint64_t frame[8];
	unsigned flags[8];
	enum sc_transport transport[8];
};

static void
sink(void *ctx, const struct sc_rawmsg *m)
{
	struct got *g = ctx;

	assert_true(g->n < 8);
	assert_true(m->len < sizeof(g->text[0]));
	memcpy(g->text[g->n], m->data, m->len);
	g->text[g->n][m->len] = 0;
	g->len[g->n] = m->len;
	g->nframes[g->n] = m->nframes < 8 ? m->nframes : 8;
	memcpy(g->frames[g->n], m->frames, g->nframes[g->n] * sizeof(uint64_t));
	g->frame[g->n] = m->frame;
	g->flags[g->n] = m->flags;
	g->transport[g->n] = m->transport;
	g->n++;
}

static struct sc_pkt
seg(uint32_t seq, const void *data, size_t len, uint8_t flags, uint64_t frame)
{
	struct sc_pkt p;
	uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };

	memset(&p, 0, sizeof(p));
	sc_addr_set4(&p.src.addr, a);
	sc_addr_set4(&p.dst.addr, b);
	p.src.port = 40000;
	p.dst.port = 5060;
	p.ipproto = SC_IPPROTO_TCP;
	p.tcp_seq = seq;
	p.tcp_flags = flags;
	p.payload = data;
	p.len = len;
	p.wire_len = len;
	p.frame = frame;
	p.ts_ns = (int64_t)frame * MS;
	return p;
}

static void
add(struct sc_tcp *t, struct sc_pkt p, struct got *g)
{
	assert_int_equal(sc_tcp_add(t, &p, sink, g), SC_OK);
}

static void
test_several_per_segment(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%s%s%s", msg1, msg2, msg3);

	(void)state;
	add(t, seg(999, NULL, 0, SC_TCP_SYN, 1), &g);
	add(t, seg(1000, buf, (size_t)n, SC_TCP_ACK, 2), &g);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.text[0], msg1);
	assert_string_equal(g.text[1], msg2);
	assert_string_equal(g.text[2], msg3);
	assert_int_equal(g.frame[2], 2);
	assert_int_equal(g.transport[0], SC_TRANSPORT_TCP);
	sc_tcp_free(t);
}

static void
test_one_over_many_segments(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };
	size_t len = strlen(msg1);

	(void)state;
	add(t, seg(0, msg1, 20, 0, 10), &g);
	add(t, seg(20, msg1 + 20, 30, 0, 11), &g);
	assert_int_equal(g.n, 0);
	add(t, seg(50, msg1 + 50, len - 50, 0, 12), &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.text[0], msg1);
	assert_int_equal(g.nframes[0], 3);
	assert_int_equal(g.frames[0][0], 10);
	assert_int_equal(g.frames[0][2], 12);
	assert_int_equal(g.frame[0], 12);
	sc_tcp_free(t);
}

static void
test_reversed_duplicated_overlapping(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };
	size_t len = strlen(msg1);

	(void)state;
	add(t, seg(99, NULL, 0, SC_TCP_SYN, 1), &g);
	add(t, seg(160, msg1 + 60, len - 60, 0, 2), &g);  /* ahead */
	add(t, seg(130, msg1 + 30, 40, 0, 3), &g);        /* ahead, overlaps */
	add(t, seg(100, msg1, 40, 0, 4), &g);             /* fills the hole */
	assert_int_equal(g.n, 1);
	assert_string_equal(g.text[0], msg1);
	add(t, seg(100, msg1, 40, 0, 5), &g);             /* retransmission */
	assert_int_equal(g.n, 1);
	assert_true(sc_tcp_stats(t)->out_of_order >= 2);
	assert_true(sc_tcp_stats(t)->retransmitted >= 1);
	sc_tcp_free(t);
}

static void
test_sequence_wraps(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };
	uint32_t start = UINT32_MAX - 9;

	(void)state;
	add(t, seg(start, msg2, 20, 0, 1), &g);
	add(t, seg(start + 20, msg2 + 20, strlen(msg2) - 20, 0, 2), &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.text[0], msg2);
	sc_tcp_free(t);
}

/* A segment exactly 2^31 behind: no overflow, taken as old data. */
static void
test_half_space_apart(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };

	(void)state;
	add(t, seg(0x80000000u, msg2, strlen(msg2), 0, 1), &g);
	/* next expected is 2^31 + len: this one is exactly 2^31 behind */
	add(t, seg((uint32_t)strlen(msg2), msg2, strlen(msg2), 0, 2), &g);
	add(t, seg(0x80000000u + (uint32_t)strlen(msg2), msg3, strlen(msg3),
		   0, 3),
	    &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.text[1], msg3);
	sc_tcp_free(t);
}

static void
test_mid_stream_join(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };
	char buf[1024];
	/* the capture starts inside msg1's body */
	int n = snprintf(buf, sizeof(buf), "456789%s", msg2);

	(void)state;
	add(t, seg(5000, buf, (size_t)n, 0, 1), &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.text[0], msg2);
	assert_int_equal(sc_tcp_stats(t)->resyncs, 1);
	sc_tcp_free(t);
}

static void
test_keepalives_and_no_clen(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };
	static const char noclen[] = "SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n";
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "\r\n\r\n%s\r\n%s", noclen, msg3);

	(void)state;
	add(t, seg(1, buf, (size_t)n, 0, 1), &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.text[0], noclen);
	assert_true(g.flags[0] & SC_RAW_NO_CLEN);
	assert_string_equal(g.text[1], msg3);
	sc_tcp_free(t);
}

static void
test_hole_is_loss(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };
	size_t len1 = strlen(msg1);

	(void)state;
	/* msg1 loses its last 5 bytes to capture loss; msg2 follows */
	add(t, seg(0, msg1, len1 - 5, 0, 1), &g);
	add(t, seg((uint32_t)len1, msg2, strlen(msg2), 0, 2), &g);
	assert_int_equal(g.n, 0);
	/* three seconds later the hole is given up */
	add(t, seg((uint32_t)(len1 + strlen(msg2)), msg3, strlen(msg3), 0,
		   3000),
	    &g);
	assert_int_equal(g.n, 3);
	assert_true(g.flags[0] & SC_RAW_TRUNCATED);
	assert_int_equal(g.len[0], len1 - 5);
	assert_string_equal(g.text[1], msg2);
	assert_string_equal(g.text[2], msg3);
	assert_int_equal(sc_tcp_stats(t)->gaps, 1);
	assert_int_equal(sc_tcp_stats(t)->gap_bytes, 5);
	sc_tcp_free(t);
}

static void
test_fin_flushes_partial(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };

	(void)state;
	add(t, seg(0, msg1, 60, 0, 1), &g);
	add(t, seg(60, NULL, 0, SC_TCP_FIN, 2), &g);
	assert_int_equal(g.n, 1);
	assert_true(g.flags[0] & SC_RAW_TRUNCATED);
	assert_int_equal(g.len[0], 60);
	sc_tcp_free(t);
}

static void
test_flush_at_end(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };

	(void)state;
	add(t, seg(0, msg2, strlen(msg2) - 3, 0, 1), &g);
	sc_tcp_flush(t, sink, &g);
	assert_int_equal(g.n, 1);
	assert_true(g.flags[0] & SC_RAW_TRUNCATED);
	sc_tcp_free(t);
}

/* A SYN-only flow from 10.0.0.1:@sport at @frame. */
static struct sc_pkt
syn_from(uint16_t sport, uint64_t frame)
{
	struct sc_pkt p = seg(1, NULL, 0, SC_TCP_SYN, frame);

	p.src.port = sport;
	return p;
}

/* The flow cap evicts the least recently used flow, in O(1). */
static void
test_flow_cap_evicts_least_recent(void **state)
{
	struct sc_tcp_limits lim = { .max_flows = 3 };
	struct sc_tcp *t = sc_tcp_new(&lim);
	struct got g = { 0 };
	struct sc_pkt p;

	(void)state;
	add(t, syn_from(1, 1), &g);
	add(t, syn_from(2, 2), &g);
	add(t, syn_from(3, 3), &g);
	/* flow 1 comes back with a partial message: now the most recent */
	p = seg(2, msg1, 60, SC_TCP_ACK, 4);
	p.src.port = 1;
	add(t, p, &g);
	add(t, syn_from(4, 5), &g);         /* evicts flow 2 */
	add(t, syn_from(5, 6), &g);         /* evicts flow 3 */
	assert_int_equal(sc_tcp_stats(t)->evicted, 2);
	assert_int_equal(g.n, 0);
	add(t, syn_from(6, 7), &g);         /* evicts flow 1: emitted */
	assert_int_equal(sc_tcp_stats(t)->evicted, 3);
	assert_int_equal(g.n, 1);
	assert_true(g.flags[0] & SC_RAW_TRUNCATED);
	assert_int_equal(g.len[0], 60);
	assert_int_equal(sc_tcp_stats(t)->flows, 6);
	sc_tcp_free(t);
}

/* 200,000 flows through a cap of 1,000: each eviction is O(1). */
static void
test_syn_flood(void **state)
{
	struct sc_tcp_limits lim = { .max_flows = 1000 };
	struct sc_tcp *t = sc_tcp_new(&lim);
	struct got g = { 0 };

	(void)state;
	for (uint32_t i = 0; i < 200000; i++) {
		struct sc_pkt p = syn_from((uint16_t)i, i + 1);

		p.src.addr.bytes[2] = (uint8_t)(i >> 16);
		add(t, p, &g);
	}
	assert_int_equal(sc_tcp_stats(t)->flows, 200000);
	assert_int_equal(sc_tcp_stats(t)->evicted, 199000);
	sc_tcp_free(t);
}

/* Idle flows expire oldest first; FIN removes a flow in place. */
static void
test_idle_expiry_and_fin(void **state)
{
	struct sc_tcp_limits lim = { .idle_ns = 10 * MS };
	struct sc_tcp *t = sc_tcp_new(&lim);
	struct got g = { 0 };
	struct sc_pkt p;

	(void)state;
	p = seg(2, msg2, 25, SC_TCP_ACK, 1);
	p.src.port = 1;
	add(t, p, &g);
	add(t, syn_from(2, 2), &g);
	p = seg(1, NULL, 0, SC_TCP_FIN, 3);
	p.src.port = 2;
	add(t, p, &g);
	add(t, syn_from(3, 1500), &g);
	/* at 1.505 s flow 1 (last seen at 1 ms) is idle, flow 3 is not */
	sc_tcp_expire(t, 1505 * MS, sink, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len[0], 25);
	sc_tcp_flush(t, sink, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(sc_tcp_stats(t)->flows, 3);
	assert_int_equal(sc_tcp_stats(t)->evicted, 0);
	sc_tcp_free(t);
}

static void
test_tls_counted(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };
	uint8_t rec[64] = { 0x16, 0x03, 0x01, 0x00, 0x10 };
	struct sc_pkt p = seg(0, rec, 21, 0, 1);

	(void)state;
	p.dst.port = 5061;
	add(t, p, &g);
	p = seg(21, rec, 21, 0, 2);
	p.dst.port = 5061;
	add(t, p, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(sc_tcp_stats(t)->tls_flows, 1);
	assert_int_equal(sc_tcp_stats(t)->tls_flows_5061, 1);
	assert_int_equal(sc_tcp_stats(t)->tls_records, 2);
	assert_true(sc_tls_is_record(rec, 5));
	assert_false(sc_tls_is_record((const uint8_t *)"INVITE", 6));
	sc_tcp_free(t);
}

/* A WebSocket upgrade, then SIP in a masked text frame. */
static void
test_websocket(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };
	static const char hs[] = "GET /sip HTTP/1.1\r\nHost: x\r\n"
				 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
				 "Sec-WebSocket-Protocol: sip\r\n\r\n";
	uint8_t frame[600];
	uint8_t key[4] = { 0x11, 0x22, 0x33, 0x44 };
	size_t len = strlen(msg2), n = 0;

	(void)state;
	frame[n++] = 0x81;                  /* FIN, text */
	frame[n++] = 0x80 | 126;            /* masked, 16-bit length */
	frame[n++] = (uint8_t)(len >> 8);
	frame[n++] = (uint8_t)len;
	memcpy(frame + n, key, 4);
	n += 4;
	for (size_t i = 0; i < len; i++)
		frame[n++] = (uint8_t)msg2[i] ^ key[i & 3];
	add(t, seg(0, hs, strlen(hs), 0, 1), &g);
	add(t, seg((uint32_t)strlen(hs), frame, 10, 0, 2), &g);
	add(t, seg((uint32_t)(strlen(hs) + 10), frame + 10, n - 10, 0, 3), &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.text[0], msg2);
	assert_int_equal(g.transport[0], SC_TRANSPORT_WS);
	assert_int_equal(g.nframes[0], 2);
	assert_int_equal(sc_tcp_stats(t)->ws_flows, 1);
	sc_tcp_free(t);
}

static void
test_not_sip_given_up(void **state)
{
	struct sc_tcp *t = sc_tcp_new(NULL);
	struct got g = { 0 };
	static uint8_t junk[20000];

	(void)state;
	memset(junk, 'x', sizeof(junk));
	add(t, seg(0, junk, sizeof(junk), 0, 1), &g);
	add(t, seg(sizeof(junk), junk, sizeof(junk), 0, 2), &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(sc_tcp_stats(t)->non_sip_flows, 1);
	sc_tcp_free(t);
}

/* Split three messages at every byte position into two segments,
 * delivered in both orders. */
static void
test_every_split(void **state)
{
	char buf[1024];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%s%s%s", msg1, msg2,
				    msg3);

	(void)state;
	for (size_t cut = 1; cut < n; cut++) {
		for (int rev = 0; rev < 2; rev++) {
			struct sc_tcp *t = sc_tcp_new(NULL);
			struct got g = { 0 };
			struct sc_pkt a = seg(7, buf, cut, 0, 1);
			struct sc_pkt b = seg((uint32_t)(7 + cut), buf + cut,
					      n - cut, 0, 2);

			add(t, seg(6, NULL, 0, SC_TCP_SYN, 0), &g);
			add(t, rev ? b : a, &g);
			add(t, rev ? a : b, &g);
			assert_int_equal(g.n, 3);
			assert_string_equal(g.text[0], msg1);
			assert_string_equal(g.text[1], msg2);
			assert_string_equal(g.text[2], msg3);
			sc_tcp_free(t);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_several_per_segment),
		cmocka_unit_test(test_one_over_many_segments),
		cmocka_unit_test(test_reversed_duplicated_overlapping),
		cmocka_unit_test(test_sequence_wraps),
		cmocka_unit_test(test_half_space_apart),
		cmocka_unit_test(test_mid_stream_join),
		cmocka_unit_test(test_keepalives_and_no_clen),
		cmocka_unit_test(test_hole_is_loss),
		cmocka_unit_test(test_fin_flushes_partial),
		cmocka_unit_test(test_flush_at_end),
		cmocka_unit_test(test_tls_counted),
		cmocka_unit_test(test_websocket),
		cmocka_unit_test(test_not_sip_given_up),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_flow_cap_evicts_least_recent),
		cmocka_unit_test(test_syn_flood),
		cmocka_unit_test(test_idle_expiry_and_fin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
