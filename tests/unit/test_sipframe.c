/* test_sipframe.c - SIP start lines and message boundaries */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/frame/sipframe.h"

#define U8(s) ((const uint8_t *)(s))

static void
test_is_start(void **state)
{
	static const struct {
		const char *line;
		bool sip;
	} cases[] = {
		{ "INVITE sip:bob@example.com SIP/2.0\r\n", true },
		{ "INVITE sip:bob@example.com SIP/2.0\n", true },
		{ "FOO tel:+123 sip/2.0\r\n", true },
		{ "SIP/2.0 200 OK\r\n", true },
		{ "SIP/2.0 180\r\n", true },
		{ "SIP/2.0 486 Busy Here\r\n", true },
		{ "SIP/2.0 099 Low\r\n", false },
		{ "SIP/2.0 20 OK\r\n", false },
		{ "SIP/2.0 2000 OK\r\n", false },
		{ "GET / HTTP/1.1\r\n", false },
		{ "HTTP/1.1 200 OK\r\n", false },
		{ "INVITE sip:bob@example.com SIP/3.0\r\n", false },
		{ "INVITE bob SIP/2.0\r\n", false },          /* no scheme */
		{ "INVITE  sip:bob SIP/2.0\r\n", false },
		{ "INVITE sip:bob@example.com SIP/2.0", false }, /* no EOL */
		{ "\r\n", false },
		{ "", false },
		{ "IN\x01VITE sip:a SIP/2.0\r\n", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(sc_sipframe_is_start(U8(cases[i].line),
						      strlen(cases[i].line)),
				 cases[i].sip);
}

static const char invite[] = "INVITE sip:b@h SIP/2.0\r\n"
			     "Call-ID: x\r\n"
			     "Content-Length: 4\r\n"
			     "\r\n"
			     "v=0\n";

static void
test_measure(void **state)
{
	size_t n;
	unsigned flags;
	char buf[256];

	(void)state;
	assert_int_equal(sc_sipframe_measure(U8(invite), strlen(invite), true,
					     &n, &flags),
			 SC_FRAME_COMPLETE);
	assert_int_equal(n, strlen(invite));
	assert_int_equal(flags, 0);
	/* on a stream, a missing body byte means wait */
	assert_int_equal(sc_sipframe_measure(U8(invite), strlen(invite) - 1,
					     true, &n, &flags),
			 SC_FRAME_PARTIAL);
	/* in a datagram it is a truncated message */
	assert_int_equal(sc_sipframe_measure(U8(invite), strlen(invite) - 1,
					     false, &n, &flags),
			 SC_FRAME_COMPLETE);
	assert_int_equal(n, strlen(invite) - 1);
	assert_true(flags & SC_RAW_TRUNCATED);
	/* compact form, bare LF lines, trailing bytes after the body */
	snprintf(buf, sizeof(buf), "SIP/2.0 200 OK\nl: 2\n\nabSIP/2.0");
	assert_int_equal(sc_sipframe_measure(U8(buf), strlen(buf), true, &n,
					     &flags),
			 SC_FRAME_COMPLETE);
	assert_int_equal(n, strlen("SIP/2.0 200 OK\nl: 2\n\nab"));
	/* no Content-Length on a stream: 0, flagged */
	snprintf(buf, sizeof(buf), "SIP/2.0 200 OK\r\ni: a\r\n\r\nrest");
	assert_int_equal(sc_sipframe_measure(U8(buf), strlen(buf), true, &n,
					     &flags),
			 SC_FRAME_COMPLETE);
	assert_int_equal(n, strlen(buf) - 4);
	assert_true(flags & SC_RAW_NO_CLEN);
	/* ... and in a datagram the rest of it */
	assert_int_equal(sc_sipframe_measure(U8(buf), strlen(buf), false, &n,
					     &flags),
			 SC_FRAME_COMPLETE);
	assert_int_equal(n, strlen(buf));
	/* an unreadable Content-Length */
	snprintf(buf, sizeof(buf), "SIP/2.0 200 OK\r\nContent-Length: -3\r\n"
				   "\r\n");
	assert_int_equal(sc_sipframe_measure(U8(buf), strlen(buf), true, &n,
					     &flags),
			 SC_FRAME_COMPLETE);
	assert_true(flags & SC_RAW_BAD_CLEN);
	/* huge Content-Length never overflows */
	snprintf(buf, sizeof(buf), "SIP/2.0 200 OK\r\nContent-Length: "
				   "99999999999999999999\r\n\r\n");
	assert_int_equal(sc_sipframe_measure(U8(buf), strlen(buf), false, &n,
					     &flags),
			 SC_FRAME_COMPLETE);
	assert_int_equal(n, strlen(buf));
	/* a datagram whose headers never end: all of it, flagged */
	snprintf(buf, sizeof(buf), "SIP/2.0 401 x\r\nCall-ID: abc");
	assert_int_equal(sc_sipframe_measure(U8(buf), strlen(buf), false, &n,
					     &flags),
			 SC_FRAME_COMPLETE);
	assert_int_equal(n, strlen(buf));
	assert_true(flags & SC_RAW_NO_HEADER_END);
	assert_false(flags & SC_RAW_TRUNCATED);
	assert_int_equal(sc_sipframe_measure(U8("HELLO"), 5, false, &n,
					     &flags),
			 SC_FRAME_NOT_SIP);
	/* the start line itself incomplete on a stream */
	assert_int_equal(sc_sipframe_measure(U8("INVITE sip:"), 11, true, &n,
					     &flags),
			 SC_FRAME_PARTIAL);
}

static void
test_find_start(void **state)
{
	static const char junk[] = "garbage\r\nmore\nSIP/2.0 100 Trying\r\n";

	(void)state;
	assert_int_equal(sc_sipframe_find_start(U8(junk), strlen(junk)), 14);
	assert_int_equal(sc_sipframe_find_start(U8("abc\n"), 4), SIZE_MAX);
	/* a previous body without a line end runs into the next message */
	assert_int_equal(sc_sipframe_find_start(
				 U8("a=x\r\n0123456789INVITE sip:b@h SIP/2.0\r\n"),
				 39),
			 15);
	assert_int_equal(sc_sipframe_find_start(U8("tail12SIP/2.0 200 OK\r\n"),
						22),
			 6);
	/* "SIP/2.0" in text that is no start line */
	assert_int_equal(sc_sipframe_find_start(U8("via SIP/2.0/UDP h\r\n"), 19),
			 SIZE_MAX);
}

struct collected {
	size_t n;
	size_t len[4];
	unsigned flags[4];
	uint64_t frame[4];
};

static void
collect(void *ctx, const struct sc_rawmsg *m)
{
	struct collected *c = ctx;

	if (c->n < 4) {
		c->len[c->n] = m->len;
		c->flags[c->n] = m->flags;
		c->frame[c->n] = m->frame;
	}
	c->n++;
}

static void
test_datagram(void **state)
{
	struct sc_rawmsg proto;
	struct collected c;
	char buf[512];
	size_t n;

	(void)state;
	memset(&proto, 0, sizeof(proto));
	proto.frame = 9;
	/* keep-alive only */
	memset(&c, 0, sizeof(c));
	assert_int_equal(sc_sipframe_datagram(U8("\r\n\r\n"), 4, &proto,
					      collect, &c),
			 0);
	/* two messages in one datagram, with keep-alive padding first */
	n = (size_t)snprintf(buf, sizeof(buf), "\r\n%s%s", invite, invite);
	memset(&c, 0, sizeof(c));
	assert_int_equal(sc_sipframe_datagram(U8(buf), n, &proto, collect, &c),
			 2);
	assert_int_equal(c.len[0], strlen(invite));
	assert_int_equal(c.len[1], strlen(invite));
	assert_int_equal(c.frame[1], 9);
	/* trailing garbage after the body is not a message */
	n = (size_t)snprintf(buf, sizeof(buf), "%sxyz", invite);
	memset(&c, 0, sizeof(c));
	assert_int_equal(sc_sipframe_datagram(U8(buf), n, &proto, collect, &c),
			 1);
	/* proto flags are kept */
	proto.flags = SC_RAW_TRUNCATED;
	memset(&c, 0, sizeof(c));
	assert_int_equal(sc_sipframe_datagram(U8(invite), strlen(invite),
					      &proto, collect, &c),
			 1);
	assert_true(c.flags[0] & SC_RAW_TRUNCATED);
}

/* A datagram holding only a start line without CRLF is a message. */
static void
test_bare_start_line(void **state)
{
	static const char *const good[] = {
		"SIP/2.0 200 OK", "SIP/2.0 486", "SIP/2.0 180 Ringing ",
		"OPTIONS sip:a@b SIP/2.0",
	};
	static const char *const bad[] = {
		"SIP/2.0 20", "SIP/2.0 2000", "HELLO", "SIP/2.0",
		"OPTIONS sip:a@b SIP/2.",
	};
	struct sc_rawmsg proto;
	struct collected c;
	size_t n;
	unsigned flags;

	(void)state;
	memset(&proto, 0, sizeof(proto));
	for (size_t i = 0; i < SC_COUNTOF(good); i++) {
		size_t len = strlen(good[i]);

		memset(&c, 0, sizeof(c));
		assert_int_equal(sc_sipframe_datagram(U8(good[i]), len,
						      &proto, collect, &c),
				 1);
		assert_int_equal(c.len[0], len);
		assert_true(c.flags[0] & SC_RAW_NO_HEADER_END);
		/* a stream waits for the line end */
		assert_int_equal(sc_sipframe_measure(U8(good[i]), len, true,
						     &n, &flags),
				 SC_FRAME_PARTIAL);
	}
	for (size_t i = 0; i < SC_COUNTOF(bad); i++) {
		memset(&c, 0, sizeof(c));
		assert_int_equal(sc_sipframe_datagram(U8(bad[i]),
						      strlen(bad[i]), &proto,
						      collect, &c),
				 0);
	}
	/* after a first message, a second bare status line is kept too */
	{
		char buf[512];

		n = (size_t)snprintf(buf, sizeof(buf), "%sSIP/2.0 100 Trying",
				     invite);
		memset(&c, 0, sizeof(c));
		assert_int_equal(sc_sipframe_datagram(U8(buf), n, &proto,
						      collect, &c),
				 2);
		assert_int_equal(c.len[1], strlen("SIP/2.0 100 Trying"));
	}
}

/*
 * Lines are told apart by their first byte: those starting with 'C' that
 * are no Content-Length, short ones, blanks before the name, a bare CR
 * inside a line; the first Content-Length counts.
 */
static void
test_length_lines(void **state)
{
	static const struct {
		const char *head, *body;
		size_t body_len;
		unsigned flags;
	} cases[] = {
		{ "SIP/2.0 200 OK\r\nCSeq: 1 X\r\nContact: <sip:a>\r\n"
		  "content-length: 2\r\nl: 5\r\n\r\n",
		  "abcdefg", 2, 0 },
		{ "SIP/2.0 200 OK\r\nC\r\nCo\nL:3\r\n\r\n", "abcd", 3, 0 },
		{ "SIP/2.0 200 OK\r\n\tContent-Length : 1\r\n\r\n", "xy", 1,
		  0 },
		{ "SIP/2.0 200 OK\r\nX: a\rl: 4\r\n\r\n", "ab", 0,
		  SC_RAW_NO_CLEN },
		{ "SIP/2.0 200 OK\nContent-Length: 1 \r\nl: 2\n\n", "abc", 1,
		  0 },
		{ "SIP/2.0 200 OK\nContent-Lengt: 1\nl:x\nl: 2\n\n", "abc", 0,
		  SC_RAW_BAD_CLEN | SC_RAW_NO_CLEN },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;
		unsigned flags;

		snprintf(buf, sizeof(buf), "%s%s", cases[i].head,
		         cases[i].body);
		assert_int_equal(sc_sipframe_measure(U8(buf), strlen(buf), true,
		                                     &n, &flags),
		                 SC_FRAME_COMPLETE);
		assert_int_equal(n, strlen(cases[i].head) + cases[i].body_len);
		assert_int_equal(flags, cases[i].flags);
	}
}

/* Every prefix of a message, as a datagram and as a stream. */
static void
test_prefixes(void **state)
{
	struct sc_rawmsg proto;
	struct collected c;
	size_t len = strlen(invite);

	(void)state;
	memset(&proto, 0, sizeof(proto));
	for (size_t i = 0; i <= len; i++) {
		uint8_t *copy = malloc(i ? i : 1);
		size_t n;
		unsigned flags;

		memcpy(copy, invite, i);
		memset(&c, 0, sizeof(c));
		sc_sipframe_datagram(copy, i, &proto, collect, &c);
		assert_true(c.n <= 1);
		if (sc_sipframe_measure(copy, i, true, &n, &flags) ==
		    SC_FRAME_COMPLETE)
			assert_true(n <= i);
		free(copy);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_start),
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_find_start),
		cmocka_unit_test(test_datagram),
		cmocka_unit_test(test_bare_start_line),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_length_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
