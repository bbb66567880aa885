/* correlate.c - messages into transactions, hops and attempts (RFC 3261)
 *
 * RFC 3261 17.1.3 (matching responses to client transactions), 17.2.3
 * (matching requests to server transactions), 8.1.1.4 (Call-ID), 12
 * (dialogs), 22 (authentication retries), 16.6 (a proxy opens one client
 * transaction per hop, with its own branch, for the same request).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_impl.h"
#include "sipcause/util/str.h"

_Static_assert(SC_METHOD__COUNT <= 32, "struct sc_call.methods is 32 bits");

/* RFC 3261 8.1.1.7: branches made by RFC 3261 elements start with this. */
#define MAGIC_COOKIE "z9hG4bK"

/* Mirror copies (SPAN/TAP seeing a frame twice) arrive within this;
 * a sender's own retransmission waits T1 (500 ms) or more. A UAS does
 * answer each copy of a request at once, so a response repeated that
 * fast is a mirror copy only when it outnumbers the request's sends. */
#define MIRROR_WINDOW_NS (5 * SC__NS_PER_MS)

/* Most hops a call records; later ones share the last index. */
#define MAX_HOPS 64

/* Room a call's arrays start with: an INVITE call seen on one hop has
 * six or seven messages (INVITE, 100, 180, 200, ACK, BYE, 200), two
 * transactions (INVITE, BYE) and two hops (one each way); growing from
 * one element took three reallocs of its messages. A compacted call's
 * arrays shrink to their size (compact.c). */
#define FIRST_MSGS 8
#define FIRST_TXNS 2
#define FIRST_HOPS 2

static bool
branch_is_rfc3261(const char *branch)
{
	return branch &&
	       strncmp(branch, MAGIC_COOKIE, sizeof(MAGIC_COOKIE) - 1) == 0;
}

/*
 * The transaction @m belongs to, or SC__NONE. An ACK to a non-2xx and a
 * CANCEL carry the INVITE's branch; the ACK joins the INVITE transaction
 * (17.1.1.3), the CANCEL has its own (9.1). Without the magic cookie,
 * RFC 2543 matching by CSeq number and method stands in for the branch
 * (17.2.3, last paragraph, simplified to what a capture shows).
 */
static uint32_t
find_txn(const struct sc_call *c, const struct sc_msg *m)
{
	enum sc_method want = m->is_request ? m->method : m->cseq_method;
	bool rfc3261 = branch_is_rfc3261(m->via_branch);

	if (m->is_request && m->method == SC_METHOD_ACK)
		want = SC_METHOD_INVITE;
	for (size_t i = c->ntxns; i-- > 0;) {
		const struct sc_txn *t = &c->txns[i];

		/* a message cut before its CSeq (snaplen) keeps its branch */
		if ((t->cseq == 0 || m->cseq == 0) && rfc3261 &&
		    sc__str_eq(t->branch, m->via_branch) &&
		    (t->method == want || (!m->is_request && m->cseq == 0)))
			return (uint32_t)i;
		if (t->method != want || t->cseq != m->cseq)
			continue;
		if (want == SC_METHOD_OTHER && m->is_request &&
		    !sc__str_eq(t->method_name, m->method_name))
			continue;
		if (rfc3261 || branch_is_rfc3261(t->branch)) {
			/* requests also match on sent-by (17.2.3) */
			if (sc__str_eq(t->branch, m->via_branch) &&
			    (!m->is_request || !t->sent_by || !m->via_sent_by ||
			     sc_str_caseeq_cstr(sc_str_from_cstr(t->sent_by),
			                        m->via_sent_by)))
				return (uint32_t)i;
			continue;
		}
		return (uint32_t)i;
	}
	return SC__NONE;
}

static enum sc_err
push_msg(struct sc_call *c, struct sc_msg *m, uint32_t txn, uint16_t hop)
{
	if (c->nmsgs == c->msgs_alloc) {
		uint32_t n = c->msgs_alloc ? c->msgs_alloc * 2 : FIRST_MSGS;
		struct sc_callmsg *v = realloc(c->msgs, n * sizeof(*v));

		if (!v)
			return SC_ENOMEM;
		c->msgs = v;
		c->msgs_alloc = n;
	}
	memset(&c->msgs[c->nmsgs], 0, sizeof(c->msgs[0]));
	c->msgs[c->nmsgs].msg = m;
	c->msgs[c->nmsgs].txn = txn;
	c->msgs[c->nmsgs].hop = hop;
	c->nmsgs++;
	return SC_OK;
}

static uint32_t
new_txn(struct sc_call *c, const struct sc_msg *m)
{
	struct sc_txn *t;

	if (c->ntxns == c->txns_alloc) {
		uint32_t n = c->txns_alloc ? c->txns_alloc * 2 : FIRST_TXNS;
		struct sc_txn *v = realloc(c->txns, n * sizeof(*v));

		if (!v)
			return SC__NONE;
		c->txns = v;
		c->txns_alloc = n;
	}
	t = &c->txns[c->ntxns];
	memset(t, 0, sizeof(*t));
	t->method = m->is_request ? m->method : m->cseq_method;
	t->method_name = sc__call_text(
	        c, m->is_request
	                   ? m->method_name
	                   : (m->cseq_method_name ? m->cseq_method_name : ""));
	t->branch = sc__call_text(c, m->via_branch);
	t->sent_by = m->is_request ? sc__call_text(c, m->via_sent_by) : NULL;
	if (!t->method_name || (m->via_branch && !t->branch) ||
	    (m->is_request && m->via_sent_by && !t->sent_by))
		return SC__NONE; /* what was made stays in the call's blocks */
	t->cseq = m->cseq;
	t->first_msg = (uint32_t)c->nmsgs;
	t->cancels = SC__NONE;
	t->final_msg = SC__NONE;
	t->attempt = SC__NONE;
	t->leader = (uint32_t)c->ntxns;
	t->first_ts = m->ts_ns;
	t->in_dialog = m->is_request && m->to.tag != NULL;
	t->from_response = !m->is_request;
	return (uint32_t)c->ntxns++;
}

/* Undo new_txn() when its message could not be kept (its texts stay
 * in the call's blocks). */
static void
drop_last_txn(struct sc_call *c)
{
	c->ntxns--;
}

/* Index of the hop @m travels on in *@hop, added when new. */
static enum sc_err
hop_of(struct sc_call *c, const struct sc_msg *m, uint16_t *hop)
{
	struct sc_hop *v;

	for (size_t i = 0; i < c->nhops; i++)
		if (sc_endpoint_equal(&c->hops[i].src, &m->src) &&
		    sc_endpoint_equal(&c->hops[i].dst, &m->dst)) {
			*hop = (uint16_t)i;
			return SC_OK;
		}
	*hop = MAX_HOPS - 1;
	if (c->nhops >= MAX_HOPS)
		return SC_OK;
	/* room for FIRST_HOPS at once; from there sc_grow()'s implied
	 * capacity (the power of two at or above the count) holds */
	if (c->nhops == 0)
		v = malloc(FIRST_HOPS * sizeof(*v));
	else if (c->nhops < FIRST_HOPS)
		v = c->hops;
	else
		v = sc_grow(c->hops, c->nhops, sizeof(*v));
	if (!v)
		return SC_ENOMEM;
	c->hops = v;
	c->hops[c->nhops].src = m->src;
	c->hops[c->nhops].dst = m->dst;
	*hop = (uint16_t)c->nhops++;
	return SC_OK;
}

enum repeat {
	REPEAT_NONE,    /* first time this message is seen */
	REPEAT_RETRANS, /* again on the same hop: a retransmission */
	REPEAT_MIRROR,  /* a mirror copy of the previous one */
	REPEAT_FORWARD, /* again on another hop: a proxy forwarded it */
};

static bool
same_message(const struct sc_msg *o, const struct sc_msg *m)
{
	if (o->is_request != m->is_request)
		return false;
	if (m->is_request)
		return o->method == m->method &&
		       sc__str_eq(o->method_name, m->method_name);
	return o->status == m->status &&
	       (o->to.tag == m->to.tag || sc__str_eq(o->to.tag, m->to.tag));
}

/* Is @m, repeating @o on the same hop, a mirror copy of it? @copies
 * counts the earlier sends of this response on the hop. */
static bool
is_mirror(const struct sc_call *c, uint32_t txn, const struct sc_msg *o,
          const struct sc_msg *m, uint32_t copies)
{
	if (o->wire_len != m->wire_len || m->ts_ns < o->ts_ns ||
	    m->ts_ns - o->ts_ns >= MIRROR_WINDOW_NS ||
	    m->transport == SC_TRANSPORT_TCP)
		return false;
	return m->is_request || copies >= c->txns[txn].request_sends;
}

/*
 * Has transaction @txn carried this same message before, and where? A
 * copy on the same hop with the same size a few ms after the previous
 * one is the capture seeing one frame twice, not the sender repeating.
 */
static enum repeat
repetition(const struct sc_call *c, uint32_t txn, const struct sc_msg *m,
           uint16_t hop)
{
	enum repeat r = REPEAT_NONE;
	const struct sc_msg *last = NULL;
	uint32_t copies = 0;

	for (size_t i = c->nmsgs; i-- > 0;) {
		const struct sc_msg *o = c->msgs[i].msg;

		if (c->msgs[i].txn != txn || !o || !same_message(o, m))
			continue;
		if (c->msgs[i].hop != hop) {
			r = REPEAT_FORWARD;
			continue;
		}
		if (!last)
			last = o;
		if (!c->msgs[i].duplicate)
			copies++;
	}
	if (!last)
		return r;
	return is_mirror(c, txn, last, m, copies) ? REPEAT_MIRROR
	                                          : REPEAT_RETRANS;
}

/* ---- attempts ---- */

static uint32_t
new_attempt(struct sc_call *c, enum sc_method kind, const char *name,
            uint32_t ti, const struct sc_msg *m)
{
	struct sc_attempt *v, *a;

	v = sc_grow(c->attempts, c->nattempts, sizeof(*v));
	if (!v)
		return SC__NONE;
	c->attempts = v;
	a = &c->attempts[c->nattempts];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	if (kind == SC_METHOD_OTHER) {
		a->kind_name = sc__call_text(c, name ? name : "");
		if (!a->kind_name)
			return SC__NONE;
	}
	a->cseq = m->cseq;
	a->first_txn = ti;
	a->deciding_txn = SC__NONE;
	a->root_txn = SC__NONE;
	a->first_frame = m->frame;
	a->last_frame = m->frame;
	a->first_ts = m->ts_ns;
	a->state = SC_CALL_IN_PROGRESS;
	return (uint32_t)c->nattempts++;
}

/*
 * The same request on another hop: a transaction with the same method
 * and CSeq, opened on a different hop while the first one was still
 * waiting for its final response (a proxy forwarding, a fork), or any
 * such one when @t's request was not captured.
 */
static uint32_t
find_leader(const struct sc_call *c, const struct sc_txn *t, uint16_t hop)
{
	for (size_t i = c->ntxns; i-- > 0;) {
		const struct sc_txn *u = &c->txns[i];

		if (u == t || u->leader != i || u->method != t->method ||
		    u->cseq != t->cseq || u->in_dialog != t->in_dialog ||
		    u->attempt == SC__NONE)
			continue;
		if (u->method == SC_METHOD_OTHER &&
		    !sc__str_eq(u->method_name, t->method_name))
			continue;
		if (t->from_response)
			return (uint32_t)i;
		if (u->first_msg < c->nmsgs && c->msgs[u->first_msg].hop == hop)
			continue;
		return u->final_code == 0 ? (uint32_t)i : SC__NONE;
	}
	return SC__NONE;
}

/* The latest attempt, or SC__NONE. */
static uint32_t
latest_attempt(const struct sc_call *c)
{
	return c->nattempts ? (uint32_t)(c->nattempts - 1) : SC__NONE;
}

/* The attempt an in-dialog request belongs to: the latest that made a
 * dialog (INVITE, SUBSCRIBE...), else the latest. */
static uint32_t
dialog_attempt(const struct sc_call *c)
{
	for (size_t i = c->nattempts; i-- > 0;)
		if (c->attempts[i].kind == SC_METHOD_INVITE ||
		    c->attempts[i].kind == SC_METHOD_SUBSCRIBE ||
		    c->attempts[i].kind == SC_METHOD_REFER)
			return (uint32_t)i;
	return latest_attempt(c);
}

/*
 * Is new initial request @m a retry inside the latest attempt of its
 * kind? After a 401/407 challenge, when it carries credentials (RFC 3261
 * 22.2); after a 422 or 423 (RFC 4028, RFC 3261 10.2.8) or a redirect;
 * after a refusal, when it tries other credentials with the same CSeq
 * (a password guesser). A request without credentials after a final
 * answer, a refresh after a 2xx, or a new CSeq after silence starts a
 * new attempt.
 */
static bool
is_retry(const struct sc_call *c, const struct sc_msg *m, enum sc_method kind,
         const char *name)
{
	const struct sc_attempt *a;
	const struct sc_txn *d;
	int code;

	if (!c->nattempts)
		return false;
	a = &c->attempts[c->nattempts - 1];
	if (a->kind != kind ||
	    (kind == SC_METHOD_OTHER && !sc__str_eq(a->kind_name, name)))
		return false;
	d = a->deciding_txn < c->ntxns ? &c->txns[a->deciding_txn] : NULL;
	if (!d || !m->is_request)
		return false;
	code = d->final_code;
	if (code == 401 || code == 407)
		return m->has_credentials;
	if (code == 422 || code == 423 || (code >= 300 && code < 400))
		return true;
	return code >= 400 && m->has_credentials && m->cseq == d->cseq;
}

/* Mark transaction @ti as a candidate to decide attempt @ai. */
static void
decide_with(struct sc_call *c, uint32_t ai, uint32_t ti)
{
	struct sc_attempt *a = &c->attempts[ai];
	int prev;

	if (a->deciding_txn != SC__NONE && a->deciding_txn != ti) {
		a->retries++;
		prev = c->txns[a->deciding_txn].final_code;
		if (prev == 401 || prev == 407)
			a->auth_challenges++;
	}
	a->deciding_txn = ti;
}

/* A request of an attempt: CANCEL and ACK make none of their own. */
static enum sc_method
attempt_kind(const struct sc_txn *t)
{
	return t->method == SC_METHOD_CANCEL || t->method == SC_METHOD_ACK
	               ? SC_METHOD_INVITE
	               : t->method;
}

/* Which attempt a new transaction @ti belongs to (and whether it may
 * decide it); creates the attempt when it starts one. */
static enum sc_err
assign_attempt(struct sc_call *c, uint32_t ti, const struct sc_msg *m,
               uint16_t hop)
{
	struct sc_txn *t = &c->txns[ti];
	uint32_t lead = SC__NONE, ai = SC__NONE;
	bool decides = false;

	if (t->method != SC_METHOD_CANCEL && t->method != SC_METHOD_ACK)
		lead = find_leader(c, t, hop);
	if (lead != SC__NONE) {
		t->leader = lead;
		t->attempt = c->txns[lead].attempt;
		return SC_OK;
	}
	if (t->method == SC_METHOD_CANCEL || t->method == SC_METHOD_ACK) {
		ai = dialog_attempt(c);
	} else if (t->in_dialog ||
	           (t->from_response && m->to.tag && c->nattempts)) {
		ai = dialog_attempt(c);
		/* a capture of in-dialog requests only, or of the answer
		 * to a request sent before it started: they decide */
		decides = ai != SC__NONE && c->attempts[ai].kind == t->method &&
		          (c->attempts[ai].deciding_txn == SC__NONE ||
		           c->txns[c->attempts[ai].first_txn].in_dialog);
	} else if (is_retry(c, m, t->method, t->method_name)) {
		ai = latest_attempt(c);
		decides = true;
	}
	if (ai == SC__NONE) {
		ai = new_attempt(c, attempt_kind(t), t->method_name, ti, m);
		if (ai == SC__NONE)
			return SC_ENOMEM;
		decides = t->method != SC_METHOD_CANCEL &&
		          t->method != SC_METHOD_ACK;
	}
	t->attempt = ai;
	if (decides)
		decide_with(c, ai, ti);
	return SC_OK;
}

/* ---- what a message does ---- */

/* An ACK completes INVITE transaction @t. */
static void
note_ack(struct sc_txn *t, const struct sc_msg *m)
{
	(void)m;
	if (t->method == SC_METHOD_INVITE)
		t->acked = true;
}

/*
 * An ACK for a 2xx has its own branch (17.1.1.3): it acknowledges the
 * INVITE with the same CSeq number, end to end. Seen through a proxy,
 * that INVITE is a transaction per hop: the ACK answers all of them.
 */
static void
ack_2xx(struct sc_call *c, const struct sc_msg *m)
{
	for (size_t i = 0; i < c->ntxns; i++)
		if (c->txns[i].method == SC_METHOD_INVITE &&
		    c->txns[i].cseq == m->cseq) {
			if (!c->txns[i].acked && c->timings.ack_ms < 0 &&
			    sc__is_success(c->txns[i].final_code) &&
			    c->txns[i].leader == i)
				c->timings.ack_ms = sc__ms_between(
				        c->txns[i].final_ts, m->ts_ns);
			note_ack(&c->txns[i], m);
		}
}

/* Response ranking for a dialog: 2xx above 18x above 100. */
static int
rank(int code)
{
	return sc__is_success(code) ? 3 : code > 100 ? 2 : 1;
}

/* A response to an initial INVITE with a To tag makes or updates a
 * dialog (one per To tag: forks). */
static enum sc_err
note_dialog(struct sc_call *c, const struct sc_txn *t, const struct sc_msg *m)
{
	struct sc_dialog *d = NULL, *v;

	if (t->method != SC_METHOD_INVITE || m->is_request || !m->to.tag ||
	    m->status <= 100 || m->status >= 300 || t->in_dialog ||
	    t->attempt != c->headline)
		return SC_OK;
	for (size_t i = 0; i < c->ndialogs; i++)
		if (sc__str_eq(c->dialogs[i].to_tag, m->to.tag))
			d = &c->dialogs[i];
	if (!d) {
		v = sc_grow(c->dialogs, c->ndialogs, sizeof(*v));
		if (!v)
			return SC_ENOMEM;
		c->dialogs = v;
		d = &c->dialogs[c->ndialogs];
		memset(d, 0, sizeof(*d));
		d->to_tag = sc__call_text(c, m->to.tag);
		if (!d->to_tag)
			return SC_ENOMEM;
		c->ndialogs++;
	}
	if (rank(m->status) > rank(d->best_code))
		d->best_code = m->status;
	if (m->status >= 200)
		d->confirmed = true;
	return SC_OK;
}

/* Track what one message does to its transaction. */
static void
apply_to_txn(struct sc_call *c, uint32_t ti, const struct sc_msg *m,
             bool retrans)
{
	struct sc_txn *t = &c->txns[ti];

	if (m->is_request) {
		if (m->method == SC_METHOD_ACK) {
			note_ack(t, m);
			return;
		}
		if (m->has_credentials)
			t->has_credentials = true;
		if (retrans)
			t->request_sends++;
		else if (t->request_sends == 0)
			t->request_sends = 1;
		if (retrans || t->request_sends == 1)
			t->last_send_ts = m->ts_ns;
		return;
	}
	if (m->status < 200) {
		if (t->first_provisional_ts == 0)
			t->first_provisional_ts = m->ts_ns;
		if (m->status > 100 && t->first_ringing_ts == 0)
			t->first_ringing_ts = m->ts_ns;
		return;
	}
	if (t->final_code == 0) {
		t->final_code = m->status;
		t->final_ts = m->ts_ns;
		t->final_msg = (uint32_t)c->nmsgs - 1;
		t->final_sends = 1;
	} else if (retrans) {
		t->final_sends++;
	}
}

/* A CANCEL matches the INVITE with the same branch and CSeq number. */
static void
link_cancel(struct sc_call *c, uint32_t ti)
{
	struct sc_txn *t = &c->txns[ti];

	for (size_t i = 0; i < c->ntxns; i++) {
		const struct sc_txn *inv = &c->txns[i];

		if (inv->method == SC_METHOD_INVITE && inv->cseq == t->cseq &&
		    (!t->branch || !inv->branch ||
		     sc__str_eq(inv->branch, t->branch))) {
			t->cancels = (uint32_t)i;
			t->attempt = inv->attempt;
			return;
		}
	}
}

static enum sc_err
set_identity(struct sc_call *c, const struct sc_msg *m)
{
	const char *kind = m->is_request ? m->method_name : m->cseq_method_name;

	/* the texts replaced stay in the call's blocks */
	c->kind = m->is_request ? m->method : m->cseq_method;
	c->kind_name = sc__call_text(c, kind ? kind : "");
	c->kind_named_ = false; /* the message's spelling */
	sc__party_set(c, &c->from, &m->from);
	sc__party_set(c, &c->to, &m->to);
	c->ruri = sc__call_text(c, m->ruri);
	c->caller = m->is_request ? m->src : m->dst;
	c->callee = m->is_request ? m->dst : m->src;
	/* a new headline attempt: its parties' agents, not the last one's */
	c->caller_agent = NULL;
	c->callee_agent = NULL;
	if (!c->kind_name || (m->ruri && !c->ruri) ||
	    (m->from.uri && !c->from.uri) || (m->to.uri && !c->to.uri))
		return SC_ENOMEM;
	return SC_OK;
}

/* Would attempt @ai be the headline one (sc__call_update's choice)? */
static bool
would_headline(const struct sc_call *c, uint32_t ai)
{
	const struct sc_attempt *a = &c->attempts[ai];

	if (a->kind == SC_METHOD_INVITE)
		return true;
	for (size_t i = 0; i < c->nattempts; i++)
		if (c->attempts[i].kind == SC_METHOD_INVITE)
			return false;
	return true;
}

/* A transaction opened by a message cut before its CSeq learns it from
 * the next message that has one. */
static void
learn_cseq(struct sc_call *c, uint32_t ti, const struct sc_msg *m)
{
	struct sc_txn *t = &c->txns[ti];
	struct sc_attempt *a;

	if (t->cseq != 0 || m->cseq == 0)
		return;
	t->cseq = m->cseq;
	a = t->attempt < c->nattempts ? &c->attempts[t->attempt] : NULL;
	if (a && a->first_txn == ti && a->cseq == 0)
		a->cseq = m->cseq;
}

/* Does new transaction @ti open a second attempt that takes over the
 * call's identity (the INVITE after a REGISTER)? */
static bool
starts_headline(const struct sc_call *c, uint32_t ti, const struct sc_msg *m)
{
	uint32_t ai = c->txns[ti].attempt;

	return ai == c->nattempts - 1 && c->nattempts > 1 &&
	       c->attempts[ai].first_txn == ti && would_headline(c, ai) &&
	       m->is_request && !c->txns[ti].in_dialog;
}

static void
note_times(struct sc_call *c, const struct sc_msg *m)
{
	if (c->msg_count == 0) {
		c->first_ts = m->ts_ns;
		c->first_frame = m->frame;
	}
	if (m->ts_ns > c->last_ts)
		c->last_ts = m->ts_ns;
	c->msg_count++;
	if (m->flags & SC_MSG_MALFORMED)
		c->malformed++;
}

/* The transaction of @m (a new one when it opens one), SC__NONE for an
 * ACK to a 2xx, which belongs to the dialog. */
static uint32_t
txn_of(struct sc_call *c, const struct sc_msg *m, uint16_t hop,
       enum repeat *repeat, enum sc_err *err)
{
	uint32_t ti = find_txn(c, m);

	*repeat = REPEAT_NONE;
	*err = SC_OK;
	if (ti != SC__NONE) {
		*repeat = repetition(c, ti, m, hop);
		return ti;
	}
	if (m->is_request && m->method == SC_METHOD_ACK && c->ntxns > 0) {
		ack_2xx(c, m);
		return SC__NONE;
	}
	ti = new_txn(c, m);
	if (ti == SC__NONE) {
		*err = SC_ENOMEM;
		return ti;
	}
	/* the message is pushed next: the hop lookup reads it there */
	return ti;
}

static void
note_attempt_span(struct sc_call *c, uint32_t ti, const struct sc_msg *m)
{
	struct sc_attempt *a;

	if (ti == SC__NONE || c->txns[ti].attempt >= c->nattempts)
		return;
	a = &c->attempts[c->txns[ti].attempt];
	if (m->frame > a->last_frame)
		a->last_frame = m->frame;
}

static enum sc_err
set_agent(struct sc_call *c, char **slot, const char *ua)
{
	if (*slot || !ua || !*ua)
		return SC_OK;
	*slot = sc__call_text(c, ua);
	return *slot ? SC_OK : SC_ENOMEM;
}

/*
 * The software of both ends. Caller: the User-Agent of a request sent by
 * the headline's caller (its From tag). Callee: the Server of a response
 * with a To tag, made by the UAS (RFC 3261 8.2.6.2) and relayed unchanged
 * by proxies, or the User-Agent of a request the callee sent in the
 * dialog (From tag = the call's To tag).
 */
static enum sc_err
note_agents(struct sc_call *c, const struct sc_msg *m)
{
	const char *tag = m->from.tag;

	if (m->is_request) {
		if (sc__str_eq(tag, c->from.tag) || (!tag && !c->from.tag))
			return set_agent(c, &c->caller_agent, m->user_agent);
		if (sc__str_eq(tag, c->to.tag))
			return set_agent(c, &c->callee_agent, m->user_agent);
		return SC_OK;
	}
	/* a 401/407 comes from a proxy or registrar on the way, not the
	 * far end, which answers the retry */
	if (m->to.tag && m->status > 100 && m->status != 401 &&
	    m->status != 407)
		return set_agent(c, &c->callee_agent, m->user_agent);
	return SC_OK;
}

void
sc__call_count_only(struct sc_call *c, struct sc_msg *m)
{
	note_times(c, m);
	if (m->is_request)
		c->methods |= 1u << (unsigned)m->method;
	sc_msg_free(m);
}

enum sc_err
sc__call_file(struct sc_call *c, struct sc_msg *m)
{
	uint32_t ti;
	uint16_t hop;
	enum repeat repeat;
	enum sc_err err;
	bool fresh;

	err = SC_OK;
	if (c->msg_count == 0 ||
	    (m->is_request && !c->ruri && m->method != SC_METHOD_ACK))
		err = set_identity(c, m);
	note_times(c, m);
	if (m->is_request)
		c->methods |= 1u << (unsigned)m->method;
	if (err == SC_OK)
		err = hop_of(c, m, &hop);
	if (err != SC_OK) {
		sc_msg_free(m);
		return err;
	}
	ti = txn_of(c, m, hop, &repeat, &err);
	fresh = ti != SC__NONE && ti == c->ntxns - 1 &&
	        c->txns[ti].first_msg == c->nmsgs;
	if (err == SC_OK)
		err = push_msg(c, m, ti, hop);
	if (err != SC_OK) {
		if (fresh)
			drop_last_txn(c);
		sc_msg_free(m);
		return err;
	}
	if (fresh) {
		if (m->is_request && m->method == SC_METHOD_CANCEL)
			link_cancel(c, ti);
		if (c->txns[ti].attempt == SC__NONE)
			err = assign_attempt(c, ti, m, hop);
		if (err != SC_OK)
			return err;
		if (starts_headline(c, ti, m))
			err = set_identity(c, m);
	}
	if (repeat == REPEAT_MIRROR) {
		c->msgs[c->nmsgs - 1].duplicate = true;
		c->duplicates++;
		c->txns[ti].duplicates++;
		return SC_OK;
	}
	c->msgs[c->nmsgs - 1].retransmission = repeat == REPEAT_RETRANS;
	if (repeat == REPEAT_RETRANS)
		c->retransmissions++;
	if (err == SC_OK)
		err = sc__collect_link_keys(c, m);
	note_attempt_span(c, ti, m);
	if (ti != SC__NONE) {
		learn_cseq(c, ti, m);
		if (repeat == REPEAT_FORWARD && m->is_request)
			c->txns[ti].hops++;
		else if (repeat == REPEAT_NONE && m->is_request)
			c->txns[ti].hops = 1;
		apply_to_txn(c, ti, m, repeat == REPEAT_RETRANS);
		if (err == SC_OK)
			err = note_dialog(c, &c->txns[ti], m);
		if (c->txns[ti].method == SC_METHOD_BYE &&
		    c->txns[ti].leader == ti && repeat != REPEAT_RETRANS)
			sc__note_bye(c, &c->txns[ti], m);
	}
	if (err == SC_OK)
		err = note_agents(c, m);
	if (m->is_request && m->method == SC_METHOD_NOTIFY &&
	    m->subscription_state) {
		/* RFC 6665 4.1.3: the latest NOTIFY tells the state */
		sc__call_release(c, c->subscription_state);
		c->subscription_state = strdup(m->subscription_state);
		if (!c->subscription_state)
			err = SC_ENOMEM;
	}
	sc__call_update(c);
	return err;
}
