/* rules.c - the response rules and the order they are tried in
 *
 * Each rule looks at one response in the context of its call (struct
 * sc__cctx) and, when it applies, names the cause and cites the facts it
 * used as evidence. annotate.c tries them in the order of
 * sc__response_rules; the first that matches explains the response.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "classify_impl.h"
#include "sipcause/util/addr.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/util/str.h"

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
is_reinvite(const struct sc__cctx *x)
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
		                 used ? "; " : "", sc__or_dash(md->type),
		                 sc__or_dash(md->codecs));

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* ---- response rules ---- */

static bool
rule_auth_challenge(struct sc__cctx *x)
{
	int code = x->resp->status;
	const struct sc_txn *retry;

	if (code != 401 && code != 407)
		return false;
	retry = retry_with_credentials(x->call, x->txn);
	if (!retry)
		return false;
	sc__evidence(x,
	             "%d challenge for realm \"%s\" answered by a %s with "
	             "credentials (CSeq %" PRIu32 ")",
	             code, sc__or_dash(x->resp->challenge_realm),
	             retry->method_name, retry->cseq);
	x->out->cause = "A normal authentication challenge, answered with "
	                "credentials: not a failure.";
	x->out->tip = "Nothing to do unless the retry failed too.";
	return true;
}

static bool
rule_auth_rejected(struct sc__cctx *x)
{
	int code = x->resp->status;

	if ((code != 401 && code != 407 && code != 403) ||
	    !x->txn->has_credentials)
		return false;
	sc__evidence(x,
	             "the %s already carried credentials: user \"%s\", "
	             "realm \"%s\"",
	             sc__req_method(x),
	             sc__or_dash(x->req ? x->req->auth_user : NULL),
	             sc__or_dash(x->req ? x->req->auth_realm : NULL));
	if (x->resp->challenge_realm)
		sc__evidence(x, "the server challenges again for realm \"%s\"",
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
rule_cancel_caller(struct sc__cctx *x)
{
	const struct sc_txn *cancel;
	const struct sc_txn *t = x->txn;

	if (x->resp->status != 487)
		return false;
	cancel = cancel_of(x->call, t);
	if (!cancel)
		return false;
	if (t->first_ringing_ts)
		sc__evidence(
		        x,
		        "the caller sent CANCEL %.1f s after the INVITE, "
		        "after %.1f s of ringing",
		        sc__seconds(cancel->first_ts - t->first_ts),
		        sc__seconds(cancel->first_ts - t->first_ringing_ts));
	else
		sc__evidence(x,
		             "the caller sent CANCEL %.1f s after the INVITE, "
		             "before any ringing",
		             sc__seconds(cancel->first_ts - t->first_ts));
	x->out->cause =
	        sc__own(x, OWN_CAUSE,
	                "The caller gave up after %.1f s, before the call "
	                "was answered (normal).",
	                sc__seconds(cancel->first_ts - t->first_ts));
	x->out->tip = "Normal unless callers complain; if CANCELs come from "
	              "equipment rather than people, check its timers.";
	return true;
}

static bool
rule_cancel_upstream(struct sc__cctx *x)
{
	if (x->resp->status != 487)
		return false;
	sc__evidence(x,
	             "487 from %s with no CANCEL for this INVITE in the "
	             "capture",
	             x->resp->via_sent_by ? x->resp->via_sent_by
	                                  : "the callee");
	x->out->cause = "The INVITE was terminated by an element between the "
	                "capture points (or its CANCEL was not captured).";
	x->out->tip = "Capture on the other side of the proxy or SBC to see "
	              "who cancelled, and why.";
	return true;
}

static bool
rule_media(struct sc__cctx *x)
{
	int code = x->resp->status;
	char offered[256], answered[256];

	if (code != 488 && code != 606 && code != 415 && code != 580)
		return false;
	codecs(x->req, offered, sizeof(offered));
	codecs(x->resp, answered, sizeof(answered));
	if (offered[0])
		sc__evidence(x, "offered %s", offered);
	if (answered[0])
		sc__evidence(x, "the far end accepts %s", answered);
	if (x->resp->accept)
		sc__evidence(x, "Accept: %s", x->resp->accept);
	if (x->resp->warning_code > 0)
		sc__evidence(x, "Warning: %d %s \"%s\"", x->resp->warning_code,
		             sc__or_dash(x->resp->warning_agent),
		             sc__or_dash(x->resp->warning_text));
	if (code == 415) {
		sc__evidence(x, "the %s body was %s", sc__req_method(x),
		             sc__or_dash(x->req ? x->req->content_type : NULL));
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
rule_overload_retry_after(struct sc__cctx *x)
{
	if (x->resp->status != 503 || x->resp->retry_after < 0)
		return false;
	sc__evidence(x, "Retry-After: %" PRId64 " s", x->resp->retry_after);
	x->out->cause =
	        sc__own(x, OWN_CAUSE,
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
rule_trunk_access(struct sc__cctx *x)
{
	const struct sc_call *c = x->call;
	int code = x->resp->status;
	char from[SC_ADDR_STRLEN], to[SC_ADDR_STRLEN];

	if ((code != 403 && code != 503) || !x->req ||
	    x->txn->method != SC_METHOD_INVITE || x->txn->hops > 1 ||
	    !sc_addr_equal(&x->resp->src.addr, &x->req->dst.addr) ||
	    sc_addr_is_private(&x->req->dst.addr) || c->auth_challenges)
		return false;
	sc__evidence(x,
	             "%d came straight from %s, the first hop of the INVITE "
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

static const char *
vias(unsigned n)
{
	return n == 1 ? "header" : "headers";
}

static bool
rule_loop(struct sc__cctx *x)
{
	int code = x->resp->status;

	if (code != 482 && code != 483)
		return false;
	x->out->rule =
	        code == 483 ? RULE(LOOP_MAX_FORWARDS) : RULE(LOOP_DETECTED);
	if (x->req && x->req->max_forwards >= 0)
		sc__evidence(x, "the %s left with Max-Forwards %d",
		             sc__req_method(x), x->req->max_forwards);
	if (x->req)
		sc__evidence(x, "the %s carried %u Via %s", sc__req_method(x),
		             x->req->via_count, vias(x->req->via_count));
	sc__evidence(x, "the %d carried %u Via %s", code, x->resp->via_count,
	             vias(x->resp->via_count));
	x->out->cause = code == 483 ? "The request went through more hops "
	                              "than Max-Forwards allows: usually a "
	                              "routing loop."
	                            : "A proxy saw its own request come back: "
	                              "a routing loop.";
	return true;
}

static bool
rule_address_incomplete(struct sc__cctx *x)
{
	const char *user = x->req ? x->req->ruri_user : NULL;

	if (x->resp->status != 484)
		return false;
	if (user)
		sc__evidence(x, "dialled \"%s\" (%zu character%s)", user,
		             strlen(user), strlen(user) == 1 ? "" : "s");
	x->out->cause = "The dialled number is incomplete for the dial plan "
	                "(too few digits, or overlap dialling not supported).";
	return true;
}

/* A SUBSCRIBE to message-summary (RFC 3842) answered 404: the user has
 * no voicemail box there. */
static bool
no_mailbox(struct sc__cctx *x)
{
	const char *ev = x->req ? x->req->event : NULL;

	if (x->txn->method != SC_METHOD_SUBSCRIBE || !ev ||
	    !sc_str_caseeq_cstr(sc_str_from_cstr("message-summary"), ev))
		return false;
	sc__evidence(x, "SUBSCRIBE to the message-summary event of \"%s\"",
	             sc__or_dash(x->req->ruri_user));
	x->out->rule = RULE(NOT_FOUND_MAILBOX);
	x->out->cause =
	        sc__own(x, OWN_CAUSE,
	                "There is no voicemail mailbox for \"%s\" at this "
	                "server: the phone subscribes to message waiting "
	                "for a box that does not exist.",
	                sc__or_dash(x->req->ruri_user));
	x->out->tip = "Create the mailbox or turn off the phone's voicemail "
	              "subscription (MWI).";
	return true;
}

static bool
rule_not_found(struct sc__cctx *x)
{
	int code = x->resp->status;

	if (code != 404 && code != 604)
		return false;
	if (code == 404 && no_mailbox(x))
		return true;
	if (x->req)
		sc__evidence(x, "Request-URI %s (user \"%s\")",
		             sc__or_dash(x->req->ruri),
		             sc__or_dash(x->req->ruri_user));
	x->out->cause = sc__own(
	        x, OWN_CAUSE, "The %s \"%s\" does not exist %s.",
	        x->req && x->req->ruri_user ? "number or user" : "destination",
	        sc__or_dash(x->req ? x->req->ruri_user : NULL),
	        code == 604 ? "anywhere" : "at this server");
	return true;
}

static bool
rule_not_registered(struct sc__cctx *x)
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
		sc__evidence(x, "the REGISTER of \"%s\" %.1f s earlier got %d",
		             user, sc__seconds(at - reg->ts_ns), reg->code);
		x->out->cause = sc__own(x, OWN_CAUSE,
		                        "\"%s\" is not registered: its "
		                        "registration failed with %d.",
		                        user, reg->code);
		return true;
	}
	if (reg->expires >= 0 &&
	    reg->ts_ns + reg->expires * INT64_C(1000000000) < at) {
		sc__evidence(x,
		             "the registration of \"%s\" for %" PRId64
		             " s expired %.1f s before this call",
		             user, reg->expires,
		             sc__seconds(at - reg->ts_ns) -
		                     (double)reg->expires);
		x->out->cause =
		        sc__own(x, OWN_CAUSE,
		                "\"%s\" is not registered any more: its "
		                "registration expired.",
		                user);
		return true;
	}
	return false;
}

static bool
rule_session_timer(struct sc__cctx *x)
{
	if (x->resp->status != 422)
		return false;
	if (x->req && x->req->session_expires >= 0)
		sc__evidence(x, "the %s asked Session-Expires %" PRId64 " s",
		             sc__req_method(x), x->req->session_expires);
	if (x->resp->min_se >= 0)
		sc__evidence(x, "the server requires Min-SE %" PRId64 " s",
		             x->resp->min_se);
	x->out->cause = "The session timer asked for is shorter than the "
	                "server's minimum (Min-SE).";
	return true;
}

static bool
rule_interval_brief(struct sc__cctx *x)
{
	int64_t asked = -1;

	if (x->resp->status != 423)
		return false;
	if (x->req)
		asked = x->req->contact_expires >= 0 ? x->req->contact_expires
		                                     : x->req->expires;
	if (asked >= 0)
		sc__evidence(x, "the %s asked Expires %" PRId64 " s",
		             sc__req_method(x), asked);
	if (x->resp->min_expires >= 0)
		sc__evidence(x, "the server requires Min-Expires %" PRId64 " s",
		             x->resp->min_expires);
	x->out->cause = "The registration (or subscription) interval asked "
	                "for is shorter than the server accepts.";
	return true;
}

static bool
rule_glare(struct sc__cctx *x)
{
	if (x->resp->status != 491 || !is_reinvite(x))
		return false;
	sc__evidence(x,
	             "491 to a re-INVITE (CSeq %" PRIu32 ") in an "
	             "established dialog",
	             x->txn->cseq);
	x->out->cause = "Both sides sent a re-INVITE at the same time "
	                "(glare); one must back off and retry.";
	return true;
}

static bool
rule_dialog_gone(struct sc__cctx *x)
{
	if (x->resp->status != 481)
		return false;
	sc__evidence(x, "481 to %s (CSeq %" PRIu32 ")", sc__req_method(x),
	             x->txn->cseq);
	x->out->cause = "The request was for a dialog or transaction the far "
	                "end no longer has (already ended, restarted, or tags "
	                "rewritten on the way).";
	return true;
}

static bool
rule_no_answer(struct sc__cctx *x)
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
		sc__evidence(x, "it rang for %.1f s before the %d",
		             sc__seconds(x->resp->ts_ns - t->first_ringing_ts),
		             x->resp->status);
	else
		sc__evidence(x,
		             "%d came %.1f s after the INVITE, after a 100 "
		             "only",
		             x->resp->status,
		             sc__seconds(x->resp->ts_ns - t->first_ts));
	x->out->rule = RULE(TIMEOUT_NO_ANSWER);
	x->out->cause = "The callee was reached but nobody answered in time.";
	return true;
}

static bool
rule_q850(struct sc__cctx *x)
{
	const struct sc_q850_info *q;

	if (x->resp->q850_cause <= 0)
		return false;
	q = sc_kb_q850(x->resp->q850_cause);
	if (!q)
		return false;
	x->out->cause = sc__own(x, OWN_CAUSE,
	                        "The network reports Q.850 cause "
	                        "%d, %s: %s",
	                        q->cause, q->name, q->meaning);
	return true;
}

static bool
rule_retransmission(struct sc__cctx *x)
{
	const struct sc_txn *t = x->txn;

	if (t->request_sends < 2 || x->resp->status < 200)
		return false;
	sc__evidence(x,
	             "the %s was sent %" PRIu32 " times; this answer came "
	             "%.1f s after the first",
	             sc__req_method(x), t->request_sends,
	             sc__seconds(x->resp->ts_ns - t->first_ts));
	x->out->cause = sc__own(x, OWN_CAUSE,
	                        "%s The path is slow or lossy: "
	                        "the request needed %" PRIu32 " sends.",
	                        sc__or_dash(x->out->cause), t->request_sends);
	return true;
}

/* Order matters: the first rule that matches explains the response. The
 * rules that may explain a 2xx come last: a 2xx tries only those. */
const struct sc__rule sc__response_rules[] = {
	{ SC_RULE_AUTH_CHALLENGE, rule_auth_challenge, false },
	{ SC_RULE_AUTH_REJECTED, rule_auth_rejected, false },
	{ SC_RULE_CANCEL_CALLER_HANGUP, rule_cancel_caller, false },
	{ SC_RULE_CANCEL_UPSTREAM, rule_cancel_upstream, false },
	{ SC_RULE_MEDIA_NO_COMMON_CODEC, rule_media, false },
	{ SC_RULE_OVERLOAD_RETRY_AFTER, rule_overload_retry_after, false },
	{ SC_RULE_TRUNK_ACCESS, rule_trunk_access, false },
	{ SC_RULE_LOOP_MAX_FORWARDS, rule_loop, false }, /* or loop.detected */
	{ SC_RULE_ADDRESS_INCOMPLETE, rule_address_incomplete, false },
	{ SC_RULE_NOT_FOUND_NUMBER, rule_not_found, false },
	{ SC_RULE_UNAVAILABLE_NOT_REGISTERED, rule_not_registered, false },
	{ SC_RULE_SESSION_TIMER_TOO_SMALL, rule_session_timer, false },
	{ SC_RULE_REGISTER_INTERVAL_TOO_BRIEF, rule_interval_brief, false },
	{ SC_RULE_GLARE, rule_glare, false },
	{ SC_RULE_DIALOG_GONE, rule_dialog_gone, false },
	{ SC_RULE_TIMEOUT_NO_ANSWER, rule_no_answer, false },
	{ SC_RULE_Q850, rule_q850, true },
	{ SC_RULE_RETRANSMISSION, rule_retransmission, true },
};

const size_t sc__nresponse_rules = SC_COUNTOF(sc__response_rules);

/* Q.850 and retransmission (test_classify checks the flags agree) */
const size_t sc__first_success_rule = SC_COUNTOF(sc__response_rules) - 2;
