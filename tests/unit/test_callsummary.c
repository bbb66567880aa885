/* test_callsummary.c - what a summarised call keeps for reports and
 * filters: both ends' software, the methods seen, the first hops, and
 * Call-IDs compared by length (a NUL byte inside one); and live timers
 * that decide only what a file of the same packets shows */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "callfeed.h"

#define UA_HDRS(branch, cseq, method, from, to, agent)                 \
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" branch "\n"            \
	"From: <sip:alice@example.com>" from "\n"                        \
	"To: <sip:bob@example.com>" to "\n"                              \
	"Call-ID: agents-1\n"                                            \
	"CSeq: " cseq " " method "\n"                                    \
	agent                                                            \
	"Content-Length: 0\n\n"

/*
 * Caller agent: the User-Agent of the INVITE (From tag a1). Callee agent:
 * the Server of the far end's 200, relayed by proxy P unchanged; not the
 * proxy's own 407 nor its 100 Trying (no To tag). A BYE from the callee
 * carries its User-Agent, which must not replace the caller's.
 */
static void
test_agents_and_methods(void **state)
{
	struct fixture *f = *state;
	struct sc_call *c;

	feed(f, A, P, 0, "INVITE sip:bob@example.com SIP/2.0\n"
	     UA_HDRS("z9hG4bK1", "1", "INVITE", ";tag=a1", "",
		     "User-Agent: PhoneA/1.0\n"));
	feed(f, P, A, 5, "SIP/2.0 407 Proxy Authentication Required\n"
	     UA_HDRS("z9hG4bK1", "1", "INVITE", ";tag=a1", ";tag=p1",
		     "Server: ProxyP/2\n"));
	feed(f, A, P, 10, "ACK sip:bob@example.com SIP/2.0\n"
	     UA_HDRS("z9hG4bK1", "1", "ACK", ";tag=a1", ";tag=p1",
		     "User-Agent: PhoneA/1.0\n"));
	feed(f, A, P, 20, "INVITE sip:bob@example.com SIP/2.0\n"
	     UA_HDRS("z9hG4bK2", "2", "INVITE", ";tag=a1", "",
		     "User-Agent: PhoneA/1.0\n"));
	feed(f, P, A, 25, "SIP/2.0 100 Trying\n"
	     UA_HDRS("z9hG4bK2", "2", "INVITE", ";tag=a1", "",
		     "Server: ProxyP/2\n"));
	feed(f, P, A, 900, "SIP/2.0 200 OK\n"
	     UA_HDRS("z9hG4bK2", "2", "INVITE", ";tag=a1", ";tag=b1",
		     "Server: PhoneB/7\n"));
	feed(f, A, P, 950, "ACK sip:bob@example.com SIP/2.0\n"
	     UA_HDRS("z9hG4bK3", "2", "ACK", ";tag=a1", ";tag=b1",
		     "User-Agent: PhoneA/1.0\n"));
	feed(f, P, A, 5000, "BYE sip:alice@example.com SIP/2.0\n"
	     UA_HDRS("z9hG4bK4", "1", "BYE", ";tag=b1", ";tag=a1",
		     "User-Agent: PhoneB-ua/7\n"));
	c = finish(f, 6000);
	assert_string_equal(c->caller_agent, "PhoneA/1.0");
	assert_string_equal(c->callee_agent, "PhoneB/7");
	assert_true(sc_call_has_method(c, SC_METHOD_INVITE));
	assert_true(sc_call_has_method(c, SC_METHOD_ACK));
	assert_true(sc_call_has_method(c, SC_METHOD_BYE));
	assert_false(sc_call_has_method(c, SC_METHOD_CANCEL));
	assert_false(sc_call_has_method(c, SC_METHOD_OPTIONS));
	assert_int_equal(c->nhops, 2);   /* A->P and P->A */

	sc_call_summarise(c);
	assert_true(c->summarised);
	assert_null(c->msgs);
	assert_string_equal(c->caller_agent, "PhoneA/1.0");
	assert_string_equal(c->callee_agent, "PhoneB/7");
	assert_string_equal(c->call_id, "agents-1");
	assert_int_equal(c->call_id_len, 8);
	assert_int_equal(c->methods, (1u << SC_METHOD_INVITE) |
				     (1u << SC_METHOD_ACK) |
				     (1u << SC_METHOD_BYE));
	assert_int_equal(c->nhops, 2);
	assert_non_null(c->hops);
	assert_int_equal(c->hops[0].src.addr.bytes[3], A);
	assert_int_equal(c->hops[0].dst.addr.bytes[3], P);
}

/* 20 OPTIONS pings from 20 hosts: the summary keeps the first 16 hops. */
static void
test_summary_hops_bounded(void **state)
{
	struct fixture *f = *state;
	struct sc_call *c;

	for (int i = 0; i < 20; i++)
		feed(f, (enum host)(10 + i), B, i,
		     "OPTIONS sip:bob@example.com SIP/2.0\n"
		     UA_HDRS("z9hG4bKo", "1", "OPTIONS", ";tag=a1", "", ""));
	c = finish(f, 1000);
	assert_int_equal(c->nhops, 20);
	assert_null(c->caller_agent);
	sc_call_summarise(c);
	assert_int_equal(c->nhops, SC_CALL_SUMMARY_HOPS);
	for (uint32_t i = 0; i < c->nhops; i++)
		assert_int_equal(c->hops[i].src.addr.bytes[3], 10 + i);
}

/* Parse @len bytes of @text (CRLF already) from A to B and file them. */
static void
feed_bytes(struct fixture *f, int64_t ms, const char *text, size_t len)
{
	struct sc_rawmsg raw;
	struct sc_msg *m = NULL;

	memset(&raw, 0, sizeof(raw));
	raw.data = (const uint8_t *)text;
	raw.len = len;
	raw.ts_ns = T0 + ms * MS;
	raw.frame = ++f->frame;
	raw.frames = &raw.frame;
	raw.nframes = 1;
	callfeed_endpoint(&raw.src, A);
	callfeed_endpoint(&raw.dst, B);
	assert_int_equal(sc_sipmsg_parse(f->parser, &raw, &m), SC_OK);
	assert_int_equal(sc_calltab_add(f->tab, m), SC_OK);
}

#define NUL_INVITE(tail)                                                 \
	"INVITE sip:bob@example.com SIP/2.0\r\n"                         \
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK" tail "\r\n"     \
	"From: <sip:alice@example.com>;tag=a1\r\n"                       \
	"To: <sip:bob@example.com>\r\n"                                  \
	"Call-ID: same\0" tail "\r\n"                                    \
	"CSeq: 1 INVITE\r\n"                                             \
	"Content-Length: 0\r\n\r\n"

/* #14 defect 8: Call-IDs equal up to a NUL byte are two calls. */
static void
test_call_id_nul_distinct(void **state)
{
	struct fixture *f = *state;
	static const char one[] = NUL_INVITE("x1");
	static const char two[] = NUL_INVITE("y2");

	feed_bytes(f, 0, one, sizeof(one) - 1);
	feed_bytes(f, 10, two, sizeof(two) - 1);
	feed_bytes(f, 20, one, sizeof(one) - 1);   /* a retransmission */
	assert_int_equal(sc_calltab_count(f->tab), 2);
	sc_calltab_flush(f->tab, T0 + 1000 * MS, collect, f);
	assert_int_equal(f->ndone, 2);
	for (size_t i = 0; i < 2; i++) {
		struct sc_call *c = f->done[i];

		assert_int_equal(c->call_id_len, 7);
		assert_memory_equal(c->call_id, "same\0", 5);
		sc_call_summarise(c);
		assert_int_equal(c->call_id_len, 7);
		assert_memory_equal(c->call_id, "same\0", 5);
	}
	assert_memory_not_equal(f->done[0]->call_id + 5,
				f->done[1]->call_id + 5, 2);
	assert_int_equal(f->done[0]->msg_count + f->done[1]->msg_count, 3);
}

/*
 * One INVITE over TCP (no Timer A retransmissions), nothing after it.
 * Live ticks past Timer B (32 s) prove nothing its -w file keeps: the
 * call stays open, and the stop settles it as in progress, as offline
 * analysis of a file ending at the INVITE does. A packet 33 s later
 * (any packet) shows Timer B ran out: then it is a timeout.
 */
static void
test_prompt_timer_needs_packets(void **state)
{
	struct fixture *f = *state;
	struct sc_calltab_opts opts = { 0 };

	sc_calltab_free(f->tab);
	opts.decided = collect;
	opts.decided_ctx = f;
	f->tab = sc_calltab_new(&opts);
	feed(f, A, B, 0, INVITE("z9hG4bKt", "1"));
	sc_calltab_expire(f->tab, T0 + 40000 * MS, collect, f);
	assert_int_equal(f->ndone, 0);
	sc_calltab_flush(f->tab, T0, collect, f);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->done[0]->state, SC_CALL_IN_PROGRESS);

	feed(f, A, B, 100000, INVITE("z9hG4bKu", "1"));
	sc_calltab_note_packet(f->tab, T0 + 133000 * MS);
	sc_calltab_expire(f->tab, T0 + 133000 * MS, collect, f);
	assert_int_equal(f->ndone, 2);
	assert_int_equal(f->done[1]->state, SC_CALL_TIMEOUT);
}

/* Three sends without an answer: a live tick at Timer B decides it, and
 * a file ending after the third send shows the same (timeout). */
static void
test_prompt_timer_after_retransmissions(void **state)
{
	struct fixture *f = *state;
	struct sc_calltab_opts opts = { 0 };

	sc_calltab_free(f->tab);
	opts.decided = collect;
	opts.decided_ctx = f;
	f->tab = sc_calltab_new(&opts);
	feed(f, A, B, 0, INVITE("z9hG4bKt", "1"));
	feed(f, A, B, 500, INVITE("z9hG4bKt", "1"));
	feed(f, A, B, 1500, INVITE("z9hG4bKt", "1"));
	sc_calltab_expire(f->tab, T0 + 20000 * MS, collect, f);
	assert_int_equal(f->ndone, 0);
	sc_calltab_expire(f->tab, T0 + 32500 * MS, collect, f);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->done[0]->state, SC_CALL_TIMEOUT);
}

/* Offline, the same three sends and a file ending at the third. */
static void
test_file_end_after_retransmissions(void **state)
{
	struct fixture *f = *state;
	struct sc_call *c;

	feed(f, A, B, 0, INVITE("z9hG4bKt", "1"));
	feed(f, A, B, 500, INVITE("z9hG4bKt", "1"));
	feed(f, A, B, 1500, INVITE("z9hG4bKt", "1"));
	c = finish(f, 1500);
	assert_int_equal(c->state, SC_CALL_TIMEOUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_agents_and_methods,
						callfeed_setup,
						callfeed_teardown),
		cmocka_unit_test_setup_teardown(test_summary_hops_bounded,
						callfeed_setup,
						callfeed_teardown),
		cmocka_unit_test_setup_teardown(test_call_id_nul_distinct,
						callfeed_setup,
						callfeed_teardown),
		cmocka_unit_test_setup_teardown(test_prompt_timer_needs_packets,
						callfeed_setup,
						callfeed_teardown),
		cmocka_unit_test_setup_teardown(
			test_prompt_timer_after_retransmissions,
			callfeed_setup, callfeed_teardown),
		cmocka_unit_test_setup_teardown(
			test_file_end_after_retransmissions,
			callfeed_setup, callfeed_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
