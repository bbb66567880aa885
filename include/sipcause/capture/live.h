/* live.h - capture frames from network interfaces as they arrive */
#ifndef SC_LIVE_H
#define SC_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/capture/capture.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/* Snapshot length when none is given: whole frames, as tcpdump. */
#define SC_LIVE_SNAPLEN 262144

struct sc_live_opts {
	const char *const *ifaces; /* names, "any" allowed; borrowed */
	size_t nifaces;
	const char *filter; /* BPF expression, NULL: none */
	int snaplen;        /* 0: SC_LIVE_SNAPLEN */
	int buffer_kib;     /* kernel buffer; 0: libpcap's */
	bool promisc;       /* promiscuous mode (tcpdump's default) */
};

/* Counters summed over every interface (pcap_stats). */
struct sc_live_stats {
	uint64_t frames;       /* delivered to the caller */
	uint64_t received;     /* seen by the filter (ps_recv) */
	uint64_t kernel_drops; /* no room in the buffer (ps_drop) */
	uint64_t iface_drops;  /* dropped by the interface (ps_ifdrop) */
};

struct sc_live;

/*
 * sc_live_open - open and activate every interface: immediate mode,
 * nanosecond timestamps where the platform gives them, non-blocking,
 * the filter compiled for each. On failure one line in @errbuf names the
 * interface and the reason (no such interface, no permission: needs
 * CAP_NET_RAW, interface down, bad filter, unsupported link type),
 * *out is NULL and the result is SC_EPCAP (SC_EUSAGE for a bad filter,
 * SC_ENOMEM). Open before dropping privileges.
 */
enum sc_err sc_live_open(const struct sc_live_opts *opts, struct sc_live **out,
                         char *errbuf) SC_WARN_UNUSED;

/* Interfaces open, and the name and link type (LINKTYPE_*) of one. */
size_t sc_live_count(const struct sc_live *l);
const char *sc_live_name(const struct sc_live *l, size_t i);
int sc_live_linktype(const struct sc_live *l, size_t i);

/* Frames handed over from interface @i so far. */
uint64_t sc_live_frames(const struct sc_live *l, size_t i);

/* True when interface @i delivers nanosecond timestamps. */
bool sc_live_nanosecond(const struct sc_live *l, size_t i);

/*
 * sc_live_wait - sleep until a frame may be ready on any interface or
 * @timeout_ms passed. A signal ends the wait early (SC_OK). SC_EIO with
 * @errbuf set when polling failed.
 */
enum sc_err sc_live_wait(struct sc_live *l, int timeout_ms,
                         char *errbuf) SC_WARN_UNUSED;

/* Receives a frame; @f->data is valid during the call only. */
typedef void sc_live_frame_fn(void *ctx, const struct sc_frame *f);

/*
 * sc_live_dispatch - hand every frame that is ready (without blocking),
 * at most @max (0: no limit), to @fn, interface by interface. Frames are
 * numbered from 1 across interfaces in the order they are handed over.
 * *n receives how many were. SC_EPCAP with @errbuf set when an interface
 * failed (it went away, or went down).
 */
enum sc_err sc_live_dispatch(struct sc_live *l, uint64_t max,
                             sc_live_frame_fn *fn, void *ctx, uint64_t *n,
                             char *errbuf) SC_WARN_UNUSED;

/* Counters so far (kernel numbers are read now). */
void sc_live_get_stats(struct sc_live *l, struct sc_live_stats *s);

/* Close every interface and free; NULL is a no-op. */
void sc_live_close(struct sc_live *l);

/*
 * sc_live_sip_filter - the --sip-filter expression into @buf: TCP and
 * UDP on ports 5060, 5061 and @ports, plus every IPv4 fragment after the
 * first and every IPv6 fragment (a port filter alone would drop the
 * rest of a fragmented INVITE). false when @len is too small.
 */
bool sc_live_sip_filter(const uint16_t *ports, size_t nports, char *buf,
                        size_t len);

#endif /* SC_LIVE_H */
