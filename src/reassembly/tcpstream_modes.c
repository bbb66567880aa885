/* tcpstream_modes.c - what a rebuilt TCP stream carries, and handing
 * its bytes to the framer for it: SIP (frame/sipframe.h, RFC 3261 18.3,
 * RFC 5626 keep-alives), WebSocket (frame/websocket.h, RFC 7118) or TLS
 * (frame/tls_detect.h: records counted, bytes dropped). A stream joined
 * mid-way resynchronises on the next SIP start line.
 */
#include "config.h"

#include <string.h>

#include "sipcause/frame/tls_detect.h"
#include "sipcause/frame/websocket.h"
#include "sipcause/reassembly/tcpstream.h"
#include "tcpstream_impl.h"

size_t
sc__tcp_skip_keepalives(const uint8_t *p, size_t len)
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
		for (const uint8_t *q = nl; q;
		     q = memchr(q + 1, '\n',
		                h->buf.len - (size_t)(q + 1 - h->buf.p)))
			k = (size_t)(q + 1 - h->buf.p);
		if (k == 0 && h->buf.len >= 4096)
			k = h->buf.len;
	}
	if (k == 0)
		return;
	t->stats.resyncs++;
	t->stats.skipped_bytes += k;
	sc__tcp_consume(t, h, k);
}

/* Drop bytes still owed to h->skip (the rest of a capped body or of a
 * TLS record); false while more are owed than are buffered. */
static bool
drop_skipped(struct sc_tcp *t, struct half *h)
{
	size_t n = h->skip < h->buf.len ? (size_t)h->skip : h->buf.len;

	sc__tcp_consume(t, h, n);
	h->skip -= n;
	return h->skip == 0;
}

void
sc__tcp_frame_sip(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink,
                  void *ctx)
{
	for (;;) {
		size_t msg_len, n;
		unsigned flags;

		if (!drop_skipped(t, h))
			return;
		sc__tcp_consume(t, h,
		                sc__tcp_skip_keepalives(h->buf.p, h->buf.len));
		if (h->buf.len == 0)
			return;
		switch (sc_sipframe_measure(h->buf.p, h->buf.len, true,
		                            &msg_len, &flags)) {
		case SC_FRAME_COMPLETE:
			sc__tcp_emit(t, h, msg_len, flags, sink, ctx);
			sc__tcp_consume(t, h, msg_len);
			break;
		case SC_FRAME_PARTIAL:
			if (msg_len > SC_MAX_SIP_MSG) {
				/* keep the headers and what fits; skip the
				 * rest of the body as it arrives */
				n = h->buf.len < SC_MAX_SIP_MSG
				            ? h->buf.len
				            : SC_MAX_SIP_MSG;
				sc__tcp_emit(t, h, n, SC_RAW_BODY_CAPPED, sink,
				             ctx);
				sc__tcp_consume(t, h, n);
				h->skip = msg_len - n;
				break;
			}
			if (h->buf.len + 1 >= t->lim.max_buffer) {
				sc__tcp_emit(t, h, h->buf.len, SC_RAW_TRUNCATED,
				             sink, ctx);
				sc__tcp_clear(t, h);
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
		if (h->buf.len < SC_TLS_RECORD_HEADER)
			return;
		if (!sc_tls_is_record(h->buf.p, h->buf.len)) {
			h->mode = MODE_OTHER;
			sc__tcp_clear(t, h);
			return;
		}
		t->stats.tls_records++;
		h->skip = sc_tls_record_size(h->buf.p);
	}
}

/* One complete WebSocket message: frame the SIP it carries. */
static void
emit_ws(struct sc_tcp *t, struct half *h, uint64_t end, sc_rawmsg_fn *sink,
        void *ctx)
{
	struct sc_rawmsg proto;

	t->stats.ws_frames++;
	if (sc__tcp_describe(t, h, h->ws_start, end, &proto)) {
		proto.transport = SC_TRANSPORT_WS;
		sc_sipframe_datagram(h->wsmsg.p, h->wsmsg.len, &proto, sink,
		                     ctx);
	}
	sc_dynbuf_reset(&h->wsmsg);
}

/* WebSocket frames: text and binary messages, with continuations, carry
 * SIP; control frames are skipped. */
static void
frame_ws(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink, void *ctx)
{
	struct sc_ws_frame f;
	enum sc_err err;

	while ((err = sc_ws_frame_parse(h->buf.p, h->buf.len, t->lim.max_buffer,
	                                &f)) == SC_OK) {
		size_t size = f.header_len + (size_t)f.payload_len;

		if (sc_ws_is_data(&f)) {
			if (f.opcode != SC_WS_OP_CONTINUATION) {
				sc_dynbuf_reset(&h->wsmsg);
				h->ws_start = h->buf_off;
			}
			/* out of memory: the message is cut short, as a
			 * capped one would be */
			(void)sc_ws_unmask_append(&h->wsmsg, &f,
			                          h->buf.p + f.header_len);
			if (f.fin)
				emit_ws(t, h, h->buf_off + size, sink, ctx);
		}
		sc__tcp_consume(t, h, size);
	}
	if (err == SC_ENOTPROTO) {
		/* not a WebSocket stream we can follow */
		h->mode = MODE_OTHER;
		sc__tcp_clear(t, h);
	}
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
	size_t hs;
	enum sc_err err;

	sc__tcp_consume(t, h, sc__tcp_skip_keepalives(h->buf.p, h->buf.len));
	p = h->buf.p;
	if (h->buf.len == 0)
		return;
	if (sc_sipframe_is_start(p, h->buf.len)) {
		h->mode = MODE_SIP;
		return;
	}
	if (sc_tls_is_record(p, h->buf.len)) {
		h->mode = MODE_TLS;
		t->stats.tls_flows++;
		if (h->src.port == SIPS_PORT || h->dst.port == SIPS_PORT)
			t->stats.tls_flows_5061++;
		return;
	}
	err = sc_ws_upgrade(p, h->buf.len, &hs);
	if (err == SC_EAGAIN)
		return;
	if (err == SC_OK) {
		sc__tcp_consume(t, h, hs);
		h->mode = MODE_WS;
		t->stats.ws_flows++;
		return;
	}
	/* joined mid-stream: a SIP start line further on? */
	if (sc_sipframe_find_start(p, h->buf.len) != SIZE_MAX) {
		h->mode = MODE_SIP;
		return;
	}
	if (h->buf.len >= SNIFF_LIMIT && on_sip_port(t, h)) {
		/* expected to be SIP: keep the tail, wait for a start line */
		t->stats.skipped_bytes += h->buf.len - MAX_TAIL_KEPT;
		sc__tcp_consume(t, h, h->buf.len - MAX_TAIL_KEPT);
		return;
	}
	if (h->buf.len >= SNIFF_LIMIT) {
		h->mode = MODE_OTHER;
		t->stats.non_sip_flows++;
		sc__tcp_clear(t, h);
	}
}

void
sc__tcp_process(struct sc_tcp *t, struct half *h, sc_rawmsg_fn *sink, void *ctx)
{
	if (h->mode == MODE_UNKNOWN)
		sniff(t, h);
	switch (h->mode) {
	case MODE_SIP:
		sc__tcp_frame_sip(t, h, sink, ctx);
		break;
	case MODE_WS:
		frame_ws(t, h, sink, ctx);
		break;
	case MODE_TLS:
		walk_tls(t, h);
		break;
	case MODE_OTHER:
		sc__tcp_clear(t, h);
		break;
	case MODE_UNKNOWN:
		break;
	}
}
