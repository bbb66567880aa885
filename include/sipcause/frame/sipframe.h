/* sipframe.h - find SIP message boundaries in datagrams and streams */
#ifndef SC_SIPFRAME_H
#define SC_SIPFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/addr.h"
#include "sipcause/util/compiler.h"
#include "sipcause/decode/decode.h"
#include "sipcause/util/error.h"

/* Largest SIP message we keep; longer bodies are cut and flagged. */
#define SC_MAX_SIP_MSG (64 * 1024)

/* How a message reached the capture point. */
enum sc_transport {
	SC_TRANSPORT_UDP,
	SC_TRANSPORT_TCP,
	SC_TRANSPORT_SCTP,
	SC_TRANSPORT_WS,
	SC_TRANSPORT__COUNT
};

/* "udp", "tcp", "sctp", "ws"; static lifetime. */
const char *sc_transport_name(enum sc_transport t);

/* Flags on a framed message (and copied onto struct sc_msg). */
enum {
	SC_RAW_TRUNCATED = 1u << 0, /* bytes missing: snaplen, capture loss */
	SC_RAW_NO_CLEN = 1u << 1,   /* stream message without Content-Length */
	SC_RAW_BODY_CAPPED = 1u << 2,   /* body longer than SC_MAX_SIP_MSG */
	SC_RAW_HEP = 1u << 3,           /* carried inside HEP */
	SC_RAW_BAD_CLEN = 1u << 4,      /* Content-Length unreadable */
	SC_RAW_NO_HEADER_END = 1u << 5, /* no blank line after the headers */
	SC_RAW_RESYNCED = 1u << 6,      /* found past leading garbage */
};

/*
 * One framed SIP message, as handed to the parser. Every pointer is
 * borrowed and valid only during the sink call that receives it.
 */
struct sc_rawmsg {
	const uint8_t *data;
	size_t len;
	int64_t ts_ns;          /* time of the completing frame */
	uint64_t frame;         /* frame that completed the message */
	const uint64_t *frames; /* every frame it was built from, sorted */
	size_t nframes;
	struct sc_endpoint src;
	struct sc_endpoint dst;
	enum sc_transport transport;
	unsigned flags;                 /* SC_RAW_* */
	const struct sc_tunnel *tunnel; /* NULL when not tunnelled */
	bool has_ip_id;                 /* @ip_id is set (IPv4 datagrams) */
	uint16_t ip_id;                 /* IPv4 identification of the packet
	                                   that carried it (sc_pkt.ip_id): two
	                                   copies of one frame share it */
	uint32_t input;    /* the input file it was read from (the analyzer
	                      numbers them) */
	uint64_t file_off; /* where its bytes are in that file, as they are
	                      here, or 0 (set by the analyzer) */
};

/* Receives framed messages; @ctx is the consumer's state. */
typedef void sc_rawmsg_fn(void *ctx, const struct sc_rawmsg *m);

/*
 * sc_sipframe_is_start - true when @p begins a SIP message: a request line
 * "METHOD SP Request-URI SP SIP/2.0" or a status line "SIP/2.0 SP NNN".
 * Content-based, independent of ports. Only the first line is examined.
 */
bool sc_sipframe_is_start(const uint8_t *p, size_t len);

/*
 * sc_sipframe_find_start - offset of the first SIP start line at a line
 * boundary in @p, or SIZE_MAX (used to resynchronise a stream).
 */
size_t sc_sipframe_find_start(const uint8_t *p, size_t len);

/* Result of measuring one message at the front of a buffer. */
enum sc_frame_result {
	SC_FRAME_NOT_SIP,  /* the bytes do not start a SIP message */
	SC_FRAME_PARTIAL,  /* a message starts but more bytes are needed */
	SC_FRAME_COMPLETE, /* *msg_len bytes form one message */
};

/*
 * sc_sipframe_measure - how long is the SIP message at the front of @p?
 * Finds the end of the headers (CRLFCRLF, or bare LFLF) and adds the
 * Content-Length (or compact "l:"). When @is_stream is false (datagram)
 * the datagram end bounds the message: a missing Content-Length means
 * "the rest", a larger one marks the message truncated, and a start line
 * that runs to the end of the datagram without CRLF is a message. On a stream a
 * missing Content-Length counts as 0 and sets SC_RAW_NO_CLEN. *flags gets
 * SC_RAW_* bits. Leading CRLF keep-alives are not skipped here.
 */
enum sc_frame_result sc_sipframe_measure(const uint8_t *p, size_t len,
                                         bool is_stream, size_t *msg_len,
                                         unsigned *flags);

/*
 * sc_sipframe_datagram - frame the SIP messages in one datagram payload
 * (UDP, SCTP DATA, a WebSocket message): skips keep-alives (CRLF, NUL,
 * STUN-less pings), emits each message found to @sink with the meta data
 * of @proto (its data/len fields are replaced). Returns how many messages
 * were emitted; 0 when the payload is not SIP.
 */
size_t sc_sipframe_datagram(const uint8_t *p, size_t len,
                            const struct sc_rawmsg *proto, sc_rawmsg_fn *sink,
                            void *ctx);

#endif /* SC_SIPFRAME_H */
