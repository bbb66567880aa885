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

/* Any attempt of the call (its headline one included) passes @pred. */
static bool
any_attempt(const struct sc_call *c, const struct sc_filter *f,
	    bool (*pred)(const struct sc_filter *f, int code,
			 const struct sc_explain *v))
{
	if (pred(f, c->final_code, &c->verdict))
		return true;
	for (size_t i = 0; i < c->nattempts; i++)
		if (pred(f, c->attempts[i].final_code,
			 sc_attempt_verdict(c, i)))
			return true;
	return false;
}

static bool
failed(const struct sc_filter *f, int code, const struct sc_explain *v)
{
	(void)f;
	(void)code;
	return v->cat != SC_CAT_OK;
}

static bool
in_category(const struct sc_filter *f, int code, const struct sc_explain *v)
{
	(void)code;
	return v->cat == f->category;
}

static bool
with_code(const struct sc_filter *f, int code, const struct sc_explain *v)
{
	(void)v;
	return code == f->code;
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
	/* a call is selected when any of its attempts is */
	if (f->failed && !any_attempt(c, f, failed))
		return false;
	if (f->has_category && !any_attempt(c, f, in_category))
		return false;
	if (f->code && !any_attempt(c, f, with_code))
		return false;
	if (f->from && !party_matches(&c->from, f->from))
		return false;
	if (f->to && !party_matches(&c->to, f->to))
		return false;
	return true;
}

/* Seconds since 1970 only, for now; an empty side is open. */
static bool
parse_time_side(const char *p, size_t n, int64_t open, int64_t *ns)
{
	uint64_t v;

	if (n == 0) {
		*ns = open;
		return true;
	}
	if (!sc_str_to_u64(sc_str_make(p, n), INT64_MAX / 1000000000, &v))
		return false;
	*ns = (int64_t)v * 1000000000;
	return true;
}

bool
sc_filter_set_time(struct sc_filter *f, const char *spec)
{
	const char *dots = strstr(spec, "..");

	if (!dots)
		return false;
	if (!parse_time_side(spec, (size_t)(dots - spec), INT64_MIN,
			     &f->time_from_ns) ||
	    !parse_time_side(dots + 2, strlen(dots + 2), INT64_MAX,
			     &f->time_to_ns))
		return false;
	f->has_time = true;
	return true;
}
