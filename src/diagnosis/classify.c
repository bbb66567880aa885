/* classify.c - explain each response and give each call a verdict
 *
 * Knowledge comes from kb.c; this file decides which piece applies in
 * the context of the call. Rules are tried in order and the first that
 * matches names the cause, citing the facts it used as evidence; when
 * none matches, the knowledge base's default cause for the code stands.
 * Nothing here formats output for a report.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/util/addr.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/evidence.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/util/str.h"

#define NS_PER_MS INT64_C(1000000)

/* Slots of sc_explain.owned_ for the texts built here. */
enum { OWN_CAUSE, OWN_SUMMARY, OWN_REASON, OWN_ROOT };

/* What a rule looks at. */
struct ctx {
	const struct sc_call *call;
	const struct sc_txn *txn;       /* the response's transaction */
	const struct sc_msg *req;       /* its first request, or NULL */
	const struct sc_msg *resp;      /* the response; NULL for a call */
	const struct sc_classify_env *env;
	struct sc_explain *out;
	bool oom;
};

/* ---- building explanations ---- */

static char *SC_PRINTF(1, 0)
vformat(const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *s;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* Add one fact from the capture to the explanation. */
static void SC_PRINTF(2, 3)
evidence(struct ctx *x, const char *fmt, ...)
{
	struct sc_explain *e = x->out;
	va_list ap;
	char *s, **v;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	v = s ? realloc(e->evidence, (e->nevidence + 2) * sizeof(*v)) : NULL;
	if (!v) {
		free(s);
		x->oom = true;
		return;
	}
	e->evidence = v;
	e->evidence[e->nevidence++] = s;
	e->evidence[e->nevidence] = NULL;
}

/* Set a built text in slot @slot and return it (NULL on ENOMEM). */
static const char *SC_PRINTF(3, 4)
own(struct ctx *x, int slot, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	if (!s)
		x->oom = true;
	free(x->out->owned_[slot]);
	x->out->owned_[slot] = s;
	return s;
}

static double
seconds(int64_t ns)
{
	return (double)ns / 1e9;
}

static bool
same_text(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* "1 time", "3 times" */
static const char *
times(uint64_t n)
{
	return n == 1 ? "time" : "times";
}

static const char *
or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

static const char *
req_method(const struct ctx *x)
{
	return x->req && x->req->method_name ? x->req->method_name
					     : x->txn ? x->txn->method_name
						      : "request";
}

/* Fill @e with what the knowledge base says about @code. */
static void
explain_code(struct sc_explain *e, int code, const char *reason)
{
	bool unknown = false;
	const struct sc_status_info *info = sc_kb_status(code, &unknown);

	e->code = code;
	e->reason = reason;
	e->unknown_code = unknown;
	e->q850 = sc_kb_sip_to_q850(code);
	e->rule = "code.default";
	if (!info) {
		e->cls = SC_CLASS_VENDOR;
		e->cat = SC_CAT_UNKNOWN;
		return;
	}
	if (!e->reason)
		e->reason = info->reason;
	e->cls = unknown ? sc_kb_class_of(code) : info->cls;
	e->cat = unknown ? SC_CAT_UNKNOWN : info->cat;
	e->meaning = info->meaning;
	e->cause = info->cause;
	e->tip = info->tip;
	/* the method is not allowed: out-of-state signalling, not policy */
	if (code == 405)
		e->cat = SC_CAT_PROTOCOL;
}

/* What a 2xx means for a request other than INVITE (the knowledge base
 * speaks of the INVITE's ACK). */
static void
success_meaning(struct sc_explain *e, enum sc_method m)
{
	if (e->code < 200 || e->code >= 300 || m == SC_METHOD_INVITE)
		return;
	switch (m) {
	case SC_METHOD_REGISTER:
		e->meaning = "The registrar accepted the REGISTER.";
		break;
	case SC_METHOD_BYE:
		e->meaning = "The far end accepted the BYE: the dialog is "
			     "over.";
		break;
	case SC_METHOD_CANCEL:
		e->meaning = "The CANCEL was accepted; the INVITE itself "
			     "ends with its own final response (487).";
		break;
	default:
		e->meaning = "The request succeeded.";
		break;
	}
}

/* ---- facts about the call ---- */

static const struct sc_msg *
first_request(const struct sc_call *c, const struct sc_txn *t)
{
	return t && t->first_msg < c->nmsgs ? c->msgs[t->first_msg].msg
					    : NULL;
}

/* A later initial request of the same attempt carrying credentials
 * (scanners and some phones retry with the same CSeq). */
static const struct sc_txn *
retry_with_credentials(const struct sc_call *c, const struct sc_txn *t)
{
	for (size_t i = (size_t)(t - c->txns) + 1; i < c->ntxns; i++) {
		const struct sc_txn *r = &c->txns[i];

		if (r->method == t->method && r->attempt == t->attempt &&
		    r->leader == i && !r->in_dialog && r->has_credentials)
			return r;
	}
	return NULL;
}

static const struct sc_txn *
cancel_of(const struct sc_call *c, const struct sc_txn *t)
{
	size_t idx = (size_t)(t - c->txns);

	for (size_t i = 0; i < c->ntxns; i++)
		if (c->txns[i].method == SC_METHOD_CANCEL &&
		    c->txns[i].cancels == idx)
			return &c->txns[i];
	return NULL;
}

static bool
is_reinvite(const struct ctx *x)
{
	return x->txn && x->txn->method == SC_METHOD_INVITE &&
	       ((x->req && x->req->to.tag) || x->txn->in_dialog);
}

/* Codecs offered in every m= line of @m's SDP, "PCMU/8000 ...". */
static void
codecs(const struct sc_msg *m, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	if (!m || !m->sdp)
		return;
	for (size_t i = 0; i < m->sdp->nmedia && used < len; i++) {
		const struct sc_sdp_media *md = &m->sdp->media[i];
		int n = snprintf(buf + used, len - used, "%s%s: %s",
				 used ? "; " : "", or_dash(md->type),
				 or_dash(md->codecs));

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* ---- response rules ---- */

static bool
rule_auth_challenge(struct ctx *x)
{
	int code = x->resp->status;
	const struct sc_txn *retry;

	if (code != 401 && code != 407)
		return false;
	retry = retry_with_credentials(x->call, x->txn);
	if (!retry)
		return false;
	evidence(x, "%d challenge for realm \"%s\" answered by a %s with "
		    "credentials (CSeq %" PRIu32 ")",
		 code, or_dash(x->resp->challenge_realm), retry->method_name,
		 retry->cseq);
	x->out->cause = "A normal authentication challenge, answered with "
			"credentials: not a failure.";
	x->out->tip = "Nothing to do unless the retry failed too.";
	return true;
}

static bool
rule_auth_rejected(struct ctx *x)
{
	int code = x->resp->status;

	if ((code != 401 && code != 407 && code != 403) ||
	    !x->txn->has_credentials)
		return false;
	evidence(x, "the %s already carried credentials: user \"%s\", "
		    "realm \"%s\"",
		 req_method(x), or_dash(x->req ? x->req->auth_user : NULL),
		 or_dash(x->req ? x->req->auth_realm : NULL));
	if (x->resp->challenge_realm)
		evidence(x, "the server challenges again for realm \"%s\"",
			 x->resp->challenge_realm);
	x->out->cat = SC_CAT_AUTH;
	x->out->cause = "The credentials were refused: wrong user name or "
			"password for this realm, or the account may not use "
			"this service.";
	x->out->tip = "Check the user name, password and realm configured on "
		      "the client against the server's account.";
	return true;
}

static bool
rule_cancel_caller(struct ctx *x)
{
	const struct sc_txn *cancel;
	const struct sc_txn *t = x->txn;

	if (x->resp->status != 487)
		return false;
	cancel = cancel_of(x->call, t);
	if (!cancel)
		return false;
	if (t->first_ringing_ts)
		evidence(x, "the caller sent CANCEL %.1f s after the INVITE, "
			    "after %.1f s of ringing",
			 seconds(cancel->first_ts - t->first_ts),
			 seconds(cancel->first_ts - t->first_ringing_ts));
	else
		evidence(x, "the caller sent CANCEL %.1f s after the INVITE, "
			    "before any ringing",
			 seconds(cancel->first_ts - t->first_ts));
	x->out->cause = own(x, OWN_CAUSE,
			    "The caller gave up after %.1f s, before the call "
			    "was answered (normal).",
			    seconds(cancel->first_ts - t->first_ts));
	x->out->tip = "Normal unless callers complain; if CANCELs come from "
		      "equipment rather than people, check its timers.";
	return true;
}

static bool
rule_cancel_upstream(struct ctx *x)
{
	if (x->resp->status != 487)
		return false;
	evidence(x, "487 from %s with no CANCEL for this INVITE in the "
		    "capture",
		 x->resp->via_sent_by ? x->resp->via_sent_by : "the callee");
	x->out->cause = "The INVITE was terminated by an element between the "
			"capture points (or its CANCEL was not captured).";
	x->out->tip = "Capture on the other side of the proxy or SBC to see "
		      "who cancelled, and why.";
	return true;
}

static bool
rule_media(struct ctx *x)
{
	int code = x->resp->status;
	char offered[256], answered[256];

	if (code != 488 && code != 606 && code != 415 && code != 580)
		return false;
	codecs(x->req, offered, sizeof(offered));
	codecs(x->resp, answered, sizeof(answered));
	if (offered[0])
		evidence(x, "offered %s", offered);
	if (answered[0])
		evidence(x, "the far end accepts %s", answered);
	if (x->resp->accept)
		evidence(x, "Accept: %s", x->resp->accept);
	if (x->resp->warning_code > 0)
		evidence(x, "Warning: %d %s \"%s\"", x->resp->warning_code,
			 or_dash(x->resp->warning_agent),
			 or_dash(x->resp->warning_text));
	if (code == 415) {
		evidence(x, "the %s body was %s", req_method(x),
			 or_dash(x->req ? x->req->content_type : NULL));
		x->out->cause = "The request body's type is not accepted by "
				"the far end.";
	} else if (code == 580) {
		x->out->cause = "The session preconditions (resource "
				"reservation, QoS) could not be met.";
	} else if (offered[0] && answered[0]) {
		x->out->cause = "No common codec: nothing in the offer is "
				"acceptable to the far end.";
	} else {
		x->out->cause = "The session description was not acceptable "
				"(codecs, media types, transport or "
				"encryption).";
	}
	return true;
}

static bool
rule_overload_retry_after(struct ctx *x)
{
	if (x->resp->status != 503 || x->resp->retry_after < 0)
		return false;
	evidence(x, "Retry-After: %" PRId64 " s", x->resp->retry_after);
	x->out->cause = own(x, OWN_CAUSE,
			    "The server is overloaded or in maintenance and "
			    "asks to retry after %" PRId64 " s.",
			    x->resp->retry_after);
	return true;
}

/*
 * A 403 or 503 that the very first element the INVITE reached sent
 * back, when that element is on the public side: a carrier trunk
 * refusing a customer's traffic (seed 000's turn-up checklist).
 */
static bool
rule_trunk_access(struct ctx *x)
{
	const struct sc_call *c = x->call;
	int code = x->resp->status;
	char from[SC_ADDR_STRLEN], to[SC_ADDR_STRLEN];

	if ((code != 403 && code != 503) || !x->req ||
	    x->txn->method != SC_METHOD_INVITE || x->txn->hops > 1 ||
	    !sc_addr_equal(&x->resp->src.addr, &x->req->dst.addr) ||
	    sc_addr_is_private(&x->req->dst.addr) || c->auth_challenges)
		return false;
	evidence(x, "%d came straight from %s, the first hop of the INVITE "
		    "sent by %s",
		 code, sc_addr_format(&x->req->dst.addr, to, sizeof(to)),
		 sc_addr_format(&x->req->src.addr, from, sizeof(from)));
	x->out->cause = "The carrier refuses the trunk's calls: the source IP "
			"is not in its allow-list (changes can take about two "
			"hours to apply), the account is inactive or its "
			"contract not accepted, the balance is empty, or the "
			"dialled number does not follow the dial plan.";
	x->out->tip = "Check the allowed IPs, account status, balance and "
		      "number format in the carrier's portal; if all are "
		      "right, open a ticket with this trace.";
	return true;
}

static bool
rule_loop(struct ctx *x)
{
	int code = x->resp->status;

	if (code != 482 && code != 483)
		return false;
	x->out->rule = code == 483 ? "loop.max-forwards" : "loop.detected";
	if (x->req && x->req->max_forwards >= 0)
		evidence(x, "the %s left with Max-Forwards %d",
			 req_method(x), x->req->max_forwards);
	if (x->req)
		evidence(x, "the %s carried %u Via headers", req_method(x),
			 x->req->via_count);
	evidence(x, "the %d carried %u Via headers", code,
		 x->resp->via_count);
	x->out->cause = code == 483 ? "The request went through more hops "
				      "than Max-Forwards allows: usually a "
				      "routing loop."
				    : "A proxy saw its own request come back: "
				      "a routing loop.";
	return true;
}

static bool
rule_address_incomplete(struct ctx *x)
{
	const char *user = x->req ? x->req->ruri_user : NULL;

	if (x->resp->status != 484)
		return false;
	if (user)
		evidence(x, "dialled \"%s\" (%zu characters)", user,
			 strlen(user));
	x->out->cause = "The dialled number is incomplete for the dial plan "
			"(too few digits, or overlap dialling not supported).";
	return true;
}

/* A SUBSCRIBE to message-summary (RFC 3842) answered 404: the user has
 * no voicemail box there. */
static bool
no_mailbox(struct ctx *x)
{
	const char *ev = x->req ? x->req->event : NULL;

	if (x->txn->method != SC_METHOD_SUBSCRIBE || !ev ||
	    !sc_str_caseeq_cstr(sc_str_from_cstr("message-summary"), ev))
		return false;
	evidence(x, "SUBSCRIBE to the message-summary event of \"%s\"",
		 or_dash(x->req->ruri_user));
	x->out->rule = "not-found.mailbox";
	x->out->cause = own(x, OWN_CAUSE,
			    "There is no voicemail mailbox for \"%s\" at this "
			    "server: the phone subscribes to message waiting "
			    "for a box that does not exist.",
			    or_dash(x->req->ruri_user));
	x->out->tip = "Create the mailbox or turn off the phone's voicemail "
		      "subscription (MWI).";
	return true;
}

static bool
rule_not_found(struct ctx *x)
{
	int code = x->resp->status;

	if (code != 404 && code != 604)
		return false;
	if (code == 404 && no_mailbox(x))
		return true;
	if (x->req)
		evidence(x, "Request-URI %s (user \"%s\")", or_dash(x->req->ruri),
			 or_dash(x->req->ruri_user));
	x->out->cause = own(x, OWN_CAUSE,
			    "The %s \"%s\" does not exist %s.",
			    x->req && x->req->ruri_user ? "number or user"
							: "destination",
			    or_dash(x->req ? x->req->ruri_user : NULL),
			    code == 604 ? "anywhere" : "at this server");
	return true;
}

static bool
rule_not_registered(struct ctx *x)
{
	const struct sc_registration *reg;
	const char *user = x->req ? x->req->ruri_user : NULL;
	int64_t at = x->resp->ts_ns;

	if (x->resp->status != 480 || !x->env || !x->env->registration)
		return false;
	reg = user ? x->env->registration(x->env->ctx, user) : NULL;
	if (!reg && x->req && x->req->to.user) {
		user = x->req->to.user;
		reg = x->env->registration(x->env->ctx, user);
	}
	if (!reg || reg->ts_ns > at)
		return false;
	if (reg->code >= 300) {
		evidence(x, "the REGISTER of \"%s\" %.1f s earlier got %d",
			 user, seconds(at - reg->ts_ns), reg->code);
		x->out->cause = own(x, OWN_CAUSE,
				    "\"%s\" is not registered: its "
				    "registration failed with %d.",
				    user, reg->code);
		return true;
	}
	if (reg->expires >= 0 &&
	    reg->ts_ns + reg->expires * INT64_C(1000000000) < at) {
		evidence(x, "the registration of \"%s\" for %" PRId64
			    " s expired %.1f s before this call",
			 user, reg->expires,
			 seconds(at - reg->ts_ns) - (double)reg->expires);
		x->out->cause = own(x, OWN_CAUSE,
				    "\"%s\" is not registered any more: its "
				    "registration expired.",
				    user);
		return true;
	}
	return false;
}

static bool
rule_session_timer(struct ctx *x)
{
	if (x->resp->status != 422)
		return false;
	if (x->req && x->req->session_expires >= 0)
		evidence(x, "the %s asked Session-Expires %" PRId64 " s",
			 req_method(x), x->req->session_expires);
	if (x->resp->min_se >= 0)
		evidence(x, "the server requires Min-SE %" PRId64 " s",
			 x->resp->min_se);
	x->out->cause = "The session timer asked for is shorter than the "
			"server's minimum (Min-SE).";
	return true;
}

static bool
rule_interval_brief(struct ctx *x)
{
	int64_t asked = -1;

	if (x->resp->status != 423)
		return false;
	if (x->req)
		asked = x->req->contact_expires >= 0 ? x->req->contact_expires
						     : x->req->expires;
	if (asked >= 0)
		evidence(x, "the %s asked Expires %" PRId64 " s",
			 req_method(x), asked);
	if (x->resp->min_expires >= 0)
		evidence(x, "the server requires Min-Expires %" PRId64 " s",
			 x->resp->min_expires);
	x->out->cause = "The registration (or subscription) interval asked "
			"for is shorter than the server accepts.";
	return true;
}

static bool
rule_glare(struct ctx *x)
{
	if (x->resp->status != 491 || !is_reinvite(x))
		return false;
	evidence(x, "491 to a re-INVITE (CSeq %" PRIu32 ") in an "
		    "established dialog",
		 x->txn->cseq);
	x->out->cause = "Both sides sent a re-INVITE at the same time "
			"(glare); one must back off and retry.";
	return true;
}

static bool
rule_dialog_gone(struct ctx *x)
{
	if (x->resp->status != 481)
		return false;
	evidence(x, "481 to %s (CSeq %" PRIu32 ")", req_method(x),
		 x->txn->cseq);
	x->out->cause = "The request was for a dialog or transaction the far "
			"end no longer has (already ended, restarted, or tags "
			"rewritten on the way).";
	return true;
}

static bool
rule_no_answer(struct ctx *x)
{
	const struct sc_txn *t = x->txn;

	if (x->resp->status != 408 && x->resp->status != 480)
		return false;
	/* a 480 that says why (Q.850) is better explained by that */
	if (x->resp->status == 480 && x->resp->q850_cause > 0)
		return false;
	if (!t->first_provisional_ts || t->method != SC_METHOD_INVITE)
		return false;
	if (t->first_ringing_ts)
		evidence(x, "it rang for %.1f s before the %d",
			 seconds(x->resp->ts_ns - t->first_ringing_ts),
			 x->resp->status);
	else
		evidence(x, "%d came %.1f s after the INVITE, after a 100 "
			    "only",
			 x->resp->status,
			 seconds(x->resp->ts_ns - t->first_ts));
	x->out->rule = "timeout.no-answer";
	x->out->cause = "The callee was reached but nobody answered in time.";
	return true;
}

static bool
rule_q850(struct ctx *x)
{
	const struct sc_q850_info *q;

	if (x->resp->q850_cause <= 0)
		return false;
	q = sc_kb_q850(x->resp->q850_cause);
	if (!q)
		return false;
	x->out->cause = own(x, OWN_CAUSE, "The network reports Q.850 cause "
					  "%d, %s: %s",
			    q->cause, q->name, q->meaning);
	return true;
}

static bool
rule_retransmission(struct ctx *x)
{
	const struct sc_txn *t = x->txn;

	if (t->request_sends < 2 || x->resp->status < 200)
		return false;
	evidence(x, "the %s was sent %" PRIu32 " times; this answer came "
		    "%.1f s after the first",
		 req_method(x), t->request_sends,
		 seconds(x->resp->ts_ns - t->first_ts));
	x->out->cause = own(x, OWN_CAUSE, "%s The path is slow or lossy: "
					  "the request needed %" PRIu32
					  " sends.",
			    or_dash(x->out->cause), t->request_sends);
	return true;
}

struct rule {
	const char *id;
	bool (*match)(struct ctx *x);
};

/* Order matters: the first rule that matches explains the response. */
static const struct rule response_rules[] = {
	{ "auth.challenge", rule_auth_challenge },
	{ "auth.rejected", rule_auth_rejected },
	{ "cancel.caller-hangup", rule_cancel_caller },
	{ "cancel.upstream", rule_cancel_upstream },
	{ "media.no-common-codec", rule_media },
	{ "overload.retry-after", rule_overload_retry_after },
	{ "trunk.access", rule_trunk_access },
	{ "loop", rule_loop },   /* sets loop.max-forwards/loop.detected */
	{ "address.incomplete", rule_address_incomplete },
	{ "not-found.number", rule_not_found },
	{ "unavailable.not-registered", rule_not_registered },
	{ "session-timer.too-small", rule_session_timer },
	{ "register.interval-too-brief", rule_interval_brief },
	{ "glare", rule_glare },
	{ "dialog.gone", rule_dialog_gone },
	{ "timeout", rule_no_answer },   /* sets timeout.no-answer */
	{ "q850", rule_q850 },
	{ "retransmission", rule_retransmission },
};

const char *const sc_classify_rule_ids[] = {
	"auth.challenge", "auth.rejected", "cancel.caller-hangup",
	"cancel.upstream", "media.no-common-codec", "overload.retry-after",
	"trunk.access", "loop.max-forwards", "loop.detected",
	"address.incomplete", "not-found.number", "not-found.mailbox",
	"unavailable.not-registered", "session-timer.too-small",
	"register.interval-too-brief", "glare", "dialog.gone",
	"timeout.no-answer", "q850", "retransmission",
	"timeout.no-provisional", "timeout.downstream", "icmp.unreachable",
	"ack.missing", "nat.private-sdp", "fork.unanswered-branch",
	"fork.branch-failed",
	"bye.refused", "capture.duplicates", "retried", "mid-call",
	"ok.answered", "ok.completed", "in-progress", "cancel.before-capture",
	"mid-dialog", "code.default", NULL,
};

/* Facts every response gets, whatever rule explains it. */
static void
common_evidence(struct ctx *x)
{
	const struct sc_msg *r = x->resp;
	const struct sc_q850_info *q;

	if (r->q850_cause > 0 && strcmp(x->out->rule, "q850") != 0) {
		q = sc_kb_q850(r->q850_cause);
		evidence(x, "Reason: Q.850 cause %d (%s)", r->q850_cause,
			 q ? q->name : "unassigned");
	}
	if (r->warning_code > 0 &&
	    strcmp(x->out->rule, "media.no-common-codec") != 0) {
		const struct sc_warning_info *w = sc_kb_warning(r->warning_code);

		evidence(x, "Warning: %d %s \"%s\"%s%s", r->warning_code,
			 or_dash(r->warning_agent), or_dash(r->warning_text),
			 w ? " - " : "", w ? w->text : "");
	}
}

/* A later retry of @x's request in the same attempt, with the same user
 * name, got a 2xx: the credentials were right after all. */
static bool
accepted_later(const struct ctx *x)
{
	const struct sc_call *c = x->call;
	const char *user = x->req ? x->req->auth_user : NULL;

	for (size_t i = (size_t)(x->txn - c->txns) + 1; i < c->ntxns; i++) {
		const struct sc_txn *r = &c->txns[i];
		const struct sc_msg *req = first_request(c, r);

		if (r->attempt != x->txn->attempt ||
		    r->method != x->txn->method || r->in_dialog ||
		    r->final_code < 200 || r->final_code >= 300)
			continue;
		if (!user || (req && same_text(req->auth_user, user)))
			return true;
	}
	return false;
}

/*
 * What the headers around the response say (Warning, Reason, Retry-After,
 * Max-Forwards, challenge...): applied when @decisive matches the
 * strength of the cause it names. The cited facts become the evidence.
 */
static bool
rule_evidence(struct ctx *x, const struct sc_cause *cause, bool decisive)
{
	if (!cause->rule || cause->decisive != decisive)
		return false;
	x->out->rule = cause->rule;
	x->out->cat = cause->cat;
	x->out->cause = own(x, OWN_CAUSE, "%s", cause->cause);
	if (cause->q850)
		x->out->q850 = cause->q850;
	for (size_t i = 0; i < cause->nitems; i++)
		evidence(x, "%s", cause->items[i].text);
	return true;
}

static void
annotate(struct ctx *x)
{
	const struct sc_msg *r = x->resp;
	struct sc_response_facts facts;
	struct sc_warning_fact wbuf;
	struct sc_cause cause;

	explain_code(x->out, r->status, r->reason_phrase);
	success_meaning(x->out, x->txn->method);
	if (r->status >= 100 && r->status < 200)
		return;   /* provisional: the code says it all */
	sc_response_facts_from_msgs(&facts, x->req, r, &wbuf);
	facts.accepted_later = accepted_later(x);
	if (!sc_evidence_cause(&facts, &cause))
		cause.rule = NULL;
	if (rule_evidence(x, &cause, true))
		return;
	for (size_t i = 0; i < SC_COUNTOF(response_rules); i++) {
		const char *before = x->out->rule;

		x->out->rule = response_rules[i].id;
		if (response_rules[i].match(x)) {
			common_evidence(x);
			return;
		}
		x->out->rule = before;
	}
	if (rule_evidence(x, &cause, false))
		return;
	common_evidence(x);
}

/* ---- verdicts of attempts and calls ---- */

/* What a verdict looks at besides struct ctx. */
struct vctx {
	struct ctx x;
	size_t ai;                     /* the attempt */
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
verdict_icmp(struct ctx *x)
{
	const struct sc_call_event *e = &x->call->events[0];
	struct sc_response_facts f;
	struct sc_cause cause;
	char from[SC_ADDR_STRLEN];

	sc_addr_format(&e->from, from, sizeof(from));
	x->out->cls = SC_CLASS_PROVISIONAL;
	x->out->cat = SC_CAT_TIMEOUT;
	x->out->rule = "icmp.unreachable";
	x->out->meaning = "The network sent back an ICMP error for the "
			  "request.";
	evidence(x, "ICMP %s from %s (frame %" PRIu64 ")", or_dash(e->text),
		 from, e->frame);
	x->out->cause = own(x, OWN_CAUSE,
			    "The request could not be delivered: %s "
			    "(reported by %s).",
			    or_dash(e->text), from);
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
		x->out->cause = own(x, OWN_CAUSE, "%s", cause.cause);
	}
}

/* Nobody answered at all: routing, firewall, nothing listening. */
static void
verdict_no_response(struct vctx *v, const struct sc_txn *t)
{
	struct ctx *x = &v->x;
	const struct sc_call *c = x->call;
	const struct sc_msg *req = first_request(c, t);
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
		x->out->rule = "timeout.no-answer";
		x->out->meaning = "The request got a provisional response but "
				  "never a final one.";
		evidence(x, "first provisional response %.1f s after the "
			    "request; no final response in the next %.1f s",
			 seconds(t->first_provisional_ts - t->first_ts),
			 seconds(c->last_ts - t->first_provisional_ts));
		x->out->cause = "The destination was reached but the "
				"transaction never completed (nobody "
				"answered, or the final response was lost).";
		x->out->tip = "Look for the final response on the other side "
			      "of the proxy; check timers (Timer C) there.";
		return;
	}
	x->out->rule = "timeout.no-provisional";
	x->out->meaning = "The request never got any response.";
	evidence(x, "%s sent %" PRIu64 " %s over %.1f s to %s with no "
		    "response",
		 t->method_name, sends, times(sends),
		 seconds(last - v->a->first_ts),
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
verdict_no_ack(struct ctx *x, const struct sc_txn *t)
{
	const struct sc_call *c = x->call;

	x->out->rule = "ack.missing";
	x->out->cat = SC_CAT_PROTOCOL;
	x->out->meaning = "The call was answered but its ACK was never "
			  "seen.";
	if (t->final_sends > 1)
		evidence(x, "the 2xx was sent %" PRIu32 " times and never "
			    "acknowledged",
			 t->final_sends);
	if (c->ended_by != SC_SIDE_NONE)
		evidence(x, "BYE from the %s %.1f s after the answer",
			 c->ended_by == SC_SIDE_CALLEE ? "callee" : "caller",
			 seconds(c->end_ts - t->final_ts));
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

static void
summary(struct vctx *v, const char *outcome)
{
	struct ctx *x = &v->x;
	const struct sc_call *c = x->call;
	const struct sc_msg *req =
		v->a->first_txn < c->ntxns
			? first_request(c, &c->txns[v->a->first_txn])
			: NULL;

	/* an attempt names its own parties (a REGISTER's are not the
	 * INVITE's that shares its Call-ID) */
	x->out->summary = own(x, OWN_SUMMARY, "%s from %s to %s %s. %s",
			      kind(v->a),
			      req ? who(&req->from) : party(&c->from),
			      req ? who(&req->to) : party(&c->to), outcome,
			      or_dash(x->out->cause));
}

/* Copy the explanation @ann of a response into the verdict. */
static void
take_annotation(struct ctx *x, const struct sc_explain *ann)
{
	struct sc_explain *v = x->out;

	sc_explain_fini(v);   /* it may hold the caller's response's words */
	*v = *ann;
	memset(v->owned_, 0, sizeof(v->owned_));
	memset(&v->root, 0, sizeof(v->root));
	v->evidence = NULL;
	v->nevidence = 0;
	for (size_t i = 0; i < ann->nevidence; i++)
		evidence(x, "%s", ann->evidence[i]);
	/* the message goes away with summarising; keep its words */
	if (v->cause)
		v->cause = own(x, OWN_CAUSE, "%s", v->cause);
	if (v->reason)
		v->reason = own(x, OWN_REASON, "%s", v->reason);
	v->summary = NULL;
}

static void
set_root(struct ctx *x, const struct sc_txn *r, const struct sc_msg *m,
	 uint32_t msg_index)
{
	struct sc_root_cause *root = &x->out->root;

	root->present = true;
	root->code = r->final_code;
	root->reason = m && !m->is_request && m->reason_phrase
			       ? own(x, OWN_ROOT, "%s", m->reason_phrase)
			       : NULL;
	root->frame = m ? m->frame : 0;
	if (m) {
		root->src = m->src;
		root->dst = m->dst;
	}
	root->hop = msg_index < x->call->nmsgs ? x->call->msgs[msg_index].hop
					       : 0;
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
	struct ctx *x = &v->x;
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
	if (r->final_code && c->msgs[mi].ann) {
		take_annotation(x, c->msgs[mi].ann);
		set_root(x, r, m, mi);
		x->out->code = d->final_code;
		x->out->reason = own(x, OWN_REASON, "%s",
				     or_dash(c->final_reason && v->ai ==
							     c->headline
						     ? c->final_reason
						     : v->a->final_reason));
		evidence(x, "the caller got %d; it started as %d %s from %s "
			    "(hop %u, frame %" PRIu64 ")",
			 d->final_code, r->final_code,
			 or_dash(m->reason_phrase),
			 sc_endpoint_format(&m->src, dst, sizeof(dst)),
			 x->out->root.hop, m->frame);
		return;
	}
	set_root(x, r, m, mi);
	x->out->rule = "timeout.downstream";
	x->out->cat = SC_CAT_TIMEOUT;
	evidence(x, "the %s forwarded to %s (hop %u, frame %" PRIu64
		    ") was sent %" PRIu32 " %s and never answered",
		 r->method_name, sc_endpoint_format(&m->dst, dst, sizeof(dst)),
		 x->out->root.hop, m->frame, r->request_sends,
		 times(r->request_sends));
	x->out->cause = own(x, OWN_CAUSE,
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
	struct ctx *x = &v->x;

	x->out->cls = SC_CLASS_PROVISIONAL;
	x->out->cat = SC_CAT_OK;
	x->out->rule = "in-progress";
	x->out->meaning = "The capture ended before a final response.";
	if (t->first_ringing_ts) {
		evidence(x, "the far end answered with a provisional "
			    "response %.1f s after the request and no final "
			    "response followed in the capture",
			 seconds(t->first_ringing_ts - t->first_ts));
		x->out->cause = "Still ringing or in early media when the "
				"capture stopped: nothing wrong seen yet.";
	} else {
		x->out->cause = "Nothing wrong seen yet: the capture stopped "
				"while the request was pending.";
	}
	summary(v, "was still in progress when the capture ended");
}

/* Who ended an answered call, and why (RFC 3326 Reason). */
static void
answered_evidence(struct vctx *v, const struct sc_txn *t)
{
	struct ctx *x = &v->x;
	const struct sc_call *c = x->call;
	const struct sc_end_reason *r = &c->end_reason;

	if (!t->acked && t->final_code)
		evidence(x, "the ACK for the %d was not captured (the 2xx "
			    "was not resent, so it most likely arrived)",
			 t->final_code);
	if (v->ai != c->headline || c->ended_by == SC_SIDE_NONE)
		return;
	evidence(x, "the %s hung up after %.1f s%s",
		 c->ended_by == SC_SIDE_CALLER ? "caller" : "callee",
		 seconds(c->end_ts - t->final_ts),
		 c->bye_accepted ? "" : " (no answer to the BYE captured)");
	if (r->q850 > 0) {
		const struct sc_q850_info *q = sc_kb_q850(r->q850);

		evidence(x, "BYE Reason: Q.850 cause %d (%s)%s%s", r->q850,
			 q ? q->name : "unassigned", r->text ? ": " : "",
			 r->text ? r->text : "");
	} else if (r->sip_cause > 0) {
		evidence(x, "BYE Reason: SIP cause %d", r->sip_cause);
	}
}

static void
verdict_success(struct vctx *v, const struct sc_txn *t)
{
	struct ctx *x = &v->x;
	char outcome[160];

	x->out->rule = "ok.completed";
	x->out->cat = SC_CAT_OK;
	switch (v->a->state) {
	case SC_CALL_ANSWERED:
		x->out->rule = "ok.answered";
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
		 t->final_code, or_dash(v->a->final_reason));
	summary(v, outcome);
}

static void
verdict_final(struct vctx *v, const struct sc_txn *t)
{
	struct ctx *x = &v->x;
	const struct sc_call *c = x->call;
	const struct sc_callmsg *fin;
	char outcome[160];

	fin = t->final_msg < c->nmsgs ? &c->msgs[t->final_msg] : NULL;
	if (fin && fin->ann)
		take_annotation(x, fin->ann);
	else
		explain_code(x->out, t->final_code, v->a->final_reason);
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
	snprintf(outcome, sizeof(outcome), "failed with %d %s",
		 t->final_code, or_dash(v->a->final_reason));
	summary(v, outcome);
}

/* A CANCEL whose INVITE was not captured: was it answered? */
static void
cancel_evidence(struct ctx *x, const struct sc_txn *cancel)
{
	if (cancel->final_code)
		evidence(x, "CANCEL (CSeq %" PRIu32 ") answered with %d",
			 cancel->cseq, cancel->final_code);
	else
		evidence(x, "CANCEL (CSeq %" PRIu32 ") sent %" PRIu32 " %s "
			    "and never answered",
			 cancel->cseq, cancel->request_sends,
			 times(cancel->request_sends));
}

/* Give attempt @ai its verdict in @out. */
static bool
verdict(struct sc_call *c, size_t ai, const struct sc_classify_env *env,
	struct sc_explain *out)
{
	struct vctx v;
	struct ctx *x = &v.x;
	const struct sc_txn *t;

	memset(&v, 0, sizeof(v));
	v.ai = ai;
	v.a = &c->attempts[ai];
	t = sc_attempt_deciding_txn(c, v.a);
	x->call = c;
	x->env = env;
	x->out = out;
	x->txn = t;
	x->req = first_request(c, t);
	if (!t && v.a->state == SC_CALL_CANCELLED) {
		out->cat = SC_CAT_CANCELLED;
		out->cls = SC_CLASS_PROVISIONAL;
		out->rule = "cancel.before-capture";
		out->meaning = "A CANCEL for an INVITE sent before the capture "
			       "started.";
		out->cause = "The caller gave up on a call set up before the "
			     "capture began.";
		cancel_evidence(x, &c->txns[v.a->first_txn]);
		summary(&v, "was cancelled");
	} else if (!t || v.a->state == SC_CALL_MID_DIALOG) {
		out->cat = SC_CAT_OK;
		out->cls = SC_CLASS_SUCCESS;
		out->rule = "mid-dialog";
		out->meaning = "The capture holds only in-dialog messages: the "
			       "call was set up before it started.";
		out->cause = "The capture started after the call was set up.";
		summary(&v, "was already established when the capture began");
	} else if (t->final_code == 0 && v.a->state == SC_CALL_ANSWERED) {
		explain_code(out, 200, NULL);
		out->code = 0;
		evidence(x, "no 2xx captured, but the %s shows the call was "
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

/* The SDP of @m names a private address while @m comes from a public
 * one: media will go to an address the far end cannot reach. */
static bool
private_sdp(const struct sc_msg *m, char *addr, size_t len)
{
	struct sc_addr a;
	const char *conn;

	if (!m || !m->sdp || sc_addr_is_private(&m->src.addr))
		return false;
	conn = m->sdp->conn;
	if (!conn && m->sdp->nmedia)
		conn = m->sdp->media[0].conn;
	if (!conn || !sc_addr_parse(conn, strlen(conn), &a) ||
	    !sc_addr_is_private(&a))
		return false;
	snprintf(addr, len, "%s", conn);
	return true;
}

static void
add_finding(struct sc_call *c, bool *oom, const char *rule,
	    const char *fmt, ...) SC_PRINTF(4, 5);

static void
add_finding(struct sc_call *c, bool *oom, const char *rule,
	    const char *fmt, ...)
{
	struct sc_finding *v;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	v = s ? realloc(c->findings, (c->nfindings + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(s);
		*oom = true;
		return;
	}
	c->findings = v;
	c->findings[c->nfindings].rule = rule;
	c->findings[c->nfindings].text = s;
	c->nfindings++;
}

/* The annotation of transaction @t's final response, if kept. */
static const struct sc_explain *
final_annotation(const struct sc_call *c, const struct sc_txn *t)
{
	return t->final_msg < c->nmsgs ? c->msgs[t->final_msg].ann : NULL;
}

static void
nat_finding(struct sc_call *c, bool *oom)
{
	char addr[SC_ADDR_STRLEN], src[SC_ADDR_STRLEN];

	for (size_t i = 0; i < c->nmsgs; i++) {
		const struct sc_msg *m = c->msgs[i].msg;

		if (c->msgs[i].retransmission || c->msgs[i].duplicate ||
		    !private_sdp(m, addr, sizeof(addr)))
			continue;
		add_finding(c, oom, "nat.private-sdp",
			    "the SDP in %s %s (frame %" PRIu64 ") puts media "
			    "at private address %s while the message comes "
			    "from public %s: risk of one-way or no audio",
			    m->is_request ? "the" : "a",
			    m->is_request ? m->method_name : "response",
			    m->frame, addr,
			    sc_addr_format(&m->src.addr, src, sizeof(src)));
		return;
	}
}

/* Were the requests of @t and @u sent on the same hop? (A B2BUA that
 * keeps the Call-ID sends its own copy, with its own CSeq, elsewhere.) */
static bool
same_hop(const struct sc_call *c, const struct sc_txn *t,
	 const struct sc_txn *u)
{
	if (t->first_msg >= c->nmsgs || u->first_msg >= c->nmsgs)
		return true;
	return c->msgs[t->first_msg].hop == c->msgs[u->first_msg].hop;
}

/* The next request of the same attempt after @t that retries it: any
 * initial one; inside a dialog, one with credentials after a challenge
 * (RFC 3261 22.2 applies to in-dialog requests too). NULL if none. */
static const struct sc_txn *
next_retry(const struct sc_call *c, const struct sc_txn *t)
{
	bool challenged = t->final_code == 401 || t->final_code == 407;

	if (t->in_dialog && !challenged)
		return NULL;
	for (size_t i = (size_t)(t - c->txns) + 1; i < c->ntxns; i++) {
		const struct sc_txn *r = &c->txns[i];

		if (r->attempt != t->attempt || r->leader != i ||
		    r->in_dialog != t->in_dialog || r->method != t->method ||
		    !same_hop(c, t, r))
			continue;
		if (!t->in_dialog || r->has_credentials)
			return r;
	}
	return NULL;
}

/* A branch of an answered INVITE that failed or never answered (a
 * fork, a hunt group): the phone behind it may be busy or down. */
static void
branch_finding(struct sc_call *c, const struct sc_txn *t, bool *oom)
{
	const struct sc_txn *lead = &c->txns[t->leader];
	const struct sc_msg *req = first_request(c, t);
	const struct sc_msg *fin = t->final_msg < c->nmsgs
					   ? c->msgs[t->final_msg].msg
					   : NULL;
	char dst[SC_ENDPOINT_STRLEN];

	if (t->leader == (size_t)(t - c->txns) || !req ||
	    t->method != SC_METHOD_INVITE || lead->final_code < 200 ||
	    lead->final_code >= 300)
		return;
	sc_endpoint_format(&req->dst, dst, sizeof(dst));
	if (t->final_code >= 300 && t->final_code != 487 && fin)
		add_finding(c, oom, "fork.branch-failed",
			    "the INVITE forwarded to %s (frame %" PRIu64 ") "
			    "got %d %s (frame %" PRIu64 ") while another "
			    "branch answered",
			    dst, req->frame, t->final_code,
			    or_dash(fin->reason_phrase), fin->frame);
	else if (!t->final_code && !t->first_provisional_ts)
		add_finding(c, oom, "fork.unanswered-branch",
			    "the INVITE forwarded to %s (frame %" PRIu64 ") "
			    "was sent %" PRIu32 " %s and never answered while "
			    "the call was answered elsewhere",
			    dst, req->frame, t->request_sends,
			    times(t->request_sends));
}

static void
txn_finding(struct sc_call *c, const struct sc_txn *t, bool *oom)
{
	const struct sc_attempt *a = &c->attempts[t->attempt];
	const struct sc_txn *d = sc_attempt_deciding_txn(c, a);
	const struct sc_txn *retry;
	const struct sc_explain *ann;

	if (t->request_sends > 1 && t->final_code)
		add_finding(c, oom, "retransmission",
			    "%s (CSeq %" PRIu32 ") was sent %" PRIu32
			    " times before its %d",
			    t->method_name, t->cseq, t->request_sends,
			    t->final_code);
	branch_finding(c, t, oom);
	if (t->final_code < 300 || t->final_code == 487 || t == d ||
	    t->method == SC_METHOD_CANCEL ||
	    t->leader != (size_t)(t - c->txns))
		return;
	if (t->method == SC_METHOD_BYE)
		return;   /* bye.refused says it once */
	retry = next_retry(c, t);
	if (retry) {
		ann = final_annotation(c, t);
		add_finding(c, oom, ann && ann->rule ? ann->rule : "retried",
			    "%s (CSeq %" PRIu32 ") got %d and was retried "
			    "(CSeq %" PRIu32 ")",
			    t->method_name, t->cseq, t->final_code,
			    retry->cseq);
	} else if (t->in_dialog) {
		add_finding(c, oom, "mid-call",
			    "%s (CSeq %" PRIu32 ") inside the call "
			    "failed with %d",
			    t->method_name, t->cseq, t->final_code);
	}
}

/* Rules that hold beside the verdict. */
static void
findings(struct sc_call *c, bool *oom)
{
	nat_finding(c, oom);
	for (size_t i = 0; i < c->ntxns; i++)
		if (c->txns[i].attempt < c->nattempts)
			txn_finding(c, &c->txns[i], oom);
	if (c->bye_refused)
		add_finding(c, oom, "bye.refused",
			    "%" PRIu32 " BYE %s refused (first with %d): one "
			    "side no longer knew the dialog",
			    c->bye_refused,
			    c->bye_refused == 1 ? "was" : "were",
			    c->bye_refused_code);
	if (c->duplicates)
		add_finding(c, oom, "capture.duplicates",
			    "%zu %s seen twice within a few ms on the same "
			    "hop: mirror copies from the capture set-up, not "
			    "retransmissions",
			    c->duplicates,
			    c->duplicates == 1 ? "message was"
						: "messages were");
}

static enum sc_err
annotate_all(struct sc_call *c, const struct sc_classify_env *env)
{
	struct ctx x;

	for (size_t i = 0; i < c->nmsgs; i++) {
		struct sc_callmsg *cm = &c->msgs[i];

		if (!cm->msg || cm->msg->is_request || cm->ann)
			continue;
		cm->ann = calloc(1, sizeof(*cm->ann));
		if (!cm->ann)
			return SC_ENOMEM;
		memset(&x, 0, sizeof(x));
		x.call = c;
		x.env = env;
		x.out = cm->ann;
		x.resp = cm->msg;
		x.txn = cm->txn < c->ntxns ? &c->txns[cm->txn] : NULL;
		x.req = first_request(c, x.txn);
		if (!x.txn) {
			explain_code(cm->ann, cm->msg->status,
				     cm->msg->reason_phrase);
			continue;
		}
		annotate(&x);
		if (x.oom)
			return SC_ENOMEM;
	}
	return SC_OK;
}

enum sc_err
sc_classify_call(struct sc_call *c, const struct sc_classify_env *env)
{
	bool ok = true, oom = false;

	if (annotate_all(c, env) != SC_OK)
		return SC_ENOMEM;
	for (size_t i = 0; i < c->nattempts && ok; i++) {
		struct sc_attempt *a = &c->attempts[i];

		if (i != c->headline && !a->verdict) {
			a->verdict = calloc(1, sizeof(*a->verdict));
			if (!a->verdict)
				return SC_ENOMEM;
		}
		ok = verdict(c, i, env,
			     i == c->headline ? &c->verdict : a->verdict);
	}
	if (!c->nattempts) {
		c->verdict.rule = "mid-dialog";
		c->verdict.cat = SC_CAT_OK;
	}
	findings(c, &oom);
	c->classified = true;
	return ok && !oom ? SC_OK : SC_ENOMEM;
}
