/* scanner.c - the hand scanner: header lines, start line, plain grammar */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "msgdraft.h"
#include "sipcause/util/load.h"

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
 * The first LF in [@p, @end) (NULL when none), with the first ':' and
 * the first CR before it (or before @end) in *@colon and *@cr (NULL when
 * none): the three searches of a header line in one pass over it.
 */
static const char *
line_scan(const char *p, const char *end, const char **colon, const char **cr)
{
	*colon = NULL;
	*cr = NULL;
#ifdef __SSE2__
	const __m128i lf16 = _mm_set1_epi8('\n'), cr16 = _mm_set1_epi8('\r'),
	              colon16 = _mm_set1_epi8(':');

	/* CR and LF looked for together: the first of them is the CR of a
	 * CRLF or the LF on nearly every line; the colon only until found */
	for (; end - p >= 16; p += 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned eol = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		        _mm_cmpeq_epi8(b, lf16), _mm_cmpeq_epi8(b, cr16)));
		const char *at;

		if (!*colon) {
			unsigned co = (unsigned)_mm_movemask_epi8(
			        _mm_cmpeq_epi8(b, colon16));

			if (eol)
				co &= (eol & -eol) - 1; /* bytes before it */
			if (co)
				*colon = p + __builtin_ctz(co);
		}
		if (!eol)
			continue;
		at = p + __builtin_ctz(eol);
		if (*at == '\n')
			return at;
		*cr = at;
		if (end - at > 1 && at[1] == '\n')
			return at + 1;
		p = at + 1; /* a bare CR: the rest of the line byte by byte */
		break;
	}
#endif
	for (; p < end; p++) {
		if (*p == '\n')
			return p;
		if (*p == ':' && !*colon)
			*colon = p;
		else if (*p == '\r' && !*cr)
			*cr = p;
	}
	return NULL;
}

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
		const char *line = it->p, *lf, *eol, *colon, *cr;
		size_t left = (size_t)(it->end - line);

		if (line[0] == '\n' ||
		    (line[0] == '\r' && left >= 2 && line[1] == '\n')) {
			it->p = line + (line[0] == '\n' ? 1 : 2);
			*blank = true;
			return false;
		}
		h->folded = false;
		lf = line_scan(line, it->end, &colon, &cr);
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
		if (h->folded) {
			/* rare: the colon may be on a continuation line */
			it->odd = true;
			if (!colon)
				colon = memchr(line, ':', (size_t)(eol - line));
		} else if (cr && cr < eol) {
			it->odd = true;
		}
		if (!colon || colon >= eol) {
			it->odd = true;
			continue;
		}
		h->name = sc_str_trim_span(line, colon);
		h->value = sc_str_trim_span(colon + 1, eol);
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

/*
 * The classes of bytes (C_TOK 1, C_USER 2, C_HOST 4, C_PARAM 8); none
 * past ASCII: 256 entries, so that a lookup needs no range check.
 */
static const uint8_t byte_class[256] = {
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
	return byte_class[c];
}

/*
 * The bytes every class has (letters, digits, "-", ".") that start @p,
 * counted 16 at a time while 16 are left; most of a URI, host, tag or
 * branch is made of them.
 */
static inline size_t
common_run(const char *p, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	const __m128i case_bit = _mm_set1_epi8(0x20);
	const __m128i before_a = _mm_set1_epi8('a' - 1),
	              after_z = _mm_set1_epi8('z' + 1);
	const __m128i before_dash = _mm_set1_epi8('-' - 1),
	              after_9 = _mm_set1_epi8('9' + 1),
	              slash = _mm_set1_epi8('/');

	for (; n - i >= 16; i += 16) {
		__m128i b =
		        _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		/* bytes past ASCII are negative: out of both ranges */
		__m128i lower = _mm_or_si128(b, case_bit);
		__m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, before_a),
		                               _mm_cmplt_epi8(lower, after_z));
		/* "-" to "9" is "-./0123456789": all but "/" */
		__m128i digit = _mm_andnot_si128(
		        _mm_cmpeq_epi8(b, slash),
		        _mm_and_si128(_mm_cmpgt_epi8(b, before_dash),
		                      _mm_cmplt_epi8(b, after_9)));
		unsigned other = ~(unsigned)_mm_movemask_epi8(
		                         _mm_or_si128(letter, digit)) &
		                 0xffff;

		if (other)
			return i + (size_t)__builtin_ctz(other);
	}
#endif
	(void)p;
	return i;
}

/*
 * The length of the run of bytes of class @cls that starts @s at @i: a
 * parameter's value (a branch, a tag) is long enough to be walked
 * mostly 16 bytes at a time; shorter runs are not (the setup costs
 * more than it saves).
 */
static inline size_t
class_run(struct sc_str s, size_t i, unsigned cls)
{
	size_t start = i;

	for (;;) {
		i += common_run(s.p + i, s.len - i);
		if (i >= s.len || !(cclass((unsigned char)s.p[i]) & cls))
			return i - start;
		i++;
	}
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

/*
 * The length of the host [":" port] that starts @s and ends it or ends
 * at a ';' (no IPv6 literal: oSIP rewrites its brackets); 0 when @s does
 * not start with one. One pass: the walk stops where the host ends.
 */
static size_t
plain_hostport_len(struct sc_str s)
{
	size_t i = 0, port;

	while (i < s.len && (cclass((unsigned char)s.p[i]) & C_HOST))
		i++;
	if (i == 0)
		return 0;
	if (i < s.len && s.p[i] == ':') {
		port = ++i;
		while (i < s.len && sc_ascii_is_digit((unsigned char)s.p[i]))
			i++;
		if (i == port || i - port > 5)
			return 0;
	}
	return i == s.len || s.p[i] == ';' ? i : 0;
}

/*
 * The @len bytes at @p, any case, are @lower (lower-case letters only,
 * 1 to 8 of them): two overlapping words, each byte ORed with 0x20,
 * which makes only 'A'-'Z' of any byte a lower-case letter.
 */
static inline bool
letters_eq(const char *p, const char *lower, size_t len)
{
	if (len >= 4)
		return (sc_load_u32(p) | UINT32_C(0x20202020)) ==
		               sc_load_u32(lower) &&
		       (sc_load_u32(p + len - 4) | UINT32_C(0x20202020)) ==
		               sc_load_u32(lower + len - 4);
	if (len >= 2)
		return (uint16_t)(sc_load_u16(p) | 0x2020) ==
		               sc_load_u16(lower) &&
		       (uint16_t)(sc_load_u16(p + len - 2) | 0x2020) ==
		               sc_load_u16(lower + len - 2);
	return len == 1 && (p[0] | 0x20) == lower[0];
}

/*
 * A parameter looked for while a list of them is checked: the first one
 * of that name counts, as in param_find() (.val.p NULL: none).
 */
struct want {
	const char *name; /* lower-case letters, at most 8 */
	size_t len;
	struct sc_str val; /* empty for a parameter without value */
};

/*
 * *( ";" name [ "=" value ] ) of @cls, nothing empty (the value may hold
 * '=' where @cls has it); the @nwant parameters of @want found on the
 * way. One walk: each run stops where its part ends.
 */
static bool
plain_params(struct sc_str s, unsigned cls, struct want *want, size_t nwant)
{
	size_t i = 0;

	while (i < s.len) {
		size_t name, name_end, val;

		if (s.p[i] != ';')
			return false;
		name = ++i;
		while (i < s.len && s.p[i] != '=' &&
		       (cclass((unsigned char)s.p[i]) & cls))
			i++;
		if (i == name)
			return false;
		name_end = i;
		val = i;
		if (i < s.len && s.p[i] == '=') {
			val = ++i;
			i += class_run(s, i, cls);
			if (i == val)
				return false;
		}
		if (i < s.len && s.p[i] != ';')
			return false;
		for (size_t w = 0; w < nwant; w++) {
			if (want[w].val.p || name_end - name != want[w].len ||
			    !letters_eq(s.p + name, want[w].name, want[w].len))
				continue;
			want[w].val = sc_str_make(s.p + val, i - val);
		}
	}
	return true;
}

/*
 * sip:[user@]host[:port]*(;param), nothing escaped, no headers; its
 * user (.p NULL when none) and host[:port] in @parts when not NULL.
 */
struct uri_view {
	struct sc_str user, hostport;
};

static bool
plain_sip_uri(struct sc_str u, bool with_params, struct uri_view *parts)
{
	struct sc_str rest, user = { NULL, 0 };
	size_t i = 0, hp;

	if (u.len > 4 && memcmp(u.p, "sip:", 4) == 0)
		rest = view_from(u, 4);
	else if (u.len > 5 && memcmp(u.p, "sips:", 5) == 0)
		rest = view_from(u, 5);
	else
		return false;
	/* the user is all that comes before the first '@' */
	while (i < rest.len && (cclass((unsigned char)rest.p[i]) & C_USER))
		i++;
	if (i < rest.len && rest.p[i] == '@') {
		if (i == 0)
			return false;
		user = sc_str_make(rest.p, i);
		rest = view_from(rest, i + 1);
	} else if (find_char(view_from(rest, i), '@')) {
		return false; /* a user with a byte out of its class */
	}
	hp = plain_hostport_len(rest);
	if (hp == 0 ||
	    (hp < rest.len && !(with_params && plain_params(view_from(rest, hp),
	                                                    C_PARAM, NULL, 0))))
		return false;
	if (parts) {
		parts->user = user;
		parts->hostport = sc_str_make(rest.p, hp);
	}
	return true;
}

/* A plain name-addr or addr-spec, as uri_parts() and naddr_split() read it. */
struct plain_naddr {
	struct sc_str display; /* without quotes; may be empty */
	struct sc_str uri;
	struct uri_view parts;
};

/*
 * From, To, Contact: ["display" | display] <plain URI> *(;param) or a
 * plain URI without parameters, then *(;param) (@want found in them).
 */
static bool
plain_nameaddr_parts(struct sc_str v, struct plain_naddr *a, struct want *want,
                     size_t nwant)
{
	struct sc_str rest = v;
	const char *lt, *gt;

	a->display = sc_str_make(v.p, 0);
	if (v.len > 0 && v.p[0] == '"') {
		const char *q = find_char(view_from(v, 1), '"');

		if (!q || find_char(view_at(v.p + 1, q), '\\'))
			return false;
		a->display = view_at(v.p + 1, q);
		rest = view_at(q + 1, v.p + v.len);
		while (rest.len > 0 && rest.p[0] == ' ')
			rest = view_from(rest, 1);
		if (rest.len == 0 || rest.p[0] != '<')
			return false;
	}
	lt = find_char(rest, '<');
	if (!lt) {
		a->uri = cut_at(rest, ';');
		return a->uri.len >= 6 &&
		       plain_sip_uri(a->uri, false, &a->parts) &&
		       plain_params(view_from(rest, a->uri.len), C_TOK, want,
		                    nwant);
	}
	for (const char *c = rest.p; c < lt; c++)
		if (*c != ' ' && !(cclass((unsigned char)*c) & C_TOK))
			return false;
	if (rest.p == v.p) /* unquoted: the text before '<', trimmed */
		a->display = sc_str_trim(view_at(v.p, lt));
	rest = view_at(lt + 1, rest.p + rest.len);
	gt = find_char(rest, '>');
	if (!gt)
		return false;
	a->uri = view_at(rest.p, gt);
	return a->uri.len >= 6 && plain_sip_uri(a->uri, true, &a->parts) &&
	       plain_params(view_at(gt + 1, rest.p + rest.len), C_TOK, want,
	                    nwant);
}

/* A From or To value (@contact false) or a Contact's, read. */
static bool
nameaddr_value(struct sc_str v, bool contact, struct value_parts *out)
{
	struct want want[2] = { { "tag", 3, { NULL, 0 } },
		                { "expires", 7, { NULL, 0 } } };
	struct plain_naddr a;

	/* Contact: one name-addr per header (no list); oSIP takes a value
	 * that starts with "*" whole as a display name (osip_contact_parse())
	 */
	if (contact && (v.len == 0 || v.p[0] == '*' || find_char(v, ',')))
		return false;
	if (!plain_nameaddr_parts(v, &a, want, contact ? 2 : 1))
		return false;
	out->part[NA_DISPLAY] = a.display;
	out->part[NA_URI] = a.uri;
	out->part[NA_USER] = a.parts.user;
	out->part[NA_HOST] = a.parts.hostport;
	out->part[NA_TAG] = want[0].val;
	out->part[VALUE_EXPIRES] = want[1].val;
	return true;
}

static bool
from_to_value(struct sc_str v, struct value_parts *out)
{
	return nameaddr_value(v, false, out);
}

static bool
contact_value(struct sc_str v, struct value_parts *out)
{
	return nameaddr_value(v, true, out);
}

/* What memo_read() tells the readers apart by. */
enum { READ_FROM_TO, READ_CONTACT, READ_VIA };

bool
plain_read_nameaddr(struct draft *d, enum fld base, struct sc_str v,
                    bool contact, bool store)
{
	struct value_parts a;

	if (!memo_read(d->memo, contact ? contact_value : from_to_value,
	               contact ? READ_CONTACT : READ_FROM_TO, v, &a))
		return false;
	if (!store)
		return true;
	for (int part = NA_DISPLAY; part <= NA_TAG; part++)
		set_first(d, na(base, part), a.part[part]);
	if (contact && a.part[VALUE_EXPIRES].p)
		d->m->contact_expires =
		        lead_int(a.part[VALUE_EXPIRES], UINT32_MAX);
	return true;
}

/* The top Via as via_raw() reads it (headers.c). */
struct via_view {
	struct sc_str transport, sent_by;
	struct want param[2]; /* branch, received */
};

/* "SIP/2.0/" transport SP host[:port] *(;param); its parts in @top. */
static bool
plain_via_value(struct sc_str v, struct via_view *top)
{
	struct sc_str rest;
	size_t hp;
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
	hp = plain_hostport_len(rest);
	if (top) {
		top->transport = sc_str_make(v.p + 8, i - 8);
		top->sent_by = sc_str_make(rest.p, hp);
	}
	return hp > 0 && plain_params(view_from(rest, hp), C_TOK,
	                              top ? top->param : NULL, top ? 2 : 0);
}

/*
 * Every element of a Via value, split at commas: their number in *n,
 * the first one's parts in @top (when not NULL).
 */
static bool
plain_via_list(struct sc_str v, struct via_view *top, unsigned *n)
{
	/* a quote, '<' or '(' (where a comma could be quoted) is in no
	 * class plain_via_value() lets through: no search for them first */
	*n = 0;
	while (v.len > 0) {
		struct sc_str item = cut_at(v, ',');

		if (!plain_via_value(sc_str_trim(item), *n == 0 ? top : NULL))
			return false;
		++*n;
		if (item.len == v.len)
			break;
		v = view_from(v, item.len + 1);
		if (v.len == 0)
			return false; /* a trailing comma */
	}
	return true;
}

/* A Via value, read: its elements and the first one's parts. */
static bool
via_value(struct sc_str v, struct value_parts *out)
{
	struct via_view top = { .param = { { "branch", 6, { NULL, 0 } },
		                           { "received", 8, { NULL, 0 } } } };

	if (!plain_via_list(v, &top, &out->n))
		return false;
	out->part[VIA_TRANSPORT] = top.transport;
	out->part[VIA_SENT_BY] = top.sent_by;
	out->part[VIA_BRANCH] = top.param[0].val;
	out->part[VIA_RECEIVED] = top.param[1].val;
	return true;
}

bool
plain_read_via(struct draft *d, struct sc_str v, bool store)
{
	struct value_parts top;

	if (!memo_read(d->memo, via_value, READ_VIA, v, &top))
		return false;
	if (!store)
		return true;
	d->m->via_count += top.n;
	if (!(d->done & HBIT(H_VIA)) && top.n > 0) {
		d->done |= HBIT(H_VIA);
		set_first(d, F_VIA_TRANSPORT, top.part[VIA_TRANSPORT]);
		set_first(d, F_VIA_SENT_BY, top.part[VIA_SENT_BY]);
		set_first(d, F_VIA_BRANCH, top.part[VIA_BRANCH]);
		set_first(d, F_VIA_RECEIVED, top.part[VIA_RECEIVED]);
	}
	return true;
}

/* 1*9DIGIT SP Method; read (when @store) as p_cseq() reads it */
bool
plain_read_cseq(struct draft *d, struct sc_str v, bool store)
{
	const char *sp = find_char(v, ' ');
	struct sc_str method;
	uint32_t n = 0;

	if (!sp || !all_digits(view_at(v.p, sp), 9))
		return false;
	method = view_at(sp + 1, v.p + v.len);
	if (!all_of(method, C_TOK))
		return false;
	if (store) {
		/* at most 9 digits: below UINT32_MAX */
		for (const char *c = v.p; c < sp; c++)
			n = n * 10 + (uint32_t)(*c - '0');
		d->m->cseq = n;
		set_first(d, F_CSEQ_METHOD, method);
	}
	return true;
}

bool
plain_call_id(struct sc_str v)
{
	size_t i = 0;

	if (v.len == 0 || v.p[0] == '@')
		return false;
#ifdef __SSE2__
	/* as signed bytes, those past ASCII are negative: one "< '!'" test
	 * finds them with the controls and SP; DEL is the only other */
	const __m128i bang = _mm_set1_epi8('!'), del = _mm_set1_epi8(0x7f);

	for (; i + 16 <= v.len; i += 16) {
		__m128i b = _mm_loadu_si128(
		        (const __m128i *)(const void *)(v.p + i));

		if (_mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(b, bang),
		                                   _mm_cmpeq_epi8(b, del))))
			return false;
	}
#endif
	for (; i < v.len; i++)
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
	       plain_params(view_at(sub.p + sub.len, v.p + v.len), C_TOK, NULL,
	                    0);
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
	if (d->count[id] == 2 && header_osip_single(id))
		d->plain = false; /* oSIP rejects the message */
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
		if (check_plain && d->plain) {
			bool read = false;

			if (!header_check(d, id, v,
			                  (mask & HBIT(id)) ? &read : NULL))
				d->plain = false;
			if (read)
				continue;
		}
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

/*
 * "SIP/2.0 3DIGIT SP reason" or "METHOD SP plain-URI SP SIP/2.0", read
 * as scan_start_line() reads it (for a plain URI, its user is what
 * uri_parts() would cut out): the check and the reading in one walk.
 */
static bool
plain_start_line(struct draft *d)
{
	struct sc_str line = start_line(d), method, uri;
	struct uri_view parts;
	const char *sp;

	/* a bare CR, or a next line that oSIP would fold into this one */
	if (find_char(line, '\r') || (d->hdrs < d->len && is_ws(d->p[d->hdrs])))
		return false;
	if (line.len >= 12 && memcmp(line.p, "SIP/2.0 ", 8) == 0) {
		if (!all_digits(sc_str_make(line.p + 8, 3), 3) ||
		    line.p[8] == '0' || line.p[11] != ' ')
			return false;
		d->m->is_request = false;
		d->m->status = (line.p[8] - '0') * 100 +
		               (line.p[9] - '0') * 10 + (line.p[10] - '0');
		set_first(d, F_REASON_PHRASE, sc_str_trim(view_from(line, 11)));
		return true;
	}
	sp = find_char(line, ' ');
	if (!sp || !all_of(view_at(line.p, sp), C_TOK))
		return false;
	method = view_at(line.p, sp);
	line = view_at(sp + 1, line.p + line.len);
	sp = find_char(line, ' ');
	if (!sp || line.p + line.len - sp != 8 || memcmp(sp + 1, "SIP/2.0", 7))
		return false;
	uri = view_at(line.p, sp);
	if (!plain_sip_uri(uri, true, &parts))
		return false;
	d->m->is_request = true;
	set_first(d, F_METHOD_NAME, method);
	set_first(d, F_RURI, uri);
	set_first(d, F_RURI_USER, parts.user);
	return true;
}

bool
scan_plain(struct draft *d)
{
	if (!d->plain || d->body == SIZE_MAX || !d->whole)
		return false;
	return !memchr(d->p, '\0', d->body) && plain_start_line(d);
}
