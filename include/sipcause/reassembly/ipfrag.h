/* ipfrag.h - IPv4 and IPv6 fragment reassembly on the capture clock */
#ifndef SC_IPFRAG_H
#define SC_IPFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/compiler.h"
#include "sipcause/decode/decode.h"
#include "sipcause/util/error.h"

/* Bounds on what reassembly may hold; 0 in a field means the default. */
struct sc_ipfrag_limits {
	size_t max_datagram;  /* bytes of one datagram (65535) */
	size_t max_pending;   /* datagrams being collected (4096) */
	size_t max_fragments; /* fragments of one datagram (256) */
	int64_t timeout_ns;   /* capture-clock lifetime of a datagram (30 s) */
};

/* What reassembly saw; every dropped fragment is counted somewhere. */
struct sc_ipfrag_stats {
	uint64_t fragments;    /* fragments given to sc_ipfrag_add() */
	uint64_t reassembled;  /* datagrams completed */
	uint64_t duplicates;   /* fragments that added no new byte */
	uint64_t overlaps;     /* fragments partly covering earlier ones */
	uint64_t timeouts;     /* datagrams given up, incomplete */
	uint64_t too_big;      /* datagrams beyond max_datagram */
	uint64_t evicted;      /* dropped to respect max_pending */
	uint64_t too_many;     /* datagrams beyond max_fragments */
	uint64_t inconsistent; /* conflicting last fragments */
};

/* A completed datagram. Valid until the next call on the reassembler. */
struct sc_datagram {
	const uint8_t *p;
	size_t len;
	uint8_t ipproto;
	int64_t ts_ns;          /* time of the completing fragment */
	uint64_t frame;         /* the completing fragment's frame */
	const uint64_t *frames; /* every fragment's frame, sorted, unique */
	size_t nframes;
	bool truncated; /* bytes missing (snaplen): @p is the
	                   captured prefix only */
};

struct sc_ipfrag;

/* A reassembler; @limits may be NULL. NULL when out of memory. */
struct sc_ipfrag *sc_ipfrag_new(const struct sc_ipfrag_limits *limits);

/* Free it and everything pending; NULL is a no-op. */
void sc_ipfrag_free(struct sc_ipfrag *r);

/*
 * sc_ipfrag_add - collect the fragment in @pkt (pkt->is_fragment set by
 * decode). Returns SC_OK with @out filled when this fragment completes
 * its datagram; SC_EAGAIN while fragments are still missing; SC_ELIMIT
 * (too big, too many fragments) or SC_EMALFORMED (two ends that
 * disagree) when the datagram was dropped, counted in the stats: data
 * faults, never a reason to stop; SC_ENOMEM. Overlapping bytes
 * keep their first copy (RFC 5722 would drop the datagram; a capture
 * tool keeps what it can and counts it).
 */
enum sc_err sc_ipfrag_add(struct sc_ipfrag *r, const struct sc_pkt *pkt,
                          struct sc_datagram *out) SC_WARN_UNUSED;

/* Give up datagrams older than the timeout at capture time @now_ns. */
void sc_ipfrag_expire(struct sc_ipfrag *r, int64_t now_ns);

/* Counters so far; owned by @r. */
const struct sc_ipfrag_stats *sc_ipfrag_stats(const struct sc_ipfrag *r);

/* Datagrams being collected. */
size_t sc_ipfrag_pending(const struct sc_ipfrag *r);

#endif /* SC_IPFRAG_H */
