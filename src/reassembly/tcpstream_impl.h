/* tcpstream_impl.h - what tcpstream.c and tcpstream_modes.c share
 * (internal to the reassembly stage) */
#ifndef SC_TCPSTREAM_IMPL_H
#define SC_TCPSTREAM_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/dynbuf.h"
#include "sipcause/util/hashmap.h"
#include "sipcause/util/list.h"
#include "sipcause/reassembly/tcpstream.h"

#define NS_PER_S INT64_C(1000000000)
/* bytes a flow may show without any SIP start line before we give up */
#define SNIFF_LIMIT (16 * 1024)
/* what a SIP-port flow keeps of unrecognised bytes (a split start line) */
#define MAX_TAIL_KEPT 4096
#define SIPS_PORT 5061

enum mode {
	MODE_UNKNOWN, /* nothing recognised yet */
	MODE_SIP,
	MODE_WS,    /* WebSocket frames after the HTTP upgrade */
	MODE_TLS,   /* encrypted: records counted, bytes dropped */
	MODE_OTHER, /* not SIP: bytes dropped */
};

struct flow_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t family;
	uint8_t pad[3];
};

/* Bytes up to stream offset @end came with @frame at @ts. */
struct mark {
	uint64_t end;
	uint64_t frame;
	int64_t ts;
};

/* A segment that arrived ahead of a hole. */
struct ooo_seg {
	uint32_t seq;
	uint8_t *data;
	size_t len;
	uint64_t frame;
	int64_t ts;
};

struct half {
	struct flow_key key;
	struct sc_list lru;   /* in sc_tcp.lru, least recent first */
	struct sc_list holed; /* in sc_tcp.holed while nooo > 0 */
	size_t idx;           /* position in sc_tcp.halves */
	struct sc_endpoint src;
	struct sc_endpoint dst;
	struct sc_tunnel tunnel;
	bool synced; /* next_seq is known */
	uint32_t next_seq;
	struct sc_dynbuf buf; /* bytes not framed yet */
	uint64_t buf_off;     /* stream offset of buf.p[0] */
	struct mark *marks;
	size_t nmarks;
	size_t amarks;
	struct ooo_seg *ooo;
	size_t nooo;
	size_t ooo_bytes;
	int64_t hole_since;
	int64_t last_ts;
	enum mode mode;
	uint64_t skip;          /* bytes still to drop (capped body, TLS) */
	struct sc_dynbuf wsmsg; /* WebSocket message being assembled */
	uint64_t ws_start;      /* stream offset of its first frame */
};

struct sc_tcp {
	struct sc_tcp_limits lim;
	struct sc_tcp_stats stats;
	struct sc_hashmap map; /* key -> struct half * */
	struct half **halves;  /* every half, for a stable flush order */
	size_t nhalves;
	struct sc_list lru;   /* every half, least recently used first */
	struct sc_list holed; /* halves that may have queued segments */
	size_t ahalves;
	size_t total; /* bytes buffered in all halves */
	int64_t last_expire;
	uint64_t *frames_tmp; /* frames of the message being emitted */
	size_t aframes_tmp;
};

/* Forget the first @n buffered bytes. */
void sc__tcp_consume(struct sc_tcp *t, struct half *h, size_t n);

/* Drop everything buffered (after a hole, or a flow given up). */
void sc__tcp_clear(struct sc_tcp *t, struct half *h);

/* The frames of stream bytes [start, end) into @raw; false when none
 * (or out of memory for the list). */
bool sc__tcp_describe(struct sc_tcp *t, struct half *h, uint64_t start,
                      uint64_t end, struct sc_rawmsg *raw);

/* Hand the first @len buffered bytes to @sink as one message. */
void sc__tcp_emit(struct sc_tcp *t, struct half *h, size_t len, unsigned flags,
                  sc_rawmsg_fn *sink, void *ctx);

/* Bytes of CRLF keep-alives at @p. */
size_t sc__tcp_skip_keepalives(const uint8_t *p, size_t len);

/* Cut the buffered bytes of a SIP stream into messages. */
void sc__tcp_frame_sip(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink,
                       void *ctx);

/* New bytes arrived: work out what the stream carries, then frame it. */
void sc__tcp_process(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink,
                     void *ctx);

#endif /* SC_TCPSTREAM_IMPL_H */
