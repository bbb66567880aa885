/* correlate.c - calls by Call-ID, transactions by Via branch (RFC 3261)
 *
 * RFC 3261 17.1.3 (matching responses to client transactions), 17.2.3
 * (matching requests to server transactions), 8.1.1.4 (Call-ID), 12
 * (dialogs), 22 (authentication retries).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/calls/correlate.h"
#include "sipcause/util/hashmap.h"
#include "sipcause/util/str.h"
#include "sipcause/util/vec.h"

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)

/* RFC 3261 8.1.1.7: branches made by RFC 3261 elements start with this. */
#define MAGIC_COOKIE "z9hG4bK"

/* Timer B/F: 64 * T1 (500 ms); after that nobody retransmits. */
#define TRANSACTION_TIMEOUT_NS (32 * NS_PER_S)

/* A registration outcome under its user name (key points into @user). */
struct reg_entry {
	struct sc_registration reg;
	char user[];
};

struct sc_calltab {
	struct sc_hashmap by_id;     /* call_id -> struct sc_call * */
	struct sc_hashmap regs;      /* user -> struct reg_entry * */
	struct sc_vec reg_list;      /* owns the entries */
	struct sc_vec open;          /* open calls, in creation order */
	struct sc_calltab_opts opts;
	int64_t last_expire_ts;
};

const char *
sc_call_state_id(enum sc_call_state s)
{
	switch (s) {
#define SC_CALL_STATE_CASE(name, id) \
	case SC_CALL_##name:         \
		return id;
		SC_CALL_STATES(SC_CALL_STATE_CASE)
#undef SC_CALL_STATE_CASE
	case SC_CALL__COUNT:
		break;
	}
	return "?";
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
party_fini(struct sc_party *p)
{
	free(p->display);
	free(p->uri);
	free(p->user);
	free(p->tag);
	memset(p, 0, sizeof(*p));
}

static void
party_set(struct sc_party *p, const struct sc_nameaddr *na)
{
	party_fini(p);
	p->display = dup_or_null(na->display);
	p->uri = dup_or_null(na->uri);
	p->user = dup_or_null(na->user);
	p->tag = dup_or_null(na->tag);
}

static void
txns_free(struct sc_call *c)
{
	for (size_t i = 0; i < c->ntxns; i++) {
		free(c->txns[i].method_name);
		free(c->txns[i].branch);
		free(c->txns[i].sent_by);
	}
	free(c->txns);
	c->txns = NULL;
	c->ntxns = 0;
	c->txns_alloc = 0;
}

static void
msgs_free(struct sc_call *c)
{
	for (size_t i = 0; i < c->nmsgs; i++) {
		sc_msg_free(c->msgs[i].msg);
		if (c->msgs[i].ann) {
			sc_explain_fini(c->msgs[i].ann);
			free(c->msgs[i].ann);
		}
	}
	free(c->msgs);
	c->msgs = NULL;
	c->nmsgs = 0;
	c->msgs_alloc = 0;
}

static void
dialogs_free(struct sc_call *c)
{
	for (size_t i = 0; i < c->ndialogs; i++)
		free(c->dialogs[i].to_tag);
	free(c->dialogs);
	c->dialogs = NULL;
	c->ndialogs = 0;
}

/* Drop what only an open or detailed call needs. */
static void
drop_detail(struct sc_call *c)
{
	msgs_free(c);
	txns_free(c);
	dialogs_free(c);
	free(c->hops);
	c->hops = NULL;
	c->nhops = 0;
}

/* True when @p points into the call's packed block. */
static bool
in_pool(const struct sc_call *c, const void *p)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)c->pool_;

	return c->pool_ && a >= base && a < base + c->pool_len_;
}

static void
release(const struct sc_call *c, void *p)
{
	if (!in_pool(c, p))
		free(p);
}

static size_t
text_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Filling the packed block: pointer arrays first, then the texts. */
struct packer {
	char *next;
};

/* Move @s into the block and free the original; returns the copy. */
static char *
pack_text(struct packer *k, char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = k->next;
	memcpy(d, s, n);
	k->next += n;
	free(s);
	return d;
}

static void
pack_party(struct packer *k, struct sc_party *p)
{
	p->display = pack_text(k, p->display);
	p->uri = pack_text(k, p->uri);
	p->user = pack_text(k, p->user);
	p->tag = pack_text(k, p->tag);
}

static size_t
party_size(const struct sc_party *p)
{
	return text_size(p->display) + text_size(p->uri) + text_size(p->user) +
	       text_size(p->tag);
}

/* Move the verdict's built texts into the block, keeping every field
 * that pointed to one pointing to its copy. */
static void
pack_explain(struct packer *k, struct sc_explain *e, char **evidence)
{
	const char **fields[] = { &e->reason, &e->meaning, &e->cause, &e->tip,
				  &e->rule, &e->summary };

	for (size_t i = 0; i < SC_COUNTOF(e->owned_); i++) {
		char *old = e->owned_[i];
		char *copy;

		if (!old)
			continue;
		copy = pack_text(k, old);
		for (size_t f = 0; f < SC_COUNTOF(fields); f++)
			if (*fields[f] == old)
				*fields[f] = copy;
		e->owned_[i] = NULL;
	}
	for (size_t i = 0; i < e->nevidence; i++)
		evidence[i] = pack_text(k, e->evidence[i]);
	if (e->evidence) {
		evidence[e->nevidence] = NULL;
		free(e->evidence);
		e->evidence = evidence;
	}
	e->pooled_ = true;
}

static size_t
explain_size(const struct sc_explain *e)
{
	size_t n = 0;

	for (size_t i = 0; i < SC_COUNTOF(e->owned_); i++)
		n += text_size(e->owned_[i]);
	for (size_t i = 0; i < e->nevidence; i++)
		n += text_size(e->evidence[i]);
	return n;
}

/*
 * Pack the strings of a finished call into one block: a summarised call
 * costs one allocation for its texts instead of one per text (the
 * difference is most of a kilobyte per call on a busy trunk).
 */
static void
pack(struct sc_call *c)
{
	struct sc_explain *v = &c->verdict;
	size_t nev = v->evidence ? v->nevidence + 1 : 0;
	size_t arrays = c->nlink_keys * sizeof(char *) + nev * sizeof(char *) +
			c->nfindings * sizeof(struct sc_finding);
	size_t texts = text_size(c->call_id) + text_size(c->kind_name) +
		       party_size(&c->from) + party_size(&c->to) +
		       text_size(c->ruri) + text_size(c->final_reason) +
		       text_size(c->subscription_state) + explain_size(v);
	struct packer k;
	char **keys, **evidence;
	struct sc_finding *findings;

	for (size_t i = 0; i < c->nlink_keys; i++)
		texts += text_size(c->link_keys[i]);
	for (size_t i = 0; i < c->nfindings; i++)
		texts += text_size(c->findings[i].text);
	if (c->pool_ || arrays + texts == 0)
		return;
	c->pool_ = malloc(arrays + texts);
	if (!c->pool_)
		return;   /* keep the separate strings: nothing is lost */
	c->pool_len_ = arrays + texts;
	/* malloc aligns for any type; pointer arrays come first */
	keys = (char **)(void *)c->pool_;
	evidence = keys + c->nlink_keys;
	findings = (struct sc_finding *)(void *)(evidence + nev);
	k.next = (char *)(findings + c->nfindings);
	c->call_id = pack_text(&k, c->call_id);
	c->kind_name = pack_text(&k, c->kind_name);
	pack_party(&k, &c->from);
	pack_party(&k, &c->to);
	c->ruri = pack_text(&k, c->ruri);
	c->final_reason = pack_text(&k, c->final_reason);
	c->subscription_state = pack_text(&k, c->subscription_state);
	for (size_t i = 0; i < c->nlink_keys; i++)
		keys[i] = pack_text(&k, c->link_keys[i]);
	free(c->link_keys);
	c->link_keys = c->nlink_keys ? keys : NULL;
	for (size_t i = 0; i < c->nfindings; i++) {
		findings[i].rule = c->findings[i].rule;
		findings[i].text = pack_text(&k, c->findings[i].text);
	}
	free(c->findings);
	c->findings = c->nfindings ? findings : NULL;
	pack_explain(&k, v, evidence);
}

void
sc_call_summarise(struct sc_call *c)
{
	drop_detail(c);
	pack(c);
	c->summarised = true;
}

static void
party_release(const struct sc_call *c, struct sc_party *p)
{
	release(c, p->display);
	release(c, p->uri);
	release(c, p->user);
	release(c, p->tag);
}

void
sc_call_free(struct sc_call *c)
{
	if (!c)
		return;
	drop_detail(c);
	release(c, c->call_id);
	release(c, c->kind_name);
	party_release(c, &c->from);
	party_release(c, &c->to);
	release(c, c->ruri);
	release(c, c->final_reason);
	release(c, c->subscription_state);
	for (size_t i = 0; i < c->nevents; i++)
		free(c->events[i].text);
	free(c->events);
	for (size_t i = 0; i < c->nlinked; i++)
		free(c->linked[i]);
	free(c->linked);
	for (size_t i = 0; i < c->nlink_keys; i++)
		release(c, c->link_keys[i]);
	release(c, c->link_keys);
	sc_explain_fini(&c->verdict);
	for (size_t i = 0; i < c->nfindings; i++)
		release(c, c->findings[i].text);
	release(c, c->findings);
	free(c->pool_);
	free(c);
}

struct sc_calltab *
sc_calltab_new(const struct sc_calltab_opts *opts)
{
	struct sc_calltab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	sc_hashmap_init(&t->by_id);
	sc_hashmap_init(&t->regs);
	sc_vec_init(&t->reg_list);
	sc_vec_init(&t->open);
	t->opts.linger_ns = TRANSACTION_TIMEOUT_NS;
	t->opts.idle_ns = 300 * NS_PER_S;
	if (opts) {
		if (opts->linger_ns > 0)
			t->opts.linger_ns = opts->linger_ns;
		if (opts->idle_ns > 0)
			t->opts.idle_ns = opts->idle_ns;
	}
	return t;
}

void
sc_calltab_free(struct sc_calltab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->open.n; i++)
		sc_call_free(t->open.v[i]);
	sc_vec_fini(&t->open);
	sc_hashmap_fini(&t->by_id);
	for (size_t i = 0; i < t->reg_list.n; i++)
		free(t->reg_list.v[i]);
	sc_vec_fini(&t->reg_list);
	sc_hashmap_fini(&t->regs);
	free(t);
}

size_t
sc_calltab_count(const struct sc_calltab *t)
{
	return t->open.n;
}

static struct sc_call *
call_new(const char *call_id)
{
	struct sc_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->call_id = strdup(call_id);
	if (!c->call_id) {
		free(c);
		return NULL;
	}
	c->state = SC_CALL_IN_PROGRESS;
	c->expires = -1;
	c->timings = (struct sc_timings){ -1, -1, -1, -1, -1, -1, -1 };
	return c;
}

static bool
branch_is_rfc3261(const char *branch)
{
	return branch && strncmp(branch, MAGIC_COOKIE,
				 sizeof(MAGIC_COOKIE) - 1) == 0;
}

static bool
str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/*
 * The transaction @m belongs to, or UINT32_MAX. An ACK to a non-2xx and
 * a CANCEL carry the INVITE's branch; the ACK joins the INVITE
 * transaction (17.1.1.3), the CANCEL has its own (9.1). Without the magic
 * cookie, RFC 2543 matching by CSeq number and method stands in for the
 * branch (17.2.3, last paragraph, simplified to what a capture shows).
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

		if (t->method != want || t->cseq != m->cseq)
			continue;
		if (want == SC_METHOD_OTHER && m->is_request &&
		    !str_eq(t->method_name, m->method_name))
			continue;
		if (rfc3261 || branch_is_rfc3261(t->branch)) {
			/* requests also match on sent-by (17.2.3) */
			if (str_eq(t->branch, m->via_branch) &&
			    (!m->is_request || !t->sent_by ||
			     !m->via_sent_by ||
			     sc_str_caseeq_cstr(sc_str_from_cstr(t->sent_by),
						m->via_sent_by)))
				return (uint32_t)i;
			continue;
		}
		return (uint32_t)i;
	}
	return UINT32_MAX;
}

static enum sc_err
push_msg(struct sc_call *c, struct sc_msg *m, uint32_t txn, uint16_t hop,
	 bool retrans)
{
	if (c->nmsgs == c->msgs_alloc) {
		size_t n = c->msgs_alloc ? c->msgs_alloc * 2 : 8;
		struct sc_callmsg *v = realloc(c->msgs, n * sizeof(*v));

		if (!v)
			return SC_ENOMEM;
		c->msgs = v;
		c->msgs_alloc = n;
	}
	c->msgs[c->nmsgs++] = (struct sc_callmsg){ m, txn, hop, retrans,
						   NULL };
	return SC_OK;
}

static uint32_t
new_txn(struct sc_call *c, const struct sc_msg *m)
{
	struct sc_txn *t;

	if (c->ntxns == c->txns_alloc) {
		size_t n = c->txns_alloc ? c->txns_alloc * 2 : 4;
		struct sc_txn *v = realloc(c->txns, n * sizeof(*v));

		if (!v)
			return UINT32_MAX;
		c->txns = v;
		c->txns_alloc = n;
	}
	t = &c->txns[c->ntxns];
	memset(t, 0, sizeof(*t));
	t->method = m->is_request ? m->method : m->cseq_method;
	t->method_name = strdup(m->is_request ? m->method_name
					      : (m->cseq_method_name
							 ? m->cseq_method_name
							 : ""));
	t->branch = dup_or_null(m->via_branch);
	t->sent_by = m->is_request ? dup_or_null(m->via_sent_by) : NULL;
	if (!t->method_name || (m->via_branch && !t->branch) ||
	    (m->is_request && m->via_sent_by && !t->sent_by)) {
		free(t->method_name);
		free(t->branch);
		free(t->sent_by);
		return UINT32_MAX;
	}
	t->cseq = m->cseq;
	t->first_msg = (uint32_t)c->nmsgs;
	t->cancels = UINT32_MAX;
	t->final_msg = UINT32_MAX;
	t->first_ts = m->ts_ns;
	return (uint32_t)c->ntxns++;
}

/* Most hops a call records; later ones share the last index. */
#define MAX_HOPS 64

/* Index of the hop @m travels on, added when new. */
static uint16_t
hop_of(struct sc_call *c, const struct sc_msg *m)
{
	struct sc_hop *v;

	for (size_t i = 0; i < c->nhops; i++)
		if (sc_endpoint_equal(&c->hops[i].src, &m->src) &&
		    sc_endpoint_equal(&c->hops[i].dst, &m->dst))
			return (uint16_t)i;
	if (c->nhops >= MAX_HOPS)
		return MAX_HOPS - 1;
	v = realloc(c->hops, (c->nhops + 1) * sizeof(*v));
	if (!v)
		return c->nhops ? (uint16_t)(c->nhops - 1) : 0;
	c->hops = v;
	c->hops[c->nhops].src = m->src;
	c->hops[c->nhops].dst = m->dst;
	return (uint16_t)c->nhops++;
}

enum repeat {
	REPEAT_NONE,      /* first time this message is seen */
	REPEAT_RETRANS,   /* again on the same hop: a retransmission */
	REPEAT_FORWARD,   /* again on another hop: a proxy forwarded it */
};

/* Has transaction @txn carried this same message before, and where? */
static enum repeat
repetition(const struct sc_call *c, uint32_t txn, const struct sc_msg *m,
	   uint16_t hop)
{
	enum repeat r = REPEAT_NONE;

	for (size_t i = c->nmsgs; i-- > 0;) {
		const struct sc_msg *o = c->msgs[i].msg;

		if (c->msgs[i].txn != txn || !o ||
		    o->is_request != m->is_request)
			continue;
		if (m->is_request ? o->method != m->method ||
					    !str_eq(o->method_name,
						    m->method_name)
				  : o->status != m->status ||
					    !str_eq(o->to.tag, m->to.tag))
			continue;
		if (c->msgs[i].hop == hop)
			return REPEAT_RETRANS;
		r = REPEAT_FORWARD;
	}
	return r;
}

/* The request that opened transaction @t, if it was captured. */
static const struct sc_msg *
first_request(const struct sc_call *c, const struct sc_txn *t)
{
	const struct sc_msg *m = t->first_msg < c->nmsgs
					 ? c->msgs[t->first_msg].msg
					 : NULL;

	return m && m->is_request ? m : NULL;
}

/* Is @t a fresh attempt of the call's request (outside any dialog)? */
static bool
out_of_dialog(const struct sc_call *c, const struct sc_txn *t)
{
	const struct sc_msg *req = first_request(c, t);

	return req && !req->to.tag;
}

/*
 * The transaction that decides the call: the first request's, or a later
 * attempt of the same request outside the dialog after a failure (the
 * retry after a 401/407 challenge, a 422 or 423 minimum, a redirect).
 * For a registration, the latest REGISTER that got an answer (a refresh
 * or a removal) decides. Later INVITEs inside the dialog are re-INVITEs.
 */
const struct sc_txn *
sc_call_deciding_txn(const struct sc_call *c)
{
	const struct sc_txn *best = NULL;

	for (size_t i = 0; i < c->ntxns; i++) {
		const struct sc_txn *t = &c->txns[i];

		if (t->method != c->kind || t->method == SC_METHOD_ACK ||
		    t->method == SC_METHOD_CANCEL)
			continue;
		if (!best) {
			best = t;
			continue;
		}
		if (t->cseq <= best->cseq)
			continue;
		if (best->final_code >= 300 && out_of_dialog(c, t))
			best = t;   /* a new attempt after a failure */
		else if (c->kind == SC_METHOD_REGISTER && t->final_code)
			best = t;   /* a refresh or a removal */
	}
	return best;
}

static const struct sc_txn *
main_txn(const struct sc_call *c)
{
	return sc_call_deciding_txn(c);
}

static int64_t
ms_between(int64_t from, int64_t to)
{
	if (from == 0 || to == 0 || to < from)
		return -1;
	return (to - from) / NS_PER_MS;
}

static bool
cancel_seen(const struct sc_call *c, size_t invite_txn)
{
	for (size_t i = 0; i < c->ntxns; i++)
		if (c->txns[i].method == SC_METHOD_CANCEL &&
		    c->txns[i].cancels == invite_txn)
			return true;
	return false;
}

/*
 * The registration time a REGISTER got: the 2xx's Contact expires= or
 * Expires (RFC 3261 10.2.4 says the registrar's answer is binding), else
 * what the request asked for.
 */
static int64_t
granted_expiry(const struct sc_call *c, const struct sc_txn *t,
	       const struct sc_msg *fin)
{
	const struct sc_msg *req = c->msgs[t->first_msg].msg;

	if (fin && fin->contact_expires >= 0)
		return fin->contact_expires;
	if (fin && fin->expires >= 0)
		return fin->expires;
	if (req && req->contact_expires >= 0)
		return req->contact_expires;
	return req ? req->expires : -1;
}

/* Recompute the call's outcome and timings from its transactions. */
static void
update_outcome(struct sc_call *c)
{
	const struct sc_txn *t = main_txn(c);
	const struct sc_msg *fin;

	c->timings.total_ms = ms_between(c->first_ts, c->last_ts);
	c->auth_challenges = 0;
	for (size_t i = 0; t && i < c->ntxns; i++)
		if (&c->txns[i] != t && c->txns[i].method == t->method &&
		    (c->txns[i].final_code == 401 ||
		     c->txns[i].final_code == 407) &&
		    c->txns[i].cseq < t->cseq)
			c->auth_challenges++;
	c->forks = c->ndialogs;
	if (!t) {
		c->state = SC_CALL_MID_DIALOG;
		return;
	}
	fin = t->final_msg != UINT32_MAX ? c->msgs[t->final_msg].msg : NULL;
	c->final_code = t->final_code;
	if (fin && fin->reason_phrase &&
	    !str_eq(c->final_reason, fin->reason_phrase)) {
		free(c->final_reason);
		c->final_reason = strdup(fin->reason_phrase);
	} else if (!fin) {
		/* a retry is pending: the earlier reason no longer applies */
		free(c->final_reason);
		c->final_reason = NULL;
	}
	c->timings.trying_ms = ms_between(t->first_ts, t->first_provisional_ts);
	if (c->kind == SC_METHOD_INVITE) {
		c->timings.pdd_ms = ms_between(t->first_ts, t->first_ringing_ts);
		c->timings.ring_ms = ms_between(t->first_ringing_ts,
						t->final_ts);
		if (t->final_code >= 200 && t->final_code < 300)
			c->timings.setup_ms = ms_between(t->first_ts,
							 t->final_ts);
	}
	if (t->final_code == 0) {
		c->state = SC_CALL_IN_PROGRESS;
		return;
	}
	switch (c->kind) {
	case SC_METHOD_INVITE:
		/* the callee resends its 2xx until the ACK comes
		 * (13.3.1.4): a resent 2xx without ACK is the evidence */
		if (t->final_code < 300)
			c->state = t->acked || t->final_sends < 2
					   ? SC_CALL_ANSWERED
					   : SC_CALL_ANSWERED_NO_ACK;
		else if (t->final_code < 400)
			c->state = SC_CALL_REDIRECTED;
		else if (t->final_code == 487 ||
			 cancel_seen(c, (size_t)(t - c->txns)))
			c->state = SC_CALL_CANCELLED;
		else if (t->final_code == 408)
			c->state = SC_CALL_TIMEOUT;
		else
			c->state = SC_CALL_FAILED;
		break;
	case SC_METHOD_REGISTER:
		if (t->final_code >= 300) {
			c->state = SC_CALL_REFUSED;
		} else {
			c->expires = granted_expiry(c, t, fin);
			c->state = c->expires == 0 ? SC_CALL_UNREGISTERED
						   : SC_CALL_REGISTERED;
		}
		break;
	default:
		c->state = t->final_code < 300 ? SC_CALL_COMPLETED
					       : SC_CALL_FAILED;
		break;
	}
}

/* An ACK completes INVITE transaction @t; for a 2xx it times the answer. */
static void
note_ack(struct sc_call *c, struct sc_txn *t, const struct sc_msg *m)
{
	if (t->method != SC_METHOD_INVITE)
		return;
	if (!t->acked && t->final_code >= 200 && t->final_code < 300 &&
	    t == main_txn(c))
		c->timings.ack_ms = ms_between(t->final_ts, m->ts_ns);
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
		    c->txns[i].cseq == m->cseq)
			note_ack(c, &c->txns[i], m);
}

/* Response ranking for a dialog: 2xx above 18x above 100. */
static int
rank(int code)
{
	return code >= 200 && code < 300 ? 3 : code > 100 ? 2 : 1;
}

/* A response to the INVITE with a To tag creates or updates a dialog. */
static void
note_dialog(struct sc_call *c, const struct sc_txn *t, const struct sc_msg *m)
{
	struct sc_dialog *d = NULL, *v;

	if (t->method != SC_METHOD_INVITE || m->is_request || !m->to.tag ||
	    m->status <= 100 || m->status >= 300 || t != main_txn(c))
		return;
	for (size_t i = 0; i < c->ndialogs; i++)
		if (str_eq(c->dialogs[i].to_tag, m->to.tag))
			d = &c->dialogs[i];
	if (!d) {
		v = realloc(c->dialogs, (c->ndialogs + 1) * sizeof(*v));
		if (!v)
			return;
		c->dialogs = v;
		d = &c->dialogs[c->ndialogs];
		memset(d, 0, sizeof(*d));
		d->to_tag = strdup(m->to.tag);
		if (!d->to_tag)
			return;
		c->ndialogs++;
	}
	if (rank(m->status) > rank(d->best_code))
		d->best_code = m->status;
	if (m->status >= 200)
		d->confirmed = true;
}

/* Track what one message does to its transaction. */
static void
apply_to_txn(struct sc_call *c, uint32_t ti, const struct sc_msg *m,
	     bool retrans)
{
	struct sc_txn *t = &c->txns[ti];

	if (m->is_request) {
		if (m->method == SC_METHOD_ACK) {
			note_ack(c, t, m);
			return;
		}
		if (m->has_credentials)
			t->has_credentials = true;
		if (retrans)
			t->request_sends++;
		else if (t->request_sends == 0)
			t->request_sends = 1;
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
		     str_eq(inv->branch, t->branch))) {
			t->cancels = (uint32_t)i;
			return;
		}
	}
}

/* BYE on an answered call: who hung up, and the call duration. */
static void
note_bye(struct sc_call *c, const struct sc_msg *m)
{
	const struct sc_txn *t = main_txn(c);

	if (!t || t->final_code < 200 || t->final_code >= 300 ||
	    c->ended_by != SC_SIDE_NONE)
		return;
	/* the caller's From tag is the BYE's From tag when the caller
	 * hangs up (12.2.1.1: the tags swap roles for the callee) */
	if (c->from.tag && str_eq(m->from.tag, c->from.tag))
		c->ended_by = SC_SIDE_CALLER;
	else
		c->ended_by = SC_SIDE_CALLEE;
	c->timings.duration_ms = ms_between(t->final_ts, m->ts_ns);
	c->end_ts = m->ts_ns;
	for (size_t i = 0; i < c->ndialogs; i++)
		if (c->dialogs[i].confirmed && str_eq(c->dialogs[i].to_tag,
						      c->ended_by ==
								      SC_SIDE_CALLER
							      ? m->to.tag
							      : m->from.tag))
			c->dialogs[i].terminated = true;
}

/* RFC 7989 7: the null UUID stands for "not known yet". */
static bool
is_null_uuid(const char *u)
{
	for (; *u; u++)
		if (*u != '0' && *u != '-')
			return false;
	return true;
}

/* Remember @prefix@value as an identifier another leg may share. */
static void
add_link_key(struct sc_call *c, const char *prefix, const char *value)
{
	char *key, **v;
	size_t len;

	if (!value || !value[0])
		return;
	len = strlen(prefix) + strlen(value) + 1;
	key = malloc(len);
	if (!key)
		return;
	snprintf(key, len, "%s%s", prefix, value);
	for (size_t i = 0; i < c->nlink_keys; i++) {
		if (strcmp(c->link_keys[i], key) == 0) {
			free(key);
			return;
		}
	}
	v = realloc(c->link_keys, (c->nlink_keys + 1) * sizeof(*v));
	if (!v) {
		free(key);
		return;
	}
	c->link_keys = v;
	c->link_keys[c->nlink_keys++] = key;
}

static void
collect_link_keys(struct sc_call *c, const struct sc_msg *m)
{
	add_link_key(c, "cid:", m->x_call_id);
	if (m->session_id && !is_null_uuid(m->session_id))
		add_link_key(c, "sid:", m->session_id);
	if (m->session_id_remote && !is_null_uuid(m->session_id_remote))
		add_link_key(c, "sid:", m->session_id_remote);
	add_link_key(c, "icid:", m->icid);
}

static void
set_identity(struct sc_call *c, const struct sc_msg *m)
{
	const char *kind = m->is_request ? m->method_name : m->cseq_method_name;

	c->kind = m->is_request ? m->method : m->cseq_method;
	free(c->kind_name);
	c->kind_name = strdup(kind ? kind : "");
	party_set(&c->from, &m->from);
	party_set(&c->to, &m->to);
	free(c->ruri);
	c->ruri = dup_or_null(m->ruri);
	c->caller = m->is_request ? m->src : m->dst;
	c->callee = m->is_request ? m->dst : m->src;
}

static enum sc_err
file_msg(struct sc_call *c, struct sc_msg *m)
{
	uint32_t ti;
	uint16_t hop;
	enum repeat repeat = REPEAT_NONE;
	bool retrans, first_request;
	enum sc_err err;

	first_request = m->is_request && m->method != SC_METHOD_ACK &&
			m->method != SC_METHOD_CANCEL && c->ntxns == 0;
	if (c->msg_count == 0 || first_request ||
	    (m->is_request && !c->ruri && m->method != SC_METHOD_ACK))
		set_identity(c, m);
	if (c->msg_count == 0) {
		c->first_ts = m->ts_ns;
		c->first_frame = m->frame;
	}
	if (m->ts_ns > c->last_ts)
		c->last_ts = m->ts_ns;
	if (m->frame > c->last_frame)
		c->last_frame = m->frame;
	c->msg_count++;
	if (m->flags & SC_MSG_MALFORMED)
		c->malformed++;

	hop = hop_of(c, m);
	ti = find_txn(c, m);
	if (ti != UINT32_MAX)
		repeat = repetition(c, ti, m, hop);
	else if (m->is_request && m->method == SC_METHOD_ACK && c->ntxns > 0)
		ack_2xx(c, m);   /* part of the dialog, not a transaction */
	else
		ti = new_txn(c, m);
	retrans = repeat == REPEAT_RETRANS;
	if (retrans)
		c->retransmissions++;
	err = push_msg(c, m, ti, hop, retrans);
	if (err != SC_OK) {
		sc_msg_free(m);
		return err;
	}
	collect_link_keys(c, m);
	if (ti != UINT32_MAX) {
		if (repeat == REPEAT_FORWARD && m->is_request)
			c->txns[ti].hops++;
		else if (repeat == REPEAT_NONE && m->is_request)
			c->txns[ti].hops = 1;
		apply_to_txn(c, ti, m, retrans);
		note_dialog(c, &c->txns[ti], m);
		if (m->is_request && m->method == SC_METHOD_CANCEL && !retrans)
			link_cancel(c, ti);
	}
	if (m->is_request && m->method == SC_METHOD_BYE && !retrans)
		note_bye(c, m);
	if (m->is_request && m->method == SC_METHOD_NOTIFY &&
	    m->subscription_state) {
		/* RFC 6665 4.1.3: the latest NOTIFY tells the state */
		free(c->subscription_state);
		c->subscription_state = strdup(m->subscription_state);
	}
	update_outcome(c);
	return SC_OK;
}

const struct sc_registration *
sc_calltab_registration(const struct sc_calltab *t, const char *user)
{
	const struct reg_entry *e;

	if (!user)
		return NULL;
	e = sc_hashmap_get(&t->regs, user, strlen(user));
	return e ? &e->reg : NULL;
}

/* Keep the outcome of a REGISTER call for diagnosing later calls. */
static enum sc_err
note_registration(struct sc_calltab *t, const struct sc_call *c)
{
	const char *user = c->to.user;
	struct reg_entry *e;
	size_t len;

	if (!user)
		return SC_OK;
	len = strlen(user);
	e = sc_hashmap_get(&t->regs, user, len);
	if (!e) {
		e = malloc(sizeof(*e) + len + 1);
		if (!e)
			return SC_ENOMEM;
		memcpy(e->user, user, len + 1);
		if (sc_vec_push(&t->reg_list, e) != SC_OK) {
			free(e);
			return SC_ENOMEM;
		}
		if (sc_hashmap_put(&t->regs, e->user, len, e) != SC_OK)
			return SC_ENOMEM;
	}
	e->reg.code = c->final_code;
	e->reg.ts_ns = c->last_ts;
	e->reg.expires = c->expires;
	return SC_OK;
}

enum sc_err
sc_calltab_add(struct sc_calltab *t, struct sc_msg *m)
{
	struct sc_call *c;
	enum sc_err err;
	/* messages without a Call-ID (broken tools) share the empty one:
	 * kept and shown, not dropped */
	const char *id = m->call_id ? m->call_id : "";

	c = sc_hashmap_get(&t->by_id, id, strlen(id));
	if (!c) {
		c = call_new(id);
		if (!c) {
			sc_msg_free(m);
			return SC_ENOMEM;
		}
		add_link_key(c, "cid:", c->call_id);
		err = sc_vec_push(&t->open, c);
		if (err == SC_OK)
			err = sc_hashmap_put(&t->by_id, c->call_id,
					     strlen(c->call_id), c);
		if (err != SC_OK) {
			if (t->open.n && t->open.v[t->open.n - 1] == c)
				t->open.n--;
			sc_call_free(c);
			sc_msg_free(m);
			return err;
		}
	}
	err = file_msg(c, m);
	if (err == SC_OK && c->kind == SC_METHOD_REGISTER && c->final_code)
		err = note_registration(t, c);
	return err;
}

void
sc_calltab_attach_event(struct sc_calltab *t, const char *call_id,
			struct sc_call_event *ev)
{
	struct sc_call *c = sc_hashmap_get(&t->by_id, call_id,
					   strlen(call_id));
	struct sc_call_event *v;

	if (!c) {
		free(ev->text);
		return;
	}
	v = realloc(c->events, (c->nevents + 1) * sizeof(*v));
	if (!v) {
		free(ev->text);
		return;
	}
	c->events = v;
	c->events[c->nevents++] = *ev;
}

/* Complete: nothing more is expected for the call. */
static bool
is_complete(const struct sc_call *c)
{
	switch (c->state) {
	case SC_CALL_ANSWERED:
	case SC_CALL_ANSWERED_NO_ACK:
		return c->ended_by != SC_SIDE_NONE;
	case SC_CALL_IN_PROGRESS:
	case SC_CALL_MID_DIALOG:
		return false;
	default:
		return true;
	}
}


/* Sends of an unanswered request that show its sender got nothing back. */
#define SENDS_WITHOUT_ANSWER 3

/*
 * A request nobody answered for longer than a transaction may live has
 * timed out by @now_ns. So has one retransmitted several times without
 * any response, even if the capture stopped before Timer B: the sender
 * was plainly getting nothing back. Otherwise it is still in progress.
 */
static void
settle(struct sc_call *c, int64_t now_ns)
{
	const struct sc_txn *t = main_txn(c);

	/* no ACK for a whole Timer H after the answer (RFC 3261 17.2.1) */
	if (c->state == SC_CALL_ANSWERED && t && !t->acked && t->final_ts &&
	    first_request(c, t) &&
	    now_ns - t->final_ts >= TRANSACTION_TIMEOUT_NS)
		c->state = SC_CALL_ANSWERED_NO_ACK;
	if (c->state != SC_CALL_IN_PROGRESS || !t || t->final_code != 0)
		return;
	if (now_ns - t->first_ts >= TRANSACTION_TIMEOUT_NS ||
	    (t->request_sends >= SENDS_WITHOUT_ANSWER &&
	     !t->first_provisional_ts))
		c->state = SC_CALL_TIMEOUT;
}

static void
hand_over(struct sc_calltab *t, struct sc_call *c, int64_t now_ns,
	  sc_call_fn *done, void *ctx)
{
	settle(c, now_ns);
	sc_hashmap_del(&t->by_id, c->call_id, strlen(c->call_id));
	done(ctx, c);
}

void
sc_calltab_expire(struct sc_calltab *t, int64_t now_ns, sc_call_fn *done,
		  void *ctx)
{
	size_t keep = 0;

	/* scanning costs O(open calls): do it once per capture second */
	if (now_ns - t->last_expire_ts < NS_PER_S)
		return;
	t->last_expire_ts = now_ns;
	for (size_t i = 0; i < t->open.n; i++) {
		struct sc_call *c = t->open.v[i];
		int64_t quiet = now_ns - c->last_ts;

		if ((is_complete(c) && quiet >= t->opts.linger_ns) ||
		    quiet >= t->opts.idle_ns)
			hand_over(t, c, now_ns, done, ctx);
		else
			t->open.v[keep++] = c;
	}
	t->open.n = keep;
}


void
sc_calltab_flush(struct sc_calltab *t, int64_t now_ns, sc_call_fn *done,
		 void *ctx)
{
	for (size_t i = 0; i < t->open.n; i++)
		hand_over(t, t->open.v[i], now_ns, done, ctx);
	t->open.n = 0;
}

/* Groups larger than this are not legs of one call but a shared value
 * (a constant X-CID from a misconfigured box): they link nothing. */
#define MAX_LEGS 16

static enum sc_err
add_linked(struct sc_call *c, const char *call_id)
{
	char **v;

	if (strcmp(c->call_id, call_id) == 0)
		return SC_OK;
	for (size_t i = 0; i < c->nlinked; i++)
		if (strcmp(c->linked[i], call_id) == 0)
			return SC_OK;
	v = realloc(c->linked, (c->nlinked + 1) * sizeof(*v));
	if (!v)
		return SC_ENOMEM;
	c->linked = v;
	c->linked[c->nlinked] = strdup(call_id);
	if (!c->linked[c->nlinked])
		return SC_ENOMEM;
	c->nlinked++;
	return SC_OK;
}

struct leg_group {
	struct sc_call *legs[MAX_LEGS];
	size_t n;
	bool overflow;
};

enum sc_err
sc_calls_link(struct sc_call **calls, size_t n)
{
	struct sc_hashmap groups;
	struct sc_vec all;
	enum sc_err err = SC_OK;

	sc_hashmap_init(&groups);
	sc_vec_init(&all);
	for (size_t i = 0; i < n && err == SC_OK; i++) {
		for (size_t k = 0; k < calls[i]->nlink_keys; k++) {
			const char *key = calls[i]->link_keys[k];
			struct leg_group *g = sc_hashmap_get(&groups, key,
							     strlen(key));

			if (!g) {
				g = calloc(1, sizeof(*g));
				if (!g || sc_vec_push(&all, g) != SC_OK ||
				    sc_hashmap_put(&groups, key, strlen(key),
						   g) != SC_OK) {
					free(g);
					err = SC_ENOMEM;
					break;
				}
			}
			if (g->n == MAX_LEGS)
				g->overflow = true;
			else if (g->n == 0 || g->legs[g->n - 1] != calls[i])
				g->legs[g->n++] = calls[i];
		}
	}
	for (size_t i = 0; i < all.n; i++) {
		struct leg_group *g = all.v[i];

		for (size_t a = 0; !g->overflow && a < g->n; a++)
			for (size_t b = 0; b < g->n && err == SC_OK; b++)
				err = add_linked(g->legs[a],
						 g->legs[b]->call_id);
		free(g);
	}
	sc_vec_fini(&all);
	sc_hashmap_fini(&groups);
	return err;
}
