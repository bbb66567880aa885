/* filter.c - select calls for a report */
#include "config.h"

#include <string.h>

#include "sipcause/pipeline/filter.h"
#include "sipcause/util/str.h"

bool
sc_filter_is_empty(const struct sc_filter *f)
{
	return !f->call_id && !f->failed && !f->has_category && !f->code &&
	       !f->from && !f->to;
}

static bool
contains(const char *hay, const char *needle)
{
	return hay && sc_str_find(sc_str_from_cstr(hay),
				  sc_str_from_cstr(needle),
				  true) != SIZE_MAX;
}

static bool
party_matches(const struct sc_party *p, const char *pattern)
{
	return contains(p->user, pattern) || contains(p->uri, pattern) ||
	       contains(p->display, pattern);
}

static bool
is_failure(const struct sc_call *c)
{
	return c->verdict.cat != SC_CAT_OK;
}

static bool
has_call_id(const struct sc_call *c, const char *id)
{
	if (strcmp(c->call_id, id) == 0)
		return true;
	for (size_t i = 0; i < c->nlinked; i++)
		if (strcmp(c->linked[i], id) == 0)
			return true;
	return false;
}

bool
sc_filter_match(void *ctx, const struct sc_call *c)
{
	const struct sc_filter *f = ctx;

	if (f->call_id && !has_call_id(c, f->call_id))
		return false;
	if (f->failed && !is_failure(c))
		return false;
	if (f->has_category && c->verdict.cat != f->category)
		return false;
	if (f->code && c->final_code != f->code)
		return false;
	if (f->from && !party_matches(&c->from, f->from))
		return false;
	if (f->to && !party_matches(&c->to, f->to))
		return false;
	return true;
}
