/* websocket.c - the HTTP upgrade and the frames of RFC 6455, enough to
 * follow SIP over WebSocket (RFC 7118) in a reassembled TCP stream */
#include "config.h"

#include <string.h>

#include "sipcause/util/str.h"
#include "sipcause/frame/websocket.h"

enum sc_err
sc_ws_upgrade(const uint8_t *p, size_t len, size_t *head_len)
{
	struct sc_str s = sc_str_make((const char *)p, len);
	size_t end;

	if (!sc_str_has_prefix_nocase(s, "GET ") &&
	    !sc_str_has_prefix_nocase(s, "HTTP/1.1 101"))
		return SC_ENOTPROTO;
	end = sc_str_find(s, SC_STR_LIT("\r\n\r\n"), false);
	if (end == SIZE_MAX)
		return len < SC_WS_HANDSHAKE_LIMIT ? SC_EAGAIN : SC_ENOTPROTO;
	s.len = end;
	if (sc_str_find(s, SC_STR_LIT("websocket"), true) == SIZE_MAX)
		return SC_ENOTPROTO;
	*head_len = end + 4;
	return SC_OK;
}

/*
 * RFC 6455 5.2: | FIN 1 | RSV 3 | opcode 4 | MASK 1 | length 7 |
 * (16 or 64-bit length) | (masking key 32) | payload |.
 */
enum sc_err
sc_ws_frame_parse(const uint8_t *p, size_t len, uint64_t max_payload,
                  struct sc_ws_frame *f)
{
	uint64_t plen;
	size_t hdr = 2;

	if (len < 2)
		return SC_EAGAIN;
	memset(f, 0, sizeof(*f));
	f->opcode = p[0] & 0x0f;
	f->fin = p[0] & 0x80;
	plen = p[1] & 0x7f;
	if (plen == 126) {
		if (len < 4)
			return SC_EAGAIN;
		plen = (uint64_t)p[2] << 8 | p[3];
		hdr = 4;
	} else if (plen == 127) {
		if (len < 10)
			return SC_EAGAIN;
		plen = 0;
		for (int i = 0; i < 8; i++)
			plen = plen << 8 | p[2 + i];
		hdr = 10;
	}
	if (p[1] & 0x80) {
		if (len < hdr + 4)
			return SC_EAGAIN;
		memcpy(f->key, p + hdr, 4);
		hdr += 4;
	}
	/* 3..7 are reserved data opcodes, 11..15 reserved controls */
	if (plen > max_payload || f->opcode > 10 ||
	    (f->opcode > 2 && f->opcode < 8))
		return SC_ENOTPROTO;
	f->header_len = hdr;
	f->payload_len = plen;
	return len - hdr < plen ? SC_EAGAIN : SC_OK;
}

bool
sc_ws_is_data(const struct sc_ws_frame *f)
{
	return f->opcode <= SC_WS_OP_BINARY;
}

enum sc_err
sc_ws_unmask_append(struct sc_dynbuf *msg, const struct sc_ws_frame *f,
                    const uint8_t *payload)
{
	size_t room = msg->cap - msg->len;
	size_t n = f->payload_len < room ? (size_t)f->payload_len : room;
	size_t at = msg->len;
	enum sc_err err = sc_dynbuf_add(msg, payload, n);

	if (err != SC_OK)
		return err;
	/* the key applies from the first byte of each frame's payload */
	for (size_t i = 0; i < n; i++)
		msg->p[at + i] ^= f->key[i & 3];
	return SC_OK;
}
