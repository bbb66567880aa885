/* test_wsframe.c - WebSocket frames and upgrade, TLS record recognition
 *
 * Frame vectors are the examples of RFC 6455 5.7; the TLS header is a
 * ClientHello record as RFC 8446 5.1 lays it out.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sipcause/frame/tls_detect.h"
#include "sipcause/frame/websocket.h"

#define U8(s) ((const uint8_t *)(s))

/* RFC 6455 5.7: a single-frame masked text message "Hello". */
static const uint8_t masked_hello[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					0x7f, 0x9f, 0x4d, 0x51, 0x58 };

static void
test_unmasked_and_masked(void **state)
{
	static const uint8_t hello[] = { 0x81, 0x05, 'H', 'e', 'l', 'l', 'o' };
	struct sc_ws_frame f;
	struct sc_dynbuf msg;

	(void)state;
	sc_dynbuf_init(&msg, 1024);
	assert_int_equal(sc_ws_frame_parse(hello, sizeof(hello), 1024, &f),
			 SC_OK);
	assert_true(f.fin);
	assert_int_equal(f.opcode, SC_WS_OP_TEXT);
	assert_int_equal(f.header_len, 2);
	assert_int_equal(f.payload_len, 5);
	assert_int_equal(sc_ws_frame_parse(masked_hello, sizeof(masked_hello),
					   1024, &f),
			 SC_OK);
	assert_int_equal(f.header_len, 6);
	assert_int_equal(f.payload_len, 5);
	assert_true(sc_ws_is_data(&f));
	assert_int_equal(sc_ws_unmask_append(&msg, &f,
					     masked_hello + f.header_len),
			 SC_OK);
	assert_int_equal(msg.len, 5);
	assert_memory_equal(msg.p, "Hello", 5);
	sc_dynbuf_fini(&msg);
}

/* Every cut of a frame needs more bytes; the whole one parses. */
static void
test_every_prefix_needs_more(void **state)
{
	struct sc_ws_frame f;

	(void)state;
	for (size_t n = 0; n < sizeof(masked_hello); n++)
		assert_int_equal(sc_ws_frame_parse(masked_hello, n, 1024, &f),
				 SC_EAGAIN);
}

static void
test_fragments_and_control(void **state)
{
	static const uint8_t first[] = { 0x01, 0x03, 'H', 'e', 'l' };
	static const uint8_t last[] = { 0x80, 0x02, 'l', 'o' };
	static const uint8_t ping[] = { 0x89, 0x05, 'H', 'e', 'l', 'l', 'o' };
	struct sc_ws_frame f;

	(void)state;
	assert_int_equal(sc_ws_frame_parse(first, sizeof(first), 1024, &f),
			 SC_OK);
	assert_false(f.fin);
	assert_int_equal(f.opcode, SC_WS_OP_TEXT);
	assert_int_equal(sc_ws_frame_parse(last, sizeof(last), 1024, &f),
			 SC_OK);
	assert_true(f.fin);
	assert_int_equal(f.opcode, SC_WS_OP_CONTINUATION);
	assert_true(sc_ws_is_data(&f));
	assert_int_equal(sc_ws_frame_parse(ping, sizeof(ping), 1024, &f),
			 SC_OK);
	assert_int_equal(f.opcode, 9);
	assert_false(sc_ws_is_data(&f));
}

/* 16- and 64-bit lengths (RFC 6455 5.7: 256 bytes and 64 KiB binary). */
static void
test_extended_lengths(void **state)
{
	static uint8_t buf[10 + 65536];
	struct sc_ws_frame f;

	(void)state;
	memcpy(buf, "\x82\x7e\x01\x00", 4);
	assert_int_equal(sc_ws_frame_parse(buf, 4 + 255, 1 << 20, &f),
			 SC_EAGAIN);
	assert_int_equal(sc_ws_frame_parse(buf, 4 + 256, 1 << 20, &f), SC_OK);
	assert_int_equal(f.header_len, 4);
	assert_int_equal(f.payload_len, 256);
	memcpy(buf, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
	assert_int_equal(sc_ws_frame_parse(buf, sizeof(buf), 1 << 20, &f),
			 SC_OK);
	assert_int_equal(f.header_len, 10);
	assert_int_equal(f.payload_len, 65536);
	/* over the caller's limit: not a stream we follow */
	assert_int_equal(sc_ws_frame_parse(buf, sizeof(buf), 65535, &f),
			 SC_ENOTPROTO);
}

static void
test_reserved_opcodes(void **state)
{
	static const uint8_t op3[] = { 0x83, 0x00 };
	static const uint8_t op11[] = { 0x8b, 0x00 };
	struct sc_ws_frame f;

	(void)state;
	assert_int_equal(sc_ws_frame_parse(op3, 2, 1024, &f), SC_ENOTPROTO);
	assert_int_equal(sc_ws_frame_parse(op11, 2, 1024, &f), SC_ENOTPROTO);
}

/* What does not fit under the buffer's cap is dropped, not an error. */
static void
test_unmask_capped(void **state)
{
	struct sc_ws_frame f;
	struct sc_dynbuf msg;

	(void)state;
	sc_dynbuf_init(&msg, 3);
	assert_int_equal(sc_ws_frame_parse(masked_hello, sizeof(masked_hello),
					   1024, &f),
			 SC_OK);
	assert_int_equal(sc_ws_unmask_append(&msg, &f,
					     masked_hello + f.header_len),
			 SC_OK);
	assert_int_equal(msg.len, 3);
	assert_memory_equal(msg.p, "Hel", 3);
	sc_dynbuf_fini(&msg);
}

static void
test_upgrade(void **state)
{
	static const char req[] = "GET /ws HTTP/1.1\r\nHost: a\r\n"
				  "Upgrade: websocket\r\n"
				  "Sec-WebSocket-Protocol: sip\r\n\r\n";
	static const char resp[] = "HTTP/1.1 101 Switching Protocols\r\n"
				   "Upgrade: WebSocket\r\n\r\n\x81\x00";
	static const char plain[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	static uint8_t big[SC_WS_HANDSHAKE_LIMIT];
	size_t n = 0;

	(void)state;
	assert_int_equal(sc_ws_upgrade(U8(req), strlen(req), &n), SC_OK);
	assert_int_equal(n, strlen(req));
	assert_int_equal(sc_ws_upgrade(U8(resp), sizeof(resp) - 1, &n), SC_OK);
	assert_int_equal(n, sizeof(resp) - 1 - 2);
	assert_int_equal(sc_ws_upgrade(U8(req), strlen(req) - 2, &n),
			 SC_EAGAIN);
	assert_int_equal(sc_ws_upgrade(U8(plain), strlen(plain), &n),
			 SC_ENOTPROTO);
	assert_int_equal(sc_ws_upgrade(U8("INVITE sip:a@b SIP/2.0\r\n"), 24,
				       &n),
			 SC_ENOTPROTO);
	/* a head that never ends is given up at the limit */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET ", 4);
	assert_int_equal(sc_ws_upgrade(big, sizeof(big) - 1, &n), SC_EAGAIN);
	assert_int_equal(sc_ws_upgrade(big, sizeof(big), &n), SC_ENOTPROTO);
}

static void
test_tls_records(void **state)
{
	/* handshake (22), TLS 1.0 record version, 196 bytes */
	static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0xc4 };
	/* application data (23), TLS 1.2, 2^14 + 1 */
	static const uint8_t app[] = { 0x17, 0x03, 0x03, 0x40, 0x01 };

	(void)state;
	assert_true(sc_tls_is_record(hello, 5));
	assert_int_equal(sc_tls_record_size(hello), 5 + 196);
	assert_true(sc_tls_is_record(app, 5));
	assert_false(sc_tls_is_record(hello, 4));
	assert_false(sc_tls_is_record(U8("\x19\x03\x03\x00\x10"), 5));
	assert_false(sc_tls_is_record(U8("\x13\x03\x03\x00\x10"), 5));
	assert_false(sc_tls_is_record(U8("\x16\x03\x05\x00\x10"), 5));
	assert_false(sc_tls_is_record(U8("\x16\x03\x03\x00\x00"), 5));
	assert_false(sc_tls_is_record(U8("\x16\x03\x03\x48\x01"), 5));
	assert_true(sc_tls_is_record(U8("\x16\x03\x03\x48\x00"), 5));
	assert_false(sc_tls_is_record(U8("INVITE"), 6));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unmasked_and_masked),
		cmocka_unit_test(test_every_prefix_needs_more),
		cmocka_unit_test(test_fragments_and_control),
		cmocka_unit_test(test_extended_lengths),
		cmocka_unit_test(test_reserved_opcodes),
		cmocka_unit_test(test_unmask_capped),
		cmocka_unit_test(test_upgrade),
		cmocka_unit_test(test_tls_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
