/* tcpstream.h - TCP stream reassembly and SIP framing on streams */
#ifndef SC_TCPSTREAM_H
#define SC_TCPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/compiler.h"
#include "sipcause/decode/decode.h"
#include "sipcause/util/error.h"
#include "sipcause/frame/sipframe.h"

/*
 * Each direction of a TCP connection is rebuilt into a byte stream
 * (sequence numbers with wrap-around, retransmitted and overlapping bytes
 * trimmed, a bounded out-of-order queue) and cut into SIP messages
 * (RFC 3261 18.3: Content-Length frames messages on streams; RFC 5626
 * keep-alives skipped). Streams joined mid-way resynchronise on the next
 * SIP start line; a hole that never fills is capture loss: the message
 * across it is dropped and counted. WebSocket connections (RFC 7118) are
 * followed through the HTTP upgrade and their frames unmasked; TLS
 * connections are recognised and counted, not decrypted: both by the
 * framers of frame/websocket.h and frame/tls_detect.h. Time is the
 * capture's clock.
 */

/* Bounds; 0 in a field means the default. */
struct sc_tcp_limits {
	size_t max_buffer; /* bytes waiting in one direction (256 KiB) */
	size_t max_ooo;    /* out-of-order segments queued (64) */
	size_t max_flows;  /* directions followed at once (65536) */
	size_t max_total;  /* bytes buffered in all flows (64 MiB) */
	int64_t hole_ns;   /* a hole older than this is loss (2 s) */
	int64_t idle_ns;   /* an idle direction is dropped (300 s) */
	/* Ports where SIP is expected: flows on them are never given up as
	 * not SIP, only resynchronised. NULL: none. */
	bool (*is_sip_port)(const void *ctx, uint16_t port);
	const void *port_ctx;
};

struct sc_tcp_stats {
	uint64_t segments;       /* with payload */
	uint64_t flows;          /* directions seen */
	uint64_t retransmitted;  /* segments adding no new byte */
	uint64_t overlaps;       /* segments partly seen before */
	uint64_t out_of_order;   /* segments queued ahead of a hole */
	uint64_t gaps;           /* holes given up as capture loss */
	uint64_t gap_bytes;      /* bytes skipped for them */
	uint64_t resyncs;        /* skips to the next SIP start line */
	uint64_t skipped_bytes;  /* non-SIP bytes skipped on SIP flows */
	uint64_t no_clen;        /* messages without Content-Length */
	uint64_t capped;         /* bodies cut at SC_MAX_SIP_MSG */
	uint64_t evicted;        /* flows dropped for the caps */
	uint64_t tls_flows;      /* directions carrying TLS */
	uint64_t tls_flows_5061; /* ... of which on port 5061 (SIP over TLS) */
	uint64_t tls_records;    /* TLS records seen on them */
	uint64_t ws_flows;       /* directions upgraded to WebSocket */
	uint64_t ws_frames;      /* WebSocket data frames */
	uint64_t non_sip_flows;  /* directions given up as not SIP */
};

struct sc_tcp;

/* A reassembler; @limits may be NULL. NULL when out of memory. */
struct sc_tcp *sc_tcp_new(const struct sc_tcp_limits *limits);

/* Free it and every flow; NULL is a no-op. Nothing is emitted. */
void sc_tcp_free(struct sc_tcp *t);

/*
 * sc_tcp_add - one TCP segment (pkt->ipproto TCP). Complete SIP messages
 * are handed to @sink, each with the frames it was built from.
 * SC_ENOMEM only; damaged or odd streams are counted, never errors.
 */
enum sc_err sc_tcp_add(struct sc_tcp *t, const struct sc_pkt *pkt,
                       sc_rawmsg_fn *sink, void *ctx) SC_WARN_UNUSED;

/* Drop flows idle at capture time @now_ns, emitting what they hold. */
void sc_tcp_expire(struct sc_tcp *t, int64_t now_ns, sc_rawmsg_fn *sink,
                   void *ctx);

/* End of input: emit whatever every flow still holds. */
void sc_tcp_flush(struct sc_tcp *t, sc_rawmsg_fn *sink, void *ctx);

/* Counters so far; owned by @t. */
const struct sc_tcp_stats *sc_tcp_stats(const struct sc_tcp *t);

#endif /* SC_TCPSTREAM_H */
