/* test_security.c - scanners, password guessing, compromise, toll fraud
 *
 * Requests are built in memory. Where a case follows a public capture of
 * ../shared/corpus, its values (addresses, users, User-Agent, codes,
 * times) were read from the packets with tshark; the file and frames are
 * named above the test.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sipcause/diagnosis/security.h"

#define S(x) ((int64_t)((double)(x)*1e9))

static void
assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static struct sc_addr
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t bytes[4] = { a, b, c, d };
	struct sc_addr ad;

	memset(&ad, 0, sizeof(ad));
	sc_addr_set4(&ad, bytes);
	return ad;
}

static void
add(struct sc_security *t, const struct sc_sec_request *r)
{
	assert_int_equal(sc_security_add(t, r), SC_OK);
}

static const struct sc_sec_finding *
findings(struct sc_security *t, size_t *n)
{
	const struct sc_sec_finding *f = NULL;

	assert_int_equal(sc_security_findings(t, &f, n), SC_OK);
	return f;
}

static void
assert_has_call_id(const struct sc_sec_finding *f, const char *id)
{
	for (size_t i = 0; i < f->ncall_ids; i++)
		if (strcmp(f->call_ids[i], id) == 0)
			return;
	fail_msg("Call-ID %s not listed in %s", id, f->rule_id);
}

/* goffinet-sip_captures/Forensic_challenge_4.pcap frames 1-2: one OPTIONS
 * from 172.25.105.43, User-Agent "UNfriendly-scanner - for demo
 * purposes", answered 200 by Asterisk; later X-Lite at 172.25.105.3
 * registers and calls normally (frames 1294-4446). */
static void
test_scanner_user_agent(void **state)
{
	struct sc_security *t = sc_security_new(NULL);
	struct sc_sec_request r = {
		.call_id = "61127078793469957194131",
		.src = ip4(172, 25, 105, 43),
		.user_agent = "UNfriendly-scanner - for demo purposes",
		.method = "OPTIONS",
		.from_user = "100",
		.to_user = "100",
		.ruri_user = "100",
		.final_code = 200,
		.ts_ns = S(0),
	};
	struct sc_sec_request xlite = {
		.call_id = "MzEwMmYyYWRiYTUxYTBhODY3ZjFkZDA2YmU2ZTk2NGI.",
		.src = ip4(172, 25, 105, 3),
		.user_agent = "X-Lite Beta release 4.0 Beta 2 stamp 56233",
		.method = "REGISTER",
		.from_user = "555",
		.to_user = "555",
		.auth_user = "555",
		.final_code = 200,
		.ts_ns = S(187.087419),
	};
	const struct sc_sec_finding *f;
	char addr[SC_ADDR_STRLEN];
	size_t n;

	(void)state;
	assert_non_null(t);
	add(t, &r);
	add(t, &xlite);
	f = findings(t, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f[0].rule, SC_SEC_SCANNER);
	assert_string_equal(f[0].rule_id, "security.scanner");
	assert_string_equal(sc_addr_format(&f[0].src, addr, sizeof(addr)),
	                    "172.25.105.43");
	assert_string_equal(f[0].user_agent,
	                    "UNfriendly-scanner - for demo purposes");
	assert_int_equal(f[0].requests, 1);
	assert_int_equal(f[0].ncall_ids, 1);
	assert_has_call_id(&f[0], "61127078793469957194131");
	assert_contains(f[0].text, "172.25.105.43 ran a SIP scanner");
	assert_contains(f[0].text, "\"UNfriendly-scanner - for demo "
	                           "purposes\"");
	/* one request, one user: the words say one, not "1 requests" */
	assert_contains(f[0].text, "It sent 1 request to 1 distinct user: "
	                           "0 refused, 1 accepted.");
	sc_security_free(t);
}

/* nDPI/hf1193d-gre.pcap frame 1 (inside GRE): sipvicious's OPTIONS from
 * 212.83.179.0 to sip:100@192.200.144.148, User-Agent friendly-scanner,
 * no answer in the capture. */
static void
test_scanner_friendly(void **state)
{
	struct sc_security *t = sc_security_new(NULL);
	struct sc_sec_request r = {
		.call_id = "141335499045307758303004",
		.src = ip4(212, 83, 179, 0),
		.user_agent = "friendly-scanner",
		.method = "OPTIONS",
		.from_user = "100",
		.to_user = "100",
		.ruri_user = "100",
		.final_code = 0,
	};
	const struct sc_sec_finding *f;
	size_t n;

	(void)state;
	add(t, &r);
	f = findings(t, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f[0].rule, SC_SEC_SCANNER);
	assert_int_equal(f[0].failures, 0); /* no answer is no refusal */
	assert_contains(f[0].text, "\"friendly-scanner\"");
	sc_security_free(t);
}

/* An extension scan: one source, many users, all refused. */
static void
test_scanner_many_users(void **state)
{
	struct sc_security *t = sc_security_new(NULL);
	const struct sc_sec_finding *f;
	char user[16], cid[32];
	size_t n;

	(void)state;
	for (int i = 0; i < 12; i++) {
		struct sc_sec_request r = {
			.call_id = cid,
			.src = ip4(203, 0, 113, 7),
			.user_agent = "Asterisk PBX",
			.method = "REGISTER",
			.to_user = user,
			.final_code = i == 3 ? 401 : 404,
			.ts_ns = S(i * 0.1),
		};

		snprintf(user, sizeof(user), "%d", 100 + i);
		snprintf(cid, sizeof(cid), "scan-%d", i);
		add(t, &r);
	}
	f = findings(t, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f[0].rule, SC_SEC_SCANNER);
	assert_int_equal(f[0].distinct, 12);
	assert_false(f[0].distinct_capped);
	assert_int_equal(f[0].requests, 12);
	assert_int_equal(f[0].failures, 12);
	assert_int_equal(f[0].ncall_ids, SC_SEC_MAX_CALL_IDS);
	assert_int_equal(f[0].more_call_ids, 12 - SC_SEC_MAX_CALL_IDS);
	assert_has_call_id(&f[0], "scan-0");
	assert_int_equal(f[0].first_ts, 0);
	assert_int_equal(f[0].last_ts, S(1.1));
	assert_contains(f[0].text, "probed 12 distinct users with 12 "
	                           "requests");
	assert_contains(f[0].text, "extension scan");
	sc_security_free(t);
}

/* A proxy that sends calls to many users which answer is no scanner. */
static void
test_proxy_not_scanner(void **state)
{
	struct sc_security *t = sc_security_new(NULL);
	char user[16];
	size_t n;

	(void)state;
	for (int i = 0; i < 40; i++) {
		struct sc_sec_request r = {
			.call_id = "x",
			.src = ip4(10, 0, 0, 1),
			.method = "INVITE",
			.ruri_user = user,
			.final_code = i % 4 ? 200 : 486,
			.ts_ns = S(i),
		};

		snprintf(user, sizeof(user), "%d", 2000 + i);
		add(t, &r);
	}
	findings(t, &n);
	assert_int_equal(n, 0);
	sc_security_free(t);
}

/* A gateway registering 24 lines: a 401 then a 2xx for each (or a dead
 * registrar answering nothing) is no scan. */
static void
test_gateway_lines_not_scanner(void **state)
{
	struct sc_security *t = sc_security_new(NULL);
	char user[16];
	size_t n;

	(void)state;
	for (int i = 0; i < 24; i++) {
		struct sc_sec_request r = {
			.call_id = user,
			.src = ip4(192, 168, 5, 10),
			.method = "REGISTER",
			.to_user = user,
			.final_code = 401,
			.ts_ns = S(i * 0.05),
		};

		snprintf(user, sizeof(user), "line%d", i);
		add(t, &r);
		r.auth_user = user;
		r.final_code = 200;
		add(t, &r);
		r.src = ip4(192, 168, 5, 11);
		r.auth_user = NULL;
		r.final_code = 0;
		add(t, &r);
	}
	findings(t, &n);
	assert_int_equal(n, 0);
	sc_security_free(t);
}

static void
refused(struct sc_security *t, const char *user, double at, int code,
        const char *cid)
{
	struct sc_sec_request r = {
		.call_id = cid,
		.src = ip4(198, 51, 100, 23),
		.user_agent = "sipcli/v1.8",
		.method = "REGISTER",
		.to_user = user,
		.auth_user = user,
		.final_code = code,
		.ts_ns = S(at),
	};

	add(t, &r);
}

static void
test_password_guessing(void **state)
{
	struct sc_security *t = sc_security_new(NULL);
	const struct sc_sec_finding *f;
	size_t n, i;

	(void)state;
	refused(t, "1000", 0.0, 403, "g1");
	refused(t, "1000", 0.4, 401, "g1");
	refused(t, "1000", 0.9, 403, "g2");
	refused(t, "1000", 1.5, 407, "g3");
	refused(t, "1000", 2.0, 403, "g4");
	refused(t, "1000", 2.6, 403, "g5");
	f = findings(t, &n);
	/* a scanner (sipcli) and the guessing */
	assert_int_equal(n, 2);
	assert_int_equal(f[0].rule, SC_SEC_SCANNER);
	/* refused with credentials: refused all the same */
	assert_int_equal(f[0].failures, 6);
	assert_contains(f[0].text, "It sent 6 requests to 1 distinct user: "
	                           "6 refused, 0 accepted.");
	i = 1;
	assert_int_equal(f[i].rule, SC_SEC_PASSWORD_GUESSING);
	assert_string_equal(f[i].rule_id, "security.password-guessing");
	assert_string_equal(f[i].user, "1000");
	assert_int_equal(f[i].failures, 6);
	assert_int_equal(f[i].successes, 0);
	assert_int_equal(f[i].ncall_ids, 5);
	assert_int_equal(f[i].first_ts, 0);
	assert_int_equal(f[i].last_ts, S(2.6));
	assert_contains(f[i].text, "198.51.100.23 had the password of user "
	                           "\"1000\" refused 6 times");
	assert_contains(f[i].text, "password guessing");
	assert_contains(f[i].text, "No attempt succeeded");
	sc_security_free(t);
}

/* Issue 8 family 2: a guesser whose fifth try got 200 OK. */
static void
test_account_compromised(void **state)
{
	struct sc_security *t = sc_security_new(NULL);
	struct sc_sec_request ok = {
		.call_id = "win-5",
		.src = ip4(198, 51, 100, 23),
		.method = "REGISTER",
		.to_user = "1000",
		.auth_user = "1000",
		.final_code = 200,
		.ts_ns = S(3.0),
	};
	const struct sc_sec_finding *f;
	size_t n;

	(void)state;
	for (int i = 0; i < 5; i++)
		refused(t, "1000", i * 0.5, 401, "guess");
	add(t, &ok);
	f = findings(t, &n);
	assert_int_equal(n, 2);
	assert_int_equal(f[1].rule, SC_SEC_ACCOUNT_COMPROMISED);
	assert_string_equal(f[1].rule_id, "security.account-compromised");
	assert_string_equal(f[1].user, "1000");
	assert_int_equal(f[1].failures, 5);
	assert_int_equal(f[1].successes, 1);
	assert_int_equal(f[1].last_ts, S(3.0));
	assert_has_call_id(&f[1], "win-5");
	assert_contains(f[1].text, "Account \"1000\" is probably "
	                           "compromised");
	assert_contains(f[1].text, "Call-ID win-5");
	assert_contains(f[1].text, "Change the password");
	sc_security_free(t);
}

/* goffinet-sip_captures/private-test-sip.pcapng: a phone with a wrong
 * password retries every few minutes (refusals at 64.19, 160.61, 228.27,
 * 279.69, 311.78, 479.70, 497.67, 526.03, 561.27, 621.59, 975.74,
 * 1047.53 s): not a burst, not guessing. */
static void
test_misconfigured_phone(void **state)
{
	static const double at[] = { 64.19,  160.61, 228.27, 279.69,
		                     311.78, 479.70, 497.67, 526.03,
		                     561.27, 621.59, 975.74, 1047.53 };
	struct sc_security *t = sc_security_new(NULL);
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		struct sc_sec_request r = {
			.call_id = "c",
			.src = ip4(172, 16, 98, 181),
			.user_agent = "PJSUA v1.12.0 Linux-4.2.0.35/x86_64/"
			              "glibc-2.19",
			.method = "REGISTER",
			.to_user = "telephone1",
			.auth_user = "telephone1",
			.final_code = i == 0 || i == 3 ? 403 : 407,
			.ts_ns = S(at[i]),
		};

		add(t, &r);
	}
	findings(t, &n);
	assert_int_equal(n, 0);
	sc_security_free(t);
}

/* zeek/wireshark.pcap frames 8-18: voi18062 gets "401 nonce has changed"
 * twice with credentials, then 200: stale nonces are no refusals. */
static void
test_stale_nonce_not_guessing(void **state)
{
	struct sc_security_opts o = { .guess_failures = 2 };
	struct sc_security *t = sc_security_new(&o);
	struct sc_sec_request r = {
		.call_id = "578222729-4665d775@578222732-4665d772",
		.src = ip4(192, 168, 1, 2),
		.user_agent = "Nero SIPPS IP Phone Version 2.0.51.16",
		.method = "REGISTER",
		.to_user = "voi18062",
		.auth_user = "voi18062",
		.final_code = 401,
		.expected_challenge = true,
	};
	size_t n;

	(void)state;
	add(t, &r);
	r.ts_ns = S(0.2);
	add(t, &r);
	r.final_code = 200;
	r.expected_challenge = false;
	r.ts_ns = S(0.5);
	add(t, &r);
	findings(t, &n);
	assert_int_equal(n, 0);
	sc_security_free(t);
}

static void
intl_call(struct sc_security *t, const char *number, int code, double at)
{
	struct sc_sec_request r = {
		.call_id = number,
		.src = ip4(203, 0, 113, 50),
		.method = "INVITE",
		.from_user = "100",
		.to_user = number,
		.ruri_user = number,
		.final_code = code,
		.ts_ns = S(at),
	};

	add(t, &r);
}

static void
test_toll_fraud(void **state)
{
	struct sc_security *t = sc_security_new(NULL);
	const struct sc_sec_finding *f;
	size_t n;

	(void)state;
	intl_call(t, "00972592345678", 403, 0);
	intl_call(t, "900972592345678", 404, 1);
	intl_call(t, "9011442079460000", 403, 2);
	intl_call(t, "+37060012345", 200, 3);
	intl_call(t, "4930123456", 404, 4); /* national: not counted */
	f = findings(t, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f[0].rule, SC_SEC_TOLL_FRAUD);
	assert_string_equal(f[0].rule_id, "security.toll-fraud");
	assert_int_equal(f[0].requests, 4);
	assert_int_equal(f[0].failures, 3);
	assert_int_equal(f[0].successes, 1);
	assert_int_equal(f[0].distinct, 4);
	assert_string_equal(f[0].user, "00972592345678");
	assert_int_equal(f[0].ncall_ids, 4);
	assert_int_equal(f[0].last_ts, S(3));
	assert_contains(f[0].text, "203.0.113.50 dialled 4 international "
	                           "numbers");
	assert_contains(f[0].text, "3 were rejected");
	assert_contains(f[0].text, "1 answered: check the bill");
	assert_contains(f[0].text, "toll-fraud");
	sc_security_free(t);
}

/* Thresholds of one: every count in the sentences is singular (password
 * guessing needs at least two refusals, so its counts never are). */
static void
test_singular_words(void **state)
{
	struct sc_security_opts o = {
		.toll_rejected = 1,
		.toll_numbers = 1,
	};
	struct sc_security *t = sc_security_new(&o);
	const struct sc_sec_finding *f;
	size_t n;

	(void)state;
	intl_call(t, "00972592345678", 403, 0);
	refused(t, "1000", 1.0, 403, "g1");
	f = findings(t, &n);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].rule, SC_SEC_SCANNER); /* sipcli */
	assert_contains(f[0].text, "It sent 1 request to 1 distinct user: "
	                           "1 refused, 0 accepted.");
	assert_int_equal(f[1].rule, SC_SEC_TOLL_FRAUD);
	assert_contains(f[1].text, "dialled 1 international number (such as "
	                           "\"00972592345678\") in 1 call; 1 was "
	                           "rejected: likely");
	sc_security_free(t);
}

/* A user of a PBX calls three countries: each INVITE is challenged
 * (407), then answered with credentials. Challenges are no refusals. */
static void
test_challenged_calls_not_fraud(void **state)
{
	static const char *const numbers[] = {
		"0033140000000",
		"0044207946000",
		"0049301234567",
	};
	struct sc_security *t = sc_security_new(NULL);
	size_t n;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct sc_sec_request r = {
			.call_id = numbers[i],
			.src = ip4(10, 1, 1, 20),
			.method = "INVITE",
			.ruri_user = numbers[i],
			.final_code = 407,
			.ts_ns = S(i * 60),
		};

		add(t, &r);
		r.auth_user = "201";
		r.final_code = 200;
		add(t, &r);
	}
	findings(t, &n);
	assert_int_equal(n, 0);
	sc_security_free(t);
}

/* zeek/wireshark.pcap frames 19-75: one phone calls 0097239287044 six
 * times and gets 407, 408, 480: one number is no fraud pattern. */
static void
test_one_number_not_fraud(void **state)
{
	static const int codes[] = { 407, 408, 407, 480, 407, 480 };
	struct sc_security *t = sc_security_new(NULL);
	size_t n;

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		struct sc_sec_request r = {
			.call_id = "z",
			.src = ip4(192, 168, 1, 2),
			.method = "INVITE",
			.ruri_user = "0097239287044",
			.final_code = codes[i],
			.ts_ns = S(i * 10),
		};

		add(t, &r);
	}
	findings(t, &n);
	assert_int_equal(n, 0);
	sc_security_free(t);
}

static void
test_international(void **state)
{
	(void)state;
	assert_true(sc_security_international("0097239287044"));
	assert_true(sc_security_international("+390289279987"));
	assert_true(sc_security_international("9011442079460000"));
	assert_true(sc_security_international("01144207946000"));
	assert_true(sc_security_international("101000972592345678"));
	assert_false(sc_security_international("03001234567"));
	assert_false(sc_security_international("1000123456"));
	assert_false(sc_security_international("+4930"));
	assert_false(sc_security_international("+49301234567x"));
	assert_false(sc_security_international("00972"));
	assert_false(sc_security_international("alice"));
	assert_false(sc_security_international(""));
	assert_false(sc_security_international(NULL));
}

static void
test_scanner_user_agents(void **state)
{
	(void)state;
	assert_true(sc_security_scanner_ua("friendly-scanner"));
	assert_true(sc_security_scanner_ua("sipvicious"));
	assert_true(sc_security_scanner_ua("SIPCLI/v1.8"));
	assert_true(sc_security_scanner_ua("VaxSIPUserAgent/3.1"));
	assert_true(sc_security_scanner_ua("pplsip"));
	assert_true(sc_security_scanner_ua("sundayddr"));
	assert_false(sc_security_scanner_ua("Asterisk PBX 1.6.0.10-FONCORE"));
	assert_false(sc_security_scanner_ua("Nero SIPPS IP Phone Version "
	                                    "2.0.51.16"));
	assert_false(sc_security_scanner_ua(NULL));
	assert_string_equal(sc_sec_rule_id(SC_SEC_TOLL_FRAUD),
	                    "security.toll-fraud");
	assert_string_equal(sc_sec_rule_id(SC_SEC__COUNT), "");
}

/* Memory stays bounded: sources past the cap are counted, not kept. */
static void
test_caps(void **state)
{
	struct sc_security_opts o = { .max_sources = 2, .max_accounts = 1 };
	struct sc_security *t = sc_security_new(&o);
	size_t n;

	(void)state;
	for (uint8_t i = 1; i <= 5; i++) {
		struct sc_sec_request r = {
			.src = ip4(192, 0, 2, i),
			.user_agent = "friendly-scanner",
			.method = "OPTIONS",
			.auth_user = "u",
			.final_code = 404,
		};

		add(t, &r);
	}
	/* 3 sources refused; of the 2 kept, 1 account refused */
	assert_int_equal(sc_security_untracked(t), 4);
	findings(t, &n);
	assert_int_equal(n, 2);
	/* many distinct users: counted up to the cap, then "at least" */
	sc_security_free(t);
	t = sc_security_new(NULL);
	for (int i = 0; i < 200; i++) {
		char user[16];
		struct sc_sec_request r = {
			.src = ip4(192, 0, 2, 9),
			.method = "REGISTER",
			.to_user = user,
			.final_code = 404,
		};

		snprintf(user, sizeof(user), "u%d", i);
		add(t, &r);
	}
	{
		const struct sc_sec_finding *f = findings(t, &n);

		assert_int_equal(n, 1);
		assert_true(f[0].distinct_capped);
		assert_int_equal(f[0].requests, 200);
		assert_contains(f[0].text, "at least");
	}
	sc_security_free(t);
	sc_security_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scanner_user_agent),
		cmocka_unit_test(test_scanner_friendly),
		cmocka_unit_test(test_scanner_many_users),
		cmocka_unit_test(test_proxy_not_scanner),
		cmocka_unit_test(test_gateway_lines_not_scanner),
		cmocka_unit_test(test_password_guessing),
		cmocka_unit_test(test_account_compromised),
		cmocka_unit_test(test_misconfigured_phone),
		cmocka_unit_test(test_stale_nonce_not_guessing),
		cmocka_unit_test(test_toll_fraud),
		cmocka_unit_test(test_singular_words),
		cmocka_unit_test(test_challenged_calls_not_fraud),
		cmocka_unit_test(test_one_number_not_fraud),
		cmocka_unit_test(test_international),
		cmocka_unit_test(test_scanner_user_agents),
		cmocka_unit_test(test_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
