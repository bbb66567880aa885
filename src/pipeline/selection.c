/* selection.c - the calls a report lists and what they add up to:
 * failures grouped by cause, peers ordered by answer rate
 *
 * Reports lay these out; every count is made here, from the model.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sipcause/pipeline/selection.h"

bool
sc_select(struct sc_selection *sel, const struct sc_model *m,
          sc_shows_fn *shows, const void *ctx)
{
	memset(sel, 0, sizeof(*sel));
	if (m->calls.n == 0)
		return true;
	sel->v = calloc(m->calls.n, sizeof(*sel->v));
	if (!sel->v)
		return false;
	for (size_t i = 0; i < m->calls.n; i++) {
		const struct sc_diagnosis *d = m->calls.v[i];

		if (shows && !shows(ctx, d))
			continue;
		sel->v[sel->n++] = d;
		if (d->verdict.cat != SC_CAT_OK) {
			sel->failed++;
			sel->failed_by_cat[d->verdict.cat]++;
		}
	}
	return true;
}

void
sc_selection_fini(struct sc_selection *sel)
{
	free(sel->v);
	memset(sel, 0, sizeof(*sel));
}

static bool
same_group(const struct sc_failure_group *g, const struct sc_diagnosis *d)
{
	const char *rule = d->verdict.rule ? d->verdict.rule : "";

	return g->cat == d->verdict.cat && g->code == d->call->final_code &&
	       strcmp(g->rule, rule) == 0;
}

static int
by_count(const void *a, const void *b)
{
	const struct sc_failure_group *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->cat != y->cat)
		return x->cat < y->cat ? -1 : 1;
	/* stable for equal keys: first example first */
	return x->example->call->first_frame < y->example->call->first_frame
	               ? -1
	               : 1;
}

size_t
sc_failure_groups(const struct sc_selection *sel, struct sc_failure_group **out)
{
	struct sc_failure_group *g;
	size_t n = 0;

	*out = NULL;
	if (sel->failed == 0)
		return 0;
	g = calloc(sel->failed, sizeof(*g));
	if (!g)
		return 0;
	/* linear search: groups are few (categories x rules x codes) */
	for (size_t i = 0; i < sel->n; i++) {
		const struct sc_diagnosis *d = sel->v[i];
		size_t k = 0;

		if (d->verdict.cat == SC_CAT_OK)
			continue;
		while (k < n && !same_group(&g[k], d))
			k++;
		if (k == n) {
			g[n].cat = d->verdict.cat;
			g[n].rule = d->verdict.rule ? d->verdict.rule : "";
			g[n].code = d->call->final_code;
			g[n].example = d;
			n++;
		}
		g[k].count++;
	}
	qsort(g, n, sizeof(*g), by_count);
	*out = g;
	return n;
}

static int
by_asr(const void *a, const void *b)
{
	const struct sc_peer *x = *(const struct sc_peer *const *)a;
	const struct sc_peer *y = *(const struct sc_peer *const *)b;
	double ax = sc_call_stats_asr(&x->s), ay = sc_call_stats_asr(&y->s);

	if (ax != ay)
		return ax < ay ? -1 : 1;
	if (x->s.attempts != y->s.attempts)
		return x->s.attempts > y->s.attempts ? -1 : 1;
	return 0;
}

size_t
sc_worst_peers(const struct sc_model *m, const struct sc_peer **out, size_t max)
{
	const struct sc_peer **all;
	size_t n = 0;

	if (m->peers.n == 0 || max == 0)
		return 0;
	all = calloc(m->peers.n, sizeof(*all));
	if (!all)
		return 0;
	for (size_t i = 0; i < m->peers.n; i++) {
		const struct sc_peer *p = m->peers.v[i];

		if (p->s.attempts)
			all[n++] = p;
	}
	/* qsort is not stable: the tie-break on attempts keeps it readable */
	qsort(all, n, sizeof(*all), by_asr);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}
