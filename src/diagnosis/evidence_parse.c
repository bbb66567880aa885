/* evidence_parse.c - header values read for evidence: digest
 * parameters (RFC 7616), Reason (RFC 3326) and the category of a Q.850
 * cause (ITU-T Q.850). Nothing allocates. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sipcause/diagnosis/evidence.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/util/str.h"
#include "evidence_impl.h"

/* ---- parsers ---- */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copy a (possibly quoted) value starting at @s into @buf; returns the
 * position after it. Quoted values lose their quotes and escapes. */
static const char *
copy_value(const char *s, const char *end, char *buf, size_t len,
           const char *stops)
{
	size_t n = 0;

	if (s < end && *s == '"') {
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			if (n + 1 < len)
				buf[n++] = *s;
		}
		if (s < end)
			s++;
	} else {
		for (; s < end && !strchr(stops, *s); s++)
			if (n + 1 < len)
				buf[n++] = *s;
		while (n > 0 && is_space(buf[n - 1]))
			n--;
	}
	if (len)
		buf[n] = 0;
	return s;
}

bool
sc_evidence_auth_param(const char *hdr, const char *name, char *buf, size_t len)
{
	const char *s = hdr,
	           *end = hdr ? hdr + bounded_len(hdr, HDR_MAX) : NULL;
	size_t nlen = strlen(name);

	if (len)
		buf[0] = 0;
	while (s && s < end) {
		const char *key;
		size_t klen;

		while (s < end && (is_space(*s) || *s == ','))
			s++;
		key = s;
		while (s < end && sc_ascii_is_token((unsigned char)*s))
			s++;
		klen = (size_t)(s - key);
		while (s < end && is_space(*s))
			s++;
		if (s >= end || *s != '=') {
			/* the scheme ("Digest") or a bare word: skip it */
			if (klen == 0 && s < end)
				s++;
			continue;
		}
		s++;
		while (s < end && is_space(*s))
			s++;
		if (klen == nlen &&
		    sc_str_caseeq_cstr(sc_str_make(key, klen), name)) {
			copy_value(s, end, buf, len, ", \t");
			return true;
		}
		{
			char skip[1];

			s = copy_value(s, end, skip, sizeof(skip), ", \t");
		}
	}
	return false;
}

/* End of one comma-separated value starting at @s, quotes respected. */
static const char *
value_end(const char *s, const char *end)
{
	bool quoted = false;

	for (; s < end; s++) {
		if (*s == '\\' && quoted && s + 1 < end)
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (*s == ',' && !quoted)
			break;
	}
	return s;
}

/* Fill @r from one Reason value "proto ;cause=N ;text=..." in [s, end). */
static void
parse_reason_value(const char *s, const char *end, struct sc_reason_fact *r)
{
	char num[12];
	uint64_t v;

	memset(r, 0, sizeof(*r));
	r->cause = -1;
	while (s < end && is_space(*s))
		s++;
	s = copy_value(s, end, r->protocol, sizeof(r->protocol), ";, \t");
	r->is_sip = sc_str_caseeq_cstr(sc_str_from_cstr(r->protocol), "SIP");
	r->is_q850 = sc_str_caseeq_cstr(sc_str_from_cstr(r->protocol), "Q.850");
	while (s < end) {
		const char *key;
		size_t klen;

		while (s < end && (is_space(*s) || *s == ';'))
			s++;
		key = s;
		while (s < end && sc_ascii_is_token((unsigned char)*s))
			s++;
		klen = (size_t)(s - key);
		while (s < end && is_space(*s))
			s++;
		if (s >= end || *s != '=') {
			if (s < end)
				s++;
			continue;
		}
		for (s++; s < end && is_space(*s);)
			s++;
		if (sc_str_caseeq_cstr(sc_str_make(key, klen), "cause")) {
			s = copy_value(s, end, num, sizeof(num), "; \t");
			if (sc_str_to_u64(sc_str_from_cstr(num), 9999, &v))
				r->cause = (int)v;
		} else if (sc_str_caseeq_cstr(sc_str_make(key, klen), "text")) {
			s = copy_value(s, end, r->text, sizeof(r->text), ";");
		} else {
			char skip[1];

			s = copy_value(s, end, skip, sizeof(skip), ";");
		}
	}
}

size_t
sc_evidence_parse_reason(const char *hdr, struct sc_reason_fact *out,
                         size_t max)
{
	const char *s = hdr,
	           *end = hdr ? hdr + bounded_len(hdr, HDR_MAX) : NULL;
	size_t n = 0;

	while (s && s < end && n < max) {
		const char *e = value_end(s, end);

		parse_reason_value(s, e, &out[n]);
		if (out[n].protocol[0])
			n++;
		s = e < end ? e + 1 : e;
	}
	return n;
}

/* ---- Q.850 ---- */

/*
 * Category of a Q.850 cause, following where RFC 3398 8.2.4.1 sends it
 * (1 -> 404, 17 -> 486, 34 -> 503...). Causes left out (16, 31, 127 and
 * the rare ones) say nothing about the failure.
 */
static const struct {
	uint8_t cause;
	enum sc_category cat;
} q850_cats[] = {
	{ 1, SC_CAT_NOT_FOUND },    { 2, SC_CAT_NOT_FOUND },
	{ 3, SC_CAT_NOT_FOUND },    { 4, SC_CAT_UNAVAILABLE },
	{ 5, SC_CAT_ADDRESS },      { 14, SC_CAT_REDIRECT },
	{ 17, SC_CAT_BUSY },        { 18, SC_CAT_TIMEOUT },
	{ 19, SC_CAT_TIMEOUT },     { 20, SC_CAT_UNAVAILABLE },
	{ 21, SC_CAT_DECLINED },    { 22, SC_CAT_NOT_FOUND },
	{ 23, SC_CAT_REDIRECT },    { 24, SC_CAT_DECLINED },
	{ 25, SC_CAT_NOT_FOUND },   { 26, SC_CAT_CANCELLED },
	{ 27, SC_CAT_UNAVAILABLE }, { 28, SC_CAT_ADDRESS },
	{ 29, SC_CAT_FORBIDDEN },   { 34, SC_CAT_OVERLOAD },
	{ 38, SC_CAT_OVERLOAD },    { 41, SC_CAT_OVERLOAD },
	{ 42, SC_CAT_OVERLOAD },    { 44, SC_CAT_OVERLOAD },
	{ 46, SC_CAT_OVERLOAD },    { 47, SC_CAT_OVERLOAD },
	{ 49, SC_CAT_MEDIA },       { 50, SC_CAT_FORBIDDEN },
	{ 53, SC_CAT_FORBIDDEN },   { 55, SC_CAT_FORBIDDEN },
	{ 57, SC_CAT_FORBIDDEN },   { 58, SC_CAT_MEDIA },
	{ 62, SC_CAT_FORBIDDEN },   { 63, SC_CAT_OVERLOAD },
	{ 65, SC_CAT_MEDIA },       { 66, SC_CAT_MEDIA },
	{ 69, SC_CAT_SERVER },      { 70, SC_CAT_MEDIA },
	{ 79, SC_CAT_SERVER },      { 81, SC_CAT_PROTOCOL },
	{ 87, SC_CAT_FORBIDDEN },   { 88, SC_CAT_MEDIA },
	{ 90, SC_CAT_FORBIDDEN },   { 91, SC_CAT_ADDRESS },
	{ 95, SC_CAT_PROTOCOL },    { 96, SC_CAT_PROTOCOL },
	{ 97, SC_CAT_PROTOCOL },    { 98, SC_CAT_PROTOCOL },
	{ 99, SC_CAT_PROTOCOL },    { 100, SC_CAT_PROTOCOL },
	{ 101, SC_CAT_PROTOCOL },   { 102, SC_CAT_TIMEOUT },
	{ 111, SC_CAT_PROTOCOL },
};

bool
sc_evidence_q850_category(int cause, enum sc_category *out)
{
	for (size_t i = 0; i < SC_COUNTOF(q850_cats); i++)
		if (q850_cats[i].cause == cause) {
			*out = q850_cats[i].cat;
			return true;
		}
	return false;
}
