/* verdict.c - the verdict of each attempt and of the call: the outcome
 * the caller saw, the response that originated a failure on whichever
 * hop (the root cause), who ended an answered call
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_impl.h"
#include "sipcause/util/addr.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/evidence.h"
#include "sipcause/diagnosis/kb.h"

/* What a verdict looks at besides struct sc__cctx. */
struct vctx {
	struct sc__cctx x;
	size_t ai; /* the attempt */
	const struct sc_attempt *a;
};

static const char *
kind(const struct sc_attempt *a)
{
	const char *k = sc_attempt_kind_name(a);

	return k && k[0] ? k : "request";
}

static const char *
party(const struct sc_party *p)
{
	return p->user ? p->user : p->uri ? p->uri : "?";
}

/* Sends of the attempt's request (every retry) and when the last one
 * left: "REGISTER sent 56 times over 605 s". */
static uint64_t
attempt_sends(const struct sc_call *c, const struct sc_attempt *a,
              int64_t *last)
{
	uint64_t n = 0;
	size_t ai = (size_t)(a - c->attempts);

	*last = a->first_ts;
	for (size_t i = a->first_txn; i < c->ntxns; i++) {
		const struct sc_txn *t = &c->txns[i];

		if (t->attempt != ai || t->leader != i || t->in_dialog ||
		    t->method != a->kind)
			continue;
		n += t->request_sends ? t->request_sends : 1;
		if (t->last_send_ts > *last)
			*last = t->last_send_ts;
	}
	return n;
}

/* An ICMP error quoted the request: the network said why. */
static void
verdict_icmp(struct sc__cctx *x)
{
	const struct sc_call_event *e = &x->call->events[0];
	struct sc_response_facts f;
	struct sc_cause cause;
	char from[SC_ADDR_STRLEN];

	sc_addr_format(&e->from, from, sizeof(from));
	x->out->cls = SC_CLASS_PROVISIONAL;
	x->out->cat = SC_CAT_TIMEOUT;
	x->out->rule = RULE(ICMP_UNREACHABLE);
	x->out->meaning = "The network sent back an ICMP error for the "
	                  "request.";
	sc__evidence(x, "ICMP %s from %s (frame %" PRIu64 ")",
	             sc__or_dash(e->text), from, e->frame);
	x->out->cause = sc__own(x, OWN_CAUSE,
	                        "The request could not be delivered: %s "
	                        "(reported by %s).",
	                        sc__or_dash(e->text), from);
	x->out->tip = "Check that the destination host is up and that "
	              "something listens on its SIP port, and the "
	              "firewalls on the way.";
	sc_response_facts_init(&f);
	f.method = x->txn ? x->txn->method_name : NULL;
	f.icmp_version = e->icmp_version;
	f.icmp_type = e->type;
	f.icmp_code = e->code;
	f.icmp_text = e->text;
	f.icmp_from = from;
	if (sc_evidence_cause(&f, &cause) && cause.rule) {
		x->out->rule = cause.rule;
		x->out->cat = cause.cat;
		x->out->cause = sc__own(x, OWN_CAUSE, "%s", cause.cause);
	}
}

/* Nobody answered at all: routing, firewall, nothing listening. */
static void
verdict_no_response(struct vctx *v, const struct sc_txn *t)
{
	struct sc__cctx *x = &v->x;
	const struct sc_call *c = x->call;
	const struct sc_msg *req = sc__first_request(c, t);
	char to[SC_ENDPOINT_STRLEN];
	int64_t last;
	uint64_t sends = attempt_sends(c, v->a, &last);

	x->out->cls = SC_CLASS_PROVISIONAL;
	x->out->cat = SC_CAT_TIMEOUT;
	if (c->nevents > 0) {
		verdict_icmp(x);
		return;
	}
	if (t->first_provisional_ts) {
		x->out->rule = RULE(TIMEOUT_NO_ANSWER);
		x->out->meaning = "The request got a provisional response but "
		                  "never a final one.";
		sc__evidence(x,
		             "first provisional response %.1f s after the "
		             "request; no final response in the next %.1f s",
		             sc__seconds(t->first_provisional_ts - t->first_ts),
		             sc__seconds(c->last_ts - t->first_provisional_ts));
		x->out->cause = "The destination was reached but the "
		                "transaction never completed (nobody "
		                "answered, or the final response was lost).";
		x->out->tip = "Look for the final response on the other side "
		              "of the proxy; check timers (Timer C) there.";
		return;
	}
	x->out->rule = RULE(TIMEOUT_NO_PROVISIONAL);
	x->out->meaning = "The request never got any response.";
	sc__evidence(x,
	             "%s sent %" PRIu64 " %s over %.1f s to %s with no "
	             "response",
	             t->method_name, sends, sc__times(sends),
	             sc__seconds(last - v->a->first_ts),
	             req ? sc_endpoint_format(&req->dst, to, sizeof(to)) : "?");
	x->out->cause = "The request never reached a SIP server that "
	                "answers: wrong route or DNS, a firewall dropping it, "
	                "or nothing listening at the destination.";
	x->out->tip = "Check the destination address and port, DNS, and "
	              "firewall rules; capture at the destination to see "
	              "whether it arrives.";
}

/* 2xx without ACK: the answer never reached the caller, or its ACK got
 * lost on the way back (RFC 3261 13.3.1.4). */
static void
verdict_no_ack(struct sc__cctx *x, const struct sc_txn *t)
{
	const struct sc_call *c = x->call;

	x->out->rule = RULE(ACK_MISSING);
	x->out->cat = SC_CAT_PROTOCOL;
	x->out->meaning = "The call was answered but its ACK was never "
	                  "seen.";
	if (t->final_sends > 1)
		sc__evidence(x,
		             "the 2xx was sent %" PRIu32 " times and never "
		             "acknowledged",
		             t->final_sends);
	if (c->ended_by != SC_SIDE_NONE)
		sc__evidence(x, "BYE from the %s %.1f s after the answer",
		             c->ended_by == SC_SIDE_CALLEE ? "callee"
		                                           : "caller",
		             sc__seconds(c->end_ts - t->final_ts));
	x->out->cause = "The ACK does not reach the callee: NAT or a "
	                "firewall on the way, or a wrong Contact or "
	                "Record-Route in the 2xx.";
	x->out->tip = "Compare the 2xx's Contact and Record-Route with the "
	              "address the ACK is sent to; check NAT on both sides.";
}

/* The user or URI of a From/To, "?" when absent. */
static const char *
who(const struct sc_nameaddr *na)
{
	return na->user ? na->user : na->uri ? na->uri : "?";
}

/* @s at @w; returns the end (a literal's copy is inlined) */
static inline char *
append(char *w, struct sc_str s)
{
	memcpy(w, s.p, s.len);
	return w + s.len;
}

static void
summary(struct vctx *v, const char *outcome)
{
	struct sc__cctx *x = &v->x;
	const struct sc_call *c = x->call;
	const struct sc_msg *req =
	        v->a->first_txn < c->ntxns
	                ? sc__first_request(c, &c->txns[v->a->first_txn])
	                : NULL;
	/* an attempt names its own parties (a REGISTER's are not the
	 * INVITE's that shares its Call-ID) */
	const struct sc_str k = sc_str_from_cstr(kind(v->a)),
	                    from = sc_str_from_cstr(req ? who(&req->from)
	                                                : party(&c->from)),
	                    to = sc_str_from_cstr(req ? who(&req->to)
	                                              : party(&c->to)),
	                    out = sc_str_from_cstr(outcome);
	char *s, *w;

	/* "%s from %s to %s %s.", written out: every call has one */
	s = w = malloc(k.len + from.len + to.len + out.len +
	               sizeof(" from  to  ."));
	if (s) {
		w = append(w, k);
		w = append(w, SC_STR_LIT(" from "));
		w = append(w, from);
		w = append(w, SC_STR_LIT(" to "));
		w = append(w, to);
		w = append(w, SC_STR_LIT(" "));
		w = append(w, out);
		w = append(w, SC_STR_LIT("."));
		*w = 0;
	}
	x->out->outcome = sc__own_take(x, OWN_SUMMARY, s);
}

/* The reason phrase @reason of a response with code @code, kept for
 * after its message is gone: the knowledge base's own words when they
 * are the same (the usual case), else a copy. */
static const char *
keep_reason(struct sc__cctx *x, int code, const char *reason)
{
	const struct sc_status_info *info = sc_kb_status(code, NULL);

	if (info && strcmp(info->reason, reason) == 0)
		return info->reason;
	return sc__own(x, OWN_REASON, "%s", reason);
}

/* Copy the explanation @ann of a response into the verdict. */
static void
take_annotation(struct sc__cctx *x, const struct sc_explain *ann)
{
	struct sc_explain *v = x->out;

	/* it may hold the caller's response's words; every field is
	 * written below */
	sc__explain_release(v);
	*v = *ann;
	memset(v->owned_, 0, sizeof(v->owned_));
	v->root = NULL;
	v->evidence = NULL;
	v->nevidence = 0;
	for (size_t i = 0; i < ann->nevidence; i++)
		sc__evidence(x, "%s", ann->evidence[i]);
	/* the annotation and its message go away with summarising: keep
	 * the words they own (a cause is otherwise the knowledge base's
	 * or a rule's, static) */
	if (v->cause && v->cause == ann->owned_[OWN_CAUSE])
		v->cause = sc__own(x, OWN_CAUSE, "%s", v->cause);
	if (v->reason)
		v->reason = keep_reason(x, v->code, v->reason);
	v->outcome = NULL;
}

static void
set_root(struct sc__cctx *x, const struct sc_txn *r, const struct sc_msg *m,
         uint32_t msg_index)
{
	struct sc_root_cause *root = x->out->root;

	if (!root)
		root = x->out->root = calloc(1, sizeof(*root));
	if (!root) {
		x->oom = true;
		return;
	}
	root->code = r->final_code;
	root->reason = m && !m->is_request && m->reason_phrase
	                       ? sc__own(x, OWN_ROOT, "%s", m->reason_phrase)
	                       : NULL;
	root->frame = m ? m->frame : 0;
	if (m) {
		root->src = m->src;
		root->dst = m->dst;
	}
	root->hop =
	        msg_index < x->call->nmsgs ? x->call->msgs[msg_index].hop : 0;
}

/*
 * The failure originated on another hop: explain it by the response
 * that started it (or the silence of the next hop), keeping the code
 * the caller saw. RFC 3261 16.7: a proxy relays the best response of its
 * branches, or makes its own (408, 500) when they fail it.
 */
static void
apply_root(struct vctx *v, const struct sc_txn *d)
{
	struct sc__cctx *x = &v->x;
	const struct sc_call *c = x->call;
	const struct sc_txn *r;
	const struct sc_msg *m;
	char dst[SC_ENDPOINT_STRLEN];
	uint32_t mi;

	if (v->a->root_txn >= c->ntxns)
		return;
	r = &c->txns[v->a->root_txn];
	mi = r->final_code ? r->final_msg : r->first_msg;
	m = mi < c->nmsgs ? c->msgs[mi].msg : NULL;
	if (!m)
		return;
	if (r->final_code && sc_diagnosis_note(x->dx, mi)) {
		take_annotation(x, sc_diagnosis_note(x->dx, mi));
		set_root(x, r, m, mi);
		x->out->code = d->final_code;
		x->out->reason = sc__own(
		        x, OWN_REASON, "%s",
		        sc__or_dash(c->final_reason && v->ai == c->headline
		                            ? c->final_reason
		                            : v->a->final_reason));
		sc__evidence(x,
		             "the caller got %d; it started as %d %s from %s "
		             "(hop %u, frame %" PRIu64 ")",
		             d->final_code, r->final_code,
		             sc__or_dash(m->reason_phrase),
		             sc_endpoint_format(&m->src, dst, sizeof(dst)),
		             x->out->root ? x->out->root->hop : 0, m->frame);
		return;
	}
	set_root(x, r, m, mi);
	x->out->rule = RULE(TIMEOUT_DOWNSTREAM);
	x->out->cat = SC_CAT_TIMEOUT;
	sc__evidence(x,
	             "the %s forwarded to %s (hop %u, frame %" PRIu64
	             ") was sent %" PRIu32 " %s and never answered",
	             r->method_name,
	             sc_endpoint_format(&m->dst, dst, sizeof(dst)),
	             x->out->root ? x->out->root->hop : 0, m->frame,
	             r->request_sends, sc__times(r->request_sends));
	x->out->cause =
	        sc__own(x, OWN_CAUSE,
	                "The next hop (%s) never answered the forwarded "
	                "%s; the %d came from the element in front of "
	                "it.",
	                dst, r->method_name, d->final_code);
	x->out->tip = "Check that the next hop is up and reachable from the "
	              "proxy (route, DNS, firewall, port).";
}

static void
verdict_pending(struct vctx *v, const struct sc_txn *t)
{
	struct sc__cctx *x = &v->x;

	x->out->cls = SC_CLASS_PROVISIONAL;
	x->out->cat = SC_CAT_OK;
	x->out->rule = RULE(IN_PROGRESS);
	x->out->meaning = "The capture ended before a final response.";
	if (t->first_ringing_ts) {
		sc__evidence(x,
		             "the far end answered with a provisional "
		             "response %.1f s after the request and no final "
		             "response followed in the capture",
		             sc__seconds(t->first_ringing_ts - t->first_ts));
		x->out->cause = "Still ringing or in early media when the "
		                "capture stopped: nothing wrong seen yet.";
	} else {
		x->out->cause = "Nothing wrong seen yet: the capture stopped "
		                "while the request was pending.";
	}
	summary(v, "was still in progress when the capture ended");
}

/* "the %s hung up after %.1f s%s", joined: nearly every answered call
 * has it */
static void
hangup_evidence(struct sc__cctx *x, const struct sc_txn *t)
{
	const struct sc_call *c = x->call;
	char tenths[SC__TENTHS_MAX];
	const struct sc_str parts[] = {
		c->ended_by == SC_SIDE_CALLER
		        ? SC_STR_LIT("the caller hung up after ")
		        : SC_STR_LIT("the callee hung up after "),
		sc__tenths(tenths, sc__seconds(c->end_ts - t->final_ts)),
		c->bye_accepted
		        ? SC_STR_LIT(" s")
		        : SC_STR_LIT(" s (no answer to the BYE captured)"),
	};

	sc__evidence_join(x, parts, SC_COUNTOF(parts));
}

/* Who ended an answered call, and why (RFC 3326 Reason). */
static void
answered_evidence(struct vctx *v, const struct sc_txn *t)
{
	struct sc__cctx *x = &v->x;
	const struct sc_call *c = x->call;
	const struct sc_end_reason *r = &c->end_reason;

	if (!t->acked && t->final_code)
		sc__evidence(x,
		             "the ACK for the %d was not captured (the 2xx "
		             "was not resent, so it most likely arrived)",
		             t->final_code);
	if (v->ai != c->headline || c->ended_by == SC_SIDE_NONE)
		return;
	hangup_evidence(x, t);
	if (r->q850 > 0) {
		const struct sc_q850_info *q = sc_kb_q850(r->q850);

		sc__evidence(x, "BYE Reason: Q.850 cause %d (%s)%s%s", r->q850,
		             q ? q->name : "unassigned", r->text ? ": " : "",
		             r->text ? r->text : "");
	} else if (r->sip_cause > 0) {
		sc__evidence(x, "BYE Reason: SIP cause %d", r->sip_cause);
	}
}

static void
verdict_success(struct vctx *v, const struct sc_txn *t)
{
	struct sc__cctx *x = &v->x;
	char outcome[160];

	x->out->rule = RULE(OK_COMPLETED);
	x->out->cat = SC_CAT_OK;
	switch (v->a->state) {
	case SC_CALL_ANSWERED:
		x->out->rule = RULE(OK_ANSWERED);
		x->out->cause = "The call was answered.";
		answered_evidence(v, t);
		summary(v, "was answered");
		return;
	case SC_CALL_REGISTERED:
		x->out->cause = "The registration was accepted.";
		break;
	case SC_CALL_UNREGISTERED:
		x->out->cause = "The registration was removed.";
		break;
	default:
		x->out->cause = "The request succeeded.";
		break;
	}
	snprintf(outcome, sizeof(outcome), "succeeded with %d %s",
	         t->final_code, sc__or_dash(v->a->final_reason));
	summary(v, outcome);
}

static void
verdict_final(struct vctx *v, const struct sc_txn *t)
{
	struct sc__cctx *x = &v->x;
	const struct sc_explain *fin = sc_diagnosis_note(x->dx, t->final_msg);
	char outcome[160];

	if (fin)
		take_annotation(x, fin);
	else
		sc__explain_code(x->out, t->final_code, v->a->final_reason);
	switch (v->a->state) {
	case SC_CALL_ANSWERED_NO_ACK:
		verdict_no_ack(x, t);
		summary(v, "was answered but never acknowledged");
		return;
	case SC_CALL_ANSWERED:
	case SC_CALL_REGISTERED:
	case SC_CALL_UNREGISTERED:
	case SC_CALL_COMPLETED:
		verdict_success(v, t);
		return;
	default:
		break;
	}
	apply_root(v, t);
	if (v->a->state == SC_CALL_CANCELLED) {
		/* whatever the code, the caller gave up */
		x->out->cat = SC_CAT_CANCELLED;
		summary(v, "was cancelled");
		return;
	}
	snprintf(outcome, sizeof(outcome), "failed with %d %s", t->final_code,
	         sc__or_dash(v->a->final_reason));
	summary(v, outcome);
}

/* A CANCEL whose INVITE was not captured: was it answered? */
static void
cancel_evidence(struct sc__cctx *x, const struct sc_txn *cancel)
{
	if (cancel->final_code)
		sc__evidence(x, "CANCEL (CSeq %" PRIu32 ") answered with %d",
		             cancel->cseq, cancel->final_code);
	else
		sc__evidence(x,
		             "CANCEL (CSeq %" PRIu32 ") sent %" PRIu32 " %s "
		             "and never answered",
		             cancel->cseq, cancel->request_sends,
		             sc__times(cancel->request_sends));
}

/* Give attempt @ai its verdict in @out. */
bool
sc__verdict(const struct sc_diagnosis *d, size_t ai,
            const struct sc_classify_env *env, struct sc_explain *out)
{
	const struct sc_call *c = d->call;
	struct vctx v;
	struct sc__cctx *x = &v.x;
	const struct sc_txn *t;

	memset(&v, 0, sizeof(v));
	v.ai = ai;
	v.a = &c->attempts[ai];
	t = sc_attempt_deciding_txn(c, v.a);
	x->call = c;
	x->dx = d;
	x->env = env;
	x->out = out;
	x->txn = t;
	x->req = sc__first_request(c, t);
	if (!t && v.a->state == SC_CALL_CANCELLED) {
		out->cat = SC_CAT_CANCELLED;
		out->cls = SC_CLASS_PROVISIONAL;
		out->rule = RULE(CANCEL_BEFORE_CAPTURE);
		out->meaning = "A CANCEL for an INVITE sent before the capture "
		               "started.";
		out->cause = "The caller gave up on a call set up before the "
		             "capture began.";
		cancel_evidence(x, &c->txns[v.a->first_txn]);
		summary(&v, "was cancelled");
	} else if (!t || v.a->state == SC_CALL_MID_DIALOG) {
		out->cat = SC_CAT_OK;
		out->cls = SC_CLASS_SUCCESS;
		out->rule = RULE(MID_DIALOG);
		out->meaning = "The capture holds only in-dialog messages: the "
		               "call was set up before it started.";
		out->cause = "The capture started after the call was set up.";
		summary(&v, "was already established when the capture began");
	} else if (t->final_code == 0 && v.a->state == SC_CALL_ANSWERED) {
		sc__explain_code(out, 200, NULL);
		sc__success_meaning(out, t->method);
		out->code = 0;
		sc__evidence(x,
		             "no 2xx captured, but the %s shows the call was "
		             "answered",
		             t->acked ? "ACK for a 2xx" : "accepted BYE");
		verdict_success(&v, t);
	} else if (t->final_code == 0 && c->nevents == 0 &&
	           v.a->state == SC_CALL_IN_PROGRESS) {
		verdict_pending(&v, t);
	} else if (t->final_code == 0) {
		verdict_no_response(&v, t);
		summary(&v, "got no final response");
	} else {
		verdict_final(&v, t);
	}
	return !x->oom;
}
