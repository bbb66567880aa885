/* evidence.c - causes built from what a response and its request say
 *
 * The code's generic text belongs in "meaning"; the cause must come from
 * the facts the capture holds: reason phrase, Warning (RFC 3261 20.43),
 * Reason (RFC 3326, with Q.850 causes), Retry-After, Max-Forwards, the
 * digest parameters (RFC 7616 stale, 3GPP TS 33.203 AKA) and ICMP errors.
 * Each rule below reads those facts and writes a sentence that quotes
 * them. Nothing here allocates: results are fixed-size buffers.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sipcause/diagnosis/evidence.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/util/str.h"

/* Longest header value looked at; longer ones are read up to this. */
#define HDR_MAX 4096

static const char *const ev_kind_ids[] = {
#define SC_EV_KIND_ID(name, id) id,
	SC_EV_KINDS(SC_EV_KIND_ID)
#undef SC_EV_KIND_ID
};

const char *
sc_ev_kind_id(enum sc_ev_kind k)
{
	return (unsigned)k < SC_EV__COUNT ? ev_kind_ids[k] : "";
}

/* "q850.busy"...: one rule id per category, in SC_CATEGORIES order. */
static const char *const q850_rule_ids[] = {
#define Q850_RULE_ID(name, id) "q850." id,
	SC_CATEGORIES(Q850_RULE_ID)
#undef Q850_RULE_ID
};

const char *const sc_evidence_rule_ids[] = {
	"icmp.prohibited",
	"icmp.port-unreachable",
	"icmp.unreachable",
	"auth.ims-aka-challenge",
	"auth.stale-nonce",
	"loop.max-forwards-zero",
	"routing.dns-failure",
	"routing.no-route",
	"config.registrar-disabled",
	"account.disabled",
	"config.service-disabled",
	"account.no-funds",
	"policy.ip-blocked",
	"auth.wrong-password",
#define Q850_RULE_LIST(name, id) "q850." id,
	SC_CATEGORIES(Q850_RULE_LIST)
#undef Q850_RULE_LIST
	        "reason.sip-relayed",
	"reason.sip-text",
	"reason.stated",
	NULL,
};

/* ---- small text helpers ---- */

static size_t
bounded_len(const char *s, size_t max)
{
	return s ? strnlen(s, max) : 0;
}

/* Bytes of @s kept as evidence: at most SC_EVIDENCE_WIRE_MAX, never
 * ending inside a UTF-8 sequence. */
static int
wire_len(const char *s)
{
	size_t n = bounded_len(s, SC_EVIDENCE_WIRE_MAX + 1);

	if (n > SC_EVIDENCE_WIRE_MAX) {
		n = SC_EVIDENCE_WIRE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return (int)n;
}

static const char *
or_empty(const char *s)
{
	return s ? s : "";
}

static bool
has_text(const char *s)
{
	return s && s[0];
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       sc_ascii_is_digit((unsigned char)c);
}

/* Is the byte before @i in @s a word boundary (or the start)? */
static bool
word_start(const char *s, size_t i)
{
	return i == 0 || !is_alnum(s[i - 1]);
}

/* @word occurs in @s at the start of a word, ASCII case-insensitively. */
static bool
has_word(const char *s, const char *word)
{
	struct sc_str hay = sc_str_make(s, bounded_len(s, HDR_MAX));
	struct sc_str w = sc_str_from_cstr(word);
	size_t off = 0;

	while (off < hay.len) {
		struct sc_str rest = sc_str_make(hay.p + off, hay.len - off);
		size_t at = sc_str_find(rest, w, true);

		if (at == SIZE_MAX)
			return false;
		if (word_start(hay.p, off + at))
			return true;
		off += at + 1;
	}
	return false;
}

static bool
has_any_word(const char *s, const char *const *words)
{
	if (!has_text(s) || !words)
		return false;
	for (size_t i = 0; words[i]; i++)
		if (has_word(s, words[i]))
			return true;
	return false;
}

static void SC_PRINTF(3, 0)
        vput(char *buf, size_t len, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, len, fmt, ap);

	if (n < 0)
		buf[0] = 0;
}

static void SC_PRINTF(2, 3)
        set_cause(struct sc_cause *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(out->cause, sizeof(out->cause), fmt, ap);
	va_end(ap);
}

/* Add one item; @value is wire text (cut), @fmt its sentence. */
static void SC_PRINTF(5, 6)
        add_item(struct sc_cause *out, enum sc_ev_kind kind, int64_t num,
                 const char *value, const char *fmt, ...)
{
	struct sc_ev_item *it;
	va_list ap;

	if (out->nitems >= SC_EVIDENCE_MAX_ITEMS) {
		out->dropped++;
		return;
	}
	it = &out->items[out->nitems++];
	it->kind = kind;
	it->num = num;
	snprintf(it->value, sizeof(it->value), "%.*s", wire_len(value),
	         value ? value : "");
	va_start(ap, fmt);
	vput(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
}

/* ---- facts ---- */

void
sc_response_facts_init(struct sc_response_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->retry_after = -1;
	f->max_forwards = -1;
}

void
sc_response_facts_from_msgs(struct sc_response_facts *f,
                            const struct sc_msg *req, const struct sc_msg *resp,
                            struct sc_warning_fact *wbuf)
{
	sc_response_facts_init(f);
	if (req) {
		f->method = req->method_name;
		f->max_forwards = req->max_forwards;
		f->has_credentials = req->has_credentials;
	}
	if (!resp)
		return;
	f->status = resp->status;
	f->reason_phrase = resp->reason_phrase;
	if (!f->method)
		f->method = resp->cseq_method_name;
	f->reason_hdr = resp->reason_hdr;
	f->retry_after = resp->retry_after;
	if (resp->warning_code > 0 && wbuf) {
		wbuf->code = resp->warning_code;
		wbuf->agent = resp->warning_agent;
		wbuf->text = resp->warning_text;
		f->warnings = wbuf;
		f->nwarnings = 1;
	}
}

/* The next word (letters and digits) of [*p, end), or an empty view. */
static struct sc_str
next_word(const char **p, const char *end)
{
	const char *s = *p, *w;

	while (s < end && !is_alnum(*s))
		s++;
	for (w = s; s < end && is_alnum(*s);)
		s++;
	*p = s;
	return sc_str_make(w, (size_t)(s - w));
}

/* Does @text hold the word @w (whole word, any case)? */
static bool
has_whole_word(const char *text, struct sc_str w)
{
	const char *p = text, *end = text + bounded_len(text, HDR_MAX);
	struct sc_str t;

	while ((t = next_word(&p, end)).len)
		if (sc_str_caseeq(t, w))
			return true;
	return false;
}

/*
 * The reason phrase says something the RFC's phrase for the code does
 * not: one of its words is not in the RFC's phrase. Shortened or older
 * spellings ("authentication required" for 407, RFC 2543's "Call
 * Leg/Transaction Does Not Exist") and a bare "Error" are not news.
 */
static bool
phrase_is_own(const struct sc_response_facts *f)
{
	/* older spellings, and words that add nothing ("403 Error") */
	static const char *const old_words = "leg error";
	const struct sc_status_info *info;
	const char *p = f->reason_phrase, *end;
	bool unknown = false;
	struct sc_str w;

	if (!has_text(f->reason_phrase))
		return false;
	info = sc_kb_status(f->status, &unknown);
	if (!info || unknown || !info->reason)
		return true;
	end = p + bounded_len(p, HDR_MAX);
	while ((w = next_word(&p, end)).len)
		if (!has_whole_word(info->reason, w) &&
		    !has_whole_word(old_words, w))
			return true;
	return false;
}

/* Warnings that are a server's debug output rather than an explanation
 * (SER/Kamailio's 392 "Noisy feedback tells: ..."). */
static bool
warning_is_noise(const struct sc_warning_fact *w)
{
	return w->code == 392 ||
	       (w->text && sc_str_has_prefix_nocase(sc_str_from_cstr(w->text),
	                                            "Noisy feedback"));
}

/* The first Warning with something to say, or NULL. */
static const struct sc_warning_fact *
main_warning(const struct sc_response_facts *f)
{
	size_t n = f->nwarnings < SC_EVIDENCE_MAX_REASONS
	                   ? f->nwarnings
	                   : SC_EVIDENCE_MAX_REASONS;

	for (size_t i = 0; f->warnings && i < n; i++)
		if (has_text(f->warnings[i].text) &&
		    !warning_is_noise(&f->warnings[i]))
			return &f->warnings[i];
	return NULL;
}

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
	const char *s = hdr, *end = hdr ? hdr + bounded_len(hdr, HDR_MAX) : NULL;
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
	const char *s = hdr, *end = hdr ? hdr + bounded_len(hdr, HDR_MAX) : NULL;
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

/* ---- collecting the items ---- */

static void
collect_auth(const struct sc_response_facts *f, struct sc_cause *out)
{
	char user[64], resp[64], alg[32], stale[16], nonce[48], qop[24];
	bool has_resp;

	if (f->has_credentials || f->credentials) {
		sc_evidence_auth_param(f->credentials, "username", user,
		                       sizeof(user));
		has_resp = sc_evidence_auth_param(f->credentials, "response",
		                                  resp, sizeof(resp));
		add_item(out, SC_EV_CREDENTIALS, -1, f->credentials,
		         "the %s carried credentials%s%s%s%s",
		         has_text(f->method) ? f->method : "request",
		         user[0] ? " for user \"" : "", user,
		         user[0] ? "\"" : "",
		         has_resp && !resp[0] ? " with an empty response" : "");
	}
	if (!f->challenge || (f->status != 401 && f->status != 407))
		return;
	sc_evidence_auth_param(f->challenge, "algorithm", alg, sizeof(alg));
	sc_evidence_auth_param(f->challenge, "stale", stale, sizeof(stale));
	sc_evidence_auth_param(f->challenge, "nonce", nonce, sizeof(nonce));
	sc_evidence_auth_param(f->challenge, "qop", qop, sizeof(qop));
	add_item(out, SC_EV_CHALLENGE, f->status, f->challenge,
	         "the %d challenges with algorithm %s%s%s%s%s, nonce \"%s\"",
	         f->status, alg[0] ? alg : "MD5 (default)",
	         qop[0] ? ", qop=" : "", qop, stale[0] ? ", stale=" : "", stale,
	         nonce);
}

static void
collect_reasons(const struct sc_response_facts *f, struct sc_cause *out)
{
	struct sc_reason_fact r[SC_EVIDENCE_MAX_REASONS];
	size_t n = sc_evidence_parse_reason(f->reason_hdr, r, SC_COUNTOF(r));

	for (size_t i = 0; i < n; i++) {
		const struct sc_q850_info *q =
		        r[i].is_q850 ? sc_kb_q850(r[i].cause) : NULL;

		add_item(out,
		         r[i].is_q850 ? SC_EV_REASON_Q850 : SC_EV_REASON_SIP,
		         r[i].cause, r[i].text,
		         "Reason: %s cause %d%s%s%s%s%s%s", r[i].protocol,
		         r[i].cause, q ? " (" : "", q ? q->name : "",
		         q ? ")" : "", r[i].text[0] ? " text \"" : "",
		         r[i].text, r[i].text[0] ? "\"" : "");
	}
}

static void
collect_icmp(const struct sc_response_facts *f, struct sc_cause *out)
{
	if (!f->icmp_version)
		return;
	add_item(out, SC_EV_ICMP, f->icmp_type * 256 + f->icmp_code,
	         f->icmp_text, "ICMPv%u %s (type %u code %u)%s%s",
	         f->icmp_version == 6 ? 6u : 4u,
	         has_text(f->icmp_text) ? f->icmp_text : "error", f->icmp_type,
	         f->icmp_code, has_text(f->icmp_from) ? " from " : "",
	         has_text(f->icmp_from) ? f->icmp_from : "");
}

/* Every fact worth citing, whatever rule applies. */
static void
collect(const struct sc_response_facts *f, struct sc_cause *out)
{
	size_t nw = f->nwarnings < SC_EVIDENCE_MAX_REASONS
	                    ? f->nwarnings
	                    : SC_EVIDENCE_MAX_REASONS;

	if (f->status > 0 && phrase_is_own(f))
		add_item(out, SC_EV_REASON_PHRASE, f->status, f->reason_phrase,
		         "reason phrase \"%.*s\"", wire_len(f->reason_phrase),
		         or_empty(f->reason_phrase));
	for (size_t i = 0; f->warnings && i < nw; i++) {
		const struct sc_warning_fact *w = &f->warnings[i];
		const struct sc_warning_info *wi = sc_kb_warning(w->code);

		add_item(out, SC_EV_WARNING, w->code, w->text,
		         "Warning %d%s%s \"%.*s\"%s%s", w->code,
		         has_text(w->agent) ? " from " : "",
		         has_text(w->agent) ? w->agent : "", wire_len(w->text),
		         w->text ? w->text : "",
		         wi && w->code != 399 ? " - " : "",
		         wi && w->code != 399 ? wi->text : "");
	}
	collect_reasons(f, out);
	if (f->retry_after >= 0)
		add_item(out, SC_EV_RETRY_AFTER, f->retry_after, NULL,
		         "Retry-After: %" PRId64 " s", f->retry_after);
	if (f->max_forwards == 0 || (f->status == 483 && f->max_forwards > 0))
		add_item(out, SC_EV_MAX_FORWARDS, f->max_forwards, NULL,
		         "the %s was sent with Max-Forwards %d",
		         has_text(f->method) ? f->method : "request",
		         f->max_forwards);
	if (f->status == 401 || f->status == 403 || f->status == 407 ||
	    f->status == 494)
		collect_auth(f, out);
	if (f->accepted_later)
		add_item(out, SC_EV_LATER_SUCCESS, -1, NULL,
		         "a later retry with the same user name was accepted");
	if (f->status == 0)
		collect_icmp(f, out);
}

/* ---- rules ---- */

static enum sc_category
code_category(int status)
{
	bool unknown = false;
	const struct sc_status_info *info = sc_kb_status(status, &unknown);

	return info && !unknown ? info->cat : SC_CAT_UNKNOWN;
}

static const char *
method_or(const struct sc_response_facts *f, const char *dflt)
{
	return has_text(f->method) ? f->method : dflt;
}

/* Append to a fixed buffer, cutting what does not fit. */
static void SC_PRINTF(3, 4) append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vput(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/*
 * What the response says in its own words: its reason phrase when it is
 * not the RFC's and its first telling Warning, quoted:
 *   "No DNS results" and Warning 399 from sip1 "No other DNS ...".
 * Empty when it says nothing of its own.
 */
static void
quote_said(const struct sc_response_facts *f, char *buf, size_t len)
{
	const struct sc_warning_fact *w = main_warning(f);
	bool own = phrase_is_own(f);

	buf[0] = 0;
	if (own)
		append(buf, len, "\"%.*s\"", wire_len(f->reason_phrase),
		       or_empty(f->reason_phrase));
	if (!w)
		return;
	append(buf, len, "%sWarning %d", own ? " and " : "", w->code);
	if (has_text(w->agent))
		append(buf, len, " from %.*s", wire_len(w->agent), w->agent);
	append(buf, len, " \"%.*s\"", wire_len(w->text), or_empty(w->text));
}

static bool
rule_icmp(const struct sc_response_facts *f, struct sc_cause *out)
{
	bool v4 = f->icmp_version == 4, v6 = f->icmp_version == 6;
	uint8_t t = f->icmp_type, c = f->icmp_code;
	const char *text = has_text(f->icmp_text) ? f->icmp_text : "an error";
	const char *from = has_text(f->icmp_from) ? f->icmp_from : "a router";

	if (f->status != 0 || !f->icmp_version)
		return false;
	if ((v4 && t == 3 && (c == 9 || c == 10 || c == 13)) ||
	    (v6 && t == 1 && (c == 1 || c == 5 || c == 6))) {
		out->rule = "icmp.prohibited";
		out->cat = SC_CAT_FORBIDDEN;
		set_cause(out,
		          "A firewall refused the %s: %s answered with "
		          "ICMP \"%.*s\", so the request never reached "
		          "a SIP server.",
		          method_or(f, "request"), from, wire_len(text), text);
	} else if ((v4 && t == 3 && c == 3) || (v6 && t == 1 && c == 4)) {
		out->rule = "icmp.port-unreachable";
		out->cat = SC_CAT_TIMEOUT;
		set_cause(out,
		          "Nothing listens for SIP at the destination: "
		          "%s answered the %s with ICMP \"%.*s\".",
		          from, method_or(f, "request"), wire_len(text), text);
	} else {
		out->rule = "icmp.unreachable";
		out->cat = SC_CAT_TIMEOUT;
		set_cause(out,
		          "The %s could not be delivered: %s answered "
		          "with ICMP \"%.*s\".",
		          method_or(f, "request"), from, wire_len(text), text);
	}
	out->decisive = true;
	return true;
}

static bool
is_aka(const char *alg)
{
	return sc_str_has_prefix_nocase(sc_str_from_cstr(alg), "AKAv");
}

static bool
rule_ims_aka(const struct sc_response_facts *f, struct sc_cause *out)
{
	char alg[32], calg[32], resp[8], nonce[8];
	bool has_resp, has_nonce, aka;

	if ((f->status != 401 && f->status != 407) ||
	    (has_text(f->method) && strcmp(f->method, "REGISTER") != 0))
		return false;
	sc_evidence_auth_param(f->challenge, "algorithm", alg, sizeof(alg));
	sc_evidence_auth_param(f->credentials, "algorithm", calg, sizeof(calg));
	has_resp = sc_evidence_auth_param(f->credentials, "response", resp,
	                                  sizeof(resp));
	has_nonce = sc_evidence_auth_param(f->credentials, "nonce", nonce,
	                                   sizeof(nonce));
	aka = is_aka(alg) || is_aka(calg);
	/* a first IMS REGISTER carries a digest with nothing to prove yet */
	if (!(aka && (!f->has_credentials || (has_resp && !resp[0]))) &&
	    !(has_resp && !resp[0] && has_nonce && !nonce[0]))
		return false;
	out->rule = "auth.ims-aka-challenge";
	out->cat = SC_CAT_AUTH;
	out->decisive = true;
	out->normal = true;
	set_cause(out,
	          "The normal first step of an IMS registration: the "
	          "REGISTER %s, and the network answered with %s%s "
	          "challenge for the SIM to compute. Not a failure "
	          "unless the next REGISTER fails too.",
	          f->has_credentials ? "carried an empty digest response"
	                             : "carried no credentials yet",
	          aka ? "an " : "a", aka ? (alg[0] ? alg : calg) : "digest");
	return true;
}

static bool
rule_stale_nonce(const struct sc_response_facts *f, struct sc_cause *out)
{
	static const char *const words[] = { "nonce", "stale", NULL };
	char stale[16];
	bool flag, said;

	if ((f->status != 401 && f->status != 407) || !f->has_credentials)
		return false;
	sc_evidence_auth_param(f->challenge, "stale", stale, sizeof(stale));
	flag = sc_str_caseeq_cstr(sc_str_from_cstr(stale), "true");
	said = phrase_is_own(f) && has_any_word(f->reason_phrase, words);
	if (!flag && !said)
		return false;
	out->rule = "auth.stale-nonce";
	out->cat = SC_CAT_AUTH;
	out->decisive = true;
	out->normal = f->accepted_later;
	set_cause(out,
	          "The nonce had expired, not the password: the %d "
	          "says ",
	          f->status);
	if (said)
		append(out->cause, sizeof(out->cause), "\"%.*s\"%s",
		       wire_len(f->reason_phrase), or_empty(f->reason_phrase),
		       flag ? " with stale=true" : "");
	else
		append(out->cause, sizeof(out->cause), "stale=true");
	append(out->cause, sizeof(out->cause),
	       " and asks for the same credentials with a fresh nonce.%s",
	       f->accepted_later ? " A later retry with the same user name "
	                           "was accepted."
	                         : "");
	return true;
}

static bool
rule_max_forwards_zero(const struct sc_response_facts *f, struct sc_cause *out)
{
	if (f->status != 483 || f->max_forwards != 0)
		return false;
	out->rule = "loop.max-forwards-zero";
	out->cat = SC_CAT_PROTOCOL;
	out->decisive = true;
	set_cause(out,
	          "The sender set Max-Forwards 0 on the %s, so the "
	          "first element that received it could not forward it "
	          "and answered itself: not a routing loop. Senders do "
	          "this on purpose to probe the next hop; otherwise the "
	          "sender's Max-Forwards setting is wrong.",
	          method_or(f, "request"));
	return true;
}

/* A cause named by words in the reason phrase or a Warning text. */
struct word_rule {
	const char *id;
	enum sc_category cat;
	int lo, hi;              /* status codes it applies to */
	const char *const *any;  /* one of these words... */
	const char *const *also; /* ...and, if set, one of these */
	const char *why;         /* what it means, after the quote */
};

static const char *const w_dns[] = {
	"dns",          "resolv",      "unresolv", "nxdomain",
	"no such host", "name lookup", NULL,
};
static const char *const w_route[] = {
	"no route",       "route not found", "no matching route",
	"unroutable",     "not routable",    "no gateway",
	"routing failed", "routing error",   NULL,
};
static const char *const w_registrar[] = {
	"registrar",
	"registration",
	"register",
	NULL,
};
static const char *const w_account[] = { "account", "subscriber", NULL };
static const char *const w_disabled[] = {
	"disabled", "not enabled", "deactivated", "turned off", NULL,
};
static const char *const w_acct_state[] = {
	"disabled", "suspended", "inactive", "deactivated",
	"expired",  "blocked",   "locked",   NULL,
};
static const char *const w_reg_off[] = {
	"disabled",    "not enabled",   "deactivated",   "turned off",
	"not allowed", "not permitted", "not supported", NULL,
};
static const char *const w_funds[] = {
	"insufficient funds",
	"no funds",
	"funds",
	"balance",
	"no credit",
	"out of credit",
	"insufficient credit",
	"credit limit",
	NULL,
};
static const char *const w_ip[] = {
	"ip not allowed",
	"ip address not allowed",
	"address not allowed",
	"not allowed from",
	"source not allowed",
	"blocked",
	"blacklist",
	"blocklist",
	"banned",
	"acl",
	"not whitelisted",
	"whitelist",
	"allowlist",
	"allow-list",
	"allow list",
	"denied",
	NULL,
};
static const char *const w_password[] = {
	"wrong password",
	"bad password",
	"invalid password",
	"incorrect password",
	"authentication failed",
	"authentication failure",
	"auth failed",
	"invalid credentials",
	"wrong credentials",
	"bad credentials",
	NULL,
};

/* Order matters: the first rule whose words match explains it. */
static const struct word_rule word_rules[] = {
	{ "routing.dns-failure", SC_CAT_SERVER, 400, 699, w_dns, NULL,
	  "the element that answered could not find the next hop in DNS "
	  "(no usable NAPTR, SRV or A/AAAA records). A DNS or routing "
	  "problem at that proxy, not the callee being offline or unknown." },
	{ "routing.no-route", SC_CAT_NOT_FOUND, 400, 699, w_route, NULL,
	  "the server has no route for this destination: a gap in its "
	  "routing table or dial plan, not a user that does not exist." },
	{ "config.registrar-disabled", SC_CAT_SERVER, 400, 699, w_registrar,
	  w_reg_off,
	  "registration is turned off on that server: a configuration "
	  "problem, not overload." },
	{ "account.disabled", SC_CAT_FORBIDDEN, 400, 699, w_account,
	  w_acct_state,
	  "the account is disabled, suspended or expired on that server." },
	{ "config.service-disabled", SC_CAT_SERVER, 400, 699, w_disabled, NULL,
	  "the service asked for is disabled on that server: a "
	  "configuration problem, not overload." },
	{ "account.no-funds", SC_CAT_FORBIDDEN, 400, 699, w_funds, NULL,
	  "the account has no credit left for this call: check its balance "
	  "or billing." },
	{ "policy.ip-blocked", SC_CAT_FORBIDDEN, 400, 699, w_ip, NULL,
	  "the server's access policy refuses this source (IP allow-list, "
	  "ACL or block list)." },
	{ "auth.wrong-password", SC_CAT_AUTH, 401, 407, w_password, NULL,
	  "the credentials were checked and refused (wrong password or user "
	  "name for this realm)." },
};

static bool
words_match(const struct word_rule *r, const char *text)
{
	return has_any_word(text, r->any) &&
	       (!r->also || has_any_word(text, r->also));
}

/* Does rule @r match the phrase (when not the RFC's) or a Warning? */
static bool
word_rule_applies(const struct word_rule *r, const struct sc_response_facts *f)
{
	size_t nw = f->nwarnings < SC_EVIDENCE_MAX_REASONS
	                    ? f->nwarnings
	                    : SC_EVIDENCE_MAX_REASONS;

	if (f->status < r->lo || f->status > r->hi)
		return false;
	if (phrase_is_own(f) && words_match(r, f->reason_phrase))
		return true;
	for (size_t i = 0; f->warnings && i < nw; i++)
		if (!warning_is_noise(&f->warnings[i]) &&
		    words_match(r, f->warnings[i].text))
			return true;
	return false;
}

static bool
rule_words(const struct sc_response_facts *f, struct sc_cause *out)
{
	char said[SC_EVIDENCE_TEXT_MAX];

	for (size_t i = 0; i < SC_COUNTOF(word_rules); i++) {
		const struct word_rule *r = &word_rules[i];

		if (!word_rule_applies(r, f))
			continue;
		quote_said(f, said, sizeof(said));
		out->rule = r->id;
		out->cat = r->cat;
		out->decisive = true;
		set_cause(out, "The %d to the %s says %s: %s", f->status,
		          method_or(f, "request"), said, r->why);
		return true;
	}
	return false;
}

/* The first Reason value of protocol Q.850 (@q850) or SIP with a cause. */
static bool
first_reason(const struct sc_response_facts *f, bool q850,
             struct sc_reason_fact *out)
{
	struct sc_reason_fact r[SC_EVIDENCE_MAX_REASONS];
	size_t n = sc_evidence_parse_reason(f->reason_hdr, r, SC_COUNTOF(r));

	for (size_t i = 0; i < n; i++)
		if ((q850 ? r[i].is_q850 : r[i].is_sip) && r[i].cause > 0) {
			*out = r[i];
			return true;
		}
	return false;
}

static bool
rule_q850(const struct sc_response_facts *f, struct sc_cause *out)
{
	struct sc_reason_fact r;
	const struct sc_q850_info *q;
	enum sc_category cat;

	if (!first_reason(f, true, &r))
		return false;
	q = sc_kb_q850(r.cause);
	out->q850 = r.cause;
	out->decisive = q && sc_evidence_q850_category(r.cause, &cat);
	if (!out->decisive)
		cat = code_category(f->status);
	out->cat = cat;
	out->rule = q850_rule_ids[cat];
	set_cause(out,
	          "The Reason header of the %d gives Q.850 cause %d "
	          "(%s)%s%.*s%s. %s",
	          f->status, r.cause, q ? q->name : "unassigned",
	          r.text[0] ? ", text \"" : "", wire_len(r.text), r.text,
	          r.text[0] ? "\"" : "",
	          q ? q->meaning : "a value Q.850 does not assign.");
	return true;
}

static bool
rule_sip_reason(const struct sc_response_facts *f, struct sc_cause *out)
{
	struct sc_reason_fact r;
	const struct sc_status_info *info;
	bool unknown = false;

	if (!first_reason(f, false, &r))
		return false;
	if (r.cause >= 300 && r.cause != f->status) {
		info = sc_kb_status(r.cause, &unknown);
		out->rule = "reason.sip-relayed";
		out->cat =
		        info && !unknown ? info->cat : code_category(f->status);
		out->decisive = true;
		set_cause(out,
		          "The %d passes on a %d %s from further along "
		          "the path (Reason header%s%.*s%s): the failure "
		          "started there.",
		          f->status, r.cause,
		          info && !unknown ? info->reason : "response",
		          r.text[0] ? " text \"" : "", wire_len(r.text), r.text,
		          r.text[0] ? "\"" : "");
		return true;
	}
	if (!r.text[0])
		return false;
	out->rule = "reason.sip-text";
	out->cat = code_category(f->status);
	set_cause(out,
	          "The %d gives its reason in a Reason header: "
	          "\"%.*s\".",
	          f->status, wire_len(r.text), r.text);
	return true;
}

static bool
rule_stated(const struct sc_response_facts *f, struct sc_cause *out)
{
	char said[SC_EVIDENCE_TEXT_MAX];

	quote_said(f, said, sizeof(said));
	if (!said[0])
		return false;
	out->rule = "reason.stated";
	out->cat = code_category(f->status);
	set_cause(out, "The %d to the %s gives its own reason: %s.", f->status,
	          method_or(f, "request"), said);
	return true;
}

typedef bool rule_fn(const struct sc_response_facts *f, struct sc_cause *out);

/* Order matters: the first rule that matches names the cause. */
static rule_fn *const rules[] = {
	rule_icmp,  rule_ims_aka, rule_stale_nonce, rule_max_forwards_zero,
	rule_words, rule_q850,    rule_sip_reason,  rule_stated,
};

bool
sc_evidence_cause(const struct sc_response_facts *f, struct sc_cause *out)
{
	memset(out, 0, sizeof(*out));
	out->cat = code_category(f->status);
	collect(f, out);
	if (f->status > 0 && f->status < 300)
		return false;
	for (size_t i = 0; i < SC_COUNTOF(rules); i++)
		if (rules[i](f, out))
			return true;
	return false;
}
