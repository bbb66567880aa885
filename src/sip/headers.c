/* headers.c - the header table: every header we read, and what it means */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "msgdraft.h"
#include "sipcause/util/load.h"

/* ---- address-like values ------------------------------------------------- */

/* A URI as written into fields @f_uri, @f_user, @f_host (or F_NONE). */
void
uri_parts(struct draft *d, enum fld f_uri, enum fld f_user, enum fld f_host,
          struct sc_str uri)
{
	const char *colon = find_char(uri, ':'), *at;
	struct sc_str scheme, rest, hp, user = { NULL, 0 };

	set_first(d, f_uri, uri);
	if (!colon)
		return;
	scheme = view_at(uri.p, colon);
	rest = view_at(colon + 1, uri.p + uri.len);
	if (sc_str_caseeq_cstr(scheme, "tel")) {
		/* RFC 3966: the number is the "user" */
		set_first(d, f_user, cut_at(rest, ';'));
		return;
	}
	rest = cut_at(rest, '?');
	at = find_char(rest, '@');
	if (at) {
		user = cut_at(view_at(rest.p, at), ':'); /* drop a password */
		hp = view_at(at + 1, rest.p + rest.len);
	} else {
		hp = rest;
	}
	if (hp.len > 0 && hp.p[0] == '[') {
		/* "[IPv6]:port": cut at the first ';' after the bracket */
		const char *rb = find_char(hp, ']');

		if (rb) {
			struct sc_str tail = view_at(rb + 1, hp.p + hp.len);

			hp = view_at(hp.p, rb + 1 + cut_at(tail, ';').len);
		}
	} else {
		hp = cut_at(hp, ';');
	}
	set_first(d, f_user, user);
	set_first(d, f_host, sc_str_trim(hp));
}

struct naddr
naddr_split(struct sc_str v)
{
	struct naddr out = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
	struct sc_str disp = { NULL, 0 }, uri, params, rest;
	const char *lt;
	size_t i = 0;

	v = sc_str_trim(v);
	if (v.len > 0 && v.p[0] == '"') {
		i = quoted_end(v, 0);
		disp = sc_str_make(v.p, i);
	}
	rest = view_from(v, i);
	lt = find_char(rest, '<');
	if (lt) {
		const char *gt;
		struct sc_str in = view_at(lt + 1, rest.p + rest.len);

		if (!disp.p)
			disp = sc_str_trim(view_at(rest.p, lt));
		gt = find_char(in, '>');
		uri = sc_str_trim(gt ? view_at(in.p, gt) : in);
		params = gt ? view_at(gt + 1, in.p + in.len)
		            : sc_str_make(in.p + in.len, 0);
	} else {
		/* addr-spec: ';' starts the header parameters */
		uri = sc_str_trim(cut_at(rest, ';'));
		params = params_of(rest);
	}
	out.disp = disp;
	out.uri = uri;
	out.params = params;
	return out;
}

/*
 * A name-addr into the nameaddr fields at @base; returns the header
 * parameters after the address.
 */
static struct sc_str
nameaddr_raw(struct draft *d, enum fld base, struct sc_str v)
{
	struct naddr a = naddr_split(v);

	if (a.disp.p && a.disp.len > 0)
		set_first(d, na(base, NA_DISPLAY), unquote(d, a.disp));
	if (a.uri.len > 0)
		uri_parts(d, na(base, NA_URI), na(base, NA_USER),
		          na(base, NA_HOST), a.uri);
	return a.params;
}

/* Tag and other parameters of a From/To/Contact. */
static void
nameaddr_tag(struct draft *d, enum fld base, struct sc_str params)
{
	struct sc_str tag;

	if (param_find(params, "tag", &tag))
		set_first(d, na(base, NA_TAG), tag);
}

/* "SIP/2.0/UDP host:port;branch=..;received=.." (RFC 3261 20.42). */
static void
via_raw(struct draft *d, struct sc_str top)
{
	const char *s1 = find_char(top, '/'), *s2 = NULL;
	struct sc_str rest = top, tr, sent_by, params, v;
	size_t i = 0;

	if (s1)
		s2 = find_char(view_at(s1 + 1, top.p + top.len), '/');
	if (s2) {
		rest = view_at(s2 + 1, top.p + top.len);
		while (i < rest.len && is_ws(rest.p[i]))
			i++;
		rest = view_from(rest, i);
		i = 0;
		while (i < rest.len && !is_ws(rest.p[i]) && rest.p[i] != ';')
			i++;
		tr = sc_str_make(rest.p, i);
		set_first(d, F_VIA_TRANSPORT, tr);
		rest = view_from(rest, i);
	}
	sent_by = sc_str_trim(cut_at(rest, ';'));
	set_first(d, F_VIA_SENT_BY, sent_by);
	params = params_of(rest);
	if (param_find(params, "branch", &v))
		set_first(d, F_VIA_BRANCH, v);
	if (param_find(params, "received", &v))
		set_first(d, F_VIA_RECEIVED, v);
}

/* "Digest username="a", realm="b"" (RFC 3261 25.1, RFC 7616). */
static bool
auth_param(struct sc_str v, const char *name, struct sc_str *val)
{
	size_t i = 0;

	while (i < v.len && !is_ws(v.p[i]))
		i++; /* the scheme */
	return param_find_sep(view_from(v, i), ',', name, val);
}

/* Reason (RFC 3326): protocol;cause=N;text="..", comma-separated. */
static void
reason_hdr(struct draft *d, struct sc_str v)
{
	struct sc_str rest = v, item, cause, text;

	join(d, F_REASON_HDR, v);
	while (list_next(&rest, &item)) {
		struct sc_str proto = sc_str_trim(cut_at(item, ';'));
		struct sc_str params = params_of(item);
		int64_t c;

		if (!param_find(params, "cause", &cause))
			continue;
		c = lead_int(unquote(d, cause), INT_MAX);
		if (sc_str_caseeq_cstr(proto, "Q.850") &&
		    d->m->q850_cause < 0 && c >= 0) {
			d->m->q850_cause = (int)c;
			if (param_find(params, "text", &text))
				set_first(d, F_Q850_TEXT, unquote(d, text));
		} else if (sc_str_caseeq_cstr(proto, "SIP") &&
		           d->m->sip_reason_cause < 0 && c >= 0) {
			d->m->sip_reason_cause = (int)c;
		}
	}
}

/* Warning (RFC 3261 20.43): 3DIGIT SP agent SP quoted-text. */
static void
warning_hdr(struct draft *d, struct sc_str v)
{
	struct sc_str w = list_first(v), agent;
	uint64_t code;
	size_t used, i;

	if (!w.p || !sc_str_lead_u64(w, 999, &code, &used) || used != 3)
		return;
	d->m->warning_code = (int)code;
	w = view_from(w, used);
	for (i = 0; i < w.len && is_ws(w.p[i]); i++)
		;
	w = view_from(w, i);
	for (i = 0; i < w.len && !is_ws(w.p[i]); i++)
		;
	agent = sc_str_make(w.p, i);
	set_first(d, F_WARNING_AGENT, agent);
	set_first(d, F_WARNING_TEXT, unquote(d, view_from(w, i)));
}

/* ---- one parser per kind of header --------------------------------------- */

struct hdesc;
typedef void hparse_fn(struct draft *d, const struct hdesc *h, struct sc_str v);

/*
 * One row per header: its name (lower case), compact form, the group
 * whose first occurrence is the only one read (H_NONE: every occurrence
 * is), the field it fills and how; for the headers oSIP may reject a
 * message for, the plain grammar where the scan reads what oSIP reads,
 * and whether oSIP rejects a second one. Both paths read headers through
 * this table; oSIP, when it runs, only replaces the rows of H_OSIP_OWNED.
 */
struct hdesc {
	const char *name;
	size_t len;
	char compact;  /* RFC 3261 7.3.3, 3515, 4028, 6665; 0: none */
	enum hid once; /* H_NONE: every occurrence is read */
	enum fld fld;  /* string field, or F_NONE */
	size_t num;    /* offset of an int64_t field of struct sc_msg */
	hparse_fn *parse;
	bool (*plain)(struct sc_str v); /* NULL: oSIP never rejects it */
	bool osip_single;               /* oSIP rejects a second one */
	/*
	 * Instead of @plain, for the headers whose check finds their parts
	 * anyway: the check that also reads the value as @parse would
	 * (when @store).
	 */
	bool (*plain_read)(struct draft *d, const struct hdesc *h,
	                   struct sc_str v, bool store);
};

static void
p_string(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	set_first(d, h->fld, v);
}

static void
p_join(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	join(d, h->fld, v);
}

/* Seconds and other counts: int64_t, -1 when unreadable. */
static void
p_i64(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	int64_t n = lead_int(v, UINT32_MAX);

	memcpy((char *)d->m + h->num, &n, sizeof(n));
}

static void
p_max_forwards(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	(void)h;
	d->m->max_forwards = (int)lead_int(v, INT_MAX);
}

static void
p_content_length(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	uint64_t n;

	(void)h;
	if (sc_str_to_u64(v, UINT32_MAX, &n))
		d->m->content_length = (int64_t)n;
}

static void
p_server(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	(void)h;
	d->server = v;
}

/* From, To: a name-addr and its tag. */
static void
p_nameaddr(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	nameaddr_tag(d, h->fld, nameaddr_raw(d, h->fld, v));
}

/* Contact: the first one, its tag and expires=. */
static void
p_contact(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	struct sc_str x = list_first(v), params;

	(void)h;
	if (!x.p)
		return;
	params = nameaddr_raw(d, F_CONTACT_DISPLAY, x);
	nameaddr_tag(d, F_CONTACT_DISPLAY, params);
	if (param_find(params, "expires", &x))
		d->m->contact_expires = lead_int(unquote(d, x), UINT32_MAX);
}

/* CSeq: 1*DIGIT LWS Method (RFC 3261 20.16). */
static void
p_cseq(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	struct sc_str x;
	uint64_t n;
	size_t used, i;

	(void)h;
	if (sc_str_lead_u64(v, UINT32_MAX, &n, &used))
		d->m->cseq = (uint32_t)n;
	else
		used = 0;
	x = view_from(v, used);
	for (i = 0; i < x.len && is_ws(x.p[i]); i++)
		;
	x = view_from(x, i);
	for (i = 0; i < x.len && !is_ws(x.p[i]); i++)
		;
	set_first(d, F_CSEQ_METHOD, sc_str_make(x.p, i));
}

/* Via: every value counts; the top one is read. */
static void
p_via(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	struct sc_str x;

	(void)h;
	d->m->via_count += list_count(v);
	if (!(d->done & HBIT(H_VIA)) && (x = list_first(v)).p) {
		d->done |= HBIT(H_VIA);
		via_raw(d, x);
	}
}

static void
p_record_route(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	(void)h;
	d->m->record_route_count += list_count(v);
}

static void
p_reason(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	(void)h;
	reason_hdr(d, v);
}

static void
p_warning(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	(void)h;
	warning_hdr(d, v);
}

/* Authorization, Proxy-Authorization: credentials, user and realm. */
static void
p_credentials(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	struct sc_str x;

	(void)h;
	d->m->has_credentials = true;
	if (auth_param(v, "username", &x))
		set_first(d, F_AUTH_USER, unquote(d, x));
	if (auth_param(v, "realm", &x))
		set_first(d, F_AUTH_REALM, unquote(d, x));
}

/* WWW-Authenticate, Proxy-Authenticate: the realm asked for. */
static void
p_challenge(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	struct sc_str x;

	(void)h;
	if (auth_param(v, "realm", &x))
		set_first(d, F_CHALLENGE_REALM, unquote(d, x));
}

/* Session-ID (RFC 7989): local-uuid *(SEMI sess-id-param), remote=. */
static void
p_session_id(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	struct sc_str x;

	(void)h;
	set_first(d, F_SESSION_ID, sc_str_trim(cut_at(v, ';')));
	if (param_find(params_of(v), "remote", &x))
		set_first(d, F_SESSION_ID_REMOTE, unquote(d, x));
}

/* P-Charging-Vector (RFC 7315 4.6): icid-value=...;icid-generated-at=. */
static void
p_charging_vector(struct draft *d, const struct hdesc *h, struct sc_str v)
{
	struct sc_str x;

	(void)h;
	if (param_find(v, "icid-value", &x))
		set_first(d, F_ICID, unquote(d, x));
}

/* From, To: checked and read in one pass (scanner.c). */
static bool
r_nameaddr(struct draft *d, const struct hdesc *h, struct sc_str v, bool store)
{
	return plain_read_nameaddr(d, h->fld, v, false, store);
}

static bool
r_contact(struct draft *d, const struct hdesc *h, struct sc_str v, bool store)
{
	(void)h;
	return plain_read_nameaddr(d, F_CONTACT_DISPLAY, v, true, store);
}

static bool
r_via(struct draft *d, const struct hdesc *h, struct sc_str v, bool store)
{
	(void)h;
	return plain_read_via(d, v, store);
}

static bool
r_cseq(struct draft *d, const struct hdesc *h, struct sc_str v, bool store)
{
	(void)h;
	return plain_read_cseq(d, v, store);
}

/* ---- the table ----------------------------------------------------------- */

#define HD(s, c, once, fld, num, fn)                                       \
	{                                                                  \
		s, sizeof(s) - 1, c, once, fld, num, fn, NULL, false, NULL \
	}
/* a header oSIP parses and rejects the message for (osip_parser_cfg.c) */
#define HO(s, c, once, fld, fn, plain, single)                             \
	{                                                                  \
		s, sizeof(s) - 1, c, once, fld, 0, fn, plain, single, NULL \
	}
/* one of those, whose plain check reads it too */
#define HR(s, c, once, fld, fn, plain_read, single)                  \
	{                                                            \
		s, sizeof(s) - 1, c, once, fld, 0, fn, NULL, single, \
		        plain_read                                   \
	}
#define NUM(member) offsetof(struct sc_msg, member)

static const struct hdesc hdesc[H__COUNT] = {
	[H_CALL_ID] = HO("call-id", 'i', H_CALL_ID, F_CALL_ID, p_string,
	                 plain_call_id, true),
	[H_FROM] = HR("from", 'f', H_FROM, F_FROM_DISPLAY, p_nameaddr,
	              r_nameaddr, true),
	[H_TO] =
	        HR("to", 't', H_TO, F_TO_DISPLAY, p_nameaddr, r_nameaddr, true),
	[H_CSEQ] = HR("cseq", 0, H_CSEQ, F_NONE, p_cseq, r_cseq, true),
	[H_VIA] = HR("via", 'v', H_NONE, F_NONE, p_via, r_via, false),
	[H_CONTACT] = HR("contact", 'm', H_CONTACT, F_NONE, p_contact,
	                 r_contact, false),
	[H_RECORD_ROUTE] =
	        HD("record-route", 0, H_NONE, F_NONE, 0, p_record_route),
	[H_USER_AGENT] =
	        HD("user-agent", 0, H_USER_AGENT, F_USER_AGENT, 0, p_string),
	[H_SERVER] = HD("server", 0, H_SERVER, F_NONE, 0, p_server),
	[H_MAX_FORWARDS] = HD("max-forwards", 0, H_MAX_FORWARDS, F_NONE, 0,
	                      p_max_forwards),
	[H_REASON] = HD("reason", 0, H_NONE, F_NONE, 0, p_reason),
	[H_WARNING] = HD("warning", 0, H_WARNING, F_NONE, 0, p_warning),
	[H_RETRY_AFTER] = HD("retry-after", 0, H_RETRY_AFTER, F_NONE,
	                     NUM(retry_after), p_i64),
	[H_EXPIRES] = HD("expires", 0, H_EXPIRES, F_NONE, NUM(expires), p_i64),
	[H_SESSION_EXPIRES] = HD("session-expires", 'x', H_SESSION_EXPIRES,
	                         F_NONE, NUM(session_expires), p_i64),
	[H_MIN_SE] = HD("min-se", 0, H_MIN_SE, F_NONE, NUM(min_se), p_i64),
	[H_MIN_EXPIRES] = HD("min-expires", 0, H_MIN_EXPIRES, F_NONE,
	                     NUM(min_expires), p_i64),
	[H_ACCEPT] = HD("accept", 0, H_NONE, F_ACCEPT, 0, p_join),
	[H_REQUIRE] = HD("require", 0, H_NONE, F_REQUIRE, 0, p_join),
	[H_SUPPORTED] = HD("supported", 'k', H_NONE, F_SUPPORTED, 0, p_join),
	[H_UNSUPPORTED] =
	        HD("unsupported", 0, H_NONE, F_UNSUPPORTED, 0, p_join),
	[H_ALLOW] = HD("allow", 0, H_NONE, F_ALLOW, 0, p_join),
	[H_ALLOW_EVENTS] =
	        HD("allow-events", 'u', H_NONE, F_ALLOW_EVENTS, 0, p_join),
	[H_EVENT] = HD("event", 'o', H_EVENT, F_EVENT, 0, p_string),
	[H_SUBSCRIPTION_STATE] =
	        HD("subscription-state", 0, H_SUBSCRIPTION_STATE,
	           F_SUBSCRIPTION_STATE, 0, p_string),
	/* the two credential headers share one "first", as do challenges */
	[H_AUTHORIZATION] = HD("authorization", 0, H_AUTHORIZATION, F_NONE, 0,
	                       p_credentials),
	[H_PROXY_AUTHORIZATION] = HD("proxy-authorization", 0, H_AUTHORIZATION,
	                             F_NONE, 0, p_credentials),
	[H_WWW_AUTHENTICATE] = HD("www-authenticate", 0, H_WWW_AUTHENTICATE,
	                          F_NONE, 0, p_challenge),
	[H_PROXY_AUTHENTICATE] = HD("proxy-authenticate", 0, H_WWW_AUTHENTICATE,
	                            F_NONE, 0, p_challenge),
	[H_SESSION_ID] =
	        HD("session-id", 0, H_SESSION_ID, F_NONE, 0, p_session_id),
	[H_P_CHARGING_VECTOR] = HD("p-charging-vector", 0, H_P_CHARGING_VECTOR,
	                           F_NONE, 0, p_charging_vector),
	[H_CONTENT_TYPE] =
	        HO("content-type", 'c', H_CONTENT_TYPE, F_CONTENT_TYPE,
	           p_string, plain_content_type_value, true),
	/* any value: oSIP is handed "0" (osip_glue.c) */
	[H_CONTENT_LENGTH] = HO("content-length", 'l', H_CONTENT_LENGTH, F_NONE,
	                        p_content_length, NULL, true),
};

#undef NUM
#undef HR
#undef HO
#undef HD

bool
header_check(struct draft *d, enum hid id, struct sc_str v, bool *read)
{
	const struct hdesc *hd;
	bool store;

	if (read)
		*read = false;
	if (id <= H_LINK || id >= H__COUNT)
		return true;
	hd = &hdesc[id];
	if (!hd->plain_read)
		return !hd->plain || hd->plain(v);
	/* the table's "once": only the first is read, as on_header() does */
	store = read && (hd->once == H_NONE || !(d->done & HBIT(hd->once)));
	if (!hd->plain_read(d, hd, v, store))
		return false;
	if (store && hd->once != H_NONE)
		d->done |= HBIT(hd->once);
	if (read)
		*read = true;
	return true;
}

bool
header_osip_single(enum hid id)
{
	return id > H_LINK && id < H__COUNT && hdesc[id].osip_single;
}

void
header_index_init(struct hindex *ix)
{
	memset(ix, 0, sizeof(*ix));
	for (unsigned h = H_NONE + 1; h < H__COUNT; h++) {
		const struct hdesc *hd = &hdesc[h];
		uint8_t *row;
		size_t i = 0;

		if (!hd->name)
			continue;
		row = ix->by_letter[hd->name[0] - 'a'];
		while (row[i] != H_NONE)
			i++; /* rows are sized for the table (SC_HINDEX_ROW) */
		row[i] = (uint8_t)h;
		if (hd->compact)
			ix->compact[hd->compact - 'a'] = (uint8_t)h;
	}
}

/*
 * Header names are lower-case letters, digits and '-': a byte of the
 * name matches when it equals the letter of @lname with bit 0x20 set
 * where @lname has a letter (bit 0x40 set), and exactly elsewhere, so
 * that no other byte (a CR is '-' with 0x20 cleared) passes for one.
 */
static inline bool
eq8(const char *s, const char *lname)
{
	uint64_t l = sc_load_u64(lname);

	return (sc_load_u64(s) | ((l & UINT64_C(0x4040404040404040)) >> 1)) ==
	       l;
}

static inline bool
eq4(const char *s, const char *lname)
{
	uint32_t l = sc_load_u32(lname);

	return (sc_load_u32(s) | ((l & UINT32_C(0x40404040)) >> 1)) == l;
}

/* @s equals @lname (lower case, @s.len bytes) ASCII case-insensitively. */
static bool
eq_lower(struct sc_str s, const char *lname)
{
	size_t i;

	if (s.len >= 4 && s.len < 8) /* two words, overlapping */
		return eq4(s.p, lname) &&
		       eq4(s.p + s.len - 4, lname + s.len - 4);
	if (s.len < 4) {
		for (i = 0; i < s.len; i++)
			if (((unsigned char)s.p[i] |
			     ((lname[i] & 0x40) >> 1)) !=
			    (unsigned char)lname[i])
				return false;
		return true;
	}
	/* 8 bytes at a time, the last 8 overlapping */
	for (i = 0; i + 8 < s.len; i += 8)
		if (!eq8(s.p + i, lname + i))
			return false;
	return eq8(s.p + s.len - 8, lname + s.len - 8);
}

enum hid
header_id(const struct draft *d, struct sc_str name, size_t *rank)
{
	char c = name.len ? sc_ascii_lower(name.p[0]) : 0;

	if (c >= 'a' && c <= 'z') {
		if (name.len == 1)
			return (enum hid)d->ix->compact[c - 'a'];
		for (const uint8_t *h = d->ix->by_letter[c - 'a']; *h != H_NONE;
		     h++)
			if (hdesc[*h].len == name.len &&
			    eq_lower(name, hdesc[*h].name))
				return (enum hid) * h;
	}
	for (size_t i = 0; i < d->nlink; i++) {
		if (d->link[i].len == name.len &&
		    sc_str_caseeq(name, d->link[i])) {
			*rank = i;
			return H_LINK;
		}
	}
	return H_NONE;
}

void
on_header(struct draft *d, enum hid id, size_t rank, struct sc_str v)
{
	const struct hdesc *hd;

	if (id == H_LINK) {
		if (rank < d->link_rank && v.len > 0) {
			d->s[F_X_CALL_ID] = v;
			d->set |= UINT64_C(1) << F_X_CALL_ID;
			d->link_rank = rank;
		}
		return;
	}
	if (id <= H_LINK || id >= H__COUNT)
		return;
	hd = &hdesc[id];
	if (hd->once != H_NONE) {
		if (d->done & HBIT(hd->once))
			return;
		d->done |= HBIT(hd->once);
	}
	hd->parse(d, hd, v);
}
