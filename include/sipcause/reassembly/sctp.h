/* sctp.h - SIP in SCTP: DATA chunks and fragmented user messages */
#ifndef SC_SCTP_H
#define SC_SCTP_H

#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/compiler.h"
#include "sipcause/decode/decode.h"
#include "sipcause/util/error.h"
#include "sipcause/frame/sipframe.h"

/*
 * RFC 4168 carries one SIP message per SCTP user message. A user message
 * may be split over several DATA chunks (RFC 9260 6.9: B and E flags,
 * consecutive TSNs), in one packet or several; they are joined here per
 * association direction and stream. Each complete message goes to the
 * SIP framer with every frame it came from.
 */
struct sc_sctp_stats {
	uint64_t chunks;      /* DATA and I-DATA chunks */
	uint64_t reassembled; /* user messages joined from fragments */
	uint64_t dropped;     /* fragments that never completed */
	uint64_t malformed;   /* packets with a damaged chunk list */
};

struct sc_sctp;

/* A reassembler; NULL when out of memory. */
struct sc_sctp *sc_sctp_new(void);

/* Free it and every partial message; NULL is a no-op. */
void sc_sctp_free(struct sc_sctp *s);

/*
 * sc_sctp_add - the SCTP packet in @pkt (payload from the common
 * header). Complete user messages are framed and handed to @sink.
 * SC_ENOMEM only; damage is counted.
 */
enum sc_err sc_sctp_add(struct sc_sctp *s, const struct sc_pkt *pkt,
                        sc_rawmsg_fn *sink, void *ctx) SC_WARN_UNUSED;

/* Counters; owned by @s. Partial messages still held count as dropped
 * once sc_sctp_free() or the eviction of old ones discards them. */
const struct sc_sctp_stats *sc_sctp_stats(const struct sc_sctp *s);

#endif /* SC_SCTP_H */
