/* outcome.c - the state, final code and timings of attempts and calls
 *
 * Each attempt is decided by its latest initial request (the retry after
 * a challenge, a 422/423, a redirect). The call takes the kind, state and
 * code of its headline attempt. RFC 3261 13.3.1.4 (2xx resent until the
 * ACK), 17.1.1.2 (Timer B), 17.2.1 (Timer H), 16.7 (a proxy relays the
 * best response of its branches).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "calls_impl.h"

const struct sc_txn *
sc_attempt_deciding_txn(const struct sc_call *c, const struct sc_attempt *a)
{
	return a && a->deciding_txn < c->ntxns ? &c->txns[a->deciding_txn]
	                                       : NULL;
}

const struct sc_txn *
sc_call_deciding_txn(const struct sc_call *c)
{
	if (c->headline >= c->nattempts)
		return NULL;
	return sc_attempt_deciding_txn(c, &c->attempts[c->headline]);
}

/* A CANCEL sent for the deciding request of attempt @ai. */
static bool
cancel_seen(const struct sc_call *c, size_t ai, uint32_t cseq)
{
	for (size_t i = 0; i < c->ntxns; i++)
		if (c->txns[i].method == SC_METHOD_CANCEL &&
		    c->txns[i].attempt == ai && c->txns[i].cseq == cseq)
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
	const struct sc_msg *req = sc__first_request(c, t);

	if (fin && fin->contact_expires >= 0)
		return fin->contact_expires;
	if (fin && fin->expires >= 0)
		return fin->expires;
	if (req && req->contact_expires >= 0)
		return req->contact_expires;
	return req ? req->expires : -1;
}

static enum sc_call_state
invite_state(const struct sc_call *c, size_t ai, const struct sc_txn *t)
{
	int code = t->final_code;

	/* the callee resends its 2xx until the ACK comes (13.3.1.4): a
	 * resent 2xx without ACK is the evidence */
	if (code < 300)
		return t->acked || t->final_sends < 2 ? SC_CALL_ANSWERED
		                                      : SC_CALL_ANSWERED_NO_ACK;
	if (code < 400)
		return SC_CALL_REDIRECTED;
	if (code == 487 || cancel_seen(c, ai, t->cseq))
		return SC_CALL_CANCELLED;
	if (code == 408)
		return SC_CALL_TIMEOUT;
	return SC_CALL_FAILED;
}

/* Returns whether a->final_reason changed. */
static bool
set_reason(const struct sc_call *c, struct sc_attempt *a,
           const struct sc_msg *fin)
{
	const char *r = fin ? fin->reason_phrase : NULL;

	/* (NULL == NULL: no answer yet, nothing to copy) */
	if (a->final_reason == r || sc__str_eq(a->final_reason, r))
		return false;
	sc__call_release(c, a->final_reason);
	/* a retry pending: the earlier reason no longer applies */
	a->final_reason = sc__dup_or_null(r);
	return true;
}

/* Recompute attempt @ai's state from its deciding transaction; returns
 * whether its final_reason changed. */
static bool
attempt_update(struct sc_call *c, size_t ai)
{
	struct sc_attempt *a = &c->attempts[ai];
	const struct sc_txn *t = sc_attempt_deciding_txn(c, a);
	const struct sc_msg *fin;
	bool reason_changed;

	if (!t) {
		a->final_code = 0;
		reason_changed = set_reason(c, a, NULL);
		/* only a CANCEL of an INVITE sent before the capture */
		a->state = c->txns[a->first_txn].method == SC_METHOD_CANCEL
		                   ? SC_CALL_CANCELLED
		                   : SC_CALL_MID_DIALOG;
		return reason_changed;
	}
	fin = t->final_msg < c->nmsgs ? c->msgs[t->final_msg].msg : NULL;
	a->final_code = t->final_code;
	reason_changed = set_reason(c, a, fin);
	if (t->final_code == 0 && c->txns[a->first_txn].in_dialog) {
		/* only a request inside a dialog set up before the capture */
		a->state = SC_CALL_MID_DIALOG;
		return reason_changed;
	}
	if (t->final_code == 0) {
		/* an ACK of its own (for a 2xx) or an accepted BYE: the 2xx
		 * was answered but not captured */
		if (a->kind == SC_METHOD_INVITE &&
		    (t->acked || (c->bye_accepted && ai == c->nattempts - 1)))
			a->state = SC_CALL_ANSWERED;
		else if (a->state != SC_CALL_TIMEOUT)
			a->state = SC_CALL_IN_PROGRESS;
		return reason_changed;
	}
	switch (a->kind) {
	case SC_METHOD_INVITE:
		a->state = invite_state(c, ai, t);
		break;
	case SC_METHOD_REGISTER:
		if (t->final_code >= 300)
			a->state = SC_CALL_REFUSED;
		else
			a->state = granted_expiry(c, t, fin) == 0
			                   ? SC_CALL_UNREGISTERED
			                   : SC_CALL_REGISTERED;
		break;
	default:
		a->state = t->final_code < 300 ? SC_CALL_COMPLETED
		                               : SC_CALL_FAILED;
		break;
	}
	return reason_changed;
}

/* The headline attempt: the latest INVITE one, else the latest. */
static size_t
pick_headline(const struct sc_call *c)
{
	for (size_t i = c->nattempts; i-- > 0;)
		if (c->attempts[i].kind == SC_METHOD_INVITE)
			return i;
	return c->nattempts ? c->nattempts - 1 : 0;
}

static void
set_kind(struct sc_call *c, const struct sc_attempt *a)
{
	const char *name;
	char *copy;

	/* the name of a known method follows from it */
	if (c->kind == a->kind && c->kind_named_)
		return;
	name = sc_attempt_kind_name(a);
	if (c->kind == a->kind && sc__str_eq(c->kind_name, name)) {
		c->kind_named_ = a->kind != SC_METHOD_OTHER;
		return;
	}
	copy = sc__call_text(c, name);
	if (!copy)
		return;
	c->kind = a->kind;
	c->kind_name = copy; /* the one replaced stays in its block */
	c->kind_named_ = a->kind != SC_METHOD_OTHER;
}

static void
call_timings(struct sc_call *c, const struct sc_attempt *a,
             const struct sc_txn *t)
{
	const struct sc_txn *first = &c->txns[a->first_txn];

	c->timings.total_ms = sc__ms_between(c->first_ts, c->last_ts);
	if (!t)
		return;
	c->timings.trying_ms =
	        sc__ms_between(t->first_ts, t->first_provisional_ts);
	if (a->kind != SC_METHOD_INVITE)
		return;
	c->timings.pdd_ms = sc__ms_between(t->first_ts, t->first_ringing_ts);
	c->timings.pdd_total_ms =
	        first != t
	                ? sc__ms_between(first->first_ts, t->first_ringing_ts)
	                : -1;
	c->timings.ring_ms = sc__ms_between(t->first_ringing_ts, t->final_ts);
	c->timings.setup_ms = t->final_code >= 200 && t->final_code < 300
	                              ? sc__ms_between(t->first_ts, t->final_ts)
	                              : -1;
	c->timings.duration_ms =
	        t->final_code >= 200 && t->final_code < 300
	                ? sc__ms_between(t->final_ts, c->end_ts)
	                : -1;
}

/* Recompute every attempt's outcome, then the call's from its headline. */
void
sc__call_update(struct sc_call *c)
{
	const struct sc_attempt *a;
	const struct sc_txn *t;
	const struct sc_msg *fin;
	uint32_t headline = c->headline;
	bool reasons_changed = false;

	for (size_t i = 0; i < c->nattempts; i++)
		reasons_changed |= attempt_update(c, i);
	c->forks = c->ndialogs;
	if (!c->nattempts) {
		c->state = SC_CALL_MID_DIALOG;
		return;
	}
	c->headline = (uint32_t)pick_headline(c);
	a = &c->attempts[c->headline];
	t = sc_attempt_deciding_txn(c, a);
	set_kind(c, a);
	c->state = a->state;
	c->final_code = a->final_code;
	if (reasons_changed || c->headline != headline)
		c->reason_copied_ = false;
	if (!c->reason_copied_) {
		if (c->final_reason != a->final_reason &&
		    !sc__str_eq(c->final_reason, a->final_reason)) {
			sc__call_release(c, c->final_reason);
			c->final_reason = sc__dup_or_null(a->final_reason);
		}
		/* a copy that failed is tried again with the next message */
		c->reason_copied_ = !a->final_reason || c->final_reason;
	}
	c->auth_challenges = a->auth_challenges;
	call_timings(c, a, t);
	if (a->kind == SC_METHOD_REGISTER && t && t->final_code >= 200 &&
	    t->final_code < 300) {
		fin = t->final_msg < c->nmsgs ? c->msgs[t->final_msg].msg
		                              : NULL;
		c->expires = granted_expiry(c, t, fin);
	}
}

/* Complete: nothing more is expected for the call. */
bool
sc__call_is_complete(const struct sc_call *c)
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

/* A failure the caller is expected to retry soon (RFC 3261 22, 14.1,
 * RFC 4028 6, 10.3): not the call's outcome yet. */
static bool
retry_expected(int code)
{
	return code == 401 || code == 407 || code == 422 || code == 423 ||
	       code == 491 || (code >= 300 && code < 400);
}

/*
 * Decided: the outcome will not change. An answered call once a BYE got
 * its answer; a failure once it is one the caller will not retry.
 */
bool
sc__call_is_decided(const struct sc_call *c)
{
	switch (c->state) {
	case SC_CALL_ANSWERED:
	case SC_CALL_ANSWERED_NO_ACK:
		return c->bye_accepted;
	case SC_CALL_IN_PROGRESS:
	case SC_CALL_MID_DIALOG:
		return false;
	default:
		return !retry_expected(c->final_code);
	}
}

/* Sends of an unanswered request that show its sender got nothing back. */
#define SENDS_WITHOUT_ANSWER 3

/* A Timer H BYE comes 64*T1 after the 2xx, give or take. */
#define TIMER_H_SLACK_NS (8 * SC__NS_PER_S)

/*
 * Attempt @ai at @now_ns: a request nobody answered for longer than
 * Timer B timed out; so did one sent several times without any response
 * when the input ended before Timer B (the sender was plainly getting
 * nothing back; a live call waits for the timer). Once a provisional
 * came, Timer B no longer runs: the call is in progress until it ends,
 * or until a live capture gives up on it (idle).
 */
static void
attempt_settle(struct sc_call *c, size_t ai, int64_t now_ns, int64_t seen_ns,
               enum sc__settle why)
{
	struct sc_attempt *a = &c->attempts[ai];
	const struct sc_txn *t = sc_attempt_deciding_txn(c, a);
	int64_t late;

	if (!t)
		return;
	/* BYE from the callee a whole Timer H after an unacknowledged 2xx
	 * (RFC 3261 17.2.1): the ACK never arrived */
	late = c->end_ts - t->final_ts;
	if (a->state == SC_CALL_ANSWERED && !t->acked && t->final_ts &&
	    ai == c->headline && c->ended_by == SC_SIDE_CALLEE &&
	    sc__request_captured(c, t) &&
	    late >= SC__TRANSACTION_TIMEOUT_NS - TIMER_H_SLACK_NS &&
	    late <= SC__TRANSACTION_TIMEOUT_NS + TIMER_H_SLACK_NS)
		a->state = SC_CALL_ANSWERED_NO_ACK;
	if (a->state != SC_CALL_IN_PROGRESS || t->final_code != 0)
		return;
	if (t->first_provisional_ts) {
		if (why == SC__SETTLE_IDLE)
			a->state = SC_CALL_TIMEOUT;
		return;
	}
	/*
	 * Timer B (RFC 3261 17.1.1.2) ran out when a packet came 64*T1
	 * after the request (@seen_ns). A clock that moved on without
	 * packets (live ticks) proves nothing a -w file of the capture
	 * keeps: there it takes the sender's retransmissions (Timer A,
	 * unreliable transports) to call it a timeout, which a file
	 * ending at any time after them shows as well.
	 */
	if (seen_ns - t->first_ts >= SC__TRANSACTION_TIMEOUT_NS ||
	    (t->request_sends >= SENDS_WITHOUT_ANSWER &&
	     (why != SC__SETTLE_TIMER ||
	      now_ns - t->first_ts >= SC__TRANSACTION_TIMEOUT_NS)))
		a->state = SC_CALL_TIMEOUT;
}

/* Is @u unanswered on its hop: no response at all to its request? */
static bool
silent(const struct sc_txn *u)
{
	return u->final_code == 0 && u->first_provisional_ts == 0 &&
	       !u->from_response;
}

/*
 * The root cause of attempt @ai's failure among the other hops of its
 * deciding request: the failure response that came first (a relayed one
 * always comes after the one it relays), else a hop whose request got
 * no answer at all. SC__NONE when the caller's own is the root cause.
 */
static uint32_t
root_of(const struct sc_call *c, size_t ai)
{
	const struct sc_attempt *a = &c->attempts[ai];
	const struct sc_txn *d = sc_attempt_deciding_txn(c, a);
	uint32_t first = SC__NONE, quiet = SC__NONE;

	if (!d || (d->final_code > 0 && d->final_code < 300))
		return SC__NONE;
	for (size_t i = 0; i < c->ntxns; i++) {
		const struct sc_txn *u = &c->txns[i];

		if (u == d || u->leader != a->deciding_txn)
			continue;
		if (u->final_code >= 200 && u->final_code < 300)
			return SC__NONE; /* a branch answered */
		if (u->final_code >= 300 &&
		    (u->final_code != 487 || d->final_code == 487) &&
		    (first == SC__NONE ||
		     u->final_ts < c->txns[first].final_ts))
			first = (uint32_t)i;
		else if (silent(u) && quiet == SC__NONE)
			quiet = (uint32_t)i;
	}
	if (first != SC__NONE &&
	    (d->final_code == 0 || c->txns[first].final_ts <= d->final_ts))
		return first;
	if (quiet != SC__NONE && d->final_code != 487)
		return quiet;
	return SC__NONE;
}

void
sc__call_settle(struct sc_call *c, int64_t now_ns, int64_t seen_ns,
                enum sc__settle why)
{
	if (!c->ntxns)
		return;
	for (size_t i = 0; i < c->nattempts; i++) {
		attempt_settle(c, i, now_ns, seen_ns, why);
		c->attempts[i].root_txn = root_of(c, i);
	}
	if (c->nattempts)
		c->state = c->attempts[c->headline].state;
}
