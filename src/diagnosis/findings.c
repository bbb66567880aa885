/* findings.c - what holds beside a call's verdict: private addresses in
 * SDP, failed or silent fork branches, retried and failed transactions,
 * refused BYEs, mirror duplicates
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_impl.h"
#include "sipcause/util/vec.h"
#include "sipcause/util/addr.h"
#include "sipcause/calls/correlate.h"

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

static void add_finding(struct sc_diagnosis *d, bool *oom, const char *rule,
                        const char *fmt, ...) SC_PRINTF(4, 5);

static void
add_finding(struct sc_diagnosis *d, bool *oom, const char *rule,
            const char *fmt, ...)
{
	struct sc_finding *v;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sc__vformat(fmt, ap);
	va_end(ap);
	v = s ? sc_grow(d->findings, d->nfindings, sizeof(*v)) : NULL;
	if (!v) {
		free(s);
		*oom = true;
		return;
	}
	d->findings = v;
	d->findings[d->nfindings].rule = rule;
	d->findings[d->nfindings].text = s;
	d->nfindings++;
}

/* The annotation of transaction @t's final response, if kept. */
static const struct sc_explain *
final_annotation(const struct sc_diagnosis *d, const struct sc_txn *t)
{
	return sc_diagnosis_note(d, t->final_msg);
}

static void
nat_finding(struct sc_diagnosis *d, bool *oom)
{
	const struct sc_call *c = d->call;
	char addr[SC_ADDR_STRLEN], src[SC_ADDR_STRLEN];

	for (size_t i = 0; i < c->nmsgs; i++) {
		const struct sc_msg *m = c->msgs[i].msg;

		if (c->msgs[i].retransmission || c->msgs[i].duplicate ||
		    !private_sdp(m, addr, sizeof(addr)))
			continue;
		add_finding(d, oom, RULE(NAT_PRIVATE_SDP),
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
branch_finding(struct sc_diagnosis *d, const struct sc_txn *t, bool *oom)
{
	const struct sc_call *c = d->call;
	const struct sc_txn *lead = &c->txns[t->leader];
	const struct sc_msg *req = sc__first_request(c, t);
	const struct sc_msg *fin =
	        t->final_msg < c->nmsgs ? c->msgs[t->final_msg].msg : NULL;
	char dst[SC_ENDPOINT_STRLEN];

	if (t->leader == (size_t)(t - c->txns) || !req ||
	    t->method != SC_METHOD_INVITE || lead->final_code < 200 ||
	    lead->final_code >= 300)
		return;
	sc_endpoint_format(&req->dst, dst, sizeof(dst));
	if (t->final_code >= 300 && t->final_code != 487 && fin)
		add_finding(d, oom, RULE(FORK_BRANCH_FAILED),
		            "the INVITE forwarded to %s (frame %" PRIu64 ") "
		            "got %d %s (frame %" PRIu64 ") while another "
		            "branch answered",
		            dst, req->frame, t->final_code,
		            sc__or_dash(fin->reason_phrase), fin->frame);
	else if (!t->final_code && !t->first_provisional_ts)
		add_finding(d, oom, RULE(FORK_UNANSWERED_BRANCH),
		            "the INVITE forwarded to %s (frame %" PRIu64 ") "
		            "was sent %" PRIu32 " %s and never answered while "
		            "the call was answered elsewhere",
		            dst, req->frame, t->request_sends,
		            sc__times(t->request_sends));
}

static void
txn_finding(struct sc_diagnosis *d, const struct sc_txn *t, bool *oom)
{
	const struct sc_call *c = d->call;
	const struct sc_attempt *a = &c->attempts[t->attempt];
	const struct sc_txn *retry;
	const struct sc_explain *ann;

	if (t->request_sends > 1 && t->final_code)
		add_finding(d, oom, RULE(RETRANSMISSION),
		            "%s (CSeq %" PRIu32 ") was sent %" PRIu32
		            " times before its %d",
		            t->method_name, t->cseq, t->request_sends,
		            t->final_code);
	branch_finding(d, t, oom);
	/* the deciding request last: most (every 2xx) are out before */
	if (t->final_code < 300 || t->final_code == 487 ||
	    t->method == SC_METHOD_CANCEL ||
	    t->leader != (size_t)(t - c->txns) ||
	    t == sc_attempt_deciding_txn(c, a))
		return;
	if (t->method == SC_METHOD_BYE)
		return; /* bye.refused says it once */
	retry = next_retry(c, t);
	if (retry) {
		ann = final_annotation(d, t);
		add_finding(
		        d, oom, ann && ann->rule ? ann->rule : RULE(RETRIED),
		        "%s (CSeq %" PRIu32 ") got %d and was retried "
		        "(CSeq %" PRIu32 ")",
		        t->method_name, t->cseq, t->final_code, retry->cseq);
	} else if (t->in_dialog) {
		add_finding(d, oom, RULE(MID_CALL),
		            "%s (CSeq %" PRIu32 ") inside the call "
		            "failed with %d",
		            t->method_name, t->cseq, t->final_code);
	}
}

/* Rules that hold beside the verdict. */
void
sc__findings(struct sc_diagnosis *d, bool *oom)
{
	const struct sc_call *c = d->call;
	nat_finding(d, oom);
	for (size_t i = 0; i < c->ntxns; i++)
		if (c->txns[i].attempt < c->nattempts)
			txn_finding(d, &c->txns[i], oom);
	if (c->bye_refused)
		add_finding(d, oom, RULE(BYE_REFUSED),
		            "%" PRIu32 " BYE %s refused (first with %d): one "
		            "side no longer knew the dialog",
		            c->bye_refused,
		            c->bye_refused == 1 ? "was" : "were",
		            c->bye_refused_code);
	if (c->duplicates)
		add_finding(
		        d, oom, RULE(CAPTURE_DUPLICATES),
		        "%" PRIu32 " %s seen twice within a few ms on the same "
		        "hop: mirror copies from the capture set-up, not "
		        "retransmissions",
		        c->duplicates,
		        c->duplicates == 1 ? "message was" : "messages were");
}
