/* ladder.c - columns and rows of a call's sequence diagram */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/report/ladder.h"

/* Column of @ep, added when new; SIZE_MAX when out of memory. */
static size_t
host_index(struct sc_ladder *l, const struct sc_endpoint *ep, size_t cap)
{
	for (size_t i = 0; i < l->nhosts; i++)
		if (sc_endpoint_equal(&l->hosts[i].ep, ep))
			return i;
	if (l->nhosts == cap)
		return SIZE_MAX;
	l->hosts[l->nhosts].ep = *ep;
	l->hosts[l->nhosts].agent = NULL;
	return l->nhosts++;
}

enum sc_err
sc_ladder_build(struct sc_ladder *l, const struct sc_diagnosis *d)
{
	const struct sc_call *call = d->call;
	size_t cap = call->nmsgs * 2;
	int64_t t0 = 0, prev = 0;

	memset(l, 0, sizeof(*l));
	if (call->nmsgs == 0)
		return SC_OK;
	l->hosts = calloc(cap, sizeof(*l->hosts));
	l->rows = calloc(call->nmsgs, sizeof(*l->rows));
	if (!l->hosts || !l->rows) {
		sc_ladder_fini(l);
		return SC_ENOMEM;
	}
	for (size_t i = 0; i < call->nmsgs; i++) {
		const struct sc_callmsg *cm = &call->msgs[i];
		const struct sc_msg *m = cm->msg;
		struct sc_ladder_row *row;

		if (!m)
			continue;
		if (l->nrows == 0)
			t0 = prev = m->ts_ns;
		row = &l->rows[l->nrows++];
		row->cm = cm;
		row->note = sc_diagnosis_note(d, i);
		row->from = host_index(l, &m->src, cap);
		row->to = host_index(l, &m->dst, cap);
		row->rel_ns = m->ts_ns - t0;
		row->delta_ns = m->ts_ns - prev;
		prev = m->ts_ns;
		if (m->user_agent && !l->hosts[row->from].agent)
			l->hosts[row->from].agent = m->user_agent;
	}
	return SC_OK;
}

void
sc_ladder_fini(struct sc_ladder *l)
{
	free(l->hosts);
	free(l->rows);
	memset(l, 0, sizeof(*l));
}

const char *
sc_ladder_label(const struct sc_msg *m, char *buf, size_t len)
{
	if (m->is_request)
		snprintf(buf, len, "%s", m->method_name ? m->method_name : "?");
	else
		snprintf(buf, len, "%d %s", m->status,
		         m->reason_phrase ? m->reason_phrase : "");
	return buf;
}
