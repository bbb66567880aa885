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

#include <stdlib.h>
#include <string.h>

#include "classify_impl.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/classify.h"

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

static enum sc_err
annotate_all(struct sc_call *c, const struct sc_classify_env *env)
{
	struct sc__cctx x;

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
		x.req = sc__first_request(c, x.txn);
		if (!x.txn) {
			sc__explain_code(cm->ann, cm->msg->status,
			                 cm->msg->reason_phrase);
			continue;
		}
		sc__annotate(&x);
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
		ok = sc__verdict(c, i, env,
		                 i == c->headline ? &c->verdict : a->verdict);
	}
	if (!c->nattempts) {
		c->verdict.rule = RULE(MID_DIALOG);
		c->verdict.cat = SC_CAT_OK;
	}
	sc__findings(c, &oom);
	c->classified = true;
	return ok && !oom ? SC_OK : SC_ENOMEM;
}
