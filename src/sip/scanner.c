/* scanner.c - the hand scanner: header lines, start line, plain grammar */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "msgdraft.h"

/* ---- header lines -------------------------------------------------------- */

struct hdr {
	struct sc_str name;
	struct sc_str value; /* trimmed; still folded when .folded */
	bool folded;
};

struct hdr_it {
	const char *p;
	const char *end;
	bool last_whole; /* an unterminated last line is complete (the
	                    bytes are whole, only the line end is missing) */
	bool odd;        /* a line oSIP reads otherwise: folded, without
	                    colon or name, unterminated, with a bare CR */
};

/*
 * Next header line. Lines end in LF (CRLF or bare LF); a line starting
 * with SP or HT continues the previous one. Lines without a colon are
 * skipped. Returns false at the blank line that ends the headers (*blank
 * set, it->p on the body) or when no complete line is left (it->p at the
 * end of the last complete line: a line cut short is never read, as its
 * value could be a wrong Call-ID).
 */
static bool
hdr_next(struct hdr_it *it, struct hdr *h, bool *blank)
{
	*blank = false;
	while (it->p < it->end) {
		const char *line = it->p, *lf, *eol, *colon;
		size_t left = (size_t)(it->end - line);

		if (line[0] == '\n' ||
		    (line[0] == '\r' && left >= 2 && line[1] == '\n')) {
			it->p = line + (line[0] == '\n' ? 1 : 2);
			*blank = true;
			return false;
		}
		h->folded = false;
		lf = memchr(line, '\n', left);
		while (lf && it->end - lf > 1 && is_ws(lf[1])) {
			h->folded = true;
			lf = memchr(lf + 1, '\n', (size_t)(it->end - lf - 1));
		}
		/* a last line without its line end is read only when no
		 * byte is missing: a value cut by the snapshot length would
		 * be wrong (a Call-ID "a8" files the message elsewhere) */
		if (!lf && !it->last_whole)
			return false;
		if (!lf) {
			lf = it->end;
			it->p = it->end;
			it->odd = true;
		} else {
			it->p = lf + 1;
		}
		eol = lf;
		if (eol > line && eol[-1] == '\r')
			eol--;
		if (h->folded || memchr(line, '\r', (size_t)(eol - line)))
			it->odd = true;
		colon = memchr(line, ':', (size_t)(eol - line));
		if (!colon) {
			it->odd = true;
			continue;
		}
		h->name = sc_str_trim(view_at(line, colon));
		h->value = sc_str_trim(view_at(colon + 1, eol));
		if (h->name.len == 0) {
			it->odd = true;
			continue;
		}
		return true;
	}
	return false;
}

/* ---- the plain grammar --------------------------------------------------- */

/*
 * oSIP rejects a whole message for one header it cannot parse (Call-ID,
 * From, To, CSeq, Via, Contact, Content-Type, Content-Length, a second
 * one of the single ones, a line without colon), unescapes user parts,
 * strips IPv6 brackets, splits lists its own way and reads quoted
 * strings, display names and start lines with its own rules. Where the
 * message keeps to the plain subset below, read from its source
 * (libosip2 5.x osip_message_parse.c, osip_from.c, osip_uri.c,
 * osip_via.c, osip_cseq.c, osip_call_id.c, osip_content_type.c), the
 * scan gives exactly what oSIP gives, and oSIP need not run. Anything
 * else goes to oSIP. tests/differential checks the claim on every
 * capture we have.
 */

enum {
	C_TOK = 1,  /* RFC 3261 token */
	C_USER = 2, /* user part without escapes or separators */
	C_HOST = 4, /* host name or IPv4 address */
	C_PARAM = 8 /* URI parameter text */
};

/* The classes of ASCII bytes (C_TOK 1, C_USER 2, C_HOST 4, C_PARAM 8). */
static const uint8_t ascii_class[128] = {
	0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	0,  11, 0,  0,  10, 1,  10, 11, 10, 10, 11, 11, 0,  15, 15, 8,
	15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 8,  0,  0,  10, 0,  0,
	0,  15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
	15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 0,  0,  0,  0,  11,
	1,  15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
	15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 0,  0,  0,  11, 0,
};

/*
 * Letters, digits, "-" and "." are of every class; then token adds
 * "!*_+~'%`", user "!*_+~'()&=$", host nothing, param user's and ":/".
 */
static inline unsigned
cclass(unsigned char c)
{
	return c < 128 ? ascii_class[c] : 0;
}

/* @s is not empty and every byte is of class @cls. */
static bool
all_of(struct sc_str s, unsigned cls)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!(cclass((unsigned char)s.p[i]) & cls))
			return false;
	return true;
}

static bool
all_digits(struct sc_str s, size_t max)
{
	if (s.len == 0 || s.len > max)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!sc_ascii_is_digit((unsigned char)s.p[i]))
			return false;
	return true;
}

/* host [":" port]: no IPv6 literal (oSIP rewrites its brackets). */
static bool
plain_hostport(struct sc_str s)
{
	const char *colon = find_char(s, ':');

	if (!colon)
		return all_of(s, C_HOST);
	return all_of(view_at(s.p, colon), C_HOST) &&
	       all_digits(view_at(colon + 1, s.p + s.len), 5);
}

/* *( ";" name [ "=" value ] ) of @cls, nothing empty. */
static bool
plain_params(struct sc_str s, unsigned cls)
{
	while (s.len > 0) {
		struct sc_str item;
		const char *eq;

		if (s.p[0] != ';')
			return false;
		s = view_from(s, 1);
		item = cut_at(s, ';');
		s = view_from(s, item.len);
		eq = find_char(item, '=');
		if (!eq)
			eq = item.p + item.len;
		else if (!all_of(view_at(eq + 1, item.p + item.len), cls))
			return false;
		if (!all_of(view_at(item.p, eq), cls))
			return false;
	}
	return true;
}

/* sip:[user@]host[:port]*(;param), nothing escaped, no headers. */
static bool
plain_sip_uri(struct sc_str u, bool with_params)
{
	struct sc_str rest, hp;
	const char *at;

	if (u.len > 4 && memcmp(u.p, "sip:", 4) == 0)
		rest = view_from(u, 4);
	else if (u.len > 5 && memcmp(u.p, "sips:", 5) == 0)
		rest = view_from(u, 5);
	else
		return false;
	at = find_char(rest, '@');
	if (at) {
		if (!all_of(view_at(rest.p, at), C_USER))
			return false;
		rest = view_at(at + 1, rest.p + rest.len);
	}
	hp = cut_at(rest, ';');
	if (!plain_hostport(hp))
		return false;
	rest = view_from(rest, hp.len);
	return rest.len == 0 || (with_params && plain_params(rest, C_PARAM));
}

/*
 * From, To, Contact: ["display" | display] <plain URI> *(;param) or a
 * plain URI without parameters, then *(;param).
 */
bool
plain_nameaddr(struct sc_str v)
{
	struct sc_str rest = v, uri;
	const char *lt, *gt;

	if (v.len > 0 && v.p[0] == '"') {
		const char *q = find_char(view_from(v, 1), '"');

		if (!q || find_char(view_at(v.p + 1, q), '\\'))
			return false;
		rest = view_at(q + 1, v.p + v.len);
		while (rest.len > 0 && rest.p[0] == ' ')
			rest = view_from(rest, 1);
		if (rest.len == 0 || rest.p[0] != '<')
			return false;
	}
	lt = find_char(rest, '<');
	if (!lt) {
		uri = cut_at(rest, ';');
		return uri.len >= 6 && plain_sip_uri(uri, false) &&
		       plain_params(view_from(rest, uri.len), C_TOK);
	}
	for (const char *c = rest.p; c < lt; c++)
		if (*c != ' ' && !(cclass((unsigned char)*c) & C_TOK))
			return false;
	rest = view_at(lt + 1, rest.p + rest.len);
	gt = find_char(rest, '>');
	if (!gt)
		return false;
	uri = view_at(rest.p, gt);
	return uri.len >= 6 && plain_sip_uri(uri, true) &&
	       plain_params(view_at(gt + 1, rest.p + rest.len), C_TOK);
}

/* "SIP/2.0/" transport SP host[:port] *(;param) */
static bool
plain_via_value(struct sc_str v)
{
	struct sc_str rest, hp;
	size_t i = 8;

	if (v.len <= i || memcmp(v.p, "SIP/2.0/", i) != 0)
		return false;
	/* the transport: letters and digits */
	while (i < v.len && (cclass((unsigned char)v.p[i]) & C_HOST) &&
	       v.p[i] != '.' && v.p[i] != '-')
		i++;
	if (i == 8 || i >= v.len || v.p[i] != ' ')
		return false;
	rest = view_from(v, i + 1);
	hp = cut_at(rest, ';');
	return plain_hostport(hp) &&
	       plain_params(view_from(rest, hp.len), C_TOK);
}

/* Every element of a Via value, split at commas. */
bool
plain_via(struct sc_str v)
{
	if (find_char(v, '"') || find_char(v, '<') || find_char(v, '('))
		return false;
	while (v.len > 0) {
		struct sc_str item = cut_at(v, ',');

		if (!plain_via_value(sc_str_trim(item)))
			return false;
		if (item.len == v.len)
			break;
		v = view_from(v, item.len + 1);
		if (v.len == 0)
			return false; /* a trailing comma */
	}
	return true;
}

/* 1*9DIGIT SP Method */
bool
plain_cseq(struct sc_str v)
{
	const char *sp = find_char(v, ' ');

	return sp && all_digits(view_at(v.p, sp), 9) &&
	       all_of(view_at(sp + 1, v.p + v.len), C_TOK);
}

bool
plain_call_id(struct sc_str v)
{
	if (v.len == 0 || v.p[0] == '@')
		return false;
	for (size_t i = 0; i < v.len; i++)
		if ((unsigned char)v.p[i] <= ' ' ||
		    (unsigned char)v.p[i] >= 0x7f)
			return false;
	return true;
}

/* type "/" subtype *(;name=value), tokens only */
static bool
plain_content_type(struct sc_str v)
{
	const char *slash = find_char(v, '/');
	struct sc_str sub;

	if (!slash || !all_of(view_at(v.p, slash), C_TOK))
		return false;
	sub = cut_at(view_at(slash + 1, v.p + v.len), ';');
	return all_of(sub, C_TOK) &&
	       plain_params(view_at(sub.p + sub.len, v.p + v.len), C_TOK);
}

/*
 * Contact: one plain name-addr per header (no list). oSIP takes any value
 * that starts with "*" whole as a display name (osip_contact_parse()).
 */
bool
plain_contact(struct sc_str v)
{
	return v.len > 0 && v.p[0] != '*' && !find_char(v, ',') &&
	       plain_nameaddr(v);
}

/* Content-Type: empty (oSIP skips it) or type/subtype;params. */
bool
plain_content_type_value(struct sc_str v)
{
	return v.len == 0 || plain_content_type(v);
}

/* ---- the header section -------------------------------------------------- */

/* First pass: layout, presence, Content-Length positions, raw values. */
static void
note_header(struct draft *d, enum hid id, const struct hdr *h,
            const struct hdr_it *it, struct sc_str v)
{
	struct sc_str *keep = NULL;

	d->hdr_end = (size_t)(it->p - d->p);
	d->seen |= HBIT(id);
	if (d->count[id] < UINT8_MAX)
		d->count[id]++;
	if (id == H_CONTENT_LENGTH && v.len > 0 &&
	    !(v.len == 1 && v.p[0] == '0')) {
		d->clen_set = true;
		if (d->nclen < SC_COUNTOF(d->clen_at)) {
			d->clen_at[d->nclen][0] = (size_t)(v.p - d->p);
			d->clen_at[d->nclen][1] = v.len;
		}
		d->nclen++;
	}
	if (id == H_FROM)
		keep = &d->from_raw;
	else if (id == H_TO)
		keep = &d->to_raw;
	else if (id == H_CONTACT)
		keep = &d->contact_raw;
	if (keep && !keep->p)
		*keep = h->folded ? unfold(d, v) : v;
}

void
scan_headers(struct draft *d, uint64_t mask, bool first_pass, bool check_plain)
{
	struct hdr_it it = { d->p + d->hdrs, d->p + d->len, d->whole, false };
	struct hdr h;
	bool blank = false;

	while (hdr_next(&it, &h, &blank)) {
		size_t rank = 0;
		enum hid id = header_id(d, h.name, &rank);
		struct sc_str v = h.value;

		if (first_pass)
			note_header(d, id, &h, &it, v);
		if (check_plain && d->plain && !header_plain(id, v))
			d->plain = false;
		if (id == H_NONE || !(mask & HBIT(id)))
			continue;
		if (h.folded)
			v = unfold(d, v);
		on_header(d, id, rank, v);
	}
	if (check_plain && it.odd)
		d->plain = false;
	if (first_pass) {
		if (blank)
			d->body = (size_t)(it.p - d->p);
		else
			d->hdr_end = (size_t)(it.p - d->p);
	}
}

/* ---- the start line ------------------------------------------------------ */

void
find_start(struct draft *d)
{
	const char *lf;
	size_t i = 0;

	while (i < d->len && (d->p[i] == '\r' || d->p[i] == '\n'))
		i++;
	d->start = i;
	lf = memchr(d->p + i, '\n', d->len - i);
	d->hdrs = lf ? (size_t)(lf - d->p) + 1 : d->len;
	d->hdr_end = d->hdrs;
}

/* The start line without its line end. */
static struct sc_str
start_line(const struct draft *d)
{
	struct sc_str line = view_at(d->p + d->start, d->p + d->hdrs);

	while (line.len > 0 &&
	       (line.p[line.len - 1] == '\n' || line.p[line.len - 1] == '\r'))
		line.len--;
	return line;
}

/*
 * The start line without oSIP: "METHOD SP Request-URI SP SIP/x" or
 * "SIP/x SP 3DIGIT [SP Reason-Phrase]" (RFC 3261 7.1, 7.2). A line cut
 * short still counts once its version (request) or code (response) is
 * there. False when it is neither.
 */
bool
scan_start_line(struct draft *d)
{
	struct sc_str line = start_line(d);
	size_t i = 0, j;

	if (sc_str_has_prefix_nocase(line, "SIP/")) {
		uint64_t code;
		size_t used;
		struct sc_str rest;

		while (i < line.len && line.p[i] != ' ')
			i++;
		rest = view_from(line, i);
		for (i = 0; i < rest.len && rest.p[i] == ' '; i++)
			;
		rest = view_from(rest, i);
		if (!sc_str_lead_u64(rest, 999, &code, &used) || used != 3 ||
		    code < 100 || (used < rest.len && rest.p[used] != ' '))
			return false;
		d->m->is_request = false;
		d->m->status = (int)code;
		set_first(d, F_REASON_PHRASE,
		          sc_str_trim(view_from(rest, used)));
		return true;
	}
	while (i < line.len && sc_ascii_is_token((unsigned char)line.p[i]))
		i++;
	if (i == 0 || i >= line.len || line.p[i] != ' ')
		return false;
	j = i + 1;
	while (j < line.len && line.p[j] != ' ')
		j++;
	if (j == i + 1 || j >= line.len)
		return false;
	if (!sc_str_has_prefix_nocase(sc_str_trim(view_from(line, j)), "SIP/"))
		return false;
	d->m->is_request = true;
	set_first(d, F_METHOD_NAME, sc_str_make(line.p, i));
	uri_parts(d, F_RURI, F_RURI_USER, F_NONE,
	          sc_str_make(line.p + i + 1, j - i - 1));
	return true;
}

/* "SIP/2.0 3DIGIT SP reason" or "METHOD SP plain-URI SP SIP/2.0". */
static bool
plain_start_line(const struct draft *d)
{
	struct sc_str line = start_line(d);
	const char *sp;

	/* a bare CR, or a next line that oSIP would fold into this one */
	if (find_char(line, '\r') || (d->hdrs < d->len && is_ws(d->p[d->hdrs])))
		return false;
	if (line.len >= 12 && memcmp(line.p, "SIP/2.0 ", 8) == 0)
		return all_digits(sc_str_make(line.p + 8, 3), 3) &&
		       line.p[8] != '0' && line.p[11] == ' ';
	sp = find_char(line, ' ');
	if (!sp || !all_of(view_at(line.p, sp), C_TOK))
		return false;
	line = view_at(sp + 1, line.p + line.len);
	sp = find_char(line, ' ');
	return sp && plain_sip_uri(view_at(line.p, sp), true) &&
	       line.p + line.len - sp == 8 && memcmp(sp + 1, "SIP/2.0", 7) == 0;
}

bool
scan_is_plain(const struct draft *d)
{
	if (!d->plain || d->body == SIZE_MAX || !d->whole)
		return false;
	for (unsigned id = H_LINK + 1; id < H__COUNT; id++)
		if (d->count[id] > 1 && header_osip_single((enum hid)id))
			return false;
	return !memchr(d->p, '\0', d->body) && plain_start_line(d);
}
