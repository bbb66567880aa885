/* test_classify.c - every diagnosis rule, from calls built in memory
 *
 * Each test plays a short exchange through the real parser and call
 * table, classifies the call and checks the rule that fired, the
 * category, and the evidence quoted from the messages.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callfeed.h"
#include "src/diagnosis/classify_impl.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/diagnosis/evidence.h"
#include "sipcause/pipeline/filter.h"

/* Hand call @c of the fixture to diagnosis; the fixture frees the
 * record. */
static struct sc_diagnosis *
diagnose(struct fixture *f, struct sc_call *c)
{
	struct sc_classify_env env = {
		.registration =
		        (const struct sc_registration *(*)(const void *,
		                                           const char *))
		                sc_calltab_registration,
		.ctx = f->tab,
	};
	struct sc_diagnosis *d = NULL;

	for (size_t i = 0; i < f->ndone; i++)
		if (f->done[i] == c)
			f->done[i] = NULL;
	assert_int_equal(sc_diagnose(c, &env, &d), SC_OK);
	assert_non_null(d);
	assert_ptr_equal(d->call, c);
	f->diagnosed[f->ndiagnosed++] = d;
	return d;
}

/* Diagnose the only call and return its record. */
static struct sc_diagnosis *
classified(struct fixture *f, int64_t end_ms)
{
	return diagnose(f, finish(f, end_ms));
}

/* The annotation of the first response with status @code. */
static const struct sc_explain *
ann(const struct sc_diagnosis *d, int code)
{
	static const struct sc_explain none;
	const struct sc_call *c = d->call;

	for (size_t i = 0; i < c->nmsgs; i++)
		if (!c->msgs[i].msg->is_request &&
		    c->msgs[i].msg->status == code) {
			assert_non_null(sc_diagnosis_note(d, i));
			return sc_diagnosis_note(d, i);
		}
	fail_msg("no %d in the call", code);
	return &none;
}

/* True when some evidence line contains @needle. */
static bool
cites(const struct sc_explain *e, const char *needle)
{
	for (size_t i = 0; i < e->nevidence; i++)
		if (strstr(e->evidence[i], needle))
			return true;
	return false;
}

static bool
has_finding(const struct sc_diagnosis *c, const char *rule)
{
	for (size_t i = 0; i < c->nfindings; i++)
		if (strcmp(c->findings[i].rule, rule) == 0)
			return true;
	return false;
}

static void
expect_verdict(const struct sc_diagnosis *c, const char *rule,
               enum sc_category cat)
{
	assert_non_null(c->verdict.rule);
	assert_string_equal(c->verdict.rule, rule);
	assert_int_equal(c->verdict.cat, cat);
	assert_non_null(c->verdict.outcome);
	assert_non_null(c->verdict.cause);
}

#define AUTHZ(hdr)                                                 \
	hdr ": Digest username=\"alice\", realm=\"example.com\", " \
	    "nonce=\"n\", uri=\"sip:bob@example.com\", response=\"00\"\n"

static void
test_auth_challenge(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, P, 0, INVITE("z9hG4bKa", "1"));
	feed(f, P, A, 5,
	     "SIP/2.0 407 Proxy Authentication Required\n"
	     "Proxy-Authenticate: Digest realm=\"example.com\", "
	     "nonce=\"n\"\n" HDRS("z9hG4bKa", "1", "INVITE", ";tag=p"));
	feed(f, A, P, 10, REQ("ACK", "z9hG4bKa", "1", ";tag=p"));
	feed(f, A, P, 20,
	     "INVITE sip:bob@example.com SIP/2.0\n" AUTHZ("Proxy-Authorization")
	             HDRS("z9hG4bKb", "2", "INVITE", ""));
	feed(f, P, A, 900, RESP("200 OK", "z9hG4bKb", "2", "INVITE", ";tag=b"));
	feed(f, A, P, 910, REQ("ACK", "z9hG4bKc", "2", ";tag=b"));
	c = classified(f, 1000);
	assert_string_equal(ann(c, 407)->rule, "auth.challenge");
	assert_true(cites(ann(c, 407), "example.com"));
	expect_verdict(c, "ok.answered", SC_CAT_OK);
	assert_true(has_finding(c, "auth.challenge"));
}

static void
test_auth_rejected(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, P, 0, REQ("REGISTER", "z9hG4bK1", "1", ""));
	feed(f, P, A, 5,
	     RESP("401 Unauthorized", "z9hG4bK1", "1", "REGISTER", ";tag=r"));
	feed(f, A, P, 10,
	     "REGISTER sip:bob@example.com SIP/2.0\n" AUTHZ("Authorization")
	             HDRS("z9hG4bK2", "2", "REGISTER", ""));
	feed(f, P, A, 15,
	     RESP("403 Forbidden", "z9hG4bK2", "2", "REGISTER", ";tag=r"));
	c = classified(f, 100);
	assert_string_equal(ann(c, 401)->rule, "auth.challenge");
	expect_verdict(c, "auth.rejected", SC_CAT_AUTH);
	assert_true(cites(&c->verdict, "alice"));
	assert_true(cites(&c->verdict, "example.com"));
}

static void
test_no_response(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	for (int i = 0, t = 0; i < 7; i++, t = t * 2 + 500)
		feed(f, A, B, t, INVITE("z9hG4bKt", "1"));
	c = classified(f, 64000);
	expect_verdict(c, "timeout.no-provisional", SC_CAT_TIMEOUT);
	assert_true(cites(&c->verdict, "sent 7 times"));
	assert_true(cites(&c->verdict, "192.0.2.3:5060"));
	assert_int_equal(c->verdict.code, 0);
}

static void
test_icmp_unreachable(void **state)
{
	struct fixture *f = *state;
	struct sc_call_event ev = { 0 };
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKt", "1"));
	ev.frame = 2;
	ev.ts_ns = T0 + MS;
	ev.icmp_version = 4;
	ev.type = 3;
	ev.code = 3;
	ev.text = strdup("port unreachable");
	callfeed_endpoint((struct sc_endpoint *)&ev.from, B);
	sc_calltab_attach_event(f->tab, "call-1@192.0.2.1", &ev);
	c = classified(f, 64000);
	expect_verdict(c, "icmp.unreachable", SC_CAT_TIMEOUT);
	assert_true(cites(&c->verdict, "port unreachable"));
}

static void
test_no_answer(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKn", "1"));
	feed(f, B, A, 100,
	     RESP("180 Ringing", "z9hG4bKn", "1", "INVITE", ";tag=b"));
	feed(f, B, A, 30100,
	     RESP("408 Request Timeout", "z9hG4bKn", "1", "INVITE", ";tag=b"));
	c = classified(f, 31000);
	expect_verdict(c, "timeout.no-answer", SC_CAT_TIMEOUT);
	assert_true(cites(&c->verdict, "rang for 30.0 s"));
}

static void
test_cancel_caller(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKc", "1"));
	feed(f, B, A, 100,
	     RESP("180 Ringing", "z9hG4bKc", "1", "INVITE", ";tag=b"));
	feed(f, A, B, 4100, REQ("CANCEL", "z9hG4bKc", "1", ""));
	feed(f, B, A, 4110,
	     RESP("200 OK", "z9hG4bKc", "1", "CANCEL", ";tag=b"));
	feed(f, B, A, 4120,
	     RESP("487 Request Terminated", "z9hG4bKc", "1", "INVITE",
	          ";tag=b"));
	c = classified(f, 5000);
	expect_verdict(c, "cancel.caller-hangup", SC_CAT_CANCELLED);
	assert_true(cites(&c->verdict, "4.0 s of ringing"));
}

static void
test_cancel_upstream(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKc", "1"));
	feed(f, B, A, 4120,
	     RESP("487 Request Terminated", "z9hG4bKc", "1", "INVITE",
	          ";tag=b"));
	c = classified(f, 5000);
	expect_verdict(c, "cancel.upstream", SC_CAT_CANCELLED);
}

static void
test_media(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;
	static const char offer[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
	                            "c=IN IP4 192.0.2.1\r\nt=0 0\r\n"
	                            "m=audio 4000 RTP/AVP 18 9\r\n";
	char invite[1024];

	snprintf(invite, sizeof(invite),
	         "INVITE sip:bob@example.com SIP/2.0\n"
	         "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKm\n"
	         "From: <sip:alice@example.com>;tag=a1\n"
	         "To: <sip:bob@example.com>\n"
	         "Call-ID: call-1@192.0.2.1\n"
	         "CSeq: 1 INVITE\n"
	         "Content-Type: application/sdp\n"
	         "Content-Length: %zu\n\n%s",
	         strlen(offer), offer);
	/* feed() turns \n into \r\n: strip the offer's own \r first */
	for (char *p = invite; (p = strstr(p, "\r\n")) != NULL;)
		memmove(p, p + 1, strlen(p));
	feed(f, A, B, 0, invite);
	feed(f, B, A, 10,
	     "SIP/2.0 488 Not Acceptable Here\n"
	     "Warning: 305 192.0.2.3 \"Incompatible media format\"\n"
	     "Accept: application/sdp\n" HDRS("z9hG4bKm", "1", "INVITE",
	                                      ";tag=b"));
	c = classified(f, 100);
	expect_verdict(c, "media.no-common-codec", SC_CAT_MEDIA);
	assert_true(cites(&c->verdict, "G729"));
	assert_true(cites(&c->verdict, "305"));
}

static void
test_overload_retry_after(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKo", "1"));
	feed(f, B, A, 10,
	     "SIP/2.0 503 Service Unavailable\nRetry-After: 120\n" HDRS(
	             "z9hG4bKo", "1", "INVITE", ";tag=b"));
	c = classified(f, 100);
	expect_verdict(c, "overload.retry-after", SC_CAT_OVERLOAD);
	assert_true(cites(&c->verdict, "120"));
}

static void
test_trunk_access(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	/* from the customer's side to a public carrier address */
	feed(f, A, PUB, 0, INVITE("z9hG4bKk", "1"));
	feed(f, PUB, A, 30,
	     RESP("403 Forbidden", "z9hG4bKk", "1", "INVITE", ";tag=c"));
	c = classified(f, 100);
	expect_verdict(c, "trunk.access", SC_CAT_FORBIDDEN);
	assert_true(cites(&c->verdict, "203.0.113.200"));
	assert_non_null(strstr(c->verdict.cause, "allow-list"));
}

static void
test_loops(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0,
	     "INVITE sip:bob@example.com SIP/2.0\nMax-Forwards: 3\n" HDRS(
	             "z9hG4bKl", "1", "INVITE", ""));
	feed(f, B, A, 10,
	     RESP("483 Too Many Hops", "z9hG4bKl", "1", "INVITE", ";tag=b"));
	c = classified(f, 100);
	expect_verdict(c, "loop.max-forwards", SC_CAT_LOOP);
	assert_true(cites(&c->verdict, "Max-Forwards 3"));
}

static void
test_loop_detected(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKl", "1"));
	feed(f, B, A, 10,
	     RESP("482 Loop Detected", "z9hG4bKl", "1", "INVITE", ";tag=b"));
	c = classified(f, 100);
	expect_verdict(c, "loop.detected", SC_CAT_LOOP);
	/* one Via each way: counted in the singular */
	assert_true(cites(&c->verdict, "the INVITE carried 1 Via header"));
	assert_true(cites(&c->verdict, "the 482 carried 1 Via header"));
	assert_false(cites(&c->verdict, "Via headers"));
}

static void
test_address_incomplete(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0,
	     "INVITE sip:12@example.com SIP/2.0\n" HDRS("z9hG4bKd", "1",
	                                                "INVITE", ""));
	feed(f, B, A, 10,
	     RESP("484 Address Incomplete", "z9hG4bKd", "1", "INVITE",
	          ";tag=b"));
	c = classified(f, 100);
	expect_verdict(c, "address.incomplete", SC_CAT_ADDRESS);
	assert_true(cites(&c->verdict, "\"12\" (2 characters)"));
}

static void
test_not_found(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0,
	     "INVITE sip:5551234@example.com SIP/2.0\n" HDRS("z9hG4bKd", "1",
	                                                     "INVITE", ""));
	feed(f, B, A, 10,
	     RESP("404 Not Found", "z9hG4bKd", "1", "INVITE", ";tag=b"));
	c = classified(f, 100);
	expect_verdict(c, "not-found.number", SC_CAT_NOT_FOUND);
	assert_non_null(strstr(c->verdict.cause, "5551234"));
}

static void
test_not_registered(void **state)
{
	struct fixture *f = *state;

	/* bob's registration failed a little earlier (another call) */
	feed(f, B, P, 0,
	     "REGISTER sip:example.com SIP/2.0\n"
	     "Via: SIP/2.0/UDP 192.0.2.3:5060;branch=z9hG4bKr\n"
	     "From: <sip:bob@example.com>;tag=r1\n"
	     "To: <sip:bob@example.com>\n"
	     "Call-ID: reg-1\n"
	     "CSeq: 1 REGISTER\n"
	     "Content-Length: 0\n\n");
	feed(f, P, B, 5,
	     "SIP/2.0 403 Forbidden\n"
	     "Via: SIP/2.0/UDP 192.0.2.3:5060;branch=z9hG4bKr\n"
	     "From: <sip:bob@example.com>;tag=r1\n"
	     "To: <sip:bob@example.com>;tag=x\n"
	     "Call-ID: reg-1\n"
	     "CSeq: 1 REGISTER\n"
	     "Content-Length: 0\n\n");
	feed(f, A, P, 1000, INVITE("z9hG4bKu", "1"));
	feed(f, P, A, 1010,
	     RESP("480 Temporarily Unavailable", "z9hG4bKu", "1", "INVITE",
	          ";tag=p"));
	sc_calltab_flush(f->tab, T0 + 2000 * MS, collect, f);
	assert_int_equal(f->ndone, 2);
	{
		struct sc_diagnosis *inv = diagnose(
		        f, strcmp(f->done[0]->call_id, "reg-1") ? f->done[0]
		                                                : f->done[1]);

		expect_verdict(inv, "unavailable.not-registered",
		               SC_CAT_UNAVAILABLE);
		assert_true(cites(&inv->verdict, "got 403"));
	}
}

static void
test_session_timer(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0,
	     "INVITE sip:bob@example.com SIP/2.0\nSession-Expires: 60\n"
	     "Supported: timer\n" HDRS("z9hG4bKs", "1", "INVITE", ""));
	feed(f, B, A, 10,
	     "SIP/2.0 422 Session Interval Too Small\nMin-SE: 1800\n" HDRS(
	             "z9hG4bKs", "1", "INVITE", ";tag=b"));
	c = classified(f, 100);
	expect_verdict(c, "session-timer.too-small", SC_CAT_PROTOCOL);
	assert_true(cites(&c->verdict, "Session-Expires 60"));
	assert_true(cites(&c->verdict, "Min-SE 1800"));
}

static void
test_interval_brief(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, P, 0,
	     "REGISTER sip:example.com SIP/2.0\nExpires: 30\n" HDRS(
	             "z9hG4bKe", "1", "REGISTER", ""));
	feed(f, P, A, 10,
	     "SIP/2.0 423 Interval Too Brief\nMin-Expires: 600\n" HDRS(
	             "z9hG4bKe", "1", "REGISTER", ";tag=r"));
	c = classified(f, 100);
	expect_verdict(c, "register.interval-too-brief", SC_CAT_PROTOCOL);
	assert_true(cites(&c->verdict, "Expires 30"));
	assert_true(cites(&c->verdict, "Min-Expires 600"));
}

static void
test_glare_and_mid_call(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bK1", "1"));
	feed(f, B, A, 10, RESP("200 OK", "z9hG4bK1", "1", "INVITE", ";tag=b"));
	feed(f, A, B, 20, REQ("ACK", "z9hG4bK2", "1", ";tag=b"));
	feed(f, A, B, 3000,
	     "INVITE sip:bob@example.com SIP/2.0\n" HDRS("z9hG4bK3", "2",
	                                                 "INVITE", ";tag=b"));
	feed(f, B, A, 3010,
	     RESP("491 Request Pending", "z9hG4bK3", "2", "INVITE", ";tag=b"));
	c = classified(f, 4000);
	assert_string_equal(ann(c, 491)->rule, "glare");
	expect_verdict(c, "ok.answered", SC_CAT_OK);
	assert_true(has_finding(c, "mid-call"));
}

static void
test_dialog_gone(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, REQ("BYE", "z9hG4bKg", "5", ";tag=b"));
	feed(f, B, A, 10,
	     RESP("481 Call/Transaction Does Not Exist", "z9hG4bKg", "5", "BYE",
	          ";tag=b"));
	c = classified(f, 100);
	expect_verdict(c, "dialog.gone", SC_CAT_PROTOCOL);
}

static void
test_q850(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;
	enum sc_category cat;

	feed(f, A, B, 0, INVITE("z9hG4bKq", "1"));
	feed(f, B, A, 10,
	     "SIP/2.0 500 Server Internal Error\n"
	     "Reason: Q.850;cause=41;text=\"Temporary failure\"\n" HDRS(
	             "z9hG4bKq", "1", "INVITE", ";tag=b"));
	c = classified(f, 100);
	/* the Reason header names the cause: it wins over the code's
	 * generic one, and its category follows the Q.850 cause (RFC 3398
	 * 8.2.4.1 maps 41 to 503) */
	assert_non_null(c->verdict.rule);
	assert_memory_equal(c->verdict.rule, "q850", 4);
	assert_true(sc_evidence_q850_category(41, &cat));
	assert_int_equal(c->verdict.cat, cat);
	assert_int_equal(c->verdict.code, 500);
	assert_non_null(strstr(c->verdict.cause, "41"));
}

static void
test_ack_missing(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKn", "1"));
	feed(f, B, A, 100, RESP("200 OK", "z9hG4bKn", "1", "INVITE", ";tag=b"));
	feed(f, B, A, 600, RESP("200 OK", "z9hG4bKn", "1", "INVITE", ";tag=b"));
	feed(f, B, A, 1600,
	     RESP("200 OK", "z9hG4bKn", "1", "INVITE", ";tag=b"));
	c = classified(f, 40000);
	expect_verdict(c, "ack.missing", SC_CAT_PROTOCOL);
	assert_true(cites(&c->verdict, "sent 3 times"));
}

static void
test_nat_private_sdp(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;
	static const char sdp[] = "v=0\no=- 1 1 IN IP4 10.1.2.3\ns=-\n"
	                          "c=IN IP4 10.1.2.3\nt=0 0\n"
	                          "m=audio 4000 RTP/AVP 0\n";
	char invite[1024];

	snprintf(invite, sizeof(invite),
	         "INVITE sip:bob@example.com SIP/2.0\n"
	         "Via: SIP/2.0/UDP 203.0.113.200:5060;branch=z9hG4bKp\n"
	         "From: <sip:alice@example.com>;tag=a1\n"
	         "To: <sip:bob@example.com>\n"
	         "Call-ID: call-1@192.0.2.1\n"
	         "CSeq: 1 INVITE\n"
	         "Content-Type: application/sdp\n"
	         "Content-Length: %zu\n\n%s",
	         strlen(sdp) + 5, sdp); /* each \n becomes \r\n */
	feed(f, PUB, B, 0, invite);
	feed(f, B, PUB, 10,
	     "SIP/2.0 200 OK\n"
	     "Via: SIP/2.0/UDP 203.0.113.200:5060;branch=z9hG4bKp\n"
	     "From: <sip:alice@example.com>;tag=a1\n"
	     "To: <sip:bob@example.com>;tag=b\n"
	     "Call-ID: call-1@192.0.2.1\n"
	     "CSeq: 1 INVITE\n"
	     "Content-Length: 0\n\n");
	feed(f, PUB, B, 20,
	     "ACK sip:bob@example.com SIP/2.0\n"
	     "Via: SIP/2.0/UDP 203.0.113.200:5060;branch=z9hG4bKq\n"
	     "From: <sip:alice@example.com>;tag=a1\n"
	     "To: <sip:bob@example.com>;tag=b\n"
	     "Call-ID: call-1@192.0.2.1\n"
	     "CSeq: 1 ACK\n"
	     "Content-Length: 0\n\n");
	c = classified(f, 100);
	expect_verdict(c, "ok.answered", SC_CAT_OK);
	assert_true(has_finding(c, "nat.private-sdp"));
}

static void
test_retransmission(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKr", "1"));
	feed(f, A, B, 500, INVITE("z9hG4bKr", "1"));
	feed(f, A, B, 1500, INVITE("z9hG4bKr", "1"));
	feed(f, B, A, 1600,
	     RESP("500 Server Internal Error", "z9hG4bKr", "1", "INVITE",
	          ";tag=b"));
	c = classified(f, 2000);
	expect_verdict(c, "retransmission", SC_CAT_SERVER);
	assert_true(cites(&c->verdict, "sent 3 times"));
	assert_true(has_finding(c, "retransmission"));
}

static void
test_default_and_unknown(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKx", "1"));
	feed(f, B, A, 10,
	     RESP("499 Strange", "z9hG4bKx", "1", "INVITE", ";tag=b"));
	c = classified(f, 100);
	/* nothing is known of 499: the reason phrase is all there is, and
	 * the cause says so (evidence rule reason.stated) */
	expect_verdict(c, "reason.stated", SC_CAT_UNKNOWN);
	assert_non_null(strstr(c->verdict.cause, "Strange"));
	assert_true(c->verdict.unknown_code);
	assert_int_equal(c->verdict.cls, SC_CLASS_CLIENT_FAILURE);
}

static void
test_in_progress(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKi", "1"));
	feed(f, B, A, 10,
	     RESP("180 Ringing", "z9hG4bKi", "1", "INVITE", ";tag=b"));
	c = classified(f, 2000);
	expect_verdict(c, "in-progress", SC_CAT_OK);
	/* provisional responses keep their knowledge-base meaning */
	assert_string_equal(ann(c, 180)->rule, "code.default");
	assert_non_null(ann(c, 180)->meaning);
}

/* ---- issue 8: verdicts over attempts and hops ---- */

/* A downstream 503 with Q.850 34 relayed upstream as 480: the verdict
 * keeps the 480 the caller saw and explains it by the 503 and its hop. */
static void
test_root_cause_relayed(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, P, 0, INVITE("z9hG4bKup", "1"));
	feed(f, P, B, 5, INVITE("z9hG4bKdown", "1"));
	feed(f, B, P, 50,
	     "SIP/2.0 503 Service Unavailable\n"
	     "Reason: Q.850;cause=34;text=\"No circuit available\"\n" HDRS(
	             "z9hG4bKdown", "1", "INVITE", ";tag=c"));
	feed(f, P, A, 55,
	     RESP("480 Temporarily Unavailable", "z9hG4bKup", "1", "INVITE",
	          ";tag=p"));
	c = classified(f, 1000);
	assert_int_equal(c->verdict.code, 480);
	assert_non_null(c->verdict.root);
	assert_int_equal(c->verdict.root->code, 503);
	assert_int_equal(c->verdict.root->frame, 3);
	assert_int_equal(c->verdict.root->hop, 2);
	assert_int_equal(c->verdict.cat, SC_CAT_OVERLOAD);
	assert_true(cites(&c->verdict, "started as 503"));
	assert_non_null(strstr(c->verdict.cause, "34"));
	/* the other hop is not a failure "inside the call" */
	assert_false(has_finding(c, "mid-call"));
}

/* A proxy's 408 after its INVITE downstream got nothing back. */
static void
test_root_cause_downstream_silent(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, P, 0, INVITE("z9hG4bKup", "1"));
	feed(f, P, A, 2, RESP("100 Trying", "z9hG4bKup", "1", "INVITE", ""));
	feed(f, P, B, 5, INVITE("z9hG4bKdown", "1"));
	feed(f, P, B, 505, INVITE("z9hG4bKdown", "1"));
	feed(f, P, A, 32005,
	     RESP("408 Request Timeout", "z9hG4bKup", "1", "INVITE", ";tag=p"));
	c = classified(f, 33000);
	expect_verdict(c, "timeout.downstream", SC_CAT_TIMEOUT);
	assert_int_equal(c->verdict.code, 408);
	assert_non_null(c->verdict.root);
	assert_int_equal(c->verdict.root->code, 0);
	assert_int_equal(c->verdict.root->frame, 3);
	assert_true(cites(&c->verdict, "sent 2 times and never answered"));
}

/* The caller's own response is the root cause: no root_cause. */
static void
test_root_cause_absent(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKb", "1"));
	feed(f, B, A, 10,
	     RESP("486 Busy Here", "z9hG4bKb", "1", "INVITE", ";tag=b"));
	c = classified(f, 100);
	assert_null(c->verdict.root);
	assert_int_equal(c->verdict.cat, SC_CAT_BUSY);
}

/* Each attempt has its verdict; filters see every attempt. */
static void
test_attempt_verdicts(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;
	struct sc_filter flt = { 0 };

	feed(f, A, B, 0, REQ("REGISTER", "z9hG4bKr", "1", ""));
	feed(f, B, A, 5,
	     RESP("400 Bad Request", "z9hG4bKr", "1", "REGISTER", ";tag=r"));
	feed(f, A, B, 100, INVITE("z9hG4bKi", "2"));
	feed(f, B, A, 105,
	     RESP("403 Forbidden", "z9hG4bKi", "2", "INVITE", ";tag=b"));
	c = classified(f, 1000);
	assert_int_equal(c->call->nattempts, 2);
	assert_int_equal(c->verdict.code, 403);
	assert_int_equal(sc_diagnosis_attempt(c, 0)->code, 400);
	assert_int_equal(sc_diagnosis_attempt(c, 0)->cat, SC_CAT_PROTOCOL);
	assert_ptr_equal(sc_diagnosis_attempt(c, 1), &c->verdict);
	assert_non_null(
	        strstr(sc_diagnosis_attempt(c, 0)->outcome, "REGISTER"));
	flt.code = 400;
	assert_true(sc_filter_match(&flt, c));
	flt.code = 486;
	assert_false(sc_filter_match(&flt, c));
	flt.code = 0;
	flt.failed = true;
	assert_true(sc_filter_match(&flt, c));
}

/* A cancelled call is never in category timeout, whatever the code. */
static void
test_cancelled_not_timeout(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKc", "1"));
	feed(f, B, A, 100,
	     RESP("180 Ringing", "z9hG4bKc", "1", "INVITE", ";tag=b"));
	feed(f, A, B, 3000, REQ("CANCEL", "z9hG4bKc", "1", ""));
	feed(f, B, A, 3010,
	     RESP("200 OK", "z9hG4bKc", "1", "CANCEL", ";tag=b"));
	feed(f, B, A, 3020,
	     RESP("408 Request Timeout", "z9hG4bKc", "1", "INVITE", ";tag=b"));
	c = classified(f, 4000);
	assert_int_equal(c->call->state, SC_CALL_CANCELLED);
	assert_int_equal(c->verdict.cat, SC_CAT_CANCELLED);
}

/* 200 to REGISTER and BYE: no word of ACK; 405 is protocol. */
static void
test_meaning_by_method(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, REQ("REGISTER", "z9hG4bKr", "1", ""));
	feed(f, B, A, 5, RESP("200 OK", "z9hG4bKr", "1", "REGISTER", ";tag=r"));
	feed(f, A, B, 10, REQ("MESSAGE", "z9hG4bKm", "2", ""));
	feed(f, B, A, 15,
	     RESP("405 Method Not Allowed", "z9hG4bKm", "2", "MESSAGE",
	          ";tag=r"));
	c = classified(f, 1000);
	assert_null(strstr(ann(c, 200)->meaning, "ACK"));
	assert_non_null(strstr(ann(c, 200)->meaning, "REGISTER"));
	assert_int_equal(ann(c, 405)->cat, SC_CAT_PROTOCOL);
	assert_string_equal(ann(c, 405)->rule, "code.default");
}

/* An INVITE's 200 asks for the ACK; a 202 to a REFER keeps what the
 * knowledge base says of 202 (not a generic "succeeded"). */
static void
test_meaning_invite_refer(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKi", "1"));
	feed(f, B, A, 5, RESP("200 OK", "z9hG4bKi", "1", "INVITE", ";tag=b"));
	feed(f, A, B, 10, REQ("ACK", "z9hG4bKk", "1", ";tag=b"));
	feed(f, A, B, 20, REQ("REFER", "z9hG4bKf", "2", ";tag=b"));
	feed(f, B, A, 25,
	     RESP("202 Accepted", "z9hG4bKf", "2", "REFER", ";tag=b"));
	c = classified(f, 1000);
	assert_non_null(strstr(ann(c, 200)->meaning, "answered the INVITE"));
	assert_non_null(strstr(ann(c, 200)->meaning, "ACK"));
	assert_string_equal(c->verdict.meaning, ann(c, 200)->meaning);
	assert_string_equal(ann(c, 202)->meaning,
	                    sc_kb_status(202, NULL)->meaning);
	/* the knowledge base's 200 speaks of no method */
	assert_null(strstr(sc_kb_status(200, NULL)->meaning, "INVITE"));
}

/* One list of rule ids: ids by enum, in order, unique, NULL-terminated. */
static void
test_rule_ids(void **state)
{
	(void)state;
	for (int i = 0; i < SC_RULE__COUNT; i++) {
		const char *id = sc_rule_id((enum sc_rule)i);

		assert_non_null(sc_classify_rule_ids[i]);
		assert_ptr_equal(id, sc_classify_rule_ids[i]);
		assert_true(id[0] != 0);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(id, sc_classify_rule_ids[k]);
	}
	assert_null(sc_classify_rule_ids[SC_RULE__COUNT]);
	assert_string_equal(sc_rule_id(SC_RULE__COUNT), "");
	assert_string_equal(sc_rule_id(SC_RULE_AUTH_CHALLENGE),
	                    "auth.challenge");
	assert_string_equal(sc_rule_id(SC_RULE_CODE_DEFAULT), "code.default");
	/* a 2xx tries the rules from sc__first_success_rule on: those and
	 * only those may explain one */
	assert_true(sc__first_success_rule <= sc__nresponse_rules);
	for (size_t i = 0; i < sc__nresponse_rules; i++)
		assert_int_equal(sc__response_rules[i].on_success,
		                 i >= sc__first_success_rule);
}

/* The sends of an unanswered request are counted with their time span;
 * a new CSeq after silence is a new attempt (MichalCab-ISA/h94d9d8:
 * each REGISTER CSeq has its own retransmissions). */
static void
test_sends_counted_over_attempt(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, REQ("REGISTER", "z9hG4bKr1", "1", ""));
	feed(f, A, B, 500, REQ("REGISTER", "z9hG4bKr1", "1", ""));
	feed(f, A, B, 1500, REQ("REGISTER", "z9hG4bKr1", "1", ""));
	feed(f, A, B, 40000, REQ("REGISTER", "z9hG4bKr2", "2", ""));
	feed(f, A, B, 40500, REQ("REGISTER", "z9hG4bKr2", "2", ""));
	c = classified(f, 80000);
	assert_int_equal(c->call->nattempts, 2);
	expect_verdict(c, "timeout.no-provisional", SC_CAT_TIMEOUT);
	assert_true(cites(&c->verdict, "sent 2 times over 0.5 s"));
	assert_int_equal(sc_diagnosis_attempt(c, 0)->cat, SC_CAT_TIMEOUT);
	assert_true(
	        cites(sc_diagnosis_attempt(c, 0), "sent 3 times over 1.5 s"));
}

static void
test_sent_one_time(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKo", "1"));
	c = classified(f, 40000);
	assert_true(cites(&c->verdict, "sent 1 time over"));
}

/* The finding for a challenged REGISTER names the retry that followed
 * it, not the last one. */
static void
test_retried_names_next(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;
	bool found = false;

	feed(f, A, B, 0, REQ("REGISTER", "z9hG4bKr1", "1", ""));
	feed(f, B, A, 5,
	     RESP("401 Unauthorized", "z9hG4bKr1", "1", "REGISTER", ";tag=r"));
	feed(f, A, B, 10,
	     "REGISTER sip:bob@example.com SIP/2.0\n" AUTHZ("Authorization")
	             HDRS("z9hG4bKr2", "2", "REGISTER", ""));
	feed(f, B, A, 15,
	     RESP("401 Unauthorized", "z9hG4bKr2", "2", "REGISTER", ";tag=r"));
	feed(f, A, B, 20,
	     "REGISTER sip:bob@example.com SIP/2.0\n" AUTHZ("Authorization")
	             HDRS("z9hG4bKr3", "3", "REGISTER", ""));
	feed(f, B, A, 25,
	     RESP("200 OK", "z9hG4bKr3", "3", "REGISTER", ";tag=r"));
	c = classified(f, 1000);
	assert_int_equal(c->call->state, SC_CALL_REGISTERED);
	for (size_t i = 0; i < c->nfindings; i++)
		if (strstr(c->findings[i].text, "REGISTER (CSeq 1)")) {
			assert_non_null(strstr(c->findings[i].text,
			                       "retried (CSeq 2)"));
			found = true;
		}
	assert_true(found);
}

/* Who ended the call and why; a refused BYE is a finding. */
static void
test_ended_by_reason(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKi", "1"));
	feed(f, B, A, 100, RESP("200 OK", "z9hG4bKi", "1", "INVITE", ";tag=b"));
	feed(f, A, B, 110, REQ("ACK", "z9hG4bKa", "1", ";tag=b"));
	feed(f, A, B, 6000,
	     "BYE sip:bob@192.0.2.3 SIP/2.0\n"
	     "Reason: Q.850;cause=16;text=\"Normal call clearing\"\n" HDRS(
	             "z9hG4bKb1", "2", "BYE", ";tag=b"));
	feed(f, B, A, 6010,
	     RESP("481 Call Does Not Exist", "z9hG4bKb1", "2", "BYE",
	          ";tag=b"));
	feed(f, A, B, 7000,
	     "BYE sip:bob@192.0.2.3 SIP/2.0\n"
	     "Reason: Q.850;cause=16;text=\"Normal call clearing\"\n" HDRS(
	             "z9hG4bKb2", "3", "BYE", ";tag=b"));
	feed(f, B, A, 7010, RESP("200 OK", "z9hG4bKb2", "3", "BYE", ";tag=b"));
	c = classified(f, 8000);
	expect_verdict(c, "ok.answered", SC_CAT_OK);
	assert_true(cites(&c->verdict, "the caller hung up after 6.9 s"));
	assert_true(cites(&c->verdict, "Q.850 cause 16"));
	assert_true(has_finding(c, "bye.refused"));
	assert_false(has_finding(c, "mid-call"));
}

/* The mirror copies are said once, as a finding. */
static void
test_duplicates_finding(void **state)
{
	struct fixture *f = *state;
	struct sc_diagnosis *c;

	feed(f, A, B, 0, INVITE("z9hG4bKd", "1"));
	feed(f, A, B, 1, INVITE("z9hG4bKd", "1"));
	feed(f, B, A, 10,
	     RESP("486 Busy Here", "z9hG4bKd", "1", "INVITE", ";tag=b"));
	c = classified(f, 1000);
	assert_true(has_finding(c, "capture.duplicates"));
	assert_false(has_finding(c, "retransmission"));
}

/* sc__vformat() gives what vsnprintf gives for @fmt. */
static void SC_PRINTF(1, 2) same_as_printf(const char *fmt, ...)
{
	char want[1024];
	va_list ap, aq;
	char *got;

	va_start(ap, fmt);
	va_copy(aq, ap);
	vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	got = sc__vformat(fmt, ap);
	va_end(ap);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* sc__tenths() writes what "%.1f" does. */
static void
same_tenths(double v)
{
	char want[SC__TENTHS_MAX + 1], got[SC__TENTHS_MAX];
	struct sc_str s;

	snprintf(want, sizeof(want), "%.1f", v);
	s = sc__tenths(got, v);
	assert_int_equal(s.len, strlen(want));
	assert_memory_equal(s.p, want, s.len);
}

/* A deterministic stream of 64-bit values (splitmix64). */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* The texts of the diagnosis are formatted without stdio where it
 * can: each conversion it knows, and each it leaves to vsnprintf. */
static void
test_format_like_printf(void **state)
{
	static const double tenths[] = {
		0.0,       -0.0,        0.05,
		0.15,      0.25,        0.35,
		0.45,      0.95,        -0.05,
		-0.25,     -0.04,       0.04999,
		1.25,      2.5,         99.95,
		1e-300,    DBL_MIN,     4.9e-324,
		1e14,      1e14 + 0.25, 999999999999999.9,
		1e15,      -1e15,       1e300,
		DBL_MAX,   -DBL_MAX,    INFINITY,
		-INFINITY, NAN,
	};
	char longer[600];
	uint64_t seed = 1;

	(void)state;
	same_as_printf("plain text");
	same_as_printf("%s", "");
	same_as_printf("%s from %s to %s %s.", "INVITE", "alice", "bob",
	               "was answered");
	same_as_printf("%d %d %d %u %u", 0, -7, INT_MIN, 0u, UINT_MAX);
	same_as_printf("%ld %lu %lld %llu %zu", LONG_MIN, ULONG_MAX, LLONG_MIN,
	               ULLONG_MAX, SIZE_MAX);
	same_as_printf("%" PRIu32 " %" PRIu64 " %" PRId64 " %i", UINT32_MAX,
	               UINT64_MAX, INT64_MIN, 42);
	same_as_printf("100%% %s%%", "sure");
	same_as_printf("the %s hung up after %.1f s%s", "caller", 12.345, "");
	/* left to vsnprintf: other conversions, flags, widths */
	same_as_printf("%x %5d %-3s| %.*s %c %zd %.2f %e", 255u, 42, "a", 2,
	               "abc", 'z', (size_t)3, 1.005, 1.5);
	/* longer than the first buffer, and at its edge */
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = 0;
	same_as_printf("%s %d", longer, 1);
	for (size_t n = 250; n < 260; n++)
		same_as_printf("%.1f|%s", 0.5, longer + sizeof(longer) - 1 - n);
	/* %.1f: printf's rounding of the exact binary value, halves to
	 * even, over chosen and random values */
	for (size_t i = 0; i < SC_COUNTOF(tenths); i++) {
		same_as_printf("%.1f", tenths[i]);
		same_tenths(tenths[i]);
	}
	same_tenths(-DBL_MAX); /* the longest */
	for (int i = 0; i < 20000; i++) {
		uint64_t r = next_random(&seed);
		double bits_value;
		int64_t ns = (int64_t)(r % UINT64_C(100000000000000));

		same_as_printf("%.1f s", (double)ns / 1e9);
		same_tenths((double)ns / 1e9);
		same_as_printf("%.1f", (double)(int64_t)(r % 20001) / 200 - 50);
		memcpy(&bits_value, &r, sizeof(bits_value));
		same_as_printf("%.1f", bits_value);
		/* a 53-bit value over a power of two: exact, any tenths */
		same_as_printf("%.1f",
		               (double)(r >> 11) /
		                       (double)(UINT64_C(1) << (r % 60)));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, callfeed_setup, callfeed_teardown)
		T(test_auth_challenge),
		T(test_auth_rejected),
		T(test_no_response),
		T(test_icmp_unreachable),
		T(test_no_answer),
		T(test_cancel_caller),
		T(test_cancel_upstream),
		T(test_media),
		T(test_overload_retry_after),
		T(test_trunk_access),
		T(test_loops),
		T(test_loop_detected),
		T(test_address_incomplete),
		T(test_not_found),
		T(test_not_registered),
		T(test_session_timer),
		T(test_interval_brief),
		T(test_glare_and_mid_call),
		T(test_dialog_gone),
		T(test_q850),
		T(test_ack_missing),
		T(test_nat_private_sdp),
		T(test_retransmission),
		T(test_default_and_unknown),
		T(test_in_progress),
		T(test_root_cause_relayed),
		T(test_root_cause_downstream_silent),
		T(test_root_cause_absent),
		T(test_attempt_verdicts),
		T(test_cancelled_not_timeout),
		T(test_meaning_by_method),
		T(test_meaning_invite_refer),
		cmocka_unit_test(test_rule_ids),
		cmocka_unit_test(test_format_like_printf),
		T(test_sends_counted_over_attempt),
		T(test_sent_one_time),
		T(test_retried_names_next),
		T(test_ended_by_reason),
		T(test_duplicates_finding),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
