/* dialog.c - what ends a call, and what ties it to its other legs
 *
 * Who hung up: the side whose BYE was accepted (RFC 3261 15.1.2), with
 * that BYE's Reason header (RFC 3326). Identifiers another B2BUA leg may
 * share: X-Call-ID style headers, RFC 7989 Session-ID, P-Charging-Vector.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_impl.h"

/* The From tag of the caller of attempt @ai, or NULL. */
static const char *
caller_tag(const struct sc_call *c, uint32_t ai)
{
	const struct sc_attempt *a;
	const struct sc_msg *req;

	if (ai >= c->nattempts)
		return c->from.tag;
	a = &c->attempts[ai];
	req = a->first_txn < c->ntxns
	              ? sc__first_request(c, &c->txns[a->first_txn])
	              : NULL;
	return req ? req->from.tag : c->from.tag;
}

/* The side that sent BYE @m: the caller's From tag is the BYE's From tag
 * when the caller hangs up (12.2.1.1: the tags swap for the callee). */
static enum sc_side
bye_side(const struct sc_call *c, const struct sc_msg *m, uint32_t ai)
{
	const char *tag = caller_tag(c, ai);

	return tag && sc__str_eq(m->from.tag, tag) ? SC_SIDE_CALLER
	                                           : SC_SIDE_CALLEE;
}

static void
set_end(struct sc_call *c, const struct sc_msg *bye, uint32_t ai)
{
	const char *peer;

	c->ended_by = bye_side(c, bye, ai);
	c->end_ts = bye->ts_ns;
	/* the dialog of the far end's tag is over */
	peer = c->ended_by == SC_SIDE_CALLER ? bye->to.tag : bye->from.tag;
	for (size_t i = 0; i < c->ndialogs; i++)
		if (c->dialogs[i].confirmed &&
		    sc__str_eq(c->dialogs[i].to_tag, peer))
			c->dialogs[i].terminated = true;
	sc__call_release(c, c->end_reason.text);
	c->end_reason.text = NULL;
	c->end_reason.present = bye->reason_hdr != NULL;
	c->end_reason.sip_cause = bye->sip_reason_cause;
	c->end_reason.q850 = bye->q850_cause;
	if (bye->q850_text)
		c->end_reason.text = strdup(bye->q850_text);
}

/*
 * A BYE, or a final response to one: the side whose BYE was accepted
 * ended the call; until an answer is seen, the first BYE's sender stands.
 * A BYE refused (481, 500...) does not end it.
 */
void
sc__note_bye(struct sc_call *c, const struct sc_txn *t, const struct sc_msg *m)
{
	const struct sc_msg *req = sc__first_request(c, t);

	if (m->is_request) {
		if (c->ended_by == SC_SIDE_NONE && !c->bye_accepted)
			set_end(c, m, t->attempt);
		return;
	}
	if (m->status < 200 || !req || t->final_msg != c->nmsgs - 1)
		return;
	if (sc__is_success(m->status)) {
		if (!c->bye_accepted)
			set_end(c, req, t->attempt);
		c->bye_accepted = true;
		return;
	}
	if (c->bye_refused++ == 0)
		c->bye_refused_code = m->status;
	if (!c->bye_accepted && c->end_ts == req->ts_ns) {
		c->ended_by = SC_SIDE_NONE;
		c->end_ts = 0;
	}
}

/* RFC 7989 7: the null UUID stands for "not known yet". */
static bool
is_null_uuid(const char *u)
{
	for (; *u; u++)
		if (*u != '0' && *u != '-')
			return false;
	return true;
}

/* Remember @prefix@value as an identifier another leg may share. */
enum sc_err
sc__add_link_key(struct sc_call *c, const char *prefix, const char *value)
{
	size_t plen, vlen;
	char *key, **v;

	if (!value || !value[0])
		return SC_OK;
	plen = strlen(prefix);
	vlen = strlen(value);
	for (size_t i = 0; i < c->nlink_keys; i++) {
		const char *k = c->link_keys[i];

		if (strncmp(k, prefix, plen) == 0 &&
		    strcmp(k + plen, value) == 0)
			return SC_OK;
	}
	v = sc_grow(c->link_keys, c->nlink_keys, sizeof(*v));
	if (!v)
		return SC_ENOMEM;
	c->link_keys = v;
	key = sc__call_room(c, plen + vlen + 1);
	if (!key)
		return SC_ENOMEM;
	memcpy(key, prefix, plen);
	memcpy(key + plen, value, vlen + 1);
	c->link_keys[c->nlink_keys++] = key;
	return SC_OK;
}

enum sc_err
sc__collect_link_keys(struct sc_call *c, const struct sc_msg *m)
{
	enum sc_err err;

	/* most messages carry none of them */
	if (!m->x_call_id && !m->session_id && !m->session_id_remote &&
	    !m->icid)
		return SC_OK;
	err = sc__add_link_key(c, "cid:", m->x_call_id);

	if (err == SC_OK && m->session_id && !is_null_uuid(m->session_id))
		err = sc__add_link_key(c, "sid:", m->session_id);
	if (err == SC_OK && m->session_id_remote &&
	    !is_null_uuid(m->session_id_remote))
		err = sc__add_link_key(c, "sid:", m->session_id_remote);
	if (err == SC_OK)
		err = sc__add_link_key(c, "icid:", m->icid);
	return err;
}
