/* test_sipmsg.c - the parse stage: oSIP wrapper, raw scan, SDP summary */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sipcause/util/arena.h"
#include "sipcause/sip/sipmsg.h"

static struct sc_sipparser *parser;

/* ---- helpers --------------------------------------------------------------
 */

/*
 * Parse @len bytes from an exact-size heap copy, so that ASan and
 * valgrind see any read past the end.
 */
static enum sc_err
try_parse_flags(const void *bytes, size_t len, unsigned flags,
		struct sc_msg **out)
{
	struct sc_rawmsg raw;
	uint8_t *copy = malloc(len ? len : 1);
	enum sc_err err;

	assert_non_null(copy);
	if (len)
		memcpy(copy, bytes, len);
	memset(&raw, 0, sizeof(raw));
	raw.data = copy;
	raw.len = len;
	raw.frame = 1;
	raw.flags = flags;
	err = sc_sipmsg_parse(parser, &raw, out);
	free(copy);
	return err;
}

static enum sc_err
try_parse_len(const void *bytes, size_t len, struct sc_msg **out)
{
	return try_parse_flags(bytes, len, 0, out);
}

static struct sc_msg *
parse_len(const void *bytes, size_t len)
{
	struct sc_msg *m = NULL;

	assert_int_equal(try_parse_len(bytes, len, &m), SC_OK);
	assert_non_null(m);
	return m;
}

static struct sc_msg *
parse(const char *text)
{
	return parse_len(text, strlen(text));
}

/* @head (headers, no Content-Length, no blank line) + Content-Length. */
static char *
with_body(const char *head, const char *body)
{
	size_t n = strlen(head) + strlen(body) + 64;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%sContent-Length: %zu\r\n\r\n%s", head, strlen(body),
	         body);
	return s;
}

static struct sc_msg *
parse_with_body(const char *head, const char *body)
{
	char *s = with_body(head, body);
	struct sc_msg *m = parse(s);

	free(s);
	return m;
}

#define assert_str(a, b) assert_string_equal((a) ? (a) : "(null)", (b))

/* ---- messages -------------------------------------------------------------
 */

static const char invite_head[] =
        "INVITE sip:+4930123456@sip.example.com;user=phone SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds"
        ";received=198.51.100.7;rport=5060\r\n"
        "Via: SIP/2.0/TCP proxy.example.net;branch=z9hG4bK-p1\r\n"
        "Max-Forwards: 70\r\n"
        "From: \"Alice \\\"A\\\" Liddell\" <sip:alice@atlanta.example.com>"
        ";tag=1928301774\r\n"
        "To: Bob <sip:bob@biloxi.example.com>\r\n"
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
        "CSeq: 314159 INVITE\r\n"
        "Contact: <sip:alice@192.0.2.10:5060;transport=udp>;expires=3600\r\n"
        "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
        "Record-Route: <sip:p3.example.com;lr>\r\n"
        "User-Agent: TestPhone/1.0 (build 7)\r\n"
        "Accept: application/sdp\r\n"
        "Allow: INVITE, ACK, CANCEL, BYE\r\n"
        "Allow: OPTIONS\r\n"
        "Supported: timer, 100rel\r\n"
        "Require: timer\r\n"
        "Session-Expires: 1800;refresher=uac\r\n"
        "Min-SE: 90\r\n"
        "Expires: 120\r\n"
        "Allow-Events: talk, hold\r\n"
        "Proxy-Authorization: Digest username=\"alice\", "
        "realm=\"atlanta.example.com\", nonce=\"abc\", "
        "uri=\"sip:bob@biloxi.example.com\", response=\"0123\"\r\n"
        "X-CID: second-choice\r\n"
        "X-Call-ID: leg-a-123\r\n"
        "Session-ID: ab30317f1a784dc48ff824d0d3715d86"
        ";remote=47755a9de7794ba387653f2099600ef2\r\n"
        "P-Charging-Vector: icid-value=\"AyretyU0dm+6O2IrT5tAFrbHLso=0235\""
        ";icid-generated-at=192.0.6.8;orig-ioi=home1.net\r\n"
        "Content-Type: application/sdp\r\n";

static const char invite_sdp[] =
        "v=0\r\n"
        "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
        "s=-\r\n"
        "c=IN IP4 192.0.2.10\r\n"
        "t=0 0\r\n"
        "m=audio 49170 RTP/AVP 0 8 101\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-15\r\n"
        "a=sendrecv\r\n"
        "m=video 51372 RTP/AVP 99\r\n"
        "c=IN IP4 192.0.2.11/127\r\n"
        "a=rtpmap:99 H264/90000\r\n"
        "a=recvonly\r\n";

static void
check_full_invite(const struct sc_msg *m, bool via_osip)
{
	const struct sc_sdp *sdp;

	assert_true(m->is_request);
	assert_int_equal(m->method, SC_METHOD_INVITE);
	assert_str(m->method_name, "INVITE");
	assert_str(m->ruri, "sip:+4930123456@sip.example.com;user=phone");
	assert_str(m->ruri_user, "+4930123456");
	assert_int_equal(m->status, 0);
	assert_null(m->reason_phrase);

	assert_str(m->call_id, "a84b4c76e66710@pc33.atlanta.example.com");
	assert_str(m->from.display, "Alice \"A\" Liddell");
	assert_str(m->from.uri, "sip:alice@atlanta.example.com");
	assert_str(m->from.user, "alice");
	assert_str(m->from.host, "atlanta.example.com");
	assert_str(m->from.tag, "1928301774");
	assert_str(m->to.display, "Bob");
	assert_str(m->to.uri, "sip:bob@biloxi.example.com");
	assert_str(m->to.user, "bob");
	assert_str(m->to.host, "biloxi.example.com");
	assert_null(m->to.tag);
	assert_int_equal(m->cseq, 314159);
	assert_int_equal(m->cseq_method, SC_METHOD_INVITE);
	assert_str(m->cseq_method_name, "INVITE");
	assert_str(m->via_branch, "z9hG4bK776asdhds");
	assert_str(m->via_sent_by, "192.0.2.10:5060");
	assert_str(m->via_transport, "UDP");
	assert_str(m->via_received, "198.51.100.7");
	assert_int_equal(m->via_count, 2);
	assert_str(m->contact.uri, "sip:alice@192.0.2.10:5060;transport=udp");
	assert_str(m->contact.user, "alice");
	assert_str(m->contact.host, "192.0.2.10:5060");
	assert_null(m->contact.display);
	assert_int_equal(m->contact_expires, 3600);
	assert_int_equal(m->record_route_count, 3);

	assert_str(m->user_agent, "TestPhone/1.0 (build 7)");
	assert_int_equal(m->max_forwards, 70);
	assert_null(m->reason_hdr);
	assert_int_equal(m->q850_cause, -1);
	assert_null(m->q850_text);
	assert_int_equal(m->sip_reason_cause, -1);
	assert_int_equal(m->warning_code, -1);
	assert_null(m->warning_agent);
	assert_null(m->warning_text);
	assert_int_equal(m->retry_after, -1);
	assert_int_equal(m->expires, 120);
	assert_int_equal(m->session_expires, 1800);
	assert_int_equal(m->min_se, 90);
	assert_int_equal(m->min_expires, -1);
	assert_str(m->accept, "application/sdp");
	assert_str(m->require, "timer");
	assert_str(m->supported, "timer, 100rel");
	assert_null(m->unsupported);
	assert_str(m->allow, "INVITE, ACK, CANCEL, BYE, OPTIONS");
	assert_str(m->allow_events, "talk, hold");
	assert_null(m->event);
	assert_null(m->subscription_state);
	assert_true(m->has_credentials);
	assert_str(m->auth_user, "alice");
	assert_str(m->auth_realm, "atlanta.example.com");
	assert_null(m->challenge_realm);
	assert_str(m->x_call_id, "leg-a-123");
	assert_str(m->session_id, "ab30317f1a784dc48ff824d0d3715d86");
	assert_str(m->session_id_remote, "47755a9de7794ba387653f2099600ef2");
	assert_str(m->icid, "AyretyU0dm+6O2IrT5tAFrbHLso=0235");
	assert_str(m->content_type, "application/sdp");
	assert_int_equal(m->content_length, (int64_t)strlen(invite_sdp));
	assert_int_equal(m->body_len, strlen(invite_sdp));
	if (via_osip)
		assert_int_equal(m->flags & SC_MSG_MALFORMED, 0);
	assert_int_equal(m->flags & SC_MSG_NO_CALL_ID, 0);

	sdp = m->sdp;
	assert_non_null(sdp);
	assert_str(sdp->conn, "192.0.2.10");
	assert_str(sdp->origin, "192.0.2.10");
	assert_int_equal(sdp->nmedia, 2);
	assert_str(sdp->media[0].type, "audio");
	assert_int_equal(sdp->media[0].port, 49170);
	assert_str(sdp->media[0].proto, "RTP/AVP");
	assert_str(sdp->media[0].codecs,
	           "PCMU/8000 PCMA/8000 telephone-event/8000");
	assert_null(sdp->media[0].conn);
	assert_str(sdp->media[0].direction, "sendrecv");
	assert_str(sdp->media[1].type, "video");
	assert_int_equal(sdp->media[1].port, 51372);
	assert_str(sdp->media[1].codecs, "H264/90000");
	assert_str(sdp->media[1].conn, "192.0.2.11");
	assert_str(sdp->media[1].direction, "recvonly");
}

static void
test_full_invite(void **state)
{
	char *text = with_body(invite_head, invite_sdp);
	static const uint64_t frames[] = { 3, 5, 9 };
	struct sc_rawmsg raw;
	struct sc_msg *m = NULL;

	(void)state;
	memset(&raw, 0, sizeof(raw));
	raw.data = (const uint8_t *)text;
	raw.len = strlen(text);
	raw.frame = 9;
	raw.frames = frames;
	raw.nframes = 3;
	raw.ts_ns = 1234567890123;
	raw.src.addr.family = 4;
	raw.src.addr.bytes[0] = 192;
	raw.src.port = 5060;
	raw.dst.port = 5080;
	raw.transport = SC_TRANSPORT_TCP;
	raw.flags = SC_RAW_HEP;
	assert_int_equal(sc_sipmsg_parse(parser, &raw, &m), SC_OK);
	check_full_invite(m, true);
	/* metadata from the framed message */
	assert_int_equal(m->frame, 9);
	assert_int_equal(m->nframes, 3);
	assert_ptr_not_equal(m->frames, frames);
	assert_int_equal(m->frames[0], 3);
	assert_int_equal(m->frames[2], 9);
	assert_int_equal(m->ts_ns, 1234567890123);
	assert_int_equal(m->src.addr.family, 4);
	assert_int_equal(m->src.addr.bytes[0], 192);
	assert_int_equal(m->src.port, 5060);
	assert_int_equal(m->dst.port, 5080);
	assert_int_equal(m->transport, SC_TRANSPORT_TCP);
	assert_int_equal(m->flags, SC_RAW_HEP);
	assert_int_equal(m->wire_len, strlen(text));
	sc_msg_free(m);

	/* the raw scan alone reads the same fields */
	assert_int_equal(sc_sipmsg_scan(&raw, &m), SC_OK);
	check_full_invite(m, false);
	assert_int_equal(m->flags, SC_RAW_HEP);
	sc_msg_free(m);
	free(text);
}

static void
test_180_ringing(void **state)
{
	struct sc_msg *m;

	(void)state;
	m = parse("SIP/2.0 180 Ringing\r\n"
	          "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds"
	          ";received=198.51.100.7\r\n"
	          "From: <sip:alice@a.example.com>;tag=1928301774\r\n"
	          "To: <sip:bob@b.example.com>;tag=a6c85cf\r\n"
	          "Call-ID: a84b4c76e66710\r\n"
	          "CSeq: 314159 INVITE\r\n"
	          "Contact: <sip:bob@192.0.2.4>\r\n"
	          "Server: BobPBX 2.0\r\n"
	          "Content-Length: 0\r\n\r\n");
	assert_false(m->is_request);
	assert_int_equal(m->status, 180);
	assert_str(m->reason_phrase, "Ringing");
	assert_null(m->method_name);
	assert_int_equal(m->method, SC_METHOD_OTHER);
	assert_str(m->call_id, "a84b4c76e66710");
	assert_str(m->to.tag, "a6c85cf");
	assert_null(m->from.display);
	assert_int_equal(m->cseq_method, SC_METHOD_INVITE);
	assert_str(m->user_agent, "BobPBX 2.0");
	assert_int_equal(m->content_length, 0);
	assert_int_equal(m->body_len, 0);
	assert_null(m->sdp);
	assert_int_equal(m->flags, 0);
	sc_msg_free(m);
}

static void
test_200_static_payloads(void **state)
{
	struct sc_msg *m;

	(void)state;
	m = parse_with_body("SIP/2.0 200 OK\r\n"
	                    "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
	                    "From: <sip:a@x>;tag=1\r\n"
	                    "To: <sip:b@x>;tag=2\r\n"
	                    "Call-ID: c200\r\n"
	                    "CSeq: 1 INVITE\r\n"
	                    "Content-Type: application/SDP; charset=x\r\n",
	                    "v=0\r\n"
	                    "o=- 1 1 IN IP4 203.0.113.5\r\n"
	                    "s=-\r\n"
	                    "t=0 0\r\n"
	                    "a=inactive\r\n"
	                    "m=audio 7078 RTP/AVP 0 8 18 3 4 9 13 96\r\n"
	                    "c=IN IP4 203.0.113.6\r\n"
	                    "m=image 0 udptl t38\r\n"
	                    "a=sendonly\r\n");
	assert_int_equal(m->status, 200);
	assert_non_null(m->sdp);
	assert_null(m->sdp->conn);
	assert_str(m->sdp->origin, "203.0.113.5");
	assert_int_equal(m->sdp->nmedia, 2);
	assert_str(m->sdp->media[0].codecs, "PCMU/8000 PCMA/8000 G729/8000 "
	                                    "GSM/8000 G723/8000 G722/8000 "
	                                    "CN/8000 96");
	assert_str(m->sdp->media[0].conn, "203.0.113.6");
	/* session-level direction applies to media without one */
	assert_str(m->sdp->media[0].direction, "inactive");
	assert_str(m->sdp->media[1].type, "image");
	assert_int_equal(m->sdp->media[1].port, 0);
	assert_str(m->sdp->media[1].proto, "udptl");
	assert_str(m->sdp->media[1].codecs, "t38");
	assert_str(m->sdp->media[1].direction, "sendonly");
	sc_msg_free(m);
}

static const char resp_common[] =
        "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKr\r\n"
        "From: <sip:alice@a.example.com>;tag=f1\r\n"
        "To: <sip:bob@b.example.com>;tag=t1\r\n"
        "Call-ID: resp-1\r\n"
        "CSeq: 2 INVITE\r\n";

static struct sc_msg *
parse_resp(const char *status_line, const char *extra)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), "%s\r\n%s%sContent-Length: 0\r\n\r\n",
	         status_line, resp_common, extra);
	return parse(buf);
}

static void
test_auth_challenges(void **state)
{
	struct sc_msg *m;

	(void)state;
	m = parse_resp("SIP/2.0 401 Unauthorized",
	               "WWW-Authenticate: Digest realm=\"biloxi.example.com\", "
	               "qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e\", "
	               "opaque=\"\"\r\n");
	assert_int_equal(m->status, 401);
	assert_str(m->challenge_realm, "biloxi.example.com");
	assert_false(m->has_credentials);
	sc_msg_free(m);

	m = parse_resp("SIP/2.0 407 Proxy Authentication Required",
	               "Proxy-Authenticate: Digest nonce=\"n\", "
	               "realm=\"proxy.example.net\"\r\n");
	assert_int_equal(m->status, 407);
	assert_str(m->reason_phrase, "Proxy Authentication Required");
	assert_str(m->challenge_realm, "proxy.example.net");
	sc_msg_free(m);
}

static void
test_failure_responses(void **state)
{
	struct sc_msg *m;

	(void)state;
	m = parse_resp("SIP/2.0 488 Not Acceptable Here",
	               "Warning: 304 pbx.example.com \"Media type, not "
	               "available\", 399 other \"second\"\r\n");
	assert_int_equal(m->warning_code, 304);
	assert_str(m->warning_agent, "pbx.example.com");
	assert_str(m->warning_text, "Media type, not available");
	sc_msg_free(m);

	m = parse_resp("SIP/2.0 503 Service Unavailable",
	               "Retry-After: 120 (overloaded);duration=3600\r\n");
	assert_int_equal(m->retry_after, 120);
	sc_msg_free(m);

	m = parse_resp(
	        "SIP/2.0 480 Temporarily Unavailable",
	        "Reason: Q.850;cause=18;text=\"No user responding\"\r\n");
	assert_str(m->reason_hdr, "Q.850;cause=18;text=\"No user responding\"");
	assert_int_equal(m->q850_cause, 18);
	assert_str(m->q850_text, "No user responding");
	assert_int_equal(m->sip_reason_cause, -1);
	sc_msg_free(m);

	/* several Reason headers and values; commas inside quotes */
	m = parse_resp("SIP/2.0 487 Request Terminated",
	               "Reason: SIP;cause=487;text=\"a, b\", "
	               "Q.850 ; cause=16 ;text=\"Normal, clearing\"\r\n"
	               "Reason: Q.850;cause=31\r\n");
	assert_str(m->reason_hdr, "SIP;cause=487;text=\"a, b\", Q.850 ; "
	                          "cause=16 ;text=\"Normal, clearing\", "
	                          "Q.850;cause=31");
	assert_int_equal(m->sip_reason_cause, 487);
	assert_int_equal(m->q850_cause, 16);
	assert_str(m->q850_text, "Normal, clearing");
	sc_msg_free(m);

	m = parse_resp("SIP/2.0 422 Session Interval Too Small",
	               "Min-SE: 1800\r\n");
	assert_int_equal(m->min_se, 1800);
	sc_msg_free(m);

	m = parse_resp("SIP/2.0 423 Interval Too Brief",
	               "Min-Expires: 3600\r\n");
	assert_int_equal(m->min_expires, 3600);
	assert_int_equal(m->status, 423);
	sc_msg_free(m);

	m = parse_resp("SIP/2.0 420 Bad Extension",
	               "Unsupported: foo\r\nUnsupported: bar, baz\r\n");
	assert_str(m->unsupported, "foo, bar, baz");
	sc_msg_free(m);
}

static void
test_register(void **state)
{
	struct sc_msg *m;

	(void)state;
	m = parse(
	        "REGISTER sip:registrar.example.com SIP/2.0\r\n"
	        "Via: SIP/2.0/TLS [2001:db8::10]:5061;branch=z9hG4bKnashds7\r\n"
	        "Max-Forwards: 70\r\n"
	        "To: Bob <sip:bob@example.com>\r\n"
	        "From: Bob <sip:bob@example.com>;tag=456248\r\n"
	        "Call-ID: 843817637684230@998sdasdh09\r\n"
	        "CSeq: 1826 REGISTER\r\n"
	        "Contact: \"Bob\" <sip:bob@[2001:db8::10]:5061>"
	        ";expires=7200;+sip.instance=\"<urn:uuid:1>\"\r\n"
	        "Expires: 3600\r\n"
	        "Authorization: Digest username=\"bob\", "
	        "realm=\"example.com\", "
	        "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\","
	        " opaque=\"\", uri=\"sip:registrar.example.com\","
	        " response=\"dfe56131d1958046689d83306477ecc\"\r\n"
	        "Content-Length: 0\r\n\r\n");
	assert_int_equal(m->method, SC_METHOD_REGISTER);
	assert_int_equal(m->cseq_method, SC_METHOD_REGISTER);
	assert_null(m->ruri_user);
	assert_true(m->has_credentials);
	assert_str(m->auth_user, "bob");
	assert_str(m->auth_realm, "example.com");
	assert_str(m->contact.display, "Bob");
	assert_str(m->contact.host, "[2001:db8::10]:5061");
	assert_int_equal(m->contact_expires, 7200);
	assert_int_equal(m->expires, 3600);
	assert_str(m->via_sent_by, "[2001:db8::10]:5061");
	assert_str(m->via_transport, "TLS");
	sc_msg_free(m);

	/* Contact: * and credentials oSIP cannot parse (it drops them) */
	m = parse("REGISTER sip:registrar.example.com SIP/2.0\r\n"
	          "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\n"
	          "To: <sip:bob@example.com>\r\n"
	          "From: <sip:bob@example.com>;tag=1\r\n"
	          "Call-ID: unreg\r\n"
	          "CSeq: 2 REGISTER\r\n"
	          "Contact: *\r\n"
	          "Expires: 0\r\n"
	          "Proxy-Authorization: Digest username=bob,realm=r1\r\n"
	          "Record-Route: garbage\r\n"
	          "\r\n");
	assert_int_equal(m->flags & SC_MSG_MALFORMED, 0);
	assert_str(m->contact.uri, "*");
	assert_null(m->contact.display);
	assert_int_equal(m->expires, 0);
	assert_true(m->has_credentials);
	assert_str(m->auth_user, "bob");
	assert_str(m->auth_realm, "r1");
	assert_int_equal(m->record_route_count, 1);
	assert_int_equal(m->content_length, -1);
	sc_msg_free(m);

	/* a bearer token: credentials without username */
	m = parse("REGISTER sip:r.example.com SIP/2.0\r\n"
	          "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKy\r\n"
	          "To: <sip:bob@example.com>\r\n"
	          "From: <sip:bob@example.com>;tag=1\r\n"
	          "Call-ID: bearer\r\n"
	          "CSeq: 3 REGISTER\r\n"
	          "Authorization: Bearer abc.def.ghi\r\n\r\n");
	assert_true(m->has_credentials);
	assert_null(m->auth_user);
	sc_msg_free(m);
}

static void
test_compact_forms(void **state)
{
	struct sc_msg *m;

	(void)state;
	m = parse_with_body("SUBSCRIBE sip:bob@example.com SIP/2.0\r\n"
	                    "v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKc1,"
	                    " SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKc2\r\n"
	                    "f: \"A\" <sip:alice@example.com>;tag=ft\r\n"
	                    "t: sip:bob@example.com\r\n"
	                    "i: compact-1@host\r\n"
	                    "CSeq: 7 SUBSCRIBE\r\n"
	                    "m: <sip:alice@192.0.2.1>;expires=60\r\n"
	                    "o: dialog;id=1\r\n"
	                    "u: dialog, presence\r\n"
	                    "k: timer\r\n"
	                    "x: 900;refresher=uas\r\n"
	                    "s: hello\r\n"
	                    "c: application/sdp\r\n",
	                    "v=0\r\nm=audio 1 RTP/AVP 8\r\n");
	/* Content-Length was written long: also try l: below */
	assert_int_equal(m->flags & SC_MSG_MALFORMED, 0);
	assert_int_equal(m->method, SC_METHOD_SUBSCRIBE);
	assert_int_equal(m->via_count, 2);
	assert_str(m->via_branch, "z9hG4bKc1");
	assert_str(m->via_sent_by, "192.0.2.1:5060");
	assert_str(m->from.display, "A");
	assert_str(m->from.tag, "ft");
	assert_str(m->to.uri, "sip:bob@example.com");
	assert_str(m->call_id, "compact-1@host");
	assert_str(m->contact.uri, "sip:alice@192.0.2.1");
	assert_int_equal(m->contact_expires, 60);
	assert_str(m->event, "dialog;id=1");
	assert_str(m->allow_events, "dialog, presence");
	assert_str(m->supported, "timer");
	assert_int_equal(m->session_expires, 900);
	assert_str(m->content_type, "application/sdp");
	assert_non_null(m->sdp);
	assert_str(m->sdp->media[0].codecs, "PCMA/8000");
	sc_msg_free(m);

	m = parse("NOTIFY sip:alice@192.0.2.1 SIP/2.0\r\n"
	          "v:SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKn\r\n"
	          "f:<sip:bob@example.com>;tag=x\r\n"
	          "t:<sip:alice@example.com>;tag=ft\r\n"
	          "i:compact-1@host\r\n"
	          "CSeq:1 NOTIFY\r\n"
	          "o:dialog\r\n"
	          "Subscription-State: active;expires=60\r\n"
	          "c:application/dialog-info+xml\r\n"
	          "l:5\r\n\r\n"
	          "<x/>\n");
	assert_int_equal(m->flags & SC_MSG_MALFORMED, 0);
	assert_int_equal(m->method, SC_METHOD_NOTIFY);
	assert_str(m->call_id, "compact-1@host");
	assert_str(m->event, "dialog");
	assert_str(m->subscription_state, "active;expires=60");
	assert_str(m->content_type, "application/dialog-info+xml");
	assert_int_equal(m->content_length, 5);
	assert_int_equal(m->body_len, 5);
	assert_null(m->sdp);
	sc_msg_free(m);
}

static void
test_via_counts(void **state)
{
	struct sc_msg *m;
	static const char msg[] =
	        "BYE sip:bob@192.0.2.4 SIP/2.0\r\n"
	        "Via: SIP/2.0/UDP p3.example.com;branch=z9hG4bK3, "
	        "SIP/2.0/TCP p2.example.com;branch=z9hG4bK2\r\n"
	        "Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1\r\n"
	        "v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK0;received=10.0.0.1\r\n"
	        "From: <sip:a@x>;tag=1\r\n"
	        "To: <sip:b@x>;tag=2\r\n"
	        "Call-ID: vias\r\n"
	        "CSeq: 3 BYE\r\n\r\n";
	struct sc_rawmsg raw;

	(void)state;
	m = parse(msg);
	assert_int_equal(m->method, SC_METHOD_BYE);
	assert_int_equal(m->via_count, 4);
	assert_str(m->via_branch, "z9hG4bK3");
	assert_str(m->via_sent_by, "p3.example.com");
	assert_null(m->via_received);
	sc_msg_free(m);

	memset(&raw, 0, sizeof(raw));
	raw.data = (const uint8_t *)msg;
	raw.len = strlen(msg);
	assert_int_equal(sc_sipmsg_scan(&raw, &m), SC_OK);
	assert_int_equal(m->via_count, 4);
	assert_str(m->via_branch, "z9hG4bK3");
	assert_str(m->via_transport, "UDP");
	sc_msg_free(m);
}

static void
test_bad_via(void **state)
{
	struct sc_msg *m;

	(void)state;
	m = parse("INVITE sip:bob@example.com SIP/2.0\r\n"
	          "Via: garbage here\r\n"
	          "Via: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKgood\r\n"
	          "From: \"Al\" <sip:alice@example.com>;tag=ft9\r\n"
	          "To: <sip:bob@example.com>\r\n"
	          "Call-ID: badvia-1@example.com\r\n"
	          "CSeq: 42 INVITE\r\n"
	          "Reason: Q.850;cause=41\r\n"
	          "Content-Length: 0\r\n\r\n");
	assert_true(m->flags & SC_MSG_MALFORMED);
	assert_int_equal(m->method, SC_METHOD_INVITE);
	assert_str(m->ruri, "sip:bob@example.com");
	assert_str(m->ruri_user, "bob");
	assert_str(m->call_id, "badvia-1@example.com");
	assert_int_equal(m->cseq, 42);
	assert_int_equal(m->cseq_method, SC_METHOD_INVITE);
	assert_str(m->from.tag, "ft9");
	assert_str(m->from.display, "Al");
	assert_str(m->from.user, "alice");
	assert_int_equal(m->via_count, 2);
	assert_null(m->via_branch); /* the top Via has none */
	assert_int_equal(m->q850_cause, 41);
	sc_msg_free(m);

	/* bad CSeq and From: still the raw values */
	m = parse("SIP/2.0 486 Busy Here\r\n"
	          "Via: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKb\r\n"
	          "From: garbage<<\r\n"
	          "To: <sip:bob@example.com>;tag=tt\r\n"
	          "Call-ID: bad-2\r\n"
	          "CSeq: 9 INVITE\r\n\r\n");
	assert_true(m->flags & SC_MSG_MALFORMED);
	assert_int_equal(m->status, 486);
	assert_str(m->reason_phrase, "Busy Here");
	assert_str(m->call_id, "bad-2");
	assert_str(m->to.tag, "tt");
	assert_str(m->via_branch, "z9hG4bKb");
	assert_int_equal(m->cseq, 9);
	sc_msg_free(m);
}

static void
test_nul_in_headers(void **state)
{
	static const char msg[] =
	        "INVITE sip:bob@example.com SIP/2.0\r\n"
	        "Via: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKnul\r\n"
	        "From: <sip:alice@example.com>;tag=1\r\n"
	        "\0X-Junk: \x01\x02\xff\xfe\r\n"
	        "To: <sip:bob@example.com>\r\n"
	        "Call-ID: nul-1\r\n"
	        "CSeq: 5 INVITE\r\n\r\n";
	struct sc_msg *m;

	(void)state;
	m = parse_len(msg, sizeof(msg) - 1);
	/* oSIP would stop at the NUL and drop Call-ID, CSeq, To */
	assert_true(m->flags & SC_MSG_MALFORMED);
	assert_str(m->call_id, "nul-1");
	assert_int_equal(m->cseq, 5);
	assert_str(m->to.uri, "sip:bob@example.com");
	assert_str(m->via_branch, "z9hG4bKnul");
	sc_msg_free(m);

	/* a NUL inside a value: the string stops there, nothing breaks */
	static const char msg2[] = "OPTIONS sip:x SIP/2.0\r\n"
	                           "Call-ID: ab\0cd\r\n"
	                           "CSeq: 1 OPTIONS\r\n\r\n";
	m = parse_len(msg2, sizeof(msg2) - 1);
	assert_true(m->flags & SC_MSG_MALFORMED);
	assert_str(m->call_id, "ab");
	assert_int_equal(m->method, SC_METHOD_OPTIONS);
	sc_msg_free(m);
}

static void
test_every_prefix(void **state)
{
	char *text = with_body(invite_head, invite_sdp);
	size_t len = strlen(text);
	size_t ok = 0, malformed = 0, rejected = 0;

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		struct sc_msg *m = NULL;
		struct sc_rawmsg raw;
		/* a prefix has bytes missing, as the framer would say */
		enum sc_err err = try_parse_flags(
			text, n, n < len ? SC_RAW_TRUNCATED : 0, &m);

		if (err == SC_EMALFORMED) {
			assert_null(m);
			rejected++;
		} else {
			assert_int_equal(err, SC_OK);
			assert_non_null(m);
			assert_int_equal(m->wire_len, n);
			assert_true(m->is_request);
			if (m->flags & SC_MSG_MALFORMED)
				malformed++;
			else
				ok++;
			/* a cut Call-ID line is never read */
			if (m->call_id)
				assert_str(m->call_id, "a84b4c76e66710@pc33."
				                       "atlanta.example.com");
			assert_true(m->body_len <= n);
			sc_msg_free(m);
		}
		/* the scan alone too */
		memset(&raw, 0, sizeof(raw));
		raw.data = (const uint8_t *)text;
		raw.len = n;
		err = sc_sipmsg_scan(&raw, &m);
		assert_true(err == SC_OK || err == SC_EMALFORMED);
		sc_msg_free(m);
	}
	assert_true(ok > 0);
	assert_true(rejected > 0);
	/* the full message parsed cleanly */
	assert_true(ok + malformed + rejected == len + 1);
	free(text);
}

/* A whole datagram whose last header has no line end: the header is
 * read; the same bytes cut by the snapshot length are not trusted. */
static void
test_unterminated_last_line(void **state)
{
	static const char text[] = "SIP/2.0 401 Unauthorized\r\n"
				   "CSeq: 3 REGISTER\r\n"
				   "Call-ID: abc@host";
	struct sc_rawmsg raw;
	struct sc_msg *m = NULL;

	(void)state;
	memset(&raw, 0, sizeof(raw));
	raw.data = (const uint8_t *)text;
	raw.len = sizeof(text) - 1;
	raw.flags = SC_RAW_NO_HEADER_END;
	assert_int_equal(sc_sipmsg_parse(parser, &raw, &m), SC_OK);
	assert_str(m->call_id, "abc@host");
	sc_msg_free(m);
	raw.flags = SC_RAW_TRUNCATED;
	assert_int_equal(sc_sipmsg_parse(parser, &raw, &m), SC_OK);
	assert_null(m->call_id);
	sc_msg_free(m);
}

static void
test_truncated_body(void **state)
{
	struct sc_msg *m;
	char *text = with_body(invite_head, invite_sdp);
	size_t cut = strlen(text) - 40;

	(void)state;
	/* oSIP rejects a body shorter than Content-Length: we do not */
	m = parse_len(text, cut);
	assert_int_equal(m->flags & SC_MSG_MALFORMED, 0);
	assert_int_equal(m->content_length, (int64_t)strlen(invite_sdp));
	assert_int_equal(m->body_len, strlen(invite_sdp) - 40);
	assert_str(m->call_id, "a84b4c76e66710@pc33.atlanta.example.com");
	assert_non_null(m->sdp);
	assert_int_equal(m->sdp->nmedia, 2);
	sc_msg_free(m);
	free(text);
}

static void
test_sdp_bare_lf_end(void **state)
{
	static const char sdp1[] = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n"
	                           "c=IN IP4 192.0.2.1\nt=0 0\n"
	                           "m=audio 4000 RTP/AVP 0\n";
	static const char sdp2[] = "v=0\nm=audio 4000 RTP/AVP 8";
	struct sc_arena a;
	struct sc_sdp *sdp;
	struct sc_msg *m;
	char *exact;

	(void)state;
	/* in a message: the body ends the buffer */
	m = parse_with_body("INVITE sip:b@x SIP/2.0\r\n"
	                    "Via: SIP/2.0/UDP h;branch=z9hG4bKlf\r\n"
	                    "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
	                    "Call-ID: lf\r\nCSeq: 1 INVITE\r\n"
	                    "Content-Type: application/sdp\r\n",
	                    sdp1);
	assert_non_null(m->sdp);
	assert_int_equal(m->sdp->nmedia, 1);
	assert_str(m->sdp->media[0].codecs, "PCMU/8000");
	assert_int_equal(m->sdp->media[0].port, 4000);
	sc_msg_free(m);

	/* the summariser on exact-size buffers */
	sc_arena_init(&a, 256);
	exact = malloc(sizeof(sdp1) - 1);
	assert_non_null(exact);
	memcpy(exact, sdp1, sizeof(sdp1) - 1);
	assert_int_equal(sc_sdp_parse(exact, sizeof(sdp1) - 1, &a, &sdp),
	                 SC_OK);
	assert_str(sdp->media[0].codecs, "PCMU/8000");
	free(exact);
	exact = malloc(sizeof(sdp2) - 1);
	assert_non_null(exact);
	memcpy(exact, sdp2, sizeof(sdp2) - 1);
	assert_int_equal(sc_sdp_parse(exact, sizeof(sdp2) - 1, &a, &sdp),
	                 SC_OK);
	assert_str(sdp->media[0].codecs, "PCMA/8000");
	/* every prefix */
	for (size_t n = 0; n < sizeof(sdp2) - 1; n++) {
		enum sc_err err = sc_sdp_parse(exact, n, &a, &sdp);

		assert_true(err == SC_OK || err == SC_EMALFORMED);
	}
	free(exact);
	assert_int_equal(sc_sdp_parse("hello", 5, &a, &sdp), SC_EMALFORMED);
	assert_null(sdp);
	sc_arena_fini(&a);
}

static void
test_body_without_content_type(void **state)
{
	struct sc_msg *m;

	(void)state;
	m = parse_with_body("SIP/2.0 183 Session Progress\r\n"
	                    "Via: SIP/2.0/UDP h;branch=z9hG4bKnoct\r\n"
	                    "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\n"
	                    "Call-ID: noct\r\nCSeq: 1 INVITE\r\n",
	                    "v=0\r\no=- 1 1 IN IP6 2001:db8::5\r\ns=-\r\n"
	                    "c=IN IP6 2001:db8::5\r\nt=0 0\r\n"
	                    "m=audio 5004 RTP/SAVP 9\r\n");
	assert_null(m->content_type);
	assert_int_equal(m->body_len, m->content_length);
	assert_non_null(m->sdp);
	assert_str(m->sdp->conn, "2001:db8::5");
	assert_str(m->sdp->media[0].proto, "RTP/SAVP");
	assert_str(m->sdp->media[0].codecs, "G722/8000");
	sc_msg_free(m);

	/* a non-SDP body without Content-Type is no SDP */
	m = parse_with_body("MESSAGE sip:b@x SIP/2.0\r\n"
	                    "Call-ID: msg\r\nCSeq: 1 MESSAGE\r\n",
	                    "hello");
	assert_int_equal(m->method, SC_METHOD_MESSAGE);
	assert_int_equal(m->body_len, 5);
	assert_null(m->sdp);
	sc_msg_free(m);
}

static void
test_multipart_sdp(void **state)
{
	struct sc_msg *m;

	(void)state;
	m = parse_with_body(
	        "INVITE sip:b@x SIP/2.0\r\n"
	        "Via: SIP/2.0/UDP h;branch=z9hG4bKmp\r\n"
	        "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
	        "Call-ID: mp\r\nCSeq: 1 INVITE\r\n"
	        "Content-Type: multipart/mixed;boundary=\"unique\"\r\n",
	        "--unique\r\n"
	        "Content-Type: application/isup; version=itu-t92+\r\n"
	        "\r\n"
	        "\x01\x02\x03\r\n"
	        "--unique\r\n"
	        "Content-Type: application/sdp\r\n"
	        "\r\n"
	        "v=0\r\nc=IN IP4 198.51.100.1\r\n"
	        "m=audio 6000 RTP/AVP 8 0\r\n"
	        "--unique--\r\n");
	assert_non_null(m->sdp);
	assert_str(m->sdp->conn, "198.51.100.1");
	assert_int_equal(m->sdp->nmedia, 1);
	assert_str(m->sdp->media[0].codecs, "PCMA/8000 PCMU/8000");
	sc_msg_free(m);
}

static void
test_session_id_and_icid(void **state)
{
	struct sc_msg *m;

	(void)state;
	m = parse_resp("SIP/2.0 200 OK",
	               "Session-ID: 00000000000000000000000000000000"
	               ";remote=00000000000000000000000000000000\r\n"
	               "P-Charging-Vector: icid-generated-at=192.0.2.1;"
	               "icid-value=1234bc9876e\r\n");
	assert_str(m->session_id, "00000000000000000000000000000000");
	assert_str(m->session_id_remote, "00000000000000000000000000000000");
	assert_str(m->icid, "1234bc9876e");
	sc_msg_free(m);

	m = parse_resp("SIP/2.0 100 Trying",
	               "Session-ID: 0123456789abcdef0123456789abcdef\r\n");
	assert_str(m->session_id, "0123456789abcdef0123456789abcdef");
	assert_null(m->session_id_remote);
	sc_msg_free(m);
}

static void
test_link_headers(void **state)
{
	static const char *const names[] = { "X-Leg", "X-Call-ID", NULL };
	struct sc_sipparser_opts opts = { .link_headers = names };
	struct sc_sipparser *own, *saved = parser;
	struct sc_msg *m;

	(void)state;
	m = parse_resp("SIP/2.0 200 OK", "x-cid: only-cid\r\n");
	assert_str(m->x_call_id, "only-cid");
	sc_msg_free(m);

	own = sc_sipparser_new(&opts);
	assert_non_null(own);
	parser = own;
	m = parse_resp(
	        "SIP/2.0 200 OK",
	        "X-Call-ID: second\r\nX-CID: ignored\r\nx-leg: first\r\n");
	assert_str(m->x_call_id, "first");
	sc_msg_free(m);
	parser = saved;
	sc_sipparser_free(own);
	sc_sipparser_free(NULL);
}

static void
test_methods(void **state)
{
	static const struct {
		const char *name;
		enum sc_method m;
	} cases[] = {
		{ "ACK", SC_METHOD_ACK },
		{ "BYE", SC_METHOD_BYE },
		{ "CANCEL", SC_METHOD_CANCEL },
		{ "OPTIONS", SC_METHOD_OPTIONS },
		{ "PRACK", SC_METHOD_PRACK },
		{ "SUBSCRIBE", SC_METHOD_SUBSCRIBE },
		{ "NOTIFY", SC_METHOD_NOTIFY },
		{ "PUBLISH", SC_METHOD_PUBLISH },
		{ "INFO", SC_METHOD_INFO },
		{ "REFER", SC_METHOD_REFER },
		{ "MESSAGE", SC_METHOD_MESSAGE },
		{ "UPDATE", SC_METHOD_UPDATE },
		{ "FOO", SC_METHOD_OTHER },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[512];
		struct sc_msg *m;

		snprintf(buf, sizeof(buf),
		         "%s sip:bob@example.com SIP/2.0\r\n"
		         "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK%zu\r\n"
		         "From: <sip:a@example.com>;tag=1\r\n"
		         "To: <sip:bob@example.com>;tag=2\r\n"
		         "Call-ID: meth-%zu\r\n"
		         "CSeq: 10 %s\r\n"
		         "Content-Length: 0\r\n\r\n",
		         cases[i].name, i, i, cases[i].name);
		m = parse(buf);
		assert_int_equal(m->flags & SC_MSG_MALFORMED, 0);
		assert_int_equal(m->method, cases[i].m);
		assert_str(m->method_name, cases[i].name);
		assert_int_equal(m->cseq_method, cases[i].m);
		assert_str(m->cseq_method_name, cases[i].name);
		sc_msg_free(m);
	}
}

static void
test_method_helpers(void **state)
{
	(void)state;
	assert_int_equal(sc_method_from_name("INVITE", 6), SC_METHOD_INVITE);
	assert_int_equal(sc_method_from_name("INVITEX", 6), SC_METHOD_INVITE);
	assert_int_equal(sc_method_from_name("invite", 6), SC_METHOD_OTHER);
	assert_int_equal(sc_method_from_name("INVIT", 5), SC_METHOD_OTHER);
	assert_int_equal(sc_method_from_name("UPDATE", 6), SC_METHOD_UPDATE);
	assert_int_equal(sc_method_from_name(NULL, 0), SC_METHOD_OTHER);
	assert_int_equal(sc_method_from_name("", 0), SC_METHOD_OTHER);
	for (int i = 1; i < SC_METHOD__COUNT; i++) {
		const char *n = sc_method_name((enum sc_method)i);

		assert_true(strlen(n) > 0);
		assert_int_equal(sc_method_from_name(n, strlen(n)), i);
	}
	assert_string_equal(sc_method_name(SC_METHOD_OTHER), "");
	assert_string_equal(sc_method_name(SC_METHOD_BYE), "BYE");
	assert_string_equal(sc_method_name(SC_METHOD__COUNT), "");
}

static void
test_no_call_id_and_garbage(void **state)
{
	struct sc_msg *m = NULL;

	(void)state;
	m = parse("OPTIONS sip:x@example.com SIP/2.0\r\n"
	          "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKo\r\n"
	          "CSeq: 1 OPTIONS\r\n\r\n");
	assert_true(m->flags & SC_MSG_NO_CALL_ID);
	assert_null(m->call_id);
	assert_int_equal(m->cseq, 1);
	sc_msg_free(m);

	assert_int_equal(try_parse_len("", 0, &m), SC_EMALFORMED);
	assert_null(m);
	assert_int_equal(try_parse_len("\r\n\r\n", 4, &m), SC_EMALFORMED);
	assert_int_equal(try_parse_len("hello world\r\n\r\n", 15, &m),
	                 SC_EMALFORMED);
	assert_int_equal(try_parse_len("SIP/2.0 abc OK\r\n\r\n", 18, &m),
	                 SC_EMALFORMED);
	assert_int_equal(
	        try_parse_len("\xff\xfe sip:x SIP/2.0\r\n\r\n", 19, &m),
	        SC_EMALFORMED);

	/* a status line without reason phrase: oSIP refuses, we keep it */
	m = parse("SIP/2.0 200\r\nCall-ID: nr\r\nCSeq: 1 BYE\r\n\r\n");
	assert_true(m->flags & SC_MSG_MALFORMED);
	assert_int_equal(m->status, 200);
	assert_null(m->reason_phrase);
	assert_int_equal(m->cseq_method, SC_METHOD_BYE);
	sc_msg_free(m);
}

static void
test_odd_but_valid(void **state)
{
	struct sc_msg *m;

	(void)state;
	/* folded headers, leading CRLF, tel: URI, odd bytes in a name */
	m = parse("\r\n\r\nINVITE tel:+1-555-0100;phone-context=x SIP/2.0\r\n"
	          "Via: SIP/2.0/UDP 192.0.2.1\r\n"
	          "  ;branch=z9hG4bKfold\r\n"
	          "From: \"\x1b[31m\xc3\x28\" <sip:evil@example.com>;tag=e\r\n"
	          "To: tel:+15550100\r\n"
	          "Call-ID: fold-1\r\n"
	          "CSeq: 1 INVITE\r\n"
	          "Require: timer,\r\n"
	          "\t100rel\r\n"
	          "Subject: lunch\r\n\r\n");
	assert_int_equal(m->flags & SC_MSG_MALFORMED, 0);
	assert_str(m->ruri_user, "+1-555-0100");
	assert_str(m->via_branch, "z9hG4bKfold");
	assert_str(m->from.display, "\x1b[31m\xc3\x28");
	assert_str(m->to.user, "+15550100");
	assert_str(m->require, "timer, 100rel");
	sc_msg_free(m);

	/* the same through the raw scan */
	{
		static const char msg[] = "BYE sip:b@x SIP/2.0\r\n"
		                          "Via: SIP/2.0/UDP 192.0.2.1\r\n"
		                          "  ;branch=z9hG4bKfold\r\n"
		                          "Require: timer,\r\n"
		                          "\t100rel\r\n"
		                          "Call-ID: fold-2\r\n\r\n";
		struct sc_rawmsg raw;

		memset(&raw, 0, sizeof(raw));
		raw.data = (const uint8_t *)msg;
		raw.len = sizeof(msg) - 1;
		assert_int_equal(sc_sipmsg_scan(&raw, &m), SC_OK);
		assert_str(m->via_branch, "z9hG4bKfold");
		assert_str(m->via_sent_by, "192.0.2.1");
		assert_str(m->require, "timer, 100rel");
		assert_str(m->call_id, "fold-2");
		sc_msg_free(m);
	}
}

/* oSIP prints errors on stdout by default: nothing may get there. */
static void
test_quiet_stdout(void **state)
{
	static const char *const bad[] = {
		"INVITE sip:b@x SIP/2.0\r\nVia: garbage\r\nCall-ID: q\r\n\r\n",
		"SIP/2.0 200 OK\r\nFrom: <<<\r\nCall-ID: q\r\n\r\n",
		"INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nCSeq: x\r\n",
		("SIP/2.0 200 OK\r\nContent-Type: multipart/mixed\r\n"
		 "Content-Length: 5\r\n\r\nabcde"),
		"INVITE sip:b@x SIP/2.0\r\nCall-ID: q\r\nX: \x01\r\n \r\n",
	};
	char path[] = "/tmp/sc-sipmsg-stdout-XXXXXX";
	int fd, saved;
	struct stat st;
	enum sc_err errs[SC_COUNTOF(bad)];

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);
	/* no cmocka assertion while stdout is redirected */
	for (size_t i = 0; i < SC_COUNTOF(bad); i++) {
		struct sc_rawmsg raw;
		struct sc_msg *m = NULL;

		memset(&raw, 0, sizeof(raw));
		raw.data = (const uint8_t *)bad[i];
		raw.len = strlen(bad[i]);
		errs[i] = sc_sipmsg_parse(parser, &raw, &m);
		sc_msg_free(m);
	}
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	unlink(path);
	assert_int_equal(st.st_size, 0);
	for (size_t i = 0; i < SC_COUNTOF(bad); i++)
		assert_int_equal(errs[i], SC_OK);
}

static void
test_global_init_idempotent(void **state)
{
	struct sc_msg *m;

	(void)state;
	sc_sipmsg_global_init();
	sc_sipmsg_global_init();
	m = parse_resp("SIP/2.0 200 OK", "");
	assert_int_equal(m->status, 200);
	sc_msg_free(m);
	sc_msg_free(NULL);
}

static int
group_setup(void **state)
{
	(void)state;
	sc_sipmsg_global_init();
	parser = sc_sipparser_new(NULL);
	return parser ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	sc_sipparser_free(parser);
	parser = NULL;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_invite),
		cmocka_unit_test(test_180_ringing),
		cmocka_unit_test(test_200_static_payloads),
		cmocka_unit_test(test_auth_challenges),
		cmocka_unit_test(test_failure_responses),
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_compact_forms),
		cmocka_unit_test(test_via_counts),
		cmocka_unit_test(test_bad_via),
		cmocka_unit_test(test_nul_in_headers),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_unterminated_last_line),
		cmocka_unit_test(test_truncated_body),
		cmocka_unit_test(test_sdp_bare_lf_end),
		cmocka_unit_test(test_body_without_content_type),
		cmocka_unit_test(test_multipart_sdp),
		cmocka_unit_test(test_session_id_and_icid),
		cmocka_unit_test(test_link_headers),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_method_helpers),
		cmocka_unit_test(test_no_call_id_and_garbage),
		cmocka_unit_test(test_odd_but_valid),
		cmocka_unit_test(test_quiet_stdout),
		cmocka_unit_test(test_global_init_idempotent),
	};

	return cmocka_run_group_tests_name("sipmsg", tests, group_setup,
	                                   group_teardown);
}
