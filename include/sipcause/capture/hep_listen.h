/* hep_listen.h - a live source of HEP packets from capture agents */
#ifndef SC_HEP_LISTEN_H
#define SC_HEP_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#include "sipcause/capture/capture.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/* Room for a synthesised frame: IPv6 + UDP headers + a HEP payload. */
#define SC_HEP_FRAME_MAX (40 + 8 + 65535)

struct sc_hep_listen_stats {
	uint64_t packets;       /* HEP packets turned into frames */
	uint64_t bad;           /* damaged HEP, skipped */
	uint64_t not_hep;       /* datagrams that were not HEP */
	uint64_t non_sip;       /* HEP of other payload types (logs...) */
	uint64_t conns;         /* TCP connections accepted */
	uint64_t conns_refused; /* over the connection cap */
	uint64_t conns_dropped; /* closed for bad framing */
};

/*
 * sc_hep_to_frame - decode one HEP packet and build in @buf a raw IP
 * (LINKTYPE_RAW) frame: an IPv4 or IPv6 header and a UDP header with
 * the original addresses and ports, then the SIP payload; @out->ts_ns is
 * the original time (@now_ns when the HEP has none). SC_ENOTPROTO when
 * not HEP, SC_EUNSUPPORTED for a non-SIP payload type, SC_ETRUNC or
 * SC_EMALFORMED for damaged HEP. @out->data points into @buf.
 */
enum sc_err sc_hep_to_frame(const uint8_t *p, size_t len, int64_t now_ns,
                            uint8_t *buf, size_t cap,
                            struct sc_frame *out) SC_WARN_UNUSED;

struct sc_hep_listener;

/*
 * sc_hep_listen_open - bind "[udp:|tcp:]HOST:PORT". TCP accepts at most
 * @max_conns agents at once (more are refused and counted).
 */
enum sc_err sc_hep_listen_open(struct sc_hep_listener **out, const char *spec,
                               size_t max_conns) SC_WARN_UNUSED;

/* The bound port (useful with port 0). */
uint16_t sc_hep_listen_port(const struct sc_hep_listener *l);

/*
 * sc_hep_listen_next - wait up to @timeout_ms for the next SIP-carrying
 * HEP packet and return it as a frame (valid until the next call).
 * SC_EAGAIN when nothing came in time; damaged packets are counted and skipped.
 */
enum sc_err sc_hep_listen_next(struct sc_hep_listener *l, int timeout_ms,
                               struct sc_frame *out) SC_WARN_UNUSED;

const struct sc_hep_listen_stats *
sc_hep_listen_stats(const struct sc_hep_listener *l);

void sc_hep_listen_close(struct sc_hep_listener *l);

#endif /* SC_HEP_LISTEN_H */
