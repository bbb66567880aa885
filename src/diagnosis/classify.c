/* classify.c - explain each response and give each call a verdict
 *
 * Knowledge comes from kb.c; the rest of this folder decides which piece
 * applies in the context of the call. This file runs the steps in order:
 * every response gets its annotation (annotate.c, with the rules of
 * rules.c), every attempt its verdict (verdict.c), then the call its
 * findings (findings.c). The texts are plain sentences and evidence;
 * how a format shows them is the report's job.
 */
#include "config.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify_impl.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/diagnosis/diagnosis.h"

const char *const sc_classify_rule_ids[] = {
#define SC_RULE_ID(name, id) id,
	SC_CLASSIFY_RULES(SC_RULE_ID)
#undef SC_RULE_ID
	        NULL,
};

const char *
sc_rule_id(enum sc_rule r)
{
	return (unsigned)r < SC_RULE__COUNT ? sc_classify_rule_ids[r] : "";
}

/* annotate_all() puts the annotations right after an array of pointers */
_Static_assert(alignof(struct sc_explain) <= alignof(struct sc_explain *),
               "an annotation may follow the pointers to the annotations");

static enum sc_err
annotate_all(struct sc_diagnosis *d, const struct sc_classify_env *env)
{
	const struct sc_call *c = d->call;
	size_t nmsgs = c->nmsgs, nresponses = 0;
	struct sc_explain *next;
	struct sc__cctx x;

	/* a call's messages were parsed seconds ago and are out of the
	 * cache: ask for the first ones together, not one miss at a time */
	for (size_t i = 0; i < c->nmsgs && i < 16; i++) {
		const char *m = (const char *)c->msgs[i].msg;

		/* NULL: a message that could not be read back */
		if (m) {
			__builtin_prefetch(m);
			__builtin_prefetch(m + 64);
		}
	}
	if (!nmsgs)
		return SC_OK;
	for (size_t i = 0; i < nmsgs; i++)
		if (c->msgs[i].msg && !c->msgs[i].msg->is_request)
			nresponses++;
	/* the pointers and the annotations they point to in one block:
	 * one allocation per call, not one per response */
	if (nmsgs > SIZE_MAX / (sizeof(*d->notes) + sizeof(**d->notes)))
		return SC_ENOMEM;
	d->notes = calloc(1, nmsgs * sizeof(*d->notes) +
	                             nresponses * sizeof(**d->notes));
	if (!d->notes)
		return SC_ENOMEM;
	d->nnotes = c->nmsgs;
	next = (struct sc_explain *)(void *)(d->notes + nmsgs);
	for (size_t i = 0; i < c->nmsgs; i++) {
		const struct sc_callmsg *cm = &c->msgs[i];

		if (!cm->msg || cm->msg->is_request)
			continue;
		d->notes[i] = next++;
		memset(&x, 0, sizeof(x));
		x.call = c;
		x.dx = d;
		x.env = env;
		x.out = d->notes[i];
		x.resp = cm->msg;
		x.txn = cm->txn < c->ntxns ? &c->txns[cm->txn] : NULL;
		x.req = sc__first_request(c, x.txn);
		if (!x.txn) {
			sc__explain_code(x.out, cm->msg->status,
			                 cm->msg->reason_phrase);
			continue;
		}
		sc__annotate(&x);
		if (x.oom)
			return SC_ENOMEM;
	}
	return SC_OK;
}

/* Every attempt's verdict: the headline one is the call's. */
static enum sc_err
judge_attempts(struct sc_diagnosis *d, const struct sc_classify_env *env)
{
	const struct sc_call *c = d->call;
	bool ok = true;

	/* one attempt, the headline (the usual case): no other verdict to
	 * keep, no array (sc_diagnosis_attempt() gives the call's) */
	if (c->nattempts > 1 || (c->nattempts == 1 && c->headline != 0)) {
		d->attempts = calloc(c->nattempts, sizeof(*d->attempts));
		if (!d->attempts)
			return SC_ENOMEM;
		d->nattempts = c->nattempts;
	}
	for (size_t i = 0; i < c->nattempts && ok; i++) {
		struct sc_explain *out = &d->verdict;

		if (i != c->headline) {
			out = d->attempts[i] = calloc(1, sizeof(*out));
			if (!out)
				return SC_ENOMEM;
		}
		ok = sc__verdict(d, i, env, out);
	}
	if (!c->nattempts) {
		d->verdict.rule = RULE(MID_DIALOG);
		d->verdict.cat = SC_CAT_OK;
	}
	return ok ? SC_OK : SC_ENOMEM;
}

enum sc_err
sc_diagnose(struct sc_call *call, const struct sc_classify_env *env,
            struct sc_diagnosis **out)
{
	struct sc_diagnosis *d = calloc(1, sizeof(*d));
	bool oom = false;

	*out = d;
	if (!d) {
		sc_call_free(call);
		return SC_ENOMEM;
	}
	d->call = call;
	if (annotate_all(d, env) != SC_OK || judge_attempts(d, env) != SC_OK)
		return SC_ENOMEM;
	sc__findings(d, &oom);
	return oom ? SC_ENOMEM : SC_OK;
}
