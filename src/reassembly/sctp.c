/* sctp.c - SIP in SCTP DATA and I-DATA chunks, fragments joined
 *
 * RFC 9260 3 (common header, chunk format), 3.3.1 (DATA), 6.9
 * (fragmentation: B and E flags, consecutive TSNs), RFC 8260 2.1
 * (I-DATA), RFC 4168 (SIP over SCTP). Chunks are padded to 4 bytes; the
 * padding is not counted in the chunk length.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sipcause/util/cur.h"
#include "sipcause/util/dynbuf.h"
#include "sipcause/reassembly/sctp.h"

#define CHUNK_DATA 0
#define CHUNK_IDATA 64
#define FLAG_END 0x01
#define FLAG_BEGIN 0x02
/* partial user messages held at once; the oldest goes first */
#define MAX_PARTIAL 64
#define MAX_FRAGMENT_FRAMES 64

/* A user message being joined. */
struct partial {
	struct sc_endpoint src;
	struct sc_endpoint dst;
	uint16_t sid;
	uint32_t next_tsn;
	struct sc_dynbuf buf;
	uint64_t frames[MAX_FRAGMENT_FRAMES];
	size_t nframes;
	bool used;
	uint64_t age; /* for eviction */
};

struct sc_sctp {
	struct partial slots[MAX_PARTIAL];
	struct sc_sctp_stats stats;
	uint64_t clock;
};

struct sc_sctp *
sc_sctp_new(void)
{
	struct sc_sctp *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	for (size_t i = 0; i < MAX_PARTIAL; i++)
		sc_dynbuf_init(&s->slots[i].buf, SC_MAX_SIP_MSG);
	return s;
}

void
sc_sctp_free(struct sc_sctp *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < MAX_PARTIAL; i++)
		sc_dynbuf_fini(&s->slots[i].buf);
	free(s);
}

const struct sc_sctp_stats *
sc_sctp_stats(const struct sc_sctp *s)
{
	return &s->stats;
}

static void
release(struct sc_sctp *s, struct partial *p, bool dropped)
{
	if (dropped)
		s->stats.dropped++;
	sc_dynbuf_reset(&p->buf);
	p->used = false;
}

static struct partial *
find(struct sc_sctp *s, const struct sc_pkt *pkt, uint16_t sid)
{
	for (size_t i = 0; i < MAX_PARTIAL; i++) {
		struct partial *p = &s->slots[i];

		if (p->used && p->sid == sid &&
		    sc_endpoint_equal(&p->src, &pkt->src) &&
		    sc_endpoint_equal(&p->dst, &pkt->dst))
			return p;
	}
	return NULL;
}

static struct partial *
start(struct sc_sctp *s, const struct sc_pkt *pkt, uint16_t sid)
{
	struct partial *p = find(s, pkt, sid), *oldest = &s->slots[0];

	if (p) {
		release(s, p, true); /* a new B before the old E */
	} else {
		for (size_t i = 0; i < MAX_PARTIAL && !p; i++)
			if (!s->slots[i].used)
				p = &s->slots[i];
			else if (s->slots[i].age < oldest->age)
				oldest = &s->slots[i];
		if (!p) {
			p = oldest;
			release(s, p, true);
		}
	}
	p->used = true;
	p->src = pkt->src;
	p->dst = pkt->dst;
	p->sid = sid;
	p->nframes = 0;
	p->age = ++s->clock;
	return p;
}

static void
frame_message(const struct sc_pkt *pkt, const uint8_t *data, size_t len,
              const uint64_t *frames, size_t nframes, sc_rawmsg_fn *sink,
              void *ctx)
{
	struct sc_rawmsg proto;

	memset(&proto, 0, sizeof(proto));
	proto.ts_ns = pkt->ts_ns;
	proto.frame = pkt->frame;
	proto.frames = frames;
	proto.nframes = nframes;
	proto.src = pkt->src;
	proto.dst = pkt->dst;
	proto.transport = SC_TRANSPORT_SCTP;
	proto.flags = pkt->truncated ? SC_RAW_TRUNCATED : 0;
	proto.tunnel = pkt->tunnel.kind != SC_TUNNEL_NONE ? &pkt->tunnel : NULL;
	sc_sipframe_datagram(data, len, &proto, sink, ctx);
}

/* One DATA chunk's user data, with its flags, TSN and stream. */
static enum sc_err
chunk(struct sc_sctp *s, const struct sc_pkt *pkt, uint8_t flags, uint32_t tsn,
      uint16_t sid, const uint8_t *data, size_t len, sc_rawmsg_fn *sink,
      void *ctx)
{
	struct partial *p;

	s->stats.chunks++;
	if ((flags & (FLAG_BEGIN | FLAG_END)) == (FLAG_BEGIN | FLAG_END)) {
		frame_message(pkt, data, len, &pkt->frame, 1, sink, ctx);
		return SC_OK;
	}
	if (flags & FLAG_BEGIN)
		p = start(s, pkt, sid);
	else
		p = find(s, pkt, sid);
	if (!p)
		return SC_OK; /* a middle or end without its beginning */
	if (!(flags & FLAG_BEGIN) && tsn != p->next_tsn) {
		release(s, p, true);
		return SC_OK;
	}
	p->next_tsn = tsn + 1;
	if (sc_dynbuf_add(&p->buf, data, len) != SC_OK) {
		release(s, p, true);
		return SC_OK;
	}
	if (p->nframes == 0 || p->frames[p->nframes - 1] != pkt->frame) {
		if (p->nframes < MAX_FRAGMENT_FRAMES)
			p->frames[p->nframes++] = pkt->frame;
	}
	if (flags & FLAG_END) {
		s->stats.reassembled++;
		frame_message(pkt, p->buf.p, p->buf.len, p->frames, p->nframes,
		              sink, ctx);
		release(s, p, false);
	}
	return SC_OK;
}

enum sc_err
sc_sctp_add(struct sc_sctp *s, const struct sc_pkt *pkt, sc_rawmsg_fn *sink,
            void *ctx)
{
	struct sc_cur c = sc_cur_make(pkt->payload, pkt->len);

	/* | src port 16 | dst port 16 | verification tag 32 | crc 32 | */
	if (!sc_cur_skip(&c, 12)) {
		s->stats.malformed++;
		return SC_OK;
	}
	while (sc_cur_left(&c) > 0) {
		uint8_t type, flags;
		uint16_t clen, sid;
		uint32_t tsn;
		struct sc_cur v;
		enum sc_err err;

		if (!sc_cur_u8(&c, &type) || !sc_cur_u8(&c, &flags) ||
		    !sc_cur_be16(&c, &clen) || clen < 4 ||
		    !sc_cur_sub(&c, clen - 4u, &v)) {
			s->stats.malformed++;
			return SC_OK;
		}
		/* the last chunk may come without its padding */
		if (!sc_cur_skip(&c, (4 - clen % 4) % 4))
			c.p = c.end;
		if (type != CHUNK_DATA && type != CHUNK_IDATA)
			continue;
		/* DATA:   | TSN 32 | stream 16 | sequence 16 | PPID 32 |
		 * I-DATA: | TSN 32 | stream 16 | reserved 16 | MID 32 |
		 *         PPID or FSN 32 | */
		if (!sc_cur_be32(&v, &tsn) || !sc_cur_be16(&v, &sid) ||
		    !sc_cur_skip(&v, type == CHUNK_DATA ? 6 : 10)) {
			s->stats.malformed++;
			return SC_OK;
		}
		err = chunk(s, pkt, flags, tsn, sid, v.p, sc_cur_left(&v), sink,
		            ctx);
		if (err != SC_OK)
			return err;
	}
	return SC_OK;
}
