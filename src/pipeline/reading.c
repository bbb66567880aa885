/* reading.c - the reading side: frames to parsed SIP messages
 *
 * Each frame is decoded, reassembled (IP fragments, TCP, SCTP), framed
 * (SIP over UDP, TCP, WebSocket, HEP) and parsed; what it yields goes to
 * the calls side as events (sc__emit), on this thread or through the
 * handoff ring when a file is read on two (analyze.c).
 */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_impl.h"
#include "sipcause/capture/capture.h"
#include "sipcause/decode/decode.h"
#include "sipcause/frame/carrier.h"
#include "sipcause/frame/sipframe.h"
#include "sipcause/reassembly/ipfrag.h"
#include "sipcause/reassembly/sctp.h"
#include "sipcause/reassembly/tcpstream.h"
#include "sipcause/sip/sipmsg.h"

/* Report progress every this many frames. */
#define PROGRESS_EVERY 65536

/* SIP's registered ports, then the user's hints. */
bool
sc__is_sip_port(const void *ctx, uint16_t port)
{
	const struct sc_analyzer *a = ctx;

	if (port == 5060 || port == 5061)
		return true;
	for (size_t i = 0; i < a->opts.nports; i++)
		if (a->opts.ports[i] == port)
			return true;
	return false;
}

/* A framed SIP message: parse it and hand it to the calls side. */
void
sc__on_rawmsg(void *ctx, const struct sc_rawmsg *raw)
{
	struct sc_analyzer *a = ctx;
	struct sc_rawmsg marked = *raw;
	struct sc_msg *msg;
	enum sc_err err;

	if (a->opts.on_message)
		a->opts.on_message(a->opts.on_message_ctx, raw);
	/* where its bytes can be read again, if they can (reread.c) */
	sc__reread_mark(a, &marked);
	raw = &marked;
	if (a->handoff && sc__hand_over_unparsed(a, raw))
		return;
	err = sc_sipmsg_parse(a->parser, raw, &msg);
	if (err == SC_EMALFORMED) {
		a->read_stats->unparsable++;
		return;
	}
	if (err != SC_OK) {
		sc__note_read_failure(a, err);
		return;
	}
	sc__emit(a, &(struct sc__event){ .kind = SC__EV_MSG, .p = msg });
}

static void
count_decode_failure(struct sc_stats *st, const struct sc_pkt *pkt)
{
	if (sc_decode_reason_is_skip(pkt->reason))
		st->skipped[pkt->reason]++;
	else
		st->decode_errors[pkt->reason]++;
}

/* The framing meta data of a packet built from @frames. */
static void
describe(const struct sc_pkt *pkt, const uint64_t *frames, size_t nframes,
         enum sc_transport transport, struct sc_rawmsg *proto)
{
	memset(proto, 0, sizeof(*proto));
	proto->ts_ns = pkt->ts_ns;
	proto->frame = pkt->frame;
	proto->frames = frames;
	proto->nframes = nframes;
	proto->src = pkt->src;
	proto->dst = pkt->dst;
	proto->transport = transport;
	proto->flags = pkt->truncated ? SC_RAW_TRUNCATED : 0;
	proto->has_ip_id = pkt->has_ip_id;
	proto->ip_id = pkt->ip_id;
	proto->tunnel =
	        pkt->tunnel.kind != SC_TUNNEL_NONE ? &pkt->tunnel : NULL;
}

/* SIP inside HEP: the original addresses and time replace the outer. */
static bool
try_hep(struct sc_analyzer *a, const struct sc_rawmsg *outer,
        const struct sc_pkt *pkt)
{
	struct sc_hep hep;
	struct sc_rawmsg proto = *outer;
	enum sc_err err = sc_hep_decode(pkt->payload, pkt->len, &hep);

	if (err == SC_ENOTPROTO)
		return false;
	if (err != SC_OK || (hep.payload_type && hep.payload_type != 1) ||
	    !sc_sipframe_is_start(hep.payload, hep.len)) {
		a->read_stats->hep_non_sip++;
		return true;
	}
	proto.src = hep.src;
	proto.dst = hep.dst;
	if (hep.ts_ns)
		proto.ts_ns = hep.ts_ns;
	proto.transport = hep.ipproto == SC_IPPROTO_TCP ? SC_TRANSPORT_TCP
	                                                : SC_TRANSPORT_UDP;
	proto.flags |= SC_RAW_HEP;
	a->read_stats->hep_messages += sc_sipframe_datagram(
	        hep.payload, hep.len, &proto, sc__on_rawmsg, a);
	return true;
}

static void
udp(struct sc_analyzer *a, const struct sc_pkt *pkt, const uint64_t *frames,
    size_t nframes)
{
	struct sc_rawmsg proto;

	describe(pkt, frames, nframes, SC_TRANSPORT_UDP, &proto);
	if (sc_sipframe_datagram(pkt->payload, pkt->len, &proto, sc__on_rawmsg,
	                         a) > 0)
		return;
	if (try_hep(a, &proto, pkt))
		return;
	/* on a SIP port, look past leading garbage for a start line */
	if (sc__is_sip_port(a, pkt->src.port) ||
	    sc__is_sip_port(a, pkt->dst.port)) {
		size_t at = sc_sipframe_find_start(pkt->payload, pkt->len);

		proto.flags |= SC_RAW_RESYNCED;
		if (at != SIZE_MAX &&
		    sc_sipframe_datagram(pkt->payload + at, pkt->len - at,
		                         &proto, sc__on_rawmsg, a) > 0) {
			a->read_stats->udp_resynced++;
			return;
		}
	}
	a->read_stats->udp_non_sip++;
}

/*
 * An ICMP error quoting a SIP request: tie it to the request's call as an
 * event (it explains why no answer came); it is not a SIP message.
 */
static void
icmp(struct sc_analyzer *a, const struct sc_pkt *pkt)
{
	struct sc_icmp_quote q;
	struct sc_rawmsg raw;
	struct icmp_event *ie;
	struct sc_msg *m = NULL;

	if (sc_decode_icmp_quote(pkt, &q) != SC_OK ||
	    !sc_sipframe_is_start(q.payload, q.len))
		return;
	memset(&raw, 0, sizeof(raw));
	raw.data = q.payload;
	raw.len = q.len;
	raw.frame = pkt->frame;
	raw.frames = &pkt->frame;
	raw.nframes = 1;
	if (sc_sipmsg_scan(&raw, &m) != SC_OK)
		return;
	ie = m->call_id ? calloc(1, sizeof(*ie)) : NULL;
	if (ie)
		ie->ev.text = strdup(sc_icmp_text(q.family, q.type, q.code));
	if (!ie || !ie->ev.text) {
		free(ie);
		sc_msg_free(m);
		return;
	}
	ie->quoted = m;
	ie->ev.frame = pkt->frame;
	ie->ev.ts_ns = pkt->ts_ns;
	ie->ev.from = pkt->src.addr;
	ie->ev.icmp_version = q.family;
	ie->ev.type = q.type;
	ie->ev.code = q.code;
	sc__emit(a, &(struct sc__event){ .kind = SC__EV_ICMP, .p = ie });
}

/* A decoded, whole transport payload built from @frames. */
static void
dispatch(struct sc_analyzer *a, const struct sc_pkt *pkt,
         const uint64_t *frames, size_t nframes)
{
	switch (pkt->ipproto) {
	case SC_IPPROTO_UDP:
		udp(a, pkt, frames, nframes);
		break;
	case SC_IPPROTO_TCP:
		sc__note_read_failure(
		        a, sc_tcp_add(a->tcp, pkt, sc__on_rawmsg, a));
		break;
	case SC_IPPROTO_SCTP:
		sc__note_read_failure(
		        a, sc_sctp_add(a->sctp, pkt, sc__on_rawmsg, a));
		break;
	case SC_IPPROTO_ICMP:
	case SC_IPPROTO_ICMPV6:
		icmp(a, pkt);
		break;
	default:
		break;
	}
}

/* An IP fragment: collect it; a completed datagram goes on decoding. */
static void
fragment(struct sc_analyzer *a, const struct sc_pkt *pkt)
{
	struct sc_datagram d;
	struct sc_pkt whole = *pkt;
	enum sc_err err = sc_ipfrag_add(a->frags, pkt, &d);

	if (err != SC_OK) {
		/* pending (EAGAIN) or dropped and counted (a data fault) */
		sc__note_read_failure(a, err == SC_ENOMEM ? err : SC_OK);
		return;
	}
	whole.frame = d.frame;
	whole.ts_ns = d.ts_ns;
	/* a datagram cut by the snapshot length is only a prefix: decode
	 * must read a longer length field as "cut", not as damage */
	whole.truncated = d.truncated;
	err = sc_decode_transport(&whole, d.ipproto, d.p, d.len);
	if (err != SC_OK) {
		count_decode_failure(a->read_stats, &whole);
		return;
	}
	/* fragments inside a reassembled tunnel: not followed further */
	if (whole.is_fragment)
		return;
	dispatch(a, &whole, d.frames, d.nframes);
}

enum sc_err
sc_analyzer_frame(struct sc_analyzer *a, const struct sc_frame *f)
{
	struct sc_stats *st = a->read_stats;
	struct sc_pkt pkt;
	enum sc_err err;

	if (f->ts_ns > a->now_ns)
		a->now_ns = f->ts_ns;
	if (f->ts_ns > a->seen_ns)
		a->seen_ns = f->ts_ns;
	a->frame = f;
	sc__emit(a, &(struct sc__event){ .kind = SC__EV_FRAME,
	                                 .ts_ns = f->ts_ns,
	                                 .n = f->wirelen });

	err = sc_decode_frame(f, &pkt);
	if (pkt.warning != SC_DR_NONE)
		st->decode_warnings[pkt.warning]++;
	if (err != SC_OK)
		count_decode_failure(st, &pkt);
	else if (pkt.is_fragment)
		fragment(a, &pkt);
	else
		dispatch(a, &pkt, &pkt.frame, 1);
	a->frame = NULL;

	/* each stage expires on the capture clock, at most once a second */
	sc_ipfrag_expire(a->frags, a->now_ns);
	sc_tcp_expire(a->tcp, a->now_ns, sc__on_rawmsg, a);
	sc__emit(a, &(struct sc__event){ .kind = SC__EV_FRAME_END,
	                                 .ts_ns = a->now_ns,
	                                 .in_file = a->in_file });
	if (!a->handoff)
		return sc__take_failures(a);
	err = a->read_failure;
	a->read_failure = SC_OK;
	if (err == SC_OK)
		err = (enum sc_err)atomic_load_explicit(&a->stop,
		                                        memory_order_relaxed);
	return err;
}

/* Read every frame of @cap into the model entry @file. */
enum sc_err
sc__read_capture(struct sc_analyzer *a, struct sc_capture *cap,
                 struct sc_input_file *file, char *errbuf)
{
	struct sc_frame f;
	enum sc_err err;
	uint64_t n = 0;

	file->linktype = sc_capture_linktype(cap);
	sc_capture_set_first_number(cap, a->next_frame);
	a->in_file = true;
	a->input = sc__reread_add(a, cap);
	while ((err = sc_capture_next(cap, &f, errbuf)) == SC_OK) {
		a->next_frame = f.number + 1;
		file->packets++;
		err = sc_analyzer_frame(a, &f);
		if (err != SC_OK)
			break;
		if (a->progress && ++n % PROGRESS_EVERY == 0)
			sc__emit(a, &(struct sc__event){
			                    .kind = SC__EV_PROGRESS,
			                    .n = sc_capture_offset(cap),
			                    .total = sc_capture_size(cap) });
	}
	/* timestamps repaired on the way (saturated past 2261) */
	if (sc_capture_warning(cap) && !file->warning)
		file->warning = strdup(sc_capture_warning(cap));
	sc_capture_close(cap);
	a->in_file = false;
	a->input = -1;
	if (err == SC_EOF)
		return SC_OK;
	if (err == SC_ETRUNC) {
		/* keep what was read; the caller warns */
		file->truncated = true;
		free(file->warning);
		file->warning = strdup(errbuf);
		return SC_OK;
	}
	if (err != SC_ENOMEM) {
		char msg[SC_ERRBUF_SIZE];

		/* errbuf says what and where; prefix the file's name */
		snprintf(msg, sizeof(msg), "%s: %s", file->path, errbuf);
		memcpy(errbuf, msg, SC_ERRBUF_SIZE);
		free(file->warning);
		file->warning = strdup(msg);
	}
	return err;
}
