/* tcpstream.c - rebuild TCP byte streams and cut them into SIP messages
 *
 * RFC 9293 (sequence numbers), RFC 3261 18.3 (framing by Content-Length
 * on streams), RFC 5626 3.5.1 (CRLF keep-alives). What a stream carries
 * is recognised by the framers in frame/: SIP (sipframe.h), WebSocket
 * (websocket.h, RFC 7118) and TLS (tls_detect.h, counted, not decrypted);
 * this file only keeps the bytes and hands them to the right one
 * (tcpstream_modes.c says which one and drives it).
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
#include "sipcause/util/vec.h"
#include "sipcause/reassembly/tcpstream.h"
#include "tcpstream_impl.h"

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
void
sc__tcp_consume(struct sc_tcp *t, struct half *h, size_t n)
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
void
sc__tcp_clear(struct sc_tcp *t, struct half *h)
{
	sc__tcp_consume(t, h, h->buf.len);
	h->nmarks = 0;
}

/*
 * Fill @raw for the stream bytes [start, end) given as @p: the frames
 * whose bytes overlap the range, and time and frame of the last one.
 */
bool
sc__tcp_describe(struct sc_tcp *t, struct half *h, uint64_t start, uint64_t end,
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
	/* a segment that filled a hole came after the ones around it in
	 * the capture: the list is sorted, as struct sc_rawmsg promises */
	raw->nframes = sc_sort_unique_u64(t->frames_tmp, n);
	raw->src = h->src;
	raw->dst = h->dst;
	raw->transport = SC_TRANSPORT_TCP;
	raw->tunnel = h->tunnel.kind != SC_TUNNEL_NONE ? &h->tunnel : NULL;
	return n > 0;
}

/* Hand the first @len buffered bytes to @sink as one message. */
void
sc__tcp_emit(struct sc_tcp *t, struct half *h, size_t len, unsigned flags,
             sc_rawmsg_fn *sink, void *ctx)
{
	struct sc_rawmsg raw;

	if (!sc__tcp_describe(t, h, h->buf_off, h->buf_off + len, &raw))
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
			sc__tcp_clear(t, h);
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
		sc__tcp_process(t, h, sink, ctx);
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
		sc__tcp_emit(t, h, h->buf.len, SC_RAW_TRUNCATED, sink, ctx);
	sc__tcp_clear(t, h);
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
		sc__tcp_frame_sip(t, h, sink, ctx);
		sc__tcp_consume(t, h,
		                sc__tcp_skip_keepalives(h->buf.p, h->buf.len));
		if (h->buf.len && sc_sipframe_is_start(h->buf.p, h->buf.len))
			sc__tcp_emit(t, h, h->buf.len, SC_RAW_TRUNCATED, sink,
			             ctx);
	}
	sc__tcp_clear(t, h);
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
sc_tcp_expire(struct sc_tcp *t, int64_t now_ns, sc_rawmsg_fn *sink, void *ctx)
{
	if (now_ns - t->last_expire < NS_PER_S)
		return;
	t->last_expire = now_ns;
	for (struct sc_list *n = sc_list_first(&t->holed), *next; n; n = next) {
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
