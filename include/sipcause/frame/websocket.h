/* websocket.h - WebSocket upgrade and frames (RFC 6455, RFC 7118) */
#ifndef SC_WEBSOCKET_H
#define SC_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/compiler.h"
#include "sipcause/util/dynbuf.h"
#include "sipcause/util/error.h"

/*
 * What a stream reassembler needs to follow SIP over WebSocket: the HTTP
 * upgrade that starts the connection, then frame headers and unmasking.
 * Pure functions over bytes; no state, no allocation except into the
 * caller's buffer.
 */

/* Largest HTTP upgrade request or response worth waiting for. */
#define SC_WS_HANDSHAKE_LIMIT (8 * 1024)

/* Opcodes (RFC 6455 5.2) that carry message data. */
enum {
	SC_WS_OP_CONTINUATION = 0,
	SC_WS_OP_TEXT = 1,
	SC_WS_OP_BINARY = 2,
};

/* One frame header. */
struct sc_ws_frame {
	uint8_t opcode;
	bool fin;
	uint8_t key[4];    /* masking key; zeros when not masked */
	size_t header_len; /* bytes before the payload */
	uint64_t payload_len;
};

/*
 * sc_ws_upgrade - does the stream start with an HTTP head (a GET or a
 * "101" response) that upgrades to WebSocket? SC_OK with @head_len the
 * bytes of the head up to its blank line; SC_EAGAIN while the head may
 * still be arriving; SC_ENOTPROTO when this is not such a head.
 */
enum sc_err sc_ws_upgrade(const uint8_t *p, size_t len,
                          size_t *head_len) SC_WARN_UNUSED;

/*
 * sc_ws_frame_parse - the frame at @p. SC_OK when the whole frame
 * (header and payload) is in @len bytes; SC_EAGAIN when more bytes are
 * needed; SC_ENOTPROTO when the header is not one we can follow (a
 * reserved opcode, or a payload over @max_payload).
 */
enum sc_err sc_ws_frame_parse(const uint8_t *p, size_t len,
                              uint64_t max_payload,
                              struct sc_ws_frame *f) SC_WARN_UNUSED;

/* True for opcodes that carry message data (continuation, text, binary). */
bool sc_ws_is_data(const struct sc_ws_frame *f);

/*
 * sc_ws_unmask_append - append the payload of @f (at @payload) to @msg,
 * unmasked. What does not fit under @msg's cap is dropped. SC_ENOMEM
 * when the buffer could not grow.
 */
enum sc_err sc_ws_unmask_append(struct sc_dynbuf *msg,
                                const struct sc_ws_frame *f,
                                const uint8_t *payload);

#endif /* SC_WEBSOCKET_H */
