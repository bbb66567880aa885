/* hep_out.h - HEP v3 out: encode messages and verdict logs, send them */
#ifndef SC_HEP_OUT_H
#define SC_HEP_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sipcause/util/addr.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

struct sc_diagnosis;
struct sc_rawmsg;

/* HEP3 protocol types sipcause sends. */
#define SC_HEP_PT_SIP 1
#define SC_HEP_PT_LOG 100

/* Largest HEP3 packet (its length field is 16 bits). */
#define SC_HEP_MAX 65535

/*
 * One HEP3 packet's fields. Strings may be NULL (chunk left out);
 * @src/@dst families decide IPv4 or IPv6 chunks (both must match).
 */
struct sc_hep_out_msg {
	uint8_t ipproto;      /* 17 UDP, 6 TCP, 132 SCTP */
	uint8_t payload_type; /* SC_HEP_PT_SIP or SC_HEP_PT_LOG */
	struct sc_endpoint src;
	struct sc_endpoint dst;
	uint32_t ts_sec;
	uint32_t ts_usec;
	uint32_t agent_id;       /* capture agent id (chunk 12) */
	const char *password;    /* auth key (chunk 14) */
	const char *node;        /* node name (chunk 19) */
	const char *correlation; /* correlation id (chunk 17) */
	const uint8_t *payload;
	size_t len;
};

/*
 * sc_hep_encode - write @m as HEP3 into @buf. Returns the packet length,
 * or 0 when it does not fit in @cap (or SC_HEP_MAX) or the families are
 * unset or differ.
 */
size_t sc_hep_encode(const struct sc_hep_out_msg *m, uint8_t *buf,
                     size_t cap) SC_WARN_UNUSED;

/*
 * sc_hep_msg_from_raw - fill @m's addresses, transport, time and payload
 * (type SIP) from a framed SIP message; agent id, password and node are
 * left as they were.
 */
void sc_hep_msg_from_raw(struct sc_hep_out_msg *m, const struct sc_rawmsg *raw);

/*
 * sc_hep_verdict_json - the compact JSON verdict log of the call of @d in a
 * malloc'd string (*@len set): type "sipcause.verdict", call_id, state,
 * final_code, then the verdict's code, reason, category, rule, cause,
 * summary and evidence, named as in doc/json.md (codes null when none).
 * NULL on allocation failure or when the call has no Call-ID.
 */
char *sc_hep_verdict_json(const struct sc_diagnosis *d, size_t *len);

/*
 * A HEP sender: one socket to one collector. UDP: a failed send is
 * counted and the next one is tried. TCP: a failed or stalled send
 * (SC_HEP_TCP_TIMEOUT_MS) closes the connection, since a partial packet
 * would desynchronise the stream; packets are then counted as failed
 * until a reconnection succeeds, tried at the next packet at most once
 * a second.
 */
#define SC_HEP_TCP_TIMEOUT_MS 1000

struct sc_hep_sender {
	int fd;
	int socktype;    /* SOCK_DGRAM or SOCK_STREAM */
	uint32_t rate;   /* messages per second, 0: no pacing */
	int64_t next_ns; /* monotonic time of the next send */
	uint64_t sent;
	uint64_t failed;
	uint64_t bytes;
	uint64_t reconnects; /* TCP connections made again */
	int64_t retry_ns;    /* TCP: monotonic time of the next connect */
	struct sockaddr_storage peer;
	uint32_t peer_len;
};

/*
 * sc_hep_sender_open - connect to @dest: "udp:HOST:PORT",
 * "tcp:HOST:PORT" or "HOST:PORT" (UDP); IPv6 hosts in brackets.
 * SC_EUSAGE for a bad @dest, SC_EIO when it cannot be reached.
 */
enum sc_err sc_hep_sender_open(struct sc_hep_sender *s, const char *dest,
                               uint32_t rate) SC_WARN_UNUSED;

/*
 * sc_hep_sender_send - send one encoded packet, waiting first when a
 * rate is set. Failures are counted in s->failed, never fatal.
 */
void sc_hep_sender_send(struct sc_hep_sender *s, const uint8_t *pkt,
                        size_t len);

/* Close the socket (counters stay readable); TCP data already queued is
 * still delivered by the kernel. */
void sc_hep_sender_close(struct sc_hep_sender *s);

#endif /* SC_HEP_OUT_H */
