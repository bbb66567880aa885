/* report_json.c - the sipcause/1 JSON document and its JSON Lines form
 *
 * The schema is a contract (DESIGN.md): fields may be added, never
 * renamed. Calls and messages are written from the model only.
 */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "json_impl.h"
#include "report_impl.h"
#include "sipcause/capture/capture.h"
#include "sipcause/util/jsonw.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/sip/sipmsg.h"

#define SCHEMA "sipcause/1"

/*
 * What a call's object repeats, formatted once: its few endpoints (each
 * message names two) and the second of its times (a call's messages
 * fall in a few seconds).
 */
#define FMT_ENDPOINTS 4

struct endpoint_text {
	struct sc_endpoint e;
	size_t len;
	char text[SC_ENDPOINT_STRLEN];
};

/*
 * And texts of the call found to need no escape, by address: the
 * knowledge base's (meaning, tip) recur in its verdicts and annotations.
 * The call's texts stay put while its object is written; a text made
 * for the object and freed (the summary) must not be kept here.
 */
#define FMT_TEXTS 16

struct plain_text {
	const char *s;
	size_t len;
};

struct fmt_cache {
	struct plain_text texts[FMT_TEXTS];
	struct endpoint_text ep[FMT_ENDPOINTS];
	unsigned nep, next; /* slots used; the one to replace next */
	bool has_sec;
	int64_t sec;
	char ts[40]; /* that second's time, its fraction to be written */
};

/* Up to the fraction: "2024-01-02T03:04:05." */
#define TS_PREFIX 20
/* The whole time: the prefix, 9 digits and 'Z' */
#define TS_LEN 30

/* The text of time @ns (not 0), of *@len bytes, kept in @fc. */
static const char *
ts_text(struct fmt_cache *fc, int64_t ns, size_t *len)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;

	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	if (!fc->has_sec || fc->sec != sec) {
		*len = strlen(sc__format_ts(ns, fc->ts, sizeof(fc->ts)));
		/* years out of 0..9999 take another form: not kept */
		fc->has_sec = *len == TS_LEN;
		fc->sec = sec;
		return fc->ts;
	}
	/* the same second: only the nanoseconds change */
	sc__jsonw_digits_n(fc->ts + TS_PREFIX, (uint64_t)frac, 9);
	*len = TS_LEN;
	return fc->ts;
}

/* The writer as a cursor without a pointer: every item through it. */
static inline struct sc_jsonc
through(struct sc_jsonw *w)
{
	struct sc_jsonc c = { .w = w, .p = NULL, .first = false };

	return c;
}

SC__JSONW_INLINE void
kts(struct sc_jsonc *c, struct fmt_cache *fc, const char *key, int64_t ns)
{
	const char *text;
	size_t len;

	if (ns == 0) {
		sc_jsonc_knull(c, key);
		return;
	}
	text = ts_text(fc, ns, &len);
	sc_jsonc_kplainn(c, key, text, len);
}

/* The text of endpoint @e (set), kept in @fc. */
static const struct endpoint_text *
endpoint_text(struct fmt_cache *fc, const struct sc_endpoint *e)
{
	struct endpoint_text *t;

	for (unsigned i = 0; i < fc->nep; i++)
		if (sc_endpoint_equal(&fc->ep[i].e, e))
			return &fc->ep[i];
	t = &fc->ep[fc->nep < FMT_ENDPOINTS ? fc->nep++ : fc->next];
	fc->next = (fc->next + 1) % FMT_ENDPOINTS;
	t->e = *e;
	t->len = strlen(sc_endpoint_format(e, t->text, sizeof(t->text)));
	return t;
}

SC__JSONW_INLINE void
kendpoint(struct sc_jsonc *c, struct fmt_cache *fc, const char *key,
          const struct sc_endpoint *e)
{
	const struct endpoint_text *t;

	if (e->addr.family == 0) {
		sc_jsonc_knull(c, key);
		return;
	}
	t = endpoint_text(fc, e);
	sc_jsonc_kplainn(c, key, t->text, t->len);
}

/* A text of the call (NULL: null), escaped unless known not to need it;
 * see struct fmt_cache. */
SC__JSONW_INLINE void
ktext(struct sc_jsonc *c, struct fmt_cache *fc, const char *key, const char *s)
{
	struct plain_text *t;
	size_t len;
	char *p;

	if (!c->p || !s) {
		sc_jsonc_kstr(c, key, s);
		return;
	}
	t = &fc->texts[((uintptr_t)s >> 3) % FMT_TEXTS];
	if (t->s == s) {
		sc_jsonc_kplainn(c, key, s, t->len);
		return;
	}
	len = strlen(s);
	p = sc__jsonc_member(c, key, strlen(key), 0);
	c->p = sc__jsonc_escaped(c->w, p, s, len, false);
	/* the same length: every byte went as it is (an escape is longer;
	 * where the buffer was handed over, c->p is at its start) */
	if (c->p == p + len + 2) {
		t->s = s;
		t->len = len;
	}
}

/* One of our enum's ids ("success", "udp"): lower-case ASCII (the
 * output test checks them all), so not scanned for escapes. */
SC__JSONW_INLINE void
kid(struct sc_jsonc *c, const char *key, const char *id)
{
	sc_jsonc_kplainn(c, key, id, strlen(id));
}

/* The lengths of our method names, as sc_method_name() spells them. */
static const uint8_t method_len[SC_METHOD__COUNT] = {
#define METHOD_LEN(name, text) sizeof(text) - 1,
	SC_METHODS(METHOD_LEN)
#undef METHOD_LEN
};

/* A method's name (NULL: null): a known method's is its canonical name
 * (it was matched by it), so written plain with a length known here;
 * another one's is the wire's, escaped. */
SC__JSONW_INLINE void
kmethod(struct sc_jsonc *c, const char *key, enum sc_method m, const char *name)
{
	if (name && m != SC_METHOD_OTHER && (unsigned)m < SC_METHOD__COUNT)
		sc_jsonc_kplainn(c, key, name, method_len[m]);
	else
		sc_jsonc_kstr(c, key, name);
}

/* A millisecond value, or null when it does not apply (-1). */
SC__JSONW_INLINE void
kms(struct sc_jsonc *c, const char *key, int64_t ms)
{
	if (ms < 0)
		sc_jsonc_knull(c, key);
	else
		sc_jsonc_kint(c, key, ms);
}

/*
 * The parts of a call object take the cursor and give it back, by value:
 * a pointer to it would let each byte stored through char * change it,
 * for all the compiler knows, and have it read again.
 */
static struct sc_jsonc
party(struct sc_jsonc c, const char *key, const struct sc_party *p)
{
	sc_jsonc_begin_object(&c, key);
	sc_jsonc_kstr(&c, "uri", p->uri);
	sc_jsonc_kstr(&c, "user", p->user);
	sc_jsonc_kstr(&c, "display", p->display);
	sc_jsonc_kstr(&c, "tag", p->tag);
	sc_jsonc_end_object(&c);
	return c;
}

/* The fields an annotation and a verdict share. */
static struct sc_jsonc
explain_fields(struct sc_jsonc c, struct fmt_cache *fc,
               const struct sc_explain *e)
{
	const struct sc_q850_info *q = e->q850 ? sc_kb_q850(e->q850) : NULL;

	kid(&c, "class", sc_class_id(e->cls));
	kid(&c, "category", sc_category_id(e->cat));
	ktext(&c, fc, "meaning", e->meaning);
	ktext(&c, fc, "cause", e->cause);
	ktext(&c, fc, "tip", e->tip);
	ktext(&c, fc, "rule", e->rule);
	sc_jsonc_begin_array(&c, "evidence");
	for (size_t i = 0; i < e->nevidence; i++)
		sc_jsonc_string(&c, e->evidence[i]);
	sc_jsonc_end_array(&c);
	if (e->unknown_code)
		sc_jsonc_kbool(&c, "unknown_code", true);
	if (q) {
		sc_jsonc_begin_object(&c, "q850");
		sc_jsonc_kint(&c, "cause", q->cause);
		sc_jsonc_kstr(&c, "name", q->name);
		sc_jsonc_end_object(&c);
	} else {
		sc_jsonc_knull(&c, "q850");
	}
	return c;
}

/* An integer, or null when @present is false. */
SC__JSONW_INLINE void
kint_or_null(struct sc_jsonc *c, const char *key, bool present, int64_t v)
{
	if (present)
		sc_jsonc_kint(c, key, v);
	else
		sc_jsonc_knull(c, key);
}

/* The response that originated a failure, on whichever hop. */
static struct sc_jsonc
root_cause(struct sc_jsonc c, struct fmt_cache *fc,
           const struct sc_root_cause *r)
{
	if (!r) {
		sc_jsonc_knull(&c, "root_cause");
		return c;
	}
	sc_jsonc_begin_object(&c, "root_cause");
	kint_or_null(&c, "code", r->code != 0, r->code);
	sc_jsonc_kstr(&c, "reason", r->reason);
	sc_jsonc_kuint(&c, "frame", r->frame);
	kendpoint(&c, fc, "src", &r->src);
	kendpoint(&c, fc, "dst", &r->dst);
	sc_jsonc_kuint(&c, "hop", r->hop);
	sc_jsonc_end_object(&c);
	return c;
}

static struct sc_jsonc
verdict(struct sc_jsonc c, struct fmt_cache *fc, const struct sc_explain *v)
{
	char *summary;

	sc_jsonc_begin_object(&c, "verdict");
	kint_or_null(&c, "code", v->code != 0, v->code);
	ktext(&c, fc, "reason", v->reason);
	c = explain_fields(c, fc, v);
	summary = sc_explain_summary(v);
	sc_jsonc_kstr(&c, "summary", summary);
	free(summary);
	c = root_cause(c, fc, v->root);
	sc_jsonc_end_object(&c);
	return c;
}

static struct sc_jsonc
attempts(struct sc_jsonc c, struct fmt_cache *fc, const struct sc_diagnosis *d)
{
	const struct sc_call *call = d->call;

	sc_jsonc_begin_array(&c, "attempts");
	for (size_t i = 0; i < call->nattempts; i++) {
		const struct sc_attempt *a = &call->attempts[i];

		sc_jsonc_begin_object(&c, NULL);
		sc_jsonc_kuint(&c, "index", i + 1);
		sc_jsonc_kstr(&c, "kind", sc_attempt_kind_name(a));
		sc_jsonc_kuint(&c, "cseq", a->cseq);
		sc_jsonc_kuint(&c, "first_frame", a->first_frame);
		sc_jsonc_kuint(&c, "last_frame", a->last_frame);
		kts(&c, fc, "first_ts", a->first_ts);
		kid(&c, "state", sc_call_state_id(a->state));
		kint_or_null(&c, "final_code", a->final_code != 0,
		             a->final_code);
		sc_jsonc_kstr(&c, "final_reason", a->final_reason);
		sc_jsonc_kuint(&c, "retries", a->retries);
		sc_jsonc_kuint(&c, "auth_challenges", a->auth_challenges);
		sc_jsonc_kbool(&c, "headline", i == call->headline);
		c = verdict(c, fc, sc_diagnosis_attempt(d, i));
		sc_jsonc_end_object(&c);
	}
	sc_jsonc_end_array(&c);
	return c;
}

/* Who ended an answered call and the Reason of that BYE (RFC 3326). */
static struct sc_jsonc
end_reason(struct sc_jsonc c, const struct sc_call *call)
{
	const struct sc_end_reason *r = &call->end_reason;
	const struct sc_q850_info *q = r->q850 > 0 ? sc_kb_q850(r->q850) : NULL;

	if (call->ended_by == SC_SIDE_NONE || !r->present) {
		sc_jsonc_knull(&c, "ended_by_reason");
		return c;
	}
	sc_jsonc_begin_object(&c, "ended_by_reason");
	kint_or_null(&c, "sip_cause", r->sip_cause > 0, r->sip_cause);
	kint_or_null(&c, "q850", r->q850 > 0, r->q850);
	sc_jsonc_kstr(&c, "q850_name", q ? q->name : NULL);
	sc_jsonc_kstr(&c, "text", r->text);
	sc_jsonc_end_object(&c);
	return c;
}

static struct sc_jsonc
message(struct sc_jsonc c, struct fmt_cache *fc, const struct sc_callmsg *cm,
        const struct sc_explain *note)
{
	const struct sc_msg *m = cm->msg;

	sc_jsonc_begin_object(&c, NULL);
	sc_jsonc_kuint(&c, "frame", m->frame);
	sc_jsonc_begin_array(&c, "frames");
	for (size_t i = 0; i < m->nframes; i++)
		sc_jsonc_uint(&c, m->frames[i]);
	sc_jsonc_end_array(&c);
	kts(&c, fc, "ts", m->ts_ns);
	kendpoint(&c, fc, "src", &m->src);
	kendpoint(&c, fc, "dst", &m->dst);
	kid(&c, "transport", sc_transport_name(m->transport));
	kmethod(&c, "request", m->method,
	        m->is_request ? m->method_name : NULL);
	kint_or_null(&c, "status", !m->is_request, m->status);
	sc_jsonc_kstr(&c, "reason", m->is_request ? NULL : m->reason_phrase);
	sc_jsonc_kuint(&c, "cseq", m->cseq);
	kmethod(&c, "cseq_method", m->cseq_method, m->cseq_method_name);
	/* up to a NUL byte, as ever: the length only spares a strlen */
	sc_jsonc_kstr_upto(&c, "branch", m->via_branch, m->via_branch_len);
	sc_jsonc_kbool(&c, "retransmission", cm->retransmission);
	if (cm->duplicate)
		sc_jsonc_kbool(&c, "duplicate", true);
	sc_jsonc_kuint(&c, "hop", cm->hop);
	if (m->flags & SC_MSG_MALFORMED)
		sc_jsonc_kbool(&c, "malformed", true);
	if (m->flags & SC_RAW_TRUNCATED)
		sc_jsonc_kbool(&c, "truncated", true);
	if (m->flags & SC_RAW_RESYNCED)
		sc_jsonc_kbool(&c, "resynced", true);
	if (note) {
		sc_jsonc_begin_object(&c, "annotation");
		c = explain_fields(c, fc, note);
		sc_jsonc_end_object(&c);
	}
	sc_jsonc_end_object(&c);
	return c;
}

static struct sc_jsonc
dialogs(struct sc_jsonc c, const struct sc_call *call)
{
	sc_jsonc_begin_array(&c, "dialogs");
	for (size_t i = 0; i < call->ndialogs; i++) {
		const struct sc_dialog *d = &call->dialogs[i];

		sc_jsonc_begin_object(&c, NULL);
		sc_jsonc_kstr(&c, "to_tag", d->to_tag);
		sc_jsonc_kint(&c, "best_code", d->best_code);
		sc_jsonc_kstr(&c, "state",
		              d->terminated  ? "terminated"
		              : d->confirmed ? "confirmed"
		                             : "early");
		sc_jsonc_end_object(&c);
	}
	sc_jsonc_end_array(&c);
	return c;
}

static struct sc_jsonc
hops(struct sc_jsonc c, struct fmt_cache *fc, const struct sc_call *call)
{
	sc_jsonc_begin_array(&c, "hops");
	for (size_t i = 0; i < call->nhops; i++) {
		sc_jsonc_begin_object(&c, NULL);
		kendpoint(&c, fc, "src", &call->hops[i].src);
		kendpoint(&c, fc, "dst", &call->hops[i].dst);
		sc_jsonc_end_object(&c);
	}
	sc_jsonc_end_array(&c);
	return c;
}

static struct sc_jsonc
events(struct sc_jsonc c, struct fmt_cache *fc, const struct sc_call *call)
{
	char from[SC_ADDR_STRLEN];

	sc_jsonc_begin_array(&c, "events");
	for (size_t i = 0; i < call->nevents; i++) {
		const struct sc_call_event *e = &call->events[i];

		sc_jsonc_begin_object(&c, NULL);
		sc_jsonc_kuint(&c, "frame", e->frame);
		kts(&c, fc, "ts", e->ts_ns);
		sc_jsonc_kstr(&c, "kind",
		              e->icmp_version == 6 ? "icmpv6" : "icmp");
		sc_jsonc_kstr(&c, "from",
		              sc_addr_format(&e->from, from, sizeof(from)));
		sc_jsonc_kint(&c, "type", e->type);
		sc_jsonc_kint(&c, "code", e->code);
		sc_jsonc_kstr(&c, "text", e->text);
		sc_jsonc_end_object(&c);
	}
	sc_jsonc_end_array(&c);
	return c;
}

static struct sc_jsonc
linked_ids(struct sc_jsonc c, const char *const *ids, size_t n)
{
	sc_jsonc_begin_array(&c, NULL);
	for (size_t i = 0; i < n; i++)
		sc_jsonc_string(&c, ids[i]);
	sc_jsonc_end_array(&c);
	return c;
}

/* A "linked_calls" value, written anew by the spool's merge. */
static void
linked_calls(struct sc_jsonw *w, const char *const *ids, size_t n)
{
	linked_ids(through(w), ids, n);
}

static struct sc_jsonc
timings(struct sc_jsonc c, const struct sc_call *call)
{
	sc_jsonc_begin_object(&c, "timings");
	kms(&c, "trying_ms", call->timings.trying_ms);
	kms(&c, "pdd_ms", call->timings.pdd_ms);
	kms(&c, "pdd_total_ms", call->timings.pdd_total_ms);
	kms(&c, "ring_ms", call->timings.ring_ms);
	kms(&c, "setup_ms", call->timings.setup_ms);
	kms(&c, "ack_ms", call->timings.ack_ms);
	kms(&c, "duration_ms", call->timings.duration_ms);
	kms(&c, "total_ms", call->timings.total_ms);
	sc_jsonc_end_object(&c);
	return c;
}

static void
call_object(struct sc_jsonw *w, const struct sc_diagnosis *d,
            struct sc__links_at *links)
{
	const struct sc_call *call = d->call;
	struct fmt_cache fc;
	struct sc_jsonc c;

	memset(fc.texts, 0, sizeof(fc.texts));
	fc.nep = fc.next = 0;
	fc.has_sec = false;
	sc_jsonw_begin_object(w);
	c = sc_jsonc_open(w);
	/* with its length: a NUL byte inside is written as \u0000 */
	sc_jsonc_kstrn(&c, "call_id", call->call_id, call->call_id_len);
	sc_jsonc_kstr(&c, "kind", sc__call_kind(call));
	c = party(c, "from", &call->from);
	c = party(c, "to", &call->to);
	sc_jsonc_kstr(&c, "request_uri", call->ruri);
	kendpoint(&c, &fc, "caller", &call->caller);
	kendpoint(&c, &fc, "callee", &call->callee);
	sc_jsonc_kstr(&c, "caller_agent", sc__call_agent(call, false));
	sc_jsonc_kstr(&c, "callee_agent", sc__call_agent(call, true));
	kts(&c, &fc, "first_ts", call->first_ts);
	kts(&c, &fc, "last_ts", call->last_ts);
	sc_jsonc_kuint(&c, "first_frame", call->first_frame);
	kid(&c, "state", sc_call_state_id(call->state));
	sc_jsonc_kstr(&c, "ended_by",
	              call->ended_by == SC_SIDE_CALLER   ? "caller"
	              : call->ended_by == SC_SIDE_CALLEE ? "callee"
	                                                 : NULL);
	kts(&c, &fc, "end_ts", call->end_ts);
	c = end_reason(c, call);
	sc_jsonc_kuint(&c, "bye_refused", call->bye_refused);
	kint_or_null(&c, "expires", call->expires >= 0, call->expires);
	sc_jsonc_kstr(&c, "subscription_state", call->subscription_state);
	sc_jsonc_kuint(&c, "auth_challenges", call->auth_challenges);
	sc_jsonc_kuint(&c, "forks", call->forks);
	sc_jsonc_kuint(&c, "message_count", call->msg_count);
	sc_jsonc_kuint(&c, "retransmissions", call->retransmissions);
	sc_jsonc_kuint(&c, "duplicates", call->duplicates);
	sc_jsonc_kuint(&c, "malformed", call->malformed);
	sc_jsonc_key(&c, "linked_calls");
	if (links)
		links->start = sc_jsonc_tell(&c);
	c = linked_ids(c, (const char *const *)call->linked, call->nlinked);
	if (links)
		links->end = sc_jsonc_tell(&c);
	c = verdict(c, &fc, &d->verdict);
	c = attempts(c, &fc, d);
	sc_jsonc_begin_array(&c, "findings");
	for (size_t i = 0; i < d->nfindings; i++) {
		sc_jsonc_begin_object(&c, NULL);
		sc_jsonc_kstr(&c, "rule", d->findings[i].rule);
		sc_jsonc_kstr(&c, "text", d->findings[i].text);
		sc_jsonc_end_object(&c);
	}
	sc_jsonc_end_array(&c);
	c = dialogs(c, call);
	c = hops(c, &fc, call);
	c = events(c, &fc, call);
	c = timings(c, call);
	sc_jsonc_begin_array(&c, "messages");
	for (size_t i = 0; i < call->nmsgs; i++)
		if (call->msgs[i].msg)
			c = message(c, &fc, &call->msgs[i],
			            sc_diagnosis_note(d, i));
	sc_jsonc_end_array(&c);
	sc_jsonc_close(c);
	sc_jsonw_end_object(w);
}

/* A map of counters, skipping zeros. */
static void
counts_by_reason(struct sc_jsonw *w, const char *key, const uint64_t *v)
{
	sc_jsonw_key(w, key);
	sc_jsonw_begin_object(w);
	for (int i = 0; i < SC_DR__COUNT; i++)
		if (v[i])
			sc_jsonw_kuint(
			        w,
			        sc_decode_reason_name((enum sc_decode_reason)i),
			        v[i]);
	sc_jsonw_end_object(w);
}

/* A percentage with one decimal, as a number. */
static void
kpercent(struct sc_jsonw *w, const char *key, double v)
{
	sc_jsonw_key(w, key);
	sc_jsonw_double1(w, v);
}

static void
call_stats(struct sc_jsonw *w, const struct sc_call_stats *s)
{
	struct sc_jsonc via = through(w);

	sc_jsonw_kuint(w, "attempts", s->attempts);
	sc_jsonw_kuint(w, "answered", s->answered);
	kpercent(w, "asr", sc_call_stats_asr(s));
	kpercent(w, "ner", sc_call_stats_ner(s));
	kms(&via, "pdd_mean_ms", sc_call_stats_pdd_mean(s));
	kms(&via, "pdd_p95_ms", sc_call_stats_pdd_p95(s));
}

/* A ratio, or null when it has no denominator. */
static void
kratio(struct sc_jsonw *w, const char *key, double v)
{
	if (v >= 0) {
		kpercent(w, key, v);
		return;
	}
	sc_jsonw_key(w, key);
	sc_jsonw_null(w);
}

static void
kdelays(struct sc_jsonw *w, const char *key, const struct sc_delays *d)
{
	struct sc_jsonc via = through(w);

	sc_jsonw_key(w, key);
	sc_jsonw_begin_object(w);
	sc_jsonw_kuint(w, "count", d->n);
	kms(&via, "p50", sc_delays_percentile(d, 50));
	kms(&via, "p90", sc_delays_percentile(d, 90));
	kms(&via, "p99", sc_delays_percentile(d, 99));
	sc_jsonw_end_object(w);
}

static void
rfc6076(struct sc_jsonw *w, const struct sc_rfc6076 *r)
{
	sc_jsonw_key(w, "rfc6076");
	sc_jsonw_begin_object(w);
	sc_jsonw_kuint(w, "invites", r->invites);
	sc_jsonw_kuint(w, "redirected", r->redirected);
	kratio(w, "ser", sc_rfc6076_ser(r));
	kratio(w, "seer", sc_rfc6076_seer(r));
	kratio(w, "isa", sc_rfc6076_isa(r));
	kratio(w, "scr", sc_rfc6076_scr(r));
	kdelays(w, "srd_ms", &r->srd);
	kdelays(w, "sdd_ms", &r->sdd);
	sc_jsonw_end_object(w);
}

static void
invite_stats(struct sc_jsonw *w, const struct sc_model *m)
{
	char a[SC_ADDR_STRLEN], b[SC_ADDR_STRLEN];

	sc_jsonw_key(w, "invite_calls");
	sc_jsonw_begin_object(w);
	call_stats(w, &m->overall);
	rfc6076(w, &m->rfc6076);
	sc_jsonw_end_object(w);
	sc_jsonw_key(w, "peers");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < m->peers.n; i++) {
		const struct sc_peer *p = m->peers.v[i];

		sc_jsonw_begin_object(w);
		sc_jsonw_kstr(w, "caller",
		              sc_addr_format(&p->caller, a, sizeof(a)));
		sc_jsonw_kstr(w, "callee",
		              sc_addr_format(&p->callee, b, sizeof(b)));
		call_stats(w, &p->s);
		sc_jsonw_end_object(w);
	}
	sc_jsonw_end_array(w);
}

/*
 * The plain counters of struct sc_stats, described once: JSON key, the
 * object holding it ("" for stats itself), and where it lives.
 */
#define STAT(obj, key, field)                                                    \
	{                                                                        \
		obj, key,                                                        \
		        offsetof(struct sc_stats, field) +                       \
		                0 * sizeof(char[sizeof(((struct sc_stats *)0)    \
		                                               ->field) ==       \
		                                                sizeof(uint64_t) \
		                                        ? 1                      \
		                                        : -1])                   \
	}
static const struct stat_field {
	const char *object;
	const char *key;
	size_t off;
} stat_fields[] = {
	STAT("", "retransmissions", retransmissions),
	STAT("", "duplicates", duplicates),
	STAT("", "malformed", malformed),
	STAT("", "truncated", truncated),
	STAT("", "unparsable", unparsable),
	STAT("", "no_call_id", no_call_id),
	STAT("", "udp_non_sip", udp_non_sip),
	STAT("", "udp_resynced", udp_resynced),
	STAT("", "hep_messages", hep_messages),
	STAT("", "hep_non_sip", hep_non_sip),
	STAT("", "icmp_errors", icmp_errors),
	STAT("ip_fragments", "fragments", ipfrag.fragments),
	STAT("ip_fragments", "reassembled", ipfrag.reassembled),
	STAT("ip_fragments", "duplicates", ipfrag.duplicates),
	STAT("ip_fragments", "overlaps", ipfrag.overlaps),
	STAT("ip_fragments", "timeouts", ipfrag.timeouts),
	STAT("ip_fragments", "too_big", ipfrag.too_big),
	STAT("ip_fragments", "evicted", ipfrag.evicted),
	STAT("ip_fragments", "too_many_fragments", ipfrag.too_many),
	STAT("ip_fragments", "inconsistent", ipfrag.inconsistent),
	STAT("tcp", "segments", tcp.segments),
	STAT("tcp", "flows", tcp.flows),
	STAT("tcp", "retransmitted", tcp.retransmitted),
	STAT("tcp", "overlaps", tcp.overlaps),
	STAT("tcp", "out_of_order", tcp.out_of_order),
	STAT("tcp", "gaps", tcp.gaps),
	STAT("tcp", "gap_bytes", tcp.gap_bytes),
	STAT("tcp", "resyncs", tcp.resyncs),
	STAT("tcp", "skipped_bytes", tcp.skipped_bytes),
	STAT("tcp", "no_content_length", tcp.no_clen),
	STAT("tcp", "bodies_capped", tcp.capped),
	STAT("tcp", "evicted", tcp.evicted),
	STAT("tcp", "websocket_flows", tcp.ws_flows),
	STAT("tcp", "websocket_frames", tcp.ws_frames),
	STAT("tcp", "non_sip_flows", tcp.non_sip_flows),
	STAT("sctp", "chunks", sctp.chunks),
	STAT("sctp", "reassembled", sctp.reassembled),
	STAT("sctp", "dropped", sctp.dropped),
	STAT("sctp", "malformed", sctp.malformed),
	STAT("encrypted", "tls_flows", tcp.tls_flows),
	STAT("encrypted", "tls_flows_port_5061", tcp.tls_flows_5061),
	STAT("encrypted", "tls_records", tcp.tls_records),
	STAT("caps", "open_calls_evicted", caps.open_calls_evicted),
	STAT("caps", "call_msgs_dropped", caps.call_msgs_dropped),
	STAT("caps", "calls_not_kept", caps.calls_not_kept),
	STAT("caps", "link_keys_forgotten", caps.link_keys_forgotten),
	STAT("caps", "peer_calls_untracked", caps.peer_calls_untracked),
	STAT("compaction", "calls_compacted", compaction.calls_compacted),
	STAT("compaction", "messages_reread", compaction.messages_reread),
	STAT("compaction", "messages_lost", compaction.messages_lost),
};
#undef STAT

/* Write stat_fields in order, opening an object when its name changes. */
static void
stat_counters(struct sc_jsonw *w, const struct sc_stats *s)
{
	const char *open = "";

	for (size_t i = 0; i < SC_COUNTOF(stat_fields); i++) {
		const struct stat_field *f = &stat_fields[i];
		uint64_t v;

		if (strcmp(f->object, open) != 0) {
			if (open[0])
				sc_jsonw_end_object(w);
			open = f->object;
			if (open[0]) {
				sc_jsonw_key(w, open);
				sc_jsonw_begin_object(w);
			}
		}
		memcpy(&v, (const char *)s + f->off, sizeof(v));
		sc_jsonw_kuint(w, f->key, v);
	}
	if (open[0])
		sc_jsonw_end_object(w);
}

static void
stats(struct sc_jsonw *w, const struct sc_model *m)
{
	const struct sc_stats *s = &m->stats;

	char code[8];

	sc_jsonw_key(w, "stats");
	sc_jsonw_begin_object(w);
	sc_jsonw_kuint(w, "sip_messages", s->sip_messages);
	sc_jsonw_key(w, "requests");
	sc_jsonw_begin_object(w);
	for (int i = 1; i < SC_METHOD__COUNT; i++)
		if (s->requests[i])
			sc_jsonw_kuint(w, sc_method_name((enum sc_method)i),
			               s->requests[i]);
	if (s->requests_other)
		sc_jsonw_kuint(w, "other", s->requests_other);
	sc_jsonw_end_object(w);
	sc_jsonw_key(w, "responses");
	sc_jsonw_begin_object(w);
	for (int i = 0; i <= SC_MAX_STATUS; i++) {
		if (!s->responses[i])
			continue;
		snprintf(code, sizeof(code), "%d", i);
		sc_jsonw_kuint(w, code, s->responses[i]);
	}
	sc_jsonw_end_object(w);
	sc_jsonw_kuint(w, "calls", s->calls);
	invite_stats(w, m);
	stat_counters(w, s);
	counts_by_reason(w, "decode_errors", s->decode_errors);
	counts_by_reason(w, "decode_warnings", s->decode_warnings);
	counts_by_reason(w, "skipped", s->skipped);
	sc_jsonw_end_object(w);
}

static void
input(struct sc_jsonw *w, const struct sc_model *m)
{
	struct fmt_cache fc_one = { 0 }, *fc = &fc_one;
	struct sc_jsonc via = through(w);

	sc_jsonw_key(w, "input");
	sc_jsonw_begin_object(w);
	sc_jsonw_key(w, "files");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < m->nfiles; i++)
		sc_jsonw_string(w, m->files[i].path);
	sc_jsonw_end_array(w);
	sc_jsonw_kuint(w, "packets", m->stats.packets);
	sc_jsonw_kuint(w, "bytes", m->stats.bytes);
	kts(&via, fc, "first_ts", m->stats.first_ts);
	kts(&via, fc, "last_ts", m->stats.last_ts);
	sc_jsonw_key(w, "link_types");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < m->nfiles; i++) {
		bool seen = false;

		if (m->files[i].linktype < 0)
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= m->files[j].linktype == m->files[i].linktype;
		if (!seen)
			sc_jsonw_string(w, sc_capture_linktype_name(
			                           m->files[i].linktype));
	}
	sc_jsonw_end_array(w);
	sc_jsonw_key(w, "warnings");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < m->nfiles; i++)
		if (m->files[i].warning)
			sc_jsonw_string(w, m->files[i].warning);
	sc_jsonw_end_array(w);
	sc_jsonw_end_object(w);
}

/* Findings across calls: scanners, password guessing, toll fraud. */
static void
security(struct sc_jsonw *w, const struct sc_model *m)
{
	char src[SC_ADDR_STRLEN];
	struct fmt_cache fc_one = { 0 }, *fc = &fc_one;
	struct sc_jsonc via = through(w);

	sc_jsonw_key(w, "security");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < m->nsecurity; i++) {
		const struct sc_security_item *it = &m->security[i];

		sc_jsonw_begin_object(w);
		sc_jsonw_kstr(w, "rule", it->rule_id);
		sc_jsonw_kstr(w, "src",
		              sc_addr_format(&it->src, src, sizeof(src)));
		sc_jsonw_kstr(w, "user", it->user);
		sc_jsonw_kstr(w, "user_agent", it->user_agent);
		sc_jsonw_kuint(w, "requests", it->requests);
		sc_jsonw_kuint(w, "failures", it->failures);
		sc_jsonw_kuint(w, "successes", it->successes);
		sc_jsonw_kuint(w, "distinct", it->distinct);
		sc_jsonw_kbool(w, "distinct_capped", it->distinct_capped);
		kts(&via, fc, "first_ts", it->first_ts);
		kts(&via, fc, "last_ts", it->last_ts);
		sc_jsonw_key(w, "call_ids");
		sc_jsonw_begin_array(w);
		for (size_t k = 0; k < it->ncall_ids; k++)
			sc_jsonw_string(w, it->call_ids[k]);
		sc_jsonw_end_array(w);
		sc_jsonw_kuint(w, "more_call_ids", it->more_call_ids);
		sc_jsonw_kstr(w, "text", it->text);
		sc_jsonw_end_object(w);
	}
	sc_jsonw_end_array(w);
}

/* Without indentation, a call object is a third smaller (480 MB against
 * 762 MB for 100,000 calls), and writing its bytes costs about as much
 * as making them; a line per call keeps grep and less usable. */
void
sc__json_writer_init(struct sc_jsonw *w, FILE *out, bool pretty)
{
	sc_jsonw_init(w, out, pretty);
	if (!pretty)
		sc_jsonw_lines(w, SC__CALLS_DEPTH);
}

static void
json_finish(struct sc_report *r, const struct sc_model *m)
{
	struct sc_selection sel = { 0 };
	struct sc_jsonw w;
	char *head = NULL;
	size_t headlen = 0;
	/* with a spool, the head is made in memory: the spool puts it
	 * before the calls it wrote into the output, if any */
	FILE *to = r->spool ? open_memstream(&head, &headlen) : r->out;

	if (!to) {
		r->failed = true;
		return;
	}
	sc__json_writer_init(&w, to, r->opts.pretty);
	sc_jsonw_begin_object(&w);
	sc_jsonw_kstr(&w, "schema", SCHEMA);
	sc_jsonw_key(&w, "tool");
	sc_jsonw_begin_object(&w);
	sc_jsonw_kstr(&w, "name", "sipcause");
	sc_jsonw_kstr(&w, "version", r->opts.tool_version);
	sc_jsonw_end_object(&w);
	input(&w, m);
	stats(&w, m);
	security(&w, m);
	sc_jsonw_key(&w, "calls");
	sc_jsonw_begin_array(&w);
	if (!r->spool) {
		for (size_t i = 0; i < m->calls.n; i++)
			if (sc__report_shows(r, m->calls.v[i]))
				call_object(&w, m->calls.v[i], NULL);
	} else {
		sc_jsonw_flush(&w);
		if (fclose(to) != 0)
			r->failed = true;
		w.out = r->out;
		if (r->failed || !sc__select(r, m, &sel) ||
		    !sc__spool_merge(r->spool, head, headlen,
		                     (const struct sc_diagnosis *const *)sel.v,
		                     sel.n, call_object, linked_calls, &w))
			r->failed = true;
		sc_selection_fini(&sel);
		free(head);
	}
	sc_jsonw_end_array(&w);
	sc_jsonw_end_object(&w);
	fputc('\n', r->out);
}

/* A finished call goes to the spool at once, when there is one (the
 * analyzer then frees it: sc_report_lists() says so). */
static void
json_call(struct sc_report *r, const struct sc_diagnosis *d)
{
	if (r->spool && sc__spool_add(r->spool, d, call_object))
		r->taken = d;
}

const struct sc_report_ops sc__report_json_ops = {
	.call = json_call,
	.finish = json_finish,
};

/* JSON Lines: one call object per line, written as each call finishes. */
static void
jsonl_call(struct sc_report *r, const struct sc_diagnosis *d)
{
	struct sc_jsonw w;

	sc_jsonw_init(&w, r->out, false);
	call_object(&w, d, NULL);
	fputc('\n', r->out);
	r->calls_written++;
}

static void
jsonl_finish(struct sc_report *r, const struct sc_model *m)
{
	(void)r;
	(void)m;
}

const struct sc_report_ops sc__report_jsonl_ops = {
	.call = jsonl_call,
	.finish = jsonl_finish,
};
