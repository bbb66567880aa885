/* tcpstream.c - rebuild TCP byte streams and cut them into SIP messages
 *
 * RFC 9293 (sequence numbers), RFC 3261 18.3 (framing by Content-Length
 * on streams), RFC 5626 3.5.1 (CRLF keep-alives), RFC 6455 5.2 and
 * RFC 7118 (SIP over WebSocket), RFC 8446 5.1 (TLS record header, only
 * to recognise and count encrypted flows).
 *
 * Each direction ("half") keeps the bytes not yet framed in a capped
 * buffer, with marks saying which frame brought which bytes, so every
 * message lists the frames it was built from.
 *
 * Every operation on one flow is O(1) whatever the number of flows: the
 * halves sit in a least-recently-used list (the oldest is evicted in
 * constant time when a cap is hit, and idle expiry stops at the first
 * recent one), halves with queued segments in a second list, and each
 * half knows its slot in the array, so removing it needs no search.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sipcause/util/dynbuf.h"
#include "sipcause/util/hashmap.h"
#include "sipcause/util/list.h"
#include "sipcause/util/str.h"
#include "sipcause/reassembly/tcpstream.h"

#define NS_PER_S INT64_C(1000000000)
/* bytes a flow may show without any SIP start line before we give up */
#define SNIFF_LIMIT (16 * 1024)
/* what a SIP-port flow keeps of unrecognised bytes (a split start line) */
#define MAX_TAIL_KEPT 4096
/* largest HTTP upgrade request or response we wait for */
#define HANDSHAKE_LIMIT (8 * 1024)
#define SIPS_PORT 5061

enum mode {
	MODE_UNKNOWN,   /* nothing recognised yet */
	MODE_SIP,
	MODE_WS,        /* WebSocket frames after the HTTP upgrade */
	MODE_TLS,       /* encrypted: records counted, bytes dropped */
	MODE_OTHER,     /* not SIP: bytes dropped */
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
	struct sc_list lru;        /* in sc_tcp.lru, least recent first */
	struct sc_list holed;      /* in sc_tcp.holed while nooo > 0 */
	size_t idx;                /* position in sc_tcp.halves */
	struct sc_endpoint src;
	struct sc_endpoint dst;
	struct sc_tunnel tunnel;
	bool synced;               /* next_seq is known */
	uint32_t next_seq;
	struct sc_dynbuf buf;      /* bytes not framed yet */
	uint64_t buf_off;          /* stream offset of buf.p[0] */
	struct mark *marks;
	size_t nmarks;
	size_t amarks;
	struct ooo_seg *ooo;
	size_t nooo;
	size_t ooo_bytes;
	int64_t hole_since;
	int64_t last_ts;
	enum mode mode;
	uint64_t skip;             /* bytes still to drop (capped body, TLS) */
	struct sc_dynbuf wsmsg;    /* WebSocket message being assembled */
	uint64_t ws_start;         /* stream offset of its first frame */
};

struct sc_tcp {
	struct sc_tcp_limits lim;
	struct sc_tcp_stats stats;
	struct sc_hashmap map;     /* key -> struct half * */
	struct half **halves;      /* every half, for a stable flush order */
	size_t nhalves;
	struct sc_list lru;        /* every half, least recently used first */
	struct sc_list holed;      /* halves that may have queued segments */
	size_t ahalves;
	size_t total;              /* bytes buffered in all halves */
	int64_t last_expire;
	uint64_t *frames_tmp;      /* frames of the message being emitted */
	size_t aframes_tmp;
};

struct sc_tcp *
sc_tcp_new(const struct sc_tcp_limits *limits)
{
	struct sc_tcp *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (limits)
		t->lim = *limits;
	if (!t->lim.max_buffer)
		t->lim.max_buffer = 256 * 1024;
	if (!t->lim.max_ooo)
		t->lim.max_ooo = 64;
	if (!t->lim.max_flows)
		t->lim.max_flows = 65536;
	if (!t->lim.max_total)
		t->lim.max_total = 64 * 1024 * 1024;
	if (!t->lim.hole_ns)
		t->lim.hole_ns = 2 * NS_PER_S;
	if (!t->lim.idle_ns)
		t->lim.idle_ns = 300 * NS_PER_S;
	sc_hashmap_init(&t->map);
	sc_list_init(&t->lru);
	sc_list_init(&t->holed);
	return t;
}

static void
half_free(struct half *h)
{
	for (size_t i = 0; i < h->nooo; i++)
		free(h->ooo[i].data);
	free(h->ooo);
	free(h->marks);
	sc_dynbuf_fini(&h->buf);
	sc_dynbuf_fini(&h->wsmsg);
	free(h);
}

void
sc_tcp_free(struct sc_tcp *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nhalves; i++)
		half_free(t->halves[i]);
	free(t->halves);
	free(t->frames_tmp);
	sc_hashmap_fini(&t->map);
	free(t);
}

const struct sc_tcp_stats *
sc_tcp_stats(const struct sc_tcp *t)
{
	return &t->stats;
}

bool
sc_tcp_is_tls_record(const uint8_t *p, size_t len)
{
	size_t rlen;

	if (len < 5)
		return false;
	rlen = (size_t)p[3] << 8 | p[4];
	return p[0] >= 20 && p[0] <= 24 && p[1] == 3 && p[2] <= 4 &&
	       rlen > 0 && rlen <= 16384 + 2048;
}

/* ---- buffer bookkeeping ---- */

static bool
add_mark(struct half *h, uint64_t end, uint64_t frame, int64_t ts)
{
	if (h->nmarks && h->marks[h->nmarks - 1].frame == frame) {
		h->marks[h->nmarks - 1].end = end;
		return true;
	}
	if (h->nmarks == h->amarks) {
		size_t n = h->amarks ? h->amarks * 2 : 8;
		struct mark *v = realloc(h->marks, n * sizeof(*v));

		if (!v)
			return false;
		h->marks = v;
		h->amarks = n;
	}
	h->marks[h->nmarks++] = (struct mark){ end, frame, ts };
	return true;
}

/* Forget the first @n buffered bytes. */
static void
consume(struct sc_tcp *t, struct half *h, size_t n)
{
	size_t drop = 0;

	if (n > h->buf.len)
		n = h->buf.len;
	sc_dynbuf_consume(&h->buf, n);
	h->buf_off += n;
	t->total -= n;
	while (drop < h->nmarks && h->marks[drop].end <= h->buf_off)
		drop++;
	if (drop == 0)
		return;
	memmove(h->marks, h->marks + drop,
		(h->nmarks - drop) * sizeof(*h->marks));
	h->nmarks -= drop;
}

/* Drop everything buffered (after a hole, or a flow given up). */
static void
clear(struct sc_tcp *t, struct half *h)
{
	consume(t, h, h->buf.len);
	h->nmarks = 0;
}

/*
 * Fill @raw for the stream bytes [start, end) given as @p: the frames
 * whose bytes overlap the range, and time and frame of the last one.
 */
static bool
describe(struct sc_tcp *t, struct half *h, uint64_t start, uint64_t end,
	 struct sc_rawmsg *raw)
{
	uint64_t from = h->buf_off;
	size_t n = 0;

	memset(raw, 0, sizeof(*raw));
	for (size_t i = 0; i < h->nmarks; i++) {
		uint64_t mstart = i ? h->marks[i - 1].end : from;

		if (h->marks[i].end <= start || mstart >= end)
			continue;
		if (n == t->aframes_tmp) {
			size_t a = t->aframes_tmp ? t->aframes_tmp * 2 : 16;
			uint64_t *v = realloc(t->frames_tmp, a * sizeof(*v));

			if (!v)
				return false;
			t->frames_tmp = v;
			t->aframes_tmp = a;
		}
		t->frames_tmp[n++] = h->marks[i].frame;
		raw->frame = h->marks[i].frame;
		raw->ts_ns = h->marks[i].ts;
	}
	raw->frames = t->frames_tmp;
	raw->nframes = n;
	raw->src = h->src;
	raw->dst = h->dst;
	raw->transport = SC_TRANSPORT_TCP;
	raw->tunnel = h->tunnel.kind != SC_TUNNEL_NONE ? &h->tunnel : NULL;
	return n > 0;
}

/* Hand the first @len buffered bytes to @sink as one message. */
static void
emit(struct sc_tcp *t, struct half *h, size_t len, unsigned flags,
     sc_rawmsg_fn *sink, void *ctx)
{
	struct sc_rawmsg raw;

	if (!describe(t, h, h->buf_off, h->buf_off + len, &raw))
		return;
	raw.data = h->buf.p;
	raw.len = len;
	raw.flags = flags;
	if (flags & SC_RAW_NO_CLEN)
		t->stats.no_clen++;
	if (flags & SC_RAW_BODY_CAPPED)
		t->stats.capped++;
	sink(ctx, &raw);
}

/* ---- framing per mode ---- */

static size_t
skip_keepalives(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == '\r' || p[i] == '\n'))
		i++;
	return i;
}

/* Drop what cannot start a message: up to the next SIP start line, or
 * all but a trailing partial line that might become one. */
static void
resync(struct sc_tcp *t, struct half *h)
{
	size_t k = sc_sipframe_find_start(h->buf.p + 1, h->buf.len - 1);
	const uint8_t *nl;

	if (k != SIZE_MAX) {
		k += 1;
	} else {
		nl = h->buf.len ? memchr(h->buf.p, '\n', h->buf.len) : NULL;
		k = 0;
		/* keep the last, unfinished line */
		for (const uint8_t *q = nl; q; q = memchr(q + 1, '\n',
			 h->buf.len - (size_t)(q + 1 - h->buf.p)))
			k = (size_t)(q + 1 - h->buf.p);
		if (k == 0 && h->buf.len >= 4096)
			k = h->buf.len;
	}
	if (k == 0)
		return;
	t->stats.resyncs++;
	t->stats.skipped_bytes += k;
	consume(t, h, k);
}

/* Drop bytes still owed to h->skip (the rest of a capped body or of a
 * TLS record); false while more are owed than are buffered. */
static bool
drop_skipped(struct sc_tcp *t, struct half *h)
{
	size_t n = h->skip < h->buf.len ? (size_t)h->skip : h->buf.len;

	consume(t, h, n);
	h->skip -= n;
	return h->skip == 0;
}

static void
frame_sip(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink, void *ctx)
{
	for (;;) {
		size_t msg_len, n;
		unsigned flags;

		if (!drop_skipped(t, h))
			return;
		consume(t, h, skip_keepalives(h->buf.p, h->buf.len));
		if (h->buf.len == 0)
			return;
		switch (sc_sipframe_measure(h->buf.p, h->buf.len, true,
					    &msg_len, &flags)) {
		case SC_FRAME_COMPLETE:
			emit(t, h, msg_len, flags, sink, ctx);
			consume(t, h, msg_len);
			break;
		case SC_FRAME_PARTIAL:
			if (msg_len > SC_MAX_SIP_MSG) {
				/* keep the headers and what fits; skip the
				 * rest of the body as it arrives */
				n = h->buf.len < SC_MAX_SIP_MSG
					    ? h->buf.len
					    : SC_MAX_SIP_MSG;
				emit(t, h, n, SC_RAW_BODY_CAPPED, sink, ctx);
				consume(t, h, n);
				h->skip = msg_len - n;
				break;
			}
			if (h->buf.len + 1 >= t->lim.max_buffer) {
				emit(t, h, h->buf.len, SC_RAW_TRUNCATED, sink,
				     ctx);
				clear(t, h);
			}
			return;
		case SC_FRAME_NOT_SIP:
			resync(t, h);
			if (h->buf.len == 0 ||
			    !sc_sipframe_is_start(h->buf.p, h->buf.len))
				return;
			break;
		}
	}
}

/* The bytes of a TLS stream: count records, keep nothing. */
static void
walk_tls(struct sc_tcp *t, struct half *h)
{
	for (;;) {
		if (!drop_skipped(t, h))
			return;
		if (h->buf.len < 5)
			return;
		if (!sc_tcp_is_tls_record(h->buf.p, h->buf.len)) {
			h->mode = MODE_OTHER;
			clear(t, h);
			return;
		}
		t->stats.tls_records++;
		h->skip = 5 + ((size_t)h->buf.p[3] << 8 | h->buf.p[4]);
	}
}

/*
 * WebSocket frame (RFC 6455 5.2): | FIN 1 | RSV 3 | opcode 4 | MASK 1 |
 * length 7 | (16 or 64-bit length) | (masking key 32) | payload |.
 * Text (1) and binary (2) messages, with continuations (0), carry SIP.
 */
static void
frame_ws(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink, void *ctx)
{
	while (h->buf.len >= 2) {
		const uint8_t *p = h->buf.p;
		uint8_t op = p[0] & 0x0f;
		bool fin = p[0] & 0x80, masked = p[1] & 0x80;
		uint64_t len = p[1] & 0x7f;
		size_t hdr = 2;
		uint8_t key[4] = { 0, 0, 0, 0 };

		if (len == 126) {
			if (h->buf.len < 4)
				return;
			len = (uint64_t)p[2] << 8 | p[3];
			hdr = 4;
		} else if (len == 127) {
			if (h->buf.len < 10)
				return;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = len << 8 | p[2 + i];
			hdr = 10;
		}
		if (masked) {
			if (h->buf.len < hdr + 4)
				return;
			memcpy(key, p + hdr, 4);
			hdr += 4;
		}
		if (len > t->lim.max_buffer || op > 10 || (op > 2 && op < 8)) {
			/* not a WebSocket stream we can follow */
			h->mode = MODE_OTHER;
			clear(t, h);
			return;
		}
		if (h->buf.len < hdr + len)
			return;
		if (op <= 2) {
			if (op != 0) {
				sc_dynbuf_reset(&h->wsmsg);
				h->ws_start = h->buf_off;
			}
			for (uint64_t i = 0; i < len; i++) {
				uint8_t b = p[hdr + i] ^ key[i & 3];

				if (sc_dynbuf_add(&h->wsmsg, &b, 1) != SC_OK)
					break;
			}
			if (fin) {
				struct sc_rawmsg proto;

				t->stats.ws_frames++;
				if (describe(t, h, h->ws_start,
					     h->buf_off + hdr + len, &proto)) {
					proto.transport = SC_TRANSPORT_WS;
					sc_sipframe_datagram(h->wsmsg.p,
							     h->wsmsg.len,
							     &proto, sink, ctx);
				}
				sc_dynbuf_reset(&h->wsmsg);
			}
		}
		consume(t, h, hdr + (size_t)len);
	}
}

/* An HTTP request or response head that upgrades to WebSocket. */
static int
ws_handshake_length(const uint8_t *p, size_t len)
{
	struct sc_str s = sc_str_make((const char *)p, len);
	size_t end = sc_str_find(s, SC_STR_LIT("\r\n\r\n"), false);

	if (end == SIZE_MAX)
		return len < HANDSHAKE_LIMIT ? 0 : -1;
	s.len = end;
	if (sc_str_find(s, SC_STR_LIT("websocket"), true) == SIZE_MAX)
		return -1;
	return (int)(end + 4);
}

static bool
on_sip_port(const struct sc_tcp *t, const struct half *h)
{
	return t->lim.is_sip_port &&
	       (t->lim.is_sip_port(t->lim.port_ctx, h->src.port) ||
		t->lim.is_sip_port(t->lim.port_ctx, h->dst.port));
}

/* Work out what the stream carries from its first bytes. */
static void
sniff(struct sc_tcp *t, struct half *h)
{
	const uint8_t *p;
	int hs;

	consume(t, h, skip_keepalives(h->buf.p, h->buf.len));
	p = h->buf.p;
	if (h->buf.len == 0)
		return;
	if (sc_sipframe_is_start(p, h->buf.len)) {
		h->mode = MODE_SIP;
		return;
	}
	if (sc_tcp_is_tls_record(p, h->buf.len)) {
		h->mode = MODE_TLS;
		t->stats.tls_flows++;
		if (h->src.port == SIPS_PORT || h->dst.port == SIPS_PORT)
			t->stats.tls_flows_5061++;
		return;
	}
	if (sc_str_has_prefix_nocase(sc_str_make((const char *)p, h->buf.len),
				     "GET ") ||
	    sc_str_has_prefix_nocase(sc_str_make((const char *)p, h->buf.len),
				     "HTTP/1.1 101")) {
		hs = ws_handshake_length(p, h->buf.len);
		if (hs == 0)
			return;
		if (hs > 0) {
			consume(t, h, (size_t)hs);
			h->mode = MODE_WS;
			t->stats.ws_flows++;
			return;
		}
	}
	/* joined mid-stream: a SIP start line further on? */
	if (sc_sipframe_find_start(p, h->buf.len) != SIZE_MAX) {
		h->mode = MODE_SIP;
		return;
	}
	if (h->buf.len >= SNIFF_LIMIT && on_sip_port(t, h)) {
		/* expected to be SIP: keep the tail, wait for a start line */
		t->stats.skipped_bytes += h->buf.len - MAX_TAIL_KEPT;
		consume(t, h, h->buf.len - MAX_TAIL_KEPT);
		return;
	}
	if (h->buf.len >= SNIFF_LIMIT) {
		h->mode = MODE_OTHER;
		t->stats.non_sip_flows++;
		clear(t, h);
	}
}

static void
process(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink, void *ctx)
{
	if (h->mode == MODE_UNKNOWN)
		sniff(t, h);
	switch (h->mode) {
	case MODE_SIP:
		frame_sip(t, h, sink, ctx);
		break;
	case MODE_WS:
		frame_ws(t, h, sink, ctx);
		break;
	case MODE_TLS:
		walk_tls(t, h);
		break;
	case MODE_OTHER:
		clear(t, h);
		break;
	case MODE_UNKNOWN:
		break;
	}
}

/* ---- sequence handling ---- */

/*
 * RFC 9293 3.4: sequence numbers wrap; @a is after @b when it lies less
 * than 2^31 ahead. Computed on unsigned values, never by negating a
 * signed difference (INT32_MIN has no opposite).
 */
static bool
seq_after(uint32_t a, uint32_t b)
{
	uint32_t ahead = a - b;

	return ahead != 0 && ahead < UINT32_C(0x80000000);
}

/* Append in-order bytes; returns false when out of memory. */
static bool
append(struct sc_tcp *t, struct half *h, const uint8_t *p, size_t len,
       uint64_t frame, int64_t ts, sc_rawmsg_fn *sink, void *ctx)
{
	h->next_seq += (uint32_t)len;
	if (h->mode == MODE_OTHER) {
		h->buf_off += len;
		return true;
	}
	while (len > 0) {
		size_t room = t->lim.max_buffer - h->buf.len;
		size_t n = len < room ? len : room;
		enum sc_err err;

		if (n == 0) {
			/* full and nothing framed: give the bytes up */
			t->stats.skipped_bytes += h->buf.len;
			clear(t, h);
			continue;
		}
		err = sc_dynbuf_add(&h->buf, p, n);
		if (err != SC_OK)
			return false;
		t->total += n;
		if (!add_mark(h, h->buf_off + h->buf.len, frame, ts))
			return false;
		p += n;
		len -= n;
		process(t, h, sink, ctx);
	}
	return true;
}

static int
by_seq(const void *a, const void *b)
{
	const struct ooo_seg *x = a, *y = b;

	return seq_after(x->seq, y->seq) - seq_after(y->seq, x->seq);
}

/* Move queued segments that now fit into the stream. */
static bool
drain(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink, void *ctx)
{
	while (h->nooo > 0) {
		struct ooo_seg *s = &h->ooo[0];
		uint32_t behind = h->next_seq - s->seq;
		bool ok = true;

		if (seq_after(s->seq, h->next_seq))
			break;
		if (behind < s->len)
			ok = append(t, h, s->data + behind, s->len - behind,
				    s->frame, s->ts, sink, ctx);
		h->ooo_bytes -= s->len;
		t->total -= s->len;
		free(s->data);
		memmove(h->ooo, h->ooo + 1, (h->nooo - 1) * sizeof(*h->ooo));
		h->nooo--;
		if (!ok)
			return false;
	}
	if (h->nooo == 0)
		h->hole_since = 0;
	return true;
}

/*
 * The hole before the first queued segment will not fill: the capture
 * lost those bytes. A message in progress is handed over as truncated
 * (its start line and headers are still worth reading); the stream goes
 * on from the queued bytes and resynchronises on a start line.
 */
static bool
give_up_hole(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink, void *ctx)
{
	uint32_t gap;

	if (h->nooo == 0)
		return true;
	gap = h->ooo[0].seq - h->next_seq;
	t->stats.gaps++;
	t->stats.gap_bytes += gap;
	if (h->mode == MODE_SIP && h->buf.len &&
	    sc_sipframe_is_start(h->buf.p, h->buf.len))
		emit(t, h, h->buf.len, SC_RAW_TRUNCATED, sink, ctx);
	clear(t, h);
	h->skip = 0;
	sc_dynbuf_reset(&h->wsmsg);
	h->buf_off += gap;
	h->next_seq = h->ooo[0].seq;
	return drain(t, h, sink, ctx);
}

static bool
queue(struct sc_tcp *t, struct half *h, const struct sc_pkt *pkt)
{
	struct ooo_seg s;
	struct ooo_seg *v;

	for (size_t i = 0; i < h->nooo; i++)
		if (h->ooo[i].seq == pkt->tcp_seq &&
		    h->ooo[i].len >= pkt->len) {
			t->stats.retransmitted++;
			return true;
		}
	s.data = malloc(pkt->len);
	if (!s.data)
		return false;
	memcpy(s.data, pkt->payload, pkt->len);
	s.seq = pkt->tcp_seq;
	s.len = pkt->len;
	s.frame = pkt->frame;
	s.ts = pkt->ts_ns;
	v = realloc(h->ooo, (h->nooo + 1) * sizeof(*v));
	if (!v) {
		free(s.data);
		return false;
	}
	h->ooo = v;
	h->ooo[h->nooo++] = s;
	qsort(h->ooo, h->nooo, sizeof(*h->ooo), by_seq);
	h->ooo_bytes += s.len;
	t->total += s.len;
	if (h->hole_since == 0)
		h->hole_since = pkt->ts_ns;
	if (!sc_list_is_linked(&h->holed))
		sc_list_add_tail(&t->holed, &h->holed);
	t->stats.out_of_order++;
	return true;
}

/* Emit what a finished direction still holds, then forget it. */
static void
finish(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink, void *ctx)
{
	while (h->nooo > 0)
		if (!give_up_hole(t, h, sink, ctx))
			break;
	if (h->mode == MODE_SIP) {
		frame_sip(t, h, sink, ctx);
		consume(t, h, skip_keepalives(h->buf.p, h->buf.len));
		if (h->buf.len && sc_sipframe_is_start(h->buf.p, h->buf.len))
			emit(t, h, h->buf.len, SC_RAW_TRUNCATED, sink, ctx);
	}
	clear(t, h);
	t->total -= h->ooo_bytes;
}

/* Forget @h: O(1), the last half takes its slot in the array. */
static void
remove_half(struct sc_tcp *t, struct half *h)
{
	struct half *last = t->halves[--t->nhalves];

	sc_hashmap_del(&t->map, &h->key, sizeof(h->key));
	t->halves[h->idx] = last;
	last->idx = h->idx;
	sc_list_del(&h->lru);
	sc_list_del(&h->holed);
	half_free(h);
}

/* The least recently used half, or NULL when there is none. */
static struct half *
oldest_half(const struct sc_tcp *t)
{
	struct sc_list *n = sc_list_first(&t->lru);

	return n ? SC_CONTAINER_OF(n, struct half, lru) : NULL;
}

/* Finish and forget the oldest half to respect a cap. */
static void
evict_oldest(struct sc_tcp *t, sc_rawmsg_fn *sink, void *ctx)
{
	struct half *old = oldest_half(t);

	if (!old)
		return;
	finish(t, old, sink, ctx);
	remove_half(t, old);
	t->stats.evicted++;
}

static struct half *
find_half(struct sc_tcp *t, const struct sc_pkt *pkt, sc_rawmsg_fn *sink,
	  void *ctx)
{
	struct flow_key k;
	struct half *h;

	memset(&k, 0, sizeof(k));
	k.family = pkt->src.addr.family;
	memcpy(k.src, pkt->src.addr.bytes, 16);
	memcpy(k.dst, pkt->dst.addr.bytes, 16);
	k.sport = pkt->src.port;
	k.dport = pkt->dst.port;
	h = sc_hashmap_get(&t->map, &k, sizeof(k));
	if (h)
		return h;
	if (t->nhalves >= t->lim.max_flows)
		evict_oldest(t, sink, ctx);
	if (t->nhalves == t->ahalves) {
		size_t n = t->ahalves ? t->ahalves * 2 : 64;
		struct half **v = realloc(t->halves, n * sizeof(*v));

		if (!v)
			return NULL;
		t->halves = v;
		t->ahalves = n;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->key = k;
	h->src = pkt->src;
	h->dst = pkt->dst;
	h->tunnel = pkt->tunnel;
	sc_dynbuf_init(&h->buf, t->lim.max_buffer);
	sc_dynbuf_init(&h->wsmsg, SC_MAX_SIP_MSG);
	if (sc_hashmap_put(&t->map, &h->key, sizeof(h->key), h) != SC_OK) {
		half_free(h);
		return NULL;
	}
	h->idx = t->nhalves;
	t->halves[t->nhalves++] = h;
	sc_list_add_tail(&t->lru, &h->lru);
	t->stats.flows++;
	return h;
}

/* Keep the bytes buffered by all flows under the total cap. */
static void
enforce_total(struct sc_tcp *t, const struct half *keep, sc_rawmsg_fn *sink,
	      void *ctx)
{
	while (t->total > t->lim.max_total && t->nhalves > 1) {
		if (oldest_half(t) == keep)
			break;
		evict_oldest(t, sink, ctx);
	}
}

enum sc_err
sc_tcp_add(struct sc_tcp *t, const struct sc_pkt *pkt, sc_rawmsg_fn *sink,
	   void *ctx)
{
	struct half *h = find_half(t, pkt, sink, ctx);
	uint32_t behind;

	if (!h)
		return SC_ENOMEM;
	h->last_ts = pkt->ts_ns;
	sc_list_move_tail(&t->lru, &h->lru);
	if (!h->synced && (pkt->tcp_flags & SC_TCP_SYN)) {
		h->synced = true;
		h->next_seq = pkt->tcp_seq + 1;
	} else if (!h->synced && pkt->len > 0) {
		/* joined mid-stream */
		h->synced = true;
		h->next_seq = pkt->tcp_seq;
	}
	if (pkt->len > 0) {
		t->stats.segments++;
		if (seq_after(pkt->tcp_seq, h->next_seq)) {
			if (!queue(t, h, pkt))
				return SC_ENOMEM;
		} else if ((behind = h->next_seq - pkt->tcp_seq) >= pkt->len) {
			t->stats.retransmitted++;
		} else {
			if (behind > 0)
				t->stats.overlaps++;
			if (!append(t, h, pkt->payload + behind,
				    pkt->len - behind, pkt->frame, pkt->ts_ns,
				    sink, ctx) ||
			    !drain(t, h, sink, ctx))
				return SC_ENOMEM;
		}
		if (h->nooo > 0 &&
		    (h->nooo > t->lim.max_ooo ||
		     pkt->ts_ns - h->hole_since > t->lim.hole_ns) &&
		    !give_up_hole(t, h, sink, ctx))
			return SC_ENOMEM;
	}
	if (pkt->tcp_flags & (SC_TCP_FIN | SC_TCP_RST)) {
		finish(t, h, sink, ctx);
		remove_half(t, h);
		return SC_OK;
	}
	enforce_total(t, h, sink, ctx);
	return SC_OK;
}

void
sc_tcp_expire(struct sc_tcp *t, int64_t now_ns, sc_rawmsg_fn *sink,
	      void *ctx)
{
	if (now_ns - t->last_expire < NS_PER_S)
		return;
	t->last_expire = now_ns;
	for (struct sc_list *n = sc_list_first(&t->holed), *next; n;
	     n = next) {
		struct half *h = SC_CONTAINER_OF(n, struct half, holed);

		next = n->next == &t->holed ? NULL : n->next;
		if (h->nooo > 0 && now_ns - h->hole_since > t->lim.hole_ns)
			(void)give_up_hole(t, h, sink, ctx);
		if (h->nooo == 0)
			sc_list_del(&h->holed);
	}
	/* least recent first: stop at the first half still active */
	for (struct half *h; (h = oldest_half(t)) != NULL;) {
		if (now_ns - h->last_ts <= t->lim.idle_ns)
			break;
		finish(t, h, sink, ctx);
		remove_half(t, h);
	}
}

void
sc_tcp_flush(struct sc_tcp *t, sc_rawmsg_fn *sink, void *ctx)
{
	while (t->nhalves > 0) {
		finish(t, t->halves[0], sink, ctx);
		remove_half(t, t->halves[0]);
	}
}
