/* compact.c - an open call's messages as stubs while it waits
 *
 * A call in progress keeps every message parsed, about a kilobyte each,
 * for as long as it lasts. When the table's budget for them is spent
 * (calltab.c), a quiet call hands its parsed messages back and keeps for
 * each a stub: where its bytes are in the capture file and the framing
 * data its parse takes. Reading the call back parses those bytes again,
 * which gives the same messages (a parse depends only on them), so the
 * call is restored before anything else looks at it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "calls_impl.h"

/* Every SC_RAW_* framing flag: the bits of sc_msgstub.flags below
 * SC_STUB_REQUEST. */
#define RAW_FLAGS 0x7fu
_Static_assert(SC_RAW_RESYNCED < SC_STUB_REQUEST, "framing flags fit");

/* A message whose stub the call's hop can complete: it was read from
 * one frame of a file, and its addresses are exactly its hop's. */
static bool
stub_fits(const struct sc_call *c, const struct sc_callmsg *cm)
{
	const struct sc_msg *m = cm->msg;
	const struct sc_hop *h;

	/* the flags a parse sets, and the framing ones */
	unsigned known = RAW_FLAGS | SC_MSG_MALFORMED | SC_MSG_NO_CALL_ID;

	if (!m || !m->file_off || m->nframes != 1 || m->frames[0] != m->frame ||
	    m->wire_len > UINT32_MAX || m->input > UINT16_MAX ||
	    (m->flags & ~known) || !m->call_id || cm->hop >= c->nhops)
		return false;
	h = &c->hops[cm->hop];
	return memcmp(&h->src.addr, &m->src.addr, sizeof(m->src.addr)) == 0 &&
	       memcmp(&h->dst.addr, &m->dst.addr, sizeof(m->dst.addr)) == 0 &&
	       h->src.port == m->src.port && h->dst.port == m->dst.port;
}

/* The arrays with a capacity of their own, cut to what they hold. */
static void
shrink(struct sc_call *c)
{
	if (c->msgs_alloc > c->nmsgs) {
		struct sc_callmsg *v = realloc(c->msgs, c->nmsgs * sizeof(*v));

		if (v) {
			c->msgs = v;
			c->msgs_alloc = c->nmsgs;
		}
	}
	if (c->txns_alloc > c->ntxns && c->ntxns) {
		struct sc_txn *v = realloc(c->txns, c->ntxns * sizeof(*v));

		if (v) {
			c->txns = v;
			c->txns_alloc = c->ntxns;
		}
	}
}

size_t
sc__call_compact(struct sc_call *c)
{
	struct sc_msgstub *stubs;
	size_t freed = 0;

	if (c->stubs_ || c->nmsgs == 0)
		return 0;
	stubs = calloc(c->nmsgs, sizeof(*stubs));
	if (!stubs)
		return 0; /* it stays as it is */
	for (size_t i = 0; i < c->nmsgs; i++) {
		struct sc_callmsg *cm = &c->msgs[i];
		struct sc_msg *m = cm->msg;
		struct sc_msgstub *s = &stubs[i];

		if (!stub_fits(c, cm))
			continue;
		s->file_off = m->file_off;
		s->frame = m->frame;
		s->ts_ns = m->ts_ns;
		s->len = (uint32_t)m->wire_len;
		s->input = (uint16_t)m->input;
		s->flags = (uint8_t)((m->flags & RAW_FLAGS) |
		                     (m->is_request ? SC_STUB_REQUEST : 0));
		s->transport = (uint8_t)m->transport;
		freed += sc__msg_cost(m);
		sc_msg_free(m);
		cm->msg = NULL;
	}
	if (freed == 0) {
		free(stubs);
		return 0;
	}
	c->stubs_ = stubs;
	shrink(c);
	sc__call_repack_texts(c);
	return freed;
}

/* The message of stub @s on hop @h, parsed again by @r. */
static struct sc_msg *
reload(const struct sc_msg_reloader *r, const struct sc_msgstub *s,
       const struct sc_hop *h)
{
	uint64_t frame = s->frame;
	struct sc_rawmsg raw = {
		.len = s->len,
		.ts_ns = s->ts_ns,
		.frame = s->frame,
		.frames = &frame,
		.nframes = 1,
		.src = h->src,
		.dst = h->dst,
		.transport = (enum sc_transport)s->transport,
		.flags = s->flags & ~SC_STUB_REQUEST,
		.input = s->input,
		.file_off = s->file_off,
	};

	return r->reload(r->ctx, &raw);
}

/* Does @m carry @c's Call-ID (which drops trailing white space)? */
static bool
of_call(const struct sc_call *c, const struct sc_msg *m)
{
	return m->call_id && m->call_id_len >= c->call_id_len &&
	       memcmp(m->call_id, c->call_id, c->call_id_len) == 0;
}

size_t
sc__call_restore(struct sc_call *c, const struct sc_msg_reloader *r,
                 uint64_t *reread, uint64_t *lost)
{
	size_t added = 0;

	if (!c->stubs_)
		return 0;
	for (size_t i = 0; i < c->nmsgs; i++) {
		struct sc_callmsg *cm = &c->msgs[i];
		const struct sc_msgstub *s = &c->stubs_[i];
		struct sc_msg *m;

		if (!s->file_off || cm->msg)
			continue;
		m = reload(r, s, &c->hops[cm->hop]);
		/* the file changed under us: not this message any more */
		if (m && !of_call(c, m)) {
			sc_msg_free(m);
			m = NULL;
		}
		if (!m) {
			(*lost)++;
			continue;
		}
		(*reread)++;
		cm->msg = m;
		added += sc__msg_cost(m);
	}
	free(c->stubs_);
	c->stubs_ = NULL;
	return added;
}

void
sc_call_restore(struct sc_call *c, const struct sc_msg_reloader *r,
                uint64_t *reread, uint64_t *lost)
{
	(void)sc__call_restore(c, r, reread, lost);
}
