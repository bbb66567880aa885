/* test_sipscan.c - the hand scanner against oSIP, message by message */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/sip/sipmsg.h"
#include "test_sipmsg_equal.h"

/*
 * Every case is parsed twice: by a parser on the fast path (the hand
 * scanner alone when the message keeps to the plain grammar, oSIP
 * otherwise) and by one with full_parse (oSIP for every message). The
 * two must agree on every field. The expected values of the fields
 * named in each case are read from the message text itself.
 */

struct both {
	struct sc_msg *fast;
	struct sc_msg *full;
	bool scanned; /* the fast parser did not run oSIP */
};

static struct sc_sipparser *fast_p, *full_p;

static int
setup(void **state)
{
	struct sc_sipparser_opts full = { NULL, true };

	(void)state;
	sc_sipmsg_global_init();
	fast_p = sc_sipparser_new(NULL);
	full_p = sc_sipparser_new(&full);
	return fast_p && full_p ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	sc_sipparser_free(fast_p);
	sc_sipparser_free(full_p);
	return 0;
}

/* Parse @len bytes (an exact-size heap copy) with both parsers. */
static struct both
parse2_len(const char *text, size_t len)
{
	struct sc_rawmsg raw;
	struct both b = { NULL, NULL, false };
	uint64_t scan0, osip0, scan1, osip1;
	uint8_t *copy = malloc(len ? len : 1);
	const char *diff;

	assert_non_null(copy);
	memcpy(copy, text, len);
	memset(&raw, 0, sizeof(raw));
	raw.data = copy;
	raw.len = len;
	raw.frame = 7;
	sc_sipparser_counts(fast_p, &scan0, &osip0);
	assert_int_equal(sc_sipmsg_parse(fast_p, &raw, &b.fast), SC_OK);
	sc_sipparser_counts(fast_p, &scan1, &osip1);
	assert_int_equal(sc_sipmsg_parse(full_p, &raw, &b.full), SC_OK);
	free(copy);
	b.scanned = scan1 == scan0 + 1;
	assert_true(b.scanned != (osip1 == osip0 + 1));
	diff = sipmsg_diff(b.fast, b.full);
	if (diff)
		fail_msg("fast and full parse differ in %s", diff);
	return b;
}

static struct both
parse2(const char *text)
{
	return parse2_len(text, strlen(text));
}

static void
free2(struct both *b)
{
	sc_msg_free(b->fast);
	sc_msg_free(b->full);
}

#define SIPP_INVITE                                                         \
	"INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"                      \
	"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4711-1-0\r\n"        \
	"From: sipp <sip:sipp@127.0.0.1:5061>;tag=4711SIPpTag001\r\n"        \
	"To: service <sip:service@127.0.0.1:5060>\r\n"                      \
	"Call-ID: 1-4711@127.0.0.1\r\n"                                      \
	"CSeq: 1 INVITE\r\n"                                                 \
	"Contact: sip:sipp@127.0.0.1:5061\r\n"                               \
	"Max-Forwards: 70\r\n"                                               \
	"Subject: Performance Test\r\n"                                      \
	"Content-Type: application/sdp\r\n"                                  \
	"Content-Length: 129\r\n"                                            \
	"\r\n"                                                               \
	"v=0\r\n"                                                            \
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"                   \
	"s=-\r\n"                                                            \
	"c=IN IP4 127.0.0.1\r\n"                                             \
	"t=0 0\r\n"                                                          \
	"m=audio 6000 RTP/AVP 0\r\n"                                         \
	"a=rtpmap:0 PCMU/8000\r\n"

/* A SIPp INVITE is plain: no oSIP, and the same fields. */
static void
test_sipp_invite_scanned(void **state)
{
	struct both b = parse2(SIPP_INVITE);

	(void)state;
	assert_true(b.scanned);
	assert_string_equal(b.fast->method_name, "INVITE");
	assert_string_equal(b.fast->ruri_user, "service");
	assert_string_equal(b.fast->call_id, "1-4711@127.0.0.1");
	assert_int_equal(b.fast->call_id_len, strlen("1-4711@127.0.0.1"));
	assert_string_equal(b.fast->from.tag, "4711SIPpTag001");
	assert_int_equal(b.fast->from.tag_len, strlen("4711SIPpTag001"));
	assert_string_equal(b.fast->from.display, "sipp");
	assert_string_equal(b.fast->from.host, "127.0.0.1:5061");
	assert_null(b.fast->to.tag);
	assert_int_equal(b.fast->to.tag_len, 0);
	assert_string_equal(b.fast->via_branch, "z9hG4bK-4711-1-0");
	assert_string_equal(b.fast->via_sent_by, "127.0.0.1:5061");
	assert_string_equal(b.fast->via_transport, "UDP");
	assert_int_equal(b.fast->cseq, 1);
	assert_int_equal(b.fast->cseq_method, SC_METHOD_INVITE);
	assert_string_equal(b.fast->contact.uri, "sip:sipp@127.0.0.1:5061");
	assert_int_equal(b.fast->max_forwards, 70);
	assert_int_equal(b.fast->content_length, 129);
	assert_non_null(b.fast->sdp);
	assert_false(b.fast->flags & SC_MSG_MALFORMED);
	free2(&b);
}

/* Plain responses, LF line ends, compact forms, lists and parameters. */
static void
test_plain_variants_scanned(void **state)
{
	static const char *const cases[] = {
		"SIP/2.0 180 Ringing\r\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5061;branch=z9hG4bK-1;received=10.0.0.9;rport=5061\r\n"
		"From: \"Alice A.\" <sip:alice@example.com>;tag=a1\r\n"
		"To: Bob Smith <sip:bob@example.com;transport=udp>;tag=b2\r\n"
		"Call-ID: abc@10.0.0.1\r\n"
		"CSeq: 2 INVITE\r\n"
		"Contact: <sip:bob@10.0.0.2:5070;transport=udp>;expires=60\r\n"
		"Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
		"Content-Length: 0\r\n\r\n",
		"SIP/2.0 200 OK\n"
		"v: SIP/2.0/TCP h1.example.com;branch=z9hG4bKa, SIP/2.0/UDP h2:5060;branch=z9hG4bKb\n"
		"Via: SIP/2.0/UDP h3;branch=z9hG4bKc\n"
		"f: sip:alice@example.com;tag=x\n"
		"t: <sip:bob@example.com>;tag=y\n"
		"i: lf-only\n"
		"CSeq: 10 BYE\n"
		"l: 0\n\n",
		"REGISTER sip:example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKreg\r\n"
		"From: <sip:carol@example.com>;tag=r1\r\n"
		"To: <sip:carol@example.com>\r\n"
		"Call-ID: reg-1\r\n"
		"CSeq: 5 REGISTER\r\n"
		"Contact: <sip:carol@192.0.2.4>;expires=3600\r\n"
		"Contact: <sip:carol@192.0.2.5>;expires=10\r\n"
		"Expires: 7200\r\n"
		"\r\n",
		/* the start line read where it is checked: a reason with
		 * blanks around, a Request-URI without user, with params */
		"SIP/2.0 486 Busy  Here \t\r\n"
		"Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKb\r\n"
		"From: <sip:carol@example.com>;tag=r1\r\n"
		"To: <sip:dave@example.com>;tag=r2\r\n"
		"Call-ID: busy-1\r\n"
		"CSeq: 1 INVITE\r\n"
		"\r\n",
		"OPTIONS sip:h.example.com:5070;transport=udp;lr SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKo\r\n"
		"From: <sip:carol@example.com>;tag=o1\r\n"
		"To: <sip:h.example.com>\r\n"
		"Call-ID: opt-1\r\n"
		"CSeq: 9 OPTIONS\r\n"
		"\r\n",
	};
	static const unsigned vias[] = { 1, 3, 1, 1, 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct both b = parse2(cases[i]);

		assert_true(b.scanned);
		assert_int_equal(b.fast->via_count, vias[i]);
		if (i == 3) {
			assert_int_equal(b.fast->status, 486);
			assert_string_equal(b.fast->reason_phrase, "Busy  Here");
		} else if (i == 4) {
			assert_string_equal(b.fast->ruri,
			                    "sip:h.example.com:5070;transport=udp;lr");
			assert_null(b.fast->ruri_user);
			assert_int_equal(b.fast->method, SC_METHOD_OPTIONS);
		}
		free2(&b);
	}
}

/* Carriage returns that do not end a line, and line ends mixed. */
static const struct {
	const char *msg;
	bool plain;          /* read by the scan alone */
	const char *call_id; /* as read; NULL: not checked */
} line_ends[] = {
	{ "BYE sip:h SIP/2.0\r\n"
	  "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK7\r\n"
	  "From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>;tag=2\r\n"
	  "Call-ID: bare\rcr\r\nCSeq: 2 BYE\r\n\r\n",
	  false, NULL },
	{ "BYE sip:h SIP/2.0\r\n"
	  "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK8\r\n"
	  "From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>;tag=2\r\n"
	  "Subject: a\rb\r\n"
	  "Call-ID: bare2\r\nCSeq: 2 BYE\r\n\r\n",
	  false, "bare2" },
	{ "BYE sip:h SIP/2.0\r\n"
	  "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK9\n"
	  "From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>;tag=2\n"
	  "Call-ID: mixed\r\nCSeq: 2 BYE\n\r\n",
	  true, "mixed" },
};

/*
 * Messages outside the plain grammar go to oSIP on the fast path too,
 * and keep oSIP's reading (unescaped user, IPv6 sent-by rebuilt, tel:
 * number, rejection of a second Call-ID...).
 */
static void
test_not_plain_goes_to_osip(void **state)
{
	struct both b;

	(void)state;
	/* %61 is "a": oSIP unescapes the user part */
	b = parse2("INVITE sip:%61lice@example.com SIP/2.0\r\n"
	           "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
	           "From: <sip:x@example.com>;tag=1\r\n"
	           "To: <sip:alice@example.com>\r\n"
	           "Call-ID: esc\r\nCSeq: 1 INVITE\r\n\r\n");
	assert_false(b.scanned);
	assert_string_equal(b.fast->ruri_user, "alice");
	free2(&b);

	b = parse2("OPTIONS sip:h SIP/2.0\r\n"
	           "Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK6\r\n"
	           "From: <sip:x@h>;tag=1\r\nTo: <tel:+4930123>\r\n"
	           "Call-ID: v6\r\nCSeq: 1 OPTIONS\r\n\r\n");
	assert_false(b.scanned);
	assert_string_equal(b.fast->via_sent_by, "[2001:db8::1]:5060");
	assert_string_equal(b.fast->to.user, "+4930123");
	free2(&b);

	/* a folded header line */
	b = parse2("BYE sip:h SIP/2.0\r\n"
	           "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK2\r\n"
	           "From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>;tag=2\r\n"
	           "Subject: one\r\n two\r\n"
	           "Call-ID: fold\r\nCSeq: 2 BYE\r\n\r\n");
	assert_false(b.scanned);
	assert_string_equal(b.fast->call_id, "fold");
	free2(&b);

	/* two Call-IDs: oSIP rejects the message, the scan keeps the first */
	b = parse2("BYE sip:h SIP/2.0\r\n"
	           "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK3\r\n"
	           "From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>;tag=2\r\n"
	           "Call-ID: first\r\nCall-ID: second\r\n"
	           "CSeq: 2 BYE\r\n\r\n");
	assert_false(b.scanned);
	assert_true(b.fast->flags & SC_MSG_MALFORMED);
	assert_string_equal(b.fast->call_id, "first");
	free2(&b);

	/* a header line without colon: oSIP rejects the message */
	b = parse2("SIP/2.0 486 Busy Here\r\n"
	           "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK4\r\n"
	           "From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>;tag=2\r\n"
	           "garbage line\r\n"
	           "Call-ID: nocolon\r\nCSeq: 1 INVITE\r\n\r\n");
	assert_false(b.scanned);
	assert_true(b.fast->flags & SC_MSG_MALFORMED);
	assert_int_equal(b.fast->status, 486);
	free2(&b);

	/* a bare CR inside a line, in a header we read and in one we do
	 * not: oSIP reads such lines its own way, so it runs; CRLF and
	 * bare LF line ends mixed, no stray CR: still plain */
	for (size_t i = 0; i < SC_COUNTOF(line_ends); i++) {
		b = parse2(line_ends[i].msg);
		assert_int_equal(b.scanned, line_ends[i].plain);
		if (line_ends[i].call_id)
			assert_string_equal(b.fast->call_id,
			                    line_ends[i].call_id);
		free2(&b);
	}

	/* quoted display name with an escaped quote; Contact: * */
	b = parse2("REGISTER sip:h SIP/2.0\r\n"
	           "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK5\r\n"
	           "From: \"A \\\"B\\\"\" <sip:x@h>;tag=1\r\nTo: <sip:x@h>\r\n"
	           "Call-ID: star\r\nCSeq: 3 REGISTER\r\nContact: *\r\n"
	           "Expires: 0\r\n\r\n");
	assert_false(b.scanned);
	assert_string_equal(b.fast->from.display, "A \"B\"");
	assert_string_equal(b.fast->contact.uri, "*");
	free2(&b);
}

/* A NUL byte inside the Call-ID is kept, with the length (issue #14). */
static void
test_nul_in_call_id_keeps_length(void **state)
{
	static const char msg[] = "BYE sip:h SIP/2.0\r\n"
	                          "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK7\r\n"
	                          "From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>;tag=2\r\n"
	                          "Call-ID: abc\0def\r\nCSeq: 2 BYE\r\n\r\n";
	struct both b = parse2_len(msg, sizeof(msg) - 1);

	(void)state;
	assert_false(b.scanned); /* a NUL byte is never plain */
	assert_true(b.fast->flags & SC_MSG_MALFORMED);
	assert_int_equal(b.fast->call_id_len, 7);
	assert_memory_equal(b.fast->call_id, "abc\0def", 8);
	free2(&b);
}

/* Near misses of the plain grammar, each against oSIP's own reading. */
static void
test_edges_agree(void **state)
{
	static const char *const heads[] = {
		"From: sip:x@h;tag=1\r\nTo: <sip:y@h>\r\n",
		"From: <sip:x@h> ;tag=1\r\nTo: <sip:y@h>\r\n",
		"From: <sip:x@h>;tag=\r\nTo: <sip:y@h>\r\n",
		"From: <sip:x@h>;tag\r\nTo: <sip:y@h>\r\n",
		"From: <SIP:x@h>;tag=1\r\nTo: <sip:y@h>\r\n",
		"From: <sip:x@h:>;tag=1\r\nTo: <sip:y@h>\r\n",
		"From: <sip:h>;tag=1\r\nTo: <sip:@h>\r\n",
		"From: Al,ice <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\n",
		"From: \"\" <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nContact: <sip:a@b>, <sip:c@d>\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nContact: \r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nContent-Type: text\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nContent-Type: a/b;c=d\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nContent-Length: 0\r\nl: 0\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nVia: SIP/2.0/UDP h2,\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nVia: SIP/2.0/UDP  h2\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nVia: SIP/2.0/UDP h2 (c)\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nCall-ID: a b\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nCall-ID: @b\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nCSeq: 99999999999 ACK\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nCSeq: 1  ACK\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\n: empty name\r\n",
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nX: bare\rcr\r\n",
		/* found by the fuzzer: oSIP reads a Contact value starting
		 * with "*" as a display name, whatever follows */
		"From: <sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\nContact:*<sip:h:5060>\r\n",
		"From: *<sip:x@h>;tag=1\r\nTo: <sip:y@h>\r\n",
	};
	/* found by the fuzzer: oSIP folds the line after the start line
	 * into the reason phrase, CR LF HT becoming three spaces */
	static const char folded_start[] =
	        "SIP/2.0 200 Onchsip:192.168.1.8>;tag=2AL\r\n"
	        "\tSeq: 21 BYE\r\nContenp-Length:  0\r\n\r\n";
	char msg[512];
	struct both b;

	(void)state;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		int n = snprintf(msg, sizeof(msg),
		                 "ACK sip:y@h SIP/2.0\r\n"
		                 "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK8\r\n"
		                 "%sCall-ID: edge\r\nCSeq: 1 ACK\r\n\r\n",
		                 heads[i]);

		assert_true(n > 0 && (size_t)n < sizeof(msg));
		b = parse2(msg);
		free2(&b);
	}
	b = parse2(folded_start);
	assert_false(b.scanned);
	assert_string_equal(b.fast->reason_phrase,
	                    "Onchsip:192.168.1.8>;tag=2AL   Seq: 21 BYE");
	free2(&b);
}

/*
 * A parser recalls the From, To, Contact and Via values it read lately
 * (memo.c): values that differ in one byte where the hash does not look
 * (it reads four words of a value), one after the other, are each read
 * as themselves, plain or not, and the same again when they come back.
 */
static void
test_recalled_values_are_exact(void **state)
{
	/* the hash reads bytes 0-7, 21-28 and 35-50 of the 51-byte ones */
	static const char *const from[] = {
		"sipp <sip:alice@10.1.2.3:5061>;tag=4711SIPpTag00123",
		"sipp <sip:alicx@10.1.2.3:5061>;tag=4711SIPpTag00123",
		"sipp <sip:al%63e@10.1.2.3:5061>;tag=4711SIPpTag0012",
		"sipp <sip:alice@10.1.2.4:5061>;tag=4711SIPpTag00123",
	};
	static const char *const via[] = {
		"SIP/2.0/UDP 10.1.2.3:5061;branch=z9hG4bK-4711-1-0",
		"SIP/2.0/TCP 10.1.2.3:5061;branch=z9hG4bK-4711-1-0",
		"SIP/2.0/UDP 10.1.2.3:5061;branch=z9hG4bK-47, SIP/2.0/UDP h",
	};
	static const size_t order[] = { 0, 1, 2, 3, 0, 2, 1, 3, 3, 0 };
	char msg[512], user[16];
	struct both b;

	(void)state;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *f = from[order[i]], *v = via[order[i] % 3];
		int n = snprintf(msg, sizeof(msg),
		                 "BYE sip:y@h SIP/2.0\r\nVia: %s\r\n"
		                 "From: %s\r\nTo: %s\r\nContact: <sip:%s>\r\n"
		                 "Call-ID: memo\r\nCSeq: 2 BYE\r\n\r\n",
		                 v, f, f,
		                 order[i] == 2 ? "a@b;expires" : "a@b");

		assert_true(n > 0 && (size_t)n < sizeof(msg));
		b = parse2(msg);
		/* the escaped user is not plain: oSIP reads it */
		assert_int_equal(b.scanned, order[i] != 2);
		memcpy(user, f + 10, 5);
		user[5] = '\0';
		if (order[i] != 2) {
			assert_string_equal(b.fast->from.user, user);
			assert_string_equal(b.fast->to.user, user);
		}
		assert_string_equal(b.fast->via_transport,
		                    order[i] % 3 == 1 ? "TCP" : "UDP");
		assert_int_equal(b.fast->via_count, order[i] % 3 == 2 ? 2 : 1);
		free2(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sipp_invite_scanned),
		cmocka_unit_test(test_plain_variants_scanned),
		cmocka_unit_test(test_not_plain_goes_to_osip),
		cmocka_unit_test(test_nul_in_call_id_keeps_length),
		cmocka_unit_test(test_edges_agree),
		cmocka_unit_test(test_recalled_values_are_exact),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
