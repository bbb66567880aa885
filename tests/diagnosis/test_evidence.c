/* test_evidence.c - causes built from the evidence a response carries
 *
 * Facts are built in memory; where a case comes from a public capture of
 * ../shared/corpus, the header values are the ones read in its packets
 * with tshark (file and frame named above the test), and two cases run
 * the messages' text through the real parser first.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sipcause/diagnosis/evidence.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/frame/sipframe.h"
#include "sipcause/sip/sipmsg.h"

static void
assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static void
assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("\"%s\" contains \"%s\"", hay, needle);
}

/* The rule fired is one of the documented ids. */
static void
assert_listed(const char *rule)
{
	for (size_t i = 0; sc_evidence_rule_ids[i]; i++)
		if (strcmp(sc_evidence_rule_ids[i], rule) == 0)
			return;
	fail_msg("rule %s is not in sc_evidence_rule_ids", rule);
}

/* What item() gives after failing (cmocka's fail_msg does not return,
 * but the compiler cannot know). */
static const struct sc_ev_item none;

static const struct sc_ev_item *
item(const struct sc_cause *c, enum sc_ev_kind kind)
{
	for (size_t i = 0; i < c->nitems; i++)
		if (c->items[i].kind == kind)
			return &c->items[i];
	fail_msg("no %s item", sc_ev_kind_id(kind));
	return &none;
}

static bool
has_item(const struct sc_cause *c, enum sc_ev_kind kind)
{
	for (size_t i = 0; i < c->nitems; i++)
		if (c->items[i].kind == kind)
			return true;
	return false;
}

/* Run sc_evidence_cause() and check the rule and category. */
static void
expect(const struct sc_response_facts *f, struct sc_cause *c,
       const char *rule, enum sc_category cat)
{
	bool fired = sc_evidence_cause(f, c);

	if (!rule) {
		assert_false(fired);
		assert_null(c->rule);
		return;
	}
	assert_true(fired);
	assert_non_null(c->rule);
	assert_string_equal(c->rule, rule);
	assert_listed(c->rule);
	assert_int_equal(c->cat, cat);
	assert_true(strlen(c->cause) > 0);
}

static struct sc_msg *
parse(const char *text)
{
	struct sc_rawmsg raw;
	struct sc_msg *m = NULL;

	memset(&raw, 0, sizeof(raw));
	raw.data = (const uint8_t *)text;
	raw.len = strlen(text);
	assert_int_equal(sc_sipmsg_scan(&raw, &m), SC_OK);
	return m;
}

/* goffinet-sip_captures/private-test-sip.pcapng frames 240 and 241 (the
 * INVITE cut to the headers that matter): repro answers 480 "No DNS
 * results" with Warning 399 sip1. A DNS failure at the proxy, not an
 * offline callee. */
static void
test_dns_failure_from_packets(void **state)
{
	static const char invite[] =
		"INVITE sip:1111@domain.xyz SIP/2.0\r\n"
		"Call-ID: 741b6f60b38df95d7f6bf79c864eafe1@0:0:0:0:0:0:0:0\r\n"
		"CSeq: 1 INVITE\r\n"
		"From: \"telephone2\" <sip:telephone2@domain.xyz>;"
		"tag=a273c7bd\r\n"
		"To: <sip:1111@domain.xyz>\r\n"
		"Via: SIP/2.0/UDP 172.16.98.1:5060;"
		"branch=z9hG4bK-343230-c962e42cb8ffbcffccee3207a558f1e4\r\n"
		"Max-Forwards: 70\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char resp[] =
		"SIP/2.0 480 No DNS results\r\n"
		"Via: SIP/2.0/UDP 172.16.98.1:5060;"
		"branch=z9hG4bK-343230-c962e42cb8ffbcffccee3207a558f1e4\r\n"
		"To: <sip:1111@domain.xyz>;tag=ff323b43\r\n"
		"From: \"telephone2\"<sip:telephone2@domain.xyz>;"
		"tag=a273c7bd\r\n"
		"Call-ID: 741b6f60b38df95d7f6bf79c864eafe1@0:0:0:0:0:0:0:0\r\n"
		"CSeq: 1 INVITE\r\n"
		"Server: repro 1.9.7\r\n"
		"Warning: 399 sip1 \"No other DNS entries to try (0,0)\"\r\n"
		"Content-Length: 0\r\n\r\n";
	struct sc_msg *req = parse(invite), *rsp = parse(resp);
	struct sc_response_facts f;
	struct sc_warning_fact w;
	struct sc_cause c;
	const struct sc_ev_item *it;

	(void)state;
	sc_response_facts_from_msgs(&f, req, rsp, &w);
	expect(&f, &c, "routing.dns-failure", SC_CAT_SERVER);
	assert_true(c.decisive);
	assert_false(c.normal);
	assert_contains(c.cause, "\"No DNS results\"");
	assert_contains(c.cause, "Warning 399 from sip1");
	assert_contains(c.cause, "\"No other DNS entries to try (0,0)\"");
	assert_contains(c.cause, "not the callee being offline");
	it = item(&c, SC_EV_REASON_PHRASE);
	assert_string_equal(it->value, "No DNS results");
	assert_int_equal(it->num, 480);
	it = item(&c, SC_EV_WARNING);
	assert_int_equal(it->num, 399);
	assert_string_equal(it->value, "No other DNS entries to try (0,0)");
	assert_contains(it->text, "sip1");
	sc_msg_free(req);
	sc_msg_free(rsp);
}

/* goffinet-sip_captures/sip-register-to-repo-proxy.pcapng frame 26: the
 * same answer to a REGISTER. */
static void
test_dns_failure_register(void **state)
{
	struct sc_warning_fact w = { 399, "sip1",
				     "No other DNS entries to try (0,0)" };
	struct sc_response_facts f;
	struct sc_cause c;

	(void)state;
	sc_response_facts_init(&f);
	f.status = 480;
	f.reason_phrase = "No DNS results";
	f.method = "REGISTER";
	f.warnings = &w;
	f.nwarnings = 1;
	expect(&f, &c, "routing.dns-failure", SC_CAT_SERVER);
	assert_contains(c.cause, "The 480 to the REGISTER says");
	/* the Warning alone is enough */
	f.reason_phrase = "Temporarily Unavailable";
	expect(&f, &c, "routing.dns-failure", SC_CAT_SERVER);
	assert_lacks(c.cause, "Temporarily Unavailable");
	assert_false(has_item(&c, SC_EV_REASON_PHRASE));
}

/* zeek/wireshark.pcap frames 12 and 13: REGISTER CSeq 73 with credentials
 * for voi18062, answered "401 nonce has changed" (stale=false in the
 * challenge); CSeq 75 with the same user got 200 (frame 18). */
static void
test_stale_nonce_reason_phrase(void **state)
{
	struct sc_response_facts f;
	struct sc_cause c;
	const struct sc_ev_item *it;

	(void)state;
	sc_response_facts_init(&f);
	f.status = 401;
	f.reason_phrase = "nonce has changed";
	f.method = "REGISTER";
	f.max_forwards = 70;
	f.has_credentials = true;
	f.credentials = "Digest username=\"voi18062\","
			"realm=\"sip.cybercity.dk\",uri=\"sip:192.168.1.2\","
			"nonce=\"1701b16a2a09bc3847cfd2015612fe2\","
			"opaque=\"1701a1351f70795\",nc=\"00000001\","
			"response=\"29cd776112a709cb9cbe978baff5e478\"";
	f.challenge = "Digest realm=\"sip.cybercity.dk\",nonce=\"1701b191514c6"
		      "b695b4a2dd659cc0ff\",opaque=\"1701a1351f70795\","
		      "stale=false,algorithm=MD5";
	f.accepted_later = true;
	expect(&f, &c, "auth.stale-nonce", SC_CAT_AUTH);
	assert_true(c.decisive);
	assert_true(c.normal);
	assert_contains(c.cause, "not the password");
	assert_contains(c.cause, "\"nonce has changed\"");
	assert_contains(c.cause, "later retry with the same user name was "
				 "accepted");
	assert_lacks(c.cause, "wrong password");
	it = item(&c, SC_EV_CREDENTIALS);
	assert_contains(it->text, "\"voi18062\"");
	it = item(&c, SC_EV_CHALLENGE);
	assert_contains(it->text, "stale=false");
	assert_contains(it->text, "1701b191514c6b695b4a2dd659cc0ff");
	item(&c, SC_EV_LATER_SUCCESS);

	/* not retried with success: still a stale nonce, not "normal" */
	f.accepted_later = false;
	expect(&f, &c, "auth.stale-nonce", SC_CAT_AUTH);
	assert_false(c.normal);
	assert_false(has_item(&c, SC_EV_LATER_SUCCESS));
}

/* ptavi-p5-ziyua/p5.libpcap.converted.pcapng frame 38: ekiga.net says
 * stale=true in the challenge itself. */
static void
test_stale_nonce_flag(void **state)
{
	struct sc_response_facts f;
	struct sc_cause c;

	(void)state;
	sc_response_facts_init(&f);
	f.status = 401;
	f.reason_phrase = "Unauthorized";
	f.method = "REGISTER";
	f.has_credentials = true;
	f.challenge = "Digest realm=\"ekiga.net\", nonce=\"5460c0970001438edf0f"
		      "034c93af3db0ac3fe448be4ee766\", stale=true";
	expect(&f, &c, "auth.stale-nonce", SC_CAT_AUTH);
	assert_contains(c.cause, "says stale=true");
	assert_false(has_item(&c, SC_EV_REASON_PHRASE));
	assert_contains(item(&c, SC_EV_CHALLENGE)->text, "stale=true");

	/* the first challenge of a request without credentials says
	 * nothing more than its code */
	f.has_credentials = false;
	expect(&f, &c, NULL, SC_CAT_AUTH);
	f.challenge = "Digest realm=\"ekiga.net\", nonce=\"5460\", stale=false";
	f.has_credentials = true;
	expect(&f, &c, NULL, SC_CAT_AUTH);
}

/* pcap2sipp/example.pcap frames 37 and 38: an INVITE sent with
 * Max-Forwards 0 gets 483 with Warning 399 "Max-Forwards zero". */
static void
test_max_forwards_zero_from_packets(void **state)
{
	static const char invite[] =
		"INVITE sip:Sip-Probe@172.22.204.69:5060 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.252.41.104:5060;"
		"branch=z9hG4bK.iIiIiI.0a02fec5.0d3da1\r\n"
		"To:  <sip:Sip-Probe@172.22.204.69;user=phone>\r\n"
		"From: <sip:sipgw@10.252.41.104;user=phone>;tag=000d3d8a\r\n"
		"Call-ID: SIP_PROBE-Proxi-12-0-50c0764f@172.22.204.69\r\n"
		"CSeq:  1 INVITE\r\n"
		"Max-Forwards: 0\r\n"
		"Contact: <sip:Probe.iIiIiI.0a02fec5.@10.252.41.104>\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char resp[] =
		"SIP/2.0 483 Too Many Hops\r\n"
		"Via: SIP/2.0/UDP 10.252.41.104:5060;"
		"branch=z9hG4bK.iIiIiI.0a02fec5.0d3da1\r\n"
		"Call-ID: SIP_PROBE-Proxi-12-0-50c0764f@172.22.204.69\r\n"
		"From: <sip:sipgw@10.252.41.104;user=phone>;tag=000d3d8a\r\n"
		"To: <sip:Sip-Probe@172.22.204.69;user=phone>;tag=f321032f\r\n"
		"CSeq: 1 INVITE\r\n"
		"Warning: 399  \"Max-Forwards zero\"\r\n"
		"Content-Length: 0\r\n\r\n";
	struct sc_msg *req = parse(invite), *rsp = parse(resp);
	struct sc_response_facts f;
	struct sc_warning_fact w;
	struct sc_cause c;
	const struct sc_ev_item *it;

	(void)state;
	assert_int_equal(req->max_forwards, 0);
	sc_response_facts_from_msgs(&f, req, rsp, &w);
	expect(&f, &c, "loop.max-forwards-zero", SC_CAT_PROTOCOL);
	assert_true(c.decisive);
	assert_contains(c.cause, "Max-Forwards 0 on the INVITE");
	assert_contains(c.cause, "not a routing loop");
	it = item(&c, SC_EV_MAX_FORWARDS);
	assert_int_equal(it->num, 0);
	assert_contains(it->text, "INVITE was sent with Max-Forwards 0");
	/* this Warning has no warn-agent (two spaces after 399); the
	 * parser takes its first word for the agent, so only the end of
	 * the text is checked here */
	it = item(&c, SC_EV_WARNING);
	assert_int_equal(it->num, 399);
	assert_contains(it->value, "zero");
	sc_msg_free(req);
	sc_msg_free(rsp);
}

/* A 483 to a request that left with 70 hops is a loop: not this rule. */
static void
test_max_forwards_normal(void **state)
{
	struct sc_response_facts f;
	struct sc_cause c;

	(void)state;
	sc_response_facts_init(&f);
	f.status = 483;
	f.reason_phrase = "Too Many Hops";
	f.method = "INVITE";
	f.max_forwards = 70;
	expect(&f, &c, NULL, SC_CAT_LOOP);
	assert_int_equal(item(&c, SC_EV_MAX_FORWARDS)->num, 70);
}

static void
test_no_route(void **state)
{
	struct sc_warning_fact w = { 399, "gw1.example.net",
				     "No route to destination 4930123" };
	struct sc_response_facts f;
	struct sc_cause c;

	(void)state;
	sc_response_facts_init(&f);
	f.status = 404;
	f.reason_phrase = "No Route";
	f.method = "INVITE";
	expect(&f, &c, "routing.no-route", SC_CAT_NOT_FOUND);
	assert_contains(c.cause, "\"No Route\"");
	assert_contains(c.cause, "not a user that does not exist");
	assert_string_equal(item(&c, SC_EV_REASON_PHRASE)->value, "No Route");

	/* said in a Warning with the RFC phrase */
	f.reason_phrase = "Not Found";
	f.warnings = &w;
	f.nwarnings = 1;
	expect(&f, &c, "routing.no-route", SC_CAT_NOT_FOUND);
	assert_contains(c.cause, "No route to destination 4930123");

	/* a plain 404 says nothing beyond its code */
	f.nwarnings = 0;
	expect(&f, &c, NULL, SC_CAT_NOT_FOUND);
	assert_int_equal(c.nitems, 0);
}

static void
test_registrar_disabled(void **state)
{
	struct sc_warning_fact w = { 399, "pbx.example.com",
				     "Registrar disabled" };
	struct sc_response_facts f;
	struct sc_cause c;

	(void)state;
	sc_response_facts_init(&f);
	f.status = 503;
	f.reason_phrase = "Service Unavailable";
	f.method = "REGISTER";
	f.warnings = &w;
	f.nwarnings = 1;
	expect(&f, &c, "config.registrar-disabled", SC_CAT_SERVER);
	assert_true(c.decisive);
	assert_contains(c.cause, "\"Registrar disabled\"");
	assert_contains(c.cause, "not overload");

	/* a 503 with only Retry-After stays the code's (overload) */
	f.nwarnings = 0;
	f.retry_after = 30;
	expect(&f, &c, NULL, SC_CAT_OVERLOAD);
	assert_int_equal(item(&c, SC_EV_RETRY_AFTER)->num, 30);
}

static void
test_ims_aka_challenge(void **state)
{
	struct sc_response_facts f;
	struct sc_cause c;

	(void)state;
	sc_response_facts_init(&f);
	f.status = 401;
	f.reason_phrase = "Unauthorized";
	f.method = "REGISTER";
	f.has_credentials = true;
	f.credentials = "Digest username=\"001010000000001@ims.mnc001.mcc001."
			"3gppnetwork.org\", realm=\"ims.mnc001.mcc001.3gppnetw"
			"ork.org\", uri=\"sip:ims.mnc001.mcc001.3gppnetwork.or"
			"g\", nonce=\"\", response=\"\"";
	f.challenge = "Digest realm=\"ims.mnc001.mcc001.3gppnetwork.org\", "
		      "nonce=\"Zm9vYmFyYmF6\", algorithm=AKAv1-MD5, "
		      "qop=\"auth\"";
	expect(&f, &c, "auth.ims-aka-challenge", SC_CAT_AUTH);
	assert_true(c.normal);
	assert_true(c.decisive);
	assert_contains(c.cause, "first step of an IMS registration");
	assert_contains(c.cause, "empty digest response");
	assert_contains(c.cause, "AKAv1-MD5");
	assert_contains(item(&c, SC_EV_CREDENTIALS)->text,
			"with an empty response");
	assert_contains(item(&c, SC_EV_CHALLENGE)->text, "AKAv1-MD5");
	assert_contains(item(&c, SC_EV_CHALLENGE)->text, "qop=auth");

	/* without any credentials at all */
	f.has_credentials = false;
	f.credentials = NULL;
	expect(&f, &c, "auth.ims-aka-challenge", SC_CAT_AUTH);
	assert_contains(c.cause, "no credentials yet");

	/* an MD5 challenge to real credentials is not AKA */
	f.has_credentials = true;
	f.credentials = "Digest username=\"alice\", nonce=\"abc\", "
			"response=\"0123456789abcdef0123456789abcdef\"";
	f.challenge = "Digest realm=\"example.com\", nonce=\"def\", "
		      "algorithm=MD5";
	expect(&f, &c, NULL, SC_CAT_AUTH);

	/* an INVITE is never the IMS registration step */
	f.method = "INVITE";
	f.credentials = NULL;
	f.has_credentials = false;
	f.challenge = "Digest realm=\"x\", nonce=\"y\", algorithm=AKAv1-MD5";
	expect(&f, &c, NULL, SC_CAT_AUTH);
}

static void
test_icmp(void **state)
{
	struct sc_response_facts f;
	struct sc_cause c;

	(void)state;
	sc_response_facts_init(&f);
	f.method = "INVITE";
	f.icmp_version = 4;
	f.icmp_type = 3;
	f.icmp_code = 13;
	f.icmp_text = "communication administratively prohibited";
	f.icmp_from = "198.51.100.1";
	expect(&f, &c, "icmp.prohibited", SC_CAT_FORBIDDEN);
	assert_contains(c.cause, "A firewall refused the INVITE");
	assert_contains(c.cause, "198.51.100.1");
	assert_contains(c.cause, "administratively prohibited");
	assert_int_equal(item(&c, SC_EV_ICMP)->num, 3 * 256 + 13);

	f.icmp_version = 6;
	f.icmp_type = 1;
	f.icmp_code = 1;
	expect(&f, &c, "icmp.prohibited", SC_CAT_FORBIDDEN);

	f.icmp_version = 4;
	f.icmp_type = 3;
	f.icmp_code = 3;
	f.icmp_text = "port unreachable";
	expect(&f, &c, "icmp.port-unreachable", SC_CAT_TIMEOUT);
	assert_contains(c.cause, "Nothing listens for SIP");

	f.icmp_code = 1;
	f.icmp_text = "host unreachable";
	expect(&f, &c, "icmp.unreachable", SC_CAT_TIMEOUT);
	assert_contains(c.cause, "\"host unreachable\"");

	/* no response and no ICMP: nothing to say */
	f.icmp_version = 0;
	expect(&f, &c, NULL, SC_CAT_UNKNOWN);
}

/* A Q.850 cause in a Reason header names the cause; the Q.850 line is
 * that cause, not the code's usual mapping. */
static void
test_q850(void **state)
{
	struct sc_response_facts f;
	struct sc_cause c;
	const struct sc_ev_item *it;

	(void)state;
	sc_response_facts_init(&f);
	f.status = 503;
	f.reason_phrase = "Service Unavailable";
	f.method = "INVITE";
	f.reason_hdr = "Q.850;cause=34;text=\"No circuit available\"";
	expect(&f, &c, "q850.overload", SC_CAT_OVERLOAD);
	assert_int_equal(c.q850, 34);
	assert_true(c.decisive);
	assert_contains(c.cause, "Q.850 cause 34 (No circuit/channel "
				 "available)");
	assert_contains(c.cause, "\"No circuit available\"");
	assert_true(sc_kb_sip_to_q850(503) != 34); /* the line must change */
	it = item(&c, SC_EV_REASON_Q850);
	assert_int_equal(it->num, 34);
	assert_string_equal(it->value, "No circuit available");

	/* the same cause relayed upstream as 480 is still the carrier's */
	f.status = 480;
	f.reason_phrase = "Temporarily Unavailable";
	expect(&f, &c, "q850.overload", SC_CAT_OVERLOAD);

	/* zeek/wireshark.pcap frame 75: "480 Error", Reason q.850;cause=21 */
	f.reason_phrase = "Error";
	f.reason_hdr = "q.850;cause=21";
	expect(&f, &c, "q850.declined", SC_CAT_DECLINED);
	assert_int_equal(c.q850, 21);
	assert_contains(c.cause, "Call rejected");
	/* a bare "Error" adds nothing to the code */
	assert_false(has_item(&c, SC_EV_REASON_PHRASE));

	/* heplify/h3435a1-sip_sctp.pcap frame 4 */
	f.status = 403;
	f.reason_phrase = "The reason is nocallee";
	f.reason_hdr = "Q.850;cause=21;text=\"nocallee\"";
	expect(&f, &c, "q850.declined", SC_CAT_DECLINED);

	f.status = 486;
	f.reason_phrase = "Busy Here";
	f.reason_hdr = "Q.850;cause=17";
	expect(&f, &c, "q850.busy", SC_CAT_BUSY);

	/* 16 says nothing about the failure: the code's category stays */
	f.status = 480;
	f.reason_phrase = "Temporarily Unavailable";
	f.reason_hdr = "Q.850 ;cause=16 ;text=\"local\"";
	expect(&f, &c, "q850.unavailable", SC_CAT_UNAVAILABLE);
	assert_false(c.decisive);
	assert_int_equal(c.q850, 16);
	assert_contains(c.cause, "Normal call clearing");
	assert_contains(c.cause, "\"local\"");
}

static void
test_reason_sip(void **state)
{
	struct sc_response_facts f;
	struct sc_cause c;

	(void)state;
	sc_response_facts_init(&f);
	f.status = 480;
	f.reason_phrase = "Temporarily Unavailable";
	f.method = "INVITE";
	f.reason_hdr = "SIP;cause=503;text=\"Service Unavailable\"";
	expect(&f, &c, "reason.sip-relayed", SC_CAT_OVERLOAD);
	assert_true(c.decisive);
	assert_contains(c.cause, "passes on a 503");
	assert_int_equal(item(&c, SC_EV_REASON_SIP)->num, 503);

	/* both protocols: the Q.850 cause wins, both are cited */
	f.reason_hdr = "SIP;cause=503;text=\"a, b\", Q.850;cause=34";
	expect(&f, &c, "q850.overload", SC_CAT_OVERLOAD);
	assert_string_equal(item(&c, SC_EV_REASON_SIP)->value, "a, b");
	assert_int_equal(item(&c, SC_EV_REASON_Q850)->num, 34);

	/* heplify/hecde73-erspan_sip_ipv4_udp.pcapng frame 118 */
	f.status = 488;
	f.reason_phrase = "Not Acceptable Here";
	f.reason_hdr = "SIP;cause=488;text=\"Transfer impossible: No call "
		       "handling ressources\"";
	expect(&f, &c, "reason.sip-text", SC_CAT_MEDIA);
	assert_false(c.decisive);
	assert_contains(c.cause, "\"Transfer impossible: No call handling "
				 "ressources\"");
}

/* Reason phrases that are not the RFC's are quoted. */
static void
test_own_phrases(void **state)
{
	struct sc_response_facts f;
	struct sc_cause c;

	(void)state;
	sc_response_facts_init(&f);
	f.method = "INVITE";
	f.status = 403;
	f.reason_phrase = "Forbidden - IP not allowed";
	expect(&f, &c, "policy.ip-blocked", SC_CAT_FORBIDDEN);
	assert_contains(c.cause, "\"Forbidden - IP not allowed\"");
	assert_contains(c.cause, "allow-list");

	f.reason_phrase = "Insufficient funds";
	expect(&f, &c, "account.no-funds", SC_CAT_FORBIDDEN);
	assert_contains(c.cause, "\"Insufficient funds\"");

	f.reason_phrase = "Account suspended";
	expect(&f, &c, "account.disabled", SC_CAT_FORBIDDEN);

	/* zeek/wireshark.pcap frame 5 */
	f.method = "REGISTER";
	f.reason_phrase = "Wrong password";
	expect(&f, &c, "auth.wrong-password", SC_CAT_AUTH);
	assert_contains(c.cause, "\"Wrong password\"");
	/* goffinet-sip_captures/private-test-sip.pcapng frame 6 */
	f.reason_phrase = "Authentication Failed";
	expect(&f, &c, "auth.wrong-password", SC_CAT_AUTH);

	/* goffinet-sip_captures/sip-flow-private.pcapng frame 637 */
	f.method = "INVITE";
	f.status = 500;
	f.reason_phrase = "Request out of order";
	f.retry_after = 10;
	expect(&f, &c, "reason.stated", SC_CAT_SERVER);
	assert_false(c.decisive);
	assert_contains(c.cause, "\"Request out of order\"");
	assert_int_equal(item(&c, SC_EV_RETRY_AFTER)->num, 10);

	/* shortened or older spellings are not evidence either */
	f.status = 407;
	f.reason_phrase = "authentication required";
	expect(&f, &c, NULL, SC_CAT_AUTH);
	f.status = 481;
	f.reason_phrase = "Call leg/Transaction does not exist";
	expect(&f, &c, NULL, SC_CAT_PROTOCOL);
	/* snort3_demo/ipv4.pcap frame 2: a 487 that says "Busy Here" */
	f.status = 487;
	f.reason_phrase = "Busy Here";
	f.retry_after = -1;
	expect(&f, &c, "reason.stated", SC_CAT_CANCELLED);
	assert_contains(c.cause, "\"Busy Here\"");

	/* the RFC's phrase, in any case, is not evidence */
	f.status = 405;
	f.reason_phrase = "method not allowed";
	f.retry_after = -1;
	expect(&f, &c, NULL, SC_CAT_PROTOCOL);
	assert_int_equal(c.nitems, 0);

	/* success: items only, never a cause */
	f.status = 200;
	f.reason_phrase = "ok -- no more pending branches";
	expect(&f, &c, NULL, SC_CAT_OK);
	assert_true(has_item(&c, SC_EV_REASON_PHRASE));
}

/* zeek/wireshark.pcap frame 26: SER's Warning 392 is debug output. */
static void
test_noise_warning(void **state)
{
	struct sc_warning_fact w = {
		392, "200.68.120.81:5060",
		"Noisy feedback tells:  pid=32753 req_src_ip=80.230.219.70 "
		"req_src_port=5060 in_uri=sip:97239287044@voip.brujula.net "
		"out_uri=sip:97239287044@voip.brujula.net via_cnt==0"
	};
	struct sc_response_facts f;
	struct sc_cause c;
	const struct sc_ev_item *it;

	(void)state;
	sc_response_facts_init(&f);
	f.status = 408;
	f.reason_phrase = "Request Timeout";
	f.method = "INVITE";
	f.warnings = &w;
	f.nwarnings = 1;
	expect(&f, &c, NULL, SC_CAT_TIMEOUT);
	it = item(&c, SC_EV_WARNING);
	assert_int_equal(it->num, 392);
	assert_true(strlen(it->value) <= SC_EVIDENCE_WIRE_MAX);
}

/* Wire strings are kept as given but capped, never mid-character. */
static void
test_wire_caps(void **state)
{
	char phrase[400];
	struct sc_response_facts f;
	struct sc_cause c;
	const struct sc_ev_item *it;

	(void)state;
	memset(phrase, 'x', sizeof(phrase) - 1);
	phrase[sizeof(phrase) - 1] = 0;
	memcpy(phrase + SC_EVIDENCE_WIRE_MAX - 1, "\xc3\xa9", 2);
	sc_response_facts_init(&f);
	f.status = 403;
	f.reason_phrase = phrase;
	expect(&f, &c, "reason.stated", SC_CAT_FORBIDDEN);
	it = item(&c, SC_EV_REASON_PHRASE);
	assert_int_equal(strlen(it->value), SC_EVIDENCE_WIRE_MAX - 1);
	assert_true(strlen(c.cause) < SC_EVIDENCE_CAUSE_MAX);

	/* control characters stay: escaping is the report's job */
	f.reason_phrase = "No route\x1b[31m";
	expect(&f, &c, "routing.no-route", SC_CAT_NOT_FOUND);
	assert_string_equal(item(&c, SC_EV_REASON_PHRASE)->value,
			    "No route\x1b[31m");
}

static void
test_item_overflow(void **state)
{
	struct sc_warning_fact w[SC_EVIDENCE_MAX_REASONS];
	struct sc_response_facts f;
	struct sc_cause c;

	(void)state;
	for (size_t i = 0; i < SC_COUNTOF(w); i++)
		w[i] = (struct sc_warning_fact){ 399, "a", "text" };
	sc_response_facts_init(&f);
	f.status = 403;
	f.reason_phrase = "Nope";
	f.warnings = w;
	f.nwarnings = 50;   /* only the first few are read */
	f.reason_hdr = "SIP;cause=403, Q.850;cause=21, SIP;cause=500, "
		       "Q.850;cause=34, SIP;cause=1";
	f.retry_after = 5;
	f.max_forwards = 0;
	f.has_credentials = true;
	f.accepted_later = true;
	sc_evidence_cause(&f, &c);
	assert_int_equal(c.nitems, SC_EVIDENCE_MAX_ITEMS);
	assert_true(c.dropped > 0);
}

static void
test_parsers(void **state)
{
	struct sc_reason_fact r[4];
	char buf[16];

	(void)state;
	assert_true(sc_evidence_auth_param(
		"Digest realm=\"a\\\"b\", NONCE=x1, qop=\"auth,auth-int\"",
		"nonce", buf, sizeof(buf)));
	assert_string_equal(buf, "x1");
	assert_true(sc_evidence_auth_param(
		"Digest realm=\"a\\\"b\", NONCE=x1, qop=\"auth,auth-int\"",
		"realm", buf, sizeof(buf)));
	assert_string_equal(buf, "a\"b");
	assert_true(sc_evidence_auth_param(
		"Digest realm=\"a\", qop=\"auth,auth-int\"", "qop", buf,
		sizeof(buf)));
	assert_string_equal(buf, "auth,auth-int");
	assert_true(sc_evidence_auth_param("Digest response=\"\"", "response",
					   buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_false(sc_evidence_auth_param("Digest realm=\"x\"", "stale",
					    buf, sizeof(buf)));
	assert_false(sc_evidence_auth_param(NULL, "stale", buf, sizeof(buf)));
	/* cut to the buffer */
	assert_true(sc_evidence_auth_param("Digest nonce=\"0123456789abcdef"
					   "0123\"", "nonce", buf,
					   sizeof(buf)));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	/* an unterminated quote ends at the end */
	assert_true(sc_evidence_auth_param("Digest nonce=\"abc", "nonce",
					   buf, sizeof(buf)));
	assert_string_equal(buf, "abc");

	assert_int_equal(sc_evidence_parse_reason(
				 "Q.850 ;cause=16 ;text=\"local\"", r, 4), 1);
	assert_true(r[0].is_q850);
	assert_int_equal(r[0].cause, 16);
	assert_string_equal(r[0].text, "local");
	assert_int_equal(sc_evidence_parse_reason(
				 "SIP;cause=200;text=\"Call completed, "
				 "elsewhere\", Q.850;cause=26", r, 4), 2);
	assert_true(r[0].is_sip);
	assert_string_equal(r[0].text, "Call completed, elsewhere");
	assert_int_equal(r[1].cause, 26);
	assert_int_equal(sc_evidence_parse_reason("SIP;cause=abc", r, 4), 1);
	assert_int_equal(r[0].cause, -1);
	assert_int_equal(sc_evidence_parse_reason(NULL, r, 4), 0);
	assert_int_equal(sc_evidence_parse_reason("a, b, c, d, e, f", r, 4),
			 4);
}

static void
test_q850_categories(void **state)
{
	enum sc_category cat;

	(void)state;
	assert_true(sc_evidence_q850_category(34, &cat));
	assert_int_equal(cat, SC_CAT_OVERLOAD);
	assert_true(sc_evidence_q850_category(17, &cat));
	assert_int_equal(cat, SC_CAT_BUSY);
	assert_true(sc_evidence_q850_category(1, &cat));
	assert_int_equal(cat, SC_CAT_NOT_FOUND);
	assert_true(sc_evidence_q850_category(28, &cat));
	assert_int_equal(cat, SC_CAT_ADDRESS);
	assert_false(sc_evidence_q850_category(16, &cat));
	assert_false(sc_evidence_q850_category(127, &cat));
	assert_false(sc_evidence_q850_category(0, &cat));
	/* every cause with a category is one Q.850 assigns */
	for (int i = 0; i < 256; i++)
		if (sc_evidence_q850_category(i, &cat))
			assert_non_null(sc_kb_q850(i));
	assert_string_equal(sc_ev_kind_id(SC_EV_WARNING), "warning");
	assert_string_equal(sc_ev_kind_id(SC_EV__COUNT), "");
}

/* Every prefix of awkward header values parses without reading past
 * its end (run under ASan in CI). */
static void
test_prefixes(void **state)
{
	static const char *const inputs[] = {
		"Digest realm=\"a\\\"b\", nonce=\"\", stale=TRUE, "
		"algorithm=AKAv1-MD5, qop=\"auth,auth-int\"",
		"SIP;cause=480;text=\"a, \\\"b\\\"\", Q.850 ; cause = 34 ;"
		"text=\"x\"",
		"=,;\"\\", "Digest ,,, =x, y=",
	};
	struct sc_reason_fact r[SC_EVIDENCE_MAX_REASONS];
	struct sc_response_facts f;
	struct sc_cause c;
	char buf[128], val[8];

	(void)state;
	for (size_t i = 0; i < SC_COUNTOF(inputs); i++) {
		size_t len = strlen(inputs[i]);

		for (size_t n = 0; n <= len; n++) {
			memcpy(buf, inputs[i], n);
			buf[n] = 0;
			sc_evidence_auth_param(buf, "qop", val, sizeof(val));
			sc_evidence_parse_reason(buf, r, SC_COUNTOF(r));
			sc_response_facts_init(&f);
			f.status = 401;
			f.method = "REGISTER";
			f.has_credentials = true;
			f.credentials = buf;
			f.challenge = buf;
			f.reason_hdr = buf;
			sc_evidence_cause(&f, &c);
			assert_true(c.nitems <= SC_EVIDENCE_MAX_ITEMS);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_failure_from_packets),
		cmocka_unit_test(test_dns_failure_register),
		cmocka_unit_test(test_stale_nonce_reason_phrase),
		cmocka_unit_test(test_stale_nonce_flag),
		cmocka_unit_test(test_max_forwards_zero_from_packets),
		cmocka_unit_test(test_max_forwards_normal),
		cmocka_unit_test(test_no_route),
		cmocka_unit_test(test_registrar_disabled),
		cmocka_unit_test(test_ims_aka_challenge),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_q850),
		cmocka_unit_test(test_reason_sip),
		cmocka_unit_test(test_own_phrases),
		cmocka_unit_test(test_noise_warning),
		cmocka_unit_test(test_wire_caps),
		cmocka_unit_test(test_item_overflow),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_q850_categories),
		cmocka_unit_test(test_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
