/* annotate.c - explain one response: what its code means, and its most
 * likely cause in this capture
 *
 * Decisive evidence in the headers (evidence.c) wins; then the response
 * rules in their order (rules.c); then weaker evidence; else the
 * knowledge base's default cause for the code stands.
 */
#include "config.h"

#include <string.h>

#include "classify_impl.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/evidence.h"
#include "sipcause/diagnosis/kb.h"

static bool
same_text(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Facts every response gets, whatever rule explains it. */
static void
common_evidence(struct sc__cctx *x)
{
	const struct sc_msg *r = x->resp;
	const struct sc_q850_info *q;

	if (r->q850_cause > 0 && strcmp(x->out->rule, RULE(Q850)) != 0) {
		q = sc_kb_q850(r->q850_cause);
		sc__evidence(x, "Reason: Q.850 cause %d (%s)", r->q850_cause,
		             q ? q->name : "unassigned");
	}
	if (r->warning_code > 0 &&
	    strcmp(x->out->rule, RULE(MEDIA_NO_COMMON_CODEC)) != 0) {
		const struct sc_warning_info *w =
		        sc_kb_warning(r->warning_code);

		sc__evidence(x, "Warning: %d %s \"%s\"%s%s", r->warning_code,
		             sc__or_dash(r->warning_agent),
		             sc__or_dash(r->warning_text), w ? " - " : "",
		             w ? w->text : "");
	}
}

/* A later retry of @x's request in the same attempt, with the same user
 * name, got a 2xx: the credentials were right after all. */
static bool
accepted_later(const struct sc__cctx *x)
{
	const struct sc_call *c = x->call;
	const char *user = x->req ? x->req->auth_user : NULL;

	for (size_t i = (size_t)(x->txn - c->txns) + 1; i < c->ntxns; i++) {
		const struct sc_txn *r = &c->txns[i];
		const struct sc_msg *req = sc__first_request(c, r);

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
rule_evidence(struct sc__cctx *x, const struct sc_cause *cause, bool decisive)
{
	if (!cause->rule || cause->decisive != decisive)
		return false;
	x->out->rule = cause->rule;
	x->out->cat = cause->cat;
	x->out->cause = sc__own(x, OWN_CAUSE, "%s", cause->cause);
	if (cause->q850)
		x->out->q850 = cause->q850;
	for (size_t i = 0; i < cause->nitems; i++)
		sc__evidence(x, "%s", cause->items[i].text);
	return true;
}

void
sc__annotate(struct sc__cctx *x)
{
	const struct sc_msg *r = x->resp;
	struct sc_response_facts facts;
	struct sc_warning_fact wbuf;
	struct sc_cause cause;
	bool success;

	sc__explain_code(x->out, r->status, r->reason_phrase);
	sc__success_meaning(x->out, x->txn->method);
	if (r->status >= 100 && r->status < 200)
		return; /* provisional: the code says it all */
	/* sc_evidence_cause() names no cause for a success: its facts
	 * would only be collected to be dropped */
	cause.rule = NULL;
	if (r->status <= 0 || r->status >= 300) {
		sc_response_facts_from_msgs(&facts, x->req, r, &wbuf);
		facts.accepted_later = accepted_later(x);
		if (!sc_evidence_cause(&facts, &cause))
			cause.rule = NULL;
	}
	if (rule_evidence(x, &cause, true))
		return;
	/* a 2xx starts at the rules that may explain one, at the end */
	success = r->status >= 200 && r->status < 300;
	for (size_t i = success ? sc__first_success_rule : 0;
	     i < sc__nresponse_rules; i++) {
		const char *before = x->out->rule;

		x->out->rule = sc_rule_id(sc__response_rules[i].id);
		if (sc__response_rules[i].match(x)) {
			common_evidence(x);
			return;
		}
		x->out->rule = before;
	}
	if (rule_evidence(x, &cause, false))
		return;
	common_evidence(x);
}
