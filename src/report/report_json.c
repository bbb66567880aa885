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

struct fmt_cache {
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

SC__JSONW_INLINE void
kts(struct sc_jsonw *w, struct fmt_cache *fc, const char *key, int64_t ns)
{
	const char *text;
	size_t len;

	if (ns == 0) {
		sc_jsonw_kstr(w, key, NULL);
		return;
	}
	text = ts_text(fc, ns, &len);
	sc_jsonw_kplainn(w, key, text, len);
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
kendpoint(struct sc_jsonw *w, struct fmt_cache *fc, const char *key,
          const struct sc_endpoint *e)
{
	const struct endpoint_text *t;

	if (e->addr.family == 0) {
		sc_jsonw_kstr(w, key, NULL);
		return;
	}
	t = endpoint_text(fc, e);
	sc_jsonw_kplainn(w, key, t->text, t->len);
}

/* One of our enum's ids ("success", "udp"): lower-case ASCII (the
 * output test checks them all), so not scanned for escapes. */
SC__JSONW_INLINE void
kid(struct sc_jsonw *w, const char *key, const char *id)
{
	sc_jsonw_kplainn(w, key, id, strlen(id));
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
kmethod(struct sc_jsonw *w, const char *key, enum sc_method m, const char *name)
{
	if (name && m != SC_METHOD_OTHER && (unsigned)m < SC_METHOD__COUNT)
		sc_jsonw_kplainn(w, key, name, method_len[m]);
	else
		sc_jsonw_kstr(w, key, name);
}

/* A millisecond value, or null when it does not apply (-1). */
SC__JSONW_INLINE void
kms(struct sc_jsonw *w, const char *key, int64_t ms)
{
	if (ms < 0)
		sc_jsonw_kstr(w, key, NULL);
	else
		sc_jsonw_kint(w, key, ms);
}

static void
party(struct sc_jsonw *w, const char *key, const struct sc_party *p)
{
	sc_jsonw_key(w, key);
	sc_jsonw_begin_object(w);
	sc_jsonw_kstr(w, "uri", p->uri);
	sc_jsonw_kstr(w, "user", p->user);
	sc_jsonw_kstr(w, "display", p->display);
	sc_jsonw_kstr(w, "tag", p->tag);
	sc_jsonw_end_object(w);
}

/* The fields an annotation and a verdict share. */
static void
explain_fields(struct sc_jsonw *w, const struct sc_explain *e)
{
	const struct sc_q850_info *q = e->q850 ? sc_kb_q850(e->q850) : NULL;

	kid(w, "class", sc_class_id(e->cls));
	kid(w, "category", sc_category_id(e->cat));
	sc_jsonw_kstr(w, "meaning", e->meaning);
	sc_jsonw_kstr(w, "cause", e->cause);
	sc_jsonw_kstr(w, "tip", e->tip);
	sc_jsonw_kstr(w, "rule", e->rule);
	sc_jsonw_key(w, "evidence");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < e->nevidence; i++)
		sc_jsonw_string(w, e->evidence[i]);
	sc_jsonw_end_array(w);
	if (e->unknown_code)
		sc_jsonw_kbool(w, "unknown_code", true);
	sc_jsonw_key(w, "q850");
	if (q) {
		sc_jsonw_begin_object(w);
		sc_jsonw_kint(w, "cause", q->cause);
		sc_jsonw_kstr(w, "name", q->name);
		sc_jsonw_end_object(w);
	} else {
		sc_jsonw_null(w);
	}
}

/* An integer, or null when @present is false. */
SC__JSONW_INLINE void
kint_or_null(struct sc_jsonw *w, const char *key, bool present, int64_t v)
{
	if (present)
		sc_jsonw_kint(w, key, v);
	else
		sc_jsonw_kstr(w, key, NULL);
}

/* The response that originated a failure, on whichever hop. */
static void
root_cause(struct sc_jsonw *w, struct fmt_cache *fc,
           const struct sc_root_cause *r)
{
	sc_jsonw_key(w, "root_cause");
	if (!r) {
		sc_jsonw_null(w);
		return;
	}
	sc_jsonw_begin_object(w);
	kint_or_null(w, "code", r->code != 0, r->code);
	sc_jsonw_kstr(w, "reason", r->reason);
	sc_jsonw_kuint(w, "frame", r->frame);
	kendpoint(w, fc, "src", &r->src);
	kendpoint(w, fc, "dst", &r->dst);
	sc_jsonw_kuint(w, "hop", r->hop);
	sc_jsonw_end_object(w);
}

static void
verdict(struct sc_jsonw *w, struct fmt_cache *fc, const struct sc_explain *v)
{
	char *summary;

	sc_jsonw_key(w, "verdict");
	sc_jsonw_begin_object(w);
	kint_or_null(w, "code", v->code != 0, v->code);
	sc_jsonw_kstr(w, "reason", v->reason);
	explain_fields(w, v);
	summary = sc_explain_summary(v);
	sc_jsonw_kstr(w, "summary", summary);
	free(summary);
	root_cause(w, fc, v->root);
	sc_jsonw_end_object(w);
}

static void
attempts(struct sc_jsonw *w, struct fmt_cache *fc, const struct sc_diagnosis *d)
{
	const struct sc_call *c = d->call;

	sc_jsonw_key(w, "attempts");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < c->nattempts; i++) {
		const struct sc_attempt *a = &c->attempts[i];

		sc_jsonw_begin_object(w);
		sc_jsonw_kuint(w, "index", i + 1);
		sc_jsonw_kstr(w, "kind", sc_attempt_kind_name(a));
		sc_jsonw_kuint(w, "cseq", a->cseq);
		sc_jsonw_kuint(w, "first_frame", a->first_frame);
		sc_jsonw_kuint(w, "last_frame", a->last_frame);
		kts(w, fc, "first_ts", a->first_ts);
		kid(w, "state", sc_call_state_id(a->state));
		kint_or_null(w, "final_code", a->final_code != 0,
		             a->final_code);
		sc_jsonw_kstr(w, "final_reason", a->final_reason);
		sc_jsonw_kuint(w, "retries", a->retries);
		sc_jsonw_kuint(w, "auth_challenges", a->auth_challenges);
		sc_jsonw_kbool(w, "headline", i == c->headline);
		verdict(w, fc, sc_diagnosis_attempt(d, i));
		sc_jsonw_end_object(w);
	}
	sc_jsonw_end_array(w);
}

/* Who ended an answered call and the Reason of that BYE (RFC 3326). */
static void
end_reason(struct sc_jsonw *w, const struct sc_call *c)
{
	const struct sc_end_reason *r = &c->end_reason;
	const struct sc_q850_info *q = r->q850 > 0 ? sc_kb_q850(r->q850) : NULL;

	sc_jsonw_key(w, "ended_by_reason");
	if (c->ended_by == SC_SIDE_NONE || !r->present) {
		sc_jsonw_null(w);
		return;
	}
	sc_jsonw_begin_object(w);
	kint_or_null(w, "sip_cause", r->sip_cause > 0, r->sip_cause);
	kint_or_null(w, "q850", r->q850 > 0, r->q850);
	sc_jsonw_kstr(w, "q850_name", q ? q->name : NULL);
	sc_jsonw_kstr(w, "text", r->text);
	sc_jsonw_end_object(w);
}

static void
message(struct sc_jsonw *w, struct fmt_cache *fc, const struct sc_callmsg *cm,
        const struct sc_explain *note)
{
	const struct sc_msg *m = cm->msg;

	sc_jsonw_begin_object(w);
	sc_jsonw_kuint(w, "frame", m->frame);
	sc_jsonw_key(w, "frames");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < m->nframes; i++)
		sc_jsonw_uint(w, m->frames[i]);
	sc_jsonw_end_array(w);
	kts(w, fc, "ts", m->ts_ns);
	kendpoint(w, fc, "src", &m->src);
	kendpoint(w, fc, "dst", &m->dst);
	kid(w, "transport", sc_transport_name(m->transport));
	kmethod(w, "request", m->method, m->is_request ? m->method_name : NULL);
	kint_or_null(w, "status", !m->is_request, m->status);
	sc_jsonw_kstr(w, "reason", m->is_request ? NULL : m->reason_phrase);
	sc_jsonw_kuint(w, "cseq", m->cseq);
	kmethod(w, "cseq_method", m->cseq_method, m->cseq_method_name);
	/* up to a NUL byte, as ever: the length only spares a strlen */
	sc_jsonw_kstr_upto(w, "branch", m->via_branch, m->via_branch_len);
	sc_jsonw_kbool(w, "retransmission", cm->retransmission);
	if (cm->duplicate)
		sc_jsonw_kbool(w, "duplicate", true);
	sc_jsonw_kuint(w, "hop", cm->hop);
	if (m->flags & SC_MSG_MALFORMED)
		sc_jsonw_kbool(w, "malformed", true);
	if (m->flags & SC_RAW_TRUNCATED)
		sc_jsonw_kbool(w, "truncated", true);
	if (m->flags & SC_RAW_RESYNCED)
		sc_jsonw_kbool(w, "resynced", true);
	if (note) {
		sc_jsonw_key(w, "annotation");
		sc_jsonw_begin_object(w);
		explain_fields(w, note);
		sc_jsonw_end_object(w);
	}
	sc_jsonw_end_object(w);
}

static void
dialogs(struct sc_jsonw *w, const struct sc_call *c)
{
	sc_jsonw_key(w, "dialogs");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < c->ndialogs; i++) {
		const struct sc_dialog *d = &c->dialogs[i];

		sc_jsonw_begin_object(w);
		sc_jsonw_kstr(w, "to_tag", d->to_tag);
		sc_jsonw_kint(w, "best_code", d->best_code);
		sc_jsonw_kstr(w, "state",
		              d->terminated  ? "terminated"
		              : d->confirmed ? "confirmed"
		                             : "early");
		sc_jsonw_end_object(w);
	}
	sc_jsonw_end_array(w);
}

static void
hops(struct sc_jsonw *w, struct fmt_cache *fc, const struct sc_call *c)
{
	sc_jsonw_key(w, "hops");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < c->nhops; i++) {
		sc_jsonw_begin_object(w);
		kendpoint(w, fc, "src", &c->hops[i].src);
		kendpoint(w, fc, "dst", &c->hops[i].dst);
		sc_jsonw_end_object(w);
	}
	sc_jsonw_end_array(w);
}

static void
events(struct sc_jsonw *w, struct fmt_cache *fc, const struct sc_call *c)
{
	char from[SC_ADDR_STRLEN];

	sc_jsonw_key(w, "events");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < c->nevents; i++) {
		const struct sc_call_event *e = &c->events[i];

		sc_jsonw_begin_object(w);
		sc_jsonw_kuint(w, "frame", e->frame);
		kts(w, fc, "ts", e->ts_ns);
		sc_jsonw_kstr(w, "kind",
		              e->icmp_version == 6 ? "icmpv6" : "icmp");
		sc_jsonw_kstr(w, "from",
		              sc_addr_format(&e->from, from, sizeof(from)));
		sc_jsonw_kint(w, "type", e->type);
		sc_jsonw_kint(w, "code", e->code);
		sc_jsonw_kstr(w, "text", e->text);
		sc_jsonw_end_object(w);
	}
	sc_jsonw_end_array(w);
}

static void
linked_calls(struct sc_jsonw *w, const char *const *ids, size_t n)
{
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < n; i++)
		sc_jsonw_string(w, ids[i]);
	sc_jsonw_end_array(w);
}

static void
call_object(struct sc_jsonw *w, const struct sc_diagnosis *d,
            struct sc__links_at *links)
{
	const struct sc_call *c = d->call;
	struct fmt_cache fc;

	fc.nep = fc.next = 0;
	fc.has_sec = false;
	sc_jsonw_begin_object(w);
	/* with its length: a NUL byte inside is written as \u0000 */
	sc_jsonw_key(w, "call_id");
	sc_jsonw_stringn(w, c->call_id, c->call_id_len);
	sc_jsonw_kstr(w, "kind", sc__call_kind(c));
	party(w, "from", &c->from);
	party(w, "to", &c->to);
	sc_jsonw_kstr(w, "request_uri", c->ruri);
	kendpoint(w, &fc, "caller", &c->caller);
	kendpoint(w, &fc, "callee", &c->callee);
	sc_jsonw_kstr(w, "caller_agent", sc__call_agent(c, false));
	sc_jsonw_kstr(w, "callee_agent", sc__call_agent(c, true));
	kts(w, &fc, "first_ts", c->first_ts);
	kts(w, &fc, "last_ts", c->last_ts);
	sc_jsonw_kuint(w, "first_frame", c->first_frame);
	kid(w, "state", sc_call_state_id(c->state));
	sc_jsonw_kstr(w, "ended_by",
	              c->ended_by == SC_SIDE_CALLER   ? "caller"
	              : c->ended_by == SC_SIDE_CALLEE ? "callee"
	                                              : NULL);
	kts(w, &fc, "end_ts", c->end_ts);
	end_reason(w, c);
	sc_jsonw_kuint(w, "bye_refused", c->bye_refused);
	kint_or_null(w, "expires", c->expires >= 0, c->expires);
	sc_jsonw_kstr(w, "subscription_state", c->subscription_state);
	sc_jsonw_kuint(w, "auth_challenges", c->auth_challenges);
	sc_jsonw_kuint(w, "forks", c->forks);
	sc_jsonw_kuint(w, "message_count", c->msg_count);
	sc_jsonw_kuint(w, "retransmissions", c->retransmissions);
	sc_jsonw_kuint(w, "duplicates", c->duplicates);
	sc_jsonw_kuint(w, "malformed", c->malformed);
	sc_jsonw_key(w, "linked_calls");
	if (links)
		links->start = sc_jsonw_tell(w);
	linked_calls(w, (const char *const *)c->linked, c->nlinked);
	if (links)
		links->end = sc_jsonw_tell(w);
	verdict(w, &fc, &d->verdict);
	attempts(w, &fc, d);
	sc_jsonw_key(w, "findings");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < d->nfindings; i++) {
		sc_jsonw_begin_object(w);
		sc_jsonw_kstr(w, "rule", d->findings[i].rule);
		sc_jsonw_kstr(w, "text", d->findings[i].text);
		sc_jsonw_end_object(w);
	}
	sc_jsonw_end_array(w);
	dialogs(w, c);
	hops(w, &fc, c);
	events(w, &fc, c);
	sc_jsonw_key(w, "timings");
	sc_jsonw_begin_object(w);
	kms(w, "trying_ms", c->timings.trying_ms);
	kms(w, "pdd_ms", c->timings.pdd_ms);
	kms(w, "pdd_total_ms", c->timings.pdd_total_ms);
	kms(w, "ring_ms", c->timings.ring_ms);
	kms(w, "setup_ms", c->timings.setup_ms);
	kms(w, "ack_ms", c->timings.ack_ms);
	kms(w, "duration_ms", c->timings.duration_ms);
	kms(w, "total_ms", c->timings.total_ms);
	sc_jsonw_end_object(w);
	sc_jsonw_key(w, "messages");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < c->nmsgs; i++)
		if (c->msgs[i].msg)
			message(w, &fc, &c->msgs[i], sc_diagnosis_note(d, i));
	sc_jsonw_end_array(w);
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
	sc_jsonw_kuint(w, "attempts", s->attempts);
	sc_jsonw_kuint(w, "answered", s->answered);
	kpercent(w, "asr", sc_call_stats_asr(s));
	kpercent(w, "ner", sc_call_stats_ner(s));
	kms(w, "pdd_mean_ms", sc_call_stats_pdd_mean(s));
	kms(w, "pdd_p95_ms", sc_call_stats_pdd_p95(s));
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
	sc_jsonw_key(w, key);
	sc_jsonw_begin_object(w);
	sc_jsonw_kuint(w, "count", d->n);
	kms(w, "p50", sc_delays_percentile(d, 50));
	kms(w, "p90", sc_delays_percentile(d, 90));
	kms(w, "p99", sc_delays_percentile(d, 99));
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

	sc_jsonw_key(w, "input");
	sc_jsonw_begin_object(w);
	sc_jsonw_key(w, "files");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; i < m->nfiles; i++)
		sc_jsonw_string(w, m->files[i].path);
	sc_jsonw_end_array(w);
	sc_jsonw_kuint(w, "packets", m->stats.packets);
	sc_jsonw_kuint(w, "bytes", m->stats.bytes);
	kts(w, fc, "first_ts", m->stats.first_ts);
	kts(w, fc, "last_ts", m->stats.last_ts);
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
		kts(w, fc, "first_ts", it->first_ts);
		kts(w, fc, "last_ts", it->last_ts);
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
