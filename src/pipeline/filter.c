/* filter.c - select calls for a report */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sipcause/pipeline/filter.h"
#include "sipcause/util/addr.h"
#include "sipcause/util/str.h"

bool
sc_filter_is_empty(const struct sc_filter *f)
{
	return !f->call_id && !f->failed && !f->has_category && !f->code &&
	       !f->from && !f->to && !f->method && !f->host && !f->user_agent &&
	       !f->has_time;
}

static bool
contains(const char *hay, const char *needle)
{
	return hay && sc_str_find(sc_str_from_cstr(hay),
	                          sc_str_from_cstr(needle), true) != SIZE_MAX;
}

static bool
party_matches(const struct sc_party *p, const char *pattern)
{
	return contains(p->user, pattern) || contains(p->uri, pattern) ||
	       contains(p->display, pattern);
}

/* Any attempt of the call (its headline one included) passes @pred. */
static bool
any_attempt(const struct sc_diagnosis *d, const struct sc_filter *f,
            bool (*pred)(const struct sc_filter *f, int code,
                         const struct sc_explain *v))
{
	const struct sc_call *c = d->call;

	if (pred(f, c->final_code, &d->verdict))
		return true;
	for (size_t i = 0; i < c->nattempts; i++)
		if (pred(f, c->attempts[i].final_code,
		         sc_diagnosis_attempt(d, i)))
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

static bool
has_method(const struct sc_call *c, const char *name)
{
	char up[32];
	size_t n = strlen(name);
	enum sc_method m;

	/* the option takes any case; method names are upper case */
	if (n >= sizeof(up))
		return false;
	for (size_t i = 0; i <= n; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	m = sc_method_from_name(up, n);

	if (m != SC_METHOD_OTHER)
		return sc_call_has_method(c, m);
	/* an unknown method is only known by name for the headline kind */
	return c->kind_name && strcasecmp(c->kind_name, name) == 0;
}

/* "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address; port 0: any. */
static bool
parse_host(const char *s, struct sc_endpoint *e)
{
	const char *colon = strrchr(s, ':');
	uint64_t port = 0;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			return false;
		if (close[1] == ':' &&
		    !sc_str_to_u64(sc_str_from_cstr(close + 2), 65535, &port))
			return false;
		e->port = (uint16_t)port;
		return sc_addr_parse(s + 1, (size_t)(close - s - 1), &e->addr);
	}
	if (sc_addr_parse(s, strlen(s), &e->addr)) {
		e->port = 0;
		return true;
	}
	if (!colon || !sc_str_to_u64(sc_str_from_cstr(colon + 1), 65535, &port))
		return false;
	e->port = (uint16_t)port;
	return sc_addr_parse(s, (size_t)(colon - s), &e->addr);
}

static bool
endpoint_is(const struct sc_endpoint *e, const struct sc_endpoint *want)
{
	return sc_addr_equal(&e->addr, &want->addr) &&
	       (!want->port || e->port == want->port);
}

static bool
has_host(const struct sc_call *c, const char *host)
{
	struct sc_endpoint want;

	if (!parse_host(host, &want))
		return false;
	if (endpoint_is(&c->caller, &want) || endpoint_is(&c->callee, &want))
		return true;
	for (uint32_t i = 0; i < c->nhops; i++)
		if (endpoint_is(&c->hops[i].src, &want) ||
		    endpoint_is(&c->hops[i].dst, &want))
			return true;
	return false;
}

#define NS_PER_S 1000000000LL
#define NS_PER_DAY (86400LL * NS_PER_S)

/* UTC midnight of the day holding @ns, in ns since 1970. */
static int64_t
day_of(int64_t ns)
{
	int64_t d = ns / NS_PER_DAY;

	if (ns % NS_PER_DAY < 0)
		d--;
	return d * NS_PER_DAY;
}

/*
 * Times of day ("HH:MM:SS") are on the capture's first day: the day set
 * by sc_filter_set_capture_start, else the day of the first call matched
 * (the report goes through calls in capture order).
 */
static int64_t
bound(struct sc_filter *f, const struct sc_call *c, int64_t v, bool of_day)
{
	if (!of_day)
		return v;
	if (!f->day_known) {
		f->day_ns = day_of(c->first_ts);
		f->day_known = true;
	}
	return f->day_ns + v;
}

static bool
overlaps(void *ctx, const struct sc_call *c)
{
	struct sc_filter *f = ctx;
	int64_t from = bound(f, c, f->time_from_ns, f->from_of_day);
	int64_t to = bound(f, c, f->time_to_ns, f->to_of_day);

	return c->last_ts >= from && c->first_ts <= to;
}

bool
sc_filter_match(void *ctx, const struct sc_diagnosis *d)
{
	const struct sc_filter *f = ctx;
	const struct sc_call *c = d->call;

	if (f->call_id && !has_call_id(c, f->call_id))
		return false;
	/* a call is selected when any of its attempts is */
	if (f->failed && !any_attempt(d, f, failed))
		return false;
	if (f->has_category && !any_attempt(d, f, in_category))
		return false;
	if (f->code && !any_attempt(d, f, with_code))
		return false;
	if (f->from && !party_matches(&c->from, f->from))
		return false;
	if (f->to && !party_matches(&c->to, f->to))
		return false;
	if (f->method && !has_method(c, f->method))
		return false;
	if (f->host && !has_host(c, f->host))
		return false;
	if (f->user_agent && !contains(c->caller_agent, f->user_agent) &&
	    !contains(c->callee_agent, f->user_agent))
		return false;
	if (f->has_time && !overlaps(ctx, c))
		return false;
	return true;
}

void
sc_filter_set_capture_start(struct sc_filter *f, int64_t first_ts)
{
	f->day_ns = day_of(first_ts);
	f->day_known = true;
}

/* Days from 1970-01-01 to @y-@m-@d (proleptic Gregorian; H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Read exactly @n digits at *@p into @v, at most @max. */
static bool
digits(const char **p, const char *end, int n, unsigned max, unsigned *v)
{
	unsigned x = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (*p >= end || **p < '0' || **p > '9')
			return false;
		x = x * 10 + (unsigned)(**p - '0');
	}
	*v = x;
	return x <= max;
}

/* ".123456789": a fraction of a second, optional. */
static bool
fraction(const char *p, const char *end, int64_t *ns)
{
	int64_t scale = NS_PER_S / 10;

	*ns = 0;
	if (p == end)
		return true;
	if (*p++ != '.' || p == end)
		return false;
	for (; p < end; p++, scale /= 10) {
		if (*p < '0' || *p > '9')
			return false;
		*ns += (*p - '0') * scale;
	}
	return true;
}

/* "HH:MM:SS[.frac]" into ns since midnight. */
static bool
parse_clock(const char *p, const char *end, int64_t *ns)
{
	unsigned h, m, s;
	int64_t frac;

	if (!digits(&p, end, 2, 23, &h) || p >= end || *p++ != ':' ||
	    !digits(&p, end, 2, 59, &m) || p >= end || *p++ != ':' ||
	    !digits(&p, end, 2, 60, &s) || !fraction(p, end, &frac))
		return false;
	*ns = ((int64_t)h * 3600 + m * 60 + s) * NS_PER_S + frac;
	return true;
}

/* "YYYY-MM-DD HH:MM:SS[.frac]" (or a 'T' between) into ns since 1970. */
static bool
parse_datetime(const char *p, const char *end, int64_t *ns)
{
	unsigned y, mo, d;
	int64_t clock;

	if (!digits(&p, end, 4, 9999, &y) || p >= end || *p++ != '-' ||
	    !digits(&p, end, 2, 12, &mo) || p >= end || *p++ != '-' ||
	    !digits(&p, end, 2, 31, &d) || mo == 0 || d == 0 || p >= end ||
	    (*p != ' ' && *p != 'T'))
		return false;
	if (!parse_clock(p + 1, end, &clock))
		return false;
	*ns = days_from_civil(y, mo, d) * NS_PER_DAY + clock;
	return true;
}

/* "1700000000[.frac]" into ns since 1970. */
static bool
parse_epoch(const char *p, const char *end, int64_t *ns)
{
	const char *dot = memchr(p, '.', (size_t)(end - p));
	const char *int_end = dot ? dot : end;
	uint64_t v;
	int64_t frac;

	if (!sc_str_to_u64(sc_str_make(p, (size_t)(int_end - p)),
	                   INT64_MAX / NS_PER_S - 1, &v) ||
	    !fraction(int_end, end, &frac))
		return false;
	*ns = (int64_t)v * NS_PER_S + frac;
	return true;
}

/* One side of "FROM..TO"; an empty side is open. */
static bool
parse_time_side(const char *p, size_t n, int64_t open, int64_t *ns,
                bool *of_day)
{
	const char *end = p + n;

	*of_day = false;
	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	if (p == end) {
		*ns = open;
		return true;
	}
	if (end - p >= 10 && p[4] == '-')
		return parse_datetime(p, end, ns);
	if (end - p >= 8 && p[2] == ':') {
		*of_day = true;
		return parse_clock(p, end, ns);
	}
	return parse_epoch(p, end, ns);
}

bool
sc_filter_set_time(struct sc_filter *f, const char *spec)
{
	const char *dots = strstr(spec, "..");

	if (!dots)
		return false;
	if (!parse_time_side(spec, (size_t)(dots - spec), INT64_MIN,
	                     &f->time_from_ns, &f->from_of_day) ||
	    !parse_time_side(dots + 2, strlen(dots + 2), INT64_MAX,
	                     &f->time_to_ns, &f->to_of_day))
		return false;
	f->has_time = true;
	return true;
}
