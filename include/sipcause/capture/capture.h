/* capture.h - read frames from capture files (the only libpcap user) */
#ifndef SC_CAPTURE_H
#define SC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/*
 * Link types as numbered in capture files (tcpdump.org LINKTYPE_*).
 * capture.c maps libpcap's platform-dependent DLT_* values to these, so
 * the decoder never needs libpcap headers.
 */
enum sc_linktype {
	SC_LINK_NULL = 0, /* BSD loopback, host-order family */
	SC_LINK_ETHERNET = 1,
	SC_LINK_RAW = 101,  /* raw IPv4 or IPv6 */
	SC_LINK_LOOP = 108, /* OpenBSD loopback, big-endian family */
	SC_LINK_LINUX_SLL = 113,
	SC_LINK_IPV4 = 228,
	SC_LINK_IPV6 = 229,
	SC_LINK_LINUX_SLL2 = 276,
};

/*
 * Largest timestamp a frame carries (2261-07-12 in nanoseconds); later
 * and negative ones are saturated (see sc_capture_warning()). It is far
 * enough under INT64_MAX that adding a day to any timestamp is safe.
 */
#define SC_TS_MAX_NS (INT64_C(9200000000) * INT64_C(1000000000))

/* One captured frame. @data is borrowed until the next sc_capture_next(). */
struct sc_frame {
	uint64_t number;  /* 1-based position in the capture, as Wireshark */
	int64_t ts_ns;    /* nanoseconds since the Unix epoch, UTC */
	uint32_t caplen;  /* bytes present in @data */
	uint32_t wirelen; /* bytes the frame had on the wire */
	int linktype;     /* enum sc_linktype value (LINKTYPE_*) */
	const uint8_t *data;
	uint64_t file_off; /* where @data starts in the file, so that it can
	                      be read again; 0 when it cannot
	                      (sc_capture_reread_fd()) */
};

struct sc_capture;

/*
 * sc_capture_open_file - open a pcap or pcapng file, "-" for stdin.
 * Timestamps are read with nanosecond precision. On failure returns
 * SC_EPCAP (or SC_EIO, SC_EUNSUPPORTED for a link type we cannot decode,
 * named in @errbuf) and *out is NULL. The capture is owned by the caller;
 * release it with sc_capture_close().
 */
enum sc_err sc_capture_open_file(const char *path, struct sc_capture **out,
                                 char *errbuf) SC_WARN_UNUSED;

/*
 * sc_capture_open_stream - read a capture from an open stream (a pipe, a
 * memory buffer). @name is used in messages. The capture takes ownership
 * of @fp and closes it in sc_capture_close() (also on failure).
 */
enum sc_err sc_capture_open_stream(FILE *fp, const char *name,
                                   struct sc_capture **out,
                                   char *errbuf) SC_WARN_UNUSED;

/*
 * sc_capture_next - read the next frame into @f.
 * Returns SC_OK with a frame; SC_EOF at the clean end of the file;
 * SC_ETRUNC when the file ends in the middle of a record or at a record
 * libpcap cannot read (a corrupt length, a broken pcapng block): the
 * file ends there like a truncated one, everything before it was
 * delivered and @errbuf says what and where ("truncated after frame N:
 * ..." or "corrupt record after frame N: ..."); SC_EUNSUPPORTED when a
 * pcapng section switches to a link type libpcap cannot mix. Frame
 * numbers continue from @first_number given at open time via
 * sc_capture_set_first_number(). Timestamps outside 1970..SC_TS_MAX_NS
 * are saturated and counted, never wrapped.
 */
enum sc_err sc_capture_next(struct sc_capture *c, struct sc_frame *f,
                            char *errbuf) SC_WARN_UNUSED;

/*
 * sc_capture_warning - what reading this capture repaired so far
 * (saturated timestamps), as one line for input.warnings, or NULL when
 * nothing was. Owned by @c, valid until the next call on @c.
 */
const char *sc_capture_warning(struct sc_capture *c);

/* Timestamps saturated so far (out of 1970..SC_TS_MAX_NS). */
uint64_t sc_capture_bad_timestamps(const struct sc_capture *c);

/* Frames of this capture are numbered from @n (default 1). */
void sc_capture_set_first_number(struct sc_capture *c, uint64_t n);

/*
 * The link type of the capture (LINKTYPE_* numbering), and a name for
 * it: libpcap's (e.g. "EN10MB", "IEEE802_11") or "LINKTYPE_<n>".
 * The name has static lifetime.
 */
int sc_capture_linktype(const struct sc_capture *c);
const char *sc_capture_linktype_name(int linktype);

/* Bytes of the file consumed so far (for progress), and its size or 0. */
uint64_t sc_capture_offset(const struct sc_capture *c);
uint64_t sc_capture_size(const struct sc_capture *c);

/*
 * sc_capture_reread_fd - a descriptor of its own on the file, to read
 * frames again at their file_off with pread(2) after the capture is
 * closed (the caller closes it), or -1: only a classic pcap file opened
 * by path has offsets, and only until a frame libpcap may have cut to
 * the snapshot length (from there on file_off is 0).
 */
int sc_capture_reread_fd(const struct sc_capture *c);

/* Close and free; NULL is a no-op. */
void sc_capture_close(struct sc_capture *c);

/* True when sipcause can decode frames of @linktype. */
bool sc_capture_linktype_supported(int linktype);

#endif /* SC_CAPTURE_H */
